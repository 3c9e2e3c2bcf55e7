//! Re-running another validator's challenge before supporting it (SPEC §5): the evidence
//! names the miner, the round, the reason and the segment; this module re-fetches the
//! miner's artifacts and re-runs the same check. Only a failure **with the same reason**
//! (and, for a segment mismatch, on the same segment with the same claimed boundary
//! hashes) reproduces it.
//!
//! Data-availability reasons (`BadArtifact`) are judged on what the miner serves now: a
//! miner that serves its artifacts again by the time others check is not supported against.
//!
//! A segment mismatch on a warm-up segment ([`arena_rules::round::tolerance_checkable`]) is
//! only confirmed by a validator on the miner's own backend (bitwise): across backends, honest
//! warm-up errors exceed ε, so a tolerance re-run there proves nothing.

use arena_chain_client::port::ChainView;
use arena_chain_client::types::{AuditFailure, ChallengeView};
use arena_training::BackendFingerprint;

use crate::audit::NO_SEGMENT;
use crate::env::{AuditEnv, RoundData};
use crate::error::ValidatorError;

/// The outcome of re-running a challenge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
	/// The same failure happened again: support it.
	Reproduced {
		/// What failed.
		detail: String,
	},
	/// It did not: do not support.
	NotReproduced {
		/// Why not.
		detail: String,
	},
}

impl Verdict {
	/// Whether the failure was reproduced.
	pub fn reproduced(&self) -> bool {
		matches!(self, Verdict::Reproduced { .. })
	}
}

fn not(detail: impl Into<String>) -> Verdict {
	Verdict::NotReproduced {
		detail: detail.into(),
	}
}

/// Re-runs `challenge`'s evidence (see the module docs).
pub async fn verify_challenge<C: ChainView>(
	chain: &C,
	env: &AuditEnv,
	challenge: &ChallengeView,
) -> Result<Verdict, ValidatorError> {
	let ev = &challenge.evidence;
	let Some(state) = chain.round(env.netuid, challenge.round).await? else {
		return Ok(not(format!(
			"round {} is no longer stored",
			challenge.round
		)));
	};
	let Some(commitment) = state.commitment_of(&challenge.miner) else {
		return Ok(not("the miner committed nothing in that round"));
	};
	if commitment.contribution.merkle_root != ev.merkle_root
		|| commitment.contribution.update_hash != ev.update_hash
	{
		return Ok(not("the evidence names another commitment"));
	}
	let Some(data) = RoundData::load(chain, env, &state).await? else {
		return Ok(not("the round's seeds are not known yet"));
	};
	let n_segments = data.config.num_segments() as u32;
	let segments = if ev.reason == AuditFailure::SegmentMismatch {
		if ev.segment >= n_segments {
			return Ok(not(format!("segment {} is out of range", ev.segment)));
		}
		let same_backend =
			commitment.contribution.fingerprint == BackendFingerprint::of(&env.device).hash();
		if !same_backend
			&& !arena_rules::round::tolerance_checkable(
				ev.segment,
				n_segments,
				data.config.segment_len,
			) {
			return Ok(not(format!(
				"segment {} is in AdamW's warm-up, which only the miner's own backend can re-run",
				ev.segment
			)));
		}
		vec![ev.segment]
	} else {
		Vec::new()
	};
	let audit = data.audit(env, commitment, segments).await;
	Ok(match audit.failure {
		None => not("every check passed"),
		Some(f) if f.evidence.reason != ev.reason => not(format!(
			"failed for another reason: {:?} ({})",
			f.evidence.reason, f.detail
		)),
		Some(f)
			if ev.reason == AuditFailure::SegmentMismatch
				&& (f.evidence.segment != ev.segment
					|| f.evidence.claimed_start != ev.claimed_start
					|| f.evidence.claimed_end != ev.claimed_end) =>
		{
			not(format!(
				"segment mismatch, but not the one in the evidence ({})",
				f.detail
			))
		},
		Some(f) => Verdict::Reproduced {
			detail: if f.evidence.segment == NO_SEGMENT {
				f.detail
			} else {
				format!("segment {}: {}", f.evidence.segment, f.detail)
			},
		},
	})
}
