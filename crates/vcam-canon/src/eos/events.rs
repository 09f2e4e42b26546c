//! The GetEvent queue: the property dump after SetEventMode, property changes, and the
//! records the other parts of the extension queue (libgphoto2 `ptp.c`: `ptp_check_eos_events`
//! polls GetEvent until no record is left; `ptp-pack.c`: `ptp_unpack_CANON_changes`).

use vcam_core::props::ChangeKind;
use vcam_core::ptp_types::DevicePropCode;
use vcam_core::{PropChange, Properties, Reply};

use super::CanonEos;
use crate::codes::{EventType, prop};
use crate::props::{event_value, kind_of};
use crate::records::{DeviceInfoEx, EosEvent, EosValue, ValueKind, encode_events};

/// The GetEvent record types vcam sends, as GetDeviceInfoEx lists them.
const EVENTS_SENT: &[EventType] = &[
    EventType::OBJECT_ADDED_EX,
    EventType::OBJECT_REMOVED,
    EventType::REQUEST_OBJECT_TRANSFER,
    EventType::PROP_VALUE_CHANGED,
    EventType::AVAIL_LIST_CHANGED,
    EventType::CAMERA_STATUS_CHANGED,
    EventType::INFO_CHECK_COMPLETE,
    EventType::STORE_ADDED,
    EventType::STORE_REMOVED,
];

impl CanonEos {
    /// Records not yet fetched by GetEvent (`ptp_check_eos_events` in ptp.c polls until none
    /// are left).
    #[must_use]
    pub fn pending_events(&self) -> usize {
        self.pending.len()
    }

    /// Queues a record for the next GetEvent.
    pub(super) fn queue(&mut self, event: EosEvent) {
        self.pending.push_back(event);
    }

    /// GetEvent: every pending record, then the terminator.
    pub(super) fn get_event(&mut self) -> Reply {
        let events: Vec<EosEvent> = self.pending.drain(..).collect();
        Reply::data(encode_events(&events))
    }

    /// SetEventMode: the first non-zero mode of a session queues the dump.
    pub(super) fn set_event_mode(&mut self, props: &Properties, mode: u32) {
        self.event_mode = mode;
        if mode != 0 && !self.dumped {
            self.dumped = true;
            self.queue_dump(props);
        }
    }

    /// RequestDevicePropValue: the property's current value as a record.
    pub(super) fn request_prop_value(&mut self, props: &Properties, code: u32) {
        let code = DevicePropCode(u16::try_from(code).unwrap_or(0));
        if let Some(e) = self.value_event(props, code) {
            self.queue(e);
        }
    }

    /// Records for property changes made by the initiator or the device.
    pub(super) fn queue_changes(&mut self, props: &Properties, changes: &[PropChange]) {
        for change in changes {
            if kind_of(self.body, change.code).is_none() {
                continue;
            }
            let e = match change.kind {
                ChangeKind::Value => self.value_event(props, change.code),
                ChangeKind::Form => self.list_event(change.code),
            };
            if let Some(e) = e {
                self.queue(e);
            }
        }
    }

    /// The FocusInfoEx record with the points of `selected` in focus.
    pub(super) fn focus_event(&self, selected: u32) -> EosEvent {
        EosEvent::PropValueChanged {
            prop: prop::FOCUS_INFO_EX,
            value: EosValue::FocusInfo(self.body.focus_info(selected)),
        }
    }

    /// GetDeviceInfoEx: the record types vcam sends and the body's EOS properties.
    pub(super) fn device_info_ex(&self) -> DeviceInfoEx {
        DeviceInfoEx {
            events_supported: EVENTS_SENT.to_vec(),
            device_properties_supported: self
                .body
                .props
                .iter()
                .map(|p| u32::from(p.code.0))
                .collect(),
            unknown: vec![1],
        }
    }

    fn value_event(&self, props: &Properties, code: DevicePropCode) -> Option<EosEvent> {
        Some(EosEvent::PropValueChanged {
            prop: code,
            value: event_value(self.body, props, code)?,
        })
    }

    fn list_event(&self, code: DevicePropCode) -> Option<EosEvent> {
        let p = self.body.prop(code)?;
        let values: Vec<EosValue> = match p.kind() {
            ValueKind::ImageFormat => self
                .body
                .image_formats
                .iter()
                .map(|f| EosValue::ImageFormat(*f))
                .collect(),
            ValueKind::Number if !p.list.is_empty() => {
                p.list.iter().map(|&v| EosValue::U32(v)).collect()
            }
            _ => return None,
        };
        Some(EosEvent::AvailListChanged { prop: code, values })
    }

    /// Every property with its list, then FocusInfoEx and InfoCheckComplete: what a body
    /// reports at the first GetEvent after SetEventMode(1).
    fn queue_dump(&mut self, props: &Properties) {
        for p in self.body.props {
            if let Some(e) = self.value_event(props, p.code) {
                self.queue(e);
            }
            if let Some(e) = self.list_event(p.code) {
                self.queue(e);
            }
        }
        self.queue(self.focus_event(0));
        self.queue(EosEvent::InfoCheckComplete);
    }
}
