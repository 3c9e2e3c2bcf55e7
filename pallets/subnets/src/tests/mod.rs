//! Tests of `pallet-subnets`, by topic. Every test runs through
//! [`build_and_execute`](crate::mock::build_and_execute), which ends with `do_try_state`.

mod hyperparams;
mod migrations;
mod network;
mod owner_settings;
mod properties;
mod registration;
mod weights;
