//! Merkle commitment over a round's state hashes, with inclusion proofs (SPEC §6.2).
//!
//! Leaves are the state hashes at steps `0, c, 2c, …, H` (leaf `i` is the state after `i·c`
//! steps). With BLAKE3 and one-byte domain tags:
//!
//! ```text
//! leaf_i      = BLAKE3(0x00 ‖ i as u64 LE ‖ state_hash_i)
//! node(l, r)  = BLAKE3(0x01 ‖ l ‖ r)
//! level k+1   = pairs of level k hashed with `node`; an odd last node moves up unchanged
//! root        = BLAKE3(0x02 ‖ n_leaves as u64 LE ‖ top)
//! ```
//!
//! Binding the leaf index and the leaf count into the hashes means a proof for one position
//! can never verify at another, and a tree of a different size has a different root.

use crate::state::Hash32;

/// An inclusion proof for one leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerkleProof {
	/// Leaf position.
	pub index: u64,
	/// Number of leaves of the tree.
	pub n_leaves: u64,
	/// Sibling hashes from the bottom level up (levels where the node had no sibling are
	/// skipped).
	pub siblings: Vec<Hash32>,
}

/// A Merkle tree over state hashes.
#[derive(Debug, Clone)]
pub struct MerkleTree {
	levels: Vec<Vec<Hash32>>,
	root: Hash32,
}

/// Leaf hash of `state_hash` at position `index`.
pub fn leaf_hash(index: u64, state_hash: &Hash32) -> Hash32 {
	let mut h = blake3::Hasher::new();
	h.update(&[0x00]);
	h.update(&index.to_le_bytes());
	h.update(state_hash);
	*h.finalize().as_bytes()
}

fn node_hash(l: &Hash32, r: &Hash32) -> Hash32 {
	let mut h = blake3::Hasher::new();
	h.update(&[0x01]);
	h.update(l);
	h.update(r);
	*h.finalize().as_bytes()
}

fn root_hash(n_leaves: u64, top: &Hash32) -> Hash32 {
	let mut h = blake3::Hasher::new();
	h.update(&[0x02]);
	h.update(&n_leaves.to_le_bytes());
	h.update(top);
	*h.finalize().as_bytes()
}

impl MerkleTree {
	/// Builds the tree; `None` for zero leaves.
	pub fn new(state_hashes: &[Hash32]) -> Option<Self> {
		if state_hashes.is_empty() {
			return None;
		}
		let mut levels = vec![state_hashes
			.iter()
			.enumerate()
			.map(|(i, s)| leaf_hash(i as u64, s))
			.collect::<Vec<_>>()];
		while levels.last().map_or(0, Vec::len) > 1 {
			let prev = levels.last()?;
			let next = prev
				.chunks(2)
				.map(|p| match p {
					[l, r] => node_hash(l, r),
					// `chunks(2)` never yields an empty slice: an odd last node moves up.
					_ => p[0],
				})
				.collect();
			levels.push(next);
		}
		let top = *levels.last()?.first()?;
		let root = root_hash(state_hashes.len() as u64, &top);
		Some(Self { levels, root })
	}

	/// The root committed on chain.
	pub fn root(&self) -> Hash32 {
		self.root
	}

	/// Number of leaves.
	pub fn len(&self) -> usize {
		self.levels[0].len()
	}

	/// Always false (a tree has at least one leaf).
	pub fn is_empty(&self) -> bool {
		false
	}

	/// Proof for leaf `index`, or `None` if out of range.
	pub fn proof(&self, index: usize) -> Option<MerkleProof> {
		if index >= self.len() {
			return None;
		}
		let mut siblings = Vec::new();
		let mut i = index;
		for level in &self.levels[..self.levels.len() - 1] {
			let sib = i ^ 1;
			if sib < level.len() {
				siblings.push(level[sib]);
			}
			i /= 2;
		}
		Some(MerkleProof {
			index: index as u64,
			n_leaves: self.len() as u64,
			siblings,
		})
	}
}

/// Whether `state_hash` sits at `proof.index` of the tree committed by `root`.
pub fn verify(root: &Hash32, state_hash: &Hash32, proof: &MerkleProof) -> bool {
	if proof.n_leaves == 0 || proof.index >= proof.n_leaves {
		return false;
	}
	let mut acc = leaf_hash(proof.index, state_hash);
	let mut i = proof.index;
	let mut width = proof.n_leaves;
	let mut sibs = proof.siblings.iter();
	while width > 1 {
		let sib = i ^ 1;
		if sib < width {
			let Some(s) = sibs.next() else {
				return false;
			};
			acc = if i.is_multiple_of(2) {
				node_hash(&acc, s)
			} else {
				node_hash(s, &acc)
			};
		}
		i /= 2;
		width = width.div_ceil(2);
	}
	sibs.next().is_none() && root_hash(proof.n_leaves, &acc) == *root
}

#[cfg(test)]
mod tests {
	use super::*;

	fn hashes(n: usize) -> Vec<Hash32> {
		(0..n)
			.map(|i| *blake3::hash(&[i as u8]).as_bytes())
			.collect()
	}

	#[test]
	fn every_leaf_verifies_for_many_sizes() {
		for n in 1..=17 {
			let hs = hashes(n);
			let t = MerkleTree::new(&hs).unwrap();
			for (i, h) in hs.iter().enumerate() {
				let p = t.proof(i).unwrap();
				assert!(verify(&t.root(), h, &p), "n={n} i={i}");
			}
			assert!(t.proof(n).is_none());
		}
		assert!(MerkleTree::new(&[]).is_none());
	}

	#[test]
	fn wrong_leaf_position_or_root_fails() {
		let hs = hashes(6);
		let t = MerkleTree::new(&hs).unwrap();
		let p = t.proof(2).unwrap();
		assert!(!verify(&t.root(), &hs[3], &p));
		let mut moved = p.clone();
		moved.index = 3;
		assert!(!verify(&t.root(), &hs[2], &moved));
		let mut short = p.clone();
		short.siblings.pop();
		assert!(!verify(&t.root(), &hs[2], &short));
		let mut long = p.clone();
		long.siblings.push([0; 32]);
		assert!(!verify(&t.root(), &hs[2], &long));
		let mut resized = p.clone();
		resized.n_leaves = 7;
		assert!(!verify(&t.root(), &hs[2], &resized));
		let other = MerkleTree::new(&hashes(5)).unwrap();
		assert_ne!(other.root(), t.root());
		assert!(!verify(&other.root(), &hs[2], &p));
	}

	#[test]
	fn root_depends_on_order_and_count() {
		let mut hs = hashes(4);
		let a = MerkleTree::new(&hs).unwrap().root();
		hs.swap(0, 1);
		assert_ne!(a, MerkleTree::new(&hs).unwrap().root());
		// A single promoted node must not equal a tree without it.
		let three = MerkleTree::new(&hashes(3)).unwrap().root();
		let two = MerkleTree::new(&hashes(2)).unwrap().root();
		assert_ne!(three, two);
	}
}
