//! The queue's SQL: enqueue inside the caller's transaction, batch claim under a lease,
//! batch completion, failure with backoff or dead letter, lease recovery, and the
//! operator's reads and actions.
//!
//! Claiming is one statement on both dialects: `UPDATE … WHERE id IN (SELECT … LIMIT n)
//! RETURNING …`, with `FOR UPDATE SKIP LOCKED` on PostgreSQL so concurrent claimers
//! never wait on each other; SQLite serialises writers, which makes the same statement
//! atomic there. Completion checks the lease token, so a worker whose lease expired
//! cannot complete a job another worker has since claimed.
//!
//! Owns `jobs` (with the benchmark in `jobs::bench`, which clears it).

use crate::db::query;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;

use super::{EnqueueOptions, JobId, JobState, KindCount, TroubledJob, backoff_ms};
use crate::{
    db::{Db, Dialect, Pool, Tx},
    error::AppError,
    time::now_ms,
};

/// A job as a worker receives it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimedJob {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub lease_token: String,
}

/// Inserts a job in `tx`; it exists if and only if `tx` commits. Returns `None` when
/// an unfinished job with the same dedupe key exists (a no-op that leaves `tx` usable).
pub async fn enqueue_raw(
    tx: &mut Tx,
    kind: &str,
    payload: &str,
    max_attempts: i32,
    options: &EnqueueOptions,
) -> Result<Option<JobId>, AppError> {
    const SQL: &str = "INSERT INTO jobs (kind, payload, priority, run_at, max_attempts, dedupe_key, created_at, updated_at) \
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT DO NOTHING RETURNING id";
    let now = now_ms();
    let id: Option<i64> = query(SQL)
        .bind(kind)
        .bind(payload)
        .bind(options.priority)
        .bind(options.run_at.unwrap_or(now))
        .bind(options.max_attempts.unwrap_or(max_attempts).max(1))
        .bind(options.dedupe_key.as_deref())
        .bind(now)
        .scalar_optional(&mut *tx)
        .await?;
    if id.is_some() {
        tx.mark_jobs_enqueued();
    }
    Ok(id.map(JobId))
}

/// Inserts many jobs of one kind in one statement (bulk loads, benchmarks).
pub async fn enqueue_many_raw(
    tx: &mut Tx,
    kind: &str,
    payloads: &[String],
    max_attempts: i32,
) -> Result<u64, AppError> {
    if payloads.is_empty() {
        return Ok(0);
    }
    let now = now_ms();
    let json =
        serde_json::to_string(payloads).map_err(|e| AppError::internal("encoding payloads", &e))?;
    let sql = match tx.dialect() {
        Dialect::Postgres => {
            "INSERT INTO jobs (kind, payload, run_at, max_attempts, created_at, updated_at) \
             SELECT $1, p, $2, $3, $2, $2 FROM json_array_elements_text($4::json) AS p"
        }
        Dialect::Sqlite => {
            "INSERT INTO jobs (kind, payload, run_at, max_attempts, created_at, updated_at) \
             SELECT $1, value, $2, $3, $2, $2 FROM json_each($4)"
        }
    };
    let n = query(sql)
        .bind(kind)
        .bind(now)
        .bind(max_attempts)
        .bind(&json)
        .execute(&mut *tx)
        .await?;
    tx.mark_jobs_enqueued();
    Ok(n)
}

/// A fresh lease token, one per claim.
fn lease_token() -> String {
    let mut bytes = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Claims up to `limit` due jobs, highest priority and oldest first, leasing them
/// until `now + lease_ms`. Each claim counts as an attempt.
pub async fn claim(db: &Db, limit: usize, lease_ms: i64) -> Result<Vec<ClaimedJob>, AppError> {
    let now = now_ms();
    let token = lease_token();
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let sql = match db.dialect() {
        Dialect::Postgres => {
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_token = $1, lease_until = $2, updated_at = $3 \
             WHERE id IN (SELECT id FROM jobs WHERE state = 'queued' AND run_at <= $3 \
                          ORDER BY priority DESC, run_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) \
             RETURNING id, kind, payload, attempts, max_attempts, lease_token"
        }
        Dialect::Sqlite => {
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_token = $1, lease_until = $2, updated_at = $3 \
             WHERE id IN (SELECT id FROM jobs WHERE state = 'queued' AND run_at <= $3 \
                          ORDER BY priority DESC, run_at, id LIMIT $4) \
             RETURNING id, kind, payload, attempts, max_attempts, lease_token"
        }
    };
    let mut jobs: Vec<ClaimedJob> = query(sql)
        .bind(&token)
        .bind(now + lease_ms)
        .bind(now)
        .bind(limit)
        .fetch_all(db)
        .await?;
    // RETURNING gives no order; run in claim order.
    jobs.sort_by_key(|j| j.id);
    Ok(jobs)
}

/// Deletes finished jobs whose lease is still theirs; returns how many.
pub async fn complete_many(db: &Db, done: &[(i64, String)]) -> Result<u64, AppError> {
    if done.is_empty() {
        return Ok(0);
    }
    let n = match db.pool() {
        Pool::Postgres(pool) => {
            const SQL: &str = "DELETE FROM jobs j USING UNNEST($1::bigint[], $2::text[]) AS d(id, token) \
                               WHERE j.id = d.id AND j.lease_token = d.token";
            let ids: Vec<i64> = done.iter().map(|(id, _)| *id).collect();
            let tokens: Vec<&str> = done.iter().map(|(_, t)| t.as_str()).collect();
            sqlx::query(SQL)
                .bind(&ids)
                .bind(&tokens)
                .execute(pool)
                .await?
                .rows_affected()
        }
        Pool::Sqlite(pool) => {
            const SQL: &str = "DELETE FROM jobs WHERE id IN (SELECT j.id FROM json_each($1) d \
                               JOIN jobs j ON j.id = d.value ->> 0 AND j.lease_token = d.value ->> 1)";
            let json = serde_json::to_string(done)
                .map_err(|e| AppError::internal("encoding completions", &e))?;
            sqlx::query(SQL)
                .bind(&json)
                .execute(pool)
                .await?
                .rows_affected()
        }
    };
    Ok(n)
}

/// How a failed attempt ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Try again after the backoff, unless this was the last attempt.
    Retry(String),
    /// Never retry (unknown kind, unreadable payload): straight to dead.
    Permanent(String),
}

impl Failure {
    pub fn message(&self) -> &str {
        match self {
            Self::Retry(m) | Self::Permanent(m) => m,
        }
    }
}

/// Records a failed attempt: back to queued after the backoff, or dead with the error
/// when the attempts are spent or the failure is permanent. Returns the new state, or
/// `None` when the lease was no longer this worker's.
pub async fn fail(
    db: &Db,
    job: &ClaimedJob,
    failure: &Failure,
) -> Result<Option<JobState>, AppError> {
    let now = now_ms();
    let dead = matches!(failure, Failure::Permanent(_)) || job.attempts >= job.max_attempts;
    let state = if dead {
        JobState::Dead
    } else {
        JobState::Queued
    };
    let jitter = rand::random::<u32>() % 1001;
    let run_at = if dead {
        now
    } else {
        now + backoff_ms(job.attempts, jitter)
    };
    let error: String = failure.message().chars().take(2_000).collect();
    const SQL: &str = "UPDATE jobs SET state = $1, run_at = $2, last_error = $3, lease_token = NULL, lease_until = NULL, updated_at = $4 \
                       WHERE id = $5 AND lease_token = $6";
    let n = query(SQL)
        .bind(state.as_str())
        .bind(run_at)
        .bind(&error)
        .bind(now)
        .bind(job.id)
        .bind(&job.lease_token)
        .execute(db)
        .await?;
    Ok((n == 1).then_some(state))
}

/// Puts a claimed job back without counting the attempt (graceful shutdown).
pub async fn release(db: &Db, id: i64, token: &str) -> Result<bool, AppError> {
    const SQL: &str = "UPDATE jobs SET state = 'queued', attempts = attempts - 1, lease_token = NULL, lease_until = NULL, updated_at = $1 \
                       WHERE id = $2 AND lease_token = $3";
    Ok(query(SQL)
        .bind(now_ms())
        .bind(id)
        .bind(token)
        .execute(db)
        .await?
        == 1)
}

/// Makes jobs whose lease expired (their worker died) claimable again, or dead if that
/// was their last attempt. Returns how many were recovered.
pub async fn recover_expired(db: &Db) -> Result<u64, AppError> {
    const SQL: &str = "UPDATE jobs SET state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END, \
                       last_error = 'The worker stopped before finishing (lease expired).', \
                       lease_token = NULL, lease_until = NULL, run_at = $1, updated_at = $1 \
                       WHERE state = 'running' AND lease_until < $1";
    query(SQL).bind(now_ms()).execute(db).await
}

pub async fn counts(db: &Db) -> Result<Vec<KindCount>, AppError> {
    const SQL: &str = "SELECT kind, state, COUNT(*) AS count, \
                       SUM(CASE WHEN state = 'queued' AND attempts > 0 THEN 1 ELSE 0 END) AS retrying \
                       FROM jobs GROUP BY kind, state ORDER BY kind, state";
    query(SQL).fetch_all(db).await
}

pub async fn troubled(db: &Db, limit: i64) -> Result<Vec<TroubledJob>, AppError> {
    const SQL: &str = "SELECT id, kind, state, attempts, max_attempts, last_error, run_at, updated_at FROM jobs \
                       WHERE state = 'dead' OR (state = 'queued' AND last_error IS NOT NULL) \
                       ORDER BY updated_at DESC, id DESC LIMIT $1";
    query(SQL).bind(limit).fetch_all(db).await
}

/// Runs a dead or retrying job again now, with a fresh set of attempts.
pub async fn retry_now(db: &Db, id: JobId) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    const SQL: &str = "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, updated_at = $1 \
                       WHERE id = $2 AND state IN ('dead', 'queued')";
    let n = query(SQL)
        .bind(now_ms())
        .bind(id.0)
        .unique_violation_is(AppError::field(
            "job",
            "A job with the same key is already waiting.",
        ))
        .execute(&mut tx)
        .await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    tx.mark_jobs_enqueued();
    tx.commit().await
}

/// Deletes a dead or waiting job.
pub async fn discard(db: &Db, id: JobId) -> Result<(), AppError> {
    const SQL: &str = "DELETE FROM jobs WHERE id = $1 AND state IN ('dead', 'queued')";
    match query(SQL).bind(id.0).execute(db).await? {
        0 => Err(AppError::NotFound),
        _ => Ok(()),
    }
}
