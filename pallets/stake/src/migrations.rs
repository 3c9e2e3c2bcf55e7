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
