//! The customer's own words: quoted history, earlier mails, signatures, disclaimers and
//! "Sent from my iPhone" lines are cut away, in the five languages.
//!
//! History starts at the first reply attribution ("On ... wrote:", "Le ... a écrit :",
//! "Op ... schreef ...:", "Am ... schrieb ...:", "Den ... skrev ...:"), separator
//! ("-----Original Message-----", "-------- Forwarded Message --------", "Begin forwarded
//! message:") or Outlook header block ("From:/Sent:/To:/Subject:" and its localized forms).
//! When that history is a forward (a forward separator, an "FW:" subject line in the block, or
//! "see below" / "zie onderstaand" / "voir ci-dessous" / "siehe unten" in the customer's words) the
//! forwarded colleague's own words are returned too, because they are the request. Our own
//! earlier mails (from a `webservices@` address) are never returned as a forward.

use std::sync::LazyLock;

use crate::parse::rx::Regex;
use crate::parse::lexicon::phrases;

/// The outcome of cutting a body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Split {
    /// The sender's own words.
    pub own: String,
    /// The own words of a forwarded mail, when the history is a forward.
    pub forwarded: Option<String>,
    /// The sender asks us to act on what is below ("see below").
    pub points_below: bool,
    /// The forwarded mail was sent to us (the sender's own earlier request), not a colleague's
    /// mail to the sender.
    pub forwarded_to_us: bool,
    /// The history under (or around) the sender's words: context only, never a request
    /// ("the same account" is looked up there).
    pub quoted: String,
}

fn re(p: &str) -> Regex {
    Regex::new(p).expect("static quote regex")
}

static SEPARATOR: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^\s*[-_=*]{2,}\s*(original message|message original|oorspronkelijk bericht|origineel bericht|originalnachricht|ursprüngliche nachricht|originalmeddelande|ursprungligt meddelande|forwarded message|message transféré|message transfere|doorgestuurd bericht|doorgestuurde bericht|weitergeleitete nachricht|vidarebefordrat meddelande)\s*[-_=*]{2,}\s*$")
});
static FORWARD_SEPARATOR: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(forward|transféré|transfere|doorgestuurd|weitergeleitet|vidarebefordra|réexpédié|begin forwarded|anfang der weitergeleiteten)")
});
static BEGIN_FORWARD: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^\s*(begin forwarded message|début du message réexpédié|debut du message reexpedie|begin doorgestuurd bericht|anfang der weitergeleiteten nachricht|vidarebefordrat brev|vidarebefordrat meddelande)\s*:?\s*$")
});
static LOGIN_LINE: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*([^:@|]{2,40}):\s*([\w.%+-]+@[\w-]+(?:\.[\w-]+)+)\s*$"));
static UNDERSCORES: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*_{8,}\s*$"));
static HEADER_FROM: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^\s*\*?(from|de|van|von|från|fra|afzender|expéditeur|absender)\s*\*?\s*:\s*\S"));
static HEADER_OTHER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^\s*\*?(sent|date|envoyé|envoyé le|verzonden|datum|gesendet|skickat|to|à|a|aan|an|till|cc|cci|bcc|subject|objet|sujet|pour|onderwerp|betreff|ämne|verstuurd|sendt|reply-to|répondre à|antwoord aan|antwort an|svara till|kopie|kopia)\s*\*?\s*:")
});
static HEADER_SUBJECT: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^\s*\*?(subject|objet|sujet|onderwerp|betreff|ämne)\s*\*?\s*:\s*(.*)$"));
static FW_SUBJECT: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^\s*(fw|fwd|tr|wg|doorst|vs|vb|vl|wtrlt)\s*:"));
static ATTRIBUTION_WORD: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(wrote|a écrit|a ecrit|schreef|geschreven|schrieb|skrev|écrit)\b"));
static SENT_FROM: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^\s*(sent from my|sent from outlook|sent from mail for|get outlook for|envoyé de mon|envoyé depuis|envoye de mon|verzonden vanaf mijn|verzonden met|verstuurd vanaf mijn|von meinem .* gesendet|gesendet von|skickat från min|skickat från)\b")
});
static CLOSING: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^\s*(kind regards|best regards|warm regards|kindest regards|regards|best wishes|many thanks|thanks in advance|thank you in advance|thanks a lot|thanks again|thanks|thank you|cheers|sincerely|yours sincerely|yours faithfully|best|br|met vriendelijke groet(en)?|vriendelijke groet(en)?|met hartelijke groet(en)?|hartelijke groet(en)?|beste groet(en)?|mvg|m\.v\.g\.|groeten|groetjes|groet|alvast bedankt|alvast dank|bedankt|dank u wel|dank je wel|dank u|cordialement|bien cordialement|très cordialement|bien à vous|salutations|meilleures salutations|sincères salutations|bien sincèrement|merci d'avance|merci par avance|merci beaucoup|merci|bonne journée|mit freundlichen grüßen|mit freundlichen grüssen|mit freundlichen gruessen|freundliche grüße|freundliche grüsse|viele grüße|viele grüsse|beste grüße|beste grüsse|liebe grüße|herzliche grüße|lg|mfg|gruß|gruss|danke im voraus|vielen dank|danke|med vänliga hälsningar|med vänlig hälsning|vänliga hälsningar|vänlig hälsning|hälsningar|mvh|tack på förhand|tack så mycket|tack)\s*[,.!]*\s*(\p{Lu}[\p{L}'-]+(\s+\p{Lu}[\p{L}'-]+){0,2})?\s*[,.]?\s*$")
});
static POSTSCRIPT: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^\s*(p\.?\s?p?\.?s\.?|nachtrag|nachsatz|n\.?b\.?)\s*([:–—-]|\s)\s*\S"));
static DISCLAIMER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^\s*(disclaimer|confidentiality notice|confidential|this (e-?mail|message|communication)( and any (attachments?|files))? (is|are|may|contains|message)|the information (contained )?in this|dit (e-?mail)?bericht (is|kan|en)|deze e-?mail (is|en|kan)|ce (message|courriel|e-?mail)( et)? (est|peut|contient|ainsi)|les informations contenues|diese (e-?mail|nachricht) (ist|enthält|kann)|der inhalt dieser|detta (e-?post)?meddelande|denna e-?post|please consider the environment|think before you print)")
});
static BANNER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^\s*(\[?(external|extern|externe|caution|waarschuwing|attention|achtung|varning)\]?\s*[:!-]?.*(outside|extern|buiten|extérieur|außerhalb|utanför|organization|organisatie))|^\s*\[?cid:[^\]]*\]?\s*$")
});
static POINTS_BELOW: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(see below|see the (mail|e-?mail|message|request) below|see request below|see (mail|e-?mail) below|below request|request below|zie onderstaande?|zie onder|zie hieronder|zie (de )?(mail|e-?mail|vraag|aanvraag) hieronder|onderstaande (mail|vraag|aanvraag)|voir ci-dessous|voir ci dessous|voir en dessous|voir (le|la) (mail|message|demande) ci-dessous|ci-dessous|siehe unten|\b(anfrage|e-?mail|nachricht|bitte)\b[^.!?\n]{0,60}\bunten\b|siehe nachfolgend|siehe untenstehend|untenstehende|unten stehende|se nedan|se nedanstående|nedanstående|enligt nedan|\bfyi\b|for your information|please (action|handle|process|take care)|for action|graag (uitvoeren|verwerken|regelen|in orde brengen)|ter info|pour info|à traiter|merci de (traiter|faire le nécessaire)|bitte (erledigen|bearbeiten|umsetzen)|\bbitte\b[^.!?\n]{0,50}\b(umsetzen|erledigen|bearbeiten)\b|zur (erledigung|info)|vänligen åtgärda|för åtgärd|för kännedom|\b(can|could|would|will) you (please |kindly )?(handle|arrange|sort( out)?|take care of|process|do|action|deal with|look after)\s+(this|that|it)\b|(please|pls|plz) (handle|arrange|sort|process|action|do)\s+(this|that|it)\b|\b(kan|kun|kunt|kunnen|wil|wilt|willen|zou|zouden) (je|jij|u|jullie) (dit|dat|deze|dat even|dit even|onderstaande|het onderstaande) (even |aub |graag )?(regelen|doen|verwerken|in orde brengen|oppakken|afhandelen|bestellen)|\bdit (graag|even) (regelen|verwerken|doen|in orde brengen)|\b(kannst|könntest) du (das|dies|dich darum) (bitte |mal )?(erledigen|kümmern|machen|übernehmen|bearbeiten|umsetzen)|\b(können|könnten) sie (das|dies|sich darum) (bitte )?(erledigen|kümmern|bearbeiten|umsetzen)|\b(peux|pourrais|peut)-(tu|on) (t'en occuper|gérer (ça|cela)|faire le nécessaire|traiter (ça|cela|cette demande))|\b(pouvez|pourriez)-vous (vous en occuper|gérer (ça|cela)|faire le nécessaire|traiter (ça|cela|cette demande))|merci de (t'en|vous en) occuper|\b(kan|kunde) (du|ni) (fixa|ordna|ta hand om|hantera|åtgärda|beställa) (det här|detta|det|dem)\b)")
});

fn is_quoted(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

/// Whether a line of a quoted header or attribution names our own mailbox (`webservices@`).
pub(crate) fn names_us(line: &str) -> bool {
    let lower = line.to_lowercase();
    // "Le 07/12/2026 à 10:42, Webservices a écrit :": an attribution may give only our name.
    lower.contains("webservices@") || (lower.contains("webservices") && is_attribution_line(line))
}

/// A line that parts a reply from the mail it quotes: "-----Original Message-----", Outlook's
/// row of underscores.
pub(crate) fn is_separator_line(line: &str) -> bool {
    SEPARATOR.is_match(line) || UNDERSCORES.is_match(line)
}

/// A header line of a quoted or forwarded mail ("From:", "Van:", "Envoyé :", "Betreff:").
pub(crate) fn is_header_line(line: &str) -> bool {
    HEADER_FROM.is_match(line) || HEADER_OTHER.is_match(line)
}

/// A line that says who wrote a quoted mail: a "From:" header or an attribution.
pub(crate) fn is_from_line(line: &str) -> bool {
    HEADER_FROM.is_match(line) || is_attribution_line(line)
}

/// The line that introduces a quote ("On ... wrote:", "Le ... a écrit :").
pub(crate) fn is_attribution_line(line: &str) -> bool {
    line.trim_end().ends_with(':') && ATTRIBUTION_WORD.is_match(line)
}

/// Index of the line where an Outlook header block starts at `i`, and where its body starts.
fn header_block(lines: &[&str], i: usize) -> Option<usize> {
    if !HEADER_FROM.is_match(lines[i]) {
        return None;
    }
    let mut j = i + 1;
    let mut others = 0;
    while j < lines.len() && j <= i + 8 {
        let l = lines[j];
        if HEADER_OTHER.is_match(l) {
            others += 1;
        } else if l.trim().is_empty() {
            if others > 0 {
                break;
            }
        } else if others == 0 && j > i + 2 {
            return None;
        }
        j += 1;
    }
    (others > 0).then_some(j)
}

/// After a separator: the forwarded headers (in any order, Thunderbird puts Subject first).
fn skip_headers(lines: &[&str], start: usize) -> usize {
    let mut k = start;
    while k < lines.len() && lines[k].trim().is_empty() {
        k += 1;
    }
    // A helpdesk puts one line of its own between the separator and the headers ("Ticket #48213
    // – Neue Antwort vom Kunden"); a header must follow it at once.
    let is_header = |l: &str| HEADER_FROM.is_match(l) || HEADER_OTHER.is_match(l);
    if k + 1 < lines.len() && !is_header(lines[k]) && HEADER_FROM.is_match(lines[k + 1]) {
        k += 1;
    }
    let mut seen = false;
    while k < lines.len() && is_header(lines[k]) {
        seen = true;
        k += 1;
    }
    if seen { k } else { start }
}

fn is_attribution(lines: &[&str], i: usize) -> Option<usize> {
    // "On Mon, 3 Mar 2025 at 10:15, Jan <jan@x.be> wrote:" may be wrapped over up to 3 lines.
    let mut joined = String::new();
    for (k, l) in lines.iter().enumerate().skip(i).take(3) {
        if k > i && l.trim().is_empty() {
            return None;
        }
        joined.push(' ');
        joined.push_str(l.trim());
        if joined.trim_end().ends_with(':') {
            let ok = joined.len() < 400
                && ATTRIBUTION_WORD.is_match(&joined)
                && (joined.contains('@') || joined.chars().any(|c| c.is_ascii_digit()) || k > i || joined.len() < 120);
            return ok.then_some(k + 1);
        }
    }
    None
}

enum Cut {
    /// Plain quoted history (a reply).
    Reply,
    /// A forward; the forwarded body starts at this line, `ours` when it is our own mail.
    Forward { body: usize, ours: bool },
}

/// Where the history starts, and what it is.
fn find_history(lines: &[&str]) -> Option<(usize, Cut)> {
    for i in 0..lines.len() {
        let l = lines[i];
        if SEPARATOR.is_match(l) || BEGIN_FORWARD.is_match(l) {
            let fwd = FORWARD_SEPARATOR.is_match(l);
            let body = skip_headers(lines, i + 1);
            let block_text = lines[i + 1..body.min(lines.len())].join("\n");
            let fw_subject = block_text.lines().any(|b| {
                HEADER_SUBJECT.captures(b).and_then(|c| c.get(2)).is_some_and(|s| FW_SUBJECT.is_match(s.as_str()))
            });
            let ours = names_us(&block_text);
            if fwd || fw_subject {
                return Some((i, Cut::Forward { body, ours }));
            }
            // "-----Original Message-----" is also how Outlook forwards: a colleague's mail under it
            // counts when the sender points to it ("kannst du das bitte erledigen?").
            let from_someone = block_text.lines().any(|b| HEADER_FROM.is_match(b));
            return Some((i, if from_someone { Cut::Forward { body, ours } } else { Cut::Reply }));
        }
        if UNDERSCORES.is_match(l) {
            if let Some(body) = (i + 1..lines.len().min(i + 3)).find_map(|k| header_block(lines, k)) {
                return Some((i, block_cut(lines, i, body)));
            }
        }
        if let Some(body) = header_block(lines, i) {
            // GMX and web.de put "Gesendet:" above "Von:": the block starts at its first header line.
            let mut start = i;
            while start > 0 && HEADER_OTHER.is_match(lines[start - 1]) {
                start -= 1;
            }
            return Some((start, block_cut(lines, start, body)));
        }
        if let Some(_end) = is_attribution(lines, i) {
            return Some((i, Cut::Reply));
        }
        if is_quoted(l) && lines[i..].iter().take(3).filter(|x| is_quoted(x)).count() >= 2 {
            return Some((i, Cut::Reply));
        }
    }
    None
}

fn block_cut(lines: &[&str], start: usize, body: usize) -> Cut {
    let block = &lines[start..body.min(lines.len())];
    let fw = block.iter().any(|b| {
        HEADER_SUBJECT.captures(b).and_then(|c| c.get(2)).is_some_and(|s| FW_SUBJECT.is_match(s.as_str()))
    });
    let ours = block.iter().any(|b| HEADER_FROM.is_match(b) && names_us(b));
    if fw {
        Cut::Forward { body, ours }
    } else {
        // A header block is also how Outlook forwards; whether it is one is decided by "see below".
        Cut::Forward { body, ours: ours || !block.iter().any(|b| HEADER_FROM.is_match(b)) }
    }
}

/// Drop banners and "Sent from" lines, cut signatures and disclaimers.
fn clean_own(lines: &[&str]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_end();
        if DISCLAIMER.is_match(t) {
            break;
        }
        let signature = t == "--" || t == "-- " || l.trim() == "--";
        if signature || (CLOSING.is_match(t) && !out.iter().all(|o| o.trim().is_empty())) {
            let ps = postscript(&lines[i + 1..]);
            let logins = login_lines(&lines[i + 1..]);
            if !ps.is_empty() || !logins.is_empty() {
                while out.last().is_some_and(|l| l.trim().is_empty()) {
                    out.pop();
                }
                out.extend(ps);
                if !logins.is_empty() {
                    out.push("");
                    out.extend(logins);
                }
            }
            break;
        }
        if SENT_FROM.is_match(t) || BANNER.is_match(t) || is_quoted(t) {
            continue;
        }
        out.push(t);
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    let s = out.join("\n");
    s.trim_matches(|c: char| c == '\n' || c == '\r').to_string()
}

/// "PS – just checked with HR: … so 3 new licences is enough" under the signature: a postscript
/// is the customer's own words again, up to the next blank line (with a blank line before it, so
/// it stays a paragraph of its own).
fn postscript<'a>(rest: &[&'a str]) -> Vec<&'a str> {
    let Some(start) = rest.iter().position(|l| POSTSCRIPT.is_match(l)) else { return Vec::new() };
    let para = rest[start..].iter().take_while(|l| !l.trim().is_empty() && !CLOSING.is_match(l.trim_end()) && !is_quoted(l)).map(|l| l.trim_end());
    std::iter::once("").chain(para).collect()
}

/// "M365 admin account: admin@x.onmicrosoft.com" in the signature: a labelled login belongs to
/// the request, as in the body; the signature's other addresses are contacts.
fn login_lines<'a>(rest: &[&'a str]) -> Vec<&'a str> {
    rest.iter()
        .take_while(|l| !DISCLAIMER.is_match(l) && !is_quoted(l))
        // Only a tenant's login: "Administration: compta@x.be" names a mailbox, not the account.
        .filter(|l| LOGIN_LINE.captures(l).is_some_and(|c| phrases().login_label.is_match(&c[1].to_lowercase()) && c[2].to_lowercase().ends_with(".onmicrosoft.com")))
        .map(|l| l.trim())
        .collect()
}

/// A form a ticketing or purchasing system wrote under the customer's note ("Item: …",
/// "Quantity: 3", "Tenant admin account: …"): its fields belong to the request even below the
/// greeting and signature that end the note. The first run of at least three field lines, one of
/// them a quantity.
fn form_below<'a>(lines: &[&'a str]) -> Option<Vec<&'a str>> {
    let label = |l: &str| if l.contains(':') { super::understand::field_label(l) } else { None };
    let mut k = 0;
    while k < lines.len() {
        let run: Vec<&str> = lines[k..].iter().take_while(|l| label(l).is_some()).copied().collect();
        if run.len() >= 3 && run.iter().filter_map(|l| label(l)).any(|f| super::understand::is_quantity_label(&f)) {
            return Some(run);
        }
        k += run.len().max(1);
    }
    None
}

/// Split a decoded body into the sender's own words and, for forwards, the forwarded words.
pub(crate) fn split(body: &str) -> Split {
    split_depth(body, 0)
}

fn split_depth(body: &str, depth: usize) -> Split {
    let lines: Vec<&str> = body.lines().collect();
    let (own_lines, history) = match find_history(&lines) {
        Some((i, cut)) => (&lines[..i], Some(cut)),
        None => (&lines[..], None),
    };
    let mut own = clean_own(own_lines);
    if let Some(form) = form_below(own_lines).filter(|f| !own.contains(f[0].trim_end())) {
        own = format!("{own}\n\n{}", form.join("\n"));
    }
    let quoted = match &history {
        Some(_) => lines[own_lines.len()..].join("\n"),
        None => String::new(),
    };
    // Bottom-posting: nothing above a ">" quote (under an attribution or a header block), the
    // answer written under it.
    if own.trim().is_empty() && history.is_some() {
        own = clean_own(&below_quote(&lines[own_lines.len()..]));
    }
    // "La demande ci-dessous a bien été traitée": a sentence that points below to say it is
    // done does not make the history the request.
    let points_below = own.split_inclusive(['.', '!', '?', '\n']).any(|s| POINTS_BELOW.is_match(s) && !phrases().past.is_match(s));
    let mut forwarded = None;
    let mut forwarded_to_us = false;
    if let Some(Cut::Forward { body: start, ours }) = history {
        forwarded_to_us = lines[own_lines.len()..start.min(lines.len())].iter().any(|l| !HEADER_FROM.is_match(l) && names_us(l));
        let own_is_thin = !own.chars().any(|c| c.is_ascii_digit()) || own.split_whitespace().count() < 4;
        let explicit_forward = lines[..start.min(lines.len())].iter().any(|l| SEPARATOR.is_match(l) && FORWARD_SEPARATOR.is_match(l))
            || lines.iter().any(|l| BEGIN_FORWARD.is_match(l));
        if !ours && depth < 4 && (points_below || (own_is_thin && explicit_forward) || own.trim().is_empty()) {
            let mut rest = lines[start.min(lines.len())..].join("\n");
            // A webmail that forwards the mail as a quote (HTML blockquote): one level of ">"
            // is the forward's, not a history of the forwarded mail.
            if rest.lines().filter(|l| !l.trim().is_empty()).all(is_quoted) && rest.lines().any(is_quoted) {
                rest = rest.lines().map(|l| l.trim_start().strip_prefix('>').map_or(l, |q| q.strip_prefix(' ').unwrap_or(q))).collect::<Vec<_>>().join("\n");
            }
            let inner = split_depth(&rest, depth + 1);
            let text = match inner.forwarded {
                Some(f) if inner.own.trim().is_empty() || inner.points_below => format!("{}\n{}", inner.own, f),
                _ => inner.own,
            };
            if !text.trim().is_empty() {
                forwarded = Some(text.trim().to_string());
            }
        }
    }
    Split { own, forwarded, points_below, forwarded_to_us, quoted }
}

/// The lines written under and between ">" quotes (the attribution line and the quotes left out).
fn below_quote<'a>(lines: &[&'a str]) -> Vec<&'a str> {
    if !lines.iter().any(|l| is_quoted(l)) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut seen_quote = false;
    for l in lines {
        if is_quoted(l) {
            seen_quote = true;
            continue;
        }
        if !seen_quote {
            // The attribution ("On ... wrote:") and anything before the first quote.
            continue;
        }
        out.push(*l);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own(s: &str) -> String {
        split(s).own
    }

    #[test]
    fn a_form_under_the_signature_is_kept_and_a_signature_is_not_a_form() {
        let mail = "Kan ni lägga till två licenser enligt ärendet nedan?\n\nTack på förhand,\nJohan\n\nJohan Bergström\nTfn 031-704 22 10\n\n\
                    Ärende: RITM0053301\nArtikel: Microsoft 365 Business Standard\nAntal: 2\nAnvändarnamn: admin@bergstrom.onmicrosoft.com\n";
        let o = own(mail);
        assert!(o.starts_with("Kan ni lägga till") && o.contains("Antal: 2") && o.contains("Användarnamn: admin@"), "{o}");
        assert!(!o.contains("Tfn"), "{o}");
        // Fields without a quantity are a signature's: left out.
        let o = own("Please add 2 licences.\n\nThanks,\nJan\n\nTel: +32 2 555 01 01\nMobile: +32 478 00 00 00\nE-mail: jan@contoso.be\n");
        assert_eq!(o, "Please add 2 licences.");
    }

    #[test]
    fn outlook_blocks_in_five_languages() {
        for (from, sent, to, subj) in [
            ("From", "Sent", "To", "Subject"),
            ("De", "Envoyé", "À", "Objet"),
            ("Van", "Verzonden", "Aan", "Onderwerp"),
            ("Von", "Gesendet", "An", "Betreff"),
            ("Från", "Skickat", "Till", "Ämne"),
        ] {
            let body = format!(
                "Please add 3.\n\n{from}: Webservices <webservices@reseller.be>\n{sent}: Monday 3 March 2025 10:00\n{to}: jan@contoso.be\n{subj}: Your licences have been adapted\n\nWe added 5 licences.\n"
            );
            let s = split(&body);
            assert_eq!(s.own, "Please add 3.", "{from}");
            assert_eq!(s.forwarded, None, "{from}");
        }
        assert_eq!(own("Ajoutez 2 svp\nDe : Jan <jan@x.be>\nEnvoyé : lundi\nÀ : nous\nObjet : test\n\nold"), "Ajoutez 2 svp");
    }

    #[test]
    fn attributions_in_five_languages() {
        for attribution in [
            "On Mon, 3 Mar 2025 at 10:15, Webservices <webservices@reseller.be> wrote:",
            "Le lun. 3 mars 2025 à 10:15, Webservices <webservices@reseller.be> a écrit :",
            "Op ma 3 mrt 2025 om 10:15 schreef Webservices <webservices@reseller.be>:",
            "Am 03.03.2025 um 10:15 schrieb Webservices <webservices@reseller.be>:",
            "Den 3 mars 2025 kl. 10:15 skrev Webservices <webservices@reseller.be>:",
        ] {
            let body = format!("Thanks, received!\n\n{attribution}\n> We added 5 licences.\n");
            assert_eq!(own(&body), "Thanks, received!", "{attribution}");
        }
        let wrapped = "Fine.\n\nOn Mon, 3 Mar 2025 at 10:15, Webservices <webservices@reseller.be>\nwrote:\n> old\n";
        assert_eq!(own(wrapped), "Fine.");
        assert_eq!(own("ok\n-----Original Message-----\nFrom: x\nadd 9"), "ok");
        assert_eq!(own("ok\n-------- Message original --------\nadd 9"), "ok");
    }

    #[test]
    fn signatures_and_disclaimers() {
        assert_eq!(own("Please add 2 licences.\n\nKind regards,\nJan Peeters\n+32 475 12 34 56\nBTW BE0123456789"), "Please add 2 licences.");
        assert_eq!(own("Graag 2 extra.\n\nMet vriendelijke groeten\nJan\nKerkstraat 12"), "Graag 2 extra.");
        // "groet" as well as "groeten" (the pattern once read "groeten?": "groete", "groeten").
        // A labelled login in the signature is the account, the other addresses are contacts.
        assert_eq!(
            own("Please remove 2 licences.\n\nKind regards,\nOliver\nM365 admin account: admin@nf.onmicrosoft.com\nAdministration: compta@nf.com"),
            "Please remove 2 licences.\n\nM365 admin account: admin@nf.onmicrosoft.com"
        );
        for closing in ["Vriendelijke groet,", "Met vriendelijke groet", "Hartelijke groet", "Beste groet"] {
            assert_eq!(own(&format!("Graag 2 extra.\n\n{closing}\nSarah\nReservaties: booking@x.be")), "Graag 2 extra.", "{closing}");
        }
        assert_eq!(own("Ajoutez deux licences.\nCordialement,\nMarie"), "Ajoutez deux licences.");
        assert_eq!(own("Bitte zwei mehr.\n\nMit freundlichen Grüßen\nHans"), "Bitte zwei mehr.");
        assert_eq!(own("Lägg till två.\n\nMed vänliga hälsningar\nSven"), "Lägg till två.");
        assert_eq!(own("Add 2.\n-- \nJan\njan@x.be"), "Add 2.");
        assert_eq!(own("Add 2.\nSent from my iPhone"), "Add 2.");
        assert_eq!(own("Add 2.\nVerzonden vanaf mijn iPhone"), "Add 2.");
        assert_eq!(own("Add 2.\n\nThis e-mail and any attachments are confidential. 5 people"), "Add 2.");
        assert_eq!(own("Voeg 2 toe.\n\nDit bericht is vertrouwelijk, 3 personen"), "Voeg 2 toe.");
        // A postscript under the signature is the customer's again; the signature is not.
        assert_eq!(own("Add 4.\n\nBest regards,\nMarc\n+32 3 216 90 44\n\nPS – one of them takes over\na licence, so 3 is enough.\n\nMarc"), "Add 4.\n\nPS – one of them takes over\na licence, so 3 is enough.");
        assert_eq!(own("Bitte 4 F3.\nViele Grüße\nMarkus\nNachtrag: doch nur 3."), "Bitte 4 F3.\n\nNachtrag: doch nur 3.");
        assert_eq!(own("Add 2.\n-- \nJan\nPS: we are closed on Friday"), "Add 2.\n\nPS: we are closed on Friday");
    }

    #[test]
    fn forwards_take_the_colleagues_request() {
        for intro in ["See below, please do this.", "pls do this, our account is admin@x.onmicrosoft.com", "Zie onderstaand.", "Voir ci-dessous.", "Siehe unten.", "Se nedan.", "Bitte setzen Sie die Anfrage unten um."] {
            let body = format!(
                "{intro}\n\nFrom: Piet <piet@contoso.be>\nSent: Monday\nTo: it@contoso.be\nSubject: licences\n\nCan you add 2 Business Standard licences?\n\nThanks,\nPiet\n"
            );
            let s = split(&body);
            assert!(s.points_below, "{intro}");
            assert_eq!(s.forwarded.as_deref(), Some("Can you add 2 Business Standard licences?"), "{intro}");
        }
        let gmail = "\n---------- Forwarded message ---------\nFrom: Piet <piet@x.be>\nDate: Mon\nSubject: x\nTo: a@x.be\n\nRemove 1 licence please\n";
        assert_eq!(split(gmail).forwarded.as_deref(), Some("Remove 1 licence please"));
        // A webmail that forwards as a blockquote: the quote is the forwarded mail itself.
        let quoted = "Zie hieronder, mogen deze erbij?\n\n-------- Oorspronkelijk bericht --------\nOnderwerp: x\nVan: Sarah <s@x.be>\nAan: w@x.be\n\n> Wout,\n>\n> Kunnen we 5 licenties extra nemen?\n";
        assert!(split(quoted).forwarded.as_deref().is_some_and(|f| f.contains("5 licenties")), "{:?}", split(quoted));
        let ours = "See below?\n\nFrom: Webservices <webservices@reseller.be>\nSent: Monday\nTo: x\nSubject: done\n\nWe added 5.\n";
        assert_eq!(split(ours).forwarded, None);
        // Pointing below to say the request there is done: the history stays history.
        for intro in [
            "Pour un autre client : merci de retirer 2 licences. La demande ci-dessous a bien été traitée.",
            "Another client: please remove 2 licences. The request below was handled already.",
            "Andere klant: graag 2 licenties minder. De aanvraag hieronder is al verwerkt, zie onder.",
        ] {
            let body = format!("{intro}\n\nFrom: Piet <piet@contoso.be>\nSent: Monday\nTo: it@contoso.be\nSubject: licences\n\nCan you add 3 Business Standard licences?\n");
            let s = split(&body);
            assert!(!s.points_below && s.forwarded.is_none(), "{intro}: {s:?}");
        }
    }
    #[test]
    fn a_note_that_hands_over_a_colleagues_mail_takes_it() {
        let cases = [
            "Dag collega's,\n\nKunnen jullie dit regelen voor onze klant?\n\nKevin\n\nVan: Hilde <h@klant.be>\nVerzonden: dinsdag 17 maart 2026 11:20\nAan: Kevin <k@contoso.be>\nOnderwerp: licentie minder\n\nWij hebben vanaf 1 april 3 licenties minder nodig.\n",
            "Hoi,\n\nKan je dit regelen?\n\nTom\n\nVan: Lisa <lisa@contoso.be>\nVerzonden: maandag 3 maart 2025 09:12\nAan: Tom <tom@contoso.be>\nOnderwerp: licenties\n\nKunnen we 3 extra licenties Business Basic krijgen?\n",
            "Hallo,\n\nkannst du das bitte erledigen?\n\nKlaus\n\n-----Ursprüngliche Nachricht-----\nVon: Petra <p@contoso.de>\nGesendet: Montag, 3. März 2025 09:12\nBetreff: Lizenzen\n\nwir brauchen 3 zusätzliche Lizenzen.\n",
            "Hi,\n\nCan you sort this out for us?\n\nTom\n\nFrom: Lisa <lisa@contoso.be>\nSent: Monday, 3 March 2025 09:12\nSubject: licences\n\nWe need 3 additional licences.\n",
            "Bonjour,\n\nPeux-tu t'en occuper ?\n\nLuc\n\nDe : Claire <c@contoso.fr>\nEnvoyé : lundi 3 mars 2025 09:12\nObjet : licences\n\nIl nous faut 3 licences de plus.\n",
            "Hej,\n\nkan du fixa det här?\n\nAnna\n\nFrån: Olle <olle@contoso.se>\nSkickat: den 3 mars 2025 09:12\nÄmne: licenser\n\nVi behöver 3 licenser till.\n",
            // A helpdesk's line between the separator and the headers.
            "Hallo,\n\nbitte die Anfrage unserer Rezeption unten umsetzen. Danke!\n\nTimo\n\n---------- Forwarded message ----------\nTicket #48210 – Neue Antwort vom Kunden\nVon: Sabine <rezeption@contoso.de>\nDatum: Do., 4. Dez. 2025, 09:41\nBetreff: Lizenzen\n\nwir brauchen 3 zusätzliche Lizenzen.\n",
        ];
        for body in cases {
            let s = split(body);
            assert!(s.points_below, "{body}");
            assert!(s.forwarded.as_deref().is_some_and(|f| f.contains('3')), "{body}: {s:?}");
        }
        // A reply on our own confirmation is never taken.
        let s = split("Kan je dit regelen?\n\n-----Original Message-----\nFrom: Webservices <webservices@reseller.example>\nSent: Monday\nSubject: licences\n\nWe added 3 licences.\n");
        assert_eq!(s.forwarded, None);
    }
}
