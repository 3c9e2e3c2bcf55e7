//! `arena-miner`: trains the subnet's model from the round checkpoint and publishes its update.
//!
//! The command line is in place; the mining loop arrives with the training-core and
//! chain-client issues. Until then the binary only parses and reports its options.

use clap::Parser;

/// Arena miner.
#[derive(Debug, Parser)]
#[command(name = "arena-miner", version, about, long_about = None)]
struct Cli {
	/// WebSocket URL of an Arena node.
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	node: String,
	/// Secret URI of the miner's hotkey (e.g. `//Bob` on a dev chain).
	#[arg(long)]
	suri: String,
	/// Subnet to mine on.
	#[arg(long)]
	netuid: u16,
	/// Optional TOML config file; command-line flags override it.
	#[arg(long)]
	config: Option<std::path::PathBuf>,
}

fn main() -> std::process::ExitCode {
	let cli = Cli::parse();
	eprintln!(
		"arena-miner: the mining loop is not implemented in this release \
		 (node {}, subnet {}); see the README's roadmap",
		cli.node, cli.netuid
	);
	std::process::ExitCode::from(2)
}
