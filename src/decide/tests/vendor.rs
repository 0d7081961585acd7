//! A request as the vendor's settlements leave it: a refused item rejected under the vendor's
//! rule with its words, the message's state and answer from what is left.

use super::*;
use crate::decide::resolve::Held;
use crate::decide::vendor::{refuse, report, Refusal};
use crate::domain::MessageState;

const ADMIN: &str = "admin@contoso.be";

/// The applied message as the store gives it back (no customer, no terms).
fn applied(w: &World, items: &[&str]) -> Held {
    stored(w, ADMIN, items, MessageState::Applied)
}

#[test]
fn a_refused_item_is_rejected_with_the_vendor_s_words_and_the_rest_stands() {
    let w = World::new();
    let snap = w.snapshot(ADMIN, &[]);
    let over = Refusal { rule: Rule::ProductMaximum, reason: "over Microsoft's limit (Partner Center error 2002)".into() };
    let mut held = applied(&w, &["+3 SPB", "-1 EXCHANGESTANDARD"]);
    refuse(&mut held.items, 0, &over);
    let r = report(held.clone(), &mail(ADMIN, Vec::new()), &snap, &w.ctx());
    assert_eq!(r.state, MessageState::Applied, "the other item still stands");
    assert_eq!(r.answer.as_ref().map(|a| a.kind), Some(AnswerKind::Confirmation));
    assert!(r.reason.starts_with("the vendor refused"), "{}", r.reason);
    let first = &r.items[0];
    assert_eq!((first.status, first.rule, first.new_quantity), (ItemStatus::Rejected, Rule::ProductMaximum, None));
    assert_eq!(first.vendor_reason.as_deref(), Some(over.reason.as_str()));
    assert_eq!(first.terms.as_ref().and_then(|t| t.max), None, "the catalog's maximum is not the vendor's");
    assert_eq!(r.items[1].status, ItemStatus::Applied);
    assert!(r.answer.as_ref().unwrap().to.contains(&ADMIN.to_string()));

    refuse(&mut held.items, 1, &Refusal { rule: Rule::AnnualCommitment, reason: "cannot be decreased".into() });
    let r = report(held, &mail(ADMIN, Vec::new()), &snap, &w.ctx());
    assert_eq!((r.state, r.answer.map(|a| a.kind)), (MessageState::Rejected, Some(AnswerKind::Rejection)));
}

#[test]
fn a_report_without_a_refusal_keeps_the_reason() {
    let w = World::new();
    let held = applied(&w, &["+2 SPB"]);
    let reason = held.reason.clone();
    let r = report(held, &mail(ADMIN, Vec::new()), &w.snapshot(ADMIN, &[]), &w.ctx());
    assert_eq!((r.state, r.reason), (MessageState::Applied, reason));
    assert!(r.items[0].terms.is_some(), "the terms are worked out again for the answer");
}
