//! The artist's Bops. The video itself is uploaded with `POST /uploads/bops` (a raw
//! body with upload progress); these read what became of it.

use boptone::{AppError, bops::ArtistBop};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guards::{self, app_state},
    boptone::accounts::Role,
};

/// The signed-in artist's Bops, newest first, with their processing state.
#[server(prefix = "/api", endpoint = "artist/bops")]
pub async fn load_my_bops() -> Result<Vec<ArtistBop>, AppError> {
    guards::respond(
        async move {
            let user = guards::require_role(Role::Artist).await?;
            let state = app_state()?;
            boptone::bops::service::artist_bops(&state.db, user.id).await
        }
        .await,
    )
}

/// Changes the caption of one of the signed-in artist's Bops.
#[server(prefix = "/api", endpoint = "artist/bops/caption")]
pub async fn edit_bop_caption(id: i64, caption: String) -> Result<(), AppError> {
    guards::respond(
        async move {
            let user = guards::require_role(Role::Artist).await?;
            let state = app_state()?;
            boptone::bops::service::edit_caption(&state.db, user.id, id, &caption).await
        }
        .await,
    )
}

/// Deletes one of the signed-in artist's Bops (softly: its money records stay).
#[server(prefix = "/api", endpoint = "artist/bops/delete")]
pub async fn delete_bop(id: i64) -> Result<(), AppError> {
    guards::respond(
        async move {
            let user = guards::require_role(Role::Artist).await?;
            let state = app_state()?;
            boptone::bops::service::delete(&state.db, user.id, id).await
        }
        .await,
    )
}
