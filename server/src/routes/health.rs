//! `/healthz` (the process answers), `/readyz` (and its database does), `/metrics`.

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use metrics_exporter_prometheus::PrometheusHandle;
use subtle::ConstantTimeEq;

use crate::startup::{MetricsToken, ServerState};

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<ServerState>) -> impl IntoResponse {
    match state.app.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check: database unavailable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// Prometheus metrics, for operators only: `Authorization: Bearer <METRICS_TOKEN>`.
/// Without a configured token the route does not exist (404); a wrong or missing token
/// is 401.
pub async fn metrics(
    State(handle): State<PrometheusHandle>,
    State(MetricsToken(token)): State<MetricsToken>,
    headers: HeaderMap,
) -> Response {
    let Some(token) = token else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !bool::from(presented.as_bytes().ct_eq(token.as_bytes())) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "A metrics token is required.",
        )
            .into_response();
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response()
}
