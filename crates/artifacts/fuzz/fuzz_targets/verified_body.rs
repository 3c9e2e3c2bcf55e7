//! `VerifiedBody` (the fetcher's and the S3 backend's response handling) on arbitrary
//! announced lengths, chunkings and bytes: it never panics, never accepts more than the limit
//! and only returns bytes that hash to the expected hash and match the announced length.
#![no_main]

use arena_artifacts::body::VerifiedBody;
use arena_artifacts::{ArtifactHash, ArtifactKind, SizeLimits};
use libfuzzer_sys::fuzz_target;

const LIMIT: u64 = 4096;

fuzz_target!(|data: &[u8]| {
	if data.len() < 3 {
		return;
	}
	let (control, rest) = data.split_at(3);
	// control[0]: bit 0 = announce a length, bit 1 = expect the right hash.
	let announced = (control[0] & 1 == 1).then(|| u64::from(control[1]) * 32);
	let expected = if control[0] & 2 == 2 {
		ArtifactHash::of(rest)
	} else {
		ArtifactHash::of(b"something else")
	};
	let step = usize::from(control[2]).max(1);
	let limits = SizeLimits::uniform(LIMIT);
	let Ok(mut body) = VerifiedBody::new(ArtifactKind::Update, expected, &limits, announced) else {
		assert!(announced.is_some_and(|a| a > LIMIT));
		return;
	};
	for chunk in rest.chunks(step) {
		if body.push(chunk).is_err() {
			assert!(rest.len() as u64 > LIMIT);
			return;
		}
	}
	if let Ok(bytes) = body.finish() {
		assert_eq!(ArtifactHash::of(&bytes), expected);
		assert!(bytes.len() as u64 <= LIMIT);
		assert!(announced.is_none_or(|a| a == bytes.len() as u64));
		assert_eq!(&bytes[..], rest);
	}
});
