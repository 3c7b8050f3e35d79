//! Kick In on both databases through the sandbox: the ledger posting happens once on
//! the confirmed payment, however often (and in whatever order) its events arrive; the
//! gate and the hourly limit refuse without writing anything.

use boptone::db::query;
use std::sync::Arc;

use boptone::{
    AppError, both_databases, fees,
    ledger::service as ledger,
    payments::{
        CardInput, events,
        sandbox::{self, PayResult},
    },
    state::{AppState, Settings},
    testing::TestDb,
    tips::{TipForm, TipInput, service},
};

/// The address the test tips come from.
const CLIENT: &str = "203.0.113.10";

async fn count(t: &TestDb, sql: &'static str) -> i64 {
    query(sql).scalar_one::<i64>(&t.db).await.expect("count")
}

fn card() -> CardInput {
    CardInput {
        number: "4242424242424242".into(),
        expiry: "12/34".into(),
        cvc: "123".into(),
        name: String::new(),
    }
}

fn guest_tip(amount: &str, key: &str) -> TipInput {
    TipInput::parse(
        &TipForm {
            handle: "nova_reyes".into(),
            amount: amount.into(),
            message: "Loved the show".into(),
            email: "guest@example.com".into(),
            cover_fee: false,
            idempotency_key: key.into(),
            bop: None,
        },
        false,
    )
    .expect("valid tip")
}

async fn seeded(t: &TestDb) -> i64 {
    boptone::seed::seed_demo(&t.db).await.expect("seed");
    query("SELECT id FROM users WHERE handle = 'nova_reyes'")
        .scalar_one::<i64>(&t.db)
        .await
        .expect("nova")
}

/// Tips and pays; returns the checkout session.
async fn tip_and_pay(state: &AppState, input: &TipInput) -> String {
    let url = service::start(state, None, CLIENT, input)
        .await
        .expect("checkout");
    let session = url.rsplit('/').next().expect("session").to_owned();
    let paid = sandbox::pay(state, &session, &card(), (2026, 11))
        .await
        .expect("paid");
    assert!(
        matches!(paid, PayResult::Paid { ref redirect } if redirect.contains("/@nova_reyes?tip="))
    );
    session
}

/// Starts a tip whose first card (Stripe's test card for a decline) is declined; returns
/// the checkout session, still open for another card.
async fn tip_declined_once(state: &AppState, input: &TipInput) -> String {
    let url = service::start(state, None, CLIENT, input)
        .await
        .expect("checkout");
    let session = url.rsplit('/').next().expect("session").to_owned();
    let declined = CardInput {
        number: "4000000000000002".into(),
        ..card()
    };
    assert!(matches!(
        sandbox::pay(state, &session, &declined, (2026, 11)).await,
        Err(AppError::Payment { .. })
    ));
    session
}

async fn a_paid_tip_reaches_the_artist_once(t: TestDb) {
    let nova = seeded(&t).await;
    let state = t.state();
    let input = guest_tip("10", "tip-aaaaaaaaaaaa");
    // A double submit of the same attempt pays once.
    let first = service::start(&state, None, CLIENT, &input)
        .await
        .expect("checkout");
    let again = service::start(&state, None, CLIENT, &input)
        .await
        .expect("same checkout");
    assert_eq!(first, again);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM tips").await, 1);
    let session = first.rsplit('/').next().expect("session").to_owned();
    sandbox::pay(&state, &session, &card(), (2026, 11))
        .await
        .expect("paid");
    t.run_jobs().await;

    let b = fees::tip(1_000, false);
    let balances = ledger::artist_balances(&t.db, nova, "USD")
        .await
        .expect("balances");
    assert_eq!(
        (balances.available, balances.pending),
        (b.net, 0),
        "the sandbox settles at once"
    );
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM tips WHERE state = 'succeeded'").await,
        1
    );
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM notifications WHERE kind = 'tip.received'"
        )
        .await,
        1
    );
    let receipts = boptone::mail::list_mailbox(
        &t.db,
        Some(&boptone::accounts::Email::parse("guest@example.com").expect("email")),
        10,
    )
    .await
    .expect("mailbox");
    assert_eq!(receipts.len(), 1);
    assert!(
        receipts[0].body_text.contains("Tip to Nova Reyes: $10.00"),
        "{}",
        receipts[0].body_text
    );
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM artist_profiles WHERE first_dollar_at IS NOT NULL"
        )
        .await,
        1
    );
    // The activation funnel's last step.
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM platform_events WHERE name = 'artist.first_dollar'"
        )
        .await,
        1
    );
    let funnel = boptone::onboarding::service::funnel(&t.db)
        .await
        .expect("funnel");
    assert_eq!(funnel.last().map(|row| row.artists), Some(1));
    // The earnings dashboard reads it from the ledger, with its breakdown.
    let earnings = boptone::earnings::service::overview(&t.db, nova, boptone::time::now_ms())
        .await
        .expect("earnings");
    assert_eq!(
        (
            earnings.total,
            earnings.month_to_date,
            earnings.year_to_date
        ),
        (b.net, b.net, b.net)
    );
    assert_eq!(earnings.by_source[0], ("Tips".to_owned(), b.net));
    assert_eq!(earnings.daily.len(), 90);
    assert_eq!(earnings.daily.last().map(|d| d.1), Some(b.net));
    let line = &earnings.recent[0];
    assert_eq!(
        (line.gross, line.platform_fee, line.processing_fee, line.net),
        (b.gross, 0, b.processing_fee, b.net)
    );
    assert_eq!(earnings.recent.len(), 1, "the settlement is not an earning");
    assert_eq!(earnings.balances.available, b.net);
    // The thank-you page confirms it again: nothing changes.
    let receipt = service::sync_checkout(&state, &session)
        .await
        .expect("sync")
        .expect("a tip");
    assert!(receipt.paid);
    assert_eq!(
        ledger::artist_balances(&t.db, nova, "USD")
            .await
            .expect("balances"),
        balances
    );
}

/// A deterministic shuffle (xorshift), so a failure can be replayed.
fn shuffle<T>(items: &mut [T], mut seed: u64) {
    for i in (1..items.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let j = usize::try_from(seed % (i as u64 + 1)).unwrap_or(0);
        items.swap(i, j);
    }
}

async fn events_delivered_a_thousand_times_in_any_order_post_once(t: TestDb) {
    let nova = seeded(&t).await;
    let state = t.state();
    // The fan's first card is declined, the second pays; then $4 is refunded.
    let session = tip_declined_once(&state, &guest_tip("10", "tip-bbbbbbbbbbbb")).await;
    sandbox::pay(&state, &session, &card(), (2026, 11))
        .await
        .expect("paid");
    let intent: String = query("SELECT id FROM sandbox_objects WHERE kind = 'payment_intent'")
        .scalar_one::<String>(&t.db)
        .await
        .expect("the payment intent");
    sandbox::refund_payment(&state, &intent, Some(400))
        .await
        .expect("refund");

    // Nothing is processed yet: take every event the provider sent, and deliver them
    // 1,000 times in a shuffled order instead (half as true duplicates of one id, half
    // as redeliveries under new ids), so failures, refunds and confirmations arrive
    // before, after and between each other.
    let payloads: Vec<String> = query("SELECT payload FROM payment_events ORDER BY id")
        .scalar_all::<String>(&t.db)
        .await
        .expect("payloads");
    let kinds: Vec<String> = payloads
        .iter()
        .map(|p| serde_json::from_str::<serde_json::Value>(p).expect("json")["type"].to_string())
        .collect();
    for kind in [
        "payment_intent.payment_failed",
        "payment_intent.succeeded",
        "checkout.session.completed",
        "charge.refunded",
    ] {
        assert!(
            kinds.iter().any(|k| k.contains(kind)),
            "{kind} in {kinds:?}"
        );
    }
    query("DELETE FROM jobs")
        .execute(&t.db)
        .await
        .expect("jobs");
    query("DELETE FROM payment_events")
        .execute(&t.db)
        .await
        .expect("events");
    let mut deliveries: Vec<String> = (0..1_000)
        .map(|i| {
            let mut event: serde_json::Value =
                serde_json::from_str(&payloads[i % payloads.len()]).expect("json");
            if i % 4 < 2 {
                event["id"] = serde_json::json!(format!("evt_redelivery_{i}"));
            }
            event.to_string()
        })
        .collect();
    shuffle(&mut deliveries, 0x2545_f491_4f6c_dd1d);
    let mut tx = t.db.begin().await.expect("tx");
    for raw in &deliveries {
        events::record(&mut tx, "sandbox", raw)
            .await
            .expect("stored");
    }
    tx.commit().await.expect("commit");
    t.run_jobs().await;

    // The same books as one delivery of each, in order: the tip once, less its refund.
    let b = fees::tip(1_000, false);
    let balances = ledger::artist_balances(&t.db, nova, "USD")
        .await
        .expect("balances");
    assert_eq!(balances.available, b.net - b.net * 400 / b.gross);
    assert_eq!((balances.pending, balances.owed), (0, 0));
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM ledger_transactions").await,
        3,
        "the tip, its settlement and one refund"
    );
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM tips WHERE state = 'succeeded' AND refunded_cents = 400"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM notifications WHERE kind = 'tip.received'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM mailbox_messages WHERE subject LIKE 'Your receipt%'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM payment_events WHERE processed_at IS NULL"
        )
        .await,
        0
    );
}

async fn a_declined_card_then_a_good_one_pays_the_tip(t: TestDb) {
    let nova = seeded(&t).await;
    let state = t.state();
    let session = tip_declined_once(&state, &guest_tip("5", "tip-declined-01")).await;
    // The failure's event leaves the tip waiting: the checkout is still open.
    t.run_jobs().await;
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM tips WHERE state = 'pending'").await,
        1
    );
    sandbox::pay(&state, &session, &card(), (2026, 11))
        .await
        .expect("paid");
    t.run_jobs().await;
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM tips WHERE state = 'succeeded'").await,
        1
    );
    assert_eq!(
        ledger::artist_balances(&t.db, nova, "USD")
            .await
            .expect("balances")
            .available,
        fees::tip(500, false).net
    );
}

async fn a_refund_after_a_payout_is_owed_then_repaid(t: TestDb) {
    let nova = seeded(&t).await;
    let state = t.state();
    let session = tip_and_pay(&state, &guest_tip("30", "tip-owed-000001")).await;
    t.run_jobs().await;
    let first = fees::tip(3_000, false);
    boptone::payouts::service::request(
        &state,
        boptone::accounts::UserId(nova),
        first.net,
        fees::PayoutSpeed::Standard,
        "payout-owed-0001",
        false,
    )
    .await
    .expect("payout");
    t.run_jobs().await;
    let intent: String = query("SELECT payment_intent_id FROM tips")
        .scalar_one::<String>(&t.db)
        .await
        .expect("intent");
    assert!(!session.is_empty());
    // The money is at the bank when the fan is refunded: the artist owes it.
    sandbox::refund_payment(&state, &intent, None)
        .await
        .expect("refund");
    t.run_jobs().await;
    let owing = ledger::artist_balances(&t.db, nova, "USD")
        .await
        .expect("balances");
    assert_eq!((owing.available, owing.owed), (0, -first.net));
    let earnings = boptone::earnings::service::overview(&t.db, nova, boptone::time::now_ms())
        .await
        .expect("earnings");
    assert_eq!(earnings.total, 0, "a refunded tip earns nothing");
    assert_eq!(earnings.recent[0].net, -first.net);
    assert_eq!(earnings.recent[0].gross, -first.gross);
    // The provider sees the same debt on the payout account.
    assert_eq!(
        boptone::reconciliation::service::reconcile(&state, boptone::time::now_ms())
            .await
            .expect("reconcile"),
        0
    );
    // The next tip repays the debt before anything becomes available.
    tip_and_pay(&state, &guest_tip("50", "tip-owed-000002")).await;
    t.run_jobs().await;
    let second = fees::tip(5_000, false);
    let after = ledger::artist_balances(&t.db, nova, "USD")
        .await
        .expect("balances");
    assert_eq!(
        (after.available, after.owed, after.pending),
        (second.net - first.net, 0, 0)
    );
    let books: i64 = query("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger_entries")
        .scalar_one::<i64>(&t.db)
        .await
        .expect("sum");
    assert_eq!(books, 0);
}

async fn an_artist_who_cannot_receive_money_is_refused(t: TestDb) {
    let nova = seeded(&t).await;
    query("UPDATE artist_profiles SET payouts_enabled = FALSE WHERE user_id = $1")
        .bind(nova)
        .execute(&t.db)
        .await
        .expect("payouts off");
    let state = t.state();
    let refused = service::start(&state, None, CLIENT, &guest_tip("5", "tip-cccccccccccc")).await;
    assert!(
        matches!(refused, Err(AppError::Conflict(ref m)) if m.contains("can't receive tips")),
        "{refused:?}"
    );
    assert_eq!(count(&t, "SELECT COUNT(*) FROM tips").await, 0);
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM sandbox_objects WHERE kind = 'checkout.session'"
        )
        .await,
        0
    );
    assert_eq!(count(&t, "SELECT COUNT(*) FROM ledger_entries").await, 0);
    // Unknown artists are not found.
    let nobody = TipInput {
        handle: "nobody_here".into(),
        ..guest_tip("5", "tip-dddddddddddd")
    };
    assert!(matches!(
        service::start(&state, None, CLIENT, &nobody).await,
        Err(AppError::NotFound)
    ));
}

async fn tips_are_limited_per_fan_per_artist_per_hour(t: TestDb) {
    seeded(&t).await;
    let base = t.state();
    let state = AppState {
        settings: Arc::new(Settings {
            tips_per_fan_per_hour: 2,
            ..(*base.settings).clone()
        }),
        ..base
    };
    for key in ["tip-eeeeeeeeeee1", "tip-eeeeeeeeeee2"] {
        service::start(&state, None, CLIENT, &guest_tip("3", key))
            .await
            .expect("within the limit");
    }
    let third = service::start(&state, None, CLIENT, &guest_tip("3", "tip-eeeeeeeeeee3")).await;
    assert!(
        matches!(third, Err(AppError::RateLimited { retry_after_secs, .. }) if retry_after_secs > 3_000),
        "{third:?}"
    );
    let message = third.expect_err("refused").to_string();
    assert!(
        message.starts_with("That's 2 tips to Nova Reyes this hour. Thank you!"),
        "{message}"
    );
    assert_eq!(count(&t, "SELECT COUNT(*) FROM tips").await, 2);
    // A guest is their email from their address: a stranger who types the same email
    // elsewhere uses up only their own allowance, and another guest on the same
    // network has their own.
    service::start(
        &state,
        None,
        "198.51.100.20",
        &guest_tip("3", "tip-gggggggggggg"),
    )
    .await
    .expect("the same email from another client is not affected");
    let other = TipInput {
        guest_email: Some(boptone::accounts::Email::parse("other@example.com").expect("email")),
        ..guest_tip("3", "tip-ffffffffffff")
    };
    service::start(&state, None, CLIENT, &other)
        .await
        .expect("another fan on the same network");
}

async fn a_tip_key_is_bound_to_its_owner_and_its_tip(t: TestDb) {
    seeded(&t).await;
    let state = t.state();
    let input = guest_tip("10", "tip-bound000001");
    let url = service::start(&state, None, CLIENT, &input)
        .await
        .expect("checkout");
    // The same key for another amount is refused, not answered with the first tip.
    let other_amount = TipInput {
        amount_cents: 100_000,
        ..input.clone()
    };
    let refused = service::start(&state, None, CLIENT, &other_amount).await;
    assert!(
        matches!(refused, Err(AppError::Conflict(ref m)) if m.contains("already used")),
        "{refused:?}"
    );
    assert_eq!(
        service::start(&state, None, CLIENT, &input)
            .await
            .expect("retry"),
        url,
        "a true retry resumes the same checkout"
    );
    // A signed-in fan's keys are their own: the same key makes their own tip.
    let fan = t.signed_up_fan(&state, "Ana", "ana@example.com").await;
    let theirs = service::start(&state, Some(&fan.user), CLIENT, &input)
        .await
        .expect("own key space");
    assert_ne!(theirs, url);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM tips").await, 2);
}

async fn a_payment_that_differs_from_its_tip_is_not_credited(t: TestDb) {
    seeded(&t).await;
    let state = t.state();
    let url = service::start(&state, None, CLIENT, &guest_tip("10", "tip-mismatch001"))
        .await
        .expect("checkout");
    let session = url.rsplit('/').next().expect("session").to_owned();
    // The row the ledger would credit no longer matches what the checkout charges:
    // another amount, currency, or payout account.
    for (tamper, undo) in [
        (
            "UPDATE tips SET gross_cents = gross_cents + 1",
            "UPDATE tips SET gross_cents = gross_cents - 1",
        ),
        (
            "UPDATE tips SET currency = 'EUR'",
            "UPDATE tips SET currency = 'USD'",
        ),
        (
            "UPDATE tips SET destination = 'acct_someone_else'",
            "UPDATE tips SET destination = (SELECT payout_account_id FROM artist_profiles WHERE user_id = tips.artist_id)",
        ),
    ] {
        query(tamper).execute(&t.db).await.expect("tamper");
        if count(
            &t,
            "SELECT COUNT(*) FROM sandbox_objects WHERE kind = 'payment_intent'",
        )
        .await
            == 0
        {
            sandbox::pay(&state, &session, &card(), (2026, 11))
                .await
                .expect("paid");
            t.run_jobs().await;
        }
        let err = service::sync_checkout(&state, &session)
            .await
            .expect_err("refused");
        assert!(
            matches!(err, AppError::Internal { .. }),
            "{tamper}: {err:?}"
        );
        assert_eq!(
            count(&t, "SELECT COUNT(*) FROM ledger_entries").await,
            0,
            "{tamper}"
        );
        assert_eq!(
            count(&t, "SELECT COUNT(*) FROM tips WHERE state = 'pending'").await,
            1
        );
        query(undo).execute(&t.db).await.expect("undo");
    }
    // As recorded, it is credited.
    let receipt = service::sync_checkout(&state, &session)
        .await
        .expect("credited")
        .expect("receipt");
    assert!(receipt.paid);
}

/// A paid $10 guest tip to Nova: her id, the state, the tip's payment and its fees.
async fn a_paid_tip(t: &TestDb, key: &str) -> (i64, AppState, String, fees::Breakdown) {
    let nova = seeded(t).await;
    let state = t.state();
    tip_and_pay(&state, &guest_tip("10", key)).await;
    t.run_jobs().await;
    let intent: String = query("SELECT payment_intent_id FROM tips")
        .scalar_one::<String>(&t.db)
        .await
        .expect("payment intent recorded");
    (nova, state, intent, fees::tip(1_000, false))
}

async fn a_refund_reverses_its_tip(t: TestDb) {
    let (nova, state, intent, b) = a_paid_tip(&t, "tip-refund0001").await;
    // A partial refund takes back its share of the tip.
    sandbox::refund_payment(&state, &intent, Some(400))
        .await
        .expect("partial refund");
    t.run_jobs().await;
    let partial = ledger::artist_balances(&t.db, nova, "USD")
        .await
        .expect("balances");
    assert_eq!(partial.available, b.net - b.net * 400 / b.gross);
    let earnings = boptone::earnings::service::overview(&t.db, nova, boptone::time::now_ms())
        .await
        .expect("earnings");
    assert_eq!(
        earnings.total, partial.available,
        "refunds count against earnings"
    );
    assert_eq!(
        earnings.by_source[0],
        ("Tips".to_owned(), partial.available)
    );
    // The rest: the artist's balance from this tip is back to zero; the tip is refunded.
    sandbox::refund_payment(&state, &intent, None)
        .await
        .expect("full refund");
    t.run_jobs().await;
    let after = ledger::artist_balances(&t.db, nova, "USD")
        .await
        .expect("balances");
    assert_eq!(after.available, 0);
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM tips WHERE state = 'refunded'").await,
        1
    );
    assert!(matches!(
        sandbox::refund_payment(&state, &intent, None).await,
        Err(AppError::Conflict(_))
    ));
    // Replaying every refund event changes nothing.
    let ids: Vec<i64> = query("SELECT id FROM payment_events WHERE event_type = 'charge.refunded'")
        .scalar_all::<i64>(&t.db)
        .await
        .expect("events");
    assert_eq!(ids.len(), 2);
    for id in ids.iter().rev() {
        events::process(&state, *id).await.expect("processed");
    }
    assert_eq!(
        ledger::artist_balances(&t.db, nova, "USD")
            .await
            .expect("balances"),
        after
    );
    let books: i64 = query("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger_entries")
        .scalar_one::<i64>(&t.db)
        .await
        .expect("sum");
    assert_eq!(books, 0);
}

/// A refund whose event names no purpose (no `tip:N` reference in its metadata) is
/// offered to every domain; tips recognise their payment by its id.
async fn a_refund_without_a_reference_still_finds_its_tip(t: TestDb) {
    let (nova, _state, intent, b) = a_paid_tip(&t, "tip-refund0002").await;
    let refund = serde_json::json!({
        "id": "evt_bare_refund", "type": "charge.refunded", "created": 1,
        "data": { "object": { "id": "ch_bare", "payment_intent": intent, "amount_refunded": 400 } }
    });
    let mut tx = t.db.begin().await.expect("begin");
    assert!(
        events::record(&mut tx, "sandbox", &refund.to_string())
            .await
            .expect("record")
    );
    tx.commit().await.expect("commit");
    t.run_jobs().await;
    let balances = ledger::artist_balances(&t.db, nova, "USD")
        .await
        .expect("balances");
    assert_eq!(balances.available, b.net - b.net * 400 / b.gross);
}

async fn a_signed_in_fan_tips_without_an_email(t: TestDb) {
    let nova = seeded(&t).await;
    let state = t.state();
    let fan = boptone::accounts::service::sign_in(
        &state,
        boptone::accounts::SignIn::parse("ana@demo.boptone.app", boptone::seed::DEMO_PASSWORD)
            .expect("valid"),
        None,
    )
    .await
    .expect("signed in")
    .user;
    let input = TipInput::parse(
        &TipForm {
            handle: "nova_reyes".into(),
            amount: "3".into(),
            message: String::new(),
            email: String::new(),
            cover_fee: true,
            idempotency_key: "tip-signedin-0001".into(),
            bop: None,
        },
        true,
    )
    .expect("valid");
    let url = service::start(&state, Some(&fan), CLIENT, &input)
        .await
        .expect("checkout");
    let session = url.rsplit('/').next().expect("session").to_owned();
    sandbox::pay(&state, &session, &card(), (2026, 11))
        .await
        .expect("paid");
    t.run_jobs().await;
    let fan_id: Option<i64> = query("SELECT fan_id FROM tips")
        .scalar_one::<Option<i64>>(&t.db)
        .await
        .expect("fan");
    assert_eq!(fan_id, Some(fan.id.0));
    // Covered: the artist gets the whole $3.00.
    assert_eq!(
        ledger::artist_balances(&t.db, nova, "USD")
            .await
            .expect("balances")
            .available,
        300
    );
    let receipts = boptone::mail::list_mailbox(
        &t.db,
        Some(&boptone::accounts::Email::parse("ana@demo.boptone.app").expect("email")),
        10,
    )
    .await
    .expect("mailbox");
    assert_eq!(receipts.len(), 1);
    // Artists cannot tip themselves.
    let nova_user = boptone::accounts::service::find_user(&t.db, boptone::accounts::UserId(nova))
        .await
        .expect("user")
        .expect("nova");
    let own = TipInput {
        idempotency_key: "tip-self-000001".into(),
        ..input
    };
    assert!(matches!(
        service::start(&state, Some(&nova_user), CLIENT, &own).await,
        Err(AppError::Conflict(_))
    ));
}

both_databases!(
    a_tip_key_is_bound_to_its_owner_and_its_tip,
    a_payment_that_differs_from_its_tip_is_not_credited,
    a_declined_card_then_a_good_one_pays_the_tip,
    a_refund_after_a_payout_is_owed_then_repaid,
    a_signed_in_fan_tips_without_an_email,
    a_refund_reverses_its_tip,
    a_refund_without_a_reference_still_finds_its_tip,
    a_paid_tip_reaches_the_artist_once,
    events_delivered_a_thousand_times_in_any_order_post_once,
    an_artist_who_cannot_receive_money_is_refused,
    tips_are_limited_per_fan_per_artist_per_hour,
);
