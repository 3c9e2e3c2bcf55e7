//! Types of `pallet-subnets`: stored records, hyperparameter changes, and the bounds every
//! hyperparameter and training task is checked against.

use arena_pallet_primitives::{NeuronMetrics, SubnetHyperparams, TrainingTask};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt::Debug;
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::Perbill;

/// A subnet: its owner, the lock held from the owner, and when it was registered.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen, Debug)]
pub struct SubnetRecord<AccountId, Balance, BlockNumber> {
	/// Owner (sets hyperparameters, may dissolve the subnet, gets the lock back).
	pub owner: AccountId,
	/// Amount held from the owner under `HoldReason::SubnetLock`.
	pub locked: Balance,
	/// Registration block (for network immunity and the pruning tie-break).
	pub registered_at: BlockNumber,
}

/// Why a subnet is removed (decides what happens to its owner's lock).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Removal {
	/// Its owner dissolved it: within `LockReductionInterval` blocks of its registration the
	/// lock above `MinLockCost` is burned, the rest released.
	DissolvedByOwner,
	/// `AdminOrigin` dissolved it: the whole lock is released.
	DissolvedByAdmin,
	/// A new registration pruned it: the whole lock is released.
	Pruned,
}

/// A registered neuron.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen, Debug)]
pub struct Neuron<AccountId, Balance, BlockNumber> {
	/// Its hotkey.
	pub hotkey: AccountId,
	/// Registration block (immunity, pruning tie-break).
	pub registered_at: BlockNumber,
	/// Block it last set or revealed weights at.
	pub last_update: Option<BlockNumber>,
	/// Last epoch's results (written by the emission pallet).
	pub metrics: NeuronMetrics<Balance>,
}

/// A pending weight commit. Its reveal window is fixed when it is made, so an owner who
/// changes the tempo afterwards cannot move it.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen, Debug)]
pub struct WeightCommit<BlockNumber> {
	/// `blake2_256(SCALE(hotkey, netuid, uids, values, salt, version_key))`.
	pub hash: H256,
	/// Block of the commit.
	pub committed_at: BlockNumber,
	/// First block the commit may be revealed in: the subnet's first epoch block after the
	/// commit, at the tempo of the commit.
	pub reveal_open: BlockNumber,
	/// First block the commit may no longer be revealed in: `reveal_open + reveal_window`.
	pub reveal_close: BlockNumber,
}

/// A weight commit as stored before storage version 1 (without its reveal window).
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen, Debug)]
pub struct WeightCommitV0<BlockNumber> {
	/// The commit hash.
	pub hash: H256,
	/// Block of the commit.
	pub committed_at: BlockNumber,
}

/// One hyperparameter change (see [`SubnetHyperparams`] for their meaning). Several changes can
/// be applied at once; the bounds are checked on the result.
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
pub enum HyperParam<Balance> {
	/// Blocks per epoch.
	#[codec(index = 0)]
	Tempo(u32),
	/// Maximum neurons.
	#[codec(index = 1)]
	MaxUids(u16),
	/// Neuron immunity period in blocks.
	#[codec(index = 2)]
	ImmunityPeriod(u32),
	/// Lowest registration burn.
	#[codec(index = 3)]
	MinBurn(Balance),
	/// Highest registration burn.
	#[codec(index = 4)]
	MaxBurn(Balance),
	/// Validator permits `K`.
	#[codec(index = 5)]
	MaxValidators(u16),
	/// Activity cutoff in blocks.
	#[codec(index = 6)]
	ActivityCutoff(u32),
	/// Consensus majority `κ`.
	#[codec(index = 7)]
	Kappa(Perbill),
	/// Bonds moving average `α`.
	#[codec(index = 8)]
	BondsMovingAverage(Perbill),
	/// Commit-reveal on/off.
	#[codec(index = 9)]
	CommitReveal(bool),
	/// Reveal window in blocks.
	#[codec(index = 10)]
	RevealWindow(u32),
	/// Escrow window in tempos (SPEC §5).
	#[codec(index = 11)]
	EscrowWindow(u32),
	/// Minimum weights version key.
	#[codec(index = 12)]
	WeightsVersion(u64),
}

impl<Balance> HyperParam<Balance> {
	/// Applies the change to `h`.
	pub fn apply(self, h: &mut SubnetHyperparams<Balance>) {
		match self {
			Self::Tempo(v) => h.tempo = v,
			Self::MaxUids(v) => h.max_uids = v,
			Self::ImmunityPeriod(v) => h.immunity_period = v,
			Self::MinBurn(v) => h.min_burn = v,
			Self::MaxBurn(v) => h.max_burn = v,
			Self::MaxValidators(v) => h.max_validators = v,
			Self::ActivityCutoff(v) => h.activity_cutoff = v,
			Self::Kappa(v) => h.kappa = v,
			Self::BondsMovingAverage(v) => h.bonds_moving_average = v,
			Self::CommitReveal(v) => h.commit_reveal = v,
			Self::RevealWindow(v) => h.reveal_window = v,
			Self::EscrowWindow(v) => h.escrow_window = v,
			Self::WeightsVersion(v) => h.weights_version = v,
		}
	}
}

/// Hard bounds of hyperparameters (besides the pallet's `Config` limits; training tasks follow
/// [`arena_rules::training_task`]).
pub mod bounds {
	/// Shortest tempo any runtime may allow (blocks); the runtime's own floor
	/// ([`MinTempo`](crate::MinTempo)) is at least this.
	pub const MIN_TEMPO: u32 = 2;
	/// Longest tempo: one week of 12 s blocks.
	pub const MAX_TEMPO: u32 = 50_400;
	/// Longest neuron immunity period: two weeks.
	pub const MAX_IMMUNITY_PERIOD: u32 = 100_800;
	/// Longest activity cutoff: two weeks (and never shorter than the tempo).
	pub const MAX_ACTIVITY_CUTOFF: u32 = 100_800;
	/// Longest reveal window: one week.
	pub const MAX_REVEAL_WINDOW: u32 = 50_400;
	/// Longest escrow window: 512 tempos (about 18 days at the default tempo of 360 blocks).
	pub const MAX_ESCROW_WINDOW: u32 = 512;
}

/// Why a hyperparameter set or training task is out of bounds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BoundsError {
	/// `tempo` below the runtime's floor (`Limits::min_tempo`, at least `MIN_TEMPO`) or above
	/// `MAX_TEMPO`.
	Tempo,
	/// `max_uids` zero or above the pallet's limit.
	MaxUids,
	/// `max_uids` below the current neuron count.
	MaxUidsBelowNeuronCount,
	/// `immunity_period` above `MAX_IMMUNITY_PERIOD`.
	ImmunityPeriod,
	/// `min_burn` zero, `min_burn > max_burn`, or `max_burn` above the pallet's limit.
	BurnBounds,
	/// `max_validators` zero, above `max_uids` or above the pallet's limit.
	MaxValidators,
	/// `activity_cutoff` below `tempo` or above `MAX_ACTIVITY_CUTOFF`.
	ActivityCutoff,
	/// `kappa` zero.
	Kappa,
	/// `bonds_moving_average` zero.
	BondsMovingAverage,
	/// `reveal_window` outside `1..=MAX_REVEAL_WINDOW`.
	RevealWindow,
	/// `escrow_window` outside `1..=MAX_ESCROW_WINDOW`.
	EscrowWindow,
	/// Model shape out of bounds, or a vocabulary other than the training core's bytes.
	ModelConfig,
	/// Corpus hash all zero.
	Corpus,
	/// `inner_steps` or `batch_size` out of bounds (or `batch_size · context` too large).
	Steps,
	/// Top-k density zero or above one, or bits outside 2..=8.
	Compression,
	/// `segment_length` zero or not dividing `inner_steps`.
	SegmentLength,
	/// `audit_segments` zero, above the rule's maximum or above the number of segments.
	AuditSegments,
	/// Tolerance `ε` zero.
	Tolerance,
}

/// Limits that come from the pallet's `Config`.
#[derive(Clone, Copy, Debug)]
pub struct Limits<Balance> {
	/// The runtime's tempo floor ([`MinTempo`](crate::MinTempo)).
	pub min_tempo: u32,
	/// `Config::MaxUidsLimit`.
	pub max_uids: u32,
	/// `Config::MaxValidatorsLimit`.
	pub max_validators: u32,
	/// `Config::MaxBurnLimit`.
	pub max_burn: Balance,
}

/// Checks a complete hyperparameter set against the bounds; `neurons` is the subnet's current
/// neuron count (`max_uids` may not drop below it).
pub fn check_hyperparams<Balance: PartialOrd + Default>(
	h: &SubnetHyperparams<Balance>,
	limits: &Limits<Balance>,
	neurons: u16,
) -> Result<(), BoundsError> {
	use bounds::*;
	if !(limits.min_tempo.max(MIN_TEMPO)..=MAX_TEMPO).contains(&h.tempo) {
		return Err(BoundsError::Tempo);
	}
	if h.max_uids == 0 || u32::from(h.max_uids) > limits.max_uids {
		return Err(BoundsError::MaxUids);
	}
	if h.max_uids < neurons {
		return Err(BoundsError::MaxUidsBelowNeuronCount);
	}
	if h.immunity_period > MAX_IMMUNITY_PERIOD {
		return Err(BoundsError::ImmunityPeriod);
	}
	if h.min_burn <= Balance::default() || h.min_burn > h.max_burn || h.max_burn > limits.max_burn {
		return Err(BoundsError::BurnBounds);
	}
	if h.max_validators == 0
		|| h.max_validators > h.max_uids
		|| u32::from(h.max_validators) > limits.max_validators
	{
		return Err(BoundsError::MaxValidators);
	}
	if h.activity_cutoff < h.tempo || h.activity_cutoff > MAX_ACTIVITY_CUTOFF {
		return Err(BoundsError::ActivityCutoff);
	}
	if h.kappa.is_zero() {
		return Err(BoundsError::Kappa);
	}
	if h.bonds_moving_average.is_zero() {
		return Err(BoundsError::BondsMovingAverage);
	}
	if !(1..=MAX_REVEAL_WINDOW).contains(&h.reveal_window) {
		return Err(BoundsError::RevealWindow);
	}
	if !(1..=MAX_ESCROW_WINDOW).contains(&h.escrow_window) {
		return Err(BoundsError::EscrowWindow);
	}
	Ok(())
}

/// Checks a training task with the one task rule, [`arena_rules::training_task::check`] (the
/// bounds the training core runs: byte vocabulary, 2–8 bits, `c | H`, …), plus a non-zero
/// corpus hash. The programs convert tasks with the same rule, so an accepted task trains.
pub fn check_training_task(t: &TrainingTask) -> Result<(), BoundsError> {
	use arena_rules::training_task::{check, TaskError, TaskParams};
	if t.corpus == [0u8; 32] {
		return Err(BoundsError::Corpus);
	}
	let m = &t.model;
	let params = TaskParams {
		layers: u32::from(m.layers),
		width: m.width,
		heads: u32::from(m.heads),
		context: m.context,
		vocab: m.vocab,
		inner_steps: t.inner_steps,
		batch_size: t.batch_size,
		density_ppb: t.compression.topk_density.deconstruct(),
		bits: t.compression.bits,
		audit_segments: t.audit_segments,
		segment_length: t.segment_length,
		tolerance_ppb: t.tolerance.deconstruct(),
	};
	check(&params).map_err(|e| match e {
		TaskError::Vocabulary | TaskError::Model => BoundsError::ModelConfig,
		TaskError::Steps | TaskError::Batch => BoundsError::Steps,
		TaskError::SegmentLength => BoundsError::SegmentLength,
		TaskError::Compression => BoundsError::Compression,
		TaskError::AuditSegments => BoundsError::AuditSegments,
		TaskError::Tolerance => BoundsError::Tolerance,
	})
}

/// URL schemes an endpoint may use.
pub const ENDPOINT_SCHEMES: [&[u8]; 4] = [b"https://", b"http://", b"ipfs://", b"s3://"];

/// Why an endpoint is refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum EndpointError {
	/// Not one of [`ENDPOINT_SCHEMES`] or nothing after the scheme.
	Scheme,
	/// A byte outside printable ASCII (`0x21..=0x7e`).
	Characters,
}

/// Checks an endpoint: a known scheme followed by at least one printable, non-space ASCII byte.
pub fn check_endpoint(endpoint: &[u8]) -> Result<(), EndpointError> {
	let rest = ENDPOINT_SCHEMES
		.iter()
		.find_map(|s| endpoint.strip_prefix(*s))
		.ok_or(EndpointError::Scheme)?;
	if rest.is_empty() {
		return Err(EndpointError::Scheme);
	}
	if !endpoint.iter().all(|b| (0x21..=0x7e).contains(b)) {
		return Err(EndpointError::Characters);
	}
	Ok(())
}
