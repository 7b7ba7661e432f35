//! The scheduler: cron rules fire `schedule.fired` events into the inbox.
//!
//! - [`cron`]: parsing an expression in a time zone and computing fire times.
pub mod cron;

pub use cron::{CronSchedule, ScheduleError};
