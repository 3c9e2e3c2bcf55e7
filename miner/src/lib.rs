//! # arena-miner
//!
//! The Arena miner as a library (the `arena-miner` binary is a thin CLI over it): each round it
//! fetches and verifies the round's checkpoint, trains `H` inner steps writing every boundary
//! state to its artifact store as it is produced, publishes the compressed update, the loss
//! trace and the round manifest, commits before the deadline, serves its artifacts for audits
//! and carries the error-feedback buffer `e` into the next round (SPEC §6).
//!
//! | what | module |
//! | --- | --- |
//! | the round loop as explicit phases, restart rules | [`phases`] |
//! | one round's training and publication, without the chain | [`work`] |
//! | round state on disk (atomic), error-feedback buffers | [`persist`] |
//! | progress of the round being trained, resuming from the last boundary | [`journal`] |
//! | which artifacts to keep (rounds the chain still stores), pruning | [`retention`] |
//! | settings: flags, `ARENA_*` variables, TOML file | [`config`] |
//! | Prometheus metrics | [`metrics`] |
//! | per-round CSV | [`report`] |
//! | training progress bar | [`progress`] |
//! | `status` and `register` subcommands | [`commands`] |
//! | the command line (`run`, `register`, `status`) | [`cli`] |
//! | cheat modes (feature `cheats`) | `cheat` |
//!
//! The chain is reached only through [`arena_chain_client::port::MinerChain`], so the whole
//! loop runs against an in-memory chain in the tests.
//!
//! ```no_run
//! # async fn example<C: arena_chain_client::port::MinerChain + 'static>(chain: C) -> Result<(), arena_miner::MinerError> {
//! use std::sync::Arc;
//! use arena_miner::{Metrics, Miner, MinerOptions};
//! let corpus = Arc::new(arena_training::Corpus::load_dir("corpus".as_ref(), 0.1).expect("corpus"));
//! let mut opts = MinerOptions::new(1, "/var/lib/arena-miner/artifacts", "/var/lib/arena-miner");
//! opts.serve = Some("127.0.0.1:8181".parse().expect("addr"));
//! let mut miner = Miner::start(
//!     Arc::new(chain),
//!     opts,
//!     corpus,
//!     arena_training::default_device(),
//!     Arc::new(Metrics::new()),
//! )
//! .await?;
//! miner.run(async { let _ = tokio::signal::ctrl_c().await; }).await
//! # }
//! ```

#[cfg(feature = "cheats")]
pub mod cheat;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod journal;
pub mod metrics;
pub mod persist;
pub mod phases;
pub mod progress;
pub mod report;
pub mod retention;
pub mod work;

pub use config::{Backend, RunArgs, SecretUri, Settings};
pub use error::MinerError;
pub use metrics::{serve_metrics, Metrics};
pub use phases::{store_limits, Miner, MinerOptions, Phase, Skip, Tick};

/// Loads a corpus from a directory of `*.txt` files or from a single file.
pub fn load_corpus(
	path: &std::path::Path,
	validation_fraction: f64,
) -> Result<arena_training::Corpus, MinerError> {
	if path.is_dir() {
		return arena_training::Corpus::load_dir(path, validation_fraction)
			.map_err(|e| MinerError::Config(format!("corpus: {e}")));
	}
	let bytes = std::fs::read(path)
		.map_err(|e| MinerError::Config(format!("corpus {}: {e}", path.display())))?;
	let name = path.file_name().map_or_else(
		|| "corpus.txt".to_string(),
		|n| n.to_string_lossy().to_string(),
	);
	Ok(arena_training::Corpus::from_texts(
		vec![(name, bytes)],
		validation_fraction,
	))
}
