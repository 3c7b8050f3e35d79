//! Account server functions: sign up, sign in, sign out, verification, password reset.

use boptone::{AppError, accounts::SessionUser};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::guards::{self, app_state},
    boptone::accounts::{self as domain, service},
};

/// The signed-in user, if any.
#[server(prefix = "/api", endpoint = "accounts/me")]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    guards::respond(guards::current_user().await)
}

/// What a sign-up answers, the same whether or not the address already had an
/// account: where the link went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckInbox {
    pub email: String,
}

/// Creates a fan account and emails the link that confirms it and signs in. When the
/// address already has an account its owner is emailed instead; the answer is the
/// same, so the form never tells who has an account.
#[server(prefix = "/api", endpoint = "accounts/sign_up")]
pub async fn sign_up(
    name: String,
    email: String,
    password: String,
    #[server(default)] role: String,
) -> Result<CheckInbox, AppError> {
    guards::respond(
        async move {
            let state = app_state()?;
            let client = guards::client_ip();
            guards::rate_limit(&state.auth_limits.sign_up_per_ip, &client)?;
            let input = domain::SignUp::parse(&domain::SignUpForm {
                name,
                email,
                password,
                role,
            })?;
            state
                .auth_limits
                .check_email(input.email.as_str(), &client)?;
            let email = input.email.as_str().to_owned();
            service::sign_up(&state, input).await?;
            guards::redirect_form_post("/signup?sent=1");
            Ok(CheckInbox { email })
        }
        .await,
    )
}

/// Signs in with email and password; `next` is where to go afterwards (a local path).
#[server(prefix = "/api", endpoint = "accounts/sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    #[server(default)] next: String,
) -> Result<SessionUser, AppError> {
    guards::respond(
        async move {
            let state = app_state()?;
            let client = guards::client_ip();
            guards::rate_limit(&state.auth_limits.sign_in_per_ip, &client)?;
            let input = domain::SignIn::parse(&email, &password)?;
            state
                .auth_limits
                .check_sign_in(input.email.as_str(), &client)?;
            let session = service::sign_in(&state, input, guards::user_agent().as_deref()).await?;
            guards::set_session_cookie(&state, &session.token);
            leptos_axum::redirect(boptone::urls::local_path(&next, "/feed"));
            Ok(session.user)
        }
        .await,
    )
}

/// Ends this browser's session.
#[server(prefix = "/api", endpoint = "accounts/sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    guards::respond(
        async move {
            let state = app_state()?;
            if let Some(token) = guards::session_token() {
                service::sign_out(&state.db, &token).await?;
            }
            guards::clear_session_cookie(&state);
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

/// A confirmed address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verified {
    pub user: SessionUser,
    /// This browser was signed in by the link (it was not signed in before).
    pub signed_in: bool,
}

/// Confirms an email address from the emailed link, when the person presses the
/// button on the link's page (never on the page load itself). A browser that is not
/// signed in is signed in as the address's owner.
#[server(prefix = "/api", endpoint = "accounts/verify_email")]
pub async fn verify_email(token: String) -> Result<Verified, AppError> {
    guards::respond(
        async move {
            let state = app_state()?;
            guards::rate_limit(&state.auth_limits.tokens_per_ip, &guards::client_ip())?;
            let signed_in = guards::current_user().await?.is_some();
            let (user, session) =
                service::verify_email(&state, &token, !signed_in, guards::user_agent().as_deref())
                    .await?;
            if let Some(session) = &session {
                guards::set_session_cookie(&state, session);
            }
            // Before the app loads, the form post goes on to the account.
            guards::redirect_form_post(if session.is_some() {
                "/me?welcome=1"
            } else {
                "/me"
            });
            Ok(Verified {
                user,
                signed_in: session.is_some(),
            })
        }
        .await,
    )
}

/// Sends a fresh verification link to the signed-in user.
#[server(prefix = "/api", endpoint = "accounts/resend_verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    guards::respond(
        async move {
            let user = guards::require_user().await?;
            let state = app_state()?;
            state
                .auth_limits
                .check_email(&user.email, &guards::client_ip())?;
            service::resend_verification(&state, &user).await
        }
        .await,
    )
}

/// Emails a password reset link (answers the same whether or not the account exists).
#[server(prefix = "/api", endpoint = "accounts/request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    guards::respond(
        async move {
            let state = app_state()?;
            let client = guards::client_ip();
            guards::rate_limit(&state.auth_limits.tokens_per_ip, &client)?;
            let email = domain::Email::parse(&email).map_err(|m| AppError::field("email", m))?;
            state.auth_limits.check_email(email.as_str(), &client)?;
            service::request_password_reset(&state, &email).await
        }
        .await,
    )
}

/// Sets a new password from a reset link, ending every session of the account.
#[server(prefix = "/api", endpoint = "accounts/reset_password")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    guards::respond(
        async move {
            let state = app_state()?;
            guards::rate_limit(&state.auth_limits.tokens_per_ip, &guards::client_ip())?;
            let password =
                domain::Password::parse(&password).map_err(|m| AppError::field("password", m))?;
            service::reset_password(&state, &token, &password).await?;
            leptos_axum::redirect("/signin?reset=done");
            Ok(())
        }
        .await,
    )
}
