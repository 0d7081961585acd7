//! The sender worker: drains the outbox through the transport.
//!
//! Each due row is leased by this instance (so a crashed sender's row comes back as soon as its
//! death is seen, `src/instance.rs`, or at the latest when the lease runs out), sent
//! inside a timeout, then marked `sent`; a temporary failure is retried with exponential backoff,
//! a permanent one or too many attempts ends `dead` (visible in `seatmail outbox list`, revived
//! with `seatmail outbox retry ID`; ops are told of it, see `src/notify/`). Mails to ops go the
//! same way. On shutdown the send in flight finishes; nothing new starts.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::transport::{SendError, Transport};
use crate::store::{OutboxRow, Store};

pub struct Sender {
    pub store: Store,
    pub transport: Transport,
    pub wake: Arc<Notify>,
    pub max_attempts: u32,
    pub retry_base: Duration,
    pub send_timeout: Duration,
    /// Whom to tell of a dead answer (`[ops]`).
    pub ops: crate::config::OpsConfig,
    /// This process's instance: the holder of its leases, and whether it may send now.
    pub presence: crate::instance::Presence,
}

/// How long a leased row stays invisible to other senders.
const LEASE_SECS: i64 = 120;
const BATCH: i64 = 32;

#[derive(Debug, Default, Clone, Copy)]
pub struct Drained {
    pub sent: usize,
    pub failed: usize,
}

impl Sender {
    /// Run until `cancel`: sleep until woken or a poll tick, then send what is due.
    pub async fn run(self, cancel: CancellationToken) {
        tracing::info!(transport = %self.transport.describe(), "sender started");
        loop {
            if let Err(e) = self.drain().await {
                tracing::error!(error = %e, "outbox: store error; retrying");
            }
            tokio::select! {
                _ = cancel.cancelled() => break,
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
        tracing::info!("sender stopped");
    }

    /// Send everything due now, batch after batch, `transport.parallel()` answers at a time.
    /// Answers that failed and wait for a later retry are left for later.
    pub async fn drain(&self) -> Result<Drained, crate::store::StoreError> {
        use futures::StreamExt;
        let mut total = Drained::default();
        loop {
            let rows = self.store.lease_due(self.presence.id(), Utc::now(), LEASE_SECS, BATCH).await?;
            if rows.is_empty() {
                return Ok(total);
            }
            let mut sends = futures::stream::iter(rows.into_iter().map(|row| async move { self.deliver(&row).await }))
                .buffer_unordered(self.transport.parallel());
            let mut paused = false;
            while let Some(done) = sends.next().await {
                match done? {
                    Delivery::Sent => total.sent += 1,
                    Delivery::Failed => total.failed += 1,
                    Delivery::Paused => paused = true,
                }
            }
            if paused {
                return Ok(total);
            }
        }
    }

    /// One answer: sent and marked at once (the shorter the time between the server's
    /// acceptance and the mark, the fewer answers a crash makes go out twice), or its failure
    /// recorded.
    async fn deliver(&self, row: &OutboxRow) -> Result<Delivery, crate::store::StoreError> {
        if !self.presence.may_act() {
            // Another instance may soon take this one for dead and send it: not now (the row
            // stays ours until a heartbeat gets through).
            tracing::warn!(outbox = row.id, "no heartbeat reached the store lately: sending paused");
            return Ok(Delivery::Paused);
        }
        crate::failpoint!("before_send");
        let result = match tokio::time::timeout(self.send_timeout, self.transport.send(&row.message_id, &row.recipients, &row.body)).await {
            Ok(r) => r,
            Err(_) => Err(SendError::Temporary(format!("no answer within {:?}", self.send_timeout))),
        };
        let e = match result {
            Ok(()) => {
                // From the server's 250 to the mark: a crash in this time sends the answer again.
                let accepted = std::time::Instant::now();
                crate::failpoint!("after_send_before_mark");
                self.store.mark_sent(row.id).await?;
                let mark_us = accepted.elapsed().as_micros();
                tracing::info!(outbox = row.id, message_id = %row.message_id, to = ?row.recipients, mark_us, "answer sent");
                return Ok(Delivery::Sent);
            }
            Err(e) => e,
        };
        let attempts = u32::try_from(row.attempts).unwrap_or(u32::MAX);
        let next = match &e {
            SendError::Temporary(_) if attempts < self.max_attempts => {
                let backoff = self.retry_base.saturating_mul(1u32 << attempts.min(16).saturating_sub(1));
                let capped = backoff.min(Duration::from_secs(6 * 3600));
                Some(Utc::now() + chrono::Duration::from_std(capped).unwrap_or(chrono::Duration::hours(6)))
            }
            _ => None,
        };
        match next {
            Some(t) => tracing::warn!(outbox = row.id, error = %e, retry_at = %t, "answer not sent; will retry"),
            None => tracing::error!(outbox = row.id, error = %e, attempts, "answer dead: see `seatmail outbox list --state dead`"),
        }
        let notice = if next.is_none() { crate::decide::notify::on_dead(row.kind, &self.ops) } else { None };
        self.store.mark_failed(row, &e.to_string(), next, notice).await?;
        Ok(Delivery::Failed)
    }
}

enum Delivery {
    Sent,
    Failed,
    Paused,
}
