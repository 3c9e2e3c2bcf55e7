//! Release at maturity: automatic (bounded per block) and by `claim`.

use super::*;
use crate::{Error, Event, ReleaseQueue, Totals};
use frame_support::{assert_noop, assert_ok, BoundedVec};

fn ids(v: &[EntryId]) -> BoundedVec<EntryId, frame_support::traits::ConstU32<16>> {
	BoundedVec::truncate_from(v.to_vec())
}

/// An epoch that paid the miners; returns (the miner-21 entry id, its entry).
fn miner_entry(netuid: NetUid) -> (EntryId, EscrowEntry<AccountId, Balance, u64>) {
	until_miners_paid(netuid);
	entries_of(netuid, EntryKind::Incentive)
		.into_iter()
		.find(|(_, e)| e.earner == 21)
		.expect("miner 21 paid")
}

#[test]
fn claim_fails_one_block_before_release() {
	build_and_execute(|| {
		let netuid = arena();
		MaxReleasesPerBlock::set(0);
		let (id, e) = miner_entry(netuid);
		run_to_block(e.release_at - 1);
		assert_noop!(
			Escrow::claim(origin(99), ids(&[id])),
			Error::<Test>::NotYetReleasable
		);
	});
}

#[test]
fn claim_succeeds_at_release_block_into_stake() {
	build_and_execute(|| {
		let netuid = arena();
		MaxReleasesPerBlock::set(0);
		let (id, e) = miner_entry(netuid);
		run_to_block(e.release_at);
		let before = position(20, 21, netuid);
		// Anyone may claim; the funds go to the entry's destination.
		let caller_free = free(30);
		assert_ok!(Escrow::claim(origin(30), ids(&[id])));
		assert_eq!(free(30), caller_free);
		assert!(Entries::<Test>::get(id).is_none());
		// Miner 20/21 had no stake: the reward is at least the minimum, so it became stake.
		if e.amount >= MIN_STAKE {
			assert_eq!(position(20, 21, netuid), before + e.amount);
		}
		assert!(events()
			.iter()
			.any(|ev| matches!(ev, Event::Released { id: i, .. } if *i == id)));
	});
}

#[test]
fn claim_fails_if_entry_unknown() {
	build_and_execute(|| {
		assert_noop!(
			Escrow::claim(origin(1), ids(&[42])),
			Error::<Test>::EntryNotFound
		);
	});
}

#[test]
fn entries_release_automatically_at_their_block() {
	build_and_execute(|| {
		let netuid = arena();
		let (id, e) = miner_entry(netuid);
		run_to_block(e.release_at - 1);
		assert!(Entries::<Test>::get(id).is_some());
		next_block();
		assert!(Entries::<Test>::get(id).is_none());
		assert!(!ReleaseQueue::<Test>::contains_key(e.release_at, id));
		assert!(Totals::<Test>::get().released >= e.amount);
	});
}

#[test]
fn release_is_bounded_per_block() {
	build_and_execute(|| {
		let netuid = arena();
		MaxReleasesPerBlock::set(1);
		let (_, e) = miner_entry(netuid);
		let due = ReleaseQueue::<Test>::iter_prefix(e.release_at).count();
		assert!(due > 2, "several entries share the block");
		run_to_block(e.release_at);
		assert_eq!(
			ReleaseQueue::<Test>::iter_prefix(e.release_at).count(),
			due - 1
		);
		next_block();
		assert_eq!(
			ReleaseQueue::<Test>::iter_prefix(e.release_at).count(),
			due - 2
		);
		MaxReleasesPerBlock::set(1_000);
		next_block();
		assert_eq!(ReleaseQueue::<Test>::iter_prefix(e.release_at).count(), 0);
	});
}

#[test]
fn small_reward_goes_to_free_balance_when_position_stays_below_minimum() {
	build_and_execute(|| {
		let netuid = arena();
		MaxReleasesPerBlock::set(0);
		let (id, mut e) = miner_entry(netuid);
		// Shrink the entry below the minimum stake (keeping the books consistent).
		let excess = e.amount - (MIN_STAKE - 1);
		e.amount = MIN_STAKE - 1;
		Entries::<Test>::insert(id, e.clone());
		Totals::<Test>::mutate(|t| {
			t.open -= excess;
			t.released += excess;
		});
		assert_ok!(
			<Balances as frame_support::traits::fungible::Mutate<_>>::transfer(
				&Escrow::account_id(),
				&99,
				excess,
				frame_support::traits::tokens::Preservation::Preserve
			)
		);
		run_to_block(e.release_at);
		let free_before = free(20);
		assert_ok!(Escrow::claim(origin(20), ids(&[id])));
		assert_eq!(position(20, 21, netuid), 0);
		assert_eq!(free(20), free_before + MIN_STAKE - 1);
	});
}

#[test]
fn dissolved_subnet_entries_release_to_free_balance() {
	build_and_execute(|| {
		let netuid = arena();
		let (id, e) = miner_entry(netuid);
		assert_ok!(Subnets::dissolve_network(origin(1), netuid));
		let free_before = free(20);
		run_to_block(e.release_at);
		assert!(Entries::<Test>::get(id).is_none());
		assert!(free(20) >= free_before + e.amount);
	});
}
