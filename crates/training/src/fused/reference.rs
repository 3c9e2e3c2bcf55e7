//! The same operations as compositions of burn tensor operations: what the model computed
//! before the fused kernels, what every non-Flex backend still runs, and the reference the
//! fused kernels are tested against.

use burn::prelude::*;
use burn::tensor::activation;

use super::kernels::AdamWScalars;

/// `x·W + b`.
pub fn linear(x: Tensor<2>, w: &Tensor<2>, b: &Tensor<2>) -> Tensor<2> {
	x.matmul(w.clone()) + b.clone()
}

/// `(residual + x·W) + b`.
pub fn add_linear(residual: Tensor<2>, x: Tensor<2>, w: &Tensor<2>, b: &Tensor<2>) -> Tensor<2> {
	residual + x.matmul(w.clone()) + b.clone()
}

/// `gelu(x·W + b)` with burn's (erf-based) GELU.
pub fn linear_gelu(x: Tensor<2>, w: &Tensor<2>, b: &Tensor<2>) -> Tensor<2> {
	activation::gelu(x.matmul(w.clone()) + b.clone())
}

/// Layer norm: `(x − mean)/sqrt(var + eps)·γ + β` over the last dimension, biased variance.
pub fn layer_norm(x: Tensor<2>, gamma: &Tensor<2>, beta: &Tensor<2>, eps: f64) -> Tensor<2> {
	let mean = x.clone().mean_dim(1);
	let centered = x - mean;
	let var = centered.clone().square().mean_dim(1);
	centered / (var + eps).sqrt() * gamma.clone() + beta.clone()
}

/// Causal multi-head attention from `qkv` `[b·t, 3d]`: split into heads, causal softmax of the
/// scaled scores, mix the values, heads back side by side `[b·t, d]`.
pub fn causal_attention(qkv: Tensor<2>, t: usize, heads: usize) -> Tensor<2> {
	let [bt, w] = qkv.dims();
	let (b, d) = (bt / t, w / 3);
	let hd = d / heads;
	let split = |s: usize| {
		qkv.clone()
			.slice([0..bt, s * d..(s + 1) * d])
			.reshape([b, t, heads, hd])
			.swap_dims(1, 2)
	};
	let (q, k, v) = (split(0), split(1), split(2));
	let att = causal_softmax(q.matmul(k.swap_dims(2, 3)), 1.0 / (hd as f64).sqrt());
	att.matmul(v).swap_dims(1, 2).reshape([bt, d])
}

/// `softmax(scale · scores + mask)`, the mask 0 on and below the diagonal and −1e9 above it.
pub fn causal_softmax(scores: Tensor<4>, scale: f64) -> Tensor<4> {
	let [_, _, t, _] = scores.dims();
	let device = scores.device();
	// burn's `tril_mask` is `true` outside the lower triangle, i.e. at the future positions.
	let mask = Tensor::<2, Bool>::tril_mask([t, t], 0, &device);
	let mask_add = Tensor::<2>::zeros([t, t], &device)
		.mask_fill(mask, -1.0e9)
		.reshape([1, 1, t, t]);
	activation::softmax(scores.mul_scalar(scale) + mask_add, 3)
}

/// `gelu(z + bias)` with burn's (erf-based) GELU.
pub fn bias_gelu(z: Tensor<2>, bias: &Tensor<2>) -> Tensor<2> {
	activation::gelu(z + bias.clone())
}

/// `−mean(log_softmax(logits)[target])`, shape `[1]`; `targets` is `[n, 1]`.
pub fn cross_entropy(logits: Tensor<2>, targets: Tensor<2, Int>) -> Tensor<1> {
	let logp = activation::log_softmax(logits, 1);
	logp.gather(1, targets).mean().neg()
}

/// One AdamW step `(θ', m', v')` (formula in [`crate::optimizer`]).
pub fn adamw(
	theta: Tensor<2>,
	grad: Tensor<2>,
	m: Tensor<2>,
	v: Tensor<2>,
	s: &AdamWScalars,
) -> (Tensor<2>, Tensor<2>, Tensor<2>) {
	let m = m.mul_scalar(s.beta1) + grad.clone().mul_scalar(1.0 - s.beta1);
	let v = v.mul_scalar(s.beta2) + grad.square().mul_scalar(1.0 - s.beta2);
	let denom = v
		.clone()
		.div_scalar(s.bias_correction2)
		.sqrt()
		.add_scalar(s.eps);
	let step_dir = m.clone().div_scalar(s.bias_correction1) / denom;
	let theta = theta.mul_scalar(s.decay) - step_dir.mul_scalar(s.lr);
	(theta, m, v)
}
