//! Flash staking (issue #15, SPEC §3): Yuma's `S` is consensus (= matured) stake, so stake
//! added within `FlowMaturity` of an epoch changes neither permits nor any Yuma output.

use crate::{mock::*, Bonds, EpochPayout, Event};
use arena_pallet_primitives::NeuronMetrics;
use frame_support::assert_ok;

/// Everything an epoch decides on subnet 0: permits, payout, per-UID metrics, bond rows.
type Outcome = (
	Vec<AccountId>,
	EpochPayout<Balance>,
	Vec<NeuronMetrics<Balance>>,
	Vec<Vec<(u16, sp_runtime::Perquintill)>>,
);

/// Subnet 0 (owner 1): validators 101 (coldkey 2) and 104 (coldkey 5) with 100 ARN each,
/// miners 102 (coldkey 3) and 103 (coldkey 4); the validators disagree on the miners. If
/// `flash`, coldkey 6 stakes 10,000 ARN on 104 one block before the epoch at block 40.
fn run(flash: bool) -> Outcome {
	let netuid = new_subnet(1);
	for (c, h) in [(2, 101), (3, 102), (4, 103), (5, 104)] {
		register(netuid, c, h);
	}
	assert_ok!(Stake::add_stake(origin(2), 101, netuid, 100 * UNIT));
	assert_ok!(Stake::add_stake(origin(5), 104, netuid, 100 * UNIT));
	run_to_block(30); // matured at 21, permits at the epoch of block 30
	assert_ok!(Subnets::set_weights(
		origin(101),
		netuid,
		sp_runtime::bounded_vec![1, 2],
		sp_runtime::bounded_vec![1, 3],
		0
	));
	assert_ok!(Subnets::set_weights(
		origin(104),
		netuid,
		sp_runtime::bounded_vec![1, 2],
		sp_runtime::bounded_vec![3, 1],
		0
	));
	run_to_block(39);
	if flash {
		assert_ok!(Stake::add_stake(origin(6), 104, netuid, 10_000 * UNIT));
	}
	run_to_block(40);
	let payout = events()
		.into_iter()
		.rev()
		.find_map(|e| match e {
			Event::EpochCompleted { netuid: 0, payout } => Some(payout),
			_ => None,
		})
		.expect("the epoch of block 40 ran");
	let metrics = (0..4)
		.map(|uid| {
			pallet_subnets::Neurons::<Test>::get(netuid, uid)
				.expect("neuron")
				.metrics
		})
		.collect();
	let bonds = (0..4)
		.map(|uid| {
			Bonds::<Test>::get(netuid, uid)
				.map(|b| b.into_inner())
				.unwrap_or_default()
		})
		.collect();
	(
		pallet_stake::Permits::<Test>::get(netuid).into_inner(),
		payout,
		metrics,
		bonds,
	)
}

#[test]
fn yuma_ignores_stake_added_within_flow_maturity() {
	let honest = new_test_ext().execute_with(|| {
		let out = run(false);
		check_invariants();
		out
	});
	let flashed = new_test_ext().execute_with(|| {
		let out = run(true);
		check_invariants();
		out
	});
	assert!(
		honest.1.miners > 0 && honest.1.validators > 0,
		"the epoch paid"
	);
	assert_eq!(honest.0, flashed.0, "permits");
	assert_eq!(honest.1, flashed.1, "payout");
	assert_eq!(honest.2, flashed.2, "metrics");
	assert_eq!(honest.3, flashed.3, "bonds");
}
