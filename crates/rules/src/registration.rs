//! Registration rules (SPEC §4).
//!
//! **Subnet lock cost** (held while the subnet lives):
//!
//! ```text
//! lock = max(min_lock, 2·last_lock − floor(last_lock·blocks_since_last / interval))
//! ```
//!
//! (saturating at 0 before the `max`; with `interval = 0` the second term is `min_lock`).
//! The decay is rounded down, so the cost is rounded up: in the protocol's favour.
//!
//! **Early dissolution forfeit** (lock pumping): a registration doubles the next creator's
//! price, so an owner who dissolves its subnet fewer than `interval` blocks after registering it
//! forfeits (burns) the part of its lock above `min_lock`; later, or when pruned, the whole
//! lock comes back:
//!
//! ```text
//! forfeit = lock − min_lock   if blocks_since_registration < interval   (0 if lock ≤ min_lock)
//!         = 0                 otherwise
//! ```
//!
//! **Early dissolution of the latest registration** (lock pumping from `min_lock`, where the
//! forfeit above is 0): when the subnet an owner dissolves within the interval is still the
//! latest registration, the lock price it raised is put back — the last lock becomes half the
//! lock it paid, dated at its registration:
//!
//! ```text
//! last_lock' = floor(lock / 2),   last_block' = registration block of the dissolved subnet
//! ```
//!
//! so the next price is `max(min_lock, 2·last_lock' − decay) ≤ lock`: what the dissolved
//! subnet paid, decaying from there, instead of twice that. A registration at `min_lock`
//! dissolved at once leaves the price at `min_lock`. It never lowers the price below what the
//! pumper itself found.
//!
//! **Neuron burn price.** The price decays continuously with a half-life of one tempo and is
//! multiplied by `bump` (1.26) after every registration, always clamped to the owner-set
//! `[min, max]` (if `min > max`, `min` wins):
//!
//! ```text
//! price(now)  = clamp(price · 2^(−(now − updated_at)/half_life))       (rounded down)
//! after a registration at `now`: price = clamp(price(now) · bump), updated_at = now
//! ```
//!
//! `2^(−x)` is computed with [`crate::math::pow2_neg`] (absolute error within 10^-18), so the
//! price is exact to within one unit for any price below 10^18 units. A half-life of 0 decays
//! the price to `min` at once.
//!
//! **Pruning.** A full subnet replaces the neuron with the lowest emission among those outside
//! the immunity period (`now − registered_at >= immunity_period`); ties go to the oldest
//! registration, then to the lowest UID. If every neuron is immune there is no candidate and
//! the registration is refused.

use crate::{
	math::{self, mul_div, ONE},
	Balance, BlockNumber,
};
use codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_arithmetic::{FixedPointNumber, FixedU128, Rounding};

/// Default immunity period of a new neuron, in blocks.
pub const DEFAULT_IMMUNITY_PERIOD: BlockNumber = 4_096;

/// Default burn multiplier applied after each registration: 1.26.
pub const DEFAULT_BURN_BUMP: FixedU128 = FixedU128::from_inner(1_260_000_000_000_000_000);

/// Subnet lock cost: `max(min_lock, 2·last_lock − last_lock·blocks_since_last/interval)`.
pub fn subnet_lock_cost(
	min_lock: Balance,
	last_lock: Balance,
	blocks_since_last: BlockNumber,
	interval: BlockNumber,
) -> Balance {
	let doubled = last_lock.saturating_mul(2);
	let decay = if interval == 0 {
		doubled
	} else {
		mul_div(
			last_lock,
			u128::from(blocks_since_last),
			u128::from(interval),
			Rounding::Down,
		)
		.unwrap_or(u128::MAX)
	};
	doubled.saturating_sub(decay).max(min_lock)
}

/// Whether a dissolution `blocks_since_registration` blocks after the registration is early
/// (`< interval`): it forfeits the lock above `min_lock` and, for the latest registration,
/// puts the lock price back (see the module docs).
pub fn is_early_dissolution(blocks_since_registration: BlockNumber, interval: BlockNumber) -> bool {
	blocks_since_registration < interval
}

/// Part of a subnet's lock its owner forfeits (burns) by dissolving the subnet
/// `blocks_since_registration` blocks after registering it (see the module docs).
pub fn dissolution_forfeit(
	lock: Balance,
	min_lock: Balance,
	blocks_since_registration: BlockNumber,
	interval: BlockNumber,
) -> Balance {
	if is_early_dissolution(blocks_since_registration, interval) {
		lock.saturating_sub(min_lock)
	} else {
		0
	}
}

/// The last lock that undoes an early-dissolved latest registration's effect on the lock price
/// (see the module docs): `floor(lock / 2)`.
pub fn restored_last_lock(lock: Balance) -> Balance {
	lock / 2
}

/// Part of a subnet's lock burned when the subnet is **removed** (dissolved by its owner or
/// the admin, or pruned):
///
/// ```text
/// forfeit = min(lock, early + debt)
/// ```
///
/// `early` is [`dissolution_forfeit`] (owner dissolution within the interval, else 0) and
/// `debt` the subnet's flow debt at removal ([`crate::flow::removal_debt`]): the lock settles
/// the debt so that it does not vanish with the subnet. The owner gets `lock − forfeit` back.
pub fn removal_forfeit(lock: Balance, early: Balance, debt: Balance) -> Balance {
	early.saturating_add(debt).min(lock)
}

/// Owner-set parameters of the neuron burn price.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct BurnParams {
	/// Lowest price.
	pub min: Balance,
	/// Highest price.
	pub max: Balance,
	/// Multiplier applied after each registration (default 1.26).
	pub bump: FixedU128,
	/// Half-life of the decay in blocks (default: one tempo).
	pub half_life: BlockNumber,
}

/// The stored burn price: its value at `updated_at`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct BurnState {
	/// Price at `updated_at`.
	pub price: Balance,
	/// Block of the last registration (or of the last explicit update).
	pub updated_at: BlockNumber,
}

/// Clamps to `[min, max]`; `min` wins if `min > max`.
pub fn clamp_price(price: Balance, min: Balance, max: Balance) -> Balance {
	price.min(max).max(min)
}

/// `price · 2^(−elapsed/half_life)`, rounded down, clamped to `[min, max]`.
pub fn decayed_price(price: Balance, elapsed: BlockNumber, params: &BurnParams) -> Balance {
	let decayed = match math::pow2_neg(elapsed, params.half_life) {
		Some(f) => mul_div(price, u128::from(f.deconstruct()), ONE, Rounding::Down).unwrap_or(0),
		None => 0,
	};
	clamp_price(decayed, params.min, params.max)
}

/// `price · bump`, rounded down, clamped to `[min, max]`.
pub fn bumped_price(price: Balance, params: &BurnParams) -> Balance {
	let bumped = mul_div(
		price,
		params.bump.into_inner(),
		FixedU128::DIV,
		Rounding::Down,
	)
	.unwrap_or(u128::MAX);
	clamp_price(bumped, params.min, params.max)
}

impl BurnState {
	/// The price to burn for a registration at block `now`.
	pub fn current_price(&self, now: BlockNumber, params: &BurnParams) -> Balance {
		decayed_price(self.price, now.saturating_sub(self.updated_at), params)
	}

	/// A registration at `now`: returns the amount to burn and the state afterwards.
	pub fn register(&self, now: BlockNumber, params: &BurnParams) -> (Balance, BurnState) {
		let pay = self.current_price(now, params);
		(
			pay,
			BurnState {
				price: bumped_price(pay, params),
				updated_at: now,
			},
		)
	}
}

/// What pruning needs to know about a neuron.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct NeuronInfo {
	/// Its UID.
	pub uid: u16,
	/// Its emission (last epoch), the pruning score.
	pub emission: Balance,
	/// Block it registered at.
	pub registered_at: BlockNumber,
}

/// The UID a full subnet replaces: lowest emission outside the immunity period, ties → oldest
/// registration → lowest UID. `None` if every neuron is immune (or there are none).
pub fn prune_candidate(
	neurons: &[NeuronInfo],
	now: BlockNumber,
	immunity_period: BlockNumber,
) -> Option<u16> {
	neurons
		.iter()
		.filter(|n| now.saturating_sub(n.registered_at) >= immunity_period)
		.min_by_key(|n| (n.emission, n.registered_at, n.uid))
		.map(|n| n.uid)
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	fn params() -> BurnParams {
		BurnParams {
			min: 10,
			max: 1_000_000_000,
			bump: DEFAULT_BURN_BUMP,
			half_life: 360,
		}
	}

	#[test]
	fn removal_forfeit_settles_early_forfeit_and_debt_up_to_the_lock() {
		assert_eq!(removal_forfeit(4_000, 0, 0), 0);
		assert_eq!(removal_forfeit(4_000, 0, 1_500), 1_500);
		assert_eq!(removal_forfeit(4_000, 3_000, 500), 3_500);
		assert_eq!(removal_forfeit(4_000, 3_000, 1_500), 4_000);
		assert_eq!(removal_forfeit(4_000, 0, u128::MAX), 4_000);
	}

	#[test]
	fn restored_last_lock_prices_the_next_registration_at_most_at_the_dissolved_lock() {
		let (min, interval) = (100, 1_000);
		// A first registration at the minimum, dissolved: the price stays at the minimum.
		assert_eq!(
			subnet_lock_cost(min, restored_last_lock(min), 0, interval),
			min
		);
		// A registration at 800, dissolved: the next price is 800 (not 1,600), then decays.
		assert_eq!(
			subnet_lock_cost(min, restored_last_lock(800), 0, interval),
			800
		);
		assert_eq!(
			subnet_lock_cost(min, restored_last_lock(800), 500, interval),
			600
		);
		// An odd lock rounds the restored price down by one unit at most.
		assert_eq!(
			subnet_lock_cost(min, restored_last_lock(801), 0, interval),
			800
		);
	}

	#[test]
	fn dissolution_forfeit_is_the_lock_above_the_minimum_within_the_interval() {
		assert_eq!(dissolution_forfeit(4_000, 1_000, 0, 100), 3_000);
		assert_eq!(dissolution_forfeit(4_000, 1_000, 99, 100), 3_000);
		assert_eq!(dissolution_forfeit(4_000, 1_000, 100, 100), 0);
		assert_eq!(dissolution_forfeit(1_000, 1_000, 0, 100), 0);
		assert_eq!(dissolution_forfeit(500, 1_000, 0, 100), 0);
		assert_eq!(dissolution_forfeit(4_000, 1_000, 0, 0), 0);
	}

	proptest! {
		/// The forfeit never exceeds the lock, and what is released never falls below the
		/// minimum unless the lock itself did.
		#[test]
		fn dissolution_forfeit_is_bounded(
			lock in 0u128..u128::MAX / 2,
			min in 0u128..u128::MAX / 2,
			since in 0u64..1_000,
			interval in 0u64..1_000,
		) {
			let f = dissolution_forfeit(lock, min, since, interval);
			prop_assert!(f <= lock);
			prop_assert!(lock - f >= min.min(lock));
		}
	}

	#[test]
	fn lock_cost_examples() {
		// Right after the last registration: double.
		assert_eq!(subnet_lock_cost(100, 1_000, 0, 100), 2_000);
		// Halfway: 1.5×; after one interval: 1×; after two: min.
		assert_eq!(subnet_lock_cost(100, 1_000, 50, 100), 1_500);
		assert_eq!(subnet_lock_cost(100, 1_000, 100, 100), 1_000);
		assert_eq!(subnet_lock_cost(100, 1_000, 200, 100), 100);
		assert_eq!(subnet_lock_cost(100, 1_000, u64::MAX, 100), 100);
		// Cost rounds up.
		assert_eq!(subnet_lock_cost(0, 10, 1, 3), 17);
		assert_eq!(subnet_lock_cost(7, 1_000, 5, 0), 7);
		assert_eq!(subnet_lock_cost(0, u128::MAX, 0, 1), u128::MAX);
	}

	#[test]
	fn burn_price_decays_and_bumps() {
		let p = params();
		assert_eq!(decayed_price(1_000_000, 0, &p), 1_000_000);
		assert_eq!(decayed_price(1_000_000, 360, &p), 500_000);
		assert_eq!(decayed_price(1_000_000, 720, &p), 250_000);
		// Half a tempo: 1/√2 (0.70710678…), rounded down.
		assert_eq!(decayed_price(1_000_000, 180, &p), 707_106);
		assert_eq!(
			decayed_price(1_000_000, 1_000_000, &p),
			10,
			"clamped to min"
		);
		assert_eq!(bumped_price(1_000_000, &p), 1_260_000);
		assert_eq!(
			bumped_price(999_999_999, &p),
			1_000_000_000,
			"clamped to max"
		);
		assert_eq!(decayed_price(500, 1, &BurnParams { half_life: 0, ..p }), 10);
		assert_eq!(clamp_price(5, 10, 3), 10, "min wins");

		let s = BurnState {
			price: 1_000_000,
			updated_at: 100,
		};
		let (pay, next) = s.register(460, &p);
		assert_eq!(pay, 500_000);
		assert_eq!(
			next,
			BurnState {
				price: 630_000,
				updated_at: 460
			}
		);
		let (pay2, next2) = next.register(460, &p);
		assert_eq!(pay2, 630_000);
		assert_eq!(next2.price, 793_800);
	}

	#[test]
	fn pruning_choice() {
		let n = |uid, emission, registered_at| NeuronInfo {
			uid,
			emission,
			registered_at,
		};
		let neurons = [
			n(0, 50, 0),
			n(1, 5, 9_000),
			n(2, 10, 100),
			n(3, 10, 50),
			n(4, 10, 50),
		];
		// uid 1 is immune at 10_000 (registered 1_000 blocks ago); ties on 10 → oldest (50) →
		// lowest UID.
		assert_eq!(
			prune_candidate(&neurons, 10_000, DEFAULT_IMMUNITY_PERIOD),
			Some(3)
		);
		// Later uid 1 is no longer immune and has the lowest emission.
		assert_eq!(
			prune_candidate(&neurons, 13_096, DEFAULT_IMMUNITY_PERIOD),
			Some(1)
		);
		// Everybody immune: no candidate.
		assert_eq!(
			prune_candidate(&neurons, 100, DEFAULT_IMMUNITY_PERIOD),
			None
		);
		assert_eq!(prune_candidate(&[], 100, 0), None);
	}

	proptest! {
		#[test]
		fn burn_price_bounded_and_monotone(price in 0u128..1u128 << 100, a in 0u64..100_000, b in 0u64..100_000, half_life in 1u64..10_000, min in 0u128..1_000, span in 0u128..1u128 << 90) {
			let p = BurnParams { min, max: min + span, bump: DEFAULT_BURN_BUMP, half_life };
			let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
			let x = decayed_price(price, lo, &p);
			let y = decayed_price(price, hi, &p);
			prop_assert!(x >= y);
			prop_assert!(x >= p.min && x <= p.max);
			let z = bumped_price(x, &p);
			prop_assert!(z >= x && z <= p.max);
		}

		#[test]
		fn decay_composes(price in 0u128..1u128 << 60, a in 0u64..10_000, b in 0u64..10_000, half_life in 1u64..2_000) {
			// Decaying in two steps equals decaying at once, up to rounding (3 units + 2^-60 relative).
			let p = BurnParams { min: 0, max: u128::MAX, bump: DEFAULT_BURN_BUMP, half_life };
			let two = decayed_price(decayed_price(price, a, &p), b, &p);
			let one = decayed_price(price, a + b, &p);
			prop_assert!(one.abs_diff(two) <= 3, "{one} {two}");
		}

		#[test]
		fn lock_cost_bounds(min in 0u128..1u128 << 80, last in 0u128..1u128 << 80, since in any::<u64>(), interval in 1u64..1_000_000) {
			let cost = subnet_lock_cost(min, last, since, interval);
			prop_assert!(cost >= min);
			prop_assert!(cost <= (2 * last).max(min));
			prop_assert!(cost >= subnet_lock_cost(min, last, since.saturating_add(1), interval));
		}

		#[test]
		fn pruned_neuron_is_minimal(neurons in proptest::collection::vec((0u128..5, 0u64..100), 0..30), now in 0u64..200, immunity in 0u64..100) {
			let neurons: Vec<NeuronInfo> = neurons.iter().enumerate().map(|(i, (e, r))| NeuronInfo { uid: i as u16, emission: *e, registered_at: *r }).collect();
			match prune_candidate(&neurons, now, immunity) {
				None => prop_assert!(neurons.iter().all(|n| now.saturating_sub(n.registered_at) < immunity)),
				Some(uid) => {
					let c = neurons[usize::from(uid)];
					prop_assert!(now.saturating_sub(c.registered_at) >= immunity);
					for n in neurons.iter().filter(|n| now.saturating_sub(n.registered_at) >= immunity) {
						prop_assert!((c.emission, c.registered_at, c.uid) <= (n.emission, n.registered_at, n.uid));
					}
				},
			}
		}
	}
}
