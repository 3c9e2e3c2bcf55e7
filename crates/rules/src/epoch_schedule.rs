//! When a subnet's epochs run (SPEC §3): every `tempo` blocks, staggered by netuid.
//!
//! ```text
//! epoch block of netuid n  ⇔  (b + n) mod max(tempo, 1) = 0
//! next epoch block after a = a + T − ((a + n) mod T),   T = max(tempo, 1)
//! epoch window of a         = [a − ((a + n) mod T), next epoch block after a)
//! ```
//!
//! A validator sets (or commits) weights **at most once per epoch window**
//! ([`same_epoch_window`]): a fixed count of blocks since the last setting would refuse a
//! validator whose work finishes earlier in round `r + 1` than in round `r`.
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

/// The first block of the epoch window of `netuid` that contains `at`: the last epoch block
/// `<= at` (`at` itself on an epoch block; 0 before the first one).
pub fn epoch_window_start(netuid: u16, at: BlockNumber, tempo: u32) -> BlockNumber {
	let tempo = u64::from(tempo.max(1));
	let r = at
		.saturating_add(u64::from(netuid))
		.checked_rem(tempo)
		.unwrap_or(0);
	at.saturating_sub(r)
}

/// Whether `earlier <= now` lie in the same epoch window of `netuid` at the current `tempo`:
/// `earlier >= epoch_window_start(netuid, now, tempo)`.
pub fn same_epoch_window(netuid: u16, earlier: BlockNumber, now: BlockNumber, tempo: u32) -> bool {
	earlier >= epoch_window_start(netuid, now, tempo)
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

	#[test]
	fn epoch_windows_start_at_epoch_blocks() {
		assert_eq!(epoch_window_start(0, 0, 10), 0);
		assert_eq!(epoch_window_start(0, 9, 10), 0);
		assert_eq!(epoch_window_start(0, 10, 10), 10);
		assert_eq!(epoch_window_start(3, 7, 10), 7);
		assert_eq!(epoch_window_start(3, 6, 10), 0);
		assert!(same_epoch_window(0, 10, 19, 10));
		assert!(
			!same_epoch_window(0, 9, 12, 10),
			"a new window opened at 10"
		);
	}

	proptest! {
		#[test]
		fn an_epoch_window_runs_from_an_epoch_block_to_the_next(
			netuid in 0u16..64, at in 0u64..1_000_000, tempo in 0u32..500,
		) {
			let start = epoch_window_start(netuid, at, tempo);
			prop_assert!(start <= at);
			prop_assert!(start == 0 || is_epoch_block(netuid, start, tempo));
			prop_assert!(next_epoch_block(netuid, at, tempo) > at);
			prop_assert!(at - start < u64::from(tempo.max(1)));
			for b in (start + 1)..=at {
				prop_assert!(!is_epoch_block(netuid, b, tempo));
			}
		}

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
