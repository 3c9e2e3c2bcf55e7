//! The training task a subnet sets (SPEC §6): what the chain accepts is exactly what the
//! training core can run.
//!
//! The chain stores the task (`pallet-subnets`' `TrainingTask`), the miner and validator turn
//! it into the training core's configuration (`arena_chain_client::task`). Both check it with
//! [`check`] here, so a task the chain accepts always trains, and a task the programs would
//! refuse never reaches the chain. The bounds are the training core's (`TrainingConfig::validate`
//! in `crates/training`); a test in the chain client checks that the two agree on random tasks.
//!
//! ```text
//! vocab            = 256                     (byte-level model)
//! layers           ∈ 1..=MAX_LAYERS          width ∈ 1..=MAX_WIDTH, heads ∈ 1..=MAX_HEADS, heads | width
//! context          ∈ 1..=MAX_CONTEXT
//! inner_steps  H   ∈ 1..=MAX_INNER_STEPS     segment_length c > 0, c | H
//! batch_size       ≥ 1,  batch_size · context < MAX_BATCH_TOKENS
//! top-k density    ∈ (0, 1],  bits ∈ MIN_BITS..=MAX_BITS
//! audit_segments s ∈ 1..=min(MAX_AUDIT_SEGMENTS, H / c)
//! tolerance ε      ∈ (0, 1]
//! ```

/// The vocabulary the training core's byte-level model has.
pub const BYTE_VOCAB: u32 = 256;
/// Most layers.
pub const MAX_LAYERS: u32 = 256;
/// Widest model (the core allows up to 65,536).
pub const MAX_WIDTH: u32 = 65_536;
/// Most attention heads.
pub const MAX_HEADS: u32 = 256;
/// Longest context (the core allows up to 65,536).
pub const MAX_CONTEXT: u32 = 65_536;
/// Most inner steps per round.
pub const MAX_INNER_STEPS: u32 = 1_000_000;
/// `batch_size · context` must stay below this (4 Mi tokens): the CPU backend sums larger
/// tensors in a thread-dependent order, which would break bitwise audits.
pub const MAX_BATCH_TOKENS: u64 = 4 * 1024 * 1024;
/// Fewest quantisation bits.
pub const MIN_BITS: u8 = 2;
/// Most quantisation bits.
pub const MAX_BITS: u8 = 8;
/// Most audited segments per miner.
pub const MAX_AUDIT_SEGMENTS: u16 = 64;
/// Parts per billion in one (densities and tolerances are given in parts per billion).
pub const BILLION: u32 = 1_000_000_000;

/// A training task's numbers, as the chain stores them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskParams {
	/// Transformer layers.
	pub layers: u32,
	/// Model width.
	pub width: u32,
	/// Attention heads.
	pub heads: u32,
	/// Context length (tokens).
	pub context: u32,
	/// Vocabulary size.
	pub vocab: u32,
	/// Inner steps `H` per round.
	pub inner_steps: u32,
	/// Sequences per inner step.
	pub batch_size: u32,
	/// Top-k density in parts per billion.
	pub density_ppb: u32,
	/// Quantisation bits.
	pub bits: u8,
	/// Segments a validator audits per miner.
	pub audit_segments: u16,
	/// Steps `c` per segment.
	pub segment_length: u32,
	/// Cross-backend tolerance `ε` in parts per billion.
	pub tolerance_ppb: u32,
}

/// Why a task is refused (the first failing rule, in the order of the table above).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskError {
	/// The vocabulary is not [`BYTE_VOCAB`].
	Vocabulary,
	/// Layers, width, heads or context out of range, or heads do not divide the width.
	Model,
	/// Inner steps out of range.
	Steps,
	/// `segment_length` zero or not dividing `inner_steps`.
	SegmentLength,
	/// Batch size zero or `batch_size · context ≥ MAX_BATCH_TOKENS`.
	Batch,
	/// Density zero or above one, or bits outside `MIN_BITS..=MAX_BITS`.
	Compression,
	/// Audited segments zero, above [`MAX_AUDIT_SEGMENTS`] or above `H / c`.
	AuditSegments,
	/// Tolerance zero or above one.
	Tolerance,
}

/// Checks a task against the bounds in the module docs.
pub fn check(t: &TaskParams) -> Result<(), TaskError> {
	if t.vocab != BYTE_VOCAB {
		return Err(TaskError::Vocabulary);
	}
	let model_ok = (1..=MAX_LAYERS).contains(&t.layers)
		&& (1..=MAX_WIDTH).contains(&t.width)
		&& (1..=MAX_HEADS).contains(&t.heads)
		&& t.width.checked_rem(t.heads) == Some(0)
		&& (1..=MAX_CONTEXT).contains(&t.context);
	if !model_ok {
		return Err(TaskError::Model);
	}
	if !(1..=MAX_INNER_STEPS).contains(&t.inner_steps) {
		return Err(TaskError::Steps);
	}
	if t.segment_length == 0 || t.inner_steps.checked_rem(t.segment_length) != Some(0) {
		return Err(TaskError::SegmentLength);
	}
	let tokens = u64::from(t.batch_size).saturating_mul(u64::from(t.context));
	if t.batch_size == 0 || tokens >= MAX_BATCH_TOKENS {
		return Err(TaskError::Batch);
	}
	if t.density_ppb == 0 || t.density_ppb > BILLION || !(MIN_BITS..=MAX_BITS).contains(&t.bits) {
		return Err(TaskError::Compression);
	}
	let segments = t.inner_steps.checked_div(t.segment_length).unwrap_or(0);
	if t.audit_segments == 0
		|| t.audit_segments > MAX_AUDIT_SEGMENTS
		|| u32::from(t.audit_segments) > segments
	{
		return Err(TaskError::AuditSegments);
	}
	if t.tolerance_ppb == 0 || t.tolerance_ppb > BILLION {
		return Err(TaskError::Tolerance);
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	/// The training core's default model and round (4 × 256, context 128, H = 400, c = 16).
	fn good() -> TaskParams {
		TaskParams {
			layers: 4,
			width: 256,
			heads: 4,
			context: 128,
			vocab: BYTE_VOCAB,
			inner_steps: 400,
			batch_size: 16,
			density_ppb: 29_296_875,
			bits: 3,
			audit_segments: 2,
			segment_length: 16,
			tolerance_ppb: 10_000_000,
		}
	}

	#[test]
	fn the_core_default_is_accepted() {
		assert_eq!(check(&good()), Ok(()));
	}

	#[test]
	fn check_fails_if_the_vocabulary_is_not_byte_level() {
		let t = TaskParams {
			vocab: 4_096,
			..good()
		};
		assert_eq!(check(&t), Err(TaskError::Vocabulary));
	}

	#[test]
	fn check_fails_if_heads_do_not_divide_the_width() {
		let t = TaskParams { heads: 3, ..good() };
		assert_eq!(check(&t), Err(TaskError::Model));
	}

	#[test]
	fn check_fails_if_the_segment_does_not_divide_the_steps() {
		let t = TaskParams {
			segment_length: 15,
			..good()
		};
		assert_eq!(check(&t), Err(TaskError::SegmentLength));
	}

	#[test]
	fn check_fails_if_a_batch_reaches_the_parallel_sum_limit() {
		let t = TaskParams {
			batch_size: 32_768,
			..good()
		};
		assert_eq!(check(&t), Err(TaskError::Batch));
	}

	#[test]
	fn check_fails_if_bits_are_outside_what_the_core_quantises() {
		for bits in [0, 1, 9, 32] {
			let t = TaskParams { bits, ..good() };
			assert_eq!(check(&t), Err(TaskError::Compression), "bits {bits}");
		}
	}

	#[test]
	fn check_fails_if_more_segments_are_audited_than_there_are() {
		let t = TaskParams {
			audit_segments: 26,
			..good()
		};
		assert_eq!(check(&t), Err(TaskError::AuditSegments));
	}

	#[test]
	fn check_fails_if_the_tolerance_is_zero() {
		let t = TaskParams {
			tolerance_ppb: 0,
			..good()
		};
		assert_eq!(check(&t), Err(TaskError::Tolerance));
	}
}
