//! Test runtime: `frame_system`, `pallet_balances` and this pallet, with a mock stake side
//! (hotkey owners and permits in thread-local maps) and recorders for flow reports and hooks.

use crate::{self as pallet_subnets, primitives::*};
use core::cell::RefCell;
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{fungible::Mutate, ConstU16, ConstU32, ConstU64, Hooks},
};
use frame_system::EnsureRoot;
use sp_runtime::{BuildStorage, DispatchResult, FixedU128, Perbill, Perquintill};
use std::collections::{BTreeMap, BTreeSet};

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
pub const MAX_BURN: Balance = 1_000_000;
pub const TEMPO: u32 = 10;
pub const IMMUNITY: u32 = 20;
pub const NETWORK_IMMUNITY: u64 = 50;
pub const LOCK_INTERVAL: u64 = 100;
/// The runtime's tempo floor in this mock.
pub const MIN_TEMPO: u32 = 5;
/// Weight the mock removal hook reports (as the emission pallet's clean-up would).
pub const REMOVAL_HOOK_WEIGHT: frame_support::weights::Weight =
	frame_support::weights::Weight::from_parts(123_000_000_000, 4_567);

parameter_types! {
	pub DefaultHyperparams: SubnetHyperparams<Balance> = SubnetHyperparams {
		tempo: TEMPO,
		max_uids: 4,
		immunity_period: IMMUNITY,
		max_validators: 2,
		activity_cutoff: 100,
		reveal_window: 5,
		escrow_window: 2,
		..SubnetHyperparams::defaults_with_burn(MIN_BURN, MAX_BURN)
	};
	pub DefaultTask: TrainingTask = TrainingTask::default();
	pub BurnBump: FixedU128 = FixedU128::from_rational(126, 100);
}

impl pallet_subnets::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Stake = MockStake;
	type OnFlow = FlowRecorder;
	type Hooks = HookRecorder;
	type EmissionInfo = MockEmission;
	type AdminOrigin = EnsureRoot<AccountId>;
	type MaxSubnets = ConstU16<8>;
	type DefaultMinTempo = ConstU32<MIN_TEMPO>;
	type DefaultSubnetLimit = ConstU16<3>;
	type MinLockCost = ConstU64<MIN_LOCK>;
	type LockReductionInterval = ConstU64<LOCK_INTERVAL>;
	type NetworkImmunityPeriod = ConstU64<NETWORK_IMMUNITY>;
	type MaxUidsLimit = ConstU32<16>;
	type MaxValidatorsLimit = ConstU32<8>;
	type MaxBurnLimit = ConstU64<10_000_000>;
	type RegistrationBurnBump = BurnBump;
	type MaxEndpointLen = ConstU32<64>;
	type DefaultHyperparams = DefaultHyperparams;
	type DefaultTrainingTask = DefaultTask;
	type WeightInfo = ();
}

/// A recorded flow report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Flow {
	Burn(NetUid, Balance),
}

thread_local! {
	pub static OWNERS: RefCell<BTreeMap<AccountId, AccountId>> = const { RefCell::new(BTreeMap::new()) };
	pub static PERMITS: RefCell<BTreeSet<(NetUid, AccountId)>> = const { RefCell::new(BTreeSet::new()) };
	pub static FLOWS: RefCell<Vec<Flow>> = const { RefCell::new(Vec::new()) };
	pub static EPOCHS: RefCell<Vec<(u64, NetUid)>> = const { RefCell::new(Vec::new()) };
	pub static REMOVED: RefCell<Vec<NetUid>> = const { RefCell::new(Vec::new()) };
	pub static SCORES: RefCell<BTreeMap<NetUid, i128>> = const { RefCell::new(BTreeMap::new()) };
	pub static DEBTS: RefCell<BTreeMap<NetUid, u128>> = const { RefCell::new(BTreeMap::new()) };
}

/// Mock stake side: first coldkey to register a hotkey owns it; permits set by tests.
pub struct MockStake;
impl StakeInterface<AccountId, Balance> for MockStake {
	fn hotkey_owner(hotkey: &AccountId) -> Option<AccountId> {
		OWNERS.with(|o| o.borrow().get(hotkey).copied())
	}
	fn associate_hotkey(coldkey: &AccountId, hotkey: &AccountId) -> DispatchResult {
		OWNERS.with(|o| {
			let mut o = o.borrow_mut();
			match o.get(hotkey) {
				Some(c) if c != coldkey => Err("HotkeyOwnedByAnotherColdkey".into()),
				_ => {
					o.insert(*hotkey, *coldkey);
					Ok(())
				},
			}
		})
	}
	fn hotkey_stake(_: NetUid, _: &AccountId) -> Balance {
		0
	}
	fn subnet_stake(_: NetUid) -> Balance {
		0
	}
	fn has_validator_permit(netuid: NetUid, hotkey: &AccountId) -> bool {
		PERMITS.with(|p| p.borrow().contains(&(netuid, *hotkey)))
	}
	fn delegate_take(_: &AccountId) -> Perbill {
		Perbill::from_percent(18)
	}
	fn validator_permits(netuid: NetUid) -> Vec<AccountId> {
		PERMITS.with(|p| {
			p.borrow()
				.iter()
				.filter(|(n, _)| *n == netuid)
				.map(|(_, h)| *h)
				.collect()
		})
	}
	fn remove_validator_permit(
		netuid: NetUid,
		hotkey: &AccountId,
	) -> frame_support::weights::Weight {
		PERMITS.with(|p| p.borrow_mut().remove(&(netuid, *hotkey)));
		Default::default()
	}
	fn positions_on(_: NetUid, _: &AccountId) -> Vec<(AccountId, Balance)> {
		Vec::new()
	}
	fn stake_reward(_: &AccountId, _: &AccountId, _: NetUid, _: Balance) -> DispatchResult {
		Err("no stake in this mock".into())
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn bench_grant_permit(netuid: NetUid, hotkey: &AccountId) {
		grant_permit(netuid, *hotkey)
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn bench_add_stake(_: NetUid, _: &AccountId, _: Balance) {}
	#[cfg(feature = "runtime-benchmarks")]
	fn bench_delegate(_: NetUid, _: &AccountId, _: &AccountId, _: Balance) {}
}

pub fn grant_permit(netuid: NetUid, hotkey: AccountId) {
	PERMITS.with(|p| p.borrow_mut().insert((netuid, hotkey)));
}

pub struct FlowRecorder;
impl OnFlow<Balance, u64> for FlowRecorder {
	fn on_stake_added(_: NetUid, _: Balance, _: u64) {}
	fn on_stake_removed(_: NetUid, _: &[(u64, Balance)], _: Balance) {}
	fn on_registration_burn(netuid: NetUid, amount: Balance) {
		FLOWS.with(|f| f.borrow_mut().push(Flow::Burn(netuid, amount)));
	}
}

pub struct HookRecorder;
impl SubnetHooks for HookRecorder {
	fn on_network_removed(netuid: NetUid) -> frame_support::weights::Weight {
		REMOVED.with(|r| r.borrow_mut().push(netuid));
		REMOVAL_HOOK_WEIGHT
	}
	fn on_network_removed_max_weight() -> frame_support::weights::Weight {
		REMOVAL_HOOK_WEIGHT
	}
	fn on_epoch(netuid: NetUid) -> frame_support::weights::Weight {
		EPOCHS.with(|e| e.borrow_mut().push((System::block_number(), netuid)));
		Default::default()
	}
}

pub struct MockEmission;
impl EmissionInfo for MockEmission {
	fn emission_score(netuid: NetUid) -> i128 {
		SCORES.with(|s| s.borrow().get(&netuid).copied().unwrap_or(0))
	}
	fn emission_share(_: NetUid) -> Perquintill {
		Perquintill::zero()
	}
	fn removal_debt(netuid: NetUid) -> u128 {
		DEBTS.with(|d| d.borrow().get(&netuid).copied().unwrap_or(0))
	}
}

/// Sets the flow debt the mock emission side reports for `netuid` at its removal.
pub fn set_removal_debt(netuid: NetUid, debt: Balance) {
	DEBTS.with(|d| d.borrow_mut().insert(netuid, u128::from(debt)));
}

pub fn set_score(netuid: NetUid, score: i128) {
	SCORES.with(|s| s.borrow_mut().insert(netuid, score));
}

pub fn flows() -> Vec<Flow> {
	FLOWS.with(|f| f.borrow().clone())
}

pub fn epochs() -> Vec<(u64, NetUid)> {
	EPOCHS.with(|e| e.borrow().clone())
}

pub fn removed() -> Vec<NetUid> {
	REMOVED.with(|e| e.borrow().clone())
}

/// Initial balance of every test account `1..=20`.
pub const INITIAL: Balance = 10_000_000;

pub fn new_test_ext() -> sp_io::TestExternalities {
	OWNERS.with(|o| o.borrow_mut().clear());
	PERMITS.with(|p| p.borrow_mut().clear());
	FLOWS.with(|f| f.borrow_mut().clear());
	EPOCHS.with(|e| e.borrow_mut().clear());
	REMOVED.with(|e| e.borrow_mut().clear());
	SCORES.with(|e| e.borrow_mut().clear());
	DEBTS.with(|e| e.borrow_mut().clear());
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

/// Runs `test`, then checks the pallet's invariants.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Subnets::do_try_state().expect("try_state failed");
	});
}

/// Moves to block `n`, running `on_initialize` of every block on the way.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Subnets::on_initialize(next);
	}
}

pub fn origin(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

/// Registers a subnet owned by `owner` and returns its netuid.
pub fn new_subnet(owner: AccountId) -> NetUid {
	let netuid = crate::NextNetUid::<Test>::get();
	assert_ok!(Subnets::register_network(origin(owner)));
	netuid
}

/// Registers `hotkey` (owned by `coldkey`) on `netuid`.
pub fn register(netuid: NetUid, coldkey: AccountId, hotkey: AccountId) -> Uid {
	assert_ok!(Subnets::burned_register(origin(coldkey), netuid, hotkey));
	crate::Uids::<Test>::get(netuid, hotkey).unwrap()
}

pub fn fund(who: AccountId, amount: Balance) {
	let _ = <Balances as Mutate<AccountId>>::mint_into(&who, amount);
}

/// A bounded weight-row argument (`uids` or `values`).
pub fn row(v: &[u16]) -> crate::WeightArgOf<Test> {
	v.to_vec().try_into().expect("at most MaxUidsLimit entries")
}

pub fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}
