//! Fuzz smoke on stable Rust: every committed seed (`fuzz/corpus/<target>/`) and crash
//! regression (`fuzz/regressions/<target>/`) goes through the same harness function its
//! cargo-fuzz target calls, so the fuzzers' properties are checked in every `cargo test`
//! without a sanitizer or nightly build.

#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::{Path, PathBuf};

/// A fuzz target's harness function.
type Harness = fn(&[u8]);

const TARGETS: [(&str, Harness); 3] = [
	("verified_body", harness::verified_body),
	("range_header", harness::range_header),
	("fetch_response", harness::fetch_response),
];

fn fuzz_dir() -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The bytes of every file in `dir`, in name order (none if it does not exist).
fn files(dir: &Path) -> Vec<Vec<u8>> {
	let Ok(entries) = std::fs::read_dir(dir) else {
		return Vec::new();
	};
	let mut paths: Vec<_> = entries
		.map(|e| e.expect("readable directory").path())
		.collect();
	paths.sort();
	paths
		.iter()
		.map(|p| std::fs::read(p).expect("readable seed"))
		.collect()
}

#[test]
fn every_committed_seed_passes_its_fuzz_harness() {
	for (target, run) in TARGETS {
		let seeds = files(&fuzz_dir().join("corpus").join(target));
		assert!(!seeds.is_empty(), "{target} has no committed seed");
		for bytes in seeds {
			run(&bytes);
		}
	}
}

#[test]
fn every_crash_regression_passes_its_fuzz_harness() {
	for (target, run) in TARGETS {
		for bytes in files(&fuzz_dir().join("regressions").join(target)) {
			run(&bytes);
		}
	}
}
