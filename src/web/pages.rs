//! The dashboard's pages, and the login. Every handler takes the logged-in [`Auth`] (pages
//! without a session redirect to the login); the actions are in `actions.rs`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{Datelike, NaiveDate, Utc};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::auth::{self, safe_next, Auth, LOGIN_COOKIE, SESSION_COOKIE};
use super::{correction, mailview, WebError, WebState};
use crate::config::WebRole;
use crate::decide::policy::{product_max, renewal_date, shrink, Shrink};
use crate::decide::resolve::{may_approve, may_correct};
use crate::decide::Rule;
use crate::domain::{ItemStatus, MessageState};
use crate::store::{ItemRow, MessageQuery, MessageRow};

type St = State<Arc<WebState>>;

/// What every page shows around its content: who is logged in, the CSRF token for its forms,
/// the one-time message, the queue's length in the navigation (the sum of its breakdown).
pub(super) async fn base(state: &WebState, auth: &Auth, nav: &str) -> minijinja::Value {
    let counts = state.store.queue_counts().await.unwrap_or_default();
    context! {
        me => auth.user,
        role => auth.role.as_str(),
        operator => auth.is_operator(),
        csrf => auth.csrf,
        flash => auth.flash,
        nav => nav,
        queue_count => counts.total(),
        queue_counts => counts,
    }
}

// ---------------------------------------------------------------- login

#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

#[derive(Deserialize, Default)]
pub struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

fn login_page(
    state: &WebState,
    status: StatusCode,
    token: &str,
    next: &str,
    name: &str,
    error: Option<&str>,
) -> Result<Response, WebError> {
    let mut r = state.render("login.html.j2", context! { csrf => token, next => next, name => name, error => error })?;
    *r.status_mut() = status;
    let cookie = auth::set_cookie(LOGIN_COOKIE, token, "/login", Some(3600), state.config.web.secure_cookies);
    if let Ok(v) = cookie.parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r)
}

pub async fn login_form(State(state): St, Query(q): Query<NextQuery>) -> Result<Response, WebError> {
    login_page(&state, StatusCode::OK, &auth::random_token(), &safe_next(&q.next), "", None)
}

/// The role of `name` if `password` is right: config users first, then `seatmail user add` ones.
async fn check_password(state: &WebState, name: &str, password: &str) -> Result<Option<WebRole>, WebError> {
    let (hash, role) = match state.config.web.users.iter().find(|u| u.name == name) {
        Some(u) => (Some(u.password_hash.expose().to_string()), Some(u.role)),
        None => match state.store.user(name).await? {
            Some(u) => (Some(u.password_hash), Some(u.role)),
            None => (None, None),
        },
    };
    let known = hash.is_some();
    let hash = hash.unwrap_or_else(|| state.dummy_hash.clone());
    let password = password.to_string();
    // argon2 is deliberately slow: off the async workers.
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash)).await.unwrap_or(false);
    Ok(if ok && known { role } else { None })
}

pub async fn login(
    State(state): St,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, WebError> {
    let next = safe_next(&f.next);
    let name = f.name.trim().to_string();
    let Some(token) = auth::cookie(&headers, LOGIN_COOKIE).filter(|c| auth::same_token(c, &f.csrf)) else {
        return login_page(
            &state,
            StatusCode::FORBIDDEN,
            &auth::random_token(),
            &next,
            &name,
            Some("The login form expired. Please try again."),
        );
    };
    let ip = peer.ip();
    let blocked = state.limiter.lock().map(|mut l| l.blocked(&name, ip)).unwrap_or(true);
    if blocked {
        tracing::warn!(user = %name, %ip, "dashboard login refused: too many failures");
        return login_page(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            &token,
            &next,
            &name,
            Some("Too many failed logins. Wait 15 minutes, then try again."),
        );
    }
    match check_password(&state, &name, &f.password).await? {
        Some(role) => {
            if let Ok(mut l) = state.limiter.lock() {
                l.succeeded(&name);
            }
            tracing::info!(user = %name, %ip, role = role.as_str(), "dashboard login");
            let sid = state.sessions.create(&name).await?;
            let secure = state.config.web.secure_cookies;
            let mut r = Redirect::to(&next).into_response();
            for c in [
                auth::set_cookie(SESSION_COOKIE, &sid, "/", None, secure),
                auth::set_cookie(LOGIN_COOKIE, "", "/login", Some(0), secure),
            ] {
                if let Ok(v) = c.parse() {
                    r.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            Ok(r)
        }
        None => {
            if let Ok(mut l) = state.limiter.lock() {
                l.failed(&name, ip);
            }
            tracing::warn!(user = %name, %ip, "dashboard login failed");
            login_page(&state, StatusCode::UNAUTHORIZED, &token, &next, &name, Some("Wrong name or password."))
        }
    }
}

#[derive(Deserialize, Default)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(State(state): St, auth: Auth, Form(f): Form<CsrfForm>) -> Result<Response, WebError> {
    auth.check(&f.csrf, false)?;
    state.sessions.remove(&auth.sid).await?;
    let mut r = Redirect::to("/login").into_response();
    let c = auth::set_cookie(SESSION_COOKIE, "", "/", Some(0), state.config.web.secure_cookies);
    if let Ok(v) = c.parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r)
}

// ---------------------------------------------------------------- queue

#[derive(Serialize)]
struct Card {
    id: i64,
    key: String,
    state: MessageState,
    customer_id: Option<String>,
    customer_name: Option<String>,
    from: Option<String>,
    subject: Option<String>,
    received_at: String,
    /// The mail's own date (or its arrival): "waiting" counts from it.
    waiting_since: String,
    reason: String,
    items: Vec<ItemView>,
    outcome: String,
    language: String,
    parse_reason: String,
    snippet: String,
    can_approve: bool,
    can_correct: bool,
    correction: correction::CorrectionForm,
}

#[derive(Serialize)]
struct ItemView {
    username: Option<String>,
    product: Option<String>,
    product_name: Option<String>,
    change: String,
    subscription_id: Option<String>,
    status: ItemStatus,
    rule: Rule,
    old_quantity: Option<i64>,
    new_quantity: Option<i64>,
}

fn change_text(delta: Option<i64>, target: Option<i64>) -> String {
    match (delta, target) {
        (Some(d), _) => format!("{d:+}"),
        (None, Some(t)) => format!("={t}"),
        _ => "?".into(),
    }
}

fn item_view(state: &WebState, i: &ItemRow) -> ItemView {
    ItemView {
        username: i.username.clone(),
        product_name: i.product.as_deref().map(|p| state.catalog.name_of(p)),
        product: i.product.clone(),
        change: change_text(i.delta, i.target),
        subscription_id: i.subscription_id.clone(),
        status: i.status,
        rule: i.rule,
        old_quantity: i.old_quantity,
        new_quantity: i.new_quantity,
    }
}

fn json_str(v: &serde_json::Value, k: &str) -> String {
    v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string()
}

async fn customer_names(state: &WebState) -> BTreeMap<String, String> {
    state.store.customers_overview().await.map(|c| c.into_iter().map(|c| (c.id, c.name)).collect()).unwrap_or_default()
}

/// May ops correct this mail now (it is in the queue)?
fn correctable(m: &MessageRow) -> bool {
    may_correct(m.state, m.attention, m.reviewed_at.is_some())
}

pub async fn queue(State(state): St, auth: Auth) -> Result<Response, WebError> {
    let names = customer_names(&state).await;
    let mut cards = Vec::new();
    for e in state.store.queue().await? {
        let d = state.store.message_detail(&e.key).await?;
        let snippet: String = json_str(&d.parsed, "text").chars().take(600).collect();
        cards.push(Card {
            id: e.id,
            customer_name: e.customer_id.as_ref().and_then(|c| names.get(c).cloned()),
            customer_id: e.customer_id,
            key: e.key,
            can_approve: may_approve(e.state),
            can_correct: correctable(&d.message),
            correction: correction::form(&state, &d.message, &d.items, &d.parsed).await?,
            state: e.state,
            from: e.from,
            subject: e.subject,
            received_at: e.received_at,
            waiting_since: e.waiting_since,
            reason: e.reason,
            items: d.items.iter().map(|i| item_view(&state, i)).collect(),
            outcome: json_str(&d.parsed, "outcome"),
            language: json_str(&d.parsed, "language"),
            parse_reason: json_str(&d.parsed, "reason"),
            snippet,
        });
    }
    let base = base(&state, &auth, "queue").await;
    let vendor_failed = super::vendor::failed(&state).await?;
    state.render("queue.html.j2", context! { cards => cards, vendor_failed => vendor_failed, ..base })
}

// ---------------------------------------------------------------- messages

#[derive(Deserialize, Default, Serialize)]
pub struct MessageFilter {
    #[serde(default)]
    q: String,
    #[serde(default)]
    customer: String,
    #[serde(default)]
    sender: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    until: String,
}

fn day(s: &str, what: &str, problems: &mut Vec<String>) -> Option<NaiveDate> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            problems.push(format!("{what}: `{s}` is not a date like 2026-03-01 (ignored)"));
            None
        }
    }
}

/// A line of the message list: the mail, its customer's name, the last person's decision.
#[derive(Serialize)]
struct ListRow {
    #[serde(flatten)]
    message: MessageRow,
    customer_name: Option<String>,
    decision: Option<crate::store::DecisionRow>,
}

pub async fn messages(State(state): St, auth: Auth, Query(f): Query<MessageFilter>) -> Result<Response, WebError> {
    let mut problems = Vec::new();
    let since = day(&f.since, "from", &mut problems);
    let until = day(&f.until, "to", &mut problems);
    let st = f.state.trim();
    let wanted = match st {
        "" => None,
        s => match s.parse::<MessageState>() {
            Ok(state) => Some(state),
            Err(_) => {
                problems.push(format!("state `{st}` is unknown (ignored)"));
                None
            }
        },
    };
    let q = MessageQuery {
        text: f.q.chars().take(200).collect(),
        customer: f.customer.chars().take(100).collect(),
        sender: f.sender.chars().take(200).collect(),
        state: wanted,
        since,
        until,
        limit: 300,
    };
    let rows = state.store.search_messages(&q).await?;
    let names = customer_names(&state).await;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let decisions = state.store.last_decisions(&ids).await?;
    let rows: Vec<ListRow> = rows
        .into_iter()
        .map(|m| ListRow {
            customer_name: m.customer_id.as_ref().and_then(|c| names.get(c).cloned()),
            decision: decisions.get(&m.id).cloned(),
            message: m,
        })
        .collect();
    let states: Vec<&str> = MessageState::ALL.iter().map(|s| s.as_str()).collect();
    let base = base(&state, &auth, "messages").await;
    state.render(
        "messages.html.j2",
        context! { rows => rows, filter => f, problems => problems, states => states, customers => names, ..base },
    )
}

pub async fn message(State(state): St, auth: Auth, Path(key): Path<String>) -> Result<Response, WebError> {
    if key.len() < 6 || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(WebError::NotFound(format!("no message with key {key}")));
    }
    let d = state.store.message_detail(&key).await?;
    let mail = mailview::view(&d.raw);
    let queued = correctable(&d.message);
    let correction = correction::form(&state, &d.message, &d.items, &d.parsed).await?;
    let items: Vec<ItemView> = d.items.iter().map(|i| item_view(&state, i)).collect();
    let parsed_items: Vec<String> = d
        .parsed
        .get("items")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .map(|i| {
                    let change = change_text(i.get("delta").and_then(|x| x.as_i64()), i.get("target").and_then(|x| x.as_i64()));
                    let product = match i.get("product").and_then(|x| x.as_str()) {
                        Some(sku) => format!("{} ({sku})", state.catalog.name_of(sku)),
                        None => "(product not named)".into(),
                    };
                    let user = i.get("username").and_then(|x| x.as_str()).unwrap_or("(the sender's tenant)");
                    format!("{change} {product} for {user}")
                })
                .collect()
        })
        .unwrap_or_default();
    let customer_name = match &d.message.customer_id {
        Some(c) => customer_names(&state).await.get(c).cloned(),
        None => None,
    };
    let vendor_jobs = super::vendor::jobs_of(&state, d.message.id).await?;
    let base = base(&state, &auth, "messages").await;
    state.render(
        "message.html.j2",
        context! {
            msg_id => d.message.id,
            msg => d.message,
            source => d.source,
            source_id => d.source_id,
            outcome => json_str(&d.parsed, "outcome"),
            language => json_str(&d.parsed, "language"),
            parse_reason => json_str(&d.parsed, "reason"),
            ask => json_str(&d.parsed, "ask"),
            parsed_items => parsed_items,
            items => items,
            ledger => d.ledger,
            answers => d.answers,
            decisions => d.decisions,
            mail => mail,
            vendor_jobs => vendor_jobs,
            queued => queued,
            customer_name => customer_name,
            correction => correction,
            ..base,
        },
    )
}

// ---------------------------------------------------------------- customers

pub async fn customers(State(state): St, auth: Auth) -> Result<Response, WebError> {
    let rows = state.store.customers_overview().await?;
    let subs: Vec<SubName> = state
        .store
        .list_subscriptions(None)
        .await?
        .into_iter()
        .map(|s| SubName { product_name: state.catalog.name_of(&s.product), row: s })
        .collect();
    let base = base(&state, &auth, "customers").await;
    state.render("customers.html.j2", context! { customers => rows, subs => subs, ..base })
}

/// A subscription with its product's name (people know "Business Standard", not its SKU).
#[derive(Serialize)]
struct SubName {
    #[serde(flatten)]
    row: crate::store::SubscriptionListRow,
    product_name: String,
}

#[derive(Serialize)]
struct SubView {
    #[serde(flatten)]
    row: crate::store::SubscriptionListRow,
    product_name: String,
    renews: String,
    window: String,
    max_seats: Option<i64>,
    /// `w0` … `w100`: the assigned share, in tens of percent, for the bar.
    used_class: String,
}

#[derive(Serialize)]
struct ContactView<'a> {
    #[serde(flatten)]
    row: &'a crate::store::ContactRow,
    buys_seats: bool,
}

pub async fn customer(State(state): St, auth: Auth, Path(id): Path<String>) -> Result<Response, WebError> {
    let Some(c) = state.store.customer_view(&id).await? else {
        return Err(WebError::NotFound(format!("no customer {id}")));
    };
    let today = Utc::now().date_naive();
    let policy = &state.config.policy;
    let subs: Vec<SubView> = c
        .subscriptions
        .iter()
        .map(|s| {
            let window = match shrink(s.billing, s.term_start, policy.cancellation_window_days, today) {
                Shrink::AnyTime => "may shrink any time".to_string(),
                Shrink::Until(end) => format!("may shrink until {}", end.format("%Y-%m-%d")),
                Shrink::AtRenewal => "shrinks only at renewal".to_string(),
            };
            let used = if s.quantity > 0 { (s.assigned.clamp(0, s.quantity) * 10 + s.quantity - 1) / s.quantity * 10 } else { 0 };
            SubView {
                used_class: format!("w{used}"),
                product_name: state.catalog.name_of(&s.product),
                max_seats: product_max(policy, &state.catalog, &s.product),
                renews: renewal_date(s.term_start, s.billing, today).format("%Y-%m-%d").to_string(),
                window,
                row: s.clone(),
            }
        })
        .collect();
    let contacts: Vec<ContactView> = c.contacts.iter().map(|k| ContactView { row: k, buys_seats: k.role.may_change_seats() }).collect();
    let product_names: BTreeMap<String, String> =
        c.ledger.iter().map(|l| (l.product.clone(), state.catalog.name_of(&l.product))).collect();
    let time_zone = c.time_zone.clone().unwrap_or_else(|| format!("{} (the default)", state.config.answers.time_zone().name()));
    let recent = state
        .store
        .search_messages(&MessageQuery { customer: id.clone(), limit: 20, ..Default::default() })
        .await?;
    let base = base(&state, &auth, "customers").await;
    state.render(
        "customer.html.j2",
        context! {
            c => c,
            contacts => contacts,
            subs => subs,
            recent => recent,
            product_names => product_names,
            time_zone => time_zone,
            this_year => today.year(),
            ..base,
        },
    )
}
