//! The dashboard's status pages: the outbox (answers not delivered, failing, dead) and the
//! health page (intake, queue, outbox, errors, and the charts).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Duration, Utc};
use minijinja::context;
use serde::Deserialize;

use super::auth::Auth;
use super::pages::base;
use super::{charts, WebError, WebState};
use crate::domain::OutboxState;
use crate::store::MessageQuery;

type St = State<Arc<WebState>>;

// ---------------------------------------------------------------- outbox

#[derive(Deserialize, Default)]
pub struct OutboxFilter {
    #[serde(default)]
    state: String,
}

pub async fn outbox(State(state): St, auth: Auth, Query(f): Query<OutboxFilter>) -> Result<Response, WebError> {
    // The tabs: one per outbox state, plus the failing ones, all, and by default what is not
    // delivered (pending or dead).
    let (tab, rows) = match (f.state.as_str(), f.state.parse::<OutboxState>()) {
        (_, Ok(s)) => (s.as_str(), state.store.list_outbox(Some(s), 300).await?),
        ("failed", _) => {
            let pending = state.store.list_outbox(Some(OutboxState::Pending), 300).await?;
            ("failed", pending.into_iter().filter(|r| r.last_error.is_some()).collect())
        }
        ("all", _) => ("all", state.store.list_outbox(None, 300).await?),
        _ => ("unsent", state.store.unsent_outbox(300).await?),
    };
    let stats = state.store.outbox_stats().await?;
    let base = base(&state, &auth, "outbox").await;
    state.render("outbox.html.j2", context! { rows => rows, tab => tab, stats => stats, ..base })
}

// ---------------------------------------------------------------- health

pub async fn health(State(state): St, auth: Auth) -> Result<Response, WebError> {
    let now = Utc::now();
    let queue = state.store.queue().await?;
    let oldest = queue.iter().map(|e| e.waiting_since.clone()).min();
    let stats = state.store.outbox_stats().await?;
    let stat = |s: OutboxState| stats.iter().find(|x| x.state == s).map(|x| x.rows).unwrap_or(0);
    let failing = stats.iter().find(|x| x.state == OutboxState::Pending).map(|x| x.failing).unwrap_or(0);
    let retries: i64 = stats.iter().map(|x| x.retries).sum();
    let day_ago = crate::store::ts(now - Duration::hours(24));
    let last_day = state.store.messages_per_day(&day_ago).await?;
    let mut last_day_by_state: BTreeMap<&str, i64> = BTreeMap::new();
    for c in &last_day {
        *last_day_by_state.entry(c.state.as_str()).or_default() += c.n;
    }
    let last_day_total: i64 = last_day_by_state.values().sum();
    let (processed, failures, error_rate, mean_latency) = processing();
    let last_mail = state.store.search_messages(&MessageQuery { limit: 1, ..Default::default() }).await?.into_iter().next();
    let imap = state.config.intake.kind == crate::config::IntakeKind::Imap;
    let last_ok = crate::health::imap_last_ok();
    let imap_last_ok = (last_ok > 0)
        .then(|| chrono::DateTime::from_timestamp(last_ok, 0).map(crate::store::ts))
        .flatten();
    let imap_stale = imap && (last_ok == 0 || now.timestamp() - last_ok > 15 * 60);
    let positions = state.store.imap_status().await?;
    let imap_failing = positions.iter().any(|p| p.failing.is_some());
    let (chart_days, chart_weeks) = charts(&state, now).await?;
    let legend: Vec<(&str, &str)> = charts::STATE_COLORS.iter().map(|(s, c)| (s.as_str(), *c)).collect();
    let intake = intake_label(&state.config);
    let base = base(&state, &auth, "health").await;
    state.render(
        "health.html.j2",
        context! {
            intake => intake,
            imap => imap,
            imap_last_ok => imap_last_ok,
            imap_stale => imap_stale,
            imap_failing => imap_failing,
            imap_reconnects => crate::health::imap_reconnects(),
            positions => positions,
            oldest => oldest,
            pending => stat(OutboxState::Pending),
            dead => stat(OutboxState::Dead),
            sent => stat(OutboxState::Sent),
            failing => failing,
            retries => retries,
            last_day => last_day_by_state,
            last_day_total => last_day_total,
            processed => processed,
            failures => failures,
            error_rate => error_rate,
            mean_latency => mean_latency,
            last_mail => last_mail,
            outbox_kind => format!("{:?}", state.config.outbox.kind).to_lowercase(),
            chart_days => chart_days,
            chart_weeks => chart_weeks,
            legend => legend,
            ..base,
        },
    )
}

/// Mails processed and failed since start, the error rate and the mean processing time.
fn processing() -> (u64, u64, String, String) {
    let (_, processed, latency_sum) = crate::health::processing_histogram();
    let failures = crate::health::processing_failures();
    let error_rate = if processed + failures > 0 {
        format!("{:.1} %", failures as f64 * 100.0 / (processed + failures) as f64)
    } else {
        "–".to_string()
    };
    let mean_latency = if processed > 0 { format!("{:.0} ms", latency_sum * 1000.0 / processed as f64) } else { "–".into() };
    (processed, failures, error_rate, mean_latency)
}

/// Requests per day (two weeks) and seats per week (eight), as inline SVG.
async fn charts(state: &WebState, now: chrono::DateTime<Utc>) -> Result<(minijinja::Value, minijinja::Value), WebError> {
    let today = now.date_naive();
    let since = (today - Duration::days(13)).format("%Y-%m-%d").to_string();
    let per_day = state.store.messages_per_day(&since).await?;
    let week_from = crate::store::ts(
        charts::week_start(today).and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or(now) - Duration::weeks(7),
    );
    let ledger = state.store.seat_changes_since(&week_from).await?;
    Ok((
        minijinja::Value::from_safe_string(charts::requests_per_day(&per_day, today, 14)),
        minijinja::Value::from_safe_string(charts::seats_per_week(&ledger, today, 8)),
    ))
}

fn intake_label(config: &crate::config::Config) -> String {
    match (&config.intake.kind, &config.intake.imap) {
        (crate::config::IntakeKind::Imap, Some(i)) => format!("IMAP {}:{} {}", i.host, i.port.unwrap_or(0), i.folder),
        (crate::config::IntakeKind::Imap, None) => "IMAP".into(),
        (crate::config::IntakeKind::Maildir, _) => format!("Maildir {}", config.intake.maildir.path.display()),
    }
}
