//! The parse stage: raw mail bytes in, a [`Parsed`] request out.
//!
//! Pure by design: no I/O, no store, no clock. That keeps it the cheap, exhaustive test target
//! (`seatmail parse` prints exactly this value) and lets the daemon contain it: a panic in a
//! dependency becomes `needs_review` for that one mail instead of a dead daemon.
//!
//! The parser is built to be *right or unsure*: where the mail does not say something clearly the
//! outcome is [`Outcome::Ambiguous`] with a reason the clarification answer can quote, never a guess.
//!
//! This module depends only on external crates (never on other seatmail modules), so it can be
//! built and tested on its own.

mod classify;
mod decode;
mod extract;
mod fuzzy;
mod language;
mod lexicon;
mod numbers;
mod products;
mod quote;
mod rx;
mod understand;

use serde::Serialize;

pub use language::Language;
pub use products::{Catalog, CatalogError, Product};

/// What kind of mail this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A seat change request with at least one fully understood item.
    Request,
    /// Looks like a request but something is missing or contradictory: ask, never guess.
    Ambiguous,
    /// A question, quote request, thanks, complaint, newsletter, spam...
    NotARequest,
    /// RFC 3834 auto-reply, out-of-office, helpdesk acknowledgement.
    AutoReply,
    /// Delivery status notification or other bounce.
    Bounce,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Request => "request",
            Outcome::Ambiguous => "ambiguous",
            Outcome::NotARequest => "not_a_request",
            Outcome::AutoReply => "auto_reply",
            Outcome::Bounce => "bounce",
        }
    }
}

/// The change asked for one subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Add (positive) or remove (negative) seats. Never zero.
    Delta(i64),
    /// The new total number of seats.
    Target(i64),
}

/// One requested change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Lowercased Office 365 username (UPN) naming the tenant, if the mail gives one.
    pub username: Option<String>,
    pub change: Change,
    /// Microsoft SKU part number (e.g. `O365_BUSINESS_PREMIUM`), if the mail names a product.
    pub product: Option<String>,
}

/// Headers the later stages need (sender checks, loop checks, threading). Not part of the
/// `parse --json` contract.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    pub subject: Option<String>,
    /// Raw value of the Date header, if any.
    pub date: Option<String>,
    /// Every address of every From header, lowercased, in order.
    pub from_all: Vec<String>,
    /// Display name of the first From address.
    pub from_name: Option<String>,
    /// Lowercased address of the Sender header.
    pub sender: Option<String>,
    /// Lowercased addresses of Reply-To.
    pub reply_to: Vec<String>,
    /// Message-IDs (without angle brackets) of In-Reply-To.
    pub in_reply_to: Vec<String>,
    /// Message-IDs (without angle brackets) of References.
    pub references: Vec<String>,
    /// Every Authentication-Results header value, topmost first.
    pub authentication_results: Vec<String>,
    pub list_id: Option<String>,
    pub precedence: Option<String>,
    pub auto_submitted: Option<String>,
    /// The customer's own words (quotes, signatures stripped), as used for understanding.
    pub text: String,
}

/// The parse result of one mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// Message-ID without angle brackets.
    pub message_id: Option<String>,
    /// Lowercased address of the (first) From.
    pub from: Option<String>,
    /// Language of the customer's own text; `None` for bounces.
    pub language: Option<Language>,
    pub outcome: Outcome,
    /// Empty unless `outcome == Request`.
    pub items: Vec<Item>,
    /// One line saying why (what is missing or contradictory, or what was understood).
    pub reason: String,
    /// For `Ambiguous`: what the clarification answer must ask (the answer is localized from
    /// this code, `reason` stays the one-line English explanation).
    pub ask: Option<Ask>,
    pub meta: Meta,
}

/// What a clarification answer asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ask {
    /// No number of seats, or several candidate numbers ("3 or 4").
    Quantity,
    /// Add or remove? A new total or a change?
    Direction,
    /// The product name fits several SKUs, or names none we know.
    Product,
    /// Subject and body (or two sentences) contradict each other.
    Contradiction,
    /// Which people / which user ("the people who left").
    Username,
    /// The mail could not be read (too large, broken MIME, no text).
    Unreadable,
}

impl Ask {
    pub fn as_str(self) -> &'static str {
        match self {
            Ask::Quantity => "quantity",
            Ask::Direction => "direction",
            Ask::Product => "product",
            Ask::Contradiction => "contradiction",
            Ask::Username => "username",
            Ask::Unreadable => "unreadable",
        }
    }
}

/// Bounds that keep one hostile mail from holding the process.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Larger mails are not parsed (outcome Ambiguous, reason says so).
    pub max_bytes: usize,
    /// More MIME parts than this: not parsed.
    pub max_parts: usize,
    /// Text considered for understanding is cut at this many characters.
    pub max_text_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_bytes: 10 * 1024 * 1024, max_parts: 100, max_text_chars: 20_000 }
    }
}

/// Parse one mail. Never panics on its own account; callers that must survive a panic in a
/// dependency use [`parse_contained`].
pub fn parse(raw: &[u8], catalog: &Catalog, limits: &Limits) -> Parsed {
    extract::parse_mail(raw, catalog, limits)
}

/// [`parse`] behind `catch_unwind`: a panic inside a dependency becomes `Err` with its message.
pub fn parse_contained(raw: &[u8], catalog: &Catalog, limits: &Limits) -> Result<Parsed, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parse(raw, catalog, limits))).map_err(|e| {
        e.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| e.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "parser panicked".to_string())
    })
}

/// The `parse --json` line for one file (the stable contract of the CLI).
#[derive(Debug, Serialize)]
pub struct JsonLine<'a> {
    pub file: &'a str,
    pub message_id: Option<&'a str>,
    pub from: Option<&'a str>,
    pub language: Option<&'static str>,
    pub outcome: &'static str,
    pub items: Vec<JsonItem<'a>>,
    pub reason: &'a str,
}

#[derive(Debug, Serialize)]
pub struct JsonItem<'a> {
    pub username: Option<&'a str>,
    pub delta: Option<i64>,
    pub target: Option<i64>,
    pub product: Option<&'a str>,
}

impl Parsed {
    pub fn to_json_line<'a>(&'a self, file: &'a str) -> JsonLine<'a> {
        JsonLine {
            file,
            message_id: self.message_id.as_deref(),
            from: self.from.as_deref(),
            language: self.language.map(Language::code),
            outcome: self.outcome.as_str(),
            items: self
                .items
                .iter()
                .map(|i| JsonItem {
                    username: i.username.as_deref(),
                    delta: match i.change {
                        Change::Delta(d) => Some(d),
                        Change::Target(_) => None,
                    },
                    target: match i.change {
                        Change::Target(t) => Some(t),
                        Change::Delta(_) => None,
                    },
                    product: i.product.as_deref(),
                })
                .collect(),
            reason: &self.reason,
        }
    }
}
