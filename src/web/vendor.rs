//! The vendor on the dashboard: a message's jobs and their state on its page, the failed jobs in
//! the queue with a retry (operators only, with the form's CSRF token, like every action).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;

use super::auth::Auth;
use super::actions::settle;
use super::{WebError, WebState};
use crate::domain::JobState;
use crate::store::JobRow;

/// A message's jobs, oldest first (none without a vendor).
pub(super) async fn jobs_of(state: &WebState, message: i64) -> Result<Vec<JobRow>, WebError> {
    Ok(state.store.vendor_jobs_of_message(message).await?)
}

/// Jobs that gave up and wait for a person.
pub(super) async fn failed(state: &WebState) -> Result<Vec<JobRow>, WebError> {
    Ok(state.store.vendor_jobs(&[JobState::Failed], 300).await?)
}

#[derive(Deserialize, Default)]
pub struct RetryForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    back: String,
}

pub async fn retry(State(state): State<Arc<WebState>>, auth: Auth, Path(id): Path<i64>, Form(f): Form<RetryForm>) -> Result<Response, WebError> {
    auth.check(&f.csrf, true)?;
    let r = state.store.retry_vendor_job(id).await.map_err(WebError::from).map(|()| {
        state.processor.vendor_wake.notify_one();
        tracing::info!(user = %auth.user, job = id, "dashboard: vendor job sent again");
        format!("Vendor job {id} is due again: it reads the subscription back, then sends the change if it is still needed.")
    });
    let back = if f.back.is_empty() { "/".to_string() } else { f.back.clone() };
    settle(&state, &auth, &back, r).await
}
