//! # Rounds pallet
//!
//! Training rounds on chain (SPEC §6): the record every miner and validator follows. The
//! round's rules — phases, who may act when, the audit-segment choice and the checkpoint tally —
//! are the pure state machine [`arena_rules::round`]; this pallet keeps the state and calls it.
//!
//! ## Owner settings (kept here, not in the training task)
//! - [`Pallet::set_genesis_checkpoint`]: the checkpoint round 0 trains from (hash, size, URL).
//!   Allowed until the subnet's first round opens; afterwards the checkpoint chain is genesis →
//!   each round's vote winner, which nobody can override.
//! - [`Pallet::set_round_settings`]: `commit_deadline`, `vote_window` and the allowed backend
//!   fingerprints. The audit parameters (`s`, `ε`, `H`, `c`) stay in the subnet's
//!   `TrainingTask` in `pallet-subnets`, so that type, its bounds and every client that encodes
//!   it stay unchanged; the timing and fingerprints are round business and live with the rounds.
//!   Timing changes apply from the next round; fingerprints at once.
//!
//! ## A round
//! At each epoch block of a subnet (`SubnetHooks::on_epoch`, called by `pallet-subnets` when
//! `(now + netuid) % tempo == 0`) the open round is **closed** — votes tallied by consensus
//! stake ([`arena_rules::round::tally`], consensus (matured) stake = `Config::Stake::consensus_stake`), the
//! winner (or the same checkpoint without votes) becomes the subnet's checkpoint,
//! [`Event::RoundClosed`] — and the next round **opens** ([`Event::RoundOpened`]) if the owner
//! has set a genesis checkpoint and round settings and the tempo fits a round (≥ 4 blocks;
//! settings that no longer fit a changed tempo are clamped, [`arena_rules::round::RoundSettings::fit`]).
//! Each round records its index, start block, checkpoint, round seed (hash of the start block,
//! recorded at start + 1 in `on_initialize`), commit deadline and audit seed (hash of the
//! deadline block, recorded at deadline + 1). A block cannot read its own hash, hence the
//! one-block delay ([`SeedsDue`]).
//!
//! - [`Pallet::commit_contribution`]: a registered hotkey, in the Training phase of the open
//!   round, once per round, with an allowed fingerprint and the task's `inner_steps`. The
//!   hotkey's last residual hash is kept per subnet ([`LastResidual`]) and copied into the next
//!   commitment as `previous_residual` (the `e_r` leaf 0 must hash to).
//! - [`Pallet::vote_checkpoint`]: a permitted validator, in the Voting phase, one vote that may
//!   be changed until the round ends.
//!
//! If the tempo changes so that an epoch comes before the round's planned end, the round is
//! closed there (its votes tallied as they stand); if the epoch comes after it, the blocks in
//! between are `Closed` for that round and no round is open.
//!
//! ## Pruning
//! A closed round (record, commitments, votes) is kept while an escrow challenge may need it:
//! until `closed_at + escrow_window · tempo` (the subnet's hyperparameters). Every epoch puts
//! the subnet in [`PruneQueue`]; `on_initialize` removes at most `Config::MaxPrunePerBlock`
//! storage items per block (oldest rounds first, partially if need be), also dropping the
//! residual of a hotkey that is no longer registered once its last commitment is pruned. A
//! dissolved subnet's settings go at once and all its rounds and residuals through the queue.
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(
	not(test),
	warn(clippy::arithmetic_side_effects, clippy::indexing_slicing)
)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
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
	use arena_pallet_primitives::{NetUid, StakeInterface, SubnetHooks, SubnetsInterface};
	use arena_rules::round::{self as rules, Action, ActionError, RoundSchedule, SettingsError};
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::{One, SaturatedConversion, Saturating, Zero};

	/// Balance type the stake side reports in.
	pub type BalanceOf<T> = <T as Config>::Balance;
	/// A genesis checkpoint with this runtime's URL bound.
	pub type GenesisCheckpointOf<T> = GenesisCheckpoint<BoundedVec<u8, <T as Config>::MaxUrlLen>>;
	/// Allowed fingerprints with this runtime's bound.
	pub type FingerprintsOf<T> = BoundedVec<Hash32, <T as Config>::MaxAllowedFingerprints>;
	/// Round settings with this runtime's bound.
	pub type RoundConfigOf<T> = RoundConfig<FingerprintsOf<T>>;
	/// A stored round.
	pub type RoundRecordOf<T> = RoundRecord<BlockNumberFor<T>>;
	/// A stored commitment.
	pub type CommitmentOf<T> = Commitment<BlockNumberFor<T>>;
	/// Runtime-API view of a round.
	pub type RoundViewOf<T> = RoundView<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;
	/// Seeds due at one block: `(netuid, round, kind)`.
	pub type SeedsOf<T> = BoundedVec<(NetUid, RoundIndex, SeedKind), MaxSeedsDue<T>>;

	/// Bound of [`SeedsDue`] per block: `3 · MaxSubnets`. Entries at block `x` come from the
	/// subnets that exist when `x` starts (at most `MaxSubnets`), each with at most one round
	/// opening at `x` and at most two rounds whose audit block is `x`: a round's audit block is
	/// at most its close block, which is at most the next round's start, which is before that
	/// round's audit block unless that round is closed at once (its subnet dissolved in the same
	/// block), after which no round follows. A dissolution moves the open round's audit block to
	/// the current block, so no dissolved subnet keeps entries at a later block.
	pub struct MaxSeedsDue<T>(core::marker::PhantomData<T>);
	impl<T: Config> Get<u32> for MaxSeedsDue<T> {
		fn get() -> u32 {
			T::MaxSubnets::get().saturating_mul(3)
		}
	}

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Balance type of the stake side.
		type Balance: frame_support::traits::tokens::Balance;
		/// The subnets side: owners, registrations, tempo, escrow window, training task.
		type Subnets: SubnetsInterface<Self::AccountId, Self::Balance, BlockNumberFor<Self>>;
		/// The stake side: validator permits and consensus stake.
		type Stake: StakeInterface<Self::AccountId, Self::Balance>;
		/// Most backend fingerprints a subnet may allow.
		#[pallet::constant]
		type MaxAllowedFingerprints: Get<u32>;
		/// Longest genesis checkpoint URL in bytes.
		#[pallet::constant]
		type MaxUrlLen: Get<u32>;
		/// Most commitments per round (= `pallet_subnets::Config::MaxUidsLimit`).
		#[pallet::constant]
		type MaxCommitmentsPerRound: Get<u32>;
		/// Most votes per round (= `pallet_subnets::Config::MaxValidatorsLimit`).
		#[pallet::constant]
		type MaxVotesPerRound: Get<u32>;
		/// Most subnets (= `pallet_subnets::Config::MaxSubnets`; bounds [`SeedsDue`]).
		#[pallet::constant]
		type MaxSubnets: Get<u32>;
		/// Most storage items pruned (or subnets checked) per block.
		#[pallet::constant]
		type MaxPrunePerBlock: Get<u32>;
		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// Genesis checkpoint of each subnet.
	#[pallet::storage]
	pub type GenesisCheckpoints<T: Config> =
		StorageMap<_, Twox64Concat, NetUid, GenesisCheckpointOf<T>>;

	/// Round settings of each subnet.
	#[pallet::storage]
	pub type Settings<T: Config> = StorageMap<_, Twox64Concat, NetUid, RoundConfigOf<T>>;

	/// The checkpoint the next round of each subnet starts from (genesis, then vote winners).
	#[pallet::storage]
	pub type Checkpoint<T: Config> = StorageMap<_, Twox64Concat, NetUid, Hash32>;

	/// The open round of each subnet.
	#[pallet::storage]
	pub type OpenRound<T: Config> = StorageMap<_, Twox64Concat, NetUid, RoundIndex>;

	/// Index the next round of each subnet gets.
	#[pallet::storage]
	pub type NextRound<T: Config> = StorageMap<_, Twox64Concat, NetUid, RoundIndex, ValueQuery>;

	/// Oldest round of each subnet that may still be stored (pruning cursor).
	#[pallet::storage]
	pub type OldestRound<T: Config> = StorageMap<_, Twox64Concat, NetUid, RoundIndex, ValueQuery>;

	/// Round records by `(netuid, round)`.
	#[pallet::storage]
	pub type RoundRecords<T: Config> =
		StorageDoubleMap<_, Twox64Concat, NetUid, Twox64Concat, RoundIndex, RoundRecordOf<T>>;

	/// Commitments by `(netuid, round, hotkey)`.
	#[pallet::storage]
	pub type Commitments<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Twox64Concat, NetUid>,
			NMapKey<Twox64Concat, RoundIndex>,
			NMapKey<Blake2_128Concat, T::AccountId>,
		),
		CommitmentOf<T>,
	>;

	/// Checkpoint votes by `(netuid, round, validator hotkey)`.
	#[pallet::storage]
	pub type Votes<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Twox64Concat, NetUid>,
			NMapKey<Twox64Concat, RoundIndex>,
			NMapKey<Blake2_128Concat, T::AccountId>,
		),
		Hash32,
	>;

	/// The last residual hash each hotkey committed on each subnet.
	#[pallet::storage]
	pub type LastResidual<T: Config> =
		StorageDoubleMap<_, Twox64Concat, NetUid, Blake2_128Concat, T::AccountId, Residual>;

	/// Seeds to record from a block's hash, by that block (read at the next block).
	#[pallet::storage]
	pub type SeedsDue<T: Config> = StorageMap<_, Twox64Concat, BlockNumberFor<T>, SeedsOf<T>>;

	/// Subnets whose old rounds are to be checked for pruning.
	#[pallet::storage]
	pub type PruneQueue<T: Config> = StorageMap<_, Twox64Concat, NetUid, ()>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// The owner set the subnet's genesis checkpoint.
		GenesisCheckpointSet {
			netuid: NetUid,
			hash: Hash32,
			size: u64,
		},
		/// The owner set the subnet's round settings.
		RoundSettingsSet {
			netuid: NetUid,
			commit_deadline: u32,
			vote_window: u32,
			fingerprints: u32,
		},
		/// A round opened: commits until `commit_deadline` (exclusive), votes from `vote_start`
		/// until `end` (exclusive).
		RoundOpened {
			netuid: NetUid,
			round: RoundIndex,
			start: BlockNumberFor<T>,
			checkpoint: Hash32,
			commit_deadline: BlockNumberFor<T>,
			vote_start: BlockNumberFor<T>,
			end: BlockNumberFor<T>,
		},
		/// A round's seed was recorded.
		SeedRecorded {
			netuid: NetUid,
			round: RoundIndex,
			kind: SeedKind,
			seed: Hash32,
		},
		/// A miner committed its contribution.
		ContributionCommitted {
			netuid: NetUid,
			round: RoundIndex,
			hotkey: T::AccountId,
			update_hash: Hash32,
		},
		/// A validator voted (or changed its vote for) the next checkpoint.
		CheckpointVoted {
			netuid: NetUid,
			round: RoundIndex,
			validator: T::AccountId,
			hash: Hash32,
		},
		/// A round closed; `next_checkpoint` is the next round's checkpoint (`decided`: by a
		/// vote backed by `winner_stake` of `total_stake`; otherwise the same checkpoint).
		RoundClosed {
			netuid: NetUid,
			round: RoundIndex,
			next_checkpoint: Hash32,
			decided: bool,
			winner_stake: BalanceOf<T>,
			total_stake: BalanceOf<T>,
		},
		/// A round's record, commitments and votes were pruned.
		RoundPruned { netuid: NetUid, round: RoundIndex },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The subnet does not exist.
		SubnetNotFound,
		/// The caller does not own the subnet.
		NotSubnetOwner,
		/// The subnet's rounds have started: the genesis checkpoint can no longer change.
		RoundsAlreadyStarted,
		/// A checkpoint hash of all zeros.
		ZeroCheckpointHash,
		/// A checkpoint size of zero.
		ZeroCheckpointSize,
		/// The URL is empty or contains bytes outside printable ASCII.
		InvalidUrl,
		/// `commit_deadline` is zero.
		ZeroCommitDeadline,
		/// `vote_window` is zero.
		ZeroVoteWindow,
		/// The subnet's tempo is too short for a round (at least 4 blocks).
		TempoTooShort,
		/// `commit_deadline + vote_window + 2 > tempo`: no block left for auditing.
		NoAuditWindow,
		/// The fingerprint list is empty.
		NoFingerprints,
		/// A fingerprint appears twice.
		DuplicateFingerprint,
		/// The hotkey is not registered on the subnet.
		HotkeyNotRegistered,
		/// The hotkey holds no validator permit on the subnet.
		NoValidatorPermit,
		/// The subnet has no open round.
		NoOpenRound,
		/// The round has not started yet.
		RoundNotStarted,
		/// The round is over.
		RoundClosed,
		/// The round's commit deadline has passed.
		CommitDeadlinePassed,
		/// The round's voting phase has not started.
		VotingNotOpen,
		/// The subnet does not allow this backend fingerprint.
		FingerprintNotAllowed,
		/// The step count differs from the training task's `inner_steps`.
		WrongStepCount,
		/// The hotkey has committed in this round already.
		AlreadyCommitted,
		/// The round holds `MaxCommitmentsPerRound` commitments already.
		TooManyCommitments,
		/// The round holds `MaxVotesPerRound` votes already.
		TooManyVotes,
	}

	impl<T> From<ActionError> for Error<T> {
		fn from(e: ActionError) -> Self {
			match e {
				ActionError::RoundNotStarted => Error::RoundNotStarted,
				ActionError::CommitDeadlinePassed => Error::CommitDeadlinePassed,
				ActionError::VotingNotOpen => Error::VotingNotOpen,
				ActionError::RoundClosed => Error::RoundClosed,
			}
		}
	}

	impl<T> From<SettingsError> for Error<T> {
		fn from(e: SettingsError) -> Self {
			match e {
				SettingsError::ZeroCommitDeadline => Error::ZeroCommitDeadline,
				SettingsError::ZeroVoteWindow => Error::ZeroVoteWindow,
				SettingsError::TempoTooShort => Error::TempoTooShort,
				SettingsError::NoAuditWindow | SettingsError::Overflow => Error::NoAuditWindow,
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Records the seeds whose block is the previous one, then prunes at most
		/// `MaxPrunePerBlock` items of rounds past their escrow window.
		fn on_initialize(n: BlockNumberFor<T>) -> Weight {
			let seeds = Self::record_seeds(n);
			let pruned = Self::prune(n);
			T::WeightInfo::record_seeds(seeds).saturating_add(T::WeightInfo::prune(pruned))
		}

		fn integrity_test() {
			assert!(
				T::MaxAllowedFingerprints::get() >= 1,
				"MaxAllowedFingerprints must be >= 1"
			);
			assert!(T::MaxUrlLen::get() >= 16, "MaxUrlLen must be >= 16");
			assert!(
				T::MaxCommitmentsPerRound::get() >= 1,
				"MaxCommitmentsPerRound must be >= 1"
			);
			assert!(
				T::MaxVotesPerRound::get() >= 1,
				"MaxVotesPerRound must be >= 1"
			);
			assert!(T::MaxSubnets::get() >= 1, "MaxSubnets must be >= 1");
			assert!(
				T::MaxPrunePerBlock::get() >= 2,
				"MaxPrunePerBlock must be >= 2"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Set the checkpoint the subnet's first round trains from.
		///
		/// - Origin: signed by the subnet's owner.
		/// - `hash` (BLAKE3 of the checkpoint) and `size` non-zero; `url` printable ASCII, at
		///   most `MaxUrlLen` bytes. Allowed until the first round opens (it may be replaced
		///   until then); rounds open at the subnet's epochs once round settings are set too.
		///
		/// Errors: [`Error::SubnetNotFound`], [`Error::NotSubnetOwner`],
		/// [`Error::RoundsAlreadyStarted`], [`Error::ZeroCheckpointHash`],
		/// [`Error::ZeroCheckpointSize`], [`Error::InvalidUrl`].
		///
		/// Events: [`Event::GenesisCheckpointSet`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_genesis_checkpoint())]
		pub fn set_genesis_checkpoint(
			origin: OriginFor<T>,
			netuid: NetUid,
			hash: Hash32,
			size: u64,
			url: BoundedVec<u8, T::MaxUrlLen>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::ensure_owner(&who, netuid)?;
			ensure!(
				NextRound::<T>::get(netuid) == 0,
				Error::<T>::RoundsAlreadyStarted
			);
			ensure!(hash != [0u8; 32], Error::<T>::ZeroCheckpointHash);
			ensure!(size > 0, Error::<T>::ZeroCheckpointSize);
			ensure!(
				!url.is_empty() && url.iter().all(|b| (0x21..=0x7e).contains(b)),
				Error::<T>::InvalidUrl
			);
			GenesisCheckpoints::<T>::insert(netuid, GenesisCheckpoint { hash, size, url });
			Checkpoint::<T>::insert(netuid, hash);
			Self::deposit_event(Event::GenesisCheckpointSet { netuid, hash, size });
			Ok(())
		}

		/// Set the subnet's round timing and allowed backend fingerprints.
		///
		/// - Origin: signed by the subnet's owner.
		/// - `commit_deadline >= 1`, `vote_window >= 1`, `commit_deadline + vote_window + 2 <=
		///   tempo` (every phase at least one block) for the subnet's current tempo;
		///   `allowed_fingerprints` non-empty and distinct. Timing applies from the next round
		///   on, fingerprints to commits from now on.
		///
		/// Errors: [`Error::SubnetNotFound`], [`Error::NotSubnetOwner`],
		/// [`Error::ZeroCommitDeadline`], [`Error::ZeroVoteWindow`], [`Error::TempoTooShort`],
		/// [`Error::NoAuditWindow`], [`Error::NoFingerprints`], [`Error::DuplicateFingerprint`].
		///
		/// Events: [`Event::RoundSettingsSet`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_round_settings())]
		pub fn set_round_settings(
			origin: OriginFor<T>,
			netuid: NetUid,
			commit_deadline: u32,
			vote_window: u32,
			allowed_fingerprints: FingerprintsOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let tempo = Self::ensure_owner(&who, netuid)?;
			rules::RoundSettings {
				commit_deadline: commit_deadline.into(),
				vote_window: vote_window.into(),
			}
			.validate(tempo.into())
			.map_err(Error::<T>::from)?;
			ensure!(!allowed_fingerprints.is_empty(), Error::<T>::NoFingerprints);
			let mut sorted: Vec<Hash32> = allowed_fingerprints.to_vec();
			sorted.sort_unstable();
			ensure!(
				sorted.windows(2).all(|w| matches!(w, [a, b] if a != b)),
				Error::<T>::DuplicateFingerprint
			);
			let fingerprints: u32 = allowed_fingerprints.len().saturated_into();
			Settings::<T>::insert(
				netuid,
				RoundConfig {
					commit_deadline,
					vote_window,
					allowed_fingerprints,
				},
			);
			Self::deposit_event(Event::RoundSettingsSet {
				netuid,
				commit_deadline,
				vote_window,
				fingerprints,
			});
			Ok(())
		}

		/// Commit a miner's contribution to the open round (SPEC §6.3).
		///
		/// - Origin: signed by a hotkey registered on `netuid`.
		/// - `round` must be the open round and in its Training phase (before the commit
		///   deadline); once per hotkey per round; `fingerprint` one the subnet allows; `steps`
		///   equal to the training task's `inner_steps`. `residual_hash = hash(e_{r+1})` becomes
		///   the hotkey's last residual; the previous one is stored with the commitment.
		///
		/// Errors: [`Error::SubnetNotFound`], [`Error::HotkeyNotRegistered`],
		/// [`Error::NoOpenRound`], [`Error::RoundNotStarted`], [`Error::RoundClosed`],
		/// [`Error::CommitDeadlinePassed`], [`Error::FingerprintNotAllowed`],
		/// [`Error::WrongStepCount`], [`Error::AlreadyCommitted`],
		/// [`Error::TooManyCommitments`].
		///
		/// Events: [`Event::ContributionCommitted`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::commit_contribution())]
		#[allow(clippy::too_many_arguments)]
		pub fn commit_contribution(
			origin: OriginFor<T>,
			netuid: NetUid,
			round: RoundIndex,
			update_hash: Hash32,
			merkle_root: Hash32,
			steps: u32,
			fingerprint: Hash32,
			residual_hash: Hash32,
		) -> DispatchResult {
			let hotkey = ensure_signed(origin)?;
			ensure!(
				T::Subnets::subnet_exists(netuid),
				Error::<T>::SubnetNotFound
			);
			ensure!(
				T::Subnets::uid_of(netuid, &hotkey).is_some(),
				Error::<T>::HotkeyNotRegistered
			);
			let now = frame_system::Pallet::<T>::block_number();
			let mut record = Self::open_record(netuid, round, Action::Commit, now)?;
			let settings = Settings::<T>::get(netuid).ok_or(Error::<T>::NoOpenRound)?;
			ensure!(
				settings.allowed_fingerprints.contains(&fingerprint),
				Error::<T>::FingerprintNotAllowed
			);
			let task = T::Subnets::training_task(netuid).ok_or(Error::<T>::SubnetNotFound)?;
			ensure!(steps == task.inner_steps, Error::<T>::WrongStepCount);
			ensure!(
				!Commitments::<T>::contains_key((netuid, round, &hotkey)),
				Error::<T>::AlreadyCommitted
			);
			ensure!(
				record.commitments < T::MaxCommitmentsPerRound::get(),
				Error::<T>::TooManyCommitments
			);
			let previous_residual = LastResidual::<T>::get(netuid, &hotkey)
				.map(|r| r.hash)
				.unwrap_or([0u8; 32]);
			Commitments::<T>::insert(
				(netuid, round, &hotkey),
				Commitment {
					update_hash,
					merkle_root,
					steps,
					fingerprint,
					residual_hash,
					previous_residual,
					committed_at: now,
				},
			);
			LastResidual::<T>::insert(
				netuid,
				&hotkey,
				Residual {
					hash: residual_hash,
					round,
				},
			);
			record.commitments = record.commitments.saturating_add(1);
			RoundRecords::<T>::insert(netuid, round, record);
			Self::deposit_event(Event::ContributionCommitted {
				netuid,
				round,
				hotkey,
				update_hash,
			});
			Ok(())
		}

		/// Vote the hash of the next checkpoint `C_{r+1}` (SPEC §6.7).
		///
		/// - Origin: signed by a hotkey holding a validator permit on `netuid`.
		/// - `round` must be the open round and in its Voting phase (the round's last
		///   `vote_window` blocks). One vote per validator; voting again replaces it.
		///
		/// Errors: [`Error::SubnetNotFound`], [`Error::NoValidatorPermit`],
		/// [`Error::NoOpenRound`], [`Error::RoundNotStarted`], [`Error::RoundClosed`],
		/// [`Error::VotingNotOpen`], [`Error::ZeroCheckpointHash`], [`Error::TooManyVotes`].
		///
		/// Events: [`Event::CheckpointVoted`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::vote_checkpoint())]
		pub fn vote_checkpoint(
			origin: OriginFor<T>,
			netuid: NetUid,
			round: RoundIndex,
			hash: Hash32,
		) -> DispatchResult {
			let validator = ensure_signed(origin)?;
			ensure!(
				T::Subnets::subnet_exists(netuid),
				Error::<T>::SubnetNotFound
			);
			ensure!(
				T::Stake::has_validator_permit(netuid, &validator),
				Error::<T>::NoValidatorPermit
			);
			let now = frame_system::Pallet::<T>::block_number();
			let mut record = Self::open_record(netuid, round, Action::Vote, now)?;
			ensure!(hash != [0u8; 32], Error::<T>::ZeroCheckpointHash);
			if !Votes::<T>::contains_key((netuid, round, &validator)) {
				ensure!(
					record.votes < T::MaxVotesPerRound::get(),
					Error::<T>::TooManyVotes
				);
				record.votes = record.votes.saturating_add(1);
				RoundRecords::<T>::insert(netuid, round, record);
			}
			Votes::<T>::insert((netuid, round, &validator), hash);
			Self::deposit_event(Event::CheckpointVoted {
				netuid,
				round,
				validator,
				hash,
			});
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Checks that `who` owns the existing subnet `netuid`; returns its tempo.
		fn ensure_owner(who: &T::AccountId, netuid: NetUid) -> Result<u32, DispatchError> {
			let owner = T::Subnets::subnet_owner(netuid).ok_or(Error::<T>::SubnetNotFound)?;
			ensure!(owner == *who, Error::<T>::NotSubnetOwner);
			let hp = T::Subnets::hyperparams(netuid).ok_or(Error::<T>::SubnetNotFound)?;
			Ok(hp.tempo)
		}

		/// The record of the open round `round` of `netuid`, if `action` is allowed in it now.
		fn open_record(
			netuid: NetUid,
			round: RoundIndex,
			action: Action,
			now: BlockNumberFor<T>,
		) -> Result<RoundRecordOf<T>, DispatchError> {
			let open = OpenRound::<T>::get(netuid).ok_or(Error::<T>::NoOpenRound)?;
			ensure!(round <= open, Error::<T>::RoundNotStarted);
			ensure!(round == open, Error::<T>::RoundClosed);
			let record = RoundRecords::<T>::get(netuid, round).ok_or(Error::<T>::NoOpenRound)?;
			Self::schedule_of(&record)
				.ok_or(Error::<T>::NoOpenRound)?
				.check(action, now.saturated_into())
				.map_err(Error::<T>::from)?;
			Ok(record)
		}

		/// The pure schedule of a stored round (`None` only for a malformed record).
		pub fn schedule_of(record: &RoundRecordOf<T>) -> Option<RoundSchedule> {
			RoundSchedule::new(
				record.start.saturated_into(),
				record.tempo.into(),
				rules::RoundSettings {
					commit_deadline: record.commit_deadline.into(),
					vote_window: record.vote_window.into(),
				},
			)
			.ok()
		}

		/// Phase of a stored round at `now` ([`Phase::Closed`] once closed) and the blocks
		/// left in it.
		pub fn phase_of(
			record: &RoundRecordOf<T>,
			now: BlockNumberFor<T>,
		) -> (Phase, Option<BlockNumberFor<T>>) {
			if record.closed_at.is_some() {
				return (Phase::Closed, None);
			}
			match Self::schedule_of(record) {
				Some(s) => {
					let now: u64 = now.saturated_into();
					(
						s.phase_at(now),
						s.blocks_left_in_phase(now).map(|b| b.saturated_into()),
					)
				},
				None => (Phase::Closed, None),
			}
		}

		/// Records the seeds whose block is `n − 1` (its hash is the parent hash). Returns how
		/// many entries were processed.
		pub(crate) fn record_seeds(n: BlockNumberFor<T>) -> u32 {
			if n.is_zero() {
				return 0;
			}
			let block = n.saturating_sub(One::one());
			let Some(due) = SeedsDue::<T>::take(block) else {
				return 0;
			};
			let seed = Self::block_seed(block);
			for (netuid, round, kind) in due.iter().copied() {
				RoundRecords::<T>::mutate(netuid, round, |r| {
					if let Some(r) = r {
						match kind {
							SeedKind::Round => r.round_seed = Some(seed),
							SeedKind::Audit => r.audit_seed = Some(seed),
						}
					}
				});
				Self::deposit_event(Event::SeedRecorded {
					netuid,
					round,
					kind,
					seed,
				});
			}
			due.len().saturated_into()
		}

		/// The hash of `block` as 32 bytes (BLAKE2b-256 of it if the hash type is not 32 bytes).
		fn block_seed(block: BlockNumberFor<T>) -> Hash32 {
			let hash = frame_system::Pallet::<T>::block_hash(block);
			let bytes: &[u8] = hash.as_ref();
			<Hash32>::try_from(bytes).unwrap_or_else(|_| sp_io::hashing::blake2_256(bytes))
		}

		fn push_seed(block: BlockNumberFor<T>, netuid: NetUid, round: RoundIndex, kind: SeedKind) {
			SeedsDue::<T>::mutate(block, |s| {
				let mut v = s.take().unwrap_or_default();
				// Cannot be full (see `MaxSeedsDue`); if it were, the seed would stay unset.
				let _ = v.try_push((netuid, round, kind));
				*s = Some(v);
			});
		}

		fn drop_seed(block: BlockNumberFor<T>, netuid: NetUid, round: RoundIndex) {
			SeedsDue::<T>::mutate_exists(block, |s| {
				if let Some(v) = s {
					v.retain(|(n, r, k)| !(*n == netuid && *r == round && *k == SeedKind::Audit));
					if v.is_empty() {
						*s = None;
					}
				}
			});
		}

		/// Closes the open round of `netuid` at `now`: tallies its votes (if `tally`), sets the
		/// subnet's checkpoint to the result, and moves the audit block to `now` if the round
		/// ends before its deadline. Returns the number of votes tallied.
		pub(crate) fn close_round(netuid: NetUid, now: BlockNumberFor<T>, tally: bool) -> u32 {
			let Some(round) = OpenRound::<T>::take(netuid) else {
				return 0;
			};
			let Some(mut record) = RoundRecords::<T>::get(netuid, round) else {
				return 0;
			};
			let votes: Vec<(Hash32, u128)> = if tally {
				Votes::<T>::iter_prefix((netuid, round))
					.map(|(v, h)| (h, T::Stake::consensus_stake(netuid, &v).saturated_into()))
					.collect()
			} else {
				Vec::new()
			};
			let counted = votes.len().saturated_into();
			let result = rules::tally(&votes, record.checkpoint);
			if now < record.audit_block {
				Self::drop_seed(record.audit_block, netuid, round);
				Self::push_seed(now, netuid, round, SeedKind::Audit);
				record.audit_block = now;
			}
			record.closed_at = Some(now);
			record.next_checkpoint = Some(result.winner);
			RoundRecords::<T>::insert(netuid, round, record);
			if tally {
				Checkpoint::<T>::insert(netuid, result.winner);
			}
			Self::deposit_event(Event::RoundClosed {
				netuid,
				round,
				next_checkpoint: result.winner,
				decided: result.decided,
				winner_stake: result.winner_stake.saturated_into(),
				total_stake: result.total_stake.saturated_into(),
			});
			counted
		}

		/// Opens the next round of `netuid` at `now` if it has a checkpoint and settings and
		/// its tempo fits a round. Returns whether a round opened.
		pub(crate) fn open_round(netuid: NetUid, now: BlockNumberFor<T>) -> bool {
			let (Some(checkpoint), Some(settings), Some(hp)) = (
				Checkpoint::<T>::get(netuid),
				Settings::<T>::get(netuid),
				T::Subnets::hyperparams(netuid),
			) else {
				return false;
			};
			let wanted = rules::RoundSettings {
				commit_deadline: settings.commit_deadline.into(),
				vote_window: settings.vote_window.into(),
			};
			let Some(fitted) = wanted.fit(hp.tempo.into()) else {
				return false;
			};
			let Ok(schedule) = RoundSchedule::new(now.saturated_into(), hp.tempo.into(), fitted)
			else {
				return false;
			};
			let index = NextRound::<T>::get(netuid);
			let Some(next) = index.checked_add(1) else {
				return false;
			};
			let block = |b: u64| -> BlockNumberFor<T> { b.saturated_into() };
			let record = RoundRecord {
				index,
				start: now,
				tempo: hp.tempo,
				commit_deadline: fitted.commit_deadline.saturated_into(),
				vote_window: fitted.vote_window.saturated_into(),
				audit_block: block(schedule.deadline_block()),
				checkpoint,
				round_seed: None,
				audit_seed: None,
				commitments: 0,
				votes: 0,
				closed_at: None,
				next_checkpoint: None,
			};
			Self::push_seed(now, netuid, index, SeedKind::Round);
			Self::push_seed(record.audit_block, netuid, index, SeedKind::Audit);
			RoundRecords::<T>::insert(netuid, index, record);
			NextRound::<T>::insert(netuid, next);
			OpenRound::<T>::insert(netuid, index);
			Self::deposit_event(Event::RoundOpened {
				netuid,
				round: index,
				start: now,
				checkpoint,
				commit_deadline: block(schedule.deadline_block()),
				vote_start: block(schedule.phase_start(Phase::Voting)),
				end: block(schedule.end()),
			});
			true
		}

		/// Prunes rounds past their escrow window, at most `MaxPrunePerBlock` units of work
		/// (one per storage item removed and per subnet checked). Returns the units used.
		pub(crate) fn prune(now: BlockNumberFor<T>) -> u32 {
			let max = T::MaxPrunePerBlock::get();
			let mut used: u32 = 0;
			while used < max {
				let Some(netuid) = PruneQueue::<T>::iter_keys().next() else {
					break;
				};
				used = used.saturating_add(1);
				// What is left, less one unit kept for removing the round's record.
				let budget = max.saturating_sub(used).saturating_sub(1);
				// The escrow window is counted in tempos (SPEC §5).
				let window = T::Subnets::hyperparams(netuid)
					.map(|hp| hp.escrow_window.saturating_mul(hp.tempo));
				let oldest = OldestRound::<T>::get(netuid);
				if oldest >= NextRound::<T>::get(netuid) {
					if window.is_some() {
						PruneQueue::<T>::remove(netuid);
						continue;
					}
					// Dissolved and every round gone: its residuals, then its counters.
					let res = LastResidual::<T>::clear_prefix(netuid, budget.max(1), None);
					used = used.saturating_add(res.unique);
					if res.maybe_cursor.is_none() {
						OldestRound::<T>::remove(netuid);
						NextRound::<T>::remove(netuid);
						PruneQueue::<T>::remove(netuid);
						continue;
					}
					break;
				}
				let Some(record) = RoundRecords::<T>::get(netuid, oldest) else {
					OldestRound::<T>::insert(netuid, oldest.saturating_add(1));
					continue;
				};
				let due = match (record.closed_at, window) {
					(None, _) => false,
					(Some(_), None) => true,
					(Some(closed), Some(w)) => closed.saturating_add(w.into()) <= now,
				};
				if !due {
					PruneQueue::<T>::remove(netuid);
					continue;
				}
				let (removed, record) = Self::prune_round(netuid, record, budget);
				used = used.saturating_add(removed);
				match record {
					Some(r) => {
						RoundRecords::<T>::insert(netuid, oldest, r);
						break;
					},
					None => {
						RoundRecords::<T>::remove(netuid, oldest);
						OldestRound::<T>::insert(netuid, oldest.saturating_add(1));
						used = used.saturating_add(1);
						Self::deposit_event(Event::RoundPruned {
							netuid,
							round: oldest,
						});
					},
				}
			}
			used
		}

		/// Removes up to `budget` commitments and votes of a round (a commitment also drops its
		/// hotkey's residual if that is this round's and the hotkey left the subnet). Returns
		/// the items removed and the record with its counts lowered, or `None` when nothing is
		/// left (the caller removes the record).
		fn prune_round(
			netuid: NetUid,
			mut record: RoundRecordOf<T>,
			budget: u32,
		) -> (u32, Option<RoundRecordOf<T>>) {
			let round = record.index;
			let mut removed: u32 = 0;
			let drained: Vec<T::AccountId> = Commitments::<T>::drain_prefix((netuid, round))
				.take(budget as usize)
				.map(|(hotkey, _)| hotkey)
				.collect();
			for hotkey in &drained {
				removed = removed.saturating_add(1);
				let stale = LastResidual::<T>::get(netuid, hotkey)
					.is_some_and(|r| r.round == round)
					&& T::Subnets::uid_of(netuid, hotkey).is_none();
				if stale {
					LastResidual::<T>::remove(netuid, hotkey);
				}
			}
			record.commitments = record
				.commitments
				.saturating_sub(drained.len().saturated_into());
			let left = budget.saturating_sub(removed);
			let votes = Votes::<T>::drain_prefix((netuid, round))
				.take(left as usize)
				.count();
			removed = removed.saturating_add(votes.saturated_into());
			record.votes = record.votes.saturating_sub(votes.saturated_into());
			if record.commitments == 0 && record.votes == 0 {
				(removed, None)
			} else {
				(removed, Some(record))
			}
		}

		/// Runtime-API view of round `round` of `netuid`.
		pub fn round_view(netuid: NetUid, round: RoundIndex) -> Option<RoundViewOf<T>> {
			let record = RoundRecords::<T>::get(netuid, round)?;
			let now = frame_system::Pallet::<T>::block_number();
			let (phase, blocks_left) = Self::phase_of(&record, now);
			let starts = Self::schedule_of(&record).map(|s| {
				[
					Phase::Training,
					Phase::DeadlinePassed,
					Phase::Auditing,
					Phase::Voting,
					Phase::Closed,
				]
				.map(|p| s.phase_start(p).saturated_into())
			});
			Some(RoundView {
				netuid,
				phase,
				blocks_left,
				phase_starts: starts.unwrap_or([record.start; 5]),
				commitments: Commitments::<T>::iter_prefix((netuid, round)).collect(),
				votes: Votes::<T>::iter_prefix((netuid, round)).collect(),
				record,
			})
		}

		/// Runtime-API view of the open round of `netuid` (or, between rounds, the last one).
		pub fn current_round(netuid: NetUid) -> Option<RoundViewOf<T>> {
			let round = match OpenRound::<T>::get(netuid) {
				Some(r) => r,
				None => NextRound::<T>::get(netuid).checked_sub(1)?,
			};
			Self::round_view(netuid, round)
		}

		/// Runtime-API view: the last residual hash `hotkey` committed on `netuid` (`None`:
		/// never, i.e. zero for its first round).
		pub fn last_residual(netuid: NetUid, hotkey: &T::AccountId) -> Option<Residual> {
			LastResidual::<T>::get(netuid, hotkey)
		}

		/// Runtime-API view: the round configuration of `netuid`.
		pub fn rounds_info(netuid: NetUid) -> RoundsInfo {
			RoundsInfo {
				netuid,
				genesis: GenesisCheckpoints::<T>::get(netuid).map(|g| GenesisCheckpoint {
					hash: g.hash,
					size: g.size,
					url: g.url.into_inner(),
				}),
				settings: Settings::<T>::get(netuid).map(|s| RoundConfig {
					commit_deadline: s.commit_deadline,
					vote_window: s.vote_window,
					allowed_fingerprints: s.allowed_fingerprints.into_inner(),
				}),
				checkpoint: Checkpoint::<T>::get(netuid),
				open_round: OpenRound::<T>::get(netuid),
				next_round: NextRound::<T>::get(netuid),
				oldest_round: OldestRound::<T>::get(netuid),
			}
		}

		/// Checks the pallet's invariants (run by `try_state` and after every test), each a
		/// named check below.
		#[cfg(any(test, feature = "try-runtime", feature = "std"))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			Self::check_open_rounds()?;
			Self::check_round_records()?;
			Self::check_items_have_records()?;
			Self::check_seeds()?;
			Self::check_subnet_data()?;
			Ok(())
		}

		/// The open round of a subnet is its newest, not closed, and in a live subnet.
		#[cfg(any(test, feature = "try-runtime", feature = "std"))]
		fn check_open_rounds() -> Result<(), sp_runtime::TryRuntimeError> {
			for (netuid, round) in OpenRound::<T>::iter() {
				ensure!(
					T::Subnets::subnet_exists(netuid),
					"open round of a missing subnet"
				);
				ensure!(
					round.checked_add(1) == Some(NextRound::<T>::get(netuid)),
					"open round is not the newest"
				);
				let record =
					RoundRecords::<T>::get(netuid, round).ok_or("open round without record")?;
				ensure!(record.closed_at.is_none(), "open round is closed");
			}
			Ok(())
		}

		/// Every record lies in `[OldestRound, NextRound)`, counts match its commitments and
		/// votes within the bounds, and every record but the open one is closed with a result.
		#[cfg(any(test, feature = "try-runtime", feature = "std"))]
		fn check_round_records() -> Result<(), sp_runtime::TryRuntimeError> {
			for (netuid, round, record) in RoundRecords::<T>::iter() {
				ensure!(record.index == round, "record index != key");
				ensure!(
					round >= OldestRound::<T>::get(netuid) && round < NextRound::<T>::get(netuid),
					"record outside [OldestRound, NextRound)"
				);
				let commitments = Commitments::<T>::iter_prefix((netuid, round)).count();
				ensure!(
					commitments == record.commitments as usize,
					"commitment count != stored commitments"
				);
				ensure!(
					record.commitments <= T::MaxCommitmentsPerRound::get(),
					"too many commitments"
				);
				let votes = Votes::<T>::iter_prefix((netuid, round)).count();
				ensure!(votes == record.votes as usize, "vote count != stored votes");
				ensure!(record.votes <= T::MaxVotesPerRound::get(), "too many votes");
				ensure!(Self::schedule_of(&record).is_some(), "invalid schedule");
				ensure!(
					record.audit_block >= record.start,
					"audit block before start"
				);
				let open = OpenRound::<T>::get(netuid) == Some(round);
				ensure!(
					open || (record.closed_at.is_some() && record.next_checkpoint.is_some()),
					"a past round is not closed"
				);
			}
			Ok(())
		}

		/// Every commitment and vote belongs to a stored round; every residual to a round of
		/// its subnet that has been opened.
		#[cfg(any(test, feature = "try-runtime", feature = "std"))]
		fn check_items_have_records() -> Result<(), sp_runtime::TryRuntimeError> {
			for ((netuid, round, _), _) in Commitments::<T>::iter() {
				ensure!(
					RoundRecords::<T>::contains_key(netuid, round),
					"commitment without round"
				);
			}
			for ((netuid, round, _), _) in Votes::<T>::iter() {
				ensure!(
					RoundRecords::<T>::contains_key(netuid, round),
					"vote without round"
				);
			}
			for (netuid, _, residual) in LastResidual::<T>::iter() {
				ensure!(
					residual.round < NextRound::<T>::get(netuid),
					"residual of a future round"
				);
			}
			Ok(())
		}

		/// A round's seeds are recorded exactly when their block is in the past.
		#[cfg(any(test, feature = "try-runtime", feature = "std"))]
		fn check_seeds() -> Result<(), sp_runtime::TryRuntimeError> {
			let now = frame_system::Pallet::<T>::block_number();
			for (_, _, record) in RoundRecords::<T>::iter() {
				ensure!(
					record.round_seed.is_some() == (now > record.start),
					"round seed recorded iff its block is past"
				);
				ensure!(
					record.audit_seed.is_some() == (now > record.audit_block),
					"audit seed recorded iff its block is past"
				);
			}
			for (block, due) in SeedsDue::<T>::iter() {
				ensure!(block >= now.saturating_sub(1u32.into()), "stale seeds due");
				ensure!(!due.is_empty(), "empty seeds due");
			}
			Ok(())
		}

		/// Settings, genesis and checkpoint only for live subnets; a checkpoint iff a genesis.
		#[cfg(any(test, feature = "try-runtime", feature = "std"))]
		fn check_subnet_data() -> Result<(), sp_runtime::TryRuntimeError> {
			for netuid in Settings::<T>::iter_keys()
				.chain(GenesisCheckpoints::<T>::iter_keys())
				.chain(Checkpoint::<T>::iter_keys())
			{
				ensure!(
					T::Subnets::subnet_exists(netuid),
					"round data of a missing subnet"
				);
			}
			for netuid in GenesisCheckpoints::<T>::iter_keys() {
				ensure!(
					Checkpoint::<T>::contains_key(netuid),
					"genesis without checkpoint"
				);
			}
			for netuid in Checkpoint::<T>::iter_keys() {
				ensure!(
					GenesisCheckpoints::<T>::contains_key(netuid),
					"checkpoint without genesis"
				);
			}
			Ok(())
		}
	}

	impl<T: Config> SubnetHooks for Pallet<T> {
		/// Drops the subnet's settings and checkpoints, closes its open round without a tally,
		/// and queues its rounds and residuals for pruning.
		fn on_network_removed(netuid: NetUid) -> Weight {
			let now = frame_system::Pallet::<T>::block_number();
			Self::close_round(netuid, now, false);
			Settings::<T>::remove(netuid);
			GenesisCheckpoints::<T>::remove(netuid);
			Checkpoint::<T>::remove(netuid);
			PruneQueue::<T>::insert(netuid, ());
			T::WeightInfo::on_network_removed()
		}

		fn on_network_removed_max_weight() -> Weight {
			T::WeightInfo::on_network_removed()
		}

		/// Closes the open round (tally → next checkpoint), opens the next one and queues the
		/// subnet for pruning.
		fn on_epoch(netuid: NetUid) -> Weight {
			let now = frame_system::Pallet::<T>::block_number();
			let votes = Self::close_round(netuid, now, true);
			Self::open_round(netuid, now);
			PruneQueue::<T>::insert(netuid, ());
			T::WeightInfo::on_epoch(votes)
		}

		fn on_epoch_max_weight() -> Weight {
			T::WeightInfo::on_epoch(T::MaxVotesPerRound::get())
		}
	}
}
