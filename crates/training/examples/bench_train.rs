//! Benchmarks of the training core (not run in CI; driven by `scripts/bench-train.sh`).
//!
//! ```text
//! cargo run -p arena-training --example bench_train -- <mode> [corpus_dir] [options]
//!   throughput   tokens/s of the inner loop on the default model      (--steps N --warmup N
//!                [--layers L --width D --heads A --batch B] for another model size)
//!   compression  bytes per update vs dense fp32, and the validation-loss cost of compression
//!                against uncompressed updates at equal tokens        (--rounds R --inner N
//!                --miners M --trace N --k K --bits B --comp-lr/--comp-mu/--dense-lr/--dense-mu --ef-decay)
//!   audit        audit cost as a fraction of a miner's round          (--inner H --segment c)
//!   memory       peak RSS of one default miner round (boundary states streamed to disk) and of
//!                one audit of it (segment re-run + update check)   (--inner H --segment c
//!                --part round|audit|both --dir D: where the states go; `audit` in a second
//!                process reads what `round` left in D)
//!   matmul       GFLOP/s of the default model's matrix products (the step's dominant cost)
//!   ops          where a training step's time goes: each operation class forward + backward
//!                at the model's shapes, times its count per step, with the fused kernels and
//!                with the burn composition they replace (--reps N)
//!   crossbackend honest cross-backend relative errors of θ, m and v, segment by segment
//!                (`wgpu` builds only; --segments N [--segment-len c] [--from S: audit
//!                segments S.. only] [--detail S: per-tensor errors of segment S]
//!                --miner wgpu|flex --validator flex|wgpu:
//!                the miner trains a round of N segments of the default model on one backend
//!                and a validator audits every segment on the other, in tolerance mode)
//! Every mode takes `--device flex|wgpu|vulkan|default` (default flex; wgpu needs `--features
//! wgpu`, vulkan `--features vulkan`; `default` is burn's default device, e.g. CUDA in a
//! `--features cuda` build).
//! ```
//! Output lines start with `RESULT` and are `key=value` pairs that the script tabulates.

use std::path::PathBuf;
use std::time::Instant;

use arena_training::compression::{compress, decompress, CompressedUpdate, Quantiser};
use arena_training::config::MeanRule;
use arena_training::model::{init_params, param_count, param_layout};
use arena_training::outer::{nesterov_step, weighted_mean, weighted_mean_over_senders};
use arena_training::params::ParamSet;
use arena_training::trainer::InnerLoop;
use arena_training::update_format::encode;
use arena_training::usefulness::evaluate_loss;
use arena_training::{
	audit_segment, audit_update, train_round, Checkpoint, Corpus, MinerContext, RoundContext,
	SegmentEvidence, TrainState, TrainingConfig,
};

type AnyResult<T> = Result<T, Box<dyn std::error::Error>>;

/// The value after `name` on the command line, or `default` if absent or unparsable.
fn arg<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
	args.iter()
		.position(|a| a == name)
		.and_then(|i| args.get(i + 1))
		.and_then(|v| v.parse().ok())
		.unwrap_or(default)
}

fn main() -> AnyResult<()> {
	arena_training::allocator::keep_freed_buffers();
	let args: Vec<String> = std::env::args().collect();
	let mode = args.get(1).cloned().unwrap_or_else(|| "throughput".into());
	let dir = args
		.get(2)
		.filter(|a| !a.starts_with("--"))
		.map(PathBuf::from)
		.unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/corpus"));
	let mut cfg = TrainingConfig::default();
	cfg.model.n_layers = arg(&args, "--layers", cfg.model.n_layers);
	cfg.model.d_model = arg(&args, "--width", cfg.model.d_model);
	cfg.model.n_heads = arg(&args, "--heads", cfg.model.n_heads);
	cfg.batch_size = arg(&args, "--batch", cfg.batch_size);
	cfg.validate()?;
	let corpus = Corpus::load_dir(&dir, cfg.validation_fraction)?;
	let backend = arg(&args, "--device", "flex".to_string());
	let device = named_device(&backend)?;
	println!(
		"INFO corpus={} files={} train_bytes={} params={} device={backend} fingerprint={:?}",
		dir.display(),
		corpus.files().len(),
		corpus.train().len(),
		param_count(&cfg.model),
		arena_training::BackendFingerprint::of(&device)
	);
	match mode.as_str() {
		"throughput" => throughput(&args, &cfg, &corpus, &device, &backend),
		"compression" => compression(&args, &corpus, &device),
		"audit" => audit(&args, &corpus, &device),
		"memory" => memory(&args, &corpus, &device),
		"matmul" => matmul(&args, &cfg, &device),
		"ops" => ops(&args, &cfg, &device),
		#[cfg(feature = "wgpu")]
		"crossbackend" => cross_backend(&args, &corpus),
		other => Err(format!("unknown mode {other} (crossbackend needs --features wgpu)").into()),
	}
}

/// The device called `name` on the command line: `flex` (CPU); in `wgpu` builds `wgpu` (burn
/// picks the API, Vulkan wherever there is a Vulkan driver; WGSL shaders unless the build has
/// `vulkan`); in `vulkan` builds `vulkan` (pinned to Vulkan, SPIR-V shaders).
fn named_device(name: &str) -> AnyResult<arena_training::Device> {
	match name {
		"flex" => Ok(arena_training::default_device()),
		// burn's default device: `BURN_DEVICE`, else the first enabled backend (CUDA first in
		// a `--features cuda` build).
		"default" => Ok(arena_training::Device::default()),
		#[cfg(feature = "wgpu")]
		"wgpu" => Ok(wgpu_device()),
		#[cfg(feature = "vulkan")]
		"vulkan" => Ok(arena_training::Device::vulkan(
			burn::prelude::DeviceKind::DefaultDevice,
		)),
		other => Err(format!(
			"unknown device {other} (wgpu needs --features wgpu, vulkan --features vulkan)"
		)
		.into()),
	}
}

#[cfg(feature = "wgpu")]
fn wgpu_device() -> arena_training::Device {
	arena_training::Device::wgpu(burn::prelude::DeviceKind::DefaultDevice)
}

fn throughput(
	args: &[String],
	cfg: &TrainingConfig,
	corpus: &Corpus,
	device: &arena_training::Device,
	backend: &str,
) -> AnyResult<()> {
	let steps = arg(args, "--steps", 30u64);
	let warmup = arg(args, "--warmup", 3u64);
	let layout = param_layout(&cfg.model);
	let start = TrainState::round_start(init_params(&cfg.model, [1; 32]), ParamSet::zeros(&layout));
	let mut lp = InnerLoop::new(cfg, &start, device)?;
	for _ in 0..warmup {
		lp.step(corpus.train(), &[2; 32], b"bench")?;
	}
	let t0 = Instant::now();
	let mut last = 0.0;
	for _ in 0..steps {
		last = lp.step(corpus.train(), &[2; 32], b"bench")?;
	}
	let secs = t0.elapsed().as_secs_f64();
	let tokens = (steps as usize * cfg.batch_size * cfg.model.context) as f64;
	// The end state's hash: equal across `RAYON_NUM_THREADS` settings on one backend.
	let state: String = lp
		.state()?
		.hash()
		.iter()
		.map(|b| format!("{b:02x}"))
		.collect();
	println!(
        "RESULT engine=arena-burn-{backend} steps={steps} batch={} context={} layers={} width={} params={} seconds={secs:.3} tokens_per_s={:.1} last_loss={last:.4} state={state}",
        cfg.batch_size,
        cfg.model.context,
        cfg.model.n_layers,
        cfg.model.d_model,
        param_count(&cfg.model),
        tokens / secs
    );
	Ok(())
}

/// Milliseconds per call of `f` (median of `reps` timed calls after 2 warm-up calls).
fn time_ms(reps: u64, mut f: impl FnMut()) -> f64 {
	for _ in 0..2 {
		f();
	}
	let mut t: Vec<f64> = (0..reps.max(1))
		.map(|_| {
			let t0 = Instant::now();
			f();
			t0.elapsed().as_secs_f64() * 1e3
		})
		.collect();
	t.sort_by(f64::total_cmp);
	t[t.len() / 2]
}

/// Forward + backward of `op` on tracked leaves of `shapes` (gradient of `Σ out`), so that the
/// time includes the backward pass the training step runs.
fn fwd_bwd<const D: usize, const O: usize>(
	device: &arena_training::Device,
	shapes: &[[usize; D]],
	op: impl Fn(&[burn::prelude::Tensor<D>]) -> burn::prelude::Tensor<O> + 'static,
) -> impl FnMut() {
	use burn::prelude::*;
	use burn::tensor::Distribution;
	let inputs: Vec<Tensor<D>> = shapes
		.iter()
		// N(0, 0.2²): a matmul over 256 inputs then gives pre-activations of a few tenths, as
		// in training (N(0, 1) would hand GELU arguments of ±30, where libm's erff is slow).
		.map(|s| Tensor::<D>::random(*s, Distribution::Normal(0.0, 0.2), device))
		.collect();
	move || {
		let leaves: Vec<Tensor<D>> = inputs
			.iter()
			.map(|t| t.clone().autodiff().require_grad())
			.collect();
		let out = op(&leaves);
		let grads = out.sum().backward();
		for l in &leaves {
			let _ = l.grad(&grads);
		}
	}
}

/// Where a training step's time goes, per operation class (forward + backward, × count).
fn ops(args: &[String], cfg: &TrainingConfig, device: &arena_training::Device) -> AnyResult<()> {
	use arena_training::fused::{self, reference};
	use burn::prelude::*;
	let reps = arg(args, "--reps", 10u64);
	let m = &cfg.model;
	let (b, t, d, h, l) = (cfg.batch_size, m.context, m.d_model, m.n_heads, m.n_layers);
	let (bt, f, v) = (b * t, d * m.mlp_ratio, arena_training::config::VOCAB_SIZE);
	let report = |class: &str, count: usize, fused_ms: f64, burn_ms: f64| {
		println!(
			"RESULT table=ops class={class} per_step={count} fused_ms={:.2} burn_ms={:.2}",
			fused_ms * count as f64,
			burn_ms * count as f64
		);
	};
	let ln = |k: bool| {
		fwd_bwd(
			device,
			&[[bt, d], [1, d], [1, d]],
			move |x: &[Tensor<2>]| {
				if k {
					fused::layer_norm(x[0].clone(), &x[1], &x[2], 1e-5)
				} else {
					reference::layer_norm(x[0].clone(), &x[1], &x[2], 1e-5)
				}
			},
		)
	};
	report(
		"layer_norm",
		2 * l + 1,
		time_ms(reps, ln(true)),
		time_ms(reps, ln(false)),
	);
	// Attention from the qkv projection to the heads' output (scores, causal softmax, values).
	let att = |k: bool| {
		fwd_bwd(device, &[[bt, 3 * d]], move |x: &[Tensor<2>]| {
			if k {
				fused::causal_attention(x[0].clone(), t, h)
			} else {
				reference::causal_attention(x[0].clone(), t, h)
			}
		})
	};
	report(
		"attention",
		l,
		time_ms(reps, att(true)),
		time_ms(reps, att(false)),
	);
	let targets = Tensor::<2, Int>::from_data(
		TensorData::new(
			(0..bt as i64).map(|i| i % v as i64).collect::<Vec<_>>(),
			[bt, 1],
		),
		device,
	);
	let ce = |k: bool| {
		let targets = targets.clone();
		fwd_bwd(device, &[[bt, v]], move |x: &[Tensor<2>]| {
			if k {
				fused::cross_entropy(x[0].clone(), targets.clone())
			} else {
				reference::cross_entropy(x[0].clone(), targets.clone())
			}
		})
	};
	report(
		"cross_entropy",
		1,
		time_ms(reps, ce(true)),
		time_ms(reps, ce(false)),
	);
	// Linear layers (matmul + bias; the MLP's first one with its GELU), fused vs burn.
	for (name, count, k, n) in [
		("linear_qkv", l, d, 3 * d),
		("linear_attn_out", l, d, d),
		("linear_mlp_fc_gelu", l, d, f),
		("linear_mlp_proj", l, f, d),
		("linear_head", 1, d, v),
	] {
		let gelu = name == "linear_mlp_fc_gelu";
		let lin = |fused_kernels: bool| {
			fwd_bwd(
				device,
				&[[bt, k], [k, n], [1, n]],
				move |x: &[Tensor<2>]| match (fused_kernels, gelu) {
					(true, true) => fused::linear_gelu(x[0].clone(), &x[1], &x[2]),
					(true, false) => fused::linear(x[0].clone(), &x[1], &x[2]),
					(false, true) => reference::linear_gelu(x[0].clone(), &x[1], &x[2]),
					(false, false) => reference::linear(x[0].clone(), &x[1], &x[2]),
				},
			)
		};
		report(
			name,
			count,
			time_ms(reps, lin(true)),
			time_ms(reps, lin(false)),
		);
	}
	// Unfused work around them (the same with and without the fused kernels).
	let residual = time_ms(
		reps,
		fwd_bwd(device, &[[bt, d], [bt, d]], |x: &[Tensor<2>]| {
			x[0].clone() + x[1].clone()
		}),
	);
	report("residual_add", 2 * l, residual, residual);
	// The inner AdamW over every parameter (optimizer.rs: elementwise burn operations).
	let layout = param_layout(m);
	let theta = arena_training::model::to_device(&init_params(m, [3; 32]), device);
	let grad: Vec<Tensor<2>> = theta.iter().map(|p| p.clone().mul_scalar(0.01)).collect();
	let moment: Vec<Tensor<2>> = theta.iter().map(|p| p.clone().mul_scalar(0.1)).collect();
	let second: Vec<Tensor<2>> = theta.iter().map(|p| p.clone().square()).collect();
	let scalars = |spec: &arena_training::params::ParamSpec| fused::kernels::AdamWScalars {
		beta1: cfg.adamw.beta1 as f64,
		beta2: cfg.adamw.beta2 as f64,
		bias_correction1: 0.5,
		bias_correction2: 0.1,
		eps: cfg.adamw.eps as f64,
		lr: cfg.adamw.lr as f64,
		decay: if spec.decay { 0.9999 } else { 1.0 },
	};
	let adamw = |fused_kernels: bool| {
		let (theta, grad, moment, second) =
			(theta.clone(), grad.clone(), moment.clone(), second.clone());
		let layout = layout.clone();
		move || {
			for (i, spec) in layout.iter().enumerate() {
				let (t, g, m, v) = (
					theta[i].clone(),
					grad[i].clone(),
					moment[i].clone(),
					second[i].clone(),
				);
				let s = scalars(spec);
				if fused_kernels {
					let _ = fused::adamw(t, g, m, v, &s);
				} else {
					let _ = reference::adamw(t, g, m, v, &s);
				}
			}
		}
	};
	report(
		"adamw",
		1,
		time_ms(reps, adamw(true)),
		time_ms(reps, adamw(false)),
	);
	Ok(())
}

/// The matrix products of one training step of `cfg`'s model: `(name, batch, m, k, n)`.
fn step_matmuls(cfg: &TrainingConfig) -> Vec<(&'static str, usize, usize, usize, usize)> {
	let m = &cfg.model;
	let bt = cfg.batch_size * m.context;
	let (d, f, t) = (m.d_model, m.d_model * m.mlp_ratio, m.context);
	let hd = d / m.n_heads;
	let bh = cfg.batch_size * m.n_heads;
	vec![
		("qkv", 1, bt, d, 3 * d),
		("attn_out", 1, bt, d, d),
		("mlp_fc", 1, bt, d, f),
		("mlp_proj", 1, bt, f, d),
		("head", 1, bt, d, arena_training::config::VOCAB_SIZE),
		("mlp_fc_weight_grad", 1, d, bt, f),
		("scores", bh, t, hd, t),
		("scores_x_v", bh, t, t, hd),
	]
}

fn matmul(args: &[String], cfg: &TrainingConfig, device: &arena_training::Device) -> AnyResult<()> {
	use burn::prelude::*;
	use burn::tensor::Distribution;
	let reps = arg(args, "--reps", 30u64).max(1);
	for (name, batch, m, k, n) in step_matmuls(cfg) {
		let a = Tensor::<3>::random([batch, m, k], Distribution::Normal(0.0, 1.0), device);
		let b = Tensor::<3>::random([batch, k, n], Distribution::Normal(0.0, 1.0), device);
		for _ in 0..3 {
			a.clone().matmul(b.clone()).into_data();
		}
		let t0 = Instant::now();
		for _ in 0..reps {
			a.clone().matmul(b.clone()).into_data();
		}
		let secs = t0.elapsed().as_secs_f64() / reps as f64;
		let flops = 2.0 * (batch * m * k * n) as f64;
		println!(
			"RESULT table=matmul engine=arena-burn-flex op={name} batch={batch} m={m} k={k} n={n} gflops={:.1}",
			flops / secs / 1e9
		);
	}
	Ok(())
}

/// A smaller model so that both arms (compressed / dense) of several rounds fit in minutes.
fn sim_config(inner: u64) -> TrainingConfig {
	let mut c = TrainingConfig::default();
	c.model.n_layers = 2;
	c.model.d_model = 128;
	c.model.context = 64;
	c.inner_steps = inner;
	c.segment_len = inner;
	c.adamw.lr = 2e-3;
	c
}

/// One arm of the compression study: dense updates or one compression setting, an outer step
/// and an averaging rule.
#[derive(Debug, Clone)]
struct Variant {
	name: String,
	comp: Option<arena_training::config::CompressionConfig>,
	mean: MeanRule,
	lr: f32,
	mu: f32,
}

/// Parses `name:key=value,...` (keys: `dense` (no value), `chunk`, `k`, `bits`, `decay`, `lr`,
/// `mu`, `mean=all|sent` (the core's `MeanRule`; `sent` needs a compressed arm), `quant=max|mid`:
/// symmetric or mid-rise quantiser); unspecified keys take `base`'s values.
fn parse_variant(spec: &str, base: &TrainingConfig) -> AnyResult<Variant> {
	let (name, rest) = spec.split_once(':').unwrap_or((spec, ""));
	let mut comp = base.compression.clone();
	let mut v = Variant {
		name: name.to_string(),
		comp: None,
		mean: MeanRule::All,
		lr: base.outer.lr,
		mu: base.outer.momentum,
	};
	let mut dense = name == "dense";
	for kv in rest.split(',').filter(|kv| !kv.is_empty()) {
		let (k, val) = kv.split_once('=').unwrap_or((kv, ""));
		match k {
			"dense" => dense = true,
			"chunk" => comp.chunk_size = val.parse()?,
			"k" => comp.k_per_chunk = val.parse()?,
			"bits" => comp.bits = val.parse()?,
			"decay" => comp.feedback_decay = val.parse()?,
			"lr" => v.lr = val.parse()?,
			"mu" => v.mu = val.parse()?,
			"mean" => {
				v.mean = match val {
					"all" => MeanRule::All,
					"sent" => MeanRule::Sent,
					o => return Err(format!("mean={o}: all|sent").into()),
				}
			},
			"quant" => {
				comp.quantiser = match val {
					"max" => Quantiser::Symmetric,
					"mid" => Quantiser::MidRise,
					o => return Err(format!("quant={o}: max|mid").into()),
				}
			},
			o => return Err(format!("unknown variant key {o}").into()),
		}
	}
	if !dense {
		let mut check = base.clone();
		check.compression = comp.clone();
		check.validate()?;
		v.comp = Some(comp);
	}
	Ok(v)
}

/// The update of `x` and its dense decoding.
fn compress_and_expand(
	x: &[f32],
	comp: &arena_training::config::CompressionConfig,
) -> (CompressedUpdate, Vec<f32>) {
	let c = compress(x, comp);
	let xh = decompress(&c);
	(c, xh)
}

fn compression(args: &[String], corpus: &Corpus, device: &arena_training::Device) -> AnyResult<()> {
	let rounds = arg(args, "--rounds", 8u64);
	let inner = arg(args, "--inner", 50u64);
	let mut sim = sim_config(inner);
	sim.compression.k_per_chunk = arg(args, "--k", sim.compression.k_per_chunk);
	sim.compression.bits = arg(args, "--bits", sim.compression.bits);
	let farg = |name: &str, default: f32| arg(args, name, default);
	sim.compression.feedback_decay = farg("--ef-decay", sim.compression.feedback_decay);
	let only_compressed = args.iter().any(|a| a == "--only-compressed");
	let only_dense = args.iter().any(|a| a == "--only-dense");
	// Arms: `--variant SPEC` (repeatable), else the historical pair dense / compressed.
	let mut variants = Vec::new();
	for (i, a) in args.iter().enumerate() {
		if a == "--variant" {
			let spec = args.get(i + 1).ok_or("--variant needs a value")?;
			variants.push(parse_variant(spec, &sim)?);
		}
	}
	let legacy = variants.is_empty();
	if legacy {
		if !only_compressed {
			variants.push(Variant {
				name: "dense".into(),
				comp: None,
				mean: MeanRule::All,
				lr: farg("--dense-lr", sim.outer.lr),
				mu: farg("--dense-mu", sim.outer.momentum),
			});
		}
		if !only_dense {
			variants.push(Variant {
				name: "compressed".into(),
				comp: Some(sim.compression.clone()),
				mean: MeanRule::All,
				lr: farg("--comp-lr", sim.outer.lr),
				mu: farg("--comp-mu", sim.outer.momentum),
			});
		}
	}

	// 1) Size of a real update of the default model after a short round, per setting.
	if !args.iter().any(|a| a == "--skip-size") {
		let mut cfg = TrainingConfig::default();
		cfg.inner_steps = arg(args, "--size-steps", 20);
		cfg.segment_len = cfg.inner_steps;
		let ck = Checkpoint::new(init_params(&cfg.model, [1; 32]));
		let art = train_round(&cfg, &ck, None, corpus, &[3; 32], b"bench", device)?;
		let layout = param_layout(&cfg.model);
		let dense = param_count(&cfg.model) * 4;
		let print = |name: &str, bytes: usize, c: &arena_training::config::CompressionConfig| {
			println!(
				"RESULT table=bytes variant={name} params={} dense_fp32_bytes={dense} update_bytes={bytes} ratio={:.1} chunk={} k={} bits={}",
				param_count(&cfg.model),
				dense as f64 / bytes as f64,
				c.chunk_size,
				c.k_per_chunk,
				c.bits
			);
		};
		print("default", art.update.len(), &cfg.compression);
		if !legacy {
			let last = art.boundary_states.last().ok_or("no final state")?;
			let x = arena_training::compression::update_input(
				&last.params.to_flat(),
				&ck.params.to_flat(),
				&vec![0.0; param_count(&cfg.model)],
				1.0,
			);
			for v in &variants {
				if let Some(comp) = &v.comp {
					let (c, _) = compress_and_expand(&x, comp);
					print(&v.name, encode(&c, &layout).len(), comp);
				}
			}
		}
	}

	// 2) Loss cost: R rounds of M miners + outer step, for each arm, at equal tokens.
	let miners = arg(args, "--miners", 1usize).max(1);
	let trace = arg(args, "--trace", 0u64);
	let layout = param_layout(&sim.model);
	let init = init_params(&sim.model, [4; 32]);
	let eval_seed = [9; 32];
	let tokens_per_round = miners * inner as usize * sim.batch_size * sim.model.context;
	let dense_bytes = param_count(&sim.model) * 4;
	for v in &variants {
		let mut theta = init.clone();
		let mut momentum = vec![0.0f32; theta.numel()];
		let mut feedback = vec![ParamSet::zeros(&layout); miners];
		let mut bytes_total = 0usize;
		let t0 = Instant::now();
		for r in 0..rounds {
			let theta_0 = theta.to_flat();
			let mut deltas = Vec::with_capacity(miners);
			for (i, e) in feedback.iter_mut().enumerate() {
				// Miner 0 keeps the single-miner hotkey so that `--miners 1` runs are comparable.
				let hotkey = if i == 0 {
					b"bench".to_vec()
				} else {
					format!("bench-{i}").into_bytes()
				};
				let start = TrainState::round_start(theta.clone(), e.clone());
				let mut lp = InnerLoop::new(&sim, &start, device)?;
				for _ in 0..inner {
					lp.step(corpus.train(), &[r as u8; 32], &hotkey)?;
				}
				let theta_h = lp.state()?.params.to_flat();
				let entry = match &v.comp {
					Some(comp) => {
						let x = arena_training::compression::update_input(
							&theta_h,
							&theta_0,
							&e.to_flat(),
							comp.feedback_decay,
						);
						let (c, xh) = compress_and_expand(&x, comp);
						bytes_total += encode(&c, &layout).len();
						let residual: Vec<f32> = x.iter().zip(&xh).map(|(a, b)| a - b).collect();
						*e = ParamSet::from_flat(&layout, &residual)?;
						(xh, Some(c))
					},
					None => {
						bytes_total += dense_bytes;
						(
							theta_h.iter().zip(&theta_0).map(|(h, z)| h - z).collect(),
							None,
						)
					},
				};
				deltas.push(entry);
			}
			let mean = match v.mean {
				MeanRule::All => {
					let weighted: Vec<(u64, Vec<f32>)> =
						deltas.into_iter().map(|(d, _)| (1, d)).collect();
					weighted_mean(&weighted, theta_0.len())?
				},
				MeanRule::Sent => {
					let sent: Vec<(u64, CompressedUpdate)> = deltas
						.into_iter()
						.map(|(_, c)| c.map(|c| (1, c)))
						.collect::<Option<_>>()
						.ok_or("mean=sent needs compressed updates")?;
					weighted_mean_over_senders(&sent, theta_0.len())?
				},
			};
			let (t2, b2) = nesterov_step(&theta_0, &momentum, &mean, v.lr, v.mu);
			theta = ParamSet::from_flat(&layout, &t2)?;
			momentum = b2;
			if trace > 0 && (r + 1) % trace == 0 && r + 1 < rounds {
				let loss = evaluate_loss(&sim, &theta, corpus.validation(), &eval_seed, device)?;
				println!(
					"RESULT table=loss_trace arm={} outer_lr={} outer_mu={} miners={miners} round={} tokens={} val_loss={loss:.4} seconds={:.1}",
					v.name,
					v.lr,
					v.mu,
					r + 1,
					(r + 1) as usize * tokens_per_round,
					t0.elapsed().as_secs_f64()
				);
			}
		}
		let loss = evaluate_loss(&sim, &theta, corpus.validation(), &eval_seed, device)?;
		let c = v.comp.clone().unwrap_or(sim.compression.clone());
		let updates = miners * rounds as usize;
		println!(
			"RESULT table=loss arm={} k={} bits={} chunk={} decay={} quant={:?} mean={:?} outer_lr={} outer_mu={} miners={miners} rounds={rounds} inner={inner} tokens={} params={} val_loss={loss:.4} bytes_sent={bytes_total} bytes_per_update={} ratio={:.1} seconds={:.1}",
			v.name,
			c.k_per_chunk,
			c.bits,
			c.chunk_size,
			c.feedback_decay,
			c.quantiser,
			v.mean,
			v.lr,
			v.mu,
			rounds as usize * tokens_per_round,
			param_count(&sim.model),
			bytes_total / updates,
			(dense_bytes * updates) as f64 / bytes_total as f64,
			t0.elapsed().as_secs_f64()
		);
	}
	Ok(())
}

fn audit(args: &[String], corpus: &Corpus, device: &arena_training::Device) -> AnyResult<()> {
	let mut cfg = TrainingConfig::default();
	cfg.inner_steps = arg(args, "--inner", cfg.inner_steps);
	cfg.segment_len = arg(args, "--segment", cfg.segment_len);
	cfg.validate()?;
	let ck = Checkpoint::new(init_params(&cfg.model, [1; 32]));
	let ck_hash = ck.hash()?;
	let t0 = Instant::now();
	let art = train_round(&cfg, &ck, None, corpus, &[5; 32], b"miner", device)?;
	let train_s = t0.elapsed().as_secs_f64();
	let ctx = RoundContext {
		config: &cfg,
		checkpoint: &ck,
		checkpoint_hash: &ck_hash,
		corpus,
		round_seed: &[5; 32],
		allowed_fingerprints: &[art.commitment.fingerprint.hash()],
	};
	let miner = MinerContext {
		hotkey: b"miner",
		previous_residual_hash: None,
	};
	let s = (cfg.num_segments() / 2) as usize;
	let (sp, ep) = (
		art.proof(s).ok_or("proof")?,
		art.proof(s + 1).ok_or("proof")?,
	);
	let last = art.boundary_states.len() - 1;
	let lp = art.proof(last).ok_or("proof")?;
	let t1 = Instant::now();
	// What a validator receives: states as bytes, decoded and checked.
	let layout = param_layout(&cfg.model);
	let start =
		TrainState::from_canonical_bytes(&art.boundary_states[s].to_canonical_bytes(), &layout)?;
	let end = TrainState::from_canonical_bytes(
		&art.boundary_states[s + 1].to_canonical_bytes(),
		&layout,
	)?;
	let fin =
		TrainState::from_canonical_bytes(&art.boundary_states[last].to_canonical_bytes(), &layout)?;
	let ev = SegmentEvidence {
		segment: s as u64,
		start_state: &start,
		start_proof: &sp,
		end_state: &end,
		end_proof: &ep,
	};
	let seg = audit_segment(&ctx, &miner, &art.commitment, &ev, device)?;
	let upd = audit_update(&ctx, &miner, &art.commitment, &fin, &lp, &art.update)?;
	let audit_s = t1.elapsed().as_secs_f64();
	println!(
        "RESULT table=audit inner={} segment={} train_seconds={train_s:.2} audit_seconds={audit_s:.2} fraction={:.4} segment_pass={} update_pass={} merkle_root={}",
        cfg.inner_steps,
        cfg.segment_len,
        audit_s / train_s,
        seg.passed(),
        upd.passed(),
        arena_training::checkpoint::hex(&art.commitment.merkle_root)
    );
	Ok(())
}

/// The process's peak resident set so far (`VmHWM` of `/proc/self/status`), in KiB.
fn peak_rss_kib() -> Option<u64> {
	let status = std::fs::read_to_string("/proc/self/status").ok()?;
	let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
	line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets the peak resident set to the current one (Linux: `5` into `/proc/self/clear_refs`).
fn reset_peak_rss() -> bool {
	std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Writes each boundary state's canonical bytes to `dir/<index>.state` (what a miner serves
/// auditors from), keeping none in memory.
struct StatesToDisk(PathBuf);

impl arena_training::RoundSink for StatesToDisk {
	fn on_boundary(
		&mut self,
		index: usize,
		state: &TrainState,
		_hash: &arena_training::Hash32,
	) -> arena_training::Result<()> {
		let path = self.0.join(format!("{index}.state"));
		std::fs::write(&path, state.to_canonical_bytes())
			.map_err(|e| arena_training::TrainingError::Inconsistent(format!("{path:?}: {e}")))
	}
}

/// Peak RSS of one default miner round and of one audit of it. `--part round` trains the
/// round (`train_round_streaming`, boundary states to `--dir`, plus the update bytes);
/// `--part audit` is a validator in a fresh process: it reads the states one at a time to
/// rebuild the commitment (Merkle root, residual hash), then audits the middle segment and the
/// update with the three states it needs; `--part both` (default) does both in one process,
/// resetting the peak in between. `RESULT table=memory` in MiB (`VmHWM`).
fn memory(args: &[String], corpus: &Corpus, device: &arena_training::Device) -> AnyResult<()> {
	let mut cfg = TrainingConfig::default();
	cfg.inner_steps = arg(args, "--inner", cfg.inner_steps);
	cfg.segment_len = arg(args, "--segment", cfg.segment_len);
	cfg.validate()?;
	let part = arg(args, "--part", "both".to_string());
	let dir = arg(
		args,
		"--dir",
		std::env::temp_dir().join(format!("arena-memory-{}", std::process::id())),
	);
	std::fs::create_dir_all(&dir)?;
	let ck = Checkpoint::new(init_params(&cfg.model, [1; 32]));
	let mut fields = format!(
		"part={part} inner={} segment={} params={}",
		cfg.inner_steps,
		cfg.segment_len,
		param_count(&cfg.model)
	);
	if part == "round" || part == "both" {
		let t0 = Instant::now();
		let mut sink = StatesToDisk(dir.clone());
		let round = arena_training::train_round_streaming(
			&cfg, &ck, None, corpus, &[5; 32], b"miner", device, &mut sink,
		)?;
		std::fs::write(dir.join("update"), &round.update)?;
		let peak = peak_rss_kib().ok_or("no /proc/self/status")?;
		fields += &format!(
			" round_peak_mib={:.1} train_seconds={:.1}",
			peak as f64 / 1024.0,
			t0.elapsed().as_secs_f64()
		);
	}
	if part == "audit" || part == "both" {
		let reset = reset_peak_rss();
		let t1 = Instant::now();
		let layout = param_layout(&cfg.model);
		let load = |i: usize| -> AnyResult<TrainState> {
			let bytes = std::fs::read(dir.join(format!("{i}.state")))?;
			Ok(TrainState::from_canonical_bytes(&bytes, &layout)?)
		};
		let last = cfg.num_segments() as usize;
		let hashes = (0..=last)
			.map(|i| load(i).map(|st| st.hash()))
			.collect::<AnyResult<Vec<_>>>()?;
		let tree = arena_training::merkle::MerkleTree::new(&hashes).ok_or("no states")?;
		let update = std::fs::read(dir.join("update"))?;
		let s = last / 2;
		let (start, end, fin) = (load(s)?, load(s + 1)?, load(last)?);
		let (_, residual) = arena_training::compression::compress_with_feedback(
			&fin.params.to_flat(),
			&ck.params.to_flat(),
			&fin.error_feedback.to_flat(),
			&cfg.compression,
		);
		let commitment = arena_training::RoundCommitment {
			checkpoint_hash: ck.hash()?,
			update_hash: arena_training::update_format::update_hash(&update),
			merkle_root: tree.root(),
			steps: cfg.inner_steps,
			fingerprint: arena_training::BackendFingerprint::of(device),
			residual_hash: arena_training::residual_hash(&ParamSet::from_flat(&layout, &residual)?),
		};
		let ck_hash = ck.hash()?;
		let ctx = RoundContext {
			config: &cfg,
			checkpoint: &ck,
			checkpoint_hash: &ck_hash,
			corpus,
			round_seed: &[5; 32],
			allowed_fingerprints: &[commitment.fingerprint.hash()],
		};
		let miner = MinerContext {
			hotkey: b"miner",
			previous_residual_hash: None,
		};
		let (sp, ep, lp) = (
			tree.proof(s).ok_or("proof")?,
			tree.proof(s + 1).ok_or("proof")?,
			tree.proof(last).ok_or("proof")?,
		);
		let ev = SegmentEvidence {
			segment: s as u64,
			start_state: &start,
			start_proof: &sp,
			end_state: &end,
			end_proof: &ep,
		};
		let seg = audit_segment(&ctx, &miner, &commitment, &ev, device)?;
		let upd = audit_update(&ctx, &miner, &commitment, &fin, &lp, &update)?;
		let peak = peak_rss_kib().ok_or("no /proc/self/status")?;
		fields += &format!(
			" audit_peak_mib={:.1} peak_reset={reset} audit_seconds={:.1} segment_pass={} update_pass={}",
			peak as f64 / 1024.0,
			t1.elapsed().as_secs_f64(),
			seg.passed(),
			upd.passed()
		);
	}
	let state_bytes = std::fs::metadata(dir.join("0.state"))?.len();
	println!(
		"RESULT table=memory {fields} state_mib={:.1}",
		state_bytes as f64 / 1048576.0
	);
	if !args.iter().any(|a| a == "--dir") {
		std::fs::remove_dir_all(&dir)?;
	}
	Ok(())
}

/// Honest cross-backend errors on the default model: a miner trains one round of `--segments`
/// segments on `--miner` (`wgpu` or `flex`) and a validator on the other backend audits every
/// segment in tolerance mode. One `RESULT table=xbackend` line per segment (printed as it is
/// measured, so a run cut short keeps what it measured), then the largest of each quantity.
#[cfg(feature = "wgpu")]
fn cross_backend(args: &[String], corpus: &Corpus) -> AnyResult<()> {
	use arena_training::BackendFingerprint;
	let mut cfg = TrainingConfig::default();
	let segments = arg(args, "--segments", 20u64).max(1);
	cfg.segment_len = arg(args, "--segment-len", cfg.segment_len).max(1);
	cfg.inner_steps = segments * cfg.segment_len;
	cfg.validate()?;
	let miner_backend = arg(args, "--miner", "wgpu".to_string());
	let validator_backend = arg(
		args,
		"--validator",
		if miner_backend == "flex" {
			"wgpu"
		} else {
			"flex"
		}
		.to_string(),
	);
	let (miner_dev, validator_dev) = (
		named_device(&miner_backend)?,
		named_device(&validator_backend)?,
	);
	let ck = Checkpoint::new(init_params(&cfg.model, [0x11; 32]));
	let ck_hash = ck.hash()?;
	let round_seed = [7; 32];
	let hotkey: &[u8] = b"honest-miner";
	let t0 = Instant::now();
	let art = train_round(&cfg, &ck, None, corpus, &round_seed, hotkey, &miner_dev)?;
	println!(
		"INFO miner={miner_backend} round of {} steps: {:.1} s",
		cfg.inner_steps,
		t0.elapsed().as_secs_f64()
	);
	let allowed = [
		art.commitment.fingerprint.hash(),
		BackendFingerprint::of(&validator_dev).hash(),
	];
	let ctx = RoundContext {
		config: &cfg,
		checkpoint: &ck,
		checkpoint_hash: &ck_hash,
		corpus,
		round_seed: &round_seed,
		allowed_fingerprints: &allowed,
	};
	let miner = MinerContext {
		hotkey,
		previous_residual_hash: None,
	};
	let mut worst = [0.0f64; 3];
	let mut passed = 0;
	let from = arg(args, "--from", 0usize);
	for s in from..segments as usize {
		let (sp, ep) = (
			art.proof(s).ok_or("proof")?,
			art.proof(s + 1).ok_or("proof")?,
		);
		let ev = SegmentEvidence {
			segment: s as u64,
			start_state: &art.boundary_states[s],
			start_proof: &sp,
			end_state: &art.boundary_states[s + 1],
			end_proof: &ep,
		};
		let t = Instant::now();
		let r = audit_segment(&ctx, &miner, &art.commitment, &ev, &validator_dev)?;
		let e = r
			.relative_errors
			.ok_or("no relative errors: not tolerance mode")?;
		for (w, x) in worst.iter_mut().zip([e.params, e.adam_m, e.adam_v]) {
			*w = w.max(x);
		}
		passed += usize::from(r.passed());
		println!(
			"RESULT table=xbackend miner={miner_backend} validator={validator_backend} segment={s} params={:.3e} adam_m={:.3e} adam_v={:.3e} pass={} seconds={:.2}",
			e.params,
			e.adam_m,
			e.adam_v,
			r.passed(),
			t.elapsed().as_secs_f64()
		);
	}
	if let Some(s) = args
		.iter()
		.position(|a| a == "--detail")
		.and_then(|i| args.get(i + 1))
		.and_then(|v| v.parse::<usize>().ok())
		.filter(|s| *s < segments as usize)
	{
		segment_detail(&cfg, &art, s, corpus, &round_seed, hotkey, &validator_dev)?;
	}
	println!(
		"RESULT table=xbackend_worst miner={miner_backend} validator={validator_backend} segments={segments} segment_len={} params={:.3e} adam_m={:.3e} adam_v={:.3e} passed={passed} epsilon={}",
		cfg.segment_len, worst[0], worst[1], worst[2], cfg.audit_tolerance
	);
	Ok(())
}

/// Where one segment's cross-backend error comes from: re-runs segment `s` on the validator
/// and prints, per parameter tensor, the relative error of its change of θ, m and v and its
/// share of the whole segment's squared error (`RESULT table=xdetail`, largest share first).
#[cfg(feature = "wgpu")]
fn segment_detail(
	cfg: &TrainingConfig,
	art: &arena_training::RoundArtifacts,
	s: usize,
	corpus: &Corpus,
	round_seed: &[u8; 32],
	hotkey: &[u8],
	validator: &arena_training::Device,
) -> AnyResult<()> {
	let start = &art.boundary_states[s];
	let claimed = &art.boundary_states[s + 1];
	let (rerun, _) = arena_training::run_segment(
		cfg,
		start,
		corpus.train(),
		round_seed,
		hotkey,
		cfg.segment_len,
		validator,
	)?;
	let groups = [
		("params", &start.params, &rerun.params, &claimed.params),
		("adam_m", &start.adam_m, &rerun.adam_m, &claimed.adam_m),
		("adam_v", &start.adam_v, &rerun.adam_v, &claimed.adam_v),
	];
	for (group, st, re, cl) in groups {
		let mut rows = Vec::new();
		let mut total = 0.0f64;
		for ((a, b), c) in st.tensors().iter().zip(re.tensors()).zip(cl.tensors()) {
			let (mut diff, mut norm) = (0.0f64, 0.0f64);
			for ((&x, &y), &z) in a.data.iter().zip(&b.data).zip(&c.data) {
				let (dr, dc) = (y as f64 - x as f64, z as f64 - x as f64);
				diff += (dr - dc) * (dr - dc);
				norm += dc * dc;
			}
			total += diff;
			rows.push((a.spec.name.clone(), diff, norm));
		}
		rows.sort_by(|x, y| y.1.total_cmp(&x.1));
		for (name, diff, norm) in rows.iter().take(5) {
			println!(
				"RESULT table=xdetail segment={s} group={group} tensor={name} rel={:.3e} share={:.3}",
				(diff / norm.max(f64::MIN_POSITIVE)).sqrt(),
				diff / total.max(f64::MIN_POSITIVE)
			);
		}
	}
	Ok(())
}
