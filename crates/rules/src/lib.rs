//! # Arena protocol rules
//!
//! The pure, deterministic rules of the Arena protocol (see `SPEC.md`), written once and called
//! both by the pallets (inside the `no_std` runtime) and by the off-chain miner and validator.
//!
//! Every function here is:
//! - **deterministic**: integer and fixed-point arithmetic only (`sp-arithmetic`), no floats;
//! - **panic-free**: no unchecked arithmetic, no indexing that can fail, no `unwrap`; results
//!   either saturate where the formula allows or are returned as typed errors (this is enforced
//!   by the clippy restriction lints at the top of this file for all non-test code);
//! - **`no_std`**: the `std` feature (on by default) only forwards to the dependencies.
//!
//! Fixed-point conventions: values in `[0, 1]` are handed out as [`Perquintill`] (parts per
//! 10^18); intermediate values use the same 10^18 scale as raw `u128` (see [`math::ONE`]), so
//! [`Perquintill`], [`sp_arithmetic::FixedU128`] and [`sp_arithmetic::FixedI128`] convert
//! into each other without rescaling.
//!
//! | module | SPEC | rule |
//! |---|---|---|
//! | [`halving`] | §1 | block emission with issuance-based halving |
//! | [`flow`] | §2 | flow EMA, subnet shares, stake maturity (recycle-proof) |
//! | [`yuma`] | §3 | Yuma consensus: consensus, trust, rank, incentive, bonds, dividends |
//! | [`epoch_split`] | §3 | owner / miners / validators payout split |
//! | [`delegation`] | §3 | a validator's dividends shared among its stake positions after the take |
//! | [`registration`] | §4 | subnet lock cost, neuron burn price, pruning choice |
//! | [`escrow`] | §5 | release block, challenge quorum |
//! | [`round`] | §6 | training round phases, who may act when, audit segments, checkpoint vote |
//! | [`training_task`] | §6 | the training task a subnet may set: exactly what the training core runs |
//!
//! [`Perquintill`]: sp_arithmetic::Perquintill
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(
	not(test),
	deny(
		clippy::arithmetic_side_effects,
		clippy::indexing_slicing,
		clippy::unwrap_used,
		clippy::expect_used,
		clippy::panic,
		clippy::unreachable,
		clippy::todo,
		clippy::unimplemented,
		clippy::cast_possible_truncation,
		clippy::cast_possible_wrap,
		clippy::cast_sign_loss,
		clippy::float_arithmetic,
	)
)]
#![warn(missing_docs)]

extern crate alloc;

pub mod delegation;
pub mod epoch_schedule;
pub mod epoch_split;
pub mod escrow;
pub mod flow;
pub mod halving;
pub mod math;
pub mod registration;
pub mod round;
pub mod training_task;
pub mod yuma;

/// Token amounts in the smallest unit (1 ARN = 10^9 units).
pub type Balance = u128;

/// Block numbers.
pub type BlockNumber = u64;

/// One ARN in units (9 decimals).
pub const ARN: Balance = 1_000_000_000;
