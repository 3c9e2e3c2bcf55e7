//! Weights of `pallet-stake`.
//!
//! **Not machine-generated** (no reference machine was available): derived by hand from the
//! storage accesses of each call plus a conservative compute estimate; regenerate with
//! `frame-benchmarking-cli` (`benchmark pallet --pallet pallet_stake`) before mainnet.
//!
//! Method: each read / write (including `pallet_balances`' `Account` and `Holds` for a hold or
//! release and the subnets pallet's `Networks` / `Uids` lookups) is priced with the runtime's
//! `DbWeight` (`RocksDbWeight` for `()`: 25 µs per read, 100 µs per write); compute is 25–40 µs
//! per call (origin, decoding, maturity-queue handling over at most `MaxPendingStakes` entries,
//! event) and ~3 µs per neuron ranked by `recompute_permits`; proof sizes are the max encoded
//! sizes of the items read (position ≈ 100 B, pending queue ≤ 24 B × `MaxPendingStakes`, account
//! ≈ 130 B) plus 48 B of key per read, rounded up.

#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, RuntimeDbWeight, Weight},
};

/// Weight functions needed for `pallet_stake`.
pub trait WeightInfo {
	fn associate_hotkey() -> Weight;
	fn add_stake() -> Weight;
	fn remove_stake() -> Weight;
	fn move_stake() -> Weight;
	fn set_delegate_take() -> Weight;
	/// Permit recomputation of one subnet with `n` neurons (called from `on_epoch`).
	fn recompute_permits(n: u32) -> Weight;
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
		fn associate_hotkey() -> Weight {
			// Reads: Owner, OwnedHotkeys. Writes: Owner, OwnedHotkeys.
			compute(20, 3_500).saturating_add(db($dbw, 2, 2))
		}
		fn add_stake() -> Weight {
			// Reads: Networks, Owner, Uids, LastStakeChange, Account, Holds, ColdkeyStake, Stake,
			// HotkeyStake, SubnetStake, TotalStake, Pending = 12.
			// Writes: Account, Holds, ColdkeyStake, Stake, HotkeyStake, SubnetStake, TotalStake,
			// LastStakeChange, Pending, flow report (1) = 10.
			// A new position also reads and writes HotkeyPositionCount and HotkeyPositions.
			compute(40, 6_000).saturating_add(db($dbw, 14, 12))
		}
		fn remove_stake() -> Weight {
			// Reads: Stake, Networks (×2), LastStakeChange, HotkeyStake, SubnetStake, TotalStake,
			// Pending, ColdkeyStake, Account, Holds = 11.
			// Writes: Stake, LastStakeChange, HotkeyStake, SubnetStake, TotalStake, Pending,
			// ColdkeyStake, Account, Holds, flow report (1) = 10.
			// An emptied position also removes HotkeyPositions and updates HotkeyPositionCount.
			compute(40, 6_000).saturating_add(db($dbw, 13, 12))
		}
		fn move_stake() -> Weight {
			// Destination checks (Networks, Owner, Uids, LastStakeChange) + source debit (7
			// reads, 6 writes) + destination credit (6 reads, 6 writes) + 2 flow reports.
			compute(60, 10_000).saturating_add(db($dbw, 22, 18))
		}
		fn set_delegate_take() -> Weight {
			// Reads: Owner, Takes, LastTakeIncrease. Writes: Takes, LastTakeIncrease.
			compute(20, 3_000).saturating_add(db($dbw, 3, 2))
		}
		fn recompute_permits(n: u32) -> Weight {
			// Reads: Hyperparams, NeuronCount, then per neuron Neurons + HotkeyStake.
			// Writes: Permits, event.
			compute(20, 3_000)
				.saturating_add(compute(3, 300).saturating_mul(u64::from(n)))
				.saturating_add(db($dbw, 2, 1))
				.saturating_add(db($dbw, 2, 0).saturating_mul(u64::from(n)))
		}
	};
}

/// Weights for `pallet_stake` using the runtime's `DbWeight`.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	impl_weights!(T::DbWeight::get());
}

/// For tests and as a fallback: the same formulas with `RocksDbWeight`.
impl WeightInfo for () {
	impl_weights!(RocksDbWeight::get());
}
