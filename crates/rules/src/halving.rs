//! Block emission with issuance-based halving (SPEC §1).
//!
//! With total issuance `I` and supply cap `Cap` (both in units):
//!
//! ```text
//! E(I) = 0                                  if I >= Cap
//! E(I) = min(E0 / 2^k, Cap − I)             otherwise, k = floor(log2(Cap / (Cap − I)))
//! ```
//!
//! `k` is computed exactly with integers: for a real `x >= 1`, `floor(log2 x) =
//! floor(log2 floor(x))`, so `k` is the index of the highest set bit of `floor(Cap/(Cap − I))`.
//! `E0 / 2^k` is rounded down. The `min(…, Cap − I)` clamp only matters when `Cap < 2·E0` (with
//! `Cap >= 2·E0` the halved emission never exceeds the room left): it guarantees that issuance
//! never passes the cap for any parameters.
//!
//! Halving `k` starts when issuance reaches `Cap·(1 − 2^−k)` (rounded up to the next unit:
//! the smallest `I` with `2^k·(Cap − I) <= Cap` is `Cap − floor(Cap / 2^k)`): 10.5M, 15.75M,
//! 18.375M ARN … for a 21M ARN cap. Burns lower `I` and therefore delay halvings.

use crate::{Balance, ARN};

/// Default block emission before any halving (`E0`): 1 ARN per block.
pub const DEFAULT_INITIAL_EMISSION: Balance = ARN;

/// Default supply cap: 21,000,000 ARN.
pub const DEFAULT_SUPPLY_CAP: Balance = 21_000_000 * ARN;

/// Number of halvings in effect at issuance `issuance`: `floor(log2(Cap/(Cap − I)))`.
///
/// `None` when `issuance >= cap` (the cap is reached: no more emission).
pub fn halvings(issuance: Balance, cap: Balance) -> Option<u32> {
	let room = cap.checked_sub(issuance).filter(|r| *r > 0)?;
	// `room >= 1` so the quotient exists and is `>= 1` (since `room <= cap`).
	let ratio = cap.checked_div(room)?;
	// Highest set bit of `ratio >= 1`.
	Some(
		u128::BITS
			.saturating_sub(1)
			.saturating_sub(ratio.leading_zeros()),
	)
}

/// Block emission `E(I)` (see the module docs): `0` at or above the cap.
pub fn block_emission(issuance: Balance, cap: Balance, initial_emission: Balance) -> Balance {
	let Some(k) = halvings(issuance, cap) else {
		return 0;
	};
	let halved = initial_emission.checked_shr(k).unwrap_or(0);
	halved.min(cap.saturating_sub(issuance))
}

/// Issuance at which the halving after the current one starts: the smallest `I' > I` with
/// `halvings(I') = halvings(I) + 1`, i.e. `Cap·(1 − 2^−(k+1))` rounded up to a whole unit
/// (`Cap − floor(Cap / 2^(k+1))`).
///
/// `None` when `issuance >= cap`, or when there is no further halving below the cap.
pub fn next_halving_threshold(issuance: Balance, cap: Balance) -> Option<Balance> {
	let k = halvings(issuance, cap)?;
	let next = k.checked_add(1)?;
	let threshold = cap.checked_sub(cap.checked_shr(next).unwrap_or(0))?;
	(threshold < cap && threshold > issuance).then_some(threshold)
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	const CAP: Balance = DEFAULT_SUPPLY_CAP;
	const E0: Balance = DEFAULT_INITIAL_EMISSION;

	/// The first five halving thresholds in ARN, as written in SPEC §1 (and continued).
	const THRESHOLDS_MILLI_ARN: [u128; 5] = [
		10_500_000_000,
		15_750_000_000,
		18_375_000_000,
		19_687_500_000,
		20_343_750_000,
	];

	#[test]
	fn emission_around_the_first_five_thresholds() {
		for (i, milli) in THRESHOLDS_MILLI_ARN.iter().enumerate() {
			let k = u32::try_from(i).unwrap() + 1;
			let t = milli * (ARN / 1000);
			assert_eq!(
				block_emission(t - 1, CAP, E0),
				E0 >> (k - 1),
				"just below threshold {k}"
			);
			assert_eq!(block_emission(t, CAP, E0), E0 >> k, "at threshold {k}");
			assert_eq!(
				block_emission(t + 1, CAP, E0),
				E0 >> k,
				"just above threshold {k}"
			);
			assert_eq!(halvings(t - 1, CAP), Some(k - 1));
			assert_eq!(halvings(t, CAP), Some(k));
			// The threshold reported from anywhere in the previous era is this one.
			assert_eq!(next_halving_threshold(t - 1, CAP), Some(t));
			if k > 1 {
				let prev = THRESHOLDS_MILLI_ARN[i - 1] * (ARN / 1000);
				assert_eq!(next_halving_threshold(prev, CAP), Some(t));
			}
		}
		assert_eq!(block_emission(0, CAP, E0), E0);
		assert_eq!(next_halving_threshold(0, CAP), Some(CAP / 2));
	}

	#[test]
	fn zero_at_and_above_cap() {
		assert_eq!(block_emission(CAP, CAP, E0), 0);
		assert_eq!(block_emission(CAP + 1, CAP, E0), 0);
		assert_eq!(block_emission(u128::MAX, CAP, E0), 0);
		assert_eq!(halvings(CAP, CAP), None);
		assert_eq!(next_halving_threshold(CAP, CAP), None);
		// One unit below the cap: k = floor(log2(Cap)) = 54, so E0 >> 54 = 0.
		assert_eq!(halvings(CAP - 1, CAP), Some(54));
		assert_eq!(block_emission(CAP - 1, CAP, E0), 0);
		assert_eq!(block_emission(0, 0, E0), 0);
	}

	#[test]
	fn burns_delay_halving() {
		let t1 = CAP / 2;
		let issuance = t1 + 1000 * ARN;
		assert_eq!(block_emission(issuance, CAP, E0), E0 / 2);
		// Burning 2000 ARN brings issuance back below the first threshold.
		let after_burn = issuance - 2000 * ARN;
		assert_eq!(block_emission(after_burn, CAP, E0), E0);
		assert_eq!(next_halving_threshold(after_burn, CAP), Some(t1));
	}

	#[test]
	fn tiny_cap_never_overshoots() {
		// Cap < 2·E0: the clamp keeps issuance at or below the cap.
		assert_eq!(block_emission(0, 3, 10), 3);
		assert_eq!(block_emission(2, 3, 10), 1);
	}

	proptest! {
		#[test]
		fn emission_is_non_increasing(a in 0u128..=CAP + 10, b in 0u128..=CAP + 10) {
			let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
			prop_assert!(block_emission(lo, CAP, E0) >= block_emission(hi, CAP, E0));
		}

		#[test]
		fn emission_non_increasing_any_params(cap in 1u128..u128::MAX, e0 in any::<u128>(), a in any::<u128>(), b in any::<u128>()) {
			let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
			prop_assert!(block_emission(lo, cap, e0) >= block_emission(hi, cap, e0));
			prop_assert!(block_emission(lo, cap, e0) <= cap.saturating_sub(lo));
		}

		#[test]
		fn k_matches_definition(cap in 1u128..u128::MAX / 4, issuance in any::<u128>()) {
			let issuance = issuance % cap;
			let k = halvings(issuance, cap).unwrap();
			let room = cap - issuance;
			// 2^k·room <= cap < 2^(k+1)·room
			prop_assert!(room.checked_shl(k).is_some_and(|v| v <= cap && v >> k == room));
			prop_assert!(room.checked_mul(2u128 << k).is_none_or(|v| v > cap));
		}

		#[test]
		fn threshold_is_first_issuance_of_next_era(cap in 2u128..1u128 << 100, issuance in any::<u128>()) {
			let issuance = issuance % cap;
			let k = halvings(issuance, cap).unwrap();
			if let Some(t) = next_halving_threshold(issuance, cap) {
				prop_assert_eq!(halvings(t, cap), Some(k + 1));
				prop_assert_eq!(halvings(t - 1, cap), Some(k));
			}
		}

		/// Simulated chains (small caps so they run to exhaustion), with random burns: issuance
		/// never passes the cap and the total minted never exceeds `Cap − I_start` + burns.
		#[test]
		fn total_emission_bounded(cap in 1u128..5_000, e0 in 1u128..300, start in 0u128..5_000, burns in proptest::collection::vec((0usize..20_000, 0u128..50), 0..8)) {
			let mut issuance = start.min(cap);
			let initial_room = cap - issuance;
			let mut minted: u128 = 0;
			let mut burned: u128 = 0;
			let mut block = 0usize;
			loop {
				for &(at, amount) in &burns {
					if at == block {
						let amount = amount.min(issuance);
						issuance -= amount;
						burned += amount;
					}
				}
				let e = block_emission(issuance, cap, e0);
				issuance += e;
				minted += e;
				prop_assert!(issuance <= cap);
				block += 1;
				if (e == 0 && block > 20_000) || block > 200_000 { break; }
			}
			prop_assert!(minted <= initial_room + burned);
		}
	}
}
