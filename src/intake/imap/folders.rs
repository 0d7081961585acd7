//! Where seatmail's folders are on this server, asked of the server itself at every session
//! start: its personal namespace (NAMESPACE, else the separator from `LIST "" ""`), the
//! configured names resolved against it, the outcome folders created if missing, and the
//! checks that make a wrong set-up fail at start with the folder's name and the server's words:
//! a refused CREATE, a special-use folder (\Trash, \Junk, ...), a folder seatmail reads from,
//! a missing right (where the server has ACL).
//!
//! Resolution: `INBOX` is INBOX; a name that starts with a namespace prefix (`INBOX.`,
//! `user.`, `Shared Folders/`, ...) or with INBOX and the separator is a full name, used as
//! given; any other name goes into the personal namespace, with `/` as the hierarchy separator
//! whatever the server's (`Processed` is `INBOX.Processed` on Cyrus, `Processed` on Dovecot,
//! Exchange and Gmail; `Seatmail/Done` is `INBOX.Seatmail.Done` on Cyrus).

use std::time::Duration;

use async_imap::imap_proto::{Response, Status};
use async_imap::types::NameAttribute;
use async_imap::Session;
use futures::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{server_text, with_timeout, Caps, ImapError, Stream};
use crate::config::ImapConfig;
use crate::domain::MessageState;

/// Where a folder name without a prefix goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    /// The personal namespace's prefix: `INBOX.` or `INBOX/` on Cyrus, empty on most others.
    pub prefix: String,
    pub delimiter: Option<char>,
    /// Other users' and shared prefixes: a name starting with one is a full name.
    pub others: Vec<String>,
    /// `NAMESPACE`, or `LIST` where the server has no NAMESPACE.
    pub source: &'static str,
}

impl Namespace {
    /// The full name of a configured folder.
    pub fn resolve(&self, configured: &str) -> String {
        let name = configured.trim();
        if name.eq_ignore_ascii_case("INBOX") {
            return "INBOX".into();
        }
        if let Some(full) = self.full_name(name) {
            return full;
        }
        let name = match self.delimiter {
            Some(d) if d != '/' => name.replace('/', &d.to_string()),
            _ => name.to_string(),
        };
        format!("{}{name}", self.prefix)
    }

    /// `name` as given, if it starts with a namespace prefix or INBOX's own hierarchy
    /// (INBOX spelt in capitals: the name is case-insensitive there and only there).
    fn full_name(&self, name: &str) -> Option<String> {
        let inbox_child = self.delimiter.map(|d| format!("INBOX{d}"));
        let prefixes = std::iter::once(&self.prefix).chain(&self.others).chain(inbox_child.as_ref());
        for p in prefixes.filter(|p| !p.is_empty()) {
            if name.starts_with(p.as_str()) {
                return Some(name.to_string());
            }
            let n = p.len();
            if p.get(..5).is_some_and(|h| h.eq_ignore_ascii_case("INBOX"))
                && name.get(..5).is_some_and(|h| h.eq_ignore_ascii_case("INBOX"))
                && name.get(5..n) == p.get(5..n)
            {
                return Some(format!("INBOX{}", &name[5..]));
            }
        }
        None
    }

    /// One line for people: where personal folders live.
    pub fn describe(&self) -> String {
        let sep = self.delimiter.map(|d| format!("separator \"{d}\"")).unwrap_or_else(|| "no hierarchy".into());
        if self.prefix.is_empty() {
            format!("personal folders at the top level, {sep} (from {})", self.source)
        } else {
            format!("personal folders under \"{}\", {sep} (from {})", self.prefix, self.source)
        }
    }
}

/// One of seatmail's folders on this server.
#[derive(Debug, Clone)]
pub struct Folder {
    /// The config key that names it.
    pub key: String,
    pub configured: String,
    /// The full name (UTF-8, as people write it).
    pub name: String,
    /// The name on the wire (modified UTF-7), unquoted.
    pub wire: String,
    /// Created by this session start.
    pub created: bool,
}

impl Folder {
    fn new(key: String, configured: &str, ns: &Namespace) -> Folder {
        let name = ns.resolve(configured);
        Folder { key, configured: configured.to_string(), wire: mutf7(&name), name, created: false }
    }

    /// For commands that do not quote the name themselves (UID COPY, LIST, MYRIGHTS).
    pub fn quoted(&self) -> String {
        quote(&self.wire)
    }

    fn error(&self, message: String) -> ImapError {
        ImapError::Folder { folder: self.name.clone(), key: self.key.clone(), message }
    }
}

/// The intake folder and the five outcome folders, resolved, existing, checked.
#[derive(Debug, Clone)]
pub struct Folders {
    pub namespace: Namespace,
    pub intake: Folder,
    pub outcomes: Vec<(MessageState, Folder)>,
}

impl Folders {
    pub fn for_state(&self, state: MessageState) -> &Folder {
        self.outcomes.iter().find(|(s, _)| *s == state).map(|(_, f)| f).unwrap_or(&self.intake)
    }
}

const OUTCOMES: [(MessageState, &str); 5] = [
    (MessageState::Applied, "applied"),
    (MessageState::Rejected, "rejected"),
    (MessageState::AwaitingApproval, "awaiting_approval"),
    (MessageState::NeedsReview, "needs_review"),
    (MessageState::Ignored, "ignored"),
];

/// Resolve, create and check every folder; the intake folder is not selected here.
pub(super) async fn prepare(session: &mut Session<Stream>, caps: &Caps, config: &ImapConfig, timeout: Duration) -> Result<Folders, ImapError> {
    let namespace = discover(session, caps, timeout).await?;
    let intake = Folder::new("intake.imap.folder".into(), &config.folder, &namespace);
    let mut outcomes: Vec<(MessageState, Folder)> = Vec::new();
    for (state, field) in OUTCOMES {
        let configured = match state {
            MessageState::Applied => &config.folders.applied,
            MessageState::Rejected => &config.folders.rejected,
            MessageState::AwaitingApproval => &config.folders.awaiting_approval,
            MessageState::NeedsReview => &config.folders.needs_review,
            MessageState::Ignored => &config.folders.ignored,
        };
        let mut folder = Folder::new(format!("intake.imap.folders.{field}"), configured, &namespace);
        if folder.name == intake.name {
            return Err(folder.error("is the folder seatmail reads from: mail filed there would never leave it".into()));
        }
        // Two outcomes may share a folder: check it once.
        match outcomes.iter().find(|(_, f)| f.name == folder.name) {
            Some((_, same)) => folder.created = same.created,
            None => ensure(session, caps, &mut folder, timeout).await?,
        }
        outcomes.push((state, folder));
    }
    let folders = Folders { namespace, intake, outcomes };
    if caps.acl {
        check_rights(session, &folders, timeout).await?;
    }
    Ok(folders)
}

/// The personal namespace: NAMESPACE where offered, else the separator of `LIST "" ""`.
async fn discover(session: &mut Session<Stream>, caps: &Caps, timeout: Duration) -> Result<Namespace, ImapError> {
    if caps.namespace {
        let lines = with_timeout(timeout, raw_command(session, "SMNS", "NAMESPACE")).await??;
        match lines.iter().find_map(|l| l.strip_prefix("* NAMESPACE ")).and_then(parse_namespace) {
            Some(ns) => return Ok(ns),
            None => tracing::warn!(answer = ?lines, "imap: NAMESPACE answer not understood; using LIST \"\" \"\""),
        }
    }
    let delimiter = with_timeout(timeout, async {
        let mut names = session.list(Some(""), Some("\"\"")).await?;
        let mut delimiter = None;
        while let Some(n) = names.next().await {
            delimiter = delimiter.or_else(|| n.as_ref().ok().and_then(|n| n.delimiter()).and_then(|d| d.chars().next()));
            n?;
        }
        Ok::<_, ImapError>(delimiter)
    })
    .await??;
    Ok(Namespace { prefix: String::new(), delimiter, others: Vec::new(), source: "LIST" })
}

/// The folder exists (and is no special-use folder), or is created now.
async fn ensure(session: &mut Session<Stream>, caps: &Caps, folder: &mut Folder, timeout: Duration) -> Result<(), ImapError> {
    if let Some(attributes) = list_one(session, caps, folder, timeout).await? {
        return usable(folder, &attributes);
    }
    let refused = match with_timeout(timeout, session.create(&folder.wire)).await? {
        Ok(()) => None,
        Err(async_imap::error::Error::No(m) | async_imap::error::Error::Bad(m)) => Some(server_text(&m)),
        Err(e) => return Err(e.into()),
    };
    // Created, or created meanwhile by another instance: either way it must be listed now.
    match (list_one(session, caps, folder, timeout).await?, refused) {
        (Some(attributes), refused) => {
            folder.created = refused.is_none();
            if folder.created {
                tracing::info!(folder = %folder.name, key = %folder.key, "imap: created the folder");
            }
            usable(folder, &attributes)
        }
        (None, Some(answer)) => Err(folder.error(format!("cannot be created: the server answered \"{answer}\""))),
        (None, None) => Err(folder.error("was created but the server does not list it".into())),
    }
}

fn usable(folder: &Folder, attributes: &[String]) -> Result<(), ImapError> {
    const SPECIAL: [&str; 7] = ["\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash"];
    if let Some(special) = attributes.iter().find(|a| SPECIAL.iter().any(|s| s.eq_ignore_ascii_case(a))) {
        return Err(folder.error(format!(
            "is the server's {special} folder (SPECIAL-USE): seatmail files mail only into folders of its own; name another folder"
        )));
    }
    if attributes.iter().any(|a| a.eq_ignore_ascii_case("\\Noselect") || a.eq_ignore_ascii_case("\\NonExistent")) {
        return Err(folder.error("exists only as a level of the hierarchy (\\Noselect): it cannot hold mail".into()));
    }
    Ok(())
}

/// The folder's LIST attributes, or None when the server does not list it.
async fn list_one(session: &mut Session<Stream>, caps: &Caps, folder: &Folder, timeout: Duration) -> Result<Option<Vec<String>>, ImapError> {
    // Special-use attributes come with RETURN (SPECIAL-USE) where LIST-EXTENDED is offered.
    let pattern = if caps.special_use && caps.list_extended {
        format!("{} RETURN (SPECIAL-USE)", folder.quoted())
    } else {
        folder.quoted()
    };
    with_timeout(timeout, async {
        let mut names = session.list(Some(""), Some(&pattern)).await?;
        let mut found = None;
        while let Some(n) = names.next().await {
            let n = n?;
            if same_name(n.name(), &folder.wire) {
                found = Some(n.attributes().iter().map(attribute_text).collect());
            }
        }
        Ok(found)
    })
    .await?
}

fn attribute_text(a: &NameAttribute<'_>) -> String {
    match a {
        NameAttribute::NoInferiors => "\\Noinferiors".into(),
        NameAttribute::NoSelect => "\\Noselect".into(),
        NameAttribute::Marked => "\\Marked".into(),
        NameAttribute::Unmarked => "\\Unmarked".into(),
        NameAttribute::All => "\\All".into(),
        NameAttribute::Archive => "\\Archive".into(),
        NameAttribute::Drafts => "\\Drafts".into(),
        NameAttribute::Flagged => "\\Flagged".into(),
        NameAttribute::Junk => "\\Junk".into(),
        NameAttribute::Sent => "\\Sent".into(),
        NameAttribute::Trash => "\\Trash".into(),
        NameAttribute::Extension(s) => s.to_string(),
        _ => String::new(),
    }
}

/// Mailbox names compare exactly, except INBOX (and its hierarchy) in any case.
fn same_name(listed: &str, wanted: &str) -> bool {
    let inbox = |s: &str| s.get(..5).is_some_and(|h| h.eq_ignore_ascii_case("INBOX"));
    listed == wanted || (inbox(listed) && inbox(wanted) && listed[5..] == wanted[5..])
}

/// Where the server has ACL: the intake folder must let us read and remove mail, each outcome
/// folder take it. A missing right is named, with what the server does grant.
async fn check_rights(session: &mut Session<Stream>, folders: &Folders, timeout: Duration) -> Result<(), ImapError> {
    // RFC 4314 splits RFC 2086's `d` into `t` (flag \Deleted) and `e` (expunge); either will do.
    let intake_needs: &[(&str, &str)] = &[("r", "read mail"), ("s", "keep \\Seen"), ("te", "remove mail (MOVE or \\Deleted + EXPUNGE)")];
    let mut checks = vec![(&folders.intake, intake_needs)];
    for (_, f) in &folders.outcomes {
        if !checks.iter().any(|(c, _)| c.name == f.name) {
            checks.push((f, &[("i", "insert mail (MOVE or COPY into it)")]));
        }
    }
    for (folder, needs) in checks {
        let Some(rights) = my_rights(session, folder, timeout).await? else { continue };
        for (right, what) in needs {
            let granted = right.chars().all(|r| rights.contains(r)) || (*right == "te" && rights.contains('d'));
            if !granted {
                return Err(folder.error(format!(
                    "lacks the right to {what} (ACL right \"{right}\"); the server grants this user \"{rights}\""
                )));
            }
        }
    }
    Ok(())
}

/// MYRIGHTS for one folder; None when the server will not say.
async fn my_rights(session: &mut Session<Stream>, folder: &Folder, timeout: Duration) -> Result<Option<String>, ImapError> {
    with_timeout(timeout, async {
        let id = session.run_command(format!("MYRIGHTS {}", folder.quoted())).await?;
        let mut rights = None;
        loop {
            let response = session.read_response().await.ok_or_else(|| ImapError::Broken("closed during MYRIGHTS".into()))??;
            match response.parsed() {
                Response::MyRights(r) => rights = Some(r.rights.iter().map(|r| char::from(*r)).collect()),
                Response::Done { tag, status, .. } if *tag == id => return Ok(if *status == Status::Ok { rights } else { None }),
                _ => {}
            }
        }
    })
    .await?
}

/// A command async-imap cannot parse the answer of (NAMESPACE): written and read on the raw
/// stream, line by line, up to its tagged completion; the untagged lines are returned. Only
/// between commands, when async-imap has nothing buffered.
async fn raw_command(session: &mut Session<Stream>, tag: &str, command: &str) -> Result<Vec<String>, ImapError> {
    let io: &mut Stream = AsMut::<Stream>::as_mut(session);
    io.write_all(format!("{tag} {command}\r\n").as_bytes()).await?;
    io.flush().await?;
    let mut lines = Vec::new();
    let mut line = Vec::new();
    loop {
        // One byte at a time: nothing past the tagged line may be consumed.
        line.push(io.read_u8().await?);
        if line.len() > 64 * 1024 {
            return Err(ImapError::Protocol(format!("{command}: answer line too long")));
        }
        if !line.ends_with(b"\r\n") {
            continue;
        }
        let text = String::from_utf8_lossy(&line[..line.len() - 2]).into_owned();
        line.clear();
        if let Some(rest) = text.strip_prefix(tag).and_then(|r| r.strip_prefix(' ')) {
            return if rest.split(' ').next().is_some_and(|w| w.eq_ignore_ascii_case("OK")) {
                Ok(lines)
            } else {
                Err(ImapError::Protocol(format!("{command} refused: {rest}")))
            };
        }
        lines.push(text);
    }
}

/// The personal namespace from a NAMESPACE answer (RFC 2342):
/// `(("INBOX." ".")) (("user." ".")) (("" "."))`.
fn parse_namespace(text: &str) -> Option<Namespace> {
    let groups = parse_sx(text)?;
    let prefix_of = |entry: &Sx| -> Option<(String, Option<char>)> {
        let Sx::List(items) = entry else { return None };
        let Some(Sx::Str(prefix)) = items.first() else { return None };
        let delimiter = match items.get(1) {
            Some(Sx::Str(d)) => d.chars().next(),
            _ => None,
        };
        Some((prefix.clone(), delimiter))
    };
    let entries = |g: Option<&Sx>| -> Vec<(String, Option<char>)> {
        match g {
            Some(Sx::List(entries)) => entries.iter().filter_map(prefix_of).collect(),
            _ => Vec::new(),
        }
    };
    let personal = entries(groups.first());
    let (prefix, delimiter) = personal.first().cloned()?;
    let others = personal.iter().skip(1).chain(&entries(groups.get(1))).chain(&entries(groups.get(2))).map(|(p, _)| p.clone()).collect();
    Some(Namespace { prefix, delimiter, others, source: "NAMESPACE" })
}

#[derive(Debug, Clone, PartialEq)]
enum Sx {
    List(Vec<Sx>),
    Str(String),
    Nil,
}

/// Parenthesised lists of quoted strings and NIL; None for anything else (a literal, say).
fn parse_sx(text: &str) -> Option<Vec<Sx>> {
    let mut stack: Vec<Vec<Sx>> = vec![Vec::new()];
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' => {}
            '(' => stack.push(Vec::new()),
            ')' => {
                let done = stack.pop()?;
                stack.last_mut()?.push(Sx::List(done));
            }
            '"' => {
                let mut s = String::new();
                loop {
                    match chars.next()? {
                        '\\' => s.push(chars.next()?),
                        '"' => break,
                        c => s.push(c),
                    }
                }
                stack.last_mut()?.push(Sx::Str(s));
            }
            'N' | 'n' => {
                let rest: String = [chars.next()?, chars.next()?].iter().collect();
                if !rest.eq_ignore_ascii_case("IL") {
                    return None;
                }
                stack.last_mut()?.push(Sx::Nil);
            }
            _ => return None,
        }
    }
    if stack.len() == 1 { stack.pop() } else { None }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Modified UTF-7 (RFC 3501 5.1.3), how IMAP spells folder names beyond ASCII.
pub fn mutf7(name: &str) -> String {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
    let mut out = String::new();
    let mut pending: Vec<u16> = Vec::new();
    let flush = |pending: &mut Vec<u16>, out: &mut String| {
        if pending.is_empty() {
            return;
        }
        let bytes: Vec<u8> = pending.drain(..).flat_map(u16::to_be_bytes).collect();
        out.push('&');
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        out.push('-');
    };
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut pending, &mut out);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            pending.extend(c.encode_utf16(&mut [0; 2]).iter());
        }
    }
    flush(&mut pending, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(answer: &str) -> Namespace {
        parse_namespace(answer).expect("parses")
    }

    #[test]
    fn names_resolve_into_the_personal_namespace_unless_given_in_full() {
        let cyrus = ns(r#"(("INBOX." ".")) (("user." ".")) (("" "."))"#);
        assert_eq!((cyrus.prefix.as_str(), cyrus.delimiter), ("INBOX.", Some('.')));
        assert_eq!(cyrus.resolve("Processed"), "INBOX.Processed");
        assert_eq!(cyrus.resolve("INBOX.Processed"), "INBOX.Processed");
        assert_eq!(cyrus.resolve("inbox.Processed"), "INBOX.Processed");
        assert_eq!(cyrus.resolve("inbox"), "INBOX");
        assert_eq!(cyrus.resolve("Seatmail/Done"), "INBOX.Seatmail.Done");
        assert_eq!(cyrus.resolve("user.other.Processed"), "user.other.Processed");

        let unix = ns(r#"(("INBOX/" "/")) (("user/" "/")) (("" "/"))"#);
        assert_eq!(unix.resolve("Processed"), "INBOX/Processed");
        assert_eq!(unix.resolve("Seatmail/Done"), "INBOX/Seatmail/Done");

        let alt = ns(r#"(("" "/")) (("Other Users/" "/")) (("Shared Folders/" "/"))"#);
        assert_eq!(alt.resolve("Processed"), "Processed");
        assert_eq!(alt.resolve("INBOX/Orders"), "INBOX/Orders");
        assert_eq!(alt.resolve("Shared Folders/Done"), "Shared Folders/Done");
        assert_eq!(alt.others, vec!["Other Users/".to_string(), "Shared Folders/".to_string()]);

        let flat = ns(r#"(("" NIL)) NIL NIL"#);
        assert_eq!((flat.delimiter, flat.resolve("Processed")), (None, "Processed".to_string()));
        assert!(parse_namespace("{5}\r\nINBOX").is_none(), "a literal is not guessed at");
    }

    #[test]
    fn folder_names_beyond_ascii_are_modified_utf7() {
        assert_eq!(mutf7("Processed"), "Processed");
        assert_eq!(mutf7("Traités"), "Trait&AOk-s");
        assert_eq!(mutf7("R&D"), "R&-D");
        assert_eq!(mutf7("台北"), "&U,BTFw-");
        assert_eq!(mutf7("Behandelt ✓"), "Behandelt &JxM-");
    }

    #[test]
    fn special_use_and_hierarchy_only_folders_are_refused() {
        let f = Folder::new("intake.imap.folders.ignored".into(), "Junk", &ns(r#"(("" "/")) NIL NIL"#));
        let e = usable(&f, &["\\HasNoChildren".into(), "\\Junk".into()]).unwrap_err().to_string();
        assert!(e.contains("\"Junk\"") && e.contains("intake.imap.folders.ignored") && e.contains("\\Junk"), "{e}");
        assert!(usable(&f, &["\\Noselect".into()]).is_err());
        assert!(usable(&f, &["\\HasNoChildren".into()]).is_ok());
    }
}
