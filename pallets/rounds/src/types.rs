//! Types of `pallet-rounds`: the owner's settings, the stored round record, commitments and
//! residuals, and the runtime-API views.

use alloc::vec::Vec;
pub use arena_rules::round::{Hash32, Phase, RoundIndex};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt::Debug;
use scale_info::TypeInfo;

/// The checkpoint a subnet's training starts from (round 0), set by its owner.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen, Debug)]
pub struct GenesisCheckpoint<Url> {
	/// BLAKE3 hash of the checkpoint's canonical bytes (non-zero).
	pub hash: Hash32,
	/// Its size in bytes (non-zero).
	pub size: u64,
	/// Where to fetch it (printable ASCII, e.g. `https://…` or `ipfs://…`).
	pub url: Url,
}

/// Owner-set round settings of a subnet. The audit parameters `s`, `ε`, `H` and `c` stay in the
/// subnet's training task (`pallet-subnets`).
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen, Debug)]
pub struct RoundConfig<Fingerprints> {
	/// Commits are accepted in each round's first `commit_deadline` blocks.
	pub commit_deadline: u32,
	/// Checkpoint votes are accepted in each round's last `vote_window` blocks.
	pub vote_window: u32,
	/// Backend fingerprints a miner may declare (non-empty, distinct).
	pub allowed_fingerprints: Fingerprints,
}

/// Which seed of a round a block's hash becomes.
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
pub enum SeedKind {
	/// The round seed: hash of the round's first block.
	Round,
	/// The audit seed: hash of the commit-deadline block.
	Audit,
}

/// One round of a subnet, as recorded on chain.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen, Debug)]
pub struct RoundRecord<BlockNumber> {
	/// Index of the round within its subnet.
	pub index: RoundIndex,
	/// First block `b` (an epoch block of the subnet).
	pub start: BlockNumber,
	/// Tempo `T` when the round opened: its planned length.
	pub tempo: u32,
	/// Commit deadline `d` (blocks after `b`) the round runs with (the owner's, fitted to `T`).
	pub commit_deadline: u32,
	/// Vote window `v` (the round's last blocks) the round runs with.
	pub vote_window: u32,
	/// The block whose hash is the audit seed: `b + d`, or the block the round was closed at if
	/// that came first (the first block in which no commitment was accepted).
	pub audit_block: BlockNumber,
	/// Checkpoint `C_r` the round trains from.
	pub checkpoint: Hash32,
	/// Hash of block `b` (recorded at `b + 1`).
	pub round_seed: Option<Hash32>,
	/// Hash of `audit_block` (recorded at `audit_block + 1`).
	pub audit_seed: Option<Hash32>,
	/// Commitments stored for the round.
	pub commitments: u32,
	/// Votes stored for the round.
	pub votes: u32,
	/// Block the round was closed (tallied) at.
	pub closed_at: Option<BlockNumber>,
	/// The tally's result: `C_{r+1}` (set when closed; equals `checkpoint` without votes).
	pub next_checkpoint: Option<Hash32>,
}

/// A miner's commitment to its round's work (SPEC §6.3).
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen, Debug)]
pub struct Commitment<BlockNumber> {
	/// Hash of the compressed update `u`.
	pub update_hash: Hash32,
	/// Merkle root over the state hashes every `c` steps.
	pub merkle_root: Hash32,
	/// Inner steps run (= the task's `H`).
	pub steps: u32,
	/// Backend fingerprint (one the subnet allows).
	pub fingerprint: Hash32,
	/// `hash(e_{r+1})`: the error-feedback buffer after this round.
	pub residual_hash: Hash32,
	/// `hash(e_r)` leaf 0 must match: the residual this hotkey committed last on this subnet
	/// (all zero for its first round).
	pub previous_residual: Hash32,
	/// Block it was included in.
	pub committed_at: BlockNumber,
}

/// The last residual hash a hotkey committed on a subnet.
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
pub struct Residual {
	/// `hash(e_{r+1})` of that commitment.
	pub hash: Hash32,
	/// The round it was committed in.
	pub round: RoundIndex,
}

/// Runtime-API view of one round.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct RoundView<AccountId, BlockNumber> {
	/// Netuid of the subnet.
	pub netuid: u16,
	/// The stored record.
	pub record: RoundRecord<BlockNumber>,
	/// Phase at the current block ([`Phase::Closed`] once closed).
	pub phase: Phase,
	/// Blocks left in that phase, the current block included (`None` once closed).
	pub blocks_left: Option<BlockNumber>,
	/// First block of each phase: `Training`, `DeadlinePassed`, `Auditing`, `Voting`, `Closed`
	/// (as planned when the round opened).
	pub phase_starts: [BlockNumber; 5],
	/// Commitments by hotkey.
	pub commitments: Vec<(AccountId, Commitment<BlockNumber>)>,
	/// Votes by validator hotkey.
	pub votes: Vec<(AccountId, Hash32)>,
}

/// Runtime-API view of a subnet's round configuration.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct RoundsInfo {
	/// Netuid of the subnet.
	pub netuid: u16,
	/// The genesis checkpoint (with its URL), if set.
	pub genesis: Option<GenesisCheckpoint<Vec<u8>>>,
	/// The round settings, if set.
	pub settings: Option<RoundConfig<Vec<Hash32>>>,
	/// The checkpoint the next round starts from.
	pub checkpoint: Option<Hash32>,
	/// The open round, if any.
	pub open_round: Option<RoundIndex>,
	/// Index the next round gets.
	pub next_round: RoundIndex,
	/// Oldest round still stored.
	pub oldest_round: RoundIndex,
}
