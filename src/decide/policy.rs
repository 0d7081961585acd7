//! The seat rules of the seeds, one named [`Rule`] each: the rule's name is what the answer
//! explains and what the ledger records. [`evaluate`] holds the rules that refuse a change;
//! the reasons to hold an allowed one (for ops, for the customer's code) are in
//! `holds.rs`.

use chrono::{Datelike, Duration, NaiveDate};

use crate::config::PolicyConfig;
use crate::domain::{Billing, Subscription, SubscriptionStatus};
use crate::parse::{Catalog, Change};

crate::domain::word_enum!(
    /// Every reason an item can end with. The names are stable: templates, the ledger and the
    /// JSON output use them.
    Rule {
        Increase = "increase",
        Decrease = "decrease",
        DecreaseInWindow = "decrease_in_window",
        NoChange = "no_change",
        BelowAssigned = "below_assigned",
        AnnualCommitment = "annual_commitment",
        InactiveSubscription = "inactive_subscription",
        ProductMaximum = "product_maximum",
        RequestMaximum = "request_maximum",
        ApprovalThreshold = "approval_threshold",
        NoSubscription = "no_subscription",
        ProductRequired = "product_required",
        ForeignTenant = "foreign_tenant",
        UnknownTenant = "unknown_tenant",
        RoleNotAllowed = "role_not_allowed",
        OutOfScope = "out_of_scope",
        OpsRejected = "ops_rejected",
        OpsApproved = "ops_approved",
        DailyLimit = "daily_limit",
        ConfirmationRequired = "confirmation_required",
        CustomerConfirmed = "customer_confirmed",
        CodeUnknown = "code_unknown",
        CodeExpired = "code_expired",
        CodeUsed = "code_used",
        /// Held by the cautious mode (`[policy.cautious]`) until ops confirm what was understood.
        CautiousOps = "cautious_ops",
        /// Held by the cautious mode until the customer's admin confirms it with the code.
        CautiousCustomer = "cautious_customer",
        /// The vendor refused the change for a reason no other rule names (its words go with it).
        VendorRejected = "vendor_rejected",
        /// Ledger only: a change the vendor refused, undone in the store.
        VendorReverted = "vendor_reverted",
        /// Ledger only: the store brought in line with what the vendor holds (`vendor sync`).
        VendorSync = "vendor_sync",
    }
);

impl Rule {
    /// One English line for the store's `reason` and the ops queue.
    pub fn describe(self) -> &'static str {
        match self {
            Rule::Increase => "seats added",
            Rule::Decrease => "seats removed (flexible plan, credited on the next bill)",
            Rule::DecreaseInWindow => "seats removed within the annual plan's cancellation window",
            Rule::NoChange => "the subscription already has that number of seats",
            Rule::BelowAssigned => "would go below the seats assigned to users",
            Rule::AnnualCommitment => "annual plan outside its cancellation window",
            Rule::InactiveSubscription => "the subscription is not active",
            Rule::ProductMaximum => "over the product's seat maximum",
            Rule::RequestMaximum => "over the per-request maximum",
            Rule::ApprovalThreshold => "increase over the approval threshold: waits for reseller ops",
            Rule::NoSubscription => "the customer has no subscription for that product",
            Rule::ProductRequired => "several subscriptions and no product named",
            Rule::ForeignTenant => "the username's tenant is not the sender's organisation",
            Rule::UnknownTenant => "the username's domain is not a known tenant",
            Rule::RoleNotAllowed => "the sender's role may not buy or return licences",
            Rule::OutOfScope => "the sender may not manage this subscription",
            Rule::OpsRejected => "rejected by reseller ops",
            Rule::OpsApproved => "approved by reseller ops",
            Rule::DailyLimit => "over the customer's daily change limit: waits for reseller ops",
            Rule::ConfirmationRequired => "waits for the customer's confirmation code",
            Rule::CustomerConfirmed => "confirmed by the customer's admin",
            Rule::CodeUnknown => "unknown confirmation code",
            Rule::CodeExpired => "the confirmation code has expired",
            Rule::CodeUsed => "the confirmation code was used already",
            Rule::CautiousOps => "cautious mode: waits for reseller ops to confirm what was understood",
            Rule::CautiousCustomer => "cautious mode: waits for the customer's confirmation code",
            Rule::VendorRejected => "refused by the vendor",
            Rule::VendorReverted => "undone: the vendor refused the change",
            Rule::VendorSync => "brought in line with the vendor",
        }
    }
}

/// Limits that come from configuration.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub cancellation_window_days: i64,
    pub max_per_request: i64,
    /// Seat maximum of the subscription's product, if any.
    pub product_max: Option<i64>,
}

/// What the seat rules say about one change to one subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Apply { rule: Rule, new_quantity: i64 },
    Reject { rule: Rule, new_quantity: i64 },
}

impl Verdict {
    pub fn rule(&self) -> Rule {
        match self {
            Verdict::Apply { rule, .. } | Verdict::Reject { rule, .. } => *rule,
        }
    }
}

/// When a subscription may lose seats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shrink {
    /// A flexible (monthly) plan: any time, credited on the next bill.
    AnyTime,
    /// An annual plan inside its cancellation window: until this day included.
    Until(NaiveDate),
    /// An annual plan past its window: only at renewal.
    AtRenewal,
}

/// When a subscription on `billing` whose term started on `term_start` may shrink, `today`.
pub fn shrink(billing: Billing, term_start: NaiveDate, window_days: i64, today: NaiveDate) -> Shrink {
    let window_end = term_start + Duration::days(window_days);
    match billing {
        Billing::Flexible => Shrink::AnyTime,
        Billing::Annual if today <= window_end => Shrink::Until(window_end),
        Billing::Annual => Shrink::AtRenewal,
    }
}

/// A product's seat maximum: the policy's override, else the catalog's.
pub fn product_max(policy: &PolicyConfig, catalog: &Catalog, sku: &str) -> Option<i64> {
    policy.product_max.get(sku).copied().or_else(|| catalog.get(sku).and_then(|p| p.max_seats))
}

/// The first renewal after `today` of a term that started on `term_start`: yearly for an
/// annual plan, monthly for a flexible one.
pub fn renewal_date(term_start: NaiveDate, billing: Billing, today: NaiveDate) -> NaiveDate {
    let months = match billing {
        Billing::Annual => 12,
        Billing::Flexible => 1,
    };
    // Bounded: a term start centuries ago is corrupt data, not a reason to loop.
    (1..=2400u32)
        .map(|n| add_months(term_start, months * n))
        .find(|d| *d > today)
        .unwrap_or(today)
}

fn add_months(d: NaiveDate, months: u32) -> NaiveDate {
    // 29 February renews on 28 February in common years, 31 January on the month's last day.
    let total = d.month0() + months;
    let (year, month0) = (d.year() + (total / 12) as i32, total % 12);
    (0..4)
        .find_map(|back| NaiveDate::from_ymd_opt(year, month0 + 1, d.day() - back))
        .unwrap_or(d)
}

/// Evaluate `change` against `sub`: allowed (with the rule that allows it) or refused.
pub fn evaluate(sub: &Subscription, change: Change, limits: &Limits, today: NaiveDate) -> Verdict {
    let new_quantity = match change {
        Change::Delta(d) => sub.quantity.saturating_add(d),
        Change::Target(t) => t,
    };
    let diff = new_quantity - sub.quantity;
    if sub.status != SubscriptionStatus::Active {
        return Verdict::Reject { rule: Rule::InactiveSubscription, new_quantity };
    }
    if diff == 0 {
        return Verdict::Apply { rule: Rule::NoChange, new_quantity };
    }
    if diff.abs() > limits.max_per_request {
        return Verdict::Reject { rule: Rule::RequestMaximum, new_quantity };
    }
    if diff > 0 {
        if limits.product_max.is_some_and(|max| new_quantity > max) {
            return Verdict::Reject { rule: Rule::ProductMaximum, new_quantity };
        }
        return Verdict::Apply { rule: Rule::Increase, new_quantity };
    }
    // A decrease: never below the seats in use (the help page: unassign first).
    if new_quantity < sub.assigned || new_quantity < 0 {
        return Verdict::Reject { rule: Rule::BelowAssigned, new_quantity };
    }
    match shrink(sub.billing, sub.term_start, limits.cancellation_window_days, today) {
        Shrink::AnyTime => Verdict::Apply { rule: Rule::Decrease, new_quantity },
        Shrink::Until(_) => Verdict::Apply { rule: Rule::DecreaseInWindow, new_quantity },
        Shrink::AtRenewal => Verdict::Reject { rule: Rule::AnnualCommitment, new_quantity },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(quantity: i64, assigned: i64, billing: Billing, term_start: &str) -> Subscription {
        Subscription {
            id: "S1".into(),
            customer_id: "C1".into(),
            product: "SPB".into(),
            quantity,
            assigned,
            billing,
            term_start: NaiveDate::parse_from_str(term_start, "%Y-%m-%d").unwrap(),
            status: SubscriptionStatus::Active,
        }
    }

    const LIMITS: Limits = Limits { cancellation_window_days: 7, max_per_request: 100, product_max: Some(300) };

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    #[test]
    fn each_rule_has_its_case() {
        let flex = sub(10, 7, Billing::Flexible, "2026-01-10");
        let cases = [
            (Change::Delta(3), Verdict::Apply { rule: Rule::Increase, new_quantity: 13 }),
            (Change::Delta(-3), Verdict::Apply { rule: Rule::Decrease, new_quantity: 7 }),
            (Change::Delta(-4), Verdict::Reject { rule: Rule::BelowAssigned, new_quantity: 6 }),
            (Change::Target(10), Verdict::Apply { rule: Rule::NoChange, new_quantity: 10 }),
            (Change::Delta(100), Verdict::Apply { rule: Rule::Increase, new_quantity: 110 }),
            (Change::Delta(101), Verdict::Reject { rule: Rule::RequestMaximum, new_quantity: 111 }),
            (Change::Target(-1), Verdict::Reject { rule: Rule::BelowAssigned, new_quantity: -1 }),
        ];
        for (change, want) in cases {
            assert_eq!(evaluate(&flex, change, &LIMITS, today()), want, "{change:?}");
        }
        let big = sub(295, 0, Billing::Flexible, "2026-01-10");
        assert_eq!(evaluate(&big, Change::Delta(5), &LIMITS, today()).rule(), Rule::Increase);
        assert_eq!(evaluate(&big, Change::Delta(6), &LIMITS, today()).rule(), Rule::ProductMaximum);
        let mut suspended = flex.clone();
        suspended.status = SubscriptionStatus::Suspended;
        assert_eq!(evaluate(&suspended, Change::Delta(1), &LIMITS, today()).rule(), Rule::InactiveSubscription);
        suspended.status = SubscriptionStatus::Expired;
        assert_eq!(evaluate(&suspended, Change::Target(10), &LIMITS, today()).rule(), Rule::InactiveSubscription);
    }

    #[test]
    fn annual_decreases_only_inside_the_window() {
        // The window is 7 days: a term that started on the 17th may shrink until the 24th.
        let inside = sub(10, 2, Billing::Annual, "2026-11-17");
        assert_eq!(evaluate(&inside, Change::Delta(-1), &LIMITS, today()).rule(), Rule::DecreaseInWindow);
        let outside = sub(10, 2, Billing::Annual, "2026-11-16");
        assert_eq!(evaluate(&outside, Change::Delta(-1), &LIMITS, today()).rule(), Rule::AnnualCommitment);
        assert_eq!(evaluate(&outside, Change::Delta(1), &LIMITS, today()).rule(), Rule::Increase);
        let today_start = sub(10, 2, Billing::Annual, "2026-11-24");
        assert_eq!(evaluate(&today_start, Change::Delta(-1), &LIMITS, today()).rule(), Rule::DecreaseInWindow);
        let no_window = Limits { cancellation_window_days: 0, ..LIMITS };
        assert_eq!(evaluate(&today_start, Change::Delta(-1), &no_window, today()).rule(), Rule::DecreaseInWindow);
        assert_eq!(evaluate(&inside, Change::Delta(-1), &no_window, today()).rule(), Rule::AnnualCommitment);
    }

    #[test]
    fn renewal_rolls_to_the_next_anniversary_or_month() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(renewal_date(d("2025-03-01"), Billing::Annual, d("2026-11-24")), d("2027-03-01"));
        assert_eq!(renewal_date(d("2026-03-01"), Billing::Annual, d("2026-11-24")), d("2027-03-01"));
        assert_eq!(renewal_date(d("2024-02-29"), Billing::Annual, d("2024-11-24")), d("2025-02-28"));
        assert_eq!(renewal_date(d("2025-11-24"), Billing::Annual, d("2026-11-24")), d("2027-11-24"));
        assert_eq!(renewal_date(d("2026-01-10"), Billing::Flexible, d("2026-11-24")), d("2026-12-10"));
        assert_eq!(renewal_date(d("2026-01-31"), Billing::Flexible, d("2026-02-03")), d("2026-02-28"));
    }
}
