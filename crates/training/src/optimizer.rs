//! AdamW, the inner optimiser, as an explicit formula over device tensors.
//!
//! For step `t` (1-based within the round), gradient `g`, parameter `θ`:
//!
//! ```text
//! m ← β1·m + (1 − β1)·g
//! v ← β2·v + (1 − β2)·g²
//! θ ← θ·(1 − lr·wd) − lr · (m / (1 − β1^t)) / (sqrt(v / (1 − β2^t)) + ε)
//! ```
//!
//! `wd` applies only to parameters whose spec has `decay` (matrices and embeddings). The bias
//! corrections are computed on the host in f64 and passed as scalars. The moments are part of
//! the committed state, which is why this is ours rather than burn's optimiser: its state has
//! exactly one canonical order and is restored bit-for-bit at any segment boundary. On Flex the
//! step runs as one fused pass ([`crate::fused::adamw`]) of the same f32 operations in the same
//! order, so its result is bitwise that of the composition.

use burn::prelude::*;

use crate::config::AdamWConfig;
use crate::fused::{self, kernels::AdamWScalars};
use crate::params::ParamSpec;

/// One parameter's tensors after a step: `(θ, m, v)`.
pub type Moments = (Tensor<2>, Tensor<2>, Tensor<2>);

/// Applies one AdamW step to a single parameter.
pub fn adamw_update(
	cfg: &AdamWConfig,
	spec: &ParamSpec,
	step: u64,
	theta: Tensor<2>,
	grad: Tensor<2>,
	m: Tensor<2>,
	v: Tensor<2>,
) -> Moments {
	let b1 = cfg.beta1 as f64;
	let b2 = cfg.beta2 as f64;
	let t = step.min(i32::MAX as u64) as i32;
	let bc1 = 1.0 - b1.powi(t);
	let bc2 = 1.0 - b2.powi(t);
	let lr = cfg.lr as f64;
	let decay = if spec.decay {
		1.0 - lr * cfg.weight_decay as f64
	} else {
		1.0
	};
	let scalars = AdamWScalars {
		beta1: b1,
		beta2: b2,
		bias_correction1: bc1,
		bias_correction2: bc2,
		eps: cfg.eps as f64,
		lr,
		decay,
	};
	// Flex: one fused pass of exactly the composition's operations (same bits).
	match fused::adamw(theta, grad, m, v, &scalars) {
		Ok(out) => out,
		Err((theta, grad, m, v)) => fused::reference::adamw(theta, grad, m, v, &scalars),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn matches_the_formula_on_the_host() {
		let device = crate::default_device();
		let cfg = AdamWConfig {
			lr: 0.1,
			beta1: 0.9,
			beta2: 0.99,
			eps: 1e-8,
			weight_decay: 0.5,
		};
		let spec = ParamSpec {
			name: "w".into(),
			shape: vec![1, 2],
			decay: true,
		};
		let t = |v: [f32; 2]| Tensor::<2>::from_data(TensorData::new(v.to_vec(), [1, 2]), &device);
		let (theta, m, v) = adamw_update(
			&cfg,
			&spec,
			1,
			t([1.0, -2.0]),
			t([0.5, 0.0]),
			t([0.0, 0.0]),
			t([0.0, 0.0]),
		);
		let get = |x: Tensor<2>| x.into_data().try_to_vec::<f32>().unwrap();
		let (theta, m, v) = (get(theta), get(m), get(v));
		assert!((m[0] - 0.05).abs() < 1e-7);
		assert!((v[0] - 0.0025).abs() < 1e-7);
		// Step 1: m̂ = g, v̂ = g², so the update is lr·sign(g) plus decay.
		assert!((theta[0] - (1.0 * 0.95 - 0.1)).abs() < 1e-6, "{theta:?}");
		assert!((theta[1] - (-2.0 * 0.95)).abs() < 1e-6, "{theta:?}");
	}
}
