//! Calls of subnet owners, coldkeys and stakers — what the demo, the end-to-end tests and an
//! owner's scripts submit (the programs themselves only use [`crate::port`]).

use crate::port::ChainResult;
use crate::runtime::{self, runtime_types as rt};
use crate::signer::Hotkey;
use crate::submit::{submit, NonceTracker};
use crate::task::ChainTask;
use crate::types::{AccountId, Balance, Hash32, NetUid};
use crate::ArenaClient;

/// A signer for administrative calls: one nonce sequence for `key`.
pub struct Admin {
	client: ArenaClient,
	key: Hotkey,
	nonces: NonceTracker,
}

/// A hyperparameter an owner sets (the subset the programs and the demo use).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hyper {
	/// Blocks per epoch (= per training round).
	Tempo(u32),
	/// Commit-reveal weights on or off.
	CommitReveal(bool),
	/// Blocks a weight commit may be revealed in, after the next epoch block.
	RevealWindow(u32),
	/// Escrow window in tempos.
	EscrowWindow(u32),
	/// Validator permits.
	MaxValidators(u16),
	/// Blocks of immunity from pruning after registration.
	ImmunityPeriod(u32),
}

impl Admin {
	/// Sign with `key` on `client`'s node.
	pub fn new(client: ArenaClient, key: Hotkey) -> Self {
		Self {
			client,
			key,
			nonces: NonceTracker::default(),
		}
	}

	/// The signer's account.
	pub fn account(&self) -> AccountId {
		self.key.account()
	}

	async fn send<P: subxt::transactions::Payload>(&self, call: &P, what: &str) -> ChainResult<()> {
		submit(&self.client, &self.key, &self.nonces, call, what).await
	}

	/// Transfer `amount` (keep-alive) to `to`.
	pub async fn transfer(&self, to: &AccountId, amount: Balance) -> ChainResult<()> {
		let call = runtime::tx()
			.balances()
			.transfer_keep_alive((*to).into(), amount);
		self.send(&call, "transfer_keep_alive").await
	}

	/// Register a new subnet owned by the signer (locks the current lock cost).
	pub async fn register_network(&self) -> ChainResult<()> {
		self.send(
			&runtime::tx().subnets().register_network(),
			"register_network",
		)
		.await
	}

	/// Set hyperparameters of an owned subnet.
	pub async fn set_hyperparameters(&self, netuid: NetUid, params: &[Hyper]) -> ChainResult<()> {
		use rt::pallet_subnets::types::HyperParam as H;
		let params = params
			.iter()
			.map(|p| match *p {
				Hyper::Tempo(v) => H::Tempo(v),
				Hyper::CommitReveal(v) => H::CommitReveal(v),
				Hyper::RevealWindow(v) => H::RevealWindow(v),
				Hyper::EscrowWindow(v) => H::EscrowWindow(v),
				Hyper::MaxValidators(v) => H::MaxValidators(v),
				Hyper::ImmunityPeriod(v) => H::ImmunityPeriod(v),
			})
			.collect();
		let call = runtime::tx().subnets().set_hyperparameters(
			netuid,
			rt::bounded_collections::bounded_vec::BoundedVec(params),
		);
		self.send(&call, "set_hyperparameters").await
	}

	/// Set the training task of an owned subnet.
	pub async fn set_training_task(&self, netuid: NetUid, task: &ChainTask) -> ChainResult<()> {
		use rt::sp_arithmetic::per_things::Perbill;
		let layers = u16::try_from(task.layers).unwrap_or(u16::MAX);
		let heads = u16::try_from(task.heads).unwrap_or(u16::MAX);
		let task = rt::arena_pallet_primitives::TrainingTask {
			model: rt::arena_pallet_primitives::ModelConfig {
				layers,
				width: task.width,
				heads,
				context: task.context,
				vocab: task.vocab,
			},
			corpus: task.corpus,
			inner_steps: task.inner_steps,
			batch_size: task.batch_size,
			compression: rt::arena_pallet_primitives::Compression {
				topk_density: Perbill(task.topk_density_ppb),
				bits: task.bits,
			},
			audit_segments: task.audit_segments,
			segment_length: task.segment_length,
			tolerance: Perbill(task.tolerance_ppb),
		};
		let call = runtime::tx().subnets().set_training_task(netuid, task);
		self.send(&call, "set_training_task").await
	}

	/// Set the round settings of an owned subnet.
	pub async fn set_round_settings(
		&self,
		netuid: NetUid,
		commit_deadline: u32,
		vote_window: u32,
		allowed_fingerprints: Vec<Hash32>,
	) -> ChainResult<()> {
		let call = runtime::tx().rounds().set_round_settings(
			netuid,
			commit_deadline,
			vote_window,
			rt::bounded_collections::bounded_vec::BoundedVec(allowed_fingerprints),
		);
		self.send(&call, "set_round_settings").await
	}

	/// Set the genesis checkpoint of an owned subnet (before its first round).
	pub async fn set_genesis_checkpoint(
		&self,
		netuid: NetUid,
		hash: Hash32,
		size: u64,
		url: &str,
	) -> ChainResult<()> {
		let call = runtime::tx().rounds().set_genesis_checkpoint(
			netuid,
			hash,
			size,
			rt::bounded_collections::bounded_vec::BoundedVec(url.as_bytes().to_vec()),
		);
		self.send(&call, "set_genesis_checkpoint").await
	}

	/// Register `hotkey` on `netuid`, the signer (its coldkey) paying the burn.
	pub async fn burned_register(&self, netuid: NetUid, hotkey: &AccountId) -> ChainResult<()> {
		let call = runtime::tx().subnets().burned_register(netuid, *hotkey);
		self.send(&call, "burned_register").await
	}

	/// Stake `amount` from the signer (a coldkey) on `hotkey` in `netuid`.
	pub async fn add_stake(
		&self,
		hotkey: &AccountId,
		netuid: NetUid,
		amount: Balance,
	) -> ChainResult<()> {
		let call = runtime::tx().stake().add_stake(*hotkey, netuid, amount);
		self.send(&call, "add_stake").await
	}
}
