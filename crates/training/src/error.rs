//! Typed errors of the training core.
//!
//! Every fallible entry point returns [`TrainingError`] (or one of the narrower errors it wraps),
//! so callers can tell a malformed input (a miner's bytes, a corrupt file) from a local failure.

use thiserror::Error;

/// A training configuration that cannot be used.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ConfigError {
	/// A value is zero, negative, not finite or out of its allowed range.
	#[error("config field `{field}` is invalid: {reason}")]
	Invalid {
		/// The field's name.
		field: &'static str,
		/// What is wrong with it.
		reason: String,
	},
}

/// A text corpus that cannot be loaded or split.
#[derive(Debug, Error)]
pub enum CorpusError {
	/// Reading the directory or a file failed.
	#[error("corpus I/O error at {path}: {source}")]
	Io {
		/// The path that failed.
		path: String,
		/// The underlying error.
		source: std::io::Error,
	},
	/// The directory holds no `*.txt` file.
	#[error("corpus directory {0} contains no *.txt files")]
	Empty(String),
	/// A split is too short to cut one training window from it.
	#[error("corpus {split} split has {len} bytes, needs at least {needed}")]
	TooSmall {
		/// `train` or `validation`.
		split: &'static str,
		/// Its length in bytes.
		len: usize,
		/// The minimum length.
		needed: usize,
	},
}

/// A serialised training state (parameters, moments, error feedback) that is malformed.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum StateError {
	/// The bytes end before the structure does.
	#[error("state bytes truncated")]
	Truncated,
	/// Bytes remain after the structure.
	#[error("state bytes have {0} trailing bytes")]
	TrailingBytes(usize),
	/// Wrong magic number.
	#[error("not an Arena state (bad magic)")]
	BadMagic,
	/// A format version this build does not read.
	#[error("unsupported state format version {0}")]
	UnsupportedVersion(u32),
	/// The tensors do not match the model's parameter layout.
	#[error("state layout mismatch: {0}")]
	LayoutMismatch(String),
	/// A value is NaN or infinite.
	#[error("state tensor `{0}` holds a NaN or infinite value")]
	NonFinite(String),
}

/// A checkpoint file that is malformed or does not fit the model.
#[derive(Debug, Error)]
pub enum CheckpointError {
	/// The safetensors container is invalid.
	#[error("invalid safetensors checkpoint: {0}")]
	Container(String),
	/// The format tag is missing or unknown.
	#[error("unsupported checkpoint format `{0}`")]
	UnsupportedFormat(String),
	/// A tensor is missing, extra, of the wrong dtype or shape.
	#[error("checkpoint layout mismatch: {0}")]
	LayoutMismatch(String),
	/// A value is NaN or infinite.
	#[error("checkpoint tensor `{0}` holds a NaN or infinite value")]
	NonFinite(String),
	/// The content hash differs from the expected one.
	#[error("checkpoint hash mismatch: expected {expected}, got {actual}")]
	HashMismatch {
		/// Expected hex hash.
		expected: String,
		/// Hash of the bytes.
		actual: String,
	},
	/// Reading or writing the file failed.
	#[error("checkpoint I/O error: {0}")]
	Io(#[from] std::io::Error),
}

/// Update bytes that are malformed; see [`crate::update_format`].
#[derive(Debug, Error, Clone, PartialEq)]
pub enum UpdateFormatError {
	/// Fewer bytes than the fixed header.
	#[error("update truncated: {len} bytes, need at least {needed}")]
	Truncated {
		/// Length received.
		len: usize,
		/// Length needed to continue parsing.
		needed: usize,
	},
	/// Longer than any valid update for this layout and compression setting.
	#[error("update of {len} bytes exceeds the maximum {max}")]
	Oversized {
		/// Length received.
		len: usize,
		/// Maximum valid length.
		max: usize,
	},
	/// Bytes after the payload.
	#[error("update has {0} trailing bytes")]
	TrailingBytes(usize),
	/// Wrong magic number.
	#[error("not an Arena update (bad magic)")]
	BadMagic,
	/// A format version this build does not read.
	#[error("unsupported update format version {0}")]
	UnsupportedVersion(u16),
	/// Compression parameters differ from the subnet's.
	#[error("update compression parameters differ from the config: {0}")]
	ParameterMismatch(String),
	/// Tensor shapes differ from the model's.
	#[error("update shapes differ from the model: {0}")]
	ShapeMismatch(String),
	/// Payload hash in the header does not match the payload.
	#[error("update payload hash mismatch")]
	PayloadHashMismatch,
	/// Hash of the whole update differs from the committed hash.
	#[error("update hash differs from the committed hash")]
	CommittedHashMismatch,
	/// A scale is NaN, infinite or negative.
	#[error("update chunk {chunk} has a non-finite or negative scale")]
	NonFinite {
		/// Chunk index.
		chunk: usize,
	},
	/// A chunk lists more entries than allowed.
	#[error("update chunk {chunk} has {count} entries, at most {max} allowed")]
	TooManyEntries {
		/// Chunk index.
		chunk: usize,
		/// Entries listed.
		count: usize,
		/// Maximum.
		max: usize,
	},
	/// An index outside the chunk.
	#[error("update chunk {chunk} has an invalid index")]
	BadIndex {
		/// Chunk index.
		chunk: usize,
	},
	/// Non-zero padding bits after a chunk's indices or codes (every update has exactly one
	/// valid encoding).
	#[error("update chunk {chunk} has non-zero padding bits")]
	NonCanonical {
		/// Chunk index.
		chunk: usize,
	},
	/// A quantised code outside `[-L, L]`.
	#[error("update chunk {chunk} has a code outside the quantisation range")]
	CodeOutOfRange {
		/// Chunk index.
		chunk: usize,
	},
}

/// Any failure of the training core.
#[derive(Debug, Error)]
pub enum TrainingError {
	/// Invalid configuration.
	#[error(transparent)]
	Config(#[from] ConfigError),
	/// Corpus problem.
	#[error(transparent)]
	Corpus(#[from] CorpusError),
	/// Malformed state.
	#[error(transparent)]
	State(#[from] StateError),
	/// Malformed checkpoint.
	#[error(transparent)]
	Checkpoint(#[from] CheckpointError),
	/// Malformed update.
	#[error(transparent)]
	Update(#[from] UpdateFormatError),
	/// Inputs that do not fit together (e.g. a state for another model).
	#[error("inconsistent input: {0}")]
	Inconsistent(String),
	/// The tensor backend failed (reading a tensor back, device errors).
	#[error("backend error: {0}")]
	Backend(String),
	/// The caller stopped a round from its [`crate::RoundSink`] (a state could not be stored,
	/// or the round cannot be committed any more).
	#[error("round stopped: {0}")]
	Stopped(String),
	/// Training diverged (loss became NaN or infinite).
	#[error("training diverged at step {step}: loss {loss}")]
	Diverged {
		/// Step index.
		step: u64,
		/// The loss value.
		loss: f32,
	},
}

/// Result alias for the training core.
pub type Result<T, E = TrainingError> = std::result::Result<T, E>;
