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
mod objects;
mod pages;
mod provider;

use objects::*;

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

/// A stored object of kind `T`, on the pool or inside a transaction. An object of
/// another kind is not found; one that does not parse is an error, never skipped.
async fn load<'a, T: Stored>(on: impl Into<Exec<'a>>, id: &str) -> Result<Option<T>, AppError> {
    const SQL: &str = "SELECT data FROM sandbox_objects WHERE id = $1 AND kind = $2";
    let data: Option<String> = query(SQL)
        .bind(id)
        .bind(T::KIND)
        .scalar_optional(on)
        .await?;
    data.map(|d| parse::<T>(id, &d)).transpose()
}

fn parse<T: Stored>(id: &str, data: &str) -> Result<T, AppError> {
    serde_json::from_str(data).map_err(|e| AppError::internal(&format!("sandbox object {id}"), &e))
}

/// The object as Stripe's API returns it, with the sandbox's notes.
fn stored_json<T: Stored>(object: &T) -> Result<Value, AppError> {
    let mut json =
        serde_json::to_value(object).map_err(|e| AppError::internal("sandbox object", &e))?;
    if let Some(map) = json.as_object_mut() {
        map.insert("object".into(), Value::from(T::KIND));
    }
    Ok(json)
}

const INSERT: &str = "INSERT INTO sandbox_objects (id, kind, data, created_at, updated_at, account, counterparty) \
                      VALUES ($1, $2, $3, $4, $4, $5, $6) ON CONFLICT (id) DO NOTHING";
const UPSERT: &str = "INSERT INTO sandbox_objects (id, kind, data, created_at, updated_at, account, counterparty) \
                      VALUES ($1, $2, $3, $4, $4, $5, $6) \
                      ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at";

/// Inserts `object` unless its id exists (an idempotent create). Returns the stored one.
async fn create<T: Stored>(db: &Db, object: &T) -> Result<T, AppError> {
    write(db, INSERT, object).await?;
    load(db, object.id()).await?.ok_or(AppError::NotFound)
}

/// Stores `object`, replacing the stored version.
async fn save<T: Stored>(tx: &mut Tx, object: &T) -> Result<(), AppError> {
    write(&mut *tx, UPSERT, object).await
}

async fn write<'a, T: Stored>(
    on: impl Into<Exec<'a>>,
    sql: &'static str,
    object: &T,
) -> Result<(), AppError> {
    let (account, counterparty) = object.accounts();
    query(sql)
        .bind(object.id())
        .bind(T::KIND)
        .bind(stored_json(object)?.to_string())
        .bind(now_ms())
        .bind(account)
        .bind(counterparty)
        .execute(on)
        .await?;
    Ok(())
}

/// Emits the event `kind` about `object`, like a webhook delivery: the object as the
/// provider would send it, without the sandbox's private notes.
async fn emit<T: Stored>(tx: &mut Tx, kind: &str, object: &T) -> Result<(), AppError> {
    let mut public = stored_json(object)?;
    if let Some(map) = public.as_object_mut() {
        map.remove("_sandbox");
    }
    let event = json!({
        "id": random_id("evt"),
        "object": "event",
        "type": kind,
        "created": now_ms() / 1000,
        "livemode": false,
        "api_version": "sandbox",
        "data": { "object": public },
    });
    events::record(tx, "sandbox", &event.to_string()).await?;
    Ok(())
}

/// A stored payout as the provider reports it.
fn payout_state(payout: &Payout) -> PayoutState {
    PayoutState {
        id: payout.id.clone(),
        status: payout.status,
        failure_message: payout.failure_message.clone(),
        arrival_date: Some(payout.arrival_date),
    }
}
