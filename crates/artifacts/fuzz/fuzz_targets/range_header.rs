//! cargo-fuzz target `range_header`: a thin wrapper over `harness::range_header` (see `../harness.rs`; the
//! crate's `tests/fuzz_corpus.rs` replays the committed corpus through the same function).
#![no_main]

#[allow(dead_code)]
#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
	harness::range_header(data);
});
