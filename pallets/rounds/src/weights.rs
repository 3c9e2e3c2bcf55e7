//! Weights of `pallet-rounds`.
//!
//! **Hand-estimated, not machine-generated** (no reference machine was available): derived from
//! the storage accesses of each call counted from the code (distinct keys, the way
//! `frame-benchmarking` counts them) plus a conservative compute estimate. The lead regenerates
//! them with `frame-benchmarking-cli` (`benchmark pallet --pallet pallet_rounds`; the benchmarks
//! are in `src/benchmarking.rs`) on a release node before mainnet.
//!
//! Method: each read / write is priced with the runtime's `DbWeight` (`RocksDbWeight` for `()`:
//! 25 µs per read, 100 µs per write); compute is 20–40 µs per call (origin, decoding, a scan of
//! at most `MaxAllowedFingerprints` fingerprints, event), 5 µs per tallied vote, 3 µs per seed
//! or pruned item; proof sizes are the max encoded sizes of the items read (round record ≈ 230 B,
//! commitment ≈ 230 B, settings ≤ 32 B × `MaxAllowedFingerprints`) plus 48 B of key per read,
//! rounded up.
//!
//! Distinct keys counted:
//! - `set_genesis_checkpoint`: reads Networks (owner), Hyperparams, NextRound; writes
//!   GenesisCheckpoints, Checkpoint.
//! - `set_round_settings`: reads Networks, Hyperparams; writes Settings.
//! - `commit_contribution`: reads Networks, Uids, OpenRound, Rounds, Settings, TrainingTasks,
//!   Commitments, LastResidual; writes Commitments, LastResidual, Rounds.
//! - `vote_checkpoint`: reads Networks, Permits, OpenRound, Rounds, Votes; writes Rounds, Votes.
//! - `on_epoch(v)`: close — OpenRound, Rounds, `v` × (Votes, HotkeyStake), SeedsDue ×2 (early
//!   close); open — Checkpoint, Settings, Hyperparams, NextRound, SeedsDue ×2; writes OpenRound,
//!   Rounds ×2, Checkpoint, NextRound, SeedsDue ×2, PruneQueue.
//! - `on_network_removed`: the close path plus Settings, GenesisCheckpoints, Checkpoint,
//!   PruneQueue writes.
//! - `record_seeds(n)`: SeedsDue, BlockHash; per entry Rounds (read + write).
//! - `prune(k)`, `k` units of work (items removed or subnets checked): PruneQueue, Hyperparams,
//!   OldestRound, NextRound, Rounds per unit (reads) and per unit one removal plus a residual
//!   check (LastResidual, Uids).

#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, RuntimeDbWeight, Weight},
};

/// Weight functions needed for `pallet_rounds`.
pub trait WeightInfo {
	fn set_genesis_checkpoint() -> Weight;
	fn set_round_settings() -> Weight;
	fn commit_contribution() -> Weight;
	fn vote_checkpoint() -> Weight;
	/// Closing a round with `v` votes and opening the next (called from `on_epoch`).
	fn on_epoch(v: u32) -> Weight;
	/// Closing a dissolved subnet's round and dropping its settings.
	fn on_network_removed() -> Weight;
	/// Recording `n` seeds in `on_initialize`.
	fn record_seeds(n: u32) -> Weight;
	/// `k` units of pruning work in `on_initialize`.
	fn prune(k: u32) -> Weight;
}

const US: u64 = 1_000_000;

fn compute(micros: u64, proof: u64) -> Weight {
	Weight::from_parts(micros.saturating_mul(US), proof)
}

fn db(w: RuntimeDbWeight, r: u64, wr: u64) -> Weight {
	w.reads_writes(r, wr)
}

macro_rules! impl_weights {
	($dbw:expr) => {
		fn set_genesis_checkpoint() -> Weight {
			compute(25, 2_000).saturating_add(db($dbw, 3, 2))
		}
		fn set_round_settings() -> Weight {
			compute(40, 2_000).saturating_add(db($dbw, 2, 1))
		}
		fn commit_contribution() -> Weight {
			compute(40, 6_000).saturating_add(db($dbw, 8, 3))
		}
		fn vote_checkpoint() -> Weight {
			compute(30, 4_000).saturating_add(db($dbw, 5, 2))
		}
		fn on_epoch(v: u32) -> Weight {
			compute(60, 5_000)
				.saturating_add(compute(5, 250).saturating_mul(u64::from(v)))
				.saturating_add(db($dbw, 11, 9))
				.saturating_add(db($dbw, 2, 0).saturating_mul(u64::from(v)))
		}
		fn on_network_removed() -> Weight {
			compute(40, 3_000).saturating_add(db($dbw, 6, 9))
		}
		fn record_seeds(n: u32) -> Weight {
			compute(5, 600)
				.saturating_add(db($dbw, 2, 1))
				.saturating_add(compute(3, 300).saturating_mul(u64::from(n)))
				.saturating_add(db($dbw, 1, 1).saturating_mul(u64::from(n)))
		}
		fn prune(k: u32) -> Weight {
			compute(5, 600)
				.saturating_add(db($dbw, 1, 0))
				.saturating_add(compute(3, 700).saturating_mul(u64::from(k)))
				.saturating_add(db($dbw, 6, 2).saturating_mul(u64::from(k)))
		}
	};
}

/// Weights for `pallet_rounds` using the runtime's `DbWeight`.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	impl_weights!(T::DbWeight::get());
}

/// For tests and as a fallback: the same formulas with `RocksDbWeight`.
impl WeightInfo for () {
	impl_weights!(RocksDbWeight::get());
}
