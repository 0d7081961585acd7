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
    Smtp(SmtpTransport),
}

impl Transport {
    pub async fn send(&self, message_id: &str, recipients: &[String], body: &[u8]) -> Result<(), SendError> {
        match self {
            Transport::File(f) => f.send(message_id, recipients, body).await,
            Transport::Smtp(s) => s.send(recipients, body).await,
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

pub use smtp::SmtpTransport;

mod smtp {
    //! SMTP delivery with lettre's connection type over a socket seatmail opens itself: with
    //! TCP_NODELAY (lettre's own connect leaves Nagle on, which caps a connection at a few dozen
    //! messages a second) and TLS verified against the system's roots plus an optional CA file.
    //! One connection is kept and reused while it lives; any error drops it.

    use std::io;
    use std::net::SocketAddr;
    use std::pin::Pin;
    use std::sync::Arc;
    use std::task::{Context, Poll};

    use lettre::transport::smtp::authentication::{Credentials, Mechanism};
    use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, Certificate, TlsParameters};
    use lettre::transport::smtp::extension::ClientId;
    use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
    use tokio::net::TcpStream;
    use tokio_rustls::rustls;

    use super::SendError;
    use crate::config::{Secret, SmtpConfig, TlsMode};

    pub struct SmtpTransport {
        pub(super) config: SmtpConfig,
        password: Option<Secret>,
        from: lettre::Address,
        rustls: Arc<rustls::ClientConfig>,
        starttls: Option<TlsParameters>,
        hello: ClientId,
        conn: tokio::sync::Mutex<Option<AsyncSmtpConnection>>,
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
        pub fn new(config: SmtpConfig, password: Option<Secret>, from: &str) -> Result<SmtpTransport, String> {
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
            Ok(SmtpTransport { config, password, from, rustls, starttls, hello, conn: tokio::sync::Mutex::new(None) })
        }

        async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
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
            if let (Some(user), Some(password)) = (&c.user, &self.password) {
                let credentials = Credentials::new(user.clone(), password.expose().to_string());
                conn.auth(&[Mechanism::Plain, Mechanism::Login], &credentials)
                    .await
                    .map_err(|e| temporary(&format!("login as {user} at {addr}"), e))?;
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
            let mut slot = self.conn.lock().await;
            // Taken out while in use: if this future is dropped (the caller's timeout), the
            // connection goes with it instead of being reused in an unknown state.
            let mut conn = match slot.take() {
                Some(mut c) => {
                    if !c.has_broken() && c.test_connected().await {
                        c
                    } else {
                        self.connect().await?
                    }
                }
                None => self.connect().await?,
            };
            match conn.send(&envelope, body).await {
                Ok(_) => {
                    *slot = Some(conn);
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
