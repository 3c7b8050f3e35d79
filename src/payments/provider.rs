//! The payment provider: what Boptone asks of Stripe (or of the sandbox that stands in
//! for it). Every call that creates something carries an idempotency key.

use std::sync::Arc;

use async_trait::async_trait;

use super::{SubscriptionStatus, Tier};
use crate::error::AppError;

pub type SharedPayments = Arc<dyn PaymentProvider>;

/// A subscription checkout for a new artist's plan.
#[derive(Debug, Clone)]
pub struct SubscriptionCheckout {
    /// Our `artist_signups.id`, echoed back as the session's `client_reference_id`.
    pub signup_id: i64,
    /// What the checkout is for, echoed in metadata (`signup:3`).
    pub reference: String,
    pub tier: Tier,
    pub email: String,
    pub success_url: String,
    pub cancel_url: String,
    pub idempotency_key: String,
}

/// A one-off payment from a fan to an artist (a Kick In tip), through a hosted checkout,
/// paid to the artist's connected account.
#[derive(Debug, Clone)]
pub struct PaymentCheckout {
    /// What the checkout is for, echoed in metadata (`tip:12`).
    pub reference: String,
    pub description: String,
    /// What the fan pays, in minor units of `currency`.
    pub amount: i64,
    pub currency: String,
    /// The artist's connected account, which receives the money.
    pub destination: String,
    /// What the platform keeps of `amount` (covers the processing cost; no platform fee
    /// on tips).
    pub application_fee: i64,
    pub email: String,
    pub success_url: String,
    pub cancel_url: String,
    pub idempotency_key: String,
}

/// A payout from an artist's payout account to their bank.
#[derive(Debug, Clone)]
pub struct PayoutRequest {
    pub account: String,
    /// What reaches the bank, in minor units.
    pub amount: i64,
    pub currency: String,
    pub instant: bool,
    /// `payout:12`, echoed in metadata.
    pub reference: String,
    pub idempotency_key: String,
}

text_enum! {
    /// A payout's state at the provider (Stripe's `payout.status`).
    pub enum PayoutStatus {
        Pending = "pending",
        InTransit = "in_transit",
        Paid = "paid",
        Failed = "failed",
        Canceled = "canceled",
    }
}

/// A payout as the provider reports it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutState {
    pub id: String,
    pub status: PayoutStatus,
    pub failure_message: Option<String>,
    /// Unix seconds.
    pub arrival_date: Option<i64>,
}

/// Where to send the browser to pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutRedirect {
    pub session_id: String,
    pub url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckoutStatus {
    Open,
    Complete,
    Expired,
}

/// A checkout session as the provider reports it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutSessionState {
    pub id: String,
    pub status: CheckoutStatus,
    /// Where to pay while the session is open.
    pub url: Option<String>,
    pub client_reference_id: Option<String>,
    pub customer: Option<String>,
    pub subscription: Option<String>,
    /// Whether the money was collected (`payment_status` paid or nothing to pay).
    pub paid: bool,
    /// The payment of a one-off checkout.
    pub payment_intent: Option<String>,
    /// What the checkout charges, in minor units, and its currency (lowercase ISO).
    pub amount_total: Option<i64>,
    pub currency: Option<String>,
    /// The connected account a payment checkout pays (as recorded when it was made).
    pub destination: Option<String>,
}

/// A subscription as the provider reports it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionState {
    pub id: String,
    pub customer: String,
    pub status: SubscriptionStatus,
    pub tier: Option<Tier>,
    /// Unix seconds.
    pub current_period_end: Option<i64>,
    pub cancel_at_period_end: bool,
}

/// A connected (payout) account as the provider reports it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountState {
    pub id: String,
    pub details_submitted: bool,
    pub charges_enabled: bool,
    pub payouts_enabled: bool,
}

/// A payout account to open for an artist.
#[derive(Debug, Clone)]
pub struct NewPayoutAccount {
    pub user_id: i64,
    pub email: String,
    pub idempotency_key: String,
}

/// Where the provider's onboarding sends the artist back to.
#[derive(Debug, Clone)]
pub struct OnboardingLinks {
    pub return_url: String,
    pub refresh_url: String,
}

/// A provider failure, in terms the caller can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// The provider refused the request (a bad parameter, a declined card).
    #[error("{message}")]
    Refused { code: String, message: String },
    #[error("not found at the payment provider: {0}")]
    NotFound(String),
    /// The provider could not be reached or answered nonsense; worth retrying.
    #[error("payment provider unavailable: {0}")]
    Unavailable(String),
}

impl ProviderError {
    /// The error a person sees: refusals as they are, outages as an internal error.
    pub fn into_app_error(self, context: &str) -> AppError {
        match self {
            Self::Refused { code, message } => AppError::Payment { code, message },
            Self::NotFound(_) => AppError::NotFound,
            Self::Unavailable(_) => AppError::internal(context, &self),
        }
    }
}

#[async_trait]
pub trait PaymentProvider: Send + Sync {
    /// How long card money takes to settle before it can be paid out, in ms.
    fn settlement_hold_ms(&self) -> i64;

    /// Whether Boptone serves this provider's checkout, onboarding and billing pages
    /// itself (the sandbox) rather than the provider hosting them.
    fn hosts_pages_in_app(&self) -> bool {
        false
    }

    /// Starts a hosted checkout for a plan's monthly subscription.
    async fn create_subscription_checkout(
        &self,
        request: &SubscriptionCheckout,
    ) -> Result<CheckoutRedirect, ProviderError>;

    /// Starts a hosted checkout for a one-off payment to an artist.
    async fn create_payment_checkout(
        &self,
        request: &PaymentCheckout,
    ) -> Result<CheckoutRedirect, ProviderError>;

    async fn checkout_session(&self, id: &str) -> Result<CheckoutSessionState, ProviderError>;

    /// Ends an open checkout so it can no longer be paid; returns the session as it
    /// stands (a checkout that completed first stays complete).
    async fn expire_checkout(&self, id: &str) -> Result<CheckoutSessionState, ProviderError>;

    async fn subscription(&self, id: &str) -> Result<SubscriptionState, ProviderError>;

    /// A page where the customer manages their plan and card.
    async fn billing_portal(
        &self,
        customer: &str,
        return_url: &str,
    ) -> Result<String, ProviderError>;

    /// Opens an Express payout account; returns its id.
    async fn create_payout_account(
        &self,
        request: &NewPayoutAccount,
    ) -> Result<String, ProviderError>;

    /// A single-use link to the provider's hosted onboarding for `account`.
    async fn onboarding_link(
        &self,
        account: &str,
        links: &OnboardingLinks,
    ) -> Result<String, ProviderError>;

    async fn account(&self, id: &str) -> Result<AccountState, ProviderError>;

    /// Pays money from a payout account's balance to its bank.
    async fn create_payout(&self, request: &PayoutRequest) -> Result<PayoutState, ProviderError>;

    /// Moves `amount` from payout account `account` to the platform (Boptone's fee for
    /// an instant payout).
    async fn collect_fee(
        &self,
        account: &str,
        amount: i64,
        currency: &str,
        idempotency_key: &str,
    ) -> Result<(), ProviderError>;

    /// Gives a collected fee back to payout account `account` (its payout failed).
    async fn return_fee(
        &self,
        account: &str,
        amount: i64,
        currency: &str,
        idempotency_key: &str,
    ) -> Result<(), ProviderError>;

    /// What the provider holds for payout account `account` in `currency`: available
    /// plus pending, in minor units (for the daily reconciliation).
    async fn account_balance(&self, account: &str, currency: &str) -> Result<i64, ProviderError>;

    /// A payout of `account`, as it stands now.
    async fn payout(&self, account: &str, id: &str) -> Result<PayoutState, ProviderError>;
}
