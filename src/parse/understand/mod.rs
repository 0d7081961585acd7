//! From the customer's own words to seat changes, in the steps a careful reader takes:
//!
//! 1. [`sentences`]: the text cut into sentences, addresses and product names marked, dates,
//!    phones, prices and references masked;
//! 2. [`gate`]: which sentences ask for something (not questions, thanks, reports, hedges);
//! 3. [`explain`]: every number of those sentences explained (a change, a total, today's count,
//!    people, other things, a number taken back, alternatives, a guess, or nothing);
//! 4. [`changes`]: the candidate changes of the mail, what one sentence leaves open filled from
//!    the rest when the rest says one thing;
//! 5. [`whom`]: the account each change is for;
//! 6. [`items`]: products, accounts, the same change said twice, contradictions;
//! 7. [`verdict`](understand): act, or ask what is missing.
//!
//! Precision first: where a careful person would ask, the outcome is a question, never a guess.

mod changes;
mod cues;
mod explain;
mod gate;
mod items;
mod sentences;
mod tables;
mod whom;

use std::sync::LazyLock;

use regex::Regex;

use crate::parse::products::Catalog;
use crate::parse::{Ask, Change, Item, Language};

use cues::Dir;

/// Something does not work: a support question, not a seat change.
pub(crate) static PROBLEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(not working|doesn'?t work|don'?t work|do not work|does not work|can'?t (log|sign|use|open)|cannot (log|sign|use|open)|\berror\b|\bissue\b|\bproblem|werkt niet|werken niet|foutmelding|\bprobleem|ne fonctionne(nt)? pas|ne marche(nt)? pas|\berreur\b|funktioniert nicht|funktionieren nicht|\bfehler\b|fungerar inte|\bfel(meddelande)?\b|\bproblem)")
        .expect("problem regex")
});
/// People leaving without names: "remove the licences of the people who left".
static WHO_LEFT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(who (have )?left|who are leaving|who no longer work|former (employees|colleagues|staff)|ex-employees|leavers|qui (sont|ont) (partis|quitté)|qui ne travaillent plus|anciens (employés|collaborateurs)|die (vertrokken|weg) (zijn|is)|die uit dienst|niet meer (bij ons )?werken|ex-medewerkers|oud-medewerkers|die ausgeschieden|die (uns )?verlassen haben|ehemaligen mitarbeiter|nicht mehr bei uns|som (har )?slutat|som lämnat|tidigare anställda)")
        .expect("who-left regex")
});
/// The numbers are in an attachment: "see the attached list", "volgens de bijlage", "ci-joint",
/// "siehe Anhang", "se bifogad lista".
static ATTACHED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\battach(ed|ment)|\benclosed\b|bijlage|bijgevoegd|pièce jointe|pièces jointes|\bci-joint|\ben annexe\b|\banhang\b|\banbei\b|beigefügt|angehängt|bifoga[dt]|\bbilaga|\bbilagan)")
        .expect("attached regex")
});
/// Microsoft products seatmail does not sell by mail: a person handles those.
static OTHER_PRODUCT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(teams phone|teams premium|teams rooms|audio conferencing|power bi|visio|project (plan|online)|copilot|defender|intune|entra id|azure ad premium|windows 365|dynamics 365|exchange online archiving|power automate|powerapps|power apps)\b")
        .expect("other product regex")
});
/// A change of how the licences are billed, not how many: "monthly to annual".
static BILLING_PLAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)((monthly|maandelijks\w*|mensuel\w*|monatlich\w*|månadsvis|månatlig\w*|maandbetaling|month-to-month).{0,60}(annual|yearly|jaarlijks\w*|annuel\w*|jährlich\w*|årsvis|årlig\w*|jaarcontract|jaarabonnement|jahresvertrag|jahresabo\w*|årsavtal)|(annual|yearly|jaarlijks\w*|annuel\w*|jährlich\w*|årsvis|årlig\w*).{0,60}(monthly|maandelijks\w*|mensuel\w*|monatlich\w*|månadsvis|månatlig\w*)|billing (frequency|cycle)|(facturatie|betalings)frequentie|fréquence de facturation|abrechnungsintervall|zahlungsweise|faktureringsintervall)")
        .expect("billing plan regex")
});

/// Bank, direct debit or card details: a billing matter, not seats.
static PAYMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(domiciliation|sepa|mandat|mandate|direct debit|bank ?account|bankrekening|rekeningnummer|payment method|betaalmethode|betaalwijze|moyen de paiement|mode de paiement|zahlungsmethode|zahlungsart|lastschrift\w*|bankverbindung|betalningssätt|betalsätt|autogiro|bankkonto|credit card|kredietkaart|carte de crédit|carte bancaire|kreditkarte|kreditkort)\b")
        .expect("payment regex")
});

/// What the text asks, before the mail-level decision.
#[derive(Debug, Default)]
pub(crate) struct Understanding {
    pub items: Vec<Item>,
    pub problem: Option<(Ask, String)>,
    /// Some sentence speaks of changing seats (a cue next to a licence word or product).
    pub intent: bool,
    /// A sentence was left out because it asks a price/quote or a how-to question.
    pub skipped_question: bool,
    /// Not a seat change seatmail handles, whatever numbers it holds (another product, a change
    /// of billing plan): the reason.
    pub not_ours: Option<&'static str>,
}

/// What `understand` reads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Input<'a> {
    /// The customer's own words (and a forwarded request they point to).
    pub text: &'a str,
    /// The subject, when the customer wrote it (not "Re:" of our mail).
    pub subject: Option<&'a str>,
    pub sender: Option<&'a str>,
    pub lang: Option<Language>,
    /// The history under the customer's words (context for "the same account").
    pub quoted: &'a str,
}

/// Understand the customer's own text (and an authored subject).
pub(crate) fn understand(input: &Input<'_>, catalog: &Catalog) -> Understanding {
    let mut u = Understanding::default();
    let tabled = tables::rewrite(input.text);
    let text = tabled.as_str();
    let body = sentences::split(text, catalog, input.lang);
    let gate = gate::read(&body, input.subject, text);
    u.skipped_question = gate.skipped_question;
    let readings: Vec<Option<explain::Reading>> = body
        .iter()
        .enumerate()
        .map(|(si, s)| gate.kept[si].then(|| explain::read(s, si, gate::asks_for_it(s))))
        .collect();
    u.intent = readings.iter().flatten().any(|r| r.intent);
    let subject_sentences = input.subject.map(|s| sentences::split(s, catalog, input.lang)).unwrap_or_default();
    let subject_readings: Vec<explain::Reading> = subject_sentences.iter().map(|s| explain::read(s, usize::MAX, false)).collect();
    u.intent |= subject_readings.iter().any(|r| r.intent);

    let mut c = changes::combine(&readings, &subject_readings);
    // "Now everything works with the 12 new accounts": a weak word beside a number, in a mail
    // where nothing asks, is news, not a request.
    let anything_asks = body.iter().enumerate().any(|(si, s)| gate.kept[si] && gate::asks_for_it(s));
    if !anything_asks && !c.raws.iter().any(|r| r.change.is_some() && (!r.weak || r.attached)) {
        c.raws.retain(|r| r.change.is_none());
    }
    if gate.declines && !c.raws.iter().any(|r| r.change.is_some() && r.asks && r.sentence != usize::MAX) {
        u.intent = false;
        u.skipped_question = true;
        return u;
    }
    // "switch our 18 licences from monthly to annual": a seat change only if another sentence asks one.
    let plan_change = |si: usize| body.get(si).is_some_and(|s| BILLING_PLAN.is_match(&s.text));
    if BILLING_PLAN.is_match(text) && !c.raws.iter().any(|r| r.change.is_some() && !r.weak && !r.from_current && !plan_change(r.sentence)) {
        u.not_ours = Some("a change of billing plan, not of the number of seats");
        return u;
    }
    if !c.raws.iter().any(|r| r.change.is_some()) && body.iter().enumerate().any(|(si, s)| gate.kept[si] && PAYMENT.is_match(&s.text)) {
        u.not_ours = Some("a change of billing or payment details, not of the number of seats");
        return u;
    }
    let with_change: Vec<bool> = (0..body.len()).map(|si| c.raws.iter().any(|r| r.sentence == si)).collect();
    let accounts = whom::Accounts::find(&body, &with_change, input.sender, text, input.quoted);
    let products = items::Products::new(&body, &gate.kept, &subject_sentences);
    let mut problems = std::mem::take(&mut c.problems);
    let items = items::build(&c.raws, &body, &products, &accounts, &mut problems);

    if items.iter().all(|i| i.product.is_none()) && OTHER_PRODUCT.is_match(text) && (!items.is_empty() || u.intent) {
        u.not_ours = Some("asks about a product seatmail does not manage");
        return u;
    }
    if !items.is_empty() {
        if readings.iter().flatten().any(|r| r.unsure) {
            problems.push((Ask::Quantity, "the mail says the number is not final yet".into()));
        }
        cross_check(&items, &c.raws, &mut problems);
        unexplained(&c.raws, &readings, &mut problems);
    }
    if items.is_empty() && problems.is_empty() && u.intent {
        let why = if WHO_LEFT.is_match(text) {
            (Ask::Username, "asks to remove the licences of people it does not name".to_string())
        } else if ATTACHED.is_match(text) {
            (Ask::Quantity, "the numbers are in an attachment seatmail does not read".to_string())
        } else {
            (Ask::Quantity, "asks for a seat change but gives no number of seats".to_string())
        };
        problems.push(why);
    }
    u.items = items;
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

/// Every number of a sentence that asks for a change is explained (a quantity, today's count,
/// people, a date...); one that nothing explains may be the real quantity, so the mail asks.
fn unexplained(raws: &[explain::Raw], readings: &[Option<explain::Reading>], problems: &mut Vec<(Ask, String)>) {
    for r in raws.iter().filter(|r| r.change.is_some()) {
        let Some(Some(reading)) = readings.get(r.sentence) else { continue };
        let value = match r.change {
            Some(Change::Delta(d)) => d.abs(),
            Some(Change::Target(t)) => t,
            None => 0,
        };
        if let Some(n) = reading.numbers.iter().find(|n| n.meaning == explain::Meaning::Unexplained && n.value != value) {
            problems.push((Ask::Quantity, format!("the number {} beside the change is not explained", n.value)));
            return;
        }
    }
}

/// A check independent of how the change was read: a change whose direction contradicts every
/// direction word of its own clause (removal words with a +N, adding words with a -N) asks.
fn cross_check(items: &[Item], raws: &[explain::Raw], problems: &mut Vec<(Ask, String)>) {
    for r in raws {
        let Some(Change::Delta(d)) = r.change else { continue };
        if r.from_current || !items.iter().any(|i| i.change == Change::Delta(d)) {
            continue;
        }
        let (add, remove) = r.clause_dirs;
        if (d > 0 && remove && !add) || (d < 0 && add && !remove) {
            problems.push((Ask::Direction, "the number and the words around it point in different directions".into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Seen = (Option<String>, Change, Option<String>);

    fn items(text: &str) -> (Vec<Seen>, Option<Ask>) {
        let lang = crate::parse::language::detect(text);
        let u = understand(&Input { text, subject: None, sender: Some("boss@contoso.be"), lang, quoted: "" }, &Catalog::builtin());
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
        let u = understand(&Input { text, subject: None, sender: None, lang, quoted: "" }, &Catalog::builtin());
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
        assert_eq!(tables::rewrite("We now need more.\nPlease add 2 licences."), "We now need more.\nPlease add 2 licences.");
    }
}
#[cfg(test)]
mod debug_tests {
    use super::*;
    #[test]
    fn dbg_one() {
        let mut text = std::env::var("T").unwrap_or_default();
        if let Ok(f) = std::env::var("F") {
            let raw = std::fs::read(f).unwrap();
            let p = crate::parse::parse(&raw, &Catalog::builtin(), &crate::parse::Limits::default());
            eprintln!("TEXT<<{}>>", p.meta.text);
            text = p.meta.text;
        }
        if text.is_empty() { return; }
        let lang = crate::parse::language::detect(&text);
        let body = sentences::split(&text, &Catalog::builtin(), lang);
        for (si, s) in body.iter().enumerate() {
            let r = explain::read(s, si, gate::asks_for_it(s));
            eprintln!("S{si} {:?}\n  toks {:?}\n  nums {:?}\n  raws {:?}", s.text, s.toks, r.numbers, r.raws);
        }
        let u = understand(&Input { text: &text, subject: None, sender: Some("x@y.be"), lang, quoted: "" }, &Catalog::builtin());
        eprintln!("{:?}", u);
    }
}
