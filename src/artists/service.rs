//! Artist profiles. Owns the `artist_profiles` table: every write to it is a function
//! here, named for what it records; other modules call these.

use super::ArtistCard;
use crate::db::{Exec, query};
use crate::{
    db::{Db, Tx},
    error::AppError,
    payments::Tier,
    time::now_ms,
};

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

/// The user id of the artist with a public profile at `handle` (others: not found).
pub async fn public_id(db: &Db, handle: &str) -> Result<i64, AppError> {
    const SQL: &str = "SELECT u.id FROM artist_profiles p JOIN users u ON u.id = p.user_id \
                       WHERE u.handle = $1 AND p.onboarding_completed = TRUE AND p.deleted_at IS NULL AND u.deleted_at IS NULL";
    let id: Option<i64> = query(SQL)
        .bind(handle.trim().trim_start_matches('@').to_lowercase())
        .scalar_optional(db)
        .await?;
    id.ok_or(AppError::NotFound)
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

/// Turns payouts on or off as the provider reports payout account `account` now;
/// returns the artist whose payouts turned on with this call (the first time only).
pub async fn set_payout_state(
    tx: &mut Tx,
    account: &str,
    payouts_enabled: bool,
    details_submitted: bool,
) -> Result<Option<i64>, AppError> {
    let now = now_ms();
    const ENABLE: &str = "UPDATE artist_profiles SET payouts_enabled = TRUE, payout_details_submitted = TRUE, updated_at = $2 \
                          WHERE payout_account_id = $1 AND payouts_enabled = FALSE RETURNING user_id";
    let newly_enabled: Option<i64> = if payouts_enabled {
        query(ENABLE)
            .bind(account)
            .bind(now)
            .scalar_optional(&mut *tx)
            .await?
    } else {
        None
    };
    const SYNC: &str = "UPDATE artist_profiles SET payouts_enabled = $2, payout_details_submitted = $3, updated_at = $4 \
                        WHERE payout_account_id = $1";
    query(SYNC)
        .bind(account)
        .bind(payouts_enabled)
        .bind(details_submitted)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    Ok(newly_enabled)
}

/// Makes `artist`'s profile on the plan `tier` (a returning artist keeps theirs, on
/// the new plan).
pub async fn create_profile(
    tx: &mut Tx,
    artist: i64,
    stage_name: &str,
    tier: Tier,
) -> Result<(), AppError> {
    const SQL: &str = "INSERT INTO artist_profiles (user_id, stage_name, tier, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
                       ON CONFLICT (user_id) DO UPDATE SET tier = excluded.tier, updated_at = excluded.updated_at";
    query(SQL)
        .bind(artist)
        .bind(stage_name)
        .bind(tier.as_str())
        .bind(now_ms())
        .execute(tx)
        .await?;
    Ok(())
}

/// Moves `artist` to the plan `tier`.
pub async fn set_tier(tx: &mut Tx, artist: i64, tier: Tier) -> Result<(), AppError> {
    const SQL: &str =
        "UPDATE artist_profiles SET tier = $2, updated_at = $3 WHERE user_id = $1 AND tier <> $2";
    query(SQL)
        .bind(artist)
        .bind(tier.as_str())
        .bind(now_ms())
        .execute(tx)
        .await?;
    Ok(())
}

/// Records `artist`'s first money from a fan; `true` only the first time.
pub async fn mark_first_dollar(tx: &mut Tx, artist: i64) -> Result<bool, AppError> {
    const SQL: &str = "UPDATE artist_profiles SET first_dollar_at = $2 WHERE user_id = $1 AND first_dollar_at IS NULL";
    Ok(query(SQL).bind(artist).bind(now_ms()).execute(tx).await? == 1)
}

/// What an artist says about themselves on their profile.
pub struct ProfileText<'a> {
    pub stage_name: &'a str,
    pub bio: &'a str,
    pub location: &'a str,
    /// JSON arrays, as stored.
    pub genres_json: &'a str,
    pub links_json: &'a str,
}

/// Saves `artist`'s profile text; `true` the first time the profile is complete.
pub async fn save_profile(
    tx: &mut Tx,
    artist: i64,
    text: &ProfileText<'_>,
) -> Result<bool, AppError> {
    const FIRST: &str = "UPDATE artist_profiles SET onboarding_completed = TRUE WHERE user_id = $1 AND onboarding_completed = FALSE";
    let first = query(FIRST).bind(artist).execute(&mut *tx).await? == 1;
    const SAVE: &str = "UPDATE artist_profiles SET stage_name = $2, bio = $3, location = $4, genres = $5, links = $6, updated_at = $7 \
                        WHERE user_id = $1";
    query(SAVE)
        .bind(artist)
        .bind(text.stage_name)
        .bind(text.bio)
        .bind(text.location)
        .bind(text.genres_json)
        .bind(text.links_json)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    Ok(first)
}

/// Records the payout account opened for `artist`, unless they have one already;
/// `true` when this call recorded it.
pub async fn set_payout_account<'a>(
    on: impl Into<Exec<'a>>,
    artist: i64,
    account: &str,
) -> Result<bool, AppError> {
    const SQL: &str = "UPDATE artist_profiles SET payout_account_id = $2, updated_at = $3 \
                       WHERE user_id = $1 AND payout_account_id IS NULL";
    Ok(query(SQL)
        .bind(artist)
        .bind(account)
        .bind(now_ms())
        .execute(on)
        .await?
        == 1)
}

/// Turns Kick In on or off; `true` when that changed anything.
pub async fn set_tips_enabled(tx: &mut Tx, artist: i64, enabled: bool) -> Result<bool, AppError> {
    const SQL: &str = "UPDATE artist_profiles SET tips_enabled = $2, updated_at = $3 WHERE user_id = $1 AND tips_enabled <> $2";
    Ok(query(SQL)
        .bind(artist)
        .bind(enabled)
        .bind(now_ms())
        .execute(tx)
        .await?
        == 1)
}

/// Records that `artist` shared their profile; `true` the first time.
pub async fn mark_shared(tx: &mut Tx, artist: i64) -> Result<bool, AppError> {
    const SQL: &str =
        "UPDATE artist_profiles SET shared_at = $2 WHERE user_id = $1 AND shared_at IS NULL";
    Ok(query(SQL).bind(artist).bind(now_ms()).execute(tx).await? == 1)
}
