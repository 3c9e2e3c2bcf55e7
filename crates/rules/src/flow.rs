//! Splitting block emission across subnets by stake flow (SPEC §2).
//!
//! **Score with debt** ([`FlowState`]). Every block each subnet's state is updated with that
//! block's net flow `f` (matured stake added + registration burns − stake removed, in units).
//! The state is a decaying **credit** `C ≥ 0` and a non-decaying **debt** `D ≥ 0`; the score is
//! `S = C − D`:
//!
//! ```text
//! f ≥ 0:  r = min(D, a·f);   D ← D − r;        C ← (1 − a)·C + a·f − r
//! f < 0:                     D ← D + a·|f|;    C ← (1 − a)·C
//! S = C − D                  (so S ← S + a·(f − C) in both cases)
//! a = 1 − 2^(−1/half_life)
//! ```
//!
//! Only the positive part (the credit) decays; an outflow becomes debt that stays until inflow
//! repays it, and inflow repays debt before it adds new credit (SPEC §2's debt rule). The
//! credit and the debt are kept apart rather than netted into one number: SPEC's one-number
//! form `S ← S + a·(f − max(S, 0))` lets an outflow consume positive score, which then no
//! longer decays, so a cycle (add → mature → remove → re-add) comes back with the score it had
//! when it left, younger than the same capital held; every score decays at the same rate, so
//! from then on the cycler's share stays above the holder's for ever and its cumulative
//! emission overtakes (see the `one_number_debt_lets_a_cycler_outrank_a_holder` test). With the
//! two parts, the credit keeps decaying while the capital is away and re-entry only repays the
//! debt: for a subnet whose other flows are unchanged, `C` is a function of the running maximum
//! of the subnet's cumulative net flow (credit is only added when that maximum rises), so a
//! cycler's `C` equals that of a holder of the same capital and its `S` is lower by the
//! outstanding debt — at every block, hence also in share and emission.
//!
//! Scores are signed fixed point ([`FixedI128`], 10^-18 resolution, in units), so even a flow
//! of one unit moves the score. `a` is computed by [`ema_alpha`] from the half-life in blocks,
//! deterministically, with absolute error below 10^-18 (one [`Perquintill`] part); for the
//! default half-life of 216,000 blocks `a ≈ 3.209·10^-6`, i.e. a relative error below
//! 2·10^-13. See [`crate::math`] for the series used.
//!
//! **Shares.**
//!
//! ```text
//! L       = max(cutoff, min(0, min_t S_t))
//! share_s = max(S_s − L, 0)^p / Σ_t max(S_t − L, 0)^p
//! ```
//!
//! If every `max(S_s − L, 0)` is zero there are no shares: the caller does not mint that block's
//! emission. For `p = 1` the division is exact (rounded down to 10^-18); for `p > 1` the
//! excesses are first divided by the largest one (so the powers cannot overflow): a subnet whose
//! `(excess / largest excess)^p` is below 10^-18 gets a zero share.
//! [`split_emission`] turns shares into exact unit amounts (see [`crate::math::distribute`]).
//!
//! **Recycle-proof maturity** ([`MaturityQueue`]). A stake addition is only counted as inflow
//! once it has stayed `FlowMaturity` blocks. A removal first cancels *immature* additions —
//! which never touch any score — and only the remainder (taken from mature stake) is counted as
//! negative flow. Immature additions are cancelled **oldest first** (see the type's docs for
//! why this, and not youngest-first, is what makes "capital that leaves before maturity never
//! touches any `S`" hold). Registration burns count at once and do not go through the queue.

use crate::{
	math::{self, one_minus_pow2_neg_recip, q_mul, q_to_perquintill, ONE},
	Balance, BlockNumber,
};
use alloc::vec::Vec;
use codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_arithmetic::{
	traits::{Saturating, Zero},
	FixedI128, FixedPointNumber, Perquintill,
};

/// Default score half-life: 216,000 blocks (30 days of 12 s blocks).
pub const DEFAULT_HALF_LIFE: u32 = 216_000;

/// Default flow maturity: one day of 12 s blocks (7,200).
pub const DEFAULT_FLOW_MATURITY: u32 = 7_200;

/// Default share exponent `p`.
pub const DEFAULT_EXPONENT: u8 = 1;

/// Largest share exponent `p` accepted by [`FlowParams::new`].
pub const MAX_EXPONENT: u8 = 8;

/// A subnet's flow score (signed, in units, 10^-18 resolution).
pub type Score = FixedI128;

/// Parameters of the flow-based emission split (SPEC §2), as a chain stores them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct FlowParams {
	/// EMA half-life in blocks (*default* [`DEFAULT_HALF_LIFE`]).
	pub half_life: u32,
	/// EMA factor `a = 1 − 2^(−1/half_life)` (see [`ema_alpha`]), derived from `half_life`.
	pub alpha: Perquintill,
	/// Share cutoff (in units, may be negative); *default* 0.
	pub cutoff: Score,
	/// Share exponent `p` in `1..=MAX_EXPONENT`; *default* 1.
	pub exponent: u8,
}

impl FlowParams {
	/// Checked parameters: `half_life >= 1`, `exponent` in `1..=MAX_EXPONENT`; `alpha` is
	/// derived from the half-life.
	pub fn new(half_life: u32, cutoff: Score, exponent: u8) -> Result<Self, FlowError> {
		if exponent == 0 {
			return Err(FlowError::ZeroExponent);
		}
		if exponent > MAX_EXPONENT {
			return Err(FlowError::ExponentTooLarge);
		}
		Ok(Self {
			half_life,
			alpha: ema_alpha(BlockNumber::from(half_life))?,
			cutoff,
			exponent,
		})
	}
}

impl Default for FlowParams {
	/// SPEC §2 defaults: half-life 216,000 blocks, cutoff 0, `p` = 1.
	fn default() -> Self {
		Self {
			half_life: DEFAULT_HALF_LIFE,
			alpha: ema_alpha(BlockNumber::from(DEFAULT_HALF_LIFE)).unwrap_or_default(),
			cutoff: Score::zero(),
			exponent: DEFAULT_EXPONENT,
		}
	}
}

/// Errors of the flow rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub enum FlowError {
	/// The half-life must be at least one block.
	ZeroHalfLife,
	/// The share exponent must be at least 1.
	ZeroExponent,
	/// The share exponent must be at most [`MAX_EXPONENT`].
	ExponentTooLarge,
	/// The maturity queue is full (the addition is refused; retry later).
	QueueFull,
	/// An addition is older than the youngest queued one (blocks must not go backwards).
	NonMonotonicBlock,
	/// The queue's entries are not sorted by block or contain zero amounts.
	InvalidQueue,
}

/// EMA factor `a = 1 − 2^(−1/half_life)` for a half-life in blocks.
pub fn ema_alpha(half_life: BlockNumber) -> Result<Perquintill, FlowError> {
	one_minus_pow2_neg_recip(half_life).ok_or(FlowError::ZeroHalfLife)
}

/// A subnet's flow state: decaying credit and non-decaying debt (see the module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct FlowState {
	/// Credit `C >= 0`: inflow not spent on repaying debt, decaying with the half-life.
	pub credit: Score,
	/// Debt `D >= 0`: outflow not yet repaid by inflow; does not decay.
	pub debt: Score,
}

impl FlowState {
	/// The state of a subnet whose one-number score was `score` (e.g. stored before the debt
	/// rule): a positive score is credit, a negative one debt.
	pub fn from_score(score: Score) -> Self {
		if score.is_negative() {
			Self {
				credit: Score::zero(),
				debt: score.saturating_abs(),
			}
		} else {
			Self {
				credit: score,
				debt: Score::zero(),
			}
		}
	}

	/// The score `S = C − D` that the shares use.
	pub fn score(&self) -> Score {
		self.credit.saturating_sub(self.debt)
	}

	/// One block with net flow `flow` (units): the credit decays by `a`; an inflow repays debt
	/// first and adds the rest (times `a`) to the credit; an outflow (times `a`) adds to the
	/// debt. Saturating at the bounds of [`Score`] (about ±1.7·10^20 units, far above the
	/// 2.1·10^16-unit supply); credit and debt never go below zero.
	pub fn update(self, flow: i128, alpha: Perquintill) -> Self {
		// Perquintill and FixedI128 share the 10^18 scale.
		let a = Score::from_inner(i128::from(alpha.deconstruct()));
		let decayed = self
			.credit
			.saturating_sub(self.credit.saturating_mul(a))
			.max(Score::zero());
		let weighted = Score::saturating_from_integer(flow).saturating_mul(a);
		if weighted.is_negative() {
			Self {
				credit: decayed,
				debt: self.debt.saturating_add(weighted.saturating_abs()),
			}
		} else {
			let repaid = weighted.min(self.debt);
			Self {
				credit: decayed.saturating_add(weighted.saturating_sub(repaid)),
				debt: self.debt.saturating_sub(repaid),
			}
		}
	}

	/// Whether the state is well-formed: credit and debt both `>= 0`.
	pub fn is_valid(&self) -> bool {
		!self.credit.is_negative() && !self.debt.is_negative()
	}
}

/// Debt a subnet leaves behind when it is **removed** (dissolved or pruned), in units: what
/// its owner's lock settles (SPEC §2: stake removed from a subnet that is being dissolved counts
/// as outflow like any removal; proposed: the debt that outflow leaves is settled from the lock,
/// see [`crate::registration::removal_forfeit`]).
///
/// ```text
/// S'   = score of state.update(pending − matured_left, a)   (the stake still on the subnet
///                                                            leaves, with this block's flow)
/// debt = ceil(max(−S', 0) / a)
/// ```
///
/// `pending` is the block's net flow not yet folded into `state`; `matured_left` the matured
/// stake still on the subnet (immature stake never touched any score and leaves none). `debt`
/// is the inflow (e.g. a burn) that would bring `S'` back to zero: an inflow `x` raises the
/// score by `a·x`. Without this settlement a subnet's debt vanished with it: capital that had
/// earned credit on a subnet could leave, the subnet be dissolved (its lock released) and the
/// capital count as fresh inflow elsewhere — each hop a new credit for the same capital. With
/// it, such a hop costs the owner a burn that would have bought exactly the credit the hop
/// gains, up to the size of the lock.
pub fn removal_debt(
	state: FlowState,
	pending: i128,
	matured_left: Balance,
	alpha: Perquintill,
) -> Balance {
	let left = i128::try_from(matured_left).unwrap_or(i128::MAX);
	let after = state.update(pending.saturating_sub(left), alpha).score();
	if !after.is_negative() {
		return 0;
	}
	let a = u128::from(alpha.deconstruct());
	if a == 0 {
		return Balance::MAX;
	}
	// Both scores and `a` are 10^18-scaled, so units = (−S' inner) / (a inner), rounded up.
	after.into_inner().unsigned_abs().div_ceil(a)
}

/// Net flow of one block in units: `matured_added + burns − removed` (saturating).
pub fn net_flow(matured_added: Balance, burns: Balance, removed: Balance) -> i128 {
	let plus = i128::try_from(matured_added.saturating_add(burns)).unwrap_or(i128::MAX);
	let minus = i128::try_from(removed).unwrap_or(i128::MAX);
	plus.saturating_sub(minus)
}

/// Subnet shares `max(S_s − L, 0)^p / Σ_t max(S_t − L, 0)^p` (see the module docs).
///
/// Returns `Ok(None)` when no subnet has a positive excess (the block's emission is not
/// minted), otherwise one share per score, in input order, summing to at most 1 (each rounded
/// down to 10^-18).
pub fn shares(
	scores: &[Score],
	cutoff: Score,
	exponent: u8,
) -> Result<Option<Vec<Perquintill>>, FlowError> {
	let Some(weights) = share_weights(scores, cutoff, exponent)? else {
		return Ok(None);
	};
	let total = weights.iter().fold(0u128, |acc, w| acc.saturating_add(*w));
	Ok(Some(
		weights
			.iter()
			.map(|w| q_to_perquintill(math::mul_div_floor_or_zero(*w, ONE, total)))
			.collect(),
	))
}

/// The un-normalised share weights `max(S_s − L, 0)^p` (rescaled by a common factor so they
/// cannot overflow); `None` when they are all zero.
fn share_weights(
	scores: &[Score],
	cutoff: Score,
	exponent: u8,
) -> Result<Option<Vec<u128>>, FlowError> {
	if exponent == 0 {
		return Err(FlowError::ZeroExponent);
	}
	let Some(min) = scores.iter().min().copied() else {
		return Ok(None);
	};
	let floor = cutoff.max(min.min(Score::zero()));
	// `S − L` fits into u128 even when it overflows i128.
	let excess: Vec<u128> = scores
		.iter()
		.map(|s| {
			let (s, l) = (s.into_inner(), floor.into_inner());
			if s > l {
				s.abs_diff(l)
			} else {
				0
			}
		})
		.collect();
	let max = excess.iter().copied().max().unwrap_or(0);
	if max == 0 {
		return Ok(None);
	}
	let sum_fits = excess
		.iter()
		.try_fold(0u128, |acc, x| acc.checked_add(*x))
		.is_some();
	if exponent == 1 && sum_fits {
		// Exact path: the excesses themselves (their sum fits into u128).
		return Ok(Some(excess));
	}
	// Rescale by the largest excess into [0, 1] (10^18 scale), then raise to the power.
	let weights = excess
		.iter()
		.map(|x| {
			let y = math::mul_div_floor_or_zero(*x, ONE, max);
			(1..exponent).fold(y, |acc, _| q_mul(acc, y))
		})
		.collect();
	Ok(Some(weights))
}

/// Splits a block's `emission` over the subnets by their [`shares`], exactly: the amounts sum to
/// `emission` (rounding dust to the subnet with the largest share, lowest index among equals).
/// `Ok(None)` when no subnet has a positive excess: nothing is minted.
pub fn split_emission(
	emission: Balance,
	scores: &[Score],
	cutoff: Score,
	exponent: u8,
) -> Result<Option<Vec<Balance>>, FlowError> {
	let Some(weights) = share_weights(scores, cutoff, exponent)? else {
		return Ok(None);
	};
	match math::distribute(emission, &weights) {
		Ok(parts) => Ok(Some(parts)),
		Err(math::DistributeError::NoWeight) => Ok(None),
		Err(math::DistributeError::WeightOverflow) => {
			// Cannot happen for the rescaled weights (each <= 10^18, at most 2^64 of them) but
			// the exact p = 1 path may overflow only if Σ overflowed, which routed it to the
			// rescaled path; still, fall back to normalised shares rather than panic.
			let Some(shares) = shares(scores, cutoff, exponent)? else {
				return Ok(None);
			};
			let w: Vec<u128> = shares.iter().map(|p| u128::from(p.deconstruct())).collect();
			Ok(math::distribute(emission, &w).ok())
		},
	}
}

/// A queued (still immature) stake addition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct PendingStake {
	/// Block the stake was added at; it matures at `added_at + maturity`.
	pub added_at: BlockNumber,
	/// Amount still pending (never zero in a queue).
	pub amount: Balance,
}

/// What a removal did (see [`MaturityQueue::remove`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Removal {
	/// Immature pieces cancelled (oldest first). They never touch any score; a pallet that keeps
	/// a per-subnet "maturing at block b" schedule subtracts each piece from
	/// `added_at + maturity`.
	pub cancelled: Vec<PendingStake>,
	/// Sum of `cancelled`.
	pub cancelled_total: Balance,
	/// The remainder of the removal, taken from mature stake: counts as negative flow.
	pub negative_flow: Balance,
}

/// The pending (immature) stake additions of one staking position (e.g. one hotkey on one
/// subnet), oldest first.
///
/// Rules (SPEC §2, recycle-proof):
/// - [`add`](Self::add): a stake addition enters the queue; it is **not** flow yet.
/// - [`take_matured`](Self::take_matured): additions that have stayed `maturity` blocks leave the
///   queue and their amount counts as inflow of that block.
/// - [`remove`](Self::remove): a removal first cancels immature additions, **oldest first**,
///   which touches no score; only the rest, taken from mature stake, counts as negative flow.
///
/// Why oldest first: it keeps exactly the stake added most recently, so an addition can only
/// mature if the position's stake never dropped below it since it was added *and* every earlier
/// addition was also kept. Then "capital that leaves before maturity never touches any `S`"
/// holds for any interleaving. Youngest-first would not: add 10 at block 0, add 5 at block 5,
/// remove 10 at block 7 and 5 at block 10 with a maturity of 8 — each addition left before its
/// own maturity, yet youngest-first cancels the 5 and half the 10, so 5 matures at block 8
/// (+5 flow) and the removal at block 10 is −5 flow. Oldest-first also delays rather than
/// advances maturity, so it never credits flow earlier than youngest-first would.
///
/// Within one block call [`take_matured`](Self::take_matured) first, then apply the block's
/// additions and removals.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct MaturityQueue {
	entries: Vec<PendingStake>,
}

impl MaturityQueue {
	/// An empty queue.
	pub fn new() -> Self {
		Self::default()
	}

	/// Rebuilds a queue from stored entries (oldest first, non-zero amounts, blocks strictly
	/// increasing).
	pub fn from_entries(entries: Vec<PendingStake>) -> Result<Self, FlowError> {
		let sorted = entries.windows(2).all(|w| match w {
			[a, b] => a.added_at < b.added_at,
			_ => true,
		});
		if !sorted || entries.iter().any(|e| e.amount == 0) {
			return Err(FlowError::InvalidQueue);
		}
		Ok(Self { entries })
	}

	/// The pending entries, oldest first.
	pub fn entries(&self) -> &[PendingStake] {
		&self.entries
	}

	/// Consumes the queue, returning its entries (oldest first) for storage.
	pub fn into_entries(self) -> Vec<PendingStake> {
		self.entries
	}

	/// Total immature stake.
	pub fn immature_total(&self) -> Balance {
		self.entries
			.iter()
			.fold(0, |acc, e| acc.saturating_add(e.amount))
	}

	/// Queues an addition of `amount` at block `now`. Additions in the same block merge; a queue
	/// holding `max_entries` distinct blocks refuses a new block with [`FlowError::QueueFull`].
	pub fn add(
		&mut self,
		now: BlockNumber,
		amount: Balance,
		max_entries: usize,
	) -> Result<(), FlowError> {
		if amount == 0 {
			return Ok(());
		}
		match self.entries.last_mut() {
			Some(last) if last.added_at == now => {
				last.amount = last.amount.saturating_add(amount);
				return Ok(());
			},
			Some(last) if last.added_at > now => return Err(FlowError::NonMonotonicBlock),
			_ => {},
		}
		if self.entries.len() >= max_entries {
			return Err(FlowError::QueueFull);
		}
		self.entries.push(PendingStake {
			added_at: now,
			amount,
		});
		Ok(())
	}

	/// Removes the entries that are mature at `now` (`added_at + maturity <= now`) and returns
	/// their total: the positive flow of this block for this position.
	pub fn take_matured(&mut self, now: BlockNumber, maturity: BlockNumber) -> Balance {
		let matured = self
			.entries
			.iter()
			.take_while(|e| e.added_at.saturating_add(maturity) <= now)
			.count();
		self.entries
			.drain(..matured)
			.fold(0, |acc, e| acc.saturating_add(e.amount))
	}

	/// Applies a removal of `amount`: cancels immature additions oldest first, and reports the
	/// remainder as negative flow. The caller must have checked that the position holds
	/// `amount` (mature + immature).
	pub fn remove(&mut self, amount: Balance) -> Removal {
		let mut left = amount;
		let mut out = Removal::default();
		let mut fully = 0usize;
		for e in self.entries.iter_mut() {
			if left == 0 {
				break;
			}
			let take = e.amount.min(left);
			left = left.saturating_sub(take);
			e.amount = e.amount.saturating_sub(take);
			out.cancelled.push(PendingStake {
				added_at: e.added_at,
				amount: take,
			});
			out.cancelled_total = out.cancelled_total.saturating_add(take);
			if e.amount == 0 {
				fully = fully.saturating_add(1);
			}
		}
		self.entries.drain(..fully);
		out.negative_flow = left;
		out
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;
	use sp_arithmetic::Rounding;

	fn s(units: i128) -> Score {
		Score::saturating_from_integer(units)
	}

	#[test]
	fn default_alpha_precision() {
		let a = ema_alpha(DEFAULT_HALF_LIFE.into()).unwrap().deconstruct();
		// a = 1 − 2^(−1/216000) = ln2/216000 − (ln2/216000)²/2 + … = 3.20901318…·10^-6
		assert_eq!(a / 1_000_000_000, 3_209);
		// (1 − a)^216000 = 1/2 within the accumulated rounding of the multiplications.
		let keep = ONE - u128::from(a);
		let mut acc = ONE;
		let mut base = keep;
		let mut e = u64::from(DEFAULT_HALF_LIFE);
		while e > 0 {
			if e & 1 == 1 {
				acc = math::mul_div(acc, base, ONE, Rounding::NearestPrefUp).unwrap();
			}
			base = math::mul_div(base, base, ONE, Rounding::NearestPrefUp).unwrap();
			e >>= 1;
		}
		// Error of a (≤ 1e-18) times 216000 plus rounding: well below 1e-12.
		assert!(acc.abs_diff(ONE / 2) < 1_000_000, "{acc}");
		assert_eq!(ema_alpha(0), Err(FlowError::ZeroHalfLife));
	}

	fn st(credit: i128, debt: i128) -> FlowState {
		FlowState {
			credit: s(credit),
			debt: s(debt),
		}
	}

	#[test]
	fn credit_moves_towards_inflow_and_decays() {
		let a = Perquintill::from_percent(50);
		assert_eq!(st(0, 0).update(100, a), st(50, 0));
		assert_eq!(st(50, 0).update(100, a), st(75, 0));
		assert_eq!(st(50, 0).update(0, a), st(25, 0));
		// Half-life of one block: a = 1/2.
		assert_eq!(ema_alpha(1).unwrap(), a);
		// Tiny flows still move the score (10^-18 resolution).
		let tiny = st(0, 0).update(1, ema_alpha(DEFAULT_HALF_LIFE.into()).unwrap());
		assert!(tiny.score() > Score::zero() && tiny.score() < s(1));
	}

	#[test]
	fn outflow_is_debt_that_does_not_decay() {
		let a = Perquintill::from_percent(50);
		// The credit keeps decaying; the outflow (times a) is debt.
		assert_eq!(st(40, 0).update(-100, a), st(20, 50));
		assert_eq!(st(20, 50).update(0, a), st(10, 50));
		assert_eq!(st(0, 50).update(0, a), st(0, 50));
		assert_eq!(st(10, 50).score(), s(-40));
		// Debt accumulates.
		assert_eq!(st(0, 50).update(-20, a), st(0, 60));
	}

	#[test]
	fn inflow_repays_debt_before_adding_credit() {
		let a = Perquintill::from_percent(50);
		// a·f = 30 < debt 50: all of it repays.
		assert_eq!(st(8, 50).update(60, a), st(4, 20));
		// a·f = 30 > debt 20: 20 repays, 10 is new credit.
		assert_eq!(st(4, 20).update(60, a), st(12, 0));
	}

	#[test]
	fn from_score_splits_sign() {
		assert_eq!(FlowState::from_score(s(7)), st(7, 0));
		assert_eq!(FlowState::from_score(s(-7)), st(0, 7));
		assert_eq!(FlowState::from_score(s(0)), st(0, 0));
		assert_eq!(FlowState::from_score(s(-7)).score(), s(-7));
	}

	#[test]
	fn flow_params_are_checked() {
		let p = FlowParams::new(10, s(-5), 2).unwrap();
		assert_eq!(
			(p.half_life, p.alpha, p.cutoff, p.exponent),
			(10, ema_alpha(10).unwrap(), s(-5), 2)
		);
		assert_eq!(FlowParams::new(0, s(0), 1), Err(FlowError::ZeroHalfLife));
		assert_eq!(FlowParams::new(1, s(0), 0), Err(FlowError::ZeroExponent));
		assert_eq!(
			FlowParams::new(1, s(0), MAX_EXPONENT + 1),
			Err(FlowError::ExponentTooLarge)
		);
		assert_eq!(
			FlowParams::default(),
			FlowParams::new(DEFAULT_HALF_LIFE, s(0), DEFAULT_EXPONENT).unwrap()
		);
	}

	/// SPEC's one-number form `S ← S + a·(f − max(S, 0))`, for the comparison below.
	fn one_number(score: Score, flow: i128, alpha: Perquintill) -> Score {
		let a = Score::from_inner(i128::from(alpha.deconstruct()));
		let f = Score::saturating_from_integer(flow);
		score.saturating_add(f.saturating_sub(score.max(Score::zero())).saturating_mul(a))
	}

	/// Why credit and debt are kept apart: with the one-number debt rule a cycle (add, mature,
	/// remove, re-add) returns with the score it left with, which then stays above the
	/// holder's decayed score at every later block; with [`FlowState`] it returns to exactly
	/// the holder's credit.
	#[test]
	fn one_number_debt_lets_a_cycler_outrank_a_holder() {
		let a = ema_alpha(100).unwrap();
		let x = 1_000_000i128;
		let (mut holder, mut cycler_one) = (Score::zero(), Score::zero());
		let (mut holder_st, mut cycler_st) = (FlowState::default(), FlowState::default());
		// Inflow at block 0, the cycler's outflow at 50 and its re-entry at 90.
		for block in 0..400 {
			let f_h = if block == 0 { x } else { 0 };
			let f_c = match block {
				0 | 90 => x,
				50 => -x,
				_ => 0,
			};
			holder = one_number(holder, f_h, a);
			cycler_one = one_number(cycler_one, f_c, a);
			holder_st = holder_st.update(f_h, a);
			cycler_st = cycler_st.update(f_c, a);
			if block > 90 {
				assert!(cycler_one > holder, "one-number rule: the cycler outranks");
				assert!(cycler_st.score() <= holder_st.score(), "block {block}");
			}
		}
	}

	#[test]
	fn shares_examples() {
		let pq = |n: u64, d: u64| Perquintill::from_rational(n, d);
		// Default cutoff 0: negative scores get nothing.
		let got = shares(&[s(30), s(10), s(-5)], Score::zero(), 1)
			.unwrap()
			.unwrap();
		assert_eq!(got, vec![pq(3, 4), pq(1, 4), Perquintill::zero()]);
		// p = 2: 9:1 (the 1/3 ratio is rounded down before squaring: within one part).
		let got = shares(&[s(30), s(10), s(-5)], Score::zero(), 2)
			.unwrap()
			.unwrap();
		let want = [pq(9, 10), pq(1, 10), Perquintill::zero()];
		for (g, w) in got.iter().zip(want) {
			assert!(g.deconstruct().abs_diff(w.deconstruct()) <= 1, "{got:?}");
		}
		// Negative cutoff: L = max(−100, min(0, −10)) = −10, excesses 40, 20, 0.
		let got = shares(&[s(30), s(10), s(-10)], s(-100), 1)
			.unwrap()
			.unwrap();
		assert_eq!(got, vec![pq(2, 3), pq(1, 3), Perquintill::zero()]);
		// Positive cutoff: L = 20, excesses 10, 0, 0.
		let got = shares(&[s(30), s(10), s(-10)], s(20), 1).unwrap().unwrap();
		assert_eq!(
			got,
			vec![Perquintill::one(), Perquintill::zero(), Perquintill::zero()]
		);
		// Nothing positive: no shares, nothing minted.
		assert_eq!(shares(&[s(-1), s(0)], Score::zero(), 1), Ok(None));
		assert_eq!(shares(&[], Score::zero(), 1), Ok(None));
		assert_eq!(
			split_emission(1000, &[s(-1), s(0)], Score::zero(), 1),
			Ok(None)
		);
		assert_eq!(
			shares(&[s(1)], Score::zero(), 0),
			Err(FlowError::ZeroExponent)
		);
		// Exact split.
		assert_eq!(
			split_emission(1000, &[s(1), s(1), s(1)], Score::zero(), 1),
			Ok(Some(vec![334, 333, 333]))
		);
	}

	#[test]
	fn net_flow_saturates() {
		assert_eq!(net_flow(10, 5, 20), -5);
		assert_eq!(net_flow(u128::MAX, 0, 0), i128::MAX);
		assert_eq!(net_flow(0, 0, u128::MAX), -i128::MAX);
	}

	#[test]
	fn maturity_basic() {
		let mut q = MaturityQueue::new();
		q.add(0, 100, 8).unwrap();
		q.add(0, 50, 8).unwrap();
		q.add(3, 10, 8).unwrap();
		assert_eq!(q.entries().len(), 2);
		assert_eq!(q.add(2, 1, 8), Err(FlowError::NonMonotonicBlock));
		assert_eq!(q.take_matured(9, 10), 0);
		assert_eq!(q.take_matured(10, 10), 150);
		// Remove 30: 10 immature cancelled, 20 from mature stake = negative flow.
		let r = q.remove(30);
		assert_eq!(
			r.cancelled,
			vec![PendingStake {
				added_at: 3,
				amount: 10
			}]
		);
		assert_eq!(r.negative_flow, 20);
		assert!(q.entries().is_empty());
		let mut full = MaturityQueue::new();
		full.add(1, 1, 1).unwrap();
		assert_eq!(full.add(2, 1, 1), Err(FlowError::QueueFull));
		assert!(MaturityQueue::from_entries(vec![
			PendingStake {
				added_at: 2,
				amount: 1
			},
			PendingStake {
				added_at: 1,
				amount: 1
			}
		])
		.is_err());
	}

	#[test]
	fn oldest_first_cancellation_counterexample_to_youngest_first() {
		// See the MaturityQueue docs: each addition leaves before its own maturity.
		let maturity = 8;
		let mut q = MaturityQueue::new();
		let mut flows = Vec::new();
		for block in 0..20u64 {
			let mut flow = q.take_matured(block, maturity);
			match block {
				0 => q.add(0, 10, 16).unwrap(),
				5 => q.add(5, 5, 16).unwrap(),
				7 => flow += q.remove(10).negative_flow,
				10 => flow += q.remove(5).negative_flow,
				_ => {},
			}
			flows.push(flow);
		}
		assert!(flows.iter().all(|f| *f == 0), "{flows:?}");
	}

	/// One round-trip of capital: added at `at`, removed `hold` blocks later.
	#[derive(Debug, Clone)]
	struct Trip {
		at: u64,
		amount: u128,
		hold: u64,
	}

	/// Net flows per block of two subnets over `blocks` blocks: the holder's subnet gets `x` at
	/// `maturity` (added at block 0, kept); the cycler's subnet gets the cycles (`amount`
	/// matures `maturity` blocks after it is added; all of it is removed `hold >= maturity`
	/// blocks after it was added, which counts at the next block as on chain; then `gap` blocks
	/// pass) and then `last` (kept). Both get `others` (block, flow) from other stakers.
	fn holder_and_cycler(
		x: i128,
		cycles: &[(i128, u64, u64)],
		last: Option<i128>,
		maturity: u64,
		others: &[(u64, i128)],
		blocks: u64,
	) -> Vec<(i128, i128)> {
		let mut flows = vec![(0i128, 0i128); blocks as usize];
		let mut at = |block: u64, h: i128, c: i128| {
			if let Some(f) = flows.get_mut(block as usize) {
				f.0 += h;
				f.1 += c;
			}
		};
		at(maturity, x, 0);
		let mut t = 0;
		for (amount, hold, gap) in cycles {
			at(t + maturity, 0, *amount);
			at(t + hold + 1, 0, -*amount);
			t += hold + gap;
		}
		if let Some(amount) = last {
			at(t + maturity, 0, amount);
		}
		for (block, f) in others {
			at(*block, *f, *f);
		}
		flows
	}

	fn cycle_strategy(x: i128, maturity: u64) -> impl Strategy<Value = Vec<(i128, u64, u64)>> {
		proptest::collection::vec((1..=x, maturity..4 * maturity, 1..3 * maturity), 1..6)
	}

	proptest! {
		/// Any interleaving of additions and removals of the same capital where every addition
		/// is removed before its maturity leaves the flow sequence identically zero — also on top
		/// of pre-existing mature stake.
		#[test]
		fn recycled_capital_never_flows(
			maturity in 1u64..50,
			base in 0u128..1_000,
			trips in proptest::collection::vec((0u64..200, 1u128..1_000, 0u64..1_000), 0..30),
		) {
			let trips: Vec<Trip> = trips
				.into_iter()
				.map(|(at, amount, hold)| Trip { at, amount, hold: hold % maturity })
				.collect();
			let mut q = MaturityQueue::new();
			// Pre-existing stake, already mature before block 0's events.
			if base > 0 {
				q.add(0, base, 64).unwrap();
				prop_assert_eq!(q.take_matured(maturity, maturity), base);
			}
			let start = maturity;
			for block in start..start + 200 + maturity + 2 {
				prop_assert_eq!(q.take_matured(block, maturity), 0);
				for t in trips.iter().filter(|t| t.at + start == block) {
					q.add(block, t.amount, 1024).unwrap();
				}
				for t in trips.iter().filter(|t| t.at + start + t.hold == block) {
					let r = q.remove(t.amount);
					prop_assert_eq!(r.negative_flow, 0);
				}
			}
			prop_assert_eq!(q.immature_total(), 0);
		}

		/// Stake that stays is counted exactly once, at maturity; removals beyond the immature
		/// stake are negative flow; the books always balance.
		#[test]
		fn flow_accounting_balances(
			maturity in 1u64..30,
			ops in proptest::collection::vec((any::<bool>(), 1u128..500), 1..60),
		) {
			let mut q = MaturityQueue::new();
			let mut position: u128 = 0;
			let (mut plus, mut minus, mut cancelled): (u128, u128, u128) = (0, 0, 0);
			let mut added: u128 = 0;
			for (block, (is_add, amount)) in ops.iter().enumerate() {
				let block = block as u64;
				plus += q.take_matured(block, maturity);
				if *is_add {
					q.add(block, *amount, 1024).unwrap();
					position += amount;
					added += amount;
				} else {
					let amount = (*amount).min(position);
					let r = q.remove(amount);
					prop_assert_eq!(r.cancelled_total + r.negative_flow, amount);
					prop_assert_eq!(r.cancelled.iter().map(|c| c.amount).sum::<u128>(), r.cancelled_total);
					position -= amount;
					minus += r.negative_flow;
					cancelled += r.cancelled_total;
				}
			}
			// Added = matured + cancelled + still pending; position = matured − negative + pending.
			prop_assert_eq!(added, plus + cancelled + q.immature_total());
			prop_assert_eq!(position + minus, plus + q.immature_total());
		}

		#[test]
		fn shares_sum_to_at_most_one_and_are_monotone(
			raw in proptest::collection::vec(-1_000_000i128..1_000_000_000, 1..32),
			cutoff in -1_000i128..1_000,
			p in 1u8..4,
		) {
			let scores: Vec<Score> = raw.iter().map(|r| s(*r)).collect();
			if let Some(sh) = shares(&scores, s(cutoff), p).unwrap() {
				let total: u128 = sh.iter().map(|x| u128::from(x.deconstruct())).sum();
				prop_assert!(total <= ONE);
				prop_assert!(ONE - total <= scores.len() as u128);
				for i in 0..scores.len() {
					for j in 0..scores.len() {
						if scores[i] >= scores[j] { prop_assert!(sh[i] >= sh[j]); }
					}
				}
				let split = split_emission(1_000_000_000, &scores, s(cutoff), p).unwrap().unwrap();
				prop_assert_eq!(split.iter().sum::<u128>(), 1_000_000_000);
			} else {
				// No shares only if no excess is positive.
				let min = raw.iter().copied().min().unwrap();
				let l = cutoff.max(min.min(0));
				prop_assert!(raw.iter().all(|r| *r <= l));
			}
		}

		/// Issue #15 attack 2, the rule alone: an honest holder of `X` against a cycler of the same
		/// capital (first cycle `X`, later ones `<= X`) with random periods `>= maturity` and
		/// random gaps, on two subnets with the same other stake (added before) and a third
		/// subnet with random inflows. At every block the cycler's score is at most the
		/// holder's, and so are its cumulative clipped score `Σ max(S, 0)` and its cumulative
		/// emission (`split_emission`).
		#[test]
		fn cycling_after_maturity_never_out_earns_holding(
			maturity in 1u64..40,
			half_life in 1u32..400,
			(x, cycles, last) in (1i128..1_000_000).prop_flat_map(|x| (
				Just(x),
				cycle_strategy(x, 40),
				proptest::option::of(1..=x),
			)),
			base in 0i128..1_000_000,
			third in proptest::collection::vec((0u64..2_000, 1i128..1_000_000), 0..20),
		) {
			let cycles: Vec<(i128, u64, u64)> = cycles
				.into_iter()
				.enumerate()
				.map(|(i, (a, hold, gap))| {
					(if i == 0 { x } else { a }, maturity + hold % (3 * maturity), 1 + gap % (3 * maturity))
				})
				.collect();
			let a = ema_alpha(half_life.into()).unwrap();
			let blocks = cycles.iter().map(|c| c.1 + c.2).sum::<u64>() + 6 * u64::from(half_life) + maturity;
			let flows = holder_and_cycler(x, &cycles, last, maturity, &[(0, base)], blocks);
			let mut states = [FlowState::default(); 3];
			let (mut clipped, mut paid) = ([Score::zero(); 2], [0u128; 2]);
			for (block, (f_h, f_c)) in flows.iter().enumerate() {
				let f_n = third.iter().filter(|(b, _)| *b == block as u64).map(|(_, f)| *f).sum::<i128>();
				states[0] = states[0].update(*f_h, a);
				states[1] = states[1].update(*f_c, a);
				states[2] = states[2].update(f_n, a);
				let scores: Vec<Score> = states.iter().map(FlowState::score).collect();
				prop_assert!(scores[1] <= scores[0], "block {}: {:?}", block, states);
				for i in 0..2 {
					clipped[i] = clipped[i] + scores[i].max(Score::zero());
				}
				prop_assert!(clipped[1] <= clipped[0], "block {}", block);
				if let Some(parts) = split_emission(1_000_000_000, &scores, Score::zero(), 1).unwrap() {
					paid[0] += parts[0];
					paid[1] += parts[1];
				}
				prop_assert!(paid[1] <= paid[0], "block {}: {:?}", block, paid);
			}
		}

		#[test]
		fn credit_and_debt_stay_non_negative_and_score_moves_by_a_times_flow_minus_credit(
			credit in 0i128..1_000_000_000,
			debt in 0i128..1_000_000_000,
			flow in -1_000_000_000i128..1_000_000_000,
			half_life in 1u64..1_000_000,
		) {
			let a = ema_alpha(half_life).unwrap();
			let before = st(credit, debt);
			let after = before.update(flow, a);
			prop_assert!(after.is_valid());
			// S' = S + a·(f − C), up to the rounding of the two multiplications.
			let af = Score::saturating_from_integer(flow).saturating_mul(Score::from_inner(i128::from(a.deconstruct())));
			let ac = s(credit).saturating_mul(Score::from_inner(i128::from(a.deconstruct())));
			let want = before.score() + af - ac;
			prop_assert!((after.score() - want).into_inner().abs() <= 2, "{:?} vs {:?}", after, want);
			// Debt never decays; it only shrinks by repayment from inflow.
			if flow <= 0 { prop_assert!(after.debt >= before.debt); }
			prop_assert!(after.credit <= s(credit).max(s(flow)));
		}

		/// A burn of [`removal_debt`] units brings the removed subnet's score back to zero, and
		/// one unit less would not: the settlement is the least inflow that repays the debt.
		#[test]
		fn a_burn_of_the_removal_debt_exactly_repays_the_score(
			credit in 0i128..1_000_000_000,
			debt in 0i128..1_000_000_000,
			pending in -1_000_000i128..1_000_000,
			left in 0u128..1_000_000_000,
			half_life in 1u64..1_000_000,
		) {
			let a = ema_alpha(half_life).unwrap();
			let state = st(credit, debt);
			let owed = removal_debt(state, pending, left, a);
			let after = state.update(pending - left as i128, a).score().into_inner();
			let a_inner = i128::from(a.deconstruct());
			let repaid = |x: u128| after + a_inner * x as i128;
			prop_assert!(repaid(owed) >= 0, "{} {}", after, owed);
			if owed > 0 {
				prop_assert!(repaid(owed - 1) < 0);
			} else {
				prop_assert!(after >= 0);
			}
		}

		/// Issue #15 attack 3, the rule alone: capital `X` earns credit on subnet A, leaves it at
		/// `leave` (or stays until the removal), A is removed at `t` (its owner pays
		/// [`removal_debt`] from the lock) and `X` enters a new subnet after `gap` blocks. At every
		/// block the hop's cumulative clipped score is at most that of the same capital held on
		/// one subnet whose owner burned the same amount at `t` (a burn buys credit like any
		/// inflow): the hop buys nothing that burning would not.
		#[test]
		fn dissolve_and_reenter_earns_no_more_than_holding_and_burning_the_settlement(
			half_life in 1u32..300,
			x in 1i128..1_000_000,
			t in 1u64..600,
			leave in proptest::option::of(0u64..600),
			gap in 1u64..300,
		) {
			let a = ema_alpha(half_life.into()).unwrap();
			let leave = leave.map(|l| l % t);
			let blocks = t + gap + 8 * u64::from(half_life);
			let mut hop = Hop::new(x, t, leave, gap);
			let (mut holder, mut clipped) = (FlowState::default(), [Score::zero(); 2]);
			for block in 0..blocks {
				let (hop_score, settled) = hop.step(block, a);
				let f_h = if block == 0 { x } else { 0 } + settled.map_or(0, |d| d as i128);
				holder = holder.update(f_h, a);
				clipped[0] = clipped[0] + holder.score().max(Score::zero());
				clipped[1] = clipped[1] + hop_score.max(Score::zero());
				// Fixed-point rounding: at most a few 10^-18 per block.
				let slack = Score::from_inner(4 * (block as i128 + 1));
				prop_assert!(clipped[1] <= clipped[0] + slack, "block {}: {:?}", block, clipped);
			}
		}
	}

	/// Capital `X` hopping from subnet A to a new subnet (see the property test above).
	struct Hop {
		x: i128,
		t: u64,
		leave: Option<u64>,
		gap: u64,
		a: FlowState,
		next: FlowState,
	}

	impl Hop {
		fn new(x: i128, t: u64, leave: Option<u64>, gap: u64) -> Self {
			Self {
				x,
				t,
				leave,
				gap,
				a: FlowState::default(),
				next: FlowState::default(),
			}
		}

		/// One block: the score of the subnet that holds the capital's credit now (A before
		/// `t`, none in the gap, the new subnet after), and the removal debt settled at `t`.
		fn step(&mut self, block: u64, alpha: Perquintill) -> (Score, Option<u128>) {
			if block < self.t {
				let f = if block == 0 { self.x } else { 0 }
					- if self.leave == Some(block) { self.x } else { 0 };
				self.a = self.a.update(f, alpha);
				return (self.a.score(), None);
			}
			let settled = (block == self.t).then(|| {
				let left = if self.leave.is_some() {
					0
				} else {
					self.x as u128
				};
				removal_debt(self.a, 0, left, alpha)
			});
			if block >= self.t + self.gap {
				let f = if block == self.t + self.gap {
					self.x
				} else {
					0
				};
				self.next = self.next.update(f, alpha);
				return (self.next.score(), settled);
			}
			(Score::zero(), settled)
		}
	}

	/// The attack the settlement closes: without it (the owner's lock returned whole), the
	/// same hop out-earns the capital held.
	#[test]
	fn without_the_settlement_dissolve_and_reenter_out_earns_holding() {
		let a = ema_alpha(100).unwrap();
		let (x, t, gap) = (1_000_000, 300, 10);
		let mut hop = Hop::new(x, t, None, gap);
		let (mut holder, mut clipped) = (FlowState::default(), [Score::zero(); 2]);
		let mut settled = 0;
		for block in 0..t + gap + 800 {
			let (hop_score, d) = hop.step(block, a);
			settled += d.unwrap_or(0);
			holder = holder.update(if block == 0 { x } else { 0 }, a);
			clipped[0] = clipped[0] + holder.score().max(Score::zero());
			clipped[1] = clipped[1] + hop_score.max(Score::zero());
		}
		assert!(clipped[1] > clipped[0], "{clipped:?}");
		// What closes it: the settlement is most of X after two half-lives on A.
		assert!(
			settled > 8 * 1_000_000 / 10 && settled <= 1_000_000,
			"{settled}"
		);
	}

	#[test]
	fn removal_debt_is_zero_for_a_subnet_without_debt_or_stake() {
		let a = ema_alpha(100).unwrap();
		assert_eq!(removal_debt(FlowState::default(), 0, 0, a), 0);
		assert_eq!(removal_debt(st(5_000, 0), 0, 0, a), 0);
	}

	#[test]
	fn removal_debt_counts_the_matured_stake_left_as_outflow() {
		let a = ema_alpha(100).unwrap();
		// Credit long decayed: the stake still there is owed in full.
		assert_eq!(removal_debt(FlowState::default(), 0, 1_000, a), 1_000);
		// Earlier debt adds to it; this block's pending inflow offsets it.
		let debt = Score::saturating_from_integer(500i128)
			.saturating_mul(Score::from_inner(i128::from(a.deconstruct())));
		let state = FlowState {
			credit: Score::zero(),
			debt,
		};
		assert_eq!(removal_debt(state, 0, 1_000, a), 1_500);
		assert_eq!(removal_debt(state, 200, 1_000, a), 1_300);
	}
}
