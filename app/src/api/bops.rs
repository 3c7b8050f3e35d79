//! The artist's Bops. The video itself is uploaded with `POST /uploads/bops` (a raw
//! body with upload progress); these read what became of it.

use boptone::{
    AppError,
    bops::{ArtistBop, BopComment, BopCounts, FeedBop, FeedPage, PostedComment, SharedBop},
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guards::{self, app_state},
    boptone::{
        accounts::Role,
        bops::{CommentOrder, engagement},
        time::now_ms,
    },
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

/// One page of the feed for whoever is watching (signed in or not), from `cursor`.
#[server(prefix = "/api", endpoint = "bops/feed")]
pub async fn load_feed(#[server(default)] cursor: Option<String>) -> Result<FeedPage, AppError> {
    guards::respond(
        async move {
            let state = app_state()?;
            let viewer = guards::current_user().await?.map(|u| u.id);
            if viewer.is_none() {
                // The visitor's browser gets its id now, so its views can count later.
                guards::device_id(&state);
            }
            boptone::bops::feed::page(&state.db, viewer, cursor.as_deref(), now_ms()).await
        }
        .await,
    )
}

/// One Bop, for its shared page (`/bops/{id}`).
#[server(prefix = "/api", endpoint = "bops/one")]
pub async fn load_bop(id: i64) -> Result<SharedBop, AppError> {
    guards::respond(
        async move {
            let state = app_state()?;
            let viewer = guards::current_user().await?.map(|u| u.id);
            if viewer.is_none() {
                guards::device_id(&state);
            }
            let bop = boptone::bops::feed::one(&state.db, viewer, id).await?;
            let link = |path: &str| state.settings.link(path);
            let (video_url, video_type) = match &bop.mp4_url {
                Some(mp4) => (link(mp4), "video/mp4"),
                None => (link(&bop.playlist_url), "application/x-mpegURL"),
            };
            Ok(SharedBop {
                page_url: link(&format!("/bops/{id}")),
                poster_url: link(&bop.poster_url),
                video_url,
                video_type: video_type.into(),
                bop,
            })
        }
        .await,
    )
}

/// The artist's Bops, newest first, for the Bops tab of their profile.
#[server(prefix = "/api", endpoint = "bops/by_artist")]
pub async fn load_artist_bops(handle: String) -> Result<Vec<FeedBop>, AppError> {
    guards::respond(
        async move {
            let state = app_state()?;
            let viewer = guards::current_user().await?.map(|u| u.id);
            boptone::bops::feed::by_artist(&state.db, viewer, &handle, 60).await
        }
        .await,
    )
}

/// Likes (or, with `liked == false`, unlikes) a Bop; returns its counts.
#[server(prefix = "/api", endpoint = "bops/like")]
pub async fn like_bop(id: i64, liked: bool) -> Result<BopCounts, AppError> {
    guards::respond(
        async move {
            let (user, state) = guards::require_user_within(|l| &l.reactions_per_account).await?;
            if liked {
                engagement::like(&state, user.id, id).await
            } else {
                engagement::unlike(&state, user.id, id).await
            }
        }
        .await,
    )
}

/// Counts a view: the player reports it after 2 s of play. Once per viewer (account,
/// or this browser) per Bop per day; the artist's own views never count. A browser
/// counts only with the id it was given when it loaded the feed: a client that drops
/// its cookies cannot count again and again.
#[server(prefix = "/api", endpoint = "bops/view")]
pub async fn record_view(id: i64) -> Result<bool, AppError> {
    guards::respond(
        async move {
            let state = app_state()?;
            let viewer = match guards::current_user().await? {
                Some(user) => engagement::Viewer::User(user.id),
                None => match guards::known_device() {
                    Some(device) => engagement::Viewer::Device(device),
                    None => {
                        guards::device_id(&state);
                        return Ok(false);
                    }
                },
            };
            let key = match &viewer {
                engagement::Viewer::User(id) => format!("u:{}", id.0),
                engagement::Viewer::Device(_) => format!("ip:{}", guards::client_ip()),
            };
            guards::rate_limit(&state.auth_limits.views_per_viewer, &key)?;
            engagement::view(&state, &viewer, id, now_ms()).await
        }
        .await,
    )
}

/// The comments on a Bop, newest or most liked first.
#[server(prefix = "/api", endpoint = "bops/comments")]
pub async fn load_comments(id: i64, order: String) -> Result<Vec<BopComment>, AppError> {
    guards::respond(
        async move {
            let order = CommentOrder::parse(&order)
                .ok_or_else(|| AppError::field("order", "Choose newest or top."))?;
            let state = app_state()?;
            let viewer = guards::current_user().await?.map(|u| u.id);
            engagement::comments(&state.db, viewer, id, order).await
        }
        .await,
    )
}

/// Posts a comment on a Bop (signed in; at most 500 characters, 10 every 5 minutes).
#[server(prefix = "/api", endpoint = "bops/comment")]
pub async fn post_comment(id: i64, body: String) -> Result<PostedComment, AppError> {
    guards::respond(
        async move {
            let user = guards::require_user().await?;
            let state = app_state()?;
            // Checked before the limit counts it: a refused comment costs nothing.
            boptone::bops::check_comment(&body)?;
            guards::rate_limit(
                &state.auth_limits.comments_per_account,
                &user.id.0.to_string(),
            )?;
            engagement::comment(&state, user.id, id, &body).await
        }
        .await,
    )
}

/// Deletes a comment: its author or the Bop's artist may.
#[server(prefix = "/api", endpoint = "bops/comment/delete")]
pub async fn delete_comment(comment_id: i64) -> Result<BopCounts, AppError> {
    guards::respond(
        async move {
            let user = guards::require_user().await?;
            let state = app_state()?;
            engagement::delete_comment(&state, user.id, comment_id).await
        }
        .await,
    )
}

/// Likes (or unlikes) a comment; returns its like count.
#[server(prefix = "/api", endpoint = "bops/comment/like")]
pub async fn like_comment(comment_id: i64, liked: bool) -> Result<i64, AppError> {
    guards::respond(
        async move {
            let (user, state) = guards::require_user_within(|l| &l.reactions_per_account).await?;
            engagement::like_comment(&state.db, user.id, comment_id, liked).await
        }
        .await,
    )
}
