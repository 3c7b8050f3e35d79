//! The in-app mailbox: where email goes when no SMTP server is configured.

use boptone::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::guards;

/// A delivered message as the mailbox page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxEntry {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub sent_at_ms: i64,
}

/// Whether this server keeps email in the in-app mailbox (no SMTP configured) *and*
/// this viewer may read it: everyone when `DEV_MAILBOX` is on, otherwise operators.
#[server(prefix = "/api", endpoint = "mailbox/enabled")]
pub async fn mailbox_enabled() -> Result<bool, AppError> {
    guards::respond(async move { Ok(readable().await.is_ok()) }.await)
}

/// Refuses unless the viewer may read the mailbox: not found when email goes out over
/// SMTP (the mailbox exists only on servers without one); open to anyone only with the
/// explicit development setting; otherwise operators only. It holds every password
/// reset link, so it is never open by default.
#[cfg(feature = "ssr")]
async fn readable() -> Result<boptone::state::AppState, AppError> {
    let state = guards::app_state()?;
    if !state.mailer.is_mailbox() {
        return Err(AppError::NotFound);
    }
    if !state.settings.dev_mailbox {
        guards::require_role(boptone::accounts::Role::Admin).await?;
    }
    Ok(state)
}

/// The newest messages, optionally only those sent to `to`.
#[server(prefix = "/api", endpoint = "mailbox/list")]
pub async fn list_mailbox(#[server(default)] to: String) -> Result<Vec<MailboxEntry>, AppError> {
    guards::respond(
        async move {
            let state = readable().await?;
            let to = match to.trim() {
                "" => None,
                t => {
                    Some(boptone::accounts::Email::parse(t).map_err(|m| AppError::field("to", m))?)
                }
            };
            let messages = boptone::mail::list_mailbox(&state.db, to.as_ref(), 100).await?;
            Ok(messages
                .into_iter()
                .map(|m| MailboxEntry {
                    id: m.id,
                    to: m.to_addr,
                    subject: m.subject,
                    body: m.body_text,
                    sent_at_ms: m.created_at,
                })
                .collect())
        }
        .await,
    )
}
