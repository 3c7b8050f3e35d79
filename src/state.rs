//! `AppState`: what every server function and route handler can reach.

use std::sync::Arc;

use crate::{
    db::Db, mail::SharedMailer, media::Storage, payments::provider::SharedPayments,
    ratelimit::SharedAuthLimits, realtime::Realtime,
};

/// Settings services need at run time (the binary's configuration, trimmed).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The public origin, without a trailing slash: links in emails, cookie security.
    pub public_url: String,
    /// The signing secret of the Stripe webhook endpoint (`None`: webhooks refused).
    pub stripe_webhook_secret: Option<String>,
    /// Kick In tips one fan may send one artist per hour.
    pub tips_per_fan_per_hour: i64,
    /// The header a trusted reverse proxy puts the client's address in
    /// (`X-Forwarded-For`, `X-Real-IP`…); `None`: the socket's peer is the client.
    pub client_ip_header: Option<String>,
    /// Anyone may read the in-app mailbox (a development setting); otherwise only
    /// operators can.
    pub dev_mailbox: bool,
}

impl Settings {
    /// Cookies get `Secure` when the public origin is https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// An absolute link to `path` (which starts with `/`).
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub mailer: SharedMailer,
    pub settings: Arc<Settings>,
    pub auth_limits: SharedAuthLimits,
    pub realtime: Realtime,
    pub payments: SharedPayments,
    pub storage: Storage,
    /// Each domain's handlers for provider changes and platform events.
    pub routes: Arc<crate::background::Routes>,
}

/// Installs ring as the process's TLS crypto provider (rustls needs exactly one; the
/// Stripe client and S3 storage both use it). Safe to call more than once.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
