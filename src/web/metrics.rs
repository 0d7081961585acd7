//! `/metrics` in the Prometheus text exposition format, written by hand: a handful of metrics
//! do not need an exporter crate and its global recorder. Counts of rows (messages, answers,
//! vendor jobs) come from the store at scrape time; latencies and reconnects from [`crate::health`].
//!
//! Access: a logged-in session, or `Authorization: Bearer <[web] metrics_token>` for a scraper.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::auth::{self, same_token};
use super::{WebError, WebState};
use crate::agreement::{Agreement, VERDICTS};
use crate::domain::{ChangeKind, JobState, MessageState, OutboxState};
use crate::health;
use crate::parse::Language;

fn allowed(state: &WebState, headers: &HeaderMap) -> bool {
    if let Some(token) = &state.config.web.metrics_token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if same_token(given.trim(), token.expose()) {
            return true;
        }
    }
    false
}

pub async fn metrics(State(state): State<Arc<WebState>>, headers: HeaderMap, session: Option<auth::Auth>) -> Response {
    if session.is_none() && !allowed(&state, &headers) {
        return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], "login or a bearer token required\n")
            .into_response();
    }
    match render(&state).await {
        Ok(text) => ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn render(state: &WebState) -> Result<String, WebError> {
    let mut o = String::new();
    let by_state = state.store.count_by_state().await?;
    let _ = writeln!(o, "# HELP seatmail_messages Mails recorded, by their current outcome.");
    let _ = writeln!(o, "# TYPE seatmail_messages gauge");
    for s in MessageState::ALL {
        let n = by_state.iter().find(|(k, _)| k == s).map(|(_, n)| *n).unwrap_or(0);
        let _ = writeln!(o, "seatmail_messages{{state=\"{}\"}} {n}", s.as_str());
    }
    let queue = state.store.queue_counts().await?.total();
    let _ = writeln!(o, "# HELP seatmail_queue_length Mails waiting for a person (held, needing review, unseen rejections).");
    let _ = writeln!(o, "# TYPE seatmail_queue_length gauge");
    let _ = writeln!(o, "seatmail_queue_length {queue}");

    let (buckets, count, sum) = health::processing_histogram();
    let _ = writeln!(o, "# HELP seatmail_processing_seconds Time to process one mail, intake to committed outcome (since start).");
    let _ = writeln!(o, "# TYPE seatmail_processing_seconds histogram");
    for (bound, n) in health::PROCESSING_BUCKETS.iter().zip(&buckets) {
        let _ = writeln!(o, "seatmail_processing_seconds_bucket{{le=\"{bound}\"}} {n}");
    }
    let _ = writeln!(o, "seatmail_processing_seconds_bucket{{le=\"+Inf\"}} {count}");
    let _ = writeln!(o, "seatmail_processing_seconds_sum {sum}");
    let _ = writeln!(o, "seatmail_processing_seconds_count {count}");
    let _ = writeln!(o, "# HELP seatmail_processing_failures_total Mails whose processing failed and will be retried (since start).");
    let _ = writeln!(o, "# TYPE seatmail_processing_failures_total counter");
    let _ = writeln!(o, "seatmail_processing_failures_total {}", health::processing_failures());

    let stats = state.store.outbox_stats().await?;
    let _ = writeln!(o, "# HELP seatmail_outbox Answers in the outbox, by state.");
    let _ = writeln!(o, "# TYPE seatmail_outbox gauge");
    for s in OutboxState::ALL {
        let n = stats.iter().find(|x| x.state == *s).map(|x| x.rows).unwrap_or(0);
        let _ = writeln!(o, "seatmail_outbox{{state=\"{s}\"}} {n}");
    }
    let _ = writeln!(o, "# HELP seatmail_outbox_retries Delivery attempts after each answer's first, by the answer's state.");
    let _ = writeln!(o, "# TYPE seatmail_outbox_retries gauge");
    for s in OutboxState::ALL {
        let retries = stats.iter().find(|x| x.state == *s).map(|x| x.retries).unwrap_or(0);
        let _ = writeln!(o, "seatmail_outbox_retries{{state=\"{s}\"}} {retries}");
    }

    let jobs = state.store.vendor_job_counts().await?;
    let _ = writeln!(o, "# HELP seatmail_vendor_jobs Applied changes and their way to the vendor ([vendor]), by job state.");
    let _ = writeln!(o, "# TYPE seatmail_vendor_jobs gauge");
    for s in JobState::ALL {
        let n = jobs.iter().find(|(k, _)| k == s).map(|(_, n)| *n).unwrap_or(0);
        let _ = writeln!(o, "seatmail_vendor_jobs{{state=\"{s}\"}} {n}");
    }

    verdicts(&mut o, state).await?;

    let _ = writeln!(o, "# HELP seatmail_imap_reconnects_total IMAP reconnections after an error (since start).");
    let _ = writeln!(o, "# TYPE seatmail_imap_reconnects_total counter");
    let _ = writeln!(o, "seatmail_imap_reconnects_total {}", health::imap_reconnects());
    let _ = writeln!(o, "# HELP seatmail_imap_last_ok_timestamp_seconds Unix time of the last successful IMAP exchange (0: never).");
    let _ = writeln!(o, "# TYPE seatmail_imap_last_ok_timestamp_seconds gauge");
    let _ = writeln!(o, "seatmail_imap_last_ok_timestamp_seconds {}", health::imap_last_ok());
    let failures = health::imap_failures();
    let _ = writeln!(o, "# HELP seatmail_imap_failing 1 while the IMAP intake fails (no session ready since the last failure).");
    let _ = writeln!(o, "# TYPE seatmail_imap_failing gauge");
    let _ = writeln!(o, "seatmail_imap_failing {}", u8::from(failures > 0));
    let _ = writeln!(o, "# HELP seatmail_imap_consecutive_failures IMAP sessions failed in a row (the backoff grows with them).");
    let _ = writeln!(o, "# TYPE seatmail_imap_consecutive_failures gauge");
    let _ = writeln!(o, "seatmail_imap_consecutive_failures {failures}");
    Ok(o)
}

/// Ops' verdicts on seatmail's reading (`/agreement`): every language with zeros, so that a
/// rate over time has its series from the start.
async fn verdicts(o: &mut String, state: &WebState) -> Result<(), WebError> {
    let a = Agreement::count(&state.store.verdicts_on_held().await?);
    let mut languages: BTreeSet<String> = Language::ALL.iter().map(|l| l.code().to_string()).collect();
    languages.extend(a.languages.keys().cloned());
    let _ = writeln!(o, "# HELP seatmail_ops_verdicts_total Requests seatmail understood and held, by ops' first decision and the mail's language.");
    let _ = writeln!(o, "# TYPE seatmail_ops_verdicts_total counter");
    for verdict in VERDICTS {
        for language in &languages {
            let n = a.languages.get(language).map(|t| t.get(verdict)).unwrap_or(0);
            let _ = writeln!(o, "seatmail_ops_verdicts_total{{verdict=\"{verdict}\",language=\"{language}\"}} {n}");
        }
    }
    let _ = writeln!(o, "# HELP seatmail_ops_verdicts_by_kind_total The same, by the kind of change the held request asked for.");
    let _ = writeln!(o, "# TYPE seatmail_ops_verdicts_by_kind_total counter");
    for verdict in VERDICTS {
        for kind in ChangeKind::ALL {
            let n = a.kinds.get(kind.as_str()).map(|t| t.get(verdict)).unwrap_or(0);
            let _ = writeln!(o, "seatmail_ops_verdicts_by_kind_total{{verdict=\"{verdict}\",kind=\"{kind}\"}} {n}");
        }
    }
    Ok(())
}
