//! The intake stage: yields raw mails with where they came from, and moves each one to its
//! outcome folder once the store has recorded that outcome. It never interprets a mail.

pub mod imap;
pub mod maildir;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use crate::config::OutcomeFolders;
use crate::domain::MessageState;

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("{0}")]
    Io(String),
}

/// One mail as it arrived.
pub struct Incoming {
    /// The logical mailbox, part of the mail's key ("maildir", or an IMAP folder).
    pub source: String,
    /// Where exactly: the Maildir file name, or UIDVALIDITY/UID.
    pub source_id: String,
    pub raw: Vec<u8>,
    /// The mail was larger than the configured limit; `raw` holds only its beginning.
    pub oversized: bool,
    pub received_at: DateTime<Utc>,
    pub ack: Ack,
    pub(crate) _in_flight: InFlight,
}

/// How to settle a mail at its source after its outcome is committed.
pub enum Ack {
    Maildir { path: PathBuf, root: PathBuf, folders: OutcomeFolders },
    /// The IMAP session moves it; the request is queued, not awaited, so a processor never
    /// waits on an intake that waits on the processor.
    Imap { uid: u32, uidvalidity: u32, moves: tokio::sync::mpsc::UnboundedSender<imap::MoveRequest> },
}

impl Incoming {
    /// Move the mail out of the inbox into its outcome folder.
    pub async fn settle(&self, state: MessageState) -> Result<(), IntakeError> {
        match &self.ack {
            Ack::Maildir { path, root, folders } => {
                let (path, root, folders) = (path.clone(), root.clone(), folders.clone());
                tokio::task::spawn_blocking(move || maildir::settle(&path, &root, &folders, state))
                    .await
                    .map_err(|e| IntakeError::Io(format!("mover task failed: {e}")))?
            }
            Ack::Imap { uid, uidvalidity, moves } => moves
                .send(imap::MoveRequest { uid: *uid, uidvalidity: *uidvalidity, state })
                .map_err(|_| IntakeError::Io("the IMAP session has stopped; the mail will be moved after a restart".into())),
        }
    }
}

/// Marks a mail as handed to the processor, so the next scan does not hand it over again while
/// it is being processed. Dropped (processed or failed), the mail may be picked up again.
pub(crate) struct InFlight {
    set: Arc<Mutex<HashSet<String>>>,
    id: String,
}

impl InFlight {
    pub(crate) fn claim(set: &Arc<Mutex<HashSet<String>>>, id: &str) -> Option<InFlight> {
        let mut guard = set.lock().unwrap_or_else(|p| p.into_inner());
        guard.insert(id.to_string()).then(|| InFlight { set: set.clone(), id: id.to_string() })
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.set.lock().unwrap_or_else(|p| p.into_inner()).remove(&self.id);
    }
}
