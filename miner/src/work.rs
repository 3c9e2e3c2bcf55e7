//! The work of a round, without the chain: train with every boundary state written to the
//! store as it is produced (never all of them in memory), then publish the update, the loss
//! trace and the manifest, and save the error-feedback buffer the round leaves.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arena_artifacts::{ArtifactHash, ArtifactKind, Store};
use arena_chain_client::types::{Hash32, RoundIndex};
use arena_training::manifest::loss_trace_bytes;
use arena_training::params::ParamSet;
use arena_training::{
	resume_round_streaming, Checkpoint, Corpus, Device, ResumePoint, RoundManifest, RoundSink,
	StreamedRound, TrainState, TrainingConfig, TrainingError,
};
use bytes::Bytes;
use tokio::runtime::Handle;

use crate::error::MinerError;
use crate::journal::{Journal, JournalFile, RoundKey};
use crate::metrics::Metrics;
use crate::persist::{ErrorFeedbackStore, RoundRecord};
use crate::phases::Phase;
use crate::progress::TrainProgress;

/// Everything one round's training needs.
#[derive(Clone)]
pub struct RoundJob {
	/// The subnet's training task.
	pub config: TrainingConfig,
	/// The round's checkpoint `C_r`.
	pub checkpoint: Arc<Checkpoint>,
	/// Its hash (as on chain).
	pub checkpoint_hash: Hash32,
	/// The error-feedback buffer to start from (`None`: zeros, a first round).
	pub error_feedback: Option<ParamSet>,
	/// The residual hash the chain binds this round's `e` to (zero for a first round).
	pub previous_residual: Hash32,
	/// The subnet's corpus.
	pub corpus: Arc<Corpus>,
	/// The round.
	pub round: RoundIndex,
	/// The round seed.
	pub round_seed: Hash32,
	/// The miner's hotkey (its 32 account bytes seed its batches).
	pub hotkey: Hash32,
	/// The device to train on.
	pub device: Device,
}

impl RoundJob {
	/// What identifies this round's training (for the journal).
	pub fn round_key(&self) -> RoundKey {
		RoundKey {
			round: self.round,
			checkpoint: self.checkpoint_hash,
			previous_residual: self.previous_residual,
		}
	}
}

/// A trained round whose states are in the store.
#[derive(Clone, Debug)]
pub struct TrainOutput {
	/// The training core's results (commitment, update, state hashes, losses, `e_{r+1}`).
	pub round: StreamedRound,
	/// Wall-clock seconds of training, state writes included.
	pub train_seconds: f64,
	/// Seconds of those spent writing states to the store.
	pub state_upload_seconds: f64,
	/// Training throughput (tokens per second).
	pub tokens_per_sec: f64,
}

/// Writes each boundary state to the store as the trainer hands it out, and reports progress.
struct StoreSink<'a> {
	store: &'a Store,
	rt: &'a Handle,
	stop: &'a AtomicBool,
	progress: &'a TrainProgress,
	metrics: &'a Metrics,
	upload: Duration,
	tokens_per_step: u64,
	started: Instant,
	/// Steps done before this run (a resumed round).
	resumed_steps: u64,
	/// Where progress is journalled, and for which round.
	journal: Option<(&'a JournalFile, RoundKey)>,
	/// Boundary hashes and losses so far (the journal's contents).
	hashes: Vec<Hash32>,
	losses: Vec<f32>,
}

impl RoundSink for StoreSink<'_> {
	fn on_step(&mut self, step: u64, loss: f32) -> arena_training::Result<()> {
		self.losses.push(loss);
		let secs = self.started.elapsed().as_secs_f64();
		let tps = if secs > 0.0 {
			(step.saturating_sub(self.resumed_steps) * self.tokens_per_step) as f64 / secs
		} else {
			0.0
		};
		self.progress.step(step, loss, tps);
		self.metrics.observe_step(loss, tps);
		if self.stop.load(Ordering::Relaxed) {
			return Err(TrainingError::Stopped(
				"the round's commit deadline has passed".into(),
			));
		}
		Ok(())
	}

	fn on_boundary(
		&mut self,
		index: usize,
		state: &TrainState,
		hash: &Hash32,
	) -> arena_training::Result<()> {
		let t = Instant::now();
		store_state(self.store, self.rt, state, hash)
			.map_err(|e| TrainingError::Stopped(format!("boundary state {index}: {e}")))?;
		self.hashes.push(*hash);
		if let Some((file, key)) = &self.journal {
			if let Err(e) = file.save(&Journal::new(key, &self.hashes, &self.losses)) {
				tracing::warn!(error = %e, "training journal not written: a restart would start the round over");
			}
		}
		self.upload += t.elapsed();
		Ok(())
	}
}

/// Puts one state's canonical bytes into the store under its hash.
pub(crate) fn store_state(
	store: &Store,
	rt: &Handle,
	state: &TrainState,
	hash: &Hash32,
) -> Result<(), arena_artifacts::ArtifactError> {
	let bytes = Bytes::from(state.to_canonical_bytes());
	rt.block_on(store.put_expected(ArtifactKind::State, ArtifactHash(*hash), bytes))
}

/// Trains `job`'s round (blocking: run it on a blocking thread), writing each boundary state
/// to `store` as it is produced and, with a `journal`, the progress after each one. With
/// `resume`, continues from that boundary (see [`crate::journal`]). Setting `stop` ends
/// training at the next step with [`TrainingError::Stopped`].
#[allow(clippy::too_many_arguments)]
pub fn train(
	job: &RoundJob,
	store: &Store,
	rt: &Handle,
	stop: &AtomicBool,
	progress: &TrainProgress,
	metrics: &Metrics,
	journal: Option<&JournalFile>,
	resume: Option<ResumePoint>,
) -> Result<TrainOutput, MinerError> {
	let started = Instant::now();
	let key = job.round_key();
	let (hashes, losses, resumed_steps) = match &resume {
		Some(r) => (r.state_hashes.clone(), r.losses.clone(), r.state.step),
		None => (Vec::new(), Vec::new(), 0),
	};
	let mut sink = StoreSink {
		store,
		rt,
		stop,
		progress,
		metrics,
		upload: Duration::ZERO,
		tokens_per_step: (job.config.batch_size * job.config.model.context) as u64,
		started,
		resumed_steps,
		journal: journal.map(|f| (f, key)),
		hashes,
		losses,
	};
	let round = resume_round_streaming(
		&job.config,
		&job.checkpoint,
		job.error_feedback.as_ref(),
		&job.corpus,
		&job.round_seed,
		&job.hotkey,
		&job.device,
		resume,
		&mut sink,
	)
	.map_err(MinerError::training(Phase::Train))?;
	let upload = sink.upload;
	progress.finish();
	let steps_run = job.config.inner_steps.saturating_sub(resumed_steps);
	Ok(finish_output(
		job,
		round,
		started.elapsed(),
		upload,
		steps_run,
	))
}

/// Assembles a [`TrainOutput`] from a round and its timings; `steps_run` is the number of
/// steps this run computed (fewer than `H` when it resumed).
pub(crate) fn finish_output(
	job: &RoundJob,
	round: StreamedRound,
	elapsed: Duration,
	upload: Duration,
	steps_run: u64,
) -> TrainOutput {
	let train_seconds = elapsed.as_secs_f64();
	let tokens = steps_run as f64 * (job.config.batch_size * job.config.model.context) as f64;
	let compute = (elapsed.saturating_sub(upload)).as_secs_f64();
	TrainOutput {
		round,
		train_seconds,
		state_upload_seconds: upload.as_secs_f64(),
		tokens_per_sec: if compute > 0.0 { tokens / compute } else { 0.0 },
	}
}

/// Publishes a trained round: the update, the loss trace and the manifest into `store`, and
/// the error-feedback buffer `e_{r+1}` into `efs` (before anything is committed). Returns the
/// record to commit.
pub async fn publish(
	job: &RoundJob,
	out: &TrainOutput,
	store: &Store,
	efs: &ErrorFeedbackStore,
) -> Result<RoundRecord, MinerError> {
	let started = Instant::now();
	let c = &out.round.commitment;
	let art = MinerError::artifact(Phase::Publish);
	store
		.put_expected(
			ArtifactKind::Update,
			ArtifactHash(c.update_hash),
			Bytes::from(out.round.update.clone()),
		)
		.await
		.map_err(art)?;
	let loss_trace_hash = store
		.put(
			ArtifactKind::LossTrace,
			Bytes::from(loss_trace_bytes(&out.round.losses)),
		)
		.await
		.map_err(MinerError::artifact(Phase::Publish))?;
	let manifest = RoundManifest::from_commitment(
		u64::from(job.round),
		job.hotkey,
		job.config.segment_len,
		c,
		out.round.state_hashes.clone(),
		loss_trace_hash.0,
	);
	let manifest_key = store
		.put(ArtifactKind::Manifest, Bytes::from(manifest.encode()))
		.await
		.map_err(MinerError::artifact(Phase::Publish))?;
	let residual = efs.save(&out.round.next_error_feedback)?;
	if residual != c.residual_hash {
		return Err(MinerError::Unrecoverable(
			"saved error-feedback buffer does not hash to the committed residual".into(),
		));
	}
	let steps = u32::try_from(c.steps)
		.map_err(|_| MinerError::Config(format!("{} inner steps do not fit a u32", c.steps)))?;
	Ok(RoundRecord {
		round: job.round,
		checkpoint: job.checkpoint_hash,
		update_hash: c.update_hash,
		merkle_root: c.merkle_root,
		steps,
		fingerprint: c.fingerprint.hash(),
		residual_hash: c.residual_hash,
		previous_residual: job.previous_residual,
		manifest_key: manifest_key.0,
		final_loss: out.round.losses.last().copied().map_or(f64::NAN, f64::from),
		tokens_per_sec: out.tokens_per_sec,
		train_seconds: out.train_seconds,
		upload_seconds: out.state_upload_seconds + started.elapsed().as_secs_f64(),
		committed_at: None,
	})
}
