//! One store interface over both backends: a local directory or an S3-compatible bucket.

use std::path::PathBuf;

use bytes::Bytes;

use crate::error::ArtifactError;
use crate::hash::ArtifactHash;
use crate::kind::ArtifactKind;
use crate::limits::SizeLimits;
use crate::local::LocalStore;
use crate::s3::S3Store;

/// One stored artifact, as listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArtifactInfo {
	/// Its kind.
	pub kind: ArtifactKind,
	/// Its content hash (its name).
	pub hash: ArtifactHash,
	/// Its size in bytes as stored (not verified: a read verifies).
	pub size: u64,
}

/// A content-addressed artifact store: the miner and validator use this type and do not care
/// which backend is behind it.
///
/// Every [`Store::get`] checks the size against the kind's limit and the bytes against the
/// hash; every put checks the size. A put is atomic in both backends.
#[derive(Clone, Debug)]
pub enum Store {
	/// A local directory (the default).
	Local(LocalStore),
	/// An S3-compatible bucket.
	S3(S3Store),
}

impl Store {
	/// Opens a store from its location: `s3://bucket/prefix` (S3, settings from the
	/// environment, see [`S3Store`]), `file:///abs/path`, or a plain directory path.
	pub fn open(location: &str, limits: SizeLimits) -> Result<Self, ArtifactError> {
		if location.starts_with("s3://") {
			return Ok(Store::S3(S3Store::open(location, limits)?));
		}
		let dir = match location.strip_prefix("file://") {
			Some(rest) => {
				let url = url::Url::parse(location)
					.map_err(|_| ArtifactError::InvalidUrl(location.into()))?;
				url.to_file_path()
					.map_err(|_| ArtifactError::InvalidUrl(rest.into()))?
			},
			None if location.contains("://") || location.is_empty() => {
				return Err(ArtifactError::InvalidUrl(location.into()))
			},
			None => PathBuf::from(location),
		};
		Ok(Store::Local(LocalStore::open(dir, limits)?))
	}

	/// The size limits this store enforces.
	pub fn limits(&self) -> &SizeLimits {
		match self {
			Store::Local(s) => s.limits(),
			Store::S3(s) => s.limits(),
		}
	}

	/// Stores `bytes` under their BLAKE3 hash and returns it.
	pub async fn put(
		&self,
		kind: ArtifactKind,
		bytes: Bytes,
	) -> Result<ArtifactHash, ArtifactError> {
		match self {
			Store::Local(s) => s.put(kind, bytes).await,
			Store::S3(s) => s.put(kind, bytes).await,
		}
	}

	/// Stores `bytes` if they hash to `expected`, else [`ArtifactError::HashMismatch`].
	pub async fn put_expected(
		&self,
		kind: ArtifactKind,
		expected: ArtifactHash,
		bytes: Bytes,
	) -> Result<(), ArtifactError> {
		match self {
			Store::Local(s) => s.put_expected(kind, expected, bytes).await,
			Store::S3(s) => s.put_expected(kind, expected, bytes).await,
		}
	}

	/// Reads and verifies an artifact.
	pub async fn get(
		&self,
		kind: ArtifactKind,
		hash: ArtifactHash,
	) -> Result<Bytes, ArtifactError> {
		match self {
			Store::Local(s) => s.get(kind, hash).await,
			Store::S3(s) => s.get(kind, hash).await,
		}
	}

	/// Whether an artifact is present (not verified: a read verifies).
	pub async fn has(&self, kind: ArtifactKind, hash: ArtifactHash) -> Result<bool, ArtifactError> {
		match self {
			Store::Local(s) => s.has(kind, hash).await,
			Store::S3(s) => s.has(kind, hash).await,
		}
	}

	/// Every artifact of `kind`, sorted by hash.
	pub async fn list(&self, kind: ArtifactKind) -> Result<Vec<ArtifactInfo>, ArtifactError> {
		match self {
			Store::Local(s) => s.list(kind).await,
			Store::S3(s) => s.list(kind).await,
		}
	}

	/// Removes an artifact (no error if it is absent).
	pub async fn delete(
		&self,
		kind: ArtifactKind,
		hash: ArtifactHash,
	) -> Result<(), ArtifactError> {
		match self {
			Store::Local(s) => s.delete(kind, hash).await,
			Store::S3(s) => s.delete(kind, hash).await,
		}
	}
}

impl From<LocalStore> for Store {
	fn from(s: LocalStore) -> Self {
		Store::Local(s)
	}
}

impl From<S3Store> for Store {
	fn from(s: S3Store) -> Self {
		Store::S3(s)
	}
}
