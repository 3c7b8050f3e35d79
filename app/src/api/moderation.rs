//! Reports: anyone signed in flags a Bop or comment; operators review them.

use boptone::{AppError, moderation::Reported};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guards::{self, app_state},
    boptone::{
        accounts::Role,
        moderation::{Decision, Reason, Subject, service},
    },
};

/// What a report is about, from the form (a Bop or a comment).
#[cfg(feature = "ssr")]
fn parse_subject(text: &str) -> Result<Subject, AppError> {
    Subject::parse(text)
        .ok_or_else(|| AppError::field("subject", "Only Bops and comments can be reported."))
}

/// Reports a Bop or comment for an operator to review (signed in; 20 an hour).
#[server(prefix = "/api", endpoint = "reports/new")]
pub async fn report_content(subject: String, id: i64, reason: String) -> Result<(), AppError> {
    guards::respond(
        async move {
            let (user, state) = guards::require_user_within(|l| &l.reports_per_account).await?;
            let subject = parse_subject(&subject)?;
            let reason = Reason::parse(&reason)
                .ok_or_else(|| AppError::field("reason", "Choose what's wrong with it."))?;
            service::report(&state.db, user.id, subject, id, reason).await
        }
        .await,
    )
}

/// What waits for review, the most reported first (operators only).
#[server(prefix = "/api", endpoint = "admin/reports")]
pub async fn load_reports() -> Result<Vec<Reported>, AppError> {
    guards::respond(
        async move {
            guards::require_role(Role::Admin).await?;
            service::open(&app_state()?.db, 200).await
        }
        .await,
    )
}

/// Keeps or removes a reported Bop or comment (operators only).
#[server(prefix = "/api", endpoint = "admin/reports/decide")]
pub async fn decide_report(subject: String, id: i64, decision: String) -> Result<(), AppError> {
    guards::respond(
        async move {
            let operator = guards::require_role(Role::Admin).await?;
            let subject = parse_subject(&subject)?;
            let decision = Decision::parse(&decision)
                .ok_or_else(|| AppError::field("decision", "Choose to keep or remove it."))?;
            service::decide(&app_state()?.db, operator.id, subject, id, decision).await
        }
        .await,
    )
}
