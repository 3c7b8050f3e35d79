//! Provider events: stored once by their id (webhook or sandbox), then processed by a
//! job. Handlers fetch the object's current state from the provider instead of
//! trusting the event's copy, so duplicates and out-of-order deliveries converge on
//! the same result.

use crate::db::query;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::signup;
use crate::{
    db::Tx,
    error::AppError,
    events::{PlatformEvent, bus},
    jobs::{
        EnqueueOptions,
        worker::{Job, JobContext, enqueue},
    },
    state::AppState,
    time::now_ms,
};

/// The parts of a provider event every handler needs (Stripe's event envelope).
#[derive(Debug, Clone, Deserialize)]
pub struct Envelope {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// Unix seconds.
    pub created: i64,
    pub data: EnvelopeData,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EnvelopeData {
    pub object: serde_json::Value,
}

impl Envelope {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let envelope: Self = serde_json::from_str(raw)
            .map_err(|e| AppError::field("payload", format!("not a provider event: {e}")))?;
        if envelope.id.is_empty() || envelope.id.len() > 255 {
            return Err(AppError::field("payload", "the event has no usable id"));
        }
        Ok(envelope)
    }

    /// The id of the object the event is about.
    pub fn object_id(&self) -> &str {
        self.data.object["id"].as_str().unwrap_or_default()
    }

    /// The subscription an invoice event is about (older and newer API shapes).
    fn invoice_subscription(&self) -> Option<&str> {
        let object = &self.data.object;
        object["subscription"]
            .as_str()
            .or_else(|| object["parent"]["subscription_details"]["subscription"].as_str())
    }
}

/// Stores a provider event and queues its processing, in `tx`. A redelivery (same
/// event id) changes nothing and returns `false`.
pub async fn record(tx: &mut Tx, provider: &str, raw: &str) -> Result<bool, AppError> {
    let envelope = Envelope::parse(raw)?;
    const SQL: &str = "INSERT INTO payment_events (provider, event_id, event_type, object_id, created, payload, received_at) \
                       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING RETURNING id";
    let id: Option<i64> = query(SQL)
        .bind(provider)
        .bind(&envelope.id)
        .bind(&envelope.kind)
        .bind(envelope.object_id())
        .bind(envelope.created)
        .bind(raw)
        .bind(now_ms())
        .scalar_optional(&mut *tx)
        .await?;
    let Some(id) = id else {
        return Ok(false);
    };
    enqueue(
        tx,
        &ProcessPaymentEvent { event: id },
        EnqueueOptions {
            dedupe_key: Some(format!("payment-event:{id}")),
            ..EnqueueOptions::default()
        },
    )
    .await?;
    Ok(true)
}

/// Applies one stored provider event.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProcessPaymentEvent {
    /// `payment_events.id`.
    pub event: i64,
}

#[async_trait]
impl Job for ProcessPaymentEvent {
    const KIND: &'static str = "payments.process_event";

    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        process(&ctx.state, self.event).await?;
        Ok(())
    }
}

/// Applies stored event `id` unless it already was. Safe to run any number of times.
pub async fn process(state: &AppState, id: i64) -> Result<(), AppError> {
    const LOAD: &str = "SELECT payload, processed_at FROM payment_events WHERE id = $1";
    let row: Option<(String, Option<i64>)> = query(LOAD).bind(id).fetch_optional(&state.db).await?;
    let Some((payload, processed_at)) = row else {
        return Ok(());
    };
    if processed_at.is_some() {
        return Ok(());
    }
    let event = Envelope::parse(&payload)?;
    let mut follow_up = None;
    match event.kind.as_str() {
        "checkout.session.completed" | "checkout.session.expired" => {
            if event.data.object["mode"] == "payment" {
                crate::tips::service::sync_checkout(state, event.object_id()).await?;
            } else if event.kind == "checkout.session.completed" {
                signup::complete_from_checkout(state, event.object_id()).await?;
            }
        }
        // A declined card does not end a hosted checkout (the fan may try another),
        // so a failure is only a reason to look at the checkout again, like a success.
        "payment_intent.succeeded" | "payment_intent.payment_failed" => {
            if let Some(reference) = event.data.object["metadata"]["reference"].as_str() {
                crate::tips::service::sync_reference(state, reference).await?;
            }
        }
        "customer.subscription.created"
        | "customer.subscription.updated"
        | "customer.subscription.deleted" => {
            sync_subscription(state, event.object_id()).await?;
        }
        "invoice.paid" | "invoice.payment_failed" => {
            if let Some(subscription) = event.invoice_subscription() {
                let user = sync_subscription(state, subscription).await?;
                if event.kind == "invoice.payment_failed" {
                    follow_up =
                        user.map(|artist_id| PlatformEvent::PlanPaymentFailed { artist_id });
                }
            }
        }
        "charge.refunded" => {
            let object = &event.data.object;
            if let (Some(intent), Some(refunded)) = (
                object["payment_intent"].as_str(),
                object["amount_refunded"].as_i64(),
            ) {
                let reference = object["metadata"]["reference"].as_str();
                crate::tips::service::refund(state, intent, refunded, reference).await?;
            }
        }
        // Tips are destination charges: Stripe moves the money to the artist's account
        // itself, so transfer events carry nothing to apply.
        "transfer.created" | "transfer.updated" | "transfer.reversed" => {}
        "payout.paid" | "payout.failed" | "payout.canceled" | "payout.updated" => {
            let reference = event.data.object["metadata"]["reference"].as_str();
            crate::payouts::service::sync(state, event.object_id(), reference).await?;
        }
        "account.updated" => {
            sync_payout_account(state, event.object_id()).await?;
        }
        other => tracing::debug!(kind = other, "provider event not handled"),
    }

    // Mark it processed; a side effect that must happen once rides on that update.
    let mut tx = state.db.begin().await?;
    const MARK: &str =
        "UPDATE payment_events SET processed_at = $2 WHERE id = $1 AND processed_at IS NULL";
    let marked = query(MARK).bind(id).bind(now_ms()).execute(&mut tx).await?;
    if marked == 1
        && let Some(event) = follow_up
    {
        bus::emit(&mut tx, &event).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Copies a subscription's current state from the provider; returns its artist's id
/// when Boptone knows the subscription (a checkout that has not completed yet records
/// it itself when it does).
pub async fn sync_subscription(state: &AppState, id: &str) -> Result<Option<i64>, AppError> {
    let current = state
        .payments
        .subscription(id)
        .await
        .map_err(|e| e.into_app_error("fetching a subscription"))?;
    let mut tx = state.db.begin().await?;
    let user = signup::store_subscription(&mut tx, None, &current).await?;
    tx.commit().await?;
    Ok(user)
}

/// Copies a payout account's current state from the provider onto its artist, and
/// records the funnel step the first time payouts turn on.
pub async fn sync_payout_account(state: &AppState, id: &str) -> Result<(), AppError> {
    let account = state
        .payments
        .account(id)
        .await
        .map_err(|e| e.into_app_error("fetching a payout account"))?;
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    const ENABLE: &str = "UPDATE artist_profiles SET payouts_enabled = TRUE, payout_details_submitted = TRUE, updated_at = $2 \
                          WHERE payout_account_id = $1 AND payouts_enabled = FALSE RETURNING user_id";
    let newly_enabled: Option<i64> = if account.payouts_enabled {
        query(ENABLE)
            .bind(&account.id)
            .bind(now)
            .scalar_optional(&mut tx)
            .await?
    } else {
        None
    };
    const SYNC: &str = "UPDATE artist_profiles SET payouts_enabled = $2, payout_details_submitted = $3, updated_at = $4 \
                        WHERE payout_account_id = $1";
    query(SYNC)
        .bind(&account.id)
        .bind(account.payouts_enabled)
        .bind(account.details_submitted)
        .bind(now)
        .execute(&mut tx)
        .await?;
    if let Some(artist_id) = newly_enabled {
        bus::emit(&mut tx, &PlatformEvent::PayoutsEnabled { artist_id }).await?;
    }
    tx.commit().await?;
    Ok(())
}
