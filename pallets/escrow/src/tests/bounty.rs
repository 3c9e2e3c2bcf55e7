//! Sponsors' bounties: funded, paid over epochs like emission, cancelled with notice.

use super::*;
use crate::{Bounties, Error, Event, Source, SubnetBounties, Totals};
use frame_support::{assert_noop, assert_ok};

const SPONSOR: AccountId = 40;

fn bounty_paid(id: u32) -> Vec<Balance> {
	events()
		.into_iter()
		.filter_map(|e| match e {
			Event::BountyPaid { id: i, amount, .. } if i == id => Some(amount),
			_ => None,
		})
		.collect()
}

#[test]
fn fund_fails_if_per_epoch_too_small() {
	build_and_execute(|| {
		let netuid = arena();
		assert_noop!(
			Escrow::fund_bounty(origin(SPONSOR), netuid, UNIT - 1, 3),
			Error::<Test>::BountyTooSmall
		);
	});
}

#[test]
fn fund_fails_if_epochs_out_of_range() {
	build_and_execute(|| {
		let netuid = arena();
		assert_noop!(
			Escrow::fund_bounty(origin(SPONSOR), netuid, UNIT, 0),
			Error::<Test>::InvalidBountyEpochs
		);
		assert_noop!(
			Escrow::fund_bounty(origin(SPONSOR), netuid, UNIT, 101),
			Error::<Test>::InvalidBountyEpochs
		);
	});
}

#[test]
fn fund_fails_if_subnet_missing() {
	build_and_execute(|| {
		assert_noop!(
			Escrow::fund_bounty(origin(SPONSOR), 7, UNIT, 1),
			Error::<Test>::SubnetNotFound
		);
	});
}

#[test]
fn fund_fails_if_sponsor_cannot_pay() {
	build_and_execute(|| {
		let netuid = arena();
		assert_noop!(
			Escrow::fund_bounty(origin(SPONSOR), netuid, INITIAL, 2),
			Error::<Test>::InsufficientBalance
		);
	});
}

#[test]
fn fund_fails_if_subnet_has_too_many_bounties() {
	build_and_execute(|| {
		let netuid = arena();
		assert_ok!(Escrow::fund_bounty(origin(SPONSOR), netuid, UNIT, 1));
		assert_ok!(Escrow::fund_bounty(origin(SPONSOR), netuid, UNIT, 1));
		assert_noop!(
			Escrow::fund_bounty(origin(SPONSOR), netuid, UNIT, 1),
			Error::<Test>::TooManyBounties
		);
	});
}

#[test]
fn bounty_pays_over_its_epochs_then_returns_the_rest() {
	build_and_execute(|| {
		let netuid = arena();
		until_miners_paid(netuid);
		let sponsor_free = free(SPONSOR);
		assert_ok!(Escrow::fund_bounty(origin(SPONSOR), netuid, 10 * UNIT, 3));
		assert_eq!(free(SPONSOR), sponsor_free - 30 * UNIT);
		for _ in 0..3 {
			run_to_epoch(netuid);
		}
		let paid = bounty_paid(0);
		assert_eq!(paid.len(), 3);
		let total: Balance = paid.iter().sum();
		// Everything found a recipient: owner cut, miners and validators.
		assert_eq!(total, 30 * UNIT);
		assert!(Bounties::<Test>::get(0).is_none());
		assert!(SubnetBounties::<Test>::get(netuid).is_empty());
		assert_eq!(free(SPONSOR), sponsor_free - total);
		// Its parts are escrowed like emission: the miners' parts are slashable incentive.
		assert!(Entries::<Test>::iter_values()
			.any(|e| e.source == Source::Bounty(0) && e.kind == EntryKind::Incentive));
		assert_eq!(Totals::<Test>::get().escrowed_bounty, 30 * UNIT);
		assert!(events().iter().any(|e| matches!(
			e,
			Event::BountyClosed {
				id: 0,
				refunded: 0,
				..
			}
		)));
	});
}

#[test]
fn cancelled_bounty_pays_one_more_epoch_then_returns_the_rest() {
	build_and_execute(|| {
		let netuid = arena();
		until_miners_paid(netuid);
		let sponsor_free = free(SPONSOR);
		assert_ok!(Escrow::fund_bounty(origin(SPONSOR), netuid, 10 * UNIT, 5));
		run_to_epoch(netuid);
		assert_ok!(Escrow::cancel_bounty(origin(SPONSOR), 0));
		assert!(Bounties::<Test>::get(0).is_some(), "notice period");
		run_to_epoch(netuid);
		assert_eq!(bounty_paid(0).len(), 2);
		assert!(Bounties::<Test>::get(0).is_none());
		assert_eq!(free(SPONSOR), sponsor_free - 20 * UNIT);
		assert!(events().iter().any(|e| matches!(e,
			Event::BountyClosed { id: 0, refunded, .. } if *refunded == 30 * UNIT)));
	});
}

#[test]
fn cancel_fails_if_not_sponsor() {
	build_and_execute(|| {
		let netuid = arena();
		assert_ok!(Escrow::fund_bounty(origin(SPONSOR), netuid, UNIT, 2));
		assert_noop!(
			Escrow::cancel_bounty(origin(1), 0),
			Error::<Test>::NotSponsor
		);
	});
}

#[test]
fn cancel_fails_if_cancelled_already() {
	build_and_execute(|| {
		let netuid = arena();
		assert_ok!(Escrow::fund_bounty(origin(SPONSOR), netuid, UNIT, 2));
		assert_ok!(Escrow::cancel_bounty(origin(SPONSOR), 0));
		assert_noop!(
			Escrow::cancel_bounty(origin(SPONSOR), 0),
			Error::<Test>::AlreadyCancelled
		);
	});
}

#[test]
fn cancel_fails_if_bounty_unknown() {
	build_and_execute(|| {
		assert_noop!(
			Escrow::cancel_bounty(origin(SPONSOR), 9),
			Error::<Test>::BountyNotFound
		);
	});
}

#[test]
fn dissolving_the_subnet_returns_its_bounties() {
	build_and_execute(|| {
		let netuid = arena();
		let sponsor_free = free(SPONSOR);
		assert_ok!(Escrow::fund_bounty(origin(SPONSOR), netuid, 10 * UNIT, 4));
		assert_ok!(Subnets::dissolve_network(origin(1), netuid));
		assert_eq!(free(SPONSOR), sponsor_free);
		assert!(Bounties::<Test>::get(0).is_none());
	});
}
