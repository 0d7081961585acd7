//! New request mails: every seat rule, every role, the window's edges, the daily limit within a
//! mail, the guards that stop a mail before any rule, and the answer plan.

use super::*;
use crate::domain::{Attention, MessageState};
use crate::parse::Ask;

/// One mail of one item: who sends what, and what becomes of it.
struct Case {
    from: &'static str,
    item: &'static str,
    status: ItemStatus,
    rule: Rule,
    quantities: Option<(i64, i64)>,
}

const fn case(from: &'static str, item: &'static str, status: ItemStatus, rule: Rule, quantities: Option<(i64, i64)>) -> Case {
    Case { from, item, status, rule, quantities }
}

const ADMIN: &str = "admin@contoso.be";
use ItemStatus::{Applied, Clarify, Pending, Rejected};

#[test]
fn every_rule_of_a_request() {
    let cases = [
        case(ADMIN, "+3 SPB", Applied, Rule::Increase, Some((10, 13))),
        case(ADMIN, "-3 SPB", Applied, Rule::Decrease, Some((10, 7))),
        case(ADMIN, "-4 SPB", Rejected, Rule::BelowAssigned, None),
        case(ADMIN, "=7 SPB", Applied, Rule::Decrease, Some((10, 7))),
        case(ADMIN, "=10 SPB", Applied, Rule::NoChange, Some((10, 10))),
        case(ADMIN, "+20 SPB", Applied, Rule::Increase, Some((10, 30))),
        case(ADMIN, "+21 SPB", Pending, Rule::ApprovalThreshold, Some((10, 31))),
        case(ADMIN, "+101 SPB", Rejected, Rule::RequestMaximum, None),
        case(ADMIN, "-1 O365_BUSINESS_PREMIUM", Rejected, Rule::AnnualCommitment, None),
        case(ADMIN, "+1 O365_BUSINESS_PREMIUM", Applied, Rule::Increase, Some((20, 21))),
        case(ADMIN, "-1 EXCHANGESTANDARD", Applied, Rule::DecreaseInWindow, Some((10, 9))),
        case(ADMIN, "+1 STANDARDPACK", Rejected, Rule::InactiveSubscription, None),
        case(ADMIN, "+1 ENTERPRISEPACK", Rejected, Rule::NoSubscription, None),
        case(ADMIN, "+1 SPB for an@fabrikam.fr", Rejected, Rule::ForeignTenant, None),
        case(ADMIN, "+1 SPB for an@nowhere.example", Rejected, Rule::UnknownTenant, None),
        case(ADMIN, "+1 SPB for an@contoso.be", Applied, Rule::Increase, Some((10, 11))),
        case("helpdesk@contoso.be", "+1 SPB", Rejected, Rule::RoleNotAllowed, None),
        case("scoped@contoso.be", "+1 SPB", Applied, Rule::Increase, Some((10, 11))),
        case("scoped@contoso.be", "+1 O365_BUSINESS_PREMIUM", Rejected, Rule::OutOfScope, None),
        case("admin@fabrikam.fr", "+10 O365_BUSINESS_ESSENTIALS", Applied, Rule::Increase, Some((290, 300))),
        case("admin@fabrikam.fr", "+11 O365_BUSINESS_ESSENTIALS", Rejected, Rule::ProductMaximum, None),
        case(ADMIN, "+1", Clarify, Rule::ProductRequired, None),
        case("group@holding.example", "+1 SPB", Clarify, Rule::ProductRequired, None),
        case("group@holding.example", "+1 SPB for it@contoso.be", Applied, Rule::Increase, Some((10, 11))),
    ];
    let world = World::new();
    for c in cases {
        let d = world.decide(&mail(c.from, vec![item(c.item)]));
        let i = &d.items[0];
        let what = format!("{} {}: {d:#?}", c.from, c.item);
        assert_eq!((i.status, i.rule), (c.status, c.rule), "{what}");
        if let Some((old, new)) = c.quantities {
            assert_eq!((i.old_quantity, i.new_quantity), (Some(old), Some(new)), "{what}");
        } else {
            assert_eq!(i.new_quantity, None, "{what}");
        }
        let want_state = match c.status {
            Applied => MessageState::Applied,
            Pending => MessageState::AwaitingApproval,
            Clarify => MessageState::NeedsReview,
            Rejected => MessageState::Rejected,
        };
        assert_eq!(d.state, want_state, "{what}");
        let flagged = matches!(c.rule, Rule::ForeignTenant | Rule::UnknownTenant);
        assert_eq!(d.attention, flagged.then_some(Attention::Flagged), "{what}");
        assert_eq!(d.reason.starts_with("FLAGGED"), flagged, "{what}");
        assert_eq!(d.waits_for_ops(), c.rule == Rule::ApprovalThreshold, "{what}");
    }
}

#[test]
fn every_role() {
    let world = World::new();
    for role in Role::ALL {
        let mut w = World::new();
        w.customer("C1").contacts.push(contact("C1", "someone@contoso.be", *role, &[]));
        let d = w.decide(&mail("someone@contoso.be", vec![item("+1 SPB")]));
        let i = &d.items[0];
        assert_eq!(i.role, Some(*role));
        let want = if matches!(role, Role::GlobalAdmin | Role::BillingAdmin) { Rule::Increase } else { Rule::RoleNotAllowed };
        assert_eq!(i.rule, want, "{role}");
        // A refusal names who may ask instead: the customer's global and billing admins.
        let plan = d.answer.unwrap();
        let admins: Vec<&str> = plan.admins.iter().map(|a| a.email.as_str()).collect();
        assert!(admins.contains(&"admin@contoso.be") && admins.contains(&"billing@contoso.be"), "{admins:?}");
        assert!(!admins.iter().any(|a| a.starts_with("helpdesk") || a.starts_with("service") || a.starts_with("password")));
    }
    let _ = world;
}

#[test]
fn the_cancellation_window_ends_on_its_last_day() {
    for (days_in, window, want) in [
        (0, 7, Rule::DecreaseInWindow),
        (7, 7, Rule::DecreaseInWindow),
        (8, 7, Rule::AnnualCommitment),
        (0, 0, Rule::DecreaseInWindow),
        (1, 0, Rule::AnnualCommitment),
        (30, 30, Rule::DecreaseInWindow),
        (31, 30, Rule::AnnualCommitment),
    ] {
        let mut w = World::new();
        w.policy.cancellation_window_days = window;
        w.customer("C1").subscriptions[2].term_start = today() - Duration::days(days_in);
        let d = w.decide(&mail(ADMIN, vec![item("-1 EXCHANGESTANDARD")]));
        let i = &d.items[0];
        assert_eq!(i.rule, want, "{days_in} days into the term, window {window}");
        let terms = i.terms.as_ref().unwrap();
        assert_eq!(terms.window_days, window);
        // The answer names the next renewal, a year after the term's start.
        assert_eq!(terms.renewal_date, Some(today() - Duration::days(days_in) + chrono::Months::new(12)));
    }
}

#[test]
fn the_daily_limit_counts_the_day_and_the_mail() {
    // 200 a day: 195 changed already, so 5 more, not 6.
    for (earlier, spec, want) in [
        (195, "+5 SPB", Rule::Increase),
        (195, "+6 SPB", Rule::DailyLimit),
        (197, "-3 SPB", Rule::Decrease),
        (198, "-3 SPB", Rule::DailyLimit),
        (250, "=10 SPB", Rule::NoChange),
    ] {
        let mut w = World::new();
        w.customer("C1").seats_changed_today = earlier;
        let d = w.decide(&mail(ADMIN, vec![item(spec)]));
        assert_eq!(d.items[0].rule, want, "{earlier} + {spec}");
        assert_eq!(d.waits_for_ops(), want == Rule::DailyLimit);
    }
    // Within one mail, the earlier items count.
    let mut w = World::new();
    w.policy.max_seats_per_day = 5;
    let d = w.decide(&mail(ADMIN, vec![item("+3 SPB"), item("+2 O365_BUSINESS_PREMIUM"), item("+1 SPB")]));
    let rules: Vec<Rule> = d.items.iter().map(|i| i.rule).collect();
    assert_eq!(rules, [Rule::Increase, Rule::Increase, Rule::DailyLimit]);
    assert_eq!(d.items[2].old_quantity, Some(13), "the second change to FLEX starts where the first left it");
    assert_eq!(d.items[2].terms.as_ref().unwrap().max, Some(5), "the answer names the daily limit");
    assert_eq!(d.state, MessageState::AwaitingApproval);
    assert_eq!(d.answer.unwrap().kind, AnswerKind::Pending);
}

#[test]
fn holds_in_order_and_confirmation_modes() {
    for (mode, spec, want) in [
        (ConfirmMode::None, "-1 SPB", Rule::Decrease),
        (ConfirmMode::Decreases, "-1 SPB", Rule::ConfirmationRequired),
        (ConfirmMode::Decreases, "+1 SPB", Rule::Increase),
        (ConfirmMode::All, "+1 SPB", Rule::ConfirmationRequired),
        (ConfirmMode::All, "=10 SPB", Rule::NoChange),
        // Ops' holds come first: ops decide, and no code is asked for.
        (ConfirmMode::All, "+21 SPB", Rule::ApprovalThreshold),
        // A refused change is refused, never held.
        (ConfirmMode::All, "-4 SPB", Rule::BelowAssigned),
    ] {
        let w = World::new().confirm(mode);
        let d = w.decide(&mail(ADMIN, vec![item(spec)]));
        assert_eq!(d.items[0].rule, want, "{mode:?} {spec}");
        let kind = d.answer.as_ref().unwrap().kind;
        assert_eq!(kind == AnswerKind::Confirm, want == Rule::ConfirmationRequired, "{mode:?} {spec}");
        assert_eq!(d.waits_for_customer(), want == Rule::ConfirmationRequired);
        let valid_until = (want == Rule::ConfirmationRequired).then(|| now() + Duration::hours(48));
        assert_eq!(d.code_expires, valid_until, "a code with the answer, for confirm_code_ttl_hours");
    }
    // No answer (a cap), no code: it could reach nobody.
    let mut w = World::new().confirm(ConfirmMode::All);
    w.answers_today = 10;
    let d = w.decide(&mail(ADMIN, vec![item("+1 SPB")]));
    assert_eq!((d.items[0].rule, d.code_expires), (Rule::ConfirmationRequired, None));
    // Per customer: C2 confirms everything, C1 nothing.
    let mut w = World::new();
    w.policy.confirm.insert("C2".into(), ConfirmMode::All);
    assert_eq!(w.decide(&mail("admin@fabrikam.fr", vec![item("+1 O365_BUSINESS_ESSENTIALS")])).items[0].rule, Rule::ConfirmationRequired);
    assert_eq!(w.decide(&mail(ADMIN, vec![item("+1 SPB")])).items[0].rule, Rule::Increase);
}

#[test]
fn the_answer_carries_what_the_rule_decided() {
    let w = World::new();
    let d = w.decide(&mail(ADMIN, vec![item("+101 SPB"), item("-1 O365_BUSINESS_PREMIUM"), item("-1 SPB"), item("+1 SPB")]));
    let terms: Vec<&Terms> = d.items.iter().map(|i| i.terms.as_ref().unwrap()).collect();
    assert_eq!(terms[0].max, Some(100), "the per-request maximum");
    assert_eq!(terms[1].max, Some(300), "the product's maximum");
    assert_eq!(terms[1].renewal_date, Some(today() - Duration::days(100) + chrono::Months::new(12)));
    assert_eq!((terms[2].effective, terms[3].effective), (Some(Effective::NextBill), Some(Effective::Immediately)));
    assert_eq!(terms[3].max, Some(300), "SPB's catalog maximum");
    assert_eq!((terms[3].assigned, terms[3].threshold, terms[3].billing), (7, 20, Billing::Flexible));
    assert_eq!(d.state, MessageState::Applied);
    assert!(d.reason.contains("FLEX +1 (9 -> 10) applied"), "{}", d.reason);
}

#[test]
fn mail_that_is_never_acted_on() {
    let w = World::new();
    let base = mail(ADMIN, vec![item("+1 SPB")]);
    let with = |f: &dyn Fn(&mut Parsed)| {
        let mut p = base.clone();
        f(&mut p);
        w.decide(&p)
    };
    let cases: [(&str, Decision, MessageState, Option<Attention>); 8] = [
        ("own id", with(&|p| p.message_id = Some("x.seatmail@reseller.example".into())), MessageState::Ignored, None),
        ("auto-reply", with(&|p| p.outcome = Outcome::AutoReply), MessageState::Ignored, None),
        ("bounce", with(&|p| p.outcome = Outcome::Bounce), MessageState::Ignored, None),
        ("our address", with(&|p| p.from = Some(OURS.to_uppercase())), MessageState::Ignored, None),
        ("list", with(&|p| p.meta.list_id = Some("<l.contoso.be>".into())), MessageState::Ignored, None),
        ("bulk", with(&|p| p.meta.precedence = Some(" Bulk".into())), MessageState::Ignored, None),
        ("no From", with(&|p| p.from = None), MessageState::Rejected, None),
        ("stranger", with(&|p| p.from = Some("x@contoso.be".into())), MessageState::Rejected, Some(Attention::UnknownSender)),
    ];
    for (what, d, state, attention) in cases {
        assert_eq!((d.state, d.attention), (state, attention), "{what}: {d:#?}");
        assert!(d.answer.is_none() && d.items.is_empty(), "{what}: never answered");
    }
    let mut strict = World::new();
    strict.trust = TrustConfig { authserv_id: Some("mx.reseller.example".into()), require: TrustRequire::Dmarc };
    let d = strict.decide(&base);
    assert_eq!((d.state, d.attention), (MessageState::Rejected, Some(Attention::Unauthenticated)));
    assert!(d.reason.contains("not authenticated"), "{}", d.reason);
    assert!(d.answer.is_none());
}

#[test]
fn questions_and_mails_for_a_person() {
    let w = World::new();
    let mut p = mail(ADMIN, Vec::new());
    p.outcome = Outcome::Ambiguous;
    p.ask = Some(Ask::Direction);
    let d = w.decide(&p);
    assert_eq!(d.state, MessageState::NeedsReview);
    let plan = d.answer.unwrap();
    assert_eq!((plan.kind, plan.ask, plan.to.as_slice()), (AnswerKind::Clarification, Some(Ask::Direction), [ADMIN.to_string()].as_slice()));
    p.outcome = Outcome::NotARequest;
    let d = w.decide(&p);
    assert_eq!((d.state, d.answer.is_none()), (MessageState::NeedsReview, true));
    // One unclear item: nothing of the mail is applied, the customer is asked.
    let d = w.decide(&mail(ADMIN, vec![item("+1 SPB"), item("+2")]));
    assert_eq!(d.state, MessageState::NeedsReview);
    assert!(d.items.iter().all(|i| i.status == Clarify && i.new_quantity.is_none()));
    assert_eq!(d.answer.unwrap().ask, Some(Ask::Product));
    let d = w.decide(&mail("group@holding.example", vec![item("+1 SPB")]));
    assert_eq!(d.answer.unwrap().ask, Some(Ask::Username));
}

#[test]
fn whom_the_answer_goes_to_and_in_which_language() {
    let w = World::new();
    let d = w.decide(&mail("billing@contoso.be", vec![item("+1 SPB")]));
    let plan = d.answer.unwrap();
    assert_eq!(plan.to, ["billing@contoso.be"]);
    assert_eq!(plan.cc, ["admin@contoso.be", "scoped@contoso.be", "group@holding.example"], "every admin but the sender");
    assert_eq!(plan.language, Language::En, "the customer's");
    let d = w.decide(&mail("admin@fabrikam.fr", vec![item("+1 O365_BUSINESS_ESSENTIALS")]));
    assert_eq!(d.answer.unwrap().language, Language::Fr);
    let mut p = mail("admin@fabrikam.fr", vec![item("+1 O365_BUSINESS_ESSENTIALS")]);
    p.language = Some(Language::Nl);
    assert_eq!(w.decide(&p).answer.unwrap().language, Language::Nl, "the mail's own language first");
}

#[test]
fn answers_stop_at_the_caps_but_the_mail_is_decided() {
    let mut w = World::new();
    w.answers_today = 10;
    let d = w.decide(&mail(ADMIN, vec![item("+1 SPB")]));
    assert_eq!((d.state, d.answer.is_none()), (MessageState::Applied, true));
    assert!(d.reason.contains("not answered: 10 answers to this sender"), "{}", d.reason);
    w.answers_today = 9;
    let mut p = mail(ADMIN, vec![item("+1 SPB")]);
    p.meta.references = (0..5).map(|n| format!("{n}.seatmail@reseller.example")).collect();
    let d = w.decide(&p);
    assert!(d.answer.is_none() && d.reason.contains("5 automatic answers in this thread"), "{}", d.reason);
    p.meta.references.pop();
    assert!(w.decide(&p).answer.is_some(), "4 in the thread: answered");
}

/// A queued mail as the store gives it back to a correction.
fn queued(state: MessageState, attention: Option<Attention>, reviewed: bool) -> resolve::Held {
    resolve::Held { id: 7, state, reason: String::new(), sender: Some(ADMIN.into()), customer_id: None, attention, reviewed, items: Vec::new() }
}

#[test]
fn ops_correct_every_queued_mail_and_nothing_else() {
    let w = World::new();
    let p = mail(ADMIN, Vec::new());
    let snap = w.snapshot(ADMIN, &[item("-2 SPB")]);
    let correct = |held: resolve::Held, items| request::correct(&held, &p, items, "ops:olivia", &snap, &w.ctx());
    let d = correct(queued(MessageState::NeedsReview, None, false), vec![item("-2 SPB")]).unwrap();
    assert_eq!((d.state, d.items[0].rule), (MessageState::Applied, Rule::Decrease));
    assert!(d.reason.starts_with("corrected by ops:olivia: "), "{}", d.reason);
    // A held request read wrongly is decided again: applied, or held again by its rules.
    let d = correct(queued(MessageState::AwaitingApproval, None, false), vec![item("+2 SPB")]).unwrap();
    assert_eq!((d.state, d.items[0].rule), (MessageState::Applied, Rule::Increase));
    let d = correct(queued(MessageState::AwaitingApproval, None, false), vec![item("+30 SPB")]).unwrap();
    assert_eq!((d.state, d.items[0].rule), (MessageState::AwaitingApproval, Rule::ApprovalThreshold));
    assert!(d.waits_for_ops());
    // A flagged mail whose username was misread.
    assert!(correct(queued(MessageState::Rejected, Some(Attention::Flagged), false), vec![item("-2 SPB")]).is_ok());
    for (held, items) in [
        (queued(MessageState::Applied, None, false), vec![item("-2 SPB")]),
        (queued(MessageState::Rejected, None, false), vec![item("-2 SPB")]),
        (queued(MessageState::Rejected, Some(Attention::Flagged), true), vec![item("-2 SPB")]),
        (queued(MessageState::Rejected, Some(Attention::UnknownSender), false), vec![item("-2 SPB")]),
        (queued(MessageState::Rejected, Some(Attention::Unauthenticated), false), vec![item("-2 SPB")]),
        (queued(MessageState::Ignored, None, false), vec![item("-2 SPB")]),
        (queued(MessageState::NeedsReview, None, false), vec![]),
        (queued(MessageState::NeedsReview, None, false), vec![item("+0 SPB")]),
        (queued(MessageState::NeedsReview, None, false), vec![item("=-1 SPB")]),
    ] {
        let state = held.state;
        assert!(correct(held, items).is_err(), "{state}");
    }
}
