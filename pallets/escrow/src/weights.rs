//! Weights of `pallet-escrow`.
//!
//! **Not machine-generated yet**: every function here, including the deferred-payout paths
//! (`pay_validator_queued`, `expand_dividend`, `queue_outcome`, `bounty_queue_head`,
//! `bounty_epoch`), is counted by hand from the storage accesses of each call and
//! hook, plus a conservative compute estimate, in the form of `frame-benchmarking`'s output (the
//! benchmarks are in `src/benchmarking.rs` and run as tests in `scripts/test.sh`); regenerate
//! with `scripts/bench-weights.sh` (`benchmark pallet --pallet pallet_escrow`) on a release node.
//!
//! Method: every read / write (including `pallet_balances`' `Account` for transfers, burns and
//! holds, and `pallet-stake`'s position keys when a release restakes) is priced with the
//! runtime's `DbWeight` (`RocksDbWeight` for `()`); compute is 20–60 µs per call plus the
//! per-item terms named below; proof sizes are the max encoded sizes of the items read (entry
//! ≈ 200 B, challenge ≈ 300 B + 32 B per supporter, bounty ≈ 110 B, account ≈ 130 B) plus 48 B
//! of key per read, rounded up.

#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, RuntimeDbWeight, Weight},
};

/// Weight functions needed for `pallet_escrow`.
pub trait WeightInfo {
	/// `claim` of `n` entries.
	fn claim(n: u32) -> Weight;
	/// `challenge` of a miner with `e` open slashable entries (without the slash).
	fn challenge(e: u32) -> Weight;
	/// `support_challenge` of a challenge with `s` supporters (without the slash).
	fn support_challenge(s: u32) -> Weight;
	/// A slash of `e` entries ending `c` challenges.
	fn slash(e: u32, c: u32) -> Weight;
	fn fund_bounty() -> Weight;
	fn cancel_bounty() -> Weight;
	/// One owner-cut payout into escrow.
	fn pay_owner() -> Weight;
	/// One miner payout into escrow.
	fn pay_miner() -> Weight;
	/// One validator payout shared among `p` positions at once (the dividend queue is full).
	fn pay_validator(p: u32) -> Weight;
	/// One validator payout queued for `on_idle` (one record, whatever its positions).
	fn pay_validator_queued() -> Weight;
	/// `on_idle`: splitting one queued validator payout among `p` positions.
	fn expand_dividend(p: u32) -> Weight;
	/// After an epoch of `n` UIDs (miners + validators): storing its outcome for the bounties.
	fn queue_outcome(n: u32) -> Weight;
	/// `on_idle`: reading the bounty queue's oldest outcome (before pricing its step).
	fn bounty_queue_head() -> Weight;
	/// `on_idle`'s fixed part (cursor read and write).
	fn on_idle_base() -> Weight;
	/// Releasing one entry (into stake, the worst case).
	fn release_entry() -> Weight;
	/// Expiring one challenge.
	fn expire_challenge() -> Weight;
	/// Moving the cursor past a finished block.
	fn advance_cursor() -> Weight;
	/// One bounty's epoch payout over `n` miners and `v` validators, the validators' dividends
	/// queued (the pallet adds the price of splitting them at once when the queue is full).
	fn bounty_epoch(n: u32, v: u32) -> Weight;
	/// `on_network_removed` closing `b` bounties.
	fn on_network_removed(b: u32) -> Weight;
}

const US: u64 = 1_000_000;

fn compute(micros: u64, proof: u64) -> Weight {
	Weight::from_parts(micros.saturating_mul(US), proof)
}

fn db(w: RuntimeDbWeight, r: u64, wr: u64) -> Weight {
	w.reads_writes(r, wr)
}

/// Opening one entry, counted as distinct keys the way `frame-benchmarking` counts them (keys
/// read or written again in the same block — NextEntryId, SubnetEntryCount, Totals — are in the
/// overlay and charged once per call by the callers): Entries, ReleaseQueue, the event; a
/// slashable entry also SlashableEntries and SlashableCount (read + write).
fn open_entry(w: RuntimeDbWeight) -> Weight {
	compute(10, 1_500).saturating_add(db(w, 1, 5))
}

macro_rules! impl_weights {
	($dbw:expr) => {
		fn claim(n: u32) -> Weight {
			compute(15, 500).saturating_add(Self::release_entry().saturating_mul(u64::from(n)))
		}
		fn challenge(e: u32) -> Weight {
			// Reads: Networks, Permits, Challenges, SlashableEntries prefix + e Entries,
			// SubnetChallengeCount, 2 Accounts; then the quorum check (support_of): Permits,
			// up to MaxSupporters HotkeyStake (counted in `support_challenge`).
			// Writes: Challenges, SubnetChallengeCount, OpenChallenges, ChallengeExpiries,
			// 2 Accounts, Totals.
			compute(40, 4_000)
				.saturating_add(db($dbw, 7, 7))
				.saturating_add(
					compute(2, 250)
						.saturating_add(db($dbw, 1, 0))
						.saturating_mul(u64::from(e)),
				)
				.saturating_add(Self::support_challenge(1))
		}
		fn support_challenge(s: u32) -> Weight {
			// Reads: Permits, Challenges, then per supporter / permitted validator: Permits
			// (cached) and HotkeyStake (2 × s). Writes: Challenges.
			compute(30, 4_000)
				.saturating_add(db($dbw, 2, 1))
				.saturating_add(
					compute(2, 100)
						.saturating_add(db($dbw, 2, 0))
						.saturating_mul(u64::from(s)),
				)
		}
		fn slash(e: u32, c: u32) -> Weight {
			// Per entry: SlashableEntries key, Entries (read + remove), ReleaseQueue,
			// SubnetEntryCount, SlashableCount. Then: burn (Account, TotalIssuance), emission's
			// Slashed, Totals; per challenge: Challenges (drain), transfer (2 Accounts),
			// ChallengeExpiries, OpenChallenges, SubnetChallengeCount.
			compute(30, 2_000)
				.saturating_add(db($dbw, 4, 4))
				.saturating_add(
					compute(3, 300)
						.saturating_add(db($dbw, 2, 5))
						.saturating_mul(u64::from(e)),
				)
				.saturating_add(
					compute(10, 600)
						.saturating_add(db($dbw, 4, 6))
						.saturating_mul(u64::from(c)),
				)
		}
		fn fund_bounty() -> Weight {
			// Reads: Networks, NextBountyId, SubnetBounties, 2 Accounts.
			// Writes: SubnetBounties, 2 Accounts, NextBountyId, Bounties, Totals.
			compute(30, 3_000).saturating_add(db($dbw, 5, 6))
		}
		fn cancel_bounty() -> Weight {
			compute(20, 1_000).saturating_add(db($dbw, 1, 1))
		}
		fn pay_owner() -> Weight {
			// Hyperparams, NextEntryId, SubnetEntryCount, Totals, escrow and pot accounts
			// (transfer) + one entry.
			compute(20, 2_000)
				.saturating_add(db($dbw, 6, 5))
				.saturating_add(open_entry($dbw))
		}
		fn pay_miner() -> Weight {
			// As the owner cut, plus the hotkey's Owner.
			Self::pay_owner().saturating_add(db($dbw, 1, 0))
		}
		fn pay_validator(p: u32) -> Weight {
			// Owner, Takes, HotkeyPositions prefix; per position its Positions value and one
			// entry (the owner's included).
			Self::pay_miner()
				.saturating_add(db($dbw, 2, 0))
				.saturating_add(
					compute(3, 200)
						.saturating_add(db($dbw, 1, 0))
						.saturating_add(open_entry($dbw))
						.saturating_mul(u64::from(p)),
				)
		}
		fn pay_validator_queued() -> Weight {
			// Reads: 2 Accounts (transfer), Hyperparams, Owner, Takes, DividendQueue,
			// PendingDividendTotal, Totals. Writes: 2 Accounts, PendingDividends,
			// DividendQueue, PendingDividendTotal, Totals, the event.
			compute(25, 2_000).saturating_add(db($dbw, 8, 7))
		}
		fn expand_dividend(p: u32) -> Weight {
			// DividendQueue, PendingDividends (take), PendingDividendTotal (read + write each),
			// HotkeyPositions prefix, NextEntryId, SubnetEntryCount, ReleaseCursor, Totals;
			// per position its Positions value and one entry (the owner's included).
			compute(20, 2_000)
				.saturating_add(db($dbw, 8, 6))
				.saturating_add(
					compute(3, 200)
						.saturating_add(db($dbw, 1, 0))
						.saturating_add(open_entry($dbw))
						.saturating_mul(u64::from(p)),
				)
		}
		fn queue_outcome(n: u32) -> Weight {
			// Reads: SubnetBounties, OutcomeQueue, NextBountyId. Writes: EpochOutcomes (one
			// value of ≈ 56 B per UID), OutcomeQueue. Compute: copying and encoding the outcome.
			compute(15, 500)
				.saturating_add(db($dbw, 3, 2))
				.saturating_add(compute(1, 0).saturating_mul(u64::from(n)))
		}
		fn bounty_queue_head() -> Weight {
			// Reads: DividendQueue, OutcomeQueue, the oldest EpochOutcomes value (≈ 56 B per
			// UID: proof counted for 256 UIDs).
			compute(10, 15_000).saturating_add(db($dbw, 3, 0))
		}
		fn on_idle_base() -> Weight {
			compute(5, 100).saturating_add(db($dbw, 1, 1))
		}
		fn release_entry() -> Weight {
			// Entries, OpenChallenges, 2 Accounts (transfer), stake reward (Networks, Positions,
			// ColdkeyStake, Holds, HotkeyPositionCount, Hyperparams: 6 reads; Positions, Holds,
			// Account, HotkeyStake, SubnetStake, TotalStake, ColdkeyStake: 7 writes); remove
			// Entries, ReleaseQueue, SubnetEntryCount, SlashableEntries, SlashableCount, Totals.
			compute(40, 3_000).saturating_add(db($dbw, 12, 15))
		}
		fn expire_challenge() -> Weight {
			// Challenges, Owner, 2 Accounts; removes Challenges, ChallengeExpiries,
			// OpenChallenges, SubnetChallengeCount, Totals.
			compute(25, 3_000).saturating_add(db($dbw, 4, 7))
		}
		fn advance_cursor() -> Weight {
			// Two prefix probes (expiries, releases).
			compute(3, 100).saturating_add(db($dbw, 2, 0))
		}
		fn bounty_epoch(n: u32, v: u32) -> Weight {
			// SubnetBounties, Bounties read + write, OutcomeQueue write, Totals; the split; then
			// one owner, n miner and v queued validator payouts from funds already in escrow
			// (counted with their transfer in, an overestimate); closing the bounty (refund
			// transfer, SubnetBounties) at most.
			compute(20, 1_000)
				.saturating_add(db($dbw, 5, 6))
				.saturating_add(Self::pay_owner())
				.saturating_add(Self::pay_miner().saturating_mul(u64::from(n)))
				.saturating_add(Self::pay_validator_queued().saturating_mul(u64::from(v)))
		}
		fn on_network_removed(b: u32) -> Weight {
			// SubnetBounties; per bounty: Bounties, refund transfer (2 Accounts), removal,
			// Totals.
			compute(10, 500)
				.saturating_add(db($dbw, 1, 1))
				.saturating_add(
					compute(15, 500)
						.saturating_add(db($dbw, 3, 4))
						.saturating_mul(u64::from(b)),
				)
		}
	};
}

/// Weights for `pallet_escrow` using the runtime's `DbWeight`.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	impl_weights!(T::DbWeight::get());
}

/// For tests and as a fallback: the same formulas with `RocksDbWeight`.
impl WeightInfo for () {
	impl_weights!(RocksDbWeight::get());
}
