//! `parse_range` on arbitrary headers and lengths: a partial range always lies inside the body.
#![no_main]

use arena_artifacts::range::{parse_range, RangeRequest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
	if data.len() < 8 {
		return;
	}
	let (len, header) = data.split_at(8);
	let len = u64::from_le_bytes(len.try_into().unwrap_or([0; 8])) % (1 << 40);
	let Ok(header) = std::str::from_utf8(header) else {
		return;
	};
	if let RangeRequest::Partial { start, end } = parse_range(header, len) {
		assert!(start <= end && end < len, "{header:?} {len}: {start}-{end}");
	}
});
