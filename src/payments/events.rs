//! Provider events: stored once by their id (webhook or sandbox), then processed by a
//! job, which turns each into a [`Change`] and hands it to the domain that registered
//! its purpose ([`super::routing`]). Handlers fetch the object's current state from
//! the provider instead of trusting the event's copy, so duplicates and out-of-order
//! deliveries converge on the same result.
//!
//! Owns `payment_events`.

use crate::db::query;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::routing::Change;
use crate::{
    db::Tx,
    error::AppError,
    events::bus,
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

    /// What the event tells a domain, or `None` when nothing in Boptone reacts to it.
    pub fn change(&self) -> Option<Change<'_>> {
        let object = &self.data.object;
        let reference = object["metadata"]["reference"].as_str();
        let id = self.object_id();
        Some(match self.kind.as_str() {
            "checkout.session.completed" | "checkout.session.expired" => Change::Checkout {
                id,
                completed: self.kind == "checkout.session.completed",
                reference,
            },
            "payment_intent.succeeded" | "payment_intent.payment_failed" => {
                Change::Payment { reference }
            }
            "charge.refunded" => Change::Refund {
                payment_intent: object["payment_intent"].as_str()?,
                amount_refunded: object["amount_refunded"].as_i64()?,
                reference,
            },
            "payout.paid" | "payout.failed" | "payout.canceled" | "payout.updated" => {
                Change::Payout { id, reference }
            }
            "customer.subscription.created"
            | "customer.subscription.updated"
            | "customer.subscription.deleted" => Change::Subscription {
                id,
                payment_failed: false,
            },
            "invoice.paid" | "invoice.payment_failed" => Change::Subscription {
                id: self.invoice_subscription()?,
                payment_failed: self.kind == "invoice.payment_failed",
            },
            "account.updated" => Change::Account { id },
            // Tips are destination charges: the provider moves the money to the
            // artist's account itself, so transfer events carry nothing to apply.
            _ => return None,
        })
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
    let follow_ups = match event.change() {
        Some(change) => state.routes.payments.deliver(state, &change).await?,
        None => {
            tracing::debug!(kind = event.kind, "provider event not handled");
            Vec::new()
        }
    };

    // Mark it processed; a side effect that must happen once rides on that update.
    let mut tx = state.db.begin().await?;
    const MARK: &str =
        "UPDATE payment_events SET processed_at = $2 WHERE id = $1 AND processed_at IS NULL";
    let marked = query(MARK).bind(id).bind(now_ms()).execute(&mut tx).await?;
    if marked == 1 {
        for event in &follow_ups {
            bus::emit(&mut tx, event).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
