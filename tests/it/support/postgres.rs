//! A throw-away PostgreSQL for the integration tests: Debian's `postgresql` binaries,
//! `initdb` into a temp directory, listening on a free loopback port, in its own process group,
//! stopped by that recorded group (never by name) on `stop` or drop.
//!
//! PostgreSQL refuses to run as root, so as root it runs as Debian's `postgres` user (through
//! `setpriv`), with the data directory handed to that user.
//!
//! The integration suite runs a second time against PostgreSQL when `SEATMAIL_TEST_BACKEND=
//! postgres` (the test command does this): then every `Env` gets a fresh database on one shared
//! server, which an `atexit` hook stops when the test process ends.

#![allow(dead_code)]

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub struct Postgres {
    pub port: u16,
    dir: PathBuf,
    bin: PathBuf,
    run_as: Option<(u32, u32)>,
    child: Option<Child>,
    _tmp: tempfile::TempDir,
}

extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
    fn geteuid() -> u32;
    fn atexit(cb: extern "C" fn()) -> i32;
}

fn bin_dir() -> PathBuf {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<PathBuf> = fs::read_dir(root)
        .unwrap_or_else(|_| panic!("PostgreSQL is not installed ({} missing): tests/run installs Debian's postgresql", root.display()))
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("postgres").exists())
        .collect();
    versions.sort();
    versions.pop().expect("no PostgreSQL server binary under /usr/lib/postgresql/*/bin")
}

/// uid and gid of a system user, from /etc/passwd.
fn system_user(name: &str) -> Option<(u32, u32)> {
    let passwd = fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.first() == Some(&name)).then(|| Some((f.get(2)?.parse().ok()?, f.get(3)?.parse().ok()?))).flatten()
    })
}

fn chown_tree(path: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).expect("chown");
    if path.is_dir() {
        for e in fs::read_dir(path).unwrap().flatten() {
            chown_tree(&e.path(), uid, gid);
        }
    }
}

impl Postgres {
    pub fn start() -> Postgres {
        let tmp = tempfile::Builder::new().prefix("seatmail-pg-").tempdir().expect("temp dir for postgres");
        let dir = tmp.path().to_path_buf();
        let bin = bin_dir();
        // SAFETY: geteuid(2) has no preconditions.
        let run_as = if unsafe { geteuid() } == 0 {
            Some(system_user("postgres").expect("as root, PostgreSQL needs Debian's `postgres` user"))
        } else {
            None
        };
        fs::create_dir_all(dir.join("sock")).unwrap();
        if let Some((uid, gid)) = run_as {
            chown_tree(&dir, uid, gid);
        }
        let out = as_user(Command::new(bin.join("initdb")), run_as)
            .args(["-D"])
            .arg(dir.join("data"))
            .args(["-U", "seatmail", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"])
            .output()
            .expect("run initdb");
        assert!(out.status.success(), "initdb failed: {}", String::from_utf8_lossy(&out.stderr));
        let mut pg = Postgres { port: super::procs::free_ports::<1>()[0], dir, bin, run_as, child: None, _tmp: tmp };
        pg.launch();
        pg
    }

    fn launch(&mut self) {
        let log = fs::OpenOptions::new().create(true).append(true).open(self.dir.join("postgres.log")).unwrap();
        let child = as_user(Command::new(self.bin.join("postgres")), self.run_as)
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-p", &self.port.to_string(), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"])
            .args(["-c", "max_connections=300", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"])
            .arg("-k")
            .arg(self.dir.join("sock"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .process_group(0)
            .spawn()
            .expect("start postgres");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = Command::new(self.bin.join("pg_isready"))
                .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "seatmail", "-d", "postgres"])
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false);
            if ready {
                return;
            }
            assert!(Instant::now() < deadline, "postgres did not start:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.join("postgres.log")).unwrap_or_default()
    }

    /// A new, empty database; its URL.
    pub fn create_db(&self, name: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "seatmail", "-d", "postgres", "-q", "-c"])
            .arg(format!("CREATE DATABASE \"{name}\""))
            .output()
            .expect("psql");
        assert!(out.status.success(), "create database: {}", String::from_utf8_lossy(&out.stderr));
        self.url(name)
    }

    pub fn url(&self, db: &str) -> String {
        format!("postgres://seatmail@127.0.0.1:{}/{db}", self.port)
    }

    /// SIGTERM (a fast shutdown) to the recorded process group, then SIGKILL if it lingers.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else { return };
        let pgid = child.id() as i32;
        // SAFETY: signals to the process group we created.
        unsafe { kill(-pgid, 2) };
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        unsafe { kill(-pgid, 9) };
        let _ = child.wait();
    }

    /// Same data, same port.
    pub fn start_again(&mut self) {
        assert!(self.child.is_none());
        self.launch();
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
    }
}

fn as_user(mut cmd: Command, run_as: Option<(u32, u32)>) -> Command {
    if let Some((uid, gid)) = run_as {
        let mut wrapped = Command::new("setpriv");
        wrapped.args(["--reuid", &uid.to_string(), "--regid", &gid.to_string(), "--clear-groups", "--"]);
        wrapped.arg(cmd.get_program());
        wrapped.args(cmd.get_args());
        cmd = wrapped;
    }
    cmd
}

/// The server the whole suite shares in its PostgreSQL pass.
static SHARED: OnceLock<Mutex<Option<Postgres>>> = OnceLock::new();
static DBS: AtomicUsize = AtomicUsize::new(0);

extern "C" fn stop_shared() {
    if let Some(m) = SHARED.get() {
        if let Ok(mut g) = m.lock() {
            if let Some(mut pg) = g.take() {
                pg.stop();
            }
        }
    }
}

/// `Some(url of a fresh database)` in the suite's PostgreSQL pass, `None` in the SQLite pass.
pub fn test_database() -> Option<String> {
    match std::env::var("SEATMAIL_TEST_BACKEND").as_deref() {
        Ok("postgres") => {}
        Ok("sqlite") | Err(_) => return None,
        Ok(other) => panic!("SEATMAIL_TEST_BACKEND={other}: use sqlite or postgres"),
    }
    let shared = SHARED.get_or_init(|| {
        // SAFETY: registers a plain function to run at process exit.
        unsafe { atexit(stop_shared) };
        Mutex::new(Some(Postgres::start()))
    });
    let guard = shared.lock().unwrap_or_else(|p| p.into_inner());
    let pg = guard.as_ref().expect("the shared PostgreSQL is running");
    let name = format!("t{}_{}", std::process::id(), DBS.fetch_add(1, Ordering::SeqCst));
    Some(pg.create_db(&name))
}
