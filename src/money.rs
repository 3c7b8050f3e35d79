//! Amounts of money: integer minor units and an ISO currency, never floats.

/// "$12.50", "€3.00", "1200.00 JPY": an amount in minor units, for people.
pub fn format_amount(cents: i64, currency: &str) -> String {
    let symbol = match currency.to_ascii_uppercase().as_str() {
        "USD" | "CAD" | "AUD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        _ => "",
    };
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let text = format!("{sign}{symbol}{}.{:02}", abs / 100, abs % 100);
    if symbol.is_empty() {
        format!("{text} {}", currency.to_ascii_uppercase())
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
    fn amounts_read_as_money() {
        assert_eq!(format_amount(1250, "USD"), "$12.50");
        assert_eq!(format_amount(5, "eur"), "€0.05");
        assert_eq!(format_amount(-300, "GBP"), "-£3.00");
        assert_eq!(format_amount(120_000, "JPY"), "1200.00 JPY");
        assert_eq!(format_price(900, "USD"), "$9");
        assert_eq!(format_price(950, "USD"), "$9.50");
    }
}
