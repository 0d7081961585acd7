//! Keeping up with the mail server, measured (issue 15): `bench/run` (never a pass/fail test).
//!
//! Starts the servers the integration tests use (Dovecot, the SMTP server that delivers into it
//! by LMTP, PostgreSQL; `tests/it/support/`), then in one run measures and prints, and writes
//! as JSON (`BENCH_JSON`, default `target/bench/mailserver.json`):
//!
//! - the raw limits: SMTP delivery of N mails into Dovecot (one connection, one mail after the
//!   other, as seatmail sends), IMAP `UID FETCH` of N mails, and `UID MOVE` of N, one by one;
//! - seatmail (the release binary) end to end on a backlog of requests waiting in the INBOX:
//!   from the daemons' start to the last answer accepted by the SMTP server, on SQLite and
//!   PostgreSQL, with one daemon and with three; each as a ratio to the raw SMTP limit;
//! - arrival → answer latency over single requests sent to an idle daemon (p50, p95, p99);
//! - the daemons' peak RSS.
//!
//! Knobs: `BENCH_BACKLOGS` (default `1000`; `1000,10000` for both), `BENCH_SINGLES` (200),
//! `BENCH_RAW` (1000 mails for the raw limits), `BENCH_BACKENDS` (`sqlite,postgres`) and
//! `BENCH_DAEMONS` (`1,3`) to run a part only (for a profile).

#[allow(dead_code, unused_imports)]
#[path = "../tests/it/support/mod.rs"]
mod support;

#[allow(dead_code, unused_imports, unused_macros)]
#[path = "../tests/it/servers.rs"]
mod servers;

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use servers::{installation, Servers, BOX, IMAP_PASSWORD};
use support::dovecot::ANY_USER_PASSWORD;
use support::imap::raw_session;
use support::postgres::Postgres;
use support::{mail, Daemon, Env};

const CUSTOMERS: usize = 50;

const VARS: &[(&str, &str)] = &[
    ("SEATMAIL_ANSWERS__MAX_PER_CORRESPONDENT_PER_DAY", "100000000"),
    ("SEATMAIL_POLICY__MAX_SEATS_PER_DAY", "100000000"),
    ("SEATMAIL_POLICY__MAX_PER_REQUEST", "100000000"),
];

fn knob(var: &str, default: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| default.to_string())
}

fn customers() -> (String, String) {
    let mut subs = String::from(
        "customer_id,customer_name,language,tenant_domains,subscription_id,product,quantity,assigned,billing,term_start,status\n",
    );
    let mut contacts = String::from("customer_id,email,name,role,subscriptions\n");
    for c in 1..=CUSTOMERS {
        subs.push_str(&format!("C{c},Customer {c},en,c{c}.example,S-{c},ENTERPRISEPACK,0,0,flexible,2026-01-01,active\n"));
        contacts.push_str(&format!("C{c},admin@c{c}.example,Admin {c},global_admin,\n"));
    }
    (subs, contacts)
}

fn request(n: usize) -> String {
    mail(&format!("admin@c{}.example", n % CUSTOMERS + 1), "Licence request", "Please add 1 Office 365 E3 licence.\n").0
}

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-6)
}

/// The raw limits, on the same servers seatmail will use.
fn raw_limits(s: &Servers, n: usize) -> Value {
    let login = "rawbench@c1.example";
    let mails: Vec<String> = (0..n).map(|i| mail("admin@c1.example", &format!("raw {i}"), "Please add 1 Office 365 E3 licence.\n").0).collect();
    let smtp = raw_smtp(s.mx.port, login, &mails);
    let port = s.imap.imap_port();
    let timed = |commands: &[String]| {
        let c: Vec<&str> = commands.iter().map(String::as_str).collect();
        let start = Instant::now();
        raw_session(port, login, ANY_USER_PASSWORD, &c).expect("raw IMAP session");
        start.elapsed()
    };
    // Each session's time includes its LOGIN and SELECT (a millisecond or two).
    let fetch = timed(&["SELECT INBOX".into(), "UID FETCH 1:* (UID BODY.PEEK[])".into()]);
    timed(&["CREATE Moved".into()]);
    let mut moves = vec!["SELECT INBOX".to_string()];
    moves.extend((1..=n).map(|uid| format!("UID MOVE {uid} Moved")));
    let mv = timed(&moves);
    json!({
        "n": n,
        "smtp_msgs_per_s": rate(n, smtp),
        "imap_uid_fetch_msgs_per_s": rate(n, fetch),
        "imap_uid_move_one_by_one_msgs_per_s": rate(n, mv),
    })
}

/// One plain SMTP connection with TCP_NODELAY (lettre's own leaves Nagle on, which would
/// measure the client, not the server), one mail after the other, each awaited.
fn raw_smtp(port: u16, rcpt: &str, mails: &[String]) -> Duration {
    use std::io::{BufRead, BufReader, Write};
    let tcp = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect SMTP");
    tcp.set_nodelay(true).unwrap();
    let mut r = BufReader::new(tcp.try_clone().unwrap());
    let mut w = tcp;
    let reply = |r: &mut BufReader<std::net::TcpStream>| loop {
        let mut line = String::new();
        r.read_line(&mut line).expect("SMTP reply");
        assert!(line.starts_with(['2', '3']), "SMTP refused: {line}");
        if line.as_bytes().get(3) != Some(&b'-') {
            break;
        }
    };
    reply(&mut r);
    w.write_all(b"EHLO bench.example\r\n").unwrap();
    reply(&mut r);
    let start = Instant::now();
    for m in mails {
        for cmd in ["MAIL FROM:<admin@c1.example>".to_string(), format!("RCPT TO:<{rcpt}>"), "DATA".into()] {
            w.write_all(format!("{cmd}\r\n").as_bytes()).unwrap();
            reply(&mut r);
        }
        w.write_all(&support::dovecot::dot_stuff(m.as_bytes())).unwrap();
        w.write_all(b".\r\n").unwrap();
        reply(&mut r);
    }
    let took = start.elapsed();
    let _ = w.write_all(b"QUIT\r\n");
    took
}

fn peak_rss_kib(d: &Daemon) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", d.child.id())).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn install(s: &Servers, db: Option<&str>) -> Env {
    let env = installation(&s.imap, s.submission.port, IMAP_PASSWORD, VARS, db);
    let (subs, contacts) = customers();
    env.import(&subs, &contacts);
    env
}

/// `n` requests waiting in the INBOX, then `daemons` daemons started: the time to the last
/// answer accepted by the SMTP server.
fn backlog(s: &Servers, db: Option<&str>, backend: &str, daemons: usize, n: usize, smtp_limit: f64) -> Value {
    let env = install(s, db);
    for i in 0..n {
        s.imap.deliver(BOX, request(i).as_bytes());
    }
    let before = s.submission.accepted_count();
    let start = Instant::now();
    let running: Vec<Daemon> = (0..daemons).map(|_| env.spawn()).collect();
    let deadline = start + Duration::from_secs(1800);
    while s.submission.accepted_count() < before + n {
        assert!(Instant::now() < deadline, "backlog of {n} not answered within 30 minutes");
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = start.elapsed();
    let rss = running.iter().map(peak_rss_kib).max().unwrap_or(0);
    for d in running {
        d.stop();
    }
    let r = rate(n, took);
    let row = json!({
        "backend": backend, "daemons": daemons, "backlog": n,
        "secs": took.as_secs_f64(), "msgs_per_s": r, "ratio_to_smtp": r / smtp_limit, "peak_rss_kib": rss,
    });
    println!("seatmail {backend:8} {daemons} daemon(s), backlog {n:>6}: {:7.2} s = {r:6.1} msg/s ({:.2}x SMTP), peak RSS {} MiB", took.as_secs_f64(), r / smtp_limit, rss / 1024);
    row
}

/// Single requests to an idle daemon (SQLite): from the SMTP server's acceptance of the
/// customer's mail to its acceptance of the answer.
fn latency(s: &Servers, n: usize) -> Value {
    let env = install(s, None);
    let daemon = env.spawn();
    // Warm up: the daemon is up and in IDLE.
    let mut times = Vec::with_capacity(n);
    for i in 0..=n {
        let (raw, id) = mail(&format!("admin@c{}.example", i % CUSTOMERS + 1), "Licence request", "Please add 1 Office 365 E3 licence.\n");
        let reply = format!("In-Reply-To: <{id}>");
        let seen = s.submission.accepted_count();
        let answered = || s.submission.accepted()[seen..].iter().any(|a| String::from_utf8_lossy(&a.data).contains(&reply));
        s.send(&raw);
        let arrived = Instant::now();
        let deadline = arrived + Duration::from_secs(60);
        while !answered() {
            assert!(Instant::now() < deadline, "no answer within 60 s");
            std::thread::sleep(Duration::from_millis(2));
        }
        if i > 0 {
            times.push(arrived.elapsed().as_secs_f64());
        }
    }
    let rss = peak_rss_kib(&daemon);
    daemon.stop();
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1];
    let (p50, p95, p99) = (pct(0.50), pct(0.95), pct(0.99));
    println!("latency arrival -> answer over {n} single requests: p50 {p50:.3} s, p95 {p95:.3} s, p99 {p99:.3} s, max {:.3} s", times[times.len() - 1]);
    json!({ "n": n, "p50_s": p50, "p95_s": p95, "p99_s": p99, "max_s": times[times.len() - 1], "peak_rss_kib": rss })
}

fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("model name").map(|m| m.trim_start_matches([' ', '\t', ':']).to_string()))
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    json!({ "cpu": cpu, "cores": cores, "load_at_start": std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim() })
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("mailserver bench: run it with bench/run");
        return;
    }
    let raw_n: usize = knob("BENCH_RAW", "1000").parse().expect("BENCH_RAW");
    let singles: usize = knob("BENCH_SINGLES", "200").parse().expect("BENCH_SINGLES");
    let backlogs: Vec<usize> = knob("BENCH_BACKLOGS", "1000").split(',').map(|n| n.trim().parse().expect("BENCH_BACKLOGS")).collect();
    let m = machine();
    println!("machine: {} cores, {} (load {})", m["cores"], m["cpu"].as_str().unwrap_or(""), m["load_at_start"].as_str().unwrap_or(""));
    let s = Servers::start();
    let raw = raw_limits(&s, raw_n);
    let smtp = raw["smtp_msgs_per_s"].as_f64().unwrap();
    println!(
        "raw limits ({raw_n} mails): SMTP delivery into Dovecot {smtp:.1} msg/s, IMAP UID FETCH {:.0} msg/s, UID MOVE one by one {:.0} msg/s",
        raw["imap_uid_fetch_msgs_per_s"].as_f64().unwrap(),
        raw["imap_uid_move_one_by_one_msgs_per_s"].as_f64().unwrap()
    );
    let backends = knob("BENCH_BACKENDS", "sqlite,postgres");
    let daemon_counts: Vec<usize> = knob("BENCH_DAEMONS", "1,3").split(',').map(|n| n.trim().parse().expect("BENCH_DAEMONS")).collect();
    let pg = backends.contains("postgres").then(Postgres::start);
    let mut runs = Vec::new();
    for &n in &backlogs {
        for &daemons in &daemon_counts {
            if backends.contains("sqlite") {
                runs.push(backlog(&s, None, "sqlite", daemons, n, smtp));
            }
            if let Some(pg) = &pg {
                let url = pg.create_db(&format!("bench_{n}_{daemons}"));
                runs.push(backlog(&s, Some(&url), "postgres", daemons, n, smtp));
            }
        }
    }
    let lat = latency(&s, singles);
    let out = json!({ "machine": m, "raw": raw, "backlog": runs, "latency": lat });
    let path = std::env::var("BENCH_JSON").unwrap_or_else(|_| format!("{}/target/bench/mailserver.json", env!("CARGO_MANIFEST_DIR")));
    if let Some(dir) = std::path::Path::new(&path).parent() {
        std::fs::create_dir_all(dir).expect("create the JSON's folder");
    }
    std::fs::write(&path, serde_json::to_string_pretty(&out).unwrap()).expect("write the JSON");
    println!("written: {path}");
}
