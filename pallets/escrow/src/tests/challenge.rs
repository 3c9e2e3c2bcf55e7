//! Challenges: who may raise and back them, the quorum, slashing, bonds, expiry.

use super::*;
use crate::{
	AuditFailure, ChallengeExpiries, Challenges, Error, Event, Evidence, OpenChallenges, Totals,
};
use frame_support::{assert_noop, assert_ok, BoundedVec};

fn evidence() -> Evidence {
	Evidence {
		reason: AuditFailure::SegmentMismatch,
		segment: 3,
		merkle_root: [1; 32],
		claimed_start: [2; 32],
		claimed_end: [3; 32],
		recomputed: [4; 32],
		update_hash: [5; 32],
	}
}

/// The arena after miners were paid once; returns the subnet and the round to challenge.
fn paid_arena(stakes: [Balance; 3]) -> (NetUid, u32) {
	let netuid = arena_with(stakes);
	until_miners_paid(netuid);
	(netuid, pallet_emission::EpochIndex::<Test>::get(netuid) - 1)
}

fn challenge(
	netuid: NetUid,
	by: AccountId,
	miner: AccountId,
	round: u32,
) -> frame_support::dispatch::DispatchResult {
	Escrow::challenge(origin(by), netuid, miner, round, evidence())
}

#[test]
fn challenge_fails_if_not_a_permitted_validator() {
	build_and_execute(|| {
		let (netuid, round) = paid_arena([100 * UNIT; 3]);
		assert_noop!(
			challenge(netuid, 23, 21, round),
			Error::<Test>::NotPermittedValidator
		);
	});
}

#[test]
fn support_fails_if_not_a_permitted_validator() {
	build_and_execute(|| {
		let (netuid, round) = paid_arena([100 * UNIT; 3]);
		assert_ok!(challenge(netuid, 11, 21, round));
		assert_noop!(
			Escrow::support_challenge(origin(23), netuid, 21, round),
			Error::<Test>::NotPermittedValidator
		);
	});
}

#[test]
fn challenge_fails_if_round_challenged_already() {
	build_and_execute(|| {
		let (netuid, round) = paid_arena([100 * UNIT; 3]);
		assert_ok!(challenge(netuid, 11, 21, round));
		assert_noop!(
			challenge(netuid, 13, 21, round),
			Error::<Test>::ChallengeExists
		);
	});
}

#[test]
fn challenge_fails_if_miner_is_unregistered_and_has_nothing_in_escrow() {
	build_and_execute(|| {
		let (netuid, round) = paid_arena([100 * UNIT; 3]);
		assert_noop!(
			challenge(netuid, 11, 99, round),
			Error::<Test>::NothingToSlash
		);
	});
}

/// A cheater caught in its first round has nothing in escrow yet; the challenge must stand
/// anyway (it keeps the update out of the aggregate), for one escrow window.
#[test]
fn challenge_of_a_registered_miner_without_escrow_stands_for_one_escrow_window() {
	build_and_execute(|| {
		let (netuid, round) = paid_arena([100 * UNIT; 3]);
		register(netuid, 30, 31);
		assert_eq!(escrowed_for(netuid, 31), 0);
		let now = System::block_number();
		assert_ok!(challenge(netuid, 11, 31, round));
		let c = Challenges::<Test>::get((netuid, 31, round)).expect("open");
		assert_eq!(c.expires_at, now + window());
		assert_eq!(OpenChallenges::<Test>::get(netuid, 31), 1);
	});
}

#[test]
fn quorum_on_a_miner_without_escrow_ends_the_challenge_and_returns_the_bond() {
	build_and_execute(|| {
		let (netuid, round) = paid_arena([100 * UNIT; 3]);
		register(netuid, 30, 31);
		let free_11 = free(11);
		assert_ok!(challenge(netuid, 11, 31, round));
		assert_ok!(Escrow::support_challenge(origin(13), netuid, 31, round));
		assert!(!Challenges::<Test>::contains_key((netuid, 31, round)));
		assert_eq!(free(11), free_11);
		assert!(events().iter().any(|ev| matches!(
			ev,
			Event::Slashed {
				miner: 31,
				entries: 0,
				amount: 0,
				..
			}
		)));
	});
}

#[test]
fn challenge_fails_if_validator_challenges_itself() {
	build_and_execute(|| {
		let (netuid, round) = paid_arena([100 * UNIT; 3]);
		assert_noop!(
			challenge(netuid, 11, 11, round),
			Error::<Test>::CannotChallengeSelf
		);
	});
}

#[test]
fn support_fails_if_supported_twice() {
	build_and_execute(|| {
		let (netuid, round) = paid_arena([100 * UNIT; 3]);
		assert_ok!(challenge(netuid, 11, 21, round));
		assert_noop!(
			Escrow::support_challenge(origin(11), netuid, 21, round),
			Error::<Test>::AlreadySupported
		);
	});
}

#[test]
fn challenge_fails_if_bond_cannot_be_paid() {
	build_and_execute(|| {
		let (netuid, round) = paid_arena([100 * UNIT; 3]);
		// Hotkey 11 spends almost everything.
		let spend = free(11) - BOND / 2;
		assert_ok!(Balances::transfer_allow_death(origin(11), 59, spend));
		assert_noop!(
			challenge(netuid, 11, 21, round),
			Error::<Test>::InsufficientBond
		);
	});
}

#[test]
fn quorum_exactly_two_thirds_slashes() {
	build_and_execute(|| {
		// 200 of 300: the challenger alone holds exactly two thirds.
		let (netuid, round) = paid_arena([200 * UNIT, 50 * UNIT, 50 * UNIT]);
		let at_stake = escrowed_for(netuid, 21);
		assert!(at_stake > 0);
		assert_ok!(challenge(netuid, 11, 21, round));
		assert_eq!(escrowed_for(netuid, 21), 0);
		assert!(events()
			.iter()
			.any(|e| matches!(e, Event::Slashed { miner: 21, amount, .. } if *amount == at_stake)));
	});
}

#[test]
fn quorum_one_unit_below_two_thirds_does_not_slash() {
	build_and_execute(|| {
		// 200 ARN − 1 unit of 300 ARN: one unit short of two thirds.
		let (netuid, round) = paid_arena([200 * UNIT - 1, 50 * UNIT, 50 * UNIT + 1]);
		let at_stake = escrowed_for(netuid, 21);
		assert_ok!(challenge(netuid, 11, 21, round));
		assert_eq!(escrowed_for(netuid, 21), at_stake);
		assert!(Challenges::<Test>::contains_key((netuid, 21, round)));
		// One more supporter reaches it.
		assert_ok!(Escrow::support_challenge(origin(13), netuid, 21, round));
		assert_eq!(escrowed_for(netuid, 21), 0);
	});
}

#[test]
fn slash_burns_all_open_entries_of_the_miner_and_returns_the_bond() {
	build_and_execute(|| {
		let (netuid, round) = paid_arena([100 * UNIT; 3]);
		// A second epoch: the miner now has two open entries.
		run_to_epoch(netuid);
		let entries = entries_of(netuid, EntryKind::Incentive)
			.into_iter()
			.filter(|(_, e)| e.earner == 21)
			.count();
		assert!(entries >= 2);
		let at_stake = escrowed_for(netuid, 21);
		let other_miner = escrowed_for(netuid, 23);
		let free_11 = free(11);
		assert_ok!(challenge(netuid, 11, 21, round));
		assert_eq!(free(11), free_11 - BOND);
		let issuance_before = issuance();
		assert_ok!(Escrow::support_challenge(origin(13), netuid, 21, round));
		// Burned: issuance down by exactly what the miner had in escrow.
		assert_eq!(issuance(), issuance_before - at_stake);
		assert_eq!(escrowed_for(netuid, 21), 0);
		assert_eq!(escrowed_for(netuid, 23), other_miner);
		// Bond back, challenge gone, totals record it.
		assert_eq!(free(11), free_11);
		assert!(!Challenges::<Test>::contains_key((netuid, 21, round)));
		assert_eq!(OpenChallenges::<Test>::get(netuid, 21), 0);
		assert_eq!(Totals::<Test>::get().slashed, at_stake);
		assert_eq!(pallet_emission::Slashed::<Test>::get(), at_stake);
		assert!(events()
			.iter()
			.any(|e| matches!(e, Event::ChallengeUpheld { challenger: 11, .. })));
	});
}

#[test]
fn challenged_entries_are_not_released_while_open() {
	build_and_execute(|| {
		let (netuid, round) = paid_arena([100 * UNIT; 3]);
		// A second epoch: the challenge lasts until the later entry's release.
		run_to_epoch(netuid);
		let (id, e) = entries_of(netuid, EntryKind::Incentive)
			.into_iter()
			.find(|(_, e)| e.earner == 21)
			.expect("paid");
		assert_ok!(challenge(netuid, 11, 21, round));
		assert!(
			Challenges::<Test>::get((netuid, 21, round))
				.unwrap()
				.expires_at > e.release_at
		);
		run_to_block(e.release_at);
		assert!(Entries::<Test>::get(id).is_some(), "held back");
		assert_noop!(
			Escrow::claim(origin(20), BoundedVec::truncate_from(vec![id])),
			Error::<Test>::EntryChallenged
		);
	});
}

#[test]
fn expired_challenge_forfeits_bond_to_miner_and_releases_entries() {
	build_and_execute(|| {
		let (netuid, round) = paid_arena([100 * UNIT; 3]);
		let (id, e) = entries_of(netuid, EntryKind::Incentive)
			.into_iter()
			.find(|(_, e)| e.earner == 21)
			.expect("paid");
		let free_11 = free(11);
		assert_ok!(challenge(netuid, 11, 21, round));
		let expires_at = Challenges::<Test>::get((netuid, 21, round))
			.unwrap()
			.expires_at;
		assert_eq!(expires_at, e.release_at);
		let miner_owner_free = free(20);
		run_to_block(expires_at);
		// No quorum: the bond went to the miner's owner; its entries were released.
		assert!(!Challenges::<Test>::contains_key((netuid, 21, round)));
		assert!(!ChallengeExpiries::<Test>::contains_key(
			expires_at,
			(netuid, 21u64, round)
		));
		assert_eq!(free(11), free_11 - BOND);
		assert!(free(20) >= miner_owner_free + BOND);
		assert!(Entries::<Test>::get(id).is_none());
		assert_eq!(Totals::<Test>::get().bonds_forfeited, BOND);
		assert!(events()
			.iter()
			.any(|ev| matches!(ev, Event::ChallengeExpired { paid_to: 20, .. })));
	});
}

#[test]
fn challenge_fails_after_every_entry_reached_its_release_block() {
	build_and_execute(|| {
		let (netuid, round) = paid_arena([100 * UNIT; 3]);
		MaxReleasesPerBlock::set(0);
		// From now on (past the weights rate limit) the validators weight miner 23 only:
		// miner 21 earns nothing more.
		run_to_epoch(netuid);
		let uid_23 = pallet_subnets::Uids::<Test>::get(netuid, 23).unwrap();
		for v in [11, 13, 15] {
			assert_ok!(Subnets::set_weights(
				origin(v),
				netuid,
				sp_runtime::bounded_vec![uid_23],
				sp_runtime::bounded_vec![1],
				0
			));
		}
		run_to_epoch(netuid);
		let latest = entries_of(netuid, EntryKind::Incentive)
			.into_iter()
			.filter(|(_, e)| e.earner == 21)
			.map(|(_, e)| e.release_at)
			.max()
			.expect("miner 21 has open entries");
		run_to_block(latest);
		assert!(
			escrowed_for(netuid, 21) > 0,
			"still open: releases are paused"
		);
		assert_noop!(
			challenge(netuid, 11, 21, round),
			Error::<Test>::ChallengeTooLate
		);
	});
}
