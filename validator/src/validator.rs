//! The validation loop: one [`Validator::tick`] per poll, each running the steps the chain's
//! round phase calls for (SPEC §6.5–§6.7):
//!
//! | chain phase | steps |
//! | --- | --- |
//! | any | announce the endpoint once; [`LoopStep::Reveal`] a pending weight commit inside its window; [`LoopStep::Support`] other validators' open challenges that re-run to the same failure |
//! | `Auditing` (once per round) | [`LoopStep::Audit`] every committed miner, [`LoopStep::Weights`] (set, or commit for a later reveal), [`LoopStep::Challenge`] every failed audit |
//! | `Voting` | [`LoopStep::Aggregate`] the accepted updates into `C_{r+1}`, store and serve it, [`LoopStep::Vote`] its hash (again when the accepted set changes) |
//!
//! Each step's failure is a [`StepError`] in the tick's report; the loop logs it and carries
//! on at the next poll. A submission checks first that the chain is still in the round (and
//! phase) the work was for, else it is abandoned with [`ValidatorError::Desync`]. Progress
//! is persisted ([`crate::state`]) so a restart neither repeats nor loses a step.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Instant;

use arena_artifacts::ArtifactKind;
use arena_chain_client::port::ValidatorChain;
use arena_chain_client::types::{AccountId, Phase, RoundIndex, RoundState, WeightsReveal};
use arena_training::{BackendFingerprint, TrainingError};
use bytes::Bytes;

use crate::aggregate::{accepted_updates, next_checkpoint, validation_loss};
use crate::audit::MinerAudit;
use crate::compute::compute;
use crate::env::{AuditEnv, RoundData};
use crate::error::{AtStep, LoopStep, StepError, StepResult, ValidatorError};
use crate::metrics::Metrics;
use crate::report::{append_csv, plot_loss, CsvRow};
use crate::score::{weights, ScoreInput};
use crate::select::{segments_for, select_miners};
use crate::state::{ChallengeKey, PendingReveal, PersistedState, StateFile, VoteRecord};
use crate::verify_challenge::verify_challenge;

/// File name of the per-round CSV in the base path.
pub const CSV_FILE: &str = "rounds.csv";
/// File name of the loss curve in the base path.
pub const PLOT_FILE: &str = "loss.png";

/// What one tick did.
#[derive(Debug, Default)]
pub struct TickReport {
	/// The chain's current round, if any.
	pub round: Option<RoundIndex>,
	/// Its phase.
	pub phase: Option<Phase>,
	/// Steps that ran to completion.
	pub done: Vec<LoopStep>,
	/// Steps that failed.
	pub errors: Vec<StepError>,
}

/// The audit results of the round being worked on.
struct RoundWork {
	round: RoundIndex,
	data: RoundData,
	audits: Vec<MinerAudit>,
	weights: BTreeMap<AccountId, u16>,
	/// The weights could not be set yet (e.g. `SettingWeightsTooFast`: the chain allows one
	/// setting per `tempo` blocks, and this round's audit finished earlier than the last
	/// one's); retried every tick while the round is auditing or voting.
	weights_pending: bool,
}

/// The validator: a chain, local means and persisted progress.
pub struct Validator<C> {
	chain: C,
	env: AuditEnv,
	base_path: PathBuf,
	state_file: StateFile,
	state: PersistedState,
	metrics: Metrics,
	announce_url: Option<String>,
	announced: bool,
	work: Option<RoundWork>,
}

impl<C: ValidatorChain> Validator<C> {
	/// A validator on `chain` keeping its state under `base_path`, announcing `announce_url`
	/// (where its store is served) with `serve_endpoint` on its first tick.
	pub fn new(
		chain: C,
		env: AuditEnv,
		base_path: &Path,
		announce_url: Option<String>,
		metrics: Metrics,
	) -> Result<Self, ValidatorError> {
		let state_file = StateFile::new(base_path);
		let state = state_file.load()?;
		Ok(Self {
			chain,
			env,
			base_path: base_path.to_path_buf(),
			state_file,
			state,
			metrics,
			announce_url,
			announced: false,
			work: None,
		})
	}

	/// The chain.
	pub fn chain(&self) -> &C {
		&self.chain
	}

	/// The persisted progress.
	pub fn state(&self) -> &PersistedState {
		&self.state
	}

	/// The metrics.
	pub fn metrics(&self) -> &Metrics {
		&self.metrics
	}

	/// The round whose audits are held, and the audits.
	pub fn last_audits(&self) -> Option<(RoundIndex, &[MinerAudit])> {
		self.work
			.as_ref()
			.map(|w| (w.data.state.index, w.audits.as_slice()))
	}

	/// Path of the per-round CSV.
	pub fn csv_path(&self) -> PathBuf {
		self.base_path.join(CSV_FILE)
	}

	/// Path of the loss-curve PNG.
	pub fn plot_path(&self) -> PathBuf {
		self.base_path.join(PLOT_FILE)
	}

	/// Runs ticks every `poll_interval` until `shutdown` completes, logging step errors.
	pub async fn run(&mut self, shutdown: impl Future<Output = ()>) {
		tokio::pin!(shutdown);
		let poll = self.env.settings.poll_interval();
		loop {
			let report = self.tick().await;
			for e in &report.errors {
				tracing::warn!(step = ?e.step, error = %e.source, "step failed");
			}
			tokio::select! {
				_ = &mut shutdown => break,
				_ = tokio::time::sleep(poll) => {},
			}
		}
		tracing::info!("validator stopped");
	}

	/// One poll: every step the chain's phase calls for (see the module docs).
	pub async fn tick(&mut self) -> TickReport {
		let mut report = TickReport::default();
		let record = |r: StepResult<Option<LoopStep>>, report: &mut TickReport| match r {
			Ok(Some(step)) => report.done.push(step),
			Ok(None) => {},
			Err(e) => report.errors.push(e),
		};
		let r = self.announce().await;
		record(r, &mut report);
		let r = self.reveal_if_due().await;
		record(r, &mut report);
		match self
			.chain
			.current_round(self.env.netuid)
			.await
			.at(LoopStep::Idle)
		{
			Ok(Some(round)) => {
				report.round = Some(round.index);
				report.phase = Some(round.phase);
				self.metrics.round.set(i64::from(round.index));
				match round.phase {
					Phase::Auditing
						if self
							.state
							.last_audited_round
							.is_none_or(|r| r < round.index) =>
					{
						self.audit_round(&round, &mut report).await;
					},
					Phase::Voting => {
						self.retry_weights(round.index, &mut report).await;
						let r = self.aggregate_and_vote(&round).await;
						record(r, &mut report);
					},
					Phase::Auditing => self.retry_weights(round.index, &mut report).await,
					_ => {},
				}
			},
			Ok(None) => {},
			Err(e) => report.errors.push(e),
		}
		self.support_challenges(&mut report).await;
		self.metrics.set_step(LoopStep::Idle);
		report
	}

	fn save(&self, step: LoopStep) -> StepResult<()> {
		self.state_file.save(&self.state).at(step)
	}

	/// Announces the endpoint once.
	async fn announce(&mut self) -> StepResult<Option<LoopStep>> {
		if self.announced {
			return Ok(None);
		}
		if let Some(url) = &self.announce_url {
			self.chain
				.serve_endpoint(self.env.netuid, url)
				.await
				.at(LoopStep::Idle)?;
			tracing::info!(%url, "artifact endpoint announced");
		}
		self.announced = true;
		Ok(None)
	}

	/// Fails with [`ValidatorError::Desync`] unless the chain is in `round` and one of
	/// `phases`.
	async fn expect(&self, round: RoundIndex, phases: &[Phase], step: LoopStep) -> StepResult<()> {
		let now = self.chain.current_round(self.env.netuid).await.at(step)?;
		match now {
			Some(s) if s.index == round && phases.contains(&s.phase) => Ok(()),
			other => Err(StepError {
				step,
				source: ValidatorError::Desync {
					expected_round: round,
					expected_phase: phases.first().copied().unwrap_or(Phase::Closed),
					found_round: other.as_ref().map_or(0, |s| s.index),
					found_phase: other.map_or(Phase::NotStarted, |s| s.phase),
				},
			}),
		}
	}

	/// Reveals the pending weight commit when its window is open (drops it once closed).
	async fn reveal_if_due(&mut self) -> StepResult<Option<LoopStep>> {
		let Some(pending) = self.state.pending_reveal.clone() else {
			return Ok(None);
		};
		let step = LoopStep::Reveal;
		let now = self.chain.finalized_block().await.at(step)?;
		let (open, close) = self
			.chain
			.reveal_window(self.env.netuid, pending.committed_at)
			.await
			.at(step)?;
		if now < open {
			return Ok(None);
		}
		let reveal = pending.to_reveal();
		if now >= close || reveal.is_none() {
			tracing::warn!(
				round = pending.round,
				now,
				close,
				"weight reveal missed its window; dropped"
			);
			self.state.pending_reveal = None;
			self.save(step)?;
			return Ok(None);
		}
		if let Some(reveal) = reveal {
			self.metrics.set_step(step);
			self.chain
				.reveal_weights(self.env.netuid, &reveal)
				.await
				.at(step)?;
			tracing::info!(round = pending.round, "weights revealed");
		}
		self.state.pending_reveal = None;
		self.save(step)?;
		Ok(Some(step))
	}

	/// Audits, weighs and challenges round `round` (once).
	async fn audit_round(&mut self, round: &RoundState, report: &mut TickReport) {
		let step = LoopStep::Audit;
		self.metrics.set_step(step);
		let data = match RoundData::load(&self.chain, &self.env, round)
			.await
			.at(step)
		{
			Ok(Some(d)) => d,
			Ok(None) => return,
			Err(e) => return report.errors.push(e),
		};
		let me = self.chain.hotkey();
		let committed: Vec<AccountId> = round.commitments.iter().map(|c| c.hotkey).collect();
		let selected = select_miners(
			&data.audit_seed,
			&me,
			&committed,
			self.env.settings.max_audited_miners,
		);
		let n_segments = u32::try_from(data.config.num_segments()).unwrap_or(u32::MAX);
		let own_fingerprint = BackendFingerprint::of(&self.env.device).hash();
		tracing::info!(
			round = round.index,
			miners = committed.len(),
			audited = selected.len(),
			"auditing"
		);
		let mut audits = Vec::with_capacity(round.commitments.len());
		for c in &round.commitments {
			let segments = if selected.contains(&c.hotkey) {
				segments_for(
					&data.audit_seed,
					&me,
					&c.hotkey,
					n_segments,
					data.audit_segments,
					data.config.segment_len,
					c.contribution.fingerprint == own_fingerprint,
				)
			} else {
				Vec::new()
			};
			let audit = data.audit(&self.env, c, segments).await;
			if audit.passed() {
				self.metrics.audits_passed.inc();
			} else {
				self.metrics.audits_failed.inc();
			}
			audits.push(audit);
		}
		report.done.push(step);
		let (weights, weights_pending) = match self.submit_weights(round.index, &audits).await {
			Ok(w) => {
				report.done.push(LoopStep::Weights);
				(w, false)
			},
			Err(e) => {
				report.errors.push(e);
				(BTreeMap::new(), true)
			},
		};
		match self.challenge_failures(round.index, &audits).await {
			Ok(()) => report.done.push(LoopStep::Challenge),
			Err(e) => report.errors.push(e),
		}
		self.state.last_audited_round = Some(round.index);
		if let Err(e) = self.save(step) {
			report.errors.push(e);
		}
		self.work = Some(RoundWork {
			round: round.index,
			data,
			audits,
			weights,
			weights_pending,
		});
	}

	/// Sets the weights of `round` again if the first attempt failed.
	async fn retry_weights(&mut self, round: RoundIndex, report: &mut TickReport) {
		let Some(mut work) = self.work.take() else {
			return;
		};
		if work.round == round && work.weights_pending {
			match self.submit_weights(round, &work.audits).await {
				Ok(w) => {
					report.done.push(LoopStep::Weights);
					work.weights = w;
					work.weights_pending = false;
				},
				Err(e) => report.errors.push(e),
			}
		}
		self.work = Some(work);
	}

	/// Sets (or commits) the round's weights; returns them by miner.
	async fn submit_weights(
		&mut self,
		round: RoundIndex,
		audits: &[MinerAudit],
	) -> StepResult<BTreeMap<AccountId, u16>> {
		let step = LoopStep::Weights;
		self.metrics.set_step(step);
		let scored: Vec<(&MinerAudit, ScoreInput)> = audits
			.iter()
			.filter_map(|a| {
				a.uid.map(|uid| {
					(
						a,
						ScoreInput {
							uid,
							passed: a.passed(),
							usefulness: a.usefulness.map(|u| u.score),
						},
					)
				})
			})
			.collect();
		let inputs: Vec<ScoreInput> = scored.iter().map(|(_, i)| *i).collect();
		let values = weights(&inputs);
		let by_miner: BTreeMap<AccountId, u16> = scored
			.iter()
			.zip(&values)
			.map(|((a, _), w)| (a.hotkey, *w))
			.collect();
		if inputs.is_empty() {
			return Ok(by_miner);
		}
		let uids: Vec<u16> = inputs.iter().map(|i| i.uid).collect();
		self.expect(round, &[Phase::Auditing, Phase::Voting], step)
			.await?;
		let netuid = self.env.netuid;
		if self.chain.commit_reveal_enabled(netuid).await.at(step)? {
			let mut salt = [0u8; 32];
			getrandom::fill(&mut salt).map_err(|e| StepError {
				step,
				source: ValidatorError::io("getrandom", e),
			})?;
			let reveal = WeightsReveal {
				uids,
				values,
				salt,
				version_key: self.env.settings.weights_version,
			};
			self.chain.commit_weights(netuid, &reveal).await.at(step)?;
			let at = self.chain.finalized_block().await.at(step)?;
			if self.state.pending_reveal.is_some() {
				tracing::warn!("an older weight commit was never revealed; replaced");
			}
			self.state.pending_reveal = Some(PendingReveal::new(round, at, &reveal));
			self.save(step)?;
			tracing::info!(round, committed_at = at, "weights committed");
		} else {
			self.chain
				.set_weights(netuid, &uids, &values)
				.await
				.at(step)?;
			tracing::info!(round, ?uids, ?values, "weights set");
		}
		Ok(by_miner)
	}

	/// Challenges every failed audit not challenged yet (by anyone).
	async fn challenge_failures(
		&mut self,
		round: RoundIndex,
		audits: &[MinerAudit],
	) -> StepResult<()> {
		let step = LoopStep::Challenge;
		self.metrics.set_step(step);
		let open = self.chain.open_challenges(self.env.netuid).await.at(step)?;
		let mut first_error = None;
		for a in audits {
			let Some(f) = a.failure.as_ref().filter(|f| f.challengeable) else {
				continue;
			};
			let key = ChallengeKey::new(round, &a.hotkey);
			if self.state.challenged.contains(&key)
				|| open.iter().any(|c| c.round == round && c.miner == a.hotkey)
			{
				continue;
			}
			match self
				.chain
				.challenge(self.env.netuid, &a.hotkey, round, f.evidence)
				.await
			{
				Ok(()) => {
					tracing::info!(miner = %a.hotkey, round, reason = ?f.evidence.reason, "challenged");
					self.metrics.challenges_raised.inc();
					self.state.challenged.push(key);
					self.save(step)?;
				},
				Err(e) => {
					tracing::warn!(miner = %a.hotkey, error = %e, "challenge failed");
					first_error.get_or_insert(e);
				},
			}
		}
		match first_error {
			Some(e) => Err(e).at(step),
			None => Ok(()),
		}
	}

	/// Re-runs and supports other validators' open challenges (each once).
	async fn support_challenges(&mut self, report: &mut TickReport) {
		let step = LoopStep::Support;
		let open = match self.chain.open_challenges(self.env.netuid).await.at(step) {
			Ok(o) => o,
			Err(e) => return report.errors.push(e),
		};
		let me = self.chain.hotkey();
		for ch in open {
			let key = ChallengeKey::new(ch.round, &ch.miner);
			if ch.challenger == me
				|| ch.supporters.contains(&me)
				|| self.state.challenged.contains(&key)
				|| self.state.verified.iter().any(|(k, _)| k == &key)
			{
				continue;
			}
			self.metrics.set_step(step);
			let verdict = match verify_challenge(&self.chain, &self.env, &ch).await.at(step) {
				Ok(v) => v,
				Err(e) => {
					report.errors.push(e);
					continue;
				},
			};
			tracing::info!(miner = %ch.miner, round = ch.round, ?verdict, "challenge re-run");
			if verdict.reproduced() {
				match self
					.chain
					.support_challenge(self.env.netuid, &ch.miner, ch.round)
					.await
					.at(step)
				{
					Ok(()) => {
						self.metrics.challenges_supported.inc();
					},
					Err(e) => report.errors.push(e),
				}
			}
			self.state.verified.push((key, verdict.reproduced()));
			if let Err(e) = self.save(step) {
				report.errors.push(e);
			}
			report.done.push(step);
		}
	}

	/// The audits of `round`: this run's, or (after a restart, or when the audit phase was
	/// missed) the public checks of every committed miner, without weights or challenges.
	async fn ensure_work(&mut self, round: &RoundState) -> StepResult<bool> {
		if self
			.work
			.as_ref()
			.is_some_and(|w| w.data.state.index == round.index)
		{
			return Ok(true);
		}
		let step = LoopStep::Aggregate;
		let Some(data) = RoundData::load(&self.chain, &self.env, round)
			.await
			.at(step)?
		else {
			return Ok(false);
		};
		let mut audits = Vec::with_capacity(round.commitments.len());
		for c in &round.commitments {
			audits.push(data.audit(&self.env, c, Vec::new()).await);
		}
		self.work = Some(RoundWork {
			round: round.index,
			data,
			audits,
			weights: BTreeMap::new(),
			weights_pending: false,
		});
		Ok(true)
	}

	/// Aggregates the accepted updates and votes the result (again if the set changed).
	async fn aggregate_and_vote(&mut self, round: &RoundState) -> StepResult<Option<LoopStep>> {
		let step = LoopStep::Aggregate;
		if !self.ensure_work(round).await? {
			return Ok(None);
		}
		let open = self.chain.open_challenges(self.env.netuid).await.at(step)?;
		let Some(work) = self.work.as_ref() else {
			return Ok(None);
		};
		let accepted = accepted_updates(round.index, &work.audits, &open);
		let key: Vec<String> = accepted
			.iter()
			.map(|a| hex::encode(a.update_hash))
			.collect();
		if self
			.state
			.last_vote
			.as_ref()
			.is_some_and(|v| v.round == round.index && v.accepted == key)
		{
			return Ok(None);
		}
		if accepted.is_empty() {
			tracing::debug!(
				round = round.index,
				"no accepted update: no vote (the chain keeps C_r)"
			);
			self.write_csv_once(round.index, None, 0.0)?;
			return Ok(None);
		}
		self.metrics.set_step(step);
		let started = Instant::now();
		let config = &work.data.config;
		let next = compute(|| next_checkpoint(config, &work.data.checkpoint, &accepted))
			.at(step)?
			.ok_or_else(|| TrainingError::Inconsistent("no checkpoint".into()))
			.at(step)?;
		let bytes = next.to_bytes().map_err(TrainingError::from).at(step)?;
		let hash = *blake3::hash(&bytes).as_bytes();
		self.env
			.artifacts
			.store()
			.put(ArtifactKind::Checkpoint, Bytes::from(bytes))
			.await
			.at(step)?;
		let loss = compute(|| validation_loss(config, &next, &self.env.corpus, &self.env.device))
			.at(step)?;
		let aggregate_s = started.elapsed().as_secs_f64();
		tracing::info!(round = round.index, updates = accepted.len(), checkpoint = %hex::encode(hash), loss, "aggregated");
		// The round's rows and the loss curve do not wait for the vote: a vote that comes too
		// late (or fails) still leaves the audit on record.
		self.metrics.validation_loss.set(loss);
		self.state.loss_history.retain(|(r, _)| *r != round.index);
		self.state.loss_history.push((round.index, loss));
		self.write_csv_once(round.index, Some(loss), aggregate_s)?;
		plot_loss(&self.plot_path(), &self.state.loss_history).at(step)?;
		let vote = LoopStep::Vote;
		self.metrics.set_step(vote);
		self.expect(round.index, &[Phase::Voting], vote).await?;
		self.chain
			.vote_checkpoint(self.env.netuid, round.index, hash)
			.await
			.at(vote)?;
		tracing::info!(round = round.index, checkpoint = %hex::encode(hash), "checkpoint voted");
		self.state.last_vote = Some(VoteRecord {
			round: round.index,
			checkpoint: hex::encode(hash),
			accepted: key,
		});
		self.save(vote)?;
		Ok(Some(vote))
	}

	/// Appends the audit rows of `round` to the CSV unless they are there already.
	fn write_csv_once(
		&mut self,
		round: RoundIndex,
		loss: Option<f64>,
		aggregate_s: f64,
	) -> StepResult<()> {
		let step = LoopStep::Aggregate;
		if self.state.csv_round.is_some_and(|r| r >= round) {
			return Ok(());
		}
		let rows = self.csv_rows(round, loss, aggregate_s);
		append_csv(&self.csv_path(), &rows).at(step)?;
		self.state.csv_round = Some(round);
		self.save(step)
	}

	fn csv_rows(&self, round: RoundIndex, loss: Option<f64>, aggregate_s: f64) -> Vec<CsvRow> {
		let Some(work) = &self.work else {
			return Vec::new();
		};
		work.audits
			.iter()
			.map(|a| CsvRow {
				round,
				miner: a.hotkey.to_string(),
				uid: a.uid,
				segment_audited: !a.segments.is_empty(),
				passed: a.passed(),
				reason: a
					.failure
					.as_ref()
					.map(|f| format!("{:?}: {}", f.evidence.reason, f.detail))
					.unwrap_or_default(),
				usefulness: a.usefulness.map(|u| u.score),
				weight: work.weights.get(&a.hotkey).copied().unwrap_or(0),
				validation_loss: loss,
				fetch_s: a.fetch_time.as_secs_f64(),
				audit_s: a.audit_time.as_secs_f64(),
				aggregate_s,
			})
			.collect()
	}
}
