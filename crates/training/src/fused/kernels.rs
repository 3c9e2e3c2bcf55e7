//! The fused CPU kernels on plain `f32` slices (row-major), forward and backward.
//!
//! Every kernel works row by row; rows are handed to rayon in blocks of [`ROWS_PER_BLOCK`]
//! and each row is computed by one thread in a fixed order, so the result does not depend on
//! the number of threads. Sums over rows (the gradients of γ, β and biases) are taken per
//! block in row order and the block sums are then added in block order — again the same for
//! any thread count. Per-row sums use [`LANES`] accumulators combined in a fixed tree, which
//! lets the compiler vectorise them without changing the order between runs.

use rayon::prelude::*;

/// Defines `$name`, which runs `$generic` compiled for the widest x86 vector extension the CPU
/// has (AVX-512, AVX2, else the baseline). The arithmetic is the same in every version: Rust
/// never fuses a multiply and an add on its own and the loops keep their order, so the wider
/// vectors change the speed, never the bits.
macro_rules! widest_simd {
	($name:ident => $generic:ident($($arg:ident: $ty:ty),*)) => {
		fn $name($($arg: $ty),*) {
			#[cfg(target_arch = "x86_64")]
			{
				#[target_feature(enable = "avx512f")]
				unsafe fn avx512($($arg: $ty),*) {
					$generic($($arg),*)
				}
				#[target_feature(enable = "avx2")]
				unsafe fn avx2($($arg: $ty),*) {
					$generic($($arg),*)
				}
				if std::arch::is_x86_feature_detected!("avx512f") {
					// SAFETY: the CPU has AVX-512F (checked just above).
					return unsafe { avx512($($arg),*) };
				}
				if std::arch::is_x86_feature_detected!("avx2") {
					// SAFETY: the CPU has AVX2 (checked just above).
					return unsafe { avx2($($arg),*) };
				}
			}
			$generic($($arg),*)
		}
	};
}

/// Rows per rayon task (and per partial sum of a column reduction).
pub const ROWS_PER_BLOCK: usize = 32;
/// Accumulators per row sum.
pub const LANES: usize = 8;

/// `Σ v` with [`LANES`] accumulators (fixed order).
#[inline]
fn sum(v: &[f32]) -> f32 {
	let mut acc = [0.0f32; LANES];
	let chunks = v.chunks_exact(LANES);
	let rest = chunks.remainder();
	for c in chunks {
		for i in 0..LANES {
			acc[i] += c[i];
		}
	}
	let mut tail = 0.0f32;
	for &x in rest {
		tail += x;
	}
	combine(acc) + tail
}

/// `Σ a·b` with [`LANES`] accumulators (fixed order).
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
	let mut acc = [0.0f32; LANES];
	let ca = a.chunks_exact(LANES);
	let cb = b.chunks_exact(LANES);
	let (ra, rb) = (ca.remainder(), cb.remainder());
	for (x, y) in ca.zip(cb) {
		for i in 0..LANES {
			acc[i] += x[i] * y[i];
		}
	}
	let mut tail = 0.0f32;
	for (x, y) in ra.iter().zip(rb) {
		tail += x * y;
	}
	combine(acc) + tail
}

#[inline]
fn combine(a: [f32; LANES]) -> f32 {
	((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]))
}

/// Fills the `[rows, cols]` output block by block with `fill` and sums what it accumulates.
///
/// `fill(first_row, block_out, partial)` writes the block's rows of the output (`block_out`,
/// `rows_in_block × cols`) and adds each row's contribution to `partial` (`sums` long,
/// zeroed), in row order. Returns the partial sums of all blocks added in block order.
fn rows_with_column_sum<F>(out: &mut [f32], cols: usize, sums: usize, fill: F) -> Vec<f32>
where
	F: Fn(usize, &mut [f32], &mut [f32]) + Sync,
{
	let partials: Vec<Vec<f32>> = out
		.par_chunks_mut(ROWS_PER_BLOCK * cols)
		.enumerate()
		.map(|(b, block)| {
			let mut partial = vec![0.0f32; sums];
			fill(b * ROWS_PER_BLOCK, block, &mut partial);
			partial
		})
		.collect();
	let mut total = vec![0.0f32; sums];
	for p in &partials {
		for (t, v) in total.iter_mut().zip(p) {
			*t += v;
		}
	}
	total
}

/// Column sums of the row-major `[rows, cols]` matrix `x` (a bias's gradient): per block of
/// rows in row order, then the blocks in order.
pub fn column_sums(x: &[f32], cols: usize) -> Vec<f32> {
	let partials: Vec<Vec<f32>> = x
		.par_chunks(ROWS_PER_BLOCK * cols)
		.map(|block| {
			let mut partial = vec![0.0f32; cols];
			for row in block.chunks(cols) {
				for (p, v) in partial.iter_mut().zip(row) {
					*p += v;
				}
			}
			partial
		})
		.collect();
	let mut total = vec![0.0f32; cols];
	for p in &partials {
		for (t, v) in total.iter_mut().zip(p) {
			*t += v;
		}
	}
	total
}

// ---------------------------------------------------------------------------------------------
// Layer norm over the last dimension: y = (x − μ)·r·γ + β, r = 1/sqrt(var + ε), biased var.

/// Layer norm forward of `x` (`[n, d]`); returns `(y, mean, rstd)` (`mean`, `rstd`: `[n]`).
pub fn layer_norm_forward(
	x: &[f32],
	gamma: &[f32],
	beta: &[f32],
	d: usize,
	eps: f32,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
	let n = x.len() / d;
	let mut y = vec![0.0f32; x.len()];
	let mut stats = vec![0.0f32; 2 * n];
	y.par_chunks_mut(ROWS_PER_BLOCK * d)
		.zip(stats.par_chunks_mut(2 * ROWS_PER_BLOCK))
		.enumerate()
		.for_each(|(b, (yb, sb))| {
			let first = b * ROWS_PER_BLOCK;
			for (r, (yr, s)) in yb.chunks_mut(d).zip(sb.chunks_mut(2)).enumerate() {
				let xr = &x[(first + r) * d..(first + r + 1) * d];
				let mean = sum(xr) / d as f32;
				let mut acc = [0.0f32; LANES];
				let cx = xr.chunks_exact(LANES);
				let rest = cx.remainder();
				for c in cx {
					for i in 0..LANES {
						let t = c[i] - mean;
						acc[i] += t * t;
					}
				}
				let mut tail = 0.0f32;
				for &v in rest {
					tail += (v - mean) * (v - mean);
				}
				let var = (combine(acc) + tail) / d as f32;
				let rstd = 1.0 / (var + eps).sqrt();
				for j in 0..d {
					yr[j] = (xr[j] - mean) * rstd * gamma[j] + beta[j];
				}
				s[0] = mean;
				s[1] = rstd;
			}
		});
	let mean = stats.iter().step_by(2).copied().collect();
	let rstd = stats.iter().skip(1).step_by(2).copied().collect();
	(y, mean, rstd)
}

/// Layer norm backward: `(dx, dγ, dβ)` from the forward's input, γ, statistics and `dy`.
pub fn layer_norm_backward(
	x: &[f32],
	gamma: &[f32],
	mean: &[f32],
	rstd: &[f32],
	dy: &[f32],
	d: usize,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
	let mut dx = vec![0.0f32; x.len()];
	// One pass: dx row by row, and the column sums of dy·x̂ (dγ) and dy (dβ) per block.
	let sums = rows_with_column_sum(&mut dx, d, 2 * d, |first, block, partial| {
		let mut gg = vec![0.0f32; d];
		let mut xhat = vec![0.0f32; d];
		let (pg, pb) = partial.split_at_mut(d);
		for (r, dxr) in block.chunks_mut(d).enumerate() {
			let i = first + r;
			let xr = &x[i * d..(i + 1) * d];
			let gr = &dy[i * d..(i + 1) * d];
			let (m, rs) = (mean[i], rstd[i]);
			for j in 0..d {
				gg[j] = gr[j] * gamma[j];
				xhat[j] = (xr[j] - m) * rs;
				pg[j] += gr[j] * xhat[j];
				pb[j] += gr[j];
			}
			let a = sum(&gg) / d as f32;
			let bsum = dot(&gg, &xhat) / d as f32;
			for j in 0..d {
				dxr[j] = rs * (gg[j] - a - xhat[j] * bsum);
			}
		}
	});
	let (dgamma, dbeta) = sums.split_at(d);
	(dx, dgamma.to_vec(), dbeta.to_vec())
}

// ---------------------------------------------------------------------------------------------
// Causal softmax of attention scores: y = softmax(scale·s + mask) over the last dimension of
// `[.., t, t]`, where row i (query position i mod t) sees columns 0..=i; the rest are 0.

/// Causal softmax forward over rows of length `t` (row `r` is query position `r mod t`).
pub fn causal_softmax_forward(s: &[f32], t: usize, scale: f32) -> Vec<f32> {
	let mut y = vec![0.0f32; s.len()];
	y.par_chunks_mut(ROWS_PER_BLOCK * t)
		.enumerate()
		.for_each(|(b, block)| {
			let first = b * ROWS_PER_BLOCK;
			for (r, yr) in block.chunks_mut(t).enumerate() {
				let row = first + r;
				let q = row % t;
				let sr = &s[row * t..row * t + q + 1];
				let mut max = f32::NEG_INFINITY;
				for &v in sr {
					max = max.max(v * scale);
				}
				let seen = &mut yr[..q + 1];
				for (o, &v) in seen.iter_mut().zip(sr) {
					*o = v * scale;
				}
				exp_shifted(seen, max);
				let total = sum(seen);
				for o in seen.iter_mut() {
					*o /= total;
				}
			}
		});
	y
}

/// Causal softmax backward: `ds = scale · y ⊙ (dy − Σ y·dy)` on the seen columns, 0 elsewhere.
pub fn causal_softmax_backward(y: &[f32], dy: &[f32], t: usize, scale: f32) -> Vec<f32> {
	let mut ds = vec![0.0f32; y.len()];
	ds.par_chunks_mut(ROWS_PER_BLOCK * t)
		.enumerate()
		.for_each(|(b, block)| {
			let first = b * ROWS_PER_BLOCK;
			for (r, dr) in block.chunks_mut(t).enumerate() {
				let row = first + r;
				let q = row % t;
				let yr = &y[row * t..row * t + q + 1];
				let gr = &dy[row * t..row * t + q + 1];
				let inner = dot(yr, gr);
				for ((o, &yv), &g) in dr[..q + 1].iter_mut().zip(yr).zip(gr) {
					*o = scale * (yv * (g - inner));
				}
			}
		});
	ds
}

/// In place on one `[t, t]` block of already scaled scores: row `i` becomes the softmax of
/// its columns `0..=i`, and 0 after them.
pub fn causal_softmax_block(p: &mut [f32], t: usize) {
	for (i, row) in p.chunks_mut(t).enumerate() {
		let (seen, future) = row.split_at_mut(i + 1);
		let max = seen.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
		exp_shifted(seen, max);
		let total = sum(seen);
		for v in seen.iter_mut() {
			*v /= total;
		}
		future.fill(0.0);
	}
}

/// In place on one `[t, t]` block: `dp` (the gradient of the probabilities `p`) becomes the
/// gradient of the unscaled scores, `scale · p ⊙ (dp − Σ p·dp)` on the seen columns, 0 after.
pub fn causal_softmax_block_backward(p: &[f32], dp: &mut [f32], t: usize, scale: f32) {
	for (i, (pr, dr)) in p.chunks(t).zip(dp.chunks_mut(t)).enumerate() {
		let (seen, future) = dr.split_at_mut(i + 1);
		let inner = dot(&pr[..i + 1], seen);
		for (g, &pv) in seen.iter_mut().zip(pr) {
			*g = scale * (pv * (*g - inner));
		}
		future.fill(0.0);
	}
}

// ---------------------------------------------------------------------------------------------
// Bias + GELU: y = gelu(z + b), gelu(u) = ½·u·(1 + erf(u/√2)) (the exact, erf-based GELU).

const FRAC_1_SQRT_2PI: f32 = 0.398_942_3;

/// `exp(x)` for `x ≤ 0` by range reduction to `[-ln2/2, ln2/2]` and a degree-6 polynomial
/// (relative error ≈ 2e-7); branch-free so that loops over it vectorise. Inputs below −87
/// are clamped (result ≈ 1.6e-38 instead of a subnormal or 0).
#[inline(always)]
pub fn exp_neg(x: f32) -> f32 {
	const LOG2E: f32 = std::f32::consts::LOG2_E;
	const LN2_HI: f32 = 0.693_145_75;
	const LN2_LO: f32 = 1.428_606_8e-6;
	const SHIFTER: f32 = 12_582_912.0; // 1.5 · 2^23: adding it rounds to an integer
	let x = x.max(-87.0);
	let k = (x * LOG2E + SHIFTER) - SHIFTER;
	let r = (x - k * LN2_HI) - k * LN2_LO;
	let p = 1.0
		+ r * (1.0
			+ r * (0.5
				+ r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
	let scale = f32::from_bits((((k as i32) + 127) as u32) << 23);
	p * scale
}

/// `v[j] ← exp(v[j] − shift)` for `v[j] ≤ shift` (the softmax and log-softmax exponentials)
/// with [`exp_neg`], vectorised; a NaN stays NaN.
#[inline(always)]
fn exp_shifted_generic(v: &mut [f32], shift: f32) {
	for x in v.iter_mut() {
		let d = *x - shift;
		let e = exp_neg(d);
		*x = if d.is_nan() { d } else { e };
	}
}

widest_simd!(exp_shifted => exp_shifted_generic(v: &mut [f32], shift: f32));

/// `(erf(u/√2), exp(−u²/2))`: erf by Abramowitz & Stegun 7.1.26 (absolute error ≤ 1.5e-7,
/// the formula PyTorch's vectorised CPU `erf` uses), sharing its exponential with the GELU
/// derivative's normal density.
#[inline(always)]
fn erf_and_gauss(u: f32) -> (f32, f32) {
	const P: f32 = 0.327_591_1;
	const A1: f32 = 0.254_829_6;
	const A2: f32 = -0.284_496_74;
	const A3: f32 = 1.421_413_8;
	const A4: f32 = -1.453_152;
	const A5: f32 = 1.061_405_4;
	let a = u.abs() * std::f32::consts::FRAC_1_SQRT_2;
	let g = exp_neg(-0.5 * u * u);
	let t = 1.0 / (1.0 + P * a);
	let poly = t * (A1 + t * (A2 + t * (A3 + t * (A4 + t * A5))));
	let e = 1.0 - poly * g;
	(if u < 0.0 { -e } else { e }, g)
}

/// `gelu(u)`.
#[inline(always)]
pub fn gelu(u: f32) -> f32 {
	let (erf, _) = erf_and_gauss(u);
	0.5 * u * (1.0 + erf)
}

/// `gelu'(u) = Φ(u) + u·φ(u)`.
#[inline(always)]
pub fn gelu_derivative(u: f32) -> f32 {
	let (erf, g) = erf_and_gauss(u);
	0.5 * (1.0 + erf) + u * g * FRAC_1_SQRT_2PI
}

#[inline(always)]
fn gelu_rows_generic(z: &[f32], bias: &[f32], y: &mut [f32]) {
	let f = bias.len();
	for (yr, zr) in y.chunks_mut(f).zip(z.chunks(f)) {
		for ((o, &zv), &bv) in yr.iter_mut().zip(zr).zip(bias) {
			*o = gelu(zv + bv);
		}
	}
}

widest_simd!(gelu_rows => gelu_rows_generic(z: &[f32], bias: &[f32], y: &mut [f32]));

#[inline(always)]
fn gelu_backward_rows_generic(
	z: &[f32],
	bias: &[f32],
	dy: &[f32],
	dz: &mut [f32],
	sum: &mut [f32],
) {
	let f = bias.len();
	for ((dr, zr), gr) in dz.chunks_mut(f).zip(z.chunks(f)).zip(dy.chunks(f)) {
		for j in 0..f {
			let v = gr[j] * gelu_derivative(zr[j] + bias[j]);
			dr[j] = v;
			sum[j] += v;
		}
	}
}

widest_simd!(gelu_backward_rows => gelu_backward_rows_generic(
	z: &[f32],
	bias: &[f32],
	dy: &[f32],
	dz: &mut [f32],
	sum: &mut [f32]
));

#[inline(always)]
fn gelu_and_derivative_rows_generic(z: &[f32], bias: &[f32], y: &mut [f32], dydu: &mut [f32]) {
	let f = bias.len();
	let rows = y.chunks_mut(f).zip(dydu.chunks_mut(f)).zip(z.chunks(f));
	for ((yr, dr), zr) in rows {
		for j in 0..f {
			let u = zr[j] + bias[j];
			let (erf, g) = erf_and_gauss(u);
			yr[j] = 0.5 * u * (1.0 + erf);
			dr[j] = 0.5 * (1.0 + erf) + u * g * FRAC_1_SQRT_2PI;
		}
	}
}

widest_simd!(gelu_and_derivative_rows => gelu_and_derivative_rows_generic(
	z: &[f32],
	bias: &[f32],
	y: &mut [f32],
	dydu: &mut [f32]
));

/// Bias + GELU forward that also keeps the derivative: `(gelu(z + b), gelu'(z + b))`, each
/// bitwise what [`gelu`] and [`gelu_derivative`] give, so that the backward is one product.
pub fn bias_gelu_forward_with_derivative(z: &[f32], bias: &[f32]) -> (Vec<f32>, Vec<f32>) {
	let f = bias.len();
	let mut y = vec![0.0f32; z.len()];
	let mut dydu = vec![0.0f32; z.len()];
	y.par_chunks_mut(ROWS_PER_BLOCK * f)
		.zip(dydu.par_chunks_mut(ROWS_PER_BLOCK * f))
		.zip(z.par_chunks(ROWS_PER_BLOCK * f))
		.for_each(|((yb, db), zb)| gelu_and_derivative_rows(zb, bias, yb, db));
	(y, dydu)
}

/// Backward from a kept derivative: `(dz, db)` with `dz = dy ⊙ gelu'` and `db = Σ_rows dz`
/// (bitwise [`bias_gelu_backward`]'s result).
pub fn gelu_backward_from_derivative(dydu: &[f32], dy: &[f32], f: usize) -> (Vec<f32>, Vec<f32>) {
	let mut dz = vec![0.0f32; dy.len()];
	let db = rows_with_column_sum(&mut dz, f, f, |first, block, partial| {
		let range = first * f..first * f + block.len();
		let (dr, gr) = (&dydu[range.clone()], &dy[range]);
		for ((o, row_d), row_g) in block.chunks_mut(f).zip(dr.chunks(f)).zip(gr.chunks(f)) {
			for j in 0..f {
				let v = row_g[j] * row_d[j];
				o[j] = v;
				partial[j] += v;
			}
		}
	});
	(dz, db)
}

/// Bias + GELU forward: `y = gelu(z + b)` for `z` `[n, f]`, `b` `[f]`.
pub fn bias_gelu_forward(z: &[f32], bias: &[f32]) -> Vec<f32> {
	let f = bias.len();
	let mut y = vec![0.0f32; z.len()];
	y.par_chunks_mut(ROWS_PER_BLOCK * f)
		.zip(z.par_chunks(ROWS_PER_BLOCK * f))
		.for_each(|(yb, zb)| gelu_rows(zb, bias, yb));
	y
}

/// Bias + GELU backward: `(dz, db)` with `dz = dy ⊙ gelu'(z + b)` and `db = Σ_rows dz`.
pub fn bias_gelu_backward(z: &[f32], bias: &[f32], dy: &[f32]) -> (Vec<f32>, Vec<f32>) {
	let f = bias.len();
	let mut dz = vec![0.0f32; z.len()];
	let db = rows_with_column_sum(&mut dz, f, f, |first, block, partial| {
		let range = first * f..first * f + block.len();
		gelu_backward_rows(&z[range.clone()], bias, &dy[range], block, partial);
	});
	(dz, db)
}

// ---------------------------------------------------------------------------------------------
// Cross-entropy: loss = mean over rows of (logsumexp(z) − z[target]).

/// Per-row `logsumexp` of `z` (`[n, v]`) and the mean loss over rows.
///
/// Targets outside `0..v` give a NaN loss (and a zero one-hot in the backward).
pub fn cross_entropy_forward(z: &[f32], targets: &[i64], v: usize) -> (Vec<f32>, f32) {
	let n = targets.len();
	let mut lse = vec![0.0f32; n];
	let mut row_loss = vec![0.0f32; n];
	lse.par_chunks_mut(ROWS_PER_BLOCK)
		.zip(row_loss.par_chunks_mut(ROWS_PER_BLOCK))
		.enumerate()
		.for_each(|(b, (lb, rb))| {
			let first = b * ROWS_PER_BLOCK;
			let mut e = vec![0.0f32; v];
			for (r, (l, out)) in lb.iter_mut().zip(rb.iter_mut()).enumerate() {
				let i = first + r;
				let zr = &z[i * v..(i + 1) * v];
				let max = zr.iter().fold(f32::NEG_INFINITY, |m, &x| m.max(x));
				e.copy_from_slice(zr);
				exp_shifted(&mut e, max);
				*l = max + sum(&e).ln();
				*out = match usize::try_from(targets[i]).ok().filter(|&t| t < v) {
					Some(t) => *l - zr[t],
					None => f32::NAN,
				};
			}
		});
	// Rows in order, in f64: one fixed order whatever the threads.
	let total: f64 = row_loss.iter().map(|&x| x as f64).sum();
	(lse, (total / n as f64) as f32)
}

/// Cross-entropy backward: `dz = g/n · (softmax(z) − onehot(target))`.
pub fn cross_entropy_backward(
	z: &[f32],
	lse: &[f32],
	targets: &[i64],
	v: usize,
	g: f32,
) -> Vec<f32> {
	let n = targets.len();
	let scale = g / n as f32;
	let mut dz = vec![0.0f32; z.len()];
	dz.par_chunks_mut(ROWS_PER_BLOCK * v)
		.enumerate()
		.for_each(|(b, block)| {
			let first = b * ROWS_PER_BLOCK;
			for (r, dr) in block.chunks_mut(v).enumerate() {
				let i = first + r;
				let zr = &z[i * v..(i + 1) * v];
				dr.copy_from_slice(zr);
				exp_shifted(dr, lse[i]);
				for o in dr.iter_mut() {
					*o *= scale;
				}
				if let Some(t) = usize::try_from(targets[i]).ok().filter(|&t| t < v) {
					dr[t] -= scale;
				}
			}
		});
	dz
}

// ---------------------------------------------------------------------------------------------
// AdamW: the same f32 operations, in the same order, as the burn composition in
// `crate::optimizer` — so the result is bitwise the same, in one pass instead of fourteen.

/// The scalars of one AdamW step as burn's scalar operations receive them (f64; each is
/// rounded to f32 when applied to f32 tensors, as burn's Flex does).
#[derive(Debug, Clone, Copy)]
pub struct AdamWScalars {
	/// β1.
	pub beta1: f64,
	/// β2.
	pub beta2: f64,
	/// 1 − β1^t.
	pub bias_correction1: f64,
	/// 1 − β2^t.
	pub bias_correction2: f64,
	/// ε.
	pub eps: f64,
	/// Learning rate.
	pub lr: f64,
	/// Weight-decay factor 1 − lr·wd (1 without decay).
	pub decay: f64,
}

/// One AdamW step: returns `(θ', m', v')` with
/// `m' = m·β1 + g·(1−β1)`, `v' = v·β2 + g²·(1−β2)`,
/// `θ' = θ·decay − ((m'/bc1) / (sqrt(v'/bc2) + ε))·lr`.
pub fn adamw(
	theta: &[f32],
	grad: &[f32],
	m: &[f32],
	v: &[f32],
	s: &AdamWScalars,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
	const BLOCK: usize = 16 * 1024;
	let (b1, omb1) = (s.beta1 as f32, (1.0 - s.beta1) as f32);
	let (b2, omb2) = (s.beta2 as f32, (1.0 - s.beta2) as f32);
	let (bc1, bc2) = (s.bias_correction1 as f32, s.bias_correction2 as f32);
	let (eps, lr, decay) = (s.eps as f32, s.lr as f32, s.decay as f32);
	let n = theta.len();
	let mut out_theta = vec![0.0f32; n];
	let mut out_m = vec![0.0f32; n];
	let mut out_v = vec![0.0f32; n];
	out_theta
		.par_chunks_mut(BLOCK)
		.zip(out_m.par_chunks_mut(BLOCK))
		.zip(out_v.par_chunks_mut(BLOCK))
		.enumerate()
		.for_each(|(b, ((ot, om), ov))| {
			let start = b * BLOCK;
			for i in 0..ot.len() {
				let j = start + i;
				let g = grad[j];
				let m1 = m[j] * b1 + g * omb1;
				let v1 = v[j] * b2 + (g * g) * omb2;
				let denom = (v1 / bc2).sqrt() + eps;
				let dir = (m1 / bc1) / denom;
				ot[i] = theta[j] * decay - dir * lr;
				om[i] = m1;
				ov[i] = v1;
			}
		});
	(out_theta, out_m, out_v)
}

#[cfg(test)]
mod tests {
	use super::*;

	/// erf in f64: Taylor series up to |x| = 2.5, the continued fraction of erfc beyond.
	fn erf_f64(x: f64) -> f64 {
		let a = x.abs();
		if a > 2.5 {
			let mut t = a;
			for n in (1..=80).rev() {
				t = a + (n as f64 / 2.0) / t;
			}
			let erfc = (-(a * a)).exp() / std::f64::consts::PI.sqrt() / t;
			return x.signum() * (1.0 - erfc);
		}
		let mut term = x;
		let mut total = x;
		for n in 1..200 {
			term *= -x * x / n as f64;
			total += term / (2 * n + 1) as f64;
		}
		total * 2.0 / std::f64::consts::PI.sqrt()
	}

	#[test]
	fn exp_neg_is_within_a_few_ulps_of_exp() {
		for i in 0..20_000 {
			let x = -(i as f32) * 0.004;
			let want = (x as f64).exp();
			let got = exp_neg(x) as f64;
			assert!(((got - want) / want).abs() < 5e-7, "x {x}: {got} vs {want}");
		}
	}

	#[test]
	fn exp_shifted_matches_exp_and_keeps_nan() {
		let mut v: Vec<f32> = (0..1000).map(|i| 3.0 - i as f32 * 0.05).collect();
		v.push(f32::NAN);
		let want: Vec<f64> = v.iter().map(|&x| ((x - 3.0) as f64).exp()).collect();
		exp_shifted(&mut v, 3.0);
		for (got, want) in v.iter().zip(&want).take(1000) {
			assert!(
				((*got as f64 - want) / want).abs() < 5e-7,
				"{got} vs {want}"
			);
		}
		assert!(v[1000].is_nan());
	}

	#[test]
	fn gelu_matches_the_erf_definition() {
		for i in -4000..4000 {
			let u = i as f64 * 0.002;
			let want = 0.5 * u * (1.0 + erf_f64(u / std::f64::consts::SQRT_2));
			let got = gelu(u as f32) as f64;
			assert!(
				(got - want).abs() < 3e-7 * (1.0 + u.abs()),
				"u {u}: {got} vs {want}"
			);
			let h = 1e-4;
			let fd = (0.5 * (u + h) * (1.0 + erf_f64((u + h) / std::f64::consts::SQRT_2))
				- 0.5 * (u - h) * (1.0 + erf_f64((u - h) / std::f64::consts::SQRT_2)))
				/ (2.0 * h);
			let d = gelu_derivative(u as f32) as f64;
			assert!((d - fd).abs() < 1e-6, "u {u}: {d} vs {fd}");
		}
	}

	#[test]
	fn wide_vector_versions_give_the_bits_of_the_baseline() {
		let f = 77;
		let z: Vec<f32> = (0..5 * f)
			.map(|i| ((i * 7919) % 1000) as f32 * 0.012 - 6.0)
			.collect();
		let bias: Vec<f32> = (0..f).map(|i| (i % 13) as f32 * 0.1 - 0.6).collect();
		let dy: Vec<f32> = (0..5 * f)
			.map(|i| ((i * 31) % 17) as f32 * 0.1 - 0.8)
			.collect();
		let (mut a, mut b) = (vec![0.0; z.len()], vec![0.0; z.len()]);
		gelu_rows(&z, &bias, &mut a);
		gelu_rows_generic(&z, &bias, &mut b);
		assert_eq!(a, b);
		let (mut sa, mut sb) = (vec![0.0; f], vec![0.0; f]);
		gelu_backward_rows(&z, &bias, &dy, &mut a, &mut sa);
		gelu_backward_rows_generic(&z, &bias, &dy, &mut b, &mut sb);
		assert_eq!((a, sa), (b, sb));
	}

	#[test]
	fn kept_derivative_gives_the_bits_of_the_recomputed_one() {
		let f = 50;
		let z: Vec<f32> = (0..7 * f)
			.map(|i| ((i * 7919) % 1000) as f32 * 0.012 - 6.0)
			.collect();
		let bias: Vec<f32> = (0..f).map(|i| (i % 13) as f32 * 0.1 - 0.6).collect();
		let dy: Vec<f32> = (0..7 * f)
			.map(|i| ((i * 31) % 17) as f32 * 0.1 - 0.8)
			.collect();
		let (y, dydu) = bias_gelu_forward_with_derivative(&z, &bias);
		assert_eq!(y, bias_gelu_forward(&z, &bias));
		assert_eq!(
			gelu_backward_from_derivative(&dydu, &dy, f),
			bias_gelu_backward(&z, &bias, &dy)
		);
	}

	#[test]
	fn causal_softmax_rows_sum_to_one_and_hide_the_future() {
		let t = 5;
		let s: Vec<f32> = (0..2 * t * t)
			.map(|i| ((i * 37) % 11) as f32 * 0.3 - 1.0)
			.collect();
		let y = causal_softmax_forward(&s, t, 0.5);
		for (r, row) in y.chunks(t).enumerate() {
			let q = r % t;
			assert!(row[q + 1..].iter().all(|&v| v == 0.0));
			assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6);
		}
	}

	#[test]
	fn cross_entropy_of_an_out_of_range_target_is_nan() {
		let (_, loss) = cross_entropy_forward(&[0.0, 1.0], &[2], 2);
		assert!(loss.is_nan());
	}
}
