//! A read-only HTTP server over a local store: `GET`/`HEAD /artifacts/<kind>/<hex>`.
//!
//! * 200 with the whole artifact, or 206 with one byte range (`Range: bytes=…`), 416 for a
//!   range past the end; `Accept-Ranges: bytes`, `ETag: "<hex>"`, immutable caching.
//! * 404 for an unknown kind, a malformed hash or a missing artifact.
//! * The artifact is read through [`LocalStore::get`], so a corrupt file is never served
//!   (500, and a warning in the log).
//!
//! There is no write route: a program publishes by putting into its own store.

use std::net::SocketAddr;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::error::ArtifactError;
use crate::hash::ArtifactHash;
use crate::kind::ArtifactKind;
use crate::local::LocalStore;
use crate::range::{parse_range, RangeRequest};

/// The HTTP routes over `store` (to mount in a larger router, or to [`serve`]).
pub fn router(store: LocalStore) -> Router {
	Router::new()
		.route("/artifacts/{kind}/{hash}", get(get_artifact))
		.with_state(store)
}

/// A running artifact server.
#[derive(Debug)]
pub struct ArtifactServer {
	addr: SocketAddr,
	shutdown: Option<oneshot::Sender<()>>,
	task: JoinHandle<std::io::Result<()>>,
}

impl ArtifactServer {
	/// The address the server listens on (the real port when bound to port 0).
	pub fn local_addr(&self) -> SocketAddr {
		self.addr
	}

	/// The base URL to announce or fetch from: `http://<addr>`.
	pub fn url(&self) -> String {
		format!("http://{}", self.addr)
	}

	/// Stops accepting connections, lets open requests finish and waits for the server.
	pub async fn shutdown(mut self) -> Result<(), ArtifactError> {
		if let Some(tx) = self.shutdown.take() {
			let _ = tx.send(());
		}
		(&mut self.task)
			.await
			.map_err(|e| ArtifactError::Task(e.to_string()))?
			.map_err(|e| ArtifactError::io(self.addr.to_string(), e))
	}
}

/// Serves `store` read-only on `addr` (use `127.0.0.1:0` for a free port).
pub async fn serve(store: LocalStore, addr: SocketAddr) -> Result<ArtifactServer, ArtifactError> {
	let listener = TcpListener::bind(addr)
		.await
		.map_err(|e| ArtifactError::io(addr.to_string(), e))?;
	let addr = listener
		.local_addr()
		.map_err(|e| ArtifactError::io(addr.to_string(), e))?;
	let (tx, rx) = oneshot::channel::<()>();
	let app = router(store);
	let task = tokio::spawn(async move {
		axum::serve(listener, app)
			.with_graceful_shutdown(async move {
				let _ = rx.await;
			})
			.await
	});
	tracing::info!(%addr, "serving artifacts");
	Ok(ArtifactServer {
		addr,
		shutdown: Some(tx),
		task,
	})
}

async fn get_artifact(
	State(store): State<LocalStore>,
	Path((kind, hash)): Path<(String, String)>,
	headers: HeaderMap,
) -> Response {
	let (Ok(kind), Ok(hash)) = (kind.parse::<ArtifactKind>(), hash.parse::<ArtifactHash>()) else {
		return StatusCode::NOT_FOUND.into_response();
	};
	let bytes = match store.get(kind, hash).await {
		Ok(b) => b,
		Err(ArtifactError::NotFound { .. }) => return StatusCode::NOT_FOUND.into_response(),
		Err(e) => {
			tracing::warn!(%kind, %hash, error = %e, "cannot serve artifact");
			return StatusCode::INTERNAL_SERVER_ERROR.into_response();
		},
	};
	let len = bytes.len() as u64;
	let range = headers
		.get(header::RANGE)
		.and_then(|v| v.to_str().ok())
		.map_or(RangeRequest::Full, |h| parse_range(h, len));
	let common = [
		(header::ACCEPT_RANGES, HeaderValue::from_static("bytes")),
		(
			header::CONTENT_TYPE,
			HeaderValue::from_static("application/octet-stream"),
		),
		(
			header::CACHE_CONTROL,
			HeaderValue::from_static("public, max-age=31536000, immutable"),
		),
	];
	let etag = HeaderValue::from_str(&format!("\"{hash}\"")).ok();
	let mut response = match range {
		RangeRequest::Full => (StatusCode::OK, common, bytes).into_response(),
		RangeRequest::Partial { start, end } => {
			let body = bytes.slice(start as usize..=end as usize);
			let content_range = format!("bytes {start}-{end}/{len}");
			let mut r = (StatusCode::PARTIAL_CONTENT, common, body).into_response();
			if let Ok(v) = HeaderValue::from_str(&content_range) {
				r.headers_mut().insert(header::CONTENT_RANGE, v);
			}
			r
		},
		RangeRequest::Unsatisfiable => {
			let mut r = (StatusCode::RANGE_NOT_SATISFIABLE, common).into_response();
			if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
				r.headers_mut().insert(header::CONTENT_RANGE, v);
			}
			r
		},
	};
	if let Some(etag) = etag {
		response.headers_mut().insert(header::ETAG, etag);
	}
	response
}
