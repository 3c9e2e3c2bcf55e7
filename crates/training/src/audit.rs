//! Shadow audit of a miner's round (SPEC §6.5).
//!
//! **Segment audit** of segment `s` (steps `[s·c, (s+1)·c]`), given the miner's commitment,
//! its states at both ends and their Merkle proofs:
//!
//! 1. both states must verify against the committed root at leaves `s` and `s+1`, and carry
//!    step counters `s·c` and `(s+1)·c`;
//! 2. segment 0 must start at the round's checkpoint `C_r` (θ_0 = checkpoint, m = v = 0), so it
//!    needs nothing from the miner but the error-feedback buffer bound in the leaf;
//! 3. the validator re-runs the `c` steps from the start state with the miner's batches;
//! 4. **bitwise mode** (fingerprints equal): `state_hash(re-run) == state_hash(claimed end)`;
//!    **tolerance mode** (fingerprints differ):
//!    `‖(θ_re − θ_start) − (θ_claim − θ_start)‖₂ / ‖θ_claim − θ_start‖₂ ≤ ε` (f64 sums), and the
//!    error-feedback buffer must be unchanged.
//!
//! **Update audit**, given the final state (leaf `H/c`) and the update bytes: the bytes must
//! decode, hash to the committed update hash and equal `encode(compress(θ_H − θ_0 + e))`
//! recomputed from the committed final state — a pure host computation, so it is bitwise on
//! every backend. Together the two audits bind the update to the committed trajectory.
//!
//! Failures are reported in an [`AuditReport`] (with the hashes as evidence for a
//! challenge), not as errors; errors mean the audit itself could not run.

use burn::prelude::Device;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use tracing::info;

use crate::checkpoint::Checkpoint;
use crate::compression::compress_with_feedback;
use crate::config::TrainingConfig;
use crate::corpus::Corpus;
use crate::error::{Result, UpdateFormatError};
use crate::fingerprint::BackendFingerprint;
use crate::merkle::{verify, MerkleProof};
use crate::model::param_layout;
use crate::round::RoundCommitment;
use crate::sampler::uniform_below;
use crate::state::{Hash32, TrainState};
use crate::trainer::run_segment;
use crate::update_format::{decode, encode};

/// How the re-run is compared with the claim.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AuditMode {
	/// Exact state-hash equality.
	Bitwise,
	/// Relative L2 error of the segment's parameter change ≤ ε.
	Tolerance {
		/// ε.
		epsilon: f64,
	},
}

/// Result of an audit.
#[derive(Debug, Clone, PartialEq)]
pub enum AuditOutcome {
	/// Everything checked out.
	Pass,
	/// The commitment names another checkpoint or step count.
	CommitmentMismatch,
	/// The segment index is outside the round.
	SegmentOutOfRange,
	/// A state's step counter is not the segment boundary's.
	WrongStep,
	/// A state does not fit the model.
	MalformedState,
	/// The start state is not in the committed tree at its position.
	StartNotCommitted,
	/// The end state is not in the committed tree at its position.
	EndNotCommitted,
	/// Segment 0 does not start at the checkpoint with zero moments.
	StartNotCheckpoint,
	/// Bitwise mode: the re-run state hash differs.
	StateMismatch,
	/// Tolerance mode: the relative error exceeds ε, or the error feedback changed.
	ToleranceExceeded,
	/// The update bytes are malformed or do not match the committed hash.
	UpdateMalformed(UpdateFormatError),
	/// The update is not the compression of the committed final state.
	UpdateMismatch,
}

/// An audit's verdict and its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditReport {
	/// Verdict.
	pub outcome: AuditOutcome,
	/// Comparison used (`None` for checks that ran no training).
	pub mode: Option<AuditMode>,
	/// Audited segment (`None` for the update audit).
	pub segment: Option<u64>,
	/// The miner's committed Merkle root.
	pub merkle_root: Hash32,
	/// Hash of the claimed start state.
	pub claimed_start_hash: Option<Hash32>,
	/// Hash of the claimed end (or final) state.
	pub claimed_end_hash: Option<Hash32>,
	/// Hash of the validator's re-run end state.
	pub recomputed_end_hash: Option<Hash32>,
	/// Committed update hash (update audit).
	pub update_hash: Option<Hash32>,
	/// Hash of the update the validator recomputed (update audit).
	pub recomputed_update_hash: Option<Hash32>,
	/// Tolerance mode: measured relative L2 error.
	pub relative_error: Option<f64>,
}

impl AuditReport {
	/// Whether the audit passed.
	pub fn passed(&self) -> bool {
		self.outcome == AuditOutcome::Pass
	}

	fn new(commitment: &RoundCommitment) -> Self {
		Self {
			outcome: AuditOutcome::Pass,
			mode: None,
			segment: None,
			merkle_root: commitment.merkle_root,
			claimed_start_hash: None,
			claimed_end_hash: None,
			recomputed_end_hash: None,
			update_hash: None,
			recomputed_update_hash: None,
			relative_error: None,
		}
	}

	fn fail(mut self, outcome: AuditOutcome) -> Self {
		self.outcome = outcome;
		self
	}
}

/// The miner's evidence for one segment.
#[derive(Debug, Clone, Copy)]
pub struct SegmentEvidence<'a> {
	/// Segment index `s`.
	pub segment: u64,
	/// State after `s·c` steps.
	pub start_state: &'a TrainState,
	/// Its proof (leaf `s`).
	pub start_proof: &'a MerkleProof,
	/// State after `(s+1)·c` steps.
	pub end_state: &'a TrainState,
	/// Its proof (leaf `s+1`).
	pub end_proof: &'a MerkleProof,
}

/// What the validator knows about the round.
#[derive(Debug, Clone, Copy)]
pub struct RoundContext<'a> {
	/// The subnet's configuration.
	pub config: &'a TrainingConfig,
	/// The round's checkpoint `C_r`.
	pub checkpoint: &'a Checkpoint,
	/// Its hash (as on chain).
	pub checkpoint_hash: &'a Hash32,
	/// The subnet's corpus.
	pub corpus: &'a Corpus,
	/// The round seed.
	pub round_seed: &'a [u8; 32],
}

/// The mode a validator on `validator` uses for a miner that committed `miner`.
pub fn audit_mode(
	config: &TrainingConfig,
	miner: &BackendFingerprint,
	validator: &BackendFingerprint,
) -> AuditMode {
	if miner.bitwise_compatible(validator) {
		AuditMode::Bitwise
	} else {
		AuditMode::Tolerance {
			epsilon: config.audit_tolerance,
		}
	}
}

/// Picks `count` distinct segments of a round to audit from the audit seed and the miner's
/// hotkey (ChaCha20, partial Fisher–Yates).
pub fn pick_segments(
	audit_seed: &[u8; 32],
	hotkey: &[u8],
	num_segments: u64,
	count: usize,
) -> Vec<u64> {
	let mut h = blake3::Hasher::new_derive_key("arena-training audit segments v1");
	h.update(audit_seed);
	h.update(&(hotkey.len() as u64).to_le_bytes());
	h.update(hotkey);
	let mut rng = ChaCha20Rng::from_seed(*h.finalize().as_bytes());
	let mut all: Vec<u64> = (0..num_segments).collect();
	let n = count.min(all.len());
	for i in 0..n {
		let j = i + uniform_below(&mut rng, (all.len() - i) as u64) as usize;
		all.swap(i, j);
	}
	all.truncate(n);
	all
}

/// Relative L2 error `‖a_change − b_change‖ / ‖b_change‖` of two parameter changes from
/// `start` (f64 accumulation). Infinite if the claimed change is zero but the re-run's is not.
pub fn relative_change_error(start: &[f32], rerun: &[f32], claimed: &[f32]) -> f64 {
	let mut diff = 0.0f64;
	let mut norm = 0.0f64;
	for ((&s, &r), &c) in start.iter().zip(rerun).zip(claimed) {
		let dr = r as f64 - s as f64;
		let dc = c as f64 - s as f64;
		diff += (dr - dc) * (dr - dc);
		norm += dc * dc;
	}
	if norm == 0.0 {
		if diff == 0.0 {
			0.0
		} else {
			f64::INFINITY
		}
	} else {
		(diff / norm).sqrt()
	}
}

/// Audits one segment (see the module documentation). `device` is the validator's.
pub fn audit_segment(
	round: &RoundContext<'_>,
	commitment: &RoundCommitment,
	hotkey: &[u8],
	evidence: &SegmentEvidence<'_>,
	device: &Device,
) -> Result<AuditReport> {
	let mode = audit_mode(
		round.config,
		&commitment.fingerprint,
		&BackendFingerprint::of(device),
	);
	audit_segment_with_mode(round, commitment, hotkey, evidence, device, mode)
}

/// [`audit_segment`] with an explicit comparison mode.
pub fn audit_segment_with_mode(
	round: &RoundContext<'_>,
	commitment: &RoundCommitment,
	hotkey: &[u8],
	evidence: &SegmentEvidence<'_>,
	device: &Device,
	mode: AuditMode,
) -> Result<AuditReport> {
	let config = round.config;
	config.validate()?;
	let mut report = AuditReport::new(commitment);
	report.segment = Some(evidence.segment);
	report.mode = Some(mode);
	if &commitment.checkpoint_hash != round.checkpoint_hash
		|| commitment.steps != config.inner_steps
	{
		return Ok(report.fail(AuditOutcome::CommitmentMismatch));
	}
	let s = evidence.segment;
	if s >= config.num_segments() {
		return Ok(report.fail(AuditOutcome::SegmentOutOfRange));
	}
	let (start, end) = (evidence.start_state, evidence.end_state);
	let start_hash = start.hash();
	let end_hash = end.hash();
	report.claimed_start_hash = Some(start_hash);
	report.claimed_end_hash = Some(end_hash);
	let c = config.segment_len;
	if start.step != s * c || end.step != (s + 1) * c {
		return Ok(report.fail(AuditOutcome::WrongStep));
	}
	let layout = param_layout(&config.model);
	for st in [start, end] {
		for set in [&st.params, &st.adam_m, &st.adam_v, &st.error_feedback] {
			if !set.matches_layout(&layout) || set.first_non_finite().is_some() {
				return Ok(report.fail(AuditOutcome::MalformedState));
			}
		}
	}
	let n_leaves = config.num_leaves() as u64;
	let proof_ok = |state_hash: &Hash32, proof: &MerkleProof, leaf: u64| {
		proof.index == leaf
			&& proof.n_leaves == n_leaves
			&& verify(&commitment.merkle_root, state_hash, proof)
	};
	if !proof_ok(&start_hash, evidence.start_proof, s) {
		return Ok(report.fail(AuditOutcome::StartNotCommitted));
	}
	if !proof_ok(&end_hash, evidence.end_proof, s + 1) {
		return Ok(report.fail(AuditOutcome::EndNotCommitted));
	}
	if s == 0 {
		let zero = |set: &crate::params::ParamSet| {
			set.tensors()
				.iter()
				.all(|t| t.data.iter().all(|v| v.to_bits() == 0))
		};
		if start.params != round.checkpoint.params || !zero(&start.adam_m) || !zero(&start.adam_v) {
			return Ok(report.fail(AuditOutcome::StartNotCheckpoint));
		}
	}
	let (rerun, _) = run_segment(
		config,
		start,
		round.corpus.train(),
		round.round_seed,
		hotkey,
		c,
		device,
	)?;
	let rerun_hash = rerun.hash();
	report.recomputed_end_hash = Some(rerun_hash);
	let outcome = match mode {
		AuditMode::Bitwise => {
			if rerun_hash == end_hash {
				AuditOutcome::Pass
			} else {
				AuditOutcome::StateMismatch
			}
		},
		AuditMode::Tolerance { epsilon } => {
			let rel = relative_change_error(
				&start.params.to_flat(),
				&rerun.params.to_flat(),
				&end.params.to_flat(),
			);
			report.relative_error = Some(rel);
			if rel <= epsilon && end.error_feedback == start.error_feedback {
				AuditOutcome::Pass
			} else {
				AuditOutcome::ToleranceExceeded
			}
		},
	};
	info!(segment = s, ?mode, ?outcome, "segment audit");
	Ok(report.fail(outcome))
}

/// Audits the update against the committed final state (see the module documentation).
pub fn audit_update(
	round: &RoundContext<'_>,
	commitment: &RoundCommitment,
	final_state: &TrainState,
	final_proof: &MerkleProof,
	update: &[u8],
) -> Result<AuditReport> {
	let config = round.config;
	config.validate()?;
	let mut report = AuditReport::new(commitment);
	report.update_hash = Some(commitment.update_hash);
	let final_hash = final_state.hash();
	report.claimed_end_hash = Some(final_hash);
	if &commitment.checkpoint_hash != round.checkpoint_hash
		|| commitment.steps != config.inner_steps
	{
		return Ok(report.fail(AuditOutcome::CommitmentMismatch));
	}
	if final_state.step != config.inner_steps {
		return Ok(report.fail(AuditOutcome::WrongStep));
	}
	let layout = param_layout(&config.model);
	if !final_state.params.matches_layout(&layout)
		|| !final_state.error_feedback.matches_layout(&layout)
	{
		return Ok(report.fail(AuditOutcome::MalformedState));
	}
	let leaf = config.num_segments();
	if final_proof.index != leaf
		|| final_proof.n_leaves != config.num_leaves() as u64
		|| !verify(&commitment.merkle_root, &final_hash, final_proof)
	{
		return Ok(report.fail(AuditOutcome::EndNotCommitted));
	}
	if let Err(e) = decode(
		update,
		&config.compression,
		&layout,
		Some(&commitment.update_hash),
	) {
		return Ok(report.fail(AuditOutcome::UpdateMalformed(e)));
	}
	let (compressed, _) = compress_with_feedback(
		&final_state.params.to_flat(),
		&round.checkpoint.params.to_flat(),
		&final_state.error_feedback.to_flat(),
		&config.compression,
	);
	let expected = encode(&compressed, &layout);
	report.recomputed_update_hash = Some(*blake3::hash(&expected).as_bytes());
	let outcome = if expected == update {
		AuditOutcome::Pass
	} else {
		AuditOutcome::UpdateMismatch
	};
	info!(?outcome, "update audit");
	Ok(report.fail(outcome))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn segments_are_distinct_seeded_and_in_range() {
		let a = pick_segments(&[1; 32], b"miner", 20, 3);
		assert_eq!(a, pick_segments(&[1; 32], b"miner", 20, 3));
		assert_ne!(a, pick_segments(&[2; 32], b"miner", 20, 3));
		assert_eq!(a.len(), 3);
		assert!(a.iter().all(|&s| s < 20));
		let mut d = a.clone();
		d.dedup();
		assert_eq!(d.len(), 3);
		let mut all = pick_segments(&[1; 32], b"m", 5, 10);
		all.sort_unstable();
		assert_eq!(all, vec![0, 1, 2, 3, 4]);
	}

	#[test]
	fn relative_error_formula() {
		let s = [0.0, 0.0];
		assert_eq!(relative_change_error(&s, &[1.0, 0.0], &[1.0, 0.0]), 0.0);
		let e = relative_change_error(&s, &[1.0, 0.1], &[1.0, 0.0]);
		assert!((e - 0.1).abs() < 1e-6, "{e}");
		assert_eq!(relative_change_error(&s, &[1.0, 0.0], &s), f64::INFINITY);
		assert_eq!(relative_change_error(&s, &s, &s), 0.0);
	}
}
