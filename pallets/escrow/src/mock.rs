//! Test runtime: `frame_system`, `pallet_balances`, the real `pallet_subnets`, `pallet_stake` and
//! `pallet_emission`, and this pallet as the emission's payout handler, wired as in the Arena
//! runtime (flows, epoch hooks, slashes reported to emission).

use crate::{self as pallet_escrow};
use arena_pallet_primitives::*;
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{ConstU128, ConstU16, ConstU32, ConstU64, Hooks},
	weights::Weight,
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
	#[runtime::pallet_index(5)]
	pub type Escrow = pallet_escrow;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
	type BlockWeights = MockBlockWeights;
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
/// Escrow window in tempos.
pub const WINDOW: u32 = 2;
pub const MATURITY: u64 = 5;
pub const MIN_STAKE: Balance = UNIT / 10;
pub const BOND: Balance = 10 * UNIT;
pub const MAX_POSITIONS: u32 = 8;

parameter_types! {
	pub DefaultHyperparams: SubnetHyperparams<Balance> = SubnetHyperparams {
		tempo: TEMPO,
		max_uids: 16,
		immunity_period: 20,
		max_validators: 4,
		activity_cutoff: 1_000,
		reveal_window: 5,
		escrow_window: WINDOW,
		..SubnetHyperparams::defaults_with_burn(MIN_BURN, 1_000 * UNIT)
	};
	pub DefaultTask: TrainingTask = TrainingTask::default();
	pub BurnBump: FixedU128 = FixedU128::from_rational(126, 100);
	pub const DefaultTake: Perbill = Perbill::from_percent(18);
	pub const MaxTake: Perbill = Perbill::from_percent(50);
	/// The emission hook may use the whole block here (escrow tests never load it); the budget
	/// tests set the runtime's 25 %.
	pub static EpochBlockShare: Perbill = Perbill::from_percent(100);
	/// Block weight limits (the budget tests set the runtime's 2 s).
	pub static MockBlockWeights: frame_system::limits::BlockWeights =
		frame_system::limits::BlockWeights::default();
	/// DB weights (free unless a budget test sets the runtime's `ParityDbWeight`).
	pub static MockDbWeight: frame_support::weights::RuntimeDbWeight =
		frame_support::weights::RuntimeDbWeight { read: 0, write: 0 };
	/// Most UIDs per subnet (emission's `MaxUids` and the subnets pallet's limit).
	pub static MaxUids: u32 = 16;
	/// Emission's `MaxSubnets` (flows folded per block).
	pub static EmissionMaxSubnets: u32 = 8;
	/// Most positions on one hotkey (stake and escrow).
	pub static MaxPositionsPerHotkey: u32 = MAX_POSITIONS;
	/// Most bounties per subnet.
	pub static MaxBountiesPerSubnet: u32 = 2;
	/// Most queued validator payouts, adjustable by tests.
	pub static MaxPendingDividends: u32 = 64;
	/// Most queued epoch outcomes, adjustable by tests.
	pub static MaxPendingOutcomes: u32 = 8;
	/// Weight `run_to_block` gives `on_idle` (a whole block unless a test throttles it).
	pub static IdleWeight: Weight = Weight::MAX;
	pub const EmissionPalletId: PalletId = PalletId(*b"arn/emit");
	/// Not `arn/escr` as in the runtime: a `u64` account keeps only the first 4 bytes of the id,
	/// which would make it the emission pot.
	pub const EscrowPalletId: PalletId = PalletId(*b"escr/arn");
	pub const SupplyCap: Balance = 21_000_000 * UNIT;
	pub const Quorum: (u32, u32) = (2, 3);
	/// Most entries per subnet, adjustable by tests.
	pub static MaxEntriesPerSubnet: u32 = 1_000;
	/// Most slashable entries per miner, adjustable by tests.
	pub static MaxEntriesPerEarner: u32 = 64;
	/// Most queue items per block, adjustable by tests.
	pub static MaxReleasesPerBlock: u32 = 1_000;
}

impl pallet_subnets::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Stake = Stake;
	type OnFlow = Emission;
	type Hooks = (Stake, Emission, Escrow);
	type EmissionInfo = Emission;
	type AdminOrigin = EnsureRoot<AccountId>;
	type MaxSubnets = ConstU16<8>;
	type DefaultMinTempo = ConstU32<2>;
	type DefaultSubnetLimit = ConstU16<8>;
	type MinLockCost = ConstU128<MIN_LOCK>;
	type LockReductionInterval = ConstU64<100>;
	type NetworkImmunityPeriod = ConstU64<50>;
	type MaxUidsLimit = MaxUids;
	type MaxValidatorsLimit = ConstU32<8>;
	type MaxBurnLimit = ConstU128<{ 1_000_000 * UNIT }>;
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
	type OnFlow = Emission;
	type MinStake = ConstU128<MIN_STAKE>;
	type StakeRateLimit = ConstU64<1>;
	type FlowMaturity = ConstU64<MATURITY>;
	type MaxPendingStakes = ConstU32<32>;
	type MaxHotkeysPerColdkey = ConstU32<8>;
	type DefaultTake = DefaultTake;
	type MaxTake = MaxTake;
	type TakeRateLimit = ConstU64<5>;
	type MaxValidatorsLimit = ConstU32<8>;
	type MaxPositionsPerHotkey = MaxPositionsPerHotkey;
	type HotkeySignature = sp_runtime::testing::TestSignature;
	type HotkeyClaimDeposit = ConstU128<0>;
	type MaxSubnets = ConstU32<8>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = pallet_stake::TestBenchmarkHelper;
}

impl pallet_emission::Config for Test {
	type Currency = Balances;
	type Subnets = Subnets;
	type Stake = Stake;
	type Payout = Escrow;
	type AdminOrigin = EnsureRoot<AccountId>;
	type PalletId = EmissionPalletId;
	type SupplyCap = SupplyCap;
	type InitialEmission = ConstU128<UNIT>;
	type OwnerCut = DefaultTake;
	type DefaultFlowHalfLife = ConstU32<100>;
	type MaxSubnets = EmissionMaxSubnets;
	type MaxUids = MaxUids;
	type EpochBlockShare = EpochBlockShare;
	// Priced with the mock's `DbWeight` (free unless a budget test sets ParityDb's).
	type WeightInfo = pallet_emission::weights::SubstrateWeight<Test>;
}

impl pallet_escrow::Config for Test {
	type Currency = Balances;
	type Subnets = Subnets;
	type Stake = Stake;
	type OnSlash = Emission;
	type PalletId = EscrowPalletId;
	type ChallengeBond = ConstU128<BOND>;
	type SlashQuorum = Quorum;
	type MaxEntriesPerSubnet = MaxEntriesPerSubnet;
	type MaxEntriesPerEarner = MaxEntriesPerEarner;
	type MaxReleasesPerBlock = MaxReleasesPerBlock;
	type MaxSupporters = ConstU32<8>;
	type MaxChallengesPerSubnet = ConstU32<4>;
	type MaxBountiesPerSubnet = MaxBountiesPerSubnet;
	type MaxBountyEpochs = ConstU32<100>;
	type MinBountyPerEpoch = ConstU128<UNIT>;
	type MaxClaim = ConstU32<16>;
	type MaxPositionsPerHotkey = MaxPositionsPerHotkey;
	type MaxUids = MaxUids;
	type MaxPendingDividends = MaxPendingDividends;
	type MaxPendingOutcomes = MaxPendingOutcomes;
	type WeightInfo = crate::weights::SubstrateWeight<Test>;
}

/// Initial balance of accounts `1..=60`.
pub const INITIAL: Balance = 100_000 * UNIT;

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default()
		.build_storage()
		.unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=60).map(|a| (a, INITIAL)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	pallet_emission::GenesisConfig::<Test>::default()
		.assimilate_storage(&mut t)
		.unwrap();
	pallet_escrow::GenesisConfig::<Test>::default()
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

/// Every pallet's `try_state`, plus the cross-pallet rule: what emission paid is what escrow
/// took in, and what escrow slashed of it is what emission recorded.
pub fn check_invariants() {
	Escrow::do_try_state().expect("escrow try_state failed");
	Emission::do_try_state().expect("emission try_state failed");
	Stake::do_try_state().expect("stake try_state failed");
	Subnets::do_try_state().expect("subnets try_state failed");
	let paid = pallet_emission::Totals::<Test>::get().paid;
	let t = crate::Totals::<Test>::get();
	assert_eq!(
		paid, t.escrowed_emission,
		"emission paid != escrowed emission"
	);
	assert!(
		pallet_emission::Slashed::<Test>::get() <= t.slashed,
		"emission's slashed above escrow's"
	);
	assert!(
		pallet_balances::TotalIssuance::<Test>::get() <= SupplyCap::get(),
		"issuance above the cap"
	);
}

/// Moves to block `n`, running the hooks in runtime order (`on_idle` with [`IdleWeight`], a
/// full block's weight unless a test throttles it, checking that it stays within it).
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		initialize_next_block();
		let used = Escrow::on_idle(System::block_number(), IdleWeight::get());
		assert!(
			used.all_lte(IdleWeight::get()),
			"on_idle used {used:?} of {:?}",
			IdleWeight::get()
		);
	}
}

/// Moves to the next block and runs its `on_initialize` hooks only (no `on_idle`: a full
/// block).
pub fn initialize_next_block() {
	let next = System::block_number() + 1;
	System::set_block_number(next);
	Subnets::on_initialize(next);
	Stake::on_initialize(next);
	Emission::on_initialize(next);
	Escrow::on_initialize(next);
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

pub fn events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Escrow(e) => Some(e),
			_ => None,
		})
		.collect()
}

pub fn free(who: AccountId) -> Balance {
	pallet_balances::Pallet::<Test>::free_balance(who)
}

pub fn issuance() -> Balance {
	pallet_balances::TotalIssuance::<Test>::get()
}

/// The stake of position `(coldkey, hotkey, netuid)`.
pub fn position(coldkey: AccountId, hotkey: AccountId, netuid: NetUid) -> Balance {
	pallet_stake::Positions::<Test>::get((coldkey, hotkey, netuid))
}

/// A subnet (owner 1) with validators `(coldkey, hotkey)` `(10, 11)`, `(12, 13)`, `(14, 15)`
/// staked 100 / 100 / 100 "ARN" and holding permits, and miners `(20, 21)`, `(22, 23)`; every
/// validator weights the two miners 1 : 1 from now on. Stake matures, the first epoch grants the
/// permits; returns the subnet at the block after that epoch.
pub fn arena() -> NetUid {
	arena_with([100 * UNIT; 3])
}

/// [`arena`] with the three validators' stakes given.
pub fn arena_with(stakes: [Balance; 3]) -> NetUid {
	let netuid = new_subnet(1);
	for (c, h) in [(10, 11), (12, 13), (14, 15), (20, 21), (22, 23)] {
		register(netuid, c, h);
	}
	for ((c, h), s) in [(10, 11), (12, 13), (14, 15)].into_iter().zip(stakes) {
		assert_ok!(Stake::add_stake(origin(c), h, netuid, s));
	}
	run_to_epoch(netuid);
	next_block();
	for v in [11, 13, 15] {
		set_weights_on_miners(netuid, v);
	}
	netuid
}

/// The validator `hotkey` weights miners 21 and 23 equally.
pub fn set_weights_on_miners(netuid: NetUid, hotkey: AccountId) {
	let uids: Vec<Uid> = [21, 23]
		.iter()
		.map(|h| pallet_subnets::Uids::<Test>::get(netuid, h).expect("miner"))
		.collect();
	assert_ok!(Subnets::set_weights(
		origin(hotkey),
		netuid,
		uids.try_into().unwrap(),
		sp_runtime::bounded_vec![1, 1],
		0
	));
}

/// Runs to (and including) the next epoch block of `netuid`.
pub fn run_to_epoch(netuid: NetUid) {
	loop {
		next_block();
		if Subnets::is_epoch_block(netuid, System::block_number()) {
			return;
		}
	}
}

/// The escrow window in blocks.
pub fn window() -> u64 {
	u64::from(WINDOW * TEMPO)
}
