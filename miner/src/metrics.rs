//! Prometheus metrics of the miner (`--prometheus-port`): round, phase, throughput, loss,
//! rounds committed and skipped, and the rewards escrow holds for the hotkey.
//!
//! `prometheus-client` (already in the dependency tree through Substrate) encodes the text
//! format; the endpoint is a one-route axum server on 127.0.0.1, as the artifact server.

use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use arena_chain_client::types::EscrowSummary;
use axum::routing::get;
use axum::Router;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use tokio::net::TcpListener;

use crate::phases::Phase;

type Labels = Vec<(String, String)>;

/// The miner's metrics.
#[derive(Debug)]
pub struct Metrics {
	registry: Mutex<Registry>,
	round: Gauge,
	phase: Family<Labels, Gauge>,
	tokens_per_sec: Gauge<f64, AtomicU64>,
	loss: Gauge<f64, AtomicU64>,
	committed: Counter,
	skipped: Counter,
	escrow_held: Gauge,
	escrow_slashable: Gauge,
	escrow_entries: Gauge,
	free_balance: Gauge,
	released: Counter,
	slashed_or_released_drop: Gauge,
}

impl Default for Metrics {
	fn default() -> Self {
		Self::new()
	}
}

impl Metrics {
	/// Registers every metric (prefix `arena_miner_`).
	pub fn new() -> Self {
		let mut r = Registry::with_prefix("arena_miner");
		let m = Self {
			registry: Mutex::new(Registry::default()),
			round: Gauge::default(),
			phase: Family::default(),
			tokens_per_sec: Gauge::default(),
			loss: Gauge::default(),
			committed: Counter::default(),
			skipped: Counter::default(),
			escrow_held: Gauge::default(),
			escrow_slashable: Gauge::default(),
			escrow_entries: Gauge::default(),
			free_balance: Gauge::default(),
			released: Counter::default(),
			slashed_or_released_drop: Gauge::default(),
		};
		r.register(
			"round",
			"Index of the round the miner is on",
			m.round.clone(),
		);
		r.register("phase", "1 for the loop's current phase", m.phase.clone());
		r.register(
			"tokens_per_second",
			"Training throughput of the current round",
			m.tokens_per_sec.clone(),
		);
		r.register(
			"loss",
			"Training loss of the last inner step",
			m.loss.clone(),
		);
		r.register(
			"rounds_committed",
			"Rounds committed on chain",
			m.committed.clone(),
		);
		r.register(
			"rounds_skipped",
			"Rounds skipped (deadline passed, errors)",
			m.skipped.clone(),
		);
		r.register(
			"escrow_held",
			"Rewards escrow holds for the hotkey (rao)",
			m.escrow_held.clone(),
		);
		r.register(
			"escrow_slashable",
			"Of which slashable miner incentive (rao)",
			m.escrow_slashable.clone(),
		);
		r.register(
			"escrow_entries",
			"Escrow entries held for the hotkey",
			m.escrow_entries.clone(),
		);
		r.register(
			"free_balance",
			"Free balance of the hotkey (rao)",
			m.free_balance.clone(),
		);
		r.register(
			"escrow_released",
			"Rewards that left escrow while the hotkey's free balance or stake grew (rao, estimate)",
			m.released.clone(),
		);
		r.register(
			"escrow_last_drop",
			"Last decrease of escrow_held (released or slashed, rao)",
			m.slashed_or_released_drop.clone(),
		);
		*m.registry.lock().unwrap_or_else(|p| p.into_inner()) = r;
		m
	}

	/// The round the loop is on.
	pub fn set_round(&self, round: u32) {
		self.round.set(i64::from(round));
	}

	/// The loop's phase.
	pub fn set_phase(&self, phase: Phase) {
		for p in Phase::ALL {
			self.phase
				.get_or_create(&vec![("phase".to_string(), p.to_string())])
				.set(i64::from(p == phase));
		}
	}

	/// One training step's loss and the round's throughput so far.
	pub fn observe_step(&self, loss: f32, tokens_per_sec: f64) {
		self.loss.set(f64::from(loss));
		self.tokens_per_sec.set(tokens_per_sec);
	}

	/// A round committed.
	pub fn round_committed(&self) {
		self.committed.inc();
	}

	/// A round skipped.
	pub fn round_skipped(&self) {
		self.skipped.inc();
	}

	/// Rounds committed so far.
	pub fn committed_count(&self) -> u64 {
		self.committed.get()
	}

	/// Rounds skipped so far.
	pub fn skipped_count(&self) -> u64 {
		self.skipped.get()
	}

	/// What escrow holds for the hotkey and its free balance. A decrease of the held amount
	/// is recorded as the last drop (released or slashed: the chain's events tell which) and,
	/// when the free balance grew by at least as much, counted as released.
	pub fn set_rewards(&self, escrow: EscrowSummary, free: u64) {
		let held_before = self.escrow_held.get();
		let free_before = self.free_balance.get();
		let held = i64::try_from(escrow.held).unwrap_or(i64::MAX);
		let free = i64::try_from(free).unwrap_or(i64::MAX);
		if held < held_before {
			let drop = held_before - held;
			self.slashed_or_released_drop.set(drop);
			if free.saturating_sub(free_before) >= drop {
				self.released.inc_by(drop.unsigned_abs());
			}
		}
		self.escrow_held.set(held);
		self.escrow_slashable
			.set(i64::try_from(escrow.slashable).unwrap_or(i64::MAX));
		self.escrow_entries.set(i64::from(escrow.entries));
		self.free_balance.set(free);
	}

	/// The text exposition of every metric.
	pub fn encode(&self) -> String {
		let mut out = String::new();
		let registry = self.registry.lock().unwrap_or_else(|p| p.into_inner());
		if encode(&mut out, &registry).is_err() {
			out.clear();
		}
		out
	}
}

/// Serves `metrics` at `http://127.0.0.1:<port>/metrics` until the process ends; returns the
/// bound address.
pub async fn serve_metrics(metrics: Arc<Metrics>, port: u16) -> std::io::Result<SocketAddr> {
	let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
	let addr = listener.local_addr()?;
	let app = Router::new().route(
		"/metrics",
		get(move || {
			let m = metrics.clone();
			async move { m.encode() }
		}),
	);
	tokio::spawn(async move {
		if let Err(e) = axum::serve(listener, app).await {
			tracing::warn!(error = %e, "metrics server stopped");
		}
	});
	tracing::info!(%addr, "serving Prometheus metrics");
	Ok(addr)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn encode_lists_round_phase_and_rewards() {
		let m = Metrics::new();
		m.set_round(3);
		m.set_phase(Phase::Train);
		m.observe_step(4.25, 1000.0);
		m.set_rewards(
			EscrowSummary {
				held: 500,
				slashable: 300,
				entries: 2,
			},
			10,
		);
		m.set_rewards(
			EscrowSummary {
				held: 200,
				slashable: 100,
				entries: 1,
			},
			400,
		);
		let text = m.encode();
		assert!(text.contains("arena_miner_round 3"), "{text}");
		assert!(
			text.contains("arena_miner_phase{phase=\"train\"} 1"),
			"{text}"
		);
		assert!(
			text.contains("arena_miner_phase{phase=\"commit\"} 0"),
			"{text}"
		);
		assert!(text.contains("arena_miner_loss 4.25"), "{text}");
		assert!(text.contains("arena_miner_escrow_held 200"), "{text}");
		assert!(
			text.contains("arena_miner_escrow_released_total 300"),
			"{text}"
		);
	}
}
