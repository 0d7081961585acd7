//! `[intake]`: where mail comes from — a Maildir, or an IMAP folder — and where each mail goes
//! once its outcome is recorded.

use std::path::PathBuf;

use serde::Deserialize;

use super::error::{at_least, invalid, needed, ConfigError};
use super::server::{check_oauth2, check_server, TlsMode};
use crate::oauth::OAuth2Config;
use crate::secret::{Secret, SecretSource};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IntakeKind {
    Maildir,
    Imap,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeConfig {
    #[serde(default = "default_intake_kind")]
    pub kind: IntakeKind,
    #[serde(default)]
    pub maildir: MaildirConfig,
    #[serde(default)]
    pub imap: Option<ImapConfig>,
}

fn default_intake_kind() -> IntakeKind {
    IntakeKind::Maildir
}

impl Default for IntakeConfig {
    fn default() -> Self {
        IntakeConfig { kind: IntakeKind::Maildir, maildir: MaildirConfig::default(), imap: None }
    }
}

impl IntakeConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        at_least("intake.maildir", 1, &[("poll_interval_secs", self.maildir.poll_interval_secs.into())])?;
        needed(self.kind == IntakeKind::Imap, self.imap.as_ref(), "intake.imap", "intake.kind = \"imap\"", ImapConfig::validate)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaildirConfig {
    /// The Maildir root: mail is read from `new/` (and `cur/`), then moved to a Maildir++
    /// subfolder per outcome (`.Processed`, ...).
    #[serde(default = "default_maildir")]
    pub path: PathBuf,
    /// How often the directory is scanned when nothing woke the intake.
    #[serde(default = "default_poll_secs")]
    pub poll_interval_secs: u64,
    #[serde(default)]
    pub folders: OutcomeFolders,
}

fn default_maildir() -> PathBuf {
    PathBuf::from("var/mail")
}

fn default_poll_secs() -> u64 {
    2
}

impl Default for MaildirConfig {
    fn default() -> Self {
        MaildirConfig { path: default_maildir(), poll_interval_secs: 2, folders: OutcomeFolders::default() }
    }
}

/// Where a processed mail goes, per outcome.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutcomeFolders {
    pub applied: String,
    pub rejected: String,
    pub awaiting_approval: String,
    pub needs_review: String,
    pub ignored: String,
}

impl Default for OutcomeFolders {
    fn default() -> Self {
        OutcomeFolders {
            applied: "Processed".into(),
            rejected: "Rejected".into(),
            awaiting_approval: "Approval".into(),
            needs_review: "Review".into(),
            ignored: "Ignored".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImapAuth {
    /// IMAP LOGIN.
    Login,
    /// AUTHENTICATE PLAIN (SASL).
    Plain,
    /// AUTHENTICATE XOAUTH2 or OAUTHBEARER with a token from `[intake.imap.oauth2]`.
    OAuth2,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImapConfig {
    pub host: String,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default = "default_imap_tls")]
    pub tls: TlsMode,
    /// Extra CA certificate (PEM) for a private server; the system's roots are trusted too.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    pub user: String,
    #[serde(default)]
    password: Option<Secret>,
    #[serde(default)]
    password_file: Option<PathBuf>,
    #[serde(default)]
    password_env: Option<String>,
    #[serde(default = "default_imap_auth")]
    pub auth: ImapAuth,
    /// With `auth = "oauth2"`: where the token comes from.
    #[serde(default)]
    pub oauth2: Option<OAuth2Config>,
    #[serde(default = "default_folder")]
    pub folder: String,
    /// Use IDLE when the server offers it; otherwise (or when false) poll.
    #[serde(default = "default_true")]
    pub idle: bool,
    /// IDLE is re-issued after this long (servers drop it after 30 minutes).
    #[serde(default = "default_idle_timeout")]
    pub idle_timeout_secs: u64,
    #[serde(default = "default_imap_poll")]
    pub poll_interval_secs: u64,
    /// While idling, also ask for new mail this often (0: never): for servers whose IDLE
    /// reports late (Cyrus without idled: every 60 s).
    #[serde(default)]
    pub idle_poll_secs: u64,
    #[serde(default = "default_connect_timeout")]
    pub timeout_secs: u64,
    /// A failing session is retried after this, doubling up to `reconnect_max_secs`.
    #[serde(default = "default_reconnect_base_ms")]
    pub reconnect_base_ms: u64,
    #[serde(default = "default_reconnect_max_secs")]
    pub reconnect_max_secs: u64,
    /// Several instances share the mailbox: one reads the folder, holding a lease it renews;
    /// another takes over within this many seconds of the holder's death.
    #[serde(default = "default_lease_secs")]
    pub lease_secs: u64,
    #[serde(default)]
    pub folders: OutcomeFolders,
}

fn default_lease_secs() -> u64 {
    15
}
fn default_reconnect_base_ms() -> u64 {
    1000
}
fn default_reconnect_max_secs() -> u64 {
    300
}

fn default_imap_tls() -> TlsMode {
    TlsMode::Implicit
}

fn default_imap_auth() -> ImapAuth {
    ImapAuth::Login
}

fn default_folder() -> String {
    "INBOX".into()
}

fn default_true() -> bool {
    true
}

fn default_idle_timeout() -> u64 {
    600
}

fn default_imap_poll() -> u64 {
    60
}

fn default_connect_timeout() -> u64 {
    30
}

impl ImapConfig {
    pub fn password(&self) -> SecretSource {
        SecretSource::password(self.password.clone(), self.password_file.clone(), self.password_env.clone())
    }

    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            TlsMode::Implicit => 993,
            TlsMode::Starttls | TlsMode::None => 143,
        })
    }
}

impl ImapConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        check_server("intake.imap", &self.host, self.tls, self.ca_file.as_deref())?;
        if self.user.is_empty() {
            return Err(invalid("intake.imap.user", "must not be empty"));
        }
        if !check_oauth2("intake.imap", self.auth == ImapAuth::OAuth2, self.oauth2.as_ref(), &self.password())? {
            self.password().resolve("intake.imap")?;
        }
        if self.folder.is_empty() {
            return Err(invalid("intake.imap.folder", "must not be empty"));
        }
        at_least("intake.imap", 3, &[("lease_secs", self.lease_secs.into())])?;
        at_least(
            "intake.imap",
            1,
            &[
                ("poll_interval_secs", self.poll_interval_secs.into()),
                ("idle_timeout_secs", self.idle_timeout_secs.into()),
                ("timeout_secs", self.timeout_secs.into()),
            ],
        )?;
        if self.idle_poll_secs > self.idle_timeout_secs {
            return Err(invalid("intake.imap.idle_poll_secs", "must not be longer than idle_timeout_secs (0: no poll within IDLE)"));
        }
        if self.reconnect_max_secs == 0 {
            return Err(invalid("intake.imap.reconnect_max_secs", "must be at least 1"));
        }
        if self.reconnect_base_ms < 10 || self.reconnect_base_ms > self.reconnect_max_secs * 1000 {
            return Err(invalid("intake.imap.reconnect_base_ms", "must be at least 10 and at most reconnect_max_secs in milliseconds"));
        }
        if self.idle_timeout_secs > 29 * 60 {
            return Err(invalid("intake.imap.idle_timeout_secs", "servers end IDLE after 30 minutes: use at most 1740"));
        }
        Ok(())
    }
}
