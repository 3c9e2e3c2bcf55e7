//! The validator's tunable settings (`--config validator.toml`), all optional with defaults.
//!
//! ```toml
//! poll_interval_ms = 1000        # how often the chain is polled
//! max_audited_miners = 16        # segment audits per round: all miners if at most this many
//! # audit_segments = 2           # override of the task's `s` (segments per audited miner)
//! miner_fetch_timeout_s = 300    # all artifacts of one miner must arrive within this
//! connect_timeout_s = 10
//! idle_timeout_s = 30
//! fetch_attempts = 3
//! weights_version = 0            # version key of weight commits / sets
//! ```

use std::path::Path;
use std::time::Duration;

use arena_artifacts::{FetchConfig, RetryPolicy};
use serde::{Deserialize, Serialize};

use crate::error::ValidatorError;

/// Settings of the validation loop.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ValidatorSettings {
	/// Milliseconds between two polls of the chain.
	pub poll_interval_ms: u64,
	/// At most this many miners get segment audits per round (all of them when fewer
	/// committed); every committed miner gets the manifest and update checks.
	pub max_audited_miners: usize,
	/// Override of the segments audited per selected miner (default: the chain task's `s`).
	pub audit_segments: Option<u32>,
	/// Seconds allowed to fetch all artifacts of one miner (manifest, states, update); past it
	/// the audit fails with `BadArtifact`.
	pub miner_fetch_timeout_s: u64,
	/// Seconds allowed to open a connection to an artifact server.
	pub connect_timeout_s: u64,
	/// Seconds a server may stay silent in a response.
	pub idle_timeout_s: u64,
	/// Fetch attempts per artifact (transient errors only are retried).
	pub fetch_attempts: u32,
	/// Version key of the weights set or committed.
	pub weights_version: u64,
}

impl Default for ValidatorSettings {
	fn default() -> Self {
		Self {
			poll_interval_ms: 1000,
			max_audited_miners: 16,
			audit_segments: None,
			miner_fetch_timeout_s: 300,
			connect_timeout_s: 10,
			idle_timeout_s: 30,
			fetch_attempts: 3,
			weights_version: 0,
		}
	}
}

impl ValidatorSettings {
	/// Reads a TOML file (missing keys take their defaults; unknown keys are an error).
	pub fn load(path: &Path) -> Result<Self, ValidatorError> {
		let text = std::fs::read_to_string(path).map_err(|e| ValidatorError::Config {
			what: path.display().to_string(),
			reason: e.to_string(),
		})?;
		toml::from_str(&text).map_err(|e| ValidatorError::Config {
			what: path.display().to_string(),
			reason: e.to_string(),
		})
	}

	/// The poll interval.
	pub fn poll_interval(&self) -> Duration {
		Duration::from_millis(self.poll_interval_ms.max(1))
	}

	/// The per-miner fetch deadline.
	pub fn miner_fetch_timeout(&self) -> Duration {
		Duration::from_secs(self.miner_fetch_timeout_s.max(1))
	}

	/// Fetcher timeouts and retries from these settings.
	pub fn fetch_config(&self) -> FetchConfig {
		FetchConfig {
			connect_timeout: Duration::from_secs(self.connect_timeout_s.max(1)),
			idle_timeout: Duration::from_secs(self.idle_timeout_s.max(1)),
			attempt_timeout: self.miner_fetch_timeout(),
			retry: RetryPolicy {
				max_attempts: self.fetch_attempts.max(1),
				initial_backoff: Duration::from_millis(200),
				max_backoff: Duration::from_secs(5),
			},
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn partial_file_keeps_defaults_for_missing_keys() {
		let s: ValidatorSettings = toml::from_str("audit_segments = 3").unwrap();
		assert_eq!(s.audit_segments, Some(3));
		assert_eq!(
			s.max_audited_miners,
			ValidatorSettings::default().max_audited_miners
		);
	}

	#[test]
	fn load_fails_if_key_is_unknown() {
		let dir = tempfile::tempdir().unwrap();
		let p = dir.path().join("v.toml");
		std::fs::write(&p, "audit_segmnets = 3").unwrap();
		assert!(matches!(
			ValidatorSettings::load(&p),
			Err(ValidatorError::Config { .. })
		));
	}
}
