//! A vendor job settled, in one transaction with everything it entails: confirmed, the answer
//! that waited for it is released (once no other job holds it); refused, the change is undone
//! in the store with a `vendor_reverted` ledger row, the subscription's later jobs are moved
//! onto the quantity without it, the item is rejected under the rule the vendor's answer maps
//! to, and the answer is written again from the items as they now stand. A settlement that
//! lost the job (its lease ran out and another attempt took it) writes nothing.

use chrono::Utc;

use super::held;
use super::write::{issue_code, Reply};
use super::{mail_date, ApplyError, Processor};
use crate::decide::resolve::Resolution;
use crate::decide::vendor::{self as decide_vendor, Refusal, Settlement};
use crate::decide::{AnswerKind, Rule, Snapshot};
use crate::domain::{ItemStatus, JobState};
use crate::parse::Parsed;
use crate::store::{HeldAnswer, JobRow, NewLedger, Tx};

impl Processor {
    /// Carry out what decide said of leased `job`. False when the job was no longer this
    /// attempt's to settle.
    pub async fn settle_job(&self, job: &JobRow, settlement: Settlement) -> Result<bool, ApplyError> {
        let store = &self.store;
        match settlement {
            Settlement::Again { at, why, accepted } => Ok(store.reschedule_job(job.id, job.attempts, at, &why, accepted).await?),
            Settlement::Fail(why) => Ok(store.fail_job(job.id, job.attempts, &why).await?),
            Settlement::Confirm => {
                let mut tx = store.begin().await?;
                if !tx.settle_job(job.id, job.attempts, JobState::Confirmed, None).await? {
                    return Ok(false);
                }
                let answered = self.answer_when_settled(&mut tx, job.held_answer).await?;
                self.commit(tx, answered).await?;
                Ok(true)
            }
            Settlement::Refuse(refusal) => self.refused(job, &refusal).await,
        }
    }

    async fn refused(&self, job: &JobRow, refusal: &Refusal) -> Result<bool, ApplyError> {
        let mut tx = self.store.begin().await?;
        if !tx.settle_job(job.id, job.attempts, JobState::Refused, Some((refusal.rule, &refusal.reason))).await? {
            return Ok(false);
        }
        let (m, rows, _) = held::load(&mut tx, job.message).await?;
        let snapshot = held::snapshot(&mut tx, &m).await?;
        // Undone by the change's own difference: later changes stay.
        let diff = job.new_quantity - job.old_quantity;
        let current = snapshot.subscription(&job.subscription_id).map(|(_, s)| s.quantity).unwrap_or(job.new_quantity);
        let undone = (current - diff).max(0);
        tx.set_quantity(&job.subscription_id, undone).await?;
        tx.insert_ledger(&NewLedger {
            subscription_id: &job.subscription_id,
            message: Some(job.message),
            item: Some(job.item),
            actor: &self.vendor_actor(),
            old_quantity: current,
            new_quantity: undone,
            rule: Rule::VendorReverted,
            note: None,
        })
        .await?;
        let moved = tx.rebase_jobs_after(job).await?;
        let old = rows.iter().find(|r| r.id == job.item).and_then(|r| r.old_quantity);
        tx.update_item(job.item, ItemStatus::Rejected, refusal.rule, old, None).await?;
        if let Some(h) = job.held_answer {
            tx.mark_stale(h).await?;
        }
        let (r, _) = self.reported(&mut tx, job.message, job.message).await?;
        tx.set_message_reason(job.message, r.state, &r.reason).await?;
        let answered = self.answer_when_settled(&mut tx, job.held_answer).await?;
        self.commit(tx, answered).await?;
        tracing::warn!(
            job = job.id, subscription = %job.subscription_id, rule = %refusal.rule, reason = %refusal.reason, later_jobs_moved = moved,
            "the vendor refused the change: undone in the store, the request is answered with the vendor's reason"
        );
        Ok(true)
    }

    /// The answer `held` waits with goes out once no job holds it any more: as written, or
    /// written again when a job of it was refused or moved. True when an answer was queued.
    async fn answer_when_settled(&self, tx: &mut Tx, held: Option<i64>) -> Result<bool, ApplyError> {
        let Some(id) = held else { return Ok(false) };
        let held = tx.held_answer_locked(id).await?;
        if tx.jobs_holding(id).await? > 0 || held.released {
            return Ok(false);
        }
        if !held.stale {
            tx.release_held(id).await?;
            return Ok(true);
        }
        self.rewrite(tx, &held).await
    }

    /// The held answer replaced by one reporting the items as they now stand.
    async fn rewrite(&self, tx: &mut Tx, held: &HeldAnswer) -> Result<bool, ApplyError> {
        let (r, (snapshot, mail)) = self.reported(tx, held.about, held.message).await?;
        tx.replace_held(held.id).await?;
        let Some(plan) = &r.answer else { return Ok(false) };
        let customer = r.customer_id.as_deref().and_then(|c| snapshot.customers.get(c));
        // The held answer's code never went out: a confirmation still asked for gets a new one.
        let code = match (plan.kind, &r.customer_id) {
            (AnswerKind::Confirm, Some(c)) => {
                let expires = Utc::now() + chrono::Duration::hours(self.config.policy.confirm_code_ttl_hours);
                Some(issue_code(tx, held.about, c, expires, plan.time_zone).await?)
            }
            _ => None,
        };
        let reply = Reply {
            plan,
            items: &r.items,
            customer,
            sender: &r.sender,
            mail: &mail,
            date: mail_date(&mail),
            note: held.note.as_deref(),
            code: code.as_ref().map(|(c, e)| (c.as_str(), e.as_str())),
        };
        self.queue_answer(tx, held.message, &reply).await?;
        Ok(true)
    }

    /// Message `about` as its settled jobs left it (the vendor's words on its refused items),
    /// decided for an answer replying to message `reply_to`.
    async fn reported(&self, tx: &mut Tx, about: i64, reply_to: i64) -> Result<(Resolution, (Snapshot, Parsed)), ApplyError> {
        let (mut m, rows, _) = held::load(tx, about).await?;
        let refusals = tx.refusals_of(about).await?;
        for (item, row) in m.items.iter_mut().zip(&rows) {
            item.vendor_reason = refusals.get(&row.id).cloned();
        }
        let snapshot = held::snapshot(tx, &m).await?;
        let mail = self.reparse(&tx.message_raw(reply_to).await?)?;
        let ours = self.ours();
        let r = decide_vendor::report(m, &mail, &snapshot, &self.context(&ours, Utc::now(), 0));
        Ok((r, (snapshot, mail)))
    }

    /// Who the ledger says undid a refused change.
    fn vendor_actor(&self) -> String {
        format!("vendor:{}", self.config.vendor.kind.as_str())
    }
}
