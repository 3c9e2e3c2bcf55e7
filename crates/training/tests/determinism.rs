//! Same seed → same state hashes; another hotkey → other batches and hashes.

mod common;

use arena_training::sampler::{batch_seed, sample_batch};
use common::*;

#[test]
fn two_runs_with_the_same_seed_give_the_same_state_hashes() {
	let a = honest_a();
	let again = round(HOTKEY_A);
	assert_eq!(a.state_hashes, again.state_hashes);
	assert_eq!(a.commitment, again.commitment);
	assert_eq!(a.update, again.update);
	assert_eq!(
		a.losses.iter().map(|l| l.to_bits()).collect::<Vec<_>>(),
		again.losses.iter().map(|l| l.to_bits()).collect::<Vec<_>>()
	);
	assert_eq!(a.state_hashes.len(), config().num_leaves());
	// Training moved the state: every boundary hash is distinct.
	let mut h = a.state_hashes.clone();
	h.sort_unstable();
	h.dedup();
	assert_eq!(h.len(), a.state_hashes.len());
}

#[test]
fn a_different_hotkey_gives_different_batches_and_hashes() {
	let cfg = config();
	for step in 0..cfg.inner_steps {
		let ba = sample_batch(
			corpus().train(),
			cfg.batch_size,
			cfg.model.context,
			batch_seed(&ROUND_SEED, HOTKEY_A, step),
		)
		.unwrap();
		let bb = sample_batch(
			corpus().train(),
			cfg.batch_size,
			cfg.model.context,
			batch_seed(&ROUND_SEED, HOTKEY_B, step),
		)
		.unwrap();
		assert_ne!(ba.offsets, bb.offsets, "step {step}");
	}
	let (a, b) = (honest_a(), honest_b());
	assert_eq!(
		a.state_hashes[0], b.state_hashes[0],
		"both start at the checkpoint"
	);
	for i in 1..a.state_hashes.len() {
		assert_ne!(a.state_hashes[i], b.state_hashes[i]);
	}
	assert_ne!(a.commitment.merkle_root, b.commitment.merkle_root);
	assert_ne!(a.update, b.update);
}

#[test]
fn resuming_from_a_boundary_state_is_bit_exact() {
	// The miner's continuous run and a fresh run from the serialised boundary state agree.
	let a = honest_a();
	let cfg = config();
	let layout = arena_training::model::param_layout(&cfg.model);
	let bytes = a.boundary_states[2].to_canonical_bytes();
	let start = arena_training::TrainState::from_canonical_bytes(&bytes, &layout).unwrap();
	let (end, losses) = arena_training::run_segment(
		&cfg,
		&start,
		corpus().train(),
		&ROUND_SEED,
		HOTKEY_A,
		cfg.segment_len,
		&device(),
	)
	.unwrap();
	assert_eq!(end.hash(), a.state_hashes[3]);
	let seg = cfg.segment_len as usize;
	assert_eq!(losses, a.losses[2 * seg..3 * seg].to_vec());
}

/// Flex's matmuls and the fused kernels split work by rows and blocks, never by thread: the
/// default model's state after two steps is the same on a pool of 1, 2 or 3 threads (what
/// `RAYON_NUM_THREADS` sets for a whole process).
#[test]
fn the_thread_count_does_not_change_the_default_model_state() {
	use arena_training::model::{init_params, param_layout};
	use arena_training::params::ParamSet;
	use arena_training::{run_segment, TrainState, TrainingConfig};
	let cfg = TrainingConfig::default();
	let start = TrainState::round_start(
		init_params(&cfg.model, [7; 32]),
		ParamSet::zeros(&param_layout(&cfg.model)),
	);
	let run = |threads: usize| {
		rayon::ThreadPoolBuilder::new()
			.num_threads(threads)
			.build()
			.unwrap()
			.install(|| {
				let device = arena_training::default_device();
				let (end, losses) = run_segment(
					&cfg,
					&start,
					corpus().train(),
					&ROUND_SEED,
					HOTKEY_A,
					2,
					&device,
				)
				.unwrap();
				(
					end.hash(),
					losses.iter().map(|l| l.to_bits()).collect::<Vec<_>>(),
				)
			})
	};
	let one = run(1);
	assert_eq!(one, run(2), "2 threads");
	assert_eq!(one, run(3), "3 threads");
}
