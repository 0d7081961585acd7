//! Reseller ops' decisions on the queue (approve, reject, correct), and the loading and writing
//! shared with a customer's confirmation code: a held message settled in one transaction.

use std::collections::BTreeSet;

use chrono::Utc;

use super::write::{apply_change, load_customers, load_snapshot, Reply};
use super::{answers_today, mail_date, ApplyError, Processed, Processor};
use crate::decide::resolve::{self, Held, OpsAction, OpsStep, Resolution, Settle};
use crate::decide::{self, ItemDecision, Snapshot};
use crate::domain::{MessageState, OpsVerdict};
use crate::parse::{self, Change};
use crate::store::{ItemRow, StoreError, Tx};

/// A message and its items, locked, as decide sees them; with the item rows and the key.
pub(super) async fn load(tx: &mut Tx, id: i64) -> Result<(Held, Vec<ItemRow>, String), StoreError> {
    let (m, rows) = tx.message_locked(id).await?;
    let items = rows.iter().map(item_of).collect::<Result<Vec<_>, _>>()?;
    let held = Held {
        id: m.id,
        state: m.state,
        reason: m.reason.clone(),
        sender: m.from,
        customer_id: m.customer_id,
        attention: m.attention,
        reviewed: m.reviewed_at.is_some(),
        items,
    };
    Ok((held, rows, m.key))
}

/// A stored item as decide's value; the customer is filled in from the snapshot by decide.
fn item_of(r: &ItemRow) -> Result<ItemDecision, StoreError> {
    let corrupt = |message: String| StoreError::Corrupt { table: "request_items", message };
    let change = match (r.delta, r.target) {
        (Some(d), _) => Change::Delta(d),
        (None, Some(t)) => Change::Target(t),
        (None, None) => return Err(corrupt(format!("item {} has neither delta nor target", r.id))),
    };
    Ok(ItemDecision {
        position: usize::try_from(r.position).map_err(|_| corrupt(format!("item {} at position {}", r.id, r.position)))?,
        username: r.username.clone(),
        product: r.product.clone(),
        change,
        customer_id: None,
        subscription_id: r.subscription_id.clone(),
        status: r.status,
        rule: r.rule,
        old_quantity: r.old_quantity,
        new_quantity: r.new_quantity,
        role: None,
        terms: None,
        vendor_reason: None,
    })
}

/// The held message's sender and the customers of its subscriptions, locked.
pub(super) async fn snapshot(tx: &mut Tx, held: &Held) -> Result<Snapshot, StoreError> {
    let mut customers: BTreeSet<String> = held.customer_id.iter().cloned().collect();
    for s in held.items.iter().filter_map(|i| i.subscription_id.as_deref()) {
        if let Some(owner) = tx.subscription_owner(s).await? {
            customers.insert(owner);
        }
    }
    load_customers(tx, held.sender.as_deref(), customers, Default::default()).await
}

/// Write a resolution: the settled items with their seat changes and ledger rows, and the
/// message's state (its approval closed when nothing waits any more, opened when ops must look).
#[allow(clippy::too_many_arguments)]
pub(super) async fn write(
    tx: &mut Tx,
    id: i64,
    rows: &[ItemRow],
    r: &Resolution,
    actor: &str,
    note: Option<&str>,
    provision: bool,
) -> Result<(), StoreError> {
    // The items are the rows', in their order (see `load`).
    for (item, row) in r.items.iter().zip(rows).filter(|(i, _)| r.settled.contains(&i.position)) {
        tx.update_item(row.id, item.status, item.rule, item.old_quantity, item.new_quantity).await?;
        apply_change(tx, id, row.id, item, actor, note, provision).await?;
    }
    if r.state == MessageState::AwaitingApproval {
        tx.set_message_reason(id, r.state, &r.reason).await?;
        if r.waits_for_ops() {
            tx.open_approval(id).await?;
        }
    } else {
        tx.decide_message(id, r.state, &r.reason, actor, note).await?;
    }
    Ok(())
}

impl Processor {
    /// Reseller ops approve a held request: its items held for ops are decided again on the
    /// locked, current subscriptions (without the holds ops release) and applied.
    pub async fn approve(&self, id: i64, actor: &str, note: Option<&str>) -> Result<Processed, ApplyError> {
        self.decide_queued(id, actor, note, OpsAction::Approve).await
    }

    /// Reseller ops reject a held request (the note goes into the answer), or dismiss a mail
    /// that needed review, or mark a rejected mail as seen.
    pub async fn reject(&self, id: i64, actor: &str, note: Option<&str>) -> Result<Processed, ApplyError> {
        self.decide_queued(id, actor, note, OpsAction::Reject).await
    }

    async fn decide_queued(&self, id: i64, actor: &str, note: Option<&str>, action: OpsAction) -> Result<Processed, ApplyError> {
        let mut tx = self.store.begin().await?;
        let ops = format!("ops:{actor}");
        let (held, rows, key) = load(&mut tx, id).await?;
        let (before, kind) = (held.state, held.kind());
        let settle = match resolve::ops_step(&held, action, &ops, note).map_err(ApplyError::Refused)? {
            OpsStep::Seen => {
                tx.mark_reviewed(id, &ops, note).await?;
                tx.record_ops_decision(id, &ops, OpsVerdict::Seen, note, (before, MessageState::Rejected), kind).await?;
                tx.commit().await?;
                return Ok(Processed { key, state: MessageState::Rejected, reason: "seen".into(), duplicate: false });
            }
            OpsStep::Dismiss { reason } => {
                tx.decide_message(id, MessageState::Rejected, &reason, &ops, note).await?;
                tx.record_ops_decision(id, &ops, OpsVerdict::Dismissed, note, (before, MessageState::Rejected), kind).await?;
                tx.commit().await?;
                return Ok(Processed { key, state: MessageState::Rejected, reason, duplicate: false });
            }
            OpsStep::Settle(settle) => settle,
        };
        let snapshot = snapshot(&mut tx, &held).await?;
        let mail = self.reparse(&tx.message_raw(id).await?)?;
        let ours = self.ours();
        let ctx = self.context(&ours, Utc::now(), 0);
        let r = decide::resolve::resolve(held, settle, &ops, &mail, &snapshot, &ctx).map_err(ApplyError::Refused)?;
        write(&mut tx, id, &rows, &r, &ops, note, self.provisions()).await?;
        let verdict = if settle == Settle::OpsApprove { OpsVerdict::Approved } else { OpsVerdict::Rejected };
        tx.record_ops_decision(id, &ops, verdict, note, (before, r.state), kind).await?;
        let answered = match &r.answer {
            Some(plan) => {
                let customer = r.customer_id.as_deref().and_then(|c| snapshot.customers.get(c));
                let reply = Reply { plan, items: &r.items, customer, sender: &r.sender, mail: &mail, date: mail_date(&mail), note, code: None };
                self.queue_answer(&mut tx, id, &reply).await?;
                true
            }
            None => false,
        };
        self.commit(tx, answered).await?;
        Ok(Processed { key, state: r.state, reason: r.reason, duplicate: false })
    }

    /// Reseller ops correct a queued mail (a held request read wrongly, a mis-parsed or unclear
    /// one) and apply it: decided afresh with the items ops give — held again if its rules say
    /// so — and answered like any request. What it waited for before is closed: its approval,
    /// and any confirmation code (a new one goes out if the corrected change needs one).
    pub async fn correct(&self, id: i64, actor: &str, items: Vec<parse::Item>, note: Option<&str>) -> Result<Processed, ApplyError> {
        let mut tx = self.store.begin().await?;
        let (held, _, key) = load(&mut tx, id).await?;
        let mail = self.reparse(&tx.message_raw(id).await?)?;
        let snapshot = load_snapshot(&mut tx, mail.from.as_deref(), &decide::username_domains(&items)).await?;
        let answers_today = answers_today(&mut tx, &mail).await?;
        let ours = self.ours();
        let ctx = self.context(&ours, Utc::now(), answers_today);
        let ops = format!("ops:{actor}");
        let d = decide::request::correct(&held, &mail, items, &ops, &snapshot, &ctx).map_err(ApplyError::Refused)?;
        tx.delete_items(id).await?;
        tx.revoke_confirmations(id).await?;
        if !d.waits_for_ops() {
            tx.close_approval(id, d.state, &ops, note).await?;
        }
        let date = mail_date(&mail).unwrap_or_else(Utc::now);
        let answered = self.record_decision(&mut tx, id, &d, &snapshot, &mail, &ops, Some(date), note).await?;
        tx.set_message_outcome(id, d.state, &d.reason, d.customer_id.as_deref(), d.attention).await?;
        tx.record_ops_decision(id, &ops, OpsVerdict::Corrected, note, (held.state, d.state), held.kind()).await?;
        self.commit(tx, answered).await?;
        Ok(Processed { key, state: d.state, reason: d.reason, duplicate: false })
    }
}
