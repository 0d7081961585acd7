//! The reseller's world as seatmail sees it: customers, their tenant, subscriptions and contacts,
//! and the states a mail can end in.
//!
//! These types are shared by the stages (decide reads them, the store loads and saves them, the
//! CLI and the dashboard print them), so they live here rather than in any one stage. Each enum
//! parses from, and prints as, exactly the word used in the CSV files, the database and the JSON
//! output; the store decodes every row into them once, and an unknown word is an error there.

use chrono::NaiveDate;
use serde::Serialize;

use crate::parse::Language;

/// An enum whose variants are stored and printed as fixed words: `as_str`, `ALL`, `FromStr`
/// (an unknown word is an error naming the known ones), `Display` and `Serialize`.
macro_rules! word_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
        pub enum $name { $($(#[$vm])* #[serde(rename = $word)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s.trim().to_ascii_lowercase().as_str() {
                    $($word => Ok($name::$variant),)+
                    other => Err(format!(
                        "`{other}` is not one of {}",
                        [$($word),+].join(", ")
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use word_enum;

word_enum!(
    /// Microsoft 365 admin roles, as far as seat changes go.
    Role {
        GlobalAdmin = "global_admin",
        BillingAdmin = "billing_admin",
        UserAdmin = "user_admin",
        ServiceAdmin = "service_admin",
        PasswordAdmin = "password_admin",
    }
);

word_enum!(
    /// `flexible` is month to month; `annual` is a yearly commitment.
    Billing { Flexible = "flexible", Annual = "annual" }
);

word_enum!(
    SubscriptionStatus { Active = "active", Suspended = "suspended", Expired = "expired" }
);

word_enum!(
    /// The one recorded end state of every incoming mail.
    MessageState {
        Applied = "applied",
        Rejected = "rejected",
        AwaitingApproval = "awaiting_approval",
        NeedsReview = "needs_review",
        Ignored = "ignored",
    }
);

word_enum!(
    /// What became of one item of a request.
    ItemStatus {
        Applied = "applied",
        Rejected = "rejected",
        /// Held: for ops, or for the customer's confirmation code.
        Pending = "pending",
        /// Not decided: the mail is answered with a question instead.
        Clarify = "clarify",
    }
);

word_enum!(
    /// The kinds of answer mail, one template structure each.
    AnswerKind {
        Confirmation = "confirmation",
        Rejection = "rejection",
        Clarification = "clarification",
        Pending = "pending",
        /// Asks the customer's admin to confirm with a one-time code.
        Confirm = "confirm",
    }
);

word_enum!(
    /// Why a rejected mail still waits in the ops queue until a person has seen it.
    Attention {
        /// Not a registered contact: perhaps a new admin to register.
        UnknownSender = "unknown_sender",
        /// A registered address that failed authentication: perhaps a forgery.
        Unauthenticated = "unauthenticated",
        /// A username of another customer's tenant, or of no known tenant.
        Flagged = "flagged",
    }
);

word_enum!(
    /// Where an answer is on its way out.
    OutboxState { Pending = "pending", Sent = "sent", Dead = "dead" }
);

word_enum!(
    /// Mails to reseller ops (`[ops] notify`), never to a customer.
    OpsMailKind {
        /// One item entered the queue (or an answer died).
        Notice = "notice",
        /// The items the notices' cap held back in a window.
        Summary = "summary",
        /// The daily digest: what waits, what was applied.
        Digest = "digest",
    }
);

/// What an outbox row carries: an answer to a customer, or a mail to ops. Stored and printed
/// as the kind's own word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum MailKind {
    Answer(AnswerKind),
    Ops(OpsMailKind),
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Answer(k) => k.as_str(),
            MailKind::Ops(k) => k.as_str(),
        }
    }
}

impl std::str::FromStr for MailKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        s.parse().map(MailKind::Answer).or_else(|_| s.parse().map(MailKind::Ops)).map_err(|_| {
            let words: Vec<&str> = AnswerKind::ALL.iter().map(|k| k.as_str()).chain(OpsMailKind::ALL.iter().map(|k| k.as_str())).collect();
            format!("`{s}` is not one of {}", words.join(", "))
        })
    }
}

impl std::fmt::Display for MailKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

word_enum!(
    /// Why reseller ops are told about an item: what entered the queue, or died in the outbox.
    NoticeKind {
        /// A request held for ops (approval threshold, daily limit) or for the customer's code.
        Held = "held",
        /// A mail needing review.
        Review = "review",
        /// A username of another customer's tenant, or of none we know.
        Flagged = "flagged",
        /// A registered address that failed authentication: perhaps a forgery.
        Unauthenticated = "unauthenticated",
        /// Not a registered contact.
        UnknownSender = "unknown_sender",
        /// An answer the outbox gave up on.
        DeadAnswer = "dead_answer",
    }
);

word_enum!(
    /// What a person did with a queued mail.
    OpsVerdict {
        Approved = "approved",
        Rejected = "rejected",
        Corrected = "corrected",
        /// A mail needing review, closed without a change.
        Dismissed = "dismissed",
        /// A rejected mail a person has looked at.
        Seen = "seen",
    }
);

word_enum!(
    /// What the items a person decided on asked for: the kinds of change `[policy.cautious]`
    /// holds, or both in one mail.
    ChangeKind { Increase = "increase", Decrease = "decrease", Mixed = "mixed" }
);

word_enum!(
    /// Where a change is on its way to the vendor (`[vendor]`): due, tried and due again, or
    /// settled — confirmed, refused by the vendor, or given up until ops retry it.
    JobState {
        Pending = "pending",
        Retrying = "retrying",
        Confirmed = "confirmed",
        Refused = "refused",
        Failed = "failed",
    }
);

impl JobState {
    /// Not settled: the job still holds its answer, and the subscription's later jobs wait.
    pub fn unsettled(self) -> bool {
        matches!(self, JobState::Pending | JobState::Retrying | JobState::Failed)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Customer {
    pub id: String,
    pub name: String,
    pub language: Language,
    pub domains: Vec<String>,
    /// Times in its answers are given in this zone; `[answers] time_zone` when none.
    pub time_zone: Option<chrono_tz::Tz>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subscription {
    pub id: String,
    pub customer_id: String,
    pub product: String,
    pub quantity: i64,
    pub assigned: i64,
    pub billing: Billing,
    pub term_start: NaiveDate,
    pub status: SubscriptionStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub customer_id: String,
    /// Lowercased.
    pub email: String,
    pub name: Option<String>,
    pub role: Role,
    /// Subscription ids this contact may change; empty means all of the customer's.
    pub scope: Vec<String>,
}

impl Contact {
    pub fn may_touch(&self, subscription_id: &str) -> bool {
        self.scope.is_empty() || self.scope.iter().any(|s| s == subscription_id)
    }
}

/// The domain of an address or UPN, lowercased.
pub fn domain_of(address: &str) -> Option<String> {
    address.rsplit_once('@').map(|(_, d)| d.trim().trim_end_matches('>').to_ascii_lowercase()).filter(|d| !d.is_empty())
}
