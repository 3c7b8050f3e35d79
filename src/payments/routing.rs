//! Which domain a provider event belongs to.
//!
//! Every checkout, payment and payout Boptone makes carries a reference, `purpose:id`
//! (`tip:12`, `signup:3`, `payout:7`), which the provider echoes back in metadata.
//! Each domain registers the handler for its purposes (see `background::routes`), the
//! way it registers its jobs, so this module routes an event without knowing any
//! domain: a shop order or a music sale gets its own purpose and its own handler.
//! Subscriptions and connected accounts are not made for a purpose; one handler each
//! is registered for them.

use std::{collections::BTreeMap, fmt, sync::Arc};

use async_trait::async_trait;

use crate::{error::AppError, events::PlatformEvent, state::AppState};

/// What a checkout, payment or payout is for: `purpose:id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference<'a> {
    pub purpose: &'a str,
    /// The row of the purpose's own table (`tips.id` for `tip`).
    pub id: i64,
}

impl<'a> Reference<'a> {
    pub fn new(purpose: &'a str, id: i64) -> Self {
        Self { purpose, id }
    }

    /// `tip:12` → (`tip`, 12); anything else is not a reference of ours.
    pub fn parse(text: &'a str) -> Option<Self> {
        let (purpose, id) = text.split_once(':')?;
        let id: i64 = id.parse().ok().filter(|id| *id > 0)?;
        let valid =
            !purpose.is_empty() && purpose.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        valid.then_some(Self { purpose, id })
    }

    /// The id `text` names when it is a reference of `purpose`.
    pub fn id_of(text: Option<&str>, purpose: &str) -> Option<i64> {
        text.and_then(Reference::parse)
            .filter(|r| r.purpose == purpose)
            .map(|r| r.id)
    }
}

impl fmt::Display for Reference<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.purpose, self.id)
    }
}

/// A change the provider reported, as a domain handler receives it. Handlers fetch
/// the object's current state from the provider rather than trusting the event's copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change<'a> {
    /// A hosted checkout completed (`completed`) or expired.
    Checkout {
        id: &'a str,
        completed: bool,
        reference: Option<&'a str>,
    },
    /// A checkout's payment succeeded or was declined (a declined card does not end a
    /// hosted checkout: the payer may try another, so this is a reason to look again).
    Payment { reference: Option<&'a str> },
    /// Payment `payment_intent` has `amount_refunded` refunded in all (cumulative).
    Refund {
        payment_intent: &'a str,
        amount_refunded: i64,
        reference: Option<&'a str>,
    },
    /// A payout to a bank changed state.
    Payout {
        id: &'a str,
        reference: Option<&'a str>,
    },
    /// A subscription changed, or one of its invoices was paid or failed.
    Subscription { id: &'a str, payment_failed: bool },
    /// A connected (payout) account changed.
    Account { id: &'a str },
}

impl<'a> Change<'a> {
    fn reference(&self) -> Option<&'a str> {
        match *self {
            Self::Checkout { reference, .. }
            | Self::Payment { reference }
            | Self::Refund { reference, .. }
            | Self::Payout { reference, .. } => reference,
            Self::Subscription { .. } | Self::Account { .. } => None,
        }
    }
}

/// A domain's reaction to provider changes. It may return platform events to record
/// once, with the provider event marked processed (never twice on a redelivery).
#[async_trait]
pub trait PaymentHandler: Send + Sync + 'static {
    async fn apply(
        &self,
        state: &AppState,
        change: &Change<'_>,
    ) -> Result<Vec<PlatformEvent>, AppError>;
}

/// Where each change goes: a purpose's handler by the change's reference, and one
/// handler for subscriptions and one for accounts.
#[derive(Clone, Default)]
pub struct PaymentRoutes {
    purposes: BTreeMap<&'static str, Arc<dyn PaymentHandler>>,
    subscriptions: Option<Arc<dyn PaymentHandler>>,
    accounts: Option<Arc<dyn PaymentHandler>>,
}

impl PaymentRoutes {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sends changes with a `purpose:…` reference to `handler`.
    ///
    /// # Panics
    /// When `purpose` is registered twice: two domains cannot own one purpose.
    pub fn purpose(mut self, purpose: &'static str, handler: impl PaymentHandler) -> Self {
        let previous = self.purposes.insert(purpose, Arc::new(handler));
        assert!(
            previous.is_none(),
            "payment purpose {purpose} registered twice"
        );
        self
    }

    /// Sends subscription changes (and their invoices') to `handler`.
    ///
    /// # Panics
    /// When a second handler is registered: subscriptions have one owner.
    pub fn subscriptions(mut self, handler: impl PaymentHandler) -> Self {
        assert!(
            self.subscriptions.is_none(),
            "subscriptions registered twice"
        );
        self.subscriptions = Some(Arc::new(handler));
        self
    }

    /// Sends payout account changes to `handler`.
    ///
    /// # Panics
    /// When a second handler is registered: accounts have one owner.
    pub fn accounts(mut self, handler: impl PaymentHandler) -> Self {
        assert!(self.accounts.is_none(), "accounts registered twice");
        self.accounts = Some(Arc::new(handler));
        self
    }

    pub fn purposes(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.purposes.keys().copied()
    }

    /// The handlers `change` goes to. A change with a reference goes to its purpose's
    /// handler only (none when no domain registered the purpose); one without a
    /// reference (an object made before references, or outside Boptone) goes to every
    /// purpose's handler, each of which recognises only its own objects.
    fn handlers_for(&self, change: &Change<'_>) -> Vec<&dyn PaymentHandler> {
        fn single(h: &Option<Arc<dyn PaymentHandler>>) -> Vec<&dyn PaymentHandler> {
            h.as_deref().into_iter().collect()
        }
        match change {
            Change::Subscription { .. } => single(&self.subscriptions),
            Change::Account { .. } => single(&self.accounts),
            _ => match change.reference() {
                Some(text) => Reference::parse(text)
                    .and_then(|r| self.purposes.get(r.purpose))
                    .map(|h| h.as_ref())
                    .into_iter()
                    .collect(),
                None => self.purposes.values().map(|h| h.as_ref()).collect(),
            },
        }
    }

    /// Applies `change` through the handlers it belongs to; returns the platform
    /// events they ask to record.
    pub async fn deliver(
        &self,
        state: &AppState,
        change: &Change<'_>,
    ) -> Result<Vec<PlatformEvent>, AppError> {
        let handlers = self.handlers_for(change);
        if handlers.is_empty() {
            tracing::warn!(?change, "no domain handles this provider change");
        }
        let mut events = Vec::new();
        for handler in handlers {
            events.extend(handler.apply(state, change).await?);
        }
        Ok(events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_name_a_purpose_and_a_row() {
        assert_eq!(Reference::parse("tip:12"), Some(Reference::new("tip", 12)));
        assert_eq!(
            Reference::parse("shop_order:3"),
            Some(Reference::new("shop_order", 3))
        );
        for bad in [
            "tip", "tip:", ":12", "tip:-1", "tip:0", "tip:1x", "Tip:1", "a b:1",
        ] {
            assert_eq!(Reference::parse(bad), None, "{bad}");
        }
        assert_eq!(Reference::new("payout", 7).to_string(), "payout:7");
        assert_eq!(Reference::id_of(Some("tip:4"), "tip"), Some(4));
        assert_eq!(Reference::id_of(Some("payout:4"), "tip"), None);
        assert_eq!(Reference::id_of(None, "tip"), None);
    }

    struct Named;

    #[async_trait]
    impl PaymentHandler for Named {
        async fn apply(
            &self,
            _: &AppState,
            _: &Change<'_>,
        ) -> Result<Vec<PlatformEvent>, AppError> {
            Ok(Vec::new())
        }
    }

    #[test]
    fn a_change_goes_to_its_purpose_only() {
        let routes = PaymentRoutes::new()
            .purpose("tip", Named)
            .purpose("signup", Named)
            .subscriptions(Named);
        let payment = |reference| Change::Payment { reference };
        assert_eq!(routes.handlers_for(&payment(Some("tip:1"))).len(), 1);
        assert_eq!(routes.handlers_for(&payment(Some("order:1"))).len(), 0);
        assert_eq!(routes.handlers_for(&payment(None)).len(), 2);
        let subscription = Change::Subscription {
            id: "sub_1",
            payment_failed: false,
        };
        assert_eq!(routes.handlers_for(&subscription).len(), 1);
        assert_eq!(
            routes.handlers_for(&Change::Account { id: "acct" }).len(),
            0
        );
    }

    #[test]
    #[should_panic(expected = "registered twice")]
    fn a_purpose_has_one_owner() {
        let _ = PaymentRoutes::new()
            .purpose("tip", Named)
            .purpose("tip", Named);
    }
}
