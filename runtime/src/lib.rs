//! # Arena runtime
//!
//! The on-chain half of Arena: the runtime that keeps the books for decentralised training
//! (subnets, staking, emissions, escrow and weights arrive as pallets in later releases) on top
//! of the standard FRAME base: system, timestamp, Aura block production, GRANDPA finality,
//! balances (the ARN token), transaction payment and sudo. Arena's own pallets so far:
//! `Subnets` (subnets, hyperparameters, training task, neurons, weights), `Stake` and
//! `Emission` (halving, flow-based split, Yuma epochs, payouts).
//!
//! - [`configs`] holds each pallet's configuration.
//! - [`apis`] implements the runtime APIs the node and clients call.
//! - [`genesis_config_presets`] builds the `development` and `local_testnet` genesis states.
//!
//! Token: ARN with 9 decimals ([`ARN`] units). Target block time: 12 s ([`MILLI_SECS_PER_BLOCK`]);
//! the `--dev` node seals blocks on its own clock (see the node's docs).

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime`/`impl_runtime_apis` need a high recursion limit.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
#[macro_use]
mod benchmarks;
pub mod apis;
pub mod configs;
pub mod genesis_config_presets;

use alloc::{borrow::Cow, vec::Vec};
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use frame_support::weights::constants::RocksDbWeight;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Opaque types: what the node needs to know about the runtime's types, without the runtime.
pub mod opaque {
	use super::*;
	use sp_runtime::traits::Hash as HashT;

	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as HashT>::Output;

	impl_opaque_keys! {
		/// Session keys of an Arena authority: Aura for authoring, GRANDPA for finality.
		pub struct SessionKeys {
			pub aura: super::Aura,
			pub grandpa: super::Grandpa,
		}
	}
}

/// The runtime's version. Bump `spec_version` on every change to runtime logic.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("arena"),
	impl_name: Cow::Borrowed("arena-node"),
	authoring_version: 1,
	spec_version: 101,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// Target time between blocks, in milliseconds (SPEC: 12 s in production).
pub const MILLI_SECS_PER_BLOCK: u64 = 12_000;
/// Aura slot duration: one block per slot.
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

/// Time is measured in blocks.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;

/// Smallest units in one ARN (9 decimals).
pub const ARN: Balance = 1_000_000_000;
/// One thousandth of an ARN.
pub const MILLI_ARN: Balance = ARN / 1_000;
/// One millionth of an ARN.
pub const MICRO_ARN: Balance = ARN / 1_000_000;
/// Token symbol, for chain specs and clients.
pub const TOKEN_SYMBOL: &str = "ARN";
/// Token decimals, for chain specs and clients.
pub const TOKEN_DECIMALS: u8 = 9;
/// The supply cap: 21,000,000 ARN (SPEC §1).
pub const SUPPLY_CAP: Balance = 21_000_000 * ARN;
/// Smallest balance an account may hold: 0.001 ARN.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_ARN;
/// SS58 address prefix (42: generic Substrate, so every wallet shows addresses out of the box).
pub const SS58_PREFIX: u16 = 42;

/// Block number type.
pub type BlockNumber = u32;
/// Signature type for transactions.
pub type Signature = MultiSignature;
/// Account identifier: the public key behind a signature.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Balance type. 21 M ARN × 10⁹ fits a `u64` with three orders of magnitude to spare.
pub type Balance = u64;
/// Transaction index of an account.
pub type Nonce = u32;
/// Hash type of blocks and tries.
pub type Hash = sp_core::H256;
/// Digest item type.
pub type DigestItem = generic::DigestItem;
/// Address format for transactions.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// Signed block with justifications.
pub type SignedBlock = generic::SignedBlock<Block>;
/// Block identifier.
pub type BlockId = generic::BlockId<Block>;

/// Transaction extensions every signed transaction carries, in order.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Storage migrations run on runtime upgrade.
type Migrations = (
	pallet_stake::migrations::v1::MigrateV0ToV1<Runtime>,
	pallet_stake::migrations::v2::MigrateV1ToV2<Runtime>,
	pallet_emission::migrations::v1::MigrateV0ToV1<Runtime>,
	pallet_emission::migrations::v2::MigrateV1ToV2<Runtime>,
	pallet_subnets::migrations::v1::MigrateV0ToV1<Runtime>,
	pallet_escrow::migrations::v2::MigrateV1ToV2<Runtime>,
);

/// Dispatches to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	/// The Arena runtime.
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;

	#[runtime::pallet_index(7)]
	pub type Subnets = pallet_subnets;

	#[runtime::pallet_index(8)]
	pub type Stake = pallet_stake;

	#[runtime::pallet_index(9)]
	pub type Emission = pallet_emission;

	#[runtime::pallet_index(10)]
	pub type Escrow = pallet_escrow;

	#[runtime::pallet_index(11)]
	pub type Rounds = pallet_rounds;
}
