//! What reseller ops are told by mail, and when: a notice when something enters the queue or an
//! answer dies, at most `max_notices_per_window` of them per window (the rest of the window's
//! items in one summary when it ends), and a digest once a day. `src/notify/` carries it out.
//!
//! Notices go to the `[ops] notify` addresses only — never to a customer — and never about a
//! mail to ops itself (a dead notice would call for a notice about it, and so on), nor about a
//! mail from the ops mailbox (a reply to a notice is no news to ops).

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};

use crate::config::OpsConfig;
use crate::domain::{Attention, MailKind, MessageState, NoticeKind};

use super::resolve::in_queue;

/// A mail as it was just recorded, as far as ops are concerned.
#[derive(Debug, Clone, Copy)]
pub struct Entered<'a> {
    pub state: MessageState,
    pub attention: Option<Attention>,
    pub sender: Option<&'a str>,
}

/// The notice a mail just recorded calls for: it entered the queue (held for ops or for the
/// customer's code, needing review, or a rejection a person should see).
pub fn on_queued(e: &Entered<'_>, ops: &OpsConfig) -> Option<NoticeKind> {
    if !in_queue(e.state, e.attention, false) || e.sender.is_some_and(|s| is_ops(s, ops)) {
        return None;
    }
    let kind = match (e.state, e.attention) {
        (MessageState::AwaitingApproval, _) => NoticeKind::Held,
        (MessageState::NeedsReview, _) => NoticeKind::Review,
        (_, Some(Attention::Flagged)) => NoticeKind::Flagged,
        (_, Some(Attention::Unauthenticated)) => NoticeKind::Unauthenticated,
        (_, Some(Attention::UnknownSender)) => NoticeKind::UnknownSender,
        _ => return None,
    };
    wanted(kind, ops)
}

/// A held request the customer's code released in part, and whose rest now waits for ops (the
/// daily limit): ops hear of it now, as it was the customer's to release until then.
pub fn on_released(waited_for_ops: bool, waits_for_ops: bool, ops: &OpsConfig) -> Option<NoticeKind> {
    (waits_for_ops && !waited_for_ops).then_some(NoticeKind::Held).and_then(|k| wanted(k, ops))
}

/// An outbox row that died: an answer a customer will not get.
pub fn on_dead(kind: MailKind, ops: &OpsConfig) -> Option<NoticeKind> {
    match kind {
        MailKind::Answer(_) => wanted(NoticeKind::DeadAnswer, ops),
        MailKind::Ops(_) => None,
    }
}

fn wanted(kind: NoticeKind, ops: &OpsConfig) -> Option<NoticeKind> {
    (ops.enabled() && ops.kinds().contains(&kind)).then_some(kind)
}

fn is_ops(address: &str, ops: &OpsConfig) -> bool {
    ops.notify.iter().any(|a| a.eq_ignore_ascii_case(address.trim()))
}

/// The window `now` falls in. Windows follow each other on the clock from the Unix epoch (with
/// 60 minutes: every hour on the hour), so every daemon sharing a store counts the same window.
pub fn window_start(now: DateTime<Utc>, window: Duration) -> DateTime<Utc> {
    let len = window.num_seconds().max(60);
    let start = now.timestamp().div_euclid(len) * len;
    DateTime::from_timestamp(start, 0).unwrap_or(now)
}

/// An event ops have not been told about, as the notifier finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untold {
    pub id: i64,
    /// Its item is still where it was (in the queue, or dead in the outbox).
    pub still_waiting: bool,
    /// Held back by the cap in the window that started then.
    pub held_back_in: Option<DateTime<Utc>>,
}

/// What to do with the untold events now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dispatch {
    /// Told one by one, oldest first.
    pub notices: Vec<i64>,
    /// The last of `notices` is the window's last: it says the rest waits for the summary.
    pub cap_reached: bool,
    /// Kept for the summary of the current window.
    pub hold_back: Vec<i64>,
    /// Listed in one summary now: held back in a window that is over, and still waiting.
    pub summary: Vec<i64>,
    /// Nobody needs telling any more (handled before ops were told).
    pub dropped: Vec<i64>,
    /// The current window, and the notices it has had with these.
    pub window_start: DateTime<Utc>,
    pub noticed: i64,
}

/// The cap: `max` notices per window of `window`; the rest of a window's items in one summary
/// once the window is over. `counted`: the window the store's count is for, and the count.
pub fn dispatch(untold: &[Untold], counted: (Option<DateTime<Utc>>, i64), now: DateTime<Utc>, ops: &OpsConfig) -> Dispatch {
    let window = window_start(now, Duration::minutes(ops.window_minutes));
    let mut d = Dispatch {
        window_start: window,
        noticed: if counted.0 == Some(window) { counted.1 } else { 0 },
        ..Dispatch::default()
    };
    let mut ordered: Vec<&Untold> = untold.iter().collect();
    ordered.sort_by_key(|e| e.id);
    for e in ordered {
        match e.held_back_in {
            Some(w) if w < window && e.still_waiting => d.summary.push(e.id),
            Some(w) if w < window => d.dropped.push(e.id),
            Some(_) => {}
            None if !e.still_waiting => d.dropped.push(e.id),
            None if d.noticed < ops.max_notices_per_window => {
                d.notices.push(e.id);
                d.noticed += 1;
            }
            None => d.hold_back.push(e.id),
        }
    }
    d.cap_reached = !d.notices.is_empty() && d.noticed >= ops.max_notices_per_window;
    d
}

/// The local day (`tz`) whose digest is due at `now`: from `digest_hour` on, once a day (the
/// store's key on the day makes it once, whatever the number of daemons).
pub fn digest_due(now: DateTime<Utc>, tz: chrono_tz::Tz, ops: &OpsConfig) -> Option<NaiveDate> {
    if !ops.enabled() || !ops.digest {
        return None;
    }
    let local = now.with_timezone(&tz);
    (local.hour() >= ops.digest_hour).then(|| local.date_naive())
}
