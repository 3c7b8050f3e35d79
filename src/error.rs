//! The one error type every service and server function returns.
//!
//! Variants say what a person can do about the failure; infrastructure causes (SQL,
//! SMTP, IO) are logged where they happen and reach the person only as
//! [`AppError::Internal`] with a reference they can quote.

use serde::{Deserialize, Serialize};

use crate::{onboarding::OnboardingStep, payments::Capability};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

/// A message about one input field, shown next to that field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthenticated,
    #[error("You don't have access to this.")]
    Forbidden,
    #[error("We couldn't find that.")]
    NotFound,
    #[error("Please correct the highlighted fields.")]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    /// A limit was reached; `reason` says which, for people (a generic sentence when
    /// `None`).
    #[error("{} Please try again in {}.", reason.as_deref().unwrap_or("Too many attempts."), human_wait(*retry_after_secs))]
    RateLimited {
        retry_after_secs: u64,
        reason: Option<String>,
    },
    #[error("Something went wrong on our side (reference {request_id}). Please try again.")]
    Internal { request_id: String },
    /// The gate (ONB-6): a revenue action before onboarding is done. The UI sends the
    /// artist to `step`.
    #[error("{}", step.message())]
    Gate { step: OnboardingStep },
    /// A capability the artist's plan does not include.
    #[error("{} needs the {} plan.", capability.label(), capability.minimum_tier().plan().name)]
    PlanRequired { capability: Capability },
    /// The payment provider refused a payment (a declined card, failed authentication).
    #[error("{message}")]
    Payment { code: String, message: String },
    /// The request never reached a server function, or its answer never came back.
    #[error("We couldn't reach Boptone. Check your connection and try again.")]
    Transport(String),
}

impl AppError {
    /// A validation error about a single field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    /// The message for `field`, if this error carries one.
    pub fn field_message(&self, field: &str) -> Option<&str> {
        match self {
            Self::Validation(errors) => errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.as_str()),
            _ => None,
        }
    }

    /// An HTTP status matching the error, for server function responses.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthenticated => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Validation(_) => 422,
            Self::Conflict(_) => 409,
            Self::RateLimited { .. } => 429,
            Self::Gate { .. } | Self::PlanRequired { .. } => 403,
            Self::Payment { .. } => 402,
            Self::Internal { .. } => 500,
            Self::Transport(_) => 502,
        }
    }

    /// Logs an infrastructure failure with its cause chain and returns the error a
    /// person sees: [`AppError::Internal`] with a short reference to find the log line.
    #[cfg(feature = "ssr")]
    pub fn internal(context: &str, cause: &(dyn std::error::Error + 'static)) -> Self {
        use rand::Rng;
        let request_id = format!("{:08x}", rand::thread_rng().r#gen::<u32>());
        let mut chain = cause.to_string();
        let mut source = cause.source();
        while let Some(s) = source {
            chain.push_str(": ");
            chain.push_str(&s.to_string());
            source = s.source();
        }
        tracing::error!(request_id = %request_id, error = %chain, "{context}");
        Self::Internal { request_id }
    }
}

/// "42 seconds", "3 minutes", "2 hours": how long to wait, for people.
pub fn human_wait(secs: u64) -> String {
    fn unit(n: u64, one: &str) -> String {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    }
    match secs {
        0..=59 => unit(secs.max(1), "second"),
        60..=3599 => unit(secs.div_ceil(60), "minute"),
        _ => unit(secs.div_ceil(3600), "hour"),
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        Self::internal("database error", &err)
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::migrate::MigrateError> for AppError {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        Self::internal("migration error", &err)
    }
}

/// Routes answer with the error itself: its status, `{"error": message, "detail": …}`,
/// and `Retry-After` when rate limited.
#[cfg(feature = "ssr")]
impl axum_core::response::IntoResponse for AppError {
    fn into_response(self) -> axum_core::response::Response {
        use http::{HeaderValue, StatusCode, header};
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::json!({ "error": self.to_string(), "detail": &self }).to_string();
        let mut response = (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response();
        if let Self::RateLimited {
            retry_after_secs, ..
        } = self
        {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_read_naturally() {
        assert_eq!(human_wait(0), "1 second");
        assert_eq!(human_wait(1), "1 second");
        assert_eq!(human_wait(45), "45 seconds");
        assert_eq!(human_wait(61), "2 minutes");
        assert_eq!(human_wait(3600), "1 hour");
        assert_eq!(human_wait(7201), "3 hours");
    }

    #[test]
    fn field_messages_are_found_by_field() {
        let err = AppError::Validation(vec![
            FieldError::new("email", "bad email"),
            FieldError::new("password", "too short"),
        ]);
        assert_eq!(err.field_message("password"), Some("too short"));
        assert_eq!(err.field_message("name"), None);
        assert_eq!(AppError::NotFound.field_message("email"), None);
    }

    #[test]
    fn errors_survive_the_wire() {
        let err = AppError::RateLimited {
            retry_after_secs: 90,
            reason: None,
        };
        let json = serde_json::to_string(&err).expect("serialize");
        assert_eq!(
            serde_json::from_str::<AppError>(&json).expect("deserialize"),
            err
        );
        assert_eq!(
            err.to_string(),
            "Too many attempts. Please try again in 2 minutes."
        );
        let tips = AppError::RateLimited {
            retry_after_secs: 600,
            reason: Some("That's 10 tips to Nova Reyes this hour. Thank you!".into()),
        };
        assert_eq!(
            tips.to_string(),
            "That's 10 tips to Nova Reyes this hour. Thank you! Please try again in 10 minutes."
        );
    }
}
