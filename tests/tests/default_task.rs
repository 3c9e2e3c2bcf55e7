//! The chain's default training task (what a new subnet starts with) is the training core's
//! default round, so a subnet trains before its owner changes anything.

use arena_chain_client::task::{chain_task, training_config, ChainTask};
use arena_pallet_primitives::TrainingTask;
use arena_training::TrainingConfig;

/// The pallet's task as the chain client reads it (what `convert::task` does with the
/// metadata's copy of the type).
fn as_chain_task(t: &TrainingTask) -> ChainTask {
	ChainTask {
		layers: u32::from(t.model.layers),
		width: t.model.width,
		heads: u32::from(t.model.heads),
		context: t.model.context,
		vocab: t.model.vocab,
		corpus: t.corpus,
		inner_steps: t.inner_steps,
		batch_size: t.batch_size,
		topk_density_ppb: t.compression.topk_density.deconstruct(),
		bits: t.compression.bits,
		audit_segments: t.audit_segments,
		segment_length: t.segment_length,
		tolerance_ppb: t.tolerance.deconstruct(),
	}
}

#[test]
fn chain_default_task_is_the_training_core_default() {
	let chain = as_chain_task(&TrainingTask::default());
	assert_eq!(
		chain,
		chain_task(
			&TrainingConfig::default(),
			chain.corpus,
			chain.audit_segments
		)
	);
	assert_eq!(
		training_config(&chain).expect("the default task trains"),
		TrainingConfig::default()
	);
}
