//! What is wrong with a config: the file, its syntax, a key (named in full), an override.

use std::path::PathBuf;

use crate::oauth::SettingError;
use crate::secret::SecretError;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("config file {path}: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error("config key `{key}`: {message}")]
    Invalid { key: String, message: String },
    #[error("environment override {var}: {message}")]
    Env { var: String, message: String },
}

impl From<SecretError> for ConfigError {
    fn from(e: SecretError) -> Self {
        ConfigError::Invalid { key: e.key, message: e.message }
    }
}

impl From<SettingError> for ConfigError {
    fn from(e: SettingError) -> Self {
        ConfigError::Invalid { key: e.key, message: e.message }
    }
}

pub(super) fn invalid(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { key: key.to_string(), message: message.into() }
}

/// Each `(key, value)` of `section` at least `min`; the error names the key that is not.
pub(super) fn at_least(section: &str, min: i128, values: &[(&str, i128)]) -> Result<(), ConfigError> {
    match values.iter().find(|(_, v)| *v < min) {
        Some((key, _)) => Err(invalid(&format!("{section}.{key}"), format!("must be at least {min}"))),
        None => Ok(()),
    }
}

/// A `kind` that needs its own section (`[intake.imap]` for `intake.kind = "imap"`): checked
/// when it is there, an error naming it when it is not.
pub(super) fn needed<T>(
    wanted: bool,
    section: Option<&T>,
    key: &str,
    kind: &str,
    check: impl FnOnce(&T) -> Result<(), ConfigError>,
) -> Result<(), ConfigError> {
    match (wanted, section) {
        (true, None) => Err(invalid(key, format!("{kind} needs an [{key}] section"))),
        (true, Some(s)) => check(s),
        (false, _) => Ok(()),
    }
}
