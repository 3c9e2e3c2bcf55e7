//! The node connection of the binary: an [`ArenaClient`] signing with the validator's hotkey
//! ([`SignedClient`] implements `ValidatorChain`).

use std::time::Duration;

use arena_chain_client::{ArenaClient, Hotkey, SignedClient};

/// How long to wait for a node that is still starting.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(60);

/// Connects to `url`, signing with the hotkey of `suri` (never logged).
pub async fn connect(url: &str, suri: &str) -> anyhow::Result<SignedClient> {
	let key = Hotkey::from_suri(suri)?;
	let client = ArenaClient::connect_with_retry(url, CONNECT_TIMEOUT).await?;
	client.check_metadata().await?;
	Ok(SignedClient::new(client, key))
}
