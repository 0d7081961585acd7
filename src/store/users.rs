//! Dashboard users added from the command line (`seatmail user add`). Only an argon2 PHC hash
//! of each password is stored; users named in the config file are never written here.

use chrono::Utc;
use serde::Serialize;
use sqlx::Row;

use super::{get_word, ts, Result, Store};
use crate::config::WebRole;

#[derive(Debug, Clone, Serialize)]
pub struct UserRow {
    pub name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub role: WebRole,
    pub created_at: String,
    pub updated_at: String,
}

fn user_from_row(r: &sqlx::any::AnyRow) -> Result<UserRow> {
    Ok(UserRow {
        name: r.try_get("name")?,
        password_hash: r.try_get("password_hash")?,
        role: get_word(r, "role", "users")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Store {
    /// Add a user, or replace the password and role of an existing one: then its sessions end
    /// (a new password or a demotion takes effect at once). How many sessions ended.
    pub async fn upsert_user(&self, name: &str, password_hash: &str, role: WebRole) -> Result<u64> {
        let now = ts(Utc::now());
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO users (name, password_hash, role, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
             ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role, \
             updated_at = excluded.updated_at",
        )
        .bind(name)
        .bind(password_hash)
        .bind(role.as_str())
        .bind(&now)
        .execute(tx.conn())
        .await?;
        let ended = sqlx::query("DELETE FROM sessions WHERE user_name = $1").bind(name).execute(tx.conn()).await?.rows_affected();
        tx.commit().await?;
        Ok(ended)
    }

    pub async fn user(&self, name: &str) -> Result<Option<UserRow>> {
        let row = sqlx::query("SELECT name, password_hash, role, created_at, updated_at FROM users WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    pub async fn list_users(&self) -> Result<Vec<UserRow>> {
        let rows = sqlx::query("SELECT name, password_hash, role, created_at, updated_at FROM users ORDER BY name")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(user_from_row).collect()
    }

    /// Remove a user and end its sessions at once; false when there was none by that name.
    pub async fn delete_user(&self, name: &str) -> Result<bool> {
        let mut tx = self.begin().await?;
        let done = sqlx::query("DELETE FROM users WHERE name = $1").bind(name).execute(tx.conn()).await?;
        sqlx::query("DELETE FROM sessions WHERE user_name = $1").bind(name).execute(tx.conn()).await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }
}
