//! `[vendor]`: where an applied change is provisioned — nowhere (the store is the truth),
//! Microsoft Partner Center, or the reseller's own system by a signed webhook — and how
//! patiently; how often the daemon reads the vendor's truth back (`sync_every`).

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::error::{at_least, invalid, needed, ConfigError};
use crate::oauth::{check_token_url, OAuth2Config};
use crate::secret::{Secret, SecretSource};

/// The scope of the Partner Center API, the default of `[vendor.partner_center.oauth2]`.
pub const PARTNER_CENTER_SCOPE: &str = "https://api.partnercenter.microsoft.com/.default";
pub const PARTNER_CENTER_URL: &str = "https://api.partnercenter.microsoft.com";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VendorKind {
    /// Today's behaviour: the store is the truth, nothing is provisioned.
    #[default]
    None,
    PartnerCenter,
    Webhook,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorConfig {
    #[serde(default)]
    pub kind: VendorKind,
    /// One call to the vendor (connect to the last byte of its answer).
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// Attempts before a job is `failed` and waits for `seatmail vendor retry`.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// First retry delay; doubles per attempt. A 429's Retry-After takes its place.
    #[serde(default = "default_retry_base")]
    pub retry_base_secs: u64,
    /// The longest wait between two attempts.
    #[serde(default = "default_retry_max")]
    pub retry_max_secs: u64,
    /// How often the daemon runs `vendor sync --fix`: `30m`, `6h`, `1d`; absent: never.
    #[serde(default)]
    pub sync_every: Option<String>,
    #[serde(default)]
    pub partner_center: Option<PartnerCenterConfig>,
    #[serde(default)]
    pub webhook: Option<WebhookConfig>,
}

fn default_timeout() -> u64 {
    30
}

fn default_max_attempts() -> u32 {
    10
}

fn default_retry_base() -> u64 {
    30
}

fn default_retry_max() -> u64 {
    6 * 3600
}

impl Default for VendorConfig {
    fn default() -> Self {
        VendorConfig {
            kind: VendorKind::None,
            timeout_secs: default_timeout(),
            max_attempts: default_max_attempts(),
            retry_base_secs: default_retry_base(),
            retry_max_secs: default_retry_max(),
            sync_every: None,
            partner_center: None,
            webhook: None,
        }
    }
}

/// `[vendor.partner_center]`: the API and the Entra ID application that calls it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerCenterConfig {
    #[serde(default = "default_pc_url")]
    pub base_url: String,
    /// The token of the application registered in Partner Center (App management): client
    /// credentials (app-only) or a refresh token (App+User). Scope: the Partner Center API's.
    pub oauth2: OAuth2Config,
}

fn default_pc_url() -> String {
    PARTNER_CENTER_URL.into()
}

impl PartnerCenterConfig {
    /// The OAuth2 section with the Partner Center scope when it names none.
    pub fn oauth2(&self) -> OAuth2Config {
        let mut o = self.oauth2.clone();
        if o.scope.is_none() {
            o.scope = Some(PARTNER_CENTER_SCOPE.into());
        }
        o
    }
}

/// `[vendor.webhook]`: the reseller's own provisioning system.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// `https://`, or `http://` to a loopback address.
    pub url: String,
    /// The shared secret of the HMAC-SHA256 signature: `secret`, `secret_file` or `secret_env`.
    #[serde(default)]
    secret: Option<Secret>,
    #[serde(default)]
    secret_file: Option<PathBuf>,
    #[serde(default)]
    secret_env: Option<String>,
}

impl WebhookConfig {
    pub fn secret(&self) -> SecretSource {
        SecretSource {
            name: "secret",
            value: self.secret.clone(),
            file: self.secret_file.clone(),
            env: self.secret_env.clone(),
            exact: false,
        }
    }
}

impl VendorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            VendorKind::None => "none",
            VendorKind::PartnerCenter => "partner_center",
            VendorKind::Webhook => "webhook",
        }
    }
}

impl VendorConfig {
    pub fn enabled(&self) -> bool {
        self.kind != VendorKind::None
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }

    /// How long a leased job stays invisible to other workers: longer than one attempt (a token,
    /// a read and a change, each within `timeout_secs`), so that two never work one job.
    pub fn lease(&self) -> Duration {
        Duration::from_secs(self.timeout_secs.saturating_mul(4).max(4))
    }

    pub fn retries(&self) -> crate::decide::vendor::Retries {
        crate::decide::vendor::Retries {
            max_attempts: self.max_attempts,
            base: Duration::from_secs(self.retry_base_secs),
            max: Duration::from_secs(self.retry_max_secs.max(self.retry_base_secs)),
        }
    }

    pub fn sync_interval(&self) -> Option<Duration> {
        self.sync_every.as_deref().and_then(|s| parse_every(s).ok()).flatten()
    }

    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        at_least(
            "vendor",
            1,
            &[
                ("timeout_secs", self.timeout_secs.into()),
                ("max_attempts", self.max_attempts.into()),
                ("retry_base_secs", self.retry_base_secs.into()),
                ("retry_max_secs", self.retry_max_secs.into()),
            ],
        )?;
        if let Some(every) = &self.sync_every {
            parse_every(every).map_err(|m| invalid("vendor.sync_every", m))?;
            if self.kind != VendorKind::PartnerCenter {
                return Err(invalid("vendor.sync_every", "only Partner Center is read back (kind = \"partner_center\")"));
            }
        }
        let pc = self.kind == VendorKind::PartnerCenter;
        needed(pc, self.partner_center.as_ref(), "vendor.partner_center", "vendor.kind = \"partner_center\"", |p| {
            check_token_url(&p.base_url).map_err(|m| invalid("vendor.partner_center.base_url", m))?;
            crate::oauth::check("vendor.partner_center.oauth2", &p.oauth2())?;
            Ok(())
        })?;
        needed(self.kind == VendorKind::Webhook, self.webhook.as_ref(), "vendor.webhook", "vendor.kind = \"webhook\"", |w| {
            check_token_url(&w.url).map_err(|m| invalid("vendor.webhook.url", m))?;
            w.secret().resolve("vendor.webhook")?;
            Ok(())
        })
    }
}

/// `90s`, `30m`, `6h`, `1d`; `0` (or `off`) is never.
pub fn parse_every(s: &str) -> Result<Option<Duration>, String> {
    let s = s.trim();
    if s == "0" || s.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    let bad = || format!("`{s}` is not a period like 90s, 30m, 6h or 1d");
    let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let n: u64 = s[..split].parse().map_err(|_| bad())?;
    let unit = match &s[split..] {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    if n == 0 {
        return Err(bad());
    }
    Ok(Some(Duration::from_secs(n.saturating_mul(unit))))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::Config;

    fn load(extra: &str) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let base = format!("[answers]\ntemplates = \"{}\"\n[trust]\nrequire = \"none\"\n", dir.path().display());
        Config::from_toml(&format!("{base}{extra}"), Path::new("t.toml"), Vec::new())
    }

    fn names(extra: &str, key: &str) {
        let e = load(extra).expect_err(extra).to_string();
        assert!(e.contains(&format!("`{key}`")), "{extra}: {e}");
    }

    const PC: &str = "[vendor]\nkind = \"partner_center\"\n[vendor.partner_center.oauth2]\nprovider = \"microsoft\"\n\
                      tenant = \"reseller.onmicrosoft.com\"\nclient_id = \"app\"\nclient_secret = \"s3cret\"\n";

    #[test]
    fn each_kind_needs_its_section_and_every_error_names_its_key() {
        assert_eq!(load("").unwrap().vendor.kind, VendorKind::None, "none by default: the store is the truth");
        let c = load(PC).unwrap();
        let pc = c.vendor.partner_center.as_ref().unwrap();
        assert_eq!(pc.base_url, PARTNER_CENTER_URL);
        assert_eq!(pc.oauth2().scope().as_deref(), Some(PARTNER_CENTER_SCOPE), "the Partner Center API's scope, not the mail one");
        assert!(!format!("{c:?}").contains("s3cret"), "the secret does not print");
        names("[vendor]\nkind = \"partner_center\"\n", "vendor.partner_center");
        names(&PC.replace("client_id = \"app\"\n", ""), "vendor.partner_center.oauth2.client_id");
        let http = "[vendor.partner_center]\nbase_url = \"http://api.partnercenter.example\"\n[vendor.partner_center.oauth2]";
        names(&PC.replace("[vendor.partner_center.oauth2]", http), "vendor.partner_center.base_url");
        let hook = "[vendor]\nkind = \"webhook\"\n[vendor.webhook]\nurl = \"https://provisioning.example/seatmail\"\n";
        names(hook, "vendor.webhook.secret");
        load(&format!("{hook}secret = \"whsec\"\n")).unwrap();
        names(&format!("{hook}secret = \"whsec\"\n").replace("https://", "http://"), "vendor.webhook.url");
        names(&format!("{hook}secret = \"whsec\"\nsecret_env = \"X\"\n"), "vendor.webhook.secret");
        names("[vendor]\nsync_every = \"6h\"\n", "vendor.sync_every");
        names(&PC.replace("[vendor.partner_center", "sync_every = \"6 hours\"\n[vendor.partner_center"), "vendor.sync_every");
        names(&PC.replace("[vendor.partner_center", "timeout_secs = 0\n[vendor.partner_center"), "vendor.timeout_secs");
        let e = load("[vendor]\nkind = \"sap\"\n").unwrap_err().to_string();
        assert!(e.contains("sap") && e.contains("partner_center"), "{e}");
    }

    #[test]
    fn periods() {
        assert_eq!(parse_every("90s").unwrap().unwrap().as_secs(), 90);
        assert_eq!(parse_every("6h").unwrap().unwrap().as_secs(), 21_600);
        assert_eq!(parse_every("off").unwrap(), None);
        assert!(parse_every("6 hours").is_err());
        assert!(parse_every("0h").is_err());
        assert!(parse_every("h").is_err());
    }
}
