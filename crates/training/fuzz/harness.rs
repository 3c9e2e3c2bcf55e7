//! The checks behind the training crate's fuzz targets, shared by the cargo-fuzz binaries
//! (`fuzz_targets/*.rs`, each a one-line `fuzz_target!` over a function here) and by the
//! crate's ordinary test `tests/fuzz_corpus.rs`, which replays every committed seed and crash
//! regression through the same functions on stable Rust.
//!
//! Each function panics when a property is violated and returns whether the input decoded.
//! Properties: decoding never panics; anything that decodes re-encodes to bytes that decode
//! to the same value (bitwise); the update and state formats have exactly one encoding
//! (re-encoding gives back the input bytes); inputs longer than the layout allows are
//! rejected as such.

use arena_training::checkpoint::Checkpoint;
use arena_training::compression::{compress, decompress, Quantiser};
use arena_training::config::CompressionConfig;
use arena_training::error::{StateError, UpdateFormatError};
use arena_training::params::{ParamSet, ParamSpec};
use arena_training::state::TrainState;
use arena_training::update_format::{decode, encode, max_encoded_len, update_hash};

/// The small model layout every target decodes against: names shaped like the real model's,
/// 44 values in all, so valid encodings stay short enough for the fuzzer to mutate deeply.
pub fn layout() -> Vec<ParamSpec> {
	vec![
		ParamSpec {
			name: "blocks.0.attn.qkv.weight".into(),
			shape: vec![5, 7],
			decay: true,
		},
		ParamSpec {
			name: "ln_f.bias".into(),
			shape: vec![9],
			decay: false,
		},
	]
}

/// The compression setting chosen by an update input's three control bytes:
/// `bits = 2 + (c0 & 7) % 7`, `chunk_size = 1 + c1 % 64`, `k_per_chunk = 1 + c2 % 16`; bit 3
/// of `c0` selects the mid-rise quantiser (else the symmetric one).
/// Bit 7 of `c0` passes the input's own hash as the committed hash; bit 6 a wrong one; bit 5
/// rewrites the header's payload length and payload hash to match the payload first (see
/// [`fix_payload_header`]).
pub fn update_config(control: [u8; 3]) -> CompressionConfig {
	CompressionConfig {
		chunk_size: 1 + usize::from(control[1] % 64),
		k_per_chunk: 1 + usize::from(control[2] % 16),
		bits: 2 + (control[0] & 7) % 7,
		feedback_decay: 1.0,
		quantiser: if control[0] & 0x08 != 0 {
			Quantiser::MidRise
		} else {
			Quantiser::Symmetric
		},
	}
}

/// Rewrites `payload_len` and `payload_hash` of update bytes for [`layout`] so that they match
/// whatever follows the header: a mutated payload then reaches the structural checks instead
/// of stopping at the payload hash. Bytes shorter than the header are left as they are.
pub fn fix_payload_header(bytes: &mut [u8], layout: &[ParamSpec]) {
	let shapes: usize = layout.iter().map(|s| 1 + 4 * s.shape.len()).sum();
	let header = 24 + shapes + 8 + 8 + 32;
	if bytes.len() < header {
		return;
	}
	let (head, payload) = bytes.split_at_mut(header);
	let payload_len = payload.len() as u64;
	head[header - 40..header - 32].copy_from_slice(&payload_len.to_le_bytes());
	head[header - 32..].copy_from_slice(&update_hash(payload));
}

/// Fuzz target `update_decode`: three control bytes (see [`update_config`]) then update bytes
/// for [`layout`], through `update_format::decode`.
pub fn update_decode(data: &[u8]) -> bool {
	let Some((control, bytes)) = data.split_first_chunk::<3>() else {
		return false;
	};
	let cfg = update_config(*control);
	let layout = layout();
	let mut fixed;
	let bytes = if control[0] & 0x20 != 0 {
		fixed = bytes.to_vec();
		fix_payload_header(&mut fixed, &layout);
		&fixed[..]
	} else {
		bytes
	};
	let total: usize = layout.iter().map(ParamSpec::numel).sum();
	let own_hash = update_hash(bytes);
	let committed = match control[0] & 0xC0 {
		0x80 => Some(own_hash),
		0x40 | 0xC0 => Some(update_hash(b"some other update")),
		_ => None,
	};
	let max = max_encoded_len(&cfg, &layout);
	let result = decode(bytes, &cfg, &layout, committed.as_ref());
	if bytes.len() > max {
		assert!(
			matches!(result, Err(UpdateFormatError::Oversized { .. })),
			"{} bytes (max {max}) gave {result:?}",
			bytes.len()
		);
		return false;
	}
	let Ok(update) = result else {
		return false;
	};
	assert!(
		committed.is_none_or(|h| h == own_hash),
		"a wrong committed hash was accepted"
	);
	assert_eq!(
		(
			update.total_len,
			update.chunk_size,
			update.k_per_chunk,
			update.bits,
			update.quantiser
		),
		(
			total,
			cfg.chunk_size,
			cfg.k_per_chunk,
			cfg.bits,
			cfg.quantiser
		)
	);
	assert_eq!(update.chunks.len(), total.div_ceil(cfg.chunk_size));
	let (lo, hi) = cfg.quantiser.code_range(cfg.bits);
	for (j, chunk) in update.chunks.iter().enumerate() {
		let len = cfg.chunk_size.min(total - j * cfg.chunk_size);
		assert!(chunk.indices.len() <= cfg.k_per_chunk.min(len));
		assert_eq!(chunk.indices.len(), chunk.codes.len());
		assert!(
			chunk.indices.windows(2).all(|w| w[0] < w[1]),
			"indices not increasing"
		);
		assert!(
			chunk.indices.iter().all(|&i| usize::from(i) < len),
			"index past the chunk"
		);
		assert!(
			chunk
				.codes
				.iter()
				.all(|&q| (lo..=hi).contains(&i32::from(q))),
			"code out of range"
		);
		assert!(chunk.scale.is_finite() && chunk.scale >= 0.0);
	}
	let dense = decompress(&update);
	assert_eq!(dense.len(), total);
	assert!(dense.iter().all(|v| v.is_finite()));
	let again = encode(&update, &layout);
	assert_eq!(
		again, bytes,
		"re-encoding a decoded update changed its bytes"
	);
	assert_eq!(decode(&again, &cfg, &layout, None).as_ref(), Ok(&update));
	true
}

/// Fuzz target `checkpoint_decode`: arbitrary bytes through `Checkpoint::from_bytes`.
pub fn checkpoint_decode(data: &[u8]) -> bool {
	let layout = layout();
	let Ok(checkpoint) = Checkpoint::from_bytes(data, &layout) else {
		return false;
	};
	let sets = std::iter::once(&checkpoint.params).chain(checkpoint.outer_momentum.as_ref());
	for set in sets {
		assert!(set.matches_layout(&layout));
		assert!(set
			.tensors()
			.iter()
			.all(|t| t.data.iter().all(|v| v.is_finite())));
	}
	let bytes = checkpoint.to_bytes().expect("a decoded checkpoint encodes");
	let again = Checkpoint::from_bytes(&bytes, &layout).expect("a re-encoded checkpoint decodes");
	assert_eq!(
		again.to_bytes().expect("encodes"),
		bytes,
		"decode(encode(x)) differs from x"
	);
	assert_eq!(again, checkpoint);
	true
}

/// Fuzz target `state_decode`: arbitrary bytes through `TrainState::from_canonical_bytes`.
pub fn state_decode(data: &[u8]) -> bool {
	let layout = layout();
	let expected = TrainState::canonical_len(&layout);
	let result = TrainState::from_canonical_bytes(data, &layout);
	if data.len() > expected {
		assert_eq!(
			result,
			Err(StateError::TrailingBytes(data.len() - expected))
		);
		return false;
	}
	let Ok(state) = result else {
		return false;
	};
	assert_eq!(data.len(), expected, "a state of the wrong length decoded");
	let bytes = state.to_canonical_bytes();
	assert_eq!(bytes, data, "re-encoding a decoded state changed its bytes");
	assert_eq!(
		TrainState::from_canonical_bytes(&bytes, &layout).as_ref(),
		Ok(&state)
	);
	true
}

/// A deterministic dense vector of `n` values, with a run of zeros so that some chunks are
/// sparse or empty.
fn sample_values(n: usize, salt: usize) -> Vec<f32> {
	(0..n)
		.map(|i| {
			if (10..20).contains(&i) {
				0.0
			} else {
				(((i * 37 + salt * 11) % 101) as f32 - 50.0) * 1e-3
			}
		})
		.collect()
}

/// Seeds `valid-<name>` (the bytes) and `truncated-<len>-<name>` (its first half after the
/// `keep` control bytes, and all but its last byte).
fn with_truncations(
	target: &'static str,
	name: &str,
	bytes: Vec<u8>,
	keep: usize,
) -> Vec<(&'static str, String, Vec<u8>)> {
	let mut out: Vec<_> = [keep + (bytes.len() - keep) / 2, bytes.len() - 1]
		.into_iter()
		.map(|cut| {
			(
				target,
				format!("truncated-{cut}-{name}"),
				bytes[..cut].to_vec(),
			)
		})
		.collect();
	out.push((target, format!("valid-{name}"), bytes));
	out
}

/// The seed corpus: `(target, file name, bytes)`. Files named `valid-*` must decode and
/// files named `truncated-*` must not (checked by `tests/fuzz_corpus.rs`).
pub fn seeds() -> Vec<(&'static str, String, Vec<u8>)> {
	let layout = layout();
	let total: usize = layout.iter().map(ParamSpec::numel).sum();
	let mut out = Vec::new();
	// (bits, chunk_size, k): several chunks with a short last one, one chunk, k > chunk.
	for (bits, chunk, k, salt) in [
		(8u8, 16u8, 4u8, 0usize),
		(3, 44, 16, 1),
		(2, 5, 9, 2),
		(5, 64, 1, 3),
	] {
		let control = [bits - 2, chunk - 1, k - 1];
		let cfg = update_config(control);
		let update = compress(&sample_values(total, salt), &cfg);
		let mut data = control.to_vec();
		data.extend_from_slice(&encode(&update, &layout));
		out.extend(with_truncations(
			"update_decode",
			&format!("b{bits}-c{chunk}-k{k}"),
			data.clone(),
			3,
		));
		data[0] |= 0x20;
		out.push((
			"update_decode",
			format!("valid-b{bits}-c{chunk}-k{k}-fixed"),
			data,
		));
	}
	// Mid-rise quantiser (bit 3 of the first control byte), 2 and 3 bits.
	for (bits, chunk, k, salt) in [(2u8, 16u8, 4u8, 8usize), (3, 44, 16, 9)] {
		let control = [0x08 | (bits - 2), chunk - 1, k - 1];
		let cfg = update_config(control);
		let update = compress(&sample_values(total, salt), &cfg);
		let mut data = control.to_vec();
		data.extend_from_slice(&encode(&update, &layout));
		out.extend(with_truncations(
			"update_decode",
			&format!("mid-b{bits}-c{chunk}-k{k}"),
			data,
			3,
		));
	}
	// The all-zero update, checked against its own committed hash.
	let control = [0x80 | 6, 15, 3];
	let cfg = update_config(control);
	let mut data = control.to_vec();
	data.extend_from_slice(&encode(&compress(&vec![0.0; total], &cfg), &layout));
	out.extend(with_truncations("update_decode", "zero-committed", data, 3));

	let params = ParamSet::from_flat(&layout, &sample_values(total, 4)).expect("layout");
	let momentum = ParamSet::from_flat(&layout, &sample_values(total, 5)).expect("layout");
	let mut checkpoint = Checkpoint::new(params.clone());
	let bytes = checkpoint.to_bytes().expect("encodes");
	out.extend(with_truncations("checkpoint_decode", "genesis", bytes, 0));
	checkpoint.outer_momentum = Some(momentum.clone());
	let bytes = checkpoint.to_bytes().expect("encodes");
	out.extend(with_truncations(
		"checkpoint_decode",
		"with-momentum",
		bytes,
		0,
	));

	let mut state = TrainState::round_start(params, momentum);
	out.extend(with_truncations(
		"state_decode",
		"round-start",
		state.to_canonical_bytes(),
		0,
	));
	state.step = 7;
	state.adam_m = ParamSet::from_flat(&layout, &sample_values(total, 6)).expect("layout");
	state.adam_v = ParamSet::from_flat(&layout, &sample_values(total, 7)).expect("layout");
	out.extend(with_truncations(
		"state_decode",
		"step-7",
		state.to_canonical_bytes(),
		0,
	));
	out
}
