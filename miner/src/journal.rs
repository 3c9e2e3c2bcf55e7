//! The progress of the round being trained (`<base>/training-<netuid>.toml`), so that a miner
//! restarted mid-round resumes from its last stored boundary state instead of step 0.
//!
//! After each boundary state is in the store, the journal is rewritten atomically with the
//! hashes of the boundary states so far and the losses of the steps so far (as `f32` bit
//! patterns, so they come back exactly). It names the round, its checkpoint and the residual
//! the round started from; a journal of another round or start is ignored. The training core
//! checks the resume point again ([`arena_training::resume_round_streaming`]) and the
//! resumed round is bit-identical to an uninterrupted one, so resuming can never change what
//! the miner commits.

use std::fs;
use std::path::{Path, PathBuf};

use arena_artifacts::{ArtifactHash, ArtifactKind, Store};
use arena_chain_client::types::{Hash32, NetUid, RoundIndex};
use arena_training::model::param_layout;
use arena_training::{ResumePoint, TrainState, TrainingConfig};
use serde::{Deserialize, Serialize};

use crate::error::MinerError;
use crate::persist::write_atomic;

/// Format version of the journal.
pub const JOURNAL_VERSION: u32 = 1;

/// Which round a journal belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoundKey {
	/// The round.
	pub round: RoundIndex,
	/// Its checkpoint hash.
	pub checkpoint: Hash32,
	/// The residual hash its error-feedback buffer has (the chain's `previous_residual`).
	pub previous_residual: Hash32,
}

/// The journal's contents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Journal {
	/// [`JOURNAL_VERSION`].
	pub version: u32,
	/// The round.
	pub round: RoundIndex,
	/// Checkpoint hash (hex).
	pub checkpoint: String,
	/// Starting residual hash (hex).
	pub previous_residual: String,
	/// Hashes (hex) of the boundary states stored so far, from state 0.
	pub state_hashes: Vec<String>,
	/// Bit patterns of the losses of the steps so far.
	pub loss_bits: Vec<u32>,
}

impl Journal {
	/// A journal of `key` with the given boundaries and losses.
	pub fn new(key: &RoundKey, state_hashes: &[Hash32], losses: &[f32]) -> Self {
		Self {
			version: JOURNAL_VERSION,
			round: key.round,
			checkpoint: hex::encode(key.checkpoint),
			previous_residual: hex::encode(key.previous_residual),
			state_hashes: state_hashes.iter().map(hex::encode).collect(),
			loss_bits: losses.iter().map(|l| l.to_bits()).collect(),
		}
	}

	/// Whether it belongs to `key`.
	pub fn is_for(&self, key: &RoundKey) -> bool {
		self.version == JOURNAL_VERSION
			&& self.round == key.round
			&& self.checkpoint == hex::encode(key.checkpoint)
			&& self.previous_residual == hex::encode(key.previous_residual)
	}

	/// The boundary hashes, decoded.
	pub fn hashes(&self) -> Result<Vec<Hash32>, String> {
		self.state_hashes
			.iter()
			.map(|h| {
				let bytes = hex::decode(h).map_err(|e| e.to_string())?;
				<[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| format!("{h}: not 32 bytes"))
			})
			.collect()
	}

	/// The losses.
	pub fn losses(&self) -> Vec<f32> {
		self.loss_bits.iter().map(|b| f32::from_bits(*b)).collect()
	}
}

/// The journal file of one subnet in a base path.
#[derive(Clone, Debug)]
pub struct JournalFile {
	path: PathBuf,
}

impl JournalFile {
	/// `<base>/training-<netuid>.toml`.
	pub fn new(base: &Path, netuid: NetUid) -> Self {
		Self {
			path: base.join(format!("training-{netuid}.toml")),
		}
	}

	/// Writes `journal` atomically.
	pub fn save(&self, journal: &Journal) -> Result<(), MinerError> {
		let text = toml::to_string(journal).map_err(|e| self.err(e))?;
		write_atomic(&self.path, text.as_bytes()).map_err(|e| self.err(e))
	}

	/// The journal, if there is a readable one.
	pub fn load(&self) -> Option<Journal> {
		let text = fs::read_to_string(&self.path).ok()?;
		match toml::from_str(&text) {
			Ok(j) => Some(j),
			Err(e) => {
				tracing::warn!(path = %self.path.display(), error = %e, "unreadable training journal ignored");
				None
			},
		}
	}

	/// Removes the journal (the round was published or abandoned).
	pub fn clear(&self) {
		if let Err(e) = fs::remove_file(&self.path) {
			if e.kind() != std::io::ErrorKind::NotFound {
				tracing::warn!(path = %self.path.display(), error = %e, "cannot remove the training journal");
			}
		}
	}

	/// The point to resume round `key` from: the journal's last boundary state, read back from
	/// `store` and checked against its hash. `None` (start from step 0) when there is no journal
	/// for this round, it holds only state 0, or the state cannot be read; the reason is logged.
	pub async fn resume_point(
		&self,
		key: &RoundKey,
		config: &TrainingConfig,
		store: &Store,
	) -> Option<ResumePoint> {
		let journal = self.load().filter(|j| j.is_for(key))?;
		let hashes = match journal.hashes() {
			Ok(h) if h.len() >= 2 => h,
			Ok(_) => return None,
			Err(e) => {
				tracing::warn!(error = %e, "training journal has a bad hash: starting the round over");
				return None;
			},
		};
		let last = *hashes.last()?;
		let state = match store.get(ArtifactKind::State, ArtifactHash(last)).await {
			Ok(bytes) => TrainState::from_canonical_bytes(&bytes, &param_layout(&config.model))
				.map_err(|e| e.to_string()),
			Err(e) => Err(e.to_string()),
		};
		match state {
			Ok(state) if state.hash() == last => Some(ResumePoint {
				state,
				state_hashes: hashes,
				losses: journal.losses(),
			}),
			Ok(_) => {
				tracing::warn!(
					"stored boundary state does not match the journal: starting the round over"
				);
				None
			},
			Err(e) => {
				tracing::warn!(error = %e, "last boundary state unreadable: starting the round over");
				None
			},
		}
	}

	fn err(&self, e: impl std::fmt::Display) -> MinerError {
		MinerError::Persist {
			path: self.path.display().to_string(),
			reason: e.to_string(),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn key() -> RoundKey {
		RoundKey {
			round: 3,
			checkpoint: [1; 32],
			previous_residual: [2; 32],
		}
	}

	#[test]
	fn journal_round_trips_hashes_and_exact_losses() {
		let dir = tempfile::tempdir().expect("tempdir");
		let file = JournalFile::new(dir.path(), 1);
		let losses = [5.5f32, f32::NAN, 1.0e-7, 3.25];
		let j = Journal::new(&key(), &[[7; 32], [8; 32]], &losses);
		file.save(&j).expect("saved");
		let back = file.load().expect("loaded");
		assert_eq!(back.hashes().expect("hashes"), vec![[7; 32], [8; 32]]);
		let bits = |l: &[f32]| l.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
		assert_eq!(bits(&back.losses()), bits(&losses));
		assert!(back.is_for(&key()));
		file.clear();
		assert!(file.load().is_none());
	}

	#[test]
	fn journal_of_another_round_or_start_is_not_used() {
		let j = Journal::new(&key(), &[[7; 32]], &[]);
		let mut other = key();
		other.round = 4;
		assert!(!j.is_for(&other));
		let mut other = key();
		other.previous_residual = [3; 32];
		assert!(!j.is_for(&other));
		let mut other = key();
		other.checkpoint = [0; 32];
		assert!(!j.is_for(&other));
	}
}
