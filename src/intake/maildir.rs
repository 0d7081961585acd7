//! Maildir intake: reads `new/` (and `cur/`, where a mail client may have moved unread mail),
//! and after the store has committed a mail's outcome, renames it into the Maildir++ folder of
//! that outcome (`.Processed/cur/...`), so a restart never reads it again.
//!
//! A crash between the commit and the rename leaves the mail in `new/`; it is read again, its
//! key is found in the store, and only the rename is repeated.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{Ack, InFlight, Incoming, IntakeError};
use crate::config::{MaildirConfig, OutcomeFolders};
use crate::domain::MessageState;

pub struct Maildir {
    root: PathBuf,
    folders: OutcomeFolders,
    poll: Duration,
    max_bytes: usize,
    in_flight: Arc<Mutex<HashSet<String>>>,
}

impl Maildir {
    pub fn open(config: &MaildirConfig, max_bytes: usize) -> Result<Maildir, IntakeError> {
        let root = config.path.clone();
        for sub in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(root.join(sub))
                .map_err(|e| IntakeError::Io(format!("cannot create Maildir {}: {e}", root.join(sub).display())))?;
        }
        Ok(Maildir {
            root,
            folders: config.folders.clone(),
            poll: Duration::from_secs(config.poll_interval_secs),
            max_bytes,
            in_flight: Arc::default(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The waiting mail files, oldest first.
    fn scan(&self) -> Result<Vec<PathBuf>, IntakeError> {
        let mut found = Vec::new();
        for sub in ["new", "cur"] {
            let dir = self.root.join(sub);
            let entries =
                std::fs::read_dir(&dir).map_err(|e| IntakeError::Io(format!("cannot read {}: {e}", dir.display())))?;
            for entry in entries.flatten() {
                let name = entry.file_name();
                let Some(name) = name.to_str() else { continue };
                if name.starts_with('.') {
                    continue;
                }
                let Ok(meta) = entry.metadata() else { continue };
                if meta.is_file() {
                    found.push((meta.modified().ok(), entry.path()));
                }
            }
        }
        found.sort();
        Ok(found.into_iter().map(|(_, p)| p).collect())
    }

    fn read(&self, path: &Path) -> std::io::Result<(Vec<u8>, bool, DateTime<Utc>)> {
        let file = std::fs::File::open(path)?;
        let modified = file.metadata()?.modified().map(DateTime::<Utc>::from).unwrap_or_else(|_| Utc::now());
        // Never hold more than the limit (plus one byte to know it was exceeded).
        let mut raw = Vec::new();
        file.take(self.max_bytes as u64 + 1).read_to_end(&mut raw)?;
        let oversized = raw.len() > self.max_bytes;
        raw.truncate(self.max_bytes);
        Ok((raw, oversized, modified))
    }

    /// Scan and hand every new mail to the processor; once, or until cancelled.
    pub async fn run(self, tx: mpsc::Sender<Incoming>, cancel: CancellationToken, once: bool) {
        tracing::info!(maildir = %self.root.display(), "maildir intake started");
        loop {
            match self.scan() {
                Ok(paths) => {
                    for path in paths {
                        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_string) else { continue };
                        let Some(guard) = InFlight::claim(&self.in_flight, &name) else { continue };
                        let (raw, oversized, received_at) = match self.read(&path) {
                            Ok(r) => r,
                            // Gone meanwhile (another reader, a user): nothing to do.
                            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                            Err(e) => {
                                tracing::error!(file = %path.display(), error = %e, "cannot read mail; will retry");
                                continue;
                            }
                        };
                        let incoming = Incoming {
                            source: "maildir".into(),
                            source_id: name.clone(),
                            raw,
                            oversized,
                            received_at,
                            ack: Ack::Maildir { path, root: self.root.clone(), folders: self.folders.clone() },
                            _in_flight: guard,
                        };
                        tokio::select! {
                            _ = cancel.cancelled() => return,
                            sent = tx.send(incoming) => if sent.is_err() { return },
                        }
                    }
                }
                Err(e) => tracing::error!(error = %e, "maildir scan failed; will retry"),
            }
            if once {
                return;
            }
            tokio::select! {
                _ = cancel.cancelled() => break,
                _ = tokio::time::sleep(self.poll) => {}
            }
        }
        tracing::info!("maildir intake stopped");
    }
}

/// The Maildir++ folder for an outcome (`.Processed`).
pub fn outcome_dir(root: &Path, folders: &OutcomeFolders, state: MessageState) -> PathBuf {
    let name = match state {
        MessageState::Applied => &folders.applied,
        MessageState::Rejected => &folders.rejected,
        MessageState::AwaitingApproval => &folders.awaiting_approval,
        MessageState::NeedsReview => &folders.needs_review,
        MessageState::Ignored => &folders.ignored,
    };
    root.join(format!(".{name}"))
}

/// Move a processed mail into its outcome folder, marked seen.
pub fn settle(path: &Path, root: &Path, folders: &OutcomeFolders, state: MessageState) -> Result<(), IntakeError> {
    let dir = outcome_dir(root, folders, state);
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(dir.join(sub))
            .map_err(|e| IntakeError::Io(format!("cannot create {}: {e}", dir.join(sub).display())))?;
    }
    let marker = dir.join("maildirfolder");
    if !marker.exists() {
        let _ = std::fs::File::create(&marker);
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("mail");
    let base = name.split(":2,").next().unwrap_or(name);
    let target = dir.join("cur").join(format!("{base}:2,S"));
    match std::fs::rename(path, &target) {
        Ok(()) => Ok(()),
        // Already moved (by us before a crash, or by a person): the outcome stands.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(IntakeError::Io(format!("cannot move {} to {}: {e}", path.display(), target.display()))),
    }
}
