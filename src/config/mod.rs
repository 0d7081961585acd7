//! The one typed configuration, loaded once at start.
//!
//! A TOML file (default `$SEATMAIL_CONFIG`, then `config/seatmail.toml`) with environment
//! overrides: `SEATMAIL_SECTION__KEY=value` sets `[section] key` (double underscore between
//! levels, so keys may keep their single underscores: `SEATMAIL_POLICY__APPROVAL_THRESHOLD=50`).
//! Everything is checked before any worker starts, and every error names the key that is wrong.
//! Variables without a `__` (`SEATMAIL_CONFIG`, `SEATMAIL_LOG`) are not overrides.
//! Relative paths are taken relative to the working directory.
//!
//! One file per group of sections, each with its own checks; the OAuth2 sections and the
//! secrets live with their code ([`crate::oauth`], [`crate::secret`]).

mod error;
mod intake;
mod ops;
mod outbox;
mod sections;
mod server;
#[cfg(test)]
mod tests;
mod vendor;
mod web;

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use error::ConfigError;
pub use intake::{ImapAuth, ImapConfig, IntakeConfig, IntakeKind, MaildirConfig, OutcomeFolders};
pub use ops::{parse_time_zone, OpsConfig};
pub use outbox::{FileOutboxConfig, OutboxConfig, OutboxKind, SmtpAuth, SmtpConfig};
pub use sections::{
    is_address, AnswersConfig, CatalogConfig, Cautious, CautiousConfig, ConfirmMode, DatabaseConfig, LimitsConfig, PolicyConfig, TrustConfig, TrustRequire,
};
pub use server::TlsMode;
pub use vendor::{PartnerCenterConfig, VendorConfig, VendorKind, WebhookConfig, PARTNER_CENTER_SCOPE, PARTNER_CENTER_URL};
pub use web::{WebConfig, WebRole, WebUser};

use crate::parse::Catalog;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub intake: IntakeConfig,
    #[serde(default)]
    pub database: DatabaseConfig,
    #[serde(default)]
    pub outbox: OutboxConfig,
    #[serde(default)]
    pub answers: AnswersConfig,
    #[serde(default)]
    pub policy: PolicyConfig,
    #[serde(default)]
    pub trust: TrustConfig,
    #[serde(default)]
    pub limits: LimitsConfig,
    #[serde(default)]
    pub catalog: CatalogConfig,
    #[serde(default)]
    pub web: WebConfig,
    #[serde(default)]
    pub ops: OpsConfig,
    #[serde(default)]
    pub vendor: VendorConfig,
}

impl Config {
    /// The config file to use: the explicit one, `$SEATMAIL_CONFIG`, then `config/seatmail.toml`.
    pub fn locate(explicit: Option<&Path>) -> PathBuf {
        explicit
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("SEATMAIL_CONFIG").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("config/seatmail.toml"))
    }

    /// Read, apply `SEATMAIL_*` overrides, deserialize and validate.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
        Self::from_toml(&text, path, std::env::vars())
    }

    pub fn from_toml(text: &str, path: &Path, env: impl IntoIterator<Item = (String, String)>) -> Result<Config, ConfigError> {
        let syntax = |e: toml::de::Error| ConfigError::Syntax { path: path.to_path_buf(), message: e.to_string() };
        let mut doc: toml::Table = toml::from_str(text).map_err(syntax)?;
        let mut overridden = false;
        for (var, value) in env {
            // Every key lives in a section, so an override always has a `__`; that keeps
            // SEATMAIL_CONFIG, SEATMAIL_LOG and the like out of the config.
            let Some(rest) = var.strip_prefix("SEATMAIL_").filter(|r| r.contains("__")) else { continue };
            apply_override(&mut doc, &var, rest, &value)?;
            overridden = true;
        }
        // Re-parsing from text (rather than from the Value) keeps toml's error messages, which
        // name the key path of a wrongly typed value.
        let merged = if overridden { toml::to_string(&doc).unwrap_or_default() } else { text.to_string() };
        let config: Config = toml::from_str(&merged).map_err(syntax)?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.database.validate()?;
        self.answers.validate()?;
        self.policy.validate()?;
        self.trust.validate()?;
        self.intake.validate()?;
        self.outbox.validate()?;
        self.limits.validate()?;
        self.catalog.load()?;
        self.web.validate()?;
        self.ops.validate()?;
        self.vendor.validate()
    }

    /// The zone of the digest's hour and of the times in ops mails.
    pub fn ops_time_zone(&self) -> chrono_tz::Tz {
        self.ops.time_zone.as_deref().and_then(|z| z.parse().ok()).unwrap_or_else(|| self.answers.time_zone())
    }

    pub fn catalog(&self) -> Result<Catalog, ConfigError> {
        self.catalog.load()
    }
}

fn apply_override(doc: &mut toml::Table, var: &str, rest: &str, value: &str) -> Result<(), ConfigError> {
    let parts: Vec<String> = rest.split("__").map(|p| p.to_ascii_lowercase()).collect();
    if parts.iter().any(String::is_empty) {
        return Err(ConfigError::Env { var: var.into(), message: "empty key segment".into() });
    }
    let (leaf, sections) = parts.split_last().expect("split yields at least one part");
    let mut table = doc;
    for section in sections {
        let entry = table.entry(section.clone()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        table = entry.as_table_mut().ok_or_else(|| ConfigError::Env {
            var: var.into(),
            message: format!("`{section}` is a value, not a section"),
        })?;
    }
    // A value that parses as a TOML scalar or array keeps its type (numbers, booleans, lists);
    // anything else is a string.
    let parsed = format!("v = {value}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(value.to_string()));
    table.insert(leaf.clone(), parsed);
    Ok(())
}
