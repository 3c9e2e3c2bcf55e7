//! Epochs (SPEC §3): owner cut, Yuma over the weights, payouts, epochs within the block budget.

use crate::{
	mock::*, EpochPayout, EpochQueue, Event, HeadDeferredAt, LastEpoch, PendingEmission, Totals,
};
use arena_pallet_primitives::{EmissionInfo, PayoutKind, SubnetHooks};
use frame_support::assert_ok;
use sp_runtime::{Perbill, Perquintill};

/// Subnet 0 owned by 1: validator hotkey 101 (coldkey 2, 100 ARN staked), miners 102
/// (coldkey 3) and 103 (coldkey 4). Returns after the first epoch after the stake matured
/// (block 30), which grants the validator its permit.
fn setup() -> u16 {
	let netuid = new_subnet(1);
	assert_eq!(netuid, 0);
	assert_eq!(register(netuid, 2, 101), 0);
	assert_eq!(register(netuid, 3, 102), 1);
	assert_eq!(register(netuid, 4, 103), 2);
	assert_ok!(Stake::add_stake(origin(2), 101, netuid, 100 * UNIT));
	run_to_block(30);
	assert!(pallet_stake::Permits::<Test>::get(netuid).contains(&101));
	netuid
}

/// The validator (hotkey 101) sets `values` on `uids`.
fn validator_weights(netuid: u16, uids: Vec<u16>, values: Vec<u16>) {
	assert_ok!(Subnets::set_weights(
		origin(101),
		netuid,
		uids.try_into().unwrap(),
		values.try_into().unwrap(),
		0
	));
}

fn last_payout(netuid: u16) -> EpochPayout<Balance> {
	events()
		.into_iter()
		.rev()
		.find_map(|e| match e {
			Event::EpochCompleted { netuid: n, payout } if n == netuid => Some(payout),
			_ => None,
		})
		.expect("an epoch ran")
}

#[test]
fn without_weights_only_the_owner_is_paid_and_the_rest_stays_pending() {
	build_and_execute(|| {
		let netuid = setup();
		let p = last_payout(netuid);
		assert!(p.pending > 0);
		assert_eq!(p.owner, Perbill::from_percent(18) * p.pending);
		assert_eq!((p.miners, p.validators), (0, 0));
		assert_eq!(p.kept, p.pending - p.owner);
		assert_eq!(PendingEmission::<Test>::get(netuid), p.kept);
		assert_eq!(LastEpoch::<Test>::get(netuid), Some(30));
	});
}

#[test]
fn an_epoch_pays_owner_miners_and_validators_by_yuma() {
	build_and_execute(|| {
		let netuid = setup();
		validator_weights(netuid, vec![1, 2], vec![1, 3]);
		let owner_free = Balances::free_balance(1);
		let validator_stake = pallet_stake::Positions::<Test>::get((2, 101, netuid));
		run_to_block(40);
		let p = last_payout(netuid);

		// Owner 18 %, miners floor(rest / 2) split 1 : 3 by incentive, validators the rest.
		let owner = Perbill::from_percent(18) * p.pending;
		let rest = p.pending - owner;
		let miners = rest / 2;
		assert_eq!(p.owner, owner);
		assert_eq!(p.miners, miners);
		assert_eq!(p.validators, rest - miners);
		assert_eq!(p.kept, 0);
		assert_eq!(PendingEmission::<Test>::get(netuid), 0);
		assert_eq!(Balances::free_balance(1), owner_free + owner);

		let m1 = miners / 4;
		let m2 = miners - m1;
		assert_eq!(pallet_stake::Positions::<Test>::get((3, 102, netuid)), m1);
		assert_eq!(pallet_stake::Positions::<Test>::get((4, 103, netuid)), m2);
		assert_eq!(
			pallet_stake::Positions::<Test>::get((2, 101, netuid)),
			validator_stake + rest - miners
		);

		// Metrics written back: incentive 1/4 and 3/4, consensus = the weights (one
		// validator), dividends 1 for the validator, emission = what each got.
		let metrics = |uid| {
			pallet_subnets::Neurons::<Test>::get(netuid, uid)
				.unwrap()
				.metrics
		};
		assert_eq!(metrics(1).incentive, Perquintill::from_percent(25));
		assert_eq!(metrics(2).incentive, Perquintill::from_percent(75));
		assert_eq!(metrics(2).consensus, Perquintill::from_percent(75));
		assert_eq!(metrics(0).dividends, Perquintill::one());
		assert_eq!(metrics(0).trust, Perquintill::one());
		assert_eq!(metrics(1).emission, m1);
		assert_eq!(metrics(0).emission, rest - miners);
		let paid: Balance = events()
			.into_iter()
			.filter_map(|e| match e {
				Event::EpochCompleted { payout, .. } => {
					Some(payout.owner + payout.miners + payout.validators)
				},
				_ => None,
			})
			.sum();
		assert_eq!(Totals::<Test>::get().paid, paid);
	});
}

#[test]
fn validators_take_the_miners_half_when_no_miner_has_incentive() {
	build_and_execute(|| {
		let netuid = setup();
		// The validator weighs only itself: self-weights are ignored, so no miner has incentive
		// and the validator is still counted (active, permitted) for the fallback.
		validator_weights(netuid, vec![0], vec![1]);
		run_to_block(40);
		let p = last_payout(netuid);
		assert_eq!(p.miners, 0);
		assert_eq!(p.validators, p.pending - p.owner);
		assert_eq!(p.kept, 0);
	});
}

#[test]
fn weights_and_bonds_for_a_replaced_uid_are_ignored() {
	build_and_execute(|| {
		let netuid = setup();
		validator_weights(netuid, vec![1], vec![1]);
		for (c, h) in [(5, 105), (6, 106), (7, 107), (8, 108), (10, 110)] {
			register(netuid, c, h);
		}
		run_to_block(50);
		assert!(crate::Bonds::<Test>::get(netuid, 0)
			.is_some_and(|row| row.iter().any(|(j, _)| *j == 1)));
		// Make 102 (UID 1) the pruning candidate, then replace it with 111.
		run_to_block(55);
		for uid in 0..8u16 {
			let emission = if uid == 1 { 0 } else { 1 };
			let mut m = pallet_subnets::Neurons::<Test>::get(netuid, uid)
				.unwrap()
				.metrics;
			m.emission = emission;
			assert_ok!(<Subnets as arena_pallet_primitives::SubnetsInterface<
				_,
				_,
				_,
			>>::set_neuron_metrics(netuid, uid, m));
		}
		assert_eq!(register(netuid, 11, 111), 1);
		run_to_block(60);
		let metrics = pallet_subnets::Neurons::<Test>::get(netuid, 1)
			.unwrap()
			.metrics;
		assert_eq!(
			metrics.incentive,
			Perquintill::zero(),
			"old weights ignored"
		);
		assert_eq!(
			metrics.emission, 0,
			"a newcomer earns nothing from old weights"
		);
		// No weight left: the validators take the miners' half.
		let p = last_payout(netuid);
		assert_eq!(p.miners, 0);
		assert_eq!(p.validators, p.pending - p.owner);
	});
}

#[test]
fn an_epoch_above_the_budget_runs_alone_in_a_free_block() {
	build_and_execute(|| {
		// A budget too small for any epoch: in a block where no subnet's epoch hooks ran the
		// head runs alone anyway, so the queue still moves and no epoch is lost.
		EpochBlockShare::set(Perbill::from_parts(1));
		let nets: Vec<u16> = (0..3).map(|i| new_subnet(20 + i)).collect();
		for (i, n) in nets.iter().enumerate() {
			register(*n, 30 + i as u64, 130 + i as u64);
		}
		for n in &nets {
			<Emission as SubnetHooks>::on_epoch(*n);
		}
		// Queued once each, even if reported twice.
		<Emission as SubnetHooks>::on_epoch(nets[0]);
		assert_eq!(EpochQueue::<Test>::get().into_inner(), nets);
		// Block 2: subnets 0..3 (tempo 10) are not due: a free block.
		next_block();
		assert_eq!(EpochQueue::<Test>::get().into_inner(), nets[1..].to_vec());
		assert!(LastEpoch::<Test>::get(nets[0]).is_some());
		assert!(LastEpoch::<Test>::get(nets[1]).is_none());
		next_block();
		next_block();
		assert!(EpochQueue::<Test>::get().is_empty());
		assert!(nets.iter().all(|n| LastEpoch::<Test>::get(n).is_some()));
		assert_eq!(HeadDeferredAt::<Test>::get(), None);
		EpochBlockShare::set(Perbill::from_percent(25));
	});
}

#[test]
fn an_epoch_that_does_not_fit_waits_while_subnets_keep_the_budget_busy() {
	build_and_execute(|| {
		EpochBlockShare::set(Perbill::from_parts(1));
		let netuid = new_subnet(20);
		register(netuid, 30, 130);
		<Emission as SubnetHooks>::on_epoch(netuid);
		// Another subnet's epoch hooks ran in this block: the budget is busy.
		pallet_subnets::EpochHooksWeight::<Test>::put(frame_support::weights::Weight::from_parts(
			1, 0,
		));
		let now = System::block_number();
		let _ = <Emission as frame_support::traits::Hooks<u64>>::on_initialize(now);
		assert_eq!(EpochQueue::<Test>::get().into_inner(), vec![netuid]);
		assert_eq!(HeadDeferredAt::<Test>::get(), Some(now));
		// After MaxSubnets (8) busy blocks it runs anyway: no epoch waits for ever.
		System::set_block_number(now + 8);
		pallet_subnets::EpochHooksWeight::<Test>::put(frame_support::weights::Weight::from_parts(
			1, 0,
		));
		let _ = <Emission as frame_support::traits::Hooks<u64>>::on_initialize(now + 8);
		assert!(EpochQueue::<Test>::get().is_empty());
		assert_eq!(HeadDeferredAt::<Test>::get(), None);
		pallet_subnets::EpochHooksWeight::<Test>::kill();
		EpochBlockShare::set(Perbill::from_percent(25));
	});
}

#[test]
fn epochs_that_fit_the_budget_run_in_the_block_they_are_queued() {
	build_and_execute(|| {
		let nets: Vec<u16> = (0..3).map(|i| new_subnet(20 + i)).collect();
		for (i, n) in nets.iter().enumerate() {
			register(*n, 30 + i as u64, 130 + i as u64);
			<Emission as SubnetHooks>::on_epoch(*n);
		}
		next_block();
		assert!(EpochQueue::<Test>::get().is_empty());
		assert!(nets.iter().all(|n| LastEpoch::<Test>::get(n).is_some()));
	});
}

#[test]
fn a_dissolved_subnets_pending_emission_is_recycled() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(35);
		let pending = PendingEmission::<Test>::get(netuid);
		assert!(pending > 0);
		let issuance = Balances::total_issuance();
		// The stake still on the subnet leaves flow debt, settled (burned) from the lock.
		let debt = Emission::removal_debt(netuid) as Balance;
		assert_ok!(Subnets::dissolve_network(origin(1), netuid));
		assert_eq!(PendingEmission::<Test>::get(netuid), 0);
		assert_eq!(Totals::<Test>::get().recycled, pending);
		assert_eq!(
			Balances::total_issuance(),
			issuance - pending - debt.min(MIN_LOCK)
		);
		assert!(events().contains(&Event::PendingRecycled {
			netuid,
			amount: pending
		}));
	});
}

#[test]
fn a_failed_payout_stays_pending() {
	build_and_execute(|| {
		let netuid = setup();
		validator_weights(netuid, vec![1, 2], vec![1, 3]);
		// Miner 102's hotkey loses its owner record: its payout cannot be credited.
		pallet_stake::Owner::<Test>::remove(102);
		pallet_stake::OwnedHotkeys::<Test>::mutate(3, |v| v.retain(|h| *h != 102));
		run_to_block(40);
		let p = last_payout(netuid);
		assert!(p.kept > 0);
		assert_eq!(PendingEmission::<Test>::get(netuid), p.kept);
		assert!(events().iter().any(|e| matches!(
			e,
			Event::PayoutFailed {
				beneficiary: 102,
				kind: PayoutKind::Miner,
				..
			}
		)));
	});
}
