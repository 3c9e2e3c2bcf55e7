//! Benchmarks of `pallet-subnets` (`frame_benchmarking::v2`), each in its worst case.

// Benchmark setup code, not dispatched on-chain.
#![allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)]

use super::*;
use crate::types::HyperParam;
use alloc::{vec, vec::Vec};
use arena_pallet_primitives::{NetUid, StakeInterface, TrainingTask, Uid};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{
		fungible::{Mutate, MutateHold},
		Get, Hooks,
	},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::{
	traits::{Bounded, SaturatedConversion, Saturating, Zero},
	Perbill,
};

fn funded<T: Config>(name: &'static str, i: u32) -> T::AccountId {
	let who: T::AccountId = account(name, i, 0);
	let amount = BalanceOf::<T>::max_value() / 8192u32.into();
	let _ = T::Currency::set_balance(&who, amount);
	who
}

/// Funds `who` with 1/8192 of the balance type's range, so that the accounts of a 1024-neuron
/// subnet together stay far below it.
fn fund<T: Config>(who: &T::AccountId) {
	let amount = BalanceOf::<T>::max_value() / 8192u32.into();
	let _ = T::Currency::set_balance(who, amount);
}

/// Creates a subnet owned by `owner` (funded) with `neurons` registered hotkeys (each owned by
/// its own funded coldkey), `max_uids = max(neurons, 1)` and no neuron immunity. Resets the lock cost so that
/// many subnets can be created.
pub fn create_subnet<T: Config>(owner: &T::AccountId, neurons: u32) -> (NetUid, Vec<T::AccountId>) {
	fund::<T>(owner);
	LastLockCost::<T>::kill();
	if SubnetCount::<T>::get() >= SubnetLimit::<T>::get() {
		SubnetLimit::<T>::put(T::MaxSubnets::get());
	}
	let netuid = NextNetUid::<T>::get();
	Pallet::<T>::register_network(RawOrigin::Signed(owner.clone()).into())
		.expect("register_network");
	let max_uids: u16 = neurons.max(1).saturated_into();
	Hyperparams::<T>::mutate(netuid, |hp| {
		if let Some(hp) = hp {
			hp.max_uids = max_uids.max(hp.max_uids);
			hp.max_validators = hp.max_validators.min(hp.max_uids);
			hp.immunity_period = 0;
		}
	});
	let mut hotkeys = Vec::new();
	for i in 0..neurons {
		let hotkey: T::AccountId = account("hotkey", i, u32::from(netuid));
		let coldkey: T::AccountId = account("coldkey", i, u32::from(netuid));
		fund::<T>(&coldkey);
		Pallet::<T>::burned_register(RawOrigin::Signed(coldkey).into(), netuid, hotkey.clone())
			.expect("burned_register");
		hotkeys.push(hotkey);
	}
	(netuid, hotkeys)
}

/// A subnet whose first hotkey is a permitted validator, plus a row of `n` weights.
fn validator_setup<T: Config>(n: u32) -> (NetUid, T::AccountId, Vec<Uid>, Vec<u16>) {
	let owner = funded::<T>("owner", 0);
	let (netuid, hotkeys) = create_subnet::<T>(&owner, n.max(1));
	let validator = hotkeys[0].clone();
	T::Stake::bench_grant_permit(netuid, &validator);
	let uids: Vec<Uid> = (0..n).map(|u| u.saturated_into()).collect();
	let values: Vec<u16> = (0..n).map(|u| (u % 1000 + 1).saturated_into()).collect();
	(netuid, validator, uids, values)
}

fn advance<T: Config>(blocks: u32) {
	let now = frame_system::Pallet::<T>::block_number();
	frame_system::Pallet::<T>::set_block_number(now.saturating_add(blocks.into()));
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Worst case: the limit is reached with `s` subnets, all scanned, and the oldest, with
	/// `n` neurons, is pruned.
	#[benchmark]
	fn register_network(
		s: Linear<1, { u32::from(T::MaxSubnets::get()) }>,
		n: Linear<0, { T::MaxUidsLimit::get() }>,
	) {
		let owner = funded::<T>("owner", 0);
		let (victim, _) = create_subnet::<T>(&owner, n);
		for i in 1..s {
			let other = funded::<T>("owner", i);
			create_subnet::<T>(&other, 0);
		}
		SubnetLimit::<T>::put(SubnetCount::<T>::get());
		let immunity: u32 = T::NetworkImmunityPeriod::get().saturated_into();
		advance::<T>(immunity.saturating_add(1));
		let caller = funded::<T>("caller", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert!(!Networks::<T>::contains_key(victim));
		assert_eq!(
			Networks::<T>::get(NextNetUid::<T>::get().saturating_sub(1)).map(|s| s.owner),
			Some(caller)
		);
	}

	/// Worst case: dissolved by its owner right after registration at a lock above the
	/// minimum, so part of the lock is burned, and as the latest registration, so the lock
	/// price is put back (SPEC §4).
	#[benchmark]
	fn dissolve_network(n: Linear<0, { T::MaxUidsLimit::get() }>) {
		let owner = funded::<T>("owner", 0);
		let (netuid, _) = create_subnet::<T>(&owner, n);
		let mut paid = BalanceOf::<T>::zero();
		Networks::<T>::mutate(netuid, |r| {
			if let Some(r) = r {
				paid = r.locked;
				r.locked = r.locked.saturating_mul(2u32.into());
				LastLockCost::<T>::put(r.locked);
				LastLockBlock::<T>::put(r.registered_at);
			}
		});
		let extra = Networks::<T>::get(netuid)
			.map(|r| r.locked.saturating_sub(T::MinLockCost::get()))
			.unwrap_or_default();
		T::Currency::hold(&HoldReason::SubnetLock.into(), &owner, extra).expect("funded");

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), netuid);

		assert!(!Networks::<T>::contains_key(netuid));
		assert_eq!(LastLockCost::<T>::get(), paid, "the lock price is put back");
	}

	#[benchmark]
	fn set_hyperparameters() {
		let owner = funded::<T>("owner", 0);
		let (netuid, _) = create_subnet::<T>(&owner, 0);
		let hp = Hyperparams::<T>::get(netuid).expect("exists");
		let changes: Vec<HyperParam<BalanceOf<T>>> = vec![
			HyperParam::Tempo(hp.tempo),
			HyperParam::MaxUids(hp.max_uids),
			HyperParam::ImmunityPeriod(hp.immunity_period),
			HyperParam::MinBurn(hp.min_burn),
			HyperParam::MaxBurn(hp.max_burn),
			HyperParam::MaxValidators(hp.max_validators),
			HyperParam::ActivityCutoff(hp.activity_cutoff),
			HyperParam::Kappa(Perbill::from_percent(60)),
			HyperParam::BondsMovingAverage(Perbill::from_percent(20)),
			HyperParam::CommitReveal(true),
			HyperParam::RevealWindow(hp.reveal_window),
			HyperParam::EscrowWindow(hp.escrow_window),
			HyperParam::WeightsVersion(7),
			HyperParam::Tempo(hp.tempo),
			HyperParam::Tempo(hp.tempo),
			HyperParam::Tempo(hp.tempo),
		];
		let changes: HyperParamChanges<T> = BoundedVec::truncate_from(changes);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), netuid, changes);

		assert_eq!(
			Hyperparams::<T>::get(netuid).map(|h| h.weights_version),
			Some(7)
		);
	}

	#[benchmark]
	fn set_training_task() {
		let owner = funded::<T>("owner", 0);
		let (netuid, _) = create_subnet::<T>(&owner, 0);
		let task = TrainingTask {
			inner_steps: 128,
			..TrainingTask::default()
		};

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), netuid, task);

		assert_eq!(TrainingTasks::<T>::get(netuid), Some(task));
	}

	/// Worst case: the subnet is full with `n` neurons and one, a permitted validator, is
	/// replaced (its permit is taken away).
	#[benchmark]
	fn burned_register(n: Linear<1, { T::MaxUidsLimit::get() }>) {
		let owner = funded::<T>("owner", 0);
		let (netuid, hotkeys) = create_subnet::<T>(&owner, n);
		for hk in &hotkeys {
			T::Stake::bench_grant_permit(netuid, hk);
		}
		Hyperparams::<T>::mutate(netuid, |hp| {
			if let Some(hp) = hp {
				hp.max_uids = n.saturated_into();
				hp.max_validators = hp.max_validators.min(hp.max_uids);
			}
		});
		let caller = funded::<T>("caller", 0);
		let hotkey: T::AccountId = account("new-hotkey", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), netuid, hotkey.clone());

		assert!(Uids::<T>::contains_key(netuid, &hotkey));
	}

	#[benchmark]
	fn serve_endpoint() {
		let owner = funded::<T>("owner", 0);
		let (netuid, hotkeys) = create_subnet::<T>(&owner, 1);
		let len = T::MaxEndpointLen::get() as usize;
		let mut endpoint = b"https://".to_vec();
		endpoint.resize(len, b'a');

		#[extrinsic_call]
		_(RawOrigin::Signed(hotkeys[0].clone()), netuid, endpoint);

		assert!(Endpoints::<T>::contains_key(netuid, 0));
	}

	#[benchmark]
	fn set_weights(n: Linear<1, { T::MaxUidsLimit::get() }>) {
		let (netuid, validator, uids, values) = validator_setup::<T>(n);

		let (uids, values) = (
			WeightArgOf::<T>::truncate_from(uids),
			WeightArgOf::<T>::truncate_from(values),
		);

		#[extrinsic_call]
		_(RawOrigin::Signed(validator), netuid, uids, values, 0);

		assert!(Weights::<T>::contains_key(netuid, 0));
	}

	#[benchmark]
	fn commit_weights() {
		let (netuid, validator, _, _) = validator_setup::<T>(1);
		Hyperparams::<T>::mutate(netuid, |hp| {
			if let Some(hp) = hp {
				hp.commit_reveal = true;
			}
		});
		let hash = sp_core::H256::repeat_byte(7);

		#[extrinsic_call]
		_(RawOrigin::Signed(validator), netuid, hash);

		assert!(WeightCommits::<T>::contains_key(netuid, 0));
	}

	#[benchmark]
	fn reveal_weights(n: Linear<1, { T::MaxUidsLimit::get() }>) {
		let (netuid, validator, uids, values) = validator_setup::<T>(n);
		Hyperparams::<T>::mutate(netuid, |hp| {
			if let Some(hp) = hp {
				hp.commit_reveal = true;
			}
		});
		let salt = [9u8; 32];
		let hash = Pallet::<T>::commit_hash(&validator, netuid, &uids, &values, &salt, 0);
		Pallet::<T>::commit_weights(RawOrigin::Signed(validator.clone()).into(), netuid, hash)
			.expect("commit");
		let hp = Hyperparams::<T>::get(netuid).expect("exists");
		let (open, _) =
			Pallet::<T>::reveal_window(netuid, &hp, frame_system::Pallet::<T>::block_number());
		frame_system::Pallet::<T>::set_block_number(open.saturated_into::<BlockNumberFor<T>>());

		let (uids, values) = (
			WeightArgOf::<T>::truncate_from(uids),
			WeightArgOf::<T>::truncate_from(values),
		);

		#[extrinsic_call]
		_(RawOrigin::Signed(validator), netuid, uids, values, salt, 0);

		assert!(!WeightCommits::<T>::contains_key(netuid, 0));
	}

	#[benchmark]
	fn set_subnet_limit() {
		let limit = T::MaxSubnets::get();

		#[extrinsic_call]
		_(RawOrigin::Root, limit);

		assert_eq!(SubnetLimit::<T>::get(), limit);
	}

	/// `s` subnets, all at their epoch block (hooks excluded: they report their own weight).
	#[benchmark]
	fn on_initialize(s: Linear<0, { u32::from(T::MaxSubnets::get()) }>) {
		SubnetLimit::<T>::put(T::MaxSubnets::get());
		for i in 0..s {
			let owner = funded::<T>("owner", i);
			create_subnet::<T>(&owner, 0);
		}
		let now = frame_system::Pallet::<T>::block_number();

		#[block]
		{
			Pallet::<T>::on_initialize(now);
		}
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
