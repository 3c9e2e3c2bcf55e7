//! Shared deterministic arithmetic helpers.
//!
//! - Fixed-point values use the 10^18 scale of [`Perquintill`], `FixedU128` and `FixedI128`
//!   ([`ONE`] = 1.0).
//! - [`mul_div`] computes `a·b/c` exactly over 256 bits (via
//!   [`multiply_by_rational_with_rounding`]) with an explicit rounding mode.
//! - [`distribute`] splits an amount proportionally to integer weights so that the parts sum
//!   **exactly** to the amount: every recipient gets `floor(amount·w_i/Σw)` and the rounding
//!   dust (fewer units than there are recipients) goes to the recipient with the largest weight
//!   (the lowest index among equals).
//! - [`pow2_neg`] computes `2^(−num/den)` and [`one_minus_pow2_neg_recip`] computes
//!   `1 − 2^(−1/h)`: both via the Taylor series of `exp(−x·ln 2)` evaluated in 10^36-scaled
//!   integers, then rounded to the nearest 10^-18. The absolute error of the result is at most
//!   `0.5·10^-18 + 10^-33` (i.e. within one `Perquintill` part) — see the tests.

use alloc::vec::Vec;
use sp_arithmetic::{helpers_128bit::multiply_by_rational_with_rounding, Perquintill, Rounding};

/// 1.0 in the 10^18 fixed-point scale shared by `Perquintill`, `FixedU128` and `FixedI128`.
pub const ONE: u128 = 1_000_000_000_000_000_000;

/// 1.0 in the internal 10^36 scale used by the exponential series.
const ONE_36: u128 = 1_000_000_000_000_000_000_000_000_000_000_000_000;

/// ln 2 scaled by 10^36 (0.693147180559945309417232121458176568|0755…, rounded down).
const LN2_36: u128 = 693_147_180_559_945_309_417_232_121_458_176_568;

/// 10^18: the factor between the 10^36 and 10^18 scales.
const SCALE_DOWN: u128 = 1_000_000_000_000_000_000;

/// `a·b/c` computed exactly over 256 bits and rounded with `rounding`.
///
/// Returns `None` if `c == 0` or the result does not fit into `u128`.
pub fn mul_div(a: u128, b: u128, c: u128, rounding: Rounding) -> Option<u128> {
	multiply_by_rational_with_rounding(a, b, c, rounding)
}

/// `a·b/c` rounded down; `0` when `c == 0`, saturating at `u128::MAX`.
///
/// Convenience for formulas where a zero denominator means "nothing to share".
pub fn mul_div_floor_or_zero(a: u128, b: u128, c: u128) -> u128 {
	if c == 0 {
		return 0;
	}
	mul_div(a, b, c, Rounding::Down).unwrap_or(u128::MAX)
}

/// Product of two 10^18-scaled values, rounded down, saturating.
pub fn q_mul(a: u128, b: u128) -> u128 {
	mul_div(a, b, ONE, Rounding::Down).unwrap_or(u128::MAX)
}

/// Converts a 10^18-scaled value to a [`Perquintill`], saturating at 1.
pub fn q_to_perquintill(q: u128) -> Perquintill {
	Perquintill::from_parts(u64::try_from(q.min(ONE)).unwrap_or(u64::MAX))
}

/// Converts a [`Perquintill`] to a 10^18-scaled value.
pub fn perquintill_to_q(p: Perquintill) -> u128 {
	u128::from(p.deconstruct())
}

/// Index of the largest weight (the lowest index among equal weights); `None` if empty.
pub fn argmax(weights: &[u128]) -> Option<usize> {
	let mut best: Option<(usize, u128)> = None;
	for (i, &w) in weights.iter().enumerate() {
		match best {
			Some((_, bw)) if bw >= w => {},
			_ => best = Some((i, w)),
		}
	}
	best.map(|(i, _)| i)
}

/// Error of [`distribute`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DistributeError {
	/// All weights are zero (or there are none): nobody to pay.
	NoWeight,
	/// The sum of the weights overflows `u128`.
	WeightOverflow,
}

/// Splits `amount` proportionally to `weights`, exactly.
///
/// `part_i = floor(amount·w_i / Σw)`; the dust `amount − Σ part_i` (less than the number of
/// recipients) is added to the recipient with the largest weight (lowest index among equals).
/// Hence `Σ part_i == amount` always.
pub fn distribute(amount: u128, weights: &[u128]) -> Result<Vec<u128>, DistributeError> {
	let mut total: u128 = 0;
	for &w in weights {
		total = total
			.checked_add(w)
			.ok_or(DistributeError::WeightOverflow)?;
	}
	if total == 0 {
		return Err(DistributeError::NoWeight);
	}
	let mut parts: Vec<u128> = weights
		.iter()
		// `w <= total`, so the quotient is at most `amount`: never `None`.
		.map(|&w| mul_div(amount, w, total, Rounding::Down).unwrap_or(0))
		.collect();
	let paid = parts.iter().fold(0u128, |acc, &p| acc.saturating_add(p));
	let dust = amount.saturating_sub(paid);
	if let Some(slot) = argmax(weights).and_then(|i| parts.get_mut(i)) {
		*slot = slot.saturating_add(dust);
	}
	Ok(parts)
}

/// `exp(−y)` for `y` in the 10^36 scale with `0 <= y <= ONE_36`, result in the 10^36 scale.
///
/// Alternating Taylor series `Σ (−y)^n / n!`; terms are computed as `t_n = t_{n−1}·y/(n·10^36)`
/// rounded down and summed separately by sign. For `y <= 1` the terms decrease from `n = 1`, so
/// the truncation and rounding error is below `n_terms · 10^-36` (fewer than 40 terms).
fn exp_neg_36(y: u128) -> u128 {
	let mut positive: u128 = ONE_36;
	let mut negative: u128 = 0;
	let mut term: u128 = ONE_36;
	let mut n: u128 = 1;
	while term > 0 && n < 64 {
		let denom = n.saturating_mul(ONE_36);
		term = mul_div(term, y, denom, Rounding::Down).unwrap_or(0);
		if n % 2 == 1 {
			negative = negative.saturating_add(term);
		} else {
			positive = positive.saturating_add(term);
		}
		n = n.saturating_add(1);
	}
	positive.saturating_sub(negative)
}

/// Rounds a 10^36-scaled value to the nearest 10^18-scaled value.
fn round_36_to_18(v: u128) -> u128 {
	mul_div(v, 1, SCALE_DOWN, Rounding::NearestPrefUp).unwrap_or(0)
}

/// `2^(−num/den)` as a [`Perquintill`], rounded to the nearest part; `None` if `den == 0`.
///
/// The integer part `q = num / den` is applied exactly as a right shift, the fractional part
/// `r/den` through `exp(−(r/den)·ln 2)` (see the module docs for the error bound).
pub fn pow2_neg(num: u64, den: u64) -> Option<Perquintill> {
	if den == 0 {
		return None;
	}
	let q = num.checked_div(den)?;
	let r = num.checked_rem(den)?;
	let y = mul_div(
		LN2_36,
		u128::from(r),
		u128::from(den),
		Rounding::NearestPrefUp,
	)?;
	let frac = round_36_to_18(exp_neg_36(y));
	let shifted = u32::try_from(q)
		.ok()
		.and_then(|q| frac.checked_shr(q))
		.unwrap_or(0);
	Some(q_to_perquintill(shifted))
}

/// `1 − 2^(−1/h)` as a [`Perquintill`] (the per-step factor of an EMA with half-life `h`
/// steps), computed in the 10^36 scale before rounding, so it keeps full 10^-18 absolute
/// precision even for large `h`. `None` if `h == 0`.
pub fn one_minus_pow2_neg_recip(h: u64) -> Option<Perquintill> {
	if h == 0 {
		return None;
	}
	let y = mul_div(LN2_36, 1, u128::from(h), Rounding::NearestPrefUp)?;
	let a = ONE_36.saturating_sub(exp_neg_36(y));
	Some(q_to_perquintill(round_36_to_18(a)))
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	#[test]
	fn half_life_one_gives_one_half() {
		assert_eq!(
			one_minus_pow2_neg_recip(1),
			Some(Perquintill::from_percent(50))
		);
		assert_eq!(pow2_neg(1, 1), Some(Perquintill::from_percent(50)));
		assert_eq!(pow2_neg(3, 1), Some(Perquintill::from_rational(1u64, 8)));
		assert_eq!(pow2_neg(0, 7), Some(Perquintill::one()));
		assert_eq!(pow2_neg(1, 0), None);
		assert_eq!(one_minus_pow2_neg_recip(0), None);
	}

	#[test]
	fn half_life_two_is_one_minus_inverse_sqrt2() {
		// 1/√2 = 0.707106781186547524|40084…, so 1 − 1/√2 = 0.292893218813452475|59915…
		assert_eq!(
			one_minus_pow2_neg_recip(2),
			Some(Perquintill::from_parts(292_893_218_813_452_476))
		);
		assert_eq!(
			pow2_neg(1, 2),
			Some(Perquintill::from_parts(707_106_781_186_547_524))
		);
		// 2^(−1/3) = 0.793700525984099737|37…
		assert_eq!(
			pow2_neg(1, 3),
			Some(Perquintill::from_parts(793_700_525_984_099_737))
		);
	}

	#[test]
	fn distribute_is_exact_with_dust_to_largest() {
		assert_eq!(distribute(10, &[1, 1, 1]), Ok(vec![4, 3, 3]));
		assert_eq!(distribute(10, &[1, 2, 2]), Ok(vec![2, 4, 4]));
		assert_eq!(distribute(10, &[0, 0]), Err(DistributeError::NoWeight));
		assert_eq!(
			distribute(10, &[u128::MAX, 1]),
			Err(DistributeError::WeightOverflow)
		);
	}

	/// `x² ≈ y` in the 10^18 scale: compares `x²` (exact, 256-bit) against `y·10^18`.
	fn square_close(x: u128, y: u128, tolerance_parts: u128) -> bool {
		let lo = mul_div(x, x, ONE, Rounding::Down).unwrap();
		lo.abs_diff(y) <= tolerance_parts
	}

	proptest! {
		#[test]
		fn pow2_neg_halves_per_den(num in 0u64..10_000, den in 1u64..100_000) {
			// 2^(−(num+den)/den) = 2^(−num/den) / 2 (up to one part of rounding each).
			let a = pow2_neg(num, den).unwrap().deconstruct();
			let b = pow2_neg(num + den, den).unwrap().deconstruct();
			prop_assert!((a / 2).abs_diff(b) <= 1, "{a} {b}");
		}

		#[test]
		fn pow2_neg_square_doubles_exponent(num in 0u64..1_000, den in 1u64..1_000_000) {
			// (2^(−num/(2den)))² = 2^(−num/den)
			let half = perquintill_to_q(pow2_neg(num, den.saturating_mul(2)).unwrap());
			let full = perquintill_to_q(pow2_neg(num, den).unwrap());
			prop_assert!(square_close(half, full, 3), "{half} {full}");
		}

		#[test]
		fn ema_factor_compounds_to_one_half(h in 1u64..400) {
			// (1 − a)^h = 1/2, each multiplication adding at most one part of rounding error.
			let a = perquintill_to_q(one_minus_pow2_neg_recip(h).unwrap());
			let keep = ONE - a;
			let mut acc = ONE;
			for _ in 0..h {
				acc = mul_div(acc, keep, ONE, Rounding::NearestPrefUp).unwrap();
			}
			let tolerance = u128::from(h) * 2 + 2;
			prop_assert!(acc.abs_diff(ONE / 2) <= tolerance, "h={h} acc={acc}");
		}

		#[test]
		fn ema_factor_matches_pow2_neg(h in 1u64..1_000_000_000) {
			let a = one_minus_pow2_neg_recip(h).unwrap().deconstruct();
			let keep = pow2_neg(1, h).unwrap().deconstruct();
			prop_assert!((a + keep).abs_diff(1_000_000_000_000_000_000) <= 1);
		}

		#[test]
		fn distribute_sums_exactly(amount in any::<u64>(), weights in proptest::collection::vec(0u128..1u128 << 100, 1..50)) {
			let amount = u128::from(amount);
			match distribute(amount, &weights) {
				Ok(parts) => {
					prop_assert_eq!(parts.iter().sum::<u128>(), amount);
					for (p, w) in parts.iter().zip(&weights) {
						if *w == 0 { prop_assert_eq!(*p, 0); }
					}
				},
				Err(e) => prop_assert_eq!(e, DistributeError::NoWeight),
			}
		}
	}
}
