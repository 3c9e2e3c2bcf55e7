//! Property test: random sequences of commits, votes, setting and tempo changes, stake moves,
//! dissolutions and block advances. After every step:
//! - the three pallets' `do_try_state` (round records ↔ commitments and votes, open round is
//!   the newest, seeds recorded exactly when their block is past, no data of missing subnets…);
//! - a commit or vote that succeeded was made in its phase of the open round (Training /
//!   Voting, as the pure schedule says), and one made outside it failed.
//!
//! Cases: 1,000 by default, `PROPTEST_CASES` to change.

use crate::{mock::*, *};
use arena_pallet_primitives::SubnetsInterface;
use frame_support::BoundedVec;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
	/// Hotkey `h` commits to the open round + `offset` (−1, 0, 1) with fingerprint `fp`.
	Commit(AccountId, i8, u8, bool),
	/// Hotkey `h` votes hash `[x; 32]` in the open round.
	Vote(AccountId, u8),
	/// The owner sets `(deadline, window)`.
	Settings(u32, u32),
	/// The owner sets the tempo.
	Tempo(u32),
	/// Coldkey 6 stakes on validator `h`.
	Stake(AccountId, u64),
	/// The owner dissolves the subnet and registers a new, configured one (the old one's rounds
	/// are pruned while the new one runs).
	Dissolve,
	Advance(u64),
}

fn op() -> impl Strategy<Value = Op> {
	let miner = prop_oneof![Just(11u64), Just(12), Just(13), Just(21), Just(19)];
	let voter = prop_oneof![3 => Just(21u64), 3 => Just(22), 1 => Just(11), 1 => Just(19)];
	prop_oneof![
		12 => (miner, prop_oneof![1 => Just(-1i8), 6 => Just(0), 1 => Just(1)], 0u8..3, proptest::bool::weighted(0.9))
			.prop_map(|(h, o, f, s)| Op::Commit(h, o, f, s)),
		10 => (voter, 1u8..4).prop_map(|(h, x)| Op::Vote(h, x)),
		2 => (0u32..16, 0u32..10).prop_map(|(d, v)| Op::Settings(d, v)),
		2 => prop_oneof![Just(5u32), Just(12), Just(20), Just(33)].prop_map(Op::Tempo),
		2 => (prop_oneof![Just(21u64), Just(22)], 10u64..500).prop_map(|(h, a)| Op::Stake(h, a)),
		1 => Just(Op::Dissolve),
		16 => prop_oneof![1u64..3, 3u64..30].prop_map(Op::Advance),
	]
}

fn cases() -> u32 {
	std::env::var("PROPTEST_CASES")
		.ok()
		.and_then(|c| c.parse().ok())
		.unwrap_or(1_000)
}

/// Phase of the open round of `netuid` now, from the pure schedule (`None`: no open round).
fn open_phase(netuid: u16) -> Option<(u32, Phase)> {
	let round = OpenRound::<Test>::get(netuid)?;
	let record = RoundRecords::<Test>::get(netuid, round)?;
	let schedule = Rounds::schedule_of(&record)?;
	Some((round, schedule.phase_at(System::block_number())))
}

fn apply(netuid: u16, op: &Op) -> sp_runtime::DispatchResult {
	let open = open_phase(netuid);
	match op.clone() {
		Op::Commit(h, offset, f, steps_ok) => {
			let base = open.map(|(r, _)| r).unwrap_or(0);
			let round = base.saturating_add_signed(i32::from(offset));
			let fp = [FP_A, FP_B, [0xEE; 32]][usize::from(f)];
			let steps = if steps_ok { STEPS } else { STEPS + 1 };
			let res = Rounds::commit_contribution(
				origin(h),
				netuid,
				round,
				[1; 32],
				[2; 32],
				steps,
				fp,
				[h as u8; 32],
			);
			if res.is_ok() {
				assert_eq!(
					open,
					Some((round, Phase::Training)),
					"commit outside Training"
				);
			}
			if !matches!(open, Some((r, Phase::Training)) if r == round) {
				assert!(res.is_err(), "commit accepted outside Training: {open:?}");
			}
			res
		},
		Op::Vote(h, x) => {
			let round = open.map(|(r, _)| r).unwrap_or(0);
			let res = Rounds::vote_checkpoint(origin(h), netuid, round, [x; 32]);
			if res.is_ok() {
				assert_eq!(
					open.map(|(_, p)| p),
					Some(Phase::Voting),
					"vote outside Voting"
				);
			}
			if open.map(|(_, p)| p) != Some(Phase::Voting) {
				assert!(res.is_err(), "vote accepted outside Voting: {open:?}");
			}
			res
		},
		Op::Settings(d, v) => {
			Rounds::set_round_settings(origin(1), netuid, d, v, fingerprints(&[FP_A, FP_B]))
		},
		Op::Tempo(t) => Subnets::set_hyperparameters(
			origin(1),
			netuid,
			BoundedVec::truncate_from(vec![pallet_subnets::types::HyperParam::Tempo(t)]),
		),
		Op::Stake(h, a) => Stake::add_stake(origin(6), h, netuid, a),
		Op::Dissolve => Subnets::dissolve_network(origin(1), netuid)
			.map(|_| ())
			.map_err(|e| e.error),
		Op::Advance(k) => {
			run_to_block(System::block_number() + k);
			Ok(())
		},
	}
}

proptest! {
	#![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

	#[test]
	fn random_call_sequences_keep_invariants(ops in proptest::collection::vec(op(), 1..60)) {
		new_test_ext().execute_with(|| {
			let mut netuid = setup();
			run_to_block(19);
			for op in &ops {
				let res = apply(netuid, op);
				if std::env::var("ARENA_PROPTEST_STATS").is_ok() {
					println!("STAT {res:?} {op:?}");
				}
				check_invariants();
				if !<Subnets as SubnetsInterface<_, _, _>>::subnet_exists(netuid) {
					prop_assert!(OpenRound::<Test>::get(netuid).is_none());
					netuid = setup();
					check_invariants();
				}
			}
			// Long after the last escrow window only the live subnet's recent rounds remain.
			run_to_block(System::block_number() + 200);
			check_invariants();
			for (n, r, record) in RoundRecords::<Test>::iter() {
				prop_assert_eq!(n, netuid, "round {} of dissolved subnet {} left", r, n);
				let closed = record.closed_at.unwrap_or(System::block_number());
				prop_assert!(closed + u64::from(ESCROW) + 40 > System::block_number(), "round {} not pruned", r);
			}
			Ok::<(), TestCaseError>(())
		})?;
	}
}
