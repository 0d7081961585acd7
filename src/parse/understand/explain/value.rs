//! The quantity a token stands for: a number in digits or words, or one licence said with an
//! article, a possessive or "the licence" when the sentence says what to do with it; ranges and
//! vague words make the sentence ask; "a licence each" counts the people instead.

use super::reader::Reader;
use super::short;
use crate::parse::lexicon::phrases;
use crate::parse::numbers::Tok;
use crate::parse::understand::cues::*;

impl Reader<'_> {
    /// The quantity token `i` stands for: a number, or one licence said with an article or
    /// "the licence"; ranges and vague words ask when the sentence is about licences.
    pub(super) fn value_at(&mut self, i: usize) -> Option<i64> {
        let (toks, n) = (self.toks, self.n);
        match &toks[i] {
            // "De cultuurdienst, de jeugddienst en de sportdienst krijgen er elk één licentie
            // bij": "one licence each", as with "a licence each", is one for each of those counted.
            Tok::Num { value: 1 }
                if toks[i + 1..(i + 4).min(n)].iter().any(is_unit)
                    && phrases().per_person.is_match(&self.s.text) =>
            {
                self.r.per_person = Some(i);
                None
            }
            // "add 2 licences … actually maybe 3 – need to check with HR": a guess, not a number
            // (after another number, "2 or maybe 3" is an alternative, read there).
            Tok::Num { .. }
                if i > 0
                    && is_in(&toks[i - 1], &lex().maybe)
                    && !toks[i.saturating_sub(4)..i].iter().any(|t| matches!(t, Tok::Num { .. }))
                    && (self.any_cue || self.mentions_unit || i <= 3) =>
            {
                self.no_exact_number();
                None
            }
            Tok::Num { value, .. } => Some(self.restated[i].unwrap_or(*value)),
            Tok::Range => {
                if self.any_cue || self.mentions_unit {
                    let why = format!("several possible quantities in \"{}\"", short(&self.s.text));
                    self.ask(why);
                }
                None
            }
            Tok::Vague => {
                // "at some point", "for some time": when, not how many.
                let when = toks.get(i + 1).is_some_and(|t| is_in(t, &lex().time_noun));
                // "(enkele leerkrachten met pensioen, een paar interims die gestopt zijn)": people
                // told of in brackets, the reason beside the count, not the count.
                let aside = toks[..i].iter().rev().take_while(|t| !matches!(t, Tok::Punct(')'))).any(|t| matches!(t, Tok::Punct('(')))
                    && toks[i + 1..].iter().take_while(|t| !matches!(t, Tok::Punct('('))).any(|t| matches!(t, Tok::Punct(')')))
                    && toks[i + 1..(i + 3).min(n)].iter().any(is_people);
                // "a few more changes please:" counts the changes that follow, not seats.
                let changes = toks[i + 1..(i + 3).min(n)].iter().any(|t| is_in(t, &lex().change_noun));
                if !when && !aside && !changes && (self.any_cue || toks[i + 1..(i + 5).min(n)].iter().any(is_licence_noun)) {
                    self.no_exact_number();
                }
                None
            }
            // Not "zij mag haar licentie overnemen": a licence taken over is none to add.
            Tok::Word(w)
                if !self.strong_present
                    && !self.reuse
                    && (lex().possessive.has(w) || (lex().possessive_removing.has(w) && toks.iter().any(|t| is_in(t, &lex().remove))))
                    && toks.get(i + 1).is_some_and(is_singular_unit) =>
            {
                Some(1)
            }
            // "supprimer la licence ... de Claire", "remove the licence of Jan", "de licentie van
            // Jan opzeggen", "ta bort licensen": one licence, when the sentence says what to do.
            Tok::Word(w)
                if !self.strong_present
                    && self.any_cue
                    && !self.reuse
                    && lex().definite.has(w)
                    && !(w == "de" && i > 0 && is_in(&toks[i - 1], &lex().not_article))
                    && definite_licence_at(toks, i + 1) =>
            {
                Some(1)
            }
            Tok::Word(w) if !self.strong_present && self.any_cue && lex().definite_licence.has(w) => Some(1),
            // "Bitte fügen Sie die nötigen Lizenzen hinzu", "ajoutez les licences nécessaires": a
            // licence for each person counted, like "each needs one".
            Tok::Word(w)
                if !self.strong_present
                    && self.any_cue
                    && lex().needed_licences.has(w)
                    && (toks.get(i + 1).is_some_and(is_unit) || (i > 0 && is_unit(&toks[i - 1]))) =>
            {
                self.r.per_person = Some(i);
                None
            }
            // Swedish "de behöver var sin licens": a licence each, like "each need a licence".
            Tok::Word(w) if !self.strong_present && (w == "sin" || w == "sitt") && i > 0 && is_w(&toks[i - 1], &["var"]) && toks.get(i + 1).is_some_and(is_unit) => {
                self.r.per_person = Some(i);
                None
            }
            // "Två slutar i juni och en börjar i augusti": one who starts or leaves, beside the
            // numbers of others.
            Tok::Article(_) if toks.get(i + 1).is_some_and(|t| is_in(t, &lex().join) || is_in(t, &lex().leaving)) => Some(1),
            Tok::Article(_) if toks[i + 1..(i + 4).min(n)].iter().any(is_unit) && self.people_need_one(i) => {
                self.r.per_person = Some(i);
                None
            }
            Tok::Article(_) if !self.quantity_present => {
                // "a licence", "une de plus", "een extra licentie", "en supprimer une".
                let after = &toks[i + 1..(i + 4).min(n)];
                let ok = after.first().is_none_or(|t| matches!(t, Tok::Punct(_)))
                    || after.iter().any(|t| is_unit(t) || is_in(t, &lex().more_or_less) || is_w(t, &["plus"]))
                    // "en till" is one more; "ett pris till budgetmötet" a price for the meeting.
                    || after.first().is_some_and(|t| is_w(t, &["till"]))
                    // "pourriez-vous en retirer une sur le même compte": one of the licences
                    // the pronoun stands for, right after a verb that says what to do.
                    || (i >= 2 && is_in(&toks[i - 2], &lex().partitive) && self.cues[i - 1].is_some_and(|(_, strong)| strong));
                let ok = ok && !(i > 0 && is_in(&toks[i - 1], &lex().to) && self.change_verb);
                // "they will each need a licence": one a person, not one in all. Searched only here,
                // where an article would count one licence.
                if ok && phrases().per_person.is_match(&self.s.text) {
                    self.r.per_person = Some(i);
                    return None;
                }
                ok.then_some(1)
            }
            _ => None,
        }
    }

    /// "Two new colleagues need a Business Standard licence", "2 d'entre eux ont besoin d'une
    /// licence": the one number of the sentence counts people, and they need "a" licence: one
    /// each. Only with one number: "our 3 new colleagues start, 2 of them need a licence" would
    /// count five.
    fn people_need_one(&self, i: usize) -> bool {
        let toks = self.toks;
        // "They no longer need a licence" after "3 colleagues left": the people of the sentence
        // before (counted there).
        // "some new colleagues start Monday, they need a licence": the pronoun right before the
        // need, too.
        let need_at = (i.saturating_sub(4)..i).find(|&q| is_need(&toks[q]));
        let they = need_at.is_some_and(|q| {
            toks[..i.saturating_sub(1)].iter().take(2).any(|t| is_in(t, &lex().they)) || toks[q.saturating_sub(3)..q].iter().any(|t| is_in(t, &lex().they))
        });
        if they {
            return true;
        }
        let nums: Vec<usize> = (0..i).filter(|&k| matches!(toks[k], Tok::Num { .. })).collect();
        // "a few new colleagues need a licence", "enkele nieuwe medewerkers hebben een licentie
        // nodig": people counted only vaguely, each needing one.
        let needs = need_at.is_some() || (i + 1..(i + 6).min(toks.len())).any(|q| is_need(&toks[q]));
        let vague_people = nums.is_empty() && needs && (0..i).any(|v| matches!(toks[v], Tok::Vague) && toks[v + 1..(v + 4).min(i)].iter().any(is_people));
        if vague_people {
            return true;
        }
        let [k] = nums[..] else { return false };
        if toks[k + 1..i].iter().any(|t| matches!(t, Tok::Punct(c) if *c != '\'')) {
            return false;
        }
        // Not "we have 10 employees and need a licence for the intern": the people are the need's
        // subject, right before it, and not counted as what the customer has.
        if toks[..k].iter().any(|t| is_in(t, &lex().context)) {
            return false;
        }
        let Some(p) = (k + 1..(k + 5).min(i)).find(|&p| is_people(&toks[p])) else { return false };
        let need = |q: usize| toks.get(q).is_some_and(is_need);
        // Dutch "hebben een licentie … nodig".
        let nodig = toks.get(p + 1).is_some_and(|t| is_w(t, &["hebben"])) && (i + 1..(i + 6).min(toks.len())).any(|q| is_w(&toks[q], &["nodig"]));
        (p + 1..=p + 2).any(|q| q < i && need(q)) || nodig
    }
}

/// Whether a singular licence starts at `j`, right after a definite article: "la licence", "the
/// Business Basic licence", "l'ancienne licence « Office 365 ProPlus »", "the spare licence".
fn definite_licence_at(toks: &[Tok], mut j: usize) -> bool {
    if matches!(toks.get(j), Some(Tok::Punct('\'' | '’'))) {
        j += 1;
    }
    if toks.get(j).is_some_and(|t| is_in(t, &lex().licence_adjective)) {
        j += 1;
    }
    toks.get(j).is_some_and(is_singular_licence) || (matches!(toks.get(j), Some(Tok::Product(_))) && toks.get(j + 1).is_some_and(is_singular_licence))
}
