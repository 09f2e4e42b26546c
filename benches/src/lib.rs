//! vcam's criterion benchmarks (run `cargo bench -p vcam-benches`):
//!
//! - `codec`: decoding and encoding containers (1 KiB and 16 MiB data payloads: decoding a data
//!   container borrows its payload, so both sizes cost the same; encoding writes the header
//!   only, or the header and a copy of the payload) and real cameras' DeviceInfo datasets from
//!   `fixtures/deviceinfo` (a constructed one when there are none), each beside a memcpy of
//!   the same bytes.
//! - `ptpip`: GetObject of a 64 MiB object over PTP/IP on loopback with `ptp-initiator`,
//!   beside raw loopback TCP throughput measured in the same run.
//!
//! Timing is never asserted in tests; these ratios are the figures to watch.
