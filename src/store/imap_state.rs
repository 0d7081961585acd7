//! The IMAP intake's position per folder (UIDVALIDITY and the last settled UID), and whether it
//! is failing: what `seatmail imap status` and the dashboard show.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

use super::{ts, Result, Store};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImapPosition {
    pub mailbox: String,
    pub uidvalidity: u32,
    pub last_uid: u32,
    /// Why automatic processing of this folder is stopped, if it is.
    pub stalled: Option<String>,
    pub updated_at: String,
}

/// A folder's position and, while its intake fails, the failure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImapStatus {
    pub mailbox: String,
    /// None before the first session got as far as the folder.
    pub uidvalidity: Option<u32>,
    pub last_uid: Option<u32>,
    pub stalled: Option<String>,
    pub updated_at: Option<String>,
    /// The last error while the intake fails; None when it works.
    pub failing: Option<String>,
    /// Consecutive failed sessions.
    pub failures: u32,
    pub failing_since: Option<String>,
    /// When it tries again.
    pub retry_at: Option<String>,
}

fn to_u32(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

impl Store {
    pub async fn imap_position(&self, mailbox: &str) -> Result<Option<ImapPosition>> {
        let row = sqlx::query("SELECT mailbox, uidvalidity, last_uid, stalled, updated_at FROM imap_state WHERE mailbox = $1")
            .bind(mailbox)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| {
            Ok(ImapPosition {
                mailbox: r.try_get("mailbox")?,
                uidvalidity: to_u32(r.try_get("uidvalidity")?),
                last_uid: to_u32(r.try_get("last_uid")?),
                stalled: r.try_get("stalled")?,
                updated_at: r.try_get("updated_at")?,
            })
        })
        .transpose()
    }

    pub async fn imap_positions(&self) -> Result<Vec<ImapPosition>> {
        let rows = sqlx::query("SELECT mailbox FROM imap_state ORDER BY mailbox").fetch_all(self.pool()).await?;
        let mut out = Vec::new();
        for r in rows {
            let m: String = r.try_get("mailbox")?;
            if let Some(p) = self.imap_position(&m).await? {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// Record the position (never moving `last_uid` backwards for the same UIDVALIDITY), and
    /// clear any stall: the caller has checked the UIDVALIDITY.
    pub async fn set_imap_position(&self, mailbox: &str, uidvalidity: u32, last_uid: u32) -> Result<()> {
        sqlx::query(
            "INSERT INTO imap_state (mailbox, uidvalidity, last_uid, stalled, updated_at) VALUES ($1, $2, $3, NULL, $4) \
             ON CONFLICT (mailbox) DO UPDATE SET \
               last_uid = CASE WHEN imap_state.uidvalidity = excluded.uidvalidity \
                               AND imap_state.last_uid > excluded.last_uid \
                          THEN imap_state.last_uid ELSE excluded.last_uid END, \
               uidvalidity = excluded.uidvalidity, stalled = NULL, updated_at = excluded.updated_at",
        )
        .bind(mailbox)
        .bind(i64::from(uidvalidity))
        .bind(i64::from(last_uid))
        .bind(ts(Utc::now()))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn set_imap_stalled(&self, mailbox: &str, reason: &str) -> Result<()> {
        sqlx::query("UPDATE imap_state SET stalled = $1, updated_at = $2 WHERE mailbox = $3")
            .bind(reason)
            .bind(ts(Utc::now()))
            .bind(mailbox)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// An operator accepts the folder's new UIDVALIDITY: the intake starts over from UID 1
    /// (mail processed before is recognised by its key and only moved).
    pub async fn reset_imap_position(&self, mailbox: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM imap_state WHERE mailbox = $1").bind(mailbox).execute(self.pool()).await?;
        Ok(done.rows_affected() > 0)
    }

    /// The intake of `mailbox` failed `failures` times in a row, the first `since`.
    pub async fn set_imap_failing(
        &self,
        mailbox: &str,
        failures: u32,
        last_error: &str,
        since: DateTime<Utc>,
        retry_at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO imap_failing (mailbox, failures, last_error, since, retry_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (mailbox) DO UPDATE SET failures = excluded.failures, last_error = excluded.last_error, \
               since = excluded.since, retry_at = excluded.retry_at, updated_at = excluded.updated_at",
        )
        .bind(mailbox)
        .bind(i64::from(failures))
        .bind(last_error)
        .bind(ts(since))
        .bind(ts(retry_at))
        .bind(ts(Utc::now()))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn clear_imap_failing(&self, mailbox: &str) -> Result<()> {
        sqlx::query("DELETE FROM imap_failing WHERE mailbox = $1").bind(mailbox).execute(self.pool()).await?;
        Ok(())
    }

    /// Every folder with a position or a failure, by name.
    pub async fn imap_status(&self) -> Result<Vec<ImapStatus>> {
        let mut out: Vec<ImapStatus> = self
            .imap_positions()
            .await?
            .into_iter()
            .map(|p| ImapStatus {
                mailbox: p.mailbox,
                uidvalidity: Some(p.uidvalidity),
                last_uid: Some(p.last_uid),
                stalled: p.stalled,
                updated_at: Some(p.updated_at),
                ..ImapStatus::default()
            })
            .collect();
        let rows = sqlx::query("SELECT mailbox, failures, last_error, since, retry_at FROM imap_failing").fetch_all(self.pool()).await?;
        for r in rows {
            let mailbox: String = r.try_get("mailbox")?;
            let at = match out.iter().position(|s| s.mailbox == mailbox) {
                Some(i) => i,
                None => {
                    out.push(ImapStatus { mailbox, ..ImapStatus::default() });
                    out.len() - 1
                }
            };
            let s = &mut out[at];
            s.failing = Some(r.try_get("last_error")?);
            s.failures = to_u32(r.try_get("failures")?);
            s.failing_since = Some(r.try_get("since")?);
            s.retry_at = Some(r.try_get("retry_at")?);
        }
        out.sort_by(|a, b| a.mailbox.cmp(&b.mailbox));
        Ok(out)
    }
}
