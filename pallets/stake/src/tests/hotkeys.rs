//! Hotkey claims (issue #15, SPEC §4): a coldkey claims a hotkey only with the hotkey's own
//! signature (or by registering it), and a claim can be released.

use crate::{mock::*, *};
use frame_support::assert_ok;

#[test]
fn a_front_run_claim_cannot_block_the_hotkeys_registration() {
	build_and_execute(|| {
		assert_ok!(Subnets::register_network(origin(1)));
		// The attack: coldkey 5 sees hotkey 12 about to be registered by coldkey 2 and claims it
		// first, without the hotkey's signature.
		let _ = Stake::associate_hotkey(origin(5), 12);
		assert_ok!(Subnets::burned_register(origin(2), 0, 12));
		assert_eq!(Owner::<Test>::get(12), Some(2));
	});
}
