//! The decide stage: every decision seatmail takes, as pure functions over a snapshot.
//!
//! In: what a mail says ([`Parsed`]), what the store knows of the people and customers it
//! involves ([`Snapshot`], read by the apply stage inside its transaction, with the
//! subscription rows locked) and the [`Context`] (policy, trust, caps, now). Out: a [`Decision`]
//! or a [`resolve::Resolution`] that apply writes without adding to it. Nothing here reads or
//! writes anything, so each rule is tested here, exhaustively and fast (`decide/tests.rs`).
//!
//! - [`request`]: a new mail asking for changes, and ops' correction of one;
//! - [`code`]: a mail carrying a confirmation code: may this sender use it, now;
//! - [`resolve`]: held changes settled by ops (approve, reject) or by the customer's code;
//! - [`policy`]: the seat rules that refuse a change; [`holds`]: why an allowed change waits,
//!   and who may release it;
//! - [`sender`]: who really sent the mail; [`answer`]: whom to answer, with what, and whether;
//! - [`notify`]: what reseller ops are told, when a flood becomes a summary, when the digest is due;
//! - [`vendor`]: what the vendor's answer to a provisioning job means, and what a refusal does to
//!   the request; drift between the store and the vendor.

pub mod answer;
pub mod code;
pub mod drift;
pub mod holds;
pub mod notify;
pub mod policy;
pub mod request;
pub mod resolve;
pub mod sender;
pub mod vendor;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};

use crate::config::{PolicyConfig, TrustConfig};
pub use crate::domain::{AnswerKind, Attention, ItemStatus};
use crate::domain::{domain_of, Billing, Contact, Customer, MessageState, Role, Subscription, SubscriptionStatus};
use crate::parse::{Ask, Catalog, Change, Item, Language};
pub use holds::Releaser;
pub use policy::{Rule, Verdict};
pub use sender::{authenticate, Auth};

/// What the store knows about the people and customers a mail involves.
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    /// Every registration of the sender's address (one per customer).
    pub contacts: Vec<Contact>,
    /// Owner customer of each username domain the mail names.
    pub domain_owners: HashMap<String, String>,
    /// The customers involved: the sender's and those owning named tenants.
    pub customers: HashMap<String, CustomerState>,
}

#[derive(Debug, Clone)]
pub struct CustomerState {
    pub customer: Customer,
    pub subscriptions: Vec<Subscription>,
    pub contacts: Vec<Contact>,
    /// Seats added plus removed for this customer in the last 24 hours.
    pub seats_changed_today: i64,
}

impl CustomerState {
    /// Contacts allowed to buy and return licences.
    pub fn admins(&self) -> impl Iterator<Item = &Contact> {
        self.contacts.iter().filter(|c| c.role.may_change_seats())
    }
}

impl Snapshot {
    /// A subscription of the customers involved, with its customer.
    pub fn subscription(&self, id: &str) -> Option<(&CustomerState, &Subscription)> {
        self.customers.values().find_map(|c| c.subscriptions.iter().find(|s| s.id == id).map(|s| (c, s)))
    }
}

pub struct Context<'a> {
    pub policy: &'a PolicyConfig,
    pub trust: &'a TrustConfig,
    pub catalog: &'a Catalog,
    /// Addresses that are ours: mail from them is never answered.
    pub own_addresses: &'a [String],
    pub default_language: Language,
    /// The zone of answers' times for customers without their own.
    pub default_time_zone: chrono_tz::Tz,
    pub now: DateTime<Utc>,
    /// What marks a Message-ID as ours (`.seatmail@domain`).
    pub own_id_marker: &'a str,
    /// Automatic answers sent to the sender in the last 24 hours, and the cap.
    pub answers_today: i64,
    pub answer_cap: i64,
    /// Most automatic answers in one thread.
    pub thread_cap: i64,
}

impl Context<'_> {
    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }

    fn limits_for(&self, product: &str) -> policy::Limits {
        policy::Limits {
            cancellation_window_days: self.policy.cancellation_window_days,
            max_per_request: self.policy.max_per_request,
            product_max: self.product_max(product),
        }
    }

    fn product_max(&self, product: &str) -> Option<i64> {
        policy::product_max(self.policy, self.catalog, product)
    }

    pub fn is_own_id(&self, id: &str) -> bool {
        id.ends_with(self.own_id_marker)
    }
}

crate::domain::word_enum!(
    /// When an applied change shows on the bill.
    Effective { NextBill = "next_bill", Immediately = "immediately" }
);

/// What the answer says about an item's subscription and the limits its rule applied: decided
/// here, so that the answer repeats it and never works it out again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub assigned: i64,
    pub billing: Billing,
    pub status: SubscriptionStatus,
    /// The next renewal of an annual plan (when seats may be returned again).
    pub renewal_date: Option<NaiveDate>,
    pub window_days: i64,
    pub threshold: i64,
    /// The cap the rule names: the per-request or daily maximum, else the product's.
    pub max: Option<i64>,
    pub effective: Option<Effective>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemDecision {
    pub position: usize,
    pub username: Option<String>,
    pub product: Option<String>,
    pub change: Change,
    pub customer_id: Option<String>,
    pub subscription_id: Option<String>,
    pub status: ItemStatus,
    pub rule: Rule,
    pub old_quantity: Option<i64>,
    pub new_quantity: Option<i64>,
    /// The sender's role at the item's customer (a refusal names it).
    pub role: Option<Role>,
    pub terms: Option<Terms>,
    /// The vendor's own words, when it refused the change (`[vendor]`).
    pub vendor_reason: Option<String>,
}

impl ItemDecision {
    fn new(position: usize, username: Option<String>, product: Option<String>, change: Change) -> ItemDecision {
        ItemDecision {
            position,
            username,
            product,
            change,
            customer_id: None,
            subscription_id: None,
            status: ItemStatus::Rejected,
            rule: Rule::NoSubscription,
            old_quantity: None,
            new_quantity: None,
            role: None,
            terms: None,
            vendor_reason: None,
        }
    }

    fn settle(&mut self, status: ItemStatus, rule: Rule, new_quantity: Option<i64>) {
        self.status = status;
        self.rule = rule;
        self.new_quantity = new_quantity;
    }

    /// Fill in the terms the answer shows, once status and rule are final.
    fn with_terms(&mut self, sub: &Subscription, ctx: &Context<'_>) {
        let max = match self.rule {
            Rule::RequestMaximum => Some(ctx.policy.max_per_request),
            Rule::DailyLimit => Some(ctx.policy.max_seats_per_day),
            _ => ctx.product_max(&sub.product),
        };
        let effective = match self.rule {
            Rule::Decrease | Rule::DecreaseInWindow => Some(Effective::NextBill),
            _ if self.status == ItemStatus::Applied => Some(Effective::Immediately),
            _ => None,
        };
        self.terms = Some(Terms {
            assigned: sub.assigned,
            billing: sub.billing,
            status: sub.status,
            renewal_date: (sub.billing == Billing::Annual).then(|| policy::renewal_date(sub.term_start, sub.billing, ctx.today())),
            window_days: ctx.policy.cancellation_window_days,
            threshold: ctx.policy.approval_threshold,
            max,
            effective,
        });
    }

    /// Who may release this item now (nobody unless it is pending).
    pub fn waits_for(&self, releaser: Releaser) -> bool {
        self.status == ItemStatus::Pending && releaser.may_release(self.rule)
    }
}

/// Whom to answer, how and in which language. Recipients are registered contacts only: never
/// a Reply-To, never an unregistered or unauthenticated sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerPlan {
    pub kind: AnswerKind,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub language: Language,
    /// The zone the answer gives times in (the customer's mail, a code's expiry).
    pub time_zone: chrono_tz::Tz,
    pub ask: Option<Ask>,
    /// The people of the customer who may ask for changes (a refusal names them).
    pub admins: Vec<Contact>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub state: MessageState,
    pub reason: String,
    pub customer_id: Option<String>,
    pub items: Vec<ItemDecision>,
    pub answer: Option<AnswerPlan>,
    /// Why a rejected mail waits in the ops queue until a person has seen it.
    pub attention: Option<Attention>,
    /// A one-time confirmation code goes with the answer, valid until then.
    pub code_expires: Option<DateTime<Utc>>,
}

impl Decision {
    fn silent(state: MessageState, reason: impl Into<String>) -> Decision {
        Decision {
            state,
            reason: reason.into(),
            customer_id: None,
            items: Vec::new(),
            answer: None,
            attention: None,
            code_expires: None,
        }
    }

    /// Something waits for reseller ops (the approvals queue).
    pub fn waits_for_ops(&self) -> bool {
        self.items.iter().any(|i| i.waits_for(Releaser::Ops))
    }

    /// Something waits for the customer's confirmation code.
    pub fn waits_for_customer(&self) -> bool {
        self.items.iter().any(|i| i.waits_for(Releaser::Customer))
    }
}

/// The state a mail's items add up to, and the answer that reports them.
fn outcome_of(items: &[ItemDecision]) -> (MessageState, AnswerKind) {
    let any = |s: ItemStatus| items.iter().any(|i| i.status == s);
    if items.iter().any(|i| i.waits_for(Releaser::Customer)) {
        (MessageState::AwaitingApproval, AnswerKind::Confirm)
    } else if any(ItemStatus::Pending) {
        (MessageState::AwaitingApproval, AnswerKind::Pending)
    } else if any(ItemStatus::Applied) {
        (MessageState::Applied, AnswerKind::Confirmation)
    } else {
        (MessageState::Rejected, AnswerKind::Rejection)
    }
}

/// Domains of the usernames the items name: the store loads their owners.
pub fn username_domains(items: &[Item]) -> Vec<String> {
    let set: BTreeSet<String> = items.iter().filter_map(|i| i.username.as_deref()).filter_map(domain_of).collect();
    set.into_iter().collect()
}

/// One line per item for the store's reason and the queue.
pub fn describe_item(i: &ItemDecision) -> String {
    let what = i.subscription_id.as_deref().or(i.product.as_deref()).or(i.username.as_deref()).unwrap_or("request");
    let change = match i.change {
        Change::Delta(d) => format!("{d:+}"),
        Change::Target(t) => format!("to {t}"),
    };
    match (i.old_quantity, i.new_quantity, i.status) {
        (Some(old), Some(new), ItemStatus::Applied | ItemStatus::Pending) => {
            format!("{what} {change} ({old} -> {new}) {}: {}", i.status, why(i.rule, new - old))
        }
        _ => format!("{what} {change} {}: {}", i.status, i.rule.describe()),
    }
}

/// The rule's line; a cautious hold names the kind of change it holds, which ops switch off
/// one kind at a time.
fn why(rule: Rule, diff: i64) -> String {
    let kind = if diff > 0 { "increase" } else { "decrease" };
    match rule {
        Rule::CautiousOps => format!("cautious mode: every {kind} waits for reseller ops"),
        Rule::CautiousCustomer => format!("cautious mode: every {kind} waits for the customer's confirmation code"),
        _ => rule.describe().to_string(),
    }
}

fn describe_items(items: &[ItemDecision]) -> String {
    items.iter().map(describe_item).collect::<Vec<_>>().join("; ")
}

/// One change to one subscription (whose quantity is what earlier changes left): the seat
/// rules, then the holds `releasing` has not lifted. `spent`: seats this same decision changed
/// already for the customer, which the daily limit counts with the day's earlier changes.
fn judge(item: &mut ItemDecision, sub: &Subscription, customer: &CustomerState, spent: i64, releasing: Option<Releaser>, ctx: &Context<'_>) {
    item.old_quantity = Some(sub.quantity);
    match policy::evaluate(sub, item.change, &ctx.limits_for(&sub.product), ctx.today()) {
        Verdict::Reject { rule, .. } => item.settle(ItemStatus::Rejected, rule, None),
        Verdict::Apply { rule, new_quantity } => {
            let proposal = holds::Proposal {
                customer_id: &customer.customer.id,
                diff: new_quantity - sub.quantity,
                allowance: ctx.policy.max_seats_per_day - customer.seats_changed_today - spent,
            };
            match holds::first(&proposal, ctx.policy, releasing) {
                Some(hold) => item.settle(ItemStatus::Pending, hold, Some(new_quantity)),
                None => item.settle(ItemStatus::Applied, rule, Some(new_quantity)),
            }
        }
    }
}

/// Quantities as earlier items of one decision left them, and the seats each customer's
/// applied items changed (for the daily limit).
#[derive(Default)]
struct Working {
    quantities: HashMap<String, i64>,
    spent: HashMap<String, i64>,
}

impl Working {
    /// `sub` as the earlier items left it.
    fn current(&self, sub: &Subscription) -> Subscription {
        let mut current = sub.clone();
        if let Some(q) = self.quantities.get(&sub.id) {
            current.quantity = *q;
        }
        current
    }

    fn spent(&self, customer_id: &str) -> i64 {
        self.spent.get(customer_id).copied().unwrap_or(0)
    }

    fn record(&mut self, item: &ItemDecision, customer_id: &str) {
        if let (ItemStatus::Applied, Some(sub), Some(old), Some(new)) =
            (item.status, &item.subscription_id, item.old_quantity, item.new_quantity)
        {
            self.quantities.insert(sub.clone(), new);
            *self.spent.entry(customer_id.to_string()).or_default() += (new - old).abs();
        }
    }
}
