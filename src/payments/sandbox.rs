//! The sandbox payment provider: the default when no Stripe keys are configured. It
//! keeps Stripe-shaped objects in `sandbox_objects`, hosts its own checkout, payout
//! onboarding and billing pages inside the app, accepts Stripe's test card numbers
//! (declines and 3-D Secure included) and emits the same events Stripe's webhooks
//! deliver, through the same processing.

use crate::db::query;
use async_trait::async_trait;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{
    AUTHENTICATION_FAILED, CardInput, CardOutcome, SubscriptionStatus, Tier, card_outcome, events,
    provider::{
        AccountState, CheckoutRedirect, CheckoutSessionState, CheckoutStatus, NewPayoutAccount,
        OnboardingLinks, PaymentCheckout, PaymentProvider, PayoutRequest, PayoutState,
        ProviderError, SubscriptionCheckout, SubscriptionState,
    },
};
use crate::{
    accounts::UserId,
    db::{Db, Tx},
    error::{AppError, FieldError},
    state::AppState,
    time::{DAY, now_ms},
};

pub use super::views::{
    BillingChange, BillingView, CheckoutView, ConnectView, OnboardingForm, PayResult,
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

async fn load(db: &Db, id: &str) -> Result<Option<Value>, AppError> {
    const SQL: &str = "SELECT data FROM sandbox_objects WHERE id = $1";
    let data: Option<String> = query(SQL).bind(id).scalar_optional(db).await?;
    data.map(|d| serde_json::from_str(&d).map_err(|e| AppError::internal("sandbox object", &e)))
        .transpose()
}

async fn load_tx(tx: &mut Tx, id: &str) -> Result<Option<Value>, AppError> {
    const SQL: &str = "SELECT data FROM sandbox_objects WHERE id = $1";
    let data: Option<String> = query(SQL).bind(id).scalar_optional(&mut *tx).await?;
    data.map(|d| serde_json::from_str(&d).map_err(|e| AppError::internal("sandbox object", &e)))
        .transpose()
}

/// Inserts `object` unless its id exists (an idempotent create). Returns the stored one.
async fn create(db: &Db, object: Value) -> Result<Value, AppError> {
    let id = object["id"].as_str().unwrap_or_default().to_owned();
    let kind = object["object"].as_str().unwrap_or_default().to_owned();
    const SQL: &str = "INSERT INTO sandbox_objects (id, kind, data, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
                       ON CONFLICT (id) DO NOTHING";
    query(SQL)
        .bind(&id)
        .bind(&kind)
        .bind(object.to_string())
        .bind(now_ms())
        .execute(db)
        .await?;
    load(db, &id).await?.ok_or(AppError::NotFound)
}

async fn save(tx: &mut Tx, object: &Value) -> Result<(), AppError> {
    let id = object["id"].as_str().unwrap_or_default();
    let kind = object["object"].as_str().unwrap_or_default();
    const SQL: &str = "INSERT INTO sandbox_objects (id, kind, data, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
                       ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at";
    query(SQL)
        .bind(id)
        .bind(kind)
        .bind(object.to_string())
        .bind(now_ms())
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

fn payout_state(payout: &Value) -> PayoutState {
    PayoutState {
        id: text(payout, "id").unwrap_or_default(),
        status: text(payout, "status").unwrap_or_default(),
        failure_message: text(payout, "failure_message"),
        arrival_date: payout["arrival_date"].as_i64(),
    }
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

#[async_trait]
impl PaymentProvider for Sandbox {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    /// The sandbox settles at once.
    fn settlement_hold_ms(&self) -> i64 {
        0
    }

    fn hosts_pages_in_app(&self) -> bool {
        true
    }

    async fn create_subscription_checkout(
        &self,
        request: &SubscriptionCheckout,
    ) -> Result<CheckoutRedirect, ProviderError> {
        let plan = request.tier.plan();
        let id = keyed_id(
            &self.db,
            "cs_test",
            &request.idempotency_key,
            &[
                "subscription",
                &request.signup_id.to_string(),
                request.tier.as_str(),
                &request.email,
                &request.success_url,
                &request.cancel_url,
            ],
        )
        .await?;
        let url = format!("{}/sandbox/checkout/{id}", self.public_url);
        let session = json!({
            "id": id,
            "object": "checkout.session",
            "mode": "subscription",
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": plan.monthly_cents,
            "currency": plan.currency.to_ascii_lowercase(),
            "customer": null,
            "customer_email": request.email,
            "client_reference_id": request.signup_id.to_string(),
            "subscription": null,
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "url": url,
            "created": now_ms() / 1000,
            "expires_at": now_ms() / 1000 + CHECKOUT_LIFETIME_SECS,
            "metadata": { "tier": request.tier.as_str(), "signup_id": request.signup_id.to_string() },
        });
        let stored = create(&self.db, session).await.map_err(unavailable)?;
        Ok(CheckoutRedirect {
            session_id: id,
            url: text(&stored, "url").unwrap_or(url),
        })
    }

    async fn create_payment_checkout(
        &self,
        request: &PaymentCheckout,
    ) -> Result<CheckoutRedirect, ProviderError> {
        let id = keyed_id(
            &self.db,
            "cs_test",
            &request.idempotency_key,
            &[
                "payment",
                &request.reference,
                &request.amount.to_string(),
                &request.currency,
                &request.destination,
                &request.application_fee.to_string(),
                &request.email,
                &request.description,
                &request.success_url,
                &request.cancel_url,
            ],
        )
        .await?;
        let url = format!("{}/sandbox/checkout/{id}", self.public_url);
        let session = json!({
            "id": id,
            "object": "checkout.session",
            "mode": "payment",
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": request.amount,
            "currency": request.currency.to_ascii_lowercase(),
            "customer_email": request.email,
            "client_reference_id": request.reference,
            "payment_intent": null,
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "url": url,
            "created": now_ms() / 1000,
            "expires_at": now_ms() / 1000 + CHECKOUT_LIFETIME_SECS,
            "metadata": { "reference": request.reference },
            "_sandbox": {
                "description": request.description,
                "destination": request.destination,
                "application_fee_amount": request.application_fee,
            },
        });
        let stored = create(&self.db, session).await.map_err(unavailable)?;
        Ok(CheckoutRedirect {
            session_id: id,
            url: text(&stored, "url").unwrap_or(url),
        })
    }

    async fn checkout_session(&self, id: &str) -> Result<CheckoutSessionState, ProviderError> {
        let session = load(&self.db, id)
            .await
            .map_err(unavailable)?
            .filter(|s| s["object"] == "checkout.session")
            .ok_or_else(|| ProviderError::NotFound(id.to_owned()))?;
        let status = checkout_status(&session);
        Ok(CheckoutSessionState {
            id: id.to_owned(),
            status,
            url: (status == CheckoutStatus::Open)
                .then(|| text(&session, "url"))
                .flatten(),
            client_reference_id: text(&session, "client_reference_id"),
            customer: text(&session, "customer"),
            subscription: text(&session, "subscription"),
            paid: session["payment_status"] == "paid",
            payment_intent: text(&session, "payment_intent"),
            amount_total: session["amount_total"].as_i64(),
            currency: text(&session, "currency"),
            destination: text(&session["_sandbox"], "destination"),
        })
    }

    async fn expire_checkout(&self, id: &str) -> Result<CheckoutSessionState, ProviderError> {
        // Under the write lock, so it cannot interleave with a payment completing.
        let mut tx = self.db.begin_write().await.map_err(unavailable)?;
        let mut session = load_tx(&mut tx, id)
            .await
            .map_err(unavailable)?
            .filter(|s| s["object"] == "checkout.session")
            .ok_or_else(|| ProviderError::NotFound(id.to_owned()))?;
        if checkout_status(&session) != CheckoutStatus::Complete && session["status"] != "expired" {
            session["status"] = json!("expired");
            session["url"] = Value::Null;
            save(&mut tx, &session).await.map_err(unavailable)?;
            emit(&mut tx, "checkout.session.expired", &session)
                .await
                .map_err(unavailable)?;
        }
        tx.commit().await.map_err(unavailable)?;
        self.checkout_session(id).await
    }

    async fn subscription(&self, id: &str) -> Result<SubscriptionState, ProviderError> {
        let sub = load(&self.db, id)
            .await
            .map_err(unavailable)?
            .filter(|s| s["object"] == "subscription")
            .ok_or_else(|| ProviderError::NotFound(id.to_owned()))?;
        Ok(SubscriptionState {
            id: id.to_owned(),
            customer: text(&sub, "customer").unwrap_or_default(),
            status: sub["status"]
                .as_str()
                .and_then(SubscriptionStatus::parse)
                .unwrap_or(SubscriptionStatus::Incomplete),
            tier: sub["metadata"]["tier"]
                .as_str()
                .and_then(|t| Tier::parse(t).ok()),
            current_period_end: sub["current_period_end"].as_i64(),
            cancel_at_period_end: sub["cancel_at_period_end"].as_bool().unwrap_or(false),
        })
    }

    async fn billing_portal(
        &self,
        customer: &str,
        return_url: &str,
    ) -> Result<String, ProviderError> {
        let mut object = load(&self.db, customer)
            .await
            .map_err(unavailable)?
            .filter(|c| c["object"] == "customer")
            .ok_or_else(|| ProviderError::NotFound(customer.to_owned()))?;
        object["_sandbox"]["portal_return_url"] = json!(return_url);
        let mut tx = self.db.begin().await.map_err(unavailable)?;
        save(&mut tx, &object).await.map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)?;
        Ok(format!("{}/sandbox/billing/{customer}", self.public_url))
    }

    async fn create_payout_account(
        &self,
        request: &NewPayoutAccount,
    ) -> Result<String, ProviderError> {
        let id = keyed_id(
            &self.db,
            "acct",
            &request.idempotency_key,
            &[&request.user_id.to_string(), &request.email],
        )
        .await?;
        let account = json!({
            "id": id,
            "object": "account",
            "type": "express",
            "email": request.email,
            "country": "US",
            "default_currency": "usd",
            "details_submitted": false,
            "charges_enabled": false,
            "payouts_enabled": false,
            "capabilities": { "transfers": "inactive", "card_payments": "inactive" },
            "metadata": { "user_id": request.user_id.to_string() },
            "created": now_ms() / 1000,
        });
        create(&self.db, account).await.map_err(unavailable)?;
        Ok(id)
    }

    async fn onboarding_link(
        &self,
        account: &str,
        links: &OnboardingLinks,
    ) -> Result<String, ProviderError> {
        let mut object = load(&self.db, account)
            .await
            .map_err(unavailable)?
            .filter(|a| a["object"] == "account")
            .ok_or_else(|| ProviderError::NotFound(account.to_owned()))?;
        object["_sandbox"]["return_url"] = json!(links.return_url);
        object["_sandbox"]["refresh_url"] = json!(links.refresh_url);
        // Like Stripe's account links, a link works for a few minutes.
        object["_sandbox"]["link_expires_at"] = json!(now_ms() + 5 * 60 * 1000);
        let mut tx = self.db.begin().await.map_err(unavailable)?;
        save(&mut tx, &object).await.map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)?;
        Ok(format!("{}/sandbox/connect/{account}", self.public_url))
    }

    /// The sandbox's bank is instant: a payout is paid (or fails) as soon as it is made,
    /// and its event says so. Stripe's test account number `000111111116` fails.
    async fn create_payout(&self, request: &PayoutRequest) -> Result<PayoutState, ProviderError> {
        let account = load(&self.db, &request.account)
            .await
            .map_err(unavailable)?
            .filter(|a| a["object"] == "account")
            .ok_or_else(|| ProviderError::NotFound(request.account.clone()))?;
        if account["payouts_enabled"] != true {
            return Err(ProviderError::Refused {
                code: "payouts_not_allowed".into(),
                message: "Payouts are not enabled on this account.".into(),
            });
        }
        let id = keyed_id(
            &self.db,
            "po",
            &request.idempotency_key,
            &[
                &request.account,
                &request.amount.to_string(),
                &request.currency,
                &request.instant.to_string(),
                &request.reference,
            ],
        )
        .await?;
        if let Some(existing) = load(&self.db, &id).await.map_err(unavailable)? {
            return Ok(payout_state(&existing));
        }
        let bank_fails = account["external_accounts"]["data"][0]["last4"] == "1116";
        let now = now_ms() / 1000;
        let arrival = if request.instant {
            now
        } else {
            now + 24 * 3600
        };
        let mut payout = json!({
            "id": id, "object": "payout", "amount": request.amount,
            "currency": request.currency.to_ascii_lowercase(),
            "method": if request.instant { "instant" } else { "standard" },
            "status": "in_transit", "arrival_date": arrival, "created": now,
            "destination": account["external_accounts"]["data"][0]["last4"],
            "failure_message": null, "metadata": { "reference": request.reference },
            "_sandbox": { "account": request.account },
        });
        let mut tx = self.db.begin().await.map_err(unavailable)?;
        save(&mut tx, &payout).await.map_err(unavailable)?;
        emit(&mut tx, "payout.created", &payout)
            .await
            .map_err(unavailable)?;
        if bank_fails {
            payout["status"] = json!("failed");
            payout["failure_code"] = json!("no_account");
            payout["failure_message"] = json!(
                "The bank account details on file are probably incorrect: no account was found."
            );
            save(&mut tx, &payout).await.map_err(unavailable)?;
            emit(&mut tx, "payout.failed", &payout)
                .await
                .map_err(unavailable)?;
        } else {
            payout["status"] = json!("paid");
            save(&mut tx, &payout).await.map_err(unavailable)?;
            emit(&mut tx, "payout.paid", &payout)
                .await
                .map_err(unavailable)?;
        }
        tx.commit().await.map_err(unavailable)?;
        Ok(payout_state(
            &json!({ "id": id, "status": "in_transit", "arrival_date": arrival }),
        ))
    }

    /// The sandbox's books for an account: payments to it (less the application fee and
    /// the refunded share), less payouts that did not fail.
    async fn account_balance(&self, account: &str, currency: &str) -> Result<i64, ProviderError> {
        const SQL: &str = "SELECT data FROM sandbox_objects WHERE kind IN ('payment_intent', 'payout', 'transfer')";
        let rows: Vec<String> = query(SQL)
            .scalar_all(&self.db)
            .await
            .map_err(|e: AppError| ProviderError::Unavailable(e.to_string()))?;
        let wanted = currency.to_ascii_lowercase();
        let mut balance = 0;
        for raw in rows {
            let object: Value = serde_json::from_str(&raw).unwrap_or_default();
            if object["currency"] != wanted.as_str() {
                continue;
            }
            if object["object"] == "payment_intent"
                && object["transfer_data"]["destination"] == account
                && object["status"] == "succeeded"
            {
                let amount = object["amount"].as_i64().unwrap_or(0);
                let net = amount - object["application_fee_amount"].as_i64().unwrap_or(0);
                let refunded = object["amount_refunded"].as_i64().unwrap_or(0);
                balance += net
                    - if amount > 0 {
                        net * refunded / amount
                    } else {
                        0
                    };
            } else if object["object"] == "payout"
                && object["_sandbox"]["account"] == account
                && object["status"] != "failed"
            {
                balance -= object["amount"].as_i64().unwrap_or(0);
            } else if object["object"] == "transfer" {
                let amount = object["amount"].as_i64().unwrap_or(0);
                if object["_sandbox"]["from"] == account {
                    balance -= amount;
                }
                if object["destination"] == account {
                    balance += amount;
                }
            }
        }
        Ok(balance)
    }

    async fn collect_fee(
        &self,
        account: &str,
        amount: i64,
        currency: &str,
        idempotency_key: &str,
    ) -> Result<(), ProviderError> {
        let id = keyed_id(
            &self.db,
            "tr",
            idempotency_key,
            &["collect", account, &amount.to_string(), currency],
        )
        .await?;
        let transfer = json!({
            "id": id, "object": "transfer", "amount": amount,
            "currency": currency.to_ascii_lowercase(), "destination": "platform", "created": now_ms() / 1000,
            "_sandbox": { "from": account },
        });
        create(&self.db, transfer).await.map_err(unavailable)?;
        Ok(())
    }

    async fn return_fee(
        &self,
        account: &str,
        amount: i64,
        currency: &str,
        idempotency_key: &str,
    ) -> Result<(), ProviderError> {
        let id = keyed_id(
            &self.db,
            "tr",
            idempotency_key,
            &["return", account, &amount.to_string(), currency],
        )
        .await?;
        let transfer = json!({
            "id": id, "object": "transfer", "amount": amount,
            "currency": currency.to_ascii_lowercase(), "destination": account, "created": now_ms() / 1000,
            "_sandbox": { "from": "platform" },
        });
        create(&self.db, transfer).await.map_err(unavailable)?;
        Ok(())
    }

    async fn payout(&self, _account: &str, id: &str) -> Result<PayoutState, ProviderError> {
        let payout = load(&self.db, id)
            .await
            .map_err(unavailable)?
            .filter(|p| p["object"] == "payout")
            .ok_or_else(|| ProviderError::NotFound(id.to_owned()))?;
        Ok(payout_state(&payout))
    }

    async fn account(&self, id: &str) -> Result<AccountState, ProviderError> {
        let account = load(&self.db, id)
            .await
            .map_err(unavailable)?
            .filter(|a| a["object"] == "account")
            .ok_or_else(|| ProviderError::NotFound(id.to_owned()))?;
        Ok(AccountState {
            id: id.to_owned(),
            details_submitted: account["details_submitted"].as_bool().unwrap_or(false),
            charges_enabled: account["charges_enabled"].as_bool().unwrap_or(false),
            payouts_enabled: account["payouts_enabled"].as_bool().unwrap_or(false),
        })
    }
}

// ---------------------------------------------------------------------------------
// The sandbox's hosted pages: checkout, 3-D Secure, payout onboarding, billing.
// ---------------------------------------------------------------------------------

async fn checkout_object(db: &Db, id: &str) -> Result<Value, AppError> {
    load(db, id)
        .await?
        .filter(|s| s["object"] == "checkout.session")
        .ok_or(AppError::NotFound)
}

/// A checkout as its hosted page shows it. Anyone with the (unguessable) link may
/// pay, as with a provider's checkout URL, but the payer's email is shown in full only
/// to its owner (`viewer_emails`: the signed-in account's, the browser's pending
/// sign-up's); others see it masked.
pub async fn checkout_view(
    db: &Db,
    id: &str,
    viewer_emails: &[String],
) -> Result<CheckoutView, AppError> {
    let session = checkout_object(db, id).await?;
    let email = text(&session, "customer_email").unwrap_or_default();
    let email = if viewer_emails.iter().any(|v| v.eq_ignore_ascii_case(&email)) {
        email
    } else {
        mask_email(&email)
    };
    let tier = session["metadata"]["tier"]
        .as_str()
        .and_then(|t| Tier::parse(t).ok())
        .unwrap_or(Tier::Starter);
    let payment = session["mode"] == "payment";
    Ok(CheckoutView {
        id: id.to_owned(),
        recurring: !payment,
        description: if payment {
            text(&session["_sandbox"], "description").unwrap_or_default()
        } else {
            format!("Boptone {} plan, billed monthly", tier.plan().name)
        },
        amount_cents: session["amount_total"].as_i64().unwrap_or_default(),
        currency: session["currency"]
            .as_str()
            .unwrap_or("usd")
            .to_ascii_uppercase(),
        email,
        open: checkout_status(&session) == CheckoutStatus::Open,
        awaiting_authentication: session["_sandbox"]["awaiting_authentication"]
            .as_bool()
            .unwrap_or(false),
        cancel_url: text(&session, "cancel_url").unwrap_or_else(|| "/".into()),
    })
}

/// `ana@example.com` → `a•••@example.com`: enough for its owner to recognise.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None if email.is_empty() => String::new(),
        None => "•••".into(),
    }
}

fn success_redirect(session: &Value) -> String {
    let id = session["id"].as_str().unwrap_or_default();
    text(session, "success_url")
        .unwrap_or_else(|| "/".into())
        .replace("{CHECKOUT_SESSION_ID}", id)
}

/// Charges `card` for checkout `id`, with Stripe's test-card behaviour. A decline
/// changes nothing: the checkout stays open for another card.
pub async fn pay(
    state: &AppState,
    id: &str,
    card: &CardInput,
    today: (i32, u32),
) -> Result<PayResult, AppError> {
    let session = checkout_object(&state.db, id).await?;
    match checkout_status(&session) {
        CheckoutStatus::Complete => {
            return Ok(PayResult::Paid {
                redirect: success_redirect(&session),
            });
        }
        CheckoutStatus::Expired => {
            return Err(AppError::Conflict(
                "This checkout has expired. Go back and start again.".into(),
            ));
        }
        CheckoutStatus::Open => {}
    }
    match card_outcome(card, today).map_err(AppError::Validation)? {
        CardOutcome::Declined { code, message } => {
            // As on Stripe, a one-off payment's declined attempt is an event of its
            // payment intent; the checkout itself stays open.
            if session["mode"] == "payment" {
                let intent = json!({
                    "id": id_from_key("pi", id),
                    "object": "payment_intent",
                    "amount": session["amount_total"],
                    "currency": session["currency"],
                    "status": "requires_payment_method",
                    "last_payment_error": { "code": code, "message": message },
                    "metadata": session["metadata"],
                    "created": now_ms() / 1000,
                });
                let mut tx = state.db.begin().await?;
                save(&mut tx, &intent).await?;
                emit(&mut tx, "payment_intent.payment_failed", &intent).await?;
                tx.commit().await?;
            }
            Err(AppError::Payment {
                code: code.into(),
                message: message.into(),
            })
        }
        CardOutcome::RequiresAuthentication => {
            let mut session = session;
            session["_sandbox"]["awaiting_authentication"] = json!(true);
            session["_sandbox"]["card_last4"] = json!(last4(&card.number));
            let mut tx = state.db.begin().await?;
            save(&mut tx, &session).await?;
            tx.commit().await?;
            Ok(PayResult::NeedsAuthentication)
        }
        CardOutcome::Approved => complete_checkout(state, id, &last4(&card.number)).await,
    }
}

/// The cardholder's answer on the 3-D Secure step.
pub async fn authenticate(
    state: &AppState,
    id: &str,
    approve: bool,
) -> Result<PayResult, AppError> {
    let mut session = checkout_object(&state.db, id).await?;
    if !session["_sandbox"]["awaiting_authentication"]
        .as_bool()
        .unwrap_or(false)
    {
        return Err(AppError::Conflict(
            "There is no payment waiting for authentication.".into(),
        ));
    }
    let last4 = text(&session["_sandbox"], "card_last4").unwrap_or_default();
    session["_sandbox"]["awaiting_authentication"] = json!(false);
    let mut tx = state.db.begin().await?;
    save(&mut tx, &session).await?;
    tx.commit().await?;
    if !approve {
        return Err(AppError::Payment {
            code: "payment_intent_authentication_failure".into(),
            message: AUTHENTICATION_FAILED.into(),
        });
    }
    complete_checkout(state, id, &last4).await
}

fn last4(number: &str) -> String {
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    digits[digits.len().saturating_sub(4)..].iter().collect()
}

/// Pays the session: a customer, an active subscription, and the events Stripe sends.
async fn complete_checkout(state: &AppState, id: &str, last4: &str) -> Result<PayResult, AppError> {
    let now = now_ms() / 1000;
    let mut tx = state.db.begin_write().await?;
    let mut session = load_tx(&mut tx, id)
        .await?
        .filter(|s| s["object"] == "checkout.session")
        .ok_or(AppError::NotFound)?;
    if checkout_status(&session) == CheckoutStatus::Complete {
        return Ok(PayResult::Paid {
            redirect: success_redirect(&session),
        });
    }
    if session["mode"] == "payment" {
        let intent = json!({
            "id": id_from_key("pi", id),
            "object": "payment_intent",
            "amount": session["amount_total"],
            "amount_received": session["amount_total"],
            "currency": session["currency"],
            "status": "succeeded",
            "application_fee_amount": session["_sandbox"]["application_fee_amount"],
            "transfer_data": { "destination": session["_sandbox"]["destination"] },
            "metadata": session["metadata"],
            "receipt_email": session["customer_email"],
            "latest_charge": id_from_key("ch", id),
            "created": now,
            "_sandbox": { "card_last4": last4 },
        });
        session["status"] = json!("complete");
        session["payment_status"] = json!("paid");
        session["payment_intent"] = intent["id"].clone();
        session["url"] = Value::Null;
        save(&mut tx, &intent).await?;
        save(&mut tx, &session).await?;
        emit(&mut tx, "payment_intent.succeeded", &intent).await?;
        emit(&mut tx, "checkout.session.completed", &session).await?;
        tx.commit().await?;
        return Ok(PayResult::Paid {
            redirect: success_redirect(&session),
        });
    }
    let customer = json!({
        "id": id_from_key("cus", id),
        "object": "customer",
        "email": session["customer_email"],
        "created": now,
        "invoice_settings": { "default_payment_method": format!("pm_card_{last4}") },
        "_sandbox": { "card_last4": last4 },
    });
    let subscription = json!({
        "id": id_from_key("sub", id),
        "object": "subscription",
        "customer": customer["id"],
        "status": "active",
        "currency": session["currency"],
        "current_period_start": now,
        "current_period_end": now + PERIOD_SECS,
        "cancel_at_period_end": false,
        "created": now,
        "metadata": session["metadata"],
        "items": { "object": "list", "data": [{
            "object": "subscription_item",
            "price": { "object": "price", "unit_amount": session["amount_total"], "currency": session["currency"],
                       "recurring": { "interval": "month" } },
            "current_period_end": now + PERIOD_SECS,
        }]},
    });
    let invoice = json!({
        "id": id_from_key("in", id),
        "object": "invoice",
        "customer": customer["id"],
        "subscription": subscription["id"],
        "status": "paid",
        "amount_paid": session["amount_total"],
        "currency": session["currency"],
        "created": now,
    });
    session["status"] = json!("complete");
    session["payment_status"] = json!("paid");
    session["customer"] = customer["id"].clone();
    session["subscription"] = subscription["id"].clone();
    session["url"] = Value::Null;
    save(&mut tx, &customer).await?;
    save(&mut tx, &subscription).await?;
    save(&mut tx, &invoice).await?;
    save(&mut tx, &session).await?;
    emit(&mut tx, "customer.created", &customer).await?;
    emit(&mut tx, "customer.subscription.created", &subscription).await?;
    emit(&mut tx, "invoice.paid", &invoice).await?;
    emit(&mut tx, "checkout.session.completed", &session).await?;
    tx.commit().await?;
    Ok(PayResult::Paid {
        redirect: success_redirect(&session),
    })
}

/// Refunds `amount` (all of it when `None`) of a sandbox payment, emitting
/// `charge.refunded` as Stripe does (with the cumulative `amount_refunded`).
pub async fn refund_payment(
    state: &AppState,
    payment_intent: &str,
    amount: Option<i64>,
) -> Result<(), AppError> {
    let mut intent = load(&state.db, payment_intent)
        .await?
        .filter(|p| p["object"] == "payment_intent")
        .ok_or(AppError::NotFound)?;
    let total = intent["amount"].as_i64().unwrap_or(0);
    let before = intent["amount_refunded"].as_i64().unwrap_or(0);
    let refunded = (before + amount.unwrap_or(total - before)).min(total);
    if refunded <= before {
        return Err(AppError::Conflict(
            "This payment is already refunded.".into(),
        ));
    }
    intent["amount_refunded"] = json!(refunded);
    let charge = json!({
        "id": intent["latest_charge"], "object": "charge", "payment_intent": payment_intent,
        "amount": total, "amount_refunded": refunded, "refunded": refunded == total,
        "currency": intent["currency"], "metadata": intent["metadata"],
    });
    let mut tx = state.db.begin().await?;
    save(&mut tx, &intent).await?;
    emit(&mut tx, "charge.refunded", &charge).await?;
    tx.commit().await
}

/// The connected account `id`, if it is `user`'s own payout account.
async fn owned_account(db: &Db, user: UserId, id: &str) -> Result<Value, AppError> {
    const SQL: &str =
        "SELECT COUNT(*) FROM artist_profiles WHERE user_id = $1 AND payout_account_id = $2";
    let n: i64 = query(SQL).bind(user.0).bind(id).scalar_one(db).await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    load(db, id)
        .await?
        .filter(|a| a["object"] == "account")
        .ok_or(AppError::NotFound)
}

pub async fn connect_view(db: &Db, user: UserId, id: &str) -> Result<ConnectView, AppError> {
    let account = owned_account(db, user, id).await?;
    Ok(ConnectView {
        id: id.to_owned(),
        email: text(&account, "email").unwrap_or_default(),
        details_submitted: account["details_submitted"].as_bool().unwrap_or(false),
        link_expired: account["_sandbox"]["link_expires_at"]
            .as_i64()
            .is_none_or(|t| t < now_ms()),
    })
}

fn validate_onboarding(form: &OnboardingForm, today_ms: i64) -> Result<(String, String), AppError> {
    let mut errors = Vec::new();
    let name = form
        .legal_name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if name.chars().count() < 2 {
        errors.push(FieldError::new("legal_name", "Enter your legal name."));
    }
    match crate::time::parse_date(&form.date_of_birth) {
        Some(born) if born + 18 * 365 * DAY + 4 * DAY <= today_ms => {}
        Some(_) => errors.push(FieldError::new(
            "date_of_birth",
            "You must be 18 or older to receive payouts.",
        )),
        None => errors.push(FieldError::new(
            "date_of_birth",
            "Enter your date of birth as YYYY-MM-DD.",
        )),
    }
    let routing: String = form
        .routing_number
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    if routing.len() != 9 {
        errors.push(FieldError::new(
            "routing_number",
            "A routing number has 9 digits (test: 110000000).",
        ));
    }
    let account: String = form
        .account_number
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    if !(4..=17).contains(&account.len()) {
        errors.push(FieldError::new(
            "account_number",
            "An account number has 4 to 17 digits (test: 000123456789).",
        ));
    }
    if errors.is_empty() {
        Ok((name, account))
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Submits the onboarding form: the account is verified at once (the sandbox has no
/// review), `account.updated` is emitted, and the artist goes back to the return URL.
pub async fn submit_onboarding(
    state: &AppState,
    user: UserId,
    id: &str,
    form: &OnboardingForm,
) -> Result<String, AppError> {
    let mut account = owned_account(&state.db, user, id).await?;
    let (name, account_number) = validate_onboarding(form, now_ms())?;
    let last4: String = account_number[account_number.len() - 4..].to_owned();
    account["details_submitted"] = json!(true);
    account["charges_enabled"] = json!(true);
    account["payouts_enabled"] = json!(true);
    account["capabilities"] = json!({ "transfers": "active", "card_payments": "active" });
    account["individual"] = json!({ "name": name });
    account["external_accounts"] = json!({ "object": "list", "data": [{
        "object": "bank_account", "last4": last4, "routing_number": form.routing_number.trim(),
        "currency": "usd", "status": "new"
    }]});
    let return_url = text(&account["_sandbox"], "return_url")
        .unwrap_or_else(|| state.settings.link("/artist/payout?return=1"));
    let mut tx = state.db.begin().await?;
    save(&mut tx, &account).await?;
    emit(&mut tx, "account.updated", &account).await?;
    tx.commit().await?;
    Ok(return_url)
}

/// The customer `id`, if one of `user`'s subscriptions belongs to it; and that subscription.
async fn owned_customer(db: &Db, user: UserId, id: &str) -> Result<(Value, Value), AppError> {
    const SQL: &str = "SELECT provider_subscription_id FROM subscriptions WHERE user_id = $1 AND provider_customer_id = $2 \
                       ORDER BY updated_at DESC LIMIT 1";
    let sub: Option<String> = query(SQL).bind(user.0).bind(id).scalar_optional(db).await?;
    let sub = sub.ok_or(AppError::NotFound)?;
    let customer = load(db, id).await?.ok_or(AppError::NotFound)?;
    let subscription = load(db, &sub).await?.ok_or(AppError::NotFound)?;
    Ok((customer, subscription))
}

pub async fn billing_view(db: &Db, user: UserId, customer: &str) -> Result<BillingView, AppError> {
    let (customer_obj, sub) = owned_customer(db, user, customer).await?;
    Ok(BillingView {
        customer: customer.to_owned(),
        subscription: text(&sub, "id").unwrap_or_default(),
        tier: sub["metadata"]["tier"]
            .as_str()
            .and_then(|t| Tier::parse(t).ok())
            .unwrap_or(Tier::Starter),
        status: sub["status"]
            .as_str()
            .and_then(SubscriptionStatus::parse)
            .unwrap_or(SubscriptionStatus::Incomplete),
        current_period_end: sub["current_period_end"].as_i64().map(|s| s * 1000),
        card_last4: text(&customer_obj["_sandbox"], "card_last4").unwrap_or_default(),
        return_url: text(&customer_obj["_sandbox"], "portal_return_url")
            .unwrap_or_else(|| "/dashboard".into()),
    })
}

/// Changes the plan or cancels it, emitting the subscription event Stripe would.
pub async fn change_billing(
    state: &AppState,
    user: UserId,
    customer: &str,
    change: BillingChange,
) -> Result<(), AppError> {
    let (_, mut sub) = owned_customer(&state.db, user, customer).await?;
    if sub["status"] == "canceled" {
        return Err(AppError::Conflict(
            "This plan is canceled. Choose a plan again from the sign-up page.".into(),
        ));
    }
    let kind = match change {
        BillingChange::SwitchTo(tier) => {
            let plan = tier.plan();
            sub["metadata"]["tier"] = json!(tier.as_str());
            sub["items"]["data"][0]["price"]["unit_amount"] = json!(plan.monthly_cents);
            "customer.subscription.updated"
        }
        BillingChange::Cancel => {
            sub["status"] = json!("canceled");
            sub["canceled_at"] = json!(now_ms() / 1000);
            "customer.subscription.deleted"
        }
    };
    let mut tx = state.db.begin().await?;
    save(&mut tx, &sub).await?;
    emit(&mut tx, kind, &sub).await?;
    tx.commit().await?;
    Ok(())
}

/// Test support and demo data: makes an active subscription and an enabled payout
/// account directly, as if the artist had gone through both hosted pages.
pub async fn provision_ready_artist(
    tx: &mut Tx,
    user: UserId,
    email: &str,
    tier: Tier,
) -> Result<(String, String, String), AppError> {
    let now = now_ms() / 1000;
    let key = format!("demo-{}", user.0);
    let customer = json!({ "id": id_from_key("cus", &key), "object": "customer", "email": email, "created": now,
                           "_sandbox": { "card_last4": "4242" } });
    let subscription = json!({
        "id": id_from_key("sub", &key), "object": "subscription", "customer": customer["id"], "status": "active",
        "current_period_start": now, "current_period_end": now + PERIOD_SECS, "cancel_at_period_end": false,
        "created": now, "metadata": { "tier": tier.as_str() },
    });
    let account = json!({
        "id": id_from_key("acct", &key), "object": "account", "type": "express", "email": email, "country": "US",
        "details_submitted": true, "charges_enabled": true, "payouts_enabled": true,
        "capabilities": { "transfers": "active", "card_payments": "active" },
        "metadata": { "user_id": user.0.to_string() }, "created": now,
    });
    save(tx, &customer).await?;
    save(tx, &subscription).await?;
    save(tx, &account).await?;
    Ok((
        text(&customer, "id").unwrap_or_default(),
        text(&subscription, "id").unwrap_or_default(),
        text(&account, "id").unwrap_or_default(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_masked_for_strangers() {
        assert_eq!(mask_email("ana@example.com"), "a•••@example.com");
        assert_eq!(mask_email(""), "");
    }

    #[test]
    fn ids_are_stable_per_idempotency_key() {
        assert_eq!(id_from_key("cs_test", "a"), id_from_key("cs_test", "a"));
        assert_ne!(id_from_key("cs_test", "a"), id_from_key("cs_test", "b"));
        assert!(id_from_key("acct", "a").starts_with("acct_sbx_"));
    }

    #[test]
    fn onboarding_form_is_checked_field_by_field() {
        let now = crate::time::parse_date("2026-11-25").expect("a valid date");
        let good = OnboardingForm {
            legal_name: "Nova  Reyes".into(),
            date_of_birth: "1990-04-02".into(),
            routing_number: "110000000".into(),
            account_number: "000123456789".into(),
        };
        assert_eq!(
            validate_onboarding(&good, now).ok(),
            Some(("Nova Reyes".into(), "000123456789".into()))
        );
        let minor = OnboardingForm {
            date_of_birth: "2010-01-01".into(),
            ..good.clone()
        };
        assert!(
            validate_onboarding(&minor, now)
                .expect_err("should be refused")
                .field_message("date_of_birth")
                .is_some()
        );
        let bad = OnboardingForm::default();
        let AppError::Validation(errors) =
            validate_onboarding(&bad, now).expect_err("should be refused")
        else {
            panic!("expected validation errors");
        };
        assert_eq!(errors.len(), 4);
        assert_eq!(last4("4242 4242 4242 4242"), "4242");
    }
}
