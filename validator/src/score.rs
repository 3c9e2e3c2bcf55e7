//! From audit results and usefulness to weights (SPEC §6.6).
//!
//! For the miners of a round with `u_i` the usefulness (validation loss before − after the
//! update, on batches seeded by the audit seed) of those that passed every check:
//!
//! ```text
//! weight_i = 0                                          audit failed (or not scored)
//! weight_i = 1 + floor(65534 · max(u_i, 0) / U)         passed, U = max_j max(u_j, 0) > 0
//! weight_i = 1                                          passed, U = 0 (no update helped)
//! ```
//!
//! so weights are in `0..=65535`, a failed audit always gets 0, a passing miner at least 1
//! (its work was verified even if its update did not help this time), and the most useful
//! update 65535. The chain normalises the row.

use arena_chain_client::types::Uid;

/// One miner's result as scoring sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoreInput {
	/// The miner's UID.
	pub uid: Uid,
	/// Whether every audit of the miner passed.
	pub passed: bool,
	/// Its usefulness (`None` when it was not computed).
	pub usefulness: Option<f64>,
}

/// The weight of each input (same order), per the module formula.
pub fn weights(inputs: &[ScoreInput]) -> Vec<u16> {
	let positive = |i: &ScoreInput| match i.usefulness {
		Some(u) if i.passed && u.is_finite() && u > 0.0 => u,
		_ => 0.0,
	};
	let best = inputs.iter().map(positive).fold(0.0f64, f64::max);
	inputs
		.iter()
		.map(|i| {
			if !i.passed || i.usefulness.is_none() {
				return 0;
			}
			if best <= 0.0 {
				return 1;
			}
			let scaled = (65534.0 * positive(i) / best).floor();
			1 + scaled.clamp(0.0, 65534.0) as u16
		})
		.collect()
}

#[cfg(test)]
mod tests {
	use super::*;

	fn i(uid: Uid, passed: bool, u: Option<f64>) -> ScoreInput {
		ScoreInput {
			uid,
			passed,
			usefulness: u,
		}
	}

	#[test]
	fn failed_audit_gets_zero_and_best_gets_max() {
		let w = weights(&[
			i(0, true, Some(0.2)),
			i(1, true, Some(0.1)),
			i(2, false, Some(0.5)),
		]);
		assert_eq!(w, vec![65535, 32768, 0]);
	}

	#[test]
	fn passing_miner_without_useful_update_gets_the_floor() {
		let w = weights(&[i(0, true, Some(-0.1)), i(1, true, Some(0.0))]);
		assert_eq!(w, vec![1, 1]);
		let w = weights(&[i(0, true, Some(-0.1)), i(1, true, Some(0.3))]);
		assert_eq!(w, vec![1, 65535]);
	}

	#[test]
	fn non_finite_usefulness_counts_as_zero() {
		let w = weights(&[i(0, true, Some(f64::NAN)), i(1, true, Some(1.0))]);
		assert_eq!(w, vec![1, 65535]);
		assert_eq!(weights(&[i(0, true, None)]), vec![0]);
	}
}
