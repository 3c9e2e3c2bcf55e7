//! Text corpora: load a directory, name it by a content hash, hold out a validation split.
//!
//! * Files: every regular file whose name ends in `.txt`, found recursively, ordered by their
//!   path relative to the directory (byte order). Other files (licences, stamps) are ignored.
//! * Tokens: raw bytes (byte-level model, vocabulary 256).
//! * Id: `BLAKE3("arena-corpus-v1" ‖ n ‖ for each file: len(path) ‖ path ‖ len(bytes) ‖ BLAKE3(bytes))`,
//!   lengths as u64 little-endian. Renaming, adding, removing or editing a file changes it.
//! * Split: the last `validation_fraction` of **each** file (rounded down to whole bytes) is
//!   validation, the rest training; the splits are the concatenations in file order.

use std::path::{Path, PathBuf};

use crate::error::CorpusError;

/// A loaded corpus.
#[derive(Debug, Clone)]
pub struct Corpus {
	id: [u8; 32],
	files: Vec<(String, usize)>,
	train: Vec<u8>,
	validation: Vec<u8>,
}

impl Corpus {
	/// Loads every `*.txt` under `dir` and splits it.
	pub fn load_dir(dir: &Path, validation_fraction: f64) -> Result<Self, CorpusError> {
		let mut paths = Vec::new();
		collect_txt(dir, dir, &mut paths)?;
		if paths.is_empty() {
			return Err(CorpusError::Empty(dir.display().to_string()));
		}
		paths.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
		let mut texts = Vec::with_capacity(paths.len());
		for (rel, full) in paths {
			let bytes = std::fs::read(&full).map_err(|source| CorpusError::Io {
				path: full.display().to_string(),
				source,
			})?;
			texts.push((rel, bytes));
		}
		Ok(Self::from_texts(texts, validation_fraction))
	}

	/// Builds a corpus from `(name, bytes)` pairs, sorted by name.
	pub fn from_texts(mut texts: Vec<(String, Vec<u8>)>, validation_fraction: f64) -> Self {
		texts.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
		let mut h = blake3::Hasher::new();
		h.update(b"arena-corpus-v1");
		h.update(&(texts.len() as u64).to_le_bytes());
		let frac = if validation_fraction.is_finite() {
			validation_fraction.clamp(0.0, 1.0)
		} else {
			0.0
		};
		let mut train = Vec::new();
		let mut validation = Vec::new();
		let mut files = Vec::with_capacity(texts.len());
		for (name, bytes) in &texts {
			h.update(&(name.len() as u64).to_le_bytes());
			h.update(name.as_bytes());
			h.update(&(bytes.len() as u64).to_le_bytes());
			h.update(blake3::hash(bytes).as_bytes());
			let n_val = (bytes.len() as f64 * frac).floor() as usize;
			let split = bytes.len() - n_val.min(bytes.len());
			train.extend_from_slice(&bytes[..split]);
			validation.extend_from_slice(&bytes[split..]);
			files.push((name.clone(), bytes.len()));
		}
		Self {
			id: *h.finalize().as_bytes(),
			files,
			train,
			validation,
		}
	}

	/// The content hash naming this corpus.
	pub fn id(&self) -> [u8; 32] {
		self.id
	}

	/// `(relative path, byte length)` of every file, in order.
	pub fn files(&self) -> &[(String, usize)] {
		&self.files
	}

	/// Training split.
	pub fn train(&self) -> &[u8] {
		&self.train
	}

	/// Validation split.
	pub fn validation(&self) -> &[u8] {
		&self.validation
	}

	/// Fails unless both splits hold at least one window of `context + 1` bytes.
	pub fn check_fits(&self, context: usize) -> Result<(), CorpusError> {
		let needed = context + 2;
		if self.train.len() < needed {
			return Err(CorpusError::TooSmall {
				split: "train",
				len: self.train.len(),
				needed,
			});
		}
		if self.validation.len() < needed {
			return Err(CorpusError::TooSmall {
				split: "validation",
				len: self.validation.len(),
				needed,
			});
		}
		Ok(())
	}
}

fn collect_txt(
	root: &Path,
	dir: &Path,
	out: &mut Vec<(String, PathBuf)>,
) -> Result<(), CorpusError> {
	let io = |path: &Path, source| CorpusError::Io {
		path: path.display().to_string(),
		source,
	};
	let entries = std::fs::read_dir(dir).map_err(|e| io(dir, e))?;
	for entry in entries {
		let entry = entry.map_err(|e| io(dir, e))?;
		let path = entry.path();
		let ft = entry.file_type().map_err(|e| io(&path, e))?;
		if ft.is_dir() {
			collect_txt(root, &path, out)?;
		} else if ft.is_file() && path.extension().is_some_and(|e| e == "txt") {
			let rel = path
				.strip_prefix(root)
				.unwrap_or(&path)
				.to_string_lossy()
				.replace('\\', "/");
			out.push((rel, path));
		}
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	/// The committed test corpus. The manifest dir is read at run time (cargo sets it when
	/// running tests) so a test binary reused from another checkout of the same target dir
	/// still finds this checkout's files.
	pub(crate) fn test_corpus_dir() -> PathBuf {
		let manifest = std::env::var("CARGO_MANIFEST_DIR")
			.unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into());
		Path::new(&manifest).join("testdata/corpus")
	}

	#[test]
	fn loads_the_committed_play_and_splits_it() {
		let c = Corpus::load_dir(&test_corpus_dir(), 0.1).unwrap();
		assert_eq!(c.files().len(), 1);
		let total = c.files()[0].1;
		assert_eq!(c.train().len() + c.validation().len(), total);
		assert_eq!(c.validation().len(), (total as f64 * 0.1).floor() as usize);
		assert!(c.train().starts_with(b"MACBETH"));
		c.check_fits(64).unwrap();
	}

	#[test]
	fn id_is_a_content_hash() {
		let a = Corpus::from_texts(vec![("a.txt".into(), b"hello".to_vec())], 0.1);
		let b = Corpus::from_texts(vec![("a.txt".into(), b"hellp".to_vec())], 0.1);
		let c = Corpus::from_texts(vec![("b.txt".into(), b"hello".to_vec())], 0.1);
		let a2 = Corpus::from_texts(vec![("a.txt".into(), b"hello".to_vec())], 0.5);
		assert_ne!(a.id(), b.id());
		assert_ne!(a.id(), c.id());
		assert_eq!(a.id(), a2.id(), "the split does not change the content id");
	}

	#[test]
	fn any_directory_works_and_non_txt_files_are_ignored() {
		let dir = tempfile::tempdir().unwrap();
		std::fs::create_dir(dir.path().join("sub")).unwrap();
		std::fs::write(dir.path().join("sub/z.txt"), b"0123456789").unwrap();
		std::fs::write(dir.path().join("a.txt"), b"abcdefghij").unwrap();
		std::fs::write(dir.path().join("LICENSE"), b"not text data").unwrap();
		let c = Corpus::load_dir(dir.path(), 0.2).unwrap();
		let names: Vec<_> = c.files().iter().map(|f| f.0.as_str()).collect();
		assert_eq!(names, vec!["a.txt", "sub/z.txt"]);
		assert_eq!(c.train(), b"abcdefgh01234567");
		assert_eq!(c.validation(), b"ij89");
		assert!(matches!(
			c.check_fits(8),
			Err(CorpusError::TooSmall {
				split: "validation",
				..
			})
		));
	}

	#[test]
	fn empty_directory_is_an_error() {
		let dir = tempfile::tempdir().unwrap();
		assert!(matches!(
			Corpus::load_dir(dir.path(), 0.1),
			Err(CorpusError::Empty(_))
		));
		assert!(matches!(
			Corpus::load_dir(&dir.path().join("missing"), 0.1),
			Err(CorpusError::Io { .. })
		));
	}
}
