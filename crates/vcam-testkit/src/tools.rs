//! Real client programs: find them (or fail with the package to install), run them with a
//! private HOME, and wait for things to happen.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::guest::Guest;

/// Where programs are looked for besides `PATH` (`usbip` lives in `/usr/sbin`, which is not
/// on every user's `PATH`).
const SYSTEM_DIRS: &[&str] = &["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"];

/// The Debian package of every program the tests run, for the message of [`require`].
const PACKAGES: &[(&str, &str)] = &[
    ("gphoto2", "gphoto2"),
    ("mtp-detect", "mtp-tools"),
    ("mtp-files", "mtp-tools"),
    ("mtp-folders", "mtp-tools"),
    ("mtp-getfile", "mtp-tools"),
    ("mtp-sendfile", "mtp-tools"),
    ("mtp-delfile", "mtp-tools"),
    ("usbip", "usbip"),
    ("tshark", "tshark"),
    ("qemu-system-x86_64", "qemu-system-x86"),
    ("busybox", "busybox-static"),
    ("cpio", "cpio"),
    ("unshare", "util-linux"),
    ("ip", "iproute2"),
    ("gssdp-discover", "gupnp-tools"),
    ("chromium", "chromium"),
    ("readelf", "binutils"),
    ("nm", "binutils"),
];

/// The full path of `tool`, searched on `PATH` and in the system program folders.
#[must_use]
pub fn which(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(SYSTEM_DIRS.iter().map(PathBuf::from))
        .map(|dir| dir.join(tool))
        .find(|p| p.is_file())
}

/// The Debian package that provides `tool` (the tool's own name when unknown).
#[must_use]
pub fn package_of(tool: &str) -> &str {
    PACKAGES
        .iter()
        .find(|(t, _)| *t == tool)
        .map_or(tool, |(_, p)| p)
}

/// The full path of `tool`; fails the test with the package to install when it is missing.
/// Tests never skip because a tool is absent.
#[must_use]
pub fn require(tool: &str) -> PathBuf {
    which(tool).unwrap_or_else(|| {
        panic!(
            "`{tool}` is not installed. Install it with `sudo apt-get install {}`, or run \
             ./scripts/test.sh, which installs every tool the tests need.",
            package_of(tool)
        )
    })
}

/// What a finished program did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The command line, for messages.
    pub command: String,
    /// Whether it exited with status 0.
    pub ok: bool,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

impl Run {
    /// The standard output; fails the test when the program failed.
    #[must_use]
    pub fn stdout_if_ok(self) -> String {
        assert!(
            self.ok,
            "`{}` failed:\n{}\n{}",
            self.command, self.stdout, self.stderr
        );
        self.stdout
    }

    /// Fails the test when the program succeeded (a refusal was expected).
    pub fn assert_refused(&self, why: &str) {
        assert!(
            !self.ok,
            "`{}` succeeded, but {why}:\n{}",
            self.command, self.stdout
        );
    }
}

/// A program's environment: a private HOME (gphoto2 writes `~/.gphoto/settings`), a working
/// folder, extra variables and leading arguments per program; and where programs run: on this
/// machine, or in a qemu guest sharing the folders (see [`crate::guest`]).
#[derive(Debug)]
pub struct Env {
    base: PathBuf,
    home: PathBuf,
    cwd: PathBuf,
    vars: Vec<(String, OsString)>,
    leading: Vec<(String, Vec<String>)>,
    guest: Option<Arc<Guest>>,
    _owned: Option<tempfile::TempDir>,
}

impl Default for Env {
    fn default() -> Self {
        Self::new()
    }
}

impl Env {
    /// A fresh HOME and working folder in a new temporary folder.
    #[must_use]
    pub fn new() -> Self {
        let dir = tempdir();
        let mut env = Self::under(dir.path());
        env._owned = Some(dir);
        env
    }

    /// HOME and working folder under `base` (`base/home`, `base/work`), which the caller
    /// keeps.
    #[must_use]
    pub fn under(base: &Path) -> Self {
        let env = Self {
            base: base.to_path_buf(),
            home: base.join("home"),
            cwd: base.join("work"),
            vars: Vec::new(),
            leading: Vec::new(),
            guest: None,
            _owned: None,
        };
        create_dir(&env.home);
        create_dir(&env.cwd);
        env
    }

    /// Runs programs in `guest` instead of on this machine (the folders must be in the
    /// guest's shared folder).
    #[must_use]
    pub fn in_guest(mut self, guest: Arc<Guest>) -> Self {
        self.guest = Some(guest);
        self
    }

    /// Sets an environment variable for every program run.
    #[must_use]
    pub fn var(mut self, name: &str, value: impl Into<OsString>) -> Self {
        self.vars.push((name.to_string(), value.into()));
        self
    }

    /// Arguments put before the caller's on every run of `tool` (e.g. gphoto2's `--port`).
    #[must_use]
    pub fn leading_args(mut self, tool: &str, args: &[&str]) -> Self {
        self.leading.push((
            tool.to_string(),
            args.iter().map(ToString::to_string).collect(),
        ));
        self
    }

    /// gphoto2 reaching a PTP/IP camera at `port` on 127.0.0.1 (command and event port both
    /// given: with only one, libgphoto2 sends the event connection to 15740).
    #[must_use]
    pub fn gphoto2_ptpip(self, port: u16) -> Self {
        self.leading_args(
            "gphoto2",
            &["--port", &format!("ptpip:127.0.0.1:{port}:{port}")],
        )
    }

    /// gphoto2 reaching a Fujifilm WiFi body whose command port is `port` on 127.0.0.1:
    /// libgphoto2's "Fuji X (WLAN)" with the event port `port + 1` (and so the live view port
    /// `port + 2`; `camlibs/ptp2/fujiptpip.c`).
    #[must_use]
    pub fn gphoto2_fuji_wifi(self, port: u16) -> Self {
        self.leading_args(
            "gphoto2",
            &[
                "--camera",
                "Fuji X (WLAN)",
                "--port",
                &format!("ptpip:127.0.0.1:{port}:{}", port.wrapping_add(1)),
            ],
        )
    }

    /// Switches to a new, empty working folder `name` beside the first one (each acceptance
    /// scenario starts in its own).
    pub fn new_workdir(&mut self, name: &str) {
        self.cwd = self.base.join(name);
        create_dir(&self.cwd);
    }

    /// The private HOME.
    #[must_use]
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The working folder, where clients save what they download.
    #[must_use]
    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    /// A file in the working folder.
    #[must_use]
    pub fn file(&self, name: &str) -> PathBuf {
        self.cwd.join(name)
    }

    /// The leading arguments of `tool`.
    fn leading_of(&self, tool: &str) -> &[String] {
        self.leading
            .iter()
            .find(|(t, _)| t == tool)
            .map_or(&[], |(_, a)| a.as_slice())
    }

    /// Runs `tool` with `args` (failing the test if it is not installed) and logs what it
    /// said.
    #[must_use]
    pub fn run(&self, tool: &str, args: &[&str]) -> Run {
        self.run_with_vars(tool, args, &[])
    }

    /// As [`Env::run`], with `extra` variables for this run only.
    #[must_use]
    pub fn run_with_vars(&self, tool: &str, args: &[&str], extra: &[(&str, &str)]) -> Run {
        let leading = self.leading_of(tool);
        let all: Vec<&str> = leading
            .iter()
            .map(String::as_str)
            .chain(args.iter().copied())
            .collect();
        let started = Instant::now();
        let run = match &self.guest {
            Some(guest) => {
                let mut script = format!(
                    "cd {} || exit 125\n",
                    shell_quote(&self.cwd.to_string_lossy())
                );
                script.push_str(&format!(
                    "HOME={} LANG=C",
                    shell_quote(&self.home.to_string_lossy())
                ));
                for (name, value) in &self.vars {
                    script.push_str(&format!(
                        " {name}={}",
                        shell_quote(&value.to_string_lossy())
                    ));
                }
                for (name, value) in extra {
                    script.push_str(&format!(" {name}={}", shell_quote(value)));
                }
                script.push_str(&format!(" exec timeout {} ", RUN_TIMEOUT.as_secs()));
                script.push_str(&command_line(
                    tool,
                    all.iter()
                        .map(|a| shell_quote(a))
                        .collect::<Vec<_>>()
                        .iter()
                        .map(String::as_str),
                ));
                guest.sh(&script)
            }
            None => {
                let mut cmd = self.command(tool);
                cmd.args(args).envs(extra.iter().copied());
                output_within(&mut cmd, RUN_TIMEOUT)
                    .unwrap_or_else(|e| panic!("running {tool}: {e}"))
            }
        };
        let run = Run {
            command: command_line(tool, all.iter().copied()),
            ..run
        };
        log_run(&run, started.elapsed());
        run
    }

    /// `tool` (a name on `PATH`, or a path) ready to run on this machine with this
    /// environment and its leading arguments, standard input closed: for a program that runs
    /// beside the test, such as a server. Fails the test when it is not installed.
    #[must_use]
    pub fn command(&self, tool: &str) -> Command {
        assert!(
            self.guest.is_none(),
            "{tool}: a program of the guest runs through Env::run"
        );
        let mut cmd = Command::new(require(tool));
        cmd.args(self.leading_of(tool))
            .env("HOME", &self.home)
            .env("LANG", "C")
            .current_dir(&self.cwd)
            .stdin(std::process::Stdio::null());
        for (name, value) in &self.vars {
            cmd.env(name, value);
        }
        cmd
    }

    /// Runs `tool` and returns its output; fails the test when it fails.
    pub fn ok(&self, tool: &str, args: &[&str]) -> String {
        self.run(tool, args).stdout_if_ok()
    }
}

/// Creates `dir` and its parents; fails the test when it cannot.
pub fn create_dir(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
}

/// How long a client program may run before it is killed (a client waiting for an event
/// that never comes must not hang the tests).
pub const RUN_TIMEOUT: Duration = Duration::from_secs(120);

/// Runs `cmd` with its output collected, killing it after `timeout`.
fn output_within(cmd: &mut Command, timeout: Duration) -> std::io::Result<Run> {
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let end = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if Instant::now() > end {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut stderr = stderr.join().unwrap_or_default();
    if status.is_none() {
        stderr.push_str(&format!("\n(killed after {timeout:?})\n"));
    }
    Ok(Run {
        command: String::new(),
        ok: status.is_some_and(|s| s.success()),
        stdout: stdout.join().unwrap_or_default(),
        stderr,
    })
}

/// `tool arg arg`, for messages.
pub(crate) fn command_line<'a>(tool: &'a str, args: impl IntoIterator<Item = &'a str>) -> String {
    std::iter::once(tool)
        .chain(args)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Logs a finished run (shown by the test harness when a test fails).
pub(crate) fn log_run(run: &Run, took: Duration) {
    eprintln!(
        "$ {} ({took:.1?}): ok={}\n{}{}",
        run.command, run.ok, run.stdout, run.stderr
    );
}

/// A temporary folder; fails the test when none can be made.
#[must_use]
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("creating a temporary folder: {e}"))
}

/// A temporary folder in memory (/dev/shm) when the machine has one: a card of 100,000 files
/// is made in seconds there, and sparse files cost nothing.
#[must_use]
pub fn memory_tempdir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        tempfile::Builder::new()
            .prefix("vcam-test-")
            .tempdir_in(shm)
            .unwrap_or_else(|e| panic!("creating a temporary folder in /dev/shm: {e}"))
    } else {
        tempdir()
    }
}

/// A sink that counts the bytes written to it and keeps none (a download measured or
/// checked by its length, not stored).
#[derive(Debug, Default)]
pub struct ByteCount(pub u64);

impl std::io::Write for ByteCount {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Waits until `f` returns true or `timeout` passes; returns the last answer.
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

/// `s` quoted for a POSIX shell.
#[must_use]
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=,@%+".contains(&b))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// This process's resident memory in KiB (`VmRSS` of `/proc/self/status`): for measuring, not
/// asserting, how memory behaves (a stalled reader, a large object).
#[must_use]
pub fn rss_kib() -> u64 {
    rss_kib_of("/proc/self/status")
}

/// The `VmRSS` of a `/proc/PID/status` file, in KiB.
#[must_use]
pub fn rss_kib_of(status: &str) -> u64 {
    std::fs::read_to_string(status)
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or_else(|| panic!("no VmRSS in {status}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_plain_words_and_wraps_the_rest() {
        assert_eq!(shell_quote("--wait-event=2s"), "--wait-event=2s");
        assert_eq!(shell_quote("f/8"), "f/8");
        assert_eq!(shell_quote("Press Full"), "'Press Full'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn packages_are_named_for_missing_tools() {
        assert_eq!(package_of("mtp-getfile"), "mtp-tools");
        assert_eq!(package_of("qemu-system-x86_64"), "qemu-system-x86");
        assert_eq!(package_of("frobnicate"), "frobnicate");
    }
}
