//! `set_weights`, `commit_weights`, `reveal_weights`.

use crate::{mock::*, types::HyperParam, Error, Event, *};
use frame_support::{assert_noop, assert_ok, BoundedVec};

/// A subnet with 3 neurons (hotkeys 11, 12, 13); 11 is a permitted validator.
fn setup() -> u16 {
	let netuid = new_subnet(1);
	register(netuid, 1, 11);
	register(netuid, 2, 12);
	register(netuid, 3, 13);
	grant_permit(netuid, 11);
	netuid
}

fn enable_cr(netuid: u16) {
	assert_ok!(Subnets::set_hyperparameters(
		origin(1),
		netuid,
		BoundedVec::truncate_from(vec![HyperParam::CommitReveal(true)])
	));
}

#[test]
fn set_weights_stores_a_sorted_row() {
	build_and_execute(|| {
		let netuid = setup();
		assert_ok!(Subnets::set_weights(
			origin(11),
			netuid,
			row(&[2, 1]),
			row(&[5, 0]),
			0
		));
		assert_eq!(
			Weights::<Test>::get(netuid, 0).unwrap().into_inner(),
			vec![(1, 0), (2, 5)]
		);
		assert_eq!(
			Neurons::<Test>::get(netuid, 0).unwrap().last_update,
			Some(1)
		);
		assert_eq!(
			last_event(),
			RuntimeEvent::Subnets(Event::WeightsSet { netuid, uid: 0 })
		);
		// Rate limit: once per epoch window.
		assert_noop!(
			Subnets::set_weights(origin(11), netuid, row(&[1]), row(&[1]), 0),
			Error::<Test>::SettingWeightsTooFast
		);
		run_to_block(1 + TEMPO as u64);
		assert_ok!(Subnets::set_weights(
			origin(11),
			netuid,
			row(&[0]),
			row(&[1]),
			0
		));
	});
}

#[test]
fn set_weights_errors() {
	build_and_execute(|| {
		let netuid = setup();
		assert_noop!(
			Subnets::set_weights(origin(11), 9, row(&[1]), row(&[1]), 0),
			Error::<Test>::SubnetNotFound
		);
		assert_noop!(
			Subnets::set_weights(origin(14), netuid, row(&[1]), row(&[1]), 0),
			Error::<Test>::NotRegistered
		);
		assert_noop!(
			Subnets::set_weights(origin(12), netuid, row(&[1]), row(&[1]), 0),
			Error::<Test>::NoValidatorPermit
		);
		assert_noop!(
			Subnets::set_weights(origin(11), netuid, row(&[1, 2]), row(&[1]), 0),
			Error::<Test>::WeightLengthMismatch
		);
		assert_noop!(
			Subnets::set_weights(origin(11), netuid, row(&[0, 1, 2, 3, 4]), row(&[1; 5]), 0),
			Error::<Test>::TooManyWeights
		);
		assert_noop!(
			Subnets::set_weights(origin(11), netuid, row(&[3]), row(&[1]), 0),
			Error::<Test>::UnknownUid
		);
		assert_noop!(
			Subnets::set_weights(origin(11), netuid, row(&[1, 1]), row(&[1, 2]), 0),
			Error::<Test>::DuplicateUid
		);
		assert_noop!(
			Subnets::set_weights(origin(11), netuid, row(&[1, 2]), row(&[0, 0]), 0),
			Error::<Test>::AllZeroWeights
		);
		assert_noop!(
			Subnets::set_weights(origin(11), netuid, row(&[]), row(&[]), 0),
			Error::<Test>::AllZeroWeights
		);
		assert_ok!(Subnets::set_hyperparameters(
			origin(1),
			netuid,
			BoundedVec::truncate_from(vec![HyperParam::WeightsVersion(2)])
		));
		assert_noop!(
			Subnets::set_weights(origin(11), netuid, row(&[1]), row(&[1]), 1),
			Error::<Test>::IncorrectWeightsVersion
		);
		enable_cr(netuid);
		assert_noop!(
			Subnets::set_weights(origin(11), netuid, row(&[1]), row(&[1]), 2),
			Error::<Test>::CommitRevealEnabled
		);
	});
}

#[test]
fn commit_reveal_round_trip() {
	build_and_execute(|| {
		let netuid = setup();
		enable_cr(netuid);
		let salt = [3u8; 32];
		let hash = Subnets::commit_hash(&11, netuid, &[1, 2], &[10, 20], &salt, 0);
		assert_ok!(Subnets::commit_weights(origin(11), netuid, hash));
		assert_eq!(
			last_event(),
			RuntimeEvent::Subnets(Event::WeightsCommitted {
				netuid,
				uid: 0,
				hash
			})
		);
		assert_noop!(
			Subnets::commit_weights(origin(11), netuid, hash),
			Error::<Test>::SettingWeightsTooFast
		);
		// Netuid 0, tempo 10: next epoch block after 1 is 10; window [10, 15).
		assert_noop!(
			Subnets::reveal_weights(origin(11), netuid, row(&[1, 2]), row(&[10, 20]), salt, 0),
			Error::<Test>::RevealTooEarly
		);
		run_to_block(10);
		assert_noop!(
			Subnets::reveal_weights(origin(11), netuid, row(&[1, 2]), row(&[10, 21]), salt, 0),
			Error::<Test>::InvalidReveal
		);
		assert_ok!(Subnets::reveal_weights(
			origin(11),
			netuid,
			row(&[1, 2]),
			row(&[10, 20]),
			salt,
			0
		));
		assert_eq!(
			last_event(),
			RuntimeEvent::Subnets(Event::WeightsRevealed { netuid, uid: 0 })
		);
		assert_eq!(
			Weights::<Test>::get(netuid, 0).unwrap().into_inner(),
			vec![(1, 10), (2, 20)]
		);
		assert_eq!(
			Neurons::<Test>::get(netuid, 0).unwrap().last_update,
			Some(10)
		);
		assert!(WeightCommits::<Test>::get(netuid, 0).is_none());
		assert_noop!(
			Subnets::reveal_weights(origin(11), netuid, row(&[1, 2]), row(&[10, 20]), salt, 0),
			Error::<Test>::NoWeightsCommit
		);
	});
}

#[test]
fn commit_expires() {
	build_and_execute(|| {
		let netuid = setup();
		enable_cr(netuid);
		let salt = [3u8; 32];
		let hash = Subnets::commit_hash(&11, netuid, &[1], &[1], &salt, 0);
		assert_ok!(Subnets::commit_weights(origin(11), netuid, hash));
		run_to_block(15);
		assert_noop!(
			Subnets::reveal_weights(origin(11), netuid, row(&[1]), row(&[1]), salt, 0),
			Error::<Test>::RevealExpired
		);
	});
}

#[test]
fn commit_reveal_errors() {
	build_and_execute(|| {
		let netuid = setup();
		let h = sp_core::H256::zero();
		assert_noop!(
			Subnets::commit_weights(origin(11), netuid, h),
			Error::<Test>::CommitRevealDisabled
		);
		assert_noop!(
			Subnets::reveal_weights(origin(11), netuid, row(&[1]), row(&[1]), [0; 32], 0),
			Error::<Test>::CommitRevealDisabled
		);
		enable_cr(netuid);
		assert_noop!(
			Subnets::commit_weights(origin(11), 9, h),
			Error::<Test>::SubnetNotFound
		);
		assert_noop!(
			Subnets::commit_weights(origin(14), netuid, h),
			Error::<Test>::NotRegistered
		);
		assert_noop!(
			Subnets::commit_weights(origin(12), netuid, h),
			Error::<Test>::NoValidatorPermit
		);
		assert_noop!(
			Subnets::reveal_weights(origin(11), 9, row(&[1]), row(&[1]), [0; 32], 0),
			Error::<Test>::SubnetNotFound
		);
		assert_noop!(
			Subnets::reveal_weights(origin(14), netuid, row(&[1]), row(&[1]), [0; 32], 0),
			Error::<Test>::NotRegistered
		);
		assert_noop!(
			Subnets::reveal_weights(origin(12), netuid, row(&[1]), row(&[1]), [0; 32], 0),
			Error::<Test>::NoValidatorPermit
		);
		// A committed row is still checked on reveal.
		let salt = [1u8; 32];
		let hash = Subnets::commit_hash(&11, netuid, &[1, 1], &[1, 1], &salt, 0);
		assert_ok!(Subnets::commit_weights(origin(11), netuid, hash));
		run_to_block(10);
		assert_noop!(
			Subnets::reveal_weights(origin(11), netuid, row(&[1, 1]), row(&[1, 1]), salt, 0),
			Error::<Test>::DuplicateUid
		);
		// Version checked on reveal.
		assert_ok!(Subnets::set_hyperparameters(
			origin(1),
			netuid,
			BoundedVec::truncate_from(vec![HyperParam::WeightsVersion(5)])
		));
		assert_noop!(
			Subnets::reveal_weights(origin(11), netuid, row(&[1, 1]), row(&[1, 1]), salt, 0),
			Error::<Test>::IncorrectWeightsVersion
		);
	});
}
