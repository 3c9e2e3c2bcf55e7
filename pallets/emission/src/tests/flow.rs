//! Flow scores and shares (SPEC §2), through the pallet.

use crate::{mock::*, Error, Event, FlowScore, PendingEmission};
use arena_pallet_primitives::EmissionInfo;
use arena_rules::flow::{ema_alpha, FlowState, Score};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::Perquintill;

fn alpha() -> Perquintill {
	ema_alpha(u64::from(HalfLife::get())).unwrap()
}

/// The registration price of `netuid` now.
fn price(netuid: u16) -> Balance {
	Subnets::registration_price(netuid).unwrap()
}

#[test]
fn registration_burns_count_at_once() {
	build_and_execute(|| {
		let netuid = new_subnet(1);
		let burn = price(netuid);
		register(netuid, 2, 102);
		assert_eq!(FlowScore::<Test>::get(netuid), FlowState::default());
		next_block();
		let expected = FlowState::default().update(burn as i128, alpha());
		assert_eq!(FlowScore::<Test>::get(netuid), expected);
		assert!(expected.score() > Score::from_inner(0));
		// Then it decays with zero flow.
		next_block();
		assert_eq!(FlowScore::<Test>::get(netuid), expected.update(0, alpha()));
	});
}

#[test]
fn stake_counts_only_once_matured_and_removal_counts_at_once() {
	build_and_execute(|| {
		let netuid = new_subnet(1);
		register(netuid, 2, 102);
		next_block();
		let mut expected = FlowScore::<Test>::get(netuid);
		let added_at = System::block_number();
		assert_ok!(Stake::add_stake(origin(2), 102, netuid, 50 * UNIT));
		// Nothing moves until maturity: the score decays as without the stake.
		while System::block_number() < added_at + MATURITY - 1 {
			next_block();
			expected = expected.update(0, alpha());
			assert_eq!(FlowScore::<Test>::get(netuid), expected);
		}
		next_block();
		assert_eq!(System::block_number(), added_at + MATURITY);
		expected = expected.update((50 * UNIT) as i128, alpha());
		assert_eq!(
			FlowScore::<Test>::get(netuid),
			expected,
			"inflow at maturity"
		);

		// A matured removal is outflow, folded in at the next block: it becomes debt.
		assert_ok!(Stake::remove_stake(origin(2), 102, netuid, 20 * UNIT));
		next_block();
		expected = expected.update(-((20 * UNIT) as i128), alpha());
		assert_eq!(FlowScore::<Test>::get(netuid), expected);
		assert!(expected.debt > Score::from_inner(0));
	});
}

#[test]
fn shares_follow_scores_hand_computed() {
	build_and_execute(|| {
		let a = new_subnet(1);
		let b = new_subnet(3);
		// Same price on both fresh subnets: one registration on `a`, three on `b` in one block
		// (prices rise ×1.26 per registration, so compute the burns).
		let burn_a = price(a);
		register(a, 2, 102);
		let mut burn_b = 0;
		for (c, h) in [(4, 104), (5, 105), (6, 106)] {
			burn_b += price(b);
			register(b, c, h);
		}
		next_block();
		let sa = Emission::score_of(&a).into_inner() as u128;
		let sb = Emission::score_of(&b).into_inner() as u128;
		// Scores are a·burn (to 10^-18 rounding).
		let share_a = Emission::emission_share(a);
		let share_b = Emission::emission_share(b);
		let exact = Perquintill::from_rational(sa, sa + sb);
		assert!(
			share_a.deconstruct().abs_diff(exact.deconstruct()) <= 1,
			"share = S_a / (S_a + S_b)"
		);
		let expected = Perquintill::from_rational(burn_a, burn_a + burn_b);
		let diff = share_a.deconstruct().abs_diff(expected.deconstruct());
		assert!(
			diff < 1_000,
			"share {share_a:?} vs burns ratio {expected:?}"
		);
		assert!(share_a.deconstruct() + share_b.deconstruct() >= 1_000_000_000_000_000_000 - 2);
		// This block's emission was split by those shares (dust to the larger share).
		let pa = PendingEmission::<Test>::get(a);
		let pb = PendingEmission::<Test>::get(b);
		assert_eq!(pa + pb, UNIT);
		assert_eq!(pa, UNIT * sa / (sa + sb));
	});
}

#[test]
fn negative_scores_lower_the_floor() {
	build_and_execute(|| {
		let a = new_subnet(1);
		let b = new_subnet(3);
		register(a, 2, 102);
		register(b, 4, 104);
		assert_ok!(Stake::add_stake(origin(2), 102, a, 100 * UNIT));
		run_to_block(System::block_number() + MATURITY + 1);
		// Everything leaves `a`: its score turns negative, below b's.
		assert_ok!(Stake::remove_stake(origin(2), 102, a, 100 * UNIT));
		run_to_block(System::block_number() + 3);
		assert!(Emission::score_of(&a).into_inner() < 0);
		// L = min(0, min S) = S_a: a gets nothing, b everything.
		assert_eq!(Emission::emission_share(a), Perquintill::zero());
		assert_eq!(Emission::emission_share(b), Perquintill::one());
	});
}

#[test]
fn flow_params_are_admin_only_and_checked() {
	build_and_execute(|| {
		assert_noop!(
			Emission::set_flow_params(origin(1), 10, 0, 1),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_noop!(
			Emission::set_flow_params(RuntimeOrigin::root(), 0, 0, 1),
			Error::<Test>::InvalidHalfLife
		);
		assert_noop!(
			Emission::set_flow_params(RuntimeOrigin::root(), 10, 0, 0),
			Error::<Test>::InvalidExponent
		);
		assert_noop!(
			Emission::set_flow_params(RuntimeOrigin::root(), 10, 0, 9),
			Error::<Test>::InvalidExponent
		);
		assert_ok!(Emission::set_flow_params(RuntimeOrigin::root(), 10, -5, 2));
		let s = Emission::flow_params();
		assert_eq!(
			(s.half_life, s.cutoff.into_inner(), s.exponent),
			(10, -5, 2)
		);
		assert_eq!(s.alpha, ema_alpha(10).unwrap());
		assert!(events().contains(&Event::FlowParamsSet {
			half_life: 10,
			cutoff: -5,
			exponent: 2
		}));
	});
}
