//! The chain as the miner and validator see it: two traits over the plain views of
//! [`crate::types`].
//!
//! [`crate::ArenaClient`] implements both against a node; the programs' libraries are written
//! against the traits, so their tests drive them with an in-memory fake chain and no node.
//! Every method reads at, or submits against, the node's **finalized** state unless it says
//! otherwise; a submitting method returns once the transaction is in a block and its dispatch
//! succeeded, or with [`ChainError::Dispatch`] naming the pallet error.

use std::future::Future;

use crate::types::{
	AccountId, Balance, ChallengeView, Contribution, EscrowSummary, Evidence, Hash32, NetUid,
	Neuron, RoundIndex, RoundState, RoundsInfo, TaskView, Uid, WeightsReveal,
};

/// Why a chain operation failed, in the terms a program acts on.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
	/// The node could not be reached (it may be restarting); retry later.
	#[error("node unavailable: {0}")]
	Unavailable(String),
	/// The transaction was included but its dispatch failed with this pallet error
	/// (`Pallet::Error`, e.g. `Rounds::CommitAfterDeadline`).
	#[error("dispatch failed: {0}")]
	Dispatch(String),
	/// The transaction pool refused the transaction (bad nonce, fees, validity).
	#[error("transaction rejected: {0}")]
	Rejected(String),
	/// The node's runtime does not match this client.
	#[error("runtime mismatch: {0}")]
	Mismatch(String),
	/// Anything else (decoding, RPC protocol).
	#[error("{0}")]
	Other(String),
}

impl ChainError {
	/// Whether the pallet error name (e.g. `"CommitAfterDeadline"`) is the reason.
	pub fn is_dispatch(&self, name: &str) -> bool {
		matches!(self, ChainError::Dispatch(e) if e.ends_with(name))
	}

	/// Whether waiting and trying again may help.
	pub fn is_transient(&self) -> bool {
		matches!(self, ChainError::Unavailable(_) | ChainError::Rejected(_))
	}
}

/// Result of a chain operation.
pub type ChainResult<T> = Result<T, ChainError>;

/// What both programs read from the chain.
pub trait ChainView: Send + Sync {
	/// The signing hotkey's account.
	fn hotkey(&self) -> AccountId;

	/// Number of the latest finalized block.
	fn finalized_block(&self) -> impl Future<Output = ChainResult<u32>> + Send;

	/// The subnet's open (or most recent) round, `None` before its first round.
	fn current_round(
		&self,
		netuid: NetUid,
	) -> impl Future<Output = ChainResult<Option<RoundState>>> + Send;

	/// A past round still stored (pruned after the escrow window).
	fn round(
		&self,
		netuid: NetUid,
		index: RoundIndex,
	) -> impl Future<Output = ChainResult<Option<RoundState>>> + Send;

	/// The subnet's round configuration.
	fn rounds_info(&self, netuid: NetUid) -> impl Future<Output = ChainResult<RoundsInfo>> + Send;

	/// The subnet's training task: the training core's configuration (an error if the training
	/// core cannot run the task), the corpus id and the audit segments per miner `s`.
	fn training_task(&self, netuid: NetUid) -> impl Future<Output = ChainResult<TaskView>> + Send;

	/// The subnet's training task, converted into the training core's configuration.
	fn training_config(
		&self,
		netuid: NetUid,
	) -> impl Future<Output = ChainResult<arena_training::TrainingConfig>> + Send {
		async move { Ok(self.training_task(netuid).await?.config) }
	}

	/// The subnet's metagraph.
	fn neurons(&self, netuid: NetUid) -> impl Future<Output = ChainResult<Vec<Neuron>>> + Send;

	/// The residual hash `hotkey` committed last on the subnet (zero if never).
	fn last_residual(
		&self,
		netuid: NetUid,
		hotkey: &AccountId,
	) -> impl Future<Output = ChainResult<Hash32>> + Send;

	/// Open escrow challenges on the subnet.
	fn open_challenges(
		&self,
		netuid: NetUid,
	) -> impl Future<Output = ChainResult<Vec<ChallengeView>>> + Send;

	/// What escrow holds of `hotkey`'s earnings on `netuid`: its open entries (a miner's
	/// incentive, a validator's dividends and its delegators' shares), whoever they pay.
	fn escrow_of(
		&self,
		netuid: NetUid,
		hotkey: &AccountId,
	) -> impl Future<Output = ChainResult<EscrowSummary>> + Send;

	/// Free balance of `account`.
	fn free_balance(
		&self,
		account: &AccountId,
	) -> impl Future<Output = ChainResult<Balance>> + Send;
}

/// What a miner submits.
pub trait MinerChain: ChainView {
	/// Announce where this hotkey's artifacts can be fetched (`serve_endpoint`).
	fn serve_endpoint(
		&self,
		netuid: NetUid,
		url: &str,
	) -> impl Future<Output = ChainResult<()>> + Send;

	/// Commit this hotkey's contribution to `round` (`commit_contribution`).
	fn commit_contribution(
		&self,
		netuid: NetUid,
		round: RoundIndex,
		contribution: Contribution,
	) -> impl Future<Output = ChainResult<()>> + Send;
}

/// What a validator submits.
pub trait ValidatorChain: ChainView {
	/// Announce where this hotkey's artifacts (checkpoints) can be fetched.
	fn serve_endpoint(
		&self,
		netuid: NetUid,
		url: &str,
	) -> impl Future<Output = ChainResult<()>> + Send;

	/// Whether the subnet runs commit-reveal weights.
	fn commit_reveal_enabled(
		&self,
		netuid: NetUid,
	) -> impl Future<Output = ChainResult<bool>> + Send;

	/// Set weights directly (subnets without commit-reveal).
	fn set_weights(
		&self,
		netuid: NetUid,
		uids: &[Uid],
		values: &[u16],
	) -> impl Future<Output = ChainResult<()>> + Send;

	/// Commit a weight set (its hash is computed here from `reveal`).
	fn commit_weights(
		&self,
		netuid: NetUid,
		reveal: &WeightsReveal,
	) -> impl Future<Output = ChainResult<()>> + Send;

	/// Reveal a committed weight set.
	fn reveal_weights(
		&self,
		netuid: NetUid,
		reveal: &WeightsReveal,
	) -> impl Future<Output = ChainResult<()>> + Send;

	/// `[open, close)` blocks in which a weight commit made at `committed_at` may be revealed.
	fn reveal_window(
		&self,
		netuid: NetUid,
		committed_at: u32,
	) -> impl Future<Output = ChainResult<(u32, u32)>> + Send;

	/// Vote the next checkpoint of `round`.
	fn vote_checkpoint(
		&self,
		netuid: NetUid,
		round: RoundIndex,
		hash: Hash32,
	) -> impl Future<Output = ChainResult<()>> + Send;

	/// Challenge `miner`'s `round` with the evidence of a failed audit (locks the bond).
	fn challenge(
		&self,
		netuid: NetUid,
		miner: &AccountId,
		round: RoundIndex,
		evidence: Evidence,
	) -> impl Future<Output = ChainResult<()>> + Send;

	/// Support an open challenge after re-running its evidence.
	fn support_challenge(
		&self,
		netuid: NetUid,
		miner: &AccountId,
		round: RoundIndex,
	) -> impl Future<Output = ChainResult<()>> + Send;
}
