//! Configuration of every pallet in the runtime.

use crate::{
	AccountId, Aura, Balance, Balances, Block, Emission, Escrow, Hash, Nonce, PalletInfo, Rounds,
	Runtime, RuntimeCall, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason, RuntimeOrigin,
	RuntimeTask, Stake, Subnets, System, ARN, DAYS, EXISTENTIAL_DEPOSIT, MICRO_ARN, SLOT_DURATION,
	SS58_PREFIX, VERSION,
};
use arena_pallet_primitives::{SubnetHyperparams, TrainingTask};
use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstBool, ConstU16, ConstU32, ConstU64, ConstU8, VariantCountOf},
	weights::{
		constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND},
		ConstantMultiplier, Weight, WeightToFeeCoefficient, WeightToFeeCoefficients,
		WeightToFeePolynomial,
	},
};
use frame_system::limits::{BlockLength, BlockWeights};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::{traits::One, FixedU128, Perbill};

/// Share of a block's weight and length that normal (non-operational) transactions may use.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);
/// Compute time per block: 2 s of reference hardware out of a 12 s block.
const MAXIMUM_BLOCK_REF_TIME: u64 = 2 * WEIGHT_REF_TIME_PER_SECOND;
/// Largest block: 5 MiB.
const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;

parameter_types! {
	pub const Version: sp_version::RuntimeVersion = VERSION;
	/// Block weight limits: 2 s of compute, PoV size unbounded (solo chain).
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::with_sensible_defaults(
		Weight::from_parts(MAXIMUM_BLOCK_REF_TIME, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	/// Block length limit: 5 MiB.
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(MAX_BLOCK_LENGTH)
		.modify_max_length_for_class(DispatchClass::Normal, |max| *max = NORMAL_DISPATCH_RATIO * MAX_BLOCK_LENGTH)
		.build();
	pub const SS58Prefix: u16 = SS58_PREFIX;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = ConstU32<2400>;
	// The node stores state in ParityDb only (no RocksDB is built), so DB accesses are priced
	// with its weights (8 µs per read, 50 µs per write).
	type DbWeight = ParityDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<32>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<32>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_timestamp::Config for Runtime {
	/// A timestamp: milliseconds since the Unix epoch.
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ();
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU64<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

/// Transaction fee for weight: one unit of ARN (10⁻⁹) per 1,000 units of reference time, so a
/// balance transfer costs about 0.0002 ARN.
pub struct WeightToFee;
impl WeightToFeePolynomial for WeightToFee {
	type Balance = Balance;
	fn polynomial() -> WeightToFeeCoefficients<Self::Balance> {
		let mut coefficients = WeightToFeeCoefficients::new();
		coefficients.push(WeightToFeeCoefficient {
			coeff_integer: 0,
			coeff_frac: Perbill::from_rational(1u32, 1_000u32),
			negative: false,
			degree: 1,
		});
		coefficients
	}
}

parameter_types! {
	/// Fees do not adjust with congestion (yet): multiplier fixed at one.
	pub FeeMultiplier: Multiplier = Multiplier::one();
	/// Fee per byte of a transaction: 0.01 µARN.
	pub const TransactionByteFee: Balance = MICRO_ARN / 100;
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = WeightToFee;
	type LengthToFee = ConstantMultiplier<Balance, TransactionByteFee>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Hyperparameters a new subnet starts with (SPEC §3–5 defaults: tempo 360, 64 permits,
	/// κ = 0.5, bonds α = 0.1, escrow window 2 tempos); burn price between 0.1 and 100 ARN.
	pub SubnetDefaults: SubnetHyperparams<Balance> =
		SubnetHyperparams::defaults_with_burn(ARN / 10, 100 * ARN);
	/// Training task a new subnet starts with, until its owner sets one.
	pub DefaultTrainingTask: TrainingTask = TrainingTask::default();
	/// Registration price multiplier after each registration (SPEC §4: 1.26).
	pub const RegistrationBurnBump: FixedU128 = FixedU128::from_rational(126, 100);
	/// Delegate take a hotkey starts with (18 %).
	pub const DefaultTake: Perbill = Perbill::from_percent(18);
	/// Highest delegate take (50 %).
	pub const MaxTake: Perbill = Perbill::from_percent(50);
}

/// Most validator permits a subnet may grant (`max_validators` is bounded by it); Yuma takes at
/// most 64 validators.
const MAX_VALIDATORS_LIMIT: u32 = 64;

impl pallet_subnets::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Stake = Stake;
	// Flows, epochs and emission scores go to the emission pallet; permits are recomputed
	// (Stake) before the epoch is queued (Emission).
	type OnFlow = Emission;
	// Permits are recomputed (Stake) before the epoch is queued (Emission) and before the next
	// training round opens with its checkpoint vote tallied (Rounds).
	type Hooks = (Stake, Emission, Escrow, Rounds);
	type EmissionInfo = Emission;
	type AdminOrigin = frame_system::EnsureRoot<AccountId>;
	type MaxSubnets = ConstU16<128>;
	// Tempo floor (SPEC §4): 2 × MaxSubnets blocks (about 51 min), so that even at the
	// emission queue's slowest pace (one epoch every two blocks, when the budget stays busy)
	// every queued epoch runs before its subnet falls due again. Dev and local chains lower it
	// in their genesis (`DEV_MIN_TEMPO`).
	type DefaultMinTempo = ConstU32<256>;
	type DefaultSubnetLimit = ConstU16<32>;
	type MinLockCost = ConstU64<{ 100 * ARN }>;
	type LockReductionInterval = ConstU32<{ 14 * DAYS }>;
	type NetworkImmunityPeriod = ConstU32<{ 7 * DAYS }>;
	// Dissolving or pruning a subnet clears a handful of items per UID: keep it bounded.
	type MaxUidsLimit = ConstU32<256>;
	type MaxValidatorsLimit = ConstU32<MAX_VALIDATORS_LIMIT>;
	type MaxBurnLimit = ConstU64<{ 10_000 * ARN }>;
	type RegistrationBurnBump = RegistrationBurnBump;
	type MaxEndpointLen = ConstU32<256>;
	type DefaultHyperparams = SubnetDefaults;
	type DefaultTrainingTask = DefaultTrainingTask;
	type WeightInfo = pallet_subnets::weights::SubstrateWeight<Runtime>;
}

impl pallet_stake::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Subnets = Subnets;
	type OnFlow = Emission;
	type MinStake = ConstU64<{ ARN / 10 }>;
	type StakeRateLimit = ConstU32<1>;
	// SPEC §2's default (one day of 12 s blocks), defined once in arena-rules; dev chains set a
	// shorter one at genesis.
	type FlowMaturity = ConstU32<{ pallet_stake::DEFAULT_FLOW_MATURITY }>;
	type MaxPendingStakes = ConstU32<32>;
	type MaxHotkeysPerColdkey = ConstU32<64>;
	type DefaultTake = DefaultTake;
	type MaxTake = MaxTake;
	type TakeRateLimit = ConstU32<{ DAYS }>;
	type MaxValidatorsLimit = ConstU32<MAX_VALIDATORS_LIMIT>;
	// Dividends are shared among every position on a validator hotkey at each epoch: bounded.
	type MaxPositionsPerHotkey = ConstU32<64>;
	// A hotkey claim signs with the chain's transaction signature scheme.
	type HotkeySignature = crate::Signature;
	// Held while a coldkey claims a hotkey; returned by `release_hotkey`.
	type HotkeyClaimDeposit = ConstU64<{ ARN / 10 }>;
	// = the subnets pallet's MaxSubnets (checked by the runtime's integrity test).
	type MaxSubnets = ConstU32<128>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::StakeBenchmarkHelper;
	type WeightInfo = pallet_stake::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Pot account of the emission pallet.
	pub const EmissionPalletId: frame_support::PalletId = frame_support::PalletId(*b"arn/emit");
	/// Supply cap: 21,000,000 ARN (SPEC §1).
	pub const SupplyCap: Balance = 21_000_000 * ARN;
	/// Subnet owner cut of each epoch: 18 % (SPEC §3).
	pub const OwnerCut: Perbill = Perbill::from_percent(18);
	/// Share of a block the emission hook may use, queued epochs included (SPEC §4).
	pub const EpochBlockShare: Perbill = Perbill::from_percent(25);
}

impl pallet_emission::Config for Runtime {
	type Currency = Balances;
	type Subnets = Subnets;
	type Stake = Stake;
	// Every epoch payout waits out the audit window in escrow (SPEC §5).
	type Payout = Escrow;
	type AdminOrigin = frame_system::EnsureRoot<AccountId>;
	type PalletId = EmissionPalletId;
	type SupplyCap = SupplyCap;
	// E0 = 1 ARN per block (SPEC §1).
	type InitialEmission = ConstU64<ARN>;
	type OwnerCut = OwnerCut;
	// SPEC §2's default (216,000 blocks: 30 days of 12 s blocks), defined once in arena-rules.
	type DefaultFlowHalfLife = ConstU32<{ pallet_emission::DEFAULT_FLOW_HALF_LIFE }>;
	type MaxSubnets = ConstU32<128>;
	type MaxUids = ConstU32<256>;
	// The emission hook (flows, minting, queued epochs) uses at most a quarter of a block;
	// epochs that do not fit wait for the next block (`scripts/bench-epoch.sh`).
	type EpochBlockShare = EpochBlockShare;
	type WeightInfo = pallet_emission::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Escrow account of the escrow pallet.
	pub const EscrowPalletId: frame_support::PalletId = frame_support::PalletId(*b"arn/escr");
	/// Slash quorum: exactly two thirds of the permitted validators' consensus stake (SPEC §5).
	pub const SlashQuorum: (u32, u32) = (2, 3);
}

impl pallet_escrow::Config for Runtime {
	type Currency = Balances;
	type Subnets = Subnets;
	type Stake = Stake;
	type OnSlash = Emission;
	type PalletId = EscrowPalletId;
	// 10 ARN: enough to make frivolous challenges cost something, small next to a round's
	// rewards.
	type ChallengeBond = ConstU64<{ 10 * ARN }>;
	type SlashQuorum = SlashQuorum;
	// A subnet's epoch opens at most 1 + 256 miner + 64 × 64 delegation entries; a window of
	// a few tempos fits.
	type MaxEntriesPerSubnet = ConstU32<32_768>;
	type MaxEntriesPerEarner = ConstU32<512>;
	type MaxReleasesPerBlock = ConstU32<256>;
	type MaxSupporters = ConstU32<MAX_VALIDATORS_LIMIT>;
	type MaxChallengesPerSubnet = ConstU32<64>;
	// One bounty at a time per subnet: bounty epochs are paid in `on_idle`, and with every
	// subnet at the largest epoch one bounty's work (≈ 1.3 s per subnet per round, its validator
	// parts split too) still fits the idle time of a round of epochs (≈ 320 s of work against
	// ≈ 384 s idle per 256 blocks); four did not (≈ 845 s), so the queues would fill and the
	// immediate, unbudgeted fallback would run.
	type MaxBountiesPerSubnet = ConstU32<1>;
	type MaxBountyEpochs = ConstU32<10_000>;
	type MinBountyPerEpoch = ConstU64<{ ARN / 10 }>;
	type MaxClaim = ConstU32<64>;
	type MaxPositionsPerHotkey = ConstU32<64>;
	// = the subnets pallet's MaxUidsLimit (checked by the pallet's integrity test).
	type MaxUids = ConstU32<256>;
	// Validator dividends split in `on_idle`: one record per validator of every subnet (128 ×
	// 64), ≈ 95 B each.
	type MaxPendingDividends = ConstU32<8_192>;
	// Bounty epochs paid in `on_idle`: one outcome per subnet, ≈ 14 KB each at 256 UIDs.
	type MaxPendingOutcomes = ConstU32<128>;
	type WeightInfo = pallet_escrow::weights::SubstrateWeight<Runtime>;
}

impl pallet_rounds::Config for Runtime {
	type Balance = Balance;
	type Subnets = Subnets;
	type Stake = Stake;
	type MaxAllowedFingerprints = ConstU32<16>;
	type MaxUrlLen = ConstU32<256>;
	// = the subnets pallet's MaxUidsLimit and MaxValidatorsLimit, MaxSubnets.
	type MaxCommitmentsPerRound = ConstU32<256>;
	type MaxVotesPerRound = ConstU32<MAX_VALIDATORS_LIMIT>;
	type MaxSubnets = ConstU32<128>;
	type MaxPrunePerBlock = ConstU32<256>;
	type WeightInfo = pallet_rounds::weights::SubstrateWeight<Runtime>;
}
