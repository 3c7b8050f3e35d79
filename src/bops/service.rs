//! Bops as stored: uploads, processing states, the artist's list. Owns `bops`.

use bytes::Bytes;
use futures::Stream;
use sqlx::FromRow;

use super::{
    ArtistBop, BopState, CAPTION_MAX_CHARS, MAX_DURATION_MS,
    transcode::Transcode,
    video::{Probe, VideoKind},
};
use crate::{
    accounts::UserId,
    db::{Db, query},
    error::AppError,
    events::{PlatformEvent, bus},
    jobs::{EnqueueOptions, worker::enqueue},
    onboarding::service::require_revenue_ready,
    state::AppState,
    time::now_ms,
};

/// Where blobs that are never served live (`/media` refuses this prefix).
pub const PRIVATE: &str = crate::media::PRIVATE_PREFIX;

/// The caption as stored: trimmed, at most [`CAPTION_MAX_CHARS`] characters.
pub fn clean_caption(caption: &str) -> Result<String, AppError> {
    let caption = caption.trim();
    if caption.chars().count() > CAPTION_MAX_CHARS {
        return Err(AppError::field(
            "caption",
            format!("Keep the caption under {CAPTION_MAX_CHARS} characters."),
        ));
    }
    Ok(caption.to_owned())
}

/// The refusal of a video over the cap of `max_bytes`.
pub fn too_big(max_bytes: u64) -> AppError {
    AppError::field(
        "video",
        format!(
            "That video is too big. Choose one under {} MB.",
            max_bytes / 1024 / 1024
        ),
    )
}

/// Takes a new Bop from `artist` (past the revenue gate): the video streams to storage
/// as it arrives, checked by its first bytes and capped at `max_bytes`; the Bop is
/// recorded as processing and its transcode queued in the same transaction. Nothing is
/// recorded when the upload is refused or cut off.
pub async fn upload<S, E>(
    state: &AppState,
    artist: UserId,
    caption: &str,
    body: S,
    max_bytes: u64,
) -> Result<i64, AppError>
where
    S: Stream<Item = Result<Bytes, E>> + Send,
    E: std::fmt::Display,
{
    require_revenue_ready(&state.db, artist).await?;
    let caption = clean_caption(caption)?;
    let token = format!("{:016x}", rand::random::<u64>());
    let mut kind = None;
    // The original is kept under `private/`, which `/media` never serves (it may carry
    // the phone's location); the renditions go to the same folder outside it.
    let key = format!("{PRIVATE}bops/{}/{token}/original", artist.0);
    let size = state
        .storage
        .put_stream(&key, body, max_bytes, |start| {
            kind = VideoKind::sniff(start);
            if kind.is_some() {
                Ok(())
            } else if start.is_empty() {
                Err(AppError::field("video", "Choose a video to upload."))
            } else {
                Err(AppError::field(
                    "video",
                    "That file isn't a video we can use. Choose an MP4, MOV or WebM file.",
                ))
            }
        })
        .await
        .map_err(|e| e.refusal("video", too_big(max_bytes)))?;
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    const INSERT: &str = "INSERT INTO bops (artist_id, caption, state, original_key, original_bytes, created_at) \
                          VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
    let id: i64 = query(INSERT)
        .bind(artist.0)
        .bind(&caption)
        .bind(BopState::Processing.as_str())
        .bind(&key)
        .bind(i64::try_from(size).unwrap_or(i64::MAX))
        .bind(now)
        .scalar_one(&mut tx)
        .await?;
    enqueue(
        &mut tx,
        &Transcode { bop_id: id },
        EnqueueOptions::dedupe(format!("bop:{id}:transcode")),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(bop = id, bytes = size, kind = ?kind, "bop uploaded");
    Ok(id)
}

/// A Bop as the transcode job needs it.
#[derive(Debug, Clone, FromRow)]
pub struct Original {
    pub id: i64,
    pub artist_id: i64,
    pub original_key: String,
    pub attempts: i64,
}

/// Starts a processing attempt: counts it and returns the Bop, or `None` when there is
/// nothing to do (ready, failed for good, deleted).
pub async fn start_attempt(db: &Db, id: i64) -> Result<Option<Original>, AppError> {
    const SQL: &str = "UPDATE bops SET attempts = attempts + 1, progress = 0 \
                       WHERE id = $1 AND state = 'processing' AND deleted_at IS NULL \
                       RETURNING id, artist_id, original_key, attempts";
    query(SQL).bind(id).fetch_optional(db).await
}

/// How far the transcode is, in percent.
pub async fn set_progress(db: &Db, id: i64, percent: i64) -> Result<(), AppError> {
    const SQL: &str = "UPDATE bops SET progress = $2 WHERE id = $1 AND state = 'processing'";
    query(SQL)
        .bind(id)
        .bind(percent.clamp(0, 99))
        .execute(db)
        .await?;
    Ok(())
}

/// Where a processed Bop's media is stored.
#[derive(Debug, Clone)]
pub struct OutputKeys {
    /// The HLS master playlist.
    pub playlist: String,
    /// The poster (WebP).
    pub poster: String,
    /// The progressive MP4 (fast start, link previews).
    pub mp4: String,
}

/// Publishes a processed Bop and tells everyone who reacts to `bop.published`, in one
/// transaction: the event never precedes a playable Bop.
pub async fn mark_ready(
    db: &Db,
    bop: &Original,
    probe: &Probe,
    keys: &OutputKeys,
) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    const SQL: &str = "UPDATE bops SET state = 'ready', progress = 100, failure = NULL, duration_ms = $2, \
                       width = $3, height = $4, playlist_key = $5, poster_key = $6, mp4_key = $7, published_at = $8 \
                       WHERE id = $1 AND state = 'processing' AND deleted_at IS NULL";
    let updated = query(SQL)
        .bind(bop.id)
        .bind(probe.duration_ms)
        .bind(i64::from(probe.width))
        .bind(i64::from(probe.height))
        .bind(&keys.playlist)
        .bind(&keys.poster)
        .bind(&keys.mp4)
        .bind(now_ms())
        .execute(&mut tx)
        .await?;
    if updated == 1 {
        bus::emit(
            &mut tx,
            &PlatformEvent::BopPublished {
                bop_id: bop.id,
                artist_id: bop.artist_id,
            },
        )
        .await?;
    }
    tx.commit().await
}

/// Ends processing with `reason`, which the artist reads on the dashboard.
pub async fn mark_failed(db: &Db, id: i64, reason: &str) -> Result<(), AppError> {
    const SQL: &str =
        "UPDATE bops SET state = 'failed', failure = $2 WHERE id = $1 AND state = 'processing'";
    query(SQL).bind(id).bind(reason).execute(db).await?;
    Ok(())
}

/// Whether a probed video may be a Bop; the reason for the artist when not.
pub fn check_probe(probe: &Probe) -> Result<(), String> {
    if probe.duration_ms > MAX_DURATION_MS {
        let seconds = probe.duration_ms / 1000;
        return Err(format!(
            "This video is {}:{:02} long. Bops can be up to {} minutes: trim it and upload it again.",
            seconds / 60,
            seconds % 60,
            MAX_DURATION_MS / 60_000
        ));
    }
    Ok(())
}

#[derive(FromRow)]
struct BopRow {
    id: i64,
    caption: String,
    #[sqlx(try_from = "String")]
    state: BopState,
    progress: i64,
    failure: Option<String>,
    duration_ms: Option<i64>,
    poster_key: Option<String>,
    playlist_key: Option<String>,
    created_at: i64,
    view_count: i64,
    like_count: i64,
    comment_count: i64,
    tip_count: i64,
    tip_cents: i64,
}

/// The artist's Bops, newest first (deleted ones left out).
pub async fn artist_bops(db: &Db, artist: UserId) -> Result<Vec<ArtistBop>, AppError> {
    const SQL: &str = "SELECT id, caption, state, progress, failure, duration_ms, poster_key, playlist_key, created_at, \
                       view_count, like_count, comment_count, tip_count, tip_cents \
                       FROM bops WHERE artist_id = $1 AND deleted_at IS NULL ORDER BY created_at DESC, id DESC";
    let rows: Vec<BopRow> = query(SQL).bind(artist.0).fetch_all(db).await?;
    Ok(rows
        .into_iter()
        .map(|r| ArtistBop {
            id: r.id,
            caption: r.caption,
            state: r.state,
            progress: r.progress,
            failure: r.failure,
            duration_ms: r.duration_ms,
            poster_url: r.poster_key.map(|k| format!("/media/{k}")),
            playlist_url: r.playlist_key.map(|k| format!("/media/{k}")),
            created_at: r.created_at,
            counts: super::BopCounts {
                views: r.view_count,
                likes: r.like_count,
                comments: r.comment_count,
                tips: r.tip_count,
            },
            tip_cents: r.tip_cents,
        })
        .collect())
}

/// Changes the caption of `artist`'s Bop `id`; another artist's Bop is not found.
pub async fn edit_caption(db: &Db, artist: UserId, id: i64, caption: &str) -> Result<(), AppError> {
    let caption = clean_caption(caption)?;
    const SQL: &str =
        "UPDATE bops SET caption = $3 WHERE id = $1 AND artist_id = $2 AND deleted_at IS NULL";
    let updated = query(SQL)
        .bind(id)
        .bind(artist.0)
        .bind(&caption)
        .execute(db)
        .await?;
    if updated == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Deletes `artist`'s Bop `id` softly: it disappears everywhere, and what it earned
/// stays in the ledger. Another artist's Bop is not found.
pub async fn delete(db: &Db, artist: UserId, id: i64) -> Result<(), AppError> {
    const SQL: &str =
        "UPDATE bops SET deleted_at = $3 WHERE id = $1 AND artist_id = $2 AND deleted_at IS NULL";
    let updated = query(SQL)
        .bind(id)
        .bind(artist.0)
        .bind(now_ms())
        .execute(db)
        .await?;
    if updated == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Whether Bop `id` is `artist`'s, ready and not deleted.
pub async fn is_live(db: &Db, id: i64, artist: i64) -> Result<bool, AppError> {
    const SQL: &str = "SELECT COUNT(*) FROM bops WHERE id = $1 AND artist_id = $2 \
                       AND state = 'ready' AND deleted_at IS NULL";
    let n: i64 = query(SQL).bind(id).bind(artist).scalar_one(db).await?;
    Ok(n > 0)
}

/// Sets Bop `id`'s tip count and earnings from its paid tips.
pub async fn recount_tips(tx: &mut crate::db::Tx, id: i64) -> Result<(), AppError> {
    let (count, cents) = crate::tips::service::bop_totals(&mut *tx, id).await?;
    query("UPDATE bops SET tip_count = $2, tip_cents = $3 WHERE id = $1")
        .bind(id)
        .bind(count)
        .bind(cents)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Keeps a Bop's tip count and earnings in step with its paid tips (read from the tips
/// themselves, so a retry or a late event leaves the same numbers).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CountBopTips {
    pub event_id: i64,
}

impl bus::EventHandler for CountBopTips {
    fn wants(event: &PlatformEvent) -> bool {
        matches!(event, PlatformEvent::BopTipReceived { .. })
    }

    fn for_event(event_id: i64) -> Self {
        Self { event_id }
    }
}

#[async_trait::async_trait]
impl crate::jobs::worker::Job for CountBopTips {
    const KIND: &'static str = "bops.count_tips";

    async fn run(self, ctx: &crate::jobs::worker::JobContext) -> anyhow::Result<()> {
        let PlatformEvent::BopTipReceived { bop_id, .. } =
            bus::load(&ctx.state.db, self.event_id).await?
        else {
            return Ok(());
        };
        let mut tx = ctx.state.db.begin_write().await?;
        recount_tips(&mut tx, bop_id).await?;
        super::engagement::commit_and_push(&ctx.state, tx, bop_id).await?;
        Ok(())
    }
}

/// The stored media of a processed Bop.
#[derive(Debug, Clone)]
pub struct ReadyMedia {
    pub original_key: String,
    pub original_bytes: i64,
    pub playlist_key: String,
    pub poster_key: String,
    pub mp4_key: Option<String>,
    pub duration_ms: i64,
    pub width: i64,
    pub height: i64,
}

/// Records a Bop whose media is already processed and stored, published at
/// `published_at`: history loaded from elsewhere (the demo data, benchmarks). Nothing
/// is announced: `bop.published` belongs to Bops published now, by the transcode job.
pub async fn insert_ready(
    db: &Db,
    artist: UserId,
    caption: &str,
    media: &ReadyMedia,
    published_at: i64,
) -> Result<i64, AppError> {
    let caption = clean_caption(caption)?;
    const SQL: &str = "INSERT INTO bops (artist_id, caption, state, progress, attempts, original_key, original_bytes, \
                       duration_ms, width, height, playlist_key, poster_key, mp4_key, created_at, published_at) \
                       VALUES ($1, $2, 'ready', 100, 1, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id";
    query(SQL)
        .bind(artist.0)
        .bind(&caption)
        .bind(&media.original_key)
        .bind(media.original_bytes)
        .bind(media.duration_ms)
        .bind(media.width)
        .bind(media.height)
        .bind(&media.playlist_key)
        .bind(&media.poster_key)
        .bind(&media.mp4_key)
        .bind(published_at)
        .scalar_one(db)
        .await
}

/// The media of ready Bop `id` (to publish the same video again as demo history).
pub async fn ready_media(db: &Db, id: i64) -> Result<ReadyMedia, AppError> {
    #[derive(FromRow)]
    struct Row {
        original_key: String,
        original_bytes: i64,
        playlist_key: Option<String>,
        poster_key: Option<String>,
        mp4_key: Option<String>,
        duration_ms: Option<i64>,
        width: Option<i64>,
        height: Option<i64>,
    }
    const SQL: &str = "SELECT original_key, original_bytes, playlist_key, poster_key, mp4_key, duration_ms, width, height \
                       FROM bops WHERE id = $1 AND state = 'ready'";
    let row: Row = query(SQL)
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(ReadyMedia {
        original_key: row.original_key,
        original_bytes: row.original_bytes,
        playlist_key: row.playlist_key.unwrap_or_default(),
        poster_key: row.poster_key.unwrap_or_default(),
        mp4_key: row.mp4_key,
        duration_ms: row.duration_ms.unwrap_or(0),
        width: row.width.unwrap_or(0),
        height: row.height.unwrap_or(0),
    })
}

/// Dates ready Bop `id` as published at `at`: demo history, loaded by `seed-demo`.
pub async fn backdate(db: &Db, id: i64, at: i64) -> Result<(), AppError> {
    query("UPDATE bops SET published_at = $2, created_at = $2 WHERE id = $1 AND state = 'ready'")
        .bind(id)
        .bind(at)
        .execute(db)
        .await?;
    Ok(())
}

/// Takes Bop `id` down for breaking the rules (an operator's decision): it disappears
/// everywhere, like a deletion by its artist.
pub async fn take_down(tx: &mut crate::db::Tx, id: i64) -> Result<(), AppError> {
    query("UPDATE bops SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL")
        .bind(id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// How long a Bop may stay processing before it is given up on: far past every
/// attempt's time limit and the queue's retries, so only a Bop whose job died is left.
pub const STUCK_AFTER_MS: i64 = 2 * 60 * 60 * 1000;

/// Tells the artist of every Bop stuck in processing (its job died with its worker, or
/// an operator discarded it) that it failed, so it never spins forever. Returns how many.
pub async fn fail_stuck(db: &Db, now: i64) -> Result<u64, AppError> {
    const SQL: &str = "UPDATE bops SET state = 'failed', failure = $2 \
                       WHERE state = 'processing' AND deleted_at IS NULL AND created_at < $1";
    query(SQL)
        .bind(now - STUCK_AFTER_MS)
        .bind(super::transcode::GAVE_UP)
        .execute(db)
        .await
}

/// Gives up on Bops stuck in processing (cron, every 15 minutes).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SweepStuckBops;

#[async_trait::async_trait]
impl crate::jobs::worker::Job for SweepStuckBops {
    const KIND: &'static str = "bops.sweep_stuck";

    async fn run(self, ctx: &crate::jobs::worker::JobContext) -> anyhow::Result<()> {
        let failed = fail_stuck(&ctx.state.db, now_ms()).await?;
        if failed > 0 {
            tracing::warn!(failed, "Bops stuck in processing were marked failed");
        }
        Ok(())
    }
}
