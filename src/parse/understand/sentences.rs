//! Step 1: the customer's text cut into sentences, each with its tokens, the addresses and
//! product names it holds, and where it stands: which paragraph, whether it is a labelled field
//! ("UPN: x", "Anzahl: -2"), a list item or a line that only names an account.
//!
//! Addresses and product names are replaced by placeholders before tokenizing, so "Plan 1" or
//! "jan2@x.be" never read as quantities; dates, phones, prices, references and the like are masked
//! by `numbers` and so are explained before any rule sees them.

use std::sync::LazyLock;

use crate::parse::rx::Regex;

use super::cues::{cues_of, Dir};
use crate::parse::fuzzy;
use crate::parse::lexicon;
use crate::parse::language::{self, Language};
use crate::parse::numbers::{self, Tok, EMAIL_MARK, PRODUCT_MARK};
use crate::parse::products::{Catalog, Mention};

fn re(p: &str) -> Regex {
    Regex::new(p).expect("static sentence regex")
}

pub(crate) static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)[a-z0-9][a-z0-9._%+'\-]*@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}"));
static SENTENCE_END: LazyLock<Regex> = LazyLock::new(|| re(r"[.!?;]+(?:\s+|$)"));
/// "Petite correction : deux stagiaires sont prolongés. Retirez-en donc seulement 3.": what looks
/// like a label heads prose of its own sentences (three words or more each side of the end).
static LONG_VALUE: LazyLock<Regex> = LazyLock::new(|| re(r":\s*\S+(?:\s+\S+){2,}[.!?]\s+\p{Lu}\S*(?:\s+\S+){2,}"));
/// "UPN: x", "Aantal : 3", "Nombre de licences : 4": a short label, a colon, a value.
static FIELD: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*\*?([\p{L}][\p{L}\s/().'’-]{0,38}?)\*?\s*:\s*(\S.*)$"));


/// One address in a sentence, with the words around it (for `whom`).
#[derive(Debug, Clone)]
pub(crate) struct Address {
    pub addr: String,
    /// Up to 60 characters before it (after the previous address).
    pub before: String,
    /// Up to 40 characters after it (before the next address).
    pub after: String,
}

/// One sentence of the text, with its placeholders resolved.
#[derive(Debug, Clone)]
pub(crate) struct Sentence {
    pub toks: Vec<Tok>,
    pub emails: Vec<Address>,
    pub products: Vec<Mention>,
    /// Paragraph number (blank lines separate paragraphs).
    pub para: usize,
    /// Line number of the sentence's first line.
    pub line: usize,
    pub text: String,
    /// The label of a "Label: value" line, lowercased.
    pub label: Option<String>,
    /// The direction cue of each token.
    pub cues: Vec<Option<(Dir, bool)>>,
}

impl Sentence {
    pub fn has_num(&self) -> bool {
        self.toks.iter().any(|t| matches!(t, Tok::Num { .. }))
    }

    /// The numbers the sentence says, in order.
    pub fn numbers(&self) -> impl Iterator<Item = i64> + '_ {
        self.toks.iter().filter_map(|t| if let Tok::Num { value } = t { Some(*value) } else { None })
    }

    /// Whether a word of the sentence says plainly what to do ("add", "remove", "set to").
    pub fn has_strong_cue(&self) -> bool {
        self.cues.iter().flatten().any(|(_, strong)| *strong)
    }
}

/// Words corrected wherever they are misspelt: licence nouns and direction verbs.
static TYPO_WORDS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let units = ["licenses", "licences", "license", "licence", "licenties", "licentie", "lizenzen", "lizenz", "licenser", "licens", "licensen", "licenserna"];
    let mut v: Vec<String> = units
        .iter()
        .copied()
        .chain(lexicon::words().add.iter())
        .chain(lexicon::words().remove.iter())
        .chain(lexicon::words().change.iter())
        .map(fuzzy::fold)
        .filter(|w| w.chars().count() >= 6)
        .collect();
    v.sort();
    v.dedup();
    v
});

/// Cut `text` into sentences. Lines a mailer wrapped are joined; a blank line ends a paragraph;
/// list items and labelled fields stand alone.
pub(crate) fn split(text: &str, catalog: &Catalog, lang: Option<Language>) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut para = 0;
    let mut pending = String::new();
    let mut pending_line = 0;
    let mut prev_len = 0usize;
    let ctx = Ctx { catalog, lang };
    // A list that says "+ 2 Lizenzen" on one line means minus by "- 1 Lizenz" on another.
    // So does "• - 1 Exchange" beside "• + 2 Business Basic": a dash after a bullet is a sign.
    let signed_list = text.lines().any(|l| signed_quantity(dot_bulleted(l.trim_start())) == Some('+'));
    for (ln, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        let item = dot_bulleted(trimmed);
        let minus = signed_list && item.strip_prefix("- ").is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()));
        let owned;
        let trimmed = if minus {
            owned = format!("-{}", &item[2..]);
            owned.as_str()
        } else {
            trimmed
        };
        let stripped = strip_bullet(trimmed);
        let bullet = stripped.len() != trimmed.len()
            || trimmed.starts_with(|c: char| c.is_ascii_digit()) && trimmed.chars().nth(1).is_some_and(|c| c == '.' || c == ')');
        if stripped.is_empty() {
            flush(&mut pending, para, pending_line, &ctx, &mut out);
            para += 1;
            prev_len = 0;
            continue;
        }
        let field = FIELD.is_match(stripped) && field_label(stripped).is_some();
        // Long lines without final punctuation were wrapped by the mailer: keep them together.
        // "+1 (new assistant)" under a tenant's line is a list item of its own.
        let wrapped = !bullet && !field && signed_quantity(trimmed).is_none() && prev_len >= 60 && !pending.trim_end().ends_with(['.', '!', '?', ':', ';']);
        if !pending.is_empty() && !wrapped {
            flush(&mut pending, para, pending_line, &ctx, &mut out);
        }
        if pending.is_empty() {
            pending_line = ln;
        } else {
            pending.push(' ');
        }
        pending.push_str(stripped);
        prev_len = stripped.chars().count();
        if field {
            flush(&mut pending, para, pending_line, &ctx, &mut out);
            prev_len = 0;
        }
    }
    flush(&mut pending, para, pending_line, &ctx, &mut out);
    out
}

/// The sign of a line that opens with a signed quantity ("+2 Lizenzen", "- 1", "-3 (leavers)").
fn signed_quantity(line: &str) -> Option<char> {
    let mut chars = line.chars();
    let sign = chars.next().filter(|c| matches!(c, '+' | '-'))?;
    chars.as_str().trim_start().starts_with(|c: char| c.is_ascii_digit()).then_some(sign)
}

struct Ctx<'a> {
    catalog: &'a Catalog,
    lang: Option<Language>,
}

fn flush(pending: &mut String, para: usize, line: usize, ctx: &Ctx<'_>, out: &mut Vec<Sentence>) {
    let p = std::mem::take(pending);
    if p.trim().is_empty() {
        return;
    }
    // A labelled field is one sentence whatever dots its value holds ("Aantal: 3. Product: X" is rare).
    if field_label(&p).is_some() && !LONG_VALUE.is_match(&p) {
        push(&p, para, line, ctx, out);
        return;
    }
    let mut last = 0;
    for m in SENTENCE_END.find_iter(&p) {
        // "am 1. April", "nr. 5", "ca. 3", "z.B.": a dot after a digit or a short
        // abbreviation does not end the sentence.
        let before = &p[last..m.start()];
        let word = before.rsplit(|c: char| c.is_whitespace()).next().unwrap_or("");
        // "auf 12. Zum 1. Februar": after a number, a capitalised word that is no month
        // starts a new sentence; "am 1. April" and "1. Lizenz" (lowercase) do not.
        let next_word = p[m.end()..].split(|c: char| !c.is_alphanumeric()).find(|w| !w.is_empty()).unwrap_or("");
        let new_sentence_after_number = next_word.chars().next().is_some_and(char::is_uppercase) && !numbers::is_month(next_word);
        // So does "am 13.01. bestätigt": a day and month written the German way.
        let abbreviation = (word.chars().all(|c| c.is_ascii_digit() || c == '.') && !new_sentence_after_number)
            || (word.chars().count() <= 4
                && word.chars().all(|c| c.is_lowercase() || c == '.')
                // Dutch "u" is a word: "Dank u. Kan u nog één licentie bijdoen?" is two sentences.
                && (word.contains('.') || (word.chars().count() == 1 && word != "u") || lexicon::words().abbreviation.has(word)))
            || (word.chars().count() <= 3 && ["nr", "no", "ca", "tel", "tél", "dr", "mr", "mrs", "ms", "mme", "hr", "fr", "st", "ref", "réf", "art"].contains(&word.to_lowercase().as_str()));
        // The dot inside an address ("jan@x.be") is no end either.
        let in_address = EMAIL.find_iter(&p).any(|e| e.start() < m.start() && m.start() < e.end());
        if m.as_str().starts_with('.') && !word.is_empty() && (abbreviation || in_address) && m.end() < p.len() {
            continue;
        }
        push(&p[last..m.end()], para, line, ctx, out);
        last = m.end();
    }
    push(&p[last..], para, line, ctx, out);
}

/// The label of a "Label: value" line, if the line is one: at most four words before the colon,
/// and not a sentence that merely has a colon in it ("please add: 2 licences" is no field).
pub(crate) fn field_label(s: &str) -> Option<String> {
    let c = FIELD.captures(s.trim())?;
    let label = c.get(1)?.as_str().trim().to_lowercase();
    let words = label.split_whitespace().count();
    if words == 0 || words > 4 || EMAIL.is_match(&label) {
        return None;
    }
    Some(label)
}

/// "- 2 Business Standard", "* 1 E3", "• 3": a list bullet, not a minus sign.
pub(crate) fn strip_bullet(l: &str) -> &str {
    for b in ["- ", "* ", "• ", "· ", "– ", "o "] {
        if let Some(rest) = l.strip_prefix(b) {
            return rest.trim_start();
        }
    }
    l.strip_prefix('•').map(str::trim_start).unwrap_or(l)
}

/// The item of a line under a bullet that can be no sign ("• ", "* ", "· "): "• + 2" is "+ 2".
fn dot_bulleted(l: &str) -> &str {
    ["• ", "* ", "· "].iter().find_map(|b| l.strip_prefix(b)).map_or(l, str::trim_start)
}

fn tail_chars(s: &str, n: usize) -> &str {
    let count = s.chars().count();
    if count <= n {
        return s;
    }
    let skip = s.char_indices().nth(count - n).map_or(0, |(i, _)| i);
    &s[skip..]
}

fn head_chars(s: &str, n: usize) -> &str {
    let end = s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
    &s[..end]
}

fn push(s: &str, para: usize, line: usize, ctx: &Ctx<'_>, out: &mut Vec<Sentence>) {
    let s = s.trim();
    if s.is_empty() {
        return;
    }
    // Most sentences hold no address; the address pattern is costly to run only to say so.
    let has_at = s.contains('@');
    let spans: Vec<(usize, usize)> = if has_at { EMAIL.find_iter(s).map(|m| (m.start(), m.end())).collect() } else { Vec::new() };
    let mut emails: Vec<Address> = Vec::with_capacity(spans.len());
    for (k, &(a, b)) in spans.iter().enumerate() {
        let from = if k > 0 { spans[k - 1].1 } else { 0 };
        let to = spans.get(k + 1).map_or(s.len(), |n| n.0);
        let addr = s[a..b].to_lowercase();
        // "boekhouding@x.be<mailto:boekhouding@x.be>": the link's copy stands where the address does.
        let before = match emails.last() {
            Some(prev) if prev.addr == addr && a - from <= 10 => prev.before.clone(),
            _ => tail_chars(&s[from..a], 60).to_string(),
        };
        emails.push(Address { addr, before, after: head_chars(&s[b..to], 40).to_string() });
    }
    let with_emails = if has_at { EMAIL.replace_all(s, EMAIL_MARK.to_string().as_str()).into_owned() } else { s.to_string() };
    let with_emails = fuzzy::correct(&with_emails, &TYPO_WORDS, ctx.catalog.vocabulary());
    let found = ctx.catalog.find(&with_emails);
    let mut with_products = String::with_capacity(with_emails.len());
    let mut last = 0;
    for f in &found {
        with_products.push_str(&with_emails[last..f.start]);
        with_products.push(' ');
        with_products.push(PRODUCT_MARK);
        with_products.push(' ');
        last = f.end;
    }
    with_products.push_str(&with_emails[last..]);
    // A bilingual mail: the sentence's own language says which number words are words.
    let lang = language::detect_clear(s).or(ctx.lang);
    let toks = numbers::tokenize(&numbers::mask(&with_products), lang);
    let cues = cues_of(&toks);
    out.push(Sentence {
        cues,
        toks,
        emails,
        products: found.into_iter().map(|f| f.mention).collect(),
        para,
        line,
        text: s.to_string(),
        label: field_label(s),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(t: &str) -> Vec<String> {
        split(t, &Catalog::builtin(), Some(Language::En)).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn sentences_lines_and_fields() {
        assert_eq!(texts("Please add 2. Thanks!"), vec!["Please add 2.", "Thanks!"]);
        assert_eq!(texts("Bitte ab 1. April 3 mehr. Danke"), vec!["Bitte ab 1. April 3 mehr.", "Danke"]);
        assert_eq!(texts("Konto: admin@x.onmicrosoft.com\nAnzahl: -2\nProdukt: Exchange Online Plan 1"),
            vec!["Konto: admin@x.onmicrosoft.com", "Anzahl: -2", "Produkt: Exchange Online Plan 1"]);
        let s = split("UPN: beheer@x.onmicrosoft.com\nQuantity: +3", &Catalog::builtin(), None);
        assert_eq!(s[0].label.as_deref(), Some("upn"));
        assert_eq!(s[0].emails[0].addr, "beheer@x.onmicrosoft.com");
        assert_eq!(s[1].label.as_deref(), Some("quantity"));
        // A long line a mailer wrapped stays one sentence; a list item does not join.
        assert_eq!(texts("We would like to add two more licences of Business Standard for the\nnew colleagues please"),
            vec!["We would like to add two more licences of Business Standard for the new colleagues please"]);
        assert_eq!(texts("Please:\n- add 2 Business Basic\n- remove 1 E3").len(), 3);
    }

    #[test]
    fn a_dot_in_an_address_ends_nothing() {
        assert_eq!(texts("Please add 2 for jan.peeters@x.be. Thanks"), vec!["Please add 2 for jan.peeters@x.be.", "Thanks"]);
    }
}
