//! Conservation over random call sequences: after every step the pallets' `try_state` holds
//! (`emitted = minted + unminted`, `minted = paid + Σ pending + recycled`, pot = Σ pending +
//! floor, total issuance ≤ cap, Σ stakes = total stake, held = Σ positions, …).

use crate::{mock::*, Totals};
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	tokens::{Fortitude, Precision, Preservation},
};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Step {
	Register {
		net: u8,
		coldkey: u8,
		hotkey: u8,
	},
	AddStake {
		coldkey: u8,
		hotkey: u8,
		net: u8,
		amount: u16,
	},
	RemoveStake {
		coldkey: u8,
		hotkey: u8,
		net: u8,
		amount: u16,
	},
	MoveStake {
		coldkey: u8,
		hotkey: u8,
		from: u8,
		to: u8,
		amount: u16,
	},
	SetWeights {
		hotkey: u8,
		net: u8,
		weights: Vec<(u8, u16)>,
	},
	Burn {
		who: u8,
		amount: u16,
	},
	Dissolve {
		net: u8,
	},
	Advance {
		blocks: u8,
	},
}

fn step() -> impl Strategy<Value = Step> {
	prop_oneof![
		(0u8..3, 0u8..4, 0u8..8).prop_map(|(net, coldkey, hotkey)| Step::Register {
			net,
			coldkey,
			hotkey
		}),
		(0u8..4, 0u8..8, 0u8..3, 1u16..200).prop_map(|(coldkey, hotkey, net, amount)| {
			Step::AddStake {
				coldkey,
				hotkey,
				net,
				amount,
			}
		}),
		(0u8..4, 0u8..8, 0u8..3, 1u16..200).prop_map(|(coldkey, hotkey, net, amount)| {
			Step::RemoveStake {
				coldkey,
				hotkey,
				net,
				amount,
			}
		}),
		(0u8..4, 0u8..8, 0u8..3, 0u8..3, 1u16..200).prop_map(
			|(coldkey, hotkey, from, to, amount)| Step::MoveStake {
				coldkey,
				hotkey,
				from,
				to,
				amount
			}
		),
		(
			0u8..8,
			0u8..3,
			prop::collection::vec((0u8..8, 0u16..100), 1..5)
		)
			.prop_map(|(hotkey, net, weights)| Step::SetWeights {
				hotkey,
				net,
				weights
			}),
		(0u8..4, 1u16..1000).prop_map(|(who, amount)| Step::Burn { who, amount }),
		(0u8..3).prop_map(|net| Step::Dissolve { net }),
		(1u8..25).prop_map(|blocks| Step::Advance { blocks }),
	]
}

const COLD: u64 = 20;
const HOT: u64 = 200;

fn apply(s: &Step) {
	// Calls may fail (bad input is part of the sequence); failures must change nothing, which
	// the invariants check as well.
	let net = |n: &u8| *n as u16;
	match s {
		Step::Register {
			net: n,
			coldkey,
			hotkey,
		} => {
			let _ = Subnets::burned_register(
				origin(COLD + *coldkey as u64),
				net(n),
				HOT + *hotkey as u64,
			);
		},
		Step::AddStake {
			coldkey,
			hotkey,
			net: n,
			amount,
		} => {
			let _ = Stake::add_stake(
				origin(COLD + *coldkey as u64),
				HOT + *hotkey as u64,
				net(n),
				*amount as Balance * UNIT / 10,
			);
		},
		Step::RemoveStake {
			coldkey,
			hotkey,
			net: n,
			amount,
		} => {
			let _ = Stake::remove_stake(
				origin(COLD + *coldkey as u64),
				HOT + *hotkey as u64,
				net(n),
				*amount as Balance * UNIT / 10,
			);
		},
		Step::MoveStake {
			coldkey,
			hotkey,
			from,
			to,
			amount,
		} => {
			let h = HOT + *hotkey as u64;
			let _ = Stake::move_stake(
				origin(COLD + *coldkey as u64),
				h,
				net(from),
				h,
				net(to),
				*amount as Balance * UNIT / 10,
			);
		},
		Step::SetWeights {
			hotkey,
			net: n,
			weights,
		} => {
			let (uids, values): (Vec<u16>, Vec<u16>) =
				weights.iter().map(|(u, w)| (*u as u16, *w)).unzip();
			let _ = Subnets::set_weights(
				origin(HOT + *hotkey as u64),
				net(n),
				uids.try_into().unwrap(),
				values.try_into().unwrap(),
				0,
			);
		},
		Step::Burn { who, amount } => {
			let _ = Balances::burn_from(
				&(COLD + *who as u64),
				*amount as Balance * UNIT,
				Preservation::Preserve,
				Precision::BestEffort,
				Fortitude::Polite,
			);
		},
		Step::Dissolve { net: n } => {
			let _ = Subnets::dissolve_network(RuntimeOrigin::root(), net(n));
		},
		Step::Advance { blocks } => run_to_block(System::block_number() + *blocks as u64),
	}
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(48))]

	#[test]
	fn conservation_holds_over_random_sequences(
		steps in prop::collection::vec(step(), 1..60),
		near_cap in any::<bool>(),
	) {
		new_test_ext().execute_with(|| {
			// Three subnets owned by 1, 2, 3.
			for owner in 1..=3 {
				new_subnet(owner);
			}
			if near_cap {
				// Only a few blocks of emission left below the cap.
				SupplyCap::set(Balances::total_issuance() + 7 * UNIT / 2);
			} else {
				SupplyCap::set(21_000_000 * UNIT);
			}
			let mut last_emitted = 0;
			for s in &steps {
				apply(s);
				check_invariants();
				assert!(Balances::total_issuance() <= SupplyCap::get());
				let emitted = Totals::<Test>::get().emitted;
				assert!(emitted >= last_emitted);
				last_emitted = emitted;
				// Accounts keep their money: free + held never negative and the pot alive.
				assert!(Balances::balance(&Emission::pot()) >= ED);
			}
			SupplyCap::set(21_000_000 * UNIT);
		});
	}
}
