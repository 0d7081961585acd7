//! This process as the other seatmail instances see it: an id, a heartbeat row in the store,
//! and the taking back of what dead instances held.
//!
//! Everything an instance leases (answers, vendor jobs, the intake of a folder) carries its id.
//! An instance is dead when its heartbeat has been silent for [`DEAD_AFTER`], or at once when it
//! ran on this host and its process is gone (a SIGKILL, a crash, a power cut of a container):
//! the next instance to start, or any running one within a beat, releases its leases, so its
//! answers go out within seconds instead of waiting out their lease.
//!
//! The other side of that promise: an instance that cannot beat for [`FENCE`] (a stalled store,
//! a frozen process) stops starting sends (see [`Presence::may_act`]), before the others may
//! take it for dead. So no answer is sent by two living instances.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio_util::sync::CancellationToken;

use crate::store::{InstanceRow, Reaped, Store, StoreError};

/// How often an instance beats (and looks for dead ones).
pub const BEAT: Duration = Duration::from_secs(1);
/// Silence after which the others take an instance (on another host) for dead.
pub const DEAD_AFTER: Duration = Duration::from_secs(5);
/// Without a successful beat for this long, an instance starts no new send: well before the
/// others may take it for dead.
pub const FENCE: Duration = Duration::from_secs(3);

/// This process's instance id: `host:pid:random`, the same for all its workers.
pub fn process_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| format!("{}:{}:{}", host(), std::process::id(), &uuid::Uuid::new_v4().simple().to_string()[..8]))
}

fn host() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".into())
}

/// A process's start time on this host (`/proc/PID/stat`, field 22) after this process's pid
/// namespace, which together tell a live process from a dead one whose pid was reused, and keep
/// a container from judging another's pids. Empty where there is no `/proc`.
fn proc_start(pid: u32) -> Option<String> {
    let ns = std::fs::read_link("/proc/self/ns/pid").ok()?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: count after its last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    let start = rest.split_whitespace().nth(19)?;
    Some(format!("{} {start}", ns.display()))
}

/// Whether an instance that ran on this host, in this pid namespace, is certainly gone.
fn gone_here(row: &InstanceRow) -> bool {
    let ours = std::fs::read_link("/proc/self/ns/pid").map(|ns| ns.display().to_string()).unwrap_or_default();
    let same_place = row.host == host() && !ours.is_empty() && row.proc_start.split(' ').next() == Some(ours.as_str());
    let Ok(pid) = u32::try_from(row.pid) else { return false };
    same_place && proc_start(pid).as_deref() != Some(row.proc_start.as_str())
}

/// This process's presence: cloned into each worker that leases.
#[derive(Clone)]
pub struct Presence {
    id: &'static str,
    /// When the last beat that reached the store was started.
    last_beat: Arc<Mutex<Option<Instant>>>,
}

impl Default for Presence {
    fn default() -> Self {
        Presence { id: process_id(), last_beat: Arc::default() }
    }
}

impl Presence {
    pub fn id(&self) -> &str {
        self.id
    }

    /// Whether this instance may start a send: its last beat is recent enough that no other
    /// instance can have taken it for dead.
    pub fn may_act(&self) -> bool {
        let last = *self.last_beat.lock().unwrap_or_else(|e| e.into_inner());
        last.is_some_and(|t| t.elapsed() < FENCE)
    }

    fn row(&self) -> InstanceRow {
        let pid = std::process::id();
        InstanceRow {
            id: self.id.to_string(),
            host: host(),
            pid: i64::from(pid),
            proc_start: proc_start(pid).unwrap_or_default(),
            beat_at: String::new(),
        }
    }

    /// Register, then take back what dead instances held. Called before any worker leases.
    pub async fn start(&self, store: &Store) -> Result<Reaped, StoreError> {
        let started = Instant::now();
        store.register_instance(&self.row(), Utc::now()).await?;
        self.beaten(started);
        self.reap(store).await
    }

    fn beaten(&self, at: Instant) {
        *self.last_beat.lock().unwrap_or_else(|e| e.into_inner()) = Some(at);
    }

    /// Beat every [`BEAT`] and take back what dead instances held, until `cancel`; then give up
    /// what this instance still holds and leave.
    pub async fn run(self, store: Store, cancel: CancellationToken) {
        loop {
            tokio::select! {
                _ = cancel.cancelled() => break,
                _ = tokio::time::sleep(BEAT) => {}
            }
            let started = Instant::now();
            match store.beat(self.id, Utc::now()).await {
                Ok(true) => self.beaten(started),
                Ok(false) => {
                    // Taken for dead (a stall longer than DEAD_AFTER): its leases are gone, so
                    // it may simply come back.
                    tracing::warn!(instance = self.id, "this instance was taken for dead by another; registering again");
                    if store.register_instance(&self.row(), Utc::now()).await.is_ok() {
                        self.beaten(started);
                    }
                }
                Err(e) => tracing::warn!(error = %e, "instance heartbeat not written"),
            }
            if let Err(e) = self.reap(&store).await {
                tracing::warn!(error = %e, "cannot look for dead instances");
            }
        }
        match store.take_back(self.id).await {
            Ok(r) if r.answers + r.jobs > 0 => tracing::info!(answers = r.answers, jobs = r.jobs, "left unsent work to the other instances"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot leave the instances table; the others will take this one for dead"),
        }
    }

    /// Take back what every dead instance held.
    pub async fn reap(&self, store: &Store) -> Result<Reaped, StoreError> {
        let now = Utc::now();
        let silent_since = crate::store::ts(now - chrono::Duration::from_std(DEAD_AFTER).unwrap_or_default());
        let mut total = Reaped::default();
        for row in store.instances().await? {
            if row.id == self.id || !(row.beat_at < silent_since || gone_here(&row)) {
                continue;
            }
            let r = store.take_back(&row.id).await?;
            tracing::info!(dead = %row.id, answers = r.answers, jobs = r.jobs, "took back the leases of a dead instance");
            total.instances += r.instances;
            total.answers += r.answers;
            total.jobs += r.jobs;
        }
        Ok(total)
    }
}
