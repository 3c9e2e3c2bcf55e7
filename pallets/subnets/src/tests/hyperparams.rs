//! `set_hyperparameters` and `set_training_task`: success and every bound.

use crate::{mock::*, types::HyperParam as H, Error, Event, *};
use arena_pallet_primitives::{Compression, ModelConfig, TrainingTask};
use frame_support::{assert_noop, assert_ok, BoundedVec};
use sp_runtime::Perbill;

fn set(netuid: u16, changes: Vec<H<Balance>>) -> sp_runtime::DispatchResult {
	Subnets::set_hyperparameters(origin(1), netuid, BoundedVec::truncate_from(changes))
}

#[test]
fn owner_sets_hyperparameters() {
	build_and_execute(|| {
		let netuid = new_subnet(1);
		assert_ok!(set(
			netuid,
			vec![
				H::Tempo(20),
				H::MaxUids(8),
				H::ImmunityPeriod(0),
				H::MinBurn(5),
				H::MaxBurn(50),
				H::MaxValidators(3),
				H::ActivityCutoff(20),
				H::Kappa(Perbill::from_percent(60)),
				H::BondsMovingAverage(Perbill::from_percent(20)),
				H::CommitReveal(true),
				H::RevealWindow(7),
				H::EscrowWindow(3),
				H::WeightsVersion(3),
			]
		));
		let hp = Hyperparams::<Test>::get(netuid).unwrap();
		assert_eq!(
			(
				hp.tempo,
				hp.max_uids,
				hp.immunity_period,
				hp.min_burn,
				hp.max_burn
			),
			(20, 8, 0, 5, 50)
		);
		assert_eq!((hp.max_validators, hp.activity_cutoff), (3, 20));
		assert_eq!(
			(hp.kappa, hp.bonds_moving_average),
			(Perbill::from_percent(60), Perbill::from_percent(20))
		);
		assert_eq!(
			(
				hp.commit_reveal,
				hp.reveal_window,
				hp.escrow_window,
				hp.weights_version
			),
			(true, 7, 3, 3)
		);
		assert_eq!(
			last_event(),
			RuntimeEvent::Subnets(Event::HyperparamsSet {
				netuid,
				hyperparams: hp
			})
		);
		// The burn price follows the new bounds.
		assert_eq!(Subnets::registration_price(netuid), Some(50));
	});
}

#[test]
fn hyperparameter_errors() {
	build_and_execute(|| {
		let netuid = new_subnet(1);
		assert_noop!(
			Subnets::set_hyperparameters(
				origin(2),
				netuid,
				BoundedVec::truncate_from(vec![H::Tempo(20)])
			),
			Error::<Test>::NotSubnetOwner
		);
		assert_noop!(set(9, vec![H::Tempo(20)]), Error::<Test>::SubnetNotFound);
		assert_noop!(set(netuid, vec![]), Error::<Test>::NoChanges);
		let cases: Vec<(Vec<H<Balance>>, Error<Test>)> = vec![
			(vec![H::Tempo(1)], Error::InvalidTempo),
			(vec![H::Tempo(50_401)], Error::InvalidTempo),
			(vec![H::MaxUids(0)], Error::InvalidMaxUids),
			(vec![H::MaxUids(17)], Error::InvalidMaxUids),
			(
				vec![H::ImmunityPeriod(100_801)],
				Error::InvalidImmunityPeriod,
			),
			(vec![H::MinBurn(0)], Error::InvalidBurnBounds),
			(vec![H::MinBurn(MAX_BURN + 1)], Error::InvalidBurnBounds),
			(vec![H::MaxBurn(10_000_001)], Error::InvalidBurnBounds),
			(vec![H::MaxValidators(0)], Error::InvalidMaxValidators),
			(vec![H::MaxValidators(5)], Error::InvalidMaxValidators),
			(
				vec![H::MaxUids(16), H::MaxValidators(9)],
				Error::InvalidMaxValidators,
			),
			(vec![H::ActivityCutoff(9)], Error::InvalidActivityCutoff),
			(
				vec![H::ActivityCutoff(100_801)],
				Error::InvalidActivityCutoff,
			),
			(vec![H::Tempo(200)], Error::InvalidActivityCutoff),
			(vec![H::Kappa(Perbill::zero())], Error::InvalidKappa),
			(
				vec![H::BondsMovingAverage(Perbill::zero())],
				Error::InvalidBondsMovingAverage,
			),
			(vec![H::RevealWindow(0)], Error::InvalidRevealWindow),
			(vec![H::RevealWindow(50_401)], Error::InvalidRevealWindow),
			(vec![H::EscrowWindow(0)], Error::InvalidEscrowWindow),
			(vec![H::EscrowWindow(513)], Error::InvalidEscrowWindow),
		];
		for (changes, err) in cases {
			assert_noop!(set(netuid, changes.clone()), err);
		}
		// Several changes apply together: raising tempo and the cutoff at once is fine.
		assert_ok!(set(netuid, vec![H::Tempo(200), H::ActivityCutoff(200)]));
	});
}

#[test]
fn max_uids_cannot_drop_below_neurons() {
	build_and_execute(|| {
		let netuid = new_subnet(1);
		register(netuid, 2, 12);
		register(netuid, 3, 13);
		register(netuid, 4, 14);
		assert_noop!(
			set(netuid, vec![H::MaxValidators(2), H::MaxUids(2)]),
			Error::<Test>::MaxUidsBelowNeuronCount
		);
		assert_ok!(set(netuid, vec![H::MaxUids(3)]));
	});
}

fn task() -> TrainingTask {
	TrainingTask {
		model: ModelConfig {
			layers: 12,
			width: 768,
			heads: 12,
			context: 1024,
			vocab: 256,
		},
		corpus: [7u8; 32],
		inner_steps: 500,
		batch_size: 32,
		compression: Compression {
			topk_density: Perbill::from_percent(3),
			bits: 4,
		},
		audit_segments: 4,
		segment_length: 50,
		tolerance: Perbill::from_percent(1),
	}
}

#[test]
fn owner_sets_training_task() {
	build_and_execute(|| {
		let netuid = new_subnet(1);
		assert_ok!(Subnets::set_training_task(origin(1), netuid, task()));
		assert_eq!(TrainingTasks::<Test>::get(netuid), Some(task()));
		assert_eq!(
			last_event(),
			RuntimeEvent::Subnets(Event::TrainingTaskSet {
				netuid,
				task: task()
			})
		);
		assert_noop!(
			Subnets::set_training_task(origin(2), netuid, task()),
			Error::<Test>::NotSubnetOwner
		);
		assert_noop!(
			Subnets::set_training_task(origin(1), 5, task()),
			Error::<Test>::SubnetNotFound
		);
	});
}

/// The chain's default task is one the training core can run (the task rule is the core's).
#[test]
fn default_training_task_passes_the_task_rule() {
	assert_eq!(
		crate::types::check_training_task(&TrainingTask::default()),
		Ok(())
	);
}

#[test]
fn training_task_errors() {
	build_and_execute(|| {
		let netuid = new_subnet(1);
		let t = task();
		let m = t.model;
		let cases: Vec<(TrainingTask, Error<Test>)> = vec![
			(
				TrainingTask {
					model: ModelConfig { layers: 0, ..m },
					..t
				},
				Error::InvalidModelConfig,
			),
			(
				TrainingTask {
					model: ModelConfig { layers: 257, ..m },
					..t
				},
				Error::InvalidModelConfig,
			),
			(
				TrainingTask {
					model: ModelConfig { width: 770, ..m },
					..t
				},
				Error::InvalidModelConfig,
			),
			(
				TrainingTask {
					model: ModelConfig { heads: 0, ..m },
					..t
				},
				Error::InvalidModelConfig,
			),
			(
				TrainingTask {
					model: ModelConfig { context: 0, ..m },
					..t
				},
				Error::InvalidModelConfig,
			),
			(
				TrainingTask {
					model: ModelConfig { vocab: 1, ..m },
					..t
				},
				Error::InvalidModelConfig,
			),
			(
				TrainingTask {
					model: ModelConfig {
						vocab: 1_048_577,
						..m
					},
					..t
				},
				Error::InvalidModelConfig,
			),
			(
				TrainingTask {
					model: ModelConfig { vocab: 50_257, ..m },
					..t
				},
				Error::InvalidModelConfig,
			),
			(
				TrainingTask {
					corpus: [0u8; 32],
					..t
				},
				Error::InvalidCorpus,
			),
			(
				TrainingTask {
					inner_steps: 0,
					..t
				},
				Error::InvalidSteps,
			),
			(TrainingTask { batch_size: 0, ..t }, Error::InvalidSteps),
			(
				TrainingTask {
					batch_size: 65_537,
					..t
				},
				Error::InvalidSteps,
			),
			(
				TrainingTask {
					compression: Compression {
						topk_density: Perbill::zero(),
						bits: 4,
					},
					..t
				},
				Error::InvalidCompression,
			),
			(
				TrainingTask {
					compression: Compression {
						topk_density: Perbill::one(),
						bits: 0,
					},
					..t
				},
				Error::InvalidCompression,
			),
			(
				TrainingTask {
					compression: Compression {
						topk_density: Perbill::one(),
						bits: 33,
					},
					..t
				},
				Error::InvalidCompression,
			),
			(
				TrainingTask {
					compression: Compression {
						topk_density: Perbill::one(),
						bits: 1,
					},
					..t
				},
				Error::InvalidCompression,
			),
			(
				TrainingTask {
					tolerance: Perbill::zero(),
					..t
				},
				Error::InvalidTolerance,
			),
			(
				TrainingTask {
					segment_length: 0,
					..t
				},
				Error::InvalidSegmentLength,
			),
			(
				TrainingTask {
					segment_length: 30,
					..t
				},
				Error::InvalidSegmentLength,
			),
			(
				TrainingTask {
					audit_segments: 0,
					..t
				},
				Error::InvalidAuditSegments,
			),
			(
				TrainingTask {
					audit_segments: 11,
					..t
				},
				Error::InvalidAuditSegments,
			),
			(
				TrainingTask {
					inner_steps: 1000,
					segment_length: 1,
					audit_segments: 65,
					..t
				},
				Error::InvalidAuditSegments,
			),
		];
		for (task, err) in cases {
			assert_noop!(Subnets::set_training_task(origin(1), netuid, task), err);
		}
	});
}
