//! Signing keys from a secret URI (`--suri`) or a key file, as Substrate tools take them.
//!
//! A secret URI is a BIP-39 phrase, a `0x…` hex seed or a dev phrase, with optional
//! `//hard` / `/soft` derivation junctions and `///password` (`//Alice`, `"<phrase>//miner"`).
//! A key file holds one secret URI (surrounding whitespace ignored). The secret itself is
//! never logged or printed: errors name the source, not its content.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use subxt_signer::{sr25519::Keypair, SecretUri};

use crate::types::AccountId;

/// Why a key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
	/// Neither `--suri` nor a key file was given.
	#[error("no key given: pass --suri or --key-file")]
	Missing,
	/// Both were given.
	#[error("give either --suri or --key-file, not both")]
	Ambiguous,
	/// The key file could not be read.
	#[error("cannot read key file {path}: {source}")]
	File {
		/// The file.
		path: PathBuf,
		/// Why.
		#[source]
		source: std::io::Error,
	},
	/// The secret URI is malformed (its content is not repeated here).
	#[error("the secret URI from {origin} is not valid")]
	Invalid {
		/// `--suri` or the key file's path.
		origin: String,
	},
}

/// A loaded sr25519 hotkey.
#[derive(Clone)]
pub struct Hotkey {
	keypair: Keypair,
}

impl std::fmt::Debug for Hotkey {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(f, "Hotkey({})", self.account())
	}
}

impl Hotkey {
	/// From a secret URI.
	pub fn from_suri(suri: &str) -> Result<Self, KeyError> {
		Self::parse(suri, "--suri")
	}

	/// From a key file holding a secret URI.
	pub fn from_file(path: &Path) -> Result<Self, KeyError> {
		let text = std::fs::read_to_string(path).map_err(|source| KeyError::File {
			path: path.to_path_buf(),
			source,
		})?;
		Self::parse(text.trim(), &path.display().to_string())
	}

	/// From exactly one of `suri` and `key_file`.
	pub fn load(suri: Option<&str>, key_file: Option<&Path>) -> Result<Self, KeyError> {
		match (suri, key_file) {
			(Some(s), None) => Self::from_suri(s),
			(None, Some(p)) => Self::from_file(p),
			(None, None) => Err(KeyError::Missing),
			(Some(_), Some(_)) => Err(KeyError::Ambiguous),
		}
	}

	fn parse(suri: &str, origin: &str) -> Result<Self, KeyError> {
		let invalid = || KeyError::Invalid {
			origin: origin.to_string(),
		};
		let uri = SecretUri::from_str(suri).map_err(|_| invalid())?;
		let keypair = Keypair::from_uri(&uri).map_err(|_| invalid())?;
		Ok(Self { keypair })
	}

	/// The key pair (for signing transactions).
	pub fn keypair(&self) -> &Keypair {
		&self.keypair
	}

	/// The account id.
	pub fn account(&self) -> AccountId {
		self.keypair.public_key().to_account_id()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn dev_uri_gives_alice() {
		let key = Hotkey::from_suri("//Alice").expect("valid");
		assert_eq!(
			key.account(),
			subxt_signer::sr25519::dev::alice()
				.public_key()
				.to_account_id()
		);
	}

	#[test]
	fn key_file_is_trimmed_and_matches_the_uri() {
		let dir = std::env::temp_dir().join(format!("arena-key-{}", std::process::id()));
		std::fs::create_dir_all(&dir).expect("dir");
		let path = dir.join("hotkey");
		std::fs::write(&path, "  //Bob//miner\n").expect("write");
		let from_file = Hotkey::from_file(&path).expect("valid");
		assert_eq!(
			from_file.account(),
			Hotkey::from_suri("//Bob//miner").expect("valid").account()
		);
		let _ = std::fs::remove_dir_all(&dir);
	}

	#[test]
	fn load_fails_if_secret_uri_is_malformed_and_does_not_echo_it() {
		let err = Hotkey::from_suri("not a secret uri at all ///").expect_err("invalid");
		assert!(!err.to_string().contains("not a secret"), "{err}");
	}

	#[test]
	fn load_fails_if_no_key_is_given() {
		assert!(matches!(Hotkey::load(None, None), Err(KeyError::Missing)));
	}

	#[test]
	fn load_fails_if_both_sources_are_given() {
		assert!(matches!(
			Hotkey::load(Some("//Alice"), Some(Path::new("/nonexistent"))),
			Err(KeyError::Ambiguous)
		));
	}

	#[test]
	fn debug_output_shows_the_account_not_the_secret() {
		let key = Hotkey::from_suri("//Alice").expect("valid");
		let shown = format!("{key:?}");
		assert!(shown.contains("Hotkey(5"), "{shown}");
		assert!(!shown.contains("Alice"), "{shown}");
	}
}
