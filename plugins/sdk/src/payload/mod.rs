//! Typed payloads of the event kinds plugins most often handle.
//!
//! Each struct documents the JSON the host puts in `event.payload` for its kind; read one with
//! `event.payload::<TaskAssigned>()`. Optional fields are `Option` so that ERPs sending less still
//! parse; fields a handler cannot work without are required, and their absence is reported by
//! name.

mod approval;
mod contact;
mod employee;
mod mention;
mod person;
mod task;

pub use approval::ApprovalChanged;
pub use contact::{DepartmentChanged, UserChanged};
pub use employee::EmployeeChanged;
pub use mention::{DocumentRef, Mentioned};
pub use person::Person;
pub use task::TaskAssigned;
