//! Weights of `pallet-emission`.
//!
//! **Compute** is taken from `scripts/bench-epoch.sh` (native timing of the pallet's own code
//! paths on the mock runtime, see `src/tests/bench.rs`; rounded up and doubled to cover the
//! slower Wasm execution); **DB** accesses are counted from the code and priced with the
//! runtime's `DbWeight`. Regenerate with `frame-benchmarking-cli` (`benchmark pallet --pallet
//! pallet_emission`, the benchmarks are in `src/benchmarking.rs`) on reference hardware before
//! mainnet.
//!
//! Storage accesses counted:
//! - `on_initialize(s)`, `s` subnets: FlowParameters, Totals, EpochQueue, total issuance, pot
//!   account, subnet list + per subnet: ScheduledInflow and FlowAccumulator (drained),
//!   FlowScore (read twice, written once), PendingEmission (read + write).
//! - `epoch(n, v)`, `n` UIDs, `v` validators: Hyperparams, NeuronCount, Permits, LastEpoch,
//!   PendingEmission, subnet owner, Totals; per UID: the neuron (read) and its metrics (read +
//!   write) and one payout; per validator: Uids, HotkeyStake, Weights, Bonds (read + write) and
//!   one payout. A payout through `pallet-stake` reads Owner, Positions, subnet existence, two
//!   accounts and Holds and writes the two accounts, Holds, Positions, HotkeyStake,
//!   SubnetStake, TotalStake and ColdkeyStake.

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
	/// One epoch with `n` UIDs and `v` validators, payouts included.
	fn epoch(n: u32, v: u32) -> Weight;
	/// `SubnetHooks::on_epoch`: queueing an epoch.
	fn queue_epoch() -> Weight;
	/// `SubnetHooks::on_network_removed`.
	fn on_network_removed() -> Weight;
	fn set_flow_params() -> Weight;
}

const US: u64 = 1_000_000; // 1 µs in picoseconds

/// Reads and writes of one payout through `pallet-stake`.
const PAYOUT_READS: u64 = 6;
const PAYOUT_WRITES: u64 = 8;

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
		.saturating_add(db(w, 6, 4))
		.saturating_add(db(w, 6, 4).saturating_mul(s))
}

/// The epoch weight formula with a given `DbWeight` (used by the weight table).
pub fn epoch(w: RuntimeDbWeight, n: u32, v: u32) -> Weight {
	let (n, v) = (u64::from(n), u64::from(v));
	// Compute (see the module docs): a base, a per-UID cost (metrics, payouts, the incentive and
	// consensus vectors) and a per-(validator × UID) cost for the weight rows, consensus
	// columns and bonds.
	compute(150, 4_000)
		.saturating_add(compute(12, 400).saturating_mul(n))
		.saturating_add(compute(40, 600).saturating_mul(v))
		.saturating_add(compute(1, 24).saturating_mul(n.saturating_mul(v)))
		.saturating_add(db(w, 8, 3))
		.saturating_add(db(w, 2 + PAYOUT_READS, 1 + PAYOUT_WRITES).saturating_mul(n))
		.saturating_add(db(w, 4 + PAYOUT_READS, 1 + PAYOUT_WRITES).saturating_mul(v))
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
			// LastEpoch, EpochQueue; bonds cleared (one per validator, counted as 128).
			compute(30, 1_500).saturating_add(db($dbw, 6, 136))
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
