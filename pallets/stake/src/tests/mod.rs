//! Tests of `pallet-stake`, by topic. Every test ends with both pallets' `do_try_state`.

mod flash_stake;
mod hotkeys;
mod migrations;
mod permits;
mod properties;
mod stake;
mod take;
