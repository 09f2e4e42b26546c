//! Steering a camera from another thread: a [`Remote`] queues body actions and faults for a
//! [`Responder`](crate::Responder) that a transport drives elsewhere.
//!
//! The responder stays sans-IO: a remote is a queue behind a mutex, not a socket or a
//! thread. Once [`Responder::remote`](crate::Responder::remote) has handed one out,
//! [`Responder::poll_timeout`](crate::Responder::poll_timeout) asks every transport to call
//! [`Responder::handle_timeout`](crate::Responder::handle_timeout) at least every
//! [`REMOTE_POLL`] (at once when something waits), and that call carries out what was queued;
//! so every transport honours a remote without knowing of it. A camera no transport drives
//! (a PTP/IP body between two clients) is run by whoever holds it, on request of the control
//! server (`vcam-control`'s pump).
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use vcam_core::actions::BodyAction;
//! use vcam_core::{FolderStore, NoVendor, Responder, SyntheticFrames, generic};
//!
//! let store = FolderStore::from_temp_dir(tempfile::tempdir()?, false)?;
//! let mut camera = Responder::new(generic::generic(), Box::new(NoVendor), Box::new(store), Box::new(SyntheticFrames::default()));
//! let remote = camera.remote();
//! let pending = remote.act(BodyAction::Shutter); // from any thread
//! camera.handle_timeout(SystemTime::now()); // the transport's next turn
//! let outcome = pending.wait(Duration::from_secs(1)).expect("answered")?;
//! assert!(outcome.starts_with("captured"), "{outcome}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::VecDeque;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::actions::{ActionError, BodyAction};
use crate::faults::Fault;

/// How often a responder with a remote asks to be run, at most, when nothing else is due.
pub const REMOTE_POLL: Duration = Duration::from_millis(50);

/// What a remote asks of the camera.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// Do this on the body.
    Act(BodyAction),
    /// Plan this fault.
    AddFault(Fault),
    /// Drop every fault not yet over (a card taken out stays out; a dropped link stays down
    /// until its replug).
    ClearFaults,
}

/// The answer to a command: what happened, in words, or why not.
pub type Answer = Result<String, ActionError>;

/// A camera's state as a remote last saw it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Status {
    /// The model id.
    pub model: String,
    /// Whether a session is open.
    pub session_open: bool,
    /// Whether the link (cable, network) is up.
    pub link_up: bool,
    /// Whether the card is in.
    pub card_in: bool,
    /// Whether the card is full.
    pub card_full: bool,
    /// Battery charge in percent, if it was ever set.
    pub battery: Option<u8>,
    /// The faults not yet over, in the `--fault` grammar.
    pub faults: Vec<String>,
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let yes = |b: bool, y: &'static str, n: &'static str| if b { y } else { n };
        write!(
            f,
            "model={} session={} link={} card={}",
            self.model,
            yes(self.session_open, "open", "closed"),
            yes(self.link_up, "up", "down"),
            yes(self.card_in, yes(self.card_full, "full", "in"), "out"),
        )?;
        if let Some(b) = self.battery {
            write!(f, " battery={b}%")?;
        }
        write!(f, " faults={}", self.faults.len())?;
        for fault in &self.faults {
            write!(f, " [{fault}]")?;
        }
        Ok(())
    }
}

#[derive(Debug, Default)]
pub(crate) struct Shared {
    inbox: Mutex<VecDeque<(Command, Sender<Answer>)>>,
    status: Mutex<Status>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    /// Everything queued, oldest first.
    pub(crate) fn take(&self) -> Vec<(Command, Sender<Answer>)> {
        lock(&self.inbox).drain(..).collect()
    }

    pub(crate) fn waiting(&self) -> bool {
        !lock(&self.inbox).is_empty()
    }

    pub(crate) fn set_status(&self, status: Status) {
        *lock(&self.status) = status;
    }
}

/// A handle that steers one camera from any thread (see the [module documentation](self)).
#[derive(Debug, Clone)]
pub struct Remote {
    shared: Arc<Shared>,
}

impl Remote {
    pub(crate) const fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }

    /// Queues `command`; the camera carries it out at its next turn.
    pub fn send(&self, command: Command) -> Pending {
        let (tx, rx) = mpsc::channel();
        lock(&self.shared.inbox).push_back((command, tx));
        Pending { rx }
    }

    /// Queues a body action.
    pub fn act(&self, action: BodyAction) -> Pending {
        self.send(Command::Act(action))
    }

    /// Queues a fault.
    pub fn add_fault(&self, fault: Fault) -> Pending {
        self.send(Command::AddFault(fault))
    }

    /// The camera's state at its last turn.
    #[must_use]
    pub fn status(&self) -> Status {
        lock(&self.shared.status).clone()
    }
}

/// The answer to a queued command, once the camera has carried it out.
#[derive(Debug)]
pub struct Pending {
    rx: Receiver<Answer>,
}

impl Pending {
    /// Waits up to `timeout` for the answer; `None` when the camera did not run in time (the
    /// command stays queued and is carried out at its next turn).
    #[must_use]
    pub fn wait(self, timeout: Duration) -> Option<Answer> {
        self.rx.recv_timeout(timeout).ok()
    }

    /// The answer, if the camera has carried the command out already.
    #[must_use]
    pub fn try_answer(&self) -> Option<Answer> {
        self.rx.try_recv().ok()
    }
}
