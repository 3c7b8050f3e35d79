//! Account server functions: sign up, sign in, sign out, verification, password reset.

use boptone::{AppError, accounts::SessionUser};
use leptos::prelude::*;

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

/// Creates an account (fan or artist) and signs it in.
#[server(prefix = "/api", endpoint = "accounts/sign_up")]
pub async fn sign_up(
    name: String,
    email: String,
    password: String,
    #[server(default)] role: String,
) -> Result<SessionUser, AppError> {
    guards::respond(
        async move {
            let state = app_state()?;
            guards::rate_limit(&state.auth_limits.sign_up_per_ip, &guards::client_ip())?;
            let input = domain::SignUp::parse(&domain::SignUpForm {
                name,
                email,
                password,
                role,
            })?;
            guards::rate_limit(&state.auth_limits.email_per_account, input.email.as_str())?;
            let session = service::sign_up(&state, input, guards::user_agent().as_deref()).await?;
            guards::set_session_cookie(&state, &session.token);
            leptos_axum::redirect("/me?welcome=1");
            Ok(session.user)
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
            guards::rate_limit(&state.auth_limits.sign_in_per_ip, &guards::client_ip())?;
            let input = domain::SignIn::parse(&email, &password)?;
            guards::rate_limit(&state.auth_limits.sign_in_per_account, input.email.as_str())?;
            let session = service::sign_in(&state, input, guards::user_agent().as_deref()).await?;
            guards::set_session_cookie(&state, &session.token);
            leptos_axum::redirect(&guards::local_path(&next, "/feed"));
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

/// Confirms an email address from the emailed link.
#[server(prefix = "/api", endpoint = "accounts/verify_email")]
pub async fn verify_email(token: String) -> Result<SessionUser, AppError> {
    guards::respond(
        async move {
            let state = app_state()?;
            guards::rate_limit(&state.auth_limits.tokens_per_ip, &guards::client_ip())?;
            service::verify_email(&state, &token).await
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
            guards::rate_limit(&state.auth_limits.tokens_per_ip, &guards::client_ip())?;
            let email = domain::Email::parse(&email).map_err(|m| AppError::field("email", m))?;
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
