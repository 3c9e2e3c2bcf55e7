//! `arena-node --chain local`: Alice and Bob, two Aura authorities, author and finalise together
//! with GRANDPA (finality needs both of their votes: 2/3 of two is two).

use std::time::Duration;

use anyhow::{ensure, Result};
use arena_e2e::{wait_for_finalized, Node};

/// libp2p identity of `--node-key 0…01` (ed25519), so Bob can be told where Alice is.
const ALICE_NODE_KEY: &str = "0000000000000000000000000000000000000000000000000000000000000001";
const ALICE_PEER_ID: &str = "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp";
/// Authorities on a non-dev chain must be given a network key.
const BOB_NODE_KEY: &str = "0000000000000000000000000000000000000000000000000000000000000002";

#[tokio::test(flavor = "multi_thread")]
async fn alice_and_bob_finalise_together() -> Result<()> {
	let mut alice = Node::start(
		"alice",
		&["--chain", "local", "--alice", "--node-key", ALICE_NODE_KEY],
	)?;
	let bootnode = format!("/ip4/127.0.0.1/tcp/{}/p2p/{ALICE_PEER_ID}", alice.p2p_port);
	let mut bob = Node::start(
		"bob",
		&[
			"--chain",
			"local",
			"--bob",
			"--node-key",
			BOB_NODE_KEY,
			"--bootnodes",
			&bootnode,
		],
	)?;

	let alice_client = alice.client().await?;
	let bob_client = bob.client().await?;

	// 12 s slots: block #2 is authored within ~36 s, finalised once both have voted.
	let timeout = Duration::from_secs(180);
	let a = wait_for_finalized(&alice_client, 2, timeout).await?;
	let b = wait_for_finalized(&bob_client, 2, timeout).await?;
	ensure!(a >= 2 && b >= 2);

	// Both agree on the finalised block #2.
	let hash_a = alice_client.api().at_block(2u64).await?.block_hash();
	let hash_b = bob_client.api().at_block(2u64).await?.block_hash();
	ensure!(
		hash_a == hash_b,
		"Alice and Bob finalised different blocks #2"
	);
	Ok(())
}
