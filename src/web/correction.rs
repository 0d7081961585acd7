//! The correction form of a queued mail: one row per item, filled in from what seatmail read
//! (username, product, change), choosing among the customer's own subscriptions — by the name
//! people know, with the SKU and the seats — rather than the whole catalogue. The catalogue is
//! offered only when no customer is known (an unknown sender).

use std::collections::BTreeSet;

use serde::Serialize;

use super::WebState;
use crate::store::{ItemRow, MessageRow, StoreError};

#[derive(Debug, Serialize)]
pub struct CorrectionForm {
    pub rows: Vec<Row>,
    pub options: Vec<Choice>,
    /// The options are the catalogue's (no customer is known).
    pub catalogue: bool,
}

#[derive(Debug, Serialize)]
pub struct Row {
    pub username: String,
    /// The SKU chosen, if any.
    pub product: String,
    /// `+3`, `-2`, `=15`.
    pub change: String,
}

#[derive(Debug, Serialize)]
pub struct Choice {
    pub sku: String,
    /// `Microsoft 365 Business Standard (O365_BUSINESS_PREMIUM) · S-ANN · 15 of 20 available`.
    pub label: String,
}

/// Rows this many at least, so that a forgotten item can be added.
const MIN_ROWS: usize = 1;

pub async fn form(state: &WebState, m: &MessageRow, items: &[ItemRow], parsed: &serde_json::Value) -> Result<CorrectionForm, StoreError> {
    let mut customers: BTreeSet<String> = m.customer_id.iter().cloned().collect();
    if customers.is_empty() {
        if let Some(from) = &m.from {
            customers.extend(state.store.customers_of_contact(from).await?);
        }
    }
    let mut options = Vec::new();
    for c in &customers {
        for s in state.store.list_subscriptions(Some(c)).await? {
            let several = customers.len() > 1;
            options.push(Choice {
                label: format!(
                    "{} ({}) · {}{} · {} of {} available",
                    state.catalog.name_of(&s.product),
                    s.product,
                    s.subscription_id,
                    if several { format!(" · {}", s.customer_name) } else { String::new() },
                    s.available,
                    s.quantity
                ),
                sku: s.product,
            });
        }
    }
    let catalogue = options.is_empty();
    if catalogue {
        options = state.catalog.products().iter().map(|p| Choice { sku: p.sku.clone(), label: format!("{} ({})", p.name, p.sku) }).collect();
    }
    let mut rows: Vec<Row> = if items.iter().any(|i| i.delta.is_some() || i.target.is_some()) {
        items.iter().map(|i| row(i.username.as_deref(), i.product.as_deref(), i.delta, i.target)).collect()
    } else {
        parsed_rows(parsed)
    };
    // The one subscription a customer has is the product, whatever the mail named.
    let only = (!catalogue && options.len() == 1).then(|| options[0].sku.clone());
    for r in &mut rows {
        if !options.iter().any(|o| o.sku == r.product) {
            r.product = only.clone().unwrap_or_default();
        }
    }
    while rows.len() < MIN_ROWS {
        rows.push(Row { username: String::new(), product: only.clone().unwrap_or_default(), change: String::new() });
    }
    Ok(CorrectionForm { rows, options, catalogue })
}

/// The items as the parser read them (a mail needing review has no decided items).
fn parsed_rows(parsed: &serde_json::Value) -> Vec<Row> {
    let Some(items) = parsed.get("items").and_then(|v| v.as_array()) else { return Vec::new() };
    items
        .iter()
        .map(|i| {
            let s = |k: &str| i.get(k).and_then(|x| x.as_str());
            let n = |k: &str| i.get(k).and_then(|x| x.as_i64());
            row(s("username"), s("product"), n("delta"), n("target"))
        })
        .collect()
}

fn row(username: Option<&str>, product: Option<&str>, delta: Option<i64>, target: Option<i64>) -> Row {
    Row {
        username: username.unwrap_or_default().to_string(),
        product: product.unwrap_or_default().to_string(),
        change: match (delta, target) {
            (Some(d), _) => format!("{d:+}"),
            (None, Some(t)) => format!("={t}"),
            _ => String::new(),
        },
    }
}
