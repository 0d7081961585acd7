//! What the IMAP and SMTP sections share: how a connection is protected, and the checks of a
//! server's address.

use std::path::Path;

use serde::Deserialize;

use super::error::{invalid, ConfigError};

/// How a connection to a mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// TLS from the first byte (IMAPS 993, SMTPS 465).
    Implicit,
    /// Plain connection upgraded with STARTTLS, which is required: no fallback to plain text.
    Starttls,
    /// No encryption: allowed only to a loopback address.
    None,
}

pub(super) fn check_server(section: &str, host: &str, tls: TlsMode, ca_file: Option<&Path>) -> Result<(), ConfigError> {
    if host.is_empty() {
        return Err(invalid(&format!("{section}.host"), "must not be empty"));
    }
    if tls == TlsMode::None && !crate::tls::is_loopback(host) {
        return Err(invalid(
            &format!("{section}.tls"),
            format!("\"none\" sends the password in clear text: only allowed to a loopback address, not {host}"),
        ));
    }
    if let Some(ca) = ca_file {
        if !ca.is_file() {
            return Err(invalid(&format!("{section}.ca_file"), format!("{} is not a file", ca.display())));
        }
    }
    Ok(())
}
