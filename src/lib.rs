//! seatmail: Microsoft 365 seat changes requested by e-mail.
//!
//! A customer writes to the reseller's `webservices@` mailbox; seatmail reads the mail
//! ([`intake`]), understands it ([`parse`]), checks who sent it and what the rules allow
//! ([`decide`]), changes the subscription with an audit ledger in one transaction ([`apply`],
//! [`store`]) and answers ([`answer`]). [`app`] wires the stages into workers; [`cli`] is the
//! operator's command line. Data flows one way; each stage hands the next a value, not a row.

pub mod answer;
pub mod app;
pub mod apply;
pub mod cli;
pub mod config;
pub mod decide;
pub mod domain;
pub mod health;
pub mod import;
pub mod intake;
pub mod parse;
pub mod store;
pub mod tls;

/// Abort the process at a named point when `SEATMAIL_FAILPOINT` names it (crash tests only:
/// compiled in with the `failpoints` feature, a no-op otherwise).
#[macro_export]
macro_rules! failpoint {
    ($name:literal) => {
        #[cfg(feature = "failpoints")]
        {
            if std::env::var("SEATMAIL_FAILPOINT").as_deref() == Ok($name) {
                eprintln!("failpoint {} reached: aborting", $name);
                std::process::abort();
            }
        }
    };
}
