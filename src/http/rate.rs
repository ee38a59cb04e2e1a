//! Rate limits per client, with `governor` (the generic cell rate algorithm, one
//! state per client).
//!
//! A client is the label of its API key when it sends a valid one, else its IP
//! address; an IPv6 client is its /64, the block one subscriber usually holds, so
//! that rotating addresses within it buys nothing. Each GraphQL operation costs one
//! request (a batch of ten costs ten), and so does each WebSocket connection.
//! Clients that have been quiet long enough to be back at a full burst are
//! forgotten now and then, so the table stays as large as the set of recent
//! clients.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::auth::Auth;

/// Checks between two clean-ups of the table of clients.
const CLEAN_EVERY: usize = 4_096;

/// Who a request counts against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Client {
    /// A valid API key, by its label.
    Key(String),
    /// An address (IPv6: the /64 it is in).
    Address(IpAddr),
    /// No address known (only in tests that run requests without a socket).
    Unknown,
}

impl Client {
    /// The client behind a request: its key's label, else its address.
    pub fn of(auth: &Auth, peer: Option<IpAddr>) -> Self {
        match (auth, peer) {
            (Auth::Caller(c), _) => Client::Key(c.label.clone()),
            (_, Some(ip)) => Client::Address(block(ip)),
            (_, None) => Client::Unknown,
        }
    }
}

/// An IPv4 address as it is; an IPv6 address as its /64 (IPv4-mapped ones as IPv4).
fn block(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// The rate limits of this server; `None` inside when they are off.
pub struct RateLimits {
    limiter: Option<DefaultKeyedRateLimiter<Client>>,
    clock: DefaultClock,
    checks: AtomicUsize,
}

impl RateLimits {
    /// `per_second` requests per second sustained, `burst` at once; no limit when
    /// `per_second` is 0.
    pub fn new(per_second: u32, burst: u32) -> Self {
        let limiter = NonZeroU32::new(per_second).map(|rate| {
            let burst = NonZeroU32::new(burst.max(per_second)).unwrap_or(rate);
            DefaultKeyedRateLimiter::keyed(Quota::per_second(rate).allow_burst(burst))
        });
        RateLimits {
            limiter,
            clock: DefaultClock::default(),
            checks: AtomicUsize::new(0),
        }
    }

    /// Takes `cost` requests from `client`'s allowance; `Err(wait)` when it has not
    /// got them, with how long to wait before it has.
    pub fn check(&self, client: &Client, cost: usize) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        if self.checks.fetch_add(1, Ordering::Relaxed) % CLEAN_EVERY == CLEAN_EVERY - 1 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        let n = NonZeroU32::new(u32::try_from(cost.max(1)).unwrap_or(u32::MAX))
            .unwrap_or(NonZeroU32::MIN);
        match limiter.check_key_n(client, n) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => Err(not_until.wait_time_from(self.clock.now())),
            // More at once than the burst allows, ever: wait as for a full burst.
            Err(_) => Err(Duration::from_secs(1)),
        }
    }

    /// How many clients the table holds now.
    pub fn clients(&self) -> usize {
        self.limiter.as_ref().map_or(0, |l| l.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Client {
        Client::of(&Auth::Anonymous, Some(s.parse().unwrap()))
    }

    #[test]
    fn a_client_past_its_burst_is_told_how_long_to_wait() {
        let limits = RateLimits::new(1, 3);
        let me = ip("192.0.2.1");
        for _ in 0..3 {
            assert_eq!(limits.check(&me, 1), Ok(()));
        }
        let wait = limits.check(&me, 1).expect_err("over the burst");
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
        assert_eq!(
            limits.check(&ip("192.0.2.2"), 1),
            Ok(()),
            "others are not held"
        );
    }

    #[test]
    fn a_batch_costs_one_request_per_operation() {
        let limits = RateLimits::new(1, 10);
        let me = ip("192.0.2.1");
        assert_eq!(limits.check(&me, 10), Ok(()));
        assert!(limits.check(&me, 1).is_err());
        assert!(
            limits.check(&ip("192.0.2.3"), 11).is_err(),
            "over the burst at once"
        );
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_block() {
        assert_eq!(ip("2001:db8:1:2::1"), ip("2001:db8:1:2:ffff::9"));
        assert_ne!(ip("2001:db8:1:2::1"), ip("2001:db8:1:3::1"));
        assert_eq!(ip("::ffff:192.0.2.1"), ip("192.0.2.1"));
    }

    #[test]
    fn no_rate_means_no_limit() {
        let limits = RateLimits::new(0, 0);
        for _ in 0..10_000 {
            assert_eq!(limits.check(&Client::Unknown, 1), Ok(()));
        }
        assert_eq!(limits.clients(), 0);
    }
}
