//! The `[intake.imap.oauth2]` and `[outbox.smtp.oauth2]` sections: which token endpoint, which
//! grant, which credentials — checked key by key, the files and variables they name read once.

use std::path::PathBuf;

use serde::Deserialize;

use crate::secret::{Secret, SecretError, SecretSource};

/// A section key that is wrong, named in full (`intake.imap.oauth2.tenant`).
#[derive(Debug, thiserror::Error)]
#[error("config key `{key}`: {message}")]
pub struct SettingError {
    pub key: String,
    pub message: String,
}

impl From<SecretError> for SettingError {
    fn from(e: SecretError) -> Self {
        SettingError { key: e.key, message: e.message }
    }
}

pub(super) fn invalid(key: &str, message: impl Into<String>) -> SettingError {
    SettingError { key: key.to_string(), message: message.into() }
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
            exact: false,
        }
    }

    pub fn refresh_token(&self) -> SecretSource {
        SecretSource {
            name: "refresh_token",
            value: self.refresh_token.clone(),
            file: self.refresh_token_file.clone(),
            env: self.refresh_token_env.clone(),
            exact: false,
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
    /// its own, see `Credentials`). Checked by `validate`.
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

    /// Every key checked (the files and variables it names are read by [`super::check`]).
    pub fn validate(&self, section: &str) -> Result<(), SettingError> {
        let key = |k: &str| format!("{section}.{k}");
        if matches!(&self.scope, Some(s) if s.trim().is_empty()) {
            return Err(invalid(&key("scope"), "must not be empty"));
        }
        if self.timeout_secs == 0 {
            return Err(invalid(&key("timeout_secs"), "must be at least 1"));
        }
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
        self.check_grant(&key)
    }

    /// The credentials the grant needs, and nothing it does not use.
    fn check_grant(&self, key: &dyn Fn(&str) -> String) -> Result<(), SettingError> {
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
        "http" if crate::tls::is_loopback(host) => Ok(()),
        "http" => Err(format!("`{url}` would send the client secret in clear text: use https:// (http:// only to a loopback address)")),
        _ => Err(format!("`{url}` is not an http(s):// URL")),
    }
}
