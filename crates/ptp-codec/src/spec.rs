//! What a code table says about an operation beyond its name: the direction of its data phase,
//! how many parameters it takes and whether it needs a session (ISO 15740:2013 §10.4: each
//! operation's "Data" and "Operation Parameter" rows).
//!
//! A responder needs these facts before it has seen any data: on USB the transport gives no hint
//! whether a data phase follows the command, so the table decides (ISO 15740:2013 §D.7.1.2).
//! The standard table is `ptp_types::OPERATIONS`; vendor tables come from
//! [`vendor_codes!`](crate::vendor_codes).

use crate::code::OperationCode;

/// Direction of an operation's data phase.
///
/// Not to be confused with [`ptpip::DataPhase`](crate::ptpip::DataPhase), the DataPhaseInfo
/// field a PTP/IP Operation Request carries on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DataPhase {
    /// No data phase.
    None,
    /// Data from the responder (device) to the initiator (host).
    ToInitiator,
    /// Data from the initiator (host) to the responder (device).
    ToResponder,
}

/// What the spec (or a vendor's table) says about one operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OperationSpec {
    /// Operation code.
    pub code: OperationCode,
    /// Spec name.
    pub name: &'static str,
    /// Data phase direction.
    pub data: DataPhase,
    /// Fewest parameters a request must carry (the rest default to 0).
    pub min_params: u8,
    /// Most parameters the operation defines; more is ParameterNotSupported.
    pub max_params: u8,
    /// Whether the operation needs an open session (GetDeviceInfo and OpenSession do not).
    pub needs_session: bool,
}

impl OperationSpec {
    /// An operation that needs a session (every operation but GetDeviceInfo and OpenSession).
    #[must_use]
    pub const fn new(
        code: OperationCode,
        name: &'static str,
        data: DataPhase,
        min_params: u8,
        max_params: u8,
    ) -> Self {
        Self {
            code,
            name,
            data,
            min_params,
            max_params,
            needs_session: true,
        }
    }

    /// The same operation, allowed outside a session.
    #[must_use]
    pub const fn sessionless(self) -> Self {
        Self {
            needs_session: false,
            ..self
        }
    }
}
