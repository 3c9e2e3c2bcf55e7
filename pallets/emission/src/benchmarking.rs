//! Benchmarks of `pallet-emission` (`frame_benchmarking::v2`), each in its worst case.

// Benchmark setup code, not dispatched on-chain.
#![allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)]

use super::*;
use alloc::vec::Vec;
use arena_pallet_primitives::{NetUid, StakeInterface, SubnetHooks, SubnetsInterface, Uid};
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Mutate, Unbalanced},
	EnsureOrigin, Get, Hooks,
};
use sp_runtime::traits::SaturatedConversion;

/// A subnet with `n` neurons whose first `v` hotkeys are staked, permitted validators with a
/// full weight row (set now) and a full bond row from a previous epoch, and `pending` emission
/// held by the pot: the worst case of an epoch (every weight, bond and payout is used).
/// Returns the subnet; the block number moves two blocks past the neurons' registration.
pub fn epoch_setup<T: Config>(n: u32, v: u32) -> NetUid {
	let owner: T::AccountId = account("owner", 0, 0);
	let (netuid, hotkeys) = T::Subnets::bench_create_subnet(&owner, n.max(1));
	// A previous epoch after the registrations, so that its bonds count.
	let registered = frame_system::Pallet::<T>::block_number();
	LastEpoch::<T>::insert(netuid, registered + 1u32.into());
	frame_system::Pallet::<T>::set_block_number(registered + 2u32.into());
	let now = frame_system::Pallet::<T>::block_number();
	let bond = sp_runtime::Perquintill::from_rational(1u64, u64::from(v.max(1)));
	let bonds: Vec<(Uid, sp_runtime::Perquintill)> =
		(0..n.max(1)).map(|u| (u.saturated_into(), bond)).collect();
	let row: Vec<(Uid, u16)> = (0..n.max(1))
		.map(|u| (u.saturated_into(), (u % 1000 + 1).saturated_into()))
		.collect();
	for (i, hk) in hotkeys.iter().take(v as usize).enumerate() {
		let stake: BalanceOf<T> = (1_000_000_000_000u128 + i as u128).saturated_into();
		T::Stake::bench_add_stake(netuid, hk, stake);
		T::Stake::bench_grant_permit(netuid, hk);
		T::Subnets::bench_set_weights(netuid, i.saturated_into(), row.clone(), now);
		let uid: Uid = i.saturated_into();
		Bonds::<T>::insert(netuid, uid, BondRowOf::<T>::truncate_from(bonds.clone()));
	}
	Pallet::<T>::ensure_pot();
	let pending: BalanceOf<T> = 1_000_000_000_000u128.saturated_into();
	let _ = T::Currency::mint_into(&Pallet::<T>::pot(), pending);
	PendingEmission::<T>::insert(netuid, pending);
	Totals::<T>::mutate(|t| {
		EmissionTotals::add(&mut t.emitted, pending);
		EmissionTotals::add(&mut t.minted, pending);
	});
	netuid
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Flows and minting for `s` subnets, each with a scheduled inflow and accumulated flow.
	#[benchmark]
	fn on_initialize(s: Linear<1, { T::MaxSubnets::get().min(64) }>) {
		let owner: T::AccountId = account("owner", 0, 0);
		let now = frame_system::Pallet::<T>::block_number() + 1u32.into();
		for _ in 0..s {
			let (netuid, _) = T::Subnets::bench_create_subnet(&owner, 1);
			ScheduledInflow::<T>::insert(now, netuid, BalanceOf::<T>::from(1_000u32));
			FlowAccumulator::<T>::insert(
				netuid,
				types::BlockFlow {
					matured_added: 1u32.into(),
					burns: 1_000u32.into(),
					removed: 1u32.into(),
				},
			);
		}
		Pallet::<T>::ensure_pot();
		// Funding the benchmark accounts may push the issuance past the cap; the worst case
		// mints, so put the issuance back at a quarter of the cap.
		T::Currency::set_total_issuance(T::SupplyCap::get() / 4u32.into());
		frame_system::Pallet::<T>::set_block_number(now);

		#[block]
		{
			Pallet::<T>::on_initialize(now);
		}

		assert!(Totals::<T>::get().emitted > 0u32.into());
	}

	/// One epoch with `n` UIDs and `v` permitted, active validators, every one weighing every
	/// UID, all payouts made.
	#[benchmark]
	fn epoch(n: Linear<2, { T::MaxUids::get() }>, v: Linear<1, { yuma_max_validators() }>) {
		let v = v.min(n);
		let netuid = epoch_setup::<T>(n, v);
		let now = frame_system::Pallet::<T>::block_number();

		#[block]
		{
			Pallet::<T>::run_epoch(netuid, now);
		}

		assert_eq!(LastEpoch::<T>::get(netuid), Some(now));
	}

	#[benchmark]
	fn queue_epoch() {
		let owner: T::AccountId = account("owner", 0, 0);
		let (netuid, _) = T::Subnets::bench_create_subnet(&owner, 1);

		#[block]
		{
			<Pallet<T> as SubnetHooks>::on_epoch(netuid);
		}

		assert!(EpochQueue::<T>::get().contains(&netuid));
	}

	/// Worst case: the largest subnet, with pending emission to burn, a bond row per
	/// validator (Yuma's most) and its epoch queued.
	#[benchmark]
	fn on_network_removed() {
		let n = T::MaxUids::get();
		let netuid = epoch_setup::<T>(n, n.min(yuma_max_validators()));
		<Pallet<T> as SubnetHooks>::on_epoch(netuid);

		#[block]
		{
			<Pallet<T> as SubnetHooks>::on_network_removed(netuid);
		}

		assert!(!LastEpoch::<T>::contains_key(netuid));
	}

	#[benchmark]
	fn set_flow_params() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 1_000, -1, 2);

		assert_eq!(Pallet::<T>::flow_params().exponent, 2);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}

/// Largest validator count of an epoch (Yuma's bound).
const fn yuma_max_validators() -> u32 {
	arena_rules::yuma::MAX_VALIDATORS as u32
}
