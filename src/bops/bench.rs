//! `boptone bench-feed`: how fast the feed's first and next pages are with many Bops
//! and fans (issue goal: p99 < 20 ms with 100,000 Bops and 10,000 fans). Loads artists,
//! fans, Bops published over three months, follows, loyalty and likes as fixture rows
//! (like the demo seed: history loaded, not lived), then times [`feed::page`] for
//! random fans, signed in and not. Run it on a database of its own.

use std::time::Instant;

use serde::Serialize;
use sqlx::AssertSqlSafe;

use super::feed;
use crate::{
    accounts::UserId,
    db::{Db, query},
    error::AppError,
    time::{DAY, now_ms},
};

#[derive(Debug, Clone, Serialize)]
pub struct FeedBench {
    pub database: &'static str,
    pub bops: u64,
    pub fans: u64,
    pub artists: u64,
    pub follows: u64,
    pub likes: u64,
    pub load_s: f64,
    pub samples: usize,
    /// A signed-in fan's first page (their followed artists, loyalty, likes).
    pub first_page: Timing,
    /// The page after it (the cursor's path).
    pub next_page: Timing,
    /// A visitor's first page.
    pub anonymous: Timing,
}

#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

fn timing(mut times: Vec<f64>) -> Timing {
    times.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let i = ((times.len() as f64 - 1.0) * q).round() as usize;
        times.get(i).copied().unwrap_or(0.0)
    };
    Timing {
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        max_ms: times.last().copied().unwrap_or(0.0),
    }
}

/// A small deterministic generator, so two runs load the same data.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// Runs `rows` (SQL value tuples built from numbers only) into `table (columns)` in
/// statements of 500 rows.
async fn insert_all(
    db: &Db,
    table: &str,
    columns: &str,
    rows: Vec<String>,
) -> Result<(), AppError> {
    for chunk in rows.chunks(500) {
        let sql = format!(
            "INSERT INTO {table} ({columns}) VALUES {} ON CONFLICT DO NOTHING",
            chunk.join(",")
        );
        let mut tx = db.begin_write().await?;
        query(AssertSqlSafe(sql)).execute(&mut tx).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Loads the fixture and measures `samples` reads of each kind.
pub async fn run(db: &Db, bops: u64, fans: u64, samples: usize) -> Result<FeedBench, AppError> {
    let artists = (bops / 100).max(1);
    let now = now_ms();
    let tag = now % 1_000_000;
    let mut rng = Lcg(42);
    let loading = Instant::now();

    let user = |i: u64, role: &str| {
        format!(
            "('bench{tag}-{role}{i}@example.com', 'bench{tag}_{role}{i}', '{role} {i}', 'x', '{role}', {now}, {now})"
        )
    };
    insert_all(
        db,
        "users",
        "email, handle, display_name, password_hash, role, created_at, updated_at",
        (0..artists)
            .map(|i| user(i, "artist"))
            .chain((0..fans).map(|i| user(i, "fan")))
            .collect(),
    )
    .await?;
    let first_id: i64 = query("SELECT MIN(id) FROM users WHERE handle LIKE $1")
        .bind(format!("bench{tag}_%"))
        .scalar_one(db)
        .await?;
    // Inserted in order: artists first, then fans.
    let artist_id = |i: u64| first_id + i64::try_from(i).unwrap_or(0);
    let fan_id = |i: u64| first_id + i64::try_from(artists + i).unwrap_or(0);
    insert_all(
        db,
        "artist_profiles",
        "user_id, stage_name, onboarding_completed, tips_enabled, created_at, updated_at",
        (0..artists)
            .map(|i| format!("({}, 'Artist {i}', TRUE, TRUE, {now}, {now})", artist_id(i)))
            .collect(),
    )
    .await?;
    let span = 90 * DAY;
    insert_all(
        db,
        "bops",
        "artist_id, caption, state, progress, original_key, original_bytes, duration_ms, width, height, \
         playlist_key, poster_key, view_count, like_count, comment_count, tip_count, created_at, published_at",
        (0..bops)
            .map(|i| {
                let at = now - i64::try_from(rng.below(span as u64)).unwrap_or(0);
                let views = rng.below(5_000);
                format!(
                    "({}, 'Bop {i}', 'ready', 100, 'private/b/{i}', 1, 15000, 720, 1280, 'b/{i}/master.m3u8', 'b/{i}/poster.webp', \
                     {views}, {}, {}, {}, {at}, {at})",
                    artist_id(rng.below(artists)),
                    views / 10,
                    views / 50,
                    views / 500,
                )
            })
            .collect(),
    )
    .await?;
    // Each fan follows 20 artists and has a bond with 10.
    let mut follows = Vec::new();
    let mut loyalty = Vec::new();
    for f in 0..fans {
        for k in 0..20 {
            let a = artist_id(rng.below(artists));
            follows.push(format!("({}, {a}, {now})", fan_id(f)));
            if k < 10 {
                loyalty.push(format!(
                    "({}, {a}, {}, {now})",
                    fan_id(f),
                    rng.below(80_000)
                ));
            }
        }
    }
    let follows_n = follows.len() as u64;
    insert_all(db, "follows", "fan_id, artist_id, created_at", follows).await?;
    insert_all(
        db,
        "fan_loyalty",
        "fan_id, artist_id, points, updated_at",
        loyalty,
    )
    .await?;
    // Likes on the newest Bops, where the feed looks.
    let newest: Vec<i64> = query(
        "SELECT id FROM bops WHERE state = 'ready' AND deleted_at IS NULL ORDER BY published_at DESC LIMIT 2000",
    )
    .scalar_all(db)
    .await?;
    let mut likes = Vec::new();
    for f in 0..fans {
        for _ in 0..10 {
            let bop = newest[usize::try_from(rng.below(newest.len() as u64)).unwrap_or(0)];
            likes.push(format!("({bop}, {}, {now})", fan_id(f)));
        }
    }
    let likes_n = likes.len() as u64;
    insert_all(db, "bop_likes", "bop_id, fan_id, created_at", likes).await?;
    let load_s = loading.elapsed().as_secs_f64();
    if db.dialect() == crate::db::Dialect::Postgres {
        query("ANALYZE").execute(db).await?;
    }

    let mut first = Vec::with_capacity(samples);
    let mut next = Vec::with_capacity(samples);
    let mut anonymous = Vec::with_capacity(samples);
    // One warm-up, then the measured reads.
    feed::page(db, None, None, now).await?;
    for _ in 0..samples {
        let fan = Some(UserId(fan_id(rng.below(fans))));
        let t = Instant::now();
        let page = feed::page(db, fan, None, now).await?;
        first.push(t.elapsed().as_secs_f64() * 1_000.0);
        if page.bops.is_empty() {
            return Err(AppError::Conflict(
                "the benchmark read an empty feed".into(),
            ));
        }
        let t = Instant::now();
        feed::page(db, fan, page.next.as_deref(), now).await?;
        next.push(t.elapsed().as_secs_f64() * 1_000.0);
        let t = Instant::now();
        feed::page(db, None, None, now).await?;
        anonymous.push(t.elapsed().as_secs_f64() * 1_000.0);
    }
    Ok(FeedBench {
        database: db.dialect().as_str(),
        bops,
        fans,
        artists,
        follows: follows_n,
        likes: likes_n,
        load_s,
        samples,
        first_page: timing(first),
        next_page: timing(next),
        anonymous: timing(anonymous),
    })
}
