//! Small bar charts as inline SVG, drawn on the server from numbers (no JavaScript, no
//! library). Only numbers, dates and fixed words go into the markup.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{Datelike, Duration, NaiveDate};

use crate::domain::MessageState;
use crate::store::{DayCount, LedgerRow};

pub const STATE_COLORS: [(MessageState, &str); 5] = [
    (MessageState::Applied, "#2f7d4f"),
    (MessageState::AwaitingApproval, "#c98a12"),
    (MessageState::NeedsReview, "#3465a4"),
    (MessageState::Rejected, "#b3403a"),
    (MessageState::Ignored, "#9aa0a6"),
];

const W: f64 = 640.0;
const H: f64 = 190.0;
const LEFT: f64 = 34.0;
const BOTTOM: f64 = 22.0;
const TOP: f64 = 10.0;

fn nice_max(v: i64) -> i64 {
    // Steps 1, 2, 5, 10, 20, 50, ...: at most five of them up to the top.
    let v = v.max(1);
    let mut step = 1i64;
    let mut k = 0u32;
    while v > step.saturating_mul(5) {
        step = [2, 5, 10][(k % 3) as usize] * 10i64.saturating_pow(k / 3);
        k += 1;
    }
    (v + step - 1) / step * step
}

fn open(svg: &mut String, label: &str) {
    let _ = write!(
        svg,
        r##"<svg class="chart" viewBox="0 0 {W} {H}" width="100%" role="img" aria-label="{label}" xmlns="http://www.w3.org/2000/svg"><title>{label}</title>"##
    );
}

/// Mails per day by their outcome, stacked, for `days` days ending `today`.
pub fn requests_per_day(counts: &[DayCount], today: NaiveDate, days: i64) -> String {
    let days: Vec<NaiveDate> = (0..days).rev().map(|i| today - Duration::days(i)).collect();
    let mut per: BTreeMap<(String, MessageState), i64> = BTreeMap::new();
    for c in counts {
        *per.entry((c.day.clone(), c.state)).or_default() += c.n;
    }
    let total = |d: &NaiveDate| {
        let key = d.format("%Y-%m-%d").to_string();
        STATE_COLORS.iter().map(|(s, _)| per.get(&(key.clone(), *s)).copied().unwrap_or(0)).sum::<i64>()
    };
    let max = nice_max(days.iter().map(total).max().unwrap_or(0));
    let mut svg = String::new();
    open(&mut svg, "Requests per day by outcome");
    let plot_h = H - TOP - BOTTOM;
    axis(&mut svg, max, plot_h);
    let slot = (W - LEFT - 4.0) / days.len().max(1) as f64;
    let bar = (slot * 0.7).max(2.0);
    for (i, d) in days.iter().enumerate() {
        let key = d.format("%Y-%m-%d").to_string();
        let x = LEFT + 2.0 + i as f64 * slot + (slot - bar) / 2.0;
        let mut y = TOP + plot_h;
        for (state, color) in STATE_COLORS {
            let n = per.get(&(key.clone(), state)).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            let h = n as f64 / max as f64 * plot_h;
            y -= h;
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}" fill="{color}"><title>{key}: {n} {state}</title></rect>"#
            );
        }
        if i % 2 == (days.len() - 1) % 2 {
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle" fill="#555">{}</text>"##,
                x + bar / 2.0,
                H - 6.0,
                d.format("%m-%d")
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

fn axis(svg: &mut String, max: i64, plot_h: f64) {
    for frac in [0.0, 0.5, 1.0] {
        let y = TOP + plot_h - frac * plot_h;
        let v = (max as f64 * frac).round() as i64;
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{W}" y1="{y:.1}" y2="{y:.1}" stroke="#e3e5e8" stroke-width="1"/><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end" fill="#555">{v}</text>"##,
            LEFT - 4.0,
            y + 3.5
        );
    }
}

/// The Monday starting the week of `d`.
pub fn week_start(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// Seats added (up) and removed (down) per week, for `weeks` weeks ending with this one.
pub fn seats_per_week(ledger: &[LedgerRow], today: NaiveDate, weeks: i64) -> String {
    let this_week = week_start(today);
    let starts: Vec<NaiveDate> = (0..weeks).rev().map(|i| this_week - Duration::weeks(i)).collect();
    let mut added: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    let mut removed: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    for l in ledger {
        let Some(day) = crate::store::parse_ts(&l.created_at).map(|t| t.date_naive()) else { continue };
        let w = week_start(day);
        let diff = l.new_quantity - l.old_quantity;
        if diff > 0 {
            *added.entry(w).or_default() += diff;
        } else {
            *removed.entry(w).or_default() += -diff;
        }
    }
    let max = nice_max(
        starts.iter().map(|w| added.get(w).copied().unwrap_or(0).max(removed.get(w).copied().unwrap_or(0))).max().unwrap_or(0),
    );
    let mut svg = String::new();
    open(&mut svg, "Seats added and removed per week");
    let half = (H - TOP - BOTTOM) / 2.0;
    let zero = TOP + half;
    for (frac, v) in [(1.0, max), (0.0, 0), (-1.0, -max)] {
        let y = zero - frac * half;
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{W}" y1="{y:.1}" y2="{y:.1}" stroke="{}" stroke-width="1"/><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end" fill="#555">{v:+}</text>"##,
            if v == 0 { "#9aa0a6" } else { "#e3e5e8" },
            LEFT - 4.0,
            y + 3.5
        );
    }
    let slot = (W - LEFT - 4.0) / starts.len().max(1) as f64;
    let bar = (slot * 0.6).max(2.0);
    for (i, w) in starts.iter().enumerate() {
        let x = LEFT + 2.0 + i as f64 * slot + (slot - bar) / 2.0;
        let a = added.get(w).copied().unwrap_or(0);
        let r = removed.get(w).copied().unwrap_or(0);
        let label = w.format("%Y-%m-%d");
        if a > 0 {
            let h = a as f64 / max as f64 * half;
            let _ = write!(
                svg,
                r##"<rect x="{x:.1}" y="{:.1}" width="{bar:.1}" height="{h:.1}" fill="#2f7d4f"><title>week of {label}: +{a} seats</title></rect>"##,
                zero - h
            );
        }
        if r > 0 {
            let h = r as f64 / max as f64 * half;
            let _ = write!(
                svg,
                r##"<rect x="{x:.1}" y="{zero:.1}" width="{bar:.1}" height="{h:.1}" fill="#b3403a"><title>week of {label}: -{r} seats</title></rect>"##
            );
        }
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle" fill="#555">{}</text>"##,
            x + bar / 2.0,
            H - 6.0,
            w.format("%m-%d")
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_svg_with_bars() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 11).unwrap();
        let counts = vec![
            DayCount { day: "2026-03-11".into(), state: MessageState::Applied, n: 3 },
            DayCount { day: "2026-03-10".into(), state: MessageState::Rejected, n: 1 },
        ];
        let svg = requests_per_day(&counts, today, 14);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("2026-03-11: 3 applied"), "{svg}");
        let ledger = vec![LedgerRow {
            id: 1,
            subscription_id: "S".into(),
            actor: "a".into(),
            old_quantity: 10,
            new_quantity: 7,
            rule: crate::decide::Rule::Decrease,
            created_at: "2026-03-10T10:00:00.000Z".into(),
            note: None,
        }];
        let svg = seats_per_week(&ledger, today, 8);
        assert!(svg.contains("week of 2026-03-09: -3 seats"), "{svg}");
        assert_eq!(week_start(today), NaiveDate::from_ymd_opt(2026, 3, 9).unwrap());
        for v in [1, 4, 5, 7, 12, 95, 230] {
            assert!(nice_max(v) >= v);
        }
    }
}
