//! Update compression: chunked top-k sparsification + symmetric quantisation, with error
//! feedback (SPEC §6.3).
//!
//! For the flat vector `x = (θ_H − θ_0) + β·e` (canonical order, f32, computed element-wise in
//! that order; β is the error-feedback decay, 1 gives SPEC §6.3's `θ_H − θ_0 + e`) and chunks of
//! `C` elements (the last may be shorter):
//!
//! ```text
//! keep_j  = the k indices of chunk j with the largest |x| (ties: lower index first),
//!           sorted ascending; fewer if the chunk has fewer than k nonzero entries
//! s_j     = max_{i ∈ keep_j} |x_i|                           (chunk scale, f32)
//! symmetric quantiser (`Quantiser::Symmetric`), L = 2^(bits−1) − 1:
//!   q_i   = round_half_even(x_i / s_j · L)  ∈ [−L, L]         (i ∈ keep_j)
//!   x̂_i   = q_i · (s_j / L)
//! mid-rise quantiser (`Quantiser::MidRise`), M = 2^(bits−1):
//!   q_i   = clamp(⌊x_i / s_j · M⌋, −M, M − 1)  ∈ [−M, M − 1]  (all 2^bits codes)
//!   x̂_i   = (q_i + ½) · (s_j / M)
//! x̂_i     = 0 for dropped i                                  (decompress)
//! e'      = x − x̂                                            (new error-feedback buffer)
//! ```
//!
//! Bounds: a kept element's error is at most `s_j / (2L)` (symmetric) or `s_j / (2M)`
//! (mid-rise), plus f32 rounding; a dropped element's magnitude is at most the smallest kept
//! magnitude of its chunk. The symmetric quantiser at 2 bits has `L = 1`: a kept value below
//! `s_j / 2` becomes code 0 (an index sent for nothing); the mid-rise one never sends a zero.
//! All arithmetic is plain IEEE f32 on the host, so every machine computes the same bytes.

use crate::config::CompressionConfig;

/// How a kept value becomes a `bits`-bit two's-complement code (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Quantiser {
	/// `q = round_half_even(x/s·L)` in `[−L, L]`, `x̂ = q·s/L`, `L = 2^(bits−1) − 1`.
	#[default]
	Symmetric,
	/// `q = clamp(⌊x/s·M⌋, −M, M−1)`, `x̂ = (q + ½)·s/M`, `M = 2^(bits−1)`.
	MidRise,
}

impl Quantiser {
	/// The byte that names this quantiser in the update format and the config id.
	pub fn id(self) -> u8 {
		match self {
			Self::Symmetric => 0,
			Self::MidRise => 1,
		}
	}

	/// The quantiser named by `id`, if any.
	pub fn from_id(id: u8) -> Option<Self> {
		match id {
			0 => Some(Self::Symmetric),
			1 => Some(Self::MidRise),
			_ => None,
		}
	}

	/// Smallest and largest valid code at `bits` bits.
	pub fn code_range(self, bits: u8) -> (i32, i32) {
		match self {
			Self::Symmetric => (-levels(bits), levels(bits)),
			Self::MidRise => (-mid_levels(bits), mid_levels(bits) - 1),
		}
	}

	/// The code of `x` in a chunk of scale `s > 0`.
	fn quantise(self, x: f32, s: f32, bits: u8) -> i8 {
		match self {
			Self::Symmetric => {
				let l = levels(bits) as f32;
				(x / s * l).round_ties_even().clamp(-l, l) as i8
			},
			Self::MidRise => {
				let m = mid_levels(bits) as f32;
				(x / s * m).floor().clamp(-m, m - 1.0) as i8
			},
		}
	}

	/// The value of code `q` in a chunk of scale `s`.
	fn dequantise(self, q: i8, s: f32, bits: u8) -> f32 {
		match self {
			Self::Symmetric => q as f32 * (s / levels(bits) as f32),
			Self::MidRise => (q as f32 + 0.5) * (s / mid_levels(bits) as f32),
		}
	}
}

/// One chunk of a compressed update.
#[derive(Debug, Clone, PartialEq)]
pub struct SparseChunk {
	/// Scale `s_j` (0 for an all-zero chunk).
	pub scale: f32,
	/// Kept positions within the chunk, strictly increasing.
	pub indices: Vec<u16>,
	/// Quantised values in `[−L, L]`, one per index.
	pub codes: Vec<i8>,
}

/// A compressed update vector.
#[derive(Debug, Clone, PartialEq)]
pub struct CompressedUpdate {
	/// Length of the dense vector.
	pub total_len: usize,
	/// Chunk length `C`.
	pub chunk_size: usize,
	/// Entries kept per chunk `k`.
	pub k_per_chunk: usize,
	/// Bits per code.
	pub bits: u8,
	/// How codes map to values.
	pub quantiser: Quantiser,
	/// Chunks in order.
	pub chunks: Vec<SparseChunk>,
}

/// `L = 2^(bits−1) − 1`.
pub fn levels(bits: u8) -> i32 {
	(1i32 << (bits.clamp(2, 8) - 1)) - 1
}

/// `M = 2^(bits−1)`: magnitude levels of the mid-rise quantiser.
pub fn mid_levels(bits: u8) -> i32 {
	1i32 << (bits.clamp(2, 8) - 1)
}

/// Compresses `x` (see the module documentation).
pub fn compress(x: &[f32], cfg: &CompressionConfig) -> CompressedUpdate {
	let chunk_size = cfg.chunk_size.max(1);
	let chunks = x
		.chunks(chunk_size)
		.map(|chunk| {
			let mut order: Vec<usize> = (0..chunk.len()).filter(|&i| chunk[i] != 0.0).collect();
			order.sort_by(|&a, &b| chunk[b].abs().total_cmp(&chunk[a].abs()).then(a.cmp(&b)));
			order.truncate(cfg.k_per_chunk);
			order.sort_unstable();
			let scale = order.iter().map(|&i| chunk[i].abs()).fold(0.0f32, f32::max);
			if scale == 0.0 || !scale.is_finite() {
				return SparseChunk {
					scale: 0.0,
					indices: Vec::new(),
					codes: Vec::new(),
				};
			}
			let codes = order
				.iter()
				.map(|&i| cfg.quantiser.quantise(chunk[i], scale, cfg.bits))
				.collect();
			SparseChunk {
				scale,
				indices: order.iter().map(|&i| i as u16).collect(),
				codes,
			}
		})
		.collect();
	CompressedUpdate {
		total_len: x.len(),
		chunk_size,
		k_per_chunk: cfg.k_per_chunk,
		bits: cfg.bits,
		quantiser: cfg.quantiser,
		chunks,
	}
}

/// Expands to the dense vector `x̂`.
pub fn decompress(c: &CompressedUpdate) -> Vec<f32> {
	let mut out = vec![0.0f32; c.total_len];
	for (j, chunk) in c.chunks.iter().enumerate() {
		let base = j * c.chunk_size;
		for (&i, &q) in chunk.indices.iter().zip(&chunk.codes) {
			if let Some(slot) = out.get_mut(base + i as usize) {
				*slot = c.quantiser.dequantise(q, chunk.scale, c.bits);
			}
		}
	}
	out
}

/// `x = (θ_H − θ_0) + β·e`, element-wise in f32 (`β·e` rounded, then the sum rounded).
pub fn update_input(theta_h: &[f32], theta_0: &[f32], e: &[f32], decay: f32) -> Vec<f32> {
	theta_h
		.iter()
		.zip(theta_0)
		.zip(e)
		.map(|((h, z), e)| (h - z) + decay * e)
		.collect()
}

/// Compresses `x = (θ_H − θ_0) + β·e` and returns the update and the new buffer `e' = x − x̂`.
pub fn compress_with_feedback(
	theta_h: &[f32],
	theta_0: &[f32],
	e: &[f32],
	cfg: &CompressionConfig,
) -> (CompressedUpdate, Vec<f32>) {
	let x = update_input(theta_h, theta_0, e, cfg.feedback_decay);
	let c = compress(&x, cfg);
	let xh = decompress(&c);
	let residual = x.iter().zip(&xh).map(|(a, b)| a - b).collect();
	(c, residual)
}

#[cfg(test)]
mod tests {
	use super::*;
	use rand_chacha::rand_core::{RngCore, SeedableRng};

	fn cfg(chunk: usize, k: usize, bits: u8) -> CompressionConfig {
		CompressionConfig {
			chunk_size: chunk,
			k_per_chunk: k,
			bits,
			feedback_decay: 1.0,
			quantiser: Quantiser::Symmetric,
		}
	}

	fn noise(n: usize, seed: u8) -> Vec<f32> {
		let mut rng = rand_chacha::ChaCha20Rng::from_seed([seed; 32]);
		(0..n)
			.map(|_| (rng.next_u32() as f32 / u32::MAX as f32 - 0.5) * 0.02)
			.collect()
	}

	#[test]
	fn round_trip_error_is_bounded() {
		for bits in [2u8, 4, 8] {
			let x = noise(10_000, bits);
			let c = compress(&x, &cfg(1000, 50, bits));
			let xh = decompress(&c);
			let l = levels(bits) as f32;
			for (j, chunk) in c.chunks.iter().enumerate() {
				let lo = j * 1000;
				let hi = (lo + 1000).min(x.len());
				assert_eq!(chunk.indices.len(), 50);
				let min_kept = chunk
					.indices
					.iter()
					.map(|&i| x[lo + i as usize].abs())
					.fold(f32::INFINITY, f32::min);
				for i in lo..hi {
					let err = (x[i] - xh[i]).abs();
					if chunk.indices.contains(&((i - lo) as u16)) {
						assert!(
							err <= chunk.scale / (2.0 * l) * 1.0001 + 1e-12,
							"bits {bits}"
						);
					} else {
						assert_eq!(xh[i], 0.0);
						assert!(x[i].abs() <= min_kept);
					}
				}
			}
		}
	}

	#[test]
	fn error_feedback_conserves_the_signal() {
		let h = noise(3000, 1);
		let z = noise(3000, 2);
		let e = noise(3000, 3);
		let (c, e2) = compress_with_feedback(&h, &z, &e, &cfg(512, 8, 8));
		let xh = decompress(&c);
		let x = update_input(&h, &z, &e, 1.0);
		for i in 0..x.len() {
			assert!((xh[i] + e2[i] - x[i]).abs() <= 1e-6 * x[i].abs().max(1e-3));
		}
		// Accumulating the residual makes a dropped coordinate eventually transmitted.
		let mut acc = vec![0.0f32; 4];
		let mut sent = vec![0.0f32; 4];
		let small = [1.0f32, 0.1, 0.1, 0.1];
		for _ in 0..30 {
			let (c, r) = compress_with_feedback(&small, &[0.0; 4], &acc, &cfg(4, 1, 8));
			for (s, v) in sent.iter_mut().zip(decompress(&c)) {
				*s += v;
			}
			acc = r;
		}
		assert!(sent[1] > 0.0 && sent[2] > 0.0 && sent[3] > 0.0, "{sent:?}");
	}

	#[test]
	fn feedback_decay_bounds_the_backlog_of_an_unsent_coordinate() {
		// Coordinate 1 never wins the chunk's single slot; its residual is the geometric sum
		// Σ β^j·0.01, bounded by 0.01 / (1 − β) when β < 1 and growing without bound at β = 1.
		let delta = [1.0f32, 0.01];
		let run = |decay: f32| {
			let mut c = cfg(2, 1, 8);
			c.feedback_decay = decay;
			let mut e = vec![0.0f32; 2];
			for _ in 0..50 {
				let (u, r) = compress_with_feedback(&delta, &[0.0; 2], &e, &c);
				assert_eq!(u.chunks[0].indices, vec![0]);
				e = r;
			}
			e[1]
		};
		let decayed = run(0.5);
		assert!((decayed - 0.02).abs() < 1e-6, "{decayed}");
		let plain = run(1.0);
		assert!((plain - 0.5).abs() < 1e-5, "{plain}");
		// The input is (θ_H − θ_0) + β·e exactly as documented.
		assert_eq!(update_input(&[3.0], &[1.0], &[4.0], 0.25), vec![3.0]);
	}

	#[test]
	fn ties_zeros_and_short_last_chunk_are_deterministic() {
		let x = vec![0.5, -0.5, 0.5, 0.0, 0.0, 0.25, 0.0];
		let c = compress(&x, &cfg(3, 2, 8));
		assert_eq!(c.chunks.len(), 3);
		assert_eq!(c.chunks[0].indices, vec![0, 1]);
		assert_eq!(c.chunks[0].codes, vec![127, -127]);
		assert_eq!(c.chunks[1].indices, vec![2]);
		assert_eq!(c.chunks[2].indices, Vec::<u16>::new());
		assert_eq!(c.chunks[2].scale, 0.0);
		assert_eq!(compress(&x, &cfg(3, 2, 8)), c);
		assert_eq!(decompress(&c), vec![0.5, -0.5, 0.0, 0.0, 0.0, 0.25, 0.0]);
	}

	#[test]
	fn mid_rise_error_is_bounded_and_never_sends_a_zero() {
		for bits in [2u8, 3, 8] {
			let mut c = cfg(1000, 50, bits);
			c.quantiser = Quantiser::MidRise;
			let x = noise(10_000, bits + 10);
			let u = compress(&x, &c);
			let xh = decompress(&u);
			let m = mid_levels(bits) as f32;
			for (j, chunk) in u.chunks.iter().enumerate() {
				assert_eq!(chunk.indices.len(), 50);
				for (&i, &q) in chunk.indices.iter().zip(&chunk.codes) {
					let k = j * 1000 + i as usize;
					assert!(
						(-(m as i32)..m as i32).contains(&i32::from(q)),
						"bits {bits}"
					);
					assert_ne!(xh[k], 0.0);
					assert_eq!(xh[k].signum(), x[k].signum());
					assert!((x[k] - xh[k]).abs() <= chunk.scale / (2.0 * m) * 1.0001);
				}
			}
		}
	}

	#[test]
	fn mid_rise_codes_match_the_formula() {
		// s = 1, 2 bits (M = 2): values ±0.25 and ±0.75; the top of the range is clamped.
		let mut c = cfg(4, 4, 2);
		c.quantiser = Quantiser::MidRise;
		let u = compress(&[1.0, -1.0, 0.3, -0.2], &c);
		assert_eq!(u.chunks[0].codes, vec![1, -2, 0, -1]);
		assert_eq!(decompress(&u), vec![0.75, -0.75, 0.25, -0.25]);
		assert_eq!(Quantiser::MidRise.code_range(2), (-2, 1));
		assert_eq!(Quantiser::Symmetric.code_range(2), (-1, 1));
		for q in [Quantiser::Symmetric, Quantiser::MidRise] {
			assert_eq!(Quantiser::from_id(q.id()), Some(q));
		}
		assert_eq!(Quantiser::from_id(2), None);
	}

	#[test]
	fn symmetric_two_bit_codes_drop_kept_values_below_half_the_scale() {
		// What the mid-rise quantiser fixes: at L = 1 a kept 0.3 of scale 1 decodes to 0.
		let u = compress(&[1.0, 0.3], &cfg(2, 2, 2));
		assert_eq!(decompress(&u), vec![1.0, 0.0]);
	}
}
