//! Cross-backend audit: a Flex (CPU) miner audited by a wgpu validator (tolerance mode).
//!
//! Built only with `--features wgpu` (off in CI). On a machine without a GPU, Debian's
//! `mesa-vulkan-drivers` (lavapipe, a software Vulkan device) is enough:
//! `cargo test -p arena-training --features wgpu --test cross_backend -- --nocapture`.
#![cfg(feature = "wgpu")]

mod common;

use arena_training::audit::{AuditMode, ToleranceQuantity};
use arena_training::{audit_segment, AuditOutcome, BackendFingerprint, Device, SegmentEvidence};
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
