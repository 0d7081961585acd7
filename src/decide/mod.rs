//! The decide stage: who sent the mail, which subscriptions it touches and what the rules allow.
//!
//! Pure: a [`Parsed`] mail, a [`Snapshot`] of the customers involved (read by the apply stage
//! inside its transaction, with the subscription rows locked) and the [`Context`] (policy, trust,
//! today) in; a [`Decision`] out. Every rule lives in [`policy`] or [`sender`] and nowhere else.

pub mod policy;
pub mod sender;

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;

use crate::config::{ConfirmMode, PolicyConfig, TrustConfig};
use crate::domain::{domain_of, Contact, Customer, MessageState, Subscription, SubscriptionStatus};
use crate::parse::{Ask, Catalog, Change, Language, Outcome, Parsed};
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

pub struct Context<'a> {
    pub policy: &'a PolicyConfig,
    pub trust: &'a TrustConfig,
    pub catalog: &'a Catalog,
    /// Addresses that are ours: mail from them is never answered.
    pub own_addresses: &'a [String],
    pub default_language: Language,
    pub today: NaiveDate,
    /// What marks a Message-ID as ours (`.seatmail@domain`).
    pub own_id_marker: &'a str,
    /// Automatic answers sent to the sender in the last 24 hours, and the cap.
    pub answers_today: i64,
    pub answer_cap: i64,
    /// Most automatic answers in one thread.
    pub thread_cap: i64,
}

impl Context<'_> {
    pub fn limits_for(&self, product: &str, daily_allowance: i64) -> policy::Limits {
        policy::Limits {
            cancellation_window_days: self.policy.cancellation_window_days,
            approval_threshold: self.policy.approval_threshold,
            max_per_request: self.policy.max_per_request,
            product_max: self
                .policy
                .product_max
                .get(product)
                .copied()
                .or_else(|| self.catalog.get(product).and_then(|p| p.max_seats)),
            daily_allowance,
        }
    }

    /// Must this change wait for the customer's admin to confirm it with a code?
    pub fn needs_confirmation(&self, customer_id: &str, diff: i64) -> bool {
        match self.policy.confirm.get(customer_id).copied().unwrap_or(self.policy.confirm_default) {
            ConfirmMode::None => false,
            ConfirmMode::Decreases => diff < 0,
            ConfirmMode::All => diff != 0,
        }
    }

    pub fn is_own_id(&self, id: &str) -> bool {
        id.ends_with(self.own_id_marker)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemStatus {
    Applied,
    Rejected,
    Pending,
    /// Not decided: the mail is answered with a question instead.
    Clarify,
}

impl ItemStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Applied => "applied",
            ItemStatus::Rejected => "rejected",
            ItemStatus::Pending => "pending",
            ItemStatus::Clarify => "clarify",
        }
    }
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerKind {
    Confirmation,
    Rejection,
    Clarification,
    Pending,
    /// Asks the customer's admin to confirm with a one-time code.
    Confirm,
}

impl AnswerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerKind::Confirmation => "confirmation",
            AnswerKind::Rejection => "rejection",
            AnswerKind::Clarification => "clarification",
            AnswerKind::Pending => "pending",
            AnswerKind::Confirm => "confirm",
        }
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
    pub ask: Option<Ask>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub state: MessageState,
    pub reason: String,
    pub customer_id: Option<String>,
    pub items: Vec<ItemDecision>,
    pub answer: Option<AnswerPlan>,
}

impl Decision {
    fn silent(state: MessageState, reason: impl Into<String>) -> Decision {
        Decision { state, reason: reason.into(), customer_id: None, items: Vec::new(), answer: None }
    }
}

/// Domains of the usernames a parsed mail names: the store loads their owners.
pub fn username_domains(parsed: &Parsed) -> Vec<String> {
    let set: BTreeSet<String> = parsed.items.iter().filter_map(|i| i.username.as_deref()).filter_map(domain_of).collect();
    set.into_iter().collect()
}

pub fn decide(parsed: &Parsed, snap: &Snapshot, ctx: &Context) -> Decision {
    let mut d = decide_inner(parsed, snap, ctx);
    if d.answer.is_some() {
        let thread = parsed.meta.references.iter().chain(&parsed.meta.in_reply_to).filter(|r| ctx.is_own_id(r)).count() as i64;
        if ctx.answers_today >= ctx.answer_cap {
            d.answer = None;
            d.reason = format!("{} (not answered: {} answers to this sender in 24 hours)", d.reason, ctx.answers_today);
        } else if thread >= ctx.thread_cap {
            d.answer = None;
            d.reason = format!("{} (not answered: {thread} automatic answers in this thread already)", d.reason);
        }
    }
    d
}

fn decide_inner(parsed: &Parsed, snap: &Snapshot, ctx: &Context) -> Decision {
    let meta = &parsed.meta;
    if parsed.message_id.as_deref().is_some_and(|id| ctx.is_own_id(id)) {
        return Decision::silent(MessageState::Ignored, "our own mail came back (loop)");
    }
    match parsed.outcome {
        Outcome::AutoReply | Outcome::Bounce => {
            return Decision::silent(MessageState::Ignored, format!("{} (never answered)", parsed.reason))
        }
        _ => {}
    }
    let Some(from) = parsed.from.as_deref() else {
        return Decision::silent(MessageState::Rejected, "no From address");
    };
    if ctx.own_addresses.iter().any(|a| a.eq_ignore_ascii_case(from)) {
        return Decision::silent(MessageState::Ignored, "our own mail came back (loop)");
    }
    if let Some(list) = &meta.list_id {
        return Decision::silent(MessageState::Ignored, format!("mailing list mail ({list}): never answered"));
    }
    if let Some(p) = meta.precedence.as_deref().map(str::to_ascii_lowercase) {
        if ["bulk", "list", "junk"].contains(&p.trim()) {
            return Decision::silent(MessageState::Ignored, format!("Precedence: {p}: never answered"));
        }
    }
    if snap.contacts.is_empty() {
        return Decision::silent(
            MessageState::Rejected,
            format!("unknown sender {from}: not a registered contact (no answer, to avoid backscatter)"),
        );
    }
    if let Auth::Fail(why) = authenticate(meta, ctx.trust) {
        return Decision::silent(MessageState::Rejected, format!("sender not authenticated: {why} (no answer)"));
    }
    let sender_customers: Vec<&str> = snap.contacts.iter().map(|c| c.customer_id.as_str()).collect();
    let single_customer = match sender_customers.as_slice() {
        [one] => Some(one.to_string()),
        _ => None,
    };
    let language_for = |customer: Option<&str>| {
        parsed
            .language
            .or_else(|| customer.and_then(|c| snap.customers.get(c)).map(|s| s.customer.language))
            .unwrap_or(ctx.default_language)
    };
    match parsed.outcome {
        Outcome::NotARequest => {
            return Decision {
                state: MessageState::NeedsReview,
                reason: format!("not a seat request, for a person to answer: {}", parsed.reason),
                customer_id: single_customer,
                items: Vec::new(),
                answer: None,
            }
        }
        Outcome::Ambiguous => {
            return Decision {
                state: MessageState::NeedsReview,
                reason: format!("unclear request, asked the customer: {}", parsed.reason),
                answer: Some(AnswerPlan {
                    kind: AnswerKind::Clarification,
                    to: vec![from.to_string()],
                    cc: Vec::new(),
                    language: language_for(single_customer.as_deref()),
                    ask: Some(parsed.ask.unwrap_or(Ask::Quantity)),
                }),
                customer_id: single_customer,
                items: Vec::new(),
            }
        }
        _ => {}
    }
    if parsed.items.is_empty() {
        return Decision {
            state: MessageState::NeedsReview,
            reason: "request without items".into(),
            customer_id: single_customer,
            items: Vec::new(),
            answer: None,
        };
    }

    // Quantities as they will be after the earlier items of this same mail, and the seats this
    // mail has changed per customer so far (for the daily limit).
    let mut working: HashMap<String, i64> = HashMap::new();
    let mut spent: HashMap<String, i64> = HashMap::new();
    let mut items = Vec::with_capacity(parsed.items.len());
    let mut ask = None;
    for (position, item) in parsed.items.iter().enumerate() {
        let mut d = ItemDecision {
            position,
            username: item.username.clone(),
            product: item.product.clone(),
            change: item.change,
            customer_id: None,
            subscription_id: None,
            status: ItemStatus::Rejected,
            rule: Rule::NoSubscription,
            old_quantity: None,
            new_quantity: None,
        };
        let customer_id = match item.username.as_deref().and_then(domain_of) {
            Some(domain) => match snap.domain_owners.get(&domain) {
                None => {
                    d.rule = Rule::UnknownTenant;
                    items.push(d);
                    continue;
                }
                Some(owner) if !sender_customers.contains(&owner.as_str()) => {
                    d.rule = Rule::ForeignTenant;
                    items.push(d);
                    continue;
                }
                Some(owner) => owner.clone(),
            },
            None => match &single_customer {
                Some(c) => c.clone(),
                None => {
                    d.status = ItemStatus::Clarify;
                    d.rule = Rule::ProductRequired;
                    ask.get_or_insert(Ask::Username);
                    items.push(d);
                    continue;
                }
            },
        };
        d.customer_id = Some(customer_id.clone());
        let (Some(state), Some(contact)) = (
            snap.customers.get(&customer_id),
            snap.contacts.iter().find(|c| c.customer_id == customer_id),
        ) else {
            d.rule = Rule::ForeignTenant;
            items.push(d);
            continue;
        };
        if !contact.role.may_change_seats() {
            d.rule = Rule::RoleNotAllowed;
            items.push(d);
            continue;
        }
        let sub = match &item.product {
            Some(p) => {
                let mut candidates: Vec<&Subscription> = state.subscriptions.iter().filter(|s| s.product == *p).collect();
                candidates.sort_by_key(|s| s.status != SubscriptionStatus::Active);
                candidates.first().copied()
            }
            None => match state.subscriptions.as_slice() {
                [one] => Some(one),
                [] => None,
                _ => {
                    d.status = ItemStatus::Clarify;
                    d.rule = Rule::ProductRequired;
                    ask.get_or_insert(Ask::Product);
                    items.push(d);
                    continue;
                }
            },
        };
        let Some(sub) = sub else {
            d.rule = Rule::NoSubscription;
            items.push(d);
            continue;
        };
        d.subscription_id = Some(sub.id.clone());
        d.product = Some(sub.product.clone());
        if !contact.may_touch(&sub.id) {
            d.rule = Rule::OutOfScope;
            items.push(d);
            continue;
        }
        let mut current = sub.clone();
        if let Some(q) = working.get(&sub.id) {
            current.quantity = *q;
        }
        d.old_quantity = Some(current.quantity);
        let allowance = ctx.policy.max_seats_per_day - state.seats_changed_today - spent.get(&customer_id).copied().unwrap_or(0);
        let verdict = policy::evaluate(&current, item.change, &ctx.limits_for(&sub.product, allowance), ctx.today, false);
        d.rule = verdict.rule();
        match verdict {
            Verdict::Apply { new_quantity, .. } if ctx.needs_confirmation(&customer_id, new_quantity - current.quantity) => {
                d.status = ItemStatus::Pending;
                d.rule = Rule::ConfirmationRequired;
                d.new_quantity = Some(new_quantity);
            }
            Verdict::Apply { new_quantity, .. } => {
                d.status = ItemStatus::Applied;
                d.new_quantity = Some(new_quantity);
                working.insert(sub.id.clone(), new_quantity);
                *spent.entry(customer_id.clone()).or_default() += (new_quantity - current.quantity).abs();
            }
            Verdict::Hold { new_quantity, .. } => {
                d.status = ItemStatus::Pending;
                d.new_quantity = Some(new_quantity);
            }
            Verdict::Reject { .. } => d.status = ItemStatus::Rejected,
        }
        items.push(d);
    }

    let customer_id = items.iter().find_map(|i| i.customer_id.clone()).or(single_customer);
    // The people who hear about it: the sender and the admins of every customer involved.
    let mut cc: Vec<String> = Vec::new();
    for c in items.iter().filter_map(|i| i.customer_id.as_deref()).collect::<BTreeSet<_>>() {
        if let Some(state) = snap.customers.get(c) {
            for a in state.admins() {
                if a.email != from && !cc.contains(&a.email) {
                    cc.push(a.email.clone());
                }
            }
        }
    }
    let language = language_for(customer_id.as_deref());
    if let Some(ask) = ask {
        // Never apply half a mail we had to ask about: the answer would confuse more than help.
        for i in &mut items {
            if i.status != ItemStatus::Clarify {
                i.status = ItemStatus::Clarify;
            }
            i.new_quantity = None;
        }
        return Decision {
            state: MessageState::NeedsReview,
            reason: format!("unclear request, asked the customer for the {}", ask.as_str()),
            customer_id,
            items,
            answer: Some(AnswerPlan {
                kind: AnswerKind::Clarification,
                to: vec![from.to_string()],
                cc: Vec::new(),
                language,
                ask: Some(ask),
            }),
        };
    }
    let any = |s: ItemStatus| items.iter().any(|i| i.status == s);
    let needs_code = items.iter().any(|i| i.status == ItemStatus::Pending && i.rule == Rule::ConfirmationRequired);
    let (state, kind) = if needs_code {
        (MessageState::AwaitingApproval, AnswerKind::Confirm)
    } else if any(ItemStatus::Pending) {
        (MessageState::AwaitingApproval, AnswerKind::Pending)
    } else if any(ItemStatus::Applied) {
        (MessageState::Applied, AnswerKind::Confirmation)
    } else {
        (MessageState::Rejected, AnswerKind::Rejection)
    };
    let reason = items.iter().map(describe_item).collect::<Vec<_>>().join("; ");
    let flagged = items.iter().any(|i| matches!(i.rule, Rule::ForeignTenant | Rule::UnknownTenant));
    Decision {
        state,
        reason: if flagged { format!("FLAGGED: {reason}") } else { reason },
        customer_id,
        answer: Some(AnswerPlan { kind, to: vec![from.to_string()], cc, language, ask: None }),
        items,
    }
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
            format!("{what} {change} ({old} -> {new}) {}: {}", i.status.as_str(), i.rule.describe())
        }
        _ => format!("{what} {change} {}: {}", i.status.as_str(), i.rule.describe()),
    }
}
