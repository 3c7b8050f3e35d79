//! Middleware: security headers with a per-response CSP nonce, the cross-origin
//! refusal for state-changing requests, and request metrics.

use std::{sync::LazyLock, time::Instant};

use axum::{
    extract::{MatchedPath, Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;

/// `/` is the front door for visitors; a signed-in fan's home is the feed, so they go
/// there (303) before any page is rendered.
pub async fn fans_start_at_the_feed(
    State(state): State<crate::startup::ServerState>,
    req: Request,
    next: Next,
) -> Response {
    if req.method() == Method::GET && req.uri().path() == "/" {
        let user = boptone_app::api::guards::session_user(&state.app, req.headers()).await;
        if let Ok(Some(user)) = user
            && user.role == boptone::accounts::Role::Fan
        {
            return axum::response::Redirect::to("/feed").into_response();
        }
    }
    next.run(req).await
}

/// Whether the site's code files carry content hashes in their names: a server built
/// by cargo-leptos with `hash-files` (which sets `LEPTOS_HASH_FILES` at compile time),
/// or one told so when it starts (a build serving a site built separately, as the
/// end-to-end tests do; `hash.txt` beside the binary names the files).
pub fn hashed_assets() -> bool {
    static HASHED: LazyLock<bool> = LazyLock::new(|| {
        option_env!("LEPTOS_HASH_FILES") == Some("true")
            || std::env::var("LEPTOS_HASH_FILES").is_ok_and(|v| v == "true")
    });
    *HASHED
}

/// Caching of the site's code (`/pkg`): a hashed file never changes, so browsers keep it
/// for a year without asking; an unhashed one is checked on every use.
pub async fn cache_site_code(req: Request, next: Next) -> Response {
    let is_code = req.uri().path().starts_with("/pkg/");
    let mut res = next.run(req).await;
    if is_code && res.status().is_success() {
        let policy = if hashed_assets() {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    res
}

/// The nonce the CSP of this response allows inline scripts with.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// Adds CSP (with a fresh nonce, also placed in the request for the renderer) and the
/// usual security headers.
pub async fn security_headers(State(https): State<bool>, mut req: Request, next: Next) -> Response {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    let nonce = URL_SAFE_NO_PAD.encode(bytes);
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; \
         manifest-src 'self'; worker-src 'self'"
    );
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=(self)"),
    );
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    res
}

/// The origins a state-changing request may come from: the configured public
/// origin(s) only. The request's `Host` header is the client's to choose, so it never
/// vouches for an `Origin`.
#[derive(Clone, Debug)]
pub struct AllowedOrigin {
    pub origins: Vec<String>,
}

/// Refuses state-changing requests (anything but GET, HEAD, OPTIONS) whose `Origin` is
/// not this site, or that the browser marks cross-site. Requests without either header
/// (non-browser clients, which carry no ambient cookies) pass.
pub async fn same_origin_writes(
    State(allowed): State<AllowedOrigin>,
    req: Request,
    next: Next,
) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    if !allowed.permits(req.headers()) {
        tracing::warn!(origin = ?req.headers().get(header::ORIGIN), "refused a cross-origin write");
        return (StatusCode::FORBIDDEN, "Cross-origin request refused.").into_response();
    }
    next.run(req).await
}

impl AllowedOrigin {
    /// False when the browser says the request comes from another site: an `Origin`
    /// that is not one of the configured origins, or `Sec-Fetch-Site: cross-site`.
    pub fn permits(&self, headers: &axum::http::HeaderMap) -> bool {
        let cross_site = headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == "cross-site");
        let origin_ok = match headers.get(header::ORIGIN) {
            None => true,
            Some(origin) => origin
                .to_str()
                .is_ok_and(|origin| self.origins.iter().any(|o| o == origin)),
        };
        !cross_site && origin_ok
    }
}

/// Counts requests and records their latency, labelled by route pattern.
pub async fn record_metrics(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "static_or_unmatched".to_owned());
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(start.elapsed().as_secs_f64());
    res
}
