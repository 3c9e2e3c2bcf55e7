//! The kinds of artifact a round produces (SPEC §6).

use std::fmt;
use std::str::FromStr;

use crate::error::ArtifactError;
use crate::hash::ArtifactHash;

/// What an artifact is. Each kind has its own directory (local) or key prefix (S3), named by
/// [`ArtifactKind::as_str`], and its own size limit ([`crate::SizeLimits`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ArtifactKind {
	/// A model checkpoint (`arena-checkpoint/1` safetensors), `C_r`.
	Checkpoint,
	/// A miner's compressed update (`ARNUPDT` format).
	Update,
	/// A boundary training state (`ARNSTATE` canonical bytes) that an audit re-runs from.
	State,
	/// A miner's per-step loss trace.
	LossTrace,
	/// A miner's round manifest (`arena_training::manifest`): stored under
	/// `BLAKE3("arena/manifest/v1" ‖ merkle_root)`, its first 32 bytes being the Merkle root,
	/// so that it is found from the chain commitment alone (see [`ArtifactKind::key_of`]).
	Manifest,
}

impl ArtifactKind {
	/// Every kind, in a fixed order.
	pub const ALL: [ArtifactKind; 5] = [
		ArtifactKind::Checkpoint,
		ArtifactKind::Update,
		ArtifactKind::State,
		ArtifactKind::LossTrace,
		ArtifactKind::Manifest,
	];

	/// The name used in paths and URLs: `checkpoint`, `update`, `state`, `loss-trace`,
	/// `manifest`.
	pub fn as_str(self) -> &'static str {
		match self {
			ArtifactKind::Checkpoint => "checkpoint",
			ArtifactKind::Update => "update",
			ArtifactKind::State => "state",
			ArtifactKind::LossTrace => "loss-trace",
			ArtifactKind::Manifest => "manifest",
		}
	}

	/// The key `bytes` must be stored under, the one integrity rule every put, read and fetch
	/// applies:
	///
	/// * content kinds (checkpoint, update, state, loss trace): `BLAKE3(bytes)`;
	/// * [`ArtifactKind::Manifest`]: `BLAKE3("arena/manifest/v1" ‖ bytes[0..32])` (the
	///   manifest's Merkle root; the rest of a manifest is checked against the chain by
	///   `arena_training::manifest::RoundManifest::verify`). Fewer than 32 bytes is
	///   [`ArtifactError::TooShort`].
	pub fn key_of(self, bytes: &[u8]) -> Result<ArtifactHash, ArtifactError> {
		let mut k = KeyHasher::new(self);
		k.update(bytes);
		k.finish()
	}

	/// The Merkle-root prefix a manifest key is computed from (`None` for content kinds).
	fn key_prefix_len(self) -> Option<usize> {
		match self {
			ArtifactKind::Manifest => Some(MANIFEST_ROOT_LEN),
			_ => None,
		}
	}
}

/// Domain of manifest keys: `BLAKE3(MANIFEST_KEY_DOMAIN ‖ merkle_root)`.
pub const MANIFEST_KEY_DOMAIN: &[u8] = b"arena/manifest/v1";

/// Length of the Merkle root a manifest starts with.
const MANIFEST_ROOT_LEN: usize = 32;

/// `BLAKE3("arena/manifest/v1" ‖ merkle_root)`: the key of the manifest committing to
/// `merkle_root` (what an auditor fetches after reading a commitment).
pub fn manifest_key(merkle_root: &[u8; 32]) -> ArtifactHash {
	let mut h = blake3::Hasher::new();
	h.update(MANIFEST_KEY_DOMAIN);
	h.update(merkle_root);
	ArtifactHash(*h.finalize().as_bytes())
}

/// Computes [`ArtifactKind::key_of`] over bytes arriving in chunks (a stream being received).
#[derive(Debug, Clone)]
pub struct KeyHasher {
	kind: ArtifactKind,
	hasher: blake3::Hasher,
	/// The first bytes, for kinds keyed by a prefix.
	prefix: Vec<u8>,
	received: u64,
}

impl KeyHasher {
	/// A hasher for `kind`'s key rule.
	pub fn new(kind: ArtifactKind) -> Self {
		Self {
			kind,
			hasher: blake3::Hasher::new(),
			prefix: Vec::new(),
			received: 0,
		}
	}

	/// Feeds the next chunk.
	pub fn update(&mut self, chunk: &[u8]) {
		self.received = self.received.saturating_add(chunk.len() as u64);
		match self.kind.key_prefix_len() {
			None => {
				self.hasher.update(chunk);
			},
			Some(n) => {
				let need = n.saturating_sub(self.prefix.len()).min(chunk.len());
				self.prefix.extend_from_slice(&chunk[..need]);
			},
		}
	}

	/// The key of everything fed.
	pub fn finish(&self) -> Result<ArtifactHash, ArtifactError> {
		match self.kind.key_prefix_len() {
			None => Ok(ArtifactHash(*self.hasher.finalize().as_bytes())),
			Some(n) => {
				let root: [u8; MANIFEST_ROOT_LEN] =
					self.prefix
						.as_slice()
						.try_into()
						.map_err(|_| ArtifactError::TooShort {
							kind: self.kind,
							size: self.received,
							min: n as u64,
						})?;
				Ok(manifest_key(&root))
			},
		}
	}
}

impl fmt::Display for ArtifactKind {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str(self.as_str())
	}
}

impl FromStr for ArtifactKind {
	type Err = ArtifactError;
	fn from_str(s: &str) -> Result<Self, Self::Err> {
		ArtifactKind::ALL
			.into_iter()
			.find(|k| k.as_str() == s)
			.ok_or_else(|| ArtifactError::UnknownKind(s.chars().take(40).collect()))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn names_round_trip() {
		for k in ArtifactKind::ALL {
			assert_eq!(k.as_str().parse::<ArtifactKind>().ok(), Some(k));
		}
	}

	#[test]
	fn content_kinds_are_keyed_by_blake3_of_the_bytes() {
		for k in [
			ArtifactKind::Checkpoint,
			ArtifactKind::Update,
			ArtifactKind::State,
			ArtifactKind::LossTrace,
		] {
			assert_eq!(k.key_of(b"abc").ok(), Some(ArtifactHash::of(b"abc")));
			assert_eq!(k.key_of(b"").ok(), Some(ArtifactHash::of(b"")));
		}
	}

	#[test]
	fn manifest_is_keyed_by_its_first_32_bytes_under_the_domain() {
		let root = [7u8; 32];
		let mut bytes = root.to_vec();
		bytes.extend_from_slice(b"rest of the manifest");
		let mut pre = b"arena/manifest/v1".to_vec();
		pre.extend_from_slice(&root);
		let expected = ArtifactHash::of(&pre);
		assert_eq!(ArtifactKind::Manifest.key_of(&bytes).ok(), Some(expected));
		assert_eq!(manifest_key(&root), expected);
		// The tail does not change the key; the prefix does.
		assert_eq!(ArtifactKind::Manifest.key_of(&root).ok(), Some(expected));
		bytes[0] ^= 1;
		assert_ne!(ArtifactKind::Manifest.key_of(&bytes).ok(), Some(expected));
		assert_ne!(ArtifactHash::of(&bytes), expected);
	}

	#[test]
	fn manifest_key_fails_if_shorter_than_the_root() {
		assert!(matches!(
			ArtifactKind::Manifest.key_of(&[1; 31]),
			Err(ArtifactError::TooShort {
				size: 31,
				min: 32,
				..
			})
		));
	}

	#[test]
	fn key_hasher_gives_the_same_key_for_any_chunking() {
		let data: Vec<u8> = (0..100u8).collect();
		for kind in ArtifactKind::ALL {
			let whole = kind.key_of(&data).ok();
			for split in [0, 1, 17, 31, 32, 33, 99, 100] {
				let mut h = KeyHasher::new(kind);
				h.update(&data[..split]);
				h.update(&data[split..]);
				assert_eq!(h.finish().ok(), whole, "{kind} split {split}");
			}
		}
	}

	#[test]
	fn parse_fails_if_kind_is_unknown() {
		assert!(matches!(
			"weights".parse::<ArtifactKind>(),
			Err(ArtifactError::UnknownKind(_))
		));
	}
}
