//! The error-feedback binding (SPEC §6.3): hashing the residual `e` and the buffer a round
//! must start from.
//!
//! A miner's round `r` starts from the buffer `e_r` and ends with
//! `e_{r+1} = θ_H − θ_0 + β·e_r − decompress(u)` (see [`crate::compression`]). It commits
//! `residual_hash(e_{r+1})`; the chain keeps the last one per (subnet, hotkey). In its next
//! round, the `e` in leaf 0 (and, since `e` is constant within a round, in every leaf) must
//! hash to that value, so the miner cannot choose `e` to steer its update.
//!
//! Canonical bytes, version 1, little-endian — the error-feedback group of a state
//! ([`crate::state`]) behind a magic and a version:
//!
//! ```text
//! "ARNRESID" (8 bytes) ‖ version: u32 = 1 ‖ n_tensors: u32
//! for each tensor in canonical order:
//!     name_len: u32 ‖ name (UTF-8) ‖ rank: u32 ‖ dims: u64 × rank ‖ values: f32 LE × numel
//! ```
//!
//! `residual_hash = BLAKE3(canonical bytes)`.
//!
//! **First round.** A hotkey with no residual on chain (`None`) must start from the zero
//! buffer: every value `+0.0` (bit pattern 0) in the model's layout, i.e. a leaf-0 `e` whose
//! hash is [`zero_residual_hash`]`(layout)`. A chain may equally store that hash as the
//! initial value; both mean the same buffer.

use crate::params::{ParamSet, ParamSpec};
use crate::state::{write_group, Hash32};

const MAGIC: &[u8; 8] = b"ARNRESID";
const VERSION: u32 = 1;

/// Canonical bytes of an error-feedback buffer (see the module documentation).
pub fn residual_bytes(e: &ParamSet) -> Vec<u8> {
	let mut out = Vec::with_capacity(16 + e.numel() * 4 + 64 * e.tensors().len());
	out.extend_from_slice(MAGIC);
	out.extend_from_slice(&VERSION.to_le_bytes());
	write_group(&mut out, e);
	out
}

/// `BLAKE3(residual_bytes(e))`, the `residual_hash` a miner commits.
pub fn residual_hash(e: &ParamSet) -> Hash32 {
	*blake3::hash(&residual_bytes(e)).as_bytes()
}

/// Hash of the all-`+0.0` buffer of `layout`: what a first round starts from.
pub fn zero_residual_hash(layout: &[ParamSpec]) -> Hash32 {
	residual_hash(&ParamSet::zeros(layout))
}

/// The hash the `e` of a round's states must have: the residual the hotkey last committed
/// on this subnet, or [`zero_residual_hash`] when it has none (`previous = None`).
pub fn expected_start_residual_hash(layout: &[ParamSpec], previous: Option<&Hash32>) -> Hash32 {
	match previous {
		Some(h) => *h,
		None => zero_residual_hash(layout),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn layout() -> Vec<ParamSpec> {
		vec![
			ParamSpec {
				name: "w".into(),
				shape: vec![2, 2],
				decay: true,
			},
			ParamSpec {
				name: "b".into(),
				shape: vec![3],
				decay: false,
			},
		]
	}

	#[test]
	fn residual_hash_is_over_the_canonical_bytes_and_every_bit() {
		let l = layout();
		let zero = ParamSet::zeros(&l);
		let bytes = residual_bytes(&zero);
		assert_eq!(&bytes[..8], b"ARNRESID");
		assert_eq!(&bytes[8..12], &1u32.to_le_bytes());
		// 2 tensors: (4 + 1 + 4 + 2·8 + 4·4) + (4 + 1 + 4 + 8 + 3·4) bytes after the count.
		assert_eq!(bytes.len(), 12 + 4 + 41 + 29);
		assert_eq!(residual_hash(&zero), *blake3::hash(&bytes).as_bytes());
		assert_eq!(zero_residual_hash(&l), residual_hash(&zero));
		let mut neg = zero.clone();
		neg.tensors_mut()[1].data[2] = -0.0;
		assert_ne!(residual_hash(&neg), zero_residual_hash(&l));
	}

	#[test]
	fn first_round_expects_the_zero_buffer_later_rounds_the_committed_hash() {
		let l = layout();
		assert_eq!(
			expected_start_residual_hash(&l, None),
			zero_residual_hash(&l)
		);
		let h = [7u8; 32];
		assert_eq!(expected_start_residual_hash(&l, Some(&h)), h);
	}

	#[test]
	fn residual_hash_differs_from_the_state_hash_domain() {
		// Same group bytes, different magic: a residual hash is never a state hash.
		let l = layout();
		let zero = ParamSet::zeros(&l);
		let st = crate::state::TrainState::round_start(zero.clone(), zero.clone());
		assert_ne!(st.hash(), residual_hash(&zero));
	}
}
