//! The seat rules of the seeds, one named [`Rule`] each: the rule's name is what the answer
//! explains and what the ledger records.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::domain::{Billing, Subscription, SubscriptionStatus};
use crate::parse::Change;

/// Every reason an item can end with. The names are stable: templates, the ledger and the
/// JSON output use them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    Increase,
    Decrease,
    DecreaseInWindow,
    NoChange,
    BelowAssigned,
    AnnualCommitment,
    InactiveSubscription,
    ProductMaximum,
    RequestMaximum,
    ApprovalThreshold,
    NoSubscription,
    ProductRequired,
    ForeignTenant,
    UnknownTenant,
    RoleNotAllowed,
    OutOfScope,
    OpsRejected,
    OpsApproved,
    DailyLimit,
    ConfirmationRequired,
    CustomerConfirmed,
    CodeUnknown,
    CodeExpired,
    CodeUsed,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Increase => "increase",
            Rule::Decrease => "decrease",
            Rule::DecreaseInWindow => "decrease_in_window",
            Rule::NoChange => "no_change",
            Rule::BelowAssigned => "below_assigned",
            Rule::AnnualCommitment => "annual_commitment",
            Rule::InactiveSubscription => "inactive_subscription",
            Rule::ProductMaximum => "product_maximum",
            Rule::RequestMaximum => "request_maximum",
            Rule::ApprovalThreshold => "approval_threshold",
            Rule::NoSubscription => "no_subscription",
            Rule::ProductRequired => "product_required",
            Rule::ForeignTenant => "foreign_tenant",
            Rule::UnknownTenant => "unknown_tenant",
            Rule::RoleNotAllowed => "role_not_allowed",
            Rule::OutOfScope => "out_of_scope",
            Rule::OpsRejected => "ops_rejected",
            Rule::OpsApproved => "ops_approved",
            Rule::DailyLimit => "daily_limit",
            Rule::ConfirmationRequired => "confirmation_required",
            Rule::CustomerConfirmed => "customer_confirmed",
            Rule::CodeUnknown => "code_unknown",
            Rule::CodeExpired => "code_expired",
            Rule::CodeUsed => "code_used",
        }
    }

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
        }
    }
}

/// Limits that come from configuration.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub cancellation_window_days: i64,
    pub approval_threshold: i64,
    pub max_per_request: i64,
    /// Seat maximum of the subscription's product, if any.
    pub product_max: Option<i64>,
    /// Seats the customer may still change today before ops must look.
    pub daily_allowance: i64,
}

/// What the rules say about one change to one subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Apply { rule: Rule, new_quantity: i64 },
    Hold { rule: Rule, new_quantity: i64 },
    Reject { rule: Rule, new_quantity: i64 },
}

impl Verdict {
    pub fn rule(&self) -> Rule {
        match self {
            Verdict::Apply { rule, .. } | Verdict::Hold { rule, .. } | Verdict::Reject { rule, .. } => *rule,
        }
    }
}

/// The date until which an annual subscription may still be decreased.
pub fn window_end(term_start: NaiveDate, window_days: i64) -> NaiveDate {
    term_start + Duration::days(window_days)
}

/// The next renewal date on or after `today` of a term that started on `term_start`.
pub fn renewal_date(term_start: NaiveDate, today: NaiveDate) -> NaiveDate {
    let mut years = 1;
    loop {
        let candidate = add_years(term_start, years);
        if candidate > today || years > 200 {
            return candidate;
        }
        years += 1;
    }
}

fn add_years(d: NaiveDate, years: i32) -> NaiveDate {
    let y = d.year() + years;
    // 29 February renews on 28 February in common years.
    NaiveDate::from_ymd_opt(y, d.month(), d.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, d.month(), 28))
        .unwrap_or(d)
}

/// Evaluate `change` against `sub`. `approved` skips the approval threshold (ops decided).
pub fn evaluate(sub: &Subscription, change: Change, limits: &Limits, today: NaiveDate, approved: bool) -> Verdict {
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
        if diff > limits.approval_threshold && !approved {
            return Verdict::Hold { rule: Rule::ApprovalThreshold, new_quantity };
        }
        if diff > limits.daily_allowance && !approved {
            return Verdict::Hold { rule: Rule::DailyLimit, new_quantity };
        }
        let rule = if approved { Rule::OpsApproved } else { Rule::Increase };
        return Verdict::Apply { rule, new_quantity };
    }
    // A decrease: never below the seats in use (the help page: unassign first).
    if new_quantity < sub.assigned || new_quantity < 0 {
        return Verdict::Reject { rule: Rule::BelowAssigned, new_quantity };
    }
    if -diff > limits.daily_allowance && !approved {
        return Verdict::Hold { rule: Rule::DailyLimit, new_quantity };
    }
    match sub.billing {
        Billing::Flexible => Verdict::Apply { rule: Rule::Decrease, new_quantity },
        Billing::Annual if today <= window_end(sub.term_start, limits.cancellation_window_days) => {
            Verdict::Apply { rule: Rule::DecreaseInWindow, new_quantity }
        }
        Billing::Annual => Verdict::Reject { rule: Rule::AnnualCommitment, new_quantity },
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

    const LIMITS: Limits = Limits {
        cancellation_window_days: 7,
        approval_threshold: 20,
        max_per_request: 100,
        product_max: Some(300),
        daily_allowance: 50,
    };

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
            (Change::Delta(21), Verdict::Hold { rule: Rule::ApprovalThreshold, new_quantity: 31 }),
            (Change::Delta(101), Verdict::Reject { rule: Rule::RequestMaximum, new_quantity: 111 }),
            (Change::Target(-1), Verdict::Reject { rule: Rule::BelowAssigned, new_quantity: -1 }),
        ];
        for (change, want) in cases {
            assert_eq!(evaluate(&flex, change, &LIMITS, today(), false), want, "{change:?}");
        }
        let big = sub(295, 0, Billing::Flexible, "2026-01-10");
        assert_eq!(evaluate(&big, Change::Delta(10), &LIMITS, today(), false).rule(), Rule::ProductMaximum);
        let mut suspended = flex.clone();
        suspended.status = SubscriptionStatus::Suspended;
        assert_eq!(evaluate(&suspended, Change::Delta(1), &LIMITS, today(), false).rule(), Rule::InactiveSubscription);
        assert_eq!(evaluate(&flex, Change::Delta(21), &LIMITS, today(), true).rule(), Rule::OpsApproved);
        let spent = Limits { daily_allowance: 2, ..LIMITS };
        assert_eq!(evaluate(&flex, Change::Delta(3), &spent, today(), false).rule(), Rule::DailyLimit);
        assert_eq!(evaluate(&flex, Change::Delta(-3), &spent, today(), false).rule(), Rule::DailyLimit);
        assert_eq!(evaluate(&flex, Change::Delta(2), &spent, today(), false).rule(), Rule::Increase);
    }

    #[test]
    fn annual_decreases_only_inside_the_window() {
        let inside = sub(10, 2, Billing::Annual, "2026-11-17");
        assert_eq!(evaluate(&inside, Change::Delta(-1), &LIMITS, today(), false).rule(), Rule::DecreaseInWindow);
        let outside = sub(10, 2, Billing::Annual, "2026-11-16");
        assert_eq!(evaluate(&outside, Change::Delta(-1), &LIMITS, today(), false).rule(), Rule::AnnualCommitment);
        assert_eq!(evaluate(&outside, Change::Delta(1), &LIMITS, today(), false).rule(), Rule::Increase);
    }

    #[test]
    fn renewal_rolls_to_the_next_anniversary() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(renewal_date(d("2025-03-01"), d("2026-11-24")), d("2027-03-01"));
        assert_eq!(renewal_date(d("2026-03-01"), d("2026-11-24")), d("2027-03-01"));
        assert_eq!(renewal_date(d("2024-02-29"), d("2024-11-24")), d("2025-02-28"));
    }
}
