//! Auditing one miner's round (SPEC §6.5–§6.6): fetch, check, re-run, score.
//!
//! For a miner's on-chain commitment, in this order (the first failure decides):
//!
//! 1. its declared backend must be one the subnet allows (`DisallowedBackend`);
//! 2. **fetch** (all within `miner_fetch_timeout`, from the miner's `serve_endpoint`): the
//!    manifest stored under `manifest_key(merkle_root)`, the update, the final state (leaf
//!    `H / c`) and, for a segment audit, the states at both ends of each audited segment.
//!    A missing endpoint or artifact, a timeout, an oversized or malformed artifact is
//!    `BadArtifact`;
//! 3. the **manifest** must verify against the commitment (its leaves give the committed
//!    Merkle root, every committed field matches, the task's `H` and `c`): `BadProof`;
//! 4. the **update audit** ([`arena_training::audit_update`]): update and committed residual
//!    recomputed bit for bit from the final state (`UpdateMismatch`, `ResidualMismatch`; a
//!    state whose `e` is not the residual the hotkey last committed is `ResidualMismatch`);
//! 5. the **segment audits** ([`arena_training::audit_segment_with_mode`], bitwise when the
//!    miner's backend fingerprint is this validator's, else within ε): `SegmentMismatch`;
//! 6. **usefulness** on batches seeded by the audit seed.
//!
//! Steps 1–4 are host computations that give the same answer on every validator; they
//! decide which updates are aggregated ([`MinerAudit::aggregatable`]). The chain stores only
//! the fingerprint's hash, so the training core's audits receive this validator's own
//! fingerprint as a stand-in after step 1 has checked the real hash, and the comparison mode
//! is chosen here from the hashes.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use arena_artifacts::{ArtifactError, ArtifactKind};
use arena_chain_client::types::{
	AccountId, AuditFailure, CommitmentView, Evidence, Hash32, RoundIndex, Uid,
};
use arena_training::audit::{audit_segment_with_mode, AuditMode};
use arena_training::manifest::{manifest_key, CommittedFields, ManifestError, RoundManifest};
use arena_training::merkle::MerkleTree;
use arena_training::model::param_layout;
use arena_training::{
	audit_update, usefulness, AuditOutcome, AuditReport, BackendFingerprint, Checkpoint, Corpus,
	Device, MinerContext, RoundCommitment, RoundContext, SegmentEvidence, TrainState,
	TrainingConfig, Usefulness,
};
use bytes::Bytes;

use crate::artifacts::Artifacts;
use crate::compute::compute;

/// Segment index recorded in evidence that concerns the manifest or no segment.
pub const NO_SEGMENT: u32 = u32::MAX;

/// A failed audit: what a challenge carries, and a human-readable detail.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
	/// The on-chain evidence.
	pub evidence: Evidence,
	/// What exactly went wrong.
	pub detail: String,
	/// Whether the failure is worth a challenge (false when the audit itself could not run
	/// for a reason that may be ours, e.g. the training core refusing our own inputs).
	pub challengeable: bool,
}

/// Everything known about one miner's round after its audit.
#[derive(Clone, Debug)]
pub struct MinerAudit {
	/// The miner.
	pub hotkey: AccountId,
	/// Its UID, when it is in the metagraph.
	pub uid: Option<Uid>,
	/// Segments re-run (empty: only manifest and update were checked).
	pub segments: Vec<u32>,
	/// `None` when every check passed.
	pub failure: Option<Failure>,
	/// Whether the checks every validator runs identically (backend, manifest, update)
	/// passed.
	pub public_checks_passed: bool,
	/// Usefulness, computed for miners that passed.
	pub usefulness: Option<Usefulness>,
	/// The update bytes, when fetched and checked.
	pub update: Option<Bytes>,
	/// Committed update hash.
	pub update_hash: Hash32,
	/// Time spent fetching.
	pub fetch_time: Duration,
	/// Time spent checking, re-running and scoring.
	pub audit_time: Duration,
}

impl MinerAudit {
	/// Whether every check passed.
	pub fn passed(&self) -> bool {
		self.failure.is_none()
	}

	/// The update, if the public checks passed (a miner that failed only a segment audit is
	/// left out of the aggregate through its on-chain challenge, see [`crate::aggregate`]).
	pub fn aggregatable(&self) -> Option<&Bytes> {
		if self.public_checks_passed {
			self.update.as_ref()
		} else {
			None
		}
	}
}

/// What every audit of a round shares.
#[derive(Clone, Copy)]
pub struct RoundInputs<'a> {
	/// The round.
	pub round: RoundIndex,
	/// The task.
	pub config: &'a TrainingConfig,
	/// `C_r`.
	pub checkpoint: &'a Checkpoint,
	/// Its hash.
	pub checkpoint_hash: Hash32,
	/// The corpus.
	pub corpus: &'a Corpus,
	/// The round seed.
	pub round_seed: Hash32,
	/// The audit seed (seeds usefulness batches).
	pub audit_seed: Hash32,
	/// The subnet's allowed fingerprint hashes.
	pub allowed_fingerprints: &'a [Hash32],
	/// This validator's device.
	pub device: &'a Device,
	/// All of one miner's artifacts must arrive within this.
	pub fetch_timeout: Duration,
}

/// One miner to audit.
#[derive(Clone, Debug)]
pub struct MinerTarget {
	/// Its commitment as the chain stored it.
	pub commitment: CommitmentView,
	/// Its UID.
	pub uid: Option<Uid>,
	/// Its artifact endpoint.
	pub endpoint: Option<String>,
	/// Segments to re-run (may be empty).
	pub segments: Vec<u32>,
}

/// Builds the evidence skeleton for `commitment`.
fn evidence(commitment: &CommitmentView, reason: AuditFailure, segment: u32) -> Evidence {
	Evidence {
		reason,
		segment,
		merkle_root: commitment.contribution.merkle_root,
		claimed_start: [0; 32],
		claimed_end: [0; 32],
		recomputed: [0; 32],
		update_hash: commitment.contribution.update_hash,
	}
}

fn fail(
	commitment: &CommitmentView,
	reason: AuditFailure,
	segment: u32,
	detail: String,
) -> Box<Failure> {
	Box::new(Failure {
		evidence: evidence(commitment, reason, segment),
		detail,
		challengeable: true,
	})
}

/// The on-chain reason of a training-core audit outcome (`None` for a pass).
pub fn failure_reason(outcome: &AuditOutcome) -> Option<AuditFailure> {
	use AuditOutcome as O;
	Some(match outcome {
		O::Pass => return None,
		O::FingerprintNotAllowed => AuditFailure::DisallowedBackend,
		O::CommitmentMismatch
		| O::SegmentOutOfRange
		| O::StartNotCommitted
		| O::EndNotCommitted => AuditFailure::BadProof,
		O::WrongStep | O::MalformedState | O::UpdateMalformed(_) => AuditFailure::BadArtifact,
		O::ErrorFeedbackNotBound | O::ResidualMismatch => AuditFailure::ResidualMismatch,
		O::StartNotCheckpoint | O::StateMismatch | O::ToleranceExceeded(_) => {
			AuditFailure::SegmentMismatch
		},
		O::UpdateMismatch => AuditFailure::UpdateMismatch,
	})
}

/// The artifacts of one miner, fetched.
struct Fetched {
	manifest: RoundManifest,
	update: Bytes,
	/// Decoded states by leaf index.
	states: BTreeMap<usize, TrainState>,
}

/// Fetches and decodes what the audit needs; any problem is a [`Failure`].
async fn fetch_all(
	inputs: &RoundInputs<'_>,
	artifacts: &Artifacts,
	target: &MinerTarget,
) -> Result<Fetched, Box<Failure>> {
	let c = &target.commitment;
	let bad = |segment: u32, detail: String| fail(c, AuditFailure::BadArtifact, segment, detail);
	let Some(source) = target.endpoint.as_deref() else {
		return Err(bad(
			NO_SEGMENT,
			"miner announced no artifact endpoint".into(),
		));
	};
	let fetch = |kind: ArtifactKind, hash: Hash32| artifacts.fetch(source, kind, hash);
	let describe = |what: &str, e: ArtifactError| format!("{what}: {e}");
	let manifest_bytes = fetch(
		ArtifactKind::Manifest,
		manifest_key(&c.contribution.merkle_root),
	)
	.await
	.map_err(|e| bad(NO_SEGMENT, describe("manifest", e)))?;
	let manifest = RoundManifest::decode(&manifest_bytes)
		.map_err(|e| bad(NO_SEGMENT, format!("manifest malformed: {e}")))?;
	let committed = CommittedFields {
		round: u64::from(inputs.round),
		hotkey: c.hotkey.0,
		checkpoint_hash: inputs.checkpoint_hash,
		update_hash: c.contribution.update_hash,
		merkle_root: c.contribution.merkle_root,
		steps: u64::from(c.contribution.steps),
		fingerprint: c.contribution.fingerprint,
		residual_hash: c.contribution.residual_hash,
	};
	let proof_failure = |e: ManifestError| {
		fail(
			c,
			AuditFailure::BadProof,
			NO_SEGMENT,
			format!("manifest does not match the commitment: {e}"),
		)
	};
	manifest.verify(&committed).map_err(proof_failure)?;
	manifest
		.check_task(inputs.config.inner_steps, inputs.config.segment_len)
		.map_err(proof_failure)?;
	let n_segments = inputs.config.num_segments() as u32;
	let update = fetch(ArtifactKind::Update, c.contribution.update_hash)
		.await
		.map_err(|e| bad(n_segments, describe("update", e)))?;
	let layout = param_layout(&inputs.config.model);
	let mut leaves: Vec<usize> = vec![n_segments as usize];
	for &s in &target.segments {
		leaves.extend([s as usize, s as usize + 1]);
	}
	leaves.sort_unstable();
	leaves.dedup();
	let mut states = BTreeMap::new();
	for leaf in leaves {
		let Some(&hash) = manifest.state_hashes.get(leaf) else {
			return Err(fail(
				c,
				AuditFailure::BadProof,
				leaf as u32,
				format!("manifest has no state {leaf}"),
			));
		};
		let segment = (leaf as u32).min(n_segments);
		let bytes = fetch(ArtifactKind::State, hash)
			.await
			.map_err(|e| bad(segment, describe(&format!("state {leaf}"), e)))?;
		let state = TrainState::from_canonical_bytes(&bytes, &layout)
			.map_err(|e| bad(segment, format!("state {leaf} malformed: {e}")))?;
		states.insert(leaf, state);
	}
	Ok(Fetched {
		manifest,
		update,
		states,
	})
}

/// The comparison mode for a miner whose fingerprint hash is `miner_fp`.
fn mode_for(config: &TrainingConfig, miner_fp: &Hash32, own: &BackendFingerprint) -> AuditMode {
	if *miner_fp == own.hash() {
		AuditMode::Bitwise
	} else {
		AuditMode::Tolerance {
			epsilon: config.audit_tolerance,
		}
	}
}

fn outcome_detail(report: &AuditReport) -> String {
	match report.segment {
		Some(s) => format!("segment {s}: {:?}", report.outcome),
		None => format!("update: {:?}", report.outcome),
	}
}

/// Audits one miner (see the module docs). Never fails: every problem is in the result.
pub async fn audit_miner(
	inputs: &RoundInputs<'_>,
	artifacts: &Artifacts,
	target: &MinerTarget,
) -> MinerAudit {
	let c = &target.commitment;
	let mut audit = MinerAudit {
		hotkey: c.hotkey,
		uid: target.uid,
		segments: target.segments.clone(),
		failure: None,
		public_checks_passed: false,
		usefulness: None,
		update: None,
		update_hash: c.contribution.update_hash,
		fetch_time: Duration::ZERO,
		audit_time: Duration::ZERO,
	};
	if !inputs
		.allowed_fingerprints
		.contains(&c.contribution.fingerprint)
	{
		audit.failure = Some(*fail(
			c,
			AuditFailure::DisallowedBackend,
			NO_SEGMENT,
			format!(
				"backend fingerprint {} is not allowed",
				hex::encode(c.contribution.fingerprint)
			),
		));
		return audit;
	}
	let started = Instant::now();
	let fetched = match tokio::time::timeout(
		inputs.fetch_timeout,
		fetch_all(inputs, artifacts, target),
	)
	.await
	{
		Ok(r) => r,
		Err(_) => Err(fail(
			c,
			AuditFailure::BadArtifact,
			NO_SEGMENT,
			format!("artifacts not fetched within {:?}", inputs.fetch_timeout),
		)),
	};
	audit.fetch_time = started.elapsed();
	let started = Instant::now();
	let result = fetched.and_then(|f| compute(|| check(inputs, target, &f)).map(|u| (f.update, u)));
	audit.audit_time = started.elapsed();
	match result {
		Ok((update, (public_ok, failure))) => {
			audit.public_checks_passed = public_ok;
			audit.failure = failure;
			if public_ok {
				audit.update = Some(update.clone());
			}
			if audit.failure.is_none() {
				let started = Instant::now();
				match compute(|| {
					usefulness(
						inputs.config,
						inputs.checkpoint,
						&update,
						Some(&c.contribution.update_hash),
						inputs.corpus,
						&inputs.audit_seed,
						inputs.device,
					)
				}) {
					Ok(u) => audit.usefulness = Some(u),
					Err(e) => {
						tracing::warn!(miner = %c.hotkey, error = %e, "usefulness not computed")
					},
				}
				audit.audit_time += started.elapsed();
			}
		},
		Err(f) => audit.failure = Some(*f),
	}
	match &audit.failure {
		None => {
			tracing::info!(miner = %c.hotkey, segments = ?target.segments, usefulness = ?audit.usefulness.map(|u| u.score), "audit passed")
		},
		Some(f) => {
			tracing::warn!(miner = %c.hotkey, reason = ?f.evidence.reason, detail = %f.detail, "audit failed")
		},
	}
	audit
}

/// Runs the update audit and the segment audits on fetched artifacts: `(public checks
/// passed, failure)`.
fn check(
	inputs: &RoundInputs<'_>,
	target: &MinerTarget,
	f: &Fetched,
) -> Result<(bool, Option<Failure>), Box<Failure>> {
	let c = &target.commitment;
	let config = inputs.config;
	let own_fp = BackendFingerprint::of(inputs.device);
	let own_allowed = [own_fp.hash()];
	let ctx = RoundContext {
		config,
		checkpoint: inputs.checkpoint,
		checkpoint_hash: &inputs.checkpoint_hash,
		corpus: inputs.corpus,
		round_seed: &inputs.round_seed,
		allowed_fingerprints: &own_allowed,
	};
	let previous = (c.previous_residual != [0u8; 32]).then_some(c.previous_residual);
	let miner = MinerContext {
		hotkey: &c.hotkey.0,
		previous_residual_hash: previous,
	};
	let commitment = RoundCommitment {
		checkpoint_hash: inputs.checkpoint_hash,
		update_hash: c.contribution.update_hash,
		merkle_root: c.contribution.merkle_root,
		steps: u64::from(c.contribution.steps),
		fingerprint: own_fp.clone(),
		residual_hash: c.contribution.residual_hash,
	};
	let tree = MerkleTree::new(&f.manifest.state_hashes).ok_or_else(|| {
		fail(
			c,
			AuditFailure::BadProof,
			NO_SEGMENT,
			"manifest has no states".into(),
		)
	})?;
	let n = config.num_segments() as usize;
	let proof = |leaf: usize| {
		tree.proof(leaf).ok_or_else(|| {
			fail(
				c,
				AuditFailure::BadProof,
				leaf as u32,
				format!("no proof for leaf {leaf}"),
			)
		})
	};
	let state = |leaf: usize| {
		f.states.get(&leaf).ok_or_else(|| {
			fail(
				c,
				AuditFailure::BadArtifact,
				leaf as u32,
				format!("state {leaf} missing"),
			)
		})
	};
	let could_not_run = |segment: u32, e: arena_training::TrainingError| {
		Box::new(Failure {
			evidence: evidence(c, AuditFailure::BadArtifact, segment),
			detail: format!("audit could not run: {e}"),
			challengeable: false,
		})
	};
	// Update audit (public: identical on every validator).
	let final_state = state(n)?;
	let report = audit_update(
		&ctx,
		&miner,
		&commitment,
		final_state,
		&proof(n)?,
		&f.update,
	)
	.map_err(|e| could_not_run(n as u32, e))?;
	if let Some(reason) = failure_reason(&report.outcome) {
		let mut e = evidence(c, reason, n as u32);
		e.claimed_end = f.manifest.state_hashes[n];
		e.recomputed = match reason {
			AuditFailure::ResidualMismatch => report
				.recomputed_residual_hash
				.or(report.claimed_error_feedback_hash)
				.unwrap_or([0; 32]),
			_ => report.recomputed_update_hash.unwrap_or([0; 32]),
		};
		return Ok((
			false,
			Some(Failure {
				evidence: e,
				detail: outcome_detail(&report),
				challengeable: true,
			}),
		));
	}
	// Segment audits (this validator's sample).
	let mode = mode_for(config, &c.contribution.fingerprint, &own_fp);
	for &s in &target.segments {
		let s = s as usize;
		let (start, end) = (state(s)?, state(s + 1)?);
		let (start_proof, end_proof) = (proof(s)?, proof(s + 1)?);
		let seg = SegmentEvidence {
			segment: s as u64,
			start_state: start,
			start_proof: &start_proof,
			end_state: end,
			end_proof: &end_proof,
		};
		let report = audit_segment_with_mode(&ctx, &miner, &commitment, &seg, inputs.device, mode)
			.map_err(|e| could_not_run(s as u32, e))?;
		if let Some(reason) = failure_reason(&report.outcome) {
			let mut e = evidence(c, reason, s as u32);
			e.claimed_start = f.manifest.state_hashes[s];
			e.claimed_end = f.manifest.state_hashes[s + 1];
			e.recomputed = report.recomputed_end_hash.unwrap_or([0; 32]);
			return Ok((
				true,
				Some(Failure {
					evidence: e,
					detail: outcome_detail(&report),
					challengeable: true,
				}),
			));
		}
	}
	Ok((true, None))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn every_outcome_maps_to_a_reason() {
		assert_eq!(failure_reason(&AuditOutcome::Pass), None);
		assert_eq!(
			failure_reason(&AuditOutcome::StateMismatch),
			Some(AuditFailure::SegmentMismatch)
		);
		assert_eq!(
			failure_reason(&AuditOutcome::ErrorFeedbackNotBound),
			Some(AuditFailure::ResidualMismatch)
		);
		assert_eq!(
			failure_reason(&AuditOutcome::EndNotCommitted),
			Some(AuditFailure::BadProof)
		);
		assert_eq!(
			failure_reason(&AuditOutcome::UpdateMismatch),
			Some(AuditFailure::UpdateMismatch)
		);
	}
}
