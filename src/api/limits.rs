//! Request budgets: a cap on the URI's length, and per-client rate limits (GCRA, through
//! `governor`) with `RateLimit-*` headers on every counted response and 429 past the limit.
//!
//! A client is its API key when it sends a valid one, else its IP address (an IPv6 one by
//! its /64), from the peer or from `rate_limit.client_ip_header` behind a trusted proxy.
//! Health probes and the docs are not counted, so monitoring and reading the docs never
//! lock a client out.

use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, ResponseError};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::{DefaultKeyedRateLimiter, Quota};

use super::auth::{self, Caller, Keyring};
use super::error::ApiError;
use crate::config::RateLimitSettings;

/// Longest request URI (path and query) served; longer ones get 414. Like nginx's default.
pub const MAX_URI_BYTES: usize = 8 * 1024;

pub const RATELIMIT_LIMIT: &str = "ratelimit-limit";
pub const RATELIMIT_REMAINING: &str = "ratelimit-remaining";
pub const RATELIMIT_RESET: &str = "ratelimit-reset";

/// Buckets are dropped once full again, every this many requests, so memory stays bounded
/// however many addresses call.
const SWEEP_EVERY: u64 = 4096;

/// Whom a request is charged to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Client {
    Key(usize),
    Ip(IpAddr),
    /// No address known (not over TCP); all such requests share one bucket.
    Unknown,
}

/// The per-client limiter shared by every worker of a server.
pub struct RateLimiter {
    limiter: DefaultKeyedRateLimiter<Client, StateInformationMiddleware>,
    quota: Quota,
    client_ip_header: Option<HeaderName>,
    requests: AtomicU64,
}

/// The budget left after a request: what the `RateLimit-*` headers say.
struct Budget {
    limit: u32,
    remaining: u32,
    reset_secs: u64,
}

impl RateLimiter {
    /// `None` when rate limiting is disabled.
    pub fn from_settings(settings: &RateLimitSettings) -> Result<Option<RateLimiter>, String> {
        if !settings.enabled {
            return Ok(None);
        }
        let per_second = NonZeroU32::new(settings.per_second).ok_or(
            "rate_limit.per_second must be at least 1 (or set rate_limit.enabled = false)",
        )?;
        let burst = NonZeroU32::new(settings.burst).ok_or("rate_limit.burst must be at least 1")?;
        let client_ip_header = match settings.client_ip_header.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(name) => Some(HeaderName::try_from(name).map_err(|_| {
                format!("rate_limit.client_ip_header: `{name}` is not a header name")
            })?),
        };
        let quota = Quota::per_second(per_second).allow_burst(burst);
        Ok(Some(RateLimiter {
            limiter: DefaultKeyedRateLimiter::keyed(quota)
                .with_middleware::<StateInformationMiddleware>(),
            quota,
            client_ip_header,
            requests: AtomicU64::new(0),
        }))
    }

    fn client(&self, req: &ServiceRequest, caller: Caller) -> Client {
        if let Caller::Key(index) = caller {
            return Client::Key(index);
        }
        let forwarded = self.client_ip_header.as_ref().and_then(|name| {
            let value = req.headers().get(name)?.to_str().ok()?;
            // A proxy appends the address it saw; earlier entries are the client's to forge.
            value.rsplit(',').next()?.trim().parse::<IpAddr>().ok()
        });
        forwarded
            .or_else(|| req.peer_addr().map(|addr| addr.ip()))
            .map_or(Client::Unknown, |ip| Client::Ip(network_of(ip)))
    }

    /// Charges one request to `client`: its budget, or how long to wait.
    fn charge(&self, client: &Client) -> Result<Budget, u64> {
        if self.requests.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        let limit = self.quota.burst_size().get();
        match self.limiter.check_key(client) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                let used = limit.saturating_sub(remaining);
                let refill = self.quota.replenish_interval() * used;
                Ok(Budget {
                    limit,
                    remaining,
                    reset_secs: ceil_secs(refill),
                })
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                Err(ceil_secs(wait).max(1))
            }
        }
    }
}

/// The address a budget belongs to: an IPv6 client is its /64, since one host is usually
/// given a whole /64 and could otherwise take a fresh budget per address.
fn network_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        },
        v4 => v4,
    }
}

fn ceil_secs(duration: Duration) -> u64 {
    duration.as_secs() + u64::from(duration.subsec_nanos() > 0)
}

fn set_budget_headers(headers: &mut HeaderMap, budget: &Budget) {
    for (name, value) in [
        (RATELIMIT_LIMIT, u64::from(budget.limit)),
        (RATELIMIT_REMAINING, u64::from(budget.remaining)),
        (RATELIMIT_RESET, budget.reset_secs),
    ] {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
}

/// Middleware (for `actix_web::middleware::from_fn`): 414 for an overlong URI, then the
/// client's rate limit (429 when spent).
pub async fn enforce(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let uri_len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if uri_len > MAX_URI_BYTES {
        let error = ApiError::UriTooLong {
            limit: MAX_URI_BYTES,
        };
        return Ok(req.into_response(error.error_response()));
    }
    let limiter = req.app_data::<web::Data<RateLimiter>>().cloned();
    let Some(limiter) = limiter.filter(|_| !auth::is_public_path(req.path())) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let caller = req
        .app_data::<web::Data<Keyring>>()
        .map_or(Caller::Anonymous, |keyring| keyring.caller(&req));
    let client = limiter.client(&req, caller);
    match limiter.charge(&client) {
        Ok(budget) => {
            let mut response = next.call(req).await?.map_into_boxed_body();
            set_budget_headers(response.headers_mut(), &budget);
            Ok(response)
        }
        Err(retry_after_secs) => {
            tracing::debug!(?client, retry_after_secs, "rate limited");
            let mut response = ApiError::RateLimited { retry_after_secs }.error_response();
            let budget = Budget {
                limit: limiter.quota.burst_size().get(),
                remaining: 0,
                reset_secs: retry_after_secs,
            };
            set_budget_headers(response.headers_mut(), &budget);
            Ok(req.into_response(response))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_share_a_budget_per_64_and_ipv4_per_address() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            network_of(ip("2001:db8:1:2:aaaa::1")),
            network_of(ip("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(
            network_of(ip("2001:db8:1:2::1")),
            network_of(ip("2001:db8:1:3::1"))
        );
        assert_eq!(network_of(ip("::ffff:192.0.2.7")), ip("192.0.2.7"));
        assert_ne!(network_of(ip("192.0.2.7")), network_of(ip("192.0.2.8")));
    }

    #[test]
    fn waits_round_up_to_whole_seconds() {
        assert_eq!(ceil_secs(Duration::from_millis(1)), 1);
        assert_eq!(ceil_secs(Duration::from_secs(2)), 2);
        assert_eq!(ceil_secs(Duration::from_millis(2001)), 3);
        assert_eq!(ceil_secs(Duration::ZERO), 0);
    }
}
