//! Provisioning at the vendor, decided: what the vendor holds before a job is sent, what its
//! answer to a change means — confirmed, refused under which rule, worth trying again, or a
//! set-up problem for ops — when to try again, and what a refusal does to the request and its
//! answer. The connectors (`src/vendor/`) only carry the vendor's words here; the worker and
//! the apply stage carry out what these functions say.
//!
//! Changes are absolute quantities: a job says "old → new" and the vendor is asked to hold
//! `new`. Read back after a crash, the vendor holding `new` settles the job without a second
//! change on top, holding `old` means the change never arrived, and anything else is drift
//! that a person must look at ([`before_sending`]).

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::resolve::{Held, Resolution};
use super::{answer, describe_items, outcome_of, Context, ItemDecision, ItemStatus, Rule, Snapshot};
use crate::domain::SubscriptionStatus;
use crate::parse::Parsed;

/// A subscription's status in the vendor's words (Partner Center: `active`, `suspended`,
/// `deleted`, `expired`, `pending`, `none`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VendorStatus {
    Active,
    Suspended,
    Deleted,
    Expired,
    /// Being provisioned, or a word seatmail does not know: not comparable with the store.
    Other,
}

impl VendorStatus {
    pub fn from_word(word: &str) -> VendorStatus {
        match word.trim().to_ascii_lowercase().as_str() {
            "active" => VendorStatus::Active,
            "suspended" | "disabled" => VendorStatus::Suspended,
            "deleted" => VendorStatus::Deleted,
            "expired" => VendorStatus::Expired,
            _ => VendorStatus::Other,
        }
    }

    /// The store's word for it, when it has one.
    pub fn store_status(self) -> Option<SubscriptionStatus> {
        match self {
            VendorStatus::Active => Some(SubscriptionStatus::Active),
            VendorStatus::Suspended => Some(SubscriptionStatus::Suspended),
            VendorStatus::Deleted | VendorStatus::Expired => Some(SubscriptionStatus::Expired),
            VendorStatus::Other => None,
        }
    }
}

/// What the vendor holds for a subscription, read before a change is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observed {
    pub quantity: i64,
    pub status: VendorStatus,
}

/// A job as these decisions see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobFacts {
    pub old: i64,
    pub new: i64,
    /// The vendor accepted the change earlier (HTTP 202) without having applied it yet.
    pub accepted: bool,
}

/// A change the vendor refused: the rule it maps to, and the vendor's own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub rule: Rule,
    pub reason: String,
}

/// What to do once the vendor's current state is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Before {
    /// The vendor holds the new quantity already: settled, nothing is sent.
    Confirmed,
    /// The vendor holds the old quantity: send the change.
    Send,
    /// Accepted earlier and not applied yet: read again later, send nothing.
    Wait,
    /// The subscription is not active at the vendor: refused without asking.
    Refuse(Refusal),
    /// The vendor holds neither quantity: someone else changed it; a person must look.
    Conflict(String),
}

pub fn before_sending(job: &JobFacts, seen: &Observed) -> Before {
    if seen.quantity == job.new {
        return Before::Confirmed;
    }
    if seen.quantity != job.old {
        return Before::Conflict(format!(
            "the vendor holds {} seats, neither {} (before this change) nor {} (after it): the subscription was \
             changed elsewhere; run `seatmail vendor sync`, then `seatmail vendor retry`",
            seen.quantity, job.old, job.new
        ));
    }
    if job.accepted {
        return Before::Wait;
    }
    match seen.status {
        VendorStatus::Active => Before::Send,
        other => Before::Refuse(Refusal {
            rule: Rule::InactiveSubscription,
            reason: format!("the subscription is {} at the vendor", format!("{other:?}").to_ascii_lowercase()),
        }),
    }
}

/// The vendor's answer to one call, as a connector read it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    /// The vendor's error code (Partner Center's `code`), or the rule a webhook receiver named.
    pub code: Option<String>,
    /// The vendor's own words (`description`, `reason`), one line.
    pub description: String,
    /// `Retry-After`, when the vendor said when to come back.
    pub retry_after: Option<Duration>,
    /// The quantity the vendor reports after the change, when its answer carries one.
    pub quantity: Option<i64>,
    /// The call carried a token just issued (a refusal of it is then the set-up, not its age).
    pub fresh_token: bool,
}

/// What the vendor's answer means for the job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Confirmed,
    /// Accepted, not applied yet (Partner Center's 202): read back later.
    Accepted,
    Refused(Refusal),
    /// Worth trying again: throttled, busy, unreachable, timed out.
    Retry { after: Option<Duration>, why: String },
    /// A set-up problem (credentials, permissions, unknown ids): ops must fix it and retry.
    Broken(String),
}

/// No answer at all (connection refused, timeout, a reset in the middle): try again; the next
/// attempt reads the subscription back before sending anything.
pub fn unreachable(why: &str) -> Verdict {
    Verdict::Retry { after: None, why: why.to_string() }
}

/// Partner Center error codes (error-codes.md) that are refusals of the change itself, by the
/// rule seatmail uses for the same reason.
const ANNUAL_COMMITMENT: &[&str] = &["800090", "900117"];
const PRODUCT_MAXIMUM: &[&str] = &["2002", "800067", "800088", "800017"];
const INACTIVE: &[&str] = &["2001", "2011", "800012", "800081", "800091"];
/// Errors that pass: an ETag out of date, an order or cart in progress, not ready yet.
const TRANSIENT: &[&str] = &["2055", "800014", "800060", "800064", "800082", "800003", "800094"];
/// The set-up, not the change: token, access, relationship, unknown tenant, our own request.
const SET_UP: &[&str] = &["400", "2012", "2032", "20002", "60002", "60003", "800001", "800002", "800039"];

pub fn partner_center(reply: &Reply, job: &JobFacts) -> Verdict {
    let code = reply.code.as_deref().unwrap_or("");
    let said = || vendor_words(reply, "Partner Center error");
    match reply.status {
        200 | 201 => match reply.quantity {
            Some(q) if q != job.new => Verdict::Accepted,
            _ => Verdict::Confirmed,
        },
        202 => Verdict::Accepted,
        429 => Verdict::Retry { after: reply.retry_after, why: format!("throttled by Partner Center (429): {}", said()) },
        408 | 500..=599 => {
            Verdict::Retry { after: reply.retry_after, why: format!("Partner Center answered HTTP {}: {}", reply.status, said()) }
        }
        401 if reply.fresh_token => Verdict::Broken(format!(
            "Partner Center refused a token Entra ID had just issued (401: {}): register the app in Partner Center \
             (Account settings → App management) and check the tenant and scope of [vendor.partner_center.oauth2]",
            said()
        )),
        401 => Verdict::Retry { after: None, why: "Partner Center refused the token (401); a new one is asked for".into() },
        404 => Verdict::Broken(format!(
            "Partner Center does not know this customer or subscription (404: {}): check the customer's tenant_id and \
             the subscription's vendor_subscription_id",
            said()
        )),
        409 | 412 => Verdict::Retry { after: reply.retry_after, why: format!("Partner Center answered HTTP {}: {}", reply.status, said()) },
        400 | 403 | 422 => refusal_by_code(code, reply.status, said()),
        other => Verdict::Broken(format!("Partner Center answered HTTP {other}: {}", said())),
    }
}

fn refusal_by_code(code: &str, status: u16, said: String) -> Verdict {
    let rule = if ANNUAL_COMMITMENT.contains(&code) {
        Rule::AnnualCommitment
    } else if PRODUCT_MAXIMUM.contains(&code) {
        Rule::ProductMaximum
    } else if INACTIVE.contains(&code) {
        Rule::InactiveSubscription
    } else if TRANSIENT.contains(&code) {
        return Verdict::Retry { after: None, why: format!("Partner Center answered HTTP {status}: {said}") };
    } else if SET_UP.contains(&code) || status == 403 && code.is_empty() {
        return Verdict::Broken(format!("Partner Center refused the request (HTTP {status}: {said}): check the app's access"));
    } else {
        Rule::VendorRejected
    };
    Verdict::Refused(Refusal { rule, reason: said })
}

/// The rules a webhook receiver may name for its refusal; any other is `vendor_rejected`.
const WEBHOOK_RULES: [Rule; 4] = [Rule::AnnualCommitment, Rule::ProductMaximum, Rule::InactiveSubscription, Rule::BelowAssigned];

/// The reseller's own system: 2xx confirms; 4xx refuses (with the rule and reason of its JSON
/// answer); 408, 425, 429 and 5xx are tried again; 401, 403, 404, 405 are the set-up.
pub fn webhook(reply: &Reply) -> Verdict {
    match reply.status {
        200..=299 => Verdict::Confirmed,
        408 | 425 | 429 | 500..=599 => {
            Verdict::Retry { after: reply.retry_after, why: format!("the webhook answered HTTP {}: {}", reply.status, reply.description) }
        }
        401 | 403 | 404 | 405 => Verdict::Broken(format!(
            "the webhook answered HTTP {} ({}): check [vendor.webhook] url and secret, and that the receiver verifies \
             the signature with the same secret",
            reply.status, reply.description
        )),
        400..=499 => {
            let named = reply.code.as_deref().and_then(|c| c.parse::<Rule>().ok());
            let rule = named.filter(|r| WEBHOOK_RULES.contains(r)).unwrap_or(Rule::VendorRejected);
            Verdict::Refused(Refusal { rule, reason: vendor_words(reply, "code") })
        }
        other => Verdict::Broken(format!("the webhook answered HTTP {other}: {}", reply.description)),
    }
}

/// "description (Partner Center error 800090)".
fn vendor_words(reply: &Reply, what: &str) -> String {
    let text = if reply.description.is_empty() { format!("HTTP {}", reply.status) } else { reply.description.clone() };
    match reply.code.as_deref() {
        Some(code) if !code.is_empty() && !text.contains(code) => format!("{text} ({what} {code})"),
        _ => text,
    }
}

/// How often and how patiently a job is tried (`[vendor] max_attempts`, `retry_base_secs`,
/// `retry_max_secs`).
#[derive(Debug, Clone, Copy)]
pub struct Retries {
    pub max_attempts: u32,
    pub base: Duration,
    /// The longest wait between two attempts.
    pub max: Duration,
}

/// What the job becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    Confirm,
    Refuse(Refusal),
    /// Try again at `at` (`accepted`: the vendor has the change; only read it back).
    Again { at: DateTime<Utc>, why: String, accepted: bool },
    /// Given up until ops retry it (`seatmail vendor retry ID`); the answer keeps waiting.
    Fail(String),
}

/// The delay before attempt `attempts + 1`: `base`, doubling, at most `max`.
pub fn backoff(attempts: u32, retries: &Retries) -> Duration {
    retries.base.saturating_mul(1u32 << attempts.clamp(1, 16).saturating_sub(1)).min(retries.max)
}

/// The job's next state after attempt number `attempts` ended in `verdict`.
pub fn schedule(verdict: Verdict, attempts: u32, retries: &Retries, now: DateTime<Utc>) -> Settlement {
    let at = |d: Duration| now + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::hours(6));
    let exhausted = attempts >= retries.max_attempts;
    match verdict {
        Verdict::Confirmed => Settlement::Confirm,
        Verdict::Refused(r) => Settlement::Refuse(r),
        Verdict::Broken(why) => Settlement::Fail(why),
        Verdict::Accepted if exhausted => {
            Settlement::Fail(format!("the vendor accepted the change but had not applied it after {attempts} attempts"))
        }
        // Not a failure to back off from: the vendor is at work; look again at a steady pace.
        Verdict::Accepted => Settlement::Again {
            at: at(retries.base.min(retries.max)),
            why: "accepted by the vendor, not applied yet".into(),
            accepted: true,
        },
        Verdict::Retry { why, .. } if exhausted => Settlement::Fail(format!("{why} (gave up after {attempts} attempts)")),
        // The vendor's Retry-After is the earliest moment it wants to see us again.
        Verdict::Retry { after, why } => Settlement::Again {
            at: at(after.map(|a| a.max(Duration::from_secs(1))).unwrap_or_else(|| backoff(attempts, retries))),
            why,
            accepted: false,
        },
    }
}

/// What [`before_sending`] settles without a call, as a settlement (`None`: send the change).
pub fn settle_before(before: Before, job: &JobFacts, attempts: u32, retries: &Retries, now: DateTime<Utc>) -> Option<Settlement> {
    match before {
        Before::Send => None,
        Before::Confirmed => Some(Settlement::Confirm),
        Before::Refuse(r) => Some(Settlement::Refuse(r)),
        Before::Conflict(why) => Some(Settlement::Fail(why)),
        Before::Wait => Some(schedule(Verdict::Accepted, attempts, retries, now)).map(|s| match s {
            Settlement::Again { at, accepted, .. } => {
                Settlement::Again { at, accepted, why: format!("waiting for the vendor to apply {} → {}", job.old, job.new) }
            }
            other => other,
        }),
    }
}

/// The item at `position` refused by the vendor: rejected under the refusal's rule, with the
/// vendor's words for the answer. Its quantity change is undone by the caller (the ledger).
pub fn refuse(items: &mut [ItemDecision], position: usize, refusal: &Refusal) {
    if let Some(item) = items.iter_mut().find(|i| i.position == position) {
        item.status = ItemStatus::Rejected;
        item.rule = refusal.rule;
        item.new_quantity = None;
        item.vendor_reason = Some(refusal.reason.clone());
    }
}

/// The answer to a request whose changes the vendor has settled, from its items as they now
/// stand (some perhaps refused): the state they add up to and whom to tell. The first answer
/// was planned already, so no cap applies again.
pub fn report(held: Held, reply_to: &Parsed, snap: &Snapshot, ctx: &Context<'_>) -> Resolution {
    let mut items = held.items;
    for item in &mut items {
        let Some((customer, sub)) = item.subscription_id.as_deref().and_then(|s| snap.subscription(s)) else { continue };
        item.customer_id = Some(customer.customer.id.clone());
        item.with_terms(sub, ctx);
        if item.vendor_reason.is_some() {
            // The vendor's limit is not the catalog's: its own words say it.
            if let Some(t) = item.terms.as_mut() {
                t.max = None;
            }
        }
    }
    let (state, kind) = outcome_of(&items);
    let refused = items.iter().any(|i| i.vendor_reason.is_some());
    let reason = if refused { format!("the vendor refused: {}", describe_items(&items)) } else { held.reason.clone() };
    let named = held.customer_id.as_deref().and_then(|c| snap.customers.get(c));
    let sender = held.sender.unwrap_or_default();
    let mut involved: Vec<_> = snap.customers.values().collect();
    involved.sort_by(|a, b| a.customer.id.cmp(&b.customer.id));
    let plan = answer::plan(kind, &sender, !snap.contacts.is_empty(), involved, answer::language(reply_to, named, ctx), named, ctx);
    let settled = items.iter().map(|i| i.position).collect();
    Resolution { state, reason, items, settled, customer_id: held.customer_id, sender, answer: plan }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JOB: JobFacts = JobFacts { old: 10, new: 13, accepted: false };

    fn seen(quantity: i64, status: VendorStatus) -> Observed {
        Observed { quantity, status }
    }

    fn reply(status: u16, code: &str) -> Reply {
        Reply { status, code: Some(code.into()).filter(|c: &String| !c.is_empty()), description: "words".into(), ..Reply::default() }
    }

    #[test]
    fn what_the_vendor_holds_decides_whether_to_send() {
        assert_eq!(before_sending(&JOB, &seen(10, VendorStatus::Active)), Before::Send);
        assert_eq!(before_sending(&JOB, &seen(13, VendorStatus::Active)), Before::Confirmed, "a crash after the change: settled");
        assert!(matches!(before_sending(&JOB, &seen(12, VendorStatus::Active)), Before::Conflict(_)));
        let accepted = JobFacts { accepted: true, ..JOB };
        assert_eq!(before_sending(&accepted, &seen(10, VendorStatus::Active)), Before::Wait, "never a second change on top");
        assert_eq!(before_sending(&accepted, &seen(13, VendorStatus::Active)), Before::Confirmed);
        match before_sending(&JOB, &seen(10, VendorStatus::Suspended)) {
            Before::Refuse(r) => assert_eq!(r.rule, Rule::InactiveSubscription),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn partner_center_answers_map_to_rules() {
        let refused = |status, code| match partner_center(&reply(status, code), &JOB) {
            Verdict::Refused(r) => Some(r.rule),
            _ => None,
        };
        assert_eq!(refused(400, "800090"), Some(Rule::AnnualCommitment));
        assert_eq!(refused(400, "2002"), Some(Rule::ProductMaximum));
        assert_eq!(refused(403, "800088"), Some(Rule::ProductMaximum));
        assert_eq!(refused(400, "800091"), Some(Rule::InactiveSubscription));
        assert_eq!(refused(400, "2011"), Some(Rule::InactiveSubscription));
        assert_eq!(refused(400, "800095"), Some(Rule::VendorRejected));
        assert!(matches!(partner_center(&reply(400, "2055"), &JOB), Verdict::Retry { .. }), "a stale ETag passes");
        assert!(matches!(partner_center(&reply(403, "20002"), &JOB), Verdict::Broken(_)), "no relationship: the set-up");
        assert!(matches!(partner_center(&reply(404, "20003"), &JOB), Verdict::Broken(_)));
        assert!(matches!(partner_center(&reply(503, ""), &JOB), Verdict::Retry { .. }));
        assert_eq!(partner_center(&reply(202, ""), &JOB), Verdict::Accepted);
        assert_eq!(partner_center(&Reply { status: 200, quantity: Some(13), ..Reply::default() }, &JOB), Verdict::Confirmed);
        assert_eq!(partner_center(&Reply { status: 200, quantity: Some(10), ..Reply::default() }, &JOB), Verdict::Accepted);
        let throttled = Reply { status: 429, retry_after: Some(Duration::from_secs(7)), ..Reply::default() };
        assert!(matches!(partner_center(&throttled, &JOB), Verdict::Retry { after: Some(d), .. } if d.as_secs() == 7));
        let stale = Reply { status: 401, ..Reply::default() };
        assert!(matches!(partner_center(&stale, &JOB), Verdict::Retry { .. }));
        assert!(matches!(partner_center(&Reply { fresh_token: true, ..stale }, &JOB), Verdict::Broken(_)));
        match partner_center(&reply(400, "800090"), &JOB) {
            Verdict::Refused(r) => assert_eq!(r.reason, "words (Partner Center error 800090)"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn webhook_answers_map_to_rules() {
        assert_eq!(webhook(&reply(204, "")), Verdict::Confirmed);
        assert!(matches!(webhook(&reply(409, "product_maximum")), Verdict::Refused(Refusal { rule: Rule::ProductMaximum, .. })));
        assert!(matches!(webhook(&reply(422, "ops_approved")), Verdict::Refused(Refusal { rule: Rule::VendorRejected, .. })));
        assert!(matches!(webhook(&reply(401, "")), Verdict::Broken(_)));
        assert!(matches!(webhook(&reply(502, "")), Verdict::Retry { .. }));
    }

    #[test]
    fn retries_back_off_honour_retry_after_and_end() {
        let retries = Retries { max_attempts: 4, base: Duration::from_secs(10), max: Duration::from_secs(6 * 3600) };
        let now = Utc::now();
        let again = |v: Verdict, n| match schedule(v, n, &retries, now) {
            Settlement::Again { at, .. } => Some((at - now).num_seconds()),
            _ => None,
        };
        let busy = || Verdict::Retry { after: None, why: "busy".into() };
        assert_eq!(again(busy(), 1), Some(10));
        assert_eq!(again(busy(), 3), Some(40));
        assert_eq!(again(busy(), 4), None, "the last attempt fails the job");
        assert!(matches!(schedule(busy(), 4, &retries, now), Settlement::Fail(_)));
        assert_eq!(again(Verdict::Retry { after: Some(Duration::from_secs(90)), why: "429".into() }, 1), Some(90));
        assert_eq!(again(Verdict::Accepted, 3), Some(10), "an accepted change is looked at again at a steady pace");
        assert_eq!(backoff(40, &Retries { base: Duration::from_secs(30), ..retries }), Duration::from_secs(6 * 3600));
        assert_eq!(backoff(9, &Retries { max: Duration::from_secs(60), ..retries }), Duration::from_secs(60));
    }
}
