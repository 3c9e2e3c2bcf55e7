//! Causal multi-head attention on Flex as one operation, straight from the fused `qkv`
//! projection `[b·t, 3d]` to the heads' concatenated output `[b·t, d]`.
//!
//! Per batch row `b` and head `h` (rayon over `b`; heads in order; every `gemm` single-threaded,
//! so the result does not depend on the thread count):
//!
//! ```text
//! S = scale · Q·Kᵀ            (t × t, a gemm on Q and K read in place with their strides)
//! P = causal softmax rows of S (in place)
//! Y[:, h] = P·V               (written in place into the output's head columns)
//! backward:  dP = dY·Vᵀ;  dS = scale · P ⊙ (dP − rowsum(P ⊙ dP));
//!            dQ = dS·K;  dK = dSᵀ·Q;  dV = Pᵀ·dY   (into the head's columns of d(qkv))
//! ```
//!
//! This replaces the slices, reshapes and transposes (each a copy), the two batched matmuls
//! and the softmax of the burn composition ([`super::reference::causal_attention`]).

// `Err` hands the caller's tensor back (moved, no larger than the `Ok` value) for the fallback.
#![allow(clippy::result_large_err)]

use std::mem::MaybeUninit;
use std::sync::Arc;

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::Flex;
use burn::prelude::*;
use rayon::prelude::*;

use super::flex::{
	contiguous, gemm_general, new_tensor, overwritten, plain_tensor, tracked_tensor, values, Dst,
	Operand, Prim, Tracked,
};
use super::kernels;

/// Shape of one attention call: batch rows, context, heads, model width.
#[derive(Debug, Clone, Copy)]
struct Dims {
	b: usize,
	t: usize,
	h: usize,
	d: usize,
}

impl Dims {
	fn hd(&self) -> usize {
		self.d / self.h
	}
}

/// Runs one single-threaded gemm that overwrites `dst` (row stride `dst_rs`).
fn gemm1(dst: &mut [f32], dst_rs: usize, mnk: [usize; 3], lhs: Operand, rhs: Operand, beta: f32) {
	// SAFETY: `MaybeUninit<f32>` has the layout of `f32`, and an overwriting gemm only stores
	// initialised `f32` values through this view.
	let dst = unsafe { &mut *(dst as *mut [f32] as *mut [MaybeUninit<f32>]) };
	gemm_overwrite(dst, dst_rs, mnk, lhs, rhs, beta);
}

/// Runs one single-threaded gemm that overwrites the (possibly uninitialised) `dst`.
fn gemm_overwrite(
	dst: &mut [MaybeUninit<f32>],
	dst_rs: usize,
	mnk: [usize; 3],
	lhs: Operand,
	rhs: Operand,
	beta: f32,
) {
	let single = gemm::Parallelism::None;
	gemm_general(Dst::Overwrite(dst), dst_rs, mnk, lhs, rhs, beta, single);
}

/// Forward: `(y [b·t, d], p [b, h, t, t])`.
fn forward_values(qkv: &[f32], dims: Dims, scale: f32) -> (Vec<f32>, Vec<f32>) {
	let Dims { t, h, d, .. } = dims;
	let hd = dims.hd();
	let w = 3 * d;
	let mut p = vec![0.0f32; dims.b * h * t * t];
	// Every element of y is written: per batch row, the heads' P·V gemms cover all d columns
	// (h · hd = d) of its t rows.
	let y = overwritten(dims.b * t * d, |y| {
		y.par_chunks_mut(t * d)
			.zip(p.par_chunks_mut(h * t * t))
			.enumerate()
			.for_each(|(bi, (yb, pb))| {
				let rows = &qkv[bi * t * w..(bi + 1) * t * w];
				for (hi, ph) in pb.chunks_mut(t * t).enumerate() {
					let q = Operand::strided(&rows[hi * hd..], w, 1);
					let kt = Operand::strided(&rows[d + hi * hd..], 1, w);
					gemm1(ph, t, [t, t, hd], q, kt, scale);
					kernels::causal_softmax_block(ph, t);
					let v = Operand::strided(&rows[2 * d + hi * hd..], w, 1);
					let ph = Operand::strided(ph, t, 1);
					gemm_overwrite(&mut yb[hi * hd..], d, [t, hd, t], ph, v, 1.0);
				}
			});
	});
	(y, p)
}

/// Backward: `d(qkv) [b·t, 3d]` from `dy [b·t, d]`.
fn backward_values(qkv: &[f32], p: &[f32], dy: &[f32], dims: Dims, scale: f32) -> Vec<f32> {
	let Dims { t, h, d, .. } = dims;
	let hd = dims.hd();
	let w = 3 * d;
	// Every element of d(qkv) is written: per batch row, each head's dQ, dK and dV gemms cover
	// its hd columns of the query, key and value blocks (3 · h · hd = 3d columns) of t rows.
	overwritten(dims.b * t * w, |dqkv| {
		dqkv.par_chunks_mut(t * w).enumerate().for_each(|(bi, gb)| {
			let rows = &qkv[bi * t * w..(bi + 1) * t * w];
			let dyb = &dy[bi * t * d..(bi + 1) * t * d];
			let mut ds = vec![0.0f32; t * t];
			for hi in 0..h {
				let ph = &p[(bi * h + hi) * t * t..(bi * h + hi + 1) * t * t];
				// dP = dY·Vᵀ, then dS in place.
				let dyh = Operand::strided(&dyb[hi * hd..], d, 1);
				let vt = Operand::strided(&rows[2 * d + hi * hd..], 1, w);
				gemm1(&mut ds, t, [t, t, hd], dyh, vt, 1.0);
				kernels::causal_softmax_block_backward(ph, &mut ds, t, scale);
				let mix = [t, hd, t];
				// dQ = dS·K
				let k = Operand::strided(&rows[d + hi * hd..], w, 1);
				let dsm = Operand::strided(&ds, t, 1);
				gemm_overwrite(&mut gb[hi * hd..], w, mix, dsm, k, 1.0);
				// dK = dSᵀ·Q
				let q = Operand::strided(&rows[hi * hd..], w, 1);
				let dst = Operand::strided(&ds, 1, t);
				gemm_overwrite(&mut gb[d + hi * hd..], w, mix, dst, q, 1.0);
				// dV = Pᵀ·dY
				let dyh = Operand::strided(&dyb[hi * hd..], d, 1);
				let pt = Operand::strided(ph, 1, t);
				gemm_overwrite(&mut gb[2 * d + hi * hd..], w, mix, pt, dyh, 1.0);
			}
		});
	})
}

/// Causal attention of `qkv` `[b·t, 3d]` (queries, keys, values side by side) with `heads`
/// heads over rows of `t` positions: `[b·t, d]`.
pub fn causal_attention(qkv: Tensor<2>, t: usize, heads: usize) -> Result<Tensor<2>, Tensor<2>> {
	let [rows, w] = qkv.dims();
	if t == 0 || heads == 0 || rows % t != 0 || w % 3 != 0 || (w / 3) % heads != 0 || rows == 0 {
		return Err(qkv);
	}
	let dims = Dims {
		b: rows / t,
		t,
		h: heads,
		d: w / 3,
	};
	let scale = 1.0 / (dims.hd() as f32).sqrt();
	match Prim::of(qkv) {
		Prim::Plain(x) => {
			let x = contiguous(x);
			let (y, _) = forward_values(values(&x), dims, scale);
			Ok(plain_tensor(new_tensor(y, Shape::new([rows, dims.d]))))
		},
		Prim::Tracked(x) => Ok(tracked_tensor(attention_tracked(x, dims, scale))),
		other => Err(other.into_tensor()),
	}
}

#[derive(Debug)]
struct AttentionBackward;

impl Backward<Flex, 1> for AttentionBackward {
	/// `qkv`, the probabilities, the shape and the scale.
	type State = (FlexTensor, Arc<Vec<f32>>, Dims, f32);

	fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
		let [node] = ops.parents;
		let dy = contiguous(grads.consume::<Flex>(&ops.node));
		let (qkv, p, dims, scale) = ops.state;
		if let Some(node) = node {
			let g = backward_values(values(&qkv), &p, values(&dy), dims, scale);
			let shape = Shape::new([dims.b * dims.t, 3 * dims.d]);
			grads.register::<Flex>(node.id, new_tensor(g, shape));
		}
	}
}

fn attention_tracked(qkv: Tracked, dims: Dims, scale: f32) -> Tracked {
	let (x, node) = qkv.into_parts();
	let x = contiguous(x);
	let (y, p) = forward_values(values(&x), dims, scale);
	let y = new_tensor(y, Shape::new([dims.b * dims.t, dims.d]));
	match AttentionBackward
		.prepare::<NoCheckpointing>([node])
		.compute_bound()
		.stateful()
	{
		OpsKind::Tracked(prep) => prep.finish((x, Arc::new(p), dims, scale), y),
		OpsKind::UnTracked(prep) => prep.finish(y),
	}
}
