//! Kick In server functions: start a tip, and the thank-you after paying.

use boptone::{AppError, tips::TipReceipt};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guards::{self, app_state},
    boptone::tips::{TipForm, TipInput, service},
};

/// Starts a tip to the artist at `handle`; returns the checkout URL to pay at.
/// Refused when the artist cannot receive money, and past the hourly limit per fan.
#[server(prefix = "/api", endpoint = "tips/kick_in")]
pub async fn kick_in(
    handle: String,
    amount: String,
    #[server(default)] message: String,
    #[server(default)] email: String,
    #[server(default)] cover_fee: bool,
    idempotency_key: String,
    #[server(default)] bop: Option<i64>,
) -> Result<String, AppError> {
    guards::respond(
        async move {
            let state = app_state()?;
            let client = guards::client_ip();
            guards::rate_limit(&state.auth_limits.tips_per_ip, &client)?;
            let fan = guards::current_user().await?;
            // Before hydration the page has no key to send: this one post is the attempt.
            let idempotency_key = if idempotency_key.is_empty() && guards::is_plain_form_post() {
                format!("tip-{}", boptone::accounts::service::new_secret())
            } else {
                idempotency_key
            };
            let input = TipInput::parse(
                &TipForm {
                    handle,
                    amount,
                    message,
                    email,
                    cover_fee,
                    idempotency_key,
                    bop,
                },
                fan.is_some(),
            )?;
            let url = service::start(&state, fan.as_ref(), &client, &input).await?;
            guards::redirect_form_post(&url);
            Ok(url)
        }
        .await,
    )
}

/// The tip paid in checkout `session_id`, as recorded so far (reads only: the
/// thank-you page loads it).
#[server(prefix = "/api", endpoint = "tips/receipt")]
pub async fn load_tip_receipt(session_id: String) -> Result<Option<TipReceipt>, AppError> {
    guards::respond(
        async move {
            let state = app_state()?;
            service::receipt(&state, &session_id).await
        }
        .await,
    )
}

/// Confirms the payment of checkout `session_id` with the provider now (the
/// thank-you page asks once, from the browser, when the payment is not recorded yet;
/// the provider's event does the same on its own).
#[server(prefix = "/api", endpoint = "tips/confirm")]
pub async fn confirm_tip(session_id: String) -> Result<Option<TipReceipt>, AppError> {
    guards::respond(
        async move {
            let state = app_state()?;
            guards::rate_limit(
                &state.auth_limits.provider_calls_per_ip,
                &guards::client_ip(),
            )?;
            service::sync_checkout(&state, &session_id).await
        }
        .await,
    )
}
