//! `commit_contribution`: who, when, how often, with what.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};

#[test]
fn commit_on_the_last_block_before_the_deadline_succeeds() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(27); // round 0: [20, 40), deadline block 28
		assert_ok!(commit(netuid, 0, 11, FP_A, [1; 32]));
		let c = Commitments::<Test>::get((netuid, 0, 11)).unwrap();
		assert_eq!(
			(c.steps, c.fingerprint, c.committed_at, c.previous_residual),
			(STEPS, FP_A, 27, [0; 32])
		);
		assert_eq!(RoundRecords::<Test>::get(netuid, 0).unwrap().commitments, 1);
	});
}

#[test]
fn commit_fails_if_one_block_after_the_deadline() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(28);
		assert_noop!(
			commit(netuid, 0, 11, FP_A, [1; 32]),
			Error::<Test>::CommitDeadlinePassed
		);
	});
}

#[test]
fn commit_fails_if_twice_in_a_round() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(21);
		assert_ok!(commit(netuid, 0, 11, FP_A, [1; 32]));
		assert_noop!(
			commit(netuid, 0, 11, FP_B, [2; 32]),
			Error::<Test>::AlreadyCommitted
		);
	});
}

#[test]
fn commit_fails_if_fingerprint_not_allowed() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(21);
		assert_noop!(
			commit(netuid, 0, 11, [0xEE; 32], [1; 32]),
			Error::<Test>::FingerprintNotAllowed
		);
	});
}

#[test]
fn commit_fails_if_step_count_differs_from_the_task() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(21);
		assert_noop!(
			Rounds::commit_contribution(
				origin(11),
				netuid,
				0,
				[1; 32],
				[2; 32],
				STEPS - 1,
				FP_A,
				[3; 32]
			),
			Error::<Test>::WrongStepCount
		);
	});
}

#[test]
fn commit_fails_if_hotkey_not_registered() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(21);
		assert_noop!(
			commit(netuid, 0, 19, FP_A, [1; 32]),
			Error::<Test>::HotkeyNotRegistered
		);
	});
}

#[test]
fn commit_fails_if_no_round_is_open() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(5);
		assert_noop!(
			commit(netuid, 0, 11, FP_A, [1; 32]),
			Error::<Test>::NoOpenRound
		);
	});
}

#[test]
fn commit_fails_if_round_is_not_the_open_one() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(41); // round 1 open
		assert_noop!(
			commit(netuid, 0, 11, FP_A, [1; 32]),
			Error::<Test>::RoundClosed
		);
		assert_noop!(
			commit(netuid, 2, 11, FP_A, [1; 32]),
			Error::<Test>::RoundNotStarted
		);
		assert_ok!(commit(netuid, 1, 11, FP_A, [1; 32]));
	});
}

#[test]
fn commit_fails_if_the_subnet_does_not_exist() {
	build_and_execute(|| {
		setup();
		run_to_block(21);
		assert_noop!(
			commit(3, 0, 11, FP_A, [1; 32]),
			Error::<Test>::SubnetNotFound
		);
	});
}

#[test]
fn residual_of_the_last_commit_is_bound_into_the_next() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(21);
		assert_ok!(commit(netuid, 0, 11, FP_A, [0x51; 32]));
		assert_eq!(
			Rounds::last_residual(netuid, &11),
			Some(Residual {
				hash: [0x51; 32],
				round: 0
			})
		);
		run_to_block(41);
		assert_ok!(commit(netuid, 1, 11, FP_B, [0x52; 32]));
		let c = Commitments::<Test>::get((netuid, 1, 11)).unwrap();
		assert_eq!(
			(c.previous_residual, c.residual_hash),
			([0x51; 32], [0x52; 32])
		);
		assert_eq!(Rounds::last_residual(netuid, &11).unwrap().round, 1);
		assert_eq!(Rounds::last_residual(netuid, &12), None);
	});
}

#[test]
fn commit_fingerprints_follow_the_settings_at_once() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(21);
		assert_ok!(Rounds::set_round_settings(
			origin(1),
			netuid,
			DEADLINE,
			VOTE_WINDOW,
			fingerprints(&[FP_B])
		));
		assert_noop!(
			commit(netuid, 0, 11, FP_A, [1; 32]),
			Error::<Test>::FingerprintNotAllowed
		);
		assert_ok!(commit(netuid, 0, 11, FP_B, [1; 32]));
	});
}
