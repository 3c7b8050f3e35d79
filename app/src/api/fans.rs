//! Following artists (SPEC FAN-1).

use boptone::{
    AppError,
    fans::{FollowState, FollowedArtist},
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guards::{self, app_state},
    boptone::fans::service,
};

/// Follows (or, with `follow == false`, unfollows) the artist at `handle`.
#[server(prefix = "/api", endpoint = "fans/follow")]
pub async fn set_follow(handle: String, follow: bool) -> Result<FollowState, AppError> {
    guards::respond(
        async move {
            let (user, state) = guards::require_user_within(|l| &l.reactions_per_account).await?;
            if follow {
                service::follow(&state.db, user.id, &handle).await
            } else {
                service::unfollow(&state.db, user.id, &handle).await
            }
        }
        .await,
    )
}

/// Whether the viewer follows the artist at `handle`, and how many do.
#[server(prefix = "/api", endpoint = "fans/follow_state")]
pub async fn load_follow_state(handle: String) -> Result<FollowState, AppError> {
    guards::respond(
        async move {
            let state = app_state()?;
            let viewer = guards::current_user().await?.map(|u| u.id);
            service::follow_state(&state.db, viewer, &handle).await
        }
        .await,
    )
}

/// The artists the signed-in user follows.
#[server(prefix = "/api", endpoint = "fans/following")]
pub async fn load_following() -> Result<Vec<FollowedArtist>, AppError> {
    guards::respond(
        async move {
            let user = guards::require_user().await?;
            let state = app_state()?;
            service::following(&state.db, user.id).await
        }
        .await,
    )
}
