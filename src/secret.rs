//! Secrets of the configuration (passwords, client secrets, refresh tokens, the metrics token):
//! a type that never prints, and where each comes from — the value itself, a file or an
//! environment variable — read when the config is checked, so that a missing one fails the
//! start and names its key.

use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;

/// A secret that could not be read, with the config key that names it.
#[derive(Debug, thiserror::Error)]
#[error("config key `{key}`: {message}")]
pub struct SecretError {
    pub key: String,
    pub message: String,
}

fn invalid(key: &str, message: impl Into<String>) -> SecretError {
    SecretError { key: key.to_string(), message: message.into() }
}

/// A value that must never be printed (passwords, tokens). `Debug` shows `***`.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl Secret {
    /// For secrets built in code (tokens).
    pub fn new(value: String) -> Secret {
        Secret(value)
    }
}

/// Where a secret comes from: `NAME`, `NAME_file` or `NAME_env` of a section, one of the three.
#[derive(Debug, Clone)]
pub struct SecretSource {
    pub name: &'static str,
    pub value: Option<Secret>,
    pub file: Option<PathBuf>,
    pub env: Option<String>,
    /// A password: taken as written (only a file's final line break is not part of it), and
    /// may be empty. Other secrets are trimmed and may not.
    pub exact: bool,
}

impl SecretSource {
    /// `password`, `password_file` or `password_env` of a server section.
    pub fn password(value: Option<Secret>, file: Option<PathBuf>, env: Option<String>) -> SecretSource {
        SecretSource { name: "password", value, file, env, exact: true }
    }

    pub fn is_set(&self) -> bool {
        self.value.is_some() || self.file.is_some() || self.env.is_some()
    }

    /// The secret, read now. Errors name the key.
    pub fn resolve(&self, section: &str) -> Result<Secret, SecretError> {
        let name = self.name;
        let key = |suffix: &str| format!("{section}.{name}{suffix}");
        let clean = |s: String| Secret(if self.exact { s } else { s.trim().to_string() });
        let secret = match (&self.value, &self.file, &self.env) {
            (Some(p), None, None) => p.clone(),
            (None, Some(f), None) => std::fs::read_to_string(f)
                .map(|s| clean(s.trim_end_matches(['\r', '\n']).to_string()))
                .map_err(|e| invalid(&key("_file"), format!("cannot read {}: {e}", f.display())))?,
            (None, None, Some(var)) => std::env::var(var)
                .map(clean)
                .map_err(|_| invalid(&key("_env"), format!("environment variable {var} is not set")))?,
            (None, None, None) => return Err(invalid(&key(""), format!("no {name}, {name}_file or {name}_env"))),
            _ => return Err(invalid(&key(""), format!("give only one of {name}, {name}_file, {name}_env"))),
        };
        if !self.exact && secret.expose().is_empty() {
            return Err(invalid(&key(""), "is empty"));
        }
        Ok(secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let s = Secret("hunter2".into());
        assert_eq!(format!("{s:?}"), "***");
    }

    #[test]
    fn each_source_names_its_key() {
        let none = SecretSource { name: "client_secret", value: None, file: None, env: None, exact: false };
        assert_eq!(none.resolve("o").unwrap_err().key, "o.client_secret");
        let file = SecretSource { file: Some("/nonexistent/secret".into()), ..none.clone() };
        assert_eq!(file.resolve("o").unwrap_err().key, "o.client_secret_file");
        let env = SecretSource { env: Some("SEATMAIL_UNIT_NO_SUCH_VAR".into()), ..none.clone() };
        assert_eq!(env.resolve("o").unwrap_err().key, "o.client_secret_env");
        let empty = SecretSource { value: Some(Secret::new(String::new())), ..none };
        assert_eq!(empty.resolve("o").unwrap_err().key, "o.client_secret");
        let password = SecretSource::password(None, None, Some("SEATMAIL_UNIT_NO_SUCH_VAR".into()));
        assert_eq!(password.resolve("intake.imap").unwrap_err().key, "intake.imap.password_env");
        assert_eq!(SecretSource::password(None, None, None).resolve("intake.imap").unwrap_err().key, "intake.imap.password");
        let spaced = SecretSource::password(Some(Secret::new(" p ".into())), None, None);
        assert_eq!(spaced.resolve("s").unwrap().expose(), " p ", "a password is taken as written");
    }
}
