//! Stored types of the emission pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::traits::Saturating;

/// Flow of one subnet collected during a block (by extrinsics), folded into its score at the
/// next block's `on_initialize`.
#[derive(Clone, Copy, Default, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen, Debug)]
pub struct BlockFlow<Balance> {
	/// Stake additions that matured without passing through the schedule (maturity 0).
	pub matured_added: Balance,
	/// Registration burns (count at once).
	pub burns: Balance,
	/// Matured stake removed (outflow).
	pub removed: Balance,
}

/// Running totals of the pallet, for the conservation invariant
/// `emitted = minted + unminted` and `minted = paid + Σ pending + recycled`.
#[derive(
	Clone,
	Copy,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	Debug,
)]
pub struct EmissionTotals<Balance> {
	/// Σ block emission computed.
	pub emitted: Balance,
	/// Σ minted into the pot.
	pub minted: Balance,
	/// Σ not minted (no positive flow score, or the mint failed).
	pub unminted: Balance,
	/// Σ paid out at epochs.
	pub paid: Balance,
	/// Σ pending emission burned with a dissolved subnet.
	pub recycled: Balance,
}

impl<Balance: Saturating + Copy> EmissionTotals<Balance> {
	/// Adds `amount` to a field (saturating; totals are bounded by the supply cap).
	pub fn add(field: &mut Balance, amount: Balance) {
		*field = field.saturating_add(amount);
	}
}

/// What an epoch paid (in the `EpochCompleted` event).
#[derive(
	Clone,
	Copy,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	Debug,
)]
pub struct EpochPayout<Balance> {
	/// Pending emission the epoch started with.
	pub pending: Balance,
	/// Paid to the subnet owner.
	pub owner: Balance,
	/// Paid to miners (incentive).
	pub miners: Balance,
	/// Paid to validators (dividends).
	pub validators: Balance,
	/// Kept pending: nobody to pay it to, or a payout failed.
	pub kept: Balance,
}
