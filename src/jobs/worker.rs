//! Typed jobs and the worker pool that runs them.
//!
//! A job kind is a Rust type with a serde payload and an idempotent [`Job::run`]. The
//! pool claims up to `max_batch` jobs per query, runs each in its own task as slots
//! free up (a panic fails that job only), and completes finished jobs in batches. It wakes at
//! once when a commit in this process enqueued jobs, on PostgreSQL also when another
//! process did (LISTEN/NOTIFY), and polls as a fallback.

use std::{
    collections::{HashMap, VecDeque},
    future::Future,
    panic::AssertUnwindSafe,
    pin::Pin,
    sync::Arc,
    time::{Duration, Instant},
};

use async_trait::async_trait;
use futures::FutureExt;
use serde::{Serialize, de::DeserializeOwned};
use tokio::{
    sync::{Semaphore, mpsc},
    task::JoinSet,
};
pub use tokio_util::sync::CancellationToken;

use super::{
    EnqueueOptions, JobId,
    queue::{self, ClaimedJob, Failure},
};
use crate::{
    db::{Db, JOBS_CHANNEL, Pool, Tx},
    error::AppError,
    state::AppState,
};

/// What a job's handler can reach.
#[derive(Clone)]
pub struct JobContext {
    pub state: AppState,
}

/// A kind of background job. `run` must be idempotent: a job can run more than once
/// (a worker that dies after the work but before recording it).
#[async_trait]
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The stable name stored in the `jobs` table.
    const KIND: &'static str;
    /// Attempts before the job is dead-lettered.
    const MAX_ATTEMPTS: i32 = 10;

    async fn run(self, ctx: &JobContext) -> anyhow::Result<()>;
}

/// Enqueues `job` in `tx`: it exists if and only if `tx` commits.
pub async fn enqueue<J: Job>(
    tx: &mut Tx,
    job: &J,
    options: EnqueueOptions,
) -> Result<Option<JobId>, AppError> {
    let payload =
        serde_json::to_string(job).map_err(|e| AppError::internal("encoding a job payload", &e))?;
    queue::enqueue_raw(tx, J::KIND, &payload, J::MAX_ATTEMPTS, &options).await
}

type BoxFuture = Pin<Box<dyn Future<Output = Result<(), Failure>> + Send>>;
type Handler = Arc<dyn Fn(JobContext, String) -> BoxFuture + Send + Sync>;

/// The job kinds a worker knows.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: HashMap<&'static str, Handler>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a job kind.
    pub fn register<J: Job>(mut self) -> Self {
        let handler: Handler = Arc::new(|ctx, payload| {
            Box::pin(async move {
                let job: J = serde_json::from_str(&payload).map_err(|e| {
                    Failure::Permanent(format!(
                        "The payload of a {} job does not parse: {e}",
                        J::KIND
                    ))
                })?;
                job.run(&ctx)
                    .await
                    .map_err(|e| Failure::Retry(format!("{e:#}")))
            })
        });
        self.handlers.insert(J::KIND, handler);
        self
    }

    pub fn kinds(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.handlers.keys().copied()
    }

    /// Runs one claimed job to an outcome, turning a panic or a timeout into a failure.
    async fn run(
        &self,
        ctx: JobContext,
        job: &ClaimedJob,
        timeout: Duration,
    ) -> Result<(), Failure> {
        let Some(handler) = self.handlers.get(job.kind.as_str()) else {
            return Err(Failure::Permanent(format!(
                "No handler is registered for job kind {:?}.",
                job.kind
            )));
        };
        let run = AssertUnwindSafe(handler(ctx, job.payload.clone())).catch_unwind();
        match tokio::time::timeout(timeout, run).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(panic)) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                Err(Failure::Retry(format!("The handler panicked: {message}")))
            }
            Err(_) => Err(Failure::Retry(format!(
                "The handler took longer than {} s.",
                timeout.as_secs()
            ))),
        }
    }
}

/// Claims and runs due jobs one batch at a time in the calling task until none is
/// due; returns how many ran. Deterministic: for tests and one-off commands.
pub async fn run_pending(ctx: &JobContext, registry: &Registry) -> Result<usize, AppError> {
    let db = &ctx.state.db;
    let mut ran = 0;
    loop {
        let jobs = queue::claim(db, 100, 60_000).await?;
        if jobs.is_empty() {
            return Ok(ran);
        }
        let mut done = Vec::new();
        for job in jobs {
            match registry
                .run(ctx.clone(), &job, Duration::from_secs(59))
                .await
            {
                Ok(()) => done.push((job.id, job.lease_token.clone())),
                Err(failure) => {
                    queue::fail(db, &job, &failure).await?;
                }
            }
            ran += 1;
        }
        queue::complete_many(db, &done).await?;
    }
}

/// How a worker pool runs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Jobs running at once in this process.
    pub concurrency: usize,
    /// Most jobs claimed in one query.
    pub max_batch: usize,
    /// How long a claim is leased; a job still running then may be taken over.
    pub lease: Duration,
    /// Poll this often when nothing wakes the worker.
    pub poll_interval: Duration,
    /// How long shutdown waits for running jobs before releasing them.
    pub shutdown_grace: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            concurrency: 16,
            max_batch: 500,
            lease: Duration::from_secs(300),
            poll_interval: Duration::from_secs(1),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

struct Completion {
    job: ClaimedJob,
    outcome: Result<(), Failure>,
}

/// Runs jobs until `stop` is cancelled, then finishes or releases in-flight jobs.
pub async fn run(
    ctx: JobContext,
    registry: Arc<Registry>,
    config: WorkerConfig,
    stop: CancellationToken,
) {
    let db = ctx.state.db.clone();
    let concurrency = config.concurrency.max(1);
    let slots = Arc::new(Semaphore::new(concurrency));
    let (done_tx, done_rx) = mpsc::unbounded_channel::<Completion>();
    let completer = tokio::spawn(complete_loop(db.clone(), done_rx));
    let listener = match db.pool() {
        // Another process's enqueue wakes this worker through NOTIFY.
        Pool::Postgres(pool) => {
            let db = db.clone();
            let stop = stop.clone();
            let pool = pool.clone();
            Some(tokio::spawn(async move {
                let signals = db.signals().clone();
                let wake = signals.clone();
                crate::db::listen(
                    pool,
                    JOBS_CHANNEL,
                    stop,
                    &signals.jobs_listening,
                    move |_| wake.jobs.notify_one(),
                )
                .await
            }))
        }
        Pool::Sqlite(_) => None,
    };
    let lease_ms = i64::try_from(config.lease.as_millis()).unwrap_or(i64::MAX);
    let mut running: JoinSet<()> = JoinSet::new();
    let mut in_flight: HashMap<tokio::task::Id, (i64, String)> = HashMap::new();
    // None: recover at once on start (an Instant in the past could underflow on a
    // freshly booted machine).
    let mut last_recovery: Option<Instant> = None;
    let mut claim_errors = 0u32;
    // Claimed jobs waiting for a free slot: claims are sized by `max_batch`, not by the
    // free slots, so a busy pool makes one round trip per batch.
    let mut buffer: VecDeque<ClaimedJob> = VecDeque::new();

    tracing::info!(concurrency, "job worker started");
    loop {
        while let Some(done) = running.try_join_next_with_id() {
            let id = match done {
                Ok((id, ())) => id,
                Err(e) => e.id(),
            };
            in_flight.remove(&id);
        }
        if last_recovery.is_none_or(|t| t.elapsed() > config.lease.min(Duration::from_secs(30))) {
            last_recovery = Some(Instant::now());
            match queue::recover_expired(&db).await {
                Ok(0) => {}
                Ok(n) => tracing::warn!(
                    jobs = n,
                    "recovered jobs whose worker stopped (lease expired)"
                ),
                Err(e) => tracing::warn!(error = %e, "lease recovery failed"),
            }
        }
        if buffer.is_empty() {
            buffer = match queue::claim(&db, config.max_batch.max(1), lease_ms).await {
                Ok(jobs) => {
                    claim_errors = 0;
                    jobs.into()
                }
                Err(e) => {
                    claim_errors = claim_errors.saturating_add(1);
                    tracing::warn!(error = %e, "claiming jobs failed; retrying");
                    let pause = Duration::from_millis(100 * u64::from(claim_errors.min(50)));
                    tokio::select! { _ = tokio::time::sleep(pause) => continue, _ = stop.cancelled() => break }
                }
            };
            if buffer.is_empty() {
                db.signals().worker_idle.send_modify(|n| *n += 1);
                tokio::select! {
                    _ = db.signals().jobs.notified() => {}
                    _ = tokio::time::sleep(config.poll_interval) => {}
                    _ = stop.cancelled() => break,
                }
                continue;
            }
        }
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit { Ok(p) => p, Err(_) => break },
            _ = stop.cancelled() => break,
        };
        let Some(job) = buffer.pop_front() else {
            continue;
        };
        let registry = registry.clone();
        let ctx = ctx.clone();
        let done_tx = done_tx.clone();
        let lease = (job.id, job.lease_token.clone());
        let timeout = job_timeout(lease_ms);
        let handle = running.spawn(async move {
            let outcome = registry.run(ctx, &job, timeout).await;
            let _ = done_tx.send(Completion { job, outcome });
            drop(permit);
        });
        in_flight.insert(handle.id(), lease);
    }

    // Shutdown: let running jobs finish within the grace period, release the rest.
    let deadline = tokio::time::sleep(config.shutdown_grace);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            next = running.join_next_with_id() => match next {
                Some(Ok((id, ()))) => { in_flight.remove(&id); }
                Some(Err(e)) => { in_flight.remove(&e.id()); }
                None => break,
            },
            _ = &mut deadline => break,
        }
    }
    running.abort_all();
    let unstarted = buffer.into_iter().map(|j| (j.id, j.lease_token));
    for (id, token) in in_flight.into_values().chain(unstarted) {
        if let Err(e) = queue::release(&db, id, &token).await {
            tracing::warn!(job = id, error = %e, "could not release a job at shutdown; its lease will expire");
        }
    }
    drop(done_tx);
    let _ = completer.await;
    if let Some(listener) = listener {
        listener.abort();
    }
    tracing::info!("job worker stopped");
}

fn job_timeout(lease_ms: i64) -> Duration {
    // A job may use its whole lease less a margin to record its outcome.
    Duration::from_millis(
        u64::try_from(lease_ms)
            .unwrap_or(0)
            .saturating_sub(1_000)
            .max(1_000),
    )
}

/// Records outcomes, batching every completion that has arrived.
async fn complete_loop(db: Db, mut rx: mpsc::UnboundedReceiver<Completion>) {
    let mut batch = Vec::with_capacity(1024);
    while rx.recv_many(&mut batch, 1000).await > 0 {
        let mut done = Vec::with_capacity(batch.len());
        for completion in batch.drain(..) {
            match completion.outcome {
                Ok(()) => done.push((completion.job.id, completion.job.lease_token)),
                Err(failure) => match queue::fail(&db, &completion.job, &failure).await {
                    Ok(Some(state)) => tracing::warn!(
                        job = completion.job.id,
                        kind = %completion.job.kind,
                        attempt = completion.job.attempts,
                        state = state.as_str(),
                        error = failure.message(),
                        "job failed"
                    ),
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!(job = completion.job.id, error = %e, "recording a failure failed")
                    }
                },
            }
        }
        let mut tries = 0;
        while !done.is_empty() {
            match queue::complete_many(&db, &done).await {
                Ok(_) => break,
                Err(e) if tries < 5 => {
                    tries += 1;
                    tracing::warn!(error = %e, "recording completions failed; retrying");
                    tokio::time::sleep(Duration::from_millis(200 * tries)).await;
                }
                Err(e) => {
                    // The leases expire and the jobs run again; handlers are idempotent.
                    tracing::error!(error = %e, jobs = done.len(), "could not record completions");
                    break;
                }
            }
        }
    }
}
