//! The training progress bar: steps, loss, tokens/s and ETA (indicatif), drawn on stderr only
//! when it is a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A round's progress bar (hidden when not shown).
#[derive(Clone, Debug)]
pub struct TrainProgress {
	bar: ProgressBar,
}

impl TrainProgress {
	/// A bar for `steps` steps of `round`; drawn only if `show` and stderr is a terminal.
	pub fn new(round: u32, steps: u64, show: bool) -> Self {
		let bar = if show {
			ProgressBar::with_draw_target(Some(steps), ProgressDrawTarget::stderr())
		} else {
			ProgressBar::hidden()
		};
		let style = ProgressStyle::with_template(
			"round {prefix} [{bar:30}] {pos}/{len} steps  {msg}  ETA {eta}",
		)
		.unwrap_or_else(|_| ProgressStyle::default_bar())
		.progress_chars("=> ");
		bar.set_style(style);
		bar.set_prefix(round.to_string());
		Self { bar }
	}

	/// After step `step` (1-based) with its loss and the throughput so far.
	pub fn step(&self, step: u64, loss: f32, tokens_per_sec: f64) {
		self.bar.set_position(step);
		self.bar
			.set_message(format!("loss {loss:.4}  {tokens_per_sec:.0} tok/s"));
	}

	/// Removes the bar.
	pub fn finish(&self) {
		self.bar.finish_and_clear();
	}
}
