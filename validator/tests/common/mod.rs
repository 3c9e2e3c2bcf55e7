//! Test fixtures: an in-memory chain implementing `ValidatorChain` (rounds advanced by the
//! test, every submission recorded), miners publishing honest or tampered artifacts on
//! their own artifact servers (127.0.0.1), and validators wired to both.
#![allow(dead_code)]

use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use arena_artifacts::{ArtifactKind, ArtifactServer, LocalStore, SizeLimits};
use arena_chain_client::port::{ChainError, ChainResult, ChainView, ValidatorChain};
use arena_chain_client::types::{
	AccountId, Balance, ChallengeView, CommitmentView, Contribution, EscrowSummary, Evidence,
	GenesisCheckpoint, Hash32, NetUid, Neuron, Phase, RoundIndex, RoundState, RoundsInfo, TaskView,
	Uid, WeightsReveal,
};
use arena_training::manifest::RoundManifest;
use arena_training::merkle::MerkleTree;
use arena_training::{BackendFingerprint, Checkpoint, Corpus, RoundArtifacts, TrainingConfig};
use arena_validator::{
	genesis_checkpoint, limits_for, Artifacts, AuditEnv, Metrics, Validator, ValidatorSettings,
};
use bytes::Bytes;

pub const NETUID: NetUid = 3;
pub const ROUND: RoundIndex = 0;
pub const ROUND_SEED: Hash32 = [0x5e; 32];
pub const AUDIT_SEED: Hash32 = [0xa5; 32];
pub const TEMPO: u32 = 100;

pub fn config() -> TrainingConfig {
	TrainingConfig::tiny()
}

pub fn device() -> arena_training::Device {
	arena_training::default_device()
}

pub fn corpus() -> Arc<Corpus> {
	static C: OnceLock<Arc<Corpus>> = OnceLock::new();
	C.get_or_init(|| {
		let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/training/testdata/corpus");
		Arc::new(Corpus::load_dir(&dir, config().validation_fraction).unwrap())
	})
	.clone()
}

pub fn genesis() -> &'static (Checkpoint, Hash32, Vec<u8>) {
	static G: OnceLock<(Checkpoint, Hash32, Vec<u8>)> = OnceLock::new();
	G.get_or_init(|| {
		let ck = genesis_checkpoint(&config(), 0);
		let bytes = ck.to_bytes().unwrap();
		let hash = *blake3::hash(&bytes).as_bytes();
		(ck, hash, bytes)
	})
}

pub fn account(i: u8) -> AccountId {
	AccountId::from([i; 32])
}

/// An honest round of miner `i` (trained once per test binary).
pub fn honest(i: u8) -> &'static RoundArtifacts {
	static R: OnceLock<Mutex<Vec<(u8, &'static RoundArtifacts)>>> = OnceLock::new();
	let cache = R.get_or_init(|| Mutex::new(Vec::new()));
	if let Some((_, r)) = cache.lock().unwrap().iter().find(|(k, _)| *k == i) {
		return r;
	}
	let r = arena_training::train_round(
		&config(),
		&genesis().0,
		None,
		&corpus(),
		&ROUND_SEED,
		&account(i).0,
		&device(),
	)
	.unwrap();
	let r: &'static RoundArtifacts = Box::leak(Box::new(r));
	cache.lock().unwrap().push((i, r));
	r
}

/// A submission the fake chain recorded.
#[derive(Clone, Debug, PartialEq)]
pub enum Call {
	ServeEndpoint(AccountId, String),
	SetWeights(AccountId, Vec<Uid>, Vec<u16>),
	CommitWeights(AccountId, WeightsReveal, u32),
	RevealWeights(AccountId, WeightsReveal, u32),
	Vote(AccountId, RoundIndex, Hash32, Phase),
	Challenge(AccountId, AccountId, RoundIndex, Evidence),
	Support(AccountId, AccountId, RoundIndex),
}

/// The shared chain state.
pub struct World {
	pub block: u32,
	pub round: RoundState,
	pub info: RoundsInfo,
	pub neurons: Vec<Neuron>,
	pub challenges: Vec<ChallengeView>,
	pub commit_reveal: bool,
	pub calls: Vec<Call>,
	/// `current_round` reads so far.
	pub reads: usize,
	/// At this many reads the chain moves on to the next round (a desync).
	pub next_round_at_read: Option<usize>,
}

/// One signer's handle on the shared chain.
#[derive(Clone)]
pub struct FakeChain {
	pub me: AccountId,
	pub world: Arc<Mutex<World>>,
}

fn phase_starts(start: u32) -> [u32; 5] {
	// Training [0, 40), DeadlinePassed 40, Auditing [41, 90), Voting [90, 100), Closed 100.
	[start, start + 40, start + 41, start + 90, start + TEMPO]
}

impl World {
	pub fn new(genesis_url: &str) -> Self {
		let (_, hash, bytes) = genesis();
		let start = 1000;
		Self {
			block: start,
			round: RoundState {
				netuid: NETUID,
				index: ROUND,
				start,
				tempo: TEMPO,
				commit_deadline: 40,
				vote_window: 10,
				audit_block: start + 40,
				checkpoint: *hash,
				round_seed: Some(ROUND_SEED),
				audit_seed: None,
				phase: Phase::Training,
				blocks_left: Some(40),
				phase_starts: phase_starts(start),
				commitments: Vec::new(),
				votes: Vec::new(),
			},
			info: RoundsInfo {
				genesis: Some(GenesisCheckpoint {
					hash: *hash,
					size: bytes.len() as u64,
					url: genesis_url.to_string(),
				}),
				commit_deadline: Some(40),
				vote_window: Some(10),
				allowed_fingerprints: vec![BackendFingerprint::of(&device()).hash()],
				checkpoint: Some(*hash),
				open_round: Some(ROUND),
				next_round: ROUND + 1,
			},
			neurons: Vec::new(),
			challenges: Vec::new(),
			commit_reveal: false,
			calls: Vec::new(),
			reads: 0,
			next_round_at_read: None,
		}
	}

	/// Moves the chain to `phase` (block = the phase's first block; seeds as the chain
	/// records them).
	pub fn set_phase(&mut self, phase: Phase) {
		let idx = match phase {
			Phase::NotStarted | Phase::Training => 0,
			Phase::DeadlinePassed => 1,
			Phase::Auditing => 2,
			Phase::Voting => 3,
			Phase::Closed => 4,
		};
		self.block = self.round.phase_starts[idx];
		self.round.phase = phase;
		if idx >= 2 {
			self.round.audit_seed = Some(AUDIT_SEED);
		}
	}

	pub fn add_neuron(
		&mut self,
		hotkey: AccountId,
		validator: bool,
		endpoint: Option<String>,
	) -> Uid {
		let uid = self.neurons.len() as Uid;
		self.neurons.push(Neuron {
			uid,
			hotkey,
			stake: if validator { 1_000 } else { 0 },
			validator_permit: validator,
			endpoint,
			incentive: 0,
			dividends: 0,
		});
		uid
	}

	pub fn votes(&self) -> Vec<(AccountId, Hash32, Phase)> {
		self.calls
			.iter()
			.filter_map(|c| match c {
				Call::Vote(who, _, h, p) => Some((*who, *h, *p)),
				_ => None,
			})
			.collect()
	}

	pub fn challenges_by(&self, who: &AccountId) -> Vec<(AccountId, Evidence)> {
		self.calls
			.iter()
			.filter_map(|c| match c {
				Call::Challenge(w, m, _, e) if w == who => Some((*m, *e)),
				_ => None,
			})
			.collect()
	}

	pub fn weights_by(&self, who: &AccountId) -> Option<(Vec<Uid>, Vec<u16>)> {
		self.calls.iter().rev().find_map(|c| match c {
			Call::SetWeights(w, u, v) if w == who => Some((u.clone(), v.clone())),
			_ => None,
		})
	}
}

impl FakeChain {
	fn with<T>(&self, f: impl FnOnce(&mut World) -> T) -> T {
		f(&mut self.world.lock().unwrap())
	}

	async fn ok<T: Send>(v: T) -> ChainResult<T> {
		Ok(v)
	}

	fn record(&self, call: Call) -> impl Future<Output = ChainResult<()>> + Send {
		self.with(|w| w.calls.push(call));
		Self::ok(())
	}
}

impl ChainView for FakeChain {
	fn hotkey(&self) -> AccountId {
		self.me
	}
	fn finalized_block(&self) -> impl Future<Output = ChainResult<u32>> + Send {
		Self::ok(self.with(|w| w.block))
	}
	fn current_round(
		&self,
		_: NetUid,
	) -> impl Future<Output = ChainResult<Option<RoundState>>> + Send {
		Self::ok(self.with(|w| {
			w.reads += 1;
			if w.next_round_at_read.is_some_and(|n| w.reads >= n) {
				w.next_round_at_read = None;
				w.round.index += 1;
				w.round.phase = Phase::Training;
			}
			Some(w.round.clone())
		}))
	}
	fn round(
		&self,
		_: NetUid,
		index: RoundIndex,
	) -> impl Future<Output = ChainResult<Option<RoundState>>> + Send {
		Self::ok(self.with(|w| (w.round.index == index).then(|| w.round.clone())))
	}
	fn rounds_info(&self, _: NetUid) -> impl Future<Output = ChainResult<RoundsInfo>> + Send {
		Self::ok(self.with(|w| w.info.clone()))
	}
	fn training_task(&self, _: NetUid) -> impl Future<Output = ChainResult<TaskView>> + Send {
		Self::ok(TaskView {
			config: config(),
			corpus: corpus().id(),
			audit_segments: 2,
		})
	}
	fn neurons(&self, _: NetUid) -> impl Future<Output = ChainResult<Vec<Neuron>>> + Send {
		Self::ok(self.with(|w| w.neurons.clone()))
	}
	fn last_residual(
		&self,
		_: NetUid,
		_: &AccountId,
	) -> impl Future<Output = ChainResult<Hash32>> + Send {
		Self::ok([0u8; 32])
	}
	fn open_challenges(
		&self,
		_: NetUid,
	) -> impl Future<Output = ChainResult<Vec<ChallengeView>>> + Send {
		Self::ok(self.with(|w| w.challenges.clone()))
	}
	fn escrow_of(
		&self,
		_: NetUid,
		_: &AccountId,
	) -> impl Future<Output = ChainResult<EscrowSummary>> + Send {
		Self::ok(EscrowSummary::default())
	}
	fn free_balance(&self, _: &AccountId) -> impl Future<Output = ChainResult<Balance>> + Send {
		Self::ok(0)
	}
}

impl ValidatorChain for FakeChain {
	fn serve_endpoint(&self, _: NetUid, url: &str) -> impl Future<Output = ChainResult<()>> + Send {
		let me = self.me;
		self.with(|w| {
			if let Some(n) = w.neurons.iter_mut().find(|n| n.hotkey == me) {
				n.endpoint = Some(url.to_string());
			}
		});
		self.record(Call::ServeEndpoint(self.me, url.to_string()))
	}
	fn commit_reveal_enabled(&self, _: NetUid) -> impl Future<Output = ChainResult<bool>> + Send {
		Self::ok(self.with(|w| w.commit_reveal))
	}
	fn set_weights(
		&self,
		_: NetUid,
		uids: &[Uid],
		values: &[u16],
	) -> impl Future<Output = ChainResult<()>> + Send {
		self.record(Call::SetWeights(self.me, uids.to_vec(), values.to_vec()))
	}
	fn commit_weights(
		&self,
		_: NetUid,
		reveal: &WeightsReveal,
	) -> impl Future<Output = ChainResult<()>> + Send {
		let at = self.with(|w| w.block);
		self.record(Call::CommitWeights(self.me, reveal.clone(), at))
	}
	fn reveal_weights(
		&self,
		_: NetUid,
		reveal: &WeightsReveal,
	) -> impl Future<Output = ChainResult<()>> + Send {
		let (at, window) = self.with(|w| {
			let committed = w.calls.iter().find_map(|c| match c {
				Call::CommitWeights(who, r, at) if who == &self.me && r == reveal => Some(*at),
				_ => None,
			});
			(w.block, committed.map(|c| (c + 5, c + 20)))
		});
		let result = match window {
			Some((open, close)) if at >= open && at < close => Ok(()),
			Some(_) => Err(ChainError::Dispatch("Subnets::RevealOutsideWindow".into())),
			None => Err(ChainError::Dispatch("Subnets::NoWeightsCommit".into())),
		};
		if result.is_ok() {
			self.with(|w| {
				w.calls
					.push(Call::RevealWeights(self.me, reveal.clone(), at))
			});
		}
		async move { result }
	}
	fn reveal_window(
		&self,
		_: NetUid,
		committed_at: u32,
	) -> impl Future<Output = ChainResult<(u32, u32)>> + Send {
		Self::ok((committed_at + 5, committed_at + 20))
	}
	fn vote_checkpoint(
		&self,
		_: NetUid,
		round: RoundIndex,
		hash: Hash32,
	) -> impl Future<Output = ChainResult<()>> + Send {
		let phase = self.with(|w| w.round.phase);
		self.record(Call::Vote(self.me, round, hash, phase))
	}
	fn challenge(
		&self,
		netuid: NetUid,
		miner: &AccountId,
		round: RoundIndex,
		evidence: Evidence,
	) -> impl Future<Output = ChainResult<()>> + Send {
		let me = self.me;
		self.with(|w| {
			w.challenges.push(ChallengeView {
				netuid,
				miner: *miner,
				round,
				challenger: me,
				evidence,
				supporters: vec![me],
				expires_at: w.block + 500,
			})
		});
		self.record(Call::Challenge(self.me, *miner, round, evidence))
	}
	fn support_challenge(
		&self,
		_: NetUid,
		miner: &AccountId,
		round: RoundIndex,
	) -> impl Future<Output = ChainResult<()>> + Send {
		let me = self.me;
		self.with(|w| {
			for c in w
				.challenges
				.iter_mut()
				.filter(|c| &c.miner == miner && c.round == round)
			{
				c.supporters.push(me);
			}
		});
		self.record(Call::Support(self.me, *miner, round))
	}
}

/// What a miner publishes.
pub struct Published {
	pub manifest: Option<Vec<u8>>,
	pub update: Vec<u8>,
	pub states: Vec<Vec<u8>>,
	pub contribution: Contribution,
}

/// The honest publication of `r` for `hotkey`.
pub fn publication(hotkey: &AccountId, r: &RoundArtifacts) -> Published {
	let states: Vec<Vec<u8>> = r
		.boundary_states
		.iter()
		.map(|s| s.to_canonical_bytes())
		.collect();
	let state_hashes: Vec<Hash32> = states.iter().map(|b| *blake3::hash(b).as_bytes()).collect();
	finish(hotkey, r, r.update.clone(), states, state_hashes)
}

/// Builds the manifest and contribution over given update bytes and states.
pub fn finish(
	hotkey: &AccountId,
	r: &RoundArtifacts,
	update: Vec<u8>,
	states: Vec<Vec<u8>>,
	state_hashes: Vec<Hash32>,
) -> Published {
	let root = MerkleTree::new(&state_hashes).unwrap().root();
	let mut commitment = r.commitment.clone();
	commitment.merkle_root = root;
	commitment.update_hash = *blake3::hash(&update).as_bytes();
	let manifest = RoundManifest::from_commitment(
		u64::from(ROUND),
		hotkey.0,
		config().segment_len,
		&commitment,
		state_hashes,
		[0; 32],
	);
	Published {
		manifest: Some(manifest.encode()),
		update,
		states,
		contribution: Contribution {
			update_hash: commitment.update_hash,
			merkle_root: root,
			steps: commitment.steps as u32,
			fingerprint: commitment.fingerprint.hash(),
			residual_hash: commitment.residual_hash,
		},
	}
}

/// Puts a publication into a fresh store (no size limits to speak of) and serves it.
pub async fn serve_publication(dir: &Path, p: &Published) -> ArtifactServer {
	let store = LocalStore::open(dir, SizeLimits::uniform(1 << 30)).unwrap();
	if let Some(m) = &p.manifest {
		store
			.put(ArtifactKind::Manifest, Bytes::from(m.clone()))
			.await
			.unwrap();
	}
	store
		.put(ArtifactKind::Update, Bytes::from(p.update.clone()))
		.await
		.unwrap();
	for s in &p.states {
		store
			.put(ArtifactKind::State, Bytes::from(s.clone()))
			.await
			.unwrap();
	}
	arena_artifacts::serve(store, "127.0.0.1:0".parse().unwrap())
		.await
		.unwrap()
}

/// The owner's store with the genesis checkpoint, served.
pub async fn serve_genesis(dir: &Path) -> ArtifactServer {
	let store = LocalStore::open(dir, SizeLimits::uniform(1 << 30)).unwrap();
	store
		.put(ArtifactKind::Checkpoint, Bytes::from(genesis().2.clone()))
		.await
		.unwrap();
	arena_artifacts::serve(store, "127.0.0.1:0".parse().unwrap())
		.await
		.unwrap()
}

/// A test network: the chain, the owner's server and the miners' servers.
pub struct Net {
	pub world: Arc<Mutex<World>>,
	pub dir: tempfile::TempDir,
	pub servers: Vec<ArtifactServer>,
}

impl Net {
	pub async fn new() -> Self {
		let dir = tempfile::tempdir().unwrap();
		let owner = serve_genesis(&dir.path().join("owner")).await;
		let world = Arc::new(Mutex::new(World::new(&owner.url())));
		Self {
			world,
			dir,
			servers: vec![owner],
		}
	}

	/// Registers miner `i`, serves `p` and commits its contribution.
	pub async fn add_miner(&mut self, i: u8, p: &Published) -> AccountId {
		let hotkey = account(i);
		let server = serve_publication(&self.dir.path().join(format!("miner{i}")), p).await;
		let url = server.url();
		self.servers.push(server);
		let mut w = self.world.lock().unwrap();
		w.add_neuron(hotkey, false, Some(url));
		let at = w.round.start + 10;
		w.round.commitments.push(CommitmentView {
			hotkey,
			contribution: p.contribution,
			previous_residual: [0; 32],
			committed_at: at,
		});
		hotkey
	}

	/// Registers validator `i` and builds it (state under `<dir>/validator{i}`).
	pub fn validator(&self, i: u8, settings: ValidatorSettings) -> Validator<FakeChain> {
		let hotkey = account(i);
		{
			let mut w = self.world.lock().unwrap();
			if !w.neurons.iter().any(|n| n.hotkey == hotkey) {
				w.add_neuron(hotkey, true, None);
			}
		}
		let base = self.dir.path().join(format!("validator{i}"));
		let limits = limits_for(&config());
		let artifacts = Artifacts::open(
			base.join("store").to_str().unwrap(),
			&base.join("cache"),
			limits,
			&settings,
		)
		.unwrap();
		let env = AuditEnv {
			netuid: NETUID,
			artifacts,
			corpus: corpus(),
			device: device(),
			settings,
		};
		let chain = FakeChain {
			me: hotkey,
			world: self.world.clone(),
		};
		Validator::new(chain, env, &base, None, Metrics::new()).unwrap()
	}

	pub fn set_phase(&self, phase: Phase) {
		self.world.lock().unwrap().set_phase(phase);
	}

	pub fn with<T>(&self, f: impl FnOnce(&mut World) -> T) -> T {
		f(&mut self.world.lock().unwrap())
	}
}

/// Settings for tests: audit every segment of every miner, short timeouts.
pub fn settings() -> ValidatorSettings {
	ValidatorSettings {
		poll_interval_ms: 10,
		audit_segments: Some(config().num_segments() as u32),
		miner_fetch_timeout_s: 20,
		connect_timeout_s: 2,
		idle_timeout_s: 5,
		fetch_attempts: 1,
		..ValidatorSettings::default()
	}
}
