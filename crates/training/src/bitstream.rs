//! Bit-level writing and reading (LSB-first within each byte) and Golomb–Rice codes, used by
//! the update format for packed codes and gap-coded indices.
//!
//! Rice code of a non-negative integer `g` with parameter `b`:
//!
//! ```text
//! rice_b(g) = unary(g >> b) ‖ the low b bits of g (LSB first)
//! unary(q)  = q one-bits followed by one zero-bit
//! ```
//!
//! so it takes `(g >> b) + 1 + b` bits. For gaps of a random `k`-subset of `n` positions the
//! choice `b = ⌊log2(n / k)⌋` ([`rice_parameter`]) is within a fraction of a bit of the
//! entropy per index, against 16 bits for a plain `u16`.

/// Appends bits to a byte vector, least significant bit first.
#[derive(Debug, Default)]
pub struct BitWriter {
	bytes: Vec<u8>,
	acc: u64,
	n: u32,
}

impl BitWriter {
	/// An empty writer.
	pub fn new() -> Self {
		Self::default()
	}

	/// Writes the low `width` bits of `value` (`width ≤ 32`).
	pub fn write(&mut self, value: u64, width: u32) {
		debug_assert!(width <= 32);
		let mask = if width == 0 {
			0
		} else {
			u64::MAX >> (64 - width)
		};
		self.acc |= (value & mask) << self.n;
		self.n += width;
		while self.n >= 8 {
			self.bytes.push(self.acc as u8);
			self.acc >>= 8;
			self.n -= 8;
		}
	}

	/// Writes `rice_b(g)`.
	pub fn write_rice(&mut self, g: u64, b: u32) {
		let mut q = g >> b;
		while q >= 32 {
			self.write(u64::from(u32::MAX), 32);
			q -= 32;
		}
		// q ones, then a zero.
		self.write((1u64 << q) - 1, q as u32 + 1);
		self.write(g, b);
	}

	/// Pads with zero bits to a whole byte and returns the bytes.
	pub fn finish(mut self) -> Vec<u8> {
		if self.n > 0 {
			self.bytes.push(self.acc as u8);
		}
		self.bytes
	}
}

/// Why a bit read failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BitError {
	/// The bytes ended first.
	Exhausted,
	/// A Rice quotient larger than the caller's bound.
	TooLarge,
}

/// Reads bits from a byte slice, least significant bit first.
#[derive(Debug)]
pub struct BitReader<'a> {
	bytes: &'a [u8],
	bit: usize,
}

impl<'a> BitReader<'a> {
	/// A reader at the first bit of `bytes`.
	pub fn new(bytes: &'a [u8]) -> Self {
		Self { bytes, bit: 0 }
	}

	fn bit(&mut self) -> Result<u64, BitError> {
		let byte = self.bytes.get(self.bit / 8).ok_or(BitError::Exhausted)?;
		let v = (byte >> (self.bit % 8)) & 1;
		self.bit += 1;
		Ok(u64::from(v))
	}

	/// Reads `width` bits (`width ≤ 32`) as an unsigned integer.
	pub fn read(&mut self, width: u32) -> Result<u64, BitError> {
		let mut v = 0u64;
		for i in 0..width {
			v |= self.bit()? << i;
		}
		Ok(v)
	}

	/// Reads `rice_b(g)`; fails with [`BitError::TooLarge`] as soon as `g` would exceed
	/// `max`, so a corrupt stream cannot make the reader run long.
	pub fn read_rice(&mut self, b: u32, max: u64) -> Result<u64, BitError> {
		let mut q = 0u64;
		while self.bit()? == 1 {
			q += 1;
			if (q << b) > max {
				return Err(BitError::TooLarge);
			}
		}
		let g = (q << b) | self.read(b)?;
		if g > max {
			return Err(BitError::TooLarge);
		}
		Ok(g)
	}

	/// Bytes consumed so far (a partly read byte counts as consumed).
	pub fn bytes_used(&self) -> usize {
		self.bit.div_ceil(8)
	}

	/// Whether the unread bits of the current byte are all zero (canonical padding).
	pub fn padding_is_zero(&self) -> bool {
		let rem = self.bit % 8;
		if rem == 0 {
			return true;
		}
		self.bytes
			.get(self.bit / 8)
			.is_some_and(|byte| byte >> rem == 0)
	}
}

/// The Rice parameter for `count` sorted positions among `len`: `⌊log2(len / count)⌋`
/// (0 when `count` is 0 or `count ≥ len`).
pub fn rice_parameter(len: usize, count: usize) -> u32 {
	if count == 0 {
		return 0;
	}
	(len / count).max(1).ilog2()
}

/// Most bits the gap code of `count` strictly increasing positions in `0..len` can take:
/// `count·(b + 1) + ⌊(len − count) / 2^b⌋` (the gaps sum to at most `len − count`).
pub fn max_index_bits(len: usize, count: usize) -> usize {
	let b = rice_parameter(len, count);
	count * (b as usize + 1) + (len.saturating_sub(count) >> b)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn fixed_width_round_trip() {
		let mut w = BitWriter::new();
		let values = [
			(5u64, 3u32),
			(0, 1),
			(1, 1),
			(0x1234, 16),
			(7, 3),
			(u32::MAX as u64, 32),
		];
		for &(v, n) in &values {
			w.write(v, n);
		}
		let bytes = w.finish();
		assert_eq!(bytes.len(), (3 + 1 + 1 + 16 + 3 + 32usize).div_ceil(8));
		let mut r = BitReader::new(&bytes);
		for &(v, n) in &values {
			assert_eq!(r.read(n), Ok(v));
		}
		assert!(r.padding_is_zero());
	}

	#[test]
	fn rice_round_trip_and_length() {
		for b in 0..8u32 {
			let gaps = [0u64, 1, 2, 3, 31, 32, 33, 100, 1000, 4095];
			let mut w = BitWriter::new();
			for &g in &gaps {
				w.write_rice(g, b);
			}
			let bits: u64 = gaps.iter().map(|g| (g >> b) + 1 + b as u64).sum();
			let bytes = w.finish();
			assert_eq!(bytes.len() as u64, bits.div_ceil(8));
			let mut r = BitReader::new(&bytes);
			for &g in &gaps {
				assert_eq!(r.read_rice(b, 4095), Ok(g), "b {b}");
			}
			assert!(r.padding_is_zero());
		}
	}

	#[test]
	fn corrupt_streams_fail_fast() {
		// All ones: an endless unary quotient stops at the bound, not at the end of memory.
		let ones = vec![0xFFu8; 1024];
		assert_eq!(
			BitReader::new(&ones).read_rice(2, 100),
			Err(BitError::TooLarge)
		);
		assert_eq!(
			BitReader::new(&[]).read_rice(2, 100),
			Err(BitError::Exhausted)
		);
		assert_eq!(
			BitReader::new(&[0b0000_0001]).read(9),
			Err(BitError::Exhausted)
		);
		let mut r = BitReader::new(&[0b1000_0001]);
		assert_eq!(r.read(1), Ok(1));
		assert!(!r.padding_is_zero());
	}

	#[test]
	fn the_bound_holds_for_extreme_position_sets() {
		for (len, count) in [
			(4096usize, 120usize),
			(4096, 1),
			(100, 100),
			(77, 9),
			(1, 1),
		] {
			let b = rice_parameter(len, count);
			// Worst case: all positions at the end (one large gap), or spread evenly.
			for positions in [
				(len - count..len).collect::<Vec<_>>(),
				(0..count).map(|i| i * len / count).collect(),
			] {
				let mut w = BitWriter::new();
				let mut prev: Option<usize> = None;
				for &p in &positions {
					let g = p - prev.map_or(0, |q| q + 1);
					w.write_rice(g as u64, b);
					prev = Some(p);
				}
				let bytes = w.finish();
				assert!(
					bytes.len() * 8 < max_index_bits(len, count) + 8,
					"{len} {count}"
				);
			}
		}
	}
}
