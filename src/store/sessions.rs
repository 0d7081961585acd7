//! Dashboard sessions: shared by every daemon on the store, kept across restarts. The store
//! never sees a session id, only its hash (`src/web/auth.rs` hashes it); a user's role is read
//! from the users at every request, so a removed or demoted user loses the session's rights at
//! once, and `seatmail user remove` / `user add` end the user's sessions outright.

use sqlx::Row;

use super::{Result, Store};
use crate::config::WebRole;

/// A session as the store keeps it.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user: String,
    pub csrf: String,
    pub expires_at: String,
    /// A one-time message for the next page: (ok, text).
    pub flash: Option<(bool, String)>,
    /// The user's role if it is a user of the store (`seatmail user add`); config users are
    /// looked up in the config.
    pub stored_role: Option<WebRole>,
}

impl Store {
    /// A new session; expired ones, and this user's beyond the newest `keep`, go.
    pub async fn create_session(&self, id_hash: &str, user: &str, csrf: &str, now: &str, expires_at: &str, keep: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now).execute(tx.conn()).await?;
        sqlx::query("INSERT INTO sessions (id_hash, user_name, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id_hash)
            .bind(user)
            .bind(csrf)
            .bind(now)
            .bind(expires_at)
            .execute(tx.conn())
            .await?;
        sqlx::query(
            "DELETE FROM sessions WHERE user_name = $1 AND id_hash NOT IN \
             (SELECT id_hash FROM sessions WHERE user_name = $1 ORDER BY created_at DESC, id_hash LIMIT $2)",
        )
        .bind(user)
        .bind(keep)
        .execute(tx.conn())
        .await?;
        tx.commit().await
    }

    /// The session with this id hash, expired or not (the caller decides).
    pub async fn session(&self, id_hash: &str) -> Result<Option<SessionRow>> {
        let row = sqlx::query(
            "SELECT s.user_name, s.csrf, s.expires_at, s.flash_ok, s.flash_text, u.role FROM sessions s \
             LEFT JOIN users u ON u.name = s.user_name WHERE s.id_hash = $1",
        )
        .bind(id_hash)
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = row else { return Ok(None) };
        let flash = match r.try_get::<Option<String>, _>("flash_text")? {
            Some(text) => Some((r.try_get::<Option<i64>, _>("flash_ok")?.unwrap_or(0) != 0, text)),
            None => None,
        };
        let stored_role = r.try_get::<Option<String>, _>("role")?.map(|s| super::parse_word(&s, "users")).transpose()?;
        Ok(Some(SessionRow {
            user: r.try_get("user_name")?,
            csrf: r.try_get("csrf")?,
            expires_at: r.try_get("expires_at")?,
            flash,
            stored_role,
        }))
    }

    /// Keep the session alive until `expires_at`.
    pub async fn renew_session(&self, id_hash: &str, expires_at: &str) -> Result<()> {
        sqlx::query("UPDATE sessions SET expires_at = $1 WHERE id_hash = $2").bind(expires_at).bind(id_hash).execute(self.pool()).await?;
        Ok(())
    }

    /// The one-time message is shown: forget it.
    pub async fn clear_flash(&self, id_hash: &str) -> Result<()> {
        sqlx::query("UPDATE sessions SET flash_ok = NULL, flash_text = NULL WHERE id_hash = $1 AND flash_text IS NOT NULL")
            .bind(id_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn set_flash(&self, id_hash: &str, ok: bool, text: &str) -> Result<()> {
        sqlx::query("UPDATE sessions SET flash_ok = $1, flash_text = $2 WHERE id_hash = $3")
            .bind(i64::from(ok))
            .bind(text)
            .bind(id_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(self.pool()).await?;
        Ok(())
    }

    /// End every session of `user`; how many there were.
    pub async fn end_sessions_of(&self, user: &str) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM sessions WHERE user_name = $1").bind(user).execute(self.pool()).await?.rows_affected())
    }

    /// Forget sessions that expired before `now`; how many.
    pub async fn delete_expired_sessions(&self, now: &str) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now).execute(self.pool()).await?.rows_affected())
    }
}
