//! Provisioning at the vendor through the real binary, against the Partner Center simulator
//! (`support::partner_center`, a real HTTP server with its own state) and the test token
//! server: every applied change reaches the vendor before its confirmation goes out, refusals
//! are answered with the vendor's reason and undone in the store, a kill around the vendor call
//! changes the vendor once, a webhook receiver verifies the signature, `vendor sync` shows and
//! fixes drift, and the dashboard shows the jobs.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use serde_json::Value;

use crate::support::partner_center::{Fault, PartnerCenter, Sub};
use crate::support::tokens::TokenServer;
use crate::support::{mail, wait_logged, wait_until, Answer, Env, DEFAULT_CONTACTS};

pub const TENANT: &str = "c0ffee00-0000-4000-8000-0000000000c1";
pub const CLIENT_SECRET: &str = "pc~client-secret-value-never-logged";
pub const PC_SCOPE: &str = "https://api.partnercenter.microsoft.com/.default";

/// The store's subscriptions of Contoso, linked to the vendor's (the optional CSV columns).
pub fn linked_subscriptions() -> String {
    let today = Utc::now().date_naive();
    let recent = (today - chrono::Duration::days(3)).format("%Y-%m-%d");
    let old = (today - chrono::Duration::days(100)).format("%Y-%m-%d");
    format!(
        "customer_id,customer_name,language,tenant_domains,subscription_id,product,quantity,assigned,billing,term_start,status,tenant_id,vendor_subscription_id\n\
         C1,Contoso NV,en,contoso.be contoso.onmicrosoft.com,S-FLEX,SPB,10,7,flexible,2026-01-10,active,{TENANT},{}\n\
         C1,Contoso NV,en,contoso.be contoso.onmicrosoft.com,S-ANN,O365_BUSINESS_PREMIUM,20,5,annual,{old},active,,{}\n\
         C1,Contoso NV,en,contoso.be contoso.onmicrosoft.com,S-NEW,EXCHANGESTANDARD,10,2,annual,{recent},active,,{}\n\
         C1,Contoso NV,en,contoso.be contoso.onmicrosoft.com,S-E3,ENTERPRISEPACK,0,0,flexible,2026-01-01,active,,{}\n",
        vid("S-FLEX"),
        vid("S-ANN"),
        vid("S-NEW"),
        vid("S-E3"),
    )
}

/// The vendor's id of one of the store's subscriptions.
pub fn vid(store_id: &str) -> String {
    let n = match store_id {
        "S-FLEX" => 1,
        "S-ANN" => 2,
        "S-NEW" => 3,
        "S-E3" => 4,
        _ => 9,
    };
    format!("5ab5c71b-0000-4000-8000-00000000000{n}")
}

/// A token server, the simulator with Contoso's subscriptions as the store has them, and an
/// installation whose `[vendor]` is that Partner Center.
pub struct Vendor {
    pub tokens: TokenServer,
    pub pc: PartnerCenter,
    pub env: Env,
}

impl Vendor {
    pub fn new() -> Vendor {
        Vendor::with(|_| {}, "")
    }

    /// `prepare` adjusts the vendor's side before anything runs; `extra` goes into `[vendor]`.
    pub fn with(prepare: impl FnOnce(&PartnerCenter), extra: &str) -> Vendor {
        let tokens = TokenServer::start("seatmail-partner-center", CLIENT_SECRET, "unused-refresh", "unused@reseller.example", 3600);
        let pc = PartnerCenter::start(tokens.validator());
        let today = Utc::now().date_naive();
        for (store_id, offer, sku, quantity, term, start) in [
            ("S-FLEX", "Microsoft 365 Business Premium", "SPB", 10, "P1M", chrono::NaiveDate::from_ymd_opt(2026, 1, 10).unwrap()),
            ("S-ANN", "Microsoft 365 Business Standard", "O365_BUSINESS_PREMIUM", 20, "P1Y", today - chrono::Duration::days(100)),
            ("S-NEW", "Exchange Online (Plan 1)", "EXCHANGESTANDARD", 10, "P1Y", today - chrono::Duration::days(3)),
            ("S-E3", "Office 365 E3", "ENTERPRISEPACK", 0, "P1M", chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
        ] {
            pc.add(Sub {
                tenant: TENANT.into(),
                id: vid(store_id),
                offer_name: offer.into(),
                sku: sku.into(),
                quantity,
                status: "active".into(),
                term: term.into(),
                start,
                max: 100_000,
            });
        }
        prepare(&pc);
        let env = Env::with_config(&vendor_section(&tokens, &pc, extra));
        env.import(&linked_subscriptions(), DEFAULT_CONTACTS);
        Vendor { tokens, pc, env }
    }

    /// Every job, as `vendor status --all --json` lists them.
    pub fn jobs(&self) -> Vec<Value> {
        self.env.json(&["vendor", "status", "--all", "--json"]).as_array().cloned().unwrap_or_default()
    }

    /// Nothing in the daemon's log that is a secret: the client secret, a token.
    pub fn assert_no_secrets(&self, log: &str) {
        assert!(!log.contains(CLIENT_SECRET), "the client secret is in the log");
        for t in self.tokens.tokens() {
            assert!(!log.contains(&t), "an access token is in the log");
        }
    }
}

/// `[vendor]` for this simulator (short timeouts and retries: the tests wait on them).
pub fn vendor_section(tokens: &TokenServer, pc: &PartnerCenter, extra: &str) -> String {
    format!(
        "[vendor]\nkind = \"partner_center\"\ntimeout_secs = 2\nmax_attempts = 6\nretry_base_secs = 1\n{extra}\n\
         [vendor.partner_center]\nbase_url = \"{}\"\n[vendor.partner_center.oauth2]\ntoken_url = \"{}\"\n\
         client_id = \"seatmail-partner-center\"\nclient_secret = \"{CLIENT_SECRET}\"\n",
        pc.base_url(),
        tokens.token_url()
    )
}

/// A request from Contoso's admin; its Message-ID.
pub fn ask(env: &Env, body: &str) -> String {
    let (raw, id) = mail("An Admin <admin@contoso.be>", "Licences", &format!("Hello,\n\n{body}\n\nAn"));
    env.deliver(&raw);
    id
}

/// An answer's text on one line (it is wrapped at 78 columns).
fn flat(a: &Answer) -> String {
    a.text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn ledger_rules(env: &Env, message_id: &str) -> Vec<String> {
    env.message(message_id)["ledger"].as_array().unwrap().iter().map(|l| l["rule"].as_str().unwrap().to_string()).collect()
}

#[test]
fn the_confirmation_waits_for_the_vendor_and_retry_after_is_honoured() {
    let v = Vendor::new();
    // The vendor throttles every change until the gate opens (429, Retry-After: 1).
    v.pc.set_gate(true);
    let id = ask(&v.env, "Please add 3 Microsoft 365 Business Premium licences.");
    // Patient enough for the assertions below to run while the gate is closed.
    let daemon = v.env.spawn_with(&[("SEATMAIL_VENDOR__MAX_ATTEMPTS", "60")]);
    let log = daemon.log.clone();
    wait_logged(60, "two throttled attempts at the vendor", &daemon, || v.pc.patches().len() >= 2);
    let m = v.env.message(&id);
    assert_eq!(m["message"]["state"], "applied", "{m:#}");
    assert_eq!(v.env.quantity("S-FLEX"), 13, "the store applied the change in its transaction");
    assert!(m["answers"].as_array().unwrap().is_empty(), "no confirmation before the vendor confirmed: {m:#}");
    assert!(v.env.answers_to(&id).is_empty());
    let jobs = v.jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0]["state"], "retrying", "{jobs:#?}");
    assert_eq!((jobs[0]["old_quantity"].as_i64(), jobs[0]["new_quantity"].as_i64()), (Some(10), Some(13)));
    let patches = v.pc.patches();
    let gap = patches[1].at.duration_since(patches[0].at);
    assert!(gap >= Duration::from_millis(950), "Retry-After: 1 honoured, the second attempt came after {gap:?}");
    assert_eq!(patches[0].request_id, patches[1].request_id, "a retried change carries the same MS-RequestId");
    assert_eq!(patches[0].request_id, jobs[0]["idempotency_key"].as_str().unwrap());

    v.pc.set_gate(false);
    wait_logged(60, "the confirmation, once the vendor confirmed", &daemon, || v.env.answers_to(&id).len() == 1);
    assert_eq!(v.pc.quantity(&vid("S-FLEX")), 13, "the vendor holds the new quantity");
    assert_eq!(v.pc.applied_per_key().values().copied().collect::<Vec<_>>(), vec![1]);
    let a = &v.env.answers_to(&id)[0];
    assert!(a.text.contains("10") && a.text.contains("13"), "{}", a.text);
    assert_eq!(v.jobs()[0]["state"], "confirmed");
    assert!(v.tokens.scopes().iter().all(|s| s == PC_SCOPE), "the Partner Center API's scope: {:?}", v.tokens.scopes());
    assert!(daemon.stop().success());
    v.assert_no_secrets(&std::fs::read_to_string(&log).unwrap());
}

#[test]
fn check_config_connect_asks_partner_center_with_the_app_s_token() {
    let v = Vendor::new();
    let out = v.env.ok(&["check-config", "--connect"]);
    assert!(out.contains("vendor partner_center") && out.contains("token issued, customers listed (1 in all)"), "{out}");
    assert!(!out.contains(CLIENT_SECRET));
    // A wrong client secret: the grant is refused, and said so.
    let mut bad = v.env.cmd();
    let out = bad.env("SEATMAIL_VENDOR__PARTNER_CENTER__OAUTH2__CLIENT_SECRET", "not-the-secret").args(["check-config", "--connect"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success() && text.contains("FAILED") && text.contains("invalid_client"), "{text}");
    assert!(!text.contains("not-the-secret"));
}

#[test]
fn vendor_refusals_are_answered_with_its_reason_and_undone_in_the_store() {
    let v = Vendor::with(
        |pc| {
            // What the store does not know: the vendor's seat maximum is lower, the new plan's
            // term started long ago (its 7-day window is over), the annual plan is suspended.
            pc.set(&vid("S-FLEX"), |s| s.max = 12);
            pc.set(&vid("S-NEW"), |s| s.start = Utc::now().date_naive() - chrono::Duration::days(60));
            pc.set(&vid("S-ANN"), |s| s.status = "suspended".into());
        },
        "",
    );
    let over = ask(&v.env, "Please add 5 Microsoft 365 Business Premium licences.");
    let shrink = ask(&v.env, "Please remove 2 Exchange Online Plan 1 licences.");
    let suspended = ask(&v.env, "Please add 1 Microsoft 365 Business Standard licence.");
    v.env.run_once();
    for (id, sub, quantity, applied, rule, words) in [
        (&over, "S-FLEX", 10, "increase", "product_maximum", "not within minimum and maximum allowed quantity"),
        (&shrink, "S-NEW", 10, "decrease_in_window", "annual_commitment", "quantity cannot be decreased"),
        (&suspended, "S-ANN", 20, "increase", "inactive_subscription", "suspended at the vendor"),
    ] {
        let m = v.env.message(id);
        assert_eq!(m["message"]["state"], "rejected", "{m:#}");
        assert!(m["message"]["reason"].as_str().unwrap().starts_with("the vendor refused"), "{m:#}");
        assert_eq!(m["items"][0]["rule"], rule, "{m:#}");
        assert_eq!(v.env.quantity(sub), quantity, "{sub}: the change is undone in the store");
        assert_eq!(ledger_rules(&v.env, id), [applied, "vendor_reverted"], "{m:#}");
        assert_eq!(m["ledger"][1]["actor"], "vendor:partner_center");
        let answers = v.env.answers_to(id);
        assert_eq!(answers.len(), 1, "one answer: the rejection");
        let text = flat(&answers[0]);
        assert!(text.contains("could not carry out"), "a rejection: {text}");
        assert!(text.contains(words), "the vendor's reason in the answer: {text}");
    }
    assert_eq!(v.pc.quantity(&vid("S-FLEX")), 10);
    assert_eq!(v.pc.quantity(&vid("S-NEW")), 10);
    assert!(v.pc.patches().iter().all(|p| p.subscription != vid("S-ANN")), "a suspended subscription is read, never changed");
    let jobs = v.jobs();
    assert!(jobs.iter().all(|j| j["state"] == "refused"), "{jobs:#?}");
}

#[test]
fn a_kill_around_the_vendor_call_changes_the_vendor_once_and_answers_once() {
    let v = Vendor::new();
    for (n, fp) in ["vendor_before_change", "vendor_after_change"].into_iter().enumerate() {
        let id = ask(&v.env, "Please add 1 Office 365 E3 licence.");
        let mut crashed = v.env.spawn_with(&[("SEATMAIL_FAILPOINT", fp)]);
        wait_until(60, &format!("the daemon to abort at {fp}"), || crashed.child.try_wait().unwrap().is_some_and(|s| !s.success()));
        let seen = v.pc.patches().len();
        let daemon = v.env.spawn();
        wait_logged(90, "the answer after the restart", &daemon, || v.env.answers_to(&id).len() == 1);
        assert!(daemon.stop().success());
        assert_eq!(v.pc.quantity(&vid("S-E3")), n as i64 + 1, "{fp}: one change at the vendor");
        assert_eq!(v.env.quantity("S-E3"), n as i64 + 1);
        if fp == "vendor_after_change" {
            assert_eq!(v.pc.patches().len(), seen, "after the vendor accepted, the restart reads it back and sends nothing");
        }
        assert_eq!(v.env.answers_to(&id).len(), 1, "{fp}: one answer");
    }
    assert!(v.pc.applied_per_key().values().all(|n| *n == 1));
    assert_eq!(v.pc.applied_per_key().len(), 2);
    assert_eq!(v.pc.repeats_after_applied(), 0);
}

#[test]
fn faults_at_the_vendor_are_retried_and_an_accepted_change_is_read_back() {
    let v = Vendor::new();
    v.pc.fault([Fault::Status(503), Fault::Hang(Duration::from_secs(3)), Fault::LoseAnswer(Duration::from_secs(3))]);
    let first = ask(&v.env, "Please add 2 Office 365 E3 licences.");
    let daemon = v.env.spawn();
    wait_logged(90, "the answer after a 503, a timeout and a lost answer", &daemon, || v.env.answers_to(&first).len() == 1);
    assert_eq!(v.pc.quantity(&vid("S-E3")), 2);
    // Partner Center's 202: accepted, applied later; read back, never sent again.
    v.pc.fault([Fault::Accept(2)]);
    let second = ask(&v.env, "Please add 3 Office 365 E3 licences.");
    wait_logged(90, "the answer after a 202", &daemon, || v.env.answers_to(&second).len() == 1);
    assert!(daemon.stop().success());
    assert_eq!(v.pc.quantity(&vid("S-E3")), 5);
    assert_eq!(v.pc.applied_per_key().len(), 1, "the 202's change is applied by the vendor, not by a second PATCH");
    assert_eq!(v.pc.repeats_after_applied(), 0);
    let statuses: Vec<u16> = v.pc.patches().iter().map(|p| p.status).collect();
    assert_eq!(statuses, [503, 504, 200, 202], "one PATCH per try, none after the vendor had the change");
}

#[test]
fn vendor_sync_shows_and_fixes_drift_and_leaves_changes_in_flight() {
    let v = Vendor::with(
        |pc| {
            // Changed at the vendor behind the store's back, and a subscription the store lacks.
            pc.set(&vid("S-FLEX"), |s| s.quantity = 14);
            pc.set(&vid("S-NEW"), |s| s.status = "suspended".into());
            pc.set_consumed(TENANT, "SPB", 9);
            pc.add(Sub {
                tenant: TENANT.into(),
                id: vid("S-BASIC"),
                offer_name: "Microsoft 365 Business Basic".into(),
                sku: "O365_BUSINESS_ESSENTIALS".into(),
                quantity: 4,
                status: "active".into(),
                term: "P1M".into(),
                start: chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
                max: 300,
            });
        },
        "",
    );
    let report = v.env.json(&["vendor", "sync", "--json"]);
    let kinds: Vec<(&str, &str)> = report["drift"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["kind"].as_str().unwrap(), d["vendor"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, [("quantity", "14"), ("assigned", "9"), ("status", "suspended"), ("only_at_vendor", "4")], "{report:#}");
    assert_eq!(report["fixed"], 0);
    assert_eq!(v.env.quantity("S-FLEX"), 10, "without --fix nothing changes");
    let table = v.env.ok(&["vendor", "sync"]);
    assert!(table.contains("quantity") && table.contains("--fix sets quantity = 14"), "{table}");

    let fixed = v.env.json(&["vendor", "sync", "--fix", "--json"]);
    assert_eq!(fixed["fixed"], 4, "{fixed:#}");
    let subs = v.env.json(&["subs", "list", "--json"]);
    let sub = |id: &str| subs.as_array().unwrap().iter().find(|s| s["subscription_id"] == id).cloned().unwrap();
    assert_eq!(sub("S-FLEX")["quantity"], 14);
    assert_eq!(sub("S-FLEX")["assigned"], 9);
    assert_eq!(sub("S-NEW")["status"], "suspended");
    assert_eq!(sub(&vid("S-BASIC"))["product"], "O365_BUSINESS_ESSENTIALS");
    assert_eq!(sub(&vid("S-BASIC"))["quantity"], 4);
    assert!(v.env.json(&["vendor", "sync", "--json"])["drift"].as_array().unwrap().is_empty(), "in line now");

    // A change on its way to the vendor is never undone by a sync.
    v.pc.set_gate(true);
    let id = ask(&v.env, "Please add 1 Microsoft 365 Business Premium licence.");
    v.env.run_once();
    assert_eq!(v.env.quantity("S-FLEX"), 15);
    let report = v.env.json(&["vendor", "sync", "--fix", "--json"]);
    let d = &report["drift"][0];
    assert_eq!((d["kind"].as_str(), d["store"].as_str(), d["vendor"].as_str()), (Some("quantity"), Some("15"), Some("14")));
    assert_eq!(d["fix"]["do"], "leave", "{report:#}");
    assert_eq!(v.env.quantity("S-FLEX"), 15);

    // The daemon's schedule: the vendor's truth read back and fixed, the change delivered.
    v.pc.set(&vid("S-ANN"), |s| s.quantity = 25);
    v.pc.set_gate(false);
    let daemon = v.env.spawn_with(&[("SEATMAIL_VENDOR__SYNC_EVERY", "2s")]);
    wait_logged(60, "the scheduled sync and the delivered change", &daemon, || {
        v.env.quantity("S-ANN") == 25 && v.env.answers_to(&id).len() == 1
    });
    assert!(daemon.stop().success());
    assert_eq!(v.pc.quantity(&vid("S-FLEX")), 15);
    let ledger = ledger_of(&v.env, "S-FLEX");
    assert_eq!(ledger[0], ("vendor:sync".to_string(), "vendor_sync".to_string(), 10, 14), "{ledger:?}");
    assert_eq!(ledger_of(&v.env, "S-ANN"), [("vendor:sync".to_string(), "vendor_sync".to_string(), 20, 25)]);
}

/// A subscription's ledger: (actor, rule, old, new), oldest first.
fn ledger_of(env: &Env, subscription: &str) -> Vec<(String, String, i64, i64)> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        use sqlx::{Connection, Row};
        sqlx::any::install_default_drivers();
        let mut c = sqlx::AnyConnection::connect(&env.db_url).await.unwrap();
        let rows = sqlx::query("SELECT actor, rule, old_quantity, new_quantity FROM seat_changes WHERE subscription_id = $1 ORDER BY id")
            .bind(subscription)
            .fetch_all(&mut c)
            .await
            .unwrap();
        rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect()
    })
}

/// A webhook receiver for the tests: verifies each event's signature with the shared secret,
/// keeps the events (with the signature's verdict and the Idempotency-Key header), and answers
/// S-FLEX's first event 503, S-NEW's 409 with a rule, any other 204. Stopped when dropped.
struct Receiver {
    port: u16,
    events: Arc<Mutex<Vec<(Value, bool, String)>>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Receiver {
    fn start(secret: &'static str) -> Receiver {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let events: Arc<Mutex<Vec<(Value, bool, String)>>> = Arc::default();
        let seen = events.clone();
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let app = axum::Router::new().route(
                    "/events",
                    axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                        let seen = seen.clone();
                        async move { receive(&seen, secret, &headers, &body) }
                    }),
                );
                let _ = axum::serve(listener, app).with_graceful_shutdown(async move { let _ = stop.await; }).await;
            });
        });
        Receiver { port, events, shutdown: Some(shutdown), thread: Some(thread) }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn receive(
    seen: &Mutex<Vec<(Value, bool, String)>>,
    secret: &str,
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> axum::response::Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let given = header("x-seatmail-signature");
    let hex = given.strip_prefix("sha256=").unwrap_or("");
    let signature: Vec<u8> = (0..hex.len() / 2).filter_map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()).collect();
    let valid = ring::hmac::verify(&ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes()), body, &signature).is_ok();
    let event: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let mut list = seen.lock().unwrap();
    list.push((event.clone(), valid, header("idempotency-key")));
    if !valid {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    if event["subscription_id"] == "S-NEW" {
        let refusal = serde_json::json!({ "rule": "product_maximum", "reason": "the reseller's contract caps this product" });
        return (StatusCode::CONFLICT, refusal.to_string()).into_response();
    }
    if event["subscription_id"] == "S-FLEX" && list.iter().filter(|(e, _, _)| e["subscription_id"] == "S-FLEX").count() == 1 {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    StatusCode::NO_CONTENT.into_response()
}

#[test]
fn webhook_events_are_signed_retried_with_their_key_and_refusals_answered() {
    const SECRET: &str = "whsec-shared-between-seatmail-and-the-receiver";
    let receiver = Receiver::start(SECRET);
    let env = Env::with_config(&format!(
        "[vendor]\nkind = \"webhook\"\ntimeout_secs = 2\nretry_base_secs = 1\n[vendor.webhook]\nurl = \"http://127.0.0.1:{}/events\"\nsecret = \"{SECRET}\"\n",
        receiver.port
    ));
    let added = ask(&env, "Please add 3 Microsoft 365 Business Premium licences.");
    let capped = ask(&env, "Please add 1 Exchange Online Plan 1 licence.");
    let daemon = env.spawn();
    let log = daemon.log.clone();
    wait_logged(60, "both answers", &daemon, || env.answers_to(&added).len() == 1 && env.answers_to(&capped).len() == 1);
    assert!(daemon.stop().success());
    let log = std::fs::read_to_string(log).unwrap();
    assert!(!log.contains(SECRET), "the webhook secret is not logged");
    let events = receiver.events.lock().unwrap().clone();
    assert!(events.iter().all(|(_, valid, _)| *valid), "every event carries a valid signature");
    let flex: Vec<&(Value, bool, String)> = events.iter().filter(|(e, _, _)| e["subscription_id"] == "S-FLEX").collect();
    assert_eq!(flex.len(), 2, "a 503, then the same event again: {events:#?}");
    assert_eq!(flex[0].0, flex[1].0, "the retried event is the same");
    assert_eq!(flex[0].2, flex[0].0["idempotency_key"].as_str().unwrap(), "Idempotency-Key is the event's key");
    assert_eq!((flex[0].0["old_quantity"].as_i64(), flex[0].0["new_quantity"].as_i64()), (Some(10), Some(13)));
    assert_eq!(env.quantity("S-FLEX"), 13);
    let m = env.message(&capped);
    assert_eq!(m["message"]["state"], "rejected");
    assert_eq!(m["items"][0]["rule"], "product_maximum");
    assert_eq!(env.quantity("S-NEW"), 10, "the refused change is undone");
    assert!(flat(&env.answers_to(&capped)[0]).contains("the reseller's contract caps this product"));
}

#[test]
fn the_dashboard_shows_a_message_s_jobs_and_retries_failed_ones() {
    use crate::web::{client, Site, OPERATOR, OPERATOR_PASSWORD, VIEWER, VIEWER_PASSWORD};
    use reqwest::StatusCode;
    let tokens = TokenServer::start("seatmail-partner-center", CLIENT_SECRET, "unused-refresh", "unused@reseller.example", 3600);
    let pc = PartnerCenter::start(tokens.validator());
    let mut site = Site::new(&vendor_section(&tokens, &pc, ""));
    site.env.import(&linked_subscriptions(), DEFAULT_CONTACTS);
    // The vendor does not know S-NEW's id (a set-up mistake): the job fails and waits for ops.
    let failing = ask(&site.env, "Please add 1 Exchange Online Plan 1 licence.");
    site.start();
    let failed = || site.env.json(&["vendor", "status", "--json"]).as_array().unwrap().iter().find(|j| j["state"] == "failed").cloned();
    wait_until(60, "a failed job", || failed().is_some());
    let job = failed().unwrap();
    assert!(job["last_error"].as_str().unwrap().contains("does not know this customer or subscription"), "{job:#}");
    let path = format!("/vendor/{}/retry", job["id"]);

    let c = site.login(OPERATOR, OPERATOR_PASSWORD);
    let queue = site.get(&c, "/");
    assert!(queue.contains("Changes the vendor has not taken") && queue.contains(&path), "{queue}");
    let page = site.get(&c, &format!("/messages/{}", site.key(&failing)));
    assert!(page.contains("At the vendor") && page.contains("10 → 11") && page.contains("badge failed"), "{page}");
    assert!(site.get(&c, "/metrics").contains("seatmail_vendor_jobs{state=\"failed\"} 1"));
    assert!(site.env.answers_to(&failing).is_empty(), "the answer waits for the vendor");

    // A retry needs the form's token, and an operator.
    let r = c.post(site.url(&path)).form(&[("csrf", "0".repeat(64).as_str())]).send().unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let viewer = site.login(VIEWER, VIEWER_PASSWORD);
    assert_eq!(site.post(&viewer, &path, &[]).status(), StatusCode::FORBIDDEN);
    assert_eq!(client().post(site.url(&path)).send().unwrap().status(), StatusCode::FORBIDDEN, "no session");

    // Ops fix the set-up at the vendor, then retry: the change is made and the customer told.
    let today = Utc::now().date_naive();
    pc.add(Sub {
        tenant: TENANT.into(),
        id: vid("S-NEW"),
        offer_name: "Exchange Online (Plan 1)".into(),
        sku: "EXCHANGESTANDARD".into(),
        quantity: 10,
        status: "active".into(),
        term: "P1Y".into(),
        start: today - chrono::Duration::days(3),
        max: 100_000,
    });
    let r = site.post(&c, &path, &[("back", "/")]);
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    wait_until(60, "the answer after the retry", || site.env.answers_to(&failing).len() == 1);
    assert_eq!(pc.quantity(&vid("S-NEW")), 11);
    assert!(site.get(&c, "/metrics").contains("seatmail_vendor_jobs{state=\"confirmed\"} 1"));
    assert!(!site.get(&c, "/").contains("Changes the vendor has not taken"));
    assert!(site.daemon.take().unwrap().stop().success());
}


#[test]
fn the_vendor_ids_are_checked_on_import_and_a_failed_job_is_retried_once_they_are_right() {
    let v = Vendor::new();
    let header = "customer_id,customer_name,language,tenant_domains,subscription_id,product,quantity,assigned,billing,term_start,status,tenant_id,vendor_subscription_id\n";
    let row = |sub: &str, product: &str, tenant: &str, vendor: &str| {
        format!("C1,Contoso NV,en,contoso.be contoso.onmicrosoft.com,{sub},{product},10,2,flexible,2026-01-10,active,{tenant},{vendor}\n")
    };
    let bad = format!(
        "{header}{}{}{}",
        row("S-FLEX", "SPB", "not a/tenant", ""),
        row("S-NEW", "EXCHANGESTANDARD", "c0ffee00-0000-4000-8000-0000000000c2", &vid("S-FLEX")),
        row("S-ANN", "O365_BUSINESS_PREMIUM", TENANT, &vid("S-FLEX")),
    );
    std::fs::write(v.env.path("bad.csv"), bad).unwrap();
    let out = v.env.run(&["import", "subscriptions", v.env.path("bad.csv").to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("line 2: tenant_id `not a/tenant` is not a tenant id"), "{err}");
    assert!(err.contains("line 4: customer C1 has tenant_id c0ffee00-0000-4000-8000-0000000000c2 on line 3"), "{err}");
    assert!(err.contains(&format!("line 4: vendor_subscription_id {} is already on line 3", vid("S-FLEX"))), "{err}");
    // S-NEW linked to an id the vendor does not know: the job fails and says why.
    let wrong = format!("{header}{}", row("S-NEW", "EXCHANGESTANDARD", "", "5ab5c71b-0000-4000-8000-0000000000ff"));
    std::fs::write(v.env.path("wrong.csv"), wrong).unwrap();
    v.env.ok(&["import", "subscriptions", v.env.path("wrong.csv").to_str().unwrap()]);
    let id = ask(&v.env, "Please add 1 Exchange Online Plan 1 licence.");
    v.env.run_once();
    let table = v.env.ok(&["vendor", "status"]);
    assert!(table.contains("failed") && table.contains("S-NEW") && table.contains("10 -> 11"), "{table}");
    let why = v.jobs()[0]["last_error"].as_str().unwrap().to_string();
    assert!(why.contains("does not know this customer or subscription"), "{why}");
    assert!(v.env.answers_to(&id).is_empty(), "the answer waits");
    // The right id, then a retry: the change is made at the vendor and the customer told.
    let right = format!("{header}{}", row("S-NEW", "EXCHANGESTANDARD", "", &vid("S-NEW")));
    std::fs::write(v.env.path("right.csv"), right).unwrap();
    v.env.ok(&["import", "subscriptions", v.env.path("right.csv").to_str().unwrap()]);
    let job = v.jobs()[0]["id"].to_string();
    assert!(v.env.ok(&["vendor", "retry", &job]).contains("is due again"));
    v.env.run_once();
    assert_eq!(v.pc.quantity(&vid("S-NEW")), 11);
    assert_eq!(v.env.answers_to(&id).len(), 1);
    assert_eq!(v.jobs()[0]["state"], "confirmed");
    let again = v.env.run(&["vendor", "retry", &job]);
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("settled"), "a settled job is not sent again");
}
