//! A small but real ESMTP server (RFC 5321) for the integration tests: the
//! reseller's outgoing relay as seatmail sees it.
//!
//! It listens on a free loopback port, in plain text, with STARTTLS, or with
//! implicit TLS (the test certificate from `tls.rs`), takes AUTH PLAIN and
//! AUTH LOGIN when [`SmtpServer::require_auth`] was called, and hands every
//! message it accepts to Dovecot over LMTP (one LMTP transaction, all
//! recipients) *before* it answers 250, so a test that saw the client succeed
//! can read the answer over IMAP at once. It also records what it accepted and
//! how many connections it saw (to prove connection reuse), and it can be told
//! to misbehave ([`Behaviour`]) while running. It runs on its own thread with
//! its own tokio runtime, so plain `#[test]`s and `#[tokio::test]`s can both
//! use it; dropping it stops the runtime, closing every socket it had.

// A toolbox: each test uses only part of it.
#![allow(dead_code)]

use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::oneshot;
use tokio_rustls::TlsAcceptor;

use super::tls::{server_config, write_test_certs, TestCerts};

/// How the server speaks TLS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// No TLS at all (AUTH is still offered: it is a test server).
    Plain,
    /// Plain first; advertises STARTTLS and refuses AUTH and MAIL until upgraded.
    StartTls,
    /// TLS from the first byte (the port-465 style).
    Implicit,
}

/// Fault injection. Replaced at any time by [`SmtpServer::set_behaviour`];
/// a transaction's fate is decided at its MAIL command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Behaviour {
    Accept,
    /// The next `times` transactions fail with `code`, then the server accepts
    /// again. 450/452 are answered to every RCPT, anything else (421, 451) to
    /// the end of DATA; after 421 the server closes the connection.
    TempFail { code: u16, times: usize },
    /// Every transaction fails with `code`: 550/551/553 to every RCPT,
    /// anything else (554) to the end of DATA.
    PermFail { code: u16 },
    /// Only `rcpt` (case-insensitive) fails: 554 fails the whole transaction
    /// at the end of DATA if it includes `rcpt`, other codes are answered to
    /// that RCPT alone.
    PermFailRcpt { rcpt: String, code: u16 },
    /// Accept TCP and never send the greeting (nor anything else).
    StallBeforeGreeting,
    /// Send the greeting, then never answer anything; the socket stays open.
    StallAfterGreeting,
    /// Take the whole message after DATA, then never answer; the socket stays open.
    StallOnData,
    /// Answer DATA with 354, read the first data line, then close the socket.
    DropOnData,
}

/// A message the server answered 250 to (and delivered over LMTP).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// The reverse-path, without angle brackets ("" for the null sender).
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The message as received, dot-unstuffed, with CRLF line ends.
    pub data: Vec<u8>,
    /// From the end of the data to the 250 (the LMTP hand-off): a client that dies in this
    /// time never hears the 250, yet the message is delivered.
    pub answered_in: Duration,
}

struct Shared {
    mode: SmtpTls,
    lmtp_port: AtomicU16,
    behaviour: Mutex<Behaviour>,
    auth: Mutex<Option<(String, String)>>,
    accepted: Mutex<Vec<Accepted>>,
    connections: AtomicUsize,
    transactions: AtomicUsize,
    auth_failures: AtomicUsize,
}

pub struct SmtpServer {
    pub port: u16,
    /// The CA a client must trust for STARTTLS / implicit TLS.
    pub ca_pem: PathBuf,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    _tmp: Option<tempfile::TempDir>,
}

/// Largest message (and line) the server takes; beyond it, 552.
const MAX_MESSAGE: usize = 32 * 1024 * 1024;

impl SmtpServer {
    /// Starts a server delivering to Dovecot's LMTP port (`0`: record only,
    /// deliver nowhere), with a certificate from a fresh test CA ([`Self::ca_pem`]).
    pub fn start(lmtp_port: u16, tls: SmtpTls) -> SmtpServer {
        let tmp = tempfile::Builder::new().prefix("seatmail-smtp-").tempdir().expect("temp dir for SMTP certs");
        let certs = write_test_certs(tmp.path());
        let mut server = Self::start_with_certs(lmtp_port, tls, &certs);
        server._tmp = Some(tmp);
        server
    }

    /// Like [`Self::start`] but serving given certificates (e.g. Dovecot's
    /// `certs`, so one test CA covers IMAP and SMTP).
    pub fn start_with_certs(lmtp_port: u16, tls: SmtpTls, certs: &TestCerts) -> SmtpServer {
        // Bound here, synchronously: the port accepts connections before start returns.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind SMTP test port");
        listener.set_nonblocking(true).expect("nonblocking SMTP listener");
        let port = listener.local_addr().unwrap().port();
        let acceptor = TlsAcceptor::from(server_config(certs));
        let shared = Arc::new(Shared {
            mode: tls,
            lmtp_port: AtomicU16::new(lmtp_port),
            behaviour: Mutex::new(Behaviour::Accept),
            auth: Mutex::new(None),
            accepted: Mutex::new(Vec::new()),
            connections: AtomicUsize::new(0),
            transactions: AtomicUsize::new(0),
            auth_failures: AtomicUsize::new(0),
        });
        let (shutdown, shutdown_rx) = oneshot::channel();
        let thread_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name(format!("smtp-test-{port}"))
            .spawn(move || serve(listener, acceptor, thread_shared, shutdown_rx))
            .expect("spawn SMTP server thread");
        SmtpServer { port, ca_pem: certs.ca_pem.clone(), shared, shutdown: Some(shutdown), thread: Some(thread), _tmp: None }
    }

    /// Deliver to this LMTP port from now on (a server started before the Dovecot it feeds,
    /// e.g. the relay of Dovecot's own submission service).
    pub fn set_lmtp_port(&self, port: u16) {
        self.shared.lmtp_port.store(port, Ordering::SeqCst);
    }

    /// From now on, MAIL needs AUTH (PLAIN or LOGIN) as `user` / `pass`; wrong credentials get 535.
    pub fn require_auth(&self, user: &str, pass: &str) {
        *self.shared.auth.lock().unwrap() = Some((user.to_string(), pass.to_string()));
    }

    pub fn set_behaviour(&self, behaviour: Behaviour) {
        *self.shared.behaviour.lock().unwrap() = behaviour;
    }

    pub fn behaviour(&self) -> Behaviour {
        self.shared.behaviour.lock().unwrap().clone()
    }

    /// Messages answered 250, in order.
    pub fn accepted(&self) -> Vec<Accepted> {
        self.shared.accepted.lock().unwrap().clone()
    }

    /// How many messages were answered 250, without copying them.
    pub fn accepted_count(&self) -> usize {
        self.shared.accepted.lock().unwrap().len()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// MAIL commands accepted so far (each attempt, whatever its fate).
    pub fn transactions(&self) -> usize {
        self.shared.transactions.load(Ordering::SeqCst)
    }

    /// AUTH attempts answered 535.
    pub fn auth_failures(&self) -> usize {
        self.shared.auth_failures.load(Ordering::SeqCst)
    }

    /// Polls until at least `n` messages were accepted; panics after `timeout`.
    pub fn wait_for_accepted(&self, n: usize, timeout: Duration) -> Vec<Accepted> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let got = self.accepted();
            if got.len() >= n {
                return got;
            }
            assert!(std::time::Instant::now() < deadline, "SMTP server accepted {} message(s) in {timeout:?}, expected at least {n}", got.len());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let result = thread.join();
            if result.is_err() && !std::thread::panicking() {
                panic!("SMTP test server thread panicked");
            }
        }
    }
}

fn serve(listener: std::net::TcpListener, acceptor: TlsAcceptor, shared: Arc<Shared>, mut shutdown: oneshot::Receiver<()>) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("SMTP server runtime");
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("register SMTP listener");
        let mut conns = tokio::task::JoinSet::new();
        loop {
            tokio::select! {
                _ = &mut shutdown => break,
                accepted = listener.accept() => {
                    if let Ok((tcp, _)) = accepted {
                        shared.connections.fetch_add(1, Ordering::SeqCst);
                        conns.spawn(connection(tcp, acceptor.clone(), shared.clone()));
                    }
                }
                // Reap finished connections so the set does not grow without bound.
                Some(_) = conns.join_next(), if !conns.is_empty() => {}
            }
        }
        // Stalled connections never finish on their own: abort them, which closes their sockets.
        conns.shutdown().await;
    });
    // An LMTP hand-off still running in spawn_blocking is bounded by its own I/O timeouts.
    rt.shutdown_timeout(Duration::from_secs(20));
}

async fn connection(tcp: tokio::net::TcpStream, acceptor: TlsAcceptor, shared: Arc<Shared>) {
    if *shared.behaviour.lock().unwrap() == Behaviour::StallBeforeGreeting {
        drain(tcp).await;
        return;
    }
    match shared.mode {
        SmtpTls::Implicit => {
            if let Ok(tls) = acceptor.accept(tcp).await {
                session(tls, true, true, &shared).await;
            }
        }
        SmtpTls::Plain | SmtpTls::StartTls => {
            if let Some(tcp) = session(tcp, false, true, &shared).await {
                // STARTTLS: no new greeting; the client starts over with EHLO.
                if let Ok(tls) = acceptor.accept(tcp).await {
                    session(tls, true, false, &shared).await;
                }
            }
        }
    }
}

/// Reads and discards until the peer closes: a server that hangs without closing.
async fn drain<S: AsyncRead + Unpin>(mut stream: S) {
    let mut buf = [0u8; 4096];
    while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
}

enum Fate {
    Accept,
    AtRcpt(u16),
    AtDataEnd(u16),
}

fn fate_for(code: u16) -> Fate {
    match code {
        450 | 452 | 550 | 551 | 553 => Fate::AtRcpt(code),
        _ => Fate::AtDataEnd(code),
    }
}

/// Decides a new transaction's fate, using up one `TempFail` count.
fn take_fate(shared: &Shared) -> Fate {
    let mut behaviour = shared.behaviour.lock().unwrap();
    match &mut *behaviour {
        Behaviour::TempFail { code, times } if *times > 0 => {
            let code = *code;
            *times -= 1;
            if *times == 0 {
                *behaviour = Behaviour::Accept;
            }
            fate_for(code)
        }
        Behaviour::PermFail { code } => fate_for(*code),
        _ => Fate::Accept,
    }
}

fn reply_text(code: u16) -> &'static str {
    match code {
        421 => "4.3.2 Service not available, closing transmission channel",
        450 => "4.2.1 Mailbox unavailable (injected)",
        451 => "4.3.0 Local error in processing (injected)",
        452 => "4.5.3 Insufficient system storage (injected)",
        550 => "5.1.1 Mailbox unavailable (injected)",
        551 | 553 => "5.1.3 Mailbox name not allowed (injected)",
        554 => "5.6.0 Transaction failed (injected)",
        c if c >= 500 => "5.0.0 Injected permanent failure",
        _ => "4.0.0 Injected temporary failure",
    }
}

struct Conn<S> {
    io: BufReader<S>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Conn<S> {
    async fn send(&mut self, reply: &str) -> io::Result<()> {
        // One write per reply: a client reading the greeting gets it whole.
        self.io.get_mut().write_all(format!("{reply}\r\n").as_bytes()).await?;
        self.io.get_mut().flush().await
    }

    /// One line without its line end; None at EOF or error.
    async fn line(&mut self) -> Option<Vec<u8>> {
        let mut buf = Vec::new();
        let n = (&mut self.io).take(MAX_MESSAGE as u64).read_until(b'\n', &mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        while matches!(buf.last(), Some(b'\n' | b'\r')) {
            buf.pop();
        }
        Some(buf)
    }
}

/// Extracts the address from `FROM:<a@b> PARAMS` / `TO:<a@b>` (`prefix` is "FROM:" or "TO:").
fn path_arg(arg: &str, prefix: &str) -> Option<String> {
    let rest = arg.get(..prefix.len()).filter(|p| p.eq_ignore_ascii_case(prefix)).map(|_| arg[prefix.len()..].trim_start())?;
    let rest = rest.strip_prefix('<')?;
    let end = rest.find('>')?;
    Some(rest[..end].to_string())
}

/// Runs SMTP on `stream` until QUIT, EOF or a fault. Returns the stream when
/// the client asked for STARTTLS (anything it had pipelined after it is
/// discarded with the buffer, as RFC 3207 requires).
async fn session<S: AsyncRead + AsyncWrite + Unpin>(stream: S, tls: bool, greet: bool, shared: &Shared) -> Option<S> {
    let mut c = Conn { io: BufReader::new(stream) };
    if greet {
        c.send("220 localhost ESMTP seatmail test server").await.ok()?;
        if *shared.behaviour.lock().unwrap() == Behaviour::StallAfterGreeting {
            drain(c.io).await;
            return None;
        }
    }
    let starttls_pending = shared.mode == SmtpTls::StartTls && !tls;
    let mut helo = false;
    let mut authed = false;
    let mut from: Option<String> = None;
    let mut rcpts: Vec<String> = Vec::new();
    let mut fate = Fate::Accept;
    loop {
        let line = c.line().await?;
        let line = String::from_utf8_lossy(&line).into_owned();
        let (verb, arg) = match line.split_once(' ') {
            Some((v, a)) => (v.to_ascii_uppercase(), a.trim().to_string()),
            None => (line.trim().to_ascii_uppercase(), String::new()),
        };
        let auth_required = shared.auth.lock().unwrap().is_some();
        let reply: String = match verb.as_str() {
            "EHLO" | "HELO" => {
                helo = true;
                from = None;
                rcpts.clear();
                if verb == "HELO" {
                    "250 localhost".into()
                } else {
                    let mut lines = vec![format!("localhost greets {arg}"), "8BITMIME".into(), "SMTPUTF8".into(), "ENHANCEDSTATUSCODES".into(), format!("SIZE {MAX_MESSAGE}")];
                    if starttls_pending {
                        lines.push("STARTTLS".into());
                    } else if auth_required {
                        lines.push("AUTH PLAIN LOGIN".into());
                    }
                    let last = lines.len() - 1;
                    lines.iter().enumerate().map(|(i, l)| format!("250{}{l}", if i == last { ' ' } else { '-' })).collect::<Vec<_>>().join("\r\n")
                }
            }
            "STARTTLS" if starttls_pending => {
                c.send("220 2.0.0 Ready to start TLS").await.ok()?;
                return Some(c.io.into_inner());
            }
            "STARTTLS" => "503 5.5.1 TLS already active or not offered".into(),
            "AUTH" if starttls_pending => "530 5.7.0 Must issue a STARTTLS command first".into(),
            "AUTH" if !auth_required => "503 5.5.1 AUTH not offered".into(),
            "AUTH" if authed => "503 5.5.1 Already authenticated".into(),
            "AUTH" => match auth(&mut c, &arg, shared).await? {
                true => {
                    authed = true;
                    "235 2.7.0 Authentication successful".into()
                }
                false => "535 5.7.8 Authentication credentials invalid".into(),
            },
            "MAIL" if !helo => "503 5.5.1 EHLO first".into(),
            "MAIL" if starttls_pending => "530 5.7.0 Must issue a STARTTLS command first".into(),
            "MAIL" if auth_required && !authed => "530 5.7.0 Authentication required".into(),
            "MAIL" if from.is_some() => "503 5.5.1 Nested MAIL command".into(),
            "MAIL" => match path_arg(&arg, "FROM:") {
                Some(addr) => {
                    shared.transactions.fetch_add(1, Ordering::SeqCst);
                    fate = take_fate(shared);
                    from = Some(addr);
                    "250 2.1.0 Ok".into()
                }
                None => "501 5.5.4 Syntax: MAIL FROM:<address>".into(),
            },
            "RCPT" if from.is_none() => "503 5.5.1 MAIL first".into(),
            "RCPT" => match path_arg(&arg, "TO:") {
                Some(addr) => {
                    let per_rcpt = match &*shared.behaviour.lock().unwrap() {
                        Behaviour::PermFailRcpt { rcpt, code } if rcpt.eq_ignore_ascii_case(&addr) => Some(*code),
                        _ => None,
                    };
                    match (per_rcpt, &fate) {
                        (Some(code), _) if !matches!(fate_for(code), Fate::AtDataEnd(_)) => format!("{code} {}", reply_text(code)),
                        (Some(code), _) => {
                            // 554 for this recipient: the whole message fails at the end of DATA.
                            fate = Fate::AtDataEnd(code);
                            rcpts.push(addr);
                            "250 2.1.5 Ok".into()
                        }
                        (None, Fate::AtRcpt(code)) => format!("{code} {}", reply_text(*code)),
                        (None, _) => {
                            rcpts.push(addr);
                            "250 2.1.5 Ok".into()
                        }
                    }
                }
                None => "501 5.5.4 Syntax: RCPT TO:<address>".into(),
            },
            "DATA" if rcpts.is_empty() => "554 5.5.1 No valid recipients".into(),
            "DATA" => {
                let dropping = *shared.behaviour.lock().unwrap() == Behaviour::DropOnData;
                c.send("354 End data with <CR><LF>.<CR><LF>").await.ok()?;
                if dropping {
                    let _ = c.line().await;
                    return None;
                }
                let mut data = Vec::new();
                let mut too_big = false;
                loop {
                    let mut buf = Vec::new();
                    let n = (&mut c.io).take(MAX_MESSAGE as u64).read_until(b'\n', &mut buf).await.ok()?;
                    if n == 0 {
                        return None;
                    }
                    let content = buf.strip_suffix(b"\n").map(|b| b.strip_suffix(b"\r").unwrap_or(b)).unwrap_or(&buf);
                    if content == b"." {
                        break;
                    }
                    // Dot-unstuffing (RFC 5321 4.5.2); line ends become CRLF.
                    let content = content.strip_prefix(b".").unwrap_or(content);
                    if data.len() + content.len() + 2 > MAX_MESSAGE {
                        too_big = true;
                    } else {
                        data.extend_from_slice(content);
                        data.extend_from_slice(b"\r\n");
                    }
                }
                if *shared.behaviour.lock().unwrap() == Behaviour::StallOnData {
                    drain(c.io).await;
                    return None;
                }
                let data_end = std::time::Instant::now();
                let mail_from = from.take().unwrap_or_default();
                let rcpt_to = std::mem::take(&mut rcpts);
                match std::mem::replace(&mut fate, Fate::Accept) {
                    _ if too_big => "552 5.3.4 Message too big".into(),
                    Fate::AtDataEnd(421) => {
                        let _ = c.send(&format!("421 {}", reply_text(421))).await;
                        return None;
                    }
                    Fate::AtDataEnd(code) | Fate::AtRcpt(code) => format!("{code} {}", reply_text(code)),
                    Fate::Accept => match deliver(shared.lmtp_port.load(Ordering::SeqCst), &mail_from, &rcpt_to, &data).await {
                        Ok(()) => {
                            let answered_in = data_end.elapsed();
                            shared.accepted.lock().unwrap().push(Accepted { mail_from, rcpt_to, data, answered_in });
                            "250 2.0.0 Ok: queued".into()
                        }
                        Err(e) => format!("451 4.3.0 LMTP hand-off failed: {}", e.replace(['\r', '\n'], " ")),
                    },
                }
            }
            "RSET" => {
                from = None;
                rcpts.clear();
                fate = Fate::Accept;
                "250 2.0.0 Ok".into()
            }
            "NOOP" => "250 2.0.0 Ok".into(),
            "VRFY" => "252 2.1.5 Cannot VRFY user".into(),
            "QUIT" => {
                let _ = c.send("221 2.0.0 Bye").await;
                return None;
            }
            _ => "500 5.5.2 Command unrecognized".into(),
        };
        c.send(&reply).await.ok()?;
    }
}

/// AUTH PLAIN / LOGIN, with or without an initial response. Some(true) on
/// success, Some(false) on bad credentials or syntax, None if the peer went away.
async fn auth<S: AsyncRead + AsyncWrite + Unpin>(c: &mut Conn<S>, arg: &str, shared: &Shared) -> Option<bool> {
    let (mech, initial) = match arg.split_once(' ') {
        Some((m, i)) => (m.to_ascii_uppercase(), Some(i.trim().to_string())),
        None => (arg.to_ascii_uppercase(), None),
    };
    // Asks for the next SASL response; "*" (client cancels) counts as failure.
    async fn ask<S: AsyncRead + AsyncWrite + Unpin>(c: &mut Conn<S>, challenge: &str) -> Option<Option<Vec<u8>>> {
        c.send(&format!("334 {challenge}")).await.ok()?;
        let line = c.line().await?;
        Some(if line == b"*" { None } else { b64_decode(&line) })
    }
    let decoded = |s: Option<String>| s.filter(|s| s != "=").map(|s| b64_decode(s.as_bytes()));
    let creds: Option<(Vec<u8>, Vec<u8>)> = match mech.as_str() {
        "PLAIN" => {
            let resp = match decoded(initial) {
                Some(r) => r,
                None => ask(c, "").await?,
            };
            resp.and_then(|r| {
                let mut parts = r.split(|b| *b == 0);
                let (_authzid, user, pass) = (parts.next()?, parts.next()?, parts.next()?);
                Some((user.to_vec(), pass.to_vec()))
            })
        }
        "LOGIN" => {
            let user = match decoded(initial) {
                Some(u) => u,
                None => ask(c, "VXNlcm5hbWU6").await?, // "Username:"
            };
            match user {
                Some(user) => ask(c, "UGFzc3dvcmQ6").await?.map(|pass| (user, pass)), // "Password:"
                None => None,
            }
        }
        _ => None,
    };
    let expected = shared.auth.lock().unwrap().clone();
    let ok = matches!((&creds, &expected), (Some((u, p)), Some((eu, ep))) if u == eu.as_bytes() && p == ep.as_bytes());
    if !ok {
        shared.auth_failures.fetch_add(1, Ordering::SeqCst);
    }
    Some(ok)
}

fn b64_decode(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &ch in input.iter().filter(|c| !c.is_ascii_whitespace()) {
        let v = match ch {
            b'A'..=b'Z' => ch - b'A',
            b'a'..=b'z' => ch - b'a' + 26,
            b'0'..=b'9' => ch - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// Hands the message to Dovecot's LMTP (blocking client, off the runtime's thread).
async fn deliver(lmtp_port: u16, from: &str, rcpts: &[String], data: &[u8]) -> Result<(), String> {
    if lmtp_port == 0 {
        return Ok(());
    }
    let (from, rcpts, data) = (from.to_string(), rcpts.to_vec(), data.to_vec());
    tokio::task::spawn_blocking(move || {
        let rcpts: Vec<&str> = rcpts.iter().map(String::as_str).collect();
        super::dovecot::lmtp_send(lmtp_port, &from, &rcpts, &data)
    })
    .await
    .map_err(|e| format!("LMTP task: {e}"))?
}
