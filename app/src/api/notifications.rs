//! Notification server functions. Every one acts only on the signed-in user's own.

use boptone::{AppError, notifications::Notification};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::guards, boptone::notifications::service};

/// The signed-in user's newest notifications.
#[server(prefix = "/api", endpoint = "notifications/list")]
pub async fn list_notifications() -> Result<Vec<Notification>, AppError> {
    guards::respond(
        async move {
            let user = guards::require_user().await?;
            service::list(&guards::app_state()?.db, user.id, 100).await
        }
        .await,
    )
}

/// How many are unread (0 for visitors, so the badge can ask without signing in).
#[server(prefix = "/api", endpoint = "notifications/unread")]
pub async fn unread_notifications() -> Result<i64, AppError> {
    guards::respond(
        async move {
            match guards::current_user().await? {
                Some(user) => service::unread_count(&guards::app_state()?.db, user.id).await,
                None => Ok(0),
            }
        }
        .await,
    )
}

/// Marks one notification read.
#[server(prefix = "/api", endpoint = "notifications/read")]
pub async fn mark_notification_read(id: i64) -> Result<(), AppError> {
    guards::respond(
        async move {
            let user = guards::require_user().await?;
            service::mark_read(&guards::app_state()?.db, user.id, id).await
        }
        .await,
    )
}

/// Marks every notification read.
#[server(prefix = "/api", endpoint = "notifications/read_all")]
pub async fn mark_all_notifications_read() -> Result<u64, AppError> {
    guards::respond(
        async move {
            let user = guards::require_user().await?;
            service::mark_all_read(&guards::app_state()?.db, user.id).await
        }
        .await,
    )
}
