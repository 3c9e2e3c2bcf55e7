//! The round manifest: how an auditor finds a miner's boundary states from its chain
//! commitment alone (SPEC §6.5).
//!
//! A miner publishes, next to its update and boundary states, one manifest per round listing
//! the hashes of the states at steps `0, c, 2c, …, H` (the Merkle leaves' preimages). The
//! manifest is stored under [`manifest_key`]`(merkle_root)`, so a validator that read the
//! commitment on chain knows where to look; the artifact store checks that key against the
//! manifest's first 32 bytes (the Merkle root), and [`RoundManifest::verify`] checks the rest.
//!
//! Encoding, version 1, integers little-endian (exactly one valid encoding per manifest):
//!
//! ```text
//! merkle_root: [u8; 32]        (first, so the store can check the key from the prefix)
//! "ARNMANIF" (8 bytes) ‖ version: u32 = 1
//! round: u64 ‖ hotkey: [u8; 32] ‖ checkpoint_hash: [u8; 32] ‖ update_hash: [u8; 32]
//! steps: u64 ‖ segment_len: u64 ‖ fingerprint: [u8; 32] ‖ residual_hash: [u8; 32]
//! loss_trace_hash: [u8; 32] ‖ n_leaves: u32 ‖ state_hashes: [u8; 32] × n_leaves
//! ```
//!
//! `n_leaves` must equal `steps / segment_len + 1`, with `segment_len` dividing `steps`,
//! `1 ≤ steps ≤` [`MAX_STEPS`]; anything else, and any byte after the last hash, is rejected.
//!
//! The loss trace the manifest names is stored as its own artifact, encoded by
//! [`loss_trace_bytes`]: `"ARNLOSS\0" ‖ version: u32 = 1 ‖ n: u32 ‖ loss: f32 × n`.

use thiserror::Error;

use crate::merkle::MerkleTree;
use crate::round::RoundCommitment;
use crate::state::Hash32;

const MAGIC: &[u8; 8] = b"ARNMANIF";
/// Current manifest format version.
pub const MANIFEST_VERSION: u32 = 1;
/// Domain of the manifest's storage key (see [`manifest_key`]).
pub const MANIFEST_KEY_DOMAIN: &[u8] = b"arena/manifest/v1";
/// Largest step count a manifest may claim (the training core's bound on `H`).
pub const MAX_STEPS: u64 = 1_000_000;
/// Bytes before the state hashes: root, magic, version, the fixed fields and the leaf count.
pub const HEADER_LEN: usize = 32 + 8 + 4 + 8 + 32 * 3 + 8 + 8 + 32 * 3 + 4;

const LOSS_MAGIC: &[u8; 8] = b"ARNLOSS\0";
const LOSS_VERSION: u32 = 1;

/// `BLAKE3("arena/manifest/v1" ‖ merkle_root)`: the name a round's manifest is stored under.
pub fn manifest_key(merkle_root: &Hash32) -> Hash32 {
	let mut h = blake3::Hasher::new();
	h.update(MANIFEST_KEY_DOMAIN);
	h.update(merkle_root);
	*h.finalize().as_bytes()
}

/// Encoded length of a manifest with `n_leaves` state hashes: `HEADER_LEN + 32 · n_leaves`
/// (the artifact store's size limit for manifests of a task).
pub fn encoded_len(n_leaves: usize) -> usize {
	HEADER_LEN.saturating_add(n_leaves.saturating_mul(32))
}

/// The largest encoded manifest of any valid task (`MAX_STEPS` segments of one step).
pub fn max_encoded_len() -> usize {
	encoded_len(MAX_STEPS as usize + 1)
}

/// Canonical bytes of a per-step loss trace (see the module documentation).
pub fn loss_trace_bytes(losses: &[f32]) -> Vec<u8> {
	let mut out = Vec::with_capacity(16 + losses.len() * 4);
	out.extend_from_slice(LOSS_MAGIC);
	out.extend_from_slice(&LOSS_VERSION.to_le_bytes());
	out.extend_from_slice(&(losses.len() as u32).to_le_bytes());
	for l in losses {
		out.extend_from_slice(&l.to_le_bytes());
	}
	out
}

/// Decodes [`loss_trace_bytes`] (strict: magic, version, count, no trailing bytes).
pub fn decode_loss_trace(bytes: &[u8]) -> Result<Vec<f32>, ManifestError> {
	let mut r = Reader { bytes, pos: 0 };
	if r.take(8)? != LOSS_MAGIC {
		return Err(ManifestError::BadMagic);
	}
	let version = r.u32()?;
	if version != LOSS_VERSION {
		return Err(ManifestError::UnsupportedVersion(version));
	}
	let n = r.u32()? as usize;
	let raw = r.take(n.checked_mul(4).ok_or(ManifestError::Truncated)?)?;
	r.finish()?;
	Ok(raw
		.chunks_exact(4)
		.map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
		.collect())
}

/// A manifest that is malformed or does not match the commitment it is checked against.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ManifestError {
	/// The bytes end before the structure does.
	#[error("manifest truncated")]
	Truncated,
	/// Bytes remain after the last state hash.
	#[error("manifest has {0} trailing bytes")]
	TrailingBytes(usize),
	/// Wrong magic number.
	#[error("not an Arena manifest (bad magic)")]
	BadMagic,
	/// A format version this build does not read.
	#[error("unsupported manifest format version {0}")]
	UnsupportedVersion(u32),
	/// `steps` or `segment_len` is zero, out of range, or `segment_len` does not divide
	/// `steps`.
	#[error("manifest task shape invalid: {steps} steps in segments of {segment_len}")]
	BadShape {
		/// Claimed steps.
		steps: u64,
		/// Claimed segment length.
		segment_len: u64,
	},
	/// The number of state hashes is not `steps / segment_len + 1`.
	#[error("manifest has {found} state hashes, expected {expected}")]
	WrongLeafCount {
		/// Leaves the shape requires.
		expected: u64,
		/// Leaves listed.
		found: u64,
	},
	/// The state hashes do not give the Merkle root (the manifest's own or the committed one).
	#[error("manifest state hashes do not give the committed Merkle root")]
	BadMerkleRoot,
	/// A field differs from what was committed or expected (named).
	#[error("manifest field `{0}` differs from the commitment")]
	Mismatch(&'static str),
}

/// What a manifest is checked against: the chain commitment and the round it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommittedFields {
	/// The round index.
	pub round: u64,
	/// The miner's hotkey (32 account bytes).
	pub hotkey: Hash32,
	/// The round's checkpoint `C_r`.
	pub checkpoint_hash: Hash32,
	/// Committed update hash.
	pub update_hash: Hash32,
	/// Committed Merkle root.
	pub merkle_root: Hash32,
	/// Committed step count.
	pub steps: u64,
	/// Committed backend fingerprint hash.
	pub fingerprint: Hash32,
	/// Committed residual hash `hash(e_{r+1})`.
	pub residual_hash: Hash32,
}

/// The per-round manifest a miner publishes (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundManifest {
	/// The round index.
	pub round: u64,
	/// The miner's hotkey (32 account bytes).
	pub hotkey: Hash32,
	/// The checkpoint trained from (`C_r`).
	pub checkpoint_hash: Hash32,
	/// `BLAKE3` of the encoded update.
	pub update_hash: Hash32,
	/// Merkle root over `state_hashes` (as committed).
	pub merkle_root: Hash32,
	/// Inner steps `H`.
	pub steps: u64,
	/// Segment length `c`.
	pub segment_len: u64,
	/// Hash of the backend fingerprint.
	pub fingerprint: Hash32,
	/// `hash(e_{r+1})`.
	pub residual_hash: Hash32,
	/// State hashes at steps `0, c, …, H` (leaf `i` = state after `i·c` steps).
	pub state_hashes: Vec<Hash32>,
	/// `BLAKE3` of the loss trace ([`loss_trace_bytes`]).
	pub loss_trace_hash: Hash32,
}

impl RoundManifest {
	/// The manifest of a trained round: every field from `commitment` and `state_hashes`.
	pub fn from_commitment(
		round: u64,
		hotkey: Hash32,
		segment_len: u64,
		commitment: &RoundCommitment,
		state_hashes: Vec<Hash32>,
		loss_trace_hash: Hash32,
	) -> Self {
		Self {
			round,
			hotkey,
			checkpoint_hash: commitment.checkpoint_hash,
			update_hash: commitment.update_hash,
			merkle_root: commitment.merkle_root,
			steps: commitment.steps,
			segment_len,
			fingerprint: commitment.fingerprint.hash(),
			residual_hash: commitment.residual_hash,
			state_hashes,
			loss_trace_hash,
		}
	}

	/// The key this manifest is stored under: [`manifest_key`] of its Merkle root.
	pub fn key(&self) -> Hash32 {
		manifest_key(&self.merkle_root)
	}

	/// Canonical bytes (see the module documentation).
	pub fn encode(&self) -> Vec<u8> {
		let mut out = Vec::with_capacity(encoded_len(self.state_hashes.len()));
		out.extend_from_slice(&self.merkle_root);
		out.extend_from_slice(MAGIC);
		out.extend_from_slice(&MANIFEST_VERSION.to_le_bytes());
		out.extend_from_slice(&self.round.to_le_bytes());
		out.extend_from_slice(&self.hotkey);
		out.extend_from_slice(&self.checkpoint_hash);
		out.extend_from_slice(&self.update_hash);
		out.extend_from_slice(&self.steps.to_le_bytes());
		out.extend_from_slice(&self.segment_len.to_le_bytes());
		out.extend_from_slice(&self.fingerprint);
		out.extend_from_slice(&self.residual_hash);
		out.extend_from_slice(&self.loss_trace_hash);
		out.extend_from_slice(&(self.state_hashes.len() as u32).to_le_bytes());
		for h in &self.state_hashes {
			out.extend_from_slice(h);
		}
		out
	}

	/// Decodes canonical bytes: magic, version, a valid task shape, exactly
	/// `steps / segment_len + 1` state hashes and nothing after them. Never panics; the
	/// leaf count is checked before anything is allocated for it.
	pub fn decode(bytes: &[u8]) -> Result<Self, ManifestError> {
		let mut r = Reader { bytes, pos: 0 };
		let merkle_root = r.hash()?;
		if r.take(8)? != MAGIC {
			return Err(ManifestError::BadMagic);
		}
		let version = r.u32()?;
		if version != MANIFEST_VERSION {
			return Err(ManifestError::UnsupportedVersion(version));
		}
		let round = r.u64()?;
		let hotkey = r.hash()?;
		let checkpoint_hash = r.hash()?;
		let update_hash = r.hash()?;
		let steps = r.u64()?;
		let segment_len = r.u64()?;
		let fingerprint = r.hash()?;
		let residual_hash = r.hash()?;
		let loss_trace_hash = r.hash()?;
		let expected = expected_leaves(steps, segment_len)?;
		let found = u64::from(r.u32()?);
		if found != expected {
			return Err(ManifestError::WrongLeafCount { expected, found });
		}
		let mut state_hashes = Vec::with_capacity(found as usize);
		for _ in 0..found {
			state_hashes.push(r.hash()?);
		}
		r.finish()?;
		Ok(Self {
			round,
			hotkey,
			checkpoint_hash,
			update_hash,
			merkle_root,
			steps,
			segment_len,
			fingerprint,
			residual_hash,
			state_hashes,
			loss_trace_hash,
		})
	}

	/// Checks the manifest against a commitment: its shape, the Merkle root recomputed over
	/// `state_hashes` (with [`crate::merkle`]) equal to its own and the committed root, and
	/// every other committed field. The first problem found is returned; a root that does not
	/// follow from the leaves is [`ManifestError::BadMerkleRoot`].
	pub fn verify(&self, committed: &CommittedFields) -> Result<(), ManifestError> {
		let expected = expected_leaves(self.steps, self.segment_len)?;
		let found = self.state_hashes.len() as u64;
		if found != expected {
			return Err(ManifestError::WrongLeafCount { expected, found });
		}
		let root = MerkleTree::new(&self.state_hashes)
			.map(|t| t.root())
			.ok_or(ManifestError::WrongLeafCount { expected, found })?;
		if root != self.merkle_root || root != committed.merkle_root {
			return Err(ManifestError::BadMerkleRoot);
		}
		let checks: [(&'static str, bool); 7] = [
			("round", self.round == committed.round),
			("hotkey", self.hotkey == committed.hotkey),
			(
				"checkpoint_hash",
				self.checkpoint_hash == committed.checkpoint_hash,
			),
			("update_hash", self.update_hash == committed.update_hash),
			("steps", self.steps == committed.steps),
			("fingerprint", self.fingerprint == committed.fingerprint),
			(
				"residual_hash",
				self.residual_hash == committed.residual_hash,
			),
		];
		match checks.iter().find(|(_, ok)| !ok) {
			Some((field, _)) => Err(ManifestError::Mismatch(field)),
			None => Ok(()),
		}
	}

	/// Checks the claimed shape against the subnet's task (`H` and `c`).
	pub fn check_task(&self, inner_steps: u64, segment_len: u64) -> Result<(), ManifestError> {
		if self.steps != inner_steps {
			return Err(ManifestError::Mismatch("steps"));
		}
		if self.segment_len != segment_len {
			return Err(ManifestError::Mismatch("segment_len"));
		}
		Ok(())
	}
}

/// `steps / segment_len + 1` for a valid shape, else [`ManifestError::BadShape`].
fn expected_leaves(steps: u64, segment_len: u64) -> Result<u64, ManifestError> {
	if steps == 0 || steps > MAX_STEPS || segment_len == 0 || !steps.is_multiple_of(segment_len) {
		return Err(ManifestError::BadShape { steps, segment_len });
	}
	Ok(steps / segment_len + 1)
}

struct Reader<'a> {
	bytes: &'a [u8],
	pos: usize,
}

impl<'a> Reader<'a> {
	fn take(&mut self, n: usize) -> Result<&'a [u8], ManifestError> {
		let end = self.pos.checked_add(n).ok_or(ManifestError::Truncated)?;
		let s = self
			.bytes
			.get(self.pos..end)
			.ok_or(ManifestError::Truncated)?;
		self.pos = end;
		Ok(s)
	}
	fn hash(&mut self) -> Result<Hash32, ManifestError> {
		let mut h = [0u8; 32];
		h.copy_from_slice(self.take(32)?);
		Ok(h)
	}
	fn u32(&mut self) -> Result<u32, ManifestError> {
		let mut a = [0u8; 4];
		a.copy_from_slice(self.take(4)?);
		Ok(u32::from_le_bytes(a))
	}
	fn u64(&mut self) -> Result<u64, ManifestError> {
		let mut a = [0u8; 8];
		a.copy_from_slice(self.take(8)?);
		Ok(u64::from_le_bytes(a))
	}
	fn finish(&self) -> Result<(), ManifestError> {
		match self.bytes.len() - self.pos {
			0 => Ok(()),
			n => Err(ManifestError::TrailingBytes(n)),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn leaves(n: usize) -> Vec<Hash32> {
		(0..n)
			.map(|i| *blake3::hash(&(i as u64).to_le_bytes()).as_bytes())
			.collect()
	}

	fn manifest() -> RoundManifest {
		let state_hashes = leaves(5);
		let merkle_root = MerkleTree::new(&state_hashes).unwrap().root();
		RoundManifest {
			round: 7,
			hotkey: [1; 32],
			checkpoint_hash: [2; 32],
			update_hash: [3; 32],
			merkle_root,
			steps: 20,
			segment_len: 5,
			fingerprint: [4; 32],
			residual_hash: [5; 32],
			state_hashes,
			loss_trace_hash: [6; 32],
		}
	}

	fn committed(m: &RoundManifest) -> CommittedFields {
		CommittedFields {
			round: m.round,
			hotkey: m.hotkey,
			checkpoint_hash: m.checkpoint_hash,
			update_hash: m.update_hash,
			merkle_root: m.merkle_root,
			steps: m.steps,
			fingerprint: m.fingerprint,
			residual_hash: m.residual_hash,
		}
	}

	#[test]
	fn encode_decode_round_trips_and_starts_with_the_root() {
		let m = manifest();
		let bytes = m.encode();
		assert_eq!(bytes.len(), encoded_len(5));
		assert_eq!(&bytes[..32], &m.merkle_root);
		assert_eq!(&bytes[32..40], MAGIC);
		assert_eq!(RoundManifest::decode(&bytes), Ok(m.clone()));
		assert_eq!(m.verify(&committed(&m)), Ok(()));
		assert_eq!(m.check_task(20, 5), Ok(()));
	}

	#[test]
	fn key_is_blake3_of_domain_and_root() {
		let m = manifest();
		let mut pre = b"arena/manifest/v1".to_vec();
		pre.extend_from_slice(&m.merkle_root);
		assert_eq!(m.key(), *blake3::hash(&pre).as_bytes());
		assert_ne!(manifest_key(&[0; 32]), manifest_key(&[1; 32]));
	}

	#[test]
	fn decode_fails_if_trailing_bytes() {
		let mut bytes = manifest().encode();
		bytes.push(0);
		assert_eq!(
			RoundManifest::decode(&bytes),
			Err(ManifestError::TrailingBytes(1))
		);
	}

	#[test]
	fn decode_fails_if_truncated_anywhere() {
		let bytes = manifest().encode();
		for cut in [0, 31, 40, HEADER_LEN - 1, HEADER_LEN, bytes.len() - 1] {
			assert_eq!(
				RoundManifest::decode(&bytes[..cut]),
				Err(ManifestError::Truncated),
				"cut at {cut}"
			);
		}
	}

	#[test]
	fn decode_fails_if_magic_or_version_is_wrong() {
		let mut bad = manifest().encode();
		bad[32] ^= 1;
		assert_eq!(RoundManifest::decode(&bad), Err(ManifestError::BadMagic));
		let mut ver = manifest().encode();
		ver[40] = 2;
		assert_eq!(
			RoundManifest::decode(&ver),
			Err(ManifestError::UnsupportedVersion(2))
		);
	}

	#[test]
	fn decode_fails_if_leaf_count_does_not_fit_the_shape() {
		let mut m = manifest();
		m.state_hashes.push([9; 32]);
		assert_eq!(
			RoundManifest::decode(&m.encode()),
			Err(ManifestError::WrongLeafCount {
				expected: 5,
				found: 6
			})
		);
		// A huge announced count is refused before any allocation.
		let mut bytes = manifest().encode();
		bytes[HEADER_LEN - 4..HEADER_LEN].copy_from_slice(&u32::MAX.to_le_bytes());
		assert!(matches!(
			RoundManifest::decode(&bytes),
			Err(ManifestError::WrongLeafCount { .. })
		));
	}

	#[test]
	fn decode_fails_if_shape_is_invalid() {
		for (steps, segment_len) in [(0, 5), (20, 0), (20, 3), (MAX_STEPS + 1, 1)] {
			let mut m = manifest();
			m.steps = steps;
			m.segment_len = segment_len;
			assert_eq!(
				RoundManifest::decode(&m.encode()),
				Err(ManifestError::BadShape { steps, segment_len })
			);
		}
	}

	#[test]
	fn verify_fails_with_bad_merkle_root_if_a_leaf_is_changed() {
		let mut m = manifest();
		let c = committed(&m);
		m.state_hashes[3][0] ^= 1;
		assert_eq!(m.verify(&c), Err(ManifestError::BadMerkleRoot));
	}

	#[test]
	fn verify_fails_with_bad_merkle_root_if_committed_root_differs() {
		let m = manifest();
		let mut c = committed(&m);
		c.merkle_root[0] ^= 1;
		assert_eq!(m.verify(&c), Err(ManifestError::BadMerkleRoot));
	}

	#[test]
	fn verify_fails_if_a_committed_field_differs() {
		let m = manifest();
		type Change = fn(&mut CommittedFields);
		let cases: [(&str, Change); 7] = [
			("round", |c| c.round += 1),
			("hotkey", |c| c.hotkey[0] ^= 1),
			("checkpoint_hash", |c| c.checkpoint_hash[0] ^= 1),
			("update_hash", |c| c.update_hash[0] ^= 1),
			("steps", |c| c.steps += 5),
			("fingerprint", |c| c.fingerprint[0] ^= 1),
			("residual_hash", |c| c.residual_hash[0] ^= 1),
		];
		for (field, change) in cases {
			let mut c = committed(&m);
			change(&mut c);
			assert_eq!(m.verify(&c), Err(ManifestError::Mismatch(field)));
		}
	}

	#[test]
	fn check_task_fails_if_segment_len_differs() {
		assert_eq!(
			manifest().check_task(20, 10),
			Err(ManifestError::Mismatch("segment_len"))
		);
	}

	#[test]
	fn loss_trace_round_trips_and_rejects_trailing_bytes() {
		let losses = [5.5f32, 4.25, 3.0];
		let bytes = loss_trace_bytes(&losses);
		assert_eq!(decode_loss_trace(&bytes), Ok(losses.to_vec()));
		let mut long = bytes.clone();
		long.push(0);
		assert_eq!(
			decode_loss_trace(&long),
			Err(ManifestError::TrailingBytes(1))
		);
		assert_eq!(
			decode_loss_trace(&bytes[..bytes.len() - 1]),
			Err(ManifestError::Truncated)
		);
	}
}
