//! Payments: the artist plans, subscription states and the sandbox's test cards (pure),
//! and — behind `ssr` — the [`provider::PaymentProvider`] with its Stripe and Sandbox
//! implementations, webhook verification, and provider events stored once and routed
//! ([`routing`]) to the domain that registered their purpose. `payments` imports no
//! domain: tips, sign-ups and payouts register their handlers with it.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod events;
#[cfg(feature = "ssr")]
pub mod provider;
#[cfg(feature = "ssr")]
pub mod routing;
#[cfg(feature = "ssr")]
pub mod sandbox;
#[cfg(feature = "ssr")]
pub mod stripe;
pub mod views;
#[cfg(feature = "ssr")]
pub mod webhook;

/// An artist's plan (SPEC ONB-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Starter,
    Pro,
    Label,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::Starter, Tier::Pro, Tier::Label];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Starter => "starter",
            Self::Pro => "pro",
            Self::Label => "label",
        }
    }

    pub fn parse(s: &str) -> Result<Self, &'static str> {
        match s.trim().to_ascii_lowercase().as_str() {
            "starter" => Ok(Self::Starter),
            "pro" => Ok(Self::Pro),
            "label" => Ok(Self::Label),
            _ => Err("Choose a plan: Starter, Pro or Label."),
        }
    }

    /// This tier's plan: its price and what it unlocks.
    pub fn plan(self) -> &'static Plan {
        PLANS.iter().find(|p| p.tier == self).unwrap_or(&PLANS[0])
    }

    /// Whether this tier includes `capability`.
    pub fn allows(self, capability: Capability) -> bool {
        self >= capability.minimum_tier()
    }
}

/// A plan as the sign-up page shows it and checkout charges it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub tier: Tier,
    pub name: &'static str,
    /// Monthly price in minor units of `currency`.
    pub monthly_cents: i64,
    pub currency: &'static str,
    pub tagline: &'static str,
    /// What this plan unlocks, in the order the plan card lists it.
    pub features: &'static [&'static str],
    /// Shop products an artist on this plan may list (`None`: unlimited).
    pub max_products: Option<u32>,
}

/// Every plan, in one place: prices, what each unlocks and its limits.
pub const PLANS: [Plan; 3] = [
    Plan {
        tier: Tier::Starter,
        name: "Starter",
        monthly_cents: 900,
        currency: "USD",
        tagline: "Everything you need to get paid by your fans.",
        features: &[
            "Your profile, Bops and music",
            "Kick In tips with 0% platform fee",
            "Shop with up to 10 products",
            "Standard payouts, free",
        ],
        max_products: Some(10),
    },
    Plan {
        tier: Tier::Pro,
        name: "Pro",
        monthly_cents: 2900,
        currency: "USD",
        tagline: "For artists running a growing business.",
        features: &[
            "Everything in Starter",
            "Unlimited shop products",
            "Instant payouts (1% fee)",
            "Toney, your business assistant",
            "Workflow automation",
        ],
        max_products: None,
    },
    Plan {
        tier: Tier::Label,
        name: "Label",
        monthly_cents: 9900,
        currency: "USD",
        tagline: "For labels and collectives managing a roster.",
        features: &[
            "Everything in Pro",
            "Team seats for your managers",
            "Roster-wide earnings reports",
            "Priority support",
        ],
        max_products: None,
    },
];

/// Something only some plans include. The gate refuses it on a lower plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Capability {
    InstantPayouts,
    UnlimitedProducts,
    Assistant,
    Workflows,
    TeamSeats,
}

impl Capability {
    /// The lowest tier that includes this capability.
    pub fn minimum_tier(self) -> Tier {
        match self {
            Self::InstantPayouts | Self::UnlimitedProducts | Self::Assistant | Self::Workflows => {
                Tier::Pro
            }
            Self::TeamSeats => Tier::Label,
        }
    }

    /// What it is called in messages ("Instant payouts need the Pro plan").
    pub fn label(self) -> &'static str {
        match self {
            Self::InstantPayouts => "Instant payouts",
            Self::UnlimitedProducts => "More than 10 shop products",
            Self::Assistant => "Toney",
            Self::Workflows => "Workflows",
            Self::TeamSeats => "Team seats",
        }
    }
}

text_enum! {
    /// A subscription's state as the provider reports it.
    pub enum SubscriptionStatus {
        Incomplete = "incomplete",
        IncompleteExpired = "incomplete_expired",
        Trialing = "trialing",
        Active = "active",
        PastDue = "past_due",
        Canceled = "canceled",
        Unpaid = "unpaid",
        Paused = "paused",
    }
}

impl SubscriptionStatus {
    /// Whether the plan's features are on: paid up, trialing, or in the grace period
    /// after a failed renewal (the provider retries the payment).
    pub fn in_good_standing(self) -> bool {
        matches!(self, Self::Active | Self::Trialing | Self::PastDue)
    }

    /// For people: "Active", "Payment failed", …
    pub fn label(self) -> &'static str {
        match self {
            Self::Incomplete => "Awaiting payment",
            Self::IncompleteExpired => "Expired",
            Self::Trialing => "Trial",
            Self::Active => "Active",
            Self::PastDue => "Payment failed, retrying",
            Self::Canceled => "Canceled",
            Self::Unpaid => "Unpaid",
            Self::Paused => "Paused",
        }
    }
}

/// What happens when a card is charged in the sandbox. The numbers are Stripe's test
/// cards, so the same numbers behave the same on both providers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardOutcome {
    Approved,
    /// Needs the cardholder to confirm (3-D Secure) before it is approved.
    RequiresAuthentication,
    Declined {
        code: &'static str,
        message: &'static str,
    },
}

/// An artist sign-up waiting for its checkout, for the browser that started it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSignup {
    pub tier: Tier,
    pub email: String,
}

/// A card as typed on the sandbox checkout page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CardInput {
    pub number: String,
    /// "MM / YY" or "MM/YY".
    pub expiry: String,
    pub cvc: String,
    pub name: String,
}

/// The message Stripe shows for a generic decline.
pub const CARD_DECLINED: &str = "Your card was declined.";
/// The message Stripe shows when 3-D Secure authentication fails.
pub const AUTHENTICATION_FAILED: &str = "We are unable to authenticate your payment method. Please choose a different payment method and try again.";

/// Checks a sandbox card the way Stripe's test mode does: field formats first (as
/// field errors), then the outcome the test number stands for. `today` is (year, month).
pub fn card_outcome(
    card: &CardInput,
    today: (i32, u32),
) -> Result<CardOutcome, Vec<crate::FieldError>> {
    use crate::FieldError;
    let mut errors = Vec::new();
    let digits: String = card
        .number
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let number_ok = (12..=19).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && luhn(&digits);
    if digits.is_empty() {
        errors.push(FieldError::new("number", "Your card number is incomplete."));
    } else if !number_ok {
        errors.push(FieldError::new("number", "Your card number is invalid."));
    }
    match parse_expiry(&card.expiry) {
        None => errors.push(FieldError::new(
            "expiry",
            "Your card's expiration date is incomplete.",
        )),
        Some((year, month)) if (year, month) < today => errors.push(FieldError::new(
            "expiry",
            "Your card's expiration year is in the past.",
        )),
        Some(_) => {}
    }
    let cvc_len = if digits.starts_with("34") || digits.starts_with("37") {
        4
    } else {
        3
    };
    if card.cvc.len() != cvc_len || !card.cvc.chars().all(|c| c.is_ascii_digit()) {
        errors.push(FieldError::new(
            "cvc",
            "Your card's security code is incomplete.",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(match digits.as_str() {
        "4242424242424242" | "4000056655665556" | "5555555555554444" | "2223003122003222"
        | "5200828282828210" | "5105105105105100" | "378282246310005" | "371449635398431"
        | "6011111111111117" | "3056930009020004" | "3566002020360505" | "6200000000000005" => {
            CardOutcome::Approved
        }
        "4000002500003155" | "4000002760003184" | "4000000000003220" | "4000000000003063" => {
            CardOutcome::RequiresAuthentication
        }
        "4000000000000002" | "4000000000009987" | "4000000000009979" => CardOutcome::Declined {
            code: "card_declined",
            message: CARD_DECLINED,
        },
        "4000000000009995" => CardOutcome::Declined {
            code: "insufficient_funds",
            message: "Your card has insufficient funds.",
        },
        "4000000000000069" => CardOutcome::Declined {
            code: "expired_card",
            message: "Your card has expired.",
        },
        "4000000000000127" => CardOutcome::Declined {
            code: "incorrect_cvc",
            message: "Your card's security code is incorrect.",
        },
        "4000000000000119" => CardOutcome::Declined {
            code: "processing_error",
            message: "An error occurred while processing your card. Try again in a little bit.",
        },
        _ => CardOutcome::Declined {
            code: "card_declined",
            message: "Your card was declined. This is the sandbox: use a test card such as 4242 4242 4242 4242.",
        },
    })
}

fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// "12 / 34", "12/34", "12/2034" → (2034, 12).
fn parse_expiry(s: &str) -> Option<(i32, u32)> {
    let (m, y) = s.split_once('/')?;
    let month: u32 = m.trim().parse().ok()?;
    let year_text = y.trim();
    let year: i32 = year_text.parse().ok()?;
    let year = match year_text.len() {
        2 => 2000 + year,
        4 => year,
        _ => return None,
    };
    (1..=12).contains(&month).then_some((year, month))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(number: &str) -> CardInput {
        CardInput {
            number: number.into(),
            expiry: "12 / 34".into(),
            cvc: "123".into(),
            name: "Ana".into(),
        }
    }

    const TODAY: (i32, u32) = (2026, 11);

    #[test]
    fn stripe_test_cards_behave_as_documented() {
        assert_eq!(
            card_outcome(&card("4242 4242 4242 4242"), TODAY),
            Ok(CardOutcome::Approved)
        );
        assert_eq!(
            card_outcome(&card("4000 0000 0000 0002"), TODAY),
            Ok(CardOutcome::Declined {
                code: "card_declined",
                message: CARD_DECLINED
            })
        );
        assert_eq!(
            card_outcome(&card("4000002500003155"), TODAY),
            Ok(CardOutcome::RequiresAuthentication)
        );
        assert!(matches!(
            card_outcome(&card("4000000000009995"), TODAY),
            Ok(CardOutcome::Declined {
                code: "insufficient_funds",
                ..
            })
        ));
        // A real-looking card that is not a test card is declined in the sandbox.
        assert!(matches!(
            card_outcome(&card("4111111111111111"), TODAY),
            Ok(CardOutcome::Declined { .. })
        ));
    }

    #[test]
    fn malformed_cards_get_field_errors() {
        let errors =
            card_outcome(&card("4242 4242 4242 4241"), TODAY).expect_err("should be refused");
        assert_eq!(errors[0].field, "number");
        let past = CardInput {
            expiry: "10/26".into(),
            ..card("4242424242424242")
        };
        assert_eq!(
            card_outcome(&past, TODAY).expect_err("should be refused")[0].field,
            "expiry"
        );
        let amex_short_cvc = card("378282246310005");
        assert_eq!(
            card_outcome(&amex_short_cvc, TODAY).expect_err("should be refused")[0].field,
            "cvc"
        );
        let empty = CardInput::default();
        let fields: Vec<_> = card_outcome(&empty, TODAY)
            .expect_err("should be refused")
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["number", "expiry", "cvc"]);
    }

    #[test]
    fn tiers_unlock_capabilities_in_order() {
        assert!(!Tier::Starter.allows(Capability::InstantPayouts));
        assert!(Tier::Pro.allows(Capability::InstantPayouts));
        assert!(!Tier::Pro.allows(Capability::TeamSeats));
        assert!(Tier::Label.allows(Capability::TeamSeats));
        for tier in Tier::ALL {
            assert_eq!(Tier::parse(tier.as_str()), Ok(tier));
            assert_eq!(tier.plan().tier, tier);
        }
        assert!(Tier::parse("gold").is_err());
        // Higher plans cost more and never list fewer products.
        assert!(
            PLANS
                .windows(2)
                .all(|w| w[0].monthly_cents < w[1].monthly_cents)
        );
    }

    #[test]
    fn subscription_statuses_round_trip() {
        for s in [
            "incomplete",
            "incomplete_expired",
            "trialing",
            "active",
            "past_due",
            "canceled",
            "unpaid",
            "paused",
        ] {
            assert_eq!(SubscriptionStatus::parse(s).map(|x| x.as_str()), Some(s));
        }
        assert!(SubscriptionStatus::PastDue.in_good_standing());
        assert!(!SubscriptionStatus::Canceled.in_good_standing());
        assert_eq!(SubscriptionStatus::parse("bogus"), None);
    }
}
