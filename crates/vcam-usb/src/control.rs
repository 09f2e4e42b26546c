//! Control transfers on endpoint 0: standard requests, descriptors, the Still Image class
//! requests and the Microsoft OS descriptor vendor request.

use std::time::SystemTime;

use bytes::Bytes;
use ptp_types::ResponseCode;
use ptp_types::ptp_codec::Params;
use vcam_core::CancelAnswer;
use vcam_record::{Transfer, TransferKind, TransferStatus};

use crate::descriptors::{MS_VENDOR_CODE, kind};
use crate::device::UsbCamera;
use crate::setup::{SetupPacket, class_request, std_request};

/// The outcome of a control transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlReply {
    /// Success; for IN requests the data stage (already cut to wLength).
    Ok(Vec<u8>),
    /// The device STALLs the request (unsupported or invalid).
    Stall,
}

impl UsbCamera {
    /// A control transfer on endpoint 0. `data` is the OUT data stage (empty for IN requests).
    pub fn control(&mut self, now: SystemTime, setup: SetupPacket, data: &[u8]) -> ControlReply {
        self.tick(now);
        let mut reply = self.control_inner(now, setup, data);
        match &mut reply {
            ControlReply::Ok(bytes) => bytes.truncate(usize::from(setup.length)),
            ControlReply::Stall => tracing::debug!(?setup, "control request stalled"),
        }
        if !self.tapped() {
            return reply;
        }
        let (returned, status): (&[u8], _) = match &reply {
            ControlReply::Ok(bytes) => (bytes, TransferStatus::Completed),
            ControlReply::Stall => (&[], TransferStatus::Stalled),
        };
        let transfer = Transfer {
            kind: TransferKind::Control {
                setup: setup.to_bytes(),
            },
            endpoint: setup.request_type & 0x80,
            requested: usize::from(setup.length),
            data: if setup.is_in() { returned } else { data },
            status,
        };
        self.report(now, &transfer);
        reply
    }

    fn control_inner(&mut self, now: SystemTime, setup: SetupPacket, data: &[u8]) -> ControlReply {
        use std_request::*;
        let ok = |v: Vec<u8>| ControlReply::Ok(v);
        let recipient = setup.request_type & 0x1F;
        match (setup.request_type & 0x60, setup.request) {
            (0x00, GET_STATUS) if setup.is_in() => match recipient {
                0 => {
                    let self_powered = u8::from(
                        self.descriptors
                            .configuration
                            .get(7)
                            .is_some_and(|&attributes| attributes & 0x40 != 0),
                    );
                    ok(vec![self_powered, 0])
                }
                1 => ok(vec![0, 0]),
                2 => {
                    let ep = setup.index as u8;
                    if !self.is_endpoint(ep) {
                        return ControlReply::Stall;
                    }
                    ok(vec![u8::from(self.halted.contains(&ep)), 0])
                }
                _ => ControlReply::Stall,
            },
            (0x00, CLEAR_FEATURE | SET_FEATURE) if !setup.is_in() => {
                let set = setup.request == SET_FEATURE;
                match (recipient, setup.value) {
                    // ENDPOINT_HALT
                    (2, 0) => {
                        let ep = setup.index as u8;
                        if !self.is_endpoint(ep) {
                            return ControlReply::Stall;
                        }
                        if set {
                            self.halt(ep);
                        } else {
                            self.halted.retain(|&e| e != ep);
                        }
                        ok(Vec::new())
                    }
                    // DEVICE_REMOTE_WAKEUP, TEST_MODE
                    (0, 1 | 2) => ok(Vec::new()),
                    _ => ControlReply::Stall,
                }
            }
            (0x00, SET_ADDRESS) => ok(Vec::new()),
            (0x00, GET_DESCRIPTOR) if setup.is_in() => self.descriptor(setup),
            (0x00, SET_DESCRIPTOR) => ControlReply::Stall,
            (0x00, GET_CONFIGURATION) if setup.is_in() => ok(vec![self.configuration]),
            (0x00, SET_CONFIGURATION) => match setup.value {
                0 | 1 => {
                    self.configuration = setup.value as u8;
                    self.halted.clear();
                    ok(Vec::new())
                }
                _ => ControlReply::Stall,
            },
            (0x00, GET_INTERFACE) if setup.is_in() && setup.index == 0 => ok(vec![0]),
            (0x00, SET_INTERFACE) if setup.index == 0 && setup.value == 0 => {
                self.halted.clear();
                ok(Vec::new())
            }
            (0x20, req) if recipient == 1 && setup.index & 0xFF == 0 => {
                self.class_request(now, setup, req, data)
            }
            (0x40, MS_VENDOR_CODE)
                if setup.is_in() && self.descriptors.ms_compat_id().is_some() =>
            {
                match setup.index {
                    4 => self
                        .descriptors
                        .ms_compat_id()
                        .map_or(ControlReply::Stall, ok),
                    5 => self
                        .descriptors
                        .ms_extended_properties()
                        .map_or(ControlReply::Stall, ok),
                    _ => ControlReply::Stall,
                }
            }
            _ => ControlReply::Stall,
        }
    }

    fn descriptor(&self, setup: SetupPacket) -> ControlReply {
        let [index, dtype] = setup.value.to_le_bytes();
        let bytes = match dtype {
            kind::DEVICE => Some(self.descriptors.device.to_vec()),
            kind::CONFIGURATION if index == 0 => Some(self.descriptors.configuration.clone()),
            kind::STRING => self.descriptors.string(index),
            kind::DEVICE_QUALIFIER => Some(self.descriptors.device_qualifier.to_vec()),
            kind::OTHER_SPEED_CONFIGURATION if index == 0 => {
                Some(self.descriptors.other_speed_configuration.clone())
            }
            kind::BOS => self.descriptors.bos.clone(),
            _ => None,
        };
        bytes.map_or(ControlReply::Stall, ControlReply::Ok)
    }

    fn class_request(
        &mut self,
        now: SystemTime,
        setup: SetupPacket,
        req: u8,
        data: &[u8],
    ) -> ControlReply {
        match req {
            class_request::CANCEL if !setup.is_in() => {
                // §5.2.1: u16 0x4001 (the Cancel Request code), then the TransactionID.
                let (Some([0x01, 0x40]), Some(tid)) = (
                    data.get(..2),
                    data.get(2..6).and_then(|s| <[u8; 4]>::try_from(s).ok()),
                ) else {
                    return ControlReply::Stall;
                };
                let tid = u32::from_le_bytes(tid);
                tracing::info!(tid, "USB Cancel request");
                self.link
                    .responder_mut()
                    .handle_cancel(now, tid, CancelAnswer::ViaDeviceStatus);
                self.drop_transfers();
                ControlReply::Ok(Vec::new())
            }
            class_request::GET_EXTENDED_EVENT_DATA if setup.is_in() => {
                // §5.2.2: u16 event code, u32 TransactionID, u16 number of parameters, then
                // (u16 size, value) per parameter.
                let mut out = Vec::with_capacity(32);
                let (code, tid, params) =
                    self.link.last_event().map_or((0, 0, Params::empty()), |e| {
                        (e.code, e.transaction_id, e.params)
                    });
                out.extend_from_slice(&code.to_le_bytes());
                out.extend_from_slice(&tid.to_le_bytes());
                out.extend_from_slice(&(params.len() as u16).to_le_bytes());
                for p in params.as_slice() {
                    out.extend_from_slice(&4u16.to_le_bytes());
                    out.extend_from_slice(&p.to_le_bytes());
                }
                ControlReply::Ok(out)
            }
            class_request::DEVICE_RESET if !setup.is_in() => {
                tracing::info!("USB Device Reset request");
                self.reset(now);
                ControlReply::Ok(Vec::new())
            }
            class_request::GET_DEVICE_STATUS if setup.is_in() => {
                // §5.2.4: u16 wLength, u16 code, then the halted endpoints as u32s.
                let code = if self.link.is_busy() {
                    ResponseCode::DEVICE_BUSY
                } else {
                    ResponseCode::OK
                };
                let mut out = Vec::with_capacity(4 + 4 * self.halted.len());
                out.extend_from_slice(&((4 + 4 * self.halted.len()) as u16).to_le_bytes());
                out.extend_from_slice(&code.0.to_le_bytes());
                for &ep in &self.halted {
                    out.extend_from_slice(&u32::from(ep).to_le_bytes());
                }
                ControlReply::Ok(out)
            }
            _ => ControlReply::Stall,
        }
    }

    /// A bus reset or the Device Reset class request: the session closes, transfers are
    /// dropped, halts are cleared.
    pub fn reset(&mut self, now: SystemTime) {
        self.link.reset(now);
        self.zlp_pending = false;
        self.halted.clear();
        self.events.clear();
        self.event_partial = Bytes::new();
    }

    /// Drops every transfer in progress (after a Cancel request).
    fn drop_transfers(&mut self) {
        self.link.abort();
        self.zlp_pending = false;
    }

    fn is_endpoint(&self, ep: u8) -> bool {
        ep & 0x7F == 0 || ep == self.bulk_in_ep || ep == self.bulk_out_ep || ep == self.interrupt_ep
    }
}
