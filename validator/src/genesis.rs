//! The subnet owner's genesis checkpoint: `arena-validator genesis --config model.toml --store
//! DIR --seed N` initialises the model of a training config, stores the checkpoint and prints
//! what `rounds.setGenesisCheckpoint(netuid, hash, size, url)` needs.
//!
//! The config file names a preset and optionally overrides the model's dimensions (only the
//! model matters for the initial parameters):
//!
//! ```toml
//! preset = "tiny"        # or "default"
//! [model]                # optional overrides
//! d_model = 128
//! ```
//!
//! Parameters: [`arena_training::model::init_params`] with the 32-byte seed
//! `BLAKE3("arena/genesis/v1" ‖ N as u64 LE)`.

use std::path::Path;

use arena_artifacts::{ArtifactKind, Store};
use arena_training::model::init_params;
use arena_training::{Checkpoint, TrainingConfig};
use serde::{Deserialize, Serialize};

use crate::error::ValidatorError;

/// Overrides of the model's dimensions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelOverrides {
	/// Transformer blocks.
	pub n_layers: Option<usize>,
	/// Residual width.
	pub d_model: Option<usize>,
	/// Attention heads.
	pub n_heads: Option<usize>,
	/// Context length.
	pub context: Option<usize>,
	/// MLP width multiple.
	pub mlp_ratio: Option<usize>,
}

/// A training-config file: a preset plus model overrides.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingConfigFile {
	/// `tiny` or `default` (the default).
	pub preset: Option<String>,
	/// Model overrides.
	#[serde(default)]
	pub model: ModelOverrides,
}

impl TrainingConfigFile {
	/// Reads a TOML file.
	pub fn load(path: &Path) -> Result<Self, ValidatorError> {
		let text = std::fs::read_to_string(path).map_err(|e| ValidatorError::Config {
			what: path.display().to_string(),
			reason: e.to_string(),
		})?;
		toml::from_str(&text).map_err(|e| ValidatorError::Config {
			what: path.display().to_string(),
			reason: e.to_string(),
		})
	}

	/// The configuration it describes, validated.
	pub fn to_config(&self) -> Result<TrainingConfig, ValidatorError> {
		let mut c = match self.preset.as_deref() {
			None | Some("default") => TrainingConfig::default(),
			Some("tiny") => TrainingConfig::tiny(),
			Some(other) => {
				return Err(ValidatorError::Config {
					what: "preset".into(),
					reason: format!("unknown preset {other:?} (tiny, default)"),
				})
			},
		};
		let o = &self.model;
		let m = &mut c.model;
		for (field, value) in [
			(&mut m.n_layers, o.n_layers),
			(&mut m.d_model, o.d_model),
			(&mut m.n_heads, o.n_heads),
			(&mut m.context, o.context),
			(&mut m.mlp_ratio, o.mlp_ratio),
		] {
			if let Some(v) = value {
				*field = v;
			}
		}
		c.validate().map_err(|e| ValidatorError::Config {
			what: "model".into(),
			reason: e.to_string(),
		})?;
		Ok(c)
	}
}

/// What the owner passes to `set_genesis_checkpoint`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenesisInfo {
	/// BLAKE3 of the checkpoint bytes.
	pub hash: [u8; 32],
	/// Size in bytes.
	pub size: u64,
	/// Where to fetch it from (the artifact source base given by the caller).
	pub url: String,
}

/// The 32-byte init seed of `seed`.
pub fn genesis_seed(seed: u64) -> [u8; 32] {
	let mut h = blake3::Hasher::new();
	h.update(b"arena/genesis/v1");
	h.update(&seed.to_le_bytes());
	*h.finalize().as_bytes()
}

/// The genesis checkpoint of `config` for `seed` (deterministic).
pub fn genesis_checkpoint(config: &TrainingConfig, seed: u64) -> Checkpoint {
	Checkpoint::new(init_params(&config.model, genesis_seed(seed)))
}

/// Creates the genesis checkpoint, puts it into `store` and returns its hash, size and `url`
/// (the source base others fetch it from: the store's server `http://host:port`, or its
/// `s3://bucket/prefix`).
pub async fn create_genesis(
	config: &TrainingConfig,
	seed: u64,
	store: &Store,
	url: &str,
) -> Result<GenesisInfo, ValidatorError> {
	let bytes = genesis_checkpoint(config, seed)
		.to_bytes()
		.map_err(arena_training::TrainingError::from)?;
	let size = bytes.len() as u64;
	let hash = store.put(ArtifactKind::Checkpoint, bytes.into()).await?;
	Ok(GenesisInfo {
		hash: hash.0,
		size,
		url: url.to_string(),
	})
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn config_file_applies_preset_and_overrides() {
		let f: TrainingConfigFile =
			toml::from_str("preset = \"tiny\"\n[model]\nd_model = 32").unwrap();
		let c = f.to_config().unwrap();
		assert_eq!(c.model.d_model, 32);
		assert_eq!(c.inner_steps, TrainingConfig::tiny().inner_steps);
	}

	#[test]
	fn config_file_fails_if_preset_is_unknown() {
		let f: TrainingConfigFile = toml::from_str("preset = \"huge\"").unwrap();
		assert!(matches!(f.to_config(), Err(ValidatorError::Config { .. })));
	}

	#[tokio::test]
	async fn genesis_is_stored_deterministic_and_seeded() {
		let dir = tempfile::tempdir().unwrap();
		let cfg = TrainingConfig::tiny();
		let limits = arena_artifacts::SizeLimits::uniform(64 << 20);
		let store = Store::open(dir.path().to_str().unwrap(), limits).unwrap();
		let a = create_genesis(&cfg, 1, &store, "http://127.0.0.1:1")
			.await
			.unwrap();
		let b = create_genesis(&cfg, 1, &store, "http://127.0.0.1:1")
			.await
			.unwrap();
		let c = create_genesis(&cfg, 2, &store, "http://127.0.0.1:1")
			.await
			.unwrap();
		assert_eq!(a, b);
		assert_ne!(a.hash, c.hash);
		let bytes = store
			.get(
				ArtifactKind::Checkpoint,
				arena_artifacts::ArtifactHash(a.hash),
			)
			.await
			.unwrap();
		assert_eq!(bytes.len() as u64, a.size);
	}
}
