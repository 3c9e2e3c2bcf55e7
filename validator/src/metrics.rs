//! Prometheus metrics (`--prometheus-port`), text exposition at `GET /metrics`, names
//! prefixed `arena_validator_`: `round`, `phase` ([`crate::LoopStep::code`]),
//! `audits_passed_total`, `audits_failed_total`, `challenges_raised_total`,
//! `challenges_supported_total`, `validation_loss` (the last aggregated checkpoint's).
//!
//! `prometheus-client` is used because it is already in the dependency tree (Substrate's own
//! endpoint is built on it) and has no global registry; the server is a one-route axum app.

use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::error::{LoopStep, ValidatorError};

/// The validator's metrics (cheap to clone; clones share values).
#[derive(Clone, Debug)]
pub struct Metrics {
	registry: Arc<Registry>,
	/// Round being worked on.
	pub round: Gauge,
	/// Loop step being run.
	pub phase: Gauge,
	/// Miners that passed every audit.
	pub audits_passed: Counter,
	/// Miners that failed an audit.
	pub audits_failed: Counter,
	/// Challenges this validator raised.
	pub challenges_raised: Counter,
	/// Other validators' challenges this validator reproduced and supported.
	pub challenges_supported: Counter,
	/// Validation loss of the last checkpoint this validator aggregated.
	pub validation_loss: Gauge<f64, AtomicU64>,
}

impl Default for Metrics {
	fn default() -> Self {
		Self::new()
	}
}

impl Metrics {
	/// A fresh registry with every metric registered.
	pub fn new() -> Self {
		let mut registry = Registry::with_prefix("arena_validator");
		let m = Self {
			registry: Arc::new(Registry::default()),
			round: Gauge::default(),
			phase: Gauge::default(),
			audits_passed: Counter::default(),
			audits_failed: Counter::default(),
			challenges_raised: Counter::default(),
			challenges_supported: Counter::default(),
			validation_loss: Gauge::default(),
		};
		registry.register("round", "Round being worked on", m.round.clone());
		registry.register(
			"phase",
			"Loop step (0 idle, 1 reveal, 2 audit, 3 weights, 4 challenge, 5 support, 6 aggregate, 7 vote)",
			m.phase.clone(),
		);
		registry.register(
			"audits_passed",
			"Miners that passed every audit",
			m.audits_passed.clone(),
		);
		registry.register(
			"audits_failed",
			"Miners that failed an audit",
			m.audits_failed.clone(),
		);
		registry.register(
			"challenges_raised",
			"Challenges raised by this validator",
			m.challenges_raised.clone(),
		);
		registry.register(
			"challenges_supported",
			"Other validators' challenges reproduced and supported",
			m.challenges_supported.clone(),
		);
		registry.register(
			"validation_loss",
			"Validation loss of the last aggregated checkpoint",
			m.validation_loss.clone(),
		);
		Self {
			registry: Arc::new(registry),
			..m
		}
	}

	/// Records the step being run.
	pub fn set_step(&self, step: LoopStep) {
		self.phase.set(step.code());
	}

	/// The text exposition of every metric.
	pub fn encode(&self) -> String {
		let mut out = String::new();
		// Writing into a String cannot fail.
		let _ = encode(&mut out, &self.registry);
		out
	}
}

async fn metrics_handler(State(metrics): State<Metrics>) -> impl IntoResponse {
	(
		[(
			header::CONTENT_TYPE,
			"application/openmetrics-text; version=1.0.0; charset=utf-8",
		)],
		metrics.encode(),
	)
}

/// Serves `GET /metrics` on `addr` until the process ends; returns the bound address.
pub async fn serve_metrics(
	metrics: Metrics,
	addr: SocketAddr,
) -> Result<SocketAddr, ValidatorError> {
	let listener = tokio::net::TcpListener::bind(addr)
		.await
		.map_err(|e| ValidatorError::io(addr, e))?;
	let bound = listener
		.local_addr()
		.map_err(|e| ValidatorError::io(addr, e))?;
	let app = Router::new()
		.route("/metrics", get(metrics_handler))
		.with_state(metrics);
	tokio::spawn(async move {
		if let Err(e) = axum::serve(listener, app).await {
			tracing::warn!(error = %e, "metrics server stopped");
		}
	});
	tracing::info!(%bound, "prometheus metrics at /metrics");
	Ok(bound)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn exposition_names_every_metric() {
		let m = Metrics::new();
		m.round.set(3);
		m.audits_failed.inc();
		m.validation_loss.set(4.25);
		let text = m.encode();
		for needle in [
			"arena_validator_round 3",
			"arena_validator_audits_failed_total 1",
			"arena_validator_validation_loss 4.25",
			"arena_validator_challenges_supported_total 0",
			"arena_validator_phase 0",
		] {
			assert!(text.contains(needle), "{needle} missing in\n{text}");
		}
	}
}
