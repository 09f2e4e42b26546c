//! Requests as operation handlers see them, and what handlers answer.

use std::fmt;

use bytes::Bytes;
use ptp_types::{Encode, OperationCode, ResponseCode, ptp_codec::Params};

use crate::store::{BytesSource, DataSource};

/// An operation request (ISO 15740:2013 §9.3): code, TransactionID, parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    /// Operation code.
    pub code: OperationCode,
    /// TransactionID.
    pub transaction_id: u32,
    /// Up to five parameters.
    pub params: Params,
}

impl Request {
    /// A request with `params`.
    #[must_use]
    pub fn new(code: OperationCode, transaction_id: u32, params: impl Into<Params>) -> Self {
        Self {
            code,
            transaction_id,
            params: params.into(),
        }
    }

    /// Parameter `index`, 0 when absent (ISO 15740:2013 §9.3: unused parameters are 0).
    #[must_use]
    pub fn param(&self, index: usize) -> u32 {
        self.params.get_or_zero(index)
    }
}

/// The response phase of a transaction: code and up to five parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Response {
    /// Response code.
    pub code: ResponseCode,
    /// Parameters.
    pub params: Params,
}

impl Response {
    /// `OK` without parameters.
    #[must_use]
    pub const fn ok() -> Self {
        Self {
            code: ResponseCode::OK,
            params: Params::empty(),
        }
    }

    /// `OK` with parameters.
    #[must_use]
    pub fn ok_with(params: impl Into<Params>) -> Self {
        Self {
            code: ResponseCode::OK,
            params: params.into(),
        }
    }

    /// An error (or any code) without parameters.
    #[must_use]
    pub const fn code(code: ResponseCode) -> Self {
        Self {
            code,
            params: Params::empty(),
        }
    }
}

impl From<ResponseCode> for Response {
    fn from(code: ResponseCode) -> Self {
        Self::code(code)
    }
}

/// What an operation handler answers.
pub enum Reply {
    /// No data phase; respond at once.
    Response(Response),
    /// Send `data` to the initiator, then `response`.
    Data {
        /// The data phase, streamed in chunks.
        data: Box<dyn DataSource>,
        /// The response sent after the data.
        response: Response,
    },
    /// Receive a data phase from the initiator (at most `limit` bytes, buffered), then call
    /// the handler's data method with it.
    ReceiveData {
        /// Most bytes accepted; a longer data phase is read and discarded, and answered with
        /// `too_long`.
        limit: usize,
        /// Response when the data phase exceeds `limit`.
        too_long: ResponseCode,
    },
}

impl Reply {
    /// Data already in memory, then OK.
    #[must_use]
    pub fn data(bytes: impl Into<Bytes>) -> Self {
        Self::Data {
            data: Box::new(BytesSource::new(bytes.into())),
            response: Response::ok(),
        }
    }

    /// An encoded dataset, then OK.
    #[must_use]
    pub fn dataset(value: &impl Encode) -> Self {
        Self::data(value.to_bytes())
    }

    /// OK without data.
    #[must_use]
    pub const fn ok() -> Self {
        Self::Response(Response::ok())
    }

    /// OK with parameters, without data.
    #[must_use]
    pub fn ok_with(params: impl Into<Params>) -> Self {
        Self::Response(Response::ok_with(params))
    }

    /// Receive a data phase of at most `limit` bytes.
    #[must_use]
    pub const fn receive(limit: usize) -> Self {
        Self::ReceiveData {
            limit,
            too_long: ResponseCode::INVALID_DATA_SET,
        }
    }
}

impl From<ResponseCode> for Reply {
    fn from(code: ResponseCode) -> Self {
        Self::Response(Response::code(code))
    }
}

impl From<Response> for Reply {
    fn from(response: Response) -> Self {
        Self::Response(response)
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Response(r) => f.debug_tuple("Response").field(r).finish(),
            Self::Data { data, response } => f
                .debug_struct("Data")
                .field("len", &data.len())
                .field("response", response)
                .finish(),
            Self::ReceiveData { limit, .. } => {
                f.debug_struct("ReceiveData").field("limit", limit).finish()
            }
        }
    }
}
