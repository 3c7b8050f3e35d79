//! Demo data for `boptone seed-demo`: a few artists with photos and bios, some fans
//! and an operator. Idempotent: running it again changes nothing that exists.
//!
//! Like a migration, it inserts its fixture rows (the demo users and profiles, with
//! their staggered dates) itself; every later change goes through the owning module.

mod bops;

pub use bops::seed_bops;

use crate::db::query;
use crate::{
    accounts::{Password, UserId, service::hash_password},
    artists::service as artists,
    db::{Db, Tx},
    error::AppError,
    events::{PlatformEvent, bus},
    payments::{SubscriptionStatus, Tier, provider::SubscriptionState, sandbox},
    signup::store_subscription,
    time::now_ms,
};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "boptone-demo";

struct DemoArtist {
    handle: &'static str,
    name: &'static str,
    email: &'static str,
    location: &'static str,
    genres: &'static [&'static str],
    bio: &'static str,
}

const ARTISTS: &[DemoArtist] = &[
    DemoArtist {
        handle: "nova_reyes",
        name: "Nova Reyes",
        email: "nova@demo.boptone.app",
        location: "Austin, TX",
        genres: &["Indie Pop", "Bedroom Pop"],
        bio: "Bedroom-pop songwriter recording everything in a converted closet. Songs about late buses, \
              borrowed guitars and the people who stay.",
    },
    DemoArtist {
        handle: "the_low_tides",
        name: "The Low Tides",
        email: "lowtides@demo.boptone.app",
        location: "Lisbon, PT",
        genres: &["Surf Rock", "Indie"],
        bio: "A three-piece surf-rock band playing reverb-soaked instrumentals on the Atlantic coast. \
              Every record is tracked live to tape.",
    },
    DemoArtist {
        handle: "kofi_mensah",
        name: "Kofi Mensah",
        email: "kofi@demo.boptone.app",
        location: "Accra, GH",
        genres: &["Afrobeats", "Highlife"],
        bio: "Producer and guitarist blending highlife guitar lines with modern Afrobeats drums. \
              Runs a free studio afternoon for young producers every Saturday.",
    },
    DemoArtist {
        handle: "mira_sol",
        name: "Mira Sol",
        email: "mira@demo.boptone.app",
        location: "Montréal, QC",
        genres: &["Neo-Soul", "Jazz"],
        bio: "Singer and keys player writing neo-soul in two languages. Her trio plays the late set \
              at a different café every Thursday.",
    },
    DemoArtist {
        handle: "static_bloom",
        name: "Static Bloom",
        email: "staticbloom@demo.boptone.app",
        location: "Berlin, DE",
        genres: &["Synthwave", "Electronic"],
        bio: "Analog synths, drum machines and one very old tape echo. Music for night drives \
              through cities that never quite went to sleep.",
    },
];

const FANS: &[(&str, &str, &str)] = &[
    ("ana_listens", "Ana Souza", "ana@demo.boptone.app"),
    ("jonah_b", "Jonah Baker", "jonah@demo.boptone.app"),
    ("priya_k", "Priya Kapoor", "priya@demo.boptone.app"),
];

const ADMIN: (&str, &str, &str) = ("boptone_ops", "Boptone Operator", "admin@demo.boptone.app");

/// Gives a demo artist what real ones get through checkout and payout onboarding: an
/// active sandbox plan, an enabled payout account, and Kick In turned on.
async fn make_ready(
    tx: &mut Tx,
    artist: &DemoArtist,
    tier: Tier,
    now: i64,
) -> Result<(), AppError> {
    const ID: &str = "SELECT id FROM users WHERE handle = $1";
    let user: i64 = query(ID).bind(artist.handle).scalar_one(&mut *tx).await?;
    let user = UserId(user);
    let (customer, subscription, account) =
        sandbox::provision_ready_artist(tx, user, artist.email, tier).await?;
    let state = SubscriptionState {
        id: subscription,
        customer,
        status: SubscriptionStatus::Active,
        tier: Some(tier),
        current_period_end: Some(now / 1000 + 30 * 24 * 3600),
        cancel_at_period_end: false,
    };
    store_subscription(tx, Some((user, tier)), &state).await?;
    artists::set_payout_account(&mut *tx, user.0, &account).await?;
    artists::set_payout_state(tx, &account, true, true).await?;
    artists::set_tips_enabled(tx, user.0, true).await?;
    artists::mark_shared(tx, user.0).await?;
    // Their activation steps, as history (no notifications for steps nobody took).
    let artist_id = user.0;
    for step in [
        PlatformEvent::ArtistSignedUp {
            artist_id,
            tier: tier.as_str().to_owned(),
        },
        PlatformEvent::ArtistProfileCompleted { artist_id },
        PlatformEvent::PayoutsEnabled { artist_id },
        PlatformEvent::TipsEnabled { artist_id },
        PlatformEvent::ProfileShared { artist_id },
    ] {
        bus::record_past(tx, &step, now).await?;
    }
    Ok(())
}

/// What a seed run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub users_created: u64,
    pub profiles_created: u64,
}

/// Loads the demo accounts, skipping any that exist.
pub async fn seed_demo(db: &Db) -> Result<SeedReport, AppError> {
    let password = Password::parse(DEMO_PASSWORD).map_err(|m| AppError::field("password", m))?;
    let hash = hash_password(&password).await?;
    let now = now_ms();
    let mut report = SeedReport::default();
    let mut tx = db.begin().await?;

    const USER: &str = "INSERT INTO users (email, handle, display_name, password_hash, role, email_verified_at, created_at, updated_at) \
                        VALUES ($1, $2, $3, $4, $5, $6, $6, $6) ON CONFLICT DO NOTHING";
    const PROFILE: &str = "INSERT INTO artist_profiles (user_id, stage_name, bio, location, genres, photo_url, onboarding_completed, created_at, updated_at) \
                           SELECT id, $2, $3, $4, $5, $6, TRUE, $7, $7 FROM users WHERE handle = $1 \
                           ON CONFLICT DO NOTHING";

    let people = FANS
        .iter()
        .map(|&(h, n, e)| (h, n, e, "fan"))
        .chain(std::iter::once((ADMIN.0, ADMIN.1, ADMIN.2, "admin")))
        .chain(
            ARTISTS
                .iter()
                .map(|a| (a.handle, a.name, a.email, "artist")),
        );
    for (handle, name, email, role) in people {
        let done = query(USER)
            .bind(email)
            .bind(handle)
            .bind(name)
            .bind(&hash)
            .bind(role)
            .bind(now)
            .execute(&mut tx)
            .await?;
        report.users_created += done;
    }
    // Artists are staggered in time so "newest first" has a stable, meaningful order.
    for (i, artist) in ARTISTS.iter().enumerate() {
        let genres = serde_json::to_string(artist.genres).unwrap_or_else(|_| "[]".into());
        let photo = format!("/demo/artists/{}.svg", artist.handle);
        let created = now - i64::try_from(i).unwrap_or(0) * crate::time::HOUR;
        let done = query(PROFILE)
            .bind(artist.handle)
            .bind(artist.name)
            .bind(artist.bio)
            .bind(artist.location)
            .bind(&genres)
            .bind(&photo)
            .bind(created)
            .execute(&mut tx)
            .await?;
        report.profiles_created += done;
        if done == 1 {
            let tier = match i {
                0 => Tier::Pro,
                1 => Tier::Label,
                _ => Tier::Starter,
            };
            make_ready(&mut tx, artist, tier, now).await?;
        }
    }
    tx.commit().await?;
    Ok(report)
}
