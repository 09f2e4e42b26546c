//! The safe half of the shim: the virtual devices of this process, their USB state, and the
//! asynchronous transfers in flight. The `extern "C"` layer (the `exports` module) only
//! checks and converts pointers and calls into this.
//!
//! The cameras are built by [`vcam_models::CameraOptions`] from the `VCAM_*` variables listed
//! in [`vcam_models::env`].

use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use vcam_models::CameraOptions;
use vcam_usb::{ControlReply, InStatus, OutStatus, SetupPacket, UsbCamera};

/// Environment variable enabling logs on stderr (a tracing filter such as `debug`).
pub const ENV_LOG: &str = "VCAM_SHIM_LOG";
/// Environment variable naming a file to record every USB transfer of every camera in, as
/// pcapng of Linux usbmon records (`vcam_record::UsbRecorder`) for `tshark -r FILE -Y usb`.
pub const ENV_RECORD: &str = "VCAM_RECORD";

/// One virtual USB device: what is fixed about it. Its address is the `libusb_device *`
/// handed out, so these live for the whole process.
#[derive(Debug)]
pub struct VirtualDevice {
    /// Index into [`State::cameras`].
    pub index: usize,
    /// Bus number (1).
    pub bus: u8,
    /// Device address on the bus.
    pub address: u8,
    /// Port number on the root hub.
    pub port: u8,
    /// The device descriptor bytes.
    pub device_descriptor: [u8; 18],
    /// The configuration descriptor bytes (with interfaces and endpoints).
    pub configuration: Vec<u8>,
    /// Model id, for logs.
    pub model: String,
}

/// An asynchronous transfer in flight.
#[derive(Debug)]
pub struct Pending {
    /// The `libusb_transfer *`.
    pub transfer: usize,
    /// The device.
    pub device: usize,
    /// Endpoint address.
    pub endpoint: u8,
    /// Requested length.
    pub length: usize,
    /// When it times out.
    pub deadline: Option<Instant>,
    /// Its outcome once known.
    pub outcome: Option<Outcome>,
}

/// How a transfer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// `libusb_transfer_status`.
    pub status: i32,
    /// Bytes transferred.
    pub actual: usize,
}

/// Mutable state behind one lock.
pub struct State {
    /// The cameras, by device index.
    pub cameras: Vec<UsbCamera>,
    /// Asynchronous transfers in submission order.
    pub pending: Vec<Pending>,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("cameras", &self.cameras.len())
            .field("pending", &self.pending)
            .finish()
    }
}

/// Everything the shim knows, created on first use.
#[derive(Debug)]
pub struct Shim {
    /// The devices (fixed).
    pub devices: Vec<&'static VirtualDevice>,
    state: Mutex<State>,
    changed: Condvar,
}

static SHIM: OnceLock<Shim> = OnceLock::new();

/// The process-wide shim, built from the environment on first call.
pub fn shim() -> &'static Shim {
    SHIM.get_or_init(Shim::from_env)
}

/// Installs `shim` as the process-wide shim instead of one built from the environment (for
/// in-process benches and tests that need particular cameras). Fails, giving it back, when the
/// shim is already in use.
///
/// # Errors
/// The shim was already created.
pub fn install(shim: Shim) -> Result<(), Box<Shim>> {
    SHIM.set(shim).map_err(Box::new)
}

impl Shim {
    fn from_env() -> Self {
        if let Ok(filter) = std::env::var(ENV_LOG) {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
                .with_writer(std::io::stderr)
                .try_init();
        }
        let mut cameras = Vec::new();
        let mut control = None;
        match CameraOptions::from_env() {
            Ok(all) => {
                for options in all {
                    control = control.or_else(|| options.control.clone());
                    match options.build() {
                        Ok(camera) => cameras.push(UsbCamera::new(camera)),
                        Err(err) => eprintln!(
                            "vcam-libusb: camera {:?} not created: {}",
                            options.model,
                            vcam_models::error_chain(&err)
                        ),
                    }
                }
            }
            Err(err) => eprintln!(
                "vcam-libusb: no camera created: {}",
                vcam_models::error_chain(&err)
            ),
        }
        // The built-in sample cards live in temporary folders; remove them when the process
        // exits (statics are never dropped).
        // SAFETY: `remove_cameras` is a plain `extern "C" fn()` that never unwinds.
        unsafe {
            libc::atexit(remove_cameras);
        }
        if let Some(path) = control {
            start_control(&path, &mut cameras);
        }
        let shim = Self::with_cameras(cameras);
        if let Some(path) = std::env::var_os(ENV_RECORD).filter(|p| !p.is_empty()) {
            shim.record(std::path::Path::new(&path));
        }
        shim
    }

    /// Records every camera's transfers into `path` (created anew), each under its own bus
    /// and device address.
    fn record(&self, path: &std::path::Path) {
        let recorder = match std::fs::File::create(path).and_then(vcam_record::UsbRecorder::new) {
            Ok(recorder) => recorder,
            Err(e) => {
                eprintln!("vcam-libusb: {ENV_RECORD}={}: {e}", path.display());
                return;
            }
        };
        let mut state = self.lock();
        for (device, cam) in self.devices.iter().zip(&mut state.cameras) {
            let at = vcam_record::DeviceAddress {
                bus: u16::from(device.bus),
                device: device.address,
            };
            cam.set_tap(Some(Box::new(recorder.device(at))));
        }
        tracing::info!(path = %path.display(), "recording USB transfers");
    }

    /// A shim serving `cameras` (tests and benches build their own).
    #[must_use]
    pub fn with_cameras(cameras: Vec<UsbCamera>) -> Self {
        let devices = cameras
            .iter()
            .enumerate()
            .map(|(index, cam)| {
                let d = cam.descriptors();
                let info = VirtualDevice {
                    index,
                    bus: 1,
                    address: u8::try_from(index + 2).unwrap_or(u8::MAX),
                    port: u8::try_from(index + 1).unwrap_or(u8::MAX),
                    device_descriptor: d.device,
                    configuration: d.configuration.clone(),
                    model: cam.responder().model().id.to_string(),
                };
                &*Box::leak(Box::new(info))
            })
            .collect();
        tracing::info!(cameras = cameras.len(), "vcam-libusb ready");
        Self {
            devices,
            state: Mutex::new(State {
                cameras,
                pending: Vec::new(),
            }),
            changed: Condvar::new(),
        }
    }

    /// Locks the state (a poisoned lock is recovered: the state stays consistent per call).
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Wakes every waiter after a change.
    pub fn notify(&self) {
        self.changed.notify_all();
    }

    /// Waits for a change, at most until `deadline` (and at most 50 ms, so camera timers run).
    pub fn wait<'a>(
        &self,
        guard: MutexGuard<'a, State>,
        deadline: Option<Instant>,
    ) -> MutexGuard<'a, State> {
        let now = Instant::now();
        let mut wait = Duration::from_millis(50);
        if let Some(d) = deadline {
            wait = wait.min(d.saturating_duration_since(now));
        }
        if let Some(next) = guard
            .cameras
            .iter()
            .filter_map(UsbCamera::poll_timeout)
            .min()
        {
            let until = next
                .duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO);
            wait = wait.min(until);
        }
        match self.changed.wait_timeout(guard, wait) {
            Ok((g, _)) => g,
            Err(poisoned) => poisoned.into_inner().0,
        }
    }
}

/// Serves the control socket (`VCAM_CONTROL`) for every camera of the process, on a thread of
/// its own; a command waiting is carried out by the next libusb call, or by the control
/// thread itself through the shim's lock.
fn start_control(path: &std::path::Path, cameras: &mut [UsbCamera]) {
    let steered = cameras
        .iter_mut()
        .map(|cam| {
            let name = cam.responder().model().id.to_string();
            vcam_control::Camera::new(name, cam.responder_mut().remote()).with_pump(|| {
                let shim = shim();
                shim.lock().drive();
                shim.notify();
            })
        })
        .collect();
    match vcam_control::ControlServer::start(path, steered) {
        Ok(_) => tracing::info!(path = %path.display(), "control socket"),
        Err(e) => eprintln!(
            "vcam-libusb: control socket {} not started: {e}",
            path.display()
        ),
    }
}

impl State {
    /// Whether device `device` is plugged in (a pulled cable, a dead battery: it is gone, and
    /// every transfer to it answers LIBUSB_ERROR_NO_DEVICE until it is back).
    #[must_use]
    pub fn plugged(&self, device: usize) -> bool {
        self.cameras
            .get(device)
            .is_some_and(|cam| cam.responder().is_plugged())
    }

    /// The camera of `device`, while it is plugged in.
    fn camera(&mut self, device: usize) -> Option<&mut UsbCamera> {
        self.cameras
            .get_mut(device)
            .filter(|cam| cam.responder().is_plugged())
    }

    /// Runs the cameras' due timers.
    pub fn drive(&mut self) {
        let now = SystemTime::now();
        for cam in &mut self.cameras {
            if cam.poll_timeout().is_some_and(|at| at <= now) {
                cam.handle_timeout(now);
            }
        }
    }

    /// A control transfer.
    pub fn control(
        &mut self,
        device: usize,
        setup: SetupPacket,
        out: &[u8],
    ) -> Option<ControlReply> {
        let cam = self.camera(device)?;
        Some(cam.control(SystemTime::now(), setup, out))
    }

    /// A bulk or interrupt OUT transfer on `endpoint`.
    pub fn transfer_out(&mut self, device: usize, endpoint: u8, data: &[u8]) -> Option<OutStatus> {
        let cam = self.camera(device)?;
        Some(cam.transfer_out(SystemTime::now(), endpoint, data))
    }

    /// Whether the device has `endpoint` (`None`: no such device).
    pub fn has_endpoint(&self, device: usize, endpoint: u8) -> Option<bool> {
        Some(self.cameras.get(device)?.has_endpoint(endpoint))
    }

    /// An IN transfer attempt.
    pub fn transfer_in(&mut self, device: usize, endpoint: u8, max: usize) -> Option<InStatus> {
        let cam = self.camera(device)?;
        Some(cam.transfer_in_at(SystemTime::now(), endpoint, max))
    }
}

extern "C" fn remove_cameras() {
    let _ = std::panic::catch_unwind(|| {
        if let Some(shim) = SHIM.get() {
            let cameras = std::mem::take(&mut shim.lock().cameras);
            drop(cameras);
        }
    });
}
