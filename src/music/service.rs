//! Tracks and releases as stored: uploads, processing states, the artist's catalogue,
//! releases saved and published, and the release pages fans read. Owns `tracks`,
//! `releases` and `track_credits`.

use bytes::Bytes;
use futures::Stream;
use sqlx::FromRow;

use super::{
    ArtistRelease, ArtistTrack, Credit, MAX_CREDITS, MAX_TRACK_MS, ReleaseArtist, ReleaseEdit,
    ReleaseForm, ReleaseKind, ReleaseSummary, ReleaseView, TITLE_MAX_CHARS, TrackEntry, TrackState,
    TrackView,
    audio::{AudioKind, AudioProbe},
    codes::{Isrc, Upc},
    slugify,
    transcode::ProcessTrack,
};
use crate::{
    accounts::UserId,
    db::{Db, Tx, query},
    error::{AppError, FieldError},
    events::{PlatformEvent, bus},
    jobs::{EnqueueOptions, worker::enqueue},
    media::PRIVATE_PREFIX,
    onboarding::service::require_revenue_ready,
    state::AppState,
    time::now_ms,
};

/// The refusal of an audio file over the cap of `max_bytes`.
pub fn too_big(max_bytes: u64) -> AppError {
    AppError::field(
        "audio",
        format!(
            "That file is too big. Choose one under {} MB.",
            max_bytes / 1024 / 1024
        ),
    )
}

/// A title as stored: trimmed, not empty, at most [`TITLE_MAX_CHARS`] characters.
fn clean_title(field: &str, title: &str) -> Result<String, FieldError> {
    let title = title.trim();
    if title.is_empty() {
        return Err(FieldError::new(field, "Give it a title."));
    }
    if title.chars().count() > TITLE_MAX_CHARS {
        return Err(FieldError::new(
            field,
            format!("Keep the title under {TITLE_MAX_CHARS} characters."),
        ));
    }
    Ok(title.to_owned())
}

/// Takes a new track from `artist` (past the revenue gate): the audio streams to
/// storage as it arrives, checked by its first bytes and capped at `max_bytes`; the
/// track is recorded as processing and its job queued in the same transaction. Nothing
/// is recorded when the upload is refused or cut off.
pub async fn upload<S, E>(
    state: &AppState,
    artist: UserId,
    title: &str,
    body: S,
    max_bytes: u64,
) -> Result<i64, AppError>
where
    S: Stream<Item = Result<Bytes, E>> + Send,
    E: std::fmt::Display,
{
    require_revenue_ready(&state.db, artist).await?;
    let title = clean_title("title", title).map_err(|e| AppError::Validation(vec![e]))?;
    let token = format!("{:016x}", rand::random::<u64>());
    let mut kind = None;
    // The original is kept under `private/` (downloads are made from it later); the
    // stream goes to the same folder outside it.
    let key = format!("{PRIVATE_PREFIX}tracks/{}/{token}/original", artist.0);
    let size = state
        .storage
        .put_stream(&key, body, max_bytes, |start| {
            kind = AudioKind::sniff(start);
            if kind.is_some() {
                Ok(())
            } else if start.is_empty() {
                Err(AppError::field("audio", "Choose an audio file to upload."))
            } else {
                Err(AppError::field(
                    "audio",
                    "That file isn't audio we can use. Choose a WAV, FLAC, MP3, AAC/M4A or OGG file.",
                ))
            }
        })
        .await
        .map_err(|e| e.refusal("audio", too_big(max_bytes)))?;
    let mut tx = state.db.begin().await?;
    const INSERT: &str = "INSERT INTO tracks (artist_id, title, state, original_key, original_bytes, created_at) \
                          VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
    let id: i64 = query(INSERT)
        .bind(artist.0)
        .bind(&title)
        .bind(TrackState::Processing.as_str())
        .bind(&key)
        .bind(i64::try_from(size).unwrap_or(i64::MAX))
        .bind(now_ms())
        .scalar_one(&mut tx)
        .await?;
    enqueue(
        &mut tx,
        &ProcessTrack { track_id: id },
        EnqueueOptions::dedupe(format!("track:{id}:process")),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(track = id, bytes = size, kind = ?kind, "track uploaded");
    Ok(id)
}

/// A track as its processing job needs it.
#[derive(Debug, Clone, FromRow)]
pub struct Original {
    pub id: i64,
    pub artist_id: i64,
    pub original_key: String,
    pub attempts: i64,
}

/// Starts a processing attempt: counts it and returns the track, or `None` when there
/// is nothing to do (ready, failed for good, deleted).
pub async fn start_attempt(db: &Db, id: i64) -> Result<Option<Original>, AppError> {
    const SQL: &str = "UPDATE tracks SET attempts = attempts + 1, progress = 0 \
                       WHERE id = $1 AND state = 'processing' AND deleted_at IS NULL \
                       RETURNING id, artist_id, original_key, attempts";
    query(SQL).bind(id).fetch_optional(db).await
}

/// How far processing is, in percent.
pub async fn set_progress(db: &Db, id: i64, percent: i64) -> Result<(), AppError> {
    const SQL: &str = "UPDATE tracks SET progress = $2 WHERE id = $1 AND state = 'processing'";
    query(SQL)
        .bind(id)
        .bind(percent.clamp(0, 99))
        .execute(db)
        .await?;
    Ok(())
}

/// Whether a probed file may be a track; the reason for the artist when not.
pub fn check_probe(probe: &AudioProbe) -> Result<(), String> {
    if probe.duration_ms > MAX_TRACK_MS {
        let minutes = probe.duration_ms / 60_000;
        return Err(format!(
            "This file is {minutes} minutes long. Tracks can be up to {} minutes.",
            MAX_TRACK_MS / 60_000
        ));
    }
    Ok(())
}

/// Records a processed track: its stream, waveform and what ffprobe read.
pub async fn mark_ready(
    db: &Db,
    id: i64,
    probe: &AudioProbe,
    stream_key: &str,
    peaks: &[u8],
) -> Result<(), AppError> {
    const SQL: &str = "UPDATE tracks SET state = 'ready', progress = 100, failure = NULL, codec = $2, \
                       sample_rate = $3, channels = $4, duration_ms = $5, stream_key = $6, peaks = $7 \
                       WHERE id = $1 AND state = 'processing' AND deleted_at IS NULL";
    let peaks = serde_json::to_string(peaks).unwrap_or_else(|_| "[]".into());
    query(SQL)
        .bind(id)
        .bind(&probe.codec)
        .bind(i64::from(probe.sample_rate))
        .bind(i64::from(probe.channels))
        .bind(probe.duration_ms)
        .bind(stream_key)
        .bind(&peaks)
        .execute(db)
        .await?;
    Ok(())
}

/// Ends processing with `reason`, which the artist reads on the dashboard.
pub async fn mark_failed(db: &Db, id: i64, reason: &str) -> Result<(), AppError> {
    const SQL: &str =
        "UPDATE tracks SET state = 'failed', failure = $2 WHERE id = $1 AND state = 'processing'";
    query(SQL).bind(id).bind(reason).execute(db).await?;
    Ok(())
}

#[derive(FromRow)]
struct TrackRow {
    id: i64,
    title: String,
    #[sqlx(try_from = "String")]
    state: TrackState,
    progress: i64,
    failure: Option<String>,
    duration_ms: Option<i64>,
    isrc: Option<String>,
    release_id: Option<i64>,
    created_at: i64,
}

/// The artist's tracks, newest first (deleted ones left out).
pub async fn artist_tracks(db: &Db, artist: UserId) -> Result<Vec<ArtistTrack>, AppError> {
    const SQL: &str = "SELECT id, title, state, progress, failure, duration_ms, isrc, release_id, created_at \
                       FROM tracks WHERE artist_id = $1 AND deleted_at IS NULL ORDER BY created_at DESC, id DESC";
    let rows: Vec<TrackRow> = query(SQL).bind(artist.0).fetch_all(db).await?;
    Ok(rows
        .into_iter()
        .map(|r| ArtistTrack {
            id: r.id,
            title: r.title,
            state: r.state,
            progress: r.progress,
            failure: r.failure,
            duration_ms: r.duration_ms,
            isrc: r.isrc,
            release_id: r.release_id,
            created_at: r.created_at,
        })
        .collect())
}

#[derive(FromRow)]
struct SummaryRow {
    #[sqlx(try_from = "String")]
    kind: ReleaseKind,
    title: String,
    slug: String,
    artwork_key: Option<String>,
    release_at: i64,
    handle: String,
    stage_name: String,
}

impl From<SummaryRow> for ReleaseSummary {
    fn from(r: SummaryRow) -> Self {
        Self {
            kind: r.kind,
            title: r.title,
            slug: r.slug,
            artwork_url: r.artwork_key.map(|k| format!("/media/{k}")),
            release_at: r.release_at,
            handle: r.handle,
            artist_name: r.stage_name,
        }
    }
}

/// Published releases with their artists, whose profiles are public.
const SUMMARY: &str = "SELECT r.kind, r.title, r.slug, r.artwork_key, r.release_at, u.handle, p.stage_name \
                       FROM releases r JOIN users u ON u.id = r.artist_id JOIN artist_profiles p ON p.user_id = r.artist_id \
                       WHERE r.published_at IS NOT NULL AND r.deleted_at IS NULL AND u.deleted_at IS NULL \
                       AND p.deleted_at IS NULL AND p.onboarding_completed = TRUE";

/// The published releases (pre-releases too) of the artist at `handle`, for fans.
pub async fn public_releases(db: &Db, handle: &str) -> Result<Vec<ReleaseSummary>, AppError> {
    let artist = crate::artists::service::public_id(db, handle).await?;
    let sql = format!("{SUMMARY} AND r.artist_id = $1 ORDER BY r.release_at DESC, r.id DESC");
    let rows: Vec<SummaryRow> = query(sqlx::AssertSqlSafe(sql))
        .bind(artist)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(ReleaseSummary::from).collect())
}

/// The newest releases out by `now`, from every artist.
pub async fn new_releases(db: &Db, now: i64, limit: i64) -> Result<Vec<ReleaseSummary>, AppError> {
    let sql =
        format!("{SUMMARY} AND r.release_at <= $1 ORDER BY r.release_at DESC, r.id DESC LIMIT $2");
    let rows: Vec<SummaryRow> = query(sqlx::AssertSqlSafe(sql))
        .bind(now)
        .bind(limit)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(ReleaseSummary::from).collect())
}

/// The artist's releases, drafts too, newest release day first (deleted ones left
/// out).
pub async fn artist_releases(db: &Db, artist: UserId) -> Result<Vec<ArtistRelease>, AppError> {
    #[derive(FromRow)]
    struct Row {
        id: i64,
        #[sqlx(try_from = "String")]
        kind: ReleaseKind,
        title: String,
        slug: String,
        artwork_key: Option<String>,
        release_at: i64,
        published_at: Option<i64>,
        tracks: i64,
    }
    const SQL: &str = "SELECT r.id, r.kind, r.title, r.slug, r.artwork_key, r.release_at, r.published_at, \
                       (SELECT COUNT(*) FROM tracks t WHERE t.release_id = r.id AND t.deleted_at IS NULL) AS tracks \
                       FROM releases r WHERE r.artist_id = $1 AND r.deleted_at IS NULL \
                       ORDER BY r.release_at DESC, r.id DESC";
    let rows: Vec<Row> = query(SQL).bind(artist.0).fetch_all(db).await?;
    Ok(rows
        .into_iter()
        .map(|r| ArtistRelease {
            id: r.id,
            kind: r.kind,
            title: r.title,
            slug: r.slug,
            artwork_url: r.artwork_key.map(|k| format!("/media/{k}")),
            release_at: r.release_at,
            published: r.published_at.is_some(),
            tracks: r.tracks,
        })
        .collect())
}

/// The artist's release `id` as its editor opens it (another artist's: not found).
pub async fn release_for_edit(db: &Db, artist: UserId, id: i64) -> Result<ReleaseEdit, AppError> {
    #[derive(FromRow)]
    struct Row {
        kind: String,
        title: String,
        handle: String,
        slug: String,
        genre: String,
        upc: Option<String>,
        artwork_key: Option<String>,
        release_at: i64,
        published_at: Option<i64>,
    }
    const SQL: &str = "SELECT r.kind, r.title, u.handle, r.slug, r.genre, r.upc, r.artwork_key, r.release_at, \
                       r.published_at FROM releases r JOIN users u ON u.id = r.artist_id \
                       WHERE r.id = $1 AND r.artist_id = $2 AND r.deleted_at IS NULL";
    let row: Row = query(SQL)
        .bind(id)
        .bind(artist.0)
        .fetch_optional(db)
        .await?
        .ok_or(AppError::NotFound)?;
    #[derive(FromRow)]
    struct Track {
        id: i64,
        title: String,
        isrc: Option<String>,
    }
    let tracks: Vec<Track> = query(
        "SELECT id, title, isrc FROM tracks WHERE release_id = $1 AND deleted_at IS NULL ORDER BY position, id",
    )
    .bind(id)
    .fetch_all(db)
    .await?;
    let ids: Vec<i64> = tracks.iter().map(|t| t.id).collect();
    let mut credits = credits_of(db, &ids).await?;
    let day = crate::time::iso_day(row.release_at);
    Ok(ReleaseEdit {
        id,
        form: ReleaseForm {
            kind: row.kind,
            title: row.title,
            genre: row.genre,
            upc: row.upc.unwrap_or_default(),
            release_date: day,
            tracks: tracks
                .into_iter()
                .map(|t| TrackEntry {
                    track_id: t.id,
                    title: t.title,
                    isrc: t
                        .isrc
                        .and_then(|c| Isrc::parse(&c).ok())
                        .map(|c| c.to_string())
                        .unwrap_or_default(),
                    credits: credits.remove(&t.id).unwrap_or_default(),
                })
                .collect(),
        },
        handle: row.handle,
        slug: row.slug,
        artwork_url: row.artwork_key.map(|k| format!("/media/{k}")),
        published: row.published_at.is_some(),
    })
}

/// A release form, checked: every problem reported at once, by field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseInput {
    pub kind: ReleaseKind,
    pub title: String,
    pub genre: String,
    pub upc: Option<Upc>,
    pub release_at: i64,
    pub tracks: Vec<TrackInput>,
}

/// One track's place on a release, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackInput {
    pub track_id: i64,
    pub title: String,
    pub isrc: Option<Isrc>,
    pub credits: Vec<Credit>,
}

impl ReleaseInput {
    /// Checks a release form. Fields are named `title`, `tracks.{i}.isrc` and so on,
    /// for the form to show each message beside its field.
    pub fn parse(form: &ReleaseForm) -> Result<Self, AppError> {
        let mut errors = Vec::new();
        let kind = ReleaseKind::parse(&form.kind);
        if kind.is_none() {
            errors.push(FieldError::new("kind", "Choose single, EP or album."));
        }
        let title = clean_title("title", &form.title)
            .map_err(|e| errors.push(e))
            .ok();
        let genre: String = form.genre.trim().chars().take(60).collect();
        let upc = match form.upc.trim() {
            "" => None,
            text => Upc::parse(text)
                .map_err(|m| errors.push(FieldError::new("upc", m)))
                .ok(),
        };
        let release_at = crate::time::parse_date(&form.release_date);
        if release_at.is_none() {
            errors.push(FieldError::new(
                "release_date",
                "Choose the day it comes out.",
            ));
        }
        if form.tracks.is_empty() {
            errors.push(FieldError::new("tracks", "Add at least one track."));
        }
        if let Some(kind) = kind
            && form.tracks.len() > kind.max_tracks()
        {
            errors.push(FieldError::new(
                "tracks",
                format!(
                    "A {} has at most {} tracks. Make it an {} instead, or take some off.",
                    kind.label().to_lowercase(),
                    kind.max_tracks(),
                    if kind == ReleaseKind::Single {
                        "EP"
                    } else {
                        "album"
                    },
                ),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        let mut tracks = Vec::new();
        for (i, entry) in form.tracks.iter().enumerate() {
            if !seen.insert(entry.track_id) {
                errors.push(FieldError::new(
                    format!("tracks.{i}"),
                    "This track is on the release twice.",
                ));
            }
            let title = clean_title(&format!("tracks.{i}.title"), &entry.title)
                .map_err(|e| errors.push(e))
                .ok();
            let isrc = match entry.isrc.trim() {
                "" => None,
                text => Isrc::parse(text)
                    .map_err(|m| errors.push(FieldError::new(format!("tracks.{i}.isrc"), m)))
                    .ok(),
            };
            let credits: Vec<Credit> = entry
                .credits
                .iter()
                .map(|c| Credit {
                    role: c.role.trim().chars().take(60).collect(),
                    name: c.name.trim().chars().take(120).collect(),
                })
                .filter(|c| !c.role.is_empty() || !c.name.is_empty())
                .collect();
            if credits
                .iter()
                .any(|c| c.role.is_empty() || c.name.is_empty())
            {
                errors.push(FieldError::new(
                    format!("tracks.{i}.credits"),
                    "Each credit needs a role and a name.",
                ));
            }
            if credits.len() > MAX_CREDITS {
                errors.push(FieldError::new(
                    format!("tracks.{i}.credits"),
                    format!("List at most {MAX_CREDITS} credits."),
                ));
            }
            if let Some(title) = title {
                tracks.push(TrackInput {
                    track_id: entry.track_id,
                    title,
                    isrc,
                    credits,
                });
            }
        }
        match (kind, title, release_at) {
            (Some(kind), Some(title), Some(release_at)) if errors.is_empty() => Ok(Self {
                kind,
                title,
                genre,
                upc,
                release_at,
                tracks,
            }),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

/// Saves a release: a new draft (`id` None) or changes to one of the artist's own
/// (published ones too: titles, credits and codes may be corrected). Its tracks must be
/// the artist's, processed and on no other release; another artist's track or release
/// is not found. The slug is made once, from the first title.
pub async fn save_release(
    db: &Db,
    artist: UserId,
    id: Option<i64>,
    input: &ReleaseInput,
) -> Result<i64, AppError> {
    let mut tx = db.begin_write().await?;
    let id = match id {
        Some(id) => {
            owned_release(&mut tx, artist, id).await?;
            const SQL: &str = "UPDATE releases SET kind = $3, title = $4, genre = $5, upc = $6, release_at = $7 \
                               WHERE id = $1 AND artist_id = $2";
            query(SQL)
                .bind(id)
                .bind(artist.0)
                .bind(input.kind.as_str())
                .bind(&input.title)
                .bind(&input.genre)
                .bind(input.upc.as_ref().map(Upc::as_str))
                .bind(input.release_at)
                .execute(&mut tx)
                .await?;
            id
        }
        None => {
            let slug = free_slug(&mut tx, artist, &slugify(&input.title)).await?;
            const SQL: &str = "INSERT INTO releases (artist_id, kind, title, slug, genre, upc, release_at, created_at) \
                               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
            query(SQL)
                .bind(artist.0)
                .bind(input.kind.as_str())
                .bind(&input.title)
                .bind(&slug)
                .bind(&input.genre)
                .bind(input.upc.as_ref().map(Upc::as_str))
                .bind(input.release_at)
                .bind(now_ms())
                .scalar_one(&mut tx)
                .await?
        }
    };
    // Tracks taken off the release go back to the artist's unreleased tracks.
    query("UPDATE tracks SET release_id = NULL, position = 0 WHERE release_id = $1")
        .bind(id)
        .execute(&mut tx)
        .await?;
    for (position, track) in (1_i64..).zip(&input.tracks) {
        #[derive(FromRow)]
        struct Owned {
            #[sqlx(try_from = "String")]
            state: TrackState,
            release_id: Option<i64>,
        }
        let owned: Owned = query(
            "SELECT state, release_id FROM tracks WHERE id = $1 AND artist_id = $2 AND deleted_at IS NULL",
        )
        .bind(track.track_id)
        .bind(artist.0)
        .fetch_optional(&mut tx)
        .await?
        .ok_or(AppError::NotFound)?;
        let field = format!("tracks.{}", position - 1);
        if owned.state != TrackState::Ready {
            return Err(AppError::field(
                field,
                "This track is still processing (or failed): wait until it's ready.",
            ));
        }
        if owned.release_id.is_some() {
            return Err(AppError::field(
                field,
                "This track is already on another release.",
            ));
        }
        const SQL: &str =
            "UPDATE tracks SET release_id = $2, position = $3, title = $4, isrc = $5 WHERE id = $1";
        query(SQL)
            .bind(track.track_id)
            .bind(id)
            .bind(position)
            .bind(&track.title)
            .bind(track.isrc.as_ref().map(Isrc::as_str))
            .execute(&mut tx)
            .await?;
        query("DELETE FROM track_credits WHERE track_id = $1")
            .bind(track.track_id)
            .execute(&mut tx)
            .await?;
        for (at, credit) in (1_i64..).zip(&track.credits) {
            query("INSERT INTO track_credits (track_id, position, role, name) VALUES ($1, $2, $3, $4)")
                .bind(track.track_id)
                .bind(at)
                .bind(&credit.role)
                .bind(&credit.name)
                .execute(&mut tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(id)
}

/// The artist's release `id` (not deleted), or not found.
async fn owned_release(tx: &mut Tx, artist: UserId, id: i64) -> Result<Option<i64>, AppError> {
    const SQL: &str =
        "SELECT published_at FROM releases WHERE id = $1 AND artist_id = $2 AND deleted_at IS NULL";
    let row: Option<Option<i64>> = query(SQL)
        .bind(id)
        .bind(artist.0)
        .scalar_optional(&mut *tx)
        .await?;
    row.ok_or(AppError::NotFound)
}

/// `base`, or `base-2`, `base-3`… : the first slug the artist has not used.
async fn free_slug(tx: &mut Tx, artist: UserId, base: &str) -> Result<String, AppError> {
    const SQL: &str = "SELECT slug FROM releases WHERE artist_id = $1 AND deleted_at IS NULL \
                       AND (slug = $2 OR slug LIKE $3)";
    let taken: Vec<String> = query(SQL)
        .bind(artist.0)
        .bind(base)
        .bind(format!("{base}-%"))
        .scalar_all(&mut *tx)
        .await?;
    if !taken.iter().any(|s| s == base) {
        return Ok(base.to_owned());
    }
    Ok((2..)
        .map(|n| format!("{base}-{n}"))
        .find(|s| !taken.contains(s))
        .unwrap_or_else(|| base.to_owned()))
}

/// Publishes the artist's draft release `id`: it needs artwork and at least one
/// track. Each track's `track.published` and the release's `release.published` are
/// emitted in the same transaction. Publishing again changes nothing.
pub async fn publish(db: &Db, artist: UserId, id: i64) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    if owned_release(&mut tx, artist, id).await?.is_some() {
        return Ok(());
    }
    #[derive(FromRow)]
    struct Ready {
        artwork_key: Option<String>,
        tracks: i64,
    }
    const SQL: &str = "SELECT r.artwork_key, (SELECT COUNT(*) FROM tracks t WHERE t.release_id = r.id \
                       AND t.deleted_at IS NULL) AS tracks FROM releases r WHERE r.id = $1";
    let ready: Ready = query(SQL).bind(id).fetch_one(&mut tx).await?;
    let mut errors = Vec::new();
    if ready.artwork_key.is_none() {
        errors.push(FieldError::new(
            "artwork",
            "Add artwork before you publish.",
        ));
    }
    if ready.tracks == 0 {
        errors.push(FieldError::new(
            "tracks",
            "Add at least one track before you publish.",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    query("UPDATE releases SET published_at = $2 WHERE id = $1 AND published_at IS NULL")
        .bind(id)
        .bind(now_ms())
        .execute(&mut tx)
        .await?;
    let tracks: Vec<i64> = query(
        "SELECT id FROM tracks WHERE release_id = $1 AND deleted_at IS NULL ORDER BY position",
    )
    .bind(id)
    .scalar_all(&mut tx)
    .await?;
    for track_id in tracks {
        bus::emit(
            &mut tx,
            &PlatformEvent::TrackPublished {
                track_id,
                artist_id: artist.0,
            },
        )
        .await?;
    }
    bus::emit(
        &mut tx,
        &PlatformEvent::ReleasePublished {
            release_id: id,
            artist_id: artist.0,
        },
    )
    .await?;
    tx.commit().await
}

/// Makes `upload` the artwork of the artist's release `id`: checked as an image,
/// cropped square to 1,200 pixels, stored; the artwork it replaces is deleted. Another
/// artist's release is not found, before anything is decoded. Returns the new URL.
pub async fn store_artwork(
    state: &AppState,
    artist: UserId,
    id: i64,
    upload: Vec<u8>,
) -> Result<String, AppError> {
    {
        let mut tx = state.db.begin().await?;
        owned_release(&mut tx, artist, id).await?;
        tx.commit().await?;
    }
    if upload.is_empty() {
        return Err(AppError::field(
            "artwork",
            "Choose an image for the artwork.",
        ));
    }
    let jpeg = crate::media::square_jpeg_async(upload, &crate::media::ARTWORK).await?;
    let key = crate::media::hashed_jpeg_key(&format!("releases/{}/{id}/art", artist.0), &jpeg);
    state.storage.put(&key, jpeg).await?;
    let previous = set_artwork(&state.db, artist, id, &key).await?;
    // The artwork it replaced is no longer referenced: its blob goes (a failure only
    // leaves a stray file, so it is logged).
    if let Some(old) = previous.filter(|old| *old != key)
        && let Err(err) = state.storage.delete(&old).await
    {
        tracing::warn!(error = %err, key = old, "could not delete replaced artwork");
    }
    Ok(format!("/media/{key}"))
}

/// Sets the artwork of the artist's release `id` (already processed and stored under
/// `key`); returns the key it replaced, whose blob the caller removes.
pub async fn set_artwork(
    db: &Db,
    artist: UserId,
    id: i64,
    key: &str,
) -> Result<Option<String>, AppError> {
    let mut tx = db.begin_write().await?;
    owned_release(&mut tx, artist, id).await?;
    let previous: Option<String> = query("SELECT artwork_key FROM releases WHERE id = $1")
        .bind(id)
        .scalar_one(&mut tx)
        .await?;
    query("UPDATE releases SET artwork_key = $2 WHERE id = $1")
        .bind(id)
        .bind(key)
        .execute(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(previous)
}

#[derive(FromRow)]
struct ReleaseRow {
    id: i64,
    artist_id: i64,
    handle: String,
    stage_name: String,
    #[sqlx(try_from = "String")]
    kind: ReleaseKind,
    title: String,
    slug: String,
    genre: String,
    upc: Option<String>,
    artwork_key: Option<String>,
    release_at: i64,
    published_at: Option<i64>,
}

#[derive(FromRow)]
struct ReleaseTrackRow {
    id: i64,
    position: i64,
    title: String,
    duration_ms: Option<i64>,
    isrc: Option<String>,
    stream_key: Option<String>,
    peaks: Option<String>,
}

/// The release at `/@handle/releases/slug`, as `viewer` sees it: published ones for
/// everyone, a draft for its artist alone (anyone else: not found). Its tracks play
/// once it is out.
pub async fn release_page(
    db: &Db,
    viewer: Option<UserId>,
    handle: &str,
    slug: &str,
    now: i64,
) -> Result<ReleaseView, AppError> {
    const SQL: &str = "SELECT r.id, r.artist_id, u.handle, p.stage_name, r.kind, r.title, r.slug, r.genre, r.upc, \
                       r.artwork_key, r.release_at, r.published_at \
                       FROM releases r JOIN users u ON u.id = r.artist_id JOIN artist_profiles p ON p.user_id = r.artist_id \
                       WHERE u.handle = $1 AND r.slug = $2 AND r.deleted_at IS NULL AND u.deleted_at IS NULL";
    let row: ReleaseRow = query(SQL)
        .bind(handle.trim_start_matches('@').to_lowercase())
        .bind(slug)
        .fetch_optional(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let own = viewer.is_some_and(|v| v.0 == row.artist_id);
    if row.published_at.is_none() && !own {
        return Err(AppError::NotFound);
    }
    let out = row.published_at.is_some() && row.release_at <= now;
    const TRACKS: &str = "SELECT id, position, title, duration_ms, isrc, stream_key, peaks FROM tracks \
                          WHERE release_id = $1 AND deleted_at IS NULL ORDER BY position, id";
    let tracks: Vec<ReleaseTrackRow> = query(TRACKS).bind(row.id).fetch_all(db).await?;
    let ids: Vec<i64> = tracks.iter().map(|t| t.id).collect();
    let mut credits = credits_of(db, &ids).await?;
    Ok(ReleaseView {
        id: row.id,
        artist: ReleaseArtist {
            id: row.artist_id,
            handle: row.handle,
            name: row.stage_name,
        },
        kind: row.kind,
        title: row.title,
        slug: row.slug,
        genre: row.genre,
        upc: row.upc,
        artwork_url: row.artwork_key.map(|k| format!("/media/{k}")),
        release_at: row.release_at,
        published: row.published_at.is_some(),
        out,
        tracks: tracks
            .into_iter()
            .map(|t| TrackView {
                id: t.id,
                position: t.position,
                title: t.title,
                duration_ms: t.duration_ms.unwrap_or(0),
                isrc: t
                    .isrc
                    .and_then(|c| Isrc::parse(&c).ok())
                    .map(|c| c.to_string()),
                credits: credits.remove(&t.id).unwrap_or_default(),
                // The artist hears their own pre-release; fans wait for the day.
                stream_url: (out || own)
                    .then_some(t.stream_key)
                    .flatten()
                    .map(|k| format!("/media/{k}")),
                peaks: t
                    .peaks
                    .and_then(|p| serde_json::from_str(&p).ok())
                    .unwrap_or_default(),
            })
            .collect(),
    })
}

/// The credits of `tracks`, in order, by track.
async fn credits_of(
    db: &Db,
    tracks: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<Credit>>, AppError> {
    #[derive(FromRow)]
    struct Row {
        track_id: i64,
        role: String,
        name: String,
    }
    let mut by_track: std::collections::HashMap<i64, Vec<Credit>> =
        std::collections::HashMap::new();
    if tracks.is_empty() {
        return Ok(by_track);
    }
    let list = tracks
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!(
        "SELECT track_id, role, name FROM track_credits WHERE track_id IN ({list}) ORDER BY track_id, position"
    );
    let rows: Vec<Row> = query(sqlx::AssertSqlSafe(sql)).fetch_all(db).await?;
    for r in rows {
        by_track.entry(r.track_id).or_default().push(Credit {
            role: r.role,
            name: r.name,
        });
    }
    Ok(by_track)
}

/// What followers are told of a published release.
#[derive(Debug, Clone)]
pub struct ReleaseNotice {
    pub artist_name: String,
    pub title: String,
    pub body: String,
    pub url: String,
}

/// The notice of release `id`, if it is still published.
pub async fn announcement(db: &Db, id: i64) -> Result<Option<ReleaseNotice>, AppError> {
    let sql = format!("{SUMMARY} AND r.id = $1");
    let row: Option<SummaryRow> = query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|r| {
        let release = ReleaseSummary::from(r);
        let kind = release.kind.label();
        let body = if release.release_at > crate::time::now_ms() {
            format!(
                "A new {kind}, out on {}. Pre-save it on Boptone.",
                crate::time::format_day(release.release_at)
            )
        } else {
            format!("A new {kind}. Listen now.")
        };
        ReleaseNotice {
            artist_name: release.artist_name.clone(),
            title: release.title.clone(),
            url: release.url(),
            body,
        }
    }))
}
