//! A new mail: is it for us at all, may its sender change anything, and what becomes of each
//! change it asks for. Ops' correction of a mail that needed review is decided here too, as the
//! request ops say it makes.

use crate::config::{CautiousConfig, PolicyConfig};
use crate::domain::{domain_of, Attention, Contact, MessageState, Subscription, SubscriptionStatus};
use crate::parse::{Ask, Change, Item, Outcome, Parsed};

use super::{answer, describe_items, judge, outcome_of, AnswerKind, AnswerPlan, Context, Decision, ItemDecision};
use super::{ItemStatus, Rule, Snapshot, Working};

/// The decision on a request mail.
pub fn decide(parsed: &Parsed, snap: &Snapshot, ctx: &Context<'_>) -> Decision {
    let mut d = match screen(parsed, &snap.contacts, ctx) {
        Err(stop) => *stop,
        Ok(from) => understood(parsed, from, snap, ctx),
    };
    answer::cap(&mut d.answer, &mut d.reason, parsed, ctx);
    // The code travels in the answer: without one (capped, or no customer), none is issued.
    if d.customer_id.is_some() && d.answer.as_ref().is_some_and(|a| a.kind == AnswerKind::Confirm) {
        d.code_expires = Some(ctx.now + chrono::Duration::hours(ctx.policy.confirm_code_ttl_hours));
    }
    d
}

/// A mail the parser could not read: for a person.
pub fn unreadable(why: &str) -> Decision {
    Decision::silent(MessageState::NeedsReview, why)
}

/// Ops say what a queued mail asks for (a held request read wrongly, a mail needing review): it
/// is decided afresh with those items, under every rule, hold and sender check the mail itself
/// met (but the cautious mode: a person has read it), and answered like any request.
pub fn correct(
    held: &super::resolve::Held,
    parsed: &Parsed,
    items: Vec<Item>,
    actor: &str,
    snap: &Snapshot,
    ctx: &Context<'_>,
) -> Result<Decision, String> {
    if !super::resolve::may_correct(held.state, held.attention, held.reviewed) {
        return Err(match held.attention {
            Some(a @ (Attention::UnknownSender | Attention::Unauthenticated)) if !held.reviewed => format!(
                "message {} is from an {} sender: no correction makes it a request we may apply. Register the contact \
                 and ask them to write again, or mark it as seen",
                held.id,
                if a == Attention::UnknownSender { "unknown" } else { "unauthenticated" }
            ),
            _ => format!("message {} is {} already: only a request in the queue is corrected", held.id, held.state),
        });
    }
    if items.is_empty() {
        return Err("a correction needs at least one item".into());
    }
    if items.iter().any(|i| matches!(i.change, Change::Delta(0)) || matches!(i.change, Change::Target(t) if t < 0)) {
        return Err("a change is a non-zero delta or a total of at least 0".into());
    }
    let mut corrected = parsed.clone();
    corrected.outcome = Outcome::Request;
    corrected.items = items;
    corrected.ask = None;
    // A person has just said what the mail asks: the cautious mode, which waits for exactly
    // that, is met. Every other hold still applies.
    let policy = PolicyConfig { cautious: CautiousConfig::default(), ..ctx.policy.clone() };
    let ctx = &Context { policy: &policy, ..*ctx };
    let mut d = decide(&corrected, snap, ctx);
    d.reason = format!("corrected by {actor}: {}", d.reason);
    Ok(d)
}

/// Only mail from a registered, authenticated sender goes further; the sender's address when
/// it does, else the decision that stops it here.
pub(super) fn screen<'p>(parsed: &'p Parsed, contacts: &[Contact], ctx: &Context<'_>) -> Result<&'p str, Box<Decision>> {
    if let Some(stop) = answer::loop_guard(parsed, ctx) {
        return Err(Box::new(stop));
    }
    let Some(from) = parsed.from.as_deref() else {
        return Err(Box::new(Decision::silent(MessageState::Rejected, "no From address")));
    };
    let rejected =
        |reason: String, attention| Box::new(Decision { attention: Some(attention), ..Decision::silent(MessageState::Rejected, reason) });
    if contacts.is_empty() {
        return Err(rejected(
            format!("unknown sender {from}: not a registered contact (no answer, to avoid backscatter)"),
            Attention::UnknownSender,
        ));
    }
    if let super::Auth::Fail(why) = super::authenticate(&parsed.meta, ctx.trust) {
        return Err(rejected(format!("sender not authenticated: {why} (no answer)"), Attention::Unauthenticated));
    }
    Ok(from)
}

/// The one customer the sender belongs to, when there is only one.
fn single_customer(contacts: &[Contact]) -> Option<String> {
    match contacts {
        [one] => Some(one.customer_id.clone()),
        _ => None,
    }
}

fn understood(parsed: &Parsed, from: &str, snap: &Snapshot, ctx: &Context<'_>) -> Decision {
    let single = single_customer(&snap.contacts);
    let customer = single.as_deref().and_then(|c| snap.customers.get(c));
    let review = |reason: String, answer: Option<AnswerPlan>| Decision {
        answer,
        customer_id: single.clone(),
        ..Decision::silent(MessageState::NeedsReview, reason)
    };
    let question = |ask: Ask| AnswerPlan {
        kind: AnswerKind::Clarification,
        to: vec![from.to_string()],
        cc: Vec::new(),
        language: answer::language(parsed, customer, ctx),
        time_zone: answer::time_zone(customer, ctx),
        ask: Some(ask),
        admins: Vec::new(),
    };
    match parsed.outcome {
        Outcome::NotARequest => return review(format!("not a seat request, for a person to answer: {}", parsed.reason), None),
        Outcome::Ambiguous => {
            let ask = parsed.ask.unwrap_or(Ask::Quantity);
            return review(format!("unclear request, asked the customer: {}", parsed.reason), Some(question(ask)));
        }
        _ if parsed.items.is_empty() => return review("request without items".into(), None),
        _ => {}
    }

    let mut working = Working::default();
    let mut ask = None;
    let mut items = Vec::with_capacity(parsed.items.len());
    for (position, item) in parsed.items.iter().enumerate() {
        let mut d = ItemDecision::new(position, item.username.clone(), item.product.clone(), item.change);
        match decide_item(&mut d, &single, snap, &working, ctx) {
            Some(missing) => {
                ask.get_or_insert(missing);
            }
            None => {
                if let Some(c) = d.customer_id.clone() {
                    working.record(&d, &c);
                }
            }
        }
        items.push(d);
    }

    let customer_id = items.iter().find_map(|i| i.customer_id.clone()).or(single);
    let named = customer_id.as_deref().and_then(|c| snap.customers.get(c));
    if let Some(ask) = ask {
        // Never apply half a mail we had to ask about: the answer would confuse more than help.
        for i in &mut items {
            i.status = ItemStatus::Clarify;
            i.new_quantity = None;
        }
        return Decision {
            state: MessageState::NeedsReview,
            reason: format!("unclear request, asked the customer for the {}", ask.as_str()),
            customer_id,
            items,
            answer: Some(AnswerPlan {
                language: answer::language(parsed, named, ctx),
                time_zone: answer::time_zone(named, ctx),
                ..question(ask)
            }),
            attention: None,
            code_expires: None,
        };
    }
    let (state, kind) = outcome_of(&items);
    let involved = items.iter().filter_map(|i| i.customer_id.as_deref()).collect::<std::collections::BTreeSet<_>>();
    let plan = answer::plan(
        kind,
        from,
        true,
        involved.iter().filter_map(|c| snap.customers.get(*c)),
        answer::language(parsed, named, ctx),
        named,
        ctx,
    );
    let flagged = items.iter().any(|i| matches!(i.rule, Rule::ForeignTenant | Rule::UnknownTenant));
    let reason = describe_items(&items);
    Decision {
        state,
        reason: if flagged { format!("FLAGGED: {reason}") } else { reason },
        customer_id,
        answer: plan,
        attention: flagged.then_some(Attention::Flagged),
        items,
        code_expires: None,
    }
}

/// Decide one item; what to ask the customer when it cannot be decided.
fn decide_item(d: &mut ItemDecision, single: &Option<String>, snap: &Snapshot, working: &Working, ctx: &Context<'_>) -> Option<Ask> {
    let sender_customers: Vec<&str> = snap.contacts.iter().map(|c| c.customer_id.as_str()).collect();
    let customer_id = match d.username.as_deref().and_then(domain_of) {
        Some(domain) => match snap.domain_owners.get(&domain) {
            None => return reject(d, Rule::UnknownTenant),
            Some(owner) if !sender_customers.contains(&owner.as_str()) => return reject(d, Rule::ForeignTenant),
            Some(owner) => owner.clone(),
        },
        None => match single {
            Some(c) => c.clone(),
            None => {
                d.settle(ItemStatus::Clarify, Rule::ProductRequired, None);
                return Some(Ask::Username);
            }
        },
    };
    d.customer_id = Some(customer_id.clone());
    let (Some(state), Some(contact)) =
        (snap.customers.get(&customer_id), snap.contacts.iter().find(|c| c.customer_id == customer_id))
    else {
        return reject(d, Rule::ForeignTenant);
    };
    d.role = Some(contact.role);
    if !contact.role.may_change_seats() {
        return reject(d, Rule::RoleNotAllowed);
    }
    let sub = match &d.product {
        Some(p) => {
            let mut candidates: Vec<&Subscription> = state.subscriptions.iter().filter(|s| s.product == *p).collect();
            candidates.sort_by_key(|s| s.status != SubscriptionStatus::Active);
            candidates.first().copied()
        }
        None => match state.subscriptions.as_slice() {
            [one] => Some(one),
            [] => None,
            _ => {
                d.settle(ItemStatus::Clarify, Rule::ProductRequired, None);
                return Some(Ask::Product);
            }
        },
    };
    let Some(sub) = sub else { return reject(d, Rule::NoSubscription) };
    d.subscription_id = Some(sub.id.clone());
    d.product = Some(sub.product.clone());
    if !contact.may_touch(&sub.id) {
        reject(d, Rule::OutOfScope);
    } else {
        judge(d, &working.current(sub), state, working.spent(&customer_id), None, ctx);
    }
    d.with_terms(sub, ctx);
    None
}

fn reject(d: &mut ItemDecision, rule: Rule) -> Option<Ask> {
    d.settle(ItemStatus::Rejected, rule, None);
    None
}
