//! Escrow rules (SPEC §5), the pure parts.
//!
//! ```text
//! release_block  = payout_block + window                (saturating; default window 2 tempos)
//! challenge open ⇔ now < release_block
//! quorum reached ⇔ supporting_stake >= ⌈quorum · active_stake⌉     (exact, no overflow)
//! ```
//!
//! The quorum comparison is exact: `⌈q·T⌉` is computed over 256 bits, and since stakes are
//! integers, `S >= ⌈q·T⌉ ⇔ S >= q·T`. A zero active stake never reaches quorum.
//!
//! The default quorum is **666,666,667 parts per billion** (`Perbill::from_rational(2, 3)`,
//! rounded to nearest), which is a hair *above* 2/3: with 3 equal validators, 2 of them are
//! *not* enough (2/3 < 0.666666667). A quorum of exactly 2/3 cannot be written as a Perbill;
//! use [`quorum_reached_ratio`] with `(2, 3)` for that.

use crate::{math::mul_div, Balance, BlockNumber};
use sp_arithmetic::{PerThing, Perbill, Rounding};

/// Default escrow window in tempos (SPEC §5: 2 tempos).
pub const DEFAULT_WINDOW_TEMPOS: BlockNumber = 2;

/// Default slash quorum: 2/3 of the active validator stake, as the nearest Perbill.
pub const DEFAULT_SLASH_QUORUM: Perbill = Perbill::from_parts(666_666_667);

/// Block at which an escrow entry created at `payout_block` is released (saturating).
pub fn release_block(payout_block: BlockNumber, window: BlockNumber) -> BlockNumber {
	payout_block.saturating_add(window)
}

/// The escrow window from a tempo: `tempos · tempo` blocks (saturating).
pub fn window_from_tempo(tempo: BlockNumber, tempos: BlockNumber) -> BlockNumber {
	tempo.saturating_mul(tempos)
}

/// Whether a challenge against an entry released at `release_block` can still be raised or
/// supported at block `now`.
pub fn challenge_open(now: BlockNumber, release_block: BlockNumber) -> bool {
	now < release_block
}

/// `supporting_stake >= quorum · active_stake`, exactly. `false` when `active_stake == 0`.
pub fn quorum_reached(supporting_stake: Balance, active_stake: Balance, quorum: Perbill) -> bool {
	if active_stake == 0 {
		return false;
	}
	let needed = mul_div(
		active_stake,
		u128::from(quorum.deconstruct()),
		u128::from(Perbill::ACCURACY),
		Rounding::Up,
	)
	// q <= 1, so ⌈q·T⌉ <= T always fits; keep the total as a safe upper bound anyway.
	.unwrap_or(active_stake);
	supporting_stake >= needed
}

/// `supporting_stake / active_stake >= num / den`, exactly (256-bit cross-multiplication).
/// `false` when `active_stake == 0` or `den == 0`.
pub fn quorum_reached_ratio(
	supporting_stake: Balance,
	active_stake: Balance,
	num: u128,
	den: u128,
) -> bool {
	if active_stake == 0 || den == 0 {
		return false;
	}
	// S·den >= num·T  ⇔  S >= ⌈num·T/den⌉ (S integer).
	match mul_div(active_stake, num, den, Rounding::Up) {
		Some(needed) => supporting_stake >= needed,
		None => false,
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	#[test]
	fn release_and_window() {
		assert_eq!(
			release_block(1_000, window_from_tempo(360, DEFAULT_WINDOW_TEMPOS)),
			1_720
		);
		assert_eq!(release_block(u64::MAX, 5), u64::MAX);
		assert!(challenge_open(1_719, 1_720));
		assert!(!challenge_open(1_720, 1_720));
	}

	#[test]
	fn quorum_examples() {
		let q = DEFAULT_SLASH_QUORUM;
		assert!(!quorum_reached(2, 3, q), "0.666666667 > 2/3");
		assert!(quorum_reached(3, 3, q));
		assert!(quorum_reached_ratio(2, 3, 2, 3));
		assert!(!quorum_reached_ratio(1, 3, 2, 3));
		assert!(quorum_reached(666_666_667, 1_000_000_000, q));
		assert!(!quorum_reached(666_666_666, 1_000_000_000, q));
		assert!(!quorum_reached(0, 0, q));
		assert!(quorum_reached(0, 5, Perbill::zero()));
		// No overflow near the top of u128.
		assert!(quorum_reached(u128::MAX, u128::MAX, Perbill::one()));
		assert!(!quorum_reached(u128::MAX - 1, u128::MAX, Perbill::one()));
		assert!(quorum_reached_ratio(u128::MAX / 3 * 2 + 1, u128::MAX, 2, 3));
	}

	proptest! {
		#[test]
		fn quorum_matches_wide_comparison(s in any::<u64>(), t in any::<u64>(), q in 0u32..=1_000_000_000) {
			// Reference in u128 (64-bit stakes cannot overflow): S·10^9 >= q·T.
			let want = t > 0 && u128::from(s) * 1_000_000_000 >= u128::from(q) * u128::from(t);
			prop_assert_eq!(quorum_reached(u128::from(s), u128::from(t), Perbill::from_parts(q)), want);
			let want_ratio = t > 0 && u128::from(s) * 3 >= 2 * u128::from(t);
			prop_assert_eq!(quorum_reached_ratio(u128::from(s), u128::from(t), 2, 3), want_ratio);
		}

		#[test]
		fn quorum_monotone_in_support(s in any::<u128>(), t in any::<u128>(), q in 0u32..=1_000_000_000) {
			if quorum_reached(s, t, Perbill::from_parts(q)) {
				prop_assert!(quorum_reached(s.saturating_add(1), t, Perbill::from_parts(q)));
			}
		}
	}
}
