//! IMAP intake: one session per folder that fetches new mail, waits with IDLE (or polls), and
//! moves each mail to its outcome folder once the store has recorded that outcome.
//!
//! Positions: the store keeps the folder's UIDVALIDITY and a watermark `last_uid` below which
//! every mail has been settled (recorded and moved). After every wake-up the intake asks the
//! server for `UID last+1:*` itself rather than trusting IDLE's unsolicited responses (whose
//! channel is bounded and may drop). Mail is read with `BODY.PEEK[]`, so nothing is marked read
//! before it is processed. A crash between the commit and the move leaves the mail in the folder
//! above the watermark: it is fetched again, found by its key, and only moved.
//!
//! A UIDVALIDITY different from the stored one means the server renumbered the folder: automatic
//! processing of that folder stops, loudly, until an operator runs `seatmail imap reset`.
//!
//! The session is the one place IMAP commands are issued: the processor asks for moves through
//! a channel, and the intake interrupts IDLE to carry them out. Any error drops the session and
//! reconnects with exponential backoff and jitter.

use std::collections::{BTreeSet, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_imap::imap_proto::{Response, Status};
use async_imap::{Client, Session};
use futures::StreamExt;
use rand::Rng;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_rustls::rustls;
use tokio_util::sync::CancellationToken;

use super::{Ack, InFlight, Incoming};
use crate::config::{ImapAuth, ImapConfig, OutcomeFolders, TlsMode};
use crate::secret::Secret;
use crate::domain::MessageState;
use crate::oauth::{Token, TokenSource};
use crate::store::Store;

#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("cannot connect to {0}")]
    Connect(String),
    #[error("TLS with {host}: {message}")]
    Tls { host: String, message: String },
    #[error("login as {user} refused: {message}")]
    Auth { user: String, message: String },
    /// The token endpoint failed (unreachable, not JSON, the grant refused).
    #[error(transparent)]
    Token(#[from] crate::oauth::OAuthError),
    /// The server refused a token the endpoint had just issued.
    #[error("mailbox permission: the IMAP server refused the OAuth2 token ({mechanism}) for {user}: {message}; {}", crate::oauth::refused_hint())]
    TokenRefused { user: String, mechanism: &'static str, message: String },
    #[error("IMAP: {0}")]
    Protocol(String),
    #[error("no answer from the server within {0:?}")]
    Timeout(Duration),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl From<async_imap::error::Error> for ImapError {
    fn from(e: async_imap::error::Error) -> Self {
        ImapError::Protocol(e.to_string())
    }
}

impl From<std::io::Error> for ImapError {
    fn from(e: std::io::Error) -> Self {
        ImapError::Protocol(format!("connection: {e}"))
    }
}

pub trait ImapIo: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug> ImapIo for T {}
type Stream = Box<dyn ImapIo>;

/// A request from the processor: move this mail to the folder of this outcome.
#[derive(Debug)]
pub struct MoveRequest {
    pub uid: u32,
    pub uidvalidity: u32,
    pub state: MessageState,
}

/// How the intake logs in: `auth = "login"` / `"plain"` with the password, or `"oauth2"`.
#[derive(Clone)]
pub enum ImapLogin {
    Password(Secret),
    OAuth2(Arc<TokenSource>),
}

pub struct ImapIntake {
    config: ImapConfig,
    login: ImapLogin,
    tls: Arc<rustls::ClientConfig>,
    store: Store,
    max_bytes: usize,
    /// The key's "source mailbox".
    source: String,
    in_flight: Arc<Mutex<HashSet<String>>>,
    moves_tx: mpsc::UnboundedSender<MoveRequest>,
    moves_rx: mpsc::UnboundedReceiver<MoveRequest>,
    /// The last session reached its working loop.
    was_ready: bool,
    /// Who this instance is, for the intake lease.
    holder: String,
}

/// How a session ended.
enum SessionEnd {
    /// Cancelled, or (once) everything waiting was settled.
    Done,
    /// The folder's UIDVALIDITY changed: wait for an operator.
    Stalled,
    /// The session's OAuth2 token ran out: log in again with a new one (not a failure).
    Renew,
}

/// UIDs handed to the processor and not yet moved, and the watermark below which all is settled.
#[derive(Default)]
struct Progress {
    uidvalidity: u32,
    watermark: u32,
    pending: BTreeSet<u32>,
    highest: u32,
}

impl Progress {
    fn settled(&mut self, uid: u32) -> u32 {
        self.pending.remove(&uid);
        self.watermark = match self.pending.first() {
            Some(first) => first.saturating_sub(1).max(self.watermark),
            None => self.highest.max(self.watermark),
        };
        self.watermark
    }
}

impl ImapIntake {
    pub fn new(config: ImapConfig, login: ImapLogin, store: Store, max_bytes: usize) -> Result<ImapIntake, ImapError> {
        let tls = crate::tls::client_config(config.ca_file.as_deref())
            .map_err(|e| ImapError::Tls { host: config.host.clone(), message: e.to_string() })?;
        let (moves_tx, moves_rx) = mpsc::unbounded_channel();
        Ok(ImapIntake {
            source: format!("imap:{}", config.folder),
            config,
            login,
            tls,
            store,
            max_bytes,
            in_flight: Arc::default(),
            moves_tx,
            moves_rx,
            was_ready: false,
            holder: instance_id(),
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Log in once and log out: the start-up check, so a wrong password or an unreachable
    /// server is a clear error before the daemon settles into retrying.
    pub async fn check(&self) -> Result<(), ImapError> {
        let (mut session, _) = self.connect().await?;
        let timeout = self.timeout();
        let _ = tokio::time::timeout(timeout, session.logout()).await;
        Ok(())
    }

    fn timeout(&self) -> Duration {
        Duration::from_secs(self.config.timeout_secs)
    }

    async fn tls_wrap(&self, tcp: TcpStream) -> Result<Stream, ImapError> {
        let name = rustls::pki_types::ServerName::try_from(self.config.host.clone())
            .map_err(|e| ImapError::Tls { host: self.config.host.clone(), message: e.to_string() })?;
        let tls = tokio_rustls::TlsConnector::from(self.tls.clone())
            .connect(name, tcp)
            .await
            .map_err(|e| ImapError::Tls { host: self.config.host.clone(), message: e.to_string() })?;
        Ok(Box::new(tls))
    }

    /// A logged-in session, and when its OAuth2 token runs out (the server may end the session
    /// then; the intake logs in again first).
    async fn connect(&self) -> Result<(Session<Stream>, Option<Instant>), ImapError> {
        let source = match &self.login {
            ImapLogin::Password(_) => return Ok((self.connect_timed(None).await?, None)),
            ImapLogin::OAuth2(source) => source,
        };
        // The token first, with its own timeout and errors: a slow or refusing token endpoint
        // is not the mail server's fault.
        let token = source.token().await?;
        match self.connect_timed(Some(&token)).await {
            Ok(session) => Ok((session, Some(token.expires_at))),
            Err(e @ ImapError::TokenRefused { .. }) => {
                source.invalidate(&token).await;
                if token.fresh {
                    return Err(e);
                }
                // A cached token may have been revoked or expired early: once more with a new one.
                tracing::info!(error = %e, "imap: the server refused the cached OAuth2 token; fetching a new one");
                let token = source.token().await?;
                match self.connect_timed(Some(&token)).await {
                    Ok(session) => Ok((session, Some(token.expires_at))),
                    Err(e) => {
                        if matches!(e, ImapError::TokenRefused { .. }) {
                            source.invalidate(&token).await;
                        }
                        Err(e)
                    }
                }
            }
            Err(e) => Err(e),
        }
    }

    async fn connect_timed(&self, token: Option<&Token>) -> Result<Session<Stream>, ImapError> {
        let timeout = self.timeout();
        match tokio::time::timeout(timeout, self.connect_inner(token)).await {
            Ok(r) => r,
            Err(_) => Err(ImapError::Timeout(timeout)),
        }
    }

    async fn connect_inner(&self, token: Option<&Token>) -> Result<Session<Stream>, ImapError> {
        let c = &self.config;
        let addr = format!("{}:{}", c.host, c.port());
        let tcp = TcpStream::connect(&addr).await.map_err(|e| ImapError::Connect(format!("{addr}: {e}")))?;
        tcp.set_nodelay(true)?;
        let (stream, greeted) = match c.tls {
            TlsMode::Implicit => (self.tls_wrap(tcp).await?, false),
            TlsMode::None => (Box::new(tcp) as Stream, false),
            TlsMode::Starttls => {
                let mut plain = Client::new(tcp);
                read_greeting(&mut plain).await?;
                plain
                    .run_command_and_check_ok("STARTTLS", None)
                    .await
                    .map_err(|e| ImapError::Tls { host: c.host.clone(), message: format!("STARTTLS refused: {e}") })?;
                (self.tls_wrap(plain.into_inner()).await?, true)
            }
        };
        let mut client = Client::new(stream);
        if !greeted {
            read_greeting(&mut client).await?;
        }
        let auth_err = |e: async_imap::error::Error| ImapError::Auth { user: c.user.clone(), message: e.to_string() };
        let session = match (&self.login, token) {
            (ImapLogin::OAuth2(source), Some(token)) => {
                let mechanism = crate::oauth::mechanism_name(source.mechanism);
                let exchange = Arc::new(Mutex::new(SaslExchange::default()));
                let auth = OAuthSasl {
                    initial: Some(crate::oauth::sasl_response(source.mechanism, &c.user, token, &c.host, c.port())),
                    abort: crate::oauth::sasl_abort(source.mechanism),
                    exchange: exchange.clone(),
                };
                match client.authenticate(mechanism, auth).await {
                    Ok(session) => session,
                    Err((e, _)) => {
                        let seen = exchange.lock().map(|x| x.clone()).unwrap_or_default();
                        return Err(oauth_refusal(&c.user, mechanism, e, seen));
                    }
                }
            }
            (ImapLogin::OAuth2(_), None) => return Err(ImapError::Protocol("no OAuth2 token to log in with".into())),
            (ImapLogin::Password(password), _) => match c.auth {
                ImapAuth::Plain => client
                    .authenticate("PLAIN", PlainAuth { user: c.user.clone(), password: password.expose().to_string() })
                    .await
                    .map_err(|(e, _)| auth_err(e))?,
                ImapAuth::Login | ImapAuth::OAuth2 => client.login(&c.user, password.expose()).await.map_err(|(e, _)| auth_err(e))?,
            },
        };
        Ok(session)
    }

    /// Run until cancelled (or, with `once`, until what is waiting has been handed over and
    /// settled). Errors are logged and the session is re-established with backoff.
    pub async fn run(mut self, tx: mpsc::Sender<Incoming>, cancel: CancellationToken, once: bool) {
        tracing::info!(server = %format!("{}:{}", self.config.host, self.config.port()), folder = %self.config.folder, holder = %self.holder, "imap intake started");
        let lease = format!("intake:{}", self.source);
        let mut failures = 0u32;
        'outer: loop {
            if cancel.is_cancelled() {
                break;
            }
            // One instance reads a folder at a time: wait for the lease (another instance
            // holds it while alive; it runs out within lease_secs when that one dies).
            let mut waiting_said = false;
            loop {
                match self.store.acquire_lease(&lease, &self.holder, self.lease_secs()).await {
                    Ok(true) => break,
                    Ok(false) => {
                        if !waiting_said {
                            tracing::info!(lease = %lease, "another instance reads this folder; standing by");
                            waiting_said = true;
                        }
                        if once {
                            tracing::warn!("another instance reads this folder: nothing to do (run --once)");
                            break 'outer;
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot take the intake lease; retrying"),
                }
                if sleep_or_cancel(&cancel, Duration::from_secs(2)).await {
                    break 'outer;
                }
            }
            if waiting_said {
                tracing::info!(lease = %lease, "took over the intake of this folder");
            }
            let session_cancel = cancel.child_token();
            let renewal = self.keep_lease(lease.clone(), session_cancel.clone());
            let result = self.session(&tx, &session_cancel, once).await;
            session_cancel.cancel();
            let lost = renewal.await.unwrap_or(false);
            if cancel.is_cancelled() {
                break;
            }
            if lost {
                tracing::warn!(lease = %lease, "lost the intake lease (another instance took over, or the store is unreachable)");
                continue;
            }
            match result {
                Ok(SessionEnd::Done) => break,
                Ok(SessionEnd::Renew) => {
                    tracing::debug!("imap: the session's OAuth2 token ran out; logging in again");
                    failures = 0;
                    self.was_ready = false;
                }
                Ok(SessionEnd::Stalled) if once => break,
                Ok(SessionEnd::Stalled) => {
                    // Check now and then whether an operator has reset the position.
                    if sleep_or_cancel(&cancel, Duration::from_secs(self.config.poll_interval_secs)).await {
                        break;
                    }
                    failures = 0;
                }
                Err(e) => {
                    // A session that got as far as working resets the backoff: the server
                    // is up, this is a new failure, not the same outage going on.
                    if std::mem::take(&mut self.was_ready) {
                        failures = 0;
                    }
                    failures += 1;
                    if once && failures >= 3 {
                        tracing::error!(error = %e, "imap: giving up (run --once)");
                        break;
                    }
                    let base = Duration::from_secs(1 << failures.min(8)).min(Duration::from_secs(300));
                    let jitter = rand::thread_rng().gen_range(0..=base.as_millis() as u64 / 2);
                    let wait = base + Duration::from_millis(jitter);
                    if matches!(e, ImapError::Token(_) | ImapError::TokenRefused { .. }) {
                        // Needs a person (a revoked secret, a missing permission): said loudly.
                        tracing::error!(error = %e, retry_in = ?wait, "imap: OAuth2 login failed; retrying");
                    } else {
                        tracing::warn!(error = %e, retry_in = ?wait, "imap session failed; reconnecting");
                    }
                    crate::health::imap_reconnected();
                    if sleep_or_cancel(&cancel, wait).await {
                        break;
                    }
                }
            }
        }
        let _ = self.store.release_lease(&lease, &self.holder).await;
        tracing::info!("imap intake stopped");
    }

    fn lease_secs(&self) -> i64 {
        i64::try_from(self.config.lease_secs).unwrap_or(15)
    }

    /// Renew the lease every third of its life while the session runs; if it cannot be
    /// renewed, end the session (`true`: the lease was lost). Ends with `session`.
    fn keep_lease(&self, lease: String, session: CancellationToken) -> tokio::task::JoinHandle<bool> {
        let store = self.store.clone();
        let holder = self.holder.clone();
        let secs = self.lease_secs();
        let every = Duration::from_millis(u64::try_from(secs).unwrap_or(15) * 1000 / 3);
        tokio::spawn(async move {
            loop {
                if sleep_or_cancel(&session, every).await {
                    return false;
                }
                match store.acquire_lease(&lease, &holder, secs).await {
                    Ok(true) => {}
                    Ok(false) | Err(_) => {
                        session.cancel();
                        return true;
                    }
                }
            }
        })
    }

    async fn session(&mut self, tx: &mpsc::Sender<Incoming>, cancel: &CancellationToken, once: bool) -> Result<SessionEnd, ImapError> {
        let (mut session, token_expires) = self.connect().await?;
        let timeout = self.timeout();
        let caps = with_timeout(timeout, session.capabilities()).await??;
        let can_move = caps.has_str("MOVE");
        let can_idle = caps.has_str("IDLE") && self.config.idle;
        let uidplus = caps.has_str("UIDPLUS");
        let mailbox = with_timeout(timeout, session.select(&self.config.folder)).await??;
        let uidvalidity = mailbox
            .uid_validity
            .ok_or_else(|| ImapError::Protocol(format!("{} has no UIDVALIDITY", self.config.folder)))?;
        let mut progress = Progress { uidvalidity, ..Progress::default() };
        match self.store.imap_position(&self.source).await? {
            None => self.store.set_imap_position(&self.source, uidvalidity, 0).await?,
            Some(p) if p.uidvalidity != uidvalidity => {
                let reason = format!(
                    "UIDVALIDITY of {} changed from {} to {}: the server renumbered the folder; automatic processing \
                     is stopped. Check the folder, then run `seatmail imap reset {}`",
                    self.config.folder, p.uidvalidity, uidvalidity, self.config.folder
                );
                if p.stalled.is_none() {
                    self.store.set_imap_stalled(&self.source, &reason).await?;
                }
                tracing::error!("{reason}");
                let _ = with_timeout(timeout, session.logout()).await;
                return Ok(SessionEnd::Stalled);
            }
            Some(p) => progress.watermark = p.last_uid,
        }
        progress.highest = progress.watermark;
        tracing::info!(folder = %self.config.folder, uidvalidity, last_uid = progress.watermark, idle = can_idle, "imap session ready");
        self.was_ready = true;

        loop {
            self.apply_moves(&mut session, &mut progress, can_move, uidplus).await?;
            let handed = self.fetch_new(&mut session, &mut progress, tx, cancel).await?;
            drain_unsolicited(&mut session);
            crate::health::imap_ok();
            if cancel.is_cancelled() {
                let _ = with_timeout(timeout, session.logout()).await;
                return Ok(SessionEnd::Done);
            }
            if once {
                if progress.pending.is_empty() && handed == 0 {
                    let _ = with_timeout(timeout, session.logout()).await;
                    return Ok(SessionEnd::Done);
                }
                // Wait for the processor to settle what it was handed.
                tokio::select! {
                    m = self.moves_rx.recv() => if let Some(m) = m { self.requeue(m) },
                    _ = cancel.cancelled() => {}
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
                continue;
            }
            // With OAuth2, wait no longer than the token lives: the server may end the session
            // when it runs out, and the intake would rather log in again itself.
            let until_expiry = token_expires.map(|t| t.saturating_duration_since(Instant::now()).max(Duration::from_secs(1)));
            if can_idle {
                let wait = Duration::from_secs(self.config.idle_timeout_secs).min(until_expiry.unwrap_or(Duration::MAX));
                session = self.idle(session, cancel, wait).await?;
            } else {
                let wait = Duration::from_secs(self.config.poll_interval_secs).min(until_expiry.unwrap_or(Duration::MAX));
                tokio::select! {
                    m = self.moves_rx.recv() => if let Some(m) = m { self.requeue(m) },
                    _ = cancel.cancelled() => {}
                    _ = tokio::time::sleep(wait) => {}
                }
            }
            if token_expires.is_some_and(|t| Instant::now() >= t) && !cancel.is_cancelled() {
                // Settle what was asked meanwhile with the old session, then log in anew.
                self.apply_moves(&mut session, &mut progress, can_move, uidplus).await?;
                let _ = with_timeout(timeout, session.logout()).await;
                return Ok(SessionEnd::Renew);
            }
        }
    }

    /// Put a move request back for `apply_moves` (it arrived while waiting).
    fn requeue(&self, m: MoveRequest) {
        let _ = self.moves_tx.send(m);
    }

    /// IDLE until the server reports something, a move is requested, the IDLE timeout passes,
    /// or shutdown. Returns the session, ready for commands.
    async fn idle(&mut self, session: Session<Stream>, cancel: &CancellationToken, timeout: Duration) -> Result<Session<Stream>, ImapError> {
        let mut handle = session.idle();
        with_timeout(self.timeout(), handle.init()).await??;
        let woke = {
            let (wait, stop) = handle.wait_with_timeout(timeout);
            tokio::pin!(wait);
            tokio::select! {
                r = &mut wait => { r?; "server" }
                m = self.moves_rx.recv() => { if let Some(m) = m { self.requeue(m) }; drop(stop); "move" }
                _ = cancel.cancelled() => { drop(stop); "shutdown" }
            }
        };
        tracing::trace!(woke, "idle ended");
        Ok(with_timeout(self.timeout(), handle.done()).await??)
    }

    /// Hand every mail above the watermark that is not already with the processor.
    async fn fetch_new(
        &mut self,
        session: &mut Session<Stream>,
        progress: &mut Progress,
        tx: &mpsc::Sender<Incoming>,
        cancel: &CancellationToken,
    ) -> Result<usize, ImapError> {
        let timeout = self.timeout();
        let from = progress.watermark.saturating_add(1);
        // First the sizes, so that an oversized mail is never read whole.
        let listing: Vec<(u32, u32)> = with_timeout(timeout, async {
            let mut out = Vec::new();
            let mut stream = session.uid_fetch(format!("{from}:*"), "(UID RFC822.SIZE)").await?;
            while let Some(f) = stream.next().await {
                let f = f?;
                if let Some(uid) = f.uid {
                    out.push((uid, f.size.unwrap_or(0)));
                }
            }
            Ok::<_, ImapError>(out)
        })
        .await??;
        let mut handed = 0;
        // `UID FETCH n:*` returns the last mail even when its UID is below n: filter.
        let mut todo: Vec<(u32, u32)> = listing.into_iter().filter(|(uid, _)| *uid >= from).collect();
        todo.sort();
        for (uid, size) in todo {
            let Some(guard) = InFlight::claim(&self.in_flight, &uid.to_string()) else { continue };
            let oversized = size as usize > self.max_bytes;
            let query = if oversized { "(UID INTERNALDATE BODY.PEEK[HEADER])" } else { "(UID INTERNALDATE BODY.PEEK[])" };
            crate::failpoint!("imap_before_fetch");
            let fetched = with_timeout(timeout, async {
                let mut stream = session.uid_fetch(uid.to_string(), query).await?;
                let mut found = None;
                while let Some(f) = stream.next().await {
                    let f = f?;
                    if f.uid == Some(uid) {
                        let raw = if oversized { f.header() } else { f.body() }.map(<[u8]>::to_vec);
                        let date = f.internal_date().map(|d| d.with_timezone(&chrono::Utc));
                        found = Some((raw, date));
                    }
                }
                Ok::<_, ImapError>(found)
            })
            .await??;
            let Some((Some(raw), date)) = fetched else {
                // Expunged meanwhile by someone else: nothing to do.
                continue;
            };
            crate::failpoint!("after_fetch_imap");
            progress.pending.insert(uid);
            progress.highest = progress.highest.max(uid);
            let incoming = Incoming {
                source: self.source.clone(),
                source_id: format!("{}/{uid}", progress.uidvalidity),
                raw,
                oversized,
                received_at: date.unwrap_or_else(chrono::Utc::now),
                ack: Ack::Imap { uid, uidvalidity: progress.uidvalidity, moves: self.moves_tx.clone() },
                _in_flight: guard,
            };
            tokio::select! {
                sent = tx.send(incoming) => if sent.is_err() { return Ok(handed) },
                _ = cancel.cancelled() => return Ok(handed),
            }
            handed += 1;
            // Keep moving while handing over a long backlog.
            self.apply_moves(session, progress, false, false).await.ok();
        }
        Ok(handed)
    }

    /// Carry out the moves the processor asked for, then advance the stored watermark.
    async fn apply_moves(
        &mut self,
        session: &mut Session<Stream>,
        progress: &mut Progress,
        can_move: bool,
        uidplus: bool,
    ) -> Result<(), ImapError> {
        let mut moved_any = false;
        while let Ok(m) = self.moves_rx.try_recv() {
            if m.uidvalidity != progress.uidvalidity {
                continue;
            }
            let folder = folder_for(&self.config.folders, m.state).to_string();
            crate::failpoint!("imap_before_move");
            self.move_one(session, m.uid, &folder, can_move, uidplus).await?;
            crate::failpoint!("imap_after_move");
            progress.settled(m.uid);
            moved_any = true;
            let how = match (can_move, uidplus) {
                (true, _) => "move",
                (false, true) => "copy+uid-expunge",
                (false, false) => "copy+expunge",
            };
            tracing::debug!(uid = m.uid, folder = %folder, how, "moved");
        }
        if moved_any {
            self.store.set_imap_position(&self.source, progress.uidvalidity, progress.watermark).await?;
        }
        Ok(())
    }

    async fn move_one(&self, session: &mut Session<Stream>, uid: u32, folder: &str, can_move: bool, uidplus: bool) -> Result<(), ImapError> {
        let timeout = self.timeout();
        // The folder may not exist yet: create it (an "already exists" NO is fine).
        let _ = with_timeout(timeout, session.create(folder)).await;
        let set = uid.to_string();
        if can_move {
            with_timeout(timeout, session.uid_mv(&set, folder)).await??;
        } else {
            with_timeout(timeout, session.uid_copy(&set, folder)).await??;
            with_timeout(timeout, async {
                let mut s = session.uid_store(&set, "+FLAGS.SILENT (\\Deleted)").await?;
                while let Some(r) = s.next().await {
                    r?;
                }
                Ok::<_, ImapError>(())
            })
            .await??;
            with_timeout(timeout, async {
                // UID EXPUNGE removes only this mail; plain EXPUNGE would also remove mail
                // someone else marked \Deleted, so without UIDPLUS it is the server's own
                // behaviour the reseller has chosen.
                if uidplus {
                    let mut s = std::pin::pin!(session.uid_expunge(&set).await?);
                    while let Some(r) = s.next().await {
                        r?;
                    }
                } else {
                    let mut s = std::pin::pin!(session.expunge().await?);
                    while let Some(r) = s.next().await {
                        r?;
                    }
                }
                Ok::<_, ImapError>(())
            })
            .await??;
        }
        Ok(())
    }
}

/// host:pid:random, so two instances (even on one host) never share a lease.
fn instance_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".into());
    format!("{host}:{}:{}", std::process::id(), &uuid::Uuid::new_v4().simple().to_string()[..8])
}

fn folder_for(folders: &OutcomeFolders, state: MessageState) -> &str {
    match state {
        MessageState::Applied => &folders.applied,
        MessageState::Rejected => &folders.rejected,
        MessageState::AwaitingApproval => &folders.awaiting_approval,
        MessageState::NeedsReview => &folders.needs_review,
        MessageState::Ignored => &folders.ignored,
    }
}

async fn read_greeting<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug>(client: &mut Client<T>) -> Result<(), ImapError> {
    match client.read_response().await {
        Some(Ok(r)) => match r.parsed() {
            Response::Data { status: Status::Ok | Status::PreAuth, .. } => Ok(()),
            other => Err(ImapError::Protocol(format!("unexpected greeting: {other:?}"))),
        },
        Some(Err(e)) => Err(ImapError::Protocol(format!("reading the greeting: {e}"))),
        None => Err(ImapError::Protocol("the server closed the connection before greeting".into())),
    }
}

fn drain_unsolicited(session: &mut Session<Stream>) {
    while session.unsolicited_responses.try_recv().is_ok() {}
}

async fn with_timeout<F: std::future::Future>(d: Duration, f: F) -> Result<F::Output, ImapError> {
    tokio::time::timeout(d, f).await.map_err(|_| ImapError::Timeout(d))
}

/// True when cancelled.
async fn sleep_or_cancel(cancel: &CancellationToken, d: Duration) -> bool {
    tokio::select! {
        _ = cancel.cancelled() => true,
        _ = tokio::time::sleep(d) => false,
    }
}

/// What happened during an OAuth2 SASL exchange.
#[derive(Clone, Default)]
struct SaslExchange {
    /// The server asked for the response (so it takes the mechanism).
    asked: bool,
    /// The server's error challenge (a JSON status), if it sent one.
    error: Option<String>,
}

/// XOAUTH2 / OAUTHBEARER: the token first; to an error challenge, the abort response.
struct OAuthSasl {
    initial: Option<String>,
    abort: &'static [u8],
    exchange: Arc<Mutex<SaslExchange>>,
}

impl async_imap::Authenticator for OAuthSasl {
    type Response = Vec<u8>;
    fn process(&mut self, challenge: &[u8]) -> Vec<u8> {
        match self.initial.take() {
            Some(first) => {
                if let Ok(mut x) = self.exchange.lock() {
                    x.asked = true;
                }
                first.into_bytes()
            }
            None => {
                if let Ok(mut x) = self.exchange.lock() {
                    x.error = crate::oauth::challenge_text(challenge);
                }
                self.abort.to_vec()
            }
        }
    }
}

/// Name the failure of an OAuth2 AUTHENTICATE: the mechanism not offered, the server unable to
/// check the token now, or the token refused (the mailbox permission).
fn oauth_refusal(user: &str, mechanism: &'static str, e: async_imap::error::Error, seen: SaslExchange) -> ImapError {
    use async_imap::error::Error;
    let message = match &e {
        Error::No(m) | Error::Bad(m) => server_text(m),
        _ => return ImapError::Protocol(format!("AUTHENTICATE {mechanism}: {e}")),
    };
    if !seen.asked {
        return ImapError::Auth {
            user: user.to_string(),
            message: format!("the server does not take AUTHENTICATE {mechanism}: {message} (intake.imap.oauth2.mechanism)"),
        };
    }
    if message.contains("UNAVAILABLE") || message.to_ascii_lowercase().contains("temporary") {
        return ImapError::Auth { user: user.to_string(), message: format!("the server cannot check the token now: {message}") };
    }
    let message = match seen.error {
        Some(detail) => format!("{message} (server said {detail})"),
        None => message,
    };
    ImapError::TokenRefused { user: user.to_string(), mechanism, message }
}

/// The server's words in async-imap's NO/BAD text (`code: None, info: Some("...")`).
fn server_text(m: &str) -> String {
    match m.split_once("info: Some(\"").and_then(|(_, rest)| rest.rsplit_once("\")")) {
        Some((info, _)) => info.replace("\\\"", "\""),
        None => m.trim().to_string(),
    }
}

struct PlainAuth {
    user: String,
    password: String,
}

impl async_imap::Authenticator for PlainAuth {
    type Response = Vec<u8>;
    fn process(&mut self, _challenge: &[u8]) -> Vec<u8> {
        format!("\0{}\0{}", self.user, self.password).into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::Progress;

    #[test]
    fn the_watermark_waits_for_the_oldest_unsettled_mail() {
        let mut p = Progress { watermark: 10, highest: 13, pending: [11, 12, 13].into(), ..Progress::default() };
        assert_eq!(p.settled(12), 10, "11 is still out");
        assert_eq!(p.settled(11), 12);
        assert_eq!(p.settled(13), 13);
    }
}
