//! The industry codes a release carries: ISRC per recording and UPC/EAN per release.
//! Both are optional; when given they are parsed (format, and for UPC/EAN the GS1
//! check digit), never just held.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An International Standard Recording Code: country (2 letters), registrant (3 letters
/// or digits), year (2 digits), designation (5 digits). Kept as its 12 characters,
/// upper case, without hyphens; shown as `US-RC1-76-07839`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Isrc(String);

/// Why an ISRC was refused, in words for the artist.
pub const ISRC_FORMAT: &str = "An ISRC has 12 characters: 2 letters, 3 letters or digits, then 7 digits (like US-RC1-76-07839).";

impl Isrc {
    /// Parses an ISRC as people write it: any case, with or without hyphens or spaces.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let code: String = text
            .chars()
            .filter(|c| *c != '-' && !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let bytes = code.as_bytes();
        let ok = bytes.len() == 12
            && bytes[..2].iter().all(u8::is_ascii_uppercase)
            && bytes[2..5].iter().all(u8::is_ascii_alphanumeric)
            && bytes[5..].iter().all(u8::is_ascii_digit);
        if ok { Ok(Self(code)) } else { Err(ISRC_FORMAT) }
    }

    /// The 12 characters, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Isrc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.0;
        write!(f, "{}-{}-{}-{}", &c[..2], &c[2..5], &c[5..7], &c[7..])
    }
}

impl TryFrom<String> for Isrc {
    type Error = &'static str;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<Isrc> for String {
    fn from(code: Isrc) -> Self {
        code.0
    }
}

/// A release's barcode: a UPC-A (12 digits) or an EAN-13 (13 digits) whose last digit
/// is the GS1 check digit of the others. Kept as its digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Upc(String);

/// Why a UPC/EAN was refused, in words for the artist.
pub const UPC_FORMAT: &str = "A UPC has 12 digits and an EAN 13.";
pub const UPC_CHECK: &str =
    "That barcode's last digit doesn't match the others: check it for a typo.";

impl Upc {
    /// Parses a UPC-A or EAN-13, with or without spaces and hyphens.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let code: String = text
            .chars()
            .filter(|c| *c != '-' && !c.is_whitespace())
            .collect();
        if !(code.len() == 12 || code.len() == 13) || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(UPC_FORMAT);
        }
        let (body, check) = code.split_at(code.len() - 1);
        if check_digit(body) != check.as_bytes()[0] - b'0' {
            return Err(UPC_CHECK);
        }
        Ok(Self(code))
    }

    /// The digits, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The GS1 check digit of `digits` (ASCII digits): from the right, weights 3, 1, 3, …;
/// the digit that brings the sum to a multiple of ten.
pub fn check_digit(digits: &str) -> u8 {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    // Below 10, so the cast is exact.
    ((10 - sum % 10) % 10) as u8
}

impl fmt::Display for Upc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Upc {
    type Error = &'static str;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<Upc> for String {
    fn from(code: Upc) -> Self {
        code.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn isrcs_are_read_as_people_write_them() {
        let code = Isrc::parse("us-rc1-76-07839").expect("valid");
        assert_eq!(code.as_str(), "USRC17607839");
        assert_eq!(code.to_string(), "US-RC1-76-07839");
        assert_eq!(
            Isrc::parse("GBAYE 6700149").expect("valid").as_str(),
            "GBAYE6700149"
        );
        for bad in [
            "",
            "USRC1760783",
            "USRC176078391",
            "1SRC17607839",
            "USRC1760783X",
            "US-R!1-76-07839",
        ] {
            assert_eq!(Isrc::parse(bad), Err(ISRC_FORMAT), "{bad}");
        }
    }

    #[test]
    fn barcodes_need_their_check_digit() {
        // Real codes: a UPC-A and an EAN-13.
        assert_eq!(
            Upc::parse("036000291452").expect("UPC-A").as_str(),
            "036000291452"
        );
        assert_eq!(
            Upc::parse("4006381 333931").expect("EAN-13").as_str(),
            "4006381333931"
        );
        assert_eq!(Upc::parse("036000291453"), Err(UPC_CHECK));
        assert_eq!(Upc::parse("03600029145"), Err(UPC_FORMAT));
        assert_eq!(Upc::parse("03600029145a"), Err(UPC_FORMAT));
    }

    proptest! {
        #[test]
        fn any_body_with_its_check_digit_is_a_barcode(body in "[0-9]{11,12}") {
            let code = format!("{body}{}", check_digit(&body));
            prop_assert_eq!(Upc::parse(&code).map(|c| c.to_string()), Ok(code.clone()));
            // Any other last digit is refused.
            let wrong = (check_digit(&body) + 1) % 10;
            prop_assert_eq!(Upc::parse(&format!("{body}{wrong}")), Err(UPC_CHECK));
        }

        #[test]
        fn a_changed_digit_is_caught(body in "[0-9]{12}", at in 0usize..12, by in 1u8..10) {
            let code = format!("{body}{}", check_digit(&body));
            let mut bytes = code.into_bytes();
            bytes[at] = b'0' + (bytes[at] - b'0' + by) % 10;
            let changed = String::from_utf8(bytes).expect("digits");
            prop_assert!(Upc::parse(&changed).is_err());
        }

        #[test]
        fn isrcs_round_trip_through_their_display(code in "[A-Z]{2}[A-Z0-9]{3}[0-9]{7}") {
            let parsed = Isrc::parse(&code).expect("valid");
            prop_assert_eq!(Isrc::parse(&parsed.to_string()), Ok(parsed.clone()));
            prop_assert_eq!(parsed.as_str(), code.as_str());
        }
    }
}
