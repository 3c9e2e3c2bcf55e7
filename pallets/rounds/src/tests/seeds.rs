//! Round and audit seeds: recorded one block after their block, equal to its hash.

use crate::{mock::*, *};
use frame_support::assert_ok;

#[test]
fn round_seed_is_the_start_block_hash_recorded_at_start_plus_one() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(20);
		assert_eq!(
			RoundRecords::<Test>::get(netuid, 0).unwrap().round_seed,
			None
		);
		run_to_block(21);
		assert_eq!(
			RoundRecords::<Test>::get(netuid, 0).unwrap().round_seed,
			Some(block_hash(20))
		);
		assert!(events().contains(&Event::SeedRecorded {
			netuid,
			round: 0,
			kind: SeedKind::Round,
			seed: block_hash(20),
		}));
	});
}

#[test]
fn audit_seed_is_the_deadline_block_hash_recorded_at_deadline_plus_one() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(28);
		let view = Rounds::current_round(netuid).unwrap();
		assert_eq!(view.phase, Phase::DeadlinePassed);
		assert_eq!(view.record.audit_seed, None);
		run_to_block(29);
		let view = Rounds::current_round(netuid).unwrap();
		assert_eq!(view.phase, Phase::Auditing);
		assert_eq!(view.record.audit_seed, Some(block_hash(28)));
		assert!(SeedsDue::<Test>::get(28).is_none());
	});
}

#[test]
fn seeds_of_a_dissolved_subnet_round_are_still_recorded() {
	build_and_execute(|| {
		let netuid = setup();
		run_to_block(23);
		assert_ok!(Subnets::dissolve_network(origin(1), netuid));
		let r = RoundRecords::<Test>::get(netuid, 0).unwrap();
		assert_eq!((r.closed_at, r.audit_block), (Some(23), 23));
		assert!(SeedsDue::<Test>::get(28).is_none());
		run_to_block(24);
		assert_eq!(OpenRound::<Test>::get(netuid), None);
	});
}
