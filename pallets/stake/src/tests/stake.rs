//! `associate_hotkey`, `add_stake`, `remove_stake`, `move_stake` and their flow reports.

use crate::{mock::*, Error, Event, HoldReason, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::Stake.into(), &who)
}

#[test]
fn associate_hotkey_works() {
	build_and_execute(|| {
		assert_ok!(claim(5, 55));
		assert_eq!(Owner::<Test>::get(55), Some(5));
		assert_eq!(
			last_event(),
			RuntimeEvent::Stake(Event::HotkeyAssociated {
				coldkey: 5,
				hotkey: 55
			})
		);
		assert_ok!(claim(5, 55));
		assert_noop!(claim(6, 55), Error::<Test>::HotkeyOwnedByAnotherColdkey);
		for h in 56..59 {
			assert_ok!(claim(5, h));
		}
		assert_noop!(claim(5, 60), Error::<Test>::TooManyHotkeys);
		// Registration associates too, and refuses a hotkey owned by someone else.
		let netuid = setup();
		assert_eq!(Owner::<Test>::get(12), Some(2));
		assert_noop!(
			Subnets::burned_register(origin(7), netuid, 55),
			Error::<Test>::HotkeyOwnedByAnotherColdkey
		);
	});
}

#[test]
fn add_stake_holds_and_reports_maturity() {
	build_and_execute(|| {
		let netuid = setup();
		clear_flows();
		let before = Balances::total_balance(&4);
		assert_ok!(Stake::add_stake(origin(4), 12, netuid, 500));
		assert_eq!(held(4), 500);
		assert_eq!(Balances::total_balance(&4), before, "held, not moved");
		assert_eq!(Balances::balance(&4), before - 500);
		assert_eq!(Positions::<Test>::get((4, 12, netuid)), 500);
		assert_eq!(HotkeyStake::<Test>::get(netuid, 12), 500);
		assert_eq!(SubnetStake::<Test>::get(netuid), 500);
		assert_eq!(TotalStake::<Test>::get(), 500);
		assert_eq!(flows(), vec![Flow::Added(netuid, 500, 1 + MATURITY)]);
		assert_eq!(
			last_event(),
			RuntimeEvent::Stake(Event::StakeAdded {
				coldkey: 4,
				hotkey: 12,
				netuid,
				amount: 500,
				matures_at: 1 + MATURITY
			})
		);
		let info = Stake::stake_info(&4);
		assert_eq!(info.len(), 1);
		assert_eq!(
			(info[0].stake, info[0].immature, info[0].subnet_exists),
			(500, 500, true)
		);
		run_to_block(1 + MATURITY);
		assert_eq!(Stake::stake_info(&4)[0].immature, 0);
	});
}

#[test]
fn add_stake_errors() {
	build_and_execute(|| {
		let netuid = setup();
		assert_noop!(
			Stake::add_stake(origin(4), 12, netuid, 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			Stake::add_stake(origin(4), 12, 9, 100),
			Error::<Test>::SubnetNotFound
		);
		assert_noop!(
			Stake::add_stake(origin(4), 99, netuid, 100),
			Error::<Test>::HotkeyNotAssociated
		);
		assert_ok!(claim(4, 44));
		assert_noop!(
			Stake::add_stake(origin(4), 44, netuid, 100),
			Error::<Test>::HotkeyNotRegistered
		);
		assert_noop!(
			Stake::add_stake(origin(4), 12, netuid, MIN_STAKE - 1),
			Error::<Test>::StakeBelowMinimum
		);
		assert_noop!(
			Stake::add_stake(origin(4), 12, netuid, INITIAL),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(
			Stake::add_stake(origin(99), 12, netuid, 100),
			Error::<Test>::InsufficientBalance
		);
		assert_ok!(Stake::add_stake(origin(4), 12, netuid, 100));
		assert_noop!(
			Stake::add_stake(origin(4), 12, netuid, 100),
			Error::<Test>::StakeRateLimited
		);
		// Pending queue bound (4 distinct blocks).
		for _ in 0..3 {
			next_block();
			assert_ok!(Stake::add_stake(origin(4), 12, netuid, 100));
		}
		next_block();
		assert_noop!(
			Stake::add_stake(origin(4), 12, netuid, 100),
			Error::<Test>::TooManyPendingStakes
		);
	});
}

#[test]
fn remove_stake_releases_and_cancels_immature_first() {
	build_and_execute(|| {
		let netuid = setup();
		assert_ok!(Stake::add_stake(origin(4), 12, netuid, 300)); // block 1, matures 21
		run_to_block(30);
		assert_ok!(Stake::add_stake(origin(4), 12, netuid, 200)); // block 30, matures 50
		next_block();
		clear_flows();
		// 250 out: the immature 200 is cancelled, 50 counts as matured outflow.
		assert_ok!(Stake::remove_stake(origin(4), 12, netuid, 250));
		assert_eq!(
			flows(),
			vec![Flow::Removed(netuid, vec![(30 + MATURITY, 200)], 50)]
		);
		assert_eq!(held(4), 250);
		assert_eq!(Positions::<Test>::get((4, 12, netuid)), 250);
		assert_eq!(
			last_event(),
			RuntimeEvent::Stake(Event::StakeRemoved {
				coldkey: 4,
				hotkey: 12,
				netuid,
				amount: 250
			})
		);
		next_block();
		assert_ok!(Stake::remove_stake(origin(4), 12, netuid, 250));
		assert_eq!(held(4), 0);
		assert_eq!(Balances::balance(&4), INITIAL);
		assert!(!Positions::<Test>::contains_key((4, 12, netuid)));
		assert_eq!(TotalStake::<Test>::get(), 0);
	});
}

#[test]
fn remove_stake_errors() {
	build_and_execute(|| {
		let netuid = setup();
		assert_ok!(Stake::add_stake(origin(4), 12, netuid, 100));
		assert_noop!(
			Stake::remove_stake(origin(4), 12, netuid, 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			Stake::remove_stake(origin(4), 12, netuid, 101),
			Error::<Test>::NotEnoughStake
		);
		assert_noop!(
			Stake::remove_stake(origin(5), 12, netuid, 1),
			Error::<Test>::NotEnoughStake
		);
		assert_noop!(
			Stake::remove_stake(origin(4), 12, netuid, 50),
			Error::<Test>::StakeRateLimited
		);
		next_block();
		assert_noop!(
			Stake::remove_stake(origin(4), 12, netuid, 100 - MIN_STAKE + 1),
			Error::<Test>::StakeBelowMinimum
		);
	});
}

#[test]
fn stake_on_a_dissolved_subnet_can_always_be_removed() {
	build_and_execute(|| {
		let netuid = setup();
		assert_ok!(Stake::add_stake(origin(4), 12, netuid, 100));
		assert_ok!(Subnets::dissolve_network(origin(1), netuid));
		clear_flows();
		assert!(!Stake::stake_info(&4)[0].subnet_exists);
		// Same block, below the minimum: allowed, and not reported (the subnet is gone).
		assert_ok!(Stake::remove_stake(origin(4), 12, netuid, 95));
		assert_ok!(Stake::remove_stake(origin(4), 12, netuid, 5));
		assert!(flows().is_empty());
		assert_eq!(held(4), 0);
		assert_noop!(
			Stake::add_stake(origin(4), 12, netuid, 100),
			Error::<Test>::SubnetNotFound
		);
	});
}

#[test]
fn move_between_subnets_is_removal_plus_addition() {
	build_and_execute(|| {
		let a = setup();
		let b = pallet_subnets::NextNetUid::<Test>::get();
		assert_ok!(Subnets::register_network(origin(2)));
		assert_ok!(Subnets::burned_register(origin(2), b, 12));
		assert_ok!(Stake::add_stake(origin(4), 12, a, 300));
		run_to_block(40);
		clear_flows();
		assert_ok!(Stake::move_stake(origin(4), 12, a, 12, b, 100));
		assert_eq!(
			flows(),
			vec![
				Flow::Removed(a, vec![], 100),
				Flow::Added(b, 100, 40 + MATURITY)
			]
		);
		assert_eq!(held(4), 300, "held amount unchanged");
		assert_eq!(Positions::<Test>::get((4, 12, a)), 200);
		assert_eq!(Positions::<Test>::get((4, 12, b)), 100);
		assert_eq!(
			(SubnetStake::<Test>::get(a), SubnetStake::<Test>::get(b)),
			(200, 100)
		);
		assert!(matches!(
			last_event(),
			RuntimeEvent::Stake(Event::StakeMoved { amount: 100, .. })
		));
	});
}

#[test]
fn move_within_a_subnet_keeps_maturity_and_reports_nothing() {
	build_and_execute(|| {
		let netuid = setup();
		assert_ok!(Stake::add_stake(origin(4), 12, netuid, 300)); // block 1
		run_to_block(5);
		clear_flows();
		assert_ok!(Stake::move_stake(origin(4), 12, netuid, 13, netuid, 100));
		assert!(flows().is_empty());
		assert_eq!(
			Pending::<Test>::get((4, 13, netuid)).into_inner()[0].added_at,
			1
		);
		assert_eq!(
			Pending::<Test>::get((4, 13, netuid)).into_inner()[0].amount,
			100
		);
		assert_eq!(HotkeyStake::<Test>::get(netuid, 13), 100);
		assert_eq!(SubnetStake::<Test>::get(netuid), 300);
		// Removing it before maturity cancels the original piece (matures at 21).
		next_block();
		assert_ok!(Stake::remove_stake(origin(4), 13, netuid, 100));
		assert_eq!(
			flows(),
			vec![Flow::Removed(netuid, vec![(1 + MATURITY, 100)], 0)]
		);
	});
}

#[test]
fn move_stake_errors() {
	build_and_execute(|| {
		let netuid = setup();
		assert_ok!(Stake::add_stake(origin(4), 12, netuid, 100));
		next_block();
		assert_noop!(
			Stake::move_stake(origin(4), 12, netuid, 13, netuid, 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			Stake::move_stake(origin(4), 12, netuid, 12, netuid, 10),
			Error::<Test>::SamePosition
		);
		assert_noop!(
			Stake::move_stake(origin(4), 12, netuid, 13, 9, 10),
			Error::<Test>::SubnetNotFound
		);
		assert_noop!(
			Stake::move_stake(origin(4), 12, netuid, 99, netuid, 10),
			Error::<Test>::HotkeyNotAssociated
		);
		assert_noop!(
			Stake::move_stake(origin(4), 12, netuid, 13, netuid, 101),
			Error::<Test>::NotEnoughStake
		);
		assert_noop!(
			Stake::move_stake(origin(4), 12, netuid, 13, netuid, 5),
			Error::<Test>::StakeBelowMinimum
		);
		assert_noop!(
			Stake::move_stake(origin(4), 12, netuid, 13, netuid, 95),
			Error::<Test>::StakeBelowMinimum
		);
		assert_ok!(Stake::move_stake(origin(4), 12, netuid, 13, netuid, 50));
		assert_noop!(
			Stake::move_stake(origin(4), 13, netuid, 12, netuid, 10),
			Error::<Test>::StakeRateLimited
		);
	});
}
