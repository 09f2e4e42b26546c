//! The engine behind faults and the body's link: which planned [`Fault`]s have started, what
//! they do to the request, the data phase or the body in progress, and when something is due.
//!
//! The [`Responder`](crate::Responder) asks it at a few points (a request arrives, a data
//! chunk is about to go out or came in, a response went out, time passed) and carries out
//! what it answers ([`Effect`]s on the body go through the vendor extension, so each vendor
//! reports them its own way). Time is passed in; nothing here reads a clock.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use ptp_types::{OperationCode, ResponseCode};

use crate::faults::{DEAD_BATTERY_GRACE, Fault, FaultKind};
use crate::remote::{REMOTE_POLL, Shared};
use crate::slot::SlotState;

/// What becomes of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gate {
    /// It is handled as usual.
    Pass,
    /// It is answered with this code without being handled.
    Refuse(ResponseCode),
    /// Nobody hears it: the link is down.
    Unheard,
}

/// How much of a data phase may move now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Allowance {
    /// Up to this many bytes.
    Go(usize),
    /// Nothing before this time (a slow card).
    Wait(SystemTime),
    /// The link drops here.
    Disconnect,
    /// The camera cancels the transaction here.
    Cancel,
}

/// Something a fault does to the body, carried out by the responder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    /// The card comes out (`false`) or goes back in (`true`).
    Card(bool),
    /// The battery holds this much.
    Battery(u8),
    /// The link drops; back after the duration (`None`: when told).
    LinkDown(Option<Duration>),
    /// The link is back.
    LinkUp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Run {
    /// Waiting for its trigger.
    Waiting,
    /// Started: busy for so many more operations or until a time.
    Busy {
        ops_left: Option<u32>,
        until: Option<SystemTime>,
    },
    /// A capture-fail fault with captures still to fail.
    Captures(u32),
    /// A battery on its way down: dead at this time.
    Draining(SystemTime),
    /// Started and lasting (a slow or full card).
    Lasting,
    /// Over (armed again at the next session if it repeats).
    Done,
}

#[derive(Debug, Clone)]
struct Planned {
    fault: Fault,
    /// When it was armed (the first time the camera ran after it was planned).
    armed_at: Option<SystemTime>,
    /// Operations seen when it was armed.
    ops_at_arm: u64,
    run: Run,
}

/// Data-phase faults of the transaction in progress.
#[derive(Debug, Clone, Copy, Default)]
struct Transaction {
    tid: u32,
    disconnect: Option<(Option<u64>, Option<Duration>)>,
    cancel_after: Option<u64>,
    /// When its data-in phase began, for pacing (a card object was opened).
    paced_from: Option<SystemTime>,
}

/// The fault engine and the state of the body's link, battery and card slot.
#[derive(Debug)]
pub(crate) struct Steer {
    pub(crate) slot: Arc<SlotState>,
    planned: Vec<Planned>,
    ops: u64,
    pub(crate) last_now: SystemTime,
    link_up: bool,
    replug_at: Option<SystemTime>,
    /// When the link drops (a dead battery's grace).
    drop_at: Option<SystemTime>,
    reinsert_at: Option<SystemTime>,
    pub(crate) battery: Option<u8>,
    rate: Option<u64>,
    txn: Option<Transaction>,
    /// When paced data may next move.
    pace_wait: Option<SystemTime>,
    pub(crate) remote: Option<Arc<Shared>>,
}

impl Default for Steer {
    fn default() -> Self {
        Self {
            slot: Arc::default(),
            planned: Vec::new(),
            ops: 0,
            last_now: SystemTime::UNIX_EPOCH,
            link_up: true,
            replug_at: None,
            drop_at: None,
            reinsert_at: None,
            battery: None,
            rate: None,
            txn: None,
            pace_wait: None,
            remote: None,
        }
    }
}

/// The earlier of two optional times.
fn earliest(a: Option<SystemTime>, b: Option<SystemTime>) -> Option<SystemTime> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl Steer {
    /// Plans `fault`; it is armed at the next call with a time.
    pub(crate) fn add(&mut self, fault: Fault) {
        tracing::info!(%fault, "fault planned");
        self.planned.push(Planned {
            fault,
            armed_at: None,
            ops_at_arm: self.ops,
            run: Run::Waiting,
        });
    }

    /// Drops every fault not yet over; a slow or full card is itself again.
    pub(crate) fn clear(&mut self) {
        self.planned.clear();
        self.rate = None;
        self.slot.set_full(false);
    }

    /// The faults not yet over, in the grammar.
    pub(crate) fn active(&self) -> Vec<String> {
        self.planned
            .iter()
            .filter(|p| p.run != Run::Done)
            .map(|p| p.fault.to_string())
            .collect()
    }

    pub(crate) const fn link_up(&self) -> bool {
        self.link_up
    }

    /// The link drops now; back after `replug`.
    pub(crate) fn unplug(&mut self, now: SystemTime, replug: Option<Duration>) {
        self.link_up = false;
        self.replug_at = replug.map(|d| now + d);
        self.drop_at = None;
        self.txn = None;
        self.pace_wait = None;
    }

    /// The link is back.
    pub(crate) fn plug(&mut self) {
        self.link_up = true;
        self.replug_at = None;
    }

    /// The time moves on to `now`: faults planned since the last call are armed.
    pub(crate) fn touch(&mut self, now: SystemTime) {
        if now > self.last_now {
            self.last_now = now;
        }
        for p in &mut self.planned {
            if p.armed_at.is_none() {
                p.armed_at = Some(now);
                p.ops_at_arm = self.ops;
            }
        }
    }

    /// A session opened: faults that repeat per session are armed again.
    pub(crate) fn session_opened(&mut self, now: SystemTime) {
        for p in &mut self.planned {
            if p.fault.trigger.every_session {
                p.armed_at = Some(now);
                p.ops_at_arm = self.ops;
                p.run = Run::Waiting;
            }
        }
    }

    /// Whether `p`'s trigger holds now (for a request of `code` named `name`, if any).
    fn triggered(
        &self,
        p: &Planned,
        now: SystemTime,
        op: Option<(OperationCode, Option<&str>)>,
    ) -> bool {
        let t = &p.fault.trigger;
        let Some(armed) = p.armed_at else {
            return false;
        };
        if t.after.is_some_and(|d| now < armed + d) {
            return false;
        }
        if self.ops.saturating_sub(p.ops_at_arm) < u64::from(t.after_ops) {
            return false;
        }
        match (&t.on, op) {
            (None, _) => true,
            (Some(on), Some((code, name))) => on.matches(code, name),
            (Some(_), None) => false,
        }
    }

    /// A request of `code` (spec name `name`) arrived. Decides its fate and starts the faults
    /// it triggers; returns the effects on the body too.
    pub(crate) fn gate(
        &mut self,
        now: SystemTime,
        tid: u32,
        code: OperationCode,
        name: Option<&str>,
        effects: &mut Vec<Effect>,
    ) -> Gate {
        self.touch(now);
        if !self.link_up {
            return Gate::Unheard;
        }
        self.txn = Some(Transaction {
            tid,
            ..Transaction::default()
        });
        self.tick_state(now, Some((code, name)), effects);
        let mut gate = Gate::Pass;
        for i in 0..self.planned.len() {
            let Some(p) = self.planned.get(i) else { break };
            if !p.fault.kind.acts_on_operation() {
                continue;
            }
            let fires = p.run == Run::Waiting && self.triggered(p, now, Some((code, name)));
            let Some(p) = self.planned.get_mut(i) else {
                break;
            };
            let matches_on = p
                .fault
                .trigger
                .on
                .as_ref()
                .is_none_or(|on| on.matches(code, name));
            match p.fault.kind {
                FaultKind::Busy { ops, duration } => {
                    if fires {
                        p.run = Run::Busy {
                            ops_left: duration.is_none().then(|| ops.unwrap_or(1)),
                            until: duration.map(|d| now + d),
                        };
                    }
                    if let Run::Busy { ops_left, until } = &mut p.run
                        && matches_on
                        && gate == Gate::Pass
                    {
                        let busy = match (ops_left.as_mut(), *until) {
                            (Some(left), _) if *left > 0 => {
                                *left -= 1;
                                true
                            }
                            (None, Some(until)) => now < until,
                            _ => false,
                        };
                        if busy {
                            gate = Gate::Refuse(ResponseCode::DEVICE_BUSY);
                        }
                        if ops_left.is_some_and(|l| l == 0) || until.is_some_and(|u| now >= u) {
                            p.run = Run::Done;
                        }
                    }
                }
                FaultKind::Disconnect {
                    after_bytes,
                    replug,
                } if fires => {
                    p.run = Run::Done;
                    tracing::info!(fault = %p.fault, ?code, "fault: the link will drop");
                    if let Some(txn) = &mut self.txn {
                        txn.disconnect = Some((after_bytes, replug));
                    }
                }
                FaultKind::Cancel { after_bytes } if fires => {
                    p.run = Run::Done;
                    tracing::info!(fault = %p.fault, ?code, "fault: the camera will cancel");
                    if let Some(txn) = &mut self.txn {
                        txn.cancel_after = Some(after_bytes);
                    }
                }
                _ => {}
            }
        }
        self.ops += 1;
        gate
    }

    /// Starts the faults on the body's state whose trigger holds (at a request of `op`, or as
    /// time passes).
    fn tick_state(
        &mut self,
        now: SystemTime,
        op: Option<(OperationCode, Option<&str>)>,
        effects: &mut Vec<Effect>,
    ) {
        for i in 0..self.planned.len() {
            let Some(p) = self.planned.get(i) else { break };
            if p.fault.kind.acts_on_operation() {
                continue;
            }
            if let Run::Draining(dead_at) = p.run {
                if now >= dead_at {
                    if let Some(p) = self.planned.get_mut(i) {
                        p.run = Run::Done;
                    }
                    self.battery_dead(now, effects);
                }
                continue;
            }
            if p.run != Run::Waiting || !self.triggered(p, now, op) {
                continue;
            }
            let kind = p.fault.kind.clone();
            tracing::info!(fault = %p.fault, "fault starts");
            let run = match kind {
                FaultKind::SlowCard { bytes_per_second } => {
                    self.rate = Some(bytes_per_second);
                    Run::Lasting
                }
                FaultKind::CardFull => {
                    self.slot.set_full(true);
                    Run::Lasting
                }
                FaultKind::CardRemoved { reinsert } => {
                    self.reinsert_at = reinsert.map(|d| now + d);
                    effects.push(Effect::Card(false));
                    Run::Done
                }
                FaultKind::Battery { level, dead_after } => {
                    if level == 0 {
                        self.battery_dead(now, effects);
                        Run::Done
                    } else {
                        self.battery = Some(level);
                        effects.push(Effect::Battery(level));
                        dead_after.map_or(Run::Done, |d| Run::Draining(now + d))
                    }
                }
                FaultKind::CaptureFails { count, .. } => Run::Captures(count),
                _ => Run::Done,
            };
            if let Some(p) = self.planned.get_mut(i) {
                p.run = run;
            }
        }
    }

    /// The battery is empty: it says so, then the body switches off.
    fn battery_dead(&mut self, now: SystemTime, effects: &mut Vec<Effect>) {
        effects.push(Effect::Battery(0));
        self.drop_later(now);
    }

    /// The battery is empty: the body switches off (the link drops) a moment from now.
    pub(crate) fn drop_later(&mut self, now: SystemTime) {
        self.battery = Some(0);
        self.drop_at = Some(now + DEAD_BATTERY_GRACE);
    }

    /// A capture is about to be taken: the code it fails with, if a fault says so.
    pub(crate) fn capture_fails(&mut self) -> Option<ResponseCode> {
        for p in &mut self.planned {
            if let (Run::Captures(left), FaultKind::CaptureFails { code, .. }) =
                (&mut p.run, &p.fault.kind)
            {
                *left = left.saturating_sub(1);
                let code = *code;
                if *left == 0 {
                    p.run = Run::Done;
                }
                return Some(code);
            }
        }
        None
    }

    /// A data-in phase of transaction `tid` starts; `card` says whether it reads the card.
    pub(crate) fn data_in_started(&mut self, now: SystemTime, tid: u32, card: bool) {
        if let Some(txn) = self.txn.as_mut().filter(|t| t.tid == tid) {
            txn.paced_from = (card && self.rate.is_some()).then_some(now);
        } else if card && self.rate.is_some() {
            self.txn = Some(Transaction {
                tid,
                paced_from: Some(now),
                ..Transaction::default()
            });
        }
        self.pace_wait = None;
    }

    /// How much of the data phase of `tid` may move now, `done` bytes into it, `want` more
    /// asked for (either direction).
    pub(crate) fn allowance(&mut self, tid: u32, done: u64, want: usize) -> Allowance {
        let Some(txn) = self.txn.filter(|t| t.tid == tid) else {
            return Allowance::Go(want);
        };
        let mut go = want;
        let mut limit = |at: u64, stop: Allowance| -> Option<Allowance> {
            if done >= at {
                return Some(stop);
            }
            go = go.min(usize::try_from(at - done).unwrap_or(usize::MAX));
            None
        };
        if let Some((Some(at), _)) = txn.disconnect
            && let Some(stop) = limit(at, Allowance::Disconnect)
        {
            return stop;
        }
        if let Some(at) = txn.cancel_after
            && let Some(stop) = limit(at, Allowance::Cancel)
        {
            return stop;
        }
        if let (Some(from), Some(rate)) = (txn.paced_from, self.rate) {
            let elapsed = self.last_now.duration_since(from).unwrap_or_default();
            let allowed =
                u64::try_from(u128::from(rate) * elapsed.as_millis() / 1000).unwrap_or(u64::MAX);
            // Move in pieces of about 50 ms of the rate, never nothing forever.
            let piece = (rate / 20).clamp(1, want.max(1) as u64);
            if allowed < done.saturating_add(piece.min(go as u64)) {
                let need = done.saturating_add(piece.min(go as u64));
                let at = from + Duration::from_secs_f64(need as f64 / rate as f64);
                self.pace_wait = Some(at);
                return Allowance::Wait(at);
            }
            self.pace_wait = None;
            go = go.min(usize::try_from(allowed - done).unwrap_or(usize::MAX));
        }
        Allowance::Go(go)
    }

    /// The cancel of the transaction in progress was carried out (the rest of its data phase
    /// passes, to be read and forgotten).
    pub(crate) fn cancelled(&mut self) {
        if let Some(txn) = &mut self.txn {
            txn.cancel_after = None;
        }
    }

    /// The response of `tid` went out: whether the link drops now, and for how long.
    pub(crate) fn responded(&mut self, tid: u32) -> Option<Option<Duration>> {
        let txn = self.txn.take_if(|t| t.tid == tid)?;
        self.pace_wait = None;
        txn.disconnect.map(|(_, replug)| replug)
    }

    /// The link must drop at byte `done` of the data phase: for how long.
    pub(crate) fn disconnect_replug(&self) -> Option<Duration> {
        self.txn.and_then(|t| t.disconnect).and_then(|(_, r)| r)
    }

    /// When something is due.
    pub(crate) fn poll_timeout(&self) -> Option<SystemTime> {
        let mut at = earliest(self.replug_at, self.reinsert_at);
        at = earliest(at, self.drop_at);
        at = earliest(at, self.pace_wait);
        for p in &self.planned {
            let due = match p.run {
                Run::Waiting if !p.fault.kind.acts_on_operation() => {
                    match (p.armed_at, p.fault.trigger.after) {
                        (Some(armed), Some(after)) => Some(armed + after),
                        // Not armed yet: the next turn arms it.
                        (None, _) => Some(self.last_now),
                        _ => None,
                    }
                }
                Run::Draining(dead_at) => Some(dead_at),
                _ => None,
            };
            at = earliest(at, due);
        }
        if let Some(remote) = &self.remote {
            let poll = if remote.waiting() {
                self.last_now
            } else {
                self.last_now + REMOTE_POLL
            };
            at = earliest(at, Some(poll));
        }
        at
    }

    /// Time passed: the effects of what is due.
    pub(crate) fn handle_timeout(&mut self, now: SystemTime, effects: &mut Vec<Effect>) {
        self.touch(now);
        if self.replug_at.is_some_and(|at| at <= now) {
            self.replug_at = None;
            effects.push(Effect::LinkUp);
        }
        if self.drop_at.is_some_and(|at| at <= now) {
            self.drop_at = None;
            effects.push(Effect::LinkDown(None));
        }
        if self.reinsert_at.is_some_and(|at| at <= now) {
            self.reinsert_at = None;
            effects.push(Effect::Card(true));
        }
        if self.pace_wait.is_some_and(|at| at <= now) {
            self.pace_wait = None;
        }
        self.tick_state(now, None, effects);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: SystemTime = SystemTime::UNIX_EPOCH;

    fn at(ms: u64) -> SystemTime {
        T0 + Duration::from_millis(ms)
    }

    fn steer(faults: &[&str]) -> Steer {
        let mut s = Steer::default();
        for f in faults {
            s.add(f.parse().unwrap_or_else(|e| panic!("{e}")));
        }
        s
    }

    fn gate(s: &mut Steer, ms: u64, code: OperationCode, name: &str) -> Gate {
        let mut effects = Vec::new();
        s.gate(at(ms), 1, code, Some(name), &mut effects)
    }

    #[test]
    fn busy_counts_matching_operations() {
        let mut s = steer(&["busy:on=GetObject,ops=2"]);
        let busy = Gate::Refuse(ResponseCode::DEVICE_BUSY);
        assert_eq!(
            gate(&mut s, 0, OperationCode::GET_OBJECT_INFO, "GetObjectInfo"),
            Gate::Pass
        );
        assert_eq!(
            gate(&mut s, 1, OperationCode::GET_OBJECT, "GetObject"),
            busy
        );
        assert_eq!(
            gate(&mut s, 2, OperationCode::GET_OBJECT_INFO, "GetObjectInfo"),
            Gate::Pass
        );
        assert_eq!(
            gate(&mut s, 3, OperationCode::GET_OBJECT, "GetObject"),
            busy
        );
        assert_eq!(
            gate(&mut s, 4, OperationCode::GET_OBJECT, "GetObject"),
            Gate::Pass
        );
        assert!(s.active().is_empty());
    }

    #[test]
    fn busy_for_a_while_after_some_operations() {
        let mut s = steer(&["busy:for=1s,after-ops=2"]);
        let busy = Gate::Refuse(ResponseCode::DEVICE_BUSY);
        let op = OperationCode::GET_DEVICE_INFO;
        assert_eq!(gate(&mut s, 0, op, "GetDeviceInfo"), Gate::Pass);
        assert_eq!(gate(&mut s, 10, op, "GetDeviceInfo"), Gate::Pass);
        assert_eq!(gate(&mut s, 20, op, "GetDeviceInfo"), busy);
        assert_eq!(gate(&mut s, 1019, op, "GetDeviceInfo"), busy);
        assert_eq!(gate(&mut s, 1020, op, "GetDeviceInfo"), Gate::Pass);
    }

    #[test]
    fn a_slow_card_paces_at_its_rate() {
        let mut s = steer(&["slow-card:rate=1000"]);
        let mut effects = Vec::new();
        s.handle_timeout(at(0), &mut effects);
        assert_eq!(
            gate(&mut s, 0, OperationCode::GET_OBJECT, "GetObject"),
            Gate::Pass
        );
        s.data_in_started(at(0), 1, true);
        // 50 bytes (50 ms of the rate) at a time, each when its time has come.
        assert_eq!(s.allowance(1, 0, 4096), Allowance::Wait(at(50)));
        s.handle_timeout(at(50), &mut effects);
        assert_eq!(s.allowance(1, 0, 4096), Allowance::Go(50));
        assert_eq!(s.allowance(1, 50, 4096), Allowance::Wait(at(100)));
        s.handle_timeout(at(1000), &mut effects);
        assert_eq!(s.allowance(1, 50, 4096), Allowance::Go(950));
        // Memory objects are not on the card.
        assert_eq!(
            gate(&mut s, 1000, OperationCode::GET_OBJECT, "GetObject"),
            Gate::Pass
        );
        s.data_in_started(at(1000), 1, false);
        assert_eq!(s.allowance(1, 0, 4096), Allowance::Go(4096));
    }

    #[test]
    fn disconnect_and_cancel_cut_the_data_phase() {
        let mut s = steer(&["disconnect:on=GetObject,after-bytes=100,replug=2s"]);
        assert_eq!(
            gate(&mut s, 0, OperationCode::GET_OBJECT, "GetObject"),
            Gate::Pass
        );
        assert_eq!(s.allowance(1, 0, 4096), Allowance::Go(100));
        assert_eq!(s.allowance(1, 100, 4096), Allowance::Disconnect);
        assert_eq!(s.disconnect_replug(), Some(Duration::from_secs(2)));
        let mut s = steer(&["cancel:after-bytes=10"]);
        assert_eq!(
            gate(&mut s, 0, OperationCode::SEND_OBJECT, "SendObject"),
            Gate::Pass
        );
        assert_eq!(s.allowance(1, 0, 4096), Allowance::Go(10));
        assert_eq!(s.allowance(1, 10, 4096), Allowance::Cancel);
        let mut s = steer(&["disconnect:after-ops=1,replug=never"]);
        assert_eq!(
            gate(&mut s, 0, OperationCode::OPEN_SESSION, "OpenSession"),
            Gate::Pass
        );
        assert_eq!(s.responded(1), None);
        assert_eq!(
            gate(&mut s, 1, OperationCode::GET_OBJECT, "GetObject"),
            Gate::Pass
        );
        assert_eq!(s.responded(1), Some(None));
    }

    #[test]
    fn state_faults_start_with_time_and_end_with_effects() {
        let mut s = steer(&[
            "card-removed:after=1s,reinsert=2s",
            "battery:level=5,dead-after=10s",
        ]);
        let mut effects = Vec::new();
        s.handle_timeout(at(0), &mut effects);
        assert_eq!(effects, [Effect::Battery(5)]);
        assert_eq!(s.poll_timeout(), Some(at(1000)));
        effects.clear();
        s.handle_timeout(at(1000), &mut effects);
        assert_eq!(effects, [Effect::Card(false)]);
        effects.clear();
        s.handle_timeout(at(3000), &mut effects);
        assert_eq!(effects, [Effect::Card(true)]);
        effects.clear();
        s.handle_timeout(at(10_000), &mut effects);
        assert_eq!(effects, [Effect::Battery(0)]);
        effects.clear();
        s.handle_timeout(at(11_000), &mut effects);
        assert_eq!(effects, [Effect::LinkDown(None)]);
    }
}
