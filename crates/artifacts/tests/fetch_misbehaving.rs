//! The fetcher against small servers that misbehave: they stall, reset the connection, lie
//! about the length, stream forever, send garbage or fail before recovering. Each is a raw
//! tokio `TcpListener` on 127.0.0.1 speaking just enough HTTP/1.1.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arena_artifacts::{
	ArtifactError, ArtifactHash, ArtifactKind, FetchConfig, Fetcher, LocalStore, RetryPolicy,
};
use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone, Copy)]
enum Behaviour {
	/// Answers correctly.
	Honest,
	/// Reads the request and never answers.
	Stall,
	/// Sends the head and half the body, then goes silent.
	StallMidBody,
	/// Closes the connection with a TCP reset instead of answering.
	Reset,
	/// Announces 100 bytes more than it sends, then closes.
	LongerContentLength,
	/// Announces 10 bytes fewer than the body.
	ShorterContentLength,
	/// Sends the right length of the wrong bytes.
	Garbage,
	/// Streams chunked data forever (no Content-Length).
	Endless,
	/// Announces a Content-Length far over the limit.
	HugeContentLength,
	/// Answers 503 to the first `n` requests, then correctly.
	FailFirst(usize),
	/// Always answers with this status.
	Status(u16),
}

struct Misbehaving {
	base: String,
	requests: Arc<AtomicUsize>,
}

async fn spawn(behaviour: Behaviour, body: Bytes) -> Misbehaving {
	let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
	let base = format!("http://{}", listener.local_addr().expect("addr"));
	let requests = Arc::new(AtomicUsize::new(0));
	let counter = requests.clone();
	tokio::spawn(async move {
		while let Ok((stream, _)) = listener.accept().await {
			let n = counter.fetch_add(1, Ordering::SeqCst);
			tokio::spawn(answer(stream, behaviour, body.clone(), n));
		}
	});
	Misbehaving { base, requests }
}

async fn read_request_head(stream: &mut TcpStream) {
	let mut buf = Vec::new();
	let mut chunk = [0u8; 1024];
	while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
		match stream.read(&mut chunk).await {
			Ok(0) | Err(_) => return,
			Ok(k) => buf.extend_from_slice(&chunk[..k]),
		}
	}
}

fn head(status: &str, content_length: Option<usize>) -> Vec<u8> {
	let mut h = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
	match content_length {
		Some(n) => h.push_str(&format!("Content-Length: {n}\r\n")),
		None => h.push_str("Transfer-Encoding: chunked\r\n"),
	}
	h.push_str("\r\n");
	h.into_bytes()
}

async fn answer(mut s: TcpStream, behaviour: Behaviour, body: Bytes, nth: usize) {
	read_request_head(&mut s).await;
	let forever = Duration::from_secs(3600);
	let _ = match behaviour {
		Behaviour::Honest => send(&mut s, &head("200 OK", Some(body.len())), &body).await,
		Behaviour::Stall => {
			tokio::time::sleep(forever).await;
			Ok(())
		},
		Behaviour::StallMidBody => {
			let _ = send(
				&mut s,
				&head("200 OK", Some(body.len())),
				&body[..body.len() / 2],
			)
			.await;
			tokio::time::sleep(forever).await;
			Ok(())
		},
		Behaviour::Reset => {
			let _ = s.set_zero_linger();
			drop(s);
			return;
		},
		Behaviour::LongerContentLength => {
			send(&mut s, &head("200 OK", Some(body.len() + 100)), &body).await
		},
		Behaviour::ShorterContentLength => {
			send(&mut s, &head("200 OK", Some(body.len() - 10)), &body).await
		},
		Behaviour::Garbage => {
			let garbage = common::blob(99, body.len());
			send(&mut s, &head("200 OK", Some(body.len())), &garbage).await
		},
		Behaviour::Endless => {
			let _ = s.write_all(&head("200 OK", None)).await;
			let chunk = vec![7u8; 4096];
			loop {
				let size = format!("{:x}\r\n", chunk.len());
				let frame = [size.as_bytes(), chunk.as_slice(), b"\r\n".as_slice()].concat();
				if s.write_all(&frame).await.is_err() {
					break;
				}
			}
			Ok(())
		},
		Behaviour::HugeContentLength => {
			let _ = send(
				&mut s,
				&head("200 OK", Some(100 * common::LIMIT as usize)),
				&body,
			)
			.await;
			tokio::time::sleep(forever).await;
			Ok(())
		},
		Behaviour::FailFirst(n) if nth < n => {
			send(&mut s, &head("503 Service Unavailable", Some(0)), &[]).await
		},
		Behaviour::FailFirst(_) => send(&mut s, &head("200 OK", Some(body.len())), &body).await,
		Behaviour::Status(code) => send(&mut s, &head(&format!("{code} Nope"), Some(0)), &[]).await,
	};
	let _ = s.shutdown().await;
}

async fn send(s: &mut TcpStream, head: &[u8], body: &[u8]) -> std::io::Result<()> {
	s.write_all(head).await?;
	s.write_all(body).await?;
	s.flush().await
}

const ATTEMPTS: u32 = 3;

fn fetcher() -> (tempfile::TempDir, Fetcher) {
	let dir = tempfile::tempdir().expect("tempdir");
	let cache = LocalStore::open(dir.path(), common::limits()).expect("cache");
	let config = FetchConfig {
		connect_timeout: Duration::from_secs(2),
		idle_timeout: Duration::from_millis(300),
		attempt_timeout: Duration::from_secs(5),
		retry: RetryPolicy {
			max_attempts: ATTEMPTS,
			initial_backoff: Duration::from_millis(10),
			max_backoff: Duration::from_millis(40),
		},
	};
	(dir, Fetcher::new(cache, config).expect("fetcher"))
}

/// What one fetch from a misbehaving server gave.
struct Outcome {
	result: Result<Bytes, ArtifactError>,
	requests: usize,
	fetcher: Fetcher,
	hash: ArtifactHash,
	_cache_dir: tempfile::TempDir,
}

async fn fetch_from(behaviour: Behaviour) -> Outcome {
	let body = common::blob(5, 20_000);
	let hash = ArtifactHash::of(&body);
	let server = spawn(behaviour, body).await;
	let (dir, fetcher) = fetcher();
	let result = fetcher
		.fetch(&server.base, ArtifactKind::Update, hash)
		.await;
	Outcome {
		result,
		requests: server.requests.load(Ordering::SeqCst),
		fetcher,
		hash,
		_cache_dir: dir,
	}
}

#[tokio::test]
async fn honest_server_is_fetched_in_one_request() {
	let Outcome {
		result, requests, ..
	} = fetch_from(Behaviour::Honest).await;
	assert_eq!(result.expect("fetch"), common::blob(5, 20_000));
	assert_eq!(requests, 1);
}

#[tokio::test]
async fn fetch_fails_with_timeout_if_server_stalls() {
	let Outcome {
		result, requests, ..
	} = fetch_from(Behaviour::Stall).await;
	assert!(
		matches!(result, Err(ArtifactError::Timeout { .. })),
		"{result:?}"
	);
	assert_eq!(requests, ATTEMPTS as usize);
}

#[tokio::test]
async fn fetch_fails_with_timeout_if_server_stalls_mid_body() {
	let Outcome { result, .. } = fetch_from(Behaviour::StallMidBody).await;
	assert!(
		matches!(result, Err(ArtifactError::Timeout { .. })),
		"{result:?}"
	);
}

#[tokio::test]
async fn fetch_fails_with_transport_error_if_server_resets() {
	let Outcome {
		result, requests, ..
	} = fetch_from(Behaviour::Reset).await;
	assert!(
		matches!(result, Err(ArtifactError::Transport { .. })),
		"{result:?}"
	);
	assert_eq!(requests, ATTEMPTS as usize);
}

#[tokio::test]
async fn fetch_fails_with_truncated_if_body_is_shorter_than_content_length() {
	let Outcome {
		result, requests, ..
	} = fetch_from(Behaviour::LongerContentLength).await;
	match result {
		Err(ArtifactError::Truncated {
			expected, received, ..
		}) => {
			assert_eq!(expected, 20_100);
			assert_eq!(received, 20_000);
		},
		other => panic!("expected Truncated, got {other:?}"),
	}
	assert_eq!(requests, ATTEMPTS as usize);
}

#[tokio::test]
async fn fetch_fails_with_hash_mismatch_if_content_length_cuts_the_body() {
	let Outcome { result, .. } = fetch_from(Behaviour::ShorterContentLength).await;
	assert!(
		matches!(result, Err(ArtifactError::HashMismatch { .. })),
		"{result:?}"
	);
}

#[tokio::test]
async fn fetch_fails_with_hash_mismatch_if_server_sends_garbage_and_caches_nothing() {
	let Outcome {
		result,
		requests,
		fetcher,
		hash,
		_cache_dir: _keep,
	} = fetch_from(Behaviour::Garbage).await;
	assert!(
		matches!(result, Err(ArtifactError::HashMismatch { .. })),
		"{result:?}"
	);
	assert_eq!(requests, 1, "a hash mismatch is not retried");
	assert!(!fetcher
		.cache()
		.has(ArtifactKind::Update, hash)
		.await
		.expect("has"));
}

#[tokio::test]
async fn fetch_stops_streaming_as_soon_as_the_limit_is_passed() {
	let started = Instant::now();
	let Outcome {
		result, requests, ..
	} = fetch_from(Behaviour::Endless).await;
	match result {
		Err(ArtifactError::TooLarge { limit, size, .. }) => {
			assert_eq!(limit, common::LIMIT);
			assert!(size > limit && size <= limit + 64 * 1024, "size {size}");
		},
		other => panic!("expected TooLarge, got {other:?}"),
	}
	assert_eq!(requests, 1, "too large is not retried");
	assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn fetch_fails_with_too_large_if_content_length_exceeds_the_limit() {
	let Outcome { result, .. } = fetch_from(Behaviour::HugeContentLength).await;
	match result {
		Err(ArtifactError::TooLarge { size, .. }) => assert_eq!(size, 100 * common::LIMIT),
		other => panic!("expected TooLarge, got {other:?}"),
	}
}

#[tokio::test]
async fn fetch_retries_transient_errors_and_then_succeeds() {
	let Outcome {
		result,
		requests,
		fetcher,
		hash,
		_cache_dir: _keep,
	} = fetch_from(Behaviour::FailFirst(2)).await;
	assert_eq!(result.expect("fetch"), common::blob(5, 20_000));
	assert_eq!(requests, 3);
	assert!(fetcher
		.cache()
		.has(ArtifactKind::Update, hash)
		.await
		.expect("has"));
}

#[tokio::test]
async fn fetch_fails_with_http_status_after_all_retries_on_server_errors() {
	let Outcome {
		result, requests, ..
	} = fetch_from(Behaviour::Status(500)).await;
	assert!(
		matches!(result, Err(ArtifactError::Http { status: 500, .. })),
		"{result:?}"
	);
	assert_eq!(requests, ATTEMPTS as usize);
}

#[tokio::test]
async fn fetch_does_not_retry_a_client_error() {
	let Outcome {
		result, requests, ..
	} = fetch_from(Behaviour::Status(403)).await;
	assert!(
		matches!(result, Err(ArtifactError::Http { status: 403, .. })),
		"{result:?}"
	);
	assert_eq!(requests, 1);
}

#[tokio::test]
async fn fetch_fails_with_transport_error_if_nothing_listens() {
	let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
	let addr = listener.local_addr().expect("addr");
	drop(listener);
	let (_dir, fetcher) = fetcher();
	let result = fetcher
		.fetch(
			&format!("http://{addr}"),
			ArtifactKind::Update,
			ArtifactHash::of(b"x"),
		)
		.await;
	assert!(
		matches!(result, Err(ArtifactError::Transport { .. })),
		"{result:?}"
	);
}

#[tokio::test]
async fn manifest_fetch_fails_with_hash_mismatch_if_server_sends_another_roots_manifest() {
	let asked_root = [0x61; 32];
	let mut sent_root = asked_root;
	sent_root[0] ^= 1;
	let server = spawn(
		Behaviour::Honest,
		common::manifest_blob(sent_root, b"state hashes"),
	)
	.await;
	let (_dir, fetcher) = fetcher();
	let asked = arena_artifacts::manifest_key(&asked_root);
	let result = fetcher
		.fetch(&server.base, ArtifactKind::Manifest, asked)
		.await;
	assert!(
		matches!(result, Err(ArtifactError::HashMismatch { .. })),
		"{result:?}"
	);
	assert!(!fetcher
		.cache()
		.has(ArtifactKind::Manifest, asked)
		.await
		.expect("has"));
}

#[tokio::test]
async fn manifest_fetch_succeeds_in_one_request_if_root_prefix_matches() {
	let root = [0x62; 32];
	let body = common::manifest_blob(root, b"state hashes");
	let server = spawn(Behaviour::Honest, body.clone()).await;
	let (_dir, fetcher) = fetcher();
	let result = fetcher
		.fetch(
			&server.base,
			ArtifactKind::Manifest,
			arena_artifacts::manifest_key(&root),
		)
		.await;
	assert_eq!(result.expect("fetch"), body);
	assert_eq!(server.requests.load(Ordering::SeqCst), 1);
}
