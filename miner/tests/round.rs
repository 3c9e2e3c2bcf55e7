//! The miner's round loop against an in-memory chain: a full round, restarts, a missed
//! deadline, and the error-feedback buffer carried into the next round.

mod common;

use arena_artifacts::{manifest_key, ArtifactHash, ArtifactKind};
use arena_chain_client::types::{AccountId, Contribution};
use arena_miner::persist::{MinerState, StateFile};
use arena_miner::Phase;
use arena_training::manifest::{decode_loss_trace, CommittedFields};
use arena_training::model::param_layout;
use arena_training::{train_round, RoundArtifacts, RoundManifest, TrainState};
use common::*;

fn reference(index: u32, e: Option<&arena_training::params::ParamSet>) -> RoundArtifacts {
	train_round(
		&config(),
		&genesis().0,
		e,
		&corpus(),
		&round_seed(index),
		&HOTKEY,
		&arena_training::default_device(),
	)
	.expect("reference round")
}

fn contribution(a: &RoundArtifacts) -> Contribution {
	Contribution {
		update_hash: a.commitment.update_hash,
		merkle_root: a.commitment.merkle_root,
		steps: a.commitment.steps as u32,
		fingerprint: a.commitment.fingerprint.hash(),
		residual_hash: a.commitment.residual_hash,
	}
}

fn me() -> AccountId {
	AccountId::from(HOTKEY)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_round_commits_what_the_training_core_computes_and_publishes_verifiable_artifacts() {
	let (_owner_dir, owner) = owner_server().await;
	let chain = FakeChain::new(owner.url());
	chain.open_round(0, 100, genesis().1);
	let base = tempfile::tempdir().expect("tempdir");
	let mut miner = start(&chain, options(base.path())).await;
	assert_eq!(chain.endpoint(), miner.server_url(), "endpoint announced");
	let phases = drive(&mut miner, 50, |m| m.phase() == Phase::Serve).await;
	assert_eq!(
		phases,
		vec![
			Phase::WaitRound,
			Phase::FetchCheckpoint,
			Phase::Train,
			Phase::Publish,
			Phase::Commit,
			Phase::Serve
		]
	);

	let expected = reference(0, None);
	let calls = chain.commit_calls();
	assert_eq!(calls, vec![(0, contribution(&expected))]);

	// The manifest is found from the commitment alone, and verifies.
	let c = calls[0].1;
	let store = miner.store();
	let bytes = store
		.get(ArtifactKind::Manifest, manifest_key(&c.merkle_root))
		.await
		.expect("manifest stored");
	let manifest = RoundManifest::decode(&bytes).expect("manifest decodes");
	manifest
		.verify(&CommittedFields {
			round: 0,
			hotkey: HOTKEY,
			checkpoint_hash: genesis().1,
			update_hash: c.update_hash,
			merkle_root: c.merkle_root,
			steps: u64::from(c.steps),
			fingerprint: c.fingerprint,
			residual_hash: c.residual_hash,
		})
		.expect("manifest verifies");
	manifest
		.check_task(config().inner_steps, config().segment_len)
		.expect("task shape");
	assert_eq!(manifest.state_hashes, expected.state_hashes);

	// Every boundary state is stored under its hash and decodes to the reference state.
	let layout = param_layout(&config().model);
	for (i, h) in manifest.state_hashes.iter().enumerate() {
		let b = store
			.get(ArtifactKind::State, ArtifactHash(*h))
			.await
			.expect("state stored");
		let s = TrainState::from_canonical_bytes(&b, &layout).expect("state decodes");
		assert_eq!(s, expected.boundary_states[i]);
	}
	let update = store
		.get(ArtifactKind::Update, ArtifactHash(c.update_hash))
		.await
		.expect("update stored");
	assert_eq!(&update[..], &expected.update[..]);
	let trace = store
		.get(
			ArtifactKind::LossTrace,
			ArtifactHash(manifest.loss_trace_hash),
		)
		.await
		.expect("loss trace stored");
	assert_eq!(decode_loss_trace(&trace).expect("trace"), expected.losses);

	// State file and CSV say the same.
	let state = miner.state().clone();
	assert_eq!(state.last_committed().map(|r| r.round), Some(0));
	assert_eq!(state.pending, None);
	let csv = std::fs::read_to_string(miner.csv().path()).expect("csv");
	let lines: Vec<&str> = csv.lines().collect();
	assert_eq!(lines.len(), 2, "{csv}");
	assert!(lines[1].starts_with("0,4,"), "{csv}");
	assert!(lines[1].ends_with(",101"), "{csv}");
	miner.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_after_commit_does_not_retrain_or_recommit() {
	let (_owner_dir, owner) = owner_server().await;
	let chain = FakeChain::new(owner.url());
	chain.open_round(0, 100, genesis().1);
	let base = tempfile::tempdir().expect("tempdir");
	let mut miner = start(&chain, options(base.path())).await;
	drive(&mut miner, 50, |m| m.phase() == Phase::Serve).await;
	miner.shutdown().await;

	let mut restarted = start(&chain, options(base.path())).await;
	let phases = drive(&mut restarted, 50, |m| m.phase() == Phase::Serve).await;
	assert_eq!(phases, vec![Phase::WaitRound, Phase::Serve]);
	for _ in 0..5 {
		let _ = restarted.tick().await;
	}
	assert_eq!(chain.commit_calls().len(), 1);
	restarted.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_after_publish_commits_the_stored_round_without_retraining() {
	let (_owner_dir, owner) = owner_server().await;
	let chain = FakeChain::new(owner.url());
	chain.open_round(0, 100, genesis().1);
	let base = tempfile::tempdir().expect("tempdir");
	let mut miner = start(&chain, options(base.path())).await;
	// Crash between publication and commit.
	drive(&mut miner, 50, |m| m.phase() == Phase::Commit).await;
	miner.shutdown().await;
	assert!(chain.commit_calls().is_empty());

	let mut restarted = start(&chain, options(base.path())).await;
	let phases = drive(&mut restarted, 50, |m| m.phase() == Phase::Serve).await;
	assert_eq!(phases, vec![Phase::WaitRound, Phase::Commit, Phase::Serve]);
	assert_eq!(
		chain.commit_calls(),
		vec![(0, contribution(&reference(0, None)))]
	);
	restarted.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_mid_training_of_a_round_it_can_still_make_trains_and_commits_it() {
	let (_owner_dir, owner) = owner_server().await;
	let chain = FakeChain::new(owner.url());
	chain.open_round(0, 100, genesis().1);
	chain.set_block(300);
	let base = tempfile::tempdir().expect("tempdir");
	// What a miner killed while training round 0 leaves behind.
	let mut left = MinerState::new(NETUID, &HOTKEY);
	left.training = Some(0);
	StateFile::new(base.path(), NETUID)
		.save(&left)
		.expect("save");

	let mut miner = start(&chain, options(base.path())).await;
	let phases = drive(&mut miner, 50, |m| m.phase() == Phase::Serve).await;
	assert!(phases.contains(&Phase::Train), "{phases:?}");
	assert_eq!(
		chain.commit_calls(),
		vec![(0, contribution(&reference(0, None)))]
	);
	assert_eq!(miner.state().training, None);
	miner.shutdown().await;
}

/// A miner killed after storing boundary state 1 of round 0 resumes there: it commits what an
/// uninterrupted run commits, and its loss trace keeps the journalled losses of the steps it
/// did not run again (marked here with a value no real step gives).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_mid_training_resumes_from_the_last_stored_boundary_state() {
	let (_owner_dir, owner) = owner_server().await;
	let chain = FakeChain::new(owner.url());
	chain.open_round(0, 100, genesis().1);
	chain.set_block(300);
	let base = tempfile::tempdir().expect("tempdir");
	let expected = reference(0, None);
	let mut left = MinerState::new(NETUID, &HOTKEY);
	left.training = Some(0);
	StateFile::new(base.path(), NETUID)
		.save(&left)
		.expect("save");
	let store = arena_artifacts::Store::open(
		&base.path().join("artifacts").display().to_string(),
		arena_miner::store_limits(&config()),
	)
	.expect("store");
	for state in &expected.boundary_states[..2] {
		store
			.put_expected(
				ArtifactKind::State,
				ArtifactHash(state.hash()),
				state.to_canonical_bytes().into(),
			)
			.await
			.expect("state stored");
	}
	let c = config().segment_len as usize;
	let marked = vec![-1.0f32; c];
	let key = arena_miner::journal::RoundKey {
		round: 0,
		checkpoint: genesis().1,
		previous_residual: [0; 32],
	};
	arena_miner::journal::JournalFile::new(base.path(), NETUID)
		.save(&arena_miner::journal::Journal::new(
			&key,
			&expected.state_hashes[..2],
			&marked,
		))
		.expect("journal");

	let mut miner = start(&chain, options(base.path())).await;
	drive(&mut miner, 50, |m| m.phase() == Phase::Serve).await;
	assert_eq!(chain.commit_calls(), vec![(0, contribution(&expected))]);
	let manifest = miner
		.store()
		.get(
			ArtifactKind::Manifest,
			manifest_key(&expected.commitment.merkle_root),
		)
		.await
		.expect("manifest");
	let manifest = RoundManifest::decode(&manifest).expect("decodes");
	let trace = miner
		.store()
		.get(
			ArtifactKind::LossTrace,
			ArtifactHash(manifest.loss_trace_hash),
		)
		.await
		.expect("loss trace");
	let losses = decode_loss_trace(&trace).expect("trace");
	assert_eq!(
		&losses[..c],
		&marked[..],
		"steps before the boundary were not re-run"
	);
	assert_eq!(&losses[c..], &expected.losses[c..]);
	assert!(
		!base.path().join(format!("training-{NETUID}.toml")).exists(),
		"the journal is cleared once the round is committed"
	);
	miner.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_whose_deadline_passed_is_skipped_with_the_reason() {
	let (_owner_dir, owner) = owner_server().await;
	let chain = FakeChain::new(owner.url());
	chain.open_round(0, 100, genesis().1);
	chain.set_block(100 + DEADLINE + 5);
	let base = tempfile::tempdir().expect("tempdir");
	let mut miner = start(&chain, options(base.path())).await;
	for _ in 0..5 {
		let _ = miner.tick().await;
	}
	assert_eq!(miner.phase(), Phase::WaitRound);
	assert!(chain.commit_calls().is_empty());
	let skips = miner.skips();
	assert_eq!(skips.len(), 1, "skipped once, logged once: {skips:?}");
	assert_eq!(skips[0].round, 0);
	assert!(
		skips[0].reason.contains("deadline (block 700) has passed"),
		"{}",
		skips[0].reason
	);
	miner.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadline_passing_during_training_abandons_the_round_as_desync() {
	let (_owner_dir, owner) = owner_server().await;
	let chain = FakeChain::new(owner.url());
	chain.open_round(0, 100, genesis().1);
	chain.set_block(100 + DEADLINE - 3);
	// Every poll moves the chain on: the deadline passes while the miner works.
	chain.advance_per_poll(1);
	let base = tempfile::tempdir().expect("tempdir");
	let mut miner = start(&chain, options(base.path())).await;
	for _ in 0..20 {
		let _ = miner.tick().await;
		if !miner.skips().is_empty() {
			break;
		}
	}
	assert!(chain.commit_calls().is_empty());
	let skips = miner.skips();
	assert_eq!(skips.len(), 1, "{skips:?}");
	assert!(
		skips[0].reason.contains("past the commit deadline")
			|| skips[0].reason.contains("has passed"),
		"{}",
		skips[0].reason
	);
	assert_eq!(miner.phase(), Phase::WaitRound);
	miner.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_feedback_is_carried_into_the_next_round() {
	let (_owner_dir, owner) = owner_server().await;
	let chain = FakeChain::new(owner.url());
	chain.open_round(0, 100, genesis().1);
	let base = tempfile::tempdir().expect("tempdir");
	let mut miner = start(&chain, options(base.path())).await;
	drive(&mut miner, 50, |m| m.phase() == Phase::Serve).await;

	chain.open_round(1, 100 + TEMPO, genesis().1);
	drive(&mut miner, 60, |m| {
		m.phase() == Phase::Serve && m.round() == Some(1)
	})
	.await;

	let r0 = reference(0, None);
	let r1 = reference(1, Some(&r0.next_error_feedback));
	let calls = chain.commit_calls();
	assert_eq!(calls, vec![(0, contribution(&r0)), (1, contribution(&r1))]);
	let c1 = chain.commitment(1, &me()).expect("committed round 1");
	assert_eq!(c1.previous_residual, r0.commitment.residual_hash);
	// Leaf 0 of round 1 carries e_1, whose hash is round 0's committed residual.
	assert_eq!(
		arena_training::residual_hash(&r1.boundary_states[0].error_feedback),
		c1.previous_residual
	);
	// Only the buffers the chain can still ask for are kept.
	let kept = std::fs::read_dir(base.path().join("error-feedback"))
		.expect("dir")
		.count();
	assert_eq!(kept, 2);
	miner.shutdown().await;
}

/// Whether `miner`'s store holds `kind` / `hash`.
async fn stored(miner: &arena_miner::Miner<FakeChain>, kind: ArtifactKind, hash: [u8; 32]) -> bool {
	miner
		.store()
		.has(kind, ArtifactHash(hash))
		.await
		.expect("store readable")
}

/// A miner that committed rounds 0 and 1 and served once after round 1 (when it prunes); with
/// `prune_round_0`, the chain dropped round 0's record in between. Returns what must stay
/// alive for the miner's store and the owner's server.
async fn two_rounds(
	prune_round_0: bool,
) -> (
	Vec<tempfile::TempDir>,
	arena_artifacts::ArtifactServer,
	arena_miner::Miner<FakeChain>,
) {
	let (owner_dir, owner) = owner_server().await;
	let chain = FakeChain::new(owner.url());
	chain.open_round(0, 100, genesis().1);
	let base = tempfile::tempdir().expect("tempdir");
	let mut miner = start(&chain, options(base.path())).await;
	drive(&mut miner, 50, |m| m.phase() == Phase::Serve).await;
	chain.open_round(1, 100 + TEMPO, genesis().1);
	if prune_round_0 {
		chain.prune_round(0);
	}
	drive(&mut miner, 60, |m| {
		m.phase() == Phase::Serve && m.round() == Some(1)
	})
	.await;
	// The first serving tick prunes.
	miner.tick().await.expect("serve");
	(vec![owner_dir, base], owner, miner)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn artifacts_of_rounds_the_chain_still_stores_are_kept() {
	let (_dirs, _owner, miner) = two_rounds(false).await;
	let r0 = reference(0, None);
	assert!(stored(&miner, ArtifactKind::Update, r0.commitment.update_hash).await);
	for h in &r0.state_hashes {
		assert!(stored(&miner, ArtifactKind::State, *h).await);
	}
	miner.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn artifacts_of_rounds_the_chain_pruned_are_removed_after_the_next_commit() {
	let (_dirs, _owner, miner) = two_rounds(true).await;
	let r0 = reference(0, None);
	let r1 = reference(1, Some(&r0.next_error_feedback));
	assert!(!stored(&miner, ArtifactKind::Update, r0.commitment.update_hash).await);
	for h in &r0.state_hashes {
		assert!(!stored(&miner, ArtifactKind::State, *h).await);
	}
	assert!(stored(&miner, ArtifactKind::Update, r1.commitment.update_hash).await);
	for h in &r1.state_hashes {
		assert!(stored(&miner, ArtifactKind::State, *h).await);
	}
	assert!(stored(&miner, ArtifactKind::Checkpoint, genesis().1).await);
	miner.shutdown().await;
}

#[test]
fn training_core_and_artifact_store_agree_on_the_manifest_key() {
	for root in [[0u8; 32], [7u8; 32], *blake3::hash(b"root").as_bytes()] {
		assert_eq!(
			arena_training::manifest_key(&root),
			arena_artifacts::manifest_key(&root).0
		);
	}
}
