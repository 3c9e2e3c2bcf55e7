//! Sharing a validator hotkey's dividends among the stake positions on it (SPEC §3).
//!
//! ```text
//! T          = Σ_p stake_p                         (consensus stake of every position)
//! delegated  = Σ_{p ≠ owner} stake_p
//! take       = floor(D · delegated / T · take%)    (the owner's take of the delegators' part)
//! rest       = D − take
//! share_p    = rest shared pro rata to stake_p     (math::distribute: floors, dust to the largest)
//! owner gets take + share_owner
//! ```
//!
//! - The owner's own position (if any) is paid pro rata like every other one; the take is
//!   charged on the delegators' part only, so a hotkey staked by its owner alone pays no take.
//! - With no stake at all (`T = 0`) the owner receives the whole `D` (nobody else can claim it).
//! - Always `Σ shares = D` exactly: nothing is created or lost.

use crate::{
	math::{distribute, mul_div_floor_or_zero},
	Balance,
};
use alloc::{vec, vec::Vec};
use sp_arithmetic::{PerThing, Perbill};

/// One stake position on the validator hotkey.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
	/// Consensus stake of the position.
	pub stake: Balance,
	/// Whether the position belongs to the hotkey's owner (its coldkey).
	pub is_owner: bool,
}

/// How `dividends` are shared: `take` for the owner, `shares[i]` for `positions[i]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DelegationSplit {
	/// The owner's take (paid to the owner on top of its own position's share).
	pub take: Balance,
	/// Pro-rata share of each position (same order as the input).
	pub shares: Vec<Balance>,
}

impl DelegationSplit {
	/// `take + Σ shares` (saturating): always the dividends that were split.
	pub fn total(&self) -> Balance {
		self.shares
			.iter()
			.fold(self.take, |acc, s| acc.saturating_add(*s))
	}
}

/// Splits `dividends` among `positions` after the owner's `take` of the delegators' part; see
/// the module docs. With no stake the owner takes everything (`take = dividends`).
pub fn split_dividends(
	dividends: Balance,
	positions: &[Position],
	take: Perbill,
) -> DelegationSplit {
	let total = positions
		.iter()
		.fold(0u128, |acc, p| acc.saturating_add(p.stake));
	if total == 0 {
		return DelegationSplit {
			take: dividends,
			shares: vec![0; positions.len()],
		};
	}
	let delegated = positions
		.iter()
		.filter(|p| !p.is_owner)
		.fold(0u128, |acc, p| acc.saturating_add(p.stake));
	let delegators_part = mul_div_floor_or_zero(dividends, delegated, total).min(dividends);
	let take_amount = mul_div_floor_or_zero(
		delegators_part,
		u128::from(take.deconstruct()),
		u128::from(Perbill::ACCURACY),
	)
	.min(delegators_part);
	let rest = dividends.saturating_sub(take_amount);
	let weights: Vec<u128> = positions.iter().map(|p| p.stake).collect();
	match distribute(rest, &weights) {
		Ok(shares) => DelegationSplit {
			take: take_amount,
			shares,
		},
		// Unreachable with total > 0; keep every unit with the owner rather than lose it.
		Err(_) => DelegationSplit {
			take: dividends,
			shares: vec![0; positions.len()],
		},
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	fn pos(stake: Balance, is_owner: bool) -> Position {
		Position { stake, is_owner }
	}

	#[test]
	fn owner_takes_its_cut_of_the_delegators_part_only() {
		// Owner 100, delegators 300 and 600: delegators' part = 900/1000 of 10_000 = 9_000;
		// take 10 % of it = 900; rest 9_100 pro rata: 910, 2_730, 5_460.
		let s = split_dividends(
			10_000,
			&[pos(100, true), pos(300, false), pos(600, false)],
			Perbill::from_percent(10),
		);
		assert_eq!(s.take, 900);
		assert_eq!(s.shares, vec![910, 2_730, 5_460]);
		assert_eq!(s.total(), 10_000);
	}

	#[test]
	fn owner_alone_pays_no_take() {
		let s = split_dividends(1_000, &[pos(5, true)], Perbill::from_percent(18));
		assert_eq!((s.take, s.shares), (0, vec![1_000]));
	}

	#[test]
	fn no_stake_gives_everything_to_the_owner() {
		let s = split_dividends(77, &[], Perbill::from_percent(18));
		assert_eq!((s.take, s.total()), (77, 77));
		let s = split_dividends(77, &[pos(0, false)], Perbill::from_percent(18));
		assert_eq!((s.take, s.shares), (77, vec![0]));
	}

	#[test]
	fn zero_take_is_pure_pro_rata() {
		let s = split_dividends(600, &[pos(1, false), pos(2, false)], Perbill::zero());
		assert_eq!((s.take, s.shares), (0, vec![200, 400]));
	}

	proptest! {
		#[test]
		fn shares_sum_to_dividends_and_follow_stake(
			dividends in 0u128..1u128 << 100,
			stakes in proptest::collection::vec((0u128..1u128 << 80, any::<bool>()), 0..40),
			take in 0u32..=1_000_000_000,
		) {
			let positions: Vec<Position> = stakes.iter().map(|(s, o)| pos(*s, *o)).collect();
			let s = split_dividends(dividends, &positions, Perbill::from_parts(take));
			prop_assert_eq!(s.total(), dividends);
			prop_assert_eq!(s.shares.len(), positions.len());
			// The take never exceeds the delegators' part.
			let total: u128 = positions.iter().map(|p| p.stake).sum();
			if total > 0 {
				let delegated: u128 = positions.iter().filter(|p| !p.is_owner).map(|p| p.stake).sum();
				prop_assert!(s.take <= mul_div_floor_or_zero(dividends, delegated, total));
			}
			// A larger position never gets a smaller share (pro rata, dust to the largest).
			for (i, a) in positions.iter().enumerate() {
				for (j, b) in positions.iter().enumerate() {
					if a.stake > b.stake {
						prop_assert!(s.shares[i] >= s.shares[j]);
					}
				}
			}
		}
	}
}
