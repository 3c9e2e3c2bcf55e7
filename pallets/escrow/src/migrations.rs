//! Storage migrations of the escrow pallet.

use crate::{Config, Pallet};
use frame_support::{
	migrations::VersionedMigration,
	traits::{Get, UncheckedOnRuntimeUpgrade},
	weights::Weight,
};

/// v1 → v2: adds the dividend queue ([`crate::PendingDividends`], [`crate::DividendQueue`],
/// [`crate::PendingDividendTotal`]) and the bounty queue ([`crate::EpochOutcomes`],
/// [`crate::OutcomeQueue`]). They start empty, which their defaults already are: nothing is
/// translated; the step only checks that and sets the version.
pub mod v2 {
	use super::*;

	/// The unversioned step; use [`MigrateV1ToV2`].
	pub struct AddDeferredQueues<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for AddDeferredQueues<T> {
		fn on_runtime_upgrade() -> Weight {
			// Nothing to move: the queues did not exist, so they are empty (their defaults).
			T::DbWeight::get().reads(2)
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(_state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			frame_support::ensure!(
				crate::DividendQueue::<T>::get().is_empty()
					&& crate::OutcomeQueue::<T>::get().bounds.is_empty(),
				"the new queues must start empty"
			);
			Ok(())
		}
	}

	/// Runs [`AddDeferredQueues`] once, on storage version 1, and sets version 2.
	pub type MigrateV1ToV2<T> = VersionedMigration<
		1,
		2,
		AddDeferredQueues<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
