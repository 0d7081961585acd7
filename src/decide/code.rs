//! Confirmation codes ("Apply then Approve"): a change held for the customer waits until one of
//! its admins sends back the one-time code of our `confirm` answer. Here: finding a code in a
//! mail, and whether this sender may use this code now. Only a hash of a code is ever stored.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};

use crate::domain::{Contact, MessageState};
use crate::parse::{Change, Outcome, Parsed};

use super::request::screen;
use super::resolve::Resolution;
use super::{answer, AnswerKind, AnswerPlan, Context, Decision, ItemDecision, ItemStatus, Rule};

static CODE: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"(?i)\bSM-[A-Z0-9]{4}-[A-Z0-9]{4}\b").expect("code regex"));

/// A confirmation code in the subject or the customer's own words. Auto-replies and bounces
/// quoting our mail never confirm anything.
pub fn find(p: &Parsed) -> Option<String> {
    if matches!(p.outcome, Outcome::AutoReply | Outcome::Bounce) {
        return None;
    }
    p.meta
        .subject
        .as_deref()
        .and_then(|s| CODE.find(s))
        .or_else(|| CODE.find(&p.meta.text))
        .map(|m| m.as_str().to_ascii_uppercase())
}

/// What the store keeps of a code: its hash, whose it is, until when.
pub fn hash(code: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(code.to_ascii_uppercase().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A code's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    pub id: i64,
    /// The held message it releases.
    pub message: i64,
    pub customer_id: String,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeDecision {
    /// The mail is recorded with this decision, and nothing else happens.
    Refused(Decision),
    /// A good code: its customer's admin releases what message `held` waits for.
    Accepted { confirmation: i64, held: i64, reason: String },
}

/// May the sender of `parsed` (registered as `contacts`) use `code`, whose record is `found`?
pub fn confirm(parsed: &Parsed, code: &str, contacts: &[Contact], found: Option<&Confirmation>, ctx: &Context<'_>) -> CodeDecision {
    let sender = match screen(parsed, contacts, ctx) {
        Ok(from) => from,
        Err(stop) => return CodeDecision::Refused(*stop),
    };
    let refused = |rule: Rule, customer: Option<&str>| {
        let mut item = ItemDecision::new(0, None, None, Change::Delta(0));
        item.settle(ItemStatus::Rejected, rule, None);
        let mut d = Decision {
            customer_id: customer.map(str::to_string),
            items: vec![item],
            answer: Some(AnswerPlan {
                kind: AnswerKind::Rejection,
                to: vec![sender.to_string()],
                cc: Vec::new(),
                language: answer::language(parsed, None, ctx),
                time_zone: ctx.default_time_zone,
                ask: None,
                admins: Vec::new(),
            }),
            ..Decision::silent(MessageState::Rejected, format!("confirmation code {code}: {}", rule.describe()))
        };
        answer::cap(&mut d.answer, &mut d.reason, parsed, ctx);
        CodeDecision::Refused(d)
    };
    let Some(c) = found else {
        return refused(Rule::CodeUnknown, contacts.first().map(|c| c.customer_id.as_str()));
    };
    if !contacts.iter().any(|k| k.customer_id == c.customer_id && k.role.may_change_seats()) {
        return CodeDecision::Refused(Decision::silent(
            MessageState::Rejected,
            format!("confirmation code {code} sent by {sender}, who is no admin of customer {} (no answer)", c.customer_id),
        ));
    }
    if c.used {
        return refused(Rule::CodeUsed, Some(&c.customer_id));
    }
    if c.expires_at < ctx.now {
        return refused(Rule::CodeExpired, Some(&c.customer_id));
    }
    CodeDecision::Accepted { confirmation: c.id, held: c.message, reason: format!("confirmation code {code} for message {}", c.message) }
}

/// The confirming mail's own record: the outcome its code brought about.
pub fn confirming_mail(reason: &str, resolution: &Resolution) -> Decision {
    Decision {
        customer_id: resolution.customer_id.clone(),
        ..Decision::silent(resolution.state, format!("{reason}: {}", resolution.reason))
    }
}
