//! Where answers go: the file outbox of the embedded default (one `.eml` per answer), or an
//! SMTP server.
//!
//! A delivery may be repeated (a crash between delivering and marking the row sent); the file
//! transport makes that harmless by naming the file after the answer's Message-ID and writing it
//! atomically (temporary file, fsync, rename), so a repeat replaces the file with the same bytes.

use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later (network, 4xx, a full disk).
    #[error("temporary failure: {0}")]
    Temporary(String),
    /// Will never work (5xx, a malformed recipient).
    #[error("permanent failure: {0}")]
    Permanent(String),
}

pub enum Transport {
    File(FileTransport),
    // Boxed: the SMTP transport carries its TLS set-up and connection slot.
    Smtp(Box<SmtpTransport>),
}

impl Transport {
    pub async fn send(&self, message_id: &str, recipients: &[String], body: &[u8]) -> Result<(), SendError> {
        match self {
            Transport::File(f) => f.send(message_id, recipients, body).await,
            Transport::Smtp(s) => s.send(recipients, body).await,
        }
    }

    /// How many answers may be on their way at once.
    pub fn parallel(&self) -> usize {
        match self {
            Transport::File(_) => 1,
            Transport::Smtp(s) => usize::try_from(s.config.connections).unwrap_or(1).max(1),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Transport::File(f) => format!("file outbox {}", f.dir.display()),
            Transport::Smtp(s) => format!("smtp {}:{}", s.config.host, s.config.port()),
        }
    }
}

pub struct FileTransport {
    dir: PathBuf,
}

impl FileTransport {
    pub fn new(dir: &Path) -> std::io::Result<FileTransport> {
        std::fs::create_dir_all(dir)?;
        Ok(FileTransport { dir: dir.to_path_buf() })
    }

    /// The file an answer is (or will be) written to.
    pub fn path_for(dir: &Path, message_id: &str) -> PathBuf {
        let safe: String =
            message_id.chars().map(|c| if c.is_ascii_alphanumeric() || "._-@".contains(c) { c } else { '_' }).collect();
        dir.join(format!("{safe}.eml"))
    }

    async fn send(&self, message_id: &str, recipients: &[String], body: &[u8]) -> Result<(), SendError> {
        let path = Self::path_for(&self.dir, message_id);
        let tmp = self.dir.join(format!(".{}.tmp", uuid::Uuid::new_v4().simple()));
        // The envelope goes in front as an X- header so that Bcc recipients are not lost.
        let mut data = format!("X-Seatmail-Envelope-To: {}\r\n", recipients.join(", ")).into_bytes();
        data.extend_from_slice(body);
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&data)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path).inspect_err(|_| {
                let _ = std::fs::remove_file(&tmp);
            })?;
            // Make the rename itself durable.
            std::fs::File::open(&dir).and_then(|d| d.sync_all())
        })
        .await
        .map_err(|e| SendError::Temporary(format!("writer task failed: {e}")))?
        .map_err(|e| SendError::Temporary(format!("cannot write to {}: {e}", self.dir.display())))
    }
}

pub use smtp::{SmtpLogin, SmtpTransport};

mod smtp {
    //! SMTP delivery with lettre's connection type over a socket seatmail opens itself: with
    //! TCP_NODELAY (lettre's own connect leaves Nagle on, which caps a connection at a few dozen
    //! messages a second) and TLS verified against the system's roots plus an optional CA file.
    //! `connections` connections are kept and used side by side while they live; any error drops
    //! the one it happened on.

    use std::io;
    use std::net::SocketAddr;
    use std::pin::Pin;
    use std::sync::Arc;
    use std::task::{Context, Poll};
    use std::time::Instant;

    use base64::Engine as _;
    use lettre::transport::smtp::authentication::{Credentials, Mechanism};
    use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, Certificate, TlsParameters};
    use lettre::transport::smtp::extension::ClientId;
    use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
    use tokio::net::TcpStream;
    use tokio_rustls::rustls;

    use super::SendError;
    use crate::config::{SmtpConfig, TlsMode};
    use crate::oauth::SaslMechanism;
    use crate::secret::Secret;
    use crate::oauth::{Token, TokenSource};

    /// How the transport logs in (`[outbox.smtp] auth`).
    pub enum SmtpLogin {
        None,
        Password(Secret),
        OAuth2(Arc<TokenSource>),
    }

    pub struct SmtpTransport {
        pub(super) config: SmtpConfig,
        login: SmtpLogin,
        from: lettre::Address,
        rustls: Arc<rustls::ClientConfig>,
        starttls: Option<TlsParameters>,
        hello: ClientId,
        /// The kept connections (`connections` of them), each with when the OAuth2 token it
        /// logged in with runs out and when it was last used.
        conns: Vec<tokio::sync::Mutex<Option<Kept>>>,
        next: std::sync::atomic::AtomicUsize,
    }

    struct Kept {
        conn: AsyncSmtpConnection,
        expires: Option<Instant>,
        used: Instant,
    }

    /// A connection used within this long is taken as alive without a NOOP (a round trip per
    /// answer); one that was in fact closed fails the send, which is retried.
    const FRESH: std::time::Duration = std::time::Duration::from_secs(2);

    /// One SMTP command line, written as is (lettre's `Auth` cannot carry OAUTHBEARER nor answer
    /// an error challenge).
    struct Line(String);

    impl std::fmt::Display for Line {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{}\r\n", self.0)
        }
    }

    /// Why an OAuth2 AUTH failed.
    enum OAuthFailure {
        /// 535: the server refused the token.
        Refused(String),
        Other(SendError),
    }

    /// A TLS socket lettre can drive (it only needs the peer address besides I/O).
    #[derive(Debug)]
    struct TlsSocket(tokio_rustls::client::TlsStream<TcpStream>);

    impl AsyncRead for TlsSocket {
        fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
            Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
        }
    }

    impl AsyncWrite for TlsSocket {
        fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
            Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
        }
        fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Pin::new(&mut self.get_mut().0).poll_flush(cx)
        }
        fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
        }
    }

    impl AsyncTokioStream for TlsSocket {
        fn peer_addr(&self) -> io::Result<SocketAddr> {
            self.0.get_ref().0.peer_addr()
        }
    }

    fn temporary(context: &str, e: impl std::fmt::Display) -> SendError {
        SendError::Temporary(format!("{context}: {e}"))
    }

    impl SmtpTransport {
        pub fn new(config: SmtpConfig, login: SmtpLogin, from: &str) -> Result<SmtpTransport, String> {
            let rustls = crate::tls::client_config(config.ca_file.as_deref()).map_err(|e| e.to_string())?;
            let starttls = if config.tls == TlsMode::Starttls {
                let mut builder = TlsParameters::builder(config.host.clone());
                if let Some(ca) = &config.ca_file {
                    let pem = std::fs::read(ca).map_err(|e| format!("{}: {e}", ca.display()))?;
                    builder = builder.add_root_certificate(Certificate::from_pem(&pem).map_err(|e| e.to_string())?);
                }
                Some(builder.build_rustls().map_err(|e| e.to_string())?)
            } else {
                None
            };
            let hello = match &config.hello_name {
                Some(h) => ClientId::Domain(h.clone()),
                None => ClientId::default(),
            };
            let from = from.parse().map_err(|e| format!("answers.from: {e}"))?;
            let conns = (0..config.connections.max(1)).map(|_| tokio::sync::Mutex::new(None)).collect();
            Ok(SmtpTransport { config, login, from, rustls, starttls, hello, conns, next: Default::default() })
        }

        /// Connect and log in (as `auth` says), then QUIT: `check-config --connect`.
        pub async fn check(&self) -> Result<(), String> {
            let timeout = std::time::Duration::from_secs(self.config.timeout_secs);
            let (mut conn, _) = match tokio::time::timeout(timeout, self.connect()).await {
                Ok(Ok(c)) => c,
                Ok(Err(SendError::Temporary(e) | SendError::Permanent(e))) => return Err(e),
                Err(_) => return Err(format!("no answer from {} within {timeout:?}", self.addr())),
            };
            let _ = tokio::time::timeout(timeout, conn.quit()).await;
            Ok(())
        }

        fn addr(&self) -> String {
            format!("{}:{}", self.config.host, self.config.port())
        }

        /// A connection, logged in: the token first (its own errors), then the server; a cached
        /// token the server refuses is dropped and a new one tried once.
        async fn connect(&self) -> Result<(AsyncSmtpConnection, Option<Instant>), SendError> {
            let source = match &self.login {
                SmtpLogin::None => return Ok((self.open().await?, None)),
                SmtpLogin::Password(password) => {
                    let mut conn = self.open().await?;
                    let user = self.config.user.clone().unwrap_or_default();
                    let credentials = Credentials::new(user.clone(), password.expose().to_string());
                    conn.auth(&[Mechanism::Plain, Mechanism::Login], &credentials)
                        .await
                        .map_err(|e| temporary(&format!("login as {user} at {}", self.addr()), e))?;
                    return Ok((conn, None));
                }
                SmtpLogin::OAuth2(source) => source,
            };
            let token = source.token().await.map_err(|e| SendError::Temporary(e.to_string()))?;
            let mut conn = self.open().await?;
            match self.oauth_login(&mut conn, source.mechanism, &token).await {
                Ok(()) => return Ok((conn, Some(token.expires_at))),
                Err(OAuthFailure::Other(e)) => {
                    conn.abort().await;
                    return Err(e);
                }
                Err(OAuthFailure::Refused(message)) => {
                    conn.abort().await;
                    source.invalidate(&token).await;
                    if token.fresh {
                        return Err(self.refused(source.mechanism, &message));
                    }
                    tracing::info!(error = %message, "smtp: the server refused the cached OAuth2 token; fetching a new one");
                }
            }
            let token = source.token().await.map_err(|e| SendError::Temporary(e.to_string()))?;
            let mut conn = self.open().await?;
            match self.oauth_login(&mut conn, source.mechanism, &token).await {
                Ok(()) => Ok((conn, Some(token.expires_at))),
                Err(failure) => {
                    conn.abort().await;
                    Err(match failure {
                        OAuthFailure::Other(e) => e,
                        OAuthFailure::Refused(message) => {
                            source.invalidate(&token).await;
                            self.refused(source.mechanism, &message)
                        }
                    })
                }
            }
        }

        fn refused(&self, mechanism: SaslMechanism, message: &str) -> SendError {
            SendError::Temporary(format!(
                "mailbox permission: the SMTP server {} refused the OAuth2 token ({}) for {}: {message}; {}",
                self.addr(),
                crate::oauth::mechanism_name(mechanism),
                self.config.user.as_deref().unwrap_or(""),
                crate::oauth::refused_hint()
            ))
        }

        /// AUTH XOAUTH2 / OAUTHBEARER with an initial response. To an error challenge (334 with
        /// a JSON status) the abort response, then the server's final refusal.
        async fn oauth_login(&self, conn: &mut AsyncSmtpConnection, mechanism: SaslMechanism, token: &Token) -> Result<(), OAuthFailure> {
            let addr = self.addr();
            let name = crate::oauth::mechanism_name(mechanism);
            if mechanism == SaslMechanism::Xoauth2 && !conn.server_info().supports_auth_mechanism(Mechanism::Xoauth2) {
                return Err(OAuthFailure::Other(SendError::Temporary(format!(
                    "{addr} does not offer AUTH XOAUTH2 (is SMTP AUTH enabled for the mailbox? outbox.smtp.oauth2.mechanism)"
                ))));
            }
            let user = self.config.user.clone().unwrap_or_default();
            let b64 = base64::engine::general_purpose::STANDARD;
            let initial = crate::oauth::sasl_response(mechanism, &user, token, &self.config.host, self.config.port());
            let outcome = |r: Result<lettre::transport::smtp::response::Response, lettre::transport::smtp::Error>| match r {
                Ok(r) => Ok(r),
                Err(e) => {
                    let code = e.status().map(u16::from);
                    let text = e.to_string();
                    Err(match code {
                        Some(535) => OAuthFailure::Refused(text),
                        Some(504) => OAuthFailure::Other(SendError::Temporary(format!(
                            "{addr} does not take AUTH {name}: {text} (outbox.smtp.oauth2.mechanism)"
                        ))),
                        _ => OAuthFailure::Other(temporary(&format!("AUTH {name} as {user} at {addr}"), text)),
                    })
                }
            };
            let response = outcome(conn.command(Line(format!("AUTH {name} {}", b64.encode(initial)))).await)?;
            if response.has_code(235) {
                return Ok(());
            }
            if response.has_code(334) {
                let detail = response
                    .message()
                    .next()
                    .and_then(|m| b64.decode(m.trim()).ok())
                    .and_then(|c| crate::oauth::challenge_text(&c));
                let abort = b64.encode(crate::oauth::sasl_abort(mechanism));
                let last = outcome(conn.command(Line(abort)).await);
                let message = match last {
                    Err(OAuthFailure::Refused(m)) => m,
                    Err(other) => return Err(other),
                    Ok(r) => format!("unexpected answer {} to the aborted exchange", r.code()),
                };
                return Err(OAuthFailure::Refused(match detail {
                    Some(d) => format!("{message} (server said {d})"),
                    None => message,
                }));
            }
            Err(OAuthFailure::Other(SendError::Temporary(format!("unexpected answer {} to AUTH {name} at {addr}", response.code()))))
        }

        /// TCP (+ TLS), greeting, EHLO (+ STARTTLS): ready for AUTH or MAIL.
        async fn open(&self) -> Result<AsyncSmtpConnection, SendError> {
            let c = &self.config;
            let addr = format!("{}:{}", c.host, c.port());
            let tcp = TcpStream::connect(&addr).await.map_err(|e| temporary(&format!("connecting to {addr}"), e))?;
            tcp.set_nodelay(true).map_err(|e| temporary("TCP_NODELAY", e))?;
            let mut conn = match c.tls {
                TlsMode::Implicit => {
                    let name = rustls::pki_types::ServerName::try_from(c.host.clone()).map_err(|e| temporary("server name", e))?;
                    let tls = tokio_rustls::TlsConnector::from(self.rustls.clone())
                        .connect(name, tcp)
                        .await
                        .map_err(|e| temporary(&format!("TLS with {addr}"), e))?;
                    AsyncSmtpConnection::connect_with_transport(Box::new(TlsSocket(tls)), &self.hello)
                        .await
                        .map_err(|e| temporary(&format!("greeting from {addr}"), e))?
                }
                TlsMode::Starttls | TlsMode::None => AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello)
                    .await
                    .map_err(|e| temporary(&format!("greeting from {addr}"), e))?,
            };
            if let Some(params) = &self.starttls {
                // Required: a server that does not offer STARTTLS gets nothing in clear text.
                if !conn.can_starttls() {
                    return Err(SendError::Temporary(format!("{addr} does not offer STARTTLS, which outbox.smtp.tls requires")));
                }
                conn.starttls(params.clone(), &self.hello).await.map_err(|e| temporary(&format!("STARTTLS with {addr}"), e))?;
            }
            Ok(conn)
        }

        pub(super) async fn send(&self, recipients: &[String], body: &[u8]) -> Result<(), SendError> {
            let to = recipients
                .iter()
                .map(|r| r.parse::<lettre::Address>().map_err(|e| SendError::Permanent(format!("recipient {r}: {e}"))))
                .collect::<Result<Vec<_>, _>>()?;
            let envelope = lettre::address::Envelope::new(Some(self.from.clone()), to)
                .map_err(|e| SendError::Permanent(format!("envelope: {e}")))?;
            // A free connection if there is one, else wait for the next in turn.
            let mut slot = match self.conns.iter().find_map(|c| c.try_lock().ok()) {
                Some(slot) => slot,
                None => {
                    let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    self.conns[n % self.conns.len()].lock().await
                }
            };
            // Taken out while in use: if this future is dropped (the caller's timeout), the
            // connection goes with it instead of being reused in an unknown state.
            let (mut conn, expires) = match slot.take() {
                // A connection whose OAuth2 token ran out is not reused: the server may drop it.
                Some(Kept { mut conn, expires, used }) if expires.is_none_or(|t| Instant::now() < t) => {
                    if !conn.has_broken() && (used.elapsed() < FRESH || conn.test_connected().await) {
                        (conn, expires)
                    } else {
                        self.connect().await?
                    }
                }
                Some(Kept { mut conn, .. }) => {
                    let _ = conn.quit().await;
                    self.connect().await?
                }
                None => self.connect().await?,
            };
            match conn.send(&envelope, body).await {
                Ok(_) => {
                    *slot = Some(Kept { conn, expires, used: Instant::now() });
                    Ok(())
                }
                Err(e) => {
                    conn.abort().await;
                    if e.is_permanent() {
                        Err(SendError::Permanent(e.to_string()))
                    } else {
                        Err(SendError::Temporary(e.to_string()))
                    }
                }
            }
        }
    }
}
