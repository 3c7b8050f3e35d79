//! Payout server functions: the payouts page, requesting a payout, the schedule.

use boptone::{
    AppError,
    payouts::{PayoutView, PayoutsOverview},
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guards::{self, app_state},
    boptone::{
        accounts::Role,
        fees::PayoutSpeed,
        payouts::{Frequency, service},
        tips::parse_amount,
    },
};

#[server(prefix = "/api", endpoint = "payouts/overview")]
pub async fn load_payouts() -> Result<PayoutsOverview, AppError> {
    guards::respond(
        async move {
            let user = guards::require_role(Role::Artist).await?;
            service::overview(&app_state()?.db, user.id).await
        }
        .await,
    )
}

/// Pays `amount` (dollars) of the available balance out, `standard` or `instant`.
/// A revenue action: it passes the gate, and instant payouts need the Pro plan.
#[server(prefix = "/api", endpoint = "payouts/request")]
pub async fn request_payout(
    amount: String,
    speed: String,
    idempotency_key: String,
) -> Result<PayoutView, AppError> {
    guards::respond(
        async move {
            let user = guards::require_role(Role::Artist).await?;
            let state = app_state()?;
            guards::rate_limit(
                &state.auth_limits.payouts_per_account,
                &user.id.0.to_string(),
            )?;
            let amount = parse_amount(&amount).map_err(|m| AppError::field("amount", m))?;
            let speed = PayoutSpeed::parse(&speed)
                .ok_or_else(|| AppError::field("speed", "Choose standard or instant."))?;
            service::request(&state, user.id, amount, speed, &idempotency_key, false).await
        }
        .await,
    )
}

/// Sets how often payouts are requested automatically.
#[server(prefix = "/api", endpoint = "payouts/schedule")]
pub async fn set_payout_schedule(frequency: String) -> Result<(), AppError> {
    guards::respond(
        async move {
            let user = guards::require_role(Role::Artist).await?;
            let frequency = Frequency::parse(&frequency)
                .ok_or_else(|| AppError::field("frequency", "Choose how often to be paid."))?;
            service::set_frequency(&app_state()?.db, user.id, frequency).await
        }
        .await,
    )
}
