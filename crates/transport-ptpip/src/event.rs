//! The event connection (CIPA DC-005 §2.3.3–2.3.4): bound to its command connection, it
//! carries the camera's events and the probes that test the initiator's liveness.

use std::net::IpAddr;
use std::sync::Arc;

use bytes::Buf;
use ptp_codec::ptpip::{InitFailReason, Packet};
use ptp_codec::stream::Decoded;
use tokio::sync::mpsc;
use vcam_core::EventRecord;

use crate::conn::Conn;
use crate::{ConnectionError, Heard, Shared, lock};

/// Events waiting for the event connection before new ones are dropped.
pub(crate) const EVENT_BACKLOG: usize = 1024;

/// What the command session asks of its event connection.
#[derive(Debug)]
pub(crate) enum ToEvent {
    /// Send this event.
    Event(EventRecord),
    /// Send a Probe Request: the initiator has been silent.
    Probe,
}

/// Why an Init Event Request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refused {
    /// No session has this connection number.
    UnknownConnection,
    /// The request comes from another host than the command connection.
    OtherPeer(IpAddr),
    /// The session already has a live event connection.
    AlreadyBound,
}

/// Binds an event connection to the session with `connection_number`, then carries events
/// until the session ends or the initiator hangs up.
pub(crate) async fn event_connection(
    shared: Arc<Shared>,
    mut conn: Conn,
    connection_number: u32,
) -> Result<(), ConnectionError> {
    let (tx, mut rx) = mpsc::channel(EVENT_BACKLOG);
    let bound = bind(&shared, &conn, connection_number, tx);
    let heard = match bound {
        Ok(heard) => heard,
        Err(why) => {
            conn.send(&Packet::InitFail {
                reason: InitFailReason::REJECTED_INITIATOR,
            })
            .await?;
            return Err(ConnectionError::Protocol(format!(
                "Init Event Request for connection {connection_number} refused: {}",
                match why {
                    Refused::UnknownConnection => "no such connection".to_string(),
                    Refused::OtherPeer(ip) =>
                        format!("its command connection is from {ip}, not from this host"),
                    Refused::AlreadyBound => "it already has an event connection".to_string(),
                }
            )));
        }
    };
    conn.send(&Packet::InitEventAck).await?;
    tracing::debug!(connection_number, "event connection established");
    loop {
        tokio::select! {
            message = rx.recv() => {
                let Some(message) = message else {
                    // The session is over.
                    return Ok(());
                };
                queue(&mut conn, message)?;
                // Whatever else is waiting goes in the same write.
                while let Ok(message) = rx.try_recv() {
                    queue(&mut conn, message)?;
                }
                conn.write().await?;
            }
            more = conn.fill() => {
                if !more? {
                    return Ok(());
                }
                heard.touch();
                while let Decoded::Frame(frame) = conn.decoder.decode(&conn.buf)? {
                    let len = frame.len();
                    match Packet::parse(frame)? {
                        Packet::ProbeRequest => {
                            conn.outbox.packet(&Packet::ProbeResponse)?;
                        }
                        Packet::ProbeResponse => tracing::trace!("Probe Response on the event connection"),
                        other => {
                            tracing::debug!(kind = ?other.packet_type(), "ignoring a packet on the event connection");
                        }
                    }
                    conn.buf.advance(len);
                }
                if conn.decoder.in_body() {
                    return Err(ConnectionError::Protocol("bulk data on the event connection".into()));
                }
                conn.write().await?;
            }
        }
    }
}

/// Attaches `events` to the live session numbered `connection_number` when the request comes
/// from the same host as its command connection and the session has no live event connection
/// yet; returns the session's liveness record.
fn bind(
    shared: &Shared,
    conn: &Conn,
    connection_number: u32,
    events: mpsc::Sender<ToEvent>,
) -> Result<Arc<Heard>, Refused> {
    let mut reg = lock(&shared.registry);
    let active = reg
        .active
        .as_mut()
        .filter(|a| a.connection_number == connection_number)
        .ok_or(Refused::UnknownConnection)?;
    if active.peer != conn.peer.ip() {
        return Err(Refused::OtherPeer(active.peer));
    }
    if active.events.as_ref().is_some_and(|e| !e.is_closed()) {
        return Err(Refused::AlreadyBound);
    }
    active.events = Some(events);
    Ok(Arc::clone(&active.heard))
}

fn queue(conn: &mut Conn, message: ToEvent) -> Result<(), ConnectionError> {
    match message {
        ToEvent::Event(event) => conn.outbox.packet(&Packet::Event {
            code: event.code,
            transaction_id: event.transaction_id,
            params: event.params,
        }),
        ToEvent::Probe => conn.outbox.packet(&Packet::ProbeRequest),
    }
}
