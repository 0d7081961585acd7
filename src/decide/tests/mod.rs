//! Table-driven tests of every decision: a small world of two customers, every role, and mails
//! made up in a line each. Pure functions, so each case is a call and an assertion.

mod cautious;
mod codes;
mod notices;
mod requests;
mod resolutions;
mod vendor;

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use super::*;
use crate::config::{ConfirmMode, TrustRequire};
use crate::domain::{Billing, Contact, Customer, Role, Subscription, SubscriptionStatus};
use crate::parse::{Catalog, Change, Item, Language, Meta, Outcome, Parsed};

pub(super) const OURS: &str = "webservices@reseller.example";

/// What the store would hold, and the context decide runs in.
pub(super) struct World {
    pub policy: PolicyConfig,
    pub trust: TrustConfig,
    pub catalog: Catalog,
    pub now: DateTime<Utc>,
    pub answers_today: i64,
    pub own: Vec<String>,
    pub customers: HashMap<String, CustomerState>,
    pub owners: HashMap<String, String>,
}

pub(super) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap()
}

pub(super) fn today() -> NaiveDate {
    now().date_naive()
}

fn sub(id: &str, customer: &str, product: &str, quantity: i64, assigned: i64, billing: Billing, start: NaiveDate) -> Subscription {
    Subscription {
        id: id.into(),
        customer_id: customer.into(),
        product: product.into(),
        quantity,
        assigned,
        billing,
        term_start: start,
        status: SubscriptionStatus::Active,
    }
}

pub(super) fn contact(customer: &str, email: &str, role: Role, scope: &[&str]) -> Contact {
    Contact {
        customer_id: customer.into(),
        email: email.into(),
        name: None,
        role,
        scope: scope.iter().map(|s| s.to_string()).collect(),
    }
}

impl World {
    /// Contoso (C1, en): FLEX (SPB 10, 7 assigned, monthly), ANN (annual, 100 days into its
    /// term), NEW (annual, 3 days in), SUSP (suspended); a contact of every role. Fabrikam (C2,
    /// fr): BASIC 290 of a 300-seat product. group@holding.example is an admin of both.
    pub fn new() -> World {
        let mut susp = sub("SUSP", "C1", "STANDARDPACK", 5, 1, Billing::Flexible, today() - Duration::days(400));
        susp.status = SubscriptionStatus::Suspended;
        let c1 = CustomerState {
            customer: Customer { id: "C1".into(), name: "Contoso NV".into(), language: Language::En, domains: vec!["contoso.be".into()], time_zone: None },
            subscriptions: vec![
                sub("FLEX", "C1", "SPB", 10, 7, Billing::Flexible, NaiveDate::from_ymd_opt(2026, 1, 10).unwrap()),
                sub("ANN", "C1", "O365_BUSINESS_PREMIUM", 20, 5, Billing::Annual, today() - Duration::days(100)),
                sub("NEW", "C1", "EXCHANGESTANDARD", 10, 2, Billing::Annual, today() - Duration::days(3)),
                susp,
            ],
            contacts: vec![
                contact("C1", "admin@contoso.be", Role::GlobalAdmin, &[]),
                contact("C1", "billing@contoso.be", Role::BillingAdmin, &[]),
                contact("C1", "helpdesk@contoso.be", Role::UserAdmin, &[]),
                contact("C1", "service@contoso.be", Role::ServiceAdmin, &[]),
                contact("C1", "password@contoso.be", Role::PasswordAdmin, &[]),
                contact("C1", "scoped@contoso.be", Role::BillingAdmin, &["FLEX"]),
                contact("C1", "group@holding.example", Role::GlobalAdmin, &[]),
            ],
            seats_changed_today: 0,
        };
        let c2 = CustomerState {
            customer: Customer { id: "C2".into(), name: "Fabrikam SA".into(), language: Language::Fr, domains: vec!["fabrikam.fr".into()], time_zone: None },
            subscriptions: vec![sub("BASIC", "C2", "O365_BUSINESS_ESSENTIALS", 290, 100, Billing::Flexible, today() - Duration::days(200))],
            contacts: vec![
                contact("C2", "admin@fabrikam.fr", Role::GlobalAdmin, &[]),
                contact("C2", "group@holding.example", Role::GlobalAdmin, &[]),
            ],
            seats_changed_today: 0,
        };
        World {
            policy: PolicyConfig::default(),
            trust: TrustConfig { authserv_id: None, require: TrustRequire::None },
            catalog: Catalog::builtin(),
            now: now(),
            answers_today: 0,
            own: vec![OURS.into()],
            customers: HashMap::from([("C1".into(), c1), ("C2".into(), c2)]),
            owners: HashMap::from([("contoso.be".into(), "C1".into()), ("fabrikam.fr".into(), "C2".into())]),
        }
    }

    pub fn ctx(&self) -> Context<'_> {
        Context {
            policy: &self.policy,
            trust: &self.trust,
            catalog: &self.catalog,
            own_addresses: &self.own,
            default_language: Language::En,
            default_time_zone: chrono_tz::Tz::UTC,
            now: self.now,
            own_id_marker: ".seatmail@reseller.example",
            answers_today: self.answers_today,
            answer_cap: 10,
            thread_cap: 5,
        }
    }

    pub fn customer(&mut self, id: &str) -> &mut CustomerState {
        self.customers.get_mut(id).unwrap()
    }

    pub fn confirm(mut self, mode: ConfirmMode) -> World {
        self.policy.confirm_default = mode;
        self
    }

    /// What the store loads for a mail from `sender` naming `items`.
    pub fn snapshot(&self, sender: &str, items: &[Item]) -> Snapshot {
        let contacts: Vec<Contact> =
            self.customers.values().flat_map(|c| c.contacts.iter()).filter(|c| c.email == sender).cloned().collect();
        let domain_owners: HashMap<String, String> = username_domains(items)
            .into_iter()
            .filter_map(|d| self.owners.get(&d).map(|o| (d, o.clone())))
            .collect();
        let involved: Vec<&String> = contacts.iter().map(|c| &c.customer_id).chain(domain_owners.values()).collect();
        let customers = self.customers.iter().filter(|(id, _)| involved.contains(id)).map(|(k, v)| (k.clone(), v.clone())).collect();
        Snapshot { contacts, domain_owners, customers }
    }

    pub fn decide(&self, p: &Parsed) -> Decision {
        request::decide(p, &self.snapshot(p.from.as_deref().unwrap_or(""), &p.items), &self.ctx())
    }
}

/// A request mail from `from` asking for `items`.
pub(super) fn mail(from: &str, items: Vec<Item>) -> Parsed {
    Parsed {
        message_id: Some("m1@contoso.be".into()),
        from: Some(from.into()),
        language: None,
        outcome: Outcome::Request,
        items,
        reason: "a request".into(),
        ask: None,
        meta: Meta { from_all: vec![from.into()], subject: Some("Licences".into()), ..Meta::default() },
    }
}

/// The message a request mail from `from` left in `state`, as the store gives it back: the
/// store keeps neither the customer nor the terms (decide works them out again).
pub(super) fn stored(w: &World, from: &str, items: &[&str], state: crate::domain::MessageState) -> crate::decide::resolve::Held {
    let d = w.decide(&mail(from, items.iter().map(|s| item(s)).collect()));
    assert_eq!(d.state, state, "{d:#?}");
    crate::decide::resolve::Held {
        id: 7,
        state: d.state,
        reason: d.reason,
        sender: Some(from.into()),
        customer_id: d.customer_id,
        attention: d.attention,
        reviewed: false,
        items: d.items.into_iter().map(|i| ItemDecision { customer_id: None, terms: None, role: None, ..i }).collect(),
    }
}

/// `+3 SPB`, `-2 SPB`, `=15 SPB`, optionally `for user@domain`.
pub(super) fn item(spec: &str) -> Item {
    let mut words = spec.split_whitespace();
    let change = words.next().unwrap();
    let change = match change.strip_prefix('=') {
        Some(t) => Change::Target(t.parse().unwrap()),
        None => Change::Delta(change.parse().unwrap()),
    };
    let mut product = None;
    let mut username = None;
    while let Some(w) = words.next() {
        match w {
            "for" => username = words.next().map(str::to_string),
            p => product = Some(p.to_string()),
        }
    }
    Item { username, change, product }
}
