//! Payouts on both databases through the sandbox: standard and instant, the minimum,
//! one payout per balance under concurrency, failures returning the money, schedules.

use boptone::db::query;
use boptone::{
    AppError, both_databases, fees,
    fees::PayoutSpeed,
    ledger::service as ledger,
    payments::{Capability, CardInput, sandbox},
    payouts::{Frequency, service as payouts},
    state::AppState,
    testing::TestDb,
    tips::{TipForm, TipInput, service as tips},
};

/// The address the test tips come from.
const CLIENT: &str = "203.0.113.10";

async fn count(t: &TestDb, sql: &'static str) -> i64 {
    query(sql).scalar_one::<i64>(&t.db).await.expect("count")
}

/// A paid guest tip of `dollars` to `handle`; returns the artist's net.
async fn tipped(state: &AppState, handle: &str, dollars: &str, key: &str) -> i64 {
    let input = TipInput::parse(
        &TipForm {
            handle: handle.into(),
            amount: dollars.into(),
            message: String::new(),
            email: format!("{key}@example.com"),
            cover_fee: false,
            idempotency_key: key.into(),
            bop: None,
        },
        false,
    )
    .expect("tip");
    let url = tips::start(state, None, CLIENT, &input)
        .await
        .expect("checkout");
    let session = url.rsplit('/').next().expect("session");
    let card = CardInput {
        number: "4242424242424242".into(),
        expiry: "12/34".into(),
        cvc: "123".into(),
        name: String::new(),
    };
    sandbox::pay(state, session, &card, (2026, 11))
        .await
        .expect("paid");
    boptone::background::run_pending(state).await.expect("jobs");
    input.breakdown.net
}

async fn seeded(t: &TestDb) -> AppState {
    boptone::seed::seed_demo(&t.db).await.expect("seed");
    t.state()
}

async fn a_standard_payout_reaches_the_bank(t: TestDb) {
    let state = seeded(&t).await;
    let nova = t.user_by_handle("nova_reyes").await;
    let net = tipped(&state, "nova_reyes", "50", "tip-payout-0001").await;
    let payout = payouts::request(
        &state,
        nova,
        net,
        PayoutSpeed::Standard,
        "payout-key-0001",
        false,
    )
    .await
    .expect("requested");
    assert_eq!((payout.amount_cents, payout.fee_cents), (net, 0));
    // Asking again with the same key is the same payout.
    let again = payouts::request(
        &state,
        nova,
        net,
        PayoutSpeed::Standard,
        "payout-key-0001",
        false,
    )
    .await
    .expect("same");
    assert_eq!(again.id, payout.id);
    t.run_jobs().await;
    let history = payouts::overview(&t.db, nova)
        .await
        .expect("overview")
        .history;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].state, boptone::payouts::Stage::Paid);
    let balances = ledger::artist_balances(&t.db, nova.0, "USD")
        .await
        .expect("balances");
    assert_eq!(
        (balances.available, balances.pending, balances.in_payout),
        (0, 0, 0)
    );
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM notifications WHERE kind = 'stripe.payout.paid'"
        )
        .await,
        1
    );
}

async fn payouts_respect_the_minimum_and_the_balance(t: TestDb) {
    let state = seeded(&t).await;
    let nova = t.user_by_handle("nova_reyes").await;
    let net = tipped(&state, "nova_reyes", "30", "tip-payout-0002").await;
    let small = payouts::request(
        &state,
        nova,
        1_999,
        PayoutSpeed::Standard,
        "payout-key-0002",
        false,
    )
    .await;
    assert!(
        small
            .expect_err("minimum")
            .field_message("amount")
            .is_some_and(|m| m.contains("$20.00"))
    );
    let big = payouts::request(
        &state,
        nova,
        net + 1,
        PayoutSpeed::Standard,
        "payout-key-0003",
        false,
    )
    .await;
    assert!(big.expect_err("too much").field_message("amount").is_some());
    assert_eq!(count(&t, "SELECT COUNT(*) FROM payouts").await, 0);
    // Instant payouts need the Pro plan: Kofi is on Starter.
    let kofi = t.user_by_handle("kofi_mensah").await;
    tipped(&state, "kofi_mensah", "30", "tip-payout-0003").await;
    let instant = payouts::request(
        &state,
        kofi,
        2_000,
        PayoutSpeed::Instant,
        "payout-key-0004",
        false,
    )
    .await;
    assert_eq!(
        instant.map(|p| p.id),
        Err(AppError::PlanRequired {
            capability: Capability::InstantPayouts
        })
    );
}

async fn two_requests_for_one_balance_pay_once(t: TestDb) {
    let state = seeded(&t).await;
    let nova = t.user_by_handle("nova_reyes").await;
    let net = tipped(&state, "nova_reyes", "40", "tip-payout-0004").await;
    let (a, b) = tokio::join!(
        payouts::request(
            &state,
            nova,
            net,
            PayoutSpeed::Standard,
            "payout-key-0005",
            false
        ),
        payouts::request(
            &state,
            nova,
            net,
            PayoutSpeed::Standard,
            "payout-key-0006",
            false
        ),
    );
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{a:?} {b:?}"
    );
    assert_eq!(count(&t, "SELECT COUNT(*) FROM payouts").await, 1);
    assert!(
        ledger::artist_balances(&t.db, nova.0, "USD")
            .await
            .expect("balances")
            .available
            >= 0
    );
}

async fn a_failed_payout_returns_the_money(t: TestDb) {
    let state = seeded(&t).await;
    let nova = t.user_by_handle("nova_reyes").await;
    let net = tipped(&state, "nova_reyes", "60", "tip-payout-0005").await;
    // Stripe's test account number that fails payouts.
    let account: String = query("SELECT payout_account_id FROM artist_profiles WHERE user_id = $1")
        .bind(nova.0)
        .scalar_one(&t.db)
        .await
        .expect("account");
    let data: String = query("SELECT data FROM sandbox_objects WHERE id = $1")
        .bind(&account)
        .scalar_one(&t.db)
        .await
        .expect("data");
    let mut object: serde_json::Value = serde_json::from_str(&data).expect("json");
    object["external_accounts"] = serde_json::json!({ "data": [{ "last4": "1116" }] });
    query("UPDATE sandbox_objects SET data = $2 WHERE id = $1")
        .bind(&account)
        .bind(object.to_string())
        .execute(&t.db)
        .await
        .expect("bank that fails");

    let payout = payouts::request(
        &state,
        nova,
        net,
        PayoutSpeed::Instant,
        "payout-key-0007",
        false,
    )
    .await
    .expect("requested");
    assert_eq!(
        payout.fee_cents,
        fees::payout_fee(net, PayoutSpeed::Instant)
    );
    t.run_jobs().await;
    let history = payouts::overview(&t.db, nova)
        .await
        .expect("overview")
        .history;
    assert_eq!(history[0].state, boptone::payouts::Stage::Failed);
    assert!(
        history[0]
            .failure_message
            .as_deref()
            .is_some_and(|m| m.contains("no account"))
    );
    let balances = ledger::artist_balances(&t.db, nova.0, "USD")
        .await
        .expect("balances");
    assert_eq!(
        (balances.available, balances.in_payout),
        (net, 0),
        "the money and the fee came back"
    );
    // The fee collected at the provider went back too: the books agree.
    let found = boptone::reconciliation::service::reconcile(&state, boptone::time::now_ms())
        .await
        .expect("reconcile");
    assert_eq!(found, 0);
}

async fn schedules_pay_out_once_a_day(t: TestDb) {
    let state = seeded(&t).await;
    let nova = t.user_by_handle("nova_reyes").await;
    let net = tipped(&state, "nova_reyes", "25", "tip-payout-0006").await;
    payouts::set_frequency(&t.db, nova, Frequency::Daily)
        .await
        .expect("daily");
    let now = boptone::time::now_ms();
    assert_eq!(payouts::run_scheduled(&state, now).await.expect("run"), 1);
    assert_eq!(
        payouts::run_scheduled(&state, now + 1_000)
            .await
            .expect("again"),
        0
    );
    t.run_jobs().await;
    let history = payouts::overview(&t.db, nova)
        .await
        .expect("overview")
        .history;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].amount_cents, net);
    // Manual: nothing is requested.
    payouts::set_frequency(&t.db, nova, Frequency::Manual)
        .await
        .expect("manual");
    tipped(&state, "nova_reyes", "25", "tip-payout-0007").await;
    assert_eq!(
        payouts::run_scheduled(&state, now + boptone::time::DAY)
            .await
            .expect("run"),
        0
    );
}

async fn payout_keys_belong_to_their_artist_and_their_request(t: TestDb) {
    let state = seeded(&t).await;
    let nova = t.user_by_handle("nova_reyes").await;
    let kofi = t.user_by_handle("kofi_mensah").await;
    let nova_net = tipped(&state, "nova_reyes", "60", "tip-keys-0001").await;
    let kofi_net = tipped(&state, "kofi_mensah", "100", "tip-keys-0002").await;
    let day = boptone::time::now_ms().div_euclid(boptone::time::DAY);
    // Kofi squats the key the schedule uses for Nova today: it is only his own key.
    payouts::request(
        &state,
        kofi,
        2_000,
        PayoutSpeed::Standard,
        &format!("schedule-{}-{day}", nova.0),
        false,
    )
    .await
    .expect("his own payout");
    payouts::request(
        &state,
        kofi,
        2_000,
        PayoutSpeed::Standard,
        &format!("day-{day}"),
        false,
    )
    .await
    .expect("and this one too");
    payouts::set_frequency(&t.db, nova, Frequency::Daily)
        .await
        .expect("daily");
    assert_eq!(
        payouts::run_scheduled(&state, boptone::time::now_ms())
            .await
            .expect("Nova's schedule runs"),
        1
    );
    let history = payouts::overview(&t.db, nova)
        .await
        .expect("overview")
        .history;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].amount_cents, nova_net);

    // The same key for another amount is refused; the same request gets the same payout.
    let first = payouts::request(
        &state,
        kofi,
        2_500,
        PayoutSpeed::Standard,
        "payout-key-bound1",
        false,
    )
    .await
    .expect("payout");
    let retry = payouts::request(
        &state,
        kofi,
        2_500,
        PayoutSpeed::Standard,
        "payout-key-bound1",
        false,
    )
    .await
    .expect("retry");
    assert_eq!(first.id, retry.id);
    let other = payouts::request(
        &state,
        kofi,
        2_600,
        PayoutSpeed::Standard,
        "payout-key-bound1",
        false,
    )
    .await
    .expect_err("refused");
    assert!(
        other
            .field_message("idempotency_key")
            .is_some_and(|m| m.contains("already used")),
        "{other:?}"
    );
    // Nova's key of the same name is hers alone.
    payouts::request(
        &state,
        nova,
        2_000,
        PayoutSpeed::Standard,
        "payout-key-bound1",
        false,
    )
    .await
    .expect_err("she has nothing left, but the key was not taken from her")
    .field_message("amount")
    .expect("refused for the balance, not the key");
    assert!(kofi_net > 9_000);
}

async fn one_artists_failure_does_not_stop_the_scheduled_payouts(t: TestDb) {
    let state = seeded(&t).await;
    let nova = t.user_by_handle("nova_reyes").await;
    let kofi = t.user_by_handle("kofi_mensah").await;
    tipped(&state, "nova_reyes", "30", "tip-batch-0001").await;
    let kofi_net = tipped(&state, "kofi_mensah", "30", "tip-batch-0002").await;
    for artist in [nova, kofi] {
        payouts::set_frequency(&t.db, artist, Frequency::Daily)
            .await
            .expect("daily");
    }
    // Writing Nova's payout fails in the database (a trigger refuses it).
    let refuse = if t.url.starts_with("postgres") {
        vec![
            "CREATE FUNCTION refuse_payout() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql".to_owned(),
            format!("CREATE TRIGGER refuse_nova BEFORE INSERT ON payouts FOR EACH ROW WHEN (NEW.artist_id = {}) EXECUTE FUNCTION refuse_payout()", nova.0),
        ]
    } else {
        vec![format!(
            "CREATE TRIGGER refuse_nova BEFORE INSERT ON payouts WHEN NEW.artist_id = {} BEGIN SELECT RAISE(ABORT, 'refused'); END",
            nova.0
        )]
    };
    for sql in refuse {
        query(sqlx::AssertSqlSafe(sql.as_str()))
            .execute(&t.db)
            .await
            .expect("trigger");
    }
    let ran = payouts::run_scheduled(&state, boptone::time::now_ms()).await;
    assert!(
        matches!(ran, Err(boptone::AppError::Internal { .. })),
        "the job fails so it is retried and seen: {ran:?}"
    );
    let history = payouts::overview(&t.db, kofi)
        .await
        .expect("overview")
        .history;
    assert_eq!(history.len(), 1, "Kofi was paid all the same");
    assert_eq!(history[0].amount_cents, kofi_net);
}

async fn reconciliation_finds_what_the_ledger_and_provider_disagree_on(t: TestDb) {
    use boptone::{
        ledger::{Account, AccountKind, NewTransaction, Owner, Posting},
        reconciliation::service as reconciliation,
    };
    let state = seeded(&t).await;
    let nova = t.user_by_handle("nova_reyes").await;
    let net = tipped(&state, "nova_reyes", "50", "tip-recon-0001").await;
    payouts::request(
        &state,
        nova,
        2_000,
        PayoutSpeed::Instant,
        "payout-recon-0001",
        false,
    )
    .await
    .expect("instant payout");
    tipped(&state, "kofi_mensah", "12", "tip-recon-0002").await;
    t.run_jobs().await;
    let now = boptone::time::now_ms();
    assert_eq!(
        reconciliation::reconcile(&state, now)
            .await
            .expect("reconcile"),
        0,
        "the books agree"
    );
    assert!(net > 2_000);

    // A posting the provider never saw (a bug, or a manual mistake) is caught.
    let mut tx = t.db.begin_write().await.expect("tx");
    boptone::ledger::service::post(
        &mut tx,
        &NewTransaction {
            idempotency_key: "manual-credit".into(),
            kind: boptone::ledger::TransactionKind::Adjustment,
            memo: "Mistaken credit".into(),
            reference: None,
            artist_id: Some(nova.0),
            postings: vec![
                Posting {
                    account: Account::new(Owner::Platform, AccountKind::Revenue, "USD"),
                    amount: -500,
                },
                Posting {
                    account: Account::new(Owner::Artist(nova.0), AccountKind::Available, "USD"),
                    amount: 500,
                },
            ],
        },
    )
    .await
    .expect("posted");
    tx.commit().await.expect("commit");
    assert_eq!(
        reconciliation::reconcile(&state, now)
            .await
            .expect("reconcile"),
        1
    );
    assert_eq!(
        reconciliation::reconcile(&state, now + 1_000)
            .await
            .expect("again"),
        1
    );
    let found = reconciliation::mismatches(&t.db, 10).await.expect("list");
    assert_eq!(found.len(), 1, "one row per artist and day");
    assert_eq!(
        (found[0].handle.as_str(), found[0].difference()),
        ("nova_reyes", -500)
    );
}

async fn a_payout_event_before_its_link_still_pays(t: TestDb) {
    let state = seeded(&t).await;
    let nova = t.user_by_handle("nova_reyes").await;
    let net = tipped(&state, "nova_reyes", "50", "tip-payout-0008").await;
    let payout = payouts::request(
        &state,
        nova,
        net,
        PayoutSpeed::Standard,
        "payout-key-0008",
        false,
    )
    .await
    .expect("requested");
    assert_eq!(
        payout.state,
        boptone::payouts::Stage::Pending,
        "submitted by a job"
    );
    // The provider pays and its `payout.paid` event is processed before the provider's
    // answer to the submission is stored (a slow response, a crash in between).
    let account: String = query("SELECT payout_account_id FROM artist_profiles WHERE user_id = $1")
        .bind(nova.0)
        .scalar_one(&t.db)
        .await
        .expect("account");
    state
        .payments
        .create_payout(&boptone::payments::provider::PayoutRequest {
            account,
            amount: net,
            currency: "USD".into(),
            instant: false,
            reference: format!("payout:{}", payout.id),
            idempotency_key: format!("payout-{}", payout.id),
        })
        .await
        .expect("provider payout");
    let paid_event: i64 = query("SELECT id FROM payment_events WHERE event_type = 'payout.paid'")
        .scalar_one(&t.db)
        .await
        .expect("event");
    boptone::payments::events::process(&state, paid_event)
        .await
        .expect("processed");
    let history = payouts::overview(&t.db, nova)
        .await
        .expect("overview")
        .history;
    assert_eq!(history[0].state, boptone::payouts::Stage::Paid);
    // The queued submission then finds the payout done and asks nothing more.
    t.run_jobs().await;
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM sandbox_objects WHERE kind = 'payout'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM payouts WHERE state = 'paid' AND provider_payout_id IS NOT NULL"
        )
        .await,
        1
    );
    let balances = ledger::artist_balances(&t.db, nova.0, "USD")
        .await
        .expect("balances");
    assert_eq!((balances.available, balances.in_payout), (0, 0));
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM notifications WHERE kind = 'stripe.payout.paid'"
        )
        .await,
        1
    );
}

both_databases!(
    a_payout_event_before_its_link_still_pays,
    reconciliation_finds_what_the_ledger_and_provider_disagree_on,
    a_standard_payout_reaches_the_bank,
    payouts_respect_the_minimum_and_the_balance,
    two_requests_for_one_balance_pay_once,
    a_failed_payout_returns_the_money,
    schedules_pay_out_once_a_day,
    payout_keys_belong_to_their_artist_and_their_request,
    one_artists_failure_does_not_stop_the_scheduled_payouts,
);
