//! Content-addressed model checkpoints in a documented, versioned safetensors layout.
//!
//! Format `arena-checkpoint/1`: a safetensors file whose `__metadata__` is exactly
//! `{"format": "arena-checkpoint/1"}` and whose tensors are F32, little-endian:
//!
//! * `param/<name>` for every entry of [`crate::model::param_layout`] (true shapes);
//! * optionally `outer_momentum/<name>` for every parameter (the outer Nesterov buffer,
//!   absent in the genesis checkpoint, where it is zero).
//!
//! safetensors orders tensors by dtype then name and the metadata has one key, so encoding is
//! deterministic. A checkpoint is addressed by `BLAKE3(file bytes)` ([`Checkpoint::hash`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};

use crate::error::CheckpointError;
use crate::params::{HostTensor, ParamSet, ParamSpec};
use crate::state::Hash32;

/// Format tag stored in the safetensors metadata.
pub const CHECKPOINT_FORMAT: &str = "arena-checkpoint/1";

/// Global model state between rounds.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
	/// Model parameters.
	pub params: ParamSet,
	/// Outer Nesterov momentum buffer (`None` = zero).
	pub outer_momentum: Option<ParamSet>,
}

impl Checkpoint {
	/// A checkpoint with zero outer momentum.
	pub fn new(params: ParamSet) -> Self {
		Self {
			params,
			outer_momentum: None,
		}
	}

	/// Encodes as `arena-checkpoint/1` safetensors bytes.
	pub fn to_bytes(&self) -> Result<Vec<u8>, CheckpointError> {
		let mut raw: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
		let mut push = |prefix: &str, set: &ParamSet| {
			for t in set.tensors() {
				let mut bytes = Vec::with_capacity(t.data.len() * 4);
				for v in &t.data {
					bytes.extend_from_slice(&v.to_le_bytes());
				}
				raw.push((
					format!("{prefix}/{}", t.spec.name),
					t.spec.shape.clone(),
					bytes,
				));
			}
		};
		push("param", &self.params);
		if let Some(m) = &self.outer_momentum {
			push("outer_momentum", m);
		}
		let mut views = Vec::with_capacity(raw.len());
		for (name, shape, bytes) in &raw {
			let view = TensorView::new(Dtype::F32, shape.clone(), bytes)
				.map_err(|e| CheckpointError::Container(e.to_string()))?;
			views.push((name.clone(), view));
		}
		let meta = HashMap::from([("format".to_string(), CHECKPOINT_FORMAT.to_string())]);
		safetensors::serialize(views, Some(meta))
			.map_err(|e| CheckpointError::Container(e.to_string()))
	}

	/// `BLAKE3` of [`Self::to_bytes`].
	pub fn hash(&self) -> Result<Hash32, CheckpointError> {
		Ok(*blake3::hash(&self.to_bytes()?).as_bytes())
	}

	/// Decodes and validates bytes against `layout` (names, shapes, dtype, finiteness, no
	/// extra tensors). Never panics on malformed input.
	pub fn from_bytes(bytes: &[u8], layout: &[ParamSpec]) -> Result<Self, CheckpointError> {
		let st = SafeTensors::deserialize(bytes)
			.map_err(|e| CheckpointError::Container(e.to_string()))?;
		let (_, meta) = SafeTensors::read_metadata(bytes)
			.map_err(|e| CheckpointError::Container(e.to_string()))?;
		let format = meta
			.metadata()
			.as_ref()
			.and_then(|m| m.get("format").cloned())
			.unwrap_or_default();
		if format != CHECKPOINT_FORMAT {
			return Err(CheckpointError::UnsupportedFormat(format));
		}
		let has_momentum = st.names().iter().any(|n| n.starts_with("outer_momentum/"));
		let expected = layout.len() * if has_momentum { 2 } else { 1 };
		if st.len() != expected {
			return Err(CheckpointError::LayoutMismatch(format!(
				"{} tensors, expected {expected}",
				st.len()
			)));
		}
		let read = |prefix: &str| -> Result<ParamSet, CheckpointError> {
			let mut tensors = Vec::with_capacity(layout.len());
			for spec in layout {
				let name = format!("{prefix}/{}", spec.name);
				let view = st
					.tensor(&name)
					.map_err(|_| CheckpointError::LayoutMismatch(format!("missing `{name}`")))?;
				if view.dtype() != Dtype::F32 || view.shape() != spec.shape.as_slice() {
					return Err(CheckpointError::LayoutMismatch(format!(
						"`{name}` is {:?} {:?}, expected F32 {:?}",
						view.dtype(),
						view.shape(),
						spec.shape
					)));
				}
				let data: Vec<f32> = view
					.data()
					.chunks_exact(4)
					.map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
					.collect();
				if data.len() != spec.numel() {
					return Err(CheckpointError::LayoutMismatch(format!("`{name}` size")));
				}
				if data.iter().any(|v| !v.is_finite()) {
					return Err(CheckpointError::NonFinite(name));
				}
				tensors.push(HostTensor {
					spec: spec.clone(),
					data,
				});
			}
			ParamSet::from_tensors(tensors).map_err(CheckpointError::LayoutMismatch)
		};
		let params = read("param")?;
		let outer_momentum = if has_momentum {
			Some(read("outer_momentum")?)
		} else {
			None
		};
		Ok(Self {
			params,
			outer_momentum,
		})
	}

	/// Writes `<dir>/<hex hash>.safetensors` and returns its hash and path.
	pub fn save_to_dir(&self, dir: &Path) -> Result<(Hash32, PathBuf), CheckpointError> {
		let bytes = self.to_bytes()?;
		let hash = *blake3::hash(&bytes).as_bytes();
		std::fs::create_dir_all(dir)?;
		let path = dir.join(format!("{}.safetensors", hex(&hash)));
		let tmp = path.with_extension("safetensors.tmp");
		std::fs::write(&tmp, &bytes)?;
		std::fs::rename(&tmp, &path)?;
		Ok((hash, path))
	}

	/// Reads a checkpoint file and checks it against the expected content hash.
	pub fn load(
		path: &Path,
		expected_hash: &Hash32,
		layout: &[ParamSpec],
	) -> Result<Self, CheckpointError> {
		let bytes = std::fs::read(path)?;
		let actual = *blake3::hash(&bytes).as_bytes();
		if &actual != expected_hash {
			return Err(CheckpointError::HashMismatch {
				expected: hex(expected_hash),
				actual: hex(&actual),
			});
		}
		Self::from_bytes(&bytes, layout)
	}
}

/// Lower-case hex of a hash.
pub fn hex(h: &[u8]) -> String {
	h.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::config::TrainingConfig;
	use crate::model::{init_params, param_layout};

	#[test]
	fn round_trip_is_exact_and_deterministic() {
		let cfg = TrainingConfig::tiny().model;
		let layout = param_layout(&cfg);
		let ck = Checkpoint::new(init_params(&cfg, [9; 32]));
		let a = ck.to_bytes().unwrap();
		assert_eq!(a, ck.to_bytes().unwrap());
		assert_eq!(Checkpoint::from_bytes(&a, &layout).unwrap(), ck);

		let mut with_m = ck.clone();
		with_m.outer_momentum = Some(init_params(&cfg, [8; 32]));
		let b = with_m.to_bytes().unwrap();
		assert_ne!(with_m.hash().unwrap(), ck.hash().unwrap());
		assert_eq!(Checkpoint::from_bytes(&b, &layout).unwrap(), with_m);
	}

	#[test]
	fn content_addressed_files() {
		let cfg = TrainingConfig::tiny().model;
		let layout = param_layout(&cfg);
		let ck = Checkpoint::new(init_params(&cfg, [9; 32]));
		let dir = tempfile::tempdir().unwrap();
		let (hash, path) = ck.save_to_dir(dir.path()).unwrap();
		assert!(path.to_string_lossy().contains(&hex(&hash)));
		assert_eq!(Checkpoint::load(&path, &hash, &layout).unwrap(), ck);
		let wrong = [0u8; 32];
		assert!(matches!(
			Checkpoint::load(&path, &wrong, &layout),
			Err(CheckpointError::HashMismatch { .. })
		));
	}

	#[test]
	fn malformed_checkpoints_are_rejected() {
		let cfg = TrainingConfig::tiny().model;
		let layout = param_layout(&cfg);
		let ck = Checkpoint::new(init_params(&cfg, [9; 32]));
		let bytes = ck.to_bytes().unwrap();
		assert!(matches!(
			Checkpoint::from_bytes(&bytes[..bytes.len() - 3], &layout),
			Err(CheckpointError::Container(_))
		));
		assert!(Checkpoint::from_bytes(&[1, 2, 3], &layout).is_err());
		let mut other = TrainingConfig::tiny().model;
		other.d_model = 32;
		assert!(matches!(
			Checkpoint::from_bytes(&bytes, &param_layout(&other)),
			Err(CheckpointError::LayoutMismatch(_))
		));
		let mut nan = ck.clone();
		nan.params.tensors_mut()[3].data[0] = f32::NAN;
		assert!(matches!(
			Checkpoint::from_bytes(&nan.to_bytes().unwrap(), &layout),
			Err(CheckpointError::NonFinite(_))
		));
		// A plain safetensors file without our format tag.
		let view = TensorView::new(Dtype::F32, vec![1], &[0, 0, 0, 0]).unwrap();
		let foreign = safetensors::serialize([("x", view)], None).unwrap();
		assert!(matches!(
			Checkpoint::from_bytes(&foreign, &layout),
			Err(CheckpointError::UnsupportedFormat(_))
		));
	}
}
