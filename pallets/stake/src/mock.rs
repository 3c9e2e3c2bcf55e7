//! Test runtime: `frame_system`, `pallet_balances`, the real `pallet_subnets` and this pallet,
//! with a recorder for flow reports.

use crate::{self as pallet_stake};
use arena_pallet_primitives::*;
use core::cell::RefCell;
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{ConstU16, ConstU32, ConstU64, Hooks},
};
use frame_system::EnsureRoot;
use sp_runtime::{BuildStorage, FixedU128, Perbill};

pub type AccountId = u64;
pub type Balance = u64;
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
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type ExistentialDeposit = ConstU64<1>;
	type RuntimeHoldReason = RuntimeHoldReason;
}

pub const MIN_LOCK: Balance = 1_000;
pub const MIN_BURN: Balance = 100;
pub const TEMPO: u32 = 10;
pub const MATURITY: u64 = 20;
pub const MIN_STAKE: Balance = 10;
pub const TAKE_RATE_LIMIT: u64 = 5;
pub const CLAIM_DEPOSIT: Balance = 50;

parameter_types! {
	pub DefaultHyperparams: SubnetHyperparams<Balance> = SubnetHyperparams {
		tempo: TEMPO,
		max_uids: 4,
		immunity_period: 20,
		max_validators: 2,
		activity_cutoff: 100,
		reveal_window: 5,
		escrow_window: 2,
		..SubnetHyperparams::defaults_with_burn(MIN_BURN, 1_000_000)
	};
	pub DefaultTask: TrainingTask = TrainingTask::default();
	pub BurnBump: FixedU128 = FixedU128::from_rational(126, 100);
	pub const DefaultTake: Perbill = Perbill::from_percent(18);
	pub const MaxTake: Perbill = Perbill::from_percent(50);
}

impl pallet_subnets::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Stake = Stake;
	type OnFlow = FlowRecorder;
	type Hooks = Stake;
	type EmissionInfo = ();
	type AdminOrigin = EnsureRoot<AccountId>;
	type MaxSubnets = ConstU16<8>;
	type DefaultMinTempo = ConstU32<2>;
	type DefaultSubnetLimit = ConstU16<3>;
	type MinLockCost = ConstU64<MIN_LOCK>;
	type LockReductionInterval = ConstU64<100>;
	type NetworkImmunityPeriod = ConstU64<50>;
	type MaxUidsLimit = ConstU32<16>;
	type MaxValidatorsLimit = ConstU32<8>;
	type MaxBurnLimit = ConstU64<10_000_000>;
	type RegistrationBurnBump = BurnBump;
	type MaxEndpointLen = ConstU32<64>;
	type DefaultHyperparams = DefaultHyperparams;
	type DefaultTrainingTask = DefaultTask;
	type WeightInfo = ();
}

impl pallet_stake::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Subnets = Subnets;
	type OnFlow = FlowRecorder;
	type MinStake = ConstU64<MIN_STAKE>;
	type StakeRateLimit = ConstU64<1>;
	type FlowMaturity = ConstU64<MATURITY>;
	type MaxPendingStakes = ConstU32<4>;
	type MaxHotkeysPerColdkey = ConstU32<4>;
	type DefaultTake = DefaultTake;
	type MaxTake = MaxTake;
	type TakeRateLimit = ConstU64<TAKE_RATE_LIMIT>;
	type MaxValidatorsLimit = ConstU32<8>;
	type MaxPositionsPerHotkey = ConstU32<4>;
	type HotkeySignature = sp_runtime::testing::TestSignature;
	type HotkeyClaimDeposit = ConstU64<CLAIM_DEPOSIT>;
	type MaxSubnets = ConstU32<8>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = pallet_stake::TestBenchmarkHelper;
}

/// A recorded flow report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Flow {
	Added(NetUid, Balance, u64),
	Removed(NetUid, Vec<(u64, Balance)>, Balance),
	Burn(NetUid, Balance),
}

thread_local! {
	pub static FLOWS: RefCell<Vec<Flow>> = const { RefCell::new(Vec::new()) };
}

pub struct FlowRecorder;
impl OnFlow<Balance, u64> for FlowRecorder {
	fn on_stake_added(netuid: NetUid, amount: Balance, matures_at: u64) {
		FLOWS.with(|f| f.borrow_mut().push(Flow::Added(netuid, amount, matures_at)));
	}
	fn on_stake_removed(netuid: NetUid, cancelled: &[(u64, Balance)], matured: Balance) {
		FLOWS.with(|f| {
			f.borrow_mut()
				.push(Flow::Removed(netuid, cancelled.to_vec(), matured))
		});
	}
	fn on_registration_burn(netuid: NetUid, amount: Balance) {
		FLOWS.with(|f| f.borrow_mut().push(Flow::Burn(netuid, amount)));
	}
}

pub fn flows() -> Vec<Flow> {
	FLOWS.with(|f| f.borrow().clone())
}

pub fn clear_flows() {
	FLOWS.with(|f| f.borrow_mut().clear());
}

/// Initial balance of accounts `1..=20`.
pub const INITIAL: Balance = 1_000_000;

pub fn new_test_ext() -> sp_io::TestExternalities {
	clear_flows();
	let mut t = frame_system::GenesisConfig::<Test>::default()
		.build_storage()
		.unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=20).map(|a| (a, INITIAL)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `test`, then checks both pallets' invariants.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		check_invariants();
	});
}

pub fn check_invariants() {
	Stake::do_try_state().expect("stake try_state failed");
	Subnets::do_try_state().expect("subnets try_state failed");
}

/// Moves to block `n`, running the `on_initialize` hooks in runtime order (the subnets' epochs
/// → permits, then this pallet's maturity release) on the way.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Subnets::on_initialize(next);
		Stake::on_initialize(next);
	}
}

pub fn next_block() {
	run_to_block(System::block_number() + 1);
}

pub fn origin(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

/// A subnet owned by 1 with hotkeys 11 (coldkey 1), 12 (coldkey 2), 13 (coldkey 3).
pub fn setup() -> NetUid {
	let netuid = pallet_subnets::NextNetUid::<Test>::get();
	assert_ok!(Subnets::register_network(origin(1)));
	for (c, h) in [(1, 11), (2, 12), (3, 13)] {
		assert_ok!(Subnets::burned_register(origin(c), netuid, h));
	}
	netuid
}

pub fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

/// Hotkey `hotkey`'s signature letting `coldkey` claim it until block `valid_until`.
pub fn claim_signature(
	coldkey: AccountId,
	hotkey: AccountId,
	valid_until: u64,
) -> sp_runtime::testing::TestSignature {
	sp_runtime::testing::TestSignature(
		hotkey,
		Stake::hotkey_claim_payload(&coldkey, &hotkey, valid_until),
	)
}

/// `coldkey` claims `hotkey` with the hotkey's signature (valid for 100 blocks).
pub fn claim(coldkey: AccountId, hotkey: AccountId) -> sp_runtime::DispatchResult {
	let until = System::block_number() + 100;
	Stake::associate_hotkey(
		origin(coldkey),
		hotkey,
		until,
		claim_signature(coldkey, hotkey, until),
	)
}
