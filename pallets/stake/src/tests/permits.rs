//! Validator permits: top-K by consensus (matured) stake, recomputed every epoch; used by
//! `set_weights`.

use crate::{mock::*, *};
use arena_pallet_primitives::StakeInterface;
use frame_support::{assert_noop, assert_ok};

fn permitted(netuid: u16, h: AccountId) -> bool {
	<Stake as StakeInterface<_, _>>::has_validator_permit(netuid, &h)
}

#[test]
fn permits_go_to_top_k_by_stake_at_each_epoch() {
	build_and_execute(|| {
		let netuid = setup(); // hotkeys 11, 12, 13; K = 2
		assert_ok!(Stake::add_stake(origin(4), 11, netuid, 100));
		assert_ok!(Stake::add_stake(origin(4), 12, netuid, 300));
		assert_ok!(Stake::add_stake(origin(4), 13, netuid, 200));
		assert!(!permitted(netuid, 12), "not before the epoch");
		run_to_block(1 + MATURITY);
		assert!(
			!permitted(netuid, 12),
			"not before the epoch after maturity"
		);
		run_to_block(30); // netuid 0, tempo 10
		assert!(permitted(netuid, 12) && permitted(netuid, 13) && !permitted(netuid, 11));
		assert_eq!(Permits::<Test>::get(netuid).into_inner(), vec![12, 13]);
		// set_weights needs the permit.
		assert_ok!(Subnets::set_weights(
			origin(12),
			netuid,
			sp_runtime::bounded_vec![0],
			sp_runtime::bounded_vec![1],
			0
		));
		assert_noop!(
			Subnets::set_weights(
				origin(11),
				netuid,
				sp_runtime::bounded_vec![0],
				sp_runtime::bounded_vec![1],
				0
			),
			pallet_subnets::Error::<Test>::NoValidatorPermit
		);
		// Stake changes take effect at the first epoch after they mature.
		assert_ok!(Stake::add_stake(origin(5), 11, netuid, 1_000));
		assert!(!permitted(netuid, 11));
		run_to_block(40);
		assert!(!permitted(netuid, 11));
		run_to_block(50);
		assert_eq!(Permits::<Test>::get(netuid).into_inner(), vec![11, 12]);
		assert_eq!(Stake::recompute_permits(netuid), 3);
	});
}

#[test]
fn permits_need_stake_and_ties_go_to_lower_uid() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(10);
		assert!(Permits::<Test>::get(netuid).is_empty());
		assert_ok!(Stake::add_stake(origin(4), 13, netuid, 100));
		assert_ok!(Stake::add_stake(origin(4), 12, netuid, 100));
		assert_ok!(Stake::add_stake(origin(4), 11, netuid, 100));
		run_to_block(10 + MATURITY);
		Stake::recompute_permits(netuid);
		assert_eq!(Permits::<Test>::get(netuid).into_inner(), vec![11, 12]);
	});
}

#[test]
fn dissolving_clears_permits_and_metagraph_shows_stake() {
	build_and_execute(|| {
		let netuid = setup();
		assert_ok!(Stake::add_stake(origin(4), 12, netuid, 300));
		run_to_block(30);
		let mg = Subnets::metagraph(netuid).unwrap();
		assert_eq!(
			(
				mg[1].hotkey,
				mg[1].coldkey,
				mg[1].stake,
				mg[1].validator_permit
			),
			(12, Some(2), 300, true)
		);
		assert_eq!(Subnets::subnet_info(netuid).unwrap().total_stake, 300);
		assert_ok!(Subnets::dissolve_network(origin(1), netuid));
		assert!(!Permits::<Test>::contains_key(netuid));
	});
}
