//! Empty placeholder for `turso`; see this crate's Cargo.toml for why it exists.
