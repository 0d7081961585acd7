//! Where answers go: the file outbox of the embedded default (one `.eml` per answer).
//!
//! A delivery may be repeated (a crash between delivering and marking the row sent); the file
//! transport makes that harmless by naming the file after the answer's Message-ID and writing it
//! atomically (temporary file, fsync, rename), so a repeat replaces the file with the same bytes.

use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later (network, 4xx, a full disk).
    #[error("temporary failure: {0}")]
    Temporary(String),
    /// Will never work (5xx, a malformed recipient).
    #[error("permanent failure: {0}")]
    Permanent(String),
}

pub enum Transport {
    File(FileTransport),
}

impl Transport {
    pub async fn send(&self, message_id: &str, recipients: &[String], body: &[u8]) -> Result<(), SendError> {
        match self {
            Transport::File(f) => f.send(message_id, recipients, body).await,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Transport::File(f) => format!("file outbox {}", f.dir.display()),
        }
    }
}

pub struct FileTransport {
    dir: PathBuf,
}

impl FileTransport {
    pub fn new(dir: &Path) -> std::io::Result<FileTransport> {
        std::fs::create_dir_all(dir)?;
        Ok(FileTransport { dir: dir.to_path_buf() })
    }

    /// The file an answer is (or will be) written to.
    pub fn path_for(dir: &Path, message_id: &str) -> PathBuf {
        let safe: String =
            message_id.chars().map(|c| if c.is_ascii_alphanumeric() || "._-@".contains(c) { c } else { '_' }).collect();
        dir.join(format!("{safe}.eml"))
    }

    async fn send(&self, message_id: &str, recipients: &[String], body: &[u8]) -> Result<(), SendError> {
        let path = Self::path_for(&self.dir, message_id);
        let tmp = self.dir.join(format!(".{}.tmp", uuid::Uuid::new_v4().simple()));
        // The envelope goes in front as an X- header so that Bcc recipients are not lost.
        let mut data = format!("X-Seatmail-Envelope-To: {}\r\n", recipients.join(", ")).into_bytes();
        data.extend_from_slice(body);
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&data)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path).inspect_err(|_| {
                let _ = std::fs::remove_file(&tmp);
            })?;
            // Make the rename itself durable.
            std::fs::File::open(&dir).and_then(|d| d.sync_all())
        })
        .await
        .map_err(|e| SendError::Temporary(format!("writer task failed: {e}")))?
        .map_err(|e| SendError::Temporary(format!("cannot write to {}: {e}", self.dir.display())))
    }
}
