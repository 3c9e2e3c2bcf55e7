//! Emission on `arena-node --dev`, through the typed subxt client (what the validator will use):
//! `EmissionApi` reports block emission and the next halving; a subnet with a staked validator
//! that sets weights on two miners gets an epoch paying 18 % to the owner, half the rest to the
//! miners by incentive and the rest to the validator.

use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use arena_chain_client::{
	runtime::{
		self,
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec, pallet_subnets::types::HyperParam,
		},
	},
	subxt_signer::sr25519::{dev, Keypair},
	ArenaClient,
};
use arena_e2e::{submit, Node};

const ARN: u64 = 1_000_000_000;

async fn emission_state(
	client: &ArenaClient,
) -> Result<runtime::runtime_types::arena_pallet_primitives::EmissionState<u64>> {
	Ok(client
		.api()
		.at_current_block()
		.await?
		.runtime_apis()
		.call(runtime::runtime_apis().emission_api().emission_state())
		.await?)
}

fn hotkey(seed: &str) -> Result<Keypair> {
	use std::str::FromStr;
	let uri = arena_chain_client::subxt_signer::SecretUri::from_str(seed)?;
	Ok(Keypair::from_uri(&uri)?)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_subnet_receives_emission_split_by_yuma() -> Result<()> {
	let mut node = Node::start("emission", &["--dev", "--dev-block-time", "250"])?;
	let client = node.client().await?;
	// Block emission and halving from the runtime API.
	let state = emission_state(&client).await?;
	ensure!(state.block_emission == ARN, "E = {}", state.block_emission);
	ensure!(
		state.next_halving == Some(10_500_000 * ARN),
		"{:?}",
		state.next_halving
	);
	ensure!(state.minted == 0, "nothing minted without a subnet");

	// Alice's subnet, tempo 6; Bob's hotkey validates, Charlie's and Dave's mine.
	let (alice, bob) = (dev::alice(), dev::bob());
	submit(
		&client,
		&runtime::transactions().subnets().register_network(),
		&alice,
	)
	.await?;
	let netuid = 0u16;
	submit(
		&client,
		&runtime::transactions()
			.subnets()
			.set_hyperparameters(netuid, BoundedVec(vec![HyperParam::Tempo(6)])),
		&alice,
	)
	.await?;
	let validator = hotkey("//Bob//e2e-validator")?;
	let miners = [
		hotkey("//Charlie//e2e-miner")?,
		hotkey("//Dave//e2e-miner")?,
	];
	for (cold, hot) in [
		(&bob, &validator),
		(&dev::charlie(), &miners[0]),
		(&dev::dave(), &miners[1]),
	] {
		let hot_id = hot.public_key().to_account_id();
		submit(
			&client,
			&runtime::transactions()
				.balances()
				.transfer_keep_alive(hot_id.into(), 10 * ARN),
			&alice,
		)
		.await?;
		submit(
			&client,
			&runtime::transactions()
				.subnets()
				.burned_register(netuid, hot_id),
			cold,
		)
		.await?;
	}
	let validator_id = validator.public_key().to_account_id();
	submit(
		&client,
		&runtime::transactions()
			.stake()
			.add_stake(validator_id, netuid, 1_000 * ARN),
		&bob,
	)
	.await?;

	// The subnet has a positive flow score from the burns and pending emission.
	let emissions = client
		.api()
		.at_current_block()
		.await?
		.runtime_apis()
		.call(runtime::runtime_apis().emission_api().subnet_emissions())
		.await?;
	let mine = emissions
		.iter()
		.find(|e| e.netuid == netuid)
		.context("subnet listed")?;
	ensure!(mine.flow_score > 0, "flow score {}", mine.flow_score);

	// Wait for the validator's permit, then weigh the miners (UIDs 1 and 2) 1 : 3.
	let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
	loop {
		let permits = client
			.api()
			.at_current_block()
			.await?
			.storage()
			.entry(runtime::storage().stake().permits())?
			.fetch((netuid,))
			.await?
			.decode()?;
		if permits.0.contains(&validator_id) {
			break;
		}
		ensure!(tokio::time::Instant::now() < deadline, "no permit in 90 s");
		tokio::time::sleep(Duration::from_millis(250)).await;
	}
	submit(
		&client,
		&runtime::transactions().subnets().set_weights(
			netuid,
			BoundedVec(vec![1, 2]),
			BoundedVec(vec![1, 3]),
			0,
		),
		&validator,
	)
	.await?;

	// Watch finalised blocks for an epoch of this subnet that pays the miners.
	let mut blocks = client.api().stream_blocks().await?;
	let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
	let payout = loop {
		ensure!(
			tokio::time::Instant::now() < deadline,
			"no paying epoch in 90 s"
		);
		let Some(block) = blocks.next().await else {
			bail!("block stream ended");
		};
		let block = block?;
		let events = block.at().await?.events().fetch().await?;
		let paid = events
			.find::<runtime::emission::events::EpochCompleted>()
			.filter_map(|e| e.ok())
			.find(|e| e.netuid == netuid && e.payout.miners > 0);
		if let Some(e) = paid {
			break e.payout;
		}
	};
	let owner = payout.pending * 18 / 100;
	let rest = payout.pending - owner;
	ensure!(
		payout.owner == owner,
		"owner {} of {}",
		payout.owner,
		payout.pending
	);
	ensure!(
		payout.miners == rest / 2,
		"miners {} of {rest}",
		payout.miners
	);
	ensure!(
		payout.validators == rest - rest / 2,
		"validator {}",
		payout.validators
	);
	ensure!(payout.kept == 0);

	let state = emission_state(&client).await?;
	ensure!(state.paid > 0 && state.minted > 0);
	ensure!(state.emitted == state.minted + state.unminted);
	Ok(())
}
