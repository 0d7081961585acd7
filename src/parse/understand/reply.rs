//! A reply to a question we asked. When a mail leaves the number open, the reseller asks
//! ("Should we add 5 or 4 Microsoft 365 Business Basic licences to admin@x.onmicrosoft.com?") and
//! the customer answers above it: "Yes, 5 it is", "ja, 5 bitte". The answer alone says little;
//! with the question it is the whole request. [`answered`] writes that request out as the
//! customer confirmed it, for the usual reading: the question's sentences that carry no number
//! (what to do, which product, which account) and the asking sentence with the chosen number in
//! place of the two offered.

use std::sync::LazyLock;

use regex::Regex;

use super::cues::offered_pairs;
use super::sentences::{self, Sentence};
use crate::parse::language::Language;
use crate::parse::numbers::Tok;
use crate::parse::products::{Catalog, Mention};
use crate::parse::quote::{is_attribution_line, is_from_line, is_header_line, is_separator_line, names_us};

/// The request a short mail stands for, written out to be read in its place, when the mail is
/// one of these over the quoted thread (read once for the four):
/// - "Yes, 5 it is" under our "Should we add 5 or 4 …?": the request confirmed ([`answered`]);
/// - "4" under our "How many … Business Standard licences would you like us to add?": our
///   question with the number in it ([`quantity_given`]);
/// - "het gaat om admin@x" under our "Op welke gebruikersnaam …?": the quoted request, for that
///   account ([`account_given`]);
/// - "Sur les Basic, les deux" under our "… Standard (9) et … Basic (4) : sur lequel ?": the
///   request our question restates, for that product ([`product_given`]);
/// - "Ik vroeg op 3 november om … (zie hieronder) … Mogen die er alsnog af?": the customer's own
///   earlier request, chased ([`reminded`]).
pub(crate) fn request_behind(own: &[Sentence], quoted: &str, catalog: &Catalog, lang: Option<Language>) -> Behind {
    let thread = thread(quoted);
    // Our question's sentences, read once for the readings that look at it.
    let question = our_question(&thread).map(|q| sentences::split(q, catalog, lang));
    let question = question.as_deref();
    let request = question
        .and_then(|q| answered(own, q))
        .or_else(|| question.and_then(|q| quantity_given(own, q, catalog)))
        .or_else(|| account_given(own, &thread, catalog, lang))
        .or_else(|| question.and_then(|q| product_given(own, q, catalog)))
        .or_else(|| reminded(own, &thread, catalog, lang));
    let vague_answer = request.is_none() && question.is_some_and(|q| vague_answer(own, q));
    Behind { request, answers_us: question.is_some(), vague_answer }
}

/// What the quoted thread makes of a mail.
pub(crate) struct Behind {
    /// The whole request the mail stands for, to be read instead of it.
    pub request: Option<String>,
    /// The mail answers a question of ours: what it says of seats is asked for, as our
    /// question asked it ("Combien … souhaitez-vous ajouter ?" — "Il en faut trois").
    pub answers_us: bool,
    /// "Ungefär 5–6 stycken, det beror på …" under our "how many?": the answer gives no
    /// exact number, so our question stands.
    pub vague_answer: bool,
}

/// The mail opens with a range or a guess ("5–6", "ungefär 5", "a few") under our quoted
/// "how many?" question.
fn vague_answer(own: &[Sentence], question: &[Sentence]) -> bool {
    let how_many = &crate::parse::lexicon::phrases().how_many;
    if !question.iter().any(|s| s.text.contains('?') && how_many.is_match(&s.text)) {
        return false;
    }
    let lex = super::cues::lex();
    own.iter().take(2).any(|s| {
        s.toks.iter().enumerate().any(|(k, t)| match t {
            Tok::Range | Tok::Vague => true,
            Tok::Num { .. } => k > 0 && super::cues::is_in(&s.toks[k - 1], &lex.approx),
            _ => false,
        })
    })
}

/// An answer is short: "Yes, 5 it is.", "ja, 5 bitte", "Oui, deux suffiront." (tokens).
const ANSWER_TOKENS: usize = 8;

/// The request the customer confirmed by choosing one of the two numbers our quoted question
/// offered, written out; `None` when the mail is no such answer.
fn answered(own: &[Sentence], sentences: &[Sentence]) -> Option<String> {
    let (asking, a, b) = sentences
        .iter()
        .enumerate()
        .filter(|(_, s)| s.text.contains('?'))
        .find_map(|(k, s)| offered_pairs(&s.toks).find(|(a, b)| a != b).map(|(a, b)| (k, a, b)))?;
    // The answer opens the mail: its first or second sentence, a short one, names one of the
    // two numbers, and only one.
    let first = own.iter().take(2).find(|s| s.has_num()).filter(|s| s.toks.len() <= ANSWER_TOKENS)?;
    let said = |v: i64| first.toks.iter().any(|t| matches!(t, Tok::Num { value } if *value == v));
    let choice = match (said(a), said(b)) {
        (true, false) => a,
        (false, true) => b,
        _ => return None,
    };
    let offer = Regex::new(&format!(r"\b{a}\s+\S+\s+{b}\b")).ok()?;
    let mut out: Vec<String> = sentences.iter().filter(|s| !s.has_num() && !s.text.contains('?')).map(|s| s.text.clone()).collect();
    let chosen = offer.replace(&sentences[asking].text, choice.to_string());
    out.push(chosen.trim_end_matches(['?', ' ']).to_string() + ".");
    Some(out.join("\n\n"))
}

/// "4" under our "How many Microsoft 365 Business Standard licences would you like us to add? At
/// the moment the tenant has 11."; "Auf 7." under our "Derzeit haben Sie 10 Lizenzen … Auf welche
/// Gesamtzahl sollen wir reduzieren?": the answer is one number and says nothing else of seats;
/// our question, with that number in place of its "how many", is the request, read with what our
/// mail says around it (the account, the product), but not with today's count it states.
fn quantity_given(own: &[Sentence], sentences: &[Sentence], catalog: &Catalog) -> Option<String> {
    let [n] = numbers(own)[..] else { return None };
    own.iter().take(2).find(|s| s.has_num()).filter(|s| s.toks.len() <= ANSWER_TOKENS)?;
    if own.iter().any(|s| s.has_strong_cue() || !s.emails.is_empty() || !s.products.is_empty()) {
        return None;
    }
    let how_many = &crate::parse::lexicon::phrases().how_many;
    let asking = sentences.iter().position(|s| s.text.contains('?') && how_many.is_match(&s.text))?;
    let text = &sentences[asking].text;
    let m = how_many.find_iter(text).next()?;
    let asked = format!("{}{n}{}", &text[..m.start()], &text[m.end()..]);
    // Not today's count our mail states ("U heeft momenteel 14"): the customer gave the total
    // alone. Nor the customer's own words we quoted ("a few more"), which the answer replaces.
    let (counted, plain): (Vec<&Sentence>, Vec<&Sentence>) = sentences.iter().filter(|s| !s.text.contains('?')).partition(|s| s.has_num());
    let mut out: Vec<String> = plain.iter().map(|s| QUOTED_WORDS.replace_all(&s.text, "").into_owned()).collect();
    out.push(asked.trim_end_matches(['?', ' ']).to_string() + ".");
    // "Derzeit haben Sie 10 Lizenzen Microsoft 365 Business Basic": the product, without the count.
    if !sentences[asking].products.iter().any(|p| p.sku().is_some()) {
        let mut named: Vec<&str> = counted.iter().flat_map(|s| &s.products).filter_map(Mention::sku).collect();
        named.sort_unstable();
        named.dedup();
        if let [one] = named[..] {
            out.push(format!("{}.", catalog.name_of(one)));
        }
    }
    Some(out.join("\n\n"))
}

/// Words between quote marks: the customer's, as our mail quotes them.
static QUOTED_WORDS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#""[^"\n]{1,200}"|“[^”\n]{1,200}”|„[^“”\n]{1,200}[“”]|«[^»\n]{1,200}»"#).expect("quoted words"));

/// The first mail quoted under the reply, when it is ours and asks something: its text, without
/// quote marks and its header lines.
fn our_question(thread: &[Quoted]) -> Option<&str> {
    thread.first().filter(|m| m.ours && m.text.contains('?')).map(|m| m.text.as_str())
}

/// The first mail quoted under the reply, when it is ours: its text, without quote marks and its
/// header lines.
pub(crate) fn our_first(quoted: &str) -> Option<String> {
    thread(quoted).into_iter().next().filter(|m| m.ours).map(|m| m.text)
}

/// Today's count our quoted mail states ("Vous avez actuellement 8 licences …"), when it states
/// one.
pub(crate) fn our_today(quoted: &str, catalog: &Catalog, lang: Option<Language>) -> Option<i64> {
    let ours = our_first(quoted)?;
    let mut counts: Vec<i64> = sentences::split(&ours, catalog, lang)
        .iter()
        .enumerate()
        .flat_map(|(si, s)| super::explain::read(s, si, false, true).numbers.into_iter().filter(|n| n.meaning == super::explain::Meaning::Current).map(|n| n.value))
        .collect();
    counts.sort_unstable();
    counts.dedup();
    match counts[..] {
        [one] => Some(one),
        _ => None,
    }
}

/// A mail quoted under the reply.
struct Quoted {
    /// A header line of it names our mailbox (its "To:" as well as its "From:").
    ours: bool,
    /// Its "From:" or attribution line names our mailbox.
    from_us: bool,
    /// Its text, without quote marks and header lines.
    text: String,
}

/// The mails quoted under the reply, newest first.
fn thread(quoted: &str) -> Vec<Quoted> {
    let mut mails = Vec::new();
    let (mut ours, mut from_us) = (false, false);
    let mut text: Vec<&str> = Vec::new();
    for line in quoted.lines() {
        let l = line.trim_start_matches(['>', ' ']).trim_end();
        if is_separator_line(l) && text.is_empty() {
            continue;
        }
        if is_header_line(l) || is_attribution_line(l) {
            if !text.is_empty() {
                // The next mail down the thread.
                mails.push(Quoted { ours, from_us, text: text.join("\n") });
                text.clear();
                (ours, from_us) = (false, false);
            }
            ours |= names_us(l);
            from_us |= names_us(l) && is_from_line(l);
            continue;
        }
        if !l.is_empty() || !text.is_empty() {
            text.push(l);
        }
    }
    if !text.is_empty() {
        mails.push(Quoted { ours, from_us, text: text.join("\n") });
    }
    mails
}

/// "het gaat om admin@x.onmicrosoft.com. Verder blijft de aanvraag zoals ze was." under our
/// "Op welke gebruikersnaam mogen we de licenties toevoegen?", which quotes the customer's request:
/// that request with the answer under it, to be read as one mail. The answer names one account,
/// no direction and no number the request did not say (those would make it a request of its own).
fn account_given(own: &[Sentence], thread: &[Quoted], catalog: &Catalog, lang: Option<Language>) -> Option<String> {
    if own.iter().any(Sentence::has_strong_cue) {
        return None;
    }
    let mut named: Vec<String> = own.iter().flat_map(|s| s.emails.iter()).map(|e| e.addr.to_lowercase()).collect();
    named.sort();
    named.dedup();
    if named.len() != 1 || !super::whom::usable_username(&named[0]) {
        return None;
    }
    let [question, request, ..] = thread else { return None };
    if !question.from_us || request.from_us {
        return None;
    }
    let ph = crate::parse::lexicon::phrases();
    if !question.text.split_inclusive(['?', '\n']).any(|q| q.ends_with('?') && ph.login_label.is_match(q)) {
        return None;
    }
    // "fyra st som jag skrev": a number the request said already is no new one.
    let said_before = numbers(&sentences::split(&request.text, catalog, lang));
    if !numbers(own).iter().all(|v| said_before.contains(v)) {
        return None;
    }
    let answer: Vec<&str> = own.iter().map(|s| s.text.as_str()).collect();
    Some(format!("{}\n\n{}", request.text, answer.join("\n")))
}

/// "Sur les Basic, les deux, merci." under our "Ce compte comporte deux abonnements : Microsoft
/// 365 Business Standard (9 licences) et Microsoft 365 Business Basic (4 licences). Pouvez-vous
/// nous préciser sur lequel … ?": our question restates the request and offers the products; the
/// answer picks one, often by the one word of its name that tells it from the others ("Basic").
/// The restated request and the product picked, to be read as one mail. The answer says no
/// direction and no number our question did not say (those would make it a request of its own).
fn product_given(own: &[Sentence], sentences: &[Sentence], catalog: &Catalog) -> Option<String> {
    if own.iter().any(Sentence::has_strong_cue) {
        return None;
    }
    let mut offered: Vec<&str> = sentences.iter().flat_map(|s| &s.products).filter_map(Mention::sku).collect();
    offered.sort_unstable();
    offered.dedup();
    if offered.len() < 2 {
        return None;
    }
    let asked = numbers(sentences);
    if !numbers(own).iter().all(|v| asked.contains(v)) {
        return None;
    }
    // The request as our question restates it: a change with a number, no product, no question.
    let request: Vec<&str> = sentences
        .iter()
        .filter(|s| s.has_num() && s.products.is_empty() && !s.text.contains('?') && s.has_strong_cue())
        .map(|s| s.text.as_str())
        .collect();
    if request.is_empty() {
        return None;
    }
    let picked = picked_product(own, &offered, catalog)?;
    Some(format!("{}\n\n{}.", request.join("\n"), catalog.name_of(picked)))
}

/// The one offered product the answer names, in full or by a word of its name no other offered
/// product's name has; not one it names to say no ("Business Premium, dus niet Business Standard").
fn picked_product<'a>(own: &[Sentence], offered: &[&'a str], catalog: &Catalog) -> Option<&'a str> {
    let negation = &super::cues::lex().negation;
    let named: Vec<&str> = own
        .iter()
        .flat_map(|s| {
            s.toks.iter().enumerate().filter_map(|(i, t)| match t {
                Tok::Product(k) if !s.toks[i.saturating_sub(2)..i].iter().any(|t| super::cues::is_in(t, negation)) => s.products.get(*k).and_then(Mention::sku),
                _ => None,
            })
        })
        .collect();
    let words = |sku: &str| -> Vec<String> {
        catalog.name_of(sku).split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().any(char::is_alphabetic)).map(str::to_lowercase).collect()
    };
    let said = |w: &str| own.iter().flat_map(|s| &s.toks).any(|t| matches!(t, Tok::Word(x) if x == w));
    let picked: Vec<&'a str> = offered
        .iter()
        .copied()
        .filter(|sku| {
            named.contains(sku) || {
                let others: Vec<String> = offered.iter().filter(|o| *o != sku).flat_map(|o| words(o)).collect();
                words(sku).iter().any(|w| !others.contains(w) && said(w))
            }
        })
        .collect();
    match picked[..] {
        [one] => Some(one),
        _ => None,
    }
}

/// "Ik vroeg op 3 november om 2 licenties te verwijderen (zie hieronder), maar … Mogen die er
/// alsnog af?" over the customer's own earlier mail: a reminder chases that request, which says
/// it whole (the account, the product). That request, to be read in place of the reminder; the
/// reminder says no number the request did not (a new number would be a request of its own).
fn reminded(own: &[Sentence], thread: &[Quoted], catalog: &Catalog, lang: Option<Language>) -> Option<String> {
    let ph = crate::parse::lexicon::phrases();
    // "Second reminder: never mind, cancel the request below" chases nothing.
    if !own.iter().any(|s| ph.reminder.is_match(&s.text)) || own.iter().any(|s| ph.retract.is_match(&s.text) || ph.count_unchanged.is_match(&s.text)) {
        return None;
    }
    let earlier = thread.first().filter(|m| !m.ours && !m.from_us)?;
    let said_before = numbers(&sentences::split(&earlier.text, catalog, lang));
    if said_before.is_empty() || !numbers(own).iter().all(|v| said_before.contains(v)) {
        return None;
    }
    Some(earlier.text.clone())
}

/// The numbers the sentences say.
fn numbers(ss: &[Sentence]) -> Vec<i64> {
    ss.iter().flat_map(Sentence::numbers).collect()
}
