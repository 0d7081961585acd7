//! The cautious mode (`[policy.cautious]`): per kind of change, every understood change waits
//! for ops or for the customer's code, after the holds before it and never for a refusal; ops
//! release it with one click, the customer with the code, and ops' own correction meets it.

use super::*;
use crate::config::{Cautious, CautiousConfig};
use crate::decide::resolve::{resolve, Held, Settle};
use crate::domain::{ChangeKind, MessageState};

const ADMIN: &str = "admin@contoso.be";

fn world(increases: Cautious, decreases: Cautious, confirm: ConfirmMode) -> World {
    let mut w = World::new().confirm(confirm);
    w.policy.cautious = CautiousConfig { increases, decreases };
    w
}

#[test]
fn each_kind_of_change_waits_for_whom_the_mode_names() {
    use Cautious::{Customer, Off, Ops};
    use ConfirmMode::{All, Decreases, None as NoCode};
    let pending = Some(AnswerKind::Pending);
    let cases = [
        // (increases, decreases, confirm, change, rule, answer, the reason's words)
        (Off, Off, NoCode, "+1 SPB", Rule::Increase, Some(AnswerKind::Confirmation), "seats added"),
        (Ops, Off, NoCode, "+1 SPB", Rule::CautiousOps, pending, "cautious mode: every increase waits for reseller ops"),
        (Ops, Off, NoCode, "-1 SPB", Rule::Decrease, Some(AnswerKind::Confirmation), "seats removed"),
        (Off, Ops, NoCode, "-1 SPB", Rule::CautiousOps, pending, "cautious mode: every decrease waits for reseller ops"),
        (Off, Ops, NoCode, "=9 SPB", Rule::CautiousOps, pending, "(10 -> 9) pending"),
        (Ops, Ops, NoCode, "=10 SPB", Rule::NoChange, Some(AnswerKind::Confirmation), "already has"),
        // Refused is refused: nothing to wait for.
        (Ops, Ops, NoCode, "-4 SPB", Rule::BelowAssigned, Some(AnswerKind::Rejection), "below the seats assigned"),
        // The holds before it name the wait.
        (Ops, Ops, NoCode, "+21 SPB", Rule::ApprovalThreshold, pending, "approval threshold"),
        // Ops first, then the customer's own confirmation rule, then the cautious code.
        (Ops, Ops, All, "+1 SPB", Rule::CautiousOps, pending, "every increase waits for reseller ops"),
        (Customer, Customer, NoCode, "+1 SPB", Rule::CautiousCustomer, Some(AnswerKind::Confirm), "every increase waits for the customer's confirmation code"),
        (Customer, Customer, Decreases, "-1 SPB", Rule::ConfirmationRequired, Some(AnswerKind::Confirm), "confirmation code"),
        (Customer, Off, NoCode, "-1 SPB", Rule::Decrease, Some(AnswerKind::Confirmation), "seats removed"),
    ];
    for (inc, dec, confirm, spec, rule, answer, words) in cases {
        let d = world(inc, dec, confirm).decide(&mail(ADMIN, vec![item(spec)]));
        let case = format!("{inc:?}/{dec:?}/{confirm:?} {spec}");
        assert_eq!(d.items[0].rule, rule, "{case}");
        assert_eq!(d.answer.as_ref().map(|a| a.kind), answer, "{case}");
        assert!(d.reason.contains(words), "{case}: {}", d.reason);
        let held = d.items[0].status == ItemStatus::Pending;
        assert_eq!(held, d.state == MessageState::AwaitingApproval, "{case}");
        assert_eq!(d.waits_for_ops(), held && rule != Rule::CautiousCustomer && rule != Rule::ConfirmationRequired, "{case}");
        assert_eq!(d.code_expires.is_some(), answer == Some(AnswerKind::Confirm), "{case}: a code goes with the answer");
    }
}

/// The message a request left held, as the store gives it back.
fn held(w: &World, spec: &str) -> Held {
    held_all(w, &[spec])
}

fn held_all(w: &World, specs: &[&str]) -> Held {
    stored(w, ADMIN, specs, MessageState::AwaitingApproval)
}

#[test]
fn one_click_or_the_code_releases_it_and_a_correction_meets_it() {
    let settle = |w: &World, h: Held, how: Settle| resolve(h, how, "someone", &mail(ADMIN, Vec::new()), &w.snapshot(ADMIN, &[]), &w.ctx());
    let w = world(Cautious::Ops, Cautious::Ops, ConfirmMode::None);
    let r = settle(&w, held(&w, "+2 SPB"), Settle::OpsApprove).unwrap();
    assert_eq!((r.state, r.items[0].rule, r.items[0].new_quantity), (MessageState::Applied, Rule::OpsApproved, Some(12)));
    let err = settle(&w, held(&w, "+2 SPB"), Settle::CustomerConfirm).unwrap_err();
    assert!(err.contains("nothing waiting"), "the customer's code does not release what waits for ops: {err}");

    let w = world(Cautious::Customer, Cautious::Customer, ConfirmMode::None);
    let r = settle(&w, held(&w, "-2 SPB"), Settle::CustomerConfirm).unwrap();
    assert_eq!((r.state, r.items[0].rule, r.items[0].new_quantity), (MessageState::Applied, Rule::CustomerConfirmed, Some(8)));
    let err = settle(&w, held(&w, "-2 SPB"), Settle::OpsApprove).unwrap_err();
    assert!(err.contains("waits for the customer's confirmation code"), "{err}");

    // What ops decide on, for the agreement figures per kind of change.
    let w = world(Cautious::Ops, Cautious::Ops, ConfirmMode::None);
    assert_eq!(held(&w, "+2 SPB").kind(), Some(ChangeKind::Increase));
    assert_eq!(held(&w, "=9 SPB").kind(), Some(ChangeKind::Decrease));
    assert_eq!(held_all(&w, &["+2 SPB", "-1 EXCHANGESTANDARD"]).kind(), Some(ChangeKind::Mixed));
    // The annual plan is past its window: that decrease is refused, not held.
    assert_eq!(held_all(&w, &["+2 SPB", "-1 O365_BUSINESS_PREMIUM"]).kind(), Some(ChangeKind::Increase));

    // Ops say what the mail asks: applied at once; the other holds still stand.
    for cautious in [Cautious::Ops, Cautious::Customer] {
        let w = world(cautious, cautious, ConfirmMode::None);
        let h = held(&w, "+2 SPB");
        let snap = w.snapshot(ADMIN, &[item("+3 SPB")]);
        let p = mail(ADMIN, Vec::new());
        let d = request::correct(&h, &p, vec![item("+3 SPB")], "ops:olivia", &snap, &w.ctx()).unwrap();
        assert_eq!((d.state, d.items[0].rule, d.items[0].new_quantity), (MessageState::Applied, Rule::Increase, Some(13)), "{cautious:?}");
        let d = request::correct(&h, &p, vec![item("+30 SPB")], "ops:olivia", &snap, &w.ctx()).unwrap();
        assert_eq!(d.items[0].rule, Rule::ApprovalThreshold, "{cautious:?}");
    }
}
