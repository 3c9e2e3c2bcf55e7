//! The epoch weight table printed by `scripts/bench-epoch.sh`. It is `#[ignore]`d and asserts
//! nothing about time (speed targets live in the benchmark script, not in tests).
//!
//! For 64, 256 and 1024 UIDs with 64 validators (each weighing every UID, every payout made)
//! it measures the native execution time of `run_epoch` on the mock runtime (median of 5) and
//! prints it next to the weight the runtime charges (the generated `WeightInfo::epoch` plus the
//! payouts, priced by the mock's handler: compute + DB accesses priced with `ParityDbWeight`,
//! the node's database, and with `RocksDbWeight` for reference), as a share of the 2 s block
//! weight limit.

use crate::{
	benchmarking::epoch_setup,
	mock::*,
	weights::{SubstrateWeight, WeightInfo},
};
use frame_support::weights::constants::{
	ParityDbWeight, RocksDbWeight, WEIGHT_REF_TIME_PER_SECOND,
};
use std::time::Instant;

const BLOCK_REF_TIME: u64 = 2 * WEIGHT_REF_TIME_PER_SECOND;
const VALIDATORS: u32 = 64;

fn pct(ref_time: u64) -> f64 {
	ref_time as f64 * 100.0 / BLOCK_REF_TIME as f64
}

#[test]
#[ignore = "run by scripts/bench-epoch.sh"]
fn epoch_weight_table() {
	MaxUids::set(1024);
	println!();
	println!(
		"| UIDs | validators | native time (ms, median of 5) | charged weight, ParityDb (ms) | share of block | charged, RocksDb (ms) | share |"
	);
	println!("|---:|---:|---:|---:|---:|---:|---:|");
	for n in [64u32, 256, 1024] {
		let mut times = Vec::new();
		for _ in 0..5 {
			new_test_ext().execute_with(|| {
				let netuid = epoch_setup::<Test>(n, VALIDATORS);
				// The benchmark funds its accounts far beyond the cap.
				SupplyCap::set(u128::MAX);
				let now = System::block_number();
				let start = Instant::now();
				let (uids, vals) = Emission::run_epoch(netuid, now);
				times.push(start.elapsed().as_secs_f64() * 1e3);
				assert_eq!((uids, vals), (n, VALIDATORS));
				check_invariants_except_permits();
			});
		}
		times.sort_by(|a, b| a.partial_cmp(b).unwrap());
		// The epoch's own weight plus its 1 + n + v payouts through pallet-stake (the mock's
		// handler), as the pallet charges them.
		let payouts = u64::from(1 + n + VALIDATORS);
		let charged = |w: frame_support::weights::RuntimeDbWeight| {
			let mock_prices = MockDbWeight::get();
			MockDbWeight::set(w);
			let epoch = SubstrateWeight::<Test>::epoch(n, VALIDATORS);
			MockDbWeight::set(mock_prices);
			epoch
				.saturating_add(
					w.reads_writes(STAKE_PAYOUT_KEYS.0, STAKE_PAYOUT_KEYS.1)
						.saturating_mul(payouts),
				)
				.ref_time()
		};
		let parity = charged(ParityDbWeight::get());
		let rocks = charged(RocksDbWeight::get());
		println!(
			"| {n} | {VALIDATORS} | {:.1} | {:.1} | {:.1} % | {:.1} | {:.1} % |",
			times[2],
			parity as f64 / 1e9,
			pct(parity),
			rocks as f64 / 1e9,
			pct(rocks)
		);
	}
	MaxUids::set(64);
	SupplyCap::set(21_000_000 * UNIT);
}

/// The benchmark grants 64 permits on a subnet whose `max_validators` is 3, so the stake
/// pallet's permit-count check does not apply; everything else must hold.
fn check_invariants_except_permits() {
	Emission::do_try_state().expect("emission try_state failed");
	Subnets::do_try_state().expect("subnets try_state failed");
}

/// Puts `n` neurons on `netuid` directly (hotkeys `10_000·(netuid+1) + uid`), the first `v`
/// of them permitted validators with a full weight row, so that every epoch pays every UID.
fn fill(netuid: u16, n: u16, v: u16) {
	use arena_pallet_primitives::{StakeInterface, SubnetsInterface};
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
	let row: Vec<(u16, u16)> = (0..n).map(|u| (u, u % 1000 + 1)).collect();
	for uid in 0..v {
		let hotkey = 10_000 * (u64::from(netuid) + 1) + u64::from(uid);
		<Stake as StakeInterface<_, _>>::bench_add_stake(netuid, &hotkey, 1_000 * UNIT);
		<Stake as StakeInterface<_, _>>::bench_grant_permit(netuid, &hotkey);
		<Subnets as SubnetsInterface<_, _, _>>::bench_set_weights(netuid, uid, row.clone(), 1);
	}
}

/// One row of the block-share table: `k` subnets (of the mock's 8) with `uids` UIDs and
/// 64 validators each (or all UIDs if fewer); `tempo = None` lines every epoch up on block 60
/// (netuid `j` gets tempo `60 + j`), `Some(t)` gives every subnet tempo `t`. Runs the real
/// hooks for `blocks` blocks and returns (largest share of the block charged by the emission
/// hook, by the due subnets' epoch hooks, by both in one block, epochs that fell due, epochs
/// run, epochs still queued at the end; the rest were merged into a queued one).
fn simulate(tempo: Option<u32>, uids: u16, k: u16, blocks: u64) -> (f64, f64, f64, u32, u32, u32) {
	use crate::EpochIndex;
	use arena_pallet_primitives::SubnetsInterface;
	use frame_support::{
		assert_ok,
		traits::{fungible::Mutate, Get, Hooks},
		BoundedVec,
	};
	use pallet_subnets::types::HyperParam;
	let mut out = (0.0, 0.0, 0.0, 0, 0, 0);
	new_test_ext().execute_with(|| {
		SupplyCap::set(u128::MAX);
		let nets: Vec<u16> = (0..k)
			.map(|j| {
				let owner = 1 + u64::from(j);
				assert_ok!(<Balances as Mutate<_>>::mint_into(&owner, 1_000_000 * UNIT));
				let netuid = pallet_subnets::NextNetUid::<Test>::get();
				assert_ok!(Subnets::register_network(origin(owner)));
				let t = tempo.unwrap_or(60 + u32::from(netuid));
				assert_ok!(Subnets::set_hyperparameters(
					origin(owner),
					netuid,
					BoundedVec::truncate_from(vec![
						HyperParam::Tempo(t),
						HyperParam::ActivityCutoff(t.max(100)),
						HyperParam::MaxUids(uids),
						HyperParam::MaxValidators(uids.min(64)),
					])
				));
				fill(netuid, uids, uids.min(64));
				netuid
			})
			.collect();
		let max = <<Test as frame_system::Config>::BlockWeights as Get<
			frame_system::limits::BlockWeights,
		>>::get()
		.max_block
		.ref_time() as f64;
		let start = System::block_number();
		for b in (start + 1)..=(start + blocks) {
			System::set_block_number(b);
			out.3 += nets
				.iter()
				.filter(|n| <Subnets as SubnetsInterface<_, _, _>>::is_epoch_block(**n, b))
				.count() as u32;
			Subnets::on_initialize(b);
			let s = pallet_subnets::EpochHooksWeight::<Test>::get().ref_time() as f64;
			Stake::on_initialize(b);
			let e = Emission::on_initialize(b).ref_time() as f64;
			out.0 = f64::max(out.0, e * 100.0 / max);
			out.1 = f64::max(out.1, s * 100.0 / max);
			out.2 = f64::max(out.2, (e + s) * 100.0 / max);
		}
		out.4 = nets.iter().map(EpochIndex::<Test>::get).sum();
		out.5 = crate::EpochQueue::<Test>::get().len() as u32;
	});
	SupplyCap::set(21_000_000 * UNIT);
	out
}

#[test]
#[ignore = "run by scripts/bench-epoch.sh"]
fn epoch_weight_table_block_share() {
	MaxUids::set(256);
	let share = EpochBlockShare::get();
	println!();
	println!(
		"| tempo (blocks) | max UIDs | subnets due together | emission hook, largest share of a block | epoch hooks of the due subnets, largest share | largest sum in one block | epochs due | epochs run | still queued | merged | within {:.0} % |",
		share.deconstruct() as f64 / 1e7
	);
	println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|");
	let limit = share.deconstruct() as f64 / 1e7;
	for (tempo, label) in [
		(None, "60 + netuid (aligned)"),
		(Some(16), "16 = 2 · MaxSubnets (the floor rule)"),
		(Some(8), "8 (below the floor rule)"),
		(Some(2), "2 (below the floor rule)"),
	] {
		for uids in [64u16, 256] {
			for k in [1u16, 4, 8] {
				let blocks = if tempo.is_none() { 80 } else { 48 };
				let (e, s, sum, due, ran, queued) = simulate(tempo, uids, k, blocks);
				let merged = due.saturating_sub(ran + queued);
				println!(
					"| {label} | {uids} | {k} | {e:.1} % | {s:.1} % | {sum:.1} % | {due} | {ran} | {queued} | {merged} | {} |",
					if sum <= limit + 1e-9 { "yes" } else { "NO" }
				);
			}
		}
	}
	MaxUids::set(64);
}
