//! The start-up every vcam binary shares (the `cli` feature): logging, `--list-models`, and
//! the camera from [`CameraOptions`].
//!
//! ```no_run
//! use clap::Parser;
//!
//! #[derive(Parser)]
//! struct Args {
//!     #[command(flatten)]
//!     camera: vcam_models::cli::CameraArgs,
//!     // ... the transport's own options
//! }
//!
//! let args = Args::parse();
//! let Some(camera) = args.camera.start()? else {
//!     return Ok(()); // --list-models
//! };
//! // ... hand `camera` to a transport
//! # Ok::<(), vcam_models::BuildError>(())
//! ```

use std::io::Write;

use vcam_core::Responder;

use crate::{BuildError, CameraOptions, MODELS};

/// The command-line options of every vcam binary: the camera, and `--list-models`.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct CameraArgs {
    #[allow(missing_docs)] // Documented on the type; a doc comment here would become help text.
    #[command(flatten)]
    pub options: CameraOptions,
    /// List the models and exit.
    #[arg(long)]
    pub list_models: bool,
}

impl CameraArgs {
    /// Starts logging ([`init_logging`]); then, for `--list-models`, prints the models and
    /// returns `None`; otherwise builds the camera.
    ///
    /// # Errors
    /// The camera cannot be built ([`CameraOptions::build`]).
    pub fn start(&self) -> Result<Option<Responder>, BuildError> {
        init_logging();
        if self.list_models {
            print_models();
            return Ok(None);
        }
        self.options.build().map(Some)
    }
}

/// Logs to stderr through `tracing`, filtered by `RUST_LOG` (default `info`).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Prints one line per model on stdout: its name, then its summary.
pub fn print_models() {
    let mut out = std::io::stdout().lock();
    for m in MODELS {
        // A closed stdout (`--list-models | head -1`) is not an error.
        if writeln!(out, "{:<16} {}", m.id, m.summary).is_err() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::LiveviewOptions;

    #[derive(Debug, Parser)]
    struct Args {
        #[command(flatten)]
        camera: CameraArgs,
    }

    fn parse(args: &[&str]) -> Result<CameraArgs, clap::Error> {
        Args::try_parse_from(std::iter::once("vcam").chain(args.iter().copied())).map(|a| a.camera)
    }

    #[test]
    fn no_arguments_are_the_defaults() {
        let args = parse(&[]).unwrap();
        assert_eq!(args.options, CameraOptions::default());
        assert!(!args.list_models);
    }

    #[test]
    fn every_flag_is_parsed() {
        let args = parse(&[
            "canon_1300d",
            "--fs",
            "/card",
            "--read-only",
            "--liveview-size",
            "320x240",
            "--liveview-fps",
            "15",
            "--liveview-jpegs",
            "/frames",
            "--liveview-unpaced",
            "--no-watch",
            "--list-models",
        ])
        .unwrap();
        let mut expected = CameraOptions::new("canon_1300d");
        expected.fs = Some("/card".into());
        expected.read_only = true;
        expected.liveview = LiveviewOptions {
            size: (320, 240),
            fps: 15,
            jpegs: Some("/frames".into()),
            mjpeg: None,
            unpaced: true,
        };
        expected.watch = false;
        assert_eq!(args.options, expected);
        assert!(args.list_models);
    }

    #[test]
    fn bad_values_are_refused() {
        assert!(parse(&["--liveview-size", "big"]).is_err());
        assert!(parse(&["--liveview-jpegs", "/a", "--liveview-mjpeg", "/b"]).is_err());
    }
}
