//! Each cheat mode (feature `cheats`) produces what it claims, checked with the training
//! core's own audit: which segments re-run to the committed states, and whether the update
//! follows from the final state.
#![cfg(feature = "cheats")]

mod common;

use std::sync::Arc;

use arena_artifacts::{manifest_key, serve, ArtifactHash, ArtifactKind, LocalStore};
use arena_chain_client::types::{AccountId, Contribution};
use arena_miner::cheat::CheatMode;
use arena_miner::Phase;
use arena_training::merkle::MerkleTree;
use arena_training::model::param_layout;
use arena_training::{
	audit_segment, audit_update, train_round, AuditOutcome, BackendFingerprint, MinerContext,
	RoundCommitment, RoundContext, RoundManifest, SegmentEvidence, TrainState,
};
use bytes::Bytes;
use common::*;

/// What the audit says about a cheater's round: per-segment pass/fail, the update audit's
/// outcome, and the committed contribution.
struct Verdict {
	segments: Vec<AuditOutcome>,
	update: AuditOutcome,
	contribution: Contribution,
}

async fn cheat_round(mode: CheatMode, setup: impl FnOnce(&Arc<FakeChain>)) -> Verdict {
	let (_owner_dir, owner) = owner_server().await;
	let chain = FakeChain::new(owner.url());
	chain.open_round(0, 100, genesis().1);
	setup(&chain);
	let base = tempfile::tempdir().expect("tempdir");
	let mut opts = options(base.path());
	opts.cheat = Some(mode);
	let mut miner = start(&chain, opts).await;
	drive(&mut miner, 80, |m| m.phase() == Phase::Serve).await;
	let calls = chain.commit_calls();
	assert_eq!(calls.len(), 1, "the cheater commits once");
	let c = calls[0].1;

	let store = miner.store();
	let manifest = RoundManifest::decode(
		&store
			.get(ArtifactKind::Manifest, manifest_key(&c.merkle_root))
			.await
			.expect("manifest"),
	)
	.expect("manifest decodes");
	let layout = param_layout(&config().model);
	let mut states = Vec::new();
	for h in &manifest.state_hashes {
		let b = store
			.get(ArtifactKind::State, ArtifactHash(*h))
			.await
			.expect("state");
		states.push(TrainState::from_canonical_bytes(&b, &layout).expect("state decodes"));
	}
	let update = store
		.get(ArtifactKind::Update, ArtifactHash(c.update_hash))
		.await
		.expect("update");
	let device = arena_training::default_device();
	let cfg = config();
	let allowed = [fingerprint()];
	let seed = round_seed(0);
	let round = RoundContext {
		config: &cfg,
		checkpoint: &genesis().0,
		checkpoint_hash: &genesis().1,
		corpus: &corpus(),
		round_seed: &seed,
		allowed_fingerprints: &allowed,
	};
	let minerctx = MinerContext {
		hotkey: &HOTKEY,
		previous_residual_hash: None,
	};
	let commitment = RoundCommitment {
		checkpoint_hash: genesis().1,
		update_hash: c.update_hash,
		merkle_root: c.merkle_root,
		steps: u64::from(c.steps),
		fingerprint: BackendFingerprint::of(&device),
		residual_hash: c.residual_hash,
	};
	let tree = MerkleTree::new(&manifest.state_hashes).expect("tree");
	let mut segments = Vec::new();
	for s in 0..states.len() - 1 {
		let (sp, ep) = (
			tree.proof(s).expect("proof"),
			tree.proof(s + 1).expect("proof"),
		);
		let evidence = SegmentEvidence {
			segment: s as u64,
			start_state: &states[s],
			start_proof: &sp,
			end_state: &states[s + 1],
			end_proof: &ep,
		};
		let report =
			audit_segment(&round, &minerctx, &commitment, &evidence, &device).expect("audit runs");
		segments.push(report.outcome);
	}
	let last = states.len() - 1;
	let update_report = audit_update(
		&round,
		&minerctx,
		&commitment,
		&states[last],
		&tree.proof(last).expect("proof"),
		&update,
	)
	.expect("update audit runs");
	miner.shutdown().await;
	Verdict {
		segments,
		update: update_report.outcome,
		contribution: c,
	}
}

fn passes(v: &[AuditOutcome]) -> Vec<bool> {
	v.iter().map(|o| *o == AuditOutcome::Pass).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_cheat_keeps_honest_states_but_its_update_fails_the_audit() {
	let v = cheat_round(CheatMode::Random, |_| {}).await;
	assert_eq!(passes(&v.segments), vec![true, true]);
	assert_ne!(v.update, AuditOutcome::Pass);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_cheat_keeps_honest_states_but_its_update_fails_the_audit() {
	let v = cheat_round(CheatMode::Poison, |_| {}).await;
	assert_eq!(passes(&v.segments), vec![true, true]);
	assert_ne!(v.update, AuditOutcome::Pass);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lazy_cheat_claims_all_steps_and_fails_the_segments_it_skipped() {
	let v = cheat_round(CheatMode::Lazy, |_| {}).await;
	assert_eq!(u64::from(v.contribution.steps), config().inner_steps);
	// 4 steps in segments of 2: it ran segment 0 only.
	assert_eq!(passes(&v.segments), vec![true, false]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_cheat_passes_early_segments_and_fails_later_ones() {
	let v = cheat_round(CheatMode::Partial, |_| {}).await;
	assert_eq!(passes(&v.segments), vec![true, false]);
	assert_ne!(v.update, AuditOutcome::Pass);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forge_ef_cheat_fails_the_error_feedback_binding() {
	let v = cheat_round(CheatMode::ForgeEf, |_| {}).await;
	assert_eq!(v.segments[0], AuditOutcome::ErrorFeedbackNotBound);
	let honest = train_round(
		&config(),
		&genesis().0,
		None,
		&corpus(),
		&round_seed(0),
		&HOTKEY,
		&arena_training::default_device(),
	)
	.expect("honest");
	assert_ne!(v.contribution.update_hash, honest.commitment.update_hash);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_cheat_republishes_another_miners_update_which_fails_the_audit() {
	// The victim: another hotkey's honest round, served from its own store.
	let victim = train_round(
		&config(),
		&genesis().0,
		None,
		&corpus(),
		&round_seed(0),
		&OTHER,
		&arena_training::default_device(),
	)
	.expect("victim round");
	let dir = tempfile::tempdir().expect("tempdir");
	let store = LocalStore::open(dir.path(), arena_miner::store_limits(&config())).expect("store");
	store
		.put(ArtifactKind::Update, Bytes::from(victim.update.clone()))
		.await
		.expect("put");
	let server = serve(store, "127.0.0.1:0".parse().expect("addr"))
		.await
		.expect("serve");
	let url = server.url();
	let victim_contribution = Contribution {
		update_hash: victim.commitment.update_hash,
		merkle_root: victim.commitment.merkle_root,
		steps: victim.commitment.steps as u32,
		fingerprint: victim.commitment.fingerprint.hash(),
		residual_hash: victim.commitment.residual_hash,
	};
	let v = cheat_round(CheatMode::Copy, move |chain| {
		chain.add_commitment(0, AccountId::from(OTHER), victim_contribution, url)
	})
	.await;
	assert_eq!(v.contribution.update_hash, victim.commitment.update_hash);
	assert_eq!(passes(&v.segments), vec![true, true]);
	assert_ne!(v.update, AuditOutcome::Pass);
	server.shutdown().await.expect("shutdown");
}
