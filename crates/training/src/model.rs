//! The causal transformer language model (byte level), written functionally over a list of
//! parameter tensors so that its state has one canonical order ([`param_layout`]).
//!
//! Architecture (pre-norm GPT):
//!
//! ```text
//! x   = tok_emb[tokens] + pos_emb[0..T]                                   [B·T, d]
//! per block:  x = x + Wo·attn(LN1(x)) + bo ;  x = x + W2·gelu(W1·LN2(x) + b1) + b2
//! attn: q,k,v = split(LN1(x)·Wqkv + bqkv) into H heads;  softmax(q·kᵀ/√(d/H) + causal mask)·v
//! LN(x) = (x − mean(x)) / sqrt(var(x) + 1e-5) · γ + β        (biased variance, last dim)
//! gelu(u) = ½·u·(1 + erf(u/√2))
//! logits = LN_f(x)·W_head + b_head                                          [B·T, 256]
//! loss = mean over positions of −log softmax(logits)[target]
//! ```
//!
//! The linear layers (the MLP's first one with its GELU), layer norm, the attention and the loss go through
//! [`crate::fused`]: one fused kernel each on Flex, the burn composition on other backends.
//!
//! Every parameter lives on the device as a rank-2 tensor (vectors as `[1, n]`); the host
//! layout keeps the true shapes.

use burn::prelude::*;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

use crate::config::{ModelConfig, VOCAB_SIZE};
use crate::error::{Result, TrainingError};
use crate::fused;
use crate::params::{HostTensor, ParamSet, ParamSpec};
use crate::sampler::Batch;

const LN_EPS: f64 = 1e-5;
const PARAMS_PER_BLOCK: usize = 12;

/// The canonical parameter layout: names, shapes and weight-decay flags, in order.
pub fn param_layout(cfg: &ModelConfig) -> Vec<ParamSpec> {
	let d = cfg.d_model;
	let f = cfg.d_model * cfg.mlp_ratio;
	let spec = |name: String, shape: Vec<usize>, decay: bool| ParamSpec { name, shape, decay };
	let mut out = vec![
		spec("tok_emb".into(), vec![VOCAB_SIZE, d], true),
		spec("pos_emb".into(), vec![cfg.context, d], true),
	];
	for l in 0..cfg.n_layers {
		let p = |s: &str| format!("blocks.{l}.{s}");
		out.extend([
			spec(p("ln1.gamma"), vec![d], false),
			spec(p("ln1.beta"), vec![d], false),
			spec(p("attn.qkv.weight"), vec![d, 3 * d], true),
			spec(p("attn.qkv.bias"), vec![3 * d], false),
			spec(p("attn.out.weight"), vec![d, d], true),
			spec(p("attn.out.bias"), vec![d], false),
			spec(p("ln2.gamma"), vec![d], false),
			spec(p("ln2.beta"), vec![d], false),
			spec(p("mlp.fc.weight"), vec![d, f], true),
			spec(p("mlp.fc.bias"), vec![f], false),
			spec(p("mlp.proj.weight"), vec![f, d], true),
			spec(p("mlp.proj.bias"), vec![d], false),
		]);
	}
	out.extend([
		spec("ln_f.gamma".into(), vec![d], false),
		spec("ln_f.beta".into(), vec![d], false),
		spec("head.weight".into(), vec![d, VOCAB_SIZE], true),
		spec("head.bias".into(), vec![VOCAB_SIZE], false),
	]);
	out
}

/// Number of parameters of the model.
pub fn param_count(cfg: &ModelConfig) -> usize {
	param_layout(cfg).iter().map(ParamSpec::numel).sum()
}

/// Initial parameters (the genesis checkpoint) from a 32-byte seed: weights ~ N(0, 0.02²)
/// (output projections N(0, (0.02/√(2L))²)), biases 0, LayerNorm γ = 1, β = 0. Normals come
/// from a ChaCha20 stream by Box–Muller in f64.
pub fn init_params(cfg: &ModelConfig, seed: [u8; 32]) -> ParamSet {
	let mut rng = ChaCha20Rng::from_seed(seed);
	let out_std = 0.02 / ((2 * cfg.n_layers) as f64).sqrt();
	let tensors = param_layout(cfg)
		.into_iter()
		.map(|spec| {
			let n = spec.numel();
			let data = if spec.name.ends_with("gamma") {
				vec![1.0; n]
			} else if spec.name.ends_with("beta") || spec.name.ends_with("bias") {
				vec![0.0; n]
			} else {
				let std = if spec.name.ends_with("attn.out.weight")
					|| spec.name.ends_with("mlp.proj.weight")
				{
					out_std
				} else {
					0.02
				};
				(0..n).map(|_| (normal(&mut rng) * std) as f32).collect()
			};
			HostTensor { spec, data }
		})
		.collect();
	// Lengths match the specs by construction.
	ParamSet::from_tensors(tensors).unwrap_or_else(|_| ParamSet::zeros(&param_layout(cfg)))
}

fn normal(rng: &mut ChaCha20Rng) -> f64 {
	// Box–Muller; u1 in (0, 1] so ln is finite.
	let u1 = ((rng.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64;
	let u2 = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
	(-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Device shape of a parameter: matrices as they are, vectors as `[1, n]`.
pub fn device_shape(spec: &ParamSpec) -> [usize; 2] {
	match spec.shape.as_slice() {
		[r, c] => [*r, *c],
		[n] => [1, *n],
		other => [1, other.iter().product()],
	}
}

/// Uploads host tensors to `device`.
pub fn to_device(params: &ParamSet, device: &Device) -> Vec<Tensor<2>> {
	params
		.tensors()
		.iter()
		.map(|t| {
			Tensor::<2>::from_data(
				TensorData::new(t.data.clone(), device_shape(&t.spec)),
				device,
			)
		})
		.collect()
}

/// Downloads device tensors into a host set with `layout`.
pub fn to_host(tensors: &[Tensor<2>], layout: &[ParamSpec]) -> Result<ParamSet> {
	if tensors.len() != layout.len() {
		return Err(TrainingError::Inconsistent(format!(
			"{} device tensors for a layout of {}",
			tensors.len(),
			layout.len()
		)));
	}
	let mut out = Vec::with_capacity(layout.len());
	for (t, spec) in tensors.iter().zip(layout) {
		let data = t
			.to_data()
			.convert::<f32>()
			.try_to_vec::<f32>()
			.map_err(|e| TrainingError::Backend(format!("{e:?}")))?;
		out.push(HostTensor {
			spec: spec.clone(),
			data,
		});
	}
	ParamSet::from_tensors(out).map_err(TrainingError::Inconsistent)
}

/// Uploads a batch as `[B, T]` integer tensors `(inputs, targets)`.
pub fn batch_to_device(batch: &Batch, device: &Device) -> (Tensor<2, Int>, Tensor<2, Int>) {
	let shape = [batch.batch_size, batch.context];
	let inputs = Tensor::<2, Int>::from_data(TensorData::new(batch.inputs.clone(), shape), device);
	let targets =
		Tensor::<2, Int>::from_data(TensorData::new(batch.targets.clone(), shape), device);
	(inputs, targets)
}

/// Which implementation of the non-matmul operations a forward pass uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kernels {
	/// [`crate::fused`]: fused kernels on Flex, the burn composition elsewhere.
	Fused,
	/// [`crate::fused::reference`] on every backend (tests compare the two).
	#[cfg_attr(not(test), allow(dead_code))]
	Reference,
}

impl Kernels {
	fn linear(self, x: Tensor<2>, w: &Tensor<2>, b: &Tensor<2>) -> Tensor<2> {
		match self {
			Kernels::Fused => fused::linear(x, w, b),
			Kernels::Reference => fused::reference::linear(x, w, b),
		}
	}

	fn add_linear(
		self,
		residual: Tensor<2>,
		x: Tensor<2>,
		w: &Tensor<2>,
		b: &Tensor<2>,
	) -> Tensor<2> {
		match self {
			Kernels::Fused => fused::add_linear(residual, x, w, b),
			Kernels::Reference => fused::reference::add_linear(residual, x, w, b),
		}
	}

	fn layer_norm(self, x: Tensor<2>, gamma: &Tensor<2>, beta: &Tensor<2>) -> Tensor<2> {
		match self {
			Kernels::Fused => fused::layer_norm(x, gamma, beta, LN_EPS),
			Kernels::Reference => fused::reference::layer_norm(x, gamma, beta, LN_EPS),
		}
	}

	fn causal_attention(self, qkv: Tensor<2>, t: usize, heads: usize) -> Tensor<2> {
		match self {
			Kernels::Fused => fused::causal_attention(qkv, t, heads),
			Kernels::Reference => fused::reference::causal_attention(qkv, t, heads),
		}
	}

	fn linear_gelu(self, x: Tensor<2>, w: &Tensor<2>, b: &Tensor<2>) -> Tensor<2> {
		match self {
			Kernels::Fused => fused::linear_gelu(x, w, b),
			Kernels::Reference => fused::reference::linear_gelu(x, w, b),
		}
	}

	fn cross_entropy(self, logits: Tensor<2>, targets: Tensor<2, Int>) -> Tensor<1> {
		match self {
			Kernels::Fused => fused::cross_entropy(logits, targets),
			Kernels::Reference => fused::reference::cross_entropy(logits, targets),
		}
	}
}

/// Mean next-token cross-entropy of `params` on one batch; a scalar tensor `[1]`.
///
/// `params` must follow [`param_layout`] (device shapes from [`device_shape`]); tensors may
/// carry autodiff so that `backward` yields their gradients.
pub fn forward_loss(
	params: &[Tensor<2>],
	cfg: &ModelConfig,
	inputs: Tensor<2, Int>,
	targets: Tensor<2, Int>,
) -> Tensor<1> {
	forward_loss_with(params, cfg, inputs, targets, Kernels::Fused)
}

pub(crate) fn forward_loss_with(
	params: &[Tensor<2>],
	cfg: &ModelConfig,
	inputs: Tensor<2, Int>,
	targets: Tensor<2, Int>,
	kernels: Kernels,
) -> Tensor<1> {
	let [b, t] = inputs.dims();
	let logits = forward_logits_with(params, cfg, inputs, kernels);
	kernels.cross_entropy(logits, targets.reshape([b * t, 1]))
}

/// Next-token logits `[B·T, 256]` (row `b·T + i` predicts the token after position `i`).
pub fn forward_logits(
	params: &[Tensor<2>],
	cfg: &ModelConfig,
	inputs: Tensor<2, Int>,
) -> Tensor<2> {
	forward_logits_with(params, cfg, inputs, Kernels::Fused)
}

pub(crate) fn forward_logits_with(
	params: &[Tensor<2>],
	cfg: &ModelConfig,
	inputs: Tensor<2, Int>,
	kernels: Kernels,
) -> Tensor<2> {
	let [b, t] = inputs.dims();
	let d = cfg.d_model;
	let bt = b * t;

	let tok = params[0].clone().select(0, inputs.reshape([bt]));
	let pos = params[1].clone().slice([0..t, 0..d]);
	let pos = pos.unsqueeze_dim::<3>(0).expand([b, t, d]).reshape([bt, d]);
	let mut x = tok + pos;

	for l in 0..cfg.n_layers {
		let p = &params[2 + l * PARAMS_PER_BLOCK..2 + (l + 1) * PARAMS_PER_BLOCK];
		let a = kernels.layer_norm(x.clone(), &p[0], &p[1]);
		let qkv = kernels.linear(a, &p[2], &p[3]);
		let y = kernels.causal_attention(qkv, t, cfg.n_heads);
		x = kernels.add_linear(x, y, &p[4], &p[5]);

		let m = kernels.layer_norm(x.clone(), &p[6], &p[7]);
		let m = kernels.linear_gelu(m, &p[8], &p[9]);
		x = kernels.add_linear(x, m, &p[10], &p[11]);
	}
	let n = 2 + cfg.n_layers * PARAMS_PER_BLOCK;
	let x = kernels.layer_norm(x, &params[n], &params[n + 1]);
	kernels.linear(x, &params[n + 2], &params[n + 3])
}

/// Reads a scalar loss back to the host.
pub fn scalar(loss: Tensor<1>) -> Result<f32> {
	let v = loss
		.into_data()
		.convert::<f32>()
		.try_to_vec::<f32>()
		.map_err(|e| TrainingError::Backend(format!("{e:?}")))?;
	v.first()
		.copied()
		.ok_or_else(|| TrainingError::Backend("empty loss tensor".into()))
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::config::TrainingConfig;

	#[test]
	fn default_model_has_one_to_five_million_parameters() {
		let n = param_count(&TrainingConfig::default().model);
		assert!((1_000_000..=5_000_000).contains(&n), "{n}");
	}

	#[test]
	fn init_is_deterministic_and_seeded() {
		let cfg = TrainingConfig::tiny().model;
		let a = init_params(&cfg, [1; 32]);
		assert_eq!(a, init_params(&cfg, [1; 32]));
		assert_ne!(a, init_params(&cfg, [2; 32]));
		assert_eq!(a.numel(), param_count(&cfg));
		let w = &a.tensors()[0].data;
		let std = (w.iter().map(|v| (v * v) as f64).sum::<f64>() / w.len() as f64).sqrt();
		assert!((std - 0.02).abs() < 0.002, "{std}");
	}

	#[test]
	fn attention_is_causal() {
		let cfg = TrainingConfig::tiny().model;
		let device = crate::default_device();
		let dev = to_device(&init_params(&cfg, [5; 32]), &device);
		let t = cfg.context;
		let mut tokens: Vec<i64> = (0..t as i64).map(|i| (i * 7 + 3) % 256).collect();
		let logits = |tokens: &Vec<i64>| {
			let x = Tensor::<2, Int>::from_data(TensorData::new(tokens.clone(), [1, t]), &device);
			forward_logits(&dev, &cfg, x)
				.into_data()
				.try_to_vec::<f32>()
				.unwrap()
		};
		let a = logits(&tokens);
		tokens[t - 1] = 200;
		tokens[t - 2] = 100;
		let b = logits(&tokens);
		let v = crate::config::VOCAB_SIZE;
		// Positions before the edit see exactly the same logits; the edited ones differ.
		assert_eq!(a[..(t - 2) * v], b[..(t - 2) * v]);
		assert_ne!(a[(t - 2) * v..], b[(t - 2) * v..]);
	}

	#[test]
	fn initial_loss_is_near_uniform_and_host_round_trip_is_exact() {
		let cfg = TrainingConfig::tiny().model;
		let device = crate::default_device();
		let params = init_params(&cfg, [3; 32]);
		let dev = to_device(&params, &device);
		assert_eq!(to_host(&dev, &params.layout()).unwrap(), params);
		let text: Vec<u8> = b"the quick brown fox jumps over the lazy dog. ".repeat(20);
		let batch = crate::sampler::sample_batch(&text, 2, cfg.context, [0; 32]).unwrap();
		let (i, t) = batch_to_device(&batch, &device);
		let loss = scalar(forward_loss(&dev, &cfg, i, t)).unwrap();
		assert!((loss - (256f32).ln()).abs() < 0.3, "{loss}");
	}
}
