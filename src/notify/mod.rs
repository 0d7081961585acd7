//! Telling reseller ops by mail (`[ops] notify`): a notice when something enters the queue or
//! an answer dies, a summary when a window's notices are used up, a digest once a day.
//!
//! The stages record an event in the transaction that put the item in the queue (apply) or
//! gave up on the answer (the sender): nothing is told that did not happen, and nothing that
//! happened is lost. The notifier, a worker of the daemon, turns events into mails: what and
//! when is decided by `decide::notify` (the cap, the digest's hour); here they are written to
//! the outbox, in one transaction with the events' new state, so the sender delivers them like
//! answers — retried, never twice — and they are never told twice. The cap's count is one row
//! the notifier locks, so several daemons on one store count one window together.

mod content;
pub mod mail;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::decide::notify::{digest_due, dispatch, window_start, Untold};
use crate::decide::resolve::in_queue;
use crate::domain::{MailKind, NoticeKind, OpsMailKind, OutboxState};
use crate::parse::Catalog;
use crate::store::{NewOutbox, Store, StoreError, Told, Tx, UntoldRow};
use content::Content;
use mail::{DigestView, MailError, OpsMail, OpsMails, SummaryView};

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

/// How often the notifier looks for something to tell.
const TICK: Duration = Duration::from_secs(2);

pub struct Notifier {
    store: Store,
    config: Arc<Config>,
    catalog: Arc<Catalog>,
    mails: OpsMails,
    outbox_wake: Arc<Notify>,
}

/// What one round told.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub notices: usize,
    pub summaries: usize,
    pub digests: usize,
}

impl Notifier {
    pub fn new(store: Store, config: Arc<Config>, catalog: Arc<Catalog>, outbox_wake: Arc<Notify>) -> Result<Notifier, NotifyError> {
        let mails = OpsMails::new(&config)?;
        Ok(Notifier { store, config, catalog, mails, outbox_wake })
    }

    /// Tell what there is to tell every few seconds, until `cancel`.
    pub async fn run(self, cancel: CancellationToken) {
        tracing::info!(to = ?self.config.ops.notify, "notifier started");
        loop {
            if let Err(e) = self.round().await {
                tracing::error!(error = %e, "notifier: will try again");
            }
            tokio::select! {
                _ = cancel.cancelled() => break,
                _ = tokio::time::sleep(TICK) => {}
            }
        }
        tracing::info!("notifier stopped");
    }

    /// One round: the notices (or the summary) due, then the digest if it is due.
    pub async fn round(&self) -> Result<Round, NotifyError> {
        let now = crate::clock::now();
        let mut round = self.notices(now).await?;
        round.digests = self.digest(now).await?;
        if round != Round::default() {
            tracing::info!(notices = round.notices, summaries = round.summaries, digests = round.digests, "ops told");
            self.outbox_wake.notify_one();
        }
        Ok(round)
    }

    fn content(&self, now: DateTime<Utc>) -> Content<'_> {
        Content { catalog: &self.catalog, zone: self.config.ops_time_zone(), url: self.config.web.public_url(), now }
    }

    async fn notices(&self, now: DateTime<Utc>) -> Result<Round, NotifyError> {
        let ops = &self.config.ops;
        let window = chrono::Duration::minutes(ops.window_minutes);
        if self.store.untold_due(window_start(now, window)).await? == 0 {
            return Ok(Round::default());
        }
        let mut tx = self.store.begin().await?;
        let counted = tx.lock_notice_count().await?;
        let rows = tx.untold_events().await?;
        let untold: Vec<Untold> =
            rows.iter().map(|r| Untold { id: r.id, still_waiting: still_waiting(r), held_back_in: r.held_back_in }).collect();
        let plan = dispatch(&untold, counted, now, ops);
        let by_id: HashMap<i64, &UntoldRow> = rows.iter().map(|r| (r.id, r)).collect();
        let content = self.content(now);
        for (n, id) in plan.notices.iter().enumerate() {
            let row = by_id[id];
            let mut view = match row.kind {
                NoticeKind::DeadAnswer => self.dead_view(&mut tx, row, &content).await?,
                kind => {
                    let (m, items, customer) = tx.message_brief(row.message.unwrap_or_default()).await?;
                    content.message_notice(kind, &m, &items, customer.as_deref())
                }
            };
            if plan.cap_reached && n + 1 == plan.notices.len() {
                let until = content.local(&crate::store::ts(plan.window_start + window));
                view.cap = Some(format!(
                    "This is the last notice of this window ({} per {} minutes): items that enter the queue until {until} \
                     are listed in one summary then.",
                    ops.max_notices_per_window, ops.window_minutes
                ));
            }
            let root = tx.thread_root(&row.thread).await?;
            let mail = self.mails.notice(&view, root.as_deref())?;
            let outbox = insert(&mut tx, OpsMailKind::Notice, &mail).await?;
            tx.mark_event(*id, Told::Noticed { mail: outbox, mail_id: &mail.message_id }).await?;
        }
        for id in &plan.hold_back {
            tx.mark_event(*id, Told::HeldBack { window_start: plan.window_start }).await?;
        }
        for id in &plan.dropped {
            tx.mark_event(*id, Told::Dropped).await?;
        }
        let summaries = if plan.summary.is_empty() {
            0
        } else {
            let listed: Vec<&UntoldRow> = plan.summary.iter().map(|id| by_id[id]).collect();
            let handled = plan.dropped.iter().filter(|id| by_id[*id].held_back_in.is_some()).count();
            let view = self.summary_view(&mut tx, &listed, handled, &content).await?;
            let mail = self.mails.summary(&view)?;
            let outbox = insert(&mut tx, OpsMailKind::Summary, &mail).await?;
            for id in &plan.summary {
                tx.mark_event(*id, Told::Summarized { mail: outbox }).await?;
            }
            1
        };
        tx.set_notice_count(plan.window_start, plan.noticed).await?;
        tx.commit().await?;
        Ok(Round { notices: plan.notices.len(), summaries, digests: 0 })
    }

    async fn dead_view(&self, tx: &mut Tx, row: &UntoldRow, content: &Content<'_>) -> Result<mail::NoticeView, NotifyError> {
        let o = tx.outbox_row(row.outbox.unwrap_or_default()).await?;
        let about = match o.message {
            Some(m) => Some(tx.message_brief(m).await?),
            None => None,
        };
        Ok(content.dead_notice(&o, about.as_ref().map(|(m, _, c)| (m, c.as_deref()))))
    }

    /// The items a window's cap held back, listed in one mail.
    async fn summary_view(&self, tx: &mut Tx, listed: &[&UntoldRow], handled: usize, content: &Content<'_>) -> Result<SummaryView, NotifyError> {
        let window = chrono::Duration::minutes(self.config.ops.window_minutes);
        let from = listed.iter().filter_map(|r| r.held_back_in).min().unwrap_or(content.now);
        let until = listed.iter().filter_map(|r| r.held_back_in).max().unwrap_or(from) + window;
        let mut lines = Vec::with_capacity(listed.len());
        for r in listed {
            let line = match (r.kind, r.message) {
                (NoticeKind::DeadAnswer, _) | (_, None) => {
                    let v = self.dead_view(tx, r, content).await?;
                    mail::Line { title: v.title, headline: v.headline, waiting: String::from("-"), link: v.link }
                }
                (kind, Some(m)) => {
                    let (m, items, customer) = tx.message_brief(m).await?;
                    let title = content.message_notice(kind, &m, &items, customer.as_deref()).title;
                    content.line(&title, &m, customer.as_deref())
                }
            };
            lines.push(line);
        }
        Ok(SummaryView {
            from: content.local(&crate::store::ts(from)),
            until: content.local(&crate::store::ts(until)),
            cap: self.config.ops.max_notices_per_window,
            count: lines.len(),
            lines,
            handled,
            queue: format!("{}/", content.url),
        })
    }

    /// The digest of the local day, if it is due and nobody sent it yet.
    async fn digest(&self, now: DateTime<Utc>) -> Result<usize, NotifyError> {
        let zone = self.config.ops_time_zone();
        let Some(day) = digest_due(now, zone, &self.config.ops) else { return Ok(0) };
        let key = day.format("%Y-%m-%d").to_string();
        if self.store.digest_sent(&key).await? {
            return Ok(0);
        }
        let content = self.content(now);
        let names: HashMap<String, String> =
            self.store.customers_overview().await?.into_iter().map(|c| (c.id, c.name)).collect();
        let queue = self.store.queue().await?;
        let waiting = queue.iter().map(|e| content.queue_line(e, e.customer_id.as_ref().and_then(|c| names.get(c)).map(String::as_str))).collect();
        let applied = self.store.applied_since(&crate::store::ts(now - chrono::Duration::hours(24))).await?;
        let view = DigestView {
            day: day.format("%A %-d %B %Y").to_string(),
            at: crate::clock::local(now, zone),
            counts: self.store.queue_counts().await?,
            waiting,
            applied: content.applied(&applied),
            queue: format!("{}/", content.url),
        };
        let mail = self.mails.digest(&view)?;
        let mut tx = self.store.begin().await?;
        let outbox = insert(&mut tx, OpsMailKind::Digest, &mail).await?;
        if !tx.claim_digest(&key, outbox).await? {
            // Another daemon sent it a moment ago: this one is dropped with the transaction.
            return Ok(0);
        }
        tx.commit().await?;
        Ok(1)
    }
}

/// Is the event's item still where it was when it was recorded?
fn still_waiting(r: &UntoldRow) -> bool {
    match r.kind {
        NoticeKind::DeadAnswer => r.outbox_state == Some(OutboxState::Dead),
        _ => r.message_state.is_some_and(|(state, attention, reviewed)| in_queue(state, attention, reviewed)),
    }
}

async fn insert(tx: &mut Tx, kind: OpsMailKind, mail: &OpsMail) -> Result<i64, StoreError> {
    tx.insert_outbox(&NewOutbox {
        message: None,
        message_id: &mail.message_id,
        kind: MailKind::Ops(kind),
        recipients: &mail.recipients,
        subject: &mail.subject,
        body: &mail.body,
    })
    .await
}
