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
    license licenses thanks thank hi hello dear with of are more this that have has i my me extra additional \
    seats users user new employee employees colleague left reduce increase kind regards best from it will be \
    want them us one two three four five six seven eight nine ten no longer any";
const FR: &str = "le la les des du et pour nous vous votre vos merci bonjour pouvez pourriez ajouter supprimer \
    avec une est sur notre nos svp plaît cordialement plus aussi je il elle utilisateur utilisateurs \
    supplémentaire supplémentaires retirer enlever avons besoin au licence madame monsieur salutations \
    deux trois quatre cinq six sept huit neuf dix passer réduire augmenter nouveau nouvelle ci dessous bien";
const NL: &str = "het een van voor wij ons onze graag kunnen jullie u met licenties licentie toevoegen bedankt \
    alvast groeten goedemorgen goedemiddag dag niet meer nog aub zijn mogen bij erbij gebruiker \
    gebruikers nieuwe medewerker medewerkers collega minder verwijderen hebben wil willen zou twee drie vier vijf \
    zes zeven acht negen tien vriendelijke beste naar totaal ik mijn zie onderstaand mvg";
const DE: &str = "der das und für wir uns unsere bitte können sie ein eine mit lizenzen lizenz hinzufügen danke \
    guten tag ist nicht noch zu auf von ich mein meine benötigen brauchen weitere zusätzliche \
    benutzer mitarbeiter grüße freundlichen gerne zwei drei vier fünf sechs sieben acht neun zehn \
    entfernen reduzieren erhöhen insgesamt siehe unten viele sehr geehrte damen herren";
const SV: &str = "och att för vi oss vår våra kan ni licenser licens lägga till tack hej med är inte på av det \
    som vill ytterligare ta bort användare användarna nya anställda medarbetare hälsningar vänliga behöver \
    två tre fyra fem sex sju åtta nio tio totalt jag min mitt fler färre minska öka god morgon";

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
pub(crate) fn detect(text: &str) -> Option<Language> {
    let mut score = [0u32; 5];
    let mut seen_any = false;
    for word in text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()) {
        let w = word.to_lowercase();
        let Some(&i) = WORDS.get(w.as_str()) else { continue };
        seen_any = true;
        score[i as usize] += 1;
        let i = i as usize;
        let second = score.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, s)| *s).max().unwrap_or(0);
        // A clear lead early in the text settles it: bilingual mails get their first language.
        if score[i] >= 6 && score[i] >= second * 2 + 3 {
            return Some(Language::ALL[i]);
        }
    }
    if !seen_any {
        return None;
    }
    let best = score.iter().copied().max().unwrap_or(0);
    score.iter().position(|s| *s == best).map(|i| Language::ALL[i])
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
