//! The words that say what to do with a quantity, in five languages: add ("add", "erbij",
//! "de plus", "weitere", "lägga till"), remove ("remove", "minder", "en moins", "weniger",
//! "ta bort", and negations such as "no longer need", "niet meer nodig", "n'avons plus besoin"),
//! change verbs and prepositions that make a number a new total ("reduce to 8", "naar 7",
//! "passer à 15", "auf 12", "till 20"), and the nearest cue to a number.

use std::collections::BTreeSet;

use crate::parse::lexicon::{self, Set, Words};
use crate::parse::numbers::{self, Tok};

/// The words of the five languages.
pub(crate) fn lex() -> &'static Words {
    lexicon::words()
}

/// Whether a token is one of the words of `set`.
pub(crate) fn is_in(t: &Tok, set: &Set) -> bool {
    matches!(t, Tok::Word(w) | Tok::Article(w) if set.has(w))
}

/// People a licence is for: "the summer workers", "les stagiaires", "de nieuwe collega's", "die
/// Aushilfen", "sommarjobbarna".
pub(crate) fn is_people(t: &Tok) -> bool {
    matches!(t, Tok::Word(w) if lex().people.start(w) || lex().people.head(w))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dir {
    Add,
    Remove,
}




pub(crate) fn is_w(t: &Tok, list: &[&str]) -> bool {
    matches!(t, Tok::Word(w) if list.contains(&w.as_str())) || matches!(t, Tok::Article(w) if list.contains(&w.as_str()))
}

pub(crate) fn is_licence_noun(t: &Tok) -> bool {
    match t {
        Tok::Word(w) => lex().licence.start(w),
        Tok::Product(_) => true,
        _ => false,
    }
}



/// A need word: "need", "nodig", "besoin", "brauchen", "behöver" (more seats, or with a
/// negation fewer).
pub(crate) fn is_need(t: &Tok) -> bool {
    is_in(t, &lex().need_more) || is_in(t, &lex().needed)
}

/// A word of a change's own that may stand between its number and what is said of it: its
/// licence words and product, its account, "for" ("4 Business Standard for it@x.be – or rather 5",
/// "insgesamt 5 Lizenzen für it@x hinzufügen").
pub(crate) fn is_own_word(t: &Tok) -> bool {
    is_licence_noun(t) || matches!(t, Tok::Email(_)) || is_in(t, &lex().for_people)
}

pub(crate) fn is_singular_licence(t: &Tok) -> bool {
    matches!(t, Tok::Word(w) if lex().singular_licence.has(w))
}

pub(crate) fn is_singular_unit(t: &Tok) -> bool {
    matches!(t, Tok::Word(w) if lex().singular_unit.has(w))
}

pub(crate) fn is_unit(t: &Tok) -> bool {
    match t {
        Tok::Word(w) => numbers::is_unit_noun(w),
        Tok::Product(_) => true,
        _ => false,
    }
}


fn clause_break(t: &Tok) -> bool {
    matches!(t, Tok::Punct(',' | ';' | ':' | '–' | '—' | '|')) || is_in(t, &lex().clause)
}

/// The cue of every token of a sentence (see [`cue_at`]), computed once per sentence.
pub(crate) type Cues = [Option<(Dir, bool)>];

pub(crate) fn cues_of(toks: &[Tok]) -> Vec<Option<(Dir, bool)>> {
    (0..toks.len()).map(|j| cue_at(toks, j)).collect()
}

/// The clause around token `i` (from the token after the previous break to the one before the
/// next), at most a dozen tokens either way: a sentence without breaks is no single clause.
pub(crate) fn clause_of(toks: &[Tok], i: usize) -> (usize, usize) {
    const REACH: usize = 12;
    let lo = (i.saturating_sub(REACH)..i).rev().find(|&j| clause_break(&toks[j])).map_or(i.saturating_sub(REACH), |j| j + 1);
    let hi = (i + 1..(i + REACH).min(toks.len())).find(|&j| clause_break(&toks[j])).unwrap_or((i + REACH).min(toks.len()));
    (lo, hi)
}

/// Nearest direction cue to token `i`, preferring words before it. When the number's own clause
/// has a strong cue, that one decides: in "3 X hinzufügen und 3 Y entfernen" the second 3 is
/// removed, however near "hinzufügen" is.
pub(crate) fn cue_near(toks: &[Tok], cues: &Cues, i: usize) -> Option<(Dir, bool)> {
    let (clo, chi) = clause_of(toks, i);
    let own = cue_in(cues, i, clo.max(i.saturating_sub(8)), chi.min(i + 6));
    if own.is_some_and(|(_, strong)| strong) {
        return own;
    }
    cue_in(cues, i, i.saturating_sub(8), (i + 6).min(toks.len()))
}

fn cue_in(cues: &Cues, i: usize, lo: usize, hi: usize) -> Option<(Dir, bool)> {
    let mut best: Option<(usize, Dir, bool)> = None;
    for (j, cue) in cues.iter().enumerate().take(hi).skip(lo) {
        if j == i {
            continue;
        }
        let Some((d, strong)) = *cue else { continue };
        let dist = if j < i { (i - j) * 2 } else { (j - i) * 2 + 1 };
        if best.is_none_or(|(bd, _, bs)| (strong && !bs) || (strong == bs && dist < bd)) {
            best = Some((dist, d, strong));
        }
    }
    best.map(|(_, d, s)| (d, s))
}

/// The direction a token says, if it is a cue (with its multiword exceptions).
pub(crate) fn cue_at(toks: &[Tok], j: usize) -> Option<(Dir, bool)> {
    let prev = |k: usize| if j >= k { toks.get(j - k) } else { None };
    let next = toks.get(j + 1);
    match &toks[j] {
        Tok::Punct('+') if matches!(next, Some(Tok::Num { .. })) => Some((Dir::Add, true)),
        Tok::Punct('-' | '−') if matches!(next, Some(Tok::Num { .. })) && !matches!(prev(1), Some(Tok::Num { .. })) => {
            Some((Dir::Remove, true))
        }
        Tok::Word(w) => {
            // "ajoutez-nous", "pouvez-vous": the verb is the first part.
            let w = w.split('-').next().unwrap_or(w.as_str());
            // Negations turn "more"/"plus"/"meer"/"mehr" into "no longer".
            let negated = (1..=3).any(|k| {
                prev(k).is_some_and(|t| is_in(t, &lex().negation))
            });
            // "te veel", "too many", "en trop", "zu viele", "för många".
            if (w == "veel" && prev(1).is_some_and(|t| is_w(t, &["te"])))
                || (matches!(w, "many" | "much") && prev(1).is_some_and(|t| is_w(t, &["too"])))
                || w == "trop"
                || (matches!(w, "viel" | "viele") && prev(1).is_some_and(|t| is_w(t, &["zu"])))
                || (matches!(w, "många" | "mycket") && prev(1).is_some_and(|t| is_w(t, &["för"])))
            {
                return Some((Dir::Remove, true));
            }
            if matches!(w, "longer" | "längre") && prev(1).is_some_and(|t| is_w(t, &["no", "inte", "int", "ej"])) {
                return Some((Dir::Remove, true));
            }
            // "we no longer need", "n'avons plus besoin", "niet meer nodig", "brauchen nicht mehr";
            // but "n'en avons plus besoin que de 27" is "only 27".
            let restrictive = || toks[j + 1..(j + 3).min(toks.len())].iter().any(|t| is_in(t, &lex().restrictive));
            // "We'd rather not pay for a licence if it isn't needed": a condition, not a removal.
            let conditional = || (1..=6).any(|k| prev(k).is_some_and(|t| is_in(t, &lex().condition)));
            if lex().needed.has(w)
                && !restrictive()
                && (1..=3).any(|k| prev(k).is_some_and(|t| is_in(t, &lex().negation) || is_w(t, &["plus"])))
                && !conditional()
            {
                return Some((Dir::Remove, true));
            }
            // "nur mehr 9", "nur noch 9" (only 9 left): no cue.
            if w == "mehr" && prev(1).is_some_and(|t| is_w(t, &["nur"])) {
                return None;
            }
            // "het onderwerp klopt niet meer", "stimmt nicht mehr": no longer right, no seat cue.
            let right = (1..=3).any(|k| prev(k).is_some_and(|t| is_w(t, &["klopt", "klopte", "stimmt", "juist", "correct", "stämmer", "right", "valid", "geldig", "gilt"])));
            if (lex().more.has(w) || w == "plus") && negated && !right {
                return Some((Dir::Remove, true));
            }
            if w == "plus" && prev(1).is_some_and(|t| is_w(t, &["n", "ne"])) {
                return Some((Dir::Remove, true));
            }
            // "2 licences de plus", "plus 2": more; "plus avantageux", "plus tard": no cue.
            if w == "plus" {
                let near_qty = |t: Option<&Tok>| t.is_some_and(|t| matches!(t, Tok::Num { .. } | Tok::Article(_)) || is_licence_noun(t));
                let de_plus = prev(1).is_some_and(|t| is_w(t, &["de", "en"]));
                return (de_plus || near_qty(next) || near_qty(prev(1))).then_some((Dir::Add, true));
            }
            // "Commande donc deux licences …" (the verb, to a colleague); not "bon de commande
            // pour 3 licences", "la commande de 3" (the noun, after a word).
            if w == "commande" {
                let first = j == 0 || matches!(prev(1), Some(Tok::Punct(_)));
                let qty = toks[j + 1..(j + 4).min(toks.len())].iter().any(|t| matches!(t, Tok::Num { .. }));
                return (first && qty).then_some((Dir::Add, true));
            }
            if w == "bij" {
                let end = next.is_none_or(|t| matches!(t, Tok::Punct(_)) || is_w(t, &["zetten", "voegen", "komen", "te", "voor", "op", "in", "aub", "graag", "alstublieft", "alsjeblieft", "a.u.b", "svp", "please"]));
                return end.then_some((Dir::Add, true));
            }
            if w == "till" {
                // "lägg till 2", "2 till": add; "från 10 till 15", "öka till 15": not a cue.
                let after_add = prev(1).is_some_and(|t| is_w(t, &["lägga", "lägg", "läggs"]));
                let at_end = next.is_none_or(|t| matches!(t, Tok::Punct(c) if *c != ':') || is_w(t, &["för", "på", "tack", "av", "åt", "i", "nu", "också", "snarast", "till"]));
                // "ett dussin till Office 365 F3", "två till": right after a number, "till" is "more".
                let after_num = matches!(prev(1), Some(Tok::Num { .. })) && !matches!(next, Some(Tok::Num { .. }));
                // "2 st. E3 till och 2 st. E1 bort": "till" ends its clause; "till och med" is "up to".
                let before_and = next.is_some_and(|t| is_w(t, &["och"])) && !toks.get(j + 2).is_some_and(|t| is_w(t, &["med"]));
                return (after_add || at_end || after_num || before_and).then_some((Dir::Add, true));
            }
            // "take one more off", "nog eentje af", "noch eine weg": "more" after a number and
            // "still" before one say "another"; the removal word right after says which way.
            let another_at = if lex().more.has(w) && matches!(prev(1), Some(Tok::Num { .. })) {
                Some(j + 1)
            } else if lex().still.has(w) && matches!(next, Some(Tok::Num { .. })) {
                Some(j + 2)
            } else {
                None
            };
            if another_at.is_some_and(|k| removal_right_after(toks, k)) {
                return None;
            }
            // "Kunnen jullie er 1 terugzetten", "please restore 2": seats put back are added;
            // "terugzetten naar 32", "restore to 12" say a total, and no way.
            if lex().restore.has(w) {
                let num_at = |k: usize| matches!(toks.get(k), Some(Tok::Num { .. }));
                let to_total = (j + 1..(j + 3).min(toks.len())).any(|k| is_in(&toks[k], &lex().move_to) && (num_at(k + 1) || num_at(k + 2)));
                let num_near = [prev(1), prev(2)].into_iter().flatten().any(|t| matches!(t, Tok::Num { .. })) || num_at(j + 1) || num_at(j + 2);
                return (num_near && !to_total).then_some((Dir::Add, true));
            }
            // "One more colleague handed in her notice": one more person, who may come or go; the
            // people decide the way, not "more".
            if lex().more.has(w) && matches!(prev(1), Some(Tok::Num { .. })) && next.is_some_and(is_people) {
                return Some((Dir::Add, false));
            }
            // "nog twee tenants lopen": still two tenants, not two more seats; "Es sind noch 3
            // freie Lizenzen im Tenant": three still free.
            let not_more = toks.get(j + 2).is_some_and(|t| is_w(t, &["tenant", "tenants"]) || is_in(t, &lex().free));
            if lex().still.has(w) && matches!(next, Some(Tok::Num { .. })) && !not_more {
                return Some((Dir::Add, true));
            }
            if w == "ta" && next.is_some_and(|t| is_w(t, &["bort"])) {
                return Some((Dir::Remove, true));
            }
            if w == "upp" && prev(1).is_some_and(|t| is_w(t, &["säga", "säg"])) {
                return Some((Dir::Remove, true));
            }
            if matches!(w, "säga" | "säg") {
                return None;
            }
            // "mag er 1 af", "1 licentie af voor Piet", "af te bouwen", "er mogen er twee af van de
            // Exchange-licenties"; not "af en toe", "hangt af van".
            let after_num = matches!(prev(1), Some(Tok::Num { .. }));
            if w == "af" && (after_num || !next.is_some_and(|t| is_w(t, &["en", "van", "aan", "of", "toe"]))) {
                return Some((Dir::Remove, true));
            }
            if w == "en" || w == "de" {
                return None;
            }
            // "Office 365 F3 x6", "5x Business Basic", "5 × Exchange": an order line.
            if matches!(w, "x" | "×") && (matches!(prev(1), Some(Tok::Num { .. })) || matches!(next, Some(Tok::Num { .. }))) {
                return Some((Dir::Add, false));
            }
            // "we need 3", "il nous faut 3", "wir brauchen 3", "vi behöver 3": a need is more seats
            // unless a total or a change verb says otherwise (weak: any stated direction wins).
            // Not "we need to talk", "need help", "besoin d'aide", "behöver hjälp".
            // Nor "benötigen wir eine Bestätigung", "we need an invoice": a need of one thing
            // that is no licence.
            let needs_other = || {
                let Some(k) = (j + 1..(j + 3).min(toks.len())).find(|&k| matches!(toks[k], Tok::Article(_))) else { return false };
                let after = &toks[k + 1..(k + 5).min(toks.len())];
                !after.iter().any(|t| is_licence_noun(t) || matches!(t, Tok::Num { .. }) || is_in(t, &lex().more_or_less) || is_in(t, &lex().add))
            };
            if lex().need_more.has(w) && !next.is_some_and(|t| is_in(t, &lex().need_not)) && !needs_other() {
                return Some((Dir::Add, false));
            }
            // "activate the 8 licences": only licences (or a product) are activated as seats;
            // "activate MFA for 12 users" is no seat change.
            if lex().activate.has(w) {
                let near = toks[j.saturating_sub(6)..(j + 7).min(toks.len())].iter().any(is_licence_noun);
                return near.then_some((Dir::Add, true));
            }
            // "for the summer workers", "pour les stagiaires", "voor de nieuwe collega's", "für die
            // Aushilfen", "till sommarjobbarna": seats for people are seats to add.
            if lex().for_people.has(w) && toks[j + 1..(j + 5).min(toks.len())].iter().any(is_people) {
                return Some((Dir::Add, false));
            }
            // "can go", "kunnen weg", "peuvent partir", "können weg": may be removed.
            // "peuvent toutes partir", "can all go": a word of "all" may stand between.
            let modal = |t: &Tok| is_in(t, &lex().modal) || is_w(t, &["peuvent", "doivent", "doit", "dürfen", "kann", "können", "kan"]);
            let all_between = || prev(1).is_some_and(|t| is_w(t, &["all", "toutes", "tous", "alle", "allemaal", "alla"]));
            if matches!(w, "go" | "partir" | "gehen" | "gå") && (prev(1).is_some_and(modal) || (all_between() && prev(2).is_some_and(modal))) {
                return Some((Dir::Remove, true));
            }
            if lex().add.has(w) || lex().add_stem.start(w) {
                return Some((Dir::Add, true));
            }
            if lex().remove.has(w) || lex().remove_stem.start(w) {
                return Some((Dir::Remove, true));
            }
            if lex().add_weak.has(w) {
                return Some((Dir::Add, false));
            }
            None
        }
        _ => None,
    }
}

/// A removal word among the two tokens from `k`, before any punctuation: "one more off",
/// "nog eentje af(halen)", "noch eine weg".
fn removal_right_after(toks: &[Tok], k: usize) -> bool {
    toks.iter().skip(k).take(2).take_while(|t| !matches!(t, Tok::Punct(_))).any(|t| {
        is_in(t, &lex().removal_particle) || matches!(t, Tok::Word(w) if lex().remove.has(w) || lex().remove_stem.start(w))
    })
}

/// The one direction a sentence's cues (weak ones included) point to, if they agree.
/// The directions of the strong cues among `cues`, in order.
pub(crate) fn strong_dirs(cues: &Cues) -> Vec<Dir> {
    cues.iter().flatten().filter(|(_, strong)| *strong).map(|(d, _)| *d).collect()
}

pub(crate) fn sentence_dir(cues: &Cues) -> Option<Dir> {
    let cues: Vec<(Dir, bool)> = cues.iter().flatten().copied().collect();
    let strong = cues.iter().any(|(_, s)| *s);
    let dirs: BTreeSet<u8> = cues.iter().filter(|(_, s)| *s || !strong).map(|(d, _)| *d as u8).collect();
    match dirs.iter().next() {
        Some(&d) if dirs.len() == 1 => Some(if d == Dir::Add as u8 { Dir::Add } else { Dir::Remove }),
        _ => None,
    }
}

/// "5 or 4", "5 oder 3", "8 ou 9": each pair of numbers a sentence offers, in order.
pub(crate) fn offered_pairs(toks: &[Tok]) -> impl Iterator<Item = (i64, i64)> + '_ {
    (0..toks.len()).filter_map(|i| match &toks[i..] {
        [Tok::Num { value: a }, or, Tok::Num { value: b }, ..] if is_in(or, &lex().or) => Some((*a, *b)),
        // "deux, peut-être trois", "2 or maybe 3".
        [Tok::Num { value: a }, or, maybe, Tok::Num { value: b }, ..]
            if (matches!(or, Tok::Punct(',')) || is_in(or, &lex().or)) && is_in(maybe, &lex().maybe) =>
        {
            Some((*a, *b))
        }
        _ => None,
    })
}

/// "praxis@x.be: +2", "Thuin (admin@x) : une de moins": the last word before number `i`, past
/// any punctuation, is an account's address.
pub(crate) fn right_after_account(toks: &[Tok], i: usize) -> bool {
    toks[..i].iter().rev().find(|t| !matches!(t, Tok::Punct(_))).is_some_and(|t| matches!(t, Tok::Email(_)))
}

pub(crate) fn signed_at(toks: &[Tok], i: usize) -> bool {
    i > 0 && matches!(toks[i - 1], Tok::Punct('+' | '-' | '−'))
}

/// Whether the sentence's only cues are weak ones ("drei neue Mitarbeiter").
pub(crate) fn weak_sentence(toks: &[Tok], cues: &Cues) -> bool {
    if toks.iter().any(|t| is_in(t, &lex().total) || is_in(t, &lex().change)) {
        return false;
    }
    !cues.iter().flatten().any(|(_, strong)| *strong)
}

pub(crate) fn has_change_verb(toks: &[Tok]) -> bool {
    toks.iter().any(|t| is_in(t, &lex().change) || is_in(t, &lex().total))
}
