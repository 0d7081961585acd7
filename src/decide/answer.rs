//! Whom seatmail answers, in which language, and when it stays silent: loops, lists and robots
//! are never answered, and nobody gets more answers than the caps allow. The kind of answer
//! follows from the items ([`super::outcome_of`]).

use crate::domain::{Contact, MessageState};
use crate::parse::{Language, Outcome, Parsed};

use super::{AnswerKind, AnswerPlan, Context, CustomerState, Decision};

/// Mail never acted on nor answered: our own coming back, auto-replies, bounces, mailing lists.
pub fn loop_guard(parsed: &Parsed, ctx: &Context<'_>) -> Option<Decision> {
    let ignored = |reason: String| Some(Decision::silent(MessageState::Ignored, reason));
    if parsed.message_id.as_deref().is_some_and(|id| ctx.is_own_id(id)) {
        return ignored("our own mail came back (loop)".into());
    }
    if matches!(parsed.outcome, Outcome::AutoReply | Outcome::Bounce) {
        return ignored(format!("{} (never answered)", parsed.reason));
    }
    let from = parsed.from.as_deref()?;
    if ctx.own_addresses.iter().any(|a| a.eq_ignore_ascii_case(from)) {
        return ignored("our own mail came back (loop)".into());
    }
    if let Some(list) = &parsed.meta.list_id {
        return ignored(format!("mailing list mail ({list}): never answered"));
    }
    match parsed.meta.precedence.as_deref().map(|p| p.trim().to_ascii_lowercase()) {
        Some(p) if ["bulk", "list", "junk"].contains(&p.as_str()) => ignored(format!("Precedence: {p}: never answered")),
        _ => None,
    }
}

/// The mail's own language, else the customer's, else the configured default.
pub fn language(parsed: &Parsed, customer: Option<&CustomerState>, ctx: &Context<'_>) -> Language {
    parsed.language.or_else(|| customer.map(|c| c.customer.language)).unwrap_or(ctx.default_language)
}

/// The customer's own time zone, else the configured default.
pub fn time_zone(customer: Option<&CustomerState>, ctx: &Context<'_>) -> chrono_tz::Tz {
    customer.and_then(|c| c.customer.time_zone).unwrap_or(ctx.default_time_zone)
}

/// An answer to `sender` (when still a contact) with a copy to every admin of `customers` but
/// the sender; none when that is nobody.
pub fn plan<'a>(
    kind: AnswerKind,
    sender: &str,
    sender_is_contact: bool,
    customers: impl IntoIterator<Item = &'a CustomerState>,
    language: Language,
    named: Option<&CustomerState>,
    ctx: &Context<'_>,
) -> Option<AnswerPlan> {
    let mut cc: Vec<String> = Vec::new();
    for c in customers {
        for a in c.admins() {
            if a.email != sender && !cc.contains(&a.email) {
                cc.push(a.email.clone());
            }
        }
    }
    let to = if sender_is_contact { vec![sender.to_string()] } else { Vec::new() };
    if to.is_empty() && cc.is_empty() {
        return None;
    }
    Some(AnswerPlan { kind, to, cc, language, time_zone: time_zone(named, ctx), ask: None, admins: admins(named) })
}

/// The people of `customer` who may ask for changes.
pub fn admins(customer: Option<&CustomerState>) -> Vec<Contact> {
    customer.map(|c| c.admins().cloned().collect()).unwrap_or_default()
}

/// Past a cap, the mail keeps its outcome but nobody is told, and its reason says why: a
/// person answering our question gets an answer, a robot in a loop gets silence.
pub fn cap(answer: &mut Option<AnswerPlan>, reason: &mut String, parsed: &Parsed, ctx: &Context<'_>) {
    if answer.is_none() {
        return;
    }
    let meta = &parsed.meta;
    let thread = meta.references.iter().chain(&meta.in_reply_to).filter(|r| ctx.is_own_id(r)).count() as i64;
    let why = if ctx.answers_today >= ctx.answer_cap {
        format!("{} answers to this sender in 24 hours", ctx.answers_today)
    } else if thread >= ctx.thread_cap {
        format!("{thread} automatic answers in this thread already")
    } else {
        return;
    };
    *answer = None;
    *reason = format!("{reason} (not answered: {why})");
}
