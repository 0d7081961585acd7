//! A TCP proxy between seatmail and a server, for network faults a real server will not
//! produce on demand: connections cut in the middle of a transfer, and a peer that stops
//! answering without closing anything (no RST, no FIN). A fault can be armed to strike once a
//! given amount of data has come from the server, so that it lands inside a transfer however
//! fast or slow the machine is. Runs on its own thread and runtime; dropping it closes every
//! socket it holds.

#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Forward both ways.
    Pass,
    /// Keep every socket open and forward nothing: a server that stopped answering.
    Blackhole,
}

/// A fault that strikes once the server has sent `after` more bytes (to all connections).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Close the connection that carried the last of those bytes.
    Cut,
    /// Switch to [`Mode::Blackhole`].
    Silence,
}

/// What the proxy's tasks share with the test.
struct Shared {
    mode: watch::Sender<Mode>,
    /// Bumped to cut every open connection.
    cut: watch::Sender<usize>,
    connections: AtomicUsize,
    /// Bytes forwarded from the server, on every connection.
    down: AtomicUsize,
    /// Faults struck so far.
    struck: AtomicUsize,
    armed: Mutex<Option<(usize, Fault)>>,
}

impl Shared {
    /// Count `n` bytes from the server; true when an armed cut strikes this connection.
    fn forwarded(&self, n: usize) -> bool {
        let total = self.down.fetch_add(n, Ordering::SeqCst) + n;
        let mut armed = self.armed.lock().unwrap();
        match *armed {
            Some((at, fault)) if total >= at => {
                *armed = None;
                self.struck.fetch_add(1, Ordering::SeqCst);
                if fault == Fault::Silence {
                    let _ = self.mode.send(Mode::Blackhole);
                }
                fault == Fault::Cut
            }
            _ => false,
        }
    }
}

pub struct Proxy {
    pub port: u16,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    _guard: Arc<Mutex<()>>,
}

impl Proxy {
    pub fn start(target_port: u16) -> Proxy {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        std_listener.set_nonblocking(true).unwrap();
        let port = std_listener.local_addr().unwrap().port();
        let (mode, mode_rx) = watch::channel(Mode::Pass);
        let (cut, cut_rx) = watch::channel(0usize);
        let shared = Arc::new(Shared {
            mode,
            cut,
            connections: AtomicUsize::new(0),
            down: AtomicUsize::new(0),
            struck: AtomicUsize::new(0),
            armed: Mutex::new(None),
        });
        let (stop, stop_rx) = oneshot::channel();
        let tasks = shared.clone();
        let thread = std::thread::Builder::new()
            .name(format!("proxy-{port}"))
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async move {
                    let listener = TcpListener::from_std(std_listener).unwrap();
                    let accept = async {
                        loop {
                            let Ok((client, _)) = listener.accept().await else { continue };
                            tasks.connections.fetch_add(1, Ordering::SeqCst);
                            let (mode_rx, cut_rx, shared) = (mode_rx.clone(), cut_rx.clone(), tasks.clone());
                            tokio::spawn(async move {
                                let Ok(server) = TcpStream::connect(("127.0.0.1", target_port)).await else { return };
                                pipe(client, server, mode_rx, cut_rx, &shared).await;
                            });
                        }
                    };
                    tokio::select! {
                        _ = accept => {}
                        _ = stop_rx => {}
                    }
                });
                // Dropping the runtime drops every task and closes their sockets.
            })
            .expect("proxy thread");
        Proxy {
            port,
            shared,
            stop: Some(stop),
            thread: Some(thread),
            _guard: Arc::new(Mutex::new(())),
        }
    }

    pub fn set_mode(&self, mode: Mode) {
        let _ = self.shared.mode.send(mode);
    }

    /// Close every connection open now (new ones are accepted).
    pub fn cut(&self) {
        self.shared.cut.send_modify(|n| *n += 1);
    }

    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Strike `fault` once the server has sent `bytes` more (replacing a fault not struck yet).
    pub fn arm(&self, bytes: usize, fault: Fault) {
        let at = self.shared.down.load(Ordering::SeqCst) + bytes;
        *self.shared.armed.lock().unwrap() = Some((at, fault));
    }

    /// How many armed faults have struck.
    pub fn struck(&self) -> usize {
        self.shared.struck.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn pipe(client: TcpStream, server: TcpStream, mut mode: watch::Receiver<Mode>, mut cut: watch::Receiver<usize>, shared: &Shared) {
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    // A cloned receiver has not "seen" the value yet: mark it, so only later changes count.
    let start_cut = *cut.borrow_and_update();
    mode.borrow_and_update();
    let mut a = [0u8; 16 * 1024];
    let mut b = [0u8; 16 * 1024];
    loop {
        if *cut.borrow() != start_cut {
            return;
        }
        if *mode.borrow() == Mode::Blackhole {
            // Hold the sockets, move nothing, until the mode changes or a cut.
            tokio::select! {
                _ = mode.changed() => continue,
                _ = cut.changed() => return,
            }
        }
        tokio::select! {
            r = cr.read(&mut a) => match r {
                Ok(0) | Err(_) => return,
                Ok(n) => if sw.write_all(&a[..n]).await.is_err() { return },
            },
            r = sr.read(&mut b) => match r {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    // Part of the data goes through before a cut, as when a line drops mid-transfer.
                    if cw.write_all(&b[..n]).await.is_err() || shared.forwarded(n) { return }
                }
            },
            _ = mode.changed() => {}
            _ = cut.changed() => return,
        }
    }
}
