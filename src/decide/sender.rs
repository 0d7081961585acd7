//! Who really sent the mail: the `Authentication-Results` of our own receiving server, and the
//! From/Sender consistency checks that make a forged From useless.
//!
//! Only the topmost header carrying our configured authserv-id counts: our server prepends its
//! result, so anything below it (or with another id) may have been written by the sender. And
//! which roles may change seats at all.

use crate::config::{TrustConfig, TrustRequire};
use crate::domain::{domain_of, Role};
use crate::parse::Meta;

impl Role {
    /// Only global and billing admins may buy or return licences (Microsoft's rule; a user
    /// admin may assign and unassign, nothing more).
    pub fn may_change_seats(self) -> bool {
        matches!(self, Role::GlobalAdmin | Role::BillingAdmin)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    Pass,
    Fail(String),
}

/// One `method=result` with its properties, from an Authentication-Results value.
#[derive(Debug, Default)]
struct MethodResult {
    method: String,
    result: String,
    props: Vec<(String, String)>,
}

fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Split an Authentication-Results value into its authserv-id and method results.
fn parse_results(value: &str) -> (String, Vec<MethodResult>) {
    let clean = strip_comments(value);
    let mut parts = clean.split(';');
    let id = parts.next().unwrap_or("").split_whitespace().next().unwrap_or("").to_ascii_lowercase();
    let mut results = Vec::new();
    for part in parts {
        let mut tokens = part.split_whitespace();
        let Some(first) = tokens.next() else { continue };
        let Some((method, result)) = first.split_once('=') else { continue };
        let mut r = MethodResult {
            method: method.to_ascii_lowercase(),
            result: result.to_ascii_lowercase(),
            props: Vec::new(),
        };
        for t in tokens {
            if let Some((k, v)) = t.split_once('=') {
                r.props.push((k.to_ascii_lowercase(), v.trim_matches('"').to_ascii_lowercase()));
            }
        }
        results.push(r);
    }
    (id, results)
}

/// Relaxed alignment (DMARC): same organisational domain, approximated as one being the other
/// or a subdomain of it.
fn aligned(a: &str, b: &str) -> bool {
    let a = a.trim_start_matches('@');
    let b = b.trim_start_matches('@');
    a == b || a.ends_with(&format!(".{b}")) || b.ends_with(&format!(".{a}"))
}

/// Does this mail really come from its From address?
pub fn authenticate(meta: &Meta, trust: &TrustConfig) -> Auth {
    let from = match meta.from_all.as_slice() {
        [] => return Auth::Fail("no From address".into()),
        [one] => one,
        _ => return Auth::Fail("several From addresses".into()),
    };
    let Some(from_domain) = domain_of(from) else {
        return Auth::Fail(format!("From `{from}` has no domain"));
    };
    if let Some(sender) = &meta.sender {
        if domain_of(sender).as_deref() != Some(from_domain.as_str()) {
            return Auth::Fail(format!("Sender `{sender}` is not in the From domain {from_domain}"));
        }
    }
    if trust.require == TrustRequire::None {
        return Auth::Pass;
    }
    let Some(our_id) = trust.authserv_id.as_deref().map(str::to_ascii_lowercase) else {
        return Auth::Fail("no trusted authserv-id configured".into());
    };
    let Some(results) =
        meta.authentication_results.iter().map(|v| parse_results(v)).find(|(id, _)| *id == our_id).map(|(_, r)| r)
    else {
        return Auth::Fail(format!("no Authentication-Results from {our_id}"));
    };
    let pass = |method: &str, keys: &[&str]| {
        results.iter().any(|r| {
            r.method == method
                && r.result == "pass"
                && r.props.iter().any(|(k, v)| keys.contains(&k.as_str()) && aligned(domain_of(v).as_deref().unwrap_or(v), &from_domain))
        })
    };
    let dmarc = results.iter().any(|r| {
        r.method == "dmarc"
            && r.result == "pass"
            && r.props.iter().filter(|(k, _)| k == "header.from").all(|(_, v)| *v == from_domain)
    });
    if dmarc {
        return Auth::Pass;
    }
    if trust.require == TrustRequire::Aligned
        && (pass("dkim", &["header.d", "header.i"]) || pass("spf", &["smtp.mailfrom"]))
    {
        return Auth::Pass;
    }
    let summary = results.iter().map(|r| format!("{}={}", r.method, r.result)).collect::<Vec<_>>().join(" ");
    Auth::Fail(format!("not authenticated by {our_id}: {}", if summary.is_empty() { "no results" } else { &summary }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(from: &[&str], results: &[&str]) -> Meta {
        Meta {
            from_all: from.iter().map(|s| s.to_string()).collect(),
            authentication_results: results.iter().map(|s| s.to_string()).collect(),
            ..Meta::default()
        }
    }

    fn trust(require: TrustRequire) -> TrustConfig {
        TrustConfig { authserv_id: Some("mx.reseller.example".into()), require }
    }

    #[test]
    fn only_our_topmost_result_counts() {
        let ok = "mx.reseller.example; dmarc=pass (p=reject) header.from=contoso.be; spf=pass smtp.mailfrom=contoso.be";
        let forged = "mx.reseller.example; dmarc=pass header.from=contoso.be";
        let real_fail = "mx.reseller.example; dmarc=fail header.from=contoso.be";
        let t = trust(TrustRequire::Dmarc);
        assert_eq!(authenticate(&meta(&["an@contoso.be"], &[ok]), &t), Auth::Pass);
        // A forged pass below our real fail does not help.
        assert!(matches!(authenticate(&meta(&["an@contoso.be"], &[real_fail, forged]), &t), Auth::Fail(_)));
        // Another server's id is ignored.
        let foreign = "mx.attacker.example; dmarc=pass header.from=contoso.be";
        assert!(matches!(authenticate(&meta(&["an@contoso.be"], &[foreign]), &t), Auth::Fail(_)));
        // A pass for another domain is no pass for this one.
        let other = "mx.reseller.example; dmarc=pass header.from=contoso-be.example";
        assert!(matches!(authenticate(&meta(&["an@contoso.be"], &[other]), &t), Auth::Fail(_)));
    }

    #[test]
    fn aligned_mode_accepts_aligned_dkim_or_spf() {
        let dkim = "mx.reseller.example; dkim=pass header.d=mail.contoso.be; dmarc=none";
        assert_eq!(authenticate(&meta(&["an@contoso.be"], &[dkim]), &trust(TrustRequire::Aligned)), Auth::Pass);
        assert!(matches!(authenticate(&meta(&["an@contoso.be"], &[dkim]), &trust(TrustRequire::Dmarc)), Auth::Fail(_)));
        let spf = "mx.reseller.example; spf=pass smtp.mailfrom=bounces@sendgrid.net";
        assert!(matches!(authenticate(&meta(&["an@contoso.be"], &[spf]), &trust(TrustRequire::Aligned)), Auth::Fail(_)));
    }

    #[test]
    fn from_and_sender_must_be_one_domain() {
        let t = trust(TrustRequire::None);
        assert!(matches!(authenticate(&meta(&[], &[]), &t), Auth::Fail(_)));
        assert!(matches!(authenticate(&meta(&["a@contoso.be", "b@evil.example"], &[]), &t), Auth::Fail(_)));
        let mut m = meta(&["a@contoso.be"], &[]);
        m.sender = Some("x@evil.example".into());
        assert!(matches!(authenticate(&m, &t), Auth::Fail(_)));
        m.sender = Some("x@contoso.be".into());
        assert_eq!(authenticate(&m, &t), Auth::Pass);
    }
}
