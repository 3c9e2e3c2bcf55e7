//! Property test over both pallets: random sequences of calls (networks, registrations,
//! stake add/remove/move, weights, blocks) from several accounts. After every step:
//! - both pallets' `do_try_state` (Σ stakes = total stake, per-coldkey Σ = held stake, per
//!   hotkey/subnet sums, held locks = Σ locks, UIDs dense and unique, …);
//! - for every account, balance on hold = its subnet locks + its stake;
//! - no account lost funds it did not spend: total balance = initial − registration burns
//!   paid − locks forfeited by early dissolution.
//!
//! Cases: 1,000 by default, `PROPTEST_CASES` to change.

use crate::{mock::*, ColdkeyStake};
use arena_pallet_primitives::SubnetsInterface;
use frame_support::traits::fungible::{Inspect, InspectHold};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// Operations; `usize` fields pick among what exists when the op runs (subnets, neurons,
/// positions), so most calls reach the pallets' logic instead of failing on lookups.
#[derive(Clone, Debug)]
enum Op {
	RegisterNetwork(AccountId),
	/// Dissolve the `idx`-th subnet, signed by its owner if `by_owner`.
	Dissolve(usize, bool),
	/// Register hotkey `h` (owned by coldkey `h % 5 + 1`, or by `c` if `wrong_owner`) on the
	/// `idx`-th subnet.
	Register(usize, AccountId, Option<AccountId>),
	/// Stake from `c` to the `idx`-th neuron of the `net`-th subnet.
	Add(AccountId, usize, usize, Balance),
	/// Remove `k/4` of the `idx`-th position (`None` = everything).
	Remove(AccountId, usize, Option<Balance>),
	/// Move `k/4` of the `idx`-th position to the `to`-th neuron of the `net`-th subnet.
	Move(AccountId, usize, usize, usize, Balance),
	/// The `idx`-th neuron of the `net`-th subnet sets weights.
	SetWeights(usize, usize, Vec<(u16, u16)>),
	Advance(u64),
}

const COLDKEYS: u64 = 5;

fn op() -> impl Strategy<Value = Op> {
	let c = 1..=COLDKEYS;
	let i = 0usize..8;
	let amt = prop_oneof![1u64..30, 30u64..5_000, Just(1_000_000u64)];
	prop_oneof![
		2 => c.clone().prop_map(Op::RegisterNetwork),
		1 => (i.clone(), proptest::bool::weighted(0.8)).prop_map(|(n, o)| Op::Dissolve(n, o)),
		4 => (i.clone(), 11u64..=18, proptest::option::weighted(0.1, c.clone()))
			.prop_map(|(n, h, w)| Op::Register(n, h, w)),
		6 => (c.clone(), i.clone(), i.clone(), amt.clone()).prop_map(|(a, n, h, x)| Op::Add(a, n, h, x)),
		4 => (c.clone(), i.clone(), proptest::option::weighted(0.6, 1u64..=4))
			.prop_map(|(a, p, x)| Op::Remove(a, p, x)),
		4 => (c, i.clone(), i.clone(), i.clone(), 1u64..=4)
			.prop_map(|(a, p, n, h, x)| Op::Move(a, p, n, h, x)),
		1 => (i.clone(), i, proptest::collection::vec((0u16..5, 0u16..3), 0..4))
			.prop_map(|(n, h, w)| Op::SetWeights(n, h, w)),
		6 => prop_oneof![1u64..3, 3u64..25].prop_map(Op::Advance),
	]
}

fn cases() -> u32 {
	std::env::var("PROPTEST_CASES")
		.ok()
		.and_then(|c| c.parse().ok())
		.unwrap_or(1_000)
}

fn subnet(idx: usize) -> u16 {
	let nets = <Subnets as SubnetsInterface<_, _, _>>::netuids();
	// A missing netuid now and then (idx 7) exercises the error paths.
	if idx == 7 {
		return 99;
	}
	nets.get(idx % nets.len().max(1)).copied().unwrap_or(99)
}

fn neuron(net: u16, idx: usize) -> AccountId {
	let ns = <Subnets as SubnetsInterface<_, _, _>>::neurons(net);
	ns.get(idx % ns.len().max(1)).map(|(_, h)| *h).unwrap_or(99)
}

/// The `idx`-th existing position (of any coldkey, so removals and moves mostly hit real
/// positions), or (idx 7, or none exists) one of `c` that does not exist.
fn position(c: AccountId, idx: usize) -> (AccountId, AccountId, u16, Balance) {
	let ps: Vec<_> = crate::Positions::<Test>::iter().collect();
	let pick = if idx == 7 {
		None
	} else {
		ps.get(idx % ps.len().max(1))
	};
	pick.map(|((c, h, n), s)| (*c, *h, *n, *s))
		.unwrap_or((c, 11, 0, 20))
}

fn apply(op: &Op) -> Result<(), sp_runtime::DispatchError> {
	match op.clone() {
		Op::RegisterNetwork(a) => Subnets::register_network(origin(a))
			.map(|_| ())
			.map_err(|e| e.error),
		Op::Dissolve(n, by_owner) => {
			let net = subnet(n);
			let owner = <Subnets as SubnetsInterface<_, _, _>>::subnet_owner(net).unwrap_or(1);
			let who = if by_owner {
				owner
			} else {
				owner % COLDKEYS + 1
			};
			Subnets::dissolve_network(origin(who), net)
				.map(|_| ())
				.map_err(|e| e.error)
		},
		Op::Register(n, h, wrong) => {
			let c = wrong.unwrap_or(h % COLDKEYS + 1);
			Subnets::burned_register(origin(c), subnet(n), h)
				.map(|_| ())
				.map_err(|e| e.error)
		},
		Op::Add(a, n, h, x) => {
			let net = subnet(n);
			Stake::add_stake(origin(a), neuron(net, h), net, x)
		},
		Op::Remove(a, p, x) => {
			let (c, h, n, s) = position(a, p);
			Stake::remove_stake(origin(c), h, n, x.map_or(s, |k| s * k / 4))
				.map(|_| ())
				.map_err(|e| e.error)
		},
		Op::Move(a, p, n, h, x) => {
			let net = subnet(n);
			let to = neuron(net, h);
			let (c, fh, fnet, s) = position(a, p);
			Stake::move_stake(origin(c), fh, fnet, to, net, s * x / 4)
				.map(|_| ())
				.map_err(|e| e.error)
		},
		Op::SetWeights(n, h, w) => {
			let net = subnet(n);
			let (uids, values): (Vec<u16>, Vec<u16>) = w.into_iter().unzip();
			Subnets::set_weights(
				origin(neuron(net, h)),
				net,
				uids.try_into().unwrap(),
				values.try_into().unwrap(),
				0,
			)
		},
		Op::Advance(k) => {
			run_to_block(System::block_number() + k);
			Ok(())
		},
	}
}

fn locks_of(a: AccountId) -> Balance {
	pallet_subnets::Networks::<Test>::iter()
		.filter(|(_, s)| s.owner == a)
		.map(|(_, s)| s.locked)
		.sum()
}

proptest! {
	#![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

	#[test]
	fn random_call_sequences_keep_invariants(ops in proptest::collection::vec(op(), 1..30)) {
		new_test_ext().execute_with(|| {
			let mut burned: BTreeMap<AccountId, Balance> = BTreeMap::new();
			// Start from two subnets with a few neurons each.
			for (owner, hotkeys) in [(1u64, [11u64, 12, 13]), (2, [14, 15, 16])] {
				let net = pallet_subnets::NextNetUid::<Test>::get();
				frame_support::assert_ok!(Subnets::register_network(origin(owner)));
				for h in hotkeys {
					frame_support::assert_ok!(Subnets::burned_register(origin(h % COLDKEYS + 1), net, h));
				}
			}
			for e in System::events() {
				if let RuntimeEvent::Subnets(pallet_subnets::Event::NeuronRegistered { coldkey, burned: b, .. }) = e.event {
					*burned.entry(coldkey).or_default() += b;
				}
			}
			for op in &ops {
				System::reset_events();
				let res = apply(op);
				if std::env::var("ARENA_PROPTEST_STATS").is_ok() {
					println!("STAT {res:?} {op:?}");
				}
				for e in System::events() {
					match e.event {
						RuntimeEvent::Subnets(pallet_subnets::Event::NeuronRegistered { coldkey, burned: b, .. }) => {
							*burned.entry(coldkey).or_default() += b;
						},
						// An owner dissolving early forfeits its lock above the minimum.
						RuntimeEvent::Subnets(pallet_subnets::Event::LockForfeited { owner, amount, .. }) => {
							*burned.entry(owner).or_default() += amount;
						},
						_ => {},
					}
				}
				check_invariants();
				for a in 1..=COLDKEYS {
					assert_eq!(
						Balances::total_balance_on_hold(&a),
						locks_of(a) + ColdkeyStake::<Test>::get(a),
						"held = locks + stake for {a} after {op:?}"
					);
					let spent = burned.get(&a).copied().unwrap_or(0);
					assert_eq!(Balances::total_balance(&a), INITIAL - spent, "account {a} after {op:?}");
				}
			}
		});
	}
}
