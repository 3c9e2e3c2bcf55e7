//! Owner settings: the genesis checkpoint and the round settings, and when rounds open.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};

#[test]
fn setting_genesis_fails_if_not_owner() {
	build_and_execute(|| {
		let netuid = setup_unconfigured();
		assert_noop!(
			Rounds::set_genesis_checkpoint(origin(2), netuid, GENESIS, 1, url("https://a.b/c")),
			Error::<Test>::NotSubnetOwner
		);
	});
}

#[test]
fn setting_genesis_fails_if_subnet_missing() {
	build_and_execute(|| {
		assert_noop!(
			Rounds::set_genesis_checkpoint(origin(1), 7, GENESIS, 1, url("https://a.b/c")),
			Error::<Test>::SubnetNotFound
		);
	});
}

#[test]
fn setting_genesis_fails_if_hash_zero() {
	build_and_execute(|| {
		let netuid = setup_unconfigured();
		assert_noop!(
			Rounds::set_genesis_checkpoint(origin(1), netuid, [0; 32], 1, url("https://a.b/c")),
			Error::<Test>::ZeroCheckpointHash
		);
	});
}

#[test]
fn setting_genesis_fails_if_size_zero() {
	build_and_execute(|| {
		let netuid = setup_unconfigured();
		assert_noop!(
			Rounds::set_genesis_checkpoint(origin(1), netuid, GENESIS, 0, url("https://a.b/c")),
			Error::<Test>::ZeroCheckpointSize
		);
	});
}

#[test]
fn setting_genesis_fails_if_url_has_spaces_or_is_empty() {
	build_and_execute(|| {
		let netuid = setup_unconfigured();
		assert_noop!(
			Rounds::set_genesis_checkpoint(origin(1), netuid, GENESIS, 1, url("https://a b")),
			Error::<Test>::InvalidUrl
		);
		assert_noop!(
			Rounds::set_genesis_checkpoint(origin(1), netuid, GENESIS, 1, url("")),
			Error::<Test>::InvalidUrl
		);
	});
}

#[test]
fn setting_genesis_fails_once_rounds_started() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(20);
		assert_eq!(OpenRound::<Test>::get(netuid), Some(0));
		assert_noop!(
			Rounds::set_genesis_checkpoint(origin(1), netuid, [1; 32], 1, url("https://a.b/c")),
			Error::<Test>::RoundsAlreadyStarted
		);
	});
}

#[test]
fn settings_fail_if_no_block_is_left_for_auditing() {
	build_and_execute(|| {
		let netuid = setup_unconfigured();
		// 13 + 6 + 2 > 20.
		assert_noop!(
			Rounds::set_round_settings(origin(1), netuid, 13, 6, fingerprints(&[FP_A])),
			Error::<Test>::NoAuditWindow
		);
		// 12 + 6 + 2 = 20 fits.
		assert_ok!(Rounds::set_round_settings(
			origin(1),
			netuid,
			12,
			6,
			fingerprints(&[FP_A])
		));
	});
}

#[test]
fn settings_fail_if_deadline_or_window_zero() {
	build_and_execute(|| {
		let netuid = setup_unconfigured();
		assert_noop!(
			Rounds::set_round_settings(origin(1), netuid, 0, 5, fingerprints(&[FP_A])),
			Error::<Test>::ZeroCommitDeadline
		);
		assert_noop!(
			Rounds::set_round_settings(origin(1), netuid, 5, 0, fingerprints(&[FP_A])),
			Error::<Test>::ZeroVoteWindow
		);
	});
}

#[test]
fn settings_fail_if_fingerprints_empty_or_duplicated() {
	build_and_execute(|| {
		let netuid = setup_unconfigured();
		assert_noop!(
			Rounds::set_round_settings(origin(1), netuid, 5, 5, fingerprints(&[])),
			Error::<Test>::NoFingerprints
		);
		assert_noop!(
			Rounds::set_round_settings(origin(1), netuid, 5, 5, fingerprints(&[FP_A, FP_B, FP_A])),
			Error::<Test>::DuplicateFingerprint
		);
	});
}

#[test]
fn settings_fail_if_not_owner() {
	build_and_execute(|| {
		let netuid = setup_unconfigured();
		assert_noop!(
			Rounds::set_round_settings(origin(3), netuid, 5, 5, fingerprints(&[FP_A])),
			Error::<Test>::NotSubnetOwner
		);
	});
}

#[test]
fn no_round_opens_without_genesis_or_settings() {
	build_and_execute(|| {
		let netuid = setup_unconfigured();
		assert_ok!(Rounds::set_round_settings(
			origin(1),
			netuid,
			DEADLINE,
			VOTE_WINDOW,
			fingerprints(&[FP_A])
		));
		run_to_block(20);
		assert_eq!(OpenRound::<Test>::get(netuid), None);
		assert_ok!(Rounds::set_genesis_checkpoint(
			origin(1),
			netuid,
			GENESIS,
			1,
			url("ipfs://genesis")
		));
		run_to_block(40);
		assert_eq!(OpenRound::<Test>::get(netuid), Some(0));
		let r = RoundRecords::<Test>::get(netuid, 0).unwrap();
		assert_eq!((r.start, r.checkpoint, r.audit_block), (40, GENESIS, 48));
	});
}

#[test]
fn round_opens_at_the_epoch_with_its_schedule() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(19);
		assert_eq!(OpenRound::<Test>::get(netuid), None);
		run_to_block(20);
		assert!(events().contains(&Event::RoundOpened {
			netuid,
			round: 0,
			start: 20,
			checkpoint: GENESIS,
			commit_deadline: 28,
			vote_start: 35,
			end: 40,
		}));
		let view = Rounds::current_round(netuid).unwrap();
		assert_eq!(view.phase, Phase::Training);
		assert_eq!(view.blocks_left, Some(8));
		assert_eq!(view.phase_starts, [20, 28, 29, 35, 40]);
		let info = Rounds::rounds_info(netuid);
		assert_eq!(
			(info.open_round, info.next_round, info.checkpoint),
			(Some(0), 1, Some(GENESIS))
		);
	});
}

#[test]
fn settings_that_no_longer_fit_a_shorter_tempo_are_clamped() {
	build_and_execute(|| {
		let netuid = setup();
		// Tempo 20 → 10: d = 8, v = 5 no longer fit; v' = min(5, 7) = 5, d' = min(8, 3) = 3.
		assert_ok!(Subnets::set_hyperparameters(
			origin(1),
			netuid,
			frame_support::BoundedVec::truncate_from(vec![
				pallet_subnets::types::HyperParam::Tempo(10),
				pallet_subnets::types::HyperParam::ActivityCutoff(100),
			])
		));
		run_to_block(10);
		let r = RoundRecords::<Test>::get(netuid, 0).unwrap();
		assert_eq!((r.tempo, r.commit_deadline, r.vote_window), (10, 3, 5));
	});
}
