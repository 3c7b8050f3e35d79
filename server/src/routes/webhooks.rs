//! `POST /webhooks/stripe`: verifies the signature on the raw body (300 s tolerance;
//! the platform and Connect endpoints' secrets, comma-separated, are both accepted),
//! stores the event once by its id, queues its processing and answers 200 at once.
//! Processing happens in a job, so a slow handler never makes Stripe retry.

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use boptone::{
    payments::{events, webhook},
    time::now_ms,
};

use crate::startup::ServerState;

pub async fn stripe(State(state): State<ServerState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(secret) = state.app.settings.stripe_webhook_secret.as_deref() else {
        return (StatusCode::NOT_FOUND, "Stripe webhooks are not configured.").into_response();
    };
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if let Err(err) = webhook::verify_any(secret, signature, &body, now_ms() / 1000) {
        tracing::warn!(error = %err, "webhook refused");
        return (StatusCode::BAD_REQUEST, err.to_string()).into_response();
    }
    let Ok(raw) = std::str::from_utf8(&body) else {
        return (StatusCode::BAD_REQUEST, "The payload is not UTF-8.").into_response();
    };
    let stored = async {
        let mut tx = state.app.db.begin().await?;
        let new = events::record(&mut tx, "stripe", raw).await?;
        tx.commit().await?;
        Ok::<bool, boptone::AppError>(new)
    }
    .await;
    match stored {
        Ok(new) => {
            tracing::info!(new, "webhook stored");
            (StatusCode::OK, "ok").into_response()
        }
        // A payload that is not an event is refused for good; Stripe retries anything
        // else (nothing is lost while the database is down).
        Err(err @ boptone::AppError::Validation(_)) => {
            (StatusCode::BAD_REQUEST, err.to_string()).into_response()
        }
        Err(err) => (StatusCode::SERVICE_UNAVAILABLE, err).into_response(),
    }
}
