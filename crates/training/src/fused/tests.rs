//! Fused operations against the burn composition ([`super::reference`]): forward values and
//! gradients within a tight tolerance, and the same bits for any thread count.

use burn::prelude::*;

use super::*;
use crate::config::TrainingConfig;
use crate::model::{batch_to_device, forward_loss_with, init_params, to_device, Kernels};

/// Deterministic pseudo-random values in `[-scale, scale)`.
fn values(n: usize, seed: u64, scale: f32) -> Vec<f32> {
	let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
	(0..n)
		.map(|_| {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			((s >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * scale
		})
		.collect()
}

fn host<const D: usize>(t: Tensor<D>) -> Vec<f32> {
	t.into_data()
		.convert::<f32>()
		.try_into_vec::<f32>()
		.unwrap()
}

/// A tracked leaf on the autodiff Flex device.
fn leaf<const D: usize>(v: Vec<f32>, shape: [usize; D]) -> Tensor<D> {
	Tensor::<D>::from_data(TensorData::new(v, shape), &crate::default_device())
		.autodiff()
		.require_grad()
}

fn assert_close(what: &str, got: &[f32], want: &[f32], tol: f32) {
	assert_eq!(got.len(), want.len(), "{what}: lengths");
	let scale = want.iter().fold(0.0f32, |m, x| m.max(x.abs())).max(1e-6);
	for (i, (g, w)) in got.iter().zip(want).enumerate() {
		assert!(
			(g - w).abs() <= tol * scale,
			"{what}[{i}]: fused {g} vs reference {w} (largest |reference| {scale})"
		);
	}
}

/// Runs `op` on fresh leaves made from `inputs`, backpropagates `Σ out·w` and returns the
/// output and every input's gradient.
fn forward_backward<const D: usize, const O: usize>(
	inputs: &[(Vec<f32>, [usize; D])],
	w: &[f32],
	op: impl Fn(&[Tensor<D>]) -> Tensor<O>,
) -> (Vec<f32>, Vec<Vec<f32>>) {
	let leaves: Vec<Tensor<D>> = inputs.iter().map(|(v, s)| leaf(v.clone(), *s)).collect();
	let out = op(&leaves);
	let shape = out.dims();
	let weight = Tensor::<O>::from_data(TensorData::new(w.to_vec(), shape), &out.device());
	let loss = (out.clone() * weight).sum();
	let grads = loss.backward();
	let grads = leaves
		.iter()
		.map(|l| host(l.grad(&grads).expect("gradient")))
		.collect();
	(host(out.without_autodiff()), grads)
}

fn check<const D: usize, const O: usize>(
	name: &str,
	inputs: &[(Vec<f32>, [usize; D])],
	out_len: usize,
	tol: f32,
	fused: impl Fn(&[Tensor<D>]) -> Tensor<O>,
	reference: impl Fn(&[Tensor<D>]) -> Tensor<O>,
) {
	let w = values(out_len, 99, 1.0);
	let (yf, gf) = forward_backward(inputs, &w, fused);
	let (yr, gr) = forward_backward(inputs, &w, reference);
	assert_close(&format!("{name} forward"), &yf, &yr, tol);
	for (i, (a, b)) in gf.iter().zip(&gr).enumerate() {
		assert_close(&format!("{name} gradient of input {i}"), a, b, tol);
	}
}

#[test]
fn layer_norm_matches_the_burn_composition() {
	let (n, d) = (67, 40);
	let inputs = [
		(
			values(n * d, 1, 3.0).iter().map(|x| x + 0.7).collect(),
			[n, d],
		),
		(values(d, 2, 1.0).iter().map(|x| x + 1.0).collect(), [1, d]),
		(values(d, 3, 0.5), [1, d]),
	];
	check(
		"layer norm",
		&inputs,
		n * d,
		2e-5,
		|t| layer_norm(t[0].clone(), &t[1], &t[2], 1e-5),
		|t| reference::layer_norm(t[0].clone(), &t[1], &t[2], 1e-5),
	);
}

#[test]
fn causal_softmax_matches_the_burn_composition() {
	let (b, h, t) = (3, 2, 19);
	let inputs = [(values(b * h * t * t, 4, 6.0), [b, h, t, t])];
	check(
		"causal softmax",
		&inputs,
		b * h * t * t,
		2e-6,
		|x| causal_softmax(x[0].clone(), 0.35),
		|x| reference::causal_softmax(x[0].clone(), 0.35),
	);
}

#[test]
fn bias_gelu_matches_the_burn_composition() {
	let (n, f) = (45, 70);
	let inputs = [(values(n * f, 5, 5.0), [n, f]), (values(f, 6, 1.0), [1, f])];
	check(
		"bias gelu",
		&inputs,
		n * f,
		2e-6,
		|t| bias_gelu(t[0].clone(), &t[1]),
		|t| reference::bias_gelu(t[0].clone(), &t[1]),
	);
}

#[test]
fn cross_entropy_matches_the_burn_composition() {
	let (n, v) = (50, 33);
	let targets: Vec<i64> = (0..n as i64).map(|i| (i * 7 + 3) % v as i64).collect();
	let device = crate::default_device();
	let target =
		|_: ()| Tensor::<2, Int>::from_data(TensorData::new(targets.clone(), [n, 1]), &device);
	let inputs = [(values(n * v, 7, 4.0), [n, v])];
	check(
		"cross-entropy",
		&inputs,
		1,
		2e-6,
		|z| cross_entropy(z[0].clone(), target(())),
		|z| reference::cross_entropy(z[0].clone(), target(())),
	);
}

#[test]
fn plain_forward_equals_the_tracked_forward_bitwise() {
	let device = crate::default_device();
	let (n, d) = (33, 24);
	let x = values(n * d, 8, 2.0);
	let g = values(d, 9, 1.0);
	let b = values(d, 10, 1.0);
	let plain = |v: &Vec<f32>, s: [usize; 2]| {
		Tensor::<2>::from_data(TensorData::new(v.clone(), s), &device)
	};
	let a = host(layer_norm(
		plain(&x, [n, d]),
		&plain(&g, [1, d]),
		&plain(&b, [1, d]),
		1e-5,
	));
	let t = host(
		layer_norm(
			leaf(x.clone(), [n, d]),
			&leaf(g.clone(), [1, d]),
			&leaf(b.clone(), [1, d]),
			1e-5,
		)
		.without_autodiff(),
	);
	assert_eq!(a, t);
	let a = host(bias_gelu(plain(&x, [n, d]), &plain(&g, [1, d])));
	let t = host(bias_gelu(leaf(x.clone(), [n, d]), &leaf(g, [1, d])).without_autodiff());
	assert_eq!(a, t);
}

/// Runs `f` on a rayon pool of `threads` threads.
fn with_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
	rayon::ThreadPoolBuilder::new()
		.num_threads(threads)
		.build()
		.unwrap()
		.install(f)
}

#[test]
fn kernels_give_the_same_bits_for_any_thread_count() {
	let (n, d) = (301, 96);
	let x = values(n * d, 11, 3.0);
	let g = values(d, 12, 1.0);
	let b = values(d, 13, 1.0);
	let dy = values(n * d, 14, 1.0);
	let targets: Vec<i64> = (0..n as i64).map(|i| i % d as i64).collect();
	let run = || {
		let (y, mean, rstd) = kernels::layer_norm_forward(&x, &g, &b, d, 1e-5);
		let ln = kernels::layer_norm_backward(&x, &g, &mean, &rstd, &dy, d);
		let gelu = kernels::bias_gelu_backward(&x, &g, &dy);
		let sm = kernels::causal_softmax_forward(&x[..96 * 96 * 3], 96, 0.3);
		let smb = kernels::causal_softmax_backward(&sm, &dy[..96 * 96 * 3], 96, 0.3);
		let (lse, loss) = kernels::cross_entropy_forward(&x, &targets, d);
		let ce = kernels::cross_entropy_backward(&x, &lse, &targets, d, 1.0);
		let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<u32>>();
		[
			bits(&y),
			bits(&ln.0),
			bits(&ln.1),
			bits(&ln.2),
			bits(&gelu.0),
			bits(&gelu.1),
			bits(&kernels::bias_gelu_forward(&x, &g)),
			bits(&sm),
			bits(&smb),
			bits(&[loss]),
			bits(&ce),
		]
	};
	let one = with_threads(1, run);
	for threads in [2, 3, 7] {
		assert_eq!(one, with_threads(threads, run), "{threads} threads");
	}
}

#[test]
fn model_loss_and_gradients_match_the_burn_composition() {
	let cfg = TrainingConfig::tiny();
	let device = crate::default_device();
	let params = init_params(&cfg.model, [4; 32]);
	let text: Vec<u8> = b"to be, or not to be, that is the question. ".repeat(20);
	let batch = crate::sampler::sample_batch(&text, 3, cfg.model.context, [1; 32]).unwrap();
	let run = |kernels: Kernels| {
		let leaves: Vec<Tensor<2>> = to_device(&params, &device)
			.into_iter()
			.map(|p| p.autodiff().require_grad())
			.collect();
		let (i, t) = batch_to_device(&batch, &device);
		let loss = forward_loss_with(&leaves, &cfg.model, i, t, kernels);
		let grads = loss.backward();
		let g: Vec<Vec<f32>> = leaves
			.iter()
			.map(|l| host(l.grad(&grads).expect("gradient")))
			.collect();
		(host(loss.without_autodiff()), g)
	};
	let (lf, gf) = run(Kernels::Fused);
	let (lr, gr) = run(Kernels::Reference);
	assert_close("loss", &lf, &lr, 1e-6);
	for (i, (a, b)) in gf.iter().zip(&gr).enumerate() {
		assert_close(&format!("gradient of parameter {i}"), a, b, 1e-4);
	}
}

#[test]
fn adamw_is_bitwise_the_burn_composition() {
	let device = crate::default_device();
	let n = 40_000;
	let t = |seed: u64, scale: f32| {
		Tensor::<2>::from_data(TensorData::new(values(n, seed, scale), [200, 200]), &device)
	};
	let v = t(18, 1e-3).abs();
	for (step, decay) in [(1u64, 0.999f64), (7, 1.0)] {
		let s = kernels::AdamWScalars {
			beta1: 0.9,
			beta2: 0.95,
			bias_correction1: 1.0 - 0.9f64.powi(step as i32),
			bias_correction2: 1.0 - 0.95f64.powi(step as i32),
			eps: 1e-8,
			lr: 3e-4,
			decay,
		};
		let (a, b, c) = adamw(t(15, 1.0), t(16, 0.1), t(17, 0.01), v.clone(), &s)
			.unwrap_or_else(|_| panic!("Flex tensors take the fused path"));
		let (x, y, z) = reference::adamw(t(15, 1.0), t(16, 0.1), t(17, 0.01), v.clone(), &s);
		assert_eq!(host(a), host(x), "θ, step {step}");
		assert_eq!(host(b), host(y), "m, step {step}");
		assert_eq!(host(c), host(z), "v, step {step}");
	}
}

#[test]
fn flex_tensors_take_the_fused_path_and_others_fall_back() {
	let device = crate::default_device();
	let plain = |n: usize, seed: u64| {
		Tensor::<2>::from_data(TensorData::new(values(n, seed, 1.0), [1, n]), &device)
	};
	let tracked = |n: usize, seed: u64| leaf(values(n, seed, 1.0), [1, n]);
	// Plain and tracked Flex f32 tensors run the fused kernels …
	assert!(flex::layer_norm(plain(8, 1), &plain(8, 2), &plain(8, 3), 1e-5).is_ok());
	assert!(flex::layer_norm(tracked(8, 1), &tracked(8, 2), &tracked(8, 3), 1e-5).is_ok());
	assert!(flex::bias_gelu(tracked(8, 1), &tracked(8, 2)).is_ok());
	let scores = Tensor::<4>::from_data(TensorData::new(values(16, 4, 1.0), [1, 1, 4, 4]), &device);
	assert!(flex::causal_softmax(scores.clone(), 0.5).is_ok());
	assert!(flex::causal_softmax(scores.clone().autodiff().require_grad(), 0.5).is_ok());
	assert!(flex::cross_entropy(tracked(8, 5), vec![3]).is_ok());
	let w = |seed: u64| leaf(values(24, seed, 1.0), [8, 3]);
	assert!(flex::linear(tracked(8, 6), &w(7), &tracked(3, 8)).is_ok());
	assert!(flex::linear_gelu(tracked(8, 6), &w(7), &tracked(3, 8)).is_ok());
	let qkv = leaf(values(4 * 12, 9, 1.0), [4, 12]);
	assert!(flex_attention::causal_attention(qkv.clone(), 2, 2).is_ok());
	// … a mix of tracked and plain inputs, or a shape the kernel does not cover, falls back.
	assert!(flex::layer_norm(tracked(8, 1), &plain(8, 2), &plain(8, 3), 1e-5).is_err());
	assert!(flex::bias_gelu(plain(8, 1), &tracked(8, 2)).is_err());
	assert!(flex::causal_softmax(scores.reshape([1, 1, 2, 8]), 0.5).is_err());
	assert!(flex::cross_entropy(tracked(8, 5), vec![3, 4]).is_err());
	assert!(flex::linear(tracked(8, 6), &w(7), &tracked(4, 8)).is_err());
	assert!(flex_attention::causal_attention(qkv, 3, 2).is_err());
}

#[test]
fn linear_matches_the_burn_composition() {
	let (n, k, m) = (70, 48, 90);
	let inputs = [
		(values(n * k, 20, 1.0), [n, k]),
		(values(k * m, 21, 0.5), [k, m]),
		(values(m, 22, 0.5), [1, m]),
	];
	check(
		"linear",
		&inputs,
		n * m,
		2e-6,
		|t| linear(t[0].clone(), &t[1], &t[2]),
		|t| reference::linear(t[0].clone(), &t[1], &t[2]),
	);
	let with_residual = [(values(n * m, 23, 1.0), [n, m])];
	let all: Vec<_> = with_residual.iter().chain(inputs.iter()).cloned().collect();
	check(
		"residual + linear",
		&all,
		n * m,
		2e-6,
		|t| add_linear(t[0].clone(), t[1].clone(), &t[2], &t[3]),
		|t| reference::add_linear(t[0].clone(), t[1].clone(), &t[2], &t[3]),
	);
}

#[test]
fn linear_gelu_matches_the_burn_composition() {
	let (n, k, m) = (40, 32, 130);
	let inputs = [
		(values(n * k, 24, 1.0), [n, k]),
		(values(k * m, 25, 0.5), [k, m]),
		(values(m, 26, 0.5), [1, m]),
	];
	check(
		"linear + gelu",
		&inputs,
		n * m,
		2e-6,
		|t| linear_gelu(t[0].clone(), &t[1], &t[2]),
		|t| reference::linear_gelu(t[0].clone(), &t[1], &t[2]),
	);
}

#[test]
fn causal_attention_matches_the_burn_composition() {
	let (b, t, h, d) = (3, 17, 4, 24);
	let inputs = [(values(b * t * 3 * d, 27, 2.0), [b * t, 3 * d])];
	check(
		"causal attention",
		&inputs,
		b * t * d,
		2e-6,
		|x| causal_attention(x[0].clone(), t, h),
		|x| reference::causal_attention(x[0].clone(), t, h),
	);
}
