//! Guards and request helpers for server functions. Each server function starts with
//! one guard; a guard returns an error, never a redirect that carries on.
//!
//! # The rule for every new endpoint
//!
//! Every server function and route is a public HTTP endpoint, whatever page calls it:
//!
//! 1. **Authorize inside**: the right guard first (`require_user`, `require_role`),
//!    never trusting that only a certain page calls it.
//! 2. **Check ownership** of every object it touches, in the query itself (`WHERE
//!    artist_id = $me`); another user's object is `AppError::NotFound`, never
//!    `Forbidden`, so ids cannot be probed.
//! 3. **Rate-limit** public and money-moving calls (`rate_limit`, `AuthLimits`): per
//!    client address (`client_ip`, which honours only the configured proxy header), and
//!    per account *and* address where a stranger could otherwise use up the owner's
//!    allowance.
//! 4. **Bind idempotency keys** to their owner and parameters: store the key scoped by
//!    its owner with a fingerprint of the request, and refuse a reuse that differs.
//! 5. **No state change on GET**: page loads and links only read; one-time tokens are
//!    consumed by a button's POST.
//! 6. **Refuse bad input before writing**, with a message for people.
//! 7. **Nothing debug-only without an admin** (`require_role(Role::Admin)`), unless an
//!    explicit development setting says otherwise.
//!
//! SECURITY.md lists the limits and the tests that keep these holes closed.

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

/// The client's address, for per-IP limits: the socket's peer, or behind a trusted
/// proxy the address in the configured `CLIENT_IP_HEADER` (never a header the client
/// chose).
pub fn client_ip() -> String {
    let Some(parts) = parts() else {
        return "unknown".into();
    };
    let header = use_context::<AppState>().and_then(|s| s.settings.client_ip_header.clone());
    let forwarded = header
        .as_deref()
        .and_then(|name| parts.headers.get(name))
        .and_then(|v| v.to_str().ok());
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    boptone::ratelimit::client_address(forwarded, header.is_some(), peer)
}

pub fn user_agent() -> Option<String> {
    parts()?
        .headers
        .get(header::USER_AGENT)?
        .to_str()
        .ok()
        .map(str::to_owned)
}

/// The session secret in a request's cookies, if any.
fn session_token_in(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| session_token_from_cookies(v).map(str::to_owned))
}

/// The session secret from the request's cookie, if any.
pub fn session_token() -> Option<String> {
    session_token_in(&parts()?.headers)
}

/// The user whose session cookie `headers` carry, or `None`: the one way every server
/// function, route and socket finds who is signed in.
pub async fn session_user(
    state: &AppState,
    headers: &http::HeaderMap,
) -> Result<Option<SessionUser>, AppError> {
    match session_token_in(headers) {
        Some(token) => service::session_user(&state.db, &token).await,
        None => Ok(None),
    }
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
    let max_age = boptone::signup::SIGNUP_LIFETIME_MS / 1000;
    set_cookie(format!(
        "{}={secret}{}; Max-Age={max_age}",
        boptone::signup::SIGNUP_COOKIE,
        cookie_attributes(state)
    ));
}

pub fn clear_signup_cookie(state: &AppState) {
    set_cookie(format!(
        "{}=; Max-Age=0{}",
        boptone::signup::SIGNUP_COOKIE,
        cookie_attributes(state)
    ));
}

/// The signed-in user, or `None`.
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    let Some(parts) = parts() else {
        return Ok(None);
    };
    session_user(&app_state()?, &parts.headers).await
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

/// The signed-in user and the app state, once this account's request is counted
/// against the limit `pick` chooses (reactions, comments, reports: per account).
pub async fn require_user_within(
    pick: fn(&boptone::ratelimit::AuthLimits) -> &Limiter,
) -> Result<(SessionUser, AppState), AppError> {
    let user = require_user().await?;
    let state = app_state()?;
    rate_limit(pick(&state.auth_limits), &user.id.0.to_string())?;
    Ok((user, state))
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

/// The cookie that tells one anonymous browser from another, for counting views.
pub const DEVICE_COOKIE: &str = "bt_device";

/// The device id this browser's cookie carries, if it has a well-formed one.
pub fn known_device() -> Option<String> {
    cookie(DEVICE_COOKIE).filter(|v| {
        (16..=64).contains(&v.len())
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    })
}

/// This browser's device id: the one its cookie carries, or a new one sent with the
/// answer. It is random and says nothing about the person.
pub fn device_id(state: &AppState) -> String {
    if let Some(id) = known_device() {
        return id;
    }
    let id = service::new_secret();
    set_cookie(format!(
        "{DEVICE_COOKIE}={id}{}; Max-Age={}",
        cookie_attributes(state),
        400 * 24 * 60 * 60
    ));
    id
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
