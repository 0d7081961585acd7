//! Customers, tenant domains, subscriptions and contacts: imports and the reads that build the
//! decide stage's snapshot.

use std::collections::HashMap;

use chrono::Utc;
use serde::Serialize;
use sqlx::Row;

use super::{get_word, parse_date, parse_word, ts, Result, Store, StoreError, Tx};
use crate::domain::{Billing, Contact, Customer, Subscription, SubscriptionStatus};
use crate::parse::Language;

#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    pub customers: usize,
    pub subscriptions: usize,
    pub contacts: usize,
}

/// One line of `subs list`.
#[derive(Debug, Clone, Serialize)]
pub struct SubscriptionListRow {
    pub customer_id: String,
    pub customer_name: String,
    pub subscription_id: String,
    pub product: String,
    pub quantity: i64,
    pub assigned: i64,
    pub available: i64,
    pub billing: Billing,
    pub term_start: chrono::NaiveDate,
    pub status: SubscriptionStatus,
}

fn subscription_from_row(r: &sqlx::any::AnyRow) -> Result<Subscription> {
    Ok(Subscription {
        id: r.try_get("id")?,
        customer_id: r.try_get("customer_id")?,
        product: r.try_get("product")?,
        quantity: r.try_get("quantity")?,
        assigned: r.try_get("assigned")?,
        billing: parse_word(&r.try_get::<String, _>("billing")?, "subscriptions")?,
        term_start: parse_date(&r.try_get::<String, _>("term_start")?, "subscriptions")?,
        status: parse_word(&r.try_get::<String, _>("status")?, "subscriptions")?,
    })
}

fn contact_from_row(r: &sqlx::any::AnyRow) -> Result<Contact> {
    let scope: String = r.try_get("scope")?;
    Ok(Contact {
        customer_id: r.try_get("customer_id")?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        role: parse_word(&r.try_get::<String, _>("role")?, "contacts")?,
        scope: scope.split_whitespace().map(str::to_string).collect(),
    })
}

const SUB_COLUMNS: &str = "id, customer_id, product, quantity, assigned, billing, term_start, status";
const CONTACT_COLUMNS: &str = "customer_id, email, name, role, scope";

impl Tx {
    /// Create or update a customer and claim its tenant domains. A domain that already belongs
    /// to another customer is a conflict: one tenant cannot be two customers.
    pub async fn upsert_customer(&mut self, c: &Customer) -> Result<()> {
        let now = ts(Utc::now());
        sqlx::query(
            "INSERT INTO customers (id, name, language, updated_at, time_zone) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, language = excluded.language, \
             updated_at = excluded.updated_at, time_zone = excluded.time_zone",
        )
        .bind(&c.id)
        .bind(&c.name)
        .bind(c.language.code())
        .bind(&now)
        .bind(c.time_zone.map(|z| z.name()))
        .execute(self.conn())
        .await?;
        for d in &c.domains {
            let owner: Option<String> = sqlx::query_scalar("SELECT customer_id FROM tenant_domains WHERE domain = $1")
                .bind(d)
                .fetch_optional(self.conn())
                .await?;
            match owner {
                Some(o) if o != c.id => {
                    return Err(StoreError::Conflict(format!("tenant domain {d} already belongs to customer {o}")))
                }
                Some(_) => {}
                None => {
                    sqlx::query("INSERT INTO tenant_domains (domain, customer_id) VALUES ($1, $2)")
                        .bind(d)
                        .bind(&c.id)
                        .execute(self.conn())
                        .await?;
                }
            }
        }
        Ok(())
    }

    pub async fn upsert_subscription(&mut self, s: &Subscription) -> Result<()> {
        let owner: Option<String> = sqlx::query_scalar("SELECT customer_id FROM subscriptions WHERE id = $1")
            .bind(&s.id)
            .fetch_optional(self.conn())
            .await?;
        if let Some(o) = owner.filter(|o| *o != s.customer_id) {
            return Err(StoreError::Conflict(format!("subscription {} already belongs to customer {o}", s.id)));
        }
        sqlx::query(
            "INSERT INTO subscriptions (id, customer_id, product, quantity, assigned, billing, term_start, status, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (id) DO UPDATE SET product = excluded.product, quantity = excluded.quantity, \
             assigned = excluded.assigned, billing = excluded.billing, term_start = excluded.term_start, \
             status = excluded.status, updated_at = excluded.updated_at",
        )
        .bind(&s.id)
        .bind(&s.customer_id)
        .bind(&s.product)
        .bind(s.quantity)
        .bind(s.assigned)
        .bind(s.billing.as_str())
        .bind(s.term_start.format("%Y-%m-%d").to_string())
        .bind(s.status.as_str())
        .bind(ts(Utc::now()))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn customer_exists(&mut self, id: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers WHERE id = $1")
            .bind(id)
            .fetch_one(self.conn())
            .await?;
        Ok(n > 0)
    }

    pub async fn subscription_owner(&mut self, id: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT customer_id FROM subscriptions WHERE id = $1")
            .bind(id)
            .fetch_optional(self.conn())
            .await?)
    }

    pub async fn upsert_contact(&mut self, c: &Contact) -> Result<()> {
        sqlx::query(
            "INSERT INTO contacts (customer_id, email, name, role, scope) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (customer_id, email) DO UPDATE SET name = excluded.name, role = excluded.role, \
             scope = excluded.scope",
        )
        .bind(&c.customer_id)
        .bind(&c.email)
        .bind(&c.name)
        .bind(c.role.as_str())
        .bind(c.scope.join(" "))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Every registration of this address, across customers.
    pub async fn contacts_by_email(&mut self, email: &str) -> Result<Vec<Contact>> {
        let rows = sqlx::query(&format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE email = $1 ORDER BY customer_id"
        ))
        .bind(email)
        .fetch_all(self.conn())
        .await?;
        rows.iter().map(contact_from_row).collect()
    }

    pub async fn contacts_of(&mut self, customer_id: &str) -> Result<Vec<Contact>> {
        let rows = sqlx::query(&format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE customer_id = $1 ORDER BY email"
        ))
        .bind(customer_id)
        .fetch_all(self.conn())
        .await?;
        rows.iter().map(contact_from_row).collect()
    }

    /// Owner of each known domain among `domains`.
    pub async fn domain_owners(&mut self, domains: &[String]) -> Result<HashMap<String, String>> {
        let mut owners = HashMap::new();
        for d in domains {
            let owner: Option<String> = sqlx::query_scalar("SELECT customer_id FROM tenant_domains WHERE domain = $1")
                .bind(d)
                .fetch_optional(self.conn())
                .await?;
            if let Some(o) = owner {
                owners.insert(d.clone(), o);
            }
        }
        Ok(owners)
    }

    pub async fn customer(&mut self, id: &str) -> Result<Option<Customer>> {
        let row = sqlx::query("SELECT id, name, language, time_zone FROM customers WHERE id = $1")
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
        let Some(row) = row else { return Ok(None) };
        let lang: String = row.try_get("language")?;
        let zone: Option<String> = row.try_get("time_zone")?;
        let time_zone = zone
            .map(|z| z.parse::<chrono_tz::Tz>().map_err(|_| StoreError::Corrupt { table: "customers", message: format!("time zone `{z}`") }))
            .transpose()?;
        let domains: Vec<String> =
            sqlx::query_scalar("SELECT domain FROM tenant_domains WHERE customer_id = $1 ORDER BY domain")
                .bind(id)
                .fetch_all(self.conn())
                .await?;
        Ok(Some(Customer {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            language: Language::from_code(&lang)
                .ok_or_else(|| StoreError::Corrupt { table: "customers", message: format!("language `{lang}`") })?,
            domains,
            time_zone,
        }))
    }

    /// The customer's subscriptions, locked until commit (in id order, so that two
    /// transactions never wait on each other in a cycle).
    pub async fn subscriptions_locked(&mut self, customer_id: &str) -> Result<Vec<Subscription>> {
        let rows = sqlx::query(&format!(
            "SELECT {SUB_COLUMNS} FROM subscriptions WHERE customer_id = $1 ORDER BY id{}",
            self.backend.for_update()
        ))
        .bind(customer_id)
        .fetch_all(self.conn())
        .await?;
        rows.iter().map(subscription_from_row).collect()
    }

    pub async fn set_quantity(&mut self, subscription_id: &str, quantity: i64) -> Result<()> {
        sqlx::query("UPDATE subscriptions SET quantity = $1, updated_at = $2 WHERE id = $3")
            .bind(quantity)
            .bind(ts(Utc::now()))
            .bind(subscription_id)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}

impl Store {
    /// The customers an address is a registered contact of.
    pub async fn customers_of_contact(&self, email: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT customer_id FROM contacts WHERE email = $1 ORDER BY customer_id")
            .bind(email.trim().to_ascii_lowercase())
            .fetch_all(self.pool())
            .await?)
    }

    pub async fn list_subscriptions(&self, customer: Option<&str>) -> Result<Vec<SubscriptionListRow>> {
        let rows = sqlx::query(
            "SELECT s.customer_id, c.name AS customer_name, s.id, s.product, s.quantity, s.assigned, \
             s.billing, s.term_start, s.status FROM subscriptions s JOIN customers c ON c.id = s.customer_id \
             WHERE ($1 = '' OR s.customer_id = $1) ORDER BY s.customer_id, s.id",
        )
        .bind(customer.unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let quantity: i64 = r.try_get("quantity")?;
                let assigned: i64 = r.try_get("assigned")?;
                Ok(SubscriptionListRow {
                    customer_id: r.try_get("customer_id")?,
                    customer_name: r.try_get("customer_name")?,
                    subscription_id: r.try_get("id")?,
                    product: r.try_get("product")?,
                    quantity,
                    assigned,
                    available: quantity - assigned,
                    billing: get_word(r, "billing", "subscriptions")?,
                    term_start: parse_date(&r.try_get::<String, _>("term_start")?, "subscriptions")?,
                    status: get_word(r, "status", "subscriptions")?,
                })
            })
            .collect()
    }
}
