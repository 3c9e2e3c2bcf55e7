//! # Stake pallet
//!
//! Hotkey ownership, stake and validator permits (SPEC §2–§3).
//!
//! - A **coldkey owns hotkeys** ([`Owner`], [`OwnedHotkeys`]), claimed only with the hotkey's
//!   consent (SPEC §4): by registering it on a subnet (which burns the registration price), or by
//!   [`Pallet::associate_hotkey`] with the hotkey's signature over
//!   [`Pallet::hotkey_claim_payload`], holding [`Config::HotkeyClaimDeposit`] under
//!   [`HoldReason::HotkeyClaim`] while the claim stands. [`Pallet::release_hotkey`] gives an
//!   unused hotkey up again (and returns the deposit), so nobody can block a hotkey forever.
//! - **Stake** is kept per position `(coldkey, hotkey, netuid)` and **held** from the coldkey under
//!   [`HoldReason::Stake`]: never minted, never transferred, never lost. [`Pallet::add_stake`],
//!   [`Pallet::remove_stake`] and [`Pallet::move_stake`] (between hotkeys and/or subnets of the
//!   same coldkey) keep `held = Σ positions` for every coldkey.
//! - A position is either empty or at least `Config::MinStake`; each position changes at most
//!   once per `Config::StakeRateLimit` blocks.
//! - **Flow reports** (SPEC §2): every addition is reported through `Config::OnFlow` with the
//!   block it matures at (`now + flow_maturity`); each position keeps its immature additions
//!   ([`PendingStake`], oldest first, [`arena_rules::flow::MaturityQueue`]) so a removal first
//!   cancels immature additions (reported with their maturity blocks: they never count) and only
//!   the rest counts as outflow. Moving stake between subnets is a removal plus an addition;
//!   moving it between hotkeys of one subnet moves the immature pieces with their original
//!   blocks and reports nothing (the subnet's stake is unchanged).
//! - **Delegate take** per hotkey (*default* 18 %, at most `Config::MaxTake`): decreases apply at
//!   once, increases at most once per `Config::TakeRateLimit` blocks.
//! - **Consensus stake** (SPEC §3) of a hotkey on a subnet is its **matured** stake: its stake
//!   minus the additions younger than the flow maturity ([`ImmatureStake`], kept by the block
//!   they mature at in [`MaturingStake`] and released in `on_initialize`). Permits, Yuma's `S`,
//!   escrow quorums and the delegation split count it, so capital staked shortly before an epoch
//!   cannot steer it. The maturity is [`Pallet::flow_maturity`]: set at genesis
//!   ([`GenesisConfig::flow_maturity`], e.g. a few blocks on dev chains), `Config::FlowMaturity`
//!   otherwise.
//! - **Validator permits**: on each subnet's epoch (`SubnetHooks::on_epoch`) the top
//!   `max_validators` registered hotkeys by consensus stake (> 0; ties to the lower UID) get a
//!   permit.
//! - Stake on a **dissolved subnet** stays held; it can be removed (or moved to a live subnet) at
//!   any time, without rate limit or minimum.
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
pub mod weights;

pub use weights::WeightInfo;

/// The SPEC §2 default flow maturity (one day of 12 s blocks, 7,200), defined once in
/// `arena-rules`, for `Config::FlowMaturity`.
pub const DEFAULT_FLOW_MATURITY: u32 = arena_rules::flow::DEFAULT_FLOW_MATURITY;

/// Domain separator of the message a hotkey signs to let a coldkey claim it (see
/// [`Pallet::hotkey_claim_payload`]).
pub const HOTKEY_CLAIM_CONTEXT: &[u8] = b"arena/stake/claim-hotkey";

/// Creates hotkeys and their claim signatures for the benchmarks (the runtime signs with a
/// key generated in the benchmark's keystore).
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId, Signature> {
	/// A hotkey and its signature over `payload(&hotkey)`.
	fn hotkey_and_signature(
		payload: impl FnOnce(&AccountId) -> alloc::vec::Vec<u8>,
	) -> (AccountId, Signature);
}

/// The [`BenchmarkHelper`] of test runtimes with `u64` accounts and
/// [`sp_runtime::testing::TestSignature`]: hotkey `u64::MAX - 1`, which "signs" any message.
#[cfg(all(feature = "runtime-benchmarks", feature = "std"))]
pub struct TestBenchmarkHelper;

#[cfg(all(feature = "runtime-benchmarks", feature = "std"))]
impl BenchmarkHelper<u64, sp_runtime::testing::TestSignature> for TestBenchmarkHelper {
	fn hotkey_and_signature(
		payload: impl FnOnce(&u64) -> alloc::vec::Vec<u8>,
	) -> (u64, sp_runtime::testing::TestSignature) {
		let hotkey = u64::MAX - 1;
		(
			hotkey,
			sp_runtime::testing::TestSignature(hotkey, payload(&hotkey)),
		)
	}
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use arena_pallet_primitives::{
		NetUid, OnFlow, PayoutHandler, PayoutKind, StakeInfo, StakeInterface, SubnetHooks,
		SubnetsInterface, Uid,
	};
	use arena_rules::flow::{MaturityQueue, PendingStake};
	use codec::Encode;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			tokens::Precision,
			BuildGenesisConfig,
		},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::{
		traits::{IdentifyAccount, SaturatedConversion, Saturating, Verify, Zero},
		Perbill,
	};

	/// Balance type of the configured currency.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
	/// Immature additions of one position, oldest first (blocks strictly increasing).
	pub type PendingOf<T> = BoundedVec<PendingStake, <T as Config>::MaxPendingStakes>;

	/// The in-code storage version (1: [`HotkeyPositions`] index added; 2: [`ImmatureStake`]
	/// and [`MaturingStake`] added).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// Stake, held from the coldkey.
		#[codec(index = 0)]
		Stake,
		/// The deposit of a hotkey claimed with [`Pallet::associate_hotkey`], held from its
		/// coldkey until [`Pallet::release_hotkey`].
		#[codec(index = 1)]
		HotkeyClaim,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The native currency (stake is held in it).
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The runtime's hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// The subnets side (existence, registrations, `max_validators`).
		type Subnets: SubnetsInterface<Self::AccountId, BalanceOf<Self>, BlockNumberFor<Self>>;
		/// Emission side: stake flow reports.
		type OnFlow: OnFlow<BalanceOf<Self>, BlockNumberFor<Self>>;
		/// Smallest non-empty position.
		#[pallet::constant]
		type MinStake: Get<BalanceOf<Self>>;
		/// Blocks between two changes of one position (1 = once per block).
		#[pallet::constant]
		type StakeRateLimit: Get<BlockNumberFor<Self>>;
		/// Blocks an addition must stay before it counts as inflow and as consensus stake (SPEC
		/// §2–§3, *default* one day), unless genesis sets another value
		/// ([`GenesisConfig::flow_maturity`]); see [`Pallet::flow_maturity`].
		#[pallet::constant]
		type FlowMaturity: Get<BlockNumberFor<Self>>;
		/// Most immature additions (distinct blocks) one position may have.
		#[pallet::constant]
		type MaxPendingStakes: Get<u32>;
		/// Most hotkeys one coldkey may own.
		#[pallet::constant]
		type MaxHotkeysPerColdkey: Get<u32>;
		/// Take of a new hotkey (*default* 18 %).
		#[pallet::constant]
		type DefaultTake: Get<Perbill>;
		/// Highest take.
		#[pallet::constant]
		type MaxTake: Get<Perbill>;
		/// Blocks between two take increases of a hotkey.
		#[pallet::constant]
		type TakeRateLimit: Get<BlockNumberFor<Self>>;
		/// Hard cap of permits per subnet (= `pallet_subnets::Config::MaxValidatorsLimit`).
		#[pallet::constant]
		type MaxValidatorsLimit: Get<u32>;
		/// Most stake positions (coldkeys) on one hotkey on one subnet: bounds the work of
		/// sharing a validator's dividends among its delegators (SPEC §3).
		#[pallet::constant]
		type MaxPositionsPerHotkey: Get<u32>;
		/// Signature a hotkey gives to let a coldkey claim it ([`Pallet::associate_hotkey`]),
		/// e.g. the runtime's `MultiSignature`.
		type HotkeySignature: Parameter
			+ Verify<Signer: IdentifyAccount<AccountId = Self::AccountId>>;
		/// Deposit held from a coldkey for each hotkey it claims with
		/// [`Pallet::associate_hotkey`] (pays for the storage; returned on release).
		#[pallet::constant]
		type HotkeyClaimDeposit: Get<BalanceOf<Self>>;
		/// Most subnets (= `pallet_subnets::Config::MaxSubnets`): bounds the scan of
		/// [`Pallet::release_hotkey`].
		#[pallet::constant]
		type MaxSubnets: Get<u32>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
		/// Creates signed hotkey claims for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: crate::BenchmarkHelper<Self::AccountId, Self::HotkeySignature>;
	}

	/// Owner (coldkey) of each hotkey.
	#[pallet::storage]
	pub type Owner<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, T::AccountId>;

	/// Deposit held for each hotkey claimed with [`Pallet::associate_hotkey`] (from its owner,
	/// under [`HoldReason::HotkeyClaim`]). Hotkeys claimed by registration have none.
	#[pallet::storage]
	pub type ClaimDeposits<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, BalanceOf<T>>;

	/// Hotkeys owned by each coldkey.
	#[pallet::storage]
	pub type OwnedHotkeys<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<T::AccountId, T::MaxHotkeysPerColdkey>,
		ValueQuery,
	>;

	/// Stake of each position `(coldkey, hotkey, netuid)`.
	#[pallet::storage]
	pub type Positions<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Twox64Concat, NetUid>,
		),
		BalanceOf<T>,
		ValueQuery,
	>;

	/// Index of the positions on each hotkey: `(netuid, hotkey, coldkey)` for every non-empty
	/// position (so a validator's dividends can be shared among its delegators).
	#[pallet::storage]
	pub type HotkeyPositions<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Twox64Concat, NetUid>,
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Blake2_128Concat, T::AccountId>,
		),
		(),
		OptionQuery,
	>;

	/// Number of positions on each hotkey on each subnet (at most `MaxPositionsPerHotkey`).
	#[pallet::storage]
	pub type HotkeyPositionCount<T: Config> =
		StorageDoubleMap<_, Twox64Concat, NetUid, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Immature additions of each position, oldest first.
	#[pallet::storage]
	pub type Pending<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Twox64Concat, NetUid>,
		),
		PendingOf<T>,
		ValueQuery,
	>;

	/// Block of the last change of each position (rate limit).
	#[pallet::storage]
	pub type LastStakeChange<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Twox64Concat, NetUid>,
		),
		BlockNumberFor<T>,
	>;

	/// Total stake on each hotkey on each subnet.
	#[pallet::storage]
	pub type HotkeyStake<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		NetUid,
		Blake2_128Concat,
		T::AccountId,
		BalanceOf<T>,
		ValueQuery,
	>;

	/// Total stake on each subnet.
	#[pallet::storage]
	pub type SubnetStake<T: Config> = StorageMap<_, Twox64Concat, NetUid, BalanceOf<T>, ValueQuery>;

	/// Total stake of each coldkey (= its balance held under [`HoldReason::Stake`]).
	#[pallet::storage]
	pub type ColdkeyStake<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BalanceOf<T>, ValueQuery>;

	/// Total stake.
	#[pallet::storage]
	pub type TotalStake<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// The flow maturity of this chain, set at genesis ([`GenesisConfig::flow_maturity`]);
	/// `Config::FlowMaturity` while unset. Read it through [`Pallet::flow_maturity`].
	#[pallet::storage]
	pub type FlowMaturityBlocks<T: Config> = StorageValue<_, BlockNumberFor<T>, OptionQuery>;

	/// Immature stake on each hotkey on each subnet: Σ of its positions' additions that have not
	/// matured yet (= Σ of its [`MaturingStake`] entries). Consensus stake = [`HotkeyStake`] −
	/// this.
	#[pallet::storage]
	pub type ImmatureStake<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		NetUid,
		Blake2_128Concat,
		T::AccountId,
		BalanceOf<T>,
		ValueQuery,
	>;

	/// Immature stake by the block it matures at: `(block, netuid, hotkey) → amount`. Drained
	/// by `on_initialize` of that block, which takes it off [`ImmatureStake`].
	#[pallet::storage]
	pub type MaturingStake<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Twox64Concat, BlockNumberFor<T>>,
			NMapKey<Twox64Concat, NetUid>,
			NMapKey<Blake2_128Concat, T::AccountId>,
		),
		BalanceOf<T>,
		ValueQuery,
	>;

	/// Delegate take of each hotkey (`Config::DefaultTake` if unset).
	#[pallet::storage]
	pub type Takes<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, Perbill>;

	/// Block of each hotkey's last take increase.
	#[pallet::storage]
	pub type LastTakeIncrease<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BlockNumberFor<T>>;

	/// Hotkeys holding a validator permit on each subnet (recomputed every epoch).
	#[pallet::storage]
	pub type Permits<T: Config> = StorageMap<
		_,
		Twox64Concat,
		NetUid,
		BoundedVec<T::AccountId, T::MaxValidatorsLimit>,
		ValueQuery,
	>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Flow maturity of this chain in blocks ([`FlowMaturityBlocks`]); `None` keeps
		/// `Config::FlowMaturity`. Dev and local chains set a few blocks so that new stake
		/// counts soon after it is added.
		pub flow_maturity: Option<BlockNumberFor<T>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(maturity) = self.flow_maturity {
				FlowMaturityBlocks::<T>::put(maturity);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A coldkey took ownership of a hotkey.
		HotkeyAssociated {
			coldkey: T::AccountId,
			hotkey: T::AccountId,
		},
		/// A coldkey gave up a hotkey; `deposit` was released to it.
		HotkeyReleased {
			coldkey: T::AccountId,
			hotkey: T::AccountId,
			deposit: BalanceOf<T>,
		},
		/// Stake was added (held); it counts as inflow at `matures_at`.
		StakeAdded {
			coldkey: T::AccountId,
			hotkey: T::AccountId,
			netuid: NetUid,
			amount: BalanceOf<T>,
			matures_at: BlockNumberFor<T>,
		},
		/// Stake was removed (released).
		StakeRemoved {
			coldkey: T::AccountId,
			hotkey: T::AccountId,
			netuid: NetUid,
			amount: BalanceOf<T>,
		},
		/// Stake was moved between positions of one coldkey.
		StakeMoved {
			coldkey: T::AccountId,
			from_hotkey: T::AccountId,
			from_netuid: NetUid,
			to_hotkey: T::AccountId,
			to_netuid: NetUid,
			amount: BalanceOf<T>,
		},
		/// A hotkey's delegate take changed.
		DelegateTakeSet { hotkey: T::AccountId, take: Perbill },
		/// An epoch payout was credited to a position (emission, not reported as flow).
		RewardStaked {
			coldkey: T::AccountId,
			hotkey: T::AccountId,
			netuid: NetUid,
			amount: BalanceOf<T>,
		},
		/// Validator permits of a subnet were recomputed.
		PermitsUpdated { netuid: NetUid, permits: u32 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The hotkey is owned by another coldkey.
		HotkeyOwnedByAnotherColdkey,
		/// The coldkey owns `MaxHotkeysPerColdkey` hotkeys already.
		TooManyHotkeys,
		/// The hotkey has no owner.
		HotkeyNotAssociated,
		/// The caller does not own the hotkey.
		NotHotkeyOwner,
		/// The subnet does not exist.
		SubnetNotFound,
		/// The hotkey is not registered on the subnet.
		HotkeyNotRegistered,
		/// Amount zero.
		ZeroAmount,
		/// The position holds less than the amount.
		NotEnoughStake,
		/// The position would end up non-empty but below `MinStake`.
		StakeBelowMinimum,
		/// Not enough free balance to hold the stake.
		InsufficientBalance,
		/// The position changed less than `StakeRateLimit` blocks ago.
		StakeRateLimited,
		/// The position has `MaxPendingStakes` immature additions already.
		TooManyPendingStakes,
		/// Source and destination are the same position.
		SamePosition,
		/// Take above `MaxTake`.
		TakeTooHigh,
		/// Take increased less than `TakeRateLimit` blocks ago.
		TakeRateLimited,
		/// The hotkey has `MaxPositionsPerHotkey` positions on the subnet already.
		TooManyPositions,
		/// Arithmetic overflow.
		Overflow,
		/// The hotkey's signature does not cover this claim (wrong hotkey, coldkey, expiry or
		/// chain).
		InvalidHotkeySignature,
		/// The claim's `valid_until` block has passed.
		HotkeyClaimExpired,
		/// Not enough free balance for the claim deposit.
		InsufficientDeposit,
		/// The hotkey is registered or staked on a subnet: it cannot be released.
		HotkeyInUse,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Stake maturing at this block leaves [`ImmatureStake`] (becomes consensus stake).
		fn on_initialize(n: BlockNumberFor<T>) -> Weight {
			let matured = Self::mature_stakes(n);
			T::WeightInfo::mature_stakes(matured)
		}

		fn integrity_test() {
			assert!(
				T::MinStake::get() > Zero::zero(),
				"MinStake must be positive"
			);
			assert!(
				T::MaxPendingStakes::get() >= 1,
				"MaxPendingStakes must be >= 1"
			);
			assert!(
				T::MaxHotkeysPerColdkey::get() >= 1,
				"MaxHotkeysPerColdkey must be >= 1"
			);
			assert!(
				T::DefaultTake::get() <= T::MaxTake::get(),
				"DefaultTake above MaxTake"
			);
			assert!(
				T::MaxValidatorsLimit::get() >= 1,
				"MaxValidatorsLimit must be >= 1"
			);
			assert!(
				T::MaxPositionsPerHotkey::get() >= 1,
				"MaxPositionsPerHotkey must be >= 1"
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
		/// Take ownership of an unowned hotkey, with the hotkey's consent (SPEC §4).
		///
		/// - Origin: signed (the coldkey).
		/// - `signature`: the hotkey's signature over
		///   [`Pallet::hotkey_claim_payload`]`(coldkey, hotkey, valid_until)`, which names the
		///   coldkey, the chain (genesis hash) and the last block `valid_until` it may be used
		///   at. Nobody else can claim a hotkey ahead of its registration.
		/// - Holds [`Config::HotkeyClaimDeposit`] from the caller until
		///   [`Pallet::release_hotkey`]. No-op if the caller already owns the hotkey.
		///
		/// Errors: [`Error::HotkeyClaimExpired`], [`Error::InvalidHotkeySignature`],
		/// [`Error::HotkeyOwnedByAnotherColdkey`], [`Error::TooManyHotkeys`],
		/// [`Error::InsufficientDeposit`].
		///
		/// Events: [`Event::HotkeyAssociated`] (when ownership is new).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::associate_hotkey())]
		pub fn associate_hotkey(
			origin: OriginFor<T>,
			hotkey: T::AccountId,
			valid_until: BlockNumberFor<T>,
			signature: T::HotkeySignature,
		) -> DispatchResult {
			let coldkey = ensure_signed(origin)?;
			ensure!(
				frame_system::Pallet::<T>::block_number() <= valid_until,
				Error::<T>::HotkeyClaimExpired
			);
			let payload = Self::hotkey_claim_payload(&coldkey, &hotkey, valid_until);
			ensure!(
				signature.verify(&payload[..], &hotkey),
				Error::<T>::InvalidHotkeySignature
			);
			if Owner::<T>::get(&hotkey).as_ref() == Some(&coldkey) {
				return Ok(());
			}
			let deposit = T::HotkeyClaimDeposit::get();
			if !deposit.is_zero() {
				T::Currency::hold(&HoldReason::HotkeyClaim.into(), &coldkey, deposit)
					.map_err(|_| Error::<T>::InsufficientDeposit)?;
				ClaimDeposits::<T>::insert(&hotkey, deposit);
			}
			Self::do_associate(&coldkey, &hotkey)
		}

		/// Give up a hotkey the caller owns, so that another coldkey may claim it.
		///
		/// - Origin: signed (the hotkey's coldkey).
		/// - The hotkey must not be registered or hold stake on any existing subnet. Releases
		///   the claim deposit, if any. Takes and positions on dissolved subnets stay (they
		///   need no owner).
		///
		/// Errors: [`Error::HotkeyNotAssociated`], [`Error::NotHotkeyOwner`],
		/// [`Error::HotkeyInUse`].
		///
		/// Events: [`Event::HotkeyReleased`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::release_hotkey(T::MaxSubnets::get()))]
		pub fn release_hotkey(
			origin: OriginFor<T>,
			hotkey: T::AccountId,
		) -> DispatchResultWithPostInfo {
			let coldkey = ensure_signed(origin)?;
			let owner = Owner::<T>::get(&hotkey).ok_or(Error::<T>::HotkeyNotAssociated)?;
			ensure!(owner == coldkey, Error::<T>::NotHotkeyOwner);
			let netuids = T::Subnets::netuids();
			let subnets: u32 = netuids.len().saturated_into();
			let in_use = netuids.into_iter().any(|netuid| {
				T::Subnets::uid_of(netuid, &hotkey).is_some()
					|| !HotkeyStake::<T>::get(netuid, &hotkey).is_zero()
			});
			ensure!(!in_use, Error::<T>::HotkeyInUse);
			let deposit = ClaimDeposits::<T>::take(&hotkey).unwrap_or_default();
			if !deposit.is_zero() {
				T::Currency::release(
					&HoldReason::HotkeyClaim.into(),
					&coldkey,
					deposit,
					Precision::BestEffort,
				)?;
			}
			Owner::<T>::remove(&hotkey);
			OwnedHotkeys::<T>::mutate_exists(&coldkey, |hs| {
				if let Some(v) = hs {
					v.retain(|h| h != &hotkey);
					if v.is_empty() {
						*hs = None;
					}
				}
			});
			Self::deposit_event(Event::HotkeyReleased {
				coldkey,
				hotkey,
				deposit,
			});
			Ok(Some(T::WeightInfo::release_hotkey(subnets)).into())
		}

		/// Stake `amount` from the caller to `hotkey` on `netuid`.
		///
		/// - Origin: signed (the coldkey; any coldkey may delegate to any hotkey).
		/// - `hotkey` must be owned and registered on the existing subnet `netuid`. The amount is
		///   held from the caller under [`HoldReason::Stake`]; the position must end at least
		///   `MinStake` and not have changed in the last `StakeRateLimit` blocks. Reported through
		///   `OnFlow::on_stake_added` with maturity block `now + FlowMaturity`.
		///
		/// Errors: [`Error::ZeroAmount`], [`Error::SubnetNotFound`],
		/// [`Error::HotkeyNotAssociated`], [`Error::HotkeyNotRegistered`],
		/// [`Error::StakeRateLimited`], [`Error::StakeBelowMinimum`],
		/// [`Error::TooManyPendingStakes`], [`Error::InsufficientBalance`].
		///
		/// Events: [`Event::StakeAdded`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::add_stake())]
		pub fn add_stake(
			origin: OriginFor<T>,
			hotkey: T::AccountId,
			netuid: NetUid,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let coldkey = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			Self::ensure_stakeable(&hotkey, netuid)?;
			let now = frame_system::Pallet::<T>::block_number();
			Self::ensure_rate(&coldkey, &hotkey, netuid, now)?;
			T::Currency::hold(&HoldReason::Stake.into(), &coldkey, amount)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			ColdkeyStake::<T>::try_mutate(&coldkey, |s| Self::checked_add(s, amount))?;
			let matures_at = Self::credit(&coldkey, &hotkey, netuid, amount, now)?;
			Self::deposit_event(Event::StakeAdded {
				coldkey,
				hotkey,
				netuid,
				amount,
				matures_at,
			});
			Ok(())
		}

		/// Unstake `amount` of the caller's position on `hotkey` / `netuid`.
		///
		/// - Origin: signed (the coldkey of the position).
		/// - Releases the amount. The position must end empty or at least `MinStake`, and must
		///   not have changed in the last `StakeRateLimit` blocks (neither applies on a dissolved
		///   subnet). Reported through `OnFlow::on_stake_removed` (immature pieces cancelled,
		///   the rest as outflow) while the subnet exists.
		///
		/// Errors: [`Error::ZeroAmount`], [`Error::NotEnoughStake`],
		/// [`Error::StakeRateLimited`], [`Error::StakeBelowMinimum`].
		///
		/// Events: [`Event::StakeRemoved`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::remove_stake(T::MaxPendingStakes::get()))]
		pub fn remove_stake(
			origin: OriginFor<T>,
			hotkey: T::AccountId,
			netuid: NetUid,
			amount: BalanceOf<T>,
		) -> DispatchResultWithPostInfo {
			let coldkey = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let now = frame_system::Pallet::<T>::block_number();
			let removal = Self::debit(&coldkey, &hotkey, netuid, amount, now)?;
			if T::Subnets::subnet_exists(netuid) {
				Self::report_removal(netuid, &removal);
			}
			ColdkeyStake::<T>::mutate_exists(&coldkey, |s| {
				let v = s.unwrap_or_default().saturating_sub(amount);
				*s = if v.is_zero() { None } else { Some(v) };
			});
			T::Currency::release(
				&HoldReason::Stake.into(),
				&coldkey,
				amount,
				Precision::Exact,
			)?;
			Self::deposit_event(Event::StakeRemoved {
				coldkey,
				hotkey,
				netuid,
				amount,
			});
			let pieces = removal.cancelled.len().saturated_into();
			Ok(Some(T::WeightInfo::remove_stake(pieces)).into())
		}

		/// Move `amount` of the caller's stake from one position to another.
		///
		/// - Origin: signed (the coldkey of both positions).
		/// - Between subnets: a removal from the source plus an addition to the destination (both
		///   reported through `OnFlow`). Within one subnet (another hotkey): the immature pieces
		///   keep their blocks, nothing is reported. The held balance does not change. Both
		///   positions obey `MinStake` and `StakeRateLimit` (the source not if its subnet was
		///   dissolved); the destination must be stakeable as in [`Pallet::add_stake`].
		///
		/// Errors: [`Error::ZeroAmount`], [`Error::SamePosition`], the errors of `add_stake`
		/// for the destination and of `remove_stake` for the source.
		///
		/// Events: [`Event::StakeMoved`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::move_stake(T::MaxPendingStakes::get()))]
		pub fn move_stake(
			origin: OriginFor<T>,
			from_hotkey: T::AccountId,
			from_netuid: NetUid,
			to_hotkey: T::AccountId,
			to_netuid: NetUid,
			amount: BalanceOf<T>,
		) -> DispatchResultWithPostInfo {
			let coldkey = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			ensure!(
				from_hotkey != to_hotkey || from_netuid != to_netuid,
				Error::<T>::SamePosition
			);
			Self::ensure_stakeable(&to_hotkey, to_netuid)?;
			let now = frame_system::Pallet::<T>::block_number();
			Self::ensure_rate(&coldkey, &to_hotkey, to_netuid, now)?;
			let removal = Self::debit(&coldkey, &from_hotkey, from_netuid, amount, now)?;
			if from_netuid == to_netuid {
				// Same subnet: the pieces keep their maturity; nothing to report.
				Self::credit_pieces(
					&coldkey,
					&to_hotkey,
					to_netuid,
					amount,
					&removal.cancelled,
					now,
				)?;
			} else {
				if T::Subnets::subnet_exists(from_netuid) {
					Self::report_removal(from_netuid, &removal);
				}
				Self::credit(&coldkey, &to_hotkey, to_netuid, amount, now)?;
			}
			let pieces = removal.cancelled.len().saturated_into();
			Self::deposit_event(Event::StakeMoved {
				coldkey,
				from_hotkey,
				from_netuid,
				to_hotkey,
				to_netuid,
				amount,
			});
			Ok(Some(T::WeightInfo::move_stake(pieces)).into())
		}

		/// Set the delegate take of a hotkey the caller owns.
		///
		/// - Origin: signed (the hotkey's coldkey).
		/// - `take <= MaxTake`. A decrease applies at once; an increase only if the last
		///   increase was at least `TakeRateLimit` blocks ago.
		///
		/// Errors: [`Error::HotkeyNotAssociated`], [`Error::NotHotkeyOwner`],
		/// [`Error::TakeTooHigh`], [`Error::TakeRateLimited`].
		///
		/// Events: [`Event::DelegateTakeSet`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_delegate_take())]
		pub fn set_delegate_take(
			origin: OriginFor<T>,
			hotkey: T::AccountId,
			take: Perbill,
		) -> DispatchResult {
			let coldkey = ensure_signed(origin)?;
			let owner = Owner::<T>::get(&hotkey).ok_or(Error::<T>::HotkeyNotAssociated)?;
			ensure!(owner == coldkey, Error::<T>::NotHotkeyOwner);
			ensure!(take <= T::MaxTake::get(), Error::<T>::TakeTooHigh);
			let current = Self::take_of(&hotkey);
			if take > current {
				let now = frame_system::Pallet::<T>::block_number();
				if let Some(last) = LastTakeIncrease::<T>::get(&hotkey) {
					ensure!(
						now.saturating_sub(last) >= T::TakeRateLimit::get(),
						Error::<T>::TakeRateLimited
					);
				}
				LastTakeIncrease::<T>::insert(&hotkey, now);
			}
			Takes::<T>::insert(&hotkey, take);
			Self::deposit_event(Event::DelegateTakeSet { hotkey, take });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Blocks an addition must stay before it counts as inflow and as consensus stake: the
		/// genesis value ([`FlowMaturityBlocks`]) or `Config::FlowMaturity`.
		pub fn flow_maturity() -> BlockNumberFor<T> {
			FlowMaturityBlocks::<T>::get().unwrap_or_else(T::FlowMaturity::get)
		}

		/// Consensus stake of `hotkey` on `netuid` (SPEC §3): its matured stake,
		/// [`HotkeyStake`] − [`ImmatureStake`]. Stake maturing at the current block counts even
		/// before this block's `on_initialize` has released it, so the result does not depend
		/// on the order of the pallets' hooks.
		pub fn consensus_stake_of(netuid: NetUid, hotkey: &T::AccountId) -> BalanceOf<T> {
			let now = frame_system::Pallet::<T>::block_number();
			HotkeyStake::<T>::get(netuid, hotkey)
				.saturating_sub(ImmatureStake::<T>::get(netuid, hotkey))
				.saturating_add(MaturingStake::<T>::get((now, netuid, hotkey)))
		}

		/// Matured stake of the position `(coldkey, hotkey, netuid)`: its stake minus its
		/// additions younger than [`Pallet::flow_maturity`].
		pub fn matured_position(
			coldkey: &T::AccountId,
			hotkey: &T::AccountId,
			netuid: NetUid,
		) -> BalanceOf<T> {
			let stake = Positions::<T>::get((coldkey, hotkey, netuid));
			let now: u64 = frame_system::Pallet::<T>::block_number().saturated_into();
			let maturity: u64 = Self::flow_maturity().saturated_into();
			let immature: u128 = Pending::<T>::get((coldkey, hotkey, netuid))
				.iter()
				.filter(|p| p.added_at.saturating_add(maturity) > now)
				.fold(0u128, |a, p| a.saturating_add(p.amount));
			stake.saturating_sub(immature.saturated_into())
		}

		/// Releases the stake maturing at block `n` from [`ImmatureStake`]; returns the number
		/// of `(subnet, hotkey)` entries released.
		pub fn mature_stakes(n: BlockNumberFor<T>) -> u32 {
			let mut count = 0u32;
			for ((netuid, hotkey), amount) in MaturingStake::<T>::drain_prefix((n,)) {
				Self::sub_immature(netuid, &hotkey, amount);
				count = count.saturating_add(1);
			}
			count
		}

		/// Records `amount` of immature stake on `hotkey` / `netuid` maturing at `matures_at`
		/// (nothing if that is not in the future: the stake is mature already).
		fn schedule_maturity(
			netuid: NetUid,
			hotkey: &T::AccountId,
			matures_at: BlockNumberFor<T>,
			amount: BalanceOf<T>,
		) {
			if matures_at <= frame_system::Pallet::<T>::block_number() || amount.is_zero() {
				return;
			}
			MaturingStake::<T>::mutate((matures_at, netuid, hotkey), |s| {
				*s = s.saturating_add(amount)
			});
			ImmatureStake::<T>::mutate(netuid, hotkey, |s| *s = s.saturating_add(amount));
		}

		/// Takes `amount` of immature stake maturing at `matures_at` off `hotkey` / `netuid`
		/// (an immature piece was cancelled or moved to another hotkey).
		fn unschedule_maturity(
			netuid: NetUid,
			hotkey: &T::AccountId,
			matures_at: BlockNumberFor<T>,
			amount: BalanceOf<T>,
		) {
			let mut taken = BalanceOf::<T>::zero();
			MaturingStake::<T>::mutate_exists((matures_at, netuid, hotkey), |s| {
				let have = s.unwrap_or_default();
				taken = have.min(amount);
				let left = have.saturating_sub(taken);
				*s = (!left.is_zero()).then_some(left);
			});
			Self::sub_immature(netuid, hotkey, taken);
		}

		fn sub_immature(netuid: NetUid, hotkey: &T::AccountId, amount: BalanceOf<T>) {
			ImmatureStake::<T>::mutate_exists(netuid, hotkey, |s| {
				let left = s.unwrap_or_default().saturating_sub(amount);
				*s = (!left.is_zero()).then_some(left);
			});
		}

		/// The message a hotkey signs to let `coldkey` claim it until block `valid_until`:
		/// `SCALE((HOTKEY_CLAIM_CONTEXT, genesis hash, coldkey, hotkey, valid_until))`.
		pub fn hotkey_claim_payload(
			coldkey: &T::AccountId,
			hotkey: &T::AccountId,
			valid_until: BlockNumberFor<T>,
		) -> Vec<u8> {
			let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
			(HOTKEY_CLAIM_CONTEXT, genesis, coldkey, hotkey, valid_until).encode()
		}

		/// Benchmark helper: lets the position's immature stake count as matured at once (its
		/// pending pieces leave the queue and the maturity schedule), so that benchmarks of the
		/// other pallets see consensus stake.
		#[cfg(feature = "runtime-benchmarks")]
		pub fn bench_mature(coldkey: &T::AccountId, hotkey: &T::AccountId, netuid: NetUid) {
			let maturity = Self::flow_maturity();
			for p in Pending::<T>::take((coldkey, hotkey, netuid)) {
				let added: BlockNumberFor<T> = p.added_at.saturated_into();
				Self::unschedule_maturity(
					netuid,
					hotkey,
					added.saturating_add(maturity),
					p.amount.saturated_into(),
				);
			}
		}

		/// Delegate take of `hotkey`.
		pub fn take_of(hotkey: &T::AccountId) -> Perbill {
			Takes::<T>::get(hotkey).unwrap_or_else(T::DefaultTake::get)
		}

		/// Makes `coldkey` the owner of the unowned `hotkey` (a no-op if it owns it already).
		pub(crate) fn do_associate(
			coldkey: &T::AccountId,
			hotkey: &T::AccountId,
		) -> DispatchResult {
			match Owner::<T>::get(hotkey) {
				Some(owner) if &owner == coldkey => Ok(()),
				Some(_) => Err(Error::<T>::HotkeyOwnedByAnotherColdkey.into()),
				None => {
					OwnedHotkeys::<T>::try_mutate(coldkey, |v| v.try_push(hotkey.clone()))
						.map_err(|_| Error::<T>::TooManyHotkeys)?;
					Owner::<T>::insert(hotkey, coldkey);
					Self::deposit_event(Event::HotkeyAssociated {
						coldkey: coldkey.clone(),
						hotkey: hotkey.clone(),
					});
					Ok(())
				},
			}
		}

		fn ensure_stakeable(hotkey: &T::AccountId, netuid: NetUid) -> DispatchResult {
			ensure!(
				T::Subnets::subnet_exists(netuid),
				Error::<T>::SubnetNotFound
			);
			ensure!(
				Owner::<T>::contains_key(hotkey),
				Error::<T>::HotkeyNotAssociated
			);
			ensure!(
				T::Subnets::uid_of(netuid, hotkey).is_some(),
				Error::<T>::HotkeyNotRegistered
			);
			Ok(())
		}

		fn ensure_rate(
			coldkey: &T::AccountId,
			hotkey: &T::AccountId,
			netuid: NetUid,
			now: BlockNumberFor<T>,
		) -> DispatchResult {
			if let Some(last) = LastStakeChange::<T>::get((coldkey, hotkey, netuid)) {
				ensure!(
					now.saturating_sub(last) >= T::StakeRateLimit::get(),
					Error::<T>::StakeRateLimited
				);
			}
			Ok(())
		}

		fn checked_add(s: &mut BalanceOf<T>, amount: BalanceOf<T>) -> DispatchResult {
			*s = s.checked_add(&amount).ok_or(Error::<T>::Overflow)?;
			Ok(())
		}

		fn ensure_min(stake: BalanceOf<T>) -> DispatchResult {
			ensure!(
				stake.is_zero() || stake >= T::MinStake::get(),
				Error::<T>::StakeBelowMinimum
			);
			Ok(())
		}

		fn queue(
			coldkey: &T::AccountId,
			hotkey: &T::AccountId,
			netuid: NetUid,
			now: BlockNumberFor<T>,
		) -> MaturityQueue {
			let entries = Pending::<T>::get((coldkey, hotkey, netuid)).into_inner();
			let mut q = MaturityQueue::from_entries(entries).unwrap_or_default();
			let _ = q.take_matured(now.saturated_into(), Self::flow_maturity().saturated_into());
			q
		}

		fn store_queue(
			coldkey: &T::AccountId,
			hotkey: &T::AccountId,
			netuid: NetUid,
			q: MaturityQueue,
		) -> DispatchResult {
			let entries: PendingOf<T> = q
				.into_entries()
				.try_into()
				.map_err(|_| Error::<T>::TooManyPendingStakes)?;
			if entries.is_empty() {
				Pending::<T>::remove((coldkey, hotkey, netuid));
			} else {
				Pending::<T>::insert((coldkey, hotkey, netuid), entries);
			}
			Ok(())
		}

		/// Adds `amount` to a position (the caller handles the hold / coldkey total), queues it
		/// as immature and reports it. Returns the maturity block.
		fn credit(
			coldkey: &T::AccountId,
			hotkey: &T::AccountId,
			netuid: NetUid,
			amount: BalanceOf<T>,
			now: BlockNumberFor<T>,
		) -> Result<BlockNumberFor<T>, DispatchError> {
			Self::add_to_position(coldkey, hotkey, netuid, amount, now)?;
			let mut q = Self::queue(coldkey, hotkey, netuid, now);
			q.add(
				now.saturated_into(),
				amount.saturated_into(),
				T::MaxPendingStakes::get() as usize,
			)
			.map_err(|_| Error::<T>::TooManyPendingStakes)?;
			Self::store_queue(coldkey, hotkey, netuid, q)?;
			let matures_at = now.saturating_add(Self::flow_maturity());
			Self::schedule_maturity(netuid, hotkey, matures_at, amount);
			T::OnFlow::on_stake_added(netuid, amount, matures_at);
			Ok(matures_at)
		}

		/// Adds `amount` to a position of the same subnet, merging the immature `pieces` (with
		/// their original blocks) into its queue and its hotkey's maturity schedule. Nothing is
		/// reported.
		fn credit_pieces(
			coldkey: &T::AccountId,
			hotkey: &T::AccountId,
			netuid: NetUid,
			amount: BalanceOf<T>,
			pieces: &[PendingStake],
			now: BlockNumberFor<T>,
		) -> DispatchResult {
			Self::add_to_position(coldkey, hotkey, netuid, amount, now)?;
			let q = Self::queue(coldkey, hotkey, netuid, now);
			let mut merged: Vec<PendingStake> = q.into_entries();
			let maturity = Self::flow_maturity();
			for p in pieces.iter().filter(|p| p.amount > 0) {
				let added: BlockNumberFor<T> = p.added_at.saturated_into();
				Self::schedule_maturity(
					netuid,
					hotkey,
					added.saturating_add(maturity),
					p.amount.saturated_into(),
				);
				match merged.binary_search_by_key(&p.added_at, |e| e.added_at) {
					Ok(i) => {
						if let Some(e) = merged.get_mut(i) {
							e.amount = e.amount.saturating_add(p.amount);
						}
					},
					Err(i) => merged.insert(i, *p),
				}
			}
			let q = MaturityQueue::from_entries(merged).map_err(|_| Error::<T>::Overflow)?;
			Self::store_queue(coldkey, hotkey, netuid, q)
		}

		fn add_to_position(
			coldkey: &T::AccountId,
			hotkey: &T::AccountId,
			netuid: NetUid,
			amount: BalanceOf<T>,
			now: BlockNumberFor<T>,
		) -> DispatchResult {
			let before = Positions::<T>::get((coldkey, hotkey, netuid));
			let stake = before.checked_add(&amount).ok_or(Error::<T>::Overflow)?;
			Self::ensure_min(stake)?;
			if before.is_zero() {
				Self::index_position(coldkey, hotkey, netuid)?;
			}
			Positions::<T>::insert((coldkey, hotkey, netuid), stake);
			HotkeyStake::<T>::try_mutate(netuid, hotkey, |s| Self::checked_add(s, amount))?;
			SubnetStake::<T>::try_mutate(netuid, |s| Self::checked_add(s, amount))?;
			TotalStake::<T>::try_mutate(|s| Self::checked_add(s, amount))?;
			LastStakeChange::<T>::insert((coldkey, hotkey, netuid), now);
			Ok(())
		}

		/// Takes `amount` from a position (checks, rate limit, minimum), its queue and its
		/// hotkey's maturity schedule; returns what the queue did. The caller handles the hold / coldkey total and reporting.
		fn debit(
			coldkey: &T::AccountId,
			hotkey: &T::AccountId,
			netuid: NetUid,
			amount: BalanceOf<T>,
			now: BlockNumberFor<T>,
		) -> Result<arena_rules::flow::Removal, DispatchError> {
			let stake = Positions::<T>::get((coldkey, hotkey, netuid));
			ensure!(stake >= amount, Error::<T>::NotEnoughStake);
			let left = stake.saturating_sub(amount);
			if T::Subnets::subnet_exists(netuid) {
				Self::ensure_rate(coldkey, hotkey, netuid, now)?;
				Self::ensure_min(left)?;
			}
			if left.is_zero() {
				Positions::<T>::remove((coldkey, hotkey, netuid));
				LastStakeChange::<T>::remove((coldkey, hotkey, netuid));
				Self::unindex_position(coldkey, hotkey, netuid);
			} else {
				Positions::<T>::insert((coldkey, hotkey, netuid), left);
				LastStakeChange::<T>::insert((coldkey, hotkey, netuid), now);
			}
			HotkeyStake::<T>::mutate_exists(netuid, hotkey, |s| {
				let v = s.unwrap_or_default().saturating_sub(amount);
				*s = if v.is_zero() { None } else { Some(v) };
			});
			SubnetStake::<T>::mutate_exists(netuid, |s| {
				let v = s.unwrap_or_default().saturating_sub(amount);
				*s = if v.is_zero() { None } else { Some(v) };
			});
			TotalStake::<T>::mutate(|s| *s = s.saturating_sub(amount));
			let mut q = Self::queue(coldkey, hotkey, netuid, now);
			let removal = q.remove(amount.saturated_into());
			Self::store_queue(coldkey, hotkey, netuid, q)?;
			let maturity = Self::flow_maturity();
			for p in &removal.cancelled {
				let added: BlockNumberFor<T> = p.added_at.saturated_into();
				Self::unschedule_maturity(
					netuid,
					hotkey,
					added.saturating_add(maturity),
					p.amount.saturated_into(),
				);
			}
			Ok(removal)
		}

		/// Adds a new position to [`HotkeyPositions`] (bounded by `MaxPositionsPerHotkey`).
		fn index_position(
			coldkey: &T::AccountId,
			hotkey: &T::AccountId,
			netuid: NetUid,
		) -> DispatchResult {
			let count = HotkeyPositionCount::<T>::get(netuid, hotkey);
			ensure!(
				count < T::MaxPositionsPerHotkey::get(),
				Error::<T>::TooManyPositions
			);
			HotkeyPositionCount::<T>::insert(netuid, hotkey, count.saturating_add(1));
			HotkeyPositions::<T>::insert((netuid, hotkey, coldkey), ());
			Ok(())
		}

		/// Removes an emptied position from [`HotkeyPositions`].
		fn unindex_position(coldkey: &T::AccountId, hotkey: &T::AccountId, netuid: NetUid) {
			if HotkeyPositions::<T>::take((netuid, hotkey, coldkey)).is_some() {
				HotkeyPositionCount::<T>::mutate_exists(netuid, hotkey, |c| {
					let v = c.unwrap_or_default().saturating_sub(1);
					*c = (v > 0).then_some(v);
				});
			}
		}

		/// Credits a reward already in `coldkey`'s free balance to its position as held stake
		/// (not reported as flow); see [`StakeInterface::stake_reward`].
		fn do_stake_reward(
			coldkey: &T::AccountId,
			hotkey: &T::AccountId,
			netuid: NetUid,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			ensure!(
				T::Subnets::subnet_exists(netuid),
				Error::<T>::SubnetNotFound
			);
			let before = Positions::<T>::get((coldkey, hotkey, netuid));
			let new_stake = before.checked_add(&amount).ok_or(Error::<T>::Overflow)?;
			ensure!(
				new_stake >= T::MinStake::get(),
				Error::<T>::StakeBelowMinimum
			);
			let coldkey_total = ColdkeyStake::<T>::get(coldkey)
				.checked_add(&amount)
				.ok_or(Error::<T>::Overflow)?;
			if before.is_zero() {
				Self::index_position(coldkey, hotkey, netuid)?;
			}
			T::Currency::hold(&HoldReason::Stake.into(), coldkey, amount)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			Positions::<T>::insert((coldkey, hotkey, netuid), new_stake);
			HotkeyStake::<T>::mutate(netuid, hotkey, |s| *s = s.saturating_add(amount));
			SubnetStake::<T>::mutate(netuid, |s| *s = s.saturating_add(amount));
			TotalStake::<T>::mutate(|s| *s = s.saturating_add(amount));
			ColdkeyStake::<T>::insert(coldkey, coldkey_total);
			Self::deposit_event(Event::RewardStaked {
				coldkey: coldkey.clone(),
				hotkey: hotkey.clone(),
				netuid,
				amount,
			});
			Ok(())
		}

		fn report_removal(netuid: NetUid, removal: &arena_rules::flow::Removal) {
			let maturity = Self::flow_maturity();
			let cancelled: Vec<(BlockNumberFor<T>, BalanceOf<T>)> = removal
				.cancelled
				.iter()
				.map(|p| {
					let added: BlockNumberFor<T> = p.added_at.saturated_into();
					(added.saturating_add(maturity), p.amount.saturated_into())
				})
				.collect();
			T::OnFlow::on_stake_removed(netuid, &cancelled, removal.negative_flow.saturated_into());
		}

		/// Recomputes the permits of `netuid`: the top `max_validators` registered hotkeys by
		/// consensus (matured) stake on the subnet (> 0; ties to the lower UID). Returns the
		/// number of neurons considered.
		pub fn recompute_permits(netuid: NetUid) -> u32 {
			let Some(hp) = T::Subnets::hyperparams(netuid) else {
				Permits::<T>::remove(netuid);
				return 0;
			};
			let neurons = T::Subnets::neurons(netuid);
			let considered = neurons.len().saturated_into::<u32>();
			let mut ranked: Vec<(BalanceOf<T>, Uid, T::AccountId)> = neurons
				.into_iter()
				.map(|(uid, hk)| (Self::consensus_stake_of(netuid, &hk), uid, hk))
				.filter(|(s, _, _)| !s.is_zero())
				.collect();
			ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
			let k = u32::from(hp.max_validators).min(T::MaxValidatorsLimit::get()) as usize;
			let permits: BoundedVec<T::AccountId, T::MaxValidatorsLimit> =
				BoundedVec::truncate_from(ranked.into_iter().take(k).map(|(_, _, h)| h).collect());
			let count = permits.len().saturated_into();
			Permits::<T>::insert(netuid, permits);
			Self::deposit_event(Event::PermitsUpdated {
				netuid,
				permits: count,
			});
			considered
		}

		/// Runtime-API view: every stake position of `coldkey`.
		pub fn stake_info(coldkey: &T::AccountId) -> Vec<StakeInfo<T::AccountId, BalanceOf<T>>> {
			let now = frame_system::Pallet::<T>::block_number();
			let maturity: u64 = Self::flow_maturity().saturated_into();
			let now64: u64 = now.saturated_into();
			Positions::<T>::iter_prefix((coldkey,))
				.map(|((hotkey, netuid), stake)| {
					let immature: u128 = Pending::<T>::get((coldkey, &hotkey, netuid))
						.iter()
						.filter(|p| p.added_at.saturating_add(maturity) > now64)
						.fold(0u128, |a, p| a.saturating_add(p.amount));
					StakeInfo {
						hotkey,
						netuid,
						stake,
						immature: immature.saturated_into(),
						subnet_exists: T::Subnets::subnet_exists(netuid),
					}
				})
				.collect()
		}

		/// Checks the pallet's invariants (run by `try_state` and after every test):
		/// Σ positions = `TotalStake`; per coldkey Σ = `ColdkeyStake` = balance held under
		/// [`HoldReason::Stake`]; per (subnet, hotkey) and per subnet Σ = `HotkeyStake` /
		/// `SubnetStake`; positions non-zero and ≥ `MinStake` (unless the subnet was dissolved);
		/// immature pieces ≤ position and sorted; the maturity schedule ([`MaturingStake`],
		/// [`ImmatureStake`]) matches the positions' immature pieces; ownership maps consistent;
		/// claim deposits = balance held under [`HoldReason::HotkeyClaim`]; permits within
		/// `max_validators`.
		#[cfg(any(test, feature = "try-runtime", feature = "std"))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			use frame_support::traits::fungible::InspectHold;
			let mut total = BalanceOf::<T>::zero();
			let mut per_cold: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
			let mut per_hot: BTreeMap<(NetUid, T::AccountId), BalanceOf<T>> = BTreeMap::new();
			let mut per_net: BTreeMap<NetUid, BalanceOf<T>> = BTreeMap::new();
			for ((c, h, n), s) in Positions::<T>::iter() {
				// Positions on a dissolved subnet may be partially withdrawn below the minimum.
				ensure!(
					!s.is_zero() && (s >= T::MinStake::get() || !T::Subnets::subnet_exists(n)),
					"position below MinStake"
				);
				total = total.saturating_add(s);
				let e = per_cold.entry(c.clone()).or_default();
				*e = e.saturating_add(s);
				let e = per_hot.entry((n, h.clone())).or_default();
				*e = e.saturating_add(s);
				let e = per_net.entry(n).or_default();
				*e = e.saturating_add(s);
				let pending = Pending::<T>::get((&c, &h, n));
				let immature = pending
					.iter()
					.fold(0u128, |a, p| a.saturating_add(p.amount));
				ensure!(
					immature <= s.saturated_into::<u128>(),
					"pending above position"
				);
				ensure!(
					pending
						.windows(2)
						.all(|w| matches!(w, [a, b] if a.added_at < b.added_at)),
					"pending unsorted"
				);
			}
			let mut per_hot_count: BTreeMap<(NetUid, T::AccountId), u32> = BTreeMap::new();
			for ((n, h, c), ()) in HotkeyPositions::<T>::iter() {
				ensure!(
					Positions::<T>::contains_key((&c, &h, n)),
					"HotkeyPositions entry without position"
				);
				let e = per_hot_count.entry((n, h)).or_default();
				*e = e.saturating_add(1);
			}
			ensure!(
				per_hot_count.values().map(|c| *c as usize).sum::<usize>()
					== Positions::<T>::iter().count(),
				"position missing from HotkeyPositions"
			);
			for ((n, h), c) in &per_hot_count {
				ensure!(
					HotkeyPositionCount::<T>::get(n, h) == *c,
					"HotkeyPositionCount != indexed positions"
				);
				ensure!(
					*c <= T::MaxPositionsPerHotkey::get(),
					"more positions than MaxPositionsPerHotkey"
				);
			}
			ensure!(
				HotkeyPositionCount::<T>::iter().count() == per_hot_count.len(),
				"HotkeyPositionCount without positions"
			);
			let now = frame_system::Pallet::<T>::block_number();
			let now64: u64 = now.saturated_into();
			let maturity64: u64 = Self::flow_maturity().saturated_into();
			let mut immature_pieces: BTreeMap<(NetUid, T::AccountId), u128> = BTreeMap::new();
			for ((c, h, n), pending) in Pending::<T>::iter() {
				ensure!(
					Positions::<T>::contains_key((&c, &h, n)),
					"pending without position"
				);
				let immature = pending
					.iter()
					.filter(|p| p.added_at.saturating_add(maturity64) > now64)
					.fold(0u128, |a, p| a.saturating_add(p.amount));
				if immature > 0 {
					let e = immature_pieces.entry((n, h)).or_default();
					*e = e.saturating_add(immature);
				}
			}
			// The maturity schedule: no entry in the past; per (subnet, hotkey) Σ entries =
			// ImmatureStake ≤ HotkeyStake, and the entries after this block = the positions'
			// immature pieces (an entry at this block waits for this block's release).
			let mut scheduled: BTreeMap<(NetUid, T::AccountId), BalanceOf<T>> = BTreeMap::new();
			let mut future: BTreeMap<(NetUid, T::AccountId), u128> = BTreeMap::new();
			for ((b, n, h), a) in MaturingStake::<T>::iter() {
				ensure!(b >= now, "maturing stake scheduled in the past");
				ensure!(!a.is_zero(), "zero maturing stake entry");
				let e = scheduled.entry((n, h.clone())).or_default();
				*e = e.saturating_add(a);
				if b > now {
					let e = future.entry((n, h)).or_default();
					*e = e.saturating_add(a.saturated_into());
				}
			}
			for (n, h, a) in ImmatureStake::<T>::iter() {
				ensure!(
					scheduled.get(&(n, h.clone())) == Some(&a),
					"ImmatureStake != Σ MaturingStake"
				);
				ensure!(
					a <= HotkeyStake::<T>::get(n, &h),
					"ImmatureStake above HotkeyStake"
				);
			}
			ensure!(
				ImmatureStake::<T>::iter().count() == scheduled.len(),
				"MaturingStake without ImmatureStake"
			);
			ensure!(
				future == immature_pieces,
				"maturity schedule != positions' immature pieces"
			);
			ensure!(total == TotalStake::<T>::get(), "Σ stakes != TotalStake");
			ensure!(
				ColdkeyStake::<T>::iter().count() == per_cold.len(),
				"ColdkeyStake of a coldkey without positions"
			);
			for (c, s) in &per_cold {
				ensure!(
					ColdkeyStake::<T>::get(c) == *s,
					"Σ positions != ColdkeyStake"
				);
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::Stake.into(), c) == *s,
					"held Stake balance != Σ positions"
				);
			}
			for ((n, h), s) in &per_hot {
				ensure!(
					HotkeyStake::<T>::get(n, h) == *s,
					"Σ positions != HotkeyStake"
				);
			}
			ensure!(
				HotkeyStake::<T>::iter().count() == per_hot.len(),
				"HotkeyStake entry without positions"
			);
			for (n, s) in &per_net {
				ensure!(SubnetStake::<T>::get(n) == *s, "Σ positions != SubnetStake");
			}
			ensure!(
				SubnetStake::<T>::iter().count() == per_net.len(),
				"SubnetStake entry without positions"
			);
			for (h, c) in Owner::<T>::iter() {
				ensure!(
					OwnedHotkeys::<T>::get(&c).contains(&h),
					"Owner not in OwnedHotkeys"
				);
			}
			for (c, hs) in OwnedHotkeys::<T>::iter() {
				ensure!(
					hs.iter().all(|h| Owner::<T>::get(h).as_ref() == Some(&c)),
					"OwnedHotkeys not owned"
				);
			}
			let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
			for (h, d) in ClaimDeposits::<T>::iter() {
				let owner = Owner::<T>::get(&h).ok_or("claim deposit of an unowned hotkey")?;
				ensure!(!d.is_zero(), "zero claim deposit");
				let e = deposits.entry(owner).or_default();
				*e = e.saturating_add(d);
			}
			for (c, d) in &deposits {
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::HotkeyClaim.into(), c) == *d,
					"held HotkeyClaim balance != Σ claim deposits"
				);
			}
			for (n, p) in Permits::<T>::iter() {
				let k = T::Subnets::hyperparams(n)
					.map(|h| h.max_validators)
					.unwrap_or(0);
				ensure!(
					p.len() <= usize::from(k),
					"more permits than max_validators"
				);
			}
			Ok(())
		}
	}

	impl<T: Config> StakeInterface<T::AccountId, BalanceOf<T>> for Pallet<T> {
		fn hotkey_owner(hotkey: &T::AccountId) -> Option<T::AccountId> {
			Owner::<T>::get(hotkey)
		}
		fn associate_hotkey(coldkey: &T::AccountId, hotkey: &T::AccountId) -> DispatchResult {
			Self::do_associate(coldkey, hotkey)
		}
		fn hotkey_stake(netuid: NetUid, hotkey: &T::AccountId) -> BalanceOf<T> {
			HotkeyStake::<T>::get(netuid, hotkey)
		}
		fn subnet_stake(netuid: NetUid) -> BalanceOf<T> {
			SubnetStake::<T>::get(netuid)
		}
		fn has_validator_permit(netuid: NetUid, hotkey: &T::AccountId) -> bool {
			Permits::<T>::get(netuid).contains(hotkey)
		}
		fn delegate_take(hotkey: &T::AccountId) -> Perbill {
			Self::take_of(hotkey)
		}
		fn validator_permits(netuid: NetUid) -> Vec<T::AccountId> {
			Permits::<T>::get(netuid).into_inner()
		}
		fn remove_validator_permit(netuid: NetUid, hotkey: &T::AccountId) -> Weight {
			let mut removed = false;
			Permits::<T>::mutate(netuid, |p| {
				let before = p.len();
				p.retain(|h| h != hotkey);
				removed = p.len() != before;
			});
			if removed {
				T::DbWeight::get().reads_writes(1, 1)
			} else {
				T::DbWeight::get().reads(1)
			}
		}
		fn consensus_stake(netuid: NetUid, hotkey: &T::AccountId) -> BalanceOf<T> {
			Self::consensus_stake_of(netuid, hotkey)
		}
		fn positions_on(
			netuid: NetUid,
			hotkey: &T::AccountId,
		) -> Vec<(T::AccountId, BalanceOf<T>)> {
			HotkeyPositions::<T>::iter_key_prefix((netuid, hotkey))
				.map(|coldkey| {
					let stake = Self::matured_position(&coldkey, hotkey, netuid);
					(coldkey, stake)
				})
				.collect()
		}
		fn stake_reward(
			coldkey: &T::AccountId,
			hotkey: &T::AccountId,
			netuid: NetUid,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			Self::do_stake_reward(coldkey, hotkey, netuid, amount)
		}
		#[cfg(feature = "runtime-benchmarks")]
		fn bench_grant_permit(netuid: NetUid, hotkey: &T::AccountId) {
			Permits::<T>::mutate(netuid, |p| {
				if !p.contains(hotkey) {
					let _ = p.try_push(hotkey.clone());
				}
			});
		}
		#[cfg(feature = "runtime-benchmarks")]
		fn bench_add_stake(netuid: NetUid, hotkey: &T::AccountId, amount: BalanceOf<T>) {
			let Some(coldkey) = Owner::<T>::get(hotkey) else {
				return;
			};
			let _ = T::Currency::mint_into(
				&coldkey,
				amount.saturating_add(T::Currency::minimum_balance()),
			);
			LastStakeChange::<T>::remove((&coldkey, hotkey, netuid));
			let _ = Self::add_stake(
				frame_system::RawOrigin::Signed(coldkey.clone()).into(),
				hotkey.clone(),
				netuid,
				amount,
			);
			Self::bench_mature(&coldkey, hotkey, netuid);
		}
		#[cfg(feature = "runtime-benchmarks")]
		fn bench_delegate(
			netuid: NetUid,
			hotkey: &T::AccountId,
			coldkey: &T::AccountId,
			amount: BalanceOf<T>,
		) {
			let _ = T::Currency::mint_into(
				coldkey,
				amount.saturating_add(T::Currency::minimum_balance()),
			);
			LastStakeChange::<T>::remove((coldkey, hotkey, netuid));
			let _ = Self::add_stake(
				frame_system::RawOrigin::Signed(coldkey.clone()).into(),
				hotkey.clone(),
				netuid,
				amount,
			);
			Self::bench_mature(coldkey, hotkey, netuid);
		}
	}

	impl<T: Config> PayoutHandler<T::AccountId, BalanceOf<T>> for Pallet<T> {
		/// Without escrow: the owner cut is transferred to the owner; a neuron's payout is
		/// credited to its hotkey owner's stake on the subnet (held, not reported as flow: it is
		/// emission, not new capital), or left in the owner's free balance if the position would
		/// stay below `MinStake` or the subnet is gone. Delegators of the hotkey get nothing
		/// from it in this implementation (the owner keeps the whole payout; `pallet-escrow`
		/// shares dividends).
		fn pay(
			source: &T::AccountId,
			netuid: NetUid,
			_round: u32,
			beneficiary: &T::AccountId,
			kind: PayoutKind,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			use frame_support::traits::tokens::Preservation;
			if amount.is_zero() {
				return Ok(());
			}
			let coldkey = match kind {
				PayoutKind::Owner => beneficiary.clone(),
				PayoutKind::Miner | PayoutKind::Validator => {
					Owner::<T>::get(beneficiary).ok_or(Error::<T>::HotkeyNotAssociated)?
				},
			};
			T::Currency::transfer(source, &coldkey, amount, Preservation::Preserve)?;
			if kind != PayoutKind::Owner {
				// Stays in the owner's free balance if it cannot be staked.
				let _ = frame_support::storage::with_storage_layer(|| {
					Self::do_stake_reward(&coldkey, beneficiary, netuid, amount)
				});
			}
			Ok(())
		}
	}

	impl<T: Config> SubnetHooks for Pallet<T> {
		fn on_network_removed(netuid: NetUid) -> Weight {
			Permits::<T>::remove(netuid);
			T::DbWeight::get().writes(1)
		}
		fn on_network_removed_max_weight() -> Weight {
			T::DbWeight::get().writes(1)
		}
		fn on_epoch(netuid: NetUid) -> Weight {
			let n = Self::recompute_permits(netuid);
			T::WeightInfo::recompute_permits(n)
		}
	}
}
