//! # arena-training — the Arena training core (SPEC §6)
//!
//! Independent of the chain; the miner and validator binaries are built on it so that the
//! validator audits with exactly the code the miner trained with.
//!
//! | rule | module |
//! | --- | --- |
//! | configuration and its validation | [`config`] |
//! | corpus loading, content id, validation split | [`corpus`] |
//! | deterministic ChaCha batch sampling | [`sampler`] |
//! | the causal transformer LM | [`model`] |
//! | fused layer norm, causal softmax, bias + GELU, cross-entropy (Flex kernels) | [`fused`] |
//! | AdamW inner optimiser | [`optimizer`] |
//! | canonical state bytes + BLAKE3 state hash | [`state`] |
//! | Merkle commitment and proofs | [`merkle`] |
//! | round manifest (where an auditor finds the states), loss-trace bytes | [`manifest`] |
//! | content-addressed checkpoints (safetensors) | [`checkpoint`] |
//! | inner loop, trace, commitments | [`trainer`], [`round`] |
//! | error-feedback binding: residual hash, first-round buffer | [`residual`] |
//! | chunked top-k + quantisation with error feedback | [`compression`] |
//! | versioned update bytes and strict decoding | [`update_format`] (bit I/O, Rice codes: [`bitstream`]) |
//! | weighted mean + outer Nesterov step | [`outer`] |
//! | shadow audit (bitwise / tolerance) | [`audit`] |
//! | usefulness (validation loss before − after) | [`usefulness`] |
//! | backend fingerprint | [`fingerprint`] |
//! | allocator tuning for training processes | [`allocator`] |
//!
//! Backends: burn 0.22.1 picks the device at run time. The default build has only the
//! `flex` CPU backend; `wgpu` (and `vulkan`, SPIR-V) are opt-in cargo features. `cuda` is an
//! opt-in feature for online machines only: with burn 0.22 its build script downloads LLVM,
//! which cannot run on our offline machines, so it is never in the default build or CI; every
//! code path here is device-generic.

pub mod allocator;
pub mod audit;
pub mod bitstream;
pub mod checkpoint;
pub mod compression;
pub mod config;
pub mod corpus;
pub mod error;
pub mod fingerprint;
pub mod fused;
pub mod manifest;
pub mod merkle;
pub mod model;
pub mod optimizer;
pub mod outer;
pub mod params;
pub mod residual;
pub mod round;
pub mod sampler;
pub mod state;
pub mod trainer;
pub mod update_format;
pub mod usefulness;

pub use audit::{
	audit_segment, audit_update, AuditMode, AuditOutcome, AuditReport, MinerContext,
	RelativeErrors, RoundContext, SegmentEvidence, ToleranceQuantity,
};
pub use burn::prelude::Device;
pub use checkpoint::Checkpoint;
pub use config::TrainingConfig;
pub use corpus::Corpus;
pub use error::{Result, TrainingError};
pub use fingerprint::BackendFingerprint;
pub use manifest::{manifest_key, CommittedFields, ManifestError, RoundManifest};
pub use outer::{outer_step, WeightedUpdate};
pub use residual::residual_hash;
pub use round::{RoundArtifacts, RoundCommitment, StreamedRound};
pub use state::{Hash32, TrainState};
pub use trainer::{
	resume_round_streaming, run_segment, train_round, train_round_streaming, ResumePoint, RoundSink,
};
pub use usefulness::{usefulness, Usefulness};

/// The default device of this build: Flex (CPU) when the `flex` feature is on, otherwise
/// burn's default (the first enabled backend).
pub fn default_device() -> Device {
	#[cfg(feature = "flex")]
	{
		Device::flex()
	}
	#[cfg(not(feature = "flex"))]
	{
		Device::default()
	}
}

/// The default wgpu (GPU) device, in builds with the `wgpu` feature.
#[cfg(feature = "wgpu")]
pub fn wgpu_device() -> Device {
	Device::wgpu(burn::prelude::DeviceKind::DefaultDevice)
}
