//! What reseller ops are told (`src/notify/`): the events that call for a notice, the cap's
//! count for the current window, the digest's one row per day, and the reads behind their mails.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

use super::messages::{ItemRow, MessageRow};
use super::{get_word, parse_ts, ts, Result, Store, Tx};
use crate::domain::{Attention, MessageState, NoticeKind, OutboxState};

/// An event not yet told, with what became of its item since.
#[derive(Debug, Clone)]
pub struct UntoldRow {
    pub id: i64,
    pub kind: NoticeKind,
    pub message: Option<i64>,
    pub outbox: Option<i64>,
    pub thread: String,
    /// Held back by the cap in the window that started then.
    pub held_back_in: Option<DateTime<Utc>>,
    /// The message's state now (for message events).
    pub message_state: Option<(MessageState, Option<Attention>, bool)>,
    /// The outbox row's state now (for dead answers).
    pub outbox_state: Option<OutboxState>,
}

/// What became of an untold event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Told<'a> {
    /// In its own notice (`mail`, with that Message-ID).
    Noticed { mail: i64, mail_id: &'a str },
    HeldBack { window_start: DateTime<Utc> },
    /// In the window's summary.
    Summarized { mail: i64 },
    Dropped,
}

/// A seat change of the last day, for the digest: per customer, old → new.
#[derive(Debug, Clone, Serialize)]
pub struct AppliedRow {
    pub customer_id: String,
    pub customer_name: String,
    pub subscription_id: String,
    pub product: String,
    pub old_quantity: i64,
    pub new_quantity: i64,
    pub actor: String,
    pub note: Option<String>,
    pub created_at: String,
}

const TABLE: &str = "ops_events";

impl Tx {
    /// Something ops should hear of, in the transaction that caused it. `thread` is the item
    /// its mails thread under.
    pub async fn insert_ops_event(
        &mut self,
        kind: NoticeKind,
        message: Option<i64>,
        outbox: Option<i64>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let thread = match (message, outbox) {
            (Some(m), _) => format!("m{m}"),
            (None, Some(o)) => format!("o{o}"),
            (None, None) => "ops".into(),
        };
        sqlx::query("INSERT INTO ops_events (kind, message, outbox, thread, created_at, state) VALUES ($1, $2, $3, $4, $5, 'pending')")
            .bind(kind.as_str())
            .bind(message)
            .bind(outbox)
            .bind(thread)
            .bind(ts(at))
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// The cap's window and the notices it has had, locked: one notifier at a time counts.
    pub async fn lock_notice_count(&mut self) -> Result<(Option<DateTime<Utc>>, i64)> {
        let row = sqlx::query(&format!("SELECT window_start, noticed FROM ops_notifier WHERE id = 1{}", self.backend.for_update()))
            .fetch_one(self.conn())
            .await?;
        let start: String = row.try_get("window_start")?;
        Ok((parse_ts(&start), row.try_get("noticed")?))
    }

    pub async fn set_notice_count(&mut self, window_start: DateTime<Utc>, noticed: i64) -> Result<()> {
        sqlx::query("UPDATE ops_notifier SET window_start = $1, noticed = $2 WHERE id = 1")
            .bind(ts(window_start))
            .bind(noticed)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Events ops have not been told about, oldest first, with their items' states now.
    pub async fn untold_events(&mut self) -> Result<Vec<UntoldRow>> {
        let rows = sqlx::query(
            "SELECT e.id, e.kind, e.message, e.outbox, e.thread, e.window_start, \
             m.state AS m_state, m.attention AS m_attention, m.reviewed_at AS m_reviewed, o.state AS o_state \
             FROM ops_events e LEFT JOIN messages m ON m.id = e.message LEFT JOIN outbox o ON o.id = e.outbox \
             WHERE e.state IN ('pending', 'held_back') ORDER BY e.id",
        )
        .fetch_all(self.conn())
        .await?;
        rows.iter().map(untold_from_row).collect()
    }

    pub async fn mark_event(&mut self, id: i64, told: Told<'_>) -> Result<()> {
        let (state, window, mail, mail_id) = match told {
            Told::Noticed { mail, mail_id } => ("noticed", None, Some(mail), Some(mail_id)),
            Told::HeldBack { window_start } => ("held_back", Some(ts(window_start)), None, None),
            Told::Summarized { mail } => ("summarized", None, Some(mail), None),
            Told::Dropped => ("dropped", None, None, None),
        };
        sqlx::query(
            "UPDATE ops_events SET state = $1, window_start = COALESCE($2, window_start), mail = $3, mail_id = $4 WHERE id = $5",
        )
        .bind(state)
        .bind(window)
        .bind(mail)
        .bind(mail_id)
        .bind(id)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// The Message-ID of the first notice about this item: later ones thread under it.
    pub async fn thread_root(&mut self, thread: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT mail_id FROM ops_events WHERE thread = $1 AND state = 'noticed' AND mail_id IS NOT NULL ORDER BY id LIMIT 1",
        )
        .bind(thread)
        .fetch_optional(self.conn())
        .await?)
    }

    /// A message with its items and its customer's name, for a notice.
    pub async fn message_brief(&mut self, id: i64) -> Result<(MessageRow, Vec<ItemRow>, Option<String>)> {
        let (message, items) = self.message_with_items(id, "").await?;
        let name = match &message.customer_id {
            Some(c) => sqlx::query_scalar("SELECT name FROM customers WHERE id = $1").bind(c).fetch_optional(self.conn()).await?,
            None => None,
        };
        Ok((message, items, name))
    }

    /// The digest of local day `day` is ours to send: false when it was claimed already.
    pub async fn claim_digest(&mut self, day: &str, mail: i64) -> Result<bool> {
        let claimed: Option<String> = sqlx::query_scalar(
            "INSERT INTO ops_digests (day, mail, created_at) VALUES ($1, $2, $3) ON CONFLICT (day) DO NOTHING RETURNING day",
        )
        .bind(day)
        .bind(mail)
        .bind(ts(Utc::now()))
        .fetch_optional(self.conn())
        .await?;
        Ok(claimed.is_some())
    }
}

fn untold_from_row(r: &sqlx::any::AnyRow) -> Result<UntoldRow> {
    let window: Option<String> = r.try_get("window_start")?;
    let message_state = match r.try_get::<Option<String>, _>("m_state")? {
        Some(s) => Some((
            super::parse_word(&s, "messages")?,
            r.try_get::<Option<String>, _>("m_attention")?.map(|a| super::parse_word(&a, "messages")).transpose()?,
            r.try_get::<Option<String>, _>("m_reviewed")?.is_some(),
        )),
        None => None,
    };
    Ok(UntoldRow {
        id: r.try_get("id")?,
        kind: get_word(r, "kind", TABLE)?,
        message: r.try_get("message")?,
        outbox: r.try_get("outbox")?,
        thread: r.try_get("thread")?,
        held_back_in: window.as_deref().and_then(parse_ts),
        message_state,
        outbox_state: r.try_get::<Option<String>, _>("o_state")?.map(|s| super::parse_word(&s, "outbox")).transpose()?,
    })
}

impl Store {
    /// Events there may be something to do with now: new ones, and those held back in a window
    /// before `window_start` (the notifier's cheap look before it takes its lock).
    pub async fn untold_due(&self, window_start: DateTime<Utc>) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM ops_events WHERE state = 'pending' OR (state = 'held_back' AND window_start < $1)")
            .bind(ts(window_start))
            .fetch_one(self.pool())
            .await?)
    }

    pub async fn digest_sent(&self, day: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ops_digests WHERE day = $1").bind(day).fetch_one(self.pool()).await?;
        Ok(n > 0)
    }

    /// Seat changes since `since`, with their customer, for the digest.
    pub async fn applied_since(&self, since: &str) -> Result<Vec<AppliedRow>> {
        let rows = sqlx::query(
            "SELECT c.id AS customer_id, c.name AS customer_name, l.subscription_id, s.product, l.old_quantity, \
             l.new_quantity, l.actor, l.note, l.created_at FROM seat_changes l \
             JOIN subscriptions s ON s.id = l.subscription_id JOIN customers c ON c.id = s.customer_id \
             WHERE l.created_at >= $1 ORDER BY c.name, c.id, l.id",
        )
        .bind(since)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AppliedRow {
                    customer_id: r.try_get("customer_id")?,
                    customer_name: r.try_get("customer_name")?,
                    subscription_id: r.try_get("subscription_id")?,
                    product: r.try_get("product")?,
                    old_quantity: r.try_get("old_quantity")?,
                    new_quantity: r.try_get("new_quantity")?,
                    actor: r.try_get("actor")?,
                    note: r.try_get("note")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }
}
