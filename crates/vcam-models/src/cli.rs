//! The start-up every vcam binary shares (the `cli` feature): logging, `--list-models`, the
//! camera from [`CameraOptions`], several cameras (`--models`), their listening addresses and the
//! shutdown signal.
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
use std::net::SocketAddr;

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

/// `--models` named no model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--models {0:?} names no model")]
pub struct NoModels(pub String);

/// The cameras a binary serves: `options` alone, or with `--models LIST` one per item of the
/// comma-separated LIST, each `MODEL` (serving `options`' card) or `MODEL=DIR` (its own card
/// folder), the other options shared.
///
/// # Errors
/// LIST names no model.
pub fn cameras(
    options: &CameraOptions,
    models: Option<&str>,
) -> Result<Vec<CameraOptions>, NoModels> {
    let Some(list) = models else {
        return Ok(vec![options.clone()]);
    };
    let cameras: Vec<CameraOptions> = list
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            let mut camera = options.clone();
            match item.split_once('=') {
                Some((model, dir)) => {
                    camera.model = model.to_string();
                    camera.fs = Some(dir.into());
                }
                None => camera.model = item.to_string(),
            }
            camera
        })
        .collect();
    if cameras.is_empty() {
        return Err(NoModels(list.to_string()));
    }
    Ok(cameras)
}

/// The listening address of camera `index` of a process whose cameras take `ports_each`
/// consecutive ports each from `base`'s; with port 0 every camera gets free ports. `None` past
/// port 65535.
#[must_use]
pub fn listen_addr(base: SocketAddr, index: usize, ports_each: u16) -> Option<SocketAddr> {
    if base.port() == 0 {
        return Some(base);
    }
    let offset = u16::try_from(index).ok()?.checked_mul(ports_each)?;
    let port = base.port().checked_add(offset)?;
    Some(SocketAddr::new(base.ip(), port))
}

/// Resolves at Ctrl-C or SIGTERM: the end of a binary's serving.
pub async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(%e, "cannot wait for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                () = ctrl_c => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => ctrl_c.await,
    }
    tracing::info!("shutting down");
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

    #[test]
    fn models_lists_cameras_with_their_own_cards() {
        let options = CameraOptions::default();
        let one = cameras(&options, None).unwrap();
        assert_eq!(one, vec![options.clone()]);
        let two = cameras(&options, Some("canon_6d=/cards/a, sony_a6300")).unwrap();
        assert_eq!(two[0].model, "canon_6d");
        assert_eq!(two[0].fs.as_deref(), Some(std::path::Path::new("/cards/a")));
        assert_eq!(two[1].model, "sony_a6300");
        assert_eq!(two[1].fs, options.fs);
        assert_eq!(cameras(&options, Some(" , ")), Err(NoModels(" , ".into())));
    }

    #[test]
    fn listeners_take_consecutive_ports() {
        let base: SocketAddr = "127.0.0.1:55740".parse().unwrap();
        assert_eq!(listen_addr(base, 2, 3).unwrap().port(), 55746);
        let free: SocketAddr = "127.0.0.1:0".parse().unwrap();
        assert_eq!(listen_addr(free, 5, 3), Some(free));
        let top: SocketAddr = "127.0.0.1:65535".parse().unwrap();
        assert_eq!(listen_addr(top, 1, 1), None);
    }
}
