//! In-memory keyed rate limits for public and money-moving endpoints (SPEC TRU-3).
//!
//! Each rule is a GCRA limiter (governor) keyed by a string such as an IP address or
//! an email; a refusal says how long to wait. Limits are per process: behind several
//! nodes each node counts on its own, which still bounds an attacker per node.

use std::{num::NonZeroU32, sync::Arc, time::Duration};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};

use crate::error::AppError;

/// One rule: `burst` requests at once, refilled evenly over `period`.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub burst: u32,
    pub period: Duration,
}

impl Rule {
    pub const fn new(burst: u32, period: Duration) -> Self {
        Self { burst, period }
    }
}

/// A limiter for one rule.
pub struct Limiter {
    inner: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl Limiter {
    pub fn new(rule: Rule) -> Self {
        let burst = NonZeroU32::new(rule.burst.max(1)).unwrap_or(NonZeroU32::MIN);
        let per_cell = rule.period / burst.get();
        let quota = Quota::with_period(per_cell.max(Duration::from_millis(1)))
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        Self {
            inner: RateLimiter::keyed(quota),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one request for `key`, or refuses it with the wait before the next.
    pub fn check(&self, key: &str) -> Result<(), AppError> {
        self.inner.check_key(&key.to_owned()).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            AppError::RateLimited {
                retry_after_secs: wait.as_secs() + 1,
                reason: None,
            }
        })
    }

    /// Forgets keys whose limits have fully refilled (call now and then).
    pub fn retain_recent(&self) {
        self.inner.retain_recent();
    }
}

/// The in-process limits of public and money-moving endpoints, after Mastodon's
/// defaults. Limits on someone's account or address are keyed by that account *and*
/// the client's address, under a larger ceiling for the account alone: a stranger who
/// fails to sign in as someone, or asks for their reset links, uses up their own
/// allowance, not the owner's.
pub struct AuthLimits {
    pub sign_in_per_ip: Limiter,
    /// Sign-in attempts for one account from one client address.
    pub sign_in_per_account_and_ip: Limiter,
    /// Sign-in attempts for one account from every address together.
    pub sign_in_per_account: Limiter,
    pub sign_up_per_ip: Limiter,
    /// Paid artist sign-ups started from one address (the form says when an email is
    /// taken, so this keeps it from testing addresses in bulk).
    pub artist_signup_per_ip: Limiter,
    /// Uses of emailed links (verify, reset) and reset requests from one address.
    pub tokens_per_ip: Limiter,
    /// Calls that reach the payment provider (paying, confirming, resuming a sign-up,
    /// payout onboarding) from one address.
    pub provider_calls_per_ip: Limiter,
    /// Payout requests by one artist.
    pub payouts_per_account: Limiter,
    /// Emails (verification, reset, "you already have an account") to one address
    /// asked for from one client address.
    pub email_per_account_and_ip: Limiter,
    /// The same, from every address together.
    pub email_per_account: Limiter,
    /// Kick In checkouts started from one client address, whoever the artist.
    pub tips_per_ip: Limiter,
    /// Photo uploads by one account (each costs a decode).
    pub uploads_per_account: Limiter,
    /// WebSocket connections opened from one client address.
    pub sockets_per_ip: Limiter,
    /// Comments posted by one account.
    pub comments_per_account: Limiter,
    /// Likes, follows and their undoing by one account.
    pub reactions_per_account: Limiter,
    /// Views reported by one viewer (account or device) or address.
    pub views_per_viewer: Limiter,
    /// Reports filed by one account.
    pub reports_per_account: Limiter,
}

impl Default for AuthLimits {
    fn default() -> Self {
        let minutes = |m: u64| Duration::from_secs(60 * m);
        Self {
            sign_in_per_ip: Limiter::new(Rule::new(25, minutes(5))),
            sign_in_per_account_and_ip: Limiter::new(Rule::new(10, minutes(15))),
            sign_in_per_account: Limiter::new(Rule::new(100, minutes(15))),
            sign_up_per_ip: Limiter::new(Rule::new(25, minutes(30))),
            artist_signup_per_ip: Limiter::new(Rule::new(10, minutes(60))),
            tokens_per_ip: Limiter::new(Rule::new(30, minutes(15))),
            provider_calls_per_ip: Limiter::new(Rule::new(120, minutes(15))),
            payouts_per_account: Limiter::new(Rule::new(30, minutes(60))),
            email_per_account_and_ip: Limiter::new(Rule::new(5, minutes(60))),
            email_per_account: Limiter::new(Rule::new(30, minutes(60))),
            tips_per_ip: Limiter::new(Rule::new(60, minutes(60))),
            uploads_per_account: Limiter::new(Rule::new(20, minutes(60))),
            sockets_per_ip: Limiter::new(Rule::new(120, minutes(10))),
            comments_per_account: Limiter::new(Rule::new(10, minutes(5))),
            reactions_per_account: Limiter::new(Rule::new(300, minutes(10))),
            views_per_viewer: Limiter::new(Rule::new(600, minutes(10))),
            reports_per_account: Limiter::new(Rule::new(20, minutes(60))),
        }
    }
}

impl AuthLimits {
    /// Counts a sign-in attempt for `account` from `client`.
    pub fn check_sign_in(&self, account: &str, client: &str) -> Result<(), AppError> {
        self.sign_in_per_account_and_ip
            .check(&format!("{account}|{client}"))?;
        self.sign_in_per_account.check(account)
    }

    /// Counts an email to `address` asked for by `client`.
    pub fn check_email(&self, address: &str, client: &str) -> Result<(), AppError> {
        self.email_per_account_and_ip
            .check(&format!("{address}|{client}"))?;
        self.email_per_account.check(address)
    }

    pub fn retain_recent(&self) {
        for l in [
            &self.sign_in_per_ip,
            &self.sign_in_per_account_and_ip,
            &self.sign_in_per_account,
            &self.sign_up_per_ip,
            &self.artist_signup_per_ip,
            &self.tokens_per_ip,
            &self.provider_calls_per_ip,
            &self.payouts_per_account,
            &self.email_per_account_and_ip,
            &self.email_per_account,
            &self.tips_per_ip,
            &self.uploads_per_account,
            &self.sockets_per_ip,
            &self.comments_per_account,
            &self.reactions_per_account,
            &self.views_per_viewer,
            &self.reports_per_account,
        ] {
            l.retain_recent();
        }
    }
}

pub type SharedAuthLimits = Arc<AuthLimits>;

/// The client's address for limits and logs. `forwarded` is the value of the header a
/// trusted reverse proxy sets (`CLIENT_IP_HEADER`), when one is configured: its last
/// entry is the address the proxy itself saw (entries before it are whatever the
/// client claimed). Without a configured header the socket's peer is the client, and
/// any forwarding header a client sends is ignored. An IPv6 client counts as its /64
/// network (one subscriber usually holds a whole /64).
pub fn client_address(
    forwarded: Option<&str>,
    header_configured: bool,
    peer: Option<std::net::IpAddr>,
) -> String {
    let from_proxy = forwarded
        .filter(|_| header_configured)
        .and_then(|v| v.rsplit(',').next())
        .map(str::trim)
        .and_then(|v| v.parse::<std::net::IpAddr>().ok());
    match from_proxy.or(peer) {
        Some(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Some(std::net::IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map_or_else(|| v6.to_string(), |v4| v4.to_string()),
        Some(ip) => ip.to_string(),
        None => "unknown".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_refuses_with_a_wait() {
        let limiter = Limiter::new(Rule::new(3, Duration::from_secs(60)));
        for _ in 0..3 {
            limiter.check("1.2.3.4").expect("within burst");
        }
        match limiter.check("1.2.3.4") {
            Err(AppError::RateLimited {
                retry_after_secs, ..
            }) => {
                assert!(
                    (1..=21).contains(&retry_after_secs),
                    "wait {retry_after_secs}"
                );
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        // Another key has its own budget.
        limiter.check("5.6.7.8").expect("other key");
    }

    #[test]
    fn the_client_address_comes_from_the_proxy_only_when_configured() {
        let peer = Some("10.0.0.2".parse().expect("ip"));
        assert_eq!(client_address(Some("6.6.6.6"), false, peer), "10.0.0.2");
        assert_eq!(
            client_address(Some("6.6.6.6, 203.0.113.9"), true, peer),
            "203.0.113.9"
        );
        assert_eq!(client_address(Some("garbage"), true, peer), "10.0.0.2");
        assert_eq!(client_address(None, true, None), "unknown");
        assert_eq!(
            client_address(Some("2001:db8:1:2:aaaa::1"), true, peer),
            "2001:db8:1:2::/64",
            "one IPv6 subscriber, one budget"
        );
        assert_eq!(
            client_address(None, false, Some("::ffff:192.0.2.7".parse().expect("ip"))),
            "192.0.2.7"
        );
    }

    #[test]
    fn a_stranger_uses_up_their_own_allowance_not_the_owners() {
        let limits = AuthLimits::default();
        let refused = (0..20)
            .filter(|_| limits.check_sign_in("ana@example.com", "6.6.6.6").is_err())
            .count();
        assert_eq!(refused, 10, "the stranger's address is limited after 10");
        limits
            .check_sign_in("ana@example.com", "1.2.3.4")
            .expect("the owner, from their own address, still signs in");
        for _ in 0..5 {
            limits
                .check_email("ana@example.com", "6.6.6.6")
                .expect("within the allowance");
        }
        assert!(matches!(
            limits.check_email("ana@example.com", "6.6.6.6"),
            Err(AppError::RateLimited { .. })
        ));
        limits
            .check_email("ana@example.com", "1.2.3.4")
            .expect("the owner can still ask for a reset link");
    }
}
