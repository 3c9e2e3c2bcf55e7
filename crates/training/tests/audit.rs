//! Shadow audit: honest rounds pass; random, copied, lazy, tampered and poisoned ones fail.

mod common;

use arena_training::audit::{audit_segment_with_mode, AuditMode, ToleranceQuantity};
use arena_training::compression::{compress, decompress};
use arena_training::error::UpdateFormatError;
use arena_training::model::param_layout;
use arena_training::update_format::{decode, encode, update_hash};
use arena_training::{
	audit_segment, audit_update, AuditOutcome, AuditReport, RoundArtifacts, RoundCommitment,
	SegmentEvidence, TrainState,
};
use common::*;

/// Audits segment `s` of `art` as a validator would, the states travelling as bytes.
fn audit_seg(
	art: &RoundArtifacts,
	commitment: &RoundCommitment,
	hotkey: &[u8],
	s: usize,
) -> AuditReport {
	let layout = param_layout(&config().model);
	let wire = |st: &TrainState| {
		TrainState::from_canonical_bytes(&st.to_canonical_bytes(), &layout).unwrap()
	};
	let start = wire(&art.boundary_states[s]);
	let end = wire(&art.boundary_states[s + 1]);
	let sp = art.proof(s).unwrap();
	let ep = art.proof(s + 1).unwrap();
	let ev = SegmentEvidence {
		segment: s as u64,
		start_state: &start,
		start_proof: &sp,
		end_state: &end,
		end_proof: &ep,
	};
	audit_segment(&ctx(), &first_round(hotkey), commitment, &ev, &device()).unwrap()
}

fn audit_upd(art: &RoundArtifacts, commitment: &RoundCommitment, update: &[u8]) -> AuditReport {
	let last = art.boundary_states.len() - 1;
	audit_update(
		&ctx(),
		&first_round(HOTKEY_A),
		commitment,
		&art.boundary_states[last],
		&art.proof(last).unwrap(),
		update,
	)
	.unwrap()
}

#[test]
fn honest_round_passes_every_segment_and_the_update() {
	let a = honest_a();
	for s in 0..config().num_segments() as usize {
		let r = audit_seg(a, &a.commitment, HOTKEY_A, s);
		assert!(r.passed(), "segment {s}: {r:?}");
		assert_eq!(r.mode, Some(AuditMode::Bitwise));
		assert_eq!(r.recomputed_end_hash, r.claimed_end_hash);
	}
	let u = audit_upd(a, &a.commitment, &a.update);
	assert!(u.passed(), "{u:?}");
	assert_eq!(u.recomputed_update_hash, Some(a.commitment.update_hash));
}

#[test]
fn honest_round_passes_in_tolerance_mode_with_zero_error() {
	let a = honest_a();
	// A miner on another backend: the fingerprint differs, so tolerance mode is chosen.
	let mut c = a.commitment.clone();
	c.fingerprint = other_backend_fingerprint();
	let r = audit_seg(a, &c, HOTKEY_A, 1);
	assert!(r.passed(), "{r:?}");
	assert!(matches!(r.mode, Some(AuditMode::Tolerance { .. })));
	assert_eq!(r.relative_errors.map(|e| e.max()), Some(0.0));
}

#[test]
fn random_update_fails() {
	let a = honest_a();
	let cfg = config();
	let layout = param_layout(&cfg.model);
	let noise = arena_training::model::init_params(&cfg.model, [0x77; 32]).to_flat();
	let random = encode(&compress(&noise, &cfg.compression), &layout);
	let mut c = a.commitment.clone();
	c.update_hash = update_hash(&random);
	let r = audit_upd(a, &c, &random);
	assert_eq!(r.outcome, AuditOutcome::UpdateMismatch, "{r:?}");
	// Submitting random bytes under the honest commitment fails on the hash.
	let r = audit_upd(a, &a.commitment, &random);
	assert_eq!(
		r.outcome,
		AuditOutcome::UpdateMalformed(UpdateFormatError::CommittedHashMismatch)
	);
}

#[test]
fn update_copied_from_another_miner_fails() {
	let (a, b) = (honest_a(), honest_b());
	// B trained honestly but submits A's update under its own root.
	let mut c = b.commitment.clone();
	c.update_hash = a.commitment.update_hash;
	let r = audit_upd(b, &c, &a.update);
	assert_eq!(r.outcome, AuditOutcome::UpdateMismatch, "{r:?}");
	// B copies A's whole commitment and states: the re-run with B's own batches differs.
	for s in [0usize, 2] {
		let r = audit_seg(a, &a.commitment, HOTKEY_B, s);
		assert_eq!(r.outcome, AuditOutcome::StateMismatch, "segment {s}: {r:?}");
		assert_ne!(r.recomputed_end_hash, r.claimed_end_hash);
	}
}

#[test]
fn skipped_steps_fail() {
	// A lazy miner runs 2 of every c steps, then relabels the step counter and commits.
	let cfg = config();
	let mut states = vec![honest_a().boundary_states[0].clone()];
	for k in 1..=cfg.num_segments() {
		let prev = states.last().unwrap();
		let (mut next, _) = arena_training::run_segment(
			&cfg,
			prev,
			corpus().train(),
			&ROUND_SEED,
			HOTKEY_A,
			2,
			&device(),
		)
		.unwrap();
		next.step = k * cfg.segment_len;
		states.push(next);
	}
	let hashes: Vec<_> = states.iter().map(TrainState::hash).collect();
	let tree = arena_training::merkle::MerkleTree::new(&hashes).unwrap();
	let lazy = RoundArtifacts {
		commitment: RoundCommitment {
			merkle_root: tree.root(),
			..honest_a().commitment.clone()
		},
		update: Vec::new(),
		state_hashes: hashes,
		boundary_states: states,
		losses: Vec::new(),
		next_error_feedback: honest_a().next_error_feedback.clone(),
	};
	for s in 0..cfg.num_segments() as usize {
		let r = audit_seg(&lazy, &lazy.commitment, HOTKEY_A, s);
		assert_eq!(r.outcome, AuditOutcome::StateMismatch, "segment {s}: {r:?}");
	}
	// In tolerance mode the missing steps are far outside ε.
	let start = &lazy.boundary_states[1];
	let end = &lazy.boundary_states[2];
	let (sp, ep) = (lazy.proof(1).unwrap(), lazy.proof(2).unwrap());
	let ev = SegmentEvidence {
		segment: 1,
		start_state: start,
		start_proof: &sp,
		end_state: end,
		end_proof: &ep,
	};
	let r = audit_segment_with_mode(
		&ctx(),
		&first_round(HOTKEY_A),
		&lazy.commitment,
		&ev,
		&device(),
		AuditMode::Tolerance { epsilon: 1e-2 },
	)
	.unwrap();
	assert_eq!(
		r.outcome,
		AuditOutcome::ToleranceExceeded(ToleranceQuantity::Params),
		"{r:?}"
	);
	assert!(r.relative_errors.unwrap().params > 0.1, "{r:?}");
}

#[test]
fn tampered_state_fails() {
	let a = honest_a();
	let mut t = a.clone();
	t.boundary_states[2].params.tensors_mut()[5].data[3] += 1e-3;
	let r = audit_seg(&t, &a.commitment, HOTKEY_A, 1);
	assert_eq!(r.outcome, AuditOutcome::EndNotCommitted, "{r:?}");
	let r = audit_seg(&t, &a.commitment, HOTKEY_A, 2);
	assert_eq!(r.outcome, AuditOutcome::StartNotCommitted, "{r:?}");
	let mut m = a.clone();
	m.boundary_states[3].adam_v.tensors_mut()[0].data[0] += 1e-6;
	assert_eq!(
		audit_seg(&m, &a.commitment, HOTKEY_A, 2).outcome,
		AuditOutcome::EndNotCommitted
	);
	// The final state behind the update can't be swapped either.
	let mut f = a.clone();
	let last = f.boundary_states.len() - 1;
	f.boundary_states[last].error_feedback.tensors_mut()[0].data[0] = 0.5;
	assert_eq!(
		audit_upd(&f, &a.commitment, &a.update).outcome,
		AuditOutcome::EndNotCommitted
	);
}

#[test]
fn a_round_that_did_not_start_at_the_checkpoint_fails_segment_zero() {
	// Start from other parameters but claim the round's checkpoint; the tree is consistent.
	let cfg = config();
	let other = arena_training::model::init_params(&cfg.model, [0x42; 32]);
	let start = TrainState::round_start(
		other,
		arena_training::params::ParamSet::zeros(&param_layout(&cfg.model)),
	);
	let (end, _) = arena_training::run_segment(
		&cfg,
		&start,
		corpus().train(),
		&ROUND_SEED,
		HOTKEY_A,
		cfg.segment_len,
		&device(),
	)
	.unwrap();
	let mut states = vec![start, end];
	let mut hashes: Vec<_> = states.iter().map(TrainState::hash).collect();
	while hashes.len() < cfg.num_leaves() {
		hashes.push([0; 32]);
		states.push(states[1].clone());
	}
	let tree = arena_training::merkle::MerkleTree::new(&hashes).unwrap();
	let art = RoundArtifacts {
		commitment: RoundCommitment {
			merkle_root: tree.root(),
			..honest_a().commitment.clone()
		},
		update: Vec::new(),
		state_hashes: hashes,
		boundary_states: states,
		losses: Vec::new(),
		next_error_feedback: honest_a().next_error_feedback.clone(),
	};
	let r = audit_seg(&art, &art.commitment, HOTKEY_A, 0);
	assert_eq!(r.outcome, AuditOutcome::StartNotCheckpoint, "{r:?}");
}

#[test]
fn poisoned_updates_fail() {
	let a = honest_a();
	let cfg = config();
	let layout = param_layout(&cfg.model);
	// Scaled ×10.
	let honest = decode(&a.update, &cfg.compression, &layout, None).unwrap();
	let scaled: Vec<f32> = decompress(&honest).iter().map(|v| v * 10.0).collect();
	let scaled = encode(&compress(&scaled, &cfg.compression), &layout);
	let mut c = a.commitment.clone();
	c.update_hash = update_hash(&scaled);
	assert_eq!(
		audit_upd(a, &c, &scaled).outcome,
		AuditOutcome::UpdateMismatch
	);
	// NaN scale (payload hash recomputed so only the NaN check can catch it).
	let mut nan = honest.clone();
	nan.chunks[0].scale = f32::NAN;
	let nan = encode(&nan, &layout);
	let mut c = a.commitment.clone();
	c.update_hash = update_hash(&nan);
	assert_eq!(
		audit_upd(a, &c, &nan).outcome,
		AuditOutcome::UpdateMalformed(UpdateFormatError::NonFinite { chunk: 0 })
	);
	// Usefulness refuses the NaN update and scores the scaled one below the honest one.
	let (ck, _) = checkpoint();
	let seed = [0xa5; 32];
	assert!(arena_training::usefulness(&cfg, ck, &nan, None, corpus(), &seed, &device()).is_err());
	let u_honest =
		arena_training::usefulness(&cfg, ck, &a.update, None, corpus(), &seed, &device()).unwrap();
	let u_scaled =
		arena_training::usefulness(&cfg, ck, &scaled, None, corpus(), &seed, &device()).unwrap();
	assert!(
		u_scaled.score < u_honest.score,
		"{u_scaled:?} vs {u_honest:?}"
	);
}
