//! The chain's training task → the training core's [`TrainingConfig`].
//!
//! The chain stores a subnet's task in `pallet-subnets` (model dimensions, corpus id, `H`,
//! batch, compression as a top-k density and bit width, audit segments `s`, segment length `c`,
//! tolerance `ε` as a `Perbill`). The training core needs a few more numbers (AdamW, chunk size,
//! error-feedback decay, outer step, validation split): those are the core's defaults. A task
//! the core cannot run (a vocabulary other than bytes, bit widths outside 2..=8, a segment
//! length that does not divide `H`, …) is refused with [`TaskError`], never guessed.

use arena_training::TrainingConfig;

use crate::types::Hash32;

/// The vocabulary the training core's byte-level model uses.
pub const BYTE_VOCAB: u32 = 256;

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

/// Why a chain task cannot be run by the training core.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TaskError {
	/// The model's vocabulary is not the byte-level one the core trains.
	#[error("vocabulary {0} is not supported: the training core is byte-level ({BYTE_VOCAB})")]
	Vocabulary(u32),
	/// A field is zero or out of the range the core accepts.
	#[error("task field `{field}` = {value} is out of range ({expected})")]
	OutOfRange {
		/// The field.
		field: &'static str,
		/// Its value.
		value: u64,
		/// What is accepted.
		expected: &'static str,
	},
	/// The converted configuration failed the core's own validation.
	#[error("the training core rejects the task: {0}")]
	Invalid(String),
}

/// Convert `task` into the training core's configuration.
///
/// * model: `n_layers`, `d_model`, `n_heads`, `context` from the task, `mlp_ratio` 4;
/// * `H`, `c`, batch from the task; `ε = tolerance_ppb / 10⁹`;
/// * compression: the core's default chunk size, `k = ⌈density · chunk⌉` (at least 1), the
///   task's bits, the core's default error-feedback decay;
/// * AdamW, outer step, validation split, evaluation batches: the core's defaults.
pub fn training_config(task: &ChainTask) -> Result<TrainingConfig, TaskError> {
	if task.vocab != BYTE_VOCAB {
		return Err(TaskError::Vocabulary(task.vocab));
	}
	if !(2..=8).contains(&task.bits) {
		return Err(TaskError::OutOfRange {
			field: "bits",
			value: u64::from(task.bits),
			expected: "2..=8",
		});
	}
	if task.topk_density_ppb == 0 {
		return Err(TaskError::OutOfRange {
			field: "topk_density",
			value: 0,
			expected: "> 0",
		});
	}
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
		assert_eq!(training_config(&task), Err(TaskError::Vocabulary(4096)));
	}

	#[test]
	fn conversion_fails_if_bits_exceed_eight() {
		let task = ChainTask {
			bits: 16,
			..default_task()
		};
		assert!(matches!(
			training_config(&task),
			Err(TaskError::OutOfRange { field: "bits", .. })
		));
	}

	#[test]
	fn conversion_fails_if_density_is_zero() {
		let task = ChainTask {
			topk_density_ppb: 0,
			..default_task()
		};
		assert!(matches!(
			training_config(&task),
			Err(TaskError::OutOfRange {
				field: "topk_density",
				..
			})
		));
	}

	#[test]
	fn conversion_fails_if_segment_length_does_not_divide_steps() {
		let task = ChainTask {
			inner_steps: 100,
			segment_length: 16,
			..default_task()
		};
		assert!(matches!(training_config(&task), Err(TaskError::Invalid(_))));
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
