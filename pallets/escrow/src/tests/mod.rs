//! Tests of the escrow pallet, by topic. Every test ends with every pallet's `try_state` and
//! the cross-pallet checks (`mock::build_and_execute`).

mod bounty;
mod budget;
mod challenge;
mod deferral;
mod delegation;
mod entries;
mod properties;
mod release;

use crate::{mock::*, Entries, EntryId, EntryKind, EscrowEntry};
use arena_pallet_primitives::NetUid;

/// Open entries of `kind` on `netuid`, by id.
pub fn entries_of(
	netuid: NetUid,
	kind: EntryKind,
) -> Vec<(EntryId, EscrowEntry<AccountId, Balance, u64>)> {
	let mut v: Vec<_> = Entries::<Test>::iter()
		.filter(|(_, e)| e.netuid == netuid && e.kind == kind)
		.collect();
	v.sort_by_key(|(id, _)| *id);
	v
}

/// Σ of the open entries `earner` earned on `netuid`.
pub fn escrowed_for(netuid: NetUid, earner: AccountId) -> Balance {
	Entries::<Test>::iter_values()
		.filter(|e| e.netuid == netuid && e.earner == earner)
		.map(|e| e.amount)
		.sum()
}

/// Runs epochs until miner 21 has an open incentive entry; returns the epoch block.
pub fn until_miners_paid(netuid: NetUid) -> u64 {
	for _ in 0..5 {
		run_to_epoch(netuid);
		if escrowed_for(netuid, 21) > 0 {
			return System::block_number();
		}
	}
	panic!("miners were never paid");
}
