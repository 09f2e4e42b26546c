//! A real Linux kernel: Debian's kernel booted under qemu with an initramfs of busybox, the
//! usbip-core and vhci-hcd modules, the real clients and vcam-vhci (`scripts/qemu/`). A folder
//! of this machine is shared with the guest at the same path (virtio 9p), so cards, client
//! working folders and logs are plain files on both sides. The guest runs the commands it is
//! sent on its second serial port, one at a time (`scripts/qemu/guest-agent.sh`).

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::tools::{Run, create_dir, require, tempdir};

/// How long the guest may take to boot and start its agent (TCG on a busy machine).
const BOOT_TIMEOUT: Duration = Duration::from_secs(240);
/// How long one command may run in the guest.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);
/// The limit boot.sh puts on the whole guest.
const GUEST_LIFETIME_SECONDS: &str = "1800";

/// The repository root (the scripts live there).
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A running guest and its command channel.
pub struct Guest {
    share: PathBuf,
    qemu: Mutex<Child>,
    agent: Mutex<Agent>,
    console: Arc<Mutex<String>>,
    _dir: tempfile::TempDir,
}

struct Agent {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
    next: u64,
    /// Set when the channel broke: every later command fails with it.
    broken: Option<String>,
}

impl std::fmt::Debug for Guest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guest")
            .field("share", &self.share)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Guest {
    /// Builds the initramfs with `programs` in it (at the same paths) and boots it; returns
    /// once the guest's agent answers. Fails the test, naming the package to install, when
    /// qemu, the kernel or a client is missing.
    #[must_use]
    pub fn boot(programs: &[&Path]) -> Self {
        for tool in [
            "qemu-system-x86_64",
            "cpio",
            "busybox",
            "gphoto2",
            "usbip",
            "mtp-detect",
        ] {
            let _ = require(tool);
        }
        let kernel = std::fs::read_dir("/boot")
            .map(|dir| {
                dir.flatten()
                    .any(|e| e.file_name().to_string_lossy().starts_with("vmlinuz-"))
            })
            .unwrap_or(false);
        assert!(
            kernel,
            "no kernel in /boot: install it with `sudo apt-get install linux-image-amd64`, or run \
             ./scripts/test.sh"
        );
        let dir = tempdir();
        let share = dir.path().join("share");
        create_dir(&share.join("agent"));
        let template = std::fs::read_to_string(repo().join("scripts/qemu/guest-agent.sh"))
            .unwrap_or_else(|e| panic!("scripts/qemu/guest-agent.sh: {e}"));
        let script = dir.path().join("guest.sh");
        crate::card::write(
            &script,
            template
                .replace("@SHARE@", &share.to_string_lossy())
                .as_bytes(),
        );
        let initrd = dir.path().join("initrd.cpio.gz");
        let build = Command::new("bash")
            .arg(repo().join("scripts/qemu/build-initramfs.sh"))
            .arg(&initrd)
            .arg(&script)
            .args(programs)
            .output()
            .unwrap_or_else(|e| panic!("running build-initramfs.sh: {e}"));
        assert!(
            build.status.success(),
            "building the initramfs failed:\n{}{}",
            String::from_utf8_lossy(&build.stdout),
            String::from_utf8_lossy(&build.stderr)
        );

        let socket = dir.path().join("agent.sock");
        let listener = UnixListener::bind(&socket)
            .unwrap_or_else(|e| panic!("binding {}: {e}", socket.display()));
        let mut qemu = Command::new("bash")
            .arg(repo().join("scripts/qemu/boot.sh"))
            .arg(&initrd)
            .arg(GUEST_LIFETIME_SECONDS)
            .env("VCAM_QEMU_AGENT", &socket)
            .env("VCAM_QEMU_SHARE", &share)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("running boot.sh: {e}"));
        let console = Arc::new(Mutex::new(String::new()));
        for pipe in [
            qemu.stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
            qemu.stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let console = Arc::clone(&console);
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let mut pipe = pipe;
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    lock(&console)
                        .push_str(&String::from_utf8_lossy(buf.get(..n).unwrap_or_default()));
                }
            });
        }
        let guest_console = || lock(&console).clone();
        let stream = accept_within(&listener, &mut qemu, BOOT_TIMEOUT).unwrap_or_else(|e| {
            let _ = qemu.kill();
            panic!(
                "the guest did not connect its agent: {e}\n--- console ---\n{}",
                guest_console()
            )
        });
        let writer = stream
            .try_clone()
            .unwrap_or_else(|e| panic!("agent socket: {e}"));
        let _ = stream.set_read_timeout(Some(BOOT_TIMEOUT));
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        let ready = reader.read_line(&mut line);
        if !matches!(ready, Ok(n) if n > 0) || line.trim() != "ready" {
            let _ = qemu.kill();
            panic!(
                "the guest's agent did not start ({ready:?}, {line:?})\n--- console ---\n{}",
                guest_console()
            );
        }
        let _ = reader.get_ref().set_read_timeout(Some(COMMAND_TIMEOUT));
        Self {
            share,
            qemu: Mutex::new(qemu),
            agent: Mutex::new(Agent {
                reader,
                writer,
                next: 0,
                broken: None,
            }),
            console,
            _dir: dir,
        }
    }

    /// The shared folder: the same path in the guest and here.
    #[must_use]
    pub fn share(&self) -> &Path {
        &self.share
    }

    /// What the guest printed on its console so far.
    #[must_use]
    pub fn console(&self) -> String {
        lock(&self.console).clone()
    }

    /// Runs the shell script `script` in the guest and waits for it.
    #[must_use]
    pub fn sh(&self, script: &str) -> Run {
        let mut agent = lock(&self.agent);
        if let Some(why) = &agent.broken {
            panic!("the guest no longer answers ({why})");
        }
        agent.next += 1;
        let n = agent.next;
        let file = |ext: &str| self.share.join("agent").join(format!("{n}.{ext}"));
        crate::card::write(&file("sh"), script.as_bytes());
        let sent = agent
            .writer
            .write_all(format!("{n}\n").as_bytes())
            .and_then(|()| agent.writer.flush());
        let mut line = String::new();
        let answer = sent.and_then(|()| agent.reader.read_line(&mut line));
        let status = match answer {
            Ok(len) if len > 0 => line
                .trim()
                .strip_prefix(&format!("{n} "))
                .and_then(|s| s.parse::<i32>().ok()),
            _ => None,
        };
        let Some(status) = status else {
            let why = format!("command {n} got {answer:?} {line:?}");
            agent.broken = Some(why.clone());
            panic!(
                "the guest's agent failed: {why}\n--- console ---\n{}",
                self.console()
            );
        };
        let read = |ext| std::fs::read(file(ext)).unwrap_or_default();
        Run {
            command: format!("(guest) {}", script.lines().last().unwrap_or_default()),
            ok: status == 0,
            stdout: String::from_utf8_lossy(&read("out")).into_owned(),
            stderr: String::from_utf8_lossy(&read("err")).into_owned(),
        }
    }

    /// Ends the guest (it powers off) and returns its console.
    #[must_use]
    pub fn shutdown(&self) -> String {
        {
            let mut agent = lock(&self.agent);
            let _ = agent.writer.write_all(b"exit\n");
            agent.broken = Some("shut down".into());
        }
        let mut qemu = lock(&self.qemu);
        let end = Instant::now() + Duration::from_secs(60);
        while Instant::now() < end {
            if !matches!(qemu.try_wait(), Ok(None)) {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = qemu.kill();
        let _ = qemu.wait();
        self.console()
    }
}

impl Drop for Guest {
    fn drop(&mut self) {
        let mut qemu = lock(&self.qemu);
        let _ = qemu.kill();
        let _ = qemu.wait();
    }
}

/// Accepts the agent connection, giving up when `child` exits or `timeout` passes.
fn accept_within(
    listener: &UnixListener,
    child: &mut Child,
    timeout: Duration,
) -> Result<UnixStream, String> {
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("non-blocking listener: {e}"))?;
    let end = Instant::now() + timeout;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream
                    .set_nonblocking(false)
                    .map_err(|e| format!("blocking stream: {e}"))?;
                return Ok(stream);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(format!("accept: {e}")),
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("qemu exited: {status}"));
        }
        if Instant::now() > end {
            return Err(format!("no connection within {timeout:?}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
