//! What `check` found, for `check-config --connect`: the capabilities that decide how mail
//! is moved and waited for, the namespace, and each folder as resolved on this server.

use super::folders::Folders;
use super::Caps;
use crate::config::ImapConfig;

/// What `check` found: the whole path the intake will take, for `check-config --connect`.
pub struct Probe {
    pub caps: Caps,
    pub folders: Folders,
    pub uidvalidity: u32,
    pub messages: u32,
}

impl Probe {
    /// One line per fact, for people.
    pub fn lines(&self, config: &ImapConfig) -> Vec<String> {
        let yes = |b: bool| if b { "yes" } else { "no" };
        let c = &self.caps;
        let moves = match (c.can_move, c.uidplus) {
            (true, _) => "UID MOVE",
            (false, true) => "UID COPY + \\Deleted + UID EXPUNGE",
            (false, false) => "UID COPY + \\Deleted + EXPUNGE, only while no other mail is marked \\Deleted",
        };
        let waiting = match (c.idle && config.idle, config.idle_poll_secs) {
            (true, 0) => "IDLE".to_string(),
            (true, n) => format!("IDLE, and a poll every {n} s within it"),
            (false, _) => format!("polling every {} s", config.poll_interval_secs),
        };
        let mut out = vec![
            format!(
                "server offers MOVE {}, UIDPLUS {}, IDLE {}, NAMESPACE {}, SPECIAL-USE {}, ACL {}",
                yes(c.can_move),
                yes(c.uidplus),
                yes(c.idle),
                yes(c.namespace),
                yes(c.special_use),
                yes(c.acl)
            ),
            self.folders.namespace.describe(),
            format!(
                "intake.imap.folder \"{}\" -> {}: selected, {} message(s), UIDVALIDITY {}",
                config.folder, self.folders.intake.name, self.messages, self.uidvalidity
            ),
        ];
        for (_, f) in &self.folders.outcomes {
            let how = if f.created { "created" } else { "exists" };
            out.push(format!("{} \"{}\" -> {}: {how}", f.key, f.configured, f.name));
        }
        out.push(format!("moves: {moves}; waits: {waiting}"));
        out
    }
}
