//! Guards and request helpers for server functions. Each server function starts with
//! one guard; a guard returns an error, never a redirect that carries on.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use boptone::{
    AppError,
    accounts::{
        Role, SESSION_COOKIE, SESSION_LIFETIME_MS, SessionUser, service, session_token_from_cookies,
    },
    ratelimit::Limiter,
    state::AppState,
};
use http::{HeaderValue, header, request::Parts};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

/// The application state, provided to every server function and render.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        AppError::internal(
            "AppState missing from context",
            &std::io::Error::other("no AppState"),
        )
    })
}

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// The client's address, for per-IP limits.
pub fn client_ip() -> String {
    parts()
        .and_then(|p| {
            p.extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

pub fn user_agent() -> Option<String> {
    parts()?
        .headers
        .get(header::USER_AGENT)?
        .to_str()
        .ok()
        .map(str::to_owned)
}

/// The session secret from the request's cookie, if any.
pub fn session_token() -> Option<String> {
    let parts = parts()?;
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| session_token_from_cookies(v).map(str::to_owned))
}

/// The value of cookie `name` on this request, if any.
pub fn cookie(name: &str) -> Option<String> {
    let parts = parts()?;
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.to_owned())
}

/// Whether this request is a plain HTML form post (no JavaScript yet): those are
/// answered with redirects, fetch calls with data.
pub fn is_plain_form_post() -> bool {
    parts()
        .and_then(|p| {
            p.headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.contains("text/html"))
        })
        .unwrap_or(false)
}

/// Sends the browser to `url` (possibly another site, like the payment provider's
/// checkout) when the request is a plain form post; a hydrated page navigates itself
/// from the URL the server function returns.
pub fn redirect_form_post(url: &str) {
    if is_plain_form_post() {
        leptos_axum::redirect(url);
    }
}

/// Remembers an unfinished artist sign-up in this browser.
pub fn set_signup_cookie(state: &AppState, secret: &str) {
    let max_age = boptone::payments::signup::SIGNUP_LIFETIME_MS / 1000;
    set_cookie(format!(
        "{}={secret}{}; Max-Age={max_age}",
        boptone::payments::signup::SIGNUP_COOKIE,
        cookie_attributes(state)
    ));
}

pub fn clear_signup_cookie(state: &AppState) {
    set_cookie(format!(
        "{}=; Max-Age=0{}",
        boptone::payments::signup::SIGNUP_COOKIE,
        cookie_attributes(state)
    ));
}

/// The signed-in user, or `None`.
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    let Some(token) = session_token() else {
        return Ok(None);
    };
    let state = app_state()?;
    service::session_user(&state.db, &token).await
}

/// Refuses unless someone is signed in.
pub async fn require_user() -> Result<SessionUser, AppError> {
    current_user().await?.ok_or(AppError::Unauthenticated)
}

/// Refuses unless the signed-in user has `role` (admins pass every role check).
pub async fn require_role(role: Role) -> Result<SessionUser, AppError> {
    let user = require_user().await?;
    if user.role == role || user.role == Role::Admin {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Counts a request against `limiter` under `key`.
pub fn rate_limit(limiter: &Limiter, key: &str) -> Result<(), AppError> {
    limiter.check(key)
}

/// Gives a server function's answer the HTTP status of its error (422 for validation,
/// 429 with `Retry-After` for rate limits, …) instead of a blanket 500. Every server
/// function returns through this.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    // A plain form post (before hydration) is answered with a redirect back to the form;
    // an error status would replace that redirect with a JSON body.
    if is_plain_form_post() {
        return result;
    }
    if let (Err(err), Some(res)) = (&result, use_context::<ResponseOptions>()) {
        if let Ok(status) = http::StatusCode::from_u16(err.status()) {
            res.set_status(status);
        }
        if let AppError::RateLimited {
            retry_after_secs, ..
        } = err
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            res.insert_header(header::RETRY_AFTER, v);
        }
    }
    result
}

fn set_cookie(value: String) {
    if let (Some(res), Ok(v)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(&value),
    ) {
        res.append_header(header::SET_COOKIE, v);
    }
}

fn cookie_attributes(state: &AppState) -> &'static str {
    if state.settings.secure_cookies() {
        "; Path=/; HttpOnly; SameSite=Lax; Secure"
    } else {
        "; Path=/; HttpOnly; SameSite=Lax"
    }
}

/// Sends the session cookie for a new session.
pub fn set_session_cookie(state: &AppState, token: &str) {
    let max_age = SESSION_LIFETIME_MS / 1000;
    set_cookie(format!(
        "{SESSION_COOKIE}={token}{}; Max-Age={max_age}",
        cookie_attributes(state)
    ));
}

/// Tells the browser to forget the session cookie.
pub fn clear_session_cookie(state: &AppState) {
    set_cookie(format!(
        "{SESSION_COOKIE}={}; Max-Age=0",
        cookie_attributes(state)
    ));
}

/// A path inside this site to return to after signing in; anything else becomes `fallback`.
pub fn local_path(next: &str, fallback: &str) -> String {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.contains("://");
    if ok {
        next.to_owned()
    } else {
        fallback.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path("/music?x=1", "/feed"), "/music?x=1");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "",
            "music",
        ] {
            assert_eq!(local_path(bad, "/feed"), "/feed", "{bad}");
        }
    }
}
