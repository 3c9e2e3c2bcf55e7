//! The `status` and `register` subcommands, over the chain port.

use std::fmt;
use std::future::Future;
use std::path::Path;

use arena_chain_client::port::{ChainResult, ChainView};
use arena_chain_client::types::{Balance, EscrowSummary, Hash32, NetUid, RoundState};

use crate::error::MinerError;
use crate::persist::{MinerState, StateFile};
use crate::phases::Phase;

/// What `arena-miner status` prints.
#[derive(Clone, Debug)]
pub struct Status {
	/// The subnet.
	pub netuid: NetUid,
	/// The hotkey (SS58).
	pub hotkey: String,
	/// The chain's finalized block.
	pub block: u32,
	/// The subnet's current round.
	pub round: Option<RoundState>,
	/// Whether the hotkey committed to that round, and at which block.
	pub committed_at: Option<u32>,
	/// The residual hash the chain binds the next round to.
	pub last_residual: Hash32,
	/// Escrow held for the hotkey.
	pub escrow: EscrowSummary,
	/// Free balance of the hotkey.
	pub free_balance: Balance,
	/// The miner's persisted state, if a base path was given and holds one.
	pub local: Option<MinerState>,
}

/// Reads the miner's status from the chain (and its base path, if any).
pub async fn status<C: ChainView>(
	chain: &C,
	netuid: NetUid,
	base_path: Option<&Path>,
) -> Result<Status, MinerError> {
	let err = MinerError::chain(Phase::WaitRound);
	let hotkey = chain.hotkey();
	let block = chain
		.finalized_block()
		.await
		.map_err(MinerError::chain(Phase::WaitRound))?;
	let round = chain
		.current_round(netuid)
		.await
		.map_err(MinerError::chain(Phase::WaitRound))?;
	let committed_at = round
		.as_ref()
		.and_then(|r| r.commitment_of(&hotkey))
		.map(|c| c.committed_at);
	let last_residual = chain
		.last_residual(netuid, &hotkey)
		.await
		.map_err(MinerError::chain(Phase::WaitRound))?;
	let escrow = chain
		.escrow_of(netuid, &hotkey)
		.await
		.map_err(MinerError::chain(Phase::WaitRound))?;
	let free_balance = chain.free_balance(&hotkey).await.map_err(err)?;
	let local = match base_path {
		Some(p) if StateFile::new(p, netuid).path().exists() => {
			Some(StateFile::new(p, netuid).load(netuid, &hotkey.0)?)
		},
		_ => None,
	};
	Ok(Status {
		netuid,
		hotkey: hotkey.to_string(),
		block,
		round,
		committed_at,
		last_residual,
		escrow,
		free_balance,
		local,
	})
}

impl fmt::Display for Status {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		writeln!(f, "subnet        {}", self.netuid)?;
		writeln!(f, "hotkey        {}", self.hotkey)?;
		writeln!(f, "block         {}", self.block)?;
		match &self.round {
			Some(r) => writeln!(
				f,
				"round         {} ({:?}, deadline block {}, {} commitments)",
				r.index,
				r.phase,
				r.deadline_block(),
				r.commitments.len()
			)?,
			None => writeln!(f, "round         none yet")?,
		}
		match self.committed_at {
			Some(b) => writeln!(f, "committed     yes, at block {b}")?,
			None => writeln!(f, "committed     no")?,
		}
		writeln!(f, "residual      {}", hex::encode(self.last_residual))?;
		writeln!(
			f,
			"escrow        {} rao held ({} slashable, {} entries)",
			self.escrow.held, self.escrow.slashable, self.escrow.entries
		)?;
		writeln!(f, "free balance  {} rao", self.free_balance)?;
		if let Some(s) = &self.local {
			writeln!(
				f,
				"local state   last committed round {:?}, pending {:?}, training {:?}",
				s.last_committed().map(|r| r.round),
				s.pending.as_ref().map(|r| r.round),
				s.training
			)?;
		}
		Ok(())
	}
}

/// What `register` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Registration {
	/// Registered, burning this price.
	Registered(Balance),
	/// Not registered: the price was refused (over `max_price`, or not confirmed).
	Declined(Balance),
}

/// `arena-miner register`: reads the current burn price with `price`, shows it through
/// `confirm` (which may refuse), refuses a price over `max_price`, then registers with
/// `register` (the chain's `burned_register`, signed by the coldkey). The chain calls are
/// closures because registration is not part of the miner's chain port.
pub async fn register_with<P, R, F>(
	price: P,
	max_price: Option<Balance>,
	confirm: impl FnOnce(Balance) -> bool,
	register: R,
) -> Result<Registration, MinerError>
where
	P: Future<Output = ChainResult<Balance>>,
	R: FnOnce() -> F,
	F: Future<Output = ChainResult<()>>,
{
	let p = price.await.map_err(MinerError::chain(Phase::WaitRound))?;
	if max_price.is_some_and(|m| p > m) || !confirm(p) {
		return Ok(Registration::Declined(p));
	}
	register()
		.await
		.map_err(MinerError::chain(Phase::WaitRound))?;
	Ok(Registration::Registered(p))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[tokio::test]
	async fn register_is_declined_if_price_exceeds_the_maximum() {
		let called = std::cell::Cell::new(false);
		let r = register_with(
			async { Ok(500) },
			Some(100),
			|_| true,
			|| async {
				called.set(true);
				Ok(())
			},
		)
		.await
		.expect("register");
		assert_eq!(r, Registration::Declined(500));
		assert!(!called.get());
	}

	#[tokio::test]
	async fn register_burns_the_shown_price_once_confirmed() {
		let shown = std::cell::Cell::new(0);
		let r = register_with(
			async { Ok(42) },
			None,
			|p| {
				shown.set(p);
				true
			},
			|| async { Ok(()) },
		)
		.await
		.expect("register");
		assert_eq!((r, shown.get()), (Registration::Registered(42), 42));
	}
}
