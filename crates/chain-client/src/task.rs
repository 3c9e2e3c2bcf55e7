//! The chain's training task → the training core's [`TrainingConfig`].
//!
//! The chain stores a subnet's task in `pallet-subnets` (model dimensions, corpus id, `H`,
//! batch, compression as a top-k density and bit width, audit segments `s`, segment length `c`,
//! tolerance `ε` as a `Perbill`). The training core needs a few more numbers (AdamW, chunk size,
//! error-feedback decay, outer step, validation split): those are the core's defaults. A task
//! is checked with [`arena_rules::training_task::check`], the same rule the chain applies when
//! the owner sets it, so a task the chain accepts always converts; a task the core cannot run
//! is refused with [`TaskError`], never guessed.

use arena_rules::training_task::{self, TaskParams};
use arena_training::TrainingConfig;

use crate::types::Hash32;

pub use arena_rules::training_task::BYTE_VOCAB;

/// Parts per billion in one (the chain's `Perbill`).
const BILLION: u64 = 1_000_000_000;

/// The chain's training task, field by field (plain numbers, as stored on chain).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainTask {
	/// Transformer blocks.
	pub layers: u32,
	/// Residual width.
	pub width: u32,
	/// Attention heads.
	pub heads: u32,
	/// Context length in tokens.
	pub context: u32,
	/// Vocabulary size.
	pub vocab: u32,
	/// Corpus id.
	pub corpus: Hash32,
	/// Inner steps `H`.
	pub inner_steps: u32,
	/// Sequences per step.
	pub batch_size: u32,
	/// Top-k density in parts per billion.
	pub topk_density_ppb: u32,
	/// Bits per quantised value.
	pub bits: u8,
	/// Audit segments per miner `s`.
	pub audit_segments: u16,
	/// Steps per segment `c`.
	pub segment_length: u32,
	/// Tolerance `ε` in parts per billion.
	pub tolerance_ppb: u32,
}

impl ChainTask {
	/// The numbers the task rule checks.
	pub fn params(&self) -> TaskParams {
		TaskParams {
			layers: self.layers,
			width: self.width,
			heads: self.heads,
			context: self.context,
			vocab: self.vocab,
			inner_steps: self.inner_steps,
			batch_size: self.batch_size,
			density_ppb: self.topk_density_ppb,
			bits: self.bits,
			audit_segments: self.audit_segments,
			segment_length: self.segment_length,
			tolerance_ppb: self.tolerance_ppb,
		}
	}
}

/// Why a chain task cannot be run by the training core.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TaskError {
	/// The task breaks the chain's task rule (the training core's bounds).
	#[error("the task breaks the training-task rule: {0:?}")]
	Rule(training_task::TaskError),
	/// The converted configuration failed the core's own validation (a disagreement between
	/// the rule and the core: a bug, reported rather than hidden).
	#[error("the training core rejects the task: {0}")]
	Invalid(String),
}

impl TryFrom<&ChainTask> for TrainingConfig {
	type Error = TaskError;

	/// See [`training_config`].
	fn try_from(task: &ChainTask) -> Result<Self, TaskError> {
		training_config(task)
	}
}

/// Convert `task` into the training core's configuration.
///
/// * model: `n_layers`, `d_model`, `n_heads`, `context` from the task, `mlp_ratio` 4;
/// * `H`, `c`, batch from the task; `ε = tolerance_ppb / 10⁹`;
/// * compression: the core's default chunk size, `k = ⌈density · chunk⌉` (at least 1), the
///   task's bits, the core's default error-feedback decay;
/// * AdamW, outer step, validation split, evaluation batches: the core's defaults.
pub fn training_config(task: &ChainTask) -> Result<TrainingConfig, TaskError> {
	training_task::check(&task.params()).map_err(TaskError::Rule)?;
	let mut config = TrainingConfig::default();
	config.model.n_layers = task.layers as usize;
	config.model.d_model = task.width as usize;
	config.model.n_heads = task.heads as usize;
	config.model.context = task.context as usize;
	config.inner_steps = u64::from(task.inner_steps);
	config.segment_len = u64::from(task.segment_length);
	config.batch_size = task.batch_size as usize;
	config.audit_tolerance = task.tolerance_ppb as f64 / BILLION as f64;
	let chunk = config.compression.chunk_size as u64;
	let k = (u64::from(task.topk_density_ppb) * chunk).div_ceil(BILLION);
	config.compression.k_per_chunk = k.clamp(1, chunk) as usize;
	config.compression.bits = task.bits;
	config
		.validate()
		.map_err(|e| TaskError::Invalid(e.to_string()))?;
	Ok(config)
}

/// The chain task that [`training_config`] turns into `config` (for subnet owners setting a
/// task from a training-core configuration, e.g. the demo's tiny model). Fields the chain
/// does not store must be the core's defaults for the round trip to hold.
pub fn chain_task(config: &TrainingConfig, corpus: Hash32, audit_segments: u16) -> ChainTask {
	let chunk = config.compression.chunk_size.max(1) as u64;
	let density = (config.compression.k_per_chunk as u64 * BILLION) / chunk;
	ChainTask {
		layers: config.model.n_layers as u32,
		width: config.model.d_model as u32,
		heads: config.model.n_heads as u32,
		context: config.model.context as u32,
		vocab: BYTE_VOCAB,
		corpus,
		inner_steps: config.inner_steps as u32,
		batch_size: config.batch_size as u32,
		topk_density_ppb: density.min(BILLION) as u32,
		bits: config.compression.bits,
		audit_segments,
		segment_length: config.segment_len as u32,
		tolerance_ppb: (config.audit_tolerance * BILLION as f64).round() as u32,
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn default_task() -> ChainTask {
		chain_task(&TrainingConfig::default(), [7; 32], 2)
	}

	#[test]
	fn default_config_round_trips_through_the_chain_task() {
		let config = TrainingConfig::default();
		let back = training_config(&chain_task(&config, [7; 32], 2)).expect("runs");
		assert_eq!(back, config);
	}

	#[test]
	fn conversion_fails_if_vocabulary_is_not_bytes() {
		let task = ChainTask {
			vocab: 4096,
			..default_task()
		};
		assert_eq!(
			training_config(&task),
			Err(TaskError::Rule(training_task::TaskError::Vocabulary))
		);
	}

	#[test]
	fn conversion_fails_if_bits_exceed_eight() {
		let task = ChainTask {
			bits: 16,
			..default_task()
		};
		assert_eq!(
			TrainingConfig::try_from(&task),
			Err(TaskError::Rule(training_task::TaskError::Compression))
		);
	}

	#[test]
	fn conversion_fails_if_segment_length_does_not_divide_steps() {
		let task = ChainTask {
			inner_steps: 100,
			segment_length: 16,
			..default_task()
		};
		assert_eq!(
			training_config(&task),
			Err(TaskError::Rule(training_task::TaskError::SegmentLength))
		);
	}

	proptest::proptest! {
		/// The rule and the training core agree: every task the rule accepts converts into a
		/// configuration the core validates (the chain never accepts a task nobody can train).
		#[test]
		fn every_task_the_rule_accepts_the_core_can_run(
			layers in 0u32..300, width_per_head in 0u32..300, heads in 0u32..300,
			context in 0u32..70_000, vocab in proptest::prop_oneof![proptest::strategy::Just(256u32), 0u32..5_000],
			segments in 0u32..200, segment_length in 0u32..200, batch_size in 0u32..70_000,
			density_ppb in 0u32..1_100_000_000, bits in 0u8..12, audit_segments in 0u16..80,
			tolerance_ppb in 0u32..1_100_000_000,
		) {
			let task = ChainTask {
				layers,
				width: width_per_head.saturating_mul(heads.max(1)),
				heads,
				context,
				vocab,
				corpus: [7; 32],
				inner_steps: segments.saturating_mul(segment_length),
				batch_size,
				topk_density_ppb: density_ppb,
				bits,
				audit_segments,
				segment_length,
				tolerance_ppb,
			};
			let accepted = training_task::check(&task.params()).is_ok();
			let converted = training_config(&task);
			proptest::prop_assert_eq!(accepted, converted.is_ok(), "{:?}", converted);
		}

		/// The same over tasks drawn inside the rule's bounds, so that the accepted side is
		/// exercised on every case.
		#[test]
		fn every_task_inside_the_bounds_converts(
			layers in 1u32..=16, heads in 1u32..=16, width_per_head in 1u32..=64,
			context in 1u32..=1_024, segments in 1u32..=64, segment_length in 1u32..=32,
			batch_size in 1u32..=64, density_ppb in 1u32..=1_000_000_000, bits in 2u8..=8,
			audit in 1u16..=64, tolerance_ppb in 1u32..=1_000_000_000,
		) {
			let task = ChainTask {
				layers,
				width: width_per_head * heads,
				heads,
				context,
				vocab: BYTE_VOCAB,
				corpus: [7; 32],
				inner_steps: segments * segment_length,
				batch_size,
				topk_density_ppb: density_ppb,
				bits,
				audit_segments: audit.min(segments as u16),
				segment_length,
				tolerance_ppb,
			};
			proptest::prop_assert_eq!(training_task::check(&task.params()), Ok(()));
			let config = training_config(&task);
			proptest::prop_assert!(config.is_ok(), "{:?}", config);
		}
	}

	#[test]
	fn tiny_density_keeps_at_least_one_value_per_chunk() {
		let task = ChainTask {
			topk_density_ppb: 1,
			..default_task()
		};
		assert_eq!(
			training_config(&task)
				.expect("runs")
				.compression
				.k_per_chunk,
			1
		);
	}
}
