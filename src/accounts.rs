//! Accounts: who a person is on Boptone (SPEC ONB-1).
//!
//! The values here parse, never just hold: an [`Email`], a [`Handle`], a [`Password`]
//! or a [`DisplayName`] that exists is valid. Sign-up and sign-in input parse all at
//! once so a form can show every problem next to its field.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::{AppError, FieldError};

#[cfg(feature = "ssr")]
pub mod service;

/// A user's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

/// A normalised email address: trimmed, lower-cased, shaped like `local@domain.tld`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let email = input.trim().to_lowercase();
        if email.is_empty() {
            return Err("Enter your email address.");
        }
        if email.len() > 254 {
            return Err("That email address is too long.");
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err("Enter an email address like name@example.com.");
        };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
            && labels
                .last()
                .is_some_and(|tld| tld.len() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
        if local_ok && domain_ok {
            Ok(Self(email))
        } else {
            Err("Enter an email address like name@example.com.")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = &'static str;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A public handle, the `@name` in profile links: 3–30 of `a-z`, `0-9` and `_`,
/// starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Handle(String);

impl Handle {
    pub const MIN: usize = 3;
    pub const MAX: usize = 30;

    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let handle = input.trim().trim_start_matches('@').to_lowercase();
        if handle.len() < Self::MIN {
            return Err("A handle needs at least 3 characters.");
        }
        if handle.len() > Self::MAX {
            return Err("A handle can have at most 30 characters.");
        }
        if !handle.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err("A handle starts with a letter.");
        }
        if !handle
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err("A handle uses only letters, digits and underscores.");
        }
        if RESERVED_HANDLES.contains(&handle.as_str()) {
            return Err("That handle is reserved.");
        }
        Ok(Self(handle))
    }

    /// A valid handle derived from a name ("Nova Reyes" → `nova_reyes`), or `None`
    /// when the name has too few usable characters.
    pub fn suggest(name: &str) -> Option<Self> {
        let mut out = String::new();
        for c in name.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                out.push(c);
            } else if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
        }
        let trimmed: String = out
            .trim_start_matches(|c: char| c.is_ascii_digit() || c == '_')
            .chars()
            .take(Self::MAX - 5)
            .collect();
        Self::parse(trimmed.trim_end_matches('_')).ok()
    }

    /// The handle given when neither name nor email yields one (suffixed on clashes).
    pub fn fallback() -> Self {
        Self("listener".to_owned())
    }

    /// This handle with a numeric suffix, to resolve a clash: `nova` → `nova_42`.
    pub fn with_suffix(&self, n: u32) -> Self {
        let suffix = format!("_{n}");
        let keep = Self::MAX.saturating_sub(suffix.len()).min(self.0.len());
        Self(format!("{}{suffix}", &self.0[..keep]))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Paths and words a handle must not take.
const RESERVED_HANDLES: &[&str] = &[
    "admin",
    "api",
    "app",
    "artist",
    "artists",
    "boptone",
    "dashboard",
    "dev",
    "feed",
    "help",
    "me",
    "media",
    "music",
    "settings",
    "shop",
    "signin",
    "signup",
    "support",
    "system",
];

impl TryFrom<String> for Handle {
    type Error = &'static str;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Handle> for String {
    fn from(value: Handle) -> Self {
        value.0
    }
}

impl fmt::Display for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A name shown to others: 1–60 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err("Enter your name.");
        }
        if name.chars().count() > 60 {
            return Err("Keep your name to 60 characters or fewer.");
        }
        if name.chars().any(char::is_control) {
            return Err("Your name has characters we can't show.");
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DisplayName {
    type Error = &'static str;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DisplayName> for String {
    fn from(value: DisplayName) -> Self {
        value.0
    }
}

/// A new password: 8–128 characters (the upper bound keeps hashing cheap to refuse).
/// Its `Debug` never shows the secret.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 128;

    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let chars = input.chars().count();
        if chars < Self::MIN_CHARS {
            return Err("Use at least 8 characters for your password.");
        }
        if chars > Self::MAX_CHARS {
            return Err("Use at most 128 characters for your password.");
        }
        if input.trim().is_empty() {
            return Err("A password can't be only spaces.");
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// What a user is on the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Fan,
    Artist,
    Label,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fan => "fan",
            Self::Artist => "artist",
            Self::Label => "label",
            Self::Admin => "admin",
        }
    }

    pub fn parse(input: &str) -> Result<Self, &'static str> {
        match input {
            "fan" => Ok(Self::Fan),
            "artist" => Ok(Self::Artist),
            "label" => Ok(Self::Label),
            "admin" => Ok(Self::Admin),
            _ => Err("Choose fan or artist."),
        }
    }

    /// Roles a person may pick for themselves when signing up.
    pub fn self_service(self) -> bool {
        matches!(self, Self::Fan | Self::Artist)
    }
}

/// The signed-in user as pages see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: UserId,
    pub display_name: String,
    pub handle: String,
    pub email: String,
    pub role: Role,
    pub email_verified: bool,
}

/// Sign-up form input as it arrives.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SignUpForm {
    pub name: String,
    pub email: String,
    pub password: String,
    #[serde(default)]
    pub role: String,
}

/// A sign-up that parsed.
#[derive(Debug, Clone)]
pub struct SignUp {
    pub name: DisplayName,
    pub email: Email,
    pub password: Password,
    pub role: Role,
}

impl SignUp {
    /// Parses every field, collecting one message per bad field.
    pub fn parse(form: &SignUpForm) -> Result<Self, AppError> {
        let mut errors = Vec::new();
        let name =
            DisplayName::parse(&form.name).map_err(|m| errors.push(FieldError::new("name", m)));
        let email = Email::parse(&form.email).map_err(|m| errors.push(FieldError::new("email", m)));
        let password = Password::parse(&form.password)
            .map_err(|m| errors.push(FieldError::new("password", m)));
        let role = match form.role.as_str() {
            "" => Ok(Role::Fan),
            other => Role::parse(other)
                .ok()
                .filter(|r| r.self_service())
                .ok_or_else(|| errors.push(FieldError::new("role", "Choose fan or artist."))),
        };
        match (name, email, password, role) {
            (Ok(name), Ok(email), Ok(password), Ok(role)) if errors.is_empty() => Ok(Self {
                name,
                email,
                password,
                role,
            }),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

/// Sign-in input; the email must be well formed, the password only non-empty (the
/// rules for new passwords may have changed since it was set).
#[derive(Debug, Clone)]
pub struct SignIn {
    pub email: Email,
    pub password: String,
}

impl SignIn {
    pub fn parse(email: &str, password: &str) -> Result<Self, AppError> {
        let mut errors = Vec::new();
        let email = Email::parse(email).map_err(|m| errors.push(FieldError::new("email", m)));
        if password.is_empty() {
            errors.push(FieldError::new("password", "Enter your password."));
        }
        match email {
            Ok(email) if errors.is_empty() => Ok(Self {
                email,
                password: password.to_owned(),
            }),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

/// Why a single-use emailed token exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    VerifyEmail,
    ResetPassword,
}

impl TokenPurpose {
    pub fn parse(stored: &str) -> Option<Self> {
        match stored {
            "verify_email" => Some(Self::VerifyEmail),
            "reset_password" => Some(Self::ResetPassword),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
        }
    }

    /// How long a token of this purpose stays usable.
    pub fn lifetime_ms(self) -> i64 {
        match self {
            Self::VerifyEmail => 48 * crate::time::HOUR,
            Self::ResetPassword => crate::time::HOUR,
        }
    }
}

/// How long a session lasts after sign-in.
pub const SESSION_LIFETIME_MS: i64 = 30 * crate::time::DAY;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "boptone_session";

/// The session secret in a `Cookie` header value, if present.
pub fn session_token_from_cookies(header: &str) -> Option<&str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails_are_normalised() {
        let e = Email::parse("  Nova@Example.COM ").expect("valid");
        assert_eq!(e.as_str(), "nova@example.com");
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "nova",
            "nova@",
            "@example.com",
            "nova@example",
            "nova@@example.com",
            "no va@example.com",
            "nova@exa mple.com",
            ".nova@example.com",
            "nova.@example.com",
            "no..va@example.com",
            "nova@-example.com",
            "nova@example.c",
            "nova@example.123",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert!(Email::parse(&long_local).is_err());
    }

    #[test]
    fn ordinary_emails_are_accepted() {
        for good in [
            "a@b.co",
            "first.last+tag@sub.example.org",
            "o'neil@example.ie",
            "x_y-z@ex-ample.io",
        ] {
            assert!(Email::parse(good).is_ok(), "{good:?} should be accepted");
        }
    }

    #[test]
    fn handles_follow_the_rules() {
        assert_eq!(
            Handle::parse("@Nova_Reyes").expect("valid").as_str(),
            "nova_reyes"
        );
        assert!(Handle::parse("no").is_err());
        assert!(Handle::parse("1nova").is_err());
        assert!(Handle::parse("nova-reyes").is_err());
        assert!(Handle::parse(&"a".repeat(31)).is_err());
        assert!(Handle::parse("admin").is_err());
        assert!(Handle::parse(&"a".repeat(30)).is_ok());
    }

    #[test]
    fn handles_are_suggested_from_names() {
        assert_eq!(
            Handle::suggest("Nova Reyes").map(|h| h.0),
            Some("nova_reyes".into())
        );
        assert_eq!(
            Handle::suggest("  DJ  Kōji!! ").map(|h| h.0),
            Some("dj_k_ji".into())
        );
        assert_eq!(
            Handle::suggest("99 Problems").map(|h| h.0),
            Some("problems".into())
        );
        assert_eq!(Handle::suggest("李"), None);
        let h = Handle::parse(&"a".repeat(30)).expect("valid");
        let suffixed = h.with_suffix(1234);
        assert_eq!(suffixed.as_str().len(), 30);
        assert!(Handle::parse(suffixed.as_str()).is_ok());
    }

    #[test]
    fn passwords_have_bounds_and_hide_themselves() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("        ").is_err());
        assert!(Password::parse(&"x".repeat(129)).is_err());
        let p = Password::parse("correct horse").expect("valid");
        assert_eq!(format!("{p:?}"), "Password(<redacted>)");
        // Characters, not bytes: eight multi-byte characters are enough.
        assert!(Password::parse("éééééééé").is_ok());
    }

    #[test]
    fn sign_up_collects_every_field_error() {
        let err = SignUp::parse(&SignUpForm {
            name: " ".into(),
            email: "nope".into(),
            password: "123".into(),
            role: "admin".into(),
        })
        .expect_err("invalid");
        for field in ["name", "email", "password", "role"] {
            assert!(
                err.field_message(field).is_some(),
                "{field} should have a message"
            );
        }
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        assert_eq!(
            session_token_from_cookies("a=1; boptone_session=abc; b=2"),
            Some("abc")
        );
        assert_eq!(session_token_from_cookies("boptone_session_x=1"), None);
        assert_eq!(session_token_from_cookies(""), None);
    }

    #[test]
    fn sign_up_defaults_to_fan() {
        let ok = SignUp::parse(&SignUpForm {
            name: "Ana".into(),
            email: "ana@example.com".into(),
            password: "long enough".into(),
            role: String::new(),
        })
        .expect("valid");
        assert_eq!(ok.role, Role::Fan);
    }

    proptest! {
        #[test]
        fn parsed_handles_always_reparse(s in "\\PC{0,40}") {
            if let Ok(h) = Handle::parse(&s) {
                prop_assert_eq!(Handle::parse(h.as_str()), Ok(h.clone()));
            }
            if let Some(h) = Handle::suggest(&s) {
                prop_assert!(Handle::parse(h.as_str()).is_ok());
            }
        }

        #[test]
        fn parsed_emails_are_idempotent(s in "[a-zA-Z0-9._%+-]{1,20}@[a-z0-9-]{1,10}\\.[a-z]{2,5}") {
            if let Ok(e) = Email::parse(&s) {
                prop_assert_eq!(Email::parse(e.as_str()), Ok(e.clone()));
                prop_assert_eq!(e.as_str(), e.as_str().to_lowercase());
            }
        }
    }
}
