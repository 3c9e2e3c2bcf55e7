//! Storage migrations of the emission pallet.

use crate::{Config, FlowScore, Pallet};
use arena_rules::flow::{FlowState, Score};
use frame_support::{
	migrations::VersionedMigration,
	traits::{Get, UncheckedOnRuntimeUpgrade},
	weights::Weight,
};

/// v0 → v1: [`FlowScore`] held one signed score per subnet; it now holds a [`FlowState`]
/// (credit and debt, SPEC §2's debt rule). A positive score becomes credit, a negative one debt
/// ([`FlowState::from_score`]), so every subnet keeps its score and share across the upgrade.
pub mod v1 {
	use super::*;

	/// The unversioned step; use [`MigrateV0ToV1`].
	pub struct SplitScoreIntoCreditAndDebt<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for SplitScoreIntoCreditAndDebt<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut subnets: u64 = 0;
			FlowScore::<T>::translate::<Score, _>(|_netuid, score| {
				subnets = subnets.saturating_add(1);
				Some(FlowState::from_score(score))
			});
			T::DbWeight::get().reads_writes(subnets, subnets)
		}
	}

	/// Runs [`SplitScoreIntoCreditAndDebt`] once, on storage version 0, and sets version 1.
	pub type MigrateV0ToV1<T> = VersionedMigration<
		0,
		1,
		SplitScoreIntoCreditAndDebt<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
