//! Incoming mails and what became of them: the message row (one per key), its request items,
//! the seat-change ledger and the approvals queue.

use chrono::Utc;
use serde::Serialize;
use sqlx::Row;

use super::{ts, Result, Store, StoreError, Tx};

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
    pub state: &'a str,
    pub reason: &'a str,
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
    pub status: &'a str,
    pub rule: &'a str,
    pub old_quantity: Option<i64>,
    pub new_quantity: Option<i64>,
    pub detail: &'a str,
}

pub struct NewLedger<'a> {
    pub subscription_id: &'a str,
    pub message: Option<i64>,
    pub item: Option<i64>,
    pub actor: &'a str,
    pub old_quantity: i64,
    pub new_quantity: i64,
    pub rule: &'a str,
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
    pub processed_at: String,
    pub state: String,
    pub reason: String,
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
    pub status: String,
    pub rule: String,
    pub old_quantity: Option<i64>,
    pub new_quantity: Option<i64>,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LedgerRow {
    pub id: i64,
    pub subscription_id: String,
    pub actor: String,
    pub old_quantity: i64,
    pub new_quantity: i64,
    pub rule: String,
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
    #[serde(skip)]
    pub raw: Vec<u8>,
}

/// What waits for a person: held requests and mails that need review.
#[derive(Debug, Serialize)]
pub struct QueueEntry {
    pub id: i64,
    pub key: String,
    pub state: String,
    pub customer_id: Option<String>,
    pub from: Option<String>,
    pub subject: Option<String>,
    pub received_at: String,
    pub reason: String,
    pub request: String,
}

/// Rejections a person should see: a sender we do not know (perhaps a new admin to
/// register), a mail that failed authentication (perhaps a forgery), a flagged request.
const UNSEEN_REJECTIONS: &str =
    "reason LIKE 'unknown sender%' OR reason LIKE 'sender not authenticated%' OR reason LIKE 'FLAGGED%'";

pub(super) const MESSAGE_COLUMNS: &str =
    "id, key, message_id, sender, subject, customer_id, language, received_at, processed_at, state, reason";
const ITEM_COLUMNS: &str = "id, message, position, username, product, delta, target, subscription_id, status, \
     rule, old_quantity, new_quantity, detail";

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
        processed_at: r.try_get("processed_at")?,
        state: r.try_get("state")?,
        reason: r.try_get("reason")?,
    })
}

pub(super) fn ledger_from_row(r: &sqlx::any::AnyRow) -> Result<LedgerRow> {
    Ok(LedgerRow {
        id: r.try_get("id")?,
        subscription_id: r.try_get("subscription_id")?,
        actor: r.try_get("actor")?,
        old_quantity: r.try_get("old_quantity")?,
        new_quantity: r.try_get("new_quantity")?,
        rule: r.try_get("rule")?,
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
        status: r.try_get("status")?,
        rule: r.try_get("rule")?,
        old_quantity: r.try_get("old_quantity")?,
        new_quantity: r.try_get("new_quantity")?,
        detail: r.try_get("detail")?,
    })
}

impl Tx {
    async fn items_of(&mut self, message: i64) -> Result<Vec<ItemRow>> {
        sqlx::query(&format!("SELECT {ITEM_COLUMNS} FROM request_items WHERE message = $1 ORDER BY position"))
            .bind(message)
            .fetch_all(self.conn())
            .await?
            .iter()
            .map(item_from_row)
            .collect()
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
             received_at, processed_at, state, reason, parsed, raw, raw_truncated) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
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
        .bind(m.state)
        .bind(m.reason)
        .bind(m.parsed)
        .bind(m.raw)
        .bind(i64::from(m.raw_truncated))
        .fetch_optional(self.conn())
        .await?;
        Ok(id)
    }

    pub async fn insert_item(&mut self, i: &NewItem<'_>) -> Result<i64> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO request_items (message, position, username, product, delta, target, subscription_id, \
             status, rule, old_quantity, new_quantity, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(i.message)
        .bind(i.position)
        .bind(i.username)
        .bind(i.product)
        .bind(i.delta)
        .bind(i.target)
        .bind(i.subscription_id)
        .bind(i.status)
        .bind(i.rule)
        .bind(i.old_quantity)
        .bind(i.new_quantity)
        .bind(i.detail)
        .fetch_one(self.conn())
        .await?;
        Ok(id)
    }

    pub async fn update_item(
        &mut self,
        id: i64,
        status: &str,
        rule: &str,
        old_quantity: Option<i64>,
        new_quantity: Option<i64>,
        detail: &str,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE request_items SET status = $1, rule = $2, old_quantity = $3, new_quantity = $4, detail = $5 \
             WHERE id = $6",
        )
        .bind(status)
        .bind(rule)
        .bind(old_quantity)
        .bind(new_quantity)
        .bind(detail)
        .bind(id)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn insert_ledger(&mut self, l: &NewLedger<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO seat_changes (subscription_id, message, item, actor, old_quantity, new_quantity, rule, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(l.subscription_id)
        .bind(l.message)
        .bind(l.item)
        .bind(l.actor)
        .bind(l.old_quantity)
        .bind(l.new_quantity)
        .bind(l.rule)
        .bind(ts(Utc::now()))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn insert_approval(&mut self, message: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO approvals (message, state, created_at) VALUES ($1, 'pending', $2) RETURNING id",
        )
        .bind(message)
        .bind(ts(Utc::now()))
        .fetch_one(self.conn())
        .await?)
    }

    /// The message waiting in the queue under `id` (a message row id), locked, with its items.
    /// Fails unless it is still waiting: a decision is taken once.
    pub async fn queued_message_locked(&mut self, id: i64) -> Result<(MessageRow, Vec<ItemRow>)> {
        let row = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS}, reviewed_at FROM messages WHERE id = $1{}",
            self.backend.for_update()
        ))
        .bind(id)
        .fetch_optional(self.conn())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no message {id} in the queue")))?;
        let message = message_from_row(&row)?;
        let reviewed: Option<String> = row.try_get("reviewed_at")?;
        let unseen_rejection = message.state == "rejected"
            && reviewed.is_none()
            && ["unknown sender", "sender not authenticated", "FLAGGED"].iter().any(|p| message.reason.starts_with(p));
        if message.state != "awaiting_approval" && message.state != "needs_review" && !unseen_rejection {
            return Err(StoreError::Conflict(format!(
                "message {id} is {} already: nothing to decide",
                message.state
            )));
        }
        let items = self.items_of(id).await?;
        Ok((message, items))
    }

    pub async fn decide_message(&mut self, id: i64, state: &str, reason: &str, actor: &str, note: Option<&str>) -> Result<()> {
        let now = ts(Utc::now());
        sqlx::query("UPDATE messages SET state = $1, reason = $2, processed_at = $3 WHERE id = $4")
            .bind(state)
            .bind(reason)
            .bind(&now)
            .bind(id)
            .execute(self.conn())
            .await?;
        let approval_state = if state == "applied" { "approved" } else { "rejected" };
        sqlx::query(
            "UPDATE approvals SET state = $1, decided_by = $2, decided_at = $3, note = $4 \
             WHERE message = $5 AND state = 'pending'",
        )
        .bind(approval_state)
        .bind(actor)
        .bind(&now)
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
    pub async fn list_messages(&self, state: Option<&str>, limit: i64) -> Result<Vec<MessageRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE ($1 = '' OR state = $1) ORDER BY id DESC LIMIT $2"
        ))
        .bind(state.unwrap_or(""))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(message_from_row).collect()
    }

    pub async fn count_by_state(&self) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM messages GROUP BY state ORDER BY state")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| Ok((r.try_get("state")?, r.try_get("n")?))).collect()
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
        let items = sqlx::query(&format!("SELECT {ITEM_COLUMNS} FROM request_items WHERE message = $1 ORDER BY position"))
            .bind(message.id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(item_from_row)
            .collect::<Result<Vec<_>>>()?;
        let ledger = sqlx::query(
            "SELECT id, subscription_id, actor, old_quantity, new_quantity, rule, created_at FROM seat_changes \
             WHERE message = $1 ORDER BY id",
        )
        .bind(message.id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(ledger_from_row)
        .collect::<Result<Vec<_>>>()?;
        let answers = self.outbox_for_message(message.id).await?;
        Ok(MessageDetail {
            source: row.try_get("source")?,
            source_id: row.try_get("source_id")?,
            parsed: serde_json::from_str(&parsed).unwrap_or(serde_json::Value::String(parsed)),
            raw: row.try_get("raw")?,
            message,
            items,
            ledger,
            answers,
        })
    }

    /// The ledger of one subscription (or all), oldest first.
    pub async fn ledger(&self, subscription_id: Option<&str>) -> Result<Vec<LedgerRow>> {
        let rows = sqlx::query(
            "SELECT id, subscription_id, actor, old_quantity, new_quantity, rule, created_at FROM seat_changes \
             WHERE ($1 = '' OR subscription_id = $1) ORDER BY id",
        )
        .bind(subscription_id.unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(ledger_from_row).collect()
    }

    /// Held requests and mails needing review, oldest first, held requests before reviews.
    pub async fn queue(&self) -> Result<Vec<QueueEntry>> {
        let rows = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE state IN ('awaiting_approval', 'needs_review') \
             OR (state = 'rejected' AND reviewed_at IS NULL AND ({UNSEEN_REJECTIONS})) \
             ORDER BY CASE state WHEN 'awaiting_approval' THEN 0 WHEN 'needs_review' THEN 1 ELSE 2 END, received_at, id"
        ))
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let m = message_from_row(r)?;
            let items = sqlx::query(&format!("SELECT {ITEM_COLUMNS} FROM request_items WHERE message = $1 ORDER BY position"))
                .bind(m.id)
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(item_from_row)
                .collect::<Result<Vec<_>>>()?;
            let request = items
                .iter()
                .map(|i| {
                    let change = match (i.delta, i.target) {
                        (Some(d), _) => format!("{d:+}"),
                        (None, Some(t)) => format!("={t}"),
                        _ => "?".into(),
                    };
                    format!(
                        "{} {} {}",
                        i.subscription_id.as_deref().or(i.product.as_deref()).unwrap_or("?"),
                        change,
                        i.status
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            out.push(QueueEntry {
                id: m.id,
                key: m.key,
                state: m.state,
                customer_id: m.customer_id,
                from: m.from,
                subject: m.subject,
                received_at: m.received_at,
                reason: m.reason,
                request,
            });
        }
        Ok(out)
    }
}

impl Store {
    /// The recorded state of the mail with this key, if it was processed.
    pub async fn message_state(&self, key: &str) -> Result<Option<crate::domain::MessageState>> {
        let state: Option<String> = sqlx::query_scalar("SELECT state FROM messages WHERE key = $1")
            .bind(key)
            .fetch_optional(self.pool())
            .await?;
        state.map(|s| super::parse_word(&s, "messages")).transpose()
    }
}

/// A confirmation code's record (the code itself is never stored).
#[derive(Debug, Clone)]
pub struct Confirmation {
    pub id: i64,
    pub message: i64,
    pub customer_id: String,
    pub expires_at: String,
    pub used_at: Option<String>,
}

impl Tx {
    /// Seats added plus removed for a customer since `since` (the daily limit).
    pub async fn seats_changed_since(&mut self, customer_id: &str, since: &str) -> Result<i64> {
        let n: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(ABS(c.new_quantity - c.old_quantity)), 0) AS BIGINT) FROM seat_changes c \
             JOIN subscriptions s ON s.id = c.subscription_id WHERE s.customer_id = $1 AND c.created_at >= $2",
        )
        .bind(customer_id)
        .bind(since)
        .fetch_one(self.conn())
        .await?;
        Ok(n.unwrap_or(0))
    }

    /// Automatic answers to `address` since `since` (the per-correspondent cap).
    pub async fn answers_to_since(&mut self, address: &str, since: &str) -> Result<i64> {
        let pattern = format!("% {} %", address.replace(['%', '_'], ""));
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE created_at >= $1 AND (' ' || recipients || ' ') LIKE $2")
            .bind(since)
            .bind(pattern)
            .fetch_one(self.conn())
            .await?)
    }

    pub async fn insert_confirmation(&mut self, message: i64, customer_id: &str, code_hash: &str, expires_at: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO confirmations (message, customer_id, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(message)
        .bind(customer_id)
        .bind(code_hash)
        .bind(ts(Utc::now()))
        .bind(expires_at)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// The confirmation for a code hash, locked.
    pub async fn confirmation_locked(&mut self, code_hash: &str) -> Result<Option<Confirmation>> {
        let row = sqlx::query(&format!(
            "SELECT id, message, customer_id, expires_at, used_at FROM confirmations WHERE code_hash = $1{}",
            self.backend.for_update()
        ))
        .bind(code_hash)
        .fetch_optional(self.conn())
        .await?;
        row.map(|r| {
            Ok(Confirmation {
                id: r.try_get("id")?,
                message: r.try_get("message")?,
                customer_id: r.try_get("customer_id")?,
                expires_at: r.try_get("expires_at")?,
                used_at: r.try_get("used_at")?,
            })
        })
        .transpose()
    }

    pub async fn use_confirmation(&mut self, id: i64, used_by: i64) -> Result<()> {
        sqlx::query("UPDATE confirmations SET used_at = $1, used_by = $2 WHERE id = $3")
            .bind(ts(Utc::now()))
            .bind(used_by)
            .bind(id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// A message row by id, locked, with its items (any state).
    pub async fn message_locked(&mut self, id: i64) -> Result<(MessageRow, Vec<ItemRow>)> {
        let row = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = $1{}",
            self.backend.for_update()
        ))
        .bind(id)
        .fetch_optional(self.conn())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no message {id}")))?;
        let message = message_from_row(&row)?;
        let items = self.items_of(id).await?;
        Ok((message, items))
    }
}

impl Tx {
    pub async fn set_message_reason(&mut self, id: i64, state: &str, reason: &str) -> Result<()> {
        sqlx::query("UPDATE messages SET state = $1, reason = $2, processed_at = $3 WHERE id = $4")
            .bind(state)
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

    pub async fn set_message_customer(&mut self, id: i64, customer_id: Option<&str>) -> Result<()> {
        sqlx::query("UPDATE messages SET customer_id = $1 WHERE id = $2").bind(customer_id).bind(id).execute(self.conn()).await?;
        Ok(())
    }
}

impl Tx {
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
