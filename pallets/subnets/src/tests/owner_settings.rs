//! Attacks through owner settings and weight timing (issue 15, item 6): a tempo below the
//! runtime's floor, a tempo change that moves committed validators' reveal windows, the weights
//! rate limit across epoch windows, the weight of a subnet's removal and the permit of a
//! replaced neuron.

use crate::{mock::*, types::HyperParam, Error, *};
use arena_pallet_primitives::StakeInterface;
use frame_support::{assert_noop, assert_ok, dispatch::PostDispatchInfo, BoundedVec};

/// A subnet with 3 neurons (hotkeys 11, 12, 13); 11 is a permitted validator.
fn setup() -> u16 {
	let netuid = new_subnet(1);
	register(netuid, 1, 11);
	register(netuid, 2, 12);
	register(netuid, 3, 13);
	grant_permit(netuid, 11);
	netuid
}

fn set(netuid: u16, changes: Vec<HyperParam<Balance>>) -> sp_runtime::DispatchResult {
	Subnets::set_hyperparameters(origin(1), netuid, BoundedVec::truncate_from(changes))
}

#[test]
fn set_tempo_fails_below_the_floor() {
	build_and_execute(|| {
		let netuid = new_subnet(1);
		assert_noop!(
			set(netuid, vec![HyperParam::Tempo(MIN_TEMPO - 1)]),
			Error::<Test>::InvalidTempo
		);
		assert_ok!(set(
			netuid,
			vec![
				HyperParam::Tempo(MIN_TEMPO),
				HyperParam::ActivityCutoff(MIN_TEMPO)
			]
		));
	});
}

#[test]
fn set_weights_arguments_longer_than_max_uids_limit_do_not_decode() {
	use codec::{Decode, Encode};
	let long: Vec<u16> = (0..=16).collect();
	assert!(WeightArgOf::<Test>::decode(&mut &long.encode()[..]).is_err());
	let call = crate::Call::<Test>::set_weights {
		netuid: 0,
		uids: row(&[1]),
		values: row(&[1]),
		version_key: 0,
	};
	// The bounded argument encodes like a plain vector: clients send the same bytes.
	let mut bytes = call.encode();
	let plain = (6u8, 0u16, vec![1u16], vec![1u16], 0u64).encode();
	assert_eq!(bytes, plain);
	// A call whose `values` are longer than the bound is refused at decoding.
	bytes = (6u8, 0u16, vec![1u16], long, 0u64).encode();
	assert!(crate::Call::<Test>::decode(&mut &bytes[..]).is_err());
}

#[test]
fn tempo_change_after_commit_does_not_move_the_reveal_window() {
	build_and_execute(|| {
		let netuid = setup();
		assert_ok!(set(netuid, vec![HyperParam::CommitReveal(true)]));
		let salt = [9u8; 32];
		let hash = Subnets::commit_hash(&11, netuid, &[1, 2], &[10, 20], &salt, 0);
		// Committed at block 1 with tempo 10: the window is [10, 15).
		assert_ok!(Subnets::commit_weights(origin(11), netuid, hash));
		// The owner then stretches the tempo: the next epoch boundary moves to block 100.
		assert_ok!(set(netuid, vec![HyperParam::Tempo(100)]));
		run_to_block(10);
		assert_ok!(Subnets::reveal_weights(
			origin(11),
			netuid,
			row(&[1, 2]),
			row(&[10, 20]),
			salt,
			0
		));
	});
}

#[test]
fn tempo_change_after_commit_does_not_extend_the_reveal_window() {
	build_and_execute(|| {
		let netuid = setup();
		assert_ok!(set(netuid, vec![HyperParam::CommitReveal(true)]));
		let salt = [9u8; 32];
		let hash = Subnets::commit_hash(&11, netuid, &[1], &[10], &salt, 0);
		assert_ok!(Subnets::commit_weights(origin(11), netuid, hash));
		assert_ok!(set(netuid, vec![HyperParam::Tempo(100)]));
		// The window fixed at the commit, [10, 15), has closed by block 100.
		run_to_block(100);
		assert_noop!(
			Subnets::reveal_weights(origin(11), netuid, row(&[1]), row(&[10]), salt, 0),
			Error::<Test>::RevealExpired
		);
	});
}

#[test]
fn set_weights_succeeds_once_in_the_next_epoch_window_even_if_earlier_than_a_tempo() {
	build_and_execute(|| {
		let netuid = setup();
		// Epoch windows of netuid 0 with tempo 10: [0, 10), [10, 20), …
		run_to_block(9);
		assert_ok!(Subnets::set_weights(
			origin(11),
			netuid,
			row(&[1]),
			row(&[1]),
			0
		));
		// Round r+1's audit finished early: three blocks later, but in the next window.
		run_to_block(12);
		assert_ok!(Subnets::set_weights(
			origin(11),
			netuid,
			row(&[2]),
			row(&[1]),
			0
		));
	});
}

#[test]
fn set_weights_fails_twice_in_one_epoch_window() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(10);
		assert_ok!(Subnets::set_weights(
			origin(11),
			netuid,
			row(&[1]),
			row(&[1]),
			0
		));
		run_to_block(19);
		assert_noop!(
			Subnets::set_weights(origin(11), netuid, row(&[2]), row(&[1]), 0),
			Error::<Test>::SettingWeightsTooFast
		);
		run_to_block(20);
		assert_ok!(Subnets::set_weights(
			origin(11),
			netuid,
			row(&[2]),
			row(&[1]),
			0
		));
	});
}

#[test]
fn commit_weights_fails_twice_in_one_epoch_window() {
	build_and_execute(|| {
		let netuid = setup();
		assert_ok!(set(netuid, vec![HyperParam::CommitReveal(true)]));
		run_to_block(8);
		let h = sp_core::H256::repeat_byte(1);
		assert_ok!(Subnets::commit_weights(origin(11), netuid, h));
		assert_noop!(
			Subnets::commit_weights(origin(11), netuid, h),
			Error::<Test>::SettingWeightsTooFast
		);
		// The next window opens at block 10, two blocks later.
		run_to_block(10);
		assert_ok!(Subnets::commit_weights(origin(11), netuid, h));
	});
}

#[test]
fn dissolve_network_charges_the_removal_hooks_weight() {
	build_and_execute(|| {
		let netuid = new_subnet(1);
		let info = Subnets::dissolve_network(origin(1), netuid).expect("dissolved");
		let charged = info.actual_weight.expect("actual weight");
		assert!(
			charged.all_gte(REMOVAL_HOOK_WEIGHT),
			"charged {charged:?} < hook weight {REMOVAL_HOOK_WEIGHT:?}"
		);
		let _: PostDispatchInfo = info;
	});
}

#[test]
fn register_network_charges_the_pruned_subnets_removal_hooks_weight() {
	build_and_execute(|| {
		for owner in 1..=3 {
			new_subnet(owner);
		}
		run_to_block(1 + NETWORK_IMMUNITY);
		fund(4, 1_000_000);
		let info = Subnets::register_network(origin(4)).expect("registered");
		assert_eq!(removed().len(), 1, "one subnet pruned");
		let charged = info.actual_weight.expect("actual weight");
		assert!(
			charged.all_gte(REMOVAL_HOOK_WEIGHT),
			"charged {charged:?} < hook weight {REMOVAL_HOOK_WEIGHT:?}"
		);
	});
}

#[test]
fn replaced_neuron_loses_its_validator_permit_at_once() {
	build_and_execute(|| {
		let netuid = new_subnet(1);
		for hk in 11..=14 {
			register(netuid, 1, hk);
		}
		grant_permit(netuid, 11);
		run_to_block(1 + u64::from(IMMUNITY));
		// The subnet is full (max_uids 4): hotkey 15 replaces UID 0 (hotkey 11).
		register(netuid, 1, 15);
		assert_eq!(Uids::<Test>::get(netuid, 15), Some(0));
		assert!(
			!<MockStake as StakeInterface<_, _>>::has_validator_permit(netuid, &11),
			"the replaced hotkey still holds its permit"
		);
	});
}
