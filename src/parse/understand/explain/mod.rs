//! Step 3: every number of a sentence explained. Dates, phones, prices, references, addresses
//! and versions were masked when the sentence was tokenized; what is left gets one [`Meaning`]:
//! a change of licences, a new total, today's quantity, a count of people or of other things, a
//! number taken back, one of several alternatives, an approximation, or nothing at all.
//!
//! Changes come out as [`Raw`] candidates with what the sentence says about them (direction,
//! product, how firmly the sentence asks); the mail-level steps combine them.
//!
//! The reading runs in passes over the sentence's tokens ([`reader`] holds what they share):
//! licences moved between two products first ([`moves`]), numbers read in pairs next (`from 10
//! to 15`, `not 3 but 4`: [`pairs`]), then every other
//! number on its own ([`number`]), then the sentence-wide corrections.

mod moves;
mod number;
mod pairs;
mod reader;
mod value;

use super::cues::*;
use super::sentences::Sentence;
use crate::parse::numbers::Tok;
use crate::parse::products::Mention;
use crate::parse::{Ask, Change};

/// What one number of the customer's text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Meaning {
    /// Seats to add or remove, or a change whose direction the sentence leaves open.
    Change,
    /// The wanted total.
    Target,
    /// Today's quantity ("we have 12", "currently 30").
    Current,
    /// People, not licences ("three new colleagues", "two people leave").
    People,
    /// People who take over a licence that is already there ("one of them takes over Ann's").
    Reuse,
    /// A count of something else (shops, laptops, sites), or commentary.
    Thing,
    /// Taken back: "not 3 but 4", "4 instead of 3".
    TakenBack,
    /// One of several: "3 or 4", "between 5 and 7".
    Alternative,
    /// "about ten", "ungefähr 10".
    Approximate,
    /// Nothing explains it.
    Unexplained,
}

/// One number and its meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Number {
    pub value: i64,
    pub meaning: Meaning,
    /// People counts: joining (+1), leaving (-1), unknown (0).
    pub joining: i8,
}

/// A candidate change read from one number.
#[derive(Debug, Clone)]
pub(crate) struct Raw {
    pub change: Option<Change>,
    /// The direction came only from a weak cue ("new", "nieuwe").
    pub weak: bool,
    /// Delta without a stated direction (filled from the rest of the mail, or asked).
    pub undirected: Option<i64>,
    pub product: Option<Mention>,
    /// Index of the sentence's address nearest to the number, if any.
    pub near_email: Option<usize>,
    /// The number's clause names another account in words, with no address: "op het account van
    /// de crèches", "on the other account". Whom it is for is asked, not guessed.
    pub other_account: bool,
    pub sentence: usize,
    pub para: usize,
    /// The number stands next to a licence word or product ("3 licences", "Business Standard: 2")
    /// or carries a sign; "one person", "two new colleagues" are counts of people.
    pub attached: bool,
    /// The sentence asks for it in so many words ("please", "kunnen jullie", an imperative).
    pub asks: bool,
    /// Read from today's quantity and a wanted total stated together.
    pub from_current: bool,
    /// The number counts people ("three new colleagues"), not licences.
    pub people: bool,
    /// "the other two": the people left once some took over a licence.
    pub rest: bool,
    /// Direction words in the number's own clause: (adding, removing).
    pub clause_dirs: (bool, bool),
    /// Where the number stands in its sentence (token index).
    pub at: usize,
}

impl Raw {
    /// A change the mail-level steps read from several sentences together (today's count and a
    /// wanted one, a licence for each person counted before): plain and attached, its product
    /// and account found as for any other.
    pub fn derived(change: Change, sentence: usize, para: usize, at: usize, from_current: bool) -> Raw {
        Raw {
            change: Some(change),
            weak: false,
            undirected: None,
            product: None,
            near_email: None,
            other_account: false,
            sentence,
            para,
            attached: true,
            asks: false,
            from_current,
            people: false,
            rest: false,
            clause_dirs: (false, false),
            at,
        }
    }
}

/// What one sentence says with its numbers.
#[derive(Debug, Default)]
pub(crate) struct Reading {
    pub raws: Vec<Raw>,
    pub numbers: Vec<Number>,
    pub problems: Vec<(Ask, String)>,
    /// Direction cues seen (for the subject against the body, and undirected quantities).
    pub dirs: Vec<Dir>,
    /// The sentence speaks of changing seats (a cue next to a licence word or product).
    pub intent: bool,
    /// The sentence says a number is not final ("I still have to confirm the number").
    pub unsure: bool,
    /// The sentence corrects an earlier one ("Sorry, it must be 5").
    pub correction: bool,
    /// The sentence gives a count from memory ("we have 62, if I'm not mistaken").
    pub recalled: bool,
    /// The sentence takes back what the mail asked before it ("En fait non, …").
    pub retract: bool,
    /// The sentence says "total" ("14 in total", "au total"): its totals are totals, even in a
    /// correction.
    pub says_total: bool,
    /// The sentence says "only" or "enough" ("please remove only 3", "so 3 new licences is enough"):
    /// a change it gives may narrow one said before.
    pub narrows: bool,
    /// The sentence says "also" or "more" ("could you also add 1 more"): a change it gives is a
    /// further one.
    pub also: bool,
    /// A total comes from "make it N" ("Make that 4", "maak er 4 van", "gör det 4"): after a
    /// change said before, that change's new size.
    pub makes_it: bool,
    /// People counted as what the customer has ("we have 12 staff"), not as who joins or leaves.
    pub staff: bool,
    /// Numbers right after a want or need, with no direction word of their own ("We want 14"):
    /// the wanted total when another sentence gave today's count (token index, value).
    pub wanted: Vec<(usize, i64)>,
    /// Numbers that only "nog"/"noch" just before makes an addition ("nog 19 nodig"): after
    /// today's count they may be the total still needed (token index, value).
    pub still: Vec<(usize, i64)>,
    /// The sentence says someone takes over a licence already there ("one of them takes over
    /// Peter's licence").
    pub takes_over: bool,
    /// "They will each need a licence": the sentence asks a licence per person, with no number;
    /// how many is the number of people the mail names (`changes::per_person`). The article's
    /// token index.
    pub per_person: Option<usize>,
    /// Totals that say what is left once the change is made ("il en restera 18") (token index).
    pub results: Vec<usize>,
    /// A form's price field ("Unit price: 36,00 EUR"): the form orders what it counts.
    pub purchase: bool,
    pub para: usize,
}


fn is_thing(t: &Tok) -> bool {
    matches!(t, Tok::Word(w) if lex().things.start(w))
}

fn short(s: &str) -> String {
    let t: String = s.chars().take(60).collect();
    if t.len() < s.len() { format!("{t}...") } else { t }
}

/// Quantities of one sentence and what they mean.
/// `licence_talk`: the mail speaks of licences or names a product somewhere, so a sign that opens
/// a line ("+1 (new assistant)" under a tenant's name) is a change.
pub(crate) fn read(s: &Sentence, si: usize, asks: bool, licence_talk: bool) -> Reading {
    let mut reader = reader::Reader::new(s, si, asks, licence_talk);
    reader.moves();
    reader.ranges();
    reader.corrections();
    reader.shares();
    reader.citations();
    for i in 0..s.toks.len() {
        reader.number(i);
    }
    reader.finish()
}

/// "we would like to have 14", "il nous en faudrait 10", "wir möchten 14", "vi behöver 14": the
/// number right after a want or need says the wanted total when today's count was given.
fn wanted_before(toks: &[Tok], j: usize) -> bool {
    // "willen we er vanaf volgende week 14": a date between the want and its number.
    toks[..j].iter().rev().take(6).take_while(|t| !matches!(t, Tok::Punct(_))).any(|t| is_in(t, &lex().want))
}

/// "currently 40, should be 46", "met lijn 2 worden dat er 25": a becoming word right before the
/// number, which is no "2 more".
fn becomes_before(toks: &[Tok], j: usize) -> bool {
    toks[j.saturating_sub(3)..j].iter().any(|t| is_in(t, &lex().becomes))
        && !toks[j + 1..(j + 3).min(toks.len())].iter().any(|t| is_in(t, &lex().more_or_less))
}

/// Field labels of a price: "Unit price", "Prix unitaire", "Stückpreis", "À-pris".
fn is_price_label(label: &str) -> bool {
    label.split(|c: char| !c.is_alphanumeric()).any(|w| lex().price_label.has(w))
}

/// Field labels that hold the number of licences: "Quantity", "Aantal", "Nombre", "Anzahl",
/// "Antal", "Number of licences", "Seats".
pub(crate) fn is_quantity_label(label: &str) -> bool {
    let q = &lex().quantity_label;
    let words: Vec<&str> = label.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    words.first().is_some_and(|w| q.has(w)) || (words.len() <= 3 && words.iter().any(|w| q.has(w)))
}
