//! `vcam-ptpip`: a virtual camera on PTP/IP.
//!
//! ```text
//! vcam-ptpip [MODEL] [--fs DIR] [--listen ADDR] [--read-only] [--probe-interval SECS]
//!            [--paired-guid GUID] [--accept-policy accept|refuse|delay:SECS]
//!            [--pairing-file FILE] [--reset-pairing] [--no-pairing] [--announce IFACE|ADDR]
//! gphoto2 --port ptpip:127.0.0.1:15740:15740 --summary
//! ```

mod pairing;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Parser;
use transport_ptpip::PtpIpServer;
use vcam_models::cli::CameraArgs;

use crate::pairing::PairingArgs;

/// A virtual digital camera on PTP/IP (CIPA DC-005): gphoto2 and other PTP/IP initiators
/// connect to it over TCP as to a real body.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Args {
    #[command(flatten)]
    camera: CameraArgs,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:15740")]
    listen: SocketAddr,
    /// Seconds an initiator may stay silent before it gets a Probe Request; it then has as
    /// long again to answer before its session ends (0: never probe).
    #[arg(long, value_name = "SECS", default_value_t = transport_ptpip::DEFAULT_PROBE_INTERVAL.as_secs_f64())]
    probe_interval: f64,
    #[allow(missing_docs)] // Help text comes from the flattened struct.
    #[command(flatten)]
    pairing: PairingArgs,
    #[allow(missing_docs)] // Help text comes from the flattened struct.
    #[command(flatten)]
    discovery: vcam_discovery::DiscoveryArgs,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let Some(mut camera) = args.camera.start()? else {
        return Ok(()); // --list-models
    };
    let remote = args
        .camera
        .options
        .control
        .is_some()
        .then(|| camera.remote());
    let model = camera.model();
    let identity = model.ptpip.clone();
    let name = model.device_info.model.to_string();
    let probe_interval = Duration::try_from_secs_f64(args.probe_interval)
        .with_context(|| format!("--probe-interval {}", args.probe_interval))?;
    let pairing = args
        .pairing
        .build(&identity, &args.camera.options)
        .context("pairing")?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        // WiFi discovery (--announce); dropped at the end, which sends ssdp:byebye. Its
        // description shows the client paired with the PTP/IP transport.
        let shown = pairing.clone().unwrap_or_else(Arc::default);
        let _discovery = vcam_discovery::spawn(&args.discovery, camera.model(), shown).await?;
        let server = match PtpIpServer::bind(args.listen, camera, identity).await {
            Ok(s) => s,
            Err(e) => bail!("cannot listen on {}: {e}", args.listen),
        };
        let server = match pairing {
            Some(p) => server.with_pairing(p),
            None => server.without_pairing(),
        }
        .with_probe_interval(Some(probe_interval));
        if let (Some(path), Some(remote)) = (&args.camera.options.control, remote) {
            // Between two clients no session runs the camera: the control socket does.
            let held = server.camera();
            let steered = vcam_control::Camera::new(args.camera.options.model.clone(), remote)
                .with_pump(move || {
                    if let Ok(mut camera) = held.try_lock() {
                        camera.handle_timeout(std::time::SystemTime::now());
                    }
                });
            vcam_control::ControlServer::bind(path, vec![steered])
                .and_then(vcam_control::ControlServer::spawn)
                .with_context(|| format!("control socket {}", path.display()))?;
        }
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
