//! Uploads and the media they become. `POST /uploads/profile-photo` takes the image as
//! the raw request body (the browser sends the file with upload progress) and answers
//! JSON; `GET /media/{key}` serves stored blobs with long-lived caching (keys carry a
//! content hash, so a new photo gets a new URL).

use axum::{
    Json,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use boptone::{
    AppError,
    accounts::{Role, service, session_token_from_cookies},
    media::{self, PHOTO_MAX_BYTES},
};
use serde_json::json;

use crate::startup::ServerState;

/// The upload's body limit: the photo cap plus room for nothing else (raw body).
pub const PHOTO_BODY_LIMIT: usize = PHOTO_MAX_BYTES;

/// The error as JSON with its status; a rate limit also says when to retry.
fn error(err: &AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (
        status,
        Json(json!({ "error": err.to_string(), "detail": err })),
    )
        .into_response();
    if let AppError::RateLimited {
        retry_after_secs, ..
    } = err
        && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

/// Stores a new profile photo for the signed-in artist: checked by content, resized to
/// 512×512, saved to object storage; answers `{"photo_url": …}`.
pub async fn profile_photo(
    State(state): State<ServerState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(session_token_from_cookies)
        .map(str::to_owned);
    let user = match token {
        Some(token) => service::session_user(&state.app.db, &token).await,
        None => Ok(None),
    };
    let user = match user {
        Ok(Some(user)) => user,
        Ok(None) => return error(&AppError::Unauthenticated),
        Err(err) => return error(&err),
    };
    if !matches!(user.role, Role::Artist | Role::Admin) {
        return error(&AppError::Forbidden);
    }
    // Each upload costs a decode: bounded per account.
    if let Err(err) = state
        .app
        .auth_limits
        .uploads_per_account
        .check(&user.id.0.to_string())
    {
        return error(&err);
    }
    if body.is_empty() {
        return error(&AppError::field("photo", "Choose a photo to upload."));
    }
    match media::store_profile_photo(&state.app.db, &state.app.storage, user.id, body.to_vec())
        .await
    {
        Ok(url) => (StatusCode::OK, Json(json!({ "photo_url": url }))).into_response(),
        Err(err) => error(&err),
    }
}

/// A stored blob, or 404.
pub async fn media(State(state): State<ServerState>, Path(key): Path<String>) -> Response {
    if key
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == "..")
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    match state.app.storage.get(&key).await {
        Ok(Some(bytes)) => {
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(media::content_type(&key)),
            );
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
            response
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}
