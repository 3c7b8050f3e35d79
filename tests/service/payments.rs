//! Provider events reach the domain that registered their purpose, and only it: a
//! payment-mode checkout for a new kind of sale is not taken for a tip.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use boptone::{
    AppError,
    background::{Routes, routes},
    both_databases,
    db::query,
    events::PlatformEvent,
    payments::{
        events,
        provider::ProviderError,
        routing::{Change, PaymentHandler},
    },
    state::AppState,
    testing::TestDb,
};
use serde_json::json;

/// A domain that writes down every change it is handed.
struct Recorder(Arc<Mutex<Vec<String>>>);

#[async_trait]
impl PaymentHandler for Recorder {
    async fn apply(
        &self,
        _: &AppState,
        change: &Change<'_>,
    ) -> Result<Vec<PlatformEvent>, AppError> {
        self.0.lock().expect("lock").push(format!("{change:?}"));
        Ok(Vec::new())
    }
}

async fn deliver(t: &TestDb, state: &AppState, id: &str, kind: &str, object: serde_json::Value) {
    let raw = json!({ "id": id, "type": kind, "created": 1, "data": { "object": object } });
    let mut tx = t.db.begin().await.expect("begin");
    assert!(
        events::record(&mut tx, "sandbox", &raw.to_string())
            .await
            .expect("record")
    );
    tx.commit().await.expect("commit");
    let stored: i64 = query("SELECT id FROM payment_events WHERE event_id = $1")
        .bind(id)
        .scalar_one(&t.db)
        .await
        .expect("stored");
    events::process(state, stored).await.expect("processed");
}

async fn a_change_goes_to_the_domain_of_its_purpose(t: TestDb) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let orders = Arc::new(Mutex::new(Vec::new()));
    let base = routes();
    let state = AppState {
        routes: Arc::new(Routes {
            payments: base
                .payments
                .purpose("order", Recorder(orders.clone()))
                .purpose("ticket", Recorder(seen.clone())),
            events: base.events,
        }),
        ..t.state()
    };
    let order =
        json!({ "id": "cs_order_7", "mode": "payment", "metadata": { "reference": "order:7" } });
    deliver(&t, &state, "evt_1", "checkout.session.completed", order).await;
    let paid = json!({ "id": "pi_order_7", "metadata": { "reference": "order:7" } });
    deliver(&t, &state, "evt_2", "payment_intent.succeeded", paid).await;
    // A purpose nobody registered reaches nobody.
    let unknown = json!({ "id": "pi_gift_1", "metadata": { "reference": "gift:1" } });
    deliver(&t, &state, "evt_3", "payment_intent.succeeded", unknown).await;
    assert_eq!(
        *orders.lock().expect("lock"),
        [
            r#"Checkout { id: "cs_order_7", completed: true, reference: Some("order:7") }"#,
            r#"Payment { reference: Some("order:7") }"#,
        ]
    );
    assert!(seen.lock().expect("lock").is_empty());
    let processed: i64 =
        query("SELECT COUNT(*) FROM payment_events WHERE processed_at IS NOT NULL")
            .scalar_one(&t.db)
            .await
            .expect("count");
    assert_eq!(processed, 3, "every event is marked processed");
}

/// A failed plan payment is told to the artist once per provider event, however often
/// the event is processed.
async fn a_failed_plan_payment_is_recorded_once(t: TestDb) {
    boptone::seed::seed_demo(&t.db).await.expect("seed");
    let state = t.state();
    let subscription: String =
        query("SELECT provider_subscription_id FROM subscriptions ORDER BY id LIMIT 1")
            .scalar_one(&t.db)
            .await
            .expect("a demo artist's plan");
    let invoice = json!({ "id": "in_1", "subscription": subscription });
    deliver(
        &t,
        &state,
        "evt_failed_1",
        "invoice.payment_failed",
        invoice,
    )
    .await;
    let stored: i64 = query("SELECT id FROM payment_events WHERE event_id = 'evt_failed_1'")
        .scalar_one(&t.db)
        .await
        .expect("stored");
    events::process(&state, stored)
        .await
        .expect("processed again");
    let told: i64 =
        query("SELECT COUNT(*) FROM platform_events WHERE name = 'artist.plan.payment_failed'")
            .scalar_one(&t.db)
            .await
            .expect("count");
    assert_eq!(told, 1);
}

/// The sandbox's balance of an account reads that account's movements only, and a
/// movement that does not parse fails the read instead of silently not counting.
async fn a_sandbox_balance_counts_its_own_movements_and_refuses_corrupt_ones(t: TestDb) {
    let state = t.state();
    let insert = "INSERT INTO sandbox_objects (id, kind, data, created_at, updated_at, account, counterparty) \
                  VALUES ($1, $2, $3, 0, 0, $4, $5)";
    let paid = json!({
        "id": "pi_1", "object": "payment_intent", "amount": 1_000, "currency": "usd",
        "status": "succeeded", "application_fee_amount": 59, "amount_refunded": 0,
        "transfer_data": { "destination": "acct_a" }
    });
    let moved = json!({
        "id": "tr_1", "object": "transfer", "amount": 100, "currency": "usd",
        "destination": "acct_b", "_sandbox": { "from": "acct_a" }
    });
    for (id, kind, data, account, counterparty) in [
        ("pi_1", "payment_intent", paid.to_string(), "acct_a", None),
        (
            "tr_1",
            "transfer",
            moved.to_string(),
            "acct_a",
            Some("acct_b"),
        ),
    ] {
        query(insert)
            .bind(id)
            .bind(kind)
            .bind(data)
            .bind(account)
            .bind(counterparty)
            .execute(&t.db)
            .await
            .expect("insert");
    }
    assert_eq!(
        state.payments.account_balance("acct_a", "USD").await,
        Ok(841)
    );
    assert_eq!(
        state.payments.account_balance("acct_b", "USD").await,
        Ok(100)
    );
    assert_eq!(state.payments.account_balance("acct_b", "EUR").await, Ok(0));
    query(insert)
        .bind("po_bad")
        .bind("payout")
        .bind("{ not json")
        .bind("acct_b")
        .bind(None::<&str>)
        .execute(&t.db)
        .await
        .expect("insert");
    assert!(matches!(
        state.payments.account_balance("acct_b", "USD").await,
        Err(ProviderError::Unavailable(message)) if message.contains("po_bad")
    ));
    assert_eq!(
        state.payments.account_balance("acct_a", "USD").await,
        Ok(841),
        "another account's rows are not read"
    );
}

both_databases!(
    a_change_goes_to_the_domain_of_its_purpose,
    a_failed_plan_payment_is_recorded_once,
    a_sandbox_balance_counts_its_own_movements_and_refuses_corrupt_ones
);
