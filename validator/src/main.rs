//! `arena-validator`: audits miners' rounds, sets weights, challenges cheaters and votes the
//! next checkpoint (SPEC §5–§6). The work is in the library (`arena_validator`); this file
//! parses flags and wires the parts to a node.
//!
//! ```text
//! arena-validator run --node ws://127.0.0.1:9944 --suri //Alice --netuid 1 --corpus DIR \
//!     [--config validator.toml] [--backend flex|wgpu] [--store DIR|s3://…] [--serve ADDR] \
//!     [--base-path DIR] [--prometheus-port P]
//! arena-validator genesis --config model.toml --store DIR --seed 1 --url http://HOST:PORT
//! arena-validator verify-challenge --node ws://… --netuid 1 --miner SS58 --round R --corpus DIR
//! ```
//!
//! Every flag also reads an `ARENA_*` environment variable (see `--help`).

mod node;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{anyhow, Context};
use arena_artifacts::Store;
use arena_chain_client::port::ChainView;
use arena_chain_client::types::AccountId;
use arena_training::Corpus;
use arena_validator::{
	device_for, limits_for, serve_metrics, Artifacts, AuditEnv, Metrics, TrainingConfigFile,
	Validator, ValidatorSettings,
};
use clap::{Args, Parser, Subcommand};

/// Arena validator.
#[derive(Debug, Parser)]
#[command(name = "arena-validator", version, about, long_about = None)]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
	/// Validate a subnet: audit, score, set weights, challenge, aggregate and vote, every round.
	Run(RunArgs),
	/// Create the genesis checkpoint of a training config (the subnet owner runs this once).
	Genesis(GenesisArgs),
	/// Re-run an open challenge's evidence and print whether the failure reproduces
	/// (exit code 0: reproduced, 1: not reproduced).
	VerifyChallenge(VerifyArgs),
}

/// Connection and local data shared by `run` and `verify-challenge`.
#[derive(Debug, Args)]
struct Common {
	/// WebSocket URL of an Arena node.
	#[arg(long, env = "ARENA_NODE", default_value = "ws://127.0.0.1:9944")]
	node: String,
	/// Subnet to validate.
	#[arg(long, env = "ARENA_NETUID")]
	netuid: u16,
	/// The subnet's corpus directory (`*.txt` files, see scripts/fetch-corpus.sh).
	#[arg(long, env = "ARENA_CORPUS")]
	corpus: PathBuf,
	/// Loop settings (TOML; see the library's `config` module).
	#[arg(long, env = "ARENA_CONFIG")]
	config: Option<PathBuf>,
	/// Compute backend for audits: `flex` (CPU) or `wgpu` (built with `--features wgpu`).
	#[arg(long, env = "ARENA_BACKEND", default_value = "flex")]
	backend: String,
	/// Where state, cache, CSV and the loss plot are kept.
	#[arg(long, env = "ARENA_BASE_PATH", default_value = "arena-validator-data")]
	base_path: PathBuf,
}

#[derive(Debug, Args)]
struct RunArgs {
	#[command(flatten)]
	common: Common,
	/// Secret URI of the validator's hotkey (e.g. `//Alice`). Never logged.
	#[arg(long, env = "ARENA_SURI", hide_env_values = true)]
	suri: String,
	/// Artifact store for the checkpoints this validator aggregates: a directory (default
	/// `<base-path>/store`) or `s3://bucket/prefix`.
	#[arg(long, env = "ARENA_STORE")]
	store: Option<String>,
	/// Serve the (local) store read-only over HTTP on this address, e.g. `127.0.0.1:8300`.
	#[arg(long, env = "ARENA_SERVE")]
	serve: Option<SocketAddr>,
	/// The URL to announce with `serve_endpoint` (default: `http://<serve address>`, or the
	/// `s3://` store).
	#[arg(long, env = "ARENA_PUBLIC_URL")]
	public_url: Option<String>,
	/// Expose Prometheus metrics on this port (`/metrics`).
	#[arg(long, env = "ARENA_PROMETHEUS_PORT")]
	prometheus_port: Option<u16>,
	/// Listen for Prometheus on all interfaces instead of 127.0.0.1.
	#[arg(long, env = "ARENA_PROMETHEUS_EXTERNAL")]
	prometheus_external: bool,
}

#[derive(Debug, Args)]
struct GenesisArgs {
	/// Training config file (`preset = "tiny"|"default"`, optional `[model]` overrides).
	#[arg(long, env = "ARENA_CONFIG")]
	config: Option<PathBuf>,
	/// Store to put the checkpoint in: a directory or `s3://bucket/prefix`.
	#[arg(long, env = "ARENA_STORE")]
	store: String,
	/// Initialisation seed.
	#[arg(long, default_value_t = 0)]
	seed: u64,
	/// The URL others fetch it from (the store's server `http://host:port` or its `s3://`
	/// location; default: the store location when it is `s3://`).
	#[arg(long)]
	url: Option<String>,
}

#[derive(Debug, Args)]
struct VerifyArgs {
	#[command(flatten)]
	common: Common,
	/// The challenged miner's hotkey (SS58).
	#[arg(long)]
	miner: String,
	/// The challenged round.
	#[arg(long)]
	round: u32,
}

fn settings(path: Option<&Path>) -> anyhow::Result<ValidatorSettings> {
	Ok(match path {
		Some(p) => ValidatorSettings::load(p)?,
		None => ValidatorSettings::default(),
	})
}

/// The audit environment for `common`, after reading the task from the chain.
async fn audit_env<C: ChainView>(
	chain: &C,
	common: &Common,
	store: &str,
) -> anyhow::Result<AuditEnv> {
	let settings = settings(common.config.as_deref())?;
	let config = chain
		.training_config(common.netuid)
		.await
		.context("reading the subnet's training config")?;
	let corpus = Corpus::load_dir(&common.corpus, config.validation_fraction)
		.with_context(|| format!("loading the corpus {}", common.corpus.display()))?;
	let artifacts = Artifacts::open(
		store,
		&common.base_path.join("cache"),
		limits_for(&config),
		&settings,
	)?;
	Ok(AuditEnv {
		netuid: common.netuid,
		artifacts,
		corpus: Arc::new(corpus),
		device: device_for(&common.backend)?,
		settings,
	})
}

async fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
	arena_training::allocator::keep_freed_buffers();
	let common = &args.common;
	let chain = node::connect(&common.node, &args.suri).await?;
	let default_store = common.base_path.join("store");
	let store = args
		.store
		.clone()
		.unwrap_or_else(|| default_store.display().to_string());
	let env = audit_env(&chain, common, &store).await?;
	let mut announce = args.public_url.clone();
	let _server = match (args.serve, env.artifacts.local_store()) {
		(Some(addr), Some(local)) => {
			let server = arena_artifacts::serve(local, addr).await?;
			tracing::info!(url = %server.url(), "serving the artifact store");
			announce.get_or_insert_with(|| server.url());
			Some(server)
		},
		(Some(_), None) => return Err(anyhow!("--serve needs a local --store directory")),
		(None, _) => None,
	};
	if announce.is_none() && store.starts_with("s3://") {
		announce = Some(store.clone());
	}
	let metrics = Metrics::new();
	if let Some(port) = args.prometheus_port {
		let ip = if args.prometheus_external {
			IpAddr::V4(Ipv4Addr::UNSPECIFIED)
		} else {
			IpAddr::V4(Ipv4Addr::LOCALHOST)
		};
		serve_metrics(metrics.clone(), SocketAddr::new(ip, port)).await?;
	}
	let mut validator = Validator::new(chain, env, &common.base_path, announce, metrics)?;
	tracing::info!(node = %common.node, netuid = common.netuid, "validator started");
	validator
		.run(async {
			let _ = tokio::signal::ctrl_c().await;
		})
		.await;
	Ok(ExitCode::SUCCESS)
}

async fn genesis(args: GenesisArgs) -> anyhow::Result<ExitCode> {
	let file = match &args.config {
		Some(p) => TrainingConfigFile::load(p)?,
		None => TrainingConfigFile::default(),
	};
	let config = file.to_config()?;
	let store = Store::open(&args.store, limits_for(&config))?;
	let url = match (&args.url, args.store.starts_with("s3://")) {
		(Some(u), _) => u.clone(),
		(None, true) => args.store.clone(),
		(None, false) => {
			return Err(anyhow!(
				"--url is needed for a local store (the address its server will listen on)"
			))
		},
	};
	let info = arena_validator::create_genesis(&config, args.seed, &store, &url).await?;
	println!("hash 0x{}", hex::encode(info.hash));
	println!("size {}", info.size);
	println!("url  {}", info.url);
	Ok(ExitCode::SUCCESS)
}

async fn verify(args: VerifyArgs) -> anyhow::Result<ExitCode> {
	let common = &args.common;
	let miner: AccountId = args
		.miner
		.parse()
		.map_err(|e| anyhow!("--miner {}: {e:?}", args.miner))?;
	// Reading only: any key signs nothing here.
	let chain = node::connect(&common.node, "//arena-verify-challenge").await?;
	let store = common.base_path.join("store").display().to_string();
	let env = audit_env(&chain, common, &store).await?;
	let challenges = chain.open_challenges(common.netuid).await?;
	let challenge = challenges
		.iter()
		.find(|c| c.miner == miner && c.round == args.round)
		.ok_or_else(|| anyhow!("no open challenge of {miner} in round {}", args.round))?;
	let verdict = arena_validator::verify_challenge(&chain, &env, challenge).await?;
	println!("{verdict:?}");
	Ok(if verdict.reproduced() {
		ExitCode::SUCCESS
	} else {
		ExitCode::from(1)
	})
}

#[tokio::main]
async fn main() -> ExitCode {
	tracing_subscriber::fmt()
		.with_env_filter(
			tracing_subscriber::EnvFilter::try_from_default_env()
				.unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
		)
		.init();
	let result = match Cli::parse().command {
		Command::Run(a) => run(a).await,
		Command::Genesis(a) => genesis(a).await,
		Command::VerifyChallenge(a) => verify(a).await,
	};
	match result {
		Ok(code) => code,
		Err(e) => {
			eprintln!("arena-validator: {e:#}");
			ExitCode::from(2)
		},
	}
}
