//! Drift: what differs between the store and what the vendor holds, subscription by subscription,
//! and what `seatmail vendor sync --fix` may do about it. The vendor is the truth for
//! quantities, statuses and assigned seats — except for a subscription with a change still on
//! its way there, where the store is ahead of the vendor on purpose and nothing is touched.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::vendor::VendorStatus;
use crate::domain::{Billing, SubscriptionStatus};
use crate::parse::Catalog;

/// A subscription as the store holds it.
#[derive(Debug, Clone)]
pub struct StoreSide {
    pub id: String,
    pub vendor_id: Option<String>,
    pub product: String,
    pub quantity: i64,
    pub assigned: i64,
    pub status: SubscriptionStatus,
    /// A change to it is still on its way to the vendor.
    pub in_flight: bool,
}

/// A subscription as the vendor holds it.
#[derive(Debug, Clone)]
pub struct VendorSide {
    pub id: String,
    pub offer_name: String,
    pub quantity: i64,
    pub status: VendorStatus,
    /// `P1Y` terms are annual, `P1M` monthly (flexible); unknown when the vendor does not say.
    pub billing: Option<Billing>,
    pub term_start: Option<NaiveDate>,
}

crate::domain::word_enum!(
    /// What differs.
    DriftKind {
        Quantity = "quantity",
        Status = "status",
        Assigned = "assigned",
        /// At the vendor, not in the store.
        OnlyAtVendor = "only_at_vendor",
        /// Linked to a vendor id the vendor does not list.
        NotAtVendor = "not_at_vendor",
    }
);

/// What `--fix` does about one difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum Fix {
    SetQuantity { quantity: i64 },
    SetStatus { status: SubscriptionStatus },
    SetAssigned { assigned: i64 },
    /// A new store subscription, its id the vendor's.
    Import { product: String, billing: Billing, term_start: NaiveDate, status: SubscriptionStatus },
    /// Nothing: a person must look (the reason says why).
    Leave { why: String },
}

#[derive(Debug, Clone, Serialize)]
pub struct Drift {
    pub customer_id: String,
    pub kind: DriftKind,
    /// The store's subscription id (none for one only at the vendor).
    pub subscription_id: Option<String>,
    pub vendor_id: Option<String>,
    pub product: String,
    pub store: String,
    pub vendor: String,
    pub fix: Fix,
}

/// Every difference between one customer's subscriptions in the store and at the vendor.
/// `assigned`: seats in use per SKU part number, where the vendor said (its subscribed SKUs).
pub fn drift(
    customer_id: &str,
    store: &[StoreSide],
    vendor: &[VendorSide],
    assigned: &HashMap<String, i64>,
    catalog: &Catalog,
) -> Vec<Drift> {
    let mut out = Vec::new();
    let by_id: HashMap<&str, &VendorSide> = vendor.iter().map(|v| (v.id.as_str(), v)).collect();
    let row = |kind, s: &StoreSide, store: String, vendor: String, fix| Drift {
        customer_id: customer_id.to_string(),
        kind,
        subscription_id: Some(s.id.clone()),
        vendor_id: s.vendor_id.clone(),
        product: s.product.clone(),
        store,
        vendor,
        fix,
    };
    let in_flight = |s: &StoreSide, fix: Fix| {
        if s.in_flight {
            Fix::Leave { why: "a change is on its way to the vendor: the store is ahead on purpose".into() }
        } else {
            fix
        }
    };
    for s in store {
        let Some(vid) = s.vendor_id.as_deref() else { continue };
        let Some(v) = by_id.get(vid) else {
            let why = "the vendor does not list this subscription: check its vendor_subscription_id".to_string();
            out.push(row(DriftKind::NotAtVendor, s, s.quantity.to_string(), "-".into(), Fix::Leave { why }));
            continue;
        };
        if v.quantity != s.quantity {
            let fix = in_flight(s, Fix::SetQuantity { quantity: v.quantity });
            out.push(row(DriftKind::Quantity, s, s.quantity.to_string(), v.quantity.to_string(), fix));
        }
        if let Some(status) = v.status.store_status().filter(|st| *st != s.status) {
            let fix = in_flight(s, Fix::SetStatus { status });
            out.push(row(DriftKind::Status, s, s.status.to_string(), status.to_string(), fix));
        }
        // Seats in use are per product at the vendor: only a product with one subscription here
        // tells which subscription they belong to.
        let one_of_product = store.iter().filter(|o| o.product == s.product).count() == 1;
        if let Some(a) = assigned.get(&s.product).filter(|a| one_of_product && **a != s.assigned) {
            out.push(row(DriftKind::Assigned, s, s.assigned.to_string(), a.to_string(), Fix::SetAssigned { assigned: *a }));
        }
    }
    for v in vendor {
        if store.iter().any(|s| s.vendor_id.as_deref() == Some(v.id.as_str())) {
            continue;
        }
        out.push(Drift {
            customer_id: customer_id.to_string(),
            kind: DriftKind::OnlyAtVendor,
            subscription_id: None,
            vendor_id: Some(v.id.clone()),
            product: product_of(&v.offer_name, catalog).unwrap_or_else(|| v.offer_name.clone()),
            store: "-".into(),
            vendor: v.quantity.to_string(),
            fix: import(v, catalog),
        });
    }
    out
}

/// A vendor-only subscription becomes a store one when the store can say what it is.
fn import(v: &VendorSide, catalog: &Catalog) -> Fix {
    let leave = |why: String| Fix::Leave { why };
    let Some(product) = product_of(&v.offer_name, catalog) else {
        return leave(format!("its offer `{}` is no product of the catalog", v.offer_name));
    };
    let Some(status) = v.status.store_status() else { return leave("its status at the vendor is not settled yet".into()) };
    match (v.billing, v.term_start) {
        (Some(billing), Some(term_start)) => Fix::Import { product, billing, term_start, status },
        _ => leave("the vendor gives no term (billing, start): import it with the CSV".into()),
    }
}

/// The catalog product whose name or an alias is the offer's name.
fn product_of(offer_name: &str, catalog: &Catalog) -> Option<String> {
    let fold = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase();
    let wanted = fold(offer_name);
    let products = catalog.products();
    // A product's own name before another's alias ("Office 365 Business Premium" is an old name).
    products
        .iter()
        .find(|p| fold(&p.name) == wanted)
        .or_else(|| products.iter().find(|p| p.aliases.iter().any(|a| fold(a) == wanted)))
        .map(|p| p.sku.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(id: &str, vendor: &str, quantity: i64, in_flight: bool) -> StoreSide {
        StoreSide {
            id: id.into(),
            vendor_id: Some(vendor.into()),
            product: "SPB".into(),
            quantity,
            assigned: 2,
            status: SubscriptionStatus::Active,
            in_flight,
        }
    }

    fn vendor(id: &str, quantity: i64, status: VendorStatus) -> VendorSide {
        VendorSide {
            id: id.into(),
            offer_name: "Microsoft 365 Business Premium".into(),
            quantity,
            status,
            billing: Some(Billing::Annual),
            term_start: NaiveDate::from_ymd_opt(2026, 1, 1),
        }
    }

    #[test]
    fn differences_and_what_fixes_them() {
        let catalog = Catalog::builtin();
        let assigned: HashMap<String, i64> = [("SPB".to_string(), 5)].into();
        let d = drift("C1", &[store("S1", "v1", 10, false)], &[vendor("v1", 12, VendorStatus::Suspended)], &assigned, &catalog);
        let kinds: Vec<DriftKind> = d.iter().map(|x| x.kind).collect();
        assert_eq!(kinds, [DriftKind::Quantity, DriftKind::Status, DriftKind::Assigned]);
        assert_eq!(d[0].fix, Fix::SetQuantity { quantity: 12 });
        assert_eq!(d[1].fix, Fix::SetStatus { status: SubscriptionStatus::Suspended });
        assert_eq!(d[2].fix, Fix::SetAssigned { assigned: 5 });
        let busy = drift("C1", &[store("S1", "v1", 10, true)], &[vendor("v1", 12, VendorStatus::Active)], &HashMap::new(), &catalog);
        assert!(matches!(busy[0].fix, Fix::Leave { .. }), "a change on its way is never undone by a sync");
        let same = drift("C1", &[store("S1", "v1", 12, false)], &[vendor("v1", 12, VendorStatus::Active)], &HashMap::new(), &catalog);
        assert!(same.is_empty());
    }

    #[test]
    fn subscriptions_on_one_side_only() {
        let catalog = Catalog::builtin();
        let d = drift("C1", &[store("S1", "gone", 10, false)], &[vendor("v2", 3, VendorStatus::Active)], &HashMap::new(), &catalog);
        assert_eq!(d[0].kind, DriftKind::NotAtVendor);
        assert!(matches!(d[0].fix, Fix::Leave { .. }));
        assert_eq!(d[1].kind, DriftKind::OnlyAtVendor);
        assert!(matches!(&d[1].fix, Fix::Import { product, .. } if product == "SPB"));
        let mut odd = vendor("v3", 1, VendorStatus::Active);
        odd.offer_name = "Something Else Entirely".into();
        let d = drift("C1", &[], &[odd], &HashMap::new(), &catalog);
        assert!(matches!(d[0].fix, Fix::Leave { .. }));
    }
}
