//! The miner's settings: command line, `ARENA_*` environment variables, a TOML file and
//! defaults, merged in that order of precedence.
//!
//! [`RunArgs`] is both the `clap` arguments of `arena-miner run` (each flag with its
//! `ARENA_*` variable) and the TOML file's schema (the same names in kebab-case, e.g.
//! `base-path = "/var/lib/arena-miner"`). [`Settings::resolve`] merges a command line over a
//! file and fills in the defaults.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::error::MinerError;

/// Default poll interval of the chain: 1 s.
pub const DEFAULT_POLL_INTERVAL_MS: u64 = 1000;

/// Default node URL.
pub const DEFAULT_NODE: &str = "ws://127.0.0.1:9944";

/// A secret URI (`//Alice`, a mnemonic, a raw seed). Never printed: `Debug` and `Display`
/// show `***`.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct SecretUri(String);

impl SecretUri {
	/// Wraps a secret URI.
	pub fn new(s: impl Into<String>) -> Self {
		Self(s.into())
	}

	/// The secret itself, for the signer only.
	pub fn expose(&self) -> &str {
		&self.0
	}
}

impl fmt::Debug for SecretUri {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str("SecretUri(***)")
	}
}

impl fmt::Display for SecretUri {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str("***")
	}
}

impl std::str::FromStr for SecretUri {
	type Err = std::convert::Infallible;
	fn from_str(s: &str) -> Result<Self, Self::Err> {
		Ok(Self(s.to_string()))
	}
}

/// The tensor backend to train on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Backend {
	/// burn's Flex CPU backend (the default build).
	#[default]
	Flex,
	/// A GPU through wgpu (needs a build with the `wgpu` feature).
	Wgpu,
}

impl Backend {
	/// The device this backend trains on, or why this build cannot.
	pub fn device(self) -> Result<arena_training::Device, MinerError> {
		match self {
			Backend::Flex => Ok(arena_training::default_device()),
			#[cfg(feature = "wgpu")]
			Backend::Wgpu => Ok(arena_training::wgpu_device()),
			#[cfg(not(feature = "wgpu"))]
			Backend::Wgpu => Err(MinerError::Config(
				"this build has no wgpu backend (build arena-miner with --features wgpu)".into(),
			)),
		}
	}
}

/// `arena-miner run` flags, and the schema of its TOML config file (same names).
#[derive(Clone, Debug, Default, Deserialize, clap::Args)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RunArgs {
	/// WebSocket URL of an Arena node [default: ws://127.0.0.1:9944].
	#[arg(long, env = "ARENA_NODE")]
	pub node: Option<String>,
	/// Secret URI of the miner's hotkey (e.g. `//Bob` on a dev chain). Never logged.
	#[arg(long, env = "ARENA_SURI", hide_env_values = true)]
	pub suri: Option<SecretUri>,
	/// Subnet to mine on.
	#[arg(long, env = "ARENA_NETUID")]
	pub netuid: Option<u16>,
	/// Tensor backend [default: flex].
	#[arg(long, env = "ARENA_BACKEND", value_enum)]
	pub backend: Option<Backend>,
	/// Artifact store: a directory or `s3://bucket/prefix` [default: <base-path>/artifacts].
	#[arg(long, env = "ARENA_STORE")]
	pub store: Option<String>,
	/// Serve the local store over HTTP on this address (e.g. 127.0.0.1:8181); announced on
	/// chain unless `--announce` says otherwise.
	#[arg(long, env = "ARENA_SERVE")]
	pub serve: Option<SocketAddr>,
	/// The endpoint to announce on chain (`https://…` behind a proxy, or `s3://…`)
	/// [default: `http://<serve>`, or the store's `s3://` URL].
	#[arg(long, env = "ARENA_ANNOUNCE")]
	pub announce: Option<String>,
	/// The subnet's corpus: a directory of `*.txt` files or one text file.
	#[arg(long, env = "ARENA_CORPUS")]
	pub corpus: Option<PathBuf>,
	/// Where the miner keeps its round state, error-feedback buffers, fetch cache and CSV
	/// [default: ./arena-miner].
	#[arg(long, env = "ARENA_BASE_PATH")]
	pub base_path: Option<PathBuf>,
	/// Expose Prometheus metrics on 127.0.0.1:<port>/metrics.
	#[arg(long, env = "ARENA_PROMETHEUS_PORT")]
	pub prometheus_port: Option<u16>,
	/// How often to poll the chain, in milliseconds [default: 1000].
	#[arg(long, env = "ARENA_POLL_INTERVAL_MS")]
	pub poll_interval_ms: Option<u64>,
	/// Misbehave on purpose (tests and demo only; needs a build with `--features cheats`):
	/// `MODE` or `MODE@ROUND` (honest before that round).
	#[arg(long, env = "ARENA_CHEAT", hide = true)]
	pub cheat: Option<String>,
}

impl RunArgs {
	/// Reads a TOML config file.
	pub fn from_file(path: &Path) -> Result<Self, MinerError> {
		let text = std::fs::read_to_string(path)
			.map_err(|e| MinerError::Config(format!("{}: {e}", path.display())))?;
		Self::from_toml(&text).map_err(|e| MinerError::Config(format!("{}: {e}", path.display())))
	}

	/// Parses TOML text (unknown keys are an error).
	pub fn from_toml(text: &str) -> Result<Self, MinerError> {
		toml::from_str(text).map_err(|e| MinerError::Config(e.to_string()))
	}

	/// Every field of `self` that is set, else `other`'s.
	pub fn or(self, other: RunArgs) -> RunArgs {
		RunArgs {
			node: self.node.or(other.node),
			suri: self.suri.or(other.suri),
			netuid: self.netuid.or(other.netuid),
			backend: self.backend.or(other.backend),
			store: self.store.or(other.store),
			serve: self.serve.or(other.serve),
			announce: self.announce.or(other.announce),
			corpus: self.corpus.or(other.corpus),
			base_path: self.base_path.or(other.base_path),
			prometheus_port: self.prometheus_port.or(other.prometheus_port),
			poll_interval_ms: self.poll_interval_ms.or(other.poll_interval_ms),
			cheat: self.cheat.or(other.cheat),
		}
	}
}

/// The resolved settings of a running miner.
#[derive(Clone, Debug)]
pub struct Settings {
	/// Node URL.
	pub node: String,
	/// Hotkey secret.
	pub suri: SecretUri,
	/// Subnet.
	pub netuid: u16,
	/// Backend.
	pub backend: Backend,
	/// Store location (directory or `s3://…`).
	pub store: String,
	/// HTTP serve address.
	pub serve: Option<SocketAddr>,
	/// Endpoint to announce.
	pub announce: Option<String>,
	/// Corpus path.
	pub corpus: PathBuf,
	/// Base path.
	pub base_path: PathBuf,
	/// Prometheus port.
	pub prometheus_port: Option<u16>,
	/// Chain poll interval.
	pub poll_interval: Duration,
	/// Cheat mode name, if any.
	pub cheat: Option<String>,
}

impl Settings {
	/// Merges the command line (with its environment variables) over the config file, then
	/// the defaults; `suri`, `netuid` and `corpus` have none and must be given somewhere.
	pub fn resolve(cli: RunArgs, file: Option<RunArgs>) -> Result<Settings, MinerError> {
		let a = match file {
			Some(f) => cli.or(f),
			None => cli,
		};
		let missing = |what: &str| {
			MinerError::Config(format!(
				"`{what}` is required (flag, ARENA_* variable or config file)"
			))
		};
		let base_path = a.base_path.unwrap_or_else(|| PathBuf::from("arena-miner"));
		let store = a
			.store
			.unwrap_or_else(|| base_path.join("artifacts").display().to_string());
		let poll_ms = a.poll_interval_ms.unwrap_or(DEFAULT_POLL_INTERVAL_MS);
		if poll_ms == 0 {
			return Err(MinerError::Config("`poll-interval-ms` must be > 0".into()));
		}
		if let Some(addr) = a.serve {
			if !addr.ip().is_loopback() {
				tracing::warn!(%addr, "serving artifacts on a non-loopback address");
			}
		}
		Ok(Settings {
			node: a.node.unwrap_or_else(|| DEFAULT_NODE.to_string()),
			suri: a.suri.ok_or_else(|| missing("suri"))?,
			netuid: a.netuid.ok_or_else(|| missing("netuid"))?,
			backend: a.backend.unwrap_or_default(),
			store,
			serve: a.serve,
			announce: a.announce,
			corpus: a.corpus.ok_or_else(|| missing("corpus"))?,
			base_path,
			prometheus_port: a.prometheus_port,
			poll_interval: Duration::from_millis(poll_ms),
			cheat: a.cheat,
		})
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn file() -> RunArgs {
		RunArgs::from_toml(
			r#"
			node = "ws://10.0.0.1:9944"
			suri = "//Bob"
			netuid = 3
			corpus = "/data/corpus"
			base-path = "/var/lib/miner"
			poll-interval-ms = 250
			backend = "flex"
			"#,
		)
		.expect("toml")
	}

	#[test]
	fn command_line_overrides_file_and_file_overrides_defaults() {
		let cli = RunArgs {
			netuid: Some(7),
			..RunArgs::default()
		};
		let s = Settings::resolve(cli, Some(file())).expect("resolve");
		assert_eq!(s.netuid, 7);
		assert_eq!(s.node, "ws://10.0.0.1:9944");
		assert_eq!(s.poll_interval, Duration::from_millis(250));
		assert_eq!(s.store, "/var/lib/miner/artifacts");
		assert_eq!(s.suri.expose(), "//Bob");
	}

	#[test]
	fn resolve_fails_if_suri_is_missing() {
		let cli = RunArgs {
			netuid: Some(1),
			corpus: Some("c".into()),
			..RunArgs::default()
		};
		assert!(matches!(
			Settings::resolve(cli, None),
			Err(MinerError::Config(m)) if m.contains("suri")
		));
	}

	#[test]
	fn file_fails_if_a_key_is_unknown() {
		assert!(RunArgs::from_toml("nodes = \"x\"").is_err());
	}

	#[test]
	fn secret_uri_is_never_printed() {
		let s = Settings::resolve(RunArgs::default(), Some(file())).expect("resolve");
		let shown = format!("{s:?} {}", s.suri);
		assert!(!shown.contains("//Bob"), "{shown}");
	}
}
