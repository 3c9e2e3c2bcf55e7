//! Runtime API of the Arena rounds pallet.
//!
//! The runtime implements it by calling `pallet_rounds::Pallet::{current_round, round_view,
//! last_residual, rounds_info}`.
#![cfg_attr(not(feature = "std"), no_std)]

pub use arena_pallet_primitives::NetUid;
pub use arena_rules::round::{Hash32, Phase, RoundIndex};
use codec::Codec;
pub use pallet_rounds::{Commitment, Residual, RoundRecord, RoundView, RoundsInfo};

sp_api::decl_runtime_apis! {
	/// Views of a subnet's training rounds (SPEC §6).
	pub trait RoundsApi<AccountId, BlockNumber>
	where
		AccountId: Codec,
		BlockNumber: Codec,
	{
		/// The subnet's open round (between rounds: its last one): record (index, start,
		/// checkpoint, round and audit seeds, deadline), phase, blocks left in it, phase start
		/// blocks, commitments and votes.
		fn current_round(netuid: NetUid) -> Option<RoundView<AccountId, BlockNumber>>;
		/// Round `round` of the subnet while it is stored (until its escrow window has passed).
		fn round(netuid: NetUid, round: RoundIndex) -> Option<RoundView<AccountId, BlockNumber>>;
		/// The last residual hash `hotkey` committed on the subnet (`None`: never; its first
		/// round's `e` is zero).
		fn last_residual(netuid: NetUid, hotkey: AccountId) -> Option<Residual>;
		/// The subnet's genesis checkpoint, round settings, current checkpoint and round
		/// counters.
		fn rounds_info(netuid: NetUid) -> RoundsInfo;
	}
}
