//! The provisioning worker: takes the jobs the apply stage wrote with each applied change, one
//! at a time, a subscription's jobs in order, and carries each to the vendor.
//!
//! An attempt is counted in the store before any call (the job's lease), then the subscription
//! is read back: when the vendor already holds the new quantity — a crash after the vendor
//! accepted and before the settlement was written — the job settles without a second change.
//! Only a vendor still holding the old quantity is sent the change, with the job's idempotency
//! key. What the vendor answered is judged by `decide::vendor` and settled by the apply stage in
//! one transaction (releasing or rewriting the answer that waited). The whole attempt runs
//! within the lease, so that no other worker takes the job while it is in flight. On shutdown
//! the attempt in flight finishes; nothing new starts.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::{Connector, Target};
use crate::apply::Processor;
use crate::decide::vendor::{self, before_sending, schedule, settle_before, Retries, Settlement};
use crate::store::{JobRow, StoreError};

pub struct Worker {
    pub connector: Arc<Connector>,
    pub processor: Processor,
    pub wake: Arc<Notify>,
    pub retries: Retries,
    pub lease: Duration,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Drained {
    pub settled: usize,
    pub again: usize,
}

impl Worker {
    /// Run until `cancel`: send what is due, then sleep until woken or a poll tick.
    pub async fn run(self, cancel: CancellationToken) {
        tracing::info!(vendor = %self.connector.describe(), "provisioning worker started");
        loop {
            if let Err(e) = self.drain_until(&cancel).await {
                tracing::error!(error = %e, "vendor jobs: store error; retrying");
            }
            tokio::select! {
                _ = cancel.cancelled() => break,
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
        tracing::info!("provisioning worker stopped");
    }

    /// Attempt every job due now, one after another; jobs waiting for a later retry are left.
    pub async fn drain(&self) -> Result<Drained, StoreError> {
        self.drain_until(&CancellationToken::new()).await
    }

    /// [`Self::drain`], stopping after the job in hand once `cancel` is.
    async fn drain_until(&self, cancel: &CancellationToken) -> Result<Drained, StoreError> {
        let mut done = Drained::default();
        let lease = i64::try_from(self.lease.as_secs()).unwrap_or(i64::MAX);
        while !cancel.is_cancelled() {
            let Some(job) = self.processor.store.lease_vendor_job(crate::instance::process_id(), Utc::now(), lease).await? else { break };
            let settlement = self.attempt(&job).await;
            let again = matches!(settlement, Settlement::Again { .. } | Settlement::Fail(_));
            log(&job, &settlement);
            match self.processor.settle_job(&job, settlement).await {
                Ok(true) if again => done.again += 1,
                Ok(true) => done.settled += 1,
                Ok(false) => tracing::warn!(job = job.id, "vendor job settled elsewhere meanwhile (its lease ran out); this attempt's result is dropped"),
                // The job stays leased, then due: the next attempt reads the vendor back first.
                Err(e) => tracing::error!(job = job.id, error = %e, "vendor job: the settlement could not be written; it will be read back and settled again"),
            }
        }
        Ok(done)
    }

    /// One attempt, within the lease (less a margin for writing its settlement).
    async fn attempt(&self, job: &JobRow) -> Settlement {
        let budget = self.lease.saturating_sub(self.lease / 4);
        match tokio::time::timeout(budget, self.call(job)).await {
            Ok(s) => s,
            Err(_) => self.judged(job, vendor::unreachable(&format!("the attempt took longer than {budget:?}"))),
        }
    }

    async fn call(&self, job: &JobRow) -> Settlement {
        let target = Target::of(job);
        let facts = target.facts(job.accepted_at.is_some());
        let attempts = attempts(job);
        crate::failpoint!("vendor_before_read");
        let current = match self.connector.read(&target).await {
            Ok(c) => c,
            Err(verdict) => return self.judged(job, verdict),
        };
        if let Some(c) = &current {
            let before = before_sending(&facts, &c.observed);
            if let Some(s) = settle_before(before, &facts, attempts, &self.retries, Utc::now()) {
                return s;
            }
        }
        crate::failpoint!("vendor_before_change");
        let verdict = self.connector.change(&target, current.as_ref()).await;
        crate::failpoint!("vendor_after_change");
        self.judged(job, verdict)
    }

    fn judged(&self, job: &JobRow, verdict: vendor::Verdict) -> Settlement {
        schedule(verdict, attempts(job), &self.retries, Utc::now())
    }
}

/// The number of this attempt as the backoff and the limit count it: the vendor's failures
/// before it, plus this one (a crash of ours is no failure of the vendor's).
fn attempts(job: &JobRow) -> u32 {
    u32::try_from(job.failures).unwrap_or(u32::MAX).saturating_add(1)
}

fn log(job: &JobRow, s: &Settlement) {
    let (id, sub, change) = (job.id, &job.subscription_id, format!("{} -> {}", job.old_quantity, job.new_quantity));
    match s {
        Settlement::Confirm => tracing::info!(job = id, subscription = %sub, %change, "the vendor confirmed the change"),
        Settlement::Refuse(r) => tracing::warn!(job = id, subscription = %sub, %change, rule = %r.rule, reason = %r.reason, "the vendor refused the change"),
        Settlement::Again { at, why, .. } => tracing::warn!(job = id, subscription = %sub, %change, retry_at = %at, why = %why, "vendor job: tried again later"),
        Settlement::Fail(why) => tracing::error!(job = id, subscription = %sub, %change, why = %why, "vendor job failed: see `seatmail vendor status`, then `seatmail vendor retry ID`"),
    }
}
