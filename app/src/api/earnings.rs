//! The artist's earnings (read from the ledger).

use boptone::{AppError, earnings::Earnings};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guards::{self, app_state},
    boptone::accounts::Role,
};

#[server(prefix = "/api", endpoint = "artist/earnings")]
pub async fn load_earnings() -> Result<Earnings, AppError> {
    guards::respond(
        async move {
            let user = guards::require_role(Role::Artist).await?;
            let state = app_state()?;
            boptone::earnings::service::overview(&state.db, user.id.0, boptone::time::now_ms())
                .await
        }
        .await,
    )
}
