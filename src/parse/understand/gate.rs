//! Step 2: which sentences ask for something. A how-to question, a price question, thanks for a
//! change already made, a report of a past change, a billing complaint or a hedge ("maybe next
//! month") is read, but its numbers are no request. When the whole mail reads as such a thing
//! (it *declines*), only a sentence that asks in so many words ("and please add 2 more") makes it
//! a request.

use std::sync::LazyLock;

use regex::Regex;

use super::cues::cue_at;
use super::sentences::Sentence;
use crate::parse::classify;
use crate::parse::numbers::Tok;

fn re(p: &str) -> Regex {
    Regex::new(p).expect("static gate regex")
}

static PAST: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)((have|has|had) (been|already been) (added|removed|adapted|adjusted|changed|processed|updated|reduced|increased)|\b(was|were) (added|removed|adapted|adjusted|changed|processed|reduced|increased)\b|you (have )?(added|removed|adapted|adjusted|processed)|zijn (toegevoegd|verwijderd|aangepast|verwerkt)|werden (toegevoegd|verwijderd|aangepast)|hebben jullie .*(toegevoegd|verwijderd|aangepast)|ont (bien )?été (ajoutées?|supprimées?|modifiées?|retirées?)|a (bien )?été (ajoutée?|supprimée?|modifiée?)|avez (ajouté|supprimé|modifié)|wurden (hinzugefügt|entfernt|angepasst|geändert)|sind (hinzugefügt|entfernt|angepasst)|haben .*(hinzugefügt|entfernt|angepasst)|har (lagts till|tagits bort|ändrats|justerats)|ni har (lagt till|tagit bort|ändrat)|\b(i|we) (asked|requested|ordered) (for )?\d|\bvroeg (ik|we|wij)\b|\b(ik|we|wij) vroeg(en)?\b|\b(ik|we|wij) (heb|hebben) .{0,30}\b(gevraagd|aangevraagd)\b|\b(j'ai|nous avons) demandé\b|\bich (habe|hatte) .{0,30}\b(angefragt|gebeten)\b|\bich bat\b|\b(jag|vi) bad om\b)")
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
/// A yes/no question opened by a modal verb asks for the change: "Can we get 2 more?", "Mogen we
/// naar 25?", "Kan er nog 1 bij?", "Pouvons-nous passer à 15 ?", "Können wir 2 weitere haben?",
/// "Får vi 3 till?".
static MODAL_START: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^\W*((hi|hello|hallo|hoi|dag|bonjour|hej|guten tag)\W+)?(can|could|may|would|will|kan|kunnen|kunt|kun|mogen|mag|zou|zouden|wil|wilt|willen|pouvez|pourriez|peux|pourrais|pouvons|pourrions|peut|puis|est-ce|können|könnten|kann|kannst|dürfen|darf|würden|würdest|wäre|kunde|får|skulle|går)\b")
});
/// Words that make a sentence a request rather than a report or a question.
static REQUEST_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(\b(please|pls|plz|kindly|could you|can you|would you|will you|could we|can we|we need|we'?d like|we would like|i'?d like|i would like|we want|we require|(is|would) it (be )?possible|go ahead|graag|gelieve|a\.?u\.?b\b|alstublieft|alsjeblieft|kunnen jullie|kunnen julie|kan je|kun je|kunt u|kunt u|willen jullie|wil je|wilt u|zou(den)? (jullie|u)|we willen|wij willen|we hebben .{0,40}nodig|wij hebben .{0,40}nodig|hebben (we|wij) .{0,60}nodig|is het mogelijk|mogen er|s'il vous pla[iî]t|s'il te pla[iî]t|svp|stp|merci (de|d')|pouvez-vous|pourriez-vous|peux-tu|pourrais-tu|veuillez|nous avons besoin|j'ai besoin|il nous faut|il faut|nous voudrions|je voudrais|nous souhaitons|je souhaite|est-il possible|serait-il possible|bitte|können sie|könnten sie|kannst du|könntest du|wir brauchen|wir benötigen|wir möchten|ich möchte|wir hätten gern|ist es möglich|wäre es möglich|kan ni|kan du|skulle ni|skulle du|vänligen|var snäll|vi behöver|jag behöver|vi vill|jag vill|vi skulle vilja|är det möjligt|går det att)\b|\S.*\btack\b)")
});
/// "Can you tell me...", "kunt u mij zeggen", "pouvez-vous me dire", "können Sie mir sagen", "kan ni
/// berätta": a question, however politely put.
pub(crate) static TELL_ME: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(\b(can|could) you (tell|let me know|explain|show)|\bdo you know\b|\bi( would|'d|’d) like to know\b|\bi want to know\b|\bi wonder\b|(kunt|kan|kunnen|zou) (u|je|jullie) (mij |me |ons )?(zeggen|vertellen|uitleggen|laten weten)|ik vroeg me af|ik wil (graag )?weten|(pouvez|pourriez)-vous (me |nous )?(dire|expliquer|indiquer)|je (voudrais|souhaite) savoir|je me demande|(können|könnten) sie (mir |uns )?(sagen|erklären|mitteilen)|ich (möchte|würde gerne) wissen|kan (ni|du) (berätta|förklara)|jag undrar|jag vill veta)")
});
/// A change already made: "we got 3 extra licences last week", "hebben vorige week 2 gekregen".
static PAST_REPORT: LazyLock<Regex> = LazyLock::new(|| {
    let lic = r"(licen|lizenz|seat|abonnement|subscription|abonnemang|plaats|plätze|platz|plats)";
    re(&format!(r"(?i)(\b(we|i) (have )?(got|received|bought|purchased|obtained)\b.{{0,30}}{lic}|\b(hebben|heb|hadden|kregen|ontvingen)\b.{{0,40}}{lic}.{{0,30}}\b(gekregen|ontvangen|gekocht|bijgekregen)\b|\b(avons|ai) (reçu|obtenu|acheté)\b.{{0,30}}{lic}|\b(haben|habe)\b.{{0,40}}{lic}.{{0,30}}\b(bekommen|erhalten|gekauft)\b|\b(vi|jag) (fick|köpte|har fått|har köpt)\b.{{0,30}}{lic})"))
});

/// "We're not ordering anything yet, just need the figures": the mail says it asks nothing.
static NOT_YET: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(\bnot (ordering|buying|changing|adding) anything( yet)?\b|\b(just|only) (need|want) (the )?(figures|numbers|prices?|a quote|an estimate)\b|\bnog niets? (bestellen|wijzigen|aanpassen)\b|\b(bestellen|wijzigen) nog niets\b|\bne (commandons|changeons|commande) (rien|pas encore)\b|\bpas encore (commander|modifier)\b|\bnoch nichts? (bestellen|ändern)\b|\b(bestellen|ändern) noch nichts\b|\b(beställer|ändrar) inget (än|ännu)\b|\binte beställa (än|ännu)\b)")
});

/// What the gate makes of the text.
#[derive(Debug, Default)]
pub(crate) struct Gate {
    /// Per sentence: its numbers may be a request.
    pub kept: Vec<bool>,
    /// The mail as a whole reads as something else than a request.
    pub declines: bool,
    /// A sentence was left out because it asks a price, a how-to or an open question.
    pub skipped_question: bool,
}

/// Whether a sentence asks in so many words: a request marker ("please", "graag", "merci de",
/// "bitte", "kan ni", "could you", "we need"...) or an imperative change verb at its start
/// ("Add 2 more", "Voeg 3 licenties toe").
pub(crate) fn asks_for_it(s: &Sentence) -> bool {
    if REQUEST_MARKER.is_match(&s.text) || MODAL_START.is_match(&s.text) {
        return true;
    }
    let first = s.toks.iter().position(|t| {
        !matches!(t, Tok::Punct(_)) && !super::cues::is_w(t, &["and", "en", "et", "und", "och", "also", "ook", "aussi", "auch", "också", "so", "dus", "donc"])
    });
    first.is_some_and(|j| cue_at(&s.toks, j).is_some_and(|(_, strong)| strong) && matches!(s.toks[j], Tok::Word(_)))
}

/// Read every sentence of the body (with the authored subject and the whole text for the
/// mail-wide signals).
pub(crate) fn read(body: &[Sentence], subject: Option<&str>, text: &str) -> Gate {
    let mut g = Gate {
        declines: subject.is_some_and(|s| classify::how_question(s) || TELL_ME.is_match(s))
            || classify::password(text)
            || classify::phishing(text)
            || subject.is_some_and(classify::phishing)
            || NOT_YET.is_match(text),
        ..Gate::default()
    };
    for s in body {
        let question = INFO_QUESTION.is_match(&s.text) && s.text.contains('?');
        let price = PRICE_Q.is_match(&s.text) && (s.text.contains('?') || INFO_QUESTION.is_match(&s.text));
        // "Thanks for adding the 3 licences" and "Thanks, the 3 licences are there" look back;
        // "thanks in advance for adding 3" and "thanks, and please add 2" still ask.
        let no_cue = !(0..s.toks.len()).any(|j| cue_at(&s.toks, j).is_some_and(|(_, strong)| strong));
        let asks = asks_for_it(s);
        let thanks = !IN_ADVANCE.is_match(&s.text)
            && (THANKS_FOR.is_match(&s.text) || (THANKS_START.is_match(&s.text) && !MERCI_DE.is_match(&s.text) && (no_cue || !asks)));
        let carries_number = s.has_num();
        // "Do we still have 2 free?" asks about the state; "Could you add 2?" asks for a change.
        let open_question = s.text.contains('?') && carries_number && !asks;
        // "We got 3 extra licences last week": a report, unless the sentence also asks.
        let reported = PAST_REPORT.is_match(&s.text) && !asks;
        let how = classify::how_question(&s.text) || TELL_ME.is_match(&s.text) || question;
        let billing = classify::complaint(&s.text) || classify::billing(&s.text);
        let past = PAST.is_match(&s.text);
        g.declines |= how || reported || billing || past || (thanks && carries_number);
        let skip = thanks || HEDGE.is_match(&s.text) || past || price || how || billing || open_question || reported;
        g.skipped_question |= skip && (question || price || open_question || how);
        g.kept.push(!skip);
    }
    g
}
