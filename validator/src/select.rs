//! Which miners and which segments this validator audits in a round (SPEC §6.5).
//!
//! * **Miners.** Every committed miner gets the manifest and update checks (they decide what
//!   is aggregated, see [`crate::aggregate`]). Segment audits go to all committed miners when
//!   at most `max` committed; otherwise to the `max` miners with the smallest
//!   `BLAKE2b-256("arena/audit-miners/v1" ‖ audit seed ‖ validator hotkey ‖ miner hotkey)`.
//!   The audit seed is unknown when miners commit, so no miner can steer its chance; each
//!   validator draws its own subset, so together they cover more miners.
//! * **Segments.** [`arena_rules::round::audit_segments`] with BLAKE2b-256 (the on-chain
//!   rule), `s` segments of the `H / c` a miner ran. When the miner declared another backend
//!   than this validator's (tolerance mode), [`arena_rules::round::tolerance_audit_segments`]:
//!   the same draw over the segments after AdamW's warm-up, where cross-backend rounding
//!   errors stay far below ε.

use arena_chain_client::blake2_256;
use arena_chain_client::types::{AccountId, Hash32};

/// Domain separator of the miner draw.
pub const MINER_DRAW_DOMAIN: &[u8] = b"arena/audit-miners/v1";

/// The miners (of `committed`) that get segment audits: all if at most `max`, else the `max`
/// with the smallest draw hash (see the module docs). The result keeps `committed`'s order.
pub fn select_miners(
	audit_seed: &Hash32,
	validator: &AccountId,
	committed: &[AccountId],
	max: usize,
) -> Vec<AccountId> {
	if committed.len() <= max {
		return committed.to_vec();
	}
	let draw = |miner: &AccountId| {
		let mut input = Vec::with_capacity(MINER_DRAW_DOMAIN.len() + 96);
		input.extend_from_slice(MINER_DRAW_DOMAIN);
		input.extend_from_slice(audit_seed);
		input.extend_from_slice(&validator.0);
		input.extend_from_slice(&miner.0);
		blake2_256(&input)
	};
	let mut ranked: Vec<(Hash32, &AccountId)> = committed.iter().map(|m| (draw(m), m)).collect();
	ranked.sort();
	let chosen: Vec<&AccountId> = ranked.into_iter().take(max).map(|(_, m)| m).collect();
	committed
		.iter()
		.filter(|m| chosen.contains(m))
		.cloned()
		.collect()
}

/// The segments this validator audits for `miner` (the on-chain rule): all `n` segments are
/// eligible when the audit is bitwise (`same_backend`), only those after the warm-up
/// otherwise (segments of `segment_len` steps).
pub fn segments_for(
	audit_seed: &Hash32,
	validator: &AccountId,
	miner: &AccountId,
	n_segments: u32,
	s: u32,
	segment_len: u64,
	same_backend: bool,
) -> Vec<u32> {
	if same_backend {
		arena_rules::round::audit_segments(
			blake2_256,
			audit_seed,
			&validator.0,
			&miner.0,
			n_segments,
			s,
		)
	} else {
		arena_rules::round::tolerance_audit_segments(
			blake2_256,
			audit_seed,
			&validator.0,
			&miner.0,
			n_segments,
			s,
			segment_len,
		)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn acc(i: u8) -> AccountId {
		AccountId::from([i; 32])
	}

	#[test]
	fn all_miners_are_audited_when_few_committed() {
		let c = vec![acc(1), acc(2), acc(3)];
		assert_eq!(select_miners(&[7; 32], &acc(9), &c, 3), c);
	}

	#[test]
	fn subset_is_seeded_sized_and_depends_on_validator() {
		let c: Vec<AccountId> = (1..=20).map(acc).collect();
		let a = select_miners(&[7; 32], &acc(100), &c, 5);
		assert_eq!(a.len(), 5);
		assert_eq!(a, select_miners(&[7; 32], &acc(100), &c, 5));
		assert_ne!(a, select_miners(&[8; 32], &acc(100), &c, 5));
		assert_ne!(a, select_miners(&[7; 32], &acc(101), &c, 5));
	}

	#[test]
	fn tolerance_mode_never_picks_a_warm_up_segment() {
		for seed in 0..50u8 {
			let s = segments_for(&[seed; 32], &acc(1), &acc(2), 20, 4, 16, false);
			assert_eq!(s.len(), 4);
			assert!(s.iter().all(|&x| (2..20).contains(&x)), "{s:?}");
		}
	}

	#[test]
	fn segments_are_the_on_chain_rule() {
		let s = segments_for(&[1; 32], &acc(1), &acc(2), 10, 3, 16, true);
		assert_eq!(s.len(), 3);
		assert!(s.windows(2).all(|w| w[0] < w[1]) && s.iter().all(|&x| x < 10));
		assert_eq!(
			s,
			arena_rules::round::audit_segments(blake2_256, &[1; 32], &[1; 32], &[2; 32], 10, 3)
		);
	}
}
