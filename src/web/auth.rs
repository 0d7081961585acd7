//! Who is at the dashboard: argon2 password checks, server-side sessions with a CSRF token each,
//! and the login rate limit.
//!
//! - A session id is 32 random bytes (hex) from the OS, kept only in memory with its user,
//!   role, CSRF token and idle expiry; the cookie carrying it is `HttpOnly; SameSite=Strict`
//!   (and `Secure` with `[web] secure_cookies`). A daemon restart logs everybody out.
//! - Every form carries the session's CSRF token in a hidden field; every POST compares it in
//!   constant time. The login form has its own token, paired with a short-lived cookie.
//! - Failed logins are counted per user name and per client address in a sliding window; over
//!   the limit, the login is refused before the password is even checked.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, Method};
use rand::RngCore;

use super::{WebError, WebState};
use crate::config::WebRole;

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

#[derive(Debug, Clone)]
struct SessionData {
    user: String,
    role: WebRole,
    csrf: String,
    expires: Instant,
    flash: Option<Flash>,
}

pub struct Sessions {
    map: Mutex<HashMap<String, SessionData>>,
    idle: Duration,
}

/// Sessions kept at most; the oldest-expiring are dropped beyond it.
const MAX_SESSIONS: usize = 10_000;

impl Sessions {
    pub fn new(idle: Duration) -> Sessions {
        Sessions { map: Mutex::new(HashMap::new()), idle }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, SessionData>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new session for `user`: its id (for the cookie).
    pub fn create(&self, user: &str, role: WebRole) -> String {
        let id = random_token();
        let now = Instant::now();
        let mut map = self.lock();
        map.retain(|_, s| s.expires > now);
        if map.len() >= MAX_SESSIONS {
            if let Some(oldest) = map.iter().min_by_key(|(_, s)| s.expires).map(|(k, _)| k.clone()) {
                map.remove(&oldest);
            }
        }
        map.insert(
            id.clone(),
            SessionData { user: user.to_string(), role, csrf: random_token(), expires: now + self.idle, flash: None },
        );
        id
    }

    /// The live session with this id (its idle expiry renewed), and its flash message taken.
    fn touch(&self, id: &str) -> Option<(SessionData, Option<Flash>)> {
        let now = Instant::now();
        let mut map = self.lock();
        match map.get_mut(id) {
            Some(s) if s.expires > now => {
                s.expires = now + self.idle;
                let flash = s.flash.take();
                Some((s.clone(), flash))
            }
            Some(_) => {
                map.remove(id);
                None
            }
            None => None,
        }
    }

    pub fn flash(&self, id: &str, ok: bool, text: impl Into<String>) {
        if let Some(s) = self.lock().get_mut(id) {
            s.flash = Some(Flash { ok, text: text.into() });
        }
    }

    pub fn remove(&self, id: &str) {
        self.lock().remove(id);
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
        let Some((s, flash)) = state.sessions.touch(&sid) else { return Err(login()) };
        Ok(Auth { sid, user: s.user, role: s.role, csrf: s.csrf, flash })
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
