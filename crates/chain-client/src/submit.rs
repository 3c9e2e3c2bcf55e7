//! Signing and submitting transactions: one nonce sequence per signer, so a program can send
//! several transactions in one block, and errors in the terms of [`ChainError`].

use std::time::Duration;

use subxt::config::DefaultExtrinsicParamsBuilder;
use subxt::transactions::{Payload, TransactionStatus};
use tokio::sync::Mutex;

use crate::port::ChainError;
use crate::signer::Hotkey;
use crate::{ArenaClient, ArenaConfig};

/// How long a transaction may take to reach a block.
pub const INCLUSION_TIMEOUT: Duration = Duration::from_secs(60);

/// The nonce sequence of one signer. `None` until read from the node, and again after any
/// rejection (the node's view is then the truth).
#[derive(Default)]
pub(crate) struct NonceTracker {
	next: Mutex<Option<u64>>,
}

pub(crate) async fn submit<P: Payload>(
	client: &ArenaClient,
	key: &Hotkey,
	nonces: &NonceTracker,
	call: &P,
	what: &str,
) -> Result<(), ChainError> {
	let api = client.online().await.map_err(unavailable)?;
	let mut progress = {
		// Hold the nonce lock from reading the nonce to handing the transaction to the pool, so
		// concurrent submissions get consecutive nonces in pool order.
		let mut next = nonces.next.lock().await;
		let at = match api.at_current_block().await {
			Ok(at) => at,
			Err(e) => {
				client.mark_broken();
				return Err(ChainError::Unavailable(e.to_string()));
			},
		};
		let mut txs = at.transactions();
		let nonce = match *next {
			Some(n) => n,
			None => txs
				.account_nonce(&key.account())
				.await
				.map_err(|e| ChainError::Unavailable(e.to_string()))?,
		};
		let params = DefaultExtrinsicParamsBuilder::<ArenaConfig>::new()
			.nonce(nonce)
			.build();
		let signed = txs
			.create_signed(call, key.keypair(), params)
			.await
			.map_err(|e| ChainError::Other(format!("cannot build {what}: {e}")))?;
		match signed.submit_and_watch().await {
			Ok(progress) => {
				*next = Some(nonce.saturating_add(1));
				progress
			},
			Err(e) => {
				*next = None;
				return Err(ChainError::Rejected(format!("{what}: {e}")));
			},
		}
	};
	let wait = async {
		while let Some(status) = progress.next().await {
			match status {
				Ok(TransactionStatus::InBestBlock(in_block))
				| Ok(TransactionStatus::InFinalizedBlock(in_block)) => {
					return match in_block.wait_for_success().await {
						Ok(_) => Ok(()),
						Err(subxt::error::TransactionEventsError::ExtrinsicFailed(e)) => {
							Err(ChainError::Dispatch(dispatch_name(&e)))
						},
						Err(e) => Err(ChainError::Other(format!("{what}: {e}"))),
					};
				},
				Ok(TransactionStatus::Invalid { message })
				| Ok(TransactionStatus::Dropped { message })
				| Ok(TransactionStatus::Error { message }) => {
					return Err(ChainError::Rejected(format!("{what}: {message}")))
				},
				Ok(_) => continue,
				Err(e) => return Err(ChainError::Unavailable(format!("{what}: {e}"))),
			}
		}
		Err(ChainError::Unavailable(format!(
			"{what}: the node stopped reporting the transaction"
		)))
	};
	let result = match tokio::time::timeout(INCLUSION_TIMEOUT, wait).await {
		Ok(r) => r,
		Err(_) => Err(ChainError::Rejected(format!(
			"{what}: not in a block within {INCLUSION_TIMEOUT:?}"
		))),
	};
	match &result {
		Ok(()) => tracing::debug!(%what, "transaction included"),
		Err(ChainError::Dispatch(e)) => tracing::debug!(%what, error = %e, "dispatch failed"),
		Err(e) => {
			// The pool's nonce view may now differ from ours.
			*nonces.next.lock().await = None;
			if matches!(e, ChainError::Unavailable(_)) {
				client.mark_broken();
			}
		},
	}
	result
}

/// `Pallet::Error` for a module error, the error's text otherwise.
fn dispatch_name(e: &subxt::error::DispatchError) -> String {
	match e {
		subxt::error::DispatchError::Module(m) => m.details_string(),
		other => other.to_string(),
	}
}

pub(crate) fn unavailable(e: crate::ClientError) -> ChainError {
	match e {
		crate::ClientError::MetadataMismatch => ChainError::Mismatch(e.to_string()),
		other => ChainError::Unavailable(other.to_string()),
	}
}
