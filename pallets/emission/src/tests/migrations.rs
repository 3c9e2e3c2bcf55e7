//! Storage migrations.

use crate::{migrations, mock::*, FlowScore, ImmatureInflow, ScheduledInflow};
use arena_rules::flow::{FlowState, Score};
use frame_support::{
	assert_ok,
	storage::unhashed,
	traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
};

#[test]
fn migration_v1_turns_positive_scores_into_credit_and_negative_ones_into_debt() {
	build_and_execute(|| {
		let (a, b) = (new_subnet(1), new_subnet(3));
		// A v0 chain: one signed score per subnet, stored under the same keys.
		let (pos, neg) = (Score::from_inner(5_000), Score::from_inner(-7_000));
		unhashed::put(&FlowScore::<Test>::hashed_key_for(a), &pos);
		unhashed::put(&FlowScore::<Test>::hashed_key_for(b), &neg);
		StorageVersion::new(0).put::<Emission>();
		migrations::v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(Emission::on_chain_storage_version(), StorageVersion::new(1));
		assert_eq!(
			FlowScore::<Test>::get(a),
			FlowState {
				credit: pos,
				debt: Score::from_inner(0)
			}
		);
		assert_eq!(
			FlowScore::<Test>::get(b),
			FlowState {
				credit: Score::from_inner(0),
				debt: Score::from_inner(7_000)
			}
		);
		// Scores (and so shares) are unchanged.
		assert_eq!(Emission::score_of(&a), pos);
		assert_eq!(Emission::score_of(&b), neg);
		// Runs once.
		migrations::v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(Emission::score_of(&b), neg);
	});
}

#[test]
fn migration_v2_rebuilds_immature_inflow_from_the_schedule() {
	build_and_execute(|| {
		let (a, b) = (new_subnet(1), new_subnet(3));
		register(a, 2, 102);
		register(b, 4, 104);
		assert_ok!(Stake::add_stake(origin(2), 102, a, 5 * UNIT));
		next_block();
		assert_ok!(Stake::add_stake(origin(2), 102, a, 2 * UNIT));
		assert_ok!(Stake::add_stake(origin(4), 104, b, 3 * UNIT));
		let expected: Vec<_> = ImmatureInflow::<Test>::iter().collect();
		assert_eq!(expected.len(), 2);
		// A v1 chain had no ImmatureInflow; a schedule entry of a removed subnet is skipped.
		let _ = ImmatureInflow::<Test>::clear(u32::MAX, None);
		ScheduledInflow::<Test>::insert(1_000, 77, 9 * UNIT);
		StorageVersion::new(1).put::<Emission>();
		migrations::v2::MigrateV1ToV2::<Test>::on_runtime_upgrade();
		assert_eq!(Emission::on_chain_storage_version(), StorageVersion::new(2));
		let mut rebuilt: Vec<_> = ImmatureInflow::<Test>::iter().collect();
		rebuilt.sort();
		let mut expected = expected;
		expected.sort();
		assert_eq!(rebuilt, expected);
		assert_eq!(ImmatureInflow::<Test>::get(a), 7 * UNIT);
		ScheduledInflow::<Test>::remove(1_000, 77);
	});
}
