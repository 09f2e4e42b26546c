//! The command connection: pairing and the Init handshake (on the reactor), then the session
//! on a thread of its own ([`crate::session`]).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::SystemTime;

use ptp_codec::ptpip::{self, Guid, Identity, InitFailReason, Packet};
use tokio::sync::OwnedMutexGuard;
use vcam_core::Responder;
use vcam_core::pairing::{ClientId, Decision, Refusal};

use crate::conn::Conn;
use crate::session::{Liveness, Session};
use crate::{ActiveSession, ConnectionError, Heard, Shared, SharedPairing, lock};

pub(crate) async fn command_connection(
    shared: Arc<Shared>,
    mut conn: Conn,
    initiator: Identity,
) -> Result<(), ConnectionError> {
    if initiator.protocol_version >> 16 != 1 {
        // Real bodies serve these (ptpy sends 0x00000064, camlib no version at all).
        tracing::debug!(
            version = format_args!("{:#010x}", initiator.protocol_version),
            "Init Command Request with an unusual protocol version"
        );
    }
    if let Some(pairing) = &shared.pairing
        && let Some(refusal) = pair(pairing, &initiator).await
    {
        tracing::info!(peer = %conn.peer, name = %initiator.friendly_name, guid = %initiator.guid, ?refusal, "refused: not the paired client");
        conn.send(&Packet::InitFail {
            reason: InitFailReason::REJECTED_INITIATOR,
        })
        .await?;
        return Ok(());
    }
    // The previous initiator may have hung up a moment ago without the server having seen it
    // yet (gphoto2 commands run back to back): wait a little before saying Busy.
    let camera = match Arc::clone(&shared.camera).try_lock_owned() {
        Ok(camera) => Ok(camera),
        Err(_) => {
            // Someone holds the camera: an unanswered probe may now end that session.
            shared.contended.store(true, Ordering::SeqCst);
            tokio::time::timeout(crate::BUSY_WAIT, Arc::clone(&shared.camera).lock_owned()).await
        }
    };
    let Ok(mut camera) = camera else {
        conn.send(&Packet::InitFail {
            reason: InitFailReason::BUSY,
        })
        .await?;
        tracing::info!(peer = %conn.peer, name = %initiator.friendly_name, "refused: another initiator is connected");
        return Ok(());
    };
    shared.contended.store(false, Ordering::SeqCst);
    // An unplugged body (`Responder::is_plugged`: a `disconnect` fault, a dead battery,
    // `vcamctl unplug`) is not on the network: the connection closes unanswered. What is due
    // runs first: it may be back.
    camera.handle_timeout(SystemTime::now());
    if !camera.is_plugged() {
        tracing::info!(peer = %conn.peer, "the camera is unplugged: connection closed");
        return Ok(());
    }
    let heard = Arc::new(Heard::new());
    let connection_number = {
        let mut reg = lock(&shared.registry);
        let n = reg.next_connection;
        reg.next_connection = reg.next_connection.wrapping_add(1).max(1);
        reg.active = Some(ActiveSession {
            connection_number: n,
            peer: conn.peer.ip(),
            events: None,
            heard: Arc::clone(&heard),
        });
        n
    };
    tracing::info!(peer = %conn.peer, name = %initiator.friendly_name, guid = %initiator.guid, connection_number, "initiator connected");
    let ack = Packet::InitCommandAck {
        connection_number,
        identity: Identity {
            guid: Guid(shared.identity.guid),
            friendly_name: shared.identity.friendly_name.clone(),
            protocol_version: ptpip::PROTOCOL_VERSION_1_0,
        },
    };
    let framing = shared.identity.data_framing;
    let liveness = shared
        .probe_interval
        .map(|interval| Liveness::new(interval, heard));
    let peer = conn.peer;
    if let Err(e) = conn.send(&ack).await {
        end_session(&shared, camera, peer);
        return Err(e);
    }
    // The session runs on a thread of its own: the camera's work may block (files, JPEG
    // encoding), and a live view frame costs one blocking read and one vectored write there,
    // as on raw TCP, instead of reactor wake-ups and hand-overs of the runtime's worker.
    let (done, result) = tokio::sync::oneshot::channel();
    let pending = std::mem::take(&mut conn.buf);
    let tap = std::mem::take(&mut conn.tap);
    let stream = conn.stream.into_std()?;
    stream.set_nonblocking(false)?;
    let thread_shared = Arc::clone(&shared);
    std::thread::Builder::new()
        .name(format!("ptpip-session-{connection_number}"))
        .spawn(move || {
            let outcome = Session::new(
                Arc::clone(&thread_shared),
                stream,
                peer,
                &pending,
                camera,
                framing,
                liveness,
            )
            .map(|session| session.recording(tap))
            .and_then(|mut session| {
                let outcome = session.run();
                session.record_unconsumed();
                end_session(&thread_shared, session.camera, peer);
                outcome
            });
            let _ = done.send(outcome);
        })?;
    result.await.unwrap_or_else(|_| {
        Err(ConnectionError::Protocol(
            "the session thread ended without a word".into(),
        ))
    })
}

/// Whatever happened, the session is over: close it, free the camera and end the event
/// connection (its sender goes with the registry entry).
fn end_session(shared: &Shared, mut camera: OwnedMutexGuard<Responder>, peer: SocketAddr) {
    camera.handle_reset(SystemTime::now());
    lock(&shared.registry).active = None;
    drop(camera);
    tracing::info!(%peer, "initiator disconnected");
}
/// Asks the body's pairing about `initiator`; `Some` when it is refused. The owner's delay
/// holds the answer back; whoever got paired meanwhile wins.
async fn pair(pairing: &SharedPairing, initiator: &Identity) -> Option<Refusal> {
    let client = ClientId::new(initiator.guid.0, initiator.friendly_name.clone());
    let decision = lock(pairing).decide(SystemTime::now(), &client);
    match decision {
        Ok(Decision::Accept) => None,
        Ok(Decision::AcceptAt(at)) => {
            let wait = at.duration_since(SystemTime::now()).unwrap_or_default();
            tracing::info!(guid = %initiator.guid, ?wait, "waiting for the owner to accept the client on the body");
            tokio::time::sleep(wait).await;
            let mut pairing = lock(pairing);
            if pairing.paired().is_some_and(|p| p.guid != client.guid) {
                return Some(Refusal::OtherClientPaired);
            }
            if let Err(e) = pairing.confirm(&client) {
                tracing::warn!(%e, "the pairing could not be saved; it is kept until exit");
            }
            None
        }
        Ok(Decision::Refuse(refusal)) => Some(refusal),
        Ok(other) => {
            tracing::warn!(?other, "unknown pairing decision; refusing");
            Some(Refusal::RefusedOnBody)
        }
        Err(e) => {
            // The client is paired in memory; only saving failed.
            tracing::warn!(%e, "the pairing could not be saved; it is kept until exit");
            None
        }
    }
}
