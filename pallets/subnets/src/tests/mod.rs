//! Tests of `pallet-subnets`, by topic. Every test runs through
//! [`build_and_execute`](crate::mock::build_and_execute), which ends with `do_try_state`.

mod hyperparams;
mod network;
mod properties;
mod registration;
mod weights;
