//! `/agreement`: how often ops accepted seatmail's reading of a held request unchanged,
//! corrected it or rejected it, per ISO week, language and kind of change, beside the cautious
//! mode in force.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use minijinja::context;

use super::auth::Auth;
use super::pages::base;
use super::{WebError, WebState};
use crate::agreement::{Agreement, Line};

pub async fn agreement(State(state): State<Arc<WebState>>, auth: Auth) -> Result<Response, WebError> {
    let a = Agreement::count(&state.store.verdicts_on_held().await?);
    let (weeks, languages, kinds) = a.lines();
    let cautious = state.config.policy.cautious.describe();
    let base = base(&state, &auth, "agreement").await;
    state.render(
        "agreement.html.j2",
        context! { all => Line::of("all", &a.all), weeks => weeks, languages => languages, kinds => kinds, cautious => cautious, ..base },
    )
}
