//! One mail from bytes to [`Parsed`]: headers into [`Meta`], then bounce, auto-reply, the
//! customer's own words, their language, and what they ask.
//!
//! The order matters: a bounce carries our own mail back (with numbers in it), and an
//! out-of-office quotes the request it answers, so both are settled before any text is read as a
//! request. The subject only counts when the customer wrote it: a "Re:" subject is ours.

use std::sync::LazyLock;

use mail_parser::{HeaderName, HeaderValue, Message, MessageParser, MimeHeaders, PartType};
use crate::parse::rx::Regex;

use super::classify::{self, Signals};
use super::decode;
use super::language::{self, Language};
use super::products::Catalog;
use super::quote;
use super::understand::{self, Input};
use super::{Ask, Change, Item, Limits, Meta, Outcome, Parsed};

static REPLY_PREFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*(re|aw|antw|antwoord|sv|ref|réf|vs)\s*(\[\d+\])?\s*:").expect("reply regex"));
static FWD_PREFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*((fw|fwd|tr|wg|doorst|vb|vl)\s*:\s*)+").expect("fwd regex"));
static ANGLE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<([^<>\s]+)>").expect("angle regex"));

pub(crate) fn parse_mail(raw: &[u8], catalog: &Catalog, limits: &Limits) -> Parsed {
    if raw.len() > limits.max_bytes {
        // Still read the headers so the answer can be threaded and addressed.
        let head = &raw[..header_end(raw).min(256 * 1024)];
        let mut p = match MessageParser::default().parse_headers(head) {
            Some(msg) => shell(&msg),
            None => empty_parsed(),
        };
        p.outcome = Outcome::Ambiguous;
        p.ask = Some(Ask::Unreadable);
        p.reason = format!("mail is {} bytes, more than the {} bytes we read", raw.len(), limits.max_bytes);
        return p;
    }
    let Some(msg) = MessageParser::default().parse(raw) else {
        let mut p = empty_parsed();
        p.outcome = Outcome::Ambiguous;
        p.ask = Some(Ask::Unreadable);
        p.reason = "the mail could not be parsed as MIME".into();
        return p;
    };
    let mut p = shell(&msg);
    let signals = signals(&msg, &p.meta);
    let subject = p.meta.subject.clone().unwrap_or_default();

    let body = match decode::body(&msg, limits) {
        Ok(b) => b,
        Err(_) => {
            p.outcome = Outcome::Ambiguous;
            p.ask = Some(Ask::Unreadable);
            p.reason = format!("mail has {} MIME parts, more than the {} we read", msg.parts.len(), limits.max_parts);
            return p;
        }
    };
    if classify::bounce(&signals, &subject, &body.text) {
        p.outcome = Outcome::Bounce;
        p.language = None;
        p.reason = "delivery status notification (bounce)".into();
        return p;
    }

    let split = quote::split(&body.text);
    let mut text = split.own.clone();
    // The sender's own words, before any forwarded request is added (see below).
    let mut own_only = None;
    if let Some(fw) = &split.forwarded {
        own_only = Some(text.clone());
        text = if text.trim().is_empty() { fw.clone() } else { format!("{text}\n\n{fw}") };
    }
    let thin = !text.chars().any(|c| c.is_ascii_digit()) && text.split_whitespace().count() < 12;
    if thin || split.points_below {
        for a in &body.attached {
            let inner = quote::split(a);
            let words = match inner.forwarded {
                Some(f) if inner.own.trim().is_empty() => f,
                _ => inner.own,
            };
            if !words.trim().is_empty() {
                text = if text.trim().is_empty() { words } else { format!("{text}\n\n{words}") };
            }
        }
    }
    let text = decode::truncate_chars(&text, limits.max_text_chars);
    p.meta.text = text.clone();

    let authored_subject = !REPLY_PREFIX.is_match(&subject);
    let subject_clean = FWD_PREFIX.replace(&subject, "").into_owned();
    p.language = Some(
        language::detect(&text)
            .or_else(|| language::detect(&subject_clean))
            .unwrap_or(Language::En),
    );

    if let Some(why) = classify::auto_reply(&signals, &subject, &text) {
        p.outcome = Outcome::AutoReply;
        p.reason = format!("auto-reply: {why}");
        return p;
    }
    if signals.list_id || signals.list_unsubscribe {
        p.outcome = Outcome::NotARequest;
        p.reason = "mailing list or newsletter".into();
        return p;
    }
    if classify::spam(&subject, &text) || classify::phishing_notice(&subject, &text, p.from.as_deref(), p.meta.from_name.as_deref()) {
        p.outcome = Outcome::NotARequest;
        p.reason = "spam, phishing or marketing".into();
        return p;
    }
    if text.trim().is_empty() && body.text.trim().is_empty() && subject.trim().is_empty() {
        p.outcome = Outcome::Ambiguous;
        p.ask = Some(Ask::Unreadable);
        p.reason = "the mail has no readable text".into();
        return p;
    }

    let subj = authored_subject.then_some(subject_clean.as_str()).filter(|s| !s.trim().is_empty());
    let parse_lang = p.language;
    let read = |text: &str| understand::understand(&Input { text, subject: subj, sender: p.from.as_deref(), lang: parse_lang, quoted: &split.quoted }, catalog);
    // A forwarded mail the sender points to is read with their words ("please sort this out"),
    // but where the two disagree and the sender's own words are a clear request of their own
    // ("two more, the earlier request below was done"), those words are the request.
    let mut u = read(&text);
    // The customer's language is that of their own note over a forward ("Kunnen jullie dit
    // regelen?" over a French mail): the answer goes to them. The forward is read in its own.
    if let Some(own) = own_only.as_deref().filter(|o| o.split_whitespace().count() >= 3) {
        if let Some(lang) = language::detect(own) {
            p.language = Some(lang);
        }
    }
    // Not when those words point to a colleague's forwarded mail as what to do ("Zie hieronder.
    // Graag 3 extra" over the boss's "5 erbij"): the two then disagree, and a careful person asks
    // which. The sender's own earlier request to us, forwarded, is history.
    let colleague_pointed_to = split.points_below && !split.forwarded_to_us;
    let disagree = matches!(u.problem, Some((Ask::Contradiction, _)));
    if u.problem.is_some() && !(colleague_pointed_to && disagree) {
        if let Some(own) = own_only.as_deref().filter(|o| !o.trim().is_empty()) {
            let mine = read(own);
            if !mine.items.is_empty() && mine.problem.is_none() {
                p.meta.text = own.to_string();
                u = mine;
            }
        }
    }
    if let Some(why) = u.not_ours {
        p.outcome = Outcome::NotARequest;
        p.reason = why.into();
        return p;
    }
    if classify::asks_price(&text) && u.items.is_empty() {
        p.outcome = Outcome::NotARequest;
        p.reason = "asks for a price or quote, not a seat change".into();
        return p;
    }
    if let Some((ask, why)) = u.problem {
        p.outcome = Outcome::Ambiguous;
        p.ask = Some(ask);
        p.reason = why;
        return p;
    }
    if !u.items.is_empty() {
        p.outcome = Outcome::Request;
        p.reason = describe(&u.items, catalog);
        p.items = u.items;
        return p;
    }
    p.outcome = Outcome::NotARequest;
    p.reason = if u.skipped_question && text.contains('?') {
        "a question, not a seat change".into()
    } else {
        classify::not_a_request(&signals, &subject, &text).into()
    };
    p
}

fn describe(items: &[Item], catalog: &Catalog) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|i| {
            let what = i.product.as_deref().map(|s| catalog.name_of(s)).unwrap_or_else(|| "seats (product not named)".into());
            let change = match i.change {
                Change::Delta(d) if d > 0 => format!("add {d} {what}"),
                Change::Delta(d) => format!("remove {} {what}", -d),
                Change::Target(t) => format!("set {what} to {t} in total"),
            };
            match &i.username {
                Some(u) => format!("{change} for {u}"),
                None => change,
            }
        })
        .collect();
    parts.join("; ")
}

fn header_end(raw: &[u8]) -> usize {
    raw.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4).or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|p| p + 2)).unwrap_or(raw.len())
}

fn empty_parsed() -> Parsed {
    Parsed {
        message_id: None,
        from: None,
        language: Some(Language::En),
        outcome: Outcome::NotARequest,
        items: Vec::new(),
        reason: String::new(),
        ask: None,
        meta: Meta::default(),
    }
}

/// A [`Parsed`] with identity and [`Meta`] filled from the headers.
fn shell(msg: &Message<'_>) -> Parsed {
    let mut meta = Meta { subject: msg.subject().map(|s| s.trim().to_string()), ..Meta::default() };
    meta.date = raw_header(msg, "date").map(|d| d.trim().to_string());
    let mut from_name = None;
    for h in msg.headers() {
        if h.name == HeaderName::From {
            if let HeaderValue::Address(a) = &h.value {
                for ad in a.iter() {
                    if from_name.is_none() && meta.from_all.is_empty() {
                        from_name = ad.name().map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
                    }
                    if let Some(addr) = ad.address() {
                        meta.from_all.push(addr.trim().to_lowercase());
                    }
                }
            }
        }
    }
    meta.from_name = from_name;
    meta.sender = msg.sender().and_then(|a| a.first()).and_then(|a| a.address()).map(|a| a.trim().to_lowercase());
    meta.reply_to = msg.reply_to().map(|a| a.iter().filter_map(|x| x.address()).map(|x| x.trim().to_lowercase()).collect()).unwrap_or_default();
    meta.in_reply_to = ids(raw_header(msg, "in-reply-to").as_deref());
    meta.references = ids(raw_header(msg, "references").as_deref());
    meta.authentication_results = msg
        .headers_raw()
        .filter(|(n, _)| n.eq_ignore_ascii_case("authentication-results"))
        .map(|(_, v)| unfold(v))
        .collect();
    meta.list_id = raw_header(msg, "list-id").map(|v| v.trim().to_string());
    meta.precedence = raw_header(msg, "precedence").map(|v| v.trim().to_string());
    meta.auto_submitted = raw_header(msg, "auto-submitted").map(|v| v.trim().to_string());
    Parsed {
        message_id: msg.message_id().map(|m| m.trim().trim_matches(['<', '>']).to_string()).filter(|m| !m.is_empty()),
        from: meta.from_all.first().cloned(),
        language: Some(Language::En),
        outcome: Outcome::NotARequest,
        items: Vec::new(),
        reason: String::new(),
        ask: None,
        meta,
    }
}

/// First occurrence of a header, unfolded.
fn raw_header(msg: &Message<'_>, name: &str) -> Option<String> {
    msg.headers_raw().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| unfold(v))
}

fn unfold(v: &str) -> String {
    v.split(['\r', '\n']).map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")
}

fn ids(v: Option<&str>) -> Vec<String> {
    let Some(v) = v else { return Vec::new() };
    let found: Vec<String> = ANGLE.captures_iter(v).filter_map(|c| c.get(1)).map(|m| m.as_str().to_string()).collect();
    if found.is_empty() {
        v.split_whitespace().map(|s| s.trim_matches(['<', '>', ',']).to_string()).filter(|s| !s.is_empty()).collect()
    } else {
        found
    }
}

fn signals(msg: &Message<'_>, meta: &Meta) -> Signals {
    let ct = msg.content_type();
    let content_type = ct
        .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or("")).to_ascii_lowercase())
        .unwrap_or_default();
    let report_type = ct.and_then(|c| c.attribute("report-type")).unwrap_or("").to_ascii_lowercase();
    let has = |name: &str| msg.headers_raw().any(|(n, _)| n.eq_ignore_ascii_case(name));
    let has_delivery_status = msg.parts.iter().any(|p| {
        p.content_type().is_some_and(|c| {
            c.ctype().eq_ignore_ascii_case("message")
                && c.subtype().is_some_and(|s| s.eq_ignore_ascii_case("delivery-status") || s.eq_ignore_ascii_case("global-delivery-status"))
        }) && !matches!(p.body, PartType::Multipart(_))
    });
    Signals {
        content_type,
        report_type,
        return_path: raw_header(msg, "return-path"),
        from: meta.from_all.clone(),
        auto_submitted: meta.auto_submitted.clone(),
        precedence: meta.precedence.clone(),
        x_autoreply: has("x-autoreply"),
        x_autorespond: has("x-autorespond"),
        x_auto_response_suppress: has("x-auto-response-suppress"),
        list_id: meta.list_id.is_some(),
        list_unsubscribe: has("list-unsubscribe"),
        has_delivery_status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(raw: &str) -> Parsed {
        parse_mail(raw.as_bytes(), &Catalog::builtin(), &Limits::default())
    }

    #[test]
    fn meta_is_filled() {
        let raw = "Authentication-Results: mx1; spf=pass\r\nAuthentication-Results: mx2; dkim=pass\r\nFrom: Jan Peeters <Jan@Contoso.be>\r\nReply-To: it@contoso.be\r\nMessage-ID: <abc@contoso.be>\r\nIn-Reply-To: <x1@r.be>\r\nReferences: <x0@r.be> <x1@r.be>\r\nSubject: Extra licenties\r\n\r\nGraag 3 licenties Business Standard erbij.\r\n";
        let p = run(raw);
        assert_eq!(p.message_id.as_deref(), Some("abc@contoso.be"));
        assert_eq!(p.from.as_deref(), Some("jan@contoso.be"));
        assert_eq!(p.meta.from_name.as_deref(), Some("Jan Peeters"));
        assert_eq!(p.meta.authentication_results, vec!["mx1; spf=pass".to_string(), "mx2; dkim=pass".to_string()]);
        assert_eq!(p.meta.references, vec!["x0@r.be".to_string(), "x1@r.be".to_string()]);
        assert_eq!(p.meta.in_reply_to, vec!["x1@r.be".to_string()]);
        assert_eq!(p.outcome, Outcome::Request);
        assert_eq!(p.language, Some(Language::Nl));
        assert_eq!(p.items, vec![Item { username: None, change: Change::Delta(3), product: Some("O365_BUSINESS_PREMIUM".into()) }]);
    }

    #[test]
    fn a_forward_pointed_to_that_disagrees_with_the_note_on_top_asks() {
        let fwd = |to: &str, note: &str| {
            format!("From: karen@wouters.be\r\nSubject: Fwd: licenties\r\n\r\nHallo,\r\nZie hieronder. {note}\r\nKaren\r\n\r\n---------- Forwarded message ---------\r\nVan: Dirk Wouters <dirk@wouters.be>\r\nDate: di 8 dec 2026 om 07:55\r\nSubject: licenties\r\nTo: {to}\r\n\r\nKunnen jullie er 5 licenties bij zetten op admin@wouters.onmicrosoft.com?\r\nDirk\r\n")
        };
        // The boss's mail to a colleague, pointed to, says 5; the note says 3: which?
        let p = run(&fwd("Karen <karen@wouters.be>", "Graag 3 licenties extra op admin@wouters.onmicrosoft.com."));
        assert_eq!(p.outcome, Outcome::Ambiguous, "{}", p.reason);
        // The sender's own earlier request to us, forwarded under a new one, is history.
        let p = run(&fwd("webservices@reseller.test", "Graag nog 3 licenties extra op admin@wouters.onmicrosoft.com, bovenop de 5 van gisteren."));
        assert_eq!(p.outcome, Outcome::Request, "{}", p.reason);
        assert_eq!(p.items[0].change, Change::Delta(3));
    }

    #[test]
    fn reply_to_our_confirmation_is_not_a_request() {
        let raw = "From: jan@contoso.be\r\nSubject: Re: Your licences have been adapted\r\n\r\nThanks, received!\r\n\r\nOn Mon, 3 Mar 2025 at 10:00, Webservices <webservices@reseller.be> wrote:\r\n> We added 3 licences Business Standard. You now have 13.\r\n";
        let p = run(raw);
        assert_eq!(p.outcome, Outcome::NotARequest, "{}", p.reason);
        assert!(p.items.is_empty());
    }

    #[test]
    fn bounce_with_our_mail_inside() {
        let raw = "From: MAILER-DAEMON@mx.contoso.be\r\nSubject: Undelivered Mail Returned to Sender\r\nContent-Type: text/plain\r\n\r\nadd 3 licences\r\n";
        let p = run(raw);
        assert_eq!(p.outcome, Outcome::Bounce);
        assert_eq!(p.language, None);
    }

    #[test]
    fn oversize_is_unreadable() {
        let raw = "From: a@b.c\r\nSubject: x\r\n\r\nadd 3 licences\r\n";
        let p = parse_mail(raw.as_bytes(), &Catalog::builtin(), &Limits { max_bytes: 10, ..Limits::default() });
        assert_eq!(p.outcome, Outcome::Ambiguous);
        assert_eq!(p.ask, Some(Ask::Unreadable));
        assert_eq!(p.from.as_deref(), Some("a@b.c"));
    }

    #[test]
    fn auto_reply_header_wins() {
        let raw = "From: jan@contoso.be\r\nAuto-Submitted: auto-replied\r\nSubject: Re: licences\r\n\r\nI am out of the office.\r\n";
        assert_eq!(run(raw).outcome, Outcome::AutoReply);
    }
}
