//! `train_round_streaming` hands out the boundary states as they are produced and gives the
//! same results as `train_round`, bit for bit.

mod common;

use arena_training::{train_round_streaming, Hash32, Result, RoundSink, TrainState, TrainingError};
use common::*;

#[derive(Default)]
struct Recorder {
	boundaries: Vec<(usize, u64, Hash32)>,
	states: Vec<TrainState>,
	steps: Vec<(u64, f32)>,
	stop_after_step: Option<u64>,
}

impl RoundSink for Recorder {
	fn on_step(&mut self, step: u64, loss: f32) -> Result<()> {
		self.steps.push((step, loss));
		match self.stop_after_step {
			Some(s) if step >= s => Err(TrainingError::Stopped("deadline passed".into())),
			_ => Ok(()),
		}
	}

	fn on_boundary(&mut self, index: usize, state: &TrainState, hash: &Hash32) -> Result<()> {
		assert_eq!(
			state.hash(),
			*hash,
			"the sink gets each state with its hash"
		);
		self.boundaries.push((index, state.step, *hash));
		self.states.push(state.clone());
		Ok(())
	}
}

#[test]
fn streaming_round_equals_train_round_bit_for_bit() {
	let reference = honest_a();
	let mut rec = Recorder::default();
	let out = train_round_streaming(
		&config(),
		&checkpoint().0,
		None,
		corpus(),
		&ROUND_SEED,
		HOTKEY_A,
		&device(),
		&mut rec,
	)
	.expect("round");
	assert_eq!(out.commitment, reference.commitment);
	assert_eq!(out.update, reference.update);
	assert_eq!(out.state_hashes, reference.state_hashes);
	assert_eq!(out.next_error_feedback, reference.next_error_feedback);
	let bits = |l: &[f32]| l.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
	assert_eq!(bits(&out.losses), bits(&reference.losses));
	assert_eq!(rec.states, reference.boundary_states);
	let c = config().segment_len;
	let expected: Vec<(usize, u64, Hash32)> = reference
		.state_hashes
		.iter()
		.enumerate()
		.map(|(i, h)| (i, i as u64 * c, *h))
		.collect();
	assert_eq!(rec.boundaries, expected);
	assert_eq!(
		rec.steps.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
		(1..=config().inner_steps).collect::<Vec<_>>()
	);
}

#[test]
fn streaming_round_stops_when_the_sink_says_so() {
	let mut rec = Recorder {
		stop_after_step: Some(7),
		..Recorder::default()
	};
	let result = train_round_streaming(
		&config(),
		&checkpoint().0,
		None,
		corpus(),
		&ROUND_SEED,
		HOTKEY_A,
		&device(),
		&mut rec,
	);
	assert!(matches!(result, Err(TrainingError::Stopped(_))));
	assert_eq!(rec.steps.len(), 7);
	// Boundaries 0 (start) and 1 (after 5 steps) were handed out before the stop.
	assert_eq!(rec.boundaries.len(), 2);
}
