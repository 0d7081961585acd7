//! The ops queue: held requests, mails needing review, and rejected mails a person should see
//! (their `attention`, decided by the decide stage) until someone has.

use serde::Serialize;

use super::messages::{message_from_row, ItemRow, MessageRow, MESSAGE_COLUMNS};
use super::{Result, Store, StoreError, Tx};
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
    pub reason: String,
    pub request: String,
}

impl Store {
    /// What waits for a person, oldest first: held requests, then mails needing review, then
    /// unseen rejections. The SQL form of `decide::resolve::in_queue`.
    pub async fn queue(&self) -> Result<Vec<QueueEntry>> {
        let rows = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE state IN ('awaiting_approval', 'needs_review') \
             OR (state = 'rejected' AND reviewed_at IS NULL AND attention IS NOT NULL) \
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
        let row = sqlx::query(&format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = $1{}", self.backend.for_update()))
            .bind(id)
            .fetch_optional(self.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("no message {id}")))?;
        let message = message_from_row(&row)?;
        let items = self.items_of(id).await?;
        Ok((message, items))
    }
}
