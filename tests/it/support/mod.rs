//! Test support: a throw-away seatmail installation (config, Maildir, SQLite, file outbox) in a
//! temp directory, driven through the real binary.

#![allow(dead_code)]

pub mod cyrus;
pub mod dovecot;
pub mod imap;
pub mod partner_center;
pub mod postfix;
pub mod postgres;
pub mod procs;
pub mod proxy;
pub mod smtp;
pub mod tls;
pub mod tokens;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Duration, Utc};
use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_seatmail");
pub const REPO: &str = env!("CARGO_MANIFEST_DIR");

static SEQ: AtomicUsize = AtomicUsize::new(0);

pub struct Env {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    /// `SEATMAIL_*` overrides every command of this installation runs with.
    pub vars: Vec<(String, String)>,
    /// The store: a SQLite file here, or a fresh PostgreSQL database in the suite's
    /// PostgreSQL pass.
    pub db_url: String,
}

/// The customers most tests use. Dates are relative to today, so the cancellation window
/// cases hold on any day.
pub fn default_subscriptions() -> String {
    let today = Utc::now().date_naive();
    let recent = (today - Duration::days(3)).format("%Y-%m-%d");
    let old = (today - Duration::days(100)).format("%Y-%m-%d");
    format!(
        "customer_id,customer_name,language,tenant_domains,subscription_id,product,quantity,assigned,billing,term_start,status\n\
         C1,Contoso NV,en,contoso.be contoso.onmicrosoft.com,S-FLEX,SPB,10,7,flexible,2026-01-10,active\n\
         C1,Contoso NV,en,contoso.be contoso.onmicrosoft.com,S-ANN,O365_BUSINESS_PREMIUM,20,5,annual,{old},active\n\
         C1,Contoso NV,en,contoso.be contoso.onmicrosoft.com,S-NEW,EXCHANGESTANDARD,10,2,annual,{recent},active\n\
         C1,Contoso NV,en,contoso.be contoso.onmicrosoft.com,S-SUSP,STANDARDPACK,5,1,flexible,2025-01-01,suspended\n\
         C2,Fabrikam SA,fr,fabrikam.fr fabrikam.onmicrosoft.com,F-BASIC,O365_BUSINESS_ESSENTIALS,290,100,flexible,2025-05-01,active\n"
    )
}

pub const DEFAULT_CONTACTS: &str = "customer_id,email,name,role,subscriptions\n\
    C1,admin@contoso.be,An Admin,global_admin,\n\
    C1,billing@contoso.be,Bill Ing,billing_admin,\n\
    C1,helpdesk@contoso.be,Help Desk,user_admin,\n\
    C1,scoped@contoso.be,Scott Scoped,billing_admin,S-FLEX\n\
    C2,admin@fabrikam.fr,Marie Admin,global_admin,\n\
    C1,group@holding.example,Group IT,global_admin,\n\
    C2,group@holding.example,Group IT,global_admin,\n";

impl Env {
    /// A fresh installation with the default customers imported.
    pub fn new() -> Env {
        let env = Env::bare("");
        env.import(&default_subscriptions(), DEFAULT_CONTACTS);
        env
    }

    /// The default customers, with `extra` appended to the config file (sections the base
    /// file has already, like [answers], go through `with_vars`).
    pub fn with_config(extra: &str) -> Env {
        let env = Env::bare(extra);
        env.import(&default_subscriptions(), DEFAULT_CONTACTS);
        env
    }

    /// The default customers, with `SEATMAIL_*` overrides.
    pub fn with_vars(vars: &[(&str, &str)]) -> Env {
        let mut env = Env::bare("");
        env.vars = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        env.import(&default_subscriptions(), DEFAULT_CONTACTS);
        env
    }

    /// Make every confirmation code expired (the clock cannot be moved for the binary).
    pub fn expire_confirmations(&self) {
        self.sql("UPDATE confirmations SET expires_at = '2000-01-01T00:00:00.000Z'");
    }

    /// Run one statement on the installation's database (either backend).
    pub fn sql(&self, statement: &str) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            use sqlx::Connection;
            sqlx::any::install_default_drivers();
            let mut c = sqlx::AnyConnection::connect(&self.db_url).await.unwrap();
            sqlx::query(statement).execute(&mut c).await.unwrap();
        });
    }

    /// The first column of a query's rows, as text (select text, or CAST it).
    pub fn strings(&self, query: &str) -> Vec<String> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            use sqlx::{Connection, Row};
            sqlx::any::install_default_drivers();
            let mut c = sqlx::AnyConnection::connect(&self.db_url).await.unwrap();
            let rows = sqlx::query(query).fetch_all(&mut c).await.unwrap();
            rows.iter().map(|r| r.try_get::<Option<String>, _>(0).unwrap().unwrap_or_default()).collect()
        })
    }

    /// A fresh installation without data; `extra` is appended to the config file.
    pub fn bare(extra: &str) -> Env {
        Env::bare_with_db(extra, None)
    }

    /// Like [`Env::bare`], on a given database (several installations sharing one store).
    pub fn bare_with_db(extra: &str, db: Option<&str>) -> Env {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let config = root.join("seatmail.toml");
        let db_url = match db {
            Some(url) => url.to_string(),
            None => postgres::test_database().unwrap_or_else(|| format!("sqlite:{}", root.join("seatmail.db").display())),
        };
        let text = format!(
            "[intake]\nkind = \"maildir\"\n[intake.maildir]\npath = \"{mail}\"\npoll_interval_secs = 1\n\
             [database]\nurl = \"{db_url}\"\n\
             [outbox]\nkind = \"file\"\n[outbox.file]\ndir = \"{outbox}\"\n\
             [answers]\ntemplates = \"{templates}\"\nfrom = \"webservices@reseller.example\"\n\
             [trust]\nauthserv_id = \"mx.reseller.example\"\nrequire = \"dmarc\"\n\
             [catalog]\npath = \"{catalog}\"\n{extra}",
            mail = root.join("mail").display(),
            outbox = root.join("outbox").display(),
            templates = Path::new(REPO).join("templates").display(),
            catalog = Path::new(REPO).join("config/products.toml").display(),
        );
        std::fs::write(&config, text).expect("write config");
        Env { dir, config, vars: Vec::new(), db_url }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn import(&self, subscriptions: &str, contacts: &str) {
        std::fs::write(self.path("subs.csv"), subscriptions).unwrap();
        std::fs::write(self.path("contacts.csv"), contacts).unwrap();
        self.ok(&["import", "subscriptions", self.path("subs.csv").to_str().unwrap()]);
        self.ok(&["import", "contacts", self.path("contacts.csv").to_str().unwrap()]);
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new(BIN);
        c.arg("--config").arg(&self.config).env("SEATMAIL_LOG", "seatmail=debug").env_remove("SEATMAIL_CONFIG");
        c.envs(self.vars.iter().map(|(k, v)| (k, v)));
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run seatmail")
    }

    /// Run and insist on success; stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "seatmail {args:?} failed ({}):\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.ok(args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("seatmail {args:?}: not JSON ({e}):\n{out}"))
    }

    /// Deliver a mail the way an MTA does (tmp/, then rename into new/); returns its file name.
    pub fn deliver(&self, raw: &str) -> String {
        let name = format!("{}.{}.test", Utc::now().timestamp_micros(), SEQ.fetch_add(1, Ordering::SeqCst));
        for sub in ["tmp", "new", "cur"] {
            std::fs::create_dir_all(self.path("mail").join(sub)).unwrap();
        }
        let tmp = self.path("mail/tmp").join(&name);
        std::fs::write(&tmp, raw).unwrap();
        std::fs::rename(&tmp, self.path("mail/new").join(&name)).unwrap();
        name
    }

    pub fn run_once(&self) -> String {
        self.ok(&["run", "--once"])
    }

    /// Every recorded mail (not just `messages list`'s default 200).
    pub fn messages(&self) -> Vec<Value> {
        self.json(&["messages", "list", "--limit", "1000000", "--json"]).as_array().cloned().unwrap_or_default()
    }

    /// The only message with this Message-ID, in full.
    pub fn message(&self, message_id: &str) -> Value {
        let all = self.messages();
        let found: Vec<&Value> = all.iter().filter(|m| m["message_id"] == message_id).collect();
        assert_eq!(found.len(), 1, "messages with id {message_id}: {all:#?}");
        self.json(&["messages", "show", found[0]["key"].as_str().unwrap(), "--json"])
    }

    pub fn quantity(&self, subscription: &str) -> i64 {
        let subs = self.json(&["subs", "list", "--json"]);
        subs.as_array()
            .unwrap()
            .iter()
            .find(|s| s["subscription_id"] == subscription)
            .unwrap_or_else(|| panic!("no subscription {subscription}"))["quantity"]
            .as_i64()
            .unwrap()
    }

    /// The answer files in the outbox, as (file name, content).
    pub fn answers(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Ok(entries) = std::fs::read_dir(self.path("outbox")) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.ends_with(".eml") {
                    out.push((name, std::fs::read_to_string(e.path()).unwrap()));
                }
            }
        }
        out.sort();
        out
    }

    /// The answers that reply to the mail with this Message-ID.
    pub fn answers_to(&self, message_id: &str) -> Vec<Answer> {
        self.answers()
            .into_iter()
            .filter(|(_, c)| c.contains(&format!("In-Reply-To: <{message_id}>")))
            .map(|(_, c)| Answer::parse(&c))
            .collect()
    }

    /// Files in a Maildir subfolder (".Processed/cur", "new", ...).
    pub fn maildir_files(&self, folder: &str) -> Vec<String> {
        std::fs::read_dir(self.path("mail").join(folder))
            .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default()
    }
}

/// A running `seatmail run`, stopped (SIGTERM to its recorded pid, then SIGKILL) on drop.
pub struct Daemon {
    pub child: std::process::Child,
    pub log: PathBuf,
}

extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
}

impl Daemon {
    pub fn signal(&self, sig: i32) {
        // SAFETY: kill(2) on the pid of our own child.
        unsafe { kill(self.child.id() as i32, sig) };
    }

    /// SIGTERM and wait; the exit status.
    pub fn stop(mut self) -> std::process::ExitStatus {
        self.signal(15);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(std::time::Instant::now() < deadline, "seatmail did not stop within 30 s:\n{}", self.log_text());
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// Wait up to `secs` for the daemon to end by itself: true when it aborted (a failpoint
    /// reached), false when it is still running (then it is left running).
    pub fn aborted_within(&mut self, secs: u64) -> bool {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return !status.success();
            }
            if std::time::Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// SIGKILL: a crash at an arbitrary instant.
    pub fn crash(mut self) {
        self.signal(9);
        let _ = self.child.wait();
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.signal(15);
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while std::time::Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            self.signal(9);
            let _ = self.child.wait();
        }
    }
}

impl Env {
    /// Start `seatmail run` in the background, its log in the installation's directory.
    pub fn spawn(&self) -> Daemon {
        self.spawn_with(&[])
    }

    pub fn spawn_with(&self, vars: &[(&str, &str)]) -> Daemon {
        let n = SEQ.fetch_add(1, Ordering::SeqCst);
        let log = self.path(&format!("daemon-{n}.log"));
        let file = std::fs::File::create(&log).unwrap();
        let child = self
            .cmd()
            .arg("run")
            .envs(vars.iter().copied())
            .stdout(std::process::Stdio::null())
            .stderr(file)
            .spawn()
            .expect("start seatmail run");
        Daemon { child, log }
    }
}

/// [`wait_until`], with the daemon's log in the panic message.
pub fn wait_logged(secs: u64, what: &str, daemon: &Daemon, f: impl FnMut() -> bool) {
    wait_logged_and(secs, what, daemon, String::new, f);
}

/// [`wait_logged`], with `more` (another server's log, read at the timeout) in the panic message.
pub fn wait_logged_and(secs: u64, what: &str, daemon: &Daemon, more: impl Fn() -> String, mut f: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while !f() {
        if std::time::Instant::now() >= deadline {
            let log = daemon.log_text();
            let tail: Vec<&str> = log.lines().rev().take(60).collect::<Vec<_>>().into_iter().rev().collect();
            panic!("timed out after {secs} s waiting for {what}; daemon log (tail):\n{}\n{}", tail.join("\n"), more());
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Poll `f` until it is true, or panic with `what` after `secs`.
pub fn wait_until(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while !f() {
        assert!(std::time::Instant::now() < deadline, "timed out after {secs} s waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// An answer mail, decoded enough to assert on.
#[derive(Debug)]
pub struct Answer {
    pub headers: String,
    pub text: String,
    pub html: String,
}

impl Answer {
    pub fn parse(raw: &str) -> Answer {
        let msg = mail_parser::MessageParser::default().parse(raw.as_bytes()).expect("answer parses");
        let (head, _) = raw.split_once("\r\n\r\n").or_else(|| raw.split_once("\n\n")).unwrap_or((raw, ""));
        Answer {
            headers: head.to_string(),
            text: msg.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
            html: msg.body_html(0).map(|t| t.into_owned()).unwrap_or_default(),
        }
    }

    pub fn header(&self, name: &str) -> Option<String> {
        let prefix = format!("{}:", name.to_ascii_lowercase());
        let mut lines = self.headers.lines().peekable();
        while let Some(l) = lines.next() {
            if l.to_ascii_lowercase().starts_with(&prefix) {
                let mut v = l[prefix.len()..].trim().to_string();
                while lines.peek().is_some_and(|n| n.starts_with([' ', '\t'])) {
                    v.push(' ');
                    v.push_str(lines.next().unwrap().trim());
                }
                return Some(v);
            }
        }
        None
    }
}

/// A mail as the reseller's receiving server hands it over: with its Authentication-Results
/// (DMARC pass for the From domain) and a unique Message-ID, which is returned too.
pub fn mail(from: &str, subject: &str, body: &str) -> (String, String) {
    mail_with(from, subject, body, "")
}

pub fn mail_with(from: &str, subject: &str, body: &str, extra_headers: &str) -> (String, String) {
    let domain = from.rsplit_once('@').map(|(_, d)| d.trim_end_matches('>')).unwrap_or("x");
    let id = format!("t{}.{}@{domain}", Utc::now().timestamp_micros(), SEQ.fetch_add(1, Ordering::SeqCst));
    let raw = format!(
        "Return-Path: <{addr}>\r\n\
         Authentication-Results: mx.reseller.example; spf=pass smtp.mailfrom={domain}; dkim=pass header.d={domain}; dmarc=pass header.from={domain}\r\n\
         From: {from}\r\nTo: webservices@reseller.example\r\nSubject: {subject}\r\n\
         Date: {date}\r\nMessage-ID: <{id}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n{extra_headers}\r\n{body}\r\n",
        addr = from.rsplit_once('<').map(|(_, a)| a.trim_end_matches('>')).unwrap_or(from),
        date = Utc::now().to_rfc2822(),
    );
    (raw, id)
}
