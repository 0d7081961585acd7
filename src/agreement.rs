//! How often ops agree with seatmail's reading of a request: of the requests it understood and
//! held, how many ops approved unchanged, corrected or rejected — per ISO week, per language of
//! the mail and per kind of change. A reseller reads it to decide when a kind of change may stop waiting
//! (`[policy.cautious]`).
//!
//! Only a mail's first verdict counts: an approval that follows ops' own correction judges the
//! correction, not seatmail's reading.

use std::collections::{BTreeMap, HashSet};

use chrono::Datelike as _;
use serde::Serialize;

use crate::domain::{ChangeKind, OpsVerdict};
use crate::store::VerdictRow;

/// Verdicts counted together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub approved: i64,
    pub corrected: i64,
    pub rejected: i64,
}

impl Tally {
    fn add(&mut self, verdict: OpsVerdict) {
        match verdict {
            OpsVerdict::Approved => self.approved += 1,
            OpsVerdict::Corrected => self.corrected += 1,
            OpsVerdict::Rejected => self.rejected += 1,
            OpsVerdict::Dismissed | OpsVerdict::Seen => {}
        }
    }

    pub fn total(&self) -> i64 {
        self.approved + self.corrected + self.rejected
    }

    pub fn get(&self, verdict: OpsVerdict) -> i64 {
        match verdict {
            OpsVerdict::Approved => self.approved,
            OpsVerdict::Corrected => self.corrected,
            OpsVerdict::Rejected => self.rejected,
            OpsVerdict::Dismissed | OpsVerdict::Seen => 0,
        }
    }

    /// Approved unchanged, in whole percent of the decisions; none without decisions.
    pub fn agreed_percent(&self) -> Option<i64> {
        (self.total() > 0).then(|| (self.approved * 100 + self.total() / 2) / self.total())
    }
}

/// The verdicts on seatmail's reading (dismissing or seeing a mail judges no reading).
pub const VERDICTS: [OpsVerdict; 3] = [OpsVerdict::Approved, OpsVerdict::Corrected, OpsVerdict::Rejected];

/// The figures: all together, per ISO week (`2026-W48`), per language (`unknown` when the
/// parser detected none) and per kind of change (`increase`, `decrease`, `mixed`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Agreement {
    pub all: Tally,
    pub weeks: BTreeMap<String, Tally>,
    pub languages: BTreeMap<String, Tally>,
    pub kinds: BTreeMap<String, Tally>,
}

impl Agreement {
    /// Count `rows` (oldest first), each mail's first verdict only.
    pub fn count(rows: &[VerdictRow]) -> Agreement {
        let mut seen = HashSet::new();
        let mut a = Agreement::default();
        for r in rows.iter().filter(|r| VERDICTS.contains(&r.verdict)) {
            if !seen.insert(r.message) {
                continue;
            }
            let week = r.at.iso_week();
            a.all.add(r.verdict);
            a.weeks.entry(format!("{}-W{:02}", week.year(), week.week())).or_default().add(r.verdict);
            a.languages.entry(r.language.clone().unwrap_or_else(|| "unknown".into())).or_default().add(r.verdict);
            a.kinds.entry(r.kind.map_or("unknown", ChangeKind::as_str).to_string()).or_default().add(r.verdict);
        }
        a
    }

    /// Rows for a page: the weeks newest first, the languages, the kinds of change.
    pub fn lines(&self) -> (Vec<Line>, Vec<Line>, Vec<Line>) {
        let rows = |m: &BTreeMap<String, Tally>| m.iter().map(|(k, t)| Line::of(k, t)).collect::<Vec<_>>();
        let mut weeks = rows(&self.weeks);
        weeks.reverse();
        (weeks, rows(&self.languages), rows(&self.kinds))
    }
}

/// One row of the page's tables.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub label: String,
    pub approved: i64,
    pub corrected: i64,
    pub rejected: i64,
    pub total: i64,
    pub agreed_percent: Option<i64>,
}

impl Line {
    pub fn of(label: &str, t: &Tally) -> Line {
        Line {
            label: label.to_string(),
            approved: t.approved,
            corrected: t.corrected,
            rejected: t.rejected,
            total: t.total(),
            agreed_percent: t.agreed_percent(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn row(message: i64, verdict: OpsVerdict, language: Option<&str>, day: u32) -> VerdictRow {
        let kind = Some(if message == 3 { ChangeKind::Decrease } else { ChangeKind::Increase });
        VerdictRow { message, verdict, language: language.map(String::from), kind, at: Utc.with_ymd_and_hms(2026, 11, day, 9, 0, 0).unwrap() }
    }

    #[test]
    fn first_verdict_per_mail_per_week_and_language() {
        use OpsVerdict::*;
        let rows = [
            row(1, Approved, Some("fr"), 23), // Monday of 2026-W48
            row(2, Corrected, Some("fr"), 24),
            row(2, Approved, Some("fr"), 24), // ops approve their own correction: not counted
            row(3, Rejected, Some("nl"), 29), // Sunday, still W48
            row(4, Approved, None, 30),       // Monday, W49
            row(5, Seen, Some("en"), 30),     // not a verdict on a reading
        ];
        let a = Agreement::count(&rows);
        assert_eq!(a.all, Tally { approved: 2, corrected: 1, rejected: 1 });
        assert_eq!(a.weeks["2026-W48"], Tally { approved: 1, corrected: 1, rejected: 1 });
        assert_eq!(a.weeks["2026-W49"], Tally { approved: 1, corrected: 0, rejected: 0 });
        assert_eq!(a.languages["fr"], Tally { approved: 1, corrected: 1, rejected: 0 });
        assert_eq!(a.languages["unknown"].approved, 1);
        assert!(!a.languages.contains_key("en"));
        assert_eq!(a.all.agreed_percent(), Some(50));
        assert_eq!(a.weeks["2026-W48"].agreed_percent(), Some(33));
        assert_eq!(Tally::default().agreed_percent(), None);
        assert_eq!(a.kinds["increase"], Tally { approved: 2, corrected: 1, rejected: 0 });
        assert_eq!(a.kinds["decrease"], Tally { approved: 0, corrected: 0, rejected: 1 });
        let (weeks, languages, kinds) = a.lines();
        assert_eq!(kinds.len(), 2);
        assert_eq!(weeks.iter().map(|l| l.label.as_str()).collect::<Vec<_>>(), ["2026-W49", "2026-W48"], "newest first");
        assert_eq!(languages.len(), 3);
    }
}
