//! A simulator of the documented subset of Microsoft Partner Center the vendor connector uses, a
//! real HTTP server on 127.0.0.1 with its own state: customers (by tenant id) and their
//! new-commerce subscriptions, their quantities, statuses and terms, each product's seat
//! maximum, and the seats in use (subscribed SKUs).
//!
//! - `GET /v1/customers` (one page), `GET /v1/customers/{tenant}/subscriptions/{id}`, `GET .../subscriptions`, `GET
//!   .../subscribedskus` (App+User only in Partner Center: switchable), `PATCH
//!   .../subscriptions/{id}` with the whole resource and its new absolute `quantity`.
//! - A bearer token from the test's token server is required (401 otherwise).
//! - The rules Partner Center applies, with its documented error codes: a decrease of an annual
//!   (P1Y) term only within 7 days of its start (800090), a quantity over the product's maximum
//!   (2002), a change to a suspended (800091) or deleted (2011) subscription, an unknown one
//!   (404, 20003). A monthly (P1M) term shrinks any time, as the store's "flexible" plans do.
//! - `MS-RequestId` makes a PATCH idempotent: a request id seen before is not applied again.
//!   Every PATCH is counted per request id, so a test can assert that no change was applied
//!   twice and that no change was ever sent on top of one the vendor had applied.
//! - Faults for the next PATCHes: 429 with Retry-After, 5xx, a hang past the client's timeout
//!   (then a 504, nothing applied), "applied, then the answer is lost" (the vendor accepted and
//!   seatmail never heard: as if it crashed after the call), 202 Accepted with the change applied
//!   only after a few reads. A gate holds every PATCH (429) until opened.
//!
//! axum on its own thread and runtime; dropping it stops the runtime and closes the port.

#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{NaiveDate, Utc};
use serde_json::{json, Value};
use tokio::sync::oneshot;

/// A fault the next PATCH meets.
#[derive(Debug, Clone)]
pub enum Fault {
    /// 429 Too Many Requests with `Retry-After: secs`.
    Throttle(u64),
    /// This HTTP status (500, 502, 503), nothing applied.
    Status(u16),
    /// No answer for this long, then 504; nothing applied.
    Hang(Duration),
    /// The change is applied, then the answer comes only after this long (the client has
    /// given up): the vendor accepted and seatmail did not hear it.
    LoseAnswer(Duration),
    /// 202 Accepted; the change is applied after this many reads of the subscription.
    Accept(u32),
}

#[derive(Debug, Clone)]
pub struct Sub {
    pub tenant: String,
    pub id: String,
    pub offer_name: String,
    pub sku: String,
    pub quantity: i64,
    pub status: String,
    /// `P1M` or `P1Y`.
    pub term: String,
    pub start: NaiveDate,
    pub max: i64,
}

/// One PATCH as the simulator saw it.
#[derive(Debug, Clone)]
pub struct Patch {
    pub request_id: String,
    pub subscription: String,
    pub quantity: i64,
    pub status: u16,
    /// The quantity changed (a replayed request id never changes it).
    pub applied: bool,
    pub at: Instant,
}

struct Pending {
    quantity: i64,
    request_id: String,
    reads_left: u32,
}

struct Shared {
    valid_token: Arc<dyn Fn(&str) -> bool + Send + Sync>,
    subs: Mutex<Vec<Sub>>,
    /// Seats in use per (tenant, SKU part number).
    consumed: Mutex<HashMap<(String, String), i64>>,
    app_user: AtomicBool,
    faults: Mutex<VecDeque<Fault>>,
    gate_closed: AtomicBool,
    patches: Mutex<Vec<Patch>>,
    /// Request ids whose change was applied (a replay is answered, not applied).
    applied: Mutex<HashMap<String, i64>>,
    accepted: Mutex<HashMap<String, Pending>>,
    reads: Mutex<usize>,
}

pub struct PartnerCenter {
    pub port: u16,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl PartnerCenter {
    /// A simulator accepting the tokens `valid_token` says are active.
    pub fn start(valid_token: Arc<dyn Fn(&str) -> bool + Send + Sync>) -> PartnerCenter {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the Partner Center simulator");
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared {
            valid_token,
            subs: Mutex::new(Vec::new()),
            consumed: Mutex::new(HashMap::new()),
            app_user: AtomicBool::new(true),
            faults: Mutex::new(VecDeque::new()),
            gate_closed: AtomicBool::new(false),
            patches: Mutex::new(Vec::new()),
            applied: Mutex::new(HashMap::new()),
            accepted: Mutex::new(HashMap::new()),
            reads: Mutex::new(0),
        });
        let (shutdown, rx) = oneshot::channel::<()>();
        let state = shared.clone();
        let thread = std::thread::Builder::new()
            .name(format!("partner-center-{port}"))
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
                rt.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                    let app = axum::Router::new()
                        .route("/v1/customers", get(customers))
                        .route("/v1/customers/{tenant}/subscriptions", get(list))
                        .route("/v1/customers/{tenant}/subscriptions/{id}", get(read).patch(change))
                        .route("/v1/customers/{tenant}/subscribedskus", get(skus))
                        .with_state(state);
                    let _ = axum::serve(listener, app).with_graceful_shutdown(async move {
                        let _ = rx.await;
                    })
                    .await;
                });
                rt.shutdown_timeout(Duration::from_secs(5));
            })
            .unwrap();
        PartnerCenter { port, shared, shutdown: Some(shutdown), thread: Some(thread) }
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn add(&self, sub: Sub) {
        self.shared.subs.lock().unwrap().push(sub);
    }

    pub fn sub(&self, id: &str) -> Sub {
        self.shared.subs.lock().unwrap().iter().find(|s| s.id == id).cloned().unwrap_or_else(|| panic!("no subscription {id}"))
    }

    pub fn quantity(&self, id: &str) -> i64 {
        self.sub(id).quantity
    }

    /// Change a subscription behind seatmail's back (the reseller's portal, another tool).
    pub fn set(&self, id: &str, f: impl FnOnce(&mut Sub)) {
        let mut subs = self.shared.subs.lock().unwrap();
        f(subs.iter_mut().find(|s| s.id == id).unwrap_or_else(|| panic!("no subscription {id}")));
    }

    pub fn set_consumed(&self, tenant: &str, sku: &str, n: i64) {
        self.shared.consumed.lock().unwrap().insert((tenant.into(), sku.into()), n);
    }

    /// Subscribed SKUs answer only App+User tokens in Partner Center: off, they answer 403.
    pub fn set_app_user(&self, on: bool) {
        self.shared.app_user.store(on, Ordering::SeqCst);
    }

    /// Faults for the next PATCHes, in order.
    pub fn fault(&self, faults: impl IntoIterator<Item = Fault>) {
        self.shared.faults.lock().unwrap().extend(faults);
    }

    /// Faults not met yet.
    pub fn faults_queued(&self) -> usize {
        self.shared.faults.lock().unwrap().len()
    }

    /// Closed: every PATCH is answered 429 (Retry-After: 1) and nothing is applied.
    pub fn set_gate(&self, closed: bool) {
        self.shared.gate_closed.store(closed, Ordering::SeqCst);
    }

    pub fn patches(&self) -> Vec<Patch> {
        self.shared.patches.lock().unwrap().clone()
    }

    /// Changes applied, per request id (each must be 1).
    pub fn applied_per_key(&self) -> HashMap<String, usize> {
        let mut out: HashMap<String, usize> = HashMap::new();
        for p in self.patches().iter().filter(|p| p.applied) {
            *out.entry(p.request_id.clone()).or_default() += 1;
        }
        out
    }

    /// PATCHes that arrived for a request id the simulator had applied already: a change sent
    /// on top of one the vendor holds (must be none).
    pub fn repeats_after_applied(&self) -> usize {
        let patches = self.patches();
        patches
            .iter()
            .enumerate()
            .filter(|(i, p)| !p.applied && patches[..*i].iter().any(|q| q.applied && q.request_id == p.request_id))
            .count()
    }

    pub fn reads(&self) -> usize {
        *self.shared.reads.lock().unwrap()
    }
}

impl Drop for PartnerCenter {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn error(status: StatusCode, code: u32, description: &str) -> Response {
    let body = json!({ "code": code, "description": description, "data": [], "source": "PartnerFD" });
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// A bearer token the token server issued and that is still active.
fn authorized(s: &Shared, headers: &HeaderMap) -> bool {
    let token = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    token.is_some_and(|t| (s.valid_token)(t))
}

fn unauthorized() -> Response {
    error(StatusCode::UNAUTHORIZED, 800001, "Partner Token missing in request context")
}

fn resource(sub: &Sub) -> Value {
    json!({
        "id": sub.id,
        "offerId": format!("CFQ7TTC0{}:0001:{}", sub.sku.len(), sub.term),
        "offerName": sub.offer_name,
        "friendlyName": sub.offer_name,
        "quantity": sub.quantity,
        "unitType": "Licenses",
        "creationDate": format!("{}T08:00:00Z", sub.start),
        "effectiveStartDate": format!("{}T00:00:00Z", sub.start),
        "status": sub.status,
        "autoRenewEnabled": true,
        "billingType": "license",
        "billingCycle": if sub.term == "P1Y" { "annual" } else { "monthly" },
        "termDuration": sub.term,
        "contractType": "subscription",
        "attributes": { "etag": format!("\"{}\"", sub.quantity), "objectType": "Subscription" },
    })
}

fn json_ok(status: StatusCode, v: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response()
}

async fn customers(State(s): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if !authorized(&s, &headers) {
        return unauthorized();
    }
    let mut tenants: Vec<String> = s.subs.lock().unwrap().iter().map(|x| x.tenant.clone()).collect();
    tenants.dedup();
    let items: Vec<Value> = tenants.iter().map(|t| json!({ "id": t, "attributes": { "objectType": "Customer" } })).collect();
    json_ok(StatusCode::OK, json!({ "totalCount": items.len(), "items": items, "attributes": { "objectType": "Collection" } }))
}

async fn list(State(s): State<Arc<Shared>>, Path(tenant): Path<String>, headers: HeaderMap) -> Response {
    if !authorized(&s, &headers) {
        return unauthorized();
    }
    let subs = s.subs.lock().unwrap();
    let items: Vec<Value> = subs.iter().filter(|x| x.tenant == tenant).map(resource).collect();
    json_ok(StatusCode::OK, json!({ "totalCount": items.len(), "items": items, "attributes": { "objectType": "Collection" } }))
}

async fn skus(State(s): State<Arc<Shared>>, Path(tenant): Path<String>, headers: HeaderMap) -> Response {
    if !authorized(&s, &headers) {
        return unauthorized();
    }
    if !s.app_user.load(Ordering::SeqCst) {
        return error(StatusCode::FORBIDDEN, 2032, "Access denied: this operation needs App+User credentials");
    }
    let subs = s.subs.lock().unwrap();
    let consumed = s.consumed.lock().unwrap();
    let items: Vec<Value> = consumed
        .iter()
        .filter(|((t, _), _)| *t == tenant)
        .map(|((_, sku), n)| {
            let total: i64 = subs.iter().filter(|x| x.tenant == tenant && &x.sku == sku).map(|x| x.quantity).sum();
            json!({
                "availableUnits": total - n, "activeUnits": total, "consumedUnits": n, "suspendedUnits": 0, "totalUnits": total,
                "warningUnits": 0, "productSku": { "id": "sku", "name": sku, "skuPartNumber": sku, "targetType": "User" },
                "capabilityStatus": "Enabled", "attributes": { "objectType": "SubscribedSku" },
            })
        })
        .collect();
    json_ok(StatusCode::OK, json!({ "totalCount": items.len(), "items": items, "attributes": { "objectType": "Collection" } }))
}

async fn read(State(s): State<Arc<Shared>>, Path((tenant, id)): Path<(String, String)>, headers: HeaderMap) -> Response {
    if !authorized(&s, &headers) {
        return unauthorized();
    }
    *s.reads.lock().unwrap() += 1;
    settle_accepted(&s, &id);
    let subs = s.subs.lock().unwrap();
    match subs.iter().find(|x| x.tenant == tenant && x.id == id) {
        Some(sub) => json_ok(StatusCode::OK, resource(sub)),
        None => error(StatusCode::NOT_FOUND, 20003, "This subscription is not found"),
    }
}

/// A change accepted with 202 is applied after a few reads.
fn settle_accepted(s: &Shared, id: &str) {
    let mut accepted = s.accepted.lock().unwrap();
    if let Some(p) = accepted.get_mut(id) {
        if p.reads_left > 0 {
            p.reads_left -= 1;
            return;
        }
        let p = accepted.remove(id).unwrap();
        if let Some(sub) = s.subs.lock().unwrap().iter_mut().find(|x| x.id == id) {
            sub.quantity = p.quantity;
        }
        s.applied.lock().unwrap().insert(p.request_id, p.quantity);
    }
}

fn field(v: &Value, name: &str) -> Option<i64> {
    v.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).and_then(|(_, v)| v.as_i64())
}

async fn change(
    State(s): State<Arc<Shared>>,
    Path((tenant, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !authorized(&s, &headers) {
        return unauthorized();
    }
    let request_id = headers.get("MS-RequestId").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let wanted = serde_json::from_slice::<Value>(&body).ok().and_then(|v| field(&v, "quantity"));
    let (Some(quantity), false) = (wanted, request_id.is_empty()) else {
        return error(StatusCode::BAD_REQUEST, 800002, "Invalid request input");
    };
    let record = |status: u16, applied: bool| {
        let patch = Patch { request_id: request_id.clone(), subscription: id.clone(), quantity, status, applied, at: Instant::now() };
        s.patches.lock().unwrap().push(patch);
    };
    if s.gate_closed.load(Ordering::SeqCst) {
        record(429, false);
        return throttled(1);
    }
    let fault = s.faults.lock().unwrap().pop_front();
    if let Some(r) = injected(fault.as_ref(), &record).await {
        return r;
    }
    if let Some(r) = replayed(&s, &tenant, &id, &request_id, &record) {
        return r;
    }
    let verdict = match s.subs.lock().unwrap().iter().find(|x| x.tenant == tenant && x.id == id) {
        Some(sub) => rules(sub, quantity),
        None => Err((20003, "This subscription is not found")),
    };
    if let Err((code, description)) = verdict {
        let status = if code == 20003 { StatusCode::NOT_FOUND } else { StatusCode::BAD_REQUEST };
        record(status.as_u16(), false);
        return error(status, code, description);
    }
    if let Some(Fault::Accept(reads)) = fault {
        record(202, false);
        s.accepted.lock().unwrap().insert(id.clone(), Pending { quantity, request_id: request_id.clone(), reads_left: reads });
        return (StatusCode::ACCEPTED, [(header::LOCATION, format!("/customers/{tenant}/subscriptions/{id}"))]).into_response();
    }
    let body = {
        let mut subs = s.subs.lock().unwrap();
        let sub = subs.iter_mut().find(|x| x.tenant == tenant && x.id == id).unwrap();
        sub.quantity = quantity;
        resource(sub)
    };
    s.applied.lock().unwrap().insert(request_id.clone(), quantity);
    record(200, true);
    if let Some(Fault::LoseAnswer(d)) = fault {
        tokio::time::sleep(d).await;
    }
    json_ok(StatusCode::OK, body)
}

fn throttled(secs: u64) -> Response {
    ([(header::RETRY_AFTER, secs.to_string())], error(StatusCode::TOO_MANY_REQUESTS, 429, "Too many requests")).into_response()
}

/// The answer of a fault that stops the change before it is applied.
async fn injected(fault: Option<&Fault>, record: &impl Fn(u16, bool)) -> Option<Response> {
    match fault? {
        Fault::Throttle(secs) => {
            record(429, false);
            Some(throttled(*secs))
        }
        Fault::Status(code) => {
            record(*code, false);
            Some(error(StatusCode::from_u16(*code).unwrap(), 800003, "Unexpected service error"))
        }
        Fault::Hang(d) => {
            // Recorded first: a client that gives up closes the connection, and the rest of
            // this handler is dropped with it.
            record(504, false);
            tokio::time::sleep(*d).await;
            Some(error(StatusCode::GATEWAY_TIMEOUT, 800003, "Gateway timeout"))
        }
        Fault::LoseAnswer(_) | Fault::Accept(_) => None,
    }
}

/// `MS-RequestId` makes a retried call idempotent: a request accepted or applied before is
/// answered again, never applied twice.
fn replayed(s: &Shared, tenant: &str, id: &str, request_id: &str, record: &impl Fn(u16, bool)) -> Option<Response> {
    if s.accepted.lock().unwrap().values().any(|p| p.request_id == request_id) {
        record(202, false);
        return Some(StatusCode::ACCEPTED.into_response());
    }
    if !s.applied.lock().unwrap().contains_key(request_id) {
        return None;
    }
    record(200, false);
    let subs = s.subs.lock().unwrap();
    Some(match subs.iter().find(|x| x.tenant == tenant && x.id == id) {
        Some(sub) => json_ok(StatusCode::OK, resource(sub)),
        None => error(StatusCode::NOT_FOUND, 20003, "This subscription is not found"),
    })
}

/// Partner Center's rules for a new absolute quantity (new commerce).
fn rules(sub: &Sub, quantity: i64) -> Result<(), (u32, &'static str)> {
    match sub.status.as_str() {
        "active" => {}
        "suspended" => return Err((800091, "Cannot update a subscription with suspended status")),
        _ => return Err((2011, "Cannot update a subscription with deleted status")),
    }
    if quantity < 1 || quantity > sub.max {
        return Err((2002, "Subscription quantity is not within minimum and maximum allowed quantity"));
    }
    let window_end = sub.start + chrono::Duration::days(7);
    if quantity < sub.quantity && sub.term == "P1Y" && Utc::now().date_naive() > window_end {
        return Err((800090, "Subscription quantity cannot be decreased"));
    }
    Ok(())
}
