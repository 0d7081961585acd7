//! Reading what decide needs and writing what it decided: the snapshot with its locked
//! subscriptions, the message row, the items with their seat changes and ledger rows, the
//! approval hold, the confirmation code and the answer.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use super::{key, ApplyError, Processor};
use crate::answer::AnswerInput;
use crate::decide::{AnswerPlan, CustomerState, Decision, ItemDecision, ItemStatus, Snapshot};
use crate::intake::Incoming;
use crate::parse::{Change, Parsed};
use crate::store::{NewItem, NewJob, NewLedger, NewMessage, NewOutbox, StoreError, Tx};

/// An answer to write: what it reports, and the mail it replies to.
pub(super) struct Reply<'a> {
    pub plan: &'a AnswerPlan,
    pub items: &'a [ItemDecision],
    pub customer: Option<&'a CustomerState>,
    /// Whom the answer greets and is about (the requester).
    pub sender: &'a str,
    pub mail: &'a Parsed,
    pub date: Option<DateTime<Utc>>,
    pub note: Option<&'a str>,
    /// A confirmation code and when it expires (for the `confirm` kind).
    pub code: Option<(&'a str, &'a str)>,
}

impl Processor {
    pub(super) async fn insert_message(
        &self,
        tx: &mut Tx,
        incoming: &Incoming,
        key: &str,
        parsed: Option<&Parsed>,
        decision: &Decision,
    ) -> Result<Option<i64>, StoreError> {
        let raw_headers = key::raw_headers(&incoming.raw);
        let mail_date = match parsed {
            Some(p) => super::mail_date(p),
            None => raw_headers.date.as_deref().and_then(super::date_header),
        }
        .map(crate::store::ts);
        let (message_id, sender, subject, language, parsed_json) = match parsed {
            Some(p) => (
                p.message_id.clone(),
                p.from.clone(),
                p.meta.subject.clone(),
                p.language.map(|l| l.code().to_string()),
                serde_json::to_string(&serde_json::json!({
                    "outcome": p.outcome.as_str(),
                    "language": p.language.map(|l| l.code()),
                    "items": p.to_json_line("").items,
                    "reason": p.reason,
                    "ask": p.ask.map(|a| a.as_str()),
                    "text": p.meta.text.chars().take(4000).collect::<String>(),
                }))
                .unwrap_or_default(),
            ),
            None => (raw_headers.message_id.clone(), raw_headers.from.clone(), raw_headers.subject.clone(), None, "{}".into()),
        };
        tx.insert_message(&NewMessage {
            key,
            source: &incoming.source,
            source_id: &incoming.source_id,
            message_id: message_id.as_deref(),
            sender: sender.as_deref(),
            subject: subject.as_deref(),
            customer_id: decision.customer_id.as_deref(),
            language: language.as_deref(),
            received_at: &crate::store::ts(incoming.received_at),
            mail_date: mail_date.as_deref(),
            state: decision.state,
            reason: &decision.reason,
            attention: decision.attention,
            parsed: &parsed_json,
            raw: &incoming.raw,
            raw_truncated: incoming.oversized,
        })
        .await
    }

    /// Everything a decision writes besides the message row: its items with their seat
    /// changes and ledger rows, the ops hold, the confirmation code, and the answer. True when
    /// an answer was queued.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn record_decision(
        &self,
        tx: &mut Tx,
        message: i64,
        decision: &Decision,
        snapshot: &Snapshot,
        mail: &Parsed,
        actor: &str,
        date: Option<DateTime<Utc>>,
        note: Option<&str>,
    ) -> Result<bool, ApplyError> {
        for item in &decision.items {
            let id = tx.insert_item(&new_item(message, item)).await?;
            apply_change(tx, message, id, item, actor, note, self.provisions()).await?;
        }
        if decision.waits_for_ops() {
            tx.open_approval(message).await?;
        }
        let Some(plan) = &decision.answer else { return Ok(false) };
        let code = match (decision.code_expires, &decision.customer_id) {
            (Some(expires), Some(customer)) => Some(issue_code(tx, message, customer, expires, plan.time_zone).await?),
            _ => None,
        };
        let reply = Reply {
            plan,
            items: &decision.items,
            customer: decision.customer_id.as_deref().and_then(|c| snapshot.customers.get(c)),
            sender: mail.from.as_deref().unwrap_or_default(),
            mail,
            date,
            note,
            code: code.as_ref().map(|(c, e)| (c.as_str(), e.as_str())),
        };
        self.queue_answer(tx, message, &reply).await?;
        Ok(true)
    }

    pub(super) async fn queue_answer(&self, tx: &mut Tx, message: i64, reply: &Reply<'_>) -> Result<(), ApplyError> {
        let rendered = self.renderer.render(&AnswerInput {
            plan: reply.plan,
            items: reply.items,
            customer: reply.customer,
            catalog: &self.catalog,
            sender: reply.sender,
            meta: &reply.mail.meta,
            original_message_id: reply.mail.message_id.as_deref(),
            original_date: reply.date.map(|d| crate::clock::local(d, reply.plan.time_zone)),
            note: reply.note,
            code: reply.code,
            bcc: &self.config.answers.bcc,
        })?;
        let answer = NewOutbox {
            message: Some(message),
            message_id: &rendered.message_id,
            kind: crate::domain::MailKind::Answer(reply.plan.kind),
            recipients: &rendered.recipients,
            subject: &rendered.subject,
            body: &rendered.body,
        };
        // An answer reporting changes still on their way to the vendor waits for them.
        if tx.has_unheld_jobs() {
            tx.hold_answer(&answer, reply.note).await?;
        } else {
            tx.insert_outbox(&answer).await?;
        }
        Ok(())
    }
}

fn new_item(message: i64, item: &ItemDecision) -> NewItem<'_> {
    let (delta, target) = match item.change {
        Change::Delta(d) => (Some(d), None),
        Change::Target(t) => (None, Some(t)),
    };
    NewItem {
        message,
        position: i64::try_from(item.position).unwrap_or(i64::MAX),
        username: item.username.as_deref(),
        product: item.product.as_deref(),
        delta,
        target,
        subscription_id: item.subscription_id.as_deref(),
        status: item.status,
        rule: item.rule,
        old_quantity: item.old_quantity,
        new_quantity: item.new_quantity,
    }
}

/// An applied item's new quantity, with its ledger row (who, which mail and item, the rule,
/// the operator's note).
/// An applied item's new quantity, with its ledger row (who, which mail and item, the rule) and,
/// when `provision`, the job that takes the change to the vendor.
pub(super) async fn apply_change(
    tx: &mut Tx,
    message: i64,
    item_id: i64,
    item: &ItemDecision,
    actor: &str,
    note: Option<&str>,
    provision: bool,
) -> Result<(), StoreError> {
    if item.status != ItemStatus::Applied {
        return Ok(());
    }
    if let (Some(sub), Some(old), Some(new)) = (&item.subscription_id, item.old_quantity, item.new_quantity) {
        if old != new {
            tx.set_quantity(sub, new).await?;
            tx.insert_ledger(&NewLedger {
                subscription_id: sub,
                message: Some(message),
                item: Some(item_id),
                actor,
                old_quantity: old,
                new_quantity: new,
                rule: item.rule,
                note,
            })
            .await?;
            if provision {
                let job = NewJob { message, item: item_id, subscription_id: sub, old_quantity: old, new_quantity: new };
                tx.insert_vendor_job(&job).await?;
            }
        }
    }
    Ok(())
}

/// A new one-time code confirming `message`'s held changes, until `expires`: the code and its
/// expiry as the answer says it. Only its hash is kept.
pub(super) async fn issue_code(
    tx: &mut Tx,
    message: i64,
    customer: &str,
    expires: DateTime<Utc>,
    zone: chrono_tz::Tz,
) -> Result<(String, String), StoreError> {
    let code = new_code();
    tx.insert_confirmation(message, customer, &crate::decide::code::hash(&code), &crate::store::ts(expires)).await?;
    Ok((code, crate::clock::local(expires, zone)))
}

/// `SM-XXXX-XXXX` from an alphabet without look-alikes (no 0/O, 1/I/L).
fn new_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let mut part = || (0..4).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect::<String>();
    format!("SM-{}-{}", part(), part())
}

/// Everything decide needs about the sender and the tenants a mail names, with the
/// subscriptions of every customer involved locked.
pub(super) async fn load_snapshot(tx: &mut Tx, sender: Option<&str>, username_domains: &[String]) -> Result<Snapshot, StoreError> {
    let domain_owners = tx.domain_owners(username_domains).await?;
    let mut customers: BTreeSet<String> = domain_owners.values().cloned().collect();
    if let Some(s) = sender {
        for c in tx.contacts_by_email(s).await? {
            customers.insert(c.customer_id);
        }
    }
    load_customers(tx, sender, customers, domain_owners).await
}

pub(super) async fn load_customers(
    tx: &mut Tx,
    sender: Option<&str>,
    customers: BTreeSet<String>,
    domain_owners: HashMap<String, String>,
) -> Result<Snapshot, StoreError> {
    let contacts = match sender {
        Some(s) => tx.contacts_by_email(s).await?,
        None => Vec::new(),
    };
    let mut snap = Snapshot { contacts, domain_owners, customers: Default::default() };
    let since = super::day_ago();
    // BTreeSet order: every transaction locks customers in the same order, so none deadlock.
    for id in customers {
        let Some(customer) = tx.customer(&id).await? else { continue };
        let subscriptions = tx.subscriptions_locked(&id).await?;
        let contacts = tx.contacts_of(&id).await?;
        let seats_changed_today = tx.seats_changed_since(&id, &since).await?;
        snap.customers.insert(id, CustomerState { customer, subscriptions, contacts, seats_changed_today });
    }
    Ok(snap)
}
