//! The validator's artifact access: its own store (checkpoints it aggregates, served to
//! others), and a verifying fetcher (with a cache under the base path) for miners' manifests,
//! states and updates and for the round checkpoint.
//!
//! Size limits come from the task ([`limits_for`]), so an oversized artifact is refused while
//! it streams; every fetched byte is hash-checked before use.

use std::path::Path;

use arena_artifacts::{
	ArtifactError, ArtifactHash, ArtifactKind, Fetcher, LocalStore, SizeLimits, Store,
};
use arena_chain_client::types::{GenesisCheckpoint, Hash32, Neuron};
use arena_training::model::{param_count, param_layout};
use arena_training::update_format::max_encoded_len;
use arena_training::TrainingConfig;
use bytes::Bytes;

use crate::config::ValidatorSettings;
use crate::error::ValidatorError;

/// Per-kind size limits for a task: the training core's dense bounds for checkpoints and
/// states, the exact compressed-update bound, the manifest of `H / c + 1` leaves.
pub fn limits_for(config: &TrainingConfig) -> SizeLimits {
	let layout = param_layout(&config.model);
	SizeLimits::from_param_count(param_count(&config.model) as u64)
		.with(
			ArtifactKind::Update,
			max_encoded_len(&config.compression, &layout) as u64,
		)
		.with_manifest_leaves(config.num_leaves() as u64)
}

/// The validator's store and fetcher.
#[derive(Clone, Debug)]
pub struct Artifacts {
	store: Store,
	fetcher: Fetcher,
}

impl Artifacts {
	/// Opens the own store at `location` (a directory or `s3://…`) and a fetcher caching
	/// into `<cache_dir>`, both with `limits`.
	pub fn open(
		location: &str,
		cache_dir: &Path,
		limits: SizeLimits,
		settings: &ValidatorSettings,
	) -> Result<Self, ValidatorError> {
		let store = Store::open(location, limits)?;
		let cache = LocalStore::open(cache_dir, limits)?;
		let fetcher = Fetcher::new(cache, settings.fetch_config())?;
		Ok(Self { store, fetcher })
	}

	/// The own store.
	pub fn store(&self) -> &Store {
		&self.store
	}

	/// The own store when it is a local directory (what `--serve` serves).
	pub fn local_store(&self) -> Option<LocalStore> {
		match &self.store {
			Store::Local(s) => Some(s.clone()),
			Store::S3(_) => None,
		}
	}

	/// Fetches `kind`/`hash` from `source` (verified, cached).
	pub async fn fetch(
		&self,
		source: &str,
		kind: ArtifactKind,
		hash: Hash32,
	) -> Result<Bytes, ArtifactError> {
		self.fetcher.fetch(source, kind, ArtifactHash(hash)).await
	}

	/// The bytes of checkpoint `hash`: from the own store, else from the genesis url when it
	/// is the genesis checkpoint, else from each validator's endpoint in turn (the first
	/// that verifies wins). Fetched checkpoints are put into the own store, so this
	/// validator serves them too.
	pub async fn checkpoint(
		&self,
		hash: Hash32,
		genesis: Option<&GenesisCheckpoint>,
		neurons: &[Neuron],
	) -> Result<Bytes, ValidatorError> {
		let key = ArtifactHash(hash);
		match self.store.get(ArtifactKind::Checkpoint, key).await {
			Ok(b) => return Ok(b),
			Err(ArtifactError::NotFound { .. }) => {},
			Err(e) => tracing::warn!(error = %e, "own checkpoint copy unreadable"),
		}
		let mut sources: Vec<&str> = Vec::new();
		if let Some(g) = genesis.filter(|g| g.hash == hash) {
			sources.push(&g.url);
		}
		sources.extend(
			neurons
				.iter()
				.filter(|n| n.validator_permit)
				.filter_map(|n| n.endpoint.as_deref()),
		);
		for source in sources {
			match self.fetch(source, ArtifactKind::Checkpoint, hash).await {
				Ok(bytes) => {
					self.store
						.put_expected(ArtifactKind::Checkpoint, key, bytes.clone())
						.await?;
					return Ok(bytes);
				},
				Err(e) => tracing::debug!(%source, error = %e, "checkpoint not fetched"),
			}
		}
		Err(ValidatorError::CheckpointUnavailable {
			hash: hex::encode(hash),
		})
	}
}
