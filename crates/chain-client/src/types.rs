//! Plain views of the chain state the programs work with, independent of subxt's generated
//! types, so that the miner's and validator's libraries (and their tests' fake chains) need
//! nothing but these.

pub use arena_rules::round::{Phase, RoundIndex};
pub use subxt::utils::AccountId32 as AccountId;

/// A 32-byte hash (BLAKE3 for artifacts and states, BLAKE2b-256 for block hashes).
pub type Hash32 = [u8; 32];

/// A subnet's id.
pub type NetUid = u16;

/// A neuron's UID within its subnet.
pub type Uid = u16;

/// Balances in rao (1 ARN = 10⁹).
pub type Balance = u64;

/// What a miner commits for a round (SPEC §6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Contribution {
	/// BLAKE3 hash of the encoded update bytes.
	pub update_hash: Hash32,
	/// Merkle root over the state hashes every `c` steps.
	pub merkle_root: Hash32,
	/// Inner steps run (the task's `H`).
	pub steps: u32,
	/// Backend fingerprint (one the subnet allows).
	pub fingerprint: Hash32,
	/// `hash(e_{r+1})`, the error-feedback buffer after this round.
	pub residual_hash: Hash32,
}

/// A commitment as the chain stored it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitmentView {
	/// The miner's hotkey.
	pub hotkey: AccountId,
	/// What it committed.
	pub contribution: Contribution,
	/// The residual hash leaf 0's `e_r` must match (the hotkey's previous `residual_hash`, zero
	/// for its first round).
	pub previous_residual: Hash32,
	/// Block it was included in.
	pub committed_at: u32,
}

/// One round of a subnet, at some block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundState {
	/// The subnet.
	pub netuid: NetUid,
	/// The round's index.
	pub index: RoundIndex,
	/// First block `b`.
	pub start: u32,
	/// Planned length `T` in blocks.
	pub tempo: u32,
	/// Commit deadline `d` (blocks after `b`).
	pub commit_deadline: u32,
	/// Vote window `v` (the round's last blocks).
	pub vote_window: u32,
	/// The block whose hash is the audit seed.
	pub audit_block: u32,
	/// The checkpoint `C_r` it trains from.
	pub checkpoint: Hash32,
	/// Hash of block `b` (known from `b + 1`).
	pub round_seed: Option<Hash32>,
	/// Hash of the audit block (known from one block after it).
	pub audit_seed: Option<Hash32>,
	/// Phase at the block the view was read at.
	pub phase: Phase,
	/// Blocks left in that phase, that block included (`None` once closed).
	pub blocks_left: Option<u32>,
	/// First block of `Training`, `DeadlinePassed`, `Auditing`, `Voting`, `Closed`.
	pub phase_starts: [u32; 5],
	/// Commitments, by hotkey.
	pub commitments: Vec<CommitmentView>,
	/// Checkpoint votes: (validator hotkey, voted hash).
	pub votes: Vec<(AccountId, Hash32)>,
}

impl RoundState {
	/// The block at which commits close (`b + d`).
	pub fn deadline_block(&self) -> u32 {
		self.start.saturating_add(self.commit_deadline)
	}

	/// The round's last block plus one (`b + T`).
	pub fn end_block(&self) -> u32 {
		self.start.saturating_add(self.tempo)
	}

	/// The first block of the vote window (`b + T − v`).
	pub fn vote_block(&self) -> u32 {
		self.end_block().saturating_sub(self.vote_window)
	}

	/// The commitment of `hotkey`, if it committed.
	pub fn commitment_of(&self, hotkey: &AccountId) -> Option<&CommitmentView> {
		self.commitments.iter().find(|c| &c.hotkey == hotkey)
	}
}

/// The owner's genesis checkpoint of a subnet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenesisCheckpoint {
	/// BLAKE3 hash of its bytes.
	pub hash: Hash32,
	/// Its size in bytes.
	pub size: u64,
	/// Where to fetch it.
	pub url: String,
}

/// A subnet's round configuration and position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundsInfo {
	/// The genesis checkpoint, once set.
	pub genesis: Option<GenesisCheckpoint>,
	/// Commit deadline `d`, if settings are set.
	pub commit_deadline: Option<u32>,
	/// Vote window `v`, if settings are set.
	pub vote_window: Option<u32>,
	/// Backend fingerprints a miner may declare.
	pub allowed_fingerprints: Vec<Hash32>,
	/// The checkpoint the next round starts from.
	pub checkpoint: Option<Hash32>,
	/// The open round, if any.
	pub open_round: Option<RoundIndex>,
	/// Index the next round gets.
	pub next_round: RoundIndex,
}

/// One neuron of a subnet's metagraph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Neuron {
	/// UID.
	pub uid: Uid,
	/// Hotkey.
	pub hotkey: AccountId,
	/// Total stake on the hotkey on the subnet.
	pub stake: Balance,
	/// Whether it holds a validator permit.
	pub validator_permit: bool,
	/// Announced artifact endpoint (`http(s)://…` or `s3://…`), if any.
	pub endpoint: Option<String>,
	/// Incentive of the last epoch (u16 fixed point, 65 535 = 1).
	pub incentive: u16,
	/// Dividends of the last epoch (u16 fixed point).
	pub dividends: u16,
}

/// How an audit failed, as a challenge records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// The evidence of a failed audit (what a challenge carries on chain).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Evidence {
	/// Why the audit failed.
	pub reason: AuditFailure,
	/// Audited segment index.
	pub segment: u32,
	/// The miner's committed Merkle root.
	pub merkle_root: Hash32,
	/// The miner's claimed state hash at the segment's start.
	pub claimed_start: Hash32,
	/// The miner's claimed state hash at the segment's end.
	pub claimed_end: Hash32,
	/// The state hash the validator recomputed (zero if it could not run).
	pub recomputed: Hash32,
	/// The miner's committed update hash.
	pub update_hash: Hash32,
}

/// An open escrow challenge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChallengeView {
	/// The subnet.
	pub netuid: NetUid,
	/// The challenged miner's hotkey.
	pub miner: AccountId,
	/// The challenged round.
	pub round: RoundIndex,
	/// The validator that raised it.
	pub challenger: AccountId,
	/// The evidence.
	pub evidence: Evidence,
	/// Validators backing it, the challenger first.
	pub supporters: Vec<AccountId>,
	/// Block it expires at without quorum.
	pub expires_at: u32,
}

/// What escrow holds for (or paid to) an account, summed over its entries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EscrowSummary {
	/// Still held (not yet released).
	pub held: Balance,
	/// Of which slashable (miner incentive).
	pub slashable: Balance,
	/// Entries still held.
	pub entries: u32,
}

/// A weight set a validator committed and must reveal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeightsReveal {
	/// UIDs weighed.
	pub uids: Vec<Uid>,
	/// Their weights (any scale; the chain normalises).
	pub values: Vec<u16>,
	/// The salt the commitment hashed.
	pub salt: [u8; 32],
	/// The weights version key.
	pub version_key: u64,
}

/// A subnet's training task as the programs use it.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskView {
	/// The training core's configuration for the task.
	pub config: arena_training::TrainingConfig,
	/// Hash identifying the corpus ([`arena_training::Corpus`]'s content id).
	pub corpus: Hash32,
	/// Segments a validator audits per miner, `s`.
	pub audit_segments: u32,
}
