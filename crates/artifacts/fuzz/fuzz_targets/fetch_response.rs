//! The whole HTTP fetch path (hyper's parsing under reqwest, then the fetcher's checks) on an
//! arbitrary raw response: a loopback server on 127.0.0.1 sends the input bytes verbatim as
//! the answer. The expected hash is that of everything after the first blank line, so a
//! well-formed response can succeed. Invariants: no panic, no hang, and a success returns
//! bytes that hash to the requested hash within the limit.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use arena_artifacts::{
	ArtifactHash, ArtifactKind, FetchConfig, Fetcher, LocalStore, RetryPolicy, SizeLimits,
};
use libfuzzer_sys::fuzz_target;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const LIMIT: u64 = 64 * 1024;

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
		let cache = LocalStore::open(&dir, SizeLimits::uniform(LIMIT)).expect("cache");
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

fuzz_target!(|data: &[u8]| {
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
			assert!(bytes.len() as u64 <= LIMIT);
			let _ = fetcher.cache().delete(ArtifactKind::State, expected).await;
		}
		server.abort();
	});
});
