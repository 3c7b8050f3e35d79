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
    accounts::Role,
    media::{self, PHOTO_MAX_BYTES},
};
use serde_json::json;

use boptone_app::api::guards::session_user;

use crate::startup::ServerState;

/// The upload's body limit: the photo cap plus room for nothing else (raw body).
pub const PHOTO_BODY_LIMIT: usize = PHOTO_MAX_BYTES;

/// Stores a new profile photo for the signed-in artist: checked by content, resized to
/// 512×512, saved to object storage; answers `{"photo_url": …}`.
pub async fn profile_photo(
    State(state): State<ServerState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, AppError> {
    let user = session_user(&state.app, &headers)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if !matches!(user.role, Role::Artist | Role::Admin) {
        return Err(AppError::Forbidden);
    }
    // Each upload costs a decode: bounded per account.
    state
        .app
        .auth_limits
        .uploads_per_account
        .check(&user.id.0.to_string())?;
    if body.is_empty() {
        return Err(AppError::field("photo", "Choose a photo to upload."));
    }
    let url = media::store_profile_photo(&state.app.db, &state.app.storage, user.id, body.to_vec())
        .await?;
    Ok(Json(json!({ "photo_url": url })))
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
