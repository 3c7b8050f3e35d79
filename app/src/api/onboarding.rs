//! The artist's path to the first dollar: sign-up with a plan, profile setup, payouts,
//! the dashboard, and the revenue actions the gate guards.

use boptone::{
    AppError,
    onboarding::{ArtistStatus, Dashboard, FunnelRow, ProfileDraft},
    payments::PendingSignup,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::guards::{self, app_state},
    boptone::{
        accounts::Role,
        onboarding::{ProfileForm, ProfileInput, service},
        payments::Tier,
        signup::{self, Applicant, ArtistSignupForm, Finished, Resumed, SIGNUP_COOKIE},
    },
};

/// What the artist sign-up page needs to know about this browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupContext {
    /// The signed-in account's name and email, if any.
    pub signed_in_as: Option<(String, String)>,
    /// Whether the signed-in account already has a plan in good standing.
    pub has_plan: bool,
    /// An unfinished sign-up this browser can resume.
    pub pending: Option<PendingSignup>,
}

#[server(prefix = "/api", endpoint = "artist/signup_context")]
pub async fn load_signup_context() -> Result<SignupContext, AppError> {
    guards::respond(
        async move {
            let state = app_state()?;
            let user = guards::current_user().await?;
            let has_plan = match &user {
                Some(u) => signup::current_plan(&state.db, u.id)
                    .await?
                    .is_some_and(|s| s.in_good_standing()),
                None => false,
            };
            let pending = match guards::cookie(SIGNUP_COOKIE) {
                Some(secret) => signup::pending(&state.db, &secret).await?,
                None => None,
            };
            Ok(SignupContext {
                signed_in_as: user.map(|u| (u.display_name, u.email)),
                has_plan,
                pending,
            })
        }
        .await,
    )
}

/// Starts an artist sign-up and returns the checkout URL to pay at. Nothing but the
/// pending sign-up exists until the checkout completes.
#[server(prefix = "/api", endpoint = "artist/start_signup")]
pub async fn start_artist_signup(
    tier: String,
    #[server(default)] name: String,
    #[server(default)] email: String,
    #[server(default)] password: String,
) -> Result<String, AppError> {
    guards::respond(
        async move {
            let state = app_state()?;
            guards::rate_limit(&state.auth_limits.sign_up_per_ip, &guards::client_ip())?;
            let tier = Tier::parse(&tier).map_err(|m| AppError::field("tier", m))?;
            let applicant = match guards::current_user().await? {
                Some(user) => Applicant::Existing(user),
                None => {
                    let applicant = Applicant::parse_new(&ArtistSignupForm {
                        tier: tier.as_str().into(),
                        name,
                        email,
                        password,
                    })?;
                    // The form says when an email already has an account (the person
                    // must know before paying): bounded per client, so it cannot be
                    // used to test addresses in bulk.
                    guards::rate_limit(
                        &state.auth_limits.artist_signup_per_ip,
                        &guards::client_ip(),
                    )?;
                    applicant
                }
            };
            let started = signup::start(&state, tier, applicant).await?;
            guards::set_signup_cookie(&state, &started.secret);
            guards::redirect_form_post(&started.checkout_url);
            Ok(started.checkout_url)
        }
        .await,
    )
}

/// Continues this browser's unfinished sign-up: its checkout URL, or the return page
/// when the checkout completed meanwhile.
#[server(prefix = "/api", endpoint = "artist/resume_signup")]
pub async fn resume_artist_signup() -> Result<String, AppError> {
    guards::respond(
        async move {
            let state = app_state()?;
            guards::rate_limit(
                &state.auth_limits.provider_calls_per_ip,
                &guards::client_ip(),
            )?;
            let secret = guards::cookie(SIGNUP_COOKIE).ok_or(AppError::NotFound)?;
            let url = match signup::resume(&state, &secret).await? {
                Resumed::Checkout(url) => url,
                Resumed::Finish(session) => format!("/artist/signup/return?session_id={session}"),
            };
            guards::redirect_form_post(&url);
            Ok(url)
        }
        .await,
    )
}

/// Forgets this browser's unfinished sign-up, to start over.
#[server(prefix = "/api", endpoint = "artist/abandon_signup")]
pub async fn abandon_artist_signup() -> Result<(), AppError> {
    guards::respond(
        async move {
            let state = app_state()?;
            if let Some(secret) = guards::cookie(SIGNUP_COOKIE) {
                signup::abandon(&state.db, &secret).await?;
            }
            guards::clear_signup_cookie(&state);
            guards::redirect_form_post("/artist/signup");
            Ok(())
        }
        .await,
    )
}

/// How coming back from checkout went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignupFinish {
    /// The artist exists and this browser is signed in as them.
    Ready,
    /// The provider is still confirming the payment.
    Pending,
}

/// Back from checkout: completes the sign-up and signs this browser in.
#[server(prefix = "/api", endpoint = "artist/finish_signup")]
pub async fn finish_artist_signup(session_id: String) -> Result<SignupFinish, AppError> {
    guards::respond(
        async move {
            let state = app_state()?;
            guards::rate_limit(
                &state.auth_limits.provider_calls_per_ip,
                &guards::client_ip(),
            )?;
            let secret = guards::cookie(SIGNUP_COOKIE);
            let user = guards::current_user().await?;
            let finished = signup::finish(
                &state,
                &session_id,
                secret.as_deref(),
                user.as_ref(),
                guards::user_agent().as_deref(),
            )
            .await?;
            Ok(match finished {
                Finished::Ready { session, .. } => {
                    if let Some(token) = session {
                        guards::set_session_cookie(&state, &token);
                    }
                    guards::clear_signup_cookie(&state);
                    SignupFinish::Ready
                }
                Finished::Pending => SignupFinish::Pending,
            })
        }
        .await,
    )
}

/// The artist's profile as the setup form starts from it.
#[server(prefix = "/api", endpoint = "artist/profile_draft")]
pub async fn load_profile_draft() -> Result<ProfileDraft, AppError> {
    guards::respond(
        async move {
            let user = guards::require_user().await?;
            service::profile_draft(&app_state()?.db, user.id).await
        }
        .await,
    )
}

/// Saves the profile and completes setup (the photo is uploaded separately first).
#[server(prefix = "/api", endpoint = "artist/save_profile")]
pub async fn save_profile(form: ProfileFormData) -> Result<(), AppError> {
    guards::respond(
        async move {
            let user = guards::require_role(Role::Artist).await?;
            let input = ProfileInput::parse(&ProfileForm {
                stage_name: form.stage_name,
                handle: form.handle,
                bio: form.bio,
                location: form.location,
                genres: form.genres,
                links: form.links,
            })?;
            service::save_profile(&app_state()?, user.id, &input).await
        }
        .await,
    )
}

/// The setup form's fields, as the page sends them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileFormData {
    pub stage_name: String,
    pub handle: String,
    pub bio: String,
    pub location: String,
    pub genres: Vec<String>,
    pub links: Vec<String>,
}

/// The signed-in artist's onboarding status (`Gate { Plan }` for a fan).
#[server(prefix = "/api", endpoint = "artist/status")]
pub async fn load_artist_status() -> Result<ArtistStatus, AppError> {
    guards::respond(
        async move {
            let user = guards::require_user().await?;
            service::artist_status(&app_state()?.db, &user).await
        }
        .await,
    )
}

/// Opens (or continues) payout onboarding; returns the provider's onboarding URL.
#[server(prefix = "/api", endpoint = "artist/start_payouts")]
pub async fn start_payout_onboarding() -> Result<String, AppError> {
    guards::respond(
        async move {
            let user = guards::require_user().await?;
            let state = app_state()?;
            guards::rate_limit(
                &state.auth_limits.provider_calls_per_ip,
                &guards::client_ip(),
            )?;
            let url = service::payout_onboarding_link(&state, &user).await?;
            guards::redirect_form_post(&url);
            Ok(url)
        }
        .await,
    )
}

/// Reads the payout account's state from the provider now (after returning from
/// onboarding).
#[server(prefix = "/api", endpoint = "artist/refresh_payouts")]
pub async fn refresh_payouts() -> Result<ArtistStatus, AppError> {
    guards::respond(
        async move {
            let user = guards::require_user().await?;
            let state = app_state()?;
            guards::rate_limit(
                &state.auth_limits.provider_calls_per_ip,
                &guards::client_ip(),
            )?;
            service::refresh_payouts(&state, &user).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "artist/dashboard")]
pub async fn load_dashboard() -> Result<Dashboard, AppError> {
    guards::respond(
        async move {
            let user = guards::require_user().await?;
            service::dashboard(&app_state()?, &user).await
        }
        .await,
    )
}

/// Turns Kick In tips on or off. On is a revenue action: refused by the gate until
/// the plan, profile and payouts are done.
#[server(prefix = "/api", endpoint = "artist/set_kick_in")]
pub async fn set_kick_in(enabled: bool) -> Result<(), AppError> {
    guards::respond(
        async move {
            let user = guards::require_role(Role::Artist).await?;
            service::set_tips_enabled(&app_state()?, user.id, enabled).await
        }
        .await,
    )
}

/// The artist copied, shared or downloaded their profile link or QR code.
#[server(prefix = "/api", endpoint = "artist/record_share")]
pub async fn record_share() -> Result<(), AppError> {
    guards::respond(
        async move {
            let user = guards::require_role(Role::Artist).await?;
            service::record_share(&app_state()?, user.id).await
        }
        .await,
    )
}

/// The billing page for the artist's plan (Stripe's billing portal, or the sandbox's).
#[server(prefix = "/api", endpoint = "artist/billing_portal")]
pub async fn billing_portal() -> Result<String, AppError> {
    guards::respond(
        async move {
            let user = guards::require_user().await?;
            let url = service::billing_portal(&app_state()?, &user).await?;
            guards::redirect_form_post(&url);
            Ok(url)
        }
        .await,
    )
}

/// The activation funnel across all artists (operators only).
#[server(prefix = "/api", endpoint = "admin/funnel")]
pub async fn activation_funnel() -> Result<Vec<FunnelRow>, AppError> {
    guards::respond(
        async move {
            guards::require_role(Role::Admin).await?;
            service::funnel(&app_state()?.db).await
        }
        .await,
    )
}

/// Where the ledger and the payment provider disagreed (operators only).
#[server(prefix = "/api", endpoint = "admin/reconciliation")]
pub async fn reconciliation_mismatches() -> Result<Vec<boptone::reconciliation::Mismatch>, AppError>
{
    guards::respond(
        async move {
            guards::require_role(Role::Admin).await?;
            boptone::reconciliation::service::mismatches(&app_state()?.db, 200).await
        }
        .await,
    )
}
