//! The Stripe provider (async-stripe): Checkout for plans, the billing portal, Connect
//! Express accounts and account links. Every create carries the caller's idempotency
//! key as Stripe's `Idempotency-Key`.

use std::collections::HashMap;

use async_trait::async_trait;
use stripe::{ClientBuilder, IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use stripe_billing::{
    billing_portal_session::CreateBillingPortalSession, subscription::RetrieveSubscription,
};
use stripe_checkout::{
    CheckoutSessionMode, CheckoutSessionPaymentStatus, CheckoutSessionStatus,
    checkout_session::{
        CreateCheckoutSession, CreateCheckoutSessionLineItems,
        CreateCheckoutSessionLineItemsPriceData, CreateCheckoutSessionLineItemsPriceDataRecurring,
        CreateCheckoutSessionLineItemsPriceDataRecurringInterval,
        CreateCheckoutSessionPaymentIntentData, CreateCheckoutSessionPaymentIntentDataTransferData,
        CreateCheckoutSessionSubscriptionData, ExpireCheckoutSession, ProductData,
        RetrieveCheckoutSession,
    },
};
use stripe_connect::{
    account::{
        CreateAccount, CreateAccountCapabilities, CreateAccountCapabilitiesTransfers,
        CreateAccountType, RetrieveAccount,
    },
    account_link::{CreateAccountLink, CreateAccountLinkType},
    transfer::CreateTransfer,
};
use stripe_core::{
    balance::RetrieveForMyAccountBalance,
    payout::{CreatePayout, CreatePayoutMethod, RetrievePayout},
};
use stripe_types::Currency;

use super::{
    SubscriptionStatus, Tier,
    provider::{
        AccountState, CheckoutRedirect, CheckoutSessionState, CheckoutStatus, NewPayoutAccount,
        OnboardingLinks, PaymentCheckout, PaymentProvider, PayoutRequest, PayoutState,
        PayoutStatus, ProviderError, SubscriptionCheckout, SubscriptionState,
    },
};

/// Stripe's production API.
pub const API_BASE: &str = "https://api.stripe.com/";

pub struct Stripe {
    client: stripe::Client,
    /// Boptone's own Stripe account, which collects instant payout fees.
    platform_account: Option<String>,
}

impl Stripe {
    /// A client for `secret_key` against `api_base` (Stripe's API, or a local server
    /// that speaks its wire format in tests).
    pub fn new(
        secret_key: &str,
        api_base: &str,
        platform_account: Option<String>,
    ) -> Result<Self, String> {
        crate::state::install_tls_provider();
        let client = ClientBuilder::new(secret_key)
            .url(api_base)
            .request_strategy(RequestStrategy::Once)
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| format!("Stripe client: {e}"))?;
        Ok(Self {
            client,
            platform_account,
        })
    }
}

fn strategy(key: &str) -> Result<RequestStrategy, ProviderError> {
    IdempotencyKey::new(key)
        .map(RequestStrategy::Idempotent)
        .map_err(|e| ProviderError::Unavailable(format!("idempotency key: {e:?}")))
}

fn session_state(session: &stripe_checkout::CheckoutSession) -> CheckoutSessionState {
    let status = match session.status {
        Some(CheckoutSessionStatus::Complete) => CheckoutStatus::Complete,
        Some(CheckoutSessionStatus::Expired) => CheckoutStatus::Expired,
        _ => CheckoutStatus::Open,
    };
    CheckoutSessionState {
        id: session.id.as_str().to_owned(),
        status,
        url: session.url.clone(),
        client_reference_id: session.client_reference_id.clone(),
        customer: session
            .customer
            .as_ref()
            .map(|c| c.id().as_str().to_owned()),
        subscription: session
            .subscription
            .as_ref()
            .map(|s| s.id().as_str().to_owned()),
        paid: matches!(
            session.payment_status,
            CheckoutSessionPaymentStatus::Paid | CheckoutSessionPaymentStatus::NoPaymentRequired
        ),
        payment_intent: session
            .payment_intent
            .as_ref()
            .map(|p| p.id().as_str().to_owned()),
        amount_total: session.amount_total,
        currency: session.currency.as_ref().map(|c| c.to_string()),
        destination: session
            .metadata
            .as_ref()
            .and_then(|m| m.get("destination").cloned()),
    }
}

/// A payout status Boptone knows; anything else is an answer it cannot act on.
fn payout_status(status: &str) -> Result<PayoutStatus, ProviderError> {
    PayoutStatus::parse(status)
        .ok_or_else(|| ProviderError::Unavailable(format!("unknown payout status {status:?}")))
}

/// Stripe's code for an ISO currency (`USD` → `usd`).
fn currency(iso: &str) -> Result<Currency, ProviderError> {
    iso.to_ascii_lowercase()
        .parse()
        .map_err(|_| ProviderError::Unavailable(format!("currency {iso}")))
}

/// What a person sees when Stripe refuses a request for a reason that is not theirs.
const REFUSED: &str = "The payment provider couldn't process this. Please try again, or contact support if it keeps happening.";

fn failure(err: StripeError) -> ProviderError {
    match err {
        StripeError::Stripe(api, 404) => {
            ProviderError::NotFound(api.message.clone().unwrap_or_default())
        }
        StripeError::Stripe(api, status) if (400..500).contains(&status) && status != 429 => {
            let code = api
                .code
                .as_ref()
                .map(|c| c.as_str().to_owned())
                .or_else(|| api.decline_code.clone())
                .unwrap_or_else(|| api.type_.as_str().to_owned());
            // Card errors are written for the cardholder; every other kind is written
            // for developers, so people get a plain sentence and the log the details.
            let for_people = api.type_.as_str() == "card_error";
            if !for_people {
                tracing::warn!(
                    status,
                    code = %code,
                    message = api.message.as_deref().unwrap_or_default(),
                    "Stripe refused a request"
                );
            }
            ProviderError::Refused {
                message: api
                    .message
                    .clone()
                    .filter(|_| for_people)
                    .unwrap_or_else(|| REFUSED.into()),
                code,
            }
        }
        StripeError::Stripe(api, status) => ProviderError::Unavailable(format!(
            "HTTP {status}: {}",
            api.message.clone().unwrap_or_default()
        )),
        other => ProviderError::Unavailable(other.to_string()),
    }
}

#[async_trait]
impl PaymentProvider for Stripe {
    /// Stripe's standard US schedule: card money is available two days after payment.
    fn settlement_hold_ms(&self) -> i64 {
        2 * crate::time::DAY
    }

    async fn create_subscription_checkout(
        &self,
        request: &SubscriptionCheckout,
    ) -> Result<CheckoutRedirect, ProviderError> {
        let plan = request.tier.plan();
        let mut price = CreateCheckoutSessionLineItemsPriceData::new(currency(plan.currency)?);
        price.unit_amount = Some(plan.monthly_cents);
        price.recurring = Some(CreateCheckoutSessionLineItemsPriceDataRecurring::new(
            CreateCheckoutSessionLineItemsPriceDataRecurringInterval::Month,
        ));
        price.product_data = Some(ProductData::new(format!("Boptone {}", plan.name)));
        let mut item = CreateCheckoutSessionLineItems::new();
        item.price_data = Some(price);
        item.quantity = Some(1);
        let metadata = HashMap::from([
            ("tier".to_owned(), request.tier.as_str().to_owned()),
            ("signup_id".to_owned(), request.signup_id.to_string()),
            ("reference".to_owned(), request.reference.clone()),
        ]);
        let mut subscription = CreateCheckoutSessionSubscriptionData::new();
        subscription.metadata = Some(metadata.clone());
        let session = CreateCheckoutSession::new()
            .mode(CheckoutSessionMode::Subscription)
            .line_items(vec![item])
            .customer_email(&request.email)
            .client_reference_id(request.signup_id.to_string())
            .metadata(metadata)
            .subscription_data(subscription)
            .success_url(&request.success_url)
            .cancel_url(&request.cancel_url)
            .customize()
            .request_strategy(strategy(&request.idempotency_key)?)
            .send(&self.client)
            .await
            .map_err(failure)?;
        let url = session
            .url
            .clone()
            .ok_or_else(|| ProviderError::Unavailable("checkout session without a URL".into()))?;
        Ok(CheckoutRedirect {
            session_id: session.id.as_str().to_owned(),
            url,
        })
    }

    async fn create_payment_checkout(
        &self,
        request: &PaymentCheckout,
    ) -> Result<CheckoutRedirect, ProviderError> {
        let currency = currency(&request.currency)?;
        let mut price = CreateCheckoutSessionLineItemsPriceData::new(currency);
        price.unit_amount = Some(request.amount);
        price.product_data = Some(ProductData::new(&request.description));
        let mut item = CreateCheckoutSessionLineItems::new();
        item.price_data = Some(price);
        item.quantity = Some(1);
        let metadata = HashMap::from([("reference".to_owned(), request.reference.clone())]);
        // The session records where it pays, so a confirmation can be checked against
        // the row it credits (the payment intent's transfer data is not on the session).
        let mut session_metadata = metadata.clone();
        session_metadata.insert("destination".to_owned(), request.destination.clone());
        let mut payment = CreateCheckoutSessionPaymentIntentData::new();
        payment.application_fee_amount = Some(request.application_fee);
        payment.transfer_data = Some(CreateCheckoutSessionPaymentIntentDataTransferData::new(
            &request.destination,
        ));
        payment.metadata = Some(metadata.clone());
        payment.receipt_email = Some(request.email.clone());
        let session = CreateCheckoutSession::new()
            .mode(CheckoutSessionMode::Payment)
            .line_items(vec![item])
            .customer_email(&request.email)
            .client_reference_id(&request.reference)
            .metadata(session_metadata)
            .payment_intent_data(payment)
            .success_url(&request.success_url)
            .cancel_url(&request.cancel_url)
            .customize()
            .request_strategy(strategy(&request.idempotency_key)?)
            .send(&self.client)
            .await
            .map_err(failure)?;
        let url = session
            .url
            .clone()
            .ok_or_else(|| ProviderError::Unavailable("checkout session without a URL".into()))?;
        Ok(CheckoutRedirect {
            session_id: session.id.as_str().to_owned(),
            url,
        })
    }

    async fn checkout_session(&self, id: &str) -> Result<CheckoutSessionState, ProviderError> {
        let session = RetrieveCheckoutSession::new(id)
            .send(&self.client)
            .await
            .map_err(failure)?;
        Ok(session_state(&session))
    }

    async fn expire_checkout(&self, id: &str) -> Result<CheckoutSessionState, ProviderError> {
        match ExpireCheckoutSession::new(id).send(&self.client).await {
            Ok(session) => Ok(session_state(&session)),
            // Only open sessions expire: a completed one is refused, so say how it is.
            Err(StripeError::Stripe(_, 400)) => self.checkout_session(id).await,
            Err(other) => Err(failure(other)),
        }
    }

    async fn subscription(&self, id: &str) -> Result<SubscriptionState, ProviderError> {
        let sub = RetrieveSubscription::new(id)
            .send(&self.client)
            .await
            .map_err(failure)?;
        Ok(SubscriptionState {
            id: sub.id.as_str().to_owned(),
            customer: sub.customer.id().as_str().to_owned(),
            status: SubscriptionStatus::parse(sub.status.as_str())
                .unwrap_or(SubscriptionStatus::Incomplete),
            tier: sub.metadata.get("tier").and_then(|t| Tier::parse(t).ok()),
            current_period_end: sub.items.data.iter().map(|i| i.current_period_end).max(),
            cancel_at_period_end: sub.cancel_at_period_end,
        })
    }

    async fn billing_portal(
        &self,
        customer: &str,
        return_url: &str,
    ) -> Result<String, ProviderError> {
        let session = CreateBillingPortalSession::new()
            .customer(customer)
            .return_url(return_url)
            .send(&self.client)
            .await
            .map_err(failure)?;
        Ok(session.url)
    }

    async fn create_payout_account(
        &self,
        request: &NewPayoutAccount,
    ) -> Result<String, ProviderError> {
        let mut capabilities = CreateAccountCapabilities::new();
        capabilities.transfers = Some(CreateAccountCapabilitiesTransfers {
            requested: Some(true),
        });
        let account = CreateAccount::new()
            .type_(CreateAccountType::Express)
            .email(&request.email)
            .capabilities(capabilities)
            .metadata([("user_id".to_owned(), request.user_id.to_string())])
            .customize()
            .request_strategy(strategy(&request.idempotency_key)?)
            .send(&self.client)
            .await
            .map_err(failure)?;
        Ok(account.id.as_str().to_owned())
    }

    async fn onboarding_link(
        &self,
        account: &str,
        links: &OnboardingLinks,
    ) -> Result<String, ProviderError> {
        let link = CreateAccountLink::new(account, CreateAccountLinkType::AccountOnboarding)
            .refresh_url(&links.refresh_url)
            .return_url(&links.return_url)
            .send(&self.client)
            .await
            .map_err(failure)?;
        Ok(link.url)
    }

    async fn create_payout(&self, request: &PayoutRequest) -> Result<PayoutState, ProviderError> {
        let currency = currency(&request.currency)?;
        let method = if request.instant {
            CreatePayoutMethod::Instant
        } else {
            CreatePayoutMethod::Standard
        };
        let payout = CreatePayout::new(request.amount, currency)
            .method(method)
            .metadata([("reference".to_owned(), request.reference.clone())])
            .customize()
            .account_id(stripe::AccountId::from(request.account.as_str()))
            .request_strategy(strategy(&request.idempotency_key)?)
            .send(&self.client)
            .await
            .map_err(failure)?;
        Ok(PayoutState {
            id: payout.id.as_str().to_owned(),
            status: payout_status(&payout.status)?,
            failure_message: payout.failure_message.clone(),
            arrival_date: Some(payout.arrival_date),
        })
    }

    /// An account debit: a transfer from the connected account to the platform.
    async fn collect_fee(
        &self,
        account: &str,
        amount: i64,
        currency: &str,
        idempotency_key: &str,
    ) -> Result<(), ProviderError> {
        let platform = self
            .platform_account
            .clone()
            .ok_or_else(|| ProviderError::Refused {
                code: "platform_account_missing".into(),
                message: "Instant payouts are not available right now.".into(),
            })?;
        let currency = self::currency(currency)?;
        CreateTransfer::new(currency, platform)
            .amount(amount)
            .description("Instant payout fee")
            .customize()
            .account_id(stripe::AccountId::from(account))
            .request_strategy(strategy(idempotency_key)?)
            .send(&self.client)
            .await
            .map_err(failure)?;
        Ok(())
    }

    async fn return_fee(
        &self,
        account: &str,
        amount: i64,
        currency: &str,
        idempotency_key: &str,
    ) -> Result<(), ProviderError> {
        let currency = self::currency(currency)?;
        CreateTransfer::new(currency, account)
            .amount(amount)
            .description("Instant payout fee returned")
            .customize()
            .request_strategy(strategy(idempotency_key)?)
            .send(&self.client)
            .await
            .map_err(failure)?;
        Ok(())
    }

    async fn account_balance(&self, account: &str, currency: &str) -> Result<i64, ProviderError> {
        let balance = RetrieveForMyAccountBalance::new()
            .customize()
            .account_id(stripe::AccountId::from(account))
            .send(&self.client)
            .await
            .map_err(failure)?;
        let wanted = currency.to_ascii_lowercase();
        Ok(balance
            .available
            .iter()
            .chain(balance.pending.iter())
            .filter(|b| b.currency.to_string() == wanted)
            .map(|b| b.amount)
            .sum())
    }

    async fn payout(&self, account: &str, id: &str) -> Result<PayoutState, ProviderError> {
        let payout = RetrievePayout::new(id)
            .customize()
            .account_id(stripe::AccountId::from(account))
            .send(&self.client)
            .await
            .map_err(failure)?;
        Ok(PayoutState {
            id: payout.id.as_str().to_owned(),
            status: payout_status(&payout.status)?,
            failure_message: payout.failure_message.clone(),
            arrival_date: Some(payout.arrival_date),
        })
    }

    async fn account(&self, id: &str) -> Result<AccountState, ProviderError> {
        let account = RetrieveAccount::new(id)
            .send(&self.client)
            .await
            .map_err(failure)?;
        Ok(AccountState {
            id: account.id.as_str().to_owned(),
            details_submitted: account.details_submitted.unwrap_or(false),
            charges_enabled: account.charges_enabled.unwrap_or(false),
            payouts_enabled: account.payouts_enabled.unwrap_or(false),
        })
    }
}
