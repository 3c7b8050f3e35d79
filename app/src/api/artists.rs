//! Public artist reads.

use boptone::{AppError, artists::ArtistCard};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guards::{self, app_state},
    boptone::artists::service,
};

/// Artists with a completed profile, newest first.
#[server(prefix = "/api", endpoint = "artists/list")]
pub async fn list_artists() -> Result<Vec<ArtistCard>, AppError> {
    guards::respond(
        async move {
            let state = app_state()?;
            service::list_public(&state.db, 60).await
        }
        .await,
    )
}

/// One artist's public profile.
#[server(prefix = "/api", endpoint = "artists/get")]
pub async fn get_artist(handle: String) -> Result<ArtistCard, AppError> {
    guards::respond(
        async move {
            let state = app_state()?;
            service::find_by_handle(&state.db, &handle).await
        }
        .await,
    )
}
