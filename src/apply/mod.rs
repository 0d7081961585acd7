//! The apply stage: the one transaction that makes processing exactly-once, and the only writer
//! of business state. It decides nothing itself: it loads, asks [`crate::decide`], and writes.
//!
//! For one mail, inside one transaction: check the key is new; load the customers involved with
//! their subscription rows locked; decide on those locked values; record the message, its items,
//! the quantity changes with their ledger rows, the approval hold, the confirmation code and the
//! answer (outbox); commit. Only then is the mail moved out of the inbox. A crash before the
//! commit leaves no trace; after it, the mail is read again, its key is found, and only the move
//! is repeated.
//!
//! Reseller ops' decisions on the queue (approve, reject, correct) and a customer's
//! confirmation code settle held messages through the same path ([`held`]).

mod held;
pub mod key;
mod vendor;
mod write;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, Notify};
use tokio_util::sync::CancellationToken;

use crate::answer::{RenderError, Renderer};
use crate::config::Config;
use crate::decide::code::CodeDecision;
use crate::decide::resolve::Settle;
use crate::decide::{self, Context, Snapshot};
use crate::domain::MessageState;
use crate::intake::Incoming;
use crate::parse::{self, Catalog, Parsed};
use crate::store::{Store, StoreError, Tx};
use write::Reply;

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("{0}")]
    Refused(String),
}

/// What processing one mail did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processed {
    pub key: String,
    pub state: MessageState,
    pub reason: String,
    /// The key was known: the mail had been processed before and nothing changed now.
    pub duplicate: bool,
}

impl Processed {
    fn duplicate(key: String, state: MessageState) -> Processed {
        Processed { key, state, reason: "already processed".into(), duplicate: true }
    }
}

pub struct Processor {
    pub store: Store,
    pub config: Arc<Config>,
    pub catalog: Arc<Catalog>,
    pub renderer: Arc<Renderer>,
    /// Woken after each commit that queued an answer.
    pub outbox_wake: Arc<Notify>,
    /// Woken after each commit that wrote a job for the vendor.
    pub vendor_wake: Arc<Notify>,
}

/// Who we are, for the loop guards: our addresses and what marks our Message-IDs.
struct Ours {
    addresses: Vec<String>,
    id_marker: String,
}

impl Processor {
    /// Take mails from the intake until it closes or `cancel`; each one is finished (committed
    /// and moved) before the next is taken, so shutdown never leaves half a mail.
    pub async fn run(self, mut rx: mpsc::Receiver<Incoming>, cancel: CancellationToken, report: Option<mpsc::UnboundedSender<Processed>>) {
        let mut failures = 0u32;
        loop {
            let incoming = tokio::select! {
                biased;
                _ = cancel.cancelled() => break,
                m = rx.recv() => match m { Some(m) => m, None => break },
            };
            let started = std::time::Instant::now();
            match self.process(&incoming).await {
                Ok(done) => {
                    failures = 0;
                    crate::health::observe_processing(started.elapsed());
                    crate::failpoint!("after_commit_before_move");
                    if let Err(e) = incoming.settle(done.state).await {
                        tracing::error!(key = %done.key, error = %e, "outcome recorded but the mail could not be moved; it will be skipped by its key");
                    }
                    if done.duplicate {
                        tracing::info!(key = %done.key, state = %done.state, "already processed; moved again");
                    } else {
                        tracing::info!(key = %done.key, state = %done.state, reason = %done.reason, "processed");
                    }
                    if let Some(r) = &report {
                        let _ = r.send(done);
                    }
                }
                Err(e) => {
                    // Nothing was committed: the mail stays in the inbox and is read again.
                    failures += 1;
                    crate::health::processing_failed();
                    tracing::error!(source = %incoming.source_id, error = %e, "processing failed; the mail stays in the inbox and will be retried");
                    let pause = Duration::from_millis(200u64.saturating_mul(1 << failures.min(6)));
                    tokio::select! {
                        _ = cancel.cancelled() => break,
                        _ = tokio::time::sleep(pause) => {}
                    }
                }
            }
        }
    }

    /// Process one mail: everything or nothing, once per key.
    pub async fn process(&self, incoming: &Incoming) -> Result<Processed, ApplyError> {
        let key = key::message_key(&incoming.source, &incoming.raw);
        if let Some(state) = self.store.message_state(&key).await? {
            return Ok(Processed::duplicate(key, state));
        }
        crate::failpoint!("after_fetch");
        let parsed = self.parse(incoming).await;
        let mut tx = self.store.begin().await?;
        if tx.message_exists(&key).await? {
            return self.duplicate(key).await;
        }
        let p = match &parsed {
            Ok(p) => p,
            Err(why) => {
                let decision = decide::request::unreadable(why);
                let Some(message) = self.insert_message(&mut tx, incoming, &key, None, &decision).await? else {
                    return self.duplicate(key).await;
                };
                self.tell_ops(&mut tx, message, &decision, None).await?;
                crate::failpoint!("before_commit");
                tx.commit().await?;
                return Ok(Processed { key, state: decision.state, reason: decision.reason, duplicate: false });
            }
        };
        let now = Utc::now();
        let answers_today = answers_today(&mut tx, p).await?;
        if let Some(code) = decide::code::find(p) {
            return self.confirm_with_code(tx, incoming, key, p, &code, answers_today, now).await;
        }
        let snapshot = write::load_snapshot(&mut tx, p.from.as_deref(), &decide::username_domains(&p.items)).await?;
        let ours = self.ours();
        let decision = decide::request::decide(p, &snapshot, &self.context(&ours, now, answers_today));
        let Some(message) = self.insert_message(&mut tx, incoming, &key, Some(p), &decision).await? else {
            return self.duplicate(key).await;
        };
        let actor = p.from.clone().unwrap_or_else(|| "unknown".into());
        let date = mail_date(p).unwrap_or(incoming.received_at);
        let answered = self.record_decision(&mut tx, message, &decision, &snapshot, p, &actor, Some(date), None).await?;
        self.tell_ops(&mut tx, message, &decision, p.from.as_deref()).await?;
        crate::failpoint!("before_commit");
        self.commit(tx, answered).await?;
        Ok(Processed { key, state: decision.state, reason: decision.reason, duplicate: false })
    }

    /// A mail carrying a confirmation code. It is recorded like any mail; when the code is
    /// good, the held message it names is settled with the customer's confirmation and the
    /// answer replies to this mail.
    #[allow(clippy::too_many_arguments)]
    async fn confirm_with_code(
        &self,
        mut tx: Tx,
        incoming: &Incoming,
        key: String,
        p: &Parsed,
        code: &str,
        answers_today: i64,
        now: DateTime<Utc>,
    ) -> Result<Processed, ApplyError> {
        let sender = p.from.clone().unwrap_or_default();
        let contacts = tx.contacts_by_email(&sender).await?;
        let found = tx.confirmation_locked(&decide::code::hash(code)).await?;
        let ours = self.ours();
        let ctx = self.context(&ours, now, answers_today);
        let (confirmation, held, reason) = match decide::code::confirm(p, code, &contacts, found.as_ref(), &ctx) {
            CodeDecision::Refused(decision) => {
                let Some(message) = self.insert_message(&mut tx, incoming, &key, Some(p), &decision).await? else {
                    return self.duplicate(key).await;
                };
                let snapshot = Snapshot { contacts, ..Snapshot::default() };
                let answered = self.record_decision(&mut tx, message, &decision, &snapshot, p, &sender, mail_date(p), None).await?;
                self.tell_ops(&mut tx, message, &decision, p.from.as_deref()).await?;
                crate::failpoint!("before_commit");
                self.commit(tx, answered).await?;
                return Ok(Processed { key, state: decision.state, reason: decision.reason, duplicate: false });
            }
            CodeDecision::Accepted { confirmation, held, reason } => (confirmation, held, reason),
        };
        let (held, rows, _) = held::load(&mut tx, held).await?;
        let held_id = held.id;
        let waited_for_ops = held.items.iter().any(|i| i.waits_for(decide::Releaser::Ops));
        let snapshot = held::snapshot(&mut tx, &held).await?;
        let resolution = decide::resolve::resolve(held, Settle::CustomerConfirm, &sender, p, &snapshot, &ctx)
            .map_err(ApplyError::Refused)?;
        let recorded = decide::code::confirming_mail(&reason, &resolution);
        let Some(message) = self.insert_message(&mut tx, incoming, &key, Some(p), &recorded).await? else {
            return self.duplicate(key).await;
        };
        tx.use_confirmation(confirmation, message).await?;
        held::write(&mut tx, held_id, &rows, &resolution, &sender, None, self.provisions()).await?;
        if let Some(kind) = decide::notify::on_released(waited_for_ops, resolution.waits_for_ops(), &self.config.ops) {
            tx.insert_ops_event(kind, Some(held_id), None, crate::clock::now()).await?;
        }
        let answered = match &resolution.answer {
            Some(plan) => {
                let customer = resolution.customer_id.as_deref().and_then(|c| snapshot.customers.get(c));
                let reply =
                    Reply { plan, items: &resolution.items, customer, sender: &resolution.sender, mail: p, date: mail_date(p), note: None, code: None };
                self.queue_answer(&mut tx, message, &reply).await?;
                true
            }
            None => false,
        };
        crate::failpoint!("before_commit");
        self.commit(tx, answered).await?;
        Ok(Processed { key, state: recorded.state, reason: recorded.reason, duplicate: false })
    }

    async fn duplicate(&self, key: String) -> Result<Processed, ApplyError> {
        let state = self.store.message_state(&key).await?.unwrap_or(MessageState::Ignored);
        Ok(Processed::duplicate(key, state))
    }

    async fn commit(&self, tx: Tx, answered: bool) -> Result<(), ApplyError> {
        let provisioned = tx.wrote_jobs();
        tx.commit().await?;
        if answered {
            self.outbox_wake.notify_one();
        }
        if provisioned {
            self.vendor_wake.notify_one();
        }
        Ok(())
    }

    /// Applied changes go to the vendor (`[vendor] kind` is not `none`).
    fn provisions(&self) -> bool {
        self.config.vendor.enabled()
    }

    fn ours(&self) -> Ours {
        Ours {
            addresses: vec![self.config.answers.from.to_ascii_lowercase()],
            id_marker: format!(".seatmail@{}", self.config.answers.message_id_domain()),
        }
    }

    fn context<'a>(&'a self, ours: &'a Ours, now: DateTime<Utc>, answers_today: i64) -> Context<'a> {
        Context {
            policy: &self.config.policy,
            trust: &self.config.trust,
            catalog: &self.catalog,
            own_addresses: &ours.addresses,
            default_language: self.config.answers.language(),
            default_time_zone: self.config.answers.time_zone(),
            now,
            own_id_marker: &ours.id_marker,
            answers_today,
            answer_cap: self.config.answers.max_per_correspondent_per_day,
            thread_cap: self.config.answers.max_per_thread,
        }
    }

    /// Parse off the async threads, contained: an oversized mail or a panic in a dependency
    /// becomes a reason for review instead of a lost mail or a dead daemon.
    async fn parse(&self, incoming: &Incoming) -> Result<Parsed, String> {
        if incoming.oversized {
            return Err(format!(
                "mail larger than limits.max_message_bytes ({} bytes): not read, for a person to handle",
                self.config.limits.max_message_bytes
            ));
        }
        let raw = incoming.raw.clone();
        let catalog = self.catalog.clone();
        let limits = self.config.limits.parse_limits();
        match tokio::task::spawn_blocking(move || parse::parse_contained(&raw, &catalog, &limits)).await {
            Ok(Ok(p)) => Ok(p),
            Ok(Err(panic)) => Err(format!("the parser failed on this mail ({panic}): for a person to read")),
            Err(e) => Err(format!("the parser task failed ({e}): for a person to read")),
        }
    }

    /// Ops hear of a mail that entered the queue (when `[ops] notify` asks for it): an event,
    /// in the transaction that recorded the mail, for the notifier to tell.
    async fn tell_ops(&self, tx: &mut Tx, message: i64, d: &decide::Decision, sender: Option<&str>) -> Result<(), StoreError> {
        let entered = decide::notify::Entered { state: d.state, attention: d.attention, sender };
        match decide::notify::on_queued(&entered, &self.config.ops) {
            Some(kind) => tx.insert_ops_event(kind, Some(message), None, crate::clock::now()).await,
            None => Ok(()),
        }
    }

    /// A stored mail parsed again (to answer it, or to correct it).
    fn reparse(&self, raw: &[u8]) -> Result<Parsed, ApplyError> {
        parse::parse_contained(raw, &self.catalog, &self.config.limits.parse_limits()).map_err(ApplyError::Refused)
    }
}

/// Automatic answers to the sender of `p` in the last 24 hours.
async fn answers_today(tx: &mut Tx, p: &Parsed) -> Result<i64, StoreError> {
    match p.from.as_deref() {
        Some(f) => tx.answers_to_since(f, &day_ago()).await,
        None => Ok(0),
    }
}

fn day_ago() -> String {
    crate::store::ts(Utc::now() - chrono::Duration::hours(24))
}

/// The mail's own Date, when it is a valid one, in UTC.
fn mail_date(p: &Parsed) -> Option<DateTime<Utc>> {
    date_header(p.meta.date.as_deref()?)
}

fn date_header(value: &str) -> Option<DateTime<Utc>> {
    chrono::DateTime::parse_from_rfc2822(value.trim()).ok().map(|d| d.with_timezone(&Utc))
}
