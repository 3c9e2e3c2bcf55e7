//! `arena-demo`: a local arena on one machine (what `scripts/demo.sh` runs).
//!
//! Starts a dev chain, creates subnet 0 with a tiny model, registers two validators and four
//! miners (one of them cheats from round 2 on: it publishes a poisoned update), runs them as
//! `arena-validator` / `arena-miner` processes and prints a table per round: each miner's audit
//! result and usefulness (from both validators), its weight, what escrow holds for it, and
//! the global validation loss; then escrow's released and slashed totals. When it stops it
//! prints where each round's time went (training, publishing, auditing, aggregating, waiting
//! for the chain) and the share of the round spent training.
//!
//! ```text
//! arena-demo [--rounds N] [--work-dir DIR] [--block-ms MS] [--tempo BLOCKS]
//!            [--steps H] [--segment C] [--deadline BLOCKS] [--vote-window BLOCKS]
//! ```
//!
//! `--steps` sets the task's inner steps `H` and `--segment` the steps per committed segment
//! `c` (default: the tiny model's 5; `H` must be a multiple of it; a validator re-runs `c`
//! steps per audited miner); `--deadline` the commit deadline (default: half the tempo) and `--vote-window` the
//! voting blocks (default: tempo / 8, at least 2). A larger `H` with a late deadline makes
//! miners spend most of each round training; the miners must still finish before the
//! deadline on this machine, or they skip the round.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use arena_e2e::arena::{audit_rows, Arena, ArenaSpec, ARN};

struct Args {
	rounds: u32,
	work_dir: PathBuf,
	block_ms: u32,
	tempo: u32,
	steps: Option<u64>,
	segment: Option<u64>,
	deadline: Option<u32>,
	vote_window: Option<u32>,
}

const USAGE: &str = "arena-demo [--rounds N] [--work-dir DIR] [--block-ms MS] [--tempo BLOCKS] \
	[--steps H] [--segment C] [--deadline BLOCKS] [--vote-window BLOCKS]";

fn parse_args() -> Result<Args> {
	let mut args = Args {
		rounds: 0,
		work_dir: PathBuf::from("arena-demo-data"),
		block_ms: 500,
		tempo: 60,
		steps: None,
		segment: None,
		deadline: None,
		vote_window: None,
	};
	let mut it = std::env::args().skip(1);
	while let Some(flag) = it.next() {
		let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
		match flag.as_str() {
			"--rounds" => args.rounds = value()?.parse().context("--rounds")?,
			"--work-dir" => args.work_dir = PathBuf::from(value()?),
			"--block-ms" => args.block_ms = value()?.parse().context("--block-ms")?,
			"--tempo" => args.tempo = value()?.parse().context("--tempo")?,
			"--steps" => args.steps = Some(value()?.parse().context("--steps")?),
			"--segment" => args.segment = Some(value()?.parse().context("--segment")?),
			"--deadline" => args.deadline = Some(value()?.parse().context("--deadline")?),
			"--vote-window" => args.vote_window = Some(value()?.parse().context("--vote-window")?),
			"-h" | "--help" => {
				println!("{USAGE}");
				std::process::exit(0);
			},
			other => bail!("unknown argument {other} (try --help)"),
		}
	}
	Ok(args)
}

fn fmt_arn(rao: u64) -> String {
	format!("{:.3}", rao as f64 / ARN as f64)
}

async fn print_round(arena: &Arena, round: u32) -> Result<()> {
	let rows: Vec<Vec<_>> = arena
		.validators
		.iter()
		.map(|v| audit_rows(v).unwrap_or_default())
		.collect();
	let loss = rows
		.iter()
		.flatten()
		.filter(|r| r.round == round)
		.find_map(|r| r.validation_loss);
	println!();
	println!(
		"round {round}  global validation loss {}",
		loss.map_or("-".to_string(), |l| format!("{l:.4}"))
	);
	println!(
		"  {:<10} {:<13} {:<22} {:>10} {:>8} {:>12}",
		"miner", "role", "audits (v0 / v1)", "usefulness", "weight", "escrow ARN"
	);
	for m in &arena.miners {
		let who = m.account().to_string();
		let mut audits = Vec::new();
		let mut usefulness = None;
		let mut weight = None;
		for vrows in &rows {
			match vrows.iter().find(|r| r.round == round && r.miner == who) {
				Some(r) => {
					audits.push(if r.passed {
						"pass".to_string()
					} else {
						let reason = r.reason.split(':').next().unwrap_or("fail");
						format!("FAIL {reason}")
					});
					usefulness = usefulness.or(r.usefulness);
					weight = weight.or(Some(r.weight));
				},
				None => audits.push("-".to_string()),
			}
		}
		let (_, held, _) = arena.reading(m).await.unwrap_or((0, 0, 0));
		let role = m
			.cheat
			.as_deref()
			.map_or("honest".to_string(), |c| format!("cheat {c}"));
		println!(
			"  {:<10} {:<13} {:<22} {:>10} {:>8} {:>12}",
			m.name,
			role,
			audits.join(" / "),
			usefulness.map_or("-".to_string(), |u| format!("{u:.4}")),
			weight.map_or("-".to_string(), |w| w.to_string()),
			fmt_arn(held),
		);
	}
	let (escrowed, released, slashed) = arena.escrow_totals().await?;
	println!(
		"  escrow so far: {} ARN escrowed, {} released, {} slashed",
		fmt_arn(escrowed),
		fmt_arn(released),
		fmt_arn(slashed)
	);
	Ok(())
}

async fn run(args: Args) -> Result<()> {
	std::fs::create_dir_all(&args.work_dir).context("create --work-dir")?;
	let work_dir = args.work_dir.canonicalize().context("resolve --work-dir")?;
	// A new chain each time: what earlier runs left (round state, stores, logs) would not
	// match it.
	for entry in std::fs::read_dir(&work_dir)?.flatten() {
		let name = entry.file_name().to_string_lossy().into_owned();
		let ours = name == "corpus" || name.starts_with("validator-") || name.starts_with("miner-");
		if ours {
			let path = entry.path();
			if path.is_dir() {
				std::fs::remove_dir_all(&path)?;
			} else {
				std::fs::remove_file(&path)?;
			}
		}
	}
	let mut config = arena_training::TrainingConfig::tiny();
	if let Some(c) = args.segment {
		config.segment_len = c;
	}
	if let Some(h) = args.steps {
		config.inner_steps = h;
	}
	ensure!(
		config.segment_len > 0 && config.inner_steps.is_multiple_of(config.segment_len),
		"--steps ({}) must be a multiple of --segment ({})",
		config.inner_steps,
		config.segment_len
	);
	let spec = ArenaSpec {
		block_ms: args.block_ms,
		tempo: args.tempo,
		commit_deadline: args.deadline.unwrap_or(args.tempo / 2),
		vote_window: args.vote_window.unwrap_or((args.tempo / 8).max(2)),
		escrow_window: 1,
		validators: 2,
		miners: vec![None, None, None, Some("poison@2".to_string())],
		audit_segments: 1,
		config,
		work_dir: work_dir.clone(),
		poll_ms: 250,
		s3: None,
	};
	println!(
		"==> starting a dev chain, subnet 0, 2 validators and 4 miners in {}",
		work_dir.display()
	);
	let mut arena = Arena::launch(spec).await?;
	println!("==> node at {} (polkadot.js Apps: https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A{})", arena.node.ws_url(), arena.node.rpc_port);
	println!("==> logs: {}/*.log", work_dir.display());
	let mut next = None;
	let mut shown = 0;
	loop {
		let current = loop {
			arena.check_programs()?;
			if let Some(r) = arena.current_round().await? {
				break r;
			}
			tokio::time::sleep(Duration::from_millis(500)).await;
		};
		let round = *next.get_or_insert(current.index);
		tokio::select! {
			r = arena.wait_round_closed(round, Duration::from_secs(600)) => { r?; },
			_ = tokio::signal::ctrl_c() => break,
		}
		// Give the validators a moment to write the round's rows.
		tokio::time::sleep(Duration::from_secs(1)).await;
		print_round(&arena, round).await?;
		shown += 1;
		next = Some(round + 1);
		if args.rounds > 0 && shown >= args.rounds {
			break;
		}
	}
	for v in &arena.validators {
		println!(
			"==> {}: per-round CSV {}/rounds.csv, loss plot {}/loss.png",
			v.name,
			v.base.display(),
			v.base.display()
		);
	}
	print_timings(
		&arena,
		f64::from(args.tempo) * f64::from(args.block_ms) / 1000.0,
	);
	println!("==> stopping");
	Ok(())
}

/// Mean and range of `xs` as `mean (min–max)`.
fn spread(xs: &[f64]) -> String {
	if xs.is_empty() {
		return "-".into();
	}
	let mean = xs.iter().sum::<f64>() / xs.len() as f64;
	let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
	let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
	format!("{mean:.2} ({min:.2}–{max:.2})")
}

/// Fetch, audit and aggregate seconds of one round's audits.
type AuditTimes = (Vec<f64>, Vec<f64>, Vec<f64>);

/// Where each round's time went, from the miners' and validators' CSVs: seconds per miner
/// (train; store = writing boundary states, which overlaps training, plus the update and
/// manifest), per audited miner (fetch, audit) and per validator (aggregate), and the share of
/// the round a miner spent training (the rest it waits for the chain's phases).
fn print_timings(arena: &Arena, round_s: f64) {
	let mut rounds: std::collections::BTreeMap<u32, Vec<[f64; 2]>> = Default::default();
	for m in &arena.miners {
		for r in miner_timings(m).unwrap_or_default() {
			rounds.entry(r.0).or_default().push([r.1, r.2]);
		}
	}
	let mut audits: std::collections::BTreeMap<u32, AuditTimes> = Default::default();
	for v in &arena.validators {
		for r in validator_timings(v).unwrap_or_default() {
			let e = audits.entry(r.0).or_default();
			e.0.push(r.1);
			e.1.push(r.2);
			if r.3 > 0.0 {
				e.2.push(r.3);
			}
		}
	}
	println!();
	println!("where the time went (seconds; round = {round_s:.1} s; mean (min–max) over miners or audits):");
	println!(
		"  {:>5} {:>20} {:>18} {:>18} {:>18} {:>12} {:>18}",
		"round", "train", "store", "fetch", "audit", "aggregate", "training share"
	);
	for (round, ms) in &rounds {
		let train: Vec<f64> = ms.iter().map(|x| x[0]).collect();
		let store: Vec<f64> = ms.iter().map(|x| x[1]).collect();
		let share: Vec<f64> = train.iter().map(|t| 100.0 * t / round_s).collect();
		let (fetch, audit, agg) = audits.get(round).cloned().unwrap_or_default();
		println!(
			"  {:>5} {:>20} {:>18} {:>18} {:>18} {:>12} {:>17}%",
			round,
			spread(&train),
			spread(&store),
			spread(&fetch),
			spread(&audit),
			spread(&agg),
			spread(&share),
		);
	}
}

/// `(round, train_seconds, upload_seconds)` of a miner's committed rounds.
fn miner_timings(m: &arena_e2e::arena::Member) -> Result<Vec<(u32, f64, f64)>> {
	let text = std::fs::read_to_string(m.base.join("rounds.csv"))?;
	let mut out = Vec::new();
	for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
		let f: Vec<&str> = line.split(',').collect();
		if f.len() >= 6 {
			out.push((f[0].parse()?, f[4].parse()?, f[5].parse()?));
		}
	}
	Ok(out)
}

/// `(round, fetch_s, audit_s, aggregate_s)` of a validator's audit rows.
fn validator_timings(v: &arena_e2e::arena::Member) -> Result<Vec<(u32, f64, f64, f64)>> {
	let text = std::fs::read_to_string(v.base.join("rounds.csv"))?;
	let mut out = Vec::new();
	for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
		let f: Vec<&str> = line.rsplitn(4, ',').collect();
		let round = line.split(',').next().unwrap_or("").parse()?;
		if f.len() == 4 {
			let num = |x: &str| x.trim().parse::<f64>().unwrap_or(0.0);
			out.push((round, num(f[2]), num(f[1]), num(f[0])));
		}
	}
	Ok(out)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
	let args = match parse_args() {
		Ok(a) => a,
		Err(e) => {
			eprintln!("arena-demo: {e:#}");
			return std::process::ExitCode::from(2);
		},
	};
	match run(args).await {
		Ok(()) => std::process::ExitCode::SUCCESS,
		Err(e) => {
			eprintln!("arena-demo: {e:#}");
			std::process::ExitCode::FAILURE
		},
	}
}
