//! OAuth2 access tokens for the mail servers: Exchange Online and Google Workspace take no
//! passwords over IMAP and SMTP, only a bearer token carried by SASL XOAUTH2 or OAUTHBEARER.
//!
//! A [`TokenSource`] gets tokens from the token endpoint of `[intake.imap.oauth2]` or
//! `[outbox.smtp.oauth2]`: the client-credentials grant (the application's own identity:
//! Microsoft 365 app-only access), the refresh-token grant (a delegated set-up) or the RFC 7523
//! JWT-bearer grant (a Google service account impersonating the mailbox). The client
//! authenticates with a client secret or, for Microsoft, a certificate: an RS256 JWT client
//! assertion signed with its key (RFC 7521/7523, with the certificate's SHA-1 thumbprint as
//! `x5t`). It caches the token and fetches a new one when less than a fifth of its life (at most
//! 60 s) is left, or when the mail server refused it ([`TokenSource::invalidate`]). Tokens,
//! client secrets, refresh tokens and private keys are never logged, never in an error.
//!
//! Errors say which part failed: the token endpoint (unreachable, not answering JSON), the
//! grant (`invalid_client`, `invalid_grant`, with the provider's `error_description`), or —
//! reported by the IMAP intake and the SMTP transport — the mailbox refusing a token it was
//! given ([`refused_hint`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod credentials;
mod error;
mod settings;

pub use error::OAuthError;
pub(crate) use error::one_line;
use error::snippet;

pub use credentials::{ClientAuth, Credentials, SigningKey, CLIENT_ASSERTION_TYPE, JWT_BEARER_GRANT};
use credentials::{client_assertion, service_account_assertion, unix_now, AuthKind};
pub use settings::{
    check_token_url, OAuth2Config, OAuthGrant, OAuthProvider, SaslMechanism, SettingError, GOOGLE_SCOPE, GOOGLE_TOKEN_URL,
    MICROSOFT_SCOPE,
};
use crate::secret::Secret;

/// Check a section completely: every key, and every file and variable it names read and
/// parsed now, so that a mistake fails the start rather than the first login.
pub fn check(section: &str, config: &OAuth2Config) -> Result<(), SettingError> {
    config.validate(section)?;
    Credentials::load(section, config)?;
    Ok(())
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
    auth: ClientAuth,
    /// The mailbox: the subject a service account impersonates (`jwt_bearer`).
    user: String,
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
    /// From a validated section (`section` names it in errors, e.g. `intake.imap.oauth2`);
    /// `user` is the mailbox the section logs in as.
    pub fn new(section: &str, config: &OAuth2Config, user: &str) -> Result<Arc<TokenSource>, SettingError> {
        let invalid = |key: &str, message: String| settings::invalid(&format!("{section}.{key}"), message);
        config.validate(section)?;
        let Credentials { url, auth, refresh_token } = Credentials::load(section, config)?;
        let timeout = Duration::from_secs(config.timeout_secs);
        let http = http_client(&url, timeout).map_err(|e| invalid("token_url", e))?;
        Ok(Arc::new(TokenSource {
            section: section.to_string(),
            url,
            grant: config.grant(),
            auth,
            user: user.to_string(),
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
            OAuthGrant::JwtBearer => "jwt_bearer",
        }
    }

    /// The token request's form: the grant, the client's authentication, the scope.
    fn form(&self) -> Result<Vec<(&'static str, String)>, OAuthError> {
        let now = unix_now();
        let mut form: Vec<(&'static str, String)> = Vec::new();
        match &self.auth {
            ClientAuth::Secret { client_id, secret } => {
                form.push(("grant_type", self.grant_name().to_string()));
                form.push(("client_id", client_id.clone()));
                form.push(("client_secret", secret.expose().to_string()));
            }
            ClientAuth::Certificate { client_id, key, x5t } => {
                form.push(("grant_type", self.grant_name().to_string()));
                form.push(("client_id", client_id.clone()));
                form.push(("client_assertion_type", CLIENT_ASSERTION_TYPE.to_string()));
                form.push(("client_assertion", client_assertion(key, x5t, client_id, &self.url, now)?));
            }
            ClientAuth::ServiceAccount { issuer, key, kid } => {
                let scope = self.scope.clone().unwrap_or_default();
                form.push(("grant_type", JWT_BEARER_GRANT.to_string()));
                form.push(("assertion", service_account_assertion(key, kid.as_deref(), issuer, &scope, &self.url, &self.user, now)?));
                // The scope is in the assertion.
                return Ok(form);
            }
        }
        if let Some(scope) = &self.scope {
            form.push(("scope", scope.clone()));
        }
        Ok(form)
    }

    async fn fetch(&self) -> Result<Token, OAuthError> {
        let grant = self.grant_name();
        let mut form = self.form()?;
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
                hint: grant_hint(&error, self.grant, self.auth.kind()),
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

/// An HTTP client for `url` (checked by [`check_token_url`]): the system's roots for https://,
/// never a proxy for loopback http://, no redirects (a request carrying a secret or a token is
/// never sent on to another address). Also the vendor connectors' client.
pub(crate) fn http_client(url: &str, timeout: Duration) -> Result<reqwest::Client, String> {
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

/// A failed request in one line: what failed, then its causes (refused, DNS, TLS), never the
/// request's secrets.
pub(crate) fn describe_http_error(e: &reqwest::Error, timeout: Duration) -> String {
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
fn grant_hint(error: &str, grant: OAuthGrant, auth: AuthKind) -> &'static str {
    match (error, grant, auth) {
        ("unauthorized_client", _, AuthKind::ServiceAccount) => {
            " — domain-wide delegation is missing: in the Google Admin console (Security → API controls → \
             Domain-wide delegation) add the service account's client id with the scope https://mail.google.com/"
        }
        ("invalid_client", _, AuthKind::ServiceAccount) => {
            " — the service account or its key is deleted or disabled: create a new JSON key for it"
        }
        ("invalid_grant", _, AuthKind::ServiceAccount) => {
            " — check the key (deleted or replaced in the Cloud console?), the clock of this host, and that \
             the mailbox user exists in the Workspace domain"
        }
        ("invalid_client" | "unauthorized_client", _, AuthKind::Certificate) => {
            " — check client_id and the certificate: uploaded to the app registration (Certificates & secrets), \
             not expired, client_key its private key, and the right tenant"
        }
        ("invalid_client" | "unauthorized_client", _, _) => {
            " — check client_id and client_secret (an expired or deleted client secret, or the wrong tenant)"
        }
        ("invalid_grant", OAuthGrant::RefreshToken, _) => {
            " — the refresh token is expired or revoked: obtain a new one and put it in refresh_token"
        }
        ("invalid_grant", _, _) => " — the credentials or the tenant are not valid for this grant",
        ("invalid_scope", _, _) => " — check scope (Microsoft 365 app-only: https://outlook.office365.com/.default)",
        ("invalid_request", _, _) => " — check tenant, client_id and scope",
        _ => "",
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
}
