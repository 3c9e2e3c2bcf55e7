//! Harness for Arena's end-to-end tests: start real `arena-node` processes on free loopback
//! ports, wait for them, and kill them when the test ends — also when it fails or panics.
//!
//! The node binary is `$ARENA_NODE_BIN` if set, else `arena-node` next to the test executable's
//! target directory (`cargo build -p arena-node` first; `scripts/test.sh` does).

use std::{
	fs::File,
	io::{Read, Seek, SeekFrom},
	net::TcpListener,
	path::PathBuf,
	process::{Child, Command, Stdio},
	time::Duration,
};

pub mod arena;
pub mod programs;

use anyhow::{bail, Context, Result};
use arena_chain_client::ArenaClient;

/// How long a node may take to open its RPC port (the first start compiles the runtime).
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(120);

/// Path of the `arena-node` binary under test.
pub fn node_binary() -> Result<PathBuf> {
	if let Some(path) = std::env::var_os("ARENA_NODE_BIN") {
		return Ok(PathBuf::from(path));
	}
	// <target>/<profile>/deps/<test-exe> or <target>/<profile>/arena-demo → <target>/<profile>/arena-node
	let exe = std::env::current_exe().context("current_exe")?;
	let mut profile_dir = exe
		.parent()
		.context("the executable is not inside a cargo target directory")?;
	if profile_dir.ends_with("deps") {
		profile_dir = profile_dir
			.parent()
			.context("deps has no parent directory")?;
	}
	let node = profile_dir.join("arena-node");
	if !node.exists() {
		bail!(
			"{} not found: run `cargo build -p arena-node` or set ARENA_NODE_BIN",
			node.display()
		);
	}
	Ok(node)
}

/// A free TCP port on the loopback interface.
pub fn free_port() -> Result<u16> {
	let listener = TcpListener::bind("127.0.0.1:0").context("bind an ephemeral port")?;
	Ok(listener.local_addr()?.port())
}

/// Spawn `arena-node` with `args`, its database in `base_path` (or a temporary one), the given
/// ports, no telemetry, Prometheus or mDNS, and its log appended to `log_path`.
fn spawn_node(
	args: &[String],
	base_path: Option<&std::path::Path>,
	rpc_port: u16,
	p2p_port: u16,
	log_path: &std::path::Path,
) -> Result<Child> {
	let log = std::fs::OpenOptions::new()
		.create(true)
		.append(true)
		.open(log_path)
		.context("open node log")?;
	let mut cmd = Command::new(node_binary()?);
	cmd.args(args);
	match base_path {
		Some(dir) => cmd.arg("--base-path").arg(dir),
		None => cmd.arg("--tmp"),
	};
	cmd.args([
		"--no-telemetry",
		"--no-prometheus",
		"--no-mdns",
		"--rpc-port",
		&rpc_port.to_string(),
		"--listen-addr",
		&format!("/ip4/127.0.0.1/tcp/{p2p_port}"),
	])
	.stdout(Stdio::null())
	.stderr(log)
	.spawn()
	.context("spawn arena-node")
}

/// A running `arena-node`; killed on drop (its database too, if it has its own).
pub struct Node {
	child: Child,
	name: String,
	log_path: PathBuf,
	args: Vec<String>,
	base_path: Option<PathBuf>,
	/// JSON-RPC port (WebSocket and HTTP).
	pub rpc_port: u16,
	/// libp2p port.
	pub p2p_port: u16,
}

impl Node {
	/// Start `arena-node` with `args` plus fresh RPC and p2p ports, a temporary database, and
	/// no telemetry, Prometheus or mDNS. `name` labels the node in logs.
	pub fn start(name: &str, args: &[&str]) -> Result<Self> {
		Self::launch(name, args, None)
	}

	/// Like [`Node::start`], but with a database directory of its own that survives
	/// [`Node::restart`] (removed on drop).
	pub fn start_persistent(name: &str, args: &[&str]) -> Result<Self> {
		let dir = std::env::temp_dir().join(format!(
			"arena-e2e-db-{name}-{}-{}",
			std::process::id(),
			free_port()?
		));
		std::fs::create_dir_all(&dir).context("create node database directory")?;
		Self::launch(name, args, Some(dir))
	}

	fn launch(name: &str, args: &[&str], base_path: Option<PathBuf>) -> Result<Self> {
		let rpc_port = free_port()?;
		let p2p_port = free_port()?;
		let log_path = std::env::temp_dir().join(format!(
			"arena-e2e-{name}-{}-{rpc_port}.log",
			std::process::id()
		));
		let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
		let child = spawn_node(&args, base_path.as_deref(), rpc_port, p2p_port, &log_path)?;
		tracing::info!(name, rpc_port, p2p_port, log = %log_path.display(), "started node");
		Ok(Self {
			child,
			name: name.to_string(),
			log_path,
			args,
			base_path,
			rpc_port,
			p2p_port,
		})
	}

	fn spawn(&self) -> Result<Child> {
		spawn_node(
			&self.args,
			self.base_path.as_deref(),
			self.rpc_port,
			self.p2p_port,
			&self.log_path,
		)
	}

	/// Kill the node (as a crash would) and start it again on the same ports and database.
	pub fn restart(&mut self) -> Result<()> {
		self.child.kill().context("kill node")?;
		self.child.wait().context("reap node")?;
		self.child = self.spawn()?;
		tracing::info!(name = %self.name, "restarted node");
		Ok(())
	}

	/// Stop the node (it stays stopped until [`Node::resume`]).
	pub fn stop(&mut self) -> Result<()> {
		self.child.kill().context("kill node")?;
		self.child.wait().context("reap node")?;
		Ok(())
	}

	/// Start a node stopped by [`Node::stop`] again.
	pub fn resume(&mut self) -> Result<()> {
		self.child = self.spawn()?;
		Ok(())
	}

	/// The node's WebSocket URL.
	pub fn ws_url(&self) -> String {
		format!("ws://127.0.0.1:{}", self.rpc_port)
	}

	/// Connect a client, waiting for the node to come up.
	pub async fn client(&mut self) -> Result<ArenaClient> {
		if let Some(status) = self.child.try_wait()? {
			bail!(
				"{} exited early ({status}):\n{}",
				self.name,
				self.log_tail(60)
			);
		}
		ArenaClient::connect_with_retry(&self.ws_url(), STARTUP_TIMEOUT)
			.await
			.with_context(|| format!("{} did not come up:\n{}", self.name, self.log_tail(60)))
	}

	/// The last `lines` lines of the node's log, for failure messages.
	pub fn log_tail(&self, lines: usize) -> String {
		let mut text = String::new();
		if let Ok(mut f) = File::open(&self.log_path) {
			let len = f.metadata().map(|m| m.len()).unwrap_or(0);
			let _ = f.seek(SeekFrom::Start(len.saturating_sub(64 * 1024)));
			let _ = f.read_to_string(&mut text);
		}
		let all: Vec<&str> = text.lines().collect();
		all[all.len().saturating_sub(lines)..].join("\n")
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
		if std::thread::panicking() {
			eprintln!(
				"--- last lines of {} ({}) ---\n{}",
				self.name,
				self.log_path.display(),
				self.log_tail(40)
			);
		} else {
			let _ = std::fs::remove_file(&self.log_path);
		}
		if let Some(dir) = &self.base_path {
			let _ = std::fs::remove_dir_all(dir);
		}
	}
}

/// Wait until the node's finalised head reaches `number`; returns the finalised number seen.
pub async fn wait_for_finalized(
	client: &ArenaClient,
	number: u64,
	timeout: Duration,
) -> Result<u64> {
	let started = tokio::time::Instant::now();
	loop {
		let at = client
			.api()
			.at_current_block()
			.await
			.context("finalised block")?;
		let current = at.block_number();
		if current >= number {
			return Ok(current);
		}
		if started.elapsed() > timeout {
			bail!("finalised head stuck at #{current} after {timeout:?}, wanted #{number}");
		}
		tokio::time::sleep(Duration::from_millis(250)).await;
	}
}

/// Signs `tx` with `signer`, submits it and waits (at most a minute) until it is finalised
/// successfully; returns its events.
pub async fn submit<P: arena_chain_client::subxt::transactions::Payload>(
	client: &ArenaClient,
	tx: &P,
	signer: &arena_chain_client::subxt_signer::sr25519::Keypair,
) -> Result<arena_chain_client::subxt::extrinsics::ExtrinsicEvents<arena_chain_client::ArenaConfig>>
{
	tokio::time::timeout(
		Duration::from_secs(60),
		client
			.api()
			.at_current_block()
			.await?
			.transactions()
			.sign_and_submit_then_watch_default(tx, signer),
	)
	.await
	.context("submission timed out")??
	.wait_for_finalized_success()
	.await
	.context("not finalised successfully")
}
