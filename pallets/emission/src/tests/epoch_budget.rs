//! Owner settings that load every block (issue 15, item 6): subnets whose owners line their
//! epochs up on one block, each at the most UIDs. The emission hook runs queued epochs only
//! within a weight budget (a share of the block, shared with the due subnets' epoch hooks) and
//! defers the rest; no epoch is lost.

use crate::{mock::*, EpochIndex, EpochQueue};
use frame_support::{
	assert_ok,
	traits::{fungible::Mutate, Get, Hooks},
	weights::Weight,
	BoundedVec,
};
use pallet_subnets::types::HyperParam;
use sp_runtime::Perbill;

/// The block in which every subnet's epoch falls due.
const DUE: u64 = 60;

/// The share of a block the emission hook may take.
fn budget() -> Weight {
	let max = <<Test as frame_system::Config>::BlockWeights as Get<
		frame_system::limits::BlockWeights,
	>>::get()
	.max_block;
	Perbill::from_percent(25) * max
}

/// Puts `n` neurons (hotkeys `10_000·(netuid+1) + uid`) on `netuid` directly: registering
/// them one by one would only make the test slow.
fn fill(netuid: u16, n: u16) {
	for uid in 0..n {
		let hotkey = 10_000 * (u64::from(netuid) + 1) + u64::from(uid);
		pallet_subnets::Neurons::<Test>::insert(
			netuid,
			uid,
			pallet_subnets::types::Neuron {
				hotkey,
				registered_at: 1,
				last_update: None,
				metrics: Default::default(),
			},
		);
		pallet_subnets::Uids::<Test>::insert(netuid, hotkey, uid);
	}
	pallet_subnets::NeuronCount::<Test>::insert(netuid, n);
}

/// Every subnet the mock allows, each at `max_uids` UIDs, with tempos chosen by their owners
/// so that all epochs fall due at block [`DUE`]: netuid `k` with tempo `DUE + k`.
fn aligned_full_subnets() -> Vec<u16> {
	let max_uids = MaxUids::get() as u16;
	let subnets = <Test as pallet_subnets::Config>::MaxSubnets::get();
	(0..subnets)
		.map(|k| {
			let owner = 1 + u64::from(k);
			// Each registration doubles the lock cost.
			assert_ok!(<Balances as Mutate<_>>::mint_into(&owner, 200_000 * UNIT));
			let netuid = new_subnet(owner);
			assert_ok!(Subnets::set_hyperparameters(
				origin(owner),
				netuid,
				BoundedVec::truncate_from(vec![
					HyperParam::Tempo(DUE as u32 + u32::from(netuid)),
					HyperParam::MaxUids(max_uids),
				])
			));
			fill(netuid, max_uids);
			netuid
		})
		.collect()
}

#[test]
fn aligned_epochs_at_max_uids_stay_within_the_block_budget_and_all_run() {
	new_test_ext().execute_with(|| {
		MaxUids::set(256);
		let nets = aligned_full_subnets();
		run_to_block(DUE - 1);
		assert!(nets.iter().all(|n| EpochIndex::<Test>::get(n) == 0));
		let mut block = DUE - 1;
		let mut charged = Vec::new();
		let mut most_in_one_block = 0;
		let ran = || nets.iter().map(EpochIndex::<Test>::get).sum::<u32>();
		while block < DUE + 40 {
			block += 1;
			System::set_block_number(block);
			Subnets::on_initialize(block);
			Stake::on_initialize(block);
			let before = ran();
			// The epoch hooks of the due subnets (permits, queueing) share the budget.
			let w = Emission::on_initialize(block)
				.saturating_add(pallet_subnets::EpochHooksWeight::<Test>::get());
			most_in_one_block = most_in_one_block.max(ran() - before);
			charged.push((block, w));
		}
		for (block, w) in &charged {
			assert!(
				w.all_lte(budget()),
				"block {block}: the epoch hooks and the emission hook charged {w:?}, above the budget {:?}",
				budget()
			);
		}
		assert!(EpochQueue::<Test>::get().is_empty(), "every epoch ran");
		for n in &nets {
			assert_eq!(
				EpochIndex::<Test>::get(n),
				1,
				"subnet {n} ran its epoch once"
			);
		}
		assert!(
			most_in_one_block < nets.len() as u32,
			"the budget spread the epochs over several blocks"
		);
		// The invariants hold at these UID bounds (checked before the bound goes back).
		check_invariants();
		MaxUids::set(64);
	});
}
