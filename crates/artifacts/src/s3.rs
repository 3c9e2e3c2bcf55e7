//! The S3-compatible backend (`object_store`'s `AmazonS3`): keys `<prefix>/<kind>/<hex>`.
//!
//! Configured by a URL `s3://bucket/prefix` and, as AWS tools expect, the environment:
//! `AWS_ENDPOINT_URL` (any S3-compatible service: R2, MinIO, a test server), `AWS_REGION`
//! or `AWS_DEFAULT_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//! `AWS_SESSION_TOKEN`, and `AWS_ALLOW_HTTP=true` for a plain-HTTP endpoint. A custom
//! endpoint is addressed path-style (`endpoint/bucket/key`).
//!
//! An S3 PUT is atomic (an object is visible whole or not at all), so concurrent puts of the
//! same blob are safe. Every get checks the object's size against the kind's limit before the
//! body is read, counts bytes while streaming, and checks the hash before returning.

use std::str::FromStr;
use std::sync::Arc;

use bytes::Bytes;
use futures::TryStreamExt;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::body::VerifiedBody;
use crate::error::ArtifactError;
use crate::hash::ArtifactHash;
use crate::kind::ArtifactKind;
use crate::limits::SizeLimits;
use crate::store::ArtifactInfo;

/// A content-addressed store in an S3-compatible bucket.
#[derive(Clone, Debug)]
pub struct S3Store {
	store: Arc<dyn ObjectStore>,
	url: String,
	prefix: Path,
	limits: SizeLimits,
}

impl S3Store {
	/// Opens `s3://bucket/prefix` with endpoint, region and credentials from the environment.
	pub fn open(url: &str, limits: SizeLimits) -> Result<Self, ArtifactError> {
		Self::open_with(url, limits, std::iter::empty::<(&str, &str)>())
	}

	/// Opens `s3://bucket/prefix` with the environment's settings, then `options` on top:
	/// `object_store` configuration keys such as `aws_endpoint_url`, `aws_region`,
	/// `aws_access_key_id`, `aws_secret_access_key`, `aws_allow_http`.
	pub fn open_with<K: AsRef<str>, V: Into<String>>(
		url: &str,
		limits: SizeLimits,
		options: impl IntoIterator<Item = (K, V)>,
	) -> Result<Self, ArtifactError> {
		let parsed = url::Url::parse(url).map_err(|_| ArtifactError::InvalidUrl(url.into()))?;
		if parsed.scheme() != "s3" || parsed.host_str().is_none_or(str::is_empty) {
			return Err(ArtifactError::InvalidUrl(url.into()));
		}
		let mut builder = AmazonS3Builder::from_env().with_url(url);
		for (k, v) in options {
			let key = AmazonS3ConfigKey::from_str(k.as_ref())
				.map_err(|_| ArtifactError::InvalidUrl(format!("{url} (option {})", k.as_ref())))?;
			builder = builder.with_config(key, v);
		}
		let store = builder.build()?;
		let prefix = Path::parse(parsed.path().trim_matches('/'))
			.map_err(|_| ArtifactError::InvalidUrl(url.into()))?;
		Ok(Self {
			store: Arc::new(store),
			url: url.into(),
			prefix,
			limits,
		})
	}

	/// The URL this store was opened with.
	pub fn url(&self) -> &str {
		&self.url
	}

	/// The size limits this store enforces.
	pub fn limits(&self) -> &SizeLimits {
		&self.limits
	}

	fn kind_dir(&self, kind: ArtifactKind) -> Path {
		self.prefix.clone().join(kind.as_str())
	}

	fn key(&self, kind: ArtifactKind, hash: &ArtifactHash) -> Path {
		self.kind_dir(kind).join(hash.to_hex())
	}

	/// Stores `bytes` under their key ([`ArtifactKind::key_of`]) and returns it.
	pub async fn put(
		&self,
		kind: ArtifactKind,
		bytes: Bytes,
	) -> Result<ArtifactHash, ArtifactError> {
		self.limits.check(kind, bytes.len() as u64)?;
		let hash = kind.key_of(&bytes)?;
		self.store
			.put(&self.key(kind, &hash), PutPayload::from_bytes(bytes))
			.await?;
		Ok(hash)
	}

	/// Stores `bytes` only if their key is `expected`.
	pub async fn put_expected(
		&self,
		kind: ArtifactKind,
		expected: ArtifactHash,
		bytes: Bytes,
	) -> Result<(), ArtifactError> {
		let actual = kind.key_of(&bytes)?;
		if actual != expected {
			return Err(ArtifactError::HashMismatch {
				kind,
				expected,
				actual,
			});
		}
		self.put(kind, bytes).await.map(|_| ())
	}

	/// Reads an artifact: size checked before and while streaming, hash checked at the end.
	pub async fn get(
		&self,
		kind: ArtifactKind,
		hash: ArtifactHash,
	) -> Result<Bytes, ArtifactError> {
		let result = match self.store.get(&self.key(kind, &hash)).await {
			Ok(r) => r,
			Err(object_store::Error::NotFound { .. }) => {
				return Err(ArtifactError::NotFound { kind, hash })
			},
			Err(e) => return Err(e.into()),
		};
		let mut body = VerifiedBody::new(kind, hash, &self.limits, Some(result.meta.size))?;
		let mut stream = result.into_stream();
		while let Some(chunk) = stream.try_next().await? {
			body.push(&chunk)?;
		}
		body.finish()
	}

	/// Whether an object exists under the artifact's key.
	pub async fn has(&self, kind: ArtifactKind, hash: ArtifactHash) -> Result<bool, ArtifactError> {
		match self.store.head(&self.key(kind, &hash)).await {
			Ok(_) => Ok(true),
			Err(object_store::Error::NotFound { .. }) => Ok(false),
			Err(e) => Err(e.into()),
		}
	}

	/// Every artifact of `kind`, sorted by hash (keys that are not a hash are skipped).
	pub async fn list(&self, kind: ArtifactKind) -> Result<Vec<ArtifactInfo>, ArtifactError> {
		let metas: Vec<_> = self
			.store
			.list(Some(&self.kind_dir(kind)))
			.try_collect()
			.await?;
		let dir_parts = self.kind_dir(kind).parts_count();
		let mut out: Vec<ArtifactInfo> = metas
			.into_iter()
			.filter(|m| m.location.parts_count() == dir_parts + 1)
			.filter_map(|m| {
				let hash = m.location.filename()?.parse().ok()?;
				Some(ArtifactInfo {
					kind,
					hash,
					size: m.size,
				})
			})
			.collect();
		out.sort_by_key(|i| i.hash);
		Ok(out)
	}

	/// Removes an artifact; removing one that does not exist is not an error.
	pub async fn delete(
		&self,
		kind: ArtifactKind,
		hash: ArtifactHash,
	) -> Result<(), ArtifactError> {
		match self.store.delete(&self.key(kind, &hash)).await {
			Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
			Err(e) => Err(e.into()),
		}
	}
}
