//! The sandbox payment provider's hosted pages: checkout (with Stripe's test cards and
//! 3-D Secure), payout onboarding and billing. Only served when the sandbox is the
//! configured provider.

use boptone::{
    AppError,
    payments::views::{BillingView, CheckoutView, ConnectView, PayResult},
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guards::{self, app_state},
    boptone::{
        payments::{
            CardInput, Tier,
            sandbox::{self, BillingChange, OnboardingForm},
        },
        state::AppState,
    },
};

/// The state, if the sandbox is the payment provider (its pages do not exist otherwise).
#[cfg(feature = "ssr")]
fn sandbox_state() -> Result<AppState, AppError> {
    let state = app_state()?;
    if state.payments.hosts_pages_in_app() {
        Ok(state)
    } else {
        Err(AppError::NotFound)
    }
}

#[cfg(feature = "ssr")]
fn today() -> (i32, u32) {
    let (year, month, _) = boptone::time::civil_date(boptone::time::now_ms());
    (i32::try_from(year).unwrap_or(i32::MAX), month)
}

/// A checkout session as its hosted page shows it (anyone with the unguessable link
/// may pay, as with a provider's checkout URL; the payer's email is shown in full only
/// to its owner).
#[server(prefix = "/api", endpoint = "sandbox/checkout")]
pub async fn sandbox_checkout(id: String) -> Result<CheckoutView, AppError> {
    guards::respond(
        async move {
            let state = sandbox_state()?;
            let mut viewer = Vec::new();
            if let Some(user) = guards::current_user().await? {
                viewer.push(user.email);
            }
            if let Some(secret) = guards::cookie(boptone::signup::SIGNUP_COOKIE)
                && let Some(pending) = boptone::signup::pending(&state.db, &secret).await?
            {
                viewer.push(pending.email);
            }
            sandbox::checkout_view(&state.db, &id, &viewer).await
        }
        .await,
    )
}

/// Pays a sandbox checkout with a card.
#[server(prefix = "/api", endpoint = "sandbox/pay")]
pub async fn sandbox_pay(
    id: String,
    number: String,
    expiry: String,
    cvc: String,
    #[server(default)] name: String,
) -> Result<PayResult, AppError> {
    guards::respond(
        async move {
            let state = sandbox_state()?;
            guards::rate_limit(
                &state.auth_limits.provider_calls_per_ip,
                &guards::client_ip(),
            )?;
            let card = CardInput {
                number,
                expiry,
                cvc,
                name,
            };
            sandbox::pay(&state, &id, &card, today()).await
        }
        .await,
    )
}

/// The cardholder's answer on the 3-D Secure step.
#[server(prefix = "/api", endpoint = "sandbox/authenticate")]
pub async fn sandbox_authenticate(id: String, approve: bool) -> Result<PayResult, AppError> {
    guards::respond(
        async move {
            let state = sandbox_state()?;
            guards::rate_limit(
                &state.auth_limits.provider_calls_per_ip,
                &guards::client_ip(),
            )?;
            sandbox::authenticate(&state, &id, approve).await
        }
        .await,
    )
}

/// The signed-in artist's payout account on the sandbox onboarding page.
#[server(prefix = "/api", endpoint = "sandbox/connect")]
pub async fn sandbox_connect(id: String) -> Result<ConnectView, AppError> {
    guards::respond(
        async move {
            let state = sandbox_state()?;
            let user = guards::require_user().await?;
            sandbox::connect_view(&state.db, user.id, &id).await
        }
        .await,
    )
}

/// Submits the sandbox payout onboarding; returns where to go back to.
#[server(prefix = "/api", endpoint = "sandbox/submit_onboarding")]
pub async fn sandbox_submit_onboarding(
    id: String,
    legal_name: String,
    date_of_birth: String,
    routing_number: String,
    account_number: String,
) -> Result<String, AppError> {
    guards::respond(
        async move {
            let state = sandbox_state()?;
            let user = guards::require_user().await?;
            let form = OnboardingForm {
                legal_name,
                date_of_birth,
                routing_number,
                account_number,
            };
            sandbox::submit_onboarding(&state, user.id, &id, &form).await
        }
        .await,
    )
}

/// The signed-in artist's plan on the sandbox billing page.
#[server(prefix = "/api", endpoint = "sandbox/billing")]
pub async fn sandbox_billing(customer: String) -> Result<BillingView, AppError> {
    guards::respond(
        async move {
            let state = sandbox_state()?;
            let user = guards::require_user().await?;
            sandbox::billing_view(&state.db, user.id, &customer).await
        }
        .await,
    )
}

/// Switches plan (`starter`, `pro`, `label`) or cancels (`cancel`).
#[server(prefix = "/api", endpoint = "sandbox/change_billing")]
pub async fn sandbox_change_billing(customer: String, change: String) -> Result<(), AppError> {
    guards::respond(
        async move {
            let state = sandbox_state()?;
            let user = guards::require_user().await?;
            let change = if change == "cancel" {
                BillingChange::Cancel
            } else {
                BillingChange::SwitchTo(
                    Tier::parse(&change).map_err(|m| AppError::field("change", m))?,
                )
            };
            sandbox::change_billing(&state, user.id, &customer, change).await
        }
        .await,
    )
}
