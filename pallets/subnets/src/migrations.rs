//! Storage migrations of the subnets pallet.

use crate::{types::WeightCommitV0, Config, Hyperparams, Pallet, WeightCommits};
use frame_support::{
	migrations::VersionedMigration,
	traits::{Get, UncheckedOnRuntimeUpgrade},
	weights::Weight,
};

/// v0 → v1: every pending weight commit gets its reveal window, computed as v0 computed it
/// (the subnet's first epoch block after the commit at the current tempo, for `reveal_window`
/// blocks), so that later tempo changes no longer move it. A commit of a subnet without
/// hyperparameters (cannot happen) is dropped.
pub mod v1 {
	use super::*;
	use crate::types::WeightCommit;
	use frame_system::pallet_prelude::BlockNumberFor;
	use sp_runtime::traits::SaturatedConversion;

	/// The unversioned step; use [`MigrateV0ToV1`].
	pub struct StoreRevealWindows<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for StoreRevealWindows<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut commits: u64 = 0;
			WeightCommits::<T>::translate::<WeightCommitV0<BlockNumberFor<T>>, _>(
				|netuid, _uid, old| {
					commits = commits.saturating_add(1);
					let hp = Hyperparams::<T>::get(netuid)?;
					let (open, close) = Pallet::<T>::reveal_window(netuid, &hp, old.committed_at);
					Some(WeightCommit {
						hash: old.hash,
						committed_at: old.committed_at,
						reveal_open: open.saturated_into(),
						reveal_close: close.saturated_into(),
					})
				},
			);
			T::DbWeight::get().reads_writes(commits.saturating_mul(2), commits)
		}
	}

	/// Runs [`StoreRevealWindows`] once, on storage version 0, and sets version 1.
	pub type MigrateV0ToV1<T> = VersionedMigration<
		0,
		1,
		StoreRevealWindows<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
