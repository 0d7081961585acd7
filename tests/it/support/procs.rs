//! What every real server the tests start needs: free loopback ports, a readiness check by
//! greeting, the user its mail belongs to, and a stop by the process group the test recorded
//! (SIGTERM, then SIGKILL if any member lingers) — never by name.

// A toolbox: each server uses only part of it.
#![allow(dead_code)]

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

pub const SIGTERM: i32 = 15;
pub const SIGKILL: i32 = 9;

extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
}

/// `N` distinct free loopback ports for servers the test starts.
///
/// A port is free only until someone binds it. Ports the kernel picks for `bind(0)` come from its
/// ephemeral range, where every listener of a parallel test (the SMTP catcher, the simulators)
/// and every outgoing connection also draws: a port freed here could be handed to one of them
/// before our server binds it, and a test would then talk to another test's server (seen once:
/// a customer's mail to the MX answered by another test's submission service). So the ports come
/// from below the ephemeral range, where the kernel never picks, each handed out once per test
/// run, and each checked free by binding it (another run on the same machine may use some).
pub fn free_ports<const N: usize>() -> [u16; N] {
    std::array::from_fn(|_| next_free_port())
}

fn next_free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(u32::MAX);
    static RANGE: std::sync::OnceLock<(u32, u32)> = std::sync::OnceLock::new();
    let &(low, size) = RANGE.get_or_init(own_port_range);
    if NEXT.load(Ordering::Relaxed) == u32::MAX {
        // A different start per test process, so two runs on one machine seldom meet.
        let _ = NEXT.compare_exchange(u32::MAX, std::process::id().wrapping_mul(7919) % size, Ordering::Relaxed, Ordering::Relaxed);
    }
    for _ in 0..size {
        let port = (low + NEXT.fetch_add(1, Ordering::Relaxed) % size) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free loopback port in {low}..{}", low + size)
}

/// The ports below the kernel's ephemeral range (`ip_local_port_range`), at most 12,000 of them
/// and never the well-known ones; above the range if it starts too low.
fn own_port_range() -> (u32, u32) {
    let range = fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap_or_default();
    let bounds: Vec<u32> = range.split_whitespace().filter_map(|n| n.parse().ok()).collect();
    let (first, last) = match bounds[..] {
        [first, last] => (first, last),
        _ => (32768, 60999),
    };
    if first >= 12_000 {
        let low = first.saturating_sub(12_000).max(10_000);
        (low, first - low)
    } else {
        assert!(last < 64_000, "the ephemeral port range {first}-{last} leaves no ports for test servers");
        (last + 1, 65_535 - last)
    }
}

/// Connects to `port` and checks that the first line starts with `prefix` (`* OK`, `220 `).
pub fn greets(port: u16, prefix: &str) -> Result<(), String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).map_err(|e| format!("connect {port}: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut line = String::new();
    BufReader::new(&stream).read_line(&mut line).map_err(|e| format!("read greeting on {port}: {e}"))?;
    if !line.starts_with(prefix) {
        return Err(format!("port {port} greeted {line:?}"));
    }
    let _ = (&stream).write_all(if prefix == "220 " { b"QUIT\r\n" } else { b"a LOGOUT\r\n" });
    Ok(())
}

/// Poll `ready` until the server serves (a readiness check, never a fixed sleep); the reason if
/// it exits first or takes longer than `timeout`.
pub fn wait_serving(child: &mut Child, timeout: Duration, ready: impl Fn() -> Result<(), String>) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return Err(format!("exited during start ({status})"));
        }
        match ready() {
            Ok(()) => return Ok(()),
            Err(e) if Instant::now() > deadline => return Err(format!("did not serve within {timeout:?} ({e})")),
            // Listeners come up within milliseconds.
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// Signals a whole process group (the negative pid), never anything found by name.
pub fn signal_group(pgid: i32, sig: i32) {
    assert!(pgid > 1, "refusing to signal process group {pgid}");
    // SAFETY: kill(2) has no memory-safety preconditions.
    unsafe {
        kill(-pgid, sig);
    }
}

/// Whether any live (non-zombie) process is still in process group `pgid`.
pub fn group_alive(pgid: i32) -> bool {
    let Ok(procs) = fs::read_dir("/proc") else { return false };
    procs.flatten().any(|p| {
        let Ok(stat) = fs::read_to_string(p.path().join("stat")) else { return false };
        // Fields after the parenthesised command name: state ppid pgrp ...
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else { return false };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        fields.len() > 2 && fields[0] != "Z" && fields[2] == pgid.to_string()
    })
}

/// SIGTERM to the process group `pgid` (whose leader is `child`, ours to reap, when given), wait
/// for every member to go, SIGKILL if one will not within `timeout`.
pub fn stop_group(child: Option<&mut Child>, pgid: i32, name: &str, timeout: Duration) {
    signal_group(pgid, SIGTERM);
    let mut child = child;
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        let leader_done = match child.as_deref_mut() {
            Some(c) => c.try_wait().expect("wait for the server").is_some(),
            None => true,
        };
        if leader_done && !group_alive(pgid) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    signal_group(pgid, SIGKILL);
    if let Some(c) = child {
        let _ = c.wait();
    }
    let deadline = Instant::now() + timeout;
    while group_alive(pgid) {
        assert!(Instant::now() < deadline, "{name} process group {pgid} survived SIGKILL");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The account a server's mail belongs to.
pub struct MailUser {
    /// The tests run as root (the server switches to `name` itself).
    pub root: bool,
    pub uid: u32,
    pub gid: u32,
    pub name: String,
    pub group: String,
}

/// Unprivileged, that is us (the owner of `probe`, a file we just made). As root it cannot be:
/// mail servers refuse uid 0 for mail, so mail belongs to Debian's `mail` user (or `nobody`).
pub fn mail_user(probe: &Path) -> MailUser {
    let meta = fs::metadata(probe).unwrap_or_else(|e| panic!("stat {}: {e}", probe.display()));
    if meta.uid() != 0 {
        let (uid, gid) = (meta.uid(), meta.gid());
        return MailUser { root: false, uid, gid, name: name_for_id("/etc/passwd", uid), group: name_for_id("/etc/group", gid) };
    }
    let passwd = fs::read_to_string("/etc/passwd").unwrap_or_default();
    let (name, uid, gid) = ["mail", "nobody"]
        .iter()
        .find_map(|name| {
            passwd
                .lines()
                .map(|l| l.split(':').collect::<Vec<_>>())
                .find(|f| f.len() > 3 && f[0] == *name)
                .and_then(|f| Some((f[0].to_string(), f[2].parse().ok()?, f[3].parse().ok()?)))
        })
        .expect("no `mail` or `nobody` user in /etc/passwd to own the test mail");
    MailUser { root: true, uid, gid, name, group: name_for_id("/etc/group", gid) }
}

pub fn name_for_id(file: &str, id: u32) -> String {
    let text = fs::read_to_string(file).unwrap_or_default();
    text.lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() > 2 && f[2] == id.to_string())
        .map(|f| f[0].to_string())
        .unwrap_or_else(|| panic!("id {id} not in {file}: cannot run the server unprivileged"))
}

/// chown -R, so that a server running as `user` owns what the test wrote for it.
pub fn chown_tree(root: &Path, user: &MailUser) {
    if !user.root {
        return;
    }
    std::os::unix::fs::chown(root, Some(user.uid), Some(user.gid)).unwrap_or_else(|e| panic!("chown {}: {e}", root.display()));
    if root.is_dir() {
        for entry in fs::read_dir(root).unwrap_or_else(|e| panic!("read {}: {e}", root.display())).flatten() {
            chown_tree(&entry.path(), user);
        }
    }
}
