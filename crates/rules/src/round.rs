//! The training round as one pure state machine (SPEC §6), run identically by the chain
//! (`pallet-rounds`) and by the miner and validator programs.
//!
//! ## Timeline
//!
//! Round `r` of a subnet opens at its epoch block `b` (`(b + netuid) % tempo == 0`) and spans
//! `[b, b + T)`, `T` the subnet's tempo when the round opened. With the owner's settings
//! `d = commit_deadline` and `v = vote_window` (both in blocks, see [`RoundSettings`]):
//!
//! ```text
//! phase            blocks                     who may act
//! Training         [b,         b + d)         miners commit (once each)
//! DeadlinePassed   [b + d,     b + d + 1)     nobody: the audit seed is this block's hash
//! Auditing         [b + d + 1, b + T − v)     validators audit (off chain) and set weights
//! Voting           [b + T − v, b + T)         validators vote the next checkpoint's hash
//! Closed           [b + T,     ∞)             nobody (tallied at the next epoch block)
//! ```
//!
//! Why these boundaries:
//! - **Commits** are accepted in blocks `b ..= b + d − 1`, i.e. *before* `b + d` (SPEC §6.3).
//! - The **audit seed** is the hash of block `b + d`, the first block in which no commitment can
//!   be included. No miner can know it when it commits (its hash does not exist yet), and
//!   everyone knows it from block `b + d + 1` on. `DeadlinePassed` is that one block in which the
//!   seed is being produced; a block cannot read its own hash, so the chain records the seed at
//!   `b + d + 1` (likewise the **round seed**, the hash of `b`, is recorded at `b + 1`).
//! - **Auditing** needs the seed, so it starts at `b + d + 1`; it lasts at least one block.
//! - **Voting** is the last `v` blocks of the round, so every validator has had the whole
//!   auditing window to compute the aggregate before it votes; a vote may be changed until the
//!   round ends. At the next epoch block (normally `b + T`) the votes are tallied
//!   ([`tally`]) and the winner is the next round's checkpoint.
//!
//! Settings are valid for a tempo when `d >= 1`, `v >= 1` and `d + 1 + 1 + v <= T` (every phase
//! at least one block), see [`RoundSettings::validate`]. A subnet whose tempo changed after its
//! owner set the round settings gets them clamped deterministically ([`RoundSettings::fit`]).
//!
//! ## Audit segments
//!
//! [`audit_segments`] picks the `s` segments a validator audits for one miner, distinct and
//! sorted, from `(audit seed, validator hotkey, miner hotkey)`, with a caller-supplied 256-bit
//! hash (the chain and the programs both pass BLAKE2b-256), so the choice is reproducible by
//! anyone and steerable by no miner (the seed is unknown at commit time).
//!
//! ## The winning checkpoint
//!
//! [`tally`]: stake per voted hash summed; the hash with the most stake wins, ties to the
//! lowest hash (bytewise); no vote with positive stake → the previous checkpoint stays.

use crate::{Balance, BlockNumber};
use alloc::vec::Vec;
use codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Index of a round within its subnet (0 = the first round after the genesis checkpoint).
pub type RoundIndex = u32;

/// A 32-byte hash (checkpoint, seed, commitment field).
pub type Hash32 = [u8; 32];

/// Shortest tempo a round fits in: one block per phase from `Training` to `Voting`.
pub const MIN_ROUND_TEMPO: BlockNumber = 4;

/// Domain separator of [`audit_segments`]' hash input.
pub const AUDIT_DOMAIN: &[u8] = b"arena/audit-segments/v1";

/// The phase of a round at a block.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
pub enum Phase {
	/// Before the round's first block.
	NotStarted,
	/// `[b, b + d)`: miners train and commit.
	Training,
	/// `b + d`: commits are closed; the audit seed (this block's hash) is not known yet.
	DeadlinePassed,
	/// `[b + d + 1, b + T − v)`: the audit seed is known; validators audit and set weights.
	Auditing,
	/// `[b + T − v, b + T)`: validators vote the next checkpoint.
	Voting,
	/// From `b + T` on (or once the chain has closed the round).
	Closed,
}

impl Phase {
	/// The phases a round goes through, in order.
	pub const ALL: [Phase; 6] = [
		Phase::NotStarted,
		Phase::Training,
		Phase::DeadlinePassed,
		Phase::Auditing,
		Phase::Voting,
		Phase::Closed,
	];
}

/// Something a participant does in a round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub enum Action {
	/// A miner commits its contribution (allowed in [`Phase::Training`]).
	Commit,
	/// A validator votes the next checkpoint (allowed in [`Phase::Voting`]).
	Vote,
}

/// Why an action is refused in a phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub enum ActionError {
	/// The round has not started.
	RoundNotStarted,
	/// A commit after the commit deadline.
	CommitDeadlinePassed,
	/// A vote before the voting phase.
	VotingNotOpen,
	/// Any action after the round's end.
	RoundClosed,
}

/// Whether `action` is allowed in `phase`: commits exactly in [`Phase::Training`], votes
/// exactly in [`Phase::Voting`].
pub fn allowed(action: Action, phase: Phase) -> Result<(), ActionError> {
	match (action, phase) {
		(_, Phase::NotStarted) => Err(ActionError::RoundNotStarted),
		(_, Phase::Closed) => Err(ActionError::RoundClosed),
		(Action::Commit, Phase::Training) => Ok(()),
		(Action::Commit, _) => Err(ActionError::CommitDeadlinePassed),
		(Action::Vote, Phase::Voting) => Ok(()),
		(Action::Vote, _) => Err(ActionError::VotingNotOpen),
	}
}

/// Why round settings are refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub enum SettingsError {
	/// `commit_deadline` is zero.
	ZeroCommitDeadline,
	/// `vote_window` is zero.
	ZeroVoteWindow,
	/// The tempo is below [`MIN_ROUND_TEMPO`].
	TempoTooShort,
	/// `commit_deadline + vote_window + 2 > tempo`: no block left for auditing.
	NoAuditWindow,
	/// `start + tempo` does not fit in a block number.
	Overflow,
}

/// Owner-set timing of a subnet's rounds, in blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct RoundSettings {
	/// `d`: commits are accepted in the round's first `d` blocks.
	pub commit_deadline: BlockNumber,
	/// `v`: votes are accepted in the round's last `v` blocks.
	pub vote_window: BlockNumber,
}

impl RoundSettings {
	/// Checks the settings against a tempo: `d >= 1`, `v >= 1`, `T >= MIN_ROUND_TEMPO`,
	/// `d + v + 2 <= T`.
	pub fn validate(&self, tempo: BlockNumber) -> Result<(), SettingsError> {
		if self.commit_deadline == 0 {
			return Err(SettingsError::ZeroCommitDeadline);
		}
		if self.vote_window == 0 {
			return Err(SettingsError::ZeroVoteWindow);
		}
		if tempo < MIN_ROUND_TEMPO {
			return Err(SettingsError::TempoTooShort);
		}
		let needed = self
			.commit_deadline
			.checked_add(self.vote_window)
			.and_then(|x| x.checked_add(2))
			.ok_or(SettingsError::NoAuditWindow)?;
		if needed > tempo {
			return Err(SettingsError::NoAuditWindow);
		}
		Ok(())
	}

	/// The settings a round opened with tempo `T` uses: unchanged when valid; otherwise clamped
	/// to `v' = clamp(v, 1, T − 3)`, `d' = clamp(d, 1, T − 2 − v')` (the vote window keeps
	/// priority, the commit phase shrinks). `None` when `T < MIN_ROUND_TEMPO` (no round fits).
	pub fn fit(&self, tempo: BlockNumber) -> Option<RoundSettings> {
		if tempo < MIN_ROUND_TEMPO {
			return None;
		}
		let v = self.vote_window.clamp(1, tempo.saturating_sub(3));
		let d = self
			.commit_deadline
			.clamp(1, tempo.saturating_sub(2).saturating_sub(v));
		Some(RoundSettings {
			commit_deadline: d,
			vote_window: v,
		})
	}
}

/// The block schedule of one round: start `b`, tempo `T`, settings `d`, `v`. Built only
/// through [`RoundSchedule::new`], so every boundary below is exact (no overflow).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct RoundSchedule {
	start: BlockNumber,
	tempo: BlockNumber,
	commit_deadline: BlockNumber,
	vote_window: BlockNumber,
}

impl RoundSchedule {
	/// A round opening at `start` with tempo `tempo` and `settings` (validated, see
	/// [`RoundSettings::validate`]; `start + tempo` must fit in a block number).
	pub fn new(
		start: BlockNumber,
		tempo: BlockNumber,
		settings: RoundSettings,
	) -> Result<Self, SettingsError> {
		settings.validate(tempo)?;
		start.checked_add(tempo).ok_or(SettingsError::Overflow)?;
		Ok(Self {
			start,
			tempo,
			commit_deadline: settings.commit_deadline,
			vote_window: settings.vote_window,
		})
	}

	/// First block `b`.
	pub fn start(&self) -> BlockNumber {
		self.start
	}

	/// Tempo `T` (the round's planned length).
	pub fn tempo(&self) -> BlockNumber {
		self.tempo
	}

	/// The settings it was built with.
	pub fn settings(&self) -> RoundSettings {
		RoundSettings {
			commit_deadline: self.commit_deadline,
			vote_window: self.vote_window,
		}
	}

	/// `b + T`: the first block after the round.
	pub fn end(&self) -> BlockNumber {
		self.start.saturating_add(self.tempo)
	}

	/// `b + d`: the first block in which commits are refused; the audit seed is its hash.
	pub fn deadline_block(&self) -> BlockNumber {
		self.start.saturating_add(self.commit_deadline)
	}

	/// The first block of `phase` (`NotStarted`: 0).
	///
	/// `Training b`, `DeadlinePassed b + d`, `Auditing b + d + 1`, `Voting b + T − v`,
	/// `Closed b + T`.
	pub fn phase_start(&self, phase: Phase) -> BlockNumber {
		match phase {
			Phase::NotStarted => 0,
			Phase::Training => self.start,
			Phase::DeadlinePassed => self.deadline_block(),
			Phase::Auditing => self.deadline_block().saturating_add(1),
			Phase::Voting => self.end().saturating_sub(self.vote_window),
			Phase::Closed => self.end(),
		}
	}

	/// The phase at block `now`.
	pub fn phase_at(&self, now: BlockNumber) -> Phase {
		if now < self.start {
			Phase::NotStarted
		} else if now < self.phase_start(Phase::DeadlinePassed) {
			Phase::Training
		} else if now < self.phase_start(Phase::Auditing) {
			Phase::DeadlinePassed
		} else if now < self.phase_start(Phase::Voting) {
			Phase::Auditing
		} else if now < self.phase_start(Phase::Closed) {
			Phase::Voting
		} else {
			Phase::Closed
		}
	}

	/// Blocks left in the phase of block `now`, `now` included (`None` once closed).
	pub fn blocks_left_in_phase(&self, now: BlockNumber) -> Option<BlockNumber> {
		let next = match self.phase_at(now) {
			Phase::NotStarted => Phase::Training,
			Phase::Training => Phase::DeadlinePassed,
			Phase::DeadlinePassed => Phase::Auditing,
			Phase::Auditing => Phase::Voting,
			Phase::Voting => Phase::Closed,
			Phase::Closed => return None,
		};
		Some(self.phase_start(next).saturating_sub(now))
	}

	/// Whether `action` is allowed at block `now` (see [`allowed`]).
	pub fn check(&self, action: Action, now: BlockNumber) -> Result<(), ActionError> {
		allowed(action, self.phase_at(now))
	}
}

/// Draws a uniform integer in `[0, bound)` from a stream of 64-bit words, by rejection (exact);
/// after 64 rejected words (probability below 2^-64) it falls back to the last word modulo
/// `bound`. `bound == 0` gives 0.
fn uniform(bound: u64, mut next: impl FnMut() -> u64) -> u64 {
	if bound == 0 {
		return 0;
	}
	// Largest multiple of `bound` that fits: accept words below it.
	let zone = u64::MAX.saturating_sub(u64::MAX.checked_rem(bound).unwrap_or(0));
	let mut word = 0u64;
	for _ in 0..64 {
		word = next();
		if word < zone {
			break;
		}
	}
	word.checked_rem(bound).unwrap_or(0)
}

/// The segments a validator audits for one miner (SPEC §6.5): `min(s, n)` distinct indices in
/// `[0, n)`, sorted, where `n = H / c` is the number of segments of the miner's run.
///
/// Random words come from a counter-mode stream
///
/// ```text
/// word_k = u64_le(hash(AUDIT_DOMAIN ‖ seed ‖ u32_le(|validator|) ‖ validator
///                       ‖ u32_le(|miner|) ‖ miner ‖ u32_le(k))[0..8])          k = 0, 1, …
/// ```
///
/// with `hash` supplied by the caller (BLAKE2b-256 on chain and off chain), hotkeys as their
/// SCALE-encoded account ids (32 raw bytes for `AccountId32`). Indices are drawn with Floyd's
/// algorithm (for `j` in `n − s .. n`: `t = uniform(j + 1)`; take `t` unless taken, else `j`),
/// each `uniform` by exact rejection sampling, so all `s`-subsets are equally likely.
pub fn audit_segments<H: Fn(&[u8]) -> Hash32>(
	hash: H,
	audit_seed: &Hash32,
	validator: &[u8],
	miner: &[u8],
	segments: u32,
	s: u32,
) -> Vec<u32> {
	let take = s.min(segments);
	let mut input: Vec<u8> = Vec::new();
	input.extend_from_slice(AUDIT_DOMAIN);
	input.extend_from_slice(audit_seed);
	input.extend_from_slice(
		&u32::try_from(validator.len())
			.unwrap_or(u32::MAX)
			.to_le_bytes(),
	);
	input.extend_from_slice(validator);
	input.extend_from_slice(&u32::try_from(miner.len()).unwrap_or(u32::MAX).to_le_bytes());
	input.extend_from_slice(miner);
	let prefix_len = input.len();
	let mut counter = 0u32;
	let mut next = || {
		input.truncate(prefix_len);
		input.extend_from_slice(&counter.to_le_bytes());
		counter = counter.wrapping_add(1);
		let digest = hash(&input);
		let mut word = [0u8; 8];
		word.copy_from_slice(digest.get(..8).unwrap_or(&[0u8; 8]));
		u64::from_le_bytes(word)
	};
	let mut chosen: Vec<u32> = Vec::with_capacity(take as usize);
	for j in segments.saturating_sub(take)..segments {
		let t = uniform(u64::from(j).saturating_add(1), &mut next);
		let t = u32::try_from(t).unwrap_or(j);
		if chosen.contains(&t) {
			chosen.push(j);
		} else {
			chosen.push(t);
		}
	}
	chosen.sort_unstable();
	chosen
}

/// Inner steps at the start of a round that a **tolerance-mode** audit (validator and miner on
/// different backends) does not sample: 32.
///
/// AdamW starts each round from zero moments, and for its first ~32 steps it amplifies
/// rounding differences between backends. Measured on the default model (H200 wgpu against
/// Flex, c = 16, `crates/training/README.md`): honest relative errors reach 1.5e-2 in segment 0
/// and 7.6e-2 in segment 1, but stay ≤ 8.5e-4 in all 18 later segments, so ε = 1e-2 holds a
/// ≥ 10× margin only after the warm-up. A bitwise-mode audit (same backend) samples every
/// segment; a miner skipping warm-up work still loses usefulness, since its update carries
/// fewer steps.
pub const TOLERANCE_WARMUP_STEPS: u64 = 32;

/// Segments a tolerance-mode audit skips: `w = ⌈TOLERANCE_WARMUP_STEPS / c⌉` for segments of
/// `c` steps (`c = 0` counts as 1).
pub fn tolerance_warmup_segments(segment_len: u64) -> u32 {
	let c = segment_len.max(1);
	let w = TOLERANCE_WARMUP_STEPS.div_ceil(c);
	u32::try_from(w).unwrap_or(u32::MAX)
}

/// The segments a validator audits for one miner in **tolerance mode** (SPEC §6.5 with the
/// warm-up rule of [`TOLERANCE_WARMUP_STEPS`]): [`audit_segments`] over the `n − w` segments
/// after the warm-up, shifted by `w` (`w` = [`tolerance_warmup_segments`]`(c)`):
///
/// ```text
/// tolerance_audit_segments(seed, v, m, n, s, c) = { w + i : i ∈ audit_segments(seed, v, m, n − w, s) }   if n > w
///                                               = audit_segments(seed, v, m, n, s)                       otherwise
/// ```
///
/// A run no longer than its warm-up keeps every segment eligible, so there is always
/// something to audit.
pub fn tolerance_audit_segments<H: Fn(&[u8]) -> Hash32>(
	hash: H,
	audit_seed: &Hash32,
	validator: &[u8],
	miner: &[u8],
	segments: u32,
	s: u32,
	segment_len: u64,
) -> Vec<u32> {
	let w = tolerance_warmup_segments(segment_len);
	if segments <= w {
		return audit_segments(hash, audit_seed, validator, miner, segments, s);
	}
	audit_segments(
		hash,
		audit_seed,
		validator,
		miner,
		segments.saturating_sub(w),
		s,
	)
	.into_iter()
	.map(|i| i.saturating_add(w))
	.collect()
}

/// Whether segment `index` (of `c`-step segments, `n` in the run) may be checked in tolerance
/// mode: not a warm-up segment, unless the whole run is warm-up (see
/// [`tolerance_audit_segments`]). A validator re-running another's challenge on a different
/// backend than the miner's refuses to confirm a warm-up segment.
pub fn tolerance_checkable(index: u32, segments: u32, segment_len: u64) -> bool {
	let w = tolerance_warmup_segments(segment_len);
	segments <= w || index >= w
}

/// The result of a checkpoint vote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct Tally {
	/// The next checkpoint: the hash backed by the most stake, or the previous checkpoint.
	pub winner: Hash32,
	/// Stake behind the winner (0 when the previous checkpoint was kept).
	pub winner_stake: Balance,
	/// Stake behind all votes.
	pub total_stake: Balance,
	/// Whether a vote decided it (`false`: no vote with stake, the previous checkpoint stays).
	pub decided: bool,
}

/// The winning checkpoint from `(voted hash, voter's consensus stake)` pairs (one per voter):
/// the hash with the largest summed stake; ties to the lowest hash (bytewise); if no vote has
/// positive stake, `previous` stays (`decided = false`). Sums saturate.
pub fn tally(votes: &[(Hash32, Balance)], previous: Hash32) -> Tally {
	let mut sums: Vec<(Hash32, Balance)> = Vec::new();
	let mut total: Balance = 0;
	for (hash, stake) in votes.iter().filter(|(_, s)| *s > 0) {
		total = total.saturating_add(*stake);
		match sums.binary_search_by(|(h, _)| h.cmp(hash)) {
			Ok(i) => {
				if let Some(e) = sums.get_mut(i) {
					e.1 = e.1.saturating_add(*stake);
				}
			},
			Err(i) => sums.insert(i, (*hash, *stake)),
		}
	}
	// `sums` is sorted by hash: the first strict maximum is the lowest hash among the best.
	let best = sums
		.iter()
		.fold(None::<(Hash32, Balance)>, |best, (h, s)| match best {
			Some((_, bs)) if bs >= *s => best,
			_ => Some((*h, *s)),
		});
	match best {
		Some((winner, winner_stake)) => Tally {
			winner,
			winner_stake,
			total_stake: total,
			decided: true,
		},
		None => Tally {
			winner: previous,
			winner_stake: 0,
			total_stake: 0,
			decided: false,
		},
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	/// A test hash: 32 bytes of a simple mixing of the input (deterministic, not cryptographic).
	fn test_hash(data: &[u8]) -> Hash32 {
		let mut out = [0u8; 32];
		let mut acc: u64 = 0xcbf2_9ce4_8422_2325;
		for (i, o) in out.iter_mut().enumerate() {
			for b in data.iter().chain(&[i as u8]) {
				acc ^= u64::from(*b);
				acc = acc.wrapping_mul(0x0100_0000_01b3);
			}
			acc ^= acc >> 29;
			*o = (acc >> 17) as u8;
		}
		out
	}

	fn settings(d: u64, v: u64) -> RoundSettings {
		RoundSettings {
			commit_deadline: d,
			vote_window: v,
		}
	}

	#[test]
	fn phases_of_a_round_at_their_boundaries() {
		// b = 100, T = 20, d = 8, v = 5.
		let r = RoundSchedule::new(100, 20, settings(8, 5)).unwrap();
		assert_eq!(r.phase_at(99), Phase::NotStarted);
		assert_eq!(r.phase_at(100), Phase::Training);
		assert_eq!(r.phase_at(107), Phase::Training);
		assert_eq!(r.phase_at(108), Phase::DeadlinePassed);
		assert_eq!(r.phase_at(109), Phase::Auditing);
		assert_eq!(r.phase_at(114), Phase::Auditing);
		assert_eq!(r.phase_at(115), Phase::Voting);
		assert_eq!(r.phase_at(119), Phase::Voting);
		assert_eq!(r.phase_at(120), Phase::Closed);
		assert_eq!(r.deadline_block(), 108);
		assert_eq!(r.blocks_left_in_phase(100), Some(8));
		assert_eq!(r.blocks_left_in_phase(119), Some(1));
		assert_eq!(r.blocks_left_in_phase(120), None);
	}

	#[test]
	fn commit_on_the_last_block_is_allowed_and_one_block_late_is_not() {
		let r = RoundSchedule::new(0, 10, settings(4, 2)).unwrap();
		assert_eq!(r.check(Action::Commit, 3), Ok(()));
		assert_eq!(
			r.check(Action::Commit, 4),
			Err(ActionError::CommitDeadlinePassed)
		);
	}

	#[test]
	fn vote_before_voting_or_after_the_end_is_refused() {
		let r = RoundSchedule::new(0, 10, settings(4, 2)).unwrap();
		assert_eq!(r.check(Action::Vote, 7), Err(ActionError::VotingNotOpen));
		assert_eq!(r.check(Action::Vote, 8), Ok(()));
		assert_eq!(r.check(Action::Vote, 9), Ok(()));
		assert_eq!(r.check(Action::Vote, 10), Err(ActionError::RoundClosed));
	}

	#[test]
	fn settings_without_an_audit_block_are_refused() {
		assert_eq!(settings(4, 4).validate(10), Ok(()));
		assert_eq!(
			settings(5, 4).validate(10),
			Err(SettingsError::NoAuditWindow)
		);
		assert_eq!(
			settings(0, 4).validate(10),
			Err(SettingsError::ZeroCommitDeadline)
		);
		assert_eq!(
			settings(4, 0).validate(10),
			Err(SettingsError::ZeroVoteWindow)
		);
		assert_eq!(
			settings(1, 1).validate(3),
			Err(SettingsError::TempoTooShort)
		);
		assert_eq!(
			settings(u64::MAX, u64::MAX).validate(10),
			Err(SettingsError::NoAuditWindow)
		);
		assert_eq!(
			RoundSchedule::new(u64::MAX - 5, 10, settings(4, 4)),
			Err(SettingsError::Overflow)
		);
	}

	#[test]
	fn tally_ties_go_to_the_lowest_hash_and_no_vote_keeps_the_checkpoint() {
		let (a, b, prev) = ([1u8; 32], [2u8; 32], [9u8; 32]);
		let t = tally(&[(b, 5), (a, 3), (a, 2)], prev);
		assert_eq!((t.winner, t.winner_stake, t.total_stake), (a, 5, 10));
		assert!(t.decided);
		let t = tally(&[], prev);
		assert_eq!(t.winner, prev);
		assert!(!t.decided);
		assert_eq!(tally(&[(a, 0)], prev).winner, prev);
		assert_eq!(tally(&[(b, 7), (a, 6)], prev).winner, b);
	}

	#[test]
	fn audit_segments_known_values() {
		let seed = [7u8; 32];
		let segs = audit_segments(test_hash, &seed, &[1u8; 32], &[2u8; 32], 4, 2);
		assert_eq!(segs.len(), 2);
		// All segments when s >= n; none when n = 0.
		assert_eq!(
			audit_segments(test_hash, &seed, &[1u8; 32], &[2u8; 32], 3, 5),
			vec![0, 1, 2]
		);
		assert!(audit_segments(test_hash, &seed, &[1], &[2], 0, 5).is_empty());
	}

	#[test]
	fn tolerance_audit_skips_the_warm_up_segments() {
		let seed = [7u8; 32];
		assert_eq!(tolerance_warmup_segments(16), 2);
		assert_eq!(tolerance_warmup_segments(10), 4);
		assert_eq!(tolerance_warmup_segments(64), 1);
		assert_eq!(tolerance_warmup_segments(0), 32);
		// 20 segments of 16 steps, all 18 eligible ones asked for: exactly 2..20.
		let all = tolerance_audit_segments(test_hash, &seed, &[1u8; 32], &[2u8; 32], 20, 18, 16);
		assert_eq!(all, (2..20).collect::<Vec<u32>>());
		// A run that is all warm-up keeps every segment.
		assert_eq!(
			tolerance_audit_segments(test_hash, &seed, &[1u8; 32], &[2u8; 32], 2, 5, 16),
			vec![0, 1]
		);
		assert!(!tolerance_checkable(1, 20, 16));
		assert!(tolerance_checkable(2, 20, 16));
		assert!(tolerance_checkable(0, 2, 16));
	}

	#[test]
	fn uniform_rejects_words_in_the_biased_zone() {
		// bound 3: zone = u64::MAX - (u64::MAX % 3) = u64::MAX (u64::MAX % 3 == 0), so the
		// largest word is rejected and the next one is used.
		let mut words = [u64::MAX, 5].into_iter();
		assert_eq!(uniform(3, || words.next().unwrap_or(0)), 2);
		assert_eq!(uniform(0, || 1), 0);
	}

	fn schedule() -> impl Strategy<Value = RoundSchedule> {
		(0u64..1_000_000, MIN_ROUND_TEMPO..5_000u64)
			.prop_flat_map(|(b, t)| (Just(b), Just(t), 1..=t - 3))
			.prop_flat_map(|(b, t, v)| (Just(b), Just(t), Just(v), 1..=t - 2 - v))
			.prop_map(|(b, t, v, d)| RoundSchedule::new(b, t, settings(d, v)).unwrap())
	}

	proptest! {
		#[test]
		fn every_block_is_in_exactly_one_phase_in_order(r in schedule()) {
			let order = |p: Phase| Phase::ALL.iter().position(|q| *q == p).unwrap();
			let mut last = Phase::NotStarted;
			// Each phase from Training to Voting is non-empty and the phases tile [b, b + T).
			for p in [Phase::Training, Phase::DeadlinePassed, Phase::Auditing, Phase::Voting] {
				let next = Phase::ALL[order(p) + 1];
				prop_assert!(r.phase_start(p) < r.phase_start(next), "{p:?} empty");
			}
			prop_assert_eq!(r.phase_start(Phase::Training), r.start());
			prop_assert_eq!(r.phase_start(Phase::Closed), r.start() + r.tempo());
			for now in r.start().saturating_sub(2)..r.end() + 2 {
				let p = r.phase_at(now);
				// Exactly one phase: the one whose [start, next start) holds `now`.
				let holding: Vec<Phase> = Phase::ALL.iter().copied().filter(|q| {
					let lo = if *q == Phase::NotStarted { 0 } else { r.phase_start(*q) };
					let hi = match q {
						Phase::Closed => u64::MAX,
						_ => r.phase_start(Phase::ALL[order(*q) + 1]),
					};
					lo <= now && now < hi
				}).collect();
				prop_assert_eq!(holding, vec![p]);
				prop_assert!(order(p) >= order(last), "phases out of order");
				last = p;
				let inside = now >= r.start() && now < r.end();
				prop_assert_eq!(inside, p != Phase::NotStarted && p != Phase::Closed);
			}
			prop_assert_eq!(last, Phase::Closed);
		}

		#[test]
		fn actions_are_accepted_exactly_in_their_phase(r in schedule(), off in 0u64..6_000) {
			let now = r.start().saturating_sub(1) + off;
			let p = r.phase_at(now);
			prop_assert_eq!(r.check(Action::Commit, now).is_ok(), p == Phase::Training);
			prop_assert_eq!(r.check(Action::Vote, now).is_ok(), p == Phase::Voting);
			prop_assert_eq!(
				r.check(Action::Commit, now).is_ok(),
				now >= r.start() && now < r.deadline_block()
			);
			prop_assert_eq!(
				r.check(Action::Vote, now).is_ok(),
				now >= r.end() - r.settings().vote_window && now < r.end()
			);
			if let Some(left) = r.blocks_left_in_phase(now) {
				prop_assert!(left >= 1);
				prop_assert_eq!(r.phase_at(now + left - 1), p);
				prop_assert_ne!(r.phase_at(now + left), p);
			}
		}

		#[test]
		fn fitted_settings_are_valid_and_valid_ones_unchanged(
			t in 0u64..10_000, d in 0u64..20_000, v in 0u64..20_000,
		) {
			let s = settings(d, v);
			match s.fit(t) {
				None => prop_assert!(t < MIN_ROUND_TEMPO),
				Some(f) => {
					prop_assert_eq!(f.validate(t), Ok(()));
					if s.validate(t).is_ok() {
						prop_assert_eq!(f, s);
					}
				},
			}
		}

		#[test]
		fn audit_segments_are_distinct_in_range_and_deterministic(
			seed in any::<[u8; 32]>(), v in any::<[u8; 32]>(), m in any::<[u8; 32]>(),
			n in 0u32..2_000, s in 0u32..70,
		) {
			let a = audit_segments(test_hash, &seed, &v, &m, n, s);
			prop_assert_eq!(a.len() as u32, s.min(n));
			prop_assert!(a.iter().all(|x| *x < n));
			prop_assert!(a.windows(2).all(|w| w[0] < w[1]), "sorted and distinct");
			prop_assert_eq!(&a, &audit_segments(test_hash, &seed, &v, &m, n, s));
		}

		#[test]
		fn tolerance_audit_segments_are_eligible_distinct_and_deterministic(
			seed in any::<[u8; 32]>(), v in any::<[u8; 32]>(), m in any::<[u8; 32]>(),
			n in 0u32..500, s in 0u32..40, c in 1u64..80,
		) {
			let a = tolerance_audit_segments(test_hash, &seed, &v, &m, n, s, c);
			let w = tolerance_warmup_segments(c);
			let eligible = if n > w { n - w } else { n };
			prop_assert_eq!(a.len() as u32, s.min(eligible));
			prop_assert!(a.iter().all(|x| *x < n && tolerance_checkable(*x, n, c)));
			prop_assert!(a.windows(2).all(|p| p[0] < p[1]), "sorted and distinct");
			prop_assert_eq!(&a, &tolerance_audit_segments(test_hash, &seed, &v, &m, n, s, c));
		}

		#[test]
		fn tally_winner_has_the_most_stake(
			votes in proptest::collection::vec((0u8..5, 0u128..1_000), 0..20),
		) {
			let votes: Vec<(Hash32, Balance)> = votes.into_iter().map(|(h, s)| ([h; 32], s)).collect();
			let prev = [255u8; 32];
			let t = tally(&votes, prev);
			let stake_of = |h: Hash32| votes.iter().filter(|(x, _)| *x == h).map(|(_, s)| *s).sum::<u128>();
			let total: u128 = votes.iter().map(|(_, s)| *s).sum();
			prop_assert_eq!(t.total_stake, total);
			if total == 0 {
				prop_assert_eq!(t.winner, prev);
				prop_assert!(!t.decided);
			} else {
				prop_assert_eq!(t.winner_stake, stake_of(t.winner));
				for (h, _) in &votes {
					let s = stake_of(*h);
					prop_assert!(s < t.winner_stake || (s == t.winner_stake && *h >= t.winner));
				}
			}
		}
	}
}
