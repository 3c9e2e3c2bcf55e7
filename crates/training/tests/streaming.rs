//! `train_round_streaming` hands out the boundary states as they are produced and gives the
//! same results as `train_round`, bit for bit; `resume_round_streaming` continues an
//! interrupted round from a boundary state with the same results.

mod common;

use arena_training::{
	resume_round_streaming, train_round_streaming, Hash32, Result, ResumePoint, RoundSink,
	TrainState, TrainingError,
};
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

/// Miner A's round streamed into `rec`.
fn stream(rec: &mut Recorder) -> Result<arena_training::StreamedRound> {
	train_round_streaming(
		&config(),
		&checkpoint().0,
		None,
		corpus(),
		&ROUND_SEED,
		HOTKEY_A,
		&device(),
		rec,
	)
}

#[test]
fn streaming_round_equals_train_round_bit_for_bit() {
	let reference = honest_a();
	let mut rec = Recorder::default();
	let out = stream(&mut rec).expect("round");
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
	let result = stream(&mut rec);
	assert!(matches!(result, Err(TrainingError::Stopped(_))));
	assert_eq!(rec.steps.len(), 7);
	// Boundaries 0 (start) and 1 (after 5 steps) were handed out before the stop.
	assert_eq!(rec.boundaries.len(), 2);
}

/// The first `k` boundaries of a run stopped after `stop` steps, as a resume point.
fn interrupted_at(stop: u64) -> ResumePoint {
	let mut rec = Recorder {
		stop_after_step: Some(stop),
		..Recorder::default()
	};
	let result = stream(&mut rec);
	assert!(matches!(result, Err(TrainingError::Stopped(_))));
	let k = rec.states.len() - 1;
	let steps = rec.states[k].step as usize;
	ResumePoint {
		state: rec.states[k].clone(),
		state_hashes: rec.boundaries.iter().map(|(_, _, h)| *h).collect(),
		losses: rec.steps[..steps].iter().map(|(_, l)| *l).collect(),
	}
}

fn resume(point: ResumePoint, rec: &mut Recorder) -> Result<arena_training::StreamedRound> {
	resume_round_streaming(
		&config(),
		&checkpoint().0,
		None,
		corpus(),
		&ROUND_SEED,
		HOTKEY_A,
		&device(),
		Some(point),
		rec,
	)
}

#[test]
fn resumed_round_equals_an_uninterrupted_one_bit_for_bit() {
	let reference = honest_a();
	let c = config().segment_len;
	let point = interrupted_at(c + 2);
	assert_eq!(
		point.state_hashes.len(),
		2,
		"boundaries 0 and 1 were stored"
	);
	let mut rec = Recorder::default();
	let out = resume(point, &mut rec).expect("resumed round");
	assert_eq!(out.commitment, reference.commitment);
	assert_eq!(out.update, reference.update);
	assert_eq!(out.state_hashes, reference.state_hashes);
	assert_eq!(out.next_error_feedback, reference.next_error_feedback);
	let bits = |l: &[f32]| l.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
	assert_eq!(bits(&out.losses), bits(&reference.losses));
	// Only what comes after boundary 1 is handed out again.
	assert_eq!(rec.boundaries.first().map(|b| b.0), Some(2));
	assert_eq!(rec.states, reference.boundary_states[2..].to_vec());
	assert_eq!(rec.steps.first().map(|s| s.0), Some(c + 1));
}

#[test]
fn resume_fails_if_the_state_does_not_hash_to_the_last_boundary() {
	let mut point = interrupted_at(config().segment_len + 1);
	point.state.params = point.state.adam_m.clone();
	let r = resume(point, &mut Recorder::default());
	assert!(matches!(r, Err(TrainingError::Inconsistent(m)) if m.contains("hash")));
}

#[test]
fn resume_fails_if_the_point_belongs_to_another_round() {
	let mut point = interrupted_at(config().segment_len + 1);
	point.state_hashes[0] = [9; 32];
	let r = resume(point, &mut Recorder::default());
	assert!(matches!(r, Err(TrainingError::Inconsistent(m)) if m.contains("start state")));
}

#[test]
fn resume_fails_if_losses_are_missing() {
	let mut point = interrupted_at(config().segment_len + 1);
	point.losses.pop();
	let r = resume(point, &mut Recorder::default());
	assert!(matches!(r, Err(TrainingError::Inconsistent(m)) if m.contains("loss count")));
}
