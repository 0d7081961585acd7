//! A throw-away, real Dovecot (IMAP + LMTP) for the integration tests.
//!
//! [`Dovecot::start`] writes its own `dovecot.conf` into a fresh temp dir
//! (runtime, state, log, Maildirs and TLS files all live there), picks free
//! loopback ports, runs `dovecot -F` in its own process group and returns once
//! IMAP and LMTP greet. It is stopped by signalling that recorded process group
//! (never by name), on [`Dovecot::stop`] or on drop. Mail goes in over LMTP
//! ([`Dovecot::deliver`]) and is read back over IMAP ([`Dovecot::messages`]), so
//! the tests see exactly what the daemon under test sees.
//!
//! Mailbox layout: Maildir++ under `DIR/mail/<login>`, hierarchy separator
//! [`SEPARATOR`] (`/`), INBOX plus whatever folders clients create
//! (`Processed`, `Rejected`, ...). Any recipient is accepted over LMTP (static
//! userdb), so answers sent to customers can be read back too: logins not given
//! to `start` use [`ANY_USER_PASSWORD`].

// A toolbox: each test uses only part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::procs::{chown_tree, free_ports, greets, mail_user, stop_group, wait_serving};
use super::tls::{write_test_certs, TestCerts};

/// IMAP hierarchy separator of the test server's only namespace.
pub const SEPARATOR: char = '/';
/// Password of every login that `start` was not given (a static passdb after the passwd-file).
pub const ANY_USER_PASSWORD: &str = "any-user-test-password";

/// How long `start` / `start_again` may take before the test fails.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long Dovecot gets to exit after SIGTERM before the group is SIGKILLed.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// Bound on any single IMAP / LMTP exchange made by the helpers.
const IO_TIMEOUT: Duration = Duration::from_secs(15);

pub struct Dovecot {
    /// Plain IMAP, STARTTLS offered (the port-143 style listener).
    pub imap_port: u16,
    /// Implicit-TLS IMAP (the port-993 style listener).
    pub imaps_port: u16,
    pub lmtp_port: u16,
    /// Dovecot's SMTP submission service (STARTTLS offered), relaying to the SMTP server given
    /// to [`Dovecot::start_with_oauth`]; 0 when not started.
    pub submission_port: u16,
    /// The test CA that signed Dovecot's `localhost` / `127.0.0.1` certificate.
    pub ca_pem: PathBuf,
    /// The temp dir holding everything (removed on drop).
    pub dir: PathBuf,
    pub certs: TestCerts,
    users: BTreeMap<String, String>,
    conf: PathBuf,
    child: Option<Child>,
    _tmp: tempfile::TempDir,
}

impl Dovecot {
    /// Starts a Dovecot with these `(login, password)` users and waits until it serves.
    pub fn start(users: &[(&str, &str)]) -> Dovecot {
        Self::start_inner(users, None)
    }

    /// Add settings to the running Dovecot's config (e.g. `imap_capability = ...`), and restart
    /// it with them: same ports, same mail.
    pub fn reconfigure(&mut self, extra: &str) {
        let mut conf = fs::read_to_string(&self.conf).expect("read dovecot.conf");
        conf.push('\n');
        conf.push_str(extra);
        conf.push('\n');
        fs::write(&self.conf, conf).expect("write dovecot.conf");
        self.stop();
        self.start_again();
    }

    /// Like [`Dovecot::start`], plus OAuth2: logins by SASL XOAUTH2 and OAUTHBEARER are checked
    /// by Dovecot's `oauth2` passdb against the token-introspection endpoint `introspection_url`
    /// (RFC 7662, POST), which must answer `active` and the `username`. Dovecot's SMTP
    /// submission service runs too (on [`Dovecot::submission_port`]), taking the same logins and
    /// relaying what it accepts to the plain SMTP server on 127.0.0.1:`relay_port`.
    pub fn start_with_oauth(users: &[(&str, &str)], introspection_url: &str, relay_port: u16) -> Dovecot {
        Self::start_inner(users, Some((introspection_url, relay_port)))
    }

    fn start_inner(users: &[(&str, &str)], oauth: Option<(&str, u16)>) -> Dovecot {
        let tmp = tempfile::Builder::new().prefix("seatmail-dovecot-").tempdir().expect("create temp dir for dovecot");
        let dir = tmp.path().to_path_buf();
        // Dovecot's auth process runs as the `dovecot` user and must read the passwd file in here.
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).expect("chmod dovecot temp dir");
        let certs = write_test_certs(&dir.join("tls"));
        for sub in ["run", "state", "mail", "home"] {
            fs::create_dir_all(dir.join(sub)).expect("create dovecot dirs");
        }
        let [imap_port, imaps_port, lmtp_port, submission] = free_ports::<4>();
        let oauth = oauth.map(|(url, relay)| {
            let ext = dir.join("oauth2.conf.ext");
            fs::write(
                &ext,
                format!(
                    "introspection_mode = post\nintrospection_url = {url}\nusername_attribute = username\n\
                     active_attribute = active\nactive_value = true\ntimeout_msecs = 5000\n"
                ),
            )
            .expect("write oauth2.conf.ext");
            OAuthConf { ext, relay, submission }
        });
        let submission_port = if oauth.is_some() { submission } else { 0 };

        let mut passwd = String::new();
        for (login, pass) in users {
            assert!(!login.contains(':') && !pass.contains(':') && !pass.contains('\n'), "bad test user {login:?}");
            writeln!(passwd, "{login}:{{PLAIN}}{pass}").unwrap();
        }
        fs::write(dir.join("passwd"), passwd).expect("write dovecot passwd file");

        let conf = dir.join("dovecot.conf");
        fs::write(&conf, config(&dir, &certs, users, [imap_port, imaps_port, lmtp_port], oauth.as_ref())).expect("write dovecot.conf");

        let mut dovecot = Dovecot {
            imap_port,
            imaps_port,
            lmtp_port,
            submission_port,
            ca_pem: certs.ca_pem.clone(),
            dir,
            certs,
            users: users.iter().map(|(u, p)| (u.to_string(), p.to_string())).collect(),
            conf,
            child: None,
            _tmp: tmp,
        };
        dovecot.launch();
        dovecot
    }

    /// Process id of the Dovecot master (also its process group id). Panics if stopped.
    pub fn pid(&self) -> i32 {
        self.child.as_ref().expect("dovecot is not running").id() as i32
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// Dovecot's log so far (for assertions and panic messages).
    pub fn log(&self) -> String {
        let mut out = String::new();
        for name in ["dovecot.log", "stderr.log"] {
            if let Ok(text) = fs::read_to_string(self.dir.join(name)) {
                out.push_str(&text);
            }
        }
        out
    }

    /// The Maildir of `login` on disk (INBOX is its root, `Processed` is `.Processed`).
    pub fn maildir(&self, login: &str) -> PathBuf {
        self.dir.join("mail").join(login)
    }

    fn launch(&mut self) {
        assert!(self.child.is_none(), "dovecot already running");
        let stderr = fs::OpenOptions::new().create(true).append(true).open(self.dir.join("stderr.log")).expect("open dovecot stderr log");
        let child = Command::new(dovecot_binary())
            .arg("-F")
            .arg("-c")
            .arg(&self.conf)
            .stdin(Stdio::null())
            .stdout(stderr.try_clone().expect("dup log fd"))
            .stderr(stderr)
            // Own process group: stop() signals exactly this Dovecot and its children.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", dovecot_binary()));
        self.child = Some(child);

        let (imap, lmtp, submission) = (self.imap_port, self.lmtp_port, self.submission_port);
        let ready = || {
            greets(imap, "* OK")?;
            greets(lmtp, "220 ")?;
            if submission == 0 { Ok(()) } else { greets(submission, "220 ") }
        };
        if let Err(e) = wait_serving(self.child.as_mut().unwrap(), START_TIMEOUT, ready) {
            self.stop();
            panic!("dovecot {e}; log:\n{}", self.log());
        }
    }

    /// SIGTERM to Dovecot's process group, wait for every member to go, SIGKILL if it will not.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else { return };
        let pgid = child.id() as i32;
        stop_group(Some(&mut child), pgid, "dovecot", STOP_TIMEOUT);
    }

    /// Starts the stopped Dovecot again: same config, ports and mail.
    pub fn start_again(&mut self) {
        self.stop();
        self.launch();
    }

    /// Delivers `raw` to `rcpt` over LMTP (bare LFs become CRLF; dot-stuffing is done here).
    pub fn deliver(&self, rcpt: &str, raw: &[u8]) {
        lmtp_send(self.lmtp_port, "", &[rcpt], raw)
            .unwrap_or_else(|e| panic!("LMTP delivery to {rcpt} failed: {e}; dovecot log:\n{}", self.log()));
    }

    fn password(&self, login: &str) -> String {
        self.users.get(login).cloned().unwrap_or_else(|| ANY_USER_PASSWORD.to_string())
    }

    /// Raw messages of `folder` in UID order, read over IMAP (a missing folder is empty).
    pub fn messages(&self, login: &str, folder: &str) -> Vec<Vec<u8>> {
        let (port, pass) = (self.imap_port, self.password(login));
        let (login, folder) = (login.to_string(), folder.to_string());
        self.imap(move || imap_read(port, &login, &pass, &folder)).0
    }

    /// The UIDVALIDITY of `folder`, read over IMAP.
    pub fn uidvalidity(&self, login: &str, folder: &str) -> u32 {
        let (port, pass) = (self.imap_port, self.password(login));
        let (login, folder2) = (login.to_string(), folder.to_string());
        self.imap(move || imap_read(port, &login, &pass, &folder2))
            .1
            .unwrap_or_else(|| panic!("folder {folder} does not exist"))
    }

    /// Makes INBOX's UIDVALIDITY change, as when a server rebuilds its indexes:
    /// stop, delete INBOX's uidlist and index files, start again. Mail stays.
    /// Returns (old, new) and panics unless they differ.
    pub fn change_uidvalidity(&mut self, login: &str) -> (u32, u32) {
        let before = self.uidvalidity(login, "INBOX");
        self.stop();
        let root = self.maildir(login);
        for entry in fs::read_dir(&root).unwrap_or_else(|e| panic!("read {}: {e}", root.display())) {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == "dovecot-uidlist" || name.starts_with("dovecot.index") || name.starts_with("dovecot.list.index") {
                fs::remove_file(entry.path()).unwrap_or_else(|e| panic!("remove {name}: {e}"));
            }
        }
        self.launch();
        let after = self.uidvalidity(login, "INBOX");
        assert_ne!(before, after, "UIDVALIDITY of {login}'s INBOX did not change");
        (before, after)
    }

    /// Runs a blocking IMAP helper on its own thread, so it works from plain
    /// tests and from inside a tokio runtime alike.
    fn imap<T: Send + 'static>(&self, f: impl FnOnce() -> Result<T, String> + Send + 'static) -> T {
        match std::thread::spawn(f).join().expect("IMAP helper thread panicked") {
            Ok(v) => v,
            Err(e) => panic!("IMAP helper: {e}; dovecot log:\n{}", self.log()),
        }
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        self.stop();
    }
}

fn dovecot_binary() -> &'static str {
    for path in ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"] {
        if Path::new(path).exists() {
            return path;
        }
    }
    panic!("dovecot not found: apt-get install dovecot-imapd dovecot-lmtpd");
}

/// The OAuth2 part of a Dovecot's config: the `oauth2` passdb's settings file, and the
/// submission service's ports.
struct OAuthConf {
    ext: PathBuf,
    relay: u16,
    submission: u16,
}

fn config(dir: &Path, certs: &TestCerts, users: &[(&str, &str)], [imap, imaps, lmtp]: [u16; 3], oauth: Option<&OAuthConf>) -> String {
    let d = dir.display();
    let owner = mail_user(&dir.join("passwd"));
    for sub in ["mail", "home"] {
        chown_tree(&dir.join(sub), &owner);
    }
    let (root, uid, gid) = (owner.root, owner.uid, owner.gid);
    let (internal_user, login_user) = if root {
        ("dovecot".to_string(), "dovenull".to_string())
    } else {
        // Unprivileged: Dovecot cannot switch users, so every service runs as us.
        (owner.name.clone(), owner.name.clone())
    };
    let unprivileged = if root {
        String::new()
    } else {
        let submission = if oauth.is_some() { "service submission-login {\n  chroot =\n}\n" } else { "" };
        format!("default_internal_group = {}\nservice imap-login {{\n  chroot =\n}}\n{submission}", owner.group)
    };
    // OAuth2: the oauth2 passdb first (only for the token mechanisms), and the submission service.
    let (protocols, mechanisms, oauth_passdb, oauth_services) = match oauth {
        None => ("imap lmtp", "plain login", String::new(), String::new()),
        Some(o) => (
            "imap lmtp submission",
            "plain login xoauth2 oauthbearer",
            format!("passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {}\n}}\n", o.ext.display()),
            format!(
                "hostname = localhost\nsubmission_relay_host = 127.0.0.1\nsubmission_relay_port = {relay}\n\
                 service submission-login {{\n  inet_listener submission {{\n    address = 127.0.0.1\n    port = {sub}\n  }}\n}}\n",
                relay = o.relay,
                sub = o.submission
            ),
        ),
    };
    // Unprivileged, chroot(2) fails: anvil (chroot = empty by default) must not try.
    let anvil_chroot = if root { "" } else { "  chroot =\n" };
    // Logins not configured may log in with ANY_USER_PASSWORD (to read mail sent to customers).
    let others = users.iter().map(|(u, _)| format!("!{u}")).collect::<Vec<_>>().join(" ");
    let ssl_dh = if Path::new("/usr/share/dovecot/dh.pem").exists() { "ssl_dh = </usr/share/dovecot/dh.pem\n" } else { "" };
    format!(
        r#"# Generated by tests/it/support/dovecot.rs; nothing from /etc/dovecot is read.
base_dir = {d}/run
state_dir = {d}/state
instance_name = seatmail-test-{imap}
log_path = {d}/dovecot.log
auth_verbose = yes
listen = 127.0.0.1
protocols = {protocols}
shutdown_clients = yes

ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
{ssl_dh}ssl_min_protocol = TLSv1.2

auth_mechanisms = {mechanisms}
disable_plaintext_auth = no
# Wrong-password tests should not cost seconds: no failure delay, and no
# growing per-IP auth penalty (auth cannot reach anvil's penalty socket).
auth_failure_delay = 0

first_valid_uid = 1
first_valid_gid = 1
mail_uid = {uid}
mail_gid = {gid}
default_internal_user = {internal_user}
default_login_user = {login_user}
{unprivileged}
mail_location = maildir:{d}/mail/%u
mailbox_list_index = yes
namespace inbox {{
  inbox = yes
  separator = {SEPARATOR}
  prefix =
}}

{oauth_passdb}passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
passdb {{
  driver = static
  args = password={ANY_USER_PASSWORD}
  username_filter = {others}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/home/%u allow_all_users=yes
}}

service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps}
    ssl = yes
  }}
}}
service anvil {{
{anvil_chroot}  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp}
  }}
}}
{oauth_services}"#,
        cert = certs.cert_pem.display(),
        key = certs.key_pem.display(),
    )
}

/// A minimal LMTP client (RFC 2033): LHLO, MAIL, RCPT..., DATA, one reply per recipient, QUIT.
/// An empty `mail_from` is the null reverse-path.
pub fn lmtp_send(port: u16, mail_from: &str, rcpts: &[&str], raw: &[u8]) -> Result<(), String> {
    let stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect LMTP {port}: {e}"))?;
    stream.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    let mut reply = |expect: char| -> Result<String, String> {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).map_err(|e| format!("read LMTP reply: {e}"))? == 0 {
                return Err(format!("LMTP closed the connection after {all:?}"));
            }
            all.push_str(&line);
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                break;
            }
        }
        if all.starts_with(expect) { Ok(all) } else { Err(format!("LMTP answered {all:?}")) }
    };
    let mut send = |line: String| writer.write_all(line.as_bytes()).map_err(|e| format!("write LMTP: {e}"));
    reply('2')?;
    send("LHLO localhost\r\n".into())?;
    reply('2')?;
    send(format!("MAIL FROM:<{mail_from}>\r\n"))?;
    reply('2')?;
    for rcpt in rcpts {
        send(format!("RCPT TO:<{rcpt}>\r\n"))?;
        reply('2')?;
    }
    send("DATA\r\n".into())?;
    reply('3')?;
    let mut body = dot_stuff(raw);
    body.extend_from_slice(b".\r\n");
    writer.write_all(&body).map_err(|e| format!("write LMTP data: {e}"))?;
    for _ in rcpts {
        reply('2')?;
    }
    let _ = writer.write_all(b"QUIT\r\n");
    Ok(())
}

/// CRLF-normalises `raw`, doubles leading dots and makes it end in CRLF.
pub fn dot_stuff(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + 64);
    let mut at_line_start = true;
    let mut prev = 0u8;
    for &b in raw {
        if at_line_start && b == b'.' {
            out.push(b'.');
        }
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        at_line_start = b == b'\n';
        prev = b;
    }
    if !out.ends_with(b"\r\n") {
        if out.ends_with(b"\r") {
            out.push(b'\n');
        } else {
            out.extend_from_slice(b"\r\n");
        }
    }
    out
}

/// Logs in, EXAMINEs `folder` (read-only: no \Seen flags change) and fetches
/// every message. Returns the messages in UID order and the UIDVALIDITY
/// (None and no messages if the folder does not exist).
pub fn imap_read(port: u16, login: &str, pass: &str, folder: &str) -> Result<(Vec<Vec<u8>>, Option<u32>), String> {
    use futures::StreamExt;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async {
        let work = async {
            let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.map_err(|e| format!("connect IMAP {port}: {e}"))?;
            let mut client = async_imap::Client::new(tcp);
            client.read_response().await.ok_or("IMAP closed before greeting")?.map_err(|e| format!("IMAP greeting: {e}"))?;
            let mut session = client.login(login, pass).await.map_err(|(e, _)| format!("IMAP LOGIN {login}: {e}"))?;
            let mailbox = match session.examine(folder).await {
                Ok(mailbox) => mailbox,
                // Dovecot answers NO for a folder that does not exist (yet).
                Err(async_imap::error::Error::No(_)) => {
                    let _ = session.logout().await;
                    return Ok((Vec::new(), None));
                }
                Err(e) => return Err(format!("IMAP EXAMINE {folder}: {e}")),
            };
            let mut messages = Vec::new();
            if mailbox.exists > 0 {
                let mut fetches = session.uid_fetch("1:*", "BODY.PEEK[]").await.map_err(|e| format!("IMAP FETCH: {e}"))?;
                while let Some(fetch) = fetches.next().await {
                    let fetch = fetch.map_err(|e| format!("IMAP FETCH: {e}"))?;
                    if let Some(body) = fetch.body() {
                        messages.push((fetch.uid.unwrap_or(0), body.to_vec()));
                    }
                }
                drop(fetches);
            }
            let _ = session.logout().await;
            messages.sort_by_key(|(uid, _)| *uid);
            Ok((messages.into_iter().map(|(_, m)| m).collect(), mailbox.uid_validity))
        };
        tokio::time::timeout(IO_TIMEOUT, work).await.map_err(|_| format!("IMAP exchange took over {IO_TIMEOUT:?}"))?
    })
}
