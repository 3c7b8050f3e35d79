//! Events and notifications on both databases: an event emitted with a write becomes a
//! notification for its recipient, once, pushed to their open tabs.

use boptone::db::query;
use boptone::{
    AppError,
    accounts::UserId,
    both_databases,
    events::{PlatformEvent, bus},
    notifications::service as notifications,
    testing::TestDb,
};

async fn sign_up(t: &TestDb, name: &str, email: &str) -> UserId {
    t.signed_up_fan(&t.state(), name, email).await.user.id
}

async fn a_new_account_gets_a_welcome_notification(t: TestDb) {
    let ana = sign_up(&t, "Ana", "ana@example.com").await;
    assert_eq!(
        notifications::unread_count(&t.db, ana)
            .await
            .expect("count"),
        0,
        "delivered by jobs"
    );
    t.run_jobs().await;
    let list = notifications::list(&t.db, ana, 10).await.expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].title, "Welcome to Boptone, Ana!");
    assert_eq!(list[0].kind, "account.created");
    assert!(!list[0].read);
    assert_eq!(
        notifications::unread_count(&t.db, ana)
            .await
            .expect("count"),
        1
    );
}

async fn an_event_is_delivered_once_and_pushed(t: TestDb) {
    let artist = sign_up(&t, "Nova", "nova@example.com").await;
    t.run_jobs().await;
    let state = t.state();
    let mut pushes = state.realtime.subscribe();
    let listener = tokio::spawn(
        state
            .realtime
            .clone()
            .listen(boptone::jobs::worker::CancellationToken::new()),
    );
    boptone::testing::wait_for(
        &mut state.realtime.listening(),
        "the realtime LISTEN",
        |up| *up,
    )
    .await;

    let mut tx = t.db.begin().await.expect("begin");
    let tip = PlatformEvent::TipReceived {
        tip_id: 1,
        artist_id: artist.0,
        fan_id: None,
        amount_cents: 1250,
        currency: "USD".into(),
        bop_id: None,
    };
    let event_id = bus::emit(&mut tx, &tip).await.expect("emit");
    tx.commit().await.expect("commit");
    // Run the dispatch and its handler; running again changes nothing.
    assert_eq!(
        boptone::background::run_pending(&state)
            .await
            .expect("jobs"),
        2
    );
    let again = boptone::notifications::service::DeliverNotifications { event_id };
    use boptone::jobs::worker::Job;
    again
        .run(&boptone::jobs::worker::JobContext {
            state: state.clone(),
        })
        .await
        .expect("idempotent");

    let list = notifications::list(&t.db, artist, 10).await.expect("list");
    assert_eq!(list.iter().filter(|n| n.kind == "tip.received").count(), 1);
    assert_eq!(list[0].title, "A fan kicked in $12.50");

    let push = tokio::time::timeout(std::time::Duration::from_secs(5), pushes.recv())
        .await
        .expect("a push arrives")
        .expect("push");
    assert_eq!(
        push,
        boptone::realtime::Push::Notifications { user_id: artist.0 }
    );
    listener.abort();
}

async fn only_the_recipient_can_read_a_notification(t: TestDb) {
    let ana = sign_up(&t, "Ana", "ana@example.com").await;
    let ben = sign_up(&t, "Ben", "ben@example.com").await;
    t.run_jobs().await;
    let anas = notifications::list(&t.db, ana, 10).await.expect("list")[0].id;
    assert_eq!(
        notifications::mark_read(&t.db, ben, anas).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        notifications::unread_count(&t.db, ana)
            .await
            .expect("count"),
        1
    );
    notifications::mark_read(&t.db, ana, anas)
        .await
        .expect("own");
    assert_eq!(
        notifications::unread_count(&t.db, ana)
            .await
            .expect("count"),
        0
    );
    assert_eq!(
        notifications::mark_all_read(&t.db, ben).await.expect("all"),
        1
    );
    assert_eq!(
        notifications::mark_all_read(&t.db, ben)
            .await
            .expect("all again"),
        0
    );
}

async fn a_rolled_back_write_emits_nothing(t: TestDb) {
    let mut tx = t.db.begin().await.expect("begin");
    bus::emit(
        &mut tx,
        &PlatformEvent::FanFollowed {
            fan_id: 1,
            artist_id: 2,
        },
    )
    .await
    .expect("emit");
    drop(tx);
    let events: i64 = query("SELECT COUNT(*) FROM platform_events")
        .scalar_one(&t.db)
        .await
        .expect("count");
    let jobs: i64 = query("SELECT COUNT(*) FROM jobs")
        .scalar_one(&t.db)
        .await
        .expect("count");
    assert_eq!((events, jobs), (0, 0));
}

both_databases!(
    a_new_account_gets_a_welcome_notification,
    an_event_is_delivered_once_and_pushed,
    only_the_recipient_can_read_a_notification,
    a_rolled_back_write_emits_nothing,
);
