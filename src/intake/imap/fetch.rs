//! Reading new mail and filing it: the listing above the watermark (without mail others
//! marked `\Deleted`), the fetch of each mail, and the moves the processor asks for — on the
//! backlog path as everywhere else.

use std::collections::{BTreeSet, HashMap};

use async_imap::types::Flag;
use async_imap::Session;
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{moves, with_timeout, ImapError, ImapIntake, MoveRequest, Progress, Stream, Work};
use crate::domain::MessageState;

/// A chunk fetched at once: a round trip per chunk, not per mail, while the memory it holds
/// stays bounded (and the processor's queue of 16 is kept full).
const CHUNK_MAILS: usize = 32;
const CHUNK_BYTES: usize = 8 << 20;

type Fetched = HashMap<u32, (Vec<u8>, Option<chrono::DateTime<chrono::Utc>>)>;
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

    /// Hand every mail above the watermark that is not already with the processor, fetched a
    /// chunk at a time; the moves asked for meanwhile are carried out after each chunk, in one
    /// command per folder.
    pub(super) async fn fetch_new(
        &mut self,
        session: &mut Session<Stream>,
        progress: &mut Progress,
        work: &Work,
        tx: &mpsc::Sender<Incoming>,
        cancel: &CancellationToken,
    ) -> Result<usize, ImapError> {
        let mut handed = 0;
        let listing = self.listing(session, progress).await?;
        let mut todo = listing.into_iter().peekable();
        while todo.peek().is_some() {
            let mut chunk = Vec::new();
            let mut bytes = 0usize;
            while let Some((uid, size)) = todo.next_if(|_| chunk.len() < CHUNK_MAILS && bytes < CHUNK_BYTES) {
                let Some(guard) = InFlight::claim(&self.in_flight, &uid.to_string()) else { continue };
                // Handed over before and free again: settled (its move request was queued before
                // the processor let go of it), or failed (then it is read again).
                if progress.pending.contains(&uid) && self.move_queued(progress.uidvalidity, uid) {
                    continue;
                }
                let oversized = size as usize > self.max_bytes;
                bytes += if oversized { 0 } else { size as usize };
                chunk.push((uid, oversized, guard));
            }
            crate::failpoint!("imap_before_fetch");
            let mut fetched = self.fetch_chunk(session, &chunk).await?;
            for (uid, oversized, guard) in chunk {
                let Some((raw, date)) = fetched.remove(&uid) else {
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
            }
            // Keep moving while handing over a long backlog: the same moves as everywhere.
            self.apply_moves(session, progress, work).await?;
        }
        Ok(handed)
    }

    /// The mails of a chunk by UID, `(raw, INTERNALDATE)`: whole, or the header only of an
    /// oversized one. A mail expunged meanwhile is missing.
    async fn fetch_chunk(&self, session: &mut Session<Stream>, chunk: &[(u32, bool, InFlight)]) -> Result<Fetched, ImapError> {
        let mut out = Fetched::new();
        for oversized in [false, true] {
            let uids: Vec<u32> = chunk.iter().filter(|(_, o, _)| *o == oversized).map(|(uid, _, _)| *uid).collect();
            if uids.is_empty() {
                continue;
            }
            let query = if oversized { "(UID INTERNALDATE BODY.PEEK[HEADER])" } else { "(UID INTERNALDATE BODY.PEEK[])" };
            with_timeout(self.timeout(), async {
                let mut stream = session.uid_fetch(moves::uid_set(&uids), query).await?;
                while let Some(f) = stream.next().await {
                    let f = f?;
                    // The server may add unsolicited FETCH responses (flags of other mail).
                    let Some(uid) = f.uid.filter(|u| uids.contains(u)) else { continue };
                    let raw = if oversized { f.header() } else { f.body() };
                    if let Some(raw) = raw {
                        out.insert(uid, (raw.to_vec(), f.internal_date().map(|d| d.with_timezone(&chrono::Utc))));
                    }
                }
                Ok::<_, ImapError>(())
            })
            .await??;
        }
        Ok(out)
    }

    /// Carry out the moves the processor asked for, one command per outcome folder for all
    /// that is queued, then advance the stored watermark. Each request was sent after its
    /// outcome was committed, so nothing is moved before it is recorded.
    pub(super) async fn apply_moves(&mut self, session: &mut Session<Stream>, progress: &mut Progress, work: &Work) -> Result<(), ImapError> {
        self.drain_moves();
        let mut batches: Vec<(MessageState, Vec<MoveRequest>)> = Vec::new();
        for m in std::mem::take(&mut self.queued) {
            if m.uidvalidity != progress.uidvalidity {
                continue;
            }
            if self.left_marked.contains(m.uidvalidity, m.uid) {
                // Filed already, and still in the folder marked \Deleted: a mail handed over
                // again while its move was queued must not be copied twice.
                progress.settled(m.uid);
                continue;
            }
            match batches.iter_mut().find(|(state, _)| *state == m.state) {
                Some((_, batch)) => batch.push(m),
                None => batches.push((m.state, vec![m])),
            }
        }
        let mut moved_any = false;
        let timeout = self.timeout();
        let mut batches = batches.into_iter();
        while let Some((state, batch)) = batches.next() {
            let folder = work.folders.for_state(state);
            let uids: Vec<u32> = batch.iter().map(|m| m.uid).collect();
            crate::failpoint!("imap_before_move");
            let moved = moves::move_set(session, &work.caps, &uids, progress.uidvalidity, folder, &mut self.left_marked, timeout).await;
            let how = match moved {
                Ok(how) => how,
                Err(e) => {
                    // Tried again first after the reconnect (a mail moved meanwhile is found
                    // by its key and only moved).
                    self.queued.extend(batch);
                    self.queued.extend(batches.flat_map(|(_, b)| b));
                    return Err(e);
                }
            };
            crate::failpoint!("imap_after_move");
            for uid in &uids {
                progress.settled(*uid);
            }
            moved_any = true;
            self.health.filed = true;
            tracing::debug!(uids = %moves::uid_set(&uids), folder = %folder.name, how = how.as_str(), "moved");
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
