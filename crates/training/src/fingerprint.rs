//! Backend fingerprints: which numeric engine produced a run (SPEC §6.3, §6.5).
//!
//! Two runs are expected to agree **bitwise** only when their fingerprints are equal; the
//! audit then compares state hashes exactly, and otherwise falls back to tolerance mode.
//!
//! Fields: the burn backend (from the device, e.g. `Flex`), this crate's build features
//! (`flex`, `wgpu`, …), the device class (for CPUs: architecture plus the SIMD features that
//! select different matmul kernels — `avx512f`, `avx2`, `fma`, `neon`; for GPUs the device's
//! description), and the versions of burn and this crate — on Flex also the version of this
//! crate's fused kernels ([`crate::fused::FLEX_KERNELS`]), which set the Flex trajectory's
//! rounding.

use burn::prelude::Device;

/// Identity of a numeric engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendFingerprint {
	/// Backend name, e.g. `Flex` or `Wgpu`.
	pub backend: String,
	/// Cargo features of this crate that select backends.
	pub build_features: Vec<String>,
	/// CPU architecture and kernel-relevant features, or the GPU's description.
	pub device_class: String,
	/// `burn <version>; arena-training <version>`, on Flex followed by `; kernels <name>`
	/// ([`crate::fused::FLEX_KERNELS`]).
	pub versions: String,
}

/// The burn release this crate is built against.
pub const BURN_VERSION: &str = "0.22.1";

impl BackendFingerprint {
	/// Fingerprint of `device` in this build.
	pub fn of(device: &Device) -> Self {
		let debug = format!("{:?}", device.clone().without_autodiff());
		let inner = debug
			.strip_prefix("Device<")
			.and_then(|s| s.strip_suffix('>'))
			.unwrap_or(&debug)
			.to_string();
		let backend: String = inner
			.split(|c: char| !c.is_alphanumeric())
			.find(|s| !s.is_empty() && *s != "Autodiff" && *s != "Cube")
			.unwrap_or("unknown")
			.to_string();
		let is_cpu =
			backend.eq_ignore_ascii_case("flex") || backend.eq_ignore_ascii_case("ndarray");
		let device_class = if is_cpu {
			cpu_class()
		} else {
			gpu_class(device, &inner)
		};
		let mut versions = format!(
			"burn {BURN_VERSION}; arena-training {}",
			env!("CARGO_PKG_VERSION")
		);
		if backend.eq_ignore_ascii_case("flex") {
			versions.push_str("; kernels ");
			versions.push_str(crate::fused::FLEX_KERNELS);
		}
		Self {
			backend,
			build_features: build_features(),
			device_class,
			versions,
		}
	}

	/// Canonical bytes: each field as `u32 LE length ‖ UTF-8`, features joined by `,`.
	pub fn canonical_bytes(&self) -> Vec<u8> {
		let mut out = Vec::new();
		for s in [
			self.backend.as_str(),
			&self.build_features.join(","),
			self.device_class.as_str(),
			self.versions.as_str(),
		] {
			out.extend_from_slice(&(s.len() as u32).to_le_bytes());
			out.extend_from_slice(s.as_bytes());
		}
		out
	}

	/// `BLAKE3(canonical bytes)`, the value committed on chain.
	pub fn hash(&self) -> [u8; 32] {
		*blake3::hash(&self.canonical_bytes()).as_bytes()
	}

	/// Whether runs on `self` and `other` must agree bit for bit.
	pub fn bitwise_compatible(&self, other: &Self) -> bool {
		self == other
	}
}

fn build_features() -> Vec<String> {
	let mut f = Vec::new();
	if cfg!(feature = "flex") {
		f.push("flex".to_string());
	}
	if cfg!(feature = "wgpu") {
		f.push("wgpu".to_string());
	}
	if cfg!(feature = "vulkan") {
		f.push("vulkan".to_string());
	}
	if cfg!(feature = "cuda") {
		f.push("cuda".to_string());
	}
	f
}

/// The adapter's own name and compile target (e.g. `llvmpipe (LLVM 15.0.6, 256 bits)`), so two
/// different GPUs never share a fingerprint; falls back to the device description.
fn gpu_class(device: &Device, description: &str) -> String {
	#[cfg(feature = "wgpu")]
	if let Some(id) = device.identity() {
		return format!("{} [{}]", id.name, id.fingerprint);
	}
	let _ = device;
	format!("{}; {description}", std::env::consts::ARCH)
}

fn cpu_class() -> String {
	#[allow(unused_mut)]
	let mut feats: Vec<&str> = Vec::new();
	#[cfg(target_arch = "x86_64")]
	{
		if std::arch::is_x86_feature_detected!("avx512f") {
			feats.push("avx512f");
		}
		if std::arch::is_x86_feature_detected!("avx2") {
			feats.push("avx2");
		}
		if std::arch::is_x86_feature_detected!("fma") {
			feats.push("fma");
		}
	}
	#[cfg(target_arch = "aarch64")]
	{
		if std::arch::is_aarch64_feature_detected!("neon") {
			feats.push("neon");
		}
	}
	format!("cpu {} [{}]", std::env::consts::ARCH, feats.join(","))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn flex_fingerprint_is_stable_and_named() {
		let d = crate::default_device();
		let a = BackendFingerprint::of(&d);
		assert_eq!(a, BackendFingerprint::of(&d.clone().autodiff()));
		assert_eq!(a.backend, "Flex", "{a:?}");
		assert!(a.device_class.starts_with("cpu "), "{a:?}");
		assert!(a.build_features.contains(&"flex".to_string()));
		// The fused kernels set Flex's rounding: a new kernel version is a new fingerprint.
		assert!(
			a.versions
				.ends_with(&format!("; kernels {}", crate::fused::FLEX_KERNELS)),
			"{a:?}"
		);
		assert!(a.bitwise_compatible(&a.clone()));
		let mut b = a.clone();
		b.device_class.push_str("+x");
		assert!(!a.bitwise_compatible(&b));
		assert_ne!(a.hash(), b.hash());
	}
}
