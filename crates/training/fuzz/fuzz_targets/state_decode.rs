//! cargo-fuzz target `state_decode`: a thin wrapper over `harness::state_decode` (see `../harness.rs`; the
//! crate's `tests/fuzz_corpus.rs` replays the committed corpus through the same function).
#![no_main]

#[allow(dead_code)]
#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
	harness::state_decode(data);
});
