//! Emitting and dispatching events.
//!
//! Owns `platform_events`.

use std::{future::Future, pin::Pin};

use crate::db::query;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::PlatformEvent;
use crate::{
    db::{Db, Tx},
    error::AppError,
    jobs::{
        EnqueueOptions,
        worker::{Job, JobContext, enqueue},
    },
    time::now_ms,
};

/// Stores `event` in `tx` and queues its dispatch: both exist if and only if `tx`
/// commits.
pub async fn emit(tx: &mut Tx, event: &PlatformEvent) -> Result<i64, AppError> {
    let id = record_past(tx, event, now_ms()).await?;
    enqueue(
        tx,
        &DispatchEvent { event_id: id },
        EnqueueOptions::dedupe(format!("event:{id}")),
    )
    .await?;
    Ok(id)
}

/// Stores `event` as something that already happened, without dispatching it: its
/// handlers never see it (history loaded from elsewhere, such as the demo artists'
/// activation steps), but it counts wherever stored events are read.
pub async fn record_past(tx: &mut Tx, event: &PlatformEvent, at: i64) -> Result<i64, AppError> {
    let payload =
        serde_json::to_string(event).map_err(|e| AppError::internal("encoding an event", &e))?;
    const SQL: &str =
        "INSERT INTO platform_events (name, payload, created_at) VALUES ($1, $2, $3) RETURNING id";
    let id: i64 = query(SQL)
        .bind(event.name())
        .bind(&payload)
        .bind(at)
        .scalar_one(&mut *tx)
        .await?;
    Ok(id)
}

/// Loads a stored event.
pub async fn load(db: &Db, id: i64) -> Result<PlatformEvent, AppError> {
    const SQL: &str = "SELECT payload FROM platform_events WHERE id = $1";
    let payload: Option<String> = query(SQL).bind(id).scalar_optional(db).await?;
    let payload = payload.ok_or(AppError::NotFound)?;
    serde_json::from_str(&payload)
        .map_err(|e| AppError::internal("a stored event does not parse", &e))
}

/// A job that reacts to platform events. Each domain registers its handlers
/// (`background::routes`); [`DispatchEvent`] queues one job per handler for every event
/// the handler wants, so each retries on its own.
pub trait EventHandler: Job {
    /// Whether this handler reacts to `event` at all (no job is queued otherwise).
    fn wants(event: &PlatformEvent) -> bool;
    /// The job that handles stored event `event_id`.
    fn for_event(event_id: i64) -> Self;
}

type Queued<'t> = Pin<Box<dyn Future<Output = Result<(), AppError>> + Send + 't>>;

struct Registered {
    kind: &'static str,
    wants: fn(&PlatformEvent) -> bool,
    enqueue: for<'t> fn(&'t mut Tx, i64) -> Queued<'t>,
}

fn enqueue_handler<H: EventHandler>(tx: &mut Tx, event_id: i64) -> Queued<'_> {
    Box::pin(async move {
        let key = format!("event:{event_id}:{}", H::KIND);
        enqueue(tx, &H::for_event(event_id), EnqueueOptions::dedupe(key)).await?;
        Ok(())
    })
}

/// The platform event handlers, in registration order.
#[derive(Default)]
pub struct EventHandlers {
    handlers: Vec<Registered>,
}

impl EventHandlers {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn register<H: EventHandler>(mut self) -> Self {
        self.handlers.push(Registered {
            kind: H::KIND,
            wants: H::wants,
            enqueue: enqueue_handler::<H>,
        });
        self
    }

    /// The job kinds of the registered handlers.
    pub fn kinds(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.handlers.iter().map(|h| h.kind)
    }

    /// Queues, in `tx`, a job for every handler that wants stored event `event_id`.
    pub async fn dispatch(
        &self,
        tx: &mut Tx,
        event_id: i64,
        event: &PlatformEvent,
    ) -> Result<(), AppError> {
        for handler in &self.handlers {
            if (handler.wants)(event) {
                (handler.enqueue)(tx, event_id).await?;
            }
        }
        Ok(())
    }
}

/// Fans an event out to one job per handler, so each retries on its own.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DispatchEvent {
    pub event_id: i64,
}

#[async_trait]
impl Job for DispatchEvent {
    const KIND: &'static str = "events.dispatch";

    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        let event = load(&ctx.state.db, self.event_id).await?;
        let mut tx = ctx.state.db.begin().await?;
        ctx.state
            .routes
            .events
            .dispatch(&mut tx, self.event_id, &event)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
