//! The apply stage: the one transaction that makes processing exactly-once, and the only writer
//! of business state.
//!
//! For one mail, inside one transaction: check the key is new; load the customers involved with
//! their subscription rows locked; decide on those locked values; record the message, its items,
//! the quantity changes with their ledger rows, the approval hold and the answer (outbox); commit.
//! Only then is the mail moved out of the inbox. A crash before the commit leaves no trace; after
//! it, the mail is read again, its key is found, and only the move is repeated.
//!
//! Reseller ops' decisions on held requests (`queue approve|reject`) go through the same path.

pub mod key;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{mpsc, Notify};
use tokio_util::sync::CancellationToken;

use crate::answer::{AnswerInput, RenderError, Renderer};
use crate::config::Config;
use crate::decide::{
    self, AnswerKind, AnswerPlan, Context, CustomerState, Decision, ItemDecision, ItemStatus, Rule, Snapshot, Verdict,
};
use crate::domain::MessageState;
use crate::intake::Incoming;
use crate::parse::{self, Catalog, Change, Parsed};
use crate::store::{ItemRow, NewItem, NewLedger, NewMessage, NewOutbox, Store, StoreError, Tx};

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

pub struct Processor {
    pub store: Store,
    pub config: Arc<Config>,
    pub catalog: Arc<Catalog>,
    pub renderer: Arc<Renderer>,
    /// Woken after each commit that queued an answer.
    pub outbox_wake: Arc<Notify>,
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
            return Ok(Processed { key, state, reason: "already processed".into(), duplicate: true });
        }
        crate::failpoint!("after_fetch");
        let parsed = self.parse(incoming).await;
        let mut tx = self.store.begin().await?;
        if tx.message_exists(&key).await? {
            let state = self.store.message_state(&key).await?.unwrap_or(MessageState::Ignored);
            return Ok(Processed { key, state, reason: "already processed".into(), duplicate: true });
        }
        let today = Utc::now().date_naive();
        let own = self.own_addresses();
        let marker = self.own_id_marker();
        let (decision, snapshot, answers_today, code) = match &parsed {
            Ok(p) => {
                let answers_today = match p.from.as_deref() {
                    Some(f) => tx.answers_to_since(f, &day_ago()).await?,
                    None => 0,
                };
                if let Some(code) = find_code(p) {
                    let done = self.confirm_with_code(tx, incoming, &key, p, &code, answers_today).await?;
                    return Ok(done);
                }
                let snapshot = load_snapshot(&mut tx, p.from.as_deref(), &decide::username_domains(p)).await?;
                let ctx = self.decide_context(&own, &marker, today, answers_today);
                let decision = decide::decide(p, &snapshot, &ctx);
                let code = match &decision.answer {
                    Some(plan) if plan.kind == AnswerKind::Confirm => Some(new_code()),
                    _ => None,
                };
                (decision, snapshot, answers_today, code)
            }
            Err(why) => (
                Decision {
                    state: MessageState::NeedsReview,
                    reason: why.clone(),
                    customer_id: None,
                    items: Vec::new(),
                    answer: None,
                },
                Snapshot::default(),
                0,
                None,
            ),
        };
        let Some(message) = self.insert_message(&mut tx, incoming, &key, parsed.as_ref().ok(), &decision).await? else {
            let state = self.store.message_state(&key).await?.unwrap_or(MessageState::Ignored);
            return Ok(Processed { key, state, reason: "already processed".into(), duplicate: true });
        };
        let actor = parsed.as_ref().ok().and_then(|p| p.from.clone()).unwrap_or_else(|| "unknown".into());
        let answered = match &parsed {
            Ok(p) => {
                let ctx = self.decide_context(&own, &marker, today, answers_today);
                let date = mail_date(p.meta.date.as_deref()).unwrap_or(incoming.received_at);
                self.record_decision(&mut tx, message, &decision, &snapshot, p, &ctx, &actor, code.as_deref(), date, None).await?
            }
            Err(_) => false,
        };
        crate::failpoint!("before_commit");
        tx.commit().await?;
        if answered {
            self.outbox_wake.notify_one();
        }
        Ok(Processed { key, state: decision.state, reason: decision.reason, duplicate: false })
    }

    /// Everything a decision writes besides the message row: its items with their seat
    /// changes and ledger rows, the ops hold, the confirmation code, and the answer.
    #[allow(clippy::too_many_arguments)]
    async fn record_decision(
        &self,
        tx: &mut Tx,
        message: i64,
        decision: &Decision,
        snapshot: &Snapshot,
        p: &Parsed,
        ctx: &Context<'_>,
        actor: &str,
        code: Option<&str>,
        date: chrono::DateTime<Utc>,
        note: Option<&str>,
    ) -> Result<bool, ApplyError> {
        record_items(tx, message, &decision.items, actor).await?;
        if decision.items.iter().any(|i| i.status == ItemStatus::Pending && i.rule != Rule::ConfirmationRequired) {
            tx.insert_approval(message).await?;
        }
        let expires = Utc::now() + chrono::Duration::hours(self.config.policy.confirm_code_ttl_hours);
        if let (Some(code), Some(customer)) = (code, &decision.customer_id) {
            tx.insert_confirmation(message, customer, &code_hash(code), &crate::store::ts(expires)).await?;
        }
        let Some(plan) = &decision.answer else { return Ok(false) };
        let expires_text = expires.format("%Y-%m-%d %H:%M UTC").to_string();
        self.queue_answer(
            tx,
            message,
            &AnswerInput {
                plan,
                items: &decision.items,
                snapshot,
                ctx,
                customer_id: decision.customer_id.as_deref(),
                sender: p.from.as_deref().unwrap_or_default(),
                meta: &p.meta,
                original_message_id: p.message_id.as_deref(),
                original_date: Some(date.format("%Y-%m-%d %H:%M UTC").to_string()),
                note,
                code: code.map(|c| (c, expires_text.as_str())),
                bcc: &self.config.answers.bcc,
            },
        )
        .await?;
        Ok(true)
    }

    /// Reseller ops correct a mail that needed review (a mis-parsed or unclear request) and
    /// apply it: the request is decided afresh with the items ops give, under every rule and
    /// sender check the mail itself would have met, and answered like any request.
    pub async fn correct(&self, id: i64, actor: &str, items: Vec<parse::Item>, note: Option<&str>) -> Result<Processed, ApplyError> {
        if items.is_empty() {
            return Err(ApplyError::Refused("a correction needs at least one item".into()));
        }
        if items.iter().any(|i| matches!(i.change, Change::Delta(0)) || matches!(i.change, Change::Target(t) if t < 0)) {
            return Err(ApplyError::Refused("a change is a non-zero delta or a total of at least 0".into()));
        }
        let mut tx = self.store.begin().await?;
        let (message, _) = tx.queued_message_locked(id).await?;
        if message.state != "needs_review" {
            return Err(ApplyError::Refused(format!(
                "message {id} is {}: only mails needing review are corrected",
                message.state
            )));
        }
        let raw = tx.message_raw(id).await?;
        let limits = self.config.limits.parse_limits();
        let mut p = parse::parse_contained(&raw, &self.catalog, &limits).map_err(ApplyError::Refused)?;
        p.outcome = parse::Outcome::Request;
        p.items = items;
        p.ask = None;
        let answers_today = match p.from.as_deref() {
            Some(f) => tx.answers_to_since(f, &day_ago()).await?,
            None => 0,
        };
        let snapshot = load_snapshot(&mut tx, p.from.as_deref(), &decide::username_domains(&p)).await?;
        let (own, marker, today) = (self.own_addresses(), self.own_id_marker(), Utc::now().date_naive());
        let ctx = self.decide_context(&own, &marker, today, answers_today);
        let mut decision = decide::decide(&p, &snapshot, &ctx);
        let ops_actor = format!("ops:{actor}");
        decision.reason = format!("corrected by {ops_actor}: {}", decision.reason);
        tx.delete_items(id).await?;
        let code = match &decision.answer {
            Some(plan) if plan.kind == AnswerKind::Confirm => Some(new_code()),
            _ => None,
        };
        let date = mail_date(p.meta.date.as_deref()).unwrap_or_else(Utc::now);
        let answered = self
            .record_decision(&mut tx, id, &decision, &snapshot, &p, &ctx, &ops_actor, code.as_deref(), date, note)
            .await?;
        tx.set_message_reason(id, decision.state.as_str(), &decision.reason).await?;
        tx.set_message_customer(id, decision.customer_id.as_deref()).await?;
        tx.commit().await?;
        if answered {
            self.outbox_wake.notify_one();
        }
        Ok(Processed { key: message.key, state: decision.state, reason: decision.reason, duplicate: false })
    }

    async fn insert_message(
        &self,
        tx: &mut Tx,
        incoming: &Incoming,
        key: &str,
        parsed: Option<&Parsed>,
        decision: &Decision,
    ) -> Result<Option<i64>, StoreError> {
        let raw_headers = key::raw_headers(&incoming.raw);
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
            state: decision.state.as_str(),
            reason: &decision.reason,
            parsed: &parsed_json,
            raw: &incoming.raw,
            raw_truncated: incoming.oversized,
        })
        .await
    }

    /// A mail carrying a confirmation code: the customer's admin confirms a held change.
    /// The mail itself is recorded (applied or rejected), and the held message moves on.
    async fn confirm_with_code(
        &self,
        mut tx: Tx,
        incoming: &Incoming,
        key: &str,
        p: &Parsed,
        code: &str,
        answers_today: i64,
    ) -> Result<Processed, ApplyError> {
        let today = Utc::now().date_naive();
        let own = self.own_addresses();
        let marker = self.own_id_marker();
        let sender = p.from.clone().unwrap_or_default();
        let contacts = tx.contacts_by_email(&sender).await?;
        let confirmation = tx.confirmation_locked(&code_hash(code)).await?;
        let authenticated = decide::authenticate(&p.meta, &self.config.trust);
        // Whose code is it, and may this sender use it?
        let admin_of = |customer: &str| contacts.iter().any(|c| c.customer_id == customer && c.role.may_change_seats());
        let silent = |reason: String| Decision { state: MessageState::Rejected, reason, customer_id: None, items: Vec::new(), answer: None };
        let (decision, held) = if contacts.is_empty() {
            (silent(format!("unknown sender {sender} sent a confirmation code (no answer)")), None)
        } else if let decide::Auth::Fail(why) = authenticated {
            (silent(format!("confirmation code from an unauthenticated sender: {why} (no answer)")), None)
        } else {
            let rejection = |rule: Rule, customer: Option<String>| Decision {
                state: MessageState::Rejected,
                reason: format!("confirmation code {code}: {}", rule.describe()),
                customer_id: customer,
                items: vec![ItemDecision {
                    position: 0,
                    username: None,
                    product: None,
                    change: Change::Delta(0),
                    customer_id: None,
                    subscription_id: None,
                    status: ItemStatus::Rejected,
                    rule,
                    old_quantity: None,
                    new_quantity: None,
                }],
                answer: Some(AnswerPlan {
                    kind: AnswerKind::Rejection,
                    to: vec![sender.clone()],
                    cc: Vec::new(),
                    language: p.language.unwrap_or(self.config.answers.language()),
                    ask: None,
                }),
            };
            match confirmation {
                None => (rejection(Rule::CodeUnknown, contacts.first().map(|c| c.customer_id.clone())), None),
                Some(c) if !admin_of(&c.customer_id) => (
                    silent(format!("confirmation code {code} sent by {sender}, who is no admin of customer {} (no answer)", c.customer_id)),
                    None,
                ),
                Some(c) if c.used_at.is_some() => (rejection(Rule::CodeUsed, Some(c.customer_id.clone())), None),
                Some(c) if crate::store::parse_ts(&c.expires_at).is_none_or(|t| t < Utc::now()) => {
                    (rejection(Rule::CodeExpired, Some(c.customer_id.clone())), None)
                }
                Some(c) => (
                    Decision {
                        state: MessageState::Applied,
                        reason: format!("confirmation code {code} for message {}", c.message),
                        customer_id: Some(c.customer_id.clone()),
                        items: Vec::new(),
                        answer: None,
                    },
                    Some(c),
                ),
            }
        };
        let Some(message) = self.insert_message(&mut tx, incoming, key, Some(p), &decision).await? else {
            let state = self.store.message_state(key).await?.unwrap_or(MessageState::Ignored);
            return Ok(Processed { key: key.to_string(), state, reason: "already processed".into(), duplicate: true });
        };
        let mut answered = false;
        if let Some(held) = held {
            tx.use_confirmation(held.id, message).await?;
            let resolution = self.resolve_pending(&mut tx, held.message, Resolve::CustomerConfirm, &sender, None).await?;
            let reason = format!("{}: {}", decision.reason, resolution.reason);
            tx.set_message_reason(message, resolution.state.as_str(), &reason).await?;
            answered = self
                .answer_resolution(&mut tx, message, &resolution, p, None, answers_today, &own, &marker, today)
                .await?;
            crate::failpoint!("before_commit");
            tx.commit().await?;
            if answered {
                self.outbox_wake.notify_one();
            }
            return Ok(Processed { key: key.to_string(), state: resolution.state, reason, duplicate: false });
        }
        if let Some(plan) = &decision.answer {
            let snapshot = Snapshot { contacts: contacts.clone(), ..Snapshot::default() };
            let ctx = self.decide_context(&own, &marker, today, answers_today);
            if answers_today < self.config.answers.max_per_correspondent_per_day {
                self.queue_answer(
                    &mut tx,
                    message,
                    &AnswerInput {
                        plan,
                        items: &decision.items,
                        snapshot: &snapshot,
                        ctx: &ctx,
                        customer_id: decision.customer_id.as_deref(),
                        sender: &sender,
                        meta: &p.meta,
                        original_message_id: p.message_id.as_deref(),
                        original_date: mail_date(p.meta.date.as_deref()).map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string()),
                        note: None,
                        code: None,
                        bcc: &self.config.answers.bcc,
                    },
                )
                .await?;
                answered = true;
            }
        }
        tx.commit().await?;
        if answered {
            self.outbox_wake.notify_one();
        }
        Ok(Processed { key: key.to_string(), state: decision.state, reason: decision.reason, duplicate: false })
    }

    fn own_addresses(&self) -> Vec<String> {
        vec![self.config.answers.from.to_ascii_lowercase()]
    }

    fn own_id_marker(&self) -> String {
        format!(".seatmail@{}", self.config.answers.message_id_domain())
    }

    fn decide_context<'a>(&'a self, own: &'a [String], marker: &'a str, today: chrono::NaiveDate, answers_today: i64) -> Context<'a> {
        Context {
            policy: &self.config.policy,
            trust: &self.config.trust,
            catalog: &self.catalog,
            own_addresses: own,
            default_language: self.config.answers.language(),
            today,
            own_id_marker: marker,
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

    async fn queue_answer(&self, tx: &mut Tx, message: i64, input: &AnswerInput<'_>) -> Result<(), ApplyError> {
        let rendered = self.renderer.render(input)?;
        tx.insert_outbox(&NewOutbox {
            message: Some(message),
            message_id: &rendered.message_id,
            kind: input.plan.kind.as_str(),
            recipients: &rendered.recipients,
            subject: &rendered.subject,
            body: &rendered.body,
        })
        .await?;
        Ok(())
    }

    /// Reseller ops approve a held request: its items held for ops are re-checked on the
    /// locked, current subscriptions (without the approval threshold) and applied.
    pub async fn approve(&self, id: i64, actor: &str, note: Option<&str>) -> Result<Processed, ApplyError> {
        self.decide_queued(id, actor, note, Resolve::OpsApprove).await
    }

    /// Reseller ops reject a held request (the note goes into the answer), or dismiss a mail
    /// that needed review.
    pub async fn reject(&self, id: i64, actor: &str, note: Option<&str>) -> Result<Processed, ApplyError> {
        self.decide_queued(id, actor, note, Resolve::OpsReject).await
    }

    async fn decide_queued(&self, id: i64, actor: &str, note: Option<&str>, mode: Resolve) -> Result<Processed, ApplyError> {
        let mut tx = self.store.begin().await?;
        let (message, _) = tx.queued_message_locked(id).await?;
        let ops_actor = format!("ops:{actor}");
        if message.state == "rejected" {
            // An unknown sender's or flagged mail: looked at, nothing more.
            if mode == Resolve::OpsApprove {
                return Err(ApplyError::Refused(format!(
                    "message {id} was rejected ({}); nothing to approve. Register the sender as a contact and ask them to send it again, or dismiss it with `queue reject`",
                    message.reason
                )));
            }
            tx.mark_reviewed(id, &ops_actor, note).await?;
            tx.commit().await?;
            return Ok(Processed { key: message.key, state: MessageState::Rejected, reason: "seen".into(), duplicate: false });
        }
        if message.state == "needs_review" {
            if mode == Resolve::OpsApprove {
                return Err(ApplyError::Refused(format!(
                    "message {id} needs review, not approval: it holds no understood request to apply. \
                     Reject it (with a note) or correct it in the dashboard"
                )));
            }
            let reason = format!("dismissed by {ops_actor}{}", note.map(|n| format!(": {n}")).unwrap_or_default());
            tx.decide_message(id, "rejected", &reason, &ops_actor, note).await?;
            tx.commit().await?;
            return Ok(Processed { key: message.key, state: MessageState::Rejected, reason, duplicate: false });
        }
        let resolution = self.resolve_pending(&mut tx, id, mode, &ops_actor, note).await?;
        let raw = tx.message_raw(id).await?;
        let limits = self.config.limits.parse_limits();
        let parsed = parse::parse_contained(&raw, &self.catalog, &limits).map_err(ApplyError::Refused)?;
        let own = self.own_addresses();
        let marker = self.own_id_marker();
        let answered = self
            .answer_resolution(&mut tx, id, &resolution, &parsed, note, 0, &own, &marker, Utc::now().date_naive())
            .await?;
        tx.commit().await?;
        if answered {
            self.outbox_wake.notify_one();
        }
        Ok(Processed { key: message.key, state: resolution.state, reason: resolution.reason, duplicate: false })
    }

    /// Settle the pending items of a held message that `mode` may settle: ops decide the items
    /// held for ops, the customer's code the items held for it. Quantities are re-checked on
    /// the locked rows; the message's state follows (still waiting while anything is pending).
    async fn resolve_pending(&self, tx: &mut Tx, id: i64, mode: Resolve, actor: &str, note: Option<&str>) -> Result<Resolution, ApplyError> {
        let (message, rows) = tx.message_locked(id).await?;
        if message.state != "awaiting_approval" {
            return Err(ApplyError::Refused(format!("message {id} is {} already: nothing to decide", message.state)));
        }
        let sender = message.from.clone().unwrap_or_default();
        let mut customers: BTreeSet<String> = message.customer_id.iter().cloned().collect();
        for r in &rows {
            if let Some(s) = &r.subscription_id {
                if let Some(owner) = tx.subscription_owner(s).await? {
                    customers.insert(owner);
                }
            }
        }
        let snapshot = load_customers(tx, Some(&sender), customers, Default::default()).await?;
        let today = Utc::now().date_naive();
        let mut items: Vec<ItemDecision> = rows.iter().map(|r| item_from_row(r, &snapshot)).collect();
        let mine = |rule: Rule| match mode {
            Resolve::CustomerConfirm => rule == Rule::ConfirmationRequired,
            Resolve::OpsApprove => rule != Rule::ConfirmationRequired,
            Resolve::OpsReject => true,
        };
        if !items.iter().any(|i| i.status == ItemStatus::Pending && mine(i.rule)) {
            return Err(ApplyError::Refused(match mode {
                Resolve::OpsApprove => format!("message {id} waits for the customer's confirmation code, not for ops"),
                _ => format!("message {id} has nothing waiting for this decision"),
            }));
        }
        let mut working: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
        for (row, item) in rows.iter().zip(items.iter_mut()) {
            if item.status != ItemStatus::Pending || !mine(item.rule) {
                continue;
            }
            let sub = item
                .subscription_id
                .as_deref()
                .and_then(|s| snapshot.customers.values().flat_map(|c| &c.subscriptions).find(|x| x.id == s))
                .cloned();
            let Some(mut sub) = sub else {
                item.status = ItemStatus::Rejected;
                item.rule = Rule::NoSubscription;
                item.new_quantity = None;
                tx.update_item(row.id, "rejected", Rule::NoSubscription.as_str(), item.old_quantity, None, "{}").await?;
                continue;
            };
            if let Some(q) = working.get(&sub.id) {
                sub.quantity = *q;
            }
            item.old_quantity = Some(sub.quantity);
            if mode == Resolve::OpsReject {
                item.status = ItemStatus::Rejected;
                item.rule = Rule::OpsRejected;
                item.new_quantity = None;
                tx.update_item(row.id, "rejected", Rule::OpsRejected.as_str(), Some(sub.quantity), None, "{}").await?;
                continue;
            }
            let allowance = self.config.policy.max_seats_per_day;
            let limits = decide::Context::limits_for(
                &self.decide_context(&[], "", today, 0),
                &sub.product,
                allowance,
            );
            // Ops have decided, so their threshold no longer applies; a customer's confirmation
            // still leaves the other rules (and ops' threshold) in force.
            let verdict = decide::policy::evaluate(&sub, item.change, &limits, today, mode == Resolve::OpsApprove);
            let done_rule = if mode == Resolve::OpsApprove { Rule::OpsApproved } else { Rule::CustomerConfirmed };
            match verdict {
                Verdict::Apply { new_quantity, rule } => {
                    item.status = ItemStatus::Applied;
                    item.rule = if rule == Rule::NoChange { rule } else { done_rule };
                    item.new_quantity = Some(new_quantity);
                    if new_quantity != sub.quantity {
                        tx.set_quantity(&sub.id, new_quantity).await?;
                        tx.insert_ledger(&NewLedger {
                            subscription_id: &sub.id,
                            message: Some(id),
                            item: Some(row.id),
                            actor,
                            old_quantity: sub.quantity,
                            new_quantity,
                            rule: item.rule.as_str(),
                        })
                        .await?;
                        working.insert(sub.id.clone(), new_quantity);
                    }
                }
                Verdict::Hold { rule, new_quantity } => {
                    // Confirmed by the customer, but over ops' limits: now it waits for ops.
                    item.status = ItemStatus::Pending;
                    item.rule = rule;
                    item.new_quantity = Some(new_quantity);
                    tx.insert_approval(id).await.ok();
                }
                Verdict::Reject { rule, .. } => {
                    item.status = ItemStatus::Rejected;
                    item.rule = rule;
                    item.new_quantity = None;
                }
            }
            tx.update_item(row.id, item.status.as_str(), item.rule.as_str(), item.old_quantity, item.new_quantity, "{}")
                .await?;
        }
        let any = |s: ItemStatus| items.iter().any(|i| i.status == s);
        let state = if any(ItemStatus::Pending) {
            MessageState::AwaitingApproval
        } else if any(ItemStatus::Applied) {
            MessageState::Applied
        } else {
            MessageState::Rejected
        };
        let verb = match mode {
            Resolve::OpsApprove => "approved",
            Resolve::OpsReject => "rejected",
            Resolve::CustomerConfirm => "confirmed",
        };
        let reason = format!("{verb} by {actor}: {}", items.iter().map(decide::describe_item).collect::<Vec<_>>().join("; "));
        if state == MessageState::AwaitingApproval {
            tx.set_message_reason(id, state.as_str(), &reason).await?;
        } else {
            tx.decide_message(id, state.as_str(), &reason, actor, note).await?;
        }
        Ok(Resolution { state, reason, items, snapshot, customer_id: message.customer_id, sender })
    }

    /// The answer after a resolution: to the original sender (while still a contact) and the
    /// customer's admins, threaded on `reply_to`'s mail.
    #[allow(clippy::too_many_arguments)]
    async fn answer_resolution(
        &self,
        tx: &mut Tx,
        message: i64,
        r: &Resolution,
        reply_to: &Parsed,
        note: Option<&str>,
        answers_today: i64,
        own: &[String],
        marker: &str,
        today: chrono::NaiveDate,
    ) -> Result<bool, ApplyError> {
        if answers_today >= self.config.answers.max_per_correspondent_per_day {
            return Ok(false);
        }
        let mut cc = Vec::new();
        for c in r.snapshot.customers.values() {
            for a in c.admins() {
                if a.email != r.sender && !cc.contains(&a.email) {
                    cc.push(a.email.clone());
                }
            }
        }
        let to = if r.snapshot.contacts.is_empty() { Vec::new() } else { vec![r.sender.clone()] };
        if to.is_empty() && cc.is_empty() {
            return Ok(false);
        }
        let any = |s: ItemStatus| r.items.iter().any(|i| i.status == s);
        let plan = AnswerPlan {
            kind: if any(ItemStatus::Pending) {
                AnswerKind::Pending
            } else if any(ItemStatus::Applied) {
                AnswerKind::Confirmation
            } else {
                AnswerKind::Rejection
            },
            to,
            cc,
            language: reply_to
                .language
                .or_else(|| r.customer_id.as_deref().and_then(|c| r.snapshot.customers.get(c)).map(|s| s.customer.language))
                .unwrap_or(self.config.answers.language()),
            ask: None,
        };
        let ctx = self.decide_context(own, marker, today, answers_today);
        self.queue_answer(
            tx,
            message,
            &AnswerInput {
                plan: &plan,
                items: &r.items,
                snapshot: &r.snapshot,
                ctx: &ctx,
                customer_id: r.customer_id.as_deref(),
                sender: &r.sender,
                meta: &reply_to.meta,
                original_message_id: reply_to.message_id.as_deref(),
                original_date: mail_date(reply_to.meta.date.as_deref()).map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string()),
                note,
                code: None,
                bcc: &self.config.answers.bcc,
            },
        )
        .await?;
        Ok(true)
    }
}

/// Who settles a held message's pending items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resolve {
    OpsApprove,
    OpsReject,
    CustomerConfirm,
}

struct Resolution {
    state: MessageState,
    reason: String,
    items: Vec<ItemDecision>,
    snapshot: Snapshot,
    customer_id: Option<String>,
    sender: String,
}

fn day_ago() -> String {
    crate::store::ts(Utc::now() - chrono::Duration::hours(24))
}

/// `SM-XXXX-XXXX` from an alphabet without look-alikes (no 0/O, 1/I/L).
fn new_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let mut part = || (0..4).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect::<String>();
    format!("SM-{}-{}", part(), part())
}

fn code_hash(code: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(code.to_ascii_uppercase().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

static CODE: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new(r"(?i)\bSM-[A-Z0-9]{4}-[A-Z0-9]{4}\b").expect("code regex"));

/// A confirmation code in the subject or the customer's own words. Auto-replies and bounces
/// quoting our mail never confirm anything.
fn find_code(p: &Parsed) -> Option<String> {
    if matches!(p.outcome, parse::Outcome::AutoReply | parse::Outcome::Bounce) {
        return None;
    }
    p.meta
        .subject
        .as_deref()
        .and_then(|s| CODE.find(s))
        .or_else(|| CODE.find(&p.meta.text))
        .map(|m| m.as_str().to_ascii_uppercase())
}

fn item_from_row(r: &ItemRow, snapshot: &Snapshot) -> ItemDecision {
    let status = match r.status.as_str() {
        "applied" => ItemStatus::Applied,
        "pending" => ItemStatus::Pending,
        "clarify" => ItemStatus::Clarify,
        _ => ItemStatus::Rejected,
    };
    let rule = serde_json::from_value::<Rule>(serde_json::Value::String(r.rule.clone())).unwrap_or(Rule::NoSubscription);
    let customer_id = r.subscription_id.as_deref().and_then(|s| {
        snapshot.customers.values().find(|c| c.subscriptions.iter().any(|x| x.id == s)).map(|c| c.customer.id.clone())
    });
    ItemDecision {
        position: usize::try_from(r.position).unwrap_or(0),
        username: r.username.clone(),
        product: r.product.clone(),
        change: match (r.delta, r.target) {
            (Some(d), _) => Change::Delta(d),
            (None, Some(t)) => Change::Target(t),
            (None, None) => Change::Delta(0),
        },
        customer_id,
        subscription_id: r.subscription_id.clone(),
        status,
        rule,
        old_quantity: r.old_quantity,
        new_quantity: r.new_quantity,
    }
}

/// Record each item, and apply the applied ones with their ledger rows.
async fn record_items(tx: &mut Tx, message: i64, items: &[ItemDecision], actor: &str) -> Result<(), StoreError> {
    for item in items {
        let (delta, target) = match item.change {
            Change::Delta(d) => (Some(d), None),
            Change::Target(t) => (None, Some(t)),
        };
        let item_id = tx
            .insert_item(&NewItem {
                message,
                position: i64::try_from(item.position).unwrap_or(i64::MAX),
                username: item.username.as_deref(),
                product: item.product.as_deref(),
                delta,
                target,
                subscription_id: item.subscription_id.as_deref(),
                status: item.status.as_str(),
                rule: item.rule.as_str(),
                old_quantity: item.old_quantity,
                new_quantity: item.new_quantity,
                detail: "{}",
            })
            .await?;
        if item.status == ItemStatus::Applied {
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
                        rule: item.rule.as_str(),
                    })
                    .await?;
                }
            }
        }
    }
    Ok(())
}

/// Everything decide needs about the sender and the tenants a mail names, with the
/// subscriptions of every customer involved locked.
async fn load_snapshot(tx: &mut Tx, sender: Option<&str>, username_domains: &[String]) -> Result<Snapshot, StoreError> {
    let domain_owners = tx.domain_owners(username_domains).await?;
    let mut customers: BTreeSet<String> = domain_owners.values().cloned().collect();
    if let Some(s) = sender {
        for c in tx.contacts_by_email(s).await? {
            customers.insert(c.customer_id);
        }
    }
    load_customers(tx, sender, customers, domain_owners).await
}

async fn load_customers(
    tx: &mut Tx,
    sender: Option<&str>,
    customers: BTreeSet<String>,
    domain_owners: std::collections::HashMap<String, String>,
) -> Result<Snapshot, StoreError> {
    let contacts = match sender {
        Some(s) => tx.contacts_by_email(s).await?,
        None => Vec::new(),
    };
    let mut snap = Snapshot { contacts, domain_owners, customers: Default::default() };
    let since = day_ago();
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

/// The mail's own Date, when it is a valid one, in UTC.
fn mail_date(date: Option<&str>) -> Option<chrono::DateTime<Utc>> {
    chrono::DateTime::parse_from_rfc2822(date?.trim()).ok().map(|d| d.with_timezone(&Utc))
}
