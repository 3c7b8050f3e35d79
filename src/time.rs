//! Time as the database stores it: UTC unix milliseconds in an `i64`.

/// Milliseconds since the unix epoch, UTC.
pub type UnixMillis = i64;

pub const SECOND: i64 = 1_000;
pub const MINUTE: i64 = 60 * SECOND;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;

/// Now, in unix milliseconds.
#[cfg(feature = "ssr")]
pub fn now_ms() -> UnixMillis {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
