//! The product catalog (`config/products.toml`) and the recognition of product names in text.
//!
//! Customers write official names, old names, abbreviations and localized forms. Every alias is
//! matched case-insensitively with punctuation and spacing ignored, the longest alias at a place
//! wins (so "Office 365 Business Premium", the old name of Business Standard, beats the bare
//! "Business Premium" that today means Microsoft 365 Business Premium), and an alias listed under
//! two SKUs (a bare "E3") is reported as ambiguous rather than guessed.

use std::collections::BTreeMap;
use std::path::Path;

use crate::parse::rx::Regex;
use serde::Deserialize;

/// One SKU the reseller sells.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Product {
    pub sku: String,
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub max_seats: Option<i64>,
    /// Names that name the product only right after a quantity ("2 Basic", "une Basic"): alone,
    /// "basic" is an everyday word (and English "a" is no quantity here: "a basic question").
    #[serde(default)]
    pub counted: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read product catalog {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("product catalog {path} is not valid TOML: {message}")]
    Toml { path: String, message: String },
    #[error("product catalog {path}: product #{index} has an empty sku")]
    EmptySku { path: String, index: usize },
    #[error("product catalog {path}: sku {sku} is listed twice")]
    DuplicateSku { path: String, sku: String },
    #[error("product catalog {path}: sku {sku} has max_seats {max} (must be positive)")]
    BadMaxSeats { path: String, sku: String, max: i64 },
    #[error("product catalog {path} lists no product")]
    Empty { path: String },
}

#[derive(Deserialize)]
struct CatalogFile {
    #[serde(default)]
    product: Vec<Product>,
}

/// What a product mention in text resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mention {
    One(String),
    /// The name fits several SKUs (sorted).
    Several(Vec<String>),
}

impl Mention {
    /// The SKU, when the mention names exactly one.
    pub fn sku(&self) -> Option<&str> {
        match self {
            Mention::One(sku) => Some(sku),
            Mention::Several(_) => None,
        }
    }
}

/// A product mention found in text, with its byte span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub start: usize,
    pub end: usize,
    pub mention: Mention,
}

#[derive(Debug, Clone)]
pub struct Catalog {
    products: Vec<Product>,
    /// Normalized alias -> SKUs it names.
    aliases: BTreeMap<String, Vec<String>>,
    matcher: Option<Regex>,
    /// Names counted right after a quantity (group 1), and the SKU each names.
    counted: Option<(Regex, BTreeMap<String, String>)>,
    /// Words of the product names, built once: the typo corrector asks for them per mail.
    vocabulary: Vec<String>,
}

impl Catalog {
    pub fn from_toml_str(s: &str) -> Result<Catalog, CatalogError> {
        Self::from_toml_named(s, "<string>")
    }

    pub fn load(path: &Path) -> Result<Catalog, CatalogError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Io { path: name.clone(), source })?;
        Self::from_toml_named(&text, &name)
    }

    pub fn builtin() -> Catalog {
        // The shipped file is covered by a unit test, so failing here is a build defect.
        Self::from_toml_named(include_str!("../../config/products.toml"), "config/products.toml")
            .expect("built-in product catalog is valid")
    }

    fn from_toml_named(s: &str, path: &str) -> Result<Catalog, CatalogError> {
        let file: CatalogFile =
            toml::from_str(s).map_err(|e| CatalogError::Toml { path: path.to_string(), message: e.to_string() })?;
        if file.product.is_empty() {
            return Err(CatalogError::Empty { path: path.to_string() });
        }
        let mut aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (i, p) in file.product.iter().enumerate() {
            if p.sku.trim().is_empty() {
                return Err(CatalogError::EmptySku { path: path.to_string(), index: i + 1 });
            }
            if file.product[..i].iter().any(|q| q.sku == p.sku) {
                return Err(CatalogError::DuplicateSku { path: path.to_string(), sku: p.sku.clone() });
            }
            if let Some(max) = p.max_seats.filter(|m| *m <= 0) {
                return Err(CatalogError::BadMaxSeats { path: path.to_string(), sku: p.sku.clone(), max });
            }
            let names = std::iter::once(&p.name).chain(p.aliases.iter()).chain(std::iter::once(&p.sku));
            for a in names {
                let n = normalize(a);
                if n.is_empty() {
                    continue;
                }
                let skus = aliases.entry(n).or_default();
                if !skus.contains(&p.sku) {
                    skus.push(p.sku.clone());
                    skus.sort();
                }
            }
        }
        let matcher = build_matcher(aliases.keys());
        let vocabulary = vocabulary(&aliases);
        let counted_names: BTreeMap<String, String> =
            file.product.iter().flat_map(|p| p.counted.iter().map(|n| (normalize(n), p.sku.clone()))).filter(|(n, _)| !n.is_empty()).collect();
        let counted = (!counted_names.is_empty())
            .then(|| {
                let alts: Vec<String> = counted_names.keys().map(|n| regex::escape(n)).collect();
                Regex::new(&format!(r"(?i)\b(?:\d{{1,4}}|one|une?|een|ein|eine|einen|en|ett)\s+({})\b", alts.join("|"))).ok().map(|re| (re, counted_names))
            })
            .flatten();
        Ok(Catalog { products: file.product, aliases, matcher, counted, vocabulary })
    }

    pub fn get(&self, sku: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.sku == sku)
    }

    pub fn name_of(&self, sku: &str) -> String {
        self.get(sku).map(|p| p.name.clone()).unwrap_or_else(|| sku.to_string())
    }

    pub fn products(&self) -> &[Product] {
        &self.products
    }

    /// Words of the product names (folded, 4+ letters), for typing-error correction.
    pub(crate) fn vocabulary(&self) -> &[String] {
        &self.vocabulary
    }

    /// Every product mention in `text`, left to right, longest alias first at each place.
    pub(crate) fn find(&self, text: &str) -> Vec<Found> {
        let Some(re) = &self.matcher else { return Vec::new() };
        let mut found: Vec<Found> = re
            .find_iter(text)
            .filter_map(|m| {
                let skus = self.aliases.get(&normalize(m.as_str()))?;
                let mention = match skus.as_slice() {
                    [one] => Mention::One(one.clone()),
                    _ => Mention::Several(skus.clone()),
                };
                Some(Found { start: m.start(), end: m.end(), mention })
            })
            .collect();
        if let Some((re, names)) = &self.counted {
            let before = found.len();
            for c in re.captures_iter(text) {
                let Some(m) = c.get(1) else { continue };
                let Some(sku) = names.get(&normalize(m.as_str())) else { continue };
                if !found[..before].iter().any(|f| f.start < m.end() && m.start() < f.end) {
                    found.push(Found { start: m.start(), end: m.end(), mention: Mention::One(sku.clone()) });
                }
            }
            found.sort_by_key(|f| f.start);
        }
        found
    }
}

/// Lowercase, every run of non-alphanumerics becomes one space.
fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(w.chars().flat_map(char::to_lowercase));
    }
    out
}

fn vocabulary(aliases: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    let mut v: Vec<String> = aliases
        .keys()
        .flat_map(|a| a.split(' '))
        .filter(|w| w.chars().count() >= 4 && w.chars().all(char::is_alphabetic))
        .map(super::fuzzy::fold)
        .collect();
    v.sort();
    v.dedup();
    v
}

fn build_matcher<'a>(aliases: impl Iterator<Item = &'a String>) -> Option<Regex> {
    let mut list: Vec<&String> = aliases.collect();
    // Leftmost-first alternation: longer aliases first so the longest name at a place wins.
    list.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    let alts: Vec<String> = list
        .iter()
        .map(|a| a.split(' ').map(regex::escape).collect::<Vec<_>>().join(r"[\s\-_()/.,:]*"))
        .collect();
    if alts.is_empty() {
        return None;
    }
    Regex::new(&format!(r"(?i)\b(?:{})\b", alts.join("|"))).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(c: &Catalog, text: &str) -> Vec<Mention> {
        c.find(text).into_iter().map(|f| f.mention).collect()
    }

    fn sku(s: &str) -> Mention {
        Mention::One(s.to_string())
    }

    #[test]
    fn builtin_catalog_loads_with_caps() {
        let c = Catalog::builtin();
        assert!(c.products().len() >= 14);
        assert_eq!(c.get("SPB").and_then(|p| p.max_seats), Some(300));
        assert_eq!(c.get("ENTERPRISEPACK").and_then(|p| p.max_seats), None);
        assert_eq!(c.name_of("O365_BUSINESS_PREMIUM"), "Microsoft 365 Business Standard");
        assert_eq!(c.name_of("NOPE"), "NOPE");
    }

    #[test]
    fn a_counted_name_names_its_product_only_after_a_quantity() {
        let c = Catalog::builtin();
        for text in ["Graag 2 Basic erbij", "en retirer une Basic", "one Basic for Tom"] {
            assert_eq!(one(&c, text), vec![sku("O365_BUSINESS_ESSENTIALS")], "{text}");
        }
        assert_eq!(one(&c, "a basic question about our 2 Business Standard"), vec![sku("O365_BUSINESS_PREMIUM")]);
        assert_eq!(one(&c, "2 Business Basic"), vec![sku("O365_BUSINESS_ESSENTIALS")]);
        assert_eq!(one(&c, "vijf licenties minder van office 365 business basic"), vec![sku("O365_BUSINESS_ESSENTIALS")]);
    }

    #[test]
    fn old_and_new_business_premium() {
        let c = Catalog::builtin();
        assert_eq!(one(&c, "3 extra Business Premium please"), vec![sku("SPB")]);
        assert_eq!(one(&c, "Office 365 Business Premium licenties"), vec![sku("O365_BUSINESS_PREMIUM")]);
        assert_eq!(one(&c, "deux licences Microsoft 365 Business Premium"), vec![sku("SPB")]);
        assert_eq!(one(&c, "M365 BP"), vec![sku("SPB")]);
        assert_eq!(one(&c, "zwei Lizenzen Business Standard"), vec![sku("O365_BUSINESS_PREMIUM")]);
        assert_eq!(one(&c, "Office 365 Business Essentials"), vec![sku("O365_BUSINESS_ESSENTIALS")]);
    }

    #[test]
    fn e3_f3_are_ambiguous_alone() {
        let c = Catalog::builtin();
        assert!(matches!(one(&c, "add 2 E3 licences")[..], [Mention::Several(_)]));
        assert!(matches!(one(&c, "3 F3")[..], [Mention::Several(_)]));
        assert_eq!(one(&c, "O365 E3"), vec![sku("ENTERPRISEPACK")]);
        assert_eq!(one(&c, "Microsoft 365 E3"), vec![sku("SPE_E3")]);
        assert_eq!(one(&c, "Office 365 E1"), vec![sku("STANDARDPACK")]);
    }

    #[test]
    fn exchange_plans_in_every_language() {
        let c = Catalog::builtin();
        assert_eq!(one(&c, "Exchange Online (Plan 1)"), vec![sku("EXCHANGESTANDARD")]);
        assert_eq!(one(&c, "exchange online abonnement 1"), vec![sku("EXCHANGESTANDARD")]);
        assert_eq!(one(&c, "Exchange Online (abonnemang 2)"), vec![sku("EXCHANGEENTERPRISE")]);
        assert_eq!(one(&c, "Exchange Online Plan 2"), vec![sku("EXCHANGEENTERPRISE")]);
        assert!(matches!(one(&c, "Exchange Online")[..], [Mention::Several(_)]));
        assert_eq!(one(&c, "Microsoft 365 Apps voor bedrijven"), vec![sku("O365_BUSINESS")]);
    }

    #[test]
    fn catalog_errors_name_the_problem() {
        let e = Catalog::from_toml_str("[[product]]\nsku = \"A\"\nname = \"x\"\n[[product]]\nsku = \"A\"\nname = \"y\"\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("sku A is listed twice"), "{e}");
        let e = Catalog::from_toml_str("[[product]\n").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("not valid TOML"), "{e}");
        assert!(Catalog::from_toml_str("").is_err());
    }
}
