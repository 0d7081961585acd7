//! Reading new mail and filing it: the listing above the watermark (without mail others
//! marked `\Deleted`), the fetch of each mail, and the moves the processor asks for — on the
//! backlog path as everywhere else.

use std::collections::BTreeSet;

use async_imap::types::Flag;
use async_imap::Session;
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{moves, with_timeout, ImapError, ImapIntake, Progress, Stream, Work};
use crate::intake::{Ack, InFlight, Incoming};

impl ImapIntake {
    /// The mail above the watermark, `(uid, size)`, without the mail others marked `\Deleted`
    /// (those are held: the watermark waits below them).
    async fn listing(&self, session: &mut Session<Stream>, progress: &mut Progress) -> Result<Vec<(u32, u32)>, ImapError> {
        let from = progress.watermark.saturating_add(1);
        let listed: Vec<(u32, u32, bool)> = with_timeout(self.timeout(), async {
            let mut out = Vec::new();
            let mut stream = session.uid_fetch(format!("{from}:*"), "(UID RFC822.SIZE FLAGS)").await?;
            while let Some(f) = stream.next().await {
                let f = f?;
                if let Some(uid) = f.uid {
                    out.push((uid, f.size.unwrap_or(0), f.flags().any(|fl| matches!(fl, Flag::Deleted))));
                }
            }
            Ok::<_, ImapError>(out)
        })
        .await??;
        // `UID FETCH n:*` returns the last mail even when its UID is below n: filter.
        let listed = listed.into_iter().filter(|(uid, _, _)| *uid >= from);
        let (deleted, todo): (Vec<_>, Vec<_>) = listed.partition(|(_, _, deleted)| *deleted);
        let held: BTreeSet<u32> =
            deleted.iter().map(|(uid, _, _)| *uid).filter(|uid| !self.left_marked.contains(progress.uidvalidity, *uid)).collect();
        if held != progress.held && !held.is_empty() {
            tracing::info!(uids = ?held, "imap: mail marked \\Deleted by another client is left alone");
        }
        progress.held = held;
        let mut todo: Vec<(u32, u32)> = todo.into_iter().map(|(uid, size, _)| (uid, size)).collect();
        todo.sort();
        Ok(todo)
    }

    /// Hand every mail above the watermark that is not already with the processor.
    pub(super) async fn fetch_new(
        &mut self,
        session: &mut Session<Stream>,
        progress: &mut Progress,
        work: &Work,
        tx: &mpsc::Sender<Incoming>,
        cancel: &CancellationToken,
    ) -> Result<usize, ImapError> {
        let timeout = self.timeout();
        let mut handed = 0;
        for (uid, size) in self.listing(session, progress).await? {
            let Some(guard) = InFlight::claim(&self.in_flight, &uid.to_string()) else { continue };
            // Handed over before and free again: settled (its move request was queued before the
            // processor let go of it), or failed (then it is read again).
            if progress.pending.contains(&uid) && self.move_queued(progress.uidvalidity, uid) {
                continue;
            }
            let oversized = size as usize > self.max_bytes;
            let query = if oversized { "(UID INTERNALDATE BODY.PEEK[HEADER])" } else { "(UID INTERNALDATE BODY.PEEK[])" };
            crate::failpoint!("imap_before_fetch");
            let fetched = with_timeout(timeout, async {
                let mut stream = session.uid_fetch(uid.to_string(), query).await?;
                let mut found = None;
                while let Some(f) = stream.next().await {
                    let f = f?;
                    if f.uid == Some(uid) {
                        let raw = if oversized { f.header() } else { f.body() }.map(<[u8]>::to_vec);
                        let date = f.internal_date().map(|d| d.with_timezone(&chrono::Utc));
                        found = Some((raw, date));
                    }
                }
                Ok::<_, ImapError>(found)
            })
            .await??;
            let Some((Some(raw), date)) = fetched else {
                // Expunged meanwhile by someone else: nothing to do.
                continue;
            };
            crate::failpoint!("after_fetch_imap");
            progress.pending.insert(uid);
            progress.highest = progress.highest.max(uid);
            let incoming = Incoming {
                source: self.source.clone(),
                source_id: format!("{}/{uid}", progress.uidvalidity),
                raw,
                oversized,
                received_at: date.unwrap_or_else(chrono::Utc::now),
                ack: Ack::Imap { uid, uidvalidity: progress.uidvalidity, moves: self.moves_tx.clone() },
                _in_flight: guard,
            };
            tokio::select! {
                sent = tx.send(incoming) => if sent.is_err() { return Ok(handed) },
                _ = cancel.cancelled() => return Ok(handed),
            }
            handed += 1;
            // Keep moving while handing over a long backlog: the same moves as everywhere.
            self.apply_moves(session, progress, work).await?;
        }
        Ok(handed)
    }

    /// Carry out the moves the processor asked for, then advance the stored watermark.
    pub(super) async fn apply_moves(&mut self, session: &mut Session<Stream>, progress: &mut Progress, work: &Work) -> Result<(), ImapError> {
        let mut moved_any = false;
        self.drain_moves();
        while let Some(m) = self.queued.pop_front() {
            if m.uidvalidity != progress.uidvalidity {
                continue;
            }
            if self.left_marked.contains(m.uidvalidity, m.uid) {
                // Filed already, and still in the folder marked \Deleted: a mail handed over
                // again while its move was queued must not be copied twice.
                progress.settled(m.uid);
                continue;
            }
            let folder = work.folders.for_state(m.state);
            crate::failpoint!("imap_before_move");
            let timeout = self.timeout();
            let moved = moves::move_one(session, &work.caps, m.uid, m.uidvalidity, folder, &mut self.left_marked, timeout).await;
            let how = match moved {
                Ok(how) => how,
                Err(e) => {
                    // Tried again first after the reconnect.
                    self.queued.push_front(m);
                    return Err(e);
                }
            };
            crate::failpoint!("imap_after_move");
            progress.settled(m.uid);
            moved_any = true;
            self.health.filed = true;
            tracing::debug!(uid = m.uid, folder = %folder.name, how = how.as_str(), "moved");
        }
        if moved_any {
            self.store.set_imap_position(&self.source, progress.uidvalidity, progress.watermark).await?;
        }
        Ok(())
    }

    /// Take what the processor asked for into `queued`.
    fn drain_moves(&mut self) {
        while let Ok(m) = self.moves_rx.try_recv() {
            self.queued.push_back(m);
        }
    }

    fn move_queued(&mut self, uidvalidity: u32, uid: u32) -> bool {
        self.drain_moves();
        self.queued.iter().any(|m| m.uid == uid && m.uidvalidity == uidvalidity)
    }
}
