//! Helpers shared by the runtime's integration tests.

use arena_runtime::{genesis_config_presets, RuntimeGenesisConfig};
use sp_runtime::BuildStorage;

/// Merge a JSON patch into a base document (objects merge key by key, anything else replaces).
fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(base), serde_json::Value::Object(patch)) => {
			for (k, v) in patch {
				merge(base.entry(k).or_insert(serde_json::Value::Null), v);
			}
		},
		(base, patch) => *base = patch,
	}
}

/// The storage of a chain started from the named preset, as the node would build it.
pub fn preset_ext(name: &str) -> sp_io::TestExternalities {
	let patch = genesis_config_presets::get_preset(&name.into()).expect("preset exists");
	let patch: serde_json::Value = serde_json::from_slice(&patch).expect("preset is JSON");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serialise");
	merge(&mut config, patch);
	let config: RuntimeGenesisConfig = serde_json::from_value(config).expect("valid config");
	sp_io::TestExternalities::new(config.build_storage().expect("genesis builds"))
}
