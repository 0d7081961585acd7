//! `[web]`: the ops dashboard — where it listens, who may log in, and with which role.

use serde::Deserialize;

use super::error::{at_least, invalid, ConfigError};
use crate::secret::Secret;

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
    /// Where people reach the dashboard (`https://seatmail.reseller.example`, behind the TLS
    /// proxy): the links in ops mails. `http://` + `bind` when absent.
    #[serde(default)]
    pub public_url: Option<String>,
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
            public_url: None,
        }
    }
}

impl WebConfig {
    /// The dashboard's address as people reach it, without a trailing `/`.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(u) => u.trim().trim_end_matches('/').to_string(),
            None => format!("http://{}", self.bind),
        }
    }

    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.bind.parse::<std::net::SocketAddr>().is_err() {
            return Err(invalid("web.bind", format!("`{}` is not an address:port like 127.0.0.1:8025", self.bind)));
        }
        at_least("web", 1, &[("session_minutes", self.session_minutes.into())])?;
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
        if let Some(u) = &self.public_url {
            let u = u.trim();
            let rest = u.strip_prefix("https://").or_else(|| u.strip_prefix("http://")).unwrap_or("");
            if rest.is_empty() || rest.starts_with('/') || u.chars().any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>') {
                return Err(invalid("web.public_url", format!("`{u}` is not an address like https://seatmail.reseller.example")));
            }
        }
        if matches!(&self.metrics_token, Some(t) if t.expose().len() < 16) {
            return Err(invalid("web.metrics_token", "must be at least 16 characters"));
        }
        Ok(())
    }
}
