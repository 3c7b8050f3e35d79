//! Real-time pushes to open tabs: a process-wide broadcast, joined across processes by
//! PostgreSQL LISTEN/NOTIFY. The WebSocket route subscribes and forwards each push to
//! the tabs it is for: a user's own tabs ("your notifications changed": the tab
//! refetches), or every tab watching a Bop (its new counts).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, watch};

use crate::{
    accounts::UserId,
    bops::BopCounts,
    db::{Db, Pool},
    jobs::worker::CancellationToken,
};

/// The PostgreSQL channel that carries pushes between processes.
pub const REALTIME_CHANNEL: &str = "boptone_realtime";

/// What changed, and for whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Push {
    /// The user's notifications changed: their tabs refetch.
    Notifications { user_id: i64 },
    /// A Bop's counts changed: every tab watching it shows them.
    BopCounts { bop_id: i64, counts: BopCounts },
}

impl Push {
    /// The message a tab receives.
    pub fn message(&self) -> serde_json::Value {
        match self {
            Self::Notifications { .. } => serde_json::json!({ "topic": "notifications" }),
            Self::BopCounts { bop_id, counts } => {
                serde_json::json!({ "topic": "bop", "bop_id": bop_id, "counts": counts })
            }
        }
    }
}

#[derive(Clone)]
pub struct Realtime {
    tx: broadcast::Sender<Push>,
    db: Db,
    listening: Arc<watch::Sender<bool>>,
}

impl Realtime {
    pub fn new(db: Db) -> Self {
        let (tx, _) = broadcast::channel(1024);
        // SQLite: one process, pushes reach subscribers directly.
        let listening = Arc::new(watch::Sender::new(matches!(db.pool(), Pool::Sqlite(_))));
        Self { tx, db, listening }
    }

    /// Whether pushes from every process reach this one's subscribers: always on
    /// SQLite; on PostgreSQL, while [`Realtime::listen`] is connected.
    pub fn listening(&self) -> watch::Receiver<bool> {
        self.listening.subscribe()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Push> {
        self.tx.subscribe()
    }

    /// Tells every open tab of `user`, in every process, that its notifications changed.
    pub async fn notify_user(&self, user: UserId) {
        self.send(Push::Notifications { user_id: user.0 }).await;
    }

    /// Shows a Bop's new counts in every tab watching it, in every process.
    pub async fn bop_counts(&self, bop_id: i64, counts: BopCounts) {
        self.send(Push::BopCounts { bop_id, counts }).await;
    }

    async fn send(&self, push: Push) {
        match self.db.pool() {
            // Every process (this one included) hears it through its listener.
            Pool::Postgres(pool) => {
                let payload = serde_json::to_string(&push).unwrap_or_default();
                if let Err(e) = sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(REALTIME_CHANNEL)
                    .bind(payload)
                    .execute(pool)
                    .await
                {
                    tracing::warn!(error = %e, "realtime NOTIFY failed; tabs will catch up on their next load");
                }
            }
            Pool::Sqlite(_) => {
                let _ = self.tx.send(push);
            }
        }
    }

    /// On PostgreSQL, forwards pushes from every process to this one's subscribers until
    /// `stop`; reconnects when the connection drops.
    pub async fn listen(self, stop: CancellationToken) {
        let Pool::Postgres(pool) = self.db.pool().clone() else {
            return;
        };
        let tx = self.tx.clone();
        crate::db::listen(
            pool,
            REALTIME_CHANNEL,
            stop,
            &self.listening,
            move |payload| {
                if let Ok(push) = serde_json::from_str::<Push>(payload) {
                    let _ = tx.send(push);
                }
            },
        )
        .await;
    }
}
