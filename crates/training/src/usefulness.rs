//! Usefulness of an update (SPEC §6.6).
//!
//! ```text
//! L(θ)        = (1/N) Σ_{i<N} loss(θ, batch_i),   batch_i = sample(validation split,
//!               eval_seed(seed, i)),  N = config.eval_batches   (f64 mean of f32 losses)
//! usefulness  = L(θ_0) − L(θ_0 + x̂)
//! ```
//!
//! `x̂` is the decoded update (≈ the miner's `θ_H − θ_0 + e`); the seed is the audit seed, so
//! every validator evaluates the same batches and, on the same backend, gets the same number.

use burn::prelude::*;

use crate::checkpoint::Checkpoint;
use crate::compression::decompress;
use crate::config::TrainingConfig;
use crate::corpus::Corpus;
use crate::error::{Result, TrainingError};
use crate::model::{batch_to_device, forward_loss, param_layout, scalar, to_device};
use crate::params::ParamSet;
use crate::sampler::{eval_seed, sample_batch};
use crate::state::Hash32;
use crate::update_format::decode;

/// Losses before and after applying an update.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usefulness {
	/// `L(θ_0)`.
	pub loss_before: f64,
	/// `L(θ_0 + x̂)`.
	pub loss_after: f64,
	/// `loss_before − loss_after` (positive = useful).
	pub score: f64,
}

/// Mean loss of `params` on `config.eval_batches` batches of `tokens` seeded by `seed`.
pub fn evaluate_loss(
	config: &TrainingConfig,
	params: &ParamSet,
	tokens: &[u8],
	seed: &[u8; 32],
	device: &Device,
) -> Result<f64> {
	let layout = param_layout(&config.model);
	if !params.matches_layout(&layout) {
		return Err(TrainingError::Inconsistent(
			"parameters do not match the model layout".into(),
		));
	}
	let device = device.clone().without_autodiff();
	let dev_params = to_device(params, &device);
	let mut total = 0.0f64;
	for i in 0..config.eval_batches {
		let batch = sample_batch(
			tokens,
			config.batch_size,
			config.model.context,
			eval_seed(seed, i as u64),
		)
		.ok_or_else(|| TrainingError::Inconsistent("split shorter than one window".into()))?;
		let (inputs, targets) = batch_to_device(&batch, &device);
		total += scalar(forward_loss(&dev_params, &config.model, inputs, targets))? as f64;
	}
	Ok(total / config.eval_batches as f64)
}

/// Usefulness of `update` (checked against `committed_hash` when given) on `checkpoint`.
pub fn usefulness(
	config: &TrainingConfig,
	checkpoint: &Checkpoint,
	update: &[u8],
	committed_hash: Option<&Hash32>,
	corpus: &Corpus,
	seed: &[u8; 32],
	device: &Device,
) -> Result<Usefulness> {
	config.validate()?;
	corpus.check_fits(config.model.context)?;
	let layout = param_layout(&config.model);
	let delta = decompress(&decode(
		update,
		&config.compression,
		&layout,
		committed_hash,
	)?);
	let theta: Vec<f32> = checkpoint
		.params
		.to_flat()
		.iter()
		.zip(&delta)
		.map(|(t, d)| t + d)
		.collect();
	let after = ParamSet::from_flat(&layout, &theta).map_err(TrainingError::Inconsistent)?;
	let loss_before = evaluate_loss(
		config,
		&checkpoint.params,
		corpus.validation(),
		seed,
		device,
	)?;
	let loss_after = evaluate_loss(config, &after, corpus.validation(), seed, device)?;
	Ok(Usefulness {
		loss_before,
		loss_after,
		score: loss_before - loss_after,
	})
}
