//! The scheduler: cron rules fire `schedule.fired` events into the inbox.
//!
//! - [`cron`]: parsing an expression in a time zone and computing fire times.
//! - [`scheduler`]: the rounds that write due fire times as inbox events.

pub mod cron;
pub mod scheduler;

pub use cron::{CronSchedule, ScheduleError};
pub use scheduler::{SCHEDULE_SOURCE, Scheduler, TickReport};
