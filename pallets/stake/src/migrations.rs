//! Storage migrations of the stake pallet.

use crate::{Config, HotkeyPositionCount, HotkeyPositions, Pallet, Positions};
use frame_support::{
	migrations::VersionedMigration,
	traits::{Get, UncheckedOnRuntimeUpgrade},
	weights::Weight,
};

/// v0 → v1: builds the [`HotkeyPositions`] index (and [`HotkeyPositionCount`]) from the
/// existing [`Positions`]. Reads every position once; meant for the young chains that run v0
/// (a handful of positions), not for a chain with millions of them.
pub mod v1 {
	use super::*;

	/// The unversioned step; use [`MigrateV0ToV1`].
	pub struct IndexHotkeyPositions<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for IndexHotkeyPositions<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut positions: u64 = 0;
			for (coldkey, hotkey, netuid) in Positions::<T>::iter_keys() {
				positions = positions.saturating_add(1);
				if HotkeyPositions::<T>::contains_key((netuid, &hotkey, &coldkey)) {
					continue;
				}
				HotkeyPositions::<T>::insert((netuid, &hotkey, &coldkey), ());
				HotkeyPositionCount::<T>::mutate(netuid, &hotkey, |c| *c = c.saturating_add(1));
			}
			T::DbWeight::get()
				.reads_writes(positions.saturating_mul(2), positions.saturating_mul(2))
		}
	}

	/// Runs [`IndexHotkeyPositions`] once, on storage version 0, and sets version 1.
	pub type MigrateV0ToV1<T> = VersionedMigration<
		0,
		1,
		IndexHotkeyPositions<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// v1 → v2: builds the maturity schedule ([`ImmatureStake`], [`MaturingStake`]) from the
/// immature pieces of the existing positions ([`Pending`]), so that consensus stake (SPEC §3)
/// excludes stake added within the flow maturity from the upgrade on. Reads every pending queue
/// once; meant for the young chains that run v1.
pub mod v2 {
	use super::*;
	use crate::{ImmatureStake, MaturingStake, Pending};
	use frame_system::pallet_prelude::BlockNumberFor;
	use sp_runtime::traits::{SaturatedConversion, Saturating};

	/// The unversioned step; use [`MigrateV1ToV2`].
	pub struct ScheduleImmatureStake<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for ScheduleImmatureStake<T> {
		fn on_runtime_upgrade() -> Weight {
			let now = frame_system::Pallet::<T>::block_number();
			let now64: u64 = now.saturated_into();
			let maturity = Pallet::<T>::flow_maturity();
			let maturity64: u64 = maturity.saturated_into();
			let mut queues: u64 = 0;
			let mut pieces: u64 = 0;
			for ((_coldkey, hotkey, netuid), pending) in Pending::<T>::iter() {
				queues = queues.saturating_add(1);
				for p in pending
					.iter()
					.filter(|p| p.added_at.saturating_add(maturity64) > now64)
				{
					pieces = pieces.saturating_add(1);
					let added: BlockNumberFor<T> = p.added_at.saturated_into();
					let amount = p.amount.saturated_into();
					MaturingStake::<T>::mutate(
						(added.saturating_add(maturity), netuid, &hotkey),
						|s| *s = s.saturating_add(amount),
					);
					ImmatureStake::<T>::mutate(netuid, &hotkey, |s| *s = s.saturating_add(amount));
				}
			}
			T::DbWeight::get().reads_writes(
				queues.saturating_add(pieces.saturating_mul(2)),
				pieces.saturating_mul(2),
			)
		}
	}

	/// Runs [`ScheduleImmatureStake`] once, on storage version 1, and sets version 2.
	pub type MigrateV1ToV2<T> = VersionedMigration<
		1,
		2,
		ScheduleImmatureStake<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
