//! Test runtime: `frame_system`, `pallet_balances`, the real `pallet_subnets` and
//! `pallet_stake`, and this pallet wired as in the Arena runtime (epoch hooks `(Stake, Rounds)`:
//! permits are recomputed before a round opens).

use crate::{self as pallet_rounds, Hash32};
use arena_pallet_primitives::*;
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{ConstU16, ConstU32, ConstU64, Hooks},
	BoundedVec,
};
use frame_system::EnsureRoot;
use sp_core::H256;
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
	#[runtime::pallet_index(4)]
	pub type Rounds = pallet_rounds;
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

pub const MIN_BURN: Balance = 100;
/// Tempo of the test subnets: netuid 0's epochs fall on blocks 20, 40, 60, …
pub const TEMPO: u32 = 20;
/// Escrow window of the test subnets in blocks (two tempos).
pub const ESCROW: u32 = 2 * TEMPO;
/// Commit deadline and vote window used by [`setup`].
pub const DEADLINE: u32 = 8;
pub const VOTE_WINDOW: u32 = 5;
/// Inner steps of the test subnets' training task (the default task's, shortened).
pub const STEPS: u32 = 64;
pub const MAX_COMMITMENTS: u32 = 8;
pub const MAX_VOTES: u32 = 4;
pub const MAX_PRUNE: u32 = 5;

parameter_types! {
	pub DefaultHyperparams: SubnetHyperparams<Balance> = SubnetHyperparams {
		tempo: TEMPO,
		max_uids: 8,
		immunity_period: 20,
		max_validators: 2,
		activity_cutoff: 100,
		reveal_window: 5,
		escrow_window: ESCROW / TEMPO,
		..SubnetHyperparams::defaults_with_burn(MIN_BURN, 1_000_000)
	};
	pub DefaultTask: TrainingTask = TrainingTask {
		inner_steps: STEPS,
		..TrainingTask::default()
	};
	pub BurnBump: FixedU128 = FixedU128::from_rational(126, 100);
	pub const DefaultTake: Perbill = Perbill::from_percent(18);
	pub const MaxTake: Perbill = Perbill::from_percent(50);
}

impl pallet_subnets::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Stake = Stake;
	type OnFlow = ();
	type Hooks = (Stake, Rounds);
	type EmissionInfo = ();
	type AdminOrigin = EnsureRoot<AccountId>;
	type MaxSubnets = ConstU16<4>;
	type DefaultMinTempo = ConstU32<2>;
	type DefaultSubnetLimit = ConstU16<3>;
	type MinLockCost = ConstU64<1_000>;
	type LockReductionInterval = ConstU64<100>;
	type NetworkImmunityPeriod = ConstU64<50>;
	type MaxUidsLimit = ConstU32<16>;
	type MaxValidatorsLimit = ConstU32<4>;
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
	type OnFlow = ();
	type MinStake = ConstU64<10>;
	type StakeRateLimit = ConstU64<1>;
	// Short enough that the validators' stake (added at block 1) counts at the first epoch.
	type FlowMaturity = ConstU64<5>;
	type MaxPendingStakes = ConstU32<4>;
	type MaxHotkeysPerColdkey = ConstU32<8>;
	type DefaultTake = DefaultTake;
	type MaxTake = MaxTake;
	type TakeRateLimit = ConstU64<5>;
	type MaxValidatorsLimit = ConstU32<4>;
	type MaxPositionsPerHotkey = ConstU32<16>;
	type HotkeySignature = sp_runtime::testing::TestSignature;
	type HotkeyClaimDeposit = ConstU64<0>;
	type MaxSubnets = ConstU32<4>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = pallet_stake::TestBenchmarkHelper;
}

impl pallet_rounds::Config for Test {
	type Balance = Balance;
	type Subnets = Subnets;
	type Stake = Stake;
	type MaxAllowedFingerprints = ConstU32<4>;
	type MaxUrlLen = ConstU32<64>;
	type MaxCommitmentsPerRound = ConstU32<MAX_COMMITMENTS>;
	type MaxVotesPerRound = ConstU32<MAX_VOTES>;
	type MaxSubnets = ConstU32<4>;
	type MaxPrunePerBlock = ConstU32<MAX_PRUNE>;
	type WeightInfo = ();
}

/// Initial balance of accounts `1..=30`.
pub const INITIAL: Balance = 1_000_000;

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default()
		.build_storage()
		.unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=30).map(|a| (a, INITIAL)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `test`, then checks the three pallets' invariants.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		check_invariants();
	});
}

pub fn check_invariants() {
	Rounds::do_try_state().expect("rounds try_state failed");
	Stake::do_try_state().expect("stake try_state failed");
	Subnets::do_try_state().expect("subnets try_state failed");
}

/// The hash the mock gives block `n`.
pub fn block_hash(n: u64) -> Hash32 {
	sp_io::hashing::blake2_256(&n.to_le_bytes())
}

/// Moves to block `n` block by block: records the parent's hash (as `frame_system` does), then
/// runs the subnets' `on_initialize` (epochs → permits, rounds), the stake pallet's (maturity)
/// and this pallet's.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let parent = System::block_number();
		frame_system::BlockHash::<Test>::insert(parent, H256(block_hash(parent)));
		let next = parent + 1;
		System::set_block_number(next);
		Subnets::on_initialize(next);
		Stake::on_initialize(next);
		Rounds::on_initialize(next);
	}
}

pub fn origin(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

/// The genesis checkpoint hash of the test subnets.
pub const GENESIS: Hash32 = [0xC0; 32];
/// Allowed fingerprints of the test subnets.
pub const FP_A: Hash32 = [0xA1; 32];
pub const FP_B: Hash32 = [0xB2; 32];

pub fn url(s: &str) -> BoundedVec<u8, ConstU32<64>> {
	BoundedVec::truncate_from(s.as_bytes().to_vec())
}

pub fn fingerprints(f: &[Hash32]) -> BoundedVec<Hash32, ConstU32<4>> {
	BoundedVec::truncate_from(f.to_vec())
}

/// Miners: hotkeys 11, 12, 13 (coldkeys 1, 2, 3). Validators: hotkeys 21, 22 (coldkeys 4, 5),
/// staked 300 and 200 so they hold the two permits from the first epoch.
pub const MINERS: [AccountId; 3] = [11, 12, 13];

/// A subnet (netuid 0, owner 1) with three miners and two staked validators, a genesis
/// checkpoint and round settings (`DEADLINE`, `VOTE_WINDOW`, fingerprints A and B). Its first
/// round opens at block 20.
pub fn setup() -> NetUid {
	let netuid = setup_unconfigured();
	assert_ok!(Rounds::set_genesis_checkpoint(
		origin(1),
		netuid,
		GENESIS,
		1_000,
		url("https://example.org/genesis.safetensors")
	));
	assert_ok!(Rounds::set_round_settings(
		origin(1),
		netuid,
		DEADLINE,
		VOTE_WINDOW,
		fingerprints(&[FP_A, FP_B])
	));
	netuid
}

/// [`setup`] without the genesis checkpoint and round settings.
pub fn setup_unconfigured() -> NetUid {
	let netuid = pallet_subnets::NextNetUid::<Test>::get();
	assert_ok!(Subnets::register_network(origin(1)));
	for (c, h) in [(1, 11), (2, 12), (3, 13), (4, 21), (5, 22)] {
		assert_ok!(Subnets::burned_register(origin(c), netuid, h));
	}
	assert_ok!(Stake::add_stake(origin(4), 21, netuid, 300));
	assert_ok!(Stake::add_stake(origin(5), 22, netuid, 200));
	netuid
}

/// Commits a contribution for `hotkey` with the given fingerprint and residual.
pub fn commit(
	netuid: NetUid,
	round: u32,
	hotkey: AccountId,
	fingerprint: Hash32,
	residual: Hash32,
) -> sp_runtime::DispatchResult {
	Rounds::commit_contribution(
		origin(hotkey),
		netuid,
		round,
		[hotkey as u8; 32],
		[hotkey as u8 + 100; 32],
		STEPS,
		fingerprint,
		residual,
	)
}

pub fn events() -> Vec<pallet_rounds::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|e| match e.event {
			RuntimeEvent::Rounds(ev) => Some(ev),
			_ => None,
		})
		.collect()
}
