//! The one typed configuration, loaded once at start.
//!
//! A TOML file (default `$SEATMAIL_CONFIG`, then `config/seatmail.toml`) with environment
//! overrides: `SEATMAIL_SECTION__KEY=value` sets `[section] key` (double underscore between
//! levels, so keys may keep their single underscores: `SEATMAIL_POLICY__APPROVAL_THRESHOLD=50`).
//! Everything is checked before any worker starts, and every error names the key that is wrong.
//! Variables without a `__` (`SEATMAIL_CONFIG`, `SEATMAIL_LOG`) are not overrides.
//! Relative paths are taken relative to the working directory.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::parse::{Catalog, Language, Limits};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("config file {path}: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error("config key `{key}`: {message}")]
    Invalid { key: String, message: String },
    #[error("environment override {var}: {message}")]
    Env { var: String, message: String },
}

fn invalid(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { key: key.to_string(), message: message.into() }
}

/// A value that must never be printed (passwords, tokens). `Debug` shows `***`.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub intake: IntakeConfig,
    #[serde(default)]
    pub database: DatabaseConfig,
    #[serde(default)]
    pub outbox: OutboxConfig,
    #[serde(default)]
    pub answers: AnswersConfig,
    #[serde(default)]
    pub policy: PolicyConfig,
    #[serde(default)]
    pub trust: TrustConfig,
    #[serde(default)]
    pub limits: LimitsConfig,
    #[serde(default)]
    pub catalog: CatalogConfig,
    #[serde(default)]
    pub web: WebConfig,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IntakeKind {
    Maildir,
    Imap,
}

/// How a connection to a mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// TLS from the first byte (IMAPS 993, SMTPS 465).
    Implicit,
    /// Plain connection upgraded with STARTTLS, which is required: no fallback to plain text.
    Starttls,
    /// No encryption: allowed only to a loopback address.
    None,
}

/// Where a password comes from (`password`, `password_file` or `password_env` of a server
/// section). Exactly one of the three.
#[derive(Debug, Clone, Default)]
pub struct PasswordSource {
    pub password: Option<Secret>,
    pub password_file: Option<PathBuf>,
    pub password_env: Option<String>,
}

impl PasswordSource {
    pub fn is_set(&self) -> bool {
        self.password.is_some() || self.password_file.is_some() || self.password_env.is_some()
    }

    /// The password, read now. Errors name the key.
    pub fn resolve(&self, section: &str) -> Result<Secret, ConfigError> {
        match (&self.password, &self.password_file, &self.password_env) {
            (Some(p), None, None) => Ok(p.clone()),
            (None, Some(f), None) => std::fs::read_to_string(f)
                .map(|s| Secret(s.trim_end_matches(['\r', '\n']).to_string()))
                .map_err(|e| invalid(&format!("{section}.password_file"), format!("cannot read {}: {e}", f.display()))),
            (None, None, Some(var)) => std::env::var(var)
                .map(Secret)
                .map_err(|_| invalid(&format!("{section}.password_env"), format!("environment variable {var} is not set"))),
            (None, None, None) => Err(invalid(&format!("{section}.password"), "no password, password_file or password_env")),
            _ => Err(invalid(&format!("{section}.password"), "give only one of password, password_file, password_env")),
        }
    }
}

/// A secret other than a password (`NAME`, `NAME_file` or `NAME_env` of a section): at most
/// one of the three.
#[derive(Debug, Clone)]
pub struct SecretSource {
    pub name: &'static str,
    pub value: Option<Secret>,
    pub file: Option<PathBuf>,
    pub env: Option<String>,
}

impl SecretSource {
    pub fn is_set(&self) -> bool {
        self.value.is_some() || self.file.is_some() || self.env.is_some()
    }

    /// The secret, read now. Errors name the key.
    pub fn resolve(&self, section: &str) -> Result<Secret, ConfigError> {
        let name = self.name;
        let key = |suffix: &str| format!("{section}.{name}{suffix}");
        let secret = match (&self.value, &self.file, &self.env) {
            (Some(p), None, None) => p.clone(),
            (None, Some(f), None) => std::fs::read_to_string(f)
                .map(|s| Secret(s.trim().to_string()))
                .map_err(|e| invalid(&key("_file"), format!("cannot read {}: {e}", f.display())))?,
            (None, None, Some(var)) => std::env::var(var)
                .map(|s| Secret(s.trim().to_string()))
                .map_err(|_| invalid(&key("_env"), format!("environment variable {var} is not set")))?,
            (None, None, None) => return Err(invalid(&key(""), format!("no {name}, {name}_file or {name}_env"))),
            _ => return Err(invalid(&key(""), format!("give only one of {name}, {name}_file, {name}_env"))),
        };
        if secret.expose().is_empty() {
            return Err(invalid(&key(""), "is empty"));
        }
        Ok(secret)
    }
}

impl Secret {
    /// For secrets built in code (tokens).
    pub fn new(value: String) -> Secret {
        Secret(value)
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

/// Which OAuth2 token endpoint: a named preset, or `token_url`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OAuthProvider {
    /// Microsoft Entra ID: `https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token`.
    Microsoft,
    /// Google: `https://oauth2.googleapis.com/token`.
    Google,
}

/// How the token is obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OAuthGrant {
    /// The application's own identity (client id and a secret or a certificate): Microsoft 365
    /// app-only access.
    #[default]
    ClientCredentials,
    /// A delegated set-up: a refresh token obtained once by a person consenting.
    RefreshToken,
    /// RFC 7523: a JWT signed by a service account, impersonating the mailbox (Google Workspace
    /// domain-wide delegation). The default when `service_account_file` is set.
    JwtBearer,
}

/// The SASL mechanism that carries the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SaslMechanism {
    /// Google's and Microsoft's `XOAUTH2` (the default: both offer it).
    #[default]
    Xoauth2,
    /// RFC 7628 `OAUTHBEARER`, where the server offers it.
    Oauthbearer,
}

/// `[intake.imap.oauth2]` / `[outbox.smtp.oauth2]`: where the access token comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuth2Config {
    #[serde(default)]
    pub provider: Option<OAuthProvider>,
    /// Microsoft: the directory (tenant) id or its domain.
    #[serde(default)]
    pub tenant: Option<String>,
    /// The token endpoint; overrides the provider's. `http://` only to a loopback address.
    #[serde(default)]
    pub token_url: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    client_secret: Option<Secret>,
    #[serde(default)]
    client_secret_file: Option<PathBuf>,
    #[serde(default)]
    client_secret_env: Option<String>,
    /// Microsoft: a certificate (PEM) uploaded to the app registration; the client authenticates
    /// with a JWT signed by its key (a client assertion) instead of a client secret.
    #[serde(default)]
    pub client_certificate: Option<PathBuf>,
    /// The certificate's RSA private key (PKCS#8 PEM); default: the `client_certificate` file.
    /// With `grant = "jwt_bearer"` and no `service_account_file`: the signing key, `client_id`
    /// being the issuer.
    #[serde(default, alias = "client_key_file")]
    pub client_key: Option<PathBuf>,
    /// Google: the service account's JSON key file (`client_email`, `private_key`, `token_uri`).
    #[serde(default)]
    pub service_account_file: Option<PathBuf>,
    /// Space-separated; the provider's mail scope when absent.
    #[serde(default)]
    pub scope: Option<String>,
    /// Default: `jwt_bearer` with a `service_account_file`, else `client_credentials`.
    #[serde(default)]
    grant: Option<OAuthGrant>,
    #[serde(default)]
    refresh_token: Option<Secret>,
    #[serde(default)]
    refresh_token_file: Option<PathBuf>,
    #[serde(default)]
    refresh_token_env: Option<String>,
    #[serde(default)]
    pub mechanism: SaslMechanism,
    /// One token request (connect, TLS, answer) must finish within this.
    #[serde(default = "default_oauth_timeout")]
    pub timeout_secs: u64,
}

fn default_oauth_timeout() -> u64 {
    30
}

/// The scope used when `scope` is absent.
pub const MICROSOFT_SCOPE: &str = "https://outlook.office365.com/.default";
pub const GOOGLE_SCOPE: &str = "https://mail.google.com/";
pub const GOOGLE_TOKEN_URL: &str = "https://oauth2.googleapis.com/token";

impl OAuth2Config {
    pub fn client_secret(&self) -> SecretSource {
        SecretSource {
            name: "client_secret",
            value: self.client_secret.clone(),
            file: self.client_secret_file.clone(),
            env: self.client_secret_env.clone(),
        }
    }

    pub fn refresh_token(&self) -> SecretSource {
        SecretSource {
            name: "refresh_token",
            value: self.refresh_token.clone(),
            file: self.refresh_token_file.clone(),
            env: self.refresh_token_env.clone(),
        }
    }

    /// The grant: `grant`, else `jwt_bearer` with a service-account key file, else
    /// `client_credentials`.
    pub fn grant(&self) -> OAuthGrant {
        match (self.grant, &self.service_account_file) {
            (Some(g), _) => g,
            (None, Some(_)) => OAuthGrant::JwtBearer,
            (None, None) => OAuthGrant::ClientCredentials,
        }
    }

    /// The token endpoint: `token_url`, else the provider's (a service account's key file may name
    /// its own, see [`crate::oauth::Credentials`]). Checked by `validate`.
    pub fn token_url(&self) -> Option<String> {
        if let Some(url) = &self.token_url {
            return Some(url.clone());
        }
        match self.provider? {
            OAuthProvider::Microsoft => {
                self.tenant.as_ref().map(|t| format!("https://login.microsoftonline.com/{t}/oauth2/v2.0/token"))
            }
            OAuthProvider::Google => Some(GOOGLE_TOKEN_URL.to_string()),
        }
    }

    /// The scope requested: `scope`, else the provider's mail scope (none for a custom endpoint).
    pub fn scope(&self) -> Option<String> {
        match (&self.scope, self.provider) {
            (Some(s), _) => Some(s.clone()),
            (None, Some(OAuthProvider::Microsoft)) => Some(MICROSOFT_SCOPE.to_string()),
            (None, Some(OAuthProvider::Google)) => Some(GOOGLE_SCOPE.to_string()),
            (None, None) if self.service_account_file.is_some() => Some(GOOGLE_SCOPE.to_string()),
            (None, None) => None,
        }
    }

    /// Every key checked, secrets read once (so a missing file or variable fails the start).
    pub fn validate(&self, section: &str) -> Result<(), ConfigError> {
        let key = |k: &str| format!("{section}.{k}");
        if let Some(t) = &self.tenant {
            if t.is_empty() || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.') {
                return Err(invalid(&key("tenant"), "must be the directory (tenant) id or a domain like contoso.onmicrosoft.com"));
            }
        }
        match (self.provider, &self.token_url, &self.tenant) {
            (Some(OAuthProvider::Microsoft), None, None) => {
                return Err(invalid(&key("tenant"), "provider = \"microsoft\" needs the tenant (directory id or domain)"))
            }
            // A service account's key file names its token endpoint (`token_uri`).
            (None, None, _) if self.service_account_file.is_some() => {}
            (None, None, _) => {
                return Err(invalid(&key("provider"), "give provider = \"microsoft\" or \"google\", or a token_url"))
            }
            (Some(OAuthProvider::Google), _, Some(_)) => {
                return Err(invalid(&key("tenant"), "only used with provider = \"microsoft\""))
            }
            _ => {}
        }
        if let Some(url) = self.token_url() {
            check_token_url(&url).map_err(|m| invalid(&key("token_url"), m))?;
        }
        let grant = self.grant();
        let has_id = matches!(&self.client_id, Some(id) if !id.trim().is_empty());
        let secret = self.client_secret().is_set();
        if grant != OAuthGrant::RefreshToken && self.refresh_token().is_set() {
            return Err(invalid(&key("refresh_token"), "only used with grant = \"refresh_token\""));
        }
        if self.service_account_file.is_some() && grant != OAuthGrant::JwtBearer {
            return Err(invalid(&key("service_account_file"), "only used with grant = \"jwt_bearer\" (the default with it)"));
        }
        match grant {
            OAuthGrant::ClientCredentials | OAuthGrant::RefreshToken => {
                if !has_id {
                    return Err(invalid(&key("client_id"), "required: the application (client) id"));
                }
                match (secret, &self.client_certificate) {
                    (true, Some(_)) => {
                        return Err(invalid(
                            &key("client_certificate"),
                            "give either a client secret (client_secret, client_secret_file, client_secret_env) or client_certificate, not both",
                        ))
                    }
                    (false, None) => {
                        return Err(invalid(
                            &key("client_secret"),
                            "no client_secret, client_secret_file or client_secret_env (or client_certificate and client_key)",
                        ))
                    }
                    _ => {}
                }
                if self.client_key.is_some() && self.client_certificate.is_none() {
                    return Err(invalid(&key("client_key"), "only used with client_certificate"));
                }
            }
            OAuthGrant::JwtBearer => {
                if secret {
                    return Err(invalid(&key("client_secret"), "not used with grant = \"jwt_bearer\": the JWT is signed with the service account's key"));
                }
                if self.client_certificate.is_some() {
                    return Err(invalid(&key("client_certificate"), "not used with grant = \"jwt_bearer\""));
                }
                match (&self.service_account_file, has_id, &self.client_key) {
                    (Some(_), false, None) => {}
                    (Some(_), true, _) => {
                        return Err(invalid(&key("client_id"), "not used with service_account_file: its client_email is the issuer"))
                    }
                    (Some(_), false, Some(_)) => {
                        return Err(invalid(&key("client_key"), "not used with service_account_file: its private_key signs"))
                    }
                    (None, true, Some(_)) => {}
                    (None, _, _) => {
                        return Err(invalid(
                            &key("service_account_file"),
                            "grant = \"jwt_bearer\" needs the service account's JSON key file (or client_id, the issuer, and client_key)",
                        ))
                    }
                }
                if self.scope().is_none() {
                    return Err(invalid(&key("scope"), "required with grant = \"jwt_bearer\" (Google: https://mail.google.com/)"));
                }
            }
        }
        // Every file and variable read, every key parsed, now: a mistake fails the start.
        crate::oauth::Credentials::load(section, self)?;
        if matches!(&self.scope, Some(s) if s.trim().is_empty()) {
            return Err(invalid(&key("scope"), "must not be empty"));
        }
        if self.timeout_secs == 0 {
            return Err(invalid(&key("timeout_secs"), "must be at least 1"));
        }
        Ok(())
    }
}

/// A token endpoint must be `https://`, or `http://` to a loopback address (like `tls = "none"`).
pub fn check_token_url(url: &str) -> Result<(), String> {
    if url.is_empty() {
        return Err("no token endpoint".into());
    }
    let (scheme, rest) = url.split_once("://").ok_or_else(|| format!("`{url}` is not an http(s):// URL"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map(|(_, h)| h).unwrap_or(authority);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    if host.is_empty() {
        return Err(format!("`{url}` names no host"));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(()),
        "http" if is_loopback(host) => Ok(()),
        "http" => Err(format!("`{url}` would send the client secret in clear text: use https:// (http:// only to a loopback address)")),
        _ => Err(format!("`{url}` is not an http(s):// URL")),
    }
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
    pub fn password(&self) -> PasswordSource {
        PasswordSource {
            password: self.password.clone(),
            password_file: self.password_file.clone(),
            password_env: self.password_env.clone(),
        }
    }

    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            TlsMode::Implicit => 993,
            TlsMode::Starttls | TlsMode::None => 143,
        })
    }
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

    pub fn password(&self) -> PasswordSource {
        PasswordSource {
            password: self.password.clone(),
            password_file: self.password_file.clone(),
            password_env: self.password_env.clone(),
        }
    }

    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            TlsMode::Implicit => 465,
            TlsMode::Starttls => 587,
            TlsMode::None => 25,
        })
    }
}

pub fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.parse::<std::net::IpAddr>().map(|ip| ip.is_loopback()).unwrap_or(false)
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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite:path/to/file.db` or `postgres://user@host/db`.
    #[serde(default = "default_db_url")]
    pub url: String,
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
    /// How long an SQLite writer waits for another one before failing.
    #[serde(default = "default_busy_timeout_ms")]
    pub busy_timeout_ms: u64,
}

fn default_db_url() -> String {
    "sqlite:var/seatmail.db".into()
}
fn default_max_connections() -> u32 {
    5
}
fn default_busy_timeout_ms() -> u64 {
    10_000
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig { url: default_db_url(), max_connections: 5, busy_timeout_ms: 10_000 }
    }
}

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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswersConfig {
    #[serde(default = "default_templates")]
    pub templates: PathBuf,
    /// Our address: answers come from it, and mail from it is never answered (loops).
    #[serde(default = "default_from")]
    pub from: String,
    #[serde(default = "default_from_name")]
    pub from_name: String,
    /// Used when neither the customer nor the mail tells.
    #[serde(default = "default_language")]
    pub default_language: String,
    /// Domain of our Message-IDs; defaults to the domain of `from`.
    #[serde(default)]
    pub message_id_domain: Option<String>,
    /// Copy of every answer (e.g. the reseller's ops mailbox).
    #[serde(default)]
    pub bcc: Vec<String>,
    /// At most this many automatic answers to one address in 24 hours; further mails are
    /// recorded but not answered (a loop or a flood stops here).
    #[serde(default = "default_per_correspondent")]
    pub max_per_correspondent_per_day: i64,
    /// At most this many automatic answers in one thread (mails that reference ours).
    #[serde(default = "default_per_thread")]
    pub max_per_thread: i64,
}

fn default_per_correspondent() -> i64 {
    10
}
fn default_per_thread() -> i64 {
    5
}

fn default_templates() -> PathBuf {
    PathBuf::from("templates")
}
fn default_from() -> String {
    "webservices@reseller.example".into()
}
fn default_from_name() -> String {
    "Reseller Webservices".into()
}
fn default_language() -> String {
    "en".into()
}

impl Default for AnswersConfig {
    fn default() -> Self {
        AnswersConfig {
            templates: default_templates(),
            from: default_from(),
            from_name: default_from_name(),
            default_language: default_language(),
            message_id_domain: None,
            bcc: Vec::new(),
            max_per_correspondent_per_day: default_per_correspondent(),
            max_per_thread: default_per_thread(),
        }
    }
}

impl AnswersConfig {
    pub fn language(&self) -> Language {
        Language::from_code(&self.default_language).unwrap_or(Language::En)
    }

    pub fn message_id_domain(&self) -> &str {
        self.message_id_domain
            .as_deref()
            .unwrap_or_else(|| self.from.rsplit_once('@').map(|(_, d)| d).unwrap_or("seatmail.invalid"))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// Days after the term start in which an annual subscription may still be decreased.
    #[serde(default = "default_window")]
    pub cancellation_window_days: i64,
    /// An increase of more than this many seats waits for reseller ops.
    #[serde(default = "default_threshold")]
    pub approval_threshold: i64,
    /// Largest change one request may make to one subscription.
    #[serde(default = "default_max_per_request")]
    pub max_per_request: i64,
    /// Seat maximum per SKU; overrides the catalog's `max_seats`.
    #[serde(default)]
    pub product_max: BTreeMap<String, i64>,
    /// Seats one customer may change (added plus removed) in 24 hours before further changes
    /// wait for reseller ops: a brake on a compromised mailbox.
    #[serde(default = "default_seats_per_day")]
    pub max_seats_per_day: i64,
    /// Which changes wait for the customer's admin to confirm with a one-time code, per
    /// customer id (`none`, `decreases`, `all`); customers not listed get `confirm_default`.
    #[serde(default)]
    pub confirm: BTreeMap<String, ConfirmMode>,
    #[serde(default)]
    pub confirm_default: ConfirmMode,
    /// How long a confirmation code stays valid.
    #[serde(default = "default_code_ttl")]
    pub confirm_code_ttl_hours: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConfirmMode {
    #[default]
    None,
    Decreases,
    All,
}

fn default_seats_per_day() -> i64 {
    200
}
fn default_code_ttl() -> i64 {
    48
}

fn default_window() -> i64 {
    7
}
fn default_threshold() -> i64 {
    20
}
fn default_max_per_request() -> i64 {
    100
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            cancellation_window_days: 7,
            approval_threshold: 20,
            max_per_request: 100,
            product_max: BTreeMap::new(),
            max_seats_per_day: default_seats_per_day(),
            confirm: BTreeMap::new(),
            confirm_default: ConfirmMode::None,
            confirm_code_ttl_hours: default_code_ttl(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrustRequire {
    /// DMARC pass for the From domain.
    Dmarc,
    /// DMARC pass, or SPF or DKIM pass aligned with the From domain.
    Aligned,
    /// No check: only for a trusted internal relay.
    None,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustConfig {
    /// The authserv-id our own receiving server writes in `Authentication-Results`; headers with
    /// any other id are ignored (a sender can write them).
    #[serde(default)]
    pub authserv_id: Option<String>,
    #[serde(default = "default_require")]
    pub require: TrustRequire,
}

fn default_require() -> TrustRequire {
    TrustRequire::Dmarc
}

impl Default for TrustConfig {
    fn default() -> Self {
        TrustConfig { authserv_id: None, require: TrustRequire::Dmarc }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    #[serde(default = "default_max_bytes")]
    pub max_message_bytes: usize,
    #[serde(default = "default_max_parts")]
    pub max_parts: usize,
    #[serde(default = "default_max_text")]
    pub max_text_chars: usize,
}

fn default_max_bytes() -> usize {
    Limits::default().max_bytes
}
fn default_max_parts() -> usize {
    Limits::default().max_parts
}
fn default_max_text() -> usize {
    Limits::default().max_text_chars
}

impl Default for LimitsConfig {
    fn default() -> Self {
        let l = Limits::default();
        LimitsConfig { max_message_bytes: l.max_bytes, max_parts: l.max_parts, max_text_chars: l.max_text_chars }
    }
}

impl LimitsConfig {
    pub fn parse_limits(&self) -> Limits {
        Limits { max_bytes: self.max_message_bytes, max_parts: self.max_parts, max_text_chars: self.max_text_chars }
    }
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CatalogConfig {
    /// Product catalog (TOML); the built-in one when absent.
    #[serde(default)]
    pub path: Option<PathBuf>,
}

/// Who may do what on the dashboard: only operators act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WebRole {
    Operator,
    Viewer,
}

impl WebRole {
    pub fn as_str(self) -> &'static str {
        match self {
            WebRole::Operator => "operator",
            WebRole::Viewer => "viewer",
        }
    }
}

impl std::str::FromStr for WebRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "operator" => Ok(WebRole::Operator),
            "viewer" => Ok(WebRole::Viewer),
            other => Err(format!("`{other}` is neither operator nor viewer")),
        }
    }
}

/// A dashboard user named in the config file (`[web] users = [{ name, password_hash, role }]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebUser {
    pub name: String,
    /// An argon2 PHC string (`seatmail user hash` prints one).
    pub password_hash: Secret,
    pub role: WebRole,
}

/// `[web]`: the ops dashboard served by the daemon.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebConfig {
    #[serde(default)]
    pub enabled: bool,
    /// Loopback by default: put a TLS reverse proxy in front to reach it from elsewhere.
    #[serde(default = "default_web_bind")]
    pub bind: String,
    #[serde(default)]
    pub users: Vec<WebUser>,
    /// Mark the session cookie `Secure` (behind TLS).
    #[serde(default)]
    pub secure_cookies: bool,
    /// A session ends after this many minutes without a request.
    #[serde(default = "default_session_minutes")]
    pub session_minutes: u64,
    /// `Authorization: Bearer TOKEN` for `/metrics` (a Prometheus scraper); without it,
    /// `/metrics` needs a logged-in session like every page.
    #[serde(default)]
    pub metrics_token: Option<Secret>,
}

fn default_web_bind() -> String {
    "127.0.0.1:8025".into()
}
fn default_session_minutes() -> u64 {
    480
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            enabled: false,
            bind: default_web_bind(),
            users: Vec::new(),
            secure_cookies: false,
            session_minutes: default_session_minutes(),
            metrics_token: None,
        }
    }
}

impl WebConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        if self.bind.parse::<std::net::SocketAddr>().is_err() {
            return Err(invalid("web.bind", format!("`{}` is not an address:port like 127.0.0.1:8025", self.bind)));
        }
        if self.session_minutes == 0 {
            return Err(invalid("web.session_minutes", "must be at least 1"));
        }
        let mut names = std::collections::BTreeSet::new();
        for (i, u) in self.users.iter().enumerate() {
            if u.name.trim().is_empty() || u.name.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(invalid(&format!("web.users[{i}].name"), "must be a non-empty name without spaces"));
            }
            if !names.insert(u.name.as_str()) {
                return Err(invalid(&format!("web.users[{i}].name"), format!("`{}` is named twice", u.name)));
            }
            if argon2::PasswordHash::new(u.password_hash.expose()).is_err() {
                return Err(invalid(
                    &format!("web.users[{i}].password_hash"),
                    "is not an argon2 PHC string ($argon2id$...): `seatmail user hash` prints one",
                ));
            }
        }
        if matches!(&self.metrics_token, Some(t) if t.expose().len() < 16) {
            return Err(invalid("web.metrics_token", "must be at least 16 characters"));
        }
        Ok(())
    }
}

impl Config {
    /// The config file to use: the explicit one, `$SEATMAIL_CONFIG`, then `config/seatmail.toml`.
    pub fn locate(explicit: Option<&Path>) -> PathBuf {
        explicit
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("SEATMAIL_CONFIG").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("config/seatmail.toml"))
    }

    /// Read, apply `SEATMAIL_*` overrides, deserialize and validate.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
        Self::from_toml(&text, path, std::env::vars())
    }

    pub fn from_toml(
        text: &str,
        path: &Path,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let syntax = |e: toml::de::Error| ConfigError::Syntax { path: path.to_path_buf(), message: e.to_string() };
        let mut doc: toml::Table = toml::from_str(text).map_err(syntax)?;
        let mut overridden = false;
        for (var, value) in env {
            // Every key lives in a section, so an override always has a `__`; that keeps
            // SEATMAIL_CONFIG, SEATMAIL_LOG and the like out of the config.
            let Some(rest) = var.strip_prefix("SEATMAIL_").filter(|r| r.contains("__")) else { continue };
            apply_override(&mut doc, &var, rest, &value)?;
            overridden = true;
        }
        // Re-parsing from text (rather than from the Value) keeps toml's error messages, which
        // name the key path of a wrongly typed value.
        let merged = if overridden { toml::to_string(&doc).unwrap_or_default() } else { text.to_string() };
        let config: Config = toml::from_str(&merged).map_err(syntax)?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let url = &self.database.url;
        if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(invalid("database.url", format!("`{url}` is neither sqlite:FILE nor postgres://...")));
        }
        if self.database.max_connections == 0 {
            return Err(invalid("database.max_connections", "must be at least 1"));
        }
        if !is_address(&self.answers.from) {
            return Err(invalid("answers.from", format!("`{}` is not an e-mail address", self.answers.from)));
        }
        for (i, a) in self.answers.bcc.iter().enumerate() {
            if !is_address(a) {
                return Err(invalid(&format!("answers.bcc[{i}]"), format!("`{a}` is not an e-mail address")));
            }
        }
        if Language::from_code(&self.answers.default_language).is_none() {
            return Err(invalid("answers.default_language", "must be one of en, fr, nl, de, sv"));
        }
        if !self.answers.templates.is_dir() {
            return Err(invalid(
                "answers.templates",
                format!("{} is not a directory", self.answers.templates.display()),
            ));
        }
        let p = &self.policy;
        if p.cancellation_window_days < 0 {
            return Err(invalid("policy.cancellation_window_days", "must not be negative"));
        }
        if p.approval_threshold < 1 {
            return Err(invalid("policy.approval_threshold", "must be at least 1"));
        }
        if p.max_seats_per_day < 1 {
            return Err(invalid("policy.max_seats_per_day", "must be at least 1"));
        }
        if p.confirm_code_ttl_hours < 1 {
            return Err(invalid("policy.confirm_code_ttl_hours", "must be at least 1"));
        }
        if self.answers.max_per_correspondent_per_day < 1 || self.answers.max_per_thread < 1 {
            return Err(invalid("answers.max_per_correspondent_per_day", "answer caps must be at least 1"));
        }
        if p.max_per_request < 1 {
            return Err(invalid("policy.max_per_request", "must be at least 1"));
        }
        for (sku, max) in &p.product_max {
            if *max < 0 {
                return Err(invalid(&format!("policy.product_max.{sku}"), "must not be negative"));
            }
        }
        if self.trust.require != TrustRequire::None && self.trust.authserv_id.as_deref().unwrap_or("").is_empty() {
            return Err(invalid(
                "trust.authserv_id",
                "required unless trust.require = \"none\": only our own receiving server's Authentication-Results can be trusted",
            ));
        }
        if self.intake.kind == IntakeKind::Imap {
            let Some(imap) = &self.intake.imap else {
                return Err(invalid("intake.imap", "intake.kind = \"imap\" needs an [intake.imap] section"));
            };
            check_server("intake.imap", &imap.host, imap.tls, imap.ca_file.as_deref())?;
            if imap.user.is_empty() {
                return Err(invalid("intake.imap.user", "must not be empty"));
            }
            match (imap.auth, &imap.oauth2) {
                (ImapAuth::OAuth2, Some(o)) => {
                    if imap.password().is_set() {
                        return Err(invalid("intake.imap.password", "not used with auth = \"oauth2\": remove it"));
                    }
                    o.validate("intake.imap.oauth2")?;
                }
                (ImapAuth::OAuth2, None) => {
                    return Err(invalid("intake.imap.oauth2", "auth = \"oauth2\" needs an [intake.imap.oauth2] section"))
                }
                (_, Some(_)) => {
                    return Err(invalid("intake.imap.auth", "an [intake.imap.oauth2] section is set: use auth = \"oauth2\""))
                }
                (_, None) => {
                    imap.password().resolve("intake.imap")?;
                }
            }
            if imap.folder.is_empty() {
                return Err(invalid("intake.imap.folder", "must not be empty"));
            }
            if imap.lease_secs < 3 {
                return Err(invalid("intake.imap.lease_secs", "must be at least 3"));
            }
            if imap.poll_interval_secs == 0 || imap.idle_timeout_secs == 0 || imap.timeout_secs == 0 {
                return Err(invalid("intake.imap", "poll_interval_secs, idle_timeout_secs and timeout_secs must be at least 1"));
            }
            if imap.idle_poll_secs > imap.idle_timeout_secs {
                return Err(invalid("intake.imap.idle_poll_secs", "must not be longer than idle_timeout_secs (0: no poll within IDLE)"));
            }
            if imap.reconnect_base_ms < 10 || imap.reconnect_max_secs == 0 || imap.reconnect_base_ms > imap.reconnect_max_secs * 1000 {
                return Err(invalid("intake.imap.reconnect_base_ms", "must be at least 10 and at most reconnect_max_secs (at least 1) in milliseconds"));
            }
            if imap.idle_timeout_secs > 29 * 60 {
                return Err(invalid("intake.imap.idle_timeout_secs", "servers end IDLE after 30 minutes: use at most 1740"));
            }
        }
        if self.outbox.kind == OutboxKind::Smtp {
            let Some(smtp) = &self.outbox.smtp else {
                return Err(invalid("outbox.smtp", "outbox.kind = \"smtp\" needs an [outbox.smtp] section"));
            };
            check_server("outbox.smtp", &smtp.host, smtp.tls, smtp.ca_file.as_deref())?;
            match (smtp.auth(), &smtp.oauth2) {
                (SmtpAuth::OAuth2, Some(o)) => {
                    if smtp.user.as_deref().unwrap_or("").is_empty() {
                        return Err(invalid("outbox.smtp.user", "auth = \"oauth2\" needs the mailbox as user"));
                    }
                    if smtp.password().is_set() {
                        return Err(invalid("outbox.smtp.password", "not used with auth = \"oauth2\": remove it"));
                    }
                    o.validate("outbox.smtp.oauth2")?;
                }
                (SmtpAuth::OAuth2, None) => {
                    return Err(invalid("outbox.smtp.oauth2", "auth = \"oauth2\" needs an [outbox.smtp.oauth2] section"))
                }
                (_, Some(_)) => {
                    return Err(invalid("outbox.smtp.auth", "an [outbox.smtp.oauth2] section is set: use auth = \"oauth2\""))
                }
                (SmtpAuth::Password, None) => {
                    if smtp.user.is_none() {
                        return Err(invalid("outbox.smtp.user", "auth = \"password\" needs a user"));
                    }
                    smtp.password().resolve("outbox.smtp")?;
                }
                (SmtpAuth::None, None) => {
                    if smtp.password().is_set() {
                        return Err(match smtp.user {
                            None => invalid("outbox.smtp.user", "a password is set but no user"),
                            Some(_) => invalid("outbox.smtp.password", "not used with auth = \"none\""),
                        });
                    }
                }
            }
            if smtp.timeout_secs == 0 {
                return Err(invalid("outbox.smtp.timeout_secs", "must be at least 1"));
            }
        }
        if self.intake.maildir.poll_interval_secs == 0 {
            return Err(invalid("intake.maildir.poll_interval_secs", "must be at least 1"));
        }
        if self.outbox.max_attempts == 0 {
            return Err(invalid("outbox.max_attempts", "must be at least 1"));
        }
        if self.limits.max_message_bytes < 1024 {
            return Err(invalid("limits.max_message_bytes", "must be at least 1024"));
        }
        if let Some(path) = &self.catalog.path {
            Catalog::load(path).map_err(|e| invalid("catalog.path", e.to_string()))?;
        }
        self.web.validate()?;
        Ok(())
    }

    pub fn catalog(&self) -> Result<Catalog, ConfigError> {
        match &self.catalog.path {
            Some(path) => Catalog::load(path).map_err(|e| invalid("catalog.path", e.to_string())),
            None => Ok(Catalog::builtin()),
        }
    }

    /// Seat maximum for a SKU: the policy's override, else the catalog's.
    pub fn product_max(&self, catalog: &Catalog, sku: &str) -> Option<i64> {
        self.policy.product_max.get(sku).copied().or_else(|| catalog.get(sku).and_then(|p| p.max_seats))
    }
}

fn check_server(section: &str, host: &str, tls: TlsMode, ca_file: Option<&Path>) -> Result<(), ConfigError> {
    if host.is_empty() {
        return Err(invalid(&format!("{section}.host"), "must not be empty"));
    }
    if tls == TlsMode::None && !is_loopback(host) {
        return Err(invalid(
            &format!("{section}.tls"),
            format!("\"none\" sends the password in clear text: only allowed to a loopback address, not {host}"),
        ));
    }
    if let Some(ca) = ca_file {
        if !ca.is_file() {
            return Err(invalid(&format!("{section}.ca_file"), format!("{} is not a file", ca.display())));
        }
    }
    Ok(())
}

fn apply_override(doc: &mut toml::Table, var: &str, rest: &str, value: &str) -> Result<(), ConfigError> {
    let parts: Vec<String> = rest.split("__").map(|p| p.to_ascii_lowercase()).collect();
    if parts.iter().any(String::is_empty) {
        return Err(ConfigError::Env { var: var.into(), message: "empty key segment".into() });
    }
    let (leaf, sections) = parts.split_last().expect("split yields at least one part");
    let mut table = doc;
    for section in sections {
        let entry = table.entry(section.clone()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        table = entry.as_table_mut().ok_or_else(|| ConfigError::Env {
            var: var.into(),
            message: format!("`{section}` is a value, not a section"),
        })?;
    }
    // A value that parses as a TOML scalar or array keeps its type (numbers, booleans, lists);
    // anything else is a string.
    let parsed = format!("v = {value}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(value.to_string()));
    table.insert(leaf.clone(), parsed);
    Ok(())
}

/// A deliberately plain check: one `@`, something on both sides, a dot in the domain, no spaces.
pub fn is_address(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !s.chars().any(|c| c.is_whitespace() || c == '<' || c == '>')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let text = text.replace("TEMPLATES", &dir.path().display().to_string());
        Config::from_toml(&text, Path::new("t.toml"), env.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    const BASE: &str = "[answers]\ntemplates = \"TEMPLATES\"\n[trust]\nrequire = \"none\"\n";

    #[test]
    fn env_overrides_keep_types_and_name_the_key() {
        let c = load(BASE, &[("SEATMAIL_POLICY__APPROVAL_THRESHOLD", "50")]).unwrap();
        assert_eq!(c.policy.approval_threshold, 50);
        let e = load(BASE, &[("SEATMAIL_POLICY__APPROVAL_THRESHOLD", "lots")]).unwrap_err();
        assert!(e.to_string().contains("approval_threshold"), "{e}");
        let e = load(BASE, &[("SEATMAIL_POLICY__APPROVAL_THRESHOLD", "0")]).unwrap_err();
        assert!(e.to_string().contains("policy.approval_threshold"), "{e}");
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let e = load(&format!("{BASE}[policy]\napproval_treshold = 3\n"), &[]).unwrap_err();
        assert!(e.to_string().contains("approval_treshold"), "{e}");
        let e = load(&format!("{BASE}[database]\nurl = \"mysql://x\"\n"), &[]).unwrap_err();
        assert!(e.to_string().contains("database.url"), "{e}");
        let e = load("[answers]\ntemplates = \"TEMPLATES\"\n", &[]).unwrap_err();
        assert!(e.to_string().contains("trust.authserv_id"), "{e}");
    }

    const OAUTH_IMAP: &str = "[intake]\nkind = \"imap\"\n[intake.imap]\nhost = \"imap.example.com\"\nuser = \"webservices@reseller.example\"\nauth = \"oauth2\"\n[intake.imap.oauth2]\n";

    #[test]
    fn oauth2_sections_are_checked_key_by_key() {
        let ok = format!("{BASE}{OAUTH_IMAP}provider = \"microsoft\"\ntenant = \"contoso.onmicrosoft.com\"\nclient_id = \"abc\"\nclient_secret = \"s\"\n");
        let c = load(&ok, &[]).unwrap();
        let o = c.intake.imap.as_ref().unwrap().oauth2.as_ref().unwrap();
        assert_eq!(o.token_url().unwrap(), "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
        assert_eq!(o.scope().unwrap(), MICROSOFT_SCOPE);
        assert_eq!(o.mechanism, SaslMechanism::Xoauth2);
        assert!(!format!("{o:?}").contains("\"s\""), "the secret does not print");

        let google = format!("{BASE}{OAUTH_IMAP}provider = \"google\"\nclient_id = \"abc\"\nclient_secret = \"s\"\ngrant = \"refresh_token\"\nrefresh_token_env = \"SEATMAIL_UNIT_NO_SUCH_VAR\"\n");
        let e = load(&google, &[]).unwrap_err();
        assert!(e.to_string().contains("intake.imap.oauth2.refresh_token_env"), "{e}");

        for (extra, key) in [
            ("provider = \"microsoft\"\nclient_id = \"abc\"\nclient_secret = \"s\"\n", "intake.imap.oauth2.tenant"),
            ("client_id = \"abc\"\nclient_secret = \"s\"\n", "intake.imap.oauth2.provider"),
            ("token_url = \"http://login.example.com/t\"\nclient_id = \"abc\"\nclient_secret = \"s\"\n", "intake.imap.oauth2.token_url"),
            ("provider = \"google\"\nclient_secret = \"s\"\n", "intake.imap.oauth2.client_id"),
            ("provider = \"google\"\nclient_id = \"abc\"\n", "intake.imap.oauth2.client_secret"),
            ("provider = \"google\"\nclient_id = \"abc\"\nclient_secret = \"s\"\nclient_secret_env = \"X\"\n", "intake.imap.oauth2.client_secret"),
            ("provider = \"google\"\nclient_id = \"abc\"\nclient_secret = \"s\"\nmechanism = \"plain\"\n", "mechanism"),
            ("provider = \"google\"\nclient_id = \"abc\"\nclient_secret = \"s\"\nclient_secrett = \"s\"\n", "client_secrett"),
        ] {
            let e = load(&format!("{BASE}{OAUTH_IMAP}{extra}"), &[]).unwrap_err();
            assert!(e.to_string().contains(key), "{key}: {e}");
        }
        let e = load(&format!("{BASE}{}", OAUTH_IMAP.replace("[intake.imap.oauth2]\n", "")), &[]).unwrap_err();
        assert!(e.to_string().contains("intake.imap.oauth2"), "{e}");
        assert!(check_token_url("http://127.0.0.1:8080/token").is_ok());
        assert!(check_token_url("http://[::1]:8080/token").is_ok());
        assert!(check_token_url("https://login.microsoftonline.com/t/oauth2/v2.0/token").is_ok());
        assert!(check_token_url("ftp://x/token").is_err());
    }

    #[test]
    fn smtp_auth_defaults_and_oauth2() {
        let smtp = "[outbox]\nkind = \"smtp\"\n[outbox.smtp]\nhost = \"smtp.example.com\"\n";
        let c = load(&format!("{BASE}{smtp}"), &[]).unwrap();
        assert_eq!(c.outbox.smtp.as_ref().unwrap().auth(), SmtpAuth::None);
        let e = load(&format!("{BASE}{smtp}auth = \"oauth2\"\n[outbox.smtp.oauth2]\nprovider = \"google\"\nclient_id = \"a\"\nclient_secret = \"s\"\n"), &[]).unwrap_err();
        assert!(e.to_string().contains("outbox.smtp.user"), "{e}");
        let c = load(&format!("{BASE}{smtp}user = \"u@reseller.example\"\nauth = \"oauth2\"\n[outbox.smtp.oauth2]\nprovider = \"google\"\nclient_id = \"a\"\nclient_secret = \"s\"\n"), &[]).unwrap();
        assert_eq!(c.outbox.smtp.as_ref().unwrap().auth(), SmtpAuth::OAuth2);
        assert_eq!(c.outbox.smtp.as_ref().unwrap().oauth2.as_ref().unwrap().scope().unwrap(), GOOGLE_SCOPE);
    }

    #[test]
    fn secrets_do_not_print() {
        let s = Secret("hunter2".into());
        assert_eq!(format!("{s:?}"), "***");
    }
}
