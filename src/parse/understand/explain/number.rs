//! One number read on its own, in the order a careful reader rules things out: is it a number at
//! all, a guess or one of several, people who need no licence, an earlier change, a total,
//! today's count, a count of something else; what is left is a change, in the direction of the
//! cue nearest to it.

use super::reader::Reader;
use super::{is_thing, becomes_before, wanted_before, Meaning};
use crate::parse::lexicon::Set;
use crate::parse::numbers::Tok;
use crate::parse::understand::cues::*;
use crate::parse::Change;

impl Reader<'_> {
    /// Explain number `i` (a number another pass explained is left alone).
    pub fn number(&mut self, i: usize) {
        if self.used[i] {
            return;
        }
        let Some(value) = self.value_at(i) else { return };
        if self.approximate(i) || self.alternative(i, value) || self.reused(i) || self.earlier(i) || self.explains(i, value) || self.at_level(i, value) {
            return;
        }
        if self.missing(i, value) || self.on_top_of(i) || self.total(i, value) || self.today(i, value) {
            return;
        }
        let clause = clause_of(self.toks, i);
        if self.no_licences(i, clause) {
            return;
        }
        self.change(i, value, clause);
    }

    /// "about ten", "ungefähr 10", "environ 10": a guess is no quantity to act on.
    fn approximate(&mut self, i: usize) -> bool {
        let guess = self.guessed(i);
        if guess {
            self.set(i, Meaning::Approximate);
            if self.any_cue || self.mentions_unit || self.need_verb {
                self.no_exact_number();
            }
        }
        guess
    }

    /// "il en manque donc deux", "es fehlen noch 2 Lizenzen", "det saknas 2": a shortfall is the
    /// number of licences to add, whatever today's count beside it.
    fn missing(&mut self, i: usize, value: i64) -> bool {
        if !(1..=3).any(|k| self.prev(i, k).is_some_and(|t| is_in(t, &lex().missing))) || self.any_in(i + 1, i + 4, is_people) {
            return false;
        }
        self.used[i] = true;
        self.set(i, Meaning::Change);
        self.push(Some(Change::Delta(value)), None, i, false);
        true
    }

    /// "en plus des 8 licences que nous avons", "on top of the 12 we have", "zu den bestehenden
    /// 10": the count the change comes on top of is today's.
    fn on_top_of(&mut self, i: usize) -> bool {
        if !self.said_before(i, &lex().on_top_of) {
            return false;
        }
        self.used[i] = true;
        self.set(i, Meaning::Current);
        true
    }

    /// Whether the words right before number `i` are one of the set's several-word phrases.
    fn said_before(&self, i: usize, set: &Set) -> bool {
        set.any(|phrase| phrase.split(' ').rev().enumerate().all(|(k, part)| matches!(self.prev(i, k + 1), Some(Tok::Word(w)) if w == part)))
    }

    /// Number `i` is given as a guess.
    fn guessed(&self, i: usize) -> bool {
        // "±600", "~10": the sign says it too.
        // "ca. 10" stands right before its number; "ca fait deux" is a French "ça".
        ((1..=2).any(|k| self.prev(i, k).is_some_and(|t| is_in(t, &lex().approx) && (k == 1 || !is_w(t, &["ca"]))))
            || self.prev(i, 1).is_some_and(|t| matches!(t, Tok::Punct('±' | '~' | '≈')))
            || self.said_before(i, &lex().approx_idiom))
            && !self.prev(i, 1).is_some_and(|t| is_in(t, &lex().some) && matches!(self.toks[i], Tok::Article(_)))
    }

    /// "3 or 4", "3 à 4", "3 of 4", "between 5 and 7": the customer does not know yet.
    fn alternative(&mut self, i: usize, value: i64) -> bool {
        let toks = self.toks;
        // "deux, peut-être trois", "2 or maybe 3": a guess between the two numbers.
        let maybe = matches!(toks.get(i + 1), Some(Tok::Punct(',')) | Some(Tok::Word(_))) && toks.get(i + 2).is_some_and(|t| is_in(t, &lex().maybe));
        let at = if maybe { i + 3 } else { i + 2 };
        let (Some(c), Some(Tok::Num { value: b, .. })) = (toks.get(i + 1), toks.get(at)) else { return false };
        let between = i > 0 && is_in(&toks[i - 1], &lex().between) && is_in(c, &lex().and);
        let joined = if maybe {
            matches!(c, Tok::Punct(',')) || is_in(c, &lex().or)
        } else {
            between || is_in(c, &lex().or) || matches!(c, Tok::Punct('/' | '-'))
        };
        if !joined || *b == value {
            return false;
        }
        self.used[at] = true;
        // "Onze ploegen tellen 4 tot 6 man": the size of a crew or a range of things is no
        // quantity asked. Not "2 ou 3 stagiaires arrivent": they may be the licences' people.
        // Nor "chambres 201 à 215": numbers of things.
        if toks.get(at + 1).is_some_and(|t| super::is_thing(t) || is_w(t, &["man", "mann"])) || (i > 0 && super::is_thing(&toks[i - 1])) {
            self.set(i, Meaning::Thing);
            self.set(at, Meaning::Thing);
            return true;
        }
        self.set(i, Meaning::Alternative);
        self.set(at, Meaning::Alternative);
        self.ask(format!("several possible quantities ({value} or {b})"));
        true
    }

    /// "one of them takes over Ann's licence": a person who needs no new licence.
    fn reused(&mut self, i: usize) -> bool {
        let (toks, n) = (self.toks, self.n);
        let people_after = self.any_in(i + 1, i + 4, is_people) || toks.get(i + 1).is_some_and(|t| is_in(t, &lex().of));
        let reused = self.reuse && (people_after || i + 1 < n && self.any_in(i + 1, i + 3, |t| is_in(t, &lex().take_over)));
        if reused {
            self.set(i, Meaning::Reuse);
        }
        reused
    }

    /// "on top of the 3 from last week", "die 3 von letzter Woche": an earlier change, told
    /// beside the one asked now, or in a sentence of its own that asks nothing ("die 3 Lizenzen
    /// von letzter Woche sind angekommen").
    fn earlier(&mut self, i: usize) -> bool {
        let beside = self.num_count > 1 || (!self.any_cue && !self.asks);
        let earlier = beside
            && ((1..=3).any(|k| self.prev(i, k).is_some_and(|t| is_in(t, &lex().on_top))) || self.any_in(i + 1, i + 5, |t| is_in(t, &lex().last_time)));
        if earlier {
            self.set(i, Meaning::Thing);
        }
        earlier
    }

    /// "retirer 2 licences (les deux postes de l'accueil passent sur Business Premium)": the same
    /// number again inside a parenthesis says why, it is no second change.
    fn explains(&mut self, i: usize, value: i64) -> bool {
        let toks = self.toks;
        let Some(open) = toks[..i].iter().rposition(|t| matches!(t, Tok::Punct('('))) else { return false };
        let inside = !toks[open..i].iter().any(|t| matches!(t, Tok::Punct(')')));
        let same_before = toks[..open].iter().any(|t| matches!(t, Tok::Num { value: v } if *v == value));
        let explains = inside && same_before;
        if explains {
            self.set(i, Meaning::Thing);
        }
        explains
    }

    /// "we are at 40 licences", "we zitten op 12", "nous sommes à 12", "wir liegen bei 12".
    fn at_level(&mut self, i: usize, value: i64) -> bool {
        // "we zitten nu op 18": a word of time may stand between.
        let at = self.prev(i, 1).is_some_and(|t| is_in(t, &lex().at_prep))
            && (self.prev(i, 2).is_some_and(|t| is_in(t, &lex().at_verb))
                || self.prev(i, 3).is_some_and(|t| is_in(t, &lex().at_verb)) && self.prev(i, 2).is_some_and(|t| is_in(t, &lex().context)));
        if at {
            self.set(i, Meaning::Current);
            self.wanted_later(i, value);
        }
        at
    }

    /// "reduce to 8", "naar 7", "passer à 15": a "to" right before the number, with no cue on it.
    fn to_before(&self, i: usize) -> bool {
        // "on a 9 lic … on passe à 7": the "a" of "on a", "il y a", "elle en a" is "has", no "à".
        let has = self.prev(i, 1).is_some_and(|t| is_in(t, &lex().has_verb)) && self.prev(i, 2).is_some_and(|t| is_in(t, &lex().has_subject));
        (self.prev(i, 1).is_some_and(|t| is_in(t, &lex().to)) && self.cues[i - 1].is_none() && !has)
            // "terugbrengen naar die 6": the 6 said before.
            || (self.prev(i, 1).is_some_and(|t| is_in(t, &lex().pointing)) && self.prev(i, 2).is_some_and(|t| is_in(t, &lex().to)) && self.cues[i - 2].is_none())
            || (self.prev(i, 1).is_some_and(|t| is_in(t, &lex().of)) && self.prev(i, 2).is_some_and(|t| is_in(t, &lex().total)))
    }

    /// "Lägg till totalt 10 licenser", "add a total of 10", "ajoutez au total 6": an adding verb
    /// right before the total word adds that many (not "öka till totalt 10", "increase to a total
    /// of 10").
    fn sum_added(&self, i: usize) -> bool {
        let at_total = if self.prev(i, 1).is_some_and(|t| is_in(t, &lex().total)) {
            1
        } else if self.prev(i, 1).is_some_and(|t| is_in(t, &lex().of)) && self.prev(i, 2).is_some_and(|t| is_in(t, &lex().total)) {
            2
        } else {
            return false;
        };
        let mut k = at_total + 1;
        while self.prev(i, k).is_some_and(|t| matches!(t, Tok::Article(_)) || is_w(t, &["in", "au", "en", "im"])) {
            k += 1;
        }
        // Swedish "lägg till": "till" is the verb's, not "to".
        if self.prev(i, k).is_some_and(|t| is_w(t, &["till"])) && self.prev(i, k + 1).is_some_and(|t| is_w(t, &["lägg", "lägga", "lägger"])) {
            k += 1;
        }
        self.prev(i, k).is_some_and(|t| is_in(t, &lex().add) && !is_in(t, &lex().to))
    }

    /// Flemish "er maar 12 meer nodig": "meer" after "maar N" is "any more", not "more".
    fn any_more(&self, i: usize) -> bool {
        self.prev(i, 1).is_some_and(|t| is_w(t, &["maar"])) && self.toks.get(i + 1).is_some_and(|t| is_w(t, &["meer"]))
    }

    /// "in total 4 additional licences" is still 4 more; "3 extra in total", "4 au total à
    /// ajouter": the total of what is added, a change.
    fn more_after(&self, i: usize) -> bool {
        let any_more = self.any_more(i);
        // "insgesamt 5 Lizenzen Business Basic für it@x hinzufügen": the verb may stand after the
        // change's own words.
        let own = (i + 1..self.n).find(|&k| !is_own_word(&self.toks[k])).unwrap_or(self.n);
        (!any_more && self.any_in(i + 1, i + 3, |t| is_in(t, &lex().more_or_less)))
            || (!self.to_before(i)
                && !(1..=2).any(|k| self.prev(i, k).is_some_and(|t| is_in(t, &lex().to)))
                && self.cues[i + 1..(i + 5).max(own + 2).min(self.n)].iter().flatten().any(|(_, strong)| *strong))
    }

    /// The wanted total: "reduce to 8", "auf 12 erhöhen", "totalt 20", "25 in total", "we only
    /// need 5", "make it 10", and what is left after the change ("il en restera 18").
    fn total(&mut self, i: usize, value: i64) -> bool {
        let (toks, n) = (self.toks, self.n);
        // "we only need 5" is a total; "we only need 2 extra", "vi behöver bara en ny licens" are not.
        let only = (1..=2).any(|k| self.prev(i, k).is_some_and(|t| is_in(t, &lex().only) || is_in(t, &lex().restrictive)))
            && self.need_verb
            && (self.any_more(i) || !self.any_in(i + 1, i + 3, |t| is_in(t, &lex().add) || is_in(t, &lex().add_weak)));
        let sum_added = self.sum_added(i);
        let more_after = self.more_after(i) || sum_added;
        // "Nombre total souhaité : 17", "Total count: 17": a field whose label says total.
        let total_label = self.quantity_field && self.s.label.as_deref().is_some_and(|l| l.split(|c: char| !c.is_alphanumeric()).any(|w| lex().total.has(w)));
        let total_near = only
            || total_label
            || ((1..=2).any(|k| self.prev(i, k).is_some_and(|t| is_in(t, &lex().total))) && !more_after)
            || (self.any_in(i + 1, i + 7, |t| is_in(t, &lex().total)) && !more_after)
            // "11 is plenty"; not the 40 of "we hebben er nu 40, 36 volstaat".
            || (i + 1..(i + 4).min(n)).take_while(|&k| !matches!(toks[k], Tok::Num { .. })).any(|k| is_in(&toks[k], &lex().enough))
            // German verb-second: "danach reichen uns 19 Lizenzen"; "volstaan er vanaf volgende
            // maand 15" (words only between).
            || ((1..=5).take_while(|&k| self.prev(i, k).is_some_and(|t| matches!(t, Tok::Word(_)))).any(|k| self.prev(i, k).is_some_and(|t| is_in(t, &lex().enough)))
                && !self.prev(i, 1).is_some_and(|t| matches!(t, Tok::Punct(_))))
            // "Met 11 hebben we voortaan genoeg", "avec 11 on a assez", "mit 11 haben wir genug".
            // "räcker det med 8" too.
            || (self.prev(i, 1).is_some_and(|t| is_w(t, &["met", "avec", "mit", "med", "with"]))
                && (self.any_in(i + 1, i + 7, |t| is_in(t, &lex().enough)) || self.any_in(i.saturating_sub(4), i, |t| is_in(t, &lex().enough))));
        // "make it 10", "maak er 10 van", "mach es 10", "gör det till 10". Not "zet er 3 bij" (add 3).
        let make_it = self.prev(i, 1).is_some_and(|t| is_in(t, &lex().make_it))
            && self.prev(i, 2).is_some_and(|t| is_in(t, &lex().make))
            && !self.cues[i + 1..(i + 3).min(n)].iter().flatten().any(|(_, strong)| *strong);
        // "please make that we have only 9 licences from now": the state to make, not today's.
        let make_have = self.made_to_have(i);
        // "65 membres du personnel au total" counts people, not the wanted licences.
        let counts_people = self.any_in(i + 1, i + 4, is_people) && !self.any_in(i + 1, i + 3, is_licence_noun);
        // "(nous en avons 19, il en restera 18)", "18 will remain", "dann bleiben 18": the total
        // after the change; beside a change it only confirms it.
        // "zwei Praktikanten bleiben länger" is people staying, no total of licences.
        let remains = (toks[i.saturating_sub(2)..i].iter().chain(&toks[i + 1..(i + 3).min(n)])).any(|t| is_in(t, &lex().remain))
            && !self.any_in(i + 1, i + 3, |t| is_in(t, &lex().free))
            && !counts_people;
        if remains {
            self.r.results.push(i);
        }
        self.r.makes_it |= make_it;
        if (self.to_before(i) && self.change_verb && !sum_added) || (total_near && !counts_people) || make_it || make_have || remains {
            self.set(i, Meaning::Target);
            self.push(Some(Change::Target(value)), None, i, false);
            return true;
        }
        false
    }

    /// "make that we have only 9": a verb of making, then today's words, then the number.
    fn made_to_have(&self, i: usize) -> bool {
        let have = (1..=3).find(|&k| self.prev(i, k).is_some_and(|t| is_in(t, &lex().context)));
        have.is_some_and(|k| (k + 1..=k + 3).any(|m| self.prev(i, m).is_some_and(|t| is_in(t, &lex().make))))
    }

    /// Today's count: "we have 10 licences, please add 2", "10 licences at the moment, we would
    /// need 12", "on a 10". A wanted number later in the sentence makes the pair a change.
    fn today(&mut self, i: usize, value: i64) -> bool {
        let (toks, cues, n) = (self.toks, self.cues, self.n);
        // "nu, men en av de nya chaufförerna": one picked out of a group is no count of today's.
        if super::reader::one_of_people(toks, i) {
            return false;
        }
        let after_unit = self.any_in(i + 1, i + 4, is_licence_noun);
        let people_after = self.any_in(i + 1, i + 4, is_people) && !after_unit;
        let cue_before = (1..=2).any(|k| i >= k && cues[i - k].is_some_and(|(_, strong)| strong));
        let now_after = self.num_count > 1
            && !cue_before
            && (after_unit || toks.get(i + 1).is_some_and(|t| matches!(t, Tok::Product(_))))
            && self.any_in(i + 1, i + 8, |t| is_in(t, &lex().now_after));
        // "on a 10", and with the pronoun that stands for the licences: "(on en a 6)", "nous en
        // avons 6": whatever follows, it is today's count.
        let on_a = i >= 2 && is_w(&toks[i - 1], &["a"]) && is_w(&toks[i - 2], &["on"])
            || i >= 3 && is_w(&toks[i - 1], &["a", "avons", "ai"]) && is_w(&toks[i - 2], &["en"]) && is_w(&toks[i - 3], &["on", "nous", "j"]);
        // "nodig hebben" is a need: its "hebben" says nothing of today's count. Not in another
        // clause: "Nu hebben we er 14, maar … hebben we er niet meer nodig".
        let needs = self.needs && {
            let (lo, hi) = clause_of(toks, i);
            self.any_in(lo, hi, |t| is_in(t, &lex().need_adjective))
        };
        let context_word = |t: &Tok| is_in(t, &lex().context) && !(needs && is_w(t, &["hebben", "heb", "hebt"]));
        // "At the moment we have 11 because ...": today's words before, the verb just before.
        // "Nu hebben we er 14, maar …": so too with the pronouns between, when the count ends
        // its clause and no cue stands just before it.
        let clause_end = toks.get(i + 1).is_none_or(|t| matches!(t, Tok::Punct(_)));
        // "Vi har alltså 10 nu, men …", "we have 10 now.": a word of today's ends the count too.
        let now_word_end = toks.get(i + 1).is_some_and(|t| is_in(t, &lex().col_now)) && toks.get(i + 2).is_none_or(|t| matches!(t, Tok::Punct(_)));
        let now_before = (self.prev(i, 1).is_some_and(context_word)
            || clause_end && (2..=3).any(|k| self.prev(i, k).is_some_and(context_word)) && !(1..=3).any(|k| i >= k && cues[i - k].is_some()))
            && self.any_in(0, i, |t| is_in(t, &lex().now_after));
        let context = (now_after || on_a || now_before) && !people_after
            || !people_after
                && (((1..=3).any(|k| self.prev(i, k).is_some_and(context_word))
                    && (after_unit || i + 1 >= n || now_word_end || toks.get(i + 1).is_some_and(|t| matches!(t, Tok::Product(_)) || is_in(t, &lex().of)))
                    && !(1..=3).any(|k| self.prev(i, k).is_some_and(|_| cues[i - k].is_some_and(|(_, s)| s))))
                    // "Korrektur, ich habe gerade … gesprochen: bitte nur 4": a correction's "have" is no count.
                    || (!needs && !self.r.correction && self.context_before[i] && !self.any_cue && (after_unit || clause_end || now_word_end)));
        // When it is the only number of a sentence with a cue ("we hebben 3 licenties niet meer
        // nodig") it is the change.
        let other_qty = self.num_count > 1;
        // "we hebben nu 3 winkels", "i våra två organisationer": today's count of something else.
        let thing_after = self.any_in(i + 1, i + 3, super::is_thing) && !after_unit;
        let today = context && !thing_after && !self.made_to_have(i) && (other_qty || !self.any_cue) && !self.any_in(i + 1, i + 5, |t| is_in(t, &lex().add) || is_in(t, &lex().remove));
        if !today {
            return false;
        }
        self.set(i, Meaning::Current);
        self.wanted_later(i, value);
        true
    }

    /// After today's count `value` at `i`, the wanted one later in the sentence makes the pair a
    /// change: "we hebben twaalf licenties, dat moeten er vijftien worden": from 12 to 15; "we
    /// have 10, we would like to have 14", "nous avons 7 licences et il nous en faudrait 10".
    fn wanted_later(&mut self, i: usize, value: i64) {
        let toks = self.toks;
        let later = toks.iter().enumerate().skip(i + 1).find_map(|(j, t)| match t {
            Tok::Num { value }
                if !self.used[j]
                    // "wir haben 10 und brauchen ungefähr 15": a guess, read as one on its own.
                    && !self.guessed(j)
                    // "wir haben 12 … und brauchen 3 mehr": three more, not a total of three.
                    && !self.any_in(j + 1, j + 3, |t| is_in(t, &lex().more_or_less))
                    && (self.any_in(j + 1, j + 4, |t| is_in(t, &lex().becomes) || is_in(t, &lex().enough))
                        || wanted_before(toks, j)
                        || becomes_before(toks, j)) =>
            {
                Some((j, self.restated[j].unwrap_or(*value)))
            }
            _ => None,
        });
        if let Some((j, b)) = later {
            self.used[j] = true;
            self.set(j, Meaning::Target);
            if b != value {
                self.push(Some(Change::Delta(b - value)), None, j, true);
            }
        }
    }

    /// A number that counts no licences to change: a sign outside licence talk, free licences,
    /// a count in a pluperfect clause, shops or laptops.
    fn no_licences(&mut self, i: usize, (clo, chi): (usize, usize)) -> bool {
        let toks = self.toks;
        // "praxis@x.be: +2": a signed number right after an account is that account's change.
        let near_unit = self.any_in(i + 1, i + 4, is_unit)
            || toks[i.saturating_sub(2)..i].iter().any(|t| matches!(t, Tok::Product(_)) || is_licence_noun(t))
            || right_after_account(toks, i);
        let signed = signed_at(toks, i);
        let opens_line = i == 1 && self.licence_talk;
        let field = self.quantity_field;
        // "2 free licences", "nog 2 vrije licenties", "2 licences libres": what is available now.
        // Not "4 freie Tragwerksplaner": free people are freelancers; not "Die 3 freien Lizenzen
        // werden nicht mehr gebraucht": the only number of a sentence that only removes is the
        // change (those free ones go).
        let removes_them = || {
            self.num_count == 1
                && self.cues.iter().flatten().any(|&(d, strong)| strong && d == Dir::Remove)
                && !self.cues.iter().flatten().any(|&(d, _)| d == Dir::Add)
        };
        let free = (self.any_in(i + 1, i + 3, |t| is_in(t, &lex().free)) || (i > 0 && is_in(&toks[i - 1], &lex().free)))
            && !self.any_in(i + 1, i + 4, is_people)
            && !removes_them();
        // "We hadden voor hen 4 extra licenties genomen: alle 4 mogen weg": a count in a clause
        // in the pluperfect says what was done before, not what to do now.
        let done_before = || toks[clo..chi].iter().any(|t| is_in(t, &lex().pluperfect)) && self.any_in(i + 1, i + 3, is_licence_noun) && !field;
        // "2 new shops", "3 laptops", "twee van onze 4 filialen": counts of things that are not seats.
        // "une de moins, le bureau ferme": "de" before "moins" is no "of".
        // Nor "2 de plus pour le cabinet": two more.
        let of = toks.get(i + 1).is_some_and(|t| is_in(t, &lex().of)) && !toks.get(i + 2).is_some_and(|t| is_in(t, &lex().more_or_less) || is_in(t, &lex().more));
        let reach = if of { 6 } else { 3 };
        // "one more Office licence": a thing word right before a licence word names the licence.
        // "des deux plans, Exchange Online (Plan 1) nous suffit": a licence after a comma is
        // another clause's.
        let clause_end = (i + 1..i + reach + 1).find(|&k| matches!(toks.get(k), Some(Tok::Punct(',' | ';' | ':')))).unwrap_or(i + reach + 1);
        let things = || self.any_in(i + 1, i + reach, is_thing) && !self.any_in(i + 1, clause_end, is_licence_noun) && !field;
        // "--1" in a broken MIME body, "-1" in a list: a sign is a cue only in licence talk.
        // "Retirez-en 3 pour l'instant, nous reviendrons vers vous pour les deux autres": put off.
        let later = toks[clo..chi].iter().any(|t| is_in(t, &lex().later)) && !field;
        let meaning = if (signed && !near_unit && !self.mentions_unit && !field && !opens_line) || later {
            Some(Meaning::Thing)
        } else if free || done_before() {
            Some(Meaning::Current)
        } else {
            things().then_some(Meaning::Thing)
        };
        if let Some(m) = meaning {
            self.set(i, m);
        }
        meaning.is_some()
    }

    /// "er starten drie nieuwe tekenaars": new somebodies who start or join are people, whatever
    /// their trade (the people words cannot list every trade).
    fn newcomers(&self, i: usize) -> bool {
        let toks = self.toks;
        let noun = |t: &Tok| matches!(t, Tok::Word(w) if w.chars().count() > 3) && !is_unit(t) && !is_thing(t);
        // "four new QC analysts": one short word may stand before the trade.
        let word = |t: &Tok| matches!(t, Tok::Word(_)) && !is_unit(t);
        toks.get(i + 1).is_some_and(|t| is_in(t, &lex().add_weak))
            && (toks.get(i + 2).is_some_and(noun) || (toks.get(i + 2).is_some_and(word) && toks.get(i + 3).is_some_and(noun)))
            && toks.iter().any(|t| is_in(t, &lex().join))
    }

    /// A change (or people, who may be one): in the direction of the cue nearest to it, else of
    /// the sentence, else left undirected for the mail to settle.
    fn change(&mut self, i: usize, value: i64, (clo, chi): (usize, usize)) {
        let (toks, cues, n) = (self.toks, self.cues, self.n);
        let signed = signed_at(toks, i);
        // "+2 (nieuwe collega's)": a signed number, or one right after a product, counts licences.
        // "one of our new trainees": the people may stand a few words on.
        let reach = if toks.get(i + 1).is_some_and(|t| is_in(t, &lex().of)) { 6 } else { 4 };
        // "actually only 3, one person cancelled": the people after a comma are another clause's.
        let reach = (i + 1..(i + reach).min(n)).find(|&k| matches!(toks[k], Tok::Punct(',' | ';' | ':'))).unwrap_or(i + reach);
        let people = (self.any_in(i + 1, reach, is_people) || self.newcomers(i))
            && !self.any_in(i + 1, i + 3, is_licence_noun)
            && !signed
            && !toks[i.saturating_sub(2)..i].iter().any(|t| matches!(t, Tok::Product(_)));
        self.set(i, if people { Meaning::People } else { Meaning::Change });
        // "We're 25 staff and have 18 mailboxes plus 4 shared": how many the customer is.
        let apostrophe = self.prev(i, 2).is_some_and(|t| matches!(t, Tok::Punct('\'' | '’')));
        let we_are = self.prev(i, 1).is_some_and(|t| is_in(t, &lex().are)) && self.prev(i, if apostrophe { 3 } else { 2 }).is_some_and(|t| is_in(t, &lex().we));
        if people {
            let joining = if we_are {
                0
            } else if self.any_in(i.saturating_sub(3), i + 10, |t| is_in(t, &lex().leaving)) {
                -1
            } else if self.any_in(i.saturating_sub(4), i + 8, |t| is_in(t, &lex().add_weak) || is_in(t, &lex().add) || is_in(t, &lex().join)) {
                1
            } else {
                0
            };
            if let Some(Some(num)) = self.meaning.get_mut(i) {
                num.joining = joining;
            }
            self.r.staff |= we_are || (joining == 0 && (1..=2).any(|k| self.prev(i, k).is_some_and(|t| is_in(t, &lex().context))));
            if we_are {
                return;
            }
        }
        // "the other two": the people left after some took over a licence.
        // Not "de andere drie stagiairs werken op de pc's in het atelier": the others must need
        // something in their clause.
        let needing = || {
            toks[clo..chi].iter().any(|t| is_in(t, &lex().need) || is_licence_noun(t) || is_in(t, &lex().need_adjective))
                || cues[clo..chi].iter().flatten().any(|(_, strong)| *strong)
        };
        let rest = (self.prev(i, 1).is_some_and(|t| is_in(t, &lex().other)) || toks.get(i + 1).is_some_and(|t| is_in(t, &lex().other))) && needing();
        if rest {
            if let Some(Some(num)) = self.meaning.get_mut(i) {
                num.meaning = Meaning::Change;
            }
        }
        let mut near = cue_near(toks, cues, i);
        // "De vijf F3-licenties voor de seizoenarbeiders mogen allemaal weg": a weak cue near the
        // number ("for the workers") gives way to the one strong direction of its clause.
        if let Some((d, false)) = near {
            let strong = strong_dirs(&cues[clo..chi]);
            if let Some(&other) = strong.first().filter(|&&o| o != d && strong.iter().all(|x| *x == o)) {
                near = Some((other, true));
            }
        }
        // "retirer nos 2 licences Plan 2 et les remplacer par 2 licences Plan 1", "replace them
        // with 2 E3": what replaces is added, whatever removal came before.
        let replaced_by = self.prev(i, 1).is_some_and(|t| is_in(t, &lex().move_to))
            && (2..=4).any(|k| self.prev(i, k).is_some_and(|t| is_in(t, &lex().replace_verb)));
        if replaced_by {
            near = Some((Dir::Add, true));
        }
        // "Four new analysts join (batch release team …)": people who join are never a removal.
        if people && near.is_some_and(|(d, _)| d == Dir::Remove) && self.meaning.get(i).and_then(|m| m.as_ref()).is_some_and(|m| m.joining == 1) {
            near = Some((Dir::Add, false));
        }
        // "One more colleague handed in her notice": people who leave are never an addition;
        // "more" there is one more of them.
        if people && near.is_some_and(|(d, _)| d == Dir::Add) && self.meaning.get(i).and_then(|m| m.as_ref()).is_some_and(|m| m.joining == -1) {
            near = Some((Dir::Remove, false));
        }
        let more_after = self.more_after(i);
        // "il nous en faut désormais 34" after "nous avons 40": the need word is the number's only
        // cue, and a weak one; with today's count it says the wanted total.
        // "Na de herstructurering mag dat 17 worden": so is a number that something becomes.
        // Not "er worden er 3 overbodig", "3 Lizenzen werden frei": nothing but the number (and its
        // licences) is said to become.
        let bare = || toks[i + 1..chi].iter().take_while(|t| !matches!(t, Tok::Punct('('))).all(|t| matches!(t, Tok::Punct(_) | Tok::Product(_)) || is_licence_noun(t) || is_in(t, &lex().becomes) || is_in(t, &lex().be));
        // "vanaf januari moeten dat er 11 zijn": what the number must be.
        let must_be = || toks.get(i + 1).is_some_and(|t| is_in(t, &lex().be)) && (1..=3).any(|k| self.prev(i, k).is_some_and(|t| is_in(t, &lex().must)));
        let becomes = || (becomes_before(toks, i) || self.any_in(i + 1, i + 3, |t| is_in(t, &lex().becomes)) || must_be()) && bare();
        if near.is_none_or(|(d, strong)| d == Dir::Add && !strong) && !more_after && !people && (wanted_before(toks, i) || becomes()) {
            self.r.wanted.push((i, value));
        }
        let only_still = i > 0
            && is_in(&toks[i - 1], &lex().still)
            && (clo..chi).all(|k| k == i - 1 || !cues[k].is_some_and(|(d, strong)| strong && d == Dir::Add));
        if near == Some((Dir::Add, true)) && only_still && !more_after && !people {
            self.r.still.push((i, value));
        }
        // "vos factures relatives à nos 22 licences … le nouveau bon de commande": a weak word
        // is no direction for "our 22 licences", which are what the customer has.
        // Nor for "unserer 212 Postfächer" beside "benötigen wir eine Bestätigung".
        let ours = i > 0 && is_in(&toks[i - 1], &lex().our);
        if ours && near.is_some_and(|(_, strong)| !strong) && !people {
            self.set(i, Meaning::Current);
            return;
        }
        match near {
            Some((Dir::Add, _)) => self.push(Some(Change::Delta(value)), None, i, false),
            Some((Dir::Remove, _)) => self.push(Some(Change::Delta(-value)), None, i, false),
            // "die 3 terugzetten en 3 E1 verwijderen": a clause with its own change verb and no
            // direction does not borrow the other clause's.
            None if self.sdir.is_some() && !(toks[clo..chi].iter().any(|t| is_in(t, &lex().change)) && cues[clo..chi].iter().all(Option::is_none)) => {
                let v = if self.sdir == Some(Dir::Add) { value } else { -value };
                self.push(Some(Change::Delta(v)), None, i, false);
            }
            None => {
                // "15 of our users" is a count of people; a bare change needs licences or a product.
                let near_licence = self.quantity_field
                    || toks[i + 1..(i + 4).min(n)].iter().any(is_licence_noun)
                    || toks[i.saturating_sub(2)..i].iter().any(|t| matches!(t, Tok::Product(_)) || is_licence_noun(t));
                // "les factures de nos 14 licences": with no direction anywhere in its sentence,
                // "our 14 licences" is what the customer has.
                if near_licence && ours {
                    self.set(i, Meaning::Current);
                } else if near_licence && !matches!(toks[i], Tok::Article(_)) {
                    self.push(None, Some(value), i, false);
                } else if let Some(Some(num)) = self.meaning.get_mut(i) {
                    if num.meaning == Meaning::Change {
                        num.meaning = Meaning::Unexplained;
                    }
                }
            }
        }
    }
}
