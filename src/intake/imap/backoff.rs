//! How long the intake waits before it tries a failing server again: doubling from
//! `reconnect_base_ms` up to `reconnect_max_secs`, plus up to a quarter more at random, so that
//! several instances (or several resellers behind one provider) do not knock in step. A
//! session counts as healthy — and the backoff starts over — only once it has filed a mail or
//! stayed up for a minute: a session that logs in and fails the same way every time keeps
//! backing off, to minutes, instead of reconnecting every few seconds.

use std::time::{Duration, Instant};

use rand::Rng;

/// A session this old was working, whatever ended it.
pub(super) const HEALTHY_AFTER: Duration = Duration::from_secs(60);

pub(super) struct Backoff {
    base: Duration,
    max: Duration,
    /// Failed sessions since the last healthy one.
    pub failures: u32,
    /// When the first of them failed.
    pub since: Option<chrono::DateTime<chrono::Utc>>,
}

impl Backoff {
    pub fn new(base: Duration, max: Duration) -> Backoff {
        Backoff { base, max: max.max(base), failures: 0, since: None }
    }

    /// One more failure: how long to wait before the next attempt.
    pub fn failed(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        self.since.get_or_insert_with(chrono::Utc::now);
        let delay = self.delay(self.failures);
        let jitter = rand::thread_rng().gen_range(0..=delay.as_millis() as u64 / 4);
        delay + Duration::from_millis(jitter)
    }

    /// The wait after the `n`th consecutive failure, before jitter.
    fn delay(&self, n: u32) -> Duration {
        let factor = 1u32.checked_shl(n.saturating_sub(1).min(31)).unwrap_or(u32::MAX);
        self.base.checked_mul(factor).unwrap_or(self.max).min(self.max)
    }

    pub fn reset(&mut self) {
        self.failures = 0;
        self.since = None;
    }
}

/// What one session achieved, to tell a working session that later failed from one that
/// never really worked.
#[derive(Default)]
pub(super) struct SessionHealth {
    pub ready_at: Option<Instant>,
    pub filed: bool,
}

impl SessionHealth {
    pub fn healthy(&self) -> bool {
        self.filed || self.ready_at.is_some_and(|t| t.elapsed() >= HEALTHY_AFTER)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The defaults (1 s doubling to 300 s): attempt times of a session that always fails.
    fn attempts(minutes: u64) -> Vec<f64> {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(300));
        let mut t = 0.0;
        let mut out = vec![t];
        while t < minutes as f64 * 60.0 {
            t += b.failed().as_secs_f64();
            out.push(t);
        }
        out
    }

    #[test]
    fn a_server_that_keeps_failing_is_tried_at_most_a_few_times_a_minute_after_the_first() {
        for _ in 0..20 {
            let times = attempts(60);
            let first_minute = times.iter().filter(|t| **t < 60.0).count();
            assert!(first_minute <= 6, "{first_minute} attempts in the first minute: {times:?}");
            for minute in 1..60 {
                let n = times.iter().filter(|t| (minute as f64 * 60.0..(minute + 1) as f64 * 60.0).contains(*t)).count();
                assert!(n <= 2, "{n} attempts in minute {minute}: {times:?}");
            }
            // It does get to minutes between attempts, and stays there (with jitter on top).
            let gaps: Vec<f64> = times.windows(2).map(|w| w[1] - w[0]).collect();
            assert!(gaps.iter().rev().take(5).all(|g| (300.0..=375.0).contains(g)), "{gaps:?}");
        }
    }

    #[test]
    fn the_delay_doubles_from_the_base_and_never_passes_the_cap() {
        let b = Backoff::new(Duration::from_millis(200), Duration::from_secs(2));
        let delays: Vec<u128> = (1..=8).map(|n| b.delay(n).as_millis()).collect();
        assert_eq!(delays, [200, 400, 800, 1600, 2000, 2000, 2000, 2000]);
        assert_eq!(b.delay(200), Duration::from_secs(2), "no overflow after many failures");
        let mut b = b;
        for _ in 0..3 {
            b.failed();
        }
        assert!(b.since.is_some());
        b.reset();
        assert_eq!((b.failures, b.since), (0, None));
    }
}
