//! Storage migrations of the emission pallet.

use crate::{Config, FlowScore, ImmatureInflow, Pallet, ScheduledInflow};
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

/// v1 → v2: adds [`ImmatureInflow`], the per-subnet sum of [`ScheduledInflow`] (the stake that
/// has not matured yet), which the removal-debt settlement needs (SPEC §2). Rebuilt from the
/// schedule; entries of subnets that no longer exist are skipped.
pub mod v2 {
	use super::*;
	use crate::BalanceOf;
	use alloc::collections::BTreeMap;
	use arena_pallet_primitives::{NetUid, SubnetsInterface};
	use sp_runtime::Saturating;

	/// The unversioned step; use [`MigrateV1ToV2`].
	pub struct TrackImmatureInflow<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for TrackImmatureInflow<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut reads: u64 = 0;
			let mut sums: BTreeMap<NetUid, BalanceOf<T>> = BTreeMap::new();
			for (_, netuid, amount) in ScheduledInflow::<T>::iter() {
				reads = reads.saturating_add(1);
				if T::Subnets::subnet_exists(netuid) {
					let e = sums.entry(netuid).or_default();
					*e = e.saturating_add(amount);
				}
			}
			let writes = u64::try_from(sums.len()).unwrap_or(u64::MAX);
			for (netuid, amount) in sums {
				ImmatureInflow::<T>::insert(netuid, amount);
			}
			T::DbWeight::get().reads_writes(reads, writes)
		}
	}

	/// Runs [`TrackImmatureInflow`] once, on storage version 1, and sets version 2.
	pub type MigrateV1ToV2<T> = VersionedMigration<
		1,
		2,
		TrackImmatureInflow<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
