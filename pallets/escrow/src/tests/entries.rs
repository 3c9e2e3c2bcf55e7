//! Epoch payouts become escrow entries instead of stake.

use super::*;
use crate::{Destination, Event, Source, Totals};

#[test]
fn epoch_payouts_land_in_escrow_not_in_stake() {
	build_and_execute(|| {
		let netuid = arena();
		let stake_before = position(20, 21, netuid);
		let validator_before = position(10, 11, netuid);
		let epoch = until_miners_paid(netuid);
		// Nothing reached stake at the epoch.
		assert_eq!(position(20, 21, netuid), stake_before);
		assert_eq!(position(10, 11, netuid), validator_before);
		// Every part is an entry released one window later.
		let miners = entries_of(netuid, EntryKind::Incentive);
		assert!(!miners.is_empty());
		for (_, e) in &miners {
			assert_eq!(e.release_at, epoch + window());
			assert_eq!(e.source, Source::Emission);
		}
		let owner = entries_of(netuid, EntryKind::OwnerCut);
		assert!(matches!(owner.last(), Some((_, e)) if e.destination == Destination::Free(1)));
		assert!(!entries_of(netuid, EntryKind::Dividends).is_empty());
	});
}

#[test]
fn escrowed_total_equals_emission_paid() {
	build_and_execute(|| {
		let netuid = arena();
		until_miners_paid(netuid);
		let paid = pallet_emission::Totals::<Test>::get().paid;
		assert!(paid > 0);
		let t = Totals::<Test>::get();
		assert_eq!(t.escrowed_emission, paid);
		assert_eq!(t.open + t.released, paid);
	});
}

#[test]
fn entry_records_round_and_earner() {
	build_and_execute(|| {
		let netuid = arena();
		until_miners_paid(netuid);
		let round = pallet_emission::EpochIndex::<Test>::get(netuid) - 1;
		let (_, e) = entries_of(netuid, EntryKind::Incentive)
			.into_iter()
			.find(|(_, e)| e.earner == 21)
			.expect("miner 21 paid");
		assert_eq!(e.round, round);
		assert_eq!(
			e.destination,
			Destination::Stake {
				coldkey: 20,
				hotkey: 21
			}
		);
		assert!(events().iter().any(|ev| matches!(
			ev,
			Event::Escrowed {
				kind: EntryKind::Incentive,
				account: 20,
				..
			}
		)));
	});
}

#[test]
fn miner_payout_fails_if_earner_escrow_full() {
	build_and_execute(|| {
		MaxEntriesPerEarner::set(1);
		let netuid = arena();
		until_miners_paid(netuid);
		assert_eq!(
			entries_of(netuid, EntryKind::Incentive)
				.iter()
				.filter(|(_, e)| e.earner == 21)
				.count(),
			1
		);
		let pending_before = pallet_emission::PendingEmission::<Test>::get(netuid);
		run_to_epoch(netuid);
		// The second incentive could not be escrowed: it stays pending, nothing is lost.
		assert_eq!(
			entries_of(netuid, EntryKind::Incentive)
				.iter()
				.filter(|(_, e)| e.earner == 21)
				.count(),
			1
		);
		assert!(pallet_emission::PendingEmission::<Test>::get(netuid) > pending_before);
		assert!(System::events().iter().any(|r| matches!(
			r.event,
			RuntimeEvent::Emission(pallet_emission::Event::PayoutFailed {
				beneficiary: 21,
				..
			})
		)));
		MaxEntriesPerEarner::set(64);
	});
}

#[test]
fn non_slashable_payout_released_directly_if_subnet_escrow_full() {
	build_and_execute(|| {
		let netuid = arena();
		until_miners_paid(netuid);
		let open = crate::SubnetEntryCount::<Test>::get(netuid);
		MaxEntriesPerSubnet::set(open);
		let owner_free = free(1);
		run_to_epoch(netuid);
		// The owner cut could not wait in escrow: it was paid at once.
		assert!(free(1) > owner_free);
		assert!(events().iter().any(|ev| matches!(
			ev,
			Event::ReleasedDirectly {
				kind: EntryKind::OwnerCut,
				account: 1,
				..
			}
		)));
		MaxEntriesPerSubnet::set(1_000);
	});
}
