//! Runtime API of the Arena emission pallet.
//!
//! The runtime implements it by calling `pallet_emission::Pallet::{emission_state,
//! subnet_emissions}`.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
pub use arena_pallet_primitives::{EmissionState, NetUid, SubnetEmission};
use codec::Codec;

sp_api::decl_runtime_apis! {
	/// Views of block emission (SPEC §1) and its split across subnets (SPEC §2–3).
	pub trait EmissionApi<Balance, BlockNumber>
	where
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// Current block emission, issuance, cap, halvings and the next halving threshold, the
		/// running totals (emitted, minted, not minted, paid, recycled, pending) and the flow
		/// parameters.
		fn emission_state() -> EmissionState<Balance>;
		/// Every subnet's flow score, share of block emission, pending emission and last epoch,
		/// by netuid.
		fn subnet_emissions() -> Vec<SubnetEmission<Balance, BlockNumber>>;
	}
}
