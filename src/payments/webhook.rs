//! Stripe webhook signatures: HMAC-SHA256 over `"{timestamp}.{raw body}"` with the
//! endpoint's signing secret, sent as `Stripe-Signature: t=…,v1=…`. Verified on the
//! raw bytes, in constant time, with a tolerance on the timestamp against replays.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Stripe's default tolerance: a signature older (or newer) than this is refused.
pub const TOLERANCE_SECS: i64 = 300;

/// Why a delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("missing or malformed Stripe-Signature header")]
    Malformed,
    #[error("no signature matches the payload")]
    Mismatch,
    #[error("the signature's timestamp is outside the tolerance")]
    Expired,
}

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// At most this many `v1=` signatures are considered (Stripe sends one, two while a
/// secret rolls); a header with more is refused without computing anything.
pub const MAX_SIGNATURES: usize = 8;
/// Largest webhook body accepted (Stripe's events are a few kilobytes).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// A parsed `Stripe-Signature` header.
struct Header<'a> {
    timestamp: i64,
    signatures: Vec<&'a str>,
}

/// Parses the header and checks its timestamp before any HMAC is computed, so a
/// stale or malformed delivery costs nothing.
fn parse(header: &str, now: i64) -> Result<Header<'_>, SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", sig)) => signatures.push(sig),
            _ => {}
        }
        if signatures.len() > MAX_SIGNATURES {
            return Err(SignatureError::Malformed);
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > TOLERANCE_SECS {
        return Err(SignatureError::Expired);
    }
    Ok(Header {
        timestamp,
        signatures,
    })
}

/// Whether one of the header's signatures is the HMAC of `body` under `secret`: the
/// HMAC is computed once, then compared with each signature in constant time.
fn matches(secret: &str, header: &Header<'_>, body: &[u8]) -> bool {
    let expected = mac(secret, header.timestamp, body).finalize().into_bytes();
    header.signatures.iter().any(|sig| {
        decode_hex(sig).is_some_and(|bytes| {
            bytes.len() == expected.len()
                && bytes
                    .iter()
                    .zip(expected.iter())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        })
    })
}

/// [`verify`] against each of `secrets`, comma-separated: Stripe signs events from
/// connected accounts (payouts, `account.updated`) with the Connect endpoint's own
/// secret, and an old secret stays valid for a while after it is rolled. The header
/// is parsed and its timestamp checked once, before any HMAC; each secret then costs
/// one HMAC of the body.
pub fn verify_any(
    secrets: &str,
    header: &str,
    body: &[u8],
    now: i64,
) -> Result<(), SignatureError> {
    let parsed = parse(header, now)?;
    let matched = secrets
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .any(|secret| matches(secret, &parsed, body));
    if matched {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// Checks `header` (the `Stripe-Signature` value) for `body` at time `now` (unix
/// seconds). Any `v1` signature may match (Stripe sends several while a secret rolls).
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> Result<(), SignatureError> {
    verify_any(secret, header, body, now)
}

/// The `Stripe-Signature` header Stripe would send for `body` at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let digest = mac(secret, timestamp, body).finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={timestamp},v1={hex}")
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"account.updated"}"#;

    #[test]
    fn a_fresh_signature_is_accepted() {
        let header = sign(SECRET, 1_000_000, BODY);
        assert_eq!(verify(SECRET, &header, BODY, 1_000_000 + 299), Ok(()));
        // Several signatures: any match is enough.
        let rolled = format!("{},v1={}", header, "00".repeat(32));
        assert_eq!(verify(SECRET, &rolled, BODY, 1_000_000), Ok(()));
    }

    #[test]
    fn a_changed_body_or_secret_is_refused() {
        let header = sign(SECRET, 1_000_000, BODY);
        assert_eq!(
            verify(SECRET, &header, b"{\"id\":\"evt_2\"}", 1_000_000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("whsec_other", &header, BODY, 1_000_000),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn an_old_signature_is_refused() {
        let header = sign(SECRET, 1_000_000, BODY);
        assert_eq!(
            verify(SECRET, &header, BODY, 1_000_000 + 301),
            Err(SignatureError::Expired)
        );
    }

    #[test]
    fn the_timestamp_and_the_signature_count_are_checked_before_any_hmac() {
        // A stale header is refused as such whatever its signatures: no HMAC was needed.
        let stale = format!("t=1000,{}", ["v1=00"; 3].join(","));
        assert_eq!(
            verify_any("a,b,c", &stale, BODY, 1_000_000),
            Err(SignatureError::Expired)
        );
        // A fresh header with too many signatures is refused outright.
        let good = sign(SECRET, 1_000_000, BODY);
        let many = format!("{good},{}", ["v1=00"; MAX_SIGNATURES].join(","));
        assert_eq!(
            verify(SECRET, &many, BODY, 1_000_000),
            Err(SignatureError::Malformed)
        );
        let few = format!("{good},{}", ["v1=00"; MAX_SIGNATURES - 1].join(","));
        assert_eq!(verify(SECRET, &few, BODY, 1_000_000), Ok(()));
    }

    #[test]
    fn malformed_headers_are_refused() {
        for header in ["", "t=abc,v1=00", "v1=00", "t=1000000", "t=1000000,v1=zz"] {
            assert!(verify(SECRET, header, BODY, 1_000_000).is_err(), "{header}");
        }
    }

    #[test]
    fn any_of_several_secrets_may_sign() {
        let body = br#"{"id":"evt_1"}"#;
        let connect = sign("whsec_connect", 1_000, body);
        assert_eq!(
            verify_any("whsec_platform, whsec_connect", &connect, body, 1_010),
            Ok(())
        );
        assert_eq!(
            verify_any("whsec_platform", &connect, body, 1_010),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_any("whsec_platform,whsec_connect", &connect, body, 2_000),
            Err(SignatureError::Expired)
        );
        assert_eq!(
            verify_any("", &connect, body, 1_010),
            Err(SignatureError::Mismatch)
        );
    }
}
