//! The feed (SPEC BOP-3): ready Bops, ranked for one viewer by [`ranking::score`], in
//! pages joined by a cursor. Reads `bops` and what the viewer did (likes, follows,
//! loyalty); writes nothing.
//!
//! A feed session starts at a moment (`as_of`): nothing published later joins it, and
//! every score is computed at that moment, so pages follow one order. The newest
//! [`WINDOW`] Bops (and every new Bop from an artist the viewer follows) are ranked
//! once, on the first page; the cursor carries the rest of that order (ids only), so
//! later pages neither re-rank nor skip nor repeat. After the window the feed goes on
//! by date, older and older, leaving out what the window ranked. (The browser also
//! skips any Bop it has already shown.)

use std::collections::{HashMap, HashSet};

use sqlx::{AssertSqlSafe, FromRow};

use super::{
    BopArtist, BopCounts, FeedBop, FeedPage,
    ranking::{self, NEW_FROM_FOLLOWED_MS, Signals},
};
use crate::{
    accounts::UserId,
    db::{Db, query},
    error::AppError,
    fans::loyalty,
};

/// How many of the newest Bops are ranked; older ones follow by date.
pub const WINDOW: i64 = 400;
/// Bops per page.
pub const PAGE: usize = 6;

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq)]
enum Cursor {
    /// The first page of a session starting at this moment.
    Start { as_of: i64 },
    /// The rest of the session's ranked Bops, in order, then the tail by date from
    /// below `oldest` (published at, id).
    Ranked {
        as_of: i64,
        rest: Vec<i64>,
        oldest: (i64, i64),
    },
    /// Bops published before this one, by date.
    Older {
        as_of: i64,
        published_at: i64,
        id: i64,
    },
}

/// The most ids a cursor carries (the window and a fan's followed extras).
const MAX_CURSOR_IDS: usize = 2 * WINDOW as usize;

impl Cursor {
    fn encode(&self) -> String {
        match self {
            Self::Start { as_of } => format!("s.{as_of}"),
            Self::Ranked {
                as_of,
                rest,
                oldest: (published_at, id),
            } => {
                let ids = rest
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join("-");
                format!("r.{as_of}.{published_at}.{id}.{ids}")
            }
            Self::Older {
                as_of,
                published_at,
                id,
            } => format!("o.{as_of}.{published_at}.{id}"),
        }
    }

    fn decode(text: &str) -> Option<Self> {
        let parts: Vec<&str> = text.split('.').collect();
        let int = |s: &str| s.parse::<i64>().ok();
        match parts.as_slice() {
            ["s", as_of] => Some(Self::Start { as_of: int(as_of)? }),
            ["r", as_of, published_at, id, ids] => {
                let rest = ids
                    .split('-')
                    .map(|i| i.parse::<i64>().ok())
                    .collect::<Option<Vec<i64>>>()?;
                (!rest.is_empty() && rest.len() <= MAX_CURSOR_IDS).then_some(())?;
                Some(Self::Ranked {
                    as_of: int(as_of)?,
                    rest,
                    oldest: (int(published_at)?, int(id)?),
                })
            }
            ["o", as_of, published_at, id] => Some(Self::Older {
                as_of: int(as_of)?,
                published_at: int(published_at)?,
                id: int(id)?,
            }),
            _ => None,
        }
    }

    fn as_of(&self) -> i64 {
        match self {
            Self::Start { as_of } | Self::Ranked { as_of, .. } | Self::Older { as_of, .. } => {
                *as_of
            }
        }
    }
}

/// The page of `ids` first in `order`, and where the session goes on.
fn split_page(
    as_of: i64,
    mut order: Vec<i64>,
    oldest: Option<(i64, i64)>,
) -> (Vec<i64>, Option<Cursor>) {
    let rest = order.split_off(PAGE.min(order.len()));
    let next = match oldest {
        _ if !rest.is_empty() => oldest.map(|oldest| Cursor::Ranked {
            as_of,
            rest,
            oldest,
        }),
        Some((published_at, id)) => Some(Cursor::Older {
            as_of,
            published_at,
            id,
        }),
        None => None,
    };
    (order, next)
}

#[derive(FromRow)]
struct Row {
    id: i64,
    artist_id: i64,
    caption: String,
    playlist_key: Option<String>,
    poster_key: Option<String>,
    mp4_key: Option<String>,
    duration_ms: Option<i64>,
    width: Option<i64>,
    height: Option<i64>,
    published_at: i64,
    view_count: i64,
    like_count: i64,
    comment_count: i64,
    tip_count: i64,
    handle: String,
    stage_name: String,
    photo_url: Option<String>,
    tips_enabled: bool,
    liked: i64,
    following: i64,
}

/// Everything the feed shows of a Bop; `$1` is the viewer (or -1).
const SELECT: &str = "SELECT b.id, b.artist_id, b.caption, b.playlist_key, b.poster_key, b.mp4_key, b.duration_ms, b.width, b.height, \
     b.published_at, b.view_count, b.like_count, b.comment_count, b.tip_count, u.handle, p.stage_name, p.photo_url, p.tips_enabled, \
     (SELECT COUNT(*) FROM bop_likes l WHERE l.bop_id = b.id AND l.fan_id = $1) AS liked, \
     (SELECT COUNT(*) FROM follows f WHERE f.artist_id = b.artist_id AND f.fan_id = $1) AS following \
     FROM bops b JOIN users u ON u.id = b.artist_id JOIN artist_profiles p ON p.user_id = b.artist_id \
     WHERE b.state = 'ready' AND b.deleted_at IS NULL AND u.deleted_at IS NULL AND p.deleted_at IS NULL";

impl Row {
    /// Whether this is a new Bop from an artist the viewer follows (ranked wherever
    /// it falls by date).
    fn new_from_followed(&self, as_of: i64) -> bool {
        self.following > 0 && as_of - self.published_at < NEW_FROM_FOLLOWED_MS
    }

    fn into_bop(self, viewer: Option<UserId>) -> FeedBop {
        let media = |key: Option<String>| key.map(|k| format!("/media/{k}")).unwrap_or_default();
        FeedBop {
            id: self.id,
            artist: BopArtist {
                handle: self.handle,
                name: self.stage_name,
                photo_url: self.photo_url,
                kick_in: self.tips_enabled,
            },
            caption: self.caption,
            playlist_url: media(self.playlist_key),
            poster_url: media(self.poster_key),
            mp4_url: self.mp4_key.map(|k| format!("/media/{k}")),
            duration_ms: self.duration_ms.unwrap_or(0),
            width: self.width.unwrap_or(0),
            height: self.height.unwrap_or(0),
            published_at: self.published_at,
            counts: BopCounts {
                views: self.view_count,
                likes: self.like_count,
                comments: self.comment_count,
                tips: self.tip_count,
            },
            liked: self.liked > 0,
            following: self.following > 0,
            own: viewer.is_some_and(|v| v.0 == self.artist_id),
        }
    }
}

/// One page of `viewer`'s feed from `cursor` (the start when `None`; `now` starts a
/// session). A cursor that does not parse is refused.
pub async fn page(
    db: &Db,
    viewer: Option<UserId>,
    cursor: Option<&str>,
    now: i64,
) -> Result<FeedPage, AppError> {
    let cursor = match cursor.filter(|c| !c.is_empty()) {
        None => Cursor::Start { as_of: now },
        Some(text) => Cursor::decode(text).ok_or_else(|| {
            AppError::field("cursor", "This feed is out of date. Reload the page.")
        })?,
    };
    let as_of = cursor.as_of().min(now);
    let me = viewer.map_or(-1, |v| v.0);
    match cursor {
        // The session's order is ranked once, on its first page, and travels in the
        // cursor: later pages never re-rank, so a Bop whose counts change while the
        // viewer scrolls is neither skipped nor shown again.
        Cursor::Start { .. } => {
            let (window, oldest) = ranked_window(db, me, as_of).await?;
            let order = window.into_iter().map(|(_, c)| c.id).collect();
            let (ids, next) = split_page(as_of, order, oldest);
            Ok(FeedPage {
                bops: full_rows(db, viewer, &ids).await?,
                next: next.as_ref().map(Cursor::encode),
            })
        }
        Cursor::Ranked { rest, oldest, .. } => {
            let (ids, next) = split_page(as_of, rest, Some(oldest));
            Ok(FeedPage {
                bops: full_rows(db, viewer, &ids).await?,
                next: next.as_ref().map(Cursor::encode),
            })
        }
        Cursor::Older {
            published_at, id, ..
        } => {
            let sql = format!(
                "{SELECT} AND (b.published_at < $2 OR (b.published_at = $2 AND b.id < $3)) \
                 ORDER BY b.published_at DESC, b.id DESC LIMIT $4"
            );
            let rows: Vec<Row> = query(AssertSqlSafe(sql))
                .bind(me)
                .bind(published_at)
                .bind(id)
                .bind(PAGE as i64 + 1)
                .fetch_all(db)
                .await?;
            let more = rows.len() > PAGE;
            let rows: Vec<Row> = rows.into_iter().take(PAGE).collect();
            let next = match rows.last() {
                Some(last) if more => Some(
                    Cursor::Older {
                        as_of,
                        published_at: last.published_at,
                        id: last.id,
                    }
                    .encode(),
                ),
                _ => None,
            };
            // New Bops from followed artists were ranked in the window already.
            let bops = rows
                .into_iter()
                .filter(|r| !r.new_from_followed(as_of))
                .map(|r| r.into_bop(viewer))
                .collect();
            Ok(FeedPage { bops, next })
        }
    }
}

/// What ranking needs of a Bop: no text, nothing the viewer did (that is read once).
#[derive(FromRow)]
struct Candidate {
    id: i64,
    artist_id: i64,
    published_at: i64,
    view_count: i64,
    like_count: i64,
    comment_count: i64,
    tip_count: i64,
}

/// The ready Bops of live artists.
const CANDIDATES: &str = "SELECT b.id, b.artist_id, b.published_at, b.view_count, b.like_count, b.comment_count, b.tip_count \
     FROM bops b JOIN users u ON u.id = b.artist_id JOIN artist_profiles p ON p.user_id = b.artist_id \
     WHERE b.state = 'ready' AND b.deleted_at IS NULL AND u.deleted_at IS NULL AND p.deleted_at IS NULL";

/// The ranked part of the session: the newest [`WINDOW`] Bops published by `as_of`
/// and the new Bops of followed artists, best first (ties: newer id first); and the
/// oldest of those newest (where the tail by date goes on; the followed artists' extras
/// may be older, and are left out of the tail).
async fn ranked_window(
    db: &Db,
    me: i64,
    as_of: i64,
) -> Result<(Vec<(f64, Candidate)>, Option<(i64, i64)>), AppError> {
    let newest = format!(
        "{CANDIDATES} AND b.published_at <= $1 ORDER BY b.published_at DESC, b.id DESC LIMIT $2"
    );
    let mut rows: Vec<Candidate> = query(AssertSqlSafe(newest))
        .bind(as_of)
        .bind(WINDOW)
        .fetch_all(db)
        .await?;
    let oldest = rows.iter().map(|c| (c.published_at, c.id)).min();
    let mut followed: HashSet<i64> = HashSet::new();
    let mut bonds: HashMap<i64, i64> = HashMap::new();
    if me > 0 {
        followed = query("SELECT artist_id FROM follows WHERE fan_id = $1")
            .bind(me)
            .scalar_all::<i64>(db)
            .await?
            .into_iter()
            .collect();
        #[derive(FromRow)]
        struct Bond {
            artist_id: i64,
            points: i64,
            updated_at: i64,
        }
        let stored: Vec<Bond> =
            query("SELECT artist_id, points, updated_at FROM fan_loyalty WHERE fan_id = $1")
                .bind(me)
                .fetch_all(db)
                .await?;
        bonds = stored
            .into_iter()
            .map(|b| {
                (
                    b.artist_id,
                    loyalty::decayed(b.points, as_of - b.updated_at),
                )
            })
            .collect();
        if !followed.is_empty() {
            let extra = format!(
                "{CANDIDATES} AND b.published_at <= $2 AND b.published_at > $3 \
                 AND b.artist_id IN (SELECT artist_id FROM follows WHERE fan_id = $1) \
                 ORDER BY b.published_at DESC, b.id DESC LIMIT $4"
            );
            let extra: Vec<Candidate> = query(AssertSqlSafe(extra))
                .bind(me)
                .bind(as_of)
                .bind(as_of - NEW_FROM_FOLLOWED_MS)
                .bind(WINDOW)
                .fetch_all(db)
                .await?;
            let have: HashSet<i64> = rows.iter().map(|c| c.id).collect();
            rows.extend(extra.into_iter().filter(|c| !have.contains(&c.id)));
        }
    }
    let mut ranked: Vec<(f64, Candidate)> = rows
        .into_iter()
        .map(|c| {
            let signals = Signals {
                age_ms: as_of - c.published_at,
                views: c.view_count,
                likes: c.like_count,
                comments: c.comment_count,
                tips: c.tip_count,
                loyalty: loyalty::level(bonds.get(&c.artist_id).copied().unwrap_or(0)),
                followed: followed.contains(&c.artist_id),
            };
            (ranking::score(&signals), c)
        })
        .collect();
    ranked.sort_by(|(a, ca), (b, cb)| b.total_cmp(a).then(cb.id.cmp(&ca.id)));
    Ok((ranked, oldest))
}

/// Bops `ids` as `viewer` sees them, in that order (any no longer shown are left out).
async fn full_rows(db: &Db, viewer: Option<UserId>, ids: &[i64]) -> Result<Vec<FeedBop>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    // `list` is numbers only.
    let sql = format!("{SELECT} AND b.id IN ({list})");
    let rows: Vec<Row> = query(AssertSqlSafe(sql))
        .bind(viewer.map_or(-1, |v| v.0))
        .fetch_all(db)
        .await?;
    let mut by_id: HashMap<i64, Row> = rows.into_iter().map(|r| (r.id, r)).collect();
    Ok(ids
        .iter()
        .filter_map(|id| by_id.remove(id))
        .map(|r| r.into_bop(viewer))
        .collect())
}

/// One Bop as `viewer` sees it (its shared page); a Bop that is not ready, or is
/// deleted, is not found.
pub async fn one(db: &Db, viewer: Option<UserId>, id: i64) -> Result<FeedBop, AppError> {
    let sql = format!("{SELECT} AND b.id = $2");
    let row: Option<Row> = query(AssertSqlSafe(sql))
        .bind(viewer.map_or(-1, |v| v.0))
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.map(|r| r.into_bop(viewer)).ok_or(AppError::NotFound)
}

/// The artist's ready Bops, newest first, as the viewer sees them (the profile's tab).
pub async fn by_artist(
    db: &Db,
    viewer: Option<UserId>,
    handle: &str,
    limit: i64,
) -> Result<Vec<FeedBop>, AppError> {
    let sql =
        format!("{SELECT} AND u.handle = $2 ORDER BY b.published_at DESC, b.id DESC LIMIT $3");
    let rows: Vec<Row> = query(AssertSqlSafe(sql))
        .bind(viewer.map_or(-1, |v| v.0))
        .bind(handle.trim_start_matches('@').to_lowercase())
        .bind(limit)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(|r| r.into_bop(viewer)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_junk() {
        for c in [
            Cursor::Start { as_of: 5 },
            Cursor::Ranked {
                as_of: 1_800_000_000_000,
                rest: vec![42, 7, 1_000_000],
                oldest: (1_799_000_000_000, 3),
            },
            Cursor::Older {
                as_of: 9,
                published_at: 8,
                id: 7,
            },
        ] {
            assert_eq!(Cursor::decode(&c.encode()), Some(c.clone()));
        }
        let too_long = format!("r.1.2.3.{}", vec!["9"; MAX_CURSOR_IDS + 1].join("-"));
        for junk in [
            "",
            "r.1.2",
            "x.1",
            "r.1.2.3.",
            "r.1.2.3.4-x",
            "o.1.2.three",
            too_long.as_str(),
        ] {
            assert_eq!(Cursor::decode(junk), None, "{junk}");
        }
    }
}
