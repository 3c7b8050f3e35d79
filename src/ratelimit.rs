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

/// The limits of the account endpoints, after Mastodon's defaults.
pub struct AuthLimits {
    pub sign_in_per_ip: Limiter,
    pub sign_in_per_account: Limiter,
    pub sign_up_per_ip: Limiter,
    pub tokens_per_ip: Limiter,
    pub email_per_account: Limiter,
}

impl Default for AuthLimits {
    fn default() -> Self {
        let minutes = |m: u64| Duration::from_secs(60 * m);
        Self {
            sign_in_per_ip: Limiter::new(Rule::new(25, minutes(5))),
            sign_in_per_account: Limiter::new(Rule::new(10, minutes(15))),
            sign_up_per_ip: Limiter::new(Rule::new(25, minutes(30))),
            tokens_per_ip: Limiter::new(Rule::new(10, minutes(15))),
            email_per_account: Limiter::new(Rule::new(5, minutes(60))),
        }
    }
}

impl AuthLimits {
    pub fn retain_recent(&self) {
        for l in [
            &self.sign_in_per_ip,
            &self.sign_in_per_account,
            &self.sign_up_per_ip,
            &self.tokens_per_ip,
            &self.email_per_account,
        ] {
            l.retain_recent();
        }
    }
}

pub type SharedAuthLimits = Arc<AuthLimits>;

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
}
