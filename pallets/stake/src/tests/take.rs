//! `set_delegate_take`.

use crate::{mock::*, Error, Event};
use arena_pallet_primitives::StakeInterface;
use frame_support::{assert_noop, assert_ok};
use sp_runtime::Perbill;

#[test]
fn take_defaults_and_changes() {
	build_and_execute(|| {
		assert_ok!(claim(1, 11));
		assert_eq!(
			<Stake as StakeInterface<_, _>>::delegate_take(&11),
			Perbill::from_percent(18)
		);
		assert_ok!(Stake::set_delegate_take(
			origin(1),
			11,
			Perbill::from_percent(20)
		));
		assert_eq!(
			last_event(),
			RuntimeEvent::Stake(Event::DelegateTakeSet {
				hotkey: 11,
				take: Perbill::from_percent(20)
			})
		);
		// Increases are rate-limited; decreases are not.
		assert_noop!(
			Stake::set_delegate_take(origin(1), 11, Perbill::from_percent(25)),
			Error::<Test>::TakeRateLimited
		);
		assert_ok!(Stake::set_delegate_take(
			origin(1),
			11,
			Perbill::from_percent(10)
		));
		run_to_block(1 + TAKE_RATE_LIMIT);
		assert_ok!(Stake::set_delegate_take(
			origin(1),
			11,
			Perbill::from_percent(25)
		));
		assert_eq!(Stake::take_of(&11), Perbill::from_percent(25));
	});
}

#[test]
fn take_errors() {
	build_and_execute(|| {
		assert_noop!(
			Stake::set_delegate_take(origin(1), 11, Perbill::from_percent(10)),
			Error::<Test>::HotkeyNotAssociated
		);
		assert_ok!(claim(1, 11));
		assert_noop!(
			Stake::set_delegate_take(origin(2), 11, Perbill::from_percent(10)),
			Error::<Test>::NotHotkeyOwner
		);
		assert_noop!(
			Stake::set_delegate_take(origin(1), 11, Perbill::from_percent(51)),
			Error::<Test>::TakeTooHigh
		);
	});
}
