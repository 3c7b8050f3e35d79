//! A local HTTP server that speaks Stripe's wire format for the calls Boptone makes:
//! form-encoded requests (recorded, so tests check them field by field) and JSON
//! responses shaped like Stripe's objects.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    Form, Json, Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde_json::{Value, json};

/// One request as Stripe would have received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: &'static str,
    pub path: String,
    pub form: Vec<(String, String)>,
    pub authorization: String,
    pub idempotency_key: Option<String>,
    pub stripe_version: Option<String>,
    /// The connected account the call acts on (`Stripe-Account`).
    pub stripe_account: Option<String>,
}

impl Recorded {
    /// The value of form field `name` (bracket notation, e.g. `line_items[0][quantity]`).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Inner {
    requests: Vec<Recorded>,
    sessions: HashMap<String, Value>,
    subscriptions: HashMap<String, Value>,
    accounts: HashMap<String, Value>,
    payouts: HashMap<String, Value>,
    /// Per connected account: (available, pending) in cents.
    balances: HashMap<String, (i64, i64)>,
    next: u32,
}

#[derive(Clone, Default)]
pub struct FakeStripe {
    inner: Arc<Mutex<Inner>>,
    pub base: String,
}

const NOW: i64 = 1_780_000_000;

fn record(
    fake: &FakeStripe,
    method: &'static str,
    path: String,
    headers: &HeaderMap,
    form: Vec<(String, String)>,
) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    fake.lock().requests.push(Recorded {
        method,
        path,
        form,
        authorization: header("authorization").unwrap_or_default(),
        idempotency_key: header("idempotency-key"),
        stripe_version: header("stripe-version"),
        stripe_account: header("stripe-account"),
    });
}

fn not_found(what: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(
            json!({ "error": { "type": "invalid_request_error", "code": "resource_missing",
            "message": format!("No such {what}") } }),
        ),
    )
        .into_response()
}

impl FakeStripe {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().expect("fake stripe state")
    }

    /// Starts the server on a free port.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!(
            "http://127.0.0.1:{}/",
            listener.local_addr().expect("addr").port()
        );
        let fake = Self {
            inner: Arc::default(),
            base,
        };
        let router = Router::new()
            .route("/v1/checkout/sessions", post(create_session))
            .route("/v1/checkout/sessions/{id}", get(get_session))
            .route("/v1/checkout/sessions/{id}/expire", post(expire_session))
            .route("/v1/subscriptions/{id}", get(get_subscription))
            .route("/v1/accounts", post(create_account))
            .route("/v1/accounts/{id}", get(get_account))
            .route("/v1/account_links", post(create_account_link))
            .route("/v1/billing_portal/sessions", post(create_portal))
            .route("/v1/payouts", post(create_payout))
            .route("/v1/payouts/{id}", get(get_payout))
            .route("/v1/balance", get(get_balance))
            .route("/v1/transfers", post(create_transfer))
            .with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        fake
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.lock().requests.clone()
    }

    /// The last request to `path` with `method`.
    pub fn last(&self, method: &str, path: &str) -> Recorded {
        self.requests()
            .into_iter()
            .rev()
            .find(|r| r.method == method && r.path == path)
            .unwrap_or_else(|| panic!("no {method} {path} reached Stripe"))
    }

    /// The customer pays: the session completes with a customer and an active
    /// subscription. Returns the session object (for a webhook event).
    pub fn complete_session(&self, id: &str, tier: &str) -> Value {
        let mut inner = self.lock();
        let sub_id = format!("sub_{id}");
        let subscription = subscription_json(&sub_id, "cus_test_1", "active", tier);
        inner.subscriptions.insert(sub_id.clone(), subscription);
        let session = inner.sessions.get_mut(id).expect("known session");
        session["status"] = json!("complete");
        session["payment_status"] = json!("paid");
        session["customer"] = json!("cus_test_1");
        session["subscription"] = json!(sub_id);
        session["url"] = Value::Null;
        session.clone()
    }

    /// Stripe's verification finished for a connected account.
    pub fn enable_account(&self, id: &str) -> Value {
        let mut inner = self.lock();
        let account = inner.accounts.get_mut(id).expect("known account");
        account["details_submitted"] = json!(true);
        account["charges_enabled"] = json!(true);
        account["payouts_enabled"] = json!(true);
        account.clone()
    }

    /// A one-off payment completes: `payment_intent` set, paid.
    pub fn complete_payment(&self, id: &str) -> Value {
        let mut inner = self.lock();
        let session = inner.sessions.get_mut(id).expect("known session");
        session["status"] = json!("complete");
        session["payment_status"] = json!("paid");
        session["payment_intent"] = json!(format!("pi_{id}"));
        session["url"] = Value::Null;
        session.clone()
    }

    pub fn set_balance(&self, account: &str, available: i64, pending: i64) {
        self.lock()
            .balances
            .insert(account.to_owned(), (available, pending));
    }

    pub fn set_payout_status(&self, id: &str, status: &str) -> Value {
        let mut inner = self.lock();
        let payout = inner.payouts.get_mut(id).expect("known payout");
        payout["status"] = json!(status);
        payout.clone()
    }

    pub fn set_subscription_status(&self, id: &str, status: &str) -> Value {
        let mut inner = self.lock();
        let sub = inner.subscriptions.get_mut(id).expect("known subscription");
        sub["status"] = json!(status);
        sub.clone()
    }
}

fn subscription_json(id: &str, customer: &str, status: &str, tier: &str) -> Value {
    json!({
        "id": id, "object": "subscription", "automatic_tax": { "enabled": false },
        "billing_cycle_anchor": NOW, "billing_mode": { "type": "classic" }, "billing_schedules": [],
        "cancel_at_period_end": false, "collection_method": "charge_automatically", "created": NOW,
        "currency": "usd", "customer": customer, "discounts": [], "invoice_settings": { "issuer": { "type": "self" } },
        "livemode": false, "metadata": { "tier": tier }, "start_date": NOW, "status": status,
        "items": { "object": "list", "has_more": false, "url": format!("/v1/subscription_items?subscription={id}"), "data": [{
            "id": "si_1", "object": "subscription_item", "created": NOW, "current_period_start": NOW,
            "current_period_end": NOW + 2_592_000, "discounts": [], "metadata": {}, "subscription": id, "quantity": 1,
            "plan": { "id": "price_1", "object": "plan", "active": true, "billing_scheme": "per_unit", "created": NOW,
                      "currency": "usd", "interval": "month", "interval_count": 1, "livemode": false, "usage_type": "licensed",
                      "amount": 2900, "product": "prod_1" },
            "price": { "id": "price_1", "object": "price", "active": true, "billing_scheme": "per_unit", "created": NOW,
                       "currency": "usd", "livemode": false, "metadata": {}, "product": "prod_1", "type": "recurring",
                       "unit_amount": 2900, "recurring": { "interval": "month", "interval_count": 1, "usage_type": "licensed" } }
        }]}
    })
}

async fn create_session(
    State(fake): State<FakeStripe>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    record(
        &fake,
        "POST",
        "/v1/checkout/sessions".into(),
        &headers,
        form.clone(),
    );
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let mut inner = fake.lock();
    inner.next += 1;
    let id = format!("cs_test_{}", inner.next);
    let session = json!({
        "id": id, "object": "checkout.session", "automatic_tax": { "enabled": false }, "created": NOW,
        "custom_fields": [], "custom_text": {}, "expires_at": NOW + 86_400, "livemode": false,
        "mode": get("mode"), "payment_method_types": ["card"], "payment_status": "unpaid", "shipping_options": [],
        "status": "open", "url": format!("https://checkout.stripe.test/c/pay/{id}"),
        "client_reference_id": get("client_reference_id"), "customer_email": get("customer_email"),
        "amount_total": get("line_items[0][price_data][unit_amount]").and_then(|a| a.parse::<i64>().ok()),
        "currency": get("line_items[0][price_data][currency]"),
        "metadata": form
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("metadata[")?.strip_suffix(']')?.to_owned(), json!(v))))
            .collect::<serde_json::Map<String, Value>>(),
        "customer": null, "subscription": null,
    });
    inner.sessions.insert(id, session.clone());
    Json(session).into_response()
}

async fn get_session(
    State(fake): State<FakeStripe>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    record(
        &fake,
        "GET",
        format!("/v1/checkout/sessions/{id}"),
        &headers,
        vec![],
    );
    match fake.lock().sessions.get(&id) {
        Some(s) => Json(s.clone()).into_response(),
        None => not_found("checkout session"),
    }
}

async fn expire_session(
    State(fake): State<FakeStripe>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    record(
        &fake,
        "POST",
        format!("/v1/checkout/sessions/{id}/expire"),
        &headers,
        vec![],
    );
    let mut inner = fake.lock();
    let Some(session) = inner.sessions.get_mut(&id) else {
        return not_found("checkout session");
    };
    if session["status"] != "open" {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": { "type": "invalid_request_error",
                "message": "Only Checkout Sessions with a status in [\"open\"] can be expired." } })),
        )
            .into_response();
    }
    session["status"] = json!("expired");
    session["url"] = Value::Null;
    Json(session.clone()).into_response()
}

async fn get_subscription(
    State(fake): State<FakeStripe>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    record(
        &fake,
        "GET",
        format!("/v1/subscriptions/{id}"),
        &headers,
        vec![],
    );
    match fake.lock().subscriptions.get(&id) {
        Some(s) => Json(s.clone()).into_response(),
        None => not_found("subscription"),
    }
}

async fn create_account(
    State(fake): State<FakeStripe>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    record(&fake, "POST", "/v1/accounts".into(), &headers, form.clone());
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let mut inner = fake.lock();
    inner.next += 1;
    let id = format!("acct_test_{}", inner.next);
    let account = json!({
        "id": id, "object": "account", "type": get("type"), "email": get("email"), "created": NOW,
        "charges_enabled": false, "payouts_enabled": false, "details_submitted": false,
        "metadata": { "user_id": get("metadata[user_id]") },
    });
    inner.accounts.insert(id, account.clone());
    Json(account).into_response()
}

async fn get_account(
    State(fake): State<FakeStripe>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    record(&fake, "GET", format!("/v1/accounts/{id}"), &headers, vec![]);
    match fake.lock().accounts.get(&id) {
        Some(a) => Json(a.clone()).into_response(),
        None => not_found("account"),
    }
}

async fn create_account_link(
    State(fake): State<FakeStripe>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    record(
        &fake,
        "POST",
        "/v1/account_links".into(),
        &headers,
        form.clone(),
    );
    let account = form
        .iter()
        .find(|(n, _)| n == "account")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    Json(json!({
        "object": "account_link", "created": NOW, "expires_at": NOW + 300,
        "url": format!("https://connect.stripe.test/setup/e/{account}"),
    }))
    .into_response()
}

async fn create_portal(
    State(fake): State<FakeStripe>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    record(
        &fake,
        "POST",
        "/v1/billing_portal/sessions".into(),
        &headers,
        form.clone(),
    );
    let customer = form
        .iter()
        .find(|(n, _)| n == "customer")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    Json(json!({
        "id": "bps_1", "object": "billing_portal.session", "configuration": "bpc_1", "created": NOW,
        "customer": customer, "livemode": false, "return_url": form.iter().find(|(n, _)| n == "return_url").map(|(_, v)| v.clone()),
        "url": "https://billing.stripe.test/p/session/bps_1",
    }))
    .into_response()
}

fn payout_json(id: &str, amount: i64, method: &str, status: &str) -> Value {
    json!({
        "id": id, "object": "payout", "amount": amount, "arrival_date": NOW + 86_400, "automatic": false,
        "created": NOW, "currency": "usd", "livemode": false, "method": method,
        "reconciliation_status": "not_applicable", "source_type": "card", "status": status, "type": "bank_account",
        "failure_message": null,
    })
}

async fn create_payout(
    State(fake): State<FakeStripe>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    record(&fake, "POST", "/v1/payouts".into(), &headers, form.clone());
    let get = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut inner = fake.lock();
    inner.next += 1;
    let id = format!("po_test_{}", inner.next);
    let payout = payout_json(
        &id,
        get("amount").parse().unwrap_or(0),
        &get("method"),
        "in_transit",
    );
    inner.payouts.insert(id, payout.clone());
    Json(payout).into_response()
}

async fn get_payout(
    State(fake): State<FakeStripe>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    record(&fake, "GET", format!("/v1/payouts/{id}"), &headers, vec![]);
    match fake.lock().payouts.get(&id) {
        Some(p) => Json(p.clone()).into_response(),
        None => not_found("payout"),
    }
}

async fn get_balance(State(fake): State<FakeStripe>, headers: HeaderMap) -> Response {
    record(&fake, "GET", "/v1/balance".into(), &headers, vec![]);
    let account = headers
        .get("stripe-account")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let (available, pending) = fake
        .lock()
        .balances
        .get(&account)
        .copied()
        .unwrap_or((0, 0));
    Json(json!({
        "object": "balance", "livemode": false,
        "available": [{ "amount": available, "currency": "usd" }],
        "pending": [{ "amount": pending, "currency": "usd" }],
    }))
    .into_response()
}

async fn create_transfer(
    State(fake): State<FakeStripe>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    record(
        &fake,
        "POST",
        "/v1/transfers".into(),
        &headers,
        form.clone(),
    );
    let get = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut inner = fake.lock();
    inner.next += 1;
    Json(json!({
        "id": format!("tr_test_{}", inner.next), "object": "transfer", "amount": get("amount").parse::<i64>().unwrap_or(0),
        "amount_reversed": 0, "created": NOW, "currency": get("currency"), "destination": get("destination"),
        "livemode": false, "metadata": {}, "reversed": false,
        "reversals": { "object": "list", "data": [], "has_more": false, "url": "/v1/transfers/reversals" },
    }))
    .into_response()
}
