//! The per-round CSV (`<base-path>/rounds.csv`): one line per committed round.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::MinerError;
use crate::persist::RoundRecord;

/// The CSV header.
pub const HEADER: &str =
	"round,steps,final_loss,tokens_per_sec,train_seconds,upload_seconds,committed_block";

/// An append-only per-round CSV file.
#[derive(Clone, Debug)]
pub struct RoundCsv {
	path: PathBuf,
}

impl RoundCsv {
	/// The CSV at `path` (created with its header on the first line written).
	pub fn new(path: impl Into<PathBuf>) -> Self {
		Self { path: path.into() }
	}

	/// Its path.
	pub fn path(&self) -> &Path {
		&self.path
	}

	/// The line of one round.
	pub fn line(r: &RoundRecord) -> String {
		format!(
			"{},{},{:.6},{:.1},{:.3},{:.3},{}",
			r.round,
			r.steps,
			r.final_loss,
			r.tokens_per_sec,
			r.train_seconds,
			r.upload_seconds,
			r.committed_at.map_or(String::new(), |b| b.to_string())
		)
	}

	/// Appends the line of `r` (and the header first if the file is new).
	pub fn append(&self, r: &RoundRecord) -> Result<(), MinerError> {
		let err = |e: std::io::Error| MinerError::Persist {
			path: self.path.display().to_string(),
			reason: e.to_string(),
		};
		let new = !self.path.exists();
		let mut f = OpenOptions::new()
			.create(true)
			.append(true)
			.open(&self.path)
			.map_err(err)?;
		let mut text = String::new();
		if new {
			text.push_str(HEADER);
			text.push('\n');
		}
		text.push_str(&Self::line(r));
		text.push('\n');
		f.write_all(text.as_bytes()).map_err(err)
	}
}
