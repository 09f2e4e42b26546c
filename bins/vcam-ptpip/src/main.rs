//! `vcam-ptpip`: a virtual camera on PTP/IP.
//!
//! ```text
//! vcam-ptpip [MODEL] [--fs DIR] [--listen ADDR] [--read-only]
//! gphoto2 --port ptpip:127.0.0.1:15740:15740 --summary
//! ```

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Parser;
use transport_ptpip::PtpIpServer;
use vcam_core::Responder;
use vcam_core::frames::{FrameSource, JpegFolderFrames, MjpegFileFrames, SyntheticFrames};

/// A virtual digital camera on PTP/IP (CIPA DC-005): gphoto2 and other PTP/IP initiators
/// connect to it over TCP as to a real body.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Args {
    /// Camera model (see --list-models).
    #[arg(default_value = vcam_models::DEFAULT_MODEL)]
    model: String,
    /// Serve this folder as the memory card (default: a built-in sample card).
    #[arg(long, value_name = "DIR")]
    fs: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:15740")]
    listen: SocketAddr,
    /// Refuse every write to the card (StoreReadOnly).
    #[arg(long)]
    read_only: bool,
    /// List the models and exit.
    #[arg(long)]
    list_models: bool,
    /// Live view frame size of the synthetic source, WIDTHxHEIGHT.
    #[arg(long, value_name = "WxH", default_value = "640x480", value_parser = vcam_core::frames::parse_size)]
    liveview_size: (u32, u32),
    /// Live view frames per second.
    #[arg(long, value_name = "FPS", default_value_t = 30)]
    liveview_fps: u32,
    /// Play the JPEG files of this folder as live view instead of the test pattern.
    #[arg(long, value_name = "DIR", conflicts_with = "liveview_mjpeg")]
    liveview_jpegs: Option<PathBuf>,
    /// Play this Motion JPEG file as live view instead of the test pattern.
    #[arg(long, value_name = "FILE")]
    liveview_mjpeg: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();

    if args.list_models {
        for m in vcam_models::MODELS {
            println!("{:<16} {}", m.id, m.summary);
        }
        return Ok(());
    }

    let entry = vcam_models::lookup(&args.model)?;
    let (model, vendor) = entry.build();
    if args.fs.is_none() && args.read_only {
        tracing::info!("--read-only applies to --fs folders; the sample card is writable");
    }
    let store =
        vcam_models::open_card(&model, args.fs.as_deref(), args.read_only).with_context(|| {
            args.fs.as_ref().map_or_else(
                || "creating the sample card".to_string(),
                |d| format!("--fs {}", d.display()),
            )
        })?;
    let frames: Box<dyn FrameSource> = if let Some(dir) = &args.liveview_jpegs {
        Box::new(JpegFolderFrames::load(dir, args.liveview_fps)?)
    } else if let Some(file) = &args.liveview_mjpeg {
        Box::new(MjpegFileFrames::load(file, args.liveview_fps)?)
    } else {
        let (w, h) = args.liveview_size;
        Box::new(SyntheticFrames::new(w, h, args.liveview_fps))
    };
    let identity = model.ptpip.clone();
    let name = model.device_info.model.to_string();
    let camera = Responder::new(model, vendor, store, frames);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let server = match PtpIpServer::bind(args.listen, camera, identity).await {
            Ok(s) => s,
            Err(e) => bail!("cannot listen on {}: {e}", args.listen),
        };
        let addr = server.local_addr()?;
        tracing::info!(model = %name, %addr, "virtual camera ready");
        println!("listening on {addr}");
        std::io::stdout().flush()?;
        tokio::select! {
            result = server.run() => result.context("serving PTP/IP"),
            () = shutdown_signal() => {
                tracing::info!("shutting down");
                Ok(())
            }
        }
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(%e, "cannot wait for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    () = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => ctrl_c.await,
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}
