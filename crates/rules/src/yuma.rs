//! Yuma consensus (SPEC §3), in deterministic fixed point.
//!
//! Inputs: the validators (uid, stake, permit, activity, sparse weight row, previous sparse bond
//! row) of a subnet with `n` UIDs. With all values in the 10^18 scale (1.0 = 10^18):
//!
//! ```text
//! S_i   = stake_i / Σ stake        over validators with a permit, active, and stake > 0
//!                                  ("counted"); 0 for everybody else
//! W_ij  = w_ij / Σ_j w_ij          row-normalised, self-weight (j = uid_i) and zeros dropped
//! C_j   = max { c : Σ_i S_i·[W_ij >= c] >= κ }    (consensus; 0 if no positive c qualifies)
//! W̄_ij  = min(W_ij, C_j)           (clipped weights)
//! T_i   = Σ_j W̄_ij                 (validator trust)
//! R_j   = Σ_i S_i·W̄_ij             (rank)
//! I_j   = R_j / Σ_k R_k            (incentive; all 0 if Σ R = 0)
//! ΔB_ij = S_i·W̄_ij / Σ_k S_k·W̄_kj (bond increments, column-normalised)
//! B_ij  = α·ΔB_ij + (1 − α)·B_prev_ij                      (bonds EMA)
//! D_i   = Σ_j B_ij·I_j / Σ_k Σ_j B_kj·I_j                 (dividends, counted validators)
//! ```
//!
//! **Exact consensus.** `C_j` is computed without approximation: the counted validators'
//! weights on `j` are sorted in decreasing order and their *raw* stakes accumulated until they
//! reach `⌈κ·Σ stake⌉` (an exact integer comparison); the weight reached is `C_j`. With `κ = 0`
//! every `c` qualifies and `C_j = 1` (no clipping).
//!
//! **Who counts.** Validators without a permit, inactive ones (no weights within the activity
//! cutoff) and zero-stake ones have `S_i = 0`: their weights are ignored, they get no trust and
//! no dividends. Bonds of validators without a permit are cleared; a permitted but inactive
//! validator's bonds decay (`ΔB = 0`), so they recover if it comes back.
//!
//! **Rounding.** Every product and quotient rounds down, so `Σ I` and `Σ D` are `1` minus at
//! most one 10^-18 part per term whenever any rank (resp. dividend) is positive.
//!
//! **Pallet notes.** The pallet validates rows with [`validate_weights`] when weights are set
//! (the one weight-row rule),
//! and must drop weights and bonds pointing at a UID when that UID is replaced by a new
//! registration (pruning), since this module cannot tell the old and the new neuron apart.

use crate::{
	math::{mul_div, mul_div_floor_or_zero, perquintill_to_q, q_mul, q_to_perquintill, ONE},
	Balance,
};
use alloc::{vec, vec::Vec};
use codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_arithmetic::{traits::Saturating, PerThing, Perbill, Perquintill, Rounding};

/// Largest number of UIDs in a subnet.
pub const MAX_UIDS: usize = 4096;

/// Largest number of validators (permits) in a subnet (*default* K = 64).
pub const MAX_VALIDATORS: usize = 64;

/// A sparse row: `(uid, value)` pairs.
pub type SparseRow<T> = Vec<(u16, T)>;

/// Yuma parameters (subnet hyperparameters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct YumaParams {
	/// κ: the stake fraction that must support a weight for it to be in consensus (default 50%).
	pub kappa: Perbill,
	/// α: the bonds moving-average factor (default 10%).
	pub bonds_alpha: Perbill,
}

impl Default for YumaParams {
	fn default() -> Self {
		Self {
			kappa: Perbill::from_percent(50),
			bonds_alpha: Perbill::from_percent(10),
		}
	}
}

/// One validator's input to the epoch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidatorInput {
	/// The validator's own UID (its weight on itself is ignored).
	pub uid: u16,
	/// Its stake in units.
	pub stake: Balance,
	/// Holds a validator permit (top-K by stake).
	pub permitted: bool,
	/// Set weights within the activity cutoff.
	pub active: bool,
	/// Its weights, sparse: `(uid, weight)`, any order, no duplicate UIDs.
	pub weights: SparseRow<u16>,
	/// Its bonds from the previous epoch, sparse: `(uid, bond)`, any order, no duplicates.
	pub prev_bonds: SparseRow<Perquintill>,
}

/// Results of an epoch. Per-UID vectors have length `n`; per-validator vectors follow the order
/// of the input validators.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct YumaOutput {
	/// Normalised stake `S_i` of each validator (0 if not counted).
	pub stake: Vec<Perquintill>,
	/// Consensus weight `C_j` of each UID.
	pub consensus: Vec<Perquintill>,
	/// Rank `R_j` of each UID.
	pub rank: Vec<Perquintill>,
	/// Incentive `I_j` of each UID (sums to 1 within ε, or all 0).
	pub incentive: Vec<Perquintill>,
	/// Validator trust `T_i` of each validator.
	pub trust: Vec<Perquintill>,
	/// Dividends `D_i` of each validator (sums to 1 within ε, or all 0).
	pub dividends: Vec<Perquintill>,
	/// Clipped weights `W̄_i` of each validator, sparse, sorted by UID, zeros omitted.
	pub clipped_weights: Vec<SparseRow<Perquintill>>,
	/// New bonds `B_i` of each validator, sparse, sorted by UID, zeros omitted.
	pub bonds: Vec<SparseRow<Perquintill>>,
}

/// Malformed epoch input (the pallet should never store such state).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub enum YumaError {
	/// More than [`MAX_UIDS`] UIDs.
	TooManyUids,
	/// More than [`MAX_VALIDATORS`] validators.
	TooManyValidators,
	/// A validator's own UID is `>= n`.
	ValidatorUidOutOfRange,
	/// Two validators share a UID.
	DuplicateValidator,
	/// A weight points at a UID `>= n`.
	WeightUidOutOfRange,
	/// A weight row names a UID twice.
	DuplicateWeightUid,
	/// A bond points at a UID `>= n`.
	BondUidOutOfRange,
	/// A bond row names a UID twice.
	DuplicateBondUid,
	/// The total stake overflows `u128`.
	StakeOverflow,
}

/// Checks a sparse row: UIDs `< n` and no duplicates.
fn check_uids(
	n: usize,
	uids: impl Iterator<Item = u16>,
	out_of_range: YumaError,
	duplicate: YumaError,
) -> Result<(), YumaError> {
	let mut seen = vec![false; n];
	for uid in uids {
		let slot = seen.get_mut(usize::from(uid)).ok_or(out_of_range)?;
		if *slot {
			return Err(duplicate);
		}
		*slot = true;
	}
	Ok(())
}

/// Why a weight row is refused by [`validate_weights`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub enum WeightsError {
	/// `uids` and `values` differ in length.
	LengthMismatch,
	/// More entries than `max_uids` (or than [`MAX_UIDS`]).
	TooMany,
	/// A UID at or above the number of neurons.
	UnknownUid,
	/// A UID appears twice.
	Duplicate,
	/// Every value is zero (or the row is empty).
	AllZero,
}

/// The weight-row rule (the one rule: `pallet-subnets` calls it for `set_weights` and
/// `reveal_weights`). A row `(uids, values)` of a subnet with `n_uids` neurons and owner-set
/// `max_uids` is accepted iff
///
/// ```text
/// |uids| = |values| ≤ min(max_uids, MAX_UIDS),  every uid < n_uids,  uids distinct,  Σ values > 0
/// ```
///
/// and is returned as `(uid, value)` pairs sorted by UID. Self-weights and single zero values
/// are allowed (Yuma ignores them, [`normalize_row`]). Errors are checked in the order of
/// [`WeightsError`]'s variants.
pub fn validate_weights(
	uids: &[u16],
	values: &[u16],
	n_uids: u16,
	max_uids: u16,
) -> Result<SparseRow<u16>, WeightsError> {
	if uids.len() != values.len() {
		return Err(WeightsError::LengthMismatch);
	}
	if uids.len() > usize::from(max_uids).min(MAX_UIDS) {
		return Err(WeightsError::TooMany);
	}
	if uids.iter().any(|u| *u >= n_uids) {
		return Err(WeightsError::UnknownUid);
	}
	let mut row: SparseRow<u16> = uids.iter().copied().zip(values.iter().copied()).collect();
	row.sort_unstable_by_key(|(u, _)| *u);
	if row.windows(2).any(|w| matches!(w, [a, b] if a.0 == b.0)) {
		return Err(WeightsError::Duplicate);
	}
	if row.iter().all(|(_, v)| *v == 0) {
		return Err(WeightsError::AllZero);
	}
	Ok(row)
}

/// Row-normalised weights `W_ij` of a validator with UID `own_uid` (10^18 scale): self-weight
/// and zero weights dropped, sorted by UID, each `w / Σw` rounded down. Empty if nothing is left.
pub fn normalize_row(own_uid: u16, weights: &[(u16, u16)]) -> SparseRow<u128> {
	let mut row: SparseRow<u16> = weights
		.iter()
		.copied()
		.filter(|(u, w)| *u != own_uid && *w > 0)
		.collect();
	row.sort_unstable_by_key(|(u, _)| *u);
	let sum = row
		.iter()
		.fold(0u128, |acc, (_, w)| acc.saturating_add(u128::from(*w)));
	row.into_iter()
		.map(|(u, w)| (u, mul_div_floor_or_zero(u128::from(w), ONE, sum)))
		.collect()
}

/// Exact stake-weighted consensus of one column:
/// `max { c : Σ stake·[w >= c] >= ⌈κ·total_stake⌉ }` over the candidates `(w, stake)`
/// (weights in the 10^18 scale). Returns 0 when no positive candidate qualifies and 1.0 when
/// the threshold is 0 (κ = 0) but `total_stake > 0`. Sorts `entries` in place.
pub fn stake_weighted_consensus(
	entries: &mut [(u128, Balance)],
	total_stake: Balance,
	kappa: Perbill,
) -> u128 {
	if total_stake == 0 {
		return 0;
	}
	let threshold = kappa_threshold(total_stake, kappa);
	if threshold == 0 {
		return ONE;
	}
	entries.sort_unstable_by_key(|e| core::cmp::Reverse(e.0));
	let mut cumulative: Balance = 0;
	for (w, stake) in entries.iter() {
		cumulative = cumulative.saturating_add(*stake);
		if cumulative >= threshold {
			return *w;
		}
	}
	0
}

/// `⌈κ·total⌉`, exact.
fn kappa_threshold(total: Balance, kappa: Perbill) -> Balance {
	mul_div(
		total,
		u128::from(kappa.deconstruct()),
		u128::from(Perbill::ACCURACY),
		Rounding::Up,
	)
	.unwrap_or(total)
}

/// `α·x` for a Perbill `α`, rounded down.
fn perbill_mul(p: Perbill, x: u128) -> u128 {
	mul_div_floor_or_zero(
		x,
		u128::from(p.deconstruct()),
		u128::from(Perbill::ACCURACY),
	)
}

/// Runs one Yuma epoch over `n_uids` UIDs (see the module docs for the formulas).
///
/// Returns all-zero (and empty-row) results when nobody is counted; errors only on malformed
/// input (see [`YumaError`]).
pub fn epoch(
	n_uids: u16,
	validators: &[ValidatorInput],
	params: &YumaParams,
) -> Result<YumaOutput, YumaError> {
	let n = usize::from(n_uids);
	if n > MAX_UIDS {
		return Err(YumaError::TooManyUids);
	}
	if validators.len() > MAX_VALIDATORS {
		return Err(YumaError::TooManyValidators);
	}
	check_uids(
		n,
		validators.iter().map(|v| v.uid),
		YumaError::ValidatorUidOutOfRange,
		YumaError::DuplicateValidator,
	)?;
	for v in validators {
		if v.weights.len() > MAX_UIDS || v.prev_bonds.len() > MAX_UIDS {
			return Err(YumaError::TooManyUids);
		}
		check_uids(
			n,
			v.weights.iter().map(|(u, _)| *u),
			YumaError::WeightUidOutOfRange,
			YumaError::DuplicateWeightUid,
		)?;
		check_uids(
			n,
			v.prev_bonds.iter().map(|(u, _)| *u),
			YumaError::BondUidOutOfRange,
			YumaError::DuplicateBondUid,
		)?;
	}

	// Normalised stake of the counted validators.
	let counted: Vec<bool> = validators
		.iter()
		.map(|v| v.permitted && v.active && v.stake > 0)
		.collect();
	let mut total_stake: Balance = 0;
	for (v, c) in validators.iter().zip(&counted) {
		if *c {
			total_stake = total_stake
				.checked_add(v.stake)
				.ok_or(YumaError::StakeOverflow)?;
		}
	}
	let stake_q: Vec<u128> = validators
		.iter()
		.zip(&counted)
		.map(|(v, c)| {
			if *c {
				mul_div_floor_or_zero(v.stake, ONE, total_stake)
			} else {
				0
			}
		})
		.collect();

	// Row-normalised weights of counted validators.
	let rows: Vec<SparseRow<u128>> = validators
		.iter()
		.zip(&counted)
		.map(|(v, c)| {
			if *c {
				normalize_row(v.uid, &v.weights)
			} else {
				Vec::new()
			}
		})
		.collect();

	// Consensus, column by column: gather (w, raw stake) per UID.
	let mut columns: Vec<Vec<(u128, Balance)>> = vec![Vec::new(); n];
	for (row, v) in rows.iter().zip(validators) {
		for (u, w) in row {
			if let Some(col) = columns.get_mut(usize::from(*u)) {
				col.push((*w, v.stake));
			}
		}
	}
	let consensus: Vec<u128> = columns
		.iter_mut()
		.map(|col| stake_weighted_consensus(col, total_stake, params.kappa))
		.collect();
	let consensus_of = |u: u16| consensus.get(usize::from(u)).copied().unwrap_or(0);

	// Clipped weights, trust, and the products S_i·W̄_ij.
	let clipped: Vec<SparseRow<u128>> = rows
		.iter()
		.map(|row| {
			row.iter()
				.map(|(u, w)| (*u, (*w).min(consensus_of(*u))))
				.filter(|(_, w)| *w > 0)
				.collect()
		})
		.collect();
	let trust: Vec<u128> = clipped
		.iter()
		.map(|row| row.iter().fold(0u128, |acc, (_, w)| acc.saturating_add(*w)))
		.collect();
	let products: Vec<SparseRow<u128>> = clipped
		.iter()
		.zip(&stake_q)
		.map(|(row, s)| row.iter().map(|(u, w)| (*u, q_mul(*s, *w))).collect())
		.collect();

	// Rank and incentive.
	let mut rank: Vec<u128> = vec![0; n];
	for row in &products {
		for (u, p) in row {
			if let Some(r) = rank.get_mut(usize::from(*u)) {
				*r = r.saturating_add(*p);
			}
		}
	}
	let rank_sum = rank.iter().fold(0u128, |acc, r| acc.saturating_add(*r));
	let incentive: Vec<u128> = rank
		.iter()
		.map(|r| mul_div_floor_or_zero(*r, ONE, rank_sum))
		.collect();
	let rank_of = |u: u16| rank.get(usize::from(u)).copied().unwrap_or(0);
	let incentive_of = |u: u16| incentive.get(usize::from(u)).copied().unwrap_or(0);

	// Bonds: column-normalised increments, then the EMA with the previous bonds.
	let keep = Perbill::one().saturating_sub(params.bonds_alpha);
	let bonds: Vec<SparseRow<u128>> = validators
		.iter()
		.zip(&products)
		.map(|(v, prods)| {
			if !v.permitted {
				return Vec::new();
			}
			let delta: SparseRow<u128> = prods
				.iter()
				.map(|(u, p)| (*u, mul_div_floor_or_zero(*p, ONE, rank_of(*u))))
				.collect();
			let mut prev: SparseRow<u128> = v
				.prev_bonds
				.iter()
				.map(|(u, b)| (*u, perquintill_to_q(*b)))
				.collect();
			prev.sort_unstable_by_key(|(u, _)| *u);
			merge_ema(&delta, &prev, params.bonds_alpha, keep)
		})
		.collect();

	// Dividends of the counted validators.
	let raw_dividends: Vec<u128> = bonds
		.iter()
		.zip(&counted)
		.map(|(row, c)| {
			if !*c {
				return 0;
			}
			row.iter().fold(0u128, |acc, (u, b)| {
				acc.saturating_add(q_mul(*b, incentive_of(*u)))
			})
		})
		.collect();
	let dividend_sum = raw_dividends
		.iter()
		.fold(0u128, |acc, d| acc.saturating_add(*d));
	let dividends = raw_dividends
		.iter()
		.map(|d| q_to_perquintill(mul_div_floor_or_zero(*d, ONE, dividend_sum)))
		.collect();

	let to_pq = |v: &[u128]| v.iter().map(|x| q_to_perquintill(*x)).collect::<Vec<_>>();
	let rows_to_pq = |rows: &[SparseRow<u128>]| {
		rows.iter()
			.map(|row| {
				row.iter()
					.map(|(u, x)| (*u, q_to_perquintill(*x)))
					.collect()
			})
			.collect::<Vec<_>>()
	};
	Ok(YumaOutput {
		stake: to_pq(&stake_q),
		consensus: to_pq(&consensus),
		rank: to_pq(&rank),
		incentive: to_pq(&incentive),
		trust: to_pq(&trust),
		dividends,
		clipped_weights: rows_to_pq(&clipped),
		bonds: rows_to_pq(&bonds),
	})
}

/// `α·delta + (1 − α)·prev` over two UID-sorted sparse rows; zeros dropped.
fn merge_ema(
	delta: &[(u16, u128)],
	prev: &[(u16, u128)],
	alpha: Perbill,
	keep: Perbill,
) -> SparseRow<u128> {
	let mut out = Vec::with_capacity(delta.len().saturating_add(prev.len()));
	let (mut d, mut p) = (delta.iter().peekable(), prev.iter().peekable());
	loop {
		let (uid, dv, pv) = match (d.peek(), p.peek()) {
			(None, None) => break,
			(Some(&&(du, dv)), None) => {
				d.next();
				(du, dv, 0)
			},
			(None, Some(&&(pu, pv))) => {
				p.next();
				(pu, 0, pv)
			},
			(Some(&&(du, dv)), Some(&&(pu, pv))) => {
				if du == pu {
					d.next();
					p.next();
					(du, dv, pv)
				} else if du < pu {
					d.next();
					(du, dv, 0)
				} else {
					p.next();
					(pu, 0, pv)
				}
			},
		};
		let b = perbill_mul(alpha, dv)
			.saturating_add(perbill_mul(keep, pv))
			.min(ONE);
		if b > 0 {
			out.push((uid, b));
		}
	}
	out
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	#[test]
	fn validate_weights_returns_the_row_sorted_by_uid() {
		assert_eq!(
			validate_weights(&[2, 0], &[1, 5], 3, 3),
			Ok(vec![(0, 5), (2, 1)])
		);
		// A single zero and a self-weight are allowed.
		assert_eq!(
			validate_weights(&[1, 0], &[0, 1], 3, 3),
			Ok(vec![(0, 1), (1, 0)])
		);
	}

	#[test]
	fn validate_weights_fails_if_lengths_differ() {
		assert_eq!(
			validate_weights(&[0], &[1, 2], 3, 3),
			Err(WeightsError::LengthMismatch)
		);
	}

	#[test]
	fn validate_weights_fails_if_longer_than_max_uids() {
		assert_eq!(
			validate_weights(&[0, 1], &[1, 2], 3, 1),
			Err(WeightsError::TooMany)
		);
	}

	#[test]
	fn validate_weights_fails_if_longer_than_the_yuma_bound() {
		let uids: Vec<u16> = (0..=MAX_UIDS as u16).collect();
		let values = vec![1u16; uids.len()];
		assert_eq!(
			validate_weights(&uids, &values, u16::MAX, u16::MAX),
			Err(WeightsError::TooMany)
		);
	}

	#[test]
	fn validate_weights_fails_on_an_unknown_uid() {
		assert_eq!(
			validate_weights(&[3], &[1], 3, 3),
			Err(WeightsError::UnknownUid)
		);
	}

	#[test]
	fn validate_weights_fails_on_a_duplicate_uid() {
		assert_eq!(
			validate_weights(&[1, 1], &[1, 2], 3, 3),
			Err(WeightsError::Duplicate)
		);
	}

	#[test]
	fn validate_weights_fails_if_all_zero_or_empty() {
		assert_eq!(
			validate_weights(&[1, 2], &[0, 0], 3, 3),
			Err(WeightsError::AllZero)
		);
		assert_eq!(validate_weights(&[], &[], 3, 3), Err(WeightsError::AllZero));
	}

	proptest! {
		/// Every accepted row is a valid Yuma input: `epoch` never refuses it.
		#[test]
		fn accepted_rows_are_valid_epoch_input(
			n in 1u16..40,
			row in proptest::collection::vec((0u16..45, 0u16..4), 0..45),
		) {
			let (uids, values): (Vec<u16>, Vec<u16>) = row.into_iter().unzip();
			if let Ok(row) = validate_weights(&uids, &values, n, n) {
				let v = ValidatorInput {
					uid: 0,
					stake: 1,
					permitted: true,
					active: true,
					weights: row,
					prev_bonds: vec![],
				};
				prop_assert!(epoch(n, &[v], &YumaParams::default()).is_ok());
			}
		}
	}

	fn val(uid: u16, stake: u128, weights: &[(u16, u16)]) -> ValidatorInput {
		ValidatorInput {
			uid,
			stake,
			permitted: true,
			active: true,
			weights: weights.to_vec(),
			prev_bonds: Vec::new(),
		}
	}

	/// `num/den` in the 10^18 scale, rounded down.
	fn q(num: u128, den: u128) -> u128 {
		num * ONE / den
	}

	fn close(got: Perquintill, want: u128, tol: u128) -> bool {
		u128::from(got.deconstruct()).abs_diff(want) <= tol
	}

	fn assert_close(got: &[Perquintill], want: &[u128], tol: u128) {
		assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
		for (g, w) in got.iter().zip(want) {
			assert!(close(*g, *w, tol), "{got:?} vs {want:?}");
		}
	}

	/// Validators 0, 1, 2 (stakes 50, 30, 20), miners 3, 4. Hand computation:
	/// W = [[.75, .25], [.5, .5], [0, 1]]; C3 = .75 (50 ≥ 50), C4 = .5 (20 + 30 ≥ 50);
	/// W̄ = [[.75, .25], [.5, .5], [0, .5]]; T = [1, 1, .5];
	/// R3 = .5·.75 + .3·.5 = .525, R4 = .5·.25 + .3·.5 + .2·.5 = .375; I = [7/12, 5/12];
	/// ΔB3 = [5/7, 2/7, 0], ΔB4 = [1/3, 2/5, 4/15]; B = .1·ΔB;
	/// D ∝ [5/7·7/12 + 1/3·5/12, 2/7·7/12 + 2/5·5/12, 4/15·5/12] = [5/9, 3/9, 1/9].
	fn example() -> Vec<ValidatorInput> {
		vec![
			val(0, 50, &[(3, 3), (4, 1)]),
			val(1, 30, &[(3, 7), (4, 7)]),
			val(2, 20, &[(4, 9), (3, 0)]),
		]
	}

	#[test]
	fn hand_computed_example() {
		let out = epoch(5, &example(), &YumaParams::default()).unwrap();
		let tol = 20;
		assert_close(&out.stake, &[q(1, 2), q(3, 10), q(1, 5)], tol);
		assert_close(&out.consensus, &[0, 0, 0, q(3, 4), q(1, 2)], tol);
		assert_close(&out.trust, &[ONE, ONE, q(1, 2)], tol);
		assert_close(&out.rank, &[0, 0, 0, q(525, 1000), q(375, 1000)], tol);
		assert_close(&out.incentive, &[0, 0, 0, q(7, 12), q(5, 12)], tol);
		assert_close(&out.dividends, &[q(5, 9), q(3, 9), q(1, 9)], tol);
		let clipped: Vec<Vec<u16>> = out
			.clipped_weights
			.iter()
			.map(|r| r.iter().map(|(u, _)| *u).collect())
			.collect();
		assert_eq!(clipped, vec![vec![3, 4], vec![3, 4], vec![4]]);
		assert!(close(out.clipped_weights[2][0].1, q(1, 2), tol));
		let bond = |i: usize, uid: u16| {
			out.bonds[i]
				.iter()
				.find(|(u, _)| *u == uid)
				.map(|(_, b)| *b)
				.unwrap_or_default()
		};
		assert!(close(bond(0, 3), q(5, 70), tol));
		assert!(close(bond(1, 3), q(2, 70), tol));
		assert!(close(bond(0, 4), q(1, 30), tol));
		assert!(close(bond(1, 4), q(4, 100), tol));
		assert!(close(bond(2, 4), q(4, 150), tol));
		assert_eq!(bond(2, 3), Perquintill::zero());
	}

	#[test]
	fn bonds_ema_uses_previous_bonds() {
		let mut vals = example();
		vals[0].prev_bonds = vec![
			(3, Perquintill::from_percent(50)),
			(2, Perquintill::from_percent(20)),
		];
		let out = epoch(5, &vals, &YumaParams::default()).unwrap();
		let b = &out.bonds[0];
		// uid 2: only decays; uid 3: .1·5/7 + .9·.5; uid 4: .1·1/3.
		assert_eq!(b.iter().map(|(u, _)| *u).collect::<Vec<_>>(), vec![2, 3, 4]);
		assert!(close(b[0].1, q(18, 100), 10));
		assert!(close(b[1].1, q(5, 70) + q(45, 100), 10));
		assert!(close(b[2].1, q(1, 30), 10));
		// Validator 0's larger bonds raise its dividends above the fresh 5/9.
		assert!(u128::from(out.dividends[0].deconstruct()) > q(5, 9));
	}

	#[test]
	fn inactive_unpermitted_and_self_weights_are_ignored() {
		let base = epoch(6, &example(), &YumaParams::default()).unwrap();
		let mut vals = example();
		// A whale without a permit, an inactive whale with old bonds, and self-weights.
		let mut whale = val(5, 10_000, &[(3, 1)]);
		whale.permitted = false;
		whale.prev_bonds = vec![(3, Perquintill::from_percent(90))];
		let mut sleeper = val(4, 10_000, &[(3, 1)]);
		sleeper.active = false;
		sleeper.prev_bonds = vec![(3, Perquintill::from_percent(40))];
		vals.push(whale);
		vals.push(sleeper);
		vals[0].weights.push((0, 60_000));
		let out = epoch(6, &vals, &YumaParams::default()).unwrap();
		assert_eq!(out.consensus, base.consensus);
		assert_eq!(out.incentive, base.incentive);
		assert_eq!(out.rank, base.rank);
		assert_eq!(&out.dividends[..3], &base.dividends[..]);
		assert_eq!(&out.trust[..3], &base.trust[..]);
		assert_eq!(&out.bonds[..3], &base.bonds[..]);
		assert_eq!(out.dividends[3], Perquintill::zero());
		assert_eq!(out.dividends[4], Perquintill::zero());
		assert_eq!(out.stake[3], Perquintill::zero());
		assert!(out.bonds[3].is_empty(), "no permit: bonds cleared");
		assert_eq!(
			out.bonds[4],
			vec![(3, Perquintill::from_percent(36))],
			"inactive: decays"
		);
	}

	#[test]
	fn empty_and_degenerate_inputs() {
		let out = epoch(0, &[], &YumaParams::default()).unwrap();
		assert!(out.consensus.is_empty() && out.dividends.is_empty());
		let out = epoch(7, &[], &YumaParams::default()).unwrap();
		assert_eq!(out.incentive, vec![Perquintill::zero(); 7]);
		// Validators with zero stake or no weights: all zero, no panic.
		let out = epoch(
			3,
			&[val(0, 0, &[(1, 5)]), val(1, 5, &[])],
			&YumaParams::default(),
		)
		.unwrap();
		assert_eq!(out.incentive, vec![Perquintill::zero(); 3]);
		assert_eq!(out.dividends, vec![Perquintill::zero(); 2]);
	}

	#[test]
	fn malformed_input_is_an_error() {
		let p = YumaParams::default();
		assert_eq!(
			epoch(2, &[val(2, 1, &[])], &p),
			Err(YumaError::ValidatorUidOutOfRange)
		);
		assert_eq!(
			epoch(2, &[val(0, 1, &[]), val(0, 1, &[])], &p),
			Err(YumaError::DuplicateValidator)
		);
		assert_eq!(
			epoch(2, &[val(0, 1, &[(2, 1)])], &p),
			Err(YumaError::WeightUidOutOfRange)
		);
		assert_eq!(
			epoch(2, &[val(0, 1, &[(1, 1), (1, 2)])], &p),
			Err(YumaError::DuplicateWeightUid)
		);
		let mut v = val(0, 1, &[]);
		v.prev_bonds = vec![(9, Perquintill::one())];
		assert_eq!(epoch(2, &[v], &p), Err(YumaError::BondUidOutOfRange));
		assert_eq!(epoch(4097, &[], &p), Err(YumaError::TooManyUids));
		let many: Vec<_> = (0..65).map(|u| val(u, 1, &[])).collect();
		assert_eq!(epoch(100, &many, &p), Err(YumaError::TooManyValidators));
		assert_eq!(
			epoch(3, &[val(0, u128::MAX, &[]), val(1, 1, &[])], &p),
			Err(YumaError::StakeOverflow)
		);
	}

	#[test]
	fn consensus_threshold_is_exact() {
		let kappa = Perbill::from_percent(50);
		// Exactly half the stake suffices; one unit less does not.
		assert_eq!(
			stake_weighted_consensus(&mut [(7, 50), (3, 50)], 100, kappa),
			7
		);
		assert_eq!(
			stake_weighted_consensus(&mut [(7, 49), (3, 51)], 100, kappa),
			3
		);
		assert_eq!(stake_weighted_consensus(&mut [(7, 49)], 100, kappa), 0);
		assert_eq!(
			stake_weighted_consensus(&mut [(7, 49)], 100, Perbill::zero()),
			ONE
		);
		assert_eq!(stake_weighted_consensus(&mut [], 0, kappa), 0);
		// Huge stakes do not overflow.
		let big = u128::MAX / 2;
		assert_eq!(
			stake_weighted_consensus(&mut [(5, big), (1, big)], u128::MAX - 1, kappa),
			5
		);
	}

	/// Brute-force reference for the consensus definition.
	fn reference_consensus(entries: &[(u128, u128)], total: u128, kappa: Perbill) -> u128 {
		let threshold = kappa_threshold(total, kappa);
		let mut best = 0;
		for (c, _) in entries {
			let support: u128 = entries.iter().filter(|(w, _)| w >= c).map(|(_, s)| s).sum();
			if support >= threshold && *c > best {
				best = *c;
			}
		}
		best
	}

	fn arb_validators(n: u16, max_v: usize) -> impl Strategy<Value = Vec<ValidatorInput>> {
		proptest::collection::vec(
			(
				1u128..1_000_000_000_000,
				any::<bool>(),
				any::<bool>(),
				proptest::collection::vec((0..n, 0u16..=u16::MAX), 0..(usize::from(n) + 2)),
				proptest::collection::vec((0..n, 0u64..1_000_000_000_000_000_000), 0..4),
			),
			0..max_v,
		)
		.prop_map(move |vs| {
			vs.into_iter()
				.enumerate()
				.map(|(i, (stake, permitted, active, mut weights, mut bonds))| {
					weights.sort_by_key(|(u, _)| *u);
					weights.dedup_by_key(|(u, _)| *u);
					bonds.sort_by_key(|(u, _)| *u);
					bonds.dedup_by_key(|(u, _)| *u);
					ValidatorInput {
						uid: u16::try_from(i).unwrap(),
						stake,
						// Mostly counted validators.
						permitted: permitted || i % 2 == 0,
						active: active || i % 3 == 0,
						weights,
						prev_bonds: bonds
							.into_iter()
							.map(|(u, b)| (u, Perquintill::from_parts(b)))
							.collect(),
					}
				})
				.collect()
		})
	}

	proptest! {
		#[test]
		fn consensus_matches_brute_force(
			entries in proptest::collection::vec((0u128..20, 0u128..1_000), 0..20),
			kappa in 0u32..=1_000_000_000,
		) {
			let total: u128 = entries.iter().map(|(_, s)| s).sum::<u128>() + 1;
			let kappa = Perbill::from_parts(kappa);
			let mut e = entries.clone();
			let got = stake_weighted_consensus(&mut e, total, kappa);
			if kappa_threshold(total, kappa) == 0 {
				prop_assert_eq!(got, ONE);
			} else {
				prop_assert_eq!(got, reference_consensus(&entries, total, kappa));
			}
		}

		/// Validators holding less than κ of the stake cannot lift any UID's consensus above the
		/// largest weight the honest validators give it, nor above what the honest weights reach
		/// with the colluders' stake added on top.
		#[test]
		fn colluding_minority_cannot_raise_consensus(
			honest in proptest::collection::vec((1u128..1_000_000, proptest::collection::vec(0u16..1000, 6)), 1..6),
			colluders in proptest::collection::vec((1u128..1_000_000, proptest::collection::vec(0u16..1000, 6)), 1..6),
			kappa_pct in 20u32..=80,
		) {
			let kappa = Perbill::from_percent(kappa_pct);
			let honest_stake: u128 = honest.iter().map(|(s, _)| s).sum();
			// Scale colluders' stake to just below κ of the total.
			let raw: u128 = colluders.iter().map(|(s, _)| s).sum();
			// colluder_total < κ/(1−κ)·honest_stake  ⇔  colluder_total < κ·total
			let cap = honest_stake * u128::from(kappa_pct) / u128::from(100 - kappa_pct);
			let colluders: Vec<(u128, Vec<u16>)> = colluders
				.into_iter()
				.map(|(s, w)| (s * cap.saturating_sub(1) / raw / 2, w))
				.collect();
			let colluder_stake: u128 = colluders.iter().map(|(s, _)| s).sum();
			let total = honest_stake + colluder_stake;
			prop_assume!(colluder_stake < kappa_threshold(total, kappa));
			let n: u16 = 16; // validators use UIDs 0..12, miners 12..16 (weights on 6 UIDs: 10..16)
			let mut vals = Vec::new();
			for (i, (s, w)) in honest.iter().chain(colluders.iter()).enumerate() {
				let weights = w.iter().enumerate().map(|(k, x)| (10 + k as u16, *x)).collect::<Vec<_>>();
				vals.push(val(i as u16, *s, &weights));
			}
			let params = YumaParams { kappa, ..Default::default() };
			let out = epoch(n, &vals, &params).unwrap();
			let honest_rows: Vec<SparseRow<u128>> = vals[..honest.len()].iter().map(|v| normalize_row(v.uid, &v.weights)).collect();
			for uid in 10..16u16 {
				let c = u128::from(out.consensus[usize::from(uid)].deconstruct());
				let honest_col: Vec<(u128, u128)> = honest_rows.iter().zip(&honest)
					.map(|(r, (s, _))| (r.iter().find(|(u, _)| *u == uid).map(|(_, w)| *w).unwrap_or(0), *s))
					.collect();
				let max_honest = honest_col.iter().map(|(w, _)| *w).max().unwrap_or(0);
				prop_assert!(c <= max_honest, "uid {} c {} max honest {}", uid, c, max_honest);
				// Best case for colluders: all their stake supports every candidate.
				let threshold = kappa_threshold(total, kappa);
				let mut bound = 0;
				for (cand, _) in &honest_col {
					let support: u128 = honest_col.iter().filter(|(w, _)| w >= cand).map(|(_, s)| s).sum::<u128>() + colluder_stake;
					if support >= threshold && *cand > bound { bound = *cand; }
				}
				prop_assert!(c <= bound, "uid {} c {} bound {}", uid, c, bound);
			}
		}

		#[test]
		fn epoch_invariants(n in 1u16..24, vals in arb_validators(24, 10), alpha in 1u32..=100) {
			let vals: Vec<ValidatorInput> = vals
				.into_iter()
				.filter(|v| v.uid < n)
				.map(|mut v| {
					v.weights.retain(|(u, _)| *u < n);
					v.prev_bonds.retain(|(u, _)| *u < n);
					v
				})
				.collect();
			let params = YumaParams { kappa: Perbill::from_percent(50), bonds_alpha: Perbill::from_percent(alpha) };
			let out = epoch(n, &vals, &params).unwrap();
			let n_terms = usize::from(n) as u128 + 1;
			let sum = |v: &[Perquintill]| v.iter().map(|x| u128::from(x.deconstruct())).sum::<u128>();
			let any_rank = out.rank.iter().any(|r| !r.is_zero());
			if any_rank {
				prop_assert!(ONE - sum(&out.incentive) <= n_terms);
				prop_assert!(ONE - sum(&out.dividends) <= vals.len() as u128 + 1);
			} else {
				prop_assert_eq!(sum(&out.incentive), 0);
			}
			prop_assert!(sum(&out.incentive) <= ONE && sum(&out.dividends) <= ONE);
			for (i, v) in vals.iter().enumerate() {
				let counted = v.permitted && v.active;
				if !counted {
					prop_assert!(out.dividends[i].is_zero() && out.trust[i].is_zero());
				}
				if !v.permitted {
					prop_assert!(out.bonds[i].is_empty());
				}
				// Clipped weights never exceed the consensus or the normalised weight.
				let row = normalize_row(v.uid, &v.weights);
				for (u, w) in &out.clipped_weights[i] {
					prop_assert!(*w <= out.consensus[usize::from(*u)]);
					let orig = row.iter().find(|(x, _)| x == u).map(|(_, w)| *w).unwrap();
					prop_assert!(u128::from(w.deconstruct()) <= orig);
					prop_assert!(*u != v.uid);
				}
			}
			// Bond columns of the increments sum to at most one; with bonds ≤ 1 the EMA keeps
			// every column sum ≤ max(1, previous column sum).
			for uid in 0..n {
				let col: u128 = out.bonds.iter().flat_map(|r| r.iter()).filter(|(u, _)| *u == uid).map(|(_, b)| u128::from(b.deconstruct())).sum();
				let prev: u128 = vals.iter().flat_map(|v| v.prev_bonds.iter()).filter(|(u, _)| *u == uid).map(|(_, b)| u128::from(b.deconstruct())).sum();
				prop_assert!(col <= ONE.max(prev));
			}
		}
	}
}
