//! Cross-backend audit: a Flex (CPU) miner audited by a wgpu validator (tolerance mode).
//!
//! Built only with `--features wgpu` (off in CI). On a machine without a GPU, Debian's
//! `mesa-vulkan-drivers` (lavapipe, a software Vulkan device) is enough:
//! `cargo test -p arena-training --features wgpu --test cross_backend -- --nocapture`.
//!
//! ε calibration (issue 11): `honest_errors_over_twenty_tiny_segments_stay_within_epsilon`
//! and, slow (`--ignored`), `honest_errors_over_twenty_default_model_segments_stay_within_epsilon`
//! print every segment's relative errors of θ, m and v and the largest of each.
#![cfg(feature = "wgpu")]

mod common;

use arena_training::audit::{AuditMode, RelativeErrors, ToleranceQuantity};
use arena_training::model::init_params;
use arena_training::{
	audit_segment, AuditOutcome, BackendFingerprint, Checkpoint, Device, RoundContext,
	SegmentEvidence, TrainingConfig,
};
use burn::prelude::DeviceKind;
use common::*;

fn wgpu_device() -> Device {
	Device::wgpu(DeviceKind::DefaultDevice)
}

#[test]
fn flex_miner_passes_a_wgpu_audit_within_epsilon() {
	let a = honest_a();
	let (ck, ck_hash) = checkpoint();
	let cfg = config();
	let gpu = wgpu_device();
	let fp = BackendFingerprint::of(&gpu);
	eprintln!("validator fingerprint: {fp:?}");
	assert!(!fp.bitwise_compatible(&a.commitment.fingerprint));
	let allowed = [a.commitment.fingerprint.hash(), fp.hash()];
	let ctx = arena_training::RoundContext {
		config: &cfg,
		checkpoint: ck,
		checkpoint_hash: ck_hash,
		corpus: corpus(),
		round_seed: &ROUND_SEED,
		allowed_fingerprints: &allowed,
	};
	let mut worst = 0.0f64;
	for s in 0..cfg.num_segments() as usize {
		let (sp, ep) = (a.proof(s).unwrap(), a.proof(s + 1).unwrap());
		let ev = SegmentEvidence {
			segment: s as u64,
			start_state: &a.boundary_states[s],
			start_proof: &sp,
			end_state: &a.boundary_states[s + 1],
			end_proof: &ep,
		};
		let r = audit_segment(&ctx, &first_round(HOTKEY_A), &a.commitment, &ev, &gpu).unwrap();
		assert!(matches!(r.mode, Some(AuditMode::Tolerance { .. })));
		let rel = r.relative_errors.unwrap();
		eprintln!(
			"segment {s}: relative L2 error flex vs wgpu: params {:.3e}, m {:.3e}, v {:.3e}",
			rel.params, rel.adam_m, rel.adam_v
		);
		worst = worst.max(rel.max());
		assert_eq!(r.outcome, AuditOutcome::Pass, "{r:?}");
	}
	eprintln!(
		"worst honest cross-backend relative error: {worst:.3e} (epsilon {})",
		cfg.audit_tolerance
	);
	// A copied trajectory (audited with another hotkey's batches) fails across backends too.
	let (sp, ep) = (a.proof(1).unwrap(), a.proof(2).unwrap());
	let ev = SegmentEvidence {
		segment: 1,
		start_state: &a.boundary_states[1],
		start_proof: &sp,
		end_state: &a.boundary_states[2],
		end_proof: &ep,
	};
	let r = audit_segment(&ctx, &first_round(HOTKEY_B), &a.commitment, &ev, &gpu).unwrap();
	eprintln!("copied trajectory: relative errors {:?}", r.relative_errors);
	assert_eq!(
		r.outcome,
		AuditOutcome::ToleranceExceeded(ToleranceQuantity::Params),
		"{r:?}"
	);
}

#[test]
fn wgpu_reruns_are_bitwise_identical() {
	// Needed for bitwise mode between two validators with the same wgpu fingerprint.
	let a = honest_a();
	let cfg = config();
	let gpu = wgpu_device();
	let run = || {
		arena_training::run_segment(
			&cfg,
			&a.boundary_states[1],
			corpus().train(),
			&ROUND_SEED,
			HOTKEY_A,
			cfg.segment_len,
			&gpu,
		)
		.unwrap()
		.0
		.hash()
	};
	assert_eq!(run(), run());
}

/// An honest Flex miner's round of `cfg` audited segment by segment by a wgpu validator:
/// prints each segment's relative errors and returns the largest of each quantity, after
/// checking that every segment passed with `cfg.audit_tolerance`.
fn worst_honest_errors(cfg: &TrainingConfig) -> RelativeErrors {
	let ck = Checkpoint::new(init_params(&cfg.model, [0x11; 32]));
	let ck_hash = ck.hash().unwrap();
	let t0 = std::time::Instant::now();
	let art =
		arena_training::train_round(cfg, &ck, None, corpus(), &ROUND_SEED, HOTKEY_A, &device())
			.unwrap();
	eprintln!("flex round: {:.1} s", t0.elapsed().as_secs_f64());
	let gpu = wgpu_device();
	let allowed = [
		art.commitment.fingerprint.hash(),
		BackendFingerprint::of(&gpu).hash(),
	];
	let ctx = RoundContext {
		config: cfg,
		checkpoint: &ck,
		checkpoint_hash: &ck_hash,
		corpus: corpus(),
		round_seed: &ROUND_SEED,
		allowed_fingerprints: &allowed,
	};
	let mut worst = RelativeErrors {
		params: 0.0,
		adam_m: 0.0,
		adam_v: 0.0,
	};
	let mut outcomes = Vec::new();
	for s in 0..cfg.num_segments() as usize {
		let (sp, ep) = (art.proof(s).unwrap(), art.proof(s + 1).unwrap());
		let ev = SegmentEvidence {
			segment: s as u64,
			start_state: &art.boundary_states[s],
			start_proof: &sp,
			end_state: &art.boundary_states[s + 1],
			end_proof: &ep,
		};
		let t = std::time::Instant::now();
		let r = audit_segment(&ctx, &first_round(HOTKEY_A), &art.commitment, &ev, &gpu).unwrap();
		let e = r.relative_errors.unwrap();
		eprintln!(
			"segment {s}: params {:.3e}, m {:.3e}, v {:.3e} ({:.1} s)",
			e.params,
			e.adam_m,
			e.adam_v,
			t.elapsed().as_secs_f64()
		);
		worst.params = worst.params.max(e.params);
		worst.adam_m = worst.adam_m.max(e.adam_m);
		worst.adam_v = worst.adam_v.max(e.adam_v);
		outcomes.push(r.outcome);
	}
	eprintln!(
		"worst over {} segments: params {:.3e}, m {:.3e}, v {:.3e} (epsilon {})",
		cfg.num_segments(),
		worst.params,
		worst.adam_m,
		worst.adam_v,
		cfg.audit_tolerance
	);
	assert!(
		outcomes.iter().all(|o| *o == AuditOutcome::Pass),
		"{outcomes:?}"
	);
	worst
}

#[test]
fn honest_errors_over_twenty_tiny_segments_stay_within_epsilon() {
	let mut cfg = config();
	cfg.inner_steps = 20 * cfg.segment_len;
	worst_honest_errors(&cfg);
}

#[test]
#[ignore = "slow: 20 segments of the default model on the wgpu device"]
fn honest_errors_over_twenty_default_model_segments_stay_within_epsilon() {
	let mut cfg = TrainingConfig::default();
	cfg.inner_steps = 20 * cfg.segment_len;
	worst_honest_errors(&cfg);
}
