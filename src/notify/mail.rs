//! Mails to reseller ops as text: a notice, a window's summary, the daily digest. English,
//! plain text, templates embedded in the binary (`templates/ops/`): they are the reseller's own
//! working mail, not a customer's answer. Each carries our Message-ID (so a notice that comes
//! back is never processed as a request), threads under the first notice about its item, and
//! says it is automatic (RFC 3834), so no auto-responder answers it.

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::Mailbox;
use lettre::Message;
use serde::Serialize;

use crate::config::Config;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("ops mail template {name}: {source}")]
    Template { name: &'static str, source: minijinja::Error },
    #[error("ops mail: {0}")]
    Mail(String),
}

const TEMPLATES: &[(&str, &str)] = &[
    ("notice", include_str!("../../templates/ops/notice.j2")),
    ("summary", include_str!("../../templates/ops/summary.j2")),
    ("digest", include_str!("../../templates/ops/digest.j2")),
];

/// One item, as a notice tells it.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeView {
    /// "Held for approval", "Needs review"...
    pub title: String,
    /// Whom or what it is about: the customer (or sender) and the mail's subject.
    pub headline: String,
    /// What happened and what ops may do, in a sentence or two.
    pub what: String,
    /// "Customer   Contoso NV (C1)": a label and a value each, aligned.
    pub facts: Vec<String>,
    pub items: Vec<String>,
    pub link: String,
    /// Said by the window's last notice: the rest comes in the summary.
    pub cap: Option<String>,
}

/// One line of a summary or of the digest.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub title: String,
    pub headline: String,
    pub waiting: String,
    pub link: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SummaryView {
    pub from: String,
    pub until: String,
    pub cap: i64,
    pub count: usize,
    pub lines: Vec<Line>,
    /// Held back, then handled before the summary: not listed.
    pub handled: usize,
    pub queue: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CustomerChanges {
    pub customer: String,
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DigestView {
    /// "Tuesday 24 November 2026".
    pub day: String,
    /// When the 24 hours end, local.
    pub at: String,
    pub counts: crate::store::QueueCounts,
    pub waiting: Vec<Line>,
    pub applied: Vec<CustomerChanges>,
    pub queue: String,
}

/// A rendered mail to ops, ready for the outbox.
pub struct OpsMail {
    pub message_id: String,
    pub subject: String,
    pub recipients: Vec<String>,
    pub body: Vec<u8>,
}

pub struct OpsMails {
    env: minijinja::Environment<'static>,
    from: Mailbox,
    to: Vec<Mailbox>,
    recipients: Vec<String>,
    message_id_domain: String,
}

impl OpsMails {
    pub fn new(config: &Config) -> Result<OpsMails, MailError> {
        let mut env = minijinja::Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(true);
        for (name, text) in TEMPLATES {
            env.add_template(name, text).map_err(|source| MailError::Template { name, source })?;
        }
        let address = config.answers.from.parse().map_err(|e| MailError::Mail(format!("answers.from: {e}")))?;
        let to = config
            .ops
            .notify
            .iter()
            .map(|a| a.parse().map(|a| Mailbox::new(None, a)).map_err(|e| MailError::Mail(format!("ops.notify {a}: {e}"))))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(OpsMails {
            env,
            from: Mailbox::new(Some(format!("{} (seatmail)", config.answers.from_name)), address),
            to,
            recipients: config.ops.notify.clone(),
            message_id_domain: config.answers.message_id_domain().to_string(),
        })
    }

    /// A notice; `root`: the first notice about the same item, which it threads under.
    pub fn notice(&self, n: &NoticeView, root: Option<&str>) -> Result<OpsMail, MailError> {
        let text = self.render("notice", minijinja::Value::from_serialize(n))?;
        self.build(&format!("[seatmail] {}: {}", n.title, n.headline), text, root)
    }

    pub fn summary(&self, s: &SummaryView) -> Result<OpsMail, MailError> {
        let text = self.render("summary", minijinja::Value::from_serialize(s))?;
        let items = if s.count == 1 { "item" } else { "items" };
        self.build(&format!("[seatmail] Summary: {} more {items} in the queue ({} to {})", s.count, s.from, s.until), text, None)
    }

    pub fn digest(&self, d: &DigestView) -> Result<OpsMail, MailError> {
        let text = self.render("digest", minijinja::Value::from_serialize(d))?;
        let changes: usize = d.applied.iter().map(|c| c.lines.len()).sum();
        self.build(&format!("[seatmail] Digest for {}: {} waiting, {changes} seat change(s)", d.day, d.counts.total()), text, None)
    }

    fn render(&self, name: &'static str, ctx: minijinja::Value) -> Result<String, MailError> {
        let to = self.recipients.join(", ");
        self.env
            .get_template(name)
            .and_then(|t| t.render(minijinja::context! { to => to, ..ctx }))
            .map_err(|source| MailError::Template { name, source })
    }

    fn build(&self, subject: &str, text: String, root: Option<&str>) -> Result<OpsMail, MailError> {
        let message_id = format!("{}.seatmail@{}", uuid::Uuid::new_v4().simple(), self.message_id_domain);
        let subject: String = subject.chars().map(|c| if c.is_control() { ' ' } else { c }).take(200).collect();
        let mut builder =
            Message::builder().from(self.from.clone()).subject(subject.clone()).message_id(Some(format!("<{message_id}>"))).date_now();
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        if let Some(root) = root {
            builder = builder.in_reply_to(format!("<{root}>")).references(format!("<{root}>"));
        }
        let mut message = builder.header(ContentType::TEXT_PLAIN).body(text).map_err(|e| MailError::Mail(e.to_string()))?;
        // RFC 3834: automatic, so that an auto-responder of the ops mailbox stays silent.
        for (name, value) in [("Auto-Submitted", "auto-generated"), ("X-Auto-Response-Suppress", "All")] {
            message.headers_mut().insert_raw(HeaderValue::new(HeaderName::new_from_ascii_str(name), value.to_string()));
        }
        Ok(OpsMail { message_id, subject, recipients: self.recipients.clone(), body: message.formatted() })
    }
}
