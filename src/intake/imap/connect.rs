//! Reaching the IMAP server: TCP, TLS (implicit or STARTTLS), the greeting and the login
//! (LOGIN, AUTHENTICATE PLAIN, or an OAuth2 token). A TLS mode that does not fit the port is
//! named as such, not left as a TLS library's "corrupt message".

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_imap::imap_proto::{Response, Status};
use async_imap::{Client, Session};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls;

use super::{with_timeout, ImapError, ImapLogin, Stream};
use crate::config::{ImapAuth, ImapConfig, TlsMode};
use crate::oauth::Token;

/// How long a server gets to greet before the intake suspects a TLS port.
const GREETING_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the probe that names a TLS mismatch may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

pub(super) struct Connector {
    pub config: ImapConfig,
    pub login: ImapLogin,
    tls: Arc<rustls::ClientConfig>,
}

impl Connector {
    pub fn new(config: ImapConfig, login: ImapLogin) -> Result<Connector, ImapError> {
        let tls = crate::tls::client_config(config.ca_file.as_deref())
            .map_err(|e| ImapError::Tls { host: config.host.clone(), message: e.to_string() })?;
        Ok(Connector { config, login, tls })
    }

    fn timeout(&self) -> Duration {
        Duration::from_secs(self.config.timeout_secs)
    }

    fn addr(&self) -> String {
        format!("{}:{}", self.config.host, self.config.port())
    }

    /// A logged-in session, and when its OAuth2 token runs out (the server may end the session
    /// then; the intake logs in again first).
    pub async fn connect(&self) -> Result<(Session<Stream>, Option<Instant>), ImapError> {
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
        let tcp = self.tcp().await?;
        // The probes that name a TLS mismatch run outside the bound: they have their own.
        match tokio::time::timeout(timeout, self.connect_inner(tcp, token)).await {
            Ok(Ok(session)) => Ok(session),
            Ok(Err(Failed::Error(e))) => Err(e),
            Ok(Err(Failed::NoTlsHandshake(e))) => Err(self.plain_port_or(e).await),
            Ok(Err(Failed::NoGreeting(e))) => Err(self.tls_port_or(e).await),
            Err(_) => Err(ImapError::Timeout(timeout)),
        }
    }

    /// A server that cannot be reached (refused, or no answer to the TCP handshake within the
    /// timeout) is a `Connect` error: at start, a clear error rather than a passing fault.
    async fn tcp(&self) -> Result<TcpStream, ImapError> {
        let addr = self.addr();
        let tcp = match tokio::time::timeout(self.timeout(), TcpStream::connect(&addr)).await {
            Ok(connected) => connected.map_err(|e| ImapError::Connect(format!("{addr}: {e}")))?,
            Err(_) => return Err(ImapError::Connect(format!("{addr}: no answer within {:?}", self.timeout()))),
        };
        tcp.set_nodelay(true)?;
        Ok(tcp)
    }

    async fn tls_wrap(&self, tcp: TcpStream) -> Result<Stream, ImapError> {
        let host = &self.config.host;
        let name = rustls::pki_types::ServerName::try_from(host.clone())
            .map_err(|e| ImapError::Tls { host: host.clone(), message: e.to_string() })?;
        let tls = tokio_rustls::TlsConnector::from(self.tls.clone())
            .connect(name, tcp)
            .await
            .map_err(|e| tls_failure(host, e))?;
        Ok(Box::new(tls))
    }

    async fn connect_inner(&self, tcp: TcpStream, token: Option<&Token>) -> Result<Session<Stream>, Failed> {
        let c = &self.config;
        let (stream, greeted) = match c.tls {
            TlsMode::Implicit => (self.tls_wrap(tcp).await.map_err(Failed::NoTlsHandshake)?, false),
            TlsMode::None => (Box::new(tcp) as Stream, false),
            TlsMode::Starttls => {
                let mut plain = Client::new(tcp);
                self.greeting(&mut plain).await.map_err(Failed::NoGreeting)?;
                plain
                    .run_command_and_check_ok("STARTTLS", None)
                    .await
                    .map_err(|e| ImapError::Tls { host: c.host.clone(), message: format!("STARTTLS refused: {e}") })?;
                (self.tls_wrap(plain.into_inner()).await?, true)
            }
        };
        let mut client = Client::new(stream);
        if !greeted {
            self.greeting(&mut client).await.map_err(|e| if c.tls == TlsMode::None { Failed::NoGreeting(e) } else { Failed::Error(e) })?;
        }
        Ok(self.login(client, token).await?)
    }

    async fn login(&self, client: Client<Stream>, token: Option<&Token>) -> Result<Session<Stream>, ImapError> {
        let c = &self.config;
        let auth_err = |e| login_failure(&c.user, e);
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

    async fn greeting<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug>(&self, client: &mut Client<T>) -> Result<(), ImapError> {
        // Within the whole connect's bound, so that a missing greeting is told as such.
        let wait = GREETING_TIMEOUT.min(self.timeout().mul_f32(0.8));
        match tokio::time::timeout(wait, client.read_response()).await {
            Err(_) => Err(ImapError::Protocol(format!("{} sent no greeting within {wait:?}", self.addr()))),
            Ok(Some(Ok(r))) => match r.parsed() {
                Response::Data { status: Status::Ok | Status::PreAuth, .. } => Ok(()),
                other => Err(ImapError::Protocol(format!("unexpected greeting: {other:?}"))),
            },
            Ok(Some(Err(e))) => Err(ImapError::Broken(format!("reading the greeting: {e}"))),
            Ok(None) => Err(ImapError::Broken("the server closed the connection before greeting".into())),
        }
    }

    /// `tls = "implicit"` failed: if the port greets in plain text, say so and quote it.
    async fn plain_port_or(&self, e: ImapError) -> ImapError {
        let probe = async {
            let tcp = self.tcp().await.ok()?;
            let mut line = String::new();
            tokio::io::BufReader::new(tcp).read_line(&mut line).await.ok()?;
            let line = line.trim().to_string();
            line.starts_with("* ").then_some(line)
        };
        match tokio::time::timeout(PROBE_TIMEOUT, probe).await {
            Ok(Some(greeting)) => ImapError::TlsMismatch {
                addr: self.addr(),
                message: format!(
                    "tls = \"implicit\" but the port answers in plain text ({}): it is a STARTTLS or plain port. \
                     Set tls = \"starttls\" for this port, or use the implicit-TLS port (usually 993)",
                    crate::cli::one_line(&greeting, 80)
                ),
            },
            _ => e,
        }
    }

    /// No greeting in plain text: if the port completes a TLS handshake, say so.
    async fn tls_port_or(&self, e: ImapError) -> ImapError {
        let probe = async { self.tls_wrap(self.tcp().await?).await };
        match tokio::time::timeout(PROBE_TIMEOUT, probe).await {
            Ok(Ok(_)) => ImapError::TlsMismatch {
                addr: self.addr(),
                message: format!(
                    "tls = \"{}\" but the port speaks TLS from the first byte (implicit TLS): set tls = \"implicit\" \
                     for this port, or use the STARTTLS port (usually 143)",
                    if self.config.tls == TlsMode::None { "none" } else { "starttls" }
                ),
            },
            _ => e,
        }
    }
}

/// Why a connection failed: most errors as they are; two that may mean the TLS mode does not
/// fit the port, for a probe to tell.
enum Failed {
    Error(ImapError),
    /// `tls = "implicit"` and the TLS handshake failed: perhaps a plain port.
    NoTlsHandshake(ImapError),
    /// No greeting in plain text: perhaps an implicit-TLS port.
    NoGreeting(ImapError),
}

impl From<ImapError> for Failed {
    fn from(e: ImapError) -> Self {
        Failed::Error(e)
    }
}

/// Log out, bounded: the server may be gone already.
pub(super) async fn logout(session: &mut Session<Stream>, timeout: Duration) {
    let _ = with_timeout(timeout, session.logout()).await;
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
        Error::No(m) | Error::Bad(m) => super::server_text(m),
        Error::Io(_) | Error::ConnectionLost => return e.into(),
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

/// Why LOGIN or AUTHENTICATE failed: a refusal only when the server said so (NO or BAD); a
/// connection that broke meanwhile is the network's passing fault, retried like any other.
fn login_failure(user: &str, e: async_imap::error::Error) -> ImapError {
    use async_imap::error::Error;
    match e {
        Error::No(_) | Error::Bad(_) => ImapError::Auth { user: user.to_string(), message: e.to_string() },
        e => e.into(),
    }
}

/// A TLS handshake cut short (EOF, reset) is a broken connection; anything else (a certificate
/// not trusted, a protocol mismatch) is about TLS itself.
fn tls_failure(host: &str, e: std::io::Error) -> ImapError {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe => {
            ImapError::Broken(format!("TLS handshake with {host}: {e}"))
        }
        _ => ImapError::Tls { host: host.to_string(), message: e.to_string() },
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
    use std::io::{Error as IoError, ErrorKind};

    use async_imap::error::Error;

    use super::{login_failure, tls_failure, ImapError};

    #[test]
    fn only_the_servers_no_or_bad_to_a_login_is_a_refusal() {
        let no = login_failure("u", Error::No("[AUTHENTICATIONFAILED] Authentication failed.".into()));
        assert!(matches!(no, ImapError::Auth { .. }) && !no.transient(), "{no}");
        assert!(matches!(login_failure("u", Error::Bad("syntax".into())), ImapError::Auth { .. }));
        let cut = IoError::new(ErrorKind::UnexpectedEof, "peer closed connection without sending TLS close_notify");
        for e in [login_failure("u", Error::Io(cut)), login_failure("u", Error::ConnectionLost)] {
            assert!(e.transient(), "a connection cut during LOGIN is retried: {e}");
            assert!(!e.to_string().contains("refused"), "{e}");
        }
    }

    #[test]
    fn a_tls_handshake_cut_short_is_a_broken_connection_not_a_tls_problem() {
        let eof = tls_failure("h", IoError::new(ErrorKind::UnexpectedEof, "tls handshake eof"));
        assert!(eof.transient(), "{eof}");
        let untrusted = tls_failure("h", IoError::new(ErrorKind::InvalidData, "invalid peer certificate: UnknownIssuer"));
        assert!(matches!(untrusted, ImapError::Tls { .. }) && !untrusted.transient(), "{untrusted}");
    }
}
