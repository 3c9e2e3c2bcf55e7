//! The miner's typed errors, one variant per phase of the round loop.

use arena_artifacts::ArtifactError;
use arena_chain_client::port::ChainError;
use arena_chain_client::types::RoundIndex;
use arena_training::TrainingError;

use crate::phases::Phase;

/// Why a step of the miner failed.
#[derive(Debug, thiserror::Error)]
pub enum MinerError {
	/// Reading or writing the chain failed.
	#[error("{phase}: chain: {source}")]
	Chain {
		/// The phase it happened in.
		phase: Phase,
		/// The chain's error.
		#[source]
		source: ChainError,
	},
	/// An artifact could not be stored, served or fetched.
	#[error("{phase}: artifacts: {source}")]
	Artifact {
		/// The phase it happened in.
		phase: Phase,
		/// The store's or fetcher's error.
		#[source]
		source: ArtifactError,
	},
	/// The training core failed (bad checkpoint, corpus, divergence, a stopped round).
	#[error("{phase}: training: {source}")]
	Training {
		/// The phase it happened in.
		phase: Phase,
		/// The training core's error.
		#[source]
		source: TrainingError,
	},
	/// The chain moved past what this round needed: the commit deadline passed (or the round
	/// closed) before the miner could commit.
	#[error("round {round}: the chain is at block {now}, past the commit deadline {deadline}")]
	Desync {
		/// The round.
		round: RoundIndex,
		/// Its deadline block `b + d`.
		deadline: u32,
		/// The chain's finalized block.
		now: u32,
	},
	/// No source had the round's checkpoint (genesis url, validators' endpoints).
	#[error("round {round}: checkpoint {checkpoint} not available: {reason}")]
	CheckpointUnavailable {
		/// The round.
		round: RoundIndex,
		/// The checkpoint's hash (hex).
		checkpoint: String,
		/// What was tried.
		reason: String,
	},
	/// The miner's own state cannot continue (missing error-feedback buffer, a backend the
	/// subnet does not allow, a task this build cannot run).
	#[error("{0}")]
	Unrecoverable(String),
	/// The miner's round state file or CSV could not be read or written.
	#[error("state file {path}: {reason}")]
	Persist {
		/// The file.
		path: String,
		/// What went wrong.
		reason: String,
	},
	/// The configuration is unusable.
	#[error("configuration: {0}")]
	Config(String),
}

impl MinerError {
	/// Whether trying the same step again later may succeed (the node or a peer was
	/// unreachable).
	pub fn is_transient(&self) -> bool {
		match self {
			MinerError::Chain { source, .. } => source.is_transient(),
			MinerError::Artifact { source, .. } => source.is_transient(),
			MinerError::CheckpointUnavailable { .. } => true,
			_ => false,
		}
	}

	pub(crate) fn chain(phase: Phase) -> impl FnOnce(ChainError) -> Self {
		move |source| MinerError::Chain { phase, source }
	}

	pub(crate) fn artifact(phase: Phase) -> impl FnOnce(ArtifactError) -> Self {
		move |source| MinerError::Artifact { phase, source }
	}

	pub(crate) fn training(phase: Phase) -> impl FnOnce(TrainingError) -> Self {
		move |source| MinerError::Training { phase, source }
	}
}
