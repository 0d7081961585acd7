//! The five languages seatmail understands and the detection of the language of a customer's text.
//!
//! Detection is a stopword vote: short, distinctive function words and the vocabulary of these
//! mails (greetings, "licenties", "Lizenzen"...). Words shared by two languages ("de", "en", "die")
//! are left out on purpose. The vote runs in reading order and the first language to reach a
//! clear lead wins, so a bilingual mail is answered in the language it starts with.

use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    Fr,
    Nl,
    De,
    Sv,
}

impl Language {
    pub const ALL: [Language; 5] = [Language::En, Language::Fr, Language::Nl, Language::De, Language::Sv];

    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Fr => "fr",
            Language::Nl => "nl",
            Language::De => "de",
            Language::Sv => "sv",
        }
    }

    pub fn from_code(code: &str) -> Option<Language> {
        let c = code.trim().to_ascii_lowercase();
        let c = c.split(['-', '_']).next().unwrap_or("");
        Language::ALL.into_iter().find(|l| l.code() == c)
    }

    fn index(self) -> usize {
        match self {
            Language::En => 0,
            Language::Fr => 1,
            Language::Nl => 2,
            Language::De => 3,
            Language::Sv => 4,
        }
    }
}

const EN: &str = "the and to for please we our you your can could would like need add remove licence licences \
    license licenses thanks thank hi hello dear with of are more this that have has i my additional \
    seats users user new employee employees colleague colleagues left reduce increase kind regards best from it will \
    want them us one two three four five six seven eight nine ten no longer any also just next month week after \
    should there their these those what how which when who cheers received got great your all get do does did \
    was were been thank";
const FR: &str = "le la les des du et pour nous vous votre vos merci bonjour pouvez pourriez ajouter supprimer \
    avec une est sur notre nos svp plaît cordialement plus aussi je il elle utilisateur utilisateurs \
    supplémentaire supplémentaires retirer enlever avons besoin au licence madame monsieur salutations \
    deux trois quatre cinq sept huit neuf dix passer réduire augmenter nouveau nouvelle nouvelles nouveaux ci \
    dessous bien mois semaine faudrait souhaitons serait ces cette mon ma mes tout tous être fait faire pas \
    encore comment quand aux chez reçu reçue oui très parfait voudrais savoir dans";
const NL: &str = "het een van voor wij ons onze graag kunnen jullie u met licenties licentie toevoegen bedankt \
    alvast groeten goedemorgen goedemiddag goedendag dag niet meer nog aub zijn mogen bij erbij gebruiker \
    gebruikers nieuwe medewerker medewerkers collega minder verwijderen hebben wil willen zou twee drie vier vijf \
    zes zeven acht negen tien vriendelijke beste naar totaal ik mijn zie onderstaand mvg goed ontvangen stuks \
    hoi nodig dat moeten worden er ter komen waarschijnlijk mensen laat weten wanneer schrappen ophogen \
    verminderen vestiging ook wel heel hartelijk groetjes even deze welke hoe wat kan dank top uw bericht \
    aangepast werden werd mij";
const DE: &str = "der das und für wir uns unsere bitte können sie ein eine mit lizenzen lizenz hinzufügen danke \
    guten tag ist nicht noch zu auf von ich mein meine benötigen brauchen weitere zusätzliche \
    benutzer mitarbeiter grüße freundlichen gerne zwei drei vier fünf sechs sieben acht neun zehn \
    entfernen reduzieren erhöhen insgesamt siehe unten viele sehr geehrte damen herren unserem unseren \
    dem den des im ab wie weise einem neuen neue beginnen erledigen bis zum vielen gruß erhalten ihre ihr \
    wurde wurden angepasst herzlichen unser aus hat mir folgendes geschrieben haben wird sind auch oder \
    aber dass nur schon setzen";
const SV: &str = "och att för vi oss vår våra kan ni licenser licens lägga till tack hej med är inte på av det \
    som vill ytterligare ta bort användare användarna nya anställda medarbetare hälsningar vänliga behöver \
    två tre fyra fem sex sju åtta nio tio totalt jag min mitt fler färre minska öka god morgon igen nu \
    här den mvh också snarast börjar vecka hur tilldelar har fått mottaget toppen bra era justerats";

static WORDS: LazyLock<HashMap<&'static str, u8>> = LazyLock::new(|| {
    let mut m: HashMap<&'static str, u8> = HashMap::new();
    for (lang, list) in [(Language::En, EN), (Language::Fr, FR), (Language::Nl, NL), (Language::De, DE), (Language::Sv, SV)] {
        for w in list.split_whitespace() {
            // A word in two lists would vote twice; keep the first and accept the loss.
            m.entry(w).or_insert(lang.index() as u8);
        }
    }
    m
});

/// The language of `text`, `None` when no word votes at all.
///
/// The first sentence that clearly belongs to one language decides (bilingual mails are answered
/// in the language they start with); otherwise the whole text votes, ties going to the language
/// that voted first. Addresses and links are left out: "www.x.be" is no English "be".
pub(crate) fn detect(text: &str) -> Option<Language> {
    detect_inner(text).0
}

/// The language of `text` only when one sentence of it clearly belongs to one language (at least
/// three words and a lead of two); `None` when the words do not say. Used per sentence in
/// bilingual mails, where "onze" is "our" in the Dutch half and eleven in the French one.
pub(crate) fn detect_clear(text: &str) -> Option<Language> {
    match detect_inner(text) {
        (Some(l), true) => Some(l),
        _ => None,
    }
}

fn detect_inner(text: &str) -> (Option<Language>, bool) {
    let mut total = [0u32; 5];
    let mut first_vote = [usize::MAX; 5];
    let mut order = 0usize;
    for chunk in text.split(['\n', '.', '!', '?', ';']) {
        let mut score = [0u32; 5];
        for token in chunk.split_whitespace() {
            if token.contains('@') || token.contains("://") || token.starts_with("www.") {
                continue;
            }
            for word in token.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()) {
                let w = word.to_lowercase();
                let Some(&i) = WORDS.get(w.as_str()) else { continue };
                let i = i as usize;
                score[i] += 1;
                total[i] += 1;
                if first_vote[i] == usize::MAX {
                    first_vote[i] = order;
                }
                order += 1;
            }
        }
        let best = (0..5).max_by_key(|&i| (score[i], std::cmp::Reverse(first_vote[i])));
        if let Some(b) = best {
            let second = (0..5).filter(|&j| j != b).map(|j| score[j]).max().unwrap_or(0);
            if score[b] >= 3 && score[b] >= second + 2 {
                return (Some(Language::ALL[b]), true);
            }
        }
    }
    let best = (0..5).filter(|&i| total[i] > 0).max_by_key(|&i| (total[i], std::cmp::Reverse(first_vote[i])));
    (best.map(|b| Language::ALL[b]), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for l in Language::ALL {
            assert_eq!(Language::from_code(l.code()), Some(l));
        }
        assert_eq!(Language::from_code("nl-BE"), Some(Language::Nl));
        assert_eq!(Language::from_code("xx"), None);
        assert_eq!(serde_json::to_string(&Language::Sv).ok().as_deref(), Some("\"sv\""));
    }

    #[test]
    fn detects_each_language() {
        assert_eq!(detect("Hi, could you please add 3 licences for our new employees? Thanks"), Some(Language::En));
        assert_eq!(detect("Bonjour, pouvez-vous ajouter deux licences pour nos nouveaux utilisateurs ? Merci"), Some(Language::Fr));
        assert_eq!(detect("Goedemorgen, graag 3 licenties erbij voor onze nieuwe medewerkers. Alvast bedankt"), Some(Language::Nl));
        assert_eq!(detect("Hallo, bitte fügen Sie zwei weitere Lizenzen für unsere neuen Mitarbeiter hinzu. Danke"), Some(Language::De));
        assert_eq!(detect("Hej, kan ni lägga till två licenser till för våra nya anställda? Tack"), Some(Language::Sv));
        assert_eq!(detect("12345 !!"), None);
    }

    #[test]
    fn bilingual_mail_takes_the_first_language() {
        let text = "Bonjour, pouvez-vous ajouter trois licences pour nous s'il vous plaît ? Merci beaucoup pour votre aide.\n\
                    Goedemorgen, kunnen jullie drie licenties toevoegen voor ons? Alvast bedankt voor de hulp, met vriendelijke groeten";
        assert_eq!(detect(text), Some(Language::Fr));
    }
}
