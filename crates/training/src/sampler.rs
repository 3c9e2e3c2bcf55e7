//! Deterministic batch sampling (SPEC §6.2).
//!
//! The batch of inner step `t` for a miner is a pure function of `(round seed, hotkey, t)`:
//!
//! ```text
//! seed_t  = BLAKE3-derive-key("arena-training batch seed v1",
//!                             round_seed ‖ len(hotkey) as u64 LE ‖ hotkey ‖ t as u64 LE)
//! rng     = ChaCha20(seed_t)                     (rand_chacha, 32-byte seed, stream 0)
//! off_b   = uniform(rng, N - T - 1 + 1)  for b = 0..B   (rejection sampling on next_u64)
//! input_b = tokens[off_b .. off_b + T],  target_b = tokens[off_b + 1 .. off_b + T + 1]
//! ```
//!
//! `N` is the split's length, `T` the context, `B` the batch size. One thread, no shuffling:
//! every miner and validator draws the same windows. Evaluation batches use the same scheme
//! with [`eval_seed`] instead of [`batch_seed`].

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// Token windows of one batch, row-major `[batch, context]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
	/// Sequences.
	pub batch_size: usize,
	/// Tokens per sequence.
	pub context: usize,
	/// Window start offsets into the split.
	pub offsets: Vec<usize>,
	/// Input tokens.
	pub inputs: Vec<i64>,
	/// Next-token targets.
	pub targets: Vec<i64>,
}

/// Seed of the training batch at step `t` of a miner's round.
pub fn batch_seed(round_seed: &[u8; 32], hotkey: &[u8], step: u64) -> [u8; 32] {
	let mut h = blake3::Hasher::new_derive_key("arena-training batch seed v1");
	h.update(round_seed);
	h.update(&(hotkey.len() as u64).to_le_bytes());
	h.update(hotkey);
	h.update(&step.to_le_bytes());
	*h.finalize().as_bytes()
}

/// Seed of evaluation batch `i` for a given evaluation seed (e.g. the audit seed).
pub fn eval_seed(seed: &[u8; 32], index: u64) -> [u8; 32] {
	let mut h = blake3::Hasher::new_derive_key("arena-training eval seed v1");
	h.update(seed);
	h.update(&index.to_le_bytes());
	*h.finalize().as_bytes()
}

/// Uniform integer in `0..n` (`n > 0`) by rejection: values of `next_u64` at or above the
/// largest multiple of `n` are redrawn, so there is no modulo bias.
pub fn uniform_below(rng: &mut ChaCha20Rng, n: u64) -> u64 {
	debug_assert!(n > 0);
	let zone = u64::MAX - (u64::MAX % n);
	loop {
		let x = rng.next_u64();
		if x < zone {
			return x % n;
		}
	}
}

/// Draws the batch for `seed` from `tokens`. Returns `None` if `tokens` is shorter than
/// `context + 1` (callers check corpora with [`crate::corpus::Corpus::check_fits`]).
pub fn sample_batch(
	tokens: &[u8],
	batch_size: usize,
	context: usize,
	seed: [u8; 32],
) -> Option<Batch> {
	let window = context + 1;
	if tokens.len() < window || batch_size == 0 {
		return None;
	}
	let positions = (tokens.len() - window + 1) as u64;
	let mut rng = ChaCha20Rng::from_seed(seed);
	let mut offsets = Vec::with_capacity(batch_size);
	let mut inputs = Vec::with_capacity(batch_size * context);
	let mut targets = Vec::with_capacity(batch_size * context);
	for _ in 0..batch_size {
		let off = uniform_below(&mut rng, positions) as usize;
		offsets.push(off);
		inputs.extend(tokens[off..off + context].iter().map(|&b| b as i64));
		targets.extend(tokens[off + 1..off + window].iter().map(|&b| b as i64));
	}
	Some(Batch {
		batch_size,
		context,
		offsets,
		inputs,
		targets,
	})
}

#[cfg(test)]
mod tests {
	use super::*;

	fn text() -> Vec<u8> {
		(0..10_000u32).map(|i| (i % 251) as u8).collect()
	}

	#[test]
	fn same_inputs_same_batch() {
		let s = batch_seed(&[7; 32], b"hotkey-a", 3);
		let a = sample_batch(&text(), 4, 16, s).unwrap();
		let b = sample_batch(&text(), 4, 16, s).unwrap();
		assert_eq!(a, b);
		assert_eq!(a.inputs.len(), 64);
		assert_eq!(a.inputs[1], a.targets[0]);
	}

	#[test]
	fn hotkey_step_and_round_seed_change_the_batch() {
		let base = sample_batch(&text(), 4, 16, batch_seed(&[7; 32], b"a", 3)).unwrap();
		for seed in [
			batch_seed(&[7; 32], b"b", 3),
			batch_seed(&[7; 32], b"a", 4),
			batch_seed(&[8; 32], b"a", 3),
		] {
			let other = sample_batch(&text(), 4, 16, seed).unwrap();
			assert_ne!(base.offsets, other.offsets);
		}
	}

	#[test]
	fn hotkey_encoding_is_unambiguous() {
		// (hotkey "ab", step) must not collide with a hotkey that absorbs step bytes.
		assert_ne!(
			batch_seed(&[0; 32], b"ab", 0),
			batch_seed(&[0; 32], b"a", 0)
		);
		assert_ne!(batch_seed(&[0; 32], b"a", 0), eval_seed(&[0; 32], 0));
	}

	#[test]
	fn windows_stay_in_bounds_and_cover_the_range() {
		let t = vec![1u8; 20];
		let mut seen = [false; 4];
		for step in 0..200 {
			let b = sample_batch(&t, 2, 16, batch_seed(&[1; 32], b"k", step)).unwrap();
			for &o in &b.offsets {
				assert!(o + 17 <= t.len());
				seen[o] = true;
			}
		}
		assert!(seen.iter().all(|&s| s), "all 4 start positions drawn");
		assert!(sample_batch(&t[..16], 1, 16, [0; 32]).is_none());
	}

	#[test]
	fn uniform_below_is_in_range() {
		let mut rng = ChaCha20Rng::from_seed([3; 32]);
		for n in [1u64, 2, 3, 1000, u64::MAX] {
			for _ in 0..100 {
				assert!(uniform_below(&mut rng, n) < n);
			}
		}
	}
}
