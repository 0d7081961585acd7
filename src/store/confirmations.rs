//! Confirmation codes (only their hashes) and the counters behind the daily seat limit and the
//! per-correspondent answer cap.

use chrono::Utc;
use sqlx::Row;

use super::{parse_ts, ts, Result, StoreError, Tx};
use crate::decide::code::Confirmation;

impl Tx {
    /// Seats added plus removed for a customer since `since` (the daily limit). Changes the
    /// vendor made the store undo or bring in line are not the customer's.
    pub async fn seats_changed_since(&mut self, customer_id: &str, since: &str) -> Result<i64> {
        let n: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(ABS(c.new_quantity - c.old_quantity)), 0) AS BIGINT) FROM seat_changes c \
             JOIN subscriptions s ON s.id = c.subscription_id WHERE s.customer_id = $1 AND c.created_at >= $2 \
             AND c.rule NOT IN ('vendor_reverted', 'vendor_sync')",
        )
        .bind(customer_id)
        .bind(since)
        .fetch_one(self.conn())
        .await?;
        Ok(n.unwrap_or(0))
    }

    /// Automatic answers to `address` since `since` (the per-correspondent cap).
    pub async fn answers_to_since(&mut self, address: &str, since: &str) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM outbox_recipients WHERE address = $1 AND created_at >= $2")
            .bind(address.trim().to_lowercase())
            .bind(since)
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
            let expires: String = r.try_get("expires_at")?;
            Ok(Confirmation {
                id: r.try_get("id")?,
                message: r.try_get("message")?,
                customer_id: r.try_get("customer_id")?,
                expires_at: parse_ts(&expires).ok_or_else(|| StoreError::Corrupt {
                    table: "confirmations",
                    message: format!("expires_at `{expires}` is not a time"),
                })?,
                used: r.try_get::<Option<String>, _>("used_at")?.is_some(),
            })
        })
        .transpose()
    }

    /// The codes of a held message end now (ops corrected what they would confirm).
    pub async fn revoke_confirmations(&mut self, message: i64) -> Result<()> {
        sqlx::query("UPDATE confirmations SET expires_at = $1 WHERE message = $2 AND used_at IS NULL AND expires_at > $1")
            .bind(ts(Utc::now()))
            .bind(message)
            .execute(self.conn())
            .await?;
        Ok(())
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
}
