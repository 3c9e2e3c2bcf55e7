//! The next checkpoint `C_{r+1}` (SPEC §6.7), computed identically by every validator.
//!
//! **Accepted updates** = the updates of the round's committed miners that passed the
//! *public* checks (allowed backend, manifest against the commitment, update and residual
//! recomputed bit for bit from the committed final state — host computations that give the
//! same answer on every machine), **minus** every miner with an open challenge for the round
//! on chain. Both inputs are the same for every validator: the artifacts are
//! content-addressed and the challenges are chain state. Segment audits are sampled per
//! validator, so a segment failure enters the aggregate only through its challenge, which
//! every validator sees. The set is re-read during the Voting phase and the vote is changed
//! when it changes (a late challenge).
//!
//! **Weights**: equal (1 per accepted update), not usefulness: usefulness is computed on
//! each validator's backend and may differ in the last bits across backends, which would give
//! different checkpoint hashes. The training core's `outer_step` sorts the updates by hash,
//! so the order does not matter either. No accepted update: no vote (the chain keeps `C_r`).

use arena_chain_client::types::{AccountId, ChallengeView, Hash32, RoundIndex};
use arena_training::outer::{outer_step, WeightedUpdate};
use arena_training::usefulness::evaluate_loss;
use arena_training::{Checkpoint, Corpus, Device, TrainingConfig, TrainingError};
use bytes::Bytes;

use crate::audit::MinerAudit;

/// The fixed seed of the global validation loss (the loss curve), so rounds compare.
pub const VALIDATION_SEED: [u8; 32] = *b"arena/validation-loss/v1\0\0\0\0\0\0\0\0";

/// An accepted update.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
	/// The miner.
	pub miner: AccountId,
	/// Its update hash.
	pub update_hash: Hash32,
	/// The update bytes.
	pub bytes: Bytes,
}

/// The accepted updates of `round` (see the module docs), sorted by update hash.
pub fn accepted_updates(
	round: RoundIndex,
	audits: &[MinerAudit],
	open_challenges: &[ChallengeView],
) -> Vec<Accepted> {
	let mut out: Vec<Accepted> = audits
		.iter()
		.filter(|a| {
			!open_challenges
				.iter()
				.any(|c| c.round == round && c.miner == a.hotkey)
		})
		.filter_map(|a| {
			a.aggregatable().map(|bytes| Accepted {
				miner: a.hotkey,
				update_hash: a.update_hash,
				bytes: bytes.clone(),
			})
		})
		.collect();
	out.sort_by_key(|a| a.update_hash);
	out
}

/// `C_{r+1}` from `C_r` and the accepted updates (equal weights); `None` when there are none.
pub fn next_checkpoint(
	config: &TrainingConfig,
	checkpoint: &Checkpoint,
	accepted: &[Accepted],
) -> Result<Option<Checkpoint>, TrainingError> {
	if accepted.is_empty() {
		return Ok(None);
	}
	let updates: Vec<WeightedUpdate<'_>> = accepted
		.iter()
		.map(|a| WeightedUpdate {
			bytes: &a.bytes,
			weight: 1,
		})
		.collect();
	outer_step(config, checkpoint, &updates).map(Some)
}

/// The global validation loss of `checkpoint` (fixed seed [`VALIDATION_SEED`]).
pub fn validation_loss(
	config: &TrainingConfig,
	checkpoint: &Checkpoint,
	corpus: &Corpus,
	device: &Device,
) -> Result<f64, TrainingError> {
	evaluate_loss(
		config,
		&checkpoint.params,
		corpus.validation(),
		&VALIDATION_SEED,
		device,
	)
}
