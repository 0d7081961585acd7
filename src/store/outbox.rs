//! The outbox queue: answers written in the processing transaction, delivered by the sender
//! worker under a lease so that a crashed sender's row is picked up again.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

use super::{get_word, ts, Result, Store, StoreError, Tx};
use crate::domain::{MailKind, NoticeKind, OutboxState};

pub struct NewOutbox<'a> {
    pub message: Option<i64>,
    pub message_id: &'a str,
    pub kind: MailKind,
    pub recipients: &'a [String],
    pub subject: &'a str,
    pub body: &'a [u8],
}

#[derive(Debug, Clone, Serialize)]
pub struct OutboxRow {
    pub id: i64,
    #[serde(skip)]
    pub message: Option<i64>,
    pub message_id: String,
    pub kind: MailKind,
    pub recipients: Vec<String>,
    pub subject: String,
    pub state: OutboxState,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
    #[serde(skip)]
    pub body: Vec<u8>,
}

const COLUMNS: &str = "id, message, message_id, kind, recipients, subject, state, attempts, next_attempt_at, \
     last_error, created_at, sent_at, body";

fn from_row(r: &sqlx::any::AnyRow) -> Result<OutboxRow> {
    let recipients: String = r.try_get("recipients")?;
    Ok(OutboxRow {
        id: r.try_get("id")?,
        message: r.try_get("message")?,
        message_id: r.try_get("message_id")?,
        kind: get_word(r, "kind", "outbox")?,
        recipients: recipients.split_whitespace().map(str::to_string).collect(),
        subject: r.try_get("subject")?,
        state: get_word(r, "state", "outbox")?,
        attempts: r.try_get("attempts")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        last_error: r.try_get("last_error")?,
        created_at: r.try_get("created_at")?,
        sent_at: r.try_get("sent_at")?,
        body: r.try_get("body")?,
    })
}

impl Tx {
    pub async fn outbox_row(&mut self, id: i64) -> Result<OutboxRow> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM outbox WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("no outbox row {id}")))?;
        from_row(&row)
    }

    pub async fn insert_outbox(&mut self, o: &NewOutbox<'_>) -> Result<i64> {
        let now = ts(Utc::now());
        let id = sqlx::query_scalar(
            "INSERT INTO outbox (message, message_id, kind, recipients, subject, body, state, attempts, \
             next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7) RETURNING id",
        )
        .bind(o.message)
        .bind(o.message_id)
        .bind(o.kind.as_str())
        .bind(o.recipients.join(" "))
        .bind(o.subject)
        .bind(o.body)
        .bind(&now)
        .fetch_one(self.conn())
        .await?;
        self.insert_recipients(id, o.recipients.iter().map(String::as_str), &now).await?;
        Ok(id)
    }

    /// One row per address of answer `outbox` (lower case, each once): what the
    /// per-correspondent cap counts (`answers_to_since`), by index.
    pub(super) async fn insert_recipients<'a>(&mut self, outbox: i64, recipients: impl Iterator<Item = &'a str>, created_at: &str) -> Result<()> {
        let addresses: std::collections::BTreeSet<String> =
            recipients.map(|r| r.trim().to_lowercase()).filter(|r| !r.is_empty()).collect();
        for address in addresses {
            sqlx::query("INSERT INTO outbox_recipients (outbox, address, created_at) VALUES ($1, $2, $3)")
                .bind(outbox)
                .bind(address)
                .bind(created_at)
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }
}

impl Store {
    /// Take up to `limit` due answers for instance `holder` for `lease_secs`: free ones, ones
    /// whose lease ran out, and the holder's own (a batch it left unsent when it could not
    /// beat). Another instance sees them again when the lease runs out, or at once when the
    /// holder is found dead (`src/instance.rs`).
    pub async fn lease_due(&self, holder: &str, now: DateTime<Utc>, lease_secs: i64, limit: i64) -> Result<Vec<OutboxRow>> {
        let mut tx = self.begin().await?;
        let now_s = ts(now);
        let until = ts(now + chrono::Duration::seconds(lease_secs));
        let rows = sqlx::query(&format!(
            "UPDATE outbox SET lease_until = $1, leased_by = $4, attempts = attempts + 1 WHERE id IN (\
               SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= $2 \
               AND (lease_until IS NULL OR lease_until < $2 OR leased_by = $4) ORDER BY id LIMIT $3{}) \
             RETURNING {COLUMNS}",
            self.backend.skip_locked()
        ))
        .bind(&until)
        .bind(&now_s)
        .bind(limit)
        .bind(holder)
        .fetch_all(tx.conn())
        .await?;
        tx.commit().await?;
        let mut out = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
        out.sort_by_key(|r| r.id);
        Ok(out)
    }

    pub async fn mark_sent(&self, id: i64) -> Result<()> {
        sqlx::query("UPDATE outbox SET state = 'sent', sent_at = $1, lease_until = NULL, leased_by = NULL, last_error = NULL WHERE id = $2")
            .bind(ts(Utc::now()))
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// A failed attempt: try again at `next_attempt_at`, or give up (`dead`) — and then, in the
    /// same transaction, the event that tells ops, when decide says so.
    pub async fn mark_failed(&self, row: &OutboxRow, error: &str, next_attempt_at: Option<DateTime<Utc>>, dead_notice: Option<NoticeKind>) -> Result<()> {
        let (state, next) = match next_attempt_at {
            Some(t) => (OutboxState::Pending, ts(t)),
            None => (OutboxState::Dead, ts(Utc::now())),
        };
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE outbox SET state = $1, next_attempt_at = $2, lease_until = NULL, leased_by = NULL, last_error = $3 WHERE id = $4")
            .bind(state.as_str())
            .bind(next)
            .bind(error)
            .bind(row.id)
            .execute(tx.conn())
            .await?;
        if let (OutboxState::Dead, Some(kind)) = (state, dead_notice) {
            tx.insert_ops_event(kind, row.message, Some(row.id), crate::clock::now()).await?;
        }
        tx.commit().await
    }

    /// Put a dead (or failed) answer back in the queue, due now, with a fresh attempt count.
    pub async fn retry_outbox(&self, id: i64) -> Result<()> {
        let done = sqlx::query(
            "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $1, lease_until = NULL, leased_by = NULL \
             WHERE id = $2 AND state <> 'sent'",
        )
        .bind(ts(Utc::now()))
        .bind(id)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("no unsent answer with id {id}")));
        }
        Ok(())
    }

    pub async fn list_outbox(&self, state: Option<OutboxState>, limit: i64) -> Result<Vec<OutboxRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE ($1 = '' OR state = $1) ORDER BY id DESC LIMIT $2"
        ))
        .bind(state.map(|s| s.as_str()).unwrap_or(""))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(from_row).collect()
    }

    pub(super) async fn outbox_for_message(&self, message: i64) -> Result<Vec<OutboxRow>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM outbox WHERE message = $1 ORDER BY id"))
            .bind(message)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(from_row).collect()
    }
}
