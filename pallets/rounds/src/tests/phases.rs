//! Phases are respected at every block: a commit and a vote are tried (and rolled back) at
//! every block of three rounds and must succeed exactly in their phase of the pure schedule.

use crate::{mock::*, *};
use arena_rules::round::{Phase as P, RoundSchedule, RoundSettings};
use frame_support::storage::{with_transaction, TransactionOutcome};
use sp_runtime::DispatchResult;

fn try_rolled_back(f: impl FnOnce() -> DispatchResult) -> DispatchResult {
	with_transaction(|| TransactionOutcome::Rollback(Ok::<_, sp_runtime::DispatchError>(f())))
		.expect("rollback")
}

#[test]
fn commits_and_votes_succeed_exactly_in_their_phase_at_every_block() {
	build_and_execute(|| {
		let netuid = setup();
		let settings = RoundSettings {
			commit_deadline: DEADLINE.into(),
			vote_window: VOTE_WINDOW.into(),
		};
		for now in 2..=80u64 {
			run_to_block(now);
			// Round r opens at 20·(r + 1).
			let expected = if now < 20 {
				P::NotStarted
			} else {
				let start = now / 20 * 20;
				RoundSchedule::new(start, 20, settings)
					.unwrap()
					.phase_at(now)
			};
			let round = (now / 20).saturating_sub(1) as u32;
			let view = Rounds::current_round(netuid);
			if now >= 20 {
				let view = view.expect("a round is open");
				assert_eq!(
					(view.record.index, view.phase),
					(round, expected),
					"block {now}"
				);
			}
			let c = try_rolled_back(|| commit(netuid, round, 12, FP_B, [3; 32]));
			assert_eq!(c.is_ok(), expected == P::Training, "commit at {now}: {c:?}");
			let v = try_rolled_back(|| Rounds::vote_checkpoint(origin(21), netuid, round, [5; 32]));
			assert_eq!(v.is_ok(), expected == P::Voting, "vote at {now}: {v:?}");
			if now >= 20 {
				let want_commit_err: Option<Error<Test>> = match expected {
					P::Training => None,
					_ => Some(Error::<Test>::CommitDeadlinePassed),
				};
				if let Some(e) = want_commit_err {
					assert_eq!(c, Err(e.into()), "commit error at {now}");
				}
				if expected != P::Voting {
					assert_eq!(
						v,
						Err(Error::<Test>::VotingNotOpen.into()),
						"vote error at {now}"
					);
				}
			} else {
				assert_eq!(c, Err(Error::<Test>::NoOpenRound.into()));
			}
			check_invariants();
		}
	});
}
