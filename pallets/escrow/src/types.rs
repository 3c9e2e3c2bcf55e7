//! Stored and viewed types of the escrow pallet.

use crate::pallet::{BalanceOf, Config};
use arena_pallet_primitives::NetUid;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use sp_runtime::{traits::Saturating, Perbill, Perquintill};

/// Identifier of an escrow entry (never reused).
pub type EntryId = u64;

/// Identifier of a bounty (never reused).
pub type BountyId = u32;

/// Why an entry was paid.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	Debug,
)]
pub enum EntryKind {
	/// The subnet owner's cut (released to the owner's free balance).
	OwnerCut,
	/// A miner's incentive (released into its hotkey owner's stake). The only slashable kind.
	Incentive,
	/// A validator hotkey owner's part of its dividends: its take plus its own position's share.
	Dividends,
	/// A delegator's pro-rata share of a validator's dividends, after the owner's take.
	DelegatorShare,
}

impl EntryKind {
	/// Whether a failed audit can slash entries of this kind (SPEC §5: a miner's rewards).
	pub fn slashable(self) -> bool {
		matches!(self, EntryKind::Incentive)
	}
}

/// Where an entry's amount goes when it is released.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen, Debug,
)]
pub enum Destination<AccountId> {
	/// The account's free balance (the owner cut).
	Free(AccountId),
	/// The stake position `(coldkey, hotkey)` on the entry's subnet; the coldkey's free balance
	/// if the position cannot take it (subnet gone, below the minimum stake).
	Stake {
		/// The position's coldkey (the account the entry belongs to).
		coldkey: AccountId,
		/// The position's hotkey.
		hotkey: AccountId,
	},
}

impl<AccountId> Destination<AccountId> {
	/// The account the entry belongs to (whose balance or stake it ends in).
	pub fn account(&self) -> &AccountId {
		match self {
			Destination::Free(a) => a,
			Destination::Stake { coldkey, .. } => coldkey,
		}
	}
}

/// Where an entry's funds came from.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	Debug,
)]
pub enum Source {
	/// The subnet's epoch emission.
	Emission,
	/// A sponsor's bounty.
	Bounty(BountyId),
}

/// One escrowed reward.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen, Debug,
)]
pub struct EscrowEntry<AccountId, Balance, BlockNumber> {
	/// Subnet that paid it.
	pub netuid: NetUid,
	/// The subnet's epoch number that paid it.
	pub round: u32,
	/// The hotkey (or, for the owner cut, the owner account) whose role earned it; a slash
	/// against a miner takes every slashable entry it earned on the subnet.
	pub earner: AccountId,
	/// Why it was paid.
	pub kind: EntryKind,
	/// Where the funds came from.
	pub source: Source,
	/// Where it goes on release.
	pub destination: Destination<AccountId>,
	/// Amount held by the escrow account.
	pub amount: Balance,
	/// Block it was paid at.
	pub created_at: BlockNumber,
	/// First block at which it may be released (`created_at + escrow_window · tempo`).
	pub release_at: BlockNumber,
	/// Block of the release queue it sits in (`release_at`, or later while a challenge against
	/// its earner is open).
	pub queued_at: BlockNumber,
}

/// What a validator hands in with a challenge: enough for any other validator to re-run the
/// failed audit (SPEC §5–§6).
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen, Debug,
)]
pub struct Evidence {
	/// Why the audit failed.
	pub reason: AuditFailure,
	/// Audited segment index (its steps are `[segment·c, (segment+1)·c]`).
	pub segment: u32,
	/// The miner's committed Merkle root.
	pub merkle_root: [u8; 32],
	/// The miner's claimed state hash at the segment's start.
	pub claimed_start: [u8; 32],
	/// The miner's claimed state hash at the segment's end.
	pub claimed_end: [u8; 32],
	/// The state hash the validator recomputed (zero if it could not run).
	pub recomputed: [u8; 32],
	/// The miner's committed update hash.
	pub update_hash: [u8; 32],
}

/// How an audit failed.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	Debug,
)]
pub enum AuditFailure {
	/// The re-run segment ended elsewhere than the miner claimed.
	SegmentMismatch,
	/// The update does not follow from the committed final state.
	UpdateMismatch,
	/// The error-feedback buffer does not match the miner's last committed residual.
	ResidualMismatch,
	/// A state did not verify against the committed Merkle root.
	BadProof,
	/// A required artifact was missing, malformed or oversized.
	BadArtifact,
	/// The declared backend fingerprint is not allowed on the subnet.
	DisallowedBackend,
}

/// An open challenge against a miner's round.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, Encode, Decode, TypeInfo, MaxEncodedLen, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound(T: Config))]
pub struct Challenge<T: Config> {
	/// The validator hotkey that raised it (and paid the bond).
	pub challenger: T::AccountId,
	/// The bond, held by the escrow account.
	pub bond: BalanceOf<T>,
	/// The failed audit.
	pub evidence: Evidence,
	/// Validator hotkeys backing it, the challenger first.
	pub supporters: BoundedVec<T::AccountId, T::MaxSupporters>,
	/// Block it was raised at.
	pub opened_at: BlockNumberFor<T>,
	/// Block at which it expires without quorum (the latest release block of the miner's open
	/// entries when it was raised).
	pub expires_at: BlockNumberFor<T>,
}

/// A sponsor's bounty for a subnet.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen, Debug,
)]
pub struct Bounty<AccountId, Balance, BlockNumber> {
	/// Who funded it (gets the unpaid rest back).
	pub sponsor: AccountId,
	/// The subnet it rewards.
	pub netuid: NetUid,
	/// Paid at each of the subnet's epochs.
	pub per_epoch: Balance,
	/// Epochs still to pay.
	pub epochs_left: u32,
	/// Funds not paid yet, held by the escrow account.
	pub remaining: Balance,
	/// Block the sponsor cancelled it at: it pays one more epoch (the notice period of one
	/// tempo), then the rest returns.
	pub cancelled_at: Option<BlockNumber>,
}

/// A validator's dividends waiting in the dividend queue ([`crate::PendingDividends`]) to be
/// split among the positions staked on its hotkey (`on_idle`). The amount is held by the escrow
/// account; the owner, the take and the release block are fixed at payout time, the positions'
/// stakes are read when it is split.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen, Debug,
)]
pub struct PendingDividend<AccountId, Balance, BlockNumber> {
	/// Subnet that paid it.
	pub netuid: NetUid,
	/// The subnet's epoch number that paid it.
	pub round: u32,
	/// The validator hotkey that earned it.
	pub hotkey: AccountId,
	/// The hotkey's owner (coldkey) at payout time: receives the take and its own share.
	pub owner: AccountId,
	/// The hotkey's delegate take at payout time.
	pub take: Perbill,
	/// Amount held by the escrow account.
	pub amount: Balance,
	/// Where the funds came from.
	pub source: Source,
	/// Release block of its entries (fixed at payout time).
	pub release_at: BlockNumber,
}

/// A first-in first-out queue stored as a map keyed by sequence number: its items are the keys
/// `head..tail`.
#[derive(
	Clone,
	Copy,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	Debug,
)]
pub struct QueueBounds {
	/// Key of the oldest item.
	pub head: u64,
	/// Key the next item gets.
	pub tail: u64,
}

impl QueueBounds {
	/// Number of queued items.
	pub fn len(&self) -> u64 {
		self.tail.saturating_sub(self.head)
	}
	/// Whether nothing is queued.
	pub fn is_empty(&self) -> bool {
		self.len() == 0
	}
}

/// The bounty queue's state: the queued epoch outcomes and how far the oldest one has paid.
#[derive(
	Clone,
	Copy,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	Debug,
)]
pub struct OutcomeQueueState {
	/// The queued outcomes ([`crate::EpochOutcomes`]).
	pub bounds: QueueBounds,
	/// The last bounty the oldest outcome has paid (bounties pay in id order).
	pub paid_through: Option<BountyId>,
}

/// What an epoch decided (`arena_pallet_primitives::EpochOutcome`), stored until `on_idle`
/// pays the subnet's bounties by it.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, Encode, Decode, TypeInfo, MaxEncodedLen, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound(T: Config))]
pub struct StoredOutcome<T: Config> {
	/// The subnet.
	pub netuid: NetUid,
	/// The subnet's epoch number.
	pub round: u32,
	/// Block of the epoch: a bounty cancelled before it closes after paying it.
	pub epoch_block: BlockNumberFor<T>,
	/// Bounties with an id below this one existed at the epoch and are paid by it.
	pub next_bounty: BountyId,
	/// The subnet owner, if any.
	pub owner: Option<T::AccountId>,
	/// The owner cut.
	pub owner_cut: Perbill,
	/// Each miner's hotkey and incentive.
	pub incentive: BoundedVec<(T::AccountId, Perquintill), T::MaxUids>,
	/// Each counted validator's hotkey and dividends.
	pub dividends: BoundedVec<(T::AccountId, Perquintill), T::MaxUids>,
	/// Each counted validator's stake (same order as `dividends`).
	pub validator_stake: BoundedVec<u128, T::MaxUids>,
}

/// Running totals of the pallet, for the conservation invariants
/// `escrowed_emission + escrowed_bounty = released + slashed + open + queued dividends` and
/// `escrow balance = floor + open + bounty_unpaid + bonds_open + queued dividends` (the queued
/// dividends are [`crate::PendingDividendTotal`], kept apart so that this type's encoding
/// stays the same).
#[derive(
	Clone,
	Copy,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	Debug,
)]
pub struct EscrowTotals<Balance> {
	/// Σ epoch emission paid into escrow.
	pub escrowed_emission: Balance,
	/// Σ bounty funds paid into escrow entries.
	pub escrowed_bounty: Balance,
	/// Σ released to beneficiaries.
	pub released: Balance,
	/// Σ slashed (burned).
	pub slashed: Balance,
	/// Σ open entries.
	pub open: Balance,
	/// Σ ever funded by sponsors.
	pub bounty_funded: Balance,
	/// Σ returned to sponsors.
	pub bounty_returned: Balance,
	/// Σ bounty funds not yet paid or returned.
	pub bounty_unpaid: Balance,
	/// Σ bonds of open challenges.
	pub bonds_open: Balance,
	/// Σ bonds returned to challengers.
	pub bonds_returned: Balance,
	/// Σ bonds forfeited to challenged miners.
	pub bonds_forfeited: Balance,
}

impl<Balance: Saturating + Copy> EscrowTotals<Balance> {
	/// `field += amount` (saturating: totals are bounded by the issuance).
	pub fn add(field: &mut Balance, amount: Balance) {
		*field = field.saturating_add(amount);
	}
	/// `field -= amount` (saturating).
	pub fn sub(field: &mut Balance, amount: Balance) {
		*field = field.saturating_sub(amount);
	}
}

/// Runtime-API view of one entry.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct EntryView<AccountId, Balance, BlockNumber> {
	/// Its id (for `claim`).
	pub id: EntryId,
	/// The entry.
	pub entry: EscrowEntry<AccountId, Balance, BlockNumber>,
	/// Whether an open challenge holds it back.
	pub challenged: bool,
}

/// Runtime-API view of one open challenge.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct ChallengeView<AccountId, Balance, BlockNumber> {
	/// Challenged miner hotkey.
	pub miner: AccountId,
	/// Challenged round.
	pub round: u32,
	/// Challenger hotkey.
	pub challenger: AccountId,
	/// Bond.
	pub bond: Balance,
	/// The failed audit.
	pub evidence: Evidence,
	/// Supporting hotkeys.
	pub supporters: alloc::vec::Vec<AccountId>,
	/// Consensus stake of the supporters that hold a permit now.
	pub support: Balance,
	/// Consensus stake of all permitted validators now.
	pub active_stake: Balance,
	/// Block it was raised at.
	pub opened_at: BlockNumber,
	/// Block it expires at.
	pub expires_at: BlockNumber,
	/// Σ of the miner's open slashable entries on the subnet.
	pub at_stake: Balance,
}

/// Runtime-API view of one bounty.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct BountyView<AccountId, Balance, BlockNumber> {
	/// Its id.
	pub id: BountyId,
	/// The bounty.
	pub bounty: Bounty<AccountId, Balance, BlockNumber>,
}
