//! `arena-node benchmark …` (feature `runtime-benchmarks`): pallet, storage, block and machine
//! benchmarks against the Arena runtime.

use crate::{cli::Cli, service};
use arena_runtime::opaque::Block;
use frame_benchmarking_cli::BenchmarkCmd;
use sc_cli::SubstrateCli;
use sp_runtime::traits::HashingFor;

/// Run one benchmark subcommand.
pub fn run(cli: &Cli, cmd: &BenchmarkCmd) -> sc_cli::Result<()> {
	let runner = cli.create_runner(cmd)?;
	runner.sync_run(|config| match cmd {
		BenchmarkCmd::Pallet(cmd) => {
			cmd.run_with_spec::<HashingFor<Block>, ()>(Some(config.chain_spec))
		},
		BenchmarkCmd::Block(cmd) => {
			let service::Service { client, .. } = service::new_partial(&config)?;
			cmd.run(client)
		},
		BenchmarkCmd::Storage(cmd) => {
			let service::Service {
				client, backend, ..
			} = service::new_partial(&config)?;
			let db = backend.expose_db();
			let storage = backend.expose_storage();
			let shared_trie_cache = backend.expose_shared_trie_cache();
			cmd.run(config, client, db, storage, shared_trie_cache)
		},
		BenchmarkCmd::Machine(cmd) => cmd.run(
			&config,
			frame_benchmarking_cli::SUBSTRATE_REFERENCE_HARDWARE.clone(),
		),
		BenchmarkCmd::Overhead(_) | BenchmarkCmd::Extrinsic(_) => Err(
			"`benchmark overhead` and `benchmark extrinsic` are not wired up for Arena yet; \
			 use `benchmark pallet`"
				.into(),
		),
	})
}
