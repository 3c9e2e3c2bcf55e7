//! `vote_checkpoint` and the tally at the round's end.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};

const X: Hash32 = [0x0A; 32];
const Y: Hash32 = [0x0B; 32];

#[test]
fn vote_fails_if_not_a_permitted_validator() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(35);
		assert_noop!(
			Rounds::vote_checkpoint(origin(11), netuid, 0, X),
			Error::<Test>::NoValidatorPermit
		);
	});
}

#[test]
fn vote_fails_if_before_the_voting_phase() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(34); // voting starts at 35
		assert_noop!(
			Rounds::vote_checkpoint(origin(21), netuid, 0, X),
			Error::<Test>::VotingNotOpen
		);
	});
}

#[test]
fn vote_fails_if_after_the_round() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(40);
		assert_noop!(
			Rounds::vote_checkpoint(origin(21), netuid, 0, X),
			Error::<Test>::RoundClosed
		);
	});
}

#[test]
fn vote_fails_if_hash_zero() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(35);
		assert_noop!(
			Rounds::vote_checkpoint(origin(21), netuid, 0, [0; 32]),
			Error::<Test>::ZeroCheckpointHash
		);
	});
}

#[test]
fn vote_on_the_last_block_counts_and_may_change() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(35);
		assert_ok!(Rounds::vote_checkpoint(origin(22), netuid, 0, X));
		run_to_block(39);
		assert_ok!(Rounds::vote_checkpoint(origin(22), netuid, 0, Y));
		assert_eq!(RoundRecords::<Test>::get(netuid, 0).unwrap().votes, 1);
		run_to_block(40);
		assert_eq!(Checkpoint::<Test>::get(netuid), Some(Y));
		assert_eq!(RoundRecords::<Test>::get(netuid, 1).unwrap().checkpoint, Y);
	});
}

#[test]
fn the_hash_with_most_stake_wins_and_becomes_the_next_checkpoint() {
	build_and_execute(|| {
		let netuid = setup(); // 21: stake 300, 22: stake 200
		run_to_block(35);
		assert_ok!(Rounds::vote_checkpoint(origin(22), netuid, 0, X));
		assert_ok!(Rounds::vote_checkpoint(origin(21), netuid, 0, Y));
		run_to_block(40);
		assert!(events().contains(&Event::RoundClosed {
			netuid,
			round: 0,
			next_checkpoint: Y,
			decided: true,
			winner_stake: 300,
			total_stake: 500,
		}));
		let closed = RoundRecords::<Test>::get(netuid, 0).unwrap();
		assert_eq!(
			(closed.closed_at, closed.next_checkpoint),
			(Some(40), Some(Y))
		);
		let next = Rounds::current_round(netuid).unwrap();
		assert_eq!(
			(next.record.index, next.record.checkpoint, next.phase),
			(1, Y, Phase::Training)
		);
	});
}

#[test]
fn stake_changes_before_the_end_move_the_winner() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(35);
		assert_ok!(Rounds::vote_checkpoint(origin(22), netuid, 0, X));
		assert_ok!(Rounds::vote_checkpoint(origin(21), netuid, 0, Y));
		// 22 gains stake (200 + 150 > 300) before the tally.
		assert_ok!(Stake::add_stake(origin(6), 22, netuid, 150));
		run_to_block(40);
		assert_eq!(Checkpoint::<Test>::get(netuid), Some(X));
	});
}

#[test]
fn without_votes_the_checkpoint_stays() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(40);
		assert!(events().contains(&Event::RoundClosed {
			netuid,
			round: 0,
			next_checkpoint: GENESIS,
			decided: false,
			winner_stake: 0,
			total_stake: 0,
		}));
		assert_eq!(
			RoundRecords::<Test>::get(netuid, 1).unwrap().checkpoint,
			GENESIS
		);
	});
}

#[test]
fn a_round_cut_short_by_a_tempo_change_is_tallied_at_the_epoch() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(22);
		assert_ok!(commit(netuid, 0, 11, FP_A, [1; 32]));
		// Tempo 20 → 5: the next epoch of netuid 0 is block 25, before the deadline (28).
		assert_ok!(Subnets::set_hyperparameters(
			origin(1),
			netuid,
			frame_support::BoundedVec::truncate_from(vec![
				pallet_subnets::types::HyperParam::Tempo(5)
			])
		));
		run_to_block(25);
		let r0 = RoundRecords::<Test>::get(netuid, 0).unwrap();
		assert_eq!((r0.closed_at, r0.audit_block), (Some(25), 25));
		assert_eq!(r0.audit_seed, None);
		run_to_block(26);
		assert_eq!(
			RoundRecords::<Test>::get(netuid, 0).unwrap().audit_seed,
			Some(block_hash(25))
		);
		// The new round runs with the clamped settings: tempo 5, v = 2, d = 1.
		let r1 = RoundRecords::<Test>::get(netuid, 1).unwrap();
		assert_eq!(
			(r1.start, r1.tempo, r1.commit_deadline, r1.vote_window),
			(25, 5, 1, 2)
		);
	});
}
