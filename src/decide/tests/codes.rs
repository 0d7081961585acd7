//! Confirmation codes: found in the mail, usable only by an authenticated admin of the code's
//! customer, once, before it expires.

use super::*;
use crate::decide::code::{self, CodeDecision, Confirmation};
use crate::domain::{Attention, MessageState};

fn record() -> Confirmation {
    Confirmation { id: 3, message: 7, customer_id: "C1".into(), expires_at: now() + Duration::hours(1), used: false }
}

fn confirm(w: &World, from: &str, found: Option<Confirmation>) -> CodeDecision {
    let p = mail(from, Vec::new());
    let contacts = w.snapshot(from, &[]).contacts;
    code::confirm(&p, "SM-ABCD-EFGH", &contacts, found.as_ref(), &w.ctx())
}

fn refused(d: CodeDecision) -> Decision {
    match d {
        CodeDecision::Refused(d) => d,
        other => panic!("accepted: {other:?}"),
    }
}

#[test]
fn who_may_use_a_code_and_when() {
    let w = World::new();
    assert_eq!(
        confirm(&w, "billing@contoso.be", Some(record())),
        CodeDecision::Accepted { confirmation: 3, held: 7, reason: "confirmation code SM-ABCD-EFGH for message 7".into() }
    );
    let at_expiry = Confirmation { expires_at: now(), ..record() };
    assert!(matches!(confirm(&w, "admin@contoso.be", Some(at_expiry)), CodeDecision::Accepted { .. }), "valid up to its expiry");
    for (from, found, rule) in [
        ("admin@contoso.be", None, Rule::CodeUnknown),
        ("admin@contoso.be", Some(Confirmation { used: true, ..record() }), Rule::CodeUsed),
        ("admin@contoso.be", Some(Confirmation { expires_at: now() - Duration::seconds(1), ..record() }), Rule::CodeExpired),
    ] {
        let d = refused(confirm(&w, from, found));
        assert_eq!((d.state, d.items[0].rule), (MessageState::Rejected, rule));
        let plan = d.answer.expect("the admin is told why");
        assert_eq!((plan.kind, plan.to.as_slice()), (AnswerKind::Rejection, [from.to_string()].as_slice()));
    }
    // Silent refusals: not an admin of the code's customer, a stranger, a forgery.
    for from in ["helpdesk@contoso.be", "admin@fabrikam.fr"] {
        let d = refused(confirm(&w, from, Some(record())));
        assert!(d.answer.is_none() && d.attention.is_none() && d.reason.contains("no admin of customer C1"), "{from}: {d:#?}");
    }
    let d = refused(confirm(&w, "intern@contoso.be", Some(record())));
    assert_eq!((d.attention, d.answer.is_none()), (Some(Attention::UnknownSender), true));
    let mut strict = World::new();
    strict.trust = TrustConfig { authserv_id: Some("mx.reseller.example".into()), require: TrustRequire::Dmarc };
    let d = refused(confirm(&strict, "admin@contoso.be", Some(record())));
    assert_eq!((d.state, d.attention), (MessageState::Rejected, Some(Attention::Unauthenticated)), "shown to ops: {d:#?}");
    assert!(d.answer.is_none());
}

#[test]
fn codes_are_found_in_the_subject_or_the_words_but_not_in_robots_mail() {
    let mut p = mail("admin@contoso.be", Vec::new());
    p.meta.subject = Some("RE: Please confirm [sm-7k3q-9xpa] – Re: fewer".into());
    assert_eq!(code::find(&p).as_deref(), Some("SM-7K3Q-9XPA"));
    p.meta.subject = Some("Confirm".into());
    p.meta.text = "Yes: SM-AAAA-BBBB\n".into();
    assert_eq!(code::find(&p).as_deref(), Some("SM-AAAA-BBBB"));
    p.outcome = Outcome::AutoReply;
    assert_eq!(code::find(&p), None);
    assert_eq!(code::hash("sm-aaaa-bbbb"), code::hash("SM-AAAA-BBBB"));
    // An auto-reply carrying a code is ignored like any auto-reply.
    let w = World::new();
    let d = code::confirm(&p, "SM-AAAA-BBBB", &w.snapshot("admin@contoso.be", &[]).contacts, Some(&record()), &w.ctx());
    assert_eq!(refused(d).state, MessageState::Ignored);
}
