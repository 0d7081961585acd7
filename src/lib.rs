//! seatmail: Microsoft 365 seat changes requested by e-mail.
//!
//! A customer writes to the reseller's `webservices@` mailbox; seatmail reads the mail
//! ([`intake`]), understands it ([`parse`]), checks who sent it and what the rules allow
//! ([`decide`]), changes the subscription with an audit ledger in one transaction ([`apply`],
//! [`store`]) and answers ([`answer`]); with a `[vendor]`, each applied change is also carried to
//! Microsoft Partner Center or the reseller's own system ([`vendor`]) before its answer goes out.
//! [`app`] wires the stages into workers; [`cli`] is the operator's command line. Data flows one way; each stage hands the next a value, not a row.

pub mod agreement;
pub mod answer;
pub mod app;
pub mod apply;
pub mod check;
pub mod cli;
pub mod clock;
pub mod config;
pub mod decide;
pub mod domain;
pub mod health;
pub mod import;
pub mod instance;
pub mod intake;
pub mod notify;
pub mod oauth;
pub mod parse;
pub mod secret;
pub mod store;
pub mod tls;
pub mod vendor;
pub mod web;

/// Abort the process at a named point (crash tests only: compiled in with the `failpoints`
/// feature, a no-op otherwise). `SEATMAIL_FAILPOINT=name` aborts at the first pass through
/// `name`, `name:N` at the N-th.
#[macro_export]
macro_rules! failpoint {
    ($name:literal) => {
        #[cfg(feature = "failpoints")]
        $crate::failpoints::hit($name);
    };
}

#[cfg(feature = "failpoints")]
#[doc(hidden)]
pub mod failpoints {
    use std::sync::atomic::{AtomicU64, Ordering};

    static HITS: AtomicU64 = AtomicU64::new(0);

    pub fn hit(name: &str) {
        let Ok(spec) = std::env::var("SEATMAIL_FAILPOINT") else { return };
        let (want, nth) = match spec.split_once(':') {
            Some((n, k)) => (n.to_string(), k.parse::<u64>().unwrap_or(1)),
            None => (spec, 1),
        };
        if want == name && HITS.fetch_add(1, Ordering::SeqCst) + 1 >= nth {
            eprintln!("failpoint {name} reached: aborting");
            std::process::abort();
        }
    }
}
