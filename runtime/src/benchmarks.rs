//! The pallets whose benchmarks `arena-node benchmark pallet` runs (feature `runtime-benchmarks`).

// Declared before `apis` in `lib.rs`: the `list_benchmarks!` / `add_benchmarks!` macros defined
// here are used there by name (and resolve the pallet names there).

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_sudo, Sudo]
	[pallet_subnets, Subnets]
	[pallet_stake, Stake]
	[pallet_emission, Emission]
	[pallet_escrow, Escrow]
	[pallet_rounds, Rounds]
);
