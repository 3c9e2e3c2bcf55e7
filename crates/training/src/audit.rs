//! Shadow audit of a miner's round (SPEC §6.5).
//!
//! Every audit first checks the commitment against the round (checkpoint, step count) and
//! that the miner's declared backend is one the subnet allows: `fingerprint.hash()` must be in
//! [`RoundContext::allowed_fingerprints`] (an empty list allows none).
//!
//! **Error-feedback binding** (SPEC §6.3). `e` is constant within a round, and the `e` of a
//! round's states must be the residual the hotkey last committed: every state an audit
//! receives must carry an `e` whose [`residual_hash`] equals
//! [`expected_start_residual_hash`]`(layout, MinerContext::previous_residual_hash)` — the
//! all-`+0.0` buffer when the hotkey has none (its first round). For a segment-0 audit this is
//! leaf 0's `e_r`; for the update audit it is the `e` of the final state the update is
//! computed from.
//!
//! **Segment audit** of segment `s` (steps `[s·c, (s+1)·c]`), given the miner's commitment,
//! its states at both ends and their Merkle proofs:
//!
//! 1. both states must verify against the committed root at leaves `s` and `s+1`, and carry
//!    step counters `s·c` and `(s+1)·c`;
//! 2. the start state's `e` must be bound (above);
//! 3. segment 0 must start at the round's checkpoint `C_r` (θ_0 = checkpoint, m = v = 0);
//! 4. the validator re-runs the `c` steps from the start state with the miner's batches;
//! 5. **bitwise mode** (fingerprints equal): `state_hash(re-run) == state_hash(claimed end)`;
//!    **tolerance mode** (fingerprints differ): for each of θ, m and v,
//!    `‖(x_re − x_start) − (x_claim − x_start)‖₂ / ‖x_claim − x_start‖₂ ≤ ε` (f64 sums), and
//!    the claimed end's `e` must equal the start's bit for bit. A failure names the first
//!    quantity out of bounds, in the order θ, m, v, e ([`ToleranceQuantity`]); all three
//!    errors are in the report.
//!
//! **Update audit**, given the final state (leaf `H/c`) and the update bytes: the final
//! state's `e_r` must be bound (above); the bytes must decode, hash to the committed update
//! hash and equal `encode(compress(θ_H − θ_0 + β·e_r))` recomputed from the committed final
//! state; and `e_{r+1} = θ_H − θ_0 + β·e_r − decompress(u)` must hash to the committed
//! `residual_hash`. All of it is a host computation in plain IEEE f32, so it is bitwise on
//! every backend. Together the two audits bind the update and the next round's `e` to the
//! committed trajectory and the miner's previous commitment.
//!
//! Failures are reported in an [`AuditReport`] (with the hashes as evidence for a
//! challenge), not as errors; errors mean the audit itself could not run.

use burn::prelude::Device;
use tracing::info;

use crate::checkpoint::Checkpoint;
use crate::compression::compress_with_feedback;
use crate::config::TrainingConfig;
use crate::corpus::Corpus;
use crate::error::{Result, TrainingError, UpdateFormatError};
use crate::fingerprint::BackendFingerprint;
use crate::merkle::{verify, MerkleProof};
use crate::model::param_layout;
use crate::params::{ParamSet, ParamSpec};
use crate::residual::{expected_start_residual_hash, residual_hash};
use crate::round::RoundCommitment;
use crate::state::{Hash32, TrainState};
use crate::trainer::run_segment;
use crate::update_format::{decode, encode};

/// How the re-run is compared with the claim.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AuditMode {
	/// Exact state-hash equality.
	Bitwise,
	/// Relative L2 error of the segment's change of θ, m and v each ≤ ε, `e` unchanged.
	Tolerance {
		/// ε.
		epsilon: f64,
	},
}

/// The part of the state a tolerance check found out of bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToleranceQuantity {
	/// Parameters θ.
	Params,
	/// AdamW first moments m.
	AdamM,
	/// AdamW second moments v.
	AdamV,
	/// The error-feedback buffer changed within the segment.
	ErrorFeedback,
}

/// Tolerance mode's measured relative L2 errors of the segment's changes
/// ([`relative_change_error`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RelativeErrors {
	/// Of the parameters θ.
	pub params: f64,
	/// Of the first moments m.
	pub adam_m: f64,
	/// Of the second moments v.
	pub adam_v: f64,
}

impl RelativeErrors {
	/// The largest of the three.
	pub fn max(&self) -> f64 {
		self.params.max(self.adam_m).max(self.adam_v)
	}

	/// The first quantity (θ, m, v) whose error exceeds `epsilon` (NaN counts as exceeding).
	pub fn first_above(&self, epsilon: f64) -> Option<ToleranceQuantity> {
		[
			(self.params, ToleranceQuantity::Params),
			(self.adam_m, ToleranceQuantity::AdamM),
			(self.adam_v, ToleranceQuantity::AdamV),
		]
		.into_iter()
		.find(|(e, _)| e.is_nan() || *e > epsilon)
		.map(|(_, q)| q)
	}
}

/// Result of an audit.
#[derive(Debug, Clone, PartialEq)]
pub enum AuditOutcome {
	/// Everything checked out.
	Pass,
	/// The commitment names another checkpoint or step count.
	CommitmentMismatch,
	/// The declared backend fingerprint is not in the subnet's allowed list.
	FingerprintNotAllowed,
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
	/// A state's error-feedback buffer does not hash to the residual the hotkey last
	/// committed (the zero buffer for its first round).
	ErrorFeedbackNotBound,
	/// Segment 0 does not start at the checkpoint with zero moments.
	StartNotCheckpoint,
	/// Bitwise mode: the re-run state hash differs.
	StateMismatch,
	/// Tolerance mode: this quantity's relative error exceeds ε, or `e` changed.
	ToleranceExceeded(ToleranceQuantity),
	/// The update bytes are malformed or do not match the committed hash.
	UpdateMalformed(UpdateFormatError),
	/// The update is not the compression of the committed final state.
	UpdateMismatch,
	/// The committed residual hash is not that of the residual the final state and the update
	/// imply.
	ResidualMismatch,
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
	/// Hash of the declared backend fingerprint.
	pub fingerprint_hash: Hash32,
	/// Hash of the claimed start state.
	pub claimed_start_hash: Option<Hash32>,
	/// Hash of the claimed end (or final) state.
	pub claimed_end_hash: Option<Hash32>,
	/// Hash of the validator's re-run end state.
	pub recomputed_end_hash: Option<Hash32>,
	/// The residual hash the round's `e` must have (the hotkey's last, or the zero buffer's).
	pub expected_error_feedback_hash: Option<Hash32>,
	/// Residual hash of the `e` carried by the audited start (or final) state.
	pub claimed_error_feedback_hash: Option<Hash32>,
	/// Committed update hash (update audit).
	pub update_hash: Option<Hash32>,
	/// Hash of the update the validator recomputed (update audit).
	pub recomputed_update_hash: Option<Hash32>,
	/// Committed residual hash of `e_{r+1}` (update audit).
	pub residual_hash: Option<Hash32>,
	/// Residual hash of the `e_{r+1}` the validator recomputed (update audit).
	pub recomputed_residual_hash: Option<Hash32>,
	/// Tolerance mode: measured relative L2 errors.
	pub relative_errors: Option<RelativeErrors>,
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
			fingerprint_hash: commitment.fingerprint.hash(),
			claimed_start_hash: None,
			claimed_end_hash: None,
			recomputed_end_hash: None,
			expected_error_feedback_hash: None,
			claimed_error_feedback_hash: None,
			update_hash: None,
			recomputed_update_hash: None,
			residual_hash: None,
			recomputed_residual_hash: None,
			relative_errors: None,
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
	/// [`BackendFingerprint::hash`]es of the backends the subnet allows (as on chain). A
	/// miner declaring any other fails; an empty list allows none.
	pub allowed_fingerprints: &'a [Hash32],
}

/// What the validator knows about the audited miner (from the chain).
#[derive(Debug, Clone, Copy)]
pub struct MinerContext<'a> {
	/// The miner's hotkey (seeds its batches).
	pub hotkey: &'a [u8],
	/// The `residual_hash` this hotkey last committed on this subnet, before this round;
	/// `None` if it never committed (its round must then start from the zero buffer).
	pub previous_residual_hash: Option<Hash32>,
}

impl MinerContext<'_> {
	/// The residual hash every state of this round must carry (see the module docs).
	pub fn expected_residual_hash(&self, layout: &[ParamSpec]) -> Hash32 {
		expected_start_residual_hash(layout, self.previous_residual_hash.as_ref())
	}
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

/// Relative L2 error `‖(rerun − start) − (claimed − start)‖₂ / ‖claimed − start‖₂` of two
/// changes of the same quantity (θ, m or v) from `start`, accumulated in f64. Infinite if the
/// claimed change is zero but the re-run's is not.
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

/// Audits one segment (see the module documentation). `device` is the validator's; the mode
/// follows from the miner's and the validator's fingerprints ([`audit_mode`]).
pub fn audit_segment(
	round: &RoundContext<'_>,
	miner: &MinerContext<'_>,
	commitment: &RoundCommitment,
	evidence: &SegmentEvidence<'_>,
	device: &Device,
) -> Result<AuditReport> {
	let mode = audit_mode(
		round.config,
		&commitment.fingerprint,
		&BackendFingerprint::of(device),
	);
	audit_segment_with_mode(round, miner, commitment, evidence, device, mode)
}

/// The checks every audit starts with: the commitment names the round's checkpoint and step
/// count, and a backend the subnet allows.
fn check_commitment(
	round: &RoundContext<'_>,
	commitment: &RoundCommitment,
) -> Option<AuditOutcome> {
	if &commitment.checkpoint_hash != round.checkpoint_hash
		|| commitment.steps != round.config.inner_steps
	{
		return Some(AuditOutcome::CommitmentMismatch);
	}
	if !round
		.allowed_fingerprints
		.contains(&commitment.fingerprint.hash())
	{
		return Some(AuditOutcome::FingerprintNotAllowed);
	}
	None
}

/// Whether every value of `set` is `+0.0` (bit pattern 0).
fn all_zero_bits(set: &ParamSet) -> bool {
	set.tensors()
		.iter()
		.all(|t| t.data.iter().all(|v| v.to_bits() == 0))
}

/// [`audit_segment`] with an explicit comparison mode.
pub fn audit_segment_with_mode(
	round: &RoundContext<'_>,
	miner: &MinerContext<'_>,
	commitment: &RoundCommitment,
	evidence: &SegmentEvidence<'_>,
	device: &Device,
	mode: AuditMode,
) -> Result<AuditReport> {
	let config = round.config;
	config.validate()?;
	let mut report = AuditReport::new(commitment);
	report.segment = Some(evidence.segment);
	report.mode = Some(mode);
	if let Some(outcome) = check_commitment(round, commitment) {
		return Ok(report.fail(outcome));
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
	let expected_e = miner.expected_residual_hash(&layout);
	let start_e = residual_hash(&start.error_feedback);
	report.expected_error_feedback_hash = Some(expected_e);
	report.claimed_error_feedback_hash = Some(start_e);
	if start_e != expected_e {
		return Ok(report.fail(AuditOutcome::ErrorFeedbackNotBound));
	}
	if s == 0
		&& (start.params != round.checkpoint.params
			|| !all_zero_bits(&start.adam_m)
			|| !all_zero_bits(&start.adam_v))
	{
		return Ok(report.fail(AuditOutcome::StartNotCheckpoint));
	}
	let (rerun, _) = run_segment(
		config,
		start,
		round.corpus.train(),
		round.round_seed,
		miner.hotkey,
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
			let change = |pick: fn(&TrainState) -> &ParamSet| {
				relative_change_error(
					&pick(start).to_flat(),
					&pick(&rerun).to_flat(),
					&pick(end).to_flat(),
				)
			};
			let errors = RelativeErrors {
				params: change(|st| &st.params),
				adam_m: change(|st| &st.adam_m),
				adam_v: change(|st| &st.adam_v),
			};
			report.relative_errors = Some(errors);
			match errors.first_above(epsilon) {
				Some(q) => AuditOutcome::ToleranceExceeded(q),
				None if end.error_feedback != start.error_feedback => {
					AuditOutcome::ToleranceExceeded(ToleranceQuantity::ErrorFeedback)
				},
				None => AuditOutcome::Pass,
			}
		},
	};
	info!(segment = s, ?mode, ?outcome, "segment audit");
	Ok(report.fail(outcome))
}

/// Audits the update and the committed residual against the committed final state (see the
/// module documentation).
pub fn audit_update(
	round: &RoundContext<'_>,
	miner: &MinerContext<'_>,
	commitment: &RoundCommitment,
	final_state: &TrainState,
	final_proof: &MerkleProof,
	update: &[u8],
) -> Result<AuditReport> {
	let config = round.config;
	config.validate()?;
	let mut report = AuditReport::new(commitment);
	report.update_hash = Some(commitment.update_hash);
	report.residual_hash = Some(commitment.residual_hash);
	let final_hash = final_state.hash();
	report.claimed_end_hash = Some(final_hash);
	if let Some(outcome) = check_commitment(round, commitment) {
		return Ok(report.fail(outcome));
	}
	if final_state.step != config.inner_steps {
		return Ok(report.fail(AuditOutcome::WrongStep));
	}
	let layout = param_layout(&config.model);
	for set in [&final_state.params, &final_state.error_feedback] {
		if !set.matches_layout(&layout) || set.first_non_finite().is_some() {
			return Ok(report.fail(AuditOutcome::MalformedState));
		}
	}
	let leaf = config.num_segments();
	if final_proof.index != leaf
		|| final_proof.n_leaves != config.num_leaves() as u64
		|| !verify(&commitment.merkle_root, &final_hash, final_proof)
	{
		return Ok(report.fail(AuditOutcome::EndNotCommitted));
	}
	let expected_e = miner.expected_residual_hash(&layout);
	let final_e = residual_hash(&final_state.error_feedback);
	report.expected_error_feedback_hash = Some(expected_e);
	report.claimed_error_feedback_hash = Some(final_e);
	if final_e != expected_e {
		return Ok(report.fail(AuditOutcome::ErrorFeedbackNotBound));
	}
	if let Err(e) = decode(
		update,
		&config.compression,
		&layout,
		Some(&commitment.update_hash),
	) {
		return Ok(report.fail(AuditOutcome::UpdateMalformed(e)));
	}
	let (compressed, residual) = compress_with_feedback(
		&final_state.params.to_flat(),
		&round.checkpoint.params.to_flat(),
		&final_state.error_feedback.to_flat(),
		&config.compression,
	);
	let expected = encode(&compressed, &layout);
	report.recomputed_update_hash = Some(*blake3::hash(&expected).as_bytes());
	let next_e = ParamSet::from_flat(&layout, &residual).map_err(TrainingError::Inconsistent)?;
	let next_e_hash = residual_hash(&next_e);
	report.recomputed_residual_hash = Some(next_e_hash);
	let outcome = if expected != update {
		AuditOutcome::UpdateMismatch
	} else if next_e_hash != commitment.residual_hash {
		AuditOutcome::ResidualMismatch
	} else {
		AuditOutcome::Pass
	};
	info!(?outcome, "update audit");
	Ok(report.fail(outcome))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn first_quantity_above_epsilon_is_named_in_order() {
		let e = RelativeErrors {
			params: 1e-3,
			adam_m: 0.5,
			adam_v: 0.7,
		};
		assert_eq!(e.first_above(1e-2), Some(ToleranceQuantity::AdamM));
		assert_eq!(e.first_above(0.6), Some(ToleranceQuantity::AdamV));
		assert_eq!(e.first_above(1.0), None);
		assert_eq!(e.max(), 0.7);
		let nan = RelativeErrors {
			params: f64::NAN,
			..e
		};
		assert_eq!(nan.first_above(1.0), Some(ToleranceQuantity::Params));
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
