//! The queue benchmark behind `boptone bench-jobs`: drain N no-op jobs, and measure
//! enqueue-to-start latency one job at a time, the way the peer queues are measured.

use crate::db::query;
use std::{
    sync::{
        Arc, OnceLock,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::{
    EnqueueOptions, queue,
    worker::{self, CancellationToken, Job, JobContext, Registry, WorkerConfig},
};
use crate::{error::AppError, state::AppState};

static RAN: AtomicU64 = AtomicU64::new(0);
static STARTED: OnceLock<mpsc::UnboundedSender<u64>> = OnceLock::new();

fn micros_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_micros()).unwrap_or(0))
        .unwrap_or(0)
}

/// Does nothing but count itself.
#[derive(Serialize, Deserialize)]
struct NoOp;

#[async_trait]
impl Job for NoOp {
    const KIND: &'static str = "bench.noop";

    async fn run(self, _: &JobContext) -> anyhow::Result<()> {
        RAN.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// Reports when it started, with the time it was enqueued.
#[derive(Serialize, Deserialize)]
struct Ping {
    enqueued_us: u64,
}

#[async_trait]
impl Job for Ping {
    const KIND: &'static str = "bench.ping";

    async fn run(self, _: &JobContext) -> anyhow::Result<()> {
        let now = micros_now();
        if let Some(tx) = STARTED.get() {
            let _ = tx.send(now.saturating_sub(self.enqueued_us));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DrainResult {
    pub jobs: u64,
    pub concurrency: usize,
    pub enqueue_jobs_per_s: f64,
    pub jobs_per_s: f64,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct LatencyResult {
    pub samples: usize,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

fn registry() -> Arc<Registry> {
    Arc::new(Registry::new().register::<NoOp>().register::<Ping>())
}

async fn remaining(state: &AppState) -> Result<i64, AppError> {
    query("SELECT COUNT(*) FROM jobs")
        .scalar_one::<i64>(&state.db)
        .await
}

async fn clear(state: &AppState) -> Result<(), AppError> {
    query("DELETE FROM jobs").execute(&state.db).await?;
    Ok(())
}

/// Enqueues `jobs` no-op jobs in batches of 10,000, then times one worker pool of
/// `concurrency` from its start until every job ran and no job row remains.
pub async fn drain(
    state: &AppState,
    jobs: u64,
    concurrency: usize,
) -> Result<DrainResult, AppError> {
    clear(state).await?;
    let payload = serde_json::to_string(&NoOp).map_err(|e| AppError::internal("payload", &e))?;
    let enqueue_start = Instant::now();
    let mut left = jobs;
    while left > 0 {
        let n = left.min(10_000);
        let payloads = vec![payload.clone(); usize::try_from(n).unwrap_or(0)];
        let mut tx = state.db.begin().await?;
        queue::enqueue_many_raw(&mut tx, NoOp::KIND, &payloads, 5).await?;
        tx.commit().await?;
        left -= n;
    }
    let enqueue_s = enqueue_start.elapsed().as_secs_f64();
    if let crate::db::Pool::Postgres(pool) = state.db.pool() {
        sqlx::query("VACUUM ANALYZE jobs").execute(pool).await?;
    }

    RAN.store(0, Ordering::SeqCst);
    let stop = CancellationToken::new();
    let config = WorkerConfig {
        concurrency,
        ..WorkerConfig::default()
    };
    let start = Instant::now();
    let handle = tokio::spawn(worker::run(
        JobContext {
            state: state.clone(),
        },
        registry(),
        config,
        stop.clone(),
    ));
    while RAN.load(Ordering::Relaxed) < jobs {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    while remaining(state).await? > 0 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let seconds = start.elapsed().as_secs_f64();
    stop.cancel();
    let _ = handle.await;
    Ok(DrainResult {
        jobs,
        concurrency,
        enqueue_jobs_per_s: jobs as f64 / enqueue_s,
        jobs_per_s: jobs as f64 / seconds,
        seconds,
    })
}

/// With an idle pool of 24, enqueues `samples` jobs one at a time (each in its own
/// transaction, awaited, 2 ms apart) after 100 warm-up jobs; latency is from just
/// before the enqueue to the handler's start.
pub async fn latency(state: &AppState, samples: usize) -> Result<LatencyResult, AppError> {
    clear(state).await?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    if STARTED.set(tx).is_err() {
        return Err(AppError::Conflict(
            "the latency benchmark runs once per process".into(),
        ));
    }
    let stop = CancellationToken::new();
    let config = WorkerConfig {
        concurrency: 24,
        ..WorkerConfig::default()
    };
    let handle = tokio::spawn(worker::run(
        JobContext {
            state: state.clone(),
        },
        registry(),
        config,
        stop.clone(),
    ));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut latencies = Vec::with_capacity(samples);
    for i in 0..(samples + 100) {
        let mut db_tx = state.db.begin().await?;
        worker::enqueue(
            &mut db_tx,
            &Ping {
                enqueued_us: micros_now(),
            },
            EnqueueOptions::default(),
        )
        .await?;
        db_tx.commit().await?;
        let started = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .ok()
            .flatten()
            .ok_or_else(|| {
                AppError::Conflict("a benchmark job did not start within 10 s".into())
            })?;
        if i >= 100 {
            latencies.push(started);
        } else if i == 99 {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    stop.cancel();
    let _ = handle.await;
    latencies.sort_unstable();
    let pick = |q: f64| {
        let idx = ((latencies.len() as f64 - 1.0) * q).round() as usize;
        latencies.get(idx).copied().unwrap_or(0) as f64 / 1000.0
    };
    Ok(LatencyResult {
        samples,
        p50_ms: pick(0.5),
        p90_ms: pick(0.9),
        p99_ms: pick(0.99),
        max_ms: pick(1.0),
    })
}
