//! # Subnets pallet
//!
//! Subnets, their neurons and the neurons' weights (SPEC §3–§4, §6).
//!
//! ## Subnets
//! - [`Pallet::register_network`] creates a subnet owned by the caller. Its lock cost
//!   (`max(min_lock, 2·last_lock − last_lock·blocks_since_last/interval)`,
//!   [`arena_rules::registration::subnet_lock_cost`]) is **held** from the caller under
//!   [`HoldReason::SubnetLock`] while the subnet lives and released by
//!   [`Pallet::dissolve_network`]. An owner who dissolves its subnet fewer than
//!   `Config::LockReductionInterval` blocks after registering it forfeits (burns) the part of
//!   the lock above `Config::MinLockCost` ([`arena_rules::registration::dissolution_forfeit`]):
//!   registering then dissolving would otherwise double the next creator's price for free.
//!   If the dissolved subnet is still the latest registration, the lock price it raised is
//!   also put back ([`arena_rules::registration::restored_last_lock`]): the next creator pays
//!   at most what it paid, which closes the first doubling from `min_lock` (forfeit 0).
//! - A removed subnet's **flow debt** does not vanish with it (SPEC §2): at every removal
//!   (dissolution by the owner or the admin, pruning) the matured stake still on the subnet
//!   counts as outflow, and the debt that leaves ([`arena_rules::flow::removal_debt`], read from
//!   `Config::EmissionInfo`) is burned from the lock, up to the lock
//!   ([`arena_rules::registration::removal_forfeit`]). Otherwise capital could earn credit on a
//!   subnet, leave (or stay until the dissolution), have the subnet dissolved and its lock
//!   returned, and count as fresh inflow on the next subnet.
//! - At most [`SubnetLimit`] subnets (*default* 32, at most `Config::MaxSubnets`). When the limit
//!   is reached a registration prunes one subnet: **among subnets outside the network immunity
//!   period (`Config::NetworkImmunityPeriod`), the one with the lowest emission score
//!   (`Config::EmissionInfo`); ties go to the oldest registration, then the lowest netuid**
//!   ([`rules::subnet_to_prune`]). If every subnet is immune the registration fails. The pruned
//!   subnet's owner gets its lock back, less the subnet's flow debt.
//! - Netuids are never reused, so stake left on a dissolved subnet (which its owners withdraw
//!   from `pallet-stake` at their leisure) can never be mistaken for stake on a new subnet.
//! - The owner sets [hyperparameters](arena_pallet_primitives::SubnetHyperparams) and the
//!   [training task](arena_pallet_primitives::TrainingTask); every change is checked against
//!   [`types::bounds`] and the `Config` limits.
//!
//! ## Neurons
//! - [`Pallet::burned_register`] burns the registration price (multiplied by 1.26 after each
//!   registration, decaying with a half-life of one tempo, clamped to the owner's min/max:
//!   [`arena_rules::registration::BurnState`]) and assigns the next UID; a full subnet replaces
//!   its lowest-emission neuron outside the immunity period, ties to the oldest registration
//!   ([`arena_rules::registration::prune_candidate`]). The burn is reported as inflow through
//!   `Config::OnFlow`. UIDs are dense: `0..NeuronCount`.
//! - [`Pallet::serve_endpoint`] stores where a neuron's artifacts can be fetched.
//!
//! ## Weights
//! Permitted validators (`Config::Stake`) set weight rows with [`Pallet::set_weights`], or, when
//! the subnet enables commit-reveal, commit a hash ([`Pallet::commit_weights`]) and reveal it
//! ([`Pallet::reveal_weights`]) in the window that opens at the first epoch boundary after the
//! commit and lasts `reveal_window` blocks; the window is fixed (stored) at the commit, so a
//! later tempo change cannot move it. One set/commit per validator per **epoch window**
//! ([`arena_rules::epoch_schedule::same_epoch_window`]). Rows are checked by the one weight-row
//! rule, [`arena_rules::yuma::validate_weights`]; call arguments are bounded by
//! `Config::MaxUidsLimit`.
//!
//! ## Owner settings
//! No owner setting can load every block: the tempo has a floor ([`MinTempo`], a genesis
//! parameter defaulting to `Config::DefaultMinTempo`), and the emission pallet runs the epochs
//! that fall due within a per-block weight budget.
//!
//! ## Epochs
//! Every block, for each subnet whose epoch block it is (`(now + netuid) % tempo == 0`),
//! `Config::Hooks::on_epoch` is called (e.g. `pallet-stake` recomputes validator permits, the
//! emission pallet queues Yuma, which it runs within its weight budget).
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(
	not(test),
	warn(clippy::arithmetic_side_effects, clippy::indexing_slicing)
)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod migrations;
#[cfg(test)]
mod mock;
pub mod rules;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use arena_pallet_primitives as primitives;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use crate::{rules::SubnetCandidate, types::*};
	use alloc::vec::Vec;
	use arena_pallet_primitives::{
		EmissionInfo, EpochNeuron, NetUid, NeuronInfo, NeuronMetrics, OnFlow, StakeInterface,
		SubnetHooks, SubnetHyperparams, SubnetInfo, SubnetsInterface, TrainingTask, Uid,
	};
	use arena_rules::{
		epoch_schedule,
		registration::{self as reg, BurnParams, BurnState},
		yuma::{self, WeightsError},
	};
	use codec::Encode;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			tokens::{Fortitude, Precision, Preservation},
			BuildGenesisConfig,
		},
	};
	use frame_system::pallet_prelude::*;
	use sp_core::H256;
	use sp_runtime::{
		traits::{SaturatedConversion, Saturating},
		FixedU128,
	};

	/// Balance type of the configured currency.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
	/// A stored subnet record.
	pub type SubnetRecordOf<T> =
		SubnetRecord<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;
	/// A stored neuron.
	pub type NeuronOf<T> =
		Neuron<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;
	/// Hyperparameters with this runtime's balance.
	pub type HyperparamsOf<T> = SubnetHyperparams<BalanceOf<T>>;
	/// A weight row: `(uid, value)` sorted by UID.
	pub type WeightRowOf<T> = BoundedVec<(Uid, u16), <T as Config>::MaxUidsLimit>;
	/// A call argument of UIDs or weight values: at most `MaxUidsLimit` entries.
	pub type WeightArgOf<T> = BoundedVec<u16, <T as Config>::MaxUidsLimit>;
	/// An endpoint.
	pub type EndpointOf<T> = BoundedVec<u8, <T as Config>::MaxEndpointLen>;
	/// Runtime-API view of a neuron.
	pub type NeuronInfoOf<T> =
		NeuronInfo<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;
	/// Runtime-API view of a subnet.
	pub type SubnetInfoOf<T> =
		SubnetInfo<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;
	/// A batch of hyperparameter changes.
	pub type HyperParamChanges<T> = BoundedVec<HyperParam<BalanceOf<T>>, ConstU32<16>>;

	/// The in-code storage version: 1 stores each weight commit's reveal window
	/// ([`crate::migrations::v1`]).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The lock of a subnet, held from its owner while the subnet lives.
		#[codec(index = 0)]
		SubnetLock,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The native currency: holds subnet locks and burns registration prices.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The runtime's hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// Stake side: hotkey ownership, stake and validator permits.
		type Stake: StakeInterface<Self::AccountId, BalanceOf<Self>>;
		/// Emission side: registration burns are reported as inflow.
		type OnFlow: OnFlow<BalanceOf<Self>, BlockNumberFor<Self>>;
		/// Subnet lifecycle and epoch hooks (e.g. `(Stake, Emission)`).
		type Hooks: SubnetHooks;
		/// Emission scores and shares (for pruning and views).
		type EmissionInfo: EmissionInfo;
		/// Origin that may change the subnet limit and dissolve any subnet (e.g. root).
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Hard cap of the subnet limit.
		#[pallet::constant]
		type MaxSubnets: Get<u16>;
		/// Tempo floor at genesis unless the genesis config sets one ([`MinTempo`]): no owner
		/// can set a shorter tempo.
		#[pallet::constant]
		type DefaultMinTempo: Get<u32>;
		/// Subnet limit at genesis (*default* 32).
		#[pallet::constant]
		type DefaultSubnetLimit: Get<u16>;
		/// Floor of the subnet lock cost.
		#[pallet::constant]
		type MinLockCost: Get<BalanceOf<Self>>;
		/// Lock cost decay interval in blocks: the cost falls from `2·last` to `last` over one
		/// interval and to the floor over two.
		#[pallet::constant]
		type LockReductionInterval: Get<BlockNumberFor<Self>>;
		/// Blocks after registration during which a subnet cannot be pruned.
		#[pallet::constant]
		type NetworkImmunityPeriod: Get<BlockNumberFor<Self>>;
		/// Hard cap of `max_uids` (bounds weight rows).
		#[pallet::constant]
		type MaxUidsLimit: Get<u32>;
		/// Hard cap of `max_validators`.
		#[pallet::constant]
		type MaxValidatorsLimit: Get<u32>;
		/// Hard cap of `max_burn`.
		#[pallet::constant]
		type MaxBurnLimit: Get<BalanceOf<Self>>;
		/// Multiplier of the burn price after each registration (*default* 1.26).
		#[pallet::constant]
		type RegistrationBurnBump: Get<FixedU128>;
		/// Longest endpoint in bytes.
		#[pallet::constant]
		type MaxEndpointLen: Get<u32>;
		/// Hyperparameters of a new subnet.
		#[pallet::constant]
		type DefaultHyperparams: Get<SubnetHyperparams<BalanceOf<Self>>>;
		/// Training task of a new subnet.
		#[pallet::constant]
		type DefaultTrainingTask: Get<TrainingTask>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Maximum number of subnets that may exist at once.
	#[pallet::storage]
	pub type SubnetLimit<T: Config> = StorageValue<_, u16, ValueQuery, T::DefaultSubnetLimit>;

	/// Netuid the next subnet gets (netuids are never reused).
	#[pallet::storage]
	pub type NextNetUid<T: Config> = StorageValue<_, NetUid, ValueQuery>;

	/// Shortest tempo an owner may set (fixed at genesis; dev chains use short ones).
	#[pallet::storage]
	pub type MinTempo<T: Config> = StorageValue<_, u32, ValueQuery, T::DefaultMinTempo>;

	/// Weight the epoch hooks charged in this block's `on_initialize` (absent when no epoch
	/// fell due); read by the emission pallet to keep the block's epoch work in one budget.
	#[pallet::storage]
	pub type EpochHooksWeight<T: Config> = StorageValue<_, Weight, ValueQuery>;

	/// Number of existing subnets.
	#[pallet::storage]
	pub type SubnetCount<T: Config> = StorageValue<_, u16, ValueQuery>;

	/// Existing subnets: owner, lock, registration block.
	#[pallet::storage]
	pub type Networks<T: Config> = StorageMap<_, Twox64Concat, NetUid, SubnetRecordOf<T>>;

	/// Hyperparameters of each subnet.
	#[pallet::storage]
	pub type Hyperparams<T: Config> = StorageMap<_, Twox64Concat, NetUid, HyperparamsOf<T>>;

	/// Training task of each subnet.
	#[pallet::storage]
	pub type TrainingTasks<T: Config> = StorageMap<_, Twox64Concat, NetUid, TrainingTask>;

	/// Lock of the last subnet registration.
	#[pallet::storage]
	pub type LastLockCost<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// Block of the last subnet registration.
	#[pallet::storage]
	pub type LastLockBlock<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Registration burn price of each subnet at its last update (units, block).
	#[pallet::storage]
	pub type Burn<T: Config> = StorageMap<_, Twox64Concat, NetUid, BurnState>;

	/// Number of neurons of each subnet; their UIDs are `0..NeuronCount`.
	#[pallet::storage]
	pub type NeuronCount<T: Config> = StorageMap<_, Twox64Concat, NetUid, u16, ValueQuery>;

	/// Neurons by `(netuid, uid)`.
	#[pallet::storage]
	pub type Neurons<T: Config> =
		StorageDoubleMap<_, Twox64Concat, NetUid, Twox64Concat, Uid, NeuronOf<T>>;

	/// UID of each registered hotkey by `(netuid, hotkey)`.
	#[pallet::storage]
	pub type Uids<T: Config> =
		StorageDoubleMap<_, Twox64Concat, NetUid, Blake2_128Concat, T::AccountId, Uid>;

	/// Artifact endpoint of each neuron by `(netuid, uid)`.
	#[pallet::storage]
	pub type Endpoints<T: Config> =
		StorageDoubleMap<_, Twox64Concat, NetUid, Twox64Concat, Uid, EndpointOf<T>>;

	/// Weight row of each validator by `(netuid, uid)`: `(uid, value)` sorted by UID.
	#[pallet::storage]
	pub type Weights<T: Config> =
		StorageDoubleMap<_, Twox64Concat, NetUid, Twox64Concat, Uid, WeightRowOf<T>>;

	/// Pending weight commit of each validator by `(netuid, uid)`.
	#[pallet::storage]
	pub type WeightCommits<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		NetUid,
		Twox64Concat,
		Uid,
		WeightCommit<BlockNumberFor<T>>,
	>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Subnet limit (defaults to `Config::DefaultSubnetLimit` when `None`).
		pub subnet_limit: Option<u16>,
		/// Tempo floor (defaults to `Config::DefaultMinTempo` when `None`), at least
		/// [`bounds::MIN_TEMPO`] and at most the default hyperparameters' tempo.
		pub min_tempo: Option<u32>,
		#[serde(skip)]
		/// Unused.
		pub _phantom: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(limit) = self.subnet_limit {
				assert!(
					limit >= 1 && limit <= T::MaxSubnets::get(),
					"subnet limit out of bounds"
				);
				SubnetLimit::<T>::put(limit);
			}
			if let Some(min_tempo) = self.min_tempo {
				assert!(
					min_tempo >= bounds::MIN_TEMPO
						&& min_tempo <= T::DefaultHyperparams::get().tempo,
					"min_tempo out of bounds"
				);
				MinTempo::<T>::put(min_tempo);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A subnet was registered and `locked` was held from its owner.
		NetworkRegistered {
			netuid: NetUid,
			owner: T::AccountId,
			locked: BalanceOf<T>,
		},
		/// A subnet was dissolved by its owner (or the admin); `released` went back to the owner.
		NetworkDissolved {
			netuid: NetUid,
			owner: T::AccountId,
			released: BalanceOf<T>,
		},
		/// The owner dissolved its subnet within `LockReductionInterval` blocks of registering
		/// it: `amount` (its lock above `MinLockCost`) was burned.
		LockForfeited {
			netuid: NetUid,
			owner: T::AccountId,
			amount: BalanceOf<T>,
		},
		/// A removed (dissolved or pruned) subnet left a flow debt of `debt` units (its score
		/// after the matured stake still on it counted as outflow, SPEC §2); `burned` of it was
		/// settled from the owner's lock (at most the lock, after any early-dissolution forfeit).
		FlowDebtSettled {
			netuid: NetUid,
			owner: T::AccountId,
			debt: BalanceOf<T>,
			burned: BalanceOf<T>,
		},
		/// A subnet was pruned to make room for a new one; `released` went back to the owner.
		NetworkPruned {
			netuid: NetUid,
			owner: T::AccountId,
			released: BalanceOf<T>,
		},
		/// The subnet limit changed.
		SubnetLimitSet { limit: u16 },
		/// A subnet's hyperparameters changed (new values).
		HyperparamsSet {
			netuid: NetUid,
			hyperparams: HyperparamsOf<T>,
		},
		/// A subnet's training task changed.
		TrainingTaskSet { netuid: NetUid, task: TrainingTask },
		/// A neuron registered, burning `burned`; `replaced` is the hotkey it replaced.
		NeuronRegistered {
			netuid: NetUid,
			uid: Uid,
			hotkey: T::AccountId,
			coldkey: T::AccountId,
			burned: BalanceOf<T>,
			replaced: Option<T::AccountId>,
		},
		/// A neuron announced its artifact endpoint.
		EndpointServed {
			netuid: NetUid,
			uid: Uid,
			endpoint: EndpointOf<T>,
		},
		/// A validator set weights.
		WeightsSet { netuid: NetUid, uid: Uid },
		/// A validator committed weights.
		WeightsCommitted {
			netuid: NetUid,
			uid: Uid,
			hash: H256,
		},
		/// A validator revealed committed weights.
		WeightsRevealed { netuid: NetUid, uid: Uid },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The subnet does not exist.
		SubnetNotFound,
		/// The caller does not own the subnet.
		NotSubnetOwner,
		/// The subnet limit is reached and every subnet is immune.
		SubnetLimitReached,
		/// All netuids have been used.
		NetUidsExhausted,
		/// Not enough free balance to hold the lock or burn the price.
		InsufficientBalance,
		/// The subnet limit must be in `1..=MaxSubnets`.
		LimitOutOfBounds,
		/// The subnet limit cannot be lowered below the number of subnets.
		LimitBelowSubnetCount,
		/// No hyperparameter change given.
		NoChanges,
		/// `tempo` below the floor ([`MinTempo`]) or above the bound.
		InvalidTempo,
		/// `max_uids` zero or above `MaxUidsLimit`.
		InvalidMaxUids,
		/// `max_uids` below the current number of neurons.
		MaxUidsBelowNeuronCount,
		/// `immunity_period` out of bounds.
		InvalidImmunityPeriod,
		/// Burn bounds invalid: `0 < min_burn <= max_burn <= MaxBurnLimit` required.
		InvalidBurnBounds,
		/// `max_validators` zero, above `max_uids` or above `MaxValidatorsLimit`.
		InvalidMaxValidators,
		/// `activity_cutoff` below `tempo` or out of bounds.
		InvalidActivityCutoff,
		/// `kappa` must be positive.
		InvalidKappa,
		/// `bonds_moving_average` must be positive.
		InvalidBondsMovingAverage,
		/// `reveal_window` out of bounds.
		InvalidRevealWindow,
		/// `escrow_window` out of bounds.
		InvalidEscrowWindow,
		/// Model shape out of bounds (or width not a multiple of heads).
		InvalidModelConfig,
		/// The corpus hash is zero.
		InvalidCorpus,
		/// `inner_steps` or `batch_size` out of bounds.
		InvalidSteps,
		/// Compression out of bounds.
		InvalidCompression,
		/// `segment_length` zero or not dividing `inner_steps`.
		InvalidSegmentLength,
		/// `audit_segments` out of bounds.
		InvalidAuditSegments,
		/// Tolerance `ε` is zero.
		InvalidTolerance,
		/// The hotkey is already registered on this subnet.
		AlreadyRegistered,
		/// The subnet is full and every neuron is immune.
		NoNeuronToReplace,
		/// The hotkey is not registered on this subnet.
		NotRegistered,
		/// The endpoint is longer than `MaxEndpointLen`.
		EndpointTooLong,
		/// The endpoint's scheme is not one of `https://`, `http://`, `ipfs://`, `s3://` (or
		/// nothing follows it).
		InvalidEndpointScheme,
		/// The endpoint contains bytes outside printable ASCII.
		InvalidEndpointCharacters,
		/// Commit-reveal is enabled: use `commit_weights` / `reveal_weights`.
		CommitRevealEnabled,
		/// Commit-reveal is disabled: use `set_weights`.
		CommitRevealDisabled,
		/// The hotkey holds no validator permit on this subnet.
		NoValidatorPermit,
		/// `version_key` below the subnet's `weights_version`.
		IncorrectWeightsVersion,
		/// Weights were already set or committed in this epoch window.
		SettingWeightsTooFast,
		/// `uids` and `values` differ in length.
		WeightLengthMismatch,
		/// More weights than `max_uids`.
		TooManyWeights,
		/// A UID is not registered.
		UnknownUid,
		/// A UID appears twice.
		DuplicateUid,
		/// All weights are zero.
		AllZeroWeights,
		/// No pending commit.
		NoWeightsCommit,
		/// The reveal window has not opened yet.
		RevealTooEarly,
		/// The reveal window has closed.
		RevealExpired,
		/// The revealed data does not match the commit.
		InvalidReveal,
		/// No neuron with this UID.
		NeuronNotFound,
	}

	impl<T> From<BoundsError> for Error<T> {
		fn from(e: BoundsError) -> Self {
			match e {
				BoundsError::Tempo => Error::InvalidTempo,
				BoundsError::MaxUids => Error::InvalidMaxUids,
				BoundsError::MaxUidsBelowNeuronCount => Error::MaxUidsBelowNeuronCount,
				BoundsError::ImmunityPeriod => Error::InvalidImmunityPeriod,
				BoundsError::BurnBounds => Error::InvalidBurnBounds,
				BoundsError::MaxValidators => Error::InvalidMaxValidators,
				BoundsError::ActivityCutoff => Error::InvalidActivityCutoff,
				BoundsError::Kappa => Error::InvalidKappa,
				BoundsError::BondsMovingAverage => Error::InvalidBondsMovingAverage,
				BoundsError::RevealWindow => Error::InvalidRevealWindow,
				BoundsError::EscrowWindow => Error::InvalidEscrowWindow,
				BoundsError::ModelConfig => Error::InvalidModelConfig,
				BoundsError::Corpus => Error::InvalidCorpus,
				BoundsError::Steps => Error::InvalidSteps,
				BoundsError::Compression => Error::InvalidCompression,
				BoundsError::SegmentLength => Error::InvalidSegmentLength,
				BoundsError::AuditSegments => Error::InvalidAuditSegments,
				BoundsError::Tolerance => Error::InvalidTolerance,
			}
		}
	}

	impl<T> From<WeightsError> for Error<T> {
		fn from(e: WeightsError) -> Self {
			match e {
				WeightsError::LengthMismatch => Error::WeightLengthMismatch,
				WeightsError::TooMany => Error::TooManyWeights,
				WeightsError::UnknownUid => Error::UnknownUid,
				WeightsError::Duplicate => Error::DuplicateUid,
				WeightsError::AllZero => Error::AllZeroWeights,
			}
		}
	}

	impl<T> From<EndpointError> for Error<T> {
		fn from(e: EndpointError) -> Self {
			match e {
				EndpointError::Scheme => Error::InvalidEndpointScheme,
				EndpointError::Characters => Error::InvalidEndpointCharacters,
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Calls `Config::Hooks::on_epoch` for every subnet whose epoch block this is and
		/// records their weight in [`EpochHooksWeight`].
		fn on_initialize(n: BlockNumberFor<T>) -> Weight {
			let now = n.saturated_into::<u64>();
			let mut hooks = Weight::zero();
			for (netuid, hp) in Hyperparams::<T>::iter() {
				if rules::is_epoch_block(netuid, now, hp.tempo) {
					hooks = hooks.saturating_add(T::Hooks::on_epoch(netuid));
				}
			}
			if hooks.is_zero() {
				EpochHooksWeight::<T>::kill();
			} else {
				EpochHooksWeight::<T>::put(hooks);
			}
			T::WeightInfo::on_initialize(u32::from(SubnetCount::<T>::get())).saturating_add(hooks)
		}

		fn integrity_test() {
			assert!(
				T::DefaultSubnetLimit::get() >= 1,
				"DefaultSubnetLimit must be >= 1"
			);
			assert!(
				T::DefaultSubnetLimit::get() <= T::MaxSubnets::get(),
				"DefaultSubnetLimit must be <= MaxSubnets"
			);
			assert!(
				T::MaxUidsLimit::get() >= 1 && T::MaxUidsLimit::get() <= u32::from(u16::MAX),
				"MaxUidsLimit must be in 1..=65535"
			);
			assert!(
				T::MaxValidatorsLimit::get() >= 1
					&& T::MaxValidatorsLimit::get() <= T::MaxUidsLimit::get(),
				"MaxValidatorsLimit must be in 1..=MaxUidsLimit"
			);
			assert!(
				T::MaxEndpointLen::get() >= 16,
				"MaxEndpointLen must be >= 16"
			);
			assert!(
				T::LockReductionInterval::get() > Zero::zero(),
				"LockReductionInterval must be positive"
			);
			assert!(
				T::RegistrationBurnBump::get() >= FixedU128::from_u32(1),
				"RegistrationBurnBump must be >= 1"
			);
			assert!(
				T::DefaultMinTempo::get() >= bounds::MIN_TEMPO,
				"DefaultMinTempo must be >= bounds::MIN_TEMPO"
			);
			assert!(
				T::MaxUidsLimit::get() as usize <= yuma::MAX_UIDS,
				"MaxUidsLimit must be <= yuma::MAX_UIDS"
			);
			let limits = Limits {
				min_tempo: T::DefaultMinTempo::get(),
				..Self::limits()
			};
			assert_eq!(
				check_hyperparams(&T::DefaultHyperparams::get(), &limits, 0),
				Ok(()),
				"DefaultHyperparams out of bounds (tempo below DefaultMinTempo?)"
			);
			assert_eq!(
				check_training_task(&T::DefaultTrainingTask::get()),
				Ok(()),
				"DefaultTrainingTask out of bounds"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register a new subnet owned by the caller.
		///
		/// - Origin: signed (the future owner).
		/// - Holds the current lock cost ([`Pallet::network_lock_cost`]) from the caller under
		///   [`HoldReason::SubnetLock`] until the subnet is dissolved or pruned; the next lock
		///   cost starts from this one. The subnet gets `Config::DefaultHyperparams`,
		///   `Config::DefaultTrainingTask`, a burn price of `min_burn` and the next netuid.
		/// - If [`SubnetLimit`] subnets exist, first prunes the subnet chosen by
		///   [`rules::subnet_to_prune`] (releasing its owner's lock).
		/// - Weight: the pruning scan over up to `MaxSubnets` subnets, the pruned subnet's
		///   neurons and the removal hooks' worst case before dispatch; what was used after.
		///
		/// Errors: [`Error::SubnetLimitReached`] (full and all immune),
		/// [`Error::NetUidsExhausted`], [`Error::InsufficientBalance`].
		///
		/// Events: [`Event::NetworkPruned`] (if one was pruned), [`Event::NetworkRegistered`].
		#[pallet::call_index(0)]
		#[pallet::weight(
			T::WeightInfo::register_network(u32::from(T::MaxSubnets::get()), T::MaxUidsLimit::get())
				.saturating_add(T::Hooks::on_network_removed_max_weight())
		)]
		pub fn register_network(origin: OriginFor<T>) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let now = frame_system::Pallet::<T>::block_number();
			let lock = Self::network_lock_cost();

			let (mut scanned, mut pruned_neurons) = (0u32, 0u32);
			let mut hooks_weight = Weight::zero();
			let count = SubnetCount::<T>::get();
			if count >= SubnetLimit::<T>::get() {
				scanned = u32::from(count);
				let victim = Self::subnet_to_prune(now).ok_or(Error::<T>::SubnetLimitReached)?;
				pruned_neurons = u32::from(NeuronCount::<T>::get(victim));
				hooks_weight = Self::remove_network(victim, Removal::Pruned)?;
			}
			ensure!(
				SubnetCount::<T>::get() < SubnetLimit::<T>::get(),
				Error::<T>::SubnetLimitReached
			);

			let netuid = NextNetUid::<T>::get();
			let next = netuid.checked_add(1).ok_or(Error::<T>::NetUidsExhausted)?;

			T::Currency::hold(&HoldReason::SubnetLock.into(), &who, lock)
				.map_err(|_| Error::<T>::InsufficientBalance)?;

			let hp = T::DefaultHyperparams::get();
			Burn::<T>::insert(
				netuid,
				BurnState {
					price: hp.min_burn.saturated_into(),
					updated_at: now.saturated_into(),
				},
			);
			Hyperparams::<T>::insert(netuid, hp);
			TrainingTasks::<T>::insert(netuid, T::DefaultTrainingTask::get());
			Networks::<T>::insert(
				netuid,
				SubnetRecord {
					owner: who.clone(),
					locked: lock,
					registered_at: now,
				},
			);
			NextNetUid::<T>::put(next);
			SubnetCount::<T>::mutate(|c| *c = c.saturating_add(1));
			LastLockCost::<T>::put(lock);
			LastLockBlock::<T>::put(now);

			Self::deposit_event(Event::NetworkRegistered {
				netuid,
				owner: who,
				locked: lock,
			});
			let added = T::Hooks::on_network_added(netuid);
			Ok(Some(
				T::WeightInfo::register_network(scanned, pruned_neurons)
					.saturating_add(hooks_weight)
					.saturating_add(added),
			)
			.into())
		}

		/// Dissolve a subnet and release its lock to the owner.
		///
		/// - Origin: signed by the subnet owner, or `Config::AdminOrigin`.
		/// - Removes the subnet, its hyperparameters, training task, neurons, endpoints, weights
		///   and commits. Stake on it stays held in `pallet-stake` and can be removed there.
		/// - Dissolved by its owner fewer than `Config::LockReductionInterval` blocks after its
		///   registration, the part of the lock above `Config::MinLockCost` is burned, not
		///   released (SPEC §4, lock pumping; not on the admin's dissolution).
		/// - The subnet's flow debt, counting the matured stake still on it as outflow (SPEC §2),
		///   is settled from the rest of the lock ([`Event::FlowDebtSettled`]): a subnet's debt
		///   does not vanish with it, so capital cannot earn credit, leave, have its subnet
		///   dissolved and earn fresh credit elsewhere for free. Pruning settles it the same way.
		///
		/// Errors: [`Error::SubnetNotFound`], [`Error::NotSubnetOwner`].
		///
		/// Weight: the subnet's neurons and the removal hooks' worst case before dispatch; what
		/// was used (the hooks' own report) after.
		///
		/// Events: [`Event::LockForfeited`] (early dissolution), [`Event::FlowDebtSettled`] (if it
		/// left debt), [`Event::NetworkDissolved`].
		#[pallet::call_index(1)]
		#[pallet::weight(
			T::WeightInfo::dissolve_network(T::MaxUidsLimit::get())
				.saturating_add(T::Hooks::on_network_removed_max_weight())
		)]
		pub fn dissolve_network(
			origin: OriginFor<T>,
			netuid: NetUid,
		) -> DispatchResultWithPostInfo {
			let record = Networks::<T>::get(netuid).ok_or(Error::<T>::SubnetNotFound)?;
			let by_owner = if T::AdminOrigin::try_origin(origin.clone()).is_err() {
				let who = ensure_signed(origin)?;
				ensure!(who == record.owner, Error::<T>::NotSubnetOwner);
				true
			} else {
				false
			};
			let n = u32::from(NeuronCount::<T>::get(netuid));
			let removal = if by_owner {
				Removal::DissolvedByOwner
			} else {
				Removal::DissolvedByAdmin
			};
			let hooks_weight = Self::remove_network(netuid, removal)?;
			Ok(Some(T::WeightInfo::dissolve_network(n).saturating_add(hooks_weight)).into())
		}

		/// Change hyperparameters of a subnet.
		///
		/// - Origin: signed by the subnet owner.
		/// - Applies `changes` in order (a later change of the same parameter wins) and checks
		///   the result against [`types::bounds`] and the `Config` limits; nothing changes if any
		///   bound fails. Lowering `max_burn`/raising `min_burn` clamps the current price.
		///
		/// Errors: [`Error::SubnetNotFound`], [`Error::NotSubnetOwner`], [`Error::NoChanges`],
		/// and one of `InvalidTempo`, `InvalidMaxUids`, `MaxUidsBelowNeuronCount`,
		/// `InvalidImmunityPeriod`, `InvalidBurnBounds`, `InvalidMaxValidators`,
		/// `InvalidActivityCutoff`, `InvalidKappa`, `InvalidBondsMovingAverage`,
		/// `InvalidRevealWindow`, `InvalidEscrowWindow`.
		///
		/// Events: [`Event::HyperparamsSet`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_hyperparameters())]
		pub fn set_hyperparameters(
			origin: OriginFor<T>,
			netuid: NetUid,
			changes: HyperParamChanges<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::ensure_owner(netuid, &who)?;
			ensure!(!changes.is_empty(), Error::<T>::NoChanges);
			let mut hp = Hyperparams::<T>::get(netuid).ok_or(Error::<T>::SubnetNotFound)?;
			for c in changes {
				c.apply(&mut hp);
			}
			check_hyperparams(&hp, &Self::limits(), NeuronCount::<T>::get(netuid))
				.map_err(Error::<T>::from)?;
			Hyperparams::<T>::insert(netuid, hp);
			Self::deposit_event(Event::HyperparamsSet {
				netuid,
				hyperparams: hp,
			});
			Ok(())
		}

		/// Set the training task of a subnet.
		///
		/// - Origin: signed by the subnet owner.
		/// - The whole task is checked against [`types::bounds`]: model shape (width a multiple
		///   of heads), non-zero corpus hash, inner steps and batch size, compression (top-k
		///   density > 0, 1–32 bits), segment length dividing the inner steps, audit segments.
		///
		/// Errors: [`Error::SubnetNotFound`], [`Error::NotSubnetOwner`], and one of
		/// `InvalidModelConfig`, `InvalidCorpus`, `InvalidSteps`, `InvalidCompression`,
		/// `InvalidSegmentLength`, `InvalidAuditSegments`.
		///
		/// Events: [`Event::TrainingTaskSet`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_training_task())]
		pub fn set_training_task(
			origin: OriginFor<T>,
			netuid: NetUid,
			task: TrainingTask,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::ensure_owner(netuid, &who)?;
			check_training_task(&task).map_err(Error::<T>::from)?;
			TrainingTasks::<T>::insert(netuid, task);
			Self::deposit_event(Event::TrainingTaskSet { netuid, task });
			Ok(())
		}

		/// Register `hotkey` as a neuron of `netuid`, burning the registration price.
		///
		/// - Origin: signed by the coldkey that owns (or, if unowned, will own) `hotkey`.
		/// - Burns [`Pallet::registration_price`] from the caller (total issuance falls), reports
		///   it through `Config::OnFlow::on_registration_burn`, and multiplies the price by
		///   `Config::RegistrationBurnBump`. The neuron gets the next UID; if the subnet is full
		///   it replaces the lowest-emission neuron outside the immunity period (ties: oldest
		///   registration, then lowest UID), whose endpoint, weights and commit are cleared and
		///   whose validator permit is taken away at once.
		///
		/// Errors: [`Error::SubnetNotFound`], [`Error::AlreadyRegistered`], the stake pallet's
		/// ownership error if another coldkey owns `hotkey`, [`Error::NoNeuronToReplace`],
		/// [`Error::InsufficientBalance`].
		///
		/// Events: [`Event::NeuronRegistered`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::burned_register(T::MaxUidsLimit::get()))]
		pub fn burned_register(
			origin: OriginFor<T>,
			netuid: NetUid,
			hotkey: T::AccountId,
		) -> DispatchResultWithPostInfo {
			let coldkey = ensure_signed(origin)?;
			let hp = Hyperparams::<T>::get(netuid).ok_or(Error::<T>::SubnetNotFound)?;
			ensure!(
				!Uids::<T>::contains_key(netuid, &hotkey),
				Error::<T>::AlreadyRegistered
			);
			T::Stake::associate_hotkey(&coldkey, &hotkey)?;

			let now = frame_system::Pallet::<T>::block_number();
			let now64 = now.saturated_into::<u64>();
			let state = Burn::<T>::get(netuid).unwrap_or_default();
			let (price, next_state) = state.register(now64, &Self::burn_params(&hp));
			let burned: BalanceOf<T> = price.saturated_into();
			T::Currency::burn_from(
				&coldkey,
				burned,
				Preservation::Preserve,
				Precision::Exact,
				Fortitude::Polite,
			)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
			Burn::<T>::insert(netuid, next_state);

			let n = NeuronCount::<T>::get(netuid);
			let (uid, replaced, scanned) = if n < hp.max_uids {
				NeuronCount::<T>::insert(netuid, n.saturating_add(1));
				(n, None, 0u32)
			} else {
				let candidates: Vec<reg::NeuronInfo> = Neurons::<T>::iter_prefix(netuid)
					.map(|(uid, nrn)| reg::NeuronInfo {
						uid,
						emission: nrn.metrics.emission.saturated_into(),
						registered_at: nrn.registered_at.saturated_into(),
					})
					.collect();
				let uid = reg::prune_candidate(&candidates, now64, u64::from(hp.immunity_period))
					.ok_or(Error::<T>::NoNeuronToReplace)?;
				let old = Neurons::<T>::get(netuid, uid).ok_or(Error::<T>::NeuronNotFound)?;
				// The replaced hotkey's permit goes now, not at the next epoch.
				T::Stake::remove_validator_permit(netuid, &old.hotkey);
				Uids::<T>::remove(netuid, &old.hotkey);
				Endpoints::<T>::remove(netuid, uid);
				Weights::<T>::remove(netuid, uid);
				WeightCommits::<T>::remove(netuid, uid);
				(uid, Some(old.hotkey), u32::from(n))
			};
			Neurons::<T>::insert(
				netuid,
				uid,
				Neuron {
					hotkey: hotkey.clone(),
					registered_at: now,
					last_update: None,
					metrics: NeuronMetrics::default(),
				},
			);
			Uids::<T>::insert(netuid, &hotkey, uid);
			T::OnFlow::on_registration_burn(netuid, burned);

			Self::deposit_event(Event::NeuronRegistered {
				netuid,
				uid,
				hotkey,
				coldkey,
				burned,
				replaced,
			});
			Ok(Some(T::WeightInfo::burned_register(scanned)).into())
		}

		/// Announce where the caller's artifacts (checkpoints, updates, states) can be fetched.
		///
		/// - Origin: signed by a hotkey registered on `netuid`.
		/// - `endpoint`: at most `Config::MaxEndpointLen` bytes, scheme `https://`, `http://`,
		///   `ipfs://` or `s3://`, printable ASCII without spaces. Replaces the previous one.
		///
		/// Errors: [`Error::SubnetNotFound`], [`Error::NotRegistered`],
		/// [`Error::EndpointTooLong`], [`Error::InvalidEndpointScheme`],
		/// [`Error::InvalidEndpointCharacters`].
		///
		/// Events: [`Event::EndpointServed`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::serve_endpoint())]
		pub fn serve_endpoint(
			origin: OriginFor<T>,
			netuid: NetUid,
			endpoint: Vec<u8>,
		) -> DispatchResult {
			let hotkey = ensure_signed(origin)?;
			ensure!(
				Networks::<T>::contains_key(netuid),
				Error::<T>::SubnetNotFound
			);
			let uid = Uids::<T>::get(netuid, &hotkey).ok_or(Error::<T>::NotRegistered)?;
			let endpoint: EndpointOf<T> = endpoint
				.try_into()
				.map_err(|_| Error::<T>::EndpointTooLong)?;
			check_endpoint(&endpoint).map_err(Error::<T>::from)?;
			Endpoints::<T>::insert(netuid, uid, &endpoint);
			Self::deposit_event(Event::EndpointServed {
				netuid,
				uid,
				endpoint,
			});
			Ok(())
		}

		/// Set the caller's weight row on `netuid` (commit-reveal off).
		///
		/// - Origin: signed by a registered hotkey holding a validator permit.
		/// - `uids`/`values`: at most `MaxUidsLimit` each (bounded arguments), checked by
		///   [`arena_rules::yuma::validate_weights`]: same length, at most `max_uids`, registered
		///   UIDs, no duplicates, not all zero. `version_key >= weights_version`. At most once
		///   per epoch window of the subnet. Stored sorted by UID; updates the neuron's
		///   `last_update`.
		///
		/// Errors: [`Error::SubnetNotFound`], [`Error::CommitRevealEnabled`],
		/// [`Error::NotRegistered`], [`Error::NoValidatorPermit`],
		/// [`Error::IncorrectWeightsVersion`], [`Error::SettingWeightsTooFast`],
		/// [`Error::WeightLengthMismatch`], [`Error::TooManyWeights`], [`Error::UnknownUid`],
		/// [`Error::DuplicateUid`], [`Error::AllZeroWeights`].
		///
		/// Events: [`Event::WeightsSet`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::set_weights(uids.len().max(values.len()).saturated_into()))]
		pub fn set_weights(
			origin: OriginFor<T>,
			netuid: NetUid,
			uids: WeightArgOf<T>,
			values: WeightArgOf<T>,
			version_key: u64,
		) -> DispatchResult {
			let hotkey = ensure_signed(origin)?;
			let hp = Hyperparams::<T>::get(netuid).ok_or(Error::<T>::SubnetNotFound)?;
			ensure!(!hp.commit_reveal, Error::<T>::CommitRevealEnabled);
			let (uid, neuron) = Self::ensure_validator(netuid, &hotkey)?;
			ensure!(
				version_key >= hp.weights_version,
				Error::<T>::IncorrectWeightsVersion
			);
			let now = frame_system::Pallet::<T>::block_number();
			Self::ensure_rate(netuid, neuron.last_update, now, hp.tempo)?;
			Self::store_weights(netuid, uid, neuron, &hp, &uids, &values, now)?;
			Self::deposit_event(Event::WeightsSet { netuid, uid });
			Ok(())
		}

		/// Commit a hash of the caller's next weight row (commit-reveal on).
		///
		/// - Origin: signed by a registered hotkey holding a validator permit.
		/// - `hash = blake2_256(SCALE((hotkey, netuid, uids, values, salt, version_key)))`, see
		///   [`Pallet::commit_hash`]. Replaces any previous commit. At most once per epoch
		///   window. The reveal window ([`Pallet::reveal_window`] at the current tempo) is
		///   stored with the commit: a later tempo change does not move it.
		///
		/// Errors: [`Error::SubnetNotFound`], [`Error::CommitRevealDisabled`],
		/// [`Error::NotRegistered`], [`Error::NoValidatorPermit`],
		/// [`Error::SettingWeightsTooFast`].
		///
		/// Events: [`Event::WeightsCommitted`].
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::commit_weights())]
		pub fn commit_weights(origin: OriginFor<T>, netuid: NetUid, hash: H256) -> DispatchResult {
			let hotkey = ensure_signed(origin)?;
			let hp = Hyperparams::<T>::get(netuid).ok_or(Error::<T>::SubnetNotFound)?;
			ensure!(hp.commit_reveal, Error::<T>::CommitRevealDisabled);
			let (uid, _) = Self::ensure_validator(netuid, &hotkey)?;
			let now = frame_system::Pallet::<T>::block_number();
			let last = WeightCommits::<T>::get(netuid, uid).map(|c| c.committed_at);
			Self::ensure_rate(netuid, last, now, hp.tempo)?;
			let (open, close) = Self::reveal_window(netuid, &hp, now);
			WeightCommits::<T>::insert(
				netuid,
				uid,
				WeightCommit {
					hash,
					committed_at: now,
					reveal_open: open.saturated_into(),
					reveal_close: close.saturated_into(),
				},
			);
			Self::deposit_event(Event::WeightsCommitted { netuid, uid, hash });
			Ok(())
		}

		/// Reveal the weight row committed with [`Pallet::commit_weights`].
		///
		/// - Origin: signed by the committing hotkey, still registered and permitted.
		/// - Allowed in the window stored with the commit: from the first epoch block of the
		///   subnet after the commit, for `reveal_window` blocks, both at the settings of the
		///   commit. The data (`uids`/`values` bounded by `MaxUidsLimit`) must hash to the
		///   commit and pass the same checks as [`Pallet::set_weights`]. Removes the commit;
		///   updates `last_update`. Charged by the row length (hashing included).
		///
		/// Errors: [`Error::SubnetNotFound`], [`Error::CommitRevealDisabled`],
		/// [`Error::NotRegistered`], [`Error::NoValidatorPermit`], [`Error::NoWeightsCommit`],
		/// [`Error::RevealTooEarly`], [`Error::RevealExpired`], [`Error::InvalidReveal`],
		/// [`Error::IncorrectWeightsVersion`] and the weight-row errors of `set_weights`.
		///
		/// Events: [`Event::WeightsRevealed`].
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::reveal_weights(uids.len().max(values.len()).saturated_into()))]
		pub fn reveal_weights(
			origin: OriginFor<T>,
			netuid: NetUid,
			uids: WeightArgOf<T>,
			values: WeightArgOf<T>,
			salt: [u8; 32],
			version_key: u64,
		) -> DispatchResult {
			let hotkey = ensure_signed(origin)?;
			let hp = Hyperparams::<T>::get(netuid).ok_or(Error::<T>::SubnetNotFound)?;
			ensure!(hp.commit_reveal, Error::<T>::CommitRevealDisabled);
			let (uid, neuron) = Self::ensure_validator(netuid, &hotkey)?;
			let commit = WeightCommits::<T>::get(netuid, uid).ok_or(Error::<T>::NoWeightsCommit)?;
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(now >= commit.reveal_open, Error::<T>::RevealTooEarly);
			ensure!(now < commit.reveal_close, Error::<T>::RevealExpired);
			let hash = Self::commit_hash(&hotkey, netuid, &uids, &values, &salt, version_key);
			ensure!(hash == commit.hash, Error::<T>::InvalidReveal);
			ensure!(
				version_key >= hp.weights_version,
				Error::<T>::IncorrectWeightsVersion
			);
			Self::store_weights(netuid, uid, neuron, &hp, &uids, &values, now)?;
			WeightCommits::<T>::remove(netuid, uid);
			Self::deposit_event(Event::WeightsRevealed { netuid, uid });
			Ok(())
		}

		/// Change the maximum number of subnets.
		///
		/// - Origin: `Config::AdminOrigin`.
		/// - `limit` in `1..=MaxSubnets` and not below the current number of subnets.
		///
		/// Errors: [`Error::LimitOutOfBounds`], [`Error::LimitBelowSubnetCount`].
		///
		/// Events: [`Event::SubnetLimitSet`].
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::set_subnet_limit())]
		pub fn set_subnet_limit(origin: OriginFor<T>, limit: u16) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			ensure!(
				limit >= 1 && limit <= T::MaxSubnets::get(),
				Error::<T>::LimitOutOfBounds
			);
			ensure!(
				limit >= SubnetCount::<T>::get(),
				Error::<T>::LimitBelowSubnetCount
			);
			SubnetLimit::<T>::put(limit);
			Self::deposit_event(Event::SubnetLimitSet { limit });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The `Config` limits hyperparameters are checked against.
		pub fn limits() -> Limits<BalanceOf<T>> {
			Limits {
				min_tempo: MinTempo::<T>::get(),
				max_uids: T::MaxUidsLimit::get(),
				max_validators: T::MaxValidatorsLimit::get(),
				max_burn: T::MaxBurnLimit::get(),
			}
		}

		/// Lock cost of a subnet registered now (SPEC §4).
		pub fn network_lock_cost() -> BalanceOf<T> {
			let now = frame_system::Pallet::<T>::block_number();
			let since = now.saturating_sub(LastLockBlock::<T>::get());
			reg::subnet_lock_cost(
				T::MinLockCost::get().saturated_into(),
				LastLockCost::<T>::get().saturated_into(),
				since.saturated_into(),
				T::LockReductionInterval::get().saturated_into(),
			)
			.saturated_into()
		}

		/// Burn parameters of a subnet (half-life = tempo).
		pub fn burn_params(hp: &HyperparamsOf<T>) -> BurnParams {
			BurnParams {
				min: hp.min_burn.saturated_into(),
				max: hp.max_burn.saturated_into(),
				bump: T::RegistrationBurnBump::get(),
				half_life: u64::from(hp.tempo),
			}
		}

		/// Price of registering a neuron on `netuid` now.
		pub fn registration_price(netuid: NetUid) -> Option<BalanceOf<T>> {
			let hp = Hyperparams::<T>::get(netuid)?;
			let now = frame_system::Pallet::<T>::block_number().saturated_into::<u64>();
			let state = Burn::<T>::get(netuid).unwrap_or_default();
			Some(
				state
					.current_price(now, &Self::burn_params(&hp))
					.saturated_into(),
			)
		}

		/// The commit hash `reveal_weights` checks:
		/// `blake2_256(SCALE((hotkey, netuid, uids, values, salt, version_key)))`.
		pub fn commit_hash(
			hotkey: &T::AccountId,
			netuid: NetUid,
			uids: &[Uid],
			values: &[u16],
			salt: &[u8; 32],
			version_key: u64,
		) -> H256 {
			H256(sp_io::hashing::blake2_256(
				&(hotkey, netuid, uids, values, salt, version_key).encode(),
			))
		}

		/// `[open, close)` blocks in which a commit made at `committed_at` may be revealed, at the
		/// hyperparameters `hp` (`commit_weights` stores it with the commit).
		pub fn reveal_window(
			netuid: NetUid,
			hp: &HyperparamsOf<T>,
			committed_at: BlockNumberFor<T>,
		) -> (u64, u64) {
			let open = rules::next_epoch_block(netuid, committed_at.saturated_into(), hp.tempo);
			(open, open.saturating_add(u64::from(hp.reveal_window)))
		}

		fn ensure_owner(netuid: NetUid, who: &T::AccountId) -> DispatchResult {
			let record = Networks::<T>::get(netuid).ok_or(Error::<T>::SubnetNotFound)?;
			ensure!(&record.owner == who, Error::<T>::NotSubnetOwner);
			Ok(())
		}

		fn ensure_validator(
			netuid: NetUid,
			hotkey: &T::AccountId,
		) -> Result<(Uid, NeuronOf<T>), DispatchError> {
			let uid = Uids::<T>::get(netuid, hotkey).ok_or(Error::<T>::NotRegistered)?;
			let neuron = Neurons::<T>::get(netuid, uid).ok_or(Error::<T>::NeuronNotFound)?;
			ensure!(
				T::Stake::has_validator_permit(netuid, hotkey),
				Error::<T>::NoValidatorPermit
			);
			Ok((uid, neuron))
		}

		/// At most one weight setting (or commit) per epoch window of `netuid`: refuses if
		/// `last` lies in the window of `now` ([`epoch_schedule::same_epoch_window`]).
		fn ensure_rate(
			netuid: NetUid,
			last: Option<BlockNumberFor<T>>,
			now: BlockNumberFor<T>,
			tempo: u32,
		) -> DispatchResult {
			if let Some(last) = last {
				ensure!(
					!epoch_schedule::same_epoch_window(
						netuid,
						last.saturated_into(),
						now.saturated_into(),
						tempo
					),
					Error::<T>::SettingWeightsTooFast
				);
			}
			Ok(())
		}

		#[allow(clippy::too_many_arguments)]
		fn store_weights(
			netuid: NetUid,
			uid: Uid,
			mut neuron: NeuronOf<T>,
			hp: &HyperparamsOf<T>,
			uids: &[Uid],
			values: &[u16],
			now: BlockNumberFor<T>,
		) -> DispatchResult {
			let row =
				yuma::validate_weights(uids, values, NeuronCount::<T>::get(netuid), hp.max_uids)
					.map_err(Error::<T>::from)?;
			let row: WeightRowOf<T> = row.try_into().map_err(|_| Error::<T>::TooManyWeights)?;
			Weights::<T>::insert(netuid, uid, row);
			neuron.last_update = Some(now);
			Neurons::<T>::insert(netuid, uid, neuron);
			Ok(())
		}

		fn subnet_to_prune(now: BlockNumberFor<T>) -> Option<NetUid> {
			let candidates: Vec<SubnetCandidate> = Networks::<T>::iter()
				.map(|(netuid, s)| SubnetCandidate {
					netuid,
					score: T::EmissionInfo::emission_score(netuid),
					registered_at: s.registered_at.saturated_into(),
				})
				.collect();
			rules::subnet_to_prune(
				&candidates,
				now.saturated_into(),
				T::NetworkImmunityPeriod::get().saturated_into(),
			)
		}

		/// Removes a subnet and everything keyed by it, releasing the owner's lock (less the
		/// early-dissolution forfeit when its owner dissolves it). Returns the weight the
		/// removal hooks reported (the callers charge it).
		fn remove_network(netuid: NetUid, removal: Removal) -> Result<Weight, DispatchError> {
			// The flow debt is read before anything is removed: it counts the stake still on
			// the subnet as outflow (SPEC §2), and it is settled from the lock.
			let debt = T::EmissionInfo::removal_debt(netuid);
			let record = Networks::<T>::take(netuid).ok_or(Error::<T>::SubnetNotFound)?;
			let mut locked = record.locked;
			let since = frame_system::Pallet::<T>::block_number()
				.saturating_sub(record.registered_at)
				.saturated_into();
			let interval = T::LockReductionInterval::get().saturated_into();
			let by_owner = removal == Removal::DissolvedByOwner;
			let early = if by_owner {
				reg::dissolution_forfeit(
					record.locked.saturated_into(),
					T::MinLockCost::get().saturated_into(),
					since,
					interval,
				)
			} else {
				0
			};
			// Lock pumping (SPEC §4): an owner's early dissolution of the latest registration
			// puts back the lock price that registration raised.
			if by_owner
				&& reg::is_early_dissolution(since, interval)
				&& LastLockBlock::<T>::get() == record.registered_at
				&& LastLockCost::<T>::get() == record.locked
			{
				let restored: BalanceOf<T> =
					reg::restored_last_lock(record.locked.saturated_into()).saturated_into();
				LastLockCost::<T>::put(restored);
			}
			let forfeit: BalanceOf<T> =
				reg::removal_forfeit(record.locked.saturated_into(), early, debt).saturated_into();
			if !forfeit.is_zero() {
				let burned = T::Currency::burn_held(
					&HoldReason::SubnetLock.into(),
					&record.owner,
					forfeit,
					Precision::BestEffort,
					Fortitude::Force,
				)?;
				locked = locked.saturating_sub(burned);
				// The early-dissolution part is burned first, the debt settles from the rest.
				let early_burned = burned.min(early.saturated_into());
				if !early_burned.is_zero() {
					Self::deposit_event(Event::LockForfeited {
						netuid,
						owner: record.owner.clone(),
						amount: early_burned,
					});
				}
				if debt > 0 {
					Self::deposit_event(Event::FlowDebtSettled {
						netuid,
						owner: record.owner.clone(),
						debt: debt.saturated_into(),
						burned: burned.saturating_sub(early_burned),
					});
				}
			}
			let released = T::Currency::release(
				&HoldReason::SubnetLock.into(),
				&record.owner,
				locked,
				Precision::BestEffort,
			)?;
			Hyperparams::<T>::remove(netuid);
			TrainingTasks::<T>::remove(netuid);
			Burn::<T>::remove(netuid);
			NeuronCount::<T>::remove(netuid);
			let limit = T::MaxUidsLimit::get();
			let _ = Neurons::<T>::clear_prefix(netuid, limit, None);
			let _ = Uids::<T>::clear_prefix(netuid, limit, None);
			let _ = Endpoints::<T>::clear_prefix(netuid, limit, None);
			let _ = Weights::<T>::clear_prefix(netuid, limit, None);
			let _ = WeightCommits::<T>::clear_prefix(netuid, limit, None);
			SubnetCount::<T>::mutate(|c| *c = c.saturating_sub(1));
			let hooks_weight = T::Hooks::on_network_removed(netuid)
				.saturating_add(T::EmissionInfo::removal_debt_weight());
			let owner = record.owner;
			Self::deposit_event(if removal == Removal::Pruned {
				Event::NetworkPruned {
					netuid,
					owner,
					released,
				}
			} else {
				Event::NetworkDissolved {
					netuid,
					owner,
					released,
				}
			});
			Ok(hooks_weight)
		}

		/// Runtime-API view of a subnet.
		pub fn subnet_info(netuid: NetUid) -> Option<SubnetInfoOf<T>> {
			let record = Networks::<T>::get(netuid)?;
			let hyperparams = Hyperparams::<T>::get(netuid)?;
			Some(SubnetInfo {
				netuid,
				owner: record.owner,
				registered_at: record.registered_at,
				locked: record.locked,
				network_lock_cost_now: Self::network_lock_cost(),
				registration_price_now: Self::registration_price(netuid).unwrap_or_default(),
				neuron_count: NeuronCount::<T>::get(netuid),
				hyperparams,
				training_task: TrainingTasks::<T>::get(netuid).unwrap_or_default(),
				emission_share: T::EmissionInfo::emission_share(netuid),
				emission_score: T::EmissionInfo::emission_score(netuid),
				total_stake: T::Stake::subnet_stake(netuid),
			})
		}

		/// Runtime-API view of all subnets, by netuid.
		pub fn subnets_info() -> Vec<SubnetInfoOf<T>> {
			let mut netuids: Vec<NetUid> = Networks::<T>::iter_keys().collect();
			netuids.sort_unstable();
			netuids.into_iter().filter_map(Self::subnet_info).collect()
		}

		/// Runtime-API view of a subnet's metagraph, by UID.
		pub fn metagraph(netuid: NetUid) -> Option<Vec<NeuronInfoOf<T>>> {
			if !Networks::<T>::contains_key(netuid) {
				return None;
			}
			let n = NeuronCount::<T>::get(netuid);
			Some(
				(0..n)
					.filter_map(|uid| {
						let nrn = Neurons::<T>::get(netuid, uid)?;
						Some(NeuronInfo {
							uid,
							coldkey: T::Stake::hotkey_owner(&nrn.hotkey),
							stake: T::Stake::hotkey_stake(netuid, &nrn.hotkey),
							validator_permit: T::Stake::has_validator_permit(netuid, &nrn.hotkey),
							metrics: nrn.metrics,
							registered_at: nrn.registered_at,
							last_update: nrn.last_update,
							endpoint: Endpoints::<T>::get(netuid, uid)
								.map(|e| e.into_inner())
								.unwrap_or_default(),
							hotkey: nrn.hotkey,
						})
					})
					.collect(),
			)
		}

		/// Checks the pallet's invariants (run by `try_state` and after every test).
		///
		/// - `SubnetCount` = number of subnets `<= SubnetLimit <= MaxSubnets`; netuids below
		///   `NextNetUid`; every subnet has hyperparameters within bounds, a valid training task
		///   and a burn price within `[min_burn, max_burn]`; nothing is stored for missing
		///   subnets.
		/// - Held `SubnetLock` balance of every owner = sum of its subnets' locks.
		/// - UIDs dense and unique: neurons are exactly `0..NeuronCount <= max_uids`, `Uids` is
		///   their inverse; endpoints, weights and commits only for existing UIDs; weight rows
		///   valid.
		#[cfg(any(test, feature = "try-runtime", feature = "std"))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			use frame_support::traits::fungible::InspectHold;
			let subnets: Vec<(NetUid, SubnetRecordOf<T>)> = Networks::<T>::iter().collect();
			ensure!(
				subnets.len() == usize::from(SubnetCount::<T>::get()),
				"SubnetCount does not match the subnets"
			);
			ensure!(
				SubnetCount::<T>::get() <= SubnetLimit::<T>::get(),
				"more subnets than limit"
			);
			ensure!(
				SubnetLimit::<T>::get() <= T::MaxSubnets::get(),
				"limit above MaxSubnets"
			);
			let mut locks: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
			for (netuid, s) in &subnets {
				let netuid = *netuid;
				ensure!(
					netuid < NextNetUid::<T>::get(),
					"netuid not below NextNetUid"
				);
				let e = locks.entry(s.owner.clone()).or_default();
				*e = e.saturating_add(s.locked);
				let hp = Hyperparams::<T>::get(netuid).ok_or("subnet without hyperparams")?;
				let n = NeuronCount::<T>::get(netuid);
				ensure!(
					check_hyperparams(&hp, &Self::limits(), n).is_ok(),
					"hyperparams invalid"
				);
				let task = TrainingTasks::<T>::get(netuid).ok_or("subnet without task")?;
				ensure!(check_training_task(&task).is_ok(), "training task invalid");
				let burn = Burn::<T>::get(netuid).ok_or("subnet without burn state")?;
				let _ = burn;
				ensure!(n <= hp.max_uids, "more neurons than max_uids");
				ensure!(
					Neurons::<T>::iter_prefix(netuid).count() == usize::from(n),
					"neuron count mismatch"
				);
				ensure!(
					Uids::<T>::iter_prefix(netuid).count() == usize::from(n),
					"uids mismatch"
				);
				for uid in 0..n {
					let nrn = Neurons::<T>::get(netuid, uid).ok_or("UIDs not dense")?;
					ensure!(
						Uids::<T>::get(netuid, &nrn.hotkey) == Some(uid),
						"Uids not the inverse of Neurons"
					);
				}
				for (uid, row) in Weights::<T>::iter_prefix(netuid) {
					ensure!(uid < n, "weights of a missing uid");
					ensure!(row.iter().all(|(u, _)| *u < n), "weight to a missing uid");
					ensure!(
						row.windows(2).all(|w| matches!(w, [a, b] if a.0 < b.0)),
						"row unsorted"
					);
				}
				for (uid, _) in Endpoints::<T>::iter_prefix(netuid) {
					ensure!(uid < n, "endpoint of a missing uid");
				}
				for (uid, c) in WeightCommits::<T>::iter_prefix(netuid) {
					ensure!(uid < n, "commit of a missing uid");
					ensure!(
						c.committed_at < c.reveal_open && c.reveal_open < c.reveal_close,
						"commit's reveal window not after the commit"
					);
				}
			}
			for (owner, locked) in locks {
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::SubnetLock.into(), &owner) == locked,
					"held SubnetLock balance != sum of locks"
				);
			}
			for netuid in Hyperparams::<T>::iter_keys()
				.chain(TrainingTasks::<T>::iter_keys())
				.chain(Burn::<T>::iter_keys())
				.chain(NeuronCount::<T>::iter_keys())
			{
				ensure!(
					Networks::<T>::contains_key(netuid),
					"data of a missing subnet"
				);
			}
			for (netuid, _, _) in Neurons::<T>::iter() {
				ensure!(
					Networks::<T>::contains_key(netuid),
					"neuron of a missing subnet"
				);
			}
			Ok(())
		}
	}

	impl<T: Config> SubnetsInterface<T::AccountId, BalanceOf<T>, BlockNumberFor<T>> for Pallet<T> {
		fn subnet_exists(netuid: NetUid) -> bool {
			Networks::<T>::contains_key(netuid)
		}
		fn subnet_owner(netuid: NetUid) -> Option<T::AccountId> {
			Networks::<T>::get(netuid).map(|s| s.owner)
		}
		fn netuids() -> Vec<NetUid> {
			let mut v: Vec<NetUid> = Networks::<T>::iter_keys().collect();
			v.sort_unstable();
			v
		}
		fn hyperparams(netuid: NetUid) -> Option<HyperparamsOf<T>> {
			Hyperparams::<T>::get(netuid)
		}
		fn training_task(netuid: NetUid) -> Option<TrainingTask> {
			TrainingTasks::<T>::get(netuid)
		}
		fn uid_of(netuid: NetUid, hotkey: &T::AccountId) -> Option<Uid> {
			Uids::<T>::get(netuid, hotkey)
		}
		fn hotkey_of(netuid: NetUid, uid: Uid) -> Option<T::AccountId> {
			Neurons::<T>::get(netuid, uid).map(|n| n.hotkey)
		}
		fn neurons(netuid: NetUid) -> Vec<(Uid, T::AccountId)> {
			let n = NeuronCount::<T>::get(netuid);
			(0..n)
				.filter_map(|uid| Neurons::<T>::get(netuid, uid).map(|nrn| (uid, nrn.hotkey)))
				.collect()
		}
		fn epoch_neurons(netuid: NetUid) -> Vec<EpochNeuron<T::AccountId, BlockNumberFor<T>>> {
			let n = NeuronCount::<T>::get(netuid);
			(0..n)
				.filter_map(|uid| {
					Neurons::<T>::get(netuid, uid).map(|nrn| EpochNeuron {
						uid,
						hotkey: nrn.hotkey,
						registered_at: nrn.registered_at,
						last_update: nrn.last_update,
					})
				})
				.collect()
		}
		fn weights(netuid: NetUid, uid: Uid) -> Vec<(Uid, u16)> {
			Weights::<T>::get(netuid, uid)
				.map(|w| w.into_inner())
				.unwrap_or_default()
		}
		fn is_epoch_block(netuid: NetUid, now: BlockNumberFor<T>) -> bool {
			Hyperparams::<T>::get(netuid)
				.is_some_and(|hp| rules::is_epoch_block(netuid, now.saturated_into(), hp.tempo))
		}
		fn neuron_count(netuid: NetUid) -> u16 {
			NeuronCount::<T>::get(netuid)
		}
		fn max_subnets() -> u32 {
			u32::from(T::MaxSubnets::get())
		}
		fn max_uids() -> u32 {
			T::MaxUidsLimit::get()
		}
		fn epoch_hooks_weight() -> Weight {
			EpochHooksWeight::<T>::get()
		}
		fn set_neuron_metrics(
			netuid: NetUid,
			uid: Uid,
			metrics: NeuronMetrics<BalanceOf<T>>,
		) -> DispatchResult {
			Neurons::<T>::try_mutate(netuid, uid, |n| match n {
				Some(n) => {
					n.metrics = metrics;
					Ok(())
				},
				None => Err(Error::<T>::NeuronNotFound.into()),
			})
		}

		#[cfg(feature = "runtime-benchmarks")]
		fn bench_create_subnet(owner: &T::AccountId, neurons: u32) -> (NetUid, Vec<T::AccountId>) {
			benchmarking::create_subnet::<T>(owner, neurons)
		}

		#[cfg(feature = "runtime-benchmarks")]
		fn bench_set_weights(
			netuid: NetUid,
			uid: Uid,
			weights: Vec<(Uid, u16)>,
			now: BlockNumberFor<T>,
		) {
			Weights::<T>::insert(netuid, uid, WeightRowOf::<T>::truncate_from(weights));
			Neurons::<T>::mutate(netuid, uid, |n| {
				if let Some(n) = n {
					n.last_update = Some(now);
				}
			});
		}
	}
}
