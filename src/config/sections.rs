//! The sections without servers: `[database]`, `[answers]`, `[policy]`, `[trust]`, `[limits]`
//! and `[catalog]`, each with the checks of its keys.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use super::error::{at_least, invalid, ConfigError};
use crate::parse::{Catalog, Language, Limits};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite:path/to/file.db` or `postgres://user@host/db`.
    #[serde(default = "default_db_url")]
    pub url: String,
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
    /// How long an SQLite writer waits for another one before failing.
    #[serde(default = "default_busy_timeout_ms")]
    pub busy_timeout_ms: u64,
}

fn default_db_url() -> String {
    "sqlite:var/seatmail.db".into()
}

fn default_max_connections() -> u32 {
    5
}

fn default_busy_timeout_ms() -> u64 {
    10_000
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig { url: default_db_url(), max_connections: 5, busy_timeout_ms: 10_000 }
    }
}

impl DatabaseConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let url = &self.url;
        if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(invalid("database.url", format!("`{url}` is neither sqlite:FILE nor postgres://...")));
        }
        at_least("database", 1, &[("max_connections", self.max_connections.into())])
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswersConfig {
    #[serde(default = "default_templates")]
    pub templates: PathBuf,
    /// Our address: answers come from it, and mail from it is never answered (loops).
    #[serde(default = "default_from")]
    pub from: String,
    #[serde(default = "default_from_name")]
    pub from_name: String,
    /// Used when neither the customer nor the mail tells.
    #[serde(default = "default_language")]
    pub default_language: String,
    /// Domain of our Message-IDs; defaults to the domain of `from`.
    #[serde(default)]
    pub message_id_domain: Option<String>,
    /// Copy of every answer (e.g. the reseller's ops mailbox).
    #[serde(default)]
    pub bcc: Vec<String>,
    /// At most this many automatic answers to one address in 24 hours; further mails are
    /// recorded but not answered (a loop or a flood stops here).
    #[serde(default = "default_per_correspondent")]
    pub max_per_correspondent_per_day: i64,
    /// At most this many automatic answers in one thread (mails that reference ours).
    #[serde(default = "default_per_thread")]
    pub max_per_thread: i64,
    /// Times in answers (the customer's mail, a code's expiry) are given in this zone, unless
    /// the customer has its own (`time_zone` column of the subscriptions CSV).
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
}

fn default_time_zone() -> String {
    "UTC".into()
}

fn default_per_correspondent() -> i64 {
    10
}

fn default_per_thread() -> i64 {
    5
}

fn default_templates() -> PathBuf {
    PathBuf::from("templates")
}

fn default_from() -> String {
    "webservices@reseller.example".into()
}

fn default_from_name() -> String {
    "Reseller Webservices".into()
}

fn default_language() -> String {
    "en".into()
}

impl Default for AnswersConfig {
    fn default() -> Self {
        AnswersConfig {
            templates: default_templates(),
            from: default_from(),
            from_name: default_from_name(),
            default_language: default_language(),
            message_id_domain: None,
            bcc: Vec::new(),
            max_per_correspondent_per_day: default_per_correspondent(),
            max_per_thread: default_per_thread(),
            time_zone: default_time_zone(),
        }
    }
}

impl AnswersConfig {
    pub fn language(&self) -> Language {
        Language::from_code(&self.default_language).unwrap_or(Language::En)
    }

    /// The default zone of answers (checked when the config is loaded).
    pub fn time_zone(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::Tz::UTC)
    }

    pub fn message_id_domain(&self) -> &str {
        self.message_id_domain
            .as_deref()
            .unwrap_or_else(|| self.from.rsplit_once('@').map(|(_, d)| d).unwrap_or("seatmail.invalid"))
    }
}

impl AnswersConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if !is_address(&self.from) {
            return Err(invalid("answers.from", format!("`{}` is not an e-mail address", self.from)));
        }
        for (i, a) in self.bcc.iter().enumerate() {
            if !is_address(a) {
                return Err(invalid(&format!("answers.bcc[{i}]"), format!("`{a}` is not an e-mail address")));
            }
        }
        if Language::from_code(&self.default_language).is_none() {
            return Err(invalid("answers.default_language", "must be one of en, fr, nl, de, sv"));
        }
        super::parse_time_zone("answers.time_zone", &self.time_zone)?;
        if !self.templates.is_dir() {
            return Err(invalid("answers.templates", format!("{} is not a directory", self.templates.display())));
        }
        at_least(
            "answers",
            1,
            &[("max_per_correspondent_per_day", self.max_per_correspondent_per_day.into()), ("max_per_thread", self.max_per_thread.into())],
        )
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// Days after the term start in which an annual subscription may still be decreased.
    #[serde(default = "default_window")]
    pub cancellation_window_days: i64,
    /// An increase of more than this many seats waits for reseller ops.
    #[serde(default = "default_threshold")]
    pub approval_threshold: i64,
    /// Largest change one request may make to one subscription.
    #[serde(default = "default_max_per_request")]
    pub max_per_request: i64,
    /// Seat maximum per SKU; overrides the catalog's `max_seats`.
    #[serde(default)]
    pub product_max: BTreeMap<String, i64>,
    /// Seats one customer may change (added plus removed) in 24 hours before further changes
    /// wait for reseller ops: a brake on a compromised mailbox.
    #[serde(default = "default_seats_per_day")]
    pub max_seats_per_day: i64,
    /// Which changes wait for the customer's admin to confirm with a one-time code, per
    /// customer id (`none`, `decreases`, `all`); customers not listed get `confirm_default`.
    #[serde(default)]
    pub confirm: BTreeMap<String, ConfirmMode>,
    #[serde(default)]
    pub confirm_default: ConfirmMode,
    /// How long a confirmation code stays valid.
    #[serde(default = "default_code_ttl")]
    pub confirm_code_ttl_hours: i64,
    /// Which kinds of understood change wait for a person while the reseller learns how far
    /// seatmail's reading can be trusted (`[policy.cautious]`).
    #[serde(default)]
    pub cautious: CautiousConfig,
}

/// The cautious mode: per kind of change, who confirms it before it is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CautiousConfig {
    #[serde(default)]
    pub increases: Cautious,
    #[serde(default)]
    pub decreases: Cautious,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cautious {
    /// Applied as soon as the seat rules and the other holds allow it.
    #[default]
    Off,
    /// Waits for one click by reseller ops in the queue.
    Ops,
    /// Waits for the customer's admin to confirm with the one-time code.
    Customer,
}

impl CautiousConfig {
    /// Who confirms a change of `diff` seats (none for no change).
    pub fn for_change(&self, diff: i64) -> Cautious {
        match diff {
            d if d > 0 => self.increases,
            d if d < 0 => self.decreases,
            _ => Cautious::Off,
        }
    }

    /// One line for `check-config`: "increases wait for ops, decreases act".
    pub fn describe(&self) -> String {
        let one = |kind: &str, mode: Cautious| match mode {
            Cautious::Off => format!("{kind} act"),
            Cautious::Ops => format!("{kind} wait for ops"),
            Cautious::Customer => format!("{kind} wait for the customer's code"),
        };
        format!("{}, {}", one("increases", self.increases), one("decreases", self.decreases))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConfirmMode {
    #[default]
    None,
    Decreases,
    All,
}

fn default_seats_per_day() -> i64 {
    200
}

fn default_code_ttl() -> i64 {
    48
}

fn default_window() -> i64 {
    7
}

fn default_threshold() -> i64 {
    20
}

fn default_max_per_request() -> i64 {
    100
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            cancellation_window_days: 7,
            approval_threshold: 20,
            max_per_request: 100,
            product_max: BTreeMap::new(),
            max_seats_per_day: default_seats_per_day(),
            confirm: BTreeMap::new(),
            confirm_default: ConfirmMode::None,
            confirm_code_ttl_hours: default_code_ttl(),
            cautious: CautiousConfig::default(),
        }
    }
}

impl PolicyConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        at_least("policy", 0, &[("cancellation_window_days", self.cancellation_window_days.into())])?;
        at_least(
            "policy",
            1,
            &[
                ("approval_threshold", self.approval_threshold.into()),
                ("max_per_request", self.max_per_request.into()),
                ("max_seats_per_day", self.max_seats_per_day.into()),
                ("confirm_code_ttl_hours", self.confirm_code_ttl_hours.into()),
            ],
        )?;
        let maxima: Vec<(&str, i128)> = self.product_max.iter().map(|(sku, max)| (sku.as_str(), i128::from(*max))).collect();
        at_least("policy.product_max", 0, &maxima)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrustRequire {
    /// DMARC pass for the From domain.
    Dmarc,
    /// DMARC pass, or SPF or DKIM pass aligned with the From domain.
    Aligned,
    /// No check: only for a trusted internal relay.
    None,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustConfig {
    /// The authserv-id our own receiving server writes in `Authentication-Results`; headers with
    /// any other id are ignored (a sender can write them).
    #[serde(default)]
    pub authserv_id: Option<String>,
    #[serde(default = "default_require")]
    pub require: TrustRequire,
}

fn default_require() -> TrustRequire {
    TrustRequire::Dmarc
}

impl Default for TrustConfig {
    fn default() -> Self {
        TrustConfig { authserv_id: None, require: TrustRequire::Dmarc }
    }
}

impl TrustConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.require != TrustRequire::None && self.authserv_id.as_deref().unwrap_or("").is_empty() {
            return Err(invalid(
                "trust.authserv_id",
                "required unless trust.require = \"none\": only our own receiving server's Authentication-Results can be trusted",
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    #[serde(default = "default_max_bytes")]
    pub max_message_bytes: usize,
    #[serde(default = "default_max_parts")]
    pub max_parts: usize,
    #[serde(default = "default_max_text")]
    pub max_text_chars: usize,
}

fn default_max_bytes() -> usize {
    Limits::default().max_bytes
}

fn default_max_parts() -> usize {
    Limits::default().max_parts
}

fn default_max_text() -> usize {
    Limits::default().max_text_chars
}

impl Default for LimitsConfig {
    fn default() -> Self {
        let l = Limits::default();
        LimitsConfig { max_message_bytes: l.max_bytes, max_parts: l.max_parts, max_text_chars: l.max_text_chars }
    }
}

impl LimitsConfig {
    pub fn parse_limits(&self) -> Limits {
        Limits { max_bytes: self.max_message_bytes, max_parts: self.max_parts, max_text_chars: self.max_text_chars }
    }
}

impl LimitsConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let size = |n: usize| i128::try_from(n).unwrap_or(i128::MAX);
        at_least("limits", 1024, &[("max_message_bytes", size(self.max_message_bytes))])?;
        at_least("limits", 1, &[("max_parts", size(self.max_parts)), ("max_text_chars", size(self.max_text_chars))])
    }
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CatalogConfig {
    /// Product catalog (TOML); the built-in one when absent.
    #[serde(default)]
    pub path: Option<PathBuf>,
}

impl CatalogConfig {
    /// The product catalog: the file's, else the built-in one.
    pub fn load(&self) -> Result<Catalog, ConfigError> {
        match &self.path {
            Some(path) => Catalog::load(path).map_err(|e| invalid("catalog.path", e.to_string())),
            None => Ok(Catalog::builtin()),
        }
    }
}

/// A deliberately plain check: one `@`, something on both sides, a dot in the domain, no spaces.
pub fn is_address(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !s.chars().any(|c| c.is_whitespace() || c == '<' || c == '>')
        }
        None => false,
    }
}
