//! io.c: asynchronous transfers (allocation, submission, cancellation, completion) and event
//! handling. Finished transfers complete, with their callbacks, inside `libusb_handle_events*`
//! on the caller's thread.

use std::ffi::{c_int, c_void};
use std::ptr;
use std::time::{Duration, Instant};

use vcam_usb::{ControlReply, InStatus, OutStatus, SetupPacket};

use super::handle_of;
use crate::abi::{error, flags, libusb_context, libusb_transfer, status, timeval, transfer_type};
use crate::runtime::{Outcome, Pending, State, shim};

export! {
    /// `struct libusb_transfer *libusb_alloc_transfer(int iso_packets)`: zeroed, from `calloc`.
    fn libusb_alloc_transfer(iso_packets: c_int) -> *mut libusb_transfer {
        let Ok(iso) = usize::try_from(iso_packets) else {
            return ptr::null_mut();
        };
        let size = size_of::<libusb_transfer>()
            + iso.saturating_mul(size_of::<crate::abi::libusb_iso_packet_descriptor>());
        // SAFETY: calloc has no preconditions; NULL is returned on failure.
        unsafe { libc::calloc(1, size).cast() }
    }

    /// `void libusb_free_transfer(struct libusb_transfer *transfer)`; frees the buffer too when
    /// `LIBUSB_TRANSFER_FREE_BUFFER` is set.
    fn libusb_free_transfer(transfer: *mut libusb_transfer) {
        if transfer.is_null() {
            return;
        }
        shim()
            .lock()
            .pending
            .retain(|p| p.transfer != transfer as usize);
        // SAFETY: the transfer came from libusb_alloc_transfer (calloc); its buffer, when
        // FREE_BUFFER is set, was malloc'ed by the caller (libusb's documented contract).
        unsafe {
            if (*transfer).flags & flags::FREE_BUFFER != 0 && !(*transfer).buffer.is_null() {
                libc::free((*transfer).buffer.cast());
            }
            libc::free(transfer.cast());
        }
    }

    /// `int libusb_submit_transfer(struct libusb_transfer *transfer)`. OUT and control transfers
    /// are carried out now and complete on the next event handling; IN transfers stay pending
    /// until the device has data, the timeout expires or they are cancelled.
    fn libusb_submit_transfer(transfer: *mut libusb_transfer) -> c_int {
        if transfer.is_null() {
            return error::INVALID_PARAM;
        }
        // SAFETY: `transfer` is a live libusb_transfer owned by the caller.
        let t = unsafe { &*transfer };
        let Some(h) = handle_of(t.dev_handle) else {
            return error::NO_DEVICE;
        };
        let Ok(length) = usize::try_from(t.length) else {
            return error::INVALID_PARAM;
        };
        if length > 0 && t.buffer.is_null() {
            return error::INVALID_PARAM;
        }
        let shim = shim();
        let mut st = shim.lock();
        if st.pending.iter().any(|p| p.transfer == transfer as usize) {
            return error::BUSY;
        }
        let device = h.device.index;
        let deadline =
            (t.timeout > 0).then(|| Instant::now() + Duration::from_millis(u64::from(t.timeout)));
        let outcome = match t.r#type {
            transfer_type::CONTROL => {
                if length < 8 {
                    return error::INVALID_PARAM;
                }
                // SAFETY: a control transfer's buffer holds the 8-byte setup packet and
                // wLength data bytes (libusb_fill_control_setup), `length` in all.
                let buf = unsafe { std::slice::from_raw_parts_mut(t.buffer, length) };
                let mut setup_bytes = [0u8; 8];
                setup_bytes.copy_from_slice(&buf[..8]);
                let setup = SetupPacket::from_bytes(setup_bytes);
                let data_len = usize::from(setup.length).min(length - 8);
                let out = if setup.is_in() {
                    Vec::new()
                } else {
                    buf[8..8 + data_len].to_vec()
                };
                match st.control(device, setup, &out) {
                    Some(ControlReply::Ok(bytes)) => {
                        let n = if setup.is_in() {
                            let n = bytes.len().min(data_len);
                            buf[8..8 + n].copy_from_slice(&bytes[..n]);
                            n
                        } else {
                            data_len
                        };
                        Some(Outcome {
                            status: status::COMPLETED,
                            actual: n,
                        })
                    }
                    Some(ControlReply::Stall) => Some(Outcome {
                        status: status::STALL,
                        actual: 0,
                    }),
                    None => Some(Outcome {
                        status: status::NO_DEVICE,
                        actual: 0,
                    }),
                }
            }
            transfer_type::BULK | transfer_type::INTERRUPT => {
                match st.has_endpoint(device, t.endpoint) {
                    None => return error::NO_DEVICE,
                    // usbfs refuses the URB with ENOENT, which libusb's submit_bulk_transfer
                    // returns as LIBUSB_ERROR_IO; the transfer is never pending.
                    Some(false) => return error::IO,
                    Some(true) => {}
                }
                if t.endpoint & 0x80 == 0 {
                    let bytes: &[u8] = if length == 0 {
                        &[]
                    } else {
                        // SAFETY: an OUT transfer's buffer holds `length` readable bytes.
                        unsafe { std::slice::from_raw_parts(t.buffer, length) }
                    };
                    Some(match st.transfer_out(device, t.endpoint, bytes) {
                        Some(OutStatus::Accepted) => Outcome {
                            status: status::COMPLETED,
                            actual: length,
                        },
                        Some(OutStatus::Stall) => Outcome {
                            status: status::STALL,
                            actual: 0,
                        },
                        Some(OutStatus::NoEndpoint) => Outcome {
                            status: status::ERROR,
                            actual: 0,
                        },
                        None => Outcome {
                            status: status::NO_DEVICE,
                            actual: 0,
                        },
                    })
                } else {
                    None
                }
            }
            _ => return error::NOT_SUPPORTED,
        };
        st.pending.push(Pending {
            transfer: transfer as usize,
            device,
            endpoint: t.endpoint,
            length,
            deadline,
            outcome,
        });
        drop(st);
        shim.notify();
        error::SUCCESS
    }

    /// `int libusb_cancel_transfer(struct libusb_transfer *transfer)`: the callback runs with
    /// `LIBUSB_TRANSFER_CANCELLED` on the next event handling.
    fn libusb_cancel_transfer(transfer: *mut libusb_transfer) -> c_int {
        let shim = shim();
        let mut st = shim.lock();
        let Some(p) = st
            .pending
            .iter_mut()
            .find(|p| p.transfer == transfer as usize && p.outcome.is_none())
        else {
            return error::NOT_FOUND;
        };
        p.outcome = Some(Outcome {
            status: status::CANCELLED,
            actual: 0,
        });
        drop(st);
        shim.notify();
        error::SUCCESS
    }

    /// `int libusb_handle_events_timeout_completed(libusb_context *, struct timeval *tv, int *completed)`.
    fn libusb_handle_events_timeout_completed(
        _ctx: *mut libusb_context,
        tv: *mut timeval,
        completed: *mut c_int,
    ) -> c_int {
        handle_events_until(Some(tv_duration(tv).unwrap_or(Duration::ZERO)), completed)
    }

    /// `int libusb_handle_events_timeout(libusb_context *ctx, struct timeval *tv)`.
    fn libusb_handle_events_timeout(_ctx: *mut libusb_context, tv: *mut timeval) -> c_int {
        handle_events_until(
            Some(tv_duration(tv).unwrap_or(Duration::ZERO)),
            ptr::null_mut(),
        )
    }

    /// `int libusb_handle_events(libusb_context *ctx)` (waits up to 60 s, as libusb does).
    fn libusb_handle_events(_ctx: *mut libusb_context) -> c_int {
        handle_events_until(None, ptr::null_mut())
    }

    /// `int libusb_handle_events_completed(libusb_context *ctx, int *completed)`.
    fn libusb_handle_events_completed(_ctx: *mut libusb_context, completed: *mut c_int) -> c_int {
        handle_events_until(None, completed)
    }

    /// `int libusb_handle_events_locked(libusb_context *ctx, struct timeval *tv)`.
    fn libusb_handle_events_locked(ctx: *mut libusb_context, tv: *mut timeval) -> c_int {
        // SAFETY: same contract.
        unsafe { libusb_handle_events_timeout(ctx, tv) }
    }

    /// `int libusb_get_next_timeout(libusb_context *ctx, struct timeval *tv)`: 0, no libusb-level
    /// timeouts to drive (event handling computes them itself).
    fn libusb_get_next_timeout(_ctx: *mut libusb_context, _tv: *mut timeval) -> c_int {
        0
    }

    /// `int libusb_try_lock_events(libusb_context *ctx)`: 0 (the lock is taken).
    fn libusb_try_lock_events(_ctx: *mut libusb_context) -> c_int {
        0
    }

    /// `void libusb_lock_events(libusb_context *ctx)`.
    fn libusb_lock_events(_ctx: *mut libusb_context) {}

    /// `void libusb_unlock_events(libusb_context *ctx)`.
    fn libusb_unlock_events(_ctx: *mut libusb_context) {}

    /// `int libusb_event_handling_ok(libusb_context *ctx)`.
    fn libusb_event_handling_ok(_ctx: *mut libusb_context) -> c_int {
        1
    }

    /// `int libusb_event_handler_active(libusb_context *ctx)`.
    fn libusb_event_handler_active(_ctx: *mut libusb_context) -> c_int {
        0
    }

    /// `void libusb_interrupt_event_handler(libusb_context *ctx)`.
    fn libusb_interrupt_event_handler(_ctx: *mut libusb_context) {
        shim().notify();
    }

    /// `void libusb_lock_event_waiters(libusb_context *ctx)`.
    fn libusb_lock_event_waiters(_ctx: *mut libusb_context) {}

    /// `void libusb_unlock_event_waiters(libusb_context *ctx)`.
    fn libusb_unlock_event_waiters(_ctx: *mut libusb_context) {}

    /// `int libusb_wait_for_event(libusb_context *ctx, struct timeval *tv)`: waits for a change.
    fn libusb_wait_for_event(_ctx: *mut libusb_context, tv: *mut timeval) -> c_int {
        let shim = shim();
        let deadline = tv_duration(tv).map(|d| Instant::now() + d);
        let st = shim.lock();
        drop(shim.wait(st, deadline));
        0
    }

    /// `const struct libusb_pollfd **libusb_get_pollfds(libusb_context *ctx)`: there are no file
    /// descriptors to poll.
    fn libusb_get_pollfds(_ctx: *mut libusb_context) -> *mut *const c_void {
        ptr::null_mut()
    }

    /// `void libusb_free_pollfds(const struct libusb_pollfd **pollfds)`.
    fn libusb_free_pollfds(_pollfds: *mut *const c_void) {}

    /// `void libusb_set_pollfd_notifiers(...)`.
    fn libusb_set_pollfd_notifiers(
        _ctx: *mut libusb_context,
        _added: *const c_void,
        _removed: *const c_void,
        _user_data: *mut c_void,
    ) {}

    /// `int libusb_pollfds_handle_timeouts(libusb_context *ctx)`.
    fn libusb_pollfds_handle_timeouts(_ctx: *mut libusb_context) -> c_int {
        0
    }
}

/// Completes what can be completed: IN transfers with data, expired ones. Returns the
/// finished transfers, removed from the pending list.
fn collect_finished(st: &mut State) -> Vec<(usize, Outcome)> {
    st.drive();
    let now = Instant::now();
    for i in 0..st.pending.len() {
        let (transfer, device, endpoint, length, deadline, done) = {
            let p = &st.pending[i];
            (
                p.transfer,
                p.device,
                p.endpoint,
                p.length,
                p.deadline,
                p.outcome.is_some(),
            )
        };
        if done {
            continue;
        }
        let outcome = match st.transfer_in(device, endpoint, length) {
            Some(InStatus::Data(bytes)) => {
                let n = bytes.len().min(length);
                // SAFETY: the transfer is pending, hence live (libusb forbids freeing a
                // pending transfer; libusb_free_transfer drops it from the list anyway), and
                // its buffer holds `length` writable bytes.
                unsafe {
                    let t = transfer as *mut libusb_transfer;
                    ptr::copy_nonoverlapping(bytes.as_ptr(), (*t).buffer, n);
                }
                Some(Outcome {
                    status: status::COMPLETED,
                    actual: n,
                })
            }
            Some(InStatus::Stall) => Some(Outcome {
                status: status::STALL,
                actual: 0,
            }),
            Some(InStatus::NoEndpoint) => Some(Outcome {
                status: status::ERROR,
                actual: 0,
            }),
            None => Some(Outcome {
                status: status::NO_DEVICE,
                actual: 0,
            }),
            Some(InStatus::Pending) => deadline.is_some_and(|d| now >= d).then_some(Outcome {
                status: status::TIMED_OUT,
                actual: 0,
            }),
        };
        st.pending[i].outcome = outcome;
    }
    let mut finished = Vec::new();
    st.pending.retain(|p| match p.outcome {
        // Devices are shared by every context (one bus per process), so any context's event
        // handling completes any transfer.
        Some(o) => {
            finished.push((p.transfer, o));
            false
        }
        _ => true,
    });
    finished
}

/// Runs the callbacks of finished transfers, outside the lock (a callback may resubmit).
fn run_callbacks(finished: Vec<(usize, Outcome)>) {
    for (transfer, outcome) in finished {
        let t = transfer as *mut libusb_transfer;
        // SAFETY: the transfer was pending until just now, so it is live; we are its only
        // user until the callback gets it back.
        let (callback, flags) = unsafe {
            (*t).status = outcome.status;
            (*t).actual_length = c_int::try_from(outcome.actual).unwrap_or(c_int::MAX);
            ((*t).callback, (*t).flags)
        };
        if let Some(cb) = callback {
            // SAFETY: the callback and transfer were provided by the caller for this purpose.
            unsafe { cb(t) };
        }
        if flags & flags::FREE_TRANSFER != 0 {
            // SAFETY: FREE_TRANSFER hands the transfer to libusb after its callback.
            unsafe { libusb_free_transfer(t) };
        }
    }
}

fn handle_events_until(timeout: Option<Duration>, completed: *mut c_int) -> c_int {
    let deadline = Instant::now() + timeout.unwrap_or(Duration::from_secs(60));
    let shim = shim();
    let mut st = shim.lock();
    loop {
        let finished = collect_finished(&mut st);
        if !finished.is_empty() {
            drop(st);
            run_callbacks(finished);
            return error::SUCCESS;
        }
        // SAFETY: `completed`, when not NULL, points to the caller's flag; another thread's
        // callback may set it, hence the volatile read.
        if !completed.is_null() && unsafe { ptr::read_volatile(completed) } != 0 {
            return error::SUCCESS;
        }
        if Instant::now() >= deadline {
            return error::SUCCESS;
        }
        st = shim.wait(st, Some(deadline));
    }
}

fn tv_duration(tv: *mut timeval) -> Option<Duration> {
    if tv.is_null() {
        return None;
    }
    // SAFETY: `tv` points to a caller-owned timeval.
    let tv = unsafe { &*tv };
    let secs = u64::try_from(tv.tv_sec).unwrap_or(0);
    let micros = u64::try_from(tv.tv_usec).unwrap_or(0);
    Some(Duration::from_secs(secs) + Duration::from_micros(micros))
}
