//! The epoch weight table printed by `scripts/bench-epoch.sh`. It is `#[ignore]`d and asserts
//! nothing about time (speed targets live in the benchmark script, not in tests).
//!
//! For 64, 256 and 1024 UIDs with 64 validators (each weighing every UID, every payout made)
//! it measures the native execution time of `run_epoch` on the mock runtime (median of 5) and
//! prints it next to the weight the runtime charges (`weights::epoch`: compute + DB accesses
//! priced with `ParityDbWeight`, the node's database, and with `RocksDbWeight` for reference),
//! as a share of the 2 s block weight limit.

use crate::{benchmarking::epoch_setup, mock::*, weights};
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
		let parity = weights::epoch(ParityDbWeight::get(), n, VALIDATORS).ref_time();
		let rocks = weights::epoch(RocksDbWeight::get(), n, VALIDATORS).ref_time();
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
