//! Issue #15 (owner settings that load every block): the largest epoch any owner settings allow
//! — `MaxUids` UIDs, Yuma's 64 validators, every validator with `MaxPositionsPerHotkey`
//! delegator positions, `MaxBountiesPerSubnet` bounties — together with the flow update of
//! `MaxSubnets` subnets must fit in the emission hook's budget (`EpochBlockShare` of the block),
//! priced with the production runtime's own weights and `DbWeight`. Otherwise that epoch runs
//! alone in a block and takes more than its share of it.

mod common;

use arena_runtime::{Emission, Runtime};
use common::preset_ext;
use frame_support::{traits::Get, weights::Weight};
use pallet_emission::WeightInfo as _;

fn ms(w: Weight) -> f64 {
	w.ref_time() as f64 / 1e9
}

#[test]
fn largest_epoch_fits_the_emission_hook_budget() {
	preset_ext("development").execute_with(|| {
		let budget = Emission::hook_budget();
		let epoch = Emission::max_epoch_weight();
		let flows = <Runtime as pallet_emission::Config>::WeightInfo::on_initialize(
			<Runtime as pallet_emission::Config>::MaxSubnets::get(),
		);
		let max_block = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
		println!(
			"largest epoch {:.1} ms + flows {:.1} ms; budget {:.1} ms of a {:.1} ms block",
			ms(epoch),
			ms(flows),
			ms(budget),
			ms(max_block)
		);
		assert!(
			Emission::largest_epoch_fits(),
			"largest epoch {:.1} ms + flows {:.1} ms exceeds the budget {:.1} ms",
			ms(epoch),
			ms(flows),
			ms(budget)
		);
	});
}
