//! The full inner-training state and its canonical bytes and hash (SPEC §6.2).
//!
//! State = (step, parameters θ, AdamW first moments m, second moments v, error-feedback
//! buffer e). Canonical encoding, version 1, all integers little-endian:
//!
//! ```text
//! "ARNSTATE" (8 bytes) ‖ version: u32 = 1 ‖ step: u64 ‖ groups: u32 = 4
//! for each group in [θ, m, v, e]:
//!     n_tensors: u32
//!     for each tensor in canonical order:
//!         name_len: u32 ‖ name (UTF-8) ‖ rank: u32 ‖ dims: u64 × rank ‖ values: f32 LE × numel
//! ```
//!
//! `state_hash = BLAKE3(canonical bytes)`. The same bytes are the wire/disk format of a
//! boundary state, so a validator hashes exactly what it received.

use crate::error::StateError;
use crate::params::{HostTensor, ParamSet, ParamSpec};

const MAGIC: &[u8; 8] = b"ARNSTATE";
const VERSION: u32 = 1;
const GROUPS: u32 = 4;

/// A 32-byte BLAKE3 digest.
pub type Hash32 = [u8; 32];

/// Everything the inner loop carries from one step to the next.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainState {
	/// Inner steps completed in this round (0 at the round's start).
	pub step: u64,
	/// Model parameters θ.
	pub params: ParamSet,
	/// AdamW first moments.
	pub adam_m: ParamSet,
	/// AdamW second moments.
	pub adam_v: ParamSet,
	/// Error-feedback buffer carried from the miner's previous round (constant within a round).
	pub error_feedback: ParamSet,
}

impl TrainState {
	/// The state at step 0 of a round: θ from the checkpoint, zero moments, and the miner's
	/// error-feedback buffer (zeros for a first round).
	pub fn round_start(params: ParamSet, error_feedback: ParamSet) -> Self {
		let layout = params.layout();
		Self {
			step: 0,
			adam_m: ParamSet::zeros(&layout),
			adam_v: ParamSet::zeros(&layout),
			params,
			error_feedback,
		}
	}

	fn groups(&self) -> [&ParamSet; 4] {
		[
			&self.params,
			&self.adam_m,
			&self.adam_v,
			&self.error_feedback,
		]
	}

	/// Canonical bytes (see the module documentation).
	pub fn to_canonical_bytes(&self) -> Vec<u8> {
		let groups = self.groups();
		let values: usize = groups.iter().map(|g| g.numel()).sum();
		let mut out = Vec::with_capacity(32 + values * 4 + 4096);
		out.extend_from_slice(MAGIC);
		out.extend_from_slice(&VERSION.to_le_bytes());
		out.extend_from_slice(&self.step.to_le_bytes());
		out.extend_from_slice(&GROUPS.to_le_bytes());
		for g in groups {
			write_group(&mut out, g);
		}
		out
	}

	/// `BLAKE3(canonical bytes)`.
	pub fn hash(&self) -> Hash32 {
		*blake3::hash(&self.to_canonical_bytes()).as_bytes()
	}

	/// Length of the canonical bytes of any state of `layout` (the encoding has no variable
	/// part besides the layout): `24 + 4 × (4 + Σ (4 + |name| + 4 + 8·rank + 4·numel))`.
	pub fn canonical_len(layout: &[ParamSpec]) -> usize {
		let group = layout.iter().fold(4usize, |acc, s| {
			acc.saturating_add(
				(8 + s.name.len())
					.saturating_add(s.shape.len().saturating_mul(8))
					.saturating_add(s.numel().saturating_mul(4)),
			)
		});
		group.saturating_mul(GROUPS as usize).saturating_add(24)
	}

	/// Decodes canonical bytes, requiring every group to have exactly `layout` and every
	/// value to be finite. Bytes longer than [`Self::canonical_len`] are rejected before
	/// anything is parsed. Never panics on malformed input.
	pub fn from_canonical_bytes(bytes: &[u8], layout: &[ParamSpec]) -> Result<Self, StateError> {
		let expected = Self::canonical_len(layout);
		if bytes.len() > expected {
			return Err(StateError::TrailingBytes(bytes.len() - expected));
		}
		let mut r = Reader { bytes, pos: 0 };
		if r.take(8)? != MAGIC {
			return Err(StateError::BadMagic);
		}
		let version = r.u32()?;
		if version != VERSION {
			return Err(StateError::UnsupportedVersion(version));
		}
		let step = r.u64()?;
		let groups = r.u32()?;
		if groups != GROUPS {
			return Err(StateError::LayoutMismatch(format!(
				"{groups} groups, expected 4"
			)));
		}
		let mut sets = Vec::with_capacity(4);
		for _ in 0..GROUPS {
			let n = r.u32()? as usize;
			if n != layout.len() {
				return Err(StateError::LayoutMismatch(format!(
					"{n} tensors, expected {}",
					layout.len()
				)));
			}
			let mut tensors = Vec::with_capacity(n);
			for spec in layout {
				let name_len = r.u32()? as usize;
				let name = r.take(name_len)?;
				if name != spec.name.as_bytes() {
					return Err(StateError::LayoutMismatch(format!(
						"tensor `{}` where `{}` was expected",
						String::from_utf8_lossy(name),
						spec.name
					)));
				}
				let rank = r.u32()? as usize;
				if rank != spec.shape.len() {
					return Err(StateError::LayoutMismatch(format!(
						"`{}` has rank {rank}",
						spec.name
					)));
				}
				for &d in &spec.shape {
					if r.u64()? != d as u64 {
						return Err(StateError::LayoutMismatch(format!(
							"`{}` has the wrong shape",
							spec.name
						)));
					}
				}
				let raw = r.take(spec.numel() * 4)?;
				let data: Vec<f32> = raw
					.chunks_exact(4)
					.map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
					.collect();
				if data.iter().any(|v| !v.is_finite()) {
					return Err(StateError::NonFinite(spec.name.clone()));
				}
				tensors.push(HostTensor {
					spec: spec.clone(),
					data,
				});
			}
			sets.push(ParamSet::from_tensors(tensors).map_err(StateError::LayoutMismatch)?);
		}
		if r.pos != bytes.len() {
			return Err(StateError::TrailingBytes(bytes.len() - r.pos));
		}
		let mut it = sets.into_iter();
		match (it.next(), it.next(), it.next(), it.next()) {
			(Some(params), Some(adam_m), Some(adam_v), Some(error_feedback)) => Ok(Self {
				step,
				params,
				adam_m,
				adam_v,
				error_feedback,
			}),
			_ => Err(StateError::Truncated),
		}
	}
}

/// Appends one group's canonical bytes: `n_tensors: u32` then, per tensor in canonical order,
/// `name_len: u32 ‖ name ‖ rank: u32 ‖ dims: u64 × rank ‖ values: f32 LE × numel`.
pub(crate) fn write_group(out: &mut Vec<u8>, set: &ParamSet) {
	out.extend_from_slice(&(set.tensors().len() as u32).to_le_bytes());
	for t in set.tensors() {
		out.extend_from_slice(&(t.spec.name.len() as u32).to_le_bytes());
		out.extend_from_slice(t.spec.name.as_bytes());
		out.extend_from_slice(&(t.spec.shape.len() as u32).to_le_bytes());
		for &d in &t.spec.shape {
			out.extend_from_slice(&(d as u64).to_le_bytes());
		}
		for v in &t.data {
			out.extend_from_slice(&v.to_le_bytes());
		}
	}
}

struct Reader<'a> {
	bytes: &'a [u8],
	pos: usize,
}

impl<'a> Reader<'a> {
	fn take(&mut self, n: usize) -> Result<&'a [u8], StateError> {
		let end = self.pos.checked_add(n).ok_or(StateError::Truncated)?;
		let s = self.bytes.get(self.pos..end).ok_or(StateError::Truncated)?;
		self.pos = end;
		Ok(s)
	}
	fn u32(&mut self) -> Result<u32, StateError> {
		let s = self.take(4)?;
		Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
	}
	fn u64(&mut self) -> Result<u64, StateError> {
		let s = self.take(8)?;
		let mut a = [0u8; 8];
		a.copy_from_slice(s);
		Ok(u64::from_le_bytes(a))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn layout() -> Vec<ParamSpec> {
		vec![
			ParamSpec {
				name: "w".into(),
				shape: vec![2, 2],
				decay: true,
			},
			ParamSpec {
				name: "b".into(),
				shape: vec![3],
				decay: false,
			},
		]
	}

	fn state() -> TrainState {
		let flat: Vec<f32> = (0..7).map(|i| i as f32 * 0.5 - 1.0).collect();
		let p = ParamSet::from_flat(&layout(), &flat).unwrap();
		let mut s = TrainState::round_start(p.clone(), ParamSet::zeros(&layout()));
		s.step = 5;
		s.adam_m = p.clone();
		s.error_feedback = p;
		s
	}

	#[test]
	fn round_trip_and_hash_is_over_the_bytes() {
		let s = state();
		let bytes = s.to_canonical_bytes();
		assert_eq!(&bytes[..8], b"ARNSTATE");
		assert_eq!(
			TrainState::from_canonical_bytes(&bytes, &layout()).unwrap(),
			s
		);
		assert_eq!(s.hash(), *blake3::hash(&bytes).as_bytes());
	}

	#[test]
	fn canonical_len_is_the_length_of_the_encoding() {
		assert_eq!(
			TrainState::canonical_len(&layout()),
			state().to_canonical_bytes().len()
		);
	}

	#[test]
	fn bytes_longer_than_the_layout_are_rejected_before_parsing() {
		// Garbage (not even the magic) far past the layout's length: rejected by length.
		let huge = vec![0xAB; TrainState::canonical_len(&layout()) + 1000];
		assert_eq!(
			TrainState::from_canonical_bytes(&huge, &layout()),
			Err(StateError::TrailingBytes(1000))
		);
	}

	#[test]
	fn every_component_changes_the_hash() {
		let s = state();
		let h = s.hash();
		let mut a = s.clone();
		a.step = 6;
		let mut b = s.clone();
		b.adam_v.tensors_mut()[0].data[0] = 1e-9;
		let mut c = s.clone();
		c.error_feedback.tensors_mut()[1].data[2] += 1.0;
		let mut d = s.clone();
		// -0.0 and 0.0 differ bitwise: the hash is over exact bits.
		d.adam_m.tensors_mut()[0].data[2] = -0.0;
		assert_eq!(s.adam_m.tensors()[0].data[2], 0.0);
		for other in [a, b, c, d] {
			assert_ne!(other.hash(), h);
		}
	}

	#[test]
	fn malformed_bytes_are_rejected() {
		let bytes = state().to_canonical_bytes();
		let l = layout();
		assert_eq!(
			TrainState::from_canonical_bytes(&bytes[..bytes.len() - 1], &l),
			Err(StateError::Truncated)
		);
		let mut long = bytes.clone();
		long.push(0);
		assert_eq!(
			TrainState::from_canonical_bytes(&long, &l),
			Err(StateError::TrailingBytes(1))
		);
		let mut bad = bytes.clone();
		bad[0] = b'X';
		assert_eq!(
			TrainState::from_canonical_bytes(&bad, &l),
			Err(StateError::BadMagic)
		);
		let mut ver = bytes.clone();
		ver[8] = 2;
		assert_eq!(
			TrainState::from_canonical_bytes(&ver, &l),
			Err(StateError::UnsupportedVersion(2))
		);
		let mut nan = bytes.clone();
		let n = nan.len();
		nan[n - 4..].copy_from_slice(&f32::NAN.to_le_bytes());
		assert!(matches!(
			TrainState::from_canonical_bytes(&nan, &l),
			Err(StateError::NonFinite(_))
		));
		let mut other = l.clone();
		other[1].shape = vec![4];
		assert!(matches!(
			TrainState::from_canonical_bytes(&bytes, &other),
			Err(StateError::LayoutMismatch(_))
		));
		assert_eq!(
			TrainState::from_canonical_bytes(&[], &l),
			Err(StateError::Truncated)
		);
	}
}
