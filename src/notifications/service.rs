//! Storing, listing and reading notifications. Every read and write is scoped to the
//! signed-in user: another user's notification is simply not found.
//!
//! Owns `notifications`.

use crate::db::query;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{Notification, drafts_for};
use crate::{
    accounts::UserId,
    db::Db,
    error::AppError,
    events::{PlatformEvent, bus},
    jobs::worker::{Job, JobContext},
    time::now_ms,
};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    kind: String,
    title: String,
    body: String,
    link: Option<String>,
    read_at: Option<i64>,
    created_at: i64,
}

impl From<Row> for Notification {
    fn from(r: Row) -> Self {
        Self {
            id: r.id,
            kind: r.kind,
            title: r.title,
            body: r.body,
            link: r.link,
            read: r.read_at.is_some(),
            created_at: r.created_at,
        }
    }
}

/// Creates the notifications of one event (idempotent: one per event and recipient).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliverNotifications {
    pub event_id: i64,
}

impl bus::EventHandler for DeliverNotifications {
    fn wants(event: &PlatformEvent) -> bool {
        !drafts_for(event).is_empty()
    }

    fn for_event(event_id: i64) -> Self {
        Self { event_id }
    }
}

#[async_trait]
impl Job for DeliverNotifications {
    const KIND: &'static str = "notifications.deliver";

    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        let event = bus::load(&ctx.state.db, self.event_id).await?;
        let mut created = Vec::new();
        let mut tx = ctx.state.db.begin().await?;
        const SQL: &str = "INSERT INTO notifications (user_id, event_id, kind, title, body, link, created_at) \
                           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING";
        for draft in drafts_for(&event) {
            let n = query(SQL)
                .bind(draft.recipient)
                .bind(self.event_id)
                .bind(event.name())
                .bind(&draft.title)
                .bind(&draft.body)
                .bind(draft.link.as_deref())
                .bind(now_ms())
                .execute(&mut tx)
                .await?;
            if n == 1 {
                created.push(UserId(draft.recipient));
            }
        }
        tx.commit().await?;
        for user in created {
            ctx.state.realtime.notify_user(user).await;
        }
        Ok(())
    }
}

/// The newest notifications of `user`.
pub async fn list(db: &Db, user: UserId, limit: i64) -> Result<Vec<Notification>, AppError> {
    const SQL: &str = "SELECT id, kind, title, body, link, read_at, created_at FROM notifications \
                       WHERE user_id = $1 AND deleted_at IS NULL ORDER BY id DESC LIMIT $2";
    let rows: Vec<Row> = query(SQL).bind(user.0).bind(limit).fetch_all(db).await?;
    Ok(rows.into_iter().map(Notification::from).collect())
}

pub async fn unread_count(db: &Db, user: UserId) -> Result<i64, AppError> {
    const SQL: &str = "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL AND deleted_at IS NULL";
    query(SQL).bind(user.0).scalar_one(db).await
}

/// Marks one of `user`'s notifications read; another user's is not found.
pub async fn mark_read(db: &Db, user: UserId, id: i64) -> Result<(), AppError> {
    const SQL: &str = "UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND user_id = $3 AND deleted_at IS NULL";
    match query(SQL)
        .bind(now_ms())
        .bind(id)
        .bind(user.0)
        .execute(db)
        .await?
    {
        0 => Err(AppError::NotFound),
        _ => Ok(()),
    }
}

/// Marks all of `user`'s notifications read; returns how many changed.
pub async fn mark_all_read(db: &Db, user: UserId) -> Result<u64, AppError> {
    const SQL: &str = "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL AND deleted_at IS NULL";
    query(SQL).bind(now_ms()).bind(user.0).execute(db).await
}
