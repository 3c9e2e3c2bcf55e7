//! `arena-node`: the Arena chain's node.
//!
//! `arena-node --dev` runs a single-authority development chain that seals (and finalises) a
//! block every `--dev-block-time` milliseconds; `arena-node --chain local --alice` (and `--bob`)
//! run a two-authority Aura + GRANDPA testnet. See `arena-node --help`.

#![warn(missing_docs)]

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
