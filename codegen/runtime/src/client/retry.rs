//! When a call is tried again: never by default (Open Finance reads are billable and the
//! partner API asks that they not be retried blindly), and, when opted in, only on the statuses
//! that say "later" (429, 529, 504), waiting as long as `Retry-After` asks.

use http::HeaderMap;
use std::time::{Duration, SystemTime};

/// Which answers are tried again, how often, and how long to wait in between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    attempts: u32,
    statuses: Vec<u16>,
    base_delay: Duration,
    max_delay: Duration,
}

impl RetryPolicy {
    /// One attempt, whatever the answer: the default.
    pub fn none() -> Self {
        RetryPolicy {
            attempts: 1,
            statuses: Vec::new(),
            base_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
        }
    }

    /// Up to `attempts` attempts in all when the server answers 429 (too many requests), 529
    /// (overloaded) or 504 (gateway timeout), waiting `Retry-After` when the answer gives one,
    /// else 250 ms doubled at each attempt, and never more than 30 s: an answer that asks for
    /// longer is returned rather than waited for.
    ///
    /// It applies to every method: the integration layer's reads are `POST`s. A 504 may come
    /// after the server did the work, so for an operation that creates something (a consent),
    /// leave 504 out with [`RetryPolicy::statuses`].
    pub fn on_overload(attempts: u32) -> Self {
        RetryPolicy {
            attempts: attempts.max(1),
            statuses: vec![429, 504, 529],
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(30),
        }
    }

    /// Retries these statuses instead.
    pub fn statuses(mut self, statuses: impl IntoIterator<Item = u16>) -> Self {
        self.statuses = statuses.into_iter().collect();
        self
    }

    /// The first wait when the answer gives no `Retry-After`; it doubles at each attempt.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest wait.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The most attempts a call makes.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// How long to wait before attempt `attempt + 1` after an answer of `status` with
    /// `headers` (`attempt` counts from 1), or `None` when the answer is final.
    pub fn delay(&self, attempt: u32, status: u16, headers: &HeaderMap) -> Option<Duration> {
        if attempt >= self.attempts || !self.statuses.contains(&status) {
            return None;
        }
        let wait = match retry_after(headers, SystemTime::now()) {
            Some(asked) => asked,
            None => {
                let factor = 1u32
                    .checked_shl(attempt.saturating_sub(1))
                    .unwrap_or(u32::MAX);
                self.base_delay.saturating_mul(factor).min(self.max_delay)
            }
        };
        (wait <= self.max_delay).then_some(wait)
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::none()
    }
}

/// The wait a `Retry-After` header asks for: delay-seconds or an HTTP date (RFC 9110 §10.2.3),
/// measured from `now`; a date in the past asks for no wait, an unreadable value for nothing.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(text).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_retry_after(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_str(v).expect("valid"),
        );
        h
    }

    #[test]
    fn none_never_retries() {
        let p = RetryPolicy::none();
        assert_eq!(p.delay(1, 429, &HeaderMap::new()), None);
    }

    #[test]
    fn overload_statuses_back_off_and_stop() {
        let p = RetryPolicy::on_overload(3);
        let h = HeaderMap::new();
        assert_eq!(p.delay(1, 429, &h), Some(Duration::from_millis(250)));
        assert_eq!(p.delay(2, 529, &h), Some(Duration::from_millis(500)));
        assert_eq!(p.delay(3, 504, &h), None, "three attempts in all");
        assert_eq!(p.delay(1, 500, &h), None, "500 is not a 'later'");
        assert_eq!(p.delay(1, 404, &h), None);
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            retry_after(&with_retry_after("7"), now),
            Some(Duration::from_secs(7))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(120));
        assert_eq!(
            retry_after(&with_retry_after(&later), now),
            Some(Duration::from_secs(120))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(5));
        assert_eq!(
            retry_after(&with_retry_after(&past), now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&with_retry_after("soon"), now), None);
    }

    #[test]
    fn a_wait_longer_than_the_cap_is_not_waited() {
        let p = RetryPolicy::on_overload(5).max_delay(Duration::from_secs(2));
        assert_eq!(
            p.delay(1, 429, &with_retry_after("1")),
            Some(Duration::from_secs(1))
        );
        assert_eq!(p.delay(1, 429, &with_retry_after("3600")), None);
    }
}
