//! Loyalty: how close a fan is to an artist, from what the fan does (SPEC FAN-2). One
//! pure function holds the weights and the decay, so they are tested by their
//! properties and tuned in one place. Points are stored in thousandths, as integers.

/// Something a fan did that brings them closer to an artist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Watched one of the artist's Bops (counted views only).
    View,
    Like,
    Comment,
    Follow,
    /// Tipped the artist this much (minor units).
    Tip {
        cents: i64,
    },
    /// Listened to one of the artist's tracks (a counted stream).
    Stream,
    /// Bought from the artist's shop for this much (minor units).
    Purchase {
        cents: i64,
    },
}

/// One point, in the stored unit.
pub const POINT: i64 = 1000;
/// Loyalty halves every this many days without activity.
pub const HALF_LIFE_DAYS: i64 = 60;
/// The points at which a fan's loyalty level reaches about 0.63 (1 − 1/e).
pub const SCALE_POINTS: f64 = 60.0;

/// What one signal is worth, in thousandths of a point. Money counts, capped, so one
/// large payment cannot outweigh months of listening.
pub fn weight(signal: Signal) -> i64 {
    let dollars = |cents: i64| (cents.max(0) / 100).min(100);
    match signal {
        Signal::View => POINT / 2,
        Signal::Stream => POINT / 2,
        Signal::Like => 2 * POINT,
        Signal::Comment => 4 * POINT,
        Signal::Follow => 10 * POINT,
        Signal::Tip { cents } => 15 * POINT + dollars(cents) * POINT,
        Signal::Purchase { cents } => 15 * POINT + dollars(cents) * POINT,
    }
}

/// `points` after `elapsed_ms` without activity (never negative, never more).
pub fn decayed(points: i64, elapsed_ms: i64) -> i64 {
    let points = points.max(0);
    if elapsed_ms <= 0 {
        return points;
    }
    let half_lives = elapsed_ms as f64 / (HALF_LIFE_DAYS * 24 * 3_600_000) as f64;
    (points as f64 * 0.5_f64.powf(half_lives)).floor() as i64
}

/// The points after `signal` at `now`, from `points` last updated at `updated_at`.
pub fn credit(points: i64, updated_at: i64, now: i64, signal: Signal) -> i64 {
    decayed(points, now - updated_at).saturating_add(weight(signal))
}

/// The loyalty level the ranking reads: 0 (none) up to 1 (reached only in the limit,
/// or by rounding for a fan with thousands of points).
pub fn level(points: i64) -> f64 {
    let points = points.max(0) as f64 / POINT as f64;
    1.0 - (-points / SCALE_POINTS).exp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const DAY: i64 = 24 * 3_600_000;

    fn signal() -> impl Strategy<Value = Signal> {
        prop_oneof![
            Just(Signal::View),
            Just(Signal::Like),
            Just(Signal::Comment),
            Just(Signal::Follow),
            Just(Signal::Stream),
            (0i64..1_000_000).prop_map(|cents| Signal::Tip { cents }),
            (0i64..1_000_000).prop_map(|cents| Signal::Purchase { cents }),
        ]
    }

    proptest! {
        #[test]
        fn decay_never_grows_and_halves_on_schedule(points in 0i64..1_000_000_000, days in 0i64..3650) {
            let later = decayed(points, days * DAY);
            prop_assert!(later <= points);
            prop_assert!(later >= 0);
            prop_assert!(decayed(points, (days + 1) * DAY) <= later);
            let half = decayed(points, HALF_LIFE_DAYS * DAY);
            prop_assert!((half - points / 2).abs() <= 1);
        }

        #[test]
        fn every_signal_brings_a_fan_closer(points in 0i64..1_000_000_000, gap in 0i64..365 * DAY, s in signal()) {
            let now = 1_800_000_000_000;
            let after = credit(points, now - gap, now, s);
            prop_assert!(after > decayed(points, gap));
            prop_assert!(level(after) >= level(decayed(points, gap)));
        }

        #[test]
        fn level_is_monotonic_and_at_most_one(a in 0i64..1_000_000_000, b in 0i64..1_000_000_000) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(level(lo) <= level(hi));
            prop_assert!((0.0..=1.0).contains(&level(hi)));
        }
    }

    #[test]
    fn money_counts_but_is_capped() {
        assert!(weight(Signal::Tip { cents: 2_000 }) > weight(Signal::Tip { cents: 100 }));
        assert_eq!(
            weight(Signal::Tip { cents: 1_000_000 }),
            weight(Signal::Tip { cents: 10_000 })
        );
        assert!(weight(Signal::Tip { cents: 100 }) > weight(Signal::Follow));
        assert_eq!(level(0), 0.0);
    }
}
