//! The validator library against an in-memory chain and real artifact servers on 127.0.0.1:
//! honest and cheating miners of one round with the tiny model.

mod common;

use arena_chain_client::types::{AuditFailure, ChallengeView, Phase};
use arena_training::model::param_layout;
use arena_training::outer::{outer_step, WeightedUpdate};
use arena_training::update_format::max_encoded_len;
use arena_validator::audit::NO_SEGMENT;
use arena_validator::{LoopStep, ValidatorError};
use common::*;

fn tampered_state(i: u8) -> Published {
	let r = honest(i);
	let mut states = r.boundary_states.clone();
	states[2].params.tensors_mut()[0].data[0] += 0.01;
	let bytes: Vec<Vec<u8>> = states.iter().map(|s| s.to_canonical_bytes()).collect();
	let hashes = bytes.iter().map(|b| *blake3::hash(b).as_bytes()).collect();
	finish(&account(i), r, r.update.clone(), bytes, hashes)
}

fn wrong_update(i: u8, other: u8) -> Published {
	let r = honest(i);
	let honest_pub = publication(&account(i), r);
	let hashes = honest_pub
		.states
		.iter()
		.map(|b| *blake3::hash(b).as_bytes())
		.collect();
	finish(
		&account(i),
		r,
		honest(other).update.clone(),
		honest_pub.states,
		hashes,
	)
}

fn without_manifest(i: u8) -> Published {
	let mut p = publication(&account(i), honest(i));
	p.manifest = None;
	p
}

fn oversized_update(i: u8) -> Published {
	let r = honest(i);
	let honest_pub = publication(&account(i), r);
	let limit = max_encoded_len(&config().compression, &param_layout(&config().model));
	let hashes = honest_pub
		.states
		.iter()
		.map(|b| *blake3::hash(b).as_bytes())
		.collect();
	finish(
		&account(i),
		r,
		vec![7u8; limit + 1],
		honest_pub.states,
		hashes,
	)
}

/// A network with honest miner 1 and `cheater` as miner 2; validator 100 audits in the
/// Auditing phase. Returns the net and the validator's tick errors.
async fn audit_with_cheater(cheater: Published) -> Net {
	let mut net = Net::new().await;
	net.add_miner(1, &publication(&account(1), honest(1))).await;
	net.add_miner(2, &cheater).await;
	let mut v = net.validator(100, settings());
	net.set_phase(Phase::Auditing);
	let report = v.tick().await;
	assert!(report.errors.is_empty(), "{:?}", report.errors);
	assert!(report.done.contains(&LoopStep::Audit));
	net
}

/// The cheater's weight is 0, the honest miner's positive, and the cheater is challenged
/// once with `reason` at `segment`.
fn assert_caught(net: &Net, reason: AuditFailure, segment: u32) {
	net.with(|w| {
		let (uids, values) = w.weights_by(&account(100)).expect("weights set");
		let weight_of = |i: u8| {
			let uid = w
				.neurons
				.iter()
				.find(|n| n.hotkey == account(i))
				.unwrap()
				.uid;
			values[uids.iter().position(|u| *u == uid).unwrap()]
		};
		assert!(weight_of(1) > 0, "honest miner got no weight");
		assert_eq!(weight_of(2), 0, "cheater got weight");
		let challenges = w.challenges_by(&account(100));
		assert_eq!(challenges.len(), 1, "{challenges:?}");
		let (miner, ev) = &challenges[0];
		assert_eq!(miner, &account(2));
		assert_eq!(ev.reason, reason);
		assert_eq!(ev.segment, segment);
		let c = w.round.commitment_of(&account(2)).unwrap();
		assert_eq!(ev.merkle_root, c.contribution.merkle_root);
		assert_eq!(ev.update_hash, c.contribution.update_hash);
	});
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn honest_miner_passes_and_gets_positive_weight() {
	let mut net = Net::new().await;
	net.add_miner(1, &publication(&account(1), honest(1))).await;
	let mut v = net.validator(100, settings());
	net.set_phase(Phase::Training);
	let report = v.tick().await;
	assert!(report.errors.is_empty() && !report.done.contains(&LoopStep::Audit));
	net.set_phase(Phase::Auditing);
	let report = v.tick().await;
	assert!(report.errors.is_empty(), "{:?}", report.errors);
	let (_, audits) = v.last_audits().unwrap();
	assert!(audits[0].passed(), "{:?}", audits[0].failure);
	assert_eq!(audits[0].segments.len(), config().num_segments() as usize);
	net.with(|w| {
		let (_, values) = w.weights_by(&account(100)).unwrap();
		assert_eq!(values, vec![65535]);
		assert!(w.challenges.is_empty());
	});
	// A second tick in the same round audits nothing again.
	let report = v.tick().await;
	assert!(!report.done.contains(&LoopStep::Audit));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn segments_per_miner_default_to_the_chain_task() {
	let mut net = Net::new().await;
	net.add_miner(1, &publication(&account(1), honest(1))).await;
	let mut v = net.validator(
		100,
		arena_validator::ValidatorSettings {
			audit_segments: None,
			..settings()
		},
	);
	net.set_phase(Phase::Auditing);
	let report = v.tick().await;
	assert!(report.errors.is_empty(), "{:?}", report.errors);
	let (_, audits) = v.last_audits().unwrap();
	// The fake chain's task says `s` = 2.
	assert_eq!(audits[0].segments.len(), 2);
	assert!(audits[0].passed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weights_are_not_submitted_if_the_round_ended_during_the_audit() {
	let mut net = Net::new().await;
	net.add_miner(1, &publication(&account(1), honest(1))).await;
	let mut v = net.validator(100, settings());
	net.set_phase(Phase::Auditing);
	// The tick reads the round once; the weights step reads it again, after the round ended.
	net.with(|w| w.next_round_at_read = Some(2));
	let report = v.tick().await;
	assert!(
		report.errors.iter().any(|e| e.step == LoopStep::Weights
			&& matches!(
				e.source,
				ValidatorError::Desync {
					expected_round: 0,
					found_round: 1,
					..
				}
			)),
		"{:?}",
		report.errors
	);
	assert!(net.with(|w| w.weights_by(&account(100)).is_none()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_state_fails_with_segment_mismatch() {
	let net = audit_with_cheater(tampered_state(2)).await;
	// State 2 is tampered: segment 1 (states 1 → 2) no longer re-runs to it.
	assert_caught(&net, AuditFailure::SegmentMismatch, 1);
	net.with(|w| {
		let ev = w.challenges_by(&account(100))[0].1;
		assert_ne!(ev.recomputed, ev.claimed_end);
		assert_ne!(ev.recomputed, [0; 32]);
	});
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_update_fails_with_update_mismatch() {
	let net = audit_with_cheater(wrong_update(2, 1)).await;
	assert_caught(
		&net,
		AuditFailure::UpdateMismatch,
		config().num_segments() as u32,
	);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_manifest_fails_with_bad_artifact() {
	let net = audit_with_cheater(without_manifest(2)).await;
	assert_caught(&net, AuditFailure::BadArtifact, NO_SEGMENT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_update_fails_with_bad_artifact() {
	let net = audit_with_cheater(oversized_update(2)).await;
	assert_caught(
		&net,
		AuditFailure::BadArtifact,
		config().num_segments() as u32,
	);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn challenge_is_supported_only_if_it_reproduces() {
	let mut net = Net::new().await;
	let honest_miner = net.add_miner(1, &publication(&account(1), honest(1))).await;
	let cheater = net.add_miner(2, &tampered_state(2)).await;
	let mut v1 = net.validator(100, settings());
	let mut v2 = net.validator(101, settings());
	net.set_phase(Phase::Auditing);
	let r1 = v1.tick().await;
	assert!(r1.errors.is_empty(), "{:?}", r1.errors);
	// A bogus challenge of the honest miner by a third validator.
	net.with(|w| {
		let c = w.round.commitment_of(&honest_miner).unwrap().clone();
		let mut ev = w.challenges[0].evidence;
		ev.merkle_root = c.contribution.merkle_root;
		ev.update_hash = c.contribution.update_hash;
		ev.segment = 0;
		w.challenges.push(ChallengeView {
			miner: honest_miner,
			challenger: account(150),
			supporters: vec![account(150)],
			evidence: ev,
			..w.challenges[0].clone()
		});
	});
	let r2 = v2.tick().await;
	assert!(r2.errors.is_empty(), "{:?}", r2.errors);
	net.with(|w| {
		let supports: Vec<_> = w
			.calls
			.iter()
			.filter_map(|c| match c {
				Call::Support(who, miner, _) => Some((*who, *miner)),
				_ => None,
			})
			.collect();
		assert_eq!(supports, vec![(account(101), cheater)]);
		// v2 did not raise a second challenge of the same round.
		assert!(w.challenges_by(&account(101)).is_empty());
	});
	let verified = &v2.state().verified;
	assert_eq!(verified.len(), 2);
	assert!(verified
		.iter()
		.any(|(k, ok)| k.miner == hex::encode(honest_miner.0) && !ok));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aggregation_is_deterministic_and_voted_in_the_voting_phase() {
	let mut net = Net::new().await;
	net.add_miner(1, &publication(&account(1), honest(1))).await;
	net.add_miner(2, &publication(&account(2), honest(2))).await;
	net.add_miner(3, &tampered_state(3)).await;
	let mut v1 = net.validator(100, settings());
	let mut v2 = net.validator(101, settings());
	net.set_phase(Phase::Auditing);
	for v in [&mut v1, &mut v2] {
		let r = v.tick().await;
		assert!(r.errors.is_empty(), "{:?}", r.errors);
	}
	assert!(
		net.with(|w| w.votes().is_empty()),
		"voted before the Voting phase"
	);
	net.set_phase(Phase::Voting);
	for v in [&mut v1, &mut v2] {
		let r = v.tick().await;
		assert!(r.errors.is_empty(), "{:?}", r.errors);
		assert!(r.done.contains(&LoopStep::Vote));
	}
	let votes = net.with(|w| w.votes());
	assert_eq!(votes.len(), 2, "{votes:?}");
	assert!(votes.iter().all(|(_, _, p)| *p == Phase::Voting));
	assert_eq!(votes[0].1, votes[1].1, "validators aggregated differently");
	// The voted checkpoint is the equal-weight outer step over the two honest updates (the
	// challenged miner 3 is left out).
	let (u1, u2) = (&honest(1).update, &honest(2).update);
	let expected = outer_step(
		&config(),
		&genesis().0,
		&[
			WeightedUpdate {
				bytes: u1,
				weight: 1,
			},
			WeightedUpdate {
				bytes: u2,
				weight: 1,
			},
		],
	)
	.unwrap()
	.hash()
	.unwrap();
	assert_eq!(votes[0].1, expected);
	// A later tick in the same phase does not vote again; outputs are on disk.
	let r = v1.tick().await;
	assert!(!r.done.contains(&LoopStep::Vote));
	assert_eq!(net.with(|w| w.votes().len()), 2);
	let csv = std::fs::read_to_string(v1.csv_path()).unwrap();
	assert_eq!(csv.lines().count(), 4, "{csv}");
	assert!(
		csv.lines().any(|l| l.contains(",fail,SegmentMismatch")),
		"{csv}"
	);
	assert!(std::fs::read(v1.plot_path())
		.unwrap()
		.starts_with(b"\x89PNG"));
	assert_eq!(v1.state().loss_history.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commit_reveal_reveals_within_the_window_after_a_restart() {
	let mut net = Net::new().await;
	net.add_miner(1, &publication(&account(1), honest(1))).await;
	net.with(|w| w.commit_reveal = true);
	net.set_phase(Phase::Auditing);
	let committed = {
		let mut v = net.validator(100, settings());
		let r = v.tick().await;
		assert!(r.errors.is_empty(), "{:?}", r.errors);
		assert!(v.state().pending_reveal.is_some());
		net.with(|w| {
			w.calls.iter().find_map(|c| match c {
				Call::CommitWeights(_, reveal, at) => Some((reveal.clone(), *at)),
				_ => None,
			})
		})
		.expect("weights committed")
	};
	assert!(net.with(|w| w.weights_by(&account(100)).is_none()));
	// Restart: a new validator on the same base path, before the window opens.
	let mut v = net.validator(100, settings());
	assert!(v.state().pending_reveal.is_some());
	let r = v.tick().await;
	assert!(!r.done.contains(&LoopStep::Reveal) && !r.done.contains(&LoopStep::Audit));
	net.with(|w| w.block = committed.1 + 5);
	let r = v.tick().await;
	assert!(r.errors.is_empty(), "{:?}", r.errors);
	assert!(r.done.contains(&LoopStep::Reveal));
	let revealed = net.with(|w| {
		w.calls.iter().find_map(|c| match c {
			Call::RevealWeights(_, reveal, _) => Some(reveal.clone()),
			_ => None,
		})
	});
	assert_eq!(revealed, Some(committed.0));
	assert!(v.state().pending_reveal.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_rows_and_loss_are_recorded_even_if_the_vote_comes_too_late() {
	let mut net = Net::new().await;
	net.add_miner(1, &publication(&account(1), honest(1))).await;
	let mut v = net.validator(100, settings());
	net.set_phase(Phase::Auditing);
	let r = v.tick().await;
	assert!(r.errors.is_empty(), "{:?}", r.errors);
	net.set_phase(Phase::Voting);
	// The tick reads the round once; the vote step reads it again, after the round ended.
	net.with(|w| w.next_round_at_read = Some(w.reads + 2));
	let r = v.tick().await;
	assert!(
		r.errors
			.iter()
			.any(|e| e.step == LoopStep::Vote && matches!(e.source, ValidatorError::Desync { .. })),
		"{:?}",
		r.errors
	);
	assert!(net.with(|w| w.votes().is_empty()));
	let csv = std::fs::read_to_string(v.csv_path()).unwrap();
	assert_eq!(csv.lines().count(), 2, "{csv}");
	assert_eq!(v.state().loss_history.len(), 1);
}
