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

/// The intake talked to the server successfully just now.
pub fn imap_ok() {
    IMAP_LAST_OK.store(chrono::Utc::now().timestamp(), Ordering::Relaxed);
}

/// Unix time of the last successful IMAP exchange (0: never).
pub fn imap_last_ok() -> i64 {
    IMAP_LAST_OK.load(Ordering::Relaxed)
}
