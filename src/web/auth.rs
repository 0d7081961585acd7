//! Who is at the dashboard: argon2 password checks, server-side sessions with a CSRF token each,
//! and the login rate limit.
//!
//! - A session id is 32 random bytes (hex) from the OS. The store keeps only its SHA-256 hash,
//!   with the user, the CSRF token and the idle expiry, so every daemon on the store knows the
//!   session and a restart keeps people logged in; the cookie carrying it is `HttpOnly;
//!   SameSite=Strict` (and `Secure` with `[web] secure_cookies`).
//! - The role is read at every request (the config's users, then the store's): a demoted user
//!   loses the operator's rights at once, and a removed one is sent to the login page. `seatmail
//!   user remove` and `user add` end the user's sessions outright; expired ones are deleted.
//! - Every form carries the session's CSRF token in a hidden field; every POST compares it in
//!   constant time. The login form has its own token, paired with a short-lived cookie.
//! - Failed logins are counted per user name and per client address in a sliding window; over
//!   the limit, the login is refused before the password is even checked.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, Method};
use rand::RngCore;

use super::{WebError, WebState};
use crate::config::{WebRole, WebUser};
use crate::store::{Store, StoreError};

pub const SESSION_COOKIE: &str = "seatmail_session";
pub const LOGIN_COOKIE: &str = "seatmail_login";

/// Failed logins counted over this window.
pub const LOGIN_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failed logins per user name in the window before further attempts are refused.
pub const MAX_FAILURES_PER_USER: usize = 5;
/// Failed logins per client address in the window.
pub const MAX_FAILURES_PER_IP: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("a password needs at least 8 characters")]
    TooShort,
    #[error("cannot hash the password: {0}")]
    Hash(String),
}

/// An argon2id PHC string for `password` (a fresh random salt each time).
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    if password.chars().count() < 8 {
        return Err(PasswordError::TooShort);
    }
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| PasswordError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Does `password` match the PHC string? A malformed hash matches nothing.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(h) => Argon2::default().verify_password(password.as_bytes(), &h).is_ok(),
        Err(_) => false,
    }
}

/// 32 random bytes from the OS, as hex.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Compare two tokens without leaking where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    if a.len() != b.len() || a.is_empty() {
        return false;
    }
    a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A message shown once on the next page (after an action's redirect).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Flash {
    pub ok: bool,
    pub text: String,
}

/// Sessions, kept in the store (hashed), shared by every daemon on it.
pub struct Sessions {
    store: Store,
    idle: Duration,
    /// The config file's users and their roles (they take precedence over the store's).
    config_users: Vec<(String, WebRole)>,
}

/// Sessions one user may have at once; the oldest go beyond it.
const MAX_SESSIONS_PER_USER: i64 = 50;

/// What the store keeps for a session id: its SHA-256, never the id.
fn id_hash(id: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(id.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A live session: its user, role, CSRF token and one-time message.
struct Live {
    user: String,
    role: WebRole,
    csrf: String,
    flash: Option<Flash>,
}

impl Sessions {
    pub fn new(store: Store, idle: Duration, config_users: &[WebUser]) -> Sessions {
        Sessions { store, idle, config_users: config_users.iter().map(|u| (u.name.clone(), u.role)).collect() }
    }

    fn expiry(&self, now: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
        now + chrono::Duration::from_std(self.idle).unwrap_or(chrono::Duration::hours(8))
    }

    /// A new session for `user`: its id (for the cookie).
    pub async fn create(&self, user: &str) -> Result<String, StoreError> {
        let id = random_token();
        let now = chrono::Utc::now();
        let (at, until) = (crate::store::ts(now), crate::store::ts(self.expiry(now)));
        self.store.create_session(&id_hash(&id), user, &random_token(), &at, &until, MAX_SESSIONS_PER_USER).await?;
        Ok(id)
    }

    /// The live session with this id, its idle expiry renewed and its flash message taken; none
    /// when it expired or its user is gone (then it is deleted).
    async fn touch(&self, id: &str) -> Result<Option<Live>, StoreError> {
        let hash = id_hash(id);
        let Some(s) = self.store.session(&hash).await? else { return Ok(None) };
        let now = chrono::Utc::now();
        let role = self.config_users.iter().find(|(n, _)| *n == s.user).map(|(_, r)| *r).or(s.stored_role);
        let expires = crate::store::parse_ts(&s.expires_at);
        let (Some(role), Some(expires)) = (role, expires.filter(|e| *e > now)) else {
            self.store.delete_session(&hash).await?;
            return Ok(None);
        };
        // Renewed at most once a minute: a page view is not a write each time.
        let renewed = self.expiry(now);
        if renewed - expires > chrono::Duration::seconds(60) {
            self.store.renew_session(&hash, &crate::store::ts(renewed)).await?;
        }
        if s.flash.is_some() {
            self.store.clear_flash(&hash).await?;
        }
        Ok(Some(Live { user: s.user, role, csrf: s.csrf, flash: s.flash.map(|(ok, text)| Flash { ok, text }) }))
    }

    pub async fn flash(&self, id: &str, ok: bool, text: impl Into<String>) -> Result<(), StoreError> {
        self.store.set_flash(&id_hash(id), ok, &text.into()).await
    }

    pub async fn remove(&self, id: &str) -> Result<(), StoreError> {
        self.store.delete_session(&id_hash(id)).await
    }

    /// Forget the sessions that expired.
    pub async fn clean(&self) -> Result<u64, StoreError> {
        self.store.delete_expired_sessions(&crate::store::ts(chrono::Utc::now())).await
    }
}

/// Failed logins in a sliding window, per key (`user:NAME`, `ip:ADDR`).
#[derive(Default)]
pub struct Limiter {
    failures: HashMap<String, VecDeque<Instant>>,
}

impl Limiter {
    fn prune(&mut self, now: Instant) {
        if self.failures.len() > 50_000 {
            self.failures.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < LOGIN_WINDOW));
        }
    }

    fn count(&mut self, key: &str, now: Instant) -> usize {
        match self.failures.get_mut(key) {
            Some(q) => {
                while q.front().is_some_and(|t| now.duration_since(*t) >= LOGIN_WINDOW) {
                    q.pop_front();
                }
                q.len()
            }
            None => 0,
        }
    }

    /// Is a login for `user` from `ip` refused now?
    pub fn blocked(&mut self, user: &str, ip: IpAddr) -> bool {
        let now = Instant::now();
        self.count(&user_key(user), now) >= MAX_FAILURES_PER_USER || self.count(&ip_key(ip), now) >= MAX_FAILURES_PER_IP
    }

    pub fn failed(&mut self, user: &str, ip: IpAddr) {
        let now = Instant::now();
        self.prune(now);
        for k in [user_key(user), ip_key(ip)] {
            let q = self.failures.entry(k).or_default();
            q.push_back(now);
            while q.len() > MAX_FAILURES_PER_IP * 2 {
                q.pop_front();
            }
        }
    }

    pub fn succeeded(&mut self, user: &str) {
        self.failures.remove(&user_key(user));
    }
}

fn user_key(user: &str) -> String {
    format!("user:{}", user.trim().to_lowercase())
}

fn ip_key(ip: IpAddr) -> String {
    format!("ip:{ip}")
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie(parts: &axum::http::HeaderMap, name: &str) -> Option<String> {
    parts
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
}

/// A `Set-Cookie` value with the attributes every seatmail cookie has.
pub fn set_cookie(name: &str, value: &str, path: &str, max_age: Option<u64>, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// The logged-in person making this request.
#[derive(Debug, Clone)]
pub struct Auth {
    pub sid: String,
    pub user: String,
    pub role: WebRole,
    pub csrf: String,
    pub flash: Option<Flash>,
}

impl Auth {
    /// Every POST: the form's token must be the session's; acting needs an operator.
    pub fn check(&self, form_token: &str, act: bool) -> Result<(), WebError> {
        if !same_token(form_token, &self.csrf) {
            return Err(WebError::Csrf);
        }
        if act && self.role != WebRole::Operator {
            return Err(WebError::Forbidden);
        }
        Ok(())
    }

    pub fn is_operator(&self) -> bool {
        self.role == WebRole::Operator
    }
}

impl FromRequestParts<std::sync::Arc<WebState>> for Auth {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &std::sync::Arc<WebState>) -> Result<Self, Self::Rejection> {
        let post = parts.method != Method::GET && parts.method != Method::HEAD;
        let login = || WebError::LoginRequired {
            post,
            next: parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into()),
        };
        let Some(sid) = cookie(&parts.headers, SESSION_COOKIE) else { return Err(login()) };
        let Some(s) = state.sessions.touch(&sid).await? else { return Err(login()) };
        Ok(Auth { sid, user: s.user, role: s.role, csrf: s.csrf, flash: s.flash })
    }
}

impl OptionalFromRequestParts<std::sync::Arc<WebState>> for Auth {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &std::sync::Arc<WebState>,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(<Auth as FromRequestParts<_>>::from_request_parts(parts, state).await.ok())
    }
}

/// A `next` target that stays on this site (no `//host`, no scheme).
pub fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') && !next.starts_with("/login") {
        next.to_string()
    } else {
        "/".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("x", "not a hash"));
        assert!(matches!(hash_password("short"), Err(PasswordError::TooShort)));
    }

    #[test]
    fn login_failures_are_limited_per_user_and_per_address() {
        let mut l = Limiter::default();
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..MAX_FAILURES_PER_USER {
            assert!(!l.blocked("ops", ip));
            l.failed("ops", ip);
        }
        assert!(l.blocked("OPS", ip));
        assert!(!l.blocked("other", ip));
        for i in 0..MAX_FAILURES_PER_IP {
            l.failed(&format!("u{i}"), ip);
        }
        assert!(l.blocked("fresh", ip));
        assert!(!l.blocked("fresh", "127.0.0.2".parse().unwrap()));
    }

    #[test]
    fn tokens_compare_exactly_and_next_stays_local() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("", ""));
        assert_eq!(safe_next("//evil.example/x"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/messages?q=x"), "/messages?q=x");
    }

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = axum::http::HeaderMap::new();
        h.insert(header::COOKIE, "a=1; seatmail_session=xyz; b=2".parse().unwrap());
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("xyz"));
        assert_eq!(cookie(&h, "c"), None);
    }
}
