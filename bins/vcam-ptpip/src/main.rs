//! `vcam-ptpip`: a virtual camera on PTP/IP.
//!
//! ```text
//! vcam-ptpip [MODEL] [--fs DIR] [--listen ADDR] [--read-only] [--probe-interval SECS]
//!            [--paired-guid GUID] [--accept-policy accept|refuse|delay:SECS]
//!            [--pairing-file FILE] [--reset-pairing] [--no-pairing] [--announce IFACE|ADDR]
//!            [--models MODEL[=DIR],...] [--record FILE]
//! gphoto2 --port ptpip:127.0.0.1:15740:15740 --summary
//! vcam-ptpip --models canon_6d=/cards/a,sony_a6300=/cards/b   # 15740 and 15741
//! vcam-ptpip --record session.pcapng       # then: tshark -r session.pcapng -Y ptpip
//! ```

mod pairing;

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Parser;
use transport_ptpip::PtpIpServer;
use vcam_models::cli::{CameraArgs, init_logging, listen_addr, print_models, shutdown_signal};

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
    /// Serve several cameras at once, one listener each, for multi-camera rigs: MODEL or
    /// MODEL=DIR (its own card folder; the others serve --fs), comma-separated. The listeners
    /// take consecutive ports from --listen's (free ones with port 0) and each prints its
    /// `listening on ADDR` line, in the order given.
    #[arg(long, value_name = "LIST", conflicts_with_all = ["model", "announce"])]
    models: Option<String>,
    /// Record every connection as pcapng (TCP flows over raw IP) for `tshark -r FILE` and
    /// Wireshark, whose `ptpip` dissector decodes the session on port 15740 (other ports:
    /// `-d tcp.port==PORT,ptpip`). With --models, one file per camera: FILE with `-MODEL`
    /// before its extension (`s.pcapng` gives `s-canon_6d.pcapng`).
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    init_logging();
    if args.camera.list_models {
        print_models();
        return Ok(());
    }
    let probe_interval = Duration::try_from_secs_f64(args.probe_interval)
        .with_context(|| format!("--probe-interval {}", args.probe_interval))?;
    let specs = vcam_models::cli::cameras(&args.camera.options, args.models.as_deref())?;
    let shared_card = specs.len() > 1;
    let ids: Vec<&str> = specs.iter().map(|spec| spec.model.as_str()).collect();
    let mut recorders =
        vcam_record::tcp_recorders(args.record.as_deref(), &ids, args.models.is_some())
            .context("--record")?
            .into_iter();
    let mut cameras = Vec::with_capacity(specs.len());
    for (i, spec) in specs.iter().enumerate() {
        let camera = spec
            .build()
            .with_context(|| format!("camera {:?}", spec.model))?;
        let identity = camera.model().ptpip.clone();
        let pairing = args
            .pairing
            .build(&identity, spec, shared_card)
            .context("pairing")?;
        let recorder = recorders.next().flatten();
        cameras.push((
            spec.model.clone(),
            camera,
            identity,
            pairing,
            recorder,
            listen_addr(args.listen, i, 1)
                .with_context(|| format!("no port for camera {i} after {}", args.listen))?,
        ));
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        // WiFi discovery (--announce, one camera only); dropped at the end, which sends
        // ssdp:byebye. Its description shows the client paired with the PTP/IP transport.
        let mut _discovery = None;
        let mut servers = tokio::task::JoinSet::new();
        // The control socket (--control) steers every camera of the process, by model id.
        let mut steered = Vec::new();
        for (id, mut camera, identity, pairing, recorder, listen) in cameras {
            let remote = args
                .camera
                .options
                .control
                .is_some()
                .then(|| camera.remote());
            if _discovery.is_none() {
                let shown = pairing.clone().unwrap_or_else(Arc::default);
                _discovery = vcam_discovery::spawn(&args.discovery, camera.model(), shown).await?;
            }
            let name = camera.model().device_info.model.to_string();
            let server = match PtpIpServer::bind(listen, camera, identity).await {
                Ok(s) => s,
                Err(e) => bail!("cannot listen on {listen}: {e}"),
            };
            let server = match pairing {
                Some(p) => server.with_pairing(p),
                None => server.without_pairing(),
            }
            .with_probe_interval(Some(probe_interval));
            let server = match recorder {
                Some(recorder) => server.with_recorder(recorder),
                None => server,
            };
            if let Some(remote) = remote {
                // Between two clients no session runs the camera: the control socket does.
                let held = server.camera();
                steered.push(vcam_control::Camera::new(id, remote).with_pump(move || {
                    if let Ok(mut camera) = held.try_lock() {
                        camera.handle_timeout(std::time::SystemTime::now());
                    }
                }));
            }
            let addr = server.local_addr()?;
            tracing::info!(model = %name, %addr, "virtual camera ready");
            println!("listening on {addr}");
            servers.spawn(server.run());
        }
        if let Some(path) = &args.camera.options.control {
            vcam_control::ControlServer::start(path, steered)
                .with_context(|| format!("control socket {}", path.display()))?;
        }
        std::io::stdout().flush()?;
        tokio::select! {
            Some(result) = servers.join_next() => {
                result.context("a camera's server stopped")?.context("serving PTP/IP")
            }
            () = shutdown_signal() => Ok(()),
        }
    })
}
