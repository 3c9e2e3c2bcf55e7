//! Errors of the validator: per loop step ([`LoopStep`], [`StepError`]) and the [`Desync`]
//! case where the chain moved on while the validator was working.
//!
//! [`Desync`]: ValidatorError::Desync

use arena_chain_client::port::ChainError;
use arena_chain_client::types::{Phase, RoundIndex};

/// Why something the validator tried failed.
#[derive(Debug, thiserror::Error)]
pub enum ValidatorError {
	/// The chain could not be read or refused a transaction.
	#[error("chain: {0}")]
	Chain(#[from] ChainError),
	/// The artifact store or fetcher failed on our own data.
	#[error("artifacts: {0}")]
	Artifacts(#[from] arena_artifacts::ArtifactError),
	/// The training core failed on data we trust (config, checkpoint, corpus).
	#[error("training core: {0}")]
	Training(#[from] arena_training::TrainingError),
	/// A configuration value or file is unusable.
	#[error("config {what}: {reason}")]
	Config {
		/// The file or value.
		what: String,
		/// Why.
		reason: String,
	},
	/// The round's checkpoint could not be fetched from the genesis url or any validator.
	#[error("checkpoint {hash} is not available anywhere")]
	CheckpointUnavailable {
		/// Its hex hash.
		hash: String,
	},
	/// The chain moved past what the validator expected (a round ended or a phase passed
	/// while it was working); the work for that round is abandoned.
	#[error("desync: expected round {expected_round} in {expected_phase:?}, chain is at round {found_round} in {found_phase:?}")]
	Desync {
		/// The round worked on.
		expected_round: RoundIndex,
		/// The phase the submission needed.
		expected_phase: Phase,
		/// The chain's round.
		found_round: RoundIndex,
		/// The chain's phase.
		found_phase: Phase,
	},
	/// Reading or writing local state (base path, CSV, plot) failed.
	#[error("i/o on {path}: {reason}")]
	Io {
		/// The file.
		path: String,
		/// Why.
		reason: String,
	},
}

impl ValidatorError {
	/// An i/o error on `path`.
	pub fn io(path: impl std::fmt::Display, e: impl std::fmt::Display) -> Self {
		ValidatorError::Io {
			path: path.to_string(),
			reason: e.to_string(),
		}
	}
}

/// The steps of the validation loop, in the order a round runs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoopStep {
	/// Waiting for a round's audit seed.
	Idle,
	/// Revealing a committed weight set.
	Reveal,
	/// Fetching and auditing miners' work.
	Audit,
	/// Setting (or committing) weights.
	Weights,
	/// Challenging failed audits.
	Challenge,
	/// Re-running other validators' challenges and supporting them.
	Support,
	/// Computing, storing and serving the next checkpoint.
	Aggregate,
	/// Voting the next checkpoint.
	Vote,
}

impl LoopStep {
	/// A small number for the `phase` metric (the declaration order).
	pub fn code(self) -> i64 {
		self as i64
	}
}

/// An error of one loop step: the loop logs it and carries on at the next poll.
#[derive(Debug, thiserror::Error)]
#[error("{step:?}: {source}")]
pub struct StepError {
	/// The step that failed.
	pub step: LoopStep,
	/// Why.
	#[source]
	pub source: ValidatorError,
}

/// `Result` of a loop step.
pub type StepResult<T> = Result<T, StepError>;

/// Attaches the step to an error.
pub trait AtStep<T> {
	/// Wrap the error with `step`.
	fn at(self, step: LoopStep) -> StepResult<T>;
}

impl<T, E: Into<ValidatorError>> AtStep<T> for Result<T, E> {
	fn at(self, step: LoopStep) -> StepResult<T> {
		self.map_err(|e| StepError {
			step,
			source: e.into(),
		})
	}
}
