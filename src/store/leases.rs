//! Leases: work that exactly one instance may do at a time, taken over within seconds when its
//! holder dies (its lease simply runs out).

use chrono::{Duration, Utc};

use super::{ts, Result, Store};

impl Store {
    /// Take or renew `name` for `holder` until `secs` from now. True when `holder` has it: it
    /// was free, expired, or already ours.
    pub async fn acquire_lease(&self, name: &str, holder: &str, secs: i64) -> Result<bool> {
        let now = Utc::now();
        let got: Option<String> = sqlx::query_scalar(
            "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
             WHERE leases.holder = excluded.holder OR leases.expires_at < $4 \
             RETURNING holder",
        )
        .bind(name)
        .bind(holder)
        .bind(ts(now + Duration::seconds(secs)))
        .bind(ts(now))
        .fetch_optional(self.pool())
        .await?;
        Ok(got.as_deref() == Some(holder))
    }

    /// Give `name` up (on a clean shutdown), so another instance need not wait for expiry.
    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<()> {
        sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
            .bind(name)
            .bind(holder)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
