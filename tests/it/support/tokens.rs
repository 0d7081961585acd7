//! A small OAuth2 authorization server for the integration tests: the token endpoint seatmail
//! asks (`POST /token`, RFC 6749: the client-credentials and refresh-token grants, client
//! authentication in the body) and the token-introspection endpoint Dovecot's `oauth2` passdb
//! asks (`POST /introspect`, RFC 7662).
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
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tokio::sync::oneshot;

struct Issued {
    expires: Instant,
    revoked: bool,
    username: String,
}

struct Shared {
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
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            refresh_token: refresh_token.into(),
            username: Mutex::new(username.into()),
            expires_in: AtomicU64::new(expires_in),
            client_revoked: AtomicBool::new(false),
            broken: AtomicBool::new(false),
            tokens: Mutex::new(HashMap::new()),
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
    let refuse = |status: StatusCode, error: &str, description: &str| {
        s.refused.fetch_add(1, Ordering::SeqCst);
        json(status, serde_json::json!({ "error": error, "error_description": description }))
    };
    if field("client_id") != s.client_id
        || field("client_secret") != s.client_secret
        || s.client_revoked.load(Ordering::SeqCst)
    {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.",
        );
    }
    match field("grant_type") {
        "client_credentials" => {}
        "refresh_token" if field("refresh_token") == s.refresh_token => {}
        "refresh_token" => {
            return refuse(StatusCode::BAD_REQUEST, "invalid_grant", "AADSTS70008: The provided refresh token has expired due to inactivity.")
        }
        other => return refuse(StatusCode::BAD_REQUEST, "unsupported_grant_type", &format!("grant_type {other} is not supported")),
    }
    let value: String = (0..2).map(|_| uuid::Uuid::new_v4().simple().to_string()).collect();
    let expires_in = s.expires_in.load(Ordering::SeqCst);
    let username = s.username.lock().unwrap().clone();
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
