//! Escrow's books over random call sequences: after every step every pallet's `try_state`
//! holds (escrow balance = floor + open + unpaid bounty funds + open bonds + queued dividends;
//! escrowed equals released plus slashed plus open plus queued dividends; indices match
//! entries; the dividend and bounty queues are consistent; emission paid = escrowed emission;
//! issuance ≤ cap). `on_idle` runs in every block with a random weight (from nothing to a whole
//! block), and the queues have small random bounds, so queued work spans blocks and full queues
//! fall back to paying at once.
//!
//! `PROPTEST_CASES` sets the number of sequences (default 1,000).

use super::*;
use frame_support::{weights::Weight, BoundedVec};
use proptest::prelude::*;
use sp_runtime::Perbill;

#[derive(Clone, Debug)]
enum Step {
	Advance {
		blocks: u8,
	},
	AddStake {
		coldkey: u8,
		hotkey: u8,
		amount: u16,
	},
	RemoveStake {
		coldkey: u8,
		hotkey: u8,
		amount: u16,
	},
	MoveStake {
		coldkey: u8,
		from: u8,
		to: u8,
		amount: u16,
	},
	SetWeights {
		validator: u8,
		w21: u16,
		w23: u16,
	},
	SetTake {
		validator: u8,
		take: u8,
	},
	Claim {
		pick: u16,
	},
	Challenge {
		validator: u8,
		miner: u8,
		back: u8,
	},
	Support {
		validator: u8,
		miner: u8,
		back: u8,
	},
	FundBounty {
		sponsor: u8,
		per_epoch: u8,
		epochs: u8,
	},
	CancelBounty {
		sponsor: u8,
		id: u8,
	},
	/// Sets the weight `on_idle` gets from now on: `0` a whole block, else `idle` µs.
	Throttle {
		idle: u16,
	},
}

/// Coldkeys 10, 12, 14 own validator hotkeys 11, 13, 15; 20, 22 own miners 21, 23; 30..=33 are
/// delegators and sponsors.
const VALIDATORS: [u64; 3] = [11, 13, 15];
const MINERS: [u64; 2] = [21, 23];
const HOTKEYS: [u64; 5] = [11, 13, 15, 21, 23];

fn step() -> impl Strategy<Value = Step> {
	prop_oneof![
		4 => (1u8..12).prop_map(|blocks| Step::Advance { blocks }),
		1 => (0u8..4, 0u8..5, 1u16..3000).prop_map(|(coldkey, hotkey, amount)| Step::AddStake { coldkey, hotkey, amount }),
		1 => (0u8..4, 0u8..5, 1u16..3000).prop_map(|(coldkey, hotkey, amount)| Step::RemoveStake { coldkey, hotkey, amount }),
		1 => (0u8..4, 0u8..5, 0u8..5, 1u16..3000).prop_map(|(coldkey, from, to, amount)| Step::MoveStake { coldkey, from, to, amount }),
		1 => (0u8..3, 0u16..10, 0u16..10).prop_map(|(validator, w21, w23)| Step::SetWeights { validator, w21, w23 }),
		1 => (0u8..3, 0u8..60).prop_map(|(validator, take)| Step::SetTake { validator, take }),
		1 => any::<u16>().prop_map(|pick| Step::Claim { pick }),
		2 => (0u8..3, 0u8..2, 0u8..3).prop_map(|(validator, miner, back)| Step::Challenge { validator, miner, back }),
		2 => (0u8..3, 0u8..2, 0u8..3).prop_map(|(validator, miner, back)| Step::Support { validator, miner, back }),
		1 => (0u8..4, 1u8..30, 1u8..6).prop_map(|(sponsor, per_epoch, epochs)| Step::FundBounty { sponsor, per_epoch, epochs }),
		1 => (0u8..4, 0u8..6).prop_map(|(sponsor, id)| Step::CancelBounty { sponsor, id }),
		2 => (0u16..400).prop_map(|idle| Step::Throttle { idle }),
	]
}

fn round_back(netuid: NetUid, back: u8) -> u32 {
	pallet_emission::EpochIndex::<Test>::get(netuid).saturating_sub(1 + u32::from(back))
}

fn apply(netuid: NetUid, s: &Step) {
	// Calls may fail (bad input is part of the sequence); a failed call must change nothing,
	// which the invariants check as well.
	let cold = |c: &u8| 30 + u64::from(*c);
	match s {
		Step::Advance { blocks } => run_to_block(System::block_number() + u64::from(*blocks)),
		Step::AddStake {
			coldkey,
			hotkey,
			amount,
		} => {
			let _ = Stake::add_stake(
				origin(cold(coldkey)),
				HOTKEYS[*hotkey as usize],
				netuid,
				Balance::from(*amount) * UNIT / 10,
			);
		},
		Step::RemoveStake {
			coldkey,
			hotkey,
			amount,
		} => {
			let _ = Stake::remove_stake(
				origin(cold(coldkey)),
				HOTKEYS[*hotkey as usize],
				netuid,
				Balance::from(*amount) * UNIT / 10,
			);
		},
		Step::MoveStake {
			coldkey,
			from,
			to,
			amount,
		} => {
			let _ = Stake::move_stake(
				origin(cold(coldkey)),
				HOTKEYS[*from as usize],
				netuid,
				HOTKEYS[*to as usize],
				netuid,
				Balance::from(*amount) * UNIT / 10,
			);
		},
		Step::SetWeights {
			validator,
			w21,
			w23,
		} => {
			let uids: Vec<u16> = MINERS
				.iter()
				.map(|m| pallet_subnets::Uids::<Test>::get(netuid, m).unwrap_or(0))
				.collect();
			let _ = Subnets::set_weights(
				origin(VALIDATORS[*validator as usize]),
				netuid,
				uids.try_into().unwrap(),
				sp_runtime::bounded_vec![*w21, *w23],
				0,
			);
		},
		Step::SetTake { validator, take } => {
			let v = VALIDATORS[*validator as usize];
			let _ =
				Stake::set_delegate_take(origin(v - 1), v, Perbill::from_percent(u32::from(*take)));
		},
		Step::Claim { pick } => {
			let ids: Vec<EntryId> = Entries::<Test>::iter_keys().collect();
			if !ids.is_empty() {
				let id = ids[*pick as usize % ids.len()];
				let _ = Escrow::claim(origin(1), BoundedVec::truncate_from(vec![id]));
			}
		},
		Step::Challenge {
			validator,
			miner,
			back,
		} => {
			let _ = Escrow::challenge(
				origin(VALIDATORS[*validator as usize]),
				netuid,
				MINERS[*miner as usize],
				round_back(netuid, *back),
				crate::Evidence {
					reason: crate::AuditFailure::UpdateMismatch,
					segment: 0,
					merkle_root: [7; 32],
					claimed_start: [0; 32],
					claimed_end: [0; 32],
					recomputed: [0; 32],
					update_hash: [9; 32],
				},
			);
		},
		Step::Support {
			validator,
			miner,
			back,
		} => {
			let _ = Escrow::support_challenge(
				origin(VALIDATORS[*validator as usize]),
				netuid,
				MINERS[*miner as usize],
				round_back(netuid, *back),
			);
		},
		Step::FundBounty {
			sponsor,
			per_epoch,
			epochs,
		} => {
			let _ = Escrow::fund_bounty(
				origin(cold(sponsor)),
				netuid,
				Balance::from(*per_epoch) * UNIT,
				u32::from(*epochs),
			);
		},
		Step::CancelBounty { sponsor, id } => {
			let _ = Escrow::cancel_bounty(origin(cold(sponsor)), u32::from(*id));
		},
		Step::Throttle { idle } => IdleWeight::set(if *idle == 0 {
			Weight::MAX
		} else {
			Weight::from_parts(u64::from(*idle) * 1_000_000, u64::MAX)
		}),
	}
}

fn cases() -> u32 {
	std::env::var("PROPTEST_CASES")
		.ok()
		.and_then(|v| v.parse().ok())
		.unwrap_or(1_000)
}

proptest! {
	#![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

	#[test]
	fn books_balance_after_every_step(
		steps in prop::collection::vec(step(), 1..40),
		dividend_bound in 1u32..6,
		outcome_bound in 1u32..3,
	) {
		new_test_ext().execute_with(|| {
			let netuid = arena();
			MaxPendingDividends::set(dividend_bound);
			MaxPendingOutcomes::set(outcome_bound);
			let mut last_slashed = 0;
			for s in &steps {
				apply(netuid, s);
				check_invariants();
				// Slashes only ever grow, and never exceed what was escrowed.
				let t = crate::Totals::<Test>::get();
				assert!(t.slashed >= last_slashed);
				assert!(t.slashed <= t.escrowed_emission + t.escrowed_bounty);
				last_slashed = t.slashed;
			}
			// Given time (and idle weight), everything queued is split and paid, and everything
			// not slashed or challenged is released.
			IdleWeight::set(Weight::MAX);
			run_to_block(System::block_number() + 4 * window());
			check_invariants();
			assert!(crate::DividendQueue::<Test>::get().is_empty(), "dividends left queued");
			assert!(crate::OutcomeQueue::<Test>::get().bounds.is_empty(), "outcomes left queued");
			let held_back = Entries::<Test>::iter_values().all(|e| {
				crate::OpenChallenges::<Test>::get(e.netuid, e.earner) > 0
					|| e.release_at > System::block_number()
			});
			assert!(held_back, "a matured, unchallenged entry was never released");
		});
	}
}
