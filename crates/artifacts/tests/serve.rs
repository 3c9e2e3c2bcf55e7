//! The read-only HTTP server, and the fetcher against it.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use arena_artifacts::{
	serve, ArtifactError, ArtifactHash, ArtifactKind, FetchConfig, Fetcher, LocalStore,
};
use reqwest::header::{ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, RANGE};
use reqwest::StatusCode;

const LOOPBACK: &str = "127.0.0.1:0";

fn loopback() -> SocketAddr {
	LOOPBACK.parse().expect("addr")
}

async fn store_with_blob() -> (tempfile::TempDir, LocalStore, ArtifactHash, bytes::Bytes) {
	let dir = tempfile::tempdir().expect("tempdir");
	let store = LocalStore::open(dir.path(), common::limits()).expect("open");
	let b = common::blob(1, 1000);
	let hash = store
		.put(ArtifactKind::State, b.clone())
		.await
		.expect("put");
	(dir, store, hash, b)
}

fn url(server: &arena_artifacts::ArtifactServer, kind: &str, hash: &str) -> String {
	format!("{}/artifacts/{kind}/{hash}", server.url())
}

#[tokio::test]
async fn get_returns_the_whole_artifact() {
	let (_dir, store, hash, b) = store_with_blob().await;
	let server = serve(store, loopback()).await.expect("serve");
	let r = reqwest::get(url(&server, "state", &hash.to_hex()))
		.await
		.expect("get");
	assert_eq!(r.status(), StatusCode::OK);
	assert_eq!(r.headers()[ACCEPT_RANGES], "bytes");
	assert_eq!(r.bytes().await.expect("body"), b);
	server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn range_request_returns_206_with_the_slice() {
	let (_dir, store, hash, b) = store_with_blob().await;
	let server = serve(store, loopback()).await.expect("serve");
	let r = reqwest::Client::new()
		.get(url(&server, "state", &hash.to_hex()))
		.header(RANGE, "bytes=100-199")
		.send()
		.await
		.expect("get");
	assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
	assert_eq!(r.headers()[CONTENT_RANGE], "bytes 100-199/1000");
	assert_eq!(r.bytes().await.expect("body"), b.slice(100..200));
}

#[tokio::test]
async fn suffix_range_returns_the_tail() {
	let (_dir, store, hash, b) = store_with_blob().await;
	let server = serve(store, loopback()).await.expect("serve");
	let r = reqwest::Client::new()
		.get(url(&server, "state", &hash.to_hex()))
		.header(RANGE, "bytes=-10")
		.send()
		.await
		.expect("get");
	assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
	assert_eq!(r.bytes().await.expect("body"), b.slice(990..));
}

#[tokio::test]
async fn range_past_the_end_returns_416() {
	let (_dir, store, hash, _) = store_with_blob().await;
	let server = serve(store, loopback()).await.expect("serve");
	let r = reqwest::Client::new()
		.get(url(&server, "state", &hash.to_hex()))
		.header(RANGE, "bytes=1000-")
		.send()
		.await
		.expect("get");
	assert_eq!(r.status(), StatusCode::RANGE_NOT_SATISFIABLE);
	assert_eq!(r.headers()[CONTENT_RANGE], "bytes */1000");
}

#[tokio::test]
async fn head_returns_the_length_without_a_body() {
	let (_dir, store, hash, _) = store_with_blob().await;
	let server = serve(store, loopback()).await.expect("serve");
	let r = reqwest::Client::new()
		.head(url(&server, "state", &hash.to_hex()))
		.send()
		.await
		.expect("head");
	assert_eq!(r.status(), StatusCode::OK);
	assert_eq!(r.headers()[CONTENT_LENGTH], "1000");
	assert!(r.bytes().await.expect("body").is_empty());
}

#[tokio::test]
async fn unknown_kind_malformed_hash_or_missing_artifact_return_404() {
	let (_dir, store, hash, _) = store_with_blob().await;
	let server = serve(store, loopback()).await.expect("serve");
	let missing = ArtifactHash::of(b"missing").to_hex();
	for u in [
		url(&server, "weights", &hash.to_hex()),
		url(&server, "state", "abc"),
		url(&server, "update", &hash.to_hex()),
		url(&server, "state", &missing),
		format!("{}/other", server.url()),
	] {
		let r = reqwest::get(&u).await.expect("get");
		assert_eq!(r.status(), StatusCode::NOT_FOUND, "{u}");
	}
}

#[tokio::test]
async fn corrupt_file_is_not_served() {
	let (dir, store, hash, _) = store_with_blob().await;
	std::fs::write(dir.path().join("state").join(hash.to_hex()), b"bit rot").expect("write");
	let server = serve(store, loopback()).await.expect("serve");
	let r = reqwest::get(url(&server, "state", &hash.to_hex()))
		.await
		.expect("get");
	assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

fn quick() -> FetchConfig {
	FetchConfig {
		connect_timeout: Duration::from_secs(2),
		idle_timeout: Duration::from_secs(2),
		attempt_timeout: Duration::from_secs(10),
		retry: arena_artifacts::RetryPolicy {
			max_attempts: 2,
			initial_backoff: Duration::from_millis(10),
			max_backoff: Duration::from_millis(50),
		},
	}
}

#[tokio::test]
async fn fetcher_gets_from_server_then_from_cache_without_network() {
	let (_dir, store, hash, b) = store_with_blob().await;
	let server = serve(store, loopback()).await.expect("serve");
	let base = server.url();
	let cache_dir = tempfile::tempdir().expect("tempdir");
	let cache = LocalStore::open(cache_dir.path(), common::limits()).expect("cache");
	let fetcher = Fetcher::new(cache, quick()).expect("fetcher");
	assert_eq!(
		fetcher
			.fetch(&base, ArtifactKind::State, hash)
			.await
			.expect("fetch"),
		b
	);
	server.shutdown().await.expect("shutdown");
	// The server is gone: only the cache can answer.
	assert_eq!(
		fetcher
			.fetch(&base, ArtifactKind::State, hash)
			.await
			.expect("cached"),
		b
	);
}

#[tokio::test]
async fn fetcher_refetches_if_cached_copy_is_corrupt() {
	let (_dir, store, hash, b) = store_with_blob().await;
	let server = serve(store, loopback()).await.expect("serve");
	let cache_dir = tempfile::tempdir().expect("tempdir");
	let cache = LocalStore::open(cache_dir.path(), common::limits()).expect("cache");
	std::fs::write(cache.path_of(ArtifactKind::State, &hash), b"rotten").expect("write");
	let fetcher = Fetcher::new(cache.clone(), quick()).expect("fetcher");
	assert_eq!(
		fetcher
			.fetch(&server.url(), ArtifactKind::State, hash)
			.await
			.expect("fetch"),
		b
	);
	assert_eq!(
		cache.get(ArtifactKind::State, hash).await.expect("cache"),
		b
	);
}

#[tokio::test]
async fn fetcher_fails_with_not_found_if_server_lacks_the_artifact() {
	let (_dir, store, _, _) = store_with_blob().await;
	let server = serve(store, loopback()).await.expect("serve");
	let cache_dir = tempfile::tempdir().expect("tempdir");
	let cache = LocalStore::open(cache_dir.path(), common::limits()).expect("cache");
	let fetcher = Fetcher::new(cache, quick()).expect("fetcher");
	let missing = ArtifactHash::of(b"missing");
	assert!(matches!(
		fetcher
			.fetch(&server.url(), ArtifactKind::State, missing)
			.await,
		Err(ArtifactError::NotFound { .. })
	));
}

#[tokio::test]
async fn manifest_is_served_and_fetched_under_the_key_of_its_root() {
	let dir = tempfile::tempdir().expect("tempdir");
	let store = LocalStore::open(dir.path(), common::limits()).expect("open");
	let root = [0x51; 32];
	let m = common::manifest_blob(root, b"state hashes");
	let key = store
		.put(ArtifactKind::Manifest, m.clone())
		.await
		.expect("put");
	let server = serve(store, loopback()).await.expect("serve");
	let cache_dir = tempfile::tempdir().expect("tempdir");
	let cache = LocalStore::open(cache_dir.path(), common::limits()).expect("cache");
	let fetcher = Fetcher::new(cache, quick()).expect("fetcher");
	let fetched = fetcher
		.fetch(
			&server.url(),
			ArtifactKind::Manifest,
			arena_artifacts::manifest_key(&root),
		)
		.await
		.expect("fetch");
	assert_eq!(key, arena_artifacts::manifest_key(&root));
	assert_eq!(fetched, m);
}

#[tokio::test]
async fn manifest_fetch_fails_if_server_answers_with_another_roots_manifest() {
	let dir = tempfile::tempdir().expect("tempdir");
	let store = LocalStore::open(dir.path(), common::limits()).expect("open");
	let asked = arena_artifacts::manifest_key(&[0x52; 32]);
	// Planted behind the store's back: a manifest for another root under the asked key.
	std::fs::write(
		store.path_of(ArtifactKind::Manifest, &asked),
		common::manifest_blob([0x53; 32], b"x"),
	)
	.expect("write");
	let server = serve(store, loopback()).await.expect("serve");
	let cache_dir = tempfile::tempdir().expect("tempdir");
	let cache = LocalStore::open(cache_dir.path(), common::limits()).expect("cache");
	let fetcher = Fetcher::new(cache.clone(), quick()).expect("fetcher");
	// The server refuses to serve it (500): the fetch fails and nothing is cached.
	assert!(fetcher
		.fetch(&server.url(), ArtifactKind::Manifest, asked)
		.await
		.is_err());
	assert!(!cache.has(ArtifactKind::Manifest, asked).await.expect("has"));
}
