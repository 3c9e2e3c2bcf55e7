//! Running training compute (segment re-runs, usefulness, aggregation) without stalling the
//! async runtime.
//!
//! The validator's artifact server and Prometheus endpoint run on the same tokio runtime as
//! its loop. A segment re-run takes seconds of CPU; done directly on a runtime worker it would
//! hold that worker and starve the servers. [`compute`] moves the work off the worker pool with
//! [`tokio::task::block_in_place`] (the other workers keep serving), so the work can keep
//! borrowing the round's inputs instead of cloning checkpoints and corpora into a
//! `spawn_blocking` task. On a current-thread runtime (some unit tests) or outside any runtime it
//! runs inline, since `block_in_place` is not available there.

use tokio::runtime::{Handle, RuntimeFlavor};

/// Runs CPU-heavy `work`, letting the runtime's other tasks proceed meanwhile.
pub fn compute<R>(work: impl FnOnce() -> R) -> R {
	match Handle::try_current() {
		Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => {
			tokio::task::block_in_place(work)
		},
		_ => work(),
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::sync::atomic::{AtomicBool, Ordering};
	use std::sync::Arc;
	use std::time::Duration;

	#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
	async fn other_tasks_run_while_compute_blocks() {
		let ticked = Arc::new(AtomicBool::new(false));
		let t = ticked.clone();
		let server = tokio::spawn(async move {
			tokio::time::sleep(Duration::from_millis(10)).await;
			t.store(true, Ordering::SeqCst);
		});
		// Blocks this worker for longer than the other task needs; it must still complete.
		let seen = compute(|| {
			let deadline = std::time::Instant::now() + Duration::from_secs(5);
			while std::time::Instant::now() < deadline {
				if ticked.load(Ordering::SeqCst) {
					return true;
				}
				std::thread::sleep(Duration::from_millis(5));
			}
			false
		});
		assert!(
			seen,
			"a spawned task did not run while compute() held a worker"
		);
		server.await.expect("task");
	}

	#[tokio::test(flavor = "current_thread")]
	async fn compute_runs_inline_on_a_current_thread_runtime() {
		assert_eq!(compute(|| 7), 7);
	}
}
