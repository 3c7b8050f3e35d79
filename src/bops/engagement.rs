//! What viewers do with a Bop: likes, views, comments and comment likes. Owns
//! `bop_likes`, `bop_views`, `bop_comments` and `bop_comment_likes`, and keeps the
//! counters on `bops` in the same transactions (which take the write lock first: each
//! reads the Bop, then writes). The Bop's own artist can like, watch
//! and comment, but never adds to their own numbers (SPEC FAN-6). Every change to a
//! count is pushed to the tabs watching the Bop.

use sqlx::FromRow;

use super::{BopComment, BopCounts, CommentOrder, PostedComment, check_comment};
use crate::{
    accounts::UserId,
    db::{Db, Tx, query},
    error::AppError,
    events::{PlatformEvent, bus},
    state::AppState,
    time::{DAY, now_ms},
};

/// Who watched: a signed-in account, or an anonymous browser's device id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    User(UserId),
    Device(String),
}

impl Viewer {
    fn key(&self) -> String {
        match self {
            Self::User(id) => format!("u:{}", id.0),
            Self::Device(device) => format!("d:{device}"),
        }
    }
}

/// The artist of live Bop `id` (ready, not deleted), or not found.
async fn live_artist(tx: &mut Tx, id: i64) -> Result<i64, AppError> {
    const SQL: &str =
        "SELECT artist_id FROM bops WHERE id = $1 AND state = 'ready' AND deleted_at IS NULL";
    let artist: Option<i64> = query(SQL).bind(id).scalar_optional(&mut *tx).await?;
    artist.ok_or(AppError::NotFound)
}

/// Adds `delta` to one of a Bop's counters.
async fn bump(tx: &mut Tx, id: i64, column: Counter, delta: i64) -> Result<(), AppError> {
    let sql = match column {
        Counter::Views => "UPDATE bops SET view_count = view_count + $2 WHERE id = $1",
        Counter::Likes => "UPDATE bops SET like_count = MAX(like_count + $2, 0) WHERE id = $1",
        Counter::Comments => {
            "UPDATE bops SET comment_count = MAX(comment_count + $2, 0) WHERE id = $1"
        }
    };
    let sql = match tx.dialect() {
        crate::db::Dialect::Postgres => sql.replace("MAX(", "GREATEST("),
        crate::db::Dialect::Sqlite => sql.to_owned(),
    };
    query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(delta)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

#[derive(Clone, Copy)]
enum Counter {
    Views,
    Likes,
    Comments,
}

/// A Bop's counts as they stand.
pub async fn counts<'a>(
    on: impl Into<crate::db::Exec<'a>>,
    id: i64,
) -> Result<BopCounts, AppError> {
    #[derive(FromRow)]
    struct Row {
        view_count: i64,
        like_count: i64,
        comment_count: i64,
        tip_count: i64,
    }
    const SQL: &str =
        "SELECT view_count, like_count, comment_count, tip_count FROM bops WHERE id = $1";
    let row: Option<Row> = query(SQL).bind(id).fetch_optional(on).await?;
    let row = row.ok_or(AppError::NotFound)?;
    Ok(BopCounts {
        views: row.view_count,
        likes: row.like_count,
        comments: row.comment_count,
        tips: row.tip_count,
    })
}

/// Commits `tx` and shows the Bop's new counts to everyone watching it.
pub(crate) async fn commit_and_push(
    state: &AppState,
    mut tx: Tx,
    id: i64,
) -> Result<BopCounts, AppError> {
    let now = counts(&mut tx, id).await?;
    tx.commit().await?;
    state.realtime.bop_counts(id, now).await;
    Ok(now)
}

/// `fan` likes live Bop `id` (again is fine); `bop.liked` fires for a new like that
/// counts.
pub async fn like(state: &AppState, fan: UserId, id: i64) -> Result<BopCounts, AppError> {
    let mut tx = state.db.begin_write().await?;
    let artist = live_artist(&mut tx, id).await?;
    const SQL: &str = "INSERT INTO bop_likes (bop_id, fan_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
    let added = query(SQL)
        .bind(id)
        .bind(fan.0)
        .bind(now_ms())
        .execute(&mut tx)
        .await?;
    if added == 1 && fan.0 != artist {
        bump(&mut tx, id, Counter::Likes, 1).await?;
        bus::emit(
            &mut tx,
            &PlatformEvent::BopLiked {
                bop_id: id,
                artist_id: artist,
                fan_id: fan.0,
            },
        )
        .await?;
    }
    commit_and_push(state, tx, id).await
}

/// `fan` takes back their like of live Bop `id` (not liking it is fine).
pub async fn unlike(state: &AppState, fan: UserId, id: i64) -> Result<BopCounts, AppError> {
    let mut tx = state.db.begin_write().await?;
    let artist = live_artist(&mut tx, id).await?;
    let removed = query("DELETE FROM bop_likes WHERE bop_id = $1 AND fan_id = $2")
        .bind(id)
        .bind(fan.0)
        .execute(&mut tx)
        .await?;
    if removed == 1 && fan.0 != artist {
        bump(&mut tx, id, Counter::Likes, -1).await?;
    }
    commit_and_push(state, tx, id).await
}

/// Counts a view of live Bop `id` (the browser reports it after 2 s of play): once per
/// viewer per Bop per UTC day, never the artist's own. Returns whether it counted.
pub async fn view(state: &AppState, viewer: &Viewer, id: i64, now: i64) -> Result<bool, AppError> {
    let mut tx = state.db.begin_write().await?;
    let artist = live_artist(&mut tx, id).await?;
    if *viewer == Viewer::User(UserId(artist)) {
        return Ok(false);
    }
    const SQL: &str =
        "INSERT INTO bop_views (bop_id, viewer, day) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
    let added = query(SQL)
        .bind(id)
        .bind(viewer.key())
        .bind(now.div_euclid(DAY))
        .execute(&mut tx)
        .await?;
    if added == 0 {
        return Ok(false);
    }
    bump(&mut tx, id, Counter::Views, 1).await?;
    if let Viewer::User(fan) = viewer {
        bus::emit(
            &mut tx,
            &PlatformEvent::BopViewed {
                bop_id: id,
                artist_id: artist,
                fan_id: fan.0,
            },
        )
        .await?;
    }
    commit_and_push(state, tx, id).await?;
    Ok(true)
}

/// `author` comments on live Bop `id`; `bop.commented` fires unless the author is the
/// Bop's artist. Returns the comment as its author sees it, and the Bop's counts.
pub async fn comment(
    state: &AppState,
    author: UserId,
    id: i64,
    body: &str,
) -> Result<PostedComment, AppError> {
    let body = check_comment(body)?;
    let mut tx = state.db.begin_write().await?;
    let artist = live_artist(&mut tx, id).await?;
    let now = now_ms();
    const SQL: &str = "INSERT INTO bop_comments (bop_id, author_id, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id";
    let comment_id: i64 = query(SQL)
        .bind(id)
        .bind(author.0)
        .bind(&body)
        .bind(now)
        .scalar_one(&mut tx)
        .await?;
    if author.0 != artist {
        bump(&mut tx, id, Counter::Comments, 1).await?;
        bus::emit(
            &mut tx,
            &PlatformEvent::BopCommented {
                bop_id: id,
                artist_id: artist,
                fan_id: author.0,
                comment_id,
            },
        )
        .await?;
    }
    let comment = one_comment(&mut tx, Some(author), comment_id).await?;
    let counts = commit_and_push(state, tx, id).await?;
    Ok(PostedComment { comment, counts })
}

/// Deletes comment `comment_id`: its author or the Bop's artist may; for anyone else
/// Deletes comment `comment_id`: its author or the Bop's artist may; for anyone else
/// it is not found.
pub async fn delete_comment(
    state: &AppState,
    by: UserId,
    comment_id: i64,
) -> Result<BopCounts, AppError> {
    let mut tx = state.db.begin_write().await?;
    let bop = remove_comment(&mut tx, comment_id, Some(by))
        .await?
        .ok_or(AppError::NotFound)?;
    commit_and_push(state, tx, bop).await
}

/// Removes a comment and counts it down (once, whoever removes it concurrently): only
/// by its author or the Bop's artist when `by` is given, by anyone (an operator)
/// otherwise. Returns its Bop, or `None` when there was no such comment to remove.
async fn remove_comment(tx: &mut Tx, id: i64, by: Option<UserId>) -> Result<Option<i64>, AppError> {
    #[derive(FromRow)]
    struct Target {
        bop_id: i64,
        author_id: i64,
        artist_id: i64,
    }
    const FIND: &str = "SELECT c.bop_id, c.author_id, b.artist_id FROM bop_comments c JOIN bops b ON b.id = c.bop_id \
                        WHERE c.id = $1 AND c.deleted_at IS NULL AND b.deleted_at IS NULL";
    let target: Option<Target> = query(FIND).bind(id).fetch_optional(&mut *tx).await?;
    let Some(target) =
        target.filter(|t| by.is_none_or(|by| by.0 == t.author_id || by.0 == t.artist_id))
    else {
        return Ok(None);
    };
    let deleted =
        query("UPDATE bop_comments SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL")
            .bind(id)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
    // Deleted by this call, not a concurrent one: counted down once.
    if deleted == 1 && target.author_id != target.artist_id {
        bump(tx, target.bop_id, Counter::Comments, -1).await?;
    }
    Ok(Some(target.bop_id))
}

/// `fan` likes (or, with `liked == false`, unlikes) a comment on a live Bop; returns
/// the comment's like count.
pub async fn like_comment(
    db: &Db,
    fan: UserId,
    comment_id: i64,
    liked: bool,
) -> Result<i64, AppError> {
    let mut tx = db.begin_write().await?;
    const FIND: &str = "SELECT c.author_id FROM bop_comments c JOIN bops b ON b.id = c.bop_id \
                        WHERE c.id = $1 AND c.deleted_at IS NULL AND b.deleted_at IS NULL AND b.state = 'ready'";
    let author: Option<i64> = query(FIND)
        .bind(comment_id)
        .scalar_optional(&mut tx)
        .await?;
    let author = author.ok_or(AppError::NotFound)?;
    let changed = if liked {
        query("INSERT INTO bop_comment_likes (comment_id, fan_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(comment_id)
            .bind(fan.0)
            .bind(now_ms())
            .execute(&mut tx)
            .await?
    } else {
        query("DELETE FROM bop_comment_likes WHERE comment_id = $1 AND fan_id = $2")
            .bind(comment_id)
            .bind(fan.0)
            .execute(&mut tx)
            .await?
    };
    // A comment's author liking it does not add to it.
    if changed == 1 && author != fan.0 {
        let delta: i64 = if liked { 1 } else { -1 };
        query("UPDATE bop_comments SET like_count = like_count + $2 WHERE id = $1")
            .bind(comment_id)
            .bind(delta)
            .execute(&mut tx)
            .await?;
    }
    let likes: i64 = query("SELECT like_count FROM bop_comments WHERE id = $1")
        .bind(comment_id)
        .scalar_one(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(likes)
}

#[derive(FromRow)]
struct CommentRow {
    id: i64,
    handle: String,
    display_name: String,
    author_id: i64,
    artist_id: i64,
    body: String,
    like_count: i64,
    created_at: i64,
    liked: i64,
}

impl CommentRow {
    fn into_comment(self, viewer: Option<UserId>) -> BopComment {
        let me = viewer.map(|v| v.0);
        BopComment {
            id: self.id,
            author_handle: self.handle,
            author_name: self.display_name,
            body: self.body,
            likes: self.like_count,
            created_at: self.created_at,
            liked: self.liked > 0,
            can_delete: me == Some(self.author_id) || me == Some(self.artist_id),
            by_artist: self.author_id == self.artist_id,
            mine: me == Some(self.author_id),
        }
    }
}

const COMMENT_SELECT: &str = "SELECT c.id, u.handle, u.display_name, c.author_id, b.artist_id, c.body, c.like_count, c.created_at, \
     (SELECT COUNT(*) FROM bop_comment_likes k WHERE k.comment_id = c.id AND k.fan_id = $1) AS liked \
     FROM bop_comments c JOIN users u ON u.id = c.author_id JOIN bops b ON b.id = c.bop_id \
     WHERE c.deleted_at IS NULL AND u.deleted_at IS NULL AND b.deleted_at IS NULL AND b.state = 'ready'";

async fn one_comment(tx: &mut Tx, viewer: Option<UserId>, id: i64) -> Result<BopComment, AppError> {
    let sql = format!("{COMMENT_SELECT} AND c.id = $2");
    let row: CommentRow = query(sqlx::AssertSqlSafe(sql))
        .bind(viewer.map_or(-1, |v| v.0))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    Ok(row.into_comment(viewer))
}

/// The most comments listed at once.
pub const COMMENTS_SHOWN: i64 = 100;

/// The comments on live Bop `id` in `order`, as `viewer` sees them.
pub async fn comments(
    db: &Db,
    viewer: Option<UserId>,
    id: i64,
    order: CommentOrder,
) -> Result<Vec<BopComment>, AppError> {
    let mut tx = db.begin().await?;
    live_artist(&mut tx, id).await?;
    let order_by = match order {
        CommentOrder::Newest => "c.created_at DESC, c.id DESC",
        CommentOrder::Top => "c.like_count DESC, c.created_at DESC, c.id DESC",
    };
    let sql = format!("{COMMENT_SELECT} AND c.bop_id = $2 ORDER BY {order_by} LIMIT $3");
    let rows: Vec<CommentRow> = query(sqlx::AssertSqlSafe(sql))
        .bind(viewer.map_or(-1, |v| v.0))
        .bind(id)
        .bind(COMMENTS_SHOWN)
        .fetch_all(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(rows.into_iter().map(|r| r.into_comment(viewer)).collect())
}

/// Takes comment `id` down (an operator's decision), with its count.
pub async fn take_down_comment(tx: &mut Tx, id: i64) -> Result<(), AppError> {
    remove_comment(tx, id, None).await?;
    Ok(())
}

/// Forgets the view records of days before yesterday: they only stop a viewer counting
/// twice in one day, and the counts they made stay on the Bops. Returns how many went.
pub async fn prune_views(db: &Db, now: i64) -> Result<u64, AppError> {
    query("DELETE FROM bop_views WHERE day < $1")
        .bind(now.div_euclid(DAY) - 1)
        .execute(db)
        .await
}

/// Prunes old view records (cron, daily).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct PruneViews;

#[async_trait::async_trait]
impl crate::jobs::worker::Job for PruneViews {
    const KIND: &'static str = "bops.prune_views";

    async fn run(self, ctx: &crate::jobs::worker::JobContext) -> anyhow::Result<()> {
        prune_views(&ctx.state.db, now_ms()).await?;
        Ok(())
    }
}
