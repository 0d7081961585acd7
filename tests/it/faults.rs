//! Faults of the world: a database locked by another writer, read-only, or out of space; an
//! outbox directory that cannot be written; IMAP connections cut mid-transfer and a server
//! that stops answering; SMTP 421/452/554 and dropped connections. Each time the daemon keeps
//! running (or stops with a clear message), retries what can be retried, and loses nothing.

use std::os::unix::process::CommandExt;

use crate::servers::{in_reply_to, settled, Servers, BOX};
use crate::support::proxy::{Fault, Mode, Proxy};
use crate::support::smtp::Behaviour;
use crate::support::{mail, wait_logged, wait_until, Daemon, Env};

fn request(team: &str) -> (String, String) {
    mail("admin@contoso.be", &format!("Licence for {team}"), "Please add 1 Microsoft 365 Business Premium licence.\n")
}

fn applied(env: &Env) -> usize {
    env.messages().iter().filter(|m| m["state"] == "applied").count()
}

fn alive(d: &mut Daemon) -> bool {
    matches!(d.child.try_wait(), Ok(None))
}

/// Whether the processor has logged a failed attempt whose error contains `error`.
fn retried_after(daemon: &Daemon, error: &str) -> bool {
    daemon.log_text().lines().any(|l| l.contains("processing failed") && l.contains("will be retried") && l.contains(error))
}

#[test]
fn a_database_locked_by_another_writer_only_delays() {
    let mut env = Env::new();
    env.vars.push(("SEATMAIL_DATABASE__BUSY_TIMEOUT_MS".into(), "300".into()));
    let mut daemon = env.spawn();
    let db = env.path("seatmail.db");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut lock = rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite:{}", db.display())).await.unwrap();
        sqlx::query("BEGIN EXCLUSIVE").execute(&mut c).await.unwrap();
        c
    });
    for team in ["sales", "support", "finance"] {
        env.deliver(&request(team).0);
    }
    // However late the daemon gets to the mail, it meets the lock: it waits out its busy
    // timeout, gives up on the attempt and keeps the mail.
    wait_logged(120, "an attempt that met the lock", &daemon, || retried_after(&daemon, "database is locked"));
    assert!(alive(&mut daemon), "the daemon waits it out");
    assert_eq!(env.maildir_files("new").len(), 3, "nothing lost while locked");
    rt.block_on(async { sqlx::query("COMMIT").execute(&mut lock).await.unwrap() });
    wait_logged(60, "the three processed after the lock", &daemon, || applied(&env) == 3);
    assert_eq!(env.quantity("S-FLEX"), 13);
    assert!(daemon.stop().success());
}

#[test]
fn a_read_only_database_keeps_the_mail_until_it_is_writable() {
    let mut env = Env::new();
    let url = format!("sqlite:{}?mode=ro", env.path("seatmail.db").display());
    env.vars.push(("SEATMAIL_DATABASE__URL".into(), url));
    let mut daemon = env.spawn();
    env.deliver(&request("sales").0);
    wait_logged(120, "a clear message about the read-only database", &daemon, || retried_after(&daemon, "readonly"));
    assert!(alive(&mut daemon), "{}", daemon.log_text());
    assert_eq!(env.maildir_files("new").len(), 1);
    daemon.stop();
    env.vars.pop();
    env.run_once();
    assert_eq!(applied(&env), 1);
}

#[repr(C)]
struct RLimit {
    cur: u64,
    max: u64,
}

extern "C" {
    fn setrlimit(resource: i32, rlim: *const RLimit) -> i32;
    fn prlimit(pid: i32, resource: i32, new: *const RLimit, old: *mut RLimit) -> i32;
    fn signal(sig: i32, handler: usize) -> usize;
}

const RLIMIT_FSIZE: i32 = 1;
const RLIM_INFINITY: u64 = u64::MAX;

/// The disk fills under a running daemon (RLIMIT_FSIZE: no file may grow past 64 KiB, so the
/// SQLite write-ahead log soon cannot), and has space again later (the limit is lifted from
/// the running process). The daemon keeps the mail while writes fail and, without a restart,
/// processes and answers each mail once when it can write again.
#[test]
fn a_full_disk_stops_nothing_and_loses_nothing() {
    // One connection: a connection left unusable by a failed write would stop everything.
    let env = Env::with_vars(&[("SEATMAIL_DATABASE__MAX_CONNECTIONS", "1")]);
    let log = env.path("full.log");
    let mut cmd = env.cmd();
    cmd.arg("run").stderr(std::fs::File::create(&log).unwrap());
    // SAFETY: between fork and exec only async-signal-safe calls: signal(2) and setrlimit(2).
    unsafe {
        cmd.pre_exec(|| {
            const SIGXFSZ: i32 = 25;
            const SIG_IGN: usize = 1;
            signal(SIGXFSZ, SIG_IGN);
            // Room to open the database (its 32 KiB shared-memory index), not to write much.
            // The hard limit stays open, so that the test can give the space back.
            let limit = RLimit { cur: 64 * 1024, max: RLIM_INFINITY };
            if setrlimit(RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut daemon = Daemon { child: cmd.spawn().unwrap(), log };
    for team in ["sales", "support", "finance", "legal"] {
        env.deliver(&request(team).0);
    }
    wait_logged(120, "a write that met the full disk", &daemon, || {
        daemon.log_text().lines().any(|l| l.contains("will be retried") && (l.contains("disk I/O error") || l.contains("disk is full")))
    });
    assert!(alive(&mut daemon), "still running on a full disk: {}", daemon.log_text());
    assert!(!env.maildir_files("new").is_empty(), "the mail not recorded stays in the inbox");
    // Space again, for the running daemon: every mail is processed and answered, once.
    let unlimited = RLimit { cur: RLIM_INFINITY, max: RLIM_INFINITY };
    // SAFETY: prlimit(2) on our own child, with a valid limit and no old value asked for.
    let raised = unsafe { prlimit(daemon.child.id() as i32, RLIMIT_FSIZE, &unlimited, std::ptr::null_mut()) };
    assert_eq!(raised, 0, "prlimit: {}", std::io::Error::last_os_error());
    wait_logged(120, "the four processed once the disk has space", &daemon, || applied(&env) == 4);
    wait_logged(60, "the four answers", &daemon, || env.answers().len() == 4);
    assert_eq!(env.quantity("S-FLEX"), 14);
    assert!(env.maildir_files("new").is_empty());
    let log = daemon.log_text();
    assert!(!log.contains("transaction depth"), "no connection kept a failed transaction: {log}");
    assert!(daemon.stop().success());
    assert_eq!(env.answers().len(), 4, "each answered once");
}

#[test]
fn an_unwritable_outbox_directory_is_retried() {
    let env = Env::with_vars(&[("SEATMAIL_OUTBOX__RETRY_BASE_SECS", "1")]);
    let outbox = env.path("outbox");
    std::fs::create_dir_all(&outbox).unwrap();
    let mut daemon = env.spawn();
    wait_until(30, "the daemon up", || daemon.log_text().contains("sender started"));
    // The directory is replaced by a file: nothing can be written there (even as root).
    std::fs::remove_dir_all(&outbox).unwrap();
    std::fs::write(&outbox, "not a directory").unwrap();
    let (m, id) = request("sales");
    env.deliver(&m);
    wait_logged(30, "a failed delivery", &daemon, || {
        env.json(&["outbox", "list", "--json"]).as_array().unwrap().iter().any(|r| r["last_error"].as_str().is_some_and(|e| e.contains("cannot write")))
    });
    assert!(alive(&mut daemon));
    std::fs::remove_file(&outbox).unwrap();
    std::fs::create_dir_all(&outbox).unwrap();
    wait_until(60, "the answer after the directory is back", || env.answers_to(&id).len() == 1);
    assert!(daemon.stop().success());
}

/// A server that is silent at start, connections cut in the middle of fetching a backlog of big
/// mails, then a server that stops answering mid-transfer: the daemon never stops, never takes
/// a broken connection for a refused login, and answers each mail exactly once.
#[test]
fn imap_connections_cut_mid_fetch_and_a_silent_server() {
    let s = Servers::start();
    let proxy = Proxy::start(s.imap.imaps_port());
    let port = proxy.port.to_string();
    let env = s.env(&[
        ("SEATMAIL_INTAKE__IMAP__PORT", &port),
        ("SEATMAIL_INTAKE__IMAP__TIMEOUT_SECS", "3"),
        // The backoff itself is tested elsewhere (setup.rs); here it only must not grow to minutes.
        ("SEATMAIL_INTAKE__IMAP__RECONNECT_MAX_SECS", "4"),
        ("SEATMAIL_ANSWERS__MAX_PER_CORRESPONDENT_PER_DAY", "1000"),
    ]);
    // Big mails (150 KB), so that a cut lands inside a FETCH.
    let filler = "x".repeat(76) + "\n";
    let mut ids = Vec::new();
    for n in 0..40 {
        let body = format!("Please add 1 Microsoft 365 Business Premium licence.\n\n-- \n{}", filler.repeat(2000));
        let (m, id) = mail("admin@contoso.be", &format!("Licence for team {}", ["a", "b", "c", "d"][n % 4]), &body);
        s.imap.deliver(BOX, m.as_bytes());
        ids.push(id);
    }
    // Silent from the start: the check at start times out, and the daemon retries.
    proxy.set_mode(Mode::Blackhole);
    let mut daemon = env.spawn();
    let stalled = |daemon: &Daemon| daemon.log_text().matches("no answer from the server within").count();
    wait_logged(60, "the check at start timing out", &daemon, || daemon.log_text().contains("the check at start failed on the way"));
    assert!(alive(&mut daemon), "a silent server at start stops nothing: {}", daemon.log_text());
    proxy.set_mode(Mode::Pass);
    proxy.cut();
    // Four cuts, each once another 200 KB have come down: in the middle of a mail.
    for n in 1..=4 {
        proxy.arm(200 * 1024, Fault::Cut);
        wait_logged(120, &format!("cut {n} mid-transfer"), &daemon, || proxy.struck() == n);
    }
    // Now the server goes silent mid-transfer: no RST, no FIN, no bytes.
    let before = stalled(&daemon);
    proxy.arm(200 * 1024, Fault::Silence);
    wait_logged(120, "the silent server noticed", &daemon, || proxy.struck() == 5 && stalled(&daemon) > before);
    assert!(alive(&mut daemon));
    proxy.set_mode(Mode::Pass);
    proxy.cut();
    wait_logged(180, "all forty answered", &daemon, || s.answers_for("admin@contoso.be").len() >= 40);
    wait_logged(60, "every mail recorded and the outbox drained", &daemon, || settled(&env, 40));
    let answers = s.answers_for("admin@contoso.be");
    let mut replied: Vec<String> = answers.iter().map(in_reply_to).collect();
    replied.sort();
    ids.sort();
    assert_eq!(replied, ids, "each exactly once");
    assert_eq!(env.messages().len(), 40, "one record per mail");
    assert_eq!(env.quantity("S-FLEX"), 50);
    assert!(proxy.connections() > 6, "the daemon reconnected");
    let log = daemon.log_text();
    assert!(log.contains("reconnecting"), "{log}");
    assert!(!log.contains(&format!("login as {BOX} refused")), "a broken connection is no refused login: {log}");
    assert!(daemon.stop().success());
}

#[test]
fn smtp_421_452_554_and_dropped_connections() {
    let s = Servers::start();
    let env = s.env(&[("SEATMAIL_ANSWERS__MAX_PER_CORRESPONDENT_PER_DAY", "1000")]);
    let daemon = env.spawn();
    let mut expect_delivered = Vec::new();
    for (behaviour, team) in [
        (Behaviour::TempFail { code: 421, times: 1 }, "sales"),
        (Behaviour::TempFail { code: 452, times: 1 }, "support"),
        (Behaviour::DropOnData, "finance"),
    ] {
        s.submission.set_behaviour(behaviour);
        let (m, id) = request(team);
        s.send(&m);
        wait_until(60, "a failed attempt", || {
            env.json(&["outbox", "list", "--json"]).as_array().unwrap().iter().any(|r| r["last_error"].is_string() && r["state"] == "pending")
        });
        s.submission.set_behaviour(Behaviour::Accept);
        expect_delivered.push(id);
        wait_until(60, "the retried answer", || {
            env.json(&["outbox", "list", "--state", "pending", "--json"]).as_array().unwrap().is_empty()
        });
    }
    s.submission.set_behaviour(Behaviour::PermFail { code: 554 });
    let (m, _) = request("legal");
    s.send(&m);
    wait_until(60, "a dead answer", || env.json(&["outbox", "list", "--state", "dead", "--json"]).as_array().unwrap().len() == 1);
    s.submission.set_behaviour(Behaviour::Accept);
    let answers = s.answers_for("admin@contoso.be");
    for id in &expect_delivered {
        assert_eq!(answers.iter().filter(|a| in_reply_to(a) == *id).count(), 1, "{id} delivered once");
    }
    assert_eq!(env.quantity("S-FLEX"), 14, "the seat changes never waited for the answers");
    assert!(daemon.stop().success());
}
