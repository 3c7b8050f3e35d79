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

/// "25 Nov 2026": the UTC calendar day of `ms`, the same text on server and browser.
pub fn format_day(ms: UnixMillis) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = ms.div_euclid(DAY) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let name = MONTHS[usize::try_from(month - 1).unwrap_or(0)];
    format!("{day} {name} {year}")
}

/// "25 Nov 2026, 04:10 UTC": a UTC moment, the same text on server and browser.
pub fn format_utc(ms: UnixMillis) -> String {
    let minutes = ms.div_euclid(MINUTE).rem_euclid(24 * 60);
    format!(
        "{}, {:02}:{:02} UTC",
        format_day(ms),
        minutes / 60,
        minutes % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_formatted_in_utc() {
        assert_eq!(format_day(0), "1 Jan 1970");
        assert_eq!(format_day(1_767_225_600_000), "1 Jan 2026");
        assert_eq!(format_day(1_767_225_600_000 - 1), "31 Dec 2025");
        assert_eq!(format_day(951_782_400_000), "29 Feb 2000");
        assert_eq!(format_day(-DAY), "31 Dec 1969");
        assert_eq!(
            format_utc(1_767_225_600_000 + 4 * HOUR + 10 * MINUTE),
            "1 Jan 2026, 04:10 UTC"
        );
    }
}
