//! Idempotency keys bound to their parameters. A key is stored scoped to its owner
//! (an artist, a signed-in fan, the schedule…) together with a fingerprint of the
//! request it was first used for; a retry with the same fingerprint gets the first
//! result, and a reuse with other parameters is refused, as Stripe does.

use sha2::{Digest, Sha256};

/// A digest of a request's parameters. Each part is length-prefixed, so no two lists
/// of parts share a fingerprint by concatenating alike.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part.as_bytes());
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    #[test]
    fn parameters_decide_the_fingerprint() {
        assert_eq!(fingerprint(&["500", "usd"]), fingerprint(&["500", "usd"]));
        assert_ne!(fingerprint(&["500", "usd"]), fingerprint(&["501", "usd"]));
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
    }
}
