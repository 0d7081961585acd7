//! Templates → a complete answer mail: subject, text and HTML parts, threading headers and our
//! own pre-generated Message-ID (so a re-send is recognisably the same mail).
//!
//! Templates live in `templates/LANG/{subject.txt,KIND.txt,KIND.html}.j2`; the context they get
//! is documented by the samples in `templates/samples/`. They are loaded and checked once at
//! start, so a missing or broken template stops the daemon before it reads any mail.

use std::path::Path;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::Message;
use serde::Serialize;

use crate::decide::{AnswerKind, AnswerPlan, CustomerState, ItemDecision, ItemStatus};
use crate::parse::{Catalog, Change, Language, Meta};

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template {name}: {source}")]
    Template { name: String, source: minijinja::Error },
    #[error("answer mail: {0}")]
    Mail(String),
}

pub struct Renderer {
    env: minijinja::Environment<'static>,
    from: Mailbox,
    reseller_name: String,
    reseller_address: String,
    message_id_domain: String,
}

/// A rendered answer, ready for the outbox.
pub struct Rendered {
    pub message_id: String,
    pub subject: String,
    pub recipients: Vec<String>,
    pub body: Vec<u8>,
}

/// Everything the answer to one mail needs to know: what decide planned and decided (the
/// answer works nothing out again), the customer it is about and the mail it replies to.
pub struct AnswerInput<'a> {
    pub plan: &'a AnswerPlan,
    pub items: &'a [ItemDecision],
    pub customer: Option<&'a CustomerState>,
    pub catalog: &'a Catalog,
    pub sender: &'a str,
    pub meta: &'a Meta,
    pub original_message_id: Option<&'a str>,
    pub original_date: Option<String>,
    pub note: Option<&'a str>,
    /// A confirmation code and when it expires (for the `confirm` kind).
    pub code: Option<(&'a str, &'a str)>,
    /// Extra envelope recipients (a copy for the reseller), never shown in the headers.
    pub bcc: &'a [String],
}

const KINDS: [AnswerKind; 5] = [
    AnswerKind::Confirmation,
    AnswerKind::Rejection,
    AnswerKind::Clarification,
    AnswerKind::Pending,
    AnswerKind::Confirm,
];

#[derive(Serialize)]
struct ItemView {
    status: &'static str,
    rule: &'static str,
    product: Option<String>,
    product_name: Option<String>,
    username: Option<String>,
    requested: String,
    old_quantity: Option<i64>,
    new_quantity: Option<i64>,
    delta: Option<i64>,
    assigned: Option<i64>,
    available: Option<i64>,
    billing: Option<&'static str>,
    effective: Option<&'static str>,
    renewal_date: Option<String>,
    window_days: Option<i64>,
    max: Option<i64>,
    threshold: Option<i64>,
    role: Option<&'static str>,
    subscription_status: Option<&'static str>,
}

#[derive(Serialize)]
struct Person {
    name: Option<String>,
    email: String,
}

#[derive(Serialize)]
struct ProductView {
    sku: String,
    name: String,
    quantity: i64,
    assigned: i64,
}

impl Renderer {
    pub fn load(dir: &Path, from: &str, from_name: &str, message_id_domain: &str) -> Result<Renderer, RenderError> {
        let mut env = minijinja::Environment::new();
        env.set_loader(minijinja::path_loader(dir));
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html.j2") {
                minijinja::AutoEscape::Html
            } else {
                minijinja::AutoEscape::None
            }
        });
        env.set_keep_trailing_newline(true);
        for lang in Language::ALL {
            let mut names = vec![format!("{}/subject.txt.j2", lang.code())];
            for kind in KINDS {
                names.push(format!("{}/{}.txt.j2", lang.code(), kind.as_str()));
                names.push(format!("{}/{}.html.j2", lang.code(), kind.as_str()));
            }
            for name in names {
                env.get_template(&name).map_err(|source| RenderError::Template { name: name.clone(), source })?;
            }
        }
        let address = from.parse().map_err(|e| RenderError::Mail(format!("from address {from}: {e}")))?;
        Ok(Renderer {
            env,
            from: Mailbox::new(Some(from_name.to_string()), address),
            reseller_name: from_name.to_string(),
            reseller_address: from.to_string(),
            message_id_domain: message_id_domain.to_string(),
        })
    }

    pub fn new_message_id(&self) -> String {
        format!("{}.seatmail@{}", uuid::Uuid::new_v4().simple(), self.message_id_domain)
    }

    pub fn render(&self, input: &AnswerInput<'_>) -> Result<Rendered, RenderError> {
        let lang = input.plan.language.code();
        let kind = input.plan.kind.as_str();
        let ctx = self.context(input);
        let render = |name: String| {
            self.env
                .get_template(&name)
                .and_then(|t| t.render(&ctx))
                .map_err(|source| RenderError::Template { name, source })
        };
        let subject = render(format!("{lang}/subject.txt.j2"))?.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("seatmail").to_string();
        let text = render(format!("{lang}/{kind}.txt.j2"))?;
        let html = render(format!("{lang}/{kind}.html.j2"))?;
        let message_id = self.new_message_id();

        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(subject.clone())
            .message_id(Some(format!("<{message_id}>")))
            .date_now();
        let mut recipients = Vec::new();
        for to in &input.plan.to {
            builder = builder.to(mailbox(to)?);
            recipients.push(to.clone());
        }
        for cc in &input.plan.cc {
            builder = builder.cc(mailbox(cc)?);
            recipients.push(cc.clone());
        }
        for bcc in input.bcc {
            if !recipients.contains(bcc) {
                recipients.push(bcc.clone());
            }
        }
        // Threading: reply to the customer's mail, keeping the chain it belongs to.
        if let Some(orig) = input.original_message_id {
            builder = builder.in_reply_to(format!("<{orig}>"));
            let mut refs: Vec<String> = input.meta.references.iter().map(|r| format!("<{r}>")).collect();
            refs.push(format!("<{orig}>"));
            builder = builder.references(refs.join(" "));
        }
        let mut message = builder
            .multipart(MultiPart::alternative_plain_html(text, html))
            .map_err(|e| RenderError::Mail(e.to_string()))?;
        // RFC 3834: an automatic answer, so well-behaved auto-responders stay silent.
        message.headers_mut().insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-replied".to_string(),
        ));
        message.headers_mut().insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("X-Auto-Response-Suppress"),
            "All".to_string(),
        ));
        Ok(Rendered { message_id, subject, recipients, body: message.formatted() })
    }

    fn context(&self, input: &AnswerInput<'_>) -> minijinja::Value {
        let customer = input.customer;
        let sender_name = if input.meta.from_all.len() == 1 { input.meta.from_name.clone() } else { None };
        let items: Vec<ItemView> =
            input.items.iter().filter(|i| i.status != ItemStatus::Clarify).map(|i| item_view(i, input.catalog)).collect();
        let admins: Vec<Person> =
            input.plan.admins.iter().map(|a| Person { name: a.name.clone(), email: a.email.clone() }).collect();
        let products: Vec<ProductView> = customer
            .map(|c| {
                c.subscriptions
                    .iter()
                    .map(|s| ProductView {
                        sku: s.product.clone(),
                        name: input.catalog.name_of(&s.product),
                        quantity: s.quantity,
                        assigned: s.assigned,
                    })
                    .collect()
            })
            .unwrap_or_default();
        minijinja::context! {
            lang => input.plan.language.code(),
            kind => input.plan.kind.as_str(),
            reseller => minijinja::context! { name => &self.reseller_name, address => &self.reseller_address },
            customer => customer.map(|c| minijinja::context! { id => &c.customer.id, name => &c.customer.name }),
            sender => minijinja::context! { email => input.sender, name => sender_name },
            original => minijinja::context! {
                subject => input.meta.subject.as_deref(),
                date => input.original_date.as_deref(),
                message_id => input.original_message_id,
            },
            ask => input.plan.ask.map(|a| a.as_str()),
            note => input.note,
            code => input.code.map(|(c, _)| c),
            code_expires => input.code.map(|(_, e)| e),
            admins => admins,
            products => products,
            items => items,
        }
    }
}

/// One item as the templates see it (see `templates/samples/`).
fn item_view(i: &ItemDecision, catalog: &Catalog) -> ItemView {
    let applied = i.status == ItemStatus::Applied;
    let terms = i.terms.as_ref();
    let shown_total = if applied { i.new_quantity } else { i.old_quantity };
    ItemView {
        status: i.status.as_str(),
        rule: i.rule.as_str(),
        product_name: i.product.as_deref().map(|p| catalog.name_of(p)),
        product: i.product.clone(),
        username: i.username.clone(),
        requested: match i.change {
            Change::Delta(d) => format!("{d:+}"),
            Change::Target(t) => format!("= {t}"),
        },
        old_quantity: i.old_quantity,
        new_quantity: if applied || i.status == ItemStatus::Pending { i.new_quantity } else { None },
        delta: match (i.old_quantity, i.new_quantity, i.change) {
            (Some(o), Some(n), _) => Some(n - o),
            (_, _, Change::Delta(d)) => Some(d),
            (_, _, Change::Target(_)) => None,
        },
        assigned: terms.map(|t| t.assigned),
        available: terms.and_then(|t| shown_total.map(|total| total - t.assigned)),
        billing: terms.map(|t| t.billing.as_str()),
        effective: terms.and_then(|t| t.effective).map(|e| e.as_str()),
        renewal_date: terms.and_then(|t| t.renewal_date).map(|d| d.format("%Y-%m-%d").to_string()),
        window_days: terms.map(|t| t.window_days),
        max: terms.and_then(|t| t.max),
        threshold: terms.map(|t| t.threshold),
        role: i.role.map(|r| r.as_str()),
        subscription_status: terms.map(|t| t.status.as_str()),
    }
}

fn mailbox(address: &str) -> Result<Mailbox, RenderError> {
    address
        .parse::<lettre::Address>()
        .map(|a| Mailbox::new(None, a))
        .map_err(|e| RenderError::Mail(format!("recipient {address}: {e}")))
}
