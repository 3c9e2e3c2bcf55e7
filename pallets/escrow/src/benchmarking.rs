//! Benchmarks of `pallet-escrow` (`frame_benchmarking::v2`), each in its worst case: full
//! queues, the most entries a slash takes, the most supporters, the most positions on a
//! validator, releases that restake.

// Benchmark setup code, not dispatched on-chain.
#![allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)]

use super::*;
use crate::Pallet as Escrow;
use alloc::{vec, vec::Vec};
use arena_pallet_primitives::{
	EpochOutcome, NetUid, PayoutHandler, PayoutKind, StakeInterface, SubnetHooks, SubnetsInterface,
};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, Get, Hooks},
	weights::Weight,
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::{traits::SaturatedConversion, Perquintill};

const UNIT: u128 = 1_000_000_000;

fn amount<T: Config>(units: u128) -> BalanceOf<T> {
	(units * UNIT).saturated_into()
}

fn fund<T: Config>(who: &T::AccountId) {
	let _ = T::Currency::mint_into(who, amount::<T>(1_000_000));
}

/// A subnet with `neurons` registered hotkeys; the first `validators` are staked and hold
/// permits.
fn subnet<T: Config>(neurons: u32, validators: u32) -> (NetUid, Vec<T::AccountId>) {
	let owner: T::AccountId = account("owner", 0, 0);
	fund::<T>(&owner);
	let (netuid, hotkeys) = T::Subnets::bench_create_subnet(&owner, neurons.max(1));
	for (i, hk) in hotkeys.iter().take(validators as usize).enumerate() {
		T::Stake::bench_add_stake(netuid, hk, amount::<T>(1_000 + i as u128));
		T::Stake::bench_grant_permit(netuid, hk);
		fund::<T>(hk);
	}
	Escrow::<T>::ensure_account();
	(netuid, hotkeys)
}

/// Opens `e` incentive entries for `miner` (funds minted into escrow, totals kept).
fn miner_entries<T: Config>(netuid: NetUid, miner: &T::AccountId, e: u32) {
	for round in 0..e {
		let a = amount::<T>(1);
		let _ = T::Currency::mint_into(&Escrow::<T>::account_id(), a);
		Escrow::<T>::escrow_reward(netuid, round, Source::Emission, miner, PayoutKind::Miner, a)
			.expect("entry");
		Totals::<T>::mutate(|t| EscrowTotals::add(&mut t.escrowed_emission, a));
	}
}

/// An epoch outcome of `netuid` with `miners` made-up miner hotkeys and `validators` made-up
/// validator hotkeys (for storing only).
fn outcome_of<T: Config>(
	netuid: NetUid,
	miners: u32,
	validators: u32,
) -> EpochOutcome<T::AccountId> {
	let share = Perquintill::from_rational(1u64, u64::from(miners.max(1)));
	let vshare = Perquintill::from_rational(1u64, u64::from(validators.max(1)));
	EpochOutcome {
		owner: T::Subnets::subnet_owner(netuid),
		owner_cut: sp_runtime::Perbill::from_percent(18),
		incentive: (0..miners)
			.map(|i| (account("miner", i, 0), share))
			.collect(),
		dividends: (0..validators)
			.map(|i| (account("validator", i, 0), vshare))
			.collect(),
		validator_stake: vec![1; validators as usize],
	}
}

fn evidence() -> Evidence {
	Evidence {
		reason: AuditFailure::SegmentMismatch,
		segment: 1,
		merkle_root: [1; 32],
		claimed_start: [2; 32],
		claimed_end: [3; 32],
		recomputed: [4; 32],
		update_hash: [5; 32],
	}
}

fn run_to<T: Config>(n: BlockNumberFor<T>) {
	frame_system::Pallet::<T>::set_block_number(n);
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Claiming `n` matured incentive entries into stake.
	#[benchmark]
	fn claim(n: Linear<1, { T::MaxClaim::get() }>) {
		let (netuid, hotkeys) = subnet::<T>(2, 1);
		let miner = hotkeys[1].clone();
		miner_entries::<T>(netuid, &miner, n);
		let ids: Vec<EntryId> = (0..u64::from(n)).collect();
		let release = Entries::<T>::get(0).expect("entry").release_at;
		run_to::<T>(release);
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), BoundedVec::truncate_from(ids));
		assert_eq!(Entries::<T>::iter().count(), 0);
	}

	/// A challenge against a miner with `e` open entries, by a validator below the quorum.
	#[benchmark]
	fn challenge(e: Linear<1, { T::MaxEntriesPerEarner::get() }>) {
		let (netuid, hotkeys) = subnet::<T>(4, 3);
		let miner = hotkeys[3].clone();
		miner_entries::<T>(netuid, &miner, e);
		let validator = hotkeys[0].clone();
		#[extrinsic_call]
		_(
			RawOrigin::Signed(validator),
			netuid,
			miner.clone(),
			0,
			evidence(),
		);
		assert!(Challenges::<T>::contains_key((netuid, &miner, 0u32)));
	}

	/// Backing a challenge that has `s` supporters, still below the quorum.
	#[benchmark]
	fn support_challenge(s: Linear<2, { T::MaxSupporters::get().min(60) - 1 }>) {
		// One heavy validator keeps the quorum out of reach of the `s` light ones.
		let (netuid, hotkeys) = subnet::<T>(s + 2, s + 1);
		T::Stake::bench_add_stake(netuid, &hotkeys[s as usize], amount::<T>(1_000_000));
		let miner = hotkeys[(s + 1) as usize].clone();
		miner_entries::<T>(netuid, &miner, 1);
		Escrow::<T>::challenge(
			RawOrigin::Signed(hotkeys[0].clone()).into(),
			netuid,
			miner.clone(),
			0,
			evidence(),
		)
		.expect("challenge");
		for hk in hotkeys.iter().take((s - 1) as usize).skip(1) {
			Escrow::<T>::support_challenge(
				RawOrigin::Signed(hk.clone()).into(),
				netuid,
				miner.clone(),
				0,
			)
			.expect("support");
		}
		let last = hotkeys[(s - 1) as usize].clone();
		#[extrinsic_call]
		_(RawOrigin::Signed(last), netuid, miner.clone(), 0);
		assert!(Challenges::<T>::contains_key((netuid, &miner, 0u32)));
	}

	/// A slash of `e` entries that ends `c` open challenges.
	#[benchmark]
	fn slash(
		e: Linear<1, { T::MaxEntriesPerEarner::get() }>,
		c: Linear<1, { T::MaxChallengesPerSubnet::get() }>,
	) {
		let (netuid, hotkeys) = subnet::<T>(4, 3);
		let miner = hotkeys[3].clone();
		miner_entries::<T>(netuid, &miner, e);
		for round in 0..c {
			Escrow::<T>::challenge(
				RawOrigin::Signed(hotkeys[0].clone()).into(),
				netuid,
				miner.clone(),
				round,
				evidence(),
			)
			.expect("challenge");
		}
		#[block]
		{
			Escrow::<T>::slash(netuid, &miner).expect("slash");
		}
		assert_eq!(SlashableCount::<T>::get(netuid, &miner), 0);
		assert_eq!(OpenChallenges::<T>::get(netuid, &miner), 0);
	}

	#[benchmark]
	fn fund_bounty() {
		let (netuid, _) = subnet::<T>(1, 0);
		for _ in 1..T::MaxBountiesPerSubnet::get() {
			let s: T::AccountId = account("sponsor", 1, 0);
			fund::<T>(&s);
			Escrow::<T>::fund_bounty(
				RawOrigin::Signed(s).into(),
				netuid,
				T::MinBountyPerEpoch::get(),
				1,
			)
			.expect("bounty");
		}
		let sponsor: T::AccountId = whitelisted_caller();
		fund::<T>(&sponsor);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(sponsor),
			netuid,
			T::MinBountyPerEpoch::get(),
			T::MaxBountyEpochs::get(),
		);
		assert_eq!(
			SubnetBounties::<T>::get(netuid).len() as u32,
			T::MaxBountiesPerSubnet::get()
		);
	}

	#[benchmark]
	fn cancel_bounty() {
		let (netuid, _) = subnet::<T>(1, 0);
		let sponsor: T::AccountId = whitelisted_caller();
		fund::<T>(&sponsor);
		Escrow::<T>::fund_bounty(
			RawOrigin::Signed(sponsor.clone()).into(),
			netuid,
			T::MinBountyPerEpoch::get(),
			2,
		)
		.expect("bounty");
		#[extrinsic_call]
		_(RawOrigin::Signed(sponsor), 0);
		assert!(Bounties::<T>::get(0).is_some_and(|b| b.cancelled_at.is_some()));
	}

	#[benchmark]
	fn pay_owner() {
		let (netuid, _) = subnet::<T>(1, 0);
		let source: T::AccountId = account("pot", 0, 0);
		fund::<T>(&source);
		let owner: T::AccountId = account("owner", 0, 0);
		#[block]
		{
			Escrow::<T>::pay(
				&source,
				netuid,
				0,
				&owner,
				PayoutKind::Owner,
				amount::<T>(1),
			)
			.expect("pay");
		}
		assert_eq!(Entries::<T>::iter().count(), 1);
	}

	#[benchmark]
	fn pay_miner() {
		let (netuid, hotkeys) = subnet::<T>(1, 0);
		let source: T::AccountId = account("pot", 0, 0);
		fund::<T>(&source);
		#[block]
		{
			Escrow::<T>::pay(
				&source,
				netuid,
				0,
				&hotkeys[0],
				PayoutKind::Miner,
				amount::<T>(1),
			)
			.expect("pay");
		}
		assert_eq!(SlashableCount::<T>::get(netuid, &hotkeys[0]), 1);
	}

	/// A validator's dividends shared among `p` positions at once: the dividend queue is full
	/// (its bounds are set so; the payout only reads them).
	#[benchmark]
	fn pay_validator(p: Linear<1, { T::MaxPositionsPerHotkey::get() }>) {
		let (netuid, hotkeys) = subnet::<T>(1, 1);
		let validator = hotkeys[0].clone();
		for i in 1..p {
			let delegator: T::AccountId = account("delegator", i, 0);
			T::Stake::bench_delegate(netuid, &validator, &delegator, amount::<T>(10));
		}
		let source: T::AccountId = account("pot", 0, 0);
		fund::<T>(&source);
		DividendQueue::<T>::put(QueueBounds {
			head: 0,
			tail: u64::from(T::MaxPendingDividends::get()),
		});
		#[block]
		{
			Escrow::<T>::pay(
				&source,
				netuid,
				0,
				&validator,
				PayoutKind::Validator,
				amount::<T>(100),
			)
			.expect("pay");
		}
		assert_eq!(Entries::<T>::iter().count() as u32, p);
	}

	/// A validator's dividends queued (one record, whatever its positions).
	#[benchmark]
	fn pay_validator_queued() {
		let (netuid, hotkeys) = subnet::<T>(1, 1);
		let source: T::AccountId = account("pot", 0, 0);
		fund::<T>(&source);
		#[block]
		{
			Escrow::<T>::pay(
				&source,
				netuid,
				0,
				&hotkeys[0],
				PayoutKind::Validator,
				amount::<T>(100),
			)
			.expect("pay");
		}
		assert_eq!(DividendQueue::<T>::get().len(), 1);
	}

	/// `on_idle` splitting one queued validator payout among `p` positions.
	#[benchmark]
	fn expand_dividend(p: Linear<1, { T::MaxPositionsPerHotkey::get() }>) {
		let (netuid, hotkeys) = subnet::<T>(1, 1);
		let validator = hotkeys[0].clone();
		for i in 1..p {
			let delegator: T::AccountId = account("delegator", i, 0);
			T::Stake::bench_delegate(netuid, &validator, &delegator, amount::<T>(10));
		}
		let source: T::AccountId = account("pot", 0, 0);
		fund::<T>(&source);
		Escrow::<T>::pay(
			&source,
			netuid,
			0,
			&validator,
			PayoutKind::Validator,
			amount::<T>(100),
		)
		.expect("pay");
		#[block]
		{
			Escrow::<T>::split_next_dividend();
		}
		assert_eq!(Entries::<T>::iter().count() as u32, p);
		assert!(DividendQueue::<T>::get().is_empty());
	}

	/// Storing the outcome of an epoch of `n` UIDs for a subnet's bounty.
	#[benchmark]
	fn queue_outcome(n: Linear<2, { T::MaxUids::get() }>) {
		let (netuid, _) = subnet::<T>(1, 0);
		let sponsor: T::AccountId = account("sponsor", 0, 0);
		fund::<T>(&sponsor);
		Escrow::<T>::fund_bounty(
			RawOrigin::Signed(sponsor).into(),
			netuid,
			amount::<T>(1_000),
			2,
		)
		.expect("bounty");
		let outcome = outcome_of::<T>(netuid, n - 1, 1);
		#[block]
		{
			<Escrow<T> as PayoutHandler<_, _>>::on_epoch_paid(netuid, 0, &outcome);
		}
		assert_eq!(OutcomeQueue::<T>::get().bounds.len(), 1);
	}

	/// `on_idle` reading the bounty queue's oldest outcome (of `MaxUids` UIDs), then stopping:
	/// its step does not fit.
	#[benchmark]
	fn bounty_queue_head() {
		let (netuid, _) = subnet::<T>(1, 0);
		let sponsor: T::AccountId = account("sponsor", 0, 0);
		fund::<T>(&sponsor);
		Escrow::<T>::fund_bounty(
			RawOrigin::Signed(sponsor).into(),
			netuid,
			amount::<T>(1_000),
			2,
		)
		.expect("bounty");
		let n = T::MaxUids::get();
		let outcome = outcome_of::<T>(netuid, n - 1, 1);
		<Escrow<T> as PayoutHandler<_, _>>::on_epoch_paid(netuid, 0, &outcome);
		let head = T::WeightInfo::bounty_queue_head();
		#[block]
		{
			Escrow::<T>::process_deferred(head, Weight::zero());
		}
		assert_eq!(OutcomeQueue::<T>::get().bounds.len(), 1);
	}

	#[benchmark]
	fn on_idle_base() {
		let now: BlockNumberFor<T> = 10u32.into();
		run_to::<T>(now);
		ReleaseCursor::<T>::put(now + 1u32.into());
		#[block]
		{
			Escrow::<T>::on_idle(now, Weight::MAX);
		}
	}

	/// Releasing one matured entry into stake.
	#[benchmark]
	fn release_entry() {
		let (netuid, hotkeys) = subnet::<T>(1, 1);
		miner_entries::<T>(netuid, &hotkeys[0], 1);
		let entry = Entries::<T>::get(0).expect("entry");
		run_to::<T>(entry.release_at);
		#[block]
		{
			Escrow::<T>::release_or_defer(0, entry.release_at, entry.release_at);
		}
		assert!(Entries::<T>::get(0).is_none());
	}

	#[benchmark]
	fn expire_challenge() {
		let (netuid, hotkeys) = subnet::<T>(4, 3);
		let miner = hotkeys[3].clone();
		miner_entries::<T>(netuid, &miner, 1);
		Escrow::<T>::challenge(
			RawOrigin::Signed(hotkeys[0].clone()).into(),
			netuid,
			miner.clone(),
			0,
			evidence(),
		)
		.expect("challenge");
		#[block]
		{
			Escrow::<T>::expire(netuid, &miner, 0).expect("expire");
		}
		assert_eq!(OpenChallenges::<T>::get(netuid, &miner), 0);
	}

	#[benchmark]
	fn advance_cursor() {
		let now: BlockNumberFor<T> = 10u32.into();
		run_to::<T>(now);
		ReleaseCursor::<T>::put(now);
		#[block]
		{
			Escrow::<T>::process_queues(now, Weight::MAX);
		}
		assert_eq!(ReleaseCursor::<T>::get(), Some(now + 1u32.into()));
	}

	/// `on_idle` paying one bounty's epoch over `n` miners and `v` validators (their dividends
	/// queued) from the stored outcome (small ranges so that it runs in the mock runtime's 16
	/// UIDs; the cost is linear in both).
	#[benchmark]
	fn bounty_epoch(n: Linear<1, 8>, v: Linear<1, 4>) {
		let (netuid, hotkeys) = subnet::<T>(n + v, v);
		let sponsor: T::AccountId = account("sponsor", 0, 0);
		fund::<T>(&sponsor);
		Escrow::<T>::fund_bounty(
			RawOrigin::Signed(sponsor).into(),
			netuid,
			amount::<T>(1_000),
			2,
		)
		.expect("bounty");
		let share = Perquintill::from_rational(1u64, u64::from(n));
		let vshare = Perquintill::from_rational(1u64, u64::from(v));
		let outcome = EpochOutcome {
			owner: T::Subnets::subnet_owner(netuid),
			owner_cut: sp_runtime::Perbill::from_percent(18),
			incentive: hotkeys
				.iter()
				.skip(v as usize)
				.map(|h| (h.clone(), share))
				.collect(),
			dividends: hotkeys
				.iter()
				.take(v as usize)
				.map(|h| (h.clone(), vshare))
				.collect(),
			validator_stake: vec![1; v as usize],
		};
		<Escrow<T> as PayoutHandler<_, _>>::on_epoch_paid(netuid, 0, &outcome);
		let q = OutcomeQueue::<T>::get();
		let stored = EpochOutcomes::<T>::get(q.bounds.head).expect("stored");
		#[block]
		{
			Escrow::<T>::bounty_step(q, &stored);
		}
		assert!(Entries::<T>::iter().count() as u32 > n);
		assert_eq!(DividendQueue::<T>::get().len(), u64::from(v));
	}

	/// Dissolving a subnet with `b` bounties, none up to the most (the range starts at 0 so that
	/// it has two points even when a runtime allows one bounty per subnet).
	#[benchmark]
	fn on_network_removed(b: Linear<0, { T::MaxBountiesPerSubnet::get() }>) {
		let (netuid, _) = subnet::<T>(1, 0);
		for i in 0..b {
			let s: T::AccountId = account("sponsor", i, 0);
			fund::<T>(&s);
			Escrow::<T>::fund_bounty(
				RawOrigin::Signed(s).into(),
				netuid,
				T::MinBountyPerEpoch::get(),
				3,
			)
			.expect("bounty");
		}
		#[block]
		{
			<Escrow<T> as SubnetHooks>::on_network_removed(netuid);
		}
		assert!(SubnetBounties::<T>::get(netuid).is_empty());
	}

	impl_benchmark_test_suite!(Escrow, crate::mock::new_test_ext(), crate::mock::Test);
}
