//! The stable key of a mail: the same mail delivered twice is one request.
//!
//! It covers the source mailbox, the Message-ID and what a re-delivery does not change (From,
//! Date, Subject and the body) but not the trace headers each delivery adds (`Received`,
//! `Return-Path`, `Delivered-To`...). A mail without Message-ID still gets a stable key. Read
//! with a deliberately small header splitter that cannot fail, so even a mail no parser accepts
//! gets a key and a recorded outcome.

use sha2::{Digest, Sha256};

/// The few headers the key (and a last-resort record of an unparsable mail) needs, raw.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RawHeaders {
    pub message_id: Option<String>,
    pub from: Option<String>,
    pub date: Option<String>,
    pub subject: Option<String>,
}

fn split_head_body(raw: &[u8]) -> (&[u8], &[u8]) {
    let find = |pat: &[u8]| raw.windows(pat.len()).position(|w| w == pat);
    match (find(b"\r\n\r\n"), find(b"\n\n")) {
        (Some(a), Some(b)) if b < a => (&raw[..b], &raw[b + 2..]),
        (Some(a), _) => (&raw[..a], &raw[a + 4..]),
        (None, Some(b)) => (&raw[..b], &raw[b + 2..]),
        (None, None) => (raw, &[]),
    }
}

/// First occurrence of each header we need, unfolded.
pub fn raw_headers(raw: &[u8]) -> RawHeaders {
    let (head, _) = split_head_body(raw);
    let text = String::from_utf8_lossy(head);
    let mut out = RawHeaders::default();
    let mut current: Option<(String, String)> = None;
    let flush = |h: Option<(String, String)>, out: &mut RawHeaders| {
        if let Some((name, value)) = h {
            let value = value.trim().to_string();
            let slot = match name.to_ascii_lowercase().as_str() {
                "message-id" => &mut out.message_id,
                "from" => &mut out.from,
                "date" => &mut out.date,
                "subject" => &mut out.subject,
                _ => return,
            };
            if slot.is_none() {
                *slot = Some(value);
            }
        }
    };
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = current.as_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        flush(current.take(), &mut out);
        if let Some((name, value)) = line.split_once(':') {
            current = Some((name.trim().to_string(), value.to_string()));
        }
    }
    flush(current, &mut out);
    out.message_id = out.message_id.map(|m| m.trim().trim_start_matches('<').trim_end_matches('>').to_string());
    out
}

/// The key of `raw` as received in `source`.
pub fn message_key(source: &str, raw: &[u8]) -> String {
    let h = raw_headers(raw);
    let (_, body) = split_head_body(raw);
    let mut hasher = Sha256::new();
    for part in [Some(source), h.message_id.as_deref(), h.from.as_deref(), h.date.as_deref(), h.subject.as_deref()] {
        hasher.update(part.unwrap_or("").as_bytes());
        hasher.update([0u8]);
    }
    // Line endings and trailing blank lines change between delivery paths; the text does not.
    let mut normalized: Vec<u8> = Vec::with_capacity(body.len());
    for &b in body {
        if b != b'\r' {
            normalized.push(b);
        }
    }
    while normalized.last().is_some_and(|b| b.is_ascii_whitespace()) {
        normalized.pop();
    }
    hasher.update(&normalized);
    let digest = hasher.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAIL: &str = "Received: from a by b\r\nMessage-ID: <abc@x>\r\nFrom: An <an@contoso.be>\r\nSubject: add\r\n two\r\n\r\nPlease add 2.\r\n";

    #[test]
    fn redelivery_is_the_same_key_and_content_changes_are_not() {
        let k = message_key("maildir", MAIL.as_bytes());
        let redelivered = format!("Delivered-To: webservices@x\r\nReturn-Path: <an@contoso.be>\r\n{MAIL}\r\n");
        assert_eq!(k, message_key("maildir", redelivered.as_bytes()));
        assert_eq!(k, message_key("maildir", MAIL.replace("\r\n", "\n").as_bytes()));
        assert_ne!(k, message_key("maildir", MAIL.replace("add 2", "add 3").as_bytes()));
        assert_ne!(k, message_key("INBOX", MAIL.as_bytes()));
        let h = raw_headers(MAIL.as_bytes());
        assert_eq!(h.message_id.as_deref(), Some("abc@x"));
        assert_eq!(h.subject.as_deref(), Some("add two"));
    }

    #[test]
    fn garbage_still_has_a_key() {
        assert_eq!(message_key("m", b"").len(), 32);
        assert_eq!(message_key("m", b"\xff\xfe\x00no headers at all").len(), 32);
    }
}
