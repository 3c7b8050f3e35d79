//! The objects the sandbox keeps, typed: shaped as Stripe's API returns them (the
//! fields Boptone reads and the events carry), with the sandbox's private notes under
//! `_sandbox`, which an event never shows. Each is stored as one `sandbox_objects` row
//! whose `kind` is Stripe's `object` name.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::{CheckoutStatus, PayoutStatus, SubscriptionStatus};

/// Stripe's metadata: a string map, copied from a checkout onto what it makes.
pub type Metadata = BTreeMap<String, String>;

/// A kind of stored object.
pub trait Stored: Serialize + DeserializeOwned {
    /// Stripe's `object` name, also the row's `kind`.
    const KIND: &'static str;

    fn id(&self) -> &str;

    /// The payout accounts a money movement touches: the one it pays or debits, and
    /// for a transfer between accounts the one it credits (indexed, for balances).
    fn accounts(&self) -> (Option<&str>, Option<&str>) {
        (None, None)
    }
}

macro_rules! stored {
    ($($ty:ident = $kind:literal),+ $(,)?) => {
        $(impl Stored for $ty {
            const KIND: &'static str = $kind;

            fn id(&self) -> &str {
                &self.id
            }

            fn accounts(&self) -> (Option<&str>, Option<&str>) {
                self.touches()
            }
        })+
    };
}

stored! {
    CheckoutSession = "checkout.session",
    PaymentIntent = "payment_intent",
    Charge = "charge",
    Customer = "customer",
    Subscription = "subscription",
    Invoice = "invoice",
    Account = "account",
    Payout = "payout",
    Transfer = "transfer",
}

/// Objects that move no money touch no account.
macro_rules! touches_nothing {
    ($($ty:ident),+) => {
        $(impl $ty {
            fn touches(&self) -> (Option<&str>, Option<&str>) {
                (None, None)
            }
        })+
    };
}

touches_nothing!(
    CheckoutSession,
    Charge,
    Customer,
    Subscription,
    Invoice,
    Account
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckoutMode {
    Payment,
    Subscription,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    Open,
    Complete,
    Expired,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Unpaid,
    Paid,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckoutSession {
    pub id: String,
    pub mode: CheckoutMode,
    pub status: SessionStatus,
    pub payment_status: PaymentStatus,
    pub amount_total: i64,
    pub currency: String,
    pub customer: Option<String>,
    pub customer_email: String,
    pub client_reference_id: String,
    pub subscription: Option<String>,
    pub payment_intent: Option<String>,
    pub success_url: String,
    pub cancel_url: String,
    pub url: Option<String>,
    pub created: i64,
    /// Unix seconds.
    pub expires_at: i64,
    #[serde(default)]
    pub metadata: Metadata,
    #[serde(rename = "_sandbox", default)]
    pub notes: CheckoutNotes,
}

/// What a one-off payment's checkout will make, and a payment waiting for 3-D Secure.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CheckoutNotes {
    pub description: Option<String>,
    /// The payout account the payment goes to.
    pub destination: Option<String>,
    pub application_fee_amount: Option<i64>,
    #[serde(default)]
    pub awaiting_authentication: bool,
    pub card_last4: Option<String>,
}

impl CheckoutSession {
    /// Its status at `now_secs`: an open checkout past its expiry is expired.
    pub fn status_at(&self, now_secs: i64) -> CheckoutStatus {
        match self.status {
            SessionStatus::Complete => CheckoutStatus::Complete,
            SessionStatus::Expired => CheckoutStatus::Expired,
            SessionStatus::Open if self.expires_at < now_secs => CheckoutStatus::Expired,
            SessionStatus::Open => CheckoutStatus::Open,
        }
    }

    /// Where the payer goes once it is paid.
    pub fn success_redirect(&self) -> String {
        self.success_url.replace("{CHECKOUT_SESSION_ID}", &self.id)
    }

    /// Marks it paid: a paid checkout has no payment page any more.
    pub fn complete(&mut self) {
        self.status = SessionStatus::Complete;
        self.payment_status = PaymentStatus::Paid;
        self.url = None;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntentStatus {
    RequiresPaymentMethod,
    Succeeded,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PaymentError {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TransferData {
    pub destination: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PaymentIntent {
    pub id: String,
    pub amount: i64,
    pub amount_received: Option<i64>,
    /// What has been refunded so far (Stripe keeps it on the charge; the sandbox has
    /// no stored charges).
    #[serde(default)]
    pub amount_refunded: i64,
    pub currency: String,
    pub status: IntentStatus,
    pub last_payment_error: Option<PaymentError>,
    pub application_fee_amount: Option<i64>,
    pub transfer_data: Option<TransferData>,
    #[serde(default)]
    pub metadata: Metadata,
    pub receipt_email: Option<String>,
    pub latest_charge: Option<String>,
    #[serde(default)]
    pub created: i64,
    #[serde(rename = "_sandbox", default)]
    pub notes: CardNotes,
}

impl PaymentIntent {
    fn touches(&self) -> (Option<&str>, Option<&str>) {
        (
            self.transfer_data.as_ref().map(|t| t.destination.as_str()),
            None,
        )
    }

    /// What it adds to `account`'s balance: a succeeded payment to it, less the
    /// application fee and the refunded share.
    pub fn effect_on(&self, account: &str) -> i64 {
        let paid_here = self
            .transfer_data
            .as_ref()
            .is_some_and(|t| t.destination == account);
        if !paid_here || self.status != IntentStatus::Succeeded || self.amount <= 0 {
            return 0;
        }
        let net = self.amount - self.application_fee_amount.unwrap_or(0);
        net - net * self.amount_refunded / self.amount
    }
}

/// The card a payment or a customer used.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CardNotes {
    pub card_last4: Option<String>,
}

/// A charge, as `charge.refunded` carries it (the sandbox does not store charges).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Charge {
    pub id: String,
    pub payment_intent: String,
    pub amount: i64,
    pub amount_refunded: i64,
    pub refunded: bool,
    pub currency: String,
    #[serde(default)]
    pub metadata: Metadata,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Customer {
    pub id: String,
    pub email: String,
    #[serde(default)]
    pub created: i64,
    pub invoice_settings: Option<InvoiceSettings>,
    #[serde(rename = "_sandbox", default)]
    pub notes: CustomerNotes,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InvoiceSettings {
    pub default_payment_method: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CustomerNotes {
    pub card_last4: Option<String>,
    /// Where the billing page's "back" goes.
    pub portal_return_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Subscription {
    pub id: String,
    pub customer: String,
    pub status: SubscriptionStatus,
    pub currency: Option<String>,
    pub current_period_start: i64,
    pub current_period_end: i64,
    #[serde(default)]
    pub cancel_at_period_end: bool,
    pub canceled_at: Option<i64>,
    #[serde(default)]
    pub created: i64,
    #[serde(default)]
    pub metadata: Metadata,
    pub items: Option<List<SubscriptionItem>>,
}

/// A list of objects, as Stripe nests them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct List<T> {
    pub data: Vec<T>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubscriptionItem {
    pub price: Price,
    pub current_period_end: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Price {
    pub unit_amount: i64,
    pub currency: String,
    pub recurring: Recurring,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Recurring {
    pub interval: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Paid,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Invoice {
    pub id: String,
    pub customer: String,
    pub subscription: String,
    pub status: InvoiceStatus,
    pub amount_paid: i64,
    pub currency: String,
    pub created: i64,
}

/// A connected (payout) account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    #[serde(rename = "type")]
    pub account_type: String,
    pub email: String,
    pub country: String,
    pub default_currency: Option<String>,
    pub details_submitted: bool,
    pub charges_enabled: bool,
    pub payouts_enabled: bool,
    pub capabilities: Capabilities,
    pub individual: Option<Individual>,
    pub external_accounts: Option<List<BankAccount>>,
    #[serde(default)]
    pub metadata: Metadata,
    #[serde(default)]
    pub created: i64,
    #[serde(rename = "_sandbox", default)]
    pub notes: AccountNotes,
}

impl Account {
    /// The bank account payouts go to.
    pub fn bank(&self) -> Option<&BankAccount> {
        self.external_accounts.as_ref()?.data.first()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    Inactive,
    Active,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Capabilities {
    pub transfers: Capability,
    pub card_payments: Capability,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Individual {
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BankAccount {
    pub last4: String,
    pub routing_number: Option<String>,
    pub currency: Option<String>,
}

/// The hosted onboarding page's links.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AccountNotes {
    pub return_url: Option<String>,
    pub refresh_url: Option<String>,
    /// Unix milliseconds.
    pub link_expires_at: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayoutMethod {
    Standard,
    Instant,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Payout {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    pub method: PayoutMethod,
    pub status: PayoutStatus,
    /// Unix seconds.
    pub arrival_date: i64,
    #[serde(default)]
    pub created: i64,
    /// The bank account's last four digits.
    pub destination: Option<String>,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    #[serde(default)]
    pub metadata: Metadata,
    #[serde(rename = "_sandbox")]
    pub notes: PayoutNotes,
}

/// The account a payout is paid from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PayoutNotes {
    pub account: String,
}

impl Payout {
    fn touches(&self) -> (Option<&str>, Option<&str>) {
        (Some(&self.notes.account), None)
    }

    /// What it takes from `account`'s balance: all of it unless it failed.
    pub fn effect_on(&self, account: &str) -> i64 {
        if self.notes.account == account && self.status != PayoutStatus::Failed {
            -self.amount
        } else {
            0
        }
    }
}

/// Money moved between a payout account and the platform (fees collected, returned).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Transfer {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    /// The receiving side.
    pub destination: String,
    #[serde(default)]
    pub created: i64,
    #[serde(rename = "_sandbox")]
    pub notes: TransferNotes,
}

/// The paying side.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TransferNotes {
    pub from: String,
}

impl Transfer {
    fn touches(&self) -> (Option<&str>, Option<&str>) {
        (Some(&self.notes.from), Some(&self.destination))
    }

    pub fn effect_on(&self, account: &str) -> i64 {
        let mut effect = 0;
        if self.notes.from == account {
            effect -= self.amount;
        }
        if self.destination == account {
            effect += self.amount;
        }
        effect
    }
}

/// A stored money movement, as a balance reads it.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "object", rename_all = "snake_case")]
pub enum Movement {
    PaymentIntent(PaymentIntent),
    Payout(Payout),
    Transfer(Transfer),
}

impl Movement {
    pub fn currency(&self) -> &str {
        match self {
            Self::PaymentIntent(p) => &p.currency,
            Self::Payout(p) => &p.currency,
            Self::Transfer(t) => &t.currency,
        }
    }

    /// What this movement adds to (or takes from) `account`'s balance.
    pub fn effect_on(&self, account: &str) -> i64 {
        match self {
            Self::PaymentIntent(p) => p.effect_on(account),
            Self::Payout(p) => p.effect_on(account),
            Self::Transfer(t) => t.effect_on(account),
        }
    }
}
