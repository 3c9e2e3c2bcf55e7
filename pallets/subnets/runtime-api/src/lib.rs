//! Runtime APIs of the Arena subnets and stake pallets.
//!
//! The runtime implements them by calling `pallet_subnets::Pallet::{subnet_info, subnets_info,
//! metagraph}` and `pallet_stake::Pallet::stake_info`.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
pub use arena_pallet_primitives::{NetUid, NeuronInfo, StakeInfo, SubnetInfo};
use codec::Codec;

sp_api::decl_runtime_apis! {
	/// Views of subnets and their metagraphs.
	pub trait SubnetsApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// One subnet: owner, hyperparameters, training task, lock held, lock cost and
		/// registration price now, neuron count, emission share and score, total stake.
		fn subnet_info(netuid: NetUid) -> Option<SubnetInfo<AccountId, Balance, BlockNumber>>;
		/// Every subnet, by netuid.
		fn subnets_info() -> Vec<SubnetInfo<AccountId, Balance, BlockNumber>>;
		/// The metagraph of a subnet, by UID: hotkey, coldkey, stake, rank, trust, consensus,
		/// incentive, dividends, emission, last update, validator permit, endpoint.
		fn metagraph(netuid: NetUid) -> Option<Vec<NeuronInfo<AccountId, Balance, BlockNumber>>>;
	}

	/// Views of stake.
	pub trait StakeApi<AccountId, Balance>
	where
		AccountId: Codec,
		Balance: Codec,
	{
		/// Every stake position of a coldkey.
		fn stake_info(coldkey: AccountId) -> Vec<StakeInfo<AccountId, Balance>>;
	}
}
