//! Tests of `pallet-rounds`, by topic. Every test ends with the pallets' `do_try_state`
//! (`mock::build_and_execute`).

mod commit;
mod phases;
mod properties;
mod pruning;
mod seeds;
mod settings;
mod vote;
