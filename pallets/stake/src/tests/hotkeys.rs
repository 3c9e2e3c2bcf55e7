//! Hotkey claims (issue #15, SPEC §4): a coldkey claims a hotkey only with the hotkey's own
//! signature (or by registering it), holds a deposit for it, and can release it.

use crate::{mock::*, Error, Event, HoldReason, *};
use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold};
use sp_runtime::testing::TestSignature;

fn deposit_held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::HotkeyClaim.into(), &who)
}

#[test]
fn a_front_run_claim_cannot_block_the_hotkeys_registration() {
	build_and_execute(|| {
		assert_ok!(Subnets::register_network(origin(1)));
		// The attack: coldkey 5 sees hotkey 12 about to be registered by coldkey 2 and claims it
		// first. It cannot sign for hotkey 12 …
		let forged = TestSignature(5, Stake::hotkey_claim_payload(&5, &12, 100));
		assert_noop!(
			Stake::associate_hotkey(origin(5), 12, 100, forged),
			Error::<Test>::InvalidHotkeySignature
		);
		// … nor replay a signature hotkey 12 gave to coldkey 2.
		assert_noop!(
			Stake::associate_hotkey(origin(5), 12, 100, claim_signature(2, 12, 100)),
			Error::<Test>::InvalidHotkeySignature
		);
		assert_ok!(Subnets::burned_register(origin(2), 0, 12));
		assert_eq!(Owner::<Test>::get(12), Some(2));
	});
}

#[test]
fn associate_hotkey_fails_with_a_signature_for_another_expiry() {
	build_and_execute(|| {
		assert_noop!(
			Stake::associate_hotkey(origin(5), 55, 200, claim_signature(5, 55, 100)),
			Error::<Test>::InvalidHotkeySignature
		);
	});
}

#[test]
fn associate_hotkey_fails_after_the_claim_expired() {
	build_and_execute(|| {
		run_to_block(11);
		assert_noop!(
			Stake::associate_hotkey(origin(5), 55, 10, claim_signature(5, 55, 10)),
			Error::<Test>::HotkeyClaimExpired
		);
		assert_ok!(Stake::associate_hotkey(
			origin(5),
			55,
			11,
			claim_signature(5, 55, 11)
		));
	});
}

#[test]
fn associate_hotkey_holds_the_claim_deposit() {
	build_and_execute(|| {
		assert_ok!(claim(5, 55));
		assert_eq!(deposit_held(5), CLAIM_DEPOSIT);
		assert_eq!(ClaimDeposits::<Test>::get(55), Some(CLAIM_DEPOSIT));
		// Claiming again is a no-op: no second deposit.
		assert_ok!(claim(5, 55));
		assert_eq!(deposit_held(5), CLAIM_DEPOSIT);
	});
}

#[test]
fn associate_hotkey_fails_without_funds_for_the_deposit() {
	build_and_execute(|| {
		// Account 30 has no balance.
		assert_noop!(claim(30, 55), Error::<Test>::InsufficientDeposit);
	});
}

#[test]
fn release_hotkey_returns_the_deposit_and_frees_the_hotkey() {
	build_and_execute(|| {
		assert_ok!(claim(5, 55));
		assert_ok!(Stake::release_hotkey(origin(5), 55));
		assert_eq!(deposit_held(5), 0);
		assert_eq!(Owner::<Test>::get(55), None);
		assert!(!OwnedHotkeys::<Test>::get(5).contains(&55));
		assert_eq!(
			last_event(),
			RuntimeEvent::Stake(Event::HotkeyReleased {
				coldkey: 5,
				hotkey: 55,
				deposit: CLAIM_DEPOSIT
			})
		);
		// Another coldkey may claim it now, with its consent.
		assert_ok!(claim(6, 55));
		assert_eq!(Owner::<Test>::get(55), Some(6));
	});
}

#[test]
fn release_hotkey_fails_for_another_coldkeys_hotkey() {
	build_and_execute(|| {
		assert_ok!(claim(5, 55));
		assert_noop!(
			Stake::release_hotkey(origin(6), 55),
			Error::<Test>::NotHotkeyOwner
		);
		assert_noop!(
			Stake::release_hotkey(origin(6), 56),
			Error::<Test>::HotkeyNotAssociated
		);
	});
}

#[test]
fn release_hotkey_fails_while_registered() {
	build_and_execute(|| {
		let netuid = setup();
		assert_eq!(pallet_subnets::Uids::<Test>::get(netuid, 12), Some(1));
		assert_noop!(
			Stake::release_hotkey(origin(2), 12),
			Error::<Test>::HotkeyInUse
		);
	});
}

#[test]
fn release_hotkey_succeeds_once_its_subnet_is_dissolved() {
	build_and_execute(|| {
		let netuid = setup();
		assert_ok!(Stake::add_stake(origin(2), 12, netuid, 100));
		assert_ok!(Subnets::dissolve_network(origin(1), netuid));
		assert_ok!(Stake::release_hotkey(origin(2), 12));
		// The position on the dissolved subnet stays and can still be removed.
		assert_ok!(Stake::remove_stake(origin(2), 12, netuid, 100));
	});
}
