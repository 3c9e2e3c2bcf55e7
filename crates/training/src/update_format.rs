//! The versioned byte format of a compressed update, and its strict decoder (SPEC §6.3).
//!
//! Version 2, integers little-endian, bit fields packed least significant bit first:
//!
//! ```text
//! header:  "ARNUPDT\0" ‖ version: u16 = 2 ‖ bits: u8 ‖ quantiser: u8 (0 symmetric,
//!          1 mid-rise; see `compression::Quantiser`)
//!          ‖ chunk_size: u32 ‖ k_per_chunk: u32 ‖ n_tensors: u32
//!          ‖ n_tensors × (rank: u8 ‖ rank × dim: u32)
//!          ‖ total_len: u64 ‖ payload_len: u64 ‖ payload_hash: [u8; 32] = BLAKE3(payload)
//! payload: for each of ceil(total_len / chunk_size) chunks (length n, the last may be short):
//!          count: u16 ‖ scale: f32
//!          ‖ indices: count Rice codes of the gaps g_0 = i_0, g_m = i_m − i_{m−1} − 1 with
//!            b = ⌊log2(n / count)⌋ (see `bitstream`), zero-padded to a whole byte
//!          ‖ codes: count × `bits` bits, two's complement, zero-padded to a whole byte
//! ```
//!
//! The quantiser byte was "reserved, must be 0" before the mid-rise quantiser existed: every
//! older update is a symmetric-quantiser update with the same meaning, and an older decoder
//! rejects a mid-rise one instead of misreading it.
//!
//! Version 1 stored each index as a plain `u16`; gap coding takes ~7 bits per index at the
//! default density, so the same bytes carry about twice as many values.
//!
//! The update's identity on chain is `BLAKE3(all bytes)` ([`update_hash`]). [`decode`]
//! rejects, with a typed [`UpdateFormatError`]: bytes longer than the largest valid update
//! for the layout, truncation, trailing bytes, bad magic/version, compression parameters or
//! shapes that differ from the subnet's, a wrong payload or committed hash, a NaN/∞/negative
//! scale, too many entries, indices past the chunk, non-zero padding bits (so every update has
//! exactly one encoding), and codes outside the quantiser's range (`[−L, L]` symmetric,
//! `[−M, M−1]` mid-rise).

use crate::bitstream::{max_index_bits, rice_parameter, BitError, BitReader, BitWriter};
use crate::compression::{CompressedUpdate, Quantiser, SparseChunk};
use crate::config::CompressionConfig;
use crate::error::UpdateFormatError;
use crate::params::ParamSpec;
use crate::state::Hash32;

const MAGIC: &[u8; 8] = b"ARNUPDT\0";
/// Current format version.
pub const UPDATE_FORMAT_VERSION: u16 = 2;

/// `BLAKE3` of the encoded update: the hash miners commit.
pub fn update_hash(bytes: &[u8]) -> Hash32 {
	*blake3::hash(bytes).as_bytes()
}

fn header(
	cfg_bits: u8,
	quantiser: Quantiser,
	chunk_size: usize,
	k: usize,
	layout: &[ParamSpec],
) -> Vec<u8> {
	let mut h = Vec::with_capacity(64 + layout.len() * 9);
	h.extend_from_slice(MAGIC);
	h.extend_from_slice(&UPDATE_FORMAT_VERSION.to_le_bytes());
	h.push(cfg_bits);
	h.push(quantiser.id());
	h.extend_from_slice(&(chunk_size as u32).to_le_bytes());
	h.extend_from_slice(&(k as u32).to_le_bytes());
	h.extend_from_slice(&(layout.len() as u32).to_le_bytes());
	for s in layout {
		h.push(s.shape.len() as u8);
		for &d in &s.shape {
			h.extend_from_slice(&(d as u32).to_le_bytes());
		}
	}
	h
}

/// Most payload bytes one chunk of `len` elements can take with at most `k` entries.
fn max_chunk_bytes(len: usize, k: usize, bits: u8) -> usize {
	(0..=k.min(len))
		.map(|count| {
			2 + 4 + max_index_bits(len, count).div_ceil(8) + (count * bits as usize).div_ceil(8)
		})
		.max()
		.unwrap_or(6)
}

/// Largest valid encoding for this layout and compression setting.
pub fn max_encoded_len(cfg: &CompressionConfig, layout: &[ParamSpec]) -> usize {
	let total: usize = layout.iter().map(ParamSpec::numel).sum();
	let fixed = header(
		cfg.bits,
		cfg.quantiser,
		cfg.chunk_size,
		cfg.k_per_chunk,
		layout,
	)
	.len() + 8
		+ 8 + 32;
	let chunk = cfg.chunk_size.max(1);
	let full = total / chunk;
	let rest = total % chunk;
	let mut payload = full.saturating_mul(max_chunk_bytes(chunk, cfg.k_per_chunk, cfg.bits));
	if rest > 0 {
		payload = payload.saturating_add(max_chunk_bytes(rest, cfg.k_per_chunk, cfg.bits));
	}
	fixed.saturating_add(payload)
}

/// Encodes `update` for `layout` (the shapes written in the header).
pub fn encode(update: &CompressedUpdate, layout: &[ParamSpec]) -> Vec<u8> {
	let mut payload = Vec::new();
	let bits = u32::from(update.bits);
	for (j, c) in update.chunks.iter().enumerate() {
		let len = update
			.chunk_size
			.min(update.total_len.saturating_sub(j * update.chunk_size));
		payload.extend_from_slice(&(c.indices.len() as u16).to_le_bytes());
		payload.extend_from_slice(&c.scale.to_le_bytes());
		let b = rice_parameter(len, c.indices.len());
		let mut w = BitWriter::new();
		let mut next = 0u64;
		for &i in &c.indices {
			w.write_rice(u64::from(i).saturating_sub(next), b);
			next = u64::from(i) + 1;
		}
		payload.extend_from_slice(&w.finish());
		let mut w = BitWriter::new();
		for &q in &c.codes {
			w.write(q as i64 as u64, bits);
		}
		payload.extend_from_slice(&w.finish());
	}
	let mut out = header(
		update.bits,
		update.quantiser,
		update.chunk_size,
		update.k_per_chunk,
		layout,
	);
	out.extend_from_slice(&(update.total_len as u64).to_le_bytes());
	out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
	out.extend_from_slice(blake3::hash(&payload).as_bytes());
	out.extend_from_slice(&payload);
	out
}

struct Reader<'a> {
	bytes: &'a [u8],
	pos: usize,
}

impl<'a> Reader<'a> {
	fn take(&mut self, n: usize) -> Result<&'a [u8], UpdateFormatError> {
		let end = self.pos.saturating_add(n);
		let s = self
			.bytes
			.get(self.pos..end)
			.ok_or(UpdateFormatError::Truncated {
				len: self.bytes.len(),
				needed: end,
			})?;
		self.pos = end;
		Ok(s)
	}
	fn u8(&mut self) -> Result<u8, UpdateFormatError> {
		Ok(self.take(1)?[0])
	}
	fn u16(&mut self) -> Result<u16, UpdateFormatError> {
		let s = self.take(2)?;
		Ok(u16::from_le_bytes([s[0], s[1]]))
	}
	fn u32(&mut self) -> Result<u32, UpdateFormatError> {
		let s = self.take(4)?;
		Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
	}
	fn u64(&mut self) -> Result<u64, UpdateFormatError> {
		let s = self.take(8)?;
		let mut a = [0u8; 8];
		a.copy_from_slice(s);
		Ok(u64::from_le_bytes(a))
	}
}

/// Decodes and validates update bytes against the subnet's compression setting and the
/// model layout; with `committed_hash`, also requires `BLAKE3(bytes)` to equal it.
pub fn decode(
	bytes: &[u8],
	cfg: &CompressionConfig,
	layout: &[ParamSpec],
	committed_hash: Option<&Hash32>,
) -> Result<CompressedUpdate, UpdateFormatError> {
	if !(2..=8).contains(&cfg.bits)
		|| cfg.chunk_size == 0
		|| cfg.chunk_size > 1 << 16
		|| cfg.k_per_chunk == 0
	{
		return Err(UpdateFormatError::ParameterMismatch(
			"the configured compression parameters are invalid".into(),
		));
	}
	let max = max_encoded_len(cfg, layout);
	if bytes.len() > max {
		return Err(UpdateFormatError::Oversized {
			len: bytes.len(),
			max,
		});
	}
	if let Some(h) = committed_hash {
		if &update_hash(bytes) != h {
			return Err(UpdateFormatError::CommittedHashMismatch);
		}
	}
	let mut r = Reader { bytes, pos: 0 };
	if r.take(8)? != MAGIC {
		return Err(UpdateFormatError::BadMagic);
	}
	let version = r.u16()?;
	if version != UPDATE_FORMAT_VERSION {
		return Err(UpdateFormatError::UnsupportedVersion(version));
	}
	let bits = r.u8()?;
	let quantiser = r.u8()?;
	let chunk_size = r.u32()? as usize;
	let k = r.u32()? as usize;
	if bits != cfg.bits
		|| quantiser != cfg.quantiser.id()
		|| chunk_size != cfg.chunk_size
		|| k != cfg.k_per_chunk
	{
		return Err(UpdateFormatError::ParameterMismatch(format!(
			"bits {bits}, quantiser {quantiser}, chunk {chunk_size}, k {k}; expected bits {}, quantiser {}, chunk {}, k {}",
			cfg.bits,
			cfg.quantiser.id(),
			cfg.chunk_size,
			cfg.k_per_chunk
		)));
	}
	let n_tensors = r.u32()? as usize;
	if n_tensors != layout.len() {
		return Err(UpdateFormatError::ShapeMismatch(format!(
			"{n_tensors} tensors, expected {}",
			layout.len()
		)));
	}
	for spec in layout {
		let rank = r.u8()? as usize;
		if rank != spec.shape.len() {
			return Err(UpdateFormatError::ShapeMismatch(format!(
				"`{}` has rank {rank}",
				spec.name
			)));
		}
		for &d in &spec.shape {
			if r.u32()? as usize != d {
				return Err(UpdateFormatError::ShapeMismatch(format!(
					"`{}` has the wrong shape",
					spec.name
				)));
			}
		}
	}
	let total: usize = layout.iter().map(ParamSpec::numel).sum();
	if r.u64()? != total as u64 {
		return Err(UpdateFormatError::ShapeMismatch("total length".into()));
	}
	let payload_len = r.u64()?;
	let mut hash = [0u8; 32];
	hash.copy_from_slice(r.take(32)?);
	let remaining = bytes.len() - r.pos;
	if (payload_len as u128) > remaining as u128 {
		return Err(UpdateFormatError::Truncated {
			len: bytes.len(),
			needed: r
				.pos
				.saturating_add(payload_len.min(usize::MAX as u64) as usize),
		});
	}
	if (payload_len as usize) < remaining {
		return Err(UpdateFormatError::TrailingBytes(
			remaining - payload_len as usize,
		));
	}
	if blake3::hash(&bytes[r.pos..]).as_bytes() != &hash {
		return Err(UpdateFormatError::PayloadHashMismatch);
	}

	let (lo, hi) = cfg.quantiser.code_range(bits);
	let (lo, hi) = (i64::from(lo), i64::from(hi));
	let n_chunks = total.div_ceil(chunk_size);
	let mut chunks = Vec::with_capacity(n_chunks);
	for j in 0..n_chunks {
		let len = chunk_size.min(total - j * chunk_size);
		let count = r.u16()? as usize;
		let max_entries = k.min(len);
		if count > max_entries {
			return Err(UpdateFormatError::TooManyEntries {
				chunk: j,
				count,
				max: max_entries,
			});
		}
		let s = r.take(4)?;
		let scale = f32::from_le_bytes([s[0], s[1], s[2], s[3]]);
		if !scale.is_finite() || scale < 0.0 || (scale == 0.0 && count > 0) {
			return Err(UpdateFormatError::NonFinite { chunk: j });
		}
		let mut indices = Vec::with_capacity(count);
		let rest = &bytes[r.pos..];
		let mut bits_in = BitReader::new(rest);
		let b = rice_parameter(len, count);
		let mut next = 0u64;
		for _ in 0..count {
			// The previous index was the chunk's last position: nothing can follow it.
			if next >= len as u64 {
				return Err(UpdateFormatError::BadIndex { chunk: j });
			}
			let room = len as u64 - (next + 1);
			let g = bits_in.read_rice(b, room).map_err(|e| match e {
				BitError::Exhausted => UpdateFormatError::Truncated {
					len: bytes.len(),
					needed: bytes.len() + 1,
				},
				BitError::TooLarge => UpdateFormatError::BadIndex { chunk: j },
			})?;
			let i = next + g;
			indices.push(i as u16);
			next = i + 1;
		}
		if !bits_in.padding_is_zero() {
			return Err(UpdateFormatError::NonCanonical { chunk: j });
		}
		r.take(bits_in.bytes_used())?;
		let packed = r.take((count * bits as usize).div_ceil(8))?;
		let mut codes_in = BitReader::new(packed);
		let mut codes = Vec::with_capacity(count);
		for _ in 0..count {
			let raw = codes_in
				.read(u32::from(bits))
				.map_err(|_| UpdateFormatError::Truncated {
					len: bytes.len(),
					needed: bytes.len() + 1,
				})?;
			// Sign-extend from `bits` bits.
			let v = if raw & (1 << (bits - 1)) != 0 {
				raw as i64 - (1i64 << bits)
			} else {
				raw as i64
			};
			if v < lo || v > hi {
				return Err(UpdateFormatError::CodeOutOfRange { chunk: j });
			}
			codes.push(v as i8);
		}
		if !codes_in.padding_is_zero() {
			return Err(UpdateFormatError::NonCanonical { chunk: j });
		}
		chunks.push(SparseChunk {
			scale,
			indices,
			codes,
		});
	}
	if r.pos != bytes.len() {
		return Err(UpdateFormatError::TrailingBytes(bytes.len() - r.pos));
	}
	Ok(CompressedUpdate {
		total_len: total,
		chunk_size,
		k_per_chunk: k,
		bits,
		quantiser: cfg.quantiser,
		chunks,
	})
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::compression::{compress, decompress};

	fn layout() -> Vec<ParamSpec> {
		vec![
			ParamSpec {
				name: "w".into(),
				shape: vec![30, 40],
				decay: true,
			},
			ParamSpec {
				name: "b".into(),
				shape: vec![77],
				decay: false,
			},
		]
	}

	fn cfg(bits: u8) -> CompressionConfig {
		CompressionConfig {
			chunk_size: 256,
			k_per_chunk: 9,
			bits,
			feedback_decay: 1.0,
			quantiser: Quantiser::Symmetric,
		}
	}

	fn data() -> Vec<f32> {
		(0..1277)
			.map(|i| ((i * 37 % 101) as f32 - 50.0) * 1e-3)
			.collect()
	}

	fn encoded(bits: u8) -> Vec<u8> {
		encode(&compress(&data(), &cfg(bits)), &layout())
	}

	#[test]
	fn round_trip_for_all_bit_widths() {
		for bits in 2..=8u8 {
			let c = compress(&data(), &cfg(bits));
			let bytes = encode(&c, &layout());
			assert!(bytes.len() <= max_encoded_len(&cfg(bits), &layout()));
			let h = update_hash(&bytes);
			let d = decode(&bytes, &cfg(bits), &layout(), Some(&h)).unwrap();
			assert_eq!(d, c, "bits {bits}");
			assert_eq!(decompress(&d), decompress(&c));
		}
	}

	#[test]
	fn every_malformed_case_is_rejected() {
		use UpdateFormatError as E;
		let good = encoded(8);
		let l = layout();
		let c = cfg(8);
		let dec = |b: &[u8]| decode(b, &c, &l, None);
		// Truncated at every length.
		for n in 0..good.len() {
			assert!(dec(&good[..n]).is_err(), "prefix {n} accepted");
		}
		assert!(matches!(dec(&good[..20]), Err(E::Truncated { .. })));
		// One trailing byte, and something far larger than any valid update.
		let mut long = good.clone();
		long.push(0);
		assert!(matches!(
			dec(&long),
			Err(E::TrailingBytes(_)) | Err(E::Oversized { .. })
		));
		let huge = vec![0u8; max_encoded_len(&c, &l) + 1];
		assert!(matches!(dec(&huge), Err(E::Oversized { .. })));
		// Magic, version, parameters, shapes.
		let mut b = good.clone();
		b[0] ^= 1;
		assert_eq!(dec(&b), Err(E::BadMagic));
		let mut b = good.clone();
		b[8] = 9;
		assert_eq!(dec(&b), Err(E::UnsupportedVersion(9)));
		for broken in [
			CompressionConfig {
				chunk_size: 0,
				k_per_chunk: 9,
				bits: 8,
				feedback_decay: 1.0,
				quantiser: Quantiser::Symmetric,
			},
			CompressionConfig {
				chunk_size: 256,
				k_per_chunk: 9,
				bits: 0,
				feedback_decay: 1.0,
				quantiser: Quantiser::Symmetric,
			},
			CompressionConfig {
				chunk_size: 256,
				k_per_chunk: 0,
				bits: 8,
				feedback_decay: 1.0,
				quantiser: Quantiser::Symmetric,
			},
		] {
			assert!(matches!(
				decode(&good, &broken, &l, None),
				Err(E::ParameterMismatch(_))
			));
		}
		let mut more_k = cfg(8);
		more_k.k_per_chunk = 10;
		assert!(matches!(
			decode(&good, &more_k, &l, None),
			Err(E::ParameterMismatch(_))
		));
		// A maximal update with one more byte is oversized; a smaller one is "trailing".
		let sparse = encode(&compress(&vec![0.0; 1277], &c), &l);
		let mut sparse_long = sparse.clone();
		sparse_long.push(7);
		assert_eq!(dec(&sparse), Ok(compress(&vec![0.0; 1277], &c)));
		assert_eq!(dec(&sparse_long), Err(E::TrailingBytes(1)));
		let mut other = l.clone();
		other[0].shape = vec![40, 30];
		assert!(matches!(
			decode(&good, &c, &other, None),
			Err(E::ShapeMismatch(_))
		));
		other[0].shape = vec![10, 12, 10];
		assert!(matches!(
			decode(&good, &c, &other, None),
			Err(E::ShapeMismatch(_))
		));
		// Wrong committed hash; corrupted payload (payload hash).
		assert_eq!(
			decode(&good, &c, &l, Some(&[0; 32])),
			Err(E::CommittedHashMismatch)
		);
		let mut b = good.clone();
		let last = b.len() - 1;
		b[last] ^= 0x40;
		assert_eq!(dec(&b), Err(E::PayloadHashMismatch));
	}

	/// Re-encodes with a consistent payload hash after `edit` changes the payload, so the
	/// structural checks (not the hash) must catch the problem.
	fn with_payload_edit(bits: u8, edit: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
		let good = encoded(bits);
		// Locate payload: header is deterministic, recompute its length.
		let fixed = super::header(bits, Quantiser::Symmetric, 256, 9, &layout()).len() + 8 + 8 + 32;
		let mut payload = good[fixed..].to_vec();
		edit(&mut payload);
		let mut out = good[..fixed - 8 - 32].to_vec();
		out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
		out.extend_from_slice(blake3::hash(&payload).as_bytes());
		out.extend_from_slice(&payload);
		out
	}

	/// Bits of chunk 0's gap-coded indices (they start at payload byte 6).
	fn chunk0_index_bits(bits: u8) -> usize {
		let c = compress(&data(), &cfg(bits));
		let idx = &c.chunks[0].indices;
		let b = rice_parameter(256, idx.len());
		let mut next = 0usize;
		idx.iter()
			.map(|&i| {
				let g = i as usize - next;
				next = i as usize + 1;
				(g >> b) + 1 + b as usize
			})
			.sum()
	}

	#[test]
	fn gap_coding_is_smaller_than_plain_indices() {
		// 9 of 256 per chunk: ≤ 9 × (4 + 1) + 247 / 16 bits instead of 9 × 16.
		let c = compress(&data(), &cfg(8));
		assert!(c.chunks.iter().all(|ch| ch.indices.len() == 9));
		let v1_payload = c.chunks.len() * (6 + 9 * 2 + 9);
		let fixed = super::header(8, Quantiser::Symmetric, 256, 9, &layout()).len() + 8 + 8 + 32;
		assert!(encoded(8).len() - fixed < v1_payload * 3 / 4);
	}

	#[test]
	fn structural_corruption_with_a_valid_payload_hash_is_rejected() {
		use UpdateFormatError as E;
		let c = cfg(8);
		let l = layout();
		let dec = |b: &[u8]| decode(b, &c, &l, None);
		// Chunk 0 layout: count u16 | scale f32 | 9 Rice-coded gaps | 9 codes of 8 bits.
		let nan = with_payload_edit(8, |p| p[2..6].copy_from_slice(&f32::NAN.to_le_bytes()));
		assert_eq!(dec(&nan), Err(E::NonFinite { chunk: 0 }));
		let inf = with_payload_edit(8, |p| p[2..6].copy_from_slice(&f32::INFINITY.to_le_bytes()));
		assert_eq!(dec(&inf), Err(E::NonFinite { chunk: 0 }));
		let neg = with_payload_edit(8, |p| p[2..6].copy_from_slice(&(-1.0f32).to_le_bytes()));
		assert_eq!(dec(&neg), Err(E::NonFinite { chunk: 0 }));
		let many = with_payload_edit(8, |p| p[0..2].copy_from_slice(&10u16.to_le_bytes()));
		assert!(matches!(
			dec(&many),
			Err(E::TooManyEntries { chunk: 0, .. })
		));
		// A first gap of all one-bits points past the chunk.
		let out_of_chunk = with_payload_edit(8, |p| p[6..10].copy_from_slice(&[0xFF; 4]));
		assert_eq!(dec(&out_of_chunk), Err(E::BadIndex { chunk: 0 }));
		// Code −128 is outside [−127, 127].
		let idx_bytes = chunk0_index_bits(8).div_ceil(8);
		let code = with_payload_edit(8, |p| p[6 + idx_bytes] = 0x80);
		assert_eq!(dec(&code), Err(E::CodeOutOfRange { chunk: 0 }));
		let dropped = with_payload_edit(8, |p| {
			p.pop();
		});
		assert!(matches!(dec(&dropped), Err(E::Truncated { .. })));
		let extra = with_payload_edit(8, |p| p.push(0));
		assert!(matches!(
			dec(&extra),
			Err(E::TrailingBytes(1)) | Err(E::Oversized { .. })
		));
	}

	#[test]
	fn an_index_after_the_last_position_is_rejected() {
		// Chunk 0 (256 long) rewritten by hand: two entries, the first at position 255, so
		// the second (gap 0) would be position 256, outside the chunk.
		let c = cfg(8);
		let l = layout();
		let good = encoded(8);
		let fixed = super::header(8, Quantiser::Symmetric, 256, 9, &l).len() + 8 + 8 + 32;
		let old_chunk0 = 6 + chunk0_index_bits(8).div_ceil(8) + 9;
		let mut chunk0 = Vec::new();
		chunk0.extend_from_slice(&2u16.to_le_bytes());
		chunk0.extend_from_slice(&1.0f32.to_le_bytes());
		let b = rice_parameter(256, 2);
		let mut w = BitWriter::new();
		w.write_rice(255, b);
		w.write_rice(0, b);
		chunk0.extend_from_slice(&w.finish());
		chunk0.extend_from_slice(&[1, 1]);
		let mut payload = chunk0;
		payload.extend_from_slice(&good[fixed + old_chunk0..]);
		let mut bytes = good[..fixed - 8 - 32].to_vec();
		bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
		bytes.extend_from_slice(blake3::hash(&payload).as_bytes());
		bytes.extend_from_slice(&payload);
		assert_eq!(
			decode(&bytes, &c, &l, None),
			Err(UpdateFormatError::BadIndex { chunk: 0 })
		);
	}

	#[test]
	fn non_zero_padding_is_rejected() {
		use UpdateFormatError as E;
		// 3-bit codes: 9 × 3 = 27 bits, so the code field of chunk 0 has 5 padding bits.
		let c = cfg(3);
		let l = layout();
		let idx_bits = chunk0_index_bits(3);
		let idx_bytes = idx_bits.div_ceil(8);
		let code_pad = with_payload_edit(3, |p| p[6 + idx_bytes + 3] |= 0x80);
		assert_eq!(
			decode(&code_pad, &c, &l, None),
			Err(E::NonCanonical { chunk: 0 })
		);
		if !idx_bits.is_multiple_of(8) {
			let idx_pad = with_payload_edit(3, |p| p[6 + idx_bytes - 1] |= 0x80);
			assert_eq!(
				decode(&idx_pad, &c, &l, None),
				Err(E::NonCanonical { chunk: 0 })
			);
		}
	}

	fn mid(bits: u8) -> CompressionConfig {
		CompressionConfig {
			quantiser: Quantiser::MidRise,
			..cfg(bits)
		}
	}

	#[test]
	fn mid_rise_round_trips_for_all_bit_widths() {
		for bits in 2..=8u8 {
			let c = compress(&data(), &mid(bits));
			assert!(c.chunks.iter().flat_map(|ch| &ch.codes).any(|&q| q < 0));
			let bytes = encode(&c, &layout());
			assert_eq!(bytes[11], 1);
			assert!(bytes.len() <= max_encoded_len(&mid(bits), &layout()));
			let d = decode(&bytes, &mid(bits), &layout(), None).unwrap();
			assert_eq!(d, c, "bits {bits}");
			assert_eq!(decompress(&d), decompress(&c));
		}
	}

	#[test]
	fn an_update_with_another_quantiser_is_rejected() {
		let l = layout();
		let sym = encoded(2);
		assert_eq!(sym[11], 0);
		assert!(matches!(
			decode(&sym, &mid(2), &l, None),
			Err(UpdateFormatError::ParameterMismatch(_))
		));
		let m = encode(&compress(&data(), &mid(2)), &l);
		assert!(matches!(
			decode(&m, &cfg(2), &l, None),
			Err(UpdateFormatError::ParameterMismatch(_))
		));
		let mut unknown = m.clone();
		unknown[11] = 2;
		assert!(matches!(
			decode(&unknown, &mid(2), &l, None),
			Err(UpdateFormatError::ParameterMismatch(_))
		));
	}

	#[test]
	fn a_symmetric_code_of_minus_two_to_the_bits_is_rejected_a_mid_rise_one_accepted() {
		// 2-bit code 0b10 = −2: outside [−1, 1] for the symmetric quantiser, the lowest
		// mid-rise code. Chunk 0's first code is rewritten, the payload hash recomputed.
		let l = layout();
		let idx_bytes = chunk0_index_bits(2).div_ceil(8);
		let fixed = super::header(2, Quantiser::Symmetric, 256, 9, &l).len() + 8 + 8 + 32;
		let rewrite = |good: Vec<u8>| {
			let mut payload = good[fixed..].to_vec();
			payload[6 + idx_bytes] = (payload[6 + idx_bytes] & !0b11) | 0b10;
			let mut out = good[..fixed - 8 - 32].to_vec();
			out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
			out.extend_from_slice(blake3::hash(&payload).as_bytes());
			out.extend_from_slice(&payload);
			out
		};
		let sym = rewrite(encoded(2));
		assert_eq!(
			decode(&sym, &cfg(2), &l, None),
			Err(UpdateFormatError::CodeOutOfRange { chunk: 0 })
		);
		let m = rewrite(encode(&compress(&data(), &mid(2)), &l));
		let d = decode(&m, &mid(2), &l, None).unwrap();
		assert_eq!(d.chunks[0].codes[0], -2);
	}
}
