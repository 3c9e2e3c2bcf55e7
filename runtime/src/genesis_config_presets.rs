//! Genesis presets (`sp-genesis-builder`): `development` (one authority, Alice) and
//! `local_testnet` (two authorities, Alice and Bob). In both, the well-known dev accounts are
//! endowed and Alice holds the sudo key.

use crate::{
	AccountId, BalancesConfig, RuntimeGenesisConfig, StakeConfig, SubnetsConfig, SudoConfig, ARN,
};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// What each endowed dev account starts with: 100,000 ARN.
pub const ENDOWMENT: crate::Balance = 100_000 * ARN;

/// Flow maturity of dev and local chains, in blocks: new stake counts for permits and
/// consensus after 3 blocks, so demos and tests need not wait a day (production keeps
/// `FlowMaturity`, one day).
pub const DEV_FLOW_MATURITY: u32 = 3;

/// Tempo floor of dev and local chains, in blocks: the demo, the e2e tests and the
/// polkadot.js tests run subnets with tempos of 6 to 60 blocks (production keeps
/// `DefaultMinTempo`, 256 blocks).
pub const DEV_MIN_TEMPO: u32 = 4;

/// A genesis state with the given authorities, endowed accounts and sudo key, as a JSON patch.
fn testnet_genesis(
	initial_authorities: Vec<(AuraId, GrandpaId)>,
	endowed_accounts: Vec<AccountId>,
	root: AccountId,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed_accounts
				.iter()
				.cloned()
				.map(|k| (k, ENDOWMENT))
				.collect::<Vec<_>>(),
		},
		aura: pallet_aura::GenesisConfig {
			authorities: initial_authorities
				.iter()
				.map(|x| x.0.clone())
				.collect::<Vec<_>>(),
		},
		grandpa: pallet_grandpa::GenesisConfig {
			authorities: initial_authorities
				.iter()
				.map(|x| (x.1.clone(), 1))
				.collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: Some(root) },
		stake: StakeConfig {
			flow_maturity: Some(DEV_FLOW_MATURITY),
		},
		subnets: SubnetsConfig {
			min_tempo: Some(DEV_MIN_TEMPO),
		},
	})
}

/// The session keys of a well-known dev authority: what `arena-node --alice` (etc.) puts in its
/// keystore, an sr25519 Aura key and an ed25519 GRANDPA key from the same dev seed.
fn authority_keys(aura: Sr25519Keyring, grandpa: Ed25519Keyring) -> (AuraId, GrandpaId) {
	(aura.public().into(), grandpa.public().into())
}

/// The well-known dev accounts (Alice … Ferdie and their `//stash` accounts).
fn endowed_accounts() -> Vec<AccountId> {
	Sr25519Keyring::well_known()
		.map(|k| k.to_account_id())
		.collect()
}

/// `development`: Alice is the only authority and the sudo key.
pub fn development_config_genesis() -> Value {
	testnet_genesis(
		vec![authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		endowed_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// `local_testnet`: Alice and Bob are authorities; Alice is the sudo key.
pub fn local_config_genesis() -> Value {
	testnet_genesis(
		vec![
			authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			authority_keys(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		],
		endowed_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// The JSON patch of the named preset, if it exists.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	serde_json::to_string(&patch).ok().map(|s| s.into_bytes())
}

/// The names of the presets this runtime provides.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
