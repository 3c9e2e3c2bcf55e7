//! What the audit of any round needs from the chain and the local machine, gathered once:
//! [`AuditEnv`] (store, corpus, device, settings) and [`RoundData`] (the round's task,
//! checkpoint and seeds as read from the chain).

use std::sync::Arc;
use std::time::Duration;

use arena_chain_client::port::ChainView;
use arena_chain_client::types::{CommitmentView, Hash32, NetUid, Neuron, RoundState};
use arena_training::model::param_layout;
use arena_training::{Checkpoint, Corpus, Device, TrainingConfig, TrainingError};

use crate::artifacts::Artifacts;
use crate::audit::{audit_miner, MinerAudit, MinerTarget, RoundInputs};
use crate::config::ValidatorSettings;
use crate::error::ValidatorError;

/// The validator's local means.
#[derive(Clone)]
pub struct AuditEnv {
	/// The subnet.
	pub netuid: NetUid,
	/// Store and fetcher.
	pub artifacts: Artifacts,
	/// The subnet's corpus.
	pub corpus: Arc<Corpus>,
	/// The device audits and evaluations run on.
	pub device: Device,
	/// Loop settings.
	pub settings: ValidatorSettings,
}

/// A round as the audit needs it.
#[derive(Clone)]
pub struct RoundData {
	/// The chain's view of the round.
	pub state: RoundState,
	/// The task.
	pub config: TrainingConfig,
	/// Segments audited per selected miner (the task's `s`, or the settings' override).
	pub audit_segments: u32,
	/// `C_r`, decoded.
	pub checkpoint: Arc<Checkpoint>,
	/// The round seed.
	pub round_seed: Hash32,
	/// The audit seed.
	pub audit_seed: Hash32,
	/// Allowed fingerprint hashes.
	pub allowed: Vec<Hash32>,
	/// The metagraph.
	pub neurons: Vec<Neuron>,
}

impl RoundData {
	/// Reads the task, metagraph and checkpoint of `state`'s round. `None` while its seeds
	/// are not known yet.
	pub async fn load<C: ChainView>(
		chain: &C,
		env: &AuditEnv,
		state: &RoundState,
	) -> Result<Option<Self>, ValidatorError> {
		let (Some(round_seed), Some(audit_seed)) = (state.round_seed, state.audit_seed) else {
			return Ok(None);
		};
		let task = chain.training_task(env.netuid).await?;
		let config = task.config;
		let info = chain.rounds_info(env.netuid).await?;
		let neurons = chain.neurons(env.netuid).await?;
		env.corpus
			.check_fits(config.model.context)
			.map_err(TrainingError::from)?;
		let bytes = env
			.artifacts
			.checkpoint(state.checkpoint, info.genesis.as_ref(), &neurons)
			.await?;
		let checkpoint = Checkpoint::from_bytes(&bytes, &param_layout(&config.model))
			.map_err(TrainingError::from)?;
		Ok(Some(Self {
			state: state.clone(),
			config,
			audit_segments: env.settings.audit_segments.unwrap_or(task.audit_segments),
			checkpoint: Arc::new(checkpoint),
			round_seed,
			audit_seed,
			allowed: info.allowed_fingerprints,
			neurons,
		}))
	}

	/// The inputs of every audit of this round.
	pub fn inputs<'a>(&'a self, env: &'a AuditEnv, fetch_timeout: Duration) -> RoundInputs<'a> {
		RoundInputs {
			round: self.state.index,
			config: &self.config,
			checkpoint: &self.checkpoint,
			checkpoint_hash: self.state.checkpoint,
			corpus: &env.corpus,
			round_seed: self.round_seed,
			audit_seed: self.audit_seed,
			allowed_fingerprints: &self.allowed,
			device: &env.device,
			fetch_timeout,
		}
	}

	/// The audit target for `commitment`, re-running `segments`.
	pub fn target(&self, commitment: &CommitmentView, segments: Vec<u32>) -> MinerTarget {
		let neuron = self.neurons.iter().find(|n| n.hotkey == commitment.hotkey);
		MinerTarget {
			commitment: commitment.clone(),
			uid: neuron.map(|n| n.uid),
			endpoint: neuron.and_then(|n| n.endpoint.clone()),
			segments,
		}
	}

	/// Audits `commitment`'s miner on `segments`.
	pub async fn audit(
		&self,
		env: &AuditEnv,
		commitment: &CommitmentView,
		segments: Vec<u32>,
	) -> MinerAudit {
		let inputs = self.inputs(env, env.settings.miner_fetch_timeout());
		audit_miner(&inputs, &env.artifacts, &self.target(commitment, segments)).await
	}
}
