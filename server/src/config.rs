//! Configuration: flags with environment fallbacks, every one with a working default.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "boptone",
    version,
    about = "Boptone: the operating system for an independent musician's business."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: Config,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app and run background jobs in-process (the default).
    Serve,
    /// Run background jobs and cron schedules only, for scaling out beside `serve` nodes.
    Worker,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load demo artists and fans (idempotent) and exit.
    SeedDemo,
    /// Measure the job queue on DATABASE_URL: drain N no-op jobs, then enqueue-to-start
    /// latency one job at a time. Prints JSON. Deletes every job in that database.
    BenchJobs {
        /// Jobs to drain per run.
        #[arg(long, default_value_t = 100_000)]
        jobs: u64,
        /// Worker concurrency for each drain, comma separated.
        #[arg(long, value_delimiter = ',', default_value = "24,8")]
        concurrency: Vec<usize>,
        /// Latency samples (after 100 warm-up jobs).
        #[arg(long, default_value_t = 2_000)]
        samples: usize,
    },
    /// Measure the earnings dashboard on DATABASE_URL: load an artist with `days` of
    /// tips, then time reading their dashboard. Prints JSON. Writes ledger history that
    /// stays: use a database of its own.
    BenchEarnings {
        #[arg(long, default_value_t = 365)]
        days: u32,
        #[arg(long, default_value_t = 100)]
        tips_per_day: u32,
        #[arg(long, default_value_t = 200)]
        samples: usize,
    },
    /// Measure the feed with many Bops and fans (loads them first: use a database of
    /// its own).
    BenchFeed {
        #[arg(long, default_value_t = 100_000)]
        bops: u64,
        #[arg(long, default_value_t = 10_000)]
        fans: u64,
        #[arg(long, default_value_t = 300)]
        samples: usize,
    },
}

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Database: `sqlite://path` (created if missing) or `postgres://…`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/boptone.db",
        global = true
    )]
    pub database_url: String,

    /// Maximum database connections in the pool.
    #[arg(
        long,
        env = "DATABASE_MAX_CONNECTIONS",
        default_value_t = 16,
        global = true
    )]
    pub database_max_connections: u32,

    /// Address to listen on.
    #[arg(
        long,
        env = "LEPTOS_SITE_ADDR",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub addr: SocketAddr,

    /// The public origin: links in emails, `Secure` cookies when https, Origin checks.
    #[arg(long, env = "PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// More origins state-changing requests may come from, comma-separated (other
    /// hostnames of this deployment, e.g. `https://www.boptone.app`). The public origin
    /// is always allowed; the request's own `Host` header never counts.
    #[arg(long, env = "ALLOWED_ORIGINS", value_delimiter = ',', global = true)]
    pub allowed_origins: Vec<String>,

    /// The header a trusted reverse proxy sets to the client's address
    /// (`X-Forwarded-For`, `X-Real-IP`, `Fly-Client-IP`…). Unset: the connection's peer
    /// is the client and forwarding headers are ignored. Set it only behind a proxy
    /// that overwrites or appends to that header.
    #[arg(long, env = "CLIENT_IP_HEADER", global = true)]
    pub client_ip_header: Option<String>,

    /// Bearer token for `GET /metrics` (`Authorization: Bearer …`). Unset: `/metrics`
    /// answers 404.
    #[arg(long, env = "METRICS_TOKEN", global = true, hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Let anyone read the in-app mailbox at /dev/mailbox (`true` for local
    /// development only). Otherwise only operators (admin accounts) can.
    #[arg(long, env = "DEV_MAILBOX", default_value_t = false, global = true)]
    pub dev_mailbox: bool,

    /// SMTP server for outgoing email (`smtps://user:pass@host`, `smtp://…?tls=required`).
    /// Unset: email goes to the in-app mailbox at /dev/mailbox.
    #[arg(long, env = "SMTP_URL", global = true)]
    pub smtp_url: Option<String>,

    /// Sender address of outgoing email.
    #[arg(
        long,
        env = "MAIL_FROM",
        default_value = "Boptone <no-reply@boptone.app>",
        global = true
    )]
    pub mail_from: String,

    /// Folder with the built site (`pkg/`, icons, service worker).
    #[arg(
        long,
        env = "LEPTOS_SITE_ROOT",
        default_value = "target/site",
        global = true
    )]
    pub site_root: PathBuf,

    /// Log format: `pretty` for people, `json` for log collectors.
    #[arg(long, env = "LOG_FORMAT", default_value = "pretty", global = true)]
    pub log_format: LogFormat,

    /// Background jobs run at once by this process (`serve` and `worker`); 0 disables
    /// them in `serve` (run `boptone worker` elsewhere).
    #[arg(long, env = "JOB_WORKERS", default_value_t = 8, global = true)]
    pub job_workers: usize,

    /// Largest Bop (video) upload, in bytes.
    #[arg(long, env = "MAX_VIDEO_BYTES", default_value_t = boptone::bops::MAX_VIDEO_BYTES, global = true)]
    pub max_video_bytes: u64,

    /// Largest track (audio) upload, in bytes.
    #[arg(long, env = "MAX_AUDIO_BYTES", default_value_t = boptone::music::MAX_AUDIO_BYTES, global = true)]
    pub max_audio_bytes: u64,

    /// Largest request body accepted, in bytes (uploads have their own limits).
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 1024 * 1024, global = true)]
    pub max_body_bytes: usize,

    /// Payments: `sandbox` (in-app checkout with Stripe's test cards, no keys) or
    /// `stripe` (needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET).
    #[arg(
        long,
        env = "PAYMENT_PROVIDER",
        default_value = "sandbox",
        global = true
    )]
    pub payment_provider: PaymentProviderKind,

    /// Stripe secret key (`sk_live_…` / `sk_test_…`).
    #[arg(long, env = "STRIPE_SECRET_KEY", global = true, hide_env_values = true)]
    pub stripe_secret_key: Option<String>,

    /// Signing secrets of the Stripe endpoints that deliver to `/webhooks/stripe`
    /// (`whsec_…`): the platform's and the Connect endpoint's, comma-separated.
    #[arg(
        long,
        env = "STRIPE_WEBHOOK_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub stripe_webhook_secret: Option<String>,

    /// Boptone's own Stripe account id (`acct_…`), which collects instant payout fees.
    #[arg(long, env = "STRIPE_PLATFORM_ACCOUNT", global = true)]
    pub stripe_platform_account: Option<String>,

    /// Stripe's API origin (a local server in tests).
    #[arg(long, env = "STRIPE_API_BASE", default_value = boptone::payments::stripe::API_BASE, global = true)]
    pub stripe_api_base: String,

    /// Kick In tips one fan may send one artist per hour.
    #[arg(
        long,
        env = "TIPS_PER_FAN_PER_HOUR",
        default_value_t = 10,
        global = true
    )]
    pub tips_per_fan_per_hour: i64,

    /// Blob storage: a local directory (default), `s3://bucket/prefix` (credentials
    /// and endpoint from `AWS_*`), or `memory://`.
    #[arg(long, env = "STORAGE_URL", default_value = "data/media", global = true)]
    pub storage_url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PaymentProviderKind {
    Sandbox,
    Stripe,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

impl Config {
    /// The public origin without a trailing slash; defaults to the listen address.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_owned(),
            _ => format!("http://{}", self.addr),
        }
    }

    /// The origins a state-changing request may come from: the public origin, the
    /// configured extra ones and, when no public URL is set and the server listens on
    /// loopback, the same port on `localhost` (how a developer opens it).
    pub fn allowed_origins(&self) -> Vec<String> {
        let mut origins = vec![self.public_url()];
        origins.extend(
            self.allowed_origins
                .iter()
                .map(|o| o.trim().trim_end_matches('/').to_owned())
                .filter(|o| !o.is_empty()),
        );
        let unset = self
            .public_url
            .as_deref()
            .is_none_or(|u| u.trim().is_empty());
        if unset && self.addr.ip().is_loopback() {
            origins.push(format!("http://localhost:{}", self.addr.port()));
        }
        origins.dedup();
        origins
    }

    /// Defaults for tests: a given database, a free port, no background workers (tests
    /// run pending jobs themselves, deterministically).
    pub fn for_tests(database_url: &str) -> Self {
        Self {
            database_url: database_url.to_owned(),
            database_max_connections: 8,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            public_url: None,
            allowed_origins: Vec::new(),
            client_ip_header: None,
            metrics_token: None,
            dev_mailbox: false,
            smtp_url: None,
            mail_from: "Boptone <no-reply@boptone.app>".into(),
            site_root: PathBuf::from("target/site"),
            log_format: LogFormat::Pretty,
            job_workers: 0,
            max_body_bytes: 1024 * 1024,
            max_video_bytes: boptone::bops::MAX_VIDEO_BYTES,
            max_audio_bytes: boptone::music::MAX_AUDIO_BYTES,
            payment_provider: PaymentProviderKind::Sandbox,
            stripe_secret_key: None,
            stripe_webhook_secret: None,
            stripe_api_base: boptone::payments::stripe::API_BASE.into(),
            stripe_platform_account: None,
            storage_url: "memory://".into(),
            tips_per_fan_per_hour: 10,
        }
    }
}
