//! Reads for the ops dashboard: message search, per-customer views, and the counts behind its
//! charts and health page. Read-only; nothing here takes a lock.

use serde::Serialize;
use sqlx::Row;

use super::{get_word, LedgerRow, MessageRow, Result, Store, SubscriptionListRow};
use crate::domain::{MessageState, OutboxState, Role};

/// A message search; empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct MessageQuery {
    /// Words found in the sender, subject, customer, reason or key (case-insensitive).
    pub text: String,
    pub customer: String,
    pub sender: String,
    pub state: Option<MessageState>,
    /// Received on or after this day (`YYYY-MM-DD`).
    pub since: Option<chrono::NaiveDate>,
    /// Received on or before this day.
    pub until: Option<chrono::NaiveDate>,
    pub limit: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CustomerSummary {
    pub id: String,
    pub name: String,
    pub language: String,
    pub subscriptions: i64,
    pub seats: i64,
    pub assigned: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContactRow {
    pub email: String,
    pub name: Option<String>,
    pub role: Role,
    pub scope: String,
}

/// A ledger row with what it changed and the mail that caused it.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerLedgerRow {
    pub ledger: LedgerRow,
    pub product: String,
    pub message_key: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct CustomerView {
    pub id: String,
    pub name: String,
    pub language: String,
    /// Its own time zone for answers, if it has one.
    pub time_zone: Option<String>,
    pub domains: Vec<String>,
    pub contacts: Vec<ContactRow>,
    pub subscriptions: Vec<SubscriptionListRow>,
    pub ledger: Vec<CustomerLedgerRow>,
}

/// Mails received on one day (`YYYY-MM-DD`) that are now in one state.
#[derive(Debug, Clone, Serialize)]
pub struct DayCount {
    pub day: String,
    pub state: MessageState,
    pub n: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutboxStat {
    pub state: OutboxState,
    pub rows: i64,
    /// Delivery attempts made on these rows (a retry is any attempt after the first).
    pub attempts: i64,
    /// Attempts after each row's first.
    pub retries: i64,
    /// Rows whose last attempt failed (pending: to be retried).
    pub failing: i64,
}

use super::messages::{message_from_row as message_row, MESSAGE_COLUMNS as COLUMNS};

/// `%word%` for a case-insensitive LIKE, with the pattern characters escaped.
fn like(word: &str) -> String {
    let mut p = String::from("%");
    for c in word.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

use super::messages::ledger_from_row as ledger_row;

impl Store {
    /// Messages matching every given filter, newest first.
    pub async fn search_messages(&self, q: &MessageQuery) -> Result<Vec<MessageRow>> {
        let since = q.since.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
        // Times are sortable text: "on or before day D" is "before the start of D + 1".
        let until = q
            .until
            .and_then(|d| d.succ_opt())
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        let text = if q.text.trim().is_empty() { String::new() } else { like(&q.text) };
        let sender = if q.sender.trim().is_empty() { String::new() } else { like(&q.sender) };
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM messages WHERE \
             ($1 = '' OR LOWER(COALESCE(sender, '')) LIKE $1 ESCAPE '\\' OR LOWER(COALESCE(subject, '')) LIKE $1 ESCAPE '\\' \
              OR LOWER(COALESCE(customer_id, '')) LIKE $1 ESCAPE '\\' OR LOWER(reason) LIKE $1 ESCAPE '\\' \
              OR LOWER(key) LIKE $1 ESCAPE '\\') \
             AND ($2 = '' OR customer_id = $2) \
             AND ($3 = '' OR LOWER(COALESCE(sender, '')) LIKE $3 ESCAPE '\\') \
             AND ($4 = '' OR state = $4) \
             AND ($5 = '' OR received_at >= $5) \
             AND ($6 = '' OR received_at < $6) \
             ORDER BY received_at DESC, id DESC LIMIT $7"
        ))
        .bind(text)
        .bind(q.customer.trim().to_string())
        .bind(sender)
        .bind(q.state.map(|s| s.as_str()).unwrap_or(""))
        .bind(since)
        .bind(until)
        .bind(if q.limit > 0 { q.limit } else { 200 })
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(message_row).collect()
    }

    pub async fn customers_overview(&self) -> Result<Vec<CustomerSummary>> {
        let rows = sqlx::query(
            "SELECT c.id, c.name, c.language, COUNT(s.id) AS subs, CAST(COALESCE(SUM(s.quantity), 0) AS BIGINT) AS seats, \
             CAST(COALESCE(SUM(s.assigned), 0) AS BIGINT) AS assigned FROM customers c LEFT JOIN subscriptions s ON s.customer_id = c.id \
             GROUP BY c.id, c.name, c.language ORDER BY c.id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CustomerSummary {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    language: r.try_get("language")?,
                    subscriptions: r.try_get("subs")?,
                    seats: r.try_get("seats")?,
                    assigned: r.try_get("assigned")?,
                })
            })
            .collect()
    }

    /// One customer with its domains, contacts, subscriptions and ledger (newest first).
    pub async fn customer_view(&self, id: &str) -> Result<Option<CustomerView>> {
        let Some(row) = sqlx::query("SELECT id, name, language, time_zone FROM customers WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let domains: Vec<String> =
            sqlx::query_scalar("SELECT domain FROM tenant_domains WHERE customer_id = $1 ORDER BY domain")
                .bind(id)
                .fetch_all(self.pool())
                .await?;
        let contacts = sqlx::query("SELECT email, name, role, scope FROM contacts WHERE customer_id = $1 ORDER BY role, email")
            .bind(id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(ContactRow {
                    email: r.try_get("email")?,
                    name: r.try_get("name")?,
                    role: get_word(r, "role", "contacts")?,
                    scope: r.try_get("scope")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let ledger = sqlx::query(
            "SELECT l.id, l.subscription_id, l.actor, l.old_quantity, l.new_quantity, l.rule, l.created_at, l.note, \
             s.product, m.key AS message_key FROM seat_changes l JOIN subscriptions s ON s.id = l.subscription_id \
             LEFT JOIN messages m ON m.id = l.message WHERE s.customer_id = $1 ORDER BY l.id DESC LIMIT 500",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok(CustomerLedgerRow { ledger: ledger_row(r)?, product: r.try_get("product")?, message_key: r.try_get("message_key")? }))
        .collect::<Result<Vec<_>>>()?;
        Ok(Some(CustomerView {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            language: row.try_get("language")?,
            time_zone: row.try_get("time_zone")?,
            domains,
            contacts,
            subscriptions: self.list_subscriptions(Some(id)).await?,
            ledger,
        }))
    }

    /// Mails received since `since` (a stored time or a day), per day and current state.
    pub async fn messages_per_day(&self, since: &str) -> Result<Vec<DayCount>> {
        let rows = sqlx::query(
            "SELECT SUBSTR(received_at, 1, 10) AS day, state, COUNT(*) AS n FROM messages WHERE received_at >= $1 \
             GROUP BY SUBSTR(received_at, 1, 10), state ORDER BY day, state",
        )
        .bind(since)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok(DayCount { day: r.try_get("day")?, state: get_word(r, "state", "messages")?, n: r.try_get("n")? }))
            .collect()
    }

    /// Every ledger row since `since`, oldest first (for the seats-per-week chart).
    pub async fn seat_changes_since(&self, since: &str) -> Result<Vec<LedgerRow>> {
        let rows = sqlx::query(&format!("SELECT {} FROM seat_changes WHERE created_at >= $1 ORDER BY id", super::messages::LEDGER_COLUMNS))
        .bind(since)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(ledger_row).collect()
    }

    /// Outbox rows and delivery attempts per state.
    pub async fn outbox_stats(&self) -> Result<Vec<OutboxStat>> {
        let rows = sqlx::query(
            "SELECT state, COUNT(*) AS n, CAST(COALESCE(SUM(attempts), 0) AS BIGINT) AS attempts, \
             CAST(COALESCE(SUM(CASE WHEN attempts > 1 THEN attempts - 1 ELSE 0 END), 0) AS BIGINT) AS retries, \
             CAST(COALESCE(SUM(CASE WHEN last_error IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS failing FROM outbox GROUP BY state ORDER BY state",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OutboxStat {
                    state: get_word(r, "state", "outbox")?,
                    rows: r.try_get("n")?,
                    attempts: r.try_get("attempts")?,
                    retries: r.try_get("retries")?,
                    failing: r.try_get("failing")?,
                })
            })
            .collect()
    }

    /// Answers that are not delivered yet (pending) or never will be (dead), and pending rows
    /// that failed at least once, newest first.
    pub async fn unsent_outbox(&self, limit: i64) -> Result<Vec<super::OutboxRow>> {
        let mut rows = self.list_outbox(Some(OutboxState::Pending), limit).await?;
        rows.extend(self.list_outbox(Some(OutboxState::Dead), limit).await?);
        rows.sort_by_key(|r| std::cmp::Reverse(r.id));
        Ok(rows)
    }

    /// The database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<()> {
        let _: i64 = sqlx::query_scalar("SELECT CAST(1 AS BIGINT)").fetch_one(self.pool()).await?;
        Ok(())
    }
}
