//! Retention: keep what an open escrow window may still need, prune the rest, report usage.
//!
//! A challenge during escrow re-runs a segment of a past round, so the states, updates and
//! checkpoints of every round whose escrow is still open must stay. A program pins each
//! artifact under its round in a [`KeepSet`], calls [`KeepSet::release_before`] with the
//! oldest round whose escrow is still open, and prunes everything not pinned.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::ArtifactError;
use crate::hash::ArtifactHash;
use crate::kind::ArtifactKind;
use crate::store::Store;

/// Bytes and artifact counts per kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Usage {
	/// `(kind, artifacts, bytes)` for every kind, in [`ArtifactKind::ALL`] order.
	pub per_kind: Vec<(ArtifactKind, u64, u64)>,
}

impl Usage {
	/// Total bytes over all kinds.
	pub fn total_bytes(&self) -> u64 {
		self.per_kind
			.iter()
			.map(|(_, _, b)| *b)
			.fold(0, u64::saturating_add)
	}

	/// Bytes of one kind.
	pub fn bytes(&self, kind: ArtifactKind) -> u64 {
		self.per_kind
			.iter()
			.find(|(k, _, _)| *k == kind)
			.map_or(0, |(_, _, b)| *b)
	}

	/// Number of artifacts of one kind.
	pub fn count(&self, kind: ArtifactKind) -> u64 {
		self.per_kind
			.iter()
			.find(|(k, _, _)| *k == kind)
			.map_or(0, |(_, n, _)| *n)
	}
}

/// What a prune did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PruneReport {
	/// Artifacts kept.
	pub kept: u64,
	/// Artifacts removed.
	pub removed: u64,
	/// Bytes freed.
	pub freed_bytes: u64,
}

/// Artifacts pinned by the round that needs them.
#[derive(Clone, Debug, Default)]
pub struct KeepSet {
	rounds: BTreeMap<u64, BTreeSet<(ArtifactKind, ArtifactHash)>>,
}

impl KeepSet {
	/// An empty set.
	pub fn new() -> Self {
		Self::default()
	}

	/// Pins an artifact for `round` (an artifact may be pinned by several rounds).
	pub fn pin(&mut self, round: u64, kind: ArtifactKind, hash: ArtifactHash) {
		self.rounds.entry(round).or_default().insert((kind, hash));
	}

	/// Forgets every round before `oldest_open` (their escrow windows have closed).
	pub fn release_before(&mut self, oldest_open: u64) {
		self.rounds = self.rounds.split_off(&oldest_open);
	}

	/// Whether any remaining round pins the artifact.
	pub fn contains(&self, kind: ArtifactKind, hash: &ArtifactHash) -> bool {
		self.rounds.values().any(|s| s.contains(&(kind, *hash)))
	}
}

impl Store {
	/// Removes every artifact for which `keep(kind, hash)` is false; in a local store also
	/// removes temporary files left by a crash ([`crate::local::STALE_TEMP_AGE`]).
	pub async fn prune(
		&self,
		keep: impl Fn(ArtifactKind, &ArtifactHash) -> bool,
	) -> Result<PruneReport, ArtifactError> {
		let mut report = PruneReport::default();
		for kind in ArtifactKind::ALL {
			for info in self.list(kind).await? {
				if keep(kind, &info.hash) {
					report.kept += 1;
				} else {
					self.delete(kind, info.hash).await?;
					report.removed += 1;
					report.freed_bytes = report.freed_bytes.saturating_add(info.size);
					tracing::debug!(%kind, hash = %info.hash, size = info.size, "pruned artifact");
				}
			}
		}
		if let Store::Local(s) = self {
			s.remove_stale_temp_files(crate::local::STALE_TEMP_AGE)
				.await?;
		}
		Ok(report)
	}

	/// Removes every artifact that `keep` does not pin.
	pub async fn prune_to(&self, keep: &KeepSet) -> Result<PruneReport, ArtifactError> {
		self.prune(|kind, hash| keep.contains(kind, hash)).await
	}

	/// Bytes and artifact counts per kind.
	pub async fn usage(&self) -> Result<Usage, ArtifactError> {
		let mut usage = Usage::default();
		for kind in ArtifactKind::ALL {
			let list = self.list(kind).await?;
			let bytes = list.iter().map(|i| i.size).fold(0, u64::saturating_add);
			usage.per_kind.push((kind, list.len() as u64, bytes));
		}
		Ok(usage)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn keep_set_forgets_rounds_before_the_oldest_open_one() {
		let mut k = KeepSet::new();
		let a = ArtifactHash::of(b"a");
		let b = ArtifactHash::of(b"b");
		k.pin(1, ArtifactKind::State, a);
		k.pin(3, ArtifactKind::State, b);
		k.release_before(2);
		assert!(!k.contains(ArtifactKind::State, &a));
		assert!(k.contains(ArtifactKind::State, &b));
	}

	#[test]
	fn keep_set_keeps_an_artifact_pinned_by_a_later_round() {
		let mut k = KeepSet::new();
		let a = ArtifactHash::of(b"a");
		k.pin(1, ArtifactKind::Checkpoint, a);
		k.pin(5, ArtifactKind::Checkpoint, a);
		k.release_before(2);
		assert!(k.contains(ArtifactKind::Checkpoint, &a));
		assert!(!k.contains(ArtifactKind::State, &a));
	}
}
