//! `AppState`: what every server function and route handler can reach.

use std::sync::Arc;

use crate::{db::Db, mail::SharedMailer, ratelimit::SharedAuthLimits, realtime::Realtime};

/// Settings services need at run time (the binary's configuration, trimmed).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The public origin, without a trailing slash: links in emails, cookie security.
    pub public_url: String,
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
}
