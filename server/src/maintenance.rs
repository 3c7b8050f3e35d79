//! In-memory housekeeping: forgetting rate-limit keys that have fully refilled.
//! (Database housekeeping runs as cron jobs, see `boptone::background`.)

use std::time::Duration;

use boptone::state::AppState;
use tokio_util::sync::CancellationToken;

/// Runs housekeeping every `every` until `stop` is cancelled.
pub async fn run(state: AppState, every: Duration, stop: CancellationToken) {
    let mut tick = tokio::time::interval(every);
    loop {
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = tick.tick() => state.auth_limits.retain_recent(),
        }
    }
}
