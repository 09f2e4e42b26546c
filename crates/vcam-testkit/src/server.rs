//! vcam on a free port of 127.0.0.1: the `vcam-ptpip`, `vcam-vhci --listen` and
//! `vcam-fujiwifi` binaries as child processes, or a PTP/IP or Fujifilm WiFi server on a thread
//! of this process; and the built artifacts the acceptance tests run.

use std::future::Future;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use transport_fujiwifi::{FujiWifiConfig, FujiWifiServer, Ports};
use transport_ptpip::{PtpIpServer, ServerIdentity};
use vcam_core::pairing::Pairing;
use vcam_core::{FolderStore, Responder, SyntheticFrames};

use crate::tools::tempdir;

/// A vcam binary serving on 127.0.0.1 and a free port, killed when dropped. Its log
/// (`RUST_LOG=debug`) is kept and printed when the test fails.
#[derive(Debug)]
pub struct VcamProcess {
    child: Child,
    addr: SocketAddr,
    addrs: Vec<SocketAddr>,
    log: PathBuf,
    name: String,
    _dir: tempfile::TempDir,
}

impl VcamProcess {
    /// Starts `program` (`vcam-ptpip`, or `vcam-vhci`) with `args` and `--listen 127.0.0.1:0`,
    /// and waits for the `listening on ADDR` line it prints when ready.
    #[must_use]
    pub fn start(program: &Path, args: &[&str]) -> Self {
        Self::start_several(program, args, 1)
    }

    /// As [`VcamProcess::start`] for a process serving `cameras` cameras (`--models`): waits
    /// for each one's `listening on ADDR` line ([`VcamProcess::addrs`], in order).
    #[must_use]
    pub fn start_several(program: &Path, args: &[&str], cameras: usize) -> Self {
        let dir = tempdir();
        let log = dir.path().join("vcam.log");
        let log_file = std::fs::File::create(&log)
            .unwrap_or_else(|e| panic!("creating {}: {e}", log.display()));
        let mut child = Command::new(program)
            .args(args)
            .args(["--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", program.display()));
        let name = program
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let mut addrs = Vec::with_capacity(cameras);
        let mut lines = Vec::new();
        if let Some(stdout) = child.stdout.take() {
            let mut reader = BufReader::new(stdout);
            while addrs.len() < cameras {
                let mut line = String::new();
                // A read error or the end leaves the list short: reported below with the log.
                if !matches!(reader.read_line(&mut line), Ok(n) if n > 0) {
                    break;
                }
                if let Some(addr) = line
                    .trim()
                    .strip_prefix("listening on ")
                    .and_then(|a| a.parse().ok())
                {
                    addrs.push(addr);
                }
                lines.push(line);
            }
        }
        let Some(&addr) = addrs.first().filter(|_| addrs.len() == cameras) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{name} {args:?} did not start {cameras} camera(s): printed {lines:?}; log:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        };
        Self {
            child,
            addr,
            addrs,
            log,
            name,
            _dir: dir,
        }
    }

    /// Where each camera listens, in the order they were given.
    #[must_use]
    pub fn addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    /// The process's resident memory in KiB (`VmRSS` of `/proc/PID/status`).
    #[must_use]
    pub fn rss_kib(&self) -> u64 {
        crate::tools::rss_kib_of(&format!("/proc/{}/status", self.child.id()))
    }

    /// Where it listens.
    #[must_use]
    pub const fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its TCP port.
    #[must_use]
    pub const fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Its process id.
    #[must_use]
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What it has logged so far.
    #[must_use]
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Whether it is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for VcamProcess {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- {} log ---\n{}", self.name, self.log());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A camera of the registry model `model` (`generic`, `canon_1300d`, ...) serving the folder
/// `card`, with live view frames of `frame_size`.
#[must_use]
pub fn camera(model: &str, card: &Path, frame_size: (u32, u32)) -> Responder {
    let entry = vcam_models::lookup(model).unwrap_or_else(|e| panic!("{e}"));
    let (model, vendor) = entry.build();
    let store = FolderStore::open(card, false)
        .unwrap_or_else(|e| panic!("opening {}: {e}", card.display()));
    let (w, h) = frame_size;
    Responder::new(
        model,
        vendor,
        Box::new(store),
        Box::new(SyntheticFrames::new(w, h, 30)),
    )
}

/// Serves `camera` over PTP/IP on 127.0.0.1 and a free port, from a thread with its own
/// runtime that lives as long as the process; returns the address.
#[must_use]
pub fn spawn_ptpip(camera: Responder) -> SocketAddr {
    let identity: ServerIdentity = camera.model().ptpip.clone();
    on_own_runtime("PTP/IP server", 1, |bound| async move {
        let server =
            match PtpIpServer::bind(SocketAddr::from(([127, 0, 0, 1], 0)), camera, identity)
                .await
                .and_then(|s| s.local_addr().map(|a| (s, a)))
            {
                Ok((server, addr)) => {
                    let _ = bound.send(Ok(addr));
                    server
                }
                Err(e) => {
                    let _ = bound.send(Err(format!("binding 127.0.0.1:0: {e}")));
                    return;
                }
            };
        let _ = server.run().await;
    })
}

/// Serves `camera` over Fujifilm's WiFi protocol (`transport-fujiwifi`) on 127.0.0.1 and
/// three free consecutive ports, from a thread with its own runtime that lives as long as the
/// process; `pairing` decides which clients it accepts. Returns the ports.
#[must_use]
pub fn spawn_fujiwifi(camera: Responder, pairing: Pairing) -> Ports {
    let config = FujiWifiConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        identity: camera.model().ptpip.clone(),
        pairing,
    };
    on_own_runtime("Fujifilm WiFi server", 2, |bound| async move {
        let server = match FujiWifiServer::bind(camera, config).await {
            Ok(server) => {
                let _ = bound.send(Ok(server.ports()));
                server
            }
            Err(e) => {
                let _ = bound.send(Err(format!("binding three ports on 127.0.0.1: {e}")));
                return;
            }
        };
        let _ = server.run().await;
    })
}

/// Runs `serve` on a thread with a runtime of its own (`workers` worker threads) that lives as
/// long as the process. `serve` binds, says where on the channel it gets (or why it could not),
/// then serves; returns where, or fails the test naming `what`.
fn on_own_runtime<A, F>(
    what: &str,
    workers: usize,
    serve: impl FnOnce(std::sync::mpsc::Sender<Result<A, String>>) -> F + Send + 'static,
) -> A
where
    A: Send + 'static,
    F: Future<Output = ()>,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        match tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime.block_on(serve(tx)),
            Err(e) => {
                let _ = tx.send(Err(format!("tokio runtime: {e}")));
            }
        }
    });
    match rx.recv() {
        Ok(Ok(at)) => at,
        Ok(Err(e)) => panic!("{what}: {e}"),
        Err(_) => panic!("the {what} thread ended before binding"),
    }
}

/// The build artifacts the acceptance matrix runs, found beside the running test binary
/// (`target/<profile>/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifacts {
    /// The `vcam-ptpip` binary.
    pub ptpip: PathBuf,
    /// The `vcam-vhci` binary.
    pub vhci: PathBuf,
    /// The libusb drop-in, `libvcam_libusb.so`.
    pub shim: PathBuf,
    /// The `vcam-fujiwifi` binary.
    pub fujiwifi: PathBuf,
    /// The `ptp-liveview` binary.
    pub liveview: PathBuf,
    /// The `vcamctl` binary.
    pub vcamctl: PathBuf,
}

impl Artifacts {
    /// The artifacts of the profile the running test was built with; fails the test, saying
    /// how to build them, when one is missing. `cargo test --workspace` builds the
    /// binaries; the shared library needs `cargo build -p vcam-libusb`.
    #[must_use]
    pub fn of_this_build() -> Self {
        Self {
            ptpip: built("vcam-ptpip"),
            vhci: built("vcam-vhci"),
            shim: built("libvcam_libusb.so"),
            fujiwifi: built("vcam-fujiwifi"),
            liveview: built("ptp-liveview"),
            vcamctl: built("vcamctl"),
        }
    }
}

/// The artifact `name` of the profile the running test was built with (`target/<profile>/`);
/// fails the test, saying how to build it, when it is missing.
#[must_use]
pub fn built(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("current_exe: {e}"));
    // target/<profile>/deps/<test> → target/<profile>
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| panic!("{} has no profile folder", exe.display()));
    let path = dir.join(name);
    assert!(
        path.is_file(),
        "{} is missing: build it with `cargo build -p vcam-ptpip -p vcam-vhci -p vcam-fujiwifi \
         -p vcam-libusb -p ptp-liveview -p vcamctl` (./scripts/test.sh does)",
        path.display()
    );
    path
}
