//! Properties: GetDevicePropDesc, GetDevicePropValue, SetDevicePropValue and
//! ResetDevicePropValue as a Fujifilm body answers them, the event list of property 0xD212 and
//! the property catalogue of operation 0x902B.
//!
//! The body's properties live in the core's [`Properties`] (which validates values against their
//! forms and records every change) as hidden properties; which ones a client sees depends on the
//! face. Over USB an unknown property is DevicePropNotSupported (0x200A, as
//! `fuji-finepix-x-h1.txt` shows for most of the list); over WiFi GetDevicePropValue of an unknown
//! property is an empty data phase and OK (fudge treats it as "no value"; X-T2 and X-T20 answer
//! 0xDF26, 0xD235 and 0xDF44 so: docs/reference/vendors-wifi-sony-fuji.md §3.1).

use vcam_core::events::EventRecord;
use vcam_core::props::ChangeKind;
use vcam_core::ptp_types::{
    DateTime, DevicePropCode, EventCode, GetSet, PropValue, PtpString, ResponseCode,
    decode_value_exact, ptp_codec::Params,
};
use vcam_core::reply::Response;
use vcam_core::store::{FormatFilter, ParentFilter};
use vcam_core::{Context, PropChange, Properties, Reply};

use super::{FujiX, MAX_PROP_DATA, is_event_list};
use crate::codes::prop;
use crate::records::{CatalogueEntry, EventList, PropCatalogue, PropEvent};

/// TransactionID of events no transaction caused (ISO 15740:2013 §12.4).
const NO_TRANSACTION: u32 = 0xFFFF_FFFF;

impl FujiX {
    /// GetDevicePropDesc; `None` leaves the refusal to the core.
    pub(super) fn prop_desc(
        &mut self,
        cx: &mut Context<'_>,
        code: DevicePropCode,
    ) -> Option<Reply> {
        if is_event_list(code) {
            let entry = CatalogueEntry::Undefined {
                code,
                get_set: GetSet::GET,
            };
            return Some(Reply::dataset(&entry));
        }
        if !self.answers(code) {
            return Some(Reply::from(ResponseCode::DEVICE_PROP_NOT_SUPPORTED));
        }
        refresh(cx, code);
        cx.props.desc(code).map(Reply::dataset)
    }

    /// GetDevicePropValue; 0xD212 drains the event list.
    pub(super) fn prop_value(
        &mut self,
        cx: &mut Context<'_>,
        code: DevicePropCode,
    ) -> Option<Reply> {
        if is_event_list(code) {
            let list = EventList {
                entries: std::mem::take(&mut self.pending),
            };
            return Some(Reply::dataset(&list));
        }
        if self.answers(code) {
            refresh(cx, code);
            return cx.props.value(code).map(Reply::dataset);
        }
        Some(if self.face.is_wifi() {
            Reply::data(Vec::new())
        } else {
            Reply::from(ResponseCode::DEVICE_PROP_NOT_SUPPORTED)
        })
    }

    /// SetDevicePropValue, command phase.
    pub(super) fn set_prop(&mut self, cx: &mut Context<'_>, code: DevicePropCode) -> Reply {
        if !self.answers(code) {
            return Reply::from(ResponseCode::DEVICE_PROP_NOT_SUPPORTED);
        }
        match cx.props.desc(code) {
            Some(desc) if desc.get_set == GetSet::GET_SET => Reply::ReceiveData {
                limit: MAX_PROP_DATA,
                too_long: ResponseCode::INVALID_DEVICE_PROP_VALUE,
            },
            Some(_) => Reply::from(ResponseCode::ACCESS_DENIED),
            None => Reply::from(ResponseCode::DEVICE_PROP_NOT_SUPPORTED),
        }
    }

    /// SetDevicePropValue, data phase: the value must have the property's type and be allowed
    /// by its form.
    pub(super) fn set_prop_data(
        &mut self,
        cx: &mut Context<'_>,
        code: DevicePropCode,
        data: &[u8],
    ) -> Response {
        let Some(data_type) = cx.props.desc(code).map(|d| d.data_type) else {
            return Response::code(ResponseCode::DEVICE_PROP_NOT_SUPPORTED);
        };
        let value = match decode_value_exact(data, data_type) {
            Ok(value) => value,
            Err(e) => {
                tracing::info!(?code, %e, "SetDevicePropValue: malformed value");
                return Response::code(ResponseCode::INVALID_DEVICE_PROP_FORMAT);
            }
        };
        if code == DevicePropCode::DATE_TIME {
            match value.as_str().map(str::parse::<DateTime>) {
                Some(Ok(time)) => cx.set_clock(&time),
                _ => return Response::code(ResponseCode::INVALID_DEVICE_PROP_VALUE),
            }
        }
        match cx.props.set(code, value) {
            Ok(changed) => {
                tracing::info!(?code, changed, "Fuji property set");
                Response::ok()
            }
            Err(e) => {
                tracing::info!(%e, "SetDevicePropValue refused");
                Response::code(e.response_code())
            }
        }
    }

    /// ResetDevicePropValue (0xFFFFFFFF: every property).
    pub(super) fn reset_prop(&mut self, cx: &mut Context<'_>, param: u32) -> Reply {
        if param == 0xFFFF_FFFF {
            for code in self.answered.clone() {
                // Read-only properties stay as they are.
                let _ = cx.props.reset(code);
            }
            return Reply::ok();
        }
        match u16::try_from(param).map(DevicePropCode) {
            Ok(code) if self.answers(code) => match cx.props.reset(code) {
                Ok(_) => Reply::ok(),
                Err(e) => Reply::from(e.response_code()),
            },
            _ => Reply::from(ResponseCode::DEVICE_PROP_NOT_SUPPORTED),
        }
    }

    /// Operation 0x902B: every property of this face with its description. The event list
    /// (type UNDEF) is not among them: libgphoto2 stops reading the catalogue at a description
    /// it cannot unpack (`ptp.c`: `ptp_fuji_getdeviceinfo`).
    pub(super) fn catalogue(&mut self, cx: &mut Context<'_>) -> Reply {
        let mut entries = Vec::with_capacity(self.answered.len());
        for &code in &self.answered {
            refresh(cx, code);
            if let Some(desc) = cx.props.desc(code) {
                entries.push(CatalogueEntry::Desc(desc.clone()));
            }
        }
        Reply::dataset(&PropCatalogue { entries })
    }

    /// Adds an entry to the event list, replacing an earlier entry of the same property (each
    /// change is reported once, with the latest value).
    pub(super) fn report(&mut self, code: DevicePropCode, value: u32) {
        match self.pending.iter_mut().find(|e| e.code == code) {
            Some(entry) => entry.value = value,
            None => self.pending.push(PropEvent { code, value }),
        }
    }

    /// Adds the current value of `code` to the event list.
    pub(super) fn report_current(&mut self, cx: &Context<'_>, code: DevicePropCode) {
        if let Some(value) = wire_value(cx.props, code) {
            self.report(code, value);
        }
    }

    /// Records property changes in the event list and, for the properties of DeviceInfo, as
    /// DevicePropChanged events.
    ///
    /// The X-H1 lists no DevicePropChanged in EventsSupported, yet libgphoto2's Fujifilm
    /// event wait reads only the event channel (`library.c`: `camera_wait_for_event`), so
    /// vcam also sends DevicePropChanged for a property of the DeviceInfo list; without it a
    /// change made by `--set-config` would never show in `--wait-event`.
    pub(super) fn record_changes(&mut self, cx: &mut Context<'_>, changes: &[PropChange]) {
        for change in changes {
            if change.kind != ChangeKind::Value {
                continue;
            }
            self.report_current(cx, change.code);
            if self.body.device_props.contains(&change.code) {
                cx.events.push(EventRecord {
                    code: EventCode::DEVICE_PROP_CHANGED,
                    transaction_id: NO_TRANSACTION,
                    params: Params::from([u32::from(change.code.0)]),
                });
            }
        }
    }

    /// WiFi, session opened: the first event list tells the client it has access (CameraState)
    /// and how many pictures there are, as an X-T5 does (DF00, D220, D222, D52F, D400, D401;
    /// fudge `docs/testsuite/fudge-log-x5.txt`). fudge's `fuji_wait_for_access` needs
    /// CameraState ≠ 0 and either D220 or D222.
    pub(super) fn announce_access(&mut self, cx: &mut Context<'_>) {
        let state = match self.face {
            crate::Face::PcAutoSave => crate::codes::camera_state::PC_AUTO_SAVE,
            _ => self.body.wifi_camera_state,
        };
        cx.props
            .refresh(prop::CAMERA_STATE, PropValue::UInt16(state));
        cx.props.refresh(prop::CLIENT_STATE, PropValue::UInt16(0));
        self.refresh_counts(cx);
        for code in [
            prop::CAMERA_STATE,
            prop::SELECTED_IMGS_MODE,
            prop::OBJECT_COUNT,
            prop::UNKNOWN_D52F,
            prop::UNKNOWN_D400,
            prop::OBJECT_COUNT2,
        ] {
            self.report_current(cx, code);
        }
    }

    /// Brings the picture counts of the WiFi face (0xD222, 0xD401) up to date, without
    /// recording a change.
    pub(super) fn refresh_counts(&self, cx: &mut Context<'_>) {
        if !self.face.is_wifi() {
            return;
        }
        let count = count_pictures(cx);
        for code in [prop::OBJECT_COUNT, prop::OBJECT_COUNT2] {
            cx.props.refresh(code, PropValue::UInt32(count));
        }
    }

    /// Adds the remote-mode burst to the event list (WiFi, after InitiateOpenCapture and after
    /// TerminateOpenCapture).
    pub(super) fn report_remote_burst(&mut self, cx: &Context<'_>) {
        for &code in self.body.remote_burst {
            self.report_current(cx, code);
        }
    }
}

/// Pictures on the card.
fn count_pictures(cx: &mut Context<'_>) -> u32 {
    let storages = cx.store.storage_ids();
    let count: usize = storages
        .iter()
        .filter_map(|&s| {
            cx.store
                .object_handles(s, FormatFilter::Images, ParentFilter::Any)
                .ok()
        })
        .map(|h| h.len())
        .sum();
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// Brings properties that follow something else (the clock) up to date.
fn refresh(cx: &mut Context<'_>, code: DevicePropCode) {
    if code == DevicePropCode::DATE_TIME {
        let now = cx.clock().to_string();
        cx.props
            .refresh(code, PropValue::Str(PtpString::truncating(&now)));
    }
}

/// A property's value as the event list carries it: its integer value in 32 bits (negative
/// values two's complement); `None` for strings and arrays.
fn wire_value(props: &Properties, code: DevicePropCode) -> Option<u32> {
    let v = props.int(code)?;
    // Truncation to the low 32 bits is the wire format (an INT32 -1 is 0xFFFFFFFF).
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Some(v as u32)
}

/// The settings burned into captures and live view frames: film simulation, ISO, white
/// balance, shutter and aperture.
pub(super) fn settings_lines(props: &Properties) -> Vec<String> {
    let film = props
        .int(prop::FILM_SIMULATION)
        .and_then(|v| usize::try_from(v).ok())
        .and_then(|v| FILM_SIMULATIONS.get(v.wrapping_sub(1)))
        .copied()
        .unwrap_or("?");
    let iso = match props.int(DevicePropCode::EXPOSURE_INDEX) {
        Some(v) if v > 0 => format!("ISO {v}"),
        _ => "ISO AUTO".to_string(),
    };
    let wb = props.int(DevicePropCode::WHITE_BALANCE).unwrap_or(0);
    let f = props.int(DevicePropCode::F_NUMBER).unwrap_or(0);
    let t = props.int(DevicePropCode::EXPOSURE_TIME).unwrap_or(0);
    vec![
        format!("{film}  {iso}"),
        format!("WB 0x{wb:04X}  f/{}.{}  t {t}", f / 100, (f % 100) / 10),
    ]
}

/// Film simulation names by value (libgphoto2 `config.c`: `fuji_filmsimulation`).
const FILM_SIMULATIONS: [&str; 18] = [
    "PROVIA",
    "Velvia",
    "ASTIA",
    "PRO Neg.Hi",
    "PRO Neg.Std",
    "B&W",
    "B&W+Ye",
    "B&W+R",
    "B&W+G",
    "Sepia",
    "Classic Chrome",
    "ACROS",
    "ACROS+Ye",
    "ACROS+R",
    "ACROS+G",
    "ETERNA",
    "Classic Neg",
    "ETERNA Bleach Bypass",
];
