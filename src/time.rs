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

/// The UTC (year, month, day) of `ms`.
pub fn civil_date(ms: UnixMillis) -> (i64, u32, u32) {
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
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

/// "25 Nov 2026": the UTC calendar day of `ms`, the same text on server and browser.
pub fn format_day(ms: UnixMillis) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (year, month, day) = civil_date(ms);
    let name = MONTHS[usize::try_from(month.saturating_sub(1)).unwrap_or(0)];
    format!("{day} {name} {year}")
}

/// "2026-11-25" → that UTC day's first millisecond; `None` for anything else.
pub fn parse_date(text: &str) -> Option<UnixMillis> {
    let mut parts = text.trim().splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: i64 = parts.next()?.parse().ok()?;
    let day: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1900..=9999).contains(&year) {
        return None;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if !(1..=days_in_month).contains(&day) {
        return None;
    }
    // Civil date to days since 1970-01-01 (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * DAY)
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

/// "25 Nov 2026" in a time zone `offset_minutes` ahead of UTC (negative: behind), such
/// as the viewer's on that day.
pub fn format_local_day(ms: UnixMillis, offset_minutes: i64) -> String {
    format_day(ms + offset_minutes * MINUTE)
}

/// "25 Nov 2026, 04:10" in a time zone `offset_minutes` ahead of UTC.
pub fn format_local(ms: UnixMillis, offset_minutes: i64) -> String {
    let local = ms + offset_minutes * MINUTE;
    let minutes = local.div_euclid(MINUTE).rem_euclid(24 * 60);
    format!(
        "{}, {:02}:{:02}",
        format_day(local),
        minutes / 60,
        minutes % 60
    )
}

/// "2026-11-25": the UTC day of `ms` for a `<time datetime>` attribute.
pub fn iso_day(ms: UnixMillis) -> String {
    let (year, month, day) = civil_date(ms);
    format!("{year:04}-{month:02}-{day:02}")
}

/// "3:05", "1:02:03": a length as players show it.
pub fn clock(ms: i64) -> String {
    let seconds = ms.max(0) / SECOND;
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_read_like_a_player() {
        assert_eq!(clock(0), "0:00");
        assert_eq!(clock(185_400), "3:05");
        assert_eq!(clock(3_723_000), "1:02:03");
        assert_eq!(clock(-5), "0:00");
    }

    #[test]
    fn local_days_follow_the_offset() {
        let at = 1_767_225_600_000 + 4 * HOUR + 10 * MINUTE; // 1 Jan 2026, 04:10 UTC
        assert_eq!(format_local_day(at, 0), "1 Jan 2026");
        assert_eq!(format_local_day(at, -5 * 60), "31 Dec 2025");
        assert_eq!(format_local_day(at, 14 * 60), "1 Jan 2026");
        assert_eq!(format_local(at, -10 * 60), "31 Dec 2025, 18:10");
        assert_eq!(format_local(at, 5 * 60 + 30), "1 Jan 2026, 09:40");
        assert_eq!(iso_day(at), "2026-01-01");
    }

    #[test]
    fn dates_parse_back_to_their_day() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2026-01-01"), Some(1_767_225_600_000));
        assert_eq!(parse_date("2000-02-29"), Some(951_782_400_000));
        assert_eq!(parse_date("2001-02-29"), None);
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("soon"), None);
    }

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
