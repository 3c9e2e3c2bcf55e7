//! Runtime API of the Arena escrow pallet.
//!
//! The runtime implements it by calling `pallet_escrow::Pallet::{account_entries,
//! earner_entries, open_challenges, subnet_bounties}` and reading `pallet_escrow::Totals`.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
pub use arena_pallet_primitives::NetUid;
use codec::Codec;
pub use pallet_escrow::{BountyView, ChallengeView, EntryView, EscrowTotals};

sp_api::decl_runtime_apis! {
	/// Views of escrowed rewards, challenges and bounties (SPEC §5).
	pub trait EscrowApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// The open entries that will be released to `account` (its owner cuts and the entries
		/// of its stake positions): amount, round, kind, release block, whether a challenge
		/// holds it back.
		fn account_entries(account: AccountId) -> Vec<EntryView<AccountId, Balance, BlockNumber>>;
		/// The open entries `hotkey` earned on `netuid` (what a slash would take, for a miner).
		fn earner_entries(netuid: NetUid, hotkey: AccountId) -> Vec<EntryView<AccountId, Balance, BlockNumber>>;
		/// The subnet's open challenges with their supporters and current support.
		fn open_challenges(netuid: NetUid) -> Vec<ChallengeView<AccountId, Balance, BlockNumber>>;
		/// The subnet's open bounties.
		fn bounties(netuid: NetUid) -> Vec<BountyView<AccountId, Balance, BlockNumber>>;
		/// The pallet's running totals (escrowed, released, slashed, open, bounty funds, bonds).
		fn escrow_totals() -> EscrowTotals<Balance>;
	}
}
