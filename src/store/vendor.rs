//! Provisioning at the vendor: the jobs written with each applied change (the outbox pattern),
//! leased one at a time by the worker, a subscription's jobs strictly in order; the answers that
//! wait for them; the customers' tenant ids and the subscriptions' vendor ids; and what
//! `vendor sync` reads and writes.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

use super::{get_word, parse_word, ts, NewOutbox, Result, Store, StoreError, Tx};
use crate::decide::drift::StoreSide;
use crate::decide::Rule;
use crate::domain::{JobState, SubscriptionStatus};

pub struct NewJob<'a> {
    pub message: i64,
    pub item: i64,
    pub subscription_id: &'a str,
    pub old_quantity: i64,
    pub new_quantity: i64,
}

/// The vendor jobs a transaction wrote, and those no answer waits for yet.
#[derive(Debug, Default)]
pub(super) struct JobsWritten {
    unheld: Vec<i64>,
    any: bool,
}

/// A job with what sending it needs: the customer's tenant, the subscription's vendor id.
#[derive(Debug, Clone, Serialize)]
pub struct JobRow {
    pub id: i64,
    #[serde(skip)]
    pub message: i64,
    pub message_key: String,
    #[serde(skip)]
    pub item: i64,
    pub subscription_id: String,
    pub customer_id: String,
    pub tenant_id: Option<String>,
    pub vendor_id: Option<String>,
    pub product: String,
    pub idempotency_key: String,
    pub old_quantity: i64,
    pub new_quantity: i64,
    pub state: JobState,
    /// Leases taken (a settlement names the one it settles).
    pub attempts: i64,
    /// Answers of the vendor that settled nothing (the backoff counts these, not crashes).
    pub failures: i64,
    pub next_attempt_at: String,
    pub accepted_at: Option<String>,
    pub last_error: Option<String>,
    /// Refused: the rule the vendor's answer maps to, and its words.
    pub rule: Option<Rule>,
    pub vendor_reason: Option<String>,
    #[serde(skip)]
    pub held_answer: Option<i64>,
    pub created_at: String,
    pub settled_at: Option<String>,
}

/// An answer waiting for the vendor.
#[derive(Debug, Clone)]
pub struct HeldAnswer {
    pub id: i64,
    pub message: i64,
    pub about: i64,
    pub note: Option<String>,
    pub stale: bool,
    pub released: bool,
}

/// A subscription as `vendor sync` compares it, with what tells whether it changed meanwhile.
#[derive(Debug, Clone)]
pub struct SyncSubscription {
    pub side: StoreSide,
    /// Its latest job (a new one means the store moved on).
    pub last_job: Option<i64>,
}

const JOB_COLUMNS: &str = "j.id, j.message, m.key AS message_key, j.item, j.subscription_id, s.customer_id, c.tenant_id, \
     s.vendor_id, s.product, j.idempotency_key, j.old_quantity, j.new_quantity, j.state, j.attempts, j.failures, j.next_attempt_at, \
     j.accepted_at, j.last_error, j.rule, j.vendor_reason, j.held_answer, j.created_at, j.settled_at";
const JOB_FROM: &str = "vendor_jobs j JOIN subscriptions s ON s.id = j.subscription_id \
     JOIN customers c ON c.id = s.customer_id JOIN messages m ON m.id = j.message";
const TABLE: &str = "vendor_jobs";
const UNSETTLED: &str = "('pending', 'retrying', 'failed')";

fn job_from_row(r: &sqlx::any::AnyRow) -> Result<JobRow> {
    Ok(JobRow {
        id: r.try_get("id")?,
        message: r.try_get("message")?,
        message_key: r.try_get("message_key")?,
        item: r.try_get("item")?,
        subscription_id: r.try_get("subscription_id")?,
        customer_id: r.try_get("customer_id")?,
        tenant_id: r.try_get("tenant_id")?,
        vendor_id: r.try_get("vendor_id")?,
        product: r.try_get("product")?,
        idempotency_key: r.try_get("idempotency_key")?,
        old_quantity: r.try_get("old_quantity")?,
        new_quantity: r.try_get("new_quantity")?,
        state: get_word(r, "state", TABLE)?,
        attempts: r.try_get("attempts")?,
        failures: r.try_get("failures")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        accepted_at: r.try_get("accepted_at")?,
        last_error: r.try_get("last_error")?,
        rule: r.try_get::<Option<String>, _>("rule")?.map(|w| parse_word(&w, TABLE)).transpose()?,
        vendor_reason: r.try_get("vendor_reason")?,
        held_answer: r.try_get("held_answer")?,
        created_at: r.try_get("created_at")?,
        settled_at: r.try_get("settled_at")?,
    })
}

impl Tx {
    /// A change for the vendor, written with the change itself; the answer queued next in
    /// this transaction waits for it.
    pub async fn insert_vendor_job(&mut self, j: &NewJob<'_>) -> Result<i64> {
        let now = ts(Utc::now());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO vendor_jobs (message, item, subscription_id, idempotency_key, old_quantity, new_quantity, state, \
             attempts, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7) RETURNING id",
        )
        .bind(j.message)
        .bind(j.item)
        .bind(j.subscription_id)
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(j.old_quantity)
        .bind(j.new_quantity)
        .bind(&now)
        .fetch_one(self.conn())
        .await?;
        self.jobs.unheld.push(id);
        self.jobs.any = true;
        Ok(id)
    }

    /// Were vendor jobs written in this transaction that no answer waits for yet?
    pub fn has_unheld_jobs(&self) -> bool {
        !self.jobs.unheld.is_empty()
    }

    /// Were vendor jobs written in this transaction (the worker is to be woken after commit)?
    pub fn wrote_jobs(&self) -> bool {
        self.jobs.any
    }

    /// Keep an answer until the jobs written in this transaction are settled.
    pub async fn hold_answer(&mut self, o: &NewOutbox<'_>, note: Option<&str>) -> Result<i64> {
        let jobs = std::mem::take(&mut self.jobs.unheld);
        let first = *jobs.first().ok_or_else(|| StoreError::Conflict("an answer held without a vendor job".into()))?;
        let about: i64 = sqlx::query_scalar("SELECT message FROM vendor_jobs WHERE id = $1").bind(first).fetch_one(self.conn()).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO held_answers (message, about, message_id, kind, recipients, subject, body, note, state, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'held', $9) RETURNING id",
        )
        .bind(o.message)
        .bind(about)
        .bind(o.message_id)
        .bind(o.kind.as_str())
        .bind(o.recipients.join(" "))
        .bind(o.subject)
        .bind(o.body)
        .bind(note)
        .bind(ts(Utc::now()))
        .fetch_one(self.conn())
        .await?;
        for job in jobs {
            sqlx::query("UPDATE vendor_jobs SET held_answer = $1 WHERE id = $2").bind(id).bind(job).execute(self.conn()).await?;
        }
        Ok(id)
    }

    /// A job, locked until commit.
    pub async fn job_locked(&mut self, id: i64) -> Result<JobRow> {
        let row = sqlx::query(&format!("SELECT {JOB_COLUMNS} FROM {JOB_FROM} WHERE j.id = $1{}", self.backend.for_update_of("j")))
            .bind(id)
            .fetch_optional(self.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("no vendor job {id}")))?;
        job_from_row(&row)
    }

    /// Settle a job the worker leased for attempt `attempts`: false when it is no longer that
    /// attempt's (settled meanwhile, or leased again after the lease ran out).
    pub async fn settle_job(&mut self, id: i64, attempts: i64, state: JobState, refusal: Option<(Rule, &str)>) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE vendor_jobs SET state = $1, rule = $2, vendor_reason = $3, settled_at = $4, lease_until = NULL, \
             last_error = NULL WHERE id = $5 AND attempts = $6 AND state IN ('pending', 'retrying')",
        )
        .bind(state.as_str())
        .bind(refusal.map(|(r, _)| r.as_str()))
        .bind(refusal.map(|(_, w)| w))
        .bind(ts(Utc::now()))
        .bind(id)
        .bind(attempts)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// After `job` was refused, the subscription's later jobs (and their items) start from the
    /// quantity without it: each keeps its own difference. Their answers must be written again.
    pub async fn rebase_jobs_after(&mut self, job: &JobRow) -> Result<usize> {
        let diff = job.new_quantity - job.old_quantity;
        let later = sqlx::query(&format!(
            "SELECT id, item, old_quantity, new_quantity, held_answer FROM vendor_jobs \
             WHERE subscription_id = $1 AND id > $2 AND state IN {UNSETTLED} ORDER BY id"
        ))
        .bind(&job.subscription_id)
        .bind(job.id)
        .fetch_all(self.conn())
        .await?;
        for r in &later {
            let (id, item): (i64, i64) = (r.try_get("id")?, r.try_get("item")?);
            let old = (r.try_get::<i64, _>("old_quantity")? - diff).max(0);
            let new = (r.try_get::<i64, _>("new_quantity")? - diff).max(0);
            sqlx::query("UPDATE vendor_jobs SET old_quantity = $1, new_quantity = $2 WHERE id = $3")
                .bind(old)
                .bind(new)
                .bind(id)
                .execute(self.conn())
                .await?;
            sqlx::query("UPDATE request_items SET old_quantity = $1, new_quantity = $2 WHERE id = $3")
                .bind(old)
                .bind(new)
                .bind(item)
                .execute(self.conn())
                .await?;
            if let Some(held) = r.try_get::<Option<i64>, _>("held_answer")? {
                self.mark_stale(held).await?;
            }
        }
        Ok(later.len())
    }

    pub async fn mark_stale(&mut self, held: i64) -> Result<()> {
        sqlx::query("UPDATE held_answers SET stale = 1 WHERE id = $1").bind(held).execute(self.conn()).await?;
        Ok(())
    }

    /// A held answer, locked until commit: two jobs holding it, settled at once by two
    /// instances, take turns, so that the second sees the first settled and releases it.
    pub async fn held_answer_locked(&mut self, id: i64) -> Result<HeldAnswer> {
        let r = sqlx::query(&format!("SELECT id, message, about, note, state, stale FROM held_answers WHERE id = $1{}", self.backend.for_update()))
            .bind(id)
            .fetch_one(self.conn())
            .await?;
        Ok(HeldAnswer {
            id: r.try_get("id")?,
            message: r.try_get("message")?,
            about: r.try_get("about")?,
            note: r.try_get("note")?,
            stale: r.try_get::<i64, _>("stale")? != 0,
            released: r.try_get::<String, _>("state")? != "held",
        })
    }

    /// Jobs not settled that an answer waits for.
    pub async fn jobs_holding(&mut self, held: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(&format!("SELECT COUNT(*) FROM vendor_jobs WHERE held_answer = $1 AND state IN {UNSETTLED}"))
            .bind(held)
            .fetch_one(self.conn())
            .await?)
    }

    /// The held answer goes out as it was written: into the outbox.
    pub async fn release_held(&mut self, held: i64) -> Result<()> {
        let now = ts(Utc::now());
        let released = sqlx::query(
            "INSERT INTO outbox (message, message_id, kind, recipients, subject, body, state, attempts, next_attempt_at, created_at) \
             SELECT message, message_id, kind, recipients, subject, body, 'pending', 0, $1, $1 FROM held_answers WHERE id = $2 \
             AND state = 'held' RETURNING id, recipients",
        )
        .bind(&now)
        .bind(held)
        .fetch_optional(self.conn())
        .await?;
        if let Some(row) = released {
            let (id, recipients): (i64, String) = (row.try_get("id")?, row.try_get("recipients")?);
            self.insert_recipients(id, recipients.split(' '), &now).await?;
        }
        self.close_held(held, "released").await
    }

    /// The held answer is not sent: another, written from the items as they now stand, is.
    pub async fn replace_held(&mut self, held: i64) -> Result<()> {
        self.close_held(held, "replaced").await
    }

    async fn close_held(&mut self, held: i64, state: &str) -> Result<()> {
        sqlx::query("UPDATE held_answers SET state = $1, settled_at = $2 WHERE id = $3 AND state = 'held'")
            .bind(state)
            .bind(ts(Utc::now()))
            .bind(held)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// What the vendor said of each refused item of a message, by item id.
    pub async fn refusals_of(&mut self, message: i64) -> Result<HashMap<i64, String>> {
        let rows = sqlx::query("SELECT item, vendor_reason FROM vendor_jobs WHERE message = $1 AND state = 'refused'")
            .bind(message)
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(|r| Ok((r.try_get("item")?, r.try_get::<Option<String>, _>("vendor_reason")?.unwrap_or_default()))).collect()
    }

    /// Set (or clear) a customer's Microsoft tenant id; one tenant is one customer.
    pub async fn set_tenant_id(&mut self, customer: &str, tenant: Option<&str>) -> Result<()> {
        self.claim("customers", "tenant_id", customer, tenant, "tenant").await
    }

    /// Set (or clear) a subscription's id at the vendor; one vendor subscription is one of ours.
    pub async fn set_vendor_id(&mut self, subscription: &str, vendor_id: Option<&str>) -> Result<()> {
        self.claim("subscriptions", "vendor_id", subscription, vendor_id, "vendor subscription").await
    }

    async fn claim(&mut self, table: &str, column: &str, id: &str, value: Option<&str>, what: &str) -> Result<()> {
        if let Some(v) = value {
            let owner: Option<String> = sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE {column} = $1 AND id <> $2"))
                .bind(v)
                .bind(id)
                .fetch_optional(self.conn())
                .await?;
            if let Some(o) = owner {
                return Err(StoreError::Conflict(format!("{what} {v} already belongs to {o}")));
            }
        }
        sqlx::query(&format!("UPDATE {table} SET {column} = $1 WHERE id = $2")).bind(value).bind(id).execute(self.conn()).await?;
        Ok(())
    }

    /// One subscription as `vendor sync` compares it, read again inside the fixing transaction.
    pub async fn sync_subscription(&mut self, id: &str) -> Result<Option<SyncSubscription>> {
        let row = sqlx::query(&sync_query("s.id = $1", &self.backend.for_update_of("s")))
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(sync_from_row).transpose()
    }

    pub async fn set_subscription_status(&mut self, id: &str, status: SubscriptionStatus) -> Result<()> {
        sqlx::query("UPDATE subscriptions SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(status.as_str())
            .bind(ts(Utc::now()))
            .bind(id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    pub async fn set_assigned(&mut self, id: &str, assigned: i64) -> Result<()> {
        sqlx::query("UPDATE subscriptions SET assigned = $1, updated_at = $2 WHERE id = $3")
            .bind(assigned.max(0))
            .bind(ts(Utc::now()))
            .bind(id)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}

fn sync_query(filter: &str, lock: &str) -> String {
    format!(
        "SELECT s.id, s.vendor_id, s.product, s.quantity, s.assigned, s.status, \
         (SELECT COUNT(*) FROM vendor_jobs j WHERE j.subscription_id = s.id AND j.state IN {UNSETTLED}) AS in_flight, \
         (SELECT MAX(j.id) FROM vendor_jobs j WHERE j.subscription_id = s.id) AS last_job \
         FROM subscriptions s WHERE {filter} ORDER BY s.id{lock}"
    )
}

fn sync_from_row(r: &sqlx::any::AnyRow) -> Result<SyncSubscription> {
    let side = StoreSide {
        id: r.try_get("id")?,
        vendor_id: r.try_get("vendor_id")?,
        product: r.try_get("product")?,
        quantity: r.try_get("quantity")?,
        assigned: r.try_get("assigned")?,
        status: get_word(r, "status", "subscriptions")?,
        in_flight: r.try_get::<i64, _>("in_flight")? > 0,
    };
    Ok(SyncSubscription { side, last_job: r.try_get("last_job")? })
}

impl Store {
    /// Lease the next job that may be sent now for `lease_secs`: due, not leased, and the first
    /// unsettled one of its subscription (a subscription's changes reach the vendor in order,
    /// each one's absolute quantity on top of the one before). The attempt is counted first, so
    /// that a crash during the call leaves a trace the next attempt reads.
    pub async fn lease_vendor_job(&self, holder: &str, now: DateTime<Utc>, lease_secs: i64) -> Result<Option<JobRow>> {
        let mut tx = self.begin().await?;
        let now_s = ts(now);
        let id: Option<i64> = sqlx::query_scalar(&format!(
            "UPDATE vendor_jobs SET lease_until = $1, leased_by = $3, attempts = attempts + 1 WHERE id IN (\
               SELECT j.id FROM vendor_jobs j WHERE j.state IN ('pending', 'retrying') AND j.next_attempt_at <= $2 \
               AND (j.lease_until IS NULL OR j.lease_until < $2) \
               AND NOT EXISTS (SELECT 1 FROM vendor_jobs e WHERE e.subscription_id = j.subscription_id AND e.id < j.id \
                               AND e.state IN {UNSETTLED}) \
               ORDER BY j.id LIMIT 1{}) RETURNING id",
            self.backend.skip_locked()
        ))
        .bind(ts(now + chrono::Duration::seconds(lease_secs)))
        .bind(&now_s)
        .bind(holder)
        .fetch_optional(tx.conn())
        .await?;
        let job = match id {
            Some(id) => Some(tx.job_locked(id).await?),
            None => None,
        };
        tx.commit().await?;
        Ok(job)
    }

    /// Try the job again at `at` (`accepted`: the vendor has it; only read it back then).
    pub async fn reschedule_job(&self, id: i64, attempts: i64, at: DateTime<Utc>, why: &str, accepted: bool) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE vendor_jobs SET state = 'retrying', next_attempt_at = $1, last_error = $2, lease_until = NULL, \
             failures = failures + 1, \
             accepted_at = CASE WHEN $3 = 1 THEN COALESCE(accepted_at, $4) ELSE accepted_at END \
             WHERE id = $5 AND attempts = $6 AND state IN ('pending', 'retrying')",
        )
        .bind(ts(at))
        .bind(why)
        .bind(i64::from(accepted))
        .bind(ts(Utc::now()))
        .bind(id)
        .bind(attempts)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Give the job up until ops retry it; its answer keeps waiting.
    pub async fn fail_job(&self, id: i64, attempts: i64, why: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE vendor_jobs SET state = 'failed', last_error = $1, lease_until = NULL, failures = failures + 1 \
             WHERE id = $2 AND attempts = $3 AND state IN ('pending', 'retrying')",
        )
        .bind(why)
        .bind(id)
        .bind(attempts)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ops: a failed (or waiting) job is due now, its failures forgotten. Its next attempt reads
    /// the subscription back before it sends anything. (`attempts` goes on: an attempt still in
    /// flight cannot settle the new one.)
    pub async fn retry_vendor_job(&self, id: i64) -> Result<()> {
        let done = sqlx::query(
            "UPDATE vendor_jobs SET state = 'pending', failures = 0, next_attempt_at = $1 \
             WHERE id = $2 AND state IN ('failed', 'retrying', 'pending')",
        )
        .bind(ts(Utc::now()))
        .bind(id)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("no vendor job {id} waiting to be sent (confirmed and refused jobs are settled)")));
        }
        Ok(())
    }

    /// Jobs in any of `states` (all when empty), oldest first.
    pub async fn vendor_jobs(&self, states: &[JobState], limit: i64) -> Result<Vec<JobRow>> {
        let filter = if states.is_empty() {
            String::new()
        } else {
            let words: Vec<String> = states.iter().map(|s| format!("'{}'", s.as_str())).collect();
            format!("WHERE j.state IN ({})", words.join(", "))
        };
        let rows = sqlx::query(&format!("SELECT {JOB_COLUMNS} FROM {JOB_FROM} {filter} ORDER BY j.id LIMIT $1"))
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(job_from_row).collect()
    }

    pub async fn vendor_jobs_of_message(&self, message: i64) -> Result<Vec<JobRow>> {
        let rows = sqlx::query(&format!("SELECT {JOB_COLUMNS} FROM {JOB_FROM} WHERE j.message = $1 ORDER BY j.id"))
            .bind(message)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(job_from_row).collect()
    }

    pub async fn vendor_job_counts(&self) -> Result<Vec<(JobState, i64)>> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM vendor_jobs GROUP BY state").fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok((get_word(r, "state", TABLE)?, r.try_get("n")?))).collect()
    }

    /// Customers with a Microsoft tenant id (the ones `vendor sync` can read), by id.
    pub async fn tenants(&self) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT id, tenant_id FROM customers WHERE tenant_id IS NOT NULL ORDER BY id").fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("tenant_id")?))).collect()
    }

    pub async fn sync_subscriptions(&self, customer: &str) -> Result<Vec<SyncSubscription>> {
        let rows = sqlx::query(&sync_query("s.customer_id = $1", "")).bind(customer).fetch_all(self.pool()).await?;
        rows.iter().map(sync_from_row).collect()
    }
}
