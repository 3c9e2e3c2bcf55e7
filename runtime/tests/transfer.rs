//! A signed balance transfer goes through the full transaction pipeline: extensions, fees,
//! dispatch.

mod common;

use arena_runtime::{
	genesis_config_presets::ENDOWMENT, Balances, BalancesCall, Executive, RuntimeCall,
	SignedPayload, System, TxExtension, UncheckedExtrinsic, ARN,
};
use codec::Encode;
use frame_support::traits::fungible::Inspect;
use sp_keyring::Sr25519Keyring::{self, Alice, Bob};
use sp_runtime::{
	generic::{Era, Header},
	traits::Header as _,
	transaction_validity::{InvalidTransaction, TransactionValidityError},
	MultiAddress,
};

fn tx_extension(nonce: u32) -> TxExtension {
	(
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(Era::Immortal),
		frame_system::CheckNonce::from(nonce),
		frame_system::CheckWeight::new(),
		pallet_transaction_payment::ChargeTransactionPayment::from(0),
		frame_system::WeightReclaim::new(),
	)
}

fn signed(who: Sr25519Keyring, nonce: u32, call: RuntimeCall) -> UncheckedExtrinsic {
	let extension = tx_extension(nonce);
	let payload = SignedPayload::new(call.clone(), extension.clone()).expect("payload");
	let signature = payload.using_encoded(|p| who.sign(p));
	UncheckedExtrinsic::new_signed(
		call,
		MultiAddress::Id(who.to_account_id()),
		signature.into(),
		extension,
	)
}

fn start_block() {
	let header = Header::new(
		1,
		Default::default(),
		Default::default(),
		System::block_hash(0),
		Default::default(),
	);
	Executive::initialize_block(&header);
}

#[test]
fn signed_transfer_moves_funds_and_charges_a_fee() {
	common::preset_ext("development").execute_with(|| {
		start_block();
		let amount = 10 * ARN;
		let call = RuntimeCall::Balances(BalancesCall::transfer_allow_death {
			dest: MultiAddress::Id(Bob.to_account_id()),
			value: amount,
		});
		let result = Executive::apply_extrinsic(signed(Alice, 0, call)).expect("valid tx");
		assert!(result.is_ok(), "dispatch failed: {result:?}");

		assert_eq!(Balances::balance(&Bob.to_account_id()), ENDOWMENT + amount);
		let alice = Balances::balance(&Alice.to_account_id());
		let fee = ENDOWMENT - amount - alice;
		assert!(fee > 0, "a fee is charged");
		assert!(fee < ARN / 100, "fee {fee} is small");
		assert_eq!(System::account_nonce(Alice.to_account_id()), 1);
	});
}

#[test]
fn replayed_transaction_is_rejected() {
	common::preset_ext("development").execute_with(|| {
		start_block();
		let call = RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
			dest: MultiAddress::Id(Bob.to_account_id()),
			value: ARN,
		});
		let xt = signed(Alice, 0, call);
		assert!(Executive::apply_extrinsic(xt.clone())
			.expect("valid")
			.is_ok());
		assert_eq!(
			Executive::apply_extrinsic(xt),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Stale))
		);
	});
}

#[test]
fn transfer_beyond_balance_fails_without_moving_funds() {
	common::preset_ext("development").execute_with(|| {
		start_block();
		let call = RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
			dest: MultiAddress::Id(Bob.to_account_id()),
			value: ENDOWMENT * 2,
		});
		let result = Executive::apply_extrinsic(signed(Alice, 0, call)).expect("valid tx");
		assert!(result.is_err(), "dispatch must fail");
		assert_eq!(Balances::balance(&Bob.to_account_id()), ENDOWMENT);
	});
}
