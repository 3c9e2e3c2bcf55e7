//! The recycle attack (SPEC §2): capital cycled through a subnet must not raise its score.
//!
//! Each scenario is run twice on fresh chains — once with the attacker's actions, once without
//! (or with the capital simply kept staked) — and the subnets' flow scores are compared block by
//! block.

use crate::mock::*;
use arena_pallet_primitives::NetUid;
use frame_support::assert_ok;
use proptest::prelude::*;

/// Attacker coldkey and its hotkeys on subnets A and B.
const ATTACKER: AccountId = 9;
const HOT_A: AccountId = 109;
const HOT_B: AccountId = 119;

#[derive(Clone, Copy, Debug)]
enum Act {
	Add(NetUid, Balance),
	RemoveAll(NetUid),
	/// Move everything from the first subnet to the second.
	MoveAll(NetUid, NetUid),
}

fn hot(netuid: NetUid) -> AccountId {
	if netuid == 0 {
		HOT_A
	} else {
		HOT_B
	}
}

fn position(netuid: NetUid) -> Balance {
	pallet_stake::Positions::<Test>::get((ATTACKER, hot(netuid), netuid))
}

fn apply(act: Act) {
	match act {
		Act::Add(n, x) => {
			assert_ok!(Stake::add_stake(origin(ATTACKER), hot(n), n, x));
		},
		Act::RemoveAll(n) => {
			let x = position(n);
			if x > 0 {
				assert_ok!(Stake::remove_stake(origin(ATTACKER), hot(n), n, x));
			}
		},
		Act::MoveAll(from, to) => {
			let x = position(from);
			if x > 0 {
				assert_ok!(Stake::move_stake(
					origin(ATTACKER),
					hot(from),
					from,
					hot(to),
					to,
					x
				));
			}
		},
	}
}

/// Runs the common setup (two subnets, honest neurons and stake, the attacker's hotkeys), then
/// `blocks` blocks applying `acts` (block offset → action) and returns the scores of A and B
/// (raw) after every block.
fn run(acts: &[(u64, Act)], blocks: u64) -> Vec<(i128, i128)> {
	let mut out = Vec::new();
	build_and_execute(|| {
		let a = new_subnet(1);
		let b = new_subnet(3);
		assert_eq!((a, b), (0, 1));
		register(a, 2, 102);
		register(b, 4, 104);
		register(a, ATTACKER, HOT_A);
		register(b, ATTACKER, HOT_B);
		assert_ok!(Stake::add_stake(origin(2), 102, a, 40 * UNIT));
		assert_ok!(Stake::add_stake(origin(4), 104, b, 70 * UNIT));
		next_block();
		let start = System::block_number();
		for i in 0..blocks {
			for (_, act) in acts.iter().filter(|(at, _)| *at == i) {
				apply(*act);
			}
			run_to_block(start + i + 1);
			out.push((
				Emission::score_of(&a).into_inner(),
				Emission::score_of(&b).into_inner(),
			));
		}
	});
	out
}

/// Cycles of (first add, optional second add after `d`, remove all after `hold`), each piece
/// removed before it matures, separated by `gap` blocks.
fn short_cycles(cycles: &[Cycle], netuid: NetUid) -> Vec<(u64, Act)> {
	let mut acts = Vec::new();
	let mut t = 0u64;
	for (x, hold, second, gap) in cycles {
		acts.push((t, Act::Add(netuid, *x)));
		if let Some((d, y)) = second {
			if *d < *hold {
				acts.push((t + d, Act::Add(netuid, *y)));
			}
		}
		acts.push((t + hold, Act::RemoveAll(netuid)));
		t += hold + gap;
	}
	acts
}

/// One sub-maturity cycle: first add, hold, optional (delay, second add), gap.
type Cycle = (Balance, u64, Option<(u64, Balance)>, u64);

fn horizon(acts: &[(u64, Act)]) -> u64 {
	acts.iter().map(|(t, _)| *t).max().unwrap_or(0) + MATURITY + 5
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(24))]

	/// Stake and unstake in cycles shorter than maturity, with any timing and amounts: both
	/// subnets' scores stay bitwise identical to a run without the attacker.
	#[test]
	fn sub_maturity_cycles_leave_scores_bitwise_unchanged(
		cycles in prop::collection::vec(
			(
				(1u128..=50).prop_map(|x| x * UNIT),
				1u64..MATURITY,
				prop::option::of((1u64..MATURITY, (1u128..=20).prop_map(|y| y * UNIT))),
				1u64..6,
			),
			1..5,
		)
	) {
		let acts = short_cycles(&cycles, 0);
		let blocks = horizon(&acts);
		prop_assert_eq!(run(&acts, blocks), run(&[], blocks));
	}

	/// Capital bounced between two subnets faster than maturity gains neither.
	#[test]
	fn bouncing_between_subnets_gains_neither(
		x in (1u128..=50).prop_map(|x| x * UNIT),
		hops in prop::collection::vec(1u64..MATURITY, 1..6),
	) {
		let mut acts = vec![(0, Act::Add(0, x))];
		let mut t = 0;
		let mut on = 0u16;
		for h in &hops {
			t += h;
			acts.push((t, Act::MoveAll(on, 1 - on)));
			on = 1 - on;
		}
		acts.push((t + 1, Act::RemoveAll(on)));
		let blocks = horizon(&acts);
		prop_assert_eq!(run(&acts, blocks), run(&[], blocks));
	}

	/// Cycles longer than maturity: at every horizon the cumulative score (what the emission
	/// split integrates) is at most that of the same capital kept staked from the first add.
	#[test]
	fn post_maturity_cycles_earn_no_more_than_kept_stake(
		x in (1u128..=50).prop_map(|x| x * UNIT),
		cycles in prop::collection::vec((MATURITY + 1..3 * MATURITY, 1u64..10), 1..4),
	) {
		let mut acts = Vec::new();
		let mut t = 0;
		for (hold, gap) in &cycles {
			acts.push((t, Act::Add(0, x)));
			acts.push((t + hold, Act::RemoveAll(0)));
			t += hold + gap;
		}
		let blocks = t + MATURITY + 5;
		let cycled = run(&acts, blocks);
		let kept = run(&[(0, Act::Add(0, x))], blocks);
		let (mut sum_c, mut sum_k) = (0i128, 0i128);
		for (i, (c, k)) in cycled.iter().zip(&kept).enumerate() {
			sum_c += c.0;
			sum_k += k.0;
			prop_assert!(sum_c <= sum_k, "block {}: cumulative {} > kept {}", i, sum_c, sum_k);
		}
	}
}

#[test]
fn a_removal_at_maturity_counts_in_and_out() {
	// Boundary: removing exactly when the stake matures counts the inflow (at maturity) and the
	// outflow, and the net effect is below the kept-stake run.
	let acts = [(0, Act::Add(0, 10 * UNIT)), (MATURITY, Act::RemoveAll(0))];
	let blocks = MATURITY + 10;
	let cycled = run(&acts, blocks);
	let kept = run(&[(0, Act::Add(0, 10 * UNIT))], blocks);
	let control = run(&[], blocks);
	assert!(cycled[MATURITY as usize - 1].0 > control[MATURITY as usize - 1].0);
	assert!(cycled.last().unwrap().0 < kept.last().unwrap().0);
}
