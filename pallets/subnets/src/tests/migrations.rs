//! Storage migrations.

use crate::{migrations, mock::*, types::*, *};
use codec::Encode;
use frame_support::{
	assert_ok,
	traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
	BoundedVec,
};
use sp_runtime::BuildStorage;

#[test]
fn migration_v1_fixes_the_reveal_window_of_pending_commits() {
	build_and_execute(|| {
		let netuid = new_subnet(1);
		register(netuid, 1, 11);
		run_to_block(3);
		// A v0 commit made at block 3 (tempo 10, reveal window 5): window [10, 15).
		let old = WeightCommitV0 {
			hash: sp_core::H256::repeat_byte(4),
			committed_at: 3u64,
		};
		let key = WeightCommits::<Test>::hashed_key_for(netuid, 0);
		frame_support::storage::unhashed::put_raw(&key, &old.encode());
		StorageVersion::new(0).put::<Subnets>();
		migrations::v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(Subnets::on_chain_storage_version(), StorageVersion::new(1));
		assert_eq!(
			WeightCommits::<Test>::get(netuid, 0),
			Some(WeightCommit {
				hash: old.hash,
				committed_at: 3,
				reveal_open: 10,
				reveal_close: 15,
			})
		);
		// Runs once: a later tempo change and a second run leave the window alone.
		assert_ok!(Subnets::set_hyperparameters(
			origin(1),
			netuid,
			BoundedVec::truncate_from(vec![HyperParam::Tempo(50)])
		));
		migrations::v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(
			WeightCommits::<Test>::get(netuid, 0).map(|c| (c.reveal_open, c.reveal_close)),
			Some((10, 15))
		);
	});
}

#[test]
fn genesis_min_tempo_sets_the_floor() {
	let mut t = frame_system::GenesisConfig::<Test>::default()
		.build_storage()
		.expect("genesis");
	crate::GenesisConfig::<Test> {
		min_tempo: Some(7),
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.expect("genesis");
	sp_io::TestExternalities::new(t).execute_with(|| {
		assert_eq!(MinTempo::<Test>::get(), 7);
	});
}

#[test]
#[should_panic(expected = "min_tempo out of bounds")]
fn genesis_min_tempo_fails_above_the_default_tempo() {
	let mut t = frame_system::GenesisConfig::<Test>::default()
		.build_storage()
		.expect("genesis");
	let _ = crate::GenesisConfig::<Test> {
		min_tempo: Some(TEMPO + 1),
		..Default::default()
	}
	.assimilate_storage(&mut t);
}

#[test]
fn min_tempo_defaults_to_the_config() {
	build_and_execute(|| {
		assert_eq!(MinTempo::<Test>::get(), MIN_TEMPO);
	});
}
