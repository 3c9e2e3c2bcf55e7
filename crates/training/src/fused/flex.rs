//! The fused operations on burn's Flex backend: plain Flex tensors run the forward kernel;
//! autodiff Flex tensors (`Autodiff<Flex>`, no gradient checkpointing) record one graph node
//! per operation whose backward runs the fused backward kernel ([`super::kernels`]).
//!
//! Each entry point takes `Tensor`s from burn's dispatch layer and returns `Err` with the
//! inputs unchanged when they are not all f32 Flex tensors of one kind (plain or tracked), so
//! that the caller falls back to the burn composition ([`super::reference`]).

// `Err` hands the caller's tensors back (moved, no larger than the `Ok` value) for the fallback.
#![allow(clippy::result_large_err)]

use std::mem::MaybeUninit;
use std::sync::Arc;

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::{
	Autodiff, BackendTensor, BackendTypes, DType, DispatchAutodiffContext, DispatchTensor,
	DispatchTensorKind, Flex, GradientCheckpointingStrategy, TensorMetadata,
};
use burn::prelude::*;

use super::kernels;

/// An autodiff Flex float tensor.
pub(super) type Tracked = <Autodiff<Flex> as BackendTypes>::FloatTensorPrimitive;

/// A dispatch float tensor split by what the fused path can take.
pub(super) enum Prim {
	/// A plain Flex f32 tensor.
	Plain(FlexTensor),
	/// An autodiff Flex f32 tensor (no gradient checkpointing).
	Tracked(Tracked),
	/// Anything else, unchanged.
	Other(DispatchTensor),
}

impl Prim {
	pub(super) fn of<const D: usize>(t: Tensor<D>) -> Self {
		let d = t.into_dispatch();
		let ok = match (&d.kind, d.autodiff) {
			(
				DispatchTensorKind::Flex(BackendTensor::Float(t)),
				DispatchAutodiffContext::Disabled,
			) => t.dtype() == DType::F32,
			(
				DispatchTensorKind::Autodiff(inner),
				DispatchAutodiffContext::Enabled(GradientCheckpointingStrategy::Disabled),
			) => matches!(&**inner, DispatchTensorKind::Flex(BackendTensor::Autodiff(t))
				if t.primitive().dtype() == DType::F32),
			_ => false,
		};
		if !ok {
			return Prim::Other(d);
		}
		match d.kind {
			DispatchTensorKind::Flex(BackendTensor::Float(t)) => Prim::Plain(t),
			DispatchTensorKind::Autodiff(inner) => match *inner {
				DispatchTensorKind::Flex(BackendTensor::Autodiff(t)) => Prim::Tracked(t),
				kind => Prim::Other(DispatchTensor {
					kind: DispatchTensorKind::Autodiff(Box::new(kind)),
					autodiff: d.autodiff,
				}),
			},
			kind => Prim::Other(DispatchTensor {
				kind,
				autodiff: d.autodiff,
			}),
		}
	}

	pub(super) fn into_tensor<const D: usize>(self) -> Tensor<D> {
		Tensor::from_dispatch(match self {
			Prim::Plain(t) => DispatchTensor {
				kind: DispatchTensorKind::Flex(BackendTensor::Float(t)),
				autodiff: DispatchAutodiffContext::Disabled,
			},
			Prim::Tracked(t) => tracked_dispatch(t),
			Prim::Other(d) => d,
		})
	}
}

/// Whether `t` is an f32 Flex tensor the fused kernels take (plain or tracked).
pub fn takes<const D: usize>(t: &Tensor<D>) -> bool {
	!matches!(Prim::of(t.clone()), Prim::Other(_))
}

fn tracked_dispatch(t: Tracked) -> DispatchTensor {
	DispatchTensor {
		kind: DispatchTensorKind::Autodiff(Box::new(DispatchTensorKind::Flex(
			BackendTensor::Autodiff(t),
		))),
		autodiff: DispatchAutodiffContext::Enabled(GradientCheckpointingStrategy::Disabled),
	}
}

pub(super) fn plain_tensor<const D: usize>(t: FlexTensor) -> Tensor<D> {
	Prim::Plain(t).into_tensor()
}

pub(super) fn tracked_tensor<const D: usize>(t: Tracked) -> Tensor<D> {
	Tensor::from_dispatch(tracked_dispatch(t))
}

/// `t` with a contiguous f32 buffer.
pub(super) fn contiguous(t: FlexTensor) -> FlexTensor {
	if t.as_slice::<f32>().is_some() {
		t
	} else {
		t.to_contiguous()
	}
}

/// The values of a tensor made by [`contiguous`] (or by [`new_tensor`]).
pub(super) fn values(t: &FlexTensor) -> &[f32] {
	// Invariant: every tensor passed here went through `contiguous` and is f32 (checked in
	// `Prim::of`, and gradients have their tensor's dtype).
	t.as_slice::<f32>()
		.expect("fused op: contiguous f32 tensor")
}

pub(super) fn new_tensor(values: Vec<f32>, shape: Shape) -> FlexTensor {
	FlexTensor::from_data(TensorData::new(values, shape))
}

pub(super) fn shape_of(t: &FlexTensor) -> Shape {
	t.shape()
}

// ---------------------------------------------------------------------------------------------
// Layer norm

/// Layer norm of `x` `[n, d]` with `gamma`, `beta` `[1, d]`.
pub fn layer_norm(
	x: Tensor<2>,
	gamma: &Tensor<2>,
	beta: &Tensor<2>,
	eps: f32,
) -> Result<Tensor<2>, Tensor<2>> {
	match (Prim::of(x), Prim::of(gamma.clone()), Prim::of(beta.clone())) {
		(Prim::Plain(x), Prim::Plain(g), Prim::Plain(b)) => {
			let (x, g, b) = (contiguous(x), contiguous(g), contiguous(b));
			let d = values(&g).len();
			let (y, _, _) = kernels::layer_norm_forward(values(&x), values(&g), values(&b), d, eps);
			Ok(plain_tensor(new_tensor(y, shape_of(&x))))
		},
		(Prim::Tracked(x), Prim::Tracked(g), Prim::Tracked(b)) => {
			Ok(tracked_tensor(layer_norm_tracked(x, g, b, eps)))
		},
		(x, _, _) => Err(x.into_tensor()),
	}
}

#[derive(Debug)]
struct LayerNormBackward;

type LayerNormState = (FlexTensor, FlexTensor, Arc<(Vec<f32>, Vec<f32>)>);

impl Backward<Flex, 3> for LayerNormBackward {
	type State = LayerNormState;

	fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
		let [node_x, node_g, node_b] = ops.parents;
		let dy = contiguous(grads.consume::<Flex>(&ops.node));
		let (x, gamma, stats) = ops.state;
		let d = values(&gamma).len();
		let (dx, dg, db) = kernels::layer_norm_backward(
			values(&x),
			values(&gamma),
			&stats.0,
			&stats.1,
			values(&dy),
			d,
		);
		if let Some(node) = node_x {
			grads.register::<Flex>(node.id, new_tensor(dx, shape_of(&x)));
		}
		if let Some(node) = node_g {
			grads.register::<Flex>(node.id, new_tensor(dg, shape_of(&gamma)));
		}
		if let Some(node) = node_b {
			grads.register::<Flex>(node.id, new_tensor(db, shape_of(&gamma)));
		}
	}
}

fn layer_norm_tracked(x: Tracked, gamma: Tracked, beta: Tracked, eps: f32) -> Tracked {
	let (x, nx) = x.into_parts();
	let (g, ng) = gamma.into_parts();
	let (b, nb) = beta.into_parts();
	let (x, g, b) = (contiguous(x), contiguous(g), contiguous(b));
	let d = values(&g).len();
	let (y, mean, rstd) = kernels::layer_norm_forward(values(&x), values(&g), values(&b), d, eps);
	let out = new_tensor(y, shape_of(&x));
	match LayerNormBackward
		.prepare::<NoCheckpointing>([nx, ng, nb])
		.compute_bound()
		.stateful()
	{
		OpsKind::Tracked(prep) => prep.finish((x, g, Arc::new((mean, rstd))), out),
		OpsKind::UnTracked(prep) => prep.finish(out),
	}
}

// ---------------------------------------------------------------------------------------------
// Causal softmax

/// Causal softmax of `scale · scores` over the last dimension of `[b, h, t, t]`.
pub fn causal_softmax(scores: Tensor<4>, scale: f32) -> Result<Tensor<4>, Tensor<4>> {
	let [_, _, t, t2] = scores.dims();
	if t != t2 {
		return Err(scores);
	}
	match Prim::of(scores) {
		Prim::Plain(s) => {
			let s = contiguous(s);
			let y = kernels::causal_softmax_forward(values(&s), t, scale);
			Ok(plain_tensor(new_tensor(y, shape_of(&s))))
		},
		Prim::Tracked(s) => Ok(tracked_tensor(causal_softmax_tracked(s, t, scale))),
		other => Err(other.into_tensor()),
	}
}

#[derive(Debug)]
struct CausalSoftmaxBackward;

impl Backward<Flex, 1> for CausalSoftmaxBackward {
	/// The output `y`, the row length and the scale.
	type State = (FlexTensor, usize, f32);

	fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
		let [node_s] = ops.parents;
		let dy = contiguous(grads.consume::<Flex>(&ops.node));
		let (y, t, scale) = ops.state;
		if let Some(node) = node_s {
			let ds = kernels::causal_softmax_backward(values(&y), values(&dy), t, scale);
			grads.register::<Flex>(node.id, new_tensor(ds, shape_of(&y)));
		}
	}
}

fn causal_softmax_tracked(s: Tracked, t: usize, scale: f32) -> Tracked {
	let (s, ns) = s.into_parts();
	let s = contiguous(s);
	let y = new_tensor(
		kernels::causal_softmax_forward(values(&s), t, scale),
		shape_of(&s),
	);
	match CausalSoftmaxBackward
		.prepare::<NoCheckpointing>([ns])
		.compute_bound()
		.stateful()
	{
		OpsKind::Tracked(prep) => prep.finish((y.clone(), t, scale), y),
		OpsKind::UnTracked(prep) => prep.finish(y),
	}
}

// ---------------------------------------------------------------------------------------------
// Bias + GELU

/// `gelu(z + bias)` for `z` `[n, f]`, `bias` `[1, f]`.
pub fn bias_gelu(z: Tensor<2>, bias: &Tensor<2>) -> Result<Tensor<2>, Tensor<2>> {
	match (Prim::of(z), Prim::of(bias.clone())) {
		(Prim::Plain(z), Prim::Plain(b)) => {
			let (z, b) = (contiguous(z), contiguous(b));
			let y = kernels::bias_gelu_forward(values(&z), values(&b));
			Ok(plain_tensor(new_tensor(y, shape_of(&z))))
		},
		(Prim::Tracked(z), Prim::Tracked(b)) => Ok(tracked_tensor(bias_gelu_tracked(z, b))),
		(z, _) => Err(z.into_tensor()),
	}
}

#[derive(Debug)]
struct BiasGeluBackward;

impl Backward<Flex, 2> for BiasGeluBackward {
	/// The inputs `z` and `bias`.
	type State = (FlexTensor, FlexTensor);

	fn backward(self, ops: Ops<Self::State, 2>, grads: &mut Gradients, _: &mut Checkpointer) {
		let [node_z, node_b] = ops.parents;
		let dy = contiguous(grads.consume::<Flex>(&ops.node));
		let (z, b) = ops.state;
		let (dz, db) = kernels::bias_gelu_backward(values(&z), values(&b), values(&dy));
		if let Some(node) = node_z {
			grads.register::<Flex>(node.id, new_tensor(dz, shape_of(&z)));
		}
		if let Some(node) = node_b {
			grads.register::<Flex>(node.id, new_tensor(db, shape_of(&b)));
		}
	}
}

fn bias_gelu_tracked(z: Tracked, bias: Tracked) -> Tracked {
	let (z, nz) = z.into_parts();
	let (b, nb) = bias.into_parts();
	let (z, b) = (contiguous(z), contiguous(b));
	let y = new_tensor(
		kernels::bias_gelu_forward(values(&z), values(&b)),
		shape_of(&z),
	);
	match BiasGeluBackward
		.prepare::<NoCheckpointing>([nz, nb])
		.compute_bound()
		.stateful()
	{
		OpsKind::Tracked(prep) => prep.finish((z, b), y),
		OpsKind::UnTracked(prep) => prep.finish(y),
	}
}

// ---------------------------------------------------------------------------------------------
// Cross-entropy

/// Mean cross-entropy of `logits` `[n, v]` against `targets` (`n` values), a `[1]` tensor.
pub fn cross_entropy(logits: Tensor<2>, targets: Vec<i64>) -> Result<Tensor<1>, Tensor<2>> {
	let [n, _] = logits.dims();
	if n != targets.len() || n == 0 {
		return Err(logits);
	}
	match Prim::of(logits) {
		Prim::Plain(z) => {
			let z = contiguous(z);
			let v = shape_of(&z).num_elements() / n;
			let (_, loss) = kernels::cross_entropy_forward(values(&z), &targets, v);
			Ok(plain_tensor(new_tensor(vec![loss], Shape::new([1]))))
		},
		Prim::Tracked(z) => Ok(tracked_tensor(cross_entropy_tracked(z, targets))),
		other => Err(other.into_tensor()),
	}
}

#[derive(Debug)]
struct CrossEntropyBackward;

impl Backward<Flex, 1> for CrossEntropyBackward {
	/// The logits, each row's log-sum-exp and the targets.
	type State = (FlexTensor, Arc<Vec<f32>>, Arc<Vec<i64>>);

	fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
		let [node_z] = ops.parents;
		let g = contiguous(grads.consume::<Flex>(&ops.node));
		let (z, lse, targets) = ops.state;
		if let Some(node) = node_z {
			let g = values(&g).first().copied().unwrap_or(0.0);
			let v = values(&z).len() / targets.len();
			let dz = kernels::cross_entropy_backward(values(&z), &lse, &targets, v, g);
			grads.register::<Flex>(node.id, new_tensor(dz, shape_of(&z)));
		}
	}
}

fn cross_entropy_tracked(z: Tracked, targets: Vec<i64>) -> Tracked {
	let (z, nz) = z.into_parts();
	let z = contiguous(z);
	let v = values(&z).len() / targets.len();
	let (lse, loss) = kernels::cross_entropy_forward(values(&z), &targets, v);
	let out = new_tensor(vec![loss], Shape::new([1]));
	match CrossEntropyBackward
		.prepare::<NoCheckpointing>([nz])
		.compute_bound()
		.stateful()
	{
		OpsKind::Tracked(prep) => prep.finish((z, Arc::new(lse), Arc::new(targets)), out),
		OpsKind::UnTracked(prep) => prep.finish(out),
	}
}

// ---------------------------------------------------------------------------------------------
// AdamW

/// Plain Flex tensors `(θ, g, m, v)`, or all four back.
pub type AdamWInputs = (Tensor<2>, Tensor<2>, Tensor<2>, Tensor<2>);

/// One AdamW step on plain Flex tensors: `(θ', m', v')`.
pub fn adamw(
	inputs: AdamWInputs,
	s: &kernels::AdamWScalars,
) -> Result<(Tensor<2>, Tensor<2>, Tensor<2>), AdamWInputs> {
	let (theta, grad, m, v) = inputs;
	match (Prim::of(theta), Prim::of(grad), Prim::of(m), Prim::of(v)) {
		(Prim::Plain(theta), Prim::Plain(grad), Prim::Plain(m), Prim::Plain(v)) => {
			let (theta, grad, m, v) = (
				contiguous(theta),
				contiguous(grad),
				contiguous(m),
				contiguous(v),
			);
			let n = values(&theta).len();
			if [&grad, &m, &v].iter().any(|t| values(t).len() != n) {
				return Err((
					plain_tensor(theta),
					plain_tensor(grad),
					plain_tensor(m),
					plain_tensor(v),
				));
			}
			let shape = shape_of(&theta);
			let (t1, m1, v1) =
				kernels::adamw(values(&theta), values(&grad), values(&m), values(&v), s);
			Ok((
				plain_tensor(new_tensor(t1, shape.clone())),
				plain_tensor(new_tensor(m1, shape.clone())),
				plain_tensor(new_tensor(v1, shape)),
			))
		},
		(theta, grad, m, v) => Err((
			theta.into_tensor(),
			grad.into_tensor(),
			m.into_tensor(),
			v.into_tensor(),
		)),
	}
}

// ---------------------------------------------------------------------------------------------
// Linear layer: y = x·W + b

/// `gemm` threads above this many multiply-adds (the threshold burn's Flex uses).
const GEMM_PARALLEL_THRESHOLD: usize = 192 * 192 * 192;

fn parallelism(m: usize, n: usize, k: usize) -> gemm::Parallelism {
	if m.saturating_mul(n).saturating_mul(k) >= GEMM_PARALLEL_THRESHOLD {
		gemm::Parallelism::Rayon(0)
	} else {
		gemm::Parallelism::None
	}
}

/// A row-major matrix operand of `gemm`: its values and (column, row) strides.
pub(super) struct Operand<'a> {
	values: &'a [f32],
	col_stride: isize,
	row_stride: isize,
}

impl<'a> Operand<'a> {
	/// The matrix whose element `(i, j)` is `values[i·row_stride + j·col_stride]`.
	pub(super) fn strided(values: &'a [f32], row_stride: usize, col_stride: usize) -> Self {
		Self {
			values,
			col_stride: col_stride as isize,
			row_stride: row_stride as isize,
		}
	}

	/// The row-major `[rows, cols]` matrix `values`.
	fn plain(values: &'a [f32], cols: usize) -> Self {
		Self {
			values,
			col_stride: 1,
			row_stride: cols as isize,
		}
	}

	/// The transpose of the row-major `[rows, cols]` matrix `values`.
	fn transposed(values: &'a [f32], cols: usize) -> Self {
		Self {
			values,
			col_stride: cols as isize,
			row_stride: 1,
		}
	}
}

/// Where a `gemm` writes.
pub(super) enum Dst<'a> {
	/// Adds the product to these values.
	Accumulate(&'a mut [f32]),
	/// Overwrites every addressed element without reading it (so it may be uninitialised).
	Overwrite(&'a mut [MaybeUninit<f32>]),
}

/// A vector of `len` values written by `fill`, which must write every one of them (through
/// [`Dst::Overwrite`] gemms that together cover the whole buffer).
pub(super) fn overwritten(len: usize, fill: impl FnOnce(&mut [MaybeUninit<f32>])) -> Vec<f32> {
	let mut v: Vec<f32> = Vec::with_capacity(len);
	fill(&mut v.spare_capacity_mut()[..len]);
	// SAFETY: every caller's `fill` writes all `len` elements (documented at each call).
	unsafe { v.set_len(len) };
	v
}

/// A new row-major `[m, n]` matrix `lhs [m, k] · rhs [k, n]`.
pub(super) fn gemm_new(m: usize, n: usize, k: usize, lhs: Operand, rhs: Operand) -> Vec<f32> {
	// One `Overwrite` gemm over the whole `[m, n]` buffer writes every element.
	overwritten(m * n, |out| {
		gemm_into(Dst::Overwrite(out), m, n, k, lhs, rhs)
	})
}

/// `dst [m, n] (row-major) += / = lhs [m, k] · rhs [k, n]`.
pub(super) fn gemm_into(dst: Dst, m: usize, n: usize, k: usize, lhs: Operand, rhs: Operand) {
	let len = match &dst {
		Dst::Accumulate(d) => d.len(),
		Dst::Overwrite(d) => d.len(),
	};
	assert!(len == m * n, "fused gemm: output size");
	gemm_general(dst, n, [m, n, k], lhs, rhs, 1.0, parallelism(m, n, k));
}

/// `dst (+)= beta · lhs [m, k] · rhs [k, n]`, where `dst`'s element `(i, j)` is
/// `dst[i·dst_row_stride + j]`; every such element is written.
pub(super) fn gemm_general(
	dst: Dst,
	dst_row_stride: usize,
	[m, n, k]: [usize; 3],
	lhs: Operand,
	rhs: Operand,
	beta: f32,
	parallelism: gemm::Parallelism,
) {
	let fits = |o: &Operand, rows: usize, cols: usize| {
		rows == 0
			|| cols == 0
			|| (rows - 1) * (o.row_stride as usize) + (cols - 1) * (o.col_stride as usize)
				< o.values.len()
	};
	let (dst_ptr, dst_len, read_dst) = match dst {
		Dst::Accumulate(d) => (d.as_mut_ptr(), d.len(), true),
		Dst::Overwrite(d) => (d.as_mut_ptr().cast::<f32>(), d.len(), false),
	};
	let dst_fits = m == 0 || n == 0 || (m - 1) * dst_row_stride + (n - 1) < dst_len;
	assert!(
		dst_fits && n <= dst_row_stride.max(1) && fits(&lhs, m, k) && fits(&rhs, k, n),
		"fused gemm: operand sizes"
	);
	// SAFETY: the three buffers hold every element the strides address (checked above), `dst`
	// is exclusively borrowed and does not overlap the shared inputs; an `Overwrite` buffer is
	// only written (`read_dst` false).
	unsafe {
		gemm::gemm(
			m,
			n,
			k,
			dst_ptr,
			1,
			dst_row_stride as isize,
			read_dst,
			lhs.values.as_ptr(),
			lhs.col_stride,
			lhs.row_stride,
			rhs.values.as_ptr(),
			rhs.col_stride,
			rhs.row_stride,
			1.0f32,
			beta,
			false,
			false,
			false,
			parallelism,
		);
	}
}

/// `x·W + b` on host slices: `x` `[n, k]`, `w` `[k, m]`, `b` `[m]`.
fn linear_values(x: &[f32], w: &[f32], b: &[f32], k: usize) -> Vec<f32> {
	let m = b.len();
	let n = x.len() / k;
	// The output starts as the bias rows; gemm adds the product to it (one rounding, as `+`).
	let mut y: Vec<f32> = Vec::with_capacity(n * m);
	for _ in 0..n {
		y.extend_from_slice(b);
	}
	gemm_into(
		Dst::Accumulate(&mut y),
		n,
		m,
		k,
		Operand::plain(x, k),
		Operand::plain(w, m),
	);
	y
}

/// `[n, k, m]` of a product `x [n, k] · w [k, m] + b [1, m]` the fused kernels take: shapes that
/// agree and no empty dimension; `None` sends the caller back to the burn composition.
fn linear_dims(x: &Tensor<2>, w: &Tensor<2>, b: &Tensor<2>) -> Option<[usize; 3]> {
	let ([n, k], [k2, m], [one, m2]) = (x.dims(), w.dims(), b.dims());
	(k == k2 && m == m2 && one == 1 && n > 0 && k > 0 && m > 0).then_some([n, k, m])
}

/// `x·W + b` for `x` `[n, k]`, `w` `[k, m]`, `b` `[1, m]`.
pub fn linear(x: Tensor<2>, w: &Tensor<2>, b: &Tensor<2>) -> Result<Tensor<2>, Tensor<2>> {
	let Some([n, k, m]) = linear_dims(&x, w, b) else {
		return Err(x);
	};
	match (Prim::of(x), Prim::of(w.clone()), Prim::of(b.clone())) {
		(Prim::Plain(x), Prim::Plain(w), Prim::Plain(b)) => {
			let (x, w, b) = (contiguous(x), contiguous(w), contiguous(b));
			let y = linear_values(values(&x), values(&w), values(&b), k);
			Ok(plain_tensor(new_tensor(y, Shape::new([n, m]))))
		},
		(Prim::Tracked(x), Prim::Tracked(w), Prim::Tracked(b)) => {
			Ok(tracked_tensor(linear_tracked(x, w, b, k)))
		},
		(x, _, _) => Err(x.into_tensor()),
	}
}

#[derive(Debug)]
struct LinearBackward;

impl Backward<Flex, 3> for LinearBackward {
	/// The inputs `x` and `W`.
	type State = (FlexTensor, FlexTensor);

	fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
		let [node_x, node_w, node_b] = ops.parents;
		let dy = contiguous(grads.consume::<Flex>(&ops.node));
		let (x, w) = ops.state;
		let ([n, k], [_, m]) = (dims2(&x), dims2(&w));
		let dyv = values(&dy);
		if let Some(node) = node_x {
			// dx [n, k] = dy [n, m] · Wᵀ [m, k]
			let dx = gemm_new(
				n,
				k,
				m,
				Operand::plain(dyv, m),
				Operand::transposed(values(&w), m),
			);
			grads.register::<Flex>(node.id, new_tensor(dx, Shape::new([n, k])));
		}
		if let Some(node) = node_w {
			// dW [k, m] = xᵀ [k, n] · dy [n, m]
			let dw = gemm_new(
				k,
				m,
				n,
				Operand::transposed(values(&x), k),
				Operand::plain(dyv, m),
			);
			grads.register::<Flex>(node.id, new_tensor(dw, Shape::new([k, m])));
		}
		if let Some(node) = node_b {
			let db = kernels::column_sums(dyv, m);
			grads.register::<Flex>(node.id, new_tensor(db, Shape::new([1, m])));
		}
	}
}

pub(super) fn dims2(t: &FlexTensor) -> [usize; 2] {
	let shape = shape_of(t);
	[shape[0], shape[1]]
}

fn linear_tracked(x: Tracked, w: Tracked, b: Tracked, k: usize) -> Tracked {
	let (x, nx) = x.into_parts();
	let (w, nw) = w.into_parts();
	let (b, nb) = b.into_parts();
	let (x, w, b) = (contiguous(x), contiguous(w), contiguous(b));
	let m = values(&b).len();
	let n = values(&x).len() / k;
	let y = new_tensor(
		linear_values(values(&x), values(&w), values(&b), k),
		Shape::new([n, m]),
	);
	match LinearBackward
		.prepare::<NoCheckpointing>([nx, nw, nb])
		.compute_bound()
		.stateful()
	{
		OpsKind::Tracked(prep) => prep.finish((x, w), y),
		OpsKind::UnTracked(prep) => prep.finish(y),
	}
}

// ---------------------------------------------------------------------------------------------
// Linear layer into GELU: y = gelu(x·W + b)

/// `gelu(x·W + b)` for `x` `[n, k]`, `w` `[k, m]`, `b` `[1, m]`.
pub fn linear_gelu(x: Tensor<2>, w: &Tensor<2>, b: &Tensor<2>) -> Result<Tensor<2>, Tensor<2>> {
	let Some([n, k, m]) = linear_dims(&x, w, b) else {
		return Err(x);
	};
	match (Prim::of(x), Prim::of(w.clone()), Prim::of(b.clone())) {
		(Prim::Plain(x), Prim::Plain(w), Prim::Plain(b)) => {
			let (x, w, b) = (contiguous(x), contiguous(w), contiguous(b));
			let z = product(values(&x), values(&w), n, k, m);
			let y = kernels::bias_gelu_forward(&z, values(&b));
			Ok(plain_tensor(new_tensor(y, Shape::new([n, m]))))
		},
		(Prim::Tracked(x), Prim::Tracked(w), Prim::Tracked(b)) => {
			Ok(tracked_tensor(linear_gelu_tracked(x, w, b, [n, k, m])))
		},
		(x, _, _) => Err(x.into_tensor()),
	}
}

/// `x [n, k] · w [k, m]`.
fn product(x: &[f32], w: &[f32], n: usize, k: usize, m: usize) -> Vec<f32> {
	gemm_new(n, m, k, Operand::plain(x, k), Operand::plain(w, m))
}

#[derive(Debug)]
struct LinearGeluBackward;

impl Backward<Flex, 3> for LinearGeluBackward {
	/// `x`, `W` and GELU's derivative at `x·W + b`.
	type State = (FlexTensor, FlexTensor, Arc<Vec<f32>>);

	fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
		let [node_x, node_w, node_b] = ops.parents;
		let dy = contiguous(grads.consume::<Flex>(&ops.node));
		let (x, w, dydu) = ops.state;
		let ([n, k], [_, m]) = (dims2(&x), dims2(&w));
		// dz = dy ⊙ gelu'(x·W + b), db = Σ_rows dz
		let (dz, db) = kernels::gelu_backward_from_derivative(&dydu, values(&dy), m);
		if let Some(node) = node_x {
			let dx = gemm_new(
				n,
				k,
				m,
				Operand::plain(&dz, m),
				Operand::transposed(values(&w), m),
			);
			grads.register::<Flex>(node.id, new_tensor(dx, Shape::new([n, k])));
		}
		if let Some(node) = node_w {
			let dw = gemm_new(
				k,
				m,
				n,
				Operand::transposed(values(&x), k),
				Operand::plain(&dz, m),
			);
			grads.register::<Flex>(node.id, new_tensor(dw, Shape::new([k, m])));
		}
		if let Some(node) = node_b {
			grads.register::<Flex>(node.id, new_tensor(db, Shape::new([1, m])));
		}
	}
}

fn linear_gelu_tracked(x: Tracked, w: Tracked, b: Tracked, [n, k, m]: [usize; 3]) -> Tracked {
	let (x, nx) = x.into_parts();
	let (w, nw) = w.into_parts();
	let (b, nb) = b.into_parts();
	let (x, w, b) = (contiguous(x), contiguous(w), contiguous(b));
	let z = product(values(&x), values(&w), n, k, m);
	let (y, dydu) = kernels::bias_gelu_forward_with_derivative(&z, values(&b));
	drop(z);
	let y = new_tensor(y, Shape::new([n, m]));
	match LinearGeluBackward
		.prepare::<NoCheckpointing>([nx, nw, nb])
		.compute_bound()
		.stateful()
	{
		OpsKind::Tracked(prep) => prep.finish((x, w, Arc::new(dydu)), y),
		OpsKind::UnTracked(prep) => prep.finish(y),
	}
}
