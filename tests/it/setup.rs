//! What a new installation meets on its own mail server: `check-config --connect` proves the
//! whole path (folders found in the server's namespace and created, the intake folder
//! selected, the capabilities), a folder the server refuses stops the start naming it, a
//! special-use folder or a missing right is named, a TLS mode that does not fit the port is
//! said so, a session that keeps failing backs off (and the dashboard, the metrics and
//! `imap status` say it fails), and the poll inside IDLE finds mail that a late IDLE does not
//! report.

use std::process::Output;
use std::time::{Duration, Instant};

use crate::servers::{Servers, BOX, IMAP_PASSWORD};
use crate::support::cyrus::{Cyrus, Layout};
use crate::support::imap::{Imap, Kind};
use crate::support::{mail, wait_logged, Env};
use crate::web::{client, free_port, Site, VIEWER, VIEWER_PASSWORD};

fn run_with(env: &Env, vars: &[(&str, &str)], args: &[&str]) -> Output {
    env.cmd().envs(vars.iter().copied()).args(args).output().expect("run seatmail")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const OUTCOMES: [(&str, &str); 5] =
    [("applied", "Processed"), ("rejected", "Rejected"), ("awaiting_approval", "Approval"), ("needs_review", "Review"), ("ignored", "Ignored")];

fn check_config_connect_proves_the_whole_path(kind: Kind) {
    let mut s = Servers::start_on(kind);
    let env = s.env(&[]);
    let first = env.run(&["check-config", "--connect"]);
    let text = stdout(&first);
    assert!(first.status.success(), "{text}\n{}", String::from_utf8_lossy(&first.stderr));
    assert!(text.contains("server offers MOVE yes, UIDPLUS yes, IDLE yes, NAMESPACE yes"), "{text}");
    let namespace = match kind {
        Kind::Dovecot | Kind::Cyrus(Layout::Alternate) => "personal folders at the top level, separator \"/\" (from NAMESPACE)",
        Kind::Cyrus(Layout::Netnews) => "personal folders under \"INBOX.\", separator \".\" (from NAMESPACE)",
        Kind::Cyrus(Layout::Unix) => "personal folders under \"INBOX/\", separator \"/\" (from NAMESPACE)",
    };
    assert!(text.contains(namespace), "{text}");
    assert!(text.contains("intake.imap.folder \"INBOX\" -> INBOX: selected, 0 message(s)"), "{text}");
    for (key, short) in OUTCOMES {
        let line = format!("intake.imap.folders.{key} \"{short}\" -> {}: created", s.imap.folder_name(short));
        assert!(text.contains(&line), "{line}:\n{text}");
    }
    assert!(text.contains("moves: UID MOVE; waits: IDLE"), "{text}");
    // Created once: the next check finds them.
    let again = stdout(&env.run(&["check-config", "--connect"]));
    assert_eq!(again.matches(": exists").count(), 5, "{again}");
    assert_eq!(s.folder("Processed"), 0, "it exists, empty");

    // A wrong intake folder, named with the server's answer.
    let out = run_with(&env, &[("SEATMAIL_INTAKE__IMAP__FOLDER", "Nope")], &["check-config", "--connect"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let nope = s.imap.folder_name("Nope");
    assert!(text.contains(&format!("FAILED: folder \"{nope}\" (intake.imap.folder) cannot be selected: the server answered \"")), "{text}");

    // A TLS mode that does not fit the port is said so, not left as "corrupt message".
    let imap_port = s.imap.imap_port().to_string();
    let out = run_with(&env, &[("SEATMAIL_INTAKE__IMAP__PORT", &imap_port)], &["check-config", "--connect"]);
    let text = stdout(&out);
    assert!(!out.status.success() && text.contains("tls = \"implicit\" but the port answers in plain text (* OK"), "{text}");
    assert!(!text.contains("InvalidContentType"), "{text}");
    let imaps_port = s.imap.imaps_port().to_string();
    let out = run_with(
        &env,
        &[("SEATMAIL_INTAKE__IMAP__TLS", "starttls"), ("SEATMAIL_INTAKE__IMAP__PORT", &imaps_port), ("SEATMAIL_INTAKE__IMAP__TIMEOUT_SECS", "3")],
        &["check-config", "--connect"],
    );
    let text = stdout(&out);
    assert!(!out.status.success() && text.contains("tls = \"starttls\" but the port speaks TLS from the first byte"), "{text}");
    // Without NAMESPACE, the separator comes from LIST "" "" (personal folders at the top level).
    if kind == Kind::Dovecot {
        s.imap.hide_capabilities(&["NAMESPACE"]);
        let text = stdout(&env.run(&["check-config", "--connect"]));
        assert!(text.contains("NAMESPACE no") && text.contains("personal folders at the top level, separator \"/\" (from LIST)"), "{text}");
        assert_eq!(text.matches(": exists").count(), 5, "{text}");
    }
    // The same for the SMTP server.
    let out = run_with(&env, &[("SEATMAIL_OUTBOX__SMTP__TLS", "implicit")], &["check-config", "--connect"]);
    let text = stdout(&out);
    assert!(!out.status.success() && text.contains("tls = \"implicit\" but port") && text.contains("answers in plain text"), "{text}");
}

/// A folder name outside our personal namespace that the server will not create for us.
fn refused_folder(kind: Kind) -> &'static str {
    match kind {
        Kind::Dovecot => "~Done",
        Kind::Cyrus(Layout::Netnews) => "user.nobody.Done",
        Kind::Cyrus(Layout::Unix) => "user/nobody/Done",
        Kind::Cyrus(Layout::Alternate) => "Other Users/nobody/Done",
    }
}

fn a_folder_the_server_refuses_stops_the_start_naming_it(kind: Kind) {
    let s = Servers::start_on(kind);
    let refused = refused_folder(kind);
    let env = s.env(&[("SEATMAIL_INTAKE__IMAP__FOLDERS__REJECTED", refused)]);
    let (m, _) = mail("admin@contoso.be", "Licences", "Please add 1 Microsoft 365 Business Premium licence.\n");
    s.imap.deliver(BOX, m.as_bytes());
    let named = format!("folder \"{refused}\" (intake.imap.folders.rejected) cannot be created: the server answered \"");
    let check = env.run(&["check-config", "--connect"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(stdout(&check).contains(&named), "{}", stdout(&check));
    let run = env.run(&["run"]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(err.contains(&named), "{err}");
    assert!(env.messages().is_empty(), "nothing read before the folders are right");
    assert_eq!(s.folder("INBOX"), 1, "the mail waits");
}

/// Cyrus marks folders with special uses and has ACL: a special-use folder is never taken by
/// accident, and a missing right is named.
#[test]
fn cyrus_folders_special_use_and_rights() {
    for layout in Layout::ALL {
        let s = Servers::start_on(Kind::Cyrus(layout));
        let junk = layout.folder("Junk");
        s.imap.commands(BOX, IMAP_PASSWORD, &[&format!("CREATE \"{junk}\" (USE (\\Junk))")]);
        let env = s.env(&[("SEATMAIL_INTAKE__IMAP__FOLDERS__IGNORED", "Junk")]);
        let text = stdout(&env.run(&["check-config", "--connect"]));
        assert!(text.contains(&format!("FAILED: folder \"{junk}\" (intake.imap.folders.ignored) is the server's \\Junk folder")), "{layout:?}: {text}");
        assert!(s.imap.messages(BOX, &junk).is_empty());

        // A folder of ours whose ACL lets us see it but not file mail into it (the owner keeps
        // `a`: Cyrus refuses an ACL that takes it away).
        let filed = layout.folder("Filed");
        s.imap.commands(BOX, IMAP_PASSWORD, &[&format!("CREATE \"{filed}\""), &format!("SETACL \"{filed}\" \"{BOX}\" lrsa")]);
        let env = s.env(&[("SEATMAIL_INTAKE__IMAP__FOLDERS__APPLIED", "Filed")]);
        let out = env.run(&["check-config", "--connect"]);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert!(
            text.contains(&format!("folder \"{filed}\" (intake.imap.folders.applied) lacks the right to insert mail")) && text.contains("ACL right \"i\""),
            "{layout:?}: {text}"
        );
        let err = String::from_utf8_lossy(&env.run(&["run", "--once"]).stderr).into_owned();
        assert!(err.contains("lacks the right to insert mail"), "the start fails the same way: {err}");
    }
}

fn metric(site: &Site, token: &str, name: &str) -> f64 {
    let text = client().get(site.url("/metrics")).bearer_auth(token).send().and_then(|r| r.text()).unwrap_or_default();
    text.lines().find_map(|l| l.strip_prefix(&format!("{name} "))).and_then(|v| v.trim().parse().ok()).unwrap_or(-1.0)
}

/// The folder seatmail reads is deleted under it (and the server restarted, which ends the
/// session): every session fails the same way. With the backoff scaled down (200 ms doubling
/// to 2 s instead of 1 s to 5 min), the attempts spread out to the cap and stay there; the
/// dashboard, /metrics and `imap status` show the intake failing with the folder and the
/// server's words. When a folder of that name is back, the session works again.
fn a_session_that_keeps_failing_backs_off_and_says_so(kind: Kind) {
    const TOKEN: &str = "scrape-token-for-the-backoff-test";
    let mut s = Servers::start_on(kind);
    let orders = s.imap.folder_name("Orders");
    s.imap.commands(BOX, IMAP_PASSWORD, &[&format!("CREATE \"{orders}\"")]);
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let env = s.env(&[
        ("SEATMAIL_INTAKE__IMAP__FOLDER", "Orders"),
        ("SEATMAIL_INTAKE__IMAP__IDLE_POLL_SECS", "1"),
        ("SEATMAIL_INTAKE__IMAP__RECONNECT_BASE_MS", "200"),
        ("SEATMAIL_INTAKE__IMAP__RECONNECT_MAX_SECS", "2"),
        ("SEATMAIL_WEB__ENABLED", "true"),
        ("SEATMAIL_WEB__BIND", &bind),
        ("SEATMAIL_WEB__METRICS_TOKEN", TOKEN),
    ]);
    let mut site = Site::of(env, port);
    site.start();
    let daemon = site.daemon.take().unwrap();
    wait_logged(30, "the session ready", &daemon, || metric(&site, TOKEN, "seatmail_imap_last_ok_timestamp_seconds") > 0.0);
    assert_eq!(metric(&site, TOKEN, "seatmail_imap_failing"), 0.0);

    s.imap.commands(BOX, IMAP_PASSWORD, &[&format!("DELETE \"{orders}\"")]);
    s.imap.start_again();
    let failures = || metric(&site, TOKEN, "seatmail_imap_consecutive_failures");
    wait_logged(60, "five failed sessions", &daemon, || failures() >= 5.0);
    // From the fifth failure on, the wait is at the cap: 2 s, plus up to a quarter of jitter.
    let (t0, f0) = (Instant::now(), failures());
    wait_logged(120, "three more attempts", &daemon, || failures() >= f0 + 3.0);
    // The daemon really waits (at least three waits at the cap, less how late the test saw
    // the first failure); how long each wait is, the daemon says: a busy machine makes the
    // attempts slower, not the waits shorter or longer.
    let spent = t0.elapsed();
    assert!(spent >= Duration::from_millis(4_500), "three attempts at the cap took only {spent:?}");
    let waits = retry_waits(&daemon.log_text());
    assert!(waits.len() >= 8, "{waits:?}");
    for (n, wait) in waits {
        let base = (0.2 * 2f64.powi(n as i32 - 1)).min(2.0);
        assert!(wait >= base && wait <= base * 1.25 + 0.001, "failure {n}: retry in {wait} s, expected {base} s plus up to a quarter");
    }

    assert_eq!(metric(&site, TOKEN, "seatmail_imap_failing"), 1.0);
    let status = site.env.json(&["imap", "status", "--json"]);
    let failing = status[0]["failing"].as_str().unwrap_or_else(|| panic!("failing in imap status: {status}")).to_string();
    assert!(failing.contains(&format!("folder \"{orders}\" (intake.imap.folder) cannot be selected: the server answered \"")), "{failing}");
    assert!(status[0]["failures"].as_u64().unwrap() >= 5 && status[0]["retry_at"].is_string(), "{status}");
    let table = site.env.ok(&["imap", "status"]);
    assert!(table.contains("failing since") && table.contains(&orders), "{table}");
    let viewer = site.login(VIEWER, VIEWER_PASSWORD);
    let health = site.get(&viewer, "/health");
    let escaped = orders.replace('/', "&#x2f;");
    assert!(health.contains("failing</span>") && health.contains(&escaped) && health.contains("cannot be selected"), "{health}");
    let reconnects = daemon.log_text().matches("imap session failed; reconnecting").count();
    assert!(reconnects >= 8, "{reconnects} reconnects logged");

    // The folder is back: the next attempt works and the failing state goes.
    s.imap.commands(BOX, IMAP_PASSWORD, &[&format!("CREATE \"{orders}\"")]);
    wait_logged(30, "recovered", &daemon, || metric(&site, TOKEN, "seatmail_imap_failing") == 0.0);
    wait_logged(60, "imap status clear", &daemon, || site.env.json(&["imap", "status", "--json"])[0]["failing"].is_null());
    assert!(daemon.stop().success());
}

/// `(failures, retry_in seconds)` of every "imap session failed; reconnecting" line.
fn retry_waits(log: &str) -> Vec<(u32, f64)> {
    let field = |line: &str, name: &str| {
        line.split_whitespace().find_map(|w| w.strip_prefix(name)).map(str::to_string)
    };
    log.lines()
        .filter(|l| l.contains("imap session failed; reconnecting"))
        .filter_map(|l| {
            let n = field(l, "failures=")?.parse().ok()?;
            let wait = field(l, "retry_in=")?;
            let secs = match wait.strip_suffix("ms") {
                Some(ms) => ms.parse::<f64>().ok()? / 1000.0,
                None => wait.strip_suffix('s')?.parse().ok()?,
            };
            Some((n, secs))
        })
        .collect()
}

crate::on_every_server!(
    check_config_connect_proves_the_whole_path,
    a_folder_the_server_refuses_stops_the_start_naming_it,
    a_session_that_keeps_failing_backs_off_and_says_so,
);

/// Seconds from delivery until the mail is recorded, with the daemon idling on `s` and
/// polling every `poll` seconds within IDLE. The delivery waits a random part of a poll
/// period first: mail does not arrive in step with the poll.
fn latency(s: &Servers, env: &Env, daemon: &crate::support::Daemon, n: usize, poll: u64) -> f64 {
    use rand::Rng;
    let (m, _) = mail("admin@contoso.be", &format!("Licence {n}"), "Please add 1 Microsoft 365 Business Premium licence.\n");
    let before = env.messages().len();
    std::thread::sleep(Duration::from_secs_f64(rand::thread_rng().gen_range(0.0..(poll.max(2) as f64))));
    let t0 = Instant::now();
    s.imap.deliver(BOX, m.as_bytes());
    wait_logged(120, "the mail recorded", daemon, || env.messages().len() > before);
    t0.elapsed().as_secs_f64()
}

/// Cyrus without idled reports new mail during IDLE only every `imapidlepoll` (60 s). With
/// `idle_poll_secs = 2` the intake asks itself and finds it within a few seconds. The README's
/// figures: `SEATMAIL_IDLE_SAMPLES=5 cargo test --features failpoints --test it
/// the_poll_inside_idle -- --nocapture` (measures 0, 2 and 10 s, and Dovecot, 5 mails each).
#[test]
fn the_poll_inside_idle_finds_mail_a_late_idle_does_not_report() {
    let samples: usize = std::env::var("SEATMAIL_IDLE_SAMPLES").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    let settings: &[(&str, u64)] = if samples == 0 { &[("cyrus-no-idled", 2)] } else { &[("cyrus-no-idled", 0), ("cyrus-no-idled", 2), ("cyrus-no-idled", 10), ("dovecot", 0)] };
    for (server, poll) in settings {
        let imap = if *server == "dovecot" {
            Imap::start(Kind::Dovecot, &[(BOX, IMAP_PASSWORD)])
        } else {
            Imap::Cyrus(Cyrus::start_with(Layout::Netnews, &[(BOX, IMAP_PASSWORD)], false, ""))
        };
        let s = Servers::with_imap(imap);
        let poll_text = poll.to_string();
        let env = s.env(&[("SEATMAIL_INTAKE__IMAP__IDLE_POLL_SECS", &poll_text), ("SEATMAIL_ANSWERS__MAX_PER_CORRESPONDENT_PER_DAY", "1000")]);
        let daemon = env.spawn();
        wait_logged(30, "the session ready", &daemon, || daemon.log_text().contains("imap session ready"));
        let mut seen: Vec<f64> = (0..samples.max(1)).map(|n| latency(&s, &env, &daemon, n, *poll)).collect();
        seen.sort_by(f64::total_cmp);
        println!(
            "IDLE latency on {server}, idle_poll_secs = {poll}: {} mail(s), min {:.1} s, median {:.1} s, max {:.1} s",
            seen.len(),
            seen[0],
            seen[seen.len() / 2],
            seen[seen.len() - 1]
        );
        if *server != "dovecot" && *poll > 0 {
            // Without the poll, Cyrus tells of the mail after up to 60 s (imapidlepoll). The
            // bound leaves a busy machine 18 s to fetch, process and list the mail; the
            // latency itself is measured above, not here.
            assert!(seen[seen.len() - 1] < *poll as f64 + 18.0, "the poll inside IDLE found the mail late: {seen:?}");
        }
        assert!(daemon.stop().success());
    }
}



