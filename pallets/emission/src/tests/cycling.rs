//! Cycling after maturity (issue #15, attack 2; SPEC §2): capital that is added, left to
//! mature, removed and re-added must never earn more than the same capital held.
//!
//! One chain, two subnets set up identically (same owner burns, same honest validator stake at
//! the same blocks): on subnet 0 an honest holder stakes `X` and keeps it; on subnet 1 a cycler
//! stakes `X` (later cycles `x_i ≤ X`), keeps it at least `FlowMaturity` blocks, removes it all,
//! waits, and starts again; at the end it may stake `≤ X` once more and keep it. At every block the cycler's subnet must have at most the holder's
//! - cumulative clipped score `Σ max(S, 0)` (what the emission split integrates), and
//! - cumulative emission received (paid out at epochs + still pending),
//!
//! and after its `k`-th epoch at most the emission the holder's subnet was paid by its `k`-th
//! epoch (subnet 1's epochs run one block before subnet 0's, so this follows from the line
//! above when every payout succeeds; it is checked on the payouts themselves).

use crate::{mock::*, Event, PendingEmission};
use arena_pallet_primitives::{EmissionInfo, NetUid};
use frame_support::assert_ok;
use proptest::prelude::*;

/// The holder: coldkey and hotkey on subnet 0.
const HOLDER: (AccountId, AccountId) = (9, 109);
/// The cycler: coldkey and hotkey on subnet 1.
const CYCLER: (AccountId, AccountId) = (10, 110);

/// One cycle: stake `amount` (units of `UNIT`), keep it `hold` blocks, remove it all, wait `gap`.
#[derive(Clone, Copy, Debug)]
struct Cycle {
	amount: Balance,
	hold: u64,
	gap: u64,
}

/// Per block, for both subnets: (cumulative clipped score, cumulative emission received).
#[derive(Default, Debug)]
struct Books {
	clipped: [i128; 2],
	received: [Balance; 2],
	/// Payout of each epoch, per subnet, in order.
	paid: [Vec<Balance>; 2],
}

fn score(netuid: NetUid) -> i128 {
	Emission::emission_score(netuid)
}

/// Emission paid by the epochs of this block, per subnet.
fn paid_now(from_event: usize) -> Vec<(NetUid, Balance)> {
	events()
		.into_iter()
		.skip(from_event)
		.filter_map(|e| match e {
			Event::EpochCompleted { netuid, payout } => {
				Some((netuid, payout.owner + payout.miners + payout.validators))
			},
			_ => None,
		})
		.collect()
}

/// Runs the scenario: the holder stakes `x` at the first block and keeps it; the cycler runs
/// `cycles`, then stakes `last` (if any) and keeps it, for `horizon` blocks after the cycles.
/// Checks the books at every block; returns an error naming the first block where the cycler
/// is ahead.
fn run(x: Balance, cycles: &[Cycle], last: Option<Balance>, horizon: u64) -> Result<Books, String> {
	let mut books = Books::default();
	let mut failure = None;
	build_and_execute(|| {
		let (a, b) = (new_subnet(1), new_subnet(3));
		assert_eq!((a, b), (0, 1));
		// Identical neighbourhoods: the same registrations (same burns) in the same block and
		// the same honest validator stake.
		register(a, 2, 102);
		register(b, 4, 104);
		register(a, HOLDER.0, HOLDER.1);
		register(b, CYCLER.0, CYCLER.1);
		assert_ok!(Stake::add_stake(origin(2), 102, a, 40 * UNIT));
		assert_ok!(Stake::add_stake(origin(4), 104, b, 40 * UNIT));
		next_block();
		// Block offset → cycler action (true = add `amount`, false = remove everything).
		let mut acts: Vec<(u64, Option<Balance>)> = Vec::new();
		let mut t = 0;
		for c in cycles {
			acts.push((t, Some(c.amount)));
			acts.push((t + c.hold, None));
			t += c.hold + c.gap;
		}
		if let Some(amount) = last {
			acts.push((t, Some(amount)));
		}
		let start = System::block_number();
		for i in 0..t + horizon {
			if i == 0 {
				assert_ok!(Stake::add_stake(origin(HOLDER.0), HOLDER.1, a, x));
			}
			for (_, act) in acts.iter().filter(|(at, _)| *at == i) {
				match act {
					Some(amount) => {
						assert_ok!(Stake::add_stake(origin(CYCLER.0), CYCLER.1, b, *amount));
					},
					None => {
						let all = pallet_stake::Positions::<Test>::get((CYCLER.0, CYCLER.1, b));
						assert_ok!(Stake::remove_stake(origin(CYCLER.0), CYCLER.1, b, all));
					},
				}
			}
			let seen = events().len();
			run_to_block(start + i + 1);
			for (netuid, amount) in paid_now(seen) {
				books.paid[usize::from(netuid)].push(amount);
				books.received[usize::from(netuid)] += amount;
			}
			for n in [a, b] {
				books.clipped[usize::from(n)] += score(n).max(0);
			}
			let received =
				|n: NetUid| books.received[usize::from(n)] + PendingEmission::<Test>::get(n);
			let prefix = |v: &[Balance], k: usize| v.iter().take(k).sum::<Balance>();
			let epochs = books.paid[1].len().min(books.paid[0].len());
			let check = if books.clipped[1] > books.clipped[0] {
				Some(format!(
					"cumulative clipped score {} > holder's {}",
					books.clipped[1], books.clipped[0]
				))
			} else if received(b) > received(a) {
				Some(format!(
					"emission received {} > holder's {}",
					received(b),
					received(a)
				))
			} else if prefix(&books.paid[1], epochs) > prefix(&books.paid[0], epochs) {
				Some(format!(
					"paid {:?} > holder's {:?}",
					books.paid[1], books.paid[0]
				))
			} else {
				None
			};
			if let Some(why) = check {
				failure = Some(format!("block {} of {}: {why}", i + 1, t + horizon));
				break;
			}
		}
	});
	match failure {
		Some(why) => Err(why),
		None => Ok(books),
	}
}

fn cycles(x_units: Balance) -> impl Strategy<Value = Vec<Cycle>> {
	prop::collection::vec(
		(1..=x_units, MATURITY..=4 * MATURITY, 1u64..=3 * MATURITY),
		1..6,
	)
	.prop_map(move |v| {
		v.into_iter()
			.enumerate()
			.map(|(i, (amount, hold, gap))| Cycle {
				// The first cycle uses all of the capital; later ones part of it.
				amount: if i == 0 { x_units } else { amount } * UNIT,
				hold,
				gap,
			})
			.collect()
	})
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(16))]

	/// Random periods `≥ FlowMaturity`, random amounts `≤ X` and random gaps, then (or not)
	/// a last stake kept to the end: at every block the cycler's subnet has at most the
	/// holder's cumulative clipped score and emission, over a horizon of six half-lives past
	/// the last cycle.
	#[test]
	fn cycling_after_maturity_never_out_earns_holding(
		(x, cycles, last) in (10u128..=50).prop_flat_map(|x| {
			(Just(x), cycles(x), prop::option::weighted(0.8, (1..=x).prop_map(|l| l * UNIT)))
		}),
	) {
		let horizon = 6 * u64::from(HalfLife::get());
		if let Err(why) = run(x * UNIT, &cycles, last, horizon) {
			prop_assert!(false, "{}", why);
		}
	}
}

/// The example: one cycle of period 2·maturity, then the same capital staked again and
/// held. The holder must stay ahead at every block of six half-lives.
#[test]
fn one_cycle_of_twice_maturity_does_not_out_earn_holding() {
	let x = 30 * UNIT;
	let cycles = [Cycle {
		amount: x,
		hold: 2 * MATURITY,
		gap: 1,
	}];
	let horizon = 6 * u64::from(HalfLife::get());
	let books = run(x, &cycles, Some(x), horizon).unwrap_or_else(|why| panic!("{why}"));
	// The holder's subnet was paid something, and the cycler strictly less.
	assert!(books.received[1] < books.received[0], "{books:?}");
}
