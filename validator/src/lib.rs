//! # arena-validator
//!
//! The validator's library: it shadow-audits miners' rounds, scores their updates, sets
//! weights (directly or by commit-reveal), challenges failed audits and supports other
//! validators' challenges after re-running them, aggregates the accepted updates into the
//! next checkpoint, serves it and votes its hash (SPEC §5–§6). The binary (`main.rs`) only
//! parses flags and wires these parts to a node.
//!
//! | concern | module |
//! | --- | --- |
//! | the loop: one tick per poll, steps per round phase, persisted progress | [`validator`], [`state`] |
//! | loop steps and their errors, `Desync` | [`error`] |
//! | settings file (`--config validator.toml`) | [`config`] |
//! | which miners and segments to audit | [`select`] |
//! | fetching and auditing one miner | [`audit`], [`artifacts`], [`env`] |
//! | CPU-heavy work off the async workers | [`compute`] |
//! | weights from audit results and usefulness | [`score`] |
//! | the next checkpoint, computed identically by every validator | [`aggregate`] |
//! | re-running another validator's challenge | [`verify_challenge`] |
//! | the owner's genesis checkpoint | [`genesis`] |
//! | Prometheus metrics, per-round CSV, loss-curve PNG | [`metrics`], [`report`] |
//!
//! Chain access goes only through [`arena_chain_client::port::ValidatorChain`], so tests run
//! the loop against an in-memory chain.

pub mod aggregate;
pub mod artifacts;
pub mod audit;
pub mod compute;
pub mod config;
pub mod env;
pub mod error;
pub mod genesis;
pub mod metrics;
pub mod report;
pub mod score;
pub mod select;
pub mod state;
pub mod validator;
pub mod verify_challenge;

pub use artifacts::{limits_for, Artifacts};
pub use audit::{audit_miner, Failure, MinerAudit, MinerTarget, RoundInputs};
pub use config::ValidatorSettings;
pub use env::{AuditEnv, RoundData};
pub use error::{LoopStep, StepError, ValidatorError};
pub use genesis::{create_genesis, genesis_checkpoint, GenesisInfo, TrainingConfigFile};
pub use metrics::{serve_metrics, Metrics};
pub use validator::{TickReport, Validator};
pub use verify_challenge::{verify_challenge, Verdict};

/// The compute device for a `--backend` name: `flex` (CPU, always built) or `wgpu` (with the
/// `wgpu` cargo feature).
pub fn device_for(backend: &str) -> Result<arena_training::Device, ValidatorError> {
	match backend {
		"flex" | "cpu" => Ok(arena_training::default_device()),
		#[cfg(feature = "wgpu")]
		"wgpu" => Ok(arena_training::Device::wgpu(burn_device_kind())),
		other => Err(ValidatorError::Config {
			what: "backend".into(),
			reason: format!(
				"{other:?} is not built in (flex{})",
				if cfg!(feature = "wgpu") { ", wgpu" } else { "" }
			),
		}),
	}
}

#[cfg(feature = "wgpu")]
fn burn_device_kind() -> burn::prelude::DeviceKind {
	burn::prelude::DeviceKind::DefaultDevice
}
