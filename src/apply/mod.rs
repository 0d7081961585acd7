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
    fn context(&self) -> (Vec<String>, chrono::NaiveDate) {
        (vec![self.config.answers.from.to_ascii_lowercase()], Utc::now().date_naive())
    }

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
            match self.process(&incoming).await {
                Ok(done) => {
                    failures = 0;
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
        let received_at = crate::store::ts(incoming.received_at);
        let mut tx = self.store.begin().await?;
        if tx.message_exists(&key).await? {
            let state = self.store.message_state(&key).await?.unwrap_or(MessageState::Ignored);
            return Ok(Processed { key, state, reason: "already processed".into(), duplicate: true });
        }
        let (decision, snapshot) = match &parsed {
            Ok(p) => {
                let snapshot = load_snapshot(&mut tx, p.from.as_deref(), &decide::username_domains(p)).await?;
                let (own, today) = self.context();
                let ctx = self.decide_context(&own, today);
                (decide::decide(p, &snapshot, &ctx), snapshot)
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
            ),
        };
        let raw_headers = key::raw_headers(&incoming.raw);
        let (message_id, sender, subject, language, parsed_json) = match &parsed {
            Ok(p) => (
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
            Err(_) => (raw_headers.message_id.clone(), raw_headers.from.clone(), raw_headers.subject.clone(), None, "{}".into()),
        };
        let Some(message) = tx
            .insert_message(&NewMessage {
                key: &key,
                source: &incoming.source,
                source_id: &incoming.source_id,
                message_id: message_id.as_deref(),
                sender: sender.as_deref(),
                subject: subject.as_deref(),
                customer_id: decision.customer_id.as_deref(),
                language: language.as_deref(),
                received_at: &received_at,
                state: decision.state.as_str(),
                reason: &decision.reason,
                parsed: &parsed_json,
                raw: &incoming.raw,
                raw_truncated: incoming.oversized,
            })
            .await?
        else {
            let state = self.store.message_state(&key).await?.unwrap_or(MessageState::Ignored);
            return Ok(Processed { key, state, reason: "already processed".into(), duplicate: true });
        };
        let actor = sender.clone().unwrap_or_else(|| "unknown".into());
        record_items(&mut tx, message, &decision.items, &actor).await?;
        if decision.state == MessageState::AwaitingApproval {
            tx.insert_approval(message).await?;
        }
        if let (Some(plan), Ok(p)) = (&decision.answer, &parsed) {
            let (own, today) = self.context();
            let ctx = self.decide_context(&own, today);
            self.queue_answer(
                &mut tx,
                message,
                &AnswerInput {
                    plan,
                    items: &decision.items,
                    snapshot: &snapshot,
                    ctx: &ctx,
                    customer_id: decision.customer_id.as_deref(),
                    sender: p.from.as_deref().unwrap_or_default(),
                    meta: &p.meta,
                    original_message_id: p.message_id.as_deref(),
                    original_date: Some(mail_date(p.meta.date.as_deref()).unwrap_or(incoming.received_at).format("%Y-%m-%d %H:%M UTC").to_string()),
                    note: None,
                    bcc: &self.config.answers.bcc,
                },
            )
            .await?;
        }
        crate::failpoint!("before_commit");
        tx.commit().await?;
        if decision.answer.is_some() {
            self.outbox_wake.notify_one();
        }
        Ok(Processed { key, state: decision.state, reason: decision.reason, duplicate: false })
    }

    fn decide_context<'a>(&'a self, own: &'a [String], today: chrono::NaiveDate) -> Context<'a> {
        Context {
            policy: &self.config.policy,
            trust: &self.config.trust,
            catalog: &self.catalog,
            own_addresses: own,
            default_language: self.config.answers.language(),
            today,
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

    /// Reseller ops approve a held request: its pending items are re-checked on the locked,
    /// current subscriptions (without the approval threshold) and applied.
    pub async fn approve(&self, id: i64, actor: &str, note: Option<&str>) -> Result<Processed, ApplyError> {
        self.decide_queued(id, actor, note, true).await
    }

    /// Reseller ops reject a held request (the note goes into the answer), or dismiss a mail
    /// that needed review.
    pub async fn reject(&self, id: i64, actor: &str, note: Option<&str>) -> Result<Processed, ApplyError> {
        self.decide_queued(id, actor, note, false).await
    }

    async fn decide_queued(&self, id: i64, actor: &str, note: Option<&str>, approve: bool) -> Result<Processed, ApplyError> {
        let mut tx = self.store.begin().await?;
        let (message, rows) = tx.queued_message_locked(id).await?;
        let ops_actor = format!("ops:{actor}");
        if message.state == "needs_review" {
            if approve {
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
        let raw = tx.message_raw(id).await?;
        let limits = self.config.limits.parse_limits();
        let parsed = parse::parse_contained(&raw, &self.catalog, &limits).map_err(ApplyError::Refused)?;
        let sender = message.from.clone().unwrap_or_default();
        let mut customers: BTreeSet<String> = message.customer_id.iter().cloned().collect();
        for r in &rows {
            if let Some(s) = &r.subscription_id {
                if let Some(owner) = tx.subscription_owner(s).await? {
                    customers.insert(owner);
                }
            }
        }
        let snapshot = load_customers(&mut tx, Some(&sender), customers, Default::default()).await?;
        let (own, today) = self.context();
        let ctx = self.decide_context(&own, today);
        let mut items: Vec<ItemDecision> = rows.iter().map(|r| item_from_row(r, &snapshot)).collect();
        for (row, item) in rows.iter().zip(items.iter_mut()) {
            if item.status != ItemStatus::Pending {
                continue;
            }
            let sub = item
                .subscription_id
                .as_deref()
                .and_then(|s| snapshot.customers.values().flat_map(|c| &c.subscriptions).find(|x| x.id == s));
            let Some(sub) = sub else {
                item.status = ItemStatus::Rejected;
                item.rule = Rule::NoSubscription;
                item.new_quantity = None;
                tx.update_item(row.id, "rejected", Rule::NoSubscription.as_str(), item.old_quantity, None, "{}").await?;
                continue;
            };
            item.old_quantity = Some(sub.quantity);
            if !approve {
                item.status = ItemStatus::Rejected;
                item.rule = Rule::OpsRejected;
                item.new_quantity = None;
                tx.update_item(row.id, "rejected", Rule::OpsRejected.as_str(), Some(sub.quantity), None, "{}").await?;
                continue;
            }
            let verdict = decide::policy::evaluate(sub, item.change, &ctx.limits_for(&sub.product), today, true);
            match verdict {
                Verdict::Apply { new_quantity, rule } => {
                    item.status = ItemStatus::Applied;
                    item.rule = if rule == Rule::NoChange { rule } else { Rule::OpsApproved };
                    item.new_quantity = Some(new_quantity);
                    if new_quantity != sub.quantity {
                        tx.set_quantity(&sub.id, new_quantity).await?;
                        tx.insert_ledger(&NewLedger {
                            subscription_id: &sub.id,
                            message: Some(id),
                            item: Some(row.id),
                            actor: &ops_actor,
                            old_quantity: sub.quantity,
                            new_quantity,
                            rule: item.rule.as_str(),
                        })
                        .await?;
                    }
                }
                Verdict::Reject { rule, .. } | Verdict::Hold { rule, .. } => {
                    item.status = ItemStatus::Rejected;
                    item.rule = rule;
                    item.new_quantity = None;
                }
            }
            tx.update_item(row.id, item.status.as_str(), item.rule.as_str(), item.old_quantity, item.new_quantity, "{}")
                .await?;
        }
        let any_applied = items.iter().any(|i| i.status == ItemStatus::Applied);
        let state = if any_applied { MessageState::Applied } else { MessageState::Rejected };
        let reason = format!(
            "{} by {ops_actor}: {}",
            if approve { "approved" } else { "rejected" },
            items.iter().map(decide::describe_item).collect::<Vec<_>>().join("; ")
        );
        tx.decide_message(id, state.as_str(), &reason, &ops_actor, note).await?;
        let customer_id = message.customer_id.clone();
        let mut cc = Vec::new();
        for c in snapshot.customers.values() {
            for a in c.admins() {
                if a.email != sender && !cc.contains(&a.email) {
                    cc.push(a.email.clone());
                }
            }
        }
        let to = if snapshot.contacts.is_empty() { Vec::new() } else { vec![sender.clone()] };
        if !to.is_empty() || !cc.is_empty() {
            let plan = AnswerPlan {
                kind: if any_applied { AnswerKind::Confirmation } else { AnswerKind::Rejection },
                to,
                cc,
                language: parsed
                    .language
                    .or_else(|| customer_id.as_deref().and_then(|c| snapshot.customers.get(c)).map(|s| s.customer.language))
                    .unwrap_or(self.config.answers.language()),
                ask: None,
            };
            self.queue_answer(
                &mut tx,
                id,
                &AnswerInput {
                    plan: &plan,
                    items: &items,
                    snapshot: &snapshot,
                    ctx: &ctx,
                    customer_id: customer_id.as_deref(),
                    sender: &sender,
                    meta: &parsed.meta,
                    original_message_id: parsed.message_id.as_deref(),
                    original_date: Some(
                        mail_date(parsed.meta.date.as_deref())
                            .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
                            .unwrap_or_else(|| message.received_at.chars().take(16).collect::<String>().replace('T', " ") + " UTC"),
                    ),
                    note,
                    bcc: &self.config.answers.bcc,
                },
            )
            .await?;
        }
        tx.commit().await?;
        self.outbox_wake.notify_one();
        Ok(Processed { key: message.key, state, reason, duplicate: false })
    }
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
    // BTreeSet order: every transaction locks customers in the same order, so none deadlock.
    for id in customers {
        let Some(customer) = tx.customer(&id).await? else { continue };
        let subscriptions = tx.subscriptions_locked(&id).await?;
        let contacts = tx.contacts_of(&id).await?;
        snap.customers.insert(id, CustomerState { customer, subscriptions, contacts });
    }
    Ok(snap)
}

/// The mail's own Date, when it is a valid one, in UTC.
fn mail_date(date: Option<&str>) -> Option<chrono::DateTime<Utc>> {
    chrono::DateTime::parse_from_rfc2822(date?.trim()).ok().map(|d| d.with_timezone(&Utc))
}
