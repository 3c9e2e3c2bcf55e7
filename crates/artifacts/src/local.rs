//! The local-directory backend: `<root>/<kind>/<64 hex digits>`, written atomically.
//!
//! A put writes the bytes to a temporary file in the kind's directory (`.tmp.<hex>.<pid>.<n>`,
//! never listed), fsyncs it, renames it onto the final name and fsyncs the directory, so a
//! reader sees either nothing or the complete file, also after a crash. Concurrent puts of the
//! same blob each write their own temporary file; the renames replace identical content.
//! Every get checks the file's size against the kind's limit before reading and its key
//! ([`ArtifactKind::key_of`]: BLAKE3 of the bytes, or of a manifest's root) before returning.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use bytes::Bytes;

use crate::error::ArtifactError;
use crate::hash::ArtifactHash;
use crate::kind::ArtifactKind;
use crate::limits::SizeLimits;
use crate::store::ArtifactInfo;

/// Prefix of temporary files; names starting with it are never artifacts.
const TEMP_PREFIX: &str = ".tmp.";

/// Temporary files older than this are left over from a crash and removed by a prune.
pub const STALE_TEMP_AGE: Duration = Duration::from_secs(3600);

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A content-addressed store in a local directory.
#[derive(Clone, Debug)]
pub struct LocalStore {
	root: PathBuf,
	limits: SizeLimits,
}

impl LocalStore {
	/// Opens (creating if needed) a store rooted at `root`, with one directory per kind.
	pub fn open(root: impl Into<PathBuf>, limits: SizeLimits) -> Result<Self, ArtifactError> {
		let root = root.into();
		for kind in ArtifactKind::ALL {
			let dir = root.join(kind.as_str());
			fs::create_dir_all(&dir).map_err(|e| ArtifactError::io(&dir, e))?;
		}
		Ok(Self { root, limits })
	}

	/// The store's root directory.
	pub fn root(&self) -> &Path {
		&self.root
	}

	/// The size limits this store enforces.
	pub fn limits(&self) -> &SizeLimits {
		&self.limits
	}

	/// Where an artifact lives (whether or not it exists).
	pub fn path_of(&self, kind: ArtifactKind, hash: &ArtifactHash) -> PathBuf {
		self.root.join(kind.as_str()).join(hash.to_hex())
	}

	/// Stores `bytes` under their key ([`ArtifactKind::key_of`]) and returns it.
	pub async fn put(
		&self,
		kind: ArtifactKind,
		bytes: Bytes,
	) -> Result<ArtifactHash, ArtifactError> {
		self.limits.check(kind, bytes.len() as u64)?;
		let this = self.clone();
		blocking(move || {
			let hash = kind.key_of(&bytes)?;
			this.write_atomic(kind, &hash, &bytes)?;
			Ok(hash)
		})
		.await
	}

	/// Stores `bytes` only if their key is `expected` ([`ArtifactError::HashMismatch`]
	/// otherwise, and nothing is written).
	pub async fn put_expected(
		&self,
		kind: ArtifactKind,
		expected: ArtifactHash,
		bytes: Bytes,
	) -> Result<(), ArtifactError> {
		self.limits.check(kind, bytes.len() as u64)?;
		let this = self.clone();
		blocking(move || {
			let actual = kind.key_of(&bytes)?;
			if actual != expected {
				return Err(ArtifactError::HashMismatch {
					kind,
					expected,
					actual,
				});
			}
			this.write_atomic(kind, &actual, &bytes)
		})
		.await
	}

	/// Reads an artifact, checking its size against the limit and its hash.
	pub async fn get(
		&self,
		kind: ArtifactKind,
		hash: ArtifactHash,
	) -> Result<Bytes, ArtifactError> {
		let this = self.clone();
		blocking(move || this.read_verified(kind, &hash)).await
	}

	/// Whether an artifact file exists (its content is checked on read, not here).
	pub async fn has(&self, kind: ArtifactKind, hash: ArtifactHash) -> Result<bool, ArtifactError> {
		let path = self.path_of(kind, &hash);
		blocking(move || match fs::metadata(&path) {
			Ok(m) => Ok(m.is_file()),
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
			Err(e) => Err(ArtifactError::io(&path, e)),
		})
		.await
	}

	/// Every artifact of `kind`, sorted by hash, with its size on disk.
	pub async fn list(&self, kind: ArtifactKind) -> Result<Vec<ArtifactInfo>, ArtifactError> {
		let dir = self.root.join(kind.as_str());
		blocking(move || {
			let mut out = Vec::new();
			let entries = fs::read_dir(&dir).map_err(|e| ArtifactError::io(&dir, e))?;
			for entry in entries {
				let entry = entry.map_err(|e| ArtifactError::io(&dir, e))?;
				let Some(hash) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
					continue;
				};
				let meta = entry
					.metadata()
					.map_err(|e| ArtifactError::io(entry.path(), e))?;
				if meta.is_file() {
					out.push(ArtifactInfo {
						kind,
						hash,
						size: meta.len(),
					});
				}
			}
			out.sort_by_key(|i| i.hash);
			Ok(out)
		})
		.await
	}

	/// Removes an artifact; removing one that does not exist is not an error.
	pub async fn delete(
		&self,
		kind: ArtifactKind,
		hash: ArtifactHash,
	) -> Result<(), ArtifactError> {
		let path = self.path_of(kind, &hash);
		blocking(move || match fs::remove_file(&path) {
			Ok(()) => Ok(()),
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
			Err(e) => Err(ArtifactError::io(&path, e)),
		})
		.await
	}

	/// Removes temporary files older than `age` (left by a crashed writer); returns how many.
	pub async fn remove_stale_temp_files(&self, age: Duration) -> Result<usize, ArtifactError> {
		let root = self.root.clone();
		blocking(move || {
			let now = SystemTime::now();
			let mut removed = 0;
			for kind in ArtifactKind::ALL {
				let dir = root.join(kind.as_str());
				let entries = fs::read_dir(&dir).map_err(|e| ArtifactError::io(&dir, e))?;
				for entry in entries.flatten() {
					let is_temp = entry
						.file_name()
						.to_str()
						.is_some_and(|n| n.starts_with(TEMP_PREFIX));
					let old = entry
						.metadata()
						.and_then(|m| m.modified())
						.ok()
						.and_then(|t| now.duration_since(t).ok())
						.is_some_and(|a| a >= age);
					if is_temp && old && fs::remove_file(entry.path()).is_ok() {
						removed += 1;
					}
				}
			}
			Ok(removed)
		})
		.await
	}

	fn write_atomic(
		&self,
		kind: ArtifactKind,
		hash: &ArtifactHash,
		bytes: &[u8],
	) -> Result<(), ArtifactError> {
		let dir = self.root.join(kind.as_str());
		let temp = dir.join(format!(
			"{TEMP_PREFIX}{}.{}.{}",
			hash.to_hex(),
			std::process::id(),
			TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
		));
		let result = (|| {
			let mut f = File::create_new(&temp).map_err(|e| ArtifactError::io(&temp, e))?;
			f.write_all(bytes)
				.map_err(|e| ArtifactError::io(&temp, e))?;
			f.sync_all().map_err(|e| ArtifactError::io(&temp, e))?;
			drop(f);
			let target = dir.join(hash.to_hex());
			fs::rename(&temp, &target).map_err(|e| ArtifactError::io(&target, e))?;
			File::open(&dir)
				.and_then(|d| d.sync_all())
				.map_err(|e| ArtifactError::io(&dir, e))
		})();
		if result.is_err() {
			let _ = fs::remove_file(&temp);
		}
		result
	}

	fn read_verified(
		&self,
		kind: ArtifactKind,
		hash: &ArtifactHash,
	) -> Result<Bytes, ArtifactError> {
		let path = self.path_of(kind, hash);
		let file = match File::open(&path) {
			Ok(f) => f,
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
				return Err(ArtifactError::NotFound { kind, hash: *hash })
			},
			Err(e) => return Err(ArtifactError::io(&path, e)),
		};
		let len = file
			.metadata()
			.map_err(|e| ArtifactError::io(&path, e))?
			.len();
		self.limits.check(kind, len)?;
		let limit = self.limits.limit(kind);
		// Read at most limit + 1 bytes: a file that grew after the size check is still caught.
		let mut buf = Vec::with_capacity(len as usize);
		file.take(limit.saturating_add(1))
			.read_to_end(&mut buf)
			.map_err(|e| ArtifactError::io(&path, e))?;
		self.limits.check(kind, buf.len() as u64)?;
		let actual = kind.key_of(&buf)?;
		if actual != *hash {
			tracing::warn!(%kind, expected = %hash, %actual, path = %path.display(), "stored artifact is corrupt");
			return Err(ArtifactError::HashMismatch {
				kind,
				expected: *hash,
				actual,
			});
		}
		Ok(Bytes::from(buf))
	}
}

/// Runs blocking file i/o off the async threads.
async fn blocking<T: Send + 'static>(
	f: impl FnOnce() -> Result<T, ArtifactError> + Send + 'static,
) -> Result<T, ArtifactError> {
	tokio::task::spawn_blocking(f)
		.await
		.map_err(|e| ArtifactError::Task(e.to_string()))?
}
