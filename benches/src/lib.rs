//! vcam's criterion benchmarks (run `cargo bench -p vcam-benches`):
//!
//! - `codec`: decoding and encoding containers (1 KiB and 16 MiB data payloads: decoding a data
//!   container borrows its payload, so both sizes cost the same) and a real camera's
//!   DeviceInfo, each beside a memcpy of the same bytes.
//! - `ptpip`: GetObject of a 64 MiB object over PTP/IP on loopback with `ptp-initiator`,
//!   beside raw loopback TCP throughput measured in the same run.
//!
//! Timing is never asserted in tests; these ratios are the figures to watch.
