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

/// Hotkeys for `pallet-stake`'s benchmarks: a fresh sr25519 key in the benchmark keystore that
/// signs the hotkey-claim payload, as a real hotkey would.
pub struct StakeBenchmarkHelper;

impl pallet_stake::BenchmarkHelper<crate::AccountId, crate::Signature> for StakeBenchmarkHelper {
	fn hotkey_and_signature(
		payload: impl FnOnce(&crate::AccountId) -> alloc::vec::Vec<u8>,
	) -> (crate::AccountId, crate::Signature) {
		use sp_runtime::traits::IdentifyAccount;
		let key_type = sp_core::crypto::key_types::ACCOUNT;
		let public = sp_io::crypto::sr25519_generate(key_type, None);
		let hotkey: crate::AccountId = sp_runtime::MultiSigner::from(public).into_account();
		let message = payload(&hotkey);
		let signature = sp_io::crypto::sr25519_sign(key_type, &public, &message)
			.unwrap_or_else(|| sp_core::sr25519::Signature::from_raw([0u8; 64]));
		(hotkey, crate::Signature::from(signature))
	}
}
