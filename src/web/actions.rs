//! The dashboard's actions: approve, reject, correct a queued mail, retry a dead answer. Every
//! one checks the form's CSRF token and needs an operator; it goes through the same
//! [`crate::apply::Processor`] as the CLI (the ledger and the decisions say `ops:NAME`, with the
//! note), and answers with a redirect and a one-time message saying who did what.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::auth::{safe_next, Auth};
use super::{WebError, WebState};
use crate::apply::{ApplyError, Processed};
use crate::store::StoreError;

type St = State<Arc<WebState>>;

#[derive(Deserialize, Default)]
pub struct NoteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    back: String,
}

fn opt_note(note: &str) -> Option<String> {
    let n = note.trim();
    (!n.is_empty()).then(|| n.chars().take(2000).collect())
}

/// The outcome of an action as a one-time message, then back where the person was.
pub(super) async fn settle(state: &WebState, auth: &Auth, back: &str, result: Result<String, WebError>) -> Result<Response, WebError> {
    let (ok, text) = match result {
        Ok(text) => (true, text),
        Err(WebError::Apply(ApplyError::Refused(why))) | Err(WebError::BadRequest(why)) => (false, why),
        Err(WebError::Store(StoreError::NotFound(why) | StoreError::Conflict(why)))
        | Err(WebError::Apply(ApplyError::Store(StoreError::NotFound(why) | StoreError::Conflict(why)))) => (false, why),
        Err(e) => return Err(e),
    };
    state.sessions.flash(&auth.sid, ok, text).await?;
    Ok(Redirect::to(&safe_next(back)).into_response())
}

/// "Message 12 rejected: rejected — rejected by ops:olivia: … · note: Budget freeze".
fn told(id: i64, verb: &str, p: &Processed, note: Option<&str>) -> String {
    let note = note.map(|n| format!(" · note: {n}")).unwrap_or_default();
    format!("Message {id} {verb}: {} — {}{note}", p.state, p.reason)
}

pub async fn approve(State(state): St, auth: Auth, Path(id): Path<i64>, Form(f): Form<NoteForm>) -> Result<Response, WebError> {
    decide(&state, &auth, id, f, true).await
}

pub async fn reject(State(state): St, auth: Auth, Path(id): Path<i64>, Form(f): Form<NoteForm>) -> Result<Response, WebError> {
    decide(&state, &auth, id, f, false).await
}

/// Approve, or reject (dismiss a mail needing review, mark a rejection seen), with the note.
async fn decide(state: &WebState, auth: &Auth, id: i64, f: NoteForm, approve: bool) -> Result<Response, WebError> {
    auth.check(&f.csrf, true)?;
    let note = opt_note(&f.note);
    let (verb, r) = if approve {
        ("approved", state.processor.approve(id, &auth.user, note.as_deref()).await)
    } else {
        ("rejected", state.processor.reject(id, &auth.user, note.as_deref()).await)
    };
    if let Ok(p) = &r {
        tracing::info!(user = %auth.user, id, state = %p.state, "dashboard: {verb}");
    }
    let r = r.map(|p| told(id, verb, &p, note.as_deref())).map_err(WebError::from);
    settle(state, auth, &f.back, r).await
}

/// The correction form's fields: `csrf`, `note`, `back`, and per row N `username.N`,
/// `product.N`, `change.N` (row 0 also without the `.0`). A row without a change is left out.
fn correction_items(state: &WebState, fields: &[(String, String)]) -> Result<Vec<crate::parse::Item>, WebError> {
    let mut rows: std::collections::BTreeMap<usize, [String; 3]> = Default::default();
    for (k, v) in fields {
        let (name, n) = k.split_once('.').map(|(a, b)| (a, b.parse::<usize>().ok())).unwrap_or((k.as_str(), Some(0)));
        let (Some(n), Some(slot)) = (n, ["username", "product", "change"].iter().position(|f| *f == name)) else { continue };
        if n < 20 {
            rows.entry(n).or_default()[slot] = v.trim().to_string();
        }
    }
    let mut items = Vec::new();
    for [username, product, change] in rows.into_values().filter(|r| !r[2].is_empty()) {
        let change = crate::cli::parse_change(&change).map_err(WebError::BadRequest)?;
        let product = Some(product.to_ascii_uppercase()).filter(|p| !p.is_empty());
        if let Some(p) = &product {
            if state.catalog.get(p).is_none() {
                return Err(WebError::BadRequest(format!("`{p}` is not a product SKU of the catalog")));
            }
        }
        let username = Some(username.to_ascii_lowercase()).filter(|u| !u.is_empty());
        if let Some(u) = &username {
            if !crate::config::is_address(u) {
                return Err(WebError::BadRequest(format!("`{u}` is not a username like name@tenant.onmicrosoft.com")));
            }
        }
        items.push(crate::parse::Item { username, change, product });
    }
    if items.is_empty() {
        return Err(WebError::BadRequest("a correction needs a change (+3, -2 or =15)".into()));
    }
    Ok(items)
}

pub async fn correct(State(state): St, auth: Auth, Path(id): Path<i64>, Form(fields): Form<Vec<(String, String)>>) -> Result<Response, WebError> {
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("");
    auth.check(field("csrf"), true)?;
    let note = opt_note(field("note"));
    let r = async {
        let items = correction_items(&state, &fields)?;
        let p = state.processor.correct(id, &auth.user, items, note.as_deref()).await?;
        tracing::info!(user = %auth.user, id, state = %p.state, "dashboard: corrected");
        Ok(told(id, "corrected", &p, note.as_deref()))
    }
    .await;
    settle(&state, &auth, field("back"), r).await
}

pub async fn retry(State(state): St, auth: Auth, Path(id): Path<i64>, Form(f): Form<NoteForm>) -> Result<Response, WebError> {
    auth.check(&f.csrf, true)?;
    let r = state.store.retry_outbox(id).await.map_err(WebError::from).map(|()| {
        state.processor.outbox_wake.notify_one();
        tracing::info!(user = %auth.user, id, "dashboard: answer queued again");
        format!("Answer {id} is queued again (by {}).", auth.user)
    });
    let back = if f.back.is_empty() { "/outbox".to_string() } else { f.back.clone() };
    settle(&state, &auth, &back, r).await
}
