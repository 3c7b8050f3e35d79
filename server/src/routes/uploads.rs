//! Uploads and the media they become. `POST /uploads/profile-photo` takes the image as
//! the raw request body (the browser sends the file with upload progress) and answers
//! JSON; `GET /media/{key}` serves stored blobs with long-lived caching (keys carry a
//! content hash, so a new photo gets a new URL).

use axum::{
    Json,
    body::{Body, Bytes},
    extract::{Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use boptone::{
    AppError,
    accounts::Role,
    media::{self, ByteRange, PHOTO_MAX_BYTES},
};
use serde::Deserialize;
use serde_json::json;

use boptone_app::api::guards::session_user;

use crate::startup::ServerState;

/// The upload's body limit: the photo cap plus room for nothing else (raw body).
pub const PHOTO_BODY_LIMIT: usize = PHOTO_MAX_BYTES;

/// The signed-in artist an upload is from (401 signed out, 403 for a fan), within the
/// per-account upload budget: each upload costs a decode or a transcode.
async fn uploading_artist(
    state: &ServerState,
    headers: &HeaderMap,
) -> Result<boptone::accounts::SessionUser, AppError> {
    let user = session_user(&state.app, headers)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if !matches!(user.role, Role::Artist | Role::Admin) {
        return Err(AppError::Forbidden);
    }
    state
        .app
        .auth_limits
        .uploads_per_account
        .check(&user.id.0.to_string())?;
    Ok(user)
}

/// Stores a new profile photo for the signed-in artist: checked by content, resized to
/// 512×512, saved to object storage; answers `{"photo_url": …}`.
pub async fn profile_photo(
    State(state): State<ServerState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, AppError> {
    let user = uploading_artist(&state, &headers).await?;
    if body.is_empty() {
        return Err(AppError::field("photo", "Choose a photo to upload."));
    }
    let url = media::store_profile_photo(&state.app.db, &state.app.storage, user.id, body.to_vec())
        .await?;
    Ok(Json(json!({ "photo_url": url })))
}

/// The caption of an uploaded Bop (`?caption=`).
#[derive(Debug, Deserialize)]
pub struct BopUpload {
    #[serde(default)]
    caption: String,
}

/// Takes a new Bop from the signed-in artist: the video is the raw request body (the
/// browser sends the file with upload progress), streamed to storage as it arrives and
/// capped at `MAX_VIDEO_BYTES`; answers `{"bop_id": …}` once it is stored and queued
/// for processing. An artist who has not finished setting up is refused with the
/// missing step (the gate).
pub async fn bop(
    State(state): State<ServerState>,
    headers: HeaderMap,
    Query(upload): Query<BopUpload>,
    body: Body,
) -> Result<Json<serde_json::Value>, AppError> {
    let user = uploading_artist(&state, &headers).await?;
    let max = state.max_video_bytes;
    if declared_length(&headers).is_some_and(|n| n > max) {
        return Err(boptone::bops::service::too_big(max));
    }
    let id = boptone::bops::service::upload(
        &state.app,
        user.id,
        &upload.caption,
        body.into_data_stream(),
        max,
    )
    .await?;
    Ok(Json(json!({ "bop_id": id })))
}

/// The release whose artwork is uploaded (`?release=`).
#[derive(Debug, Deserialize)]
pub struct ArtworkUpload {
    release: i64,
}

/// Sets the artwork of one of the signed-in artist's releases: checked by content,
/// cropped square to 1,200 pixels, stored; answers `{"artwork_url": …}`. Another
/// artist's release is not found.
pub async fn artwork(
    State(state): State<ServerState>,
    headers: HeaderMap,
    Query(upload): Query<ArtworkUpload>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, AppError> {
    let user = uploading_artist(&state, &headers).await?;
    let url =
        boptone::music::service::store_artwork(&state.app, user.id, upload.release, body.to_vec())
            .await?;
    Ok(Json(json!({ "artwork_url": url })))
}

/// The title of an uploaded track (`?title=`).
#[derive(Debug, Deserialize)]
pub struct TrackUpload {
    #[serde(default)]
    title: String,
}

/// Takes a new track from the signed-in artist: the audio is the raw request body,
/// streamed to storage as it arrives and capped at `MAX_AUDIO_BYTES`; answers
/// `{"track_id": …}` once it is stored and queued for processing. An artist who has
/// not finished setting up is refused with the missing step (the gate).
pub async fn track(
    State(state): State<ServerState>,
    headers: HeaderMap,
    Query(upload): Query<TrackUpload>,
    body: Body,
) -> Result<Json<serde_json::Value>, AppError> {
    let user = uploading_artist(&state, &headers).await?;
    let max = state.max_audio_bytes;
    if declared_length(&headers).is_some_and(|n| n > max) {
        return Err(boptone::music::service::too_big(max));
    }
    let id = boptone::music::service::upload(
        &state.app,
        user.id,
        &upload.title,
        body.into_data_stream(),
        max,
    )
    .await?;
    Ok(Json(json!({ "track_id": id })))
}

/// The body's declared size, if any: a size over the cap is refused before a byte is
/// read.
fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
}

/// A stored blob, or 404. Streamed, never read whole: `Range` requests (one range,
/// or a suffix) answer 206 with the part, or 416 when the blob has none of it;
/// `If-None-Match` with the blob's tag answers 304. Keys carry a content hash, so
/// every answer may be cached for good.
pub async fn media(
    State(state): State<ServerState>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Response {
    if key.starts_with(media::PRIVATE_PREFIX)
        || key
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..")
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    let storage = &state.app.storage;
    let meta = match storage.head(&key).await {
        Ok(Some(meta)) => meta,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    let tag_matches = |value: Option<&HeaderValue>| {
        let tags = value.and_then(|v| v.to_str().ok()).unwrap_or_default();
        meta.e_tag.as_deref().is_some_and(|tag| {
            tags.split(',')
                .map(str::trim)
                .any(|t| t == "*" || t == tag || t.strip_prefix("W/") == Some(tag))
        })
    };
    let mut response = if tag_matches(headers.get(header::IF_NONE_MATCH)) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        // `If-Range`: a part only of the version the client already has (a strong
        // comparison: the tag itself, never a weak one or `*`).
        let same_version = |value: &HeaderValue| {
            value.to_str().ok().map(str::trim) == meta.e_tag.as_deref()
                && !value.as_bytes().starts_with(b"W/")
        };
        let range = headers
            .get(header::RANGE)
            .and_then(|v| v.to_str().ok())
            .filter(|_| headers.get(header::IF_RANGE).is_none_or(same_version));
        match media::byte_range(range, meta.size) {
            ByteRange::Unsatisfiable => {
                let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
                if let Ok(value) = HeaderValue::from_str(&format!("bytes */{}", meta.size)) {
                    response.headers_mut().insert(header::CONTENT_RANGE, value);
                }
                response
            }
            ByteRange::Whole => match storage.open(&key, None).await {
                Ok(Some(blob)) => blob_response(StatusCode::OK, &key, blob),
                Ok(None) => return StatusCode::NOT_FOUND.into_response(),
                Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
            },
            ByteRange::Part(part) => match storage.open(&key, Some(part)).await {
                Ok(Some(blob)) => blob_response(StatusCode::PARTIAL_CONTENT, &key, blob),
                Ok(None) => return StatusCode::NOT_FOUND.into_response(),
                Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
            },
        }
    };
    let headers = response.headers_mut();
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    if let Some(tag) = meta
        .e_tag
        .as_deref()
        .and_then(|t| HeaderValue::from_str(t).ok())
    {
        headers.insert(header::ETAG, tag);
    }
    let modified = meta
        .last_modified
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    if let Ok(value) = HeaderValue::from_str(&modified) {
        headers.insert(header::LAST_MODIFIED, value);
    }
    response
}

/// The bytes of `blob` as the body, with its type, length and (for a part) range.
fn blob_response(status: StatusCode, key: &str, blob: media::Blob) -> Response {
    let length = blob.range.end - blob.range.start;
    let content_range = format!(
        "bytes {}-{}/{}",
        blob.range.start,
        blob.range.end.saturating_sub(1),
        blob.meta.size
    );
    let mut response = (status, Body::from_stream(blob.stream)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media::content_type(key)),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(value) = HeaderValue::from_str(&content_range)
    {
        headers.insert(header::CONTENT_RANGE, value);
    }
    response
}
