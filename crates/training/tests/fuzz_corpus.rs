//! Fuzz smoke on stable Rust: every committed seed (`fuzz/corpus/<target>/`) and crash
//! regression (`fuzz/regressions/<target>/`) goes through the same harness function its
//! cargo-fuzz target calls, so the fuzzers' properties are checked in every `cargo test`
//! without a sanitizer or nightly build.

#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::{Path, PathBuf};

/// A fuzz target's harness function: whether the input decoded.
type Harness = fn(&[u8]) -> bool;

const TARGETS: [(&str, Harness); 3] = [
	("update_decode", harness::update_decode),
	("checkpoint_decode", harness::checkpoint_decode),
	("state_decode", harness::state_decode),
];

fn fuzz_dir() -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// `(file name, bytes)` of every file in `dir` (none if it does not exist).
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
	let Ok(entries) = std::fs::read_dir(dir) else {
		return Vec::new();
	};
	let mut out: Vec<_> = entries
		.map(|e| {
			let path = e.expect("readable directory").path();
			let name = path
				.file_name()
				.expect("file name")
				.to_string_lossy()
				.into_owned();
			(name, std::fs::read(&path).expect("readable seed"))
		})
		.collect();
	out.sort();
	out
}

#[test]
fn every_committed_seed_passes_its_fuzz_harness() {
	for (target, run) in TARGETS {
		let seeds = files(&fuzz_dir().join("corpus").join(target));
		assert!(
			seeds.iter().any(|(n, _)| n.starts_with("valid-")),
			"{target} has no valid seed"
		);
		for (name, bytes) in seeds {
			let decoded = run(&bytes);
			if name.starts_with("valid-") {
				assert!(decoded, "{target}/{name} no longer decodes");
			}
			if name.starts_with("truncated-") {
				assert!(!decoded, "{target}/{name} decodes although truncated");
			}
		}
	}
}

#[test]
fn every_crash_regression_passes_its_fuzz_harness() {
	for (target, run) in TARGETS {
		for (_, bytes) in files(&fuzz_dir().join("regressions").join(target)) {
			run(&bytes);
		}
	}
}

#[test]
fn committed_seeds_are_the_generated_ones() {
	for (target, name, bytes) in harness::seeds() {
		let path = fuzz_dir().join("corpus").join(target).join(&name);
		if std::env::var_os("ARENA_WRITE_FUZZ_SEEDS").is_some() {
			std::fs::create_dir_all(path.parent().expect("parent")).expect("corpus directory");
			std::fs::write(&path, &bytes).expect("seed written");
		}
		let committed = std::fs::read(&path).unwrap_or_default();
		assert!(
			committed == bytes,
			"{target}/{name} differs from the generator (regenerate with ARENA_WRITE_FUZZ_SEEDS=1)"
		);
	}
}
