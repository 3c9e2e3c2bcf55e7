//! Pruning: rounds leave storage once past the escrow window, with bounded work per block.

use crate::{mock::*, *};
use frame_support::assert_ok;

fn full_round(netuid: u16) {
	for m in MINERS {
		assert_ok!(commit(netuid, 0, m, FP_A, [m as u8; 32]));
	}
}

#[test]
fn a_round_is_kept_for_the_escrow_window_then_pruned() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(21);
		full_round(netuid);
		run_to_block(35);
		assert_ok!(Rounds::vote_checkpoint(origin(21), netuid, 0, [7; 32]));
		// Closed at 40, escrow window 40: due at 80, checked at the next epoch (80).
		run_to_block(79);
		assert!(RoundRecords::<Test>::contains_key(netuid, 0));
		assert!(Rounds::round_view(netuid, 0).is_some());
		run_to_block(81);
		assert!(!RoundRecords::<Test>::contains_key(netuid, 0));
		assert_eq!(Commitments::<Test>::iter_prefix((netuid, 0)).count(), 0);
		assert_eq!(Votes::<Test>::iter_prefix((netuid, 0)).count(), 0);
		assert_eq!(OldestRound::<Test>::get(netuid), 1);
		assert!(events().contains(&Event::RoundPruned { netuid, round: 0 }));
		// Residuals of registered hotkeys stay (they bind the next commitment).
		assert!(Rounds::last_residual(netuid, &11).is_some());
	});
}

#[test]
fn pruning_removes_at_most_max_prune_per_block() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(21);
		full_round(netuid); // 3 commitments
		run_to_block(35);
		assert_ok!(Rounds::vote_checkpoint(origin(21), netuid, 0, [7; 32]));
		assert_ok!(Rounds::vote_checkpoint(origin(22), netuid, 0, [7; 32]));
		run_to_block(79);
		assert!(RoundRecords::<Test>::contains_key(netuid, 0));
		// At 80: one unit to check the subnet, one kept for the record, 3 items (the 3
		// commitments); the 2 votes wait for the next block.
		run_to_block(80);
		let r = RoundRecords::<Test>::get(netuid, 0).expect("partially pruned");
		assert_eq!((r.commitments, r.votes), (0, 2));
		check_invariants();
		run_to_block(81);
		assert!(!RoundRecords::<Test>::contains_key(netuid, 0));
	});
}

#[test]
fn residual_of_a_hotkey_that_left_goes_with_its_last_round() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(21);
		full_round(netuid);
		// Hotkey 13 is replaced: the subnet is full (8 UIDs) after three more, then a ninth
		// registration outside the immunity period replaces the lowest-emission neuron.
		for (c, h) in [(6, 14), (7, 15), (8, 16)] {
			assert_ok!(Subnets::burned_register(origin(c), netuid, h));
		}
		run_to_block(60);
		assert_ok!(Subnets::burned_register(origin(9), netuid, 17));
		let gone: Vec<u64> = MINERS
			.iter()
			.copied()
			.filter(|h| pallet_subnets::Uids::<Test>::get(netuid, h).is_none())
			.collect();
		assert!(!gone.is_empty(), "a miner was replaced");
		run_to_block(81);
		for h in MINERS {
			assert_eq!(
				Rounds::last_residual(netuid, &h).is_none(),
				gone.contains(&h),
				"hotkey {h}"
			);
		}
	});
}

#[test]
fn a_dissolved_subnet_is_cleared_over_blocks() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(21);
		full_round(netuid);
		run_to_block(41);
		assert_ok!(commit(netuid, 1, 11, FP_A, [1; 32]));
		assert_ok!(Subnets::dissolve_network(origin(1), netuid));
		assert!(Settings::<Test>::get(netuid).is_none());
		assert!(Checkpoint::<Test>::get(netuid).is_none());
		run_to_block(42);
		check_invariants();
		run_to_block(45);
		assert_eq!(RoundRecords::<Test>::iter().count(), 0);
		assert_eq!(LastResidual::<Test>::iter().count(), 0);
		assert_eq!(PruneQueue::<Test>::iter().count(), 0);
		assert_eq!(NextRound::<Test>::get(netuid), 0);
	});
}
