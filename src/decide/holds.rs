//! Why a change the seat rules allow still waits, and who may let it through.
//!
//! A hold does not refuse a change: it parks it until ops approve it (a large increase, a busy
//! day) or the customer's admin confirms it with a one-time code. Each hold is one entry of
//! [`HOLDS`], checked in order once [`super::policy::evaluate`] has allowed the change; another
//! reason to hold is one more entry, with the people who may release it (the cautious mode of
//! `[policy.cautious]` is two: one for ops, one for the customer's code).

use crate::config::{Cautious, ConfirmMode, PolicyConfig};

use super::Rule;

/// Who may release a held change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Releaser {
    /// Reseller ops, in the queue. Their decision is final: it lifts every hold.
    Ops,
    /// The customer's admin, with the code of the `confirm` answer.
    Customer,
}

/// An allowed change, as the holds see it.
#[derive(Debug, Clone, Copy)]
pub struct Proposal<'a> {
    pub customer_id: &'a str,
    /// New quantity minus old; never 0 (a change to the same number is never held).
    pub diff: i64,
    /// Seats the customer may still change today (added plus removed) before ops must look.
    pub allowance: i64,
}

pub struct Hold {
    pub rule: Rule,
    pub released_by: &'static [Releaser],
    applies: fn(&Proposal<'_>, &PolicyConfig) -> bool,
}

/// Every hold, in the order they are checked: the first that applies names the wait.
pub const HOLDS: &[Hold] = &[
    Hold { rule: Rule::ApprovalThreshold, released_by: &[Releaser::Ops], applies: |p, c| p.diff > c.approval_threshold },
    Hold { rule: Rule::DailyLimit, released_by: &[Releaser::Ops], applies: |p, _| p.diff.abs() > p.allowance },
    // The cautious mode: seatmail's reading of this kind of change is not trusted alone yet.
    Hold { rule: Rule::CautiousOps, released_by: &[Releaser::Ops], applies: |p, c| c.cautious.for_change(p.diff) == Cautious::Ops },
    Hold {
        rule: Rule::ConfirmationRequired,
        released_by: &[Releaser::Customer],
        applies: |p, c| match c.confirm.get(p.customer_id).copied().unwrap_or(c.confirm_default) {
            ConfirmMode::None => false,
            ConfirmMode::Decreases => p.diff < 0,
            ConfirmMode::All => true,
        },
    },
    // After the customer's own confirmation rule, so that a customer who confirms everything
    // anyway reads the answer it always had.
    Hold {
        rule: Rule::CautiousCustomer,
        released_by: &[Releaser::Customer],
        applies: |p, c| c.cautious.for_change(p.diff) == Cautious::Customer,
    },
];

/// The hold `p` waits for, once `releasing` (if anyone) has released what they may.
pub fn first(p: &Proposal<'_>, policy: &PolicyConfig, releasing: Option<Releaser>) -> Option<Rule> {
    if p.diff == 0 {
        return None;
    }
    HOLDS
        .iter()
        .filter(|h| !releasing.is_some_and(|r| r.lifts(h)))
        .find(|h| (h.applies)(p, policy))
        .map(|h| h.rule)
}

/// Who may release an item held under `rule` (nobody: `rule` is no hold).
pub fn released_by(rule: Rule) -> &'static [Releaser] {
    HOLDS.iter().find(|h| h.rule == rule).map(|h| h.released_by).unwrap_or(&[])
}

impl Releaser {
    fn lifts(self, hold: &Hold) -> bool {
        self == Releaser::Ops || hold.released_by.contains(&self)
    }

    /// May this releaser act on an item held under `rule`?
    pub fn may_release(self, rule: Rule) -> bool {
        released_by(rule).contains(&self)
    }
}
