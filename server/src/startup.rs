//! Build → bind → run. [`Application::build`] wires configuration into a running
//! server on a bound port (port 0 picks a free one, as tests do).

use std::{
    future::Future,
    net::SocketAddr,
    sync::{Arc, LazyLock, OnceLock},
    time::Duration,
};

use anyhow::Context as _;
use axum::{
    Router,
    extract::{DefaultBodyLimit, FromRef},
    http::{
        Extensions, HeaderMap, HeaderName, Request, StatusCode, Version, header::CONTENT_RANGE,
    },
    middleware::{from_fn, from_fn_with_state},
    routing::{get, post},
};
use boptone::{
    db::{Db, DbOptions},
    jobs::worker::WorkerConfig,
    mail::{Mailbox, SharedMailer, Smtp},
    media::Storage,
    payments::{provider::SharedPayments, sandbox::Sandbox, stripe::Stripe},
    ratelimit::AuthLimits,
    state::{AppState, Settings},
};
use boptone_app::{App, PROFILE_ROUTE, shell};
use leptos::{nonce::Nonce, prelude::*};
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list_with_exclusions};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceBuilder;
use tower_http::{
    compression::{CompressionLayer, DefaultPredicate, Predicate, predicate::NotForContentType},
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};

use crate::{
    config::{Config, PaymentProviderKind},
    maintenance,
    middleware::{
        AllowedOrigin, CspNonce, cache_site_code, fans_start_at_the_feed, record_metrics,
        same_origin_writes, security_headers,
    },
    routes::{health, uploads, webhooks, ws},
};

/// Everything a route handler may extract.
#[derive(Clone, FromRef)]
pub struct ServerState {
    pub leptos_options: LeptosOptions,
    pub app: AppState,
    pub metrics: PrometheusHandle,
    pub metrics_token: MetricsToken,
    pub allowed_origin: AllowedOrigin,
    /// The cap on a Bop upload (`MAX_VIDEO_BYTES`).
    #[from_ref(skip)]
    pub max_video_bytes: u64,
    /// The cap on a track upload (`MAX_AUDIO_BYTES`).
    #[from_ref(skip)]
    pub max_audio_bytes: u64,
}

/// The bearer token `/metrics` asks for (`None`: the route answers 404).
#[derive(Clone, Debug)]
pub struct MetricsToken(pub Option<std::sync::Arc<str>>);

/// Opens the database (migrating it) and builds the services for `config`.
pub async fn build_state(config: &Config) -> anyhow::Result<AppState> {
    let options = DbOptions {
        max_connections: config.database_max_connections,
        ..DbOptions::default()
    };
    let db = Db::connect(&config.database_url, &options)
        .await
        .with_context(|| format!("opening the database at {}", redact(&config.database_url)))?;
    db.migrate().await.context("applying database migrations")?;
    let mailer: SharedMailer = match config.smtp_url.as_deref().filter(|u| !u.is_empty()) {
        Some(url) => Arc::new(Smtp::new(url, &config.mail_from).map_err(anyhow::Error::msg)?),
        None => Arc::new(Mailbox::new(db.clone())),
    };
    let public_url = config.public_url();
    let payments: SharedPayments = match config.payment_provider {
        PaymentProviderKind::Sandbox => Arc::new(Sandbox::new(db.clone(), public_url.clone())),
        PaymentProviderKind::Stripe => {
            let key = config
                .stripe_secret_key
                .as_deref()
                .filter(|k| !k.is_empty())
                .context("PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY")?;
            if config
                .stripe_webhook_secret
                .as_deref()
                .is_none_or(str::is_empty)
            {
                anyhow::bail!("PAYMENT_PROVIDER=stripe needs STRIPE_WEBHOOK_SECRET");
            }
            Arc::new(
                Stripe::new(
                    key,
                    &config.stripe_api_base,
                    config
                        .stripe_platform_account
                        .clone()
                        .filter(|a| !a.is_empty()),
                )
                .map_err(anyhow::Error::msg)?,
            )
        }
    };
    let storage = Storage::from_url(&config.storage_url).map_err(anyhow::Error::msg)?;
    Ok(AppState {
        realtime: boptone::realtime::Realtime::new(db.clone()),
        db,
        mailer,
        settings: Arc::new(Settings {
            public_url,
            stripe_webhook_secret: config
                .stripe_webhook_secret
                .clone()
                .filter(|s| !s.is_empty()),
            tips_per_fan_per_hour: config.tips_per_fan_per_hour,
            client_ip_header: config
                .client_ip_header
                .clone()
                .filter(|h| !h.trim().is_empty()),
            dev_mailbox: config.dev_mailbox,
        }),
        auth_limits: Arc::new(AuthLimits::default()),
        payments,
        storage,
        routes: Arc::new(boptone::background::routes()),
    })
}

/// A URL with its password hidden, for logs and errors.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// The process-wide Prometheus recorder (the `metrics` facade is global by design).
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets(&[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                ])
                .and_then(|b| b.install_recorder())
                .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder().handle())
        })
        .clone()
}

/// Puts the response's CSP nonce where Leptos' inline scripts pick it up.
fn provide_request_nonce() {
    if let Some(nonce) =
        use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<CspNonce>().cloned())
    {
        provide_context(Nonce::from_value(nonce.0));
    }
}

/// The app's routes, listed once per process. Listing them runs the app with resource
/// loading switched off by a process-wide flag in leptos_server, so listing them again
/// while another server in the same process renders a page leaves that page's
/// resources pending for good (leptos issue 4773): the HTTP tests, which start many
/// servers in one process, hung now and then on exactly that.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| {
        generate_route_list_with_exclusions(App, Some(vec![PROFILE_ROUTE.to_owned()]))
    });
    ROUTES.clone()
}

/// The whole HTTP application.
pub fn router(state: AppState, config: &Config) -> Router {
    let leptos_options = LeptosOptions::builder()
        .output_name("boptone")
        .site_root(config.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .hash_files(crate::middleware::hashed_assets())
        .site_addr(config.addr)
        .env(leptos::config::Env::PROD)
        .build();
    // Public profiles are mounted as `/@{handle}` below: a catch-all `/{profile}` would
    // swallow root files such as the service worker.
    let routes = route_list();
    let https = config.public_url().starts_with("https://");
    let allowed = AllowedOrigin {
        origins: config.allowed_origins(),
    };
    if config.public_url.is_none() && config.addr.ip().is_unspecified() {
        tracing::warn!(
            addr = %config.addr,
            "PUBLIC_URL is not set: browsers' forms will be refused as cross-origin until it names the address people open"
        );
    }
    let server_state = ServerState {
        max_video_bytes: config.max_video_bytes,
        max_audio_bytes: config.max_audio_bytes,
        leptos_options: leptos_options.clone(),
        app: state.clone(),
        metrics: metrics_handle(),
        metrics_token: MetricsToken(
            config
                .metrics_token
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(std::sync::Arc::from),
        ),
        allowed_origin: allowed.clone(),
    };
    let request_id = HeaderName::from_static("x-request-id");

    let context = move || {
        provide_context(state.clone());
        provide_request_nonce();
    };
    let profile = leptos_axum::render_app_async_with_context(context.clone(), {
        let options = leptos_options.clone();
        move || shell(options.clone())
    });
    let profile_handler = move |req: Request<axum::body::Body>| profile(req);

    // Uploads have their own, larger body limit; everything else the configured one.
    let uploads = Router::new()
        .route("/uploads/profile-photo", post(uploads::profile_photo))
        .route("/uploads/artwork", post(uploads::artwork))
        .layer(DefaultBodyLimit::max(uploads::PHOTO_BODY_LIMIT))
        .layer(RequestBodyLimitLayer::new(uploads::PHOTO_BODY_LIMIT))
        // A Bop or a track streams to storage and is capped there (MAX_VIDEO_BYTES,
        // MAX_AUDIO_BYTES), with a message.
        .merge(
            Router::new()
                .route("/uploads/bops", post(uploads::bop))
                .route("/uploads/tracks", post(uploads::track))
                .layer(DefaultBodyLimit::disable()),
        );
    // Webhooks are verified by an HMAC over the whole body: keep that body small.
    let webhook_routes = Router::new()
        .route("/webhooks/stripe", post(webhooks::stripe))
        .layer(DefaultBodyLimit::max(
            boptone::payments::webhook::MAX_BODY_BYTES,
        ))
        .layer(RequestBodyLimitLayer::new(
            boptone::payments::webhook::MAX_BODY_BYTES,
        ));
    let app = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/ws", get(ws::ws))
        .route("/media/{*key}", get(uploads::media))
        .route("/@{handle}", get(profile_handler))
        .leptos_routes_with_context(&server_state, routes, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            ServerState,
            _,
        >(context, shell))
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(RequestBodyLimitLayer::new(config.max_body_bytes));

    Router::new()
        .merge(uploads)
        .merge(webhook_routes)
        .merge(app)
        .layer(from_fn_with_state(server_state.clone(), fans_start_at_the_feed))
        .layer(from_fn(record_metrics))
        .layer(from_fn(cache_site_code))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                }))
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(CompressionLayer::new().compress_when(compressible()))
                .layer(from_fn_with_state(https, security_headers))
                .layer(from_fn_with_state(allowed, same_origin_writes)),
        )
        .with_state(server_state)
}

/// What the compression layer compresses: text, not media. Audio and video are
/// compressed already and players seek in them by byte ranges, which compression would
/// break; images are left alone by the default rule too.
fn compressible() -> impl Predicate {
    DefaultPredicate::new()
        .and(NotForContentType::const_new("video/"))
        .and(NotForContentType::const_new("audio/"))
        .and(
            |_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions| {
                !headers.contains_key(CONTENT_RANGE)
            },
        )
}

/// A server bound to its port, not yet serving.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    port: u16,
    job_workers: usize,
}

impl Application {
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("listening on {}", config.addr))?;
        let port = listener.local_addr()?.port();
        let mut config = config.clone();
        config.addr.set_port(port);
        let state = build_state(&config).await?;
        let router = router(state.clone(), &config);
        Ok(Self {
            listener,
            router,
            state,
            port,
            job_workers: config.job_workers,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests and stops
    /// background work.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let stop = CancellationToken::new();
        let mut background = vec![tokio::spawn(maintenance::run(
            self.state.clone(),
            Duration::from_secs(600),
            stop.clone(),
        ))];
        background.push(tokio::spawn(
            self.state.realtime.clone().listen(stop.clone()),
        ));
        if self.job_workers > 0 {
            let config = WorkerConfig {
                concurrency: self.job_workers,
                ..WorkerConfig::default()
            };
            background.extend(
                boptone::background::start(self.state.clone(), config, stop.clone()).await?,
            );
        }
        let served = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .context("serving HTTP");
        stop.cancel();
        for task in background {
            let _ = task.await;
        }
        self.state.db.close().await;
        served
    }
}

/// Completes on SIGTERM or Ctrl-C. The handlers are installed when this is called,
/// not when the future is first polled, so call it before starting anything slow.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let ctrl_c = tokio::spawn(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    async move {
        #[cfg(unix)]
        let term = async move {
            match term {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {},
            _ = term => {},
        }
        tracing::info!("shutting down: finishing in-flight requests");
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://u:secret@h:5/db"),
            "postgres://u:***@h:5/db"
        );
        assert_eq!(
            redact("sqlite://data/boptone.db"),
            "sqlite://data/boptone.db"
        );
    }
}
