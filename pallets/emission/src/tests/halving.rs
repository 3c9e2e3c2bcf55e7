//! Block emission with issuance-based halving (SPEC §1), through the pallet.

use crate::{mock::*, PendingEmission, Totals};
use frame_support::{
	assert_ok,
	traits::fungible::{Inspect, Mutate},
	traits::tokens::{Fortitude, Precision, Preservation},
};

/// Sets total issuance to `i` (the balances pallet's counter only: the test runs no transfer
/// checks that depend on it).
fn set_issuance(i: Balance) {
	pallet_balances::TotalIssuance::<Test>::put(i);
}

/// `Cap − ⌊Cap / 2^k⌋`: where halving `k` starts.
fn threshold(k: u32) -> Balance {
	let cap = SupplyCap::get();
	cap - (cap >> k)
}

#[test]
fn emission_just_below_at_and_above_the_first_five_thresholds() {
	new_test_ext().execute_with(|| {
		assert_eq!(Emission::block_emission(), UNIT, "E0 at genesis issuance");
		for k in 1..=5u32 {
			let t = threshold(k);
			set_issuance(t - 1);
			assert_eq!(
				Emission::block_emission(),
				UNIT >> (k - 1),
				"below threshold {k}"
			);
			set_issuance(t);
			assert_eq!(Emission::block_emission(), UNIT >> k, "at threshold {k}");
			set_issuance(t + 1);
			assert_eq!(Emission::block_emission(), UNIT >> k, "above threshold {k}");
		}
		// SPEC's numbers: 10.5M, 15.75M, 18.375M ARN.
		assert_eq!(threshold(1), 10_500_000 * UNIT);
		assert_eq!(threshold(2), 15_750_000 * UNIT);
		assert_eq!(threshold(3), 18_375_000 * UNIT);
	});
}

#[test]
fn nothing_at_the_cap_and_never_past_it() {
	build_and_execute(|| {
		let netuid = new_subnet(1);
		register(netuid, 2, 102);
		let cap = SupplyCap::get();
		set_issuance(cap);
		assert_eq!(Emission::block_emission(), 0);
		let before = Totals::<Test>::get();
		next_block();
		assert_eq!(Totals::<Test>::get(), before, "nothing emitted at the cap");
		assert_eq!(Balances::total_issuance(), cap);

		// Half an ARN below the cap: k = ⌊log2(Cap / room)⌋ halvings, minted into pending, and
		// the issuance stays below the cap.
		let room = UNIT / 2;
		set_issuance(cap - room);
		let k = (cap / room).ilog2();
		let e = UNIT >> k;
		assert!(e > 0);
		assert_eq!(Emission::block_emission(), e);
		let pending = PendingEmission::<Test>::get(netuid);
		next_block();
		assert_eq!(Balances::total_issuance(), cap - room + e);
		assert!(Balances::total_issuance() <= cap);
		assert_eq!(PendingEmission::<Test>::get(netuid), pending + e);
		// Put the issuance back to what the accounts hold, for the balances' own checks.
		set_issuance(cap);
	});
}

#[test]
fn each_block_mints_its_emission_into_pending() {
	build_and_execute(|| {
		let netuid = new_subnet(1);
		register(netuid, 2, 102);
		let issuance = Balances::total_issuance();
		next_block();
		assert_eq!(Balances::total_issuance(), issuance + UNIT);
		assert_eq!(PendingEmission::<Test>::get(netuid), UNIT);
		assert_eq!(Balances::balance(&Emission::pot()), UNIT + ED);
		let t = Totals::<Test>::get();
		assert_eq!((t.emitted, t.minted, t.unminted), (UNIT, UNIT, 0));
	});
}

#[test]
fn burns_delay_the_halving() {
	new_test_ext().execute_with(|| {
		let t1 = threshold(1);
		// Give account 1 the difference so the issuance is real, at the threshold.
		let missing = t1 - Balances::total_issuance();
		assert_ok!(Balances::mint_into(&1, missing));
		assert_eq!(Balances::total_issuance(), t1);
		assert_eq!(Emission::block_emission(), UNIT / 2);
		// Burning one unit puts the issuance back below the threshold: no halving yet.
		assert_ok!(Balances::burn_from(
			&1,
			1,
			Preservation::Preserve,
			Precision::Exact,
			Fortitude::Polite
		));
		assert_eq!(Emission::block_emission(), UNIT);
	});
}

#[test]
fn no_positive_score_means_nothing_is_minted() {
	build_and_execute(|| {
		let _netuid = new_subnet(1);
		let issuance = Balances::total_issuance();
		next_block();
		assert_eq!(Balances::total_issuance(), issuance);
		let t = Totals::<Test>::get();
		assert_eq!((t.emitted, t.minted, t.unminted), (UNIT, 0, UNIT));
	});
}
