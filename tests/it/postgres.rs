//! Several daemons sharing one PostgreSQL: seat changes serialised per subscription, one
//! intake per folder taken over when its holder dies, and a database restart survived.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::Value;

use crate::servers::{in_reply_to, settled, Servers, BOX, IMAP_PASSWORD};
use crate::support::postgres::Postgres;
use crate::support::{mail, wait_logged, wait_until, Daemon, Env};

const POOL_ROW: &str = "customer_id,customer_name,language,tenant_domains,subscription_id,product,quantity,assigned,billing,term_start,status\n\
    C1,Contoso NV,en,contoso.be contoso.onmicrosoft.com,S-POOL,ENTERPRISEPACK,100,0,flexible,2026-01-01,active\n";

const LIMITS: &[(&str, &str)] = &[
    ("SEATMAIL_ANSWERS__MAX_PER_CORRESPONDENT_PER_DAY", "1000000"),
    ("SEATMAIL_POLICY__MAX_SEATS_PER_DAY", "1000000"),
    ("SEATMAIL_OUTBOX__RETRY_BASE_SECS", "1"),
];

fn with_limits(env: &mut Env) {
    env.vars.extend(LIMITS.iter().map(|(k, v)| (k.to_string(), v.to_string())));
}

fn ledger_of(env: &Env, sub: &str) -> Vec<(i64, i64)> {
    let mut rows = Vec::new();
    for m in env.json(&["messages", "list", "--limit", "100000", "--json"]).as_array().unwrap() {
        let d = env.json(&["messages", "show", m["key"].as_str().unwrap(), "--json"]);
        for l in d["ledger"].as_array().unwrap() {
            if l["subscription_id"] == sub {
                rows.push((l["id"].as_i64().unwrap(), l["old_quantity"].as_i64().unwrap() * 1_000_000 + l["new_quantity"].as_i64().unwrap()));
            }
        }
    }
    rows.sort();
    rows.into_iter().map(|(_, v)| (v / 1_000_000, v % 1_000_000)).collect()
}

#[test]
fn concurrent_changes_to_one_subscription_never_lose_an_update() {
    let pg = Postgres::start();
    let url = pg.create_db("concurrent");
    // Two installations (two daemons, two mail sources) on one database.
    let mut a = Env::bare_with_db("", Some(&url));
    a.import(&crate::support::default_subscriptions(), crate::support::DEFAULT_CONTACTS);
    a.import(POOL_ROW, crate::support::DEFAULT_CONTACTS);
    let mut b = Env::bare_with_db("", Some(&url));
    with_limits(&mut a);
    with_limits(&mut b);
    // The classic pair: +3 and -2 from two admins at the same moment...
    a.deliver(&mail("admin@contoso.be", "More", "Please add 3 Office 365 E3 licences.\n").0);
    b.deliver(&mail("billing@contoso.be", "Fewer", "Please remove 2 Office 365 E3 licences.\n").0);
    // ...and many more of them, racing.
    for _ in 0..40 {
        a.deliver(&mail("admin@contoso.be", "More", "Please add 1 Office 365 E3 licence.\n").0);
        b.deliver(&mail("billing@contoso.be", "Fewer", "Please remove 1 Office 365 E3 licence.\n").0);
    }
    let da = a.spawn();
    let db = b.spawn();
    wait_logged(120, "82 requests applied", &da, || {
        a.json(&["messages", "list", "--limit", "1000", "--json"]).as_array().unwrap().iter().filter(|m| m["state"] == "applied").count() == 82
    });
    assert_eq!(a.quantity("S-POOL"), 101, "100 + 3 - 2 + 40 - 40");
    let ledger = ledger_of(&a, "S-POOL");
    assert_eq!(ledger.len(), 82, "every change in the ledger");
    // Serialised: each change starts where the previous one ended.
    for pair in ledger.windows(2) {
        assert_eq!(pair[0].1, pair[1].0, "a lost update between {pair:?}");
    }
    assert!(da.stop().success());
    assert!(db.stop().success());
}

#[test]
fn three_daemons_share_one_mailbox_while_one_is_killed_again_and_again() {
    let requests = std::env::var("SEATMAIL_SOAK_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let pg = Postgres::start();
    let url = pg.create_db("three");
    let s = Servers::start();
    let mut vars = LIMITS.to_vec();
    vars.push(("SEATMAIL_INTAKE__IMAP__LEASE_SECS", "3"));
    vars.push(("SEATMAIL_POLICY__MAX_PER_REQUEST", "1000000"));
    let env = s.env_on(IMAP_PASSWORD, &vars, Some(&url));
    env.import(POOL_ROW, crate::support::DEFAULT_CONTACTS);
    let mut ids = Vec::with_capacity(requests);
    for n in 0..requests {
        let body = if n % 2 == 0 { "Please add 1 Office 365 E3 licence.\n" } else { "Please remove 1 Office 365 E3 licence.\n" };
        let (m, id) = mail("admin@contoso.be", "Licences", body);
        s.imap.deliver(BOX, m.as_bytes());
        ids.push(id);
    }
    let mut daemons: Vec<Daemon> = (0..3).map(|_| env.spawn()).collect();
    let mut rng = rand::thread_rng();
    let mut kills = 0;
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let answered = s.answers_for("admin@contoso.be").len();
        if answered >= requests {
            break;
        }
        assert!(Instant::now() < deadline, "only {answered} of {requests} answered");
        std::thread::sleep(Duration::from_millis(rng.gen_range(1500..4000)));
        // Kill the first daemon (the one most likely to hold the intake) and restart it.
        let victim = daemons.remove(0);
        victim.crash();
        kills += 1;
        daemons.push(env.spawn());
    }
    wait_until(120, "every request recorded and the outbox drained", || settled(&env, requests));
    let answers = s.answers_for("admin@contoso.be");
    let mut per_request: BTreeMap<String, usize> = BTreeMap::new();
    for a in &answers {
        *per_request.entry(in_reply_to(a)).or_default() += 1;
    }
    assert_eq!(per_request.len(), requests, "every request answered");
    let duplicates = answers.len() - requests;
    // A kill can catch each of the daemon's SMTP connections (`outbox.smtp.connections`, 3)
    // between the server's 250 and the `sent` mark: that many re-sends at most per kill.
    assert!(duplicates <= kills * 3, "{duplicates} duplicate answers from {kills} kills");
    let messages = env.json(&["messages", "list", "--limit", "100000", "--json"]);
    let messages: &Vec<Value> = messages.as_array().unwrap();
    assert_eq!(messages.len(), requests, "one record per mail");
    assert!(messages.iter().all(|m| m["state"] == "applied"));
    assert_eq!(env.quantity("S-POOL"), 100, "every change applied exactly once");
    // Every daemon's log, the killed ones' too.
    let logs: String = std::fs::read_dir(env.dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("daemon-"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect();
    let took_over = logs.contains("took over the intake");
    let standing_by = logs.contains("standing by");
    assert!(standing_by, "the other daemons waited for the lease");
    // The killed daemon's process is gone: its leases (intake, answers) are taken back by the
    // next instance to look (a start, or a running one's beat), not when they run out. The
    // intake then goes to whichever daemon asks first: one that stood by ("took over"), or the
    // restarted one; every request was answered either way (above).
    let took_back = logs.contains("took back the leases of a dead instance");
    assert!(took_back || kills == 0, "dead instances' leases taken back");
    assert!(took_over || took_back || kills == 0, "the intake went on after a kill");
    println!("three daemons: {requests} requests, {kills} kills, {duplicates} duplicate answers");
    for d in daemons {
        assert!(d.stop().success());
    }
}

#[test]
fn a_postgresql_restart_mid_run_loses_nothing() {
    let mut pg = Postgres::start();
    let url = pg.create_db("restart");
    let mut env = Env::bare_with_db("", Some(&url));
    env.import(&crate::support::default_subscriptions(), crate::support::DEFAULT_CONTACTS);
    env.import(POOL_ROW, crate::support::DEFAULT_CONTACTS);
    with_limits(&mut env);
    let daemon = env.spawn();
    for _ in 0..10 {
        env.deliver(&mail("admin@contoso.be", "More", "Please add 1 Office 365 E3 licence.\n").0);
    }
    wait_logged(60, "the first ten", &daemon, || env.answers().len() == 10);
    let failed = || daemon.log_text().matches("processing failed").count();
    let before = failed();
    pg.stop();
    for _ in 0..10 {
        env.deliver(&mail("admin@contoso.be", "More", "Please add 1 Office 365 E3 licence.\n").0);
    }
    // The daemon meets the dead database (and keeps the mail) before it comes back.
    wait_logged(120, "an attempt while the database is down", &daemon, || failed() > before);
    assert_eq!(env.maildir_files("new").len(), 10, "the mail waits in the inbox");
    pg.start_again();
    wait_logged(120, "the ten sent while the database was down", &daemon, || env.answers().len() == 20);
    assert_eq!(env.quantity("S-POOL"), 120);
    assert_eq!(env.messages().len(), 20);
    assert!(daemon.stop().success());
}
