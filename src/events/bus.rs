//! Emitting and dispatching events.

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
    notifications::service::DeliverNotifications,
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
        let id = self.event_id;
        // The handlers that exist; analytics, loyalty, Toney and workflows join here.
        if DeliverNotifications::wants(&event) {
            let key = format!("event:{id}:notifications");
            enqueue(
                &mut tx,
                &DeliverNotifications { event_id: id },
                EnqueueOptions::dedupe(key),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
