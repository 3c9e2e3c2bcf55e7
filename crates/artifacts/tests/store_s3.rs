//! The store test-suite against a real S3-compatible server.
//!
//! `ARENA_TEST_S3_ENDPOINT` (e.g. `http://127.0.0.1:9000`, printed by
//! `scripts/s3-test-server.sh start`) names the server; `ARENA_TEST_S3_BUCKET` the bucket
//! (default `arena-test`, created by the script). Credentials: `AWS_ACCESS_KEY_ID` /
//! `AWS_SECRET_ACCESS_KEY` if set, else `test`/`test` (what moto accepts). Each test uses its own
//! key prefix, so runs never see each other's objects.
//!
//! Without `ARENA_TEST_S3_ENDPOINT` every test here FAILS, unless `ARENA_SKIP_S3_TESTS=1`
//! explicitly skips them: a missing server never passes silently.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use arena_artifacts::{ArtifactKind, FetchConfig, Fetcher, LocalStore, S3Store, Store};
use common::{Harness, Raw};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;

/// The endpoint, or `None` when explicitly skipped; panics when neither is set.
fn endpoint() -> Option<String> {
	match std::env::var("ARENA_TEST_S3_ENDPOINT") {
		Ok(e) if !e.is_empty() => Some(e),
		_ if std::env::var("ARENA_SKIP_S3_TESTS").as_deref() == Ok("1") => {
			eprintln!("S3 tests skipped (ARENA_SKIP_S3_TESTS=1)");
			None
		},
		_ => panic!(
			"ARENA_TEST_S3_ENDPOINT is not set: start a server with \
			 `eval \"$(scripts/s3-test-server.sh start)\"`, or set ARENA_SKIP_S3_TESTS=1 to skip"
		),
	}
}

fn options(endpoint: &str) -> Vec<(String, String)> {
	let env = |k: &str, default: &str| std::env::var(k).unwrap_or_else(|_| default.to_string());
	vec![
		("aws_endpoint_url".into(), endpoint.into()),
		("aws_allow_http".into(), "true".into()),
		("aws_region".into(), env("AWS_REGION", "us-east-1")),
		("aws_access_key_id".into(), env("AWS_ACCESS_KEY_ID", "test")),
		(
			"aws_secret_access_key".into(),
			env("AWS_SECRET_ACCESS_KEY", "test"),
		),
	]
}

fn bucket() -> String {
	std::env::var("ARENA_TEST_S3_BUCKET").unwrap_or_else(|_| "arena-test".into())
}

/// A key prefix no other test (in this or another run) uses.
fn unique_prefix() -> String {
	static N: AtomicU64 = AtomicU64::new(0);
	let nanos = std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map_or(0, |d| d.as_nanos());
	format!(
		"run-{}-{nanos}-{}",
		std::process::id(),
		N.fetch_add(1, Ordering::Relaxed)
	)
}

async fn s3() -> Option<Harness> {
	let endpoint = endpoint()?;
	let prefix = unique_prefix();
	let url = format!("s3://{}/{prefix}", bucket());
	let opts = options(&endpoint);
	let store = S3Store::open_with(&url, common::limits(), opts.clone()).expect("open s3 store");
	let mut raw = AmazonS3Builder::new().with_bucket_name(bucket());
	for (k, v) in &opts {
		raw = raw.with_config(k.parse().expect("config key"), v);
	}
	let raw = raw.build().expect("raw s3 client");
	Some(Harness {
		store: Store::S3(store),
		raw: Raw::S3(Arc::new(raw), ObjectPath::from(prefix)),
		_dir: None,
	})
}

store_suite!(s3);

#[tokio::test]
async fn fetcher_reads_from_an_s3_source_and_caches() {
	let Some(h) = s3().await else { return };
	let Store::S3(s3) = &h.store else {
		unreachable!("s3() builds an S3 store")
	};
	let b = common::blob(42, 3000);
	let hash = h
		.store
		.put(ArtifactKind::Update, b.clone())
		.await
		.expect("put");
	let dir = tempfile::tempdir().expect("tempdir");
	let cache = LocalStore::open(dir.path(), common::limits()).expect("cache");
	let fetcher = Fetcher::new(cache.clone(), FetchConfig::default())
		.expect("fetcher")
		.with_s3_options(options(&endpoint().expect("endpoint")));
	assert_eq!(
		fetcher
			.fetch(s3.url(), ArtifactKind::Update, hash)
			.await
			.expect("fetch"),
		b
	);
	assert!(cache.has(ArtifactKind::Update, hash).await.expect("has"));
}
