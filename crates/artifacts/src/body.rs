//! Receiving an artifact's bytes from an untrusted source: the size limit is enforced on the
//! announced length and on every chunk, the length is compared with the announcement, and the
//! key ([`ArtifactKind::key_of`]) is checked before the bytes are handed out.

use bytes::{Bytes, BytesMut};

use crate::error::ArtifactError;
use crate::hash::ArtifactHash;
use crate::kind::{ArtifactKind, KeyHasher};
use crate::limits::SizeLimits;

/// Preallocation cap: an announced length is never trusted for more than this up front.
const MAX_PREALLOCATION: u64 = 64 << 20;

/// A body being received for `kind`/`expected`.
#[derive(Debug)]
pub struct VerifiedBody {
	kind: ArtifactKind,
	expected: ArtifactHash,
	limit: u64,
	announced: Option<u64>,
	buf: BytesMut,
	hasher: KeyHasher,
}

impl VerifiedBody {
	/// Starts a body whose sender announced `announced` bytes (`Content-Length`, object
	/// size); [`ArtifactError::TooLarge`] at once if that is over the kind's limit.
	pub fn new(
		kind: ArtifactKind,
		expected: ArtifactHash,
		limits: &SizeLimits,
		announced: Option<u64>,
	) -> Result<Self, ArtifactError> {
		if let Some(len) = announced {
			limits.check(kind, len)?;
		}
		let limit = limits.limit(kind);
		let capacity = announced.unwrap_or(0).min(limit).min(MAX_PREALLOCATION) as usize;
		Ok(Self {
			kind,
			expected,
			limit,
			announced,
			buf: BytesMut::with_capacity(capacity),
			hasher: KeyHasher::new(kind),
		})
	}

	/// Bytes received so far.
	pub fn received(&self) -> u64 {
		self.buf.len() as u64
	}

	/// Appends a chunk; [`ArtifactError::TooLarge`] as soon as the total passes the limit
	/// (whatever was announced).
	pub fn push(&mut self, chunk: &[u8]) -> Result<(), ArtifactError> {
		let size = self.received().saturating_add(chunk.len() as u64);
		if size > self.limit {
			return Err(ArtifactError::TooLarge {
				kind: self.kind,
				limit: self.limit,
				size,
			});
		}
		self.hasher.update(chunk);
		self.buf.extend_from_slice(chunk);
		Ok(())
	}

	/// The error for a stream that broke off here: [`ArtifactError::Truncated`] if fewer
	/// bytes than announced arrived, else `None` (the caller reports its own error).
	pub fn truncation(&self) -> Option<ArtifactError> {
		match self.announced {
			Some(expected) if self.received() < expected => Some(ArtifactError::Truncated {
				kind: self.kind,
				expected,
				received: self.received(),
			}),
			_ => None,
		}
	}

	/// The complete body: [`ArtifactError::Truncated`] if its length differs from the
	/// announcement, [`ArtifactError::HashMismatch`] if its key ([`ArtifactKind::key_of`]) is
	/// not the expected one.
	pub fn finish(self) -> Result<Bytes, ArtifactError> {
		if let Some(expected) = self.announced {
			if self.received() != expected {
				return Err(ArtifactError::Truncated {
					kind: self.kind,
					expected,
					received: self.received(),
				});
			}
		}
		let actual = self.hasher.finish()?;
		if actual != self.expected {
			return Err(ArtifactError::HashMismatch {
				kind: self.kind,
				expected: self.expected,
				actual,
			});
		}
		Ok(self.buf.freeze())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	const KIND: ArtifactKind = ArtifactKind::Update;

	fn limits() -> SizeLimits {
		SizeLimits::uniform(100)
	}

	#[test]
	fn chunks_that_hash_right_are_returned_whole() {
		let data = b"hello artifact";
		let mut body =
			VerifiedBody::new(KIND, ArtifactHash::of(data), &limits(), Some(14)).expect("new");
		body.push(&data[..5]).expect("push");
		body.push(&data[5..]).expect("push");
		assert_eq!(&body.finish().expect("finish")[..], data);
	}

	#[test]
	fn new_fails_if_announced_length_exceeds_limit() {
		assert!(matches!(
			VerifiedBody::new(KIND, ArtifactHash::of(b""), &limits(), Some(101)),
			Err(ArtifactError::TooLarge { size: 101, .. })
		));
	}

	#[test]
	fn push_fails_as_soon_as_the_limit_is_passed_without_announcement() {
		let mut body =
			VerifiedBody::new(KIND, ArtifactHash::of(b""), &limits(), None).expect("new");
		body.push(&[0; 60]).expect("push");
		assert!(matches!(
			body.push(&[0; 41]),
			Err(ArtifactError::TooLarge { size: 101, .. })
		));
	}

	#[test]
	fn finish_fails_if_body_is_shorter_than_announced() {
		let mut body =
			VerifiedBody::new(KIND, ArtifactHash::of(b"abc"), &limits(), Some(5)).expect("new");
		body.push(b"abc").expect("push");
		assert!(matches!(
			body.truncation(),
			Some(ArtifactError::Truncated { .. })
		));
		assert!(matches!(
			body.finish(),
			Err(ArtifactError::Truncated {
				expected: 5,
				received: 3,
				..
			})
		));
	}

	#[test]
	fn finish_fails_if_body_is_longer_than_announced() {
		let mut body =
			VerifiedBody::new(KIND, ArtifactHash::of(b"abcdef"), &limits(), Some(3)).expect("new");
		body.push(b"abcdef").expect("push");
		assert!(matches!(
			body.finish(),
			Err(ArtifactError::Truncated {
				expected: 3,
				received: 6,
				..
			})
		));
	}

	#[test]
	fn manifest_body_is_checked_against_its_root_key() {
		let root = [3u8; 32];
		let mut data = root.to_vec();
		data.extend_from_slice(b"manifest tail");
		let key = crate::kind::manifest_key(&root);
		let mut body =
			VerifiedBody::new(ArtifactKind::Manifest, key, &limits(), None).expect("new");
		body.push(&data[..10]).expect("push");
		body.push(&data[10..]).expect("push");
		assert_eq!(&body.finish().expect("finish")[..], &data[..]);
		// Requested under its content hash instead: refused.
		let mut wrong = VerifiedBody::new(
			ArtifactKind::Manifest,
			ArtifactHash::of(&data),
			&limits(),
			None,
		)
		.expect("new");
		wrong.push(&data).expect("push");
		assert!(matches!(
			wrong.finish(),
			Err(ArtifactError::HashMismatch { .. })
		));
	}

	#[test]
	fn finish_fails_if_hash_differs() {
		let mut body =
			VerifiedBody::new(KIND, ArtifactHash::of(b"abc"), &limits(), None).expect("new");
		body.push(b"abd").expect("push");
		assert!(matches!(
			body.finish(),
			Err(ArtifactError::HashMismatch { .. })
		));
	}
}
