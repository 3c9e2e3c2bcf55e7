//! Splitting a subnet's pending emission at its epoch (SPEC §3).
//!
//! ```text
//! owner      = floor(amount · owner_cut)
//! rest       = amount − owner
//! miners     = floor(rest / 2)   shared by incentive I_j
//! validators = rest − miners     shared by dividends D_i
//! ```
//!
//! - If no miner has incentive (`Σ I = 0`), the validators take the miners' half too.
//! - If no validator has dividends (`Σ D = 0`, e.g. no miner has incentive, so no bond earns
//!   anything), the validators' part is shared by the fallback weights — the caller passes the
//!   counted validators' stake (Yuma's `S_i`).
//! - If a part has nobody to go to (no weights at all), it is reported as `undistributed`: the
//!   caller keeps it pending (or does not mint it); it is never silently lost or given away.
//!
//! **Rounding dust.** Within the miners' and the validators' parts every recipient gets
//! `floor(part·w/Σw)` and the dust (fewer units than recipients) goes to the recipient with the
//! largest weight (lowest index among equals; see [`crate::math::distribute`]). The odd unit of
//! an odd `rest` goes to the validators. Hence, always:
//! `owner + Σ miners + Σ validators + undistributed = amount`.

use crate::{
	math::{self, mul_div_floor_or_zero},
	Balance,
};
use alloc::{vec, vec::Vec};
use codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_arithmetic::{PerThing, Perbill, Perquintill};

/// Default subnet owner cut: 18 %.
pub const DEFAULT_OWNER_CUT: Perbill = Perbill::from_percent(18);

/// Parameters of the epoch split.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct SplitParams {
	/// The subnet owner's cut of every epoch's emission.
	pub owner_cut: Perbill,
}

impl Default for SplitParams {
	fn default() -> Self {
		Self {
			owner_cut: DEFAULT_OWNER_CUT,
		}
	}
}

/// Result of [`split_epoch`]; the four parts sum exactly to the input amount.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EpochSplit {
	/// Paid to the subnet owner.
	pub owner: Balance,
	/// Paid to each miner (same order as the `incentive` input).
	pub miners: Vec<Balance>,
	/// Paid to each validator (same order as the `dividends` input).
	pub validators: Vec<Balance>,
	/// Nobody to pay (no weights at all): kept pending / not minted by the caller.
	pub undistributed: Balance,
}

/// Shares `part` by `weights` exactly; `None` if there is no weight.
fn share(part: Balance, weights: &[u128]) -> Option<Vec<Balance>> {
	math::distribute(part, weights).ok()
}

/// Splits an epoch's `amount` between owner, miners (by `incentive`) and validators (by
/// `dividends`, else by `validator_fallback`); see the module docs.
///
/// `validator_fallback` must have the same length as `dividends` (extra entries are ignored,
/// missing ones count as zero).
pub fn split_epoch(
	amount: Balance,
	params: &SplitParams,
	incentive: &[Perquintill],
	dividends: &[Perquintill],
	validator_fallback: &[Balance],
) -> EpochSplit {
	let owner = mul_div_floor_or_zero(
		amount,
		u128::from(params.owner_cut.deconstruct()),
		u128::from(Perbill::ACCURACY),
	)
	.min(amount);
	let rest = amount.saturating_sub(owner);
	let miners_part = rest.checked_div(2).unwrap_or(0);
	let validators_part = rest.saturating_sub(miners_part);

	let incentive_w: Vec<u128> = incentive
		.iter()
		.map(|p| u128::from(p.deconstruct()))
		.collect();
	let dividend_w: Vec<u128> = dividends
		.iter()
		.map(|p| u128::from(p.deconstruct()))
		.collect();
	let fallback_w: Vec<u128> = (0..dividends.len())
		.map(|i| validator_fallback.get(i).copied().unwrap_or(0))
		.collect();

	// No miner has incentive: the validators take the miners' half too.
	let (miners, validators_part) = match share(miners_part, &incentive_w) {
		Some(m) => (m, validators_part),
		None => (
			vec![0; incentive.len()],
			validators_part.saturating_add(miners_part),
		),
	};
	let mut undistributed: Balance = 0;
	let validators = share(validators_part, &dividend_w)
		.or_else(|| share(validators_part, &fallback_w))
		.unwrap_or_else(|| {
			undistributed = validators_part;
			vec![0; dividends.len()]
		});
	EpochSplit {
		owner,
		miners,
		validators,
		undistributed,
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	fn pq(n: u64, d: u64) -> Perquintill {
		Perquintill::from_rational(n, d)
	}

	#[test]
	fn default_split() {
		let s = split_epoch(
			1_000_000,
			&SplitParams::default(),
			&[pq(3, 4), pq(1, 4)],
			&[pq(1, 2), pq(1, 2)],
			&[1, 1],
		);
		assert_eq!(s.owner, 180_000);
		assert_eq!(s.miners, vec![307_500, 102_500]);
		assert_eq!(s.validators, vec![205_000, 205_000]);
		assert_eq!(s.undistributed, 0);
	}

	#[test]
	fn no_incentive_validators_take_all_by_stake() {
		let zero = Perquintill::zero();
		let s = split_epoch(
			1_000,
			&SplitParams::default(),
			&[zero, zero],
			&[zero, zero],
			&[3, 1],
		);
		assert_eq!(s.owner, 180);
		assert_eq!(s.miners, vec![0, 0]);
		assert_eq!(s.validators, vec![615, 205]);
		// Nobody at all: the non-owner part stays undistributed.
		let s = split_epoch(1_000, &SplitParams::default(), &[], &[], &[]);
		assert_eq!((s.owner, s.undistributed), (180, 820));
	}

	#[test]
	fn dust_goes_to_largest_weight_and_odd_unit_to_validators() {
		let third = pq(1, 3);
		let s = split_epoch(
			101,
			&SplitParams {
				owner_cut: Perbill::zero(),
			},
			&[third, third, third],
			&[pq(1, 4), pq(3, 4)],
			&[0, 0],
		);
		assert_eq!(s.miners, vec![18, 16, 16]);
		assert_eq!(s.validators, vec![12, 39]);
	}

	proptest! {
		#[test]
		fn paid_sums_to_input_exactly(
			amount in any::<u128>(),
			cut in 0u32..=1_000_000_000,
			incentive in proptest::collection::vec(0u64..=1_000_000_000_000_000_000, 0..20),
			dividends in proptest::collection::vec(0u64..=1_000_000_000_000_000_000, 0..20),
			fallback in proptest::collection::vec(0u128..1u128 << 100, 0..20),
			zero_incentive in any::<bool>(),
		) {
			let incentive: Vec<Perquintill> = incentive
				.into_iter()
				.map(|x| if zero_incentive { Perquintill::zero() } else { Perquintill::from_parts(x) })
				.collect();
			let dividends: Vec<Perquintill> = dividends.into_iter().map(Perquintill::from_parts).collect();
			let params = SplitParams { owner_cut: Perbill::from_parts(cut) };
			let s = split_epoch(amount, &params, &incentive, &dividends, &fallback);
			let paid = s.owner
				.checked_add(s.miners.iter().sum::<u128>())
				.and_then(|x| x.checked_add(s.validators.iter().sum::<u128>()))
				.and_then(|x| x.checked_add(s.undistributed));
			prop_assert_eq!(paid, Some(amount));
			prop_assert_eq!(s.owner, params.owner_cut.mul_floor(amount));
			prop_assert_eq!(s.miners.len(), incentive.len());
			prop_assert_eq!(s.validators.len(), dividends.len());
			if incentive.iter().all(|i| i.is_zero()) {
				prop_assert!(s.miners.iter().all(|m| *m == 0));
			}
		}
	}
}
