//! The client's static metadata (`crates/chain-client/metadata/arena.scale`) must be exactly the
//! runtime's V16 metadata. Regenerate with
//! `ARENA_UPDATE_METADATA=1 cargo test -p arena-runtime --test metadata`.

use std::path::PathBuf;

/// Metadata version the client is generated from.
const METADATA_VERSION: u32 = 16;

fn stored_path() -> PathBuf {
	// The manifest dir is read at run time (cargo sets it) so a test binary reused from another
	// checkout of the same target dir checks this checkout's file.
	let manifest =
		std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into());
	PathBuf::from(manifest).join("../crates/chain-client/metadata/arena.scale")
}

fn runtime_metadata() -> Vec<u8> {
	sp_io::TestExternalities::default().execute_with(|| {
		arena_runtime::Runtime::metadata_at_version(METADATA_VERSION)
			.expect("the runtime serves V16 metadata")
			.to_vec()
	})
}

#[test]
fn runtime_serves_v16_metadata() {
	let versions = arena_runtime::Runtime::metadata_versions();
	assert!(
		versions.contains(&METADATA_VERSION),
		"metadata versions: {versions:?}"
	);
}

#[test]
fn stored_client_metadata_matches_runtime() {
	let current = runtime_metadata();
	let path = stored_path();
	if std::env::var_os("ARENA_UPDATE_METADATA").is_some() {
		std::fs::write(&path, &current).expect("write metadata file");
		eprintln!("wrote {} ({} bytes)", path.display(), current.len());
		return;
	}
	let stored = std::fs::read(&path).unwrap_or_else(|e| {
		panic!(
			"cannot read {}: {e}; generate it with ARENA_UPDATE_METADATA=1",
			path.display()
		)
	});
	assert!(
		stored == current,
		"{} is stale ({} bytes stored, runtime has {}): run \
		 `ARENA_UPDATE_METADATA=1 cargo test -p arena-runtime --test metadata` and rebuild",
		path.display(),
		stored.len(),
		current.len()
	);
}

type MetadataV16 = frame_metadata::v16::RuntimeMetadataV16;

/// The runtime's V16 metadata, decoded.
fn decoded() -> MetadataV16 {
	use codec::Decode;
	let bytes = runtime_metadata();
	match frame_metadata::RuntimeMetadataPrefixed::decode(&mut &bytes[..])
		.expect("decodes")
		.1
	{
		frame_metadata::RuntimeMetadata::V16(m) => m,
		_ => panic!("asked for V16"),
	}
}

/// Names of the variants of enum type `id` that have no docs.
fn undocumented_variants(m: &MetadataV16, id: u32) -> Vec<String> {
	match m.types.resolve(id).map(|t| &t.type_def) {
		Some(scale_info::TypeDef::Variant(v)) => v
			.variants
			.iter()
			.filter(|variant| variant.docs.iter().all(|d| d.trim().is_empty()))
			.map(|variant| variant.name.clone())
			.collect(),
		_ => vec![],
	}
}

/// Every call, event and error variant and every storage item of `pallet` that lacks docs.
fn undocumented(m: &MetadataV16, pallet: &str) -> Vec<String> {
	let p = m
		.pallets
		.iter()
		.find(|p| p.name == pallet)
		.expect("pallet in metadata");
	let mut missing = Vec::new();
	for (kind, ty) in [
		("call", p.calls.as_ref().map(|c| c.ty.id)),
		("event", p.event.as_ref().map(|e| e.ty.id)),
		("error", p.error.as_ref().map(|e| e.ty.id)),
	] {
		if let Some(id) = ty {
			missing.extend(
				undocumented_variants(m, id)
					.into_iter()
					.map(|v| format!("{pallet}::{kind}::{v}")),
			);
		}
	}
	if let Some(storage) = &p.storage {
		for entry in &storage.entries {
			if entry.docs.iter().all(|d| d.trim().is_empty()) {
				missing.push(format!("{pallet}::storage::{}", entry.name));
			}
		}
	}
	missing
}

#[test]
fn metadata_lists_every_pallet() {
	let m = decoded();
	let names: Vec<&str> = m.pallets.iter().map(|p| p.name.as_str()).collect();
	for expected in [
		"System",
		"Timestamp",
		"Aura",
		"Grandpa",
		"Balances",
		"TransactionPayment",
		"Sudo",
	] {
		assert!(
			names.contains(&expected),
			"{expected} missing from {names:?}"
		);
	}
}

#[test]
fn every_call_has_docs_for_polkadot_js() {
	let m = decoded();
	let mut missing = Vec::new();
	for p in &m.pallets {
		if let Some(calls) = &p.calls {
			missing.extend(
				undocumented_variants(&m, calls.ty.id)
					.into_iter()
					.map(|v| format!("{}::{v}", p.name)),
			);
		}
	}
	assert!(missing.is_empty(), "calls without docs: {missing:?}");
}

/// Arena's own pallets document every call, event, error and storage item (grows with them).
const ARENA_PALLETS: &[&str] = &["Subnets", "Stake", "Emission", "Escrow", "Rounds"];

#[test]
fn arena_pallets_are_fully_documented() {
	let m = decoded();
	for pallet in ARENA_PALLETS {
		let missing = undocumented(&m, pallet);
		assert!(missing.is_empty(), "undocumented items: {missing:?}");
	}
}
