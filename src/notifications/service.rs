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

/// A notification that gathers events of one kind while it is unread: the first says
/// `single`, and each later one (within [`DIGEST_WINDOW_MS`]) replaces it, on top of
/// the list, with `many(count)`.
pub struct Digest<'a> {
    pub kind: &'a str,
    pub single: super::Draft,
    pub many: &'a (dyn Fn(i64) -> super::Draft + Sync),
}

/// How long an unread digest keeps gathering.
pub const DIGEST_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;

/// Adds event `event_id` to `recipient`'s digest of its kind, once however often it
/// runs. Returns whether anything changed (the recipient's tabs should refetch).
pub async fn add_to_digest(
    tx: &mut crate::db::Tx,
    event_id: i64,
    digest: &Digest<'_>,
    now: i64,
) -> Result<bool, AppError> {
    let recipient = digest.single.recipient;
    let first = query(
        "INSERT INTO notification_deliveries (event_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(event_id)
    .bind(recipient)
    .execute(&mut *tx)
    .await?;
    if first == 0 {
        return Ok(false);
    }
    #[derive(sqlx::FromRow)]
    struct Open {
        id: i64,
        group_count: i64,
    }
    const OPEN: &str = "SELECT id, group_count FROM notifications WHERE user_id = $1 AND kind = $2 \
                        AND read_at IS NULL AND deleted_at IS NULL AND created_at > $3 ORDER BY id DESC LIMIT 1";
    let open: Option<Open> = query(OPEN)
        .bind(recipient)
        .bind(digest.kind)
        .bind(now - DIGEST_WINDOW_MS)
        .fetch_optional(&mut *tx)
        .await?;
    let (draft, count) = match open {
        Some(open) => {
            // The gathered notification moves to the top: the old one is replaced.
            query("UPDATE notifications SET deleted_at = $2 WHERE id = $1")
                .bind(open.id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            ((digest.many)(open.group_count + 1), open.group_count + 1)
        }
        None => (digest.single.clone(), 1),
    };
    const INSERT: &str = "INSERT INTO notifications (user_id, kind, title, body, link, group_count, created_at) \
                          VALUES ($1, $2, $3, $4, $5, $6, $7)";
    query(INSERT)
        .bind(recipient)
        .bind(digest.kind)
        .bind(&draft.title)
        .bind(&draft.body)
        .bind(draft.link.as_deref())
        .bind(count)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    Ok(true)
}
