//! Held changes settled: ops approve or reject them in the queue, or the customer's admin
//! confirms them with a code. Each settled item is decided again on the locked, current
//! subscription, under every rule and every hold the settler does not release — the daily
//! limit counting what the customer changed today, confirmations included.

use crate::domain::{Attention, ChangeKind, MessageState};
use crate::parse::Parsed;

use super::{answer, describe_items, judge, outcome_of, AnswerKind, AnswerPlan, Context, ItemDecision, ItemStatus};
use super::{Releaser, Rule, Snapshot, Working};

/// A message as the store keeps it, with its items decoded.
#[derive(Debug, Clone)]
pub struct Held {
    pub id: i64,
    pub state: MessageState,
    pub reason: String,
    pub sender: Option<String>,
    pub customer_id: Option<String>,
    pub attention: Option<Attention>,
    /// A person has seen it (a rejected mail leaves the queue then).
    pub reviewed: bool,
    pub items: Vec<ItemDecision>,
}

impl Held {
    /// What its held items ask for: more seats, fewer, or both (none when nothing is held).
    pub fn kind(&self) -> Option<ChangeKind> {
        let held = self.items.iter().filter(|i| i.status == ItemStatus::Pending);
        let diffs: Vec<i64> = held.filter_map(|i| Some(i.new_quantity? - i.old_quantity?)).collect();
        match (diffs.iter().any(|d| *d > 0), diffs.iter().any(|d| *d < 0)) {
            (true, false) => Some(ChangeKind::Increase),
            (false, true) => Some(ChangeKind::Decrease),
            (true, true) => Some(ChangeKind::Mixed),
            (false, false) => None,
        }
    }
}

/// Does this mail wait for a person? Held requests and mails needing review, and rejected
/// mails that want a look until someone has seen them. (The store's queue query says the same
/// in SQL.)
pub fn in_queue(state: MessageState, attention: Option<Attention>, reviewed: bool) -> bool {
    match state {
        MessageState::AwaitingApproval | MessageState::NeedsReview => true,
        MessageState::Rejected => attention.is_some() && !reviewed,
        MessageState::Applied | MessageState::Ignored => false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpsAction {
    Approve,
    Reject,
}

/// What ops' decision on a queued mail does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpsStep {
    /// A rejected mail a person has now seen: it leaves the queue, its state stays.
    Seen,
    /// A mail needing review, dismissed: rejected with this reason.
    Dismiss { reason: String },
    /// Settle its held items with [`resolve`].
    Settle(Settle),
}

/// Ops may approve only what waits for them: a held request.
pub fn may_approve(state: MessageState) -> bool {
    state == MessageState::AwaitingApproval
}

/// Ops may correct any request in the queue — a held request read wrongly as much as a mail
/// needing review or a flagged one: what they say it asks for is decided afresh, under every
/// rule. Not a mail from an unknown or unauthenticated sender: no correction of what it asks
/// makes its sender one who may ask (register the contact, and ask them to write again).
pub fn may_correct(state: MessageState, attention: Option<Attention>, reviewed: bool) -> bool {
    in_queue(state, attention, reviewed) && !matches!(attention, Some(Attention::UnknownSender | Attention::Unauthenticated))
}

pub fn ops_step(held: &Held, action: OpsAction, actor: &str, note: Option<&str>) -> Result<OpsStep, String> {
    let id = held.id;
    if !in_queue(held.state, held.attention, held.reviewed) {
        return Err(format!("message {id} is {} already: nothing to decide", held.state));
    }
    match (held.state, action) {
        (MessageState::Rejected, OpsAction::Approve) => Err(format!(
            "message {id} was rejected ({}); nothing to approve. Register the sender as a contact and ask them to send it again, or dismiss it with `queue reject`",
            held.reason
        )),
        (MessageState::Rejected, OpsAction::Reject) => Ok(OpsStep::Seen),
        (MessageState::NeedsReview, OpsAction::Approve) => Err(format!(
            "message {id} needs review, not approval: it holds no understood request to apply. \
             Reject it (with a note) or correct it in the dashboard"
        )),
        (MessageState::NeedsReview, OpsAction::Reject) => {
            Ok(OpsStep::Dismiss { reason: format!("dismissed by {actor}{}", note.map(|n| format!(": {n}")).unwrap_or_default()) })
        }
        (_, OpsAction::Approve) => Ok(OpsStep::Settle(Settle::OpsApprove)),
        (_, OpsAction::Reject) => Ok(OpsStep::Settle(Settle::OpsReject)),
    }
}

/// Who settles a held message's pending items, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle {
    OpsApprove,
    /// Every pending item, whatever it waits for.
    OpsReject,
    CustomerConfirm,
}

impl Settle {
    fn releaser(self) -> Releaser {
        match self {
            Settle::OpsApprove | Settle::OpsReject => Releaser::Ops,
            Settle::CustomerConfirm => Releaser::Customer,
        }
    }

    fn acts_on(self, item: &ItemDecision) -> bool {
        match self {
            Settle::OpsReject => item.status == ItemStatus::Pending,
            _ => item.waits_for(self.releaser()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    pub state: MessageState,
    pub reason: String,
    /// Every item of the held message, the settled ones decided again.
    pub items: Vec<ItemDecision>,
    /// Positions of the items settled now.
    pub settled: Vec<usize>,
    pub customer_id: Option<String>,
    /// The held mail's sender, whom the answer addresses.
    pub sender: String,
    pub answer: Option<AnswerPlan>,
}

impl Resolution {
    /// Something still waits for ops (the message needs an open approval).
    pub fn waits_for_ops(&self) -> bool {
        self.items.iter().any(|i| i.waits_for(Releaser::Ops))
    }
}

/// Settle `held`'s pending items as `settle` may. `reply_to`: the mail the answer replies to
/// (the held one for ops, the confirming one for a code). The answer caps apply to a mail's
/// code, not to ops: a person's decision is always answered.
pub fn resolve(
    held: Held,
    settle: Settle,
    actor: &str,
    reply_to: &Parsed,
    snap: &Snapshot,
    ctx: &Context<'_>,
) -> Result<Resolution, String> {
    let id = held.id;
    if held.state != MessageState::AwaitingApproval {
        return Err(format!("message {id} is {} already: nothing to decide", held.state));
    }
    if !held.items.iter().any(|i| settle.acts_on(i)) {
        return Err(match settle {
            Settle::OpsApprove => format!("message {id} waits for the customer's confirmation code, not for ops"),
            _ => format!("message {id} has nothing waiting for this decision"),
        });
    }
    let mut working = Working::default();
    let mut settled = Vec::new();
    let mut items = held.items;
    for item in &mut items {
        let found = item.subscription_id.as_deref().and_then(|s| snap.subscription(s));
        let acts = settle.acts_on(item);
        if acts {
            settled.push(item.position);
        }
        let Some((customer, sub)) = found else {
            if acts {
                item.settle(ItemStatus::Rejected, Rule::NoSubscription, None);
            }
            continue;
        };
        item.customer_id = Some(customer.customer.id.clone());
        if acts {
            let current = working.current(sub);
            if settle == Settle::OpsReject {
                item.old_quantity = Some(current.quantity);
                item.settle(ItemStatus::Rejected, Rule::OpsRejected, None);
            } else {
                judge(item, &current, customer, working.spent(&customer.customer.id), Some(settle.releaser()), ctx);
                if item.status == ItemStatus::Applied && item.rule != Rule::NoChange {
                    item.rule = if settle == Settle::OpsApprove { Rule::OpsApproved } else { Rule::CustomerConfirmed };
                }
                working.record(item, &customer.customer.id);
            }
        }
        item.with_terms(sub, ctx);
    }

    let (state, kind) = outcome_of(&items);
    // A code is only ever sent with the request's own answer: what still waits is reported.
    let kind = if kind == AnswerKind::Confirm { AnswerKind::Pending } else { kind };
    let verb = match settle {
        Settle::OpsApprove => "approved",
        Settle::OpsReject => "rejected",
        Settle::CustomerConfirm => "confirmed",
    };
    let mut reason = format!("{verb} by {actor}: {}", describe_items(&items));
    let named = held.customer_id.as_deref().and_then(|c| snap.customers.get(c));
    let sender = held.sender.unwrap_or_default();
    let mut involved: Vec<_> = snap.customers.values().collect();
    involved.sort_by(|a, b| a.customer.id.cmp(&b.customer.id));
    let mut plan = answer::plan(
        kind,
        &sender,
        !snap.contacts.is_empty(),
        involved,
        answer::language(reply_to, named, ctx),
        named,
        ctx,
    );
    if settle == Settle::CustomerConfirm {
        answer::cap(&mut plan, &mut reason, reply_to, ctx);
    }
    Ok(Resolution { state, reason, items, settled, customer_id: held.customer_id, sender, answer: plan })
}
