//! Which artifacts the miner keeps: those of every committed round whose record the chain
//! still stores, i.e. rounds a validator may still audit or an escrow challenge may still
//! re-run (the rounds pallet prunes a record once its escrow window has passed). Everything
//! else in the miner's store is pruned after each commit, so a long-running miner's disk use
//! stays bounded by the escrow window instead of growing every round.

use arena_artifacts::{ArtifactHash, ArtifactKind, KeepSet, PruneReport, Store};
use arena_chain_client::types::RoundIndex;
use arena_training::manifest::RoundManifest;

use crate::error::MinerError;
use crate::persist::RoundRecord;
use crate::phases::Phase;

/// Pins the artifacts of `record` (manifest, update, checkpoint, loss trace, boundary states)
/// under its round. A manifest that is missing or unreadable pins what the record names.
pub async fn pin_round(store: &Store, record: &RoundRecord, keep: &mut KeepSet) {
	let round = u64::from(record.round);
	keep.pin(
		round,
		ArtifactKind::Manifest,
		ArtifactHash(record.manifest_key),
	);
	keep.pin(
		round,
		ArtifactKind::Update,
		ArtifactHash(record.update_hash),
	);
	keep.pin(
		round,
		ArtifactKind::Checkpoint,
		ArtifactHash(record.checkpoint),
	);
	let manifest = match store
		.get(ArtifactKind::Manifest, ArtifactHash(record.manifest_key))
		.await
	{
		Ok(bytes) => RoundManifest::decode(&bytes).map_err(|e| e.to_string()),
		Err(e) => Err(e.to_string()),
	};
	match manifest {
		Ok(m) => {
			keep.pin(
				round,
				ArtifactKind::LossTrace,
				ArtifactHash(m.loss_trace_hash),
			);
			for h in m.state_hashes {
				keep.pin(round, ArtifactKind::State, ArtifactHash(h));
			}
		},
		Err(e) => tracing::warn!(
			round = record.round,
			error = %e,
			"round manifest unreadable: its states cannot be pinned"
		),
	}
}

/// Prunes `store` down to the artifacts of the `records` for which `still_needed(round)`
/// holds, and of the newest record in any case.
pub async fn prune_store(
	store: &Store,
	records: &[RoundRecord],
	still_needed: impl Fn(RoundIndex) -> bool,
) -> Result<PruneReport, MinerError> {
	let mut keep = KeepSet::new();
	let newest = records.iter().map(|r| r.round).max();
	for r in records {
		if Some(r.round) == newest || still_needed(r.round) {
			pin_round(store, r, &mut keep).await;
		}
	}
	store
		.prune_to(&keep)
		.await
		.map_err(MinerError::artifact(Phase::Serve))
}
