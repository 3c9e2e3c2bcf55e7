//! Parsing of an HTTP `Range` request header (RFC 9110 §14) for one artifact.

/// What a `Range` header asks of a body of known length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeRequest {
	/// Send the whole body (no header, a header we ignore, or several ranges: RFC 9110
	/// allows a server to ignore `Range`).
	Full,
	/// Send bytes `start..=end` (206 Partial Content).
	Partial {
		/// First byte.
		start: u64,
		/// Last byte (inclusive).
		end: u64,
	},
	/// No byte of the body is in the range (416 Range Not Satisfiable).
	Unsatisfiable,
}

/// Interprets `header` for a body of `len` bytes. Understood: one `bytes=a-b`, `bytes=a-`
/// or `bytes=-n` range; `b` past the end is clipped. Malformed headers, other units and
/// multiple ranges are ignored ([`RangeRequest::Full`]).
pub fn parse_range(header: &str, len: u64) -> RangeRequest {
	let Some(spec) = header.trim().strip_prefix("bytes=") else {
		return RangeRequest::Full;
	};
	if spec.contains(',') {
		return RangeRequest::Full;
	}
	let Some((first, last)) = spec.trim().split_once('-') else {
		return RangeRequest::Full;
	};
	let number = |s: &str| -> Option<u64> {
		(!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
			.then(|| s.parse().ok())
			.flatten()
	};
	match (first.is_empty(), last.is_empty()) {
		// bytes=-n: the last n bytes.
		(true, false) => match number(last) {
			Some(0) => RangeRequest::Unsatisfiable,
			Some(_) if len == 0 => RangeRequest::Unsatisfiable,
			Some(n) => RangeRequest::Partial {
				start: len - n.min(len),
				end: len - 1,
			},
			None => RangeRequest::Full,
		},
		// bytes=a-: from a to the end.
		(false, true) => match number(first) {
			Some(a) if a >= len => RangeRequest::Unsatisfiable,
			Some(a) => RangeRequest::Partial {
				start: a,
				end: len - 1,
			},
			None => RangeRequest::Full,
		},
		// bytes=a-b.
		(false, false) => match (number(first), number(last)) {
			(Some(a), Some(b)) if a > b => RangeRequest::Full,
			(Some(a), Some(_)) if a >= len => RangeRequest::Unsatisfiable,
			(Some(a), Some(b)) => RangeRequest::Partial {
				start: a,
				end: b.min(len - 1),
			},
			_ => RangeRequest::Full,
		},
		(true, true) => RangeRequest::Full,
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use RangeRequest::*;

	#[test]
	fn closed_range_is_clipped_to_the_body() {
		assert_eq!(parse_range("bytes=2-5", 10), Partial { start: 2, end: 5 });
		assert_eq!(parse_range("bytes=8-100", 10), Partial { start: 8, end: 9 });
	}

	#[test]
	fn open_and_suffix_ranges_reach_the_end() {
		assert_eq!(parse_range("bytes=7-", 10), Partial { start: 7, end: 9 });
		assert_eq!(parse_range("bytes=-3", 10), Partial { start: 7, end: 9 });
		assert_eq!(parse_range("bytes=-30", 10), Partial { start: 0, end: 9 });
	}

	#[test]
	fn range_is_unsatisfiable_if_it_starts_past_the_end() {
		assert_eq!(parse_range("bytes=10-", 10), Unsatisfiable);
		assert_eq!(parse_range("bytes=10-12", 10), Unsatisfiable);
		assert_eq!(parse_range("bytes=-0", 10), Unsatisfiable);
		assert_eq!(parse_range("bytes=0-0", 0), Unsatisfiable);
	}

	#[test]
	fn malformed_or_multiple_ranges_are_ignored() {
		for h in [
			"items=0-1",
			"bytes=5-2",
			"bytes=a-b",
			"bytes=-",
			"bytes=1",
			"bytes=0-1,3-4",
			"bytes=+1-2",
		] {
			assert_eq!(parse_range(h, 10), Full, "{h}");
		}
	}
}
