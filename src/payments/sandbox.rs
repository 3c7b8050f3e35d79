//! The sandbox payment provider: the default when no Stripe keys are configured. It
//! keeps Stripe-shaped objects in `sandbox_objects`, hosts its own checkout, payout
//! onboarding and billing pages inside the app, accepts Stripe's test card numbers
//! (declines and 3-D Secure included) and emits the same events Stripe's webhooks
//! deliver, through the same processing. [`provider`] is the provider, [`pages`] the
//! hosted pages, [`demo`] the shortcut for demo data; this file holds the stored
//! objects they share.
//!
//! Owns `sandbox_objects` and `sandbox_idempotency`.

use crate::db::query;
use async_trait::async_trait;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{
    AUTHENTICATION_FAILED, CardInput, CardOutcome, SubscriptionStatus, Tier, card_outcome, events,
    provider::{
        AccountState, CheckoutRedirect, CheckoutSessionState, CheckoutStatus, NewPayoutAccount,
        OnboardingLinks, PaymentCheckout, PaymentProvider, PayoutRequest, PayoutState,
        PayoutStatus, ProviderError, SubscriptionCheckout, SubscriptionState,
    },
};
use crate::{
    accounts::UserId,
    db::{Db, Exec, Tx},
    error::{AppError, FieldError},
    state::AppState,
    time::{DAY, now_ms},
};

pub use super::views::{
    BillingChange, BillingView, CheckoutView, ConnectView, OnboardingForm, PayResult,
};

mod demo;
mod pages;
mod provider;

pub use demo::provision_ready_artist;
pub use pages::{
    authenticate, billing_view, change_billing, checkout_view, connect_view, mask_email, pay,
    refund_payment, submit_onboarding,
};

/// How long a sandbox checkout stays open, like Stripe's default.
const CHECKOUT_LIFETIME_SECS: i64 = 24 * 60 * 60;
/// A month, for subscription periods.
const PERIOD_SECS: i64 = 30 * 24 * 60 * 60;

pub struct Sandbox {
    db: Db,
    public_url: String,
}

impl Sandbox {
    pub fn new(db: Db, public_url: impl Into<String>) -> Self {
        Self {
            db,
            public_url: public_url.into(),
        }
    }
}

/// The id of the object a create call with idempotency key `key` makes: a fresh,
/// random (unguessable) id the first time, the same object for a retry with the same
/// parameters (`fingerprint`), and a refusal for a reuse with other parameters — as
/// Stripe keeps its keys.
async fn keyed_id(
    db: &Db,
    prefix: &str,
    key: &str,
    fingerprint: &[&str],
) -> Result<String, ProviderError> {
    let fingerprint = crate::idempotency::fingerprint(fingerprint);
    const CLAIM: &str = "INSERT INTO sandbox_idempotency (key, fingerprint, object_id, created_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (key) DO NOTHING";
    query(CLAIM)
        .bind(key)
        .bind(&fingerprint)
        .bind(random_id(prefix))
        .bind(now_ms())
        .execute(db)
        .await
        .map_err(unavailable)?;
    const FIND: &str = "SELECT fingerprint, object_id FROM sandbox_idempotency WHERE key = $1";
    let (stored, id): (String, String) = query(FIND)
        .bind(key)
        .fetch_one(db)
        .await
        .map_err(unavailable)?;
    if stored != fingerprint {
        return Err(ProviderError::Refused {
            code: "idempotency_error".into(),
            message: "Keys for idempotent requests can only be used with the same parameters they were first used with.".into(),
        });
    }
    Ok(id)
}

/// A stable id derived from another object's (random) id, for the objects one
/// payment makes (its payment intent, charge, customer…).
fn id_from_key(prefix: &str, key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("{prefix}_sbx_{hex}")
}

/// A random id with 128 bits of entropy.
fn random_id(prefix: &str) -> String {
    format!(
        "{prefix}_sbx_{:016x}{:016x}",
        rand::random::<u64>(),
        rand::random::<u64>()
    )
}

fn unavailable(e: AppError) -> ProviderError {
    ProviderError::Unavailable(e.to_string())
}

/// A stored object, on the pool or inside a transaction.
async fn load<'a>(on: impl Into<Exec<'a>>, id: &str) -> Result<Option<Value>, AppError> {
    const SQL: &str = "SELECT data FROM sandbox_objects WHERE id = $1";
    let data: Option<String> = query(SQL).bind(id).scalar_optional(on).await?;
    data.map(|d| serde_json::from_str(&d).map_err(|e| AppError::internal("sandbox object", &e)))
        .transpose()
}

/// The payout accounts a money movement touches: the one it pays or debits, and for a
/// transfer between accounts the one it credits (indexed, for balances).
fn accounts_of(object: &Value) -> (Option<&str>, Option<&str>) {
    match object["object"].as_str() {
        Some("payment_intent") => (object["transfer_data"]["destination"].as_str(), None),
        Some("payout") => (object["_sandbox"]["account"].as_str(), None),
        Some("transfer") => (
            object["_sandbox"]["from"].as_str(),
            object["destination"].as_str(),
        ),
        _ => (None, None),
    }
}

/// Inserts `object` unless its id exists (an idempotent create). Returns the stored one.
async fn create(db: &Db, object: Value) -> Result<Value, AppError> {
    let id = object["id"].as_str().unwrap_or_default().to_owned();
    let kind = object["object"].as_str().unwrap_or_default().to_owned();
    let (account, counterparty) = accounts_of(&object);
    const SQL: &str = "INSERT INTO sandbox_objects (id, kind, data, created_at, updated_at, account, counterparty) \
                       VALUES ($1, $2, $3, $4, $4, $5, $6) ON CONFLICT (id) DO NOTHING";
    query(SQL)
        .bind(&id)
        .bind(&kind)
        .bind(object.to_string())
        .bind(now_ms())
        .bind(account)
        .bind(counterparty)
        .execute(db)
        .await?;
    load(db, &id).await?.ok_or(AppError::NotFound)
}

async fn save(tx: &mut Tx, object: &Value) -> Result<(), AppError> {
    let id = object["id"].as_str().unwrap_or_default();
    let kind = object["object"].as_str().unwrap_or_default();
    let (account, counterparty) = accounts_of(object);
    const SQL: &str = "INSERT INTO sandbox_objects (id, kind, data, created_at, updated_at, account, counterparty) \
                       VALUES ($1, $2, $3, $4, $4, $5, $6) \
                       ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at";
    query(SQL)
        .bind(id)
        .bind(kind)
        .bind(object.to_string())
        .bind(now_ms())
        .bind(account)
        .bind(counterparty)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// The object as the provider would send it: without the sandbox's private notes.
fn public(object: &Value) -> Value {
    let mut object = object.clone();
    if let Some(map) = object.as_object_mut() {
        map.remove("_sandbox");
    }
    object
}

/// Stores `object` and emits the event `kind` about it, like a webhook delivery.
async fn emit(tx: &mut Tx, kind: &str, object: &Value) -> Result<(), AppError> {
    let event = json!({
        "id": random_id("evt"),
        "object": "event",
        "type": kind,
        "created": now_ms() / 1000,
        "livemode": false,
        "api_version": "sandbox",
        "data": { "object": public(object) },
    });
    events::record(tx, "sandbox", &event.to_string()).await?;
    Ok(())
}

/// A stored payout as the provider reports it; a status it does not know is an
/// answer it cannot act on, as from Stripe.
fn payout_state(payout: &Value) -> Result<PayoutState, ProviderError> {
    let status = text(payout, "status").unwrap_or_default();
    Ok(PayoutState {
        id: text(payout, "id").unwrap_or_default(),
        status: PayoutStatus::parse(&status).ok_or_else(|| {
            ProviderError::Unavailable(format!("unknown payout status {status:?}"))
        })?,
        failure_message: text(payout, "failure_message"),
        arrival_date: payout["arrival_date"].as_i64(),
    })
}

fn text(value: &Value, key: &str) -> Option<String> {
    value[key].as_str().map(str::to_owned)
}

fn checkout_status(session: &Value) -> CheckoutStatus {
    match session["status"].as_str() {
        Some("complete") => CheckoutStatus::Complete,
        Some("expired") => CheckoutStatus::Expired,
        _ if session["expires_at"].as_i64().unwrap_or(i64::MAX) < now_ms() / 1000 => {
            CheckoutStatus::Expired
        }
        _ => CheckoutStatus::Open,
    }
}
