//! Storage migrations.

use crate::{migrations, mock::*, FlowScore};
use arena_rules::flow::{FlowState, Score};
use frame_support::{
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
