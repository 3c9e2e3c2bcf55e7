//! `arena-miner` and `arena-validator` as child processes: started with their real command
//! lines, killed (as a crash would) and restarted on the same data, killed on drop.

use std::{
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
};

use anyhow::{bail, Context, Result};

/// Path of a workspace binary next to the test executable (`<target>/<profile>/<name>`), or
/// `$ARENA_<NAME>_BIN` (name upper-cased, `-` as `_`).
pub fn workspace_binary(name: &str) -> Result<PathBuf> {
	let var = format!("ARENA_{}_BIN", name.to_uppercase().replace('-', "_"));
	if let Some(path) = std::env::var_os(&var) {
		return Ok(PathBuf::from(path));
	}
	let exe = std::env::current_exe().context("current_exe")?;
	let mut dir = exe.parent().context("test executable has no directory")?;
	// Test executables live in <profile>/deps, binaries of the demo in <profile>.
	if dir.ends_with("deps") {
		dir = dir.parent().context("deps has no parent")?;
	}
	let bin = dir.join(name);
	if !bin.exists() {
		bail!(
			"{} not found: run `cargo build --workspace` or set {var}",
			bin.display()
		);
	}
	Ok(bin)
}

/// A running program.
pub struct Program {
	/// Label in logs.
	pub name: String,
	bin: PathBuf,
	args: Vec<String>,
	/// Its log file (stderr and stdout).
	pub log: PathBuf,
	env: Vec<(String, String)>,
	child: Option<Child>,
}

impl Program {
	/// Start `bin` with `args`, appending its output to `log`.
	pub fn start(name: &str, bin: &Path, args: Vec<String>, log: PathBuf) -> Result<Self> {
		Self::start_with_env(name, bin, args, Vec::new(), log)
	}

	/// [`Program::start`] with extra environment variables (kept across restarts).
	pub fn start_with_env(
		name: &str,
		bin: &Path,
		args: Vec<String>,
		env: Vec<(String, String)>,
		log: PathBuf,
	) -> Result<Self> {
		let mut p = Self {
			name: name.to_string(),
			bin: bin.to_path_buf(),
			args,
			env,
			log,
			child: None,
		};
		p.spawn()?;
		Ok(p)
	}

	fn spawn(&mut self) -> Result<()> {
		let out = std::fs::OpenOptions::new()
			.create(true)
			.append(true)
			.open(&self.log)
			.with_context(|| format!("open {}", self.log.display()))?;
		let err = out.try_clone().context("clone log handle")?;
		let child = Command::new(&self.bin)
			.args(&self.args)
			.env("NO_COLOR", "1")
			.envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
			.stdin(Stdio::null())
			.stdout(out)
			.stderr(err)
			.spawn()
			.with_context(|| format!("spawn {}", self.bin.display()))?;
		tracing::info!(name = %self.name, pid = child.id(), "started program");
		self.child = Some(child);
		Ok(())
	}

	/// Kill it (SIGKILL, as a crash) and wait for it.
	pub fn kill(&mut self) -> Result<()> {
		if let Some(mut c) = self.child.take() {
			c.kill().ok();
			c.wait().context("reap program")?;
		}
		Ok(())
	}

	/// Kill it and start it again with the same command line and data.
	pub fn restart(&mut self) -> Result<()> {
		self.kill()?;
		self.spawn()
	}

	/// Whether it has exited (and how), without waiting.
	pub fn exited(&mut self) -> Result<Option<std::process::ExitStatus>> {
		match self.child.as_mut() {
			Some(c) => Ok(c.try_wait()?),
			None => Ok(None),
		}
	}

	/// The last `lines` lines of its log.
	pub fn log_tail(&self, lines: usize) -> String {
		let text = std::fs::read_to_string(&self.log).unwrap_or_default();
		let all: Vec<&str> = text.lines().collect();
		all[all.len().saturating_sub(lines)..].join("\n")
	}
}

impl Drop for Program {
	fn drop(&mut self) {
		let _ = self.kill();
		if std::thread::panicking() {
			eprintln!(
				"--- last lines of {} ({}) ---\n{}",
				self.name,
				self.log.display(),
				self.log_tail(30)
			);
		}
	}
}
