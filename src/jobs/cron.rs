//! Cron schedules: declared in code, stored in `cron_schedules`, fired by every node.
//!
//! Each schedule keeps its `next_run_at`. A node that finds it due moves it forward
//! with a compare-and-set (`… WHERE next_run_at = <the tick>`) and enqueues the job in
//! the same transaction, keyed by (schedule, tick): however many nodes race, one wins
//! each tick. After downtime, missed ticks run once (the policy): the schedule fires
//! for the latest missed tick and moves to the first tick after now.
//!
//! Owns `cron_schedules`.

use crate::db::query;
use std::{str::FromStr, time::Duration};

use chrono::{DateTime, TimeZone, Utc};
use croner::Cron;

use super::{
    EnqueueOptions, ScheduleRow,
    queue::enqueue_raw,
    worker::{CancellationToken, Job},
};
use crate::{db::Db, error::AppError, time::now_ms};

/// A parsed cron expression: 5 fields (minute precision) or 6 (with seconds), UTC.
#[derive(Debug, Clone)]
pub struct CronExpr {
    cron: Cron,
}

impl CronExpr {
    pub fn parse(expression: &str) -> Result<Self, String> {
        Cron::from_str(expression)
            .map(|cron| Self { cron })
            .map_err(|e| format!("{expression:?} is not a cron expression: {e}"))
    }

    /// The first tick strictly after `after_ms` (unix ms), if the expression has one.
    pub fn next_after(&self, after_ms: i64) -> Option<i64> {
        // Ticks fall on whole seconds: drop the milliseconds, or they carry into the result.
        let after: DateTime<Utc> = Utc
            .timestamp_millis_opt(after_ms.div_euclid(1000) * 1000)
            .single()?;
        self.cron
            .find_next_occurrence(&after, false)
            .ok()
            .map(|t| t.timestamp_millis())
    }

    /// "Every 10 minutes"-style text for the operator page.
    pub fn describe(&self) -> String {
        self.cron.describe()
    }
}

/// A schedule as declared in code.
#[derive(Debug, Clone)]
pub struct ScheduleSpec {
    pub name: &'static str,
    pub expression: &'static str,
    pub kind: &'static str,
    pub payload: String,
    pub max_attempts: i32,
}

impl ScheduleSpec {
    /// Runs `job` on `expression`.
    pub fn of<J: Job>(name: &'static str, expression: &'static str, job: &J) -> Self {
        Self {
            name,
            expression,
            kind: J::KIND,
            payload: serde_json::to_string(job).unwrap_or_else(|_| "null".into()),
            max_attempts: J::MAX_ATTEMPTS,
        }
    }
}

/// Stores the declared schedules: new ones are added, changed ones updated (a changed
/// expression also recomputes the next run). Schedules no longer declared are disabled.
pub async fn ensure(db: &Db, specs: &[ScheduleSpec]) -> Result<(), AppError> {
    let now = now_ms();
    const UPSERT: &str = "INSERT INTO cron_schedules (name, expression, kind, payload, max_attempts, enabled, next_run_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, TRUE, $6, $7, $7) \
         ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, payload = excluded.payload, \
         max_attempts = excluded.max_attempts, enabled = TRUE, updated_at = excluded.updated_at, \
         next_run_at = CASE WHEN cron_schedules.expression = excluded.expression AND cron_schedules.enabled \
                       THEN cron_schedules.next_run_at ELSE excluded.next_run_at END, \
         expression = excluded.expression";
    let mut tx = db.begin().await?;
    for spec in specs {
        let expr = CronExpr::parse(spec.expression)
            .map_err(|e| AppError::internal("cron schedule", &std::io::Error::other(e)))?;
        let next = expr.next_after(now).unwrap_or(i64::MAX);
        query(UPSERT)
            .bind(spec.name)
            .bind(spec.expression)
            .bind(spec.kind)
            .bind(&spec.payload)
            .bind(spec.max_attempts)
            .bind(next)
            .bind(now)
            .execute(&mut tx)
            .await?;
    }
    let names = serde_json::to_string(&specs.iter().map(|s| s.name).collect::<Vec<_>>())
        .map_err(|e| AppError::internal("schedule names", &e))?;
    let disable = match tx.dialect() {
        crate::db::Dialect::Postgres => {
            "UPDATE cron_schedules SET enabled = FALSE, updated_at = $2 \
             WHERE enabled AND name NOT IN (SELECT json_array_elements_text($1::json))"
        }
        crate::db::Dialect::Sqlite => {
            "UPDATE cron_schedules SET enabled = FALSE, updated_at = $2 WHERE enabled AND name NOT IN (SELECT value FROM json_each($1))"
        }
    };
    query(disable)
        .bind(&names)
        .bind(now)
        .execute(&mut tx)
        .await?;
    tx.commit().await
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct DueRow {
    name: String,
    expression: String,
    kind: String,
    payload: String,
    max_attempts: i32,
    next_run_at: i64,
}

/// Fires every schedule due at `now`; returns how many jobs this node enqueued.
pub async fn fire_due(db: &Db, now: i64) -> Result<usize, AppError> {
    const DUE: &str = "SELECT name, expression, kind, payload, max_attempts, next_run_at FROM cron_schedules \
                       WHERE enabled AND next_run_at <= $1 ORDER BY next_run_at";
    let due: Vec<DueRow> = query(DUE).bind(now).fetch_all(db).await?;
    let mut fired = 0;
    for row in due {
        let next = match CronExpr::parse(&row.expression) {
            Ok(expr) => expr.next_after(now).unwrap_or(i64::MAX),
            Err(e) => {
                tracing::error!(schedule = %row.name, error = %e, "disabling a schedule whose expression does not parse");
                query("UPDATE cron_schedules SET enabled = FALSE WHERE name = $1")
                    .bind(&row.name)
                    .execute(db)
                    .await?;
                continue;
            }
        };
        let mut tx = db.begin().await?;
        const ADVANCE: &str = "UPDATE cron_schedules SET next_run_at = $1, last_run_at = $2, updated_at = $3 \
                               WHERE name = $4 AND next_run_at = $2 AND enabled";
        let won = query(ADVANCE)
            .bind(next)
            .bind(row.next_run_at)
            .bind(now)
            .bind(&row.name)
            .execute(&mut tx)
            .await?;
        if won != 1 {
            continue; // another node fired this tick
        }
        let options = EnqueueOptions::dedupe(format!("cron:{}:{}", row.name, row.next_run_at));
        enqueue_raw(&mut tx, &row.kind, &row.payload, row.max_attempts, &options).await?;
        tx.commit().await?;
        fired += 1;
    }
    Ok(fired)
}

/// Fires due schedules until `stop`: at the next due time, checking at least every
/// `max_wait` for schedules other nodes changed.
pub async fn run(db: Db, max_wait: Duration, stop: CancellationToken) {
    loop {
        if let Err(e) = fire_due(&db, now_ms()).await {
            tracing::warn!(error = %e, "firing cron schedules failed; will retry");
        }
        let next: Option<i64> = query("SELECT MIN(next_run_at) FROM cron_schedules WHERE enabled")
            .scalar_one(&db)
            .await
            .ok()
            .flatten();
        let wait = next
            .map(|t| Duration::from_millis(u64::try_from((t - now_ms()).max(0)).unwrap_or(0)))
            .unwrap_or(max_wait)
            .min(max_wait);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.cancelled() => return,
        }
    }
}

pub async fn list(db: &Db) -> Result<Vec<ScheduleRow>, AppError> {
    const SQL: &str = "SELECT name, expression, kind, enabled, next_run_at, last_run_at FROM cron_schedules ORDER BY name";
    query(SQL).fetch_all(db).await
}

#[cfg(test)]
mod tests {
    use super::CronExpr;

    const MINUTE: i64 = 60_000;

    #[test]
    fn next_ticks_are_strictly_after() {
        let every_10 = CronExpr::parse("*/10 * * * *").expect("valid");
        // 2026-01-01T00:00:00Z
        let midnight = 1_767_225_600_000;
        assert_eq!(every_10.next_after(midnight), Some(midnight + 10 * MINUTE));
        assert_eq!(
            every_10.next_after(midnight + 1),
            Some(midnight + 10 * MINUTE)
        );
        assert_eq!(
            every_10.next_after(midnight + 10 * MINUTE),
            Some(midnight + 20 * MINUTE)
        );
        let seconds = CronExpr::parse("*/5 * * * * *").expect("with seconds");
        assert_eq!(seconds.next_after(midnight), Some(midnight + 5_000));
    }

    #[test]
    fn bad_expressions_are_refused() {
        assert!(CronExpr::parse("every day").is_err());
        assert!(CronExpr::parse("61 * * * *").is_err());
    }
}
