//! [`SignedClient`]: a node connection plus a hotkey, implementing the programs' ports.

use subxt::ext::codec::Encode;

use crate::port::{ChainError, ChainResult, ChainView, MinerChain, ValidatorChain};
use crate::runtime::{self, runtime_types as rt};
use crate::signer::Hotkey;
use crate::submit::{submit, unavailable, NonceTracker};
use crate::task::training_config;
use crate::types::{
	AccountId, Balance, ChallengeView, Contribution, EscrowSummary, Evidence, Hash32, NetUid,
	Neuron, RoundIndex, RoundState, RoundsInfo, TaskView, Uid, WeightsReveal,
};
use crate::{convert, ArenaClient};

/// A connection to a node that signs with one hotkey (the program's).
pub struct SignedClient {
	client: ArenaClient,
	key: Hotkey,
	nonces: NonceTracker,
}

impl SignedClient {
	/// Sign with `key` on `client`'s node.
	pub fn new(client: ArenaClient, key: Hotkey) -> Self {
		Self {
			client,
			key,
			nonces: NonceTracker::default(),
		}
	}

	/// The node connection.
	pub fn client(&self) -> &ArenaClient {
		&self.client
	}

	/// The hotkey.
	pub fn key(&self) -> &Hotkey {
		&self.key
	}

	/// Run a runtime API call at the latest finalized block.
	async fn api_call<P: subxt::runtime_apis::Payload>(
		&self,
		payload: P,
	) -> ChainResult<P::ReturnType> {
		let api = self.client.online().await.map_err(unavailable)?;
		let at = api.at_current_block().await.map_err(|e| self.lost(e))?;
		at.runtime_apis()
			.call(payload)
			.await
			.map_err(|e| self.lost(e))
	}

	fn lost(&self, e: impl std::fmt::Display) -> ChainError {
		self.client.mark_broken();
		ChainError::Unavailable(e.to_string())
	}

	async fn subnet_info(
		&self,
		netuid: NetUid,
	) -> ChainResult<rt::arena_pallet_primitives::SubnetInfo<AccountId, Balance, u32>> {
		self.api_call(runtime::runtime_apis().subnets_api().subnet_info(netuid))
			.await?
			.ok_or_else(|| ChainError::Other(format!("subnet {netuid} does not exist")))
	}

	async fn send<P: subxt::transactions::Payload>(&self, call: &P, what: &str) -> ChainResult<()> {
		submit(&self.client, &self.key, &self.nonces, call, what).await
	}

	/// The current registration (burn) price of `netuid`.
	pub async fn registration_price(&self, netuid: NetUid) -> ChainResult<Balance> {
		Ok(self.subnet_info(netuid).await?.registration_price_now)
	}
}

impl ChainView for SignedClient {
	fn hotkey(&self) -> AccountId {
		self.key.account()
	}

	async fn finalized_block(&self) -> ChainResult<u32> {
		let api = self.client.online().await.map_err(unavailable)?;
		let at = api.at_current_block().await.map_err(|e| self.lost(e))?;
		u32::try_from(at.block_number())
			.map_err(|_| ChainError::Other("block number overflow".into()))
	}

	async fn current_round(&self, netuid: NetUid) -> ChainResult<Option<RoundState>> {
		Ok(self
			.api_call(runtime::runtime_apis().rounds_api().current_round(netuid))
			.await?
			.map(convert::round))
	}

	async fn round(&self, netuid: NetUid, index: RoundIndex) -> ChainResult<Option<RoundState>> {
		Ok(self
			.api_call(runtime::runtime_apis().rounds_api().round(netuid, index))
			.await?
			.map(convert::round))
	}

	async fn rounds_info(&self, netuid: NetUid) -> ChainResult<RoundsInfo> {
		Ok(convert::rounds_info(
			self.api_call(runtime::runtime_apis().rounds_api().rounds_info(netuid))
				.await?,
		))
	}

	async fn training_task(&self, netuid: NetUid) -> ChainResult<TaskView> {
		let info = self.subnet_info(netuid).await?;
		let task = convert::task(&info.training_task);
		let config = training_config(&task).map_err(|e| ChainError::Other(e.to_string()))?;
		Ok(TaskView {
			config,
			corpus: task.corpus,
			audit_segments: u32::from(task.audit_segments),
		})
	}

	async fn neurons(&self, netuid: NetUid) -> ChainResult<Vec<Neuron>> {
		Ok(self
			.api_call(runtime::runtime_apis().subnets_api().metagraph(netuid))
			.await?
			.unwrap_or_default()
			.into_iter()
			.map(convert::neuron)
			.collect())
	}

	async fn last_residual(&self, netuid: NetUid, hotkey: &AccountId) -> ChainResult<Hash32> {
		Ok(self
			.api_call(
				runtime::runtime_apis()
					.rounds_api()
					.last_residual(netuid, *hotkey),
			)
			.await?
			.map(|r| r.hash)
			.unwrap_or([0; 32]))
	}

	async fn open_challenges(&self, netuid: NetUid) -> ChainResult<Vec<ChallengeView>> {
		Ok(self
			.api_call(runtime::runtime_apis().escrow_api().open_challenges(netuid))
			.await?
			.into_iter()
			.map(|c| convert::challenge(netuid, c))
			.collect())
	}

	async fn escrow_of(&self, netuid: NetUid, hotkey: &AccountId) -> ChainResult<EscrowSummary> {
		let entries = self
			.api_call(
				runtime::runtime_apis()
					.escrow_api()
					.earner_entries(netuid, *hotkey),
			)
			.await?;
		let mut summary = EscrowSummary::default();
		for e in entries {
			summary.held = summary.held.saturating_add(e.entry.amount);
			if matches!(e.entry.kind, rt::pallet_escrow::types::EntryKind::Incentive) {
				summary.slashable = summary.slashable.saturating_add(e.entry.amount);
			}
			summary.entries = summary.entries.saturating_add(1);
		}
		Ok(summary)
	}

	async fn free_balance(&self, account: &AccountId) -> ChainResult<Balance> {
		let api = self.client.online().await.map_err(unavailable)?;
		let at = api.at_current_block().await.map_err(|e| self.lost(e))?;
		let info = at
			.storage()
			.try_fetch(runtime::storage().system().account(), (*account,))
			.await
			.map_err(|e| self.lost(e))?;
		match info {
			Some(v) => Ok(v
				.decode()
				.map_err(|e| ChainError::Other(e.to_string()))?
				.data
				.free),
			None => Ok(0),
		}
	}
}

impl MinerChain for SignedClient {
	async fn serve_endpoint(&self, netuid: NetUid, url: &str) -> ChainResult<()> {
		let call = runtime::tx()
			.subnets()
			.serve_endpoint(netuid, url.as_bytes().to_vec());
		self.send(&call, "serve_endpoint").await
	}

	async fn commit_contribution(
		&self,
		netuid: NetUid,
		round: RoundIndex,
		c: Contribution,
	) -> ChainResult<()> {
		let call = runtime::tx().rounds().commit_contribution(
			netuid,
			round,
			c.update_hash,
			c.merkle_root,
			c.steps,
			c.fingerprint,
			c.residual_hash,
		);
		self.send(&call, "commit_contribution").await
	}
}

impl ValidatorChain for SignedClient {
	async fn serve_endpoint(&self, netuid: NetUid, url: &str) -> ChainResult<()> {
		MinerChain::serve_endpoint(self, netuid, url).await
	}

	async fn commit_reveal_enabled(&self, netuid: NetUid) -> ChainResult<bool> {
		Ok(self.subnet_info(netuid).await?.hyperparams.commit_reveal)
	}

	async fn set_weights(&self, netuid: NetUid, uids: &[Uid], values: &[u16]) -> ChainResult<()> {
		let version = self.subnet_info(netuid).await?.hyperparams.weights_version;
		let call =
			runtime::tx()
				.subnets()
				.set_weights(netuid, bounded(uids), bounded(values), version);
		self.send(&call, "set_weights").await
	}

	async fn commit_weights(&self, netuid: NetUid, reveal: &WeightsReveal) -> ChainResult<()> {
		let hash = commit_hash(&self.key.account(), netuid, reveal);
		let call = runtime::tx()
			.subnets()
			.commit_weights(netuid, subxt::utils::H256(hash));
		self.send(&call, "commit_weights").await
	}

	async fn reveal_weights(&self, netuid: NetUid, reveal: &WeightsReveal) -> ChainResult<()> {
		let call = runtime::tx().subnets().reveal_weights(
			netuid,
			bounded(&reveal.uids),
			bounded(&reveal.values),
			reveal.salt,
			reveal.version_key,
		);
		self.send(&call, "reveal_weights").await
	}

	/// The window the chain stored with the commit (fixed at commit time); for a commit no
	/// longer stored (revealed, or the neuron replaced), the window the current tempo gives.
	async fn reveal_window(&self, netuid: NetUid, committed_at: u32) -> ChainResult<(u32, u32)> {
		let me = self.key.account();
		let uid = self
			.neurons(netuid)
			.await?
			.into_iter()
			.find(|n| n.hotkey == me)
			.map(|n| n.uid);
		if let Some(uid) = uid {
			let api = self.client.online().await.map_err(unavailable)?;
			let at = api.at_current_block().await.map_err(|e| self.lost(e))?;
			let stored = at
				.storage()
				.try_fetch(runtime::storage().subnets().weight_commits(), (netuid, uid))
				.await
				.map_err(|e| self.lost(e))?;
			if let Some(v) = stored {
				let c = v.decode().map_err(|e| ChainError::Other(e.to_string()))?;
				if c.committed_at == committed_at {
					return Ok((c.reveal_open, c.reveal_close));
				}
			}
		}
		let hp = self.subnet_info(netuid).await?.hyperparams;
		let open = arena_rules::epoch_schedule::next_epoch_block(
			netuid,
			u64::from(committed_at),
			hp.tempo,
		);
		let close = open.saturating_add(u64::from(hp.reveal_window));
		let to_u32 = |b: u64| u32::try_from(b).unwrap_or(u32::MAX);
		Ok((to_u32(open), to_u32(close)))
	}

	async fn vote_checkpoint(
		&self,
		netuid: NetUid,
		round: RoundIndex,
		hash: Hash32,
	) -> ChainResult<()> {
		let call = runtime::tx().rounds().vote_checkpoint(netuid, round, hash);
		self.send(&call, "vote_checkpoint").await
	}

	async fn challenge(
		&self,
		netuid: NetUid,
		miner: &AccountId,
		round: RoundIndex,
		evidence: Evidence,
	) -> ChainResult<()> {
		let call = runtime::tx().escrow().challenge(
			netuid,
			*miner,
			round,
			convert::evidence_arg(evidence),
		);
		self.send(&call, "challenge").await
	}

	async fn support_challenge(
		&self,
		netuid: NetUid,
		miner: &AccountId,
		round: RoundIndex,
	) -> ChainResult<()> {
		let call = runtime::tx()
			.escrow()
			.support_challenge(netuid, *miner, round);
		self.send(&call, "support_challenge").await
	}
}

/// The weight-commit hash `pallet-subnets` checks on reveal:
/// `blake2_256(SCALE((hotkey, netuid, uids, values, salt, version_key)))`.
pub fn commit_hash(hotkey: &AccountId, netuid: NetUid, reveal: &WeightsReveal) -> Hash32 {
	let bytes = (
		hotkey.0,
		netuid,
		&reveal.uids,
		&reveal.values,
		reveal.salt,
		reveal.version_key,
	)
		.encode();
	blake2_256(&bytes)
}

/// BLAKE2b-256, the chain's hash (block hashes, audit-segment choice).
pub fn blake2_256(data: &[u8]) -> Hash32 {
	use blake2::{digest::consts::U32, Blake2b, Digest};
	Blake2b::<U32>::digest(data).into()
}

/// A call argument the chain bounds (`BoundedVec`): the same SCALE bytes as a `Vec`; the
/// chain refuses one over its bound with a typed error.
fn bounded<T: Clone>(
	items: &[T],
) -> runtime::runtime_types::bounded_collections::bounded_vec::BoundedVec<T> {
	runtime::runtime_types::bounded_collections::bounded_vec::BoundedVec(items.to_vec())
}
