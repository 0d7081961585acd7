//! `seatmail check-config --connect`: the whole path to both servers (and the vendor's login),
//! one line per fact. IMAP:
//! log in, find the folders, create the missing outcome folders, select the intake folder (as
//! the daemon does at start). SMTP: connect and log in. A TLS mode that does not fit the port is
//! named as such.

use crate::config::{Config, DatabaseConfig, IntakeKind, OutboxKind, SmtpConfig, TlsMode};

/// Both servers, whatever `auth` they use; true when both work.
pub async fn connections(config: &Config) -> bool {
    let mut failed = false;
    match (config.intake.kind, &config.intake.imap) {
        (IntakeKind::Imap, Some(imap)) => {
            let what = format!("imap {}:{} as {} (auth {:?})", imap.host, imap.port(), imap.user, imap.auth);
            // The intake's check needs no store: an in-memory one leaves the database alone.
            let result = async {
                let store = crate::store::Store::open(&DatabaseConfig {
                    url: "sqlite::memory:".into(),
                    max_connections: 1,
                    busy_timeout_ms: 1000,
                })
                .await
                .map_err(|e| e.to_string())?;
                let intake = crate::app::imap_intake(config, store).map_err(|e| e.to_string())?;
                intake.check().await.map_err(|e| e.to_string())
            }
            .await;
            match result {
                Ok(probe) => {
                    crate::out!("{what}: ok");
                    for line in probe.lines(imap) {
                        crate::out!("  {line}");
                    }
                }
                Err(e) => {
                    failed = true;
                    crate::out!("{what}: FAILED: {e}");
                }
            }
        }
        _ => crate::out!("intake {:?}: no server to log in to", config.intake.kind),
    }
    match (config.outbox.kind, &config.outbox.smtp) {
        (OutboxKind::Smtp, Some(smtp)) => {
            let what = format!(
                "smtp {}:{}{} (auth {:?})",
                smtp.host,
                smtp.port(),
                smtp.user.as_deref().map(|u| format!(" as {u}")).unwrap_or_default(),
                smtp.auth()
            );
            let result = match crate::app::smtp_transport(config) {
                Ok(t) => t.check().await.map_err(|e| smtp_tls_hint(e, smtp)),
                Err(e) => Err(e.to_string()),
            };
            match result {
                Ok(()) => crate::out!("{what}: ok"),
                Err(e) => {
                    failed = true;
                    crate::out!("{what}: FAILED: {e}");
                }
            }
        }
        _ => crate::out!("outbox {:?}: no server to log in to", config.outbox.kind),
    }
    if let Some((line, ok)) = crate::vendor::check(&config.vendor).await {
        failed |= !ok;
        crate::out!("{line}");
    }
    !failed
}

/// Name a TLS mode that does not fit the port, rather than leave the TLS library's words alone.
fn smtp_tls_hint(error: String, smtp: &SmtpConfig) -> String {
    let port = smtp.port();
    if smtp.tls == TlsMode::Implicit && (error.contains("InvalidContentType") || error.contains("corrupt message")) {
        format!("{error} — tls = \"implicit\" but port {port} answers in plain text: set tls = \"starttls\" for this port, or use the implicit-TLS port (usually 465)")
    } else if smtp.tls != TlsMode::Implicit && (error.contains("no answer") || error.contains("timed out")) {
        format!("{error} — if port {port} is an implicit-TLS port (usually 465), set tls = \"implicit\"")
    } else {
        error
    }
}
