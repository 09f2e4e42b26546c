//! [`CameraOptions`]: what one camera is made of, and [`CameraOptions::build`], which puts it
//! together.

use std::num::ParseIntError;
use std::path::PathBuf;

use vcam_core::faults::Fault;
use vcam_core::frames::{FrameError, FrameSource, JpegFolderFrames, MjpegFileFrames};
use vcam_core::{
    CameraModel, LiveviewPacing, Responder, StoreError, SyntheticFrames, VendorExtension,
};

#[cfg(feature = "cli")]
use crate::faults::FAULT_HELP;
use crate::faults::{ScenarioError, read_scenario};
use crate::{DEFAULT_MODEL, UnknownModel, lookup, open_card};

/// The live view frame size of the synthetic source when none is given.
pub const DEFAULT_LIVEVIEW_SIZE: (u32, u32) = (640, 480);
/// The live view frame rate when none is given.
pub const DEFAULT_LIVEVIEW_FPS: u32 = 30;

/// How to build one camera: the model, its memory card and its live view.
///
/// [`Default`] is the generic camera on the built-in sample card with a 640x480, 30 fps test
/// pattern, as every binary starts without options. With the `cli` feature this is a
/// `clap::Args` to `#[command(flatten)]` into a binary's arguments: `[MODEL] [--fs DIR]
/// [--read-only] [--liveview-size WxH] [--liveview-fps FPS] [--liveview-jpegs DIR |
/// --liveview-mjpeg FILE] [--liveview-unpaced] [--no-watch] [--fault FAULT]...
/// [--faults-file FILE] [--control PATH]`. [`CameraOptions::from_env`] reads the same options from `VCAM_*`
/// variables.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
#[non_exhaustive]
pub struct CameraOptions {
    /// Camera model (see --list-models).
    #[cfg_attr(feature = "cli", arg(default_value = DEFAULT_MODEL))]
    pub model: String,
    /// Serve this folder as the memory card (default: a built-in sample card).
    #[cfg_attr(feature = "cli", arg(long, value_name = "DIR"))]
    pub fs: Option<PathBuf>,
    /// Refuse every write to the card (StoreReadOnly).
    #[cfg_attr(feature = "cli", arg(long))]
    pub read_only: bool,
    #[allow(missing_docs)] // Documented on the type; a doc comment here would become help text.
    #[cfg_attr(feature = "cli", command(flatten))]
    pub liveview: LiveviewOptions,
    /// Faults planned for the camera ([`vcam_core::faults`]; `--fault`, repeatable).
    #[cfg_attr(
        feature = "cli",
        arg(
            long = "fault",
            value_name = "FAULT",
            value_parser = crate::faults::parse_fault,
            help = "Plan a fault (repeatable; the grammar is in --help)",
            long_help = FAULT_HELP
        )
    )]
    pub faults: Vec<Fault>,
    /// Plan the faults of this TOML scenario file too ([`crate::faults`]).
    #[cfg_attr(feature = "cli", arg(long, value_name = "FILE"))]
    pub faults_file: Option<PathBuf>,
    /// Steer the camera through a control socket at PATH: `vcamctl --socket PATH shutter`.
    #[cfg_attr(feature = "cli", arg(long, value_name = "PATH"))]
    pub control: Option<PathBuf>,
    /// Do not watch the card folder (by default files other programs add to or remove from
    /// it are reported to the client as the vendor's object events).
    #[cfg_attr(
        feature = "cli",
        arg(id = "watch", long = "no-watch", action = clap::ArgAction::SetFalse)
    )]
    pub watch: bool,
}

/// Where live view frames come from: a synthetic test pattern of a given size (the default),
/// the JPEG files of a folder, or a Motion JPEG file, played at a given rate.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
#[non_exhaustive]
pub struct LiveviewOptions {
    /// Live view frame size of the synthetic source, WIDTHxHEIGHT.
    #[cfg_attr(
        feature = "cli",
        arg(
            id = "liveview_size",
            long = "liveview-size",
            value_name = "WxH",
            default_value = "640x480",
            value_parser = parse_size
        )
    )]
    pub size: (u32, u32),
    /// Live view frames per second.
    #[cfg_attr(
        feature = "cli",
        arg(
            id = "liveview_fps",
            long = "liveview-fps",
            value_name = "FPS",
            default_value_t = DEFAULT_LIVEVIEW_FPS
        )
    )]
    pub fps: u32,
    /// Play the JPEG files of this folder as live view instead of the test pattern.
    #[cfg_attr(
        feature = "cli",
        arg(
            id = "liveview_jpegs",
            long = "liveview-jpegs",
            value_name = "DIR",
            conflicts_with = "liveview_mjpeg"
        )
    )]
    pub jpegs: Option<PathBuf>,
    /// Play this Motion JPEG file as live view instead of the test pattern.
    #[cfg_attr(
        feature = "cli",
        arg(id = "liveview_mjpeg", long = "liveview-mjpeg", value_name = "FILE")
    )]
    pub mjpeg: Option<PathBuf>,
    /// Answer every live view poll with a frame, as fast as the host allows (for benches); by
    /// default a poll before the next frame gets what the body answers then (Canon EOS:
    /// NotReady).
    #[cfg_attr(
        feature = "cli",
        arg(id = "liveview_unpaced", long = "liveview-unpaced")
    )]
    pub unpaced: bool,
}

impl Default for CameraOptions {
    fn default() -> Self {
        Self::new(DEFAULT_MODEL)
    }
}

impl Default for LiveviewOptions {
    fn default() -> Self {
        Self {
            size: DEFAULT_LIVEVIEW_SIZE,
            fps: DEFAULT_LIVEVIEW_FPS,
            jpegs: None,
            mjpeg: None,
            unpaced: false,
        }
    }
}

/// Why a camera could not be built. Each variant names the option that failed and, for a
/// file or folder, its path; the underlying error is the [`source`](std::error::Error::source).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// No model has the name given.
    #[error(transparent)]
    UnknownModel(#[from] UnknownModel),
    /// The card folder (`--fs`, `VCAM_FS`) cannot be served.
    #[error("card folder {}", path.display())]
    Card {
        /// The folder.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: StoreError,
    },
    /// The built-in sample card cannot be written.
    #[error("creating the sample card")]
    SampleCard(#[source] StoreError),
    /// The live view JPEG folder (`--liveview-jpegs`) cannot be played.
    #[error("live view JPEG folder {}", path.display())]
    LiveviewJpegs {
        /// The folder.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: FrameError,
    },
    /// The live view Motion JPEG file (`--liveview-mjpeg`) cannot be played.
    #[error("live view MJPEG file {}", path.display())]
    LiveviewMjpeg {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: FrameError,
    },
    /// Both a JPEG folder and an MJPEG file were given as the live view.
    #[error("two live view sources given (a JPEG folder and an MJPEG file); choose one")]
    LiveviewConflict,
    /// The fault scenario file (`--faults-file`) cannot be used.
    #[error("fault scenario")]
    Faults(#[from] ScenarioError),
}

impl CameraOptions {
    /// The options of a `model` camera, everything else as [`Default`].
    #[must_use]
    pub fn new(model: impl Into<String>) -> Self {
        Self {
            model: model.into(),
            fs: None,
            read_only: false,
            liveview: LiveviewOptions::default(),
            faults: Vec::new(),
            faults_file: None,
            control: None,
            watch: true,
        }
    }

    /// Builds the camera: the model and its vendor extension from the registry, the card
    /// ([`open_card`]), the live view source ([`LiveviewOptions::frame_source`]), all handed
    /// to [`Responder::new`], with the faults of `--fault` and `--faults-file` planned.
    ///
    /// # Errors
    /// An unknown model, a card folder that cannot be opened (or a sample card that cannot be
    /// written), a live view file or folder that cannot be played, a fault scenario file that
    /// cannot be used.
    pub fn build(&self) -> Result<Responder, BuildError> {
        let (model, vendor) = lookup(&self.model)?.build();
        self.build_body(model, vendor)
    }

    /// As [`CameraOptions::build`], for a body given as its `model` and `vendor` extension
    /// rather than by registry name: a face of a body the registry does not list (the
    /// Fujifilm WiFi face of `vcam_fuji::body`).
    ///
    /// # Errors
    /// As [`CameraOptions::build`], but for the unknown model.
    pub fn build_body(
        &self,
        model: CameraModel,
        vendor: Box<dyn VendorExtension>,
    ) -> Result<Responder, BuildError> {
        if self.fs.is_none() && self.read_only {
            tracing::info!(
                "read-only applies to a card folder; the built-in sample card is writable"
            );
        }
        let store = open_card(&model, self.fs.as_deref(), self.read_only)?;
        let frames = self.liveview.frame_source()?;
        let mut camera = Responder::new(model, vendor, store, frames);
        self.watch_card(&mut camera);
        let mut camera = if self.liveview.unpaced {
            camera.with_liveview_pacing(LiveviewPacing::EveryPoll)
        } else {
            camera
        };
        for fault in self.planned_faults()? {
            camera.add_fault(fault);
        }
        Ok(camera)
    }

    /// The faults of `--fault`, then those of `--faults-file`.
    ///
    /// # Errors
    /// The scenario file cannot be used.
    pub fn planned_faults(&self) -> Result<Vec<Fault>, BuildError> {
        let mut faults = self.faults.clone();
        if let Some(path) = &self.faults_file {
            faults.extend(read_scenario(path)?);
        }
        Ok(faults)
    }

    /// Watches the card folder (`--fs`) of `camera` for files other programs add or remove
    /// ([`vcam_watch`]), unless `--no-watch`; the built-in sample card is not watched. A folder
    /// the host refuses to watch (inotify's limits) is served all the same, with a warning.
    pub fn watch_card(&self, camera: &mut Responder) {
        let Some(dir) = self.fs.as_deref().filter(|_| self.watch) else {
            return;
        };
        if let Err(e) = vcam_watch::watch(camera, dir) {
            let e = error_chain(&e);
            tracing::warn!(%e, "the card folder is not watched");
        }
    }
}

impl LiveviewOptions {
    /// The frame source these options describe.
    ///
    /// # Errors
    /// The JPEG folder or MJPEG file cannot be read, or both were given.
    pub fn frame_source(&self) -> Result<Box<dyn FrameSource>, BuildError> {
        Ok(match (&self.jpegs, &self.mjpeg) {
            (Some(_), Some(_)) => return Err(BuildError::LiveviewConflict),
            (Some(dir), None) => {
                Box::new(JpegFolderFrames::load(dir, self.fps).map_err(|source| {
                    BuildError::LiveviewJpegs {
                        path: dir.clone(),
                        source,
                    }
                })?)
            }
            (None, Some(file)) => {
                Box::new(MjpegFileFrames::load(file, self.fps).map_err(|source| {
                    BuildError::LiveviewMjpeg {
                        path: file.clone(),
                        source,
                    }
                })?)
            }
            (None, None) => {
                let (w, h) = self.size;
                Box::new(SyntheticFrames::new(w, h, self.fps))
            }
        })
    }
}

/// An error and its sources, on one line (`a: b: c`), for logs and status lines.
#[must_use]
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Why a live view size is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SizeError {
    /// Not of the form `WIDTHxHEIGHT`.
    #[error("expected WIDTHxHEIGHT, for example 640x480")]
    Format,
    /// The width is not a number.
    #[error("width: {0}")]
    Width(ParseIntError),
    /// The height is not a number.
    #[error("height: {0}")]
    Height(ParseIntError),
    /// A side is outside 16 to 8192 pixels.
    #[error("each side must be between 16 and 8192 pixels")]
    Range,
}

/// Parses a live view size `WIDTHxHEIGHT` (for example `640x480`); each side 16 to 8192. It is
/// the `--liveview-size` value parser and reads `VCAM_LIVEVIEW_SIZE`.
///
/// # Errors
/// [`SizeError`] says what is wrong with `s`.
pub fn parse_size(s: &str) -> Result<(u32, u32), SizeError> {
    let (w, h) = s.split_once(['x', 'X']).ok_or(SizeError::Format)?;
    let w: u32 = w.trim().parse().map_err(SizeError::Width)?;
    let h: u32 = h.trim().parse().map_err(SizeError::Height)?;
    if !(16..=8192).contains(&w) || !(16..=8192).contains(&h) {
        return Err(SizeError::Range);
    }
    Ok((w, h))
}

#[cfg(test)]
mod tests {
    use std::error::Error;

    use super::*;

    #[test]
    fn sizes_parse_and_are_bounded() {
        assert_eq!(parse_size("640x480"), Ok((640, 480)));
        assert_eq!(parse_size(" 1920 X 1080 "), Ok((1920, 1080)));
        assert_eq!(parse_size("640"), Err(SizeError::Format));
        assert!(matches!(parse_size("ax480"), Err(SizeError::Width(_))));
        assert!(matches!(parse_size("640x"), Err(SizeError::Height(_))));
        assert_eq!(parse_size("8x8"), Err(SizeError::Range));
        assert_eq!(parse_size("8193x16"), Err(SizeError::Range));
    }

    #[test]
    fn errors_name_the_option_and_the_path() {
        let mut options = CameraOptions::new("nonesuch");
        assert!(matches!(
            options.build(),
            Err(BuildError::UnknownModel(UnknownModel(name))) if name == "nonesuch"
        ));
        options.model = "generic".into();
        options.fs = Some("/nonexistent/vcam-card".into());
        let Err(err) = options.build() else {
            panic!("a missing card folder builds");
        };
        assert_eq!(err.to_string(), "card folder /nonexistent/vcam-card");
        assert!(
            err.source()
                .is_some_and(|s| s.to_string().contains("No such file"))
        );
        options.fs = None;
        options.liveview.mjpeg = Some("/nonexistent/live.mjpeg".into());
        let Err(err) = options.build() else {
            panic!("a missing MJPEG file builds");
        };
        assert_eq!(
            err.to_string(),
            "live view MJPEG file /nonexistent/live.mjpeg"
        );
        options.liveview.jpegs = Some("/nonexistent".into());
        assert!(matches!(options.build(), Err(BuildError::LiveviewConflict)));
    }

    #[test]
    fn a_card_folder_is_served_read_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let mut options = CameraOptions::new("mtp_camera");
        options.fs = Some(dir.path().to_path_buf());
        options.read_only = true;
        options.liveview.size = (320, 240);
        let camera = options.build().unwrap();
        assert_eq!(camera.model().id, "mtp_camera");
        let (model, _) = lookup("mtp_camera").unwrap().build();
        assert!(
            open_card(&model, options.fs.as_deref(), true)
                .unwrap()
                .is_read_only()
        );
        assert!(
            !open_card(&model, options.fs.as_deref(), false)
                .unwrap()
                .is_read_only()
        );
    }
}
