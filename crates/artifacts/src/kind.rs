//! The kinds of artifact a round produces (SPEC §6).

use std::fmt;
use std::str::FromStr;

use crate::error::ArtifactError;

/// What an artifact is. Each kind has its own directory (local) or key prefix (S3), named by
/// [`ArtifactKind::as_str`], and its own size limit ([`crate::SizeLimits`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ArtifactKind {
	/// A model checkpoint (`arena-checkpoint/1` safetensors), `C_r`.
	Checkpoint,
	/// A miner's compressed update (`ARNUPDT` format).
	Update,
	/// A boundary training state (`ARNSTATE` canonical bytes) that an audit re-runs from.
	State,
	/// A miner's per-step loss trace.
	LossTrace,
}

impl ArtifactKind {
	/// Every kind, in a fixed order.
	pub const ALL: [ArtifactKind; 4] = [
		ArtifactKind::Checkpoint,
		ArtifactKind::Update,
		ArtifactKind::State,
		ArtifactKind::LossTrace,
	];

	/// The name used in paths and URLs: `checkpoint`, `update`, `state`, `loss-trace`.
	pub fn as_str(self) -> &'static str {
		match self {
			ArtifactKind::Checkpoint => "checkpoint",
			ArtifactKind::Update => "update",
			ArtifactKind::State => "state",
			ArtifactKind::LossTrace => "loss-trace",
		}
	}
}

impl fmt::Display for ArtifactKind {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str(self.as_str())
	}
}

impl FromStr for ArtifactKind {
	type Err = ArtifactError;
	fn from_str(s: &str) -> Result<Self, Self::Err> {
		ArtifactKind::ALL
			.into_iter()
			.find(|k| k.as_str() == s)
			.ok_or_else(|| ArtifactError::UnknownKind(s.chars().take(40).collect()))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn names_round_trip() {
		for k in ArtifactKind::ALL {
			assert_eq!(k.as_str().parse::<ArtifactKind>().ok(), Some(k));
		}
	}

	#[test]
	fn parse_fails_if_kind_is_unknown() {
		assert!(matches!(
			"weights".parse::<ArtifactKind>(),
			Err(ArtifactError::UnknownKind(_))
		));
	}
}
