//! `[outbox]`: where answers go — `.eml` files, or an SMTP server — and how often a failed
//! delivery is tried again.

use std::path::PathBuf;

use serde::Deserialize;

use super::error::{at_least, invalid, needed, ConfigError};
use super::server::{check_oauth2, check_server, TlsMode};
use crate::oauth::OAuth2Config;
use crate::secret::{Secret, SecretSource};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutboxKind {
    File,
    Smtp,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxConfig {
    #[serde(default = "default_outbox_kind")]
    pub kind: OutboxKind,
    #[serde(default)]
    pub file: FileOutboxConfig,
    #[serde(default)]
    pub smtp: Option<SmtpConfig>,
    /// Attempts before an answer is declared dead.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// First retry delay; doubles per attempt.
    #[serde(default = "default_retry_base")]
    pub retry_base_secs: u64,
}

fn default_outbox_kind() -> OutboxKind {
    OutboxKind::File
}

fn default_max_attempts() -> u32 {
    8
}

fn default_retry_base() -> u64 {
    30
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            kind: OutboxKind::File,
            file: FileOutboxConfig::default(),
            smtp: None,
            max_attempts: default_max_attempts(),
            retry_base_secs: default_retry_base(),
        }
    }
}

impl OutboxConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        at_least("outbox", 1, &[("max_attempts", self.max_attempts.into())])?;
        needed(self.kind == OutboxKind::Smtp, self.smtp.as_ref(), "outbox.smtp", "outbox.kind = \"smtp\"", SmtpConfig::validate)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileOutboxConfig {
    #[serde(default = "default_outbox_dir")]
    pub dir: PathBuf,
}

fn default_outbox_dir() -> PathBuf {
    PathBuf::from("var/outbox")
}

impl Default for FileOutboxConfig {
    fn default() -> Self {
        FileOutboxConfig { dir: default_outbox_dir() }
    }
}

/// How seatmail logs in to the SMTP server (`[outbox.smtp] auth`). Without it: `password`
/// when a `user` is set, else `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpAuth {
    /// No AUTH (a relay that trusts us by address).
    None,
    /// AUTH PLAIN or LOGIN with `user` and a password.
    Password,
    /// AUTH XOAUTH2 or OAUTHBEARER with a token from `[outbox.smtp.oauth2]`.
    OAuth2,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default = "default_smtp_tls")]
    pub tls: TlsMode,
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Without a user, no AUTH is attempted.
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    password: Option<Secret>,
    #[serde(default)]
    password_file: Option<PathBuf>,
    #[serde(default)]
    password_env: Option<String>,
    /// `password`, `oauth2` or `none`; `password` when a user is set, else `none`.
    #[serde(default)]
    auth: Option<SmtpAuth>,
    /// With `auth = "oauth2"`: where the token comes from.
    #[serde(default)]
    pub oauth2: Option<OAuth2Config>,
    /// Name sent in EHLO; the local host name when absent.
    #[serde(default)]
    pub hello_name: Option<String>,
    /// One whole delivery (connect, TLS, AUTH, the message) must finish within this.
    #[serde(default = "default_smtp_timeout")]
    pub timeout_secs: u64,
    /// SMTP connections kept open and used side by side: answers go out this many at a time.
    #[serde(default = "default_smtp_connections")]
    pub connections: u32,
}

fn default_smtp_connections() -> u32 {
    3
}

fn default_smtp_tls() -> TlsMode {
    TlsMode::Starttls
}

fn default_smtp_timeout() -> u64 {
    60
}

impl SmtpConfig {
    pub fn auth(&self) -> SmtpAuth {
        match (self.auth, &self.user) {
            (Some(a), _) => a,
            (None, Some(_)) => SmtpAuth::Password,
            (None, None) => SmtpAuth::None,
        }
    }

    pub fn password(&self) -> SecretSource {
        SecretSource::password(self.password.clone(), self.password_file.clone(), self.password_env.clone())
    }

    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            TlsMode::Implicit => 465,
            TlsMode::Starttls => 587,
            TlsMode::None => 25,
        })
    }
}

impl SmtpConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        check_server("outbox.smtp", &self.host, self.tls, self.ca_file.as_deref())?;
        let auth = self.auth();
        if auth == SmtpAuth::OAuth2 && self.oauth2.is_some() && self.user.as_deref().unwrap_or("").is_empty() {
            return Err(invalid("outbox.smtp.user", "auth = \"oauth2\" needs the mailbox as user"));
        }
        if check_oauth2("outbox.smtp", auth == SmtpAuth::OAuth2, self.oauth2.as_ref(), &self.password())? {
            return at_least("outbox.smtp", 1, &[("timeout_secs", self.timeout_secs.into()), ("connections", self.connections.into())]);
        }
        match (auth, &self.user) {
            (SmtpAuth::Password, None) => return Err(invalid("outbox.smtp.user", "auth = \"password\" needs a user")),
            (SmtpAuth::Password, Some(_)) => {
                self.password().resolve("outbox.smtp")?;
            }
            (_, None) if self.password().is_set() => return Err(invalid("outbox.smtp.user", "a password is set but no user")),
            (_, Some(_)) if self.password().is_set() => {
                return Err(invalid("outbox.smtp.password", "not used with auth = \"none\""))
            }
            _ => {}
        }
        at_least("outbox.smtp", 1, &[("timeout_secs", self.timeout_secs.into()), ("connections", self.connections.into())])
    }
}
