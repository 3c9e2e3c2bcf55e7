//! Cheat modes, for tests and the demo only (cargo feature `cheats`, hidden flag `--cheat`).
//!
//! Each mode produces a round that looks well-formed (valid artifacts, a commitment the chain
//! accepts) but that an honest validator's audit rejects:
//!
//! | mode | what it does | what the audit finds |
//! | --- | --- | --- |
//! | `random` | honest states, random update bytes of valid format | the update does not follow from the final state |
//! | `copy` | honest states, another miner's update re-published | the update does not follow from the final state |
//! | `lazy` | trains `H/2` steps and claims `H` (later states repeat the last one) | late segments do not re-run to the claimed states |
//! | `partial` | honest first half, garbage states later | late segments do not re-run; the update does not follow |
//! | `poison` | honest states, update = −10 × the honest update input | the update does not follow from the final state |
//! | `forge-ef` | chooses `e` so that the update is one of its choice | leaf 0's `e` is not the committed residual |
//!
//! These modes never run unless both the feature and the flag are given.

use std::str::FromStr;
use std::time::Instant;

use arena_artifacts::{ArtifactKind, Fetcher, Store};
use arena_chain_client::port::ChainView;
use arena_chain_client::types::{AccountId, RoundState};
use arena_training::compression::{compress, compress_with_feedback, update_input};
use arena_training::merkle::MerkleTree;
use arena_training::model::param_layout;
use arena_training::params::ParamSet;
use arena_training::residual::residual_hash;
use arena_training::update_format::{encode, update_hash};
use arena_training::{train_round, RoundArtifacts, StreamedRound, TrainState};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use tokio::runtime::Handle;

use crate::error::MinerError;
use crate::phases::Phase;
use crate::work::{finish_output, store_state, RoundJob, TrainOutput};

/// A way to cheat (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheatMode {
	/// Random update bytes of valid format.
	Random,
	/// Another miner's update re-published.
	Copy,
	/// `H/2` steps trained, `H` claimed.
	Lazy,
	/// Correct first segments, garbage later.
	Partial,
	/// Honest states, a scaled negative update.
	Poison,
	/// An error-feedback buffer chosen to steer the update.
	ForgeEf,
}

impl CheatMode {
	/// Every mode.
	pub const ALL: [CheatMode; 6] = [
		CheatMode::Random,
		CheatMode::Copy,
		CheatMode::Lazy,
		CheatMode::Partial,
		CheatMode::Poison,
		CheatMode::ForgeEf,
	];

	/// The flag value.
	pub fn as_str(self) -> &'static str {
		match self {
			CheatMode::Random => "random",
			CheatMode::Copy => "copy",
			CheatMode::Lazy => "lazy",
			CheatMode::Partial => "partial",
			CheatMode::Poison => "poison",
			CheatMode::ForgeEf => "forge-ef",
		}
	}
}

impl FromStr for CheatMode {
	type Err = MinerError;
	fn from_str(s: &str) -> Result<Self, Self::Err> {
		CheatMode::ALL
			.into_iter()
			.find(|m| m.as_str() == s)
			.ok_or_else(|| MinerError::Config(format!("unknown cheat mode {s:?}")))
	}
}

fn training_err(e: arena_training::TrainingError) -> MinerError {
	MinerError::training(Phase::Train)(e)
}

fn rng(job: &RoundJob, tag: &[u8]) -> ChaCha20Rng {
	let mut h = blake3::Hasher::new();
	h.update(b"arena-miner-cheat");
	h.update(tag);
	h.update(&job.round_seed);
	h.update(&job.hotkey);
	ChaCha20Rng::from_seed(*h.finalize().as_bytes())
}

fn noise(rng: &mut ChaCha20Rng, n: usize, scale: f32) -> Vec<f32> {
	(0..n)
		.map(|_| ((rng.next_u32() as f32 / u32::MAX as f32) - 0.5) * 2.0 * scale)
		.collect()
}

/// An honest in-memory round of `job` (every state kept: cheaters run small models).
fn honest(job: &RoundJob, e: Option<&ParamSet>) -> Result<RoundArtifacts, MinerError> {
	train_round(
		&job.config,
		&job.checkpoint,
		e,
		&job.corpus,
		&job.round_seed,
		&job.hotkey,
		&job.device,
	)
	.map_err(training_err)
}

/// Trains `job` the way `mode` cheats, stores its states and returns the round to publish
/// (blocking, like [`crate::work::train`]). `copy` trains honestly here; its update is
/// replaced at publication ([`copy_update`]).
pub fn train(
	mode: &CheatMode,
	job: &RoundJob,
	store: &Store,
	rt: &Handle,
) -> Result<TrainOutput, MinerError> {
	let started = Instant::now();
	let cfg = &job.config;
	let layout = param_layout(&cfg.model);
	let mut art = match mode {
		CheatMode::Random | CheatMode::Poison | CheatMode::Copy | CheatMode::Partial => {
			honest(job, job.error_feedback.as_ref())?
		},
		CheatMode::Lazy => {
			let mut half = cfg.clone();
			let c = cfg.segment_len;
			half.inner_steps = ((cfg.inner_steps / 2) / c).max(1) * c;
			let mut half_job = job.clone();
			half_job.config = half;
			let mut a = honest(&half_job, job.error_feedback.as_ref())?;
			let last = a
				.boundary_states
				.last()
				.cloned()
				.ok_or_else(|| MinerError::Unrecoverable("lazy round has no states".into()))?;
			for i in a.boundary_states.len()..cfg.num_leaves() {
				let mut s = last.clone();
				s.step = i as u64 * c;
				a.state_hashes.push(s.hash());
				a.boundary_states.push(s);
			}
			a.commitment.steps = cfg.inner_steps;
			a
		},
		CheatMode::ForgeEf => {
			// θ_H does not depend on e (e only rides along in the states): train once to learn
			// θ_H, pick the update wanted, solve for e, and train again carrying that e.
			let first = honest(job, job.error_feedback.as_ref())?;
			let theta_0 = job.checkpoint.params.to_flat();
			let theta_h = first
				.boundary_states
				.last()
				.map(|s| s.params.to_flat())
				.unwrap_or_else(|| theta_0.clone());
			let beta = cfg.compression.feedback_decay.max(1e-3);
			let wanted = noise(&mut rng(job, b"forge-ef"), theta_0.len(), 0.05);
			let forged: Vec<f32> = wanted
				.iter()
				.zip(theta_h.iter().zip(&theta_0))
				.map(|(t, (h, z))| (t - (h - z)) / beta)
				.collect();
			let e = ParamSet::from_flat(&layout, &forged).map_err(MinerError::Unrecoverable)?;
			honest(job, Some(&e))?
		},
	};
	let theta_0 = job.checkpoint.params.to_flat();
	let e_flat = job
		.error_feedback
		.as_ref()
		.map(ParamSet::to_flat)
		.unwrap_or_else(|| vec![0.0; theta_0.len()]);
	match mode {
		CheatMode::Random => {
			let x = noise(&mut rng(job, b"random"), theta_0.len(), 0.01);
			art.update = encode(&compress(&x, &cfg.compression), &layout);
		},
		CheatMode::Poison => {
			let theta_h = art
				.boundary_states
				.last()
				.map(|s| s.params.to_flat())
				.unwrap_or_else(|| theta_0.clone());
			let x: Vec<f32> =
				update_input(&theta_h, &theta_0, &e_flat, cfg.compression.feedback_decay)
					.into_iter()
					.map(|v| -10.0 * v)
					.collect();
			art.update = encode(&compress(&x, &cfg.compression), &layout);
		},
		CheatMode::Partial => {
			let n = art.boundary_states.len();
			let mut r = rng(job, b"partial");
			for i in (n / 2 + 1)..n {
				let s: &mut TrainState = &mut art.boundary_states[i];
				let p = s.params.to_flat();
				let garbage: Vec<f32> = p
					.iter()
					.zip(noise(&mut r, p.len(), 0.1))
					.map(|(a, b)| a + b)
					.collect();
				s.params =
					ParamSet::from_flat(&layout, &garbage).map_err(MinerError::Unrecoverable)?;
				art.state_hashes[i] = s.hash();
			}
		},
		CheatMode::Lazy => {
			// The update of the steps actually run, with the residual it leaves.
			let theta_h = art
				.boundary_states
				.last()
				.map(|s| s.params.to_flat())
				.unwrap_or_else(|| theta_0.clone());
			let (c, residual) =
				compress_with_feedback(&theta_h, &theta_0, &e_flat, &cfg.compression);
			art.update = encode(&c, &layout);
			art.next_error_feedback =
				ParamSet::from_flat(&layout, &residual).map_err(MinerError::Unrecoverable)?;
		},
		CheatMode::Copy | CheatMode::ForgeEf => {},
	}
	art.commitment.update_hash = update_hash(&art.update);
	art.commitment.residual_hash = residual_hash(&art.next_error_feedback);
	art.commitment.merkle_root = MerkleTree::new(&art.state_hashes)
		.map(|t| t.root())
		.ok_or_else(|| MinerError::Unrecoverable("no states".into()))?;
	let t = Instant::now();
	for (s, h) in art.boundary_states.iter().zip(&art.state_hashes) {
		store_state(store, rt, s, h).map_err(MinerError::artifact(Phase::Train))?;
	}
	let upload = t.elapsed();
	tracing::warn!(
		mode = mode.as_str(),
		round = job.round,
		"CHEATING on purpose (--cheat)"
	);
	let round = StreamedRound {
		commitment: art.commitment,
		update: art.update,
		state_hashes: art.state_hashes,
		losses: art.losses,
		next_error_feedback: art.next_error_feedback,
	};
	Ok(finish_output(
		job,
		round,
		started.elapsed(),
		upload,
		job.config.inner_steps,
	))
}

/// `copy`: replaces `out`'s update with another miner's committed update of `round`, fetched
/// from that miner's endpoint. `None` while no other miner has committed (try again later).
pub async fn copy_update<C: ChainView>(
	chain: &C,
	fetcher: &Fetcher,
	round: &RoundState,
	me: &AccountId,
	out: &TrainOutput,
) -> Result<Option<TrainOutput>, MinerError> {
	let current = chain
		.current_round(round.netuid)
		.await
		.map_err(MinerError::chain(Phase::Publish))?;
	let Some(current) = current.filter(|c| c.index == round.index) else {
		return Ok(None);
	};
	let neurons = chain
		.neurons(round.netuid)
		.await
		.map_err(MinerError::chain(Phase::Publish))?;
	for c in current.commitments.iter().filter(|c| &c.hotkey != me) {
		let Some(endpoint) = neurons
			.iter()
			.find(|n| n.hotkey == c.hotkey)
			.and_then(|n| n.endpoint.clone())
		else {
			continue;
		};
		let hash = arena_artifacts::ArtifactHash(c.contribution.update_hash);
		if let Ok(bytes) = fetcher.fetch(&endpoint, ArtifactKind::Update, hash).await {
			let mut copied = out.clone();
			copied.round.update = bytes.to_vec();
			copied.round.commitment.update_hash = c.contribution.update_hash;
			tracing::warn!(victim = %c.hotkey, "CHEATING on purpose: copied another miner's update");
			return Ok(Some(copied));
		}
	}
	Ok(None)
}
