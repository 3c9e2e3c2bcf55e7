//! Attacks on the audit found in review (issue 11): a miner that trains honestly and then picks
//! its error-feedback buffer to steer the update, forges optimiser moments under a spoofed
//! fingerprint, declares a backend the subnet does not allow, or carries a buffer other than
//! the residual it last committed. Each must fail an audit; the honest counterparts pass.

mod common;

use arena_training::audit::{AuditMode, ToleranceQuantity};
use arena_training::compression::decompress;
use arena_training::merkle::MerkleProof;
use arena_training::model::param_layout;
use arena_training::params::ParamSet;
use arena_training::residual::zero_residual_hash;
use arena_training::update_format::decode;
use arena_training::{
	audit_segment, audit_update, residual_hash, AuditOutcome, AuditReport, MinerContext,
	RoundArtifacts, RoundCommitment, RoundContext, SegmentEvidence, TrainState,
};
use common::*;

fn proofs(art: &RoundArtifacts) -> Vec<MerkleProof> {
	(0..art.boundary_states.len())
		.map(|i| art.proof(i).unwrap())
		.collect()
}

fn evidence<'a>(
	art: &'a RoundArtifacts,
	proofs: &'a [MerkleProof],
	s: usize,
) -> SegmentEvidence<'a> {
	SegmentEvidence {
		segment: s as u64,
		start_state: &art.boundary_states[s],
		start_proof: &proofs[s],
		end_state: &art.boundary_states[s + 1],
		end_proof: &proofs[s + 1],
	}
}

/// Audits segment `s` of `art` for `miner` (mode from the fingerprints).
fn audit_seg_in(
	round: &RoundContext<'_>,
	art: &RoundArtifacts,
	miner: &MinerContext<'_>,
	s: usize,
) -> AuditReport {
	let p = proofs(art);
	audit_segment(
		round,
		miner,
		&art.commitment,
		&evidence(art, &p, s),
		&device(),
	)
	.unwrap()
}

fn audit_seg(art: &RoundArtifacts, miner: &MinerContext<'_>, s: usize) -> AuditReport {
	audit_seg_in(&ctx(), art, miner, s)
}

fn audit_upd_in(
	round: &RoundContext<'_>,
	art: &RoundArtifacts,
	miner: &MinerContext<'_>,
) -> AuditReport {
	let last = art.boundary_states.len() - 1;
	audit_update(
		round,
		miner,
		&art.commitment,
		&art.boundary_states[last],
		&art.proof(last).unwrap(),
		&art.update,
	)
	.unwrap()
}

fn audit_upd(art: &RoundArtifacts, miner: &MinerContext<'_>) -> AuditReport {
	audit_upd_in(&ctx(), art, miner)
}

/// Dense values of an encoded update.
fn dense(update: &[u8]) -> Vec<f32> {
	let cfg = config();
	decompress(&decode(update, &cfg.compression, &param_layout(&cfg.model), None).unwrap())
}

fn rel_l2(a: &[f32], b: &[f32]) -> f64 {
	let (mut d, mut n) = (0.0f64, 0.0f64);
	for (&x, &y) in a.iter().zip(b) {
		d += (x as f64 - y as f64).powi(2);
		n += (y as f64).powi(2);
	}
	(d / n).sqrt()
}

fn train_with(e: Option<&ParamSet>, hotkey: &[u8]) -> RoundArtifacts {
	arena_training::train_round(
		&config(),
		&checkpoint().0,
		e,
		corpus(),
		&ROUND_SEED,
		hotkey,
		&device(),
	)
	.unwrap()
}

/// The attack: train honestly (`honest`), then choose `e = (target − (θ_H − θ_0)) / β` so that
/// `compress(θ_H − θ_0 + β·e)` is `target`, and re-run the round with that `e` in every leaf
/// (`e` does not affect training, so the trajectory is the honest one).
fn steer(honest: &RoundArtifacts, hotkey: &[u8], target: &[f32]) -> RoundArtifacts {
	let cfg = config();
	let last = honest.boundary_states.len() - 1;
	let theta_h = honest.boundary_states[last].params.to_flat();
	let theta_0 = checkpoint().0.params.to_flat();
	let beta = cfg.compression.feedback_decay;
	let e: Vec<f32> = target
		.iter()
		.zip(theta_h.iter().zip(&theta_0))
		.map(|(t, (h, z))| (t - (h - z)) / beta)
		.collect();
	let e = ParamSet::from_flat(&param_layout(&cfg.model), &e).unwrap();
	train_with(Some(&e), hotkey)
}

/// B trains honestly, then steers its update into a copy of A's.
fn copy_of_a() -> &'static RoundArtifacts {
	static R: std::sync::OnceLock<RoundArtifacts> = std::sync::OnceLock::new();
	R.get_or_init(|| {
		let s = steer(honest_b(), HOTKEY_B, &dense(&honest_a().update));
		// The attack works: B's update is A's (up to f32 rounding of the chosen e).
		assert!(rel_l2(&dense(&s.update), &dense(&honest_a().update)) < 1e-4);
		s
	})
}

/// A trains honestly, then steers its update into the negation of its honest update ×20.
fn poisoned() -> &'static RoundArtifacts {
	static R: std::sync::OnceLock<RoundArtifacts> = std::sync::OnceLock::new();
	R.get_or_init(|| {
		let target: Vec<f32> = dense(&honest_a().update)
			.iter()
			.map(|v| -20.0 * v)
			.collect();
		let s = steer(honest_a(), HOTKEY_A, &target);
		assert!(rel_l2(&dense(&s.update), &target) < 1e-4);
		s
	})
}

/// Replaces state `index` of `art` (rebuilding the tree and the commitment's root).
fn with_state(art: &RoundArtifacts, index: usize, state: TrainState) -> RoundArtifacts {
	let mut out = art.clone();
	out.boundary_states[index] = state;
	out.state_hashes = out.boundary_states.iter().map(TrainState::hash).collect();
	let tree = arena_training::merkle::MerkleTree::new(&out.state_hashes).unwrap();
	out.commitment = RoundCommitment {
		merkle_root: tree.root(),
		..out.commitment
	};
	out
}

#[test]
fn update_copied_through_chosen_error_feedback_fails_segment_zero() {
	let r = audit_seg(copy_of_a(), &first_round(HOTKEY_B), 0);
	assert_eq!(r.outcome, AuditOutcome::ErrorFeedbackNotBound, "{r:?}");
	let layout = param_layout(&config().model);
	assert_eq!(
		r.expected_error_feedback_hash,
		Some(zero_residual_hash(&layout))
	);
}

#[test]
fn update_copied_through_chosen_error_feedback_fails_the_update_audit() {
	let r = audit_upd(copy_of_a(), &first_round(HOTKEY_B));
	assert_eq!(r.outcome, AuditOutcome::ErrorFeedbackNotBound, "{r:?}");
}

#[test]
fn poisoned_update_through_chosen_error_feedback_fails_segment_zero() {
	let r = audit_seg(poisoned(), &first_round(HOTKEY_A), 0);
	assert_eq!(r.outcome, AuditOutcome::ErrorFeedbackNotBound, "{r:?}");
}

#[test]
fn poisoned_update_through_chosen_error_feedback_fails_the_update_audit() {
	let r = audit_upd(poisoned(), &first_round(HOTKEY_A));
	assert_eq!(r.outcome, AuditOutcome::ErrorFeedbackNotBound, "{r:?}");
}

#[test]
fn error_feedback_swapped_in_the_final_state_only_fails_the_update_audit() {
	// Leaf 0 carries the honest (zero) buffer; only the final leaf, which the update audit
	// reads, carries the steering one.
	let a = honest_a();
	let last = a.boundary_states.len() - 1;
	let mut fin = a.boundary_states[last].clone();
	fin.error_feedback = poisoned().boundary_states[last].error_feedback.clone();
	let mut art = with_state(a, last, fin);
	art.update = poisoned().update.clone();
	art.commitment.update_hash = poisoned().commitment.update_hash;
	art.commitment.residual_hash = poisoned().commitment.residual_hash;
	assert!(audit_seg(&art, &first_round(HOTKEY_A), 0).passed());
	let r = audit_upd(&art, &first_round(HOTKEY_A));
	assert_eq!(r.outcome, AuditOutcome::ErrorFeedbackNotBound, "{r:?}");
}

#[test]
fn committed_residual_other_than_the_implied_one_fails_the_update_audit() {
	// An honest round that commits the hash of a chosen next buffer (to steer its next round).
	let a = honest_a();
	let mut art = a.clone();
	art.commitment.residual_hash = poisoned().commitment.residual_hash;
	let r = audit_upd(&art, &first_round(HOTKEY_A));
	assert_eq!(r.outcome, AuditOutcome::ResidualMismatch, "{r:?}");
	assert_eq!(r.recomputed_residual_hash, Some(a.commitment.residual_hash));
}

#[test]
fn honest_round_commits_the_hash_of_its_next_error_feedback() {
	let a = honest_a();
	assert_eq!(
		a.commitment.residual_hash,
		residual_hash(&a.next_error_feedback)
	);
	let r = audit_upd(a, &first_round(HOTKEY_A));
	assert!(r.passed(), "{r:?}");
	assert_eq!(r.recomputed_residual_hash, Some(a.commitment.residual_hash));
}

/// A's second round, started (honestly) from the residual its first round committed.
fn second_round() -> &'static RoundArtifacts {
	static R: std::sync::OnceLock<RoundArtifacts> = std::sync::OnceLock::new();
	R.get_or_init(|| train_with(Some(&honest_a().next_error_feedback), HOTKEY_A))
}

fn after_first_round() -> MinerContext<'static> {
	MinerContext {
		hotkey: HOTKEY_A,
		previous_residual_hash: Some(honest_a().commitment.residual_hash),
	}
}

#[test]
fn second_round_from_the_committed_residual_passes() {
	let r2 = second_round();
	for s in [0usize, 3] {
		let r = audit_seg(r2, &after_first_round(), s);
		assert!(r.passed(), "segment {s}: {r:?}");
	}
	let r = audit_upd(r2, &after_first_round());
	assert!(r.passed(), "{r:?}");
}

#[test]
fn leaf_zero_error_feedback_other_than_the_last_residual_fails() {
	// Round 1 left A with the residual `e_1`; in round 2 A triples it to send a larger update.
	let layout = param_layout(&config().model);
	let e1 = &honest_a().next_error_feedback;
	let inflated: Vec<f32> = e1.to_flat().iter().map(|v| 3.0 * v).collect();
	let inflated = ParamSet::from_flat(&layout, &inflated).unwrap();
	let round2 = train_with(Some(&inflated), HOTKEY_A);
	let r = audit_seg(&round2, &after_first_round(), 0);
	assert_eq!(r.outcome, AuditOutcome::ErrorFeedbackNotBound, "{r:?}");
	assert_eq!(
		r.claimed_error_feedback_hash,
		Some(residual_hash(&inflated))
	);
}

#[test]
fn dropping_the_residual_after_a_first_round_fails() {
	// Starting round 2 from the zero buffer again (dropping the backlog) is not allowed either.
	let r = audit_seg(honest_a(), &after_first_round(), 0);
	assert_eq!(r.outcome, AuditOutcome::ErrorFeedbackNotBound, "{r:?}");
}

/// A's honest round with forged AdamW moments in the final state, committed under a spoofed
/// (different, allowed) fingerprint so that the validator falls back to tolerance mode.
fn forged_moments(forge: impl Fn(&mut TrainState)) -> RoundArtifacts {
	let a = honest_a();
	let last = a.boundary_states.len() - 1;
	let mut fin = a.boundary_states[last].clone();
	forge(&mut fin);
	let mut art = with_state(a, last, fin);
	art.commitment.fingerprint = other_backend_fingerprint();
	art
}

#[test]
fn forged_first_moments_under_a_spoofed_fingerprint_fail() {
	let art = forged_moments(|s| {
		for t in s.adam_m.tensors_mut() {
			t.data.iter_mut().for_each(|v| *v = 0.0);
		}
	});
	let r = audit_seg(&art, &first_round(HOTKEY_A), art.boundary_states.len() - 2);
	assert!(matches!(r.mode, Some(AuditMode::Tolerance { .. })), "{r:?}");
	assert_eq!(
		r.outcome,
		AuditOutcome::ToleranceExceeded(ToleranceQuantity::AdamM),
		"{r:?}"
	);
	let e = r.relative_errors.unwrap();
	assert_eq!(e.params, 0.0);
	assert!(e.adam_m > 0.1, "{e:?}");
}

#[test]
fn forged_second_moments_under_a_spoofed_fingerprint_fail() {
	let art = forged_moments(|s| {
		for t in s.adam_v.tensors_mut() {
			t.data.iter_mut().for_each(|v| *v *= 4.0);
		}
	});
	let r = audit_seg(&art, &first_round(HOTKEY_A), art.boundary_states.len() - 2);
	assert!(matches!(r.mode, Some(AuditMode::Tolerance { .. })), "{r:?}");
	assert_eq!(
		r.outcome,
		AuditOutcome::ToleranceExceeded(ToleranceQuantity::AdamV),
		"{r:?}"
	);
	let e = r.relative_errors.unwrap();
	assert_eq!((e.params, e.adam_m), (0.0, 0.0));
}

#[test]
fn error_feedback_changed_within_a_segment_fails_in_tolerance_mode() {
	let a = honest_a();
	let mut end = a.boundary_states[2].clone();
	end.error_feedback.tensors_mut()[0].data[0] = 1e-3;
	let mut art = with_state(a, 2, end);
	art.commitment.fingerprint = other_backend_fingerprint();
	let r = audit_seg(&art, &first_round(HOTKEY_A), 1);
	assert_eq!(
		r.outcome,
		AuditOutcome::ToleranceExceeded(ToleranceQuantity::ErrorFeedback),
		"{r:?}"
	);
}

/// A subnet that allows only this build's backend.
fn flex_only() -> RoundContext<'static> {
	static A: std::sync::OnceLock<[[u8; 32]; 1]> = std::sync::OnceLock::new();
	RoundContext {
		allowed_fingerprints: A.get_or_init(|| [honest_a().commitment.fingerprint.hash()]),
		..ctx()
	}
}

#[test]
fn a_fingerprint_the_subnet_does_not_allow_fails_the_segment_audit() {
	// The miner declares another backend than the one subnet allows.
	let mut art = honest_a().clone();
	art.commitment.fingerprint = other_backend_fingerprint();
	let r = audit_seg_in(&flex_only(), &art, &first_round(HOTKEY_A), 1);
	assert_eq!(r.outcome, AuditOutcome::FingerprintNotAllowed, "{r:?}");
	assert_eq!(r.fingerprint_hash, other_backend_fingerprint().hash());
	// The same round under the allowed fingerprint passes.
	assert!(audit_seg_in(&flex_only(), honest_a(), &first_round(HOTKEY_A), 1).passed());
}

#[test]
fn a_fingerprint_the_subnet_does_not_allow_fails_the_update_audit() {
	let mut art = honest_a().clone();
	art.commitment.fingerprint = other_backend_fingerprint();
	let r = audit_upd_in(&flex_only(), &art, &first_round(HOTKEY_A));
	assert_eq!(r.outcome, AuditOutcome::FingerprintNotAllowed, "{r:?}");
}

#[test]
fn an_empty_allowed_list_allows_no_backend() {
	let round = RoundContext {
		allowed_fingerprints: &[],
		..ctx()
	};
	let r = audit_upd_in(&round, honest_a(), &first_round(HOTKEY_A));
	assert_eq!(r.outcome, AuditOutcome::FingerprintNotAllowed, "{r:?}");
}
