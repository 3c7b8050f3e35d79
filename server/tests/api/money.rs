//! Tips and payouts through Stripe (a local server speaking its wire format): a tip is a
//! Checkout payment to the artist's connected account, a payout is made on that account,
//! and the daily reconciliation reads its balance.

use boptone::db::query;
use boptone::{
    both_databases, fees, ledger::service as ledger, payments::webhook, payouts::PayoutView,
    testing::TestDb, time::now_ms,
};
use boptone_server::config::PaymentProviderKind;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::{fake_stripe::FakeStripe, helpers::TestApp};

const SECRET: &str = "whsec_money_test";

async fn deliver(app: &TestApp, id: &str, kind: &str, object: &Value) -> StatusCode {
    let body = json!({ "id": id, "object": "event", "type": kind, "created": now_ms() / 1000, "data": { "object": object } }).to_string();
    app.client
        .post(app.url("/webhooks/stripe"))
        .header(
            "stripe-signature",
            webhook::sign(SECRET, now_ms() / 1000, body.as_bytes()),
        )
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .expect("webhook")
        .status()
}

async fn a_tip_and_a_payout_through_stripe(db: TestDb) {
    boptone::seed::seed_demo(&db.db).await.expect("seed");
    let fake = FakeStripe::start().await;
    let base = fake.base.clone();
    let app = TestApp::spawn_with(db, move |config| {
        config.payment_provider = PaymentProviderKind::Stripe;
        config.stripe_secret_key = Some("sk_test_money".into());
        config.stripe_webhook_secret = Some(SECRET.into());
        config.stripe_api_base = base;
        config.stripe_platform_account = Some("acct_boptone_platform".into());
    })
    .await;
    let account: String = query(
        "SELECT p.payout_account_id FROM artist_profiles p JOIN users u ON u.id = p.user_id WHERE u.handle = 'nova_reyes'")
        .scalar_one(&app.state.db).await
    .expect("account");

    // A guest tips $10.
    let res = app
        .call(
            "tips/kick_in",
            &[
                ("handle", "nova_reyes"),
                ("amount", "10"),
                ("email", "fan@example.com"),
                ("idempotency_key", "tip-stripe-000001"),
            ],
        )
        .await;
    let status = res.status();
    assert_eq!(status, 200, "{}", res.text().await.unwrap_or_default());
    let create = fake.last("POST", "/v1/checkout/sessions");
    let b = fees::tip(1_000, false);
    for (field, value) in [
        ("mode", "payment"),
        ("line_items[0][price_data][currency]", "usd"),
        ("line_items[0][price_data][unit_amount]", "1000"),
        (
            "line_items[0][price_data][product_data][name]",
            "Kick In for Nova Reyes",
        ),
        (
            "payment_intent_data[transfer_data][destination]",
            account.as_str(),
        ),
        (
            "payment_intent_data[application_fee_amount]",
            &b.processing_fee.to_string(),
        ),
        ("payment_intent_data[receipt_email]", "fan@example.com"),
        ("metadata[reference]", "tip:1"),
        ("metadata[destination]", account.as_str()),
        ("customer_email", "fan@example.com"),
    ] {
        assert_eq!(create.field(field), Some(value), "{field}");
    }
    // The provider's key is the tip's own, so it can only ever build this tip.
    assert_eq!(
        create.idempotency_key.as_deref(),
        Some("tip-1-tip-stripe-000001")
    );
    assert!(
        create
            .field("success_url")
            .is_some_and(|u| u.contains("/@nova_reyes?tip={CHECKOUT_SESSION_ID}"))
    );

    // Stripe confirms: the tip is posted once, pending until Stripe settles it.
    let session = fake.complete_payment("cs_test_1");
    assert_eq!(
        deliver(&app, "evt_tip_1", "checkout.session.completed", &session).await,
        StatusCode::OK
    );
    assert_eq!(
        deliver(&app, "evt_tip_1", "checkout.session.completed", &session).await,
        StatusCode::OK
    );
    app.run_jobs().await;
    let nova: i64 = query("SELECT id FROM users WHERE handle = 'nova_reyes'")
        .scalar_one(&app.state.db)
        .await
        .expect("nova");
    let balances = ledger::artist_balances(&app.state.db, nova, "USD")
        .await
        .expect("balances");
    assert_eq!((balances.pending, balances.available), (b.net, 0));
    // Settlement (the hourly job, once Stripe's hold has passed).
    boptone::tips::service::settle_tip(&app.state, 1)
        .await
        .expect("settled");
    fake.set_balance(&account, b.net + 1_500, 0);
    // Another tip elsewhere brings Nova over the minimum in this test.
    let mut tx = app.state.db.begin_write().await.expect("tx");
    boptone::ledger::service::post(
        &mut tx,
        &boptone::ledger::NewTransaction {
            idempotency_key: "test-credit".into(),
            kind: boptone::ledger::TransactionKind::Tip,
            memo: "Earlier tip".into(),
            reference: None,
            artist_id: Some(nova),
            postings: vec![
                boptone::ledger::Posting {
                    account: boptone::ledger::Account::new(
                        boptone::ledger::Owner::External,
                        boptone::ledger::AccountKind::CardPayments,
                        "USD",
                    ),
                    amount: -1_500,
                },
                boptone::ledger::Posting {
                    account: boptone::ledger::Account::new(
                        boptone::ledger::Owner::Artist(nova),
                        boptone::ledger::AccountKind::Available,
                        "USD",
                    ),
                    amount: 1_500,
                },
            ],
        },
    )
    .await
    .expect("credit");
    tx.commit().await.expect("commit");

    // The artist pays it all out: a payout on their connected account.
    let res = app
        .call(
            "accounts/sign_in",
            &[
                ("email", "nova@demo.boptone.app"),
                ("password", boptone::seed::DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let amount = b.net + 1_500;
    let dollars = format!("{}.{:02}", amount / 100, amount % 100);
    let payout: PayoutView = app
        .call(
            "payouts/request",
            &[
                ("amount", &dollars),
                ("speed", "standard"),
                ("idempotency_key", "payout-stripe-0001"),
            ],
        )
        .await
        .json()
        .await
        .expect("payout");
    // Recorded with its money set aside at once; a job sends it to Stripe.
    assert_eq!(payout.state, boptone::payouts::Stage::Pending);
    app.run_jobs().await;
    let request = fake.last("POST", "/v1/payouts");
    assert_eq!(request.stripe_account.as_deref(), Some(account.as_str()));
    assert_eq!(request.field("amount"), Some(amount.to_string().as_str()));
    assert_eq!(request.field("currency"), Some("usd"));
    assert_eq!(request.field("method"), Some("standard"));
    assert_eq!(request.field("metadata[reference]"), Some("payout:1"));
    assert_eq!(request.idempotency_key.as_deref(), Some("payout-1"));

    let paid = fake.set_payout_status("po_test_2", "paid");
    fake.set_balance(&account, 0, 0);
    assert_eq!(
        deliver(&app, "evt_po_1", "payout.paid", &paid).await,
        StatusCode::OK
    );
    app.run_jobs().await;
    let after = ledger::artist_balances(&app.state.db, nova, "USD")
        .await
        .expect("balances");
    assert_eq!((after.available, after.pending, after.in_payout), (0, 0, 0));
    assert_eq!(
        fake.last("GET", "/v1/payouts/po_test_2")
            .stripe_account
            .as_deref(),
        Some(account.as_str())
    );

    // An instant payout: the 1% fee is collected from the artist's account first.
    let mut tx = app.state.db.begin_write().await.expect("tx");
    boptone::ledger::service::post(
        &mut tx,
        &boptone::ledger::NewTransaction {
            idempotency_key: "test-credit-2".into(),
            kind: boptone::ledger::TransactionKind::Tip,
            memo: "Another tip".into(),
            reference: None,
            artist_id: Some(nova),
            postings: vec![
                boptone::ledger::Posting {
                    account: boptone::ledger::Account::new(
                        boptone::ledger::Owner::External,
                        boptone::ledger::AccountKind::CardPayments,
                        "USD",
                    ),
                    amount: -5_000,
                },
                boptone::ledger::Posting {
                    account: boptone::ledger::Account::new(
                        boptone::ledger::Owner::Artist(nova),
                        boptone::ledger::AccountKind::Available,
                        "USD",
                    ),
                    amount: 5_000,
                },
            ],
        },
    )
    .await
    .expect("credit");
    tx.commit().await.expect("commit");
    let instant: PayoutView = app
        .call(
            "payouts/request",
            &[
                ("amount", "50"),
                ("speed", "instant"),
                ("idempotency_key", "payout-stripe-0002"),
            ],
        )
        .await
        .json()
        .await
        .expect("instant payout");
    assert_eq!(instant.fee_cents, 50);
    app.run_jobs().await;
    let debit = fake.last("POST", "/v1/transfers");
    assert_eq!(debit.stripe_account.as_deref(), Some(account.as_str()));
    assert_eq!(debit.field("destination"), Some("acct_boptone_platform"));
    assert_eq!(debit.field("amount"), Some("50"));
    assert_eq!(debit.idempotency_key.as_deref(), Some("payout-fee-2"));
    let paid_out = fake.last("POST", "/v1/payouts");
    assert_eq!(
        (paid_out.field("amount"), paid_out.field("method")),
        (Some("4950"), Some("instant"))
    );

    // Reconciliation reads the connected account's balance: it agrees.
    let found = boptone::reconciliation::service::reconcile(&app.state, now_ms())
        .await
        .expect("reconcile");
    let balance_calls = fake
        .requests()
        .iter()
        .filter(|r| r.path == "/v1/balance")
        .count();
    assert!(balance_calls >= 1);
    assert!(fake.last("GET", "/v1/balance").stripe_account.is_some());
    // Only the demo artists' sandbox accounts are unknown to this Stripe (they report 0 = 0).
    assert_eq!(found, 0);
}

async fn tips_over_http_respect_the_gate_and_the_hourly_limit(db: TestDb) {
    boptone::seed::seed_demo(&db.db).await.expect("seed");
    let app = TestApp::spawn_with(db, |config| config.tips_per_fan_per_hour = 1).await;
    let tip = |key: &'static str| {
        [
            ("handle", "nova_reyes"),
            ("amount", "5"),
            ("email", "limit@example.com"),
            ("idempotency_key", key),
        ]
    };
    // Payouts off: the artist cannot receive money, and nothing is written.
    query(
        "UPDATE artist_profiles SET payouts_enabled = FALSE WHERE user_id = (SELECT id FROM users WHERE handle = 'nova_reyes')")
        .execute(&app.state.db).await
    .expect("payouts off");
    let refused = app.call("tips/kick_in", &tip("tip-http-gate-0001")).await;
    assert_eq!(refused.status(), 409);
    let err: boptone::AppError = refused.json().await.expect("error");
    assert_eq!(
        err.to_string(),
        "Nova Reyes can't receive tips yet. Check back soon!"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM tips").await, 0);

    // Payouts on: one tip an hour from this fan, then a clear refusal with a wait.
    query(
        "UPDATE artist_profiles SET payouts_enabled = TRUE WHERE user_id = (SELECT id FROM users WHERE handle = 'nova_reyes')")
        .execute(&app.state.db).await
    .expect("payouts on");
    assert_eq!(
        app.call("tips/kick_in", &tip("tip-http-gate-0002"))
            .await
            .status(),
        200
    );
    let limited = app.call("tips/kick_in", &tip("tip-http-gate-0003")).await;
    assert_eq!(limited.status(), 429);
    let wait: u64 = limited
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((3_000..=3_600).contains(&wait), "{wait}");
    let err: boptone::AppError = limited.json().await.expect("error");
    let message = err.to_string();
    assert!(
        message
            .starts_with("That's 1 tip to Nova Reyes this hour. Thank you! Please try again in "),
        "{message}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM tips").await, 1);

    // Before the page hydrates there is no attempt key: a plain form post still tips
    // (another artist: this guest's hour with Nova is used up), and goes straight to the
    // checkout.
    let res = app
        .client
        .post(app.url("/api/tips/kick_in"))
        .header(reqwest::header::ACCEPT, "text/html")
        .header(reqwest::header::REFERER, app.url("/@kofi_mensah"))
        .form(&[
            ("handle", "kofi_mensah"),
            ("amount", "7"),
            ("email", "nojs@example.com"),
            ("idempotency_key", ""),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 302);
    let location = res
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(location.contains("/sandbox/checkout/cs_"), "{location}");
    assert_eq!(app.count("SELECT COUNT(*) FROM tips").await, 2);
}

both_databases!(
    a_tip_and_a_payout_through_stripe,
    tips_over_http_respect_the_gate_and_the_hourly_limit,
);
