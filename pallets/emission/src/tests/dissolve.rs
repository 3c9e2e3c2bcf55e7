//! Dissolve and re-enter (issue #15, attack 3; SPEC §2): a subnet's flow debt must not vanish
//! with the subnet. Capital that earned credit on a subnet and left it (or stayed until the
//! subnet was dissolved) leaves debt; before the fix the subnet's owner got its whole lock back
//! at dissolution and the capital counted as fresh inflow on the next subnet, so each hop
//! bought new credit for free. Now the debt, counting the matured stake still on the subnet as
//! outflow, is burned from the owner's lock (`pallet-subnets`' `FlowDebtSettled`).

use crate::{mock::*, ImmatureInflow, Totals};
use arena_pallet_primitives::{EmissionInfo, NetUid};
use frame_support::{
	assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use pallet_subnets::{Event as SubnetsEvent, HoldReason};

/// The owner (coldkey 1) of subnet A, and the capital's coldkey/hotkey.
const OWNER: AccountId = 1;
const CAPITAL: (AccountId, AccountId) = (5, 105);
/// The capital: half the lock.
const X: Balance = MIN_LOCK / 2;

fn lock_of(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::SubnetLock.into(), &who)
}

fn settled(netuid: NetUid) -> Option<(Balance, Balance)> {
	System::events().into_iter().find_map(|r| match r.event {
		RuntimeEvent::Subnets(SubnetsEvent::FlowDebtSettled {
			netuid: n,
			debt,
			burned,
			..
		}) if n == netuid => Some((debt, burned)),
		_ => None,
	})
}

/// Subnet A with `X` staked at block 2 and matured; returns A at block `2 + MATURITY + hold`,
/// past the lock-reduction interval (no early-dissolution forfeit).
fn capital_on_a(hold: u64) -> NetUid {
	let a = new_subnet(OWNER);
	register(a, CAPITAL.0, CAPITAL.1);
	next_block();
	assert_ok!(Stake::add_stake(origin(CAPITAL.0), CAPITAL.1, a, X));
	run_to_block((2 + MATURITY + hold).max(200));
	a
}

/// [`capital_on_a`] with three half-lives on A (most of the credit the capital brought has been
/// enjoyed), after which the capital leaves A; returns A a block later.
fn capital_left_a() -> NetUid {
	let a = capital_on_a(300);
	assert_ok!(Stake::remove_stake(origin(CAPITAL.0), CAPITAL.1, a, X));
	next_block();
	a
}

#[test]
fn dissolving_a_subnet_the_capital_left_burns_its_debt_from_the_lock() {
	build_and_execute(|| {
		let a = capital_left_a();
		assert!(Emission::emission_score(a) < 0, "the capital left debt");
		let debt = Emission::removal_debt(a);
		assert!(debt > X / 2 && debt <= X, "{debt}");
		let (issuance, before) = (Balances::total_issuance(), Balances::total_balance(&OWNER));
		let recycled = Totals::<Test>::get().recycled;
		assert_ok!(Subnets::dissolve_network(origin(OWNER), a));
		assert_eq!(settled(a), Some((debt, debt)));
		assert_eq!(lock_of(OWNER), 0);
		assert_eq!(
			Balances::total_balance(&OWNER),
			before - debt,
			"the lock settled the debt"
		);
		// Burned (besides A's pending emission, which is recycled as before).
		let pending_recycled = Totals::<Test>::get().recycled - recycled;
		assert_eq!(
			Balances::total_issuance(),
			issuance - debt - pending_recycled
		);
	});
}

#[test]
fn stake_left_on_a_dissolved_subnet_counts_as_outflow() {
	build_and_execute(|| {
		let a = capital_on_a(300);
		// The capital stays: dissolving counts it out as if it had been removed first.
		let debt = Emission::removal_debt(a);
		assert!(debt > X / 2 && debt <= X, "{debt}");
		let before = Balances::total_balance(&OWNER);
		assert_ok!(Subnets::dissolve_network(origin(OWNER), a));
		assert_eq!(settled(a), Some((debt, debt)));
		assert_eq!(Balances::total_balance(&OWNER), before - debt);
		// Withdrawing it afterwards moves no score anywhere (the subnet is gone).
		assert_ok!(Stake::remove_stake(origin(CAPITAL.0), CAPITAL.1, a, X));
		next_block();
		assert_eq!(Emission::emission_score(a), 0);
	});
}

#[test]
fn immature_stake_left_on_a_dissolved_subnet_leaves_no_debt() {
	build_and_execute(|| {
		let a = new_subnet(OWNER);
		register(a, CAPITAL.0, CAPITAL.1);
		run_to_block(200);
		// Staked one block ago: it never touched a score, so it owes nothing (otherwise anyone
		// could stake on a rival's subnet just before its removal to burn the rival's lock).
		assert_ok!(Stake::add_stake(origin(CAPITAL.0), CAPITAL.1, a, X));
		next_block();
		assert_eq!(ImmatureInflow::<Test>::get(a), X);
		assert_eq!(Emission::removal_debt(a), 0);
		let before = Balances::total_balance(&OWNER);
		assert_ok!(Subnets::dissolve_network(origin(OWNER), a));
		assert_eq!(settled(a), None);
		assert_eq!(
			Balances::total_balance(&OWNER),
			before,
			"the whole lock came back"
		);
		assert_eq!(ImmatureInflow::<Test>::get(a), 0);
	});
}

#[test]
fn pruning_a_subnet_in_debt_burns_its_debt_from_the_lock() {
	build_and_execute(|| {
		let a = capital_left_a();
		// A second subnet fills a limit of 2; once it is out of its immunity, a registration
		// prunes A, the subnet in debt.
		new_subnet(10);
		assert_ok!(Subnets::set_subnet_limit(RuntimeOrigin::root(), 2));
		run_to_block(System::block_number() + 60);
		let debt = Emission::removal_debt(a);
		let before = Balances::total_balance(&OWNER);
		new_subnet(20);
		assert!(!pallet_subnets::Networks::<Test>::contains_key(a));
		assert_eq!(settled(a), Some((debt, debt)));
		assert_eq!(Balances::total_balance(&OWNER), before - debt);
	});
}

/// The hop the settlement prices: after the dissolution the capital enters a new subnet and
/// earns fresh credit there; the owner has paid for that credit with a burn of the same size.
#[test]
fn reentering_after_the_settlement_earns_no_more_credit_than_the_burn_bought() {
	build_and_execute(|| {
		let a = capital_left_a();
		let debt = Emission::removal_debt(a);
		assert_ok!(Subnets::dissolve_network(origin(OWNER), a));
		let b = new_subnet(OWNER);
		register(b, CAPITAL.0, CAPITAL.1);
		let base = Emission::emission_score(b);
		assert_ok!(Stake::add_stake(origin(CAPITAL.0), CAPITAL.1, b, X));
		run_to_block(System::block_number() + MATURITY + 1);
		// Fresh credit a·X on B (less one block's decay); the burn of `debt` bought a·debt,
		// which on A had repaid exactly the capital's debt.
		let gained = Emission::emission_score(b) - base;
		let alpha = i128::from(Emission::flow_params().alpha.deconstruct());
		assert!(gained <= alpha * X as i128, "{gained}");
		assert!(
			debt as i128 * alpha >= gained / 2,
			"the owner paid for most of it"
		);
	});
}
