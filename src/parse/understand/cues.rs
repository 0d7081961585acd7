//! The words that say what to do with a quantity, in five languages: add ("add", "erbij",
//! "de plus", "weitere", "lägga till"), remove ("remove", "minder", "en moins", "weniger",
//! "ta bort", and negations such as "no longer need", "niet meer nodig", "n'avons plus besoin"),
//! change verbs and prepositions that make a number a new total ("reduce to 8", "naar 7",
//! "passer à 15", "auf 12", "till 20"), and the nearest cue to a number.

use std::collections::BTreeSet;

use crate::parse::numbers::{self, Tok};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dir {
    Add,
    Remove,
}

pub(crate) const ADD: &[&str] = &["add", "adding", "additional", "extra", "extras", "more", "another", "increase", "raise", "order",
    "purchase", "buy", "plus", "ajouter", "ajoutez", "ajoute", "ajout", "rajouter", "rajoutez", "supplémentaire",
    "supplémentaires", "supplementaire", "supplementaires", "additionnelle", "additionnelles", "additionnel",
    "augmenter", "augmentez", "commander", "toevoegen", "voeg", "voegen", "bijvoegen", "bijzetten", "erbij",
    "meer", "bijkomende", "bijkomend", "bijkomstige", "bestellen", "verhogen", "verhoog", "uitbreiden", "hinzufügen",
    "hinzu", "zusätzliche", "zusätzlichen", "zusätzlich", "weitere", "weiteren", "weiterer", "mehr", "erhöhen",
    "erhöht", "dazu", "aufstocken", "ophogen", "optrekken", "bijbestellen", "bijkopen", "bijnemen", "lägga", "lägg", "ytterligare", "fler", "utöka", "öka", "beställa", "köpa", "mer"];
/// "4 additional", "2 weniger": the number is a change, whatever total word stands near.
pub(crate) const MORE_OR_LESS: &[&str] = &["extra", "additional", "more", "another", "additionnelles", "supplémentaires",
    "supplémentaire", "meer", "bijkomende", "extra's", "zusätzliche", "zusätzlichen", "weitere", "weiteren", "mehr",
    "ytterligare", "fler", "mer", "less", "fewer", "minder", "weniger", "moins", "färre"];
/// Need words: more seats, weakly ("we need 3 Business Basic").
pub(crate) const NEED_MORE: &[&str] = &["need", "needs", "require", "requires", "nodig", "besoin", "faut", "faudrait",
    "brauchen", "brauche", "benötigen", "benötige", "behöver", "behövs"];
/// Activating licences (from a signed quote) is adding them.
const ACTIVATE: &[&str] = &["activate", "activer", "activez", "activeren", "activeer", "aktivieren", "aktivera"];
/// Words that introduce who the seats are for.
const FOR_PEOPLE: &[&str] = &["for", "pour", "voor", "für", "för", "till", "åt"];

/// People a licence is for: "the summer workers", "les stagiaires", "de nieuwe collega's", "die
/// Aushilfen", "sommarjobbarna".
pub(crate) fn is_people(t: &Tok) -> bool {
    const PEOPLE: &[&str] = &["worker", "staff", "intern", "student", "picker", "driver", "employee", "colleague", "hire",
        "starter", "newcomer", "joiner", "member", "people", "person", "temp", "trainee", "apprentice", "volunteer",
        "rep", "agent", "consultant", "technician", "nurse", "teacher", "seasonal", "contractor", "freelancer",
        "recruit", "stagiaire", "employé", "salarié", "collaborat", "collègue", "saisonnier", "intérimaire", "personne",
        "arrivant", "recrue", "étudiant", "chauffeur", "commerci", "technicien", "apprenti", "alternant", "vendeu",
        "stagiair", "medewerker", "collega", "werknemer", "mensen", "personen", "jobstudent", "uitzendkracht",
        "vakantiekracht", "zomerkracht", "invaller", "leerling", "monteur", "verkoper", "aushilf", "mitarbeiter",
        "kolleg", "praktikant", "azubi", "auszubildend", "werkstudent", "fahrer", "leute", "saisonkr", "neuzug",
        "angestellt", "sommarjobb", "anställd", "medarbetar", "praktikant", "personal", "förare", "säljar",
        "konsult", "vikari", "personer", "timanställd", "lagerarbet", "plockare", "nyanställd", "lärling", "elev"];
    match t {
        Tok::Word(w) => PEOPLE.iter().any(|p| w.starts_with(p)),
        _ => false,
    }
}

pub(crate) const ADD_WEAK: &[&str] = &["new", "nouveau", "nouveaux", "nouvelle", "nouvelles", "nieuwe", "nieuw", "neue", "neuen",
    "neuer", "ny", "nya", "nytt"];
pub(crate) const REMOVE: &[&str] = &["remove", "delete", "cancel", "terminate", "reduce", "decrease", "lower", "fewer", "less",
    "drop", "minus", "release", "unassign", "supprimer", "supprimez", "supprime", "retirer", "retirez", "enlever",
    "enlevez", "résilier", "résiliez", "annuler", "réduire", "réduisez", "diminuer", "diminuez", "moins",
    "verwijderen", "verwijder", "verwijdert", "schrappen", "opzeggen", "minder", "verminderen", "verminder",
    "verlagen", "verlaag", "annuleren", "stopzetten", "eraf", "entfernen", "entferne", "entfernt", "löschen",
    "kündigen", "reduzieren", "reduziert", "verringern", "weniger", "streichen", "abbestellen", "afbouwen", "reduceren", "terugschroeven", "weg", "deaktivieren", "bort", "deactivate", "revoke", "downgrade", "intrekken", "deactiveren", "désactiver", "minska",
    "färre", "avsluta", "säga", "säg", "sänka", "left", "leaving", "leaves", "vertrokken", "vertrekt", "vertrekken", "quitté", "quitte",
    "ausgeschieden", "verlässt", "slutar", "slutat", "lämnar"];
pub(crate) const CHANGE: &[&str] = &["change", "set", "adjust", "bring", "go", "increase", "raise", "reduce", "decrease", "lower",
    "update", "modify", "make", "scale", "back", "wijzigen", "wijzig", "aanpassen", "pas", "zetten", "zet", "brengen",
    "breng", "verhogen", "ophogen", "optrekken", "afbouwen", "reduceren", "verlagen", "verminderen", "terugbrengen", "terug", "gaan", "passer", "passez", "modifier",
    "ajuster", "ramener", "ramenez", "porter", "augmenter", "réduire", "diminuer", "mettre", "changer", "ändern",
    "anpassen", "setzen", "bringen", "erhöhen", "reduzieren", "verringern", "senken", "gehen", "zurück", "ändra",
    "justera", "sätta", "öka", "minska", "sänka", "höja", "gå", "tillbaka", "gör", "göra", "aanpassing", "wijziging",
    "afstemmen", "align", "aligner", "abgleichen", "anpassung", "ändring", "modification", "aktualisieren", "actualiser",
    "bijwerken", "uppdatera"];
/// "dat moeten er vijftien worden", "that should become 15".
/// "on top of the 3", "bovenop de 3", "en plus des 3", "zusätzlich zu den 3", "utöver de 3".
pub(crate) const ON_TOP: &[&str] = &["top", "besides", "bovenop", "naast", "outre", "zusätzlich", "neben", "utöver", "förutom"];
/// "the 3 from last week": words of a time gone by.
pub(crate) const LAST_TIME: &[&str] = &["last", "previous", "yesterday", "vorige", "vorig", "gisteren", "eerder", "dernière",
    "dernier", "précédente", "hier", "letzte", "letzten", "letzter", "vorigen", "gestern", "förra", "igår", "tidigare"];
/// "11 is enough", "11 volstaan", "11 suffisent", "11 reichen", "11 räcker": the wanted total.
pub(crate) const ENOUGH: &[&str] = &["enough", "sufficient", "suffice", "genoeg", "voldoende", "volstaan", "volstaat", "suffisent",
    "suffit", "suffiront", "assez", "reichen", "reicht", "genug", "ausreichend", "räcker", "tillräckligt", "räcka"];
/// Want and need words: after today's count, the number they govern is the wanted total.
pub(crate) const WANT: &[&str] = &["want", "like", "need", "needs", "require", "willen", "wil", "nodig", "faudrait",
    "faut", "souhaitons", "souhaiterions", "voudrions", "voudrais", "besoin", "passer", "möchten", "möchte", "brauchen",
    "benötigen", "wollen", "hätten", "gerne", "vill", "behöver", "önskar"];
/// People joining: "start", "begint", "arrivent", "fangen an", "börjar".
pub(crate) const JOIN: &[&str] = &["start", "starts", "starting", "join", "joins", "joining", "arrive", "arrives", "hired",
    "hire", "komen", "beginnen", "begint", "starten", "aangenomen", "arrivent", "arrivera", "arriveront", "commencent",
    "rejoignent", "embauché", "embauchés", "kommen", "anfangen", "fangen", "beginnt", "eingestellt", "börjar", "kommer",
    "anställt", "anställer", "börja"];
pub(crate) const BECOME: &[&str] = &["worden", "become", "be", "devenir", "être", "werden", "sein", "bli", "bliva", "vara"];
pub(crate) const TO: &[&str] = &["to", "naar", "tot", "op", "à", "a", "auf", "zu", "till", "på"];
pub(crate) const FROM: &[&str] = &["from", "van", "de", "von", "från"];
pub(crate) const OR: &[&str] = &["or", "of", "ou", "oder", "eller", "à", "to", "tot", "bis", "till"];
pub(crate) const TOTAL: &[&str] = &["total", "totaal", "totale", "insgesamt", "gesamt", "totalt", "sammanlagt", "tout", "summe"];
/// "we only need 5": a total, but only next to a need/keep verb ("only 11 users" is a count).
pub(crate) const ONLY: &[&str] = &["only", "slechts", "seulement", "nur", "bara", "endast", "maar"];
pub(crate) const NEED: &[&str] = &["need", "needs", "want", "keep", "nodig", "willen", "houden", "behouden", "besoin", "souhaitons",
    "garder", "conserver", "brauchen", "benötigen", "behalten", "möchten", "behöver", "vill", "behålla"];
pub(crate) const CONTEXT: &[&str] = &["have", "has", "currently", "now", "hebben", "heb", "hebt", "momenteel", "nu", "avons",
    "ai", "actuellement", "haben", "habe", "derzeit", "aktuell", "zurzeit", "har", "nuvarande", "existing",
    "bestaande", "existants", "vorhandenen"];

pub(crate) fn is_w(t: &Tok, list: &[&str]) -> bool {
    matches!(t, Tok::Word(w) if list.contains(&w.as_str())) || matches!(t, Tok::Article(w) if list.contains(&w.as_str()))
}

pub(crate) fn is_licence_noun(t: &Tok) -> bool {
    match t {
        // "Microsoft-Lizenzen", "E3-licenties": the last part of a compound says what it is.
        Tok::Word(w) => {
            let last = w.rsplit('-').next().unwrap_or(w);
            ["licen", "lizenz", "seat", "subscription", "abonnement", "abonnemang", "plaats", "platz", "plats", "siège"]
                .iter()
                .any(|p| w.starts_with(p) || last.starts_with(p))
        }
        Tok::Product(_) => true,
        _ => false,
    }
}

/// "his licence", "sa licence", "haar licentie", "seine Lizenz", "hans licens": one.
pub(crate) const POSSESSIVE: &[&str] = &["his", "her", "sa", "son", "haar", "seine", "sein", "hans", "hennes"];

/// Definite articles before a singular licence word: "the licence", "la licence", "die Lizenz".
pub(crate) const DEFINITE: &[&str] = &["the", "la", "le", "l", "de", "het", "die", "der", "den", "das", "dem"];
/// Swedish definite singular licence words ("licensen"): one licence.
pub(crate) const DEFINITE_LICENCE: &[&str] = &["licensen", "licencen", "platsen", "abonnemanget"];

pub(crate) fn is_singular_licence(t: &Tok) -> bool {
    matches!(t, Tok::Word(w) if ["licence", "license", "licentie", "lizenz", "licens", "seat", "abonnement", "subscription", "abonnemang"].contains(&w.as_str()))
}

pub(crate) fn is_singular_unit(t: &Tok) -> bool {
    matches!(t, Tok::Word(w) if ["licence", "license", "licentie", "lizenz", "licens", "seat", "account", "mailbox", "compte", "konto", "abonnement", "subscription"].contains(&w.as_str()))
}

pub(crate) fn is_unit(t: &Tok) -> bool {
    match t {
        Tok::Word(w) => numbers::is_unit_noun(w),
        Tok::Product(_) => true,
        _ => false,
    }
}

/// Words and marks between two clauses: "add 3 X and remove 3 Y", "3 erbij en 2 eraf".
const CLAUSE_WORDS: &[&str] = &["and", "und", "et", "och", "en", "but", "mais", "maar", "aber", "men", "sondern", "utan",
    "while", "whereas", "terwijl", "tandis", "während", "medan"];

fn clause_break(t: &Tok) -> bool {
    matches!(t, Tok::Punct(',' | ';' | ':' | '–' | '—' | '|')) || is_w(t, CLAUSE_WORDS)
}

/// The clause around token `i` (from the token after the previous break to the one before the next).
pub(crate) fn clause_of(toks: &[Tok], i: usize) -> (usize, usize) {
    let lo = (0..i).rev().find(|&j| clause_break(&toks[j])).map_or(0, |j| j + 1);
    let hi = (i + 1..toks.len()).find(|&j| clause_break(&toks[j])).unwrap_or(toks.len());
    (lo, hi)
}

/// Nearest direction cue to token `i`, preferring words before it. When the number's own clause
/// has a strong cue, that one decides: in "3 X hinzufügen und 3 Y entfernen" the second 3 is
/// removed, however near "hinzufügen" is.
pub(crate) fn cue_near(toks: &[Tok], i: usize) -> Option<(Dir, bool)> {
    let (clo, chi) = clause_of(toks, i);
    let own = cue_in(toks, i, clo.max(i.saturating_sub(8)), chi.min(i + 6));
    if own.is_some_and(|(_, strong)| strong) {
        return own;
    }
    cue_in(toks, i, i.saturating_sub(8), (i + 6).min(toks.len()))
}

fn cue_in(toks: &[Tok], i: usize, lo: usize, hi: usize) -> Option<(Dir, bool)> {
    let mut best: Option<(usize, Dir, bool)> = None;
    for (j, t) in toks.iter().enumerate().take(hi).skip(lo) {
        if j == i {
            continue;
        }
        let Some((d, strong)) = cue_at(toks, j) else { continue };
        let dist = if j < i { (i - j) * 2 } else { (j - i) * 2 + 1 };
        let _ = t;
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
                prev(k).is_some_and(|t| is_w(t, &["no", "not", "don't", "dont", "t", "niet", "geen", "nicht", "keine", "inte", "n", "ne", "pas", "any"]))
            });
            // "te veel", "too many", "en trop", "zu viele", "för många".
            if (w == "veel" && prev(1).is_some_and(|t| is_w(t, &["te"])))
                || (matches!(w, "many" | "much") && prev(1).is_some_and(|t| is_w(t, &["too"])))
                || w == "trop"
                || (matches!(w, "viel" | "viele") && prev(1).is_some_and(|t| is_w(t, &["zu"])))
                || (w == "många" && prev(1).is_some_and(|t| is_w(t, &["för"])))
            {
                return Some((Dir::Remove, true));
            }
            if matches!(w, "longer" | "längre") && prev(1).is_some_and(|t| is_w(t, &["no", "inte"])) {
                return Some((Dir::Remove, true));
            }
            if matches!(w, "need" | "needed" | "nodig" | "besoin" | "benötigt" | "benötigen" | "brauchen" | "behöver" | "behövs")
                && (1..=3).any(|k| prev(k).is_some_and(|t| is_w(t, &["no", "not", "don't", "dont", "t", "niet", "geen", "nicht", "keine", "inte", "n", "ne", "plus"])))
            {
                return Some((Dir::Remove, true));
            }
            if matches!(w, "more" | "meer" | "mehr" | "plus" | "mer") && negated {
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
            if w == "bij" {
                let end = next.is_none_or(|t| matches!(t, Tok::Punct(_)) || is_w(t, &["zetten", "voegen", "komen", "te", "voor", "op", "in", "aub", "graag", "alstublieft", "alsjeblieft", "a.u.b", "svp", "please"]));
                return end.then_some((Dir::Add, true));
            }
            if w == "till" {
                // "lägg till 2", "2 till": add; "från 10 till 15", "öka till 15": not a cue.
                let after_add = prev(1).is_some_and(|t| is_w(t, &["lägga", "lägg", "läggs"]));
                let at_end = next.is_none_or(|t| matches!(t, Tok::Punct(_)) || is_w(t, &["för", "på", "tack", "av", "åt", "i", "nu", "också", "snarast", "till"]));
                // "ett dussin till Office 365 F3", "två till": right after a number, "till" is "more".
                let after_num = matches!(prev(1), Some(Tok::Num { .. })) && !matches!(next, Some(Tok::Num { .. }));
                return (after_add || at_end || after_num).then_some((Dir::Add, true));
            }
            if matches!(w, "nog" | "noch") && matches!(next, Some(Tok::Num { .. })) {
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
            // "mag er 1 af", "1 licentie af voor Piet", "af te bouwen"; not "af en toe", "af van".
            if w == "af" && !next.is_some_and(|t| is_w(t, &["en", "van", "aan", "of", "toe"])) {
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
            if NEED_MORE.contains(&w) && !next.is_some_and(|t| is_w(t, &["to", "help", "hulp", "aide", "d", "que", "zu", "hilfe", "att", "hjälp", "te", "om"])) {
                return Some((Dir::Add, false));
            }
            // "activate the 8 licences": only licences (or a product) are activated as seats;
            // "activate MFA for 12 users" is no seat change.
            if ACTIVATE.contains(&w) {
                let near = toks[j.saturating_sub(6)..(j + 7).min(toks.len())].iter().any(is_licence_noun);
                return near.then_some((Dir::Add, true));
            }
            // "for the summer workers", "pour les stagiaires", "voor de nieuwe collega's", "für die
            // Aushilfen", "till sommarjobbarna": seats for people are seats to add.
            if FOR_PEOPLE.contains(&w) && toks[j + 1..(j + 5).min(toks.len())].iter().any(is_people) {
                return Some((Dir::Add, false));
            }
            if ADD.contains(&w) {
                return Some((Dir::Add, true));
            }
            if REMOVE.contains(&w) {
                return Some((Dir::Remove, true));
            }
            if ADD_WEAK.contains(&w) {
                return Some((Dir::Add, false));
            }
            None
        }
        _ => None,
    }
}

/// The one direction a sentence's cues (weak ones included) point to, if they agree.
pub(crate) fn sentence_dir(toks: &[Tok]) -> Option<Dir> {
    let cues: Vec<(Dir, bool)> = (0..toks.len()).filter_map(|j| cue_at(toks, j)).collect();
    let strong = cues.iter().any(|(_, s)| *s);
    let dirs: BTreeSet<u8> = cues.iter().filter(|(_, s)| *s || !strong).map(|(d, _)| *d as u8).collect();
    match dirs.iter().next() {
        Some(&d) if dirs.len() == 1 => Some(if d == Dir::Add as u8 { Dir::Add } else { Dir::Remove }),
        _ => None,
    }
}

pub(crate) fn signed_at(toks: &[Tok], i: usize) -> bool {
    i > 0 && matches!(toks[i - 1], Tok::Punct('+' | '-' | '−'))
}

/// Whether the sentence's only cues are weak ones ("drei neue Mitarbeiter").
pub(crate) fn weak_sentence(toks: &[Tok]) -> bool {
    if toks.iter().any(|t| is_w(t, TOTAL) || is_w(t, CHANGE)) {
        return false;
    }
    !(0..toks.len()).any(|j| cue_at(toks, j).is_some_and(|(_, strong)| strong))
}

pub(crate) fn has_change_verb(toks: &[Tok]) -> bool {
    toks.iter().any(|t| is_w(t, CHANGE) || is_w(t, TOTAL))
}
