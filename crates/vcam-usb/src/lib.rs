//! The USB face of a vcam camera, sans-IO: what a Still Image class device (PIMA 15740 / ISO
//! 15740 Annex D, "USB Still Image Capture Device Definition") shows a host.
//!
//! [`UsbCamera`] wraps a [`vcam_core::Responder`] and answers, with no sockets, threads or
//! clock of its own:
//!
//! - control transfers: every standard GET_DESCRIPTOR type (device, configuration, string,
//!   device qualifier, other-speed configuration, BOS), SET/GET_CONFIGURATION, GET_STATUS,
//!   CLEAR/SET_FEATURE(ENDPOINT_HALT), SET/GET_INTERFACE; the Still Image class requests Cancel
//!   (0x64), Get Extended Event Data (0x65), Device Reset (0x66) and Get Device Status (0x67);
//!   the Microsoft OS descriptors of MTP models; anything else STALLs;
//! - bulk OUT: containers reassembled from any split of transfers, data phases streamed into
//!   the responder;
//! - bulk IN: containers cut into transfers the way a device does (a transfer ends at the end of
//!   a container; a container whose length is a multiple of wMaxPacketSize is ended by a
//!   zero-length packet); a transfer with nothing to send stays pending;
//! - interrupt IN: events as PTP event containers;
//! - no other endpoint: transfers anywhere else fail ([`OutStatus::NoEndpoint`],
//!   [`InStatus::NoEndpoint`]; [`UsbCamera::has_endpoint`]), as the kernel fails them.
//!
//! The two USB transports (USB/IP and the libusb-1.0 drop-in) drive it.
//!
//! Container framing is `ptp-codec`'s, behind [`ContainerLink`]: a transport-neutral link
//! between a stream of USB-style containers and a responder, which Fujifilm's WiFi protocol
//! (the same containers over TCP) reuses with [`LinkConfig::FUJI_WIFI`].

mod control;
mod descriptors;
mod device;
mod link;
mod setup;

pub use control::ControlReply;
pub use descriptors::{
    Descriptors, EP0_MAX_PACKET, FULL_SPEED_BULK_MAX_PACKET, HIGH_SPEED_BULK_MAX_PACKET,
    MS_VENDOR_CODE, STRING_INTERFACE, STRING_MANUFACTURER, STRING_MS_OS, STRING_PRODUCT,
    STRING_SERIAL, kind as descriptor_type,
};
pub use device::{InStatus, OutStatus, UsbCamera};
pub use link::{
    ContainerLink, FUJI_GOODBYE, InChunk, LinkConfig, LinkError, MAX_PARAM_CONTAINER_LEN, Pushed,
};
/// PTP USB container header length (ISO 15740:2013 annex D.7.1.1), `ptp-codec`'s.
pub use ptp_types::ptp_codec::container::HEADER_LEN;
pub use setup::{SetupPacket, class_request};
