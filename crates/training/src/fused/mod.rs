//! Fused operations for the model and its optimiser, each one operation forward and one
//! backward instead of a chain of burn operations: the linear layers (bias written first, then
//! one `gemm` call adds the product; bias gradients as deterministic column sums), the MLP's
//! first layer with its GELU, causal multi-head attention from the `qkv` projection to the
//! heads' output, layer norm, the cross-entropy loss and the AdamW step; also the scaled causal
//! softmax and bias + GELU on their own.
//!
//! On burn's Flex backend (plain or autodiff) they run the CPU kernels of [`kernels`], each
//! recorded as a single autodiff node with its own backward; on any other backend (wgpu, …)
//! they run [`reference`], the composition of burn operations the model always used, so those
//! backends compute exactly what they did before. The kernels are thread-count independent
//! (see [`kernels`]), which keeps a Flex run bitwise reproducible for any `RAYON_NUM_THREADS`.
//!
//! The fused kernels change the Flex trajectory's rounding (and GELU's `erf` is the
//! Abramowitz–Stegun formula, absolute error ≤ 1.5e-7), so the Flex backend fingerprint names
//! them ([`FLEX_KERNELS`]): a state trained before cannot pass a bitwise audit against one
//! trained now, and vice versa.

#[cfg(feature = "flex")]
mod flex;
#[cfg(feature = "flex")]
mod flex_attention;
pub mod kernels;
pub mod reference;

use burn::prelude::*;

/// Name and version of the fused Flex kernels, part of the Flex backend fingerprint.
pub const FLEX_KERNELS: &str = "arena-fused-1";

/// Linear layer `x·W + b` for `x` `[n, k]`, `W` `[k, m]`, `b` `[1, m]`.
pub fn linear(x: Tensor<2>, w: &Tensor<2>, b: &Tensor<2>) -> Tensor<2> {
	#[cfg(feature = "flex")]
	let x = match flex::linear(x, w, b) {
		Ok(y) => return y,
		Err(x) => x,
	};
	reference::linear(x, w, b)
}

/// Residual branch `residual + x·W + b` (evaluated as `(residual + x·W) + b` by the fallback,
/// as the model always did; on Flex as `residual + (x·W + b)`).
pub fn add_linear(residual: Tensor<2>, x: Tensor<2>, w: &Tensor<2>, b: &Tensor<2>) -> Tensor<2> {
	#[cfg(feature = "flex")]
	let x = match flex::linear(x, w, b) {
		Ok(y) => return residual + y,
		Err(x) => x,
	};
	reference::add_linear(residual, x, w, b)
}

/// The MLP's first layer `gelu(x·W + b)` (exact, erf-based GELU).
pub fn linear_gelu(x: Tensor<2>, w: &Tensor<2>, b: &Tensor<2>) -> Tensor<2> {
	#[cfg(feature = "flex")]
	let x = match flex::linear_gelu(x, w, b) {
		Ok(y) => return y,
		Err(x) => x,
	};
	reference::linear_gelu(x, w, b)
}

/// Layer norm over the last dimension (biased variance): `(x − μ)/sqrt(var + ε)·γ + β`.
pub fn layer_norm(x: Tensor<2>, gamma: &Tensor<2>, beta: &Tensor<2>, eps: f64) -> Tensor<2> {
	#[cfg(feature = "flex")]
	let x = match flex::layer_norm(x, gamma, beta, eps as f32) {
		Ok(y) => return y,
		Err(x) => x,
	};
	reference::layer_norm(x, gamma, beta, eps)
}

/// Causal multi-head self-attention: `qkv` `[b·t, 3d]` holds each position's query, key and
/// value side by side; returns the heads' outputs side by side, `[b·t, d]`, with
/// `softmax(Q·Kᵀ/√(d/heads) + causal mask)·V` per head.
pub fn causal_attention(qkv: Tensor<2>, t: usize, heads: usize) -> Tensor<2> {
	#[cfg(feature = "flex")]
	let qkv = match flex_attention::causal_attention(qkv, t, heads) {
		Ok(y) => return y,
		Err(qkv) => qkv,
	};
	reference::causal_attention(qkv, t, heads)
}

/// Attention probabilities: `softmax(scale · scores + causal mask)` over the last dimension of
/// `[b, h, t, t]`; key positions after the query's get exactly 0.
pub fn causal_softmax(scores: Tensor<4>, scale: f64) -> Tensor<4> {
	#[cfg(feature = "flex")]
	let scores = match flex::causal_softmax(scores, scale as f32) {
		Ok(y) => return y,
		Err(s) => s,
	};
	reference::causal_softmax(scores, scale)
}

/// `gelu(z + bias)` (exact, erf-based GELU) for `z` `[n, f]` and `bias` `[1, f]`.
pub fn bias_gelu(z: Tensor<2>, bias: &Tensor<2>) -> Tensor<2> {
	#[cfg(feature = "flex")]
	let z = match flex::bias_gelu(z, bias) {
		Ok(y) => return y,
		Err(z) => z,
	};
	reference::bias_gelu(z, bias)
}

/// Mean next-token cross-entropy: `mean_i(logsumexp(logits_i) − logits_i[target_i])`, a
/// tensor of shape `[1]`. `targets` is `[n, 1]` for `logits` `[n, v]`.
pub fn cross_entropy(logits: Tensor<2>, targets: Tensor<2, Int>) -> Tensor<1> {
	// Targets go to the host only for the Flex kernel (no device read-back elsewhere).
	#[cfg(feature = "flex")]
	let logits = match flex::takes(&logits) {
		true => {
			let host = targets
				.clone()
				.into_data()
				.convert::<i64>()
				.try_into_vec::<i64>()
				.ok();
			match host {
				Some(host) => match flex::cross_entropy(logits, host) {
					Ok(loss) => return loss,
					Err(logits) => logits,
				},
				None => logits,
			}
		},
		false => logits,
	};
	reference::cross_entropy(logits, targets)
}

/// One AdamW step `(θ', m', v')` of `(θ, g, m, v)` in one pass on plain Flex tensors — the
/// same f32 operations in the same order as [`crate::optimizer::adamw_update`]'s burn
/// composition, so bitwise the same result; `Err` gives the inputs back on other backends.
// `Err` hands the four input tensors back (moved) for the fallback.
#[allow(clippy::type_complexity, clippy::result_large_err)]
pub fn adamw(
	theta: Tensor<2>,
	grad: Tensor<2>,
	m: Tensor<2>,
	v: Tensor<2>,
	scalars: &kernels::AdamWScalars,
) -> Result<(Tensor<2>, Tensor<2>, Tensor<2>), (Tensor<2>, Tensor<2>, Tensor<2>, Tensor<2>)> {
	#[cfg(feature = "flex")]
	{
		flex::adamw((theta, grad, m, v), scalars)
	}
	#[cfg(not(feature = "flex"))]
	{
		let _ = scalars;
		Err((theta, grad, m, v))
	}
}

#[cfg(test)]
mod tests;
