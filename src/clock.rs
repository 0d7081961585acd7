//! The clock of what happens at a time of day: the ops notices' windows and the daily digest.
//!
//! It is the system clock. Built with the `failpoints` feature (tests only, never a release),
//! `SEATMAIL_NOW=2026-11-24T07:59:58+01:00` starts it at that instant when the process starts,
//! and it runs on from there: a test sees the digest hour strike without waiting for it, and
//! nothing else (leases, retries, the store's own times) is moved.

use chrono::{DateTime, Utc};

/// Now, on the ops clock.
pub fn now() -> DateTime<Utc> {
    #[cfg(feature = "failpoints")]
    if let Some(offset) = offset() {
        return Utc::now() + offset;
    }
    Utc::now()
}

#[cfg(feature = "failpoints")]
fn offset() -> Option<chrono::Duration> {
    use std::sync::OnceLock;
    static OFFSET: OnceLock<Option<chrono::Duration>> = OnceLock::new();
    *OFFSET.get_or_init(|| {
        let wanted = std::env::var("SEATMAIL_NOW").ok()?;
        match DateTime::parse_from_rfc3339(wanted.trim()) {
            Ok(t) => Some(t.with_timezone(&Utc) - Utc::now()),
            Err(e) => {
                eprintln!("SEATMAIL_NOW `{wanted}` is not an RFC 3339 time ({e}): the system clock is used");
                None
            }
        }
    })
}

/// How long from `since` to `now`, as people say it: "less than a minute", "3 min", "2 h",
/// "5 d" (never "just now ago": the caller adds "ago" or "waiting" around it).
pub fn elapsed(since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    match (now - since).num_seconds().max(0) {
        s if s < 60 => "less than a minute".into(),
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 86_400 => format!("{} h", s / 3600),
        s => format!("{} d", s / 86_400),
    }
}

/// `2026-11-24 09:10 CET`: a stored UTC time as people in `zone` read it.
pub fn local(t: DateTime<Utc>, zone: chrono_tz::Tz) -> String {
    t.with_timezone(&zone).format("%Y-%m-%d %H:%M %Z").to_string()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn times_read_as_people_say_them() {
        let t = Utc.with_ymd_and_hms(2026, 11, 24, 8, 10, 0).unwrap();
        assert_eq!(local(t, chrono_tz::Europe::Brussels), "2026-11-24 09:10 CET");
        assert_eq!(local(t + chrono::Duration::days(200), chrono_tz::Europe::Brussels), "2027-06-12 10:10 CEST");
        assert_eq!(local(t, chrono_tz::Tz::UTC), "2026-11-24 08:10 UTC");
        assert_eq!(elapsed(t, t + chrono::Duration::seconds(5)), "less than a minute");
        assert_eq!(elapsed(t, t + chrono::Duration::minutes(3)), "3 min");
        assert_eq!(elapsed(t, t + chrono::Duration::hours(2)), "2 h");
        assert_eq!(elapsed(t + chrono::Duration::hours(1), t), "less than a minute", "a date in the future");
    }
}
