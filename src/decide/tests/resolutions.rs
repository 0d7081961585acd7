//! Held changes settled by ops or by the customer's code: who may settle what, every hold
//! checked again, and the daily limit across confirmations.

use super::*;
use crate::domain::{Attention, MessageState};
use crate::decide::resolve::{in_queue, ops_step, resolve, Held, OpsAction, OpsStep, Resolution, Settle};

const ADMIN: &str = "admin@contoso.be";

/// The message a request mail left held, as the store gives it back.
fn held_from(w: &World, items: &[&str]) -> Held {
    stored(w, ADMIN, items, MessageState::AwaitingApproval)
}

fn settle(w: &World, held: Held, how: Settle) -> Result<Resolution, String> {
    let snap = w.snapshot(ADMIN, &[]);
    resolve(held, how, "someone", &mail(ADMIN, Vec::new()), &snap, &w.ctx())
}

#[test]
fn confirming_codes_never_passes_the_daily_limit() {
    // Two changes of 3 held for the code on a day allowing 5: the first confirmed change takes
    // 3 of the 5 (the store counts it with the day's changes), so the second waits for ops.
    let mut w = World::new().confirm(ConfirmMode::All);
    w.policy.max_seats_per_day = 5;
    let first = held_from(&w, &["+3 SPB"]);
    let second = held_from(&w, &["+3 SPB"]);
    let r = settle(&w, first, Settle::CustomerConfirm).unwrap();
    assert_eq!((r.state, r.items[0].rule, r.items[0].new_quantity), (MessageState::Applied, Rule::CustomerConfirmed, Some(13)));
    w.customer("C1").seats_changed_today = 3;
    w.customer("C1").subscriptions[0].quantity = 13;
    let r = settle(&w, second.clone(), Settle::CustomerConfirm).unwrap();
    assert_eq!((r.state, r.items[0].status, r.items[0].rule), (MessageState::AwaitingApproval, ItemStatus::Pending, Rule::DailyLimit));
    assert!(r.waits_for_ops());
    assert_eq!(r.answer.as_ref().unwrap().kind, AnswerKind::Pending);
    // At 2 changed today, 3 more fit.
    w.customer("C1").seats_changed_today = 2;
    assert_eq!(settle(&w, second, Settle::CustomerConfirm).unwrap().items[0].rule, Rule::CustomerConfirmed);
}

#[test]
fn several_items_settled_together_count_against_each_other() {
    let mut w = World::new().confirm(ConfirmMode::All);
    w.policy.max_seats_per_day = 5;
    let held = held_from(&w, &["+3 SPB", "+3 SPB"]);
    let r = settle(&w, held, Settle::CustomerConfirm).unwrap();
    let got: Vec<(Rule, Option<i64>, Option<i64>)> = r.items.iter().map(|i| (i.rule, i.old_quantity, i.new_quantity)).collect();
    assert_eq!(got, [(Rule::CustomerConfirmed, Some(10), Some(13)), (Rule::DailyLimit, Some(13), Some(16))]);
    assert_eq!(r.settled, [0, 1]);
}

#[test]
fn ops_release_every_hold_the_customer_only_its_own() {
    let mut w = World::new().confirm(ConfirmMode::All);
    w.customer("C1").seats_changed_today = 199;
    // Over the threshold: held for ops, not for a code.
    let held = held_from(&w, &["+25 SPB"]);
    assert_eq!(held.items[0].rule, Rule::ApprovalThreshold);
    let err = settle(&w, held.clone(), Settle::CustomerConfirm).unwrap_err();
    assert!(err.contains("nothing waiting"), "{err}");
    let r = settle(&w, held, Settle::OpsApprove).unwrap();
    assert_eq!((r.state, r.items[0].rule, r.items[0].new_quantity), (MessageState::Applied, Rule::OpsApproved, Some(35)));
    // Held for the code: ops do not approve it in the customer's place.
    let held = held_from(&w, &["+1 SPB"]);
    assert_eq!(held.items[0].rule, Rule::ConfirmationRequired);
    let err = settle(&w, held.clone(), Settle::OpsApprove).unwrap_err();
    assert!(err.contains("waits for the customer's confirmation code"), "{err}");
    // The customer's confirmation leaves ops' holds in force: 199 + 1 is fine, 199 + 2 is not
    // (held when the day was quiet, confirmed when it was not).
    assert_eq!(settle(&w, held, Settle::CustomerConfirm).unwrap().items[0].rule, Rule::CustomerConfirmed);
    let quiet = World::new().confirm(ConfirmMode::All);
    let held = held_from(&quiet, &["+2 SPB"]);
    assert_eq!(settle(&w, held.clone(), Settle::CustomerConfirm).unwrap().items[0].rule, Rule::DailyLimit);
    assert_eq!(settle(&w, held, Settle::OpsReject).unwrap().items[0].rule, Rule::OpsRejected, "ops may refuse what waits for a code");
}

#[test]
fn rules_are_checked_again_on_the_current_subscription() {
    let w0 = World::new();
    let held = held_from(&w0, &["+25 SPB"]);
    for (quantity, status, want) in [
        (10, SubscriptionStatus::Active, Rule::OpsApproved),
        (280, SubscriptionStatus::Active, Rule::ProductMaximum),
        (35, SubscriptionStatus::Active, Rule::OpsApproved),
        (10, SubscriptionStatus::Suspended, Rule::InactiveSubscription),
    ] {
        let mut w = World::new();
        w.customer("C1").subscriptions[0].quantity = quantity;
        w.customer("C1").subscriptions[0].status = status;
        let r = settle(&w, held.clone(), Settle::OpsApprove).unwrap();
        assert_eq!(r.items[0].rule, want, "{quantity} {status}");
        assert_eq!(r.items[0].old_quantity, Some(quantity));
    }
    // Gone since: refused.
    let mut w = World::new();
    w.customer("C1").subscriptions.remove(0);
    let r = settle(&w, held, Settle::OpsApprove).unwrap();
    assert_eq!((r.state, r.items[0].rule), (MessageState::Rejected, Rule::NoSubscription));
}

#[test]
fn ops_reject_every_pending_item_and_the_answer_says_so() {
    let w = World::new().confirm(ConfirmMode::Decreases);
    let held = held_from(&w, &["+25 SPB", "-1 SPB", "+1 O365_BUSINESS_PREMIUM"]);
    let rules: Vec<Rule> = held.items.iter().map(|i| i.rule).collect();
    assert_eq!(rules, [Rule::ApprovalThreshold, Rule::ConfirmationRequired, Rule::Increase]);
    let r = settle(&w, held, Settle::OpsReject).unwrap();
    let got: Vec<(ItemStatus, Rule)> = r.items.iter().map(|i| (i.status, i.rule)).collect();
    assert_eq!(got, [(ItemStatus::Rejected, Rule::OpsRejected), (ItemStatus::Rejected, Rule::OpsRejected), (ItemStatus::Applied, Rule::Increase)]);
    assert_eq!(r.settled, [0, 1]);
    assert_eq!(r.state, MessageState::Applied, "the item applied with the mail stays applied");
    let plan = r.answer.unwrap();
    assert_eq!((plan.kind, plan.to.as_slice()), (AnswerKind::Confirmation, [ADMIN.to_string()].as_slice()));
    assert!(r.items.iter().all(|i| i.terms.is_some() && i.customer_id.as_deref() == Some("C1")));
    assert!(r.reason.starts_with("rejected by someone: "), "{}", r.reason);
}

#[test]
fn one_approval_leaves_the_items_still_waiting_for_the_code() {
    let w = World::new().confirm(ConfirmMode::Decreases);
    let held = held_from(&w, &["+25 SPB", "-1 O365_BUSINESS_PREMIUM", "-1 EXCHANGESTANDARD"]);
    let r = settle(&w, held, Settle::OpsApprove).unwrap();
    assert_eq!(r.state, MessageState::AwaitingApproval);
    assert_eq!(r.items[2].rule, Rule::ConfirmationRequired);
    assert!(!r.waits_for_ops());
    // No new code goes with a resolution: the answer reports what still waits.
    assert_eq!(r.answer.unwrap().kind, AnswerKind::Pending);
}

#[test]
fn the_queue_and_what_ops_may_do_there() {
    use MessageState::*;
    for (state, attention, reviewed, queued) in [
        (AwaitingApproval, None, false, true),
        (NeedsReview, None, false, true),
        (Rejected, Some(Attention::Unauthenticated), false, true),
        (Rejected, Some(Attention::UnknownSender), false, true),
        (Rejected, Some(Attention::Flagged), false, true),
        (Rejected, Some(Attention::Flagged), true, false),
        (Rejected, None, false, false),
        (Applied, Some(Attention::Flagged), false, false),
        (Ignored, None, false, false),
    ] {
        assert_eq!(in_queue(state, attention, reviewed), queued, "{state} {attention:?} {reviewed}");
        let held = Held { id: 1, state, reason: "r".into(), sender: None, customer_id: None, attention, reviewed, items: Vec::new() };
        let approve = ops_step(&held, OpsAction::Approve, "ops:o", None);
        let reject = ops_step(&held, OpsAction::Reject, "ops:o", Some("n"));
        match (queued, state) {
            (false, _) => assert!(approve.is_err() && reject.is_err()),
            (true, AwaitingApproval) => {
                assert_eq!(approve, Ok(OpsStep::Settle(Settle::OpsApprove)));
                assert_eq!(reject, Ok(OpsStep::Settle(Settle::OpsReject)));
            }
            (true, NeedsReview) => {
                assert!(approve.is_err());
                assert_eq!(reject, Ok(OpsStep::Dismiss { reason: "dismissed by ops:o: n".into() }));
            }
            (true, _) => {
                assert!(approve.is_err());
                assert_eq!(reject, Ok(OpsStep::Seen));
            }
        }
    }
    let w = World::new();
    let mut held = held_from(&w, &["+25 SPB"]);
    held.state = Applied;
    assert!(settle(&w, held, Settle::OpsApprove).unwrap_err().contains("already"));
}
