//! The artist's music and the release pages fans read. Audio is uploaded with
//! `POST /uploads/tracks` (a raw body with upload progress); these read what became of
//! it and gather tracks into releases.

use boptone::{
    AppError,
    music::{ArtistRelease, ArtistTrack, ReleaseEdit, ReleaseForm, ReleaseSummary, SharedRelease},
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guards::{self, app_state},
    boptone::{accounts::Role, music::service, time::now_ms},
};

/// The signed-in artist's tracks, newest first, with their processing state.
#[server(prefix = "/api", endpoint = "artist/tracks")]
pub async fn load_my_tracks() -> Result<Vec<ArtistTrack>, AppError> {
    guards::respond(
        async move {
            let user = guards::require_role(Role::Artist).await?;
            service::artist_tracks(&app_state()?.db, user.id).await
        }
        .await,
    )
}

/// The signed-in artist's releases, drafts included.
#[server(prefix = "/api", endpoint = "artist/releases")]
pub async fn load_my_releases() -> Result<Vec<ArtistRelease>, AppError> {
    guards::respond(
        async move {
            let user = guards::require_role(Role::Artist).await?;
            service::artist_releases(&app_state()?.db, user.id).await
        }
        .await,
    )
}

/// One of the signed-in artist's releases, for its editor.
#[server(prefix = "/api", endpoint = "artist/releases/one")]
pub async fn load_my_release(id: i64) -> Result<ReleaseEdit, AppError> {
    guards::respond(
        async move {
            let user = guards::require_role(Role::Artist).await?;
            service::release_for_edit(&app_state()?.db, user.id, id).await
        }
        .await,
    )
}

/// Saves a release of the signed-in artist: a new draft (`id` absent) or changes to
/// one of theirs; returns its id. Checked field by field before anything is written.
#[server(prefix = "/api", endpoint = "artist/releases/save")]
pub async fn save_release(
    #[server(default)] id: Option<i64>,
    form: ReleaseForm,
) -> Result<i64, AppError> {
    guards::respond(
        async move {
            let user = guards::require_role(Role::Artist).await?;
            let input = service::ReleaseInput::parse(&form)?;
            service::save_release(&app_state()?.db, user.id, id, &input).await
        }
        .await,
    )
}

/// Publishes one of the signed-in artist's releases (it needs artwork and a track).
#[server(prefix = "/api", endpoint = "artist/releases/publish")]
pub async fn publish_release(id: i64) -> Result<(), AppError> {
    guards::respond(
        async move {
            let user = guards::require_role(Role::Artist).await?;
            boptone::onboarding::service::require_revenue_ready(&app_state()?.db, user.id).await?;
            service::publish(&app_state()?.db, user.id, id).await
        }
        .await,
    )
}

/// The release at `/@handle/releases/{slug}`, as the viewer may see it, with the
/// absolute addresses its page's preview tags need.
#[server(prefix = "/api", endpoint = "music/release")]
pub async fn load_release(handle: String, slug: String) -> Result<SharedRelease, AppError> {
    guards::respond(
        async move {
            let state = app_state()?;
            let viewer = guards::current_user().await?.map(|u| u.id);
            let release =
                service::release_page(&state.db, viewer, &handle, &slug, now_ms()).await?;
            let link = |path: &str| state.settings.link(path);
            Ok(SharedRelease {
                page_url: link(&format!(
                    "/@{}/releases/{}",
                    release.artist.handle, release.slug
                )),
                artist_url: link(&format!("/@{}", release.artist.handle)),
                artwork_url: release.artwork_url.as_deref().map(link),
                release,
            })
        }
        .await,
    )
}

/// The published releases of the artist at `handle` (pre-releases too), for their
/// profile.
#[server(prefix = "/api", endpoint = "music/by_artist")]
pub async fn load_artist_releases(handle: String) -> Result<Vec<ReleaseSummary>, AppError> {
    guards::respond(async move { service::public_releases(&app_state()?.db, &handle).await }.await)
}

/// The newest releases out, from every artist, for `/music`.
#[server(prefix = "/api", endpoint = "music/new_releases")]
pub async fn load_new_releases() -> Result<Vec<ReleaseSummary>, AppError> {
    guards::respond(
        async move { service::new_releases(&app_state()?.db, now_ms(), 12).await }.await,
    )
}
