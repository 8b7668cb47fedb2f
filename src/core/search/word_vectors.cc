#include "core/search/word_vectors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace aura::core::search {
namespace {

constexpr char kMagic[8] = {'A', 'U', 'R', 'A', 'W', 'V', '0', '1'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderSize = 128;

struct Header {
  char magic[8];
  uint32_t version;
  uint32_t dims;
  uint32_t count;
  uint32_t hash_slots;
  uint32_t source_count;
  uint32_t reserved;
  uint64_t ranks_offset;
  uint64_t scales_offset;
  uint64_t vectors_offset;
  uint64_t string_index_offset;
  uint64_t strings_offset;
  uint64_t hash_offset;
  uint64_t file_size;
};
static_assert(sizeof(Header) == 88);

common::Status Corrupt(const std::string& path, const std::string& why) {
  return {common::StatusCode::kDataLoss, "word vectors file " + path + " is not valid: " + why};
}

bool SectionFits(uint64_t offset, uint64_t bytes, size_t size) {
  return offset >= kHeaderSize && offset % 4 == 0 && offset <= size && bytes <= size - offset;
}

}  // namespace

uint64_t Fnv1a64(std::string_view bytes) noexcept {
  uint64_t h = 0xCBF29CE484222325ULL;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return h;
}

common::Result<std::unique_ptr<WordVectors>> WordVectors::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return common::NotFoundError("word vectors file " + path + " does not exist");
    return common::UnavailableError("cannot open word vectors file " + path + ": " + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_size < static_cast<off_t>(kHeaderSize)) {
    ::close(fd);
    return Corrupt(path, "shorter than its header");
  }
  const auto size = static_cast<size_t>(st.st_size);
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) {
    return common::UnavailableError("cannot map word vectors file " + path + ": " + std::strerror(errno));
  }
  std::unique_ptr<WordVectors> wv(new WordVectors());  // private constructor
  wv->path_ = path;
  wv->base_ = static_cast<const uint8_t*>(map);
  wv->size_ = size;

  Header h{};
  std::memcpy(&h, wv->base_, sizeof(h));
  if (std::memcmp(h.magic, kMagic, sizeof(kMagic)) != 0) return Corrupt(path, "bad magic");
  if (h.version != kVersion) return Corrupt(path, "unsupported version " + std::to_string(h.version));
  if (h.file_size != size) return Corrupt(path, "size differs from its header (truncated?)");
  if (h.dims == 0 || h.dims > 4096 || h.count == 0 || h.hash_slots < h.count ||
      (h.hash_slots & (h.hash_slots - 1)) != 0) {
    return Corrupt(path, "bad dimensions, count or hash table size");
  }
  const uint64_t n = h.count;
  if (!SectionFits(h.ranks_offset, n * 4, size) || !SectionFits(h.scales_offset, n * 4, size) ||
      !SectionFits(h.vectors_offset, n * h.dims, size) ||
      !SectionFits(h.string_index_offset, (n + 1) * 4, size) ||
      !SectionFits(h.hash_offset, uint64_t{h.hash_slots} * 4, size) || h.strings_offset > size) {
    return Corrupt(path, "a section lies outside the file");
  }
  wv->dims_ = h.dims;
  wv->count_ = h.count;
  wv->slots_ = h.hash_slots;
  wv->source_count_ = h.source_count < h.count ? h.count : h.source_count;
  wv->ranks_ = reinterpret_cast<const uint32_t*>(wv->base_ + h.ranks_offset);
  wv->scales_ = reinterpret_cast<const float*>(wv->base_ + h.scales_offset);
  wv->vectors_ = reinterpret_cast<const int8_t*>(wv->base_ + h.vectors_offset);
  wv->string_index_ = reinterpret_cast<const uint32_t*>(wv->base_ + h.string_index_offset);
  wv->strings_ = reinterpret_cast<const char*>(wv->base_ + h.strings_offset);
  wv->hash_ = reinterpret_cast<const uint32_t*>(wv->base_ + h.hash_offset);
  if (wv->string_index_[n] > size - h.strings_offset) return Corrupt(path, "string pool out of bounds");
  for (uint64_t i = 0; i < n; ++i) {
    if (wv->string_index_[i] > wv->string_index_[i + 1]) return Corrupt(path, "string index not ascending");
  }
  return wv;
}

WordVectors::~WordVectors() {
  if (base_ != nullptr) ::munmap(const_cast<uint8_t*>(base_), size_);
}

int32_t WordVectors::Find(std::string_view word) const noexcept {
  if (word.empty()) return -1;
  const uint32_t mask = slots_ - 1;
  uint32_t slot = static_cast<uint32_t>(Fnv1a64(word)) & mask;
  for (uint32_t probes = 0; probes < slots_; ++probes) {
    const uint32_t entry = hash_[slot];
    if (entry == 0 || entry > count_) return -1;
    const auto index = static_cast<int32_t>(entry - 1);
    if (Word(index) == word) return index;
    slot = (slot + 1) & mask;
  }
  return -1;
}

uint32_t WordVectors::Rank(int32_t index) const noexcept { return ranks_[index]; }

std::string_view WordVectors::Word(int32_t index) const noexcept {
  const uint32_t begin = string_index_[index];
  return {strings_ + begin, string_index_[index + 1] - begin};
}

void WordVectors::AddScaled(int32_t index, float weight, float* acc) const noexcept {
  const int8_t* q = vectors_ + static_cast<size_t>(index) * dims_;
  const float s = weight * scales_[index];
  for (uint32_t d = 0; d < dims_; ++d) acc[d] += s * static_cast<float>(q[d]);
}

}  // namespace aura::core::search
