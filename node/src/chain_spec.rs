//! Chain specifications: `dev` (single authority, sealed on the node's clock) and `local`
//! (Alice and Bob, Aura + GRANDPA), both built from the runtime's genesis presets.

use sc_service::ChainType;
use serde_json::json;

/// The chain spec type of Arena: no extensions.
pub type ChainSpec = sc_service::GenericChainSpec;

/// Token properties shown by wallets and polkadot.js.
fn properties() -> sc_service::Properties {
	let value = json!({
		"tokenSymbol": arena_runtime::TOKEN_SYMBOL,
		"tokenDecimals": arena_runtime::TOKEN_DECIMALS,
		"ss58Format": arena_runtime::SS58_PREFIX,
	});
	match value {
		serde_json::Value::Object(map) => map,
		_ => sc_service::Properties::new(),
	}
}

fn wasm_binary() -> Result<&'static [u8], String> {
	arena_runtime::WASM_BINARY.ok_or_else(|| {
		"The runtime's wasm blob is not available: this node was built with SKIP_WASM_BUILD; \
		 rebuild without it."
			.to_string()
	})
}

/// The development chain: Alice authors and holds sudo; blocks are sealed on a timer.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("Arena Development")
		.with_id("arena_dev")
		.with_chain_type(ChainType::Development)
		.with_protocol_id("arena")
		.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// The local testnet: Alice and Bob author with Aura and finalise with GRANDPA.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("Arena Local Testnet")
		.with_id("arena_local")
		.with_chain_type(ChainType::Local)
		.with_protocol_id("arena")
		.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}
