//! Shared fixtures of the integration tests: the committed play, a tiny config, a genesis
//! checkpoint and honest rounds, computed once per test binary.
#![allow(dead_code)]

use std::path::Path;
use std::sync::OnceLock;

use arena_training::model::init_params;
use arena_training::{
	BackendFingerprint, Checkpoint, Corpus, Device, MinerContext, RoundArtifacts, RoundContext,
	TrainingConfig,
};

pub const ROUND_SEED: [u8; 32] = [0x5e; 32];
pub const HOTKEY_A: &[u8] = b"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
pub const HOTKEY_B: &[u8] = b"5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";

pub fn config() -> TrainingConfig {
	TrainingConfig::tiny()
}

pub fn device() -> Device {
	arena_training::default_device()
}

pub fn corpus() -> &'static Corpus {
	static C: OnceLock<Corpus> = OnceLock::new();
	C.get_or_init(|| {
		// Read at run time so a test binary reused from another checkout finds this one's files.
		let manifest = std::env::var("CARGO_MANIFEST_DIR")
			.unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into());
		let dir = Path::new(&manifest).join("testdata/corpus");
		Corpus::load_dir(&dir, config().validation_fraction).unwrap()
	})
}

pub fn checkpoint() -> &'static (Checkpoint, [u8; 32]) {
	static C: OnceLock<(Checkpoint, [u8; 32])> = OnceLock::new();
	C.get_or_init(|| {
		let ck = Checkpoint::new(init_params(&config().model, [0x11; 32]));
		let h = ck.hash().unwrap();
		(ck, h)
	})
}

pub fn round(hotkey: &[u8]) -> RoundArtifacts {
	arena_training::train_round(
		&config(),
		&checkpoint().0,
		None,
		corpus(),
		&ROUND_SEED,
		hotkey,
		&device(),
	)
	.unwrap()
}

pub fn honest_a() -> &'static RoundArtifacts {
	static R: OnceLock<RoundArtifacts> = OnceLock::new();
	R.get_or_init(|| round(HOTKEY_A))
}

pub fn honest_b() -> &'static RoundArtifacts {
	static R: OnceLock<RoundArtifacts> = OnceLock::new();
	R.get_or_init(|| round(HOTKEY_B))
}

/// The fingerprint of a miner claiming another backend than this build's (`Wgpu`): audited
/// in tolerance mode.
pub fn other_backend_fingerprint() -> BackendFingerprint {
	let mut fp = BackendFingerprint::of(&device());
	fp.backend = "Wgpu".into();
	fp
}

/// The test subnet's allowed backends: this build's and [`other_backend_fingerprint`].
pub fn allowed_fingerprints() -> &'static [[u8; 32]] {
	static A: OnceLock<Vec<[u8; 32]>> = OnceLock::new();
	A.get_or_init(|| {
		vec![
			BackendFingerprint::of(&device()).hash(),
			other_backend_fingerprint().hash(),
		]
	})
}

/// The round every fixture trains: the genesis checkpoint, [`ROUND_SEED`], the tiny config.
pub fn ctx() -> RoundContext<'static> {
	static CFG: OnceLock<TrainingConfig> = OnceLock::new();
	let (ck, h) = checkpoint();
	RoundContext {
		config: CFG.get_or_init(config),
		checkpoint: ck,
		checkpoint_hash: h,
		corpus: corpus(),
		round_seed: &ROUND_SEED,
		allowed_fingerprints: allowed_fingerprints(),
	}
}

/// A miner in its first round on the subnet (no residual on chain).
pub fn first_round(hotkey: &[u8]) -> MinerContext<'_> {
	MinerContext {
		hotkey,
		previous_residual_hash: None,
	}
}
