//! The ops dashboard through the real binary: `seatmail run` with `[web] enabled`, driven over
//! HTTP with a cookie-keeping client. Every page, every action, and the security around them.

use std::io::Write as _;
use std::sync::OnceLock;

use reqwest::blocking::{Client, Response};
use reqwest::StatusCode;

use crate::support::{mail, wait_until, Daemon, Env, BIN};

pub const OPERATOR: &str = "olivia";
pub const OPERATOR_PASSWORD: &str = "olivia-correct-horse";
pub const VIEWER: &str = "victor";
pub const VIEWER_PASSWORD: &str = "victor-battery-staple";

/// A port nobody listens on right now, which no other test is handed (`procs::free_ports`).
pub fn free_port() -> u16 {
    let [port] = crate::support::procs::free_ports::<1>();
    port
}

/// `seatmail user hash` of a password (one argon2 hash per test run).
fn operator_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        let mut child = std::process::Command::new(BIN)
            .args(["user", "hash"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(format!("{OPERATOR_PASSWORD}\n").as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    })
}

/// A seatmail installation with the dashboard on, an operator from the config and a viewer
/// added with `seatmail user add`.
pub struct Site {
    pub env: Env,
    pub base: String,
    pub daemon: Option<Daemon>,
}

impl Site {
    pub fn new(extra_web: &str) -> Site {
        let port = free_port();
        let env = Env::with_config(&format!(
            "[web]\nenabled = true\nbind = \"127.0.0.1:{port}\"\n\
             users = [{{ name = \"{OPERATOR}\", password_hash = \"{}\", role = \"operator\" }}]\n{extra_web}",
            operator_hash()
        ));
        add_viewer(&env);
        Site { env, base: format!("http://127.0.0.1:{port}"), daemon: None }
    }

    /// The dashboard of an installation made elsewhere (its `[web]` on `port`), with the viewer.
    pub fn of(env: Env, port: u16) -> Site {
        add_viewer(&env);
        Site { env, base: format!("http://127.0.0.1:{port}"), daemon: None }
    }

    /// Start the daemon and wait for the dashboard to answer.
    pub fn start(&mut self) {
        let daemon = self.env.spawn();
        let probe = client();
        let url = format!("{}/healthz", self.base);
        wait_until(30, "the dashboard to answer /healthz", || {
            probe.get(&url).send().map(|r| r.status() == StatusCode::OK).unwrap_or(false)
        });
        self.daemon = Some(daemon);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client logged in as `name`.
    pub fn login(&self, name: &str, password: &str) -> Client {
        let c = client();
        let r = self.try_login(&c, name, password);
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "login as {name}: {}", r.text().unwrap_or_default());
        c
    }

    pub fn try_login(&self, c: &Client, name: &str, password: &str) -> Response {
        let page = c.get(self.url("/login")).send().unwrap().text().unwrap();
        let token = csrf(&page);
        c.post(self.url("/login"))
            .form(&[("csrf", token.as_str()), ("name", name), ("password", password), ("next", "/")])
            .send()
            .unwrap()
    }

    pub fn get(&self, c: &Client, path: &str) -> String {
        let r = c.get(self.url(path)).send().unwrap();
        assert_eq!(r.status(), StatusCode::OK, "GET {path}");
        r.text().unwrap()
    }

    /// POST a form with the page's CSRF token (taken from `/`).
    pub fn post(&self, c: &Client, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = csrf(&self.get(c, "/"));
        let mut form: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
        form.extend_from_slice(fields);
        c.post(self.url(path)).form(&form).send().unwrap()
    }

    /// The queue id of the mail with this Message-ID.
    pub fn queue_id(&self, message_id: &str) -> Option<i64> {
        let key = self.env.message(message_id)["message"]["key"].as_str().unwrap().to_string();
        self.env.json(&["queue", "list", "--json"]).as_array().unwrap().iter().find(|q| q["key"] == key.as_str()).map(|q| q["id"].as_i64().unwrap())
    }

    pub fn key(&self, message_id: &str) -> String {
        self.env.message(message_id)["message"]["key"].as_str().unwrap().to_string()
    }
}

/// [`VIEWER`], added with `seatmail user add`.
fn add_viewer(env: &Env) {
    let mut add = env.cmd();
    let mut child = add
        .args(["user", "add", VIEWER, "--role", "viewer"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{VIEWER_PASSWORD}\n").as_bytes()).unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
}

pub fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap()
}

/// The CSRF token of the first form on a page.
pub fn csrf(page: &str) -> String {
    let re = regex::Regex::new(r#"name="csrf" value="([0-9a-f]{64})""#).unwrap();
    re.captures(page).unwrap_or_else(|| panic!("no CSRF token in:\n{page}"))[1].to_string()
}

fn location(r: &Response) -> String {
    r.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

/// A mail that waits for ops: +25 seats is over the approval threshold (20).
fn held(env: &Env) -> String {
    let (raw, id) = mail(
        "An Admin <admin@contoso.be>",
        "Many more licences",
        "Hello,\n\nPlease add 25 Microsoft 365 Business Premium licences.\nUsername: admin@contoso.onmicrosoft.com\n\nAn",
    );
    env.deliver(&raw);
    id
}

/// A mail that needs review: unclear about what to change.
fn unclear(env: &Env) -> String {
    let (raw, id) = mail("admin@contoso.be", "Licences", "Hello,\n\nPlease change the licences for the people who left.\n");
    env.deliver(&raw);
    id
}

#[test]
fn pages_need_a_login_and_probes_do_not() {
    let mut site = Site::new("");
    site.start();
    let c = client();
    for path in ["/", "/messages", "/customers", "/customers/C1", "/outbox", "/health", "/messages/abcdef123456"] {
        let r = c.get(site.url(path)).send().unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(location(&r).starts_with("/login?next="), "{path}: {}", location(&r));
    }
    let r = c.get(site.url("/healthz")).send().unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.text().unwrap().trim(), "ok");
    assert_eq!(c.get(site.url("/metrics")).send().unwrap().status(), StatusCode::UNAUTHORIZED);
    let r = c.post(site.url("/queue/1/approve")).form(&[("csrf", "x")]).send().unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "an action without a session");
    let login = c.get(site.url("/login")).send().unwrap();
    let cookie = login.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(!cookie.contains("Secure"), "no Secure flag without secure_cookies: {cookie}");
    // After login the page asked for is shown; the session cookie is HttpOnly and Strict.
    let page = login.text().unwrap();
    let r = c
        .post(site.url("/login"))
        .form(&[("csrf", csrf(&page).as_str()), ("name", OPERATOR), ("password", OPERATOR_PASSWORD), ("next", "/outbox")])
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/outbox");
    let cookies: Vec<String> = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    let session = cookies.iter().find(|c| c.starts_with("seatmail_session=")).expect("session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict") && session.contains("Path=/"), "{session}");
    assert!(site.get(&c, "/outbox").contains("Outbox"));
    // Logging out ends the session on the server.
    let r = site.post(&c, "/logout", &[]);
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(c.get(site.url("/")).send().unwrap().status(), StatusCode::SEE_OTHER);
    // The dashboard stops with the daemon, cleanly.
    assert!(site.daemon.take().unwrap().stop().success());
}

#[test]
fn secure_cookies_and_a_metrics_token() {
    let token = "scrape-token-0123456789abcdef";
    let mut site = Site::new(&format!("secure_cookies = true\nmetrics_token = \"{token}\"\n"));
    site.start();
    let c = client();
    let page = c.get(site.url("/login")).send().unwrap();
    assert!(page.headers().get("set-cookie").unwrap().to_str().unwrap().contains("; Secure"));
    let r = c.get(site.url("/metrics")).bearer_auth(token).send().unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().unwrap().contains("seatmail_queue_length"));
    let r = c.get(site.url("/metrics")).bearer_auth("scrape-token-wrong-wrong-wrong").send().unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[test]
fn wrong_passwords_are_refused_and_rate_limited() {
    let mut site = Site::new("");
    site.start();
    let c = client();
    // No login form token: refused before the password is looked at.
    let r = c.post(site.url("/login")).form(&[("name", OPERATOR), ("password", OPERATOR_PASSWORD)]).send().unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = site.try_login(&c, OPERATOR, "not-the-password");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().unwrap().contains("Wrong name or password"));
    let r = site.try_login(&c, "nobody", "whatever-password");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "an unknown user looks like a wrong password");
    // Per user: after 5 failures even the right password is refused for a while...
    for _ in 0..4 {
        assert_eq!(site.try_login(&client(), OPERATOR, "guess").status(), StatusCode::UNAUTHORIZED);
    }
    let r = site.try_login(&client(), OPERATOR, OPERATOR_PASSWORD);
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().unwrap().contains("Too many failed logins"));
    // ...but not for another user.
    assert_eq!(site.try_login(&client(), VIEWER, VIEWER_PASSWORD).status(), StatusCode::SEE_OTHER);
    // Per address: 20 failures from one address, whatever the names, block every login from it.
    for i in 0..14 {
        assert_eq!(site.try_login(&client(), &format!("user{i}"), "guess").status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(site.try_login(&client(), VIEWER, VIEWER_PASSWORD).status(), StatusCode::TOO_MANY_REQUESTS);
}

#[test]
fn every_page_shows_what_it_should_and_a_viewer_cannot_act() {
    let mut site = Site::new("");
    let held_id = held(&site.env);
    let review_id = unclear(&site.env);
    let (raw, applied_id) = mail("admin@contoso.be", "Three more", "Please add 3 Microsoft 365 Business Premium licences.\nUsername: admin@contoso.onmicrosoft.com");
    site.env.deliver(&raw);
    site.env.run_once();
    site.start();
    let v = site.login(VIEWER, VIEWER_PASSWORD);
    let queue = site.get(&v, "/");
    assert!(queue.contains("Many more licences") && queue.contains("Licences"), "{queue}");
    assert!(queue.contains("awaiting approval") && queue.contains("needs review"));
    assert!(queue.contains("Contoso NV"), "the customer by name");
    assert!(queue.contains("increase over the approval threshold"), "why it waits:\n{queue}");
    assert!(!queue.contains("/approve\""), "a viewer gets no action forms");
    // Held first (oldest first within each kind).
    assert!(queue.find("Many more licences").unwrap() < queue.find("people who left").unwrap_or(usize::MAX));
    let list = site.get(&v, "/messages");
    assert!(list.contains("Three more") && list.contains("Many more licences"));
    let detail = site.get(&v, &format!("/messages/{}", site.key(&applied_id)));
    assert!(detail.contains("admin@contoso.onmicrosoft.com"), "the original text");
    assert!(detail.contains("10 → 13"), "the seat change");
    assert!(detail.contains("confirmation"), "the answer");
    assert!(detail.contains("Authentication-Results"), "the headers");
    let customers = site.get(&v, "/customers");
    assert!(customers.contains("Contoso NV") && customers.contains("Fabrikam SA"));
    let customer = site.get(&v, "/customers/C1");
    assert!(customer.contains("0 of 13 available") || customer.contains("6 of 13 available"), "{customer}");
    assert!(customer.contains("billing_admin".replace('_', " ").as_str()) && customer.contains("scoped@contoso.be"));
    assert!(customer.contains("admin@contoso.be") && customer.contains("increase"), "the ledger");
    assert!(customer.contains("annual"));
    assert!(site.get(&v, "/outbox").contains("Outbox"));
    let health = site.get(&v, "/health");
    assert!(health.contains("<svg") && health.contains("Requests per day") && health.contains("Seats added and removed"));
    assert!(health.contains("in the queue"));
    assert_eq!(v.get(site.url("/customers/NOPE")).send().unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(v.get(site.url("/messages/000000000000")).send().unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(v.get(site.url("/messages/<x>")).send().unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(v.get(site.url("/no/such/page")).send().unwrap().status(), StatusCode::NOT_FOUND);

    // A viewer POSTing an action, with a valid token: 403, and nothing changes.
    let q = site.queue_id(&held_id).unwrap();
    let r = site.post(&v, &format!("/queue/{q}/approve"), &[]);
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = site.post(&v, &format!("/queue/{q}/reject"), &[("note", "no")]);
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let rq = site.queue_id(&review_id).unwrap();
    let r = site.post(&v, &format!("/queue/{rq}/correct"), &[("change", "-1"), ("product", "SPB")]);
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(site.env.message(&held_id)["message"]["state"], "awaiting_approval");
    assert_eq!(site.env.message(&review_id)["message"]["state"], "needs_review");
    assert_eq!(site.env.quantity("S-FLEX"), 13);
}

#[test]
fn every_post_checks_the_csrf_token() {
    let mut site = Site::new("");
    let held_id = held(&site.env);
    site.env.run_once();
    site.start();
    let c = site.login(OPERATOR, OPERATOR_PASSWORD);
    let q = site.queue_id(&held_id).unwrap();
    let approve = site.url(&format!("/queue/{q}/approve"));
    let r = c.post(&approve).form(&[("note", "x")]).send().unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no token");
    let r = c.post(&approve).form(&[("csrf", "0".repeat(64).as_str())]).send().unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a wrong token");
    // Another session's token is wrong for this one.
    let other = site.login(OPERATOR, OPERATOR_PASSWORD);
    let theirs = csrf(&site.get(&other, "/"));
    let r = c.post(&approve).form(&[("csrf", theirs.as_str())]).send().unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "another session's token");
    for path in [format!("/queue/{q}/reject"), format!("/queue/{q}/correct"), "/outbox/1/retry".into(), "/logout".into()] {
        let r = c.post(site.url(&path)).form(&[("csrf", "nope"), ("change", "+1")]).send().unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(site.env.message(&held_id)["message"]["state"], "awaiting_approval");
    assert_eq!(site.env.quantity("S-FLEX"), 10);
    assert!(site.get(&c, "/").contains("Many more licences"), "still logged in, still waiting");
}

#[test]
fn an_operator_approves_a_held_request() {
    let mut site = Site::new("");
    let held_id = held(&site.env);
    site.env.run_once();
    assert_eq!(site.env.answers_to(&held_id).len(), 1, "the acknowledgement");
    site.start();
    let c = site.login(OPERATOR, OPERATOR_PASSWORD);
    let q = site.queue_id(&held_id).unwrap();
    let r = site.post(&c, &format!("/queue/{q}/approve"), &[("note", "Approved by the account manager"), ("back", "/")]);
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/");
    let page = site.get(&c, "/");
    assert!(page.contains(&format!("Message {q} approved: applied")), "the outcome is shown once:\n{page}");
    assert!(!site.get(&c, "/").contains(&format!("Message {q} approved")), "only once");
    let d = site.env.message(&held_id);
    assert_eq!(d["message"]["state"], "applied", "{d:#}");
    assert_eq!(d["ledger"][0]["actor"], "ops:olivia");
    assert_eq!(d["ledger"][0]["old_quantity"], 10);
    assert_eq!(d["ledger"][0]["new_quantity"], 35);
    assert_eq!(site.env.quantity("S-FLEX"), 35);
    wait_until(60, "the confirmation answer", || site.env.answers_to(&held_id).len() == 2);
    let answers = site.env.answers_to(&held_id);
    assert!(answers.iter().any(|a| a.header("Subject").unwrap_or_default().contains("have been adapted")), "{answers:#?}");
    // Approving again is refused, politely.
    let r = site.post(&c, &format!("/queue/{q}/approve"), &[]);
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(site.get(&c, "/").contains("nothing to decide"));
    assert_eq!(site.env.quantity("S-FLEX"), 35);
}

#[test]
fn an_operator_rejects_with_a_note() {
    let mut site = Site::new("");
    let held_id = held(&site.env);
    site.env.run_once();
    site.start();
    let c = site.login(OPERATOR, OPERATOR_PASSWORD);
    let q = site.queue_id(&held_id).unwrap();
    let key = site.key(&held_id);
    let back = format!("/messages/{key}");
    let detail = site.get(&c, &back);
    assert!(detail.contains(&format!("/queue/{q}/reject")), "the actions are on the message page too");
    let r = site.post(&c, &format!("/queue/{q}/reject"), &[("note", "Budget freeze until March"), ("back", back.as_str())]);
    assert_eq!(location(&r), back);
    let d = site.env.message(&held_id);
    assert_eq!(d["message"]["state"], "rejected");
    assert!(d["message"]["reason"].as_str().unwrap().contains("ops:olivia"), "{d:#}");
    assert_eq!(site.env.quantity("S-FLEX"), 10);
    wait_until(60, "the rejection answer", || site.env.answers_to(&held_id).len() == 2);
    assert!(site.env.answers_to(&held_id).iter().any(|a| a.text.contains("Budget freeze until March")));
    assert!(!site.get(&c, "/").contains("Many more licences"), "out of the queue");
}

#[test]
fn an_operator_corrects_and_applies_a_misparsed_request() {
    let mut site = Site::new("");
    let id = unclear(&site.env);
    site.env.run_once();
    site.start();
    let c = site.login(OPERATOR, OPERATOR_PASSWORD);
    let q = site.queue_id(&id).unwrap();
    let queue = site.get(&c, "/");
    assert!(queue.contains(&format!("/queue/{q}/correct")) && queue.contains("O365_BUSINESS_PREMIUM"));
    // A change that is no change, and a product that does not exist, are refused with a word.
    site.post(&c, &format!("/queue/{q}/correct"), &[("change", "lots"), ("product", "SPB")]);
    assert!(site.get(&c, "/").contains("is not a change"));
    site.post(&c, &format!("/queue/{q}/correct"), &[("change", "-2"), ("product", "NOPE")]);
    assert!(site.get(&c, "/").contains("not a product SKU"));
    assert_eq!(site.env.message(&id)["message"]["state"], "needs_review");
    let r = site.post(
        &c,
        &format!("/queue/{q}/correct"),
        &[("change", "-2"), ("product", "spb"), ("username", "admin@contoso.onmicrosoft.com"), ("note", "as agreed by phone")],
    );
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let d = site.env.message(&id);
    assert_eq!(d["message"]["state"], "applied", "{d:#}");
    assert!(d["message"]["reason"].as_str().unwrap().starts_with("corrected by ops:olivia"));
    assert_eq!(d["ledger"][0]["actor"], "ops:olivia");
    assert_eq!(site.env.quantity("S-FLEX"), 8);
    wait_until(60, "the confirmation", || site.env.answers_to(&id).len() == 2);
}

#[test]
fn an_operator_retries_a_dead_answer() {
    let mut site = Site::new("");
    let (raw, id) = mail("admin@contoso.be", "Three more", "Please add 3 Microsoft 365 Business Premium licences.\nUsername: admin@contoso.onmicrosoft.com");
    site.env.deliver(&raw);
    site.env.run_once();
    // The answer dies (as after a 5xx): straight in the database, the binary cannot be made to fail here.
    site.env.sql("UPDATE outbox SET state = 'dead', attempts = 8, sent_at = NULL, last_error = '550 mailbox unavailable'");
    let answer_id = site.env.json(&["outbox", "list", "--json"])[0]["id"].as_i64().unwrap();
    std::fs::remove_dir_all(site.env.path("outbox")).unwrap();
    site.start();
    let c = site.login(OPERATOR, OPERATOR_PASSWORD);
    let page = site.get(&c, "/outbox");
    assert!(page.contains("550 mailbox unavailable") && page.contains(&format!("/outbox/{answer_id}/retry")), "{page}");
    assert!(site.get(&c, "/outbox?state=dead").contains("550 mailbox unavailable"));
    assert!(!site.get(&c, "/outbox?state=sent").contains("550 mailbox unavailable"));
    let r = site.post(&c, &format!("/outbox/{answer_id}/retry"), &[("back", "/outbox")]);
    assert_eq!(location(&r), "/outbox");
    assert!(site.get(&c, "/outbox").contains(&format!("Answer {answer_id} is queued again")));
    wait_until(60, "the retried answer to be delivered", || site.env.answers_to(&id).len() == 1);
    let list = site.env.json(&["outbox", "list", "--json"]);
    assert_eq!(list[0]["state"], "sent", "{list:#}");
    // A sent answer is not retried.
    site.post(&c, &format!("/outbox/{answer_id}/retry"), &[]);
    assert!(site.get(&c, "/outbox").contains("no unsent answer"));
}

#[test]
fn metrics_are_in_prometheus_text_format() {
    let mut site = Site::new("");
    site.start();
    let (raw, id) = mail("admin@contoso.be", "Three more", "Please add 3 Microsoft 365 Business Premium licences.\nUsername: admin@contoso.onmicrosoft.com");
    site.env.deliver(&raw);
    wait_until(30, "the mail to be processed", || site.env.messages().iter().any(|m| m["message_id"] == id.as_str()));
    held(&site.env);
    wait_until(30, "the held mail", || site.env.messages().len() == 2);
    let c = site.login(VIEWER, VIEWER_PASSWORD);
    let r = c.get(site.url("/metrics")).send().unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let text = r.text().unwrap();
    for line in [
        "seatmail_messages{state=\"applied\"} 1",
        "seatmail_messages{state=\"awaiting_approval\"} 1",
        "seatmail_messages{state=\"ignored\"} 0",
        "seatmail_queue_length 1",
        "# TYPE seatmail_processing_seconds histogram",
        "seatmail_processing_seconds_bucket{le=\"+Inf\"} 2",
        "seatmail_processing_seconds_count 2",
        "seatmail_processing_failures_total 0",
        "seatmail_outbox{state=\"dead\"} 0",
        "seatmail_outbox_retries{state=\"pending\"} 0",
        "seatmail_imap_reconnects_total 0",
    ] {
        assert!(text.lines().any(|l| l == line), "`{line}` in:\n{text}");
    }
    assert!(text.contains("seatmail_outbox{state=\"sent\"}"));
    // Every sample line is `name{labels} number`.
    for l in text.lines().filter(|l| !l.starts_with('#')) {
        let (_, value) = l.rsplit_once(' ').unwrap();
        assert!(value.parse::<f64>().is_ok(), "{l}");
    }
}

#[test]
fn messages_are_searchable() {
    let mut site = Site::new("");
    let (raw, a) = mail("admin@contoso.be", "Three more", "Please add 3 Microsoft 365 Business Premium licences.\nUsername: admin@contoso.onmicrosoft.com");
    site.env.deliver(&raw);
    let (raw, _) = mail("admin@fabrikam.fr", "Licences Fabrikam", "Bonjour, ajoutez 2 licences Microsoft 365 Business Basic.\nUtilisateur: admin@fabrikam.onmicrosoft.com");
    site.env.deliver(&raw);
    let (raw, _) = mail("stranger@gmail.example", "Stranger things", "Please add 4 licences.");
    site.env.deliver(&raw);
    site.env.run_once();
    site.start();
    let c = site.login(VIEWER, VIEWER_PASSWORD);
    let by = |q: &str| site.get(&c, &format!("/messages?{q}"));
    let p = by("customer=C2");
    assert!(p.contains("Licences Fabrikam") && !p.contains("Three more") && !p.contains("Stranger things"));
    let p = by("sender=STRANGER");
    assert!(p.contains("Stranger things") && !p.contains("Three more"));
    let p = by("state=rejected");
    assert!(p.contains("Stranger things") && !p.contains("Three more"), "{p}");
    let p = by("q=three");
    assert!(p.contains("Three more") && !p.contains("Licences Fabrikam"));
    let today = chrono::Utc::now().date_naive();
    let p = by(&format!("since={today}&until={today}"));
    assert!(p.contains("Three more") && p.contains("Stranger things"));
    let p = by(&format!("since={}", today + chrono::Duration::days(1)));
    assert!(p.contains("No message matches"));
    let p = by("since=yesterday&q=%25");
    assert!(p.contains("is not a date"), "a bad date is said, not a failure");
    assert!(!p.contains("Three more"), "`%` is a character, not a wildcard");
    assert!(by("state=bogus").contains("is unknown"));
    let key = site.key(&a);
    assert!(site.get(&c, &format!("/messages/{}", &key[..12])).contains("Three more"), "a key prefix works");
}

#[test]
fn mail_content_is_escaped_everywhere() {
    let mut site = Site::new("");
    let evil = "<script>alert(1)</script>";
    let (raw, flagged) = mail(
        "Mallory <mallory@evil.example>",
        evil,
        "<script>alert(1)</script><img src=x onerror=alert(2)> add 3 licences \"quoted\" & more",
    );
    site.env.deliver(&raw);
    let (raw, review) = mail("admin@contoso.be", evil, "Hello <b>there</b> <script>alert(1)</script>, please change the licences for the people who left.");
    site.env.deliver(&raw);
    site.env.run_once();
    site.start();
    let c = site.login(OPERATOR, OPERATOR_PASSWORD);
    let pages = [
        site.get(&c, "/"),
        site.get(&c, "/messages"),
        site.get(&c, "/messages?q=%3Cscript%3E"),
        site.get(&c, &format!("/messages/{}", site.key(&flagged))),
        site.get(&c, &format!("/messages/{}", site.key(&review))),
        site.get(&c, "/customers/C1"),
    ];
    for (i, p) in pages.iter().enumerate() {
        assert!(!p.contains("<script"), "page {i} has a raw <script>:\n{p}");
        assert!(!p.contains("<img"), "page {i} has a raw <img>");
        assert!(!p.contains("<b>there"), "page {i} has raw markup");
    }
    assert!(pages[0].contains("&lt;script&gt;alert(1)&lt;"), "{}", pages[0]);
    assert!(pages[1].contains("&lt;script&gt;alert(1)&lt;"));
    assert!(pages[2].contains("&lt;script&gt;alert(1)&lt;"), "search finds it");
    assert!(pages[3].contains("&lt;img src=x onerror=alert(2)&gt;"), "the body as text:\n{}", pages[3]);
    assert!(pages[3].contains("&quot;quoted&quot; &amp; more"));
    let r = c.get(site.url("/")).send().unwrap();
    let csp = r.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("default-src 'none'") && !csp.contains("script-src"), "no script may run: {csp}");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
}
