//! What the IMAP and SMTP sections share: how a connection is protected, and the checks of a
//! server's address.

use std::path::Path;

use serde::Deserialize;

use super::error::{invalid, ConfigError};
use crate::oauth::OAuth2Config;
use crate::secret::SecretSource;

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

/// How `section` logs in: with `auth = "oauth2"`, its `[SECTION.oauth2]` (checked, the files it
/// names read) and no password; otherwise no such section. True for an OAuth2 login.
pub(super) fn check_oauth2(section: &str, oauth: bool, oauth2: Option<&OAuth2Config>, password: &SecretSource) -> Result<bool, ConfigError> {
    match (oauth, oauth2) {
        (true, Some(o)) => {
            if password.is_set() {
                return Err(invalid(&format!("{section}.password"), "not used with auth = \"oauth2\": remove it"));
            }
            crate::oauth::check(&format!("{section}.oauth2"), o)?;
            Ok(true)
        }
        (true, None) => Err(invalid(&format!("{section}.oauth2"), format!("auth = \"oauth2\" needs an [{section}.oauth2] section"))),
        (false, Some(_)) => Err(invalid(&format!("{section}.auth"), format!("an [{section}.oauth2] section is set: use auth = \"oauth2\""))),
        (false, None) => Ok(false),
    }
}
