//! Templates → a complete answer mail: subject, text and HTML parts, threading headers and our
//! own pre-generated Message-ID (so a re-send is recognisably the same mail).
//!
//! One template structure per kind of answer, `templates/answers/KIND.j2` (and `subject.j2`),
//! shared by every language and both formats: its words come from the language's table
//! `templates/lang/LANG.j2`, its layout from `answers/text.j2` or `answers/html.j2` (`format` in
//! the context). The HTML form is the same template rendered under the name `html:...`, which
//! turns auto-escaping on. The context is documented by the samples in `templates/samples/`.
//! Templates are loaded and checked once at start, so a missing or broken one stops the daemon
//! before it reads any mail.

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

/// The name prefix under which a template renders as HTML (auto-escaped).
const HTML: &str = "html:";

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
    /// The vendor's own words when it refused the change.
    vendor_reason: Option<String>,
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
        let files = minijinja::path_loader(dir);
        env.set_loader(move |name| files(name.strip_prefix(HTML).unwrap_or(name)));
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|name| {
            if name.starts_with(HTML) {
                minijinja::AutoEscape::Html
            } else {
                minijinja::AutoEscape::None
            }
        });
        env.set_keep_trailing_newline(true);
        let mut names: Vec<String> = Language::ALL.iter().map(|l| format!("lang/{}.j2", l.code())).collect();
        names.push("answers/subject.j2".into());
        for kind in AnswerKind::ALL {
            names.push(format!("answers/{kind}.j2"));
            names.push(format!("{HTML}answers/{kind}.j2"));
        }
        for name in names {
            env.get_template(&name).map_err(|source| RenderError::Template { name: name.clone(), source })?;
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

    /// Subject, text and HTML of an answer from its template context (what
    /// `templates/samples/*.json` show); `lang` and `kind` in the context choose the templates.
    pub fn render_parts(&self, ctx: &minijinja::Value) -> Result<(String, String, String), RenderError> {
        let kind = ctx.get_attr("kind").ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        let render = |name: String, format: &str| {
            self.env
                .get_template(&name)
                .and_then(|t| t.render(minijinja::context! { format => format, ..ctx.clone() }))
                .map_err(|source| RenderError::Template { name, source })
        };
        let subject = render("answers/subject.j2".into(), "text")?;
        let subject = subject.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("seatmail").to_string();
        let text = render(format!("answers/{kind}.j2"), "text")?;
        let html = render(format!("{HTML}answers/{kind}.j2"), "html")?;
        Ok((subject, text, html))
    }

    pub fn render(&self, input: &AnswerInput<'_>) -> Result<Rendered, RenderError> {
        let (subject, text, html) = self.render_parts(&self.context(input))?;
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
        vendor_reason: i.vendor_reason.clone(),
    }
}

fn mailbox(address: &str) -> Result<Mailbox, RenderError> {
    address
        .parse::<lettre::Address>()
        .map(|a| Mailbox::new(None, a))
        .map_err(|e| RenderError::Mail(format!("recipient {address}: {e}")))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::PathBuf;

    use super::*;
    use crate::domain::Role;

    fn templates() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("templates")
    }

    fn renderer() -> Renderer {
        Renderer::load(&templates(), "webservices@reseller.example", "Reseller Webservices", "reseller.example").unwrap()
    }

    /// Lowercased words (letters only) of `text`.
    fn words(text: &str) -> BTreeSet<String> {
        text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
    }

    /// The words a language table writes: its text outside the template tags, and the values of
    /// the tables inside them (roles, statuses, questions, months; not their keys).
    fn table_words(lang: &str) -> BTreeSet<String> {
        let source = std::fs::read_to_string(templates().join(format!("lang/{lang}.j2"))).unwrap();
        let tags = regex::Regex::new(r"(?s)\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}").unwrap();
        let literals = regex::Regex::new(r#""([^"]*)"\s*[,}\]]"#).unwrap();
        let mut text = tags.replace_all(&source, " ").into_owned();
        for tag in tags.find_iter(&source).filter(|t| !t.as_str().starts_with("{#")) {
            for l in literals.captures_iter(tag.as_str()) {
                text.push(' ');
                text.push_str(&l[1]);
            }
        }
        words(&text)
    }

    /// The words of a sample's data (names, subjects, notes): not the template's words. The
    /// stored words (a role, a rule, a status) are not: the template must translate them.
    fn data_words(v: &serde_json::Value, out: &mut BTreeSet<String>) {
        const WORDS: [&str; 9] = ["lang", "kind", "ask", "status", "rule", "billing", "effective", "role", "subscription_status"];
        match v {
            serde_json::Value::String(s) => out.extend(words(s)),
            serde_json::Value::Array(a) => a.iter().for_each(|x| data_words(x, out)),
            serde_json::Value::Object(o) => o.iter().filter(|(k, _)| !WORDS.contains(&k.as_str())).for_each(|(_, x)| data_words(x, out)),
            _ => {}
        }
    }

    /// Words a language's table shares with the English one and no other (checked: a new one is
    /// English left in that language, or a word to add here).
    const SHARED_WITH_ENGLISH: [(&str, &[&str]); 4] = [
        ("fr", &["a", "certain", "change", "confirmation", "correct", "date", "licence", "licences", "part", "question", "questions", "service", "total"]),
        ("nl", &["account", "contact", "is", "of", "pro", "product", "rata", "we"]),
        ("de", &["admin", "administrator", "also", "an", "august", "center", "domain"]),
        ("sv", &["be", "global", "start"]),
    ];

    /// Every sample of `templates/samples/` renders in every language (a missing key or table
    /// entry is an error: undefined values are), and no English word of the English table is
    /// left in another language's answer. `SEATMAIL_DUMP_SAMPLES=DIR` writes what they render
    /// to, for reading.
    #[test]
    fn every_sample_renders_in_every_language() {
        let r = renderer();
        let dump = std::env::var_os("SEATMAIL_DUMP_SAMPLES").map(PathBuf::from);
        // Words only the English table has: any of them in another language is untranslated.
        let mut english = table_words("en");
        for lang in Language::ALL.iter().filter(|l| **l != Language::En) {
            english = &english - &table_words(lang.code());
        }
        assert!(english.len() > 100 && english.contains("your") && english.contains("billing"), "{english:?}");
        // And each table shares with the English one only words that are its own too.
        for (lang, own) in SHARED_WITH_ENGLISH {
            let others = Language::ALL.iter().filter(|l| ![Language::En.code(), lang].contains(&l.code()));
            let elsewhere = others.fold(BTreeSet::new(), |acc, l| &acc | &table_words(l.code()));
            let shared = &(&table_words("en") & &table_words(lang)) - &elsewhere;
            let unexpected: Vec<&String> = shared.iter().filter(|w| !own.contains(&w.as_str())).collect();
            assert!(unexpected.is_empty(), "lang/{lang}.j2 has English words: {unexpected:?}");
        }
        let mut samples: Vec<_> = std::fs::read_dir(templates().join("samples")).unwrap().map(|e| e.unwrap().path()).collect();
        samples.sort();
        assert!(samples.len() >= 20, "the samples are there");
        let mut kinds = BTreeSet::new();
        for sample in samples {
            let mut ctx: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&sample).unwrap()).unwrap();
            kinds.insert(ctx["kind"].as_str().unwrap().to_string());
            let mut data = BTreeSet::new();
            data_words(&ctx, &mut data);
            for lang in Language::ALL {
                ctx["lang"] = lang.code().into();
                let name = format!("{} in {}", sample.file_stem().unwrap().to_string_lossy(), lang.code());
                let (subject, text, html) =
                    r.render_parts(&minijinja::Value::from_serialize(&ctx)).unwrap_or_else(|e| panic!("{name}: {e:#}"));
                assert!(!text.trim().is_empty() && html.contains("</html>") && !subject.is_empty(), "{name}");
                if lang != Language::En {
                    let left: Vec<String> = (&(&words(&format!("{subject} {text}")) - &data) & &english).into_iter().collect();
                    assert!(left.is_empty(), "{name}: English left: {left:?}\n{subject}\n{text}");
                }
                if let Some(d) = &dump {
                    let file = format!("{}.{}", sample.file_stem().unwrap().to_string_lossy(), lang.code());
                    std::fs::write(d.join(format!("{file}.txt")), format!("Subject: {subject}\n\n{text}")).unwrap();
                    std::fs::write(d.join(format!("{file}.html")), html).unwrap();
                }
            }
        }
        let all: BTreeSet<String> = AnswerKind::ALL.iter().map(|k| k.to_string()).collect();
        assert_eq!(kinds, all, "a sample of every kind of answer");
    }

    /// Every language has every key of the English table, with the same arguments, and its
    /// tables name exactly the roles, statuses and questions there are.
    #[test]
    fn every_language_has_every_key() {
        let macros = regex::Regex::new(r"\{%-? macro (\w+\([^)]*\))").unwrap();
        let keys = |lang: &str| -> BTreeSet<String> {
            let source = std::fs::read_to_string(templates().join(format!("lang/{lang}.j2"))).unwrap();
            macros.captures_iter(&source).map(|c| c[1].to_string()).collect()
        };
        let en = keys("en");
        for rule in crate::decide::Rule::ALL {
            assert!(en.contains(&format!("reason_{rule}(item, renewal)")), "a sentence for {rule}");
        }
        let r = renderer();
        let table = |lang: &str, name: &str| {
            r.env
                .render_str(&format!("{{% import 'lang/{lang}.j2' as t %}}{{% for k in t.{name} %}}{{{{ k }}}}={{{{ t.{name}[k] }}}}\n{{% endfor %}}"), ())
                .unwrap()
        };
        for lang in Language::ALL {
            let code = lang.code();
            assert_eq!(keys(code), en, "{code} has the keys of en");
            let roles: Vec<(String, String)> =
                table(code, "roles").lines().map(|l| l.split_once('=').map(|(a, b)| (a.into(), b.into())).unwrap()).collect();
            let words: BTreeSet<&str> = roles.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(words, Role::ALL.iter().map(|r| r.as_str()).collect(), "{code}: the roles Role has");
            for (role, name) in &roles {
                assert!(!name.is_empty() && !name.contains('_') && name != role, "{code}: {role} = {name}");
            }
            let statuses: BTreeSet<String> = table(code, "statuses").lines().map(|l| l.split('=').next().unwrap().to_string()).collect();
            assert_eq!(statuses, ["applied", "confirming", "pending", "rejected"].map(String::from).into(), "{code}");
            let asks: BTreeSet<String> = table(code, "asks").lines().map(|l| l.split('=').next().unwrap().to_string()).collect();
            let mut want: BTreeSet<String> =
                ["quantity", "direction", "product", "contradiction", "username", "unreadable"].map(String::from).into();
            want.insert("other".into());
            assert_eq!(asks, want, "{code}");
            let months = r.env.render_str(&format!("{{% import 'lang/{code}.j2' as t %}}{{{{ t.months|length }}}}"), ()).unwrap();
            assert_eq!(months, "12", "{code}");
        }
    }
}
