//! Mails that are not requests: bounces, auto-replies and the rest (questions, quotes, thanks,
//! complaints, password resets, newsletters, spam).
//!
//! Headers decide first (RFC 3464 reports, RFC 3834 `Auto-Submitted`, `X-Autoreply`,
//! `Precedence`, an empty `Return-Path`, MAILER-DAEMON senders); subject and body phrases in the
//! five languages catch the rest. A bounce carries a copy of our own mail with its numbers, so a
//! bounce is recognised before any text is read for a request.

use std::sync::LazyLock;

use crate::parse::rx::Regex;

/// What the headers say, gathered by the caller.
#[derive(Debug, Clone, Default)]
pub(crate) struct Signals {
    /// `type/subtype` of the top-level Content-Type, lowercased.
    pub content_type: String,
    /// `report-type` parameter of the top-level Content-Type, lowercased.
    pub report_type: String,
    /// Raw Return-Path value, if any.
    pub return_path: Option<String>,
    pub from: Vec<String>,
    pub auto_submitted: Option<String>,
    pub precedence: Option<String>,
    pub x_autoreply: bool,
    pub x_autorespond: bool,
    pub x_auto_response_suppress: bool,
    pub list_id: bool,
    pub list_unsubscribe: bool,
    /// Some part is message/delivery-status.
    pub has_delivery_status: bool,
}

fn re(p: &str) -> Regex {
    Regex::new(p).expect("static classify regex")
}

static BOUNCE_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(undeliver|undelivered mail returned|returned mail|delivery status notification|delivery (has )?failed|delivery failure|failure notice|mail delivery failed|mail delivery subsystem|could not be delivered|kan inte levereras|non remis|non distribuable|échec de (la )?remise|onbestelbaar|niet bezorgd|kan niet worden bezorgd|unzustellbar|nicht zustellbar|zustellung fehlgeschlagen|olevererbart|kunde inte levereras|leveransfel|message not delivered|delivery incomplete)")
});
static BOUNCE_BODY: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(this is the mail system at host|i'm sorry to have to inform you that your message could not|your message (couldn't|could not|wasn't|was not) (be )?delivered|delivery to the following recipients? (failed|has failed)|the following message to .* was undeliverable|diagnostic-code:|final-recipient:|remote server returned '?5\d\d|le message n'a pas pu être remis|uw bericht kan niet worden bezorgd|ihre nachricht konnte nicht zugestellt werden|ditt meddelande kunde inte levereras)")
});
static AUTO_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^\s*((re|aw|sv|antw|réf|ref)\s*:\s*)*(out of (the )?office|ooo\b|automatic reply|auto[- ]?reply|autoreply|auto[- ]?response|automatisk svar|absent|absence|réponse automatique|reponse automatique|message d'absence|afwezig\w*|automatisch antwoord|automatische antwoord|niet aanwezig|niet op kantoor|abwesenheit\w*|abwesend|automatische antwort|nicht im büro|frånvaro\w*|frånvarande|autosvar|automatiskt svar|ej på kontoret|on vacation|on holiday|on leave|en congé|en vacances|vakantie|urlaub|semester)\b")
});
static AUTO_BODY: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(i am (currently )?out of (the )?office|i'm (currently )?out of (the )?office|i am (currently )?(away|on (annual |parental |sick )?(leave|holiday|vacation))|i'm (currently )?(away|on (annual |parental )?(leave|holiday|vacation))|away from (the|my) (office|desk)|i will be (out of the office|away|back)|i'll be (out of the office|away|back)|with limited access to (my )?e-?mail|je suis (actuellement )?(absente?|en congé|en vacances)|je serai (absente?|de retour)|ik ben .{0,40}(afwezig|met vakantie|op vakantie|niet aanwezig|niet op kantoor|met verlof)|ik ben (terug|weer aanwezig) (op|vanaf)|ich bin .{0,40}(nicht im büro|abwesend|im urlaub|außer haus|nicht erreichbar)|ich bin ab .{1,30} wieder|jag är .{0,30}(tillbaka|ledig|frånvarande|på semester|borta|tjänstledig|föräldraledig)|this is an automatic (reply|response|message)|dit is een automatisch (antwoord|bericht)|ceci est une réponse automatique|dies ist eine automatische|detta är ett automatiskt)")
});
static ACK: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(ticket\s*#?\s*[\w-]+\s*(has been )?(received|created|opened|logged)|new (ticket|case) (has been )?(created|opened)|we (have )?received your (request|e-?mail|message)|your (request|ticket|case|e-?mail|message)\b[^.]{0,30}(has been|was|is) (received|logged|created|registered)|thank you for (contacting|your (e-?mail|message|request))[^.]*we will|uw (melding|aanvraag|vraag|bericht|ticket)\b[^.]{0,30}(is|werd) (ontvangen|geregistreerd)|wij hebben uw (melding|aanvraag|e-?mail|bericht) (goed )?ontvangen|bevestiging van ontvangst|ontvangstbevestiging|nous avons (bien )?reçu votre (demande|message|e-?mail)|votre (demande|ticket)\b[^.]{0,30}a (bien )?été (reçue?|enregistrée?)|accusé de réception|wir haben ihre (anfrage|nachricht|e-?mail) erhalten|ihre (anfrage|meldung)\b[^.]{0,30}(wurde|ist) (eingegangen|registriert)|eingangsbestätigung|vi har (tagit emot|mottagit) (ditt|din) (ärende|meddelande|mejl|e-?post)|mottagningsbekräftelse)")
});

/// A delivery status notification or other bounce.
pub(crate) fn bounce(s: &Signals, subject: &str, body: &str) -> bool {
    if s.content_type == "multipart/report" && (s.report_type.is_empty() || s.report_type == "delivery-status") {
        return true;
    }
    if s.has_delivery_status {
        return true;
    }
    let daemon = s.from.iter().any(|a| {
        let local = a.split('@').next().unwrap_or("");
        local == "mailer-daemon" || local == "postmaster" || local == "mail-daemon"
    });
    if daemon {
        return true;
    }
    let empty_return = s.return_path.as_deref().is_some_and(|r| r.trim().trim_matches(['<', '>']).trim().is_empty());
    let head = super::decode::truncate_chars(body, 3_000);
    if BOUNCE_SUBJECT.is_match(subject) && (empty_return || BOUNCE_BODY.is_match(&head) || !subject.to_lowercase().starts_with("re")) {
        return true;
    }
    // An empty Return-Path is also what RFC 3834 auto-replies use: only a bounce when nothing
    // says auto-reply and the text reads like one.
    empty_return && s.auto_submitted.is_none() && BOUNCE_BODY.is_match(&head)
}

/// Why this is an auto-reply, if it is one.
pub(crate) fn auto_reply(s: &Signals, subject: &str, own: &str) -> Option<&'static str> {
    if let Some(a) = &s.auto_submitted {
        if !a.trim().eq_ignore_ascii_case("no") && !a.trim().is_empty() {
            return Some("Auto-Submitted header says this is an automatic message");
        }
    }
    if s.x_autoreply || s.x_autorespond {
        return Some("X-Autoreply/X-Autorespond header");
    }
    let prec = s.precedence.as_deref().unwrap_or("").trim().to_ascii_lowercase();
    if prec == "auto_reply" {
        return Some("Precedence: auto_reply");
    }
    if AUTO_SUBJECT.is_match(subject) {
        return Some("out-of-office subject");
    }
    if s.content_type == "multipart/report" && s.report_type == "disposition-notification" {
        return Some("read receipt (disposition notification)");
    }
    if READ_SUBJECT.is_match(subject) && READ_BODY.is_match(&super::decode::truncate_chars(own, 2_000)) {
        return Some("read receipt");
    }
    let head = super::decode::truncate_chars(own, 2_000);
    if AUTO_BODY.is_match(&head) {
        return Some("out-of-office text");
    }
    if ACK.is_match(subject) || ACK.is_match(&head) {
        return Some("helpdesk acknowledgement");
    }
    if (prec == "bulk" || prec == "junk") && !s.list_id && !s.list_unsubscribe {
        return Some("Precedence: bulk/junk");
    }
    if s.x_auto_response_suppress && s.return_path.as_deref().is_some_and(|r| r.trim().trim_matches(['<', '>']).trim().is_empty()) {
        return Some("X-Auto-Response-Suppress with an empty Return-Path");
    }
    None
}

/// "Read: ...", "Gelezen: ...", "Lu : ...", "Gelesen: ...", "Läst: ...": a read receipt, when the
/// text says so too.
static READ_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^\s*(read|gelezen|lu|gelesen|läst|read receipt|leesbevestiging|accusé de lecture|lesebestätigung|läskvitto)\s*:")
});
static READ_BODY: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(was read on|has been read|is gelezen op|werd gelezen|a été lu|wurde am .{0,40}gelesen|wurde gelesen|lästes|har lästs|your message\b.{0,200}\bread\b|uw bericht\b.{0,200}\bgelezen\b|votre message\b.{0,200}\blu\b|ihre nachricht\b.{0,200}\bgelesen\b|ditt meddelande\b.{0,200}\blästs?\b)")
});
static QUESTION: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(how (do|can|should|would) (i|we|you|one)|how to|(know|savoir|weten|wissen|veta) (how|comment|hoe|wie|hur)\b|is it possible to (see|know|check)|what is the (price|cost|difference)|hoe (kan|moet|doe|voeg|wijs|geef|zet|ken) (ik|je|we|men)|comment (\w+-(je|on|t-on|nous) |puis|faire|faut|peut|ajouter|attribuer|assigner|on )|wie (kann|muss|füge|weise) (ich|man)|hur (gör|kan|lägger|tilldelar) (jag|man|vi)|\b(pourriez|pouvez|pourrais|peux)-(vous|tu) (m'|nous )?expliquer|\b(can|could) you (please )?explain|\b(kunt|kan|kunnen) (u|je|jullie) (mij |ons |me )?[^.?!]{0,40}\buitleggen|\b(können|könnten) sie (mir |uns )?[^.?!]{0,40}\berklären|\b(kan|kunde) ni (förklara|förtydliga))")
});
static PRICE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(quote|quotation|price|prices|pricing|cost|costs|offerte|prijs|prijzen|kostprijs|kost|kosten|devis|prix|tarif|tarifs|coût|angebot|preis|preise|kostet|offert|pris|priser|kostar)\b")
});
static QUOTE_NOUN: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(quote|quotation|offerte|prijsofferte|devis|angebot|kostenvoranschlag|offert|prisförslag)\b"));
static PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(password|wachtwoord|mot de passe|passwort|kennwort|lösenord|\bmfa\b|\b2fa\b|authenticator|locked out|geblokkeerd|bloqué|gesperrt|utelåst)")
});
static COMPLAINT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(complain|complaint|unacceptable|wrongly|(charged|billed|invoiced) (us )?(twice|too much|for)|wrong (invoice|amount)|klacht|onaanvaardbaar|verkeerd|te veel aangerekend|réclamation|plainte|inacceptable|facturé à tort|beschwerde|inakzeptabel|falsch berechnet|reklamation|klagomål|felaktig)")
});
static THANKS: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^\W*(thanks|thank you|many thanks|received|ok|okay|great|perfect|merci|reçu|bien reçu|parfait|bedankt|dank u|dank je|ontvangen|goed ontvangen|prima|perfect|super|danke|vielen dank|erhalten|perfekt|tack|mottaget|toppen|utmärkt)\b")
});
static SPAM: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(unsubscribe|uitschrijven|se désabonner|désinscription|abmelden|avregistrera|newsletter|nieuwsbrief|webinar|special offer|limited time|click here|seo services|bitcoin|crypto|viagra|lottery|you have won|inheritance|wire transfer)")
});

static SPAM_STRONG: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(click here|cliquez|klik hier|hier klicken|klicka här|buy now|köp nu|koop nu|achetez maintenant|jetzt kaufen|\bkeys?\b.{0,20}\b(each|pcs|for \$|€)|product keys?|license keys?|licence keys?|licentiesleutels?|lizenzschlüssel|produktnycklar|clés? de licence|mailbox (is )?(almost )?full|boîte aux lettres (est )?pleine|mailbox is vol|postfach (ist )?voll|brevlådan är full|verify your account|vérifiez votre compte|bevestig uw account|bestätigen sie ihr konto|verifiera ditt konto|lottery|you have won|bitcoin|crypto|viagra|\berbjudandet?\b|offre spéciale|speciale aanbieding|sonderangebot|limited time offer|nur heute|endast idag|aujourd'hui seulement|\d+\s?%\s?(off|korting|rabatt|de réduction|remise))")
});

/// Spam, phishing or marketing, whatever numbers it holds.
pub(crate) fn spam(subject: &str, text: &str) -> bool {
    SPAM_STRONG.is_match(subject) || SPAM_STRONG.is_match(text)
}

/// Why a mail without a change is not a request; `None` when it simply asks nothing.
pub(crate) fn not_a_request(s: &Signals, subject: &str, own: &str) -> &'static str {
    let all = format!("{subject}\n{own}");
    if s.list_id || s.list_unsubscribe || SPAM.is_match(&all) || PHISHING.is_match(&all) {
        return "newsletter, marketing or spam";
    }
    if QUOTE_NOUN.is_match(&all) || (PRICE.is_match(own) && own.contains('?')) {
        return "asks for a price or quote, not a seat change";
    }
    if PASSWORD.is_match(&all) {
        return "password or sign-in problem, not a seat change";
    }
    if COMPLAINT.is_match(own) || BILLING.is_match(own) {
        return "a complaint, not a seat change";
    }
    if QUESTION.is_match(own) || own.contains('?') {
        return "a question, not a seat change";
    }
    if THANKS.is_match(own) {
        return "thanks or acknowledgement, no change asked";
    }
    "no seat change asked"
}

/// A price question or quote request that mentions numbers is still not a request.
pub(crate) fn asks_price(own: &str) -> bool {
    QUOTE_NOUN.is_match(own) || (PRICE.is_match(own) && own.contains('?'))
}

static BILLING: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)((invoice|bill)\b.{0,80}\b(still )?(charges|charged|bills|billed)\b|factuur\b.{0,80}\b(nog steeds |nog altijd )?(aangerekend|rekent)\b|facture\b.{0,80}\b(facture|factur[ée]e?s?|compte) (encore|toujours)\b|rechnung\b.{0,80}\b(noch |immer noch )?(berechnet|abgerechnet|verrechnet)\b|credit ?note|refund|invoice (is )?(wrong|incorrect)|(invoice|bill)\b.{0,60}\b(wrong|incorrect|not correct|mistake|error)|creditnota|kredietnota|terugbetaling|factuur\b.{0,80}\b(klopt niet|fout|onjuist|verkeerd)|klopt niet|note de crédit|avoir\b.{0,20}\bfacture|remboursement|facture\b.{0,60}\b(erronée|incorrecte|fausse|erreur)|n'est pas correcte?|gutschrift|erstattung|rechnung\b.{0,60}\b(falsch|fehlerhaft|stimmt nicht)|stimmt nicht|kreditnota|kreditfaktura|återbetalning|faktura\b.{0,60}\b(fel|felaktig|stämmer inte)|stämmer inte)")
});
static PHISHING: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(verify your (account|identity|details|mailbox)|confirm your (account|identity|details|password)|(account|mailbox) (will be|has been) (locked|suspended|closed|deactivated|blocked)|suspicious (sign-?in|login|activity)|unusual sign-?in|gift ?cards?|itunes cards?|crypto|bitcoin|wallet address|vérifiez votre (compte|identité)|vérifier votre (compte|identité)|confirmez vos (informations|données)|compte (sera|a été) (suspendu|bloqué|désactivé)|connexion suspecte|cartes? cadeaux?|bevestig uw (account|gegevens|identiteit)|account (wordt|is) (geblokkeerd|opgeschort)|verdachte (aanmelding|inlogpoging)|cadeaubon|cadeaukaart|bestätigen sie ihre (daten|identität|konto)|ihre daten\b.{0,40}\bbestätigen|konto wird\b.{0,40}\bgesperrt|verdächtige anmeld|jetzt bestätigen|geschenkkarte|gutscheinkarte|verifiera ditt konto|bekräfta dina uppgifter|kontot (kommer att )?(spärras|låses)|misstänkt inloggning|presentkort)")
});

/// A threat to the service: "will be suspended", "wordt opgeschort", "seront suspendues", "werden
/// gesperrt", "stängs av", or a failed payment.
static PHISH_THREAT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(\b(will|shall|is going to) be (suspended|deactivated|disabled|closed|blocked|locked|terminated|interrupted|cancell?ed|deleted|removed|discontinued)|\b(has|have) been (suspended|deactivated|disabled|blocked|locked|put on hold)|\b(will )?expire[sd]?\b|\bexpiring\b|payment (has )?(failed|was declined|declined|unsuccessful|could not be processed)|(failed|declined|unsuccessful) payment|(wordt|worden|zal|zullen) .{0,40}(opgeschort|gedeactiveerd|geblokkeerd|stopgezet|afgesloten|verwijderd|beëindigd|onderbroken)|(is|zijn) (opgeschort|geblokkeerd|gedeactiveerd)|verloopt|verlopen|betaling (is )?(mislukt|geweigerd|niet gelukt)|mislukte betaling|(sera|seront|va être|vont être) (suspendue?s?|désactivée?s?|bloquée?s?|résiliée?s?|interrompue?s?|supprimée?s?|fermée?s?)|a été (suspendue?|désactivée?|bloquée?)|expire(ra|nt)?\b|(échec|refus) (de|du) (votre )?paiement|paiement (a )?(échoué|refusé)|(wird|werden) .{0,40}(gesperrt|deaktiviert|ausgesetzt|gekündigt|gelöscht|eingestellt|unterbrochen)|(ist|wurde|wurden) (gesperrt|deaktiviert|ausgesetzt)|läuft .{0,20}ab|abgelaufen|zahlung .{0,20}(fehlgeschlagen|abgelehnt)|fehlgeschlagene zahlung|(kommer att|kommer) .{0,30}(stängas av|spärras|inaktiveras|avslutas|pausas|raderas|låsas)|(har|är) (stängts av|spärrats|inaktiverats|pausats)|löper ut|upphör|betalningen (har )?(misslyckades|misslyckats|nekades)|misslyckad betalning)")
});
/// Asked to verify or update billing, payment or account details.
static PHISH_ACTION: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(verify|confirm|update|validate|re-?enter|re-?activate|reactivate|restore|review)\b(\s+\S+){0,3}?\s+(billing|payment|card|credit card|bank|account|details|information|identity|credentials|subscription|method)|\b(bevestig|bevestigen|controleer|controleren|verifieer|verifiëren|update|actualiseer|werk)\b(\s+\S+){0,3}?\s+(betaal|betaling|facturatie|factuur|gegevens|rekening|kaart|account|abonnement)\w*|\b(confirmer|confirmez|vérifier|vérifiez|mettre à jour|mettez à jour|valider|validez|actualiser|actualisez|régulariser|régularisez)\b(\s+\S+){0,3}?\s+(vos |votre |les |des )?(informations|coordonnées|données|moyen|paiement|facturation|carte|compte|identité)\w*|\b(bestätigen|verifizieren|aktualisieren|überprüfen)\b(\s+\S+){0,3}?\s+\w*(zahlung|rechnung|konto|karte|daten|informationen|angaben|identität)\w*|\w*(zahlung|rechnung|konto|karte|daten|informationen|angaben|identität)\w*(\s+\S+){0,3}?\s+(bestätigen|verifizieren|aktualisieren|überprüfen)\b|\b(bekräfta|verifiera|uppdatera|kontrollera)\b(\s+\S+){0,3}?\s+(betalning|faktur|uppgifter|information|kort|konto|abonnemang)\w*")
});
static PHISH_URGENT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(within \d+ (hours|days)|\b(urgent|immediately|action required|final (notice|warning|reminder)|last (notice|warning)|today)\b|binnen \d+ (uur|dagen)|\b(dringend|onmiddellijk|direct|vandaag|laatste (herinnering|waarschuwing))\b|sous \d+ (heures|jours)|dans les \d+ (heures|jours)|\b(urgent|immédiatement|action requise|dernier (avis|rappel)|aujourd'hui)\b|innerhalb (von )?\d+ (stunden|tagen)|\b(dringend|sofort|umgehend|letzte (mahnung|warnung)|heute)\b|inom \d+ (timmar|dagar)|\b(brådskande|omedelbart|omgående|idag|sista påminnelsen)\b)")
});
static PHISH_GENERIC: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^\W*(dear (valued )?(customer|client|user|member|subscriber|account holder|microsoft (365 )?(customer|user))|cher client|chère cliente|cher\(e\) client|cher utilisateur|beste (klant|gebruiker)|geachte (klant|gebruiker)|beste microsoft|sehr geehrte(r)? (kunde|kundin|nutzer|benutzer)|liebe(r)? (kunde|kundin|nutzer)|bäste kund|kära kund|hej kund|bästa kund)\b")
});
static PHISH_LINK: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(https?://|\b(link|button|lien|bouton|knop|schaltfläche|länk|länken|knappen)\b)")
});

/// Phishing dressed as a billing or subscription notice: "Dear customer, your 25 licences will be
/// suspended, verify your billing information here <link>". It asks the reader to verify or update
/// payment details behind a link, under a threat or a deadline, or comes from a sender whose name
/// says Microsoft while its address does not. A customer's own request never reads like this.
pub(crate) fn phishing_notice(subject: &str, text: &str, from: Option<&str>, from_name: Option<&str>) -> bool {
    let head = super::decode::truncate_chars(text, 4_000);
    let domain = from.and_then(|f| f.rsplit('@').next()).unwrap_or("").to_ascii_lowercase();
    let brand_name = from_name.is_some_and(|n| {
        let n = n.to_lowercase();
        ["microsoft", "office 365", "office365", "outlook", "m365", "ms365"].iter().any(|b| n.contains(b))
    });
    let real_ms = ["microsoft.com", "microsoftonline.com", "office.com", "office365.com"].iter().any(|d| domain == *d || domain.ends_with(&format!(".{d}")));
    let spoofed = brand_name && !real_ms;
    let link = PHISH_LINK.is_match(&head);
    // Both kinds need a link or a spoofed sender: most mail stops here, before the phrase searches.
    if !link && !spoofed {
        return false;
    }
    let all = format!("{subject}\n{head}");
    let threat = PHISH_THREAT.is_match(&all);
    let action = PHISH_ACTION.is_match(&all);
    let urgent = PHISH_URGENT.is_match(&all);
    let generic = PHISH_GENERIC.is_match(head.trim_start());
    (action && (threat || generic || spoofed)) || (threat && link && urgent && (generic || spoofed))
}

/// An invoice dispute or credit-note request.
pub(crate) fn billing(text: &str) -> bool {
    BILLING.is_match(text)
}

/// A password or sign-in problem.
pub(crate) fn password(text: &str) -> bool {
    PASSWORD.is_match(text)
}

/// Phishing: "verify your account", "your account will be locked", gift cards, crypto.
pub(crate) fn phishing(text: &str) -> bool {
    PHISHING.is_match(text)
}

/// A complaint about something past.
pub(crate) fn complaint(sentence: &str) -> bool {
    COMPLAINT.is_match(sentence)
}

/// "How do I ..." questions; not "I honestly don't know how many we're paying for", which says
/// what the writer does not know and asks nothing.
pub(crate) fn how_question(sentence: &str) -> bool {
    QUESTION.is_match(sentence) && !NOT_KNOWING.is_match(sentence)
}

static NOT_KNOWING: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)((don.t|do not|doesn.t) (\w+ )?know how (many|much)\b|ne sai[st] (\w+ )?pas combien\b|weet (\w+ )?niet hoeveel\b|wei(ß|ss) (\w+ )?nicht,? wie viele?\b|vet (\w+ )?inte hur många\b)")
});

#[cfg(test)]
mod tests {
    use super::*;

    fn sig() -> Signals {
        Signals::default()
    }

    #[test]
    fn auto_reply_headers() {
        let mut s = sig();
        s.auto_submitted = Some("auto-replied".into());
        assert!(auto_reply(&s, "Re: licences", "").is_some());
        s.auto_submitted = Some("no".into());
        assert!(auto_reply(&s, "Re: licences", "add 3").is_none());
        let mut s = sig();
        s.x_autoreply = true;
        assert!(auto_reply(&s, "x", "").is_some());
        let mut s = sig();
        s.precedence = Some("auto_reply".into());
        assert!(auto_reply(&s, "x", "").is_some());
    }

    #[test]
    fn phishing_phrases_with_the_verb_in_any_form() {
        assert!(phishing("Pour éviter la désactivation de votre compte, veuillez vérifier votre compte dans les 24 heures."));
        assert!(phishing("Vérifiez votre compte ici."));
        assert!(!phishing("Pourriez-vous vérifier le nombre de licences sur notre compte ?"));
    }

    #[test]
    fn out_of_office_in_five_languages() {
        for subject in ["Out of Office: licences", "Automatic reply: add 3", "Réponse automatique : licences", "Absent",
            "Afwezig", "Automatisch antwoord: licenties", "Abwesenheitsnotiz: Lizenzen", "Automatische Antwort: x",
            "Frånvaro", "Autosvar: licenser"] {
            assert!(auto_reply(&sig(), subject, "").is_some(), "{subject}");
        }
        assert!(auto_reply(&sig(), "x", "Ik ben afwezig tot 3 maart.").is_some());
        assert!(auto_reply(&sig(), "x", "Je suis absent jusqu'au 3 mars.").is_some());
        assert!(auto_reply(&sig(), "x", "Ich bin bis 3. März nicht im Büro.").is_some());
        assert!(auto_reply(&sig(), "x", "Jag är ledig till 3 mars.").is_some());
        assert!(auto_reply(&sig(), "Ticket #123 received", "").is_some());
        assert!(auto_reply(&sig(), "x", "Uw melding is ontvangen en krijgt nummer 55.").is_some());
        assert!(auto_reply(&sig(), "Add 3 licences", "Please add 3 licences").is_none());
    }

    #[test]
    fn bounces() {
        let mut s = sig();
        s.content_type = "multipart/report".into();
        s.report_type = "delivery-status".into();
        assert!(bounce(&s, "x", ""));
        let mut s = sig();
        s.from = vec!["mailer-daemon@mx.example.com".into()];
        assert!(bounce(&s, "x", ""));
        for subject in ["Undelivered Mail Returned to Sender", "Delivery Status Notification (Failure)", "Mail delivery failed",
            "Unzustellbar: Ihre Lizenzen", "Non remis : licences", "Onbestelbaar: licenties"] {
            assert!(bounce(&sig(), subject, ""), "{subject}");
        }
        assert!(!bounce(&sig(), "Add 3 licences", "Please add 3"));
    }

    #[test]
    fn not_requests() {
        assert_eq!(not_a_request(&sig(), "x", "How do I assign a licence to a user?"), "a question, not a seat change");
        assert!(not_a_request(&sig(), "x", "Kunnen jullie een offerte maken voor 10 licenties?").contains("price"));
        assert!(not_a_request(&sig(), "x", "Je n'arrive plus à changer mon mot de passe").contains("password"));
        assert!(not_a_request(&sig(), "x", "Danke, erhalten!").contains("thanks"));
        assert!(not_a_request(&sig(), "Nieuwsbrief maart", "Lees meer").contains("newsletter"));
        assert!(asks_price("Vad kostar 5 licenser till?"));
        // "MFA" is a word of its own, not letters inside "admin@malmfastighet".
        assert!(password("MFA werkt niet") && !password("Kontot är admin@malmfastighet.onmicrosoft.com"));
    }
    #[test]
    fn billing_phishing_in_five_languages() {
        let phish = [
            ("Action required", "Dear customer,\n\nYour Microsoft 365 subscription: 25 licences will be suspended within 24 hours. Verify your billing information here: https://x.example/verify", None, None),
            ("Dringend", "Beste klant,\n\nUw Microsoft 365-abonnement met 25 licenties wordt binnen 48 uur opgeschort. Bevestig uw betalingsgegevens via onderstaande link: https://x.example", None, None),
            ("Urgent", "Cher client,\n\nVos 25 licences seront suspendues sous 24 heures. Veuillez confirmer vos informations de paiement : https://x.example", None, None),
            ("Dringend", "Sehr geehrter Kunde,\n\nIhre 25 Lizenzen werden innerhalb von 24 Stunden deaktiviert. Bitte aktualisieren Sie Ihre Zahlungsinformationen: https://x.example", None, None),
            ("Brådskande", "Bäste kund,\n\nDitt abonnemang med 25 licenser kommer att stängas av inom 24 timmar. Uppdatera din betalningsinformation: https://x.example", None, None),
            // No generic greeting, but the sender's name says Microsoft and its address does not.
            ("Licences on hold", "We could not process your payment. Update payment details [here][1] to keep your 30 licences.\n\n[1]: https://x.example", Some("billing@secure-m365.example"), Some("Microsoft Billing")),
        ];
        for (subject, text, from, name) in phish {
            assert!(phishing_notice(subject, text, from, name), "{text}");
        }
        let fine = [
            "Please add 2 Business Standard licences. Also, could you update our billing address? It is now Kerkstraat 12.\nhttps://www.contoso.be",
            "Dear Sarah,\n\nOur payment failed last month, sorry. Please add 3 licences anyway, the invoice will be paid today.",
            "Hallo,\n\nbitte bestätigen Sie kurz den Eingang und fügen Sie heute 2 Lizenzen hinzu.\nhttps://www.kraemer-vogt.de",
        ];
        for text in fine {
            assert!(!phishing_notice("Licences", text, Some("jan@contoso.be"), Some("Jan Peeters")), "{text}");
        }
    }
}
