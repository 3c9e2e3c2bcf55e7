//! The typed errors of every store, server and fetcher operation.

use std::path::PathBuf;
use std::time::Duration;

use crate::hash::ArtifactHash;
use crate::kind::ArtifactKind;

/// Everything that can go wrong storing, serving or fetching an artifact.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
	/// No artifact of this kind and hash exists (locally, in the bucket, or on the server).
	#[error("{kind} artifact {hash} not found")]
	NotFound {
		/// The requested kind.
		kind: ArtifactKind,
		/// The requested hash.
		hash: ArtifactHash,
	},
	/// The bytes read do not give the key they were stored or requested under
	/// ([`ArtifactKind::key_of`]).
	#[error("{kind} artifact {expected}: bytes hash to {actual}")]
	HashMismatch {
		/// The kind read.
		kind: ArtifactKind,
		/// The hash asked for.
		expected: ArtifactHash,
		/// The hash of the bytes actually read.
		actual: ArtifactHash,
	},
	/// The artifact is (or was announced as, or grew while streaming past) larger than the
	/// kind's limit.
	#[error("{kind} artifact is larger than its limit of {limit} bytes (at least {size} bytes)")]
	TooLarge {
		/// The kind.
		kind: ArtifactKind,
		/// The kind's limit in bytes.
		limit: u64,
		/// The size announced or counted when the limit was passed.
		size: u64,
	},
	/// Fewer bytes than the kind's key needs (a manifest shorter than its Merkle root).
	#[error("{kind} artifact of {size} bytes is shorter than its key prefix ({min} bytes)")]
	TooShort {
		/// The kind.
		kind: ArtifactKind,
		/// Its size.
		size: u64,
		/// The least size that has a key.
		min: u64,
	},
	/// A response body ended before the length its server announced.
	#[error("{kind} artifact truncated: {received} of {expected} announced bytes")]
	Truncated {
		/// The kind.
		kind: ArtifactKind,
		/// The announced length (Content-Length).
		expected: u64,
		/// The bytes that arrived.
		received: u64,
	},
	/// A file-system operation failed.
	#[error("i/o error on {path}: {source}")]
	Io {
		/// The file or directory concerned.
		path: PathBuf,
		/// The underlying error.
		#[source]
		source: std::io::Error,
	},
	/// The object-storage backend failed (network, credentials, bucket).
	#[error("object storage: {0}")]
	Backend(#[source] Box<object_store::Error>),
	/// An HTTP server answered with an unexpected status.
	#[error("GET {url}: HTTP status {status}")]
	Http {
		/// The requested URL.
		url: String,
		/// The status code.
		status: u16,
	},
	/// The HTTP request failed below HTTP (connect, reset, TLS, malformed response).
	#[error("GET {url}: {source}")]
	Transport {
		/// The requested URL.
		url: String,
		/// The client's error.
		#[source]
		source: reqwest::Error,
	},
	/// A server sent nothing for longer than the allowed time.
	#[error("GET {url}: no data for {after:?}")]
	Timeout {
		/// The requested URL.
		url: String,
		/// The time waited.
		after: Duration,
	},
	/// A store or fetch URL that cannot be used.
	#[error("invalid artifact URL {0:?}")]
	InvalidUrl(String),
	/// A string that is not 64 hex digits.
	#[error("invalid artifact hash {0:?}")]
	InvalidHash(String),
	/// A kind name that is not one of `checkpoint`, `update`, `state`, `loss-trace`,
	/// `manifest`.
	#[error("unknown artifact kind {0:?}")]
	UnknownKind(String),
	/// A background task (blocking file i/o) panicked or was cancelled.
	#[error("background task failed: {0}")]
	Task(String),
}

impl ArtifactError {
	/// Whether retrying the same request may succeed: timeouts, connection errors, truncated
	/// bodies, HTTP 5xx and 429. Not found, too large, hash mismatch and bad input are final.
	pub fn is_transient(&self) -> bool {
		match self {
			ArtifactError::Timeout { .. }
			| ArtifactError::Transport { .. }
			| ArtifactError::Truncated { .. } => true,
			ArtifactError::Http { status, .. } => *status >= 500 || *status == 429,
			// object_store already retries requests itself; what is left may still be a
			// dropped connection or an overloaded endpoint, but never a refusal or a bad key.
			ArtifactError::Backend(e) => matches!(
				**e,
				object_store::Error::Generic { .. } | object_store::Error::JoinError { .. }
			),
			_ => false,
		}
	}

	pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
		ArtifactError::Io {
			path: path.into(),
			source,
		}
	}
}

impl From<object_store::Error> for ArtifactError {
	fn from(e: object_store::Error) -> Self {
		ArtifactError::Backend(Box::new(e))
	}
}
