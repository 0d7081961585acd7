//! The decisions behind the agreement figures (`/agreement`, `/metrics`): what ops did with the
//! requests seatmail understood and held, with the mail's language and the decision's time.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{get_word, parse_word, parse_ts, Result, Store, StoreError};
use crate::domain::{ChangeKind, MessageState, OpsVerdict};

/// One person's verdict on a held request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerdictRow {
    pub message: i64,
    pub verdict: OpsVerdict,
    /// The language the parser detected in the mail, if any.
    pub language: Option<String>,
    /// What the held items asked for.
    pub kind: Option<ChangeKind>,
    pub at: DateTime<Utc>,
}

impl Store {
    /// Every approval, correction and rejection of a mail that was held (understood, waiting
    /// for ops or for the customer's code) when the person decided, oldest first. Decisions on
    /// mails that needed review are not seatmail's reading being judged, and are left out.
    pub async fn verdicts_on_held(&self) -> Result<Vec<VerdictRow>> {
        let rows = sqlx::query(
            "SELECT d.message, d.action, d.created_at, d.kind, m.language FROM ops_decisions d JOIN messages m ON m.id = d.message \
             WHERE d.before_state = $1 AND d.action IN ('approved', 'corrected', 'rejected') ORDER BY d.id",
        )
        .bind(MessageState::AwaitingApproval.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let at: String = r.try_get("created_at")?;
                Ok(VerdictRow {
                    message: r.try_get("message")?,
                    verdict: get_word(r, "action", "ops_decisions")?,
                    language: r.try_get("language")?,
                    kind: r.try_get::<Option<String>, _>("kind")?.map(|k| parse_word(&k, "ops_decisions")).transpose()?,
                    at: parse_ts(&at)
                        .ok_or_else(|| StoreError::Corrupt { table: "ops_decisions", message: format!("created_at `{at}`") })?,
                })
            })
            .collect()
    }
}
