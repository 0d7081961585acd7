//! IMAP intake: one session per folder that fetches new mail, waits with IDLE (or polls), and
//! moves each mail to its outcome folder once the store has recorded that outcome.
//!
//! Positions: the store keeps the folder's UIDVALIDITY and a watermark `last_uid` below which
//! every mail has been settled (recorded and moved). After every wake-up the intake asks the
//! server for `UID last+1:*` itself rather than trusting IDLE's unsolicited responses (whose
//! channel is bounded and may drop). Mail is read with `BODY.PEEK[]`, so nothing is marked read
//! before it is processed. A crash between the commit and the move leaves the mail in the folder
//! above the watermark: it is fetched again, found by its key, and only moved. Mail another
//! client has marked `\Deleted` is left alone, and the watermark waits below it (it may be
//! undeleted).
//!
//! A UIDVALIDITY different from the stored one means the server renumbered the folder: automatic
//! processing of that folder stops, loudly, until an operator runs `seatmail imap reset`.
//!
//! Every session starts by asking the server where the folders are ([`folders`]); a folder the
//! server refuses fails the session with its name. The session is the one place IMAP commands
//! are issued: the processor asks for moves through a channel, and the intake interrupts IDLE to
//! carry them out ([`moves`]). Any error drops the session and reconnects with backoff
//! ([`backoff`]); while it fails, the store says so (`seatmail imap status`, the dashboard).

mod backoff;
mod connect;
mod fetch;
pub mod folders;
mod moves;
mod probe;

use std::collections::{BTreeSet, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_imap::Session;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use self::backoff::{Backoff, SessionHealth};
use self::connect::{logout, Connector};
use self::folders::Folders;
use self::moves::LeftMarked;
pub use self::probe::Probe;
use super::Incoming;
use crate::config::ImapConfig;
use crate::secret::Secret;
use crate::domain::MessageState;
use crate::oauth::TokenSource;
use crate::store::Store;

#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("cannot connect to {0}")]
    Connect(String),
    #[error("TLS with {host}: {message}")]
    Tls { host: String, message: String },
    /// The TLS mode does not fit the port (implicit TLS on a plain port, or the other way).
    #[error("{addr}: {message}")]
    TlsMismatch { addr: String, message: String },
    #[error("login as {user} refused: {message}")]
    Auth { user: String, message: String },
    /// The token endpoint failed (unreachable, not JSON, the grant refused).
    #[error(transparent)]
    Token(#[from] crate::oauth::OAuthError),
    /// The server refused a token the endpoint had just issued.
    #[error("mailbox permission: the IMAP server refused the OAuth2 token ({mechanism}) for {user}: {message}; {}", crate::oauth::refused_hint())]
    TokenRefused { user: String, mechanism: &'static str, message: String },
    /// One of seatmail's folders cannot be used: missing, refused, special-use, no right.
    #[error("folder \"{folder}\" ({key}) {message}")]
    Folder { folder: String, key: String, message: String },
    #[error("moving mail UID {uids} to \"{folder}\": {message}")]
    Move { uids: String, folder: String, message: String },
    #[error("IMAP: {0}")]
    Protocol(String),
    /// The connection broke: reset, closed without a goodbye, a TLS EOF.
    #[error("the connection broke: {0}")]
    Broken(String),
    #[error("no answer from the server within {0:?}")]
    Timeout(Duration),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl ImapError {
    /// A fault of the way to a server that works: the connection broke or stalled. Anything
    /// else needs a person (a refused login or folder, a TLS mode that does not fit the port,
    /// a server that cannot be reached at all).
    pub fn transient(&self) -> bool {
        matches!(self, ImapError::Broken(_) | ImapError::Timeout(_))
    }
}

impl From<async_imap::error::Error> for ImapError {
    fn from(e: async_imap::error::Error) -> Self {
        match e {
            async_imap::error::Error::Io(e) => e.into(),
            async_imap::error::Error::ConnectionLost => ImapError::Broken("connection lost".into()),
            e => ImapError::Protocol(e.to_string()),
        }
    }
}

impl From<std::io::Error> for ImapError {
    fn from(e: std::io::Error) -> Self {
        ImapError::Broken(e.to_string())
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

/// What the server offers that the intake uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct Caps {
    pub can_move: bool,
    pub uidplus: bool,
    pub idle: bool,
    pub namespace: bool,
    pub special_use: bool,
    pub list_extended: bool,
    pub acl: bool,
}

impl Caps {
    fn read(c: &async_imap::types::Capabilities) -> Caps {
        Caps {
            can_move: c.has_str("MOVE"),
            uidplus: c.has_str("UIDPLUS"),
            idle: c.has_str("IDLE"),
            namespace: c.has_str("NAMESPACE"),
            special_use: c.has_str("SPECIAL-USE"),
            list_extended: c.has_str("LIST-EXTENDED"),
            acl: c.has_str("ACL"),
        }
    }
}

pub struct ImapIntake {
    connector: Connector,
    store: Store,
    max_bytes: usize,
    /// The key's "source mailbox".
    source: String,
    in_flight: Arc<Mutex<HashSet<String>>>,
    moves_tx: mpsc::UnboundedSender<MoveRequest>,
    moves_rx: mpsc::UnboundedReceiver<MoveRequest>,
    /// Move requests taken off the channel and not yet carried out.
    queued: VecDeque<MoveRequest>,
    /// What the current session achieved (for the backoff).
    health: SessionHealth,
    left_marked: LeftMarked,
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
    /// Mail someone else marked `\Deleted`: not read, and the watermark stays below it.
    held: BTreeSet<u32>,
}

impl Progress {
    fn settled(&mut self, uid: u32) -> u32 {
        self.pending.remove(&uid);
        let floor = self.pending.first().into_iter().chain(self.held.first()).min();
        self.watermark = match floor {
            Some(first) => first.saturating_sub(1).max(self.watermark),
            None => self.highest.max(self.watermark),
        };
        self.watermark
    }
}

/// A session ready to work: logged in, folders checked, the intake folder selected.
struct Opened {
    session: Session<Stream>,
    token_expires: Option<Instant>,
    caps: Caps,
    folders: Folders,
    uidvalidity: u32,
    messages: u32,
}

impl ImapIntake {
    pub fn new(config: ImapConfig, login: ImapLogin, store: Store, max_bytes: usize) -> Result<ImapIntake, ImapError> {
        let (moves_tx, moves_rx) = mpsc::unbounded_channel();
        Ok(ImapIntake {
            source: format!("imap:{}", config.folder),
            connector: Connector::new(config, login)?,
            store,
            max_bytes,
            in_flight: Arc::default(),
            moves_tx,
            moves_rx,
            queued: VecDeque::new(),
            health: SessionHealth::default(),
            left_marked: LeftMarked::default(),
            holder: crate::instance::process_id().to_string(),
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    fn config(&self) -> &ImapConfig {
        &self.connector.config
    }

    /// The whole path once, then log out: log in, find the folders, create the missing outcome
    /// folders, select the intake folder. The start-up check, so that a wrong password, an
    /// unreachable server or a refused folder is a clear error before the daemon settles into
    /// retrying; and what `check-config --connect` reports.
    pub async fn check(&self) -> Result<Probe, ImapError> {
        let mut opened = self.open().await?;
        logout(&mut opened.session, self.timeout()).await;
        Ok(Probe { caps: opened.caps, folders: opened.folders, uidvalidity: opened.uidvalidity, messages: opened.messages })
    }

    fn timeout(&self) -> Duration {
        Duration::from_secs(self.config().timeout_secs)
    }

    async fn open(&self) -> Result<Opened, ImapError> {
        let (mut session, token_expires) = self.connector.connect().await?;
        let timeout = self.timeout();
        let ready = async {
            let caps = Caps::read(&with_timeout(timeout, session.capabilities()).await??);
            let folders = folders::prepare(&mut session, &caps, self.config(), timeout).await?;
            let intake = &folders.intake;
            let mailbox = with_timeout(timeout, session.select(&intake.wire)).await?.map_err(|e| match e {
                async_imap::error::Error::No(m) | async_imap::error::Error::Bad(m) => ImapError::Folder {
                    folder: intake.name.clone(),
                    key: intake.key.clone(),
                    message: format!("cannot be selected: the server answered \"{}\"", server_text(&m)),
                },
                e => e.into(),
            })?;
            let uidvalidity = mailbox
                .uid_validity
                .ok_or_else(|| ImapError::Protocol(format!("{} has no UIDVALIDITY", folders.intake.name)))?;
            Ok::<_, ImapError>((caps, folders, uidvalidity, mailbox.exists))
        }
        .await;
        match ready {
            Ok((caps, folders, uidvalidity, messages)) => Ok(Opened { session, token_expires, caps, folders, uidvalidity, messages }),
            Err(e) => {
                logout(&mut session, timeout).await;
                Err(e)
            }
        }
    }

    /// Run until cancelled (or, with `once`, until what is waiting has been handed over and
    /// settled). Errors are logged and the session is re-established with backoff.
    pub async fn run(mut self, tx: mpsc::Sender<Incoming>, cancel: CancellationToken, once: bool) {
        let c = self.config();
        tracing::info!(server = %format!("{}:{}", c.host, c.port()), folder = %c.folder, holder = %self.holder, "imap intake started");
        let lease = format!("intake:{}", self.source);
        let mut backoff = Backoff::new(Duration::from_millis(c.reconnect_base_ms), Duration::from_secs(c.reconnect_max_secs));
        loop {
            if cancel.is_cancelled() || !self.take_lease(&lease, &cancel, once).await {
                break;
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
            let health = std::mem::take(&mut self.health);
            match result {
                Ok(SessionEnd::Done) => break,
                Ok(SessionEnd::Renew) => {
                    tracing::debug!("imap: the session's OAuth2 token ran out; logging in again");
                    backoff.reset();
                }
                Ok(SessionEnd::Stalled) if once => break,
                Ok(SessionEnd::Stalled) => {
                    // Check now and then whether an operator has reset the position.
                    if sleep_or_cancel(&cancel, Duration::from_secs(self.config().poll_interval_secs)).await {
                        break;
                    }
                    backoff.reset();
                }
                Err(e) => {
                    if health.healthy() {
                        // It worked for a while: a new failure, not the same one going on.
                        backoff.reset();
                    }
                    let wait = backoff.failed();
                    if once && backoff.failures >= 3 {
                        tracing::error!(error = %e, "imap: giving up (run --once)");
                        break;
                    }
                    self.record_failure(&e, &backoff, wait).await;
                    if sleep_or_cancel(&cancel, wait).await {
                        break;
                    }
                }
            }
        }
        let _ = self.store.release_lease(&lease, &self.holder).await;
        tracing::info!("imap intake stopped");
    }

    /// Log the failure, and say in the store and the metrics that the intake is failing.
    async fn record_failure(&self, e: &ImapError, backoff: &Backoff, wait: Duration) {
        let failures = backoff.failures;
        if matches!(e, ImapError::Token(_) | ImapError::TokenRefused { .. }) {
            // Needs a person (a revoked secret, a missing permission): said loudly.
            tracing::error!(error = %e, failures, retry_in = ?wait, "imap: OAuth2 login failed; retrying");
        } else {
            tracing::warn!(error = %e, failures, retry_in = ?wait, "imap session failed; reconnecting");
        }
        crate::health::imap_reconnected();
        crate::health::imap_failing(failures);
        let now = chrono::Utc::now();
        let retry_at = now + chrono::Duration::from_std(wait).unwrap_or_default();
        let since = backoff.since.unwrap_or(now);
        if let Err(se) = self.store.set_imap_failing(&self.source, failures, &e.to_string(), since, retry_at).await {
            tracing::debug!(error = %se, "cannot record the failing intake in the store");
        }
    }

    /// Wait for the intake lease; false when cancelled (or, with `once`, when another holds it).
    async fn take_lease(&self, lease: &str, cancel: &CancellationToken, once: bool) -> bool {
        // One instance reads a folder at a time: another instance holds the lease while alive;
        // it runs out within lease_secs when that one dies.
        let mut waiting_said = false;
        loop {
            match self.store.acquire_lease(lease, &self.holder, self.lease_secs()).await {
                Ok(true) => {
                    if waiting_said {
                        tracing::info!(lease = %lease, "took over the intake of this folder");
                    }
                    return true;
                }
                Ok(false) => {
                    if !waiting_said {
                        tracing::info!(lease = %lease, "another instance reads this folder; standing by");
                        waiting_said = true;
                    }
                    if once {
                        tracing::warn!("another instance reads this folder: nothing to do (run --once)");
                        return false;
                    }
                }
                Err(e) => tracing::warn!(error = %e, "cannot take the intake lease; retrying"),
            }
            if sleep_or_cancel(cancel, Duration::from_secs(2)).await {
                return false;
            }
        }
    }

    fn lease_secs(&self) -> i64 {
        i64::try_from(self.config().lease_secs).unwrap_or(15)
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

    /// The stored position for this UIDVALIDITY, or None when the folder was renumbered (the
    /// position is then marked stalled).
    async fn position(&self, uidvalidity: u32) -> Result<Option<Progress>, ImapError> {
        let mut progress = Progress { uidvalidity, ..Progress::default() };
        match self.store.imap_position(&self.source).await? {
            None => self.store.set_imap_position(&self.source, uidvalidity, 0).await?,
            Some(p) if p.uidvalidity != uidvalidity => {
                let folder = &self.config().folder;
                let reason = format!(
                    "UIDVALIDITY of {folder} changed from {} to {uidvalidity}: the server renumbered the folder; automatic \
                     processing is stopped. Check the folder, then run `seatmail imap reset {folder}`",
                    p.uidvalidity
                );
                if p.stalled.is_none() {
                    self.store.set_imap_stalled(&self.source, &reason).await?;
                }
                tracing::error!("{reason}");
                return Ok(None);
            }
            Some(p) => progress.watermark = p.last_uid,
        }
        progress.highest = progress.watermark;
        Ok(Some(progress))
    }

    async fn session(&mut self, tx: &mpsc::Sender<Incoming>, cancel: &CancellationToken, once: bool) -> Result<SessionEnd, ImapError> {
        let Opened { mut session, token_expires, caps, folders, uidvalidity, .. } = self.open().await?;
        let timeout = self.timeout();
        // The path to the folder works again (whatever its position says next).
        self.health.ready_at = Some(Instant::now());
        crate::health::imap_failing(0);
        if let Err(e) = self.store.clear_imap_failing(&self.source).await {
            tracing::debug!(error = %e, "cannot clear the failing intake in the store");
        }
        let Some(mut progress) = self.position(uidvalidity).await? else {
            logout(&mut session, timeout).await;
            return Ok(SessionEnd::Stalled);
        };
        let can_idle = caps.idle && self.config().idle;
        tracing::info!(folder = %folders.intake.name, uidvalidity, last_uid = progress.watermark, idle = can_idle, "imap session ready");
        let work = Work { caps, folders };
        loop {
            self.apply_moves(&mut session, &mut progress, &work).await?;
            let handed = self.fetch_new(&mut session, &mut progress, &work, tx, cancel).await?;
            drain_unsolicited(&mut session);
            crate::health::imap_ok();
            if cancel.is_cancelled() {
                logout(&mut session, timeout).await;
                return Ok(SessionEnd::Done);
            }
            // Moves taken off the channel while reading: carry them out before waiting.
            if !self.queued.is_empty() {
                continue;
            }
            if once {
                if progress.pending.is_empty() && handed == 0 {
                    logout(&mut session, timeout).await;
                    return Ok(SessionEnd::Done);
                }
                // Wait for the processor to settle what it was handed.
                self.wait_for_move(cancel, Duration::from_secs(1)).await;
                continue;
            }
            // With OAuth2, wait no longer than the token lives: the server may end the session
            // when it runs out, and the intake would rather log in again itself.
            let until_expiry = token_expires.map(|t| t.saturating_duration_since(Instant::now()).max(Duration::from_secs(1)));
            let c = self.config();
            if can_idle {
                // The fallback poll: a server whose IDLE reports late (Cyrus without idled) is
                // asked anyway, every idle_poll_secs.
                let poll = Some(c.idle_poll_secs).filter(|s| *s > 0).map(Duration::from_secs);
                let wait = [Some(Duration::from_secs(c.idle_timeout_secs)), poll, until_expiry].into_iter().flatten().min();
                session = self.idle(session, cancel, wait.unwrap_or(Duration::from_secs(c.idle_timeout_secs))).await?;
            } else {
                let wait = Duration::from_secs(c.poll_interval_secs).min(until_expiry.unwrap_or(Duration::MAX));
                self.wait_for_move(cancel, wait).await;
            }
            if token_expires.is_some_and(|t| Instant::now() >= t) && !cancel.is_cancelled() {
                // Settle what was asked meanwhile with the old session, then log in anew.
                self.apply_moves(&mut session, &mut progress, &work).await?;
                logout(&mut session, timeout).await;
                return Ok(SessionEnd::Renew);
            }
        }
    }

    /// Wait until a move is asked for, `wait` passes, or shutdown.
    async fn wait_for_move(&mut self, cancel: &CancellationToken, wait: Duration) {
        tokio::select! {
            m = self.moves_rx.recv() => if let Some(m) = m { self.requeue(m) },
            _ = cancel.cancelled() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }

    /// Keep a move request for `apply_moves` (it arrived while waiting).
    fn requeue(&mut self, m: MoveRequest) {
        self.queued.push_back(m);
    }

    /// IDLE until the server reports something, a move is requested, `timeout` passes, or
    /// shutdown. Returns the session, ready for commands.
    async fn idle(&mut self, session: Session<Stream>, cancel: &CancellationToken, timeout: Duration) -> Result<Session<Stream>, ImapError> {
        let mut handle = session.idle();
        with_timeout(self.timeout(), handle.init()).await??;
        let woke = {
            let (wait, stop) = handle.wait_with_timeout(timeout);
            tokio::pin!(wait);
            tokio::select! {
                r = &mut wait => { r?; "server or timeout" }
                m = self.moves_rx.recv() => { if let Some(m) = m { self.requeue(m) }; drop(stop); "move" }
                _ = cancel.cancelled() => { drop(stop); "shutdown" }
            }
        };
        tracing::trace!(woke, "idle ended");
        Ok(with_timeout(self.timeout(), handle.done()).await??)
    }
}

/// What a working session knows about its server.
struct Work {
    caps: Caps,
    folders: Folders,
}

/// host:pid:random, so two instances (even on one host) never share a lease.
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

/// The server's words in async-imap's NO/BAD text (`code: None, info: Some("...")`).
fn server_text(m: &str) -> String {
    match m.split_once("info: Some(\"").and_then(|(_, rest)| rest.rsplit_once("\")")) {
        Some((info, _)) => info.replace("\\\"", "\""),
        None => m.trim().to_string(),
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

    #[test]
    fn the_watermark_stays_below_mail_someone_else_marked_deleted() {
        let mut p = Progress { watermark: 0, highest: 3, pending: [1, 3].into(), held: [2].into(), ..Progress::default() };
        assert_eq!(p.settled(1), 1);
        assert_eq!(p.settled(3), 1, "2 may be undeleted: it must be listed again");
        p.held.clear();
        p.pending.insert(4);
        p.highest = 4;
        assert_eq!(p.settled(4), 4);
    }
}
