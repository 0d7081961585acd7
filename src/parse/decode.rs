//! MIME to text: which part of a mail is the text a person wrote, decoded to a Rust string.
//!
//! mail-parser does the charsets, transfer encodings and RFC 2047 words. This module chooses the
//! part (text/plain over HTML unless the plain part is empty or a "view in browser" stub), turns
//! HTML into text with html2text, undoes `format=flowed` (which mail-parser leaves alone), and keeps
//! attachments out of the request text, except a forwarded mail (message/rfc822), whose text may
//! be the request and is returned separately. The [`Limits`] are enforced here.

use std::sync::LazyLock;

use html2text::render::text_renderer::{TaggedLine, TextDecorator};
use mail_parser::{Message, MessagePart, MimeHeaders, PartType};
use crate::parse::rx::Regex;

use super::Limits;

/// The readable text of a mail.
#[derive(Debug, Clone, Default)]
pub(crate) struct Body {
    /// The body text (the sender's words with whatever history they quote).
    pub text: String,
    /// Text of mails attached as message/rfc822 (forwards as attachment), in order.
    pub attached: Vec<String>,
}

/// Why a mail could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unreadable {
    TooManyParts,
}

static STUB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(view (it |this (e-?mail|message) )?in (your|a|the) (web )?browser|html (version|e-?mail|message)|does not support html|webversie|bekijk (deze e-?mail )?in (je|uw) browser|version en ligne|afficher dans (le|votre) navigateur|im browser (anzeigen|ansehen|öffnen)|visa i (webbläsare|webbläsaren))")
        .expect("stub regex")
});

/// Text of the mail's body parts, within `limits`.
pub(crate) fn body(msg: &Message<'_>, limits: &Limits) -> Result<Body, Unreadable> {
    if msg.parts.len() > limits.max_parts {
        return Err(Unreadable::TooManyParts);
    }
    let mut b = Body { text: main_text(msg, limits.max_text_chars), attached: Vec::new() };
    for id in &msg.attachments {
        if let Some(PartType::Message(inner)) = msg.parts.get(*id as usize).map(|p| &p.body) {
            if inner.parts.len() <= limits.max_parts && b.attached.len() < 3 {
                b.attached.push(main_text(inner, limits.max_text_chars));
            }
        }
    }
    Ok(b)
}

fn main_text(msg: &Message<'_>, max_chars: usize) -> String {
    // A text part with a file name is an attached file, unless it is the only text there is.
    let unnamed = msg.text_body.iter().filter_map(|id| msg.parts.get(*id as usize)).filter(|p| !has_file_name(p)).count();
    let plain: Vec<String> = msg
        .text_body
        .iter()
        .filter_map(|id| msg.parts.get(*id as usize))
        .filter(|p| !is_attachment(p) && (unnamed == 0 || !has_file_name(p)))
        .filter_map(|p| match &p.body {
            PartType::Text(t) => Some(plain_text(p, t)),
            PartType::Html(h) => Some(html_to_text(h)),
            _ => None,
        })
        .collect();
    let plain = plain.join("\n");
    let use_html = plain.trim().is_empty() || (plain.trim().chars().count() < 300 && STUB.is_match(&plain));
    let text = if use_html {
        let html: Vec<String> = msg
            .html_body
            .iter()
            .filter_map(|id| msg.parts.get(*id as usize))
            .filter(|p| !is_attachment(p))
            .filter_map(|p| match &p.body {
                PartType::Html(h) => Some(html_to_text(h)),
                PartType::Text(t) => Some(plain_text(p, t)),
                _ => None,
            })
            .collect();
        let html = html.join("\n");
        if html.trim().is_empty() { plain } else { html }
    } else {
        plain
    };
    truncate_chars(&normalize_spaces(&text), max_chars)
}

fn has_file_name(p: &MessagePart<'_>) -> bool {
    p.content_disposition().is_some_and(|d| d.attribute("filename").is_some())
        || p.content_type().is_some_and(|c| c.attribute("name").is_some())
}

fn is_attachment(p: &MessagePart<'_>) -> bool {
    p.content_disposition().is_some_and(|d| d.is_attachment())
}

fn plain_text(p: &MessagePart<'_>, t: &str) -> String {
    let ct = p.content_type();
    let flowed = ct.and_then(|c| c.attribute("format")).is_some_and(|f| f.eq_ignore_ascii_case("flowed"));
    if flowed {
        let delsp = ct.and_then(|c| c.attribute("delsp")).is_some_and(|d| d.eq_ignore_ascii_case("yes"));
        unflow(t, delsp)
    } else {
        t.to_string()
    }
}

/// RFC 3676: join soft-broken lines (ending in a space), undo space-stuffing, keep quote depth.
pub(crate) fn unflow(text: &str, delsp: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut open: Option<usize> = None; // quote depth of a paragraph still being joined
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let depth = line.chars().take_while(|c| *c == '>').count();
        let mut content = &line[depth..];
        if let Some(s) = content.strip_prefix(' ') {
            content = s;
        }
        let is_sig = content == "-- ";
        let soft = !is_sig && content.ends_with(' ');
        if open != Some(depth) {
            if open.is_some() {
                out.push('\n');
            }
            out.push_str(&">".repeat(depth));
            if depth > 0 {
                out.push(' ');
            }
        }
        let piece = if soft && delsp { &content[..content.len() - 1] } else { content };
        out.push_str(piece);
        if soft {
            open = Some(depth);
        } else {
            out.push('\n');
            open = None;
        }
    }
    if open.is_some() {
        out.push('\n');
    }
    out
}

static TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>").expect("tag regex"));

static BREAKS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>").expect("breaks regex"));

/// Deepest element nesting, roughly (html2text's work grows with the square of it).
fn nesting(html: &str) -> usize {
    const VOID: &[&str] = &["br", "img", "hr", "meta", "link", "input", "col", "area", "base", "wbr", "source", "p", "li", "td", "tr", "option"];
    let (mut depth, mut max) = (0usize, 0usize);
    for c in TAG.captures_iter(html) {
        let name = c.get(2).map(|m| m.as_str().to_ascii_lowercase()).unwrap_or_default();
        if VOID.contains(&name.as_str()) || c.get(3).is_some_and(|m| !m.as_str().is_empty()) {
            continue;
        }
        if c.get(1).is_some_and(|m| !m.as_str().is_empty()) {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            max = max.max(depth);
        }
    }
    max
}

/// Tags out, a few entities decoded: for HTML too deeply nested to render.
fn strip_tags(html: &str) -> String {
    let t = BREAKS.replace_all(html, "\n");
    TAG.replace_all(&t, "").replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

pub(crate) fn html_to_text(html: &str) -> String {
    // Enough for any real mail; bounds the work a hostile one can cause.
    let html = truncate_chars(html, 400_000);
    if nesting(&html) > 300 {
        return strip_tags(&html);
    }
    html2text::config::with_decorator(MailDecorator)
        .no_table_borders()
        .string_from_read(html.as_bytes(), 2_000)
        .unwrap_or_default()
}

/// html2text's plain rendering without what a reader does not see: no link footnotes ("[1]" would
/// read as a number), no emphasis marks, no image titles ("[cid:image001.png]"). List bullets
/// and quote marks stay: they say where an item or a quote starts.
struct MailDecorator;

impl TextDecorator for MailDecorator {
    type Annotation = ();

    fn decorate_link_start(&mut self, _url: &str) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_link_end(&mut self) -> String {
        String::new()
    }
    fn decorate_em_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_em_end(&self) -> String {
        String::new()
    }
    fn decorate_strong_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_strong_end(&self) -> String {
        String::new()
    }
    fn decorate_strikeout_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_strikeout_end(&self) -> String {
        String::new()
    }
    fn decorate_code_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_code_end(&self) -> String {
        String::new()
    }
    fn decorate_preformat_first(&self) {}
    fn decorate_preformat_cont(&self) {}
    fn decorate_image(&mut self, _src: &str, _title: &str) -> (String, ()) {
        (String::new(), ())
    }
    fn header_prefix(&self, _level: usize) -> String {
        String::new()
    }
    fn quote_prefix(&self) -> String {
        "> ".to_string()
    }
    fn unordered_item_prefix(&self) -> String {
        "* ".to_string()
    }
    fn ordered_item_prefix(&self, i: i64) -> String {
        format!("{i}. ")
    }
    fn make_subblock_decorator(&self) -> Self {
        MailDecorator
    }
    fn decorate_superscript_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_superscript_end(&self) -> String {
        String::new()
    }
    fn finalise(&mut self, _links: Vec<String>) -> Vec<TaggedLine<()>> {
        Vec::new()
    }
}

fn normalize_spaces(s: &str) -> String {
    let s = s.replace("\r\n", "\n").replace(['\u{a0}', '\u{202f}', '\u{2007}'], " ").replace(['\u{200b}', '\u{feff}', '\u{ad}'], "");
    // Control characters a client leaves in the text ("\x1eDe : …" before a forwarded header)
    // are no part of any word or line start.
    if s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')) {
        s.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t' | '\r')).collect()
    } else {
        s
    }
}

pub(crate) fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => s[..i].to_string(),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MessageParser;

    fn text_of(raw: &str) -> String {
        let msg = MessageParser::default().parse(raw.as_bytes()).expect("parses");
        body(&msg, &Limits::default()).map(|b| b.text).unwrap_or_default()
    }

    #[test]
    fn control_characters_are_dropped() {
        let raw = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nVoir ci-dessous.\r\n\r\n=1EDe : Marc <m@x.be>\r\n=1EObjet : stagiaires\r\n";
        assert_eq!(text_of(raw), "Voir ci-dessous.\n\nDe : Marc <m@x.be>\nObjet : stagiaires\n");
    }

    #[test]
    fn flowed_text_is_unwrapped() {
        let raw = "Content-Type: text/plain; charset=utf-8; format=flowed\r\n\r\nPlease add three \r\nlicences for \r\n us.\r\n> quoted \r\n> line\r\n";
        let t = text_of(raw);
        assert!(t.starts_with("Please add three licences for us.\n"), "{t:?}");
        assert!(t.contains("> quoted line"), "{t:?}");
    }

    #[test]
    fn quoted_printable_latin1_and_encoded_words() {
        let raw = "Subject: =?iso-8859-1?Q?R=E9duire?=\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nPouvez-vous r=E9duire =E0 8 ?\r\n";
        assert!(text_of(raw).contains("réduire à 8"));
    }

    #[test]
    fn html_only_and_stub_alternatives() {
        let raw = "Content-Type: text/html; charset=utf-8\r\n\r\n<p>Graag&nbsp;3 licenties&nbsp;&amp; snel</p><ul><li>een</li><li>twee</li></ul>";
        let t = text_of(raw);
        assert!(t.contains("Graag 3 licenties & snel"), "{t:?}");
        assert!(t.contains("een") && t.contains("twee"));
        let alt = "Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nView this email in your browser\r\n--b\r\nContent-Type: text/html\r\n\r\n<div>Add 4 seats</div>\r\n--b--\r\n";
        assert!(text_of(alt).contains("Add 4 seats"));
    }

    #[test]
    fn attachments_are_not_text_but_forwarded_mails_are_kept() {
        let raw = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached\r\n--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=x.txt\r\n\r\nadd 99 licences\r\n--b\r\nContent-Type: text/plain; name=notes.txt\r\n\r\nadd 77 licences\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: req\r\nFrom: a@b.c\r\n\r\nPlease add 2 licences\r\n--b--\r\n";
        let msg = MessageParser::default().parse(raw.as_bytes()).expect("parses");
        let b = body(&msg, &Limits::default()).expect("readable");
        assert!(!b.text.contains("99"), "{:?}", b.text);
        assert!(!b.text.contains("77"), "{:?}", b.text);
        assert_eq!(b.attached.len(), 1);
        assert!(b.attached[0].contains("add 2 licences"));
    }
}
