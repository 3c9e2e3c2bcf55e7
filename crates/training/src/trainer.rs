//! The inner training loop: `H` AdamW steps from a checkpoint, a state commitment every `c`
//! steps, the per-step loss trace and the compressed update (SPEC §6.2–6.3).
//!
//! Step `t` (0-based) trains on [`crate::sampler::batch_seed`]`(round_seed, hotkey, t)` and
//! applies [`crate::optimizer::adamw_update`] with bias-correction step `t + 1`. The state at a
//! boundary is read back to the host ([`InnerLoop::state`]) and hashed
//! ([`TrainState::hash`]); restoring it with [`InnerLoop::new`] continues bit-for-bit on the
//! same backend, which is what lets a validator re-run one segment alone.

use burn::prelude::*;
use tracing::{debug, info};

use crate::checkpoint::Checkpoint;
use crate::compression::compress_with_feedback;
use crate::config::TrainingConfig;
use crate::corpus::Corpus;
use crate::error::{Result, TrainingError};
use crate::fingerprint::BackendFingerprint;
use crate::merkle::MerkleTree;
use crate::model::{batch_to_device, forward_loss, param_layout, scalar, to_device, to_host};
use crate::optimizer::adamw_update;
use crate::params::{ParamSet, ParamSpec};
use crate::residual::residual_hash;
use crate::round::{RoundArtifacts, RoundCommitment, StreamedRound};
use crate::sampler::{batch_seed, sample_batch};
use crate::state::{Hash32, TrainState};
use crate::update_format::{encode, update_hash};

/// A training state living on a device.
pub struct InnerLoop {
	config: TrainingConfig,
	layout: Vec<ParamSpec>,
	device: Device,
	params: Vec<Tensor<2>>,
	m: Vec<Tensor<2>>,
	v: Vec<Tensor<2>>,
	step: u64,
	error_feedback: ParamSet,
}

impl InnerLoop {
	/// Uploads `state` to `device` (a plain device; autodiff is enabled per step).
	pub fn new(config: &TrainingConfig, state: &TrainState, device: &Device) -> Result<Self> {
		config.validate()?;
		let layout = param_layout(&config.model);
		for (what, set) in [
			("params", &state.params),
			("adam_m", &state.adam_m),
			("adam_v", &state.adam_v),
			("error_feedback", &state.error_feedback),
		] {
			if !set.matches_layout(&layout) {
				return Err(TrainingError::Inconsistent(format!(
					"state {what} does not match the model layout"
				)));
			}
		}
		let device = device.clone().without_autodiff();
		Ok(Self {
			config: config.clone(),
			params: to_device(&state.params, &device),
			m: to_device(&state.adam_m, &device),
			v: to_device(&state.adam_v, &device),
			layout,
			device,
			step: state.step,
			error_feedback: state.error_feedback.clone(),
		})
	}

	/// Steps completed.
	pub fn step_index(&self) -> u64 {
		self.step
	}

	/// Runs one inner step on `tokens` (the corpus's training split) and returns its loss.
	///
	/// The step runs on a worker of rayon's pool: each of its parallel kernels then starts on
	/// that worker, which takes part in the work, instead of on a caller that sleeps until the
	/// pool is done and is woken again (on the default model ≈ 900 context switches per step
	/// that way, 120–250 this way). Which thread runs it changes no result.
	pub fn step(&mut self, tokens: &[u8], round_seed: &[u8; 32], hotkey: &[u8]) -> Result<f32> {
		rayon::scope(|_| self.step_here(tokens, round_seed, hotkey))
	}

	fn step_here(&mut self, tokens: &[u8], round_seed: &[u8; 32], hotkey: &[u8]) -> Result<f32> {
		let cfg = &self.config;
		let seed = batch_seed(round_seed, hotkey, self.step);
		let batch =
			sample_batch(tokens, cfg.batch_size, cfg.model.context, seed).ok_or_else(|| {
				TrainingError::Inconsistent("training split shorter than one window".into())
			})?;
		let leaves: Vec<Tensor<2>> = self
			.params
			.iter()
			.map(|p| p.clone().autodiff().require_grad())
			.collect();
		let (inputs, targets) = batch_to_device(&batch, &self.device);
		let loss = forward_loss(&leaves, &cfg.model, inputs, targets);
		let grads = loss.backward();
		let loss_value = scalar(loss.without_autodiff())?;
		if !loss_value.is_finite() {
			return Err(TrainingError::Diverged {
				step: self.step,
				loss: loss_value,
			});
		}
		let t = self.step + 1;
		for (i, leaf) in leaves.iter().enumerate() {
			let grad = leaf.grad(&grads).ok_or_else(|| {
				TrainingError::Backend(format!("no gradient for `{}`", self.layout[i].name))
			})?;
			let (theta, m, v) = adamw_update(
				&cfg.adamw,
				&self.layout[i],
				t,
				self.params[i].clone(),
				grad,
				self.m[i].clone(),
				self.v[i].clone(),
			);
			self.params[i] = theta;
			self.m[i] = m;
			self.v[i] = v;
		}
		self.step = t;
		Ok(loss_value)
	}

	/// Reads the full state back to the host.
	pub fn state(&self) -> Result<TrainState> {
		Ok(TrainState {
			step: self.step,
			params: to_host(&self.params, &self.layout)?,
			adam_m: to_host(&self.m, &self.layout)?,
			adam_v: to_host(&self.v, &self.layout)?,
			error_feedback: self.error_feedback.clone(),
		})
	}
}

/// Runs `n_steps` inner steps from `start`; returns the end state and the losses.
pub fn run_segment(
	config: &TrainingConfig,
	start: &TrainState,
	tokens: &[u8],
	round_seed: &[u8; 32],
	hotkey: &[u8],
	n_steps: u64,
	device: &Device,
) -> Result<(TrainState, Vec<f32>)> {
	let mut lp = InnerLoop::new(config, start, device)?;
	let mut losses = Vec::with_capacity(n_steps as usize);
	for _ in 0..n_steps {
		losses.push(lp.step(tokens, round_seed, hotkey)?);
	}
	Ok((lp.state()?, losses))
}

/// Receives a round's results as [`train_round_streaming`] produces them, so that a miner can
/// write each boundary state to disk at once instead of keeping every state in memory.
pub trait RoundSink {
	/// After every inner step: the steps done so far (1-based) and the step's loss. An error
	/// stops the round (e.g. the miner learnt that the commit deadline has passed).
	fn on_step(&mut self, _step: u64, _loss: f32) -> Result<()> {
		Ok(())
	}

	/// Each boundary state in order (`index` = segment boundary: the state after `index·c`
	/// steps) with its hash ([`TrainState::hash`]). An error stops the round.
	fn on_boundary(&mut self, index: usize, state: &TrainState, hash: &Hash32) -> Result<()>;
}

/// A sink that keeps every boundary state in memory (what [`train_round`] returns).
#[derive(Default)]
struct KeepAll(Vec<TrainState>);

impl RoundSink for KeepAll {
	fn on_boundary(&mut self, _index: usize, state: &TrainState, _hash: &Hash32) -> Result<()> {
		self.0.push(state.clone());
		Ok(())
	}
}

/// A miner's round: `H` steps from `checkpoint`, committing the state every `c` steps, then
/// the update `compress(θ_H − θ_0 + β·e)` with the miner's error feedback `e` (zeros if `None`,
/// a first round), and the hash of the residual it leaves (SPEC §6.3). `e` must be the buffer
/// of the miner's previous round (`next_error_feedback`), whose hash it committed: the audit
/// rejects any other. Keeps every boundary state in memory; [`train_round_streaming`] hands
/// them out instead, with the same results.
pub fn train_round(
	config: &TrainingConfig,
	checkpoint: &Checkpoint,
	error_feedback: Option<&ParamSet>,
	corpus: &Corpus,
	round_seed: &[u8; 32],
	hotkey: &[u8],
	device: &Device,
) -> Result<RoundArtifacts> {
	let mut sink = KeepAll::default();
	let out = train_round_streaming(
		config,
		checkpoint,
		error_feedback,
		corpus,
		round_seed,
		hotkey,
		device,
		&mut sink,
	)?;
	Ok(RoundArtifacts {
		commitment: out.commitment,
		update: out.update,
		state_hashes: out.state_hashes,
		boundary_states: sink.0,
		losses: out.losses,
		next_error_feedback: out.next_error_feedback,
	})
}

/// [`train_round`] that hands every boundary state to `sink` as soon as it is read back
/// (index 0 first, the round's start) and keeps only the latest one: memory stays at one
/// state whatever `H / c`. The results are those of [`train_round`], bit for bit.
#[allow(clippy::too_many_arguments)]
pub fn train_round_streaming(
	config: &TrainingConfig,
	checkpoint: &Checkpoint,
	error_feedback: Option<&ParamSet>,
	corpus: &Corpus,
	round_seed: &[u8; 32],
	hotkey: &[u8],
	device: &Device,
	sink: &mut dyn RoundSink,
) -> Result<StreamedRound> {
	resume_round_streaming(
		config,
		checkpoint,
		error_feedback,
		corpus,
		round_seed,
		hotkey,
		device,
		None,
		sink,
	)
}

/// Where an interrupted round picks up: its boundary state `k` (the state after `k·c`
/// steps, `k ≥ 1`), the hashes of boundary states `0..=k` and the losses of the first `k·c`
/// steps, as an earlier run of the same round handed them to its [`RoundSink`].
#[derive(Clone, Debug)]
pub struct ResumePoint {
	/// Boundary state `k`.
	pub state: TrainState,
	/// Hashes of boundary states `0..=k`.
	pub state_hashes: Vec<Hash32>,
	/// Losses of steps `1..=k·c`.
	pub losses: Vec<f32>,
}

/// [`train_round_streaming`] that continues from `resume` (if given) instead of step 0: the
/// sink receives only the steps and boundary states after `k`, and the result is that of an
/// uninterrupted run, bit for bit (every step depends only on the state and on
/// `(round seed, hotkey, step)`). A resume point that does not belong to this round (wrong
/// start state, hash, step count, loss count or error-feedback buffer) is refused with
/// [`TrainingError::Inconsistent`].
#[allow(clippy::too_many_arguments)]
pub fn resume_round_streaming(
	config: &TrainingConfig,
	checkpoint: &Checkpoint,
	error_feedback: Option<&ParamSet>,
	corpus: &Corpus,
	round_seed: &[u8; 32],
	hotkey: &[u8],
	device: &Device,
	resume: Option<ResumePoint>,
	sink: &mut dyn RoundSink,
) -> Result<StreamedRound> {
	config.validate()?;
	corpus.check_fits(config.model.context)?;
	let layout = param_layout(&config.model);
	if !checkpoint.params.matches_layout(&layout) {
		return Err(TrainingError::Inconsistent(
			"checkpoint does not match the model layout".into(),
		));
	}
	let e = match error_feedback {
		Some(e) if e.matches_layout(&layout) => e.clone(),
		Some(_) => {
			return Err(TrainingError::Inconsistent(
				"error-feedback buffer does not match the model layout".into(),
			))
		},
		None => ParamSet::zeros(&layout),
	};
	let start = TrainState::round_start(checkpoint.params.clone(), e.clone());
	let start_hash = start.hash();
	let (mut state_hashes, mut losses, last, first_segment) = match resume {
		None => {
			sink.on_boundary(0, &start, &start_hash)?;
			let losses = Vec::with_capacity(config.inner_steps as usize);
			(vec![start_hash], losses, start, 0u64)
		},
		Some(r) => {
			drop(start);
			let k = check_resume_point(config, &r, &start_hash, &e)?;
			(r.state_hashes, r.losses, r.state, k)
		},
	};
	let mut lp = InnerLoop::new(config, &last, device)?;
	let mut last = last;
	for segment in first_segment..config.num_segments() {
		for _ in 0..config.segment_len {
			let loss = lp.step(corpus.train(), round_seed, hotkey)?;
			debug!(step = lp.step_index(), loss, "inner step");
			losses.push(loss);
			sink.on_step(lp.step_index(), loss)?;
		}
		// Free the previous state before reading the next one back.
		drop(last);
		let s = lp.state()?;
		let h = s.hash();
		info!(
			segment,
			step = s.step,
			loss = losses.last().copied().unwrap_or(f32::NAN),
			"segment committed"
		);
		sink.on_boundary(state_hashes.len(), &s, &h)?;
		state_hashes.push(h);
		last = s;
	}
	let theta_0 = checkpoint.params.to_flat();
	let theta_h = last.params.to_flat();
	drop(last);
	let (compressed, residual) =
		compress_with_feedback(&theta_h, &theta_0, &e.to_flat(), &config.compression);
	let update = encode(&compressed, &layout);
	let next_error_feedback =
		ParamSet::from_flat(&layout, &residual).map_err(TrainingError::Inconsistent)?;
	let tree = MerkleTree::new(&state_hashes)
		.ok_or_else(|| TrainingError::Inconsistent("no states committed".into()))?;
	let commitment = RoundCommitment {
		checkpoint_hash: checkpoint.hash()?,
		update_hash: update_hash(&update),
		merkle_root: tree.root(),
		steps: config.inner_steps,
		fingerprint: BackendFingerprint::of(device),
		residual_hash: residual_hash(&next_error_feedback),
	};
	Ok(StreamedRound {
		commitment,
		update,
		state_hashes,
		losses,
		next_error_feedback,
	})
}

/// Checks that `r` is a boundary of this round (see [`resume_round_streaming`]); returns `k`.
fn check_resume_point(
	config: &TrainingConfig,
	r: &ResumePoint,
	start_hash: &Hash32,
	e: &ParamSet,
) -> Result<u64> {
	let bad = |what: &str| Err(TrainingError::Inconsistent(format!("resume point: {what}")));
	let k = r.state_hashes.len().saturating_sub(1) as u64;
	if k == 0 || k > config.num_segments() {
		return bad("boundary index out of range");
	}
	if r.state_hashes.first() != Some(start_hash) {
		return bad("another round's start state");
	}
	if r.state_hashes.last() != Some(&r.state.hash()) {
		return bad("state does not hash to the last recorded boundary");
	}
	let steps = k.saturating_mul(config.segment_len);
	if r.state.step != steps || r.losses.len() as u64 != steps {
		return bad("step or loss count does not match the boundary");
	}
	if r.state.error_feedback != *e {
		return bad("another error-feedback buffer");
	}
	Ok(k)
}
