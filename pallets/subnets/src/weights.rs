//! Weights of `pallet-subnets`.
//!
//! **Not machine-generated** (no reference machine was available): every weight is derived by
//! hand from the storage accesses of the call plus a conservative compute estimate, so that it
//! over- rather than under-estimates. Regenerate with `frame-benchmarking-cli` (`benchmark
//! pallet --pallet pallet_subnets`) on reference hardware before mainnet.
//!
//! Method:
//! - **DB**: each read / write of the call (including the balances pallet's `Account` and `Holds`
//!   items touched by a hold, release or burn) is counted and priced with the runtime's
//!   `DbWeight` (`RocksDbWeight`: 25 µs per read, 100 µs per write) — for `()` with
//!   `RocksDbWeight` directly.
//! - **Compute**: 20 µs base per call (origin check, decoding, events) plus per-element costs:
//!   ~1 µs per weight entry (sort + checks), ~2 µs per neuron scanned by the pruning rule,
//!   ~5 µs of hashing for a reveal.
//! - **Proof size**: the max encoded size of each item read (subnet record ≈ 90 B,
//!   hyperparameters ≈ 80 B, neuron ≈ 110 B, weight row ≤ 4 B × `MaxUidsLimit`) plus 48 B of
//!   key per read, rounded up.
//!
//! Cross-pallet costs (`Config::Stake::associate_hotkey`, `has_validator_permit`,
//! `remove_validator_permit`, `Config::OnFlow`) are counted as 2 reads + 2 writes where they
//! are called. The hooks' own work is **not** in these functions: `on_epoch` weights are
//! returned by the hooks and added in `on_initialize`; `on_network_added` /
//! `on_network_removed` weights are returned by the hooks and added to `register_network` /
//! `dissolve_network` (before dispatch: `SubnetHooks::on_network_removed_max_weight`).
//!
//! The pruning scan of `register_network` reads every subnet's record and emission score: it is
//! priced per subnet scanned, up to `Config::MaxSubnets` before dispatch.

#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, RuntimeDbWeight, Weight},
};

/// Weight functions needed for `pallet_subnets`.
pub trait WeightInfo {
	/// `register_network`, `s` = subnets scanned for pruning (0 if the limit was not reached),
	/// `n` = neurons of the pruned subnet (0 if none pruned). Without the hooks' weight.
	fn register_network(s: u32, n: u32) -> Weight;
	/// `dissolve_network`, `n` = neurons of the subnet. Without the removal hooks' weight.
	fn dissolve_network(n: u32) -> Weight;
	fn set_hyperparameters() -> Weight;
	fn set_training_task() -> Weight;
	/// `burned_register`, `n` = neurons scanned for replacement (0 if the subnet had room).
	fn burned_register(n: u32) -> Weight;
	fn serve_endpoint() -> Weight;
	/// `set_weights`, `n` = the longer of the two (bounded) arguments.
	fn set_weights(n: u32) -> Weight;
	fn commit_weights() -> Weight;
	/// `reveal_weights`, `n` = the longer of the two (bounded) arguments: both are hashed.
	fn reveal_weights(n: u32) -> Weight;
	fn set_subnet_limit() -> Weight;
	/// `on_initialize` without the hooks, `s` = number of subnets.
	fn on_initialize(s: u32) -> Weight;
}

const US: u64 = 1_000_000; // 1 µs in picoseconds

fn compute(micros: u64, proof: u64) -> Weight {
	Weight::from_parts(micros.saturating_mul(US), proof)
}

fn db(w: RuntimeDbWeight, reads: u64, writes: u64) -> Weight {
	w.reads_writes(reads, writes)
}

fn register_network(w: RuntimeDbWeight, s: u32, n: u32) -> Weight {
	let (s, n) = (u64::from(s), u64::from(n));
	// Reads: SubnetCount, SubnetLimit, LastLockCost, LastLockBlock, NextNetUid, balances
	// Account + Holds = 7; pruning: the victim's NeuronCount. Per subnet scanned: its record
	// and its emission score (2 reads, ~3 µs to compare).
	// Writes: Burn, Hyperparams, TrainingTasks, Subnets, NextNetUid, SubnetCount, LastLockCost,
	// LastLockBlock, Account, Holds = 10; pruning: release (2) + Subnets, Hyperparams,
	// TrainingTasks, Burn, NeuronCount, SubnetCount = 8, plus 5 cleared entries per neuron.
	compute(60, 3_000)
		.saturating_add(compute(3, 160).saturating_mul(s))
		.saturating_add(compute(2, 600).saturating_mul(n))
		.saturating_add(db(w, 8, 18))
		.saturating_add(db(w, 2, 0).saturating_mul(s))
		.saturating_add(db(w, 0, 5).saturating_mul(n))
}

fn dissolve_network(w: RuntimeDbWeight, n: u32) -> Weight {
	let n = u64::from(n);
	// Reads: Subnets, NeuronCount, Account, Holds, TotalIssuance. Writes: Subnets,
	// Hyperparams, TrainingTasks, Burn, NeuronCount, SubnetCount, Account, Holds,
	// TotalIssuance (an early dissolution burns part of the lock); 5 per neuron. The removal
	// hooks report their own weight.
	compute(45, 2_000)
		.saturating_add(compute(2, 600).saturating_mul(n))
		.saturating_add(db(w, 5, 9))
		.saturating_add(db(w, 0, 5).saturating_mul(n))
}

fn burned_register(w: RuntimeDbWeight, n: u32) -> Weight {
	let n = u64::from(n);
	// Reads: Hyperparams, Uids, stake Owner + OwnedHotkeys, Burn, Account, NeuronCount, (on
	// replacement: old Neuron, stake Permits) = 9. Writes: stake Owner + OwnedHotkeys,
	// Account, Burn, NeuronCount, Neurons, Uids, (replacement: Uids, Endpoints, Weights,
	// WeightCommits, stake Permits), flow report (1) = 13. Plus one Neurons read and ~2 µs per
	// scanned neuron.
	compute(50, 3_000)
		.saturating_add(compute(2, 160).saturating_mul(n))
		.saturating_add(db(w, 9, 13))
		.saturating_add(db(w, 1, 0).saturating_mul(n))
}

fn set_weights(w: RuntimeDbWeight, n: u32) -> Weight {
	let n = u64::from(n);
	// Reads: Hyperparams, Uids, Neurons, stake Permits, NeuronCount. Writes: Weights, Neurons.
	compute(30, 2_000)
		.saturating_add(compute(1, 4).saturating_mul(n))
		.saturating_add(db(w, 5, 2))
}

fn reveal_weights(w: RuntimeDbWeight, n: u32) -> Weight {
	let n = u64::from(n);
	// Reads: Hyperparams, Uids, Neurons, Permits, WeightCommits, NeuronCount. Writes: Weights,
	// Neurons, WeightCommits. Per entry: decoding, hashing (~1 µs per 16 entries, counted as
	// 1 µs each) and the row checks.
	compute(40, 2_200)
		.saturating_add(compute(2, 4).saturating_mul(n))
		.saturating_add(db(w, 6, 3))
}

macro_rules! impl_weights {
	($dbw:expr) => {
		fn register_network(s: u32, n: u32) -> Weight {
			register_network($dbw, s, n)
		}
		fn dissolve_network(n: u32) -> Weight {
			dissolve_network($dbw, n)
		}
		fn set_hyperparameters() -> Weight {
			// Reads: Subnets, Hyperparams, NeuronCount. Writes: Hyperparams.
			compute(30, 1_000).saturating_add(db($dbw, 3, 1))
		}
		fn set_training_task() -> Weight {
			// Reads: Subnets. Writes: TrainingTasks.
			compute(25, 600).saturating_add(db($dbw, 1, 1))
		}
		fn burned_register(n: u32) -> Weight {
			burned_register($dbw, n)
		}
		fn serve_endpoint() -> Weight {
			// Reads: Subnets, Uids. Writes: Endpoints.
			compute(25, 800).saturating_add(db($dbw, 2, 1))
		}
		fn set_weights(n: u32) -> Weight {
			set_weights($dbw, n)
		}
		fn commit_weights() -> Weight {
			// Reads: Hyperparams, Uids, Neurons, Permits, WeightCommits. Writes: WeightCommits
			// (with its reveal window, computed from the tempo).
			compute(32, 2_100).saturating_add(db($dbw, 5, 1))
		}
		fn reveal_weights(n: u32) -> Weight {
			reveal_weights($dbw, n)
		}
		fn set_subnet_limit() -> Weight {
			// Reads: SubnetCount. Writes: SubnetLimit.
			compute(15, 500).saturating_add(db($dbw, 1, 1))
		}
		fn on_initialize(s: u32) -> Weight {
			// Reads: SubnetCount and every subnet's Hyperparams. Writes: EpochHooksWeight.
			compute(5, 600)
				.saturating_add(compute(1, 130).saturating_mul(u64::from(s)))
				.saturating_add(db($dbw, 1, 1))
				.saturating_add(db($dbw, 1, 0).saturating_mul(u64::from(s)))
		}
	};
}

/// Weights for `pallet_subnets` using the runtime's `DbWeight`.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	impl_weights!(T::DbWeight::get());
}

/// For tests and as a fallback: the same formulas with `RocksDbWeight`.
impl WeightInfo for () {
	impl_weights!(RocksDbWeight::get());
}
