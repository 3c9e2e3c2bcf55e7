//! `arena-miner`: trains the subnet's model each round and publishes its update (see the
//! `arena_miner` library; `arena-miner --help` explains the commands and flags).

use std::process::ExitCode;

use arena_miner::cli::{connect, execute, init_logging, Cli};
use clap::Parser;

fn main() -> ExitCode {
	// Before any thread starts: keep freed tensor buffers instead of unmapping them.
	arena_training::allocator::keep_freed_buffers();
	let cli = Cli::parse();
	init_logging(&cli.log);
	let runtime = match tokio::runtime::Builder::new_multi_thread()
		.enable_all()
		.build()
	{
		Ok(rt) => rt,
		Err(e) => {
			eprintln!("arena-miner: cannot start the async runtime: {e}");
			return ExitCode::FAILURE;
		},
	};
	runtime.block_on(execute(cli, connect))
}
