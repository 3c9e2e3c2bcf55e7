//! Deferred payout work (issue 15): a validator's dividends are queued at the epoch and split
//! among its positions in `on_idle`; a subnet's bounties are paid in `on_idle` from the stored
//! epoch outcome. Same amounts, same release blocks, exact books; a full queue pays at once.

use super::*;
use crate::{
	migrations, weights::WeightInfo, Bounties, DividendQueue, EpochOutcomes, Event, OutcomeQueue,
	PendingDividendTotal, PendingDividends,
};
use frame_support::{
	assert_ok,
	traits::{GetStorageVersion, Hooks, OnRuntimeUpgrade, StorageVersion},
	weights::Weight,
};

const SPONSOR: AccountId = 40;

/// Runs blocks without `on_idle` (full blocks) up to and including the next block in which
/// `netuid`'s epoch ran; returns that block.
fn epoch_without_idle(netuid: NetUid) -> u64 {
	loop {
		initialize_next_block();
		let now = System::block_number();
		if pallet_emission::LastEpoch::<Test>::get(netuid) == Some(now) {
			return now;
		}
	}
}

/// Gives `on_idle` a whole block now.
fn idle() {
	Escrow::on_idle(System::block_number(), Weight::MAX);
}

/// A subnet whose validators earn dividends, with coldkey 30 delegating to hotkey 11; returns
/// at an epoch block whose payouts went through `on_idle`.
fn paying_arena() -> NetUid {
	let netuid = arena();
	assert_ok!(Stake::add_stake(origin(30), 11, netuid, 100 * UNIT));
	run_to_epoch(netuid);
	run_to_epoch(netuid);
	netuid
}

/// The queued payout of validator hotkey `hotkey`.
fn queued_for(hotkey: AccountId) -> Option<crate::PendingDividendOf<Test>> {
	PendingDividends::<Test>::iter_values().find(|r| r.hotkey == hotkey)
}

/// Σ of the open dividend entries (owner's and delegators') of `hotkey` for `round`.
fn dividend_entries(netuid: NetUid, hotkey: AccountId, round: u32) -> Balance {
	Entries::<Test>::iter_values()
		.filter(|e| {
			e.netuid == netuid
				&& e.earner == hotkey
				&& e.round == round
				&& matches!(e.kind, EntryKind::Dividends | EntryKind::DelegatorShare)
		})
		.map(|e| e.amount)
		.sum()
}

#[test]
fn validator_dividends_split_before_on_idle() {
	build_and_execute(|| {
		let netuid = paying_arena();
		epoch_without_idle(netuid);
		let round = pallet_emission::EpochIndex::<Test>::get(netuid) - 1;
		let queued = queued_for(11).expect("dividends of 11 queued");
		assert_eq!(queued.round, round);
		assert_eq!(dividend_entries(netuid, 11, round), 0);
		idle();
		assert!(DividendQueue::<Test>::get().is_empty());
		assert_eq!(dividend_entries(netuid, 11, round), queued.amount);
	});
}

#[test]
fn queued_dividends_lose_their_release_block_when_split_late() {
	build_and_execute(|| {
		let netuid = paying_arena();
		let paid_at = epoch_without_idle(netuid);
		let round = pallet_emission::EpochIndex::<Test>::get(netuid) - 1;
		// Three full blocks before any idle time.
		for _ in 0..3 {
			initialize_next_block();
		}
		idle();
		let released_at: Vec<u64> = Entries::<Test>::iter_values()
			.filter(|e| e.earner == 11 && e.round == round)
			.map(|e| e.release_at)
			.collect();
		assert!(!released_at.is_empty());
		assert!(released_at.iter().all(|at| *at == paid_at + window()));
	});
}

#[test]
fn dividends_split_after_their_release_block_are_never_released() {
	build_and_execute(|| {
		let netuid = paying_arena();
		let paid_at = epoch_without_idle(netuid);
		let round = pallet_emission::EpochIndex::<Test>::get(netuid) - 1;
		let queued = queued_for(11).expect("queued").amount;
		let before = position(30, 11, netuid) + position(10, 11, netuid);
		// No idle time at all until past the release block.
		while System::block_number() <= paid_at + window() {
			initialize_next_block();
		}
		// Split now (after the release cursor's releases), released at the next idle time.
		idle();
		assert_eq!(dividend_entries(netuid, 11, round), queued);
		next_block();
		assert_eq!(dividend_entries(netuid, 11, round), 0);
		assert!(position(30, 11, netuid) + position(10, 11, netuid) >= before + queued);
	});
}

#[test]
fn validator_payout_queued_if_dividend_queue_full() {
	build_and_execute(|| {
		let netuid = paying_arena();
		MaxPendingDividends::set(1);
		epoch_without_idle(netuid);
		let round = pallet_emission::EpochIndex::<Test>::get(netuid) - 1;
		// One payout queued; the others were split at once, before any idle time.
		assert_eq!(DividendQueue::<Test>::get().len(), 1);
		let split_at_once = [11, 13, 15]
			.into_iter()
			.filter(|v| dividend_entries(netuid, *v, round) > 0)
			.count();
		assert_eq!(split_at_once, 2);
	});
}

/// Validator 11's delegator (coldkey 30) entry for `round`.
fn delegator_entry(round: u32) -> Balance {
	Entries::<Test>::iter_values()
		.filter(|e| e.earner == 11 && e.round == round && e.kind == EntryKind::DelegatorShare)
		.map(|e| e.amount)
		.sum()
}

/// Coldkey 30's share of `total` by the delegation rule over the positions on hotkey 11 now.
fn rule_share_of_30(netuid: NetUid, total: Balance) -> Balance {
	use arena_pallet_primitives::StakeInterface;
	use arena_rules::delegation::{split_dividends, Position};
	let positions = <Stake as StakeInterface<_, _>>::positions_on(netuid, &11);
	let split = split_dividends(
		total,
		&positions
			.iter()
			.map(|(c, s)| Position {
				stake: *s,
				is_owner: *c == 10,
			})
			.collect::<Vec<_>>(),
		<Stake as StakeInterface<_, _>>::delegate_take(&11),
	);
	positions
		.iter()
		.zip(&split.shares)
		.find(|((c, _), _)| *c == 30)
		.map(|(_, s)| *s)
		.unwrap_or(0)
}

#[test]
fn delegator_share_breaks_the_rule_if_dividend_queue_full() {
	build_and_execute(|| {
		let netuid = paying_arena();
		MaxPendingDividends::set(1);
		// The first epoch queues 11's payout (the queue's one place); the second finds the
		// queue full and splits 11's payout at once, by the same rule.
		epoch_without_idle(netuid);
		epoch_without_idle(netuid);
		let round = pallet_emission::EpochIndex::<Test>::get(netuid) - 1;
		let delegator = delegator_entry(round);
		assert!(delegator > 0);
		assert_eq!(
			delegator,
			rule_share_of_30(netuid, dividend_entries(netuid, 11, round))
		);
	});
}

#[test]
fn queued_delegator_share_breaks_the_rule() {
	build_and_execute(|| {
		let netuid = paying_arena();
		epoch_without_idle(netuid);
		let round = pallet_emission::EpochIndex::<Test>::get(netuid) - 1;
		let queued = queued_for(11).expect("queued").amount;
		// Split in on_idle pro rata to the positions' consensus stake then (after this block's
		// releases into them).
		Escrow::process_queues(System::block_number(), Weight::MAX);
		let delegator = delegator_entry(round);
		assert!(delegator > 0);
		assert_eq!(delegator, rule_share_of_30(netuid, queued));
	});
}

#[test]
fn dividend_split_runs_if_its_price_does_not_fit() {
	build_and_execute(|| {
		let netuid = paying_arena();
		epoch_without_idle(netuid);
		let queued = DividendQueue::<Test>::get().len();
		assert!(queued > 0);
		let price = <Test as crate::Config>::WeightInfo::expand_dividend(MAX_POSITIONS);
		let used = Escrow::process_deferred(price - Weight::from_parts(1, 0), Weight::zero());
		assert_eq!(used, Weight::zero());
		assert_eq!(DividendQueue::<Test>::get().len(), queued);
		let used = Escrow::process_deferred(price, Weight::zero());
		assert_eq!(used, price);
		assert_eq!(DividendQueue::<Test>::get().len(), queued - 1);
	});
}

#[test]
fn dissolved_subnet_loses_its_queued_dividends() {
	build_and_execute(|| {
		let netuid = paying_arena();
		epoch_without_idle(netuid);
		let queued = PendingDividendTotal::<Test>::get();
		assert!(queued > 0);
		let released_before = crate::Totals::<Test>::get().released;
		assert_ok!(Subnets::dissolve_network(origin(1), netuid));
		// Split as usual, then released on time into free balance (the subnet is gone).
		run_to_block(System::block_number() + window() + 1);
		assert!(DividendQueue::<Test>::get().is_empty());
		assert_eq!(PendingDividendTotal::<Test>::get(), 0);
		assert!(Entries::<Test>::iter().next().is_none());
		assert!(crate::Totals::<Test>::get().released >= released_before + queued);
	});
}

#[test]
fn bounty_epoch_paid_before_on_idle() {
	build_and_execute(|| {
		let netuid = arena();
		until_miners_paid(netuid);
		assert_ok!(Escrow::fund_bounty(origin(SPONSOR), netuid, 10 * UNIT, 3));
		epoch_without_idle(netuid);
		assert_eq!(OutcomeQueue::<Test>::get().bounds.len(), 1);
		assert!(!events()
			.iter()
			.any(|e| matches!(e, Event::BountyPaid { .. })));
		idle();
		assert!(OutcomeQueue::<Test>::get().bounds.is_empty());
		assert!(events().iter().any(|e| matches!(e,
			Event::BountyPaid { id: 0, amount, .. } if *amount == 10 * UNIT)));
	});
}

#[test]
fn bounty_funded_after_the_epoch_is_paid_by_it() {
	build_and_execute(|| {
		let netuid = arena();
		until_miners_paid(netuid);
		epoch_without_idle(netuid);
		assert_ok!(Escrow::fund_bounty(origin(SPONSOR), netuid, 10 * UNIT, 3));
		// No bounty existed at the epoch: nothing was stored, nothing is paid.
		idle();
		assert!(!events()
			.iter()
			.any(|e| matches!(e, Event::BountyPaid { .. })));
		assert_eq!(Bounties::<Test>::get(0).map(|b| b.epochs_left), Some(3));
	});
}

#[test]
fn bounty_funded_after_a_queued_epoch_is_paid_by_it() {
	build_and_execute(|| {
		let netuid = arena();
		until_miners_paid(netuid);
		assert_ok!(Escrow::fund_bounty(origin(SPONSOR), netuid, 10 * UNIT, 3));
		epoch_without_idle(netuid);
		// Bounty 1 comes after the stored epoch: only bounty 0 is paid by it.
		assert_ok!(Escrow::fund_bounty(origin(SPONSOR), netuid, 10 * UNIT, 3));
		idle();
		assert_eq!(Bounties::<Test>::get(0).map(|b| b.epochs_left), Some(2));
		assert_eq!(Bounties::<Test>::get(1).map(|b| b.epochs_left), Some(3));
	});
}

#[test]
fn bounty_cancelled_after_a_queued_epoch_loses_its_notice() {
	build_and_execute(|| {
		let netuid = arena();
		until_miners_paid(netuid);
		assert_ok!(Escrow::fund_bounty(origin(SPONSOR), netuid, 10 * UNIT, 5));
		epoch_without_idle(netuid);
		// Cancelled after the epoch (not yet paid): that epoch is paid, and the notice still
		// pays the next one.
		assert_ok!(Escrow::cancel_bounty(origin(SPONSOR), 0));
		idle();
		assert_eq!(Bounties::<Test>::get(0).map(|b| b.epochs_left), Some(4));
		run_to_epoch(netuid);
		assert!(Bounties::<Test>::get(0).is_none());
		let paid = events()
			.iter()
			.filter(|e| matches!(e, Event::BountyPaid { id: 0, .. }))
			.count();
		assert_eq!(paid, 2);
	});
}

#[test]
fn bounty_epoch_queued_if_bounty_queue_full() {
	build_and_execute(|| {
		let netuid = arena();
		until_miners_paid(netuid);
		MaxPendingOutcomes::set(1);
		assert_ok!(Escrow::fund_bounty(origin(SPONSOR), netuid, 10 * UNIT, 5));
		epoch_without_idle(netuid);
		assert_eq!(OutcomeQueue::<Test>::get().bounds.len(), 1);
		// The next epoch finds the queue full: its bounties are paid at once.
		epoch_without_idle(netuid);
		assert_eq!(OutcomeQueue::<Test>::get().bounds.len(), 1);
		let paid = events()
			.iter()
			.filter(|e| matches!(e, Event::BountyPaid { id: 0, .. }))
			.count();
		assert_eq!(paid, 1);
		idle();
		assert_eq!(Bounties::<Test>::get(0).map(|b| b.epochs_left), Some(3));
	});
}

#[test]
fn dissolved_subnet_pays_its_queued_bounty_epoch() {
	build_and_execute(|| {
		let netuid = arena();
		until_miners_paid(netuid);
		let sponsor_free = free(SPONSOR);
		assert_ok!(Escrow::fund_bounty(origin(SPONSOR), netuid, 10 * UNIT, 4));
		epoch_without_idle(netuid);
		assert_ok!(Subnets::dissolve_network(origin(1), netuid));
		// Every unpaid part returns at once, the queued epoch's included; the stored outcome
		// then pays nothing and is dropped.
		assert_eq!(free(SPONSOR), sponsor_free);
		idle();
		assert!(EpochOutcomes::<Test>::iter().next().is_none());
		assert!(!events()
			.iter()
			.any(|e| matches!(e, Event::BountyPaid { .. })));
	});
}

#[test]
fn migration_v2_fails_to_set_the_version() {
	build_and_execute(|| {
		StorageVersion::new(1).put::<Escrow>();
		migrations::v2::MigrateV1ToV2::<Test>::on_runtime_upgrade();
		assert_eq!(Escrow::on_chain_storage_version(), StorageVersion::new(2));
		assert_eq!(
			Escrow::on_chain_storage_version(),
			Escrow::in_code_storage_version()
		);
	});
}
