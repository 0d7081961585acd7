//! Quantities: digits and number words in en, fr, nl, de and sv, and the many numbers in a mail
//! that are not quantities.
//!
//! A sentence is first masked (dates, times, phone numbers, prices, order/VAT/IBAN/ticket numbers,
//! postcodes, house numbers, versions such as "Office 2016" or "365", plan names such as "Plan 1",
//! "E3", "P1") and then cut into tokens. Numbers that survive the mask become [`Tok::Num`];
//! "a couple", "quelques", "een paar"... become [`Tok::Vague`] so the parser asks instead of
//! guessing; an article ("a", "une", "een", "ein", "en") is a *weak* one, only believed when a
//! licence word follows.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::parse::rx::Regex;

use super::language::Language;

mod masks;
pub(crate) use masks::{is_month, mask, names_amount};

/// Placeholder characters the caller puts in a sentence before tokenizing.
pub(crate) const EMAIL_MARK: char = '\u{E000}';
pub(crate) const PRODUCT_MARK: char = '\u{E001}';
const TRAP_MARK: &str = " \u{E002} ";

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A quantity written in digits or words ("one", "drie", "zweiundzwanzig").
    Num { value: i64 },
    /// An article ("a", "une", "een", "ein", "en"): one, but only before a licence word.
    Article(String),
    /// "a couple", "several", "quelques"...: a quantity nobody can act on.
    Vague,
    /// "3-4", "3 or 4" (the latter is joined by the caller's grammar).
    Range,
    Word(String),
    Punct(char),
    /// The n-th e-mail placeholder of the sentence.
    Email(usize),
    /// The n-th product placeholder of the sentence.
    Product(usize),
    /// Something masked: never a quantity, but it separates words.
    Trap,
}

static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\u{E000}\u{E001}\u{E002}]|[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]").expect("token regex")
});
static NUM_SUFFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^(?:(\d{1,3})(?:x|st|pcs|stk|stuks|stück|ex)|x(\d{1,3}))$").expect("suffix regex"));
static RANGE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\d{1,3}-\d{1,3}$").expect("range regex"));

fn units_en() -> [&'static str; 19] {
    ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen",
     "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
}

static WORDS: LazyLock<HashMap<String, i64>> = LazyLock::new(|| {
    let mut m: HashMap<String, i64> = HashMap::new();
    let mut put = |w: &str, v: i64| {
        m.entry(w.to_string()).or_insert(v);
    };
    // English.
    for (i, w) in units_en().iter().enumerate() {
        put(w, i as i64 + 1);
    }
    let tens_en = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
    for (t, tw) in tens_en.iter().enumerate() {
        let tv = (t as i64 + 2) * 10;
        put(tw, tv);
        for (u, uw) in units_en()[..9].iter().enumerate() {
            put(&format!("{tw}-{uw}"), tv + u as i64 + 1);
            put(&format!("{tw}{uw}"), tv + u as i64 + 1);
        }
    }
    put("hundred", 100);
    put("dozen", 12);
    // French (with the Belgian and Swiss septante/huitante/nonante).
    let fr = ["un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze", "treize",
              "quatorze", "quinze", "seize", "dix-sept", "dix-huit", "dix-neuf"];
    for (i, w) in fr.iter().enumerate() {
        put(w, i as i64 + 1);
    }
    put("une", 1);
    let tens_fr: [(&str, i64); 9] = [("vingt", 20), ("trente", 30), ("quarante", 40), ("cinquante", 50),
        ("soixante", 60), ("septante", 70), ("huitante", 80), ("octante", 80), ("nonante", 90)];
    for (tw, tv) in tens_fr {
        put(tw, tv);
        put(&format!("{tw}-et-un"), tv + 1);
        put(&format!("{tw}-et-une"), tv + 1);
        for (u, uw) in fr[1..9].iter().enumerate() {
            put(&format!("{tw}-{uw}"), tv + u as i64 + 2);
        }
    }
    for (i, w) in fr[9..].iter().enumerate() {
        put(&format!("soixante-{w}"), 70 + i as i64);
        put(&format!("quatre-vingt-{w}"), 90 + i as i64);
    }
    put("soixante-et-onze", 71);
    put("quatre-vingts", 80);
    put("quatre-vingt", 80);
    for (u, uw) in fr[..9].iter().enumerate() {
        put(&format!("quatre-vingt-{uw}"), 81 + u as i64);
    }
    put("cent", 100);
    put("douzaine", 12);
    // Dutch: eenentwintig, tweeëntwintig (also written without the diaeresis).
    let nl = ["een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf", "twaalf",
              "dertien", "veertien", "vijftien", "zestien", "zeventien", "achttien", "negentien"];
    for (i, w) in nl.iter().enumerate().skip(1) {
        put(w, i as i64 + 1);
    }
    put("één", 1);
    put("eentje", 1);
    put("eén", 1);
    let tens_nl = ["twintig", "dertig", "veertig", "vijftig", "zestig", "zeventig", "tachtig", "negentig"];
    for (t, tw) in tens_nl.iter().enumerate() {
        let tv = (t as i64 + 2) * 10;
        put(tw, tv);
        for (u, uw) in nl[..9].iter().enumerate() {
            let v = tv + u as i64 + 1;
            put(&format!("{uw}en{tw}"), v);
            if uw.ends_with('e') {
                put(&format!("{uw}ën{tw}"), v);
            }
        }
    }
    put("honderd", 100);
    put("dozijn", 12);
    // German: einundzwanzig, zweiundzwanzig.
    let de = ["eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn", "elf", "zwölf",
              "dreizehn", "vierzehn", "fünfzehn", "sechzehn", "siebzehn", "achtzehn", "neunzehn"];
    for (i, w) in de.iter().enumerate() {
        put(w, i as i64 + 1);
    }
    let tens_de = ["zwanzig", "dreißig", "vierzig", "fünfzig", "sechzig", "siebzig", "achtzig", "neunzig"];
    for (t, tw) in tens_de.iter().enumerate() {
        let tv = (t as i64 + 2) * 10;
        put(tw, tv);
        for (u, uw) in de[..9].iter().enumerate() {
            let uw = if u == 0 { "ein" } else { uw };
            put(&format!("{uw}und{tw}"), tv + u as i64 + 1);
            put(&format!("{uw}und{}", tw.replace('ß', "ss")), tv + u as i64 + 1);
        }
    }
    put("dreissig", 30);
    put("hundert", 100);
    put("einhundert", 100);
    put("dutzend", 12);
    // Swedish: tjugotvå, tjugo-två.
    let sv = ["ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv", "tretton",
              "fjorton", "femton", "sexton", "sjutton", "arton", "nitton"];
    for (i, w) in sv.iter().enumerate().skip(1) {
        put(w, i as i64 + 1);
    }
    let tens_sv = ["tjugo", "trettio", "fyrtio", "femtio", "sextio", "sjuttio", "åttio", "nittio"];
    for (t, tw) in tens_sv.iter().enumerate() {
        let tv = (t as i64 + 2) * 10;
        put(tw, tv);
        for (u, uw) in sv[..9].iter().enumerate() {
            put(&format!("{tw}{uw}"), tv + u as i64 + 1);
            put(&format!("{tw}-{uw}"), tv + u as i64 + 1);
        }
        put(&format!("{tw}en"), tv + 1);
    }
    put("hundra", 100);
    put("etthundra", 100);
    put("dussin", 12);
    m
});

/// Articles: "a licence" is one licence, "a" alone is nothing.
const ARTICLES: &[&str] = &["a", "an", "un", "une", "een", "ein", "eine", "einen", "einem", "en", "ett"];
/// Words that make a quantity vague.
/// "une dizaine", "een tiental", "ett tiotal" are about ten, not ten.
const VAGUE: &[&str] = &["couple", "few", "several", "some", "quelques", "plusieurs", "enkele", "meerdere", "einige",
    "mehrere", "några", "flera", "diverse", "dizaine", "dizaines", "quinzaine", "vingtaine", "trentaine", "tiental",
    "tientallen", "twintigtal", "tiotal", "tjugotal", "femtontal"];

/// A vague quantity: the listed words, and a number word with the Dutch or Swedish "-tal" of
/// "about" ("een vijftal", "een twintigtal", "ett tjugotal").
fn is_vague(w: &str) -> bool {
    VAGUE.contains(&w) || w.strip_suffix("tal").is_some_and(|n| word_value(n).is_some_and(|v| v >= 4))
}

/// Licence-ish nouns: what a quantity counts.
pub(crate) fn is_unit_noun(w: &str) -> bool {
    const NOUNS: &[&str] = &["licens", "licenc", "licent", "lizenz", "seat", "user", "gebruiker", "utilisateur",
        "benutzer", "nutzer", "användare", "account", "compte", "konto", "subscription", "abonnement", "abonnemang",
        "mailbox", "postfach", "postlåd", "boîte", "plaats", "platz", "plätze", "plats", "siège",
        "employee", "medewerker", "mitarbeiter", "anställd", "collaborat", "collega", "colleague", "kollege",
        "kollega", "person", "personne", "stuks", "exemplar"];
    let last = w.rsplit('-').next().unwrap_or(w);
    // "poste(s)" whole: "posters" are no seats.
    NOUNS.iter().any(|n| w.starts_with(n) || last.starts_with(n)) || matches!(last, "poste" | "postes")
}

/// The value of a number word, if `w` (lowercase) is one.
pub(crate) fn word_value(w: &str) -> Option<i64> {
    WORDS.get(w).copied()
}

/// Tokens of one (already masked, placeholder-bearing) sentence.
///
/// `lang` is the language of the mail: number words that are ordinary words in another language
/// ("onze" is eleven in French and "our" in Dutch, "elf", "sex", "sept", "cent", "seize") only
/// count in their own.
pub(crate) fn tokenize(masked: &str, lang: Option<Language>) -> Vec<Tok> {
    let mut emails = 0;
    let mut products = 0;
    let mut out: Vec<(Tok, bool)> = Vec::new(); // (token, written as a word)
    // End of the last token when it was a reference code such as "M2603".
    let mut code_end = None;
    // End of a Dutch plural's "'s" already joined to its word.
    let mut skip_to = 0;
    for m in TOKEN.find_iter(masked) {
        if m.start() < skip_to {
            continue;
        }
        let t = m.as_str();
        let after_code = code_end.take().is_some_and(|end| &masked[end..m.start()] == " ");
        if is_reference_code(t) {
            code_end = Some(m.end());
        }
        let mut chars = t.chars();
        let first = chars.next().unwrap_or(' ');
        let single = chars.next().is_none();
        let tok = if single && first == EMAIL_MARK {
            emails += 1;
            (Tok::Email(emails - 1), false)
        } else if single && first == PRODUCT_MARK {
            products += 1;
            (Tok::Product(products - 1), false)
        } else if single && first == '\u{E002}' {
            (Tok::Trap, false)
        } else if t.chars().all(|c| c.is_ascii_digit()) {
            // "melding M2603 117": a reference written in groups; no count of 100+ follows a code.
            if after_code && t.len() >= 3 { (Tok::Trap, false) } else { (digits(t), false) }
        } else if let Some(c) = NUM_SUFFIX.captures(t) {
            let v = c.get(1).or(c.get(2)).and_then(|g| g.as_str().parse::<i64>().ok());
            // "5x", "x5": the multiplier stays beside the number as the word "x".
            let lower = t.to_ascii_lowercase();
            let times = v.is_some() && (lower.starts_with('x') || lower.ends_with('x'));
            if times && lower.starts_with('x') {
                out.push((Tok::Word("x".into()), false));
            }
            out.push((v.map_or(Tok::Trap, |value| Tok::Num { value }), false));
            if times && lower.ends_with('x') {
                out.push((Tok::Word("x".into()), false));
            }
            continue;
        } else if RANGE.is_match(t) {
            (Tok::Range, false)
        } else if t.chars().any(|c| c.is_ascii_digit()) {
            (Tok::Trap, false)
        } else if first.is_alphanumeric() {
            let w = t.to_lowercase();
            // "en" is the Swedish article but "and"/"in" in Dutch and French.
            if ARTICLES.contains(&w.as_str()) && !(w == "en" && lang.is_some_and(|l| l != Language::Sv)) {
                (Tok::Article(w), true)
            } else if let Some(value) = word_value(&w).filter(|_| !foreign(&w, lang)) {
                (Tok::Num { value }, true)
            } else if is_vague(&w) {
                (Tok::Vague, true)
            } else if let Some(len) = dutch_plural_s(&masked[m.end()..], lang) {
                // "collega's", "pc's": one plural word, as "collegas" is written without it.
                skip_to = m.end() + len;
                (Tok::Word(w + "s"), true)
            } else {
                (Tok::Word(w), true)
            }
        } else if single && matches!(first, '-' | '–') && masked[m.end()..].starts_with(char::is_whitespace) {
            // "Purchase order - 4 licences": a dash between words, not a minus.
            (Tok::Punct('—'), false)
        } else {
            (Tok::Punct(first), false)
        };
        out.push(tok);
    }
    dates_in_words(join_compounds(out))
}

/// "le lundi quatre janvier", "am zwanzigsten Mai": a day written in words before its month is a
/// date (the masks catch only digits). "may" and "jan" are words or names too often to say so.
fn dates_in_words(mut toks: Vec<Tok>) -> Vec<Tok> {
    for i in 1..toks.len() {
        // The number first: a month is looked up for few words.
        let day = matches!(toks[i - 1], Tok::Num { value: 1..=31 });
        if day && matches!(&toks[i], Tok::Word(w) if is_month(w) && !["may", "mar", "jan"].contains(&w.as_str())) {
            toks[i - 1] = Tok::Trap;
        }
    }
    toks
}

/// The length of a Dutch plural ending "'s" that `rest` starts with ("collega's", "pc’s").
fn dutch_plural_s(rest: &str, lang: Option<Language>) -> Option<usize> {
    if lang != Some(Language::Nl) {
        return None;
    }
    let apostrophe = rest.chars().next().filter(|c| matches!(c, '\'' | '’'))?;
    let after = &rest[apostrophe.len_utf8()..];
    let ends = after.strip_prefix('s').is_some_and(|r| !r.starts_with(|c: char| c.is_alphanumeric()));
    ends.then_some(apostrophe.len_utf8() + 1)
}

/// Letters then three digits or more: a ticket, order or customer reference ("M2603", "INC0042").
fn is_reference_code(t: &str) -> bool {
    let digits_from = t.find(|c: char| c.is_ascii_digit());
    digits_from.is_some_and(|at| {
        at > 0 && t[..at].chars().all(char::is_alphabetic) && t.len() - at >= 3 && t[at..].chars().all(|c| c.is_ascii_digit())
    })
}

/// A number word that, in this mail's language, is an ordinary word.
fn foreign(w: &str, lang: Option<Language>) -> bool {
    let own: &[Language] = match w {
        "onze" | "sept" | "cent" | "seize" | "douze" => &[Language::Fr],
        "elf" => &[Language::Nl, Language::De],
        "sex" | "fem" | "tre" | "nio" | "tio" | "sju" | "elva" => &[Language::Sv],
        "vier" | "acht" => &[Language::Nl, Language::De],
        _ => return false,
    };
    !lang.is_some_and(|l| own.contains(&l))
}

fn digits(t: &str) -> Tok {
    // Leading zeros, 4+ digits: identifiers, years, postcodes; no customer buys 1000 seats by mail.
    if t.len() > 3 || (t.len() > 1 && t.starts_with('0')) {
        return Tok::Trap;
    }
    t.parse::<i64>().map_or(Tok::Trap, |value| Tok::Num { value })
}

/// "twenty two", "vingt et un", "half a dozen", "a couple", "een paar", "ett par", "a hundred".
fn join_compounds(toks: Vec<(Tok, bool)>) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let (t, is_word) = &toks[i];
        let next = toks.get(i + 1).map(|(t, _)| t);
        let after = toks.get(i + 2).map(|(t, _)| t);
        if let (Tok::Num { value: tens, .. }, true) = (t, *is_word) {
            let is_tens = *tens >= 20 && *tens <= 90 && tens % 10 == 0;
            if is_tens {
                if let Some(Tok::Num { value: u }) = next {
                    if (1..=9).contains(u) && toks[i + 1].1 {
                        out.push(Tok::Num { value: tens + u });
                        i += 2;
                        continue;
                    }
                }
                let one_after = matches!(after, Some(Tok::Num { value: 1, .. })) || matches!(after, Some(Tok::Article(a)) if a == "un" || a == "une");
                if let (Some(Tok::Word(et)), true) = (next, one_after) {
                    if et == "et" || et == "and" {
                        out.push(Tok::Num { value: tens + 1 });
                        i += 3;
                        continue;
                    }
                }
            }
        }
        if let (Tok::Num { value: u, .. }, true, Some(Tok::Num { value: 100, .. })) = (t, *is_word, next) {
            if (1..=9).contains(u) {
                out.push(Tok::Num { value: u * 100 });
                i += 2;
                continue;
            }
        }
        // "Quick one:", "one question", "one more thing": the word "one" counts nothing.
        // "Microsoft 365 E3, the one that includes Intune": a pronoun.
        let idiom_before = (matches!(t, Tok::Word(q) if ["quick", "small", "short"].contains(&q.as_str()))
            || matches!(t, Tok::Word(q) if q == "the") && matches!(after, Some(Tok::Word(w)) if ["that", "which", "who", "with", "we", "you", "they"].contains(&w.as_str())))
            && matches!(next, Some(Tok::Num { value: 1 }))
            && toks[i + 1].1;
        let idiom_after = matches!(t, Tok::Num { value: 1 })
            && *is_word
            && (matches!(next, Some(Tok::Word(w)) if ["question", "thing", "remark"].contains(&w.as_str()))
                || matches!((next, after), (Some(Tok::Word(m)), Some(Tok::Word(w))) if m == "more" && ["question", "thing", "remark"].contains(&w.as_str())));
        if idiom_before {
            out.push(t.clone());
            out.push(Tok::Word("one".into()));
            i += 2;
            continue;
        }
        if idiom_after {
            out.push(Tok::Word("one".into()));
            i += 1;
            continue;
        }
        match (t, next) {
            (Tok::Word(h), Some(Tok::Article(_))) if h == "half" || h == "halve" => {
                if let Some(Tok::Num { value: 12, .. }) = after {
                    out.push(Tok::Num { value: 6 });
                    i += 3;
                    continue;
                }
            }
            (Tok::Article(a), Some(Tok::Word(p)))
                if (p == "par" && a == "ett") || ((p == "paar" || p == "aantal") && (a == "een" || a == "ein")) =>
            {
                // Swedish "ett par": a couple.
                out.push(Tok::Vague);
                i += 2;
                continue;
            }
            (Tok::Article(_), Some(Tok::Num { value })) if *value >= 10 => {
                // "a dozen", "een tiental", "a hundred": the article is part of the number.
                i += 1;
                continue;
            }
            (Tok::Article(_), Some(Tok::Vague)) => {
                i += 1;
                continue;
            }
            // "retirez-en une seule", "nur eine einzige": one, said with weight.
            (Tok::Article(a), Some(Tok::Word(w))) if a != "a" && ["seule", "seul", "einzige", "einzigen", "enda"].contains(&w.as_str()) => {
                out.push(Tok::Num { value: 1 });
                i += 2;
                continue;
            }
            // "une de moins", "un de plus", "une en plus": one, whose direction the words after say.
            (Tok::Article(a), Some(Tok::Word(de)))
                if (a == "un" || a == "une")
                    && (de == "de" || de == "en")
                    && matches!(after, Some(Tok::Word(w)) if w == "plus" || w == "moins") =>
            {
                out.push(Tok::Num { value: 1 });
                i += 1;
                continue;
            }
            // Flemish "ge moogt er ene afdoen", "nog ene bij": "ene" is one, after "er" or "nog"
            // (elsewhere it is "de ene … de andere").
            (Tok::Word(er), Some(Tok::Word(ene))) if (er == "er" || er == "nog") && ene == "ene" => {
                out.push(t.clone());
                out.push(Tok::Num { value: 1 });
                i += 2;
                continue;
            }
            (Tok::Word(_) | Tok::Article(_), Some(Tok::Word(of))) if one_of_them(t, of, after) => {
                out.push(Tok::Num { value: 1 });
                i += 1;
                continue;
            }
            _ => {}
        }
        out.push(t.clone());
        i += 1;
    }
    out
}

/// "en av dem", "ett av kontona", "eine davon", "einer davon", "einer von ihnen", "one of them",
/// "één van hen": one of them, a count of one.
fn one_of_them(t: &Tok, of: &str, after: Option<&Tok>) -> bool {
    let them = || matches!(after, Some(Tok::Word(w)) if ["ihnen", "them", "hen", "hun"].contains(&w.as_str()));
    match t {
        Tok::Article(a) if ((a == "en" || a == "ett") && of == "av") || ((a == "eine" || a == "ein") && of == "davon") => true,
        Tok::Word(a) if a == "einer" && of == "davon" => true,
        Tok::Word(a) | Tok::Article(a) => {
            matches!((a.as_str(), of), ("einer" | "eine", "von") | ("one", "of") | ("één" | "een", "van")) && them()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nums(s: &str) -> Vec<i64> {
        let lang = super::super::language::detect(s);
        tokenize(&mask(s), lang)
            .into_iter()
            .filter_map(|t| match t {
                Tok::Num { value } => Some(value),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn words_in_five_languages() {
        assert_eq!(nums("twenty-two licences"), vec![22]);
        assert_eq!(nums("twenty two licences"), vec![22]);
        assert_eq!(nums("vingt-deux licences"), vec![22]);
        assert_eq!(nums("soixante-quinze"), vec![75]);
        assert_eq!(nums("quatre-vingt-dix"), vec![90]);
        assert_eq!(nums("tweeëntwintig licenties"), vec![22]);
        assert_eq!(nums("eenendertig"), vec![31]);
        assert_eq!(nums("zweiundzwanzig Lizenzen"), vec![22]);
        assert_eq!(nums("tjugotvå licenser"), vec![22]);
        assert_eq!(nums("three, drie, trois, drei"), vec![3, 3, 3, 3]);
        assert_eq!(nums("tre licenser tack"), vec![3]);
        // "onze" is eleven only in French; in Dutch it is "our".
        assert_eq!(nums("onze licenties graag"), Vec::<i64>::new());
        assert_eq!(nums("onze licences pour nous"), vec![11]);
        assert_eq!(nums("a hundred"), vec![100]);
        assert_eq!(nums("one hundred licences"), vec![100]);
        assert_eq!(nums("trente et une licences"), vec![31]);
        // A day in words before its month is a date.
        assert_eq!(nums("deux stagiaires arrivent le lundi quatre janvier"), vec![2]);
        assert_eq!(nums("wir brauchen ab zwanzig Mai drei mehr"), vec![3]);
    }

    #[test]
    fn french_phone_numbers_in_pairs() {
        assert_eq!(nums("le code arrive au 06 12 34 56 78, un numéro"), Vec::<i64>::new());
        assert_eq!(nums("bel 04.12.34.56.78 of 2 licenties"), vec![2]);
        assert!(is_month("Februar") && is_month("mars") && !is_month("Zum"));
    }

    #[test]
    fn dozens_and_vague() {
        assert_eq!(nums("a dozen licences"), vec![12]);
        assert_eq!(nums("une douzaine de licences"), vec![12]);
        // About ten is no number to act on.
        for about in ["een tiental licenties", "une dizaine de licences", "ett tiotal licenser"] {
            assert_eq!(nums(about), Vec::<i64>::new(), "{about}");
            assert!(tokenize(&mask(about), None).contains(&Tok::Vague), "{about}");
        }
        assert_eq!(nums("ein Dutzend Lizenzen"), vec![12]);
        assert_eq!(nums("ett dussin licenser"), vec![12]);
        assert_eq!(nums("half a dozen"), vec![6]);
        assert!(tokenize(&mask("a couple of licences"), None).contains(&Tok::Vague));
        assert!(tokenize(&mask("een paar licenties"), None).contains(&Tok::Vague));
        assert!(tokenize(&mask("ett par licenser"), None).contains(&Tok::Vague));
    }

    #[test]
    fn multiplier_forms() {
        assert_eq!(nums("5x Business Standard"), vec![5]);
        assert_eq!(nums("Business Standard x5"), vec![5]);
        assert_eq!(nums("3 st licenser"), vec![3]);
    }

    #[test]
    fn traps_are_not_quantities() {
        assert_eq!(nums("on 12/03/2025 at 14:30"), Vec::<i64>::new());
        assert_eq!(nums("le 3 mars"), Vec::<i64>::new());
        assert_eq!(nums("am 5. Mai"), Vec::<i64>::new());
        assert_eq!(nums("call me on +32 475 12 34 56 or 0475 12 34 56"), Vec::<i64>::new());
        assert_eq!(nums("at € 12,50 per user"), Vec::<i64>::new());
        assert_eq!(nums("PO 4500012345, order #778, ticket 1234"), Vec::<i64>::new());
        assert_eq!(nums("BTW BE 0123.456.789"), Vec::<i64>::new());
        assert_eq!(nums("IBAN BE68 5390 0754 7034"), Vec::<i64>::new());
        assert_eq!(nums("Kerkstraat 12, 9000 Gent"), Vec::<i64>::new());
        assert_eq!(nums("Office 2016 and Microsoft 365 and Windows 11"), Vec::<i64>::new());
        assert_eq!(nums("Exchange Online Plan 1, E3, F3, P1"), Vec::<i64>::new());
        assert_eq!(nums("for 12 months"), Vec::<i64>::new());
        assert_eq!(nums("the 2nd user"), Vec::<i64>::new());
        assert_eq!(nums("add 3 licences on 1 March"), vec![3]);
        assert_eq!(nums("starting March 3, and on April 4 we"), Vec::<i64>::new());
        assert_eq!(nums("wir brauchen ab April 3 Lizenzen weniger"), vec![3]);
        assert_eq!(nums("Avenue Louise 149/24, 1050 Bruxelles"), Vec::<i64>::new());
        assert_eq!(nums("for the new branch at 14 Station Road"), Vec::<i64>::new());
        assert_eq!(nums("(Bruul 45, 2800 Mechelen)"), Vec::<i64>::new());
        assert_eq!(nums("shift 2, hall 3, vecka 14"), Vec::<i64>::new());
        assert_eq!(nums("bloc 1, route 7, magazijn 3, dépôt 2, bygge 12"), Vec::<i64>::new());
        assert_eq!(nums("see https://portal.example/x?id=12 or www.x.be/3"), Vec::<i64>::new());
        // A reference written in groups; a count after a code stays a count.
        assert_eq!(nums("Melding M2603 117 – Licenties intrekken"), Vec::<i64>::new());
        assert_eq!(nums("order PO4411 3 licences"), vec![3]);
        assert_eq!(nums("E3 150 licences"), vec![150]);
    }
    #[test]
    fn en_is_an_article_only_in_swedish() {
        let toks = tokenize(&mask("wanneer en hoeveel licenties"), Some(Language::Nl));
        assert!(!toks.iter().any(|t| matches!(t, Tok::Article(_))));
        let toks = tokenize(&mask("vi behöver en licens till"), Some(Language::Sv));
        assert!(toks.contains(&Tok::Article("en".into())));
        assert_eq!(nums("En av dem tar över hans licens"), vec![1]);
        // "5x" and "x5" keep the multiplier beside the number.
        assert_eq!(tokenize(&mask("x5"), None), vec![Tok::Word("x".into()), Tok::Num { value: 5 }]);
        assert_eq!(tokenize(&mask("5x"), None), vec![Tok::Num { value: 5 }, Tok::Word("x".into())]);
    }
}
