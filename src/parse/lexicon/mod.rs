//! The words of the five languages, one file per language, each with the phrases that must read
//! as it says beside its words (the shape of duckling's `Rules.hs` beside `Corpus.hs`).
//!
//! A [`Lexicon`] holds a language's words for every concept the understanding steps use (words
//! that add, that remove, that make a number today's count or the wanted total...) and the regular
//! expressions of its phrases. A mail may mix languages (a Dutch request under a French quote, an
//! English mail from a German speaker), so the rules ask the union of the five: [`words`] and
//! [`phrases`], each built once.

use std::collections::HashSet;
use std::sync::{LazyLock, OnceLock};

use crate::parse::rx::Regex;

mod de;
mod en;
mod fr;
mod nl;
mod sv;

#[cfg(test)]
mod corpus;

/// FNV-1a: the words are short and not chosen by an attacker to collide (they are ours), so the
/// hash that costs least is the right one; SipHash was a fifth of the parser's time.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Fnv;

#[derive(Debug)]
pub(crate) struct FnvHasher(u64);

impl std::hash::BuildHasher for Fnv {
    type Hasher = FnvHasher;
    fn build_hasher(&self) -> FnvHasher {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// A set of lowercase words.
#[derive(Debug, Default)]
pub(crate) struct Set(HashSet<&'static str, Fnv>);

impl Set {
    pub fn has(&self, w: &str) -> bool {
        self.0.contains(w)
    }

    /// Whether a word of the set passes `f`: for sets of several words matched word by word.
    pub fn any(&self, f: impl FnMut(&&'static str) -> bool) -> bool {
        self.0.iter().any(f)
    }

    /// The words, longest first (for building alternations where the longer must win).
    pub fn iter(&self) -> impl Iterator<Item = &'static str> + '_ {
        let mut v: Vec<&'static str> = self.0.iter().copied().collect();
        v.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        v.into_iter()
    }
}

/// Word stems: "licen" holds "licence", "licenties", "licenser".
#[derive(Debug, Default)]
pub(crate) struct Stems(Vec<&'static str>);

impl Stems {
    /// Whether `w`, or the last part of a compound ("Microsoft-Lizenzen"), starts with a stem.
    pub fn start(&self, w: &str) -> bool {
        let last = w.rsplit('-').next().unwrap_or(w);
        self.0.iter().any(|p| w.starts_with(p) || last.starts_with(p))
    }

    /// Whether a closed compound ends in a stem of five letters or more: Dutch, German and
    /// Swedish put the head last ("zorgleerkrachten", "Bauleiterin", "lagerarbetare").
    pub fn head(&self, w: &str) -> bool {
        w.char_indices().skip(3).any(|(at, _)| self.0.iter().any(|p| p.len() >= 5 && w[at..].starts_with(p)))
    }
}

macro_rules! lexicon {
    (
        words { $($(#[$wdoc:meta])* $word:ident,)* }
        stems { $($(#[$sdoc:meta])* $stem:ident,)* }
        phrases { $($(#[$pdoc:meta])* $phrase:ident,)* }
    ) => {
        /// One language's words and phrases.
        #[derive(Debug)]
        pub(crate) struct Lexicon {
            $($(#[$wdoc])* pub $word: &'static [&'static str],)*
            $($(#[$sdoc])* pub $stem: &'static [&'static str],)*
            $($(#[$pdoc])* pub $phrase: &'static [&'static str],)*
        }

        /// The words of all five languages.
        #[derive(Debug)]
        pub(crate) struct Words {
            $(pub $word: Set,)*
            $(pub $stem: Stems,)*
        }

        /// The phrases of all five languages, one case-insensitive set per concept.
        #[derive(Debug)]
        pub(crate) struct Phrases {
            $(pub $phrase: Phrase,)*
        }

        fn union_words() -> Words {
            Words {
                $($word: Set(ALL.iter().flat_map(|l| l.$word.iter().copied()).collect()),)*
                $($stem: Stems(ALL.iter().flat_map(|l| l.$stem.iter().copied()).collect()),)*
            }
        }

        impl Phrases {
            /// Every phrase set with its name, for measuring what each costs.
            #[cfg(test)]
            pub fn named(&self) -> Vec<(&'static str, &Phrase)> {
                vec![$((stringify!($phrase), &self.$phrase),)*]
            }
        }

        fn union_phrases() -> Phrases {
            Phrases {
                $($phrase: Phrase::new(stringify!($phrase), ALL.iter().flat_map(|l| l.$phrase.iter().copied())),)*
            }
        }
    };
}

lexicon! {
    words {
        /// Verbs and words that add seats: "add", "erbij", "ajouter", "hinzufügen", "lägga".
        add,
        /// Weak adding words, believed only when nothing stronger is said: "new", "nieuwe".
        add_weak,
        /// "il en manque deux", "es fehlen 2", "det saknas 2", "we're missing 2": a shortfall,
        /// the licences to add.
        missing,
        /// Need words: more seats, weakly ("we need 3 Business Basic").
        need_more,
        /// What a need is not about: "need to talk", "besoin d'aide", "behöver hjälp".
        need_not,
        /// Activating licences (from a signed quote) is adding them.
        activate,
        /// Words that introduce whom seats are for: "for", "voor", "pour".
        for_people,
        /// Verbs and words that remove seats: "remove", "minder", "supprimer", "weniger", "färre".
        remove,
        /// Verbs that change a count, and with "to" make a number the new total.
        change,
        /// "4 additional", "2 weniger": a change, whatever total word stands near.
        more_or_less,
        /// Negations: "not", "niet", "pas", "nicht", "inte".
        negation,
        /// Words that become "no longer" after a negation: "more", "meer", "plus", "mehr", "mer".
        more,
        /// Need words that a negation turns into a removal: "we no longer need".
        needed,
        /// "nodig", "nötig": a need said with the verb "have" ("nodig hebben", "nötig haben"),
        /// whose "have" says nothing of today's count.
        need_adjective,
        /// "undo", "ongedaan", "rückgängig", "ångra": a change undone is the change the other
        /// way ("ångra gårdagens +5" removes five). Not French "annuler", which cancels licences.
        undo,
        /// "terugzetten", "restore", "remettre": seats taken away put back, beside a number an
        /// addition ("er 1 terugzetten"); before "naar"/"to" a total ("terugzetten naar 32").
        restore,
        /// "changes", "wijzigingen", "Änderungen": what "a few more changes" counts, no seats.
        change_noun,
        /// A form's field that says why ("Reason: new shift supervisors plant 2"): its value is
        /// the reason for a change, never one.
        reason_label,
        /// "if", "si", "als", "wenn", "om": a need in a condition ("if it isn't needed") is no
        /// statement that it is not.
        condition,
        /// Prepositions of a new total: "to", "naar", "à", "auf", "till".
        to,
        /// Prepositions of "from 10 to 15".
        from,
        /// Words that never mean a range after a number ("30 auf 26", "14 naar 11").
        to_not_range,
        /// "3 or 4": alternatives.
        or,
        /// "deux, peut-être trois": the second of two numbers offered as a guess.
        maybe,
        /// "between 5 and 7".
        between,
        and,
        /// "in total", "insgesamt", "totalt".
        total,
        /// "we only need 5": a total next to a need.
        only,
        /// What is left once the change is made: "18 will remain", "il en restera 18", "dann
        /// bleiben 18", "då har vi 18 kvar". A result, not a change of its own.
        remain,
        /// "our": "nos 14 licences" with no direction in its sentence is what the customer has.
        our,
        /// "nog 2", "noch 2": "2 more", or, after today's count, "still 2 (in all)".
        still,
        /// The second half of a restrictive negation, "nous n'en avons besoin que de 27": "only",
        /// not "no longer".
        restrictive,
        /// Need and keep verbs.
        need,
        /// Today's count: "we have", "currently", "momenteel", "actuellement", "derzeit".
        context,
        /// "11 is enough".
        enough,
        /// Want and need words: after today's count, the number they govern is the wanted total.
        want,
        /// "dat moeten er vijftien worden".
        becomes,
        /// "must", "moeten", "müssen", "doivent", "måste": with a being word after the number
        /// ("vanaf januari moeten dat er 11 zijn"), the number is what it must be.
        must,
        /// "be", "zijn", "sein", "être", "vara": being, after a number that must be so.
        be,
        /// "on top of the 3 from last week".
        on_top,
        /// Words of a time gone by: "last", "vorige", "dernière", "letzte", "förra".
        last_time,
        /// "we will then have": a state to come.
        future,
        /// "2 free licences": licences not assigned to anyone.
        free,
        /// "14 assigned", "14 toegewezen": licences in use, as an admin centre counts them.
        assigned,
        /// "10 licences at the moment": words after today's count.
        now_after,
        /// "we are at 40": the verb ...
        at_verb,
        /// ... and the preposition.
        at_prep,
        /// "make it 10": the verb ...
        make,
        /// ... and its object.
        make_it,
        /// "not 3 but 4".
        but,
        /// "or" between two products offered to choose from: "E1 – or E3 if …".
        or_else,
        /// Words an interjection is made of besides `wait`: "no", "or" ("4, no wait, 5", "4, or rather 3").
        interjection,
        /// "18 – halt, Moment: 19", "4, or rather 3": the number before is taken back.
        wait,
        /// "4 instead of 3": the noun of "instead of", "au lieu de", "in plaats van" ...
        instead,
        /// ... the word after it ...
        instead_of,
        /// ... and the one-word forms: "statt", "anstatt".
        instead_word,
        /// "about ten": the number that follows is a guess.
        approx,
        /// Several words that say "about" right before a number, matched word by word: "een stuk
        /// of 4", whose "of" is no "or".
        approx_idiom,
        /// Several words right before today's count, matched word by word: "en plus des 8 que nous
        /// avons", "on top of the 12 we have", "zu unseren bestehenden 10".
        on_top_of,
        /// Nouns of time after a vague word, which then counts nothing: "at some point", "for a
        /// few months".
        time_noun,
        /// "the other two".
        other,
        /// People leaving.
        leaving,
        /// Auxiliaries of a past that is done where they cannot be a plain "had" or a future: the
        /// pluperfect "hadden", "avions", "hatten", the passive past "wurden" (not Dutch "werden":
        /// the lists are read together, and German "werden" is no past).
        pluperfect,
        /// People joining: "start", "begint", "arrivent", "fangen an", "börjar".
        join,
        /// "one of them", "één van hen": what follows a number of people.
        of,
        /// The verb of taking over a licence: "takes", "neemt", "reprend".
        take_over,
        /// "his licence", "sa licence", "haar licentie": one.
        possessive,
        /// A possessive only in a sentence that removes: Dutch "zijn" is also "are" and "to be"
        /// ("zijn licentie mag weg" is his; "zijn licentie is vrij en mag naar haar" passes it on).
        possessive_removing,
        /// Dutch particles and verbs that remove right after a number, beside the removing words:
        /// "nog eentje af", "er twee afnemen".
        removal_particle,
        /// The French "a" that is "has", never "à" ("on a 9", "il y a", "elle en a"), and the
        /// words right before it that make it so.
        has_verb,
        has_subject,
        /// The plural pronoun "they" as a subject: "they need a licence" after people told of.
        they,
        /// The pronoun that stands for licences before a verb: "en retirer une".
        partitive,
        /// "we are" before a count of people: how many the customer is ("we're 25 staff").
        we,
        are,
        /// Definite articles before a singular licence word.
        definite,
        /// Words between such an article and its licence: "l'ancienne licence", "the spare licence".
        licence_adjective,
        /// Words that point back at a number said before: "naar die 6", "to those 6", "à ces 6".
        pointing,
        /// Words before "de" that make it no article ("plus de", "besoin de").
        not_article,
        /// Swedish definite licence words ("licensen"): one licence.
        /// "die nötigen Lizenzen", "the necessary licences", "les licences nécessaires": as many
        /// licences as the people the mail counts.
        needed_licences,
        definite_licence,
        /// Singular licence words: "the licence of Jan".
        singular_licence,
        /// Singular unit words after "his": "his licence", "sein Konto".
        singular_unit,
        /// Words between two clauses: "and", "but", "while".
        clause,
        /// Words a sentence may start with before its verb ("And add 2", "Also remove 1").
        opener,
        /// The words of "some" that are no guess before an article ("some" alone is vague).
        some,
        /// Column headings of today's count in a table.
        col_now,
        /// Column headings of the wanted count in a table.
        col_want,
        /// Column headings of a change in a table: "Change", "Wijziging", "Änderung", "+/-".
        col_change,
        /// Field labels holding the number of licences: "Quantity", "Aantal", "Nombre", "Anzahl".
        quantity_label,
        /// Field labels of a unit price: "Unit price", "Prix unitaire", "Stückpreis", "À-pris".
        price_label,
        /// Modal verbs that open a question asking for the change: "can", "kunnen", "pouvez".
        modal,
        /// Greetings a sentence may open with: "hi", "hallo", "bonjour", "hej".
        greeting,
        /// Short words that end with a dot without ending a sentence: "ca.", "nr.", "bzw.".
        abbreviation,
        /// Prepositions before the account a change is made on: "on", "op", "sur", "auf", "på".
        account_prep,
        /// Nouns for an account: "account", "compte", "konto", "gebruiker".
        account_noun,
        /// Verbs of moving licences from one product to another: "move", "upgrade", "passer",
        /// "remplacer", "omzetten", "vervangen", "umstellen", "flytta", "byta".
        move_verb,
        /// Verbs of replacing one product by another: "replace", "remplacer", "vervangen",
        /// "ersetzen", "byta". A move whose sentence replaces needs no "from".
        replace_verb,
        /// What joins the two products of a move: "to", "by", "par", "vers", "door", "naar",
        /// "auf", "durch", "till", "mot".
        move_to,
        /// The term of a subscription: "nothing to change to the term yet" declines no seat change.
        term,
        /// A change put off: "nous reviendrons vers vous pour les deux autres", "the other two
        /// later", "die anderen zwei später": the clause's number is not asked now.
        later,
        /// "I wrote", "j'ai écrit", "ik schreef", "ich schrieb", "jag skrev": what follows in
        /// quotation marks is cited, not asked.
        wrote,
    }
    stems {
        /// People a licence is for: "the summer workers", "les stagiaires", "de nieuwe collega's".
        people,
        /// Counts of things that are not seats: shops, laptops, sites, mailboxes.
        things,
        /// Licence nouns: "licence", "licentie", "Lizenz", "licens", "seat", "abonnement".
        licence,
        /// Stems of adding verbs in every form: "ajout" (ajoutées), "toegevoeg", "hinzugefüg".
        add_stem,
        /// Stems of removing verbs in every form: "supprim" (supprimées), "opgezegd", "gekündigt".
        remove_stem,
        /// Stems of words for a change of licences: "change", "wijziging", "aanpass", "änderung".
        change_stem,
    }
    phrases {
        /// A change already made: "have been added", "zijn toegevoegd", "ont été ajoutées".
        past,
        /// "Thanks for adding ...".
        thanks_for,
        /// A sentence opening with thanks.
        thanks_start,
        /// Thanks that ask: "merci de faire X" is a polite "please do X".
        thanks_asking,
        /// "thanks in advance": still asks.
        in_advance,
        /// "maybe", "misschien", "peut-être", "vielleicht", "kanske".
        hedge,
        /// A question word opening a sentence: "how", "hoe", "comment", "wie", "hur".
        info_question,
        /// Price and quote words.
        price,
        /// Words that make a sentence a request: "please", "graag", "merci de", "bitte", "kan ni".
        request,
        /// "Can you tell me...": a question, however politely put.
        tell_me,
        /// A change already received: "we got 3 extra licences last week".
        past_report,
        /// "We're not ordering anything yet, just need the figures".
        not_yet,
        /// "I still have to confirm the number": not final.
        unsure,
        /// "I'll let you know", "ik laat het nog weten", "je vous tiens au courant", "ich melde
        /// mich noch", "jag återkommer": after a mind change, the number is not settled yet.
        let_know,
        /// "je vous ai demandé 4", "in my mail of yesterday": an earlier request of the sender's,
        /// which a number in the mail may correct.
        asked_before,
        /// "you added 3, we only wanted 2", "wir wollten aber nur 2": what was done beside what
        /// was wanted, which says the change that mends it.
        wanted_only,
        /// "as agreed on the phone", "zoals telefonisch afgesproken", "comme convenu au
        /// téléphone": the change was said elsewhere; beside licences and no number, it is asked.
        as_agreed,
        /// "one of them takes over Ann's licence".
        reuse,
        /// "they will each need a licence", "ils auront chacun besoin d'une licence", "var sin
        /// licens": a licence per person, so "a licence" counts the people, not one.
        per_person,
        /// Words that make an address just after them (within 40 characters of the same
        /// sentence) a contact: "send the invoice to", "in cc".
        contact_word,
        /// "(in cc)", "en copie" after an address.
        contact_after,
        /// What introduces an address as the tenant's login: "login", "UPN", "Konto".
        login_label,
        /// What our question asks a number with, replaced by the answer's number to read the
        /// question as the request: "how many", "combien de", "hoeveel", "welche Gesamtzahl".
        how_many,
        /// "for me", "my account", "my login is this address": the sender is the account.
        sender_is_account,
        /// "the same account as last time": the account of the history below.
        same_account,
        /// "the intern (x@y.be)": a person's own mailbox, not the account.
        persons_mailbox,
        /// Something does not work: a support question.
        problem,
        /// "remove the licences of the people who left" (unnamed).
        who_left,
        /// The numbers are in an attachment.
        attached,
        /// A change of billing plan: monthly to annual.
        billing_plan,
        /// Bank, direct debit or card details.
        payment,
        /// "also", "daarnaast", "en outre", "außerdem", "dessutom": a further request.
        also,
        /// "sorry, it must be 5", "correctie", "Korrektur", "rättelse": the sentence corrects an
        /// earlier number.
        correction,
        /// "which one, Basic or Standard, I'll confirm", "je ne sais pas lequel": the product is open.
        product_unsure,
        /// "send the invoices to our new address", "the licences stay as today": no seat change.
        no_change,
        /// A domain, DNS records, aliases: another matter than seats.
        other_matter,
        /// "let me know", "geben Sie mir Bescheid", "laat het me weten": the sentence asks to be
        /// told, so an "if" in it ("if that is only possible at the renewal, let me know") is no
        /// condition on the change.
        let_me_know,
        /// "if the budget is approved", "falls wir den Auftrag bekommen": not decided yet.
        conditional,
        /// "either 3 Standard or 1 Premium", "ofwel ... ofwel": two changes to choose from.
        alternatives,
        /// "the 2 extra licences are there", "staan erop": a change already made.
        done,
        /// "this changes nothing about the licences", "an der Lizenzanzahl ändert sich nichts":
        /// the mail says in so many words that it asks no seat change.
        count_unchanged,
        /// "those 3 seats I order myself, nothing for you to do": the sentence is not for us.
        nothing_for_us,
        /// "if I'm not mistaken", "si je ne me trompe pas": a count given from memory.
        recalled,
        /// "En fait non, …", "actually, no": what the mail asked before is taken back.
        retract,
        /// An invoice named: "invoice", "facture", "factuur", "Rechnung", "faktura".
        invoice,
        /// What is asked of an invoice: "check", "explain", "mention", "vérifier", "nakijken".
        /// Two small sets, not one pattern with a long gap between them: a counted gap such as
        /// `.{0,200}` costs more to compile than a run of `seatmail parse` spends on a mail.
        invoice_ask,
        /// "please process it only once", "bitte nur einmal buchen", "my mail … went out twice": a
        /// mail sent twice, its change to be made once; the sentence says how often, it asks no
        /// change of its own.
        only_once,
        /// "as I asked on the 3rd, it is still not done", "Ik vroeg op 3 november om …",
        /// "zweiter Versuch": the mail chases a request the customer sent before.
        reminder,
    }
}

static ALL: [&Lexicon; 5] = [&en::LEXICON, &fr::LEXICON, &nl::LEXICON, &de::LEXICON, &sv::LEXICON];

/// One concept's phrases in the five languages. "Does the text say it" asks one union of the
/// phrases without gaps, then each phrase with a gap (`.{0,60}`, `.*`) on its own. Why: a union of
/// phrases with gaps made one lazy DFA whose states multiplied (every gap at once);
/// `sender_is_account` took 7 µs per line, more than the other forty concepts together. Splitting
/// every phrase off costs more than it saves (more scans of each text): the measure is
/// `phrase_costs` below (855 -> 514 ms over the 16,000 lines of the labelled mails). The answer is
/// the union's: a text matches the union when it matches one of its alternatives, and no phrase
/// sets a flag that could reach into the next.
#[derive(Debug)]
pub(crate) struct Phrase {
    name: &'static str,
    parts: Vec<Regex>,
    /// The union's pattern, and the union itself, compiled when a match's place is first asked.
    union_pattern: String,
    union: OnceLock<Regex>,
}

impl Phrase {
    fn new(name: &'static str, parts: impl Iterator<Item = &'static str>) -> Phrase {
        let parts: Vec<&str> = parts.collect();
        let union_pattern = if parts.is_empty() { "[^\\s\\S]".to_string() } else { format!("(?i)(?:{})", parts.join("|")) };
        let (gapped, plain): (Vec<&str>, Vec<&str>) = parts.iter().partition(|p| p.contains(".{") || p.contains(".*") || p.contains(".+"));
        let compile = |p: String| Regex::new(&format!("(?i)(?:{p})")).unwrap_or_else(|e| panic!("lexicon phrase {name}: {e}"));
        let parts = (!plain.is_empty()).then(|| plain.join("|")).into_iter().chain(gapped.iter().map(|p| p.to_string())).map(compile).collect();
        Phrase { name, parts, union_pattern, union: OnceLock::new() }
    }

    pub fn is_match(&self, h: &str) -> bool {
        self.parts.iter().any(|r| r.is_match(h))
    }

    /// The matches of the union, leftmost-first as one expression finds them.
    pub fn find_iter<'r, 'h>(&'r self, h: &'h str) -> regex::Matches<'r, 'h> {
        self.union
            .get_or_init(|| Regex::new(&self.union_pattern).unwrap_or_else(|e| panic!("lexicon phrase {}: {e}", self.name)))
            .find_iter(h)
    }
}

static WORDS: LazyLock<Words> = LazyLock::new(union_words);
static PHRASES: LazyLock<Phrases> = LazyLock::new(union_phrases);

/// The words of the five languages.
pub(crate) fn words() -> &'static Words {
    &WORDS
}

/// The phrases of the five languages.
pub(crate) fn phrases() -> &'static Phrases {
    &PHRASES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[ignore = "measuring aid: cargo test --release --lib phrase_costs -- --ignored --nocapture"]
    fn phrase_costs() {
        let catalog = crate::parse::products::Catalog::builtin();
        let mut texts = Vec::new();
        for dir in std::fs::read_dir("tests/fixtures").unwrap().flatten() {
            for f in std::fs::read_dir(dir.path()).into_iter().flatten().flatten() {
                if f.path().extension().is_some_and(|e| e == "eml") {
                    let p = crate::parse::parse(&std::fs::read(f.path()).unwrap(), &catalog, &crate::parse::Limits::default());
                    texts.extend(p.meta.text.lines().map(str::to_string));
                }
            }
        }
        let ph = phrases();
        let mut costs: Vec<(std::time::Duration, &str)> = ph
            .named()
            .into_iter()
            .map(|(name, rx)| {
                // A first pass compiles what is compiled on demand and fills the lazy DFA's cache.
                for l in &texts {
                    std::hint::black_box(rx.is_match(l));
                }
                let t = std::time::Instant::now();
                for _ in 0..3 {
                    for l in &texts {
                        std::hint::black_box(rx.is_match(l));
                    }
                }
                (t.elapsed(), name)
            })
            .collect();
        costs.sort_by(|a, b| b.cmp(a));
        eprintln!("{} lines", texts.len());
        for (d, n) in costs {
            eprintln!("{:>8.1} ms  {n}", d.as_secs_f64() * 1e3);
        }
    }

    #[test]
    fn every_phrase_compiles_and_every_language_has_the_core_words() {
        let _ = phrases();
        for l in ALL {
            for (name, list) in [("add", l.add), ("remove", l.remove), ("to", l.to), ("total", l.total), ("request", l.request)] {
                assert!(!list.is_empty(), "a language lacks {name}");
            }
            for w in l.add.iter().chain(l.remove).chain(l.change) {
                assert_eq!(*w, w.to_lowercase(), "words are lowercase: {w}");
            }
        }
    }
}
