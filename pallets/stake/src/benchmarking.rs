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
	traits::{Bounded, Saturating, Zero},
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

/// Pins the chain's flow maturity far above any benchmark's span, so no addition matures
/// while a queue is being filled (a chain spec may set a maturity of a few blocks).
fn long_maturity<T: Config>() {
	FlowMaturityBlocks::<T>::put(BlockNumberFor::<T>::from(1_000_000u32));
}

/// A claim's `valid_until` that stays ahead of the benchmark's block (the harness may move
/// the block number between setup and the call).
fn claim_valid_until<T: Config>() -> BlockNumberFor<T> {
	frame_system::Pallet::<T>::block_number().saturating_add(1_000u32.into())
}

/// Fills the position's pending queue with `p` additions at distinct blocks.
fn fill_position<T: Config>(coldkey: &T::AccountId, hotkey: &T::AccountId, netuid: NetUid, p: u32) {
	long_maturity::<T>();
	for _ in 0..p {
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

	/// A new claim: the signature is checked and the deposit held.
	#[benchmark]
	fn associate_hotkey() {
		let coldkey = funded::<T>("coldkey", 0);
		let valid_until = claim_valid_until::<T>();
		let (hotkey, signature) =
			<T::BenchmarkHelper as crate::BenchmarkHelper<_, _>>::hotkey_and_signature(|h| {
				Pallet::<T>::hotkey_claim_payload(&coldkey, h, valid_until)
			});

		#[extrinsic_call]
		_(
			RawOrigin::Signed(coldkey.clone()),
			hotkey.clone(),
			valid_until,
			signature,
		);

		assert_eq!(Owner::<T>::get(&hotkey), Some(coldkey));
	}

	/// Release of a claimed hotkey after scanning `s` subnets it is not registered on.
	#[benchmark]
	fn release_hotkey(s: Linear<1, { T::MaxSubnets::get() }>) {
		for i in 0..s {
			subnet::<T>(i, 1);
		}
		let coldkey = funded::<T>("coldkey", 0);
		let valid_until = claim_valid_until::<T>();
		let (hotkey, signature) =
			<T::BenchmarkHelper as crate::BenchmarkHelper<_, _>>::hotkey_and_signature(|h| {
				Pallet::<T>::hotkey_claim_payload(&coldkey, h, valid_until)
			});
		Pallet::<T>::associate_hotkey(
			RawOrigin::Signed(coldkey.clone()).into(),
			hotkey.clone(),
			valid_until,
			signature,
		)
		.expect("associate");

		#[extrinsic_call]
		_(RawOrigin::Signed(coldkey), hotkey.clone());

		assert_eq!(Owner::<T>::get(&hotkey), None);
	}

	/// Worst case: the queue is one short of full, so the addition is queued.
	#[benchmark]
	fn add_stake() {
		let (netuid, hotkeys) = subnet::<T>(0, 1);
		let staker = funded::<T>("staker", 0);
		let hotkey = hotkeys[0].clone();
		long_maturity::<T>();
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

	/// Everything is removed, cancelling `p` immature additions (the worst case is a full
	/// queue).
	#[benchmark]
	fn remove_stake(p: Linear<1, { T::MaxPendingStakes::get() }>) {
		let (netuid, hotkeys) = subnet::<T>(0, 1);
		let staker = funded::<T>("staker", 0);
		let hotkey = hotkeys[0].clone();
		fill_position::<T>(&staker, &hotkey, netuid, p);
		let all = Positions::<T>::get((&staker, &hotkey, netuid));

		#[extrinsic_call]
		_(
			RawOrigin::Signed(staker.clone()),
			hotkey.clone(),
			netuid,
			all,
		);

		assert!(!Positions::<T>::contains_key((&staker, &hotkey, netuid)));
		assert!(ImmatureStake::<T>::get(netuid, &hotkey).is_zero());
	}

	/// Between subnets, the whole position of `p` immature additions (the worst case is a full
	/// queue; a move within one subnet carries the pieces instead of cancelling them, at the
	/// same count of schedule accesses).
	#[benchmark]
	fn move_stake(p: Linear<1, { T::MaxPendingStakes::get() }>) {
		let (a, hotkeys_a) = subnet::<T>(0, 1);
		let (b, hotkeys_b) = subnet::<T>(1, 1);
		let staker = funded::<T>("staker", 0);
		fill_position::<T>(&staker, &hotkeys_a[0], a, p);
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
		Pallet::<T>::do_associate(&coldkey, &hotkey).expect("associate");
		Takes::<T>::insert(&hotkey, Perbill::zero());
		LastTakeIncrease::<T>::insert(&hotkey, frame_system::Pallet::<T>::block_number());
		advance::<T>(T::TakeRateLimit::get());
		let take = T::MaxTake::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(coldkey), hotkey.clone(), take);

		assert_eq!(Takes::<T>::get(&hotkey), Some(take));
	}

	/// `n` neurons with matured stake ranked.
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
		let matures_at =
			frame_system::Pallet::<T>::block_number().saturating_add(Pallet::<T>::flow_maturity());
		Pallet::<T>::mature_stakes(matures_at);
		frame_system::Pallet::<T>::set_block_number(matures_at);
		let considered;

		#[block]
		{
			considered = Pallet::<T>::recompute_permits(netuid);
		}

		assert_eq!(considered, n);
		assert!(
			!Permits::<T>::get(netuid).is_empty(),
			"matured stake wins permits"
		);
	}

	/// `on_initialize` releasing `k` `(subnet, hotkey)` entries maturing at one block.
	#[benchmark]
	fn mature_stakes(k: Linear<1, 256>) {
		let (netuid, hotkeys) = subnet::<T>(0, k);
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
		let matures_at =
			frame_system::Pallet::<T>::block_number().saturating_add(Pallet::<T>::flow_maturity());
		let released;

		#[block]
		{
			released = Pallet::<T>::mature_stakes(matures_at);
		}

		assert_eq!(released, k);
		assert!(hotkeys
			.iter()
			.all(|h| ImmatureStake::<T>::get(netuid, h).is_zero()));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
