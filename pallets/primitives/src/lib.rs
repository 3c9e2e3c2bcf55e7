//! # Arena pallet primitives
//!
//! Types shared by the Arena pallets (subnet hyperparameters, the training task, per-neuron
//! metrics, runtime-API views) and the traits through which the pallets are coupled:
//!
//! | trait | implemented by | used by |
//! |---|---|---|
//! | [`SubnetsInterface`] | `pallet-subnets` | `pallet-stake`, the emission pallet, `pallet-rounds` |
//! | [`StakeInterface`] | `pallet-stake` | `pallet-subnets`, the emission pallet, `pallet-rounds` |
//! | [`OnFlow`] | the emission pallet (`()` = no-op) | `pallet-stake`, `pallet-subnets` |
//! | [`SubnetHooks`] | `pallet-stake`, the emission pallet, `pallet-rounds` (tuples, `()`) | `pallet-subnets` |
//! | [`EmissionInfo`] | the emission pallet (`()` = zero) | `pallet-subnets` |
//! | [`PayoutHandler`] | `pallet-stake` (credits stake), `pallet-escrow` | the emission pallet |
//! | [`OnSlash`] | the emission pallet (`()` = no-op) | `pallet-escrow` |
//!
//! Block counts in hyperparameters are plain `u32` blocks (independent of the runtime's block
//! number type); amounts are the runtime's balance type.
#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt::Debug;
use frame_support::weights::Weight;
use scale_info::TypeInfo;
use sp_runtime::{DispatchResult, Perbill, Perquintill};

/// Identifier of a subnet. Never reused (see `pallet-subnets`).
pub type NetUid = u16;

/// Identifier of a neuron inside a subnet: dense, `0..neuron_count`.
pub type Uid = u16;

/// Owner-set hyperparameters of a subnet (bounds are checked by `pallet-subnets` on every
/// change; see its `types::bounds` module).
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	Debug,
)]
pub struct SubnetHyperparams<Balance> {
	/// Blocks per epoch (SPEC §3, *default* 360).
	pub tempo: u32,
	/// Maximum number of neurons (UIDs).
	pub max_uids: u16,
	/// Blocks after registration during which a neuron cannot be replaced (*default* 4,096).
	pub immunity_period: u32,
	/// Lower bound of the registration burn price.
	pub min_burn: Balance,
	/// Upper bound of the registration burn price.
	pub max_burn: Balance,
	/// Number of validator permits `K` (top-K hotkeys by stake, *default* 64).
	pub max_validators: u16,
	/// A validator whose last weights are older than this many blocks is inactive.
	pub activity_cutoff: u32,
	/// Consensus majority `κ` (*default* 0.5).
	pub kappa: Perbill,
	/// Bonds moving average `α` (*default* 0.1).
	pub bonds_moving_average: Perbill,
	/// Whether weights must be committed and revealed (`set_weights` is then disabled).
	pub commit_reveal: bool,
	/// Blocks a commit may be revealed for, counted from the first epoch boundary after it.
	pub reveal_window: u32,
	/// Tempos an epoch payout stays in escrow before it is released (SPEC §5, *default* 2): an
	/// entry paid at block `b` is released at `b + escrow_window · tempo` (tempo as at payout).
	pub escrow_window: u32,
	/// Minimum `version_key` accepted by `set_weights` / `reveal_weights`.
	pub weights_version: u64,
}

impl<Balance> SubnetHyperparams<Balance> {
	/// SPEC defaults with the given registration burn bounds: tempo 360, 256 UIDs, immunity
	/// 4,096 blocks, 64 validators, activity cutoff 5,000 blocks, κ = 0.5, α = 0.1, commit-reveal
	/// off with a reveal window of one tempo, escrow window of two tempos.
	pub fn defaults_with_burn(min_burn: Balance, max_burn: Balance) -> Self {
		Self {
			tempo: 360,
			max_uids: 256,
			immunity_period: 4_096,
			min_burn,
			max_burn,
			max_validators: 64,
			activity_cutoff: 5_000,
			kappa: Perbill::from_percent(50),
			bonds_moving_average: Perbill::from_percent(10),
			commit_reveal: false,
			reveal_window: 360,
			escrow_window: 2,
			weights_version: 0,
		}
	}
}

/// Shape of the model a subnet trains.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	Debug,
)]
pub struct ModelConfig {
	/// Transformer layers.
	pub layers: u16,
	/// Hidden width (must be a multiple of `heads`).
	pub width: u32,
	/// Attention heads.
	pub heads: u16,
	/// Context length in tokens.
	pub context: u32,
	/// Vocabulary size.
	pub vocab: u32,
}

/// How miners compress their updates (chunked top-k + quantisation, SPEC §6).
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	Debug,
)]
pub struct Compression {
	/// Fraction of entries kept per chunk (top-k density), `> 0`.
	pub topk_density: Perbill,
	/// Bits per quantised value.
	pub bits: u8,
}

/// The training task of a subnet (SPEC §6).
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	Debug,
)]
pub struct TrainingTask {
	/// The model.
	pub model: ModelConfig,
	/// Hash identifying the corpus (non-zero).
	pub corpus: [u8; 32],
	/// Inner steps `H` per round.
	pub inner_steps: u32,
	/// Sequences per inner step.
	pub batch_size: u32,
	/// Update compression.
	pub compression: Compression,
	/// Segments a validator audits per miner.
	pub audit_segments: u16,
	/// Steps `c` per audited segment (divides `inner_steps`).
	pub segment_length: u32,
	/// Cross-backend tolerance `ε` on the relative L2 error (*default* 1e-2).
	pub tolerance: Perbill,
}

impl Default for TrainingTask {
	/// The training core's default round (`arena_training::TrainingConfig::default()`), so that a
	/// new subnet's task trains as it is: 4 layers × 256 wide, 4 heads, context 128, byte
	/// vocabulary (256); corpus hash `0x01…01` (placeholder to be set by the owner); 400 inner
	/// steps of batch 16; top-k 120 of every 4,096 values at 3 bits; 2 audited segments of 16
	/// steps; `ε` = 1 %.
	fn default() -> Self {
		Self {
			model: ModelConfig {
				layers: 4,
				width: 256,
				heads: 4,
				context: 128,
				vocab: 256,
			},
			corpus: [1u8; 32],
			inner_steps: 400,
			batch_size: 16,
			compression: Compression {
				topk_density: Perbill::from_parts(29_296_875),
				bits: 3,
			},
			audit_segments: 2,
			segment_length: 16,
			tolerance: Perbill::from_percent(1),
		}
	}
}

/// What the last epoch computed for a neuron (written by the emission pallet through
/// [`SubnetsInterface::set_neuron_metrics`]).
#[derive(
	Clone,
	Copy,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	Debug,
)]
pub struct NeuronMetrics<Balance> {
	/// Rank `R_j`, normalised.
	pub rank: Perquintill,
	/// Validator trust `Σ_j W̄_ij`.
	pub trust: Perquintill,
	/// Consensus `C_j`.
	pub consensus: Perquintill,
	/// Incentive `I_j`.
	pub incentive: Perquintill,
	/// Dividends `D_i`.
	pub dividends: Perquintill,
	/// Emission paid (into escrow) at the last epoch; the pruning rule uses it.
	pub emission: Balance,
}

/// Runtime-API view of a subnet.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct SubnetInfo<AccountId, Balance, BlockNumber> {
	/// The subnet.
	pub netuid: NetUid,
	/// Its owner.
	pub owner: AccountId,
	/// Block it was registered at.
	pub registered_at: BlockNumber,
	/// Lock held from the owner while the subnet lives.
	pub locked: Balance,
	/// Lock cost of registering a new subnet now.
	pub network_lock_cost_now: Balance,
	/// Price of registering a neuron on this subnet now.
	pub registration_price_now: Balance,
	/// Registered neurons.
	pub neuron_count: u16,
	/// Hyperparameters.
	pub hyperparams: SubnetHyperparams<Balance>,
	/// Training task.
	pub training_task: TrainingTask,
	/// Share of block emission the subnet currently receives.
	pub emission_share: Perquintill,
	/// Flow score (see [`EmissionInfo::emission_score`]).
	pub emission_score: i128,
	/// Total stake on the subnet.
	pub total_stake: Balance,
}

/// Runtime-API view of one neuron (one row of a metagraph).
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct NeuronInfo<AccountId, Balance, BlockNumber> {
	/// UID.
	pub uid: Uid,
	/// Hotkey.
	pub hotkey: AccountId,
	/// Coldkey owning the hotkey (if any).
	pub coldkey: Option<AccountId>,
	/// Total stake on the hotkey on this subnet.
	pub stake: Balance,
	/// Last epoch's metrics.
	pub metrics: NeuronMetrics<Balance>,
	/// Block it registered at.
	pub registered_at: BlockNumber,
	/// Block it last set (or revealed) weights at.
	pub last_update: Option<BlockNumber>,
	/// Whether it holds a validator permit.
	pub validator_permit: bool,
	/// Announced artifact endpoint (empty if none).
	pub endpoint: Vec<u8>,
}

/// Runtime-API view of one stake position of a coldkey.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct StakeInfo<AccountId, Balance> {
	/// Hotkey staked to.
	pub hotkey: AccountId,
	/// Subnet.
	pub netuid: NetUid,
	/// Amount staked (held from the coldkey).
	pub stake: Balance,
	/// Part of it that has not matured yet (SPEC §2).
	pub immature: Balance,
	/// Whether the subnet still exists (stake on a dissolved subnet can only be removed).
	pub subnet_exists: bool,
}

/// What an epoch needs to know about one neuron (see [`SubnetsInterface::epoch_neurons`]).
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct EpochNeuron<AccountId, BlockNumber> {
	/// UID.
	pub uid: Uid,
	/// Hotkey.
	pub hotkey: AccountId,
	/// Block the neuron registered at (weights and bonds older than this point at the UID's
	/// previous holder and are ignored).
	pub registered_at: BlockNumber,
	/// Block it last set (or revealed) weights at.
	pub last_update: Option<BlockNumber>,
}

/// What `pallet-subnets` offers to the other pallets.
pub trait SubnetsInterface<AccountId, Balance, BlockNumber> {
	/// Whether `netuid` exists.
	fn subnet_exists(netuid: NetUid) -> bool;
	/// Owner of `netuid`.
	fn subnet_owner(netuid: NetUid) -> Option<AccountId>;
	/// Existing subnets.
	fn netuids() -> Vec<NetUid>;
	/// Hyperparameters of `netuid`.
	fn hyperparams(netuid: NetUid) -> Option<SubnetHyperparams<Balance>>;
	/// Training task of `netuid`.
	fn training_task(netuid: NetUid) -> Option<TrainingTask>;
	/// UID of `hotkey` on `netuid`, if registered.
	fn uid_of(netuid: NetUid, hotkey: &AccountId) -> Option<Uid>;
	/// Hotkey of `uid` on `netuid`.
	fn hotkey_of(netuid: NetUid, uid: Uid) -> Option<AccountId>;
	/// All neurons of `netuid` as `(uid, hotkey)`, by UID.
	fn neurons(netuid: NetUid) -> Vec<(Uid, AccountId)>;
	/// All neurons of `netuid` with their registration and last-update blocks, by UID.
	fn epoch_neurons(netuid: NetUid) -> Vec<EpochNeuron<AccountId, BlockNumber>>;
	/// The weight row `uid` last set on `netuid` (sorted by UID, empty if none).
	fn weights(netuid: NetUid, uid: Uid) -> Vec<(Uid, u16)>;
	/// Whether `now` is an epoch block of `netuid`.
	fn is_epoch_block(netuid: NetUid, now: BlockNumber) -> bool;
	/// Number of neurons of `netuid` (its UIDs are `0..neuron_count`; 0 if it does not exist).
	fn neuron_count(netuid: NetUid) -> u16;
	/// Most subnets that can exist at once (`pallet-subnets`' `MaxSubnets`).
	fn max_subnets() -> u32;
	/// Most UIDs a subnet can have (`pallet-subnets`' `MaxUidsLimit`).
	fn max_uids() -> u32;
	/// Weight the epoch hooks (`SubnetHooks::on_epoch` of every subnet due) charged in this
	/// block's `on_initialize` so far: the emission pallet, which runs after it, keeps the
	/// block's epoch work within one budget.
	fn epoch_hooks_weight() -> Weight;
	/// Stores the epoch results of a neuron (for the metagraph and the pruning rule).
	fn set_neuron_metrics(
		netuid: NetUid,
		uid: Uid,
		metrics: NeuronMetrics<Balance>,
	) -> DispatchResult;

	/// Benchmark helper: creates a subnet owned by `owner` with `neurons` registered hotkeys
	/// (funding whatever is needed) and returns it with the hotkeys.
	#[cfg(feature = "runtime-benchmarks")]
	fn bench_create_subnet(owner: &AccountId, neurons: u32) -> (NetUid, Vec<AccountId>);
	/// Benchmark helper: stores `weights` as `uid`'s row on `netuid`, set at block `now`.
	#[cfg(feature = "runtime-benchmarks")]
	fn bench_set_weights(netuid: NetUid, uid: Uid, weights: Vec<(Uid, u16)>, now: BlockNumber);
}

/// What `pallet-stake` offers to the other pallets.
pub trait StakeInterface<AccountId, Balance> {
	/// The coldkey owning `hotkey`.
	fn hotkey_owner(hotkey: &AccountId) -> Option<AccountId>;
	/// Makes `coldkey` the owner of `hotkey` if it has none; `Ok` if it already owns it, an error
	/// if another coldkey does (or the coldkey owns too many hotkeys).
	fn associate_hotkey(coldkey: &AccountId, hotkey: &AccountId) -> DispatchResult;
	/// Total stake on `hotkey` on `netuid`.
	fn hotkey_stake(netuid: NetUid, hotkey: &AccountId) -> Balance;
	/// Total stake on `netuid`.
	fn subnet_stake(netuid: NetUid) -> Balance;
	/// Whether `hotkey` holds a validator permit on `netuid` (recomputed every epoch).
	fn has_validator_permit(netuid: NetUid, hotkey: &AccountId) -> bool;
	/// Take the hotkey keeps from its delegators' dividends.
	fn delegate_take(hotkey: &AccountId) -> Perbill;
	/// Hotkeys holding a validator permit on `netuid`.
	fn validator_permits(netuid: NetUid) -> Vec<AccountId>;
	/// Takes `hotkey`'s validator permit on `netuid` away at once (its neuron was replaced by a
	/// new registration: until the next epoch it could otherwise still vote or challenge).
	/// Returns the weight used.
	fn remove_validator_permit(netuid: NetUid, hotkey: &AccountId) -> Weight;
	/// Consensus stake of `hotkey` on `netuid` (SPEC §3): its **matured** stake (stake that has
	/// stayed the flow maturity), what permits, Yuma's `S`, escrow quorums and the delegation
	/// split count. The default (for mocks) is the hotkey's whole stake; `pallet-stake` counts
	/// matured stake only.
	fn consensus_stake(netuid: NetUid, hotkey: &AccountId) -> Balance {
		Self::hotkey_stake(netuid, hotkey)
	}
	/// Every stake position on `hotkey` on `netuid` as `(coldkey, consensus stake)` (at most
	/// `MaxPositionsPerHotkey` of them); a position's consensus stake is its matured stake.
	fn positions_on(netuid: NetUid, hotkey: &AccountId) -> Vec<(AccountId, Balance)>;
	/// Adds `amount`, already in `coldkey`'s free balance, to the position `(coldkey, hotkey,
	/// netuid)` as held stake (a reward: not reported as flow). Fails, moving nothing, if the
	/// subnet is gone, the position would stay below the minimum stake or the hold fails.
	fn stake_reward(
		coldkey: &AccountId,
		hotkey: &AccountId,
		netuid: NetUid,
		amount: Balance,
	) -> DispatchResult;

	/// Benchmark helper: gives `hotkey` (registered on `netuid`) a validator permit.
	#[cfg(feature = "runtime-benchmarks")]
	fn bench_grant_permit(netuid: NetUid, hotkey: &AccountId);
	/// Benchmark helper: stakes `amount` (funded as needed) on `hotkey` (registered on
	/// `netuid`) from its owner, counted as matured (consensus) stake at once.
	#[cfg(feature = "runtime-benchmarks")]
	fn bench_add_stake(netuid: NetUid, hotkey: &AccountId, amount: Balance);
	/// Benchmark helper: stakes `amount` (funded as needed) on `hotkey` (registered on
	/// `netuid`) from `coldkey` (a delegation), counted as matured (consensus) stake at once.
	#[cfg(feature = "runtime-benchmarks")]
	fn bench_delegate(netuid: NetUid, hotkey: &AccountId, coldkey: &AccountId, amount: Balance);
}

/// Who an epoch payout is for (SPEC §3).
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	Debug,
)]
pub enum PayoutKind {
	/// The subnet owner's cut (beneficiary: the owner account).
	Owner,
	/// A miner's incentive (beneficiary: its hotkey).
	Miner,
	/// A validator's dividends (beneficiary: its hotkey).
	Validator,
}

/// What an epoch decided, in the form `arena_rules::epoch_split::split_epoch` takes it:
/// passed to [`PayoutHandler::on_epoch_paid`] so that other reward sources (bounties) are shared
/// exactly as the epoch's emission was.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct EpochOutcome<AccountId> {
	/// The subnet owner (beneficiary of the owner cut), if the subnet still has one.
	pub owner: Option<AccountId>,
	/// The owner cut.
	pub owner_cut: Perbill,
	/// Each miner's hotkey and Yuma incentive `I_j`.
	pub incentive: Vec<(AccountId, Perquintill)>,
	/// Each counted validator's hotkey and Yuma dividends `D_i`.
	pub dividends: Vec<(AccountId, Perquintill)>,
	/// Each counted validator's stake `S_i` (same order as `dividends`), the split's fallback.
	pub validator_stake: Vec<u128>,
}

/// Where epoch payouts go (SPEC §3, §5). The emission pallet holds the minted emission in its
/// pot account and calls this for every payout of an epoch.
///
/// `pallet-stake` implements it without escrow (neuron payouts are credited to the hotkey
/// owner's stake on the subnet, the owner cut is transferred); the escrow pallet implements it by
/// opening escrow entries instead (and splits validator dividends among delegators).
pub trait PayoutHandler<AccountId, Balance> {
	/// Pays `amount`, held by `source`, to `beneficiary` for its role `kind` on `netuid`, earned
	/// in the subnet's epoch number `round`. On an error nothing has moved (the caller keeps the
	/// amount pending).
	fn pay(
		source: &AccountId,
		netuid: NetUid,
		round: u32,
		beneficiary: &AccountId,
		kind: PayoutKind,
		amount: Balance,
	) -> DispatchResult;

	/// Called once after every epoch's payouts with what the epoch decided; returns the weight
	/// used. The default does nothing.
	fn on_epoch_paid(_netuid: NetUid, _round: u32, _outcome: &EpochOutcome<AccountId>) -> Weight {
		Weight::zero()
	}

	/// Worst-case weight of one [`PayoutHandler::pay`] of `kind` (the caller charges it per
	/// payout, and it is the only price of payouts: the caller's own weight must not count
	/// them). A handler that defers work to `on_idle` (`pallet-escrow` queues validator
	/// dividends) prices the deferring, and its bounded queue's fallback is documented by it.
	/// The default is zero.
	fn pay_weight(_kind: PayoutKind) -> Weight {
		Weight::zero()
	}

	/// Worst-case weight of [`PayoutHandler::on_epoch_paid`] after an epoch of `n` UIDs and `v`
	/// validators (for a handler that stores the outcome for `on_idle`, the storing). The
	/// default is zero.
	fn on_epoch_paid_weight(_n: u32, _v: u32) -> Weight {
		Weight::zero()
	}
}

/// Told when escrowed rewards are slashed (burned), so that the emission totals can record it.
/// The `()` implementation ignores it.
pub trait OnSlash<Balance> {
	/// `amount` of `netuid`'s escrowed rewards was burned.
	fn on_slashed(netuid: NetUid, amount: Balance);
}

impl<Balance> OnSlash<Balance> for () {
	fn on_slashed(_: NetUid, _: Balance) {}
}

/// Flow reports to the emission side (SPEC §2). The `()` implementation ignores them.
///
/// Stake additions count as inflow only at `matures_at`; a removal first cancels immature
/// additions (oldest first, reported with the block they would have matured at, always in the
/// future) and only the rest, taken from matured stake, counts as outflow at once. Moving stake
/// between subnets is a removal plus an addition; moving it between hotkeys of one subnet is not
/// reported (the subnet's stake does not change and the pieces keep their maturity).
pub trait OnFlow<Balance, BlockNumber> {
	/// `amount` was staked on `netuid`; it counts as inflow at block `matures_at`.
	fn on_stake_added(netuid: NetUid, amount: Balance, matures_at: BlockNumber);
	/// Stake left `netuid`: `cancelled` are `(matures_at, amount)` immature pieces that must not
	/// count any more; `matured` is outflow now.
	fn on_stake_removed(netuid: NetUid, cancelled: &[(BlockNumber, Balance)], matured: Balance);
	/// `amount` was burned to register a neuron on `netuid`: inflow now.
	fn on_registration_burn(netuid: NetUid, amount: Balance);
}

impl<Balance, BlockNumber> OnFlow<Balance, BlockNumber> for () {
	fn on_stake_added(_: NetUid, _: Balance, _: BlockNumber) {}
	fn on_stake_removed(_: NetUid, _: &[(BlockNumber, Balance)], _: Balance) {}
	fn on_registration_burn(_: NetUid, _: Balance) {}
}

/// Subnet lifecycle hooks called by `pallet-subnets`. Implemented for `()` and tuples (called
/// in order, weights summed), so the runtime can plug `(Stake, Emission)`.
pub trait SubnetHooks {
	/// A subnet was created.
	fn on_network_added(_netuid: NetUid) -> Weight {
		Weight::zero()
	}
	/// A subnet was dissolved or pruned. Returns the weight used; `pallet-subnets` charges it.
	fn on_network_removed(_netuid: NetUid) -> Weight {
		Weight::zero()
	}
	/// Upper bound of the weight of one [`SubnetHooks::on_network_removed`] call (charged
	/// before dispatch by the calls that may remove a subnet; the actual weight is refunded).
	fn on_network_removed_max_weight() -> Weight {
		Weight::zero()
	}
	/// `netuid` reached an epoch block (called from `pallet-subnets`' `on_initialize`).
	fn on_epoch(_netuid: NetUid) -> Weight {
		Weight::zero()
	}
	/// Upper bound of the weight of one [`SubnetHooks::on_epoch`] call (for benchmarking and
	/// block-weight accounting).
	fn on_epoch_max_weight() -> Weight {
		Weight::zero()
	}
}

impl SubnetHooks for () {}

macro_rules! impl_subnet_hooks_for_tuples {
	($($t:ident),+) => {
		impl<$($t: SubnetHooks),+> SubnetHooks for ($($t,)+) {
			fn on_network_added(netuid: NetUid) -> Weight {
				Weight::zero()$(.saturating_add($t::on_network_added(netuid)))+
			}
			fn on_network_removed(netuid: NetUid) -> Weight {
				Weight::zero()$(.saturating_add($t::on_network_removed(netuid)))+
			}
			fn on_network_removed_max_weight() -> Weight {
				Weight::zero()$(.saturating_add($t::on_network_removed_max_weight()))+
			}
			fn on_epoch(netuid: NetUid) -> Weight {
				Weight::zero()$(.saturating_add($t::on_epoch(netuid)))+
			}
			fn on_epoch_max_weight() -> Weight {
				Weight::zero()$(.saturating_add($t::on_epoch_max_weight()))+
			}
		}
	};
}
impl_subnet_hooks_for_tuples!(A);
impl_subnet_hooks_for_tuples!(A, B);
impl_subnet_hooks_for_tuples!(A, B, C);
impl_subnet_hooks_for_tuples!(A, B, C, D);

/// Emission-side information `pallet-subnets` needs (pruning, views). `()` reports zeros.
pub trait EmissionInfo {
	/// Flow score `S_s` of the subnet as the raw inner value of a `FixedI128` (units · 10^18).
	fn emission_score(netuid: NetUid) -> i128;
	/// Current share of block emission.
	fn emission_share(netuid: NetUid) -> Perquintill;
	/// Flow debt (units) the subnet would leave if it were removed now, counting the matured
	/// stake still on it as outflow (SPEC §2; `arena_rules::flow::removal_debt`). The subnets
	/// pallet settles it from the owner's lock when it dissolves or prunes the subnet.
	fn removal_debt(_netuid: NetUid) -> u128 {
		0
	}
	/// Weight of one [`EmissionInfo::removal_debt`] call.
	fn removal_debt_weight() -> Weight {
		Weight::zero()
	}
}

impl EmissionInfo for () {
	fn emission_score(_: NetUid) -> i128 {
		0
	}
	fn emission_share(_: NetUid) -> Perquintill {
		Perquintill::zero()
	}
}

/// Runtime-API view of the chain-wide emission state (SPEC §1–2).
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct EmissionState<Balance> {
	/// Emission of the next block at the current issuance (`E0 / 2^k`, 0 at the cap).
	pub block_emission: Balance,
	/// Total issuance `I`.
	pub total_issuance: Balance,
	/// Supply cap.
	pub supply_cap: Balance,
	/// Emission per block before any halving (`E0`).
	pub initial_emission: Balance,
	/// Halvings in effect (`k`), `None` at the cap.
	pub halvings: Option<u32>,
	/// Issuance at which the next halving starts (`None` at or near the cap).
	pub next_halving: Option<Balance>,
	/// Σ block emission computed so far (= minted + not minted).
	pub emitted: Balance,
	/// Σ minted into the emission pot.
	pub minted: Balance,
	/// Σ block emission not minted (no subnet had a positive flow score).
	pub unminted: Balance,
	/// Σ paid out at epochs (into escrow where the runtime has it).
	pub paid: Balance,
	/// Σ of `paid` that escrow slashed (burned) for failed audits.
	pub slashed: Balance,
	/// Σ pending emission burned because its subnet was dissolved.
	pub recycled: Balance,
	/// Σ pending emission of all subnets (held by the pot).
	pub pending: Balance,
	/// Flow EMA half-life in blocks.
	pub flow_half_life: u32,
	/// Share cutoff `L` floor, raw `FixedI128` (units · 10^18).
	pub flow_cutoff: i128,
	/// Share exponent `p`.
	pub flow_exponent: u8,
}

/// Runtime-API view of one subnet's emission (SPEC §2–3).
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct SubnetEmission<Balance, BlockNumber> {
	/// The subnet.
	pub netuid: NetUid,
	/// Flow score `S_s`, raw `FixedI128` (units · 10^18).
	pub flow_score: i128,
	/// Current share of block emission.
	pub share: Perquintill,
	/// Emission accumulated since its last epoch.
	pub pending: Balance,
	/// Block of its last epoch.
	pub last_epoch: Option<BlockNumber>,
	/// Whether its epoch is due and waiting (epochs run within a per-block weight budget).
	pub epoch_queued: bool,
}
