//! The acceptance matrix: every scenario of [`crate::scenarios`] runs once for every
//! (model, transport) pair that supports it, with the real clients, and the outcome prints as
//! a table.
//!
//! - A **model** is a row of [`MODELS`]: the registry id plus what the real clients should
//!   see (summary lines, config widgets and values, events) and [`Feature`] flags.
//! - A **transport** is how the clients reach the camera: [`Transport::PtpIp`] (`vcam-ptpip`
//!   on a free port of 127.0.0.1), [`Transport::Libusb`] (the drop-in in `LD_PRELOAD`), and
//!   in qemu guests booted once for all their rows, [`Transport::Vhci`] (`vcam-vhci --attach`)
//!   and [`Transport::UsbIp`] (`usbip attach` against `vcam-vhci --listen`); and for Fujifilm
//!   bodies [`Transport::FujiWifi`] (`vcam-fujiwifi`, gphoto2's "Fuji X (WLAN)").
//!
//! Adding a model is a row of [`MODELS`] (a few fields, the rest from [`Model::BASE`]);
//! adding a transport is a [`Transport`] variant and its arm in `Target::open`; adding a
//! scenario is a function and a line of [`crate::scenarios::SCENARIOS`]. None adds a test
//! file: `crates/vcam-testkit/tests/acceptance.rs` runs them all and prints the table.

use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::card;
use crate::guest::Guest;
use crate::scenarios::{SCENARIOS, Scenario};
use crate::server::{Artifacts, VcamProcess};
use crate::tools::{Env, Run, create_dir, shell_quote, tempdir};
use Feature::{
    BulbTime, Capture, Eos, LiveviewTool, Movie, MovieRecord, Mtp, NoUpload, Preview, Thumbnail,
};

/// How clients reach the camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// `vcam-ptpip` on 127.0.0.1 and a free port; gphoto2 `--port ptpip:…`.
    PtpIp,
    /// `LD_PRELOAD=libvcam_libusb.so` with `VCAM_MODELS` and `VCAM_FS`: every client process
    /// gets its own camera (state other than the card does not outlive a run).
    Libusb,
    /// In the qemu guest: `vcam-vhci --attach` plugs the camera into vhci_hcd through sysfs.
    Vhci,
    /// In the qemu guest: `vcam-vhci --listen 127.0.0.1:3240`, then `usbip attach`.
    UsbIp,
    /// `vcam-fujiwifi` on 127.0.0.1 and three free ports; gphoto2 `--camera "Fuji X (WLAN)"
    /// --port ptpip:127.0.0.1:P:P+1` (Fujifilm bodies only).
    FujiWifi,
}

impl Transport {
    /// Every transport, in table order.
    pub const ALL: [Self; 5] = [
        Self::PtpIp,
        Self::Libusb,
        Self::Vhci,
        Self::UsbIp,
        Self::FujiWifi,
    ];

    /// The transports of every body: PTP/IP and the three USB ones.
    pub const COMMON: [Self; 4] = [Self::PtpIp, Self::Libusb, Self::Vhci, Self::UsbIp];
    /// The USB transports, for a body that has no PTP/IP.
    pub const USB: [Self; 3] = [Self::Libusb, Self::Vhci, Self::UsbIp];

    /// The name in the table.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::PtpIp => "ptpip",
            Self::Libusb => "libusb",
            Self::Vhci => "vhci-attach",
            Self::UsbIp => "usbip-attach",
            Self::FujiWifi => "fuji-wifi",
        }
    }

    /// Whether clients see a USB device (auto-detect, libmtp).
    #[must_use]
    pub const fn is_usb(self) -> bool {
        !matches!(self, Self::PtpIp | Self::FujiWifi)
    }

    /// Whether it runs in the qemu guest.
    #[must_use]
    pub const fn in_guest(self) -> bool {
        matches!(self, Self::Vhci | Self::UsbIp)
    }

    /// Whether one camera serves every client run of a row (so settings made by one run are
    /// seen by the next).
    #[must_use]
    pub const fn keeps_state(self) -> bool {
        !matches!(self, Self::Libusb)
    }
}

/// Something a model can do that not every model can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feature {
    /// Standard capture (InitiateCapture, or the vendor's remote release).
    Capture,
    /// gphoto2 `--get-thumbnail` of a card picture.
    Thumbnail,
    /// Live view (`--capture-preview`).
    Preview,
    /// `--capture-movie` (preview frames as Motion JPEG).
    Movie,
    /// Canon EOS: `capturetarget` (host memory or card), bulb through `eosremoterelease`,
    /// listings through GetObjectInfoEx.
    Eos,
    /// MTP: libmtp's `mtp-*` tools.
    Mtp,
    /// Canon EOS movie recording to the card (`movierecordtarget`): a QuickTime file.
    MovieRecord,
    /// Canon EOS bulb reporting each second of the exposure (BulbExposureTime events).
    BulbTime,
    /// `ptp-liveview` streams its live view (it speaks Sony PC Remote live view today).
    LiveviewTool,
    /// No upload: the body has no SendObjectInfo/SendObject (a real X-H1; libgphoto2 says "No
    /// File Upload"), so the upload and delete scenarios do not apply.
    NoUpload,
}

/// A setting changed through gphoto2: a value accepted and read back, values refused.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// The config name (`iso`).
    pub name: &'static str,
    /// A value the camera accepts.
    pub value: &'static str,
    /// Values that must be refused; with `Some(text)`, gphoto2's error shows `text`: the
    /// response code when the camera refuses the value (`0x201c`, InvalidDevicePropValue),
    /// libgphoto2's message when it refuses the value itself (`Target value is not in
    /// enumeration`).
    pub refused: &'static [(&'static str, Option<&'static str>)],
}

/// A gphoto2 run whose output must show an event. `--wait-event=TEXT` waits until an event
/// shows TEXT (FILEADDED, or part of a property change line); [`crate::tools::RUN_TIMEOUT`]
/// bounds the wait.
#[derive(Debug, Clone, Copy)]
pub struct EventCheck {
    /// gphoto2's arguments (ending in `--wait-event=…`).
    pub args: &'static [&'static str],
    /// Texts the output must contain.
    pub expect: &'static [&'static str],
}

/// A row of the matrix: a model of the registry and what real clients must see of it.
#[derive(Debug, Clone, Copy)]
pub struct Model {
    /// The registry id (`vcam-ptpip ID`, `VCAM_MODELS=ID`).
    pub id: &'static str,
    /// The name `gphoto2 --auto-detect` shows on a USB port.
    pub usb_name: &'static str,
    /// Lines `gphoto2 --summary` must contain.
    pub summary: &'static [&'static str],
    /// The card folder captures are stored in.
    pub capture_folder: &'static str,
    /// Whether clients see the card (list, download, upload, delete); a Sony body in PC
    /// Remote mode hides it.
    pub card: bool,
    /// Where gphoto2 says a capture is (`New file is in location …`), when the body keeps it
    /// off the card: `/capt0000.jpg`, a picture in the camera's memory.
    pub captured_at: Option<&'static str>,
    /// Size of a captured picture, when it is fixed.
    pub capture_size: Option<(u32, u32)>,
    /// Size of a live view frame, when it is fixed.
    pub preview_size: Option<(u32, u32)>,
    /// How every live view JPEG starts: `FF D8`, or `FF D8 FF DB` for Sony's frames (bare
    /// baseline JPEGs, no APPn segment).
    pub frame_head: &'static [u8],
    /// Widgets `gphoto2 --list-config` must list (the end of their path).
    pub widgets: &'static [&'static str],
    /// The gphoto2 option that sets a value (`--set-config` or `--set-config-value`).
    pub set_option: &'static str,
    /// Settings round-tripped and refused.
    pub settings: &'static [Setting],
    /// Texts `gphoto2 --get-config NAME` must show, per NAME.
    pub shows: &'static [(&'static str, &'static [&'static str])],
    /// Events the clients must see.
    pub events: &'static [EventCheck],
    /// Texts `mtp-detect` must show (with [`Feature::Mtp`]).
    pub mtp_detect: &'static [&'static str],
    /// What else it can do.
    pub features: &'static [Feature],
    /// The transports it is tested on (a body without USB PTP, or one too slow to emulate,
    /// lists fewer).
    pub transports: &'static [Transport],
}

impl Model {
    /// What a row does not have to say: no fixed picture sizes, no config or event checks,
    /// no extra features, the transports of every body ([`Transport::COMMON`]). A row sets `id`, `usb_name`, `summary` and
    /// `capture_folder` and takes the rest from here with `..Model::BASE`.
    pub const BASE: Self = Self {
        id: "",
        usb_name: "",
        summary: &[],
        capture_folder: "",
        card: true,
        captured_at: None,
        capture_size: None,
        preview_size: None,
        frame_head: &[0xFF, 0xD8],
        widgets: &[],
        set_option: "--set-config",
        settings: &[],
        shows: &[],
        events: &[],
        mtp_detect: &[],
        features: &[],
        transports: &Transport::COMMON,
    };

    /// Whether it has `feature`.
    #[must_use]
    pub fn has(&self, feature: Feature) -> bool {
        self.features.contains(&feature)
    }
}

/// The bodies vcam makes up (generic, MTP): pictures in DCIM/100VCAM, 1600x1200 captures,
/// 640x480 live view, settings by value.
const VCAM_BODY: Model = Model {
    capture_folder: "DCIM/100VCAM",
    capture_size: Some((1600, 1200)),
    preview_size: Some((640, 480)),
    set_option: "--set-config-value",
    ..Model::BASE
};

/// A capture started by the initiator shows as a new file.
const TRIGGER_CAPTURE: EventCheck = EventCheck {
    args: &["--trigger-capture", "--wait-event=FILEADDED"],
    expect: &["FILEADDED"],
};

/// An EOS body reports an ISO change in its GetEvent stream (property 0xD103).
const EOS_ISO_CHANGE: &[EventCheck] = &[EventCheck {
    args: &["--set-config", "iso=400", "--wait-event=\"iso\" to \"400\""],
    expect: &["d103 changed", "\"iso\" to \"400\""],
}];

/// Canon EOS bodies: pictures in DCIM/100CANON, ISO changes in the GetEvent stream.
const EOS_BODY: Model = Model {
    capture_folder: "DCIM/100CANON",
    events: EOS_ISO_CHANGE,
    ..Model::BASE
};

/// The models of the matrix.
pub static MODELS: &[Model] = &[
    Model {
        id: "generic",
        usb_name: "USB PTP Class Camera",
        summary: &[
            "Manufacturer: vcam",
            "Model: Generic PTP Camera",
            "store_00010001",
            "Storage Type: Removable RAM",
            "Video: dss: 36",
        ],
        widgets: &[
            "/main/imgsettings/iso",
            "/main/imgsettings/whitebalance",
            "/main/capturesettings/f-number",
            "/main/capturesettings/shutterspeed",
        ],
        settings: &[
            Setting {
                name: "iso",
                value: "800",
                refused: &[("801", None)],
            },
            Setting {
                name: "whitebalance",
                value: "Daylight",
                refused: &[("Moonlight", None)],
            },
            Setting {
                name: "f-number",
                value: "f/8",
                refused: &[("f/8.5", None)],
            },
        ],
        events: &[
            EventCheck {
                args: &[
                    "--set-config-value",
                    "iso=1600",
                    "--wait-event=PTP Property 500f changed",
                ],
                expect: &["PTP Property 500f changed"],
            },
            TRIGGER_CAPTURE,
        ],
        // No movie: gphoto2 --capture-movie stops after one frame of a generic PTP 1.1
        // stream ("Unhandled MIME type 'unknown/unknown'").
        features: &[Capture, Thumbnail, Preview],
        ..VCAM_BODY
    },
    Model {
        id: "mtp_camera",
        usb_name: "USB PTP Class Camera",
        summary: &[
            "Manufacturer: vcam",
            "Model: MTP Camera",
            "Vendor Extension Description: microsoft.com: 1.0",
        ],
        widgets: &["/main/imgsettings/iso"],
        settings: &[Setting {
            name: "iso",
            value: "800",
            refused: &[("801", None)],
        }],
        events: &[TRIGGER_CAPTURE],
        mtp_detect: &["microsoft.com: 1.0", "vcam MTP Camera"],
        features: &[Capture, Thumbnail, Preview, Mtp],
        ..VCAM_BODY
    },
    Model {
        id: "canon_1300d",
        usb_name: "Canon EOS 1300D",
        summary: &["Model: Canon EOS 1300D", "Manufacturer: Canon Inc."],
        widgets: &[
            "/iso",
            "/aperture",
            "/shutterspeed",
            "/whitebalance",
            "/imageformat",
            "/capturetarget",
            "/eosremoterelease",
            "/viewfinder",
            "/drivemode",
            "/autoexposuremode",
            "/shuttercounter",
        ],
        set_option: "--set-config",
        settings: &[Setting {
            name: "iso",
            value: "800",
            // 123 is no ISO libgphoto2 knows: refused by the client. 25600 is one it knows
            // but the 1300D does not offer: libgphoto2 sends it anyway (config.c
            // _put_Genericu16Table falls back) and the camera refuses it.
            refused: &[("123", None), ("25600", Some("0x201c"))],
        }],
        features: &[Capture, Eos, Preview, Movie, Thumbnail],
        ..EOS_BODY
    },
    Model {
        id: "canon_6d",
        usb_name: "Canon EOS 6D",
        summary: &[
            "Model: Canon EOS 6D",
            "Version: 3-1.1.2",
            "Display Formats: Association/Directory, Script, DPOF, MS AVI, MS Wave, JPEG, CRW, \
             Unknown(b103), Unknown(bf02), Defined Type, Unknown(b104), Unknown(b105)",
        ],
        widgets: &[
            "/iso",
            "/imageformat",
            "/capturetarget",
            "/eosremoterelease",
        ],
        settings: &[Setting {
            name: "iso",
            value: "12800",
            // An expansion setting the 6D does not list: the body refuses it.
            refused: &[("51200", Some("0x201c"))],
        }],
        // The 35 image formats of the real body.
        shows: &[("imageformat", &["Current: Large Fine JPEG", "Choice: 34 "])],
        features: &[
            Capture,
            Eos,
            Preview,
            Movie,
            Thumbnail,
            MovieRecord,
            BulbTime,
        ],
        ..EOS_BODY
    },
    Model {
        id: "fuji_xh1",
        usb_name: "Fuji Fujifilm X-H1",
        summary: &[
            "Manufacturer: FUJIFILM",
            "Model: X-H1",
            "Version: 2.14",
            // Fujifilm's path: VendorExtensionID 6 + "fujifilm.co.jp" on USB, 0x0E on WiFi.
            "Vendor Extension ID: 0xe (1.0)",
            "Vendor Extension Description: fujifilm.co.jp: 1.0;",
            "White Balance(0x5005):(readwrite) (type=0x4) Enumeration",
        ],
        capture_folder: "DCIM/100_FUJI",
        capture_size: Some((3008, 2000)),
        preview_size: Some((640, 480)),
        widgets: &[
            "/main/imgsettings/filmsimulation",
            "/main/imgsettings/iso",
            "/main/imgsettings/whitebalance",
            "/main/settings/cameraaction",
            "/main/settings/prioritymode",
        ],
        set_option: "--set-config-value",
        settings: &[
            Setting {
                name: "iso",
                value: "400",
                refused: &[("333", Some("0x201c"))],
            },
            Setting {
                name: "whitebalance",
                value: "Shade",
                refused: &[("Moonlight", None)],
            },
            Setting {
                name: "filmsimulation",
                value: "Velvia/Vivid",
                // A film simulation libgphoto2 knows and the X-H1 does not have.
                refused: &[("Classic Neg", Some("0x201c"))],
            },
        ],
        events: &[EventCheck {
            args: &[
                "--set-config-value",
                "filmsimulation=ASTIA/Soft",
                "--wait-event=d001 changed",
            ],
            expect: &["d001 changed", "ASTIA/Soft"],
        }],
        features: &[Capture, Thumbnail, Preview, Movie, NoUpload],
        transports: &[
            Transport::Libusb,
            Transport::Vhci,
            Transport::UsbIp,
            Transport::FujiWifi,
        ],
        ..Model::BASE
    },
    // The a6300 in PC Remote mode: a USB body (libgphoto2 runs Sony's WiFi-only 0x9280 and
    // 0x9281 over PTP/IP, which this body has not), its card hidden, captures kept in its
    // memory, settings through Sony's 0x9207 steps and 0x9205 values.
    Model {
        id: "sony_a6300",
        usb_name: "Sony Alpha-A6300 (Control)",
        summary: &[
            "Manufacturer: Sony Corporation",
            "Model: ILCE-6300",
            "Vendor Extension ID: 0x11",
            "Vendor Extension Description: Sony PTP Extensions",
            "Sony Capture",
            "ISO(0xd21e)",
        ],
        capture_folder: "DCIM/100MSDCF",
        card: false,
        captured_at: Some("/capt0000.jpg"),
        capture_size: Some((1600, 1200)),
        preview_size: Some((640, 480)),
        frame_head: &[0xFF, 0xD8, 0xFF, 0xDB],
        widgets: &[
            "/main/imgsettings/iso",
            "/main/capturesettings/f-number",
            "/main/capturesettings/shutterspeed",
            "/main/imgsettings/whitebalance",
            "/main/capturesettings/focusmode",
            "/main/capturesettings/exposurecompensation",
            "/main/capturesettings/imagequality",
            "/main/capturesettings/capturemode",
            "/main/status/batterylevel",
        ],
        set_option: "--set-config-value",
        settings: &[
            Setting {
                name: "iso",
                value: "400",
                // Not in the body's ISO list: libgphoto2 refuses it against the list.
                refused: &[("12345", Some("Target value is not in enumeration"))],
            },
            Setting {
                name: "shutterspeed",
                value: "1/250",
                refused: &[],
            },
            Setting {
                name: "f-number",
                value: "f/8",
                refused: &[],
            },
            Setting {
                name: "whitebalance",
                value: "Daylight",
                // A white balance libgphoto2 knows but the body has not: the body refuses it.
                refused: &[("Fluorescent", Some("0x201c"))],
            },
        ],
        // The body's C203 on the interrupt endpoint.
        events: &[EventCheck {
            args: &[
                "--set-config-value",
                "iso=800",
                "--wait-event=PTP Property d21e changed",
            ],
            expect: &["PTP Property d21e changed"],
        }],
        features: &[Capture, Preview, Movie, LiveviewTool],
        transports: &Transport::USB,
        ..Model::BASE
    },
    // The same body in MTP mode: its card over MTP, nothing else.
    Model {
        id: "sony_a6300_mtp",
        usb_name: "Sony Alpha-A6300 (MTP)",
        summary: &[
            "Manufacturer: Sony Corporation",
            "Model: ILCE-6300",
            // libgphoto2 takes an MTP body from "Sony Corporation" for a Sony one.
            "Vendor Extension ID: 0x11",
            "No Image Capture",
            "store_00010001",
        ],
        capture_folder: "DCIM/100MSDCF",
        mtp_detect: &["Manufacturer: Sony Corporation", "Model: ILCE-6300"],
        features: &[Thumbnail, Mtp],
        transports: &Transport::USB,
        ..Model::BASE
    },
];

/// A (model, transport) pair ready for scenarios: the clients' environment, the card, and
/// what serves the camera.
#[derive(Debug)]
pub struct Target {
    /// The model.
    pub model: &'static Model,
    /// The transport.
    pub transport: Transport,
    /// Where client programs run (private HOME, working folder, variables).
    pub env: Env,
    card: PathBuf,
    liveview: PathBuf,
    vcamctl: PathBuf,
    serving: Serving,
    /// The camera's control socket (`--control`, `VCAM_CONTROL`), for transports on this
    /// machine.
    control: Option<PathBuf>,
}

#[derive(Debug)]
enum Serving {
    Process(VcamProcess),
    Shim,
    /// `vcam-vhci` in the guest, its files in `dir`, its control socket at `control` in the
    /// guest's own /tmp (a Unix socket on the 9p share may not work).
    Guest {
        guest: Arc<Guest>,
        dir: PathBuf,
        control: PathBuf,
    },
}

/// How the guest imports the camera `vcam-vhci --listen` exports.
pub(crate) const USBIP_ATTACH: &str = "usbip attach -r 127.0.0.1 -b 1-1";

/// Shell functions of the guest scripts: `wait_for SECONDS CMD...` retries a command,
/// `step NAME CMD...` stops the script when a step fails and says which, `camera` tells
/// whether the kernel sees a USB device other than its root hubs.
pub(crate) const GUEST_FUNCTIONS: &str = "\
wait_for() { n=$(( $1 * 5 )); shift; while [ \"$n\" -gt 0 ]; do \"$@\" && return 0; sleep 0.2; n=$((n - 1)); done; return 1; }
step() { name=$1; shift; \"$@\" || { echo \"step $name failed\"; exit 1; }; }
camera() { for v in /sys/bus/usb/devices/*/idVendor; do [ \"$(cat \"$v\")\" != 1d6b ] && return 0; done; return 1; }
no_camera() { ! camera; }
";

impl Target {
    /// Starts serving `model` over `transport` with a fresh sample card under `dir` (in the
    /// guest's shared folder for guest transports).
    fn open(
        model: &'static Model,
        transport: Transport,
        dir: &Path,
        artifacts: &Artifacts,
        guest: Option<&Arc<Guest>>,
    ) -> Self {
        let card = dir.join("card");
        card::write_sample(&card);
        create_dir(&card.join(model.capture_folder));
        let card_arg = card.to_string_lossy().into_owned();
        let control = (!transport.in_guest()).then(|| dir.join("control.sock"));
        let control_arg = control
            .as_ref()
            .map(|c| c.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (env, serving) = match transport {
            Transport::PtpIp => {
                let server = VcamProcess::start(
                    &artifacts.ptpip,
                    &[model.id, "--fs", &card_arg, "--control", &control_arg],
                );
                (
                    Env::under(dir).gphoto2_ptpip(server.port()),
                    Serving::Process(server),
                )
            }
            Transport::FujiWifi => {
                let server = VcamProcess::start(
                    &artifacts.fujiwifi,
                    &[model.id, "--fs", &card_arg, "--control", &control_arg],
                );
                (
                    Env::under(dir).gphoto2_fuji_wifi(server.port()),
                    Serving::Process(server),
                )
            }
            Transport::Libusb => (
                Env::under(dir)
                    .var("LD_PRELOAD", &artifacts.shim)
                    .var("VCAM_MODELS", model.id)
                    .var("VCAM_FS", &card)
                    .var("VCAM_CONTROL", &control_arg)
                    .var("VCAM_SHIM_LOG", "debug"),
                Serving::Shim,
            ),
            Transport::Vhci | Transport::UsbIp => {
                let guest = Arc::clone(guest.unwrap_or_else(|| panic!("no guest")));
                let control =
                    PathBuf::from(format!("/tmp/vcam-{}-{}.sock", model.id, transport.name()));
                plug(
                    &guest,
                    transport,
                    model,
                    dir,
                    &card_arg,
                    &artifacts.vhci,
                    &control,
                );
                (
                    Env::under(dir).in_guest(Arc::clone(&guest)),
                    Serving::Guest {
                        guest,
                        dir: dir.to_path_buf(),
                        control,
                    },
                )
            }
        };
        Self {
            model,
            transport,
            env,
            card,
            liveview: artifacts.liveview.clone(),
            vcamctl: artifacts.vcamctl.clone(),
            serving,
            control,
        }
    }

    /// The camera's control socket, for transports on this machine.
    #[must_use]
    pub fn control(&self) -> Option<&Path> {
        self.control.as_deref()
    }

    /// Runs gphoto2 with `args` and `faults` planned: through the control socket before the
    /// run, or, where every client run has its own camera (libusb), in `VCAM_FAULTS` for that
    /// run.
    #[must_use]
    pub fn gphoto2_with_faults(&self, faults: &[&str], args: &[&str]) -> Run {
        if self.keeps_state() {
            for fault in faults {
                crate::steering::control(self, &format!("fault {fault}"));
            }
            self.gphoto2_run(args)
        } else {
            let joined = faults.join(";");
            self.env
                .run_with_vars("gphoto2", args, &[("VCAM_FAULTS", &joined)])
        }
    }

    /// Runs the shell script `script` in the guest, in the folder of the camera's files
    /// (`vcam.out`, `vcam.log`), with the guest functions (`GUEST_FUNCTIONS`) and `$VCAMCTL`
    /// (`vcamctl --socket` the camera's control socket) at hand.
    #[must_use]
    pub fn in_guest(&self, script: &str) -> Run {
        let Serving::Guest {
            guest,
            dir,
            control,
        } = &self.serving
        else {
            panic!("{} does not run in the guest", self.transport.name());
        };
        // Word-split where it is used: the paths have no spaces (the share is a temporary
        // folder, the socket /tmp/vcam-MODEL-TRANSPORT.sock).
        let vcamctl = format!(
            "{} --socket {}",
            self.vcamctl.to_string_lossy(),
            control.to_string_lossy()
        );
        let run = guest.sh(&format!(
            "{GUEST_FUNCTIONS}cd {} || exit 1
VCAMCTL={}
{script}",
            shell_quote(&dir.to_string_lossy()),
            shell_quote(&vcamctl)
        ));
        eprintln!("(guest script) {}{}", run.stdout, run.stderr);
        run
    }

    /// Stops serving; for guest transports, checks the kernel sees the camera go.
    fn close(self) {
        if let Serving::Guest { guest, dir, .. } = &self.serving {
            unplug(guest, self.transport, dir);
        }
    }

    /// Runs gphoto2 with `args`; fails the scenario when it fails.
    pub fn gphoto2(&self, args: &[&str]) -> String {
        self.env.ok("gphoto2", args)
    }

    /// Runs gphoto2 with `args`, whatever it answers.
    #[must_use]
    pub fn gphoto2_run(&self, args: &[&str]) -> Run {
        self.env.run("gphoto2", args)
    }

    /// A path on the card (relative to its root).
    #[must_use]
    pub fn card(&self, path: &str) -> PathBuf {
        self.card.join(path)
    }

    /// A file in the clients' working folder.
    #[must_use]
    pub fn file(&self, name: &str) -> PathBuf {
        self.env.file(name)
    }

    /// The `ptp-liveview` binary (at the same path in the guest).
    #[must_use]
    pub fn liveview(&self) -> &Path {
        &self.liveview
    }

    /// Whether settings made by one client run are seen by the next.
    #[must_use]
    pub const fn keeps_state(&self) -> bool {
        self.transport.keeps_state()
    }

    /// What vcam logged (at debug level) up to the end of `run`: the server's log, or for
    /// the libusb drop-in, which logs into its client's stderr, `run`'s stderr.
    #[must_use]
    pub fn vcam_log(&self, run: &Run) -> String {
        match &self.serving {
            Serving::Process(server) => server.log(),
            Serving::Shim => run.stderr.clone(),
            Serving::Guest { dir, .. } => {
                std::fs::read_to_string(dir.join("vcam.log")).unwrap_or_default()
            }
        }
    }
}

/// Plugs the camera into the guest's kernel and waits for it to enumerate; its control
/// socket is `control` (in the guest).
fn plug(
    guest: &Guest,
    transport: Transport,
    model: &Model,
    dir: &Path,
    card: &str,
    vhci: &Path,
    control: &Path,
) {
    let q = |s: &str| shell_quote(s);
    let (mode, ready, attach) = match transport {
        Transport::Vhci => ("--attach", "attached on port", String::new()),
        _ => (
            "--listen 127.0.0.1:3240",
            "listening on",
            format!(
                "mkdir -p /var/run/vhci_hcd\n\
                 usbip list -r 127.0.0.1\n\
                 step usbip-attach {USBIP_ATTACH}\n"
            ),
        ),
    };
    let script = format!(
        "{GUEST_FUNCTIONS}cd {dir} || exit 1\n\
         rm -f {control}\n\
         RUST_LOG=debug {vhci} {model} --fs {card} --control {control} {mode} \
         >vcam.out 2>vcam.log </dev/null &\n\
         echo $! >vcam.pid\n\
         step vcam-vhci-ready wait_for 30 grep -q {ready} vcam.out\n\
         cat vcam.out\n\
         {attach}\
         step enumerated wait_for 60 camera\n\
         step usbfs-node wait_for 10 sh -c 'ls /dev/bus/usb/*/* >/dev/null 2>&1'\n",
        dir = q(&dir.to_string_lossy()),
        vhci = q(&vhci.to_string_lossy()),
        model = q(model.id),
        card = q(card),
        control = q(&control.to_string_lossy()),
        ready = q(ready),
    );
    let run = guest.sh(&script);
    if !run.ok {
        // Leave the guest clean for the next rows; the failure is what is reported.
        let _ = guest.sh(&unplug_script(transport, dir));
    }
    assert!(
        run.ok,
        "plugging the camera in failed:\n{}{}\n--- vcam-vhci log ---\n{}",
        run.stdout,
        run.stderr,
        std::fs::read_to_string(dir.join("vcam.log")).unwrap_or_default()
    );
}

/// Unplugs the camera (usbip detach, or stopping `vcam-vhci --attach`) and checks the
/// guest's kernel sees it go.
fn unplug(guest: &Guest, transport: Transport, dir: &Path) {
    let run = guest.sh(&unplug_script(transport, dir));
    assert!(run.ok, "unplugging failed:\n{}{}", run.stdout, run.stderr);
}

/// The guest script that unplugs the camera served from `dir`.
fn unplug_script(transport: Transport, dir: &Path) -> String {
    let detach = match transport {
        Transport::UsbIp => {
            "usbip port\nusbip detach -p 0 >/dev/null 2>&1 || usbip detach -p 00 >/dev/null 2>&1\n"
        }
        _ => "",
    };
    format!(
        "{GUEST_FUNCTIONS}cd {} || exit 1\n{detach}\
         pid=$(cat vcam.pid); kill \"$pid\"\n\
         step vcam-vhci-stopped wait_for 20 sh -c \"! kill -0 $pid 2>/dev/null\"\n\
         step detached wait_for 20 no_camera\n\
         tail -5 vcam.log\n",
        shell_quote(&dir.to_string_lossy())
    )
}

/// The outcome of one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The scenario passed.
    Pass,
    /// The scenario failed, with the message.
    Fail(String),
    /// The model or transport does not support the scenario.
    NotApplicable,
}

/// One row of the report.
#[derive(Debug, Clone)]
pub struct RowReport {
    /// The model.
    pub model: &'static str,
    /// The transport.
    pub transport: Transport,
    /// Setting up and tearing down the transport (server, attach, detach).
    pub connect: Outcome,
    /// One outcome per scenario of [`SCENARIOS`], in order.
    pub cells: Vec<Outcome>,
    /// How long the row took (for the record; never asserted).
    pub took: Duration,
}

/// The outcome of a matrix run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// One per (model, transport) pair, in table order.
    pub rows: Vec<RowReport>,
    /// The guest's console, when a guest was booted.
    pub console: Option<String>,
}

impl Report {
    /// Every failure: `(model, transport, scenario, message)`.
    #[must_use]
    pub fn failures(&self) -> Vec<(String, String, String, String)> {
        let mut out = Vec::new();
        for row in &self.rows {
            let cells = std::iter::once(("connect", &row.connect))
                .chain(SCENARIOS.iter().map(|s| s.name).zip(&row.cells));
            for (scenario, outcome) in cells {
                if let Outcome::Fail(msg) = outcome {
                    out.push((
                        row.model.to_string(),
                        row.transport.name().to_string(),
                        scenario.to_string(),
                        msg.clone(),
                    ));
                }
            }
        }
        out
    }

    /// The table: one line per (model, transport), one column per scenario; `ok`, `FAIL`,
    /// or `—` where the pair does not support the scenario.
    #[must_use]
    pub fn table(&self) -> String {
        let mut heads = vec!["model", "transport", "connect"];
        heads.extend(SCENARIOS.iter().map(|s| s.name));
        heads.push("time");
        let mut lines: Vec<Vec<String>> = vec![heads.iter().map(ToString::to_string).collect()];
        for row in &self.rows {
            let mut line = vec![
                row.model.to_string(),
                row.transport.name().to_string(),
                mark(&row.connect).to_string(),
            ];
            line.extend(row.cells.iter().map(|c| mark(c).to_string()));
            line.push(format!("{:.0}s", row.took.as_secs_f64()));
            lines.push(line);
        }
        let columns = heads.len();
        let widths: Vec<usize> = (0..columns)
            .map(|i| {
                lines
                    .iter()
                    .filter_map(|l| l.get(i))
                    .map(|c| c.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for line in &lines {
            for (cell, width) in line.iter().zip(&widths) {
                let pad = width.saturating_sub(cell.chars().count());
                let _ = write!(out, "{cell}{}  ", " ".repeat(pad));
            }
            out.truncate(out.trim_end().len());
            out.push('\n');
        }
        out
    }
}

const fn mark(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Pass => "ok",
        Outcome::Fail(_) => "FAIL",
        Outcome::NotApplicable => "—",
    }
}

/// The panic message of a failed scenario.
fn message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(ToString::to_string))
        .unwrap_or_else(|| "panicked".to_string())
}

/// Runs `f`, turning a failed assertion into [`Outcome::Fail`].
fn attempt<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| message(p.as_ref()))
}

/// Runs every applicable scenario on one (model, transport) pair.
fn run_row(
    model: &'static Model,
    transport: Transport,
    dir: &Path,
    artifacts: &Artifacts,
    guest: Option<&Arc<Guest>>,
) -> RowReport {
    let started = Instant::now();
    eprintln!("=== {} over {} ===", model.id, transport.name());
    let applicable: Vec<bool> = SCENARIOS
        .iter()
        .map(|s| s.runs_on(model, transport))
        .collect();
    let mut cells = vec![Outcome::NotApplicable; SCENARIOS.len()];
    let connect = match attempt(|| Target::open(model, transport, dir, artifacts, guest)) {
        Err(msg) => {
            for (cell, &yes) in cells.iter_mut().zip(&applicable) {
                if yes {
                    *cell = Outcome::Fail("not run: the transport did not connect".into());
                }
            }
            Outcome::Fail(msg)
        }
        Ok(mut target) => {
            for ((scenario, cell), &yes) in SCENARIOS.iter().zip(cells.iter_mut()).zip(&applicable)
            {
                if yes {
                    *cell = run_scenario(scenario, &mut target);
                }
            }
            match attempt(|| target.close()) {
                Ok(()) => Outcome::Pass,
                Err(msg) => Outcome::Fail(msg),
            }
        }
    };
    RowReport {
        model: model.id,
        transport,
        connect,
        cells,
        took: started.elapsed(),
    }
}

fn run_scenario(scenario: &Scenario, target: &mut Target) -> Outcome {
    eprintln!(
        "--- {} / {} / {} ---",
        target.model.id,
        target.transport.name(),
        scenario.name
    );
    target.env.new_workdir(scenario.name);
    let started = Instant::now();
    let outcome = match attempt(|| (scenario.run)(target)) {
        Ok(()) => Outcome::Pass,
        Err(msg) => Outcome::Fail(msg),
    };
    eprintln!(
        "--- {} / {} / {}: {:.1}s ---",
        target.model.id,
        target.transport.name(),
        scenario.name,
        started.elapsed().as_secs_f64()
    );
    outcome
}

/// A (model, transport) pair and its place in the table.
type Pair = (usize, &'static Model, Transport);

/// Rows waiting for a worker, and where their reports go.
struct Rows<'a> {
    artifacts: &'a Artifacts,
    results: Mutex<Vec<Option<RowReport>>>,
    /// Guest rows not yet taken by a guest.
    guest_queue: Mutex<std::vec::IntoIter<Pair>>,
    /// Why guests did not boot.
    boot_failures: Mutex<Vec<String>>,
}

impl Rows<'_> {
    fn store(&self, i: usize, row: RowReport) {
        if let Some(slot) = self
            .results
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_mut(i)
        {
            *slot = Some(row);
        }
    }

    fn next_guest_row(&self) -> Option<Pair> {
        self.guest_queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .next()
    }

    /// Boots a guest and runs guest rows in it, one after the other, taking the next row
    /// from the queue each time (so guests share the rows by how long they take); returns
    /// its console.
    fn in_guest(&self) -> Option<String> {
        let programs = [
            self.artifacts.vhci.as_path(),
            self.artifacts.liveview.as_path(),
            self.artifacts.vcamctl.as_path(),
        ];
        let guest = match attempt(|| Arc::new(Guest::boot(&programs))) {
            Ok(g) => g,
            Err(msg) => {
                self.boot_failures
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(msg);
                return None;
            }
        };
        while let Some((i, model, transport)) = self.next_guest_row() {
            let dir = guest
                .share()
                .join(format!("{}-{}", model.id, transport.name()));
            self.store(
                i,
                run_row(model, transport, &dir, self.artifacts, Some(&guest)),
            );
        }
        Some(guest.shutdown())
    }

    /// Reports the guest rows no guest took: every guest failed to boot.
    fn no_guest(&self) {
        let why = self
            .boot_failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .join("\n");
        while let Some((i, model, transport)) = self.next_guest_row() {
            let cells = SCENARIOS
                .iter()
                .map(|s| {
                    if s.runs_on(model, transport) {
                        Outcome::Fail("not run: no guest".into())
                    } else {
                        Outcome::NotApplicable
                    }
                })
                .collect();
            let row = RowReport {
                model: model.id,
                transport,
                connect: Outcome::Fail(format!("the guest did not boot: {why}")),
                cells,
                took: Duration::ZERO,
            };
            self.store(i, row);
        }
    }
}

/// A count from the environment variable `name`, or `default`.
fn count_from_env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
        .max(1)
}

/// Runs the matrix of `models` × `transports` (each model on the transports it lists): the
/// rows on this machine on `VCAM_MATRIX_JOBS` threads (3), and the guest rows in
/// `VCAM_MATRIX_GUESTS` qemu guests (2) booted meanwhile, each running one row at a time and
/// taking the next from a shared queue (one guest's rows keep one emulated CPU busy, so two
/// guests use a 2-core machine).
#[must_use]
pub fn run(models: &'static [Model], transports: &[Transport], artifacts: &Artifacts) -> Report {
    let pairs: Vec<Pair> = models
        .iter()
        .flat_map(|m| {
            transports
                .iter()
                .filter(|t| m.transports.contains(t))
                .map(move |&t| (m, t))
        })
        .enumerate()
        .map(|(i, (m, t))| (i, m, t))
        .collect();
    let (guest_pairs, host_pairs): (Vec<_>, Vec<_>) =
        pairs.iter().copied().partition(|(_, _, t)| t.in_guest());
    let guests = count_from_env("VCAM_MATRIX_GUESTS", 2).min(guest_pairs.len());
    let rows = Rows {
        artifacts,
        results: Mutex::new(vec![None; pairs.len()]),
        guest_queue: Mutex::new(guest_pairs.into_iter()),
        boot_failures: Mutex::new(Vec::new()),
    };
    let host_dir = tempdir();
    let queue = Mutex::new(host_pairs.into_iter());
    let mut consoles = Vec::new();
    std::thread::scope(|scope| {
        let guest_threads: Vec<_> = (0..guests)
            .map(|_| scope.spawn(|| rows.in_guest()))
            .collect();
        for _ in 0..count_from_env("VCAM_MATRIX_JOBS", 3) {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().unwrap_or_else(PoisonError::into_inner).next();
                    let Some((i, model, transport)) = next else {
                        break;
                    };
                    let dir = host_dir
                        .path()
                        .join(format!("{}-{}", model.id, transport.name()));
                    rows.store(i, run_row(model, transport, &dir, artifacts, None));
                }
            });
        }
        for handle in guest_threads {
            consoles.extend(handle.join().ok().flatten());
        }
    });
    rows.no_guest();
    let rows = rows
        .results
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .flatten()
        .collect();
    let console = (!consoles.is_empty()).then(|| consoles.join("\n--- next guest ---\n"));
    Report { rows, console }
}
