//! Weights of `pallet-emission`.
//!
//! **Compute** is calibrated on `scripts/bench-epoch.sh`, which times the pallet's own code
//! paths natively (release build, mock runtime, see `src/tests/bench.rs`): one epoch with 64
//! validators took 8.1 / 19.9 / 73.9 ms for 64 / 256 / 1024 UIDs, i.e. about 1.9 ms + 70 µs per
//! UID. The compute terms below are at least **twice** those times at every measured point, to
//! cover slower Wasm execution. **DB** accesses are counted from the code as distinct keys per
//! call (the way `frame-benchmarking` counts them: a key read or written again in the same call
//! is cached in the overlay) and priced with the runtime's `DbWeight`. Regenerate with
//! `frame-benchmarking-cli` (`benchmark pallet --pallet pallet_emission`; the benchmarks are in
//! `src/benchmarking.rs`) on reference hardware before mainnet.
//!
//! Distinct keys counted:
//! - `on_initialize(s)`, `s` subnets: FlowParameters, Totals, EpochQueue, total issuance, pot
//!   account, subnet list, the subnets pallet's EpochHooksWeight + per subnet: ScheduledInflow and FlowAccumulator (drained),
//!   ImmatureInflow (read + write, when stake matures), FlowScore (read + write),
//!   PendingEmission (read + write).
//! - `epoch(n, v)`, `n` UIDs, `v` validators — per epoch: Hyperparams, NeuronCount, Permits,
//!   LastEpoch, PendingEmission, subnet owner, Totals, pot and owner accounts, SubnetStake,
//!   TotalStake (10 reads; 8 writes incl. the bonds prefix); per UID: its neuron (read +
//!   metrics write); per validator: Uids, HotkeyStake, Weights, Bonds (reads) and Bonds
//!   (write). **Payouts are not in `epoch`**: they go through `Config::Payout`, whose
//!   `pay_weight` (per payout) and `on_epoch_paid_weight` the pallet adds
//!   (`Pallet::payouts_weight`); counting them here too would charge them twice (the runtime's
//!   handler, `pallet-escrow`, prices its own).
//!
//! **Budget.** `on_initialize` charges `on_initialize(s)` plus, for each queued epoch it runs,
//! the larger of the epoch's price before it ran (`Pallet::epoch_price`: `epoch(n, v)` and the
//! payout handler's worst case at the subnet's neuron count and permits, plus 3 reads) and its
//! actual `epoch(n, v)`; it stops at the first epoch whose price does not fit in
//! `EpochBlockShare` of the block. The benchmarks' worst cases: `epoch` pays every UID with a
//! full weight row **and** a full bond row per validator and pending emission;
//! `on_network_removed` burns pending emission and clears Yuma's most bond rows of the largest
//! subnet; `on_initialize` folds flows of `s` subnets.
//!
//! **Checked against `frame-benchmarking`** (`scripts/bench-weights.sh`, Wasm runtime): the
//! benchmarks recorded `epoch` = 29 + 7·n + 1·v reads and 20 + 6·n + 1·v writes and
//! `on_initialize` = 7 + 5·s reads and 2 + 4·s writes. Those `epoch` counts include the
//! payouts the benchmark made through the runtime's handler (about 6 of the 7 per-UID reads and
//! 5 of the 6 writes); without them the counts below are at least the rest. Its
//! timings were not used: the node was a debug build, whose unoptimised host functions
//! (storage, hashing) inflate them about tenfold (`set_flow_params`, one storage write, took
//! 137 µs).

#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, RuntimeDbWeight, Weight},
};

/// Weight functions needed for `pallet_emission`.
pub trait WeightInfo {
	/// `on_initialize` (flows and minting, without epochs), `s` = number of subnets.
	fn on_initialize(s: u32) -> Weight;
	/// One epoch with `n` UIDs and `v` validators, without the payouts (priced by the payout
	/// handler).
	fn epoch(n: u32, v: u32) -> Weight;
	/// `SubnetHooks::on_epoch`: queueing an epoch.
	fn queue_epoch() -> Weight;
	/// `SubnetHooks::on_network_removed`.
	fn on_network_removed() -> Weight;
	fn set_flow_params() -> Weight;
}

const US: u64 = 1_000_000; // 1 µs in picoseconds

fn compute(micros: u64, proof: u64) -> Weight {
	Weight::from_parts(micros.saturating_mul(US), proof)
}

fn db(w: RuntimeDbWeight, reads: u64, writes: u64) -> Weight {
	w.reads_writes(reads, writes)
}

fn on_initialize(w: RuntimeDbWeight, s: u32) -> Weight {
	let s = u64::from(s);
	compute(20, 2_000)
		.saturating_add(compute(6, 200).saturating_mul(s))
		.saturating_add(db(w, 8, 4))
		.saturating_add(db(w, 7, 5).saturating_mul(s))
}

/// The epoch weight formula with a given `DbWeight` (used by the weight table).
pub fn epoch(w: RuntimeDbWeight, n: u32, v: u32) -> Weight {
	let (n, v) = (u64::from(n), u64::from(v));
	// Compute (see the module docs): a base, a per-UID cost (metrics, payouts, the incentive and
	// consensus vectors), a per-validator cost and a per-(validator × UID) cost for the weight
	// rows, consensus columns and bonds.
	compute(5_000, 4_000)
		.saturating_add(compute(20, 400).saturating_mul(n))
		.saturating_add(compute(30, 600).saturating_mul(v))
		.saturating_add(compute(2, 24).saturating_mul(n.saturating_mul(v)))
		.saturating_add(db(w, 29, 20))
		.saturating_add(db(w, 1, 1).saturating_mul(n))
		.saturating_add(db(w, 4, 1).saturating_mul(v))
}

macro_rules! impl_weights {
	($dbw:expr) => {
		fn on_initialize(s: u32) -> Weight {
			on_initialize($dbw, s)
		}
		fn epoch(n: u32, v: u32) -> Weight {
			epoch($dbw, n, v)
		}
		fn queue_epoch() -> Weight {
			// Reads + writes: EpochQueue.
			compute(5, 300).saturating_add(db($dbw, 1, 1))
		}
		fn on_network_removed() -> Weight {
			// PendingEmission, pot account, issuance, Totals, FlowScore, FlowAccumulator,
			// ImmatureInflow, LastEpoch, EpochIndex, EpochQueue; bonds cleared (one row per validator: at most
			// Yuma's 64, counted as 128).
			compute(30, 1_500).saturating_add(db($dbw, 6, 137))
		}
		fn set_flow_params() -> Weight {
			// Writes: FlowParameters.
			compute(25, 100).saturating_add(db($dbw, 0, 1))
		}
	};
}

/// Weights for `pallet_emission` using the runtime's `DbWeight`.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	impl_weights!(T::DbWeight::get());
}

/// For tests and as a fallback: the same formulas with `RocksDbWeight`.
impl WeightInfo for () {
	impl_weights!(RocksDbWeight::get());
}
