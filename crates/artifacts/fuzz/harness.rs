//! The checks behind arena-artifacts' fuzz targets, shared by the cargo-fuzz binaries
//! (`fuzz_targets/*.rs`, each a one-line `fuzz_target!` over a function here) and by the
//! crate's ordinary test `tests/fuzz_corpus.rs`, which replays every committed seed and crash
//! regression through the same functions on stable Rust. Each function panics when a property
//! is violated.

use std::sync::OnceLock;
use std::time::Duration;

use arena_artifacts::body::VerifiedBody;
use arena_artifacts::range::{parse_range, RangeRequest};
use arena_artifacts::{
	ArtifactHash, ArtifactKind, FetchConfig, Fetcher, LocalStore, RetryPolicy, SizeLimits,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// `VerifiedBody` (the fetcher's and the S3 backend's response handling) on arbitrary
/// announced lengths, chunkings and bytes: it never panics, never accepts more than the limit
/// and only returns bytes that hash to the expected hash and match the announced length.
pub fn verified_body(data: &[u8]) {
	const LIMIT: u64 = 4096;
	if data.len() < 3 {
		return;
	}
	let (control, rest) = data.split_at(3);
	// control[0]: bit 0 = announce a length, bit 1 = expect the right hash.
	let announced = (control[0] & 1 == 1).then(|| u64::from(control[1]) * 32);
	let expected = if control[0] & 2 == 2 {
		ArtifactHash::of(rest)
	} else {
		ArtifactHash::of(b"something else")
	};
	let step = usize::from(control[2]).max(1);
	let limits = SizeLimits::uniform(LIMIT);
	let Ok(mut body) = VerifiedBody::new(ArtifactKind::Update, expected, &limits, announced) else {
		assert!(announced.is_some_and(|a| a > LIMIT));
		return;
	};
	for chunk in rest.chunks(step) {
		if body.push(chunk).is_err() {
			assert!(rest.len() as u64 > LIMIT);
			return;
		}
	}
	if let Ok(bytes) = body.finish() {
		assert_eq!(ArtifactHash::of(&bytes), expected);
		assert!(bytes.len() as u64 <= LIMIT);
		assert!(announced.is_none_or(|a| a == bytes.len() as u64));
		assert_eq!(&bytes[..], rest);
	}
}

/// `parse_range` on arbitrary headers and lengths: a partial range always lies inside the body.
pub fn range_header(data: &[u8]) {
	if data.len() < 8 {
		return;
	}
	let (len, header) = data.split_at(8);
	let len = u64::from_le_bytes(len.try_into().unwrap_or([0; 8])) % (1 << 40);
	let Ok(header) = std::str::from_utf8(header) else {
		return;
	};
	if let RangeRequest::Partial { start, end } = parse_range(header, len) {
		assert!(start <= end && end < len, "{header:?} {len}: {start}-{end}");
	}
}

const FETCH_LIMIT: u64 = 64 * 1024;

fn runtime() -> &'static tokio::runtime::Runtime {
	static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
	RT.get_or_init(|| {
		tokio::runtime::Builder::new_current_thread()
			.enable_all()
			.build()
			.expect("runtime")
	})
}

/// One fetcher for the whole run (building a client loads the system's root certificates).
fn fetcher() -> &'static Fetcher {
	static FETCHER: OnceLock<Fetcher> = OnceLock::new();
	FETCHER.get_or_init(|| {
		let dir = std::env::temp_dir().join(format!("arena-fuzz-cache-{}", std::process::id()));
		let _ = std::fs::remove_dir_all(&dir);
		let cache = LocalStore::open(&dir, SizeLimits::uniform(FETCH_LIMIT)).expect("cache");
		let config = FetchConfig {
			connect_timeout: Duration::from_secs(1),
			idle_timeout: Duration::from_millis(200),
			attempt_timeout: Duration::from_secs(1),
			retry: RetryPolicy {
				max_attempts: 1,
				initial_backoff: Duration::ZERO,
				max_backoff: Duration::ZERO,
			},
		};
		Fetcher::new(cache, config).expect("fetcher")
	})
}

/// The whole HTTP fetch path (hyper's parsing under reqwest, then the fetcher's checks) on an
/// arbitrary raw response: a loopback server on 127.0.0.1 sends the input bytes verbatim as
/// the answer. The expected hash is that of everything after the first blank line, so a
/// well-formed response can succeed. Invariants: no panic, no hang, and a success returns
/// bytes that hash to the requested hash within the limit.
pub fn fetch_response(data: &[u8]) {
	let body_start = data
		.windows(4)
		.position(|w| w == b"\r\n\r\n")
		.map_or(data.len(), |p| p + 4);
	let expected = ArtifactHash::of(&data[body_start..]);
	let response = data.to_vec();
	runtime().block_on(async move {
		let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
		let addr = listener.local_addr().expect("addr");
		let server = tokio::spawn(async move {
			if let Ok((mut s, _)) = listener.accept().await {
				let mut buf = [0u8; 4096];
				let _ = s.read(&mut buf).await;
				let _ = s.write_all(&response).await;
				let _ = s.shutdown().await;
			}
		});
		let fetcher = fetcher();
		let result = fetcher
			.fetch(&format!("http://{addr}"), ArtifactKind::State, expected)
			.await;
		if let Ok(bytes) = result {
			assert_eq!(ArtifactHash::of(&bytes), expected);
			assert!(bytes.len() as u64 <= FETCH_LIMIT);
			let _ = fetcher.cache().delete(ArtifactKind::State, expected).await;
		}
		server.abort();
	});
}
