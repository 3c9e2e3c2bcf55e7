//! `arena-node --dev`: blocks come on the dev clock, each is finalised, the node runs the
//! runtime the client was generated from, and a signed transfer is finalised.

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use arena_chain_client::{runtime, subxt_signer::sr25519::dev, STATIC_METADATA};
use arena_e2e::{submit, wait_for_finalized, Node};

#[tokio::test(flavor = "multi_thread")]
async fn dev_chain_finalises_blocks_and_a_transfer() -> Result<()> {
	let mut node = Node::start("dev", &["--dev", "--dev-block-time", "500"])?;
	let client = node.client().await?;

	// Metadata: byte-identical to the client's static copy, and the generated code validates.
	let live = client.raw_metadata().await?;
	ensure!(
		live == STATIC_METADATA,
		"node metadata ({} bytes) differs from crates/chain-client/metadata/arena.scale ({} bytes)",
		live.len(),
		STATIC_METADATA.len()
	);
	client.check_metadata().await?;

	// Blocks keep coming without transactions, and each is finalised.
	let start = client.api().at_current_block().await?.block_number();
	let reached = wait_for_finalized(&client, start + 4, Duration::from_secs(60)).await?;
	ensure!(reached >= start + 4);

	// A signed transfer from Alice to Dave, watched until finalised.
	let dave = dev::dave().public_key().to_account_id();
	let amount: u64 = 12_345_000_000; // 12.345 ARN
	let at = client.api().at_current_block().await?;
	let before = at
		.storage()
		.entry(runtime::storage().system().account())?
		.fetch((dave,))
		.await?
		.decode()?
		.data
		.free;

	let tx = runtime::transactions()
		.balances()
		.transfer_keep_alive(dave.into(), amount);
	let events = submit(&client, &tx, &dev::alice())
		.await
		.context("transfer was not finalised successfully")?;
	let transfer = events
		.find_first::<runtime::balances::events::Transfer>()
		.context("no Transfer event")??;
	ensure!(transfer.amount == amount, "transferred {}", transfer.amount);
	ensure!(transfer.to == dave, "transfer went to {:?}", transfer.to);

	let after = client
		.api()
		.at_current_block()
		.await?
		.storage()
		.entry(runtime::storage().system().account())?
		.fetch((dave,))
		.await?
		.decode()?
		.data
		.free;
	ensure!(after == before + amount, "Dave had {before}, now {after}");
	Ok(())
}
