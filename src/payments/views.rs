//! What the sandbox's hosted pages show and send (shared with the browser).

use serde::{Deserialize, Serialize};

use super::{SubscriptionStatus, Tier};

/// The hosted checkout page's view of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutView {
    pub id: String,
    /// A subscription (billed monthly) rather than a one-off payment.
    pub recurring: bool,
    pub description: String,
    pub amount_cents: i64,
    pub currency: String,
    pub email: String,
    pub open: bool,
    pub awaiting_authentication: bool,
    pub cancel_url: String,
}

/// What paying led to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PayResult {
    /// Paid: go to the merchant's success page.
    Paid { redirect: String },
    /// The card needs 3-D Secure: show the confirmation step.
    NeedsAuthentication,
}

/// The hosted payout onboarding page's view of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectView {
    pub id: String,
    pub email: String,
    pub details_submitted: bool,
    pub link_expired: bool,
}

/// What the sandbox's payout onboarding asks for (a short version of Stripe's).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnboardingForm {
    pub legal_name: String,
    /// YYYY-MM-DD.
    pub date_of_birth: String,
    pub routing_number: String,
    pub account_number: String,
}

/// The sandbox billing page's view of a customer's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingView {
    pub customer: String,
    pub subscription: String,
    pub tier: Tier,
    pub status: SubscriptionStatus,
    pub current_period_end: Option<i64>,
    pub card_last4: String,
    pub return_url: String,
}

/// A change made on the sandbox billing page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BillingChange {
    SwitchTo(Tier),
    Cancel,
}
