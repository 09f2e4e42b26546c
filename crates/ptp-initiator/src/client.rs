//! The transaction layer (ISO 15740:2013 §9.3) and the convenience operations (§10.5).

use std::io::Write;
use std::net::ToSocketAddrs;
use std::time::Duration;

use ptp_codec::Decode;
use ptp_codec::ptpip::Identity;
use ptp_types::{
    DeviceInfo, DevicePropCode, DevicePropDesc, EventCode, ObjectHandle, ObjectInfo, OperationCode,
    PropValue, ResponseCode, StorageId, StorageInfo, decode_value_exact, ptp_codec::Encode,
};

use crate::transport::{Incoming, Transport};
use crate::{Error, PtpIpTransport};

/// The response phase of a transaction (ISO 15740:2013 §9.3.3), with the data phase received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Response code.
    pub code: ResponseCode,
    /// Response parameters.
    pub params: Vec<u32>,
    /// The data phase received (empty when none, or when it was streamed to a writer).
    pub data: Vec<u8>,
}

/// An asynchronous event (ISO 15740:2013 §12; PTP/IP Event packet, CIPA DC-005 §2.3.8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Event code.
    pub code: EventCode,
    /// TransactionID of the transaction it refers to (0 when none).
    pub transaction_id: u32,
    /// Parameters.
    pub params: Vec<u32>,
}

/// A PTP initiator over PTP/IP.
pub type PtpIpClient = Client<PtpIpTransport>;

/// A PTP initiator: numbers transactions, runs their phases over a [`Transport`], and offers
/// the common operations of ISO 15740:2013 §10.5 as methods.
///
/// TransactionIDs (§9.3.1): operations outside a session and OpenSession use 0; inside a
/// session they count up from 1, skipping 0 and 0xFFFFFFFF on wrap-around.
#[derive(Debug)]
pub struct Client<T: Transport> {
    transport: T,
    next_tid: u32,
    in_session: bool,
}

impl PtpIpClient {
    /// Connects to a PTP/IP responder at `addr` (port 15740 by convention), presenting
    /// `guid` and `friendly_name` (CIPA DC-005 §2.3.1); see [`PtpIpTransport::connect`].
    ///
    /// # Errors
    /// [`Error::InitFail`] when the responder refuses, socket errors, or a malformed
    /// handshake.
    pub fn connect(
        addr: impl ToSocketAddrs,
        guid: [u8; 16],
        friendly_name: &str,
    ) -> Result<Self, Error> {
        PtpIpTransport::connect(addr, guid, friendly_name).map(Self::new)
    }

    /// The responder's identity from Init Command Ack (CIPA DC-005 §2.3.2).
    #[must_use]
    pub const fn responder(&self) -> &Identity {
        self.transport.responder()
    }
}

impl<T: Transport> Client<T> {
    /// An initiator over a connected transport, with no session open.
    pub const fn new(transport: T) -> Self {
        Self {
            transport,
            next_tid: 1,
            in_session: false,
        }
    }

    /// The transport.
    pub const fn transport(&self) -> &T {
        &self.transport
    }

    /// The transport, mutably (for operations of its own).
    pub const fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// The transport back.
    pub fn into_transport(self) -> T {
        self.transport
    }

    /// One transaction (ISO 15740:2013 §9.3): the request, `data_out` as the initiator's
    /// data phase if given, and whatever data phase the responder sends, collected into
    /// [`Response::data`]. A response code other than OK is returned as is, not as an error.
    ///
    /// # Errors
    /// Transport errors or protocol violations (a response to another transaction, a data
    /// phase in both directions).
    pub fn transaction(
        &mut self,
        op: OperationCode,
        params: &[u32],
        data_out: Option<&[u8]>,
    ) -> Result<Response, Error> {
        let mut data = Vec::new();
        let (mut response, _) = self.run(op, params, data_out, &mut data)?;
        response.data = data;
        Ok(response)
    }

    /// Like [`Client::transaction`] for a responder-to-initiator data phase, streamed into
    /// `sink` piece by piece as it arrives, never held whole: a 4 GiB object passes in
    /// bounded memory. Returns the response (with empty `data`) and the bytes written.
    ///
    /// # Errors
    /// Transport or sink errors, protocol violations.
    pub fn get_into(
        &mut self,
        op: OperationCode,
        params: &[u32],
        sink: &mut impl Write,
    ) -> Result<(Response, u64), Error> {
        self.run(op, params, None, sink)
    }

    fn take_tid(&mut self, op: OperationCode) -> u32 {
        if op == OperationCode::OPEN_SESSION || !self.in_session {
            return 0;
        }
        let tid = self.next_tid;
        self.next_tid = match self.next_tid.wrapping_add(1) {
            0 | u32::MAX => 1,
            next => next,
        };
        tid
    }

    fn run(
        &mut self,
        op: OperationCode,
        params: &[u32],
        data_out: Option<&[u8]>,
        sink: &mut impl Write,
    ) -> Result<(Response, u64), Error> {
        let tid = self.take_tid(op);
        self.transport
            .send_request(op, tid, params, data_out.is_some())?;
        if let Some(data) = data_out {
            self.transport.send_data(op, tid, data)?;
        }
        let mut received = 0u64;
        loop {
            match self.transport.recv()? {
                Incoming::DataStart(_) if data_out.is_some() => {
                    return Err(Error::Protocol(format!(
                        "a data phase from the responder to {op:?}, which sent one"
                    )));
                }
                Incoming::DataStart(_) => {}
                Incoming::Data(bytes) => {
                    sink.write_all(bytes).map_err(|source| Error::Io {
                        context: "writing received data",
                        source,
                    })?;
                    received += bytes.len() as u64;
                }
                Incoming::Response {
                    code,
                    transaction_id,
                    params,
                } => {
                    if transaction_id != tid {
                        return Err(Error::Protocol(format!(
                            "response for transaction {transaction_id}, expected {tid}"
                        )));
                    }
                    if code == ResponseCode::OK {
                        if op == OperationCode::OPEN_SESSION {
                            self.in_session = true;
                            self.next_tid = 1;
                        } else if op == OperationCode::CLOSE_SESSION {
                            self.in_session = false;
                        }
                    }
                    let response = Response {
                        code,
                        params: params.as_slice().to_vec(),
                        data: Vec::new(),
                    };
                    return Ok((response, received));
                }
            }
        }
    }

    /// The next event, waiting up to `timeout`; `None` when none came in time.
    ///
    /// # Errors
    /// Transport errors or a malformed event.
    pub fn next_event(&mut self, timeout: Duration) -> Result<Option<Event>, Error> {
        self.transport.next_event(timeout)
    }

    fn ok(
        &mut self,
        op: OperationCode,
        name: &'static str,
        params: &[u32],
        data: Option<&[u8]>,
    ) -> Result<Response, Error> {
        let r = self.transaction(op, params, data)?;
        if r.code == ResponseCode::OK {
            Ok(r)
        } else {
            Err(Error::Response {
                operation: name,
                code: r.code,
                params: r.params,
            })
        }
    }

    /// GetDeviceInfo (ISO 15740:2013 §10.5.1).
    ///
    /// # Errors
    /// Transport errors, a non-OK response, or a malformed dataset.
    pub fn get_device_info(&mut self) -> Result<DeviceInfo, Error> {
        let r = self.ok(OperationCode::GET_DEVICE_INFO, "GetDeviceInfo", &[], None)?;
        Ok(DeviceInfo::decode_exact(&r.data)?)
    }

    /// OpenSession (§10.5.2).
    ///
    /// # Errors
    /// Transport errors or a non-OK response.
    pub fn open_session(&mut self, session_id: u32) -> Result<(), Error> {
        self.ok(
            OperationCode::OPEN_SESSION,
            "OpenSession",
            &[session_id],
            None,
        )
        .map(drop)
    }

    /// CloseSession (§10.5.3).
    ///
    /// # Errors
    /// Transport errors or a non-OK response.
    pub fn close_session(&mut self) -> Result<(), Error> {
        self.ok(OperationCode::CLOSE_SESSION, "CloseSession", &[], None)
            .map(drop)
    }

    /// GetStorageIDs (§10.5.4).
    ///
    /// # Errors
    /// Transport errors, a non-OK response, or a malformed dataset.
    pub fn get_storage_ids(&mut self) -> Result<Vec<StorageId>, Error> {
        let r = self.ok(OperationCode::GET_STORAGE_IDS, "GetStorageIDs", &[], None)?;
        Ok(Vec::<u32>::decode_exact(&r.data)?
            .into_iter()
            .map(StorageId)
            .collect())
    }

    /// GetStorageInfo (§10.5.5).
    ///
    /// # Errors
    /// Transport errors, a non-OK response, or a malformed dataset.
    pub fn get_storage_info(&mut self, storage: StorageId) -> Result<StorageInfo, Error> {
        let r = self.ok(
            OperationCode::GET_STORAGE_INFO,
            "GetStorageInfo",
            &[storage.0],
            None,
        )?;
        Ok(StorageInfo::decode_exact(&r.data)?)
    }

    /// GetObjectHandles (§10.5.7): `format` 0 for all, `parent` 0 for all (0xFFFFFFFF: root).
    ///
    /// # Errors
    /// Transport errors, a non-OK response, or a malformed dataset.
    pub fn get_object_handles(
        &mut self,
        storage: StorageId,
        format: u32,
        parent: u32,
    ) -> Result<Vec<ObjectHandle>, Error> {
        let r = self.ok(
            OperationCode::GET_OBJECT_HANDLES,
            "GetObjectHandles",
            &[storage.0, format, parent],
            None,
        )?;
        Ok(Vec::<u32>::decode_exact(&r.data)?
            .into_iter()
            .map(ObjectHandle)
            .collect())
    }

    /// GetObjectInfo (§10.5.8).
    ///
    /// # Errors
    /// Transport errors, a non-OK response, or a malformed dataset.
    pub fn get_object_info(&mut self, handle: ObjectHandle) -> Result<ObjectInfo, Error> {
        let r = self.ok(
            OperationCode::GET_OBJECT_INFO,
            "GetObjectInfo",
            &[handle.0],
            None,
        )?;
        Ok(ObjectInfo::decode_exact(&r.data)?)
    }

    /// GetObject (§10.5.9), held in memory.
    ///
    /// # Errors
    /// Transport errors or a non-OK response.
    pub fn get_object(&mut self, handle: ObjectHandle) -> Result<Vec<u8>, Error> {
        Ok(self
            .ok(OperationCode::GET_OBJECT, "GetObject", &[handle.0], None)?
            .data)
    }

    /// GetObject streamed into `sink`; returns the bytes written.
    ///
    /// # Errors
    /// Transport or sink errors, or a non-OK response.
    pub fn get_object_to(
        &mut self,
        handle: ObjectHandle,
        sink: &mut impl Write,
    ) -> Result<u64, Error> {
        let (r, n) = self.get_into(OperationCode::GET_OBJECT, &[handle.0], sink)?;
        if r.code == ResponseCode::OK {
            Ok(n)
        } else {
            Err(Error::Response {
                operation: "GetObject",
                code: r.code,
                params: r.params,
            })
        }
    }

    /// SendObjectInfo (§10.5.12) into `storage`/`parent`; returns the response parameters
    /// (storage, parent, new handle).
    ///
    /// # Errors
    /// Transport errors or a non-OK response.
    pub fn send_object_info(
        &mut self,
        storage: StorageId,
        parent: u32,
        info: &ObjectInfo,
    ) -> Result<Vec<u32>, Error> {
        let data = info.to_bytes();
        Ok(self
            .ok(
                OperationCode::SEND_OBJECT_INFO,
                "SendObjectInfo",
                &[storage.0, parent],
                Some(&data),
            )?
            .params)
    }

    /// SendObject (§10.5.13), after [`Client::send_object_info`].
    ///
    /// # Errors
    /// Transport errors or a non-OK response.
    pub fn send_object(&mut self, data: &[u8]) -> Result<(), Error> {
        self.ok(OperationCode::SEND_OBJECT, "SendObject", &[], Some(data))
            .map(drop)
    }

    /// DeleteObject (§10.5.11).
    ///
    /// # Errors
    /// Transport errors or a non-OK response.
    pub fn delete_object(&mut self, handle: ObjectHandle) -> Result<(), Error> {
        self.ok(
            OperationCode::DELETE_OBJECT,
            "DeleteObject",
            &[handle.0, 0],
            None,
        )
        .map(drop)
    }

    /// InitiateCapture (§10.5.14) into the default storage, default format.
    ///
    /// # Errors
    /// Transport errors or a non-OK response.
    pub fn initiate_capture(&mut self) -> Result<(), Error> {
        self.ok(
            OperationCode::INITIATE_CAPTURE,
            "InitiateCapture",
            &[0, 0],
            None,
        )
        .map(drop)
    }

    /// GetDevicePropDesc (§10.5.22).
    ///
    /// # Errors
    /// Transport errors, a non-OK response, or a malformed dataset.
    pub fn get_device_prop_desc(&mut self, code: DevicePropCode) -> Result<DevicePropDesc, Error> {
        let r = self.ok(
            OperationCode::GET_DEVICE_PROP_DESC,
            "GetDevicePropDesc",
            &[u32::from(code.0)],
            None,
        )?;
        Ok(DevicePropDesc::decode_exact(&r.data)?)
    }

    /// GetDevicePropValue (§10.5.23), decoded with the type from the property's description.
    ///
    /// # Errors
    /// Transport errors, a non-OK response, or a malformed value.
    pub fn get_device_prop_value(&mut self, code: DevicePropCode) -> Result<PropValue, Error> {
        let desc = self.get_device_prop_desc(code)?;
        let r = self.ok(
            OperationCode::GET_DEVICE_PROP_VALUE,
            "GetDevicePropValue",
            &[u32::from(code.0)],
            None,
        )?;
        Ok(decode_value_exact(&r.data, desc.data_type)?)
    }

    /// SetDevicePropValue (§10.5.24).
    ///
    /// # Errors
    /// Transport errors or a non-OK response (InvalidDevicePropValue for a value outside the form).
    pub fn set_device_prop_value(
        &mut self,
        code: DevicePropCode,
        value: &PropValue,
    ) -> Result<(), Error> {
        let data = value.to_bytes();
        self.ok(
            OperationCode::SET_DEVICE_PROP_VALUE,
            "SetDevicePropValue",
            &[u32::from(code.0)],
            Some(&data),
        )
        .map(drop)
    }
}
