//! OAuth2 access tokens for the mail servers: Exchange Online and Google Workspace take no
//! passwords over IMAP and SMTP, only a bearer token carried by SASL XOAUTH2 or OAUTHBEARER.
//!
//! A [`TokenSource`] gets tokens from the token endpoint of `[intake.imap.oauth2]` or
//! `[outbox.smtp.oauth2]`: the client-credentials grant (the application's own identity:
//! Microsoft 365 app-only access) or the refresh-token grant (a delegated set-up). It caches the
//! token and fetches a new one when less than a fifth of its life (at most 60 s) is left, or when
//! the mail server refused it ([`TokenSource::invalidate`]). Tokens, client secrets and refresh
//! tokens are [`Secret`]s: never logged, never in an error.
//!
//! Errors say which part failed: the token endpoint (unreachable, not answering JSON), the
//! grant (`invalid_client`, `invalid_grant`, with the provider's `error_description`), or —
//! reported by the IMAP intake and the SMTP transport — the mailbox refusing a token it was
//! given ([`refused_hint`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::{ConfigError, OAuth2Config, OAuthGrant, SaslMechanism, Secret};

#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("OAuth2 token endpoint {url} unreachable: {message}")]
    Unreachable { url: String, message: String },
    #[error("OAuth2 token endpoint {url} answered HTTP {status} without a JSON token response: {body}")]
    NotJson { url: String, status: u16, body: String },
    #[error("OAuth2 grant ({grant}) refused by the token endpoint {url}: {error}{description}{hint}")]
    Grant { url: String, grant: &'static str, error: String, description: String, hint: &'static str },
    #[error("OAuth2 token endpoint {url}: {message}")]
    Malformed { url: String, message: String },
    #[error("OAuth2 set-up: {0}")]
    Setup(String),
}

impl OAuthError {
    /// The provider said no to our credentials (as opposed to a network or server problem).
    pub fn is_grant(&self) -> bool {
        matches!(self, OAuthError::Grant { .. })
    }
}

/// An access token and when it runs out.
#[derive(Clone)]
pub struct Token {
    secret: Secret,
    pub expires_at: Instant,
    lifetime: Duration,
    /// Fetched by this call rather than taken from the cache: a refusal is then not a stale
    /// token but the mailbox's permission.
    pub fresh: bool,
    serial: u64,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token").field("expires_at", &self.expires_at).field("fresh", &self.fresh).finish_non_exhaustive()
    }
}

impl Token {
    pub fn expose(&self) -> &str {
        self.secret.expose()
    }

    /// Renew when less than a fifth of the token's life is left, and at least 60 s before the end.
    fn needs_renewal(&self, now: Instant) -> bool {
        let margin = (self.lifetime / 5).min(Duration::from_secs(60));
        now + margin >= self.expires_at
    }
}

/// Where a section's tokens come from; shared by the connections of that section.
pub struct TokenSource {
    section: String,
    url: String,
    grant: OAuthGrant,
    client_id: String,
    client_secret: Secret,
    scope: Option<String>,
    /// The refresh token; replaced when the provider rotates it (kept in memory only).
    refresh_token: std::sync::Mutex<Option<Secret>>,
    pub mechanism: SaslMechanism,
    http: reqwest::Client,
    timeout: Duration,
    cache: tokio::sync::Mutex<Option<Token>>,
    serial: AtomicU64,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource").field("section", &self.section).field("url", &self.url).finish_non_exhaustive()
    }
}

/// The token endpoint's answer, success or error (RFC 6749 5.1 and 5.2).
#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    token_type: Option<String>,
    expires_in: Option<serde_json::Value>,
    refresh_token: Option<String>,
    error: Option<serde_json::Value>,
    error_description: Option<serde_json::Value>,
}

/// Lifetime assumed when the endpoint does not say (RFC 6749 makes `expires_in` optional).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

impl TokenSource {
    /// From a validated section (`section` names it in errors, e.g. `intake.imap.oauth2`).
    pub fn new(section: &str, config: &OAuth2Config) -> Result<Arc<TokenSource>, ConfigError> {
        let invalid = |key: &str, message: String| ConfigError::Invalid { key: format!("{section}.{key}"), message };
        config.validate(section)?;
        let url = config.token_url().ok_or_else(|| invalid("token_url", "no token endpoint".into()))?;
        let client_id = config.client_id.clone().unwrap_or_default();
        let client_secret = config.client_secret().resolve(section)?;
        let refresh_token = match config.grant {
            OAuthGrant::RefreshToken => Some(config.refresh_token().resolve(section)?),
            OAuthGrant::ClientCredentials => None,
        };
        let timeout = Duration::from_secs(config.timeout_secs);
        let http = http_client(&url, timeout).map_err(|e| invalid("token_url", e))?;
        Ok(Arc::new(TokenSource {
            section: section.to_string(),
            url,
            grant: config.grant,
            client_id,
            client_secret,
            scope: config.scope(),
            refresh_token: std::sync::Mutex::new(refresh_token),
            mechanism: config.mechanism,
            http,
            timeout,
            cache: tokio::sync::Mutex::new(None),
            serial: AtomicU64::new(0),
        }))
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// A token that is not near its end: the cached one, or a new one from the endpoint.
    /// Concurrent callers wait for one request rather than each making their own.
    pub async fn token(&self) -> Result<Token, OAuthError> {
        let mut cache = self.cache.lock().await;
        if let Some(t) = cache.as_ref() {
            if !t.needs_renewal(Instant::now()) {
                return Ok(Token { fresh: false, ..t.clone() });
            }
        }
        let token = self.fetch().await?;
        *cache = Some(token.clone());
        Ok(token)
    }

    /// The server refused `token`: forget it (if it is still the cached one), so that the next
    /// [`TokenSource::token`] asks the endpoint.
    pub async fn invalidate(&self, token: &Token) {
        let mut cache = self.cache.lock().await;
        if cache.as_ref().is_some_and(|c| c.serial == token.serial) {
            *cache = None;
        }
    }

    fn grant_name(&self) -> &'static str {
        match self.grant {
            OAuthGrant::ClientCredentials => "client_credentials",
            OAuthGrant::RefreshToken => "refresh_token",
        }
    }

    async fn fetch(&self) -> Result<Token, OAuthError> {
        let grant = self.grant_name();
        let mut form: Vec<(&str, String)> = vec![
            ("grant_type", grant.to_string()),
            ("client_id", self.client_id.clone()),
            ("client_secret", self.client_secret.expose().to_string()),
        ];
        if let Some(scope) = &self.scope {
            form.push(("scope", scope.clone()));
        }
        if self.grant == OAuthGrant::RefreshToken {
            let refresh = self.refresh_token.lock().map(|r| r.clone()).unwrap_or(None);
            let refresh = refresh.ok_or_else(|| OAuthError::Setup(format!("{}: no refresh token", self.section)))?;
            form.push(("refresh_token", refresh.expose().to_string()));
        }
        let unreachable = |message: String| OAuthError::Unreachable { url: self.url.clone(), message };
        let started = Instant::now();
        let response = self
            .http
            .post(&self.url)
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form)
            .send()
            .await
            .map_err(|e| unreachable(describe_http_error(&e, self.timeout)))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| unreachable(describe_http_error(&e, self.timeout)))?;
        let parsed: TokenResponse = match serde_json::from_slice(&body) {
            Ok(p) => p,
            Err(_) => {
                return Err(OAuthError::NotJson { url: self.url.clone(), status: status.as_u16(), body: snippet(&body) });
            }
        };
        if let Some(error) = &parsed.error {
            let error = json_text(error);
            let description = parsed.error_description.as_ref().map(json_text).map(|d| format!(" ({})", one_line(&d, 400)));
            return Err(OAuthError::Grant {
                url: self.url.clone(),
                grant,
                hint: grant_hint(&error, self.grant),
                error: one_line(&error, 80),
                description: description.unwrap_or_default(),
            });
        }
        let malformed = |message: String| OAuthError::Malformed { url: self.url.clone(), message };
        if !status.is_success() {
            return Err(malformed(format!("HTTP {status} without an OAuth2 error code")));
        }
        let access = parsed
            .access_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| malformed("the answer has no access_token".into()))?;
        if access.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(malformed("the access_token is not a bearer token (it has spaces or control characters)".into()));
        }
        if let Some(kind) = &parsed.token_type {
            if !kind.eq_ignore_ascii_case("bearer") {
                return Err(malformed(format!("token_type is `{}`, not Bearer", one_line(kind, 40))));
            }
        }
        let lifetime = parsed
            .expires_in
            .as_ref()
            .and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())))
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_LIFETIME);
        if let (Some(new), Ok(mut slot)) = (parsed.refresh_token.filter(|r| !r.is_empty()), self.refresh_token.lock()) {
            if self.grant == OAuthGrant::RefreshToken {
                *slot = Some(Secret::new(new));
            }
        }
        let serial = self.serial.fetch_add(1, Ordering::SeqCst) + 1;
        tracing::info!(section = %self.section, endpoint = %self.url, grant, expires_in = lifetime.as_secs(), "oauth2: new access token");
        Ok(Token { secret: Secret::new(access), expires_at: started + lifetime, lifetime, fresh: true, serial })
    }
}

fn http_client(url: &str, timeout: Duration) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        // A POST carrying the client secret is never sent on to another address.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("seatmail/", env!("CARGO_PKG_VERSION")));
    if url.to_ascii_lowercase().starts_with("https://") {
        // The same trust as the mail servers: the system's roots.
        let tls = crate::tls::client_config(None).map_err(|e| e.to_string())?;
        builder = builder.use_preconfigured_tls((*tls).clone());
    } else {
        // http:// is only allowed to loopback (config validation): never through a proxy.
        builder = builder.no_proxy();
    }
    builder.build().map_err(|e| format!("HTTP client: {e}"))
}

fn describe_http_error(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        return format!("no answer within {timeout:?}");
    }
    let what = if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "reading the answer failed"
    } else {
        "the request failed"
    };
    // The causes (connection refused, DNS, TLS); the top error would only repeat the URL.
    let mut parts: Vec<String> = vec![what.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// What to check for a refused grant.
fn grant_hint(error: &str, grant: OAuthGrant) -> &'static str {
    match (error, grant) {
        ("invalid_client" | "unauthorized_client", _) => {
            " — check client_id and client_secret (an expired or deleted client secret, or the wrong tenant)"
        }
        ("invalid_grant", OAuthGrant::RefreshToken) => {
            " — the refresh token is expired or revoked: obtain a new one and put it in refresh_token"
        }
        ("invalid_grant", OAuthGrant::ClientCredentials) => " — the credentials or the tenant are not valid for this grant",
        ("invalid_scope", _) => " — check scope (Microsoft 365 app-only: https://outlook.office365.com/.default)",
        ("invalid_request", _) => " — check tenant, client_id and scope",
        _ => "",
    }
}

/// The start of a body that should have been JSON, on one line.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    if text.trim().is_empty() {
        return "(empty body)".into();
    }
    one_line(&text, 200)
}

fn one_line(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let flat: String = flat.chars().filter(|c| !c.is_control()).collect();
    if flat.chars().count() > max {
        format!("{}…", flat.chars().take(max).collect::<String>())
    } else {
        flat
    }
}

/// The SASL initial response carrying the token.
pub fn sasl_response(mechanism: SaslMechanism, user: &str, token: &Token, host: &str, port: u16) -> String {
    match mechanism {
        // https://developers.google.com/gmail/imap/xoauth2-protocol
        SaslMechanism::Xoauth2 => format!("user={user}\x01auth=Bearer {}\x01\x01", token.expose()),
        // RFC 7628 3.1: a GS2 header naming the authorization identity, then key=value pairs.
        SaslMechanism::Oauthbearer => {
            let name = user.replace('=', "=3D").replace(',', "=2C");
            format!("n,a={name},\x01host={host}\x01port={port}\x01auth=Bearer {}\x01\x01", token.expose())
        }
    }
}

/// What the client answers to the server's error challenge (a JSON status) so that the server
/// can finish the exchange with a failure: an empty response (XOAUTH2), or `%x01` (RFC 7628 3.2.3).
pub fn sasl_abort(mechanism: SaslMechanism) -> &'static [u8] {
    match mechanism {
        SaslMechanism::Xoauth2 => b"",
        SaslMechanism::Oauthbearer => b"\x01",
    }
}

pub fn mechanism_name(mechanism: SaslMechanism) -> &'static str {
    match mechanism {
        SaslMechanism::Xoauth2 => "XOAUTH2",
        SaslMechanism::Oauthbearer => "OAUTHBEARER",
    }
}

/// The server's error challenge, readable (`{"status":"401",...}`), or nothing.
pub fn challenge_text(challenge: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(challenge);
    let text = text.trim();
    (!text.is_empty()).then(|| one_line(text, 200))
}

/// Said after a mail server refused a token the endpoint had just issued: the application got a
/// token, so what is missing is its right to this mailbox.
pub fn refused_hint() -> &'static str {
    "the token endpoint issued the token, so the mailbox permission is missing: Microsoft 365 needs the \
     Exchange service principal (New-ServicePrincipal), Add-MailboxPermission FullAccess for IMAP, \
     Add-RecipientPermission SendAs and SMTP AUTH enabled for SMTP; Google needs domain-wide \
     delegation with the scope https://mail.google.com/"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(value: &str, lifetime: u64) -> Token {
        Token {
            secret: Secret::new(value.into()),
            expires_at: Instant::now() + Duration::from_secs(lifetime),
            lifetime: Duration::from_secs(lifetime),
            fresh: true,
            serial: 1,
        }
    }

    #[test]
    fn sasl_responses() {
        let t = token("tok", 3600);
        assert_eq!(
            sasl_response(SaslMechanism::Xoauth2, "a@b.example", &t, "h", 993),
            "user=a@b.example\x01auth=Bearer tok\x01\x01"
        );
        assert_eq!(
            sasl_response(SaslMechanism::Oauthbearer, "a,=@b.example", &t, "imap.example", 993),
            "n,a=a=2C=3D@b.example,\x01host=imap.example\x01port=993\x01auth=Bearer tok\x01\x01"
        );
    }

    #[test]
    fn renewal_margin_is_a_fifth_of_the_life_at_most_a_minute() {
        let now = Instant::now();
        let long = token("x", 3600);
        assert!(!long.needs_renewal(now));
        assert!(!long.needs_renewal(now + Duration::from_secs(3530)));
        assert!(long.needs_renewal(now + Duration::from_secs(3545)));
        let short = token("x", 10);
        assert!(!short.needs_renewal(now + Duration::from_secs(7)));
        assert!(short.needs_renewal(now + Duration::from_secs(9)));
    }

    #[test]
    fn tokens_do_not_print() {
        let t = token("very-secret-token", 60);
        assert!(!format!("{t:?}").contains("very-secret"));
    }

    #[test]
    fn snippets_are_one_short_line() {
        assert_eq!(snippet(b"<html>\n<body>Bad   gateway</body>\n</html>"), "<html> <body>Bad gateway</body> </html>");
        assert_eq!(snippet(b""), "(empty body)");
        assert!(snippet("x".repeat(1000).as_bytes()).chars().count() <= 201);
    }
}
