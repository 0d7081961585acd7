//! The command line: clap definitions, and the table / JSON printers. The names, flags and JSON
//! fields here are a contract with scripts: keep them stable.

use std::path::PathBuf;

/// `println!` that does not panic when stdout is gone (`seatmail ... | head`, a closed pipe):
/// the command's work matters more than its printout.
#[macro_export]
macro_rules! out {
    () => {{ use std::io::Write as _; let _ = writeln!(std::io::stdout()); }};
    ($($t:tt)*) => {{ use std::io::Write as _; let _ = writeln!(std::io::stdout(), $($t)*); }};
}

use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use crate::config::WebRole;
use crate::domain::{MessageState, OutboxState};

#[derive(Debug, Parser)]
#[command(name = "seatmail", version, about = "Microsoft 365 seat changes requested by e-mail")]
pub struct Cli {
    /// Config file (default: $SEATMAIL_CONFIG, then config/seatmail.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the daemon: watch the mailbox, process, answer. Ctrl-C or SIGTERM stops it cleanly.
    Run {
        /// Process what is waiting, deliver the answers that are due, and exit.
        #[arg(long)]
        once: bool,
    },
    /// The guided demo: import the demo customers, deliver the sample mails, process them, show
    /// what happened and keep watching until Ctrl-C.
    Demo,
    /// Parse .eml files and print what seatmail understands, without touching any store.
    Parse {
        /// One JSON object per file and line.
        #[arg(long)]
        json: bool,
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Import customers and subscriptions, or contacts, from CSV (upserts, all or nothing).
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Subscriptions and their seats.
    Subs {
        #[command(subcommand)]
        action: SubsAction,
    },
    /// Every mail and its outcome.
    Messages {
        #[command(subcommand)]
        action: MessagesAction,
    },
    /// What waits for reseller ops: held requests and mails needing review.
    Queue {
        #[command(subcommand)]
        action: QueueAction,
    },
    /// Answers waiting for delivery, sent, or dead.
    Outbox {
        #[command(subcommand)]
        action: OutboxAction,
    },
    /// The IMAP intake's position per folder, and recovery after a UIDVALIDITY change.
    Imap {
        #[command(subcommand)]
        action: ImapAction,
    },
    /// Check the config file (and the templates and catalog it names), then exit.
    CheckConfig {
        /// Also log in to the IMAP and SMTP servers (getting OAuth2 tokens if so configured)
        /// and say what fails; exit 0 only when every login works.
        #[arg(long)]
        connect: bool,
    },
    /// Users of the ops dashboard (`[web]`), besides those in the config file.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// The vendor (`[vendor]`): changes on their way there, and the vendor's truth read back.
    Vendor {
        #[command(subcommand)]
        action: VendorAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum VendorAction {
    /// Read every customer's subscriptions at the vendor and show what differs from the store.
    Sync {
        /// Bring the store in line with the vendor (recorded in the ledger as `vendor_sync`).
        #[arg(long)]
        fix: bool,
        #[arg(long)]
        json: bool,
    },
    /// Jobs on their way to the vendor: pending, retrying and failed.
    Status {
        /// Confirmed and refused jobs too.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// Send a failed job again (it reads the subscription back before it changes anything).
    Retry { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Add a user (or set the password and role of an existing one); the password is read from
    /// standard input (its first line).
    Add {
        name: String,
        /// operator (may act on the queue and the outbox) or viewer (reads only).
        #[arg(long, default_value = "viewer")]
        role: WebRole,
    },
    /// The users added with `user add`.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a user added with `user add`.
    Remove { name: String },
    /// Print an argon2 hash of the password on standard input, for `[web] users` in the config.
    Hash,
}

#[derive(Debug, Subcommand)]
pub enum ImapAction {
    /// UIDVALIDITY, last settled UID and any stall, per folder.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Accept a folder's new UIDVALIDITY: processing starts over from its first mail (mail
    /// processed before is recognised by its key and only moved).
    Reset { folder: String },
}

#[derive(Debug, Subcommand)]
pub enum ImportWhat {
    /// customer_id,customer_name,language,tenant_domains,subscription_id,product,quantity,assigned,billing,term_start,status[,tenant_id[,vendor_subscription_id]]
    Subscriptions { file: PathBuf },
    /// customer_id,email,name,role[,subscriptions]
    Contacts { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum SubsAction {
    List {
        #[arg(long)]
        customer: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MessagesAction {
    List {
        /// applied, rejected, awaiting_approval, needs_review or ignored.
        #[arg(long)]
        state: Option<MessageState>,
        #[arg(long, default_value_t = 200)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
    /// One mail in full: parse result, decision, seat changes, answers.
    Show {
        /// The key (or a unique prefix of it).
        key: String,
        #[arg(long)]
        json: bool,
        /// Print the original mail too.
        #[arg(long)]
        raw: bool,
    },
}

#[derive(Debug, Args)]
pub struct Decide {
    /// The queue entry (message id, as `queue list` shows it).
    pub id: i64,
    /// Goes into the answer and the ledger.
    #[arg(long)]
    pub note: Option<String>,
    /// Who decides (recorded in the ledger); default: $USER.
    #[arg(long = "as", value_name = "NAME")]
    pub actor: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum QueueAction {
    List {
        #[arg(long)]
        json: bool,
    },
    /// Apply a held request and send the confirmation.
    Approve(Decide),
    /// Refuse a held request (answered with the note), or dismiss a mail needing review.
    Reject(Decide),
    /// Say what a queued mail (held, needing review, flagged) asks for, and decide it again
    /// under every rule the mail itself would have met.
    Correct {
        #[command(flatten)]
        decide: Decide,
        /// `+3`, `-2` (add or remove) or `=15` (new total).
        #[arg(long, allow_hyphen_values = true)]
        change: String,
        /// SKU part number, e.g. SPB.
        #[arg(long)]
        product: Option<String>,
        /// The Office 365 username naming the tenant.
        #[arg(long)]
        username: Option<String>,
    },
}

/// `+3`, `-2`, `3` (add) or `=15` (total).
pub fn parse_change(s: &str) -> Result<seatmail_change::Change, String> {
    seatmail_change::parse(s)
}

mod seatmail_change {
    pub use crate::parse::Change;

    pub fn parse(s: &str) -> Result<Change, String> {
        let s = s.trim();
        let bad = || format!("`{s}` is not a change: use +3, -2 or =15");
        if let Some(t) = s.strip_prefix('=') {
            let t: i64 = t.trim().parse().map_err(|_| bad())?;
            return if t >= 0 { Ok(Change::Target(t)) } else { Err(bad()) };
        }
        let d: i64 = s.trim_start_matches('+').parse().map_err(|_| bad())?;
        if d == 0 {
            return Err(bad());
        }
        Ok(Change::Delta(d))
    }
}

#[derive(Debug, Subcommand)]
pub enum OutboxAction {
    List {
        /// pending, sent or dead.
        #[arg(long)]
        state: Option<OutboxState>,
        #[arg(long, default_value_t = 200)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
    /// Put a dead answer back in the queue.
    Retry { id: i64 },
}

/// A table column: its heading and how a row shows in it.
pub type Column<'a, T> = (&'a str, &'a dyn Fn(&T) -> String);

/// Print rows as an aligned table, or as a JSON array.
pub fn print_rows<T: Serialize>(rows: &[T], json: bool, columns: &[Column<'_, T>]) {
    if json {
        crate::out!("{}", serde_json::to_string_pretty(rows).unwrap_or_else(|_| "[]".into()));
        return;
    }
    if rows.is_empty() {
        crate::out!("(none)");
        return;
    }
    let cells: Vec<Vec<String>> =
        rows.iter().map(|r| columns.iter().map(|(_, f)| one_line(&f(r), 60)).collect()).collect();
    let mut widths: Vec<usize> = columns.iter().map(|(h, _)| h.chars().count()).collect();
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |values: Vec<&str>| {
        values
            .iter()
            .zip(&widths)
            .map(|(v, w)| format!("{v:<w$}", w = *w))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    crate::out!("{}", line(columns.iter().map(|(h, _)| *h).collect()));
    for row in &cells {
        crate::out!("{}", line(row.iter().map(String::as_str).collect()));
    }
}

/// Control characters out (mail content is attacker-controlled: no terminal escapes), long
/// values shortened.
pub fn one_line(s: &str, max: usize) -> String {
    let clean: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if clean.chars().count() > max {
        format!("{}…", clean.chars().take(max - 1).collect::<String>())
    } else {
        clean
    }
}

pub fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_else(|| "-".into())
}

/// `messages show` as text.
pub fn print_detail(d: &crate::store::MessageDetail) {
    let m = &d.message;
    crate::out!("key          {}", m.key);
    crate::out!("message-id   {}", opt(&m.message_id));
    crate::out!("from         {}", opt(&m.from));
    crate::out!("subject      {}", one_line(m.subject.as_deref().unwrap_or("-"), 200));
    crate::out!("received     {}", m.received_at);
    crate::out!("source       {} {}", d.source, d.source_id);
    crate::out!("customer     {}", opt(&m.customer_id));
    crate::out!("state        {}", m.state);
    crate::out!("reason       {}", m.reason);
    crate::out!("parsed       {}", d.parsed);
    for i in &d.items {
        let change = match (i.delta, i.target) {
            (Some(x), _) => format!("{x:+}"),
            (None, Some(t)) => format!("= {t}"),
            _ => "?".into(),
        };
        crate::out!(
            "item {}       {} {} {change}: {} ({}) {} -> {}",
            i.position,
            i.subscription_id.as_deref().unwrap_or("-"),
            i.product.as_deref().unwrap_or("-"),
            i.status,
            i.rule,
            i.old_quantity.map(|q| q.to_string()).unwrap_or_else(|| "-".into()),
            i.new_quantity.map(|q| q.to_string()).unwrap_or_else(|| "-".into()),
        );
    }
    for l in &d.ledger {
        crate::out!(
            "ledger       {} {} -> {} by {} ({}) at {}{}",
            l.subscription_id,
            l.old_quantity,
            l.new_quantity,
            l.actor,
            l.rule,
            l.created_at,
            l.note.as_deref().map(|n| format!(" note: {}", one_line(n, 200))).unwrap_or_default()
        );
    }
    for x in &d.decisions {
        crate::out!(
            "decided      {} by {} at {} ({}){}",
            x.action,
            x.actor,
            x.created_at,
            x.state,
            x.note.as_deref().map(|n| format!(" note: {}", one_line(n, 200))).unwrap_or_default()
        );
    }
    for a in &d.answers {
        crate::out!(
            "answer       {} {} to {} [{}{}]",
            a.kind,
            a.message_id,
            a.recipients.join(", "),
            a.state,
            a.last_error.as_deref().map(|e| format!(": {e}")).unwrap_or_default()
        );
    }
}
