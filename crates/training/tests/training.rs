//! Training lowers validation loss; usefulness and the outer step behave.

mod common;

use arena_training::outer::WeightedUpdate;
use arena_training::params::ParamSet;
use arena_training::trainer::InnerLoop;
use arena_training::usefulness::evaluate_loss;
use arena_training::{outer_step, usefulness, TrainState};
use common::*;

#[test]
fn training_lowers_validation_loss_within_a_few_hundred_steps() {
	let cfg = config();
	let layout = arena_training::model::param_layout(&cfg.model);
	let (ck, _) = checkpoint();
	let eval_seed = [0x3c; 32];
	let before = evaluate_loss(
		&cfg,
		&ck.params,
		corpus().validation(),
		&eval_seed,
		&device(),
	)
	.unwrap();
	let start = TrainState::round_start(ck.params.clone(), ParamSet::zeros(&layout));
	let mut lp = InnerLoop::new(&cfg, &start, &device()).unwrap();
	let steps = 300;
	for _ in 0..steps {
		lp.step(corpus().train(), &ROUND_SEED, HOTKEY_A).unwrap();
	}
	let trained = lp.state().unwrap();
	let after = evaluate_loss(
		&cfg,
		&trained.params,
		corpus().validation(),
		&eval_seed,
		&device(),
	)
	.unwrap();
	eprintln!("validation loss: {before:.3} -> {after:.3} after {steps} steps");
	// Uniform over 256 bytes is ln 256 = 5.55 nats; a unigram model of English text is ~3.3.
	assert!(before > 5.0, "{before}");
	assert!(
		after < 2.9,
		"validation loss {after} did not fall below the unigram level"
	);
}

#[test]
fn honest_updates_are_useful_and_the_outer_step_improves_the_checkpoint() {
	let cfg = config();
	let (ck, _) = checkpoint();
	let (a, b) = (honest_a(), honest_b());
	let seed = [0x99; 32];
	let ua = usefulness(
		&cfg,
		ck,
		&a.update,
		Some(&a.commitment.update_hash),
		corpus(),
		&seed,
		&device(),
	)
	.unwrap();
	let again = usefulness(
		&cfg,
		ck,
		&a.update,
		Some(&a.commitment.update_hash),
		corpus(),
		&seed,
		&device(),
	)
	.unwrap();
	assert_eq!(ua, again, "usefulness is deterministic");
	assert!(ua.score > 0.0, "{ua:?}");
	let next = outer_step(
		&cfg,
		ck,
		&[
			WeightedUpdate {
				bytes: &a.update,
				weight: 3,
			},
			WeightedUpdate {
				bytes: &b.update,
				weight: 2,
			},
		],
	)
	.unwrap();
	let before = evaluate_loss(&cfg, &ck.params, corpus().validation(), &seed, &device()).unwrap();
	let after = evaluate_loss(&cfg, &next.params, corpus().validation(), &seed, &device()).unwrap();
	assert!(after < before, "{before} -> {after}");
	assert!(next.outer_momentum.is_some());
	assert_ne!(next.hash().unwrap(), ck.hash().unwrap());
}
