//! Benchmarks of `pallet-stake` (`frame_benchmarking::v2`), each in its worst case.

// Benchmark setup code, not dispatched on-chain.
#![allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)]

use super::*;
use alloc::vec::Vec;
use arena_pallet_primitives::{NetUid, SubnetsInterface};
use frame_benchmarking::v2::*;
use frame_support::traits::{fungible::Mutate, Get};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::{
	traits::{Bounded, Saturating},
	Perbill,
};

fn funded<T: Config>(name: &'static str, i: u32) -> T::AccountId {
	let who: T::AccountId = account(name, i, 0);
	let _ = T::Currency::set_balance(&who, BalanceOf::<T>::max_value() / 1024u32.into());
	who
}

fn subnet<T: Config>(i: u32, neurons: u32) -> (NetUid, Vec<T::AccountId>) {
	let owner = funded::<T>("owner", i);
	T::Subnets::bench_create_subnet(&owner, neurons)
}

fn advance<T: Config>(blocks: BlockNumberFor<T>) {
	let now = frame_system::Pallet::<T>::block_number();
	frame_system::Pallet::<T>::set_block_number(now.saturating_add(blocks));
}

fn amount<T: Config>() -> BalanceOf<T> {
	T::MinStake::get().saturating_mul(10u32.into())
}

/// Fills the position's pending queue: `MaxPendingStakes` additions at distinct blocks.
fn fill_position<T: Config>(coldkey: &T::AccountId, hotkey: &T::AccountId, netuid: NetUid) {
	for _ in 0..T::MaxPendingStakes::get() {
		advance::<T>(T::StakeRateLimit::get().max(1u32.into()));
		Pallet::<T>::add_stake(
			RawOrigin::Signed(coldkey.clone()).into(),
			hotkey.clone(),
			netuid,
			amount::<T>(),
		)
		.expect("add_stake");
	}
	advance::<T>(T::StakeRateLimit::get().max(1u32.into()));
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn associate_hotkey() {
		let coldkey = funded::<T>("coldkey", 0);
		let hotkey: T::AccountId = account("hotkey", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(coldkey.clone()), hotkey.clone());

		assert_eq!(Owner::<T>::get(&hotkey), Some(coldkey));
	}

	/// Worst case: the queue is one short of full, so the addition is queued.
	#[benchmark]
	fn add_stake() {
		let (netuid, hotkeys) = subnet::<T>(0, 1);
		let staker = funded::<T>("staker", 0);
		let hotkey = hotkeys[0].clone();
		for _ in 1..T::MaxPendingStakes::get() {
			advance::<T>(T::StakeRateLimit::get().max(1u32.into()));
			Pallet::<T>::add_stake(
				RawOrigin::Signed(staker.clone()).into(),
				hotkey.clone(),
				netuid,
				amount::<T>(),
			)
			.expect("add_stake");
		}
		advance::<T>(T::StakeRateLimit::get().max(1u32.into()));

		#[extrinsic_call]
		_(
			RawOrigin::Signed(staker.clone()),
			hotkey.clone(),
			netuid,
			amount::<T>(),
		);

		assert_eq!(
			Pending::<T>::get((&staker, &hotkey, netuid)).len() as u32,
			T::MaxPendingStakes::get()
		);
	}

	/// Worst case: everything is removed, cancelling a full queue of immature additions.
	#[benchmark]
	fn remove_stake() {
		let (netuid, hotkeys) = subnet::<T>(0, 1);
		let staker = funded::<T>("staker", 0);
		let hotkey = hotkeys[0].clone();
		fill_position::<T>(&staker, &hotkey, netuid);
		let all = Positions::<T>::get((&staker, &hotkey, netuid));

		#[extrinsic_call]
		_(
			RawOrigin::Signed(staker.clone()),
			hotkey.clone(),
			netuid,
			all,
		);

		assert!(!Positions::<T>::contains_key((&staker, &hotkey, netuid)));
	}

	/// Worst case: between subnets, the whole (immature) position.
	#[benchmark]
	fn move_stake() {
		let (a, hotkeys_a) = subnet::<T>(0, 1);
		let (b, hotkeys_b) = subnet::<T>(1, 1);
		let staker = funded::<T>("staker", 0);
		fill_position::<T>(&staker, &hotkeys_a[0], a);
		let all = Positions::<T>::get((&staker, &hotkeys_a[0], a));

		#[extrinsic_call]
		_(
			RawOrigin::Signed(staker.clone()),
			hotkeys_a[0].clone(),
			a,
			hotkeys_b[0].clone(),
			b,
			all,
		);

		assert_eq!(Positions::<T>::get((&staker, &hotkeys_b[0], b)), all);
	}

	/// Worst case: an increase after an earlier one.
	#[benchmark]
	fn set_delegate_take() {
		let coldkey = funded::<T>("coldkey", 0);
		let hotkey: T::AccountId = account("hotkey", 0, 0);
		Pallet::<T>::associate_hotkey(RawOrigin::Signed(coldkey.clone()).into(), hotkey.clone())
			.expect("associate");
		Takes::<T>::insert(&hotkey, Perbill::zero());
		LastTakeIncrease::<T>::insert(&hotkey, frame_system::Pallet::<T>::block_number());
		advance::<T>(T::TakeRateLimit::get());
		let take = T::MaxTake::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(coldkey), hotkey.clone(), take);

		assert_eq!(Takes::<T>::get(&hotkey), Some(take));
	}

	/// `n` staked neurons ranked.
	#[benchmark]
	fn recompute_permits(n: Linear<1, 64>) {
		let (netuid, hotkeys) = subnet::<T>(0, n);
		let staker = funded::<T>("staker", 0);
		for h in &hotkeys {
			Pallet::<T>::add_stake(
				RawOrigin::Signed(staker.clone()).into(),
				h.clone(),
				netuid,
				amount::<T>(),
			)
			.expect("add_stake");
		}
		let considered;

		#[block]
		{
			considered = Pallet::<T>::recompute_permits(netuid);
		}

		assert_eq!(considered, n);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
