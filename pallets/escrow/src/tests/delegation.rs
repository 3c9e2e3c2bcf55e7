//! A validator's dividends are shared with the positions staked on it (SPEC §3). The epoch
//! queues the payout; the entries appear after `on_idle` (which `run_to_block` runs in every
//! block with a whole block's weight), see `deferral.rs` for the queue itself.

use super::*;
use crate::Destination;
use arena_rules::delegation::{split_dividends, Position};
use frame_support::assert_ok;
use sp_runtime::Perbill;

/// The dividend entries validator hotkey 11 received in the last paying epoch:
/// (owner entry amount, delegator 30's entry amount).
fn last_dividends(netuid: NetUid) -> (Balance, Balance) {
	let round = pallet_emission::EpochIndex::<Test>::get(netuid) - 1;
	let of = |kind: EntryKind, dest: Destination<AccountId>| -> Balance {
		entries_of(netuid, kind)
			.into_iter()
			.filter(|(_, e)| e.earner == 11 && e.round == round && e.destination == dest)
			.map(|(_, e)| e.amount)
			.sum()
	};
	(
		of(
			EntryKind::Dividends,
			Destination::Stake {
				coldkey: 10,
				hotkey: 11,
			},
		),
		of(
			EntryKind::DelegatorShare,
			Destination::Stake {
				coldkey: 30,
				hotkey: 11,
			},
		),
	)
}

#[test]
fn delegator_paid_pro_rata_after_the_take() {
	build_and_execute(|| {
		let netuid = arena();
		// Coldkey 30 delegates as much as the owner staked.
		assert_ok!(Stake::add_stake(origin(30), 11, netuid, 100 * UNIT));
		run_to_epoch(netuid);
		run_to_epoch(netuid);
		let (owner, delegator) = last_dividends(netuid);
		assert!(delegator > 0 && owner > delegator);
		// Exactly the rule: owner takes 18 % of the delegators' half, the rest is split 1 : 1.
		let split = split_dividends(
			owner + delegator,
			&[
				Position {
					stake: 100 * UNIT,
					is_owner: true,
				},
				Position {
					stake: 100 * UNIT,
					is_owner: false,
				},
			],
			Perbill::from_percent(18),
		);
		let owner_sorted_first =
			pallet_stake::HotkeyPositions::<Test>::iter_key_prefix((netuid, 11u64)).next()
				== Some(10);
		let (own_share, del_share) = if owner_sorted_first {
			(split.shares[0], split.shares[1])
		} else {
			(split.shares[1], split.shares[0])
		};
		assert_eq!(delegator, del_share);
		assert_eq!(owner, split.take + own_share);
		// 0.455 of the dividends to the delegator (floors aside).
		assert!((454..=455).contains(&(delegator * 1_000 / (owner + delegator))));
	});
}

#[test]
fn delegator_with_zero_take_gets_an_equal_share() {
	build_and_execute(|| {
		let netuid = arena();
		assert_ok!(Stake::set_delegate_take(origin(10), 11, Perbill::zero()));
		assert_ok!(Stake::add_stake(origin(30), 11, netuid, 100 * UNIT));
		run_to_epoch(netuid);
		run_to_epoch(netuid);
		let (owner, delegator) = last_dividends(netuid);
		assert!(delegator > 0);
		assert!(owner.abs_diff(delegator) <= 1);
	});
}

#[test]
fn delegator_share_is_released_into_its_position() {
	build_and_execute(|| {
		let netuid = arena();
		assert_ok!(Stake::add_stake(origin(30), 11, netuid, 100 * UNIT));
		run_to_epoch(netuid);
		run_to_epoch(netuid);
		let (_, delegator) = last_dividends(netuid);
		let before = position(30, 11, netuid);
		run_to_block(System::block_number() + window());
		assert!(position(30, 11, netuid) >= before + delegator);
	});
}
