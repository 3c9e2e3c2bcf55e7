//! `arena-node`: the Arena chain's node.
//!
//! `arena-node --dev` runs a single-authority development chain that seals (and finalises) a
//! block every `--dev-block-time` milliseconds; `arena-node --chain local --alice` (and `--bob`)
//! run a two-authority Aura + GRANDPA testnet. See `arena-node --help`.

#![warn(missing_docs)]
// `sc_cli::Error` is large and its `Result` is what the `sc_cli` runner API takes and returns.
#![allow(clippy::result_large_err)]

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
