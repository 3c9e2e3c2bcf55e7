//! The `arena-miner` command line: `run`, `register` and `status`, generic over the chain
//! client so that `main.rs` only connects to the node and hands the client over.

use std::future::Future;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use arena_chain_client::port::{ChainResult, MinerChain};
use arena_chain_client::types::Balance;
use clap::{Parser, Subcommand};
use tracing::{error, info};

use crate::commands::{register_with, status, Registration};
use crate::config::{RunArgs, SecretUri, Settings};
use crate::error::MinerError;
use crate::metrics::{serve_metrics, Metrics};
use crate::phases::{Miner, MinerOptions};

/// Arena miner: trains the subnet's model each round from the round checkpoint, publishes its
/// update, boundary states and manifest, and commits them on chain before the deadline.
///
/// Every flag can also be given as an `ARENA_*` environment variable or in the TOML file of
/// `--config` (same names in kebab-case); flags win over variables, variables over the file.
#[derive(Debug, Parser)]
#[command(name = "arena-miner", version, about, long_about)]
pub struct Cli {
	/// TOML config file (keys as the flags, e.g. `base-path = "/var/lib/arena-miner"`).
	#[arg(long, env = "ARENA_CONFIG", global = true)]
	pub config: Option<PathBuf>,
	/// Log filter (`tracing` env-filter syntax, e.g. `info,arena_miner=debug`).
	#[arg(long, env = "ARENA_LOG", default_value = "info", global = true)]
	pub log: String,
	/// What to do.
	#[command(subcommand)]
	pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
	/// Mine: wait for rounds, train, publish, commit, serve (until Ctrl-C).
	Run(RunArgs),
	/// Register the hotkey on the subnet, burning the current registration price (shown first).
	Register {
		/// Node, hotkey (`--suri`), subnet.
		#[command(flatten)]
		args: RunArgs,
		/// Secret URI of the coldkey that pays the burn (never logged).
		#[arg(long, env = "ARENA_COLDKEY_SURI", hide_env_values = true)]
		coldkey_suri: SecretUri,
		/// Refuse to register if the price is above this (rao).
		#[arg(long)]
		max_price: Option<Balance>,
		/// Register without asking for confirmation.
		#[arg(long)]
		yes: bool,
	},
	/// Show the round, the hotkey's commitment, residual, escrow and local state.
	Status(RunArgs),
}

impl Command {
	/// The flags shared by every subcommand.
	pub fn args(&self) -> &RunArgs {
		match self {
			Command::Run(a) | Command::Status(a) => a,
			Command::Register { args, .. } => args,
		}
	}
}

/// Installs the `tracing` subscriber (stderr, `filter`).
pub fn init_logging(filter: &str) {
	let filter = tracing_subscriber::EnvFilter::try_new(filter)
		.unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
	let _ = tracing_subscriber::fmt()
		.with_env_filter(filter)
		.with_writer(std::io::stderr)
		.try_init();
}

/// What the chain client must offer the binary beyond [`MinerChain`]: registration, which
/// is not part of the miner's port.
pub trait Registrar {
	/// The subnet's current registration burn price.
	fn registration_price(&self, netuid: u16) -> impl Future<Output = ChainResult<Balance>> + Send;
	/// `burned_register(netuid, hotkey)` signed by `coldkey`.
	fn burned_register(
		&self,
		netuid: u16,
		coldkey: &SecretUri,
	) -> impl Future<Output = ChainResult<()>> + Send;
}

/// Resolves the settings of `cli` (flags, variables, `--config` file).
pub fn settings(cli: &Cli) -> Result<Settings, MinerError> {
	let file = match &cli.config {
		Some(p) => Some(RunArgs::from_file(p)?),
		None => None,
	};
	let mut args = cli.command.args().clone();
	if !matches!(cli.command, Command::Run(_)) && args.corpus.is_none() {
		// `status` and `register` do not train.
		args.corpus = Some(PathBuf::new());
	}
	Settings::resolve(args, file)
}

/// Runs `cli` with the chain client `connect` returns for the node URL and hotkey.
pub async fn execute<C, F, Fut>(cli: Cli, connect: F) -> ExitCode
where
	C: MinerChain + Registrar + 'static,
	F: FnOnce(String, SecretUri) -> Fut,
	Fut: Future<Output = Result<C, MinerError>>,
{
	match try_execute(cli, connect).await {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) => {
			error!(error = %e, "arena-miner failed");
			ExitCode::FAILURE
		},
	}
}

async fn try_execute<C, F, Fut>(cli: Cli, connect: F) -> Result<(), MinerError>
where
	C: MinerChain + Registrar + 'static,
	F: FnOnce(String, SecretUri) -> Fut,
	Fut: Future<Output = Result<C, MinerError>>,
{
	let s = settings(&cli)?;
	let chain = connect(s.node.clone(), s.suri.clone()).await?;
	match cli.command {
		Command::Status(_) => {
			let st = status(&chain, s.netuid, Some(&s.base_path)).await?;
			print!("{st}");
			Ok(())
		},
		Command::Register {
			coldkey_suri,
			max_price,
			yes,
			..
		} => {
			let outcome = register_with(
				chain.registration_price(s.netuid),
				max_price,
				|price| {
					println!(
						"registration on subnet {} burns {price} rao ({:.9} ARN)",
						s.netuid,
						price as f64 / 1e9
					);
					yes || confirm()
				},
				|| chain.burned_register(s.netuid, &coldkey_suri),
			)
			.await?;
			match outcome {
				Registration::Registered(p) => println!("registered, {p} rao burned"),
				Registration::Declined(p) => println!("not registered (price {p} rao declined)"),
			}
			Ok(())
		},
		Command::Run(_) => run(s, chain).await,
	}
}

fn confirm() -> bool {
	if !std::io::stdin().is_terminal() {
		println!("not a terminal: pass --yes to register");
		return false;
	}
	print!("register? [y/N] ");
	let _ = std::io::Write::flush(&mut std::io::stdout());
	let mut line = String::new();
	std::io::stdin().read_line(&mut line).is_ok() && line.trim().eq_ignore_ascii_case("y")
}

/// `arena-miner run` with resolved settings and a connected chain.
pub async fn run<C: MinerChain + 'static>(s: Settings, chain: C) -> Result<(), MinerError> {
	let device = s.backend.device()?;
	let config = chain
		.training_config(s.netuid)
		.await
		.map_err(MinerError::chain(crate::Phase::WaitRound))?;
	let corpus = Arc::new(crate::load_corpus(&s.corpus, config.validation_fraction)?);
	let metrics = Arc::new(Metrics::new());
	if let Some(port) = s.prometheus_port {
		serve_metrics(metrics.clone(), port)
			.await
			.map_err(|e| MinerError::Config(format!("prometheus port {port}: {e}")))?;
	}
	let mut opts = MinerOptions::new(s.netuid, s.store.clone(), s.base_path.clone());
	opts.serve = s.serve;
	opts.announce = s.announce.clone();
	opts.poll_interval = s.poll_interval;
	opts.show_progress = std::io::stderr().is_terminal();
	match &s.cheat {
		#[cfg(feature = "cheats")]
		Some(spec) => {
			// `MODE` or `MODE@ROUND`: cheat from that round on, honest before.
			let (mode, from) = match spec.split_once('@') {
				Some((m, r)) => (
					m,
					r.parse::<u32>().map_err(|_| {
						MinerError::Config(format!(
							"--cheat {spec}: the round after @ is not a number"
						))
					})?,
				),
				None => (spec.as_str(), 0),
			};
			opts.cheat = Some(mode.parse()?);
			opts.cheat_from = from;
		},
		#[cfg(not(feature = "cheats"))]
		Some(_) => {
			return Err(MinerError::Config(
				"--cheat needs a build with the `cheats` feature".into(),
			))
		},
		None => {},
	}
	let mut miner = Miner::start(Arc::new(chain), opts, corpus, device, metrics).await?;
	info!("mining; Ctrl-C stops");
	let result = miner
		.run(async {
			let _ = tokio::signal::ctrl_c().await;
		})
		.await;
	miner.shutdown().await;
	result
}

impl Registrar for arena_chain_client::SignedClient {
	async fn registration_price(&self, netuid: u16) -> ChainResult<Balance> {
		arena_chain_client::SignedClient::registration_price(self, netuid).await
	}

	async fn burned_register(&self, netuid: u16, coldkey: &SecretUri) -> ChainResult<()> {
		let key = arena_chain_client::Hotkey::from_suri(coldkey.expose())
			.map_err(|e| arena_chain_client::port::ChainError::Other(format!("coldkey: {e}")))?;
		let admin = arena_chain_client::admin::Admin::new(self.client().clone(), key);
		admin.burned_register(netuid, &self.key().account()).await
	}
}

/// Connects to `url` and signs with the hotkey `suri` (the node may still be starting: it is
/// retried for up to a minute), after checking the node runs the runtime this client knows.
pub async fn connect(
	url: String,
	suri: SecretUri,
) -> Result<arena_chain_client::SignedClient, MinerError> {
	let key = arena_chain_client::Hotkey::from_suri(suri.expose())
		.map_err(|e| MinerError::Config(format!("hotkey: {e}")))?;
	let client = arena_chain_client::ArenaClient::connect_with_retry(
		&url,
		std::time::Duration::from_secs(60),
	)
	.await
	.map_err(|e| MinerError::Config(format!("node {url}: {e}")))?;
	client
		.check_metadata()
		.await
		.map_err(|e| MinerError::Config(format!("node {url}: {e}")))?;
	info!(node = %url, hotkey = %key.account(), "connected");
	Ok(arena_chain_client::SignedClient::new(client, key))
}
