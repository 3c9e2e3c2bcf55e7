//! Property test: random sequences of calls from several accounts; after every step the
//! pallet's invariants hold (`do_try_state`: held locks = Σ locks, UIDs dense and unique, …)
//! and no account lost funds it did not spend (total balance = initial − burns paid: registration
//! burns and locks forfeited by early dissolution).
//!
//! Cases: 1,000 by default, `PROPTEST_CASES` to change.

use crate::{mock::*, types::HyperParam, Event};
use frame_support::{traits::fungible::Inspect, BoundedVec};
use proptest::prelude::*;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
enum Op {
	RegisterNetwork(AccountId),
	Dissolve(AccountId, u16),
	Register(AccountId, u16, AccountId),
	Serve(AccountId, u16),
	SetWeights(AccountId, u16, Vec<(u16, u16)>),
	Permit(u16, AccountId),
	SetMaxUids(AccountId, u16, u16),
	Advance(u64),
}

const COLDKEYS: u64 = 5;

fn op() -> impl Strategy<Value = Op> {
	let acct = 1..=COLDKEYS;
	let hotkey = 11u64..=18;
	let net = 0u16..4;
	prop_oneof![
		2 => acct.clone().prop_map(Op::RegisterNetwork),
		1 => (acct.clone(), net.clone()).prop_map(|(a, n)| Op::Dissolve(a, n)),
		5 => (acct.clone(), net.clone(), hotkey.clone()).prop_map(|(a, n, h)| Op::Register(a, n, h)),
		1 => (hotkey.clone(), net.clone()).prop_map(|(h, n)| Op::Serve(h, n)),
		2 => (hotkey.clone(), net.clone(), proptest::collection::vec((0u16..5, 0u16..3), 0..5))
			.prop_map(|(h, n, w)| Op::SetWeights(h, n, w)),
		1 => (net.clone(), hotkey.clone()).prop_map(|(n, h)| Op::Permit(n, h)),
		1 => (acct.clone(), net.clone(), 1u16..6).prop_map(|(a, n, m)| Op::SetMaxUids(a, n, m)),
		2 => (1u64..40).prop_map(Op::Advance),
	]
}

fn cases() -> u32 {
	std::env::var("PROPTEST_CASES")
		.ok()
		.and_then(|c| c.parse().ok())
		.unwrap_or(1_000)
}

fn apply(op: &Op) {
	let _ = match op.clone() {
		Op::RegisterNetwork(a) => Subnets::register_network(origin(a))
			.map(|_| ())
			.map_err(|e| e.error),
		Op::Dissolve(a, n) => Subnets::dissolve_network(origin(a), n)
			.map(|_| ())
			.map_err(|e| e.error),
		Op::Register(a, n, h) => Subnets::burned_register(origin(a), n, h)
			.map(|_| ())
			.map_err(|e| e.error),
		Op::Serve(h, n) => Subnets::serve_endpoint(origin(h), n, b"https://e".to_vec()),
		Op::SetWeights(h, n, w) => {
			let (uids, values): (Vec<u16>, Vec<u16>) = w.into_iter().unzip();
			Subnets::set_weights(origin(h), n, row(&uids), row(&values), 0)
		},
		Op::Permit(n, h) => {
			grant_permit(n, h);
			Ok(())
		},
		Op::SetMaxUids(a, n, m) => Subnets::set_hyperparameters(
			origin(a),
			n,
			BoundedVec::truncate_from(vec![HyperParam::MaxValidators(1), HyperParam::MaxUids(m)]),
		),
		Op::Advance(k) => {
			run_to_block(System::block_number() + k);
			Ok(())
		},
	};
}

proptest! {
	#![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

	#[test]
	fn random_call_sequences_keep_invariants(ops in proptest::collection::vec(op(), 1..30)) {
		new_test_ext().execute_with(|| {
			let mut burned: BTreeMap<AccountId, Balance> = BTreeMap::new();
			for op in &ops {
				System::reset_events();
				apply(op);
				for e in System::events() {
					match e.event {
						RuntimeEvent::Subnets(Event::NeuronRegistered { coldkey, burned: b, .. }) => {
							*burned.entry(coldkey).or_default() += b;
						},
						// An owner dissolving early forfeits its lock above the minimum.
						RuntimeEvent::Subnets(Event::LockForfeited { owner, amount, .. }) => {
							*burned.entry(owner).or_default() += amount;
						},
						_ => {},
					}
				}
				Subnets::do_try_state().expect("invariants hold");
				for a in 1..=COLDKEYS {
					let spent = burned.get(&a).copied().unwrap_or(0);
					assert_eq!(Balances::total_balance(&a), INITIAL - spent, "account {a} after {op:?}");
				}
			}
		});
	}
}
