//! # Emission pallet
//!
//! Mints block emission, splits it across subnets by stake flow and pays it out at each
//! subnet's epoch by Yuma consensus (SPEC §1–3). The rules themselves live in `arena-rules`;
//! this pallet keeps the state and calls them.
//!
//! **Every block** (`on_initialize`, after `pallet-subnets` has queued the block's epochs):
//! 1. *Flow* ([`arena_rules::flow`]): each subnet's flow for the previous block — stake
//!    additions maturing now ([`ScheduledInflow`], filled by `OnFlow::on_stake_added` with the
//!    maturity block), plus registration burns, minus matured stake removed
//!    ([`FlowAccumulator`]) — is folded into its [`FlowState`](arena_rules::flow::FlowState)
//!    ([`FlowScore`]): a decaying credit and a debt that does not decay; outflow becomes debt,
//!    inflow repays debt before it adds credit, and the score is `credit − debt` (SPEC §2's debt
//!    rule). A removal before maturity subtracts the piece from its scheduled block, so it
//!    never reaches any score (recycle-proof).
//! 2. *Emission* ([`arena_rules::halving`]): `E = E0 / 2^k`, `k = ⌊log2(Cap/(Cap − I))⌋` at the
//!    current total issuance `I`, is split by the subnets' shares (`max(S − L, 0)^p`,
//!    normalised), minted into the pallet's pot account and added to each subnet's
//!    [`PendingEmission`]. If no subnet has a positive excess it is not minted.
//! 3. *Epochs*: queued epochs ([`EpochQueue`], oldest first) run while they fit in the block's
//!    **epoch budget**: `Config::EpochBlockShare` of the block's maximum weight, less what steps
//!    1–2 charged and what the due subnets' epoch hooks charged in `pallet-subnets`
//!    (`SubnetsInterface::epoch_hooks_weight`). Each epoch is priced before it runs with the epoch weight function at the
//!    subnet's actual size (its neurons and permitted validators, [`Pallet::epoch_price`]); the
//!    first that does not fit waits, with the rest, for the next block. Nothing is dropped: the
//!    queue holds every subnet at most once (an epoch falling due while its subnet is still
//!    queued is merged into the queued one, whose payout covers all pending emission), and an
//!    epoch that does not fit waits at most one block at the head of the queue
//!    ([`HeadDeferredAt`]) before it runs alone, so no epoch waits for ever. Whether the largest possible epoch fits the budget depends on the runtime's bounds
//!    and payout handler: [`Pallet::largest_epoch_fits`], printed by `scripts/bench-epoch.sh`.
//!    An epoch runs Yuma ([`arena_rules::yuma`]) over the subnet's
//!    permitted, active validators' weights and consensus (matured, SPEC §3) stakes with the
//!    bonds kept in [`Bonds`], splits
//!    the pending emission ([`arena_rules::epoch_split`]: owner cut, miners' half by incentive,
//!    validators' half by dividends) and pays every part through `Config::Payout`
//!    (`pallet-stake` credits stake; the escrow pallet will hold it). What cannot be paid stays
//!    pending. Metrics go back to `pallet-subnets` for the metagraph and the pruning rule.
//!
//! Weights set before a neuron registered (and bonds from before it) point at the UID's previous
//! holder and are ignored. Pending emission of a dissolved subnet is burned ("recycled").
//!
//! **Conservation** (checked by `try_state`): `emitted = minted + unminted`,
//! `minted = paid + Σ pending + recycled`, pot balance `= Σ pending + PotFloor`, and total
//! issuance `≤ Cap`.
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
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::{collections::btree_map::BTreeMap, vec, vec::Vec};
	use arena_pallet_primitives::{
		EmissionInfo, EmissionState, EpochNeuron, EpochOutcome, NetUid, NeuronMetrics, OnSlash,
		PayoutHandler, PayoutKind, StakeInterface, SubnetEmission, SubnetHooks, SubnetsInterface,
		Uid,
	};
	use arena_rules::{
		epoch_split::{split_epoch, SplitParams},
		flow::{self, FlowParams, FlowState, Score},
		halving,
		yuma::{self, ValidatorInput, YumaParams},
	};
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate},
			tokens::{Fortitude, Precision, Preservation},
			BuildGenesisConfig,
		},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::{
		traits::{AccountIdConversion, SaturatedConversion, Saturating, Zero},
		Perbill, Perquintill,
	};

	/// Balance type of the configured currency.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
	/// A bond row: `(uid, bond)` sorted by UID.
	pub type BondRowOf<T> = BoundedVec<(Uid, Perquintill), <T as Config>::MaxUids>;

	/// Largest share exponent `p` accepted by [`Pallet::set_flow_params`].
	pub const MAX_FLOW_EXPONENT: u8 = flow::MAX_EXPONENT;

	/// The SPEC §2 default flow half-life (216,000 blocks), for `Config::DefaultFlowHalfLife`.
	pub const DEFAULT_FLOW_HALF_LIFE: u32 = flow::DEFAULT_HALF_LIFE;

	/// v1: [`FlowScore`] holds a [`FlowState`] (credit and debt) instead of one score.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The native currency (emission is minted in it).
		type Currency: Mutate<Self::AccountId>;
		/// The subnets side: subnets, neurons, weights; metrics are written back to it.
		type Subnets: SubnetsInterface<Self::AccountId, BalanceOf<Self>, BlockNumberFor<Self>>;
		/// The stake side: hotkey stakes and validator permits.
		type Stake: StakeInterface<Self::AccountId, BalanceOf<Self>>;
		/// Where epoch payouts go (stake now, escrow later).
		type Payout: PayoutHandler<Self::AccountId, BalanceOf<Self>>;
		/// Origin that may change the flow parameters.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Derives the pot account that holds pending emission.
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// Supply cap `Cap` in units (SPEC §1: 21,000,000 ARN).
		#[pallet::constant]
		type SupplyCap: Get<BalanceOf<Self>>;
		/// Block emission before any halving `E0` (SPEC §1: 1 ARN).
		#[pallet::constant]
		type InitialEmission: Get<BalanceOf<Self>>;
		/// Subnet owner cut of each epoch (SPEC §3: 18 %).
		#[pallet::constant]
		type OwnerCut: Get<Perbill>;
		/// Flow EMA half-life in blocks until `set_flow_params` changes it (SPEC §2:
		/// [`DEFAULT_FLOW_HALF_LIFE`]).
		#[pallet::constant]
		type DefaultFlowHalfLife: Get<u32>;
		/// Most subnets (bounds the epoch queue; = `pallet_subnets::Config::MaxSubnets`, checked
		/// by `integrity_test`).
		#[pallet::constant]
		type MaxSubnets: Get<u32>;
		/// Most UIDs of a subnet (bounds bond rows; = `pallet_subnets::Config::MaxUidsLimit`,
		/// checked by `integrity_test`).
		#[pallet::constant]
		type MaxUids: Get<u32>;
		/// Share of the block's maximum weight this pallet's `on_initialize` may use, epochs
		/// included (*default* 25 %); queued epochs that do not fit wait in [`EpochQueue`].
		#[pallet::constant]
		type EpochBlockShare: Get<Perbill>;
		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// Flow parameters (defaults from `Config::DefaultFlowHalfLife`, cutoff 0, exponent 1 while
	/// unset).
	#[pallet::storage]
	pub type FlowParameters<T: Config> = StorageValue<_, FlowParams, OptionQuery>;

	/// Flow state of each subnet: credit and debt (signed fixed point, units); its score
	/// `S_s = credit − debt` (see [`FlowState`]).
	#[pallet::storage]
	pub type FlowScore<T: Config> = StorageMap<_, Twox64Concat, NetUid, FlowState, ValueQuery>;

	/// Stake additions by the block they mature at (then they count as inflow), per subnet.
	#[pallet::storage]
	pub type ScheduledInflow<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		Twox64Concat,
		NetUid,
		BalanceOf<T>,
		ValueQuery,
	>;

	/// Σ of each subnet's [`ScheduledInflow`]: its stake that has not matured yet. The stake
	/// still on a subnet less this is the matured stake that counts as outflow if the subnet is
	/// removed ([`arena_pallet_primitives::EmissionInfo::removal_debt`]).
	#[pallet::storage]
	pub type ImmatureInflow<T: Config> =
		StorageMap<_, Twox64Concat, NetUid, BalanceOf<T>, ValueQuery>;

	/// Flow collected during the current block, per subnet (folded in at the next block).
	#[pallet::storage]
	pub type FlowAccumulator<T: Config> =
		StorageMap<_, Twox64Concat, NetUid, types::BlockFlow<BalanceOf<T>>, ValueQuery>;

	/// Emission accumulated for each subnet since its last epoch (held by the pot).
	#[pallet::storage]
	pub type PendingEmission<T: Config> =
		StorageMap<_, Twox64Concat, NetUid, BalanceOf<T>, ValueQuery>;

	/// Subnets whose epoch is due and not yet run, oldest first.
	#[pallet::storage]
	pub type EpochQueue<T: Config> = StorageValue<_, BoundedVec<NetUid, T::MaxSubnets>, ValueQuery>;

	/// Block in which the epoch at the head of [`EpochQueue`] was first deferred for want of
	/// budget (absent while the head has not been deferred).
	#[pallet::storage]
	pub type HeadDeferredAt<T: Config> = StorageValue<_, BlockNumberFor<T>, OptionQuery>;

	/// Bonds of each validator UID of each subnet, kept between epochs.
	#[pallet::storage]
	pub type Bonds<T: Config> =
		StorageDoubleMap<_, Twox64Concat, NetUid, Twox64Concat, Uid, BondRowOf<T>>;

	/// Block of each subnet's last epoch.
	#[pallet::storage]
	pub type LastEpoch<T: Config> = StorageMap<_, Twox64Concat, NetUid, BlockNumberFor<T>>;

	/// Running totals (see [`EmissionTotals`]).
	#[pallet::storage]
	pub type Totals<T: Config> = StorageValue<_, EmissionTotals<BalanceOf<T>>, ValueQuery>;

	/// Number of epochs each subnet has run (the `round` of its next payout, SPEC §5–§6).
	#[pallet::storage]
	pub type EpochIndex<T: Config> = StorageMap<_, Twox64Concat, NetUid, u32, ValueQuery>;

	/// Σ paid emission that escrow later slashed (burned) for a failed audit; part of `paid`.
	#[pallet::storage]
	pub type Slashed<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// Amount the pot holds that is not pending emission (its existential deposit, minted at
	/// genesis so the pot is never reaped).
	#[pallet::storage]
	pub type PotFloor<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		#[serde(skip)]
		/// Unused.
		pub _phantom: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			Pallet::<T>::ensure_pot();
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// The flow parameters changed.
		FlowParamsSet {
			half_life: u32,
			cutoff: i128,
			exponent: u8,
		},
		/// A subnet's epoch ran and paid out its pending emission.
		EpochCompleted {
			netuid: NetUid,
			payout: EpochPayout<BalanceOf<T>>,
		},
		/// A payout failed; its amount stays pending for the next epoch.
		PayoutFailed {
			netuid: NetUid,
			beneficiary: T::AccountId,
			kind: PayoutKind,
			amount: BalanceOf<T>,
		},
		/// An epoch could not be computed (malformed state); its emission stays pending.
		EpochFailed { netuid: NetUid },
		/// A dissolved subnet's pending emission was burned.
		PendingRecycled {
			netuid: NetUid,
			amount: BalanceOf<T>,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The half-life must be at least one block.
		InvalidHalfLife,
		/// The exponent must be in `1..=MAX_FLOW_EXPONENT`.
		InvalidExponent,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Folds the previous block's flow into the scores, mints and splits this block's
		/// emission, and runs the queued epochs that fit in the rest of the block's budget
		/// ([`Pallet::hook_budget`]).
		fn on_initialize(n: BlockNumberFor<T>) -> Weight {
			let subnets = Self::update_flows(n);
			Self::emit_block();
			let used = T::WeightInfo::on_initialize(subnets);
			// The epoch hooks of the subnets due this block (permits, rounds, queueing) share
			// the budget.
			let hooks = T::Subnets::epoch_hooks_weight();
			let left = Self::hook_budget()
				.saturating_sub(used)
				.saturating_sub(hooks);
			used.saturating_add(Self::run_queued_epochs(n, left, hooks.is_zero()))
		}

		fn integrity_test() {
			assert_eq!(
				T::MaxSubnets::get(),
				T::Subnets::max_subnets(),
				"MaxSubnets must equal the subnets pallet's MaxSubnets"
			);
			assert_eq!(
				T::MaxUids::get(),
				T::Subnets::max_uids(),
				"MaxUids must equal the subnets pallet's MaxUidsLimit"
			);
			assert!(
				T::DefaultFlowHalfLife::get() >= 1,
				"DefaultFlowHalfLife must be >= 1"
			);
			assert!(!T::SupplyCap::get().is_zero(), "SupplyCap must be positive");
			assert!(
				T::MaxUids::get() >= 1 && T::MaxUids::get() <= yuma::MAX_UIDS as u32,
				"MaxUids must be in 1..=4096"
			);
			assert!(T::MaxSubnets::get() >= 1, "MaxSubnets must be >= 1");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Set the flow-split parameters (SPEC §2).
		///
		/// - Origin: `Config::AdminOrigin`.
		/// - `half_life`: EMA half-life in blocks (`>= 1`); `cutoff`: share cutoff as a raw
		///   `FixedI128` (units · 10^18, may be negative); `exponent`: `p` in
		///   `1..=MAX_FLOW_EXPONENT`. Scores are kept; the new EMA factor applies from the next
		///   block.
		///
		/// Errors: [`Error::InvalidHalfLife`], [`Error::InvalidExponent`].
		///
		/// Events: [`Event::FlowParamsSet`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_flow_params())]
		pub fn set_flow_params(
			origin: OriginFor<T>,
			half_life: u32,
			cutoff: i128,
			exponent: u8,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			let params = FlowParams::new(half_life, Score::from_inner(cutoff), exponent).map_err(
				|e| match e {
					flow::FlowError::ZeroHalfLife => Error::<T>::InvalidHalfLife,
					_ => Error::<T>::InvalidExponent,
				},
			)?;
			FlowParameters::<T>::put(params);
			Self::deposit_event(Event::FlowParamsSet {
				half_life,
				cutoff,
				exponent,
			});
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The pot account holding pending emission.
		pub fn pot() -> T::AccountId {
			T::PalletId::get().into_account_truncating()
		}

		/// Mints the existential deposit into the pot if it does not exist yet, so payouts can
		/// always keep it alive.
		pub fn ensure_pot() {
			let pot = Self::pot();
			let ed = T::Currency::minimum_balance();
			if T::Currency::balance(&pot).is_zero()
				&& !ed.is_zero()
				&& T::Currency::mint_into(&pot, ed).is_ok()
			{
				PotFloor::<T>::put(ed);
			}
		}

		/// The flow parameters in effect: those set by [`Pallet::set_flow_params`], else the
		/// SPEC defaults with `Config::DefaultFlowHalfLife`.
		pub fn flow_params() -> FlowParams {
			FlowParameters::<T>::get().unwrap_or_else(|| {
				let half_life = T::DefaultFlowHalfLife::get();
				FlowParams {
					half_life,
					alpha: flow::ema_alpha(u64::from(half_life)).unwrap_or_default(),
					..FlowParams::default()
				}
			})
		}

		/// Block emission at the current issuance (SPEC §1).
		pub fn block_emission() -> BalanceOf<T> {
			halving::block_emission(
				T::Currency::total_issuance().saturated_into(),
				T::SupplyCap::get().saturated_into(),
				T::InitialEmission::get().saturated_into(),
			)
			.saturated_into()
		}

		/// Folds the flows of the previous block (and the additions maturing at `now`) into the
		/// scores. Returns the number of subnets.
		fn update_flows(now: BlockNumberFor<T>) -> u32 {
			let mut inflow: BTreeMap<NetUid, u128> = BTreeMap::new();
			for (netuid, amount) in ScheduledInflow::<T>::drain_prefix(now) {
				Self::sub_immature(netuid, amount);
				let e = inflow.entry(netuid).or_default();
				*e = e.saturating_add(amount.saturated_into());
			}
			let mut acc: BTreeMap<NetUid, types::BlockFlow<BalanceOf<T>>> =
				FlowAccumulator::<T>::drain().collect();
			let alpha = Self::flow_params().alpha;
			let netuids = T::Subnets::netuids();
			for netuid in &netuids {
				let a = acc.remove(netuid).unwrap_or_default();
				let added = inflow
					.get(netuid)
					.copied()
					.unwrap_or(0)
					.saturating_add(a.matured_added.saturated_into());
				let f = flow::net_flow(added, a.burns.saturated_into(), a.removed.saturated_into());
				FlowScore::<T>::mutate(netuid, |s| *s = s.update(f, alpha));
			}
			netuids.len().saturated_into()
		}

		/// Mints this block's emission into the pot and adds each subnet's part to its pending
		/// emission; does not mint when no subnet has a positive excess.
		fn emit_block() {
			let e = Self::block_emission();
			if e.is_zero() {
				return;
			}
			let settings = Self::flow_params();
			let netuids = T::Subnets::netuids();
			let scores: Vec<Score> = netuids.iter().map(Self::score_of).collect();
			let parts = flow::split_emission(
				e.saturated_into(),
				&scores,
				settings.cutoff,
				settings.exponent,
			)
			.ok()
			.flatten();
			let mut totals = Totals::<T>::get();
			EmissionTotals::add(&mut totals.emitted, e);
			match parts {
				Some(parts) if T::Currency::mint_into(&Self::pot(), e).is_ok() => {
					EmissionTotals::add(&mut totals.minted, e);
					for (netuid, part) in netuids.iter().zip(parts) {
						if part > 0 {
							PendingEmission::<T>::mutate(netuid, |p| {
								*p = p.saturating_add(part.saturated_into())
							});
						}
					}
				},
				_ => EmissionTotals::add(&mut totals.unminted, e),
			}
			Totals::<T>::put(totals);
		}

		/// The most weight this pallet's `on_initialize` may use in one block:
		/// `EpochBlockShare · max_block`.
		pub fn hook_budget() -> Weight {
			let max = <T as frame_system::Config>::BlockWeights::get().max_block;
			let share = T::EpochBlockShare::get();
			Weight::from_parts(
				share.mul_floor(max.ref_time()),
				share.mul_floor(max.proof_size()),
			)
		}

		/// Weight of an epoch with `n` UIDs and `v` validators, payouts included.
		pub fn epoch_weight(n: u32, v: u32) -> Weight {
			T::WeightInfo::epoch(n, v).saturating_add(Self::payouts_weight(n, v))
		}

		/// Weight of the largest epoch the configuration allows: `MaxUids` UIDs and as many
		/// validators as Yuma takes.
		pub fn max_epoch_weight() -> Weight {
			let n = T::MaxUids::get();
			Self::epoch_weight(n, n.min(yuma::MAX_VALIDATORS as u32))
				.saturating_add(T::DbWeight::get().reads(3))
		}

		/// What an epoch of `netuid` costs if it runs now, priced before it runs: the epoch
		/// weight at the subnet's neuron count and its permitted validators (at most Yuma's
		/// limit), plus the three reads that price it.
		pub fn epoch_price(netuid: NetUid) -> Weight {
			let n = u32::from(T::Subnets::neuron_count(netuid));
			let permits: u32 = T::Stake::validator_permits(netuid).len().saturated_into();
			let v = permits.min(n).min(yuma::MAX_VALIDATORS as u32);
			Self::epoch_weight(n, v).saturating_add(T::DbWeight::get().reads(3))
		}

		/// Whether the largest epoch the configuration allows, with the flows of `MaxSubnets`
		/// subnets, fits in the hook budget: then no block's hook exceeds the budget.
		pub fn largest_epoch_fits() -> bool {
			T::WeightInfo::on_initialize(T::MaxSubnets::get())
				.saturating_add(Self::max_epoch_weight())
				.all_lte(Self::hook_budget())
		}

		/// Runs queued epochs, oldest first, while the next one's price fits in `budget`; the
		/// rest stay queued for the next blocks. Returns the weight used (each epoch counted at
		/// the larger of its price and its actual weight).
		///
		/// An epoch at the head that does not fit still runs, alone, in a **free** block (no
		/// subnet's epoch hooks ran: `free`), where it could never fit (only if
		/// [`Pallet::largest_epoch_fits`] is false), or once it has waited `MaxSubnets` blocks
		/// ([`HeadDeferredAt`]). With a tempo floor of at least `2 · MaxSubnets` blocks, every
		/// `MaxSubnets` queued epochs meet at least `MaxSubnets` free blocks before any of
		/// their subnets falls due again, so each runs within the budget and none is merged.
		fn run_queued_epochs(now: BlockNumberFor<T>, budget: Weight, free: bool) -> Weight {
			let mut queue = EpochQueue::<T>::get();
			if queue.is_empty() {
				return Weight::zero();
			}
			let mut used = T::DbWeight::get().reads_writes(2, 2);
			let mut ran = 0usize;
			for netuid in queue.iter() {
				let price = Self::epoch_price(*netuid);
				if !used.saturating_add(price).all_lte(budget) {
					let waited_long = HeadDeferredAt::<T>::get()
						.is_some_and(|at| now.saturating_sub(at) >= T::MaxSubnets::get().into());
					let overdue = ran == 0 && (free || waited_long);
					if !overdue {
						if ran == 0 && HeadDeferredAt::<T>::get().is_none() {
							HeadDeferredAt::<T>::put(now);
						}
						break;
					}
				}
				HeadDeferredAt::<T>::kill();
				let (n, v) = Self::run_epoch(*netuid, now);
				used = used.saturating_add(price.max(Self::epoch_weight(n, v)));
				ran = ran.saturating_add(1);
			}
			if ran > 0 {
				let rest: Vec<NetUid> = queue.iter().skip(ran).copied().collect();
				queue = BoundedVec::truncate_from(rest);
				EpochQueue::<T>::put(queue);
			}
			used
		}

		/// Worst-case weight of the `Config::Payout` side of an epoch with `n` UIDs and `v`
		/// validators: one owner payout, `n` miner and `v` validator payouts, and the
		/// after-epoch hook.
		pub fn payouts_weight(n: u32, v: u32) -> Weight {
			T::Payout::pay_weight(PayoutKind::Owner)
				.saturating_add(T::Payout::pay_weight(PayoutKind::Miner).saturating_mul(n.into()))
				.saturating_add(
					T::Payout::pay_weight(PayoutKind::Validator).saturating_mul(v.into()),
				)
				.saturating_add(T::Payout::on_epoch_paid_weight(n, v))
		}

		/// Runs the epoch of `netuid` (SPEC §3) and pays its pending emission. Returns the
		/// number of UIDs and validators considered (for the weight).
		pub fn run_epoch(netuid: NetUid, now: BlockNumberFor<T>) -> (u32, u32) {
			let Some(hp) = T::Subnets::hyperparams(netuid) else {
				return (0, 0);
			};
			let neurons = T::Subnets::epoch_neurons(netuid);
			let n_uids: u16 = neurons
				.iter()
				.map(|n| n.uid.saturating_add(1))
				.max()
				.unwrap_or(0);
			let last_epoch = LastEpoch::<T>::get(netuid);
			let by_uid: BTreeMap<Uid, &EpochNeuron<T::AccountId, BlockNumberFor<T>>> =
				neurons.iter().map(|n| (n.uid, n)).collect();
			let registered_at = |uid: Uid| by_uid.get(&uid).map(|n| n.registered_at);

			// Validators: permitted hotkeys registered here, by UID.
			let mut validators: Vec<ValidatorInput> = T::Stake::validator_permits(netuid)
				.iter()
				.filter_map(|hk| T::Subnets::uid_of(netuid, hk).map(|uid| (uid, hk)))
				.filter_map(|(uid, hk)| by_uid.get(&uid).map(|n| (uid, hk, *n)))
				.map(|(uid, hk, nrn)| {
					let active = nrn
						.last_update
						.is_some_and(|lu| now.saturating_sub(lu) <= hp.activity_cutoff.into());
					// Weights set before a neuron registered were meant for the UID's previous
					// holder; bonds from before it too.
					let weights: Vec<(Uid, u16)> = match nrn.last_update {
						Some(lu) => T::Subnets::weights(netuid, uid)
							.into_iter()
							.filter(|(j, _)| registered_at(*j).is_some_and(|r| r <= lu))
							.collect(),
						None => Vec::new(),
					};
					let prev_bonds: Vec<(Uid, Perquintill)> = match last_epoch {
						Some(le) if nrn.registered_at < le => Bonds::<T>::get(netuid, uid)
							.map(|b| b.into_inner())
							.unwrap_or_default()
							.into_iter()
							.filter(|(j, _)| registered_at(*j).is_some_and(|r| r < le))
							.collect(),
						_ => Vec::new(),
					};
					ValidatorInput {
						uid,
						// Consensus (matured) stake: capital staked shortly before the epoch
						// has no say (SPEC §3).
						stake: T::Stake::consensus_stake(netuid, hk).saturated_into(),
						permitted: true,
						active,
						weights,
						prev_bonds,
					}
				})
				.collect();
			validators.sort_unstable_by_key(|v| v.uid);
			validators.dedup_by_key(|v| v.uid);
			if validators.len() > yuma::MAX_VALIDATORS {
				// More permits than Yuma takes: keep the largest stakes (ties to the lower UID).
				validators.sort_by(|a, b| b.stake.cmp(&a.stake).then(a.uid.cmp(&b.uid)));
				validators.truncate(yuma::MAX_VALIDATORS);
				validators.sort_unstable_by_key(|v| v.uid);
			}
			let considered = (u32::from(n_uids), validators.len().saturated_into());

			let params = YumaParams {
				kappa: hp.kappa,
				bonds_alpha: hp.bonds_moving_average,
			};
			let out = match yuma::epoch(n_uids, &validators, &params) {
				Ok(out) => out,
				Err(_) => {
					Self::deposit_event(Event::EpochFailed { netuid });
					LastEpoch::<T>::insert(netuid, now);
					return considered;
				},
			};

			// Bonds: the new rows of the validators; rows of former validators are dropped.
			let _ = Bonds::<T>::clear_prefix(netuid, T::MaxUids::get(), None);
			for (v, row) in validators.iter().zip(&out.bonds) {
				if !row.is_empty() {
					Bonds::<T>::insert(netuid, v.uid, BondRowOf::<T>::truncate_from(row.clone()));
				}
			}

			// Split and pay.
			let round = EpochIndex::<T>::get(netuid);
			EpochIndex::<T>::insert(netuid, round.saturating_add(1));
			let pending = PendingEmission::<T>::get(netuid);
			let fallback: Vec<u128> = out
				.stake
				.iter()
				.map(|s| u128::from(s.deconstruct()))
				.collect();
			let split = split_epoch(
				pending.saturated_into(),
				&SplitParams {
					owner_cut: T::OwnerCut::get(),
				},
				&out.incentive,
				&out.dividends,
				&fallback,
			);
			let pot = Self::pot();
			let mut payout = EpochPayout {
				pending,
				..Default::default()
			};
			let mut paid_to: Vec<u128> = vec![0; usize::from(n_uids)];
			if let Some(owner) = T::Subnets::subnet_owner(netuid) {
				let amount: BalanceOf<T> = split.owner.saturated_into();
				if Self::pay(&pot, netuid, round, &owner, PayoutKind::Owner, amount) {
					payout.owner = amount;
				}
			}
			for (uid, amount) in split.miners.iter().enumerate() {
				let uid: Uid = uid.saturated_into();
				if let Some(nrn) = by_uid.get(&uid) {
					let amount: BalanceOf<T> = (*amount).saturated_into();
					if Self::pay(&pot, netuid, round, &nrn.hotkey, PayoutKind::Miner, amount) {
						payout.miners.saturating_accrue(amount);
						if let Some(p) = paid_to.get_mut(usize::from(uid)) {
							*p = p.saturating_add(amount.saturated_into());
						}
					}
				}
			}
			for (v, amount) in validators.iter().zip(&split.validators) {
				if let Some(nrn) = by_uid.get(&v.uid) {
					let amount: BalanceOf<T> = (*amount).saturated_into();
					if Self::pay(
						&pot,
						netuid,
						round,
						&nrn.hotkey,
						PayoutKind::Validator,
						amount,
					) {
						payout.validators.saturating_accrue(amount);
						if let Some(p) = paid_to.get_mut(usize::from(v.uid)) {
							*p = p.saturating_add(amount.saturated_into());
						}
					}
				}
			}
			let paid = payout
				.owner
				.saturating_add(payout.miners)
				.saturating_add(payout.validators);
			payout.kept = pending.saturating_sub(paid);
			PendingEmission::<T>::mutate_exists(netuid, |p| {
				let left = p.unwrap_or_default().saturating_sub(paid);
				*p = (!left.is_zero()).then_some(left);
			});
			Totals::<T>::mutate(|t| EmissionTotals::add(&mut t.paid, paid));

			// Other reward sources (bounties) are shared by the same outcome.
			let outcome = EpochOutcome {
				owner: T::Subnets::subnet_owner(netuid),
				owner_cut: T::OwnerCut::get(),
				incentive: (0..n_uids)
					.filter_map(|uid| {
						let hk = by_uid.get(&uid)?.hotkey.clone();
						Some((hk, out.incentive.get(usize::from(uid)).copied()?))
					})
					.collect(),
				dividends: validators
					.iter()
					.zip(&out.dividends)
					.filter_map(|(v, d)| Some((by_uid.get(&v.uid)?.hotkey.clone(), *d)))
					.collect(),
				validator_stake: validators
					.iter()
					.zip(&fallback)
					.filter(|(v, _)| by_uid.contains_key(&v.uid))
					.map(|(_, s)| *s)
					.collect(),
			};
			T::Payout::on_epoch_paid(netuid, round, &outcome);

			// Metrics back to the subnets pallet (metagraph, pruning).
			let zero = Perquintill::zero();
			let mut trust = vec![zero; usize::from(n_uids)];
			let mut dividends = vec![zero; usize::from(n_uids)];
			for (i, v) in validators.iter().enumerate() {
				if let (Some(t), Some(ot)) = (trust.get_mut(usize::from(v.uid)), out.trust.get(i)) {
					*t = *ot;
				}
				if let (Some(d), Some(od)) =
					(dividends.get_mut(usize::from(v.uid)), out.dividends.get(i))
				{
					*d = *od;
				}
			}
			for nrn in &neurons {
				let j = usize::from(nrn.uid);
				let at = |v: &[Perquintill]| v.get(j).copied().unwrap_or(zero);
				let _ = T::Subnets::set_neuron_metrics(
					netuid,
					nrn.uid,
					NeuronMetrics {
						rank: at(&out.rank),
						trust: at(&trust),
						consensus: at(&out.consensus),
						incentive: at(&out.incentive),
						dividends: at(&dividends),
						emission: paid_to.get(j).copied().unwrap_or(0).saturated_into(),
					},
				);
			}
			LastEpoch::<T>::insert(netuid, now);
			Self::deposit_event(Event::EpochCompleted { netuid, payout });
			considered
		}

		/// Pays through `Config::Payout`; `true` if paid (zero amounts count as paid).
		fn pay(
			pot: &T::AccountId,
			netuid: NetUid,
			round: u32,
			beneficiary: &T::AccountId,
			kind: PayoutKind,
			amount: BalanceOf<T>,
		) -> bool {
			if amount.is_zero() {
				return true;
			}
			let ok = frame_support::storage::with_storage_layer(|| {
				T::Payout::pay(pot, netuid, round, beneficiary, kind, amount)
			})
			.is_ok();
			if !ok {
				Self::deposit_event(Event::PayoutFailed {
					netuid,
					beneficiary: beneficiary.clone(),
					kind,
					amount,
				});
			}
			ok
		}

		/// Takes `amount` off a subnet's [`ImmatureInflow`] (it matured or was cancelled); the
		/// entry disappears at zero (and is not recreated for a removed subnet).
		fn sub_immature(netuid: NetUid, amount: BalanceOf<T>) {
			ImmatureInflow::<T>::mutate_exists(netuid, |s| {
				let left = s.unwrap_or_default().saturating_sub(amount);
				*s = (!left.is_zero()).then_some(left);
			});
		}

		/// The score `credit − debt` of a subnet (0 for one without a flow state).
		pub fn score_of(netuid: &NetUid) -> Score {
			FlowScore::<T>::get(netuid).score()
		}

		/// Shares of block emission of the given subnets at their current scores.
		fn shares_of(netuids: &[NetUid]) -> Vec<Perquintill> {
			let s = Self::flow_params();
			let scores: Vec<Score> = netuids.iter().map(Self::score_of).collect();
			flow::shares(&scores, s.cutoff, s.exponent)
				.ok()
				.flatten()
				.unwrap_or_else(|| vec![Perquintill::zero(); netuids.len()])
		}

		/// Runtime-API view: chain-wide emission state.
		pub fn emission_state() -> EmissionState<BalanceOf<T>> {
			let issuance: u128 = T::Currency::total_issuance().saturated_into();
			let cap: u128 = T::SupplyCap::get().saturated_into();
			let t = Totals::<T>::get();
			let s = Self::flow_params();
			EmissionState {
				block_emission: Self::block_emission(),
				total_issuance: issuance.saturated_into(),
				supply_cap: T::SupplyCap::get(),
				initial_emission: T::InitialEmission::get(),
				halvings: halving::halvings(issuance, cap),
				next_halving: halving::next_halving_threshold(issuance, cap)
					.map(|b| b.saturated_into()),
				emitted: t.emitted,
				minted: t.minted,
				unminted: t.unminted,
				paid: t.paid,
				slashed: Slashed::<T>::get(),
				recycled: t.recycled,
				pending: PendingEmission::<T>::iter_values()
					.fold(Zero::zero(), |a: BalanceOf<T>, p| a.saturating_add(p)),
				flow_half_life: s.half_life,
				flow_cutoff: s.cutoff.into_inner(),
				flow_exponent: s.exponent,
			}
		}

		/// Runtime-API view: every subnet's score, share, pending emission and last epoch.
		pub fn subnet_emissions() -> Vec<SubnetEmission<BalanceOf<T>, BlockNumberFor<T>>> {
			let netuids = T::Subnets::netuids();
			let shares = Self::shares_of(&netuids);
			let queue = EpochQueue::<T>::get();
			netuids
				.iter()
				.zip(shares)
				.map(|(netuid, share)| SubnetEmission {
					netuid: *netuid,
					flow_score: Self::score_of(netuid).into_inner(),
					share,
					pending: PendingEmission::<T>::get(netuid),
					last_epoch: LastEpoch::<T>::get(netuid),
					epoch_queued: queue.contains(netuid),
				})
				.collect()
		}

		#[cfg(any(test, feature = "try-runtime", feature = "std"))]
		/// Invariant: each live subnet's [`ImmatureInflow`] is the sum of its
		/// [`ScheduledInflow`] (entries of removed subnets are left to drain and not counted).
		fn check_immature_inflow() -> Result<(), sp_runtime::TryRuntimeError> {
			let mut sums: BTreeMap<NetUid, BalanceOf<T>> = BTreeMap::new();
			for (_, netuid, amount) in ScheduledInflow::<T>::iter() {
				if T::Subnets::subnet_exists(netuid) {
					let e = sums.entry(netuid).or_default();
					*e = e.saturating_add(amount);
				}
			}
			for (netuid, amount) in ImmatureInflow::<T>::iter() {
				ensure!(
					sums.remove(&netuid) == Some(amount),
					"ImmatureInflow != Σ ScheduledInflow"
				);
			}
			ensure!(sums.is_empty(), "ScheduledInflow without ImmatureInflow");
			Ok(())
		}

		/// Checks the pallet's invariants (run by `try_state` and after every test):
		/// `emitted = minted + unminted`; `minted = paid + Σ pending + recycled`; the pot holds
		/// `Σ pending + PotFloor`; total issuance `≤ SupplyCap` (unless genesis started above
		/// it); no pending emission, score, bonds or queue entry of a subnet that does not exist;
		/// every flow state's credit and debt `>= 0`; [`ImmatureInflow`] matches the schedule.
		#[cfg(any(test, feature = "try-runtime", feature = "std"))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let t = Totals::<T>::get();
			ensure!(
				t.emitted == t.minted.saturating_add(t.unminted),
				"emitted != minted + unminted"
			);
			let pending = PendingEmission::<T>::iter_values()
				.fold(BalanceOf::<T>::zero(), |a, p| a.saturating_add(p));
			ensure!(
				t.minted == t.paid.saturating_add(pending).saturating_add(t.recycled),
				"minted != paid + pending + recycled"
			);
			ensure!(
				T::Currency::balance(&Self::pot()) == pending.saturating_add(PotFloor::<T>::get()),
				"pot balance != pending + floor"
			);
			ensure!(
				T::Currency::total_issuance() <= T::SupplyCap::get() || t.minted.is_zero(),
				"total issuance above the cap"
			);
			for netuid in PendingEmission::<T>::iter_keys() {
				ensure!(
					T::Subnets::subnet_exists(netuid),
					"pending emission of a missing subnet"
				);
			}
			for (netuid, state) in FlowScore::<T>::iter() {
				ensure!(
					T::Subnets::subnet_exists(netuid),
					"score of a missing subnet"
				);
				ensure!(state.is_valid(), "negative credit or debt");
			}
			Self::check_immature_inflow()?;
			for (netuid, _, row) in Bonds::<T>::iter() {
				ensure!(
					T::Subnets::subnet_exists(netuid),
					"bonds of a missing subnet"
				);
				ensure!(
					row.windows(2).all(|w| matches!(w, [a, b] if a.0 < b.0)),
					"bond row unsorted"
				);
			}
			let queue = EpochQueue::<T>::get();
			for netuid in queue.iter() {
				ensure!(
					T::Subnets::subnet_exists(*netuid),
					"queued epoch of a missing subnet"
				);
			}
			ensure!(
				HeadDeferredAt::<T>::get().is_none() || !queue.is_empty(),
				"a deferred head without a queue"
			);
			Ok(())
		}
	}

	impl<T: Config> arena_pallet_primitives::OnFlow<BalanceOf<T>, BlockNumberFor<T>> for Pallet<T> {
		fn on_stake_added(netuid: NetUid, amount: BalanceOf<T>, matures_at: BlockNumberFor<T>) {
			if matures_at > frame_system::Pallet::<T>::block_number() {
				ScheduledInflow::<T>::mutate(matures_at, netuid, |s| *s = s.saturating_add(amount));
				ImmatureInflow::<T>::mutate(netuid, |s| *s = s.saturating_add(amount));
			} else {
				FlowAccumulator::<T>::mutate(netuid, |a| {
					a.matured_added = a.matured_added.saturating_add(amount)
				});
			}
		}

		fn on_stake_removed(
			netuid: NetUid,
			cancelled: &[(BlockNumberFor<T>, BalanceOf<T>)],
			matured: BalanceOf<T>,
		) {
			if !T::Subnets::subnet_exists(netuid) {
				return;
			}
			let now = frame_system::Pallet::<T>::block_number();
			let mut outflow = matured;
			for (at, amount) in cancelled {
				if *at > now {
					// Never reached any score: take it off the schedule.
					ScheduledInflow::<T>::mutate_exists(at, netuid, |s| {
						let left = s.unwrap_or_default().saturating_sub(*amount);
						*s = (!left.is_zero()).then_some(left);
					});
					Self::sub_immature(netuid, *amount);
				} else {
					// Already counted as inflow (cannot happen with `pallet-stake`): count it
					// out again.
					outflow = outflow.saturating_add(*amount);
				}
			}
			if !outflow.is_zero() {
				FlowAccumulator::<T>::mutate(netuid, |a| {
					a.removed = a.removed.saturating_add(outflow)
				});
			}
		}

		fn on_registration_burn(netuid: NetUid, amount: BalanceOf<T>) {
			FlowAccumulator::<T>::mutate(netuid, |a| a.burns = a.burns.saturating_add(amount));
		}
	}

	impl<T: Config> SubnetHooks for Pallet<T> {
		fn on_network_removed(netuid: NetUid) -> Weight {
			let pending = PendingEmission::<T>::take(netuid);
			if !pending.is_zero() {
				let burned = T::Currency::burn_from(
					&Self::pot(),
					pending,
					Preservation::Preserve,
					Precision::Exact,
					Fortitude::Force,
				)
				.is_ok();
				if burned {
					Totals::<T>::mutate(|t| EmissionTotals::add(&mut t.recycled, pending));
					Self::deposit_event(Event::PendingRecycled {
						netuid,
						amount: pending,
					});
				} else {
					PendingEmission::<T>::insert(netuid, pending);
				}
			}
			FlowScore::<T>::remove(netuid);
			FlowAccumulator::<T>::remove(netuid);
			ImmatureInflow::<T>::remove(netuid);
			LastEpoch::<T>::remove(netuid);
			EpochIndex::<T>::remove(netuid);
			let _ = Bonds::<T>::clear_prefix(netuid, T::MaxUids::get(), None);
			EpochQueue::<T>::mutate(|q| {
				if q.first() == Some(&netuid) {
					HeadDeferredAt::<T>::kill();
				}
				q.retain(|n| *n != netuid)
			});
			T::WeightInfo::on_network_removed()
		}

		fn on_epoch(netuid: NetUid) -> Weight {
			EpochQueue::<T>::mutate(|q| {
				if !q.contains(&netuid) {
					// Full only if every subnet is queued already; the next epoch catches up.
					let _ = q.try_push(netuid);
				}
			});
			T::WeightInfo::queue_epoch()
		}

		fn on_epoch_max_weight() -> Weight {
			T::WeightInfo::queue_epoch()
		}
	}

	impl<T: Config> OnSlash<BalanceOf<T>> for Pallet<T> {
		fn on_slashed(_netuid: NetUid, amount: BalanceOf<T>) {
			Slashed::<T>::mutate(|s| *s = s.saturating_add(amount));
		}
	}

	impl<T: Config> EmissionInfo for Pallet<T> {
		fn emission_score(netuid: NetUid) -> i128 {
			Self::score_of(&netuid).into_inner()
		}
		fn emission_share(netuid: NetUid) -> Perquintill {
			let netuids = T::Subnets::netuids();
			let shares = Self::shares_of(&netuids);
			netuids
				.iter()
				.position(|n| *n == netuid)
				.and_then(|i| shares.get(i).copied())
				.unwrap_or_default()
		}
		fn removal_debt(netuid: NetUid) -> u128 {
			let acc = FlowAccumulator::<T>::get(netuid);
			let pending = flow::net_flow(
				acc.matured_added.saturated_into(),
				acc.burns.saturated_into(),
				acc.removed.saturated_into(),
			);
			let matured_left = T::Stake::subnet_stake(netuid)
				.saturating_sub(ImmatureInflow::<T>::get(netuid))
				.saturated_into();
			flow::removal_debt(
				FlowScore::<T>::get(netuid),
				pending,
				matured_left,
				Self::flow_params().alpha,
			)
		}
		fn removal_debt_weight() -> Weight {
			// FlowAccumulator, SubnetStake, ImmatureInflow, FlowScore, FlowParameters.
			T::DbWeight::get().reads(5)
		}
	}
}
