//! What a miner produces in a round and what it commits on chain (SPEC §6.3).

use crate::fingerprint::BackendFingerprint;
use crate::merkle::{MerkleProof, MerkleTree};
use crate::params::ParamSet;
use crate::state::{Hash32, TrainState};

/// The on-chain commitment of a miner's round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundCommitment {
	/// Hash of the checkpoint trained from (`C_r`).
	pub checkpoint_hash: Hash32,
	/// `BLAKE3` of the encoded update.
	pub update_hash: Hash32,
	/// Merkle root over the state hashes at steps 0, c, …, H.
	pub merkle_root: Hash32,
	/// Inner steps run (`H`).
	pub steps: u64,
	/// The miner's backend.
	pub fingerprint: BackendFingerprint,
	/// [`crate::residual::residual_hash`] of the error-feedback buffer the round leaves,
	/// `e_{r+1} = θ_H − θ_0 + β·e_r − decompress(u)`: the next round's leaf 0 must carry it.
	pub residual_hash: Hash32,
}

/// Everything a miner keeps from a round.
#[derive(Debug, Clone)]
pub struct RoundArtifacts {
	/// The commitment to publish.
	pub commitment: RoundCommitment,
	/// The encoded update `u = compress(θ_H − θ_0 + β·e_r)`.
	pub update: Vec<u8>,
	/// State hashes at steps 0, c, …, H (the Merkle leaves' preimages).
	pub state_hashes: Vec<Hash32>,
	/// States at steps 0, c, …, H, served to auditors (index = segment boundary).
	pub boundary_states: Vec<TrainState>,
	/// Training loss of every inner step.
	pub losses: Vec<f32>,
	/// The error-feedback buffer `e_{r+1}` to carry into the next round (its hash is the
	/// commitment's `residual_hash`).
	pub next_error_feedback: ParamSet,
}

impl RoundArtifacts {
	/// Inclusion proof of boundary `index` (state after `index·c` steps).
	pub fn proof(&self, index: usize) -> Option<MerkleProof> {
		MerkleTree::new(&self.state_hashes)?.proof(index)
	}
}

/// What [`crate::trainer::train_round_streaming`] returns: a round's results without its
/// boundary states (the sink received those).
#[derive(Debug, Clone)]
pub struct StreamedRound {
	/// The commitment to publish.
	pub commitment: RoundCommitment,
	/// The encoded update `u = compress(θ_H − θ_0 + β·e_r)`.
	pub update: Vec<u8>,
	/// State hashes at steps 0, c, …, H.
	pub state_hashes: Vec<Hash32>,
	/// Training loss of every inner step.
	pub losses: Vec<f32>,
	/// The error-feedback buffer `e_{r+1}` to carry into the next round.
	pub next_error_feedback: ParamSet,
}
