//! Moving mail out of the intake folder, a UID set per outcome folder in one command (one
//! round trip and one server-side transaction for a whole batch, not one per mail): `UID MOVE`
//! where offered, else `UID COPY` +
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

/// The UIDs as an IMAP sequence set with ranges (`3:7,9`), ascending.
pub(super) fn uid_set(uids: &[u32]) -> String {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out = String::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        while i + 1 < sorted.len() && sorted[i + 1] == sorted[i] + 1 {
            i += 1;
        }
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(&start.to_string());
        if sorted[i] != start {
            out.push_str(&format!(":{}", sorted[i]));
        }
        i += 1;
    }
    out
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

/// Move the mails `uids` (one UIDVALIDITY) to `folder`, all or none: the server carries out
/// each command on the whole set or refuses it.
pub(super) async fn move_set(
    session: &mut Session<Stream>,
    caps: &Caps,
    uids: &[u32],
    uidvalidity: u32,
    folder: &Folder,
    left: &mut LeftMarked,
    timeout: Duration,
) -> Result<How, ImapError> {
    let set = uid_set(uids);
    let refused = |step: &str, e: async_imap::error::Error| match e {
        async_imap::error::Error::No(m) | async_imap::error::Error::Bad(m) => ImapError::Move {
            uids: set.clone(),
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
    let others: BTreeSet<u32> = deleted.into_iter().filter(|u| !uids.contains(u) && !left.uids.contains(u)).collect();
    if !others.is_empty() {
        left.uids.extend(uids);
        tracing::warn!(
            uids = %set,
            folder = %folder.name,
            others = ?others,
            "imap: the server has no UIDPLUS and other mail in the intake folder is marked \\Deleted: a plain EXPUNGE \
             would remove it too, so these mails (already filed) stay there marked \\Deleted"
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

#[cfg(test)]
mod tests {
    use super::uid_set;

    #[test]
    fn a_uid_set_folds_runs_into_ranges() {
        assert_eq!(uid_set(&[7, 3, 4, 5, 9, 4]), "3:5,7,9");
        assert_eq!(uid_set(&[42]), "42");
    }
}
