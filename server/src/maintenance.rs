//! Periodic housekeeping: expired sessions and tokens, idle rate-limit keys.

use std::time::Duration;

use boptone::{accounts::service::purge_expired, state::AppState};
use tokio_util::sync::CancellationToken;

/// Runs housekeeping every `every` until `stop` is cancelled.
pub async fn run(state: AppState, every: Duration, stop: CancellationToken) {
    let mut tick = tokio::time::interval(every);
    loop {
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = tick.tick() => {
                match purge_expired(&state.db).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(removed = n, "purged expired sessions and tokens"),
                    Err(err) => tracing::warn!(error = %err, "housekeeping failed; will retry"),
                }
                state.auth_limits.retain_recent();
            }
        }
    }
}
