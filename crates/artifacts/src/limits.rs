//! Per-kind size limits, derived from the round's training task.

use crate::error::ArtifactError;
use crate::kind::ArtifactKind;

/// Room for headers, tensor names and shapes on top of the raw `f32` values: 1 MiB.
pub const HEADER_SLACK: u64 = 1 << 20;

/// Default limit for a loss trace: 16 MiB (two million `f64` losses).
pub const DEFAULT_LOSS_TRACE_LIMIT: u64 = 16 << 20;

/// Room for a manifest's fixed fields on top of its state hashes: 4 KiB.
pub const MANIFEST_HEADER_SLACK: u64 = 4096;

/// Default limit for a manifest: enough for the largest valid task (1,000,001 state hashes of
/// 32 bytes, plus [`MANIFEST_HEADER_SLACK`]). Use [`SizeLimits::with_manifest_leaves`] for
/// a task's exact need.
pub const DEFAULT_MANIFEST_LIMIT: u64 = 32 * 1_000_001 + MANIFEST_HEADER_SLACK;

/// The largest artifact of each kind a store accepts, reads or fetches, in bytes.
///
/// Every read compares the stored (or announced, or streamed) size against the kind's limit
/// before hashing, so a lying peer cannot make a program buffer more than the limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SizeLimits {
	/// Checkpoint limit.
	pub checkpoint: u64,
	/// Compressed-update limit.
	pub update: u64,
	/// Training-state limit.
	pub state: u64,
	/// Loss-trace limit.
	pub loss_trace: u64,
	/// Manifest limit.
	pub manifest: u64,
}

impl SizeLimits {
	/// Limits for a model of `params` parameters (`P`), with `S` = [`HEADER_SLACK`]:
	///
	/// * checkpoint = 2 · 4 · P + S: parameters and the outer Nesterov momentum, `f32` each
	///   (`arena-checkpoint/1`);
	/// * state = 4 · 4 · P + S: θ, AdamW m and v, and the error-feedback buffer (`ARNSTATE`);
	/// * update = 4 · P + S: the dense `f32` size. A compressed update (top-k, ≤ 8-bit codes,
	///   Rice-coded indices) is always smaller; `arena_training::update_format::max_encoded_len`
	///   gives the exact bound for a compression setting (use [`SizeLimits::with`] to set it);
	/// * loss trace = [`DEFAULT_LOSS_TRACE_LIMIT`];
	/// * manifest = [`DEFAULT_MANIFEST_LIMIT`] (set a task's own with
	///   [`SizeLimits::with_manifest_leaves`]).
	///
	/// All arithmetic saturates at `u64::MAX`.
	pub fn from_param_count(params: u64) -> Self {
		let dense = params.saturating_mul(4);
		Self {
			checkpoint: dense.saturating_mul(2).saturating_add(HEADER_SLACK),
			update: dense.saturating_add(HEADER_SLACK),
			state: dense.saturating_mul(4).saturating_add(HEADER_SLACK),
			loss_trace: DEFAULT_LOSS_TRACE_LIMIT,
			manifest: DEFAULT_MANIFEST_LIMIT,
		}
	}

	/// These limits with the manifest limit of a task with `n_leaves` committed states
	/// (`H / c + 1`): `32 · n_leaves +` [`MANIFEST_HEADER_SLACK`], saturating.
	pub fn with_manifest_leaves(self, n_leaves: u64) -> Self {
		self.with(
			ArtifactKind::Manifest,
			n_leaves
				.saturating_mul(32)
				.saturating_add(MANIFEST_HEADER_SLACK),
		)
	}

	/// The same limit for every kind.
	pub fn uniform(limit: u64) -> Self {
		Self {
			checkpoint: limit,
			update: limit,
			state: limit,
			loss_trace: limit,
			manifest: limit,
		}
	}

	/// These limits with `kind`'s set to `limit`.
	pub fn with(mut self, kind: ArtifactKind, limit: u64) -> Self {
		match kind {
			ArtifactKind::Checkpoint => self.checkpoint = limit,
			ArtifactKind::Update => self.update = limit,
			ArtifactKind::State => self.state = limit,
			ArtifactKind::LossTrace => self.loss_trace = limit,
			ArtifactKind::Manifest => self.manifest = limit,
		}
		self
	}

	/// The limit for `kind`.
	pub fn limit(&self, kind: ArtifactKind) -> u64 {
		match kind {
			ArtifactKind::Checkpoint => self.checkpoint,
			ArtifactKind::Update => self.update,
			ArtifactKind::State => self.state,
			ArtifactKind::LossTrace => self.loss_trace,
			ArtifactKind::Manifest => self.manifest,
		}
	}

	/// `Ok` if `size` bytes fit `kind`'s limit, else [`ArtifactError::TooLarge`].
	pub fn check(&self, kind: ArtifactKind, size: u64) -> Result<(), ArtifactError> {
		let limit = self.limit(kind);
		if size > limit {
			return Err(ArtifactError::TooLarge { kind, limit, size });
		}
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn from_param_count_follows_the_documented_formula() {
		let l = SizeLimits::from_param_count(1_000);
		assert_eq!(l.checkpoint, 8_000 + HEADER_SLACK);
		assert_eq!(l.state, 16_000 + HEADER_SLACK);
		assert_eq!(l.update, 4_000 + HEADER_SLACK);
		assert_eq!(l.loss_trace, DEFAULT_LOSS_TRACE_LIMIT);
		assert_eq!(l.manifest, DEFAULT_MANIFEST_LIMIT);
		let t = l.with_manifest_leaves(5);
		assert_eq!(t.manifest, 160 + MANIFEST_HEADER_SLACK);
		assert_eq!(t.state, l.state);
	}

	#[test]
	fn from_param_count_saturates_instead_of_overflowing() {
		let l = SizeLimits::from_param_count(u64::MAX);
		assert_eq!(l.state, u64::MAX);
	}

	#[test]
	fn check_fails_if_size_exceeds_limit() {
		let l = SizeLimits::uniform(10).with(ArtifactKind::State, 20);
		assert!(l.check(ArtifactKind::State, 20).is_ok());
		assert!(matches!(
			l.check(ArtifactKind::Update, 11),
			Err(ArtifactError::TooLarge {
				limit: 10,
				size: 11,
				..
			})
		));
	}
}
