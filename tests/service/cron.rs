//! Cron schedules on both databases: ticks fire once across racing nodes, missed
//! ticks run once, declared schedules are kept in step with the code.

use boptone::db::query;
use boptone::{
    both_databases,
    db::{Db, DbOptions},
    jobs::cron::{self, ScheduleSpec},
    testing::TestDb,
    time::now_ms,
};

fn spec(expression: &'static str) -> ScheduleSpec {
    ScheduleSpec {
        name: "purge",
        expression,
        kind: "test.purge",
        payload: "{}".into(),
        max_attempts: 3,
    }
}

async fn jobs_of(db: &Db) -> i64 {
    query("SELECT COUNT(*) FROM jobs WHERE kind = 'test.purge'")
        .scalar_one::<i64>(db)
        .await
        .expect("count")
}

async fn set_due(db: &Db, at: i64) {
    query("UPDATE cron_schedules SET next_run_at = $1")
        .bind(at)
        .execute(db)
        .await
        .expect("make due");
}

async fn each_tick_fires_once_with_two_schedulers_racing(t: TestDb) {
    cron::ensure(&t.db, &[spec("*/10 * * * *")])
        .await
        .expect("ensure");
    let other = Db::connect(&t.url, &DbOptions::default())
        .await
        .expect("second node");
    assert_eq!(
        cron::fire_due(&t.db, now_ms()).await.expect("fire"),
        0,
        "not due yet"
    );

    for tick in 1..=5 {
        let due_at = now_ms() - 1_000;
        set_due(&t.db, due_at).await;
        let now = now_ms();
        let (a, b) = tokio::join!(cron::fire_due(&t.db, now), cron::fire_due(&other, now));
        let fired = a.expect("node a") + b.expect("node b");
        assert_eq!(fired, 1, "tick {tick} fired by exactly one node");
        assert_eq!(jobs_of(&t.db).await, tick);
    }
    let schedules = cron::list(&t.db).await.expect("list");
    assert_eq!(schedules.len(), 1);
    assert!(schedules[0].next_run_at > now_ms());
    assert!(schedules[0].last_run_at.is_some());
}

async fn missed_ticks_after_downtime_run_once(t: TestDb) {
    cron::ensure(&t.db, &[spec("* * * * *")])
        .await
        .expect("ensure");
    // Down for an hour: sixty ticks were missed.
    set_due(&t.db, now_ms() - 60 * 60_000).await;
    let now = now_ms();
    assert_eq!(cron::fire_due(&t.db, now).await.expect("fire"), 1);
    assert_eq!(cron::fire_due(&t.db, now).await.expect("fire again"), 0);
    assert_eq!(jobs_of(&t.db).await, 1);
    let next = cron::list(&t.db).await.expect("list")[0].next_run_at;
    assert!(
        next > now && next <= now + 60_000,
        "the next tick is the first after now"
    );
}

async fn declared_schedules_stay_in_step_with_the_code(t: TestDb) {
    cron::ensure(&t.db, &[spec("*/10 * * * *")])
        .await
        .expect("ensure");
    let first = cron::list(&t.db).await.expect("list")[0].next_run_at;
    // Re-declaring the same schedule (a restart) keeps its next run.
    cron::ensure(&t.db, &[spec("*/10 * * * *")])
        .await
        .expect("ensure again");
    assert_eq!(cron::list(&t.db).await.expect("list")[0].next_run_at, first);
    // A new expression recomputes it.
    cron::ensure(&t.db, &[spec("0 3 * * *")])
        .await
        .expect("change");
    let changed = &cron::list(&t.db).await.expect("list")[0];
    assert_eq!(changed.expression, "0 3 * * *");
    // A schedule no longer declared is disabled and never fires.
    cron::ensure(&t.db, &[]).await.expect("remove");
    assert!(!cron::list(&t.db).await.expect("list")[0].enabled);
    set_due(&t.db, now_ms() - 1_000).await;
    assert_eq!(cron::fire_due(&t.db, now_ms()).await.expect("fire"), 0);
}

both_databases!(
    each_tick_fires_once_with_two_schedulers_racing,
    missed_ticks_after_downtime_run_once,
    declared_schedules_stay_in_step_with_the_code,
);
