//! `burned_register` (price, burns, replacement) and `serve_endpoint`.

use crate::{mock::*, Error, Event, *};
use arena_pallet_primitives::{StakeInterface, SubnetsInterface};
use frame_support::{assert_noop, assert_ok, traits::fungible::Inspect};

#[test]
fn burned_register_burns_and_assigns_dense_uids() {
	build_and_execute(|| {
		let netuid = new_subnet(1);
		let issuance = Balances::total_issuance();
		assert_eq!(register(netuid, 2, 12), 0);
		assert_eq!(Balances::total_balance(&2), INITIAL - MIN_BURN);
		assert_eq!(
			Balances::total_issuance(),
			issuance - MIN_BURN,
			"burned, not transferred"
		);
		assert_eq!(flows(), vec![Flow::Burn(netuid, MIN_BURN)]);
		assert_eq!(
			last_event(),
			RuntimeEvent::Subnets(Event::NeuronRegistered {
				netuid,
				uid: 0,
				hotkey: 12,
				coldkey: 2,
				burned: MIN_BURN,
				replaced: None
			})
		);
		// Price × 1.26 after each registration (same block: no decay).
		assert_eq!(Subnets::registration_price(netuid), Some(126));
		assert_eq!(register(netuid, 3, 13), 1);
		assert_eq!(Balances::total_balance(&3), INITIAL - 126);
		assert_eq!(Subnets::registration_price(netuid), Some(158));
		assert_eq!(NeuronCount::<Test>::get(netuid), 2);
		assert_eq!(MockStake::hotkey_owner(&13), Some(3));
	});
}

#[test]
fn burn_price_decays_with_half_life_of_one_tempo() {
	build_and_execute(|| {
		let netuid = new_subnet(1);
		assert_ok!(Subnets::set_hyperparameters(
			origin(1),
			netuid,
			frame_support::BoundedVec::truncate_from(vec![crate::types::HyperParam::MinBurn(10)])
		));
		Burn::<Test>::insert(
			netuid,
			arena_rules::registration::BurnState {
				price: 1000,
				updated_at: 1,
			},
		);
		assert_eq!(Subnets::registration_price(netuid), Some(1000));
		run_to_block(1 + TEMPO as u64);
		assert_eq!(Subnets::registration_price(netuid), Some(500));
		run_to_block(1 + 2 * TEMPO as u64);
		assert_eq!(Subnets::registration_price(netuid), Some(250));
		run_to_block(1000);
		assert_eq!(
			Subnets::registration_price(netuid),
			Some(10),
			"bounded by min"
		);
	});
}

#[test]
fn burned_register_errors() {
	build_and_execute(|| {
		assert_noop!(
			Subnets::burned_register(origin(2), 0, 12),
			Error::<Test>::SubnetNotFound
		);
		let netuid = new_subnet(1);
		register(netuid, 2, 12);
		assert_noop!(
			Subnets::burned_register(origin(2), netuid, 12),
			Error::<Test>::AlreadyRegistered
		);
		// Hotkey 12 belongs to coldkey 2.
		let other = new_subnet(1);
		assert_noop!(
			Subnets::burned_register(origin(3), other, 12),
			sp_runtime::DispatchError::Other("HotkeyOwnedByAnotherColdkey")
		);
		// Not enough funds.
		assert_noop!(
			Subnets::burned_register(origin(99), netuid, 199),
			Error::<Test>::InsufficientBalance
		);
	});
}

#[test]
fn full_subnet_replaces_lowest_emission_outside_immunity() {
	build_and_execute(|| {
		let netuid = new_subnet(1);
		for (i, hk) in [11u64, 12, 13, 14].into_iter().enumerate() {
			run_to_block(2 + i as u64);
			register(netuid, hk - 10, hk);
		}
		// max_uids 4: full. Everybody immune for IMMUNITY blocks.
		assert_noop!(
			Subnets::burned_register(origin(5), netuid, 15),
			Error::<Test>::NoNeuronToReplace
		);
		run_to_block(5 + IMMUNITY as u64);
		assert_ok!(Subnets::serve_endpoint(
			origin(12),
			netuid,
			b"https://a".to_vec()
		));
		for (uid, e) in [(0u16, 30u64), (1, 10), (2, 10), (3, 20)] {
			assert_ok!(<Subnets as SubnetsInterface<_, _, _>>::set_neuron_metrics(
				netuid,
				uid,
				arena_pallet_primitives::NeuronMetrics {
					emission: e,
					..Default::default()
				}
			));
		}
		// uid 1 (emission 10, registered at 3) is older than uid 2 (10, at 4).
		assert_eq!(register(netuid, 5, 15), 1);
		assert!(matches!(
			last_event(),
			RuntimeEvent::Subnets(Event::NeuronRegistered {
				uid: 1,
				replaced: Some(12),
				..
			})
		));
		assert_eq!(Uids::<Test>::get(netuid, 12), None);
		assert_eq!(Endpoints::<Test>::get(netuid, 1), None, "endpoint cleared");
		assert_eq!(NeuronCount::<Test>::get(netuid), 4);
		let n = Neurons::<Test>::get(netuid, 1).unwrap();
		assert_eq!((n.hotkey, n.metrics.emission), (15, 0));
	});
}

#[test]
fn serve_endpoint_works_and_checks() {
	build_and_execute(|| {
		let netuid = new_subnet(1);
		register(netuid, 2, 12);
		assert_ok!(Subnets::serve_endpoint(
			origin(12),
			netuid,
			b"ipfs://bafy".to_vec()
		));
		assert_eq!(
			Endpoints::<Test>::get(netuid, 0).unwrap().into_inner(),
			b"ipfs://bafy".to_vec()
		);
		assert!(matches!(
			last_event(),
			RuntimeEvent::Subnets(Event::EndpointServed { uid: 0, .. })
		));
		for ok in [&b"https://h:1/p"[..], b"http://1.2.3.4", b"s3://bucket/key"] {
			assert_ok!(Subnets::serve_endpoint(origin(12), netuid, ok.to_vec()));
		}
		assert_noop!(
			Subnets::serve_endpoint(origin(12), 9, b"https://x".to_vec()),
			Error::<Test>::SubnetNotFound
		);
		assert_noop!(
			Subnets::serve_endpoint(origin(13), netuid, b"https://x".to_vec()),
			Error::<Test>::NotRegistered
		);
		let mut long = b"https://".to_vec();
		long.resize(65, b'a');
		assert_noop!(
			Subnets::serve_endpoint(origin(12), netuid, long),
			Error::<Test>::EndpointTooLong
		);
		for bad in [&b"ftp://x"[..], b"https://", b"", b"x"] {
			assert_noop!(
				Subnets::serve_endpoint(origin(12), netuid, bad.to_vec()),
				Error::<Test>::InvalidEndpointScheme
			);
		}
		for bad in [&b"https://a b"[..], b"https://\x00", b"https://\xff"] {
			assert_noop!(
				Subnets::serve_endpoint(origin(12), netuid, bad.to_vec()),
				Error::<Test>::InvalidEndpointCharacters
			);
		}
	});
}

#[test]
fn set_neuron_metrics_needs_a_neuron() {
	build_and_execute(|| {
		let netuid = new_subnet(1);
		assert_noop!(
			<Subnets as SubnetsInterface<_, _, _>>::set_neuron_metrics(
				netuid,
				0,
				Default::default()
			),
			Error::<Test>::NeuronNotFound
		);
	});
}
