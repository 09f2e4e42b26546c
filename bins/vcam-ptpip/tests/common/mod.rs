//! Shared harness of the end-to-end tests: start `vcam-ptpip` on a free port, run real clients
//! with a private HOME, and fail loudly when a tool is missing.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Fails with install instructions when `tool` is not on PATH.
pub fn require(tool: &str, package: &str) {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()));
    assert!(
        found,
        "`{tool}` is not installed. Install it with `sudo apt-get install {package}`, or run ./scripts/test.sh, which installs every tool the tests need."
    );
}

/// A running `vcam-ptpip`.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    stderr_log: PathBuf,
    _log_dir: tempfile::TempDir,
}

impl Server {
    /// Starts `vcam-ptpip` with `args` on 127.0.0.1 and a free port.
    pub fn start(args: &[&str]) -> Self {
        let log_dir = tempfile::tempdir().unwrap();
        let stderr_log = log_dir.path().join("stderr.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_vcam-ptpip"))
            .args(args)
            .args(["--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "debug")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr_log).unwrap())
            .spawn()
            .expect("start vcam-ptpip");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "unexpected first line {line:?}; stderr: {}",
                    std::fs::read_to_string(&stderr_log).unwrap_or_default()
                )
            })
            .parse()
            .unwrap();
        Self {
            child,
            addr,
            stderr_log,
            _log_dir: log_dir,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The `--port` argument for gphoto2 (command and event port both given: with only one,
    /// libgphoto2 sends the event connection to 15740).
    pub fn gphoto_port(&self) -> String {
        format!("ptpip:127.0.0.1:{0}:{0}", self.port())
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr_log).unwrap_or_default()
    }

    /// Whether the server process is still running.
    pub fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- vcam-ptpip log ---\n{}", self.log());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// gphoto2 with a private HOME (it writes ~/.gphoto/settings) working in its own folder.
pub struct Gphoto {
    pub home: tempfile::TempDir,
    pub cwd: tempfile::TempDir,
    port: String,
}

pub struct Run {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Gphoto {
    pub fn new(server: &Server) -> Self {
        require("gphoto2", "gphoto2");
        Self {
            home: tempfile::tempdir().unwrap(),
            cwd: tempfile::tempdir().unwrap(),
            port: server.gphoto_port(),
        }
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let started = Instant::now();
        let out: Output = Command::new("gphoto2")
            .arg("--port")
            .arg(&self.port)
            .args(args)
            .env("HOME", self.home.path())
            .env("LANG", "C")
            .current_dir(self.cwd.path())
            .output()
            .expect("run gphoto2");
        let run = Run {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        eprintln!(
            "gphoto2 {args:?} ({:?}): ok={}\n{}{}",
            started.elapsed(),
            run.ok,
            run.stdout,
            run.stderr
        );
        run
    }

    /// Runs and asserts success.
    pub fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert!(
            run.ok,
            "gphoto2 {args:?} failed:\n{}\n{}",
            run.stdout, run.stderr
        );
        run.stdout
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.cwd.path().join(name)
    }
}

/// A card folder with a few files of different kinds.
pub fn sample_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let dcim = dir.path().join("DCIM/100TEST");
    std::fs::create_dir_all(&dcim).unwrap();
    let img = image::RgbImage::from_fn(320, 240, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    img.save(dcim.join("PIC_0001.JPG")).unwrap();
    img.save(dcim.join("PIC_0002.PNG")).unwrap();
    let big: Vec<u8> = (0..5_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    std::fs::write(dcim.join("MOVIE.MOV"), big).unwrap();
    std::fs::write(dir.path().join("DCIM/NOTES.TXT"), b"vcam test card\n").unwrap();
    dir
}

/// Waits until `f` returns true or the timeout passes.
pub fn wait_until(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + timeout;
    while Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    f()
}

/// Whether `path` holds a JPEG the `image` crate decodes; returns its size.
pub fn jpeg_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        &bytes[..2],
        &[0xFF, 0xD8],
        "{} is not a JPEG",
        path.display()
    );
    let img = image::load_from_memory(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (img.width(), img.height())
}
