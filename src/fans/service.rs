//! Follows and loyalty as stored. Owns `follows`, `followed_before`, `fan_loyalty` and
//! `loyalty_credits`.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{
    FollowState, FollowedArtist,
    loyalty::{self, Signal},
};
use crate::{
    accounts::UserId,
    artists,
    db::{Db, Tx, query},
    error::AppError,
    events::{PlatformEvent, bus},
    jobs::worker::{Job, JobContext},
    time::now_ms,
};

/// `fan` follows the artist at `handle` (again is fine: nothing changes). The first
/// follow ever tells the artist through `fan.followed` (unfollowing and following
/// again does not). Nobody follows themselves.
pub async fn follow(db: &Db, fan: UserId, handle: &str) -> Result<FollowState, AppError> {
    let artist = artists::service::public_id(db, handle).await?;
    if artist == fan.0 {
        return Err(AppError::field("handle", "You can't follow yourself."));
    }
    let mut tx = db.begin().await?;
    const SQL: &str = "INSERT INTO follows (fan_id, artist_id, created_at) VALUES ($1, $2, $3) \
                       ON CONFLICT DO NOTHING";
    let added = query(SQL)
        .bind(fan.0)
        .bind(artist)
        .bind(now_ms())
        .execute(&mut tx)
        .await?;
    let first_ever = if added == 1 {
        query("INSERT INTO followed_before (fan_id, artist_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(fan.0)
            .bind(artist)
            .execute(&mut tx)
            .await?
            == 1
    } else {
        false
    };
    if first_ever {
        bus::emit(
            &mut tx,
            &PlatformEvent::FanFollowed {
                fan_id: fan.0,
                artist_id: artist,
            },
        )
        .await?;
    }
    let state = state_in(&mut tx, Some(fan), artist).await?;
    tx.commit().await?;
    Ok(state)
}

/// `fan` stops following the artist at `handle` (not following is fine).
pub async fn unfollow(db: &Db, fan: UserId, handle: &str) -> Result<FollowState, AppError> {
    let artist = artists::service::public_id(db, handle).await?;
    let mut tx = db.begin().await?;
    query("DELETE FROM follows WHERE fan_id = $1 AND artist_id = $2")
        .bind(fan.0)
        .bind(artist)
        .execute(&mut tx)
        .await?;
    let state = state_in(&mut tx, Some(fan), artist).await?;
    tx.commit().await?;
    Ok(state)
}

/// Whether `fan` follows the artist at `handle`, and the artist's follower count.
pub async fn follow_state(
    db: &Db,
    fan: Option<UserId>,
    handle: &str,
) -> Result<FollowState, AppError> {
    let artist = artists::service::public_id(db, handle).await?;
    let mut tx = db.begin().await?;
    let state = state_in(&mut tx, fan, artist).await?;
    tx.commit().await?;
    Ok(state)
}

async fn state_in(tx: &mut Tx, fan: Option<UserId>, artist: i64) -> Result<FollowState, AppError> {
    let followers: i64 = query("SELECT COUNT(*) FROM follows WHERE artist_id = $1")
        .bind(artist)
        .scalar_one(&mut *tx)
        .await?;
    let following = match fan {
        Some(fan) => {
            let n: i64 = query("SELECT COUNT(*) FROM follows WHERE fan_id = $1 AND artist_id = $2")
                .bind(fan.0)
                .bind(artist)
                .scalar_one(&mut *tx)
                .await?;
            n > 0
        }
        None => false,
    };
    Ok(FollowState {
        following,
        followers,
    })
}

#[derive(sqlx::FromRow)]
struct FollowedRow {
    handle: String,
    stage_name: String,
    photo_url: Option<String>,
    created_at: i64,
}

/// The artists `fan` follows, most recently followed first.
pub async fn following(db: &Db, fan: UserId) -> Result<Vec<FollowedArtist>, AppError> {
    const SQL: &str = "SELECT u.handle, p.stage_name, p.photo_url, f.created_at FROM follows f \
                       JOIN users u ON u.id = f.artist_id JOIN artist_profiles p ON p.user_id = f.artist_id \
                       WHERE f.fan_id = $1 AND u.deleted_at IS NULL AND p.deleted_at IS NULL \
                       ORDER BY f.created_at DESC, f.artist_id DESC";
    let rows: Vec<FollowedRow> = query(SQL).bind(fan.0).fetch_all(db).await?;
    Ok(rows
        .into_iter()
        .map(|r| FollowedArtist {
            handle: r.handle,
            name: r.stage_name,
            photo_url: r.photo_url,
            followed_at: r.created_at,
        })
        .collect())
}

/// The fans who follow `artist` (for notifying them), in id order from `after`.
pub async fn followers_page(
    db: &Db,
    artist: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<i64>, AppError> {
    const SQL: &str = "SELECT fan_id FROM follows WHERE artist_id = $1 AND fan_id > $2 \
                       ORDER BY fan_id LIMIT $3";
    query(SQL)
        .bind(artist)
        .bind(after)
        .bind(limit)
        .scalar_all(db)
        .await
}

/// Who did what for which artist, for loyalty; `None` when the event does not count
/// (an anonymous tip, the artist's own activity).
pub fn loyalty_signal(event: &PlatformEvent) -> Option<(i64, i64, Signal)> {
    let (fan, artist, signal) = match event {
        PlatformEvent::BopViewed {
            fan_id, artist_id, ..
        } => (*fan_id, *artist_id, Signal::View),
        PlatformEvent::BopLiked {
            fan_id, artist_id, ..
        } => (*fan_id, *artist_id, Signal::Like),
        PlatformEvent::BopCommented {
            fan_id, artist_id, ..
        } => (*fan_id, *artist_id, Signal::Comment),
        PlatformEvent::FanFollowed { fan_id, artist_id } => (*fan_id, *artist_id, Signal::Follow),
        PlatformEvent::TipReceived {
            fan_id: Some(fan_id),
            artist_id,
            amount_cents,
            ..
        } => (
            *fan_id,
            *artist_id,
            Signal::Tip {
                cents: *amount_cents,
            },
        ),
        PlatformEvent::OrderCompleted {
            fan_id: Some(fan_id),
            artist_id,
            total_cents,
            ..
        } => (
            *fan_id,
            *artist_id,
            Signal::Purchase {
                cents: *total_cents,
            },
        ),
        _ => return None,
    };
    (fan != artist).then_some((fan, artist, signal))
}

/// What makes a credit once-only: a like counts once per fan and Bop (unliking and
/// liking again adds nothing), anything else once per event.
fn credit_key(event_id: i64, event: &PlatformEvent) -> String {
    match event {
        PlatformEvent::BopLiked { bop_id, fan_id, .. } => format!("like:{bop_id}:{fan_id}"),
        _ => format!("event:{event_id}"),
    }
}

/// Credits one event to the fan's loyalty, once however often it is retried. Call it
/// in a write transaction: the fan's points are read and written under a lock.
pub async fn credit(
    tx: &mut Tx,
    event_id: i64,
    event: &PlatformEvent,
    now: i64,
) -> Result<bool, AppError> {
    let Some((fan, artist, signal)) = loyalty_signal(event) else {
        return Ok(false);
    };
    let first = query(
        "INSERT INTO loyalty_credits (credit_key, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(credit_key(event_id, event))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if first == 0 {
        return Ok(false);
    }
    // The row exists before it is read, and PostgreSQL locks it: two credits for the
    // same fan and artist at once add up instead of one overwriting the other.
    query("INSERT INTO fan_loyalty (fan_id, artist_id, points, updated_at) VALUES ($1, $2, 0, $3) ON CONFLICT DO NOTHING")
        .bind(fan)
        .bind(artist)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    #[derive(sqlx::FromRow)]
    struct Current {
        points: i64,
        updated_at: i64,
    }
    let read = match tx.dialect() {
        crate::db::Dialect::Postgres => {
            "SELECT points, updated_at FROM fan_loyalty WHERE fan_id = $1 AND artist_id = $2 FOR UPDATE"
        }
        crate::db::Dialect::Sqlite => {
            "SELECT points, updated_at FROM fan_loyalty WHERE fan_id = $1 AND artist_id = $2"
        }
    };
    let current: Option<Current> = query(read)
        .bind(fan)
        .bind(artist)
        .fetch_optional(&mut *tx)
        .await?;
    let (points, updated_at) = current.map_or((0, now), |c| (c.points, c.updated_at));
    let points = loyalty::credit(points, updated_at, now, signal);
    const WRITE: &str = "INSERT INTO fan_loyalty (fan_id, artist_id, points, updated_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (fan_id, artist_id) DO UPDATE SET points = excluded.points, updated_at = excluded.updated_at";
    query(WRITE)
        .bind(fan)
        .bind(artist)
        .bind(points)
        .bind(now.max(updated_at))
        .execute(&mut *tx)
        .await?;
    Ok(true)
}

/// `fan`'s loyalty points to `artist` as of `now` (decayed), 0 when none.
pub async fn points(db: &Db, fan: UserId, artist: i64, now: i64) -> Result<i64, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        points: i64,
        updated_at: i64,
    }
    const SQL: &str =
        "SELECT points, updated_at FROM fan_loyalty WHERE fan_id = $1 AND artist_id = $2";
    let row: Option<Row> = query(SQL)
        .bind(fan.0)
        .bind(artist)
        .fetch_optional(db)
        .await?;
    Ok(row.map_or(0, |r| loyalty::decayed(r.points, now - r.updated_at)))
}

/// Updates loyalty from an event (views, likes, comments, follows, tips, purchases).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreditLoyalty {
    pub event_id: i64,
}

impl bus::EventHandler for CreditLoyalty {
    fn wants(event: &PlatformEvent) -> bool {
        loyalty_signal(event).is_some()
    }

    fn for_event(event_id: i64) -> Self {
        Self { event_id }
    }
}

#[async_trait]
impl Job for CreditLoyalty {
    const KIND: &'static str = "fans.loyalty";

    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        let event = bus::load(&ctx.state.db, self.event_id).await?;
        let mut tx = ctx.state.db.begin_write().await?;
        credit(&mut tx, self.event_id, &event, now_ms()).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Followers notified per transaction.
const NOTIFY_BATCH: i64 = 500;

/// Tells an artist's followers about a new Bop or release: one notification each,
/// gathered with the others of its kind while unread ("3 new Bops from artists you
/// follow"), so following many artists never means a push per post.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NotifyFollowers {
    pub event_id: i64,
}

/// What followers are told of one event.
struct Announcement {
    kind: &'static str,
    artist_id: i64,
    title: String,
    body: String,
    link: String,
    /// "3 new Bops from artists you follow" (for a count) and where it leads.
    many: fn(i64, &str) -> (String, String),
    many_link: &'static str,
}

/// The announcement of `event`, or `None` when there is nothing (left) to announce.
async fn announcement(db: &Db, event: PlatformEvent) -> Result<Option<Announcement>, AppError> {
    match event {
        PlatformEvent::BopPublished { bop_id, artist_id } => {
            // A Bop deleted since has nothing to announce.
            let bop = match crate::bops::feed::one(db, None, bop_id).await {
                Ok(bop) => bop,
                Err(AppError::NotFound) => return Ok(None),
                Err(err) => return Err(err),
            };
            let caption: String = bop.caption.chars().take(120).collect();
            Ok(Some(Announcement {
                kind: "bop.published",
                artist_id,
                title: format!("{} posted a new Bop", bop.artist.name),
                body: if caption.is_empty() {
                    "Watch it now.".into()
                } else {
                    caption
                },
                link: format!("/bops/{bop_id}"),
                many: |count, name| {
                    (
                        format!("{count} new Bops from artists you follow"),
                        format!("The latest is from {name}. Catch up in your feed."),
                    )
                },
                many_link: "/feed",
            }))
        }
        PlatformEvent::ReleasePublished {
            release_id,
            artist_id,
        } => {
            let Some(release) = crate::music::service::announcement(db, release_id).await? else {
                return Ok(None);
            };
            Ok(Some(Announcement {
                kind: "release.published",
                artist_id,
                title: format!("{} released “{}”", release.artist_name, release.title),
                body: release.body,
                link: release.url,
                many: |count, name| {
                    (
                        format!("{count} new releases from artists you follow"),
                        format!("The latest is from {name}. Listen on Boptone Music."),
                    )
                },
                many_link: "/music",
            }))
        }
        _ => Ok(None),
    }
}

impl bus::EventHandler for NotifyFollowers {
    fn wants(event: &PlatformEvent) -> bool {
        matches!(
            event,
            PlatformEvent::BopPublished { .. } | PlatformEvent::ReleasePublished { .. }
        )
    }

    fn for_event(event_id: i64) -> Self {
        Self { event_id }
    }
}

#[async_trait]
impl Job for NotifyFollowers {
    const KIND: &'static str = "fans.notify_followers";

    async fn run(self, ctx: &JobContext) -> anyhow::Result<()> {
        use crate::notifications::{Draft, service as notifications};
        let event = bus::load(&ctx.state.db, self.event_id).await?;
        let Some(news) = announcement(&ctx.state.db, event).await? else {
            return Ok(());
        };
        let artist_id = news.artist_id;
        let name = crate::artists::service::stage_name(&ctx.state.db, artist_id).await?;
        let mut after = 0;
        loop {
            let followers = followers_page(&ctx.state.db, artist_id, after, NOTIFY_BATCH).await?;
            let Some(&last) = followers.last() else {
                break;
            };
            let mut changed = Vec::new();
            let mut tx = ctx.state.db.begin().await?;
            let now = now_ms();
            for &fan in &followers {
                let many = |count: i64| {
                    let (title, body) = (news.many)(count, &name);
                    Draft {
                        recipient: fan,
                        title,
                        body,
                        link: Some(news.many_link.into()),
                    }
                };
                let digest = notifications::Digest {
                    kind: news.kind,
                    single: Draft {
                        recipient: fan,
                        title: news.title.clone(),
                        body: news.body.clone(),
                        link: Some(news.link.clone()),
                    },
                    many: &many,
                };
                if notifications::add_to_digest(&mut tx, self.event_id, &digest, now).await? {
                    changed.push(fan);
                }
            }
            tx.commit().await?;
            for fan in changed {
                ctx.state.realtime.notify_user(UserId(fan)).await;
            }
            after = last;
        }
        Ok(())
    }
}
