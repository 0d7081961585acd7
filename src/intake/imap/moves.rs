//! Moving one mail out of the intake folder: `UID MOVE` where offered, else `UID COPY` +
//! `\Deleted` + `UID EXPUNGE` (UIDPLUS), else `UID COPY` + `\Deleted` + a plain `EXPUNGE` —
//! and that last only when no other mail in the folder is marked `\Deleted`: a plain EXPUNGE
//! removes every such mail, and an ops person's mail client marks before it expunges. With
//! other `\Deleted` mail present, ours stays marked (it is filed already) and the log says so.
//! Every failure is an error naming the folder and the server's answer; none is dropped.

use std::collections::BTreeSet;
use std::time::Duration;

use async_imap::Session;
use futures::StreamExt;

use super::folders::Folder;
use super::{server_text, with_timeout, Caps, ImapError, Stream};

/// How a mail left the intake folder (for the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum How {
    Move,
    CopyUidExpunge,
    CopyExpunge,
    /// Copied and marked `\Deleted`, not expunged: other `\Deleted` mail is in the folder.
    CopyLeftMarked,
}

impl How {
    pub fn as_str(self) -> &'static str {
        match self {
            How::Move => "move",
            How::CopyUidExpunge => "copy+uid-expunge",
            How::CopyExpunge => "copy+expunge",
            How::CopyLeftMarked => "copy+marked",
        }
    }
}

/// Mail of ours left marked `\Deleted` in the intake folder (per UIDVALIDITY): the plain
/// EXPUNGE check does not count it as someone else's, and the intake does not read it again.
#[derive(Default)]
pub(super) struct LeftMarked {
    pub uidvalidity: u32,
    pub uids: BTreeSet<u32>,
}

impl LeftMarked {
    pub fn contains(&self, uidvalidity: u32, uid: u32) -> bool {
        self.uidvalidity == uidvalidity && self.uids.contains(&uid)
    }
}

pub(super) async fn move_one(
    session: &mut Session<Stream>,
    caps: &Caps,
    uid: u32,
    uidvalidity: u32,
    folder: &Folder,
    left: &mut LeftMarked,
    timeout: Duration,
) -> Result<How, ImapError> {
    let set = uid.to_string();
    let refused = |step: &str, e: async_imap::error::Error| match e {
        async_imap::error::Error::No(m) | async_imap::error::Error::Bad(m) => ImapError::Move {
            uid,
            folder: folder.name.clone(),
            message: format!("{step} refused: \"{}\"", server_text(&m)),
        },
        e => ImapError::from(e),
    };
    if caps.can_move {
        with_timeout(timeout, session.uid_mv(&set, &folder.wire)).await?.map_err(|e| refused("UID MOVE", e))?;
        return Ok(How::Move);
    }
    with_timeout(timeout, session.uid_copy(&set, folder.quoted())).await?.map_err(|e| refused("UID COPY", e))?;
    with_timeout(timeout, async {
        let mut s = session.uid_store(&set, "+FLAGS.SILENT (\\Deleted)").await?;
        while let Some(r) = s.next().await {
            r?;
        }
        Ok::<_, async_imap::error::Error>(())
    })
    .await?
    .map_err(|e| refused("UID STORE +FLAGS (\\Deleted)", e))?;
    if caps.uidplus {
        with_timeout(timeout, async {
            let mut s = std::pin::pin!(session.uid_expunge(&set).await?);
            while let Some(r) = s.next().await {
                r?;
            }
            Ok::<_, async_imap::error::Error>(())
        })
        .await?
        .map_err(|e| refused("UID EXPUNGE", e))?;
        return Ok(How::CopyUidExpunge);
    }
    if left.uidvalidity != uidvalidity {
        *left = LeftMarked { uidvalidity, uids: BTreeSet::new() };
    }
    let deleted = with_timeout(timeout, session.uid_search("DELETED")).await?.map_err(|e| refused("UID SEARCH DELETED", e))?;
    let others: BTreeSet<u32> = deleted.into_iter().filter(|u| *u != uid && !left.uids.contains(u)).collect();
    if !others.is_empty() {
        left.uids.insert(uid);
        tracing::warn!(
            uid,
            folder = %folder.name,
            others = ?others,
            "imap: the server has no UIDPLUS and other mail in the intake folder is marked \\Deleted: a plain EXPUNGE \
             would remove it too, so this mail (already filed) stays there marked \\Deleted"
        );
        return Ok(How::CopyLeftMarked);
    }
    with_timeout(timeout, async {
        let mut s = std::pin::pin!(session.expunge().await?);
        while let Some(r) = s.next().await {
            r?;
        }
        Ok::<_, async_imap::error::Error>(())
    })
    .await?
    .map_err(|e| refused("EXPUNGE", e))?;
    // Ours marked earlier went with it.
    left.uids.clear();
    Ok(How::CopyExpunge)
}
