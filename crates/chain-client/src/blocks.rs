//! A stream of finalized block headers that survives node restarts.

use std::time::Duration;

use crate::{ArenaClient, ArenaConfig, ClientError, RECONNECT_MAX, RECONNECT_MIN};

/// A finalized block: number and hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FinalizedBlock {
	/// Its number.
	pub number: u32,
	/// Its hash.
	pub hash: [u8; 32],
}

/// Finalized blocks in order, re-subscribing (with backoff) when the node goes away. Blocks
/// finalized while disconnected are not replayed one by one: the first block after a
/// reconnection may skip numbers, which the caller sees from `number`.
pub struct FinalizedHeads {
	client: ArenaClient,
	stream: Option<subxt::client::Blocks<ArenaConfig>>,
	last: Option<u32>,
}

impl FinalizedHeads {
	/// Follow `client`'s node.
	pub fn new(client: ArenaClient) -> Self {
		Self {
			client,
			stream: None,
			last: None,
		}
	}

	/// The next finalized block after the last one returned. Waits (retrying the node with
	/// backoff) until there is one; fails only with [`ClientError::MetadataMismatch`].
	pub async fn next(&mut self) -> Result<FinalizedBlock, ClientError> {
		let mut backoff = RECONNECT_MIN;
		loop {
			if self.stream.is_none() {
				match self.subscribe().await {
					Ok(s) => self.stream = Some(s),
					Err(ClientError::MetadataMismatch) => {
						return Err(ClientError::MetadataMismatch)
					},
					Err(e) => {
						tracing::debug!(error = %e, "cannot follow finalized blocks yet");
						tokio::time::sleep(backoff).await;
						backoff = (backoff * 2).min(RECONNECT_MAX);
						continue;
					},
				}
			}
			let Some(stream) = self.stream.as_mut() else {
				continue;
			};
			match stream.next().await {
				Some(Ok(block)) => {
					let number = u32::try_from(block.number()).unwrap_or(u32::MAX);
					if self.last.is_some_and(|l| number <= l) {
						continue;
					}
					self.last = Some(number);
					return Ok(FinalizedBlock {
						number,
						hash: block.hash().0,
					});
				},
				Some(Err(e)) => {
					tracing::debug!(error = %e, "finalized block stream failed");
					self.drop_stream();
				},
				None => {
					tracing::debug!("finalized block stream ended");
					self.drop_stream();
				},
			}
			tokio::time::sleep(Duration::from_millis(50)).await;
		}
	}

	fn drop_stream(&mut self) {
		self.stream = None;
		self.client.mark_broken();
	}

	async fn subscribe(&self) -> Result<subxt::client::Blocks<ArenaConfig>, ClientError> {
		let api = self.client.online().await?;
		match api.stream_blocks().await {
			Ok(s) => Ok(s),
			Err(e) => {
				self.client.mark_broken();
				Err(ClientError::subxt(e))
			},
		}
	}
}
