//! The fetcher: gets an artifact by kind and hash from another program's announced location
//! (`http(s)://host[/base]` serving `/artifacts/<kind>/<hex>`, or `s3://bucket/prefix`),
//! through a local cache.
//!
//! Over HTTP each attempt has a connect timeout, an idle timeout (no bytes for that long
//! aborts) and an overall deadline; the kind's size limit is enforced on the announced
//! `Content-Length` and again on every chunk while streaming, so a server that lies about the
//! length or streams forever is cut off as soon as it passes the limit; a body shorter than
//! announced is [`ArtifactError::Truncated`]. Nothing is returned, or cached, before the bytes
//! hash to the requested hash. Transient failures ([`ArtifactError::is_transient`]) are
//! retried with exponential backoff ([`RetryPolicy`]).
//!
//! The cache is a [`LocalStore`]: a hit (verified like every read) needs no network; a
//! corrupt cached copy is deleted and fetched again.

use std::time::Duration;

use bytes::Bytes;
use tokio::time::{timeout, Instant};

use crate::body::VerifiedBody;
use crate::error::ArtifactError;
use crate::hash::ArtifactHash;
use crate::kind::ArtifactKind;
use crate::local::LocalStore;
use crate::s3::S3Store;

/// How often and how patiently to retry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
	/// Attempts in all (1 = no retry).
	pub max_attempts: u32,
	/// Wait before the second attempt; doubled before each further one.
	pub initial_backoff: Duration,
	/// Upper bound of one wait.
	pub max_backoff: Duration,
}

impl RetryPolicy {
	/// The wait before attempt `attempt` (1-based; attempt 1 does not wait):
	/// `min(initial · 2^(attempt − 2), max)`.
	pub fn backoff(&self, attempt: u32) -> Duration {
		if attempt <= 1 {
			return Duration::ZERO;
		}
		let factor = 1u32.checked_shl(attempt - 2).unwrap_or(u32::MAX);
		self.initial_backoff
			.checked_mul(factor)
			.unwrap_or(self.max_backoff)
			.min(self.max_backoff)
	}
}

impl Default for RetryPolicy {
	/// 4 attempts, waiting 0.5 s, 1 s, 2 s (at most 10 s).
	fn default() -> Self {
		Self {
			max_attempts: 4,
			initial_backoff: Duration::from_millis(500),
			max_backoff: Duration::from_secs(10),
		}
	}
}

/// Timeouts and retries of a [`Fetcher`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FetchConfig {
	/// Time allowed to open the TCP (and TLS) connection.
	pub connect_timeout: Duration,
	/// Longest wait for the response head or for the next body chunk.
	pub idle_timeout: Duration,
	/// Longest time one attempt may take in all (a slow drip cannot hold a fetch forever).
	pub attempt_timeout: Duration,
	/// Retries on transient errors.
	pub retry: RetryPolicy,
}

impl Default for FetchConfig {
	/// 10 s to connect, 30 s idle, 15 min per attempt, [`RetryPolicy::default`].
	fn default() -> Self {
		Self {
			connect_timeout: Duration::from_secs(10),
			idle_timeout: Duration::from_secs(30),
			attempt_timeout: Duration::from_secs(15 * 60),
			retry: RetryPolicy::default(),
		}
	}
}

/// Where to fetch from, parsed from an announced endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
	/// An artifact server: `http(s)://host[:port][/base]` (no trailing slash).
	Http(String),
	/// A bucket: `s3://bucket/prefix`.
	S3(String),
}

impl Source {
	/// Parses an `http://`, `https://` or `s3://` URL.
	pub fn parse(url: &str) -> Result<Self, ArtifactError> {
		let parsed = url::Url::parse(url).map_err(|_| ArtifactError::InvalidUrl(url.into()))?;
		if parsed.host_str().is_none_or(str::is_empty) {
			return Err(ArtifactError::InvalidUrl(url.into()));
		}
		match parsed.scheme() {
			"http" | "https" if parsed.query().is_none() && parsed.fragment().is_none() => {
				Ok(Source::Http(url.trim_end_matches('/').to_string()))
			},
			"s3" => Ok(Source::S3(url.to_string())),
			_ => Err(ArtifactError::InvalidUrl(url.into())),
		}
	}

	/// The URL of one artifact on an HTTP source.
	fn artifact_url(base: &str, kind: ArtifactKind, hash: &ArtifactHash) -> String {
		format!("{base}/artifacts/{}/{}", kind.as_str(), hash.to_hex())
	}
}

/// A parsed source, opened.
enum Remote {
	/// Base URL of an artifact server.
	Http(String),
	/// A bucket.
	S3(S3Store),
}

/// Fetches verified artifacts from other programs, through a local cache.
#[derive(Clone, Debug)]
pub struct Fetcher {
	client: reqwest::Client,
	cache: LocalStore,
	config: FetchConfig,
	s3_options: Vec<(String, String)>,
}

impl Fetcher {
	/// A fetcher caching into `cache`, whose size limits also bound every download.
	pub fn new(cache: LocalStore, config: FetchConfig) -> Result<Self, ArtifactError> {
		let client = reqwest::Client::builder()
			.connect_timeout(config.connect_timeout)
			.build()
			.map_err(|source| ArtifactError::Transport {
				url: String::new(),
				source,
			})?;
		Ok(Self {
			client,
			cache,
			config,
			s3_options: Vec::new(),
		})
	}

	/// Settings for `s3://` sources on top of the environment's (see [`S3Store::open_with`]),
	/// e.g. `("aws_endpoint_url", "http://127.0.0.1:9000")`.
	pub fn with_s3_options(mut self, options: Vec<(String, String)>) -> Self {
		self.s3_options = options;
		self
	}

	/// The cache.
	pub fn cache(&self) -> &LocalStore {
		&self.cache
	}

	/// The artifact `kind`/`hash` from the cache, or else from `source` (then cached).
	pub async fn fetch(
		&self,
		source: &str,
		kind: ArtifactKind,
		hash: ArtifactHash,
	) -> Result<Bytes, ArtifactError> {
		match self.cache.get(kind, hash).await {
			Ok(bytes) => return Ok(bytes),
			Err(ArtifactError::NotFound { .. }) => {},
			Err(
				e @ (ArtifactError::HashMismatch { .. }
				| ArtifactError::TooLarge { .. }
				| ArtifactError::TooShort { .. }),
			) => {
				tracing::warn!(%kind, %hash, error = %e, "dropping bad cached artifact");
				self.cache.delete(kind, hash).await?;
			},
			Err(e) => return Err(e),
		}
		let remote = match Source::parse(source)? {
			Source::Http(base) => Remote::Http(base),
			Source::S3(url) => Remote::S3(S3Store::open_with(
				&url,
				*self.cache.limits(),
				self.s3_options.iter().map(|(k, v)| (k.as_str(), v.clone())),
			)?),
		};
		let policy = self.config.retry;
		let mut attempt = 1;
		let bytes = loop {
			let result = match &remote {
				Remote::S3(store) => store.get(kind, hash).await,
				Remote::Http(base) => {
					let url = Source::artifact_url(base, kind, &hash);
					let deadline = self.config.attempt_timeout;
					match timeout(deadline, self.fetch_http_once(&url, kind, hash)).await {
						Ok(r) => r,
						Err(_) => Err(ArtifactError::Timeout {
							url,
							after: deadline,
						}),
					}
				},
			};
			match result {
				Ok(bytes) => break bytes,
				Err(e) if e.is_transient() && attempt < policy.max_attempts => {
					attempt += 1;
					let wait = policy.backoff(attempt);
					tracing::debug!(%kind, %hash, error = %e, attempt, ?wait, "retrying fetch");
					tokio::time::sleep(wait).await;
				},
				Err(e) => return Err(e),
			}
		};
		self.cache.put_expected(kind, hash, bytes.clone()).await?;
		Ok(bytes)
	}

	/// One HTTP attempt: status, announced length, capped streaming, length and hash checks.
	async fn fetch_http_once(
		&self,
		url: &str,
		kind: ArtifactKind,
		hash: ArtifactHash,
	) -> Result<Bytes, ArtifactError> {
		let idle = self.config.idle_timeout;
		let timed_out = || ArtifactError::Timeout {
			url: url.to_string(),
			after: idle,
		};
		let transport = |source| ArtifactError::Transport {
			url: url.to_string(),
			source,
		};
		let mut response = timeout(idle, self.client.get(url).send())
			.await
			.map_err(|_| timed_out())?
			.map_err(transport)?;
		let status = response.status();
		if status == reqwest::StatusCode::NOT_FOUND {
			return Err(ArtifactError::NotFound { kind, hash });
		}
		if status != reqwest::StatusCode::OK {
			return Err(ArtifactError::Http {
				url: url.to_string(),
				status: status.as_u16(),
			});
		}
		let mut body =
			VerifiedBody::new(kind, hash, self.cache.limits(), response.content_length())?;
		let started = Instant::now();
		loop {
			match timeout(idle, response.chunk()).await {
				Err(_) => return Err(timed_out()),
				Ok(Ok(Some(chunk))) => body.push(&chunk)?,
				Ok(Ok(None)) => break,
				Ok(Err(e)) => return Err(body.truncation().unwrap_or_else(|| transport(e))),
			}
		}
		let received = body.received();
		let bytes = body.finish()?;
		tracing::debug!(%kind, %hash, bytes = received, elapsed = ?started.elapsed(), "fetched artifact");
		Ok(bytes)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn backoff_doubles_up_to_the_maximum() {
		let p = RetryPolicy {
			max_attempts: 10,
			initial_backoff: Duration::from_millis(100),
			max_backoff: Duration::from_millis(500),
		};
		let waits: Vec<_> = (1..=6).map(|a| p.backoff(a).as_millis()).collect();
		assert_eq!(waits, vec![0, 100, 200, 400, 500, 500]);
		assert_eq!(p.backoff(200), Duration::from_millis(500));
	}

	#[test]
	fn source_parse_accepts_http_https_and_s3() {
		assert_eq!(
			Source::parse("http://127.0.0.1:8080/").ok(),
			Some(Source::Http("http://127.0.0.1:8080".into()))
		);
		assert!(matches!(
			Source::parse("https://a.example/x"),
			Ok(Source::Http(_))
		));
		assert!(matches!(
			Source::parse("s3://bucket/prefix"),
			Ok(Source::S3(_))
		));
	}

	#[test]
	fn source_parse_fails_if_scheme_is_unknown() {
		for u in [
			"ftp://h/x",
			"file:///tmp/x",
			"not a url",
			"http://h/?q=1",
			"s3:///x",
		] {
			assert!(
				matches!(Source::parse(u), Err(ArtifactError::InvalidUrl(_))),
				"{u}"
			);
		}
	}
}
