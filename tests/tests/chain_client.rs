//! The programs' chain client against `arena-node --dev`: every port call the miner and the
//! validator make, several transactions in one block from one key, typed dispatch errors, and
//! a node killed and restarted under the client (reads, transactions and the finalized-head
//! stream carry on).

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use arena_chain_client::{
	admin::{Admin, Hyper},
	port::{ChainError, ChainView, MinerChain, ValidatorChain},
	task::{chain_task, training_config},
	types::{Contribution, Phase, RoundState},
	ArenaClient, FinalizedHeads, Hotkey, SignedClient,
};
use arena_e2e::Node;

const ARN: u64 = 1_000_000_000;
const NETUID: u16 = 0;
const FINGERPRINT: [u8; 32] = [0xf1; 32];

fn key(suri: &str) -> Result<Hotkey> {
	Ok(Hotkey::from_suri(suri)?)
}

/// Alice's subnet 0 with tempo 40 (commit deadline 24, vote window 8), a tiny training task, round settings and a genesis
/// checkpoint; `miner` registered by Charlie, `validator` by Bob with 1,000 ARN staked.
async fn subnet(client: &ArenaClient, miner: &Hotkey, validator: &Hotkey) -> Result<()> {
	let alice = Admin::new(client.clone(), key("//Alice")?);
	alice.register_network().await?;
	alice
		.set_hyperparameters(NETUID, &[Hyper::Tempo(40)])
		.await?;
	let task = chain_task(&arena_training::TrainingConfig::tiny(), [3; 32], 1);
	alice.set_training_task(NETUID, &task).await?;
	alice
		.set_round_settings(NETUID, 24, 8, vec![FINGERPRINT])
		.await?;
	alice
		.set_genesis_checkpoint(NETUID, [9; 32], 1234, "http://127.0.0.1:1")
		.await?;
	for (cold, hot) in [("//Charlie", miner), ("//Bob", validator)] {
		alice.transfer(&hot.account(), 10 * ARN).await?;
		Admin::new(client.clone(), key(cold)?)
			.burned_register(NETUID, &hot.account())
			.await?;
	}
	Admin::new(client.clone(), key("//Bob")?)
		.add_stake(&validator.account(), NETUID, 1_000 * ARN)
		.await?;
	Ok(())
}

/// Poll until the subnet's current round is in `phase` with at least `left` blocks of it to go.
async fn wait_for_phase(chain: &SignedClient, phase: Phase, left: u32) -> Result<RoundState> {
	let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
	loop {
		if let Some(round) = chain.current_round(NETUID).await? {
			if round.phase == phase && round.blocks_left.is_some_and(|b| b >= left) {
				return Ok(round);
			}
		}
		ensure!(
			tokio::time::Instant::now() < deadline,
			"no round in {phase:?} within 120 s"
		);
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn miner_and_validator_calls_round_trip_through_a_dev_node() -> Result<()> {
	let mut node = Node::start("client", &["--dev", "--dev-block-time", "250"])?;
	let client = node.client().await?;
	client.check_metadata().await?;
	let (miner_key, validator_key) = (key("//Charlie//miner")?, key("//Bob//validator")?);
	subnet(&client, &miner_key, &validator_key).await?;
	let miner = SignedClient::new(client.clone(), miner_key);
	let validator = SignedClient::new(client.clone(), validator_key);

	// The task converts back into the training core's tiny configuration.
	let task = miner.training_task(NETUID).await?;
	ensure!(
		task.config
			== training_config(&chain_task(
				&arena_training::TrainingConfig::tiny(),
				[3; 32],
				1
			))?
	);
	ensure!(task.corpus == [3; 32] && task.audit_segments == 1);
	let info = miner.rounds_info(NETUID).await?;
	ensure!(info.genesis.as_ref().map(|g| g.url.as_str()) == Some("http://127.0.0.1:1"));
	ensure!(info.allowed_fingerprints == vec![FINGERPRINT]);

	// A round in training: endpoint and commitment in the same block (consecutive nonces).
	let round = wait_for_phase(&miner, Phase::Training, 16).await?;
	ensure!(
		round.checkpoint == [9; 32],
		"round 0 trains from the genesis checkpoint"
	);
	let contribution = Contribution {
		update_hash: [1; 32],
		merkle_root: [2; 32],
		steps: task.config.inner_steps as u32,
		fingerprint: FINGERPRINT,
		residual_hash: [4; 32],
	};
	let (served, committed) = tokio::join!(
		MinerChain::serve_endpoint(&miner, NETUID, "http://127.0.0.1:7000"),
		miner.commit_contribution(NETUID, round.index, contribution),
	);
	served.context("serve_endpoint")?;
	committed.context("commit_contribution")?;
	let neurons = miner.neurons(NETUID).await?;
	let me = neurons
		.iter()
		.find(|n| n.hotkey == miner.hotkey())
		.context("miner in metagraph")?;
	ensure!(me.endpoint.as_deref() == Some("http://127.0.0.1:7000"));

	// The commitment is on chain; a second one is refused with the pallet's error.
	let now = miner
		.current_round(NETUID)
		.await?
		.context("round still open")?;
	let stored = now
		.commitment_of(&miner.hotkey())
		.context("commitment stored")?;
	ensure!(stored.contribution == contribution);
	ensure!(
		stored.previous_residual == [0; 32],
		"first round: zero residual"
	);
	let again = miner
		.commit_contribution(NETUID, round.index, contribution)
		.await;
	ensure!(
		matches!(&again, Err(e) if e.is_dispatch("AlreadyCommitted")),
		"{again:?}"
	);
	ensure!(miner.last_residual(NETUID, &miner.hotkey()).await? == [4; 32]);

	// The validator votes in the voting phase; the vote is in the round view.
	let voting = wait_for_phase(&validator, Phase::Voting, 6).await?;
	ensure!(voting.index == round.index && voting.audit_seed.is_some());
	validator
		.vote_checkpoint(NETUID, round.index, [8; 32])
		.await?;
	let after = validator
		.round(NETUID, round.index)
		.await?
		.context("round record kept")?;
	ensure!(after.votes == vec![(validator.hotkey(), [8; 32])]);
	ensure!(validator.open_challenges(NETUID).await?.is_empty());
	let (open, close) = validator.reveal_window(NETUID, after.start).await?;
	ensure!(open > after.start && close >= open);
	ensure!(miner.free_balance(&miner.hotkey()).await? > 0);
	Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn client_reconnects_after_the_node_restarts() -> Result<()> {
	let mut node = Node::start_persistent("restart", &["--dev", "--dev-block-time", "250"])?;
	let client = node.client().await?;
	let alice = SignedClient::new(client.clone(), key("//Alice")?);
	let admin = Admin::new(client.clone(), key("//Alice")?);
	admin.transfer(&key("//Dave")?.account(), ARN).await?;
	let before = alice.finalized_block().await?;
	let mut heads = FinalizedHeads::new(client.clone());
	let head = heads.next().await?;

	node.stop()?;
	let down = alice.finalized_block().await;
	ensure!(
		matches!(down, Err(ChainError::Unavailable(_))),
		"a dead node is reported as unavailable: {down:?}"
	);
	node.resume()?;

	// The same client object carries on: reads and (nonce-resynchronised) transactions.
	let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
	let after = loop {
		match alice.finalized_block().await {
			Ok(n) if n > before => break n,
			Ok(_) | Err(ChainError::Unavailable(_)) => {},
			Err(e) => return Err(e.into()),
		}
		ensure!(
			tokio::time::Instant::now() < deadline,
			"no reconnection in 120 s"
		);
		tokio::time::sleep(Duration::from_millis(250)).await;
	};
	ensure!(after > before);
	admin.transfer(&key("//Dave")?.account(), ARN).await?;
	// The finalized-head stream re-subscribed by itself and moves on from where it was.
	let later = tokio::time::timeout(Duration::from_secs(60), heads.next())
		.await
		.context("no finalized head after the restart")??;
	ensure!(later.number > head.number, "{later:?} after {head:?}");
	Ok(())
}
