//! `[ops]`: what reseller ops are told by mail (`src/notify/`) — a notice when something enters
//! the queue or an answer dies, capped per window, and a daily digest — and the time zones that
//! people read times in (`[answers] time_zone`, `[ops] time_zone`).

use serde::Deserialize;

use super::error::{at_least, invalid, ConfigError};
use super::is_address;
use crate::domain::NoticeKind;

/// `[ops]`. Without `notify`, nobody is told and nothing is recorded for it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpsConfig {
    /// The ops mailbox(es): one address or a list. Notices never go anywhere else.
    #[serde(default, deserialize_with = "one_or_many")]
    pub notify: Vec<String>,
    /// What is notified: `held`, `review`, `flagged`, `unauthenticated`, `unknown_sender`,
    /// `dead_answer` (all by default).
    #[serde(default = "all_kinds")]
    pub notify_on: Vec<String>,
    /// At most this many notices in one window; the window's further items are listed in one
    /// summary when it ends.
    #[serde(default = "default_max_notices")]
    pub max_notices_per_window: i64,
    /// The window's length. Windows start on the clock (every hour on the hour by default).
    #[serde(default = "default_window_minutes")]
    pub window_minutes: i64,
    /// The daily digest: what still waits, and what was applied in the last 24 hours.
    #[serde(default = "default_true")]
    pub digest: bool,
    /// The digest's hour (0-23) in `time_zone`.
    #[serde(default = "default_digest_hour")]
    pub digest_hour: u32,
    /// The zone of `digest_hour` and of the times in ops mails; `[answers] time_zone` when absent.
    #[serde(default)]
    pub time_zone: Option<String>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        // An environment override gives one string: a list in it is comma-separated.
        OneOrMany::One(s) => s.split(',').map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect(),
        OneOrMany::Many(v) => v,
    })
}

fn all_kinds() -> Vec<String> {
    NoticeKind::ALL.iter().map(|k| k.as_str().to_string()).collect()
}

fn default_max_notices() -> i64 {
    10
}

fn default_window_minutes() -> i64 {
    60
}

fn default_true() -> bool {
    true
}

fn default_digest_hour() -> u32 {
    8
}

impl Default for OpsConfig {
    fn default() -> Self {
        OpsConfig {
            notify: Vec::new(),
            notify_on: all_kinds(),
            max_notices_per_window: default_max_notices(),
            window_minutes: default_window_minutes(),
            digest: true,
            digest_hour: default_digest_hour(),
            time_zone: None,
        }
    }
}

impl OpsConfig {
    /// Is anybody told anything?
    pub fn enabled(&self) -> bool {
        !self.notify.is_empty()
    }

    /// The kinds of notice asked for (unknown words are refused when the config is loaded).
    pub fn kinds(&self) -> Vec<NoticeKind> {
        self.notify_on.iter().filter_map(|k| k.parse().ok()).collect()
    }

    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        for (i, a) in self.notify.iter().enumerate() {
            if !is_address(a) {
                return Err(invalid(&format!("ops.notify[{i}]"), format!("`{a}` is not an e-mail address")));
            }
        }
        for (i, k) in self.notify_on.iter().enumerate() {
            k.parse::<NoticeKind>().map_err(|e| invalid(&format!("ops.notify_on[{i}]"), e))?;
        }
        at_least("ops", 1, &[("max_notices_per_window", self.max_notices_per_window.into()), ("window_minutes", self.window_minutes.into())])?;
        if self.digest_hour > 23 {
            return Err(invalid("ops.digest_hour", "must be an hour from 0 to 23"));
        }
        if let Some(tz) = &self.time_zone {
            parse_time_zone("ops.time_zone", tz)?;
        }
        Ok(())
    }
}

/// An IANA time zone name (`Europe/Brussels`, `UTC`); the error names the key.
pub fn parse_time_zone(key: &str, name: &str) -> Result<chrono_tz::Tz, ConfigError> {
    name.trim()
        .parse::<chrono_tz::Tz>()
        .map_err(|_| invalid(key, format!("`{name}` is not a time zone of the IANA database, like Europe/Brussels or UTC")))
}
