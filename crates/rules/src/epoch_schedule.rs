//! When a subnet's epochs run (SPEC §3): every `tempo` blocks, staggered by netuid.
//!
//! ```text
//! epoch block of netuid n  ⇔  (b + n) mod max(tempo, 1) = 0
//! next epoch block after a = a + T − ((a + n) mod T),   T = max(tempo, 1)
//! ```
//!
//! Staggering keeps the subnets' epochs (and their weight) out of the same block. The chain
//! runs epochs, opens rounds and computes weight-reveal windows with these functions; the
//! programs use them to know when the chain will.

use crate::BlockNumber;

/// Whether `now` is an epoch block of `netuid`: `(now + netuid) % tempo == 0` (tempo 0 acts as 1).
pub fn is_epoch_block(netuid: u16, now: BlockNumber, tempo: u32) -> bool {
	let tempo = u64::from(tempo.max(1));
	now.saturating_add(u64::from(netuid)).checked_rem(tempo) == Some(0)
}

/// The first epoch block of `netuid` strictly after `after`.
pub fn next_epoch_block(netuid: u16, after: BlockNumber, tempo: u32) -> BlockNumber {
	let tempo = u64::from(tempo.max(1));
	let r = after
		.saturating_add(u64::from(netuid))
		.checked_rem(tempo)
		.unwrap_or(0);
	after.saturating_add(tempo.saturating_sub(r))
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	#[test]
	fn epoch_blocks_are_staggered_by_netuid() {
		assert!(is_epoch_block(0, 360, 360));
		assert!(!is_epoch_block(1, 360, 360));
		assert!(is_epoch_block(1, 359, 360));
		assert_eq!(next_epoch_block(0, 0, 10), 10);
		assert_eq!(next_epoch_block(0, 9, 10), 10);
		assert_eq!(next_epoch_block(0, 10, 10), 20);
		assert_eq!(next_epoch_block(3, 5, 10), 7);
		assert!(is_epoch_block(0, 7, 0), "tempo 0 behaves as 1");
	}

	proptest! {
		#[test]
		fn next_epoch_block_is_the_first_epoch_block_after(
			netuid in 0u16..64, after in 0u64..1_000_000, tempo in 0u32..500,
		) {
			let next = next_epoch_block(netuid, after, tempo);
			prop_assert!(next > after);
			prop_assert!(is_epoch_block(netuid, next, tempo));
			for b in (after + 1)..next {
				prop_assert!(!is_epoch_block(netuid, b, tempo));
			}
		}
	}
}
