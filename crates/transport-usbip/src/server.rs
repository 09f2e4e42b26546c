//! The URB loop and the TCP server.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use vcam_usb::{ControlReply, InStatus, OutStatus, SetupPacket, UsbCamera};

use crate::Error;
use crate::proto::{
    self, BUSID_LEN, Command, DIR_IN, DeviceRecord, ECONNRESET, ENOENT, EPIPE, OP_HEADER_LEN,
    OP_REQ_DEVLIST, OP_REQ_IMPORT, OpHeader, URB_HEADER_LEN,
};

/// A USB device exported over USB/IP: the camera and what USB/IP says about it.
pub struct Device {
    camera: Mutex<UsbCamera>,
    record: DeviceRecord,
    imported: AtomicBool,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("record", &self.record)
            .field("imported", &self.imported)
            .finish_non_exhaustive()
    }
}

impl Device {
    /// Wraps `camera` as bus id `1-1`, bus 1, device 2, high speed.
    #[must_use]
    pub fn new(camera: UsbCamera) -> Arc<Self> {
        let record = device_record(&camera, 1, 2);
        Arc::new(Self {
            camera: Mutex::new(camera),
            record,
            imported: AtomicBool::new(false),
        })
    }

    /// What OP_REP_DEVLIST and OP_REP_IMPORT say about the device.
    #[must_use]
    pub const fn record(&self) -> &DeviceRecord {
        &self.record
    }

    fn camera(&self) -> MutexGuard<'_, UsbCamera> {
        self.camera
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `f` on the camera (for embedders that steer it or drive it while no connection
    /// does, such as a re-attach loop waiting for the camera to be plugged in again).
    pub fn with_camera<R>(&self, f: impl FnOnce(&mut UsbCamera) -> R) -> R {
        f(&mut self.camera())
    }

    /// Whether the camera is plugged in, after running what is due
    /// (`Responder::is_plugged`).
    #[must_use]
    pub fn plugged(&self) -> bool {
        let mut cam = self.camera();
        let now = SystemTime::now();
        if cam.poll_timeout().is_some_and(|at| at <= now) {
            cam.handle_timeout(now);
        }
        cam.responder().is_plugged()
    }
}

/// The USB/IP description of `camera` (`struct usbip_usb_device`), from its descriptors.
#[must_use]
pub fn device_record(camera: &UsbCamera, busnum: u32, devnum: u32) -> DeviceRecord {
    let d = camera.descriptors();
    let dev = d.device;
    let mut interfaces = Vec::new();
    let mut rest = d.configuration.as_slice();
    while let Some(&len) = rest.first() {
        let len = usize::from(len);
        if len < 2 || len > rest.len() {
            break;
        }
        let (desc, tail) = rest.split_at(len);
        if desc.get(1) == Some(&4) && desc.len() >= 9 && desc[3] == 0 {
            interfaces.push((desc[5], desc[6], desc[7]));
        }
        rest = tail;
    }
    DeviceRecord {
        path: format!("/sys/devices/platform/vcam/usb{busnum}/{busnum}-1"),
        busid: format!("{busnum}-1"),
        busnum,
        devnum,
        speed: 3,
        vendor_id: u16::from_le_bytes([dev[8], dev[9]]),
        product_id: u16::from_le_bytes([dev[10], dev[11]]),
        bcd_device: u16::from_le_bytes([dev[12], dev[13]]),
        device_class: (dev[4], dev[5], dev[6]),
        configuration_value: d.configuration.get(5).copied().unwrap_or(1),
        num_configurations: dev[17],
        interfaces,
    }
}

/// Runs camera work that may touch files without stalling other tasks.
fn blocking<R>(f: impl FnOnce() -> R) -> R {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

/// A pending IN URB.
#[derive(Debug)]
struct PendingUrb {
    seqnum: u32,
    endpoint: u8,
    length: usize,
}

type Incoming = Result<(Command, Vec<u8>), Error>;

async fn read_commands<R: AsyncRead + Unpin>(mut rd: R, tx: mpsc::Sender<Incoming>) {
    loop {
        let mut header = [0u8; URB_HEADER_LEN];
        match rd.read_exact(&mut header).await {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return,
            Err(e) => {
                let _ = tx.send(Err(Error::io("reading a URB", e))).await;
                return;
            }
        }
        let command = match Command::parse(&header) {
            Ok(c) => c,
            Err(e) => {
                let _ = tx.send(Err(e.into())).await;
                return;
            }
        };
        let mut data = Vec::new();
        if let Command::Submit {
            direction,
            transfer_buffer_length,
            ..
        } = command
            && direction != DIR_IN
            && transfer_buffer_length > 0
        {
            // Bounded by proto::MAX_TRANSFER_LEN in Command::parse.
            data = vec![0; transfer_buffer_length as usize];
            if let Err(e) = rd.read_exact(&mut data).await {
                let _ = tx.send(Err(Error::io("reading URB data", e))).await;
                return;
            }
        }
        if tx.send(Ok((command, data))).await.is_err() {
            return;
        }
    }
}

/// Serves URB traffic for `device` on `stream` until the peer goes away, sends something
/// malformed, or the camera is unplugged (`Responder::is_plugged`: a
/// `disconnect` fault, a dead battery, `vcamctl unplug`; the connection then closes, which the
/// kernel sees as the device leaving its port). Afterwards the device is reset (its PTP session
/// closes), as an unplugged camera.
///
/// # Errors
/// The reason the connection ended, when it was not an orderly close.
pub async fn serve_urbs<S>(stream: S, device: Arc<Device>) -> Result<(), Error>
where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (rd, mut wr) = tokio::io::split(stream);
    let (tx, mut rx) = mpsc::channel::<Incoming>(64);
    let reader = tokio::spawn(read_commands(rd, tx));
    let mut pending: VecDeque<PendingUrb> = VecDeque::new();
    let mut out: Vec<u8> = Vec::new();
    let result = loop {
        let wait = device.camera().poll_timeout().map(|at| {
            at.duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO)
        });
        let message = tokio::select! {
            m = rx.recv() => m,
            () = tokio::time::sleep(wait.unwrap_or(Duration::ZERO)), if wait.is_some() => {
                blocking(|| device.camera().handle_timeout(SystemTime::now()));
                complete_pending(&device, &mut pending, &mut out);
                if let Err(e) = flush(&mut wr, &mut out).await {
                    break Err(e);
                }
                if !device.camera().responder().is_plugged() {
                    tracing::info!("the camera is unplugged: the device leaves the bus");
                    break Ok(());
                }
                continue;
            }
        };
        match message {
            None => break Ok(()),
            Some(Err(e)) => break Err(e),
            Some(Ok((command, data))) => {
                blocking(|| handle(&device, command, &data, &mut pending, &mut out));
                complete_pending(&device, &mut pending, &mut out);
                if let Err(e) = flush(&mut wr, &mut out).await {
                    break Err(e);
                }
            }
        }
        if !device.camera().responder().is_plugged() {
            tracing::info!("the camera is unplugged: the device leaves the bus");
            break Ok(());
        }
    };
    reader.abort();
    blocking(|| device.camera().reset(SystemTime::now()));
    match &result {
        Ok(()) => tracing::info!("USB/IP peer disconnected"),
        Err(e) => tracing::warn!(%e, "USB/IP connection ended"),
    }
    result
}

async fn flush<W: AsyncWrite + Unpin>(wr: &mut W, out: &mut Vec<u8>) -> Result<(), Error> {
    if out.is_empty() {
        return Ok(());
    }
    wr.write_all(out)
        .await
        .map_err(|e| Error::io("writing URB replies", e))?;
    out.clear();
    Ok(())
}

fn handle(
    device: &Device,
    command: Command,
    data: &[u8],
    pending: &mut VecDeque<PendingUrb>,
    out: &mut Vec<u8>,
) {
    let now = SystemTime::now();
    match command {
        Command::Submit {
            seqnum,
            direction,
            ep,
            transfer_buffer_length,
            setup,
            ..
        } => {
            let length = transfer_buffer_length as usize;
            let is_in = direction == DIR_IN;
            if ep == 0 {
                let setup = SetupPacket::from_bytes(setup);
                let reply = device.camera().control(now, setup, data);
                tracing::trace!(seqnum, ?setup, ?reply, "control");
                match reply {
                    ControlReply::Ok(bytes) if is_in => {
                        let n = bytes.len().min(length);
                        out.extend_from_slice(&proto::ret_submit(seqnum, 0, n as u32));
                        out.extend_from_slice(&bytes[..n]);
                    }
                    ControlReply::Ok(_) => {
                        out.extend_from_slice(&proto::ret_submit(seqnum, 0, data.len() as u32));
                    }
                    ControlReply::Stall => {
                        out.extend_from_slice(&proto::ret_submit(seqnum, EPIPE, 0))
                    }
                }
            } else if is_in {
                let endpoint = endpoint_address(ep, true);
                if let Some(endpoint) = endpoint.filter(|&e| device.camera().has_endpoint(e)) {
                    pending.push_back(PendingUrb {
                        seqnum,
                        endpoint,
                        length,
                    });
                } else {
                    tracing::debug!(
                        seqnum,
                        ep,
                        "IN URB for an endpoint the device does not have"
                    );
                    out.extend_from_slice(&proto::ret_submit(seqnum, ENOENT, 0));
                }
            } else {
                let status = match endpoint_address(ep, false)
                    .map(|endpoint| device.camera().transfer_out(now, endpoint, data))
                {
                    Some(OutStatus::Accepted) => 0,
                    Some(OutStatus::Stall) => EPIPE,
                    Some(OutStatus::NoEndpoint) | None => ENOENT,
                };
                let actual = if status == 0 { data.len() as u32 } else { 0 };
                out.extend_from_slice(&proto::ret_submit(seqnum, status, actual));
            }
        }
        Command::Unlink {
            seqnum,
            unlink_seqnum,
            ..
        } => {
            let status = match pending.iter().position(|p| p.seqnum == unlink_seqnum) {
                Some(i) => {
                    pending.remove(i);
                    tracing::debug!(unlink_seqnum, "pending URB unlinked");
                    ECONNRESET
                }
                // Already completed (its RET_SUBMIT was sent): nothing to cancel.
                None => 0,
            };
            out.extend_from_slice(&proto::ret_unlink(seqnum, status));
        }
    }
}

/// The endpoint address of USB/IP endpoint number `ep` (0..=15) in direction `is_in`.
fn endpoint_address(ep: u32, is_in: bool) -> Option<u8> {
    let number = u8::try_from(ep).ok().filter(|&n| n < 16)?;
    Some(if is_in { 0x80 | number } else { number })
}

/// Completes the pending IN URBs the device has data for, in order per endpoint.
fn complete_pending(device: &Device, pending: &mut VecDeque<PendingUrb>, out: &mut Vec<u8>) {
    let mut cam = device.camera();
    let mut blocked: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < pending.len() {
        let (seqnum, endpoint, length) = {
            let p = &pending[i];
            (p.seqnum, p.endpoint, p.length)
        };
        if blocked.contains(&endpoint) {
            i += 1;
            continue;
        }
        match cam.transfer_in(endpoint, length) {
            InStatus::Data(bytes) => {
                out.extend_from_slice(&proto::ret_submit(seqnum, 0, bytes.len() as u32));
                out.extend_from_slice(&bytes);
                pending.remove(i);
            }
            InStatus::Stall => {
                out.extend_from_slice(&proto::ret_submit(seqnum, EPIPE, 0));
                pending.remove(i);
            }
            InStatus::NoEndpoint => {
                out.extend_from_slice(&proto::ret_submit(seqnum, ENOENT, 0));
                pending.remove(i);
            }
            InStatus::Pending => {
                blocked.push(endpoint);
                i += 1;
            }
        }
    }
}

/// A USB/IP server on TCP for `usbip list -r` and `usbip attach -r`. One importer at a time.
#[derive(Debug)]
pub struct UsbIpServer {
    listener: TcpListener,
    device: Arc<Device>,
}

impl UsbIpServer {
    /// Binds `addr` (USB/IP's port is 3240).
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn bind(addr: SocketAddr, device: Arc<Device>) -> Result<Self, Error> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| Error::io(format!("binding {addr}"), e))?;
        Ok(Self { listener, device })
    }

    /// The bound address.
    ///
    /// # Errors
    /// When the socket has no address.
    pub fn local_addr(&self) -> Result<SocketAddr, Error> {
        self.listener
            .local_addr()
            .map_err(|e| Error::io("local address", e))
    }

    /// Accepts and serves connections until the task is dropped.
    ///
    /// # Errors
    /// When accepting fails.
    pub async fn run(self) -> Result<(), Error> {
        loop {
            let (stream, peer) = self
                .listener
                .accept()
                .await
                .map_err(|e| Error::io("accepting", e))?;
            let device = Arc::clone(&self.device);
            tokio::spawn(async move {
                if let Err(e) = connection(stream, device).await {
                    tracing::warn!(%peer, %e, "USB/IP connection closed");
                }
            });
        }
    }
}

async fn connection(mut stream: TcpStream, device: Arc<Device>) -> Result<(), Error> {
    let _ = stream.set_nodelay(true);
    let mut header = [0u8; OP_HEADER_LEN];
    stream
        .read_exact(&mut header)
        .await
        .map_err(|e| Error::io("reading the operation header", e))?;
    let op = OpHeader::parse(&header);
    match op.code {
        OP_REQ_DEVLIST => {
            tracing::info!("OP_REQ_DEVLIST");
            stream
                .write_all(&device.record().devlist_reply())
                .await
                .map_err(|e| Error::io("writing OP_REP_DEVLIST", e))?;
            Ok(())
        }
        OP_REQ_IMPORT => {
            let mut busid = [0u8; BUSID_LEN];
            stream
                .read_exact(&mut busid)
                .await
                .map_err(|e| Error::io("reading the bus id", e))?;
            let busid = proto::parse_busid(&busid);
            if busid != device.record().busid {
                tracing::warn!(%busid, "import of an unknown bus id refused");
                let _ = stream.write_all(&proto::import_refused()).await;
                return Ok(());
            }
            if !device.plugged() {
                tracing::warn!(%busid, "the camera is unplugged; import refused");
                let _ = stream.write_all(&proto::import_refused()).await;
                return Ok(());
            }
            if device.imported.swap(true, Ordering::SeqCst) {
                tracing::warn!(%busid, "device already imported; refused");
                let _ = stream.write_all(&proto::import_refused()).await;
                return Ok(());
            }
            tracing::info!(%busid, "device imported");
            let result = async {
                stream
                    .write_all(&device.record().import_reply())
                    .await
                    .map_err(|e| Error::io("writing OP_REP_IMPORT", e))?;
                serve_urbs(stream, Arc::clone(&device)).await
            }
            .await;
            device.imported.store(false, Ordering::SeqCst);
            result
        }
        other => Err(proto::ProtoError::UnsupportedOp(other).into()),
    }
}
