//! What the validator remembers across restarts, in `<base-path>/validator-state.json`
//! (written atomically: a temporary file renamed over the old one).
//!
//! * the last round audited (weights set or committed, failures challenged) — a restart in
//!   the same round does not audit, weigh or challenge twice;
//! * the last vote (round, checkpoint hash and the accepted updates it covers) — re-voted only
//!   when the accepted set changes;
//! * the pending weight reveal (a commit not yet revealed) — revealed inside its window after
//!   a restart;
//! * challenges raised and challenges already re-run (supported or not);
//! * the global validation loss per round (the loss curve).

use std::path::{Path, PathBuf};

use arena_chain_client::types::{AccountId, RoundIndex, Uid, WeightsReveal};
use serde::{Deserialize, Serialize};

use crate::error::ValidatorError;

/// File name of the state inside the base path.
pub const STATE_FILE: &str = "validator-state.json";

/// A weight commit waiting for its reveal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingReveal {
	/// The round whose audit produced the weights.
	pub round: RoundIndex,
	/// The (finalized) block read right after the commit was included.
	pub committed_at: u32,
	/// UIDs weighed.
	pub uids: Vec<Uid>,
	/// Their weights.
	pub values: Vec<u16>,
	/// Hex of the 32-byte salt.
	pub salt: String,
	/// Version key.
	pub version_key: u64,
}

impl PendingReveal {
	/// The reveal to submit.
	pub fn to_reveal(&self) -> Option<WeightsReveal> {
		let mut salt = [0u8; 32];
		hex::decode_to_slice(&self.salt, &mut salt).ok()?;
		Some(WeightsReveal {
			uids: self.uids.clone(),
			values: self.values.clone(),
			salt,
			version_key: self.version_key,
		})
	}

	/// A pending reveal of `reveal`.
	pub fn new(round: RoundIndex, committed_at: u32, reveal: &WeightsReveal) -> Self {
		Self {
			round,
			committed_at,
			uids: reveal.uids.clone(),
			values: reveal.values.clone(),
			salt: hex::encode(reveal.salt),
			version_key: reveal.version_key,
		}
	}
}

/// The last checkpoint vote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteRecord {
	/// The round voted in.
	pub round: RoundIndex,
	/// Hex of the voted checkpoint hash.
	pub checkpoint: String,
	/// Hex update hashes the checkpoint aggregates, sorted.
	pub accepted: Vec<String>,
}

/// A challenge, by round and miner (hex of the hotkey) and, for others' challenges, the
/// challenger.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ChallengeKey {
	/// The challenged round.
	pub round: RoundIndex,
	/// Hex of the miner's hotkey.
	pub miner: String,
}

impl ChallengeKey {
	/// The key of `miner`'s `round`.
	pub fn new(round: RoundIndex, miner: &AccountId) -> Self {
		Self {
			round,
			miner: hex::encode(miner.0),
		}
	}
}

/// Everything persisted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersistedState {
	/// The last round whose audit finished (weights submitted, failures challenged).
	pub last_audited_round: Option<RoundIndex>,
	/// The last vote.
	pub last_vote: Option<VoteRecord>,
	/// The weight commit still to reveal.
	pub pending_reveal: Option<PendingReveal>,
	/// Challenges this validator raised.
	pub challenged: Vec<ChallengeKey>,
	/// Other validators' challenges already re-run, with the verdict (`true` = supported).
	pub verified: Vec<(ChallengeKey, bool)>,
	/// `(round, validation loss)` of every checkpoint this validator aggregated.
	pub loss_history: Vec<(RoundIndex, f64)>,
	/// The last round whose audit rows are in the CSV.
	pub csv_round: Option<RoundIndex>,
}

/// The state file in a base path.
#[derive(Clone, Debug)]
pub struct StateFile {
	path: PathBuf,
}

impl StateFile {
	/// The state file under `base_path` (created with its directory on first save).
	pub fn new(base_path: &Path) -> Self {
		Self {
			path: base_path.join(STATE_FILE),
		}
	}

	/// Its path.
	pub fn path(&self) -> &Path {
		&self.path
	}

	/// The saved state, or the default when there is none yet.
	pub fn load(&self) -> Result<PersistedState, ValidatorError> {
		match std::fs::read(&self.path) {
			Ok(bytes) => serde_json::from_slice(&bytes)
				.map_err(|e| ValidatorError::io(self.path.display(), e)),
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(PersistedState::default()),
			Err(e) => Err(ValidatorError::io(self.path.display(), e)),
		}
	}

	/// Saves atomically.
	pub fn save(&self, state: &PersistedState) -> Result<(), ValidatorError> {
		let io = |e: std::io::Error| ValidatorError::io(self.path.display(), e);
		if let Some(dir) = self.path.parent() {
			std::fs::create_dir_all(dir).map_err(io)?;
		}
		let bytes = serde_json::to_vec_pretty(state)
			.map_err(|e| ValidatorError::io(self.path.display(), e))?;
		let tmp = self.path.with_extension("json.tmp");
		std::fs::write(&tmp, bytes).map_err(io)?;
		std::fs::rename(&tmp, &self.path).map_err(io)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn state_round_trips_through_the_file() {
		let dir = tempfile::tempdir().unwrap();
		let f = StateFile::new(dir.path());
		assert_eq!(f.load().unwrap(), PersistedState::default());
		let reveal = WeightsReveal {
			uids: vec![1, 2],
			values: vec![3, 4],
			salt: [9; 32],
			version_key: 7,
		};
		let s = PersistedState {
			last_audited_round: Some(4),
			pending_reveal: Some(PendingReveal::new(4, 100, &reveal)),
			loss_history: vec![(3, 5.5)],
			..Default::default()
		};
		f.save(&s).unwrap();
		let back = f.load().unwrap();
		assert_eq!(back, s);
		assert_eq!(back.pending_reveal.unwrap().to_reveal(), Some(reveal));
	}

	#[test]
	fn load_fails_if_file_is_corrupt() {
		let dir = tempfile::tempdir().unwrap();
		let f = StateFile::new(dir.path());
		std::fs::write(f.path(), b"{not json").unwrap();
		assert!(matches!(f.load(), Err(ValidatorError::Io { .. })));
	}
}
