//! Provisioning at the vendor: the connectors that carry an applied change to Microsoft
//! Partner Center ([`partner_center`]) or to the reseller's own system ([`webhook`]), the worker
//! that sends the jobs the apply stage wrote with each change ([`worker`]), and the reading back
//! of the vendor's truth ([`sync`]).
//!
//! Only I/O lives here: what an answer of the vendor means, when to try again and what a
//! refusal does are decided in [`crate::decide::vendor`]; settling a job is one transaction of
//! the apply stage ([`crate::apply::Processor::settle_job`]).

pub mod partner_center;
pub mod sync;
pub mod webhook;
pub mod worker;

use std::time::Duration;

use crate::config::{VendorConfig, VendorKind};
use crate::decide::vendor::{JobFacts, Observed, Verdict};
pub(crate) use crate::oauth::one_line;
use crate::store::JobRow;

#[derive(Debug, thiserror::Error)]
pub enum VendorError {
    #[error("vendor set-up: {0}")]
    Setup(String),
    #[error("{0}")]
    Call(String),
}

/// What a change is about, as a connector sends it.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub customer_id: &'a str,
    pub tenant_id: Option<&'a str>,
    pub subscription_id: &'a str,
    pub vendor_id: Option<&'a str>,
    pub product: &'a str,
    pub idempotency_key: &'a str,
    pub message_key: &'a str,
    pub old_quantity: i64,
    pub new_quantity: i64,
}

impl<'a> Target<'a> {
    pub fn of(job: &'a JobRow) -> Target<'a> {
        Target {
            customer_id: &job.customer_id,
            tenant_id: job.tenant_id.as_deref(),
            subscription_id: &job.subscription_id,
            vendor_id: job.vendor_id.as_deref(),
            product: &job.product,
            idempotency_key: &job.idempotency_key,
            message_key: &job.message_key,
            old_quantity: job.old_quantity,
            new_quantity: job.new_quantity,
        }
    }

    pub fn facts(&self, accepted: bool) -> JobFacts {
        JobFacts { old: self.old_quantity, new: self.new_quantity, accepted }
    }
}

/// What the vendor holds, read before a change: its state, and (Partner Center) the resource a
/// change is written on.
#[derive(Debug, Clone)]
pub struct Current {
    pub observed: Observed,
    resource: serde_json::Value,
}

/// The connector `[vendor] kind` names.
pub enum Connector {
    PartnerCenter(partner_center::PartnerCenter),
    Webhook(webhook::Webhook),
}

impl Connector {
    /// `None` for `kind = "none"`. Secrets and key files are read now.
    pub fn from_config(config: &VendorConfig) -> Result<Option<Connector>, VendorError> {
        let setup = |m: String| VendorError::Setup(m);
        Ok(match config.kind {
            VendorKind::None => None,
            VendorKind::PartnerCenter => {
                let pc = config.partner_center.as_ref().ok_or_else(|| setup("no [vendor.partner_center]".into()))?;
                Some(Connector::PartnerCenter(partner_center::PartnerCenter::new(pc, config.timeout())?))
            }
            VendorKind::Webhook => {
                let w = config.webhook.as_ref().ok_or_else(|| setup("no [vendor.webhook]".into()))?;
                Some(Connector::Webhook(webhook::Webhook::new(w, config.timeout())?))
            }
        })
    }

    pub fn describe(&self) -> String {
        match self {
            Connector::PartnerCenter(p) => format!("Partner Center {}", p.base_url()),
            Connector::Webhook(w) => format!("webhook {}", w.url()),
        }
    }

    /// `check-config --connect`: can seatmail reach the vendor with its credentials? What it
    /// did, or why not.
    pub async fn check(&self) -> Result<String, String> {
        match self {
            Connector::PartnerCenter(p) => p.check().await,
            Connector::Webhook(_) => Ok("not called: every POST is an event".into()),
        }
    }

    /// What the vendor holds now; `Ok(None)` when it cannot be read (a webhook): the change is
    /// then sent again with the same idempotency key and the receiver keeps it once.
    pub async fn read(&self, t: &Target<'_>) -> Result<Option<Current>, Verdict> {
        match self {
            Connector::PartnerCenter(p) => p.read(t).await.map(Some),
            Connector::Webhook(_) => Ok(None),
        }
    }

    /// Ask the vendor to hold the target's new quantity.
    pub async fn change(&self, t: &Target<'_>, current: Option<&Current>) -> Verdict {
        match (self, current) {
            (Connector::PartnerCenter(p), Some(c)) => p.change(t, c).await,
            (Connector::PartnerCenter(_), None) => Verdict::Broken("a Partner Center change needs the subscription read first".into()),
            (Connector::Webhook(w), _) => w.change(t).await,
        }
    }
}

/// `check-config --connect`'s line for `[vendor]`, and whether it is fine (none without a vendor).
pub async fn check(config: &VendorConfig) -> Option<(String, bool)> {
    let what = format!("vendor {}", config.kind.as_str());
    match Connector::from_config(config) {
        Ok(None) => None,
        Ok(Some(v)) => Some(match v.check().await {
            Ok(said) => (format!("{what} {}: ok ({said})", v.describe()), true),
            Err(e) => (format!("{what} {}: FAILED: {e}", v.describe()), false),
        }),
        Err(e) => Some((format!("{what}: FAILED: {e}"), false)),
    }
}

/// `vendor status`: the jobs as a table, or JSON.
pub fn print_jobs(rows: &[JobRow], json: bool) {
    crate::cli::print_rows(
        rows,
        json,
        &[
            ("ID", &|r| r.id.to_string()),
            ("STATE", &|r| r.state.to_string()),
            ("CUSTOMER", &|r| r.customer_id.clone()),
            ("SUBSCRIPTION", &|r| r.subscription_id.clone()),
            ("CHANGE", &|r| format!("{} -> {}", r.old_quantity, r.new_quantity)),
            ("ATTEMPTS", &|r| r.attempts.to_string()),
            ("NEXT", &|r| if r.state.unsettled() { r.next_attempt_at.chars().take(19).collect() } else { "-".into() }),
            ("MESSAGE", &|r| r.message_key.chars().take(12).collect()),
            ("WHY", &|r| r.vendor_reason.clone().or_else(|| r.last_error.clone()).unwrap_or_else(|| "-".into())),
        ],
    );
}

/// `Retry-After`: delay-seconds or an HTTP date (RFC 9110 10.2.3).
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    (at.with_timezone(&chrono::Utc) - chrono::Utc::now()).to_std().ok().or(Some(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(reqwest::header::RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        let later = (chrono::Utc::now() + chrono::Duration::seconds(120)).to_rfc2822();
        h.insert(reqwest::header::RETRY_AFTER, later.parse().unwrap());
        assert!(retry_after(&h).is_some_and(|d| d.as_secs() > 100 && d.as_secs() <= 120));
        h.insert(reqwest::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }
}
