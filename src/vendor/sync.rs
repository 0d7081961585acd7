//! Reading the truth back: `seatmail vendor sync` lists every customer's subscriptions at
//! Partner Center (and the seats in use, where the API gives them), compares them with the store
//! (`decide::drift`) and, with `--fix` or on the daemon's schedule (`[vendor] sync_every`),
//! brings the store in line: quantities with a `vendor_sync` ledger row, statuses, assigned
//! seats, and the vendor's subscriptions the store lacks.
//!
//! A subscription is only written when nothing moved since it was read — no job written or
//! settled for it, the value the same — so a sync never undoes a change on its way to the
//! vendor, nor one confirmed while the sync was reading.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::{Connector, VendorError};
use crate::decide::drift::{self, Drift, Fix, StoreSide};
use crate::decide::Rule;
use crate::domain::Subscription;
use crate::parse::Catalog;
use crate::store::{NewLedger, Store, StoreError, SyncSubscription, Tx};

/// Who the ledger says brought a subscription in line.
pub const ACTOR: &str = "vendor:sync";

#[derive(Debug, Default, Serialize)]
pub struct SyncReport {
    pub customers: usize,
    pub subscriptions: usize,
    pub drift: Vec<SyncRow>,
    pub fixed: usize,
    /// Customers that could not be read, and why.
    pub problems: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct SyncRow {
    #[serde(flatten)]
    pub drift: Drift,
    pub fixed: bool,
    /// Why a fix was not made.
    pub note: Option<String>,
}

/// Compare every customer with a tenant id; with `fix`, bring the store in line.
pub async fn sync(store: &Store, connector: &Connector, catalog: &Catalog, fix: bool) -> Result<SyncReport, VendorError> {
    let Connector::PartnerCenter(pc) = connector else {
        return Err(VendorError::Setup(
            "`vendor sync` reads Partner Center ([vendor] kind = \"partner_center\"); a webhook cannot be read back".into(),
        ));
    };
    let store_err = |e: StoreError| VendorError::Call(e.to_string());
    let mut report = SyncReport::default();
    for (customer, tenant) in store.tenants().await.map_err(store_err)? {
        report.customers += 1;
        let ours = store.sync_subscriptions(&customer).await.map_err(store_err)?;
        let theirs = match pc.subscriptions(&tenant).await {
            Ok(v) => v,
            Err(why) => {
                report.problems.push(format!("customer {customer} (tenant {tenant}): {why}"));
                continue;
            }
        };
        let assigned = match pc.assigned(&tenant).await {
            Ok(a) => a.unwrap_or_default(),
            Err(why) => {
                report.problems.push(format!("customer {customer}: seats in use not read: {why}"));
                Default::default()
            }
        };
        report.subscriptions += theirs.len();
        let sides: Vec<StoreSide> = ours.iter().map(|s| s.side.clone()).collect();
        let found = drift::drift(&customer, &sides, &theirs, &assigned, catalog);
        let mut rows: Vec<SyncRow> = found.into_iter().map(|drift| SyncRow { drift, fixed: false, note: None }).collect();
        if fix {
            report.fixed += fix_customer(store, &customer, &ours, &mut rows).await.map_err(store_err)?;
        }
        report.drift.extend(rows);
    }
    Ok(report)
}

/// One customer's fixes, in one transaction; the number made.
async fn fix_customer(store: &Store, customer: &str, read: &[SyncSubscription], rows: &mut [SyncRow]) -> Result<usize, StoreError> {
    let mut tx = store.begin().await?;
    let mut fixed = 0;
    for row in rows.iter_mut() {
        let result = match (&row.drift.fix, row.drift.subscription_id.as_deref()) {
            (Fix::Leave { .. }, _) => continue,
            (Fix::Import { .. }, _) => import(&mut tx, customer, &row.drift).await,
            (fix, Some(id)) => match read.iter().find(|s| s.side.id == id) {
                Some(before) => fix_one(&mut tx, before, fix).await,
                None => Ok(Err("not read before".to_string())),
            },
            (_, None) => continue,
        };
        match result? {
            Ok(()) => {
                row.fixed = true;
                fixed += 1;
            }
            Err(why) => row.note = Some(why),
        }
    }
    tx.commit().await?;
    Ok(fixed)
}

/// One subscription brought in line, unless it moved since it was read (`Err`: why not).
async fn fix_one(tx: &mut Tx, before: &SyncSubscription, fix: &Fix) -> Result<Result<(), String>, StoreError> {
    let Some(now) = tx.sync_subscription(&before.side.id).await? else { return Ok(Err("gone from the store".into())) };
    if now.side.in_flight || now.last_job != before.last_job {
        return Ok(Err("a change to it was written meanwhile: left for the next sync".into()));
    }
    let (now, before) = (&now.side, &before.side);
    match fix {
        Fix::SetQuantity { quantity } if now.quantity == before.quantity => {
            tx.set_quantity(&now.id, *quantity).await?;
            let ledger = NewLedger {
                subscription_id: &now.id,
                message: None,
                item: None,
                actor: ACTOR,
                old_quantity: now.quantity,
                new_quantity: *quantity,
                rule: Rule::VendorSync,
                note: None,
            };
            tx.insert_ledger(&ledger).await?;
        }
        Fix::SetStatus { status } if now.status == before.status => tx.set_subscription_status(&now.id, *status).await?,
        Fix::SetAssigned { assigned } if now.assigned == before.assigned => tx.set_assigned(&now.id, *assigned).await?,
        _ => return Ok(Err("changed meanwhile: left for the next sync".into())),
    }
    Ok(Ok(()))
}

/// A subscription only the vendor had, added under the vendor's id.
async fn import(tx: &mut Tx, customer: &str, d: &Drift) -> Result<Result<(), String>, StoreError> {
    let (Fix::Import { product, billing, term_start, status }, Some(vid)) = (&d.fix, d.vendor_id.as_deref()) else {
        return Ok(Err("nothing to import".into()));
    };
    if tx.subscription_owner(vid).await?.is_some() {
        return Ok(Err(format!("a subscription with the id {vid} exists already: link it with vendor_subscription_id")));
    }
    let quantity: i64 = d.vendor.parse().unwrap_or(0);
    let sub = Subscription {
        id: vid.to_string(),
        customer_id: customer.to_string(),
        product: product.clone(),
        quantity,
        assigned: 0,
        billing: *billing,
        term_start: *term_start,
        status: *status,
    };
    tx.upsert_subscription(&sub).await?;
    tx.set_vendor_id(vid, Some(vid)).await?;
    let ledger = NewLedger { subscription_id: vid, message: None, item: None, actor: ACTOR, old_quantity: 0, new_quantity: quantity, rule: Rule::VendorSync, note: None };
    tx.insert_ledger(&ledger).await?;
    Ok(Ok(()))
}

/// `vendor sync`'s report: a table and a summary line, or JSON.
pub fn print(report: &SyncReport, json: bool) {
    use crate::cli::{opt, print_rows};
    if json {
        crate::out!("{}", serde_json::to_string_pretty(report).unwrap_or_else(|_| "{}".into()));
        return;
    }
    print_rows(
        &report.drift,
        false,
        &[
            ("CUSTOMER", &|r| r.drift.customer_id.clone()),
            ("SUBSCRIPTION", &|r| opt(&r.drift.subscription_id)),
            ("VENDOR ID", &|r| opt(&r.drift.vendor_id)),
            ("PRODUCT", &|r| r.drift.product.clone()),
            ("WHAT", &|r| r.drift.kind.to_string()),
            ("STORE", &|r| r.drift.store.clone()),
            ("VENDOR", &|r| r.drift.vendor.clone()),
            ("FIX", &|r| describe_fix(r)),
        ],
    );
    crate::out!(
        "{} customer(s), {} subscription(s) at the vendor, {} difference(s), {} fixed",
        report.customers,
        report.subscriptions,
        report.drift.len(),
        report.fixed
    );
    for p in &report.problems {
        crate::out!("problem: {p}");
    }
}

/// The FIX column of `vendor sync`: what `--fix` does, did, or why it did not.
pub fn describe_fix(r: &SyncRow) -> String {
    let what = match &r.drift.fix {
        Fix::SetQuantity { quantity } => format!("quantity = {quantity}"),
        Fix::SetStatus { status } => format!("status = {status}"),
        Fix::SetAssigned { assigned } => format!("assigned = {assigned}"),
        Fix::Import { product, .. } => format!("import as {product}"),
        Fix::Leave { why } => return format!("left: {why}"),
    };
    match (r.fixed, &r.note) {
        (true, _) => format!("fixed: {what}"),
        (false, Some(note)) => format!("not fixed ({what}): {note}"),
        (false, None) => format!("--fix sets {what}"),
    }
}

/// The daemon's `vendor sync --fix`, at start and then every `every`, until `cancel`.
pub async fn run_every(store: Store, connector: Arc<Connector>, catalog: Arc<Catalog>, every: Duration, cancel: CancellationToken) {
    tracing::info!(every = ?every, "vendor sync scheduled");
    loop {
        match sync(&store, &connector, &catalog, true).await {
            Ok(r) => {
                let left = r.drift.iter().filter(|d| !d.fixed).count();
                tracing::info!(customers = r.customers, drift = r.drift.len(), fixed = r.fixed, left, "vendor sync");
                for p in &r.problems {
                    tracing::warn!(problem = %p, "vendor sync");
                }
            }
            Err(e) => tracing::error!(error = %e, "vendor sync failed; tried again at the next period"),
        }
        tokio::select! {
            _ = cancel.cancelled() => break,
            _ = tokio::time::sleep(every) => {}
        }
    }
}
