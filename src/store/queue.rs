//! The ops queue: held requests, mails needing review, and rejected mails a person should see
//! (their `attention`, decided by the decide stage) until someone has.

use serde::Serialize;

use super::messages::{message_from_row, ItemRow, MessageRow, MESSAGE_COLUMNS};
use sqlx::Row;

use super::{get_word, Result, Store, StoreError, Tx};
use crate::domain::MessageState;

/// One mail waiting for a person.
#[derive(Debug, Serialize)]
pub struct QueueEntry {
    pub id: i64,
    pub key: String,
    pub state: MessageState,
    pub customer_id: Option<String>,
    pub from: Option<String>,
    pub subject: Option<String>,
    pub received_at: String,
    /// Since when the customer waits: the mail's own date (or its arrival).
    pub waiting_since: String,
    pub reason: String,
    pub request: String,
}

/// How many mails wait for a person, and why: the count the dashboard shows is their sum.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct QueueCounts {
    /// Requests held for ops or for the customer's code.
    pub held: i64,
    pub review: i64,
    /// Rejected mails a person should see (unknown or unauthenticated senders, flagged).
    pub attention: i64,
}

impl QueueCounts {
    pub fn total(&self) -> i64 {
        self.held + self.review + self.attention
    }
}

/// The SQL form of `decide::resolve::in_queue`.
const IN_QUEUE: &str = "(state IN ('awaiting_approval', 'needs_review') \
     OR (state = 'rejected' AND reviewed_at IS NULL AND attention IS NOT NULL))";

impl Store {
    /// What waits for a person, oldest first: held requests, then mails needing review, then
    /// unseen rejections. The SQL form of `decide::resolve::in_queue`.
    pub async fn queue(&self) -> Result<Vec<QueueEntry>> {
        let rows = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE {IN_QUEUE} \
             ORDER BY CASE state WHEN 'awaiting_approval' THEN 0 WHEN 'needs_review' THEN 1 ELSE 2 END, received_at, id"
        ))
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let m = message_from_row(r)?;
            let items = self.items(m.id).await?;
            out.push(QueueEntry {
                request: items.iter().map(request_text).collect::<Vec<_>>().join("; "),
                waiting_since: m.waiting_since().to_string(),
                id: m.id,
                key: m.key,
                state: m.state,
                customer_id: m.customer_id,
                from: m.from,
                subject: m.subject,
                received_at: m.received_at,
                reason: m.reason,
            });
        }
        Ok(out)
    }

    /// The queue's length by kind, in one query (every page shows it).
    pub async fn queue_counts(&self) -> Result<QueueCounts> {
        let rows = sqlx::query(&format!("SELECT state, COUNT(*) AS n FROM messages WHERE {IN_QUEUE} GROUP BY state"))
            .fetch_all(self.pool())
            .await?;
        let mut c = QueueCounts::default();
        for r in &rows {
            let n: i64 = r.try_get("n")?;
            match get_word::<MessageState>(r, "state", "messages")? {
                MessageState::AwaitingApproval => c.held += n,
                MessageState::NeedsReview => c.review += n,
                _ => c.attention += n,
            }
        }
        Ok(c)
    }
}

fn request_text(i: &ItemRow) -> String {
    let change = match (i.delta, i.target) {
        (Some(d), _) => format!("{d:+}"),
        (None, Some(t)) => format!("={t}"),
        _ => "?".into(),
    };
    format!("{} {change} {}", i.subscription_id.as_deref().or(i.product.as_deref()).unwrap_or("?"), i.status)
}

impl Tx {
    /// A message row by id, locked, with its items (any state: what may be done with it is
    /// the decide stage's call).
    pub async fn message_locked(&mut self, id: i64) -> Result<(MessageRow, Vec<ItemRow>)> {
        let lock = self.backend.for_update();
        self.message_with_items(id, lock).await
    }

    /// A message row by id with its items; `suffix` may lock it.
    pub(super) async fn message_with_items(&mut self, id: i64, suffix: &str) -> Result<(MessageRow, Vec<ItemRow>)> {
        let row = sqlx::query(&format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = $1{suffix}"))
            .bind(id)
            .fetch_optional(self.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("no message {id}")))?;
        let message = message_from_row(&row)?;
        let items = self.items_of(id).await?;
        Ok((message, items))
    }
}
