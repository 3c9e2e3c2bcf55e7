//! The miner's round state on disk (`--base-path`), so that a restart loses no round it can
//! still make and never trains or commits a round twice.
//!
//! * `state-<netuid>.toml`: the round being trained, the round trained but not yet known to
//!   be committed (with its contribution), and the last committed rounds. Written atomically:
//!   a temporary file is written, fsynced and renamed over the old one, then the directory is
//!   fsynced.
//! * `error-feedback/<residual hash>.safetensors`: each error-feedback buffer `e` the miner
//!   produced, named by its [`arena_training::residual_hash`]. The chain binds a round's
//!   starting `e` to the residual hash the hotkey last committed, so the miner picks the
//!   buffer by that hash ([`ErrorFeedbackStore::load`]); a buffer is saved *before* the
//!   commit that names it.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use arena_chain_client::types::{Contribution, Hash32, NetUid, RoundIndex};
use arena_training::params::{ParamSet, ParamSpec};
use arena_training::{residual_hash, Checkpoint};
use serde::{Deserialize, Serialize};

use crate::error::MinerError;

/// Format version of the state file.
pub const STATE_VERSION: u32 = 1;

/// How many committed rounds the state file remembers.
pub const KEEP_COMMITTED: usize = 16;

/// One trained round: what it commits and how it went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoundRecord {
	/// The round.
	pub round: RoundIndex,
	/// The checkpoint it trained from.
	#[serde(with = "hex32")]
	pub checkpoint: Hash32,
	/// Committed update hash.
	#[serde(with = "hex32")]
	pub update_hash: Hash32,
	/// Committed Merkle root.
	#[serde(with = "hex32")]
	pub merkle_root: Hash32,
	/// Committed step count.
	pub steps: u32,
	/// Committed fingerprint hash.
	#[serde(with = "hex32")]
	pub fingerprint: Hash32,
	/// Committed `hash(e_{r+1})`.
	#[serde(with = "hex32")]
	pub residual_hash: Hash32,
	/// The residual hash the round started from (the chain's `previous_residual`).
	#[serde(with = "hex32")]
	pub previous_residual: Hash32,
	/// Key of the round's manifest.
	#[serde(with = "hex32")]
	pub manifest_key: Hash32,
	/// Loss of the last inner step.
	pub final_loss: f64,
	/// Training throughput.
	pub tokens_per_sec: f64,
	/// Seconds spent training (boundary-state writes included).
	pub train_seconds: f64,
	/// Seconds spent writing artifacts to the store.
	pub upload_seconds: f64,
	/// Block the commit was included in, once known.
	pub committed_at: Option<u32>,
}

impl RoundRecord {
	/// The contribution to commit.
	pub fn contribution(&self) -> Contribution {
		Contribution {
			update_hash: self.update_hash,
			merkle_root: self.merkle_root,
			steps: self.steps,
			fingerprint: self.fingerprint,
			residual_hash: self.residual_hash,
		}
	}
}

/// The miner's persisted round state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MinerState {
	/// [`STATE_VERSION`].
	pub version: u32,
	/// The subnet.
	pub netuid: NetUid,
	/// The hotkey (hex), so a state file is never used for another key.
	pub hotkey: String,
	/// The round being trained (set when training starts).
	pub training: Option<RoundIndex>,
	/// A trained round whose artifacts are stored but whose commit is not yet confirmed.
	pub pending: Option<RoundRecord>,
	/// Committed rounds, oldest first (at most [`KEEP_COMMITTED`]).
	#[serde(default)]
	pub committed: Vec<RoundRecord>,
}

impl MinerState {
	/// A fresh state.
	pub fn new(netuid: NetUid, hotkey: &Hash32) -> Self {
		Self {
			version: STATE_VERSION,
			netuid,
			hotkey: hex::encode(hotkey),
			training: None,
			pending: None,
			committed: Vec::new(),
		}
	}

	/// The last committed round.
	pub fn last_committed(&self) -> Option<&RoundRecord> {
		self.committed.last()
	}

	/// Whether `round` is recorded as committed.
	pub fn is_committed(&self, round: RoundIndex) -> bool {
		self.committed.iter().any(|r| r.round == round)
	}

	/// Moves the pending record of `round` (if any) to the committed list.
	pub fn mark_committed(&mut self, round: RoundIndex, at: Option<u32>) {
		if let Some(mut p) = self.pending.take() {
			if p.round == round {
				p.committed_at = at.or(p.committed_at);
				self.committed.retain(|r| r.round != round);
				self.committed.push(p);
				let excess = self.committed.len().saturating_sub(KEEP_COMMITTED);
				self.committed.drain(..excess);
			} else {
				self.pending = Some(p);
			}
		}
		if self.training == Some(round) {
			self.training = None;
		}
	}
}

/// The state file of one subnet in a base path.
#[derive(Clone, Debug)]
pub struct StateFile {
	path: PathBuf,
}

impl StateFile {
	/// `<base>/state-<netuid>.toml`.
	pub fn new(base: &Path, netuid: NetUid) -> Self {
		Self {
			path: base.join(format!("state-{netuid}.toml")),
		}
	}

	/// The file's path.
	pub fn path(&self) -> &Path {
		&self.path
	}

	/// Loads the state, or a fresh one if there is no file. A file for another hotkey or
	/// subnet, or of another version, is an error.
	pub fn load(&self, netuid: NetUid, hotkey: &Hash32) -> Result<MinerState, MinerError> {
		let text = match fs::read_to_string(&self.path) {
			Ok(t) => t,
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
				return Ok(MinerState::new(netuid, hotkey))
			},
			Err(e) => return Err(self.err(e)),
		};
		let state: MinerState = toml::from_str(&text).map_err(|e| self.err(e))?;
		if state.version != STATE_VERSION {
			return Err(self.err(format!(
				"version {} (expected {STATE_VERSION})",
				state.version
			)));
		}
		if state.netuid != netuid || state.hotkey != hex::encode(hotkey) {
			return Err(self.err("written for another subnet or hotkey"));
		}
		Ok(state)
	}

	/// Writes the state atomically (temp file, fsync, rename, directory fsync).
	pub fn save(&self, state: &MinerState) -> Result<(), MinerError> {
		let text = toml::to_string(state).map_err(|e| self.err(e))?;
		write_atomic(&self.path, text.as_bytes()).map_err(|e| self.err(e))
	}

	fn err(&self, e: impl std::fmt::Display) -> MinerError {
		MinerError::Persist {
			path: self.path.display().to_string(),
			reason: e.to_string(),
		}
	}
}

/// Writes `bytes` to `path` atomically: `path.tmp`, fsync, rename, fsync of the directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
	let dir = path.parent().unwrap_or_else(|| Path::new("."));
	fs::create_dir_all(dir)?;
	let mut tmp = path.as_os_str().to_owned();
	tmp.push(".tmp");
	let tmp = PathBuf::from(tmp);
	let result = (|| {
		let mut f = File::create(&tmp)?;
		f.write_all(bytes)?;
		f.sync_all()?;
		drop(f);
		fs::rename(&tmp, path)?;
		File::open(dir)?.sync_all()
	})();
	if result.is_err() {
		let _ = fs::remove_file(&tmp);
	}
	result
}

/// Error-feedback buffers by residual hash (`<base>/error-feedback/<hex>.safetensors`).
#[derive(Clone, Debug)]
pub struct ErrorFeedbackStore {
	dir: PathBuf,
}

impl ErrorFeedbackStore {
	/// The store under `base`.
	pub fn new(base: &Path) -> Self {
		Self {
			dir: base.join("error-feedback"),
		}
	}

	fn path_of(&self, hash: &Hash32) -> PathBuf {
		self.dir.join(format!("{}.safetensors", hex::encode(hash)))
	}

	/// Saves `e` atomically under its residual hash and returns the hash.
	pub fn save(&self, e: &ParamSet) -> Result<Hash32, MinerError> {
		let hash = residual_hash(e);
		let path = self.path_of(&hash);
		let bytes = Checkpoint::new(e.clone())
			.to_bytes()
			.map_err(|err| persist_err(&path, err))?;
		write_atomic(&path, &bytes).map_err(|err| persist_err(&path, err))?;
		Ok(hash)
	}

	/// The buffer whose residual hash is `hash`, if saved (and intact). A file that does not
	/// decode to a buffer with that hash is an error.
	pub fn load(
		&self,
		hash: &Hash32,
		layout: &[ParamSpec],
	) -> Result<Option<ParamSet>, MinerError> {
		let path = self.path_of(hash);
		let bytes = match fs::read(&path) {
			Ok(b) => b,
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
			Err(e) => return Err(persist_err(&path, e)),
		};
		let e = Checkpoint::from_bytes(&bytes, layout)
			.map_err(|err| persist_err(&path, err))?
			.params;
		if residual_hash(&e) != *hash {
			return Err(persist_err(&path, "buffer does not hash to its name"));
		}
		Ok(Some(e))
	}

	/// Removes every saved buffer except those in `keep`.
	pub fn retain(&self, keep: &[Hash32]) -> Result<(), MinerError> {
		let entries = match fs::read_dir(&self.dir) {
			Ok(e) => e,
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
			Err(e) => return Err(persist_err(&self.dir, e)),
		};
		let keep: Vec<String> = keep
			.iter()
			.map(|h| format!("{}.safetensors", hex::encode(h)))
			.collect();
		for entry in entries.flatten() {
			let name = entry.file_name().to_string_lossy().to_string();
			if name.ends_with(".safetensors") && !keep.contains(&name) {
				let _ = fs::remove_file(entry.path());
			}
		}
		Ok(())
	}
}

fn persist_err(path: &Path, e: impl std::fmt::Display) -> MinerError {
	MinerError::Persist {
		path: path.display().to_string(),
		reason: e.to_string(),
	}
}

/// Serde of a 32-byte hash as 64 hex digits.
mod hex32 {
	use serde::{Deserialize, Deserializer, Serializer};

	pub fn serialize<S: Serializer>(h: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
		s.serialize_str(&hex::encode(h))
	}

	pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
		let s = String::deserialize(d)?;
		let mut out = [0u8; 32];
		hex::decode_to_slice(&s, &mut out).map_err(serde::de::Error::custom)?;
		Ok(out)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn record(round: RoundIndex) -> RoundRecord {
		RoundRecord {
			round,
			checkpoint: [1; 32],
			update_hash: [2; 32],
			merkle_root: [3; 32],
			steps: 20,
			fingerprint: [4; 32],
			residual_hash: [5; 32],
			previous_residual: [0; 32],
			manifest_key: [6; 32],
			final_loss: 4.5,
			tokens_per_sec: 1000.0,
			train_seconds: 1.5,
			upload_seconds: 0.25,
			committed_at: None,
		}
	}

	#[test]
	fn state_round_trips_through_the_file() {
		let dir = tempfile::tempdir().expect("tempdir");
		let file = StateFile::new(dir.path(), 2);
		let mut s = MinerState::new(2, &[9; 32]);
		s.training = Some(4);
		s.pending = Some(record(4));
		s.committed.push(record(3));
		file.save(&s).expect("save");
		assert_eq!(file.load(2, &[9; 32]).expect("load"), s);
		assert!(!dir.path().join("state-2.toml.tmp").exists());
	}

	#[test]
	fn load_fails_if_the_file_belongs_to_another_hotkey() {
		let dir = tempfile::tempdir().expect("tempdir");
		let file = StateFile::new(dir.path(), 2);
		file.save(&MinerState::new(2, &[9; 32])).expect("save");
		assert!(matches!(
			file.load(2, &[8; 32]),
			Err(MinerError::Persist { .. })
		));
	}

	#[test]
	fn mark_committed_moves_pending_and_keeps_a_bounded_history() {
		let mut s = MinerState::new(1, &[0; 32]);
		for r in 0..(KEEP_COMMITTED as u32 + 3) {
			s.training = Some(r);
			s.pending = Some(record(r));
			s.mark_committed(r, Some(100 + r));
		}
		assert_eq!(s.committed.len(), KEEP_COMMITTED);
		assert_eq!(
			s.last_committed().map(|r| r.round),
			Some(KEEP_COMMITTED as u32 + 2)
		);
		assert_eq!(s.pending, None);
		assert_eq!(s.training, None);
	}
}
