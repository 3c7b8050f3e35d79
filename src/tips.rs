//! Kick In: fans tip artists from their profile (SPEC BOP-5). No platform fee; the fan
//! sees the processing cost and may cover it. Pure form rules here; [`service`] takes
//! the payment and posts the money to the ledger once the provider confirms it.

use serde::{Deserialize, Serialize};

use crate::{FieldError, error::AppError, fees};

#[cfg(feature = "ssr")]
pub mod service;

/// The purpose of a tip's checkout and payment (`tip:12`).
pub const PURPOSE: &str = "tip";

text_enum! {
    /// Where a tip stands (`tips.state`).
    pub enum TipState {
        /// Its checkout is open: the fan has not paid (yet).
        Pending = "pending",
        /// Paid and recorded in the ledger.
        Succeeded = "succeeded",
        /// The checkout expired unpaid.
        Failed = "failed",
        /// Paid, then refunded in full.
        Refunded = "refunded",
    }
}

impl TipState {
    /// Whether the tip's payment was recorded (paid, possibly refunded since).
    pub fn is_recorded(self) -> bool {
        matches!(self, Self::Succeeded | Self::Refunded)
    }
}

/// The amounts offered with one tap, in cents.
pub const PRESETS: [i64; 4] = [300, 500, 1_000, 2_000];
pub const MIN_CENTS: i64 = 100;
pub const MAX_CENTS: i64 = 50_000;
pub const MAX_MESSAGE_CHARS: usize = 280;

/// "5", "5.5", "$5.50", "1,000" → cents.
pub fn parse_amount(text: &str) -> Result<i64, &'static str> {
    const BAD: &str = "Enter an amount in dollars, like 5 or 7.50.";
    let cleaned: String = text
        .trim()
        .trim_start_matches('$')
        .chars()
        .filter(|c| *c != ',')
        .collect();
    if cleaned.is_empty() {
        return Err("Choose or enter an amount.");
    }
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    if whole.is_empty() && fraction.is_empty() {
        return Err(BAD);
    }
    if !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > 2
        || whole.len() > 7
    {
        return Err(BAD);
    }
    let dollars: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| BAD)?
    };
    let cents: i64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().map_err(|_| BAD)? * 10,
        _ => fraction.parse().map_err(|_| BAD)?,
    };
    Ok(dollars * 100 + cents)
}

/// The Kick In form as posted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TipForm {
    pub handle: String,
    pub amount: String,
    pub message: String,
    /// A guest's email for the receipt (ignored when signed in).
    pub email: String,
    pub cover_fee: bool,
    /// Made by the browser once per attempt, so a double submit pays once.
    pub idempotency_key: String,
    /// The Bop the fan tipped from, if any.
    #[serde(default)]
    pub bop: Option<i64>,
}

/// A checked tip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipInput {
    pub handle: String,
    pub amount_cents: i64,
    pub message: String,
    pub guest_email: Option<crate::accounts::Email>,
    pub cover_fee: bool,
    pub idempotency_key: String,
    pub breakdown: fees::Breakdown,
    /// The Bop the fan tipped from, if any (checked to be the artist's own).
    pub bop: Option<i64>,
}

impl TipInput {
    /// Checks every field; a guest (`signed_in == false`) must give an email.
    pub fn parse(form: &TipForm, signed_in: bool) -> Result<Self, AppError> {
        let mut errors = Vec::new();
        let amount = match parse_amount(&form.amount) {
            Ok(c) if c < MIN_CENTS => {
                errors.push(FieldError::new("amount", "The smallest tip is $1."));
                None
            }
            Ok(c) if c > MAX_CENTS => {
                errors.push(FieldError::new("amount", "The largest tip is $500."));
                None
            }
            Ok(c) => Some(c),
            Err(m) => {
                errors.push(FieldError::new("amount", m));
                None
            }
        };
        let message = form.message.trim().to_owned();
        if message.chars().count() > MAX_MESSAGE_CHARS {
            errors.push(FieldError::new(
                "message",
                "Keep your message to 280 characters or fewer.",
            ));
        }
        if message.chars().any(|c| c.is_control() && c != '\n') {
            errors.push(FieldError::new(
                "message",
                "Your message has characters we can't show.",
            ));
        }
        let guest_email = if signed_in {
            None
        } else {
            match crate::accounts::Email::parse(&form.email) {
                Ok(e) => Some(e),
                Err(m) => {
                    errors.push(FieldError::new("email", m));
                    None
                }
            }
        };
        let key = form.idempotency_key.trim();
        if key.len() < 8
            || key.len() > 100
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            errors.push(FieldError::new(
                "idempotency_key",
                "This form is out of date. Reload the page and try again.",
            ));
        }
        match amount {
            Some(amount_cents) if errors.is_empty() => Ok(Self {
                handle: form.handle.trim().trim_start_matches('@').to_lowercase(),
                amount_cents,
                message,
                guest_email,
                cover_fee: form.cover_fee,
                idempotency_key: key.to_owned(),
                breakdown: fees::tip(amount_cents, form.cover_fee),
                bop: form.bop,
            }),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

/// A tip as the fan's thank-you and the artist's earnings show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TipReceipt {
    pub artist_name: String,
    pub amount_cents: i64,
    pub gross_cents: i64,
    pub currency: String,
    pub paid: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_as_dollars() {
        assert_eq!(parse_amount("5"), Ok(500));
        assert_eq!(parse_amount("$7.5"), Ok(750));
        assert_eq!(parse_amount(" 1,000.05 "), Ok(100_005));
        assert_eq!(parse_amount(".99"), Ok(99));
        for bad in ["", "five", "5.555", "-5", "1e3", "."] {
            assert!(parse_amount(bad).is_err(), "{bad}");
        }
    }

    fn form(amount: &str) -> TipForm {
        TipForm {
            handle: "@Nova_Reyes".into(),
            amount: amount.into(),
            message: "  Loved the set!  ".into(),
            email: "fan@example.com".into(),
            cover_fee: true,
            idempotency_key: "tip-0123456789abcdef".into(),
            bop: None,
        }
    }

    #[test]
    fn a_tip_is_checked_field_by_field() {
        let tip = TipInput::parse(&form("5"), false).expect("valid");
        assert_eq!(tip.handle, "nova_reyes");
        assert_eq!(tip.message, "Loved the set!");
        assert_eq!(tip.breakdown.net, 500);
        assert!(tip.breakdown.gross > 500);
        let err = TipInput::parse(
            &TipForm {
                email: "nope".into(),
                idempotency_key: "x".into(),
                ..form("0.50")
            },
            false,
        )
        .expect_err("refused");
        for field in ["amount", "email", "idempotency_key"] {
            assert!(err.field_message(field).is_some(), "{field}");
        }
        // Signed in: no email needed.
        assert!(
            TipInput::parse(
                &TipForm {
                    email: String::new(),
                    ..form("501")
                },
                true
            )
            .expect_err("too big")
            .field_message("amount")
            .is_some()
        );
    }
}
