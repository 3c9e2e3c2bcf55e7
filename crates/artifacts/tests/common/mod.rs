//! The store test-suite shared by both backends, and the harness that builds a fresh store.
//!
//! `store_suite!(make)` expands to one `#[tokio::test]` per case; `make()` returns a fresh,
//! empty [`Harness`] (or `None` when the backend is explicitly skipped).

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use arena_artifacts::{ArtifactError, ArtifactHash, ArtifactKind, SizeLimits, Store};
use bytes::Bytes;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

/// The limit every kind gets in the suite.
pub const LIMIT: u64 = 64 * 1024;

/// The suite's limits: [`LIMIT`] bytes for every kind.
pub fn limits() -> SizeLimits {
	SizeLimits::uniform(LIMIT)
}

/// Where the harness can write bytes behind the store's back (to plant bad blobs).
pub enum Raw {
	/// The local store's root directory.
	Local(PathBuf),
	/// The bucket and the store's key prefix.
	S3(Arc<dyn ObjectStore>, ObjectPath),
}

/// A fresh store and raw access to its backend.
pub struct Harness {
	/// The store under test.
	pub store: Store,
	/// Raw access to the same location.
	pub raw: Raw,
	/// Keeps a local store's directory alive.
	pub _dir: Option<tempfile::TempDir>,
}

impl Harness {
	/// Writes `bytes` at `<kind>/<name>` without any check.
	pub async fn write_raw(&self, kind: ArtifactKind, name: &str, bytes: &[u8]) {
		match &self.raw {
			Raw::Local(root) => {
				std::fs::write(root.join(kind.as_str()).join(name), bytes).expect("raw write")
			},
			Raw::S3(store, prefix) => {
				let key = prefix.clone().join(kind.as_str()).join(name);
				store
					.put(&key, PutPayload::from(bytes.to_vec()))
					.await
					.expect("raw put");
			},
		}
	}
}

/// Deterministic test bytes.
pub fn blob(seed: u8, len: usize) -> Bytes {
	Bytes::from(
		(0..len)
			.map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
			.collect::<Vec<_>>(),
	)
}

pub async fn put_then_get_returns_the_same_bytes(h: Harness) {
	let b = blob(1, 5000);
	let hash = h
		.store
		.put(ArtifactKind::State, b.clone())
		.await
		.expect("put");
	assert_eq!(hash, ArtifactHash::of(&b));
	assert_eq!(
		h.store.get(ArtifactKind::State, hash).await.expect("get"),
		b
	);
}

pub async fn empty_blob_round_trips(h: Harness) {
	let hash = h
		.store
		.put(ArtifactKind::LossTrace, Bytes::new())
		.await
		.expect("put");
	assert!(h
		.store
		.get(ArtifactKind::LossTrace, hash)
		.await
		.expect("get")
		.is_empty());
}

pub async fn get_fails_with_not_found_if_absent(h: Harness) {
	let hash = ArtifactHash::of(b"never stored");
	assert!(matches!(
		h.store.get(ArtifactKind::Update, hash).await,
		Err(ArtifactError::NotFound { .. })
	));
}

pub async fn get_fails_with_not_found_if_stored_under_another_kind(h: Harness) {
	let hash = h
		.store
		.put(ArtifactKind::Update, blob(2, 100))
		.await
		.expect("put");
	assert!(matches!(
		h.store.get(ArtifactKind::Checkpoint, hash).await,
		Err(ArtifactError::NotFound { .. })
	));
}

pub async fn has_is_true_only_after_put(h: Harness) {
	let b = blob(3, 100);
	let hash = ArtifactHash::of(&b);
	assert!(!h
		.store
		.has(ArtifactKind::Checkpoint, hash)
		.await
		.expect("has"));
	h.store.put(ArtifactKind::Checkpoint, b).await.expect("put");
	assert!(h
		.store
		.has(ArtifactKind::Checkpoint, hash)
		.await
		.expect("has"));
}

pub async fn list_returns_each_kinds_artifacts_sorted(h: Harness) {
	let mut hashes = Vec::new();
	for seed in 0..5 {
		hashes.push(
			h.store
				.put(ArtifactKind::Update, blob(seed, 10 + seed as usize))
				.await
				.expect("put"),
		);
	}
	h.store
		.put(ArtifactKind::State, blob(9, 10))
		.await
		.expect("put");
	hashes.sort();
	let listed = h.store.list(ArtifactKind::Update).await.expect("list");
	assert_eq!(listed.iter().map(|i| i.hash).collect::<Vec<_>>(), hashes);
	assert!(listed.iter().all(|i| i.kind == ArtifactKind::Update));
	let sizes: u64 = listed.iter().map(|i| i.size).sum();
	assert_eq!(sizes, (10..15).sum::<u64>());
	assert_eq!(
		h.store.list(ArtifactKind::State).await.expect("list").len(),
		1
	);
	assert!(h
		.store
		.list(ArtifactKind::Checkpoint)
		.await
		.expect("list")
		.is_empty());
}

pub async fn list_skips_names_that_are_not_hashes(h: Harness) {
	h.write_raw(ArtifactKind::Update, "notes.txt", b"hello")
		.await;
	h.write_raw(ArtifactKind::Update, ".tmp.partial", b"half")
		.await;
	assert!(h
		.store
		.list(ArtifactKind::Update)
		.await
		.expect("list")
		.is_empty());
}

pub async fn delete_removes_the_artifact_and_is_idempotent(h: Harness) {
	let hash = h
		.store
		.put(ArtifactKind::State, blob(4, 100))
		.await
		.expect("put");
	h.store
		.delete(ArtifactKind::State, hash)
		.await
		.expect("delete");
	assert!(!h.store.has(ArtifactKind::State, hash).await.expect("has"));
	h.store
		.delete(ArtifactKind::State, hash)
		.await
		.expect("second delete");
	assert!(matches!(
		h.store.get(ArtifactKind::State, hash).await,
		Err(ArtifactError::NotFound { .. })
	));
}

pub async fn put_fails_if_blob_exceeds_the_kinds_limit(h: Harness) {
	let b = blob(5, LIMIT as usize + 1);
	let hash = ArtifactHash::of(&b);
	assert!(matches!(
		h.store.put(ArtifactKind::Checkpoint, b).await,
		Err(ArtifactError::TooLarge { .. })
	));
	assert!(!h
		.store
		.has(ArtifactKind::Checkpoint, hash)
		.await
		.expect("has"));
}

pub async fn put_accepts_a_blob_exactly_at_the_limit(h: Harness) {
	let b = blob(6, LIMIT as usize);
	let hash = h
		.store
		.put(ArtifactKind::Checkpoint, b.clone())
		.await
		.expect("put");
	assert_eq!(
		h.store
			.get(ArtifactKind::Checkpoint, hash)
			.await
			.expect("get"),
		b
	);
}

pub async fn put_expected_fails_if_bytes_hash_differently(h: Harness) {
	let claimed = ArtifactHash::of(b"the real update");
	assert!(matches!(
		h.store
			.put_expected(ArtifactKind::Update, claimed, blob(7, 100))
			.await,
		Err(ArtifactError::HashMismatch { .. })
	));
	assert!(!h
		.store
		.has(ArtifactKind::Update, claimed)
		.await
		.expect("has"));
	assert!(h
		.store
		.list(ArtifactKind::Update)
		.await
		.expect("list")
		.is_empty());
}

pub async fn get_fails_with_hash_mismatch_if_stored_blob_is_truncated(h: Harness) {
	let b = blob(8, 4000);
	let hash = ArtifactHash::of(&b);
	h.write_raw(ArtifactKind::State, &hash.to_hex(), &b[..2000])
		.await;
	assert!(matches!(
		h.store.get(ArtifactKind::State, hash).await,
		Err(ArtifactError::HashMismatch { .. })
	));
}

pub async fn get_fails_with_hash_mismatch_if_stored_blob_is_garbage(h: Harness) {
	let hash = ArtifactHash::of(&blob(9, 4000));
	h.write_raw(ArtifactKind::Checkpoint, &hash.to_hex(), &blob(200, 4000))
		.await;
	match h.store.get(ArtifactKind::Checkpoint, hash).await {
		Err(ArtifactError::HashMismatch {
			expected, actual, ..
		}) => {
			assert_eq!(expected, hash);
			assert_eq!(actual, ArtifactHash::of(&blob(200, 4000)));
		},
		other => panic!("expected HashMismatch, got {other:?}"),
	}
}

pub async fn get_fails_with_too_large_if_stored_blob_is_oversized(h: Harness) {
	let big = blob(10, LIMIT as usize + 100);
	let hash = ArtifactHash::of(&big);
	h.write_raw(ArtifactKind::Update, &hash.to_hex(), &big)
		.await;
	assert!(matches!(
		h.store.get(ArtifactKind::Update, hash).await,
		Err(ArtifactError::TooLarge { .. })
	));
}

pub async fn concurrent_puts_of_the_same_blob_all_succeed(h: Harness) {
	let b = blob(11, 40_000);
	let store = Arc::new(h.store.clone());
	let tasks: Vec<_> = (0..16)
		.map(|_| {
			let store = store.clone();
			let b = b.clone();
			tokio::spawn(async move { store.put(ArtifactKind::Checkpoint, b).await })
		})
		.collect();
	let expected = ArtifactHash::of(&b);
	for t in tasks {
		assert_eq!(t.await.expect("join").expect("put"), expected);
	}
	assert_eq!(
		h.store
			.get(ArtifactKind::Checkpoint, expected)
			.await
			.expect("get"),
		b
	);
	let listed = h.store.list(ArtifactKind::Checkpoint).await.expect("list");
	assert_eq!(listed.len(), 1);
	assert_eq!(listed[0].size, 40_000);
}

pub async fn concurrent_gets_during_puts_never_see_partial_bytes(h: Harness) {
	let b = blob(12, 60_000);
	let hash = ArtifactHash::of(&b);
	let store = Arc::new(h.store.clone());
	let writers: Vec<_> = (0..4)
		.map(|_| {
			let (store, b) = (store.clone(), b.clone());
			tokio::spawn(async move { store.put(ArtifactKind::State, b).await })
		})
		.collect();
	for _ in 0..20 {
		match store.get(ArtifactKind::State, hash).await {
			Ok(read) => assert_eq!(read, b),
			Err(ArtifactError::NotFound { .. }) => {},
			Err(e) => panic!("a reader saw a partial blob: {e}"),
		}
	}
	for w in writers {
		w.await.expect("join").expect("put");
	}
}

pub async fn prune_removes_what_keep_rejects_and_usage_counts_bytes(h: Harness) {
	let keep = h
		.store
		.put(ArtifactKind::State, blob(13, 1000))
		.await
		.expect("put");
	let drop1 = h
		.store
		.put(ArtifactKind::State, blob(14, 300))
		.await
		.expect("put");
	let drop2 = h
		.store
		.put(ArtifactKind::Update, blob(15, 200))
		.await
		.expect("put");
	let usage = h.store.usage().await.expect("usage");
	assert_eq!(usage.bytes(ArtifactKind::State), 1300);
	assert_eq!(usage.count(ArtifactKind::State), 2);
	assert_eq!(usage.bytes(ArtifactKind::Update), 200);
	assert_eq!(usage.total_bytes(), 1500);
	let report = h.store.prune(|_, hash| *hash == keep).await.expect("prune");
	assert_eq!(
		(report.kept, report.removed, report.freed_bytes),
		(1, 2, 500)
	);
	assert!(h.store.has(ArtifactKind::State, keep).await.expect("has"));
	assert!(!h.store.has(ArtifactKind::State, drop1).await.expect("has"));
	assert!(!h.store.has(ArtifactKind::Update, drop2).await.expect("has"));
	assert_eq!(h.store.usage().await.expect("usage").total_bytes(), 1000);
}

pub async fn prune_to_keep_set_drops_rounds_whose_escrow_closed(h: Harness) {
	let old = h
		.store
		.put(ArtifactKind::State, blob(16, 100))
		.await
		.expect("put");
	let open = h
		.store
		.put(ArtifactKind::State, blob(17, 100))
		.await
		.expect("put");
	let mut keep = arena_artifacts::KeepSet::new();
	keep.pin(10, ArtifactKind::State, old);
	keep.pin(12, ArtifactKind::State, open);
	keep.release_before(11);
	let report = h.store.prune_to(&keep).await.expect("prune");
	assert_eq!((report.kept, report.removed), (1, 1));
	assert!(h.store.has(ArtifactKind::State, open).await.expect("has"));
	assert!(!h.store.has(ArtifactKind::State, old).await.expect("has"));
}

/// A manifest-like blob: a 32-byte Merkle root, then a tail.
pub fn manifest_blob(root: [u8; 32], tail: &[u8]) -> Bytes {
	let mut v = root.to_vec();
	v.extend_from_slice(tail);
	Bytes::from(v)
}

pub async fn manifest_is_stored_under_the_key_of_its_root(h: Harness) {
	let root = [0x42; 32];
	let m = manifest_blob(root, b"manifest body");
	let key = h
		.store
		.put(ArtifactKind::Manifest, m.clone())
		.await
		.expect("put");
	assert_eq!(key, arena_artifacts::manifest_key(&root));
	assert_ne!(key, ArtifactHash::of(&m));
	assert_eq!(
		h.store.get(ArtifactKind::Manifest, key).await.expect("get"),
		m
	);
	h.store
		.put_expected(ArtifactKind::Manifest, key, m)
		.await
		.expect("put_expected under the root key");
}

pub async fn manifest_put_expected_fails_if_key_is_its_content_hash(h: Harness) {
	let m = manifest_blob([0x43; 32], b"body");
	assert!(matches!(
		h.store
			.put_expected(ArtifactKind::Manifest, ArtifactHash::of(&m), m)
			.await,
		Err(ArtifactError::HashMismatch { .. })
	));
}

pub async fn manifest_put_expected_fails_if_root_prefix_is_wrong(h: Harness) {
	let key = arena_artifacts::manifest_key(&[0x44; 32]);
	let mut other_root = [0x44; 32];
	other_root[31] ^= 1;
	assert!(matches!(
		h.store
			.put_expected(
				ArtifactKind::Manifest,
				key,
				manifest_blob(other_root, b"body")
			)
			.await,
		Err(ArtifactError::HashMismatch { .. })
	));
}

pub async fn manifest_put_fails_if_shorter_than_its_root(h: Harness) {
	assert!(matches!(
		h.store
			.put(ArtifactKind::Manifest, Bytes::from_static(&[1; 20]))
			.await,
		Err(ArtifactError::TooShort { size: 20, .. })
	));
}

pub async fn manifest_get_fails_if_stored_root_prefix_differs(h: Harness) {
	let key = arena_artifacts::manifest_key(&[0x45; 32]);
	h.write_raw(
		ArtifactKind::Manifest,
		&key.to_hex(),
		&manifest_blob([0x46; 32], b"planted"),
	)
	.await;
	assert!(matches!(
		h.store.get(ArtifactKind::Manifest, key).await,
		Err(ArtifactError::HashMismatch { .. })
	));
}

/// Expands to one `#[tokio::test]` per suite case, each on a fresh store from `$make`.
#[macro_export]
macro_rules! store_suite {
	($make:path) => {
		$crate::store_suite!(@cases $make;
			put_then_get_returns_the_same_bytes,
			empty_blob_round_trips,
			get_fails_with_not_found_if_absent,
			get_fails_with_not_found_if_stored_under_another_kind,
			has_is_true_only_after_put,
			list_returns_each_kinds_artifacts_sorted,
			list_skips_names_that_are_not_hashes,
			delete_removes_the_artifact_and_is_idempotent,
			put_fails_if_blob_exceeds_the_kinds_limit,
			put_accepts_a_blob_exactly_at_the_limit,
			put_expected_fails_if_bytes_hash_differently,
			get_fails_with_hash_mismatch_if_stored_blob_is_truncated,
			get_fails_with_hash_mismatch_if_stored_blob_is_garbage,
			get_fails_with_too_large_if_stored_blob_is_oversized,
			concurrent_puts_of_the_same_blob_all_succeed,
			concurrent_gets_during_puts_never_see_partial_bytes,
			prune_removes_what_keep_rejects_and_usage_counts_bytes,
			prune_to_keep_set_drops_rounds_whose_escrow_closed,
			manifest_is_stored_under_the_key_of_its_root,
			manifest_put_expected_fails_if_key_is_its_content_hash,
			manifest_put_expected_fails_if_root_prefix_is_wrong,
			manifest_put_fails_if_shorter_than_its_root,
			manifest_get_fails_if_stored_root_prefix_differs,
		);
	};
	(@cases $make:path; $($case:ident),+ $(,)?) => {
		$(
			#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
			async fn $case() {
				if let Some(h) = $make().await {
					common::$case(h).await;
				}
			}
		)+
	};
}
