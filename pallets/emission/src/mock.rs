//! Test runtime: `frame_system`, `pallet_balances`, the real `pallet_subnets` and
//! `pallet_stake`, and this pallet wired as in the Arena runtime (flows, epoch hooks, emission
//! info, payouts to stake).

use crate::{self as pallet_emission};
use arena_pallet_primitives::*;
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{ConstU128, ConstU16, ConstU32, ConstU64, Hooks},
	PalletId,
};
use frame_system::EnsureRoot;
use sp_runtime::{BuildStorage, FixedU128, Perbill};

pub type AccountId = u64;
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

#[frame_support::runtime]
mod runtime {
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
	pub struct Test;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(2)]
	pub type Subnets = pallet_subnets;
	#[runtime::pallet_index(3)]
	pub type Stake = pallet_stake;
	#[runtime::pallet_index(4)]
	pub type Emission = pallet_emission;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
	type DbWeight = MockDbWeight;
}

pub const ED: Balance = 1;

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type ExistentialDeposit = ConstU128<ED>;
	type RuntimeHoldReason = RuntimeHoldReason;
}

/// One "ARN" of the mock (9 decimals, as in the runtime).
pub const UNIT: Balance = 1_000_000_000;
pub const MIN_LOCK: Balance = 1_000 * UNIT;
pub const MIN_BURN: Balance = UNIT;
pub const TEMPO: u32 = 10;
pub const MATURITY: u64 = 20;
pub const MIN_STAKE: Balance = UNIT / 10;

parameter_types! {
	pub DefaultHyperparams: SubnetHyperparams<Balance> = SubnetHyperparams {
		tempo: TEMPO,
		max_uids: 8,
		immunity_period: 20,
		max_validators: 3,
		activity_cutoff: 100,
		reveal_window: 5,
		escrow_window: 2,
		..SubnetHyperparams::defaults_with_burn(MIN_BURN, 1_000 * UNIT)
	};
	pub DefaultTask: TrainingTask = TrainingTask::default();
	pub BurnBump: FixedU128 = FixedU128::from_rational(126, 100);
	pub const DefaultTake: Perbill = Perbill::from_percent(18);
	pub const MaxTake: Perbill = Perbill::from_percent(50);
	pub const EmissionPalletId: PalletId = PalletId(*b"arn/emit");
	/// Supply cap (21M "ARN"), adjustable by tests.
	pub static SupplyCap: Balance = 21_000_000 * UNIT;
	/// DB prices of the mock's pallets (their generated `SubstrateWeight<Test>`) and of its
	/// payout handler: ParityDb's, the node's database, as in the runtime.
	pub static MockDbWeight: frame_support::weights::RuntimeDbWeight =
		frame_support::weights::constants::ParityDbWeight::get();
	/// Share of the block the emission hook may use, adjustable by tests.
	pub static EpochBlockShare: Perbill = Perbill::from_percent(25);
	/// Flow half-life in blocks.
	pub static HalfLife: u32 = 100;
	/// Most UIDs per subnet (raised by the epoch weight table).
	pub static MaxUids: u32 = 64;
}

impl pallet_subnets::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Stake = Stake;
	type OnFlow = Emission;
	type Hooks = (Stake, Emission);
	type EmissionInfo = Emission;
	type AdminOrigin = EnsureRoot<AccountId>;
	type MaxSubnets = ConstU16<8>;
	type DefaultMinTempo = ConstU32<2>;
	type DefaultSubnetLimit = ConstU16<8>;
	type MinLockCost = ConstU128<MIN_LOCK>;
	type LockReductionInterval = ConstU64<100>;
	type NetworkImmunityPeriod = ConstU64<50>;
	type MaxUidsLimit = MaxUids;
	type MaxValidatorsLimit = ConstU32<64>;
	type MaxBurnLimit = ConstU128<{ 1_000_000 * UNIT }>;
	type RegistrationBurnBump = BurnBump;
	type MaxEndpointLen = ConstU32<64>;
	type DefaultHyperparams = DefaultHyperparams;
	type DefaultTrainingTask = DefaultTask;
	type WeightInfo = pallet_subnets::weights::SubstrateWeight<Test>;
}

impl pallet_stake::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Subnets = Subnets;
	type OnFlow = Emission;
	type MinStake = ConstU128<MIN_STAKE>;
	type StakeRateLimit = ConstU64<1>;
	type FlowMaturity = ConstU64<MATURITY>;
	type MaxPendingStakes = ConstU32<32>;
	type MaxHotkeysPerColdkey = ConstU32<8>;
	type DefaultTake = DefaultTake;
	type MaxTake = MaxTake;
	type TakeRateLimit = ConstU64<5>;
	type MaxValidatorsLimit = ConstU32<64>;
	type MaxPositionsPerHotkey = ConstU32<16>;
	type HotkeySignature = sp_runtime::testing::TestSignature;
	type HotkeyClaimDeposit = ConstU128<0>;
	type MaxSubnets = ConstU32<8>;
	type WeightInfo = pallet_stake::weights::SubstrateWeight<Test>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = pallet_stake::TestBenchmarkHelper;
}

/// Distinct keys one payout through `pallet-stake` reads and writes: Owner, Positions, the
/// coldkey's account, Holds, HotkeyStake, ColdkeyStake (read, then written).
pub const STAKE_PAYOUT_KEYS: (u64, u64) = (6, 6);

/// The payout handler of this mock: `pallet-stake`'s payouts, priced by their keys (the
/// emission pallet's own epoch weight leaves payouts to the handler's `pay_weight`; pallet-stake
/// itself reports none).
pub struct StakePayout;

impl PayoutHandler<AccountId, Balance> for StakePayout {
	fn pay(
		source: &AccountId,
		netuid: NetUid,
		round: u32,
		beneficiary: &AccountId,
		kind: PayoutKind,
		amount: Balance,
	) -> frame_support::dispatch::DispatchResult {
		<Stake as PayoutHandler<AccountId, Balance>>::pay(
			source,
			netuid,
			round,
			beneficiary,
			kind,
			amount,
		)
	}

	/// Priced with the mock's DB prices, like its pallets' weights.
	fn pay_weight(_kind: PayoutKind) -> frame_support::weights::Weight {
		MockDbWeight::get().reads_writes(STAKE_PAYOUT_KEYS.0, STAKE_PAYOUT_KEYS.1)
	}
}

impl pallet_emission::Config for Test {
	type Currency = Balances;
	type Subnets = Subnets;
	type Stake = Stake;
	type Payout = StakePayout;
	type AdminOrigin = EnsureRoot<AccountId>;
	type PalletId = EmissionPalletId;
	type SupplyCap = SupplyCap;
	type InitialEmission = ConstU128<UNIT>;
	type OwnerCut = DefaultTake;
	type DefaultFlowHalfLife = HalfLife;
	type MaxSubnets = ConstU32<8>;
	type MaxUids = MaxUids;
	type EpochBlockShare = EpochBlockShare;
	type WeightInfo = crate::weights::SubstrateWeight<Test>;
}

/// Initial balance of accounts `1..=40` (4M "ARN" in all, below the cap).
pub const INITIAL: Balance = 100_000 * UNIT;

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default()
		.build_storage()
		.unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=40).map(|a| (a, INITIAL)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	pallet_emission::GenesisConfig::<Test>::default()
		.assimilate_storage(&mut t)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `test`, then checks every pallet's invariants.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		check_invariants();
	});
}

pub fn check_invariants() {
	Emission::do_try_state().expect("emission try_state failed");
	Stake::do_try_state().expect("stake try_state failed");
	Subnets::do_try_state().expect("subnets try_state failed");
}

/// Moves to block `n`, running the `on_initialize` hooks in runtime order.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Subnets::on_initialize(next);
		Stake::on_initialize(next);
		Emission::on_initialize(next);
	}
}

pub fn next_block() {
	run_to_block(System::block_number() + 1);
}

pub fn origin(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

/// Registers a subnet owned by `owner` and returns it.
pub fn new_subnet(owner: AccountId) -> NetUid {
	let netuid = pallet_subnets::NextNetUid::<Test>::get();
	assert_ok!(Subnets::register_network(origin(owner)));
	netuid
}

/// Registers hotkey `hotkey` (owned by coldkey `coldkey`) on `netuid`; returns its UID.
pub fn register(netuid: NetUid, coldkey: AccountId, hotkey: AccountId) -> Uid {
	assert_ok!(Subnets::burned_register(origin(coldkey), netuid, hotkey));
	pallet_subnets::Uids::<Test>::get(netuid, hotkey).expect("registered")
}

pub fn events() -> Vec<pallet_emission::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Emission(e) => Some(e),
			_ => None,
		})
		.collect()
}
