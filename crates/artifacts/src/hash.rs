//! The 32-byte BLAKE3 content hash that names every artifact.

use std::fmt;
use std::str::FromStr;

use crate::error::ArtifactError;

/// An artifact's 32-byte key, written as 64 lower-case hex digits in paths and URLs:
/// `BLAKE3(bytes)` for content kinds, the same hash the chain stores for checkpoints, updates
/// and states (`arena_training::{Checkpoint::hash, update_hash, TrainState::hash}` all hash
/// the bytes); for a manifest, [`crate::manifest_key`] of its Merkle root
/// ([`crate::ArtifactKind::key_of`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArtifactHash(pub [u8; 32]);

impl ArtifactHash {
	/// The hash of `bytes`.
	pub fn of(bytes: &[u8]) -> Self {
		Self(*blake3::hash(bytes).as_bytes())
	}

	/// The raw 32 bytes.
	pub fn as_bytes(&self) -> &[u8; 32] {
		&self.0
	}

	/// 64 lower-case hex digits.
	pub fn to_hex(&self) -> String {
		hex::encode(self.0)
	}

	/// Parses exactly 64 hex digits (either case).
	pub fn from_hex(s: &str) -> Result<Self, ArtifactError> {
		let mut out = [0u8; 32];
		if s.len() != 64 {
			return Err(ArtifactError::InvalidHash(s.chars().take(80).collect()));
		}
		hex::decode_to_slice(s, &mut out)
			.map_err(|_| ArtifactError::InvalidHash(s.chars().take(80).collect()))?;
		Ok(Self(out))
	}
}

impl From<[u8; 32]> for ArtifactHash {
	fn from(b: [u8; 32]) -> Self {
		Self(b)
	}
}

impl fmt::Display for ArtifactHash {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str(&self.to_hex())
	}
}

impl fmt::Debug for ArtifactHash {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		write!(f, "ArtifactHash({})", self.to_hex())
	}
}

impl FromStr for ArtifactHash {
	type Err = ArtifactError;
	fn from_str(s: &str) -> Result<Self, Self::Err> {
		Self::from_hex(s)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn hex_round_trips() {
		let h = ArtifactHash::of(b"arena");
		assert_eq!(ArtifactHash::from_hex(&h.to_hex()).ok(), Some(h));
		assert_eq!(h.to_hex().len(), 64);
	}

	#[test]
	fn from_hex_fails_if_length_is_wrong() {
		assert!(matches!(
			ArtifactHash::from_hex("abcd"),
			Err(ArtifactError::InvalidHash(_))
		));
	}

	#[test]
	fn from_hex_fails_if_not_hex() {
		let s = "z".repeat(64);
		assert!(matches!(
			ArtifactHash::from_hex(&s),
			Err(ArtifactError::InvalidHash(_))
		));
	}
}
