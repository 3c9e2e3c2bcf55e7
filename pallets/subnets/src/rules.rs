//! Pure rules of this pallet that `arena-rules` does not (yet) provide: which subnet to prune
//! when the subnet limit is reached. Epoch boundaries are [`arena_rules::epoch_schedule`]'s;
//! weight rows are checked by [`arena_rules::yuma::validate_weights`] (the one rule).
//!
//! Lock cost, burn price and the neuron pruning choice come from
//! [`arena_rules::registration`].

use arena_pallet_primitives::NetUid;
use arena_rules::BlockNumber;

/// What the subnet pruning rule needs to know about a subnet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubnetCandidate {
	/// The subnet.
	pub netuid: NetUid,
	/// Its emission (flow) score, raw `FixedI128` inner value.
	pub score: i128,
	/// Registration block.
	pub registered_at: BlockNumber,
}

/// The subnet to prune when the limit is reached: among subnets **outside** the network
/// immunity period (`now − registered_at >= immunity`), the one with the **lowest emission
/// score**; ties go to the **oldest** registration, then to the lowest netuid. `None` if every
/// subnet is immune (registration is then refused).
pub fn subnet_to_prune(
	subnets: &[SubnetCandidate],
	now: BlockNumber,
	immunity: BlockNumber,
) -> Option<NetUid> {
	subnets
		.iter()
		.filter(|s| now.saturating_sub(s.registered_at) >= immunity)
		.min_by_key(|s| (s.score, s.registered_at, s.netuid))
		.map(|s| s.netuid)
}

pub use arena_rules::epoch_schedule::{is_epoch_block, next_epoch_block};

#[cfg(test)]
mod tests {
	use super::*;

	fn c(netuid: NetUid, score: i128, registered_at: BlockNumber) -> SubnetCandidate {
		SubnetCandidate {
			netuid,
			score,
			registered_at,
		}
	}

	#[test]
	fn subnet_pruning_rule() {
		let subnets = [
			c(0, 50, 0),
			c(1, -5, 900),
			c(2, 10, 100),
			c(3, 10, 50),
			c(4, 10, 50),
		];
		// Subnet 1 is immune at 1_000 (immunity 200): lowest score 10 → oldest 50 → netuid 3.
		assert_eq!(subnet_to_prune(&subnets, 1_000, 200), Some(3));
		// At 1_100 subnet 1 is out of immunity and has the lowest score.
		assert_eq!(subnet_to_prune(&subnets, 1_100, 200), Some(1));
		assert_eq!(subnet_to_prune(&subnets, 10, 200), None);
		assert_eq!(subnet_to_prune(&[], 10, 0), None);
	}
}
