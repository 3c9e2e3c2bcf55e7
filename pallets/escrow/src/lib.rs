//! # Escrow pallet
//!
//! Every epoch reward waits out an audit window; a stake-weighted quorum of validators can slash
//! a miner caught cheating; validator dividends are shared with delegators; sponsors fund
//! bounties paid the same way (SPEC §3 delegation, §5 escrow).
//!
//! ## Entries
//! The pallet is the runtime's [`PayoutHandler`](arena_pallet_primitives::PayoutHandler): the
//! emission pallet pays every part of an epoch (owner cut, miner incentive, validator
//! dividends) into the escrow account, and each part becomes an [`EscrowEntry`] released
//! `escrow_window · tempo` blocks later (the subnet's hyperparameters at payout time, *default*
//! 2 tempos, [`arena_rules::escrow::release_block`]):
//!
//! | payout | entries | released into |
//! |---|---|---|
//! | owner cut | one [`EntryKind::OwnerCut`] | the owner's free balance |
//! | miner incentive | one [`EntryKind::Incentive`] (slashable) | the miner hotkey owner's stake on the hotkey |
//! | validator dividends | one [`EntryKind::Dividends`] for the hotkey owner (take + own share), one [`EntryKind::DelegatorShare`] per other position ([`arena_rules::delegation`]) | each position's stake |
//!
//! **Validator dividends are split later.** The epoch runs inside the emission pallet's
//! `on_initialize` within a share of the block; splitting a validator's dividends costs one
//! entry per position (up to `MaxPositionsPerHotkey`), far too much for 64 validators there.
//! So [`PayoutHandler::pay`](arena_pallet_primitives::PayoutHandler::pay) of dividends only
//! moves the amount into the escrow account and queues one compact [`PendingDividend`]
//! (subnet, round, hotkey, its owner and take, amount, source, and the release block, all fixed
//! at payout time) in the dividend queue
//! ([`PendingDividends`], at most `MaxPendingDividends`); `on_idle` splits queued payouts into
//! the entries above, oldest first, pro rata to the positions' consensus stake at that time.
//! Entries split after their release block are queued at the release cursor (released at the
//! next idle time). A payout that finds the queue full is split at once, exactly as a queued
//! one (correct, only not cheap: `pay_weight` prices the queued case). Until split, queued
//! amounts are counted in [`PendingDividendTotal`].
//!
//! A stake destination that cannot take the amount (subnet dissolved, position below the
//! minimum stake) receives it as free balance instead. Entries are bounded per subnet
//! (`MaxEntriesPerSubnet`) and slashable entries per miner (`MaxEntriesPerEarner`): a slashable
//! payout that does not fit fails (the emission stays pending for the next epoch); any other
//! payout that does not fit is released at once (it could never be slashed anyway).
//!
//! ## Release (and the rest of `on_idle`)
//! Matured entries are released automatically in `on_idle`, at most `MaxReleasesPerBlock`
//! per block (each priced before it is done), from a queue keyed by block; anyone may
//! [`Pallet::claim`] matured entries sooner. Entries of a miner with an open challenge on the
//! subnet are held back until the challenge ends. With the weight left, `on_idle` then splits
//! queued dividends (each priced first at the most positions,
//! `WeightInfo::expand_dividend(MaxPositionsPerHotkey)`) and, once the dividend queue is empty,
//! pays queued bounty epochs one bounty at a time (each priced first from the stored outcome's
//! size), stopping at the first step that does not fit, like polkadot-sdk's fast-unstake
//! `on_idle`. A dissolved subnet's queued dividends are split as usual; their entries are
//! released on time into free balance, like its other entries.
//!
//! ## Challenges (SPEC §5)
//! A permitted validator [`Pallet::challenge`]s a miner's round with the failed audit's
//! [`Evidence`] and a bond (`Config::ChallengeBond`); other permitted validators
//! [`Pallet::support_challenge`] after re-running it. When the consensus stake of the supporters
//! that still hold permits reaches `SlashQuorum` (*default* exactly 2/3,
//! [`arena_rules::escrow::quorum_reached_ratio`]) of the consensus stake of all permitted
//! validators, **every** open slashable entry the miner earned on the subnet is burned (total
//! issuance goes down; the emission pallet's totals record it through `Config::OnSlash`) and
//! every open challenge against it returns its bond. A challenge that reaches its expiry (the
//! latest release block of the miner's entries when it was raised) without quorum forfeits its
//! bond to the miner's owner. One open challenge per (miner, round).
//!
//! ## Bounties
//! [`Pallet::fund_bounty`] locks `per_epoch · epochs` from a sponsor; at each of the subnet's
//! epochs `per_epoch` is split exactly as that epoch's emission (owner cut, Yuma incentive and
//! dividends, [`arena_rules::epoch_split`]) and escrowed like it. [`Pallet::cancel_bounty`]
//! gives notice: the bounty pays the subnet's next epoch (within one tempo) and the rest returns
//! to the sponsor right after it. A bounty's parts that find no recipient stay with it.
//!
//! **Bounty epochs are paid later.** After an epoch of a subnet with bounties,
//! [`PayoutHandler::on_epoch_paid`](arena_pallet_primitives::PayoutHandler::on_epoch_paid)
//! only stores its outcome ([`StoredOutcome`], with the epoch's block and the next bounty id)
//! in the bounty queue ([`EpochOutcomes`], at most
//! `MaxPendingOutcomes`); `on_idle` pays each bounty by it, in id order, one bounty per step.
//! An outcome pays only the bounties funded before its epoch, and a bounty cancelled before
//! the epoch closes after paying it (one cancelled after the epoch still pays the next one, its
//! notice). An epoch that finds the queue full pays its subnet's bounties at once. Dissolving a
//! subnet returns its bounties' unpaid funds at once, the parts of queued epochs included;
//! those outcomes then pay nothing.
//!
//! ## Invariants ([`Pallet::do_try_state`])
//! escrow balance = floor + Σ open entries + Σ unpaid bounty funds + Σ open bonds + Σ queued
//! dividends; escrowed (emission + bounty) = released + slashed + open + Σ queued dividends;
//! every index matches the entries; the queues hold exactly their keys `head..tail`, within
//! their bounds.
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
	use alloc::vec::Vec;
	use arena_pallet_primitives::{
		EpochOutcome, NetUid, OnSlash, PayoutHandler, PayoutKind, StakeInterface, SubnetHooks,
		SubnetsInterface,
	};
	use arena_rules::{
		delegation::{split_dividends, Position},
		epoch_split::{split_epoch, SplitParams},
		escrow::{quorum_reached_ratio, release_block},
	};
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate},
			tokens::{Fortitude, Precision, Preservation},
		},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::{
		traits::{AccountIdConversion, CheckedMul, SaturatedConversion, Saturating, Zero},
		Perbill,
	};

	/// Balance type of the configured currency.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
	/// An entry of this runtime.
	pub type EntryOf<T> =
		EscrowEntry<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;
	/// A bounty of this runtime.
	pub type BountyOf<T> =
		Bounty<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;
	/// A queued validator payout of this runtime.
	pub type PendingDividendOf<T> =
		PendingDividend<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

	/// The in-code storage version (2: the dividend and bounty queues).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The native currency.
		type Currency: Mutate<Self::AccountId>;
		/// The subnets side (existence, hyperparameters, owners).
		type Subnets: SubnetsInterface<Self::AccountId, BalanceOf<Self>, BlockNumberFor<Self>>;
		/// The stake side (permits, consensus stake, positions, reward staking).
		type Stake: StakeInterface<Self::AccountId, BalanceOf<Self>>;
		/// Told about every slash (the emission pallet records it in its totals).
		type OnSlash: OnSlash<BalanceOf<Self>>;
		/// Derives the escrow account.
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// Bond a validator puts up with a challenge (returned on a slash, forfeited to the
		/// miner on expiry).
		#[pallet::constant]
		type ChallengeBond: Get<BalanceOf<Self>>;
		/// Slash quorum as `(numerator, denominator)` of the permitted validators' consensus
		/// stake (*default* `(2, 3)`, exactly two thirds).
		#[pallet::constant]
		type SlashQuorum: Get<(u32, u32)>;
		/// Most open entries of one subnet.
		#[pallet::constant]
		type MaxEntriesPerSubnet: Get<u32>;
		/// Most open slashable entries one miner earned on one subnet (bounds a slash).
		#[pallet::constant]
		type MaxEntriesPerEarner: Get<u32>;
		/// Most queue items (releases, expiries) `on_idle` handles per block.
		#[pallet::constant]
		type MaxReleasesPerBlock: Get<u32>;
		/// Most supporters of one challenge (= the most validator permits of a subnet).
		#[pallet::constant]
		type MaxSupporters: Get<u32>;
		/// Most open challenges on one subnet.
		#[pallet::constant]
		type MaxChallengesPerSubnet: Get<u32>;
		/// Most bounties on one subnet.
		#[pallet::constant]
		type MaxBountiesPerSubnet: Get<u32>;
		/// Most epochs one bounty may run for.
		#[pallet::constant]
		type MaxBountyEpochs: Get<u32>;
		/// Smallest `per_epoch` of a bounty.
		#[pallet::constant]
		type MinBountyPerEpoch: Get<BalanceOf<Self>>;
		/// Most entries one `claim` call takes.
		#[pallet::constant]
		type MaxClaim: Get<u32>;
		/// Most stake positions on one hotkey (= `pallet_stake::Config::MaxPositionsPerHotkey`;
		/// prices sharing a validator's dividends).
		#[pallet::constant]
		type MaxPositionsPerHotkey: Get<u32>;
		/// Most UIDs of a subnet (= the emission pallet's `MaxUids`; bounds a stored epoch
		/// outcome).
		#[pallet::constant]
		type MaxUids: Get<u32>;
		/// Most validator payouts waiting in the dividend queue for `on_idle` to split them
		/// among their positions; a validator payout that finds the queue full is split at once.
		#[pallet::constant]
		type MaxPendingDividends: Get<u32>;
		/// Most epoch outcomes waiting for `on_idle` to pay their subnets' bounties; an epoch
		/// that finds the queue full pays its subnet's bounties at once.
		#[pallet::constant]
		type MaxPendingOutcomes: Get<u32>;
		/// Weights of this pallet.
		type WeightInfo: WeightInfo;
	}

	/// Next entry id.
	#[pallet::storage]
	pub type NextEntryId<T: Config> = StorageValue<_, EntryId, ValueQuery>;

	/// Open escrow entries.
	#[pallet::storage]
	pub type Entries<T: Config> = StorageMap<_, Twox64Concat, EntryId, EntryOf<T>, OptionQuery>;

	/// Number of open entries of each subnet (at most `MaxEntriesPerSubnet`).
	#[pallet::storage]
	pub type SubnetEntryCount<T: Config> = StorageMap<_, Twox64Concat, NetUid, u32, ValueQuery>;

	/// Index of the open slashable entries by `(subnet, earner)`.
	#[pallet::storage]
	pub type SlashableEntries<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Twox64Concat, NetUid>,
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Twox64Concat, EntryId>,
		),
		(),
		OptionQuery,
	>;

	/// Number of open slashable entries by `(subnet, earner)` (at most `MaxEntriesPerEarner`).
	#[pallet::storage]
	pub type SlashableCount<T: Config> =
		StorageDoubleMap<_, Twox64Concat, NetUid, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Release queue: `(block, entry)` for every open entry, at its `queued_at` block.
	#[pallet::storage]
	pub type ReleaseQueue<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		Twox64Concat,
		EntryId,
		(),
		OptionQuery,
	>;

	/// First block whose release queue and expiries `on_idle` has not finished.
	#[pallet::storage]
	pub type ReleaseCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, OptionQuery>;

	/// Open challenges by `(subnet, miner, round)`.
	#[pallet::storage]
	pub type Challenges<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Twox64Concat, NetUid>,
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Twox64Concat, u32>,
		),
		Challenge<T>,
		OptionQuery,
	>;

	/// Number of open challenges against each `(subnet, miner)` (its entries are held back).
	#[pallet::storage]
	pub type OpenChallenges<T: Config> =
		StorageDoubleMap<_, Twox64Concat, NetUid, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Number of open challenges on each subnet (at most `MaxChallengesPerSubnet`).
	#[pallet::storage]
	pub type SubnetChallengeCount<T: Config> = StorageMap<_, Twox64Concat, NetUid, u32, ValueQuery>;

	/// Challenge expiries: `(block, (subnet, miner, round))`.
	#[pallet::storage]
	pub type ChallengeExpiries<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		Blake2_128Concat,
		(NetUid, T::AccountId, u32),
		(),
		OptionQuery,
	>;

	/// Next bounty id.
	#[pallet::storage]
	pub type NextBountyId<T: Config> = StorageValue<_, BountyId, ValueQuery>;

	/// Open bounties.
	#[pallet::storage]
	pub type Bounties<T: Config> = StorageMap<_, Twox64Concat, BountyId, BountyOf<T>, OptionQuery>;

	/// Open bounties of each subnet, oldest first.
	#[pallet::storage]
	pub type SubnetBounties<T: Config> = StorageMap<
		_,
		Twox64Concat,
		NetUid,
		BoundedVec<BountyId, T::MaxBountiesPerSubnet>,
		ValueQuery,
	>;

	/// Running totals (see [`EscrowTotals`]).
	#[pallet::storage]
	pub type Totals<T: Config> = StorageValue<_, EscrowTotals<BalanceOf<T>>, ValueQuery>;

	/// Dividend queue: validator payouts (held by the escrow account) waiting to be split among
	/// the positions on their hotkeys, keyed by sequence number (see [`DividendQueue`]).
	#[pallet::storage]
	pub type PendingDividends<T: Config> =
		StorageMap<_, Twox64Concat, u64, PendingDividendOf<T>, OptionQuery>;

	/// Keys of the dividend queue: [`PendingDividends`] holds `head..tail` (at most
	/// `MaxPendingDividends`).
	#[pallet::storage]
	pub type DividendQueue<T: Config> = StorageValue<_, QueueBounds, ValueQuery>;

	/// Σ amounts in [`PendingDividends`] (held by the escrow account, in no entry yet).
	#[pallet::storage]
	pub type PendingDividendTotal<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// Bounty queue: epoch outcomes of subnets with bounties, waiting for `on_idle` to pay the
	/// bounties by them, keyed by sequence number (see [`OutcomeQueue`]).
	#[pallet::storage]
	pub type EpochOutcomes<T: Config> =
		StorageMap<_, Twox64Concat, u64, StoredOutcome<T>, OptionQuery>;

	/// Keys of the bounty queue ([`EpochOutcomes`] holds `head..tail`, at most
	/// `MaxPendingOutcomes`) and the last bounty the oldest outcome has paid.
	#[pallet::storage]
	pub type OutcomeQueue<T: Config> = StorageValue<_, OutcomeQueueState, ValueQuery>;

	/// What the escrow account holds beyond entries, bounties and bonds: its existential
	/// deposit, minted when the account is first used so it is never reaped.
	#[pallet::storage]
	pub type AccountFloor<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

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
			Pallet::<T>::ensure_account();
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A reward was escrowed until `release_at`.
		Escrowed {
			id: EntryId,
			netuid: NetUid,
			round: u32,
			kind: EntryKind,
			account: T::AccountId,
			amount: BalanceOf<T>,
			release_at: BlockNumberFor<T>,
		},
		/// An entry was released; `staked` tells whether it went into stake (else free balance).
		Released {
			id: EntryId,
			account: T::AccountId,
			amount: BalanceOf<T>,
			staked: bool,
		},
		/// A non-slashable reward that did not fit in escrow was released at once.
		ReleasedDirectly {
			netuid: NetUid,
			kind: EntryKind,
			account: T::AccountId,
			amount: BalanceOf<T>,
			staked: bool,
		},
		/// A validator challenged a miner's round.
		ChallengeRaised {
			netuid: NetUid,
			miner: T::AccountId,
			round: u32,
			challenger: T::AccountId,
			bond: BalanceOf<T>,
			expires_at: BlockNumberFor<T>,
		},
		/// Another validator backed a challenge.
		ChallengeSupported {
			netuid: NetUid,
			miner: T::AccountId,
			round: u32,
			supporter: T::AccountId,
			support: BalanceOf<T>,
			active_stake: BalanceOf<T>,
		},
		/// A challenge reached quorum (its bond was returned).
		ChallengeUpheld {
			netuid: NetUid,
			miner: T::AccountId,
			round: u32,
			challenger: T::AccountId,
			bond: BalanceOf<T>,
		},
		/// A challenge expired without quorum; its bond went to the miner's owner.
		ChallengeExpired {
			netuid: NetUid,
			miner: T::AccountId,
			round: u32,
			bond: BalanceOf<T>,
			paid_to: T::AccountId,
		},
		/// Every open slashable entry of a miner on a subnet was burned.
		Slashed {
			netuid: NetUid,
			miner: T::AccountId,
			entries: u32,
			amount: BalanceOf<T>,
		},
		/// A sponsor funded a bounty.
		BountyFunded {
			id: BountyId,
			netuid: NetUid,
			sponsor: T::AccountId,
			per_epoch: BalanceOf<T>,
			epochs: u32,
		},
		/// A validator's dividends were queued; `on_idle` splits them among its positions into
		/// entries released at `release_at`.
		DividendsQueued {
			netuid: NetUid,
			round: u32,
			hotkey: T::AccountId,
			amount: BalanceOf<T>,
			release_at: BlockNumberFor<T>,
		},
		/// A bounty paid an epoch into escrow.
		BountyPaid {
			id: BountyId,
			netuid: NetUid,
			round: u32,
			amount: BalanceOf<T>,
		},
		/// The sponsor gave notice: the bounty pays one more epoch, then the rest returns.
		BountyCancelled { id: BountyId },
		/// A bounty ended; `refunded` went back to its sponsor.
		BountyClosed {
			id: BountyId,
			sponsor: T::AccountId,
			refunded: BalanceOf<T>,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The subnet does not exist.
		SubnetNotFound,
		/// The hotkey has no owner (coldkey) to pay.
		HotkeyNotAssociated,
		/// The subnet has `MaxEntriesPerSubnet` open entries.
		SubnetEscrowFull,
		/// The miner has `MaxEntriesPerEarner` open slashable entries on the subnet.
		TooManyEntries,
		/// No such open entry.
		EntryNotFound,
		/// The entry's release block has not come yet.
		NotYetReleasable,
		/// An open challenge against the entry's earner holds it back.
		EntryChallenged,
		/// The caller does not hold a validator permit on the subnet.
		NotPermittedValidator,
		/// A validator cannot challenge itself.
		CannotChallengeSelf,
		/// This (miner, round) is challenged already.
		ChallengeExists,
		/// No such open challenge.
		ChallengeNotFound,
		/// The miner has no open slashable entry on the subnet and is not registered on it.
		NothingToSlash,
		/// Every open entry of the miner has reached its release block: too late to challenge.
		ChallengeTooLate,
		/// The caller backs this challenge already.
		AlreadySupported,
		/// The challenge has `MaxSupporters` supporters.
		TooManySupporters,
		/// The subnet has `MaxChallengesPerSubnet` open challenges.
		TooManyChallenges,
		/// The caller cannot pay the bond.
		InsufficientBond,
		/// `per_epoch` below `MinBountyPerEpoch`.
		BountyTooSmall,
		/// `epochs` outside `1..=MaxBountyEpochs`.
		InvalidBountyEpochs,
		/// The subnet has `MaxBountiesPerSubnet` bounties.
		TooManyBounties,
		/// The sponsor cannot pay `per_epoch · epochs`.
		InsufficientBalance,
		/// No such bounty.
		BountyNotFound,
		/// Only the sponsor may cancel a bounty.
		NotSponsor,
		/// The bounty was cancelled already.
		AlreadyCancelled,
		/// Arithmetic overflow.
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Expires challenges and releases matured entries, oldest block first, within the
		/// block's remaining weight and `MaxReleasesPerBlock` items; then splits queued
		/// dividends and pays queued bounty epochs with the weight left (each step priced
		/// before it runs).
		fn on_idle(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::process_queues(now, remaining)
		}

		fn integrity_test() {
			assert_eq!(
				T::MaxUids::get(),
				T::Subnets::max_uids(),
				"MaxUids must equal the subnets pallet's MaxUidsLimit"
			);
			let (num, den) = T::SlashQuorum::get();
			assert!(
				den > 0 && num > 0 && num <= den,
				"SlashQuorum must be in (0, 1]"
			);
			assert!(
				T::ChallengeBond::get() >= T::Currency::minimum_balance(),
				"ChallengeBond below the existential deposit"
			);
			assert!(
				T::MinBountyPerEpoch::get() > Zero::zero(),
				"MinBountyPerEpoch must be positive"
			);
			for (name, v) in [
				("MaxEntriesPerSubnet", T::MaxEntriesPerSubnet::get()),
				("MaxEntriesPerEarner", T::MaxEntriesPerEarner::get()),
				("MaxReleasesPerBlock", T::MaxReleasesPerBlock::get()),
				("MaxSupporters", T::MaxSupporters::get()),
				("MaxChallengesPerSubnet", T::MaxChallengesPerSubnet::get()),
				("MaxBountiesPerSubnet", T::MaxBountiesPerSubnet::get()),
				("MaxBountyEpochs", T::MaxBountyEpochs::get()),
				("MaxClaim", T::MaxClaim::get()),
				("MaxPositionsPerHotkey", T::MaxPositionsPerHotkey::get()),
				("MaxUids", T::MaxUids::get()),
				("MaxPendingDividends", T::MaxPendingDividends::get()),
				("MaxPendingOutcomes", T::MaxPendingOutcomes::get()),
			] {
				assert!(v >= 1, "{name} must be >= 1");
			}
			// Every `on_idle` step must fit in an empty block, or its queue would stall.
			let max = <T as frame_system::Config>::BlockWeights::get().max_block;
			let n = T::MaxUids::get();
			assert!(
				Self::bounty_step_weight(n, n).all_lte(max),
				"a bounty step over MaxUids does not fit in a block"
			);
			assert!(
				T::WeightInfo::expand_dividend(T::MaxPositionsPerHotkey::get()).all_lte(max),
				"splitting a validator payout does not fit in a block"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Release matured entries now (anyone may call; the funds go to each entry's
		/// destination, never to the caller).
		///
		/// - `ids`: open entries whose `release_at` has come and whose earner has no open
		///   challenge on the subnet.
		///
		/// Errors: [`Error::EntryNotFound`], [`Error::NotYetReleasable`],
		/// [`Error::EntryChallenged`].
		///
		/// Events: [`Event::Released`] per entry.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::claim(ids.len().saturated_into()))]
		pub fn claim(
			origin: OriginFor<T>,
			ids: BoundedVec<EntryId, T::MaxClaim>,
		) -> DispatchResult {
			ensure_signed(origin)?;
			let now = frame_system::Pallet::<T>::block_number();
			for id in ids {
				let entry = Entries::<T>::get(id).ok_or(Error::<T>::EntryNotFound)?;
				ensure!(now >= entry.release_at, Error::<T>::NotYetReleasable);
				ensure!(!Self::is_held_back(&entry), Error::<T>::EntryChallenged);
				Self::release(id, entry)?;
			}
			Ok(())
		}

		/// Challenge a miner's round with the evidence of a failed audit and a bond.
		///
		/// - Origin: signed by a validator hotkey holding a permit on `netuid`.
		/// - The miner must have open slashable entries on the subnet, not all of them at their
		///   release block yet; the challenge expires at the latest of their release blocks. A
		///   miner registered on the subnet with no entry yet (its first rounds) can be
		///   challenged too: the challenge then expires one escrow window from now, like a
		///   payout made now. An open challenge keeps the miner's update out of the round's
		///   aggregate (SPEC §6.7), with or without escrow to slash.
		/// - `round` names the training round (`pallet-rounds` index) whose audit failed; it keys
		///   the challenge, while a slash takes every open entry of the miner on the subnet.
		///   `Config::ChallengeBond` moves from the caller to the escrow account. The caller's
		///   consensus stake backs the challenge at once (a validator holding the quorum alone
		///   slashes immediately).
		///
		/// Errors: [`Error::SubnetNotFound`], [`Error::NotPermittedValidator`],
		/// [`Error::CannotChallengeSelf`], [`Error::ChallengeExists`],
		/// [`Error::NothingToSlash`], [`Error::ChallengeTooLate`],
		/// [`Error::TooManyChallenges`], [`Error::InsufficientBond`].
		///
		/// Events: [`Event::ChallengeRaised`]; on quorum [`Event::Slashed`] and
		/// [`Event::ChallengeUpheld`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::challenge(T::MaxEntriesPerEarner::get())
			.saturating_add(T::WeightInfo::slash(T::MaxEntriesPerEarner::get(), T::MaxChallengesPerSubnet::get())))]
		pub fn challenge(
			origin: OriginFor<T>,
			netuid: NetUid,
			miner: T::AccountId,
			round: u32,
			evidence: Evidence,
		) -> DispatchResult {
			let validator = ensure_signed(origin)?;
			ensure!(
				T::Subnets::subnet_exists(netuid),
				Error::<T>::SubnetNotFound
			);
			ensure!(
				T::Stake::has_validator_permit(netuid, &validator),
				Error::<T>::NotPermittedValidator
			);
			ensure!(validator != miner, Error::<T>::CannotChallengeSelf);
			ensure!(
				!Challenges::<T>::contains_key((netuid, &miner, round)),
				Error::<T>::ChallengeExists
			);
			let now = frame_system::Pallet::<T>::block_number();
			let latest_release = SlashableEntries::<T>::iter_key_prefix((netuid, &miner))
				.filter_map(Entries::<T>::get)
				.map(|e| e.release_at)
				.max();
			let expires_at = match latest_release {
				Some(at) => at,
				// A registered miner with nothing in escrow yet (a cheater in its first round):
				// the challenge stands for one escrow window, so that the failed update is
				// excluded from the aggregate and a slash takes the round's payout if quorum
				// follows.
				None if T::Subnets::uid_of(netuid, &miner).is_some() => Self::release_at(netuid)?,
				None => return Err(Error::<T>::NothingToSlash.into()),
			};
			ensure!(expires_at > now, Error::<T>::ChallengeTooLate);
			let count = SubnetChallengeCount::<T>::get(netuid);
			ensure!(
				count < T::MaxChallengesPerSubnet::get(),
				Error::<T>::TooManyChallenges
			);
			let bond = T::ChallengeBond::get();
			T::Currency::transfer(
				&validator,
				&Self::account_id(),
				bond,
				Preservation::Preserve,
			)
			.map_err(|_| Error::<T>::InsufficientBond)?;
			let supporters = BoundedVec::truncate_from(alloc::vec![validator.clone()]);
			Challenges::<T>::insert(
				(netuid, &miner, round),
				Challenge::<T> {
					challenger: validator.clone(),
					bond,
					evidence,
					supporters,
					opened_at: now,
					expires_at,
				},
			);
			SubnetChallengeCount::<T>::insert(netuid, count.saturating_add(1));
			OpenChallenges::<T>::mutate(netuid, &miner, |c| *c = c.saturating_add(1));
			ChallengeExpiries::<T>::insert(expires_at, (netuid, miner.clone(), round), ());
			Totals::<T>::mutate(|t| EscrowTotals::add(&mut t.bonds_open, bond));
			Self::deposit_event(Event::ChallengeRaised {
				netuid,
				miner: miner.clone(),
				round,
				challenger: validator,
				bond,
				expires_at,
			});
			Self::resolve_if_quorum(netuid, &miner, round)
		}

		/// Back another validator's challenge (after re-running its evidence).
		///
		/// - Origin: signed by a validator hotkey holding a permit on `netuid`, not the miner.
		/// - When the supporters that still hold permits reach the quorum, every open slashable
		///   entry the miner earned on the subnet is burned and every open challenge against it
		///   returns its bond.
		///
		/// Errors: [`Error::NotPermittedValidator`], [`Error::CannotChallengeSelf`],
		/// [`Error::ChallengeNotFound`], [`Error::AlreadySupported`],
		/// [`Error::TooManySupporters`].
		///
		/// Events: [`Event::ChallengeSupported`]; on quorum [`Event::Slashed`] and
		/// [`Event::ChallengeUpheld`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::support_challenge(T::MaxSupporters::get())
			.saturating_add(T::WeightInfo::slash(T::MaxEntriesPerEarner::get(), T::MaxChallengesPerSubnet::get())))]
		pub fn support_challenge(
			origin: OriginFor<T>,
			netuid: NetUid,
			miner: T::AccountId,
			round: u32,
		) -> DispatchResult {
			let supporter = ensure_signed(origin)?;
			ensure!(
				T::Stake::has_validator_permit(netuid, &supporter),
				Error::<T>::NotPermittedValidator
			);
			ensure!(supporter != miner, Error::<T>::CannotChallengeSelf);
			Challenges::<T>::try_mutate((netuid, &miner, round), |c| -> DispatchResult {
				let c = c.as_mut().ok_or(Error::<T>::ChallengeNotFound)?;
				ensure!(
					!c.supporters.contains(&supporter),
					Error::<T>::AlreadySupported
				);
				c.supporters
					.try_push(supporter.clone())
					.map_err(|_| Error::<T>::TooManySupporters)?;
				Ok(())
			})?;
			let (support, active_stake) = Self::support_of(netuid, &miner, round);
			Self::deposit_event(Event::ChallengeSupported {
				netuid,
				miner: miner.clone(),
				round,
				supporter,
				support,
				active_stake,
			});
			Self::resolve_if_quorum(netuid, &miner, round)
		}

		/// Fund a bounty: `per_epoch` for each of the subnet's next `epochs` epochs, shared like
		/// emission (owner cut, incentive, dividends) and escrowed like it.
		///
		/// - Origin: signed (the sponsor); `per_epoch · epochs` moves to the escrow account.
		///
		/// Errors: [`Error::SubnetNotFound`], [`Error::BountyTooSmall`],
		/// [`Error::InvalidBountyEpochs`], [`Error::Overflow`], [`Error::TooManyBounties`],
		/// [`Error::InsufficientBalance`].
		///
		/// Events: [`Event::BountyFunded`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::fund_bounty())]
		pub fn fund_bounty(
			origin: OriginFor<T>,
			netuid: NetUid,
			per_epoch: BalanceOf<T>,
			epochs: u32,
		) -> DispatchResult {
			let sponsor = ensure_signed(origin)?;
			ensure!(
				T::Subnets::subnet_exists(netuid),
				Error::<T>::SubnetNotFound
			);
			ensure!(
				per_epoch >= T::MinBountyPerEpoch::get(),
				Error::<T>::BountyTooSmall
			);
			ensure!(
				(1..=T::MaxBountyEpochs::get()).contains(&epochs),
				Error::<T>::InvalidBountyEpochs
			);
			let total = per_epoch
				.checked_mul(&BalanceOf::<T>::from(epochs))
				.ok_or(Error::<T>::Overflow)?;
			let id = NextBountyId::<T>::get();
			SubnetBounties::<T>::try_mutate(netuid, |b| b.try_push(id))
				.map_err(|_| Error::<T>::TooManyBounties)?;
			Self::ensure_account();
			T::Currency::transfer(&sponsor, &Self::account_id(), total, Preservation::Preserve)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			NextBountyId::<T>::put(id.saturating_add(1));
			Bounties::<T>::insert(
				id,
				Bounty {
					sponsor: sponsor.clone(),
					netuid,
					per_epoch,
					epochs_left: epochs,
					remaining: total,
					cancelled_at: None,
				},
			);
			Totals::<T>::mutate(|t| {
				EscrowTotals::add(&mut t.bounty_funded, total);
				EscrowTotals::add(&mut t.bounty_unpaid, total);
			});
			Self::deposit_event(Event::BountyFunded {
				id,
				netuid,
				sponsor,
				per_epoch,
				epochs,
			});
			Ok(())
		}

		/// Give notice to end a bounty: it pays the subnet's next epoch (within one tempo, the
		/// notice period), then its unpaid rest returns to the sponsor.
		///
		/// - Origin: signed by the bounty's sponsor.
		///
		/// Errors: [`Error::BountyNotFound`], [`Error::NotSponsor`], [`Error::AlreadyCancelled`].
		///
		/// Events: [`Event::BountyCancelled`]; [`Event::BountyClosed`] after the next epoch.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::cancel_bounty())]
		pub fn cancel_bounty(origin: OriginFor<T>, id: BountyId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Bounties::<T>::try_mutate(id, |b| -> DispatchResult {
				let b = b.as_mut().ok_or(Error::<T>::BountyNotFound)?;
				ensure!(b.sponsor == who, Error::<T>::NotSponsor);
				ensure!(b.cancelled_at.is_none(), Error::<T>::AlreadyCancelled);
				b.cancelled_at = Some(frame_system::Pallet::<T>::block_number());
				Ok(())
			})?;
			Self::deposit_event(Event::BountyCancelled { id });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The escrow account.
		pub fn account_id() -> T::AccountId {
			T::PalletId::get().into_account_truncating()
		}

		/// Mints the escrow account's existential deposit once, so it is never reaped.
		pub fn ensure_account() {
			let account = Self::account_id();
			if T::Currency::balance(&account).is_zero() {
				let ed = T::Currency::minimum_balance();
				if T::Currency::mint_into(&account, ed).is_ok() {
					AccountFloor::<T>::put(ed);
				}
			}
		}

		/// Whether an open challenge against the entry's earner holds it back.
		fn is_held_back(entry: &EntryOf<T>) -> bool {
			entry.kind.slashable() && OpenChallenges::<T>::get(entry.netuid, &entry.earner) > 0
		}

		/// Moves `amount` from the escrow account to `destination` (into stake where it can).
		/// Returns whether it was staked.
		fn pay_out(
			netuid: NetUid,
			destination: &Destination<T::AccountId>,
			amount: BalanceOf<T>,
		) -> Result<bool, DispatchError> {
			T::Currency::transfer(
				&Self::account_id(),
				destination.account(),
				amount,
				Preservation::Preserve,
			)?;
			Ok(match destination {
				Destination::Free(_) => false,
				Destination::Stake { coldkey, hotkey } => {
					frame_support::storage::with_storage_layer(|| {
						T::Stake::stake_reward(coldkey, hotkey, netuid, amount)
					})
					.is_ok()
				},
			})
		}

		/// Releases an open entry (the caller checked maturity and challenges).
		pub(crate) fn release(id: EntryId, entry: EntryOf<T>) -> DispatchResult {
			let staked = Self::pay_out(entry.netuid, &entry.destination, entry.amount)?;
			Self::remove_entry(id, &entry);
			Totals::<T>::mutate(|t| {
				EscrowTotals::add(&mut t.released, entry.amount);
				EscrowTotals::sub(&mut t.open, entry.amount);
			});
			Self::deposit_event(Event::Released {
				id,
				account: entry.destination.account().clone(),
				amount: entry.amount,
				staked,
			});
			Ok(())
		}

		/// Removes an entry and every index of it (not the totals).
		fn remove_entry(id: EntryId, entry: &EntryOf<T>) {
			Entries::<T>::remove(id);
			ReleaseQueue::<T>::remove(entry.queued_at, id);
			SubnetEntryCount::<T>::mutate_exists(entry.netuid, |c| {
				let v = c.unwrap_or_default().saturating_sub(1);
				*c = (v > 0).then_some(v);
			});
			if entry.kind.slashable() {
				SlashableEntries::<T>::remove((entry.netuid, &entry.earner, id));
				SlashableCount::<T>::mutate_exists(entry.netuid, &entry.earner, |c| {
					let v = c.unwrap_or_default().saturating_sub(1);
					*c = (v > 0).then_some(v);
				});
			}
		}

		/// Opens an entry for `amount`, already held by the escrow account (the caller updates
		/// the `escrowed_*` totals). A non-slashable amount that does not fit is released at once.
		#[allow(clippy::too_many_arguments)]
		fn open_entry(
			netuid: NetUid,
			round: u32,
			earner: &T::AccountId,
			kind: EntryKind,
			source: Source,
			destination: Destination<T::AccountId>,
			amount: BalanceOf<T>,
			release_at: BlockNumberFor<T>,
		) -> DispatchResult {
			if amount.is_zero() {
				return Ok(());
			}
			let count = SubnetEntryCount::<T>::get(netuid);
			let earner_count = SlashableCount::<T>::get(netuid, earner);
			if kind.slashable() {
				ensure!(
					count < T::MaxEntriesPerSubnet::get(),
					Error::<T>::SubnetEscrowFull
				);
				ensure!(
					earner_count < T::MaxEntriesPerEarner::get(),
					Error::<T>::TooManyEntries
				);
			} else if count >= T::MaxEntriesPerSubnet::get() {
				let staked = Self::pay_out(netuid, &destination, amount)?;
				Totals::<T>::mutate(|t| EscrowTotals::add(&mut t.released, amount));
				Self::deposit_event(Event::ReleasedDirectly {
					netuid,
					kind,
					account: destination.account().clone(),
					amount,
					staked,
				});
				return Ok(());
			}
			let id = NextEntryId::<T>::get();
			NextEntryId::<T>::put(id.saturating_add(1));
			let account = destination.account().clone();
			// A queued payout split after its release block is queued where `on_idle` still
			// looks: the release cursor.
			let queued_at = ReleaseCursor::<T>::get().map_or(release_at, |c| c.max(release_at));
			Entries::<T>::insert(
				id,
				EscrowEntry {
					netuid,
					round,
					earner: earner.clone(),
					kind,
					source,
					destination,
					amount,
					created_at: frame_system::Pallet::<T>::block_number(),
					release_at,
					queued_at,
				},
			);
			ReleaseQueue::<T>::insert(queued_at, id, ());
			SubnetEntryCount::<T>::insert(netuid, count.saturating_add(1));
			if kind.slashable() {
				SlashableEntries::<T>::insert((netuid, earner, id), ());
				SlashableCount::<T>::insert(netuid, earner, earner_count.saturating_add(1));
			}
			Totals::<T>::mutate(|t| EscrowTotals::add(&mut t.open, amount));
			Self::deposit_event(Event::Escrowed {
				id,
				netuid,
				round,
				kind,
				account,
				amount,
				release_at,
			});
			Ok(())
		}

		/// Release block of a payout made now on `netuid`.
		fn release_at(netuid: NetUid) -> Result<BlockNumberFor<T>, DispatchError> {
			let hp = T::Subnets::hyperparams(netuid).ok_or(Error::<T>::SubnetNotFound)?;
			let window = u64::from(hp.escrow_window).saturating_mul(u64::from(hp.tempo));
			let now: u64 = frame_system::Pallet::<T>::block_number().saturated_into();
			Ok(release_block(now, window).saturated_into())
		}

		/// Escrows a reward of `kind` for `beneficiary`, already held by the escrow account:
		/// owner cut, miner incentive, or validator dividends shared with its delegators.
		pub(crate) fn escrow_reward(
			netuid: NetUid,
			round: u32,
			source: Source,
			beneficiary: &T::AccountId,
			kind: PayoutKind,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let release_at = Self::release_at(netuid)?;
			match kind {
				PayoutKind::Owner => Self::open_entry(
					netuid,
					round,
					beneficiary,
					EntryKind::OwnerCut,
					source,
					Destination::Free(beneficiary.clone()),
					amount,
					release_at,
				),
				PayoutKind::Miner => {
					let coldkey = T::Stake::hotkey_owner(beneficiary)
						.ok_or(Error::<T>::HotkeyNotAssociated)?;
					Self::open_entry(
						netuid,
						round,
						beneficiary,
						EntryKind::Incentive,
						source,
						Destination::Stake {
							coldkey,
							hotkey: beneficiary.clone(),
						},
						amount,
						release_at,
					)
				},
				PayoutKind::Validator => {
					let owner = T::Stake::hotkey_owner(beneficiary)
						.ok_or(Error::<T>::HotkeyNotAssociated)?;
					Self::split_among_positions(
						netuid,
						round,
						source,
						beneficiary,
						owner,
						T::Stake::delegate_take(beneficiary),
						amount,
						release_at,
					)
				},
			}
		}

		/// Splits a validator's dividends (`amount`, held by the escrow account) among the
		/// positions on `hotkey` now ([`arena_rules::delegation`]): one
		/// [`EntryKind::DelegatorShare`] per other position, one [`EntryKind::Dividends`] for
		/// `owner` (take + its own share), all released at `release_at`.
		#[allow(clippy::too_many_arguments)]
		fn split_among_positions(
			netuid: NetUid,
			round: u32,
			source: Source,
			hotkey: &T::AccountId,
			owner: T::AccountId,
			take: Perbill,
			amount: BalanceOf<T>,
			release_at: BlockNumberFor<T>,
		) -> DispatchResult {
			let positions = T::Stake::positions_on(netuid, hotkey);
			let split = split_dividends(
				amount.saturated_into(),
				&positions
					.iter()
					.map(|(c, s)| Position {
						stake: (*s).saturated_into(),
						is_owner: *c == owner,
					})
					.collect::<Vec<_>>(),
				take,
			);
			let mut owner_amount: BalanceOf<T> = split.take.saturated_into();
			for ((coldkey, _), share) in positions.iter().zip(&split.shares) {
				let share: BalanceOf<T> = (*share).saturated_into();
				if *coldkey == owner {
					owner_amount = owner_amount.saturating_add(share);
					continue;
				}
				Self::open_entry(
					netuid,
					round,
					hotkey,
					EntryKind::DelegatorShare,
					source,
					Destination::Stake {
						coldkey: coldkey.clone(),
						hotkey: hotkey.clone(),
					},
					share,
					release_at,
				)?;
			}
			Self::open_entry(
				netuid,
				round,
				hotkey,
				EntryKind::Dividends,
				source,
				Destination::Stake {
					coldkey: owner,
					hotkey: hotkey.clone(),
				},
				owner_amount,
				release_at,
			)
		}

		/// Escrows a reward like [`Pallet::escrow_reward`], except that a validator's dividends
		/// are queued for `on_idle` to split while the dividend queue has room.
		pub(crate) fn escrow_or_queue(
			netuid: NetUid,
			round: u32,
			source: Source,
			beneficiary: &T::AccountId,
			kind: PayoutKind,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			if kind == PayoutKind::Validator
				&& Self::queue_dividends(netuid, round, source, beneficiary, amount)?
			{
				return Ok(());
			}
			Self::escrow_reward(netuid, round, source, beneficiary, kind, amount)
		}

		/// Queues a validator's dividends (`amount`, held by the escrow account) with its owner,
		/// take and release block fixed now. `Ok(false)` if the queue is full (nothing done).
		pub(crate) fn queue_dividends(
			netuid: NetUid,
			round: u32,
			source: Source,
			hotkey: &T::AccountId,
			amount: BalanceOf<T>,
		) -> Result<bool, DispatchError> {
			let mut q = DividendQueue::<T>::get();
			if q.len() >= u64::from(T::MaxPendingDividends::get()) {
				return Ok(false);
			}
			let owner = T::Stake::hotkey_owner(hotkey).ok_or(Error::<T>::HotkeyNotAssociated)?;
			let release_at = Self::release_at(netuid)?;
			if amount.is_zero() {
				return Ok(true);
			}
			PendingDividends::<T>::insert(
				q.tail,
				PendingDividend {
					netuid,
					round,
					hotkey: hotkey.clone(),
					owner,
					take: T::Stake::delegate_take(hotkey),
					amount,
					source,
					release_at,
				},
			);
			q.tail = q.tail.saturating_add(1);
			DividendQueue::<T>::put(q);
			PendingDividendTotal::<T>::mutate(|t| *t = t.saturating_add(amount));
			Self::deposit_event(Event::DividendsQueued {
				netuid,
				round,
				hotkey: hotkey.clone(),
				amount,
				release_at,
			});
			Ok(true)
		}

		/// Splits the oldest queued validator payout into its entries (`on_idle`). Returns
		/// whether the queue held one.
		pub(crate) fn split_next_dividend() -> bool {
			let mut q = DividendQueue::<T>::get();
			if q.is_empty() {
				return false;
			}
			let key = q.head;
			q.head = q.head.saturating_add(1);
			if let Some(r) = PendingDividends::<T>::take(key) {
				let split = frame_support::storage::with_storage_layer(|| {
					Self::split_among_positions(
						r.netuid,
						r.round,
						r.source,
						&r.hotkey,
						r.owner.clone(),
						r.take,
						r.amount,
						r.release_at,
					)
				});
				if split.is_ok() {
					PendingDividendTotal::<T>::mutate(|t| *t = t.saturating_sub(r.amount));
				} else {
					// Cannot happen while the invariants hold (only a transfer out of the escrow
					// account can fail); keep the record, at the back, rather than block the queue.
					PendingDividends::<T>::insert(q.tail, r);
					q.tail = q.tail.saturating_add(1);
				}
			}
			DividendQueue::<T>::put(q);
			true
		}

		/// Consensus stake backing a challenge (supporters still holding permits) and of every
		/// permitted validator on the subnet.
		pub fn support_of(
			netuid: NetUid,
			miner: &T::AccountId,
			round: u32,
		) -> (BalanceOf<T>, BalanceOf<T>) {
			let active = T::Stake::validator_permits(netuid)
				.iter()
				.fold(BalanceOf::<T>::zero(), |a, v| {
					a.saturating_add(T::Stake::consensus_stake(netuid, v))
				});
			let support = Challenges::<T>::get((netuid, miner, round))
				.map(|c| {
					c.supporters
						.iter()
						.filter(|s| T::Stake::has_validator_permit(netuid, s))
						.fold(BalanceOf::<T>::zero(), |a, s| {
							a.saturating_add(T::Stake::consensus_stake(netuid, s))
						})
				})
				.unwrap_or_default();
			(support, active)
		}

		/// Slashes the miner if the challenge has reached the quorum.
		fn resolve_if_quorum(netuid: NetUid, miner: &T::AccountId, round: u32) -> DispatchResult {
			let (support, active) = Self::support_of(netuid, miner, round);
			let (num, den) = T::SlashQuorum::get();
			if quorum_reached_ratio(
				support.saturated_into(),
				active.saturated_into(),
				num.into(),
				den.into(),
			) {
				Self::slash(netuid, miner)?;
			}
			Ok(())
		}

		/// Burns every open slashable entry `miner` earned on `netuid` and ends every open
		/// challenge against it, returning the bonds.
		pub(crate) fn slash(netuid: NetUid, miner: &T::AccountId) -> DispatchResult {
			let ids: Vec<EntryId> =
				SlashableEntries::<T>::iter_key_prefix((netuid, miner)).collect();
			let mut total = BalanceOf::<T>::zero();
			let mut from_emission = BalanceOf::<T>::zero();
			let mut entries: u32 = 0;
			for id in ids {
				if let Some(entry) = Entries::<T>::get(id) {
					Self::remove_entry(id, &entry);
					total = total.saturating_add(entry.amount);
					if entry.source == Source::Emission {
						from_emission = from_emission.saturating_add(entry.amount);
					}
					entries = entries.saturating_add(1);
				}
			}
			if !total.is_zero() {
				T::Currency::burn_from(
					&Self::account_id(),
					total,
					Preservation::Preserve,
					Precision::Exact,
					Fortitude::Force,
				)?;
				T::OnSlash::on_slashed(netuid, from_emission);
			}
			Totals::<T>::mutate(|t| {
				EscrowTotals::add(&mut t.slashed, total);
				EscrowTotals::sub(&mut t.open, total);
			});
			Self::deposit_event(Event::Slashed {
				netuid,
				miner: miner.clone(),
				entries,
				amount: total,
			});
			let open: Vec<(u32, Challenge<T>)> =
				Challenges::<T>::drain_prefix((netuid, miner)).collect();
			for (round, c) in open {
				T::Currency::transfer(
					&Self::account_id(),
					&c.challenger,
					c.bond,
					Preservation::Preserve,
				)?;
				Self::forget_challenge(netuid, miner, round, &c);
				Totals::<T>::mutate(|t| {
					EscrowTotals::sub(&mut t.bonds_open, c.bond);
					EscrowTotals::add(&mut t.bonds_returned, c.bond);
				});
				Self::deposit_event(Event::ChallengeUpheld {
					netuid,
					miner: miner.clone(),
					round,
					challenger: c.challenger,
					bond: c.bond,
				});
			}
			Ok(())
		}

		/// Drops the indices of a challenge already taken out of [`Challenges`].
		fn forget_challenge(netuid: NetUid, miner: &T::AccountId, round: u32, c: &Challenge<T>) {
			ChallengeExpiries::<T>::remove(c.expires_at, (netuid, miner.clone(), round));
			OpenChallenges::<T>::mutate_exists(netuid, miner, |n| {
				let v = n.unwrap_or_default().saturating_sub(1);
				*n = (v > 0).then_some(v);
			});
			SubnetChallengeCount::<T>::mutate_exists(netuid, |n| {
				let v = n.unwrap_or_default().saturating_sub(1);
				*n = (v > 0).then_some(v);
			});
		}

		/// Ends a challenge that reached its expiry without quorum: the bond goes to the
		/// miner's owner (or the miner hotkey if it has none).
		pub(crate) fn expire(netuid: NetUid, miner: &T::AccountId, round: u32) -> DispatchResult {
			let c = Challenges::<T>::get((netuid, miner, round))
				.ok_or(Error::<T>::ChallengeNotFound)?;
			let paid_to = T::Stake::hotkey_owner(miner).unwrap_or_else(|| miner.clone());
			T::Currency::transfer(
				&Self::account_id(),
				&paid_to,
				c.bond,
				Preservation::Preserve,
			)?;
			Challenges::<T>::remove((netuid, miner, round));
			Self::forget_challenge(netuid, miner, round, &c);
			Totals::<T>::mutate(|t| {
				EscrowTotals::sub(&mut t.bonds_open, c.bond);
				EscrowTotals::add(&mut t.bonds_forfeited, c.bond);
			});
			Self::deposit_event(Event::ChallengeExpired {
				netuid,
				miner: miner.clone(),
				round,
				bond: c.bond,
				paid_to,
			});
			Ok(())
		}

		/// Latest expiry of the open challenges against `(netuid, miner)`.
		fn latest_expiry(netuid: NetUid, miner: &T::AccountId) -> Option<BlockNumberFor<T>> {
			Challenges::<T>::iter_prefix_values((netuid, miner))
				.map(|c| c.expires_at)
				.max()
		}

		/// The `on_idle` work: from the cursor block up to `now`, first the block's challenge
		/// expiries, then its releases (entries held back by a challenge move to its expiry
		/// block). Each item is priced before it is done.
		pub fn process_queues(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			let used = Self::process_releases(now, remaining);
			if used.is_zero() {
				return used;
			}
			Self::process_deferred(remaining, used)
		}

		/// Splits queued dividends, then pays queued bounty epochs, while the next step's price
		/// fits in `remaining` (`used` spent already); returns the weight used. A bounty step
		/// waits until the dividend queue is empty, so that its validators' dividends are queued
		/// (all of them if `MaxPendingDividends` is at least the subnet's validators).
		pub fn process_deferred(remaining: Weight, mut used: Weight) -> Weight {
			let fits = |used: Weight, w: Weight| remaining.all_gte(used.saturating_add(w));
			// Every step pops an item or pays a bounty; the cap only guards against a record
			// that keeps failing (it goes back to the tail).
			let max_steps = T::MaxPendingDividends::get().saturating_add(
				T::MaxPendingOutcomes::get()
					.saturating_mul(T::MaxBountiesPerSubnet::get().saturating_add(1)),
			);
			for _ in 0..max_steps {
				let dividends = DividendQueue::<T>::get();
				if !dividends.is_empty() {
					let w = T::WeightInfo::expand_dividend(T::MaxPositionsPerHotkey::get());
					if !fits(used, w) {
						break;
					}
					used = used.saturating_add(w);
					Self::split_next_dividend();
					continue;
				}
				let q = OutcomeQueue::<T>::get();
				if q.bounds.is_empty() {
					break;
				}
				let head = T::WeightInfo::bounty_queue_head();
				if !fits(used, head) {
					break;
				}
				used = used.saturating_add(head);
				let Some(o) = EpochOutcomes::<T>::get(q.bounds.head) else {
					// Cannot happen while the invariants hold; skip the hole.
					let mut q = q;
					q.bounds.head = q.bounds.head.saturating_add(1);
					q.paid_through = None;
					OutcomeQueue::<T>::put(q);
					continue;
				};
				let (n, v): (u32, u32) = (
					o.incentive.len().saturated_into(),
					o.dividends.len().saturated_into(),
				);
				// The dividend queue is empty here: room for `MaxPendingDividends` payouts.
				let w = Self::bounty_step_weight(n, v).saturating_sub(head);
				if !fits(used, w) {
					break;
				}
				used = used.saturating_add(w);
				Self::bounty_step(q, &o);
			}
			used
		}

		/// Expiries and releases, oldest block first (the first part of [`Self::process_queues`]);
		/// returns the weight used (zero if not even the base fits).
		fn process_releases(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			let mut used = T::WeightInfo::on_idle_base();
			if !remaining.all_gte(used) {
				return Weight::zero();
			}
			let mut cursor = ReleaseCursor::<T>::get().unwrap_or(now);
			let mut items: u32 = 0;
			let max_items = T::MaxReleasesPerBlock::get();
			let fits = |used: Weight, w: Weight| remaining.all_gte(used.saturating_add(w));
			'blocks: while cursor <= now && items < max_items {
				// Expiries of this block first.
				let expiring: Vec<(NetUid, T::AccountId, u32)> =
					ChallengeExpiries::<T>::iter_key_prefix(cursor)
						.take(max_items.saturating_sub(items) as usize)
						.collect();
				for (netuid, miner, round) in expiring {
					let w = T::WeightInfo::expire_challenge();
					if !fits(used, w) {
						break 'blocks;
					}
					used = used.saturating_add(w);
					items = items.saturating_add(1);
					if Self::expire(netuid, &miner, round).is_err() {
						// Cannot happen while the invariants hold; never block the queue on it.
						ChallengeExpiries::<T>::remove(cursor, (netuid, miner, round));
					}
				}
				if ChallengeExpiries::<T>::iter_key_prefix(cursor)
					.next()
					.is_some()
				{
					break;
				}
				let due: Vec<EntryId> = ReleaseQueue::<T>::iter_key_prefix(cursor)
					.take(max_items.saturating_sub(items) as usize)
					.collect();
				for id in due {
					let w = T::WeightInfo::release_entry();
					if !fits(used, w) {
						break 'blocks;
					}
					used = used.saturating_add(w);
					items = items.saturating_add(1);
					Self::release_or_defer(id, cursor, now);
				}
				if ReleaseQueue::<T>::iter_key_prefix(cursor).next().is_some() {
					break;
				}
				let w = T::WeightInfo::advance_cursor();
				if !fits(used, w) {
					break;
				}
				used = used.saturating_add(w);
				cursor = cursor.saturating_add(1u32.into());
			}
			ReleaseCursor::<T>::put(cursor);
			used
		}

		/// Releases queued entry `id` (queued at `block`), or moves it to the latest expiry of
		/// the open challenges against its earner.
		pub(crate) fn release_or_defer(
			id: EntryId,
			block: BlockNumberFor<T>,
			now: BlockNumberFor<T>,
		) {
			let Some(mut entry) = Entries::<T>::get(id) else {
				ReleaseQueue::<T>::remove(block, id);
				return;
			};
			if Self::is_held_back(&entry) {
				let to = Self::latest_expiry(entry.netuid, &entry.earner)
					.unwrap_or(now)
					.max(now.saturating_add(1u32.into()));
				ReleaseQueue::<T>::remove(block, id);
				ReleaseQueue::<T>::insert(to, id, ());
				entry.queued_at = to;
				Entries::<T>::insert(id, entry);
				return;
			}
			if Self::release(id, entry.clone()).is_err() {
				// Cannot happen while the invariants hold; retry next block rather than block.
				let to = now.saturating_add(1u32.into());
				ReleaseQueue::<T>::remove(block, id);
				ReleaseQueue::<T>::insert(to, id, ());
				entry.queued_at = to;
				Entries::<T>::insert(id, entry);
			}
		}

		/// Pays the subnet's bounties for the epoch `round` by `outcome` at once (the bounty queue
		/// is full): the bounties with an id below `next_bounty`, see [`Pallet::pay_bounty`].
		/// Returns the weight used.
		pub(crate) fn pay_bounties(
			netuid: NetUid,
			round: u32,
			outcome: &EpochOutcome<T::AccountId>,
			epoch_block: BlockNumberFor<T>,
			next_bounty: BountyId,
		) -> Weight {
			let ids = SubnetBounties::<T>::get(netuid);
			let mut weight = T::DbWeight::get().reads(1);
			for id in ids.into_iter().filter(|id| *id < next_bounty) {
				Self::pay_bounty(id, netuid, round, outcome, epoch_block);
				weight = weight.saturating_add(Self::bounty_epoch_weight(
					outcome.incentive.len().saturated_into(),
					outcome.dividends.len().saturated_into(),
				));
			}
			weight
		}

		/// Pays bounty `id` for the epoch `round` (at `epoch_block`) by `outcome`; closes it if it
		/// ran out, finished, or was cancelled before that epoch.
		pub(crate) fn pay_bounty(
			id: BountyId,
			netuid: NetUid,
			round: u32,
			outcome: &EpochOutcome<T::AccountId>,
			epoch_block: BlockNumberFor<T>,
		) {
			let Some(mut b) = Bounties::<T>::get(id) else {
				return;
			};
			let amount = b.per_epoch.min(b.remaining);
			let paid = Self::pay_bounty_epoch(netuid, round, id, amount, outcome);
			b.remaining = b.remaining.saturating_sub(paid);
			b.epochs_left = b.epochs_left.saturating_sub(1);
			Totals::<T>::mutate(|t| {
				EscrowTotals::sub(&mut t.bounty_unpaid, paid);
				EscrowTotals::add(&mut t.escrowed_bounty, paid);
			});
			Self::deposit_event(Event::BountyPaid {
				id,
				netuid,
				round,
				amount: paid,
			});
			let notice_over = b.cancelled_at.is_some_and(|at| at < epoch_block);
			if b.epochs_left == 0 || b.remaining.is_zero() || notice_over {
				Self::close_bounty(id, b);
			} else {
				Bounties::<T>::insert(id, b);
			}
		}

		/// Worst-case weight of one bounty's epoch over `n` miners and `v` validators paid at
		/// once (their dividends queued; split at once, with the most positions, if the
		/// dividend queue is full).
		pub fn bounty_epoch_weight(n: u32, v: u32) -> Weight {
			T::WeightInfo::bounty_epoch(n, 0).saturating_add(
				T::WeightInfo::pay_validator(T::MaxPositionsPerHotkey::get())
					.saturating_mul(v.into()),
			)
		}

		/// Price of one `on_idle` step of the bounty queue whose oldest outcome has `n` miners
		/// and `v` validators: reading it, then paying one bounty by it, from an empty dividend
		/// queue (the steps run only then): the validators' dividends are queued, those beyond
		/// `MaxPendingDividends` split at once with the most positions.
		pub fn bounty_step_weight(n: u32, v: u32) -> Weight {
			let queued = v.min(T::MaxPendingDividends::get());
			T::WeightInfo::bounty_queue_head()
				.saturating_add(T::WeightInfo::bounty_epoch(n, queued))
				.saturating_add(
					T::WeightInfo::pay_validator(T::MaxPositionsPerHotkey::get())
						.saturating_mul(v.saturating_sub(queued).into()),
				)
		}

		/// Stores `outcome` for `on_idle` to pay the subnet's bounties by it; `false` if the
		/// bounty queue is full or the outcome exceeds `MaxUids` (nothing stored).
		fn queue_outcome(netuid: NetUid, round: u32, outcome: &EpochOutcome<T::AccountId>) -> bool {
			let mut q = OutcomeQueue::<T>::get();
			if q.bounds.len() >= u64::from(T::MaxPendingOutcomes::get()) {
				return false;
			}
			let (Ok(incentive), Ok(dividends), Ok(validator_stake)) = (
				BoundedVec::try_from(outcome.incentive.clone()),
				BoundedVec::try_from(outcome.dividends.clone()),
				BoundedVec::try_from(outcome.validator_stake.clone()),
			) else {
				return false;
			};
			EpochOutcomes::<T>::insert(
				q.bounds.tail,
				StoredOutcome::<T> {
					netuid,
					round,
					epoch_block: frame_system::Pallet::<T>::block_number(),
					next_bounty: NextBountyId::<T>::get(),
					owner: outcome.owner.clone(),
					owner_cut: outcome.owner_cut,
					incentive,
					dividends,
					validator_stake,
				},
			);
			q.bounds.tail = q.bounds.tail.saturating_add(1);
			OutcomeQueue::<T>::put(q);
			true
		}

		/// One `on_idle` step of the bounty queue: pays the next bounty (in id order) of the
		/// oldest outcome, or drops the outcome once none is left to pay (bounties closed since,
		/// their subnet dissolved, or funded after the epoch are skipped).
		pub(crate) fn bounty_step(mut q: OutcomeQueueState, o: &StoredOutcome<T>) {
			let next = SubnetBounties::<T>::get(o.netuid)
				.into_iter()
				.find(|id| *id < o.next_bounty && q.paid_through.is_none_or(|done| *id > done));
			match next {
				Some(id) => {
					let outcome = EpochOutcome {
						owner: o.owner.clone(),
						owner_cut: o.owner_cut,
						incentive: o.incentive.clone().into_inner(),
						dividends: o.dividends.clone().into_inner(),
						validator_stake: o.validator_stake.clone().into_inner(),
					};
					Self::pay_bounty(id, o.netuid, o.round, &outcome, o.epoch_block);
					q.paid_through = Some(id);
				},
				None => {
					EpochOutcomes::<T>::remove(q.bounds.head);
					q.bounds.head = q.bounds.head.saturating_add(1);
					q.paid_through = None;
				},
			}
			OutcomeQueue::<T>::put(q);
		}

		/// Shares `amount` of bounty `id` like the epoch's emission; returns what was escrowed
		/// (parts without a recipient stay with the bounty).
		fn pay_bounty_epoch(
			netuid: NetUid,
			round: u32,
			id: BountyId,
			amount: BalanceOf<T>,
			outcome: &EpochOutcome<T::AccountId>,
		) -> BalanceOf<T> {
			let incentive: Vec<_> = outcome.incentive.iter().map(|(_, i)| *i).collect();
			let dividends: Vec<_> = outcome.dividends.iter().map(|(_, d)| *d).collect();
			let split = split_epoch(
				amount.saturated_into(),
				&SplitParams {
					owner_cut: outcome.owner_cut,
				},
				&incentive,
				&dividends,
				&outcome.validator_stake,
			);
			let mut parts: Vec<(T::AccountId, PayoutKind, u128)> = Vec::new();
			if let Some(owner) = &outcome.owner {
				parts.push((owner.clone(), PayoutKind::Owner, split.owner));
			}
			for ((hk, _), a) in outcome.incentive.iter().zip(&split.miners) {
				parts.push((hk.clone(), PayoutKind::Miner, *a));
			}
			for ((hk, _), a) in outcome.dividends.iter().zip(&split.validators) {
				parts.push((hk.clone(), PayoutKind::Validator, *a));
			}
			let mut paid = BalanceOf::<T>::zero();
			for (who, kind, a) in parts {
				let a: BalanceOf<T> = a.saturated_into();
				if a.is_zero() {
					continue;
				}
				let ok = frame_support::storage::with_storage_layer(|| {
					Self::escrow_or_queue(netuid, round, Source::Bounty(id), &who, kind, a)
				})
				.is_ok();
				if ok {
					paid = paid.saturating_add(a);
				}
			}
			paid
		}

		/// Returns a bounty's unpaid rest to its sponsor and removes it.
		fn close_bounty(id: BountyId, b: BountyOf<T>) {
			let refunded = if b.remaining.is_zero() {
				Zero::zero()
			} else {
				match T::Currency::transfer(
					&Self::account_id(),
					&b.sponsor,
					b.remaining,
					Preservation::Preserve,
				) {
					Ok(_) => b.remaining,
					// Cannot happen while the invariants hold; keep the bounty (paying nothing
					// more: no epochs left) rather than lose the funds.
					Err(_) => {
						Bounties::<T>::insert(
							id,
							Bounty {
								epochs_left: 0,
								..b
							},
						);
						return;
					},
				}
			};
			Bounties::<T>::remove(id);
			SubnetBounties::<T>::mutate_exists(b.netuid, |v| {
				if let Some(list) = v {
					list.retain(|x| *x != id);
					if list.is_empty() {
						*v = None;
					}
				}
			});
			Totals::<T>::mutate(|t| {
				EscrowTotals::sub(&mut t.bounty_unpaid, refunded);
				EscrowTotals::add(&mut t.bounty_returned, refunded);
			});
			Self::deposit_event(Event::BountyClosed {
				id,
				sponsor: b.sponsor,
				refunded,
			});
		}

		/// Runtime-API view: the open entries paid to `account` (as owner cut, or into one of its
		/// stake positions), oldest first.
		pub fn account_entries(
			account: &T::AccountId,
		) -> Vec<EntryView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
			let mut v: Vec<_> = Entries::<T>::iter()
				.filter(|(_, e)| e.destination.account() == account)
				.map(|(id, entry)| EntryView {
					id,
					challenged: Self::is_held_back(&entry),
					entry,
				})
				.collect();
			v.sort_by_key(|e| e.id);
			v
		}

		/// Runtime-API view: the open entries a hotkey earned on a subnet, oldest first.
		pub fn earner_entries(
			netuid: NetUid,
			earner: &T::AccountId,
		) -> Vec<EntryView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
			let mut v: Vec<_> = Entries::<T>::iter()
				.filter(|(_, e)| e.netuid == netuid && &e.earner == earner)
				.map(|(id, entry)| EntryView {
					id,
					challenged: Self::is_held_back(&entry),
					entry,
				})
				.collect();
			v.sort_by_key(|e| e.id);
			v
		}

		/// Runtime-API view: a subnet's open challenges with their support now.
		pub fn open_challenges(
			netuid: NetUid,
		) -> Vec<ChallengeView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
			Challenges::<T>::iter_prefix((netuid,))
				.map(|((miner, round), c)| {
					let (support, active_stake) = Self::support_of(netuid, &miner, round);
					let at_stake = SlashableEntries::<T>::iter_key_prefix((netuid, &miner))
						.filter_map(Entries::<T>::get)
						.fold(BalanceOf::<T>::zero(), |a, e| a.saturating_add(e.amount));
					ChallengeView {
						miner,
						round,
						challenger: c.challenger,
						bond: c.bond,
						evidence: c.evidence,
						supporters: c.supporters.into_inner(),
						support,
						active_stake,
						opened_at: c.opened_at,
						expires_at: c.expires_at,
						at_stake,
					}
				})
				.collect()
		}

		/// Runtime-API view: a subnet's open bounties.
		pub fn subnet_bounties(
			netuid: NetUid,
		) -> Vec<BountyView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
			SubnetBounties::<T>::get(netuid)
				.into_iter()
				.filter_map(|id| Bounties::<T>::get(id).map(|bounty| BountyView { id, bounty }))
				.collect()
		}

		/// Checks the pallet's invariants (run by `try_state` and after every test); each check
		/// is one named invariant.
		#[cfg(any(test, feature = "try-runtime", feature = "std"))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			Self::check_balance_covers_obligations()?;
			Self::check_entries_and_indices()?;
			Self::check_escrowed_is_released_slashed_or_open()?;
			Self::check_bounties()?;
			Self::check_challenges()?;
			Self::check_deferred_queues()?;
			Ok(())
		}

		/// escrow balance = floor + Σ open entries + Σ unpaid bounty funds + Σ open bonds +
		/// Σ queued dividends.
		#[cfg(any(test, feature = "try-runtime", feature = "std"))]
		fn check_balance_covers_obligations() -> Result<(), sp_runtime::TryRuntimeError> {
			let t = Totals::<T>::get();
			let expected = AccountFloor::<T>::get()
				.saturating_add(t.open)
				.saturating_add(t.bounty_unpaid)
				.saturating_add(t.bonds_open)
				.saturating_add(PendingDividendTotal::<T>::get());
			ensure!(
				T::Currency::balance(&Self::account_id()) == expected,
				"escrow balance != floor + open + bounty_unpaid + bonds_open + queued dividends"
			);
			Ok(())
		}

		/// The dividend and bounty queues hold exactly their keys `head..tail`, within their
		/// bounds; Σ queued dividends = [`PendingDividendTotal`], none zero.
		#[cfg(any(test, feature = "try-runtime", feature = "std"))]
		fn check_deferred_queues() -> Result<(), sp_runtime::TryRuntimeError> {
			let q = DividendQueue::<T>::get();
			ensure!(q.head <= q.tail, "dividend queue head after tail");
			ensure!(
				q.len() <= u64::from(T::MaxPendingDividends::get()),
				"dividend queue above MaxPendingDividends"
			);
			let mut queued = BalanceOf::<T>::zero();
			let mut count: u64 = 0;
			for (key, r) in PendingDividends::<T>::iter() {
				ensure!(
					(q.head..q.tail).contains(&key),
					"queued dividend outside head..tail"
				);
				ensure!(!r.amount.is_zero(), "zero queued dividend");
				queued = queued.saturating_add(r.amount);
				count = count.saturating_add(1);
			}
			ensure!(count == q.len(), "dividend queue has holes");
			ensure!(
				queued == PendingDividendTotal::<T>::get(),
				"Σ queued dividends != PendingDividendTotal"
			);
			let o = OutcomeQueue::<T>::get();
			ensure!(
				o.bounds.head <= o.bounds.tail,
				"bounty queue head after tail"
			);
			ensure!(
				o.bounds.len() <= u64::from(T::MaxPendingOutcomes::get()),
				"bounty queue above MaxPendingOutcomes"
			);
			let mut count: u64 = 0;
			for key in EpochOutcomes::<T>::iter_keys() {
				ensure!(
					(o.bounds.head..o.bounds.tail).contains(&key),
					"queued outcome outside head..tail"
				);
				count = count.saturating_add(1);
			}
			ensure!(count == o.bounds.len(), "bounty queue has holes");
			ensure!(
				o.paid_through.is_none() || !o.bounds.is_empty(),
				"empty bounty queue with a paid-through bounty"
			);
			Ok(())
		}

		/// Σ entries = open; every entry queued once, indexed, counted; no dangling index.
		#[cfg(any(test, feature = "try-runtime", feature = "std"))]
		fn check_entries_and_indices() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			let mut open = BalanceOf::<T>::zero();
			let mut per_subnet: BTreeMap<NetUid, u32> = BTreeMap::new();
			let mut per_earner: BTreeMap<(NetUid, T::AccountId), u32> = BTreeMap::new();
			for (id, e) in Entries::<T>::iter() {
				ensure!(!e.amount.is_zero(), "zero entry");
				ensure!(e.queued_at >= e.release_at, "queued before its release");
				ensure!(
					ReleaseQueue::<T>::contains_key(e.queued_at, id),
					"entry not in the release queue"
				);
				ensure!(
					id < NextEntryId::<T>::get(),
					"entry id not below NextEntryId"
				);
				open = open.saturating_add(e.amount);
				let c = per_subnet.entry(e.netuid).or_default();
				*c = c.saturating_add(1);
				if e.kind.slashable() {
					ensure!(
						SlashableEntries::<T>::contains_key((e.netuid, &e.earner, id)),
						"slashable entry not indexed"
					);
					let c = per_earner.entry((e.netuid, e.earner.clone())).or_default();
					*c = c.saturating_add(1);
				}
			}
			ensure!(open == Totals::<T>::get().open, "Σ entries != open");
			for (block, id, ()) in ReleaseQueue::<T>::iter() {
				ensure!(
					Entries::<T>::get(id).is_some_and(|e| e.queued_at == block),
					"queued id without entry at that block"
				);
			}
			ensure!(
				SubnetEntryCount::<T>::iter().count() == per_subnet.len()
					&& per_subnet
						.iter()
						.all(|(n, c)| SubnetEntryCount::<T>::get(n) == *c
							&& *c <= T::MaxEntriesPerSubnet::get()),
				"SubnetEntryCount != entries"
			);
			ensure!(
				SlashableCount::<T>::iter().count() == per_earner.len()
					&& per_earner.iter().all(|((n, e), c)| {
						SlashableCount::<T>::get(n, e) == *c && *c <= T::MaxEntriesPerEarner::get()
					}),
				"SlashableCount != slashable entries"
			);
			ensure!(
				SlashableEntries::<T>::iter_keys().count()
					== per_earner.values().map(|c| *c as usize).sum::<usize>(),
				"dangling SlashableEntries"
			);
			Ok(())
		}

		/// escrowed (emission + bounty) = released + slashed + open.
		#[cfg(any(test, feature = "try-runtime", feature = "std"))]
		fn check_escrowed_is_released_slashed_or_open() -> Result<(), sp_runtime::TryRuntimeError> {
			let t = Totals::<T>::get();
			ensure!(
				t.escrowed_emission.saturating_add(t.escrowed_bounty)
					== t.released
						.saturating_add(t.slashed)
						.saturating_add(t.open)
						.saturating_add(PendingDividendTotal::<T>::get()),
				"escrowed != released + slashed + open + queued dividends"
			);
			ensure!(
				t.bounty_funded
					== t.bounty_unpaid
						.saturating_add(t.escrowed_bounty)
						.saturating_add(t.bounty_returned),
				"funded != unpaid + escrowed + returned"
			);
			Ok(())
		}

		/// Σ remaining of bounties = bounty_unpaid; subnet lists match the bounties.
		#[cfg(any(test, feature = "try-runtime", feature = "std"))]
		fn check_bounties() -> Result<(), sp_runtime::TryRuntimeError> {
			let mut unpaid = BalanceOf::<T>::zero();
			let mut count = 0usize;
			for (id, b) in Bounties::<T>::iter() {
				unpaid = unpaid.saturating_add(b.remaining);
				ensure!(
					SubnetBounties::<T>::get(b.netuid).contains(&id),
					"bounty not listed on its subnet"
				);
				count = count.saturating_add(1);
			}
			ensure!(
				unpaid == Totals::<T>::get().bounty_unpaid,
				"Σ bounty remaining != bounty_unpaid"
			);
			ensure!(
				SubnetBounties::<T>::iter_values()
					.map(|v| v.len())
					.sum::<usize>() == count,
				"listed bounty without record"
			);
			Ok(())
		}

		/// Σ bonds = bonds_open; counts, expiries and supporters consistent.
		#[cfg(any(test, feature = "try-runtime", feature = "std"))]
		fn check_challenges() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			let mut bonds = BalanceOf::<T>::zero();
			let mut per_miner: BTreeMap<(NetUid, T::AccountId), u32> = BTreeMap::new();
			let mut per_subnet: BTreeMap<NetUid, u32> = BTreeMap::new();
			for ((netuid, miner, round), c) in Challenges::<T>::iter() {
				bonds = bonds.saturating_add(c.bond);
				ensure!(
					ChallengeExpiries::<T>::contains_key(c.expires_at, (netuid, &miner, round)),
					"challenge without expiry"
				);
				ensure!(
					c.supporters.first() == Some(&c.challenger),
					"challenger is not the first supporter"
				);
				let mut s = c.supporters.clone().into_inner();
				s.sort();
				s.dedup();
				ensure!(s.len() == c.supporters.len(), "duplicate supporter");
				let c = per_miner.entry((netuid, miner)).or_default();
				*c = c.saturating_add(1);
				let c = per_subnet.entry(netuid).or_default();
				*c = c.saturating_add(1);
			}
			ensure!(
				bonds == Totals::<T>::get().bonds_open,
				"Σ bonds != bonds_open"
			);
			ensure!(
				OpenChallenges::<T>::iter().count() == per_miner.len()
					&& per_miner
						.iter()
						.all(|((n, m), c)| OpenChallenges::<T>::get(n, m) == *c),
				"OpenChallenges != challenges"
			);
			ensure!(
				SubnetChallengeCount::<T>::iter().count() == per_subnet.len()
					&& per_subnet
						.iter()
						.all(|(n, c)| SubnetChallengeCount::<T>::get(n) == *c),
				"SubnetChallengeCount != challenges"
			);
			ensure!(
				ChallengeExpiries::<T>::iter_keys().count() == Challenges::<T>::iter_keys().count(),
				"dangling expiry"
			);
			Ok(())
		}
	}

	impl<T: Config> PayoutHandler<T::AccountId, BalanceOf<T>> for Pallet<T> {
		/// Moves `amount` from `source` into the escrow account and opens its entries, or, for a
		/// validator's dividends, queues them for `on_idle` to split (see the module docs).
		fn pay(
			source: &T::AccountId,
			netuid: NetUid,
			round: u32,
			beneficiary: &T::AccountId,
			kind: PayoutKind,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			if amount.is_zero() {
				return Ok(());
			}
			Self::ensure_account();
			T::Currency::transfer(source, &Self::account_id(), amount, Preservation::Preserve)?;
			Self::escrow_or_queue(netuid, round, Source::Emission, beneficiary, kind, amount)?;
			Totals::<T>::mutate(|t| EscrowTotals::add(&mut t.escrowed_emission, amount));
			Ok(())
		}

		/// Stores the outcome for `on_idle` to pay the subnet's bounties by it (nothing to do
		/// without bounties); pays them at once if the bounty queue is full.
		fn on_epoch_paid(
			netuid: NetUid,
			round: u32,
			outcome: &EpochOutcome<T::AccountId>,
		) -> Weight {
			let n: u32 = outcome.incentive.len().saturated_into();
			let v: u32 = outcome.dividends.len().saturated_into();
			if SubnetBounties::<T>::decode_len(netuid).unwrap_or(0) == 0 {
				return T::DbWeight::get().reads(1);
			}
			if Self::queue_outcome(netuid, round, outcome) {
				return T::WeightInfo::queue_outcome(n.saturating_add(v));
			}
			let now = frame_system::Pallet::<T>::block_number();
			Self::pay_bounties(netuid, round, outcome, now, NextBountyId::<T>::get())
		}

		/// A validator's payout is priced as queued (one record, whatever its positions): the
		/// split is `on_idle`'s work. Only a payout that finds the dividend queue full
		/// (`MaxPendingDividends`) is split at once, above this price.
		fn pay_weight(kind: PayoutKind) -> Weight {
			match kind {
				PayoutKind::Owner => T::WeightInfo::pay_owner(),
				PayoutKind::Miner => T::WeightInfo::pay_miner(),
				PayoutKind::Validator => T::WeightInfo::pay_validator_queued(),
			}
		}

		/// Storing the outcome (the bounties are paid in `on_idle`). Only an epoch that finds
		/// the bounty queue full (`MaxPendingOutcomes`) pays them at once, above this price.
		fn on_epoch_paid_weight(n: u32, v: u32) -> Weight {
			T::WeightInfo::queue_outcome(n.saturating_add(v))
		}
	}

	impl<T: Config> SubnetHooks for Pallet<T> {
		/// A dissolved subnet's bounties return their unpaid funds at once, including the parts
		/// of epochs still in the bounty queue (those outcomes then pay nothing); its entries are
		/// released on time (into free balance: the stake positions are gone), its queued
		/// dividends are split as usual into entries released the same way, and its challenges
		/// expire.
		fn on_network_removed(netuid: NetUid) -> Weight {
			let ids = SubnetBounties::<T>::get(netuid);
			let n: u32 = ids.len().saturated_into();
			for id in ids {
				if let Some(b) = Bounties::<T>::get(id) {
					Self::close_bounty(id, b);
				}
			}
			T::WeightInfo::on_network_removed(n)
		}

		fn on_network_removed_max_weight() -> Weight {
			T::WeightInfo::on_network_removed(T::MaxBountiesPerSubnet::get())
		}
	}
}
