//! Incoming mails and what became of them: the message row (one per key), its request items
//! and the seat-change ledger. Rows decode here, once, into the typed states.

use chrono::Utc;
use serde::Serialize;
use sqlx::Row;

use super::{get_word, ts, Result, Store, StoreError, Tx};
use crate::decide::Rule;
use crate::domain::{Attention, ChangeKind, ItemStatus, MessageState, OpsVerdict};

pub struct NewMessage<'a> {
    pub key: &'a str,
    pub source: &'a str,
    pub source_id: &'a str,
    pub message_id: Option<&'a str>,
    pub sender: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub customer_id: Option<&'a str>,
    pub language: Option<&'a str>,
    pub received_at: &'a str,
    /// The mail's own Date (UTC), when valid.
    pub mail_date: Option<&'a str>,
    pub state: MessageState,
    pub reason: &'a str,
    pub attention: Option<Attention>,
    pub parsed: &'a str,
    pub raw: &'a [u8],
    pub raw_truncated: bool,
}

pub struct NewItem<'a> {
    pub message: i64,
    pub position: i64,
    pub username: Option<&'a str>,
    pub product: Option<&'a str>,
    pub delta: Option<i64>,
    pub target: Option<i64>,
    pub subscription_id: Option<&'a str>,
    pub status: ItemStatus,
    pub rule: Rule,
    pub old_quantity: Option<i64>,
    pub new_quantity: Option<i64>,
}

pub struct NewLedger<'a> {
    pub subscription_id: &'a str,
    pub message: Option<i64>,
    pub item: Option<i64>,
    pub actor: &'a str,
    pub old_quantity: i64,
    pub new_quantity: i64,
    pub rule: Rule,
    /// The operator's note, for a change ops decided.
    pub note: Option<&'a str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MessageRow {
    #[serde(skip)]
    pub id: i64,
    pub key: String,
    pub message_id: Option<String>,
    pub from: Option<String>,
    pub subject: Option<String>,
    pub customer_id: Option<String>,
    pub language: Option<String>,
    pub received_at: String,
    /// The mail's own Date header (UTC), when it had a valid one.
    pub mail_date: Option<String>,
    pub processed_at: String,
    pub state: MessageState,
    pub reason: String,
    /// Why a rejected mail waits in the queue until a person has seen it.
    pub attention: Option<Attention>,
    /// When a person saw it.
    pub reviewed_at: Option<String>,
}

impl MessageRow {
    /// Since when the customer waits: the mail's own date, unless it claims to be younger than
    /// its arrival (a sender's clock ahead), or there is none.
    pub fn waiting_since(&self) -> &str {
        match &self.mail_date {
            Some(d) if d.as_str() < self.received_at.as_str() => d,
            _ => &self.received_at,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemRow {
    pub id: i64,
    #[serde(skip)]
    pub message: i64,
    pub position: i64,
    pub username: Option<String>,
    pub product: Option<String>,
    pub delta: Option<i64>,
    pub target: Option<i64>,
    pub subscription_id: Option<String>,
    pub status: ItemStatus,
    pub rule: Rule,
    pub old_quantity: Option<i64>,
    pub new_quantity: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LedgerRow {
    pub id: i64,
    pub subscription_id: String,
    pub actor: String,
    pub old_quantity: i64,
    pub new_quantity: i64,
    pub rule: Rule,
    pub created_at: String,
    pub note: Option<String>,
}

/// A person's decision on a queued mail.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionRow {
    pub actor: String,
    pub action: OpsVerdict,
    pub note: Option<String>,
    /// The message's state after it.
    pub state: MessageState,
    pub created_at: String,
}

#[derive(Debug, Serialize)]
pub struct MessageDetail {
    pub message: MessageRow,
    pub source: String,
    pub source_id: String,
    pub parsed: serde_json::Value,
    pub items: Vec<ItemRow>,
    pub ledger: Vec<LedgerRow>,
    pub answers: Vec<super::OutboxRow>,
    /// Who decided what, when, with which note.
    pub decisions: Vec<DecisionRow>,
    #[serde(skip)]
    pub raw: Vec<u8>,
}

pub(super) const MESSAGE_COLUMNS: &str = "id, key, message_id, sender, subject, customer_id, language, received_at, \
     mail_date, processed_at, state, reason, attention, reviewed_at";
pub(super) const LEDGER_COLUMNS: &str = "id, subscription_id, actor, old_quantity, new_quantity, rule, created_at, note";
const ITEM_COLUMNS: &str = "id, message, position, username, product, delta, target, subscription_id, status, \
     rule, old_quantity, new_quantity";
const TABLE: &str = "messages";

pub(super) fn message_from_row(r: &sqlx::any::AnyRow) -> Result<MessageRow> {
    Ok(MessageRow {
        id: r.try_get("id")?,
        key: r.try_get("key")?,
        message_id: r.try_get("message_id")?,
        from: r.try_get("sender")?,
        subject: r.try_get("subject")?,
        customer_id: r.try_get("customer_id")?,
        language: r.try_get("language")?,
        received_at: r.try_get("received_at")?,
        mail_date: r.try_get("mail_date")?,
        processed_at: r.try_get("processed_at")?,
        state: get_word(r, "state", TABLE)?,
        reason: r.try_get("reason")?,
        attention: r.try_get::<Option<String>, _>("attention")?.map(|a| super::parse_word(&a, TABLE)).transpose()?,
        reviewed_at: r.try_get("reviewed_at")?,
    })
}

pub(super) fn ledger_from_row(r: &sqlx::any::AnyRow) -> Result<LedgerRow> {
    Ok(LedgerRow {
        id: r.try_get("id")?,
        subscription_id: r.try_get("subscription_id")?,
        actor: r.try_get("actor")?,
        old_quantity: r.try_get("old_quantity")?,
        new_quantity: r.try_get("new_quantity")?,
        rule: get_word(r, "rule", "seat_changes")?,
        created_at: r.try_get("created_at")?,
        note: r.try_get("note")?,
    })
}

fn decision_from_row(r: &sqlx::any::AnyRow) -> Result<DecisionRow> {
    Ok(DecisionRow {
        actor: r.try_get("actor")?,
        action: get_word(r, "action", "ops_decisions")?,
        note: r.try_get("note")?,
        state: get_word(r, "state", "ops_decisions")?,
        created_at: r.try_get("created_at")?,
    })
}

fn item_from_row(r: &sqlx::any::AnyRow) -> Result<ItemRow> {
    Ok(ItemRow {
        id: r.try_get("id")?,
        message: r.try_get("message")?,
        position: r.try_get("position")?,
        username: r.try_get("username")?,
        product: r.try_get("product")?,
        delta: r.try_get("delta")?,
        target: r.try_get("target")?,
        subscription_id: r.try_get("subscription_id")?,
        status: get_word(r, "status", "request_items")?,
        rule: get_word(r, "rule", "request_items")?,
        old_quantity: r.try_get("old_quantity")?,
        new_quantity: r.try_get("new_quantity")?,
    })
}

/// A message's items, in the mail's order, inside a transaction or not.
async fn items<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(on: E, message: i64) -> Result<Vec<ItemRow>> {
    sqlx::query(&format!("SELECT {ITEM_COLUMNS} FROM request_items WHERE message = $1 ORDER BY position"))
        .bind(message)
        .fetch_all(on)
        .await?
        .iter()
        .map(item_from_row)
        .collect()
}

impl Tx {
    pub(super) async fn items_of(&mut self, message: i64) -> Result<Vec<ItemRow>> {
        items(self.conn(), message).await
    }

    /// Has a mail with this key been recorded already?
    pub async fn message_exists(&mut self, key: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE key = $1")
            .bind(key)
            .fetch_one(self.conn())
            .await?;
        Ok(n > 0)
    }

    /// Record a mail. `None` when its key exists already: the mail was processed before (a
    /// re-delivery, or a crash between commit and move), and nothing more may happen to it.
    pub async fn insert_message(&mut self, m: &NewMessage<'_>) -> Result<Option<i64>> {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO messages (key, source, source_id, message_id, sender, subject, customer_id, language, \
             received_at, processed_at, state, reason, parsed, raw, raw_truncated, attention, mail_date) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
             ON CONFLICT (key) DO NOTHING RETURNING id",
        )
        .bind(m.key)
        .bind(m.source)
        .bind(m.source_id)
        .bind(m.message_id)
        .bind(m.sender)
        .bind(m.subject)
        .bind(m.customer_id)
        .bind(m.language)
        .bind(m.received_at)
        .bind(ts(Utc::now()))
        .bind(m.state.as_str())
        .bind(m.reason)
        .bind(m.parsed)
        .bind(m.raw)
        .bind(i64::from(m.raw_truncated))
        .bind(m.attention.map(|a| a.as_str()))
        .bind(m.mail_date)
        .fetch_optional(self.conn())
        .await?;
        Ok(id)
    }

    pub async fn insert_item(&mut self, i: &NewItem<'_>) -> Result<i64> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO request_items (message, position, username, product, delta, target, subscription_id, \
             status, rule, old_quantity, new_quantity) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(i.message)
        .bind(i.position)
        .bind(i.username)
        .bind(i.product)
        .bind(i.delta)
        .bind(i.target)
        .bind(i.subscription_id)
        .bind(i.status.as_str())
        .bind(i.rule.as_str())
        .bind(i.old_quantity)
        .bind(i.new_quantity)
        .fetch_one(self.conn())
        .await?;
        Ok(id)
    }

    pub async fn update_item(
        &mut self,
        id: i64,
        status: ItemStatus,
        rule: Rule,
        old_quantity: Option<i64>,
        new_quantity: Option<i64>,
    ) -> Result<()> {
        sqlx::query("UPDATE request_items SET status = $1, rule = $2, old_quantity = $3, new_quantity = $4 WHERE id = $5")
        .bind(status.as_str())
        .bind(rule.as_str())
        .bind(old_quantity)
        .bind(new_quantity)
        .bind(id)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn insert_ledger(&mut self, l: &NewLedger<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO seat_changes (subscription_id, message, item, actor, old_quantity, new_quantity, rule, created_at, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(l.subscription_id)
        .bind(l.message)
        .bind(l.item)
        .bind(l.actor)
        .bind(l.old_quantity)
        .bind(l.new_quantity)
        .bind(l.rule.as_str())
        .bind(ts(Utc::now()))
        .bind(l.note)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// The message waits for ops: its approval, unless it has one already (a second insert
    /// would fail, and on PostgreSQL a failed statement aborts the whole transaction).
    pub async fn open_approval(&mut self, message: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO approvals (message, state, created_at) VALUES ($1, 'pending', $2) ON CONFLICT (message) DO NOTHING",
        )
        .bind(message)
        .bind(ts(Utc::now()))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// A held message's final state, with its approval closed (approved when anything applied).
    pub async fn decide_message(&mut self, id: i64, state: MessageState, reason: &str, actor: &str, note: Option<&str>) -> Result<()> {
        let now = ts(Utc::now());
        sqlx::query("UPDATE messages SET state = $1, reason = $2, processed_at = $3 WHERE id = $4")
            .bind(state.as_str())
            .bind(reason)
            .bind(&now)
            .bind(id)
            .execute(self.conn())
            .await?;
        self.close_approval(id, state, actor, note).await
    }

    /// The message's open approval, closed by `actor` (approved when the message was applied).
    pub async fn close_approval(&mut self, id: i64, state: MessageState, actor: &str, note: Option<&str>) -> Result<()> {
        let approval_state = match state {
            MessageState::Applied => "approved",
            _ => "rejected",
        };
        sqlx::query(
            "UPDATE approvals SET state = $1, decided_by = $2, decided_at = $3, note = $4 \
             WHERE message = $5 AND state = 'pending'",
        )
        .bind(approval_state)
        .bind(actor)
        .bind(ts(Utc::now()))
        .bind(note)
        .bind(id)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// The raw mail of a message (for answering it later).
    pub async fn message_raw(&mut self, id: i64) -> Result<Vec<u8>> {
        Ok(sqlx::query_scalar("SELECT raw FROM messages WHERE id = $1").bind(id).fetch_one(self.conn()).await?)
    }
}

impl Store {
    pub(super) async fn items(&self, message: i64) -> Result<Vec<ItemRow>> {
        items(self.pool(), message).await
    }

    pub async fn list_messages(&self, state: Option<MessageState>, limit: i64) -> Result<Vec<MessageRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE ($1 = '' OR state = $1) ORDER BY id DESC LIMIT $2"
        ))
        .bind(state.map(|s| s.as_str()).unwrap_or(""))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(message_from_row).collect()
    }

    pub async fn count_by_state(&self) -> Result<Vec<(MessageState, i64)>> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM messages GROUP BY state ORDER BY state")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| Ok((get_word(r, "state", TABLE)?, r.try_get("n")?))).collect()
    }

    /// A message by its key, or by a unique prefix of it (keys are long hashes).
    pub async fn message_detail(&self, key: &str) -> Result<MessageDetail> {
        let rows = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS}, source, source_id, parsed, raw FROM messages WHERE key = $1 OR key LIKE $2 LIMIT 2"
        ))
        .bind(key)
        .bind(format!("{}%", key.replace(['%', '_'], "")))
        .fetch_all(self.pool())
        .await?;
        let row = match rows.as_slice() {
            [one] => one,
            [] => return Err(StoreError::NotFound(format!("no message with key {key}"))),
            _ => return Err(StoreError::NotFound(format!("key prefix {key} matches several messages"))),
        };
        let message = message_from_row(row)?;
        let parsed: String = row.try_get("parsed")?;
        let items = self.items(message.id).await?;
        let ledger = sqlx::query(&format!("SELECT {LEDGER_COLUMNS} FROM seat_changes WHERE message = $1 ORDER BY id"))
        .bind(message.id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(ledger_from_row)
        .collect::<Result<Vec<_>>>()?;
        let answers = self.outbox_for_message(message.id).await?;
        let decisions = self.decisions(message.id).await?;
        Ok(MessageDetail {
            source: row.try_get("source")?,
            source_id: row.try_get("source_id")?,
            parsed: serde_json::from_str(&parsed).unwrap_or(serde_json::Value::String(parsed)),
            raw: row.try_get("raw")?,
            message,
            items,
            ledger,
            answers,
            decisions,
        })
    }

    /// The decisions people took on a message, oldest first.
    pub async fn decisions(&self, message: i64) -> Result<Vec<DecisionRow>> {
        sqlx::query("SELECT actor, action, note, state, created_at FROM ops_decisions WHERE message = $1 ORDER BY id")
            .bind(message)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(decision_from_row)
            .collect()
    }

    /// The last decision on each of `messages` that has one.
    pub async fn last_decisions(&self, messages: &[i64]) -> Result<std::collections::HashMap<i64, DecisionRow>> {
        let mut out = std::collections::HashMap::new();
        if messages.is_empty() {
            return Ok(out);
        }
        let marks: Vec<String> = (1..=messages.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT message, actor, action, note, state, created_at FROM ops_decisions WHERE message IN ({}) ORDER BY id",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for m in messages {
            q = q.bind(*m);
        }
        for r in q.fetch_all(self.pool()).await? {
            out.insert(r.try_get::<i64, _>("message")?, decision_from_row(&r)?);
        }
        Ok(out)
    }

    /// The ledger of one subscription (or all), oldest first.
    pub async fn ledger(&self, subscription_id: Option<&str>) -> Result<Vec<LedgerRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {LEDGER_COLUMNS} FROM seat_changes WHERE ($1 = '' OR subscription_id = $1) ORDER BY id"
        ))
        .bind(subscription_id.unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(ledger_from_row).collect()
    }
}

impl Store {
    /// The recorded state of the mail with this key, if it was processed.
    pub async fn message_state(&self, key: &str) -> Result<Option<crate::domain::MessageState>> {
        let state: Option<String> = sqlx::query_scalar("SELECT state FROM messages WHERE key = $1")
            .bind(key)
            .fetch_optional(self.pool())
            .await?;
        state.map(|s| super::parse_word(&s, TABLE)).transpose()
    }
}

impl Tx {
    pub async fn set_message_reason(&mut self, id: i64, state: MessageState, reason: &str) -> Result<()> {
        sqlx::query("UPDATE messages SET state = $1, reason = $2, processed_at = $3 WHERE id = $4")
            .bind(state.as_str())
            .bind(reason)
            .bind(ts(Utc::now()))
            .bind(id)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}

impl Tx {
    /// Forget a message's items (before ops' correction records the corrected ones).
    pub async fn delete_items(&mut self, message: i64) -> Result<()> {
        sqlx::query("DELETE FROM request_items WHERE message = $1 AND id NOT IN (SELECT item FROM seat_changes WHERE item IS NOT NULL)")
            .bind(message)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// A message decided afresh (ops' correction): its state, reason, customer and attention.
    pub async fn set_message_outcome(
        &mut self,
        id: i64,
        state: MessageState,
        reason: &str,
        customer_id: Option<&str>,
        attention: Option<Attention>,
    ) -> Result<()> {
        sqlx::query("UPDATE messages SET state = $1, reason = $2, customer_id = $3, attention = $4, processed_at = $5 WHERE id = $6")
            .bind(state.as_str())
            .bind(reason)
            .bind(customer_id)
            .bind(attention.map(|a| a.as_str()))
            .bind(ts(Utc::now()))
            .bind(id)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}

impl Tx {
    /// Who decided what on a queued mail, with which note, the state it found (`before`) and
    /// the state it left, and what its held items asked for.
    pub async fn record_ops_decision(
        &mut self,
        message: i64,
        actor: &str,
        action: OpsVerdict,
        note: Option<&str>,
        (before, state): (MessageState, MessageState),
        kind: Option<ChangeKind>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO ops_decisions (message, actor, action, note, state, created_at, before_state, kind) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(message)
        .bind(actor)
        .bind(action.as_str())
        .bind(note)
        .bind(state.as_str())
        .bind(ts(Utc::now()))
        .bind(before.as_str())
        .bind(kind.map(ChangeKind::as_str))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// A person has looked at this rejected mail: it leaves the queue, its state stays.
    pub async fn mark_reviewed(&mut self, id: i64, actor: &str, note: Option<&str>) -> Result<()> {
        sqlx::query("UPDATE messages SET reviewed_by = $1, reviewed_at = $2, reason = reason || $3 WHERE id = $4")
            .bind(actor)
            .bind(ts(Utc::now()))
            .bind(format!(" (seen by {actor}{})", note.map(|n| format!(": {n}")).unwrap_or_default()))
            .bind(id)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}
