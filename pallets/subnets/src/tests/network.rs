//! `register_network`, `dissolve_network`, `set_subnet_limit`, lock cost, pruning, epochs.

use crate::{mock::*, Error, Event, HoldReason, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use sp_runtime::DispatchError;

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::SubnetLock.into(), &who)
}

#[test]
fn register_network_holds_the_lock() {
	build_and_execute(|| {
		assert_eq!(Subnets::network_lock_cost(), MIN_LOCK);
		let netuid = new_subnet(1);
		assert_eq!(netuid, 0);
		assert_eq!(held(1), MIN_LOCK);
		assert_eq!(
			Balances::total_balance(&1),
			INITIAL,
			"held, not transferred"
		);
		assert_eq!(Balances::balance(&1), INITIAL - MIN_LOCK);
		assert_eq!(
			last_event(),
			RuntimeEvent::Subnets(Event::NetworkRegistered {
				netuid,
				owner: 1,
				locked: MIN_LOCK
			})
		);
		let s = Networks::<Test>::get(netuid).unwrap();
		assert_eq!((s.owner, s.locked, s.registered_at), (1, MIN_LOCK, 1));
		assert_eq!(
			Hyperparams::<Test>::get(netuid),
			Some(DefaultHyperparams::get())
		);
		assert_eq!(TrainingTasks::<Test>::get(netuid), Some(DefaultTask::get()));
		assert_eq!(Subnets::registration_price(netuid), Some(MIN_BURN));
		assert_eq!(SubnetCount::<Test>::get(), 1);
	});
}

#[test]
fn lock_cost_doubles_then_decays() {
	build_and_execute(|| {
		new_subnet(1);
		// Right after: 2 × last.
		assert_eq!(Subnets::network_lock_cost(), 2 * MIN_LOCK);
		// Half an interval later: 1.5 × last.
		run_to_block(1 + LOCK_INTERVAL / 2);
		assert_eq!(Subnets::network_lock_cost(), 3 * MIN_LOCK / 2);
		new_subnet(2);
		assert_eq!(held(2), 3 * MIN_LOCK / 2);
		// Two intervals later: the floor.
		run_to_block(1 + LOCK_INTERVAL / 2 + 2 * LOCK_INTERVAL);
		assert_eq!(Subnets::network_lock_cost(), MIN_LOCK);
	});
}

#[test]
fn register_network_fails_without_funds() {
	build_and_execute(|| {
		assert_noop!(
			Subnets::register_network(origin(99)),
			Error::<Test>::InsufficientBalance
		);
		fund(99, MIN_LOCK);
		// Holding everything would kill the account (existential deposit).
		assert_noop!(
			Subnets::register_network(origin(99)),
			Error::<Test>::InsufficientBalance
		);
		fund(99, 1);
		assert_ok!(Subnets::register_network(origin(99)));
	});
}

#[test]
fn dissolve_returns_the_lock_and_clears_everything() {
	build_and_execute(|| {
		let netuid = new_subnet(1);
		register(netuid, 2, 12);
		assert_ok!(Subnets::serve_endpoint(
			origin(12),
			netuid,
			b"https://x".to_vec()
		));
		assert_noop!(
			Subnets::dissolve_network(origin(2), netuid),
			Error::<Test>::NotSubnetOwner
		);
		assert_ok!(Subnets::dissolve_network(origin(1), netuid));
		assert_eq!(held(1), 0);
		assert_eq!(Balances::balance(&1), INITIAL);
		assert_eq!(
			last_event(),
			RuntimeEvent::Subnets(Event::NetworkDissolved {
				netuid,
				owner: 1,
				released: MIN_LOCK
			})
		);
		assert!(!Networks::<Test>::contains_key(netuid));
		assert_eq!(Neurons::<Test>::iter().count(), 0);
		assert_eq!(Uids::<Test>::iter().count(), 0);
		assert_eq!(Endpoints::<Test>::iter().count(), 0);
		assert_eq!(removed(), vec![netuid]);
		assert_noop!(
			Subnets::dissolve_network(origin(1), netuid),
			Error::<Test>::SubnetNotFound
		);
		// Netuids are never reused.
		assert_eq!(new_subnet(1), 1);
	});
}

#[test]
fn admin_may_dissolve_any_subnet() {
	build_and_execute(|| {
		let netuid = new_subnet(1);
		assert_ok!(Subnets::dissolve_network(RuntimeOrigin::root(), netuid));
		assert_eq!(held(1), 0);
		assert_noop!(
			Subnets::dissolve_network(RuntimeOrigin::none(), 5),
			Error::<Test>::SubnetNotFound
		);
		let netuid = new_subnet(1);
		assert_noop!(
			Subnets::dissolve_network(RuntimeOrigin::none(), netuid),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn full_limit_prunes_lowest_score_then_oldest() {
	build_and_execute(|| {
		// Limit 3.
		let a = new_subnet(1);
		run_to_block(2);
		let b = new_subnet(2);
		run_to_block(3);
		let c = new_subnet(3);
		// All immune for NETWORK_IMMUNITY blocks.
		assert_noop!(
			Subnets::register_network(origin(4)),
			Error::<Test>::SubnetLimitReached
		);
		run_to_block(3 + NETWORK_IMMUNITY);
		set_score(a, 10);
		set_score(b, 5);
		set_score(c, 5);
		// Lowest score 5: b and c; b is older.
		let d = new_subnet(4);
		assert!(!Networks::<Test>::contains_key(b));
		assert_eq!(held(2), 0, "pruned owner got the lock back");
		assert!(System::events().iter().any(|e| e.event
			== RuntimeEvent::Subnets(Event::NetworkPruned {
				netuid: b,
				owner: 2,
				released: 2 * MIN_LOCK - MIN_LOCK / LOCK_INTERVAL
			})));
		// d is immune; next prune takes c (5 < 10).
		let _e = new_subnet(5);
		assert!(!Networks::<Test>::contains_key(c));
		assert!(Networks::<Test>::contains_key(a) && Networks::<Test>::contains_key(d));
	});
}

#[test]
fn subnet_limit_admin() {
	build_and_execute(|| {
		assert_eq!(SubnetLimit::<Test>::get(), 3);
		assert_noop!(
			Subnets::set_subnet_limit(origin(1), 5),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Subnets::set_subnet_limit(RuntimeOrigin::root(), 0),
			Error::<Test>::LimitOutOfBounds
		);
		assert_noop!(
			Subnets::set_subnet_limit(RuntimeOrigin::root(), 9),
			Error::<Test>::LimitOutOfBounds
		);
		new_subnet(1);
		new_subnet(2);
		assert_noop!(
			Subnets::set_subnet_limit(RuntimeOrigin::root(), 1),
			Error::<Test>::LimitBelowSubnetCount
		);
		assert_ok!(Subnets::set_subnet_limit(RuntimeOrigin::root(), 8));
		assert_eq!(
			last_event(),
			RuntimeEvent::Subnets(Event::SubnetLimitSet { limit: 8 })
		);
	});
}

#[test]
fn netuids_exhausted() {
	build_and_execute(|| {
		NextNetUid::<Test>::put(u16::MAX);
		assert_noop!(
			Subnets::register_network(origin(1)),
			Error::<Test>::NetUidsExhausted
		);
	});
}

#[test]
fn epochs_are_staggered_by_netuid() {
	build_and_execute(|| {
		let a = new_subnet(1);
		let b = new_subnet(2);
		run_to_block(25);
		// tempo 10: netuid 0 at 10, 20; netuid 1 at 9, 19.
		assert_eq!(epochs(), vec![(9, b), (10, a), (19, b), (20, a)]);
	});
}

#[test]
fn views() {
	build_and_execute(|| {
		let netuid = new_subnet(1);
		register(netuid, 2, 12);
		let info = Subnets::subnet_info(netuid).unwrap();
		assert_eq!(info.owner, 1);
		assert_eq!(info.neuron_count, 1);
		assert_eq!(info.locked, MIN_LOCK);
		assert_eq!(info.network_lock_cost_now, 2 * MIN_LOCK);
		assert_eq!(info.registration_price_now, MIN_BURN * 126 / 100);
		assert_eq!(Subnets::subnets_info().len(), 1);
		let mg = Subnets::metagraph(netuid).unwrap();
		assert_eq!(mg.len(), 1);
		assert_eq!((mg[0].uid, mg[0].hotkey, mg[0].coldkey), (0, 12, Some(2)));
		assert!(Subnets::metagraph(7).is_none());
		assert!(Subnets::subnet_info(7).is_none());
	});
}

/// Lock pumping (issue #15, SPEC §4): registering and dissolving a subnet must not raise the
/// next creator's price for free.
#[test]
fn dissolving_within_the_lock_interval_burns_the_lock_above_the_minimum() {
	build_and_execute(|| {
		new_subnet(1);
		// The attack: register at 2·MIN_LOCK (pumping the next price to 4·MIN_LOCK) and
		// dissolve at once.
		let pump = new_subnet(2);
		assert_eq!(held(2), 2 * MIN_LOCK);
		let issuance = Balances::total_issuance();
		assert_ok!(Subnets::dissolve_network(origin(2), pump));
		// The price it raised is put back: the next creator pays what the pumper paid.
		assert_eq!(Subnets::network_lock_cost(), 2 * MIN_LOCK);
		assert_eq!(held(2), 0);
		assert_eq!(
			Balances::total_balance(&2),
			INITIAL - MIN_LOCK,
			"the part above the minimum is forfeited"
		);
		assert_eq!(Balances::total_issuance(), issuance - MIN_LOCK, "burned");
	});
}

#[test]
fn dissolving_the_first_registration_at_once_leaves_the_lock_price_at_the_minimum() {
	build_and_execute(|| {
		// The attack: the first doubling is free of forfeit (the lock is the minimum), so
		// registering and dissolving at once would double the next creator's price for free.
		assert_eq!(Subnets::network_lock_cost(), MIN_LOCK);
		let pump = new_subnet(2);
		assert_ok!(Subnets::dissolve_network(origin(2), pump));
		assert_eq!(Balances::total_balance(&2), INITIAL, "nothing forfeited");
		assert_eq!(Subnets::network_lock_cost(), MIN_LOCK);
		assert_eq!(held(3), 0);
		new_subnet(3);
		assert_eq!(held(3), MIN_LOCK, "the next creator pays the minimum");
	});
}

#[test]
fn dissolving_a_subnet_that_is_no_longer_the_latest_leaves_the_lock_price() {
	build_and_execute(|| {
		let first = new_subnet(2);
		new_subnet(3);
		let price = Subnets::network_lock_cost();
		assert_ok!(Subnets::dissolve_network(origin(2), first));
		assert_eq!(Subnets::network_lock_cost(), price);
	});
}

#[test]
fn dissolving_after_the_lock_interval_releases_the_whole_lock() {
	build_and_execute(|| {
		new_subnet(1);
		let netuid = new_subnet(2);
		assert_eq!(held(2), 2 * MIN_LOCK);
		run_to_block(1 + LOCK_INTERVAL);
		assert_ok!(Subnets::dissolve_network(origin(2), netuid));
		assert_eq!(Balances::balance(&2), INITIAL);
		assert!(!System::events()
			.iter()
			.any(|e| matches!(e.event, RuntimeEvent::Subnets(Event::LockForfeited { .. }))));
	});
}

#[test]
fn dissolving_within_the_lock_interval_by_the_admin_releases_the_whole_lock() {
	build_and_execute(|| {
		new_subnet(1);
		let netuid = new_subnet(2);
		assert_ok!(Subnets::dissolve_network(RuntimeOrigin::root(), netuid));
		assert_eq!(Balances::balance(&2), INITIAL);
	});
}

#[test]
fn dissolving_within_the_lock_interval_reports_the_forfeit() {
	build_and_execute(|| {
		new_subnet(1);
		let netuid = new_subnet(2);
		assert_ok!(Subnets::dissolve_network(origin(2), netuid));
		assert!(System::events().iter().any(|e| e.event
			== RuntimeEvent::Subnets(Event::LockForfeited {
				netuid,
				owner: 2,
				amount: MIN_LOCK
			})));
		assert_eq!(
			last_event(),
			RuntimeEvent::Subnets(Event::NetworkDissolved {
				netuid,
				owner: 2,
				released: MIN_LOCK
			})
		);
	});
}

/// Dissolve and re-enter (issue #15, attack 3; SPEC §2): a subnet's flow debt must not vanish
/// with it. Before the fix the owner got its whole lock back whatever the debt.
#[test]
fn dissolving_a_subnet_in_debt_burns_the_debt_from_its_lock() {
	build_and_execute(|| {
		let netuid = new_subnet(1);
		run_to_block(1 + LOCK_INTERVAL);
		set_removal_debt(netuid, 300);
		let issuance = Balances::total_issuance();
		assert_ok!(Subnets::dissolve_network(origin(1), netuid));
		assert_eq!(held(1), 0);
		assert_eq!(Balances::total_balance(&1), INITIAL - 300);
		assert_eq!(Balances::total_issuance(), issuance - 300, "burned");
		assert!(System::events().iter().any(|e| e.event
			== RuntimeEvent::Subnets(Event::FlowDebtSettled {
				netuid,
				owner: 1,
				debt: 300,
				burned: 300
			})));
		assert_eq!(
			last_event(),
			RuntimeEvent::Subnets(Event::NetworkDissolved {
				netuid,
				owner: 1,
				released: MIN_LOCK - 300
			})
		);
	});
}

#[test]
fn flow_debt_above_the_lock_burns_the_whole_lock() {
	build_and_execute(|| {
		let netuid = new_subnet(1);
		run_to_block(1 + LOCK_INTERVAL);
		set_removal_debt(netuid, 10 * MIN_LOCK);
		assert_ok!(Subnets::dissolve_network(origin(1), netuid));
		assert_eq!(Balances::total_balance(&1), INITIAL - MIN_LOCK);
		assert!(System::events().iter().any(|e| e.event
			== RuntimeEvent::Subnets(Event::FlowDebtSettled {
				netuid,
				owner: 1,
				debt: 10 * MIN_LOCK,
				burned: MIN_LOCK
			})));
	});
}

#[test]
fn early_dissolution_and_flow_debt_together_burn_at_most_the_lock() {
	build_and_execute(|| {
		new_subnet(1);
		let netuid = new_subnet(2);
		assert_eq!(held(2), 2 * MIN_LOCK);
		set_removal_debt(netuid, MIN_LOCK + 5);
		assert_ok!(Subnets::dissolve_network(origin(2), netuid));
		// MIN_LOCK early forfeit, then MIN_LOCK of the debt: the whole lock.
		assert_eq!(Balances::total_balance(&2), INITIAL - 2 * MIN_LOCK);
		assert!(System::events().iter().any(|e| e.event
			== RuntimeEvent::Subnets(Event::FlowDebtSettled {
				netuid,
				owner: 2,
				debt: MIN_LOCK + 5,
				burned: MIN_LOCK
			})));
	});
}

#[test]
fn dissolving_by_the_admin_still_settles_the_flow_debt() {
	build_and_execute(|| {
		let netuid = new_subnet(1);
		set_removal_debt(netuid, 40);
		assert_ok!(Subnets::dissolve_network(RuntimeOrigin::root(), netuid));
		assert_eq!(Balances::total_balance(&1), INITIAL - 40);
	});
}

#[test]
fn pruning_settles_the_pruned_subnets_flow_debt() {
	build_and_execute(|| {
		let a = new_subnet(1);
		run_to_block(2);
		let b = new_subnet(2);
		run_to_block(3);
		new_subnet(3);
		run_to_block(3 + NETWORK_IMMUNITY);
		set_score(a, 10);
		set_score(b, -5);
		set_removal_debt(b, 70);
		new_subnet(4);
		assert!(!Networks::<Test>::contains_key(b));
		let locked = 2 * MIN_LOCK - MIN_LOCK / LOCK_INTERVAL;
		assert_eq!(Balances::total_balance(&2), INITIAL - 70);
		assert!(System::events().iter().any(|e| e.event
			== RuntimeEvent::Subnets(Event::NetworkPruned {
				netuid: b,
				owner: 2,
				released: locked - 70
			})));
	});
}
