//! # arena-artifacts
//!
//! Content-addressed storage of the artifacts a training round exchanges (SPEC §6):
//! checkpoints, compressed updates, boundary training states and loss traces, each named by
//! the BLAKE3 hash of its bytes ([`ArtifactHash`]) and its [`ArtifactKind`], and round
//! manifests, named by [`manifest_key`] of the Merkle root they start with (one key rule per
//! kind: [`ArtifactKind::key_of`]).
//!
//! * [`Store`]: put / get / has / list / delete over a local directory ([`LocalStore`], the
//!   default) or an S3-compatible bucket ([`S3Store`], `s3://bucket/prefix`). Every read checks
//!   the size against [`SizeLimits`] and the hash; every local write is atomic.
//! * [`serve()`]: a read-only HTTP server over a local store (`GET /artifacts/<kind>/<hex>`,
//!   range requests), the endpoint a program announces with `serve_endpoint`.
//! * [`Fetcher`]: fetches from such an endpoint (or a bucket) with timeouts, retries, a size cap
//!   while streaming and hash verification, into a local cache.
//! * Retention: [`Store::prune`], [`KeepSet`], [`Store::usage`].
//!
//! See the crate's README for where artifacts live and how to point a miner at a bucket.

#![warn(missing_docs)]

pub mod body;
mod error;
mod fetch;
mod hash;
mod kind;
mod limits;
mod local;
pub mod range;
mod retention;
mod s3;
mod serve;
mod store;

pub use error::ArtifactError;
pub use fetch::{FetchConfig, Fetcher, RetryPolicy, Source};
pub use hash::ArtifactHash;
pub use kind::{manifest_key, ArtifactKind, KeyHasher, MANIFEST_KEY_DOMAIN};
pub use limits::{
	SizeLimits, DEFAULT_LOSS_TRACE_LIMIT, DEFAULT_MANIFEST_LIMIT, HEADER_SLACK,
	MANIFEST_HEADER_SLACK,
};
pub use local::{LocalStore, STALE_TEMP_AGE};
pub use retention::{KeepSet, PruneReport, Usage};
pub use s3::S3Store;
pub use serve::{router, serve, ArtifactServer};
pub use store::{ArtifactInfo, Store};
