//! The store test-suite against the local-directory backend.

mod common;

use arena_artifacts::{LocalStore, Store};
use common::{Harness, Raw};

async fn local() -> Option<Harness> {
	let dir = tempfile::tempdir().expect("tempdir");
	let store = LocalStore::open(dir.path(), common::limits()).expect("open");
	Some(Harness {
		store: Store::Local(store),
		raw: Raw::Local(dir.path().to_path_buf()),
		_dir: Some(dir),
	})
}

store_suite!(local);

#[tokio::test]
async fn open_by_plain_path_and_file_url_reach_the_same_directory() {
	let dir = tempfile::tempdir().expect("tempdir");
	let by_path = Store::open(dir.path().to_str().expect("utf-8"), common::limits()).expect("open");
	let url = format!("file://{}", dir.path().display());
	let by_url = Store::open(&url, common::limits()).expect("open");
	let hash = by_path
		.put(arena_artifacts::ArtifactKind::Update, common::blob(1, 10))
		.await
		.expect("put");
	assert!(by_url
		.has(arena_artifacts::ArtifactKind::Update, hash)
		.await
		.expect("has"));
}

#[test]
fn open_fails_if_scheme_is_unknown() {
	assert!(matches!(
		Store::open("ftp://host/dir", common::limits()),
		Err(arena_artifacts::ArtifactError::InvalidUrl(_))
	));
}

#[tokio::test]
async fn put_leaves_no_temporary_file_behind() {
	let dir = tempfile::tempdir().expect("tempdir");
	let store = LocalStore::open(dir.path(), common::limits()).expect("open");
	store
		.put(arena_artifacts::ArtifactKind::State, common::blob(2, 1000))
		.await
		.expect("put");
	let names: Vec<_> = std::fs::read_dir(dir.path().join("state"))
		.expect("read_dir")
		.map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
		.collect();
	assert_eq!(names.len(), 1);
	assert!(!names[0].starts_with('.'));
}

#[tokio::test]
async fn prune_removes_stale_temporary_files_only() {
	let dir = tempfile::tempdir().expect("tempdir");
	let store = LocalStore::open(dir.path(), common::limits()).expect("open");
	let stale = dir.path().join("update").join(".tmp.crashed");
	std::fs::write(&stale, b"half").expect("write");
	assert_eq!(
		store
			.remove_stale_temp_files(std::time::Duration::from_secs(3600))
			.await
			.expect("clean"),
		0
	);
	assert!(stale.exists());
	assert_eq!(
		store
			.remove_stale_temp_files(std::time::Duration::ZERO)
			.await
			.expect("clean"),
		1
	);
	assert!(!stale.exists());
}
