//! Instances: the seatmail processes at work on this store, each with a heartbeat row. What an
//! instance leases carries its id; when it dies, another takes that work back at once.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{ts, Result, Store};

/// One instance as its row says.
#[derive(Debug, Clone)]
pub struct InstanceRow {
    pub id: String,
    pub host: String,
    pub pid: i64,
    pub proc_start: String,
    pub beat_at: String,
}

/// What taking back a dead instance's work released.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Reaped {
    pub instances: usize,
    pub answers: u64,
    pub jobs: u64,
}

impl Store {
    /// Say that `me` is alive (a first beat, or again after it was taken for dead).
    pub async fn register_instance(&self, me: &InstanceRow, now: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "INSERT INTO instances (id, host, pid, proc_start, started_at, beat_at) VALUES ($1, $2, $3, $4, $5, $5) \
             ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at",
        )
        .bind(&me.id)
        .bind(&me.host)
        .bind(me.pid)
        .bind(&me.proc_start)
        .bind(ts(now))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// One heartbeat. False when the row is gone: another instance took this one for dead and
    /// took its leases back.
    pub async fn beat(&self, id: &str, now: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query("UPDATE instances SET beat_at = $1 WHERE id = $2")
            .bind(ts(now))
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn instances(&self) -> Result<Vec<InstanceRow>> {
        let rows = sqlx::query("SELECT id, host, pid, proc_start, beat_at FROM instances ORDER BY started_at")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(InstanceRow {
                    id: r.try_get("id")?,
                    host: r.try_get("host")?,
                    pid: r.try_get("pid")?,
                    proc_start: r.try_get("proc_start")?,
                    beat_at: r.try_get("beat_at")?,
                })
            })
            .collect()
    }

    /// Take back everything `dead` holds (unsent answers, vendor jobs, the intake lease) and
    /// forget it, in one transaction. Its answers are due again at once; a vendor job's
    /// attempt count already says an attempt may have reached the vendor.
    pub async fn take_back(&self, dead: &str) -> Result<Reaped> {
        let mut tx = self.begin().await?;
        let answers = sqlx::query(
            "UPDATE outbox SET lease_until = NULL, leased_by = NULL WHERE leased_by = $1 AND state = 'pending'",
        )
        .bind(dead)
        .execute(tx.conn())
        .await?
        .rows_affected();
        let jobs = sqlx::query("UPDATE vendor_jobs SET lease_until = NULL, leased_by = NULL WHERE leased_by = $1")
            .bind(dead)
            .execute(tx.conn())
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM leases WHERE holder = $1").bind(dead).execute(tx.conn()).await?;
        let gone = sqlx::query("DELETE FROM instances WHERE id = $1").bind(dead).execute(tx.conn()).await?;
        tx.commit().await?;
        Ok(Reaped { instances: usize::from(gone.rows_affected() > 0), answers, jobs })
    }
}
