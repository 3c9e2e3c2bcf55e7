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
//!   matmul       GFLOP/s of the default model's matrix products (the step's dominant cost)
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

use arena_training::compression::{compress_with_feedback, decompress};
use arena_training::model::{init_params, param_count, param_layout};
use arena_training::outer::{nesterov_step, weighted_mean};
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
		"matmul" => matmul(&args, &cfg, &device),
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
	println!(
        "RESULT engine=arena-burn-{backend} steps={steps} batch={} context={} layers={} width={} params={} seconds={secs:.3} tokens_per_s={:.1} last_loss={last:.4}",
        cfg.batch_size,
        cfg.model.context,
        cfg.model.n_layers,
        cfg.model.d_model,
        param_count(&cfg.model),
        tokens / secs
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

fn compression(args: &[String], corpus: &Corpus, device: &arena_training::Device) -> AnyResult<()> {
	// 1) Size of a real update of the default model after a short round.
	let skip_size = args.iter().any(|a| a == "--skip-size");
	let mut cfg = TrainingConfig::default();
	cfg.inner_steps = arg(args, "--size-steps", 20);
	cfg.segment_len = cfg.inner_steps;
	let ck = Checkpoint::new(init_params(&cfg.model, [1; 32]));
	let art = if skip_size {
		None
	} else {
		Some(train_round(
			&cfg, &ck, None, corpus, &[3; 32], b"bench", device,
		)?)
	};
	let dense = param_count(&cfg.model) * 4;
	if let Some(art) = art {
		println!(
        "RESULT table=bytes params={} dense_fp32_bytes={dense} update_bytes={} ratio={:.1} chunk={} k={} bits={}",
        param_count(&cfg.model),
        art.update.len(),
        dense as f64 / art.update.len() as f64,
        cfg.compression.chunk_size,
        cfg.compression.k_per_chunk,
        cfg.compression.bits
    );
	}

	// 2) Loss cost: R rounds of one miner + outer Nesterov, compressed vs dense updates.
	let rounds = arg(args, "--rounds", 8u64);
	let inner = arg(args, "--inner", 50u64);
	let mut sim = sim_config(inner);
	sim.compression.k_per_chunk = arg(args, "--k", sim.compression.k_per_chunk);
	sim.compression.bits = arg(args, "--bits", sim.compression.bits);
	let farg = |name: &str, default: f32| arg(args, name, default);
	let dense_outer = (
		farg("--dense-lr", sim.outer.lr),
		farg("--dense-mu", sim.outer.momentum),
	);
	let comp_outer = (
		farg("--comp-lr", sim.outer.lr),
		farg("--comp-mu", sim.outer.momentum),
	);
	sim.compression.feedback_decay = farg("--ef-decay", sim.compression.feedback_decay);
	let only_compressed = args.iter().any(|a| a == "--only-compressed");
	let only_dense = args.iter().any(|a| a == "--only-dense");
	let miners = arg(args, "--miners", 1usize).max(1);
	let trace = arg(args, "--trace", 0u64);
	let layout = param_layout(&sim.model);
	let init = init_params(&sim.model, [4; 32]);
	let eval_seed = [9; 32];
	for compressed in [false, true] {
		if (only_compressed && !compressed) || (only_dense && compressed) {
			continue;
		}
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
				let delta = if compressed {
					let (c, residual) =
						compress_with_feedback(&theta_h, &theta_0, &e.to_flat(), &sim.compression);
					bytes_total += encode(&c, &layout).len();
					*e = ParamSet::from_flat(&layout, &residual)?;
					decompress(&c)
				} else {
					bytes_total += theta_h.len() * 4;
					theta_h.iter().zip(&theta_0).map(|(h, z)| h - z).collect()
				};
				deltas.push((1, delta));
			}
			let mean = weighted_mean(&deltas, theta_0.len())?;
			let (lr, mu) = if compressed { comp_outer } else { dense_outer };
			let (t2, b2) = nesterov_step(&theta_0, &momentum, &mean, lr, mu);
			theta = ParamSet::from_flat(&layout, &t2)?;
			momentum = b2;
			if trace > 0 && (r + 1) % trace == 0 && r + 1 < rounds {
				let loss = evaluate_loss(&sim, &theta, corpus.validation(), &eval_seed, device)?;
				println!(
					"RESULT table=loss_trace arm={} outer_lr={lr} outer_mu={mu} round={} val_loss={loss:.4}",
					if compressed { "compressed" } else { "dense" },
					r + 1
				);
			}
		}
		let loss = evaluate_loss(&sim, &theta, corpus.validation(), &eval_seed, device)?;
		println!(
            "RESULT table=loss k={} bits={} decay={} outer_lr={} outer_mu={} arm={} miners={miners} rounds={rounds} inner={inner} tokens={} params={} val_loss={loss:.4} bytes_sent={bytes_total} seconds={:.1}",
            sim.compression.k_per_chunk,
            sim.compression.bits,
            sim.compression.feedback_decay,
            if compressed { comp_outer.0 } else { dense_outer.0 },
            if compressed { comp_outer.1 } else { dense_outer.1 },
            if compressed { "compressed" } else { "dense" },
            miners * rounds as usize * inner as usize * sim.batch_size * sim.model.context,
            param_count(&sim.model),
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
