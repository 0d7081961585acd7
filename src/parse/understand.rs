//! From the customer's own words to seat changes: which quantity, which direction (add, remove,
//! new total), which product, which tenant username, and what is missing or contradictory.
//!
//! Works sentence by sentence on tokens (see `numbers`): e-mail addresses and product names are
//! replaced by placeholders first so "Plan 1" or "jan2@x.be" never read as quantities. Each
//! quantity takes the direction of the nearest cue word ("add", "erbij", "en moins", "weitere",
//! "ta bort"...), a target when it follows "to/naar/à/auf/till" after a change verb or sits next
//! to a total word, and the product and username nearest to it. What a sentence leaves open is
//! filled from the rest of the mail only when the rest says one thing.
//!
//! Precision first: a mail that reads as a how-to question, a report of a change already made, a
//! billing complaint, a password problem or phishing yields no request unless one sentence asks
//! in so many words ("please", "graag", "merci de", "bitte", "kan ni", a modal question or an
//! imperative). Only an address introduced as the login ("login", "gebruikersnaam",
//! "identifiant", "Benutzername", "användarnamn", "licences for x@...") is a username.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

use super::cues::*;
use super::fuzzy;
use crate::parse::numbers::{self, Tok, EMAIL_MARK, PRODUCT_MARK};
use crate::parse::products::{Catalog, Mention};
use crate::parse::{Ask, Change, Item, Language};


/// What the text asks, before the mail-level decision.
#[derive(Debug, Default)]
pub(crate) struct Understanding {
    pub items: Vec<Item>,
    pub problem: Option<(Ask, String)>,
    /// Some sentence speaks of changing seats (a cue next to a licence word or product).
    pub intent: bool,
    /// A sentence was left out because it asks a price/quote or a how-to question.
    pub skipped_question: bool,
    /// Direction cues seen (used to check a subject against a body).
    dirs: BTreeSet<u8>,
}

fn re(p: &str) -> Regex {
    Regex::new(p).expect("static understand regex")
}

static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)[a-z0-9][a-z0-9._%+'\-]*@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}"));
static SENTENCE_END: LazyLock<Regex> = LazyLock::new(|| re(r"[.!?;]+(?:\s+|$)"));
static PAST: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)((have|has|had) (been|already been) (added|removed|adapted|adjusted|changed|processed|updated|reduced|increased)|\b(was|were) (added|removed|adapted|adjusted|changed|processed|reduced|increased)\b|you (have )?(added|removed|adapted|adjusted|processed)|zijn (toegevoegd|verwijderd|aangepast|verwerkt)|werden (toegevoegd|verwijderd|aangepast)|hebben jullie .*(toegevoegd|verwijderd|aangepast)|ont (bien )?été (ajoutées?|supprimées?|modifiées?|retirées?)|a (bien )?été (ajoutée?|supprimée?|modifiée?)|avez (ajouté|supprimé|modifié)|wurden (hinzugefügt|entfernt|angepasst|geändert)|sind (hinzugefügt|entfernt|angepasst)|haben .*(hinzugefügt|entfernt|angepasst)|har (lagts till|tagits bort|ändrats|justerats)|ni har (lagt till|tagit bort|ändrat))")
});
static THANKS_FOR: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(thanks|thank you|many thanks|merci|bedankt|dank u|dank je|danke|vielen dank|tack)\s+(for|pour|d'avoir|voor|für|för)\b")
});
static THANKS_START: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^\W*(thanks|thank you|many thanks|merci|bedankt|dank u|dank je|danke|vielen dank|tack)\b")
});
/// French "merci de faire X" is a polite "please do X".
static MERCI_DE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^\W*merci\s+(de|d'|d’)"));
static IN_ADVANCE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)(in advance|d'avance|par avance|alvast|vooraf|im voraus|på förhand|i förväg)"));
static HEDGE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(probably|maybe|perhaps|possibly|might|waarschijnlijk|misschien|mogelijk|wellicht|peut-être|probablement|éventuellement|vielleicht|wahrscheinlich|möglicherweise|eventuell|kanske|troligen|möjligen|eventuellt)\b")
});
static INFO_QUESTION: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^\W*(how|what|why|where|when|which|who|hoe|wat|waarom|waar|wanneer|welke|comment|pourquoi|où|quand|quel|quelle|quels|combien|wie|was|warum|wo|wann|welche|wieviel|wie viele|hur|vad|varför|var|när|vilken|vilka)\b")
});
static PRICE_Q: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(quote|quotation|offerte|prijsofferte|devis|angebot|kostenvoranschlag|offert|prisförslag|price|pricing|cost|costs|prijs|kost|kosten|prix|tarif|coût|coûte|preis|kostet|pris|kostar)\b")
});
static LOGIN_IS_SENDER: LazyLock<Regex> = LazyLock::new(|| {
    let this = r"(this|my|same|the sender'?s?|cette|mon|ma|même|dit|deze|mijn|hetzelfde|zelfde|diese|dieser|dieses|meine|dieselbe|gleiche|denna|den här|det här|detta|min|samma)";
    let addr = r"(e-?mail[- ]?|mail|e-?post|courriel)?(address|adresse|adres|adress|mailadres|e-?mailadres|e-?postadress)\w*";
    let login = r"(login|log-in|username|user name|user|account|identifiant|compte|gebruikersnaam|gebruiker|benutzername|benutzer|anmeldename|konto|användarnamn|inloggning|användare)";
    re(&format!(r"(?i)({this}\s+{addr}\b.{{0,60}}\b{login}|\b{login}\b.{{0,40}}\b{this}\s+{addr}|\b(login|username|identifiant|gebruikersnaam|benutzername|användarnamn)\b.{{0,20}}\b(is|est|ist|är)\s+(the )?(sender|afzender|expéditeur|absender|avsändare))"))
});
static WHO_LEFT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(who (have )?left|who are leaving|who no longer work|former (employees|colleagues|staff)|ex-employees|leavers|qui (sont|ont) (partis|quitté)|qui ne travaillent plus|anciens (employés|collaborateurs)|die (vertrokken|weg) (zijn|is)|die uit dienst|niet meer (bij ons )?werken|ex-medewerkers|oud-medewerkers|die ausgeschieden|die (uns )?verlassen haben|ehemaligen mitarbeiter|nicht mehr bei uns|som (har )?slutat|som lämnat|tidigare anställda)")
});
/// A yes/no question opened by a modal verb asks for the change: "Can we get 2 more?", "Mogen we
/// naar 25?", "Kan er nog 1 bij?", "Pouvons-nous passer à 15 ?", "Können wir 2 weitere haben?",
/// "Får vi 3 till?".
static MODAL_START: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^\W*((hi|hello|hallo|hoi|dag|bonjour|hej|guten tag)\W+)?(can|could|may|would|will|kan|kunnen|kunt|kun|mogen|mag|zou|zouden|wil|wilt|willen|pouvez|pourriez|peux|pourrais|pouvons|pourrions|peut|puis|est-ce|können|könnten|kann|kannst|dürfen|darf|würden|würdest|wäre|kunde|får|skulle|går)\b")
});
/// Short words that end with a dot without ending the sentence ("ca. 3", "nr. 5", "bzw.").
/// Ordinary short words ("... komen er heel wat mensen bij. Mogen we ...") do end it.
const ABBREVIATIONS: &[&str] = &["ca", "nr", "no", "vs", "etc", "bzw", "inkl", "incl", "resp", "evt", "ggf", "bv", "vgl",
    "usw", "zb", "dh", "min", "max", "tel", "tél", "st", "stk", "ex", "cf", "env", "approx", "mr", "mme", "mw", "dhr",
    "hr", "fr", "dr", "ing", "ir", "nº", "n°", "art", "pt", "zgl", "ev", "t", "m", "p", "s", "z", "u", "a", "e", "i"];

/// Words that make a sentence a request rather than a report or a question.
static REQUEST_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(\b(please|pls|plz|kindly|could you|can you|would you|will you|could we|can we|we need|we'?d like|we would like|i'?d like|i would like|we want|we require|(is|would) it (be )?possible|go ahead|graag|gelieve|a\.?u\.?b\b|alstublieft|alsjeblieft|kunnen jullie|kunnen julie|kan je|kun je|kunt u|kunt u|willen jullie|wil je|wilt u|zou(den)? (jullie|u)|we willen|wij willen|we hebben .{0,40}nodig|wij hebben .{0,40}nodig|is het mogelijk|mogen er|s'il vous pla[iî]t|s'il te pla[iî]t|svp|stp|merci (de|d')|pouvez-vous|pourriez-vous|peux-tu|pourrais-tu|veuillez|nous avons besoin|j'ai besoin|il nous faut|il faut|nous voudrions|je voudrais|nous souhaitons|je souhaite|est-il possible|serait-il possible|bitte|können sie|könnten sie|kannst du|könntest du|wir brauchen|wir benötigen|wir möchten|ich möchte|wir hätten gern|ist es möglich|wäre es möglich|kan ni|kan du|skulle ni|skulle du|vänligen|var snäll|vi behöver|jag behöver|vi vill|jag vill|vi skulle vilja|är det möjligt|går det att)\b|\S.*\btack\b)")
});
/// What introduces an address as the tenant's login: "login", "username", "Benutzername",
/// "gebruikersnaam", "identifiant", "användarnamn", "tenant", "admin", "our account".
static LOGIN_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(\b(log-?in|logon|sign-?in|user ?name|user-?id|upn|tenant|admin|administrator|gebruikersnaam|inlognaam|inlog|beheerder|beheerdersaccount|identifiant|administrateur|benutzername|anmeldename|anmeldung|användarnamn|inloggning|inlogg)\b|\b(our|ons|onze|notre|unser|unsere|unseres|vårt|vår|my|mijn|mon|mein|mitt|min)\s+(office 365 |microsoft 365 |m365 |o365 |admin )?(account|compte|konto|tenant|login|username|gebruikersnaam|identifiant|benutzername|användarnamn)\b)")
});
/// "... licences for admin@x", "voor gebruiker admin@x", "Benutzer: admin@x": the licences are for
/// this login. ("Het account van de stagiair (x@...) mag weg" names a user, not the tenant.)
static LOGIN_FOR: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(\b(for|voor|pour|für|för)\s+((the|de|le|l'|den|das)\s+)?((user|gebruiker|utilisateur|benutzer|användare|användaren|tenant|account|compte|konto)\s+)?[(\[]?\s*$|\b(user|gebruiker|utilisateur|benutzer|användare|account|compte|konto)\s*:\s*$)")
});
static LOGIN_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^\W{0,3}(is|est|ist|är)\s+(our|my|the|ons|onze|mijn|de|notre|mon|l'|unser|mein|der|vårt|mitt|min)\s*(admin\w* |office 365 |microsoft 365 )?(login|username|user name|gebruikersnaam|identifiant|benutzername|anmeldename|användarnamn|inloggning)")
});

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

/// "Can you tell me...", "kunt u mij zeggen", "pouvez-vous me dire", "können Sie mir sagen", "kan ni
/// berätta": a question, however politely put.
static TELL_ME: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(\b(can|could) you (tell|let me know|explain|show)|\bdo you know\b|\bi (would like|want) to know\b|\bi wonder\b|(kunt|kan|kunnen|zou) (u|je|jullie) (mij |me |ons )?(zeggen|vertellen|uitleggen|laten weten)|ik vroeg me af|ik wil (graag )?weten|(pouvez|pourriez)-vous (me |nous )?(dire|expliquer|indiquer)|je (voudrais|souhaite) savoir|je me demande|(können|könnten) sie (mir |uns )?(sagen|erklären|mitteilen)|ich (möchte|würde gerne) wissen|kan (ni|du) (berätta|förklara)|jag undrar|jag vill veta)")
});
/// A change already made: "we got 3 extra licences last week", "hebben vorige week 2 gekregen".
static PAST_REPORT: LazyLock<Regex> = LazyLock::new(|| {
    let lic = r"(licen|lizenz|seat|abonnement|subscription|abonnemang|plaats|plätze|platz|plats)";
    re(&format!(r"(?i)(\b(we|i) (have )?(got|received|bought|purchased|obtained)\b.{{0,30}}{lic}|\b(hebben|heb|hadden|kregen|ontvingen)\b.{{0,40}}{lic}.{{0,30}}\b(gekregen|ontvangen|gekocht|bijgekregen)\b|\b(avons|ai) (reçu|obtenu|acheté)\b.{{0,30}}{lic}|\b(haben|habe)\b.{{0,40}}{lic}.{{0,30}}\b(bekommen|erhalten|gekauft)\b|\b(vi|jag) (fick|köpte|har fått|har köpt)\b.{{0,30}}{lic})"))
});
/// Something does not work: a support question, not a seat change.
static PROBLEM: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(not working|doesn'?t work|don'?t work|do not work|does not work|can'?t (log|sign|use|open)|cannot (log|sign|use|open)|\berror\b|\bissue\b|\bproblem|werkt niet|werken niet|foutmelding|\bprobleem|ne fonctionne(nt)? pas|ne marche(nt)? pas|\berreur\b|funktioniert nicht|funktionieren nicht|\bfehler\b|fungerar inte|\bfel(meddelande)?\b|\bproblem)")
});
static SIGNATURE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(\b(tel|tél|phone|gsm|mobile|mob|fax|www\.|http)\b|\|)")
});


/// One sentence of the text, with its placeholders resolved.
struct Sentence {
    toks: Vec<Tok>,
    emails: Vec<String>,
    /// Per address: introduced as the login naming the tenant ("login", "Benutzername",
    /// "identifiant", "our account"), not a user mentioned in passing.
    logins: Vec<bool>,
    products: Vec<Mention>,
    para: usize,
    text: String,
}

/// Words corrected wherever they are misspelt: licence nouns and direction verbs.
static TYPO_WORDS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let units = ["licenses", "licences", "license", "licence", "licenties", "licentie", "lizenzen", "lizenz", "licenser", "licens", "licensen", "licenserna"];
    let mut v: Vec<String> = units
        .iter()
        .chain(ADD.iter())
        .chain(REMOVE.iter())
        .chain(CHANGE.iter())
        .map(|w| fuzzy::fold(w))
        .filter(|w| w.chars().count() >= 6)
        .collect();
    v.sort();
    v.dedup();
    v
});

fn sentences(text: &str, catalog: &Catalog, lang: Option<Language>) -> Vec<Sentence> {
    let vocabulary = catalog.vocabulary();
    let mut out = Vec::new();
    let mut para = 0;
    let mut pending = String::new();
    let flush = |pending: &mut String, para: usize, out: &mut Vec<Sentence>| {
        let p = std::mem::take(pending);
        let mut last = 0;
        for m in SENTENCE_END.find_iter(&p) {
            // "am 1. April", "nr. 5", "ca. 3", "z.B.": a dot after a digit or a short
            // abbreviation does not end the sentence.
            let before = &p[last..m.start()];
            let word = before.rsplit(|c: char| c.is_whitespace()).next().unwrap_or("");
            // "auf 12. Zum 1. Februar": after a number, a capitalised word that is no month
            // starts a new sentence; "am 1. April" and "1. Lizenz" (lowercase) do not.
            let next_word = p[m.end()..].split(|c: char| !c.is_alphanumeric()).find(|w| !w.is_empty()).unwrap_or("");
            let new_sentence_after_number = next_word.chars().next().is_some_and(char::is_uppercase)
                && !numbers::is_month(next_word);
            let abbreviation = (word.chars().all(|c| c.is_ascii_digit()) && !new_sentence_after_number)
                || (word.chars().count() <= 4
                    && word.chars().all(|c| c.is_lowercase() || c == '.')
                    && (word.contains('.') || ABBREVIATIONS.contains(&word)));
            if m.as_str().starts_with('.') && !word.is_empty() && abbreviation && m.end() < p.len() {
                continue;
            }
            push_sentence(&p[last..m.end()], para, catalog, &vocabulary, lang, out);
            last = m.end();
        }
        push_sentence(&p[last..], para, catalog, &vocabulary, lang, out);
    };
    let mut prev_len = 0usize;
    for line in text.lines() {
        let bullet = strip_bullet(line.trim()).len() != line.trim().len()
            || line.trim_start().starts_with(|c: char| c.is_ascii_digit()) && line.trim_start().chars().nth(1).is_some_and(|c| c == '.' || c == ')');
        let l = strip_bullet(line.trim());
        if l.is_empty() {
            flush(&mut pending, para, &mut out);
            para += 1;
            prev_len = 0;
            continue;
        }
        // Long lines without final punctuation were wrapped by the mailer: keep them together.
        let wrapped = !bullet && prev_len >= 60 && !pending.trim_end().ends_with(['.', '!', '?', ':', ';']);
        if !pending.is_empty() && !wrapped {
            flush(&mut pending, para, &mut out);
        }
        if !pending.is_empty() {
            pending.push(' ');
        }
        pending.push_str(l);
        prev_len = l.chars().count();
    }
    flush(&mut pending, para, &mut out);
    out
}

/// "- 2 Business Standard", "* 1 E3", "• 3": a list bullet, not a minus sign.
fn strip_bullet(l: &str) -> &str {
    for b in ["- ", "* ", "• ", "· ", "– ", "o "] {
        if let Some(rest) = l.strip_prefix(b) {
            return rest.trim_start();
        }
    }
    l.strip_prefix('•').map(str::trim_start).unwrap_or(l)
}

fn push_sentence(s: &str, para: usize, catalog: &Catalog, vocabulary: &[String], lang: Option<Language>, out: &mut Vec<Sentence>) {
    if s.trim().is_empty() {
        return;
    }
    let spans: Vec<(usize, usize)> = EMAIL.find_iter(s).map(|m| (m.start(), m.end())).collect();
    let emails: Vec<String> = spans.iter().map(|&(a, b)| s[a..b].to_lowercase()).collect();
    let logins: Vec<bool> = spans
        .iter()
        .enumerate()
        .map(|(k, &(a, b))| {
            let from = if k > 0 { spans[k - 1].1 } else { 0 };
            let to = spans.get(k + 1).map_or(s.len(), |n| n.0);
            let before = tail_chars(&s[from..a], 60);
            let after = head_chars(&s[b..to], 40);
            LOGIN_LABEL.is_match(before) || LOGIN_FOR.is_match(before) || LOGIN_AFTER.is_match(after)
        })
        .collect();
    let with_emails = EMAIL.replace_all(s, EMAIL_MARK.to_string().as_str()).into_owned();
    let with_emails = fuzzy::correct(&with_emails, &TYPO_WORDS, vocabulary);
    let found = catalog.find(&with_emails);
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
    let lang = crate::parse::language::detect_clear(s).or(lang);
    let toks = numbers::tokenize(&numbers::mask(&with_products), lang);
    out.push(Sentence { toks, emails, logins, products: found.into_iter().map(|f| f.mention).collect(), para, text: s.trim().to_string() });
}

#[derive(Debug, Clone)]
struct Raw {
    change: Option<Change>,
    /// The direction came only from a weak cue ("new", "nieuwe").
    weak: bool,
    /// Delta without a stated direction (filled from the rest of the mail, or asked).
    undirected: Option<i64>,
    product: Option<Mention>,
    username: Option<String>,
    sentence: usize,
    para: usize,
    /// The number stands next to a licence word or product ("3 licences", "Business Standard: 2")
    /// or carries a sign; "one person", "two new colleagues" are counts of people.
    attached: bool,
    /// The sentence asks for it in so many words ("please", "kunnen jullie", an imperative).
    asks: bool,
}


/// Quantities of one sentence and what they mean.
fn analyse(s: &Sentence, si: usize, out: &mut Vec<Raw>, problems: &mut Vec<(Ask, String)>, u: &mut Understanding) {
    let toks = &s.toks;
    let n = toks.len();
    let any_cue = (0..n).any(|j| cue_at(toks, j).is_some_and(|(_, strong)| strong));
    for j in 0..n {
        if let Some((d, true)) = cue_at(toks, j) {
            u.dirs.insert(d as u8);
        }
    }
    let mentions_unit = toks.iter().any(is_unit);
    if any_cue && mentions_unit {
        u.intent = true;
    }
    let strong_present = toks.iter().any(|t| matches!(t, Tok::Num { .. }));
    // Sentence-wide facts, computed once: a long sentence full of numbers stays linear.
    let num_count = toks.iter().filter(|t| matches!(t, Tok::Num { .. })).count();
    let change_verb = has_change_verb(toks);
    let need_verb = toks.iter().any(|t| is_w(t, NEED));
    let needs = toks.iter().any(|t| is_w(t, &["nodig", "nötig"]));
    let sdir = sentence_dir(toks);
    let weak_sentence = weak_sentence(toks);
    let mut context_before = Vec::with_capacity(n);
    let mut seen_context = false;
    for t in toks {
        context_before.push(seen_context);
        seen_context |= is_w(t, CONTEXT);
    }
    let mut used = vec![false; n];
    let first_raw = out.len();
    let asks = asks_for_it(s);
    let product_near = |i: usize| -> Option<Mention> {
        let mut best: Option<(usize, usize)> = None;
        // A product far from the number belongs to another part of the sentence.
        let lo = i.saturating_sub(12);
        for (j, t) in toks.iter().enumerate().take((i + 13).min(n)).skip(lo) {
            if let Tok::Product(k) = t {
                // Between the quantity and a product there must be no other quantity.
                let (a, b) = if j < i { (j, i) } else { (i, j) };
                if toks[a + 1..b].iter().any(|t| matches!(t, Tok::Num { .. })) {
                    continue;
                }
                let dist = if j > i { (j - i) * 2 } else { (i - j) * 2 + 1 };
                if best.is_none_or(|(bd, _)| dist < bd) {
                    best = Some((dist, *k));
                }
            }
        }
        best.and_then(|(_, k)| s.products.get(k).cloned())
    };
    let email_near = |i: usize| -> Option<String> {
        let mut best: Option<(usize, usize)> = None;
        for (j, t) in toks.iter().enumerate() {
            if let Tok::Email(k) = *t {
                if !s.logins.get(k).copied().unwrap_or(false) {
                    continue;
                }
                // "3 for jan@x and 2 for piet@y": on a tie the address after the number wins.
                let dist = if j > i { (j - i) * 2 } else { (i - j) * 2 + 1 };
                if best.is_none_or(|(bd, _)| dist < bd) {
                    best = Some((dist, k));
                }
            }
        }
        best.and_then(|(_, k)| s.emails.get(k).filter(|_| s.logins.get(k).copied().unwrap_or(false)).cloned())
    };
    let problem = PROBLEM.is_match(&s.text);
    let push = |change: Option<Change>, undirected: Option<i64>, i: usize, out: &mut Vec<Raw>| {
        let weak = change.is_some() && undirected.is_none() && !signed_at(toks, i) && weak_sentence;
        // "3 licences for the interns do not work": a report, the weak cue says nothing.
        let (change, undirected) = match change {
            Some(Change::Delta(d)) if weak && problem => (None, Some(d.abs())),
            other => (other, undirected),
        };
        let weak = weak && change.is_some();
        let attached = signed_at(toks, i)
            || toks[i + 1..(i + 4).min(n)].iter().any(is_licence_noun)
            || toks[i.saturating_sub(2)..i].iter().any(|t| matches!(t, Tok::Product(_)) || is_licence_noun(t));
        out.push(Raw { change, weak, undirected, product: product_near(i), username: email_near(i), sentence: si, para: s.para, attached, asks });
    };
    // "from 10 to 15" / "van 10 naar 7" / "de 10 à 15" / "von 10 auf 15" / "från 10 till 15".
    for i in 0..n {
        let Tok::Num { value: a, .. } = toks[i] else { continue };
        if i == 0 || !is_w(&toks[i - 1], FROM) {
            continue;
        }
        for k in i + 1..(i + 5).min(n) {
            if is_w(&toks[k], TO) || is_w(&toks[k], &["bis", "naar", "tot"]) {
                if let Some(Tok::Num { value: b, .. }) = toks.get(k + 1) {
                    used[i] = true;
                    used[k + 1] = true;
                    if *b != a {
                        push(Some(Change::Delta(b - a)), None, k + 1, out);
                    } else {
                        problems.push((Ask::Quantity, format!("from {a} to {b} changes nothing")));
                    }
                }
                break;
            }
            if matches!(toks[k], Tok::Num { .. }) {
                break;
            }
        }
    }
    // Corrections: "not 3 but 4", "pas 3 mais 4", "niet 3 maar 4", "nicht 3 sondern 4", "inte 3
    // utan 4", and "4 instead of 3": the number taken back is no quantity.
    for i in 0..n {
        if !matches!(toks[i], Tok::Num { .. }) || i == 0 {
            continue;
        }
        let negated = is_w(&toks[i - 1], &["not", "pas", "niet", "nicht", "inte", "no", "geen", "kein", "keine", "keinen"]);
        let but_then_num = (i + 1..(i + 4).min(n)).any(|k| {
            is_w(&toks[k], &["but", "mais", "maar", "sondern", "utan", "men", "aber"]) && toks[k + 1..(k + 3).min(n)].iter().any(|t| matches!(t, Tok::Num { .. }))
        });
        let instead = (i >= 2 && is_w(&toks[i - 2], &["instead", "lieu", "plaats", "istället"]) && is_w(&toks[i - 1], &["of", "de", "van", "för"]))
            || is_w(&toks[i - 1], &["statt", "anstatt", "anstelle"]);
        if (negated && but_then_num) || instead {
            used[i] = true;
        }
    }
    for i in 0..n {
        if used[i] {
            continue;
        }
        let value = match &toks[i] {
            Tok::Num { value, .. } => *value,
            Tok::Range => {
                if any_cue || mentions_unit {
                    problems.push((Ask::Quantity, format!("several possible quantities in \"{}\"", short(&s.text))));
                }
                continue;
            }
            Tok::Vague => {
                if any_cue {
                    problems.push((Ask::Quantity, format!("no exact number of seats in \"{}\"", short(&s.text))));
                }
                continue;
            }
            Tok::Word(w) if !strong_present && POSSESSIVE.contains(&w.as_str()) && toks.get(i + 1).is_some_and(is_singular_unit) => 1,
            // "supprimer la licence ... de Claire", "remove the licence of Jan", "de licentie van
            // Jan opzeggen", "ta bort licensen": one licence, when the sentence says what to do.
            Tok::Word(w)
                if !strong_present
                    && any_cue
                    && DEFINITE.contains(&w.as_str())
                    && !(w == "de" && i > 0 && is_w(&toks[i - 1], &["plus", "pas", "besoin", "moins", "trop", "of", "beaucoup"]))
                    && (toks.get(i + 1).is_some_and(is_singular_licence)
                        || (matches!(toks.get(i + 1), Some(Tok::Product(_))) && toks.get(i + 2).is_some_and(is_singular_licence))) =>
            {
                1
            }
            Tok::Word(w) if !strong_present && any_cue && DEFINITE_LICENCE.contains(&w.as_str()) => 1,
            Tok::Article(_) if !strong_present => {
                // "a licence", "une de plus", "een extra licentie", "en supprimer une".
                let after = &toks[i + 1..(i + 4).min(n)];
                let ok = after.first().is_none_or(|t| matches!(t, Tok::Punct(_)))
                    || after.iter().any(|t| is_unit(t) || is_w(t, &["more", "extra", "additional", "plus", "meer", "mehr", "weitere", "zusätzliche", "ytterligare", "till", "supplémentaire"]));
                let ok = ok && !(i > 0 && is_w(&toks[i - 1], TO) && change_verb);
                if !ok {
                    continue;
                }
                1
            }
            _ => continue,
        };
        // "3 or 4", "3 à 4", "3 of 4", "between 5 and 7": the customer does not know yet.
        if let (Some(c), Some(Tok::Num { value: b, .. })) = (toks.get(i + 1), toks.get(i + 2)) {
            let between = i > 0 && is_w(&toks[i - 1], &["between", "tussen", "entre", "zwischen", "mellan"])
                && is_w(c, &["and", "en", "et", "und", "och"]);
            if (between || is_w(c, OR) || matches!(c, Tok::Punct('/' | '-'))) && *b != value {
                used[i + 2] = true;
                problems.push((Ask::Quantity, format!("several possible quantities ({value} or {b})")));
                continue;
            }
        }
        let prev = |k: usize| if i >= k { toks.get(i - k) } else { None };
        // "reduce to 8", "naar 7", "passer à 15", "auf 12 erhöhen", "totalt 20", "25 in total".
        let to_before = (prev(1).is_some_and(|t| is_w(t, TO)) && cue_at(toks, i - 1).is_none()) || (prev(1).is_some_and(|t| is_w(t, &["of", "van", "de"])) && prev(2).is_some_and(|t| is_w(t, TOTAL)));
        let only = (1..=2).any(|k| prev(k).is_some_and(|t| is_w(t, ONLY))) && need_verb;
        let total_near = only
            || (1..=2).any(|k| prev(k).is_some_and(|t| is_w(t, TOTAL)))
            || toks[i + 1..(i + 7).min(n)].iter().any(|t| is_w(t, TOTAL));
        if (to_before && change_verb) || total_near {
            push(Some(Change::Target(value)), None, i, out);
            continue;
        }
        let after_unit = toks[i + 1..(i + 4).min(n)].iter().any(is_licence_noun);
        // "nodig hebben" is a need, not a count.
        let context = !needs
            && (((1..=3).any(|k| prev(k).is_some_and(|t| is_w(t, CONTEXT)))
                && (after_unit || i + 1 >= n)
                && !(1..=3).any(|k| prev(k).is_some_and(|_| cue_at(toks, i - k).is_some_and(|(_, s)| s))))
                || (context_before[i] && !any_cue));
        // "we have 10 licences, please add 2": the 10 is the current count. When it is the only
        // number of a sentence with a cue ("we hebben 3 licenties niet meer nodig") it is the change.
        let other_qty = num_count > 1;
        if context && (other_qty || !any_cue) && !toks[i + 1..(i + 5).min(n)].iter().any(|t| is_w(t, ADD) || is_w(t, REMOVE)) {
            // "we hebben twaalf licenties, dat moeten er vijftien worden": from 12 to 15.
            let later = toks.iter().enumerate().skip(i + 1).find_map(|(j, t)| match t {
                Tok::Num { value, .. } if toks[j + 1..(j + 4).min(n)].iter().any(|t| is_w(t, BECOME)) => Some((j, *value)),
                _ => None,
            });
            if let Some((j, b)) = later {
                used[j] = true;
                if b != value {
                    push(Some(Change::Delta(b - value)), None, j, out);
                }
            }
            continue;
        }
        let by_before = prev(1).is_some_and(|t| is_w(t, BY));
        let _ = by_before;
        let near_unit = toks[i + 1..(i + 4).min(n)].iter().any(is_unit)
            || toks[i.saturating_sub(2)..i].iter().any(|t| matches!(t, Tok::Product(_)) || is_licence_noun(t));
        let signed = i > 0 && matches!(toks[i - 1], Tok::Punct('+' | '-' | '−'));
        if signed && !near_unit && !mentions_unit {
            // "--1" in a broken MIME body, "-1" in a list: a sign is a cue only in licence talk.
            continue;
        }
        match cue_near(toks, i) {
            Some((Dir::Add, _)) => push(Some(Change::Delta(value)), None, i, out),
            Some((Dir::Remove, _)) => push(Some(Change::Delta(-value)), None, i, out),
            None if sdir.is_some() => {
                let d = sdir;
                push(Some(Change::Delta(if d == Some(Dir::Add) { value } else { -value })), None, i, out);
            }
            None => {
                // "15 of our users" is a count of people; a bare change needs licences or a product.
                let near_licence = toks[i + 1..(i + 4).min(n)].iter().any(is_licence_noun)
                    || toks[i.saturating_sub(2)..i].iter().any(|t| matches!(t, Tok::Product(_)) || is_licence_noun(t));
                if near_licence && !matches!(toks[i], Tok::Article(_)) {
                    push(None, Some(value), i, out);
                }
            }
        }
    }
    // "One person will not join after all: please reduce to 12", "auf 12 erhöhen, zwei neue
    // Kollegen beginnen": a new total asked in so many words beats a count of people in the same
    // sentence; only quantities of licences stay beside it.
    let mut mine = out.split_off(first_raw);
    if mine.iter().any(|r| matches!(r.change, Some(Change::Target(_)))) {
        mine.retain(|r| matches!(r.change, Some(Change::Target(_))) || r.attached);
    }
    out.extend(mine);
}

/// Whether a sentence asks in so many words: a request marker ("please", "graag", "merci de",
/// "bitte", "kan ni", "could you", "we need"...) or an imperative change verb at its start
/// ("Add 2 more", "Voeg 3 licenties toe").
fn asks_for_it(s: &Sentence) -> bool {
    if REQUEST_MARKER.is_match(&s.text) || MODAL_START.is_match(&s.text) {
        return true;
    }
    let first = s.toks.iter().position(|t| !matches!(t, Tok::Punct(_)) && !is_w(t, &["and", "en", "et", "und", "och", "also", "ook", "aussi", "auch", "också", "so", "dus", "donc", "also"]));
    first.is_some_and(|j| cue_at(&s.toks, j).is_some_and(|(_, strong)| strong) && matches!(s.toks[j], Tok::Word(_)))
}

fn para_dirs_of(body: &[Sentence], kept: &[bool], para: usize) -> BTreeSet<u8> {
    let mut d = BTreeSet::new();
    for (si, s) in body.iter().enumerate() {
        if s.para == para && kept.get(si).copied().unwrap_or(false) {
            for j in 0..s.toks.len() {
                if let Some((dir, true)) = cue_at(&s.toks, j) {
                    d.insert(dir as u8);
                }
            }
        }
    }
    d
}

fn short(s: &str) -> String {
    let t: String = s.chars().take(60).collect();
    if t.len() < s.len() { format!("{t}...") } else { t }
}

/// Understand the customer's own text (and an authored subject).
pub(crate) fn understand(text: &str, subject: Option<&str>, sender: Option<&str>, lang: Option<Language>, catalog: &Catalog) -> Understanding {
    let mut u = Understanding::default();
    let tabled = rewrite_tables(text);
    let text = tabled.as_str();
    let body = sentences(text, catalog, lang);
    let mut raws: Vec<Raw> = Vec::new();
    let mut problems: Vec<(Ask, String)> = Vec::new();
    let mut kept: Vec<bool> = Vec::with_capacity(body.len());
    // The mail reads as something else than a request: a how-to question, a report of a change
    // already made, a billing complaint, a password problem or phishing. Then only a sentence that
    // asks in so many words ("and please add 2 more") makes it a request.
    let mut declines = subject.is_some_and(|s| crate::parse::classify::how_question(s) || TELL_ME.is_match(s))
        || crate::parse::classify::password(text)
        || crate::parse::classify::phishing(text)
        || subject.is_some_and(crate::parse::classify::phishing);
    for (si, s) in body.iter().enumerate() {
        let question = INFO_QUESTION.is_match(&s.text) && s.text.contains('?');
        let price = PRICE_Q.is_match(&s.text) && (s.text.contains('?') || INFO_QUESTION.is_match(&s.text));
        // "Thanks for adding the 3 licences" and "Thanks, the 3 licences are there" look back;
        // "thanks in advance for adding 3" and "thanks, and please add 2" still ask.
        let no_cue = !(0..s.toks.len()).any(|j| cue_at(&s.toks, j).is_some_and(|(_, strong)| strong));
        let asks = asks_for_it(s);
        let thanks = !IN_ADVANCE.is_match(&s.text)
            && (THANKS_FOR.is_match(&s.text) || (THANKS_START.is_match(&s.text) && !MERCI_DE.is_match(&s.text) && (no_cue || !asks)));
        let carries_number = s.toks.iter().any(|t| matches!(t, Tok::Num { .. }));
        // "Do we still have 2 free?" asks about the state; "Could you add 2?" asks for a change.
        let open_question = s.text.contains('?') && carries_number && !asks;
        let tell_me = TELL_ME.is_match(&s.text);
        // "We got 3 extra licences last week": a report, unless the sentence also asks.
        let reported = PAST_REPORT.is_match(&s.text) && !asks;
        let how = crate::parse::classify::how_question(&s.text) || tell_me || (INFO_QUESTION.is_match(&s.text) && s.text.contains('?'));
        let billing = crate::parse::classify::complaint(&s.text) || crate::parse::classify::billing(&s.text);
        declines |= how || reported || billing || PAST.is_match(&s.text) || (thanks && carries_number);
        if thanks || HEDGE.is_match(&s.text) || PAST.is_match(&s.text) || question || price || how || billing || open_question || reported {
            u.skipped_question |= question || price || open_question || how;
            kept.push(false);
            continue;
        }
        kept.push(true);
        analyse(s, si, &mut raws, &mut problems, &mut u);
    }
    let body_dirs = u.dirs.clone();

    // The subject, when the customer wrote it (not a reply to our mail).
    let mut subj_raws: Vec<Raw> = Vec::new();
    let mut subj_u = Understanding::default();
    let subj_sentences = subject.map(|s| sentences(s, catalog, lang)).unwrap_or_default();
    for s in &subj_sentences {
        let mut ignored = Vec::new();
        analyse(s, usize::MAX, &mut subj_raws, &mut ignored, &mut subj_u);
    }
    u.intent |= subj_u.intent;

    // Direction of the whole mail, for quantities that state none ("3 licenties Business Standard").
    let mut all_dirs = body_dirs.clone();
    all_dirs.extend(subj_u.dirs.iter().copied());
    let global = if all_dirs.len() == 1 { all_dirs.iter().next().copied() } else { None };
    for r in raws.iter_mut().chain(subj_raws.iter_mut()) {
        if let Some(v) = r.undirected {
            // A list under "Please add:" takes the direction of its paragraph first.
            let para_dirs: BTreeSet<u8> = if r.sentence == usize::MAX {
                BTreeSet::new()
            } else {
                para_dirs_of(&body, &kept, r.para)
            };
            let dir = if para_dirs.len() == 1 { para_dirs.iter().next().copied() } else { global };
            match dir {
                Some(d) if d == Dir::Add as u8 => r.change = Some(Change::Delta(v)),
                Some(_) => r.change = Some(Change::Delta(-v)),
                None => {}
            }
        }
    }

    // Subject against body.
    let body_changes: Vec<Change> = raws.iter().filter_map(|r| r.change).collect();
    let subj_changes: Vec<Change> = subj_raws.iter().filter_map(|r| r.change).collect();
    if !body_changes.is_empty() && !subj_changes.is_empty() {
        let sign = |c: &Change| match c {
            Change::Delta(d) => d.signum(),
            Change::Target(_) => 0,
        };
        let contradicts = subj_changes.iter().any(|sc| !body_changes.contains(sc))
            && subj_changes.iter().all(|sc| body_changes.iter().all(|bc| bc != sc && (sign(bc) != sign(sc) || matches!((bc, sc), (Change::Delta(_), Change::Delta(_))))));
        if contradicts {
            problems.push((Ask::Contradiction, "the subject and the body ask for different changes".into()));
        }
    } else if body_changes.is_empty() && !subj_changes.is_empty() && raws.iter().all(|r| r.change.is_none()) {
        raws.extend(subj_raws.iter().filter(|r| r.change.is_some()).cloned().map(|mut r| {
            r.sentence = usize::MAX;
            r
        }));
    }
    if !subj_u.dirs.is_empty() && !body_dirs.is_empty() && subj_u.dirs.is_disjoint(&body_dirs) && !body_changes.is_empty() {
        problems.push((Ask::Contradiction, "the subject says one direction, the body the other".into()));
    }

    for r in &raws {
        if r.change.is_none() {
            if let Some(v) = r.undirected {
                problems.push((Ask::Direction, format!("{v} seats, but not whether to add them, remove them or make it the new total")));
            }
        }
    }

    // Products mentioned anywhere (body sentences kept, and the subject).
    let mut doc_products: Vec<(usize, Mention)> = Vec::new();
    for (si, s) in body.iter().enumerate() {
        if kept[si] {
            doc_products.extend(s.products.iter().cloned().map(|m| (s.para, m)));
        }
    }
    let subj_products: Vec<Mention> = subj_sentences.iter().flat_map(|s| s.products.iter().cloned()).collect();
    let distinct = |ms: &mut dyn Iterator<Item = Mention>| -> Vec<Mention> {
        let mut v: Vec<Mention> = Vec::new();
        for m in ms {
            if !v.contains(&m) {
                v.push(m);
            }
        }
        v
    };

    // Usernames: addresses in the customer's words, not ours and not signature lines.
    let mut doc_emails: Vec<(usize, String)> = Vec::new();
    for (si, s) in body.iter().enumerate() {
        if !kept[si] || SIGNATURE_LINE.is_match(&s.text) || bare_address_line(s) {
            continue;
        }
        for (k, e) in s.emails.iter().enumerate() {
            if usable_username(e) && s.logins.get(k).copied().unwrap_or(false) {
                doc_emails.push((s.para, e.clone()));
            }
        }
    }
    let login_is_sender = LOGIN_IS_SENDER.is_match(text);
    let distinct_emails: BTreeSet<&String> = doc_emails.iter().map(|(_, e)| e).collect();

    // A sentence that only says "three new colleagues start" repeats a request made elsewhere.
    // A weak one that names another product with its licences ("We also need 2 Exchange Online
    // Plan 1 for the drivers") is a request of its own.
    if raws.iter().any(|r| r.change.is_some() && !r.weak) {
        let strong_products: Vec<Option<Mention>> = raws.iter().filter(|r| r.change.is_some() && !r.weak).map(|r| r.product.clone()).collect();
        raws.retain(|r| !r.weak || (r.attached && r.product.is_some() && !strong_products.contains(&r.product) && !strong_products.contains(&None)));
    }
    // "Bitte 3 Lizenzen X hinzufügen ... Ihr Angebot sah noch 5 vor, wir fangen mit 3 an": beside
    // quantities of licences, a bare number in a sentence that names no licence, no product and
    // asks nothing is commentary.
    if raws.iter().any(|r| r.change.is_some() && r.attached) {
        raws.retain(|r| r.attached || r.asks || r.sentence == usize::MAX || body.get(r.sentence).is_some_and(|s| s.toks.iter().any(is_unit)));
    }
    if declines && !raws.iter().any(|r| r.change.is_some() && r.asks && r.sentence != usize::MAX) {
        u.intent = false;
        u.skipped_question = true;
        return u;
    }
    let mut items: Vec<Item> = Vec::new();
    // Per item, the raw quantity it was first read from.
    let mut item_raw: Vec<usize> = Vec::new();
    for (ri, r) in raws.iter().enumerate() {
        let Some(change) = r.change else { continue };
        let product = match &r.product {
            Some(m) => Some(m.clone()),
            None => {
                // The line or list item first ("* Exchange Online (Plan 1): remove 3 - the three
                // shop mailboxes..."), then the paragraph, then the mail.
                let in_sentence = body.get(r.sentence).map(|s| distinct(&mut s.products.iter().cloned())).unwrap_or_default();
                let in_para = distinct(&mut doc_products.iter().filter(|(p, _)| *p == r.para).map(|(_, m)| m.clone()));
                let in_doc = distinct(&mut doc_products.iter().map(|(_, m)| m.clone()).chain(subj_products.iter().cloned()));
                if in_sentence.len() == 1 {
                    in_sentence.into_iter().next()
                } else if in_para.len() == 1 {
                    in_para.into_iter().next()
                } else if in_doc.len() == 1 {
                    in_doc.into_iter().next()
                } else if in_doc.is_empty() {
                    None
                } else {
                    problems.push((Ask::Product, "several products are named and it is not clear which one changes".into()));
                    None
                }
            }
        };
        // "Microsoft 365 Apps" fits two SKUs; when the mail (or its subject) also names one of
        // them in full ("Apps for business"), that more specific name says which.
        let product = match product {
            Some(Mention::Several(skus)) => {
                let specific: BTreeSet<&String> = doc_products
                    .iter()
                    .map(|(_, m)| m)
                    .chain(subj_products.iter())
                    .filter_map(|m| match m {
                        Mention::One(sku) if skus.contains(sku) => Some(sku),
                        _ => None,
                    })
                    .collect();
                if specific.len() == 1 {
                    specific.into_iter().next().cloned().map(Mention::One)
                } else {
                    Some(Mention::Several(skus))
                }
            }
            other => other,
        };
        let product = match product {
            Some(Mention::One(sku)) => Some(sku),
            Some(Mention::Several(skus)) => {
                problems.push((Ask::Product, format!("the product name fits several products ({})", skus.join(", "))));
                None
            }
            None => None,
        };
        let username = r.username.clone().filter(|e| usable_username(e)).or_else(|| {
            let in_para: BTreeSet<&String> = doc_emails.iter().filter(|(p, _)| *p == r.para).map(|(_, e)| e).collect();
            if in_para.len() == 1 {
                in_para.into_iter().next().cloned()
            } else if distinct_emails.len() == 1 {
                distinct_emails.iter().next().map(|e| (*e).clone())
            } else if distinct_emails.is_empty() {
                login_is_sender.then(|| sender.map(str::to_lowercase)).flatten()
            } else {
                // Tenant headings: the last address before this item's paragraph.
                doc_emails.iter().rev().find(|(p, _)| *p <= r.para).map(|(_, e)| e.clone())
            }
        });
        let item = Item { username, change, product };
        if !items.contains(&item) {
            items.push(item);
            item_raw.push(ri);
        }
    }

    // Two different changes for the same product and tenant: contradictory, unless one is a
    // delta and the other the total it leads to (then the delta is what was asked), or they are
    // separate requests: "2 erbij voor de nieuwe collega's ... en 1 minder voor Jan die vertrekt"
    // (an addition and a removal, each with its own verb), "also add 2 for the interns".
    let explicit = |k: usize| raws.get(item_raw[k]).is_some_and(|r| r.undirected.is_none() && !r.weak);
    let mut final_items: Vec<Item> = Vec::new();
    for it in &items {
        let same: Vec<usize> = (0..items.len()).filter(|&o| items[o].username == it.username && items[o].product == it.product).collect();
        let deltas: Vec<usize> = same.iter().copied().filter(|&o| matches!(items[o].change, Change::Delta(_))).collect();
        let targets: Vec<usize> = same.iter().copied().filter(|&o| matches!(items[o].change, Change::Target(_))).collect();
        if deltas.len() > 1 && !separate_requests(&deltas, &items, &raws, &item_raw, &body, &explicit) {
            problems.push((Ask::Contradiction, "the mail asks for different changes to the same subscription".into()));
            break;
        }
        if deltas.is_empty() && targets.len() > 1 {
            problems.push((Ask::Contradiction, "the mail asks for different changes to the same subscription".into()));
            break;
        }
        if matches!(it.change, Change::Target(_)) && !deltas.is_empty() {
            continue;
        }
        final_items.push(it.clone());
    }

    if final_items.is_empty() && problems.is_empty() && u.intent {
        let why = if WHO_LEFT.is_match(text) {
            (Ask::Username, "asks to remove the licences of people it does not name".to_string())
        } else {
            (Ask::Quantity, "asks for a seat change but gives no number of seats".to_string())
        };
        problems.push(why);
    }
    if final_items.iter().any(|i| i.username.is_none()) && WHO_LEFT.is_match(text) && final_items.iter().all(|i| matches!(i.change, Change::Delta(d) if d < 0)) {
        // A count of leavers is fine; the count itself is what we act on.
    }
    u.items = final_items;
    u.problem = problems.into_iter().min_by_key(|(a, _)| match a {
        Ask::Contradiction => 0,
        Ask::Quantity => 1,
        Ask::Direction => 2,
        Ask::Product => 3,
        Ask::Username => 4,
        Ask::Unreadable => 5,
    });
    u
}

/// Different deltas for one subscription that are separate requests, not a contradiction: each
/// has its own explicit direction, and either they go opposite ways (at most one addition and one
/// removal: "+2 for the new people, -1 for the one who leaves") or the later ones are introduced
/// as an addition ("also", "daarnaast", "en outre", "außerdem", "dessutom") in a sentence of
/// their own.
fn separate_requests(deltas: &[usize], items: &[Item], raws: &[Raw], item_raw: &[usize], body: &[Sentence], explicit: &dyn Fn(usize) -> bool) -> bool {
    if !deltas.iter().all(|&k| explicit(k)) {
        return false;
    }
    let signs: Vec<i64> = deltas.iter().map(|&k| match items[k].change {
        Change::Delta(d) => d.signum(),
        Change::Target(_) => 0,
    }).collect();
    let adds = signs.iter().filter(|&&s| s > 0).count();
    let removes = signs.iter().filter(|&&s| s < 0).count();
    if adds == 1 && removes == 1 {
        return true;
    }
    // Same direction: every later one in its own sentence that says "also".
    let mut seen_sentences: Vec<usize> = Vec::new();
    for (n, &k) in deltas.iter().enumerate() {
        let Some(r) = raws.get(item_raw[k]) else { return false };
        if seen_sentences.contains(&r.sentence) {
            return false;
        }
        if n > 0 && !body.get(r.sentence).is_some_and(|s| ALSO.is_match(&s.text)) {
            return false;
        }
        seen_sentences.push(r.sentence);
    }
    true
}

static ALSO: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(also|as well|in addition|additionally|on top of that|separately|daarnaast|bovendien|verder|tevens|apart daarvan|en outre|également|par ailleurs|aussi|außerdem|ausserdem|darüber hinaus|zudem|ebenfalls|separat|dessutom|också|även|separat)\b")
});

/// Column headings of a "now / wanted" table: "Current | Needed", "Huidig | Nodig", "Actuel |
/// Souhaité", "Ist | Soll", "Nuvarande | Behov".
const COL_NOW: &[&str] = &["current", "currently", "now", "actual", "existing", "today", "present", "old", "before", "huidig",
    "huidige", "nu", "momenteel", "bestaand", "bestaande", "oud", "actuel", "actuelle", "actuellement", "existant",
    "existantes", "aujourd'hui", "ancien", "avant", "aktuell", "derzeit", "bisher", "ist", "jetzt", "alt", "heute",
    "nuvarande", "idag", "befintlig", "befintliga", "före", "nuläge"];
const COL_WANT: &[&str] = &["needed", "need", "new", "required", "desired", "wanted", "target", "future", "requested", "after",
    "nodig", "nieuw", "nieuwe", "gewenst", "gevraagd", "toekomstig", "doel", "souhaité", "souhaitée", "souhaités",
    "nouveau", "nouvelle", "demandé", "demandée", "besoin", "cible", "futur", "après", "neu", "benötigt", "gewünscht",
    "soll", "ziel", "künftig", "zukünftig", "nachher", "behov", "önskat", "önskad", "önskas", "nytt", "ny", "nya",
    "framtida", "efter", "mål"];

/// The cells of a table line with their column: split on "|" or tabs (column = cell index), or,
/// for tables a mailer laid out with spaces, each word with its character offset.
fn table_cells(line: &str) -> (bool, Vec<(usize, String)>) {
    let sep = if line.contains('|') { Some('|') } else if line.contains('\t') { Some('\t') } else { None };
    if let Some(sep) = sep {
        let t = line.trim().trim_matches(sep);
        return (true, t.split(sep).enumerate().map(|(k, c)| (k, c.trim().to_string())).collect());
    }
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut word = String::new();
    for (k, c) in line.chars().enumerate() {
        if c.is_whitespace() {
            if let Some(st) = start.take() {
                out.push((st, std::mem::take(&mut word)));
            }
        } else {
            start.get_or_insert(k);
            word.push(c);
        }
    }
    if let Some(st) = start {
        out.push((st, word));
    }
    (false, out)
}

fn cell_number(c: &str) -> Option<i64> {
    let c = c.trim().trim_matches(|ch: char| !ch.is_alphanumeric());
    if !c.is_empty() && c.len() <= 3 && c.chars().all(|ch| ch.is_ascii_digit()) {
        return c.parse().ok();
    }
    numbers::word_value(&c.to_lowercase())
}

fn heading_is(cell: &str, list: &[&str]) -> bool {
    let words: Vec<String> = cell.split(|c: char| !c.is_alphanumeric() && c != '\'').filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    !words.is_empty() && words.len() <= 4 && words.iter().any(|w| list.contains(&w.as_str()))
}

/// A table of current and wanted counts ("Product | Current | Needed" / "Business Standard | 10 |
/// 14") says "from 10 to 14": its rows are rewritten as such, and rows that stay the same as the
/// product name alone.
fn rewrite_tables(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut header: Option<(bool, usize, usize)> = None; // (split cells, now column, wanted column)
    for line in &lines {
        if line.trim().is_empty() {
            header = None;
            out.push(line.to_string());
            continue;
        }
        let (split, cells) = table_cells(line);
        if let Some((hsplit, now, want)) = header {
            let pick = |col: usize| -> Option<i64> {
                if hsplit {
                    cells.get(col).and_then(|(_, c)| cell_number(c))
                } else {
                    None
                }
            };
            let (a, b, label) = if hsplit && split {
                let label: Vec<&str> = cells.iter().filter(|(k, c)| *k != now && *k != want && cell_number(c).is_none()).map(|(_, c)| c.as_str()).collect();
                (pick(now), pick(want), label.join(" "))
            } else if !hsplit && !split {
                // Laid out with spaces: a number belongs to the heading it starts under.
                let (mut a, mut b) = (None, None);
                let mut label = Vec::new();
                for (pos, w) in &cells {
                    let v = cell_number(w);
                    let near = |col: usize| pos.abs_diff(col) <= 3;
                    match v {
                        Some(v) if near(now) && a.is_none() => a = Some(v),
                        Some(v) if near(want) && b.is_none() => b = Some(v),
                        _ if *pos + 1 < now.min(want) => label.push(w.as_str()),
                        _ => {}
                    }
                }
                (a, b, label.join(" "))
            } else {
                (None, None, String::new())
            };
            if let (Some(a), Some(b)) = (a, b) {
                out.push(if a == b { format!("{label}.") } else { format!("{label}: from {a} to {b}.") });
                continue;
            }
            header = None;
        }
        // A heading line: a "now" column and a "wanted" column.
        let now = cells.iter().find(|(_, c)| heading_is(c, COL_NOW)).map(|(k, _)| *k);
        let want = cells.iter().find(|(_, c)| heading_is(c, COL_WANT)).map(|(k, _)| *k);
        let short = cells.len() <= 8 && !cells.iter().any(|(_, c)| cell_number(c).is_some());
        match (now, want) {
            (Some(n), Some(w)) if short && n != w => header = Some((split, n, w)),
            _ => {}
        }
        out.push(line.to_string());
    }
    out.join("\n")
}

/// A line that is only an address ("jan@x.be", "E-mail: jan@x.be"): contact details, not a
/// username, unless its label says username/login.
fn bare_address_line(s: &Sentence) -> bool {
    let rest = EMAIL.replace_all(&s.text, " ");
    let words: Vec<&str> = rest.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let labelled_login = words.iter().any(|w| {
        let w = w.to_lowercase();
        ["user", "login", "account", "tenant", "admin", "gebruiker", "identifiant", "utilisateur", "compte", "benutzer", "konto", "anmelde", "användar", "inlogg"]
            .iter()
            .any(|p| w.starts_with(p))
    });
    !labelled_login && words.len() <= 2
}

fn usable_username(e: &str) -> bool {
    let local = e.split('@').next().unwrap_or("");
    !(local == "webservices" || local.starts_with("noreply") || local.starts_with("no-reply") || local == "mailer-daemon" || local == "postmaster")
}

#[cfg(test)]
mod tests {
    use super::*;

    type Seen = (Option<String>, Change, Option<String>);

    fn items(text: &str) -> (Vec<Seen>, Option<Ask>) {
        let lang = crate::parse::language::detect(text);
        let u = understand(text, None, Some("boss@contoso.be"), lang, &Catalog::builtin());
        (u.items.into_iter().map(|i| (i.username, i.change, i.product)).collect(), u.problem.map(|p| p.0))
    }

    fn one(text: &str) -> Change {
        let (v, p) = items(text);
        assert_eq!(p, None, "{text}");
        assert_eq!(v.len(), 1, "{text}: {v:?}");
        v[0].1
    }

    #[test]
    fn deltas_in_five_languages() {
        assert_eq!(one("Please add 3 licences."), Change::Delta(3));
        assert_eq!(one("We need 3 more licenses"), Change::Delta(3));
        assert_eq!(one("Could you remove 2 licenses?"), Change::Delta(-2));
        assert_eq!(one("We no longer need one licence"), Change::Delta(-1));
        assert_eq!(one("Graag 2 licenties minder"), Change::Delta(-2));
        assert_eq!(one("Kunnen jullie 3 licenties toevoegen?"), Change::Delta(3));
        assert_eq!(one("Deux licences de plus svp"), Change::Delta(2));
        assert_eq!(one("Pourriez-vous supprimer une licence ?"), Change::Delta(-1));
        assert_eq!(one("Bitte zwei weitere Lizenzen"), Change::Delta(2));
        assert_eq!(one("Wir brauchen keine 2 Lizenzen mehr"), Change::Delta(-2));
        assert_eq!(one("Kan ni ta bort 2 licenser?"), Change::Delta(-2));
        assert_eq!(one("Kan ni lägga till tre licenser?"), Change::Delta(3));
        assert_eq!(one("5x Business Standard erbij graag"), Change::Delta(5));
    }

    #[test]
    fn targets_and_from_to() {
        assert_eq!(one("Please reduce to 8 licences."), Change::Target(8));
        assert_eq!(one("We willen in totaal 25 licenties"), Change::Target(25));
        assert_eq!(one("Pouvez-vous passer à 15 licences ?"), Change::Target(15));
        assert_eq!(one("Bitte auf 12 Lizenzen erhöhen"), Change::Target(12));
        assert_eq!(one("Vi vill ha totalt 20 licenser"), Change::Target(20));
        assert_eq!(one("Please go from 10 to 15 licences"), Change::Delta(5));
        assert_eq!(one("Graag van 10 naar 7 licenties"), Change::Delta(-3));
        assert_eq!(one("de 10 à 15 licences svp"), Change::Delta(5));
        assert_eq!(one("von 10 auf 15 Lizenzen bitte"), Change::Delta(5));
        assert_eq!(one("från 10 till 15 licenser tack"), Change::Delta(5));
    }

    #[test]
    fn products_and_usernames() {
        let (v, p) = items("Please add 2 Business Standard licences for tenant admin@contoso.onmicrosoft.com");
        assert_eq!(p, None);
        assert_eq!(v, vec![(Some("admin@contoso.onmicrosoft.com".into()), Change::Delta(2), Some("O365_BUSINESS_PREMIUM".into()))]);
        assert_eq!(items("Add 2 E3 licences").1, Some(Ask::Product));
        let (v, p) = items("Add 2 Exchange Online Plan 1 licences and remove 1 Business Basic");
        assert_eq!(p, None);
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].1, Change::Delta(2));
        assert_eq!(v[0].2.as_deref(), Some("EXCHANGESTANDARD"));
        assert_eq!(v[1].1, Change::Delta(-1));
        let (v, _) = items("Please add 1 licence. My login is this address.");
        assert_eq!(v[0].0.as_deref(), Some("boss@contoso.be"));
    }

    #[test]
    fn ambiguities() {
        assert_eq!(items("Please add 3 or 4 licences").1, Some(Ask::Quantity));
        assert_eq!(items("We need between 5 and 7 extra licences").1, Some(Ask::Quantity));
        assert_eq!(items("Graag 2 of 3 licenties erbij").1, Some(Ask::Quantity));
        assert_eq!(items("Il me faudrait 2 ou 3 licences en plus").1, Some(Ask::Quantity));
        assert_eq!(items("Bitte 3 oder 4 Lizenzen mehr").1, Some(Ask::Quantity));
        assert_eq!(items("Vi behöver 3 eller 4 licenser till").1, Some(Ask::Quantity));
        assert_eq!(items("Please add a couple of licences").1, Some(Ask::Quantity));
        assert_eq!(items("Please add licences for our new staff").1, Some(Ask::Quantity));
        assert_eq!(items("Business Standard licences: 5").1, Some(Ask::Direction));
        assert_eq!(items("Licenties Business Standard: 5").1, Some(Ask::Direction));
        assert_eq!(items("Add 2 E3 licences").1, Some(Ask::Product));
        assert_eq!(items("Please remove the licences of the people who left").1, Some(Ask::Username));
    }

    fn product_of(text: &str) -> (Vec<Seen>, Option<Ask>) {
        items(text)
    }

    #[test]
    fn a_stated_total_beats_a_count_of_people() {
        let cases = [
            "Sorry, one person will not join after all: please reduce the Microsoft 365 Apps for business licences to 12.",
            "Sorry, one of the new people will not join after all: please reduce our licences to 12.",
            "Bitte erhöhen Sie die Anzahl unserer Business Standard Lizenzen auf 12. Zum 1. Februar beginnen zwei neue Kollegen.",
            "Une personne ne viendra finalement pas : merci de réduire nos licences à 12.",
            "Eén collega komt toch niet: graag de licenties verlagen naar 12.",
            "En person börjar inte ändå, kan ni minska licenserna till 12?",
        ];
        for text in cases {
            assert_eq!(one(text), Change::Target(12), "{text}");
        }
        // A change of licences beside the total it leads to is still what was asked.
        assert_eq!(one("Please add 2 licences, so we go to 12 in total."), Change::Delta(2));
    }

    #[test]
    fn each_clause_keeps_its_own_direction_and_product() {
        let two = |text: &str, want: [(i64, &str); 2]| {
            let (v, p) = items(text);
            assert_eq!(p, None, "{text}");
            let got: Vec<(Change, Option<String>)> = v.into_iter().map(|(_, c, pr)| (c, pr)).collect();
            let want: Vec<(Change, Option<String>)> = want.iter().map(|(d, s)| (Change::Delta(*d), Some(s.to_string()))).collect();
            assert_eq!(got, want, "{text}");
        };
        two("Bitte 3 Lizenzen Microsoft 365 Business Premium hinzufügen und 3 Lizenzen Microsoft 365 Business Standard entfernen. Ihr Angebot sah noch 5 vor, wir fangen aber mit 3 an.",
            [(3, "SPB"), (-3, "O365_BUSINESS_PREMIUM")]);
        two("Could you update our subscription as follows:\n\n* Microsoft 365 Business Standard: add 2\n* Exchange Online (Plan 1): remove 3 - the three shop mailboxes are now shared",
            [(2, "O365_BUSINESS_PREMIUM"), (-3, "EXCHANGESTANDARD")]);
        two("Graag 2 licenties Business Standard erbij en 1 licentie Business Basic eraf.",
            [(2, "O365_BUSINESS_PREMIUM"), (-1, "O365_BUSINESS_ESSENTIALS")]);
        two("Merci d'ajouter 2 licences Business Standard et de supprimer 1 licence Business Basic.",
            [(2, "O365_BUSINESS_PREMIUM"), (-1, "O365_BUSINESS_ESSENTIALS")]);
        two("Kan ni lägga till 2 licenser Business Standard och ta bort 1 licens Business Basic?",
            [(2, "O365_BUSINESS_PREMIUM"), (-1, "O365_BUSINESS_ESSENTIALS")]);
    }

    #[test]
    fn corrections_take_the_second_number() {
        assert_eq!(one("Please add not 3 but 4 licences."), Change::Delta(4));
        assert_eq!(one("Ce n'est finalement pas 3 mais 4 licences qu'il faut ajouter."), Change::Delta(4));
        assert_eq!(one("Graag niet 3 maar 4 licenties erbij."), Change::Delta(4));
        assert_eq!(one("Bitte nicht 3 sondern 4 weitere Lizenzen."), Change::Delta(4));
        assert_eq!(one("Lägg till inte 3 utan 4 licenser."), Change::Delta(4));
        assert_eq!(one("Please add 4 licences instead of 3."), Change::Delta(4));
    }

    #[test]
    fn swedish_till_after_a_number_is_more() {
        let (v, p) = items("Hej, vi behöver ett dussin till Office 365 F3-licenser för lagret. Tack!");
        assert_eq!(p, None);
        assert_eq!(v, vec![(None, Change::Delta(12), Some("DESKLESSPACK".into()))]);
        assert_eq!(one("Vi behöver två till, tack."), Change::Delta(2));
        assert_eq!(one("Kan ni öka till 15 licenser?"), Change::Target(15));
        assert_eq!(one("Vi vill gå från 10 till 15 licenser"), Change::Delta(5));
    }

    #[test]
    fn the_licence_of_someone_is_one() {
        for text in ["Peux-tu demander de supprimer la licence Microsoft 365 Apps for business de Claire ?",
            "Please remove the Microsoft 365 Apps for business licence of Claire.",
            "Graag de licentie Microsoft 365 Apps for business van Claire opzeggen.",
            "Bitte die Lizenz Microsoft 365 Apps for business von Claire kündigen.",
            "Kan ni ta bort licensen Microsoft 365 Apps for business för Claire?"] {
            let (v, p) = items(text);
            assert_eq!(p, None, "{text}");
            assert_eq!(v, vec![(None, Change::Delta(-1), Some("O365_BUSINESS".into()))], "{text}");
        }
        // "plus de licence" is no number.
        assert!(items("Nous n'avons plus besoin de licence supplémentaire pour l'instant.").0.iter().all(|(_, c, _)| *c != Change::Delta(-1)));
    }

    #[test]
    fn the_more_specific_product_name_wins() {
        let (v, p) = product_of("Guten Morgen,\nbitte die Microsoft 365 Apps for buisness auf dreiundzwanzig Lizenzen erhöhen. Danke!");
        assert_eq!(p, None);
        assert_eq!(v, vec![(None, Change::Target(23), Some("O365_BUSINESS".into()))]);
        assert_eq!(items("Please add 2 Microsoft 365 Apps licences.").1, Some(Ask::Product));
        let (v, _) = items("Please add 2 Microsoft 365 Apps licences. We use Apps for enterprise everywhere.");
        assert_eq!(v[0].2.as_deref(), Some("OFFICESUBSCRIPTION"));
        let (v, _) = items("Bitte 2 weitere Lizenzen Microsoft 365 Apps für Unternehmen.");
        assert_eq!(v[0].2.as_deref(), Some("O365_BUSINESS"));
        let (v, _) = items("Kan ni lägga till 2 licenser Microsoft 365-appar för företag?");
        assert_eq!(v[0].2.as_deref(), Some("O365_BUSINESS"));
    }

    #[test]
    fn only_an_introduced_login_is_a_username() {
        let (v, _) = items("Wij willen graag 1 licentie Business Basic opzeggen. Het account van de stagiair (stagiair@x.onmicrosoft.com) mag daarna weg.");
        assert_eq!(v, vec![(None, Change::Delta(-1), Some("O365_BUSINESS_ESSENTIALS".into()))]);
        for text in ["Graag 1 licentie Business Basic erbij. Onze gebruikersnaam is admin@x.onmicrosoft.com",
            "Merci d'ajouter une licence Business Basic. Mon identifiant est admin@x.onmicrosoft.com",
            "Bitte eine weitere Lizenz Business Basic. Benutzername: admin@x.onmicrosoft.com",
            "Lägg till en licens Business Basic. Användarnamn: admin@x.onmicrosoft.com",
            "Please add 1 Business Basic licence for admin@x.onmicrosoft.com"] {
            let (v, p) = items(text);
            assert_eq!(p, None, "{text}");
            assert_eq!(v[0].0.as_deref(), Some("admin@x.onmicrosoft.com"), "{text}");
        }
        let (v, _) = items("Please add 3 Business Basic licences for jan@alpha.be and 2 for piet@beta.be.");
        assert_eq!(v.iter().map(|i| i.0.clone().unwrap_or_default()).collect::<Vec<_>>(), vec!["jan@alpha.be", "piet@beta.be"]);
    }

    #[test]
    fn questions_reports_and_complaints_are_not_requests() {
        let none = |text: &str| {
            let (v, p) = items(text);
            assert!(v.is_empty() && p.is_none(), "{text}: {v:?} {p:?}");
        };
        // How-to questions with a number elsewhere.
        none("We got 3 extra licences last week (thanks!). How do I assign one of them to a new user?");
        none("Hoe kan ik zelf een licentie toewijzen? We hebben er nog 2 vrij volgens het admin center.");
        none("Comment attribuer une licence ? Nous avons reçu les 2 licences supplémentaires hier.");
        none("Wie weise ich eine Lizenz zu? Wir haben 2 weitere Lizenzen bekommen.");
        none("Hur tilldelar jag en licens? Vi fick 2 licenser till förra veckan.");
        none("Can you tell me how many of the 5 extra licences are still free?");
        none("Kunt u mij zeggen of de 3 extra licenties al actief zijn?");
        // Thanks for a change already made.
        none("Bedankt, ik zie de 3 extra licenties staan. Top!");
        none("Thanks, I can see the 3 extra licences now.");
        none("Merci, les 3 licences supplémentaires ont été ajoutées.");
        none("Danke, die 3 zusätzlichen Lizenzen wurden hinzugefügt.");
        none("Tack, de 3 extra licenserna har lagts till.");
        // Billing, password, phishing.
        none("Jullie factuur vermeldt 18 licenties Business Standard, terwijl we er 15 hebben. Graag een creditnota voor het verschil.");
        none("Your invoice lists 18 licences but we have 15, this is wrong. Please send a credit note.");
        none("J'ai oublié mon mot de passe, le code arrive au 06 12 34 56 78. Pouvez-vous m'aider ?");
        none("Ihr Konto und alle 12 Lizenzen werden in 48 Stunden gesperrt, wenn Sie Ihre Daten nicht bestätigen.");
        // ... unless the mail also asks in so many words.
        assert_eq!(one("Thanks, the 3 extra licences are there. And please add 2 more."), Change::Delta(2));
        assert_eq!(one("Hoe wijs ik een licentie toe? En graag nog 2 licenties erbij."), Change::Delta(2));
        assert_eq!(one("Our invoice is wrong, please send a credit note. Also, please add 2 licences."), Change::Delta(2));
        // Polite questions are still requests.
        assert_eq!(one("Mogen we naar in totaal 25 licenties?"), Change::Target(25));
        assert_eq!(one("Can we get 2 more licences?"), Change::Delta(2));
        assert_eq!(one("Pouvons-nous passer à 15 licences ?"), Change::Target(15));
        assert_eq!(one("Können wir 2 weitere Lizenzen bekommen?"), Change::Delta(2));
        assert_eq!(one("Får vi 2 licenser till?"), Change::Delta(2));
    }

    #[test]
    fn not_quantities() {
        let (v, p) = items("Thanks for adding the 3 licences!");
        assert!(v.is_empty() && p.is_none());
        let (v, p) = items("How do I assign a licence to a user?");
        assert!(v.is_empty() && p.is_none(), "{v:?} {p:?}");
        let (v, p) = items("We use Office 2016 and call +32 475 12 34 56.");
        assert!(v.is_empty() && p.is_none());
    }
    fn all(text: &str) -> Vec<(Change, Option<String>)> {
        let (v, p) = items(text);
        assert_eq!(p, None, "{text}: {v:?}");
        v.into_iter().map(|(_, c, pr)| (c, pr)).collect()
    }

    fn sku(c: Change, s: &str) -> (Change, Option<String>) {
        (c, Some(s.to_string()))
    }

    #[test]
    fn a_repeated_change_is_one_item() {
        let (v, p) = items("Please we need 3 more Business Premium. So total 3 extra licences for the login admin@brightwave.onmicrosoft.com");
        assert_eq!(p, None);
        assert_eq!(v, vec![(Some("admin@brightwave.onmicrosoft.com".into()), Change::Delta(3), Some("SPB".into()))]);
        assert_eq!(all("Please cancel two E5 licences. It concerns the two licences of Ann and Bob (Microsoft 365 E5)."), vec![sku(Change::Delta(-2), "SPE_E5")]);
        assert_eq!(all("Graag twee E5-licenties opzeggen: de licenties van An en Bob (Microsoft 365 E5)."), vec![sku(Change::Delta(-2), "SPE_E5")]);
        assert_eq!(all("We need 6 extra F3 for the new pickers.\n\nOffice 365 F3 x6"), vec![sku(Change::Delta(6), "DESKLESSPACK")]);
        assert_eq!(all("Vi behöver 4 nya Office 365 F3 till lagret. Office 365 F3 x4."), vec![sku(Change::Delta(4), "DESKLESSPACK")]);
        assert_eq!(all("Bitte fügen Sie 4 Lizenzen Business Standard hinzu. Also insgesamt 4 zusätzliche Lizenzen."), vec![sku(Change::Delta(4), "O365_BUSINESS_PREMIUM")]);
        // A correction gives the new total once.
        assert_eq!(all("Sorry, my earlier mail was wrong: please bring Business Standard back to 32 in total (not 35)."), vec![sku(Change::Target(32), "O365_BUSINESS_PREMIUM")]);
        assert_eq!(all("Sorry, mijn vorige mail klopte niet: we gaan terug naar 32 licenties Business Standard in totaal (niet 35)."), vec![sku(Change::Target(32), "O365_BUSINESS_PREMIUM")]);
        assert_eq!(all("Désolé, il faut revenir à 32 licences Business Standard au total (et non 35)."), vec![sku(Change::Target(32), "O365_BUSINESS_PREMIUM")]);
    }

    #[test]
    fn the_same_request_in_two_languages_is_one_item() {
        // "onze" is "our" in the Dutch half of a mail that starts in French.
        let text = "Bonjour,\n\nMerci d'ajouter 2 licences Business Basic pour nos nouveaux collaborateurs.\n\nGoedemiddag,\n\nGraag 2 licenties Business Basic toevoegen voor onze nieuwe medewerkers.";
        let lang = crate::parse::language::detect(text);
        assert_eq!(lang, Some(Language::Fr));
        let u = understand(text, None, None, lang, &Catalog::builtin());
        assert_eq!(u.problem, None);
        assert_eq!(u.items.len(), 1);
        assert_eq!(u.items[0].change, Change::Delta(2));
    }

    #[test]
    fn separate_requests_for_one_product_are_separate_items() {
        let bb = "O365_BUSINESS_ESSENTIALS";
        let bs = "O365_BUSINESS_PREMIUM";
        assert_eq!(all("Pourriez-vous ajouter 2 licences Business Basic pour les nouveaux stagiaires, en graag 1 Business Basic minder voor Jan die vertrekt."),
            vec![sku(Change::Delta(2), bb), sku(Change::Delta(-1), bb)]);
        assert_eq!(all("Graag 2 extra licenties Business Standard voor de nieuwe collega's. Daarnaast mag er 1 licentie Business Standard af voor Piet, die vertrekt."),
            vec![sku(Change::Delta(2), bs), sku(Change::Delta(-1), bs)]);
        assert_eq!(all("Please add 3 Business Basic licences for the new sales reps.\n\nAlso, we can remove 1 Business Basic licence because Tom is leaving."),
            vec![sku(Change::Delta(3), bb), sku(Change::Delta(-1), bb)]);
        assert_eq!(all("Bitte 2 Lizenzen Business Standard für die neuen Kolleginnen hinzufügen. Außerdem bitte 1 Lizenz Business Standard entfernen."),
            vec![sku(Change::Delta(2), bs), sku(Change::Delta(-1), bs)]);
        assert_eq!(all("Kan ni lägga till 3 Business Basic för de nya säljarna? Och ta bort 1 Business Basic för Johan som slutar."),
            vec![sku(Change::Delta(3), bb), sku(Change::Delta(-1), bb)]);
        // Two additions, the second introduced as one.
        assert_eq!(all("Please add 3 Business Basic for the sales team. We also need 2 more Business Basic for the interns."),
            vec![sku(Change::Delta(3), bb), sku(Change::Delta(2), bb)]);
        // Statements that really contradict each other are still asked about.
        assert_eq!(items("Please set our Business Standard licences to 20 in total.\n\nWe need 22 Business Standard licences in total.").1, Some(Ask::Contradiction));
        assert_eq!(items("Please add 3 Business Standard licences. So 4 extra Business Standard licences.").1, Some(Ask::Contradiction));
    }

    #[test]
    fn needing_ordering_activating_and_order_lines_add() {
        let bb = "O365_BUSINESS_ESSENTIALS";
        let f3 = "DESKLESSPACK";
        assert_eq!(all("Exchange Online Plan 1 x5 please for the new team."), vec![sku(Change::Delta(5), "EXCHANGESTANDARD")]);
        assert_eq!(all("3x Exchange Online Plan 1 bitte."), vec![sku(Change::Delta(3), "EXCHANGESTANDARD")]);
        assert_eq!(all("Could you ask for ten Office 365 F3 for the summer workers?"), vec![sku(Change::Delta(10), f3)]);
        assert_eq!(all("Kan ni beställa tio Office 365 F3 till sommarjobbarna?"), vec![sku(Change::Delta(10), f3)]);
        assert_eq!(all("Vi behöver tio till Office 365 F3 för sommarjobbarna."), vec![sku(Change::Delta(10), f3)]);
        assert_eq!(all("Il nous faudrait 3 Business Basic pour les stagiaires qui arrivent lundi."), vec![sku(Change::Delta(3), bb)]);
        assert_eq!(all("We hebben 3 Business Basic nodig voor de stagiairs."), vec![sku(Change::Delta(3), bb)]);
        assert_eq!(all("Wir benötigen 3 Business Basic für die Aushilfen."), vec![sku(Change::Delta(3), bb)]);
        assert_eq!(one("Hierbij de getekende offerte, graag de 8 licenties activeren."), Change::Delta(8));
        assert_eq!(one("Please find attached the signed quote. Could you activate the 8 licences?"), Change::Delta(8));
        assert_eq!(one("Merci d'activer les 5 licences du devis signé."), Change::Delta(5));
        assert_eq!(one("Anbei das unterschriebene Angebot. Bitte die 6 Lizenzen aktivieren."), Change::Delta(6));
        assert_eq!(one("Här kommer den signerade offerten. Kan ni aktivera de 8 licenserna?"), Change::Delta(8));
        // A need with a total or "only" stays a total; a bare count stays a question of direction.
        assert_eq!(one("We need 12 Business Standard licences in total."), Change::Target(12));
        assert_eq!(one("We only need 5 licences."), Change::Target(5));
        assert_eq!(items("Business Basic: 12 licences").1, Some(Ask::Direction));
        // Not seat changes: a need to talk, activating something else, a problem report.
        assert_ne!(items("We need to talk about our 20 licences, can you call me?").0.len(), 1);
        assert!(items("Could you activate MFA for our 12 users?").0.is_empty());
        assert!(items("Pourriez-vous activer l'authentification MFA pour nos 12 utilisateurs ?").0.is_empty());
        assert!(items("The 3 Business Basic licences for the interns do not work, can you check?").0.is_empty());
        assert!(items("De 3 licenties Business Basic voor de stagiairs werken niet, kunnen jullie kijken?").0.is_empty());
        // A second product needed beside a stated change is an item of its own.
        assert_eq!(all("Please add 3 Business Basic licences for the new sales reps. We also need 2 Exchange Online Plan 1 for the drivers."),
            vec![sku(Change::Delta(3), bb), sku(Change::Delta(2), "EXCHANGESTANDARD")]);
    }

    #[test]
    fn tables_of_current_and_wanted_counts_are_from_to() {
        let bs = "O365_BUSINESS_PREMIUM";
        // As html2text lays out an HTML table.
        assert_eq!(all("please adjust as in the table:\n\nProduct                         Current Needed\nMicrosoft 365 Business Standard 10      14"),
            vec![sku(Change::Delta(4), bs)]);
        assert_eq!(all("graag aanpassen:\n\nProduct                         Huidig Nodig\nMicrosoft 365 Business Standard 10     14"),
            vec![sku(Change::Delta(4), bs)]);
        assert_eq!(all("Voici l'ajustement :\n\nProduit | Actuel | Souhaité\nBusiness Basic | 12 | 10\nBusiness Standard | 4 | 4"),
            vec![sku(Change::Delta(-2), "O365_BUSINESS_ESSENTIALS")]);
        assert_eq!(all("bitte wie folgt anpassen:\n\nProdukt\tIst\tSoll\nBusiness Standard\t8\t10"), vec![sku(Change::Delta(2), bs)]);
        assert_eq!(all("Produkt | Nuvarande | Önskat\nBusiness Standard | 8 | 10"), vec![sku(Change::Delta(2), bs)]);
        // Not a table: a sentence that happens to hold the words.
        assert_eq!(rewrite_tables("We now need more.\nPlease add 2 licences."), "We now need more.\nPlease add 2 licences.");
    }
}
