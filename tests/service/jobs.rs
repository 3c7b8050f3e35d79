//! The job queue and worker pool on both databases.

use boptone::db::query;
use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use boptone::{
    both_databases,
    db::Db,
    jobs::{
        EnqueueOptions, JobState,
        queue::{self, Failure},
        worker::{self, CancellationToken, Job, JobContext, Registry, WorkerConfig, enqueue},
    },
    testing::{TestDb, wait_for},
    time::now_ms,
};
use serde::{Deserialize, Serialize};

/// Records its key in `job_effects`; a second run of the same job would show twice.
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    key: String,
}

#[async_trait]
impl Job for Record {
    const KIND: &'static str = "test.record";

    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        query("INSERT INTO job_effects (key) VALUES ($1)")
            .bind(&self.key)
            .execute(&ctx.state.db)
            .await?;
        Ok(())
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Explode;

#[async_trait]
impl Job for Explode {
    const KIND: &'static str = "test.explode";

    async fn run(self, _: &JobContext) -> anyhow::Result<()> {
        panic!("boom")
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Nap {
    ms: u64,
}

#[async_trait]
impl Job for Nap {
    const KIND: &'static str = "test.nap";

    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        tokio::time::sleep(Duration::from_millis(self.ms)).await;
        Record {
            key: format!("nap-{}", self.ms),
        }
        .run(ctx)
        .await
    }
}

fn registry() -> Arc<Registry> {
    Arc::new(
        Registry::new()
            .register::<Record>()
            .register::<Explode>()
            .register::<Nap>(),
    )
}

async fn prepare(t: &TestDb) {
    query("CREATE TABLE job_effects (key TEXT NOT NULL)")
        .execute(&t.db)
        .await
        .expect("effects table");
}

async fn count(db: &Db, sql: &'static str) -> i64 {
    query(sql).scalar_one::<i64>(db).await.expect("count")
}

async fn enqueue_record(
    db: &Db,
    key: &str,
    options: EnqueueOptions,
) -> Option<boptone::jobs::JobId> {
    let mut tx = db.begin().await.expect("begin");
    let id = enqueue(&mut tx, &Record { key: key.into() }, options)
        .await
        .expect("enqueue");
    tx.commit().await.expect("commit");
    id
}

/// Waits (bounded) until no job is queued or running.
async fn drained(db: &Db) {
    for _ in 0..3000 {
        if count(db, "SELECT COUNT(*) FROM jobs WHERE state <> 'dead'").await == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("jobs did not drain within a minute");
}

fn start_worker(
    t: &TestDb,
    db: Db,
    concurrency: usize,
) -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let config = WorkerConfig {
        concurrency,
        poll_interval: Duration::from_millis(50),
        ..WorkerConfig::default()
    };
    start_worker_with(t, db, config)
}

/// A worker pool over `db` (its own pool stands for another process) with `config`.
fn start_worker_with(
    t: &TestDb,
    db: Db,
    config: WorkerConfig,
) -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let mut state = t.state();
    state.db = db;
    let stop = CancellationToken::new();
    let handle = tokio::spawn(worker::run(
        JobContext { state },
        registry(),
        config,
        stop.clone(),
    ));
    (stop, handle)
}

async fn a_rolled_back_write_leaves_no_job(t: TestDb) {
    let mut tx = t.db.begin().await.expect("begin");
    enqueue(
        &mut tx,
        &Record { key: "a".into() },
        EnqueueOptions::default(),
    )
    .await
    .expect("enqueue");
    drop(tx);
    assert_eq!(count(&t.db, "SELECT COUNT(*) FROM jobs").await, 0);
    enqueue_record(&t.db, "b", EnqueueOptions::default())
        .await
        .expect("enqueued");
    assert_eq!(count(&t.db, "SELECT COUNT(*) FROM jobs").await, 1);
}

async fn a_dedupe_key_allows_one_unfinished_job(t: TestDb) {
    let first = enqueue_record(&t.db, "a", EnqueueOptions::dedupe("welcome:1")).await;
    assert!(first.is_some());
    // The duplicate is a no-op and the caller's transaction stays usable.
    let mut tx = t.db.begin().await.expect("begin");
    let dup = enqueue(
        &mut tx,
        &Record { key: "a".into() },
        EnqueueOptions::dedupe("welcome:1"),
    )
    .await
    .expect("enqueue");
    assert_eq!(dup, None);
    enqueue(
        &mut tx,
        &Record { key: "b".into() },
        EnqueueOptions::default(),
    )
    .await
    .expect("tx still usable");
    tx.commit().await.expect("commit");
    assert_eq!(count(&t.db, "SELECT COUNT(*) FROM jobs").await, 2);

    // Once the job is finished the key is free again.
    let claimed = queue::claim(&t.db, 10, 60_000).await.expect("claim");
    let done: Vec<_> = claimed
        .iter()
        .map(|j| (j.id, j.lease_token.clone()))
        .collect();
    assert_eq!(
        queue::complete_many(&t.db, &done).await.expect("complete"),
        2
    );
    assert!(
        enqueue_record(&t.db, "a", EnqueueOptions::dedupe("welcome:1"))
            .await
            .is_some()
    );
}

async fn claims_follow_priority_then_age_and_skip_future_jobs(t: TestDb) {
    enqueue_record(&t.db, "old", EnqueueOptions::default()).await;
    enqueue_record(&t.db, "later", EnqueueOptions::at(now_ms() + 60_000)).await;
    enqueue_record(
        &t.db,
        "urgent",
        EnqueueOptions {
            priority: 5,
            ..EnqueueOptions::default()
        },
    )
    .await;
    let claimed = queue::claim(&t.db, 10, 60_000).await.expect("claim");
    let keys: Vec<String> = claimed.iter().map(|j| j.payload.clone()).collect();
    assert_eq!(claimed.len(), 2, "the future job waits: {keys:?}");
    let mut by_priority = claimed.clone();
    by_priority.sort_by_key(|j| !j.payload.contains("urgent"));
    assert!(by_priority[0].payload.contains("urgent"));
    assert!(claimed.iter().all(|j| j.attempts == 1));
    assert!(
        queue::claim(&t.db, 10, 60_000)
            .await
            .expect("claim")
            .is_empty(),
        "claimed jobs are leased"
    );
}

async fn an_expired_lease_is_recovered_and_the_old_worker_cannot_complete(t: TestDb) {
    enqueue_record(&t.db, "a", EnqueueOptions::default()).await;
    // A worker claims and "crashes": its lease is already over.
    let lost = queue::claim(&t.db, 1, -1).await.expect("claim").remove(0);
    assert_eq!(queue::recover_expired(&t.db).await.expect("recover"), 1);
    let again = queue::claim(&t.db, 1, 60_000)
        .await
        .expect("claim")
        .remove(0);
    assert_eq!(again.id, lost.id);
    assert_eq!(again.attempts, 2);
    assert_eq!(
        queue::complete_many(&t.db, &[(lost.id, lost.lease_token.clone())])
            .await
            .expect("stale"),
        0
    );
    assert_eq!(
        queue::complete_many(&t.db, &[(again.id, again.lease_token)])
            .await
            .expect("current"),
        1
    );
}

async fn failures_back_off_then_dead_letter(t: TestDb) {
    enqueue_record(
        &t.db,
        "a",
        EnqueueOptions {
            max_attempts: Some(2),
            ..EnqueueOptions::default()
        },
    )
    .await;
    let job = queue::claim(&t.db, 1, 60_000)
        .await
        .expect("claim")
        .remove(0);
    let before = now_ms();
    let state = queue::fail(&t.db, &job, &Failure::Retry("smtp down".into()))
        .await
        .expect("fail");
    assert_eq!(state, Some(JobState::Queued));
    let run_at: i64 = query("SELECT run_at FROM jobs")
        .scalar_one(&t.db)
        .await
        .expect("run_at");
    let wait = run_at - before;
    assert!(
        (1_400..=2_600).contains(&wait),
        "first retry waits about 2 s (with jitter): {wait} ms"
    );
    assert!(
        queue::claim(&t.db, 1, 60_000)
            .await
            .expect("claim")
            .is_empty(),
        "not before its time"
    );

    // Skip the wait instead of sleeping through it.
    query("UPDATE jobs SET run_at = 0")
        .execute(&t.db)
        .await
        .expect("due now");
    let job = queue::claim(&t.db, 1, 60_000)
        .await
        .expect("claim")
        .remove(0);
    assert_eq!(job.attempts, 2);
    let state = queue::fail(&t.db, &job, &Failure::Retry("smtp still down".into()))
        .await
        .expect("fail");
    assert_eq!(state, Some(JobState::Dead));
    let troubled = queue::troubled(&t.db, 10).await.expect("troubled");
    assert_eq!(troubled.len(), 1);
    assert_eq!(troubled[0].state, boptone::jobs::JobState::Dead);
    assert_eq!(troubled[0].last_error.as_deref(), Some("smtp still down"));

    // The operator can retry it with fresh attempts, or discard it.
    queue::retry_now(&t.db, boptone::jobs::JobId(troubled[0].id))
        .await
        .expect("retry");
    let job = queue::claim(&t.db, 1, 60_000)
        .await
        .expect("claim")
        .remove(0);
    assert_eq!(job.attempts, 1);
    queue::fail(&t.db, &job, &Failure::Permanent("bad".into()))
        .await
        .expect("fail");
    queue::discard(&t.db, boptone::jobs::JobId(job.id))
        .await
        .expect("discard");
    assert_eq!(count(&t.db, "SELECT COUNT(*) FROM jobs").await, 0);
    assert!(
        queue::discard(&t.db, boptone::jobs::JobId(job.id))
            .await
            .is_err()
    );
}

async fn workers_run_each_job_once_and_contain_bad_ones(t: TestDb) {
    prepare(&t).await;
    let mut tx = t.db.begin().await.expect("begin");
    for i in 0..200 {
        enqueue(
            &mut tx,
            &Record {
                key: format!("k{i}"),
            },
            EnqueueOptions::default(),
        )
        .await
        .expect("enqueue");
    }
    enqueue(
        &mut tx,
        &Explode,
        EnqueueOptions {
            max_attempts: Some(1),
            ..EnqueueOptions::default()
        },
    )
    .await
    .expect("enqueue");
    boptone::jobs::queue::enqueue_raw(&mut tx, "test.unknown", "{}", 5, &EnqueueOptions::default())
        .await
        .expect("unknown");
    boptone::jobs::queue::enqueue_raw(
        &mut tx,
        "test.record",
        "not json",
        5,
        &EnqueueOptions::default(),
    )
    .await
    .expect("bad payload");
    tx.commit().await.expect("commit");

    let (stop, handle) = start_worker(&t, t.db.clone(), 8);
    drained(&t.db).await;
    stop.cancel();
    handle.await.expect("worker stops");

    assert_eq!(count(&t.db, "SELECT COUNT(*) FROM job_effects").await, 200);
    assert_eq!(
        count(&t.db, "SELECT COUNT(DISTINCT key) FROM job_effects").await,
        200
    );
    let dead = queue::troubled(&t.db, 10).await.expect("troubled");
    let error_of = |kind: &str| {
        dead.iter()
            .find(|j| j.kind == kind)
            .and_then(|j| j.last_error.clone())
            .unwrap_or_default()
    };
    assert_eq!(dead.len(), 3, "{dead:?}");
    assert!(error_of("test.explode").contains("panicked: boom"));
    assert!(error_of("test.unknown").contains("No handler"));
    assert!(error_of("test.record").contains("does not parse"));
    assert!(
        dead.iter()
            .all(|j| j.state == boptone::jobs::JobState::Dead)
    );
}

async fn a_commit_wakes_an_idle_worker(t: TestDb) {
    prepare(&t).await;
    // Polling is slower than the test allows: only the wake-up can make it in time.
    let config = WorkerConfig {
        poll_interval: Duration::from_secs(3600),
        ..WorkerConfig::default()
    };
    let mut idle = t.db.signals().worker_idle.subscribe();
    let (stop, handle) = start_worker_with(&t, t.db.clone(), config);
    // Only once the worker has found nothing and waits is the job enqueued: then
    // nothing but the commit's wake-up can start it within the hour.
    wait_for(&mut idle, "the worker going idle", |n| *n >= 1).await;
    enqueue_record(&t.db, "woken", EnqueueOptions::default()).await;
    drained(&t.db).await;
    assert_eq!(count(&t.db, "SELECT COUNT(*) FROM job_effects").await, 1);
    stop.cancel();
    handle.await.expect("stops");
}

async fn shutdown_finishes_short_jobs_and_releases_long_ones(t: TestDb) {
    prepare(&t).await;
    let mut tx = t.db.begin().await.expect("begin");
    enqueue(&mut tx, &Nap { ms: 50 }, EnqueueOptions::default())
        .await
        .expect("short");
    enqueue(&mut tx, &Nap { ms: 60_000 }, EnqueueOptions::default())
        .await
        .expect("long");
    tx.commit().await.expect("commit");
    let config = WorkerConfig {
        shutdown_grace: Duration::from_millis(500),
        ..WorkerConfig::default()
    };
    let (stop, handle) = start_worker_with(&t, t.db.clone(), config);
    // Both jobs must be running when the stop comes (a bounded wait that fails loudly).
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while count(&t.db, "SELECT COUNT(*) FROM jobs WHERE state = 'running'").await < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "both jobs did not start within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.cancel();
    handle.await.expect("stops");
    assert_eq!(
        count(
            &t.db,
            "SELECT COUNT(*) FROM job_effects WHERE key = 'nap-50'"
        )
        .await,
        1,
        "the short job finished"
    );
    let left: (String, i32, Option<String>) =
        query("SELECT state, attempts, lease_token FROM jobs")
            .fetch_one(&t.db)
            .await
            .expect("the long job is still there");
    assert_eq!(
        left,
        ("queued".into(), 0, None),
        "released without spending an attempt"
    );
}

/// Four independent pools (as four processes would have) share one database.
async fn concurrent_workers_apply_every_effect_exactly_once(t: TestDb) {
    prepare(&t).await;
    let total: i64 = if t.db.dialect() == boptone::db::Dialect::Postgres {
        10_000
    } else {
        3_000
    };
    let payloads: Vec<String> = (0..total).map(|i| format!(r#"{{"key":"k{i}"}}"#)).collect();
    let mut tx = t.db.begin().await.expect("begin");
    queue::enqueue_many_raw(&mut tx, Record::KIND, &payloads, 5)
        .await
        .expect("bulk enqueue");
    tx.commit().await.expect("commit");

    let mut workers = Vec::new();
    for _ in 0..4 {
        let db = Db::connect(
            &t.url,
            &boptone::db::DbOptions {
                max_connections: 4,
                ..Default::default()
            },
        )
        .await
        .expect("another pool");
        workers.push(start_worker(&t, db, 8));
    }
    drained(&t.db).await;
    for (stop, handle) in workers {
        stop.cancel();
        handle.await.expect("stops");
    }
    assert_eq!(
        count(&t.db, "SELECT COUNT(*) FROM job_effects").await,
        total
    );
    assert_eq!(
        count(&t.db, "SELECT COUNT(DISTINCT key) FROM job_effects").await,
        total
    );
    assert_eq!(count(&t.db, "SELECT COUNT(*) FROM jobs").await, 0);
}

both_databases!(
    a_rolled_back_write_leaves_no_job,
    a_dedupe_key_allows_one_unfinished_job,
    claims_follow_priority_then_age_and_skip_future_jobs,
    an_expired_lease_is_recovered_and_the_old_worker_cannot_complete,
    failures_back_off_then_dead_letter,
    workers_run_each_job_once_and_contain_bad_ones,
    a_commit_wakes_an_idle_worker,
    shutdown_finishes_short_jobs_and_releases_long_ones,
    concurrent_workers_apply_every_effect_exactly_once,
);

/// Another process's commit wakes this worker through LISTEN/NOTIFY (PostgreSQL only:
/// SQLite has one process by nature).
#[tokio::test]
async fn postgres_notify_wakes_a_worker_in_another_process() {
    let t = TestDb::postgres().await;
    prepare(&t).await;
    let worker_db = Db::connect(&t.url, &boptone::db::DbOptions::default())
        .await
        .expect("worker's own pool");
    let config = WorkerConfig {
        poll_interval: Duration::from_secs(3600),
        ..WorkerConfig::default()
    };
    let mut listening = worker_db.signals().jobs_listening.subscribe();
    let mut idle = worker_db.signals().worker_idle.subscribe();
    let (stop, handle) = start_worker_with(&t, worker_db, config);
    wait_for(&mut listening, "the worker's LISTEN", |up| *up).await;
    wait_for(&mut idle, "the worker going idle", |n| *n >= 1).await;
    // t.db has its own in-process signals: only the NOTIFY reaches the worker.
    enqueue_record(&t.db, "from elsewhere", EnqueueOptions::default()).await;
    drained(&t.db).await;
    assert_eq!(count(&t.db, "SELECT COUNT(*) FROM job_effects").await, 1);
    stop.cancel();
    handle.await.expect("stops");
}
