//! The miner tests' in-memory chain and fixtures: a tiny task, a small generated corpus, a
//! genesis checkpoint served over HTTP by the "owner", and a driver for the loop.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use arena_artifacts::{serve, ArtifactKind, ArtifactServer, FetchConfig, LocalStore, RetryPolicy};
use arena_chain_client::port::{ChainError, ChainResult, ChainView, MinerChain};
use arena_chain_client::types::{
	AccountId, Balance, ChallengeView, CommitmentView, Contribution, EscrowSummary,
	GenesisCheckpoint, Hash32, NetUid, Neuron, Phase, RoundIndex, RoundState, RoundsInfo, TaskView,
};
use arena_miner::{Metrics, Miner, MinerOptions, Phase as MinerPhase};
use arena_training::model::init_params;
use arena_training::{BackendFingerprint, Checkpoint, Corpus, TrainingConfig};
use bytes::Bytes;

pub const NETUID: NetUid = 3;
pub const HOTKEY: [u8; 32] = [7; 32];
pub const OTHER: [u8; 32] = [8; 32];
pub const TEMPO: u32 = 1000;
pub const DEADLINE: u32 = 600;
pub const VOTE_WINDOW: u32 = 100;

/// The tiny task with 4 steps in segments of 2.
pub fn config() -> TrainingConfig {
	let mut c = TrainingConfig::tiny();
	c.inner_steps = 4;
	c.segment_len = 2;
	c
}

/// ~24 KB of generated text.
pub fn corpus() -> Arc<Corpus> {
	static C: OnceLock<Arc<Corpus>> = OnceLock::new();
	C.get_or_init(|| {
		let words = [
			"arena",
			"miner",
			"trains",
			"the",
			"model",
			"round",
			"after",
			"round",
			"while",
			"validators",
			"audit",
			"segments",
			"and",
			"the",
			"chain",
			"keeps",
			"books",
		];
		let mut text = String::new();
		let mut x: u32 = 12345;
		while text.len() < 24_000 {
			x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
			text.push_str(words[(x >> 16) as usize % words.len()]);
			text.push(if (x >> 8).is_multiple_of(11) {
				'\n'
			} else {
				' '
			});
		}
		Arc::new(Corpus::from_texts(
			vec![("gen.txt".into(), text.into_bytes())],
			config().validation_fraction,
		))
	})
	.clone()
}

/// The genesis checkpoint and its hash.
pub fn genesis() -> &'static (Checkpoint, Hash32) {
	static G: OnceLock<(Checkpoint, Hash32)> = OnceLock::new();
	G.get_or_init(|| {
		let ck = Checkpoint::new(init_params(&config().model, [0x11; 32]));
		let h = ck.hash().expect("hash");
		(ck, h)
	})
}

pub fn round_seed(index: RoundIndex) -> Hash32 {
	*blake3::hash(&index.to_le_bytes()).as_bytes()
}

pub fn fingerprint() -> Hash32 {
	BackendFingerprint::of(&arena_training::default_device()).hash()
}

/// The owner's artifact server holding the genesis checkpoint.
pub async fn owner_server() -> (tempfile::TempDir, ArtifactServer) {
	let dir = tempfile::tempdir().expect("tempdir");
	let store = LocalStore::open(dir.path(), arena_miner::store_limits(&config())).expect("store");
	let bytes = genesis().0.to_bytes().expect("bytes");
	store
		.put(ArtifactKind::Checkpoint, Bytes::from(bytes))
		.await
		.expect("put");
	let server = serve(store, "127.0.0.1:0".parse().expect("addr"))
		.await
		.expect("serve");
	(dir, server)
}

#[derive(Default)]
struct Inner {
	block: u32,
	rounds: Vec<RoundState>,
	genesis_url: String,
	last_residual: HashMap<[u8; 32], Hash32>,
	endpoints: Vec<(AccountId, String)>,
	commit_calls: Vec<(RoundIndex, Contribution)>,
	/// Blocks added on every `finalized_block` call (a chain that moves while the miner works).
	advance_per_poll: u32,
}

/// An in-memory chain: the test opens rounds and moves the block; calls are recorded.
pub struct FakeChain {
	hotkey: AccountId,
	inner: Mutex<Inner>,
}

impl FakeChain {
	pub fn new(genesis_url: String) -> Arc<Self> {
		Arc::new(Self {
			hotkey: AccountId::from(HOTKEY),
			inner: Mutex::new(Inner {
				genesis_url,
				..Inner::default()
			}),
		})
	}

	fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
		self.inner.lock().unwrap_or_else(|p| p.into_inner())
	}

	/// Opens round `index` at block `start` from `checkpoint`; the block moves to `start + 1`.
	pub fn open_round(&self, index: RoundIndex, start: u32, checkpoint: Hash32) {
		let mut g = self.lock();
		g.rounds.push(RoundState {
			netuid: NETUID,
			index,
			start,
			tempo: TEMPO,
			commit_deadline: DEADLINE,
			vote_window: VOTE_WINDOW,
			audit_block: start + DEADLINE,
			checkpoint,
			round_seed: Some(round_seed(index)),
			audit_seed: None,
			phase: Phase::Training,
			blocks_left: None,
			phase_starts: [
				start,
				start + DEADLINE,
				start + DEADLINE + 1,
				start + TEMPO - VOTE_WINDOW,
				start + TEMPO,
			],
			commitments: Vec::new(),
			votes: Vec::new(),
		});
		g.block = start + 1;
	}

	/// Drops round `index`'s record, as the chain does once its escrow window has passed.
	pub fn prune_round(&self, index: RoundIndex) {
		self.lock().rounds.retain(|r| r.index != index);
	}

	pub fn set_block(&self, block: u32) {
		self.lock().block = block;
	}

	pub fn advance_per_poll(&self, blocks: u32) {
		self.lock().advance_per_poll = blocks;
	}

	pub fn commit_calls(&self) -> Vec<(RoundIndex, Contribution)> {
		self.lock().commit_calls.clone()
	}

	pub fn commitment(&self, index: RoundIndex, hotkey: &AccountId) -> Option<CommitmentView> {
		self.lock()
			.rounds
			.iter()
			.find(|r| r.index == index)
			.and_then(|r| r.commitment_of(hotkey).cloned())
	}

	pub fn endpoint(&self) -> Option<String> {
		self.lock()
			.endpoints
			.iter()
			.find(|(h, _)| h == &self.hotkey)
			.map(|(_, e)| e.clone())
	}

	/// Records another miner's commitment (for `copy`).
	pub fn add_commitment(
		&self,
		index: RoundIndex,
		hotkey: AccountId,
		c: Contribution,
		endpoint: String,
	) {
		let mut g = self.lock();
		let block = g.block;
		g.endpoints.retain(|(h, _)| h != &hotkey);
		g.endpoints.push((hotkey, endpoint));
		if let Some(r) = g.rounds.iter_mut().find(|r| r.index == index) {
			r.commitments.push(CommitmentView {
				hotkey,
				contribution: c,
				previous_residual: [0; 32],
				committed_at: block,
			});
		}
	}

	fn view(r: &RoundState, now: u32) -> RoundState {
		let mut r = r.clone();
		let s = r.phase_starts;
		r.phase = if now < s[0] {
			Phase::NotStarted
		} else if now < s[1] {
			Phase::Training
		} else if now < s[2] {
			Phase::DeadlinePassed
		} else if now < s[3] {
			Phase::Auditing
		} else if now < s[4] {
			Phase::Voting
		} else {
			Phase::Closed
		};
		r
	}
}

impl ChainView for FakeChain {
	fn hotkey(&self) -> AccountId {
		self.hotkey
	}

	async fn finalized_block(&self) -> ChainResult<u32> {
		let mut g = self.lock();
		g.block += g.advance_per_poll;
		Ok(g.block)
	}

	async fn current_round(&self, _netuid: NetUid) -> ChainResult<Option<RoundState>> {
		let g = self.lock();
		Ok(g.rounds.last().map(|r| Self::view(r, g.block)))
	}

	async fn round(&self, _netuid: NetUid, index: RoundIndex) -> ChainResult<Option<RoundState>> {
		let g = self.lock();
		Ok(g.rounds
			.iter()
			.find(|r| r.index == index)
			.map(|r| Self::view(r, g.block)))
	}

	async fn rounds_info(&self, _netuid: NetUid) -> ChainResult<RoundsInfo> {
		let g = self.lock();
		Ok(RoundsInfo {
			genesis: Some(GenesisCheckpoint {
				hash: genesis().1,
				size: 0,
				url: g.genesis_url.clone(),
			}),
			commit_deadline: Some(DEADLINE),
			vote_window: Some(VOTE_WINDOW),
			allowed_fingerprints: vec![fingerprint()],
			checkpoint: Some(genesis().1),
			open_round: g.rounds.last().map(|r| r.index),
			next_round: g.rounds.last().map_or(0, |r| r.index + 1),
		})
	}

	async fn training_task(&self, _netuid: NetUid) -> ChainResult<TaskView> {
		Ok(TaskView {
			config: config(),
			corpus: corpus().id(),
			audit_segments: 1,
		})
	}

	async fn neurons(&self, _netuid: NetUid) -> ChainResult<Vec<Neuron>> {
		let g = self.lock();
		Ok(g.endpoints
			.iter()
			.enumerate()
			.map(|(uid, (hotkey, endpoint))| Neuron {
				uid: uid as u16,
				hotkey: *hotkey,
				stake: 0,
				validator_permit: false,
				endpoint: Some(endpoint.clone()),
				incentive: 0,
				dividends: 0,
			})
			.collect())
	}

	async fn last_residual(&self, _netuid: NetUid, hotkey: &AccountId) -> ChainResult<Hash32> {
		Ok(self
			.lock()
			.last_residual
			.get(&hotkey.0)
			.copied()
			.unwrap_or([0; 32]))
	}

	async fn open_challenges(&self, _netuid: NetUid) -> ChainResult<Vec<ChallengeView>> {
		Ok(Vec::new())
	}

	async fn escrow_of(&self, _netuid: NetUid, _account: &AccountId) -> ChainResult<EscrowSummary> {
		Ok(EscrowSummary::default())
	}

	async fn free_balance(&self, _account: &AccountId) -> ChainResult<Balance> {
		Ok(0)
	}
}

impl MinerChain for FakeChain {
	async fn serve_endpoint(&self, _netuid: NetUid, url: &str) -> ChainResult<()> {
		let mut g = self.lock();
		g.endpoints.retain(|(h, _)| h != &self.hotkey);
		g.endpoints.push((self.hotkey, url.to_string()));
		Ok(())
	}

	async fn commit_contribution(
		&self,
		_netuid: NetUid,
		round: RoundIndex,
		contribution: Contribution,
	) -> ChainResult<()> {
		let mut g = self.lock();
		g.commit_calls.push((round, contribution));
		let block = g.block;
		let hotkey = self.hotkey;
		let previous = g.last_residual.get(&hotkey.0).copied().unwrap_or([0; 32]);
		let r = g
			.rounds
			.iter_mut()
			.find(|r| r.index == round)
			.ok_or_else(|| ChainError::Dispatch("Rounds::NoOpenRound".into()))?;
		if block >= r.start + r.commit_deadline {
			return Err(ChainError::Dispatch("Rounds::CommitDeadlinePassed".into()));
		}
		if r.commitment_of(&hotkey).is_some() {
			return Err(ChainError::Dispatch("Rounds::AlreadyCommitted".into()));
		}
		r.commitments.push(CommitmentView {
			hotkey,
			contribution,
			previous_residual: previous,
			committed_at: block,
		});
		g.last_residual.insert(hotkey.0, contribution.residual_hash);
		Ok(())
	}
}

/// Fast fetches for tests.
pub fn fetch_config() -> FetchConfig {
	FetchConfig {
		connect_timeout: Duration::from_secs(2),
		idle_timeout: Duration::from_secs(2),
		attempt_timeout: Duration::from_secs(10),
		retry: RetryPolicy {
			max_attempts: 2,
			initial_backoff: Duration::from_millis(10),
			max_backoff: Duration::from_millis(20),
		},
	}
}

/// Options for a miner in `base` serving on a free loopback port, polling every 10 ms.
pub fn options(base: &std::path::Path) -> MinerOptions {
	let mut o = MinerOptions::new(NETUID, base.join("artifacts").display().to_string(), base);
	o.serve = Some("127.0.0.1:0".parse().expect("addr"));
	o.poll_interval = Duration::from_millis(10);
	o.fetch = fetch_config();
	o
}

pub async fn start(chain: &Arc<FakeChain>, opts: MinerOptions) -> Miner<FakeChain> {
	Miner::start(
		chain.clone(),
		opts,
		corpus(),
		arena_training::default_device(),
		Arc::new(Metrics::new()),
	)
	.await
	.expect("miner starts")
}

/// Ticks `miner` until `done` holds (at most `max` ticks), sleeping 10 ms when it waits;
/// returns the phases it went through.
pub async fn drive(
	miner: &mut Miner<FakeChain>,
	max: usize,
	mut done: impl FnMut(&Miner<FakeChain>) -> bool,
) -> Vec<MinerPhase> {
	let mut phases = vec![miner.phase()];
	for _ in 0..max {
		if done(miner) {
			return phases;
		}
		let t = miner.tick().await;
		if !matches!(t, Ok(arena_miner::Tick::Advanced)) {
			tokio::time::sleep(Duration::from_millis(10)).await;
		}
		if phases.last() != Some(&miner.phase()) {
			phases.push(miner.phase());
		}
	}
	assert!(done(miner), "condition not reached; phases {phases:?}");
	phases
}
