//! Amounts of money: integer minor units and an ISO currency, never floats.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An ISO 4217 currency code, stored and compared in upper case (`USD`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    pub const USD: Currency = Currency(*b"USD");
    pub const EUR: Currency = Currency(*b"EUR");
    pub const GBP: Currency = Currency(*b"GBP");

    /// Three ASCII letters, in either case (providers send `usd`).
    pub fn parse(code: &str) -> Option<Self> {
        let bytes: [u8; 3] = code.as_bytes().try_into().ok()?;
        bytes
            .iter()
            .all(u8::is_ascii_alphabetic)
            .then(|| Self(bytes.map(|b| b.to_ascii_uppercase())))
    }

    pub const fn as_str(&self) -> &str {
        // Three ASCII letters by construction.
        match std::str::from_utf8(&self.0) {
            Ok(code) => code,
            Err(_) => "XXX",
        }
    }

    /// Digits after the decimal point (ISO 4217's minor unit).
    pub fn minor_digits(self) -> u32 {
        minor_digits(self.as_str())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Currency {
    type Error = String;

    fn try_from(code: String) -> Result<Self, String> {
        Self::parse(&code).ok_or_else(|| format!("{code:?} is not a currency code"))
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> String {
        currency.as_str().to_owned()
    }
}

/// The currency of every plan, tip and payout for now (every payout account is in US
/// dollars); a second one arrives with the first non-US payout accounts.
pub const PLATFORM_CURRENCY: Currency = Currency::USD;

/// An amount of money: integer minor units (cents) of a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// The sum, when both are in one currency and it does not overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        (self.currency == other.currency).then_some(())?;
        Some(Self::new(
            self.minor.checked_add(other.minor)?,
            self.currency,
        ))
    }
}

impl fmt::Display for Money {
    /// "$12.50": for people.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_amount(self.minor, self.currency.as_str()))
    }
}

/// Digits after the decimal point in `currency` (ISO 4217's minor unit).
pub fn minor_digits(currency: &str) -> u32 {
    match currency.to_ascii_uppercase().as_str() {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// "$1,212.50", "€3.00", "¥1,200": an amount in minor units, for people.
pub fn format_amount(cents: i64, currency: &str) -> String {
    let code = currency.to_ascii_uppercase();
    let symbol = match code.as_str() {
        "USD" | "CAD" | "AUD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "JPY" => "¥",
        _ => "",
    };
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let digits = minor_digits(&code);
    let unit = 10_u64.pow(digits);
    let whole = (abs / unit).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let fraction = if digits == 0 {
        String::new()
    } else {
        format!(".{:0width$}", abs % unit, width = digits as usize)
    };
    let text = format!("{sign}{symbol}{grouped}{fraction}");
    if symbol.is_empty() {
        format!("{text} {code}")
    } else {
        text
    }
}

/// "$9": whole amounts without the cents, for prices on plan cards.
pub fn format_price(cents: i64, currency: &str) -> String {
    let full = format_amount(cents, currency);
    match full.strip_suffix(".00") {
        Some(whole) => whole.to_owned(),
        None => full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_parse_in_either_case() {
        assert_eq!(Currency::parse("usd"), Some(Currency::USD));
        assert_eq!(Currency::parse("EUR"), Some(Currency::EUR));
        for bad in ["", "US", "USDX", "U$D", "12A"] {
            assert_eq!(Currency::parse(bad), None, "{bad}");
        }
        assert_eq!(Currency::parse("jpy").map(Currency::minor_digits), Some(0));
        let json = serde_json::to_string(&Currency::GBP).expect("json");
        assert_eq!(json, "\"GBP\"");
        assert!(serde_json::from_str::<Currency>("\"pounds\"").is_err());
    }

    #[test]
    fn money_adds_only_within_a_currency() {
        let five = Money::new(500, Currency::USD);
        assert_eq!(
            five.checked_add(five),
            Some(Money::new(1_000, Currency::USD))
        );
        assert_eq!(five.checked_add(Money::new(1, Currency::EUR)), None);
        assert_eq!(Money::new(i64::MAX, Currency::USD).checked_add(five), None);
        assert_eq!(five.to_string(), "$5.00");
    }

    #[test]
    fn amounts_read_as_money() {
        assert_eq!(format_amount(1250, "USD"), "$12.50");
        assert_eq!(format_amount(5, "eur"), "€0.05");
        assert_eq!(format_amount(-300, "GBP"), "-£3.00");
        assert_eq!(format_amount(120_000, "JPY"), "¥120,000");
        assert_eq!(format_amount(123_456_789, "USD"), "$1,234,567.89");
        assert_eq!(format_amount(100_000, "USD"), "$1,000.00");
        assert_eq!(format_amount(99_999, "usd"), "$999.99");
        assert_eq!(format_amount(-1_234_500, "EUR"), "-€12,345.00");
        assert_eq!(format_amount(1_500, "KWD"), "1.500 KWD");
        assert_eq!(format_price(900, "USD"), "$9");
        assert_eq!(format_price(950, "USD"), "$9.50");
    }
}
