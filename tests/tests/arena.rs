//! Arena's main job, end to end: a dev chain, two validators and five miners (three honest, a
//! `poison` one that trains honestly but publishes a harmful update and a `random` one that
//! publishes a random update, both honest in rounds 0 and 1 so that they have escrowed rewards
//! to lose) training a tiny model for
//! several rounds, as real `arena-validator` / `arena-miner` processes.
//!
//! Checked: honest miners pass every audit, get weight and their escrowed rewards are
//! released; cheaters fail, get no weight, are challenged, the challenge reaches quorum and
//! their escrow is slashed; the global model's validation loss goes down; a miner killed
//! right after committing and restarted does not lose or redo that round's work; the node
//! killed and restarted mid-round leaves both programs running on. Miner 1 keeps its
//! artifacts in a bucket of the S3 test server (`scripts/test.sh` starts it) and is audited
//! from there.

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use arena_chain_client::port::ChainView;
use arena_e2e::arena::{audit_rows, Arena, ArenaSpec, AuditRow, S3Target, NETUID};

/// The round from which the cheaters cheat.
const CHEAT_FROM: u32 = 2;

fn spec(dir: &std::path::Path) -> Result<ArenaSpec> {
	Ok(ArenaSpec {
		block_ms: 500,
		tempo: 60,
		commit_deadline: 30,
		vote_window: 8,
		escrow_window: 1,
		validators: 2,
		miners: vec![
			None,
			None,
			None,
			Some(format!("poison@{CHEAT_FROM}")),
			Some(format!("random@{CHEAT_FROM}")),
		],
		audit_segments: 1,
		config: arena_training::TrainingConfig::tiny(),
		work_dir: dir.to_path_buf(),
		poll_ms: 250,
		// Miner 1 keeps its artifacts in a bucket of the S3 test server.
		s3: S3Target::from_env()?,
	})
}

fn rows_for(rows: &[AuditRow], miner: &str) -> Vec<AuditRow> {
	rows.iter().filter(|r| r.miner == miner).cloned().collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn honest_miners_earn_cheaters_are_slashed_and_the_model_improves() -> Result<()> {
	let dir = std::env::temp_dir().join(format!("arena-e2e-arena-{}", std::process::id()));
	let _ = std::fs::remove_dir_all(&dir);
	let mut arena = Arena::launch(spec(&dir)?).await?;
	let round_time = Duration::from_secs(60 * 3);

	// The first round the miners can make (registration takes a few blocks).
	let first = loop {
		arena.check_programs()?;
		if let Some(r) = arena.current_round().await? {
			if !r.commitments.is_empty() {
				break r.index;
			}
		}
		tokio::time::sleep(Duration::from_millis(500)).await;
	};

	// Round `first`: kill miner 0 as soon as it has committed, restart it.
	let honest0 = arena.miners[0].account();
	loop {
		arena.check_programs()?;
		let r = arena.current_round().await?.context("round open")?;
		if r.commitment_of(&honest0).is_some() || r.index > first {
			break;
		}
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
	let committed = arena
		.chain
		.round(NETUID, first)
		.await?
		.and_then(|r| r.commitment_of(&honest0).cloned());
	arena.miners[0].program.restart()?;
	let closed = arena.wait_round_closed(first, round_time).await?;
	// The restarted miner's commitment is what it committed before the kill.
	ensure!(
		committed.is_some() && closed.commitment_of(&honest0).cloned() == committed,
		"round {first}'s commitment of the restarted miner changed or is missing"
	);

	// Round first + 1: restart the node mid-round.
	loop {
		arena.check_programs()?;
		let r = arena.current_round().await?.context("round open")?;
		if r.index > first && !r.commitments.is_empty() {
			break;
		}
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	arena.node.restart()?;
	arena.wait_round_closed(first + 1, round_time).await?;
	arena.wait_round_closed(first + 2, round_time).await?;
	let last = arena
		.wait_round_closed((first + 3).max(CHEAT_FROM + 2), round_time)
		.await?;

	// The restarted miner carried on in the following rounds.
	ensure!(
		last.commitment_of(&honest0).is_some(),
		"the restarted miner committed in round {}",
		last.index
	);

	// Audits: every validator passed the honest miners and failed the cheaters.
	for v in &arena.validators {
		let rows = audit_rows(v)?;
		ensure!(!rows.is_empty(), "{} wrote no audit rows", v.name);
		for (i, m) in arena.miners.iter().enumerate() {
			let mine = rows_for(&rows, &m.account().to_string());
			ensure!(!mine.is_empty(), "{} never audited {}", v.name, m.name);
			for row in &mine {
				if m.cheat.is_some() && row.round >= CHEAT_FROM {
					ensure!(
						!row.passed && row.weight == 0,
						"{} passed cheater {}: {row:?}",
						v.name,
						m.name
					);
				} else {
					ensure!(
						row.passed,
						"{} failed honest {} ({i}): {row:?}",
						v.name,
						m.name
					);
				}
			}
		}
		// The global model's validation loss goes down.
		let mut losses: Vec<(u32, f64)> = rows
			.iter()
			.filter_map(|r| r.validation_loss.map(|l| (r.round, l)))
			.collect();
		losses.dedup_by_key(|(round, _)| *round);
		ensure!(losses.len() >= 2, "{}: losses {losses:?}", v.name);
		let (first_loss, last_loss) = (losses[0].1, losses[losses.len() - 1].1);
		ensure!(
			last_loss < first_loss,
			"{}: validation loss did not go down: {losses:?}",
			v.name
		);
	}

	// Weights and escrow: honest miners earned, cheaters did not and were slashed.
	let (escrowed, released, slashed) = arena.escrow_totals().await?;
	ensure!(
		escrowed > 0 && released > 0,
		"escrow: {escrowed} in, {released} out"
	);
	ensure!(
		slashed > 0,
		"no slash (escrowed {escrowed}, released {released})"
	);
	for m in &arena.miners {
		let (incentive, _, _) = arena.reading(m).await?;
		if m.cheat.is_some() {
			ensure!(
				incentive == 0,
				"cheater {} has incentive {incentive}",
				m.name
			);
		} else {
			ensure!(incentive > 0, "honest {} has no incentive", m.name);
		}
	}
	// Miner 1 served its audits from the S3 bucket it announced.
	if arena.spec.s3.is_some() {
		let miner1 = arena.miners[1].account();
		let endpoint = arena
			.chain
			.neurons(NETUID)
			.await?
			.into_iter()
			.find(|n| n.hotkey == miner1)
			.and_then(|n| n.endpoint);
		ensure!(
			endpoint.as_deref().is_some_and(|e| e.starts_with("s3://")),
			"miner-1 announced {endpoint:?}, not its bucket"
		);
	}
	drop(arena);
	let _ = std::fs::remove_dir_all(&dir);
	Ok(())
}
