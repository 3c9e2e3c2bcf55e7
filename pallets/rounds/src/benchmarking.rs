//! Benchmarks of `pallet-rounds` (`frame_benchmarking::v2`), each in its worst case.

// Benchmark setup code, not dispatched on-chain.
#![allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)]

use super::*;
use alloc::vec::Vec;
use arena_pallet_primitives::{NetUid, StakeInterface, SubnetHooks, SubnetsInterface};
use frame_benchmarking::v2::*;
use frame_support::{traits::Get, BoundedVec};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::traits::{One, SaturatedConversion, Saturating};

fn hash(i: u32) -> Hash32 {
	let mut h = [0xABu8; 32];
	h[..4].copy_from_slice(&i.to_le_bytes());
	h
}

/// `MaxAllowedFingerprints` distinct fingerprints; the last one is the one miners declare.
fn all_fingerprints<T: Config>() -> FingerprintsOf<T> {
	BoundedVec::truncate_from(
		(0..T::MaxAllowedFingerprints::get())
			.map(hash)
			.collect::<Vec<_>>(),
	)
}

/// A subnet with `neurons` hotkeys, a genesis checkpoint and the widest fingerprint list.
fn configured_subnet<T: Config>(neurons: u32) -> (NetUid, T::AccountId, Vec<T::AccountId>) {
	let owner: T::AccountId = account("owner", 0, 0);
	let (netuid, hotkeys) = T::Subnets::bench_create_subnet(&owner, neurons);
	Pallet::<T>::set_genesis_checkpoint(
		RawOrigin::Signed(owner.clone()).into(),
		netuid,
		hash(u32::MAX),
		1_000,
		BoundedVec::truncate_from(b"https://example.org/genesis".to_vec()),
	)
	.expect("genesis");
	Pallet::<T>::set_round_settings(
		RawOrigin::Signed(owner.clone()).into(),
		netuid,
		1,
		1,
		all_fingerprints::<T>(),
	)
	.expect("settings");
	(netuid, owner, hotkeys)
}

fn now<T: Config>() -> BlockNumberFor<T> {
	frame_system::Pallet::<T>::block_number()
}

fn set_block<T: Config>(n: BlockNumberFor<T>) {
	frame_system::Pallet::<T>::set_block_number(n);
}

/// Sets the longest commit phase the subnet's tempo allows (so a close comes before it ends).
fn long_deadline<T: Config>(netuid: NetUid, owner: &T::AccountId) {
	let tempo = T::Subnets::hyperparams(netuid).expect("subnet").tempo;
	Pallet::<T>::set_round_settings(
		RawOrigin::Signed(owner.clone()).into(),
		netuid,
		tempo - 3,
		1,
		all_fingerprints::<T>(),
	)
	.expect("settings");
}

/// Opens round 0 of `netuid` at the current block (its Training phase).
fn open<T: Config>(netuid: NetUid) {
	assert!(Pallet::<T>::open_round(netuid, now::<T>()), "round opened");
}

/// Adds `v` votes to the open round 0 of `netuid` (directly, as validators would).
fn add_votes<T: Config>(netuid: NetUid, v: u32) {
	for i in 0..v {
		let validator: T::AccountId = account("validator", i, 0);
		Votes::<T>::insert((netuid, 0, &validator), hash(i % 3));
	}
	RoundRecords::<T>::mutate(netuid, 0, |r| {
		if let Some(r) = r {
			r.votes = v;
		}
	});
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Worst case: the longest URL.
	#[benchmark]
	fn set_genesis_checkpoint() {
		let owner: T::AccountId = account("owner", 0, 0);
		let (netuid, _) = T::Subnets::bench_create_subnet(&owner, 1);
		let url: BoundedVec<u8, T::MaxUrlLen> =
			BoundedVec::truncate_from(alloc::vec![b'a'; T::MaxUrlLen::get() as usize]);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), netuid, hash(1), 1_000, url);

		assert_eq!(Checkpoint::<T>::get(netuid), Some(hash(1)));
	}

	/// Worst case: the longest fingerprint list (sorted for the duplicate check).
	#[benchmark]
	fn set_round_settings() {
		let owner: T::AccountId = account("owner", 0, 0);
		let (netuid, _) = T::Subnets::bench_create_subnet(&owner, 1);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(owner),
			netuid,
			1,
			1,
			all_fingerprints::<T>(),
		);

		assert!(Settings::<T>::contains_key(netuid));
	}

	/// Worst case: the declared fingerprint is the last of the longest list, and the hotkey has
	/// a residual from an earlier round.
	#[benchmark]
	fn commit_contribution() {
		let (netuid, owner, hotkeys) = configured_subnet::<T>(1);
		long_deadline::<T>(netuid, &owner);
		open::<T>(netuid);
		let miner = hotkeys[0].clone();
		LastResidual::<T>::insert(
			netuid,
			&miner,
			Residual {
				hash: hash(9),
				round: 0,
			},
		);
		let steps = T::Subnets::training_task(netuid).expect("task").inner_steps;
		let fingerprint = hash(T::MaxAllowedFingerprints::get() - 1);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(miner.clone()),
			netuid,
			0,
			hash(1),
			hash(2),
			steps,
			fingerprint,
			hash(3),
		);

		assert!(Commitments::<T>::contains_key((netuid, 0, &miner)));
	}

	/// Worst case: a new vote (the record's count is written too).
	#[benchmark]
	fn vote_checkpoint() {
		let (netuid, _, hotkeys) = configured_subnet::<T>(1);
		open::<T>(netuid);
		let validator = hotkeys[0].clone();
		T::Stake::bench_grant_permit(netuid, &validator);
		let record = RoundRecords::<T>::get(netuid, 0).expect("round");
		let last = record
			.start
			.saturating_add(record.tempo.into())
			.saturating_sub(One::one());
		set_block::<T>(last);

		#[extrinsic_call]
		_(RawOrigin::Signed(validator.clone()), netuid, 0, hash(5));

		assert_eq!(Votes::<T>::get((netuid, 0, &validator)), Some(hash(5)));
	}

	/// Closing a round with `v` votes before its deadline (the audit seed moves) and opening
	/// the next.
	#[benchmark]
	fn on_epoch(v: Linear<0, { T::MaxVotesPerRound::get() }>) {
		let (netuid, owner, _) = configured_subnet::<T>(1);
		long_deadline::<T>(netuid, &owner);
		open::<T>(netuid);
		add_votes::<T>(netuid, v);
		set_block::<T>(now::<T>().saturating_add(One::one()));

		#[block]
		{
			<Pallet<T> as SubnetHooks>::on_epoch(netuid);
		}

		assert_eq!(OpenRound::<T>::get(netuid), Some(1));
	}

	/// A dissolved subnet with an open round.
	#[benchmark]
	fn on_network_removed() {
		let (netuid, owner, _) = configured_subnet::<T>(1);
		long_deadline::<T>(netuid, &owner);
		open::<T>(netuid);
		set_block::<T>(now::<T>().saturating_add(One::one()));

		#[block]
		{
			<Pallet<T> as SubnetHooks>::on_network_removed(netuid);
		}

		assert!(OpenRound::<T>::get(netuid).is_none());
	}

	/// `n` seeds due at the previous block (up to three per subnet), each for its own round
	/// record.
	#[benchmark]
	fn record_seeds(n: Linear<0, { T::MaxSubnets::get().saturating_mul(3) }>) {
		let (netuid, _, _) = configured_subnet::<T>(1);
		open::<T>(netuid);
		let template = RoundRecords::<T>::get(netuid, 0).expect("round");
		let block = now::<T>();
		let mut due: SeedsOf<T> = BoundedVec::new();
		for i in 0..n {
			let net: NetUid = (i / 3).saturated_into();
			let kind = if i % 3 == 0 {
				SeedKind::Round
			} else {
				SeedKind::Audit
			};
			RoundRecords::<T>::insert(net, i, template.clone());
			due.try_push((net, i, kind)).expect("bounded");
		}
		SeedsDue::<T>::insert(block, due);
		let next = block.saturating_add(One::one());
		set_block::<T>(next);
		let recorded;

		#[block]
		{
			recorded = Pallet::<T>::record_seeds(next);
		}

		assert_eq!(recorded, n);
	}

	/// `k` units of pruning: a dissolved subnet's closed round with `k − 2` commitments, each
	/// dropping its hotkey's residual.
	#[benchmark]
	fn prune(k: Linear<2, { T::MaxPrunePerBlock::get() }>) {
		let (netuid, _, _) = configured_subnet::<T>(1);
		open::<T>(netuid);
		let mut record = RoundRecords::<T>::get(netuid, 0).expect("round");
		let gone: NetUid = NetUid::MAX;
		let items = k - 2;
		record.closed_at = Some(now::<T>());
		record.next_checkpoint = Some(record.checkpoint);
		record.commitments = items;
		for i in 0..items {
			let hotkey: T::AccountId = account("miner", i, 0);
			let c = Commitment {
				update_hash: hash(i),
				merkle_root: hash(i),
				steps: 1,
				fingerprint: hash(0),
				residual_hash: hash(i),
				previous_residual: hash(0),
				committed_at: now::<T>(),
			};
			Commitments::<T>::insert((gone, 0, &hotkey), c);
			LastResidual::<T>::insert(
				gone,
				&hotkey,
				Residual {
					hash: hash(i),
					round: 0,
				},
			);
		}
		RoundRecords::<T>::insert(gone, 0, record);
		NextRound::<T>::insert(gone, 1);
		PruneQueue::<T>::insert(gone, ());
		let used;

		#[block]
		{
			used = Pallet::<T>::prune(now::<T>());
		}

		assert!(used <= T::MaxPrunePerBlock::get());
		assert!(!RoundRecords::<T>::contains_key(gone, 0));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
