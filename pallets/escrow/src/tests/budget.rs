//! The escrow side of an epoch stays within the emission hook's budget (issue 15, "owner
//! settings that load every block"): at the production bounds the largest epoch, payouts and
//! bounties included, fits in `EpochBlockShare` of a 2 s block. The expensive work (one entry
//! per delegator position, a bounty's whole epoch of entries) runs later in `on_idle`.

use super::*;
use arena_pallet_primitives::{PayoutHandler, PayoutKind};
use frame_support::weights::{
	constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND},
	Weight,
};
use sp_runtime::Perbill;

/// The production runtime's bounds (`runtime/src/configs.rs`): 256 UIDs, 128 subnets, 64
/// positions per hotkey, 4 bounties per subnet, ParityDb-priced DB accesses, 2 s blocks and a
/// 25 % epoch share.
pub fn production_bounds() {
	MaxUids::set(256);
	EmissionMaxSubnets::set(128);
	MaxPositionsPerHotkey::set(64);
	MaxBountiesPerSubnet::set(4);
	MockDbWeight::set(ParityDbWeight::get());
	MockBlockWeights::set(frame_system::limits::BlockWeights::with_sensible_defaults(
		Weight::from_parts(2 * WEIGHT_REF_TIME_PER_SECOND, u64::MAX),
		Perbill::from_percent(75),
	));
	EpochBlockShare::set(Perbill::from_percent(25));
}

#[test]
fn largest_epoch_fails_to_fit_the_budget_at_production_bounds() {
	build_and_execute(|| {
		production_bounds();
		assert!(
			Emission::largest_epoch_fits(),
			"largest epoch {:?} above the budget {:?}",
			Emission::max_epoch_weight(),
			Emission::hook_budget()
		);
	});
}

#[test]
fn validator_payout_weight_fails_if_it_grows_with_positions() {
	build_and_execute(|| {
		production_bounds();
		// A validator's payout is one compact record, priced like a miner's payout (one entry),
		// whatever the number of delegator positions.
		let validator = <Escrow as PayoutHandler<_, _>>::pay_weight(PayoutKind::Validator);
		let miner = <Escrow as PayoutHandler<_, _>>::pay_weight(PayoutKind::Miner);
		assert!(
			validator.all_lte(miner.saturating_mul(2)),
			"validator payout {validator:?} above two miner payouts {miner:?}"
		);
	});
}

#[test]
fn bounty_hook_weight_fails_if_it_grows_with_bounties_and_validators() {
	build_and_execute(|| {
		production_bounds();
		// After an epoch of 256 UIDs and 64 validators with 4 bounties, the hook only stores the
		// outcome: cheaper than two miner payouts.
		let hook = <Escrow as PayoutHandler<_, _>>::on_epoch_paid_weight(256, 64);
		let miner = <Escrow as PayoutHandler<_, _>>::pay_weight(PayoutKind::Miner);
		assert!(
			hook.all_lte(miner.saturating_mul(2)),
			"bounty hook {hook:?} above two miner payouts {miner:?}"
		);
	});
}
