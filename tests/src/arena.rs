//! A whole local arena for the end-to-end test and the demo: a dev node, a subnet with a small
//! model, validators and miners as real `arena-validator` / `arena-miner` processes, and
//! readings of what the chain pays them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use arena_chain_client::{
	admin::{Admin, Hyper},
	port::ChainView,
	runtime,
	task::{chain_task, training_config},
	types::{AccountId, Phase, RoundState},
	ArenaClient, Hotkey, SignedClient,
};
use arena_training::TrainingConfig;

use crate::programs::{workspace_binary, Program};
use crate::{free_port, Node};

/// 1 ARN in rao.
pub const ARN: u64 = 1_000_000_000;

/// The subnet every arena runs on (the first one registered).
pub const NETUID: u16 = 0;

/// How to build an arena.
#[derive(Clone, Debug)]
pub struct ArenaSpec {
	/// Block time of the dev node in milliseconds.
	pub block_ms: u32,
	/// Blocks per round (the subnet's tempo).
	pub tempo: u32,
	/// Commit deadline `d` in blocks.
	pub commit_deadline: u32,
	/// Vote window `v` in blocks.
	pub vote_window: u32,
	/// Escrow window in tempos.
	pub escrow_window: u32,
	/// Number of validators.
	pub validators: usize,
	/// One entry per miner: its cheat mode, if it cheats.
	pub miners: Vec<Option<String>>,
	/// Segments each validator audits per miner.
	pub audit_segments: u16,
	/// The model and round size (only what the chain's task holds is used).
	pub config: TrainingConfig,
	/// Where everything is kept (corpus, program data, logs).
	pub work_dir: PathBuf,
	/// Milliseconds between the programs' chain polls.
	pub poll_ms: u64,
	/// An S3-compatible server: miner 1 then keeps its artifacts in a bucket (`--store
	/// s3://…`) and validators fetch them from there.
	pub s3: Option<S3Target>,
}

/// An S3-compatible server for a miner's store.
#[derive(Clone, Debug)]
pub struct S3Target {
	/// Endpoint URL (`http://127.0.0.1:PORT`).
	pub endpoint: String,
	/// Bucket (must exist).
	pub bucket: String,
}

impl S3Target {
	/// The test server `scripts/s3-test-server.sh start` exported (`ARENA_TEST_S3_ENDPOINT`,
	/// `ARENA_TEST_S3_BUCKET`, as `scripts/test.sh` does); `None` with `ARENA_SKIP_S3_TESTS=1`;
	/// an error when neither is set, so that a run without the server cannot pass silently.
	pub fn from_env() -> Result<Option<Self>> {
		match std::env::var("ARENA_TEST_S3_ENDPOINT") {
			Ok(endpoint) if !endpoint.is_empty() => Ok(Some(Self {
				endpoint,
				bucket: std::env::var("ARENA_TEST_S3_BUCKET")
					.unwrap_or_else(|_| "arena-test".into()),
			})),
			_ if std::env::var("ARENA_SKIP_S3_TESTS").as_deref() == Ok("1") => Ok(None),
			_ => anyhow::bail!(
				"ARENA_TEST_S3_ENDPOINT is not set: start a server with \
				 `eval \"$(scripts/s3-test-server.sh start)\"`, or set ARENA_SKIP_S3_TESTS=1"
			),
		}
	}

	/// The variables every program needs to reach the server (the AWS SDK conventions the
	/// artifact store reads), credentials from the environment or the test server's.
	pub fn env(&self) -> Vec<(String, String)> {
		let var = |k: &str, default: &str| std::env::var(k).unwrap_or_else(|_| default.into());
		vec![
			("AWS_ENDPOINT_URL".into(), self.endpoint.clone()),
			("AWS_ALLOW_HTTP".into(), "true".into()),
			("AWS_REGION".into(), var("AWS_REGION", "us-east-1")),
			("AWS_ACCESS_KEY_ID".into(), var("AWS_ACCESS_KEY_ID", "test")),
			(
				"AWS_SECRET_ACCESS_KEY".into(),
				var("AWS_SECRET_ACCESS_KEY", "test"),
			),
		]
	}
}

/// A participant: its keys, data directory and process.
pub struct Member {
	/// `validator-0`, `miner-2`, …
	pub name: String,
	/// The hotkey it signs with.
	pub hotkey: Hotkey,
	/// The hotkey's secret URI (a dev derivation).
	pub suri: String,
	/// Its `--base-path`.
	pub base: PathBuf,
	/// The process.
	pub program: Program,
	/// Cheat mode (miners).
	pub cheat: Option<String>,
}

impl Member {
	/// The hotkey's account.
	pub fn account(&self) -> AccountId {
		self.hotkey.account()
	}
}

/// A running arena. Everything is stopped on drop.
pub struct Arena {
	/// The spec it was built from.
	pub spec: ArenaSpec,
	/// The validators (their programs are dropped before the node).
	pub validators: Vec<Member>,
	/// The miners.
	pub miners: Vec<Member>,
	/// A read-only client (Alice's key; never used to sign by the programs).
	pub chain: SignedClient,
	/// The node client.
	pub client: ArenaClient,
	/// The dev node.
	pub node: Node,
	/// The corpus directory the programs read.
	pub corpus: PathBuf,
}

/// Writes a deterministic synthetic corpus (`~bytes` of simple English-like sentences with
/// structure a small model can learn) into `dir`.
pub fn write_corpus(dir: &Path, bytes: usize) -> Result<()> {
	const SUBJECTS: [&str; 8] = [
		"the miner",
		"a validator",
		"the chain",
		"every node",
		"the model",
		"a block",
		"the subnet",
		"our token",
	];
	const VERBS: [&str; 8] = [
		"trains",
		"audits",
		"commits",
		"verifies",
		"stakes",
		"emits",
		"serves",
		"votes for",
	];
	const OBJECTS: [&str; 8] = [
		"the update",
		"a checkpoint",
		"the weights",
		"its reward",
		"the round",
		"a segment",
		"the escrow",
		"the loss",
	];
	const ENDS: [&str; 4] = [" today.", " again.", " quickly.", " in time."];
	std::fs::create_dir_all(dir).context("create corpus directory")?;
	let mut state: u64 = 0x2545_f491_4f6c_dd1d;
	let mut next = |n: usize| {
		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		(state % n as u64) as usize
	};
	let mut text = String::with_capacity(bytes + 128);
	while text.len() < bytes {
		let s = next(SUBJECTS.len());
		text.push_str(SUBJECTS[s]);
		text.push(' ');
		// The verb depends on the subject: learnable structure.
		text.push_str(VERBS[(s + next(2)) % VERBS.len()]);
		text.push(' ');
		text.push_str(OBJECTS[next(OBJECTS.len())]);
		text.push_str(ENDS[next(ENDS.len())]);
		text.push(if next(6) == 0 { '\n' } else { ' ' });
	}
	std::fs::write(dir.join("arena.txt"), text).context("write corpus")?;
	Ok(())
}

/// The chain's version of `spec.config`: what the programs will train.
pub fn task_config(spec: &ArenaSpec, corpus_id: [u8; 32]) -> Result<TrainingConfig> {
	Ok(training_config(&chain_task(
		&spec.config,
		corpus_id,
		spec.audit_segments,
	))?)
}

fn coldkey_of(i: usize) -> &'static str {
	const COLD: [&str; 12] = [
		"//Bob",
		"//Charlie",
		"//Dave",
		"//Eve",
		"//Ferdie",
		"//Alice//stash",
		"//Bob//stash",
		"//Charlie//stash",
		"//Dave//stash",
		"//Eve//stash",
		"//Ferdie//stash",
		"//Alice",
	];
	COLD[i % COLD.len()]
}

impl Arena {
	/// Start the node, create and configure the subnet, register everyone and start the
	/// programs.
	pub async fn launch(spec: ArenaSpec) -> Result<Self> {
		let work = spec.work_dir.clone();
		std::fs::create_dir_all(&work).context("create work directory")?;
		let corpus = work.join("corpus");
		write_corpus(&corpus, 200_000)?;
		let corpus_id = arena_training::Corpus::load_dir(&corpus, spec.config.validation_fraction)
			.context("load corpus")?
			.id();
		let config = task_config(&spec, corpus_id)?;

		let block_ms = spec.block_ms.to_string();
		let mut node = Node::start_persistent("arena", &["--dev", "--dev-block-time", &block_ms])?;
		let client = node.client().await?;
		client.check_metadata().await?;
		let alice = Admin::new(client.clone(), Hotkey::from_suri("//Alice")?);
		alice.register_network().await?;
		alice
			.set_hyperparameters(
				NETUID,
				&[
					Hyper::Tempo(spec.tempo),
					Hyper::EscrowWindow(spec.escrow_window),
					Hyper::CommitReveal(false),
				],
			)
			.await?;
		alice
			.set_training_task(
				NETUID,
				&chain_task(&spec.config, corpus_id, spec.audit_segments),
			)
			.await?;
		let device = arena_training::default_device();
		let fingerprint = arena_training::fingerprint::BackendFingerprint::of(&device).hash();
		alice
			.set_round_settings(
				NETUID,
				spec.commit_deadline,
				spec.vote_window,
				vec![fingerprint],
			)
			.await?;

		// Validator 0 holds and serves the genesis checkpoint.
		let v0_port = free_port()?;
		let v0_base = work.join("validator-0");
		let genesis = arena_validator::genesis::genesis_checkpoint(&config, 0);
		let bytes = genesis.to_bytes().context("encode genesis checkpoint")?;
		let store = arena_artifacts::Store::open(
			&v0_base.join("store").display().to_string(),
			arena_miner::store_limits(&config),
		)?;
		let hash = store
			.put(
				arena_artifacts::ArtifactKind::Checkpoint,
				bytes.clone().into(),
			)
			.await?;
		alice
			.set_genesis_checkpoint(
				NETUID,
				*hash.as_bytes(),
				bytes.len() as u64,
				&format!("http://127.0.0.1:{v0_port}"),
			)
			.await?;

		// Keys: a dev coldkey each, a derived hotkey each, funded and registered.
		let roles: Vec<(String, Option<String>)> = (0..spec.validators)
			.map(|i| (format!("validator-{i}"), None))
			.chain(
				spec.miners
					.iter()
					.enumerate()
					.map(|(i, c)| (format!("miner-{i}"), c.clone())),
			)
			.collect();
		let mut keys = Vec::new();
		for (i, (name, _)) in roles.iter().enumerate() {
			let cold = coldkey_of(i);
			let suri = format!("{cold}//{name}");
			let hot = Hotkey::from_suri(&suri)?;
			alice.transfer(&hot.account(), 20 * ARN).await?;
			let owner = Admin::new(client.clone(), Hotkey::from_suri(cold)?);
			owner.burned_register(NETUID, &hot.account()).await?;
			if name.starts_with("validator") {
				owner.add_stake(&hot.account(), NETUID, 1_000 * ARN).await?;
			}
			keys.push((suri, hot));
		}

		let node_url = node.ws_url();
		let validator_bin = workspace_binary("arena-validator")?;
		let miner_bin = workspace_binary("arena-miner")?;
		let corpus_arg = corpus.display().to_string();
		let mut validators = Vec::new();
		let mut miners = Vec::new();
		let env = spec.s3.as_ref().map(S3Target::env).unwrap_or_default();
		// A prefix no earlier run used: the bucket outlives the test.
		let s3_prefix = format!(
			"arena-e2e-{}-{}",
			std::process::id(),
			std::time::SystemTime::now()
				.duration_since(std::time::UNIX_EPOCH)
				.map_or(0, |d| d.as_millis())
		);
		for ((name, cheat), (suri, hotkey)) in roles.into_iter().zip(keys) {
			let base = work.join(&name);
			std::fs::create_dir_all(&base)?;
			let log = work.join(format!("{name}.log"));
			let is_validator = name.starts_with("validator");
			let port = if name == "validator-0" {
				v0_port
			} else {
				free_port()?
			};
			let mut args: Vec<String> = vec![
				"run".into(),
				"--node".into(),
				node_url.clone(),
				"--suri".into(),
				suri.clone(),
				"--netuid".into(),
				NETUID.to_string(),
				"--corpus".into(),
				corpus_arg.clone(),
				"--base-path".into(),
				base.display().to_string(),
			];
			match (&spec.s3, name.as_str()) {
				(Some(s3), "miner-1") => {
					args.push("--store".into());
					args.push(format!("s3://{}/{s3_prefix}/{name}", s3.bucket));
				},
				_ => {
					args.push("--serve".into());
					args.push(format!("127.0.0.1:{port}"));
				},
			}
			if !is_validator {
				args.push("--poll-interval-ms".into());
				args.push(spec.poll_ms.to_string());
			}
			if let Some(mode) = &cheat {
				args.push("--cheat".into());
				args.push(mode.clone());
			}
			let bin = if is_validator {
				&validator_bin
			} else {
				&miner_bin
			};
			let program = Program::start_with_env(&name, bin, args, env.clone(), log)?;
			let member = Member {
				name,
				hotkey,
				suri,
				base,
				program,
				cheat,
			};
			if is_validator {
				validators.push(member);
			} else {
				miners.push(member);
			}
		}
		let chain = SignedClient::new(client.clone(), Hotkey::from_suri("//Alice")?);
		Ok(Self {
			spec,
			validators,
			miners,
			chain,
			client,
			node,
			corpus,
		})
	}

	/// Fail if any program has exited.
	pub fn check_programs(&mut self) -> Result<()> {
		for m in self.validators.iter_mut().chain(self.miners.iter_mut()) {
			if let Some(status) = m.program.exited()? {
				bail!("{} exited ({status}):\n{}", m.name, m.program.log_tail(40));
			}
		}
		Ok(())
	}

	/// Wait (checking the programs) until round `index` is closed or the subnet is past it;
	/// returns the round's record.
	pub async fn wait_round_closed(&mut self, index: u32, timeout: Duration) -> Result<RoundState> {
		let deadline = tokio::time::Instant::now() + timeout;
		loop {
			self.check_programs()?;
			if let Ok(Some(current)) = self.chain.current_round(NETUID).await {
				if current.index > index
					|| (current.index == index && current.phase == Phase::Closed)
				{
					return self
						.chain
						.round(NETUID, index)
						.await?
						.with_context(|| format!("round {index} record"));
				}
			}
			ensure!(
				tokio::time::Instant::now() < deadline,
				"round {index} did not close within {timeout:?}"
			);
			tokio::time::sleep(Duration::from_millis(500)).await;
		}
	}

	/// The subnet's current round, if any.
	pub async fn current_round(&self) -> Result<Option<RoundState>> {
		Ok(self.chain.current_round(NETUID).await?)
	}

	/// Escrow totals: (escrowed emission, released, slashed), all-time.
	pub async fn escrow_totals(&self) -> Result<(u64, u64, u64)> {
		let t = self
			.client
			.api()
			.at_current_block()
			.await?
			.runtime_apis()
			.call(runtime::runtime_apis().escrow_api().escrow_totals())
			.await?;
		Ok((t.escrowed_emission, t.released, t.slashed))
	}

	/// A member's reading: (incentive as u16 fraction, escrow held for it, free balance).
	pub async fn reading(&self, member: &Member) -> Result<(u16, u64, u64)> {
		let neurons = self.chain.neurons(NETUID).await?;
		let incentive = neurons
			.iter()
			.find(|n| n.hotkey == member.account())
			.map(|n| n.incentive)
			.unwrap_or(0);
		let escrow = self.chain.escrow_of(NETUID, &member.account()).await?;
		let free = self.chain.free_balance(&member.account()).await?;
		Ok((incentive, escrow.held, free))
	}

	/// Open challenges against `member`.
	pub async fn challenges_against(&self, member: &Member) -> Result<usize> {
		Ok(self
			.chain
			.open_challenges(NETUID)
			.await?
			.iter()
			.filter(|c| c.miner == member.account())
			.count())
	}
}

/// One row of a validator's per-round CSV (`<base-path>/rounds.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct AuditRow {
	/// Round.
	pub round: u32,
	/// Miner hotkey (SS58).
	pub miner: String,
	/// Whether every check passed.
	pub passed: bool,
	/// Failure reason (empty on pass).
	pub reason: String,
	/// Usefulness, if computed.
	pub usefulness: Option<f64>,
	/// Weight given.
	pub weight: u16,
	/// Validation loss of the checkpoint the validator aggregated.
	pub validation_loss: Option<f64>,
}

/// Splits one CSV line (fields may be quoted, `""` inside quotes).
fn csv_fields(line: &str) -> Vec<String> {
	let mut fields = Vec::new();
	let mut cur = String::new();
	let mut quoted = false;
	let mut chars = line.chars().peekable();
	while let Some(c) = chars.next() {
		match (c, quoted) {
			('"', true) if chars.peek() == Some(&'"') => {
				cur.push('"');
				chars.next();
			},
			('"', _) => quoted = !quoted,
			(',', false) => fields.push(std::mem::take(&mut cur)),
			(c, _) => cur.push(c),
		}
	}
	fields.push(cur);
	fields
}

/// The rows a validator wrote so far.
pub fn audit_rows(validator: &Member) -> Result<Vec<AuditRow>> {
	let path = validator.base.join("rounds.csv");
	let text = match std::fs::read_to_string(&path) {
		Ok(t) => t,
		Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
		Err(e) => return Err(e).with_context(|| format!("read {}", path.display())),
	};
	let mut rows = Vec::new();
	for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
		let f = csv_fields(line);
		ensure!(f.len() >= 9, "short CSV line in {}: {line}", path.display());
		rows.push(AuditRow {
			round: f[0].parse().context("round")?,
			miner: f[1].clone(),
			passed: f[4] == "pass",
			reason: f[5].clone(),
			usefulness: f[6].parse().ok(),
			weight: f[7].parse().unwrap_or(0),
			validation_loss: f[8].parse().ok(),
		});
	}
	Ok(rows)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn csv_fields_handle_quotes_and_commas() {
		assert_eq!(
			csv_fields(r#"1,a,"x, ""y""",3"#),
			vec!["1", "a", "x, \"y\"", "3"]
		);
	}
}
