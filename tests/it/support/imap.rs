//! The IMAP server a test runs against, whichever it is: Dovecot (personal folders at the top
//! level, separator `/`) or Cyrus in one of its three layouts. The tests that must hold on
//! every server take a [`Kind`] and are generated once per kind by [`on_every_server!`].

// A toolbox: each test uses only part of it.
#![allow(dead_code)]

use std::path::Path;
use std::time::{Duration, Instant};

use super::cyrus::{Cyrus, Layout};
use super::dovecot::Dovecot;
use super::tls::TestCerts;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Dovecot,
    Cyrus(Layout),
}

pub enum Imap {
    Dovecot(Dovecot),
    Cyrus(Cyrus),
}

/// What Dovecot says it can do, less what a test hides.
const DOVECOT_CAPABILITIES: &str = "IMAP4rev1 SASL-IR LITERAL+ ID ENABLE IDLE NAMESPACE CHILDREN LIST-EXTENDED SPECIAL-USE UIDPLUS MOVE";

impl Imap {
    /// The server of `kind` with these `(login, password)` users.
    pub fn start(kind: Kind, users: &[(&str, &str)]) -> Imap {
        match kind {
            Kind::Dovecot => Imap::Dovecot(Dovecot::start(users)),
            Kind::Cyrus(layout) => Imap::Cyrus(Cyrus::start(layout, users)),
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            Imap::Dovecot(_) => Kind::Dovecot,
            Imap::Cyrus(c) => Kind::Cyrus(c.layout),
        }
    }

    /// Plain IMAP, STARTTLS offered.
    pub fn imap_port(&self) -> u16 {
        match self {
            Imap::Dovecot(d) => d.imap_port,
            Imap::Cyrus(c) => c.imap_port,
        }
    }

    /// Implicit TLS.
    pub fn imaps_port(&self) -> u16 {
        match self {
            Imap::Dovecot(d) => d.imaps_port,
            Imap::Cyrus(c) => c.imaps_port,
        }
    }

    pub fn lmtp_port(&self) -> u16 {
        match self {
            Imap::Dovecot(d) => d.lmtp_port,
            Imap::Cyrus(c) => c.lmtp_port,
        }
    }

    pub fn ca_pem(&self) -> &Path {
        match self {
            Imap::Dovecot(d) => &d.ca_pem,
            Imap::Cyrus(c) => &c.ca_pem,
        }
    }

    pub fn certs(&self) -> &TestCerts {
        match self {
            Imap::Dovecot(d) => &d.certs,
            Imap::Cyrus(c) => &c.certs,
        }
    }

    /// The full name a client sees for the personal folder `short` (`Processed` is
    /// `INBOX.Processed` on Cyrus's default layout).
    pub fn folder_name(&self, short: &str) -> String {
        match self {
            Imap::Dovecot(_) => short.to_string(),
            Imap::Cyrus(c) => c.layout.folder(short),
        }
    }

    pub fn deliver(&self, rcpt: &str, raw: &[u8]) {
        match self {
            Imap::Dovecot(d) => d.deliver(rcpt, raw),
            Imap::Cyrus(c) => c.deliver(rcpt, raw),
        }
    }

    /// Messages of the folder with this full name.
    pub fn messages(&self, login: &str, folder: &str) -> Vec<Vec<u8>> {
        match self {
            Imap::Dovecot(d) => d.messages(login, folder),
            Imap::Cyrus(c) => c.messages(login, folder),
        }
    }

    /// Polls until `folder` holds at least `n` messages; panics after `timeout`.
    pub fn wait_for(&self, login: &str, folder: &str, n: usize, timeout: Duration) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        loop {
            let found = self.messages(login, folder);
            if found.len() >= n {
                return found;
            }
            assert!(Instant::now() < deadline, "{login}'s {folder} holds {} message(s) after {timeout:?}, expected at least {n}", found.len());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn stop(&mut self) {
        match self {
            Imap::Dovecot(d) => d.stop(),
            Imap::Cyrus(c) => c.stop(),
        }
    }

    pub fn start_again(&mut self) {
        match self {
            Imap::Dovecot(d) => d.start_again(),
            Imap::Cyrus(c) => c.start_again(),
        }
    }

    pub fn change_uidvalidity(&mut self, login: &str) -> (u32, u32) {
        match self {
            Imap::Dovecot(d) => d.change_uidvalidity(login),
            Imap::Cyrus(c) => c.change_uidvalidity(login),
        }
    }

    /// Restart without advertising these capabilities (`MOVE`, `UIDPLUS`).
    pub fn hide_capabilities(&mut self, hidden: &[&str]) {
        match self {
            Imap::Dovecot(d) => {
                let caps: Vec<&str> = DOVECOT_CAPABILITIES.split(' ').filter(|c| !hidden.contains(c)).collect();
                d.reconfigure(&format!("protocol imap {{\n  imap_capability = {}\n}}", caps.join(" ")));
            }
            Imap::Cyrus(c) => c.suppress_capabilities(hidden),
        }
    }

    /// IMAP commands as `login`, each answered OK (the test's own mail client).
    pub fn commands(&self, login: &str, password: &str, commands: &[&str]) {
        raw_session(self.imap_port(), login, password, commands)
            .unwrap_or_else(|e| panic!("{login} on {:?}: {e}\n{}", self.kind(), self.log()));
    }

    pub fn log(&self) -> String {
        match self {
            Imap::Dovecot(d) => d.log(),
            Imap::Cyrus(c) => c.log(),
        }
    }
}

/// `#[test]` functions running `fn name(kind: Kind)` on Dovecot and on Cyrus in each layout:
/// `MODULE::dovecot::name`, `MODULE::cyrus_netnews::name`, `MODULE::cyrus_unix::name`,
/// `MODULE::cyrus_alternate::name`.
#[macro_export]
macro_rules! on_every_server {
    ($($name:ident),* $(,)?) => {
        mod dovecot {
            $(#[test] fn $name() { super::$name($crate::support::imap::Kind::Dovecot) })*
        }
        mod cyrus_netnews {
            $(#[test] fn $name() { super::$name($crate::support::imap::Kind::Cyrus($crate::support::cyrus::Layout::Netnews)) })*
        }
        mod cyrus_unix {
            $(#[test] fn $name() { super::$name($crate::support::imap::Kind::Cyrus($crate::support::cyrus::Layout::Unix)) })*
        }
        mod cyrus_alternate {
            $(#[test] fn $name() { super::$name($crate::support::imap::Kind::Cyrus($crate::support::cyrus::Layout::Alternate)) })*
        }
    };
}

/// LOGIN, then each command in turn; any answer but OK is an error.
pub fn raw_session(port: u16, login: &str, pass: &str, commands: &[&str]) -> Result<(), String> {
    use std::io::{BufRead, BufReader, Write};
    let stream = std::net::TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect {port}: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    let mut line = String::new();
    reader.read_line(&mut line).map_err(|e| format!("greeting: {e}"))?;
    let login_cmd = format!("LOGIN \"{login}\" \"{pass}\"");
    for (n, command) in std::iter::once(login_cmd.as_str()).chain(commands.iter().copied()).enumerate() {
        let tag = format!("t{n}");
        writer.write_all(format!("{tag} {command}\r\n").as_bytes()).map_err(|e| e.to_string())?;
        loop {
            line.clear();
            if reader.read_line(&mut line).map_err(|e| format!("{command}: {e}"))? == 0 {
                return Err(format!("{command}: connection closed"));
            }
            if let Some(rest) = line.strip_prefix(&format!("{tag} ")) {
                if !rest.starts_with("OK") {
                    return Err(format!("{command}: {}", rest.trim()));
                }
                break;
            }
        }
    }
    let _ = writer.write_all(b"z LOGOUT\r\n");
    Ok(())
}
