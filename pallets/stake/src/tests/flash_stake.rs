//! Flash staking (issue #15, SPEC §3): consensus stake is **matured** stake, so capital staked
//! shortly before an epoch cannot steer it.

use crate::{mock::*, *};
use arena_pallet_primitives::StakeInterface;
use frame_support::assert_ok;
use sp_runtime::BuildStorage;

fn consensus(netuid: u16, h: AccountId) -> Balance {
	<Stake as StakeInterface<_, _>>::consensus_stake(netuid, &h)
}

#[test]
fn permits_ignore_stake_added_within_flow_maturity() {
	build_and_execute(|| {
		let netuid = setup(); // hotkeys 11, 12, 13; K = 2; epochs at 10, 20, 30, …
		assert_ok!(Stake::add_stake(origin(4), 11, netuid, 100));
		assert_ok!(Stake::add_stake(origin(4), 12, netuid, 200));
		run_to_block(29);
		// The attack: a large stake one block before the epoch.
		assert_ok!(Stake::add_stake(origin(5), 13, netuid, 10_000));
		run_to_block(30);
		assert_eq!(
			Permits::<Test>::get(netuid).into_inner(),
			vec![12, 11],
			"immature stake must not win a permit"
		);
		// Once it has matured it counts like any stake.
		run_to_block(29 + MATURITY + 1);
		assert_eq!(Permits::<Test>::get(netuid).into_inner(), vec![13, 12]);
	});
}

#[test]
fn consensus_stake_counts_an_addition_from_its_maturity_block() {
	build_and_execute(|| {
		let netuid = setup();
		assert_ok!(Stake::add_stake(origin(4), 11, netuid, 100));
		assert_eq!(consensus(netuid, 11), 0);
		run_to_block(MATURITY); // added at 1: matures at 1 + MATURITY
		assert_eq!(consensus(netuid, 11), 0, "one block early");
		run_to_block(1 + MATURITY);
		assert_eq!(consensus(netuid, 11), 100);
		assert_ok!(Stake::add_stake(origin(4), 11, netuid, 50));
		assert_eq!(consensus(netuid, 11), 100);
		assert_eq!(Stake::hotkey_stake(netuid, &11), 150);
	});
}

#[test]
fn removing_stake_cancels_immature_stake_before_consensus_stake() {
	build_and_execute(|| {
		let netuid = setup();
		assert_ok!(Stake::add_stake(origin(4), 11, netuid, 100));
		run_to_block(1 + MATURITY);
		assert_ok!(Stake::add_stake(origin(4), 11, netuid, 60));
		next_block();
		// A removal cancels immature stake first: consensus stake is untouched.
		assert_ok!(Stake::remove_stake(origin(4), 11, netuid, 30));
		assert_eq!(consensus(netuid, 11), 100);
		assert_eq!(Stake::hotkey_stake(netuid, &11), 130);
		// The other 30 of the immature piece still matures at its own block.
		run_to_block(1 + 2 * MATURITY);
		assert_eq!(consensus(netuid, 11), 130);
		// Then removals come out of matured stake.
		next_block();
		assert_ok!(Stake::remove_stake(origin(4), 11, netuid, 50));
		assert_eq!(consensus(netuid, 11), 80);
	});
}

#[test]
fn moving_immature_stake_between_hotkeys_keeps_its_maturity() {
	build_and_execute(|| {
		let netuid = setup();
		assert_ok!(Stake::add_stake(origin(4), 11, netuid, 100));
		run_to_block(10);
		assert_ok!(Stake::move_stake(origin(4), 11, netuid, 12, netuid, 100));
		assert_eq!((consensus(netuid, 11), consensus(netuid, 12)), (0, 0));
		run_to_block(1 + MATURITY);
		assert_eq!((consensus(netuid, 11), consensus(netuid, 12)), (0, 100));
	});
}

#[test]
fn delegators_positions_count_only_matured_stake() {
	build_and_execute(|| {
		let netuid = setup();
		assert_ok!(Stake::add_stake(origin(1), 11, netuid, 100));
		run_to_block(1 + MATURITY);
		assert_ok!(Stake::add_stake(origin(4), 11, netuid, 500));
		let mut positions = <Stake as StakeInterface<_, _>>::positions_on(netuid, &11);
		positions.sort();
		assert_eq!(positions, vec![(1, 100), (4, 0)]);
	});
}

#[test]
fn genesis_sets_a_short_flow_maturity_for_dev_chains() {
	let mut t = frame_system::GenesisConfig::<Test>::default()
		.build_storage()
		.unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=20).map(|a| (a, INITIAL)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	crate::GenesisConfig::<Test> {
		flow_maturity: Some(3),
	}
	.assimilate_storage(&mut t)
	.unwrap();
	sp_io::TestExternalities::new(t).execute_with(|| {
		System::set_block_number(1);
		assert_eq!(Stake::flow_maturity(), 3);
		let netuid = setup();
		assert_ok!(Stake::add_stake(origin(4), 11, netuid, 100));
		assert!(matches!(
			last_event(),
			RuntimeEvent::Stake(Event::StakeAdded { matures_at: 4, .. })
		));
		run_to_block(3);
		assert_eq!(consensus(netuid, 11), 0);
		run_to_block(4);
		assert_eq!(consensus(netuid, 11), 100);
		check_invariants();
	});
}

#[test]
fn without_genesis_the_flow_maturity_is_the_config_default() {
	build_and_execute(|| {
		assert_eq!(Stake::flow_maturity(), MATURITY);
	});
}
