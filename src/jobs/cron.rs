//! Cron schedules (filled in with the scheduler).
