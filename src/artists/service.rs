//! Artist profile reads and writes.

use super::ArtistCard;
use crate::db::query;
use crate::{db::Db, error::AppError};

#[derive(sqlx::FromRow)]
struct CardRow {
    handle: String,
    stage_name: String,
    bio: String,
    location: String,
    genres: String,
    photo_url: Option<String>,
    links: String,
    tips_enabled: bool,
}

impl From<CardRow> for ArtistCard {
    fn from(row: CardRow) -> Self {
        Self {
            handle: row.handle,
            stage_name: row.stage_name,
            bio: row.bio,
            location: row.location,
            genres: serde_json::from_str(&row.genres).unwrap_or_default(),
            photo_url: row.photo_url,
            links: serde_json::from_str(&row.links).unwrap_or_default(),
            kick_in: row.tips_enabled,
        }
    }
}

const CARD_COLUMNS: &str =
    "u.handle, p.stage_name, p.bio, p.location, p.genres, p.photo_url, p.links, p.tips_enabled";

/// Artists with a completed profile, newest first.
pub async fn list_public(db: &Db, limit: i64) -> Result<Vec<ArtistCard>, AppError> {
    let sql = format!(
        "SELECT {CARD_COLUMNS} FROM artist_profiles p JOIN users u ON u.id = p.user_id \
         WHERE p.onboarding_completed = TRUE AND p.deleted_at IS NULL AND u.deleted_at IS NULL \
         ORDER BY p.created_at DESC, p.user_id DESC LIMIT $1"
    );
    let rows: Vec<CardRow> = query(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(limit)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(ArtistCard::from).collect())
}

/// One artist's public profile by handle.
pub async fn find_by_handle(db: &Db, handle: &str) -> Result<ArtistCard, AppError> {
    let sql = format!(
        "SELECT {CARD_COLUMNS} FROM artist_profiles p JOIN users u ON u.id = p.user_id \
         WHERE u.handle = $1 AND p.onboarding_completed = TRUE AND p.deleted_at IS NULL AND u.deleted_at IS NULL"
    );
    let row: Option<CardRow> = query(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(handle.to_lowercase())
        .fetch_optional(db)
        .await?;
    row.map(ArtistCard::from).ok_or(AppError::NotFound)
}

/// Sets the artist's profile photo; returns the URL it replaced, if any.
pub async fn set_photo(
    db: &Db,
    artist: crate::accounts::UserId,
    url: &str,
) -> Result<Option<String>, AppError> {
    let mut tx = db.begin_write().await?;
    // Two uploads at once take turns, so each deletes only the photo it replaced.
    tx.lock(&format!("artist-photo:{}", artist.0)).await?;
    const OLD: &str = "SELECT photo_url FROM artist_profiles WHERE user_id = $1";
    let old: Option<Option<String>> = query(OLD).bind(artist.0).scalar_optional(&mut tx).await?;
    let Some(old) = old else {
        return Err(AppError::NotFound);
    };
    const SQL: &str =
        "UPDATE artist_profiles SET photo_url = $2, updated_at = $3 WHERE user_id = $1";
    query(SQL)
        .bind(artist.0)
        .bind(url)
        .bind(crate::time::now_ms())
        .execute(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(old)
}

/// An artist's stage name (on the pool, or inside a transaction).
pub async fn stage_name<'a>(
    on: impl Into<crate::db::Exec<'a>>,
    artist: i64,
) -> Result<String, AppError> {
    const SQL: &str = "SELECT stage_name FROM artist_profiles WHERE user_id = $1";
    query(SQL).bind(artist).scalar_one(on).await
}
