//! What an ops mail says about a queued mail, a dead answer, or a day's seat changes: the
//! stored rows turned into the views `mail.rs` lays out — names people read (the customer's,
//! the product's with its SKU), times in `[ops] time_zone`, links to the dashboard.

use chrono::{DateTime, Utc};

use super::mail::{CustomerChanges, Line, NoticeView};
use crate::clock::{elapsed, local};
use crate::decide::Rule;
use crate::domain::{ItemStatus, MessageState, NoticeKind};
use crate::parse::Catalog;
use crate::store::{AppliedRow, ItemRow, MessageRow, OutboxRow, QueueEntry};

pub struct Content<'a> {
    pub catalog: &'a Catalog,
    pub zone: chrono_tz::Tz,
    /// The dashboard, as people reach it (`[web] public_url`).
    pub url: String,
    pub now: DateTime<Utc>,
}

impl Content<'_> {
    pub fn message_link(&self, key: &str) -> String {
        format!("{}/messages/{key}", self.url)
    }

    /// The notice for a mail that entered the queue.
    pub fn message_notice(&self, kind: NoticeKind, m: &MessageRow, items: &[ItemRow], customer: Option<&str>) -> NoticeView {
        let (title, what) = self.why(kind, m, items);
        let mut facts = vec![
            fact("Customer", &customer_label(m.customer_id.as_deref(), customer)),
            fact("From", m.from.as_deref().unwrap_or("(no From)")),
            fact("Subject", m.subject.as_deref().unwrap_or("(no subject)")),
            fact("Sent", &format!("{} (waiting {})", self.local(m.waiting_since()), self.waiting(m.waiting_since()))),
        ];
        facts.push(fact("Why", &m.reason));
        NoticeView {
            title: title.into(),
            headline: headline(customer.or(m.from.as_deref()), m.subject.as_deref()),
            what,
            facts,
            items: items.iter().map(|i| self.item_line(i)).collect(),
            link: self.message_link(&m.key),
            cap: None,
        }
    }

    /// The notice for an answer the outbox gave up on; `about`: the mail it answers.
    pub fn dead_notice(&self, o: &OutboxRow, about: Option<(&MessageRow, Option<&str>)>) -> NoticeView {
        let mut facts = vec![
            fact("Answer", &format!("{} #{}", o.kind, o.id)),
            fact("To", &o.recipients.join(", ")),
            fact("Subject", &o.subject),
            fact("Attempts", &o.attempts.to_string()),
            fact("Error", o.last_error.as_deref().unwrap_or("-")),
        ];
        if let Some((m, customer)) = about {
            facts.push(fact("Customer", &customer_label(m.customer_id.as_deref(), customer)));
            facts.push(fact("For", &self.message_link(&m.key)));
        }
        NoticeView {
            title: "Answer not delivered".into(),
            headline: headline(about.and_then(|(_, c)| c).or(o.recipients.first().map(String::as_str)), Some(&o.subject)),
            what: format!(
                "The outbox gave up on an answer ({} attempts): the customer has not received it. Fix the cause, then retry it \
                 in the dashboard's outbox or with `seatmail outbox retry {}`.",
                o.attempts, o.id
            ),
            facts,
            items: Vec::new(),
            link: format!("{}/outbox?state=dead", self.url),
            cap: None,
        }
    }

    /// Why an item waits: the notice's title and first sentence.
    fn why(&self, kind: NoticeKind, m: &MessageRow, items: &[ItemRow]) -> (&'static str, String) {
        let held_for = |rule: Rule| items.iter().any(|i| i.status == ItemStatus::Pending && i.rule == rule);
        match kind {
            NoticeKind::Held if held_for(Rule::ApprovalThreshold) => {
                ("Held for approval", "A request is over the approval threshold: it waits for ops to approve, correct or reject it.".into())
            }
            NoticeKind::Held if held_for(Rule::DailyLimit) => (
                "Held: over the daily limit",
                "A request would take the customer over its daily change limit: it waits for ops to approve, correct or reject it.".into(),
            ),
            NoticeKind::Held if held_for(Rule::CautiousOps) => (
                "Held: cautious mode",
                "A request was understood and, in the cautious mode, waits for ops to confirm that reading: approve, correct or \
                 reject it."
                    .into(),
            ),
            NoticeKind::Held => (
                "Waits for the customer's code",
                "A request waits for the customer's admin to confirm it with the code we sent. Ops may correct or reject it.".into(),
            ),
            NoticeKind::Review => ("Needs review", format!("A mail needs a person ({}).", state_words(m.state))),
            NoticeKind::Flagged => (
                "Flagged",
                "A request names a tenant that is not the sender's organisation: refused, and flagged for a person to look at.".into(),
            ),
            NoticeKind::Unauthenticated => (
                "Not authenticated",
                "A mail from a registered address failed authentication, perhaps a forgery: refused without an answer.".into(),
            ),
            NoticeKind::UnknownSender => (
                "Unknown sender",
                "A mail from an address that is no registered contact: refused without an answer (perhaps an admin to register).".into(),
            ),
            NoticeKind::DeadAnswer => ("Answer not delivered", String::new()),
        }
    }

    /// `+3 Microsoft 365 Business Premium (SPB) for user@tenant: 10 → 13, pending (rule)`.
    pub fn item_line(&self, i: &ItemRow) -> String {
        let change = match (i.delta, i.target) {
            (Some(d), _) => format!("{d:+}"),
            (None, Some(t)) => format!("to {t}"),
            _ => "?".into(),
        };
        let product = i.product.as_deref().map(|p| self.product(p)).unwrap_or_else(|| "(product not named)".into());
        let user = i.username.as_deref().map(|u| format!(" for {u}")).unwrap_or_default();
        let seats = match (i.old_quantity, i.new_quantity) {
            (Some(o), Some(n)) => format!(": {o} → {n}"),
            (Some(o), None) => format!(": {o} now"),
            _ => String::new(),
        };
        format!("{change} {product}{user}{seats}, {} ({})", i.status, i.rule.describe())
    }

    /// A queued mail in one line of a summary or the digest.
    pub fn line(&self, title: &str, m: &MessageRow, customer: Option<&str>) -> Line {
        Line {
            title: title.into(),
            headline: headline(customer.or(m.from.as_deref()), m.subject.as_deref()),
            waiting: self.waiting(m.waiting_since()),
            link: self.message_link(&m.key),
        }
    }

    pub fn queue_line(&self, e: &QueueEntry, customer: Option<&str>) -> Line {
        let title = match e.state {
            MessageState::AwaitingApproval => "Held",
            MessageState::NeedsReview => "Needs review",
            _ => "To look at",
        };
        Line {
            title: title.into(),
            headline: headline(customer.or(e.from.as_deref()), e.subject.as_deref()),
            waiting: self.waiting(&e.waiting_since),
            link: self.message_link(&e.key),
        }
    }

    /// The day's seat changes, per customer: old → new, who, when (and the operator's note).
    pub fn applied(&self, rows: &[AppliedRow]) -> Vec<CustomerChanges> {
        let mut out: Vec<CustomerChanges> = Vec::new();
        for r in rows {
            let customer = format!("{} ({})", r.customer_name, r.customer_id);
            let line = format!(
                "{} {}: {} → {}, by {} at {}{}",
                self.product(&r.product),
                r.subscription_id,
                r.old_quantity,
                r.new_quantity,
                r.actor,
                self.local(&r.created_at),
                r.note.as_deref().map(|n| format!(" (note: {n})")).unwrap_or_default()
            );
            match out.last_mut() {
                Some(c) if c.customer == customer => c.lines.push(line),
                _ => out.push(CustomerChanges { customer, lines: vec![line] }),
            }
        }
        out
    }

    /// `Microsoft 365 Business Standard (O365_BUSINESS_PREMIUM)`: the name people know, and the SKU.
    fn product(&self, sku: &str) -> String {
        let name = self.catalog.name_of(sku);
        if name == sku {
            sku.to_string()
        } else {
            format!("{name} ({sku})")
        }
    }

    pub fn local(&self, stored: &str) -> String {
        crate::store::parse_ts(stored).map(|t| local(t, self.zone)).unwrap_or_else(|| stored.to_string())
    }

    fn waiting(&self, stored: &str) -> String {
        crate::store::parse_ts(stored).map(|t| elapsed(t, self.now)).unwrap_or_default()
    }
}

fn fact(label: &str, value: &str) -> String {
    let value: String = value.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    format!("{label:<10} {value}")
}

fn customer_label(id: Option<&str>, name: Option<&str>) -> String {
    match (name, id) {
        (Some(n), Some(i)) => format!("{n} ({i})"),
        (None, Some(i)) => i.to_string(),
        _ => "unknown".into(),
    }
}

fn headline(who: Option<&str>, subject: Option<&str>) -> String {
    let subject: String = subject.unwrap_or("(no subject)").chars().filter(|c| !c.is_control()).take(80).collect();
    match who {
        Some(w) => format!("{w} — {subject}"),
        None => subject,
    }
}

fn state_words(s: MessageState) -> &'static str {
    match s {
        MessageState::NeedsReview => "not understood, unclear, or not a seat request",
        _ => s.as_str(),
    }
}
