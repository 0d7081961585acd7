//! The dashboard day to day, over HTTP against the real binary: sessions kept in the store (a
//! restart, a second daemon, a removed or demoted user, expired sessions, hashed ids), the names
//! people read, a queue count that adds up, the operator's note everywhere it is shown, the
//! correction of a held request among the customer's own subscriptions, and the favicon.

use std::io::Write as _;

use reqwest::StatusCode;
use sha2::Digest;

use crate::support::{mail, wait_until};
use crate::web::{client, free_port, Site, OPERATOR, OPERATOR_PASSWORD, VIEWER, VIEWER_PASSWORD};

/// `seatmail user add NAME --role ROLE` with a password on stdin; its output.
pub fn add_user(site: &Site, name: &str, password: &str, role: &str) -> String {
    let mut child = site
        .env
        .cmd()
        .args(["user", "add", name, "--role", role])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "user add {name}");
    String::from_utf8(out.stdout).unwrap()
}

/// The session cookie a login sets.
fn session_cookie(r: &reqwest::blocking::Response) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("seatmail_session="))
        .map(|c| c.split(';').next().unwrap().to_string())
        .expect("a session cookie")
}

fn logged_in(site: &Site, c: &reqwest::blocking::Client, base: &str) -> bool {
    let r = c.get(format!("{base}/")).send().unwrap();
    match r.status() {
        StatusCode::OK => true,
        StatusCode::SEE_OTHER => {
            assert!(r.headers()["location"].to_str().unwrap().starts_with("/login"), "to the login page");
            false
        }
        s => panic!("GET / on {base}: {s} ({})", site.base),
    }
}

#[test]
fn sessions_live_in_the_store_across_restarts_and_daemons_and_end_with_their_user() {
    let mut site = Site::new("");
    site.start();
    let c = client();
    let r = site.try_login(&c, OPERATOR, OPERATOR_PASSWORD);
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let raw = session_cookie(&r);
    // Only a hash of the id is kept.
    let hashes = site.env.strings("SELECT id_hash FROM sessions");
    let hash: String = sha2::Sha256::digest(raw.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hashes, vec![hash], "one session, stored as the SHA-256 of its id");
    assert!(!hashes.contains(&raw));

    // A restart keeps the operator logged in.
    assert!(site.daemon.take().unwrap().stop().success());
    site.start();
    assert!(logged_in(&site, &c, &site.base), "logged in after a restart");
    // A second daemon on the same store knows the session (cookies are per host, not port).
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let _second = site.env.spawn_with(&[("SEATMAIL_WEB__BIND", bind.as_str())]);
    let second = format!("http://{bind}");
    wait_until(30, "the second dashboard", || client().get(format!("{second}/healthz")).send().is_ok_and(|r| r.status().is_success()));
    assert!(logged_in(&site, &c, &second), "the second daemon shares the session");

    // A removed user's next request lands on the login page, on every daemon.
    let v = site.login(VIEWER, VIEWER_PASSWORD);
    assert!(logged_in(&site, &v, &site.base));
    let out = site.env.ok(&["user", "remove", VIEWER]);
    assert!(out.contains("sessions are ended"), "{out}");
    assert!(!logged_in(&site, &v, &site.base) && !logged_in(&site, &v, &second));
    // A demoted one too: `user add` again ends the user's sessions.
    add_user(&site, "rita", "rita-operator-pass", "operator");
    let rita = site.login("rita", "rita-operator-pass");
    assert!(site.get(&rita, "/").contains("badge operator"));
    let out = add_user(&site, "rita", "rita-operator-pass", "viewer");
    assert!(out.contains("session is ended"), "{out}");
    assert!(!logged_in(&site, &rita, &site.base));
    let rita = site.login("rita", "rita-operator-pass");
    assert!(site.get(&rita, "/").contains("badge viewer"));

    // Expired sessions are deleted (at the next login, and at every start).
    site.env.sql(
        "INSERT INTO sessions (id_hash, user_name, csrf, created_at, expires_at) \
         VALUES ('old', 'olivia', 'x', '2000-01-01T00:00:00.000Z', '2000-01-01T08:00:00.000Z')",
    );
    assert_eq!(site.env.strings("SELECT id_hash FROM sessions WHERE id_hash = 'old'").len(), 1);
    site.login(OPERATOR, OPERATOR_PASSWORD);
    assert!(site.env.strings("SELECT id_hash FROM sessions WHERE id_hash = 'old'").is_empty(), "expired: deleted");
    // Logging out deletes the session row.
    let before = site.env.strings("SELECT id_hash FROM sessions").len();
    site.post(&c, "/logout", &[]);
    assert_eq!(site.env.strings("SELECT id_hash FROM sessions").len(), before - 1);
    assert!(!logged_in(&site, &c, &site.base));
}

/// The count in a page's navigation and the queue's breakdown.
fn counts(page: &str) -> (i64, [i64; 4]) {
    let nav = regex::Regex::new(r#"id="queue-count"[^>]*>(\d+)<"#).unwrap();
    let breakdown = regex::Regex::new(r"(\d+) waiting: (\d+) held, (\d+) to review, (\d+) to look at").unwrap();
    let n = nav.captures(page).map(|c| c[1].parse().unwrap()).unwrap_or(0);
    let b = breakdown.captures(page).unwrap_or_else(|| panic!("no breakdown in:\n{page}"));
    (n, [1, 2, 3, 4].map(|i| b[i].parse().unwrap()))
}

#[test]
fn names_people_read_and_a_queue_count_that_adds_up() {
    let mut site = Site::new("");
    let env = &site.env;
    let (raw, _) = mail("admin@contoso.be", "Many more", "Please add 25 Microsoft 365 Business Premium licences.\nUsername: admin@contoso.onmicrosoft.com");
    // Written three days ago: "waiting" counts from the mail's own date.
    let sent = (chrono::Utc::now() - chrono::Duration::days(3)).to_rfc2822();
    let raw = regex::Regex::new(r"Date: [^\r]*").unwrap().replace(&raw, format!("Date: {sent}")).into_owned();
    env.deliver(&raw);
    let (raw, _) = mail("admin@contoso.be", "Licences", "Hello,\n\nPlease change the licences for the people who left.\n");
    env.deliver(&raw);
    let (raw, _) = mail("stranger@gmail.example", "Licences", "Please add 4 licences.");
    env.deliver(&raw);
    let (raw, _) = mail("admin@contoso.be", "Three more", "Please add 3 Microsoft 365 Business Premium licences.\nUsername: admin@contoso.onmicrosoft.com");
    env.deliver(&raw);
    env.run_once();
    site.start();
    let c = site.login(VIEWER, VIEWER_PASSWORD);
    let queue = site.get(&c, "/");
    let (n, [total, held, review, look]) = counts(&queue);
    assert_eq!((n, total, held, review, look), (3, 3, 1, 1, 1), "the header's count is its breakdown's sum");
    assert_eq!(queue.matches("<section class=\"card ").count(), 3, "and the cards shown");
    assert!(queue.contains("waiting 3 d"), "waiting since the mail's Date:\n{queue}");
    for page in ["/messages", "/customers", "/health", "/outbox"] {
        let p = site.get(&c, page);
        assert_eq!(counts(&format!("{p} 3 waiting: 1 held, 1 to review, 1 to look at")).0, 3, "{page}");
        assert!(!p.contains("just now ago"), "{page}");
    }
    let health = site.get(&c, "/health");
    assert!(health.contains("1 held, 1 to review, 1 to look at"), "{health}");
    // The product's name with its SKU: O365_BUSINESS_PREMIUM is Business Standard.
    let customers = site.get(&c, "/customers");
    assert!(customers.contains("Microsoft 365 Business Standard <span class=\"muted small\"><code>O365_BUSINESS_PREMIUM</code>"), "{customers}");
    // The message list names the customer.
    let list = site.get(&c, "/messages");
    assert!(list.contains("\">Contoso NV</a></td>"), "{list}");
    // The favicon needs no login and is an icon.
    let r = client().get(site.url("/favicon.ico")).send().unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/x-icon");
    assert!(r.bytes().unwrap().starts_with(&[0, 0, 1, 0]));
    assert!(site.get(&c, "/").contains("<link rel=\"icon\" href=\"/favicon.ico\">"));
}

#[test]
fn the_operators_note_is_kept_and_a_held_request_is_corrected_among_the_customers_subscriptions() {
    let mut site = Site::new("");
    let held = |subject: &str| {
        let (raw, id) = mail("admin@contoso.be", subject, "Please add 25 Microsoft 365 Business Premium licences.\nUsername: admin@contoso.onmicrosoft.com");
        site.env.deliver(&raw);
        id
    };
    let (refused, misread, still) = (held("New office"), held("Business Standard, really"), held("Thirty"));
    site.env.run_once();
    site.start();
    let c = site.login(OPERATOR, OPERATOR_PASSWORD);

    // A rejection's note: in the flash, on the message page, in the list, in `messages show`.
    let q = site.queue_id(&refused).unwrap();
    let r = site.post(&c, &format!("/queue/{q}/reject"), &[("note", "Budget freeze until March"), ("back", "/")]);
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let flash = site.get(&c, "/");
    assert!(flash.contains(&format!("Message {q} rejected: rejected — rejected by ops:olivia")), "{flash}");
    assert!(flash.contains("note: Budget freeze until March"), "the flash says who and with which note");
    let page = site.get(&c, &format!("/messages/{}", site.key(&refused)));
    assert!(page.contains("<strong>rejected</strong> by ops:olivia") && page.contains("<q>Budget freeze until March</q>"), "{page}");
    assert!(site.get(&c, "/messages").contains("rejected by ops:olivia"));
    let d = site.env.message(&refused);
    assert_eq!(d["decisions"][0]["actor"], "ops:olivia");
    assert_eq!(d["decisions"][0]["note"], "Budget freeze until March");

    // A held request, read as Business Premium (SPB), meant Business Standard: the form offers
    // the customer's own subscriptions, filled in from the parse.
    let q = site.queue_id(&misread).unwrap();
    let page = site.get(&c, &format!("/messages/{}", site.key(&misread)));
    let form = &page[page.find(&format!("/queue/{q}/correct")).unwrap()..];
    let form = &form[..form.find("</form>").unwrap()];
    assert!(form.contains("name=\"change.0\" value=\"+25\""), "{form}");
    assert!(form.contains("name=\"username.0\" value=\"admin@contoso.onmicrosoft.com\""), "{form}");
    assert!(form.contains("<option value=\"SPB\" selected>Microsoft 365 Business Premium (SPB) · S-FLEX · 3 of 10 available</option>"), "{form}");
    assert!(form.contains("Microsoft 365 Business Standard (O365_BUSINESS_PREMIUM) · S-ANN · 15 of 20 available"), "{form}");
    assert!(!form.contains("O365_BUSINESS_ESSENTIALS"), "not another customer's product, not the catalogue");
    let r = site.post(
        &c,
        &format!("/queue/{q}/correct"),
        &[("username.0", "admin@contoso.onmicrosoft.com"), ("product.0", "O365_BUSINESS_PREMIUM"), ("change.0", "+5"), ("note", "meant Business Standard")],
    );
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let d = site.env.message(&misread);
    assert_eq!(d["message"]["state"], "applied", "{d:#}");
    assert_eq!((d["ledger"][0]["subscription_id"].as_str(), d["ledger"][0]["actor"].as_str()), (Some("S-ANN"), Some("ops:olivia")));
    assert_eq!(d["ledger"][0]["note"], "meant Business Standard");
    assert_eq!(d["decisions"][0]["action"], "corrected");
    assert_eq!((site.env.quantity("S-ANN"), site.env.quantity("S-FLEX")), (25, 10));
    assert_eq!(site.env.strings(&format!("SELECT state FROM approvals WHERE message = {q}")), vec!["approved"]);

    // A correction goes through decide again: +30 is still over the threshold, still held.
    let q = site.queue_id(&still).unwrap();
    site.post(&c, &format!("/queue/{q}/correct"), &[("product.0", "SPB"), ("change.0", "+30")]);
    let d = site.env.message(&still);
    assert_eq!(d["message"]["state"], "awaiting_approval", "{d:#}");
    assert_eq!(d["items"][0]["new_quantity"], 40);
    assert_eq!(site.queue_id(&still), Some(q), "still in the queue");
    wait_until(60, "the answers of the correction", || site.env.answers_to(&misread).len() == 2);
}
