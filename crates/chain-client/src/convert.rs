//! subxt's generated runtime types → the plain views of [`crate::types`] (and back for
//! call arguments).

use crate::runtime::runtime_types as rt;
use crate::task::ChainTask;
use crate::types::{
	AccountId, AuditFailure, ChallengeView, CommitmentView, Contribution, Evidence,
	GenesisCheckpoint, Neuron, Phase, RoundState, RoundsInfo,
};

/// Perquintill parts in one.
const QUINTILLION: u128 = 1_000_000_000_000_000_000;

pub(crate) fn phase(p: &rt::arena_rules::round::Phase) -> Phase {
	use rt::arena_rules::round::Phase as P;
	match p {
		P::NotStarted => Phase::NotStarted,
		P::Training => Phase::Training,
		P::DeadlinePassed => Phase::DeadlinePassed,
		P::Auditing => Phase::Auditing,
		P::Voting => Phase::Voting,
		P::Closed => Phase::Closed,
	}
}

pub(crate) fn round(view: rt::pallet_rounds::types::RoundView<AccountId, u32>) -> RoundState {
	let r = view.record;
	RoundState {
		netuid: view.netuid,
		index: r.index,
		start: r.start,
		tempo: r.tempo,
		commit_deadline: r.commit_deadline,
		vote_window: r.vote_window,
		audit_block: r.audit_block,
		checkpoint: r.checkpoint,
		round_seed: r.round_seed,
		audit_seed: r.audit_seed,
		phase: phase(&view.phase),
		blocks_left: view.blocks_left,
		phase_starts: view.phase_starts,
		commitments: view
			.commitments
			.into_iter()
			.map(|(hotkey, c)| CommitmentView {
				hotkey,
				contribution: Contribution {
					update_hash: c.update_hash,
					merkle_root: c.merkle_root,
					steps: c.steps,
					fingerprint: c.fingerprint,
					residual_hash: c.residual_hash,
				},
				previous_residual: c.previous_residual,
				committed_at: c.committed_at,
			})
			.collect(),
		votes: view.votes,
	}
}

pub(crate) fn rounds_info(info: rt::pallet_rounds::types::RoundsInfo) -> RoundsInfo {
	let (commit_deadline, vote_window, allowed_fingerprints) = match info.settings {
		Some(s) => (
			Some(s.commit_deadline),
			Some(s.vote_window),
			s.allowed_fingerprints,
		),
		None => (None, None, Vec::new()),
	};
	RoundsInfo {
		genesis: info.genesis.map(|g| GenesisCheckpoint {
			hash: g.hash,
			size: g.size,
			url: String::from_utf8_lossy(&g.url).into_owned(),
		}),
		commit_deadline,
		vote_window,
		allowed_fingerprints,
		checkpoint: info.checkpoint,
		open_round: info.open_round,
		next_round: info.next_round,
	}
}

pub(crate) fn task(t: &rt::arena_pallet_primitives::TrainingTask) -> ChainTask {
	ChainTask {
		layers: u32::from(t.model.layers),
		width: t.model.width,
		heads: u32::from(t.model.heads),
		context: t.model.context,
		vocab: t.model.vocab,
		corpus: t.corpus,
		inner_steps: t.inner_steps,
		batch_size: t.batch_size,
		topk_density_ppb: t.compression.topk_density.0,
		bits: t.compression.bits,
		audit_segments: t.audit_segments,
		segment_length: t.segment_length,
		tolerance_ppb: t.tolerance.0,
	}
}

fn fraction_u16(parts: u64) -> u16 {
	let scaled = u128::from(parts) * u128::from(u16::MAX) / QUINTILLION;
	u16::try_from(scaled).unwrap_or(u16::MAX)
}

pub(crate) fn neuron(n: rt::arena_pallet_primitives::NeuronInfo<AccountId, u64, u32>) -> Neuron {
	Neuron {
		uid: n.uid,
		hotkey: n.hotkey,
		stake: n.stake,
		validator_permit: n.validator_permit,
		endpoint: (!n.endpoint.is_empty())
			.then(|| String::from_utf8_lossy(&n.endpoint).into_owned()),
		incentive: fraction_u16(n.metrics.incentive.0),
		dividends: fraction_u16(n.metrics.dividends.0),
	}
}

pub(crate) fn failure(f: &rt::pallet_escrow::types::AuditFailure) -> AuditFailure {
	use rt::pallet_escrow::types::AuditFailure as F;
	match f {
		F::SegmentMismatch => AuditFailure::SegmentMismatch,
		F::UpdateMismatch => AuditFailure::UpdateMismatch,
		F::ResidualMismatch => AuditFailure::ResidualMismatch,
		F::BadProof => AuditFailure::BadProof,
		F::BadArtifact => AuditFailure::BadArtifact,
		F::DisallowedBackend => AuditFailure::DisallowedBackend,
	}
}

pub(crate) fn failure_arg(f: AuditFailure) -> rt::pallet_escrow::types::AuditFailure {
	use rt::pallet_escrow::types::AuditFailure as F;
	match f {
		AuditFailure::SegmentMismatch => F::SegmentMismatch,
		AuditFailure::UpdateMismatch => F::UpdateMismatch,
		AuditFailure::ResidualMismatch => F::ResidualMismatch,
		AuditFailure::BadProof => F::BadProof,
		AuditFailure::BadArtifact => F::BadArtifact,
		AuditFailure::DisallowedBackend => F::DisallowedBackend,
	}
}

pub(crate) fn evidence(e: &rt::pallet_escrow::types::Evidence) -> Evidence {
	Evidence {
		reason: failure(&e.reason),
		segment: e.segment,
		merkle_root: e.merkle_root,
		claimed_start: e.claimed_start,
		claimed_end: e.claimed_end,
		recomputed: e.recomputed,
		update_hash: e.update_hash,
	}
}

pub(crate) fn evidence_arg(e: Evidence) -> rt::pallet_escrow::types::Evidence {
	rt::pallet_escrow::types::Evidence {
		reason: failure_arg(e.reason),
		segment: e.segment,
		merkle_root: e.merkle_root,
		claimed_start: e.claimed_start,
		claimed_end: e.claimed_end,
		recomputed: e.recomputed,
		update_hash: e.update_hash,
	}
}

pub(crate) fn challenge(
	netuid: u16,
	c: rt::pallet_escrow::types::ChallengeView<AccountId, u64, u32>,
) -> ChallengeView {
	ChallengeView {
		netuid,
		miner: c.miner,
		round: c.round,
		challenger: c.challenger,
		evidence: evidence(&c.evidence),
		supporters: c.supporters,
		expires_at: c.expires_at,
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn fractions_scale_to_u16() {
		assert_eq!(fraction_u16(0), 0);
		assert_eq!(fraction_u16(QUINTILLION as u64), u16::MAX);
		assert_eq!(fraction_u16((QUINTILLION / 2) as u64), u16::MAX / 2);
	}

	#[test]
	fn audit_failures_round_trip() {
		for f in [
			AuditFailure::SegmentMismatch,
			AuditFailure::UpdateMismatch,
			AuditFailure::ResidualMismatch,
			AuditFailure::BadProof,
			AuditFailure::BadArtifact,
			AuditFailure::DisallowedBackend,
		] {
			assert_eq!(failure(&failure_arg(f)), f);
		}
	}
}
