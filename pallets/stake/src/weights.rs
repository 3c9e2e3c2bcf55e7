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
	/// A removal cancelling `p` immature pieces.
	fn remove_stake(p: u32) -> Weight;
	/// A move whose source cancels (or carries) `p` immature pieces.
	fn move_stake(p: u32) -> Weight;
	fn set_delegate_take() -> Weight;
	/// Release of a hotkey, scanning `s` subnets.
	fn release_hotkey(s: u32) -> Weight;
	/// Permit recomputation of one subnet with `n` neurons (called from `on_epoch`).
	fn recompute_permits(n: u32) -> Weight;
	/// `on_initialize` releasing `k` maturing `(subnet, hotkey)` entries.
	fn mature_stakes(k: u32) -> Weight;
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
			// Signature check (~60 µs for sr25519), genesis hash.
			// Reads: BlockHash, Owner, OwnedHotkeys, Account, Holds.
			// Writes: Owner, OwnedHotkeys, Account, Holds, ClaimDeposits.
			compute(90, 4_500).saturating_add(db($dbw, 5, 5))
		}
		fn release_hotkey(s: u32) -> Weight {
			// Reads: Owner, Networks prefix, then per subnet Uids + HotkeyStake; ClaimDeposits,
			// Account, Holds, OwnedHotkeys. Writes: ClaimDeposits, Account, Holds, Owner,
			// OwnedHotkeys.
			compute(25, 4_000)
				.saturating_add(db($dbw, 6, 5))
				.saturating_add(compute(1, 200).saturating_mul(u64::from(s)))
				.saturating_add(db($dbw, 3, 0).saturating_mul(u64::from(s)))
		}
		fn add_stake() -> Weight {
			// Reads: Networks, Owner, Uids, LastStakeChange, Account, Holds, ColdkeyStake, Stake,
			// HotkeyStake, SubnetStake, TotalStake, Pending = 12.
			// Writes: Account, Holds, ColdkeyStake, Stake, HotkeyStake, SubnetStake, TotalStake,
			// LastStakeChange, Pending, flow report (1) = 10.
			// A new position also reads and writes HotkeyPositionCount and HotkeyPositions.
			// The maturity schedule: MaturingStake and ImmatureStake, read and written; the
			// emission pallet's schedule (ScheduledInflow, ImmatureInflow), read and written.
			compute(40, 6_000).saturating_add(db($dbw, 18, 15))
		}
		fn remove_stake(p: u32) -> Weight {
			// Reads: Stake, Networks (×2), LastStakeChange, HotkeyStake, SubnetStake, TotalStake,
			// Pending, ColdkeyStake, Account, Holds = 11.
			// Writes: Stake, LastStakeChange, HotkeyStake, SubnetStake, TotalStake, Pending,
			// ColdkeyStake, Account, Holds, flow report (1) = 10.
			// An emptied position also removes HotkeyPositions and updates HotkeyPositionCount.
			// Per cancelled piece: MaturingStake and ImmatureStake, and the emission pallet's
			// ScheduledInflow and ImmatureInflow, read and written.
			compute(40, 6_000)
				.saturating_add(db($dbw, 13, 12))
				.saturating_add(db($dbw, 4, 4).saturating_mul(u64::from(p)))
		}
		fn move_stake(p: u32) -> Weight {
			// Destination checks (Networks, Owner, Uids, LastStakeChange) + source debit (7
			// reads, 6 writes) + destination credit (6 reads, 6 writes) + 2 flow reports.
			// Per piece: taken off the source's schedule and (same subnet) put on the
			// destination's (2 reads, 2 writes each), and the same for the emission pallet's
			// ScheduledInflow and ImmatureInflow; a fresh addition 4 reads, 4 writes.
			compute(60, 10_000)
				.saturating_add(db($dbw, 26, 22))
				.saturating_add(db($dbw, 8, 8).saturating_mul(u64::from(p)))
		}
		fn set_delegate_take() -> Weight {
			// Reads: Owner, Takes, LastTakeIncrease. Writes: Takes, LastTakeIncrease.
			compute(20, 3_000).saturating_add(db($dbw, 3, 2))
		}
		fn recompute_permits(n: u32) -> Weight {
			// Reads: Hyperparams, NeuronCount, then per neuron Neurons + consensus stake
			// (HotkeyStake, ImmatureStake, MaturingStake).
			// Writes: Permits, event.
			compute(20, 3_000)
				.saturating_add(compute(3, 300).saturating_mul(u64::from(n)))
				.saturating_add(db($dbw, 2, 1))
				.saturating_add(db($dbw, 4, 0).saturating_mul(u64::from(n)))
		}
		fn mature_stakes(k: u32) -> Weight {
			// The prefix read, then per entry: MaturingStake taken (1 read, 1 write),
			// ImmatureStake read and written.
			compute(5, 500)
				.saturating_add(db($dbw, 1, 0))
				.saturating_add(compute(2, 200).saturating_mul(u64::from(k)))
				.saturating_add(db($dbw, 2, 2).saturating_mul(u64::from(k)))
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
