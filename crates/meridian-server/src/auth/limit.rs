//! Sign-in throttling: after too many failed attempts for one account or from one address in a
//! sliding window, further attempts are refused with `429` until the oldest failure ages out.
//!
//! The counts live in this server instance's memory. With several instances behind a load
//! balancer each keeps its own, so the effective limit is per instance; a restart forgets them.
//! Addresses are the TCP peer's (IPv6 ones by /64 network): behind a reverse proxy every client
//! shares the proxy's address.

use meridian_domain::UnixMillis;
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;

/// How far back failures count.
pub const WINDOW_MS: i64 = 15 * 60 * 1_000;
/// Failures per account (or per account's password check) within the window.
pub const PER_ACCOUNT: usize = 5;
/// Failures per client address within the window, across accounts.
pub const PER_ADDRESS: usize = 20;
/// Keys tracked before every key is pruned of old failures, bounding memory under a flood.
const PRUNE_AT: usize = 10_000;

/// What failures are counted against.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LimitKey {
    /// A normalised email address, or a user id for password changes.
    Account(String),
    Address(IpAddr),
}

impl LimitKey {
    /// The key for a client address. IPv6 addresses count by their /64 network, which one
    /// subscriber usually holds whole, so rotating through it does not reset the count.
    pub fn address(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(_) => Self::Address(ip),
            IpAddr::V6(v6) => {
                let network = u128::from(v6) & (u128::MAX << 64);
                Self::Address(IpAddr::V6(network.into()))
            }
        }
    }

    fn limit(&self) -> usize {
        match self {
            Self::Account(_) => PER_ACCOUNT,
            Self::Address(_) => PER_ADDRESS,
        }
    }
}

/// Recent failures per key, oldest first.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: HashMap<LimitKey, VecDeque<UnixMillis>>,
}

impl LoginLimiter {
    /// `Err(seconds)` to wait when any of `keys` has reached its limit at `now`.
    pub fn check(&mut self, keys: &[LimitKey], now: UnixMillis) -> Result<(), u64> {
        let mut wait = None;
        for key in keys {
            let Some(times) = self.failures.get_mut(key) else { continue };
            forget_old(times, now);
            if times.len() >= key.limit() {
                // The oldest failure leaves the window first and frees one attempt.
                let free_at = times.front().copied().unwrap_or(now) + WINDOW_MS;
                wait = wait.max(Some(free_at - now));
            }
        }
        match wait {
            Some(millis) => Err(u64::try_from(millis.max(1_000)).unwrap_or(1).div_ceil(1_000)),
            None => Ok(()),
        }
    }

    /// Counts a failed attempt against every key.
    pub fn fail(&mut self, keys: &[LimitKey], now: UnixMillis) {
        if self.failures.len() >= PRUNE_AT {
            self.failures.retain(|_, times| {
                forget_old(times, now);
                !times.is_empty()
            });
        }
        for key in keys {
            let times = self.failures.entry(key.clone()).or_default();
            forget_old(times, now);
            times.push_back(now);
        }
    }

    /// Clears a key's failures, as after a successful sign-in to that account. Addresses are
    /// never cleared by success, or one valid account would unlock guessing at every other.
    pub fn succeed(&mut self, key: &LimitKey) {
        self.failures.remove(key);
    }
}

fn forget_old(times: &mut VecDeque<UnixMillis>, now: UnixMillis) {
    while times.front().is_some_and(|at| now - at >= WINDOW_MS) {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> LimitKey {
        LimitKey::Account("ana@example.com".into())
    }

    #[test]
    fn an_account_is_locked_after_five_failures_until_the_first_ages_out() {
        let mut limiter = LoginLimiter::default();
        for minute in 0..5 {
            assert_eq!(limiter.check(&[account()], minute * 60_000), Ok(()));
            limiter.fail(&[account()], minute * 60_000);
        }
        let now = 5 * 60_000;
        assert_eq!(limiter.check(&[account()], now), Err(10 * 60));
        assert_eq!(limiter.check(&[LimitKey::Account("kofi@example.com".into())], now), Ok(()));
        assert_eq!(limiter.check(&[account()], WINDOW_MS), Ok(()), "the first failure aged out");
    }

    #[test]
    fn an_address_is_locked_across_accounts() {
        let mut limiter = LoginLimiter::default();
        let address = LimitKey::Address(IpAddr::from([192, 0, 2, 1]));
        for n in 0..PER_ADDRESS {
            let keys = [LimitKey::Account(format!("p{n}@example.com")), address.clone()];
            assert_eq!(limiter.check(&keys, 0), Ok(()));
            limiter.fail(&keys, 0);
        }
        let fresh = [LimitKey::Account("new@example.com".into()), address.clone()];
        assert_eq!(limiter.check(&fresh, 1_000), Err(15 * 60 - 1));
        assert_eq!(limiter.check(&fresh, WINDOW_MS), Ok(()));
    }

    #[test]
    fn ipv6_addresses_count_by_network() {
        let one: IpAddr = "2001:db8:1:2::1".parse().expect("ip");
        let same_network: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("ip");
        let other_network: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert_eq!(LimitKey::address(one), LimitKey::address(same_network));
        assert_ne!(LimitKey::address(one), LimitKey::address(other_network));
        let v4 = IpAddr::from([192, 0, 2, 1]);
        assert_eq!(LimitKey::address(v4), LimitKey::Address(v4));
    }

    proptest::proptest! {
        /// Whatever the timing of attempts, no window lets more failures through than the limit,
        /// and a refusal always names a wait that ends inside the window.
        #[test]
        fn no_window_admits_more_than_the_limit(gaps in proptest::collection::vec(0i64..120_000, 1..80)) {
            let mut limiter = LoginLimiter::default();
            let mut admitted = Vec::new();
            let mut now = 0;
            for gap in gaps {
                now += gap;
                match limiter.check(&[account()], now) {
                    Ok(()) => {
                        limiter.fail(&[account()], now);
                        admitted.push(now);
                    }
                    Err(wait) => proptest::prop_assert!((1..=15 * 60).contains(&wait)),
                }
            }
            for (i, start) in admitted.iter().enumerate() {
                let inside = admitted[i..].iter().take_while(|at| **at - start < WINDOW_MS).count();
                proptest::prop_assert!(inside <= PER_ACCOUNT, "{inside} failures within one window");
            }
        }
    }

    #[test]
    fn success_clears_the_account() {
        let mut limiter = LoginLimiter::default();
        for _ in 0..PER_ACCOUNT {
            limiter.fail(&[account()], 0);
        }
        assert!(limiter.check(&[account()], 0).is_err());
        limiter.succeed(&account());
        assert_eq!(limiter.check(&[account()], 0), Ok(()));
    }
}
