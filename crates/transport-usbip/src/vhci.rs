//! Direct attach to the local `vhci_hcd` through sysfs (Linux
//! `drivers/usb/usbip/vhci_sysfs.c`): pick a free port of the right speed from the `status`
//! files, hand the kernel one end of a Unix socket pair with
//! `echo "PORT SOCKFD DEVID SPEED" > attach`, serve URBs on the other end, and
//! `echo PORT > detach` when done.

use std::fs;
use std::io::ErrorKind;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use crate::Error;

/// Where the first virtual host controller lives in sysfs.
pub const VHCI_SYSFS: &str = "/sys/devices/platform/vhci_hcd.0";

/// `enum usb_device_speed`: USB_SPEED_HIGH.
const SPEED_HIGH: u32 = 3;
/// `VDEV_ST_NULL`: a free port.
const VDEV_ST_NULL: u32 = 4;

/// One port line of a vhci `status` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortStatus {
    /// `hs` (USB 2.0 hub) or `ss` (USB 3 hub).
    pub hub: String,
    /// Port number (as `attach` wants it).
    pub port: u32,
    /// Port state (4: free).
    pub state: u32,
}

/// Parses a `status` file: a header line, then `hub port sta spd dev sockfd local_busid`.
#[must_use]
pub fn parse_status(text: &str) -> Vec<PortStatus> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let mut f = line.split_whitespace();
            let hub = f.next()?.to_string();
            let port = f.next()?.parse().ok()?;
            let state = f.next()?.parse().ok()?;
            Some(PortStatus { hub, port, state })
        })
        .collect()
}

/// A device attached to vhci_hcd; detached when dropped.
#[derive(Debug)]
pub struct Attachment {
    /// The vhci port.
    pub port: u32,
    sysfs: PathBuf,
}

impl Attachment {
    /// Detaches the device now.
    ///
    /// # Errors
    /// When the kernel refuses.
    pub fn detach(mut self) -> Result<(), Error> {
        let r = detach_port(&self.sysfs, self.port);
        self.port = u32::MAX;
        r
    }
}

impl Drop for Attachment {
    fn drop(&mut self) {
        if self.port != u32::MAX
            && let Err(e) = detach_port(&self.sysfs, self.port)
        {
            tracing::warn!(%e, port = self.port, "detaching from vhci_hcd failed");
        }
    }
}

/// Detaches `port`; a port the kernel has already let go of counts as detached. vhci_hcd
/// frees the port by itself when the connection it was given closes (the device leaves, as
/// `vhci_shutdown_connection` in `drivers/usb/usbip/vhci_hcd.c` does it), and then refuses
/// the detach with EINVAL (`vhci_port_disconnect`: "not connected"): a camera unplugged
/// while served ends its connection before its port is detached, and the kernel may win.
fn detach_port(sysfs: &Path, port: u32) -> Result<(), Error> {
    let path = sysfs.join("detach");
    match write_sysfs(&path, &port.to_string()) {
        Ok(()) => {
            tracing::info!(port, "detached from vhci_hcd");
            Ok(())
        }
        Err(e) if port_state(sysfs, port)? == Some(VDEV_ST_NULL) => {
            tracing::info!(port, %e, "vhci_hcd had already let go of the port");
            Ok(())
        }
        Err(e) => Err(e),
    }
}

fn write_sysfs(path: &Path, value: &str) -> Result<(), Error> {
    fs::write(path, value).map_err(|e| {
        if e.kind() == ErrorKind::PermissionDenied {
            Error::PermissionDenied {
                path: path.display().to_string(),
            }
        } else {
            Error::io(format!("writing {value:?} to {}", path.display()), e)
        }
    })
}

/// A free high-speed port of `sysfs` (the controller's directory).
///
/// # Errors
/// vhci_hcd missing, or no free port.
pub fn free_port(sysfs: &Path) -> Result<u32, Error> {
    ports(sysfs)?
        .into_iter()
        .find(|p| p.hub == "hs" && p.state == VDEV_ST_NULL)
        .map(|p| p.port)
        .ok_or(Error::NoFreePort {
            speed: "high-speed",
        })
}

/// The state of `port` of `sysfs` (4: free), if the controller has it.
fn port_state(sysfs: &Path, port: u32) -> Result<Option<u32>, Error> {
    Ok(ports(sysfs)?
        .into_iter()
        .find(|p| p.port == port)
        .map(|p| p.state))
}

/// Every port of `sysfs`, from its `status` files in order.
fn ports(sysfs: &Path) -> Result<Vec<PortStatus>, Error> {
    if !sysfs.exists() {
        return Err(Error::VhciMissing {
            path: sysfs.display().to_string(),
        });
    }
    let mut files: Vec<PathBuf> = fs::read_dir(sysfs)
        .map_err(|e| Error::io(format!("listing {}", sysfs.display()), e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n == "status" || n.starts_with("status."))
        })
        .collect();
    files.sort();
    let mut ports = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file)
            .map_err(|e| Error::io(format!("reading {}", file.display()), e))?;
        ports.extend(parse_status(&text));
    }
    Ok(ports)
}

/// Attaches a device with `devid` to the local vhci_hcd, giving the kernel `kernel_end`
/// (one end of a connected stream socket pair; the kernel keeps its own reference, so the
/// caller may close it afterwards). Serve the other end with [`crate::serve_urbs`].
///
/// # Errors
/// vhci_hcd missing, no free port, missing rights, or the kernel refusing the attach.
pub fn attach(kernel_end: &impl AsRawFd, devid: u32) -> Result<Attachment, Error> {
    let sysfs = PathBuf::from(VHCI_SYSFS);
    let port = free_port(&sysfs)?;
    let fd = kernel_end.as_raw_fd();
    write_sysfs(
        &sysfs.join("attach"),
        &format!("{port} {fd} {devid} {SPEED_HIGH}"),
    )?;
    tracing::info!(port, "attached to vhci_hcd");
    Ok(Attachment { port, sysfs })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        let text = "hub port sta spd dev      sockfd local_busid\n\
                    hs  0000 006 003 00010002 000003 1-1\n\
                    hs  0001 004 000 00000000 000000 0-0\n\
                    ss  0008 004 000 00000000 000000 0-0\n";
        let ports = parse_status(text);
        assert_eq!(ports.len(), 3);
        assert_eq!(
            ports[1],
            PortStatus {
                hub: "hs".into(),
                port: 1,
                state: 4
            }
        );
        let dir = std::env::temp_dir().join(format!("vcam-vhci-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("status"), text).unwrap();
        assert_eq!(free_port(&dir).unwrap(), 1);
        assert_eq!(port_state(&dir, 0).unwrap(), Some(6));
        assert_eq!(port_state(&dir, 8).unwrap(), Some(VDEV_ST_NULL));
        assert_eq!(port_state(&dir, 9).unwrap(), None);
        // A detach the kernel refuses (here: `detach` cannot be written) counts as done when
        // the port is free, and fails when it is in use.
        fs::create_dir_all(dir.join("detach")).unwrap();
        assert!(detach_port(&dir, 1).is_ok());
        assert!(detach_port(&dir, 0).is_err());
        fs::remove_dir_all(&dir).unwrap();
        assert!(matches!(
            free_port(Path::new("/nonexistent/vhci")),
            Err(Error::VhciMissing { .. })
        ));
    }
}
