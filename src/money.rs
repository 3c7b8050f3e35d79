//! Amounts of money: integer minor units and an ISO currency, never floats.

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
