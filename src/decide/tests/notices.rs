//! What ops are told: which items, never to or about ops themselves, a flood capped into one
//! summary per window, and the digest once a day at its local hour.

use chrono::{Duration, NaiveDate, TimeZone, Utc};

use crate::config::OpsConfig;
use crate::decide::notify::{digest_due, dispatch, on_dead, on_queued, on_released, window_start, Entered, Untold};
use crate::domain::{AnswerKind, Attention, MailKind, MessageState, NoticeKind, OpsMailKind};

fn ops() -> OpsConfig {
    OpsConfig { notify: vec!["ops@reseller.test".into()], ..OpsConfig::default() }
}

fn entered(state: MessageState, attention: Option<Attention>) -> Entered<'static> {
    Entered { state, attention, sender: Some("admin@contoso.be") }
}

#[test]
fn what_enters_the_queue_is_notified_and_nothing_else() {
    let o = ops();
    for (state, attention, want) in [
        (MessageState::AwaitingApproval, None, Some(NoticeKind::Held)),
        (MessageState::NeedsReview, None, Some(NoticeKind::Review)),
        (MessageState::Rejected, Some(Attention::Flagged), Some(NoticeKind::Flagged)),
        (MessageState::Rejected, Some(Attention::Unauthenticated), Some(NoticeKind::Unauthenticated)),
        (MessageState::Rejected, Some(Attention::UnknownSender), Some(NoticeKind::UnknownSender)),
        (MessageState::Rejected, None, None),
        (MessageState::Applied, None, None),
        (MessageState::Ignored, None, None),
    ] {
        assert_eq!(on_queued(&entered(state, attention), &o), want, "{state} {attention:?}");
    }
    // Nobody to tell, or a kind ops did not ask for.
    assert_eq!(on_queued(&entered(MessageState::NeedsReview, None), &OpsConfig::default()), None);
    let mut some = ops();
    some.notify_on = vec!["held".into(), "dead_answer".into()];
    assert_eq!(on_queued(&entered(MessageState::NeedsReview, None), &some), None);
    assert_eq!(on_queued(&entered(MessageState::AwaitingApproval, None), &some), Some(NoticeKind::Held));
    // A mail from the ops mailbox (a reply to a notice) is no news to ops.
    let reply = Entered { sender: Some("OPS@reseller.test"), ..entered(MessageState::Rejected, Some(Attention::UnknownSender)) };
    assert_eq!(on_queued(&reply, &o), None);
}

#[test]
fn dead_answers_are_notified_but_never_a_dead_mail_to_ops() {
    let o = ops();
    assert_eq!(on_dead(MailKind::Answer(AnswerKind::Confirmation), &o), Some(NoticeKind::DeadAnswer));
    for k in OpsMailKind::ALL {
        assert_eq!(on_dead(MailKind::Ops(*k), &o), None, "{k}: no notice about a notice");
    }
    assert_eq!(on_dead(MailKind::Answer(AnswerKind::Rejection), &OpsConfig::default()), None);
    // A code's confirmation that leaves the rest waiting for ops: now it is ops' to see.
    assert_eq!(on_released(false, true, &o), Some(NoticeKind::Held));
    assert_eq!(on_released(true, true, &o), None);
    assert_eq!(on_released(false, false, &o), None);
}

fn untold(id: i64) -> Untold {
    Untold { id, still_waiting: true, held_back_in: None }
}

#[test]
fn a_flood_is_capped_per_window_and_summarised_once_the_window_is_over() {
    let mut o = ops();
    o.max_notices_per_window = 3;
    let t = Utc.with_ymd_and_hms(2026, 11, 24, 10, 20, 0).unwrap();
    let hour = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
    assert_eq!(window_start(t, Duration::minutes(60)), hour);
    assert_eq!(window_start(t, Duration::minutes(15)), Utc.with_ymd_and_hms(2026, 11, 24, 10, 15, 0).unwrap());

    // 500 at once: three notices, the last saying so; the rest waits for the summary.
    let flood: Vec<Untold> = (1..=500).rev().map(untold).collect();
    let d = dispatch(&flood, (None, 0), t, &o);
    assert_eq!(d.notices, vec![1, 2, 3]);
    assert!(d.cap_reached);
    assert_eq!(d.hold_back.len(), 497);
    assert!(d.summary.is_empty() && d.dropped.is_empty());
    assert_eq!((d.window_start, d.noticed), (hour, 3));

    // Later in the same window: nothing more is told, one more is held back.
    let mut later: Vec<Untold> = d.hold_back.iter().map(|&id| Untold { held_back_in: Some(hour), ..untold(id) }).collect();
    later.push(untold(501));
    let d2 = dispatch(&later, (Some(hour), 3), t + Duration::minutes(5), &o);
    assert!(d2.notices.is_empty() && d2.summary.is_empty());
    assert_eq!(d2.hold_back, vec![501]);

    // The next window: one summary of what still waits; the handled ones are dropped; a new
    // item gets its own notice again.
    later.last_mut().unwrap().held_back_in = Some(hour);
    later[0].still_waiting = false;
    later.push(untold(502));
    let d3 = dispatch(&later, (Some(hour), 3), hour + Duration::minutes(61), &o);
    assert_eq!(d3.summary.len(), 497, "one summary: 498 held back, one handled meanwhile");
    assert_eq!(d3.dropped, vec![4]);
    assert_eq!(d3.notices, vec![502]);
    assert!(!d3.cap_reached);
    assert_eq!((d3.window_start, d3.noticed), (hour + Duration::minutes(60), 1));

    // An item handled before anyone was told is not told.
    let gone = Untold { still_waiting: false, ..untold(9) };
    let d4 = dispatch(&[gone], (None, 0), t, &o);
    assert_eq!((d4.notices.len(), d4.dropped.clone()), (0, vec![9]));
}

#[test]
fn the_digest_is_due_from_its_local_hour_once_a_day() {
    let o = ops();
    let brussels = chrono_tz::Europe::Brussels;
    // 08:00 in Brussels is 07:00 UTC in winter, 06:00 in summer.
    let winter = |h, m| Utc.with_ymd_and_hms(2026, 11, 24, h, m, 0).unwrap();
    assert_eq!(digest_due(winter(6, 59), brussels, &o), None);
    assert_eq!(digest_due(winter(7, 0), brussels, &o), NaiveDate::from_ymd_opt(2026, 11, 24));
    assert_eq!(digest_due(winter(22, 59), brussels, &o), NaiveDate::from_ymd_opt(2026, 11, 24), "late, but the same day");
    assert_eq!(digest_due(winter(23, 30), brussels, &o), None, "00:30 the next day in Brussels: before its hour");
    let summer = Utc.with_ymd_and_hms(2026, 7, 1, 6, 0, 0).unwrap();
    assert_eq!(digest_due(summer, brussels, &o), NaiveDate::from_ymd_opt(2026, 7, 1));
    assert_eq!(digest_due(winter(9, 0), brussels, &OpsConfig { digest: false, ..ops() }), None);
    assert_eq!(digest_due(winter(9, 0), brussels, &OpsConfig::default()), None, "nobody to tell");
}
