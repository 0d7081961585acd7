//! The ops dashboard, served by the daemon itself: the queue with approve / reject / correct,
//! every message with its outcome, customers and their seats, the outbox with retry, the
//! agreement of ops with seatmail's reading, and the health page; `/healthz` for probes and `/metrics` for Prometheus.
//!
//! axum on the daemon's runtime, minijinja templates embedded in the binary (`templates/web/`,
//! HTML-escaped: a mail is attacker-controlled), one CSS file, no JavaScript. Sessions, CSRF
//! and the login rate limit are in [`auth`]. Actions go through the same [`Processor`] as the
//! CLI, with the web user's name as the actor (the ledger says `ops:NAME`).

mod actions;
mod agreement;
pub mod auth;
pub mod charts;
mod correction;
mod favicon;
pub mod mailview;
mod metrics;
mod pages;
mod status;
mod vendor;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use tokio_util::sync::CancellationToken;

use crate::apply::{ApplyError, Processor};
use crate::config::Config;
use crate::parse::Catalog;
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("login required")]
    LoginRequired { post: bool, next: String },
    #[error("the form's security token is missing or out of date: reload the page and try again")]
    Csrf,
    #[error("only operators may do this: you are logged in as a viewer")]
    Forbidden,
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Apply(#[from] ApplyError),
    #[error("page template: {0}")]
    Template(#[from] minijinja::Error),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: String, source: std::io::Error },
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = match &self {
            WebError::LoginRequired { post: false, next } => {
                let target = format!("/login?next={}", url_encode(next));
                return Redirect::to(&target).into_response();
            }
            WebError::LoginRequired { post: true, .. } | WebError::Csrf | WebError::Forbidden => StatusCode::FORBIDDEN,
            WebError::NotFound(_) | WebError::Store(StoreError::NotFound(_)) => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Apply(ApplyError::Refused(_)) => StatusCode::CONFLICT,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let text = if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self, "dashboard request failed");
            "Something went wrong on the server; the log has the details.".to_string()
        } else {
            self.to_string()
        };
        let body = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{code} · seatmail</title>\
             <link rel=\"icon\" href=\"/favicon.ico\"><link rel=\"stylesheet\" href=\"/static/style.css\"></head><body><main class=\"narrow\">\
             <h1>{code}</h1><p class=\"flash err\">{msg}</p><p><a href=\"/\">Back to the queue</a></p></main></body></html>",
            code = status.as_u16(),
            msg = escape(&text)
        );
        (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
    }
}

/// HTML-escape (for the few strings written without a template).
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Percent-encode a query value.
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub struct WebState {
    pub store: Store,
    pub processor: Processor,
    pub config: Arc<Config>,
    pub catalog: Arc<Catalog>,
    templates: minijinja::Environment<'static>,
    pub sessions: auth::Sessions,
    pub limiter: Mutex<auth::Limiter>,
    /// Verified against for unknown users, so that a wrong name costs as long as a wrong password.
    dummy_hash: String,
}

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html.j2", include_str!("../../templates/web/base.html.j2")),
    ("macros.html.j2", include_str!("../../templates/web/macros.html.j2")),
    ("login.html.j2", include_str!("../../templates/web/login.html.j2")),
    ("queue.html.j2", include_str!("../../templates/web/queue.html.j2")),
    ("messages.html.j2", include_str!("../../templates/web/messages.html.j2")),
    ("message.html.j2", include_str!("../../templates/web/message.html.j2")),
    ("customers.html.j2", include_str!("../../templates/web/customers.html.j2")),
    ("customer.html.j2", include_str!("../../templates/web/customer.html.j2")),
    ("outbox.html.j2", include_str!("../../templates/web/outbox.html.j2")),
    ("health.html.j2", include_str!("../../templates/web/health.html.j2")),
    ("vendor.html.j2", include_str!("../../templates/web/vendor.html.j2")),
    ("agreement.html.j2", include_str!("../../templates/web/agreement.html.j2")),
];

const STYLE: &str = include_str!("../../templates/web/style.css");

fn environment() -> Result<minijinja::Environment<'static>, minijinja::Error> {
    let mut env = minijinja::Environment::new();
    // Every page is HTML: escape everything that is not marked safe, whatever the name.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Lenient);
    for (name, text) in TEMPLATES {
        env.add_template(name, text)?;
    }
    env.add_filter("short", |s: String, n: usize| -> String {
        if s.chars().count() > n {
            format!("{}…", s.chars().take(n.saturating_sub(1)).collect::<String>())
        } else {
            s
        }
    });
    env.add_filter("when", |s: String| -> String { s.chars().take(16).collect::<String>().replace('T', " ") });
    env.add_filter("age", |s: String| -> String { age(&s) });
    env.add_filter("ago", |s: String| -> String {
        match age(&s).as_str() {
            "" => String::new(),
            "less than a minute" => "just now".into(),
            a => format!("{a} ago"),
        }
    });
    env.add_filter("urlq", |s: String| -> String { url_encode(&s) });
    Ok(env)
}

/// "less than a minute", "3 min", "2 h", "5 d" since a stored time (`ago` adds the word).
fn age(ts: &str) -> String {
    crate::store::parse_ts(ts).map(|t| crate::clock::elapsed(t, chrono::Utc::now())).unwrap_or_default()
}

impl WebState {
    pub fn new(store: Store, processor: Processor, config: Arc<Config>, catalog: Arc<Catalog>) -> Result<WebState, WebError> {
        let idle = Duration::from_secs(config.web.session_minutes.saturating_mul(60));
        Ok(WebState {
            sessions: auth::Sessions::new(store.clone(), idle, &config.web.users),
            store,
            processor,
            catalog,
            templates: environment()?,
            limiter: Mutex::new(auth::Limiter::default()),
            dummy_hash: auth::hash_password("not-a-password-anyone-has").unwrap_or_default(),
            config,
        })
    }

    fn render(&self, name: &str, ctx: minijinja::Value) -> Result<Response, WebError> {
        let html = self.templates.get_template(name)?.render(ctx)?;
        Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
    }
}

pub fn router(state: Arc<WebState>) -> Router {
    Router::new()
        .route("/", get(pages::queue))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/queue/{id}/approve", post(actions::approve))
        .route("/queue/{id}/reject", post(actions::reject))
        .route("/queue/{id}/correct", post(actions::correct))
        .route("/messages", get(pages::messages))
        .route("/messages/{key}", get(pages::message))
        .route("/customers", get(pages::customers))
        .route("/customers/{id}", get(pages::customer))
        .route("/outbox", get(status::outbox))
        .route("/outbox/{id}/retry", post(actions::retry))
        .route("/vendor/{id}/retry", post(vendor::retry))
        .route("/health", get(status::health))
        .route("/agreement", get(agreement::agreement))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::metrics))
        .route("/static/style.css", get(style))
        .route("/favicon.ico", get(favicon::favicon))
        .fallback(|| async { WebError::NotFound("no such page".into()) })
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

async fn security_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}

async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")], STYLE).into_response()
}

/// For probes: no login; 200 `ok` when the store answers.
async fn healthz(axum::extract::State(state): axum::extract::State<Arc<WebState>>) -> Response {
    match tokio::time::timeout(Duration::from_secs(5), state.store.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], "ok\n").into_response(),
        Ok(Err(e)) => (StatusCode::SERVICE_UNAVAILABLE, format!("store: {e}\n")).into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "store: no answer within 5 s\n").into_response(),
    }
}

/// A bound dashboard, ready to serve.
pub struct WebServer {
    listener: tokio::net::TcpListener,
    router: Router,
    state: Arc<WebState>,
}

impl WebServer {
    /// Bind `[web] bind` now, so that a taken port is an error at start, not later.
    pub async fn bind(state: WebState) -> Result<WebServer, WebError> {
        let addr = state.config.web.bind.clone();
        let listener = tokio::net::TcpListener::bind(&addr).await.map_err(|source| WebError::Bind { addr, source })?;
        let state = Arc::new(state);
        Ok(WebServer { listener, router: router(state.clone()), state })
    }

    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr().ok()
    }

    /// Serve until `cancel`; then stop accepting, let requests in flight finish (10 s at most).
    pub async fn run(self, cancel: CancellationToken) {
        let addr = self.local_addr();
        tracing::info!(address = ?addr, "dashboard listening");
        // Expired sessions go at every start and every login (`Store::create_session`).
        match self.state.sessions.clean().await {
            Ok(n) if n > 0 => tracing::info!(sessions = n, "expired dashboard sessions deleted"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "expired dashboard sessions could not be deleted"),
        }
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let stop = cancel.clone();
        let serve = axum::serve(self.listener, service).with_graceful_shutdown(async move { stop.cancelled().await });
        let deadline = async {
            cancel.cancelled().await;
            tokio::time::sleep(Duration::from_secs(10)).await;
        };
        tokio::select! {
            r = serve => if let Err(e) = r { tracing::error!(error = %e, "dashboard stopped") },
            _ = deadline => tracing::warn!("dashboard: requests still open 10 s after shutdown; closed"),
        }
    }
}
