//! Process-wide counters the operator surfaces read (`/metrics`, the health page): cheap atomics
//! that the workers bump, never a lock on a hot path.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

static IMAP_RECONNECTS: AtomicU64 = AtomicU64::new(0);
static IMAP_LAST_OK: AtomicI64 = AtomicI64::new(0);

pub fn imap_reconnected() {
    IMAP_RECONNECTS.fetch_add(1, Ordering::Relaxed);
}

pub fn imap_reconnects() -> u64 {
    IMAP_RECONNECTS.load(Ordering::Relaxed)
}

static IMAP_FAILURES: AtomicU64 = AtomicU64::new(0);

/// Consecutive failed IMAP sessions (0: the last one got ready).
pub fn imap_failing(failures: u32) {
    IMAP_FAILURES.store(u64::from(failures), Ordering::Relaxed);
}

pub fn imap_failures() -> u64 {
    IMAP_FAILURES.load(Ordering::Relaxed)
}

/// The intake talked to the server successfully just now.
pub fn imap_ok() {
    IMAP_LAST_OK.store(chrono::Utc::now().timestamp(), Ordering::Relaxed);
}

/// Unix time of the last successful IMAP exchange (0: never).
pub fn imap_last_ok() -> i64 {
    IMAP_LAST_OK.load(Ordering::Relaxed)
}

/// Upper bounds (seconds) of the processing-latency histogram's buckets; `+Inf` is implicit.
pub const PROCESSING_BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

static PROCESSING_COUNTS: [AtomicU64; 10] = [const { AtomicU64::new(0) }; 10];
static PROCESSING_COUNT: AtomicU64 = AtomicU64::new(0);
static PROCESSING_SUM_MICROS: AtomicU64 = AtomicU64::new(0);
static PROCESSING_FAILURES: AtomicU64 = AtomicU64::new(0);

/// One mail was processed (committed) in `d`, from taking it off the intake to its outcome.
pub fn observe_processing(d: std::time::Duration) {
    let secs = d.as_secs_f64();
    for (bound, count) in PROCESSING_BUCKETS.iter().zip(PROCESSING_COUNTS.iter()) {
        if secs <= *bound {
            count.fetch_add(1, Ordering::Relaxed);
        }
    }
    PROCESSING_COUNT.fetch_add(1, Ordering::Relaxed);
    PROCESSING_SUM_MICROS.fetch_add(u64::try_from(d.as_micros()).unwrap_or(u64::MAX), Ordering::Relaxed);
}

/// Processing a mail failed (nothing committed; it is read again).
pub fn processing_failed() {
    PROCESSING_FAILURES.fetch_add(1, Ordering::Relaxed);
}

/// The latency histogram: cumulative counts per bucket of [`PROCESSING_BUCKETS`], the total
/// count and the sum in seconds.
pub fn processing_histogram() -> (Vec<u64>, u64, f64) {
    let buckets = PROCESSING_COUNTS.iter().map(|c| c.load(Ordering::Relaxed)).collect();
    let sum = PROCESSING_SUM_MICROS.load(Ordering::Relaxed) as f64 / 1e6;
    (buckets, PROCESSING_COUNT.load(Ordering::Relaxed), sum)
}

pub fn processing_failures() -> u64 {
    PROCESSING_FAILURES.load(Ordering::Relaxed)
}
