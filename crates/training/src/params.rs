//! Host-side named f32 tensors in the model's canonical order.
//!
//! A [`ParamSet`] is what crosses every boundary of the training core: checkpoints, training
//! states, updates and the outer step all work on it, never on backend tensors, so they are
//! backend-independent. Its canonical order is the order of [`crate::model::param_layout`].

/// Name and shape of one parameter tensor; `decay` marks matrices that get weight decay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamSpec {
	/// Stable name, e.g. `blocks.0.attn.qkv.weight`.
	pub name: String,
	/// Shape (row-major).
	pub shape: Vec<usize>,
	/// Whether AdamW's decoupled weight decay applies.
	pub decay: bool,
}

impl ParamSpec {
	/// Number of elements.
	pub fn numel(&self) -> usize {
		self.shape.iter().product()
	}
}

/// One host tensor.
#[derive(Debug, Clone, PartialEq)]
pub struct HostTensor {
	/// Its spec.
	pub spec: ParamSpec,
	/// Row-major values.
	pub data: Vec<f32>,
}

/// Named tensors in canonical order.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSet {
	tensors: Vec<HostTensor>,
}

impl ParamSet {
	/// Builds a set; the caller guarantees each `data.len()` equals its spec's element count.
	pub fn from_tensors(tensors: Vec<HostTensor>) -> Result<Self, String> {
		for t in &tensors {
			if t.data.len() != t.spec.numel() {
				return Err(format!(
					"tensor `{}` has {} values for shape {:?}",
					t.spec.name,
					t.data.len(),
					t.spec.shape
				));
			}
		}
		Ok(Self { tensors })
	}

	/// All-zero tensors of the given layout.
	pub fn zeros(layout: &[ParamSpec]) -> Self {
		Self {
			tensors: layout
				.iter()
				.map(|s| HostTensor {
					spec: s.clone(),
					data: vec![0.0; s.numel()],
				})
				.collect(),
		}
	}

	/// Splits a flat vector (canonical order) into tensors of `layout`.
	pub fn from_flat(layout: &[ParamSpec], flat: &[f32]) -> Result<Self, String> {
		let total: usize = layout.iter().map(ParamSpec::numel).sum();
		if flat.len() != total {
			return Err(format!(
				"flat vector has {} values, layout needs {total}",
				flat.len()
			));
		}
		let mut offset = 0;
		let tensors = layout
			.iter()
			.map(|s| {
				let n = s.numel();
				let t = HostTensor {
					spec: s.clone(),
					data: flat[offset..offset + n].to_vec(),
				};
				offset += n;
				t
			})
			.collect();
		Ok(Self { tensors })
	}

	/// The tensors in canonical order.
	pub fn tensors(&self) -> &[HostTensor] {
		&self.tensors
	}

	/// Mutable access to the tensors (shapes must not change).
	pub fn tensors_mut(&mut self) -> &mut [HostTensor] {
		&mut self.tensors
	}

	/// The layout (specs) in canonical order.
	pub fn layout(&self) -> Vec<ParamSpec> {
		self.tensors.iter().map(|t| t.spec.clone()).collect()
	}

	/// Whether the set has exactly `layout`'s names and shapes, in order.
	pub fn matches_layout(&self, layout: &[ParamSpec]) -> bool {
		self.tensors.len() == layout.len()
			&& self
				.tensors
				.iter()
				.zip(layout)
				.all(|(t, s)| t.spec.name == s.name && t.spec.shape == s.shape)
	}

	/// Total element count.
	pub fn numel(&self) -> usize {
		self.tensors.iter().map(|t| t.data.len()).sum()
	}

	/// All values concatenated in canonical order.
	pub fn to_flat(&self) -> Vec<f32> {
		let mut out = Vec::with_capacity(self.numel());
		for t in &self.tensors {
			out.extend_from_slice(&t.data);
		}
		out
	}

	/// Name of the first tensor that holds a NaN or infinity.
	pub fn first_non_finite(&self) -> Option<&str> {
		self.tensors
			.iter()
			.find(|t| t.data.iter().any(|v| !v.is_finite()))
			.map(|t| t.spec.name.as_str())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn layout() -> Vec<ParamSpec> {
		vec![
			ParamSpec {
				name: "a".into(),
				shape: vec![2, 3],
				decay: true,
			},
			ParamSpec {
				name: "b".into(),
				shape: vec![4],
				decay: false,
			},
		]
	}

	#[test]
	fn flat_round_trip() {
		let flat: Vec<f32> = (0..10).map(|i| i as f32).collect();
		let p = ParamSet::from_flat(&layout(), &flat).unwrap();
		assert_eq!(p.tensors()[1].data, vec![6.0, 7.0, 8.0, 9.0]);
		assert_eq!(p.to_flat(), flat);
		assert!(p.matches_layout(&layout()));
		assert!(ParamSet::from_flat(&layout(), &flat[..9]).is_err());
	}

	#[test]
	fn non_finite_is_found() {
		let mut p = ParamSet::zeros(&layout());
		assert_eq!(p.first_non_finite(), None);
		p.tensors_mut()[1].data[2] = f32::INFINITY;
		assert_eq!(p.first_non_finite(), Some("b"));
	}
}
