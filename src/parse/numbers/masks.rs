//! The numbers of a mail that are no quantities: dates, times, phone numbers, amounts, links,
//! references, postcodes, versions, plan names, ordinals. A sentence is masked before it is cut
//! into tokens; what the masks leave is read as a number.

use std::borrow::Cow;
use std::sync::LazyLock;

use crate::parse::rx::Regex;

use super::TRAP_MARK;

const MONTHS: &str = "jan|january|janv|janvier|januari|januar|jänner|feb|february|fév|févr|février|februari|februar|\
    mar|march|mars|maart|märz|maerz|apr|april|avr|avril|may|mai|mei|maj|jun|june|juin|juni|jul|july|juil|juillet|juli|\
    aug|august|août|augustus|augusti|sep|sept|september|septembre|oct|october|octobre|okt|oktober|nov|november|novembre|\
    dec|december|décembre|dez|dezember";

/// An amount of money, its currency before or after: "€ 12,50", "5,10 €", "12 EUR", "99 kr".
const MONEY: [&str; 2] = [
    r"(?i)[€$£]\s?\d+(?:[.,]\d+)*(?:,-)?",
    r"(?i)\b\d+(?:[.,]\d+)*\s?(?:€|eur|euro|euros|usd|\$|£|gbp|kr|sek|chf|dollars?|kronor)(?:\b|\s|$)",
];
static AMOUNT: LazyLock<Regex> = LazyLock::new(|| Regex::new(&MONEY.join("|")).expect("the money patterns are valid"));

/// The text names an amount of money.
pub(crate) fn names_amount(text: &str) -> bool {
    AMOUNT.is_match(text)
}

/// Links: whatever digits a URL holds. Masked first, and the only mask that needs no digit.
static LINK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\b(?:https?://|www\.)\S+").expect("link regex"));

/// Everything else that looks like a number but is no quantity; each pattern needs a digit.
static MASKS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    let pats: Vec<String> = vec![
        // Codes of digit groups joined by a slash and a dash: a budget article "831/123-13", never "-13".
        r"\b\d+(?:/\d+)+-\d+\b|\b\d+-\d+(?:/\d+)+\b".into(),
        // Labelled identifiers: tickets, references, "#778", "nr 12" are never quantities.
        r"(?i)(?:\b(?:ticket|case|incident|ref|reference|referentie|référence|referenz|kenmerk|nr|no|nummer|numéro|n°|nº|id|project|projekt|projet|dossier|art|artikel|article|amt|abteilung|afdeling|department|dept)\b\.?|[n]°|#)\s*[:#.]?\s*(?:(?-i:[A-Z]{1,4})[-\s]?)?\d[\d./\-]*".into(),
        // Order/PO/invoice/customer/VAT numbers only when labelled as a number ("order: 12", "PO nr 12").
        r"(?i)\b(?:order|orders|bestelling|bestelnummer|commande|bestellung|beställning|po|p\.o\.|purchase order|invoice|factuur|facture|rechnung|faktura|klantnummer|klantnr|customer|client|kunde|kundennummer|kundnummer|contract|contrat|vertrag|avtal|vat|btw|tva|ust|ust-idnr|moms|momsnr|iban|bic|kbo|ondernemingsnummer|org\.?nr)\b\.?\s*(?:(?:number|nummer|nr|no|n°|numéro|id)\.?\s*[:#]?|[:#])\s*(?:(?-i:[A-Z]{1,4})[-\s]?)?\d[\d./\-]*".into(),
        r"(?i)\b(?:po|p\.o\.|btw|tva|vat|ust|moms|iban|kbo)\s*(?-i:[A-Z]{0,4})[-\s]?\d[\d./\-]*".into(),
        r"(?i)\b(?:tel|tél|phone|telefoon|telefon|téléphone|gsm|mobile|mobiel|mobil|handy|fax|tfn|mob|t|m)\b\.?\s*[:.]?\s*[+\d(][\d\s./()\-]{5,}\d".into(),
        // IBAN and European VAT numbers.
        r"(?i)\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?\b".into(),
        r"(?i)\b(?:BE|NL|FR|DE|SE|LU|AT|CH)\s?0?\d[\d.\s]{7,13}\d\b".into(),
        // Phone numbers.
        r"(?:\+|\b00)\d[\d\s./()\-]{6,}\d".into(),
        // French and Belgian numbers in pairs: "06 12 34 56 78", "04.12.34.56.78".
        r"\b0\d(?:[\s./\-]\d{2}){4}\b".into(),
        r"\b0\d{1,3}[\s./\-]?\d{2,3}[\s./\-]?\d{2}[\s./\-]?\d{2,3}\b".into(),
        // Dates.
        r"\b\d{1,4}[\-/.]\d{1,2}[\-/.]\d{1,4}\b".into(),
        // "12-14 march", "du 3 au 5 mai", "3. bis 5. Mai": a span of days.
        format!(r"(?i)\b\d{{1,2}}\.?\s?(?:[-–]|to|tot|au|bis|till)\s?\d{{1,2}}(?:st|nd|rd|th|er|e|\.)?\s*(?:of\s+)?(?:{MONTHS})\b\.?"),
        format!(r"(?i)\b\d{{1,2}}(?:st|nd|rd|th|er|e|ème|eme|ste|de|te|\.|:e|:a)?\s*(?:of\s+)?(?:{MONTHS})\b\.?(?:\s*\d{{4}})?"),
        // "March 3" is a date in English word order, but "ab April 3 Lizenzen" is a quantity: only
        // when a preposition, a year, an ordinal or the end of the phrase says date.
        // "benötigen ab April 9", "vanaf mei 12": the languages that write the day first mean a
        // count after "from <month>"; the month alone is masked, so the next pattern leaves the number.
        format!(r"(?i)\b(?:ab|vanaf|vanaf\s+eind|från|from\s+och\s+med|dès|seit)\s+(?:{MONTHS})\b\.?"),
        format!(r"(?i)\b(?:on|by|from|until|till|before|after|since|per)\s+(?:{MONTHS})\.?\s+(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s*\d{{4}})?"),
        format!(r"(?i)\b(?:{MONTHS})\.?\s+(?:the\s+)?\d{{1,2}}(?:(?:st|nd|rd|th)\b|,?\s*\d{{4}}\b|\s*[,.;:!?)]|\s*$|\s+(?:at|om|à|um|kl)\b)"),
        r"\b\d{1,2}/\d{1,2}\b".into(),
        // "la nouvelle assistante qui commence le 14", "à partir du 4", "dès le 2", "avant le 18",
        // "jusqu'au 20": a day of the month, in French without its month.
        r"(?i)\b(?:(?:commence|commencent|arrive|arrivent|démarre|démarrent|débute|débutent|avant|après|d'ici|plus\s+tard)\s+le|à\s+partir\s+du|jusqu'au|dès\s+le)\s+\d{1,2}(?:er|e)?\b".into(),
        // Times.
        // "10:12", "10h12", "10 h 12".
        r"(?i)\b\d{1,2}[:h.]\d{2}\b|\b\d{1,2}\s?h\s?\d{2}\b".into(),
        r"(?i)\b\d{1,2}\s?(?:am|pm|a\.m\.|p\.m\.|uur|u|uhr|h|heures?)\b".into(),
        // "next Tuesday at 9", "morgen um 8": an hour after a day, without its unit.
        r"(?i)\b(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|tomorrow|morning|(?:maan|dins|woens|donder|vrij|zater|zon)dag|morgen|ochtend|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|demain|matin|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|früh|(?:mån|tis|ons|tors|fre|lör|sön)dag|imorgon)\s+(?:at|om|à|um|kl\.?|klockan|vers|rond|tegen)\s+\d{1,2}\b".into(),
        // Prices, decimals and percentages.
        MONEY[0].into(),
        MONEY[1].into(),
        r"\b\d+[.,]\d+\b".into(),
        r"\b\d+\s?%".into(),
        // Versions and product generations: Office 2016, Windows 11, Microsoft 365, Plan 1, E3, P1.
        r"(?i)\b(?:office|windows|win|server|exchange|sql|sharepoint|visio|version|versie|versión|v|iphone|ios|android)\s?\d+(?:\.\d+)*\b".into(),
        r"(?i)\b(?:microsoft|office|ms|m|o)\s?365\b|\b365\b".into(),
        r"(?i)\b(?:plan|abonnement|abonnemang|stufe|tier|niveau|level)\s?\(?\d\)?".into(),
        r"(?i)\b[a-wyz]\d\b".into(),
        // Measures: "4 200 m²", "14 GB", "50 Go" (French gigaoctets), "12 ha", "3 tonnes".
        r"(?i)\b\d{1,3}(?:[\s.,]\d{3})*(?:[.,]\d+)?\s?(?:m²|m³|(?:m2|m3|km|kg|ha|hectares?|tonnes?|tons?|liters?|litres?|gb|tb|mb|kwh|(?-i:Go|Mo))\b)".into(),
        // Durations: "12 months", "binnen 2 dagen", "30 Tage".
        r"(?i)\b\d+\s*(?:days?|weeks?|months?|years?|hours?|minutes?|jours?|semaines?|mois|ans|années?|heures?|dagen|dag|weken|week|maanden|maand|jaar|jaren|uur|uren|minuten|tage?n?|wochen?|monate?n?|jahre?n?|stunden?|dagar|veckor|vecka|månader|månad|år|timmar|timme)\b".into(),
        // House numbers after a street word.
        // Dutch, German and Swedish street words end a compound ("Kerkstraat 12", "Lindenstraße
        // 40", "Storgatan 5"); English and French ones stand alone ("Station Road 3", never the
        // "ave" of "have 12").
        r"(?i)(?:\b[\p{L}\-]*(?:straat|laan|plein|dreef|steenweg|kaai|markt|straße|strasse|gasse|platz|allee|gatan|vägen|torget|gränd)|\b[\p{L}\-]{3,}(?:weg|lei|väg)|\b(?:street|road|rd|avenue|ave|lane|rue|chaussée|boulevard|bd|place|str|ring))\.?\s+\d+[a-z]?(?:\s?[-/]\s?\d+)?\b".into(),
        // Street names that come before the number: "Avenue Louise 149/24", "rue de la Loi 16".
        r"(?i)\b(?:avenue|av\.|rue|chaussée|chaussee|boulevard|bd|place|quai|allée|route|chemin|impasse|square|via)(?:\s+[\p{L}'\-]+){0,4}\s+\d+[a-z]?(?:\s?[-/]\s?\d+)?\b".into(),
        // English order: "14 Station Road".
        r"\b\d+[a-zA-Z]?\s+(?:[A-Z][a-z]+\s+){1,3}(?:Road|Street|Avenue|Lane|Drive|Way|Rd|St|Square|Place|Park)\b".into(),
        // "Bruul 45, 2800 Mechelen": a number between a name and a postcode is a house number.
        r"\b\p{Lu}[\p{L}'\-]+\s+\d{1,4}[a-zA-Z]?(?:\s*(?:bus|bte|boîte|box)\s*\d+)?\s*,\s*(?:[A-Z]{1,2}-)?\d{4,5}\b".into(),
        // Fractions, house numbers "149/24", dates "3/3".
        r"\b\d+/\d+\b".into(),
        // "vanaf volgende week 14": "next week" is a time, not the week numbered 14 (masked
        // before the numbered things; "last week" stays: it says a change was made before).
        r"(?i)\b(?:next|this|coming|volgende|komende|deze|prochaine|cette|nächste|nächsten|kommende|diese|dieser|nästa|denna)\s+(?:week|semaine|woche|vecka)\b".into(),
        // Numbered things, alone or a span of them ("Gewächshaus 1 bis 3", "floors 2-5"): "shift 2", "hall 3", "week 14", "vecka 14", "KW 12", "room 5", the "box 3"
        // ("bus 3", "bte 3") of a Belgian address.
        r"(?i)\b(?:shift|hall|room|floor|building|step|option|page|line|lijn|ligne|zeile|rad|point|zaal|kamer|verdieping|ploeg|hal|étage|salle|bureau|raum|halle|etage|stock|schicht|rum|våning|skift|week|weke|vecka|semaine|woche|kw|wk|level|fase|phase|stap|étape|schritt|steg|sprint|release|lot|los|perceel|parcelle|batch|presse|machine|maschine|kassa|caisse|kasse|werf|chantier|baustelle|magasin|winkel|filiaal|vestiging|shop|store|branch|filiale|butik|succursale|agence|campus|bloc|blok|block|klas|classe|class|route|rit|tournée|magazijn|warehouse|entrepôt|lager|depot|dépôt|bygge|lokaal|local|auditoire|aula|gate|quai|dock|box|bus|bte|boîte|boite|serre|kas|greenhouse|gewächshaus|växthus)s?\s*\d+(?:\s*(?:-|–|bis|tot|t/m|to|à|au|till)\s*\d+)?\b".into(),
        // The same as the head of a compound: "sorteerlijn 2", "Produktionslinie 3", "packlinje 1".
        r"(?i)\b\p{L}{3,}(?:lijn|linie|linje)\s*\d+\b".into(),
        // Postcodes: Dutch "1234 AB", and 4-5 digits before a capitalised place name.
        r"\b[1-9]\d{3}\s?[A-Z]{2}\b".into(),
        r"\b(?:[A-Z]-)?\d{4,5}\s+[A-ZÀ-Ý][a-zà-ÿ]{2,}".into(),
        // Enumerations at the start of a line: "1." / "2)".
        r"(?m)^\s*\d{1,2}[.)]\s".into(),
        // Ordinals: 1st, 2nd, 3e, 2ème, 1er, 3:e.
        r"(?i)\b\d+(?:st|nd|rd|th|er|ère|ème|eme|e|de|ste|:e|:a)\b".into(),
    ];
    pats.iter().map(|p| Regex::new(p).expect("the mask patterns are valid")).collect()
});

/// Whether `w` (any case) is a month name or abbreviation in one of the five languages.
pub(crate) fn is_month(w: &str) -> bool {
    let w = w.trim_end_matches('.').to_lowercase();
    MONTHS.split('|').any(|m| m.trim() == w)
}

/// Replace everything that looks like a number but is not a quantity by a trap mark.
pub(crate) fn mask(text: &str) -> String {
    let mut s = LINK.replace_all(text, TRAP_MARK).into_owned();
    // Most sentences have no digit, and the number masks were a tenth of the parse time.
    if !s.chars().any(char::is_numeric) {
        return s;
    }
    for re in MASKS.iter() {
        if let Cow::Owned(masked) = re.replace_all(&s, TRAP_MARK) {
            s = masked;
        }
    }
    s
}
