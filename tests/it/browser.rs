//! The dashboard in a real browser: headless Chromium driven over the WebDriver protocol
//! (chromedriver, started here as a child process and stopped on drop). Logs in, approves a
//! held request, corrects another among the customer's own subscriptions, rejects a third with
//! a note and finds it on the message page, stays logged in across a daemon restart, sees a
//! removed user sent to the login page, reads the browser's console after every page (it must
//! stay empty), and takes screenshots of the queue, a message and a customer page
//! (`SEATMAIL_UPDATE_SCREENSHOTS=1` writes them to docs/screenshots/ for the README).
//!
//! Needs Debian's `chromium` and `chromium-driver` (tests/run installs them); without them the
//! test fails and says so: it never skips itself.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use reqwest::blocking::Client;
use serde_json::{json, Value};

use crate::dashboard::add_user;
use crate::support::{mail, wait_until, REPO};
use crate::web::{free_port, Site, OPERATOR, OPERATOR_PASSWORD};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path).chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/lib/chromium")]) {
        for n in names {
            let p = dir.join(n);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// A chromedriver child process and one browser session on it; both end on drop.
struct Browser {
    driver: Child,
    http: Client,
    base: String,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start() -> Browser {
        let chromium = find_program(&["chromium", "chromium-browser"]).unwrap_or_else(|| {
            panic!("the browser test needs Chromium: apt-get install chromium chromium-driver (tests/run does it as root)")
        });
        let chromedriver = find_program(&["chromedriver"]).unwrap_or_else(|| {
            panic!("the browser test needs chromedriver: apt-get install chromium-driver (tests/run does it as root)")
        });
        let port = free_port();
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()));
        let http = Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let profile = tempfile::tempdir().unwrap();
        let mut b = Browser { driver, http, base, session: String::new(), _profile: profile };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = b.http.get(format!("{}/status", b.base)).send().ok().and_then(|r| r.json::<Value>().ok());
            if ready.as_ref().is_some_and(|v| v["value"]["ready"] == true) {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not become ready on port {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {
                "binary": chromium.to_string_lossy(),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--window-size=1280,900", "--hide-scrollbars", "--force-device-scale-factor=1",
                    format!("--user-data-dir={}", b._profile.path().display()),
                ],
            },
        }}});
        let v = b.call("POST", "/session", Some(caps));
        b.session = v["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {v}")).to_string();
        b.session_call("POST", "/window/rect", Some(json!({"width": 1280, "height": 900})));
        b
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let req = match method {
            "GET" => self.http.get(&url),
            "DELETE" => self.http.delete(&url),
            _ => self.http.post(&url).json(&body.unwrap_or_else(|| json!({}))),
        };
        let r = req.send().unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"));
        let status = r.status();
        let v: Value = r.json().unwrap_or(Value::Null);
        assert!(status.is_success(), "WebDriver {method} {path}: {status} {v}");
        v["value"].clone()
    }

    fn session_call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), body)
    }

    fn goto(&self, url: &str) {
        self.session_call("POST", "/url", Some(json!({ "url": url })));
    }

    fn find(&self, css: &str) -> String {
        let v = self.session_call("POST", "/element", Some(json!({"using": "css selector", "value": css})));
        v[ELEMENT].as_str().unwrap_or_else(|| panic!("no element {css}: {v}")).to_string()
    }

    fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.session_call("POST", &format!("/element/{e}/value"), Some(json!({ "text": text })));
    }

    fn click(&self, css: &str) {
        let e = self.find(css);
        self.session_call("POST", &format!("/element/{e}/click"), None);
    }

    fn clear(&self, css: &str) {
        let e = self.find(css);
        self.session_call("POST", &format!("/element/{e}/clear"), None);
    }

    /// What the page wrote to the browser's console since the last look (errors, warnings,
    /// anything: a 404 favicon, a style the Content-Security-Policy refused).
    fn console(&self) -> Vec<Value> {
        let v = self.session_call("POST", "/se/log", Some(json!({ "type": "browser" })));
        v.as_array().cloned().unwrap_or_default()
    }

    /// Go to `url` and insist that the page logged nothing to the console.
    fn visit(&self, url: &str) {
        self.goto(url);
        self.quiet(url);
    }

    fn quiet(&self, what: &str) {
        let logged = self.console();
        assert!(logged.is_empty(), "the browser's console after {what}: {logged:#?}");
    }

    fn source(&self) -> String {
        self.session_call("GET", "/source", None).as_str().unwrap_or_default().to_string()
    }

    fn url(&self) -> String {
        self.session_call("GET", "/url", None).as_str().unwrap_or_default().to_string()
    }

    /// A PNG of the window, saved to `path`.
    fn screenshot(&self, path: &Path) {
        let b64 = self.session_call("GET", "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD.decode(b64.as_str().unwrap()).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        assert!(png.len() < 300 * 1024, "{} is {} bytes: keep screenshots under 300 KB", path.display(), png.len());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.http.delete(format!("{}/session/{}", self.base, self.session)).send();
        }
        // Our own child, by its handle.
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

#[test]
fn an_operator_works_the_queue_in_a_browser() {
    let mut site = Site::new("");
    let env = &site.env;
    // Something to look at: applied, held, unclear and an unknown sender.
    for (from, subject, body) in [
        ("An Admin <admin@contoso.be>", "Three more licences", "Please add 3 Microsoft 365 Business Premium licences.\nUsername: admin@contoso.onmicrosoft.com"),
        ("Marie Admin <admin@fabrikam.fr>", "Licences Business Basic", "Bonjour,\n\nMerci de retirer 10 licences Microsoft 365 Business Basic.\nUtilisateur : admin@fabrikam.onmicrosoft.com\n\nMarie"),
        ("stranger@gmail.example", "Licences", "Hello, please add 4 licences to my account."),
        ("An Admin <admin@contoso.be>", "Licences", "Hello,\n\nPlease change the licences for the people who left.\n\nAn"),
    ] {
        let (raw, _) = mail(from, subject, body);
        env.deliver(&raw);
    }
    let held_mail = |subject: &str, body: &str| {
        let (raw, id) = mail("An Admin <admin@contoso.be>", subject, body);
        env.deliver(&raw);
        id
    };
    let held = held_mail(
        "New office: 25 more licences",
        "Hello,\n\nWe open a new office next month. Please add 25 Microsoft 365 Business Premium licences.\nUsername: admin@contoso.onmicrosoft.com\n\nKind regards,\nAn Admin",
    );
    let misread = held_mail("Business Standard for the interns", "Please add 22 Microsoft 365 Business Premium licences for the interns.");
    let refused = held_mail("Thirty more", "Please add 30 Microsoft 365 Business Premium licences.");
    env.run_once();
    add_user(&site, "rita", "rita-operator-pass", "operator");
    site.start();
    let q = site.queue_id(&held).expect("the held request is in the queue");
    // The README's screenshots are refreshed on request; otherwise they go to the test's
    // own directory (a test run leaves the repository as it found it).
    let shots = if std::env::var_os("SEATMAIL_UPDATE_SCREENSHOTS").is_some() {
        Path::new(REPO).join("docs/screenshots")
    } else {
        site.env.path("screenshots")
    };
    std::fs::create_dir_all(&shots).unwrap();

    let browser = Browser::start();
    browser.goto(&site.url("/"));
    assert!(browser.url().contains("/login"), "not logged in: the login page ({})", browser.url());
    browser.quiet("the login page");
    browser.type_into("#name", OPERATOR);
    browser.type_into("#password", OPERATOR_PASSWORD);
    browser.click("#login");
    wait_until(60, "the queue after login", || browser.source().contains("what needs a person now"));
    browser.quiet("the queue");
    let page = browser.source();
    assert!(page.contains("New office: 25 more licences") && page.contains("stranger@gmail.example"));
    browser.screenshot(&shots.join("queue.png"));

    browser.type_into(&format!("form[action=\"/queue/{q}/approve\"] input[name=note]"), "New office confirmed by the account manager");
    browser.click(&format!("form[action=\"/queue/{q}/approve\"] button"));
    wait_until(60, "the approval's message", || browser.source().contains(&format!("Message {q} approved: applied")));
    browser.quiet("the approval");
    assert!(!browser.source().contains("New office: 25 more licences"), "out of the queue");
    let d = site.env.message(&held);
    assert_eq!(d["message"]["state"], "applied");
    assert_eq!(d["ledger"][0]["actor"], "ops:olivia");
    assert_eq!(d["ledger"][0]["note"], "New office confirmed by the account manager");
    assert_eq!(site.env.quantity("S-FLEX"), 38, "10 + 3 + 25");
    wait_until(60, "the confirmation", || site.env.answers_to(&held).len() == 2);

    // The interns' 22 licences were read as Business Premium; they meant Business Standard:
    // corrected on its page, choosing the customer's own subscription, and decided again.
    let m = site.queue_id(&misread).unwrap();
    let form = format!("form[action=\"/queue/{m}/correct\"]");
    browser.visit(&site.url(&format!("/messages/{}", site.key(&misread))));
    assert!(browser.source().contains("S-ANN · 15 of 20 available"), "the customer's subscriptions, with their seats");
    browser.click(&format!("{form} select[name=\"product.0\"] option[value=\"O365_BUSINESS_PREMIUM\"]"));
    browser.clear(&format!("{form} input[name=\"change.0\"]"));
    browser.type_into(&format!("{form} input[name=\"change.0\"]"), "+12");
    browser.type_into(&format!("{form} input[name=note]"), "Business Standard, twelve for now");
    browser.click(&format!("{form} button"));
    wait_until(60, "the correction's message", || browser.source().contains(&format!("Message {m} corrected: applied")));
    browser.quiet("the correction");
    assert_eq!((site.env.quantity("S-ANN"), site.env.quantity("S-FLEX")), (32, 38));

    // A rejection with a note: the note is on the message page, with who and when.
    let r = site.queue_id(&refused).unwrap();
    let key = site.key(&refused);
    browser.visit(&site.url(&format!("/messages/{key}")));
    browser.type_into(&format!("form[action=\"/queue/{r}/reject\"] input[name=note]"), "Budget freeze until March");
    browser.click(&format!("form[action=\"/queue/{r}/reject\"] button"));
    wait_until(60, "the rejection's message", || browser.source().contains(&format!("Message {r} rejected: rejected")));
    browser.quiet("the rejection");
    let page = browser.source();
    assert!(page.contains("<strong>rejected</strong> by ops:olivia") && page.contains("<q>Budget freeze until March</q>"), "the note on the page");

    browser.visit(&site.url(&format!("/messages/{}", site.key(&held))));
    let page = browser.source();
    assert!(page.contains("13 → 38") && page.contains("ops:olivia"), "the ledger on the message page");
    browser.screenshot(&shots.join("message.png"));
    browser.visit(&site.url("/customers/C1"));
    assert!(browser.source().contains("of 38 available"));
    browser.screenshot(&shots.join("customer.png"));
    for path in ["/messages", "/customers", "/outbox", "/outbox?state=all", "/health"] {
        browser.visit(&site.url(path));
    }

    // A restart keeps the session.
    assert!(site.daemon.take().unwrap().stop().success());
    site.start();
    browser.visit(&site.url("/"));
    assert!(browser.source().contains("what needs a person now"), "still logged in after a restart: {}", browser.url());

    // A removed user's next request lands on the login page.
    browser.click("header form[action=\"/logout\"] button");
    wait_until(60, "the login page", || browser.url().contains("/login"));
    browser.type_into("#name", "rita");
    browser.type_into("#password", "rita-operator-pass");
    browser.click("#login");
    wait_until(60, "rita's queue", || browser.source().contains("what needs a person now"));
    site.env.ok(&["user", "remove", "rita"]);
    browser.goto(&site.url("/messages"));
    assert!(browser.url().contains("/login?next=/messages"), "a removed user: {}", browser.url());
    browser.quiet("the removed user's request");
    drop(browser);
    assert!(site.daemon.take().unwrap().stop().success());
}
