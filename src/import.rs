//! `seatmail import`: customers, subscriptions and contacts from the reseller's CSV exports.
//!
//! All or nothing: every row is checked first and every bad row is reported with its line
//! number; only a file without errors is written, in one transaction.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;

use crate::config::is_address;
use crate::domain::{Contact, Customer, Subscription};
use crate::parse::{Catalog, Language};
use crate::store::{ImportReport, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    #[error("{path}: {} bad row(s), nothing imported:\n  {}", .errors.len(), .errors.join("\n  "))]
    Rows { path: String, errors: Vec<String> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub const SUBSCRIPTION_HEADER: &[&str] = &[
    "customer_id",
    "customer_name",
    "language",
    "tenant_domains",
    "subscription_id",
    "product",
    "quantity",
    "assigned",
    "billing",
    "term_start",
    "status",
];
/// Optional last columns of the subscriptions CSV: the customer's time zone, and for a
/// `[vendor]` the customer's Microsoft tenant id (Partner Center's customer-tenant-id) and the
/// subscription's id at the vendor.
pub const OPTIONAL_SUBSCRIPTION_COLUMNS: &[&str] = &["time_zone", "tenant_id", "vendor_subscription_id"];
pub const CONTACT_HEADER: &[&str] = &["customer_id", "email", "name", "role"];

/// Records with their line numbers, after checking the header.
fn read_csv(path: &Path, expected: &[&str], optional: &[&str]) -> Result<Vec<(usize, Vec<String>)>, ImportError> {
    let p = path.display().to_string();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| ImportError::Read { path: p.clone(), message: e.to_string() })?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| ImportError::Read { path: p.clone(), message: e.to_string() })?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    // The optional columns follow the expected ones, each at most once, in any order and any
    // subset: a file written for one feature (time zones, vendor ids) is read by the others.
    let extra: Option<Vec<usize>> = header.get(expected.len()..).and_then(|rest| {
        let places: Vec<usize> = rest.iter().map_while(|h| optional.iter().position(|o| o == h)).collect();
        let unique = places.iter().collect::<std::collections::BTreeSet<_>>().len() == places.len();
        (places.len() == rest.len() && unique).then_some(places)
    });
    let ok = header.len() >= expected.len() && header.iter().zip(expected).all(|(a, b)| a == b) && extra.is_some();
    let Some(extra) = extra.filter(|_| ok) else {
        let want = expected.iter().chain(optional.iter().map(|o| o as &&str)).copied().collect::<Vec<_>>().join(",");
        return Err(ImportError::Rows {
            path: p,
            errors: vec![format!("line 1: header is `{}`, expected `{want}` (the last {} optional, in any order)", header.join(","), optional.len())],
        });
    };
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) => {
                let line = r.position().map(|p| p.line() as usize).unwrap_or(0);
                if r.iter().all(str::is_empty) {
                    continue;
                }
                if r.len() < expected.len() || r.len() > header.len() {
                    errors.push(format!("line {line}: {} fields, expected {}", r.len(), header.len()));
                    continue;
                }
                // Each optional cell at its place in `optional`, empty when the file has none.
                let mut fields: Vec<String> = r.iter().take(expected.len()).map(str::to_string).collect();
                fields.resize(expected.len() + optional.len(), String::new());
                for (k, cell) in r.iter().skip(expected.len()).enumerate() {
                    fields[expected.len() + extra[k]] = cell.to_string();
                }
                rows.push((line, fields));
            }
            Err(e) => errors.push(format!(
                "line {}: {e}",
                e.position().map(|p| p.line().to_string()).unwrap_or_else(|| "?".into())
            )),
        }
    }
    if !errors.is_empty() {
        return Err(ImportError::Rows { path: p, errors });
    }
    Ok(rows)
}

fn is_domain(d: &str) -> bool {
    d.contains('.')
        && !d.starts_with('.')
        && !d.ends_with('.')
        && d.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.')
}

pub async fn import_subscriptions(store: &Store, catalog: &Catalog, path: &Path) -> Result<ImportReport, ImportError> {
    let rows = read_csv(path, SUBSCRIPTION_HEADER, OPTIONAL_SUBSCRIPTION_COLUMNS)?;
    let (links, mut errors) = vendor_links(&rows);
    let mut customers: Vec<Customer> = Vec::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut subs: Vec<Subscription> = Vec::new();
    let mut seen_subs: HashMap<String, usize> = HashMap::new();
    for (line, f) in rows {
        let mut bad = |m: String| errors.push(format!("line {line}: {m}"));
        let (cid, cname, lang, domains, sid, product) = (&f[0], &f[1], &f[2], &f[3], &f[4], &f[5]);
        if cid.is_empty() {
            bad("customer_id is empty".into());
            continue;
        }
        let Some(language) = Language::from_code(&lang.to_ascii_lowercase()) else {
            bad(format!("language `{lang}` is not one of en, fr, nl, de, sv"));
            continue;
        };
        let domains: Vec<String> = domains.split_whitespace().map(|d| d.to_ascii_lowercase()).collect();
        if domains.is_empty() {
            bad("tenant_domains is empty".into());
            continue;
        }
        if let Some(d) = domains.iter().find(|d| !is_domain(d)) {
            bad(format!("tenant domain `{d}` is not a domain name"));
            continue;
        }
        let time_zone = match f.get(SUBSCRIPTION_HEADER.len()).map(|z| z.trim()).filter(|z| !z.is_empty()) {
            None => None,
            Some(z) => match z.parse::<chrono_tz::Tz>() {
                Ok(tz) => Some(tz),
                Err(_) => {
                    bad(format!("time_zone `{z}` is not a time zone of the IANA database, like Europe/Brussels"));
                    continue;
                }
            },
        };
        let customer = Customer { id: cid.clone(), name: cname.clone(), language, domains, time_zone };
        match customers.iter().find(|c| c.id == *cid) {
            Some(c) if *c != customer => {
                bad(format!(
                    "customer {cid} differs from line {} (name, language, tenant_domains and time_zone must be the same on every row)",
                    first_line[cid]
                ));
                continue;
            }
            Some(_) => {}
            None => {
                first_line.insert(cid.clone(), line);
                customers.push(customer);
            }
        }
        if sid.is_empty() {
            bad("subscription_id is empty".into());
            continue;
        }
        if let Some(prev) = seen_subs.insert(sid.clone(), line) {
            bad(format!("subscription {sid} is already on line {prev}"));
            continue;
        }
        let product = product.to_ascii_uppercase();
        if catalog.get(&product).is_none() {
            bad(format!("product `{product}` is not in the product catalog"));
            continue;
        }
        let quantity = match f[6].parse::<i64>() {
            Ok(q) if q >= 0 => q,
            _ => {
                bad(format!("quantity `{}` is not a whole number ≥ 0", f[6]));
                continue;
            }
        };
        let assigned = match f[7].parse::<i64>() {
            Ok(a) if a >= 0 && a <= quantity => a,
            Ok(a) if a > quantity => {
                bad(format!("assigned {a} is more than quantity {quantity}"));
                continue;
            }
            _ => {
                bad(format!("assigned `{}` is not a whole number ≥ 0", f[7]));
                continue;
            }
        };
        let billing = match f[8].parse() {
            Ok(b) => b,
            Err(e) => {
                bad(format!("billing: {e}"));
                continue;
            }
        };
        let Ok(term_start) = NaiveDate::parse_from_str(&f[9], "%Y-%m-%d") else {
            bad(format!("term_start `{}` is not a date YYYY-MM-DD", f[9]));
            continue;
        };
        let status = match f[10].parse() {
            Ok(s) => s,
            Err(e) => {
                bad(format!("status: {e}"));
                continue;
            }
        };
        subs.push(Subscription {
            id: sid.clone(),
            customer_id: cid.clone(),
            product,
            quantity,
            assigned,
            billing,
            term_start,
            status,
        });
    }
    if !errors.is_empty() {
        return Err(ImportError::Rows { path: path.display().to_string(), errors });
    }
    let mut tx = store.begin().await?;
    for c in &customers {
        tx.upsert_customer(c).await.map_err(|e| row_error(path, first_line[&c.id], e))?;
    }
    for s in &subs {
        tx.upsert_subscription(s).await.map_err(|e| row_error(path, seen_subs[&s.id], e))?;
    }
    for (line, customer, tenant) in &links.tenants {
        tx.set_tenant_id(customer, Some(tenant)).await.map_err(|e| row_error(path, *line, e))?;
    }
    for (line, sub, vendor_id) in &links.subscriptions {
        tx.set_vendor_id(sub, Some(vendor_id)).await.map_err(|e| row_error(path, *line, e))?;
    }
    tx.commit().await?;
    Ok(ImportReport { customers: customers.len(), subscriptions: subs.len(), contacts: 0 })
}

/// The vendor ids of the optional columns, by line: an empty cell leaves what the store has.
#[derive(Default)]
struct Links {
    tenants: Vec<(usize, String, String)>,
    subscriptions: Vec<(usize, String, String)>,
}

/// The optional columns checked: ids fit for a URL (GUIDs, as Partner Center's are), one tenant
/// per customer on every row, each vendor subscription on one row.
fn vendor_links(rows: &[(usize, Vec<String>)]) -> (Links, Vec<String>) {
    let n = SUBSCRIPTION_HEADER.len();
    let mut links = Links::default();
    let mut errors = Vec::new();
    let mut tenant_of: HashMap<String, (usize, String)> = HashMap::new();
    let mut vendor_ids: HashMap<String, usize> = HashMap::new();
    let is_id = |s: &str| s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    for (line, f) in rows {
        let cell = |name: &str| {
            let at = OPTIONAL_SUBSCRIPTION_COLUMNS.iter().position(|c| *c == name)?;
            f.get(n + at).map(|s| s.trim()).filter(|s| !s.is_empty())
        };
        if let Some(t) = cell("tenant_id") {
            let t = t.to_ascii_lowercase();
            match tenant_of.get(&f[0]) {
                _ if !is_id(&t) => errors.push(format!("line {line}: tenant_id `{t}` is not a tenant id (a GUID)")),
                Some((first, other)) if *other != t => {
                    errors.push(format!("line {line}: customer {} has tenant_id {other} on line {first}", f[0]))
                }
                Some(_) => {}
                None => {
                    tenant_of.insert(f[0].clone(), (*line, t.clone()));
                    links.tenants.push((*line, f[0].clone(), t));
                }
            }
        }
        if let Some(v) = cell("vendor_subscription_id") {
            let v = v.to_ascii_lowercase();
            if !is_id(&v) {
                errors.push(format!("line {line}: vendor_subscription_id `{v}` is not a subscription id (a GUID)"));
            } else if let Some(first) = vendor_ids.insert(v.clone(), *line) {
                errors.push(format!("line {line}: vendor_subscription_id {v} is already on line {first}"));
            } else {
                links.subscriptions.push((*line, f[4].clone(), v));
            }
        }
    }
    (links, errors)
}

fn row_error(path: &Path, line: usize, e: StoreError) -> ImportError {
    match e {
        StoreError::Conflict(m) => {
            ImportError::Rows { path: path.display().to_string(), errors: vec![format!("line {line}: {m}")] }
        }
        other => ImportError::Store(other),
    }
}

pub async fn import_contacts(store: &Store, path: &Path) -> Result<ImportReport, ImportError> {
    let rows = read_csv(path, CONTACT_HEADER, &["subscriptions"])?;
    let mut errors = Vec::new();
    let mut contacts = Vec::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for (line, f) in rows {
        let mut bad = |m: String| errors.push(format!("line {line}: {m}"));
        let email = f[1].to_ascii_lowercase();
        if f[0].is_empty() {
            bad("customer_id is empty".into());
            continue;
        }
        if !is_address(&email) {
            bad(format!("email `{}` is not an e-mail address", f[1]));
            continue;
        }
        let role = match f[3].parse() {
            Ok(r) => r,
            Err(e) => {
                bad(format!("role: {e}"));
                continue;
            }
        };
        if let Some(prev) = seen.insert((f[0].clone(), email.clone()), line) {
            bad(format!("contact {email} of customer {} is already on line {prev}", f[0]));
            continue;
        }
        let scope = f.get(4).map(|s| s.split_whitespace().map(str::to_string).collect()).unwrap_or_default();
        let name = Some(f[2].clone()).filter(|n| !n.is_empty());
        contacts.push((line, Contact { customer_id: f[0].clone(), email, name, role, scope }));
    }
    if !errors.is_empty() {
        return Err(ImportError::Rows { path: path.display().to_string(), errors });
    }
    let mut tx = store.begin().await?;
    for (line, c) in &contacts {
        if !tx.customer_exists(&c.customer_id).await? {
            errors.push(format!("line {line}: customer {} is unknown (import its subscriptions first)", c.customer_id));
            continue;
        }
        for s in &c.scope {
            match tx.subscription_owner(s).await? {
                Some(owner) if owner == c.customer_id => {}
                Some(owner) => errors.push(format!("line {line}: subscription {s} belongs to customer {owner}")),
                None => errors.push(format!("line {line}: subscription {s} is unknown")),
            }
        }
    }
    if !errors.is_empty() {
        return Err(ImportError::Rows { path: path.display().to_string(), errors });
    }
    for (_, c) in &contacts {
        tx.upsert_contact(c).await?;
    }
    tx.commit().await?;
    Ok(ImportReport { customers: 0, subscriptions: 0, contacts: contacts.len() })
}
