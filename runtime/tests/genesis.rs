//! The genesis presets build a usable chain state.

mod common;

use arena_runtime::{
	genesis_config_presets::{self, ENDOWMENT},
	Runtime,
};
use common::preset_ext;
use sp_keyring::Sr25519Keyring;

#[test]
fn presets_are_listed_and_unknown_ones_refused() {
	let names = genesis_config_presets::preset_names();
	let names: Vec<String> = names
		.iter()
		.map(|n| String::from_utf8_lossy(n.as_ref()).into_owned())
		.collect();
	assert_eq!(
		names,
		vec!["development".to_string(), "local_testnet".to_string()]
	);
	assert!(genesis_config_presets::get_preset(&"mainnet".into()).is_none());
}

#[test]
fn development_preset_has_alice_as_sole_authority_and_sudo() {
	preset_ext("development").execute_with(|| {
		let aura = pallet_aura::Authorities::<Runtime>::get();
		assert_eq!(aura.len(), 1);
		assert_eq!(aura[0], Sr25519Keyring::Alice.public().into());
		assert_eq!(
			pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(),
			1
		);
		assert_eq!(
			pallet_sudo::Key::<Runtime>::get(),
			Some(Sr25519Keyring::Alice.to_account_id())
		);
	});
}

#[test]
fn local_testnet_preset_has_alice_and_bob() {
	preset_ext("local_testnet").execute_with(|| {
		let aura = pallet_aura::Authorities::<Runtime>::get();
		assert_eq!(
			aura.into_inner(),
			vec![
				Sr25519Keyring::Alice.public().into(),
				Sr25519Keyring::Bob.public().into()
			]
		);
		assert_eq!(
			pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(),
			2
		);
	});
}

#[test]
fn dev_accounts_are_endowed_and_issuance_is_below_the_cap() {
	preset_ext("development").execute_with(|| {
		let accounts: Vec<_> = Sr25519Keyring::well_known().collect();
		for who in &accounts {
			assert_eq!(
				pallet_balances::Pallet::<Runtime>::free_balance(who.to_account_id()),
				ENDOWMENT
			);
		}
		let issuance = pallet_balances::TotalIssuance::<Runtime>::get();
		// The endowments plus the emission pot's existential deposit (minted at genesis) …
		let pot_floor = pallet_emission::PotFloor::<Runtime>::get();
		assert_eq!(pot_floor, arena_runtime::EXISTENTIAL_DEPOSIT);
		assert_eq!(
			pallet_balances::Pallet::<Runtime>::free_balance(
				pallet_emission::Pallet::<Runtime>::pot()
			),
			pot_floor
		);
		// And the escrow account's, minted the same way.
		let escrow_floor = pallet_escrow::AccountFloor::<Runtime>::get();
		assert_eq!(escrow_floor, arena_runtime::EXISTENTIAL_DEPOSIT);
		assert_eq!(
			pallet_balances::Pallet::<Runtime>::free_balance(
				pallet_escrow::Pallet::<Runtime>::account_id()
			),
			escrow_floor
		);
		assert_eq!(
			issuance,
			ENDOWMENT * accounts.len() as u64 + pot_floor + escrow_floor
		);
		assert!(issuance <= arena_runtime::SUPPLY_CAP);
	});
}
