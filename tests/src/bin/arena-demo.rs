//! `arena-demo`: a local arena on one machine (what `scripts/demo.sh` runs).
//!
//! Starts a dev chain, creates subnet 0 with a tiny model, registers two validators and four
//! miners (one of them cheats from round 2 on: it publishes a poisoned update), runs them as
//! `arena-validator` / `arena-miner` processes and prints a table per round: each miner's audit
//! result and usefulness (from both validators), its weight, what escrow holds for it, and
//! the global validation loss; then escrow's released and slashed totals.
//!
//! ```text
//! arena-demo [--rounds N] [--work-dir DIR] [--block-ms MS] [--tempo BLOCKS]
//! ```

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use arena_e2e::arena::{audit_rows, Arena, ArenaSpec, ARN};

struct Args {
	rounds: u32,
	work_dir: PathBuf,
	block_ms: u32,
	tempo: u32,
}

fn parse_args() -> Result<Args> {
	let mut args = Args {
		rounds: 0,
		work_dir: PathBuf::from("arena-demo-data"),
		block_ms: 500,
		tempo: 60,
	};
	let mut it = std::env::args().skip(1);
	while let Some(flag) = it.next() {
		let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
		match flag.as_str() {
			"--rounds" => args.rounds = value()?.parse().context("--rounds")?,
			"--work-dir" => args.work_dir = PathBuf::from(value()?),
			"--block-ms" => args.block_ms = value()?.parse().context("--block-ms")?,
			"--tempo" => args.tempo = value()?.parse().context("--tempo")?,
			"-h" | "--help" => {
				println!(
					"arena-demo [--rounds N] [--work-dir DIR] [--block-ms MS] [--tempo BLOCKS]"
				);
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
	let spec = ArenaSpec {
		block_ms: args.block_ms,
		tempo: args.tempo,
		commit_deadline: args.tempo / 2,
		vote_window: (args.tempo / 8).max(2),
		escrow_window: 1,
		validators: 2,
		miners: vec![None, None, None, Some("poison@2".to_string())],
		audit_segments: 1,
		config: arena_training::TrainingConfig::tiny(),
		work_dir: work_dir.clone(),
		poll_ms: 250,
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
	println!("==> stopping");
	Ok(())
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
