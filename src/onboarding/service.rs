//! Onboarding services: the artist's status, the gate every revenue action passes,
//! profile setup, payout onboarding, the dashboard and the activation funnel.

use super::{
    ArtistStatus, Dashboard, FunnelRow, FunnelStep, OnboardingStep, ProfileDraft, ProfileInput,
};
use crate::db::query;
use crate::{
    accounts::{SessionUser, UserId, service as accounts},
    artists::service as artists,
    db::Db,
    error::AppError,
    events::{PlatformEvent, bus},
    payments::{
        Capability, SubscriptionStatus, Tier,
        provider::{NewPayoutAccount, OnboardingLinks},
    },
    payouts::service::sync_payout_account,
    state::AppState,
};

#[derive(sqlx::FromRow)]
struct StatusRow {
    user_id: i64,
    handle: String,
    stage_name: String,
    photo_url: Option<String>,
    tier: String,
    onboarding_completed: bool,
    payout_account_id: Option<String>,
    payout_details_submitted: bool,
    payouts_enabled: bool,
    tips_enabled: bool,
    shared_at: Option<i64>,
    first_dollar_at: Option<i64>,
    status: Option<String>,
    current_period_end: Option<i64>,
    cancel_at_period_end: Option<bool>,
}

const STATUS_SQL: &str = "SELECT p.user_id, u.handle, p.stage_name, p.photo_url, p.tier, p.onboarding_completed, \
    p.payout_account_id, p.payout_details_submitted, p.payouts_enabled, p.tips_enabled, p.shared_at, p.first_dollar_at, \
    s.status, s.current_period_end, s.cancel_at_period_end \
    FROM artist_profiles p JOIN users u ON u.id = p.user_id \
    LEFT JOIN subscriptions s ON s.id = (SELECT s2.id FROM subscriptions s2 WHERE s2.user_id = p.user_id ORDER BY s2.updated_at DESC, s2.id DESC LIMIT 1) \
    WHERE p.user_id = $1 AND p.deleted_at IS NULL AND u.deleted_at IS NULL";

/// An artist's onboarding status; `None` if `user` has no artist profile.
pub async fn status(db: &Db, user: UserId) -> Result<Option<ArtistStatus>, AppError> {
    let row: Option<StatusRow> = query(STATUS_SQL).bind(user.0).fetch_optional(db).await?;
    Ok(row.map(|r| ArtistStatus {
        user_id: r.user_id,
        handle: r.handle,
        stage_name: r.stage_name,
        photo_url: r.photo_url,
        tier: Tier::parse(&r.tier).unwrap_or(Tier::Starter),
        subscription: r.status.as_deref().and_then(SubscriptionStatus::parse),
        renews_at: r.current_period_end,
        cancel_at_period_end: r.cancel_at_period_end.unwrap_or(false),
        profile_complete: r.onboarding_completed,
        payout_account: r.payout_account_id.is_some(),
        payout_details_submitted: r.payout_details_submitted,
        payouts_enabled: r.payouts_enabled,
        tips_enabled: r.tips_enabled,
        shared_profile: r.shared_at.is_some(),
        first_dollar: r.first_dollar_at.is_some(),
    }))
}

/// The status of the signed-in artist; a fan is sent to choose a plan.
pub async fn artist_status(db: &Db, user: &SessionUser) -> Result<ArtistStatus, AppError> {
    status(db, user.id).await?.ok_or(AppError::Gate {
        step: OnboardingStep::Plan,
    })
}

/// The gate (ONB-6). Every server function that lets money flow to an artist calls
/// this first: it refuses, naming the first missing step, unless the artist has a plan
/// in good standing, a complete profile and payouts enabled.
pub async fn require_revenue_ready(db: &Db, artist: UserId) -> Result<ArtistStatus, AppError> {
    let status = status(db, artist).await?.ok_or(AppError::Gate {
        step: OnboardingStep::Plan,
    })?;
    match status.first_missing_step() {
        Some(step) => Err(AppError::Gate { step }),
        None => Ok(status),
    }
}

/// The gate for plan limits: refuses `capability` unless the artist's plan includes
/// it (and passes [`require_revenue_ready`]).
pub async fn require_capability(
    db: &Db,
    artist: UserId,
    capability: Capability,
) -> Result<ArtistStatus, AppError> {
    let status = require_revenue_ready(db, artist).await?;
    if status.tier.allows(capability) {
        Ok(status)
    } else {
        Err(AppError::PlanRequired { capability })
    }
}

pub async fn profile_draft(db: &Db, user: UserId) -> Result<ProfileDraft, AppError> {
    const SQL: &str = "SELECT p.stage_name, u.handle, p.bio, p.location, p.genres, p.links, p.photo_url, p.onboarding_completed \
                       FROM artist_profiles p JOIN users u ON u.id = p.user_id WHERE p.user_id = $1";
    type Row = (
        String,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        bool,
    );
    let row: Option<Row> = query(SQL).bind(user.0).fetch_optional(db).await?;
    let (stage_name, handle, bio, location, genres, links, photo_url, completed) =
        row.ok_or(AppError::Gate {
            step: OnboardingStep::Plan,
        })?;
    Ok(ProfileDraft {
        stage_name,
        handle,
        bio,
        location,
        genres: serde_json::from_str(&genres).unwrap_or_default(),
        links: serde_json::from_str(&links).unwrap_or_default(),
        photo_url,
        completed,
    })
}

/// Saves the profile and completes setup (ONB-3). The handle is unique; the photo must
/// already be uploaded. The first completion is a funnel step.
pub async fn save_profile(
    state: &AppState,
    user: UserId,
    input: &ProfileInput,
) -> Result<(), AppError> {
    let draft = profile_draft(&state.db, user).await?;
    if draft.photo_url.is_none() {
        return Err(AppError::field(
            "photo",
            "Add a profile photo: it's the first thing fans see.",
        ));
    }
    let mut tx = state.db.begin().await?;
    accounts::set_handle(&mut tx, user, &input.handle).await?;
    let genres = serde_json::to_string(&input.genres).unwrap_or_else(|_| "[]".into());
    let links = serde_json::to_string(&input.links).unwrap_or_else(|_| "[]".into());
    let first = artists::save_profile(
        &mut tx,
        user.0,
        &artists::ProfileText {
            stage_name: &input.stage_name,
            bio: &input.bio,
            location: &input.location,
            genres_json: &genres,
            links_json: &links,
        },
    )
    .await?;
    if first {
        bus::emit(
            &mut tx,
            &PlatformEvent::ArtistProfileCompleted { artist_id: user.0 },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Opens the artist's payout account if needed and returns the provider's onboarding
/// link (ONB-4). Any artist with a plan may start it.
pub async fn payout_onboarding_link(
    state: &AppState,
    user: &SessionUser,
) -> Result<String, AppError> {
    artist_status(&state.db, user).await?;
    let account = match payout_account(&state.db, user.id).await? {
        Some(account) => account,
        None => {
            let created = state
                .payments
                .create_payout_account(&NewPayoutAccount {
                    user_id: user.id.0,
                    email: user.email.clone(),
                    idempotency_key: format!("payout-account-{}", user.id.0),
                })
                .await
                .map_err(|e| e.into_app_error("opening a payout account"))?;
            artists::set_payout_account(&state.db, user.id.0, &created).await?;
            payout_account(&state.db, user.id).await?.unwrap_or(created)
        }
    };
    state
        .payments
        .onboarding_link(
            &account,
            &OnboardingLinks {
                return_url: state.settings.link("/artist/payout?return=1"),
                refresh_url: state.settings.link("/artist/payout?refresh=1"),
            },
        )
        .await
        .map_err(|e| e.into_app_error("creating a payout onboarding link"))
}

/// The artist's payout account at the provider, once one was opened.
pub(crate) async fn payout_account(db: &Db, user: UserId) -> Result<Option<String>, AppError> {
    const SQL: &str = "SELECT payout_account_id FROM artist_profiles WHERE user_id = $1";
    let id: Option<Option<String>> = query(SQL).bind(user.0).scalar_optional(db).await?;
    Ok(id.flatten())
}

/// Back from the provider's onboarding: reads the account's state now rather than
/// waiting for its event, so the page shows the truth at once.
pub async fn refresh_payouts(
    state: &AppState,
    user: &SessionUser,
) -> Result<ArtistStatus, AppError> {
    if let Some(account) = payout_account(&state.db, user.id).await? {
        sync_payout_account(state, &account).await?;
    }
    artist_status(&state.db, user).await
}

/// Turns Kick In tips on or off on the artist's profile. Turning them on is a revenue
/// action: it passes the gate.
pub async fn set_tips_enabled(state: &AppState, user: UserId, on: bool) -> Result<(), AppError> {
    if on {
        require_revenue_ready(&state.db, user).await?;
    }
    let mut tx = state.db.begin().await?;
    let changed = artists::set_tips_enabled(&mut tx, user.0, on).await?;
    if changed && on {
        bus::emit(&mut tx, &PlatformEvent::TipsEnabled { artist_id: user.0 }).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The artist copied or scanned their profile link: a funnel step, recorded once.
pub async fn record_share(state: &AppState, user: UserId) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    if artists::mark_shared(&mut tx, user.0).await? {
        bus::emit(&mut tx, &PlatformEvent::ProfileShared { artist_id: user.0 }).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn dashboard(state: &AppState, user: &SessionUser) -> Result<Dashboard, AppError> {
    let status = artist_status(&state.db, user).await?;
    let profile_url = state.settings.link(&format!("/@{}", status.handle));
    let plan = status.tier.plan();
    Ok(Dashboard {
        checklist: status.checklist(),
        next_step: status.first_missing_step(),
        qr_svg: qr_svg(&profile_url)?,
        plan_name: plan.name.to_owned(),
        plan_price: format!(
            "{}/month",
            crate::money::format_price(plan.monthly_cents, plan.currency)
        ),
        plan_status: status
            .subscription
            .map_or("No plan", SubscriptionStatus::label)
            .to_owned(),
        profile_url,
        status,
    })
}

/// `url` as a QR code (SVG, dark modules on white, with a quiet zone).
pub fn qr_svg(url: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::new(url.as_bytes())
        .map_err(|e| AppError::internal("QR code", &std::io::Error::other(e.to_string())))?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .dark_color(qrcode::render::svg::Color("#09090b"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .quiet_zone(true)
        .build())
}

/// The provider's billing page for the artist's plan.
pub async fn billing_portal(state: &AppState, user: &SessionUser) -> Result<String, AppError> {
    const SQL: &str = "SELECT provider_customer_id FROM subscriptions WHERE user_id = $1 ORDER BY updated_at DESC, id DESC LIMIT 1";
    let customer: Option<String> = query(SQL)
        .bind(user.id.0)
        .scalar_optional(&state.db)
        .await?;
    let customer = customer.ok_or(AppError::Gate {
        step: OnboardingStep::Plan,
    })?;
    state
        .payments
        .billing_portal(&customer, &state.settings.link("/dashboard"))
        .await
        .map_err(|e| e.into_app_error("opening the billing portal"))
}

/// The activation funnel: how many artists ever reached each step, counted from the
/// platform events that record the steps (an artist who later turns Kick In off still
/// reached it).
pub async fn funnel(db: &Db) -> Result<Vec<FunnelRow>, AppError> {
    let list = FunnelStep::ALL
        .iter()
        .map(|step| format!("'{}'", step.event().name()))
        .collect::<Vec<_>>()
        .join(", ");
    // The artist id inside the stored JSON: the one place the dialects differ here.
    let artist = match db.dialect() {
        crate::db::Dialect::Sqlite => "json_extract(payload, '$.data.artist_id')",
        crate::db::Dialect::Postgres => "(payload::json -> 'data' ->> 'artist_id')",
    };
    let sql = format!(
        "SELECT name, COUNT(DISTINCT {artist}) FROM platform_events WHERE name IN ({list}) GROUP BY name"
    );
    let counts: Vec<(String, i64)> = query(sqlx::AssertSqlSafe(sql.as_str()))
        .fetch_all(db)
        .await?;
    Ok(FunnelStep::ALL
        .iter()
        .map(|step| FunnelRow {
            step: *step,
            label: step.label().to_owned(),
            artists: counts
                .iter()
                .find(|(name, _)| name == step.event().name())
                .map_or(0, |(_, n)| *n),
        })
        .collect())
}
