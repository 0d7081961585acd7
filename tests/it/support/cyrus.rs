//! A throw-away, real Cyrus IMAP 3.6 (Debian's cyrus-imapd) for the integration tests.
//!
//! Debian's `cyrus-imapd` conflicts with `dovecot-imapd`, so `tests/run` unpacks it (and
//! cyrus-common) with `apt-get download` + `dpkg -x` into a private prefix
//! ([`PREFIX`], or `$SEATMAIL_CYRUS_PREFIX`) and installs only its libraries. [`Cyrus::start`]
//! writes its own `imapd.conf` and `cyrus.conf` into a fresh temp dir (config database, spool,
//! sockets, TLS files and the SASL password database all live there), picks free loopback
//! ports, runs `master` in its own process group and returns once IMAP and LMTP greet. It is
//! stopped by signalling that recorded process group (never by name), on [`Cyrus::stop`] or on
//! drop. Nothing from /etc/imapd.conf is read; the system's service manager is never involved.
//!
//! Logins are `local@domain` (`virtdomains: userid`), checked against a private sasldb;
//! mailboxes are created on first login or first delivery (`autocreate_*`), so answers sent to
//! anyone can be read back ([`ANY_USER_PASSWORD`] for logins not given to `start`).
//!
//! Three namespace layouts, as resellers meet them ([`Layout`]).

// A toolbox: each test uses only part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use super::dovecot::{imap_read, lmtp_send, ANY_USER_PASSWORD};
use super::imap::raw_session;
use super::procs::{chown_tree, free_ports, greets, mail_user, stop_group, wait_serving, MailUser};
use super::tls::{write_test_certs, TestCerts};

/// Where `tests/run` unpacks Debian's cyrus-common and cyrus-imapd.
pub const PREFIX: &str = "/opt/seatmail-test/cyrus";
/// The administrator (`admins:`), for what only an administrator may do.
pub const ADMIN: &str = "cyrusadmin";
const ADMIN_PASSWORD: &str = "cyrus-admin-test-password";

const START_TIMEOUT: Duration = Duration::from_secs(30);
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// How Cyrus shows a user's folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Debian's default: `altnamespace: no`, `unixhierarchysep: no` — personal folders under
    /// `INBOX.`, separator `.`.
    Netnews,
    /// `unixhierarchysep: yes`: personal folders under `INBOX/`.
    Unix,
    /// `altnamespace: yes` (Cyrus 3's upstream default): personal folders at the top level
    /// beside INBOX, as Exchange and Gmail show them.
    Alternate,
}

impl Layout {
    pub const ALL: [Layout; 3] = [Layout::Netnews, Layout::Unix, Layout::Alternate];

    /// The full name a client sees for the personal folder `short` (`Processed`).
    pub fn folder(self, short: &str) -> String {
        if short.eq_ignore_ascii_case("INBOX") {
            return "INBOX".into();
        }
        match self {
            Layout::Netnews => format!("INBOX.{short}"),
            Layout::Unix => format!("INBOX/{short}"),
            Layout::Alternate => short.to_string(),
        }
    }

    fn settings(self) -> &'static str {
        match self {
            Layout::Netnews => "altnamespace: no\nunixhierarchysep: no\n",
            Layout::Unix => "altnamespace: no\nunixhierarchysep: yes\n",
            Layout::Alternate => "altnamespace: yes\nunixhierarchysep: yes\n",
        }
    }

    /// An administrator's name for a user's INBOX (admins see the standard namespace).
    fn admin_inbox(self, login: &str) -> String {
        match self {
            Layout::Netnews => format!("user.{login}"),
            Layout::Unix | Layout::Alternate => format!("user/{login}"),
        }
    }
}

pub struct Cyrus {
    /// Plain IMAP, STARTTLS offered.
    pub imap_port: u16,
    /// Implicit-TLS IMAP.
    pub imaps_port: u16,
    pub lmtp_port: u16,
    pub ca_pem: PathBuf,
    pub certs: TestCerts,
    pub dir: PathBuf,
    pub layout: Layout,
    /// Logins in the sasldb, with their passwords.
    users: Mutex<BTreeMap<String, String>>,
    owner: MailUser,
    /// Settings appended to imapd.conf.
    extra: String,
    /// Capabilities not advertised (`suppress_capabilities`).
    suppressed: Vec<String>,
    idled: bool,
    child: Option<Child>,
    _tmp: tempfile::TempDir,
}

fn prefix() -> PathBuf {
    let p = PathBuf::from(std::env::var("SEATMAIL_CYRUS_PREFIX").unwrap_or_else(|_| PREFIX.into()));
    assert!(
        p.join("usr/lib/cyrus/bin/master").exists(),
        "Cyrus IMAP is not unpacked in {}: run tests/run as root (it unpacks Debian's cyrus-imapd there)",
        p.display()
    );
    p
}

impl Cyrus {
    /// A Cyrus with these `(login, password)` users, `idled` running (IDLE reports at once).
    pub fn start(layout: Layout, users: &[(&str, &str)]) -> Cyrus {
        Cyrus::start_with(layout, users, true, "")
    }

    /// With or without `idled` (without it, IDLE reports every `imapidlepoll`, 60 s by
    /// default), and `extra` settings for imapd.conf.
    pub fn start_with(layout: Layout, users: &[(&str, &str)], idled: bool, extra: &str) -> Cyrus {
        let tmp = tempfile::Builder::new().prefix("seatmail-cyrus-").tempdir().expect("create temp dir for cyrus");
        let dir = tmp.path().to_path_buf();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).expect("chmod cyrus temp dir");
        let certs = write_test_certs(&dir.join("tls"));
        // conf/socket: where imapd binds its own end of the idled conversation (idle.PID).
        for sub in ["conf/socket", "spool", "run", "sieve"] {
            fs::create_dir_all(dir.join(sub)).expect("create cyrus dirs");
        }
        let owner = mail_user(&dir.join("conf"));
        let [imap_port, imaps_port, lmtp_port] = free_ports::<3>();
        let mut cyrus = Cyrus {
            imap_port,
            imaps_port,
            lmtp_port,
            ca_pem: certs.ca_pem.clone(),
            certs,
            dir,
            layout,
            users: Mutex::new(BTreeMap::new()),
            owner,
            extra: extra.to_string(),
            suppressed: Vec::new(),
            idled,
            child: None,
            _tmp: tmp,
        };
        cyrus.add_user(ADMIN, ADMIN_PASSWORD);
        for (login, password) in users {
            cyrus.add_user(login, password);
        }
        cyrus.write_config();
        chown_tree(&cyrus.dir, &cyrus.owner);
        cyrus.launch();
        cyrus
    }

    fn conf(&self) -> PathBuf {
        self.dir.join("imapd.conf")
    }

    fn write_config(&self) {
        let d = self.dir.display();
        let bin = prefix().join("usr/lib/cyrus/bin");
        let bin = bin.display();
        let conf = self.conf();
        let conf = conf.display();
        let imapd = format!(
            "# Generated by tests/it/support/cyrus.rs; nothing from /etc/imapd.conf is read.\n\
             configdirectory: {d}/conf\npartition-default: {d}/spool\ndefaultpartition: default\n\
             servername: localhost\ncyrus_user: {user}\ncyrus_group: {group}\n{layout}\
             virtdomains: userid\nlmtp_downcase_rcpt: yes\nautocreate_quota: 0\nautocreate_post: 1\n\
             admins: {ADMIN}\nallowplaintext: yes\nsasl_pwcheck_method: auxprop\nsasl_auxprop_plugin: sasldb\n\
             sasl_sasldb_path: {d}/sasldb2\nsasl_mech_list: PLAIN LOGIN\n\
             tls_server_cert: {cert}\ntls_server_key: {key}\n\
             lmtpsocket: {d}/run/lmtp\nidlesocket: {d}/conf/socket/idle\nnotifysocket: {d}/run/notify\n\
             proc_path: {d}/run/proc\nmboxname_lockpath: {d}/run/lock\nsievedir: {d}/sieve\n\
             syslog_prefix: seatmail-test-cyrus\n{suppress}{extra}\n",
            user = self.owner.name,
            group = self.owner.group,
            layout = self.layout.settings(),
            cert = self.certs.cert_pem.display(),
            key = self.certs.key_pem.display(),
            extra = self.extra,
            suppress = if self.suppressed.is_empty() { String::new() } else { format!("suppress_capabilities: {}\n", self.suppressed.join(" ")) },
        );
        fs::write(self.conf(), imapd).expect("write imapd.conf");
        // idled makes IDLE report at once; without it imapd polls every imapidlepoll.
        let daemon = if self.idled { format!("DAEMON {{\n  idled cmd=\"{bin}/idled -C {conf}\"\n}}\n") } else { String::new() };
        let master = format!(
            "START {{\n  recover cmd=\"{bin}/ctl_cyrusdb -C {conf} -r\"\n}}\n{daemon}\
             SERVICES {{\n  imap cmd=\"{bin}/imapd -C {conf}\" listen=\"127.0.0.1:{imap}\" prefork=0\n\
             \x20 imaps cmd=\"{bin}/imapd -s -C {conf}\" listen=\"127.0.0.1:{imaps}\" prefork=0\n\
             \x20 lmtp cmd=\"{bin}/lmtpd -a -C {conf}\" listen=\"127.0.0.1:{lmtp}\" prefork=0\n}}\n\
             EVENTS {{\n  checkpoint cmd=\"{bin}/ctl_cyrusdb -C {conf} -c\" period=30\n}}\n",
            imap = self.imap_port,
            imaps = self.imaps_port,
            lmtp = self.lmtp_port,
        );
        fs::write(self.dir.join("cyrus.conf"), master).expect("write cyrus.conf");
    }

    /// Add settings to imapd.conf and restart: same ports, same mail.
    pub fn reconfigure(&mut self, extra: &str) {
        self.extra.push('\n');
        self.extra.push_str(extra);
        self.restart_configured();
    }

    /// Restart without advertising these capabilities (only these).
    pub fn suppress_capabilities(&mut self, hidden: &[&str]) {
        self.suppressed = hidden.iter().map(|c| c.to_string()).collect();
        self.restart_configured();
    }

    fn restart_configured(&mut self) {
        self.write_config();
        chown_tree(&self.conf(), &self.owner);
        self.stop();
        self.launch();
    }

    /// A login in the sasldb (realm = the domain, as Cyrus asks with `virtdomains: userid`).
    fn add_user(&self, login: &str, password: &str) {
        let (user, realm) = login.split_once('@').unwrap_or((login, "localhost"));
        let mut child = Command::new(saslpasswd2())
            .args(["-f", &self.dir.join("sasldb2").display().to_string(), "-p", "-c", "-u", realm, user])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run saslpasswd2");
        child.stdin.take().unwrap().write_all(password.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "saslpasswd2 {login}: {}", String::from_utf8_lossy(&out.stderr));
        chown_tree(&self.dir.join("sasldb2"), &self.owner);
        self.users.lock().unwrap().insert(login.to_string(), password.to_string());
    }

    fn password(&self, login: &str) -> String {
        // Cyrus folds recipients to lower case (lmtp_downcase_rcpt): MAILER-DAEMON@ reads as mailer-daemon@.
        let login = login.to_lowercase();
        let login = login.as_str();
        if let Some(p) = self.users.lock().unwrap().get(login) {
            return p.clone();
        }
        self.add_user(login, ANY_USER_PASSWORD);
        ANY_USER_PASSWORD.to_string()
    }

    pub fn pid(&self) -> i32 {
        self.child.as_ref().expect("cyrus is not running").id() as i32
    }

    /// master's own output (Cyrus logs to syslog, which a test machine may not have).
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.join("master.log")).unwrap_or_default()
    }

    fn launch(&mut self) {
        assert!(self.child.is_none(), "cyrus already running");
        let root = prefix();
        let child = Command::new(root.join("usr/lib/cyrus/bin/master"))
            .arg("-C")
            .arg(self.conf())
            .arg("-M")
            .arg(self.dir.join("cyrus.conf"))
            .arg("-p")
            .arg(self.dir.join("run/master.pid"))
            .arg("-L")
            .arg(self.dir.join("master.log"))
            .env("LD_LIBRARY_PATH", root.join("usr/lib/x86_64-linux-gnu"))
            .stdin(Stdio::null())
            // Own process group: stop() signals exactly this Cyrus and its children.
            .process_group(0)
            .spawn()
            .expect("spawn cyrus master");
        self.child = Some(child);
        // The implicit-TLS listener comes up with the plain one (one master, one config).
        let (imap, lmtp) = (self.imap_port, self.lmtp_port);
        if let Err(e) = wait_serving(self.child.as_mut().unwrap(), START_TIMEOUT, || greets(imap, "* OK").and(greets(lmtp, "220 "))) {
            self.stop();
            panic!("cyrus {e}; log:\n{}", self.log());
        }
    }

    /// SIGTERM to master's process group, wait for every member to go, SIGKILL if it will not.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else { return };
        let pgid = child.id() as i32;
        stop_group(Some(&mut child), pgid, "cyrus", STOP_TIMEOUT);
    }

    pub fn start_again(&mut self) {
        self.stop();
        self.launch();
    }

    /// Delivers `raw` to `rcpt` over LMTP.
    pub fn deliver(&self, rcpt: &str, raw: &[u8]) {
        lmtp_send(self.lmtp_port, "", &[rcpt], raw).unwrap_or_else(|e| panic!("LMTP delivery to {rcpt} failed: {e}; cyrus log:\n{}", self.log()));
    }

    /// Raw messages of `folder` (its full name) in UID order, read over IMAP (missing: empty).
    pub fn messages(&self, login: &str, folder: &str) -> Vec<Vec<u8>> {
        self.read(login, folder).0
    }

    pub fn uidvalidity(&self, login: &str, folder: &str) -> u32 {
        self.read(login, folder).1.unwrap_or_else(|| panic!("folder {folder} does not exist"))
    }

    fn read(&self, login: &str, folder: &str) -> (Vec<Vec<u8>>, Option<u32>) {
        let (port, pass) = (self.imap_port, self.password(login));
        let (login, folder) = (login.to_lowercase(), folder.to_string());
        match std::thread::spawn(move || imap_read(port, &login, &pass, &folder)).join().expect("IMAP helper thread panicked") {
            Ok(v) => v,
            Err(e) => panic!("IMAP helper: {e}; cyrus log:\n{}", self.log()),
        }
    }

    /// Commands as `login`, one per line, each answered OK (the test's own mail client).
    pub fn commands(&self, login: &str, commands: &[&str]) {
        let pass = self.password(login);
        raw_session(self.imap_port, login, &pass, commands).unwrap_or_else(|e| panic!("{login}: {e}; cyrus log:\n{}", self.log()));
    }

    /// Renumber `login`'s INBOX (a new UIDVALIDITY), as a restore or a migration would: the
    /// administrator deletes it and the next delivery creates it anew. Returns (old, new).
    pub fn change_uidvalidity(&mut self, login: &str) -> (u32, u32) {
        let before = self.uidvalidity(login, "INBOX");
        let inbox = self.layout.admin_inbox(login);
        raw_session(self.imap_port, ADMIN, ADMIN_PASSWORD, &[&format!("SETACL \"{inbox}\" {ADMIN} lrswipkxtecda"), &format!("DELETE \"{inbox}\"")])
            .unwrap_or_else(|e| panic!("renumbering {inbox}: {e}"));
        let (m, _) = crate::support::mail("admin@contoso.be", "placeholder", "re-creates the INBOX\n");
        self.deliver(login, m.as_bytes());
        let after = self.uidvalidity(login, "INBOX");
        assert_ne!(before, after, "UIDVALIDITY of {login}'s INBOX did not change");
        // The placeholder goes again: the test counts its own mail.
        self.commands(login, &["SELECT INBOX", "STORE 1:* +FLAGS.SILENT (\\Deleted)", "EXPUNGE"]);
        (before, after)
    }
}

impl Drop for Cyrus {
    fn drop(&mut self) {
        self.stop();
    }
}

fn saslpasswd2() -> &'static str {
    for path in ["/usr/sbin/saslpasswd2", "/usr/bin/saslpasswd2"] {
        if Path::new(path).exists() {
            return path;
        }
    }
    panic!("saslpasswd2 not found: apt-get install sasl2-bin (tests/run does)");
}
