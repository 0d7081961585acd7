//! The original mail as text for a person: the main headers, the text body and a list of the
//! MIME parts. Nothing of the mail is ever rendered as HTML: an HTML-only mail is shown through
//! its text conversion, and attachments are listed, not opened. The templates escape it all.

use mail_parser::{Address, MessageParser, MimeHeaders, PartType};
use serde::Serialize;

/// The text shown is cut here (the store keeps the whole mail).
const MAX_TEXT: usize = 100_000;

#[derive(Debug, Default, Serialize)]
pub struct MailView {
    /// (name, value) of the headers a person looks at, decoded.
    pub headers: Vec<(String, String)>,
    /// The header block as received (trace headers included), undecoded.
    pub raw_headers: String,
    pub text: String,
    pub text_truncated: bool,
    pub parts: Vec<PartInfo>,
    /// The mail could not be parsed as MIME at all.
    pub unreadable: bool,
}

#[derive(Debug, Serialize)]
pub struct PartInfo {
    pub content_type: String,
    pub name: Option<String>,
    pub size: usize,
    pub attachment: bool,
}

fn addresses(a: Option<&Address>) -> Option<String> {
    let a = a?;
    let list: Vec<String> = a
        .iter()
        .map(|x| match (x.name(), x.address()) {
            (Some(n), Some(e)) => format!("{n} <{e}>"),
            (None, Some(e)) => e.to_string(),
            (Some(n), None) => n.to_string(),
            (None, None) => String::new(),
        })
        .filter(|s| !s.is_empty())
        .collect();
    (!list.is_empty()).then(|| list.join(", "))
}

fn cut(s: &str, max: usize) -> (String, bool) {
    match s.char_indices().nth(max) {
        Some((i, _)) => (s[..i].to_string(), true),
        None => (s.to_string(), false),
    }
}

/// Control characters other than line breaks and tabs out (no terminal or bidi tricks survive
/// into the page's text either way, but they make the text unreadable).
fn clean(s: &str) -> String {
    s.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t')).collect()
}

pub fn view(raw: &[u8]) -> MailView {
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n"))
        .unwrap_or(raw.len().min(64 * 1024));
    let (raw_headers, _) = cut(&String::from_utf8_lossy(&raw[..head_end.min(raw.len())]), 64 * 1024);
    let raw_headers = clean(&raw_headers.replace("\r\n", "\n"));
    let Some(msg) = MessageParser::default().parse(raw) else {
        let (text, text_truncated) = cut(&String::from_utf8_lossy(raw), MAX_TEXT);
        return MailView { raw_headers, text: clean(&text), text_truncated, unreadable: true, ..Default::default() };
    };
    let mut headers = Vec::new();
    let mut push = |name: &str, v: Option<String>| {
        if let Some(v) = v {
            headers.push((name.to_string(), clean(&v)));
        }
    };
    push("From", addresses(msg.from()));
    push("Sender", addresses(msg.sender()));
    push("Reply-To", addresses(msg.reply_to()));
    push("To", addresses(msg.to()));
    push("Cc", addresses(msg.cc()));
    push("Date", msg.date().map(|d| d.to_rfc822()));
    push("Subject", msg.subject().map(str::to_string));
    push("Message-ID", msg.message_id().map(|m| format!("<{m}>")));
    push("Authentication-Results", msg.header_raw("Authentication-Results").map(|v| v.trim().to_string()));
    let body = msg.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
    let (text, text_truncated) = cut(&body, MAX_TEXT);
    let mut parts = Vec::new();
    for p in msg.parts.iter().take(200) {
        if matches!(p.body, PartType::Multipart(_)) {
            continue;
        }
        let content_type = p
            .content_type()
            .map(|c| match c.subtype() {
                Some(s) => format!("{}/{}", c.ctype(), s),
                None => c.ctype().to_string(),
            })
            .unwrap_or_else(|| "text/plain".into());
        let attachment = p.attachment_name().is_some()
            || p.content_disposition().is_some_and(|d| d.ctype().eq_ignore_ascii_case("attachment"));
        parts.push(PartInfo { content_type: clean(&content_type), name: p.attachment_name().map(clean), size: p.len(), attachment });
    }
    MailView { headers, raw_headers, text: clean(&text), text_truncated, parts, unreadable: false }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_listed_and_html_is_never_the_text() {
        let raw = b"From: A <a@x.example>\r\nSubject: hi\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
--b\r\nContent-Type: text/html\r\n\r\n<p>Add <b>3</b> seats</p><script>alert(1)</script>\r\n\
--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"order.pdf\"\r\n\r\nJVBERi0=\r\n--b--\r\n";
        let v = view(raw);
        assert!(!v.text.contains("<p>"), "{}", v.text);
        assert!(v.text.contains("Add"), "{}", v.text);
        assert!(v.parts.iter().any(|p| p.name.as_deref() == Some("order.pdf") && p.attachment));
        assert!(v.headers.iter().any(|(n, val)| n == "From" && val == "A <a@x.example>"));
    }
}
