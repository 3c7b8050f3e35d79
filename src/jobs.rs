//! Durable background jobs (SPEC JOB-1): a queue in the database, enqueued inside the
//! transaction of the write that causes it, claimed in batches under a lease, retried
//! with exponential backoff and jitter, dead-lettered after its last attempt.
//!
//! The rules (backoff, options) are pure and live here; behind `ssr`, [`queue`] holds
//! the SQL, [`worker`] the pool that runs handlers, [`cron`] the schedules.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod bench;
#[cfg(feature = "ssr")]
pub mod cron;
#[cfg(feature = "ssr")]
pub mod queue;
#[cfg(feature = "ssr")]
pub mod worker;

/// A job's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JobId(pub i64);

text_enum! {
    /// Where a job stands. Completed jobs are deleted, so they have no state.
    pub enum JobState {
        /// Waiting for its `run_at` (a retry waits here too, with its error kept).
        Queued = "queued",
        /// Claimed by a worker under a lease.
        Running = "running",
        /// Gave up: out of attempts, or it can never succeed (unknown kind, bad payload).
        Dead = "dead",
    }
}

/// How a job is enqueued; every field has a default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnqueueOptions {
    /// Not before this time (unix ms); default now.
    pub run_at: Option<i64>,
    /// Higher runs first among due jobs; default 0.
    pub priority: i16,
    /// At most one unfinished job per key: a second enqueue with the key is a no-op.
    pub dedupe_key: Option<String>,
    /// Overrides the job kind's `MAX_ATTEMPTS`.
    pub max_attempts: Option<i32>,
}

impl EnqueueOptions {
    pub fn dedupe(key: impl Into<String>) -> Self {
        Self {
            dedupe_key: Some(key.into()),
            ..Self::default()
        }
    }

    pub fn at(run_at: i64) -> Self {
        Self {
            run_at: Some(run_at),
            ..Self::default()
        }
    }
}

/// Counts by kind and state, for the operator view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct KindCount {
    pub kind: String,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub state: JobState,
    pub count: i64,
    /// Queued jobs that have failed at least once (waiting for a retry).
    pub retrying: i64,
}

/// A job that failed: dead, or queued for a retry with its last error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct TroubledJob {
    pub id: i64,
    pub kind: String,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub state: JobState,
    pub attempts: i32,
    pub max_attempts: i32,
    pub last_error: Option<String>,
    pub run_at: i64,
    pub updated_at: i64,
}

/// A schedule as the operator page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ScheduleRow {
    pub name: String,
    pub expression: String,
    pub kind: String,
    pub enabled: bool,
    pub next_run_at: i64,
    pub last_run_at: Option<i64>,
}

/// The first retry waits about this long; each later one twice as long.
pub const BACKOFF_BASE_MS: i64 = 2_000;
/// No retry waits longer than this.
pub const BACKOFF_CAP_MS: i64 = 6 * crate::time::HOUR;

/// The wait before retrying a job that has failed `attempts` times (≥ 1): exponential
/// from [`BACKOFF_BASE_MS`], capped at [`BACKOFF_CAP_MS`], spread by `jitter` (0..=1000
/// per mille) over 75%–125% so jobs that failed together do not retry together.
pub fn backoff_ms(attempts: i32, jitter_permille: u32) -> i64 {
    let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(0);
    let base = BACKOFF_BASE_MS
        .saturating_mul(1_i64 << exponent)
        .min(BACKOFF_CAP_MS);
    let spread = 750 + i64::from(jitter_permille.min(1000)) / 2;
    base * spread / 1000
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn backoff_doubles_then_caps() {
        assert_eq!(backoff_ms(1, 500), 2_000);
        assert_eq!(backoff_ms(2, 500), 4_000);
        assert_eq!(backoff_ms(3, 500), 8_000);
        assert_eq!(backoff_ms(10, 500), 1_024_000);
        assert_eq!(backoff_ms(30, 500), BACKOFF_CAP_MS);
        assert_eq!(backoff_ms(i32::MAX, 500), BACKOFF_CAP_MS);
        assert_eq!(
            backoff_ms(0, 500),
            2_000,
            "a first failure never waits less than the base"
        );
    }

    #[test]
    fn jitter_spreads_a_quarter_each_way() {
        assert_eq!(backoff_ms(1, 0), 1_500);
        assert_eq!(backoff_ms(1, 1000), 2_500);
        assert_eq!(backoff_ms(1, 5000), 2_500, "out-of-range jitter is clamped");
    }

    proptest! {
        #[test]
        fn backoff_is_bounded_and_monotonic(attempts in 1i32..60, jitter in 0u32..=1000) {
            let wait = backoff_ms(attempts, jitter);
            prop_assert!(wait >= BACKOFF_BASE_MS * 3 / 4);
            prop_assert!(wait <= BACKOFF_CAP_MS * 5 / 4);
            prop_assert!(backoff_ms(attempts + 1, jitter) >= wait);
        }
    }

    #[test]
    fn states_round_trip() {
        for s in [JobState::Queued, JobState::Running, JobState::Dead] {
            assert_eq!(JobState::parse(s.as_str()), Some(s));
        }
        assert_eq!(JobState::parse("done"), None);
    }
}
