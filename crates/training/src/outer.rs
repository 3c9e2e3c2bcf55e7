//! The outer step: weighted mean of accepted updates and a Nesterov momentum step (SPEC §6.7).
//!
//! Inputs: checkpoint parameters `θ`, outer momentum `b` (zero if absent), accepted updates
//! `(w_i, Δ_i)` with integer weights `w_i > 0` and decoded deltas `Δ_i ≈ θ_H,i − θ_0`.
//!
//! ```text
//! order   = updates sorted by BLAKE3(update bytes) (ties: by weight), so the result does not
//!           depend on the order validators received them in
//! Δ̄_k     = Σ_i w_i·Δ_i,k / Σ_i w_i          (f64 accumulation in that order;
//!                                               `MeanRule::All`, the SPEC's rule)
//!         = Σ_{i∋k} w_i·Δ_i,k / Σ_{i∋k} w_i  (`MeanRule::Sent`: over the updates whose
//!                                               sparse chunks list k; 0 where none does)
//! g_k     = −Δ̄_k                             (outer pseudo-gradient, θ_0 − mean θ_H)
//! b'_k    = μ·b_k + g_k
//! θ'_k    = θ_k − lr·(g_k + μ·b'_k)           (Nesterov; `OuterConfig`: lr 1.0, μ 0 by default,
//!                                               SPEC §6.7 suggests 0.7 / 0.9: see `config`)
//! ```
//!
//! Every element is computed in f64 from f32 inputs and rounded once to f32; Rust never fuses
//! the multiply-adds, so all validators produce identical bits from identical inputs.

use crate::checkpoint::Checkpoint;
use crate::compression::{decompress, CompressedUpdate};
use crate::config::{MeanRule, TrainingConfig};
use crate::error::{Result, TrainingError};
use crate::model::param_layout;
use crate::params::ParamSet;
use crate::update_format::{decode, update_hash};

/// An accepted update: its encoded bytes and its integer weight (e.g. a score).
#[derive(Debug, Clone, Copy)]
pub struct WeightedUpdate<'a> {
	/// Encoded update bytes (see [`crate::update_format`]).
	pub bytes: &'a [u8],
	/// Weight, > 0.
	pub weight: u64,
}

/// `Σ w_i·Δ_i / Σ w_i` over dense deltas in the given order (f64 accumulation).
pub fn weighted_mean(deltas: &[(u64, Vec<f32>)], len: usize) -> Result<Vec<f32>> {
	let total: u128 = deltas.iter().map(|(w, _)| *w as u128).sum();
	if total == 0 {
		return Err(TrainingError::Inconsistent(
			"no update with positive weight".into(),
		));
	}
	let mut acc = vec![0.0f64; len];
	for (w, d) in deltas {
		if d.len() != len {
			return Err(TrainingError::Inconsistent("delta length mismatch".into()));
		}
		let w = *w as f64;
		for (a, &x) in acc.iter_mut().zip(d) {
			*a += w * x as f64;
		}
	}
	let total = total as f64;
	Ok(acc.into_iter().map(|a| (a / total) as f32).collect())
}

/// `Σ_{i∋k} w_i·x̂_i,k / Σ_{i∋k} w_i` per coordinate `k` over the updates whose chunks list
/// `k` (0 where none does), in the given order (f64 accumulation). A listed coordinate counts
/// as sent whatever its code (a symmetric quantiser's 0 included).
pub fn weighted_mean_over_senders(
	updates: &[(u64, CompressedUpdate)],
	len: usize,
) -> Result<Vec<f32>> {
	if !updates.iter().any(|(w, _)| *w > 0) {
		return Err(TrainingError::Inconsistent(
			"no update with positive weight".into(),
		));
	}
	let mut acc = vec![0.0f64; len];
	let mut senders = vec![0.0f64; len];
	for (w, c) in updates {
		if c.total_len != len {
			return Err(TrainingError::Inconsistent("delta length mismatch".into()));
		}
		let dense = decompress(c);
		let w = *w as f64;
		for (j, chunk) in c.chunks.iter().enumerate() {
			let base = j.saturating_mul(c.chunk_size);
			for &i in &chunk.indices {
				let k = base.saturating_add(usize::from(i));
				let (Some(a), Some(n), Some(&x)) =
					(acc.get_mut(k), senders.get_mut(k), dense.get(k))
				else {
					return Err(TrainingError::Inconsistent(
						"sparse index beyond the delta".into(),
					));
				};
				*a += w * x as f64;
				*n += w;
			}
		}
	}
	Ok(acc
		.into_iter()
		.zip(senders)
		.map(|(a, n)| if n > 0.0 { (a / n) as f32 } else { 0.0 })
		.collect())
}

/// Nesterov step on flat vectors: returns `(θ', b')`.
pub fn nesterov_step(
	theta: &[f32],
	momentum: &[f32],
	mean_delta: &[f32],
	lr: f32,
	mu: f32,
) -> (Vec<f32>, Vec<f32>) {
	let lr = lr as f64;
	let mu = mu as f64;
	let mut new_theta = Vec::with_capacity(theta.len());
	let mut new_b = Vec::with_capacity(theta.len());
	for ((&t, &b), &d) in theta.iter().zip(momentum).zip(mean_delta) {
		let g = -(d as f64);
		let b2 = mu * b as f64 + g;
		new_theta.push((t as f64 - lr * (g + mu * b2)) as f32);
		new_b.push(b2 as f32);
	}
	(new_theta, new_b)
}

/// Decodes the accepted updates, averages them and applies the outer step to `checkpoint`,
/// giving the next round's checkpoint `C_{r+1}`. Fails on any malformed update or a total
/// weight of zero.
pub fn outer_step(
	config: &TrainingConfig,
	checkpoint: &Checkpoint,
	updates: &[WeightedUpdate<'_>],
) -> Result<Checkpoint> {
	config.validate()?;
	let layout = param_layout(&config.model);
	if !checkpoint.params.matches_layout(&layout) {
		return Err(TrainingError::Inconsistent(
			"checkpoint does not match the model".into(),
		));
	}
	let mut ordered: Vec<(crate::state::Hash32, WeightedUpdate<'_>)> = updates
		.iter()
		.filter(|u| u.weight > 0)
		.map(|u| (update_hash(u.bytes), *u))
		.collect();
	ordered.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.weight.cmp(&b.1.weight)));
	let mut decoded = Vec::with_capacity(ordered.len());
	for (_, u) in &ordered {
		decoded.push((
			u.weight,
			decode(u.bytes, &config.compression, &layout, None)?,
		));
	}
	let theta = checkpoint.params.to_flat();
	let mean = match config.outer.mean {
		MeanRule::All => {
			let deltas: Vec<(u64, Vec<f32>)> =
				decoded.iter().map(|(w, c)| (*w, decompress(c))).collect();
			weighted_mean(&deltas, theta.len())?
		},
		MeanRule::Sent => weighted_mean_over_senders(&decoded, theta.len())?,
	};
	let momentum = match &checkpoint.outer_momentum {
		Some(m) if m.matches_layout(&layout) => m.to_flat(),
		Some(_) => {
			return Err(TrainingError::Inconsistent(
				"outer momentum does not match the model".into(),
			))
		},
		None => vec![0.0; theta.len()],
	};
	let (t2, b2) = nesterov_step(
		&theta,
		&momentum,
		&mean,
		config.outer.lr,
		config.outer.momentum,
	);
	let params = ParamSet::from_flat(&layout, &t2).map_err(TrainingError::Inconsistent)?;
	let outer_momentum =
		Some(ParamSet::from_flat(&layout, &b2).map_err(TrainingError::Inconsistent)?);
	Ok(Checkpoint {
		params,
		outer_momentum,
	})
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::compression::compress;
	use crate::model::init_params;
	use crate::update_format::encode;

	#[test]
	fn nesterov_matches_the_formula() {
		let (t, b) = nesterov_step(&[1.0, 2.0], &[0.5, 0.0], &[0.1, -0.2], 0.7, 0.9);
		// g = -0.1; b' = 0.45 - 0.1 = 0.35; θ' = 1 - 0.7·(-0.1 + 0.315) = 0.8495
		assert!((b[0] - 0.35).abs() < 1e-7);
		assert!((t[0] - 0.8495).abs() < 1e-6);
		// g = 0.2; b' = 0.2; θ' = 2 - 0.7·(0.2 + 0.18) = 1.734
		assert!((t[1] - 1.734).abs() < 1e-6);
	}

	#[test]
	fn weighted_mean_weights_and_rejects_empty() {
		let m = weighted_mean(&[(1, vec![1.0, 0.0]), (3, vec![0.0, 4.0])], 2).unwrap();
		assert_eq!(m, vec![0.25, 3.0]);
		assert!(weighted_mean(&[(0, vec![1.0])], 1).is_err());
		assert!(weighted_mean(&[(1, vec![1.0])], 2).is_err());
	}

	fn sparse(x: &[f32], k: usize) -> CompressedUpdate {
		let cfg = crate::config::CompressionConfig {
			chunk_size: 4,
			k_per_chunk: k,
			bits: 8,
			feedback_decay: 0.95,
			quantiser: crate::compression::Quantiser::Symmetric,
		};
		compress(x, &cfg)
	}

	#[test]
	fn mean_over_senders_divides_each_coordinate_by_the_weight_of_its_senders() {
		// `a` sends coordinates 0 and 1, `b` sends 1 and 2; nobody sends 3.
		let a = sparse(&[5.0, -4.0, 0.1, 0.2], 2);
		let b = sparse(&[0.1, 3.0, -6.0, 0.2], 2);
		assert_eq!(a.chunks[0].indices, vec![0, 1]);
		assert_eq!(b.chunks[0].indices, vec![1, 2]);
		let (xa, xb) = (decompress(&a), decompress(&b));
		let m = weighted_mean_over_senders(&[(1, a), (3, b)], 4).unwrap();
		let both = ((xa[1] as f64 + 3.0 * xb[1] as f64) / 4.0) as f32;
		assert_eq!(m, vec![xa[0], both, xb[2], 0.0]);
		// The SPEC's mean divides coordinate 0 by both weights.
		let all = weighted_mean(&[(1, xa.clone()), (3, xb.clone())], 4).unwrap();
		assert_eq!(all[0], ((xa[0] as f64) / 4.0) as f32);
	}

	#[test]
	fn mean_over_senders_equals_the_plain_mean_when_every_update_sends_every_coordinate() {
		let a = sparse(&[5.0, -4.0, 0.1, 0.2, 1.0, -1.5], 4);
		let b = sparse(&[0.1, 3.0, -6.0, 0.2, -2.0, 0.7], 4);
		let dense = vec![(2, decompress(&a)), (5, decompress(&b))];
		let m = weighted_mean_over_senders(&[(2, a), (5, b)], 6).unwrap();
		assert_eq!(m, weighted_mean(&dense, 6).unwrap());
	}

	#[test]
	fn mean_over_senders_fails_without_a_positive_weight() {
		let a = sparse(&[1.0, 2.0, 3.0, 4.0], 2);
		assert!(weighted_mean_over_senders(&[(0, a)], 4).is_err());
	}

	#[test]
	fn mean_over_senders_fails_if_an_update_has_another_length() {
		let a = sparse(&[1.0, 2.0, 3.0, 4.0], 2);
		assert!(weighted_mean_over_senders(&[(1, a)], 8).is_err());
	}

	/// A checkpoint of `config`'s model and two encoded updates (random parameters as deltas).
	fn checkpoint_and_two_updates(config: &TrainingConfig) -> (Checkpoint, [Vec<u8>; 2]) {
		let layout = param_layout(&config.model);
		let enc = |seed: u8| {
			let d = init_params(&config.model, [seed; 32]).to_flat();
			encode(&compress(&d, &config.compression), &layout)
		};
		(
			Checkpoint::new(init_params(&config.model, [1; 32])),
			[enc(2), enc(3)],
		)
	}

	/// `a` and `b` as accepted updates of weights 2 and 5.
	fn weighted<'a>(a: &'a [u8], b: &'a [u8]) -> [WeightedUpdate<'a>; 2] {
		[
			WeightedUpdate {
				bytes: a,
				weight: 2,
			},
			WeightedUpdate {
				bytes: b,
				weight: 5,
			},
		]
	}

	#[test]
	fn outer_step_with_the_senders_mean_is_order_independent_and_differs_from_the_plain_mean() {
		let mut config = TrainingConfig::tiny();
		let (ck, [a, b]) = checkpoint_and_two_updates(&config);
		let [ua, ub] = weighted(&a, &b);
		let plain = outer_step(&config, &ck, &[ua, ub]).unwrap();
		config.outer.mean = MeanRule::Sent;
		let x = outer_step(&config, &ck, &[ua, ub]).unwrap();
		let y = outer_step(&config, &ck, &[ub, ua]).unwrap();
		assert_eq!(x.to_bytes().unwrap(), y.to_bytes().unwrap());
		assert_ne!(x.params, plain.params);
	}

	#[test]
	fn outer_step_is_order_independent_and_bit_identical() {
		let config = TrainingConfig::tiny();
		let (ck, [a, b]) = checkpoint_and_two_updates(&config);
		let [ua, ub] = weighted(&a, &b);
		let x = outer_step(&config, &ck, &[ua, ub]).unwrap();
		let y = outer_step(&config, &ck, &[ub, ua]).unwrap();
		assert_eq!(x.to_bytes().unwrap(), y.to_bytes().unwrap());
		assert_ne!(x.params, ck.params);
		// A second step uses the stored momentum.
		let z = outer_step(&config, &x, &[ua]).unwrap();
		let z0 = outer_step(&config, &Checkpoint::new(x.params.clone()), &[ua]).unwrap();
		assert_ne!(z.params, z0.params);
		// Malformed update or no weight is an error.
		let bad = WeightedUpdate {
			bytes: &a[..10],
			weight: 1,
		};
		assert!(outer_step(&config, &ck, &[bad]).is_err());
		let none = WeightedUpdate {
			bytes: &a,
			weight: 0,
		};
		assert!(outer_step(&config, &ck, &[none]).is_err());
	}
}
