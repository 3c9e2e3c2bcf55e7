//! The miner's round loop as explicit phases (SPEC §6.1–6.3):
//!
//! ```text
//! WaitRound → FetchCheckpoint → Train → Publish → Commit → Serve ─┐
//!     ↑                                                           │
//!     └──────────────── next round opens ─────────────────────────┘
//! ```
//!
//! Each [`Miner::tick`] runs one step of the current phase against the chain (polled, never
//! subscribed) and moves to the next phase, or stays to be polled again. Errors are typed per
//! phase ([`MinerError`]): a transient one (node or peer unreachable) retries the same step at
//! the next poll; [`MinerError::Desync`] (the chain passed the commit deadline) and any other
//! error abandon the round with a log line saying why, and the loop waits for the next round.
//!
//! **Restarts.** The round state in `--base-path` ([`crate::persist`]) and the chain decide
//! where a restarted miner resumes: a round the chain shows committed is served, never
//! retrained or recommitted; a round trained but not yet committed is committed from its
//! stored artifacts; a round still in its training phase is trained; a round whose deadline
//! has passed is skipped with the reason logged.

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use arena_artifacts::{
	serve, ArtifactHash, ArtifactKind, ArtifactServer, FetchConfig, Fetcher, LocalStore,
	SizeLimits, Store,
};
use arena_chain_client::port::MinerChain;
use arena_chain_client::types::{
	AccountId, Hash32, NetUid, Phase as RoundPhase, RoundIndex, RoundState,
};
use arena_training::model::param_layout;
use arena_training::residual::zero_residual_hash;
use arena_training::update_format::max_encoded_len;
use arena_training::{BackendFingerprint, Checkpoint, Corpus, Device, TrainingConfig};
use tracing::{debug, info, warn};

use crate::error::MinerError;
use crate::journal::JournalFile;
use crate::metrics::Metrics;
use crate::persist::{ErrorFeedbackStore, MinerState, RoundRecord, StateFile};
use crate::progress::TrainProgress;
use crate::report::RoundCsv;
use crate::retention::prune_store;
use crate::work::{self, RoundJob, TrainOutput};

/// The phases of the loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
	/// Waiting for a round the miner can still make.
	WaitRound,
	/// Fetching and verifying the round's checkpoint.
	FetchCheckpoint,
	/// Training, boundary states written to the store as they come.
	Train,
	/// Storing the update, loss trace and manifest; saving `e_{r+1}`.
	Publish,
	/// Committing the contribution before the deadline.
	Commit,
	/// Committed: serving artifacts for audits until the next round opens.
	Serve,
}

impl Phase {
	/// Every phase, in loop order.
	pub const ALL: [Phase; 6] = [
		Phase::WaitRound,
		Phase::FetchCheckpoint,
		Phase::Train,
		Phase::Publish,
		Phase::Commit,
		Phase::Serve,
	];

	/// Its name in logs and metrics.
	pub fn as_str(self) -> &'static str {
		match self {
			Phase::WaitRound => "wait_round",
			Phase::FetchCheckpoint => "fetch_checkpoint",
			Phase::Train => "train",
			Phase::Publish => "publish",
			Phase::Commit => "commit",
			Phase::Serve => "serve",
		}
	}
}

impl fmt::Display for Phase {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str(self.as_str())
	}
}

/// How the miner runs (everything but the chain, the corpus and the device).
#[derive(Clone, Debug)]
pub struct MinerOptions {
	/// The subnet.
	pub netuid: NetUid,
	/// Artifact store location (a directory or `s3://bucket/prefix`).
	pub store: String,
	/// Base path: round state, error-feedback buffers, fetch cache, CSV.
	pub base_path: PathBuf,
	/// Serve the (local) store over HTTP on this address.
	pub serve: Option<std::net::SocketAddr>,
	/// The endpoint to announce (default: the HTTP server's URL, or the store's `s3://` URL).
	pub announce: Option<String>,
	/// How often to poll the chain.
	pub poll_interval: Duration,
	/// Draw the training progress bar (when stderr is a terminal).
	pub show_progress: bool,
	/// Fetch timeouts and retries.
	pub fetch: FetchConfig,
	/// Misbehaviour for tests and the demo.
	#[cfg(feature = "cheats")]
	pub cheat: Option<crate::cheat::CheatMode>,
	/// First round the cheat applies to (honest before it, so that it earns rewards a later
	/// slash can take).
	#[cfg(feature = "cheats")]
	pub cheat_from: u32,
}

impl MinerOptions {
	/// Options with defaults: 1 s polls, no server, no progress bar.
	pub fn new(netuid: NetUid, store: impl Into<String>, base_path: impl Into<PathBuf>) -> Self {
		Self {
			netuid,
			store: store.into(),
			base_path: base_path.into(),
			serve: None,
			announce: None,
			poll_interval: Duration::from_secs(1),
			show_progress: false,
			fetch: FetchConfig::default(),
			#[cfg(feature = "cheats")]
			cheat: None,
			#[cfg(feature = "cheats")]
			cheat_from: 0,
		}
	}
}

/// A round the miner did not make, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skip {
	/// The round.
	pub round: RoundIndex,
	/// Why (also logged).
	pub reason: String,
}

/// Where the loop is, with what the next step needs.
#[derive(Clone)]
enum Step {
	WaitRound,
	FetchCheckpoint {
		round: RoundState,
	},
	Train {
		round: RoundState,
		checkpoint: Arc<Checkpoint>,
		config: Arc<TrainingConfig>,
	},
	Publish {
		round: RoundState,
		job: Arc<RoundJob>,
		out: Arc<TrainOutput>,
	},
	Commit {
		round: RoundState,
		record: Box<RoundRecord>,
	},
	Serve {
		round: RoundIndex,
	},
}

impl Step {
	fn phase(&self) -> Phase {
		match self {
			Step::WaitRound => Phase::WaitRound,
			Step::FetchCheckpoint { .. } => Phase::FetchCheckpoint,
			Step::Train { .. } => Phase::Train,
			Step::Publish { .. } => Phase::Publish,
			Step::Commit { .. } => Phase::Commit,
			Step::Serve { .. } => Phase::Serve,
		}
	}

	fn round(&self) -> Option<RoundIndex> {
		match self {
			Step::WaitRound => None,
			Step::FetchCheckpoint { round }
			| Step::Train { round, .. }
			| Step::Publish { round, .. }
			| Step::Commit { round, .. } => Some(round.index),
			Step::Serve { round } => Some(*round),
		}
	}
}

/// What one tick did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tick {
	/// Moved to another phase (tick again at once).
	Advanced,
	/// Nothing to do yet (poll again after the interval).
	Waiting,
}

/// The miner: its chain, store, state and loop.
pub struct Miner<C: MinerChain> {
	chain: Arc<C>,
	opts: MinerOptions,
	hotkey: AccountId,
	hotkey_bytes: Hash32,
	corpus: Arc<Corpus>,
	device: Device,
	store: Store,
	fetcher: Fetcher,
	efs: ErrorFeedbackStore,
	state_file: StateFile,
	journal: JournalFile,
	state: MinerState,
	csv: RoundCsv,
	metrics: Arc<Metrics>,
	server: Option<ArtifactServer>,
	endpoint: Option<String>,
	step: Step,
	skips: Vec<Skip>,
	rewards_round: Option<RoundIndex>,
}

/// The store limits of a task: state, checkpoint and update from the parameter count (the
/// update's exact bound from the compression setting), manifest from `H / c + 1` leaves.
pub fn store_limits(config: &TrainingConfig) -> SizeLimits {
	let layout = param_layout(&config.model);
	let params: u64 = layout.iter().map(|s| s.numel() as u64).sum();
	SizeLimits::from_param_count(params)
		.with(
			ArtifactKind::Update,
			max_encoded_len(&config.compression, &layout) as u64,
		)
		.with_manifest_leaves(config.num_leaves() as u64)
}

impl<C: MinerChain + 'static> Miner<C> {
	/// The cheat mode for round `index` (none before `cheat_from`).
	#[cfg(feature = "cheats")]
	fn cheat_for(&self, index: u32) -> Option<crate::cheat::CheatMode> {
		self.opts.cheat.filter(|_| index >= self.opts.cheat_from)
	}

	/// Sets the miner up: reads the subnet's task, opens the store and the fetch cache, loads
	/// the round state, starts the artifact server (if asked) and announces the endpoint.
	pub async fn start(
		chain: Arc<C>,
		opts: MinerOptions,
		corpus: Arc<Corpus>,
		device: Device,
		metrics: Arc<Metrics>,
	) -> Result<Self, MinerError> {
		let hotkey = chain.hotkey();
		let hotkey_bytes = hotkey.0;
		let netuid = opts.netuid;
		let config = chain
			.training_config(netuid)
			.await
			.map_err(MinerError::chain(Phase::WaitRound))?;
		corpus
			.check_fits(config.model.context)
			.map_err(|e| MinerError::Config(format!("corpus: {e}")))?;
		let limits = store_limits(&config);
		let store =
			Store::open(&opts.store, limits).map_err(MinerError::artifact(Phase::WaitRound))?;
		let cache = LocalStore::open(opts.base_path.join("cache"), limits)
			.map_err(MinerError::artifact(Phase::WaitRound))?;
		let fetcher =
			Fetcher::new(cache, opts.fetch).map_err(MinerError::artifact(Phase::WaitRound))?;
		let state_file = StateFile::new(&opts.base_path, netuid);
		let state = state_file.load(netuid, &hotkey_bytes)?;
		let fingerprint = BackendFingerprint::of(&device).hash();
		let info = chain
			.rounds_info(netuid)
			.await
			.map_err(MinerError::chain(Phase::WaitRound))?;
		if !info.allowed_fingerprints.is_empty()
			&& !info.allowed_fingerprints.contains(&fingerprint)
		{
			return Err(MinerError::Unrecoverable(format!(
				"this build's backend fingerprint {} is not allowed on subnet {netuid}",
				hex::encode(fingerprint)
			)));
		}
		let server = match (opts.serve, &store) {
			(Some(addr), Store::Local(local)) => Some(
				serve(local.clone(), addr)
					.await
					.map_err(MinerError::artifact(Phase::WaitRound))?,
			),
			(Some(_), Store::S3(_)) => {
				warn!("--serve ignored: the store is a bucket, announce its s3:// URL instead");
				None
			},
			(None, _) => None,
		};
		let endpoint = opts.announce.clone().or_else(|| match (&server, &store) {
			(Some(s), _) => Some(s.url()),
			(None, Store::S3(s)) => Some(s.url().to_string()),
			(None, Store::Local(_)) => None,
		});
		let csv = RoundCsv::new(opts.base_path.join("rounds.csv"));
		let efs = ErrorFeedbackStore::new(&opts.base_path);
		info!(
			netuid,
			hotkey = %hotkey,
			store = %opts.store,
			endpoint = endpoint.as_deref().unwrap_or("none"),
			last_committed = ?state.last_committed().map(|r| r.round),
			"miner started"
		);
		let journal = JournalFile::new(&opts.base_path, netuid);
		let miner = Self {
			chain,
			opts,
			hotkey,
			hotkey_bytes,
			corpus,
			device,
			store,
			fetcher,
			efs,
			state_file,
			journal,
			state,
			csv,
			metrics,
			server,
			endpoint,
			step: Step::WaitRound,
			skips: Vec::new(),
			rewards_round: None,
		};
		miner.announce().await?;
		miner.metrics.set_phase(Phase::WaitRound);
		Ok(miner)
	}

	/// Announces the artifact endpoint on chain unless the metagraph already shows it.
	async fn announce(&self) -> Result<(), MinerError> {
		let Some(url) = &self.endpoint else {
			warn!("no artifact endpoint to announce (use --serve or an s3:// store): validators cannot audit this miner");
			return Ok(());
		};
		let neurons = self
			.chain
			.neurons(self.opts.netuid)
			.await
			.map_err(MinerError::chain(Phase::WaitRound))?;
		let current = neurons
			.iter()
			.find(|n| n.hotkey == self.hotkey)
			.and_then(|n| n.endpoint.clone());
		if current.as_deref() != Some(url.as_str()) {
			self.chain
				.serve_endpoint(self.opts.netuid, url)
				.await
				.map_err(MinerError::chain(Phase::WaitRound))?;
			info!(%url, "announced artifact endpoint");
		}
		Ok(())
	}

	/// The current phase.
	pub fn phase(&self) -> Phase {
		self.step.phase()
	}

	/// The round the current phase works on, if any.
	pub fn round(&self) -> Option<RoundIndex> {
		self.step.round()
	}

	/// The persisted round state.
	pub fn state(&self) -> &MinerState {
		&self.state
	}

	/// Rounds skipped since start, with the reasons.
	pub fn skips(&self) -> &[Skip] {
		&self.skips
	}

	/// The artifact store.
	pub fn store(&self) -> &Store {
		&self.store
	}

	/// The artifact server's URL, if serving.
	pub fn server_url(&self) -> Option<String> {
		self.server.as_ref().map(|s| s.url())
	}

	/// The per-round CSV.
	pub fn csv(&self) -> &RoundCsv {
		&self.csv
	}

	/// Runs the loop until `shutdown` completes: ticks, sleeping `poll_interval` whenever a
	/// tick had nothing to do or failed transiently. Only an unrecoverable error ends it.
	pub async fn run(&mut self, shutdown: impl Future<Output = ()>) -> Result<(), MinerError> {
		tokio::pin!(shutdown);
		loop {
			let tick = tokio::select! {
				_ = &mut shutdown => return Ok(()),
				t = self.tick() => t,
			};
			match tick {
				Ok(Tick::Advanced) => continue,
				Ok(Tick::Waiting) => {},
				Err(
					e @ (MinerError::Unrecoverable(_)
					| MinerError::Persist { .. }
					| MinerError::Config(_)),
				) => return Err(e),
				Err(_) => {},
			}
			tokio::select! {
				_ = &mut shutdown => return Ok(()),
				_ = tokio::time::sleep(self.opts.poll_interval) => {},
			}
		}
	}

	/// One step of the current phase. A transient error leaves the phase as it was (retry at
	/// the next poll); any other error abandons the round (logged, recorded in
	/// [`Miner::skips`]) and returns to [`Phase::WaitRound`]; both are returned.
	pub async fn tick(&mut self) -> Result<Tick, MinerError> {
		let step = self.step.clone();
		let phase = step.phase();
		let round = step.round();
		let result = match step.clone() {
			Step::WaitRound => self.wait_round().await,
			Step::FetchCheckpoint { round } => self.fetch_checkpoint(round).await,
			Step::Train {
				round,
				checkpoint,
				config,
			} => self.train(round, checkpoint, config).await,
			Step::Publish { round, job, out } => self.publish(round, job, out).await,
			Step::Commit { round, record } => self.commit(round, *record).await,
			Step::Serve { round } => self.serve(round).await,
		};
		match result {
			Ok(Some(next)) => {
				if next.phase() != phase {
					debug!(from = %phase, to = %next.phase(), round = ?next.round(), "phase");
					self.metrics.set_phase(next.phase());
				}
				self.step = next;
				Ok(Tick::Advanced)
			},
			Ok(None) => Ok(Tick::Waiting),
			Err(e) if e.is_transient() => {
				warn!(%phase, round = ?round, error = %e, "transient error, retrying at the next poll");
				Err(e)
			},
			Err(e) => {
				if let Some(r) = round {
					self.skip(r, format!("abandoned in {phase}: {e}"));
				} else {
					warn!(%phase, error = %e, "error");
				}
				if self.state.training.is_some() {
					self.state.training = None;
					self.state_file.save(&self.state)?;
				}
				self.step = Step::WaitRound;
				self.metrics.set_phase(Phase::WaitRound);
				Err(e)
			},
		}
	}

	/// Records (once per round) that `round` is not made, and why.
	fn skip(&mut self, round: RoundIndex, reason: String) {
		if self.skips.last().is_some_and(|s| s.round == round) {
			return;
		}
		warn!(round, %reason, "skipping round");
		self.metrics.round_skipped();
		self.skips.push(Skip { round, reason });
		let excess = self.skips.len().saturating_sub(64);
		self.skips.drain(..excess);
	}

	fn chain_err(phase: Phase) -> impl FnOnce(arena_chain_client::port::ChainError) -> MinerError {
		MinerError::chain(phase)
	}

	/// `Desync` if the chain is at or past `round`'s deadline.
	async fn check_deadline(&self, round: &RoundState, phase: Phase) -> Result<u32, MinerError> {
		let now = self
			.chain
			.finalized_block()
			.await
			.map_err(Self::chain_err(phase))?;
		if now >= round.deadline_block() {
			return Err(MinerError::Desync {
				round: round.index,
				deadline: round.deadline_block(),
				now,
			});
		}
		Ok(now)
	}

	async fn wait_round(&mut self) -> Result<Option<Step>, MinerError> {
		let netuid = self.opts.netuid;
		let p = Phase::WaitRound;
		let Some(round) = self
			.chain
			.current_round(netuid)
			.await
			.map_err(Self::chain_err(p))?
		else {
			return Ok(None);
		};
		self.metrics.set_round(round.index);
		if let Some(c) = round.commitment_of(&self.hotkey) {
			if !self.state.is_committed(round.index) {
				info!(
					round = round.index,
					block = c.committed_at,
					"round already committed on chain; serving it (no retraining)"
				);
				self.state.mark_committed(round.index, Some(c.committed_at));
				self.state_file.save(&self.state)?;
			}
			return Ok(Some(Step::Serve { round: round.index }));
		}
		if self.state.is_committed(round.index) {
			warn!(
				round = round.index,
				"round recorded as committed but the chain shows no commitment; serving it"
			);
			return Ok(Some(Step::Serve { round: round.index }));
		}
		if round.phase == RoundPhase::NotStarted {
			return Ok(None);
		}
		let now = self
			.chain
			.finalized_block()
			.await
			.map_err(Self::chain_err(p))?;
		if round.phase != RoundPhase::Training || now >= round.deadline_block() {
			self.skip(
				round.index,
				format!(
					"its commit deadline (block {}) has passed: the chain is at block {now} ({:?}); waiting for round {}",
					round.deadline_block(),
					round.phase,
					round.index.saturating_add(1)
				),
			);
			return Ok(None);
		}
		if round.round_seed.is_none() {
			return Ok(None);
		}
		if let Some(p) = self.state.pending.clone() {
			if p.round == round.index
				&& p.checkpoint == round.checkpoint
				&& self
					.store
					.has(ArtifactKind::Manifest, ArtifactHash(p.manifest_key))
					.await
					.unwrap_or(false)
			{
				info!(round = round.index, "round trained before a restart; committing its stored artifacts without retraining");
				return Ok(Some(Step::Commit {
					round,
					record: Box::new(p),
				}));
			}
		}
		if self.state.training == Some(round.index) {
			info!(
				round = round.index,
				blocks_left = round.deadline_block() - now,
				"resuming a round interrupted mid-training: training it again"
			);
		}
		Ok(Some(Step::FetchCheckpoint { round }))
	}

	async fn fetch_checkpoint(&mut self, round: RoundState) -> Result<Option<Step>, MinerError> {
		let p = Phase::FetchCheckpoint;
		self.check_deadline(&round, p).await?;
		let netuid = self.opts.netuid;
		let config = self
			.chain
			.training_config(netuid)
			.await
			.map_err(Self::chain_err(p))?;
		let layout = param_layout(&config.model);
		let hash = ArtifactHash(round.checkpoint);
		let mut sources = Vec::new();
		let info = self
			.chain
			.rounds_info(netuid)
			.await
			.map_err(Self::chain_err(p))?;
		if let Some(g) = info.genesis.filter(|g| g.hash == round.checkpoint) {
			sources.push(g.url);
		}
		let neurons = self
			.chain
			.neurons(netuid)
			.await
			.map_err(Self::chain_err(p))?;
		sources.extend(
			neurons
				.into_iter()
				.filter(|n| n.validator_permit)
				.filter_map(|n| n.endpoint),
		);
		let mut tried = Vec::new();
		let mut found = None;
		if let Ok(bytes) = self.store.get(ArtifactKind::Checkpoint, hash).await {
			found = Some(bytes);
		}
		for src in &sources {
			if found.is_some() {
				break;
			}
			match self
				.fetcher
				.fetch(src, ArtifactKind::Checkpoint, hash)
				.await
			{
				Ok(bytes) => found = Some(bytes),
				Err(e) => tried.push(format!("{src}: {e}")),
			}
		}
		let Some(bytes) = found else {
			return Err(MinerError::CheckpointUnavailable {
				round: round.index,
				checkpoint: hash.to_hex(),
				reason: if sources.is_empty() {
					"no genesis url or validator endpoint to fetch from".into()
				} else {
					tried.join("; ")
				},
			});
		};
		let checkpoint =
			Checkpoint::from_bytes(&bytes, &layout).map_err(|e| MinerError::Training {
				phase: p,
				source: e.into(),
			})?;
		// Keep it in the store too: it is served like every other artifact of the round.
		self.store
			.put_expected(ArtifactKind::Checkpoint, hash, bytes)
			.await
			.map_err(MinerError::artifact(p))?;
		info!(round = round.index, checkpoint = %hash, "checkpoint verified");
		Ok(Some(Step::Train {
			round,
			checkpoint: Arc::new(checkpoint),
			config: Arc::new(config),
		}))
	}

	/// The error-feedback buffer the chain binds this round to: the one whose residual hash
	/// the hotkey last committed (zeros for its first round).
	async fn error_feedback(
		&self,
		config: &TrainingConfig,
	) -> Result<(Option<arena_training::params::ParamSet>, Hash32), MinerError> {
		let layout = param_layout(&config.model);
		let previous = self
			.chain
			.last_residual(self.opts.netuid, &self.hotkey)
			.await
			.map_err(Self::chain_err(Phase::Train))?;
		if previous == [0; 32] || previous == zero_residual_hash(&layout) {
			return Ok((None, previous));
		}
		match self.efs.load(&previous, &layout)? {
			Some(e) => Ok((Some(e), previous)),
			None => Err(MinerError::Unrecoverable(format!(
				"the chain binds this hotkey to error-feedback buffer {}, which is not in {}; \
				 its next rounds would fail the audit",
				hex::encode(previous),
				self.opts.base_path.join("error-feedback").display()
			))),
		}
	}

	async fn train(
		&mut self,
		round: RoundState,
		checkpoint: Arc<Checkpoint>,
		config: Arc<TrainingConfig>,
	) -> Result<Option<Step>, MinerError> {
		let p = Phase::Train;
		let now = self.check_deadline(&round, p).await?;
		let (error_feedback, previous_residual) = self.error_feedback(&config).await?;
		let Some(round_seed) = round.round_seed else {
			return Ok(None);
		};
		let job = Arc::new(RoundJob {
			config: (*config).clone(),
			checkpoint_hash: round.checkpoint,
			checkpoint,
			error_feedback,
			previous_residual,
			corpus: self.corpus.clone(),
			round: round.index,
			round_seed,
			hotkey: self.hotkey_bytes,
			device: self.device.clone(),
		});
		self.state.training = Some(round.index);
		self.state_file.save(&self.state)?;
		let resume = self
			.journal
			.resume_point(&job.round_key(), &config, &self.store)
			.await;
		match &resume {
			Some(r) => info!(
				round = round.index,
				from_step = r.state.step,
				steps = config.inner_steps,
				blocks_left = round.deadline_block().saturating_sub(now),
				"resuming training from the last stored boundary state"
			),
			None => info!(
				round = round.index,
				steps = config.inner_steps,
				blocks_left = round.deadline_block().saturating_sub(now),
				"training"
			),
		}
		let stop = Arc::new(AtomicBool::new(false));
		let watcher = {
			let chain = self.chain.clone();
			let stop = stop.clone();
			let deadline = round.deadline_block();
			let poll = self.opts.poll_interval;
			tokio::spawn(async move {
				loop {
					tokio::time::sleep(poll).await;
					if let Ok(b) = chain.finalized_block().await {
						if b >= deadline {
							stop.store(true, Ordering::Relaxed);
							return;
						}
					}
				}
			})
		};
		let result = {
			let job = job.clone();
			let store = self.store.clone();
			let metrics = self.metrics.clone();
			let progress =
				TrainProgress::new(round.index, config.inner_steps, self.opts.show_progress);
			let stop = stop.clone();
			let rt = tokio::runtime::Handle::current();
			let journal = self.journal.clone();
			#[cfg(feature = "cheats")]
			let cheat = self.cheat_for(round.index);
			tokio::task::spawn_blocking(move || {
				#[cfg(feature = "cheats")]
				if let Some(mode) = cheat {
					return crate::cheat::train(&mode, &job, &store, &rt);
				}
				work::train(
					&job,
					&store,
					&rt,
					&stop,
					&progress,
					&metrics,
					Some(&journal),
					resume,
				)
			})
			.await
		};
		watcher.abort();
		let out = match result {
			Ok(Ok(out)) => out,
			Ok(Err(e)) => {
				if stop.load(Ordering::Relaxed) {
					let now = self
						.chain
						.finalized_block()
						.await
						.unwrap_or(round.deadline_block());
					return Err(MinerError::Desync {
						round: round.index,
						deadline: round.deadline_block(),
						now,
					});
				}
				return Err(e);
			},
			Err(join) => {
				return Err(MinerError::Training {
					phase: p,
					source: arena_training::TrainingError::Backend(join.to_string()),
				})
			},
		};
		info!(
			round = round.index,
			loss = out.round.losses.last().copied().unwrap_or(f32::NAN),
			seconds = out.train_seconds,
			tokens_per_sec = out.tokens_per_sec,
			"trained"
		);
		Ok(Some(Step::Publish {
			round,
			job,
			out: Arc::new(out),
		}))
	}

	async fn publish(
		&mut self,
		round: RoundState,
		job: Arc<RoundJob>,
		out: Arc<TrainOutput>,
	) -> Result<Option<Step>, MinerError> {
		#[cfg(feature = "cheats")]
		let out = match &self.cheat_for(round.index) {
			Some(crate::cheat::CheatMode::Copy) => {
				match crate::cheat::copy_update(
					&*self.chain,
					&self.fetcher,
					&round,
					&self.hotkey,
					&out,
				)
				.await?
				{
					Some(copied) => Arc::new(copied),
					None => {
						self.check_deadline(&round, Phase::Publish).await?;
						return Ok(None);
					},
				}
			},
			_ => out,
		};
		let record = work::publish(&job, &out, &self.store, &self.efs).await?;
		self.state.pending = Some(record.clone());
		self.state.training = None;
		self.state_file.save(&self.state)?;
		info!(
			round = round.index,
			update = %hex::encode(record.update_hash),
			manifest = %hex::encode(record.manifest_key),
			"artifacts published"
		);
		Ok(Some(Step::Commit {
			round,
			record: Box::new(record),
		}))
	}

	async fn commit(
		&mut self,
		round: RoundState,
		record: RoundRecord,
	) -> Result<Option<Step>, MinerError> {
		let p = Phase::Commit;
		let netuid = self.opts.netuid;
		let now = self.check_deadline(&round, p).await?;
		let current = self
			.chain
			.current_round(netuid)
			.await
			.map_err(Self::chain_err(p))?;
		match &current {
			Some(c) if c.index == round.index => {
				if let Some(mine) = c.commitment_of(&self.hotkey) {
					let at = mine.committed_at;
					return self.committed(round.index, Some(at)).map(Some);
				}
			},
			_ => {
				return Err(MinerError::Desync {
					round: round.index,
					deadline: round.deadline_block(),
					now,
				})
			},
		}
		match self
			.chain
			.commit_contribution(netuid, round.index, record.contribution())
			.await
		{
			Ok(()) => {},
			Err(e) if e.is_dispatch("AlreadyCommitted") => {},
			Err(e) if e.is_dispatch("CommitDeadlinePassed") || e.is_dispatch("RoundClosed") => {
				let now = self.chain.finalized_block().await.unwrap_or(now);
				return Err(MinerError::Desync {
					round: round.index,
					deadline: round.deadline_block(),
					now,
				});
			},
			Err(e) => return Err(MinerError::chain(p)(e)),
		}
		let at = self
			.chain
			.current_round(netuid)
			.await
			.ok()
			.flatten()
			.and_then(|r| r.commitment_of(&self.hotkey).map(|c| c.committed_at));
		self.committed(round.index, at).map(Some)
	}

	/// Records `round` as committed (state file, CSV, metrics) and moves to serving.
	fn committed(&mut self, round: RoundIndex, at: Option<u32>) -> Result<Step, MinerError> {
		self.state.mark_committed(round, at);
		self.journal.clear();
		self.state_file.save(&self.state)?;
		if let Some(r) = self.state.last_committed().filter(|r| r.round == round) {
			if let Err(e) = self.csv.append(r) {
				warn!(error = %e, "cannot write the round CSV");
			}
			self.efs.retain(&[r.residual_hash, r.previous_residual])?;
			info!(
				round,
				block = ?at,
				update = %hex::encode(r.update_hash),
				residual = %hex::encode(r.residual_hash),
				"committed"
			);
		}
		self.metrics.round_committed();
		Ok(Step::Serve { round })
	}

	async fn serve(&mut self, round: RoundIndex) -> Result<Option<Step>, MinerError> {
		if self.rewards_round != Some(round) {
			self.rewards_round = Some(round);
			self.update_rewards().await;
			self.prune_artifacts().await;
		}
		let current = self
			.chain
			.current_round(self.opts.netuid)
			.await
			.map_err(Self::chain_err(Phase::Serve))?;
		match current {
			Some(c) if c.index > round => Ok(Some(Step::WaitRound)),
			_ => Ok(None),
		}
	}

	/// Prunes the store to the artifacts of committed rounds whose record the chain still
	/// stores (see [`crate::retention`]). Skipped, with a log line, when the chain cannot be
	/// read: nothing is removed on uncertain information.
	async fn prune_artifacts(&self) {
		let mut needed = std::collections::BTreeSet::new();
		for r in &self.state.committed {
			match self.chain.round(self.opts.netuid, r.round).await {
				Ok(Some(_)) => {
					needed.insert(r.round);
				},
				Ok(None) => {},
				Err(e) => {
					debug!(error = %e, "cannot read round records: artifacts not pruned");
					return;
				},
			}
		}
		match prune_store(&self.store, &self.state.committed, |r| needed.contains(&r)).await {
			Ok(rep) if rep.removed > 0 => info!(
				removed = rep.removed,
				kept = rep.kept,
				freed_bytes = rep.freed_bytes,
				"pruned artifacts of rounds the chain no longer stores"
			),
			Ok(_) => {},
			Err(e) => warn!(error = %e, "artifact pruning failed"),
		}
	}

	/// Reads what escrow holds for the hotkey and its free balance into the metrics.
	async fn update_rewards(&self) {
		let escrow = self.chain.escrow_of(self.opts.netuid, &self.hotkey).await;
		let free = self.chain.free_balance(&self.hotkey).await;
		match (escrow, free) {
			(Ok(e), Ok(f)) => {
				info!(
					held = e.held,
					slashable = e.slashable,
					entries = e.entries,
					free = f,
					"rewards"
				);
				self.metrics.set_rewards(e, f);
			},
			(Err(e), _) | (_, Err(e)) => debug!(error = %e, "cannot read rewards"),
		}
	}

	/// Stops the artifact server.
	pub async fn shutdown(mut self) {
		if let Some(s) = self.server.take() {
			let _ = s.shutdown().await;
		}
	}
}
