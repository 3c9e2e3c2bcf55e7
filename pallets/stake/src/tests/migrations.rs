//! Storage migrations.

use crate::{migrations, mock::*, *};
use arena_pallet_primitives::StakeInterface;
use frame_support::{
	assert_ok,
	traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
};

#[test]
fn migration_v2_schedules_the_immature_stake_of_existing_positions() {
	build_and_execute(|| {
		let netuid = setup();
		assert_ok!(Stake::add_stake(origin(4), 11, netuid, 100));
		run_to_block(1 + MATURITY);
		assert_ok!(Stake::add_stake(origin(4), 11, netuid, 60));
		// A v1 chain: no schedule yet.
		let _ = MaturingStake::<Test>::clear(u32::MAX, None);
		let _ = ImmatureStake::<Test>::clear(u32::MAX, None);
		StorageVersion::new(1).put::<Stake>();
		migrations::v2::MigrateV1ToV2::<Test>::on_runtime_upgrade();
		assert_eq!(Stake::on_chain_storage_version(), StorageVersion::new(2));
		assert_eq!(ImmatureStake::<Test>::get(netuid, 11), 60);
		assert_eq!(
			MaturingStake::<Test>::get((1 + 2 * MATURITY, netuid, 11)),
			60
		);
		assert_eq!(
			<Stake as StakeInterface<_, _>>::consensus_stake(netuid, &11),
			100
		);
		// Runs once.
		migrations::v2::MigrateV1ToV2::<Test>::on_runtime_upgrade();
		assert_eq!(ImmatureStake::<Test>::get(netuid, 11), 60);
	});
}
