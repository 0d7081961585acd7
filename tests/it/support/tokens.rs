//! A small OAuth2 authorization server for the integration tests: the token endpoint seatmail
//! asks (`POST /token`, RFC 6749: the client-credentials and refresh-token grants, client
//! authentication in the body) and the token-introspection endpoint Dovecot's `oauth2` passdb
//! asks (`POST /introspect`, RFC 7662).
//!
//! Like Microsoft Entra ID it also takes a certificate instead of the client secret: an RS256
//! JWT client assertion (RFC 7523 2.2) whose signature it verifies against the registered
//! certificate's public key, with the certificate's SHA-1 thumbprint as `x5t`, `aud` this
//! endpoint, `iss` = `sub` = the client id, a live `exp` at most 10 minutes out, and a `jti` not
//! seen before. Like Google it takes a service account's JWT as the grant (RFC 7523 2.1,
//! `urn:ietf:params:oauth:grant-type:jwt-bearer`): signature, `iss` the service account, `aud`,
//! `exp` at most an hour out, `scope` delegated (`https://mail.google.com/`) and `sub` a mailbox
//! of the domain; the token is then for that mailbox.
//!
//! Tokens are random, live `expires_in` seconds (settable while running), and are `active` only
//! while issued, unexpired and not revoked; introspection names the mailbox they were issued
//! for. The client can be revoked (the token endpoint answers 401 `invalid_client` with a
//! Microsoft-like `error_description`, and every token issued so far stops being active) and
//! allowed again. It counts what it issued. axum on its own thread and runtime; dropping it
//! stops the runtime and closes the port.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use axum::extract::{Form, State};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tokio::sync::oneshot;

struct Issued {
    expires: Instant,
    revoked: bool,
    username: String,
}

/// The certificate uploaded to the app registration.
struct Registered {
    /// DER `RSAPublicKey`.
    public_key: Vec<u8>,
    x5t: String,
}

/// A service account with domain-wide delegation.
struct ServiceAccount {
    email: String,
    public_key: Vec<u8>,
    /// The scopes delegated to it in the Admin console.
    delegated: Vec<String>,
}

pub const SERVICE_ACCOUNT_SCOPE: &str = "https://mail.google.com/";
const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

struct Shared {
    token_url: String,
    /// The mailboxes of the domain (a service account may impersonate them).
    mailboxes: Vec<String>,
    certificate: Mutex<Option<Registered>>,
    service_account: Mutex<Option<ServiceAccount>>,
    /// Every JWT received (client assertions and service-account grants), to check none is
    /// logged, and the `jti`s of the client assertions, to refuse a replay.
    assertions: Mutex<Vec<String>>,
    jtis: Mutex<std::collections::HashSet<String>>,
    verified: AtomicUsize,
    client_id: String,
    client_secret: String,
    refresh_token: String,
    /// The mailbox introspection names for tokens issued from now on.
    username: Mutex<String>,
    expires_in: AtomicU64,
    client_revoked: AtomicBool,
    /// Answer the token endpoint with an HTML error page (a broken proxy, a wrong URL).
    broken: AtomicBool,
    tokens: Mutex<HashMap<String, Issued>>,
    /// The `scope` of every token request (a resource server checks it was its own).
    scopes: Mutex<Vec<String>>,
    issued: AtomicUsize,
    refused: AtomicUsize,
    introspections: AtomicUsize,
}

pub struct TokenServer {
    pub port: u16,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl TokenServer {
    /// A server that issues tokens for `username` to `client_id` / `client_secret` (and to the
    /// holder of `refresh_token`), each valid `expires_in` seconds.
    pub fn start(client_id: &str, client_secret: &str, refresh_token: &str, username: &str, expires_in: u64) -> TokenServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the token server");
        listener.set_nonblocking(true).expect("nonblocking token listener");
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared {
            token_url: format!("http://127.0.0.1:{port}/token"),
            mailboxes: vec![username.into()],
            certificate: Mutex::new(None),
            service_account: Mutex::new(None),
            assertions: Mutex::new(Vec::new()),
            jtis: Mutex::new(Default::default()),
            verified: AtomicUsize::new(0),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            refresh_token: refresh_token.into(),
            username: Mutex::new(username.into()),
            expires_in: AtomicU64::new(expires_in),
            client_revoked: AtomicBool::new(false),
            broken: AtomicBool::new(false),
            tokens: Mutex::new(HashMap::new()),
            scopes: Mutex::new(Vec::new()),
            issued: AtomicUsize::new(0),
            refused: AtomicUsize::new(0),
            introspections: AtomicUsize::new(0),
        });
        let (shutdown, rx) = oneshot::channel::<()>();
        let state = shared.clone();
        let thread = std::thread::Builder::new()
            .name(format!("token-server-{port}"))
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("token server runtime");
                rt.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).expect("register the token listener");
                    let app = axum::Router::new()
                        .route("/token", post(token))
                        .route("/introspect", post(introspect))
                        .with_state(state);
                    let _ = axum::serve(listener, app)
                        .with_graceful_shutdown(async move {
                            let _ = rx.await;
                        })
                        .await;
                });
                rt.shutdown_timeout(Duration::from_secs(5));
            })
            .expect("spawn the token server");
        TokenServer { port, shared, shutdown: Some(shutdown), thread: Some(thread) }
    }

    pub fn token_url(&self) -> String {
        format!("http://127.0.0.1:{}/token", self.port)
    }

    pub fn introspection_url(&self) -> String {
        format!("http://127.0.0.1:{}/introspect", self.port)
    }

    /// Tokens issued so far.
    pub fn issued(&self) -> usize {
        self.shared.issued.load(Ordering::SeqCst)
    }

    /// Token requests refused (bad client, revoked client, bad refresh token).
    pub fn refused(&self) -> usize {
        self.shared.refused.load(Ordering::SeqCst)
    }

    pub fn introspections(&self) -> usize {
        self.shared.introspections.load(Ordering::SeqCst)
    }

    /// The `scope` of every token request so far.
    pub fn scopes(&self) -> Vec<String> {
        self.shared.scopes.lock().unwrap().clone()
    }

    /// What a resource server (an API the tokens are for) asks: is this bearer token active?
    pub fn validator(&self) -> Arc<dyn Fn(&str) -> bool + Send + Sync> {
        let shared = self.shared.clone();
        Arc::new(move |token: &str| {
            shared.tokens.lock().unwrap().get(token).is_some_and(|t| !t.revoked && Instant::now() < t.expires)
        })
    }

    /// Every token issued so far (to check that none is ever logged).
    pub fn tokens(&self) -> Vec<String> {
        self.shared.tokens.lock().unwrap().keys().cloned().collect()
    }

    /// The client is revoked: the token endpoint answers 401 `invalid_client`, and every token
    /// issued so far is no longer active.
    pub fn revoke_client(&self) {
        self.shared.client_revoked.store(true, Ordering::SeqCst);
        self.revoke_tokens();
    }

    /// The client may get tokens again.
    pub fn allow_client(&self) {
        self.shared.client_revoked.store(false, Ordering::SeqCst);
    }

    /// Every token issued so far stops being active (the client may still get new ones).
    pub fn revoke_tokens(&self) {
        for t in self.shared.tokens.lock().unwrap().values_mut() {
            t.revoked = true;
        }
    }

    pub fn set_expires_in(&self, secs: u64) {
        self.shared.expires_in.store(secs, Ordering::SeqCst);
    }

    /// Tokens issued from now on are for this mailbox (a token the mail server must refuse).
    pub fn set_username(&self, username: &str) {
        *self.shared.username.lock().unwrap() = username.into();
    }

    pub fn set_broken(&self, broken: bool) {
        self.shared.broken.store(broken, Ordering::SeqCst);
    }

    /// The client may also authenticate with this certificate (DER), whose key's public half
    /// is `public_key` (DER `RSAPublicKey`): "Certificates & secrets → Upload certificate".
    pub fn register_certificate(&self, certificate_der: &[u8], public_key: &[u8]) {
        let x5t = URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, certificate_der));
        *self.shared.certificate.lock().unwrap() = Some(Registered { public_key: public_key.to_vec(), x5t });
    }

    /// A service account whose key's public half is `public_key`, delegated the scope
    /// `https://mail.google.com/` for the domain's mailboxes.
    pub fn register_service_account(&self, email: &str, public_key: &[u8]) {
        *self.shared.service_account.lock().unwrap() = Some(ServiceAccount {
            email: email.into(),
            public_key: public_key.to_vec(),
            delegated: vec![SERVICE_ACCOUNT_SCOPE.into()],
        });
    }

    /// Domain-wide delegation for the service account: on (its scope) or removed.
    pub fn set_delegation(&self, on: bool) {
        if let Some(sa) = self.shared.service_account.lock().unwrap().as_mut() {
            sa.delegated = if on { vec![SERVICE_ACCOUNT_SCOPE.into()] } else { Vec::new() };
        }
    }

    /// Signed JWTs verified (client assertions and service-account grants).
    pub fn verified(&self) -> usize {
        self.shared.verified.load(Ordering::SeqCst)
    }

    /// Every JWT received (to check that none is ever logged).
    pub fn assertions(&self) -> Vec<String> {
        self.shared.assertions.lock().unwrap().clone()
    }
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// A compact JWS `header.claims.signature`: its header and claims, once the RS256 signature
/// verifies against `public_key` (DER `RSAPublicKey`). `Err` says what is wrong.
fn verify_jwt(jwt: &str, public_key: &[u8]) -> Result<(serde_json::Value, serde_json::Value), String> {
    let parts: Vec<&str> = jwt.split('.').collect();
    let [h, c, sig] = parts.as_slice() else { return Err("not a compact JWS".into()) };
    let json = |p: &str| -> Result<serde_json::Value, String> {
        let bytes = URL_SAFE_NO_PAD.decode(p).map_err(|e| format!("not base64url: {e}"))?;
        serde_json::from_slice(&bytes).map_err(|e| format!("not JSON: {e}"))
    };
    let header = json(h)?;
    if header["alg"] != "RS256" || header["typ"] != "JWT" {
        return Err(format!("header {header}: not RS256 / JWT"));
    }
    let signature = URL_SAFE_NO_PAD.decode(sig).map_err(|e| format!("signature not base64url: {e}"))?;
    ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, public_key)
        .verify(format!("{h}.{c}").as_bytes(), &signature)
        .map_err(|_| "invalid signature".to_string())?;
    Ok((header, json(c)?))
}

/// The client assertion of `form`: `Ok` when it is the registered certificate's, for this
/// client and this endpoint, live, and new; else Microsoft's `error_description`.
fn check_client_assertion(s: &Shared, form: &HashMap<String, String>) -> Result<(), String> {
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    s.assertions.lock().unwrap().push(field("client_assertion").to_string());
    if field("client_assertion_type") != CLIENT_ASSERTION_TYPE {
        return Err(format!("AADSTS50027: client_assertion_type {} is not supported", field("client_assertion_type")));
    }
    let registered = s.certificate.lock().unwrap();
    let Some(cert) = registered.as_ref() else {
        return Err("AADSTS700027: Client assertion contains an invalid signature. [Reason - No certificate is registered.]".into());
    };
    let (header, claims) = verify_jwt(field("client_assertion"), &cert.public_key)
        .map_err(|e| format!("AADSTS700027: Client assertion contains an invalid signature. [Reason - {e}.]"))?;
    if header["x5t"] != cert.x5t.as_str() {
        return Err(format!(
            "AADSTS700027: Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '{}']",
            header["x5t"]
        ));
    }
    if claims["aud"] != s.token_url.as_str() {
        return Err(format!("AADSTS700212: No matching federated identity record found for presented assertion audience {}.", claims["aud"]));
    }
    if claims["iss"] != s.client_id.as_str() || claims["sub"] != s.client_id.as_str() || field("client_id") != s.client_id {
        return Err("AADSTS700021: Client assertion application identifier doesn't match 'client_id' parameter.".into());
    }
    let now = now();
    let (nbf, iat, exp) = (claims["nbf"].as_i64(), claims["iat"].as_i64(), claims["exp"].as_i64());
    match (nbf, iat, exp) {
        (Some(nbf), Some(iat), Some(exp)) if nbf <= now + 60 && iat <= now + 60 && exp > now && exp <= now + 660 => {}
        _ => return Err(format!("AADSTS700024: Client assertion is not within its valid time range ({claims}, now {now}).")),
    }
    let jti = claims["jti"].as_str().unwrap_or("");
    if jti.len() < 16 || !s.jtis.lock().unwrap().insert(jti.to_string()) {
        return Err("AADSTS700025: Client assertion jti is missing or was used before.".into());
    }
    s.verified.fetch_add(1, Ordering::SeqCst);
    Ok(())
}

/// A service account's grant: `Ok(mailbox)` it may act as, or Google's (error, description).
fn check_service_account(s: &Shared, form: &HashMap<String, String>) -> Result<String, (StatusCode, &'static str, String)> {
    let assertion = form.get("assertion").map(String::as_str).unwrap_or("");
    s.assertions.lock().unwrap().push(assertion.to_string());
    let accounts = s.service_account.lock().unwrap();
    let grant = |d: &str| (StatusCode::BAD_REQUEST, "invalid_grant", d.to_string());
    let Some(sa) = accounts.as_ref() else { return Err(grant("Invalid JWT Signature.")) };
    let (_, claims) = verify_jwt(assertion, &sa.public_key).map_err(|_| grant("Invalid JWT Signature."))?;
    if claims["iss"] != sa.email.as_str() {
        return Err((StatusCode::UNAUTHORIZED, "invalid_client", "The OAuth client was not found.".into()));
    }
    if claims["aud"] != s.token_url.as_str() {
        return Err(grant("Invalid JWT: Failed audience check."));
    }
    let now = now();
    match (claims["iat"].as_i64(), claims["exp"].as_i64()) {
        (Some(iat), Some(exp)) if iat <= now + 60 && exp > now && exp - iat <= 3600 => {}
        _ => return Err(grant("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.")),
    }
    let scopes: Vec<&str> = claims["scope"].as_str().unwrap_or("").split_whitespace().collect();
    if scopes.is_empty() || !scopes.iter().all(|sc| sa.delegated.iter().any(|d| d == sc)) {
        return Err((
            StatusCode::UNAUTHORIZED,
            "unauthorized_client",
            "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.".into(),
        ));
    }
    let sub = claims["sub"].as_str().unwrap_or("");
    if !s.mailboxes.iter().any(|m| m == sub) {
        return Err(grant("Invalid email or User ID"));
    }
    s.verified.fetch_add(1, Ordering::SeqCst);
    Ok(sub.to_string())
}

impl Drop for TokenServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn json(status: StatusCode, body: serde_json::Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

async fn token(State(s): State<Arc<Shared>>, Form(form): Form<HashMap<String, String>>) -> Response {
    if s.broken.load(Ordering::SeqCst) {
        return (StatusCode::BAD_GATEWAY, [(header::CONTENT_TYPE, "text/html")], "<html><body><h1>502 Bad Gateway</h1></body></html>")
            .into_response();
    }
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    s.scopes.lock().unwrap().push(field("scope").to_string());
    let refuse = |status: StatusCode, error: &str, description: &str| {
        s.refused.fetch_add(1, Ordering::SeqCst);
        json(status, serde_json::json!({ "error": error, "error_description": description }))
    };
    let mut username = s.username.lock().unwrap().clone();
    if field("grant_type") == JWT_BEARER {
        match check_service_account(&s, &form) {
            Ok(sub) => username = sub,
            Err((status, error, description)) => return refuse(status, error, &description),
        }
    } else if form.contains_key("client_assertion") {
        if let Err(description) = check_client_assertion(&s, &form) {
            return refuse(StatusCode::UNAUTHORIZED, "invalid_client", &description);
        }
    } else if field("client_id") != s.client_id || field("client_secret") != s.client_secret {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.",
        );
    }
    if s.client_revoked.load(Ordering::SeqCst) {
        return refuse(StatusCode::UNAUTHORIZED, "invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.");
    }
    match field("grant_type") {
        "client_credentials" | JWT_BEARER => {}
        "refresh_token" if field("refresh_token") == s.refresh_token => {}
        "refresh_token" => {
            return refuse(StatusCode::BAD_REQUEST, "invalid_grant", "AADSTS70008: The provided refresh token has expired due to inactivity.")
        }
        other => return refuse(StatusCode::BAD_REQUEST, "unsupported_grant_type", &format!("grant_type {other} is not supported")),
    }
    let value: String = (0..2).map(|_| uuid::Uuid::new_v4().simple().to_string()).collect();
    let expires_in = s.expires_in.load(Ordering::SeqCst);
    s.tokens.lock().unwrap().insert(
        value.clone(),
        Issued { expires: Instant::now() + Duration::from_secs(expires_in), revoked: false, username },
    );
    s.issued.fetch_add(1, Ordering::SeqCst);
    json(StatusCode::OK, serde_json::json!({ "token_type": "Bearer", "expires_in": expires_in, "access_token": value }))
}

async fn introspect(State(s): State<Arc<Shared>>, Form(form): Form<HashMap<String, String>>) -> Response {
    s.introspections.fetch_add(1, Ordering::SeqCst);
    let tokens = s.tokens.lock().unwrap();
    let found = form.get("token").and_then(|t| tokens.get(t));
    match found {
        Some(t) if !t.revoked && Instant::now() < t.expires => {
            json(StatusCode::OK, serde_json::json!({ "active": true, "username": t.username, "scope": "mail" }))
        }
        // RFC 7662: an unknown, expired or revoked token is simply not active.
        _ => json(StatusCode::OK, serde_json::json!({ "active": false })),
    }
}
