//! PLACEHOLDER for the node connection — the lead replaces this file once
//! `arena_chain_client::ArenaClient` implements `ValidatorChain` (commit "chain-client:
//! ArenaClient implements the ports"): `connect` then returns the connected, signing client.
//!
//! Until then `connect` returns [`NodeUnwired`], a `ValidatorChain` whose every call fails
//! with `ChainError::Unavailable` naming this file, so the binary builds and its offline
//! subcommands (`genesis`) work.

use std::future::Future;

use arena_chain_client::port::{ChainError, ChainResult, ChainView, ValidatorChain};
use arena_chain_client::types::{
	AccountId, Balance, ChallengeView, EscrowSummary, Evidence, Hash32, NetUid, Neuron, RoundIndex,
	RoundState, RoundsInfo, Uid, WeightsReveal,
};

/// The chain placeholder (see the module docs).
#[derive(Clone, Debug)]
pub struct NodeUnwired {
	url: String,
}

/// Connects to `url`, signing with `suri` (see the module docs).
pub async fn connect(url: &str, _suri: &str) -> Result<NodeUnwired, ChainError> {
	Ok(NodeUnwired {
		url: url.to_string(),
	})
}

impl NodeUnwired {
	fn fail<T>(&self) -> impl Future<Output = ChainResult<T>> + Send {
		let msg = format!(
			"{}: this build's node client is the placeholder in validator/src/node.rs \
			 (wire ArenaClient there)",
			self.url
		);
		async move { Err(ChainError::Unavailable(msg)) }
	}
}

impl ChainView for NodeUnwired {
	fn hotkey(&self) -> AccountId {
		AccountId::from([0u8; 32])
	}
	fn finalized_block(&self) -> impl Future<Output = ChainResult<u32>> + Send {
		self.fail()
	}
	fn current_round(
		&self,
		_netuid: NetUid,
	) -> impl Future<Output = ChainResult<Option<RoundState>>> + Send {
		self.fail()
	}
	fn round(
		&self,
		_netuid: NetUid,
		_index: RoundIndex,
	) -> impl Future<Output = ChainResult<Option<RoundState>>> + Send {
		self.fail()
	}
	fn rounds_info(&self, _netuid: NetUid) -> impl Future<Output = ChainResult<RoundsInfo>> + Send {
		self.fail()
	}
	fn training_config(
		&self,
		_netuid: NetUid,
	) -> impl Future<Output = ChainResult<arena_training::TrainingConfig>> + Send {
		self.fail()
	}
	fn neurons(&self, _netuid: NetUid) -> impl Future<Output = ChainResult<Vec<Neuron>>> + Send {
		self.fail()
	}
	fn last_residual(
		&self,
		_netuid: NetUid,
		_hotkey: &AccountId,
	) -> impl Future<Output = ChainResult<Hash32>> + Send {
		self.fail()
	}
	fn open_challenges(
		&self,
		_netuid: NetUid,
	) -> impl Future<Output = ChainResult<Vec<ChallengeView>>> + Send {
		self.fail()
	}
	fn escrow_of(
		&self,
		_account: &AccountId,
	) -> impl Future<Output = ChainResult<EscrowSummary>> + Send {
		self.fail()
	}
	fn free_balance(
		&self,
		_account: &AccountId,
	) -> impl Future<Output = ChainResult<Balance>> + Send {
		self.fail()
	}
}

impl ValidatorChain for NodeUnwired {
	fn serve_endpoint(
		&self,
		_netuid: NetUid,
		_url: &str,
	) -> impl Future<Output = ChainResult<()>> + Send {
		self.fail()
	}
	fn commit_reveal_enabled(
		&self,
		_netuid: NetUid,
	) -> impl Future<Output = ChainResult<bool>> + Send {
		self.fail()
	}
	fn set_weights(
		&self,
		_netuid: NetUid,
		_uids: &[Uid],
		_values: &[u16],
	) -> impl Future<Output = ChainResult<()>> + Send {
		self.fail()
	}
	fn commit_weights(
		&self,
		_netuid: NetUid,
		_reveal: &WeightsReveal,
	) -> impl Future<Output = ChainResult<()>> + Send {
		self.fail()
	}
	fn reveal_weights(
		&self,
		_netuid: NetUid,
		_reveal: &WeightsReveal,
	) -> impl Future<Output = ChainResult<()>> + Send {
		self.fail()
	}
	fn reveal_window(
		&self,
		_netuid: NetUid,
		_committed_at: u32,
	) -> impl Future<Output = ChainResult<(u32, u32)>> + Send {
		self.fail()
	}
	fn vote_checkpoint(
		&self,
		_netuid: NetUid,
		_round: RoundIndex,
		_hash: Hash32,
	) -> impl Future<Output = ChainResult<()>> + Send {
		self.fail()
	}
	fn challenge(
		&self,
		_netuid: NetUid,
		_miner: &AccountId,
		_round: RoundIndex,
		_evidence: Evidence,
	) -> impl Future<Output = ChainResult<()>> + Send {
		self.fail()
	}
	fn support_challenge(
		&self,
		_netuid: NetUid,
		_miner: &AccountId,
		_round: RoundIndex,
	) -> impl Future<Output = ChainResult<()>> + Send {
		self.fail()
	}
}
