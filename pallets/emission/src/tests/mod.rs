//! Tests of the emission pallet, by topic. Every test ends with the pallets' `try_state`
//! checks (`mock::build_and_execute`).

#[cfg(feature = "runtime-benchmarks")]
mod bench;
mod cycling;
mod dissolve;
mod epoch;
mod epoch_budget;
mod flash_stake;
mod flow;
mod halving;
mod migrations;
mod properties;
mod recycle;
